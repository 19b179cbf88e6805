/* bdsrx — PPP-B2b message types 1-7 and 63: one field list per message that both parses
 * and packs (bx_bitio_t), shared/icd/pppb2b.md §2-3 (1-based ICD bit numbers in the
 * comments; bx_bitio_expect checks them).  Satellite slots, signal codes, URA. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/bits.h"
#include "bdsrx/fec.h"
#include "bdsrx/pppb2b.h"

#define DATA_END 462 /* MesType + data; CRC follows (§1) */

/* ---------------- slots, signals, URA ---------------- */

int bx_b2b_slot_sat(int slot, int *prn)
{
    int sys = BX_B2B_SYS_NONE, p = 0;
    if (slot >= 1 && slot <= 63) { /* §3 MT1 mask layout */
        sys = BX_B2B_SYS_BDS;
        p = slot;
    } else if (slot >= 64 && slot <= 100) {
        sys = BX_B2B_SYS_GPS;
        p = slot - 63;
    } else if (slot >= 101 && slot <= 137) {
        sys = BX_B2B_SYS_GAL;
        p = slot - 100;
    } else if (slot >= 138 && slot <= 174) {
        sys = BX_B2B_SYS_GLO;
        p = slot - 137;
    }
    if (prn)
        *prn = p;
    return sys;
}

const char *bx_b2b_slot_name(int slot, char *buf, size_t n)
{
    int prn;
    static const char sc[] = "?CGER";
    int sys = bx_b2b_slot_sat(slot, &prn);
    if (sys == BX_B2B_SYS_NONE)
        snprintf(buf, n, "S%d", slot);
    else
        snprintf(buf, n, "%c%02d", sc[sys], prn);
    return buf;
}

const char *bx_b2b_signal_name(int sys, int code)
{
    /* pppb2b.md §3 MT3 signal-code table */
    static const char *bds[16] = {"B1I", "B1C(D)", "B1C(P)", 0, "B2a(D)", "B2a(P)", 0, "B2b-I",
                                  "B2b-Q", 0, 0, 0, "B3I", 0, 0, 0};
    static const char *gps[16] = {"L1C/A", "L1P", 0, 0, "L1C(P)", "L1C(D+P)", 0, "L2C(L)",
                                  "L2C(M+L)", 0, 0, "L5I", "L5Q", "L5I+Q", 0, 0};
    static const char *gal[16] = {0, "E1B", "E1C", 0, "E5aQ", "E5aI", 0, "E5bI", "E5bQ", 0, 0,
                                  "E6C", 0, 0, 0, 0};
    static const char *glo[16] = {"G1C/A", "G1P", "G2C/A", 0};
    if (code < 0 || code > 15)
        return "?";
    const char *s = NULL;
    switch (sys) {
    case BX_B2B_SYS_BDS: s = bds[code]; break;
    case BX_B2B_SYS_GPS: s = gps[code]; break;
    case BX_B2B_SYS_GAL: s = gal[code]; break;
    case BX_B2B_SYS_GLO: s = glo[code]; break;
    }
    return s ? s : "?";
}

double bx_b2b_ura_m(int ura_class, int ura_value)
{
    /* pppb2b.md §5 URA */
    if (ura_class == 0 && ura_value == 0)
        return NAN;
    if (ura_class == 7 && ura_value == 7)
        return 5.4665;
    return (pow(3.0, ura_class) * (1.0 + ura_value / 4.0) - 1.0) * 1e-3;
}

int bx_b2b_mask_slot(const uint8_t mask[BX_B2B_NSLOT + 1], int idx)
{
    if (idx < 0)
        return 0;
    for (int s = 1; s <= BX_B2B_NSLOT; s++)
        if (mask[s] && idx-- == 0)
            return s;
    return 0;
}

/* ---------------- field helpers ---------------- */

/* rounds; out-of-range values become INT_MAX so that the bit writer flags them */
static int to_raw(double x)
{
    x = nearbyint(x);
    return fabs(x) < 1e9 ? (int)x : INT_MAX;
}

/* Signed scaled field with the "no value" codes -2^(n-1) and -(2^(n-1)-1) (pppb2b.md §3
 * MT4 note; cssrlib treats both as invalid for every correction field).  NAN is written
 * as -(2^(n-1)-1), the code seen on air. */
static void sval(bx_bitio_t *io, int len, double lsb, double *v, int *valid)
{
    const int nv1 = -(1 << (len - 1)), nv2 = nv1 + 1;
    int raw = 0;
    if (io->write)
        raw = isnan(*v) ? nv2 : to_raw(*v / lsb);
    bx_bitio_sint(io, len, &raw);
    if (!io->write) {
        if (raw == nv1 || raw == nv2) {
            *v = NAN;
            if (valid)
                *valid = 0;
        } else {
            *v = raw * lsb;
        }
    }
}

static void head(bx_bitio_t *io, bx_b2b_head_t *h)
{
    bx_bitio_uint(io, 17, &h->epoch_s);   /* epoch, s of BDT day (§2) */
    bx_bitio_uint(io, 4, &h->reserved4);  /* reserved, not zero on air (§2) */
    bx_bitio_uint(io, 2, &h->iod_ssr);
}

static void orbit_rec(bx_bitio_t *io, bx_b2b_orbit_t *o)
{
    /* 69-bit satellite record, §3 MT2 */
    if (!io->write)
        o->valid = 1;
    bx_bitio_uint(io, 9, &o->slot);
    bx_bitio_uint(io, 10, &o->iodn);
    bx_bitio_uint(io, 3, &o->iod_corr);
    sval(io, 15, BX_B2B_RADIAL_LSB_M, &o->radial_m, &o->valid);
    sval(io, 13, BX_B2B_ALONG_LSB_M, &o->along_m, &o->valid);
    sval(io, 13, BX_B2B_CROSS_LSB_M, &o->cross_m, &o->valid);
    bx_bitio_uint(io, 3, &o->ura_class);
    bx_bitio_uint(io, 3, &o->ura_value);
}

static void clock_ent(bx_bitio_t *io, bx_b2b_clock_t *c)
{
    /* { IOD Corr u3, C0 s15 0.0016 m }, §3 MT4 */
    bx_bitio_uint(io, 3, &c->iod_corr);
    if (io->write && !c->valid)
        c->raw = -16383;
    else if (io->write)
        c->raw = to_raw(c->c0_m / BX_B2B_C0_LSB_M);
    bx_bitio_sint(io, 15, &c->raw);
    if (!io->write) {
        c->valid = c->raw != -16383 && c->raw != -16384;
        c->c0_m = c->valid ? c->raw * BX_B2B_C0_LSB_M : NAN;
    }
}

/* zero bits up to DATA_END (reserved / fill); on reading they are not checked */
static void fill(bx_bitio_t *io)
{
    while (io->pos < DATA_END && !io->err) {
        int n = DATA_END - io->pos > 31 ? 31 : DATA_END - io->pos, z = 0;
        bx_bitio_uint(io, n, &z);
    }
}

/* ---------------- messages ---------------- */

static int codec(bx_bitio_t *io, bx_b2b_msg_t *m)
{
    bx_bitio_uint(io, 6, &m->type); /* MesType, §1 */
    switch (m->type) {
    case 1: { /* mask, §3 MT1 [V] */
        head(io, &m->h);
        bx_bitio_uint(io, 4, &m->u.mt1.iodp);
        bx_bitio_expect(io, 34);
        m->u.mt1.mask[0] = 0;
        int n = 0;
        for (int s = 1; s <= BX_B2B_NSLOT; s++) {
            int b = m->u.mt1.mask[s];
            bx_bitio_uint(io, 1, &b);
            m->u.mt1.mask[s] = (uint8_t)(b != 0);
            n += b != 0;
        }
        m->u.mt1.n_sat = n;
        bx_bitio_expect(io, 289);
        break;
    }
    case 2: /* orbit + URA, §3 MT2 [V] */
        head(io, &m->h);
        for (int k = 0; k < 6; k++)
            orbit_rec(io, &m->u.mt2.sat[k]);
        bx_bitio_expect(io, 444);
        break;
    case 3: { /* DCB, §3 MT3 [V] */
        head(io, &m->h);
        bx_bitio_uint(io, 5, &m->u.mt3.n_sat);
        for (int k = 0; k < m->u.mt3.n_sat && !io->err; k++) {
            bx_b2b_dcb_t *d = &m->u.mt3.sat[k];
            bx_bitio_uint(io, 9, &d->slot);
            bx_bitio_uint(io, 4, &d->n);
            for (int j = 0; j < d->n && !io->err; j++) {
                bx_bitio_uint(io, 4, &d->code[j]);
                sval(io, 12, BX_B2B_DCB_LSB_M, &d->dcb_m[j], NULL);
            }
            if (io->pos > DATA_END)
                return BX_ERR_FORMAT;
        }
        break;
    }
    case 4: /* clock, §3 MT4 [V] */
        head(io, &m->h);
        bx_bitio_uint(io, 4, &m->u.mt4.iodp);
        bx_bitio_uint(io, 5, &m->u.mt4.st1);
        bx_bitio_expect(io, 39);
        for (int k = 0; k < 23; k++) {
            if (!io->write)
                m->u.mt4.clk[k].slot = 0;
            clock_ent(io, &m->u.mt4.clk[k]);
        }
        bx_bitio_expect(io, 453);
        break;
    case 5: /* URA, §3 MT5 [S] */
        head(io, &m->h);
        bx_bitio_uint(io, 4, &m->u.mt5.iodp);
        bx_bitio_uint(io, 3, &m->u.mt5.st2);
        bx_bitio_expect(io, 37);
        for (int k = 0; k < 70; k++) {
            bx_bitio_uint(io, 3, &m->u.mt5.ura_class[k]);
            bx_bitio_uint(io, 3, &m->u.mt5.ura_value[k]);
        }
        bx_bitio_expect(io, 457);
        break;
    case 6: { /* clock + orbit combination 1, §3 MT6 [S] */
        bx_bitio_uint(io, 5, &m->u.mt6.num_c);
        bx_bitio_uint(io, 3, &m->u.mt6.num_o);
        if (m->u.mt6.num_c > 0) {
            head(io, &m->u.mt6.hc);
            bx_bitio_uint(io, 4, &m->u.mt6.iodp);
            bx_bitio_uint(io, 9, &m->u.mt6.slot_s);
            for (int k = 0; k < m->u.mt6.num_c; k++) {
                if (!io->write)
                    m->u.mt6.clk[k].slot = 0;
                clock_ent(io, &m->u.mt6.clk[k]);
            }
        }
        if (m->u.mt6.num_o > 0) {
            head(io, &m->u.mt6.ho);
            for (int k = 0; k < m->u.mt6.num_o; k++)
                orbit_rec(io, &m->u.mt6.orb[k]);
        }
        if (io->pos > DATA_END)
            return BX_ERR_FORMAT;
        m->h = m->u.mt6.num_c > 0 ? m->u.mt6.hc : m->u.mt6.ho;
        break;
    }
    case 7: { /* clock + orbit combination 2, §3 MT7 [S] */
        bx_bitio_uint(io, 5, &m->u.mt7.num_c);
        bx_bitio_uint(io, 3, &m->u.mt7.num_o);
        if (m->u.mt7.num_c > 0) {
            head(io, &m->u.mt7.hc);
            for (int k = 0; k < m->u.mt7.num_c; k++) {
                bx_bitio_uint(io, 9, &m->u.mt7.clk[k].slot);
                clock_ent(io, &m->u.mt7.clk[k]);
            }
        }
        if (m->u.mt7.num_o > 0) {
            head(io, &m->u.mt7.ho);
            for (int k = 0; k < m->u.mt7.num_o; k++)
                orbit_rec(io, &m->u.mt7.orb[k]);
        }
        if (io->pos > DATA_END)
            return BX_ERR_FORMAT;
        m->h = m->u.mt7.num_c > 0 ? m->u.mt7.hc : m->u.mt7.ho;
        break;
    }
    case 63: /* null message, §3 MT63 [V] */
        memset(&m->h, 0, sizeof m->h);
        if (!io->write)
            for (int p = 6; p < DATA_END; p++)
                if (io->bits[p])
                    return BX_ERR_FORMAT;
        break;
    default:
        memset(&m->h, 0, sizeof m->h);
        return BX_ERR_UNSUPPORTED;
    }
    if (io->write)
        fill(io);
    return io->err ? BX_ERR_FORMAT : BX_OK;
}

int bx_b2b_parse(const uint8_t bits[BX_B2B_BITS], bx_b2b_msg_t *m)
{
    if (!bits || !m)
        return BX_ERR_ARG;
    memset(m, 0, sizeof *m);
    bx_bitio_t io;
    bx_bitio_reader(&io, bits, DATA_END);
    return codec(&io, m);
}

int bx_b2b_pack(const bx_b2b_msg_t *m, uint8_t bits[BX_B2B_BITS])
{
    if (!m || !bits)
        return BX_ERR_ARG;
    if ((m->type == 3 && (m->u.mt3.n_sat < 0 || m->u.mt3.n_sat > 31)) ||
        (m->type == 6 && (m->u.mt6.num_c > 31 || m->u.mt6.num_o > 7)) ||
        (m->type == 7 && (m->u.mt7.num_c > 31 || m->u.mt7.num_o > 7)))
        return BX_ERR_ARG;
    if (m->type == 3)
        for (int k = 0; k < m->u.mt3.n_sat; k++)
            if (m->u.mt3.sat[k].n < 0 || m->u.mt3.sat[k].n > 15)
                return BX_ERR_ARG;
    bx_b2b_msg_t c = *m; /* the codec writes derived fields back (raw clock codes) */
    memset(bits, 0, BX_B2B_BITS);
    bx_bitio_t io;
    bx_bitio_writer(&io, bits, DATA_END);
    int st = codec(&io, &c);
    if (st != BX_OK)
        return st;
    bx_crc24q_append(bits, DATA_END);
    return BX_OK;
}
