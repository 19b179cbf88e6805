/* B-CNAV2 frame coding (shared/icd/navmsg.md §3.1, ICD B2a §6.2): 600 symbols = 24-bit
 * preamble 0xE24DE8 (not encoded) + LDPC(96,48) codeword (576 symbols) of the 288-bit
 * message PRN | MesType | SOW | data | CRC-24Q.  Plus the streaming frame synchroniser. */
#include <stdlib.h>
#include <string.h>

#include "bdsrx/navframe.h"
#include "bx_err.h"

#define PRE_BITS 24
#define MSG_BITS 288
#define CW_BITS 576

static int preamble_bit(int i)
{
    return (int)((BX_CNAV2_PREAMBLE >> (PRE_BITS - 1 - i)) & 1u);
}

/* correlation of the first 24 soft symbols with the preamble levels */
static float preamble_corr(const float *soft)
{
    float c = 0.0f;
    for (int i = 0; i < PRE_BITS; i++)
        c += preamble_bit(i) ? -soft[i] : soft[i];
    return c;
}

/* Decodes with a caller-owned decoder: preamble polarity first, then the other one. */
static int decode_with(bx_ldpc_t *ldpc, const float *soft600, uint8_t msg288[288])
{
    float s[CW_BITS];
    uint8_t bits[CW_BITS];
    float sign = preamble_corr(soft600) >= 0.0f ? 1.0f : -1.0f;
    for (int attempt = 0; attempt < 2; attempt++, sign = -sign) {
        for (int i = 0; i < CW_BITS; i++)
            s[i] = sign * soft600[PRE_BITS + i];
        bx_ldpc_decode(ldpc, s, bits, NULL);
        int ok = bx_crc24q_check(bits, MSG_BITS);
        if (ok || attempt == 0) /* keep the preamble-polarity guess on failure */
            memcpy(msg288, bits, MSG_BITS);
        if (ok)
            return BX_OK;
    }
    return BX_ERR_CRC;
}

int bx_cnav2_decode(const float *soft600, uint8_t msg288[288])
{
    if (!soft600 || !msg288)
        return BX_ERR_ARG;
    bx_ldpc_t *ldpc;
    if (bx_ldpc_create(BX_LDPC_96_48, NULL, &ldpc, NULL, 0) != BX_OK)
        return BX_ERR_NOMEM;
    int st = decode_with(ldpc, soft600, msg288);
    bx_ldpc_destroy(ldpc);
    return st;
}

int bx_cnav2_encode(const uint8_t msg288[288], uint8_t sym600[600])
{
    if (!msg288 || !sym600)
        return BX_ERR_ARG;
    for (int i = 0; i < PRE_BITS; i++)
        sym600[i] = (uint8_t)preamble_bit(i);
    return bx_ldpc_encode(BX_LDPC_96_48, msg288, sym600 + PRE_BITS);
}

/* ---- streaming synchroniser ---- */

#define PRE_MAX_ERR 3 /* hard preamble errors tolerated when searching (false alarm ~3e-4/symbol) */
#define MAX_MISSES 3  /* failed frames on the grid before searching again */

struct bx_cnav2_sync {
    bx_ldpc_t *ldpc;
    float ring[BX_CNAV2_SYMS];
    uint64_t ring_sample[BX_CNAV2_SYMS];
    float win[BX_CNAV2_SYMS];
    uint64_t nsym;       /* symbols pushed so far */
    int locked, misses;
    uint64_t next_start; /* symbol count of the next expected frame start when locked */
};

int bx_cnav2_sync_create(bx_cnav2_sync_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_cnav2_sync_create: out is NULL");
    *out = NULL;
    bx_cnav2_sync_t *s = calloc(1, sizeof *s);
    if (!s || bx_ldpc_create(BX_LDPC_96_48, NULL, &s->ldpc, err, errlen) != BX_OK) {
        free(s);
        return bx_err(err, errlen, BX_ERR_NOMEM, "B-CNAV2 synchroniser: out of memory");
    }
    *out = s;
    return BX_OK;
}

void bx_cnav2_sync_destroy(bx_cnav2_sync_t *s)
{
    if (!s)
        return;
    bx_ldpc_destroy(s->ldpc);
    free(s);
}

int bx_cnav2_sync_push(bx_cnav2_sync_t *s, float soft, uint64_t sample, uint8_t msg288[288],
                       uint64_t *frame_sample)
{
    if (!s || !msg288)
        return 0;
    s->ring[s->nsym % BX_CNAV2_SYMS] = soft;
    s->ring_sample[s->nsym % BX_CNAV2_SYMS] = sample;
    s->nsym++;
    if (s->nsym < BX_CNAV2_SYMS)
        return 0;
    const uint64_t start = s->nsym - BX_CNAV2_SYMS; /* oldest symbol in the ring */
    const int p0 = (int)(start % BX_CNAV2_SYMS);
    int candidate;
    if (s->locked) {
        candidate = start == s->next_start;
    } else {
        int err = 0;
        for (int i = 0; i < PRE_BITS; i++) {
            float v = s->ring[(p0 + i) % BX_CNAV2_SYMS];
            err += (v < 0.0f) != preamble_bit(i);
        }
        candidate = err <= PRE_MAX_ERR || err >= PRE_BITS - PRE_MAX_ERR;
    }
    if (!candidate)
        return 0;
    for (int i = 0; i < BX_CNAV2_SYMS; i++)
        s->win[i] = s->ring[(p0 + i) % BX_CNAV2_SYMS];
    if (decode_with(s->ldpc, s->win, msg288) == BX_OK) {
        s->locked = 1;
        s->misses = 0;
        s->next_start = start + BX_CNAV2_SYMS;
        if (frame_sample)
            *frame_sample = s->ring_sample[p0];
        return 1;
    }
    if (s->locked) {
        s->next_start += BX_CNAV2_SYMS;
        if (++s->misses >= MAX_MISSES)
            s->locked = 0;
    }
    return 0;
}
