/* B-CNAV1 (B1C) subframe 2 and subframe 3 pages 1-4: field codec
 * (navmsg.md §2.4 Table N1, §2.5).  The same field list serves parse and pack. */
#include <math.h>
#include <string.h>

#include "bdsrx/fec.h"
#include "bdsrx/navmsg.h"
#include "navblocks.h"

#define P2(n) ldexp(1.0, (n))

/* Table N1: bit positions in comments are the ICD's (1-based). */
static int sf2_codec(bx_bitio_t *io, bx_cnav1_sf2_t *m)
{
    bx_bitio_uint(io, 13, &m->wn);    /* 1-13 */
    bx_bitio_uint(io, 8, &m->how);    /* 14-21 */
    bx_bitio_uint(io, 10, &m->iodc);  /* 22-31 */
    bx_bitio_uint(io, 8, &m->iode);   /* 32-39 */
    bx_bitio_expect(io, 40);
    bx_blk_eph1(io, &m->eph1);        /* 40-242 */
    bx_bitio_expect(io, 243);
    bx_blk_eph2(io, &m->eph2);        /* 243-464 */
    bx_bitio_expect(io, 465);
    bx_blk_clk(io, &m->clk);          /* 465-533 */
    bx_bitio_expect(io, 534);
    bx_bitio_sf(io, 12, P2(-34), &m->tgd_b2ap_s); /* 534-545 */
    bx_bitio_sf(io, 12, P2(-34), &m->isc_b1cd_s); /* 546-557 */
    bx_bitio_sf(io, 12, P2(-34), &m->tgd_b1cp_s); /* 558-569 */
    bx_bitio_uint(io, 7, &m->reserved);           /* 570-576 */
    bx_bitio_expect(io, 577);
    return io->err;
}

int bx_cnav1_sf2_parse(const uint8_t sf2[600], bx_cnav1_sf2_t *m)
{
    if (!sf2 || !m)
        return BX_ERR_ARG;
    bx_bitio_t io;
    bx_bitio_reader(&io, sf2, 600);
    memset(m, 0, sizeof *m);
    return sf2_codec(&io, m);
}

int bx_cnav1_sf2_pack(const bx_cnav1_sf2_t *m, uint8_t sf2[600])
{
    if (!sf2 || !m)
        return BX_ERR_ARG;
    bx_cnav1_sf2_t c = *m;
    bx_bitio_t io;
    memset(sf2, 0, 600);
    bx_bitio_writer(&io, sf2, 576);
    int st = sf2_codec(&io, &c);
    bx_crc24q_append(sf2, 576);
    return st;
}

/* §2.5: common header bits 1-15, then the page body. */
static int sf3_codec(bx_bitio_t *io, bx_cnav1_sf3_t *m)
{
    bx_bitio_uint(io, 6, &m->page);
    bx_bitio_uint(io, 2, &m->hs);
    bx_bitio_uint(io, 1, &m->dif);
    bx_bitio_uint(io, 1, &m->sif);
    bx_bitio_uint(io, 1, &m->aif);
    bx_bitio_uint(io, 4, &m->sismai);
    bx_bitio_expect(io, 16);
    uint64_t r = 0;
    switch (m->page) {
    case 1:
        bx_bitio_uint(io, 5, &m->u.p1.sisai_oe);       /* 16-20 */
        bx_blk_sisai_oc(io, &m->u.p1.sisai_oc);        /* 21-42 */
        bx_bitio_expect(io, 43);
        bx_blk_bdgim(io, &m->u.p1.iono);               /* 43-116 */
        bx_bitio_expect(io, 117);
        bx_blk_utc(io, &m->u.p1.utc);                  /* 117-213 */
        bx_bitio_expect(io, 214);
        r = m->u.p1.reserved;
        bx_bitio_u64(io, 27, &r);                      /* 214-240 */
        m->u.p1.reserved = (uint32_t)r;
        break;
    case 2:
        bx_blk_sisai_oc(io, &m->u.p2.sisai_oc);        /* 16-37 */
        bx_bitio_uint(io, 13, &m->u.p2.wn_a);          /* 38-50 */
        bx_blk_time(io, 8, 4096.0, &m->u.p2.toa_s);    /* 51-58 */
        bx_bitio_expect(io, 59);
        for (int k = 0; k < 4; k++)                    /* 59-210 */
            bx_blk_alm_reduced(io, &m->u.p2.alm[k]);
        bx_bitio_expect(io, 211);
        r = m->u.p2.reserved;
        bx_bitio_u64(io, 30, &r);                      /* 211-240 */
        m->u.p2.reserved = (uint32_t)r;
        break;
    case 3:
        bx_bitio_uint(io, 5, &m->u.p3.sisai_oe);       /* 16-20 */
        bx_blk_eop(io, &m->u.p3.eop);                  /* 21-158 */
        bx_bitio_expect(io, 159);
        bx_blk_bgto(io, &m->u.p3.bgto);                /* 159-226 */
        bx_bitio_expect(io, 227);
        r = m->u.p3.reserved;
        bx_bitio_u64(io, 14, &r);                      /* 227-240 */
        m->u.p3.reserved = (uint32_t)r;
        break;
    case 4:
        bx_blk_sisai_oc(io, &m->u.p4.sisai_oc);        /* 16-37 */
        bx_blk_alm_midi(io, &m->u.p4.alm);             /* 38-193 */
        bx_bitio_expect(io, 194);
        bx_bitio_u64(io, 47, &m->u.p4.reserved);       /* 194-240 */
        break;
    default:
        return BX_ERR_UNSUPPORTED; /* §2.5: other PageIDs are ignored */
    }
    bx_bitio_expect(io, 241);
    return io->err;
}

int bx_cnav1_sf3_parse(const uint8_t sf3[264], bx_cnav1_sf3_t *m)
{
    if (!sf3 || !m)
        return BX_ERR_ARG;
    bx_bitio_t io;
    bx_bitio_reader(&io, sf3, 264);
    memset(m, 0, sizeof *m);
    return sf3_codec(&io, m);
}

int bx_cnav1_sf3_pack(const bx_cnav1_sf3_t *m, uint8_t sf3[264])
{
    if (!sf3 || !m)
        return BX_ERR_ARG;
    bx_cnav1_sf3_t c = *m;
    bx_bitio_t io;
    memset(sf3, 0, 264);
    bx_bitio_writer(&io, sf3, 240);
    int st = sf3_codec(&io, &c);
    bx_crc24q_append(sf3, 240);
    return st;
}

bx_time_t bx_bdt_week_sow(int wn, double sow_s)
{
    double whole = floor(sow_s);
    bx_time_t t = {(int64_t)wn * 604800 + (int64_t)whole, sow_s - whole};
    return t;
}

/* §2.1: frame start (leading edge of SF1 symbol 1) = HOW*3600 + SOH*18 s of week WN. */
bx_time_t bx_cnav1_frame_time(int wn, int how, int soh)
{
    return bx_bdt_week_sow(wn, how * 3600.0 + soh * 18.0);
}
