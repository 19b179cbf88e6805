/* B-CNAV3 (B2b-I of MEO/IGSO) message types 10, 30, 40: field codec (navmsg.md §4.2).
 * Positions in comments are the ICD's 1-based bits of the 486-bit LDPC information
 * block (MesType | data | CRC); the PRN is outside that block (frame header). */
#include <math.h>
#include <string.h>

#include "bdsrx/fec.h"
#include "bdsrx/navmsg.h"
#include "navblocks.h"

#define P2(n) ldexp(1.0, (n))

static int msg_codec(bx_bitio_t *io, bx_cnav3_msg_t *m)
{
    bx_bitio_uint(io, 6, &m->type);  /* 1-6 */
    if (m->type != 10 && m->type != 30 && m->type != 40) {
        if (!io->write) /* bits 7-26 as a number; a SOW only for the types above */
            bx_bitio_uint(io, 20, &m->sow);
        return BX_ERR_UNSUPPORTED;
    }
    bx_bitio_uint(io, 20, &m->sow);  /* 7-26 */
    switch (m->type) {
    case 10:
        bx_bitio_uint(io, 4, &m->u.mt10.reserved4);    /* 27-30 (not zero on air [U]) */
        bx_blk_eph1(io, &m->u.mt10.eph1);              /* 31-233 */
        bx_bitio_expect(io, 234);
        bx_blk_eph2(io, &m->u.mt10.eph2);              /* 234-455 */
        bx_bitio_expect(io, 456);
        bx_bitio_uint(io, 1, &m->u.mt10.dif);          /* 456 */
        bx_bitio_uint(io, 1, &m->u.mt10.sif);          /* 457 */
        bx_bitio_uint(io, 1, &m->u.mt10.aif);          /* 458 */
        bx_bitio_uint(io, 4, &m->u.mt10.sismai);       /* 459-462 */
        break;
    case 30:
        bx_bitio_uint(io, 13, &m->u.mt30.wn);          /* 27-39 */
        bx_bitio_uint(io, 4, &m->u.mt30.reserved4);    /* 40-43 */
        bx_blk_clk(io, &m->u.mt30.clk);                /* 44-112 */
        bx_bitio_sf(io, 12, P2(-34), &m->u.mt30.tgd_b2bi_s); /* 113-124 */
        bx_bitio_expect(io, 125);
        bx_blk_bdgim(io, &m->u.mt30.iono);             /* 125-198 */
        bx_blk_utc(io, &m->u.mt30.utc);                /* 199-295 */
        bx_bitio_expect(io, 296);
        bx_blk_eop(io, &m->u.mt30.eop);                /* 296-433 */
        bx_blk_sisai_oc(io, &m->u.mt30.sisai_oc);      /* 434-455 */
        bx_bitio_uint(io, 5, &m->u.mt30.sisai_oe);     /* 456-460 */
        bx_bitio_uint(io, 2, &m->u.mt30.hs);           /* 461-462 */
        break;
    case 40:
        bx_blk_bgto(io, &m->u.mt40.bgto);              /* 27-94 */
        bx_blk_alm_midi(io, &m->u.mt40.midi);          /* 95-250 */
        bx_bitio_expect(io, 251);
        bx_bitio_uint(io, 13, &m->u.mt40.wn_a);        /* 251-263 */
        bx_blk_time(io, 8, 4096.0, &m->u.mt40.toa_s);  /* 264-271 */
        for (int k = 0; k < 5; k++)                    /* 272-461 */
            bx_blk_alm_reduced(io, &m->u.mt40.alm[k]);
        bx_bitio_uint(io, 1, &m->u.mt40.reserved);     /* 462 */
        break;
    }
    bx_bitio_expect(io, 463);
    return io->err;
}

int bx_cnav3_parse(const uint8_t msg[486], int prn, bx_cnav3_msg_t *m)
{
    if (!msg || !m)
        return BX_ERR_ARG;
    bx_bitio_t io;
    bx_bitio_reader(&io, msg, 486);
    memset(m, 0, sizeof *m);
    m->prn = prn;
    return msg_codec(&io, m);
}

int bx_cnav3_pack(const bx_cnav3_msg_t *m, uint8_t msg[486])
{
    if (!msg || !m)
        return BX_ERR_ARG;
    bx_cnav3_msg_t c = *m;
    bx_bitio_t io;
    memset(msg, 0, 486);
    bx_bitio_writer(&io, msg, 462);
    int st = msg_codec(&io, &c);
    bx_crc24q_append(msg, 462);
    return st;
}

/* §4: SOW (1 s) refers to the start of the 1-s frame (first preamble symbol); consistent
 * with the PPP-B2b epochs of the same second in real data (pppb2b.md §2) [S]. */
bx_time_t bx_cnav3_frame_time(int wn, int sow_s)
{
    return bx_bdt_week_sow(wn, (double)sow_s);
}
