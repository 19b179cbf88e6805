/* Private to nav/cnav*_msg.c: codecs of the parameter blocks shared by B-CNAV1/2/3
 * (navmsg.md Tables N2-N4, N9-N15).  Each function reads the block at the cursor
 * into *b, or writes *b at the cursor (io->write), advancing by the block length. */
#ifndef BDSRX_NAVBLOCKS_H
#define BDSRX_NAVBLOCKS_H

#include "bdsrx/bits.h"
#include "bdsrx/navmsg.h"

void bx_blk_eph1(bx_bitio_t *io, bx_ephblk1_t *b);      /* 203 bits, Table N2 */
void bx_blk_eph2(bx_bitio_t *io, bx_ephblk2_t *b);      /* 222 bits, Table N3 */
void bx_blk_clk(bx_bitio_t *io, bx_clkblk_t *b);        /*  69 bits, Table N4 */
void bx_blk_sisai_oc(bx_bitio_t *io, bx_sisai_oc_t *b); /*  22 bits, Table N9 */
void bx_blk_bdgim(bx_bitio_t *io, bx_bdgim_t *b);       /*  74 bits, Table N10 */
void bx_blk_utc(bx_bitio_t *io, bx_utc_t *b);           /*  97 bits, Table N11 */
void bx_blk_eop(bx_bitio_t *io, bx_eop_t *b);           /* 138 bits, Table N12 */
void bx_blk_alm_reduced(bx_bitio_t *io, bx_alm_reduced_t *b); /* 38 bits, Table N13 */
void bx_blk_bgto(bx_bitio_t *io, bx_bgto_t *b);         /*  68 bits, Table N14 */
void bx_blk_alm_midi(bx_bitio_t *io, bx_alm_midi_t *b); /* 156 bits, Table N15 */
/* Integer field stored multiplied by a whole scale (e.g. t_ot = raw * 16 s). */
void bx_blk_uint_scaled(bx_bitio_t *io, int len, int scale, int *v);
/* Time field of scale scale_s stored as double seconds (t_oe: u11 x 300 s ...). */
#define bx_blk_time(io, len, scale_s, v) bx_bitio_uf((io), (len), (scale_s), (v))

#endif
