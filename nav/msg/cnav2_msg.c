/* B-CNAV2 (B2a) message types 10, 11, 30-34, 40: field codec (navmsg.md §3.2).
 * Positions in comments are the ICD's 1-based bits of the 288-bit message. */
#include <math.h>
#include <string.h>

#include "bdsrx/fec.h"
#include "bdsrx/navmsg.h"
#include "navblocks.h"

#define P2(n) ldexp(1.0, (n))

/* Flag block of types 11, 30-34, 40: bits 31-42 */
static void flags_codec(bx_bitio_t *io, bx_cnav2_flags_t *f)
{
    bx_bitio_expect(io, 31);
    bx_bitio_uint(io, 2, &f->hs);
    bx_bitio_uint(io, 1, &f->dif_b2a);
    bx_bitio_uint(io, 1, &f->sif_b2a);
    bx_bitio_uint(io, 1, &f->aif_b2a);
    bx_bitio_uint(io, 4, &f->sismai);
    bx_bitio_uint(io, 1, &f->dif_b1c);
    bx_bitio_uint(io, 1, &f->sif_b1c);
    bx_bitio_uint(io, 1, &f->aif_b1c);
    bx_bitio_expect(io, 43);
}

static void res32(bx_bitio_t *io, int len, uint32_t *v)
{
    uint64_t r = *v;
    bx_bitio_u64(io, len, &r);
    *v = (uint32_t)r;
}

static int body_codec(bx_bitio_t *io, bx_cnav2_msg_t *m)
{
    switch (m->type) {
    case 10:
        bx_bitio_uint(io, 13, &m->u.mt10.wn);          /* 31-43 */
        m->flags.hs = -1;                              /* MT10 carries no HS */
        bx_bitio_uint(io, 1, &m->flags.dif_b2a);       /* 44 */
        bx_bitio_uint(io, 1, &m->flags.sif_b2a);       /* 45 */
        bx_bitio_uint(io, 1, &m->flags.aif_b2a);       /* 46 */
        bx_bitio_uint(io, 4, &m->flags.sismai);        /* 47-50 */
        bx_bitio_uint(io, 1, &m->flags.dif_b1c);       /* 51 */
        bx_bitio_uint(io, 1, &m->flags.sif_b1c);       /* 52 */
        bx_bitio_uint(io, 1, &m->flags.aif_b1c);       /* 53 */
        bx_bitio_uint(io, 8, &m->u.mt10.iode);         /* 54-61 */
        bx_bitio_expect(io, 62);
        bx_blk_eph1(io, &m->u.mt10.eph1);              /* 62-264 */
        break;
    case 11:
        flags_codec(io, &m->flags);
        bx_blk_eph2(io, &m->u.mt11.eph2);              /* 43-264 */
        break;
    case 30:
        flags_codec(io, &m->flags);
        bx_blk_clk(io, &m->u.mt30.clk);                /* 43-111 */
        bx_bitio_uint(io, 10, &m->u.mt30.iodc);        /* 112-121 */
        bx_bitio_sf(io, 12, P2(-34), &m->u.mt30.tgd_b2ap_s); /* 122-133 */
        bx_bitio_sf(io, 12, P2(-34), &m->u.mt30.isc_b2ad_s); /* 134-145 */
        bx_bitio_expect(io, 146);
        bx_blk_bdgim(io, &m->u.mt30.iono);             /* 146-219 */
        bx_bitio_sf(io, 12, P2(-34), &m->u.mt30.tgd_b1cp_s); /* 220-231 */
        bx_bitio_u64(io, 33, &m->u.mt30.reserved);     /* 232-264 */
        break;
    case 31:
        flags_codec(io, &m->flags);
        bx_blk_clk(io, &m->u.mt31.clk);                /* 43-111 */
        bx_bitio_uint(io, 10, &m->u.mt31.iodc);        /* 112-121 */
        bx_bitio_uint(io, 13, &m->u.mt31.wn_a);        /* 122-134 */
        bx_blk_time(io, 8, 4096.0, &m->u.mt31.toa_s);  /* 135-142 */
        bx_bitio_expect(io, 143);
        for (int k = 0; k < 3; k++)                    /* 143-256 */
            bx_blk_alm_reduced(io, &m->u.mt31.alm[k]);
        res32(io, 8, &m->u.mt31.reserved);             /* 257-264 */
        break;
    case 32:
        flags_codec(io, &m->flags);
        bx_blk_clk(io, &m->u.mt32.clk);                /* 43-111 */
        bx_bitio_uint(io, 10, &m->u.mt32.iodc);        /* 112-121 */
        bx_blk_eop(io, &m->u.mt32.eop);                /* 122-259 */
        res32(io, 5, &m->u.mt32.reserved);             /* 260-264 */
        break;
    case 33:
        flags_codec(io, &m->flags);
        bx_blk_clk(io, &m->u.mt33.clk);                /* 43-111 */
        bx_blk_bgto(io, &m->u.mt33.bgto);              /* 112-179 */
        bx_blk_alm_reduced(io, &m->u.mt33.alm);        /* 180-217 */
        bx_bitio_expect(io, 218);
        bx_bitio_uint(io, 10, &m->u.mt33.iodc);        /* 218-227 */
        bx_bitio_uint(io, 13, &m->u.mt33.wn_a);        /* 228-240 */
        bx_blk_time(io, 8, 4096.0, &m->u.mt33.toa_s);  /* 241-248 */
        res32(io, 16, &m->u.mt33.reserved);            /* 249-264 */
        break;
    case 34:
        flags_codec(io, &m->flags);
        bx_blk_sisai_oc(io, &m->u.mt34.sisai_oc);      /* 43-64 */
        bx_blk_clk(io, &m->u.mt34.clk);                /* 65-133 */
        bx_bitio_uint(io, 10, &m->u.mt34.iodc);        /* 134-143 */
        bx_bitio_expect(io, 144);
        bx_blk_utc(io, &m->u.mt34.utc);                /* 144-240 */
        res32(io, 24, &m->u.mt34.reserved);            /* 241-264 */
        break;
    case 40:
        flags_codec(io, &m->flags);
        bx_bitio_uint(io, 5, &m->u.mt40.sisai_oe);     /* 43-47 */
        bx_blk_sisai_oc(io, &m->u.mt40.sisai_oc);      /* 48-69 */
        bx_blk_alm_midi(io, &m->u.mt40.alm);           /* 70-225 */
        bx_bitio_expect(io, 226);
        bx_bitio_u64(io, 39, &m->u.mt40.reserved);     /* 226-264 */
        break;
    default:
        return BX_ERR_UNSUPPORTED;
    }
    bx_bitio_expect(io, 265);
    return io->err;
}

static int msg_codec(bx_bitio_t *io, bx_cnav2_msg_t *m)
{
    bx_bitio_uint(io, 6, &m->prn);   /* 1-6 */
    bx_bitio_uint(io, 6, &m->type);  /* 7-12 */
    bx_bitio_uint(io, 18, &m->sow);  /* 13-30 */
    return body_codec(io, m);
}

int bx_cnav2_parse(const uint8_t msg[288], bx_cnav2_msg_t *m)
{
    if (!msg || !m)
        return BX_ERR_ARG;
    bx_bitio_t io;
    bx_bitio_reader(&io, msg, 288);
    memset(m, 0, sizeof *m);
    return msg_codec(&io, m);
}

int bx_cnav2_pack(const bx_cnav2_msg_t *m, uint8_t msg[288])
{
    if (!msg || !m)
        return BX_ERR_ARG;
    bx_cnav2_msg_t c = *m;
    bx_bitio_t io;
    memset(msg, 0, 288);
    bx_bitio_writer(&io, msg, 264);
    int st = msg_codec(&io, &c);
    bx_crc24q_append(msg, 264);
    return st;
}

/* §3.1: t = 3*SOW s of BDT week at the leading edge of the first preamble symbol. */
bx_time_t bx_cnav2_frame_time(int wn, int sow_field)
{
    return bx_bdt_week_sow(wn, 3.0 * sow_field);
}
