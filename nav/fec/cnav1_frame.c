/* B-CNAV1 frame coding (shared/icd/navmsg.md §2.1-2.3, ICD B1C §6.2): 1800 symbols =
 * 72 SF1 symbols (BCH(21,6) PRN word, then BCH(51,8) SOH word) followed by the 36 x 48
 * block-interleaved LDPC(200,100) codeword of subframe 2 and LDPC(88,44) codeword of
 * subframe 3.  Also the B1C streaming collector that assembles frames from symbols
 * tagged with their frame index (pilot secondary code phase). */
#include <stdlib.h>
#include <string.h>

#include "bdsrx/navframe.h"
#include "bx_err.h"

#define SF1_PRN_SYMS 21
#define SF1_SYMS 72
#define SF2_BITS 600
#define SF3_BITS 264

struct bx_cnav1_dec {
    bx_ldpc_t *sf2, *sf3;
    float tmp[BX_CNAV1_ILV], s2[BX_CNAV1_SF2_CW], s3[BX_CNAV1_SF3_CW];
    uint8_t b2[BX_CNAV1_SF2_CW], b3[BX_CNAV1_SF3_CW];
};

int bx_cnav1_dec_create(bx_cnav1_dec_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_cnav1_dec_create: out is NULL");
    *out = NULL;
    bx_cnav1_dec_t *d = calloc(1, sizeof *d);
    if (!d || bx_ldpc_create(BX_LDPC_200_100, NULL, &d->sf2, err, errlen) != BX_OK ||
        bx_ldpc_create(BX_LDPC_88_44, NULL, &d->sf3, err, errlen) != BX_OK) {
        bx_cnav1_dec_destroy(d);
        return bx_err(err, errlen, BX_ERR_NOMEM, "B-CNAV1 decoder: out of memory");
    }
    *out = d;
    return BX_OK;
}

void bx_cnav1_dec_destroy(bx_cnav1_dec_t *d)
{
    if (!d)
        return;
    bx_ldpc_destroy(d->sf2);
    bx_ldpc_destroy(d->sf3);
    free(d);
}

/* ML decoding of SF1 under polarity `sign`; returns the summed correlation. */
static float decode_sf1(const float *soft, float sign, int *prn, int *soh)
{
    float s[SF1_SYMS], c1, c2;
    for (int i = 0; i < SF1_SYMS; i++)
        s[i] = sign * soft[i];
    *prn = bx_bch21_6_decode(s, &c1);
    *soh = bx_bch51_8_decode(s + SF1_PRN_SYMS, &c2);
    return c1 + c2;
}

/* De-interleaves, LDPC-decodes and CRC-checks SF2 and SF3 under polarity `sign`;
 * writes the bits into f only for subframes that pass or when `force` is set. */
static void decode_sf23(bx_cnav1_dec_t *d, const float *soft, float sign, bx_cnav1_frame_t *f, int force)
{
    for (int i = 0; i < BX_CNAV1_ILV; i++)
        d->tmp[i] = sign * soft[SF1_SYMS + i];
    bx_cnav1_deinterleave(d->tmp, d->s2, d->s3);
    /* the CRC decides: a non-converged LDPC whose systematic part is right still counts */
    bx_ldpc_decode(d->sf2, d->s2, d->b2, NULL);
    bx_ldpc_decode(d->sf3, d->s3, d->b3, NULL);
    int ok2 = bx_crc24q_check(d->b2, SF2_BITS), ok3 = bx_crc24q_check(d->b3, SF3_BITS);
    if (ok2 || force) {
        memcpy(f->sf2, d->b2, SF2_BITS);
        f->sf2_ok = ok2;
    }
    if (ok3 || force) {
        memcpy(f->sf3, d->b3, SF3_BITS);
        f->sf3_ok = ok3;
    }
}

int bx_cnav1_dec_decode(bx_cnav1_dec_t *d, const float *soft1800, bx_cnav1_frame_t *f)
{
    if (!d || !soft1800 || !f)
        return BX_ERR_ARG;
    memset(f, 0, sizeof *f);
    /* Polarity from SF1: the all-ones word is in neither BCH code, so the inverted
     * codewords correlate worse than the right ones (navmsg.md §2.2). */
    int prn_p, soh_p, prn_n, soh_n;
    float cp = decode_sf1(soft1800, 1.0f, &prn_p, &soh_p);
    float cn = decode_sf1(soft1800, -1.0f, &prn_n, &soh_n);
    f->inverted = cn > cp;
    float sign = f->inverted ? -1.0f : 1.0f;
    decode_sf23(d, soft1800, sign, f, 1);
    if (!f->sf2_ok && !f->sf3_ok) {
        /* SF1 may be too weak to decide the polarity: the CRCs decide then */
        bx_cnav1_frame_t g = *f;
        g.sf2_ok = g.sf3_ok = 0;
        decode_sf23(d, soft1800, -sign, &g, 0);
        if (g.sf2_ok || g.sf3_ok) {
            *f = g;
            f->inverted = !f->inverted;
        }
    }
    f->prn = f->inverted ? prn_n : prn_p;
    f->soh = f->inverted ? soh_n : soh_p;
    f->sf1_ok = f->prn >= 1 && f->prn <= 63 && f->soh <= 199;
    return (f->sf2_ok || f->sf3_ok) ? BX_OK : BX_ERR_CRC;
}

int bx_cnav1_decode(const float *soft1800, bx_cnav1_frame_t *f)
{
    if (!soft1800 || !f)
        return BX_ERR_ARG;
    bx_cnav1_dec_t *d;
    if (bx_cnav1_dec_create(&d, NULL, 0) != BX_OK)
        return BX_ERR_NOMEM;
    int st = bx_cnav1_dec_decode(d, soft1800, f);
    bx_cnav1_dec_destroy(d);
    return st;
}

int bx_cnav1_encode(int prn, int soh, const uint8_t sf2[600], const uint8_t sf3[264], uint8_t sym1800[])
{
    if (prn < 0 || prn > 63 || soh < 0 || soh > 255 || !sf2 || !sf3 || !sym1800)
        return BX_ERR_ARG;
    uint8_t cw2[BX_CNAV1_SF2_CW], cw3[BX_CNAV1_SF3_CW];
    bx_bch21_6_encode(prn, sym1800);
    bx_bch51_8_encode(soh, sym1800 + SF1_PRN_SYMS);
    bx_ldpc_encode(BX_LDPC_200_100, sf2, cw2);
    bx_ldpc_encode(BX_LDPC_88_44, sf3, cw3);
    bx_cnav1_interleave(cw2, cw3, sym1800 + SF1_SYMS);
    return BX_OK;
}

/* ---- streaming collector ---- */

#define COLLECT_MIN 1600 /* symbols of a frame that must have been seen to try decoding */

struct bx_cnav1_collect {
    bx_cnav1_dec_t *dec;
    float buf[BX_CNAV1_SYMS];
    int count, last_index, first_index;
    uint64_t first_sample, last_sample;
};

static void collect_reset(bx_cnav1_collect_t *c)
{
    memset(c->buf, 0, sizeof c->buf); /* 0 = erasure for symbols that never arrive */
    c->count = 0;
    c->last_index = c->first_index = -1;
}

int bx_cnav1_collect_create(bx_cnav1_collect_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_cnav1_collect_create: out is NULL");
    *out = NULL;
    bx_cnav1_collect_t *c = calloc(1, sizeof *c);
    if (!c || bx_cnav1_dec_create(&c->dec, err, errlen) != BX_OK) {
        free(c);
        return bx_err(err, errlen, BX_ERR_NOMEM, "B-CNAV1 collector: out of memory");
    }
    collect_reset(c);
    *out = c;
    return BX_OK;
}

void bx_cnav1_collect_destroy(bx_cnav1_collect_t *c)
{
    if (!c)
        return;
    bx_cnav1_dec_destroy(c->dec);
    free(c);
}

static int collect_finish(bx_cnav1_collect_t *c, bx_cnav1_frame_t *f, uint64_t *frame_sample)
{
    int ret = 0;
    if (c->count >= COLLECT_MIN) {
        bx_cnav1_dec_decode(c->dec, c->buf, f);
        if (frame_sample) {
            if (c->first_index == 0)
                *frame_sample = c->first_sample;
            else if (c->last_index > c->first_index) {
                /* extrapolate back to index 0 with the mean symbol spacing */
                double per = (double)(c->last_sample - c->first_sample) / (c->last_index - c->first_index);
                double s0 = (double)c->first_sample - per * c->first_index;
                *frame_sample = s0 > 0.0 ? (uint64_t)(s0 + 0.5) : 0;
            } else
                *frame_sample = 0;
        }
        ret = 1;
    }
    collect_reset(c);
    return ret;
}

int bx_cnav1_collect_push(bx_cnav1_collect_t *c, float soft, int index, uint64_t sample,
                          bx_cnav1_frame_t *f, uint64_t *frame_sample)
{
    if (!c || !f || index < 0 || index >= BX_CNAV1_SYMS)
        return 0;
    int ret = 0;
    if (c->last_index >= 0 && index <= c->last_index) /* wrapped without seeing 1799 */
        ret = collect_finish(c, f, frame_sample);
    if (c->first_index < 0) {
        c->first_index = index;
        c->first_sample = sample;
    }
    c->buf[index] = soft;
    c->count++;
    c->last_index = index;
    c->last_sample = sample;
    if (index == BX_CNAV1_SYMS - 1 && !ret)
        ret = collect_finish(c, f, frame_sample);
    return ret;
}
