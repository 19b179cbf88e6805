/* B-CNAV3 / PPP-B2b frame coding (shared/icd/navmsg.md §4.1, pppb2b.md; ICD B2b §6.2):
 * 1000 symbols = preamble 0xEB90 (16) | PRN (6) | reserved (6), all unencoded, then the
 * LDPC(162,81) codeword (972 symbols) of the 486-bit block MesType | data | CRC-24Q. */
#include <stdlib.h>
#include <string.h>

#include "bdsrx/navframe.h"
#include "bx_err.h"

#define PRE_BITS 16
#define HDR_BITS 28
#define MSG_BITS 486
#define CW_BITS 972

static int preamble_bit(int i)
{
    return (int)((BX_CNAV3_PREAMBLE >> (PRE_BITS - 1 - i)) & 1u);
}

/* decodes with a given LDPC decoder; polarity from the preamble, the other one tried too */
static int decode_with(bx_ldpc_t *ldpc, const float *soft1000, uint8_t msg486[486], int *prn)
{
    float corr = 0.0f, s[CW_BITS];
    uint8_t bits[CW_BITS];
    for (int i = 0; i < PRE_BITS; i++)
        corr += preamble_bit(i) ? -soft1000[i] : soft1000[i];
    float sign = corr >= 0.0f ? 1.0f : -1.0f;
    for (int attempt = 0; attempt < 2; attempt++, sign = -sign) {
        for (int i = 0; i < CW_BITS; i++)
            s[i] = sign * soft1000[HDR_BITS + i];
        bx_ldpc_decode(ldpc, s, bits, NULL);
        int ok = bx_crc24q_check(bits, MSG_BITS);
        if (ok || attempt == 0) {
            memcpy(msg486, bits, MSG_BITS);
            if (prn) {
                int v = 0;
                for (int i = PRE_BITS; i < PRE_BITS + 6; i++)
                    v = v << 1 | (sign * soft1000[i] < 0.0f);
                *prn = v;
            }
        }
        if (ok)
            return BX_OK;
    }
    return BX_ERR_CRC;
}

int bx_cnav3_decode_prn(const float *soft1000, uint8_t msg486[486], int *prn)
{
    if (!soft1000 || !msg486)
        return BX_ERR_ARG;
    bx_ldpc_t *ldpc;
    if (bx_ldpc_create(BX_LDPC_162_81, NULL, &ldpc, NULL, 0) != BX_OK)
        return BX_ERR_NOMEM;
    int st = decode_with(ldpc, soft1000, msg486, prn);
    bx_ldpc_destroy(ldpc);
    return st;
}

int bx_cnav3_decode(const float *soft1000, uint8_t msg486[486])
{
    return bx_cnav3_decode_prn(soft1000, msg486, NULL);
}

int bx_cnav3_encode(int prn, const uint8_t msg486[486], uint8_t sym1000[1000])
{
    if (prn < 0 || prn > 63 || !msg486 || !sym1000)
        return BX_ERR_ARG;
    for (int i = 0; i < PRE_BITS; i++)
        sym1000[i] = (uint8_t)preamble_bit(i);
    for (int i = 0; i < 6; i++) {
        sym1000[PRE_BITS + i] = (uint8_t)((prn >> (5 - i)) & 1);
        sym1000[PRE_BITS + 6 + i] = 0; /* reserved */
    }
    return bx_ldpc_encode(BX_LDPC_162_81, msg486, sym1000 + HDR_BITS);
}

/* ---- streaming synchroniser (B2b-I symbols from tracking -> frames) ---- */

/* Preamble search: at most PRE_MAX_ERR hard errors in the 16 preamble symbols, in either
 * polarity (random data: ~2.6e-4 candidates per symbol and polarity, i.e. one LDPC attempt
 * every ~2 s at 1000 symbols/s); when the caller names the PRN, its 6 unencoded bits must
 * match too (one more error allowed over the 22 symbols). */
#define PRE_MAX_ERR 1
#define MAX_MISSES 3 /* failed frames on the grid before searching again */

struct bx_cnav3_sync {
    bx_ldpc_t *ldpc;
    int prn;             /* expected PRN, 0 = any */
    float ring[BX_CNAV3_SYMS];
    uint64_t ring_sample[BX_CNAV3_SYMS];
    float win[BX_CNAV3_SYMS];
    uint64_t nsym;
    int locked, misses;
    uint64_t next_start;
    long attempts;
};

int bx_cnav3_sync_create(int prn, bx_cnav3_sync_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_cnav3_sync_create: out is NULL");
    *out = NULL;
    if (prn < 0 || prn > 63)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_cnav3_sync_create: PRN %d outside 0..63", prn);
    bx_cnav3_sync_t *s = calloc(1, sizeof *s);
    if (!s || bx_ldpc_create(BX_LDPC_162_81, NULL, &s->ldpc, err, errlen) != BX_OK) {
        free(s);
        return bx_err(err, errlen, BX_ERR_NOMEM, "B-CNAV3 synchroniser: out of memory");
    }
    s->prn = prn;
    *out = s;
    return BX_OK;
}

void bx_cnav3_sync_destroy(bx_cnav3_sync_t *s)
{
    if (!s)
        return;
    bx_ldpc_destroy(s->ldpc);
    free(s);
}

long bx_cnav3_sync_attempts(const bx_cnav3_sync_t *s)
{
    return s ? s->attempts : 0;
}

int bx_cnav3_sync_push(bx_cnav3_sync_t *s, float soft, uint64_t sample, uint8_t msg486[486], int *prn,
                       uint64_t *frame_sample)
{
    if (!s || !msg486)
        return 0;
    s->ring[s->nsym % BX_CNAV3_SYMS] = soft;
    s->ring_sample[s->nsym % BX_CNAV3_SYMS] = sample;
    s->nsym++;
    if (s->nsym < BX_CNAV3_SYMS)
        return 0;
    const uint64_t start = s->nsym - BX_CNAV3_SYMS;
    const int p0 = (int)(start % BX_CNAV3_SYMS);
    int candidate;
    if (s->locked) {
        candidate = start == s->next_start;
    } else {
        int e0 = 0, e1 = 0;
        for (int i = 0; i < PRE_BITS; i++) {
            int b = s->ring[(p0 + i) % BX_CNAV3_SYMS] < 0.0f;
            e0 += b != preamble_bit(i);
            e1 += b == preamble_bit(i);
        }
        candidate = e0 <= PRE_MAX_ERR || e1 <= PRE_MAX_ERR;
        if (candidate && s->prn) {
            const int inv = e1 < e0;
            int e = inv ? e1 : e0;
            for (int i = 0; i < 6; i++) {
                int b = (s->ring[(p0 + PRE_BITS + i) % BX_CNAV3_SYMS] < 0.0f) ^ inv;
                e += b != ((s->prn >> (5 - i)) & 1);
            }
            candidate = e <= PRE_MAX_ERR + 1;
        }
    }
    if (!candidate)
        return 0;
    for (int i = 0; i < BX_CNAV3_SYMS; i++)
        s->win[i] = s->ring[(p0 + i) % BX_CNAV3_SYMS];
    s->attempts++;
    int got_prn = 0;
    if (decode_with(s->ldpc, s->win, msg486, &got_prn) == BX_OK) {
        s->locked = 1;
        s->misses = 0;
        s->next_start = start + BX_CNAV3_SYMS;
        if (prn)
            *prn = got_prn;
        if (frame_sample)
            *frame_sample = s->ring_sample[p0];
        return 1;
    }
    if (s->locked) {
        s->next_start += BX_CNAV3_SYMS;
        if (++s->misses >= MAX_MISSES)
            s->locked = 0;
    }
    return 0;
}
