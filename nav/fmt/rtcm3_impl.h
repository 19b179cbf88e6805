/* RTCM3 internals shared by nav/fmt/rtcm3*.c: packed big-endian bit fields
 * (RTCM 10403.3 §3.3: MSB first, two's complement for signed fields). */
#ifndef BDSRX_RTCM3_IMPL_H
#define BDSRX_RTCM3_IMPL_H

#include <stdint.h>

#include "bdsrx/rtcm3.h"

static inline uint64_t rtcm_getu(const uint8_t *b, int pos, int len)
{
    uint64_t v = 0;
    for (int i = pos; i < pos + len; i++)
        v = (v << 1) | ((b[i >> 3] >> (7 - (i & 7))) & 1u);
    return v;
}

static inline int64_t rtcm_gets(const uint8_t *b, int pos, int len)
{
    uint64_t v = rtcm_getu(b, pos, len);
    if (len < 64 && (v >> (len - 1)) & 1u)
        return (int64_t)(v - (1ull << len));
    return (int64_t)v;
}

static inline void rtcm_setu(uint8_t *b, int pos, int len, uint64_t v)
{
    for (int i = 0; i < len; i++) {
        const int p = pos + i;
        const unsigned bit = (unsigned)((v >> (len - 1 - i)) & 1u);
        b[p >> 3] = (uint8_t)((b[p >> 3] & ~(0x80u >> (p & 7))) | (bit << (7 - (p & 7))));
    }
}

static inline void rtcm_sets(uint8_t *b, int pos, int len, int64_t v)
{
    rtcm_setu(b, pos, len, (uint64_t)v & (len < 64 ? (1ull << len) - 1 : ~0ull));
}

/* sign-magnitude field (RTCM DF with "sign-magnitude" representation, e.g. GLONASS) are not used here */

#define RTCM_C_MS 299792.458 /* light-milliseconds in m */

/* per-message decoders (rtcm3_msm.c, rtcm3_eph.c) */
int bx_rtcm3__decode_msm(const uint8_t *p, int len, int type, bx_rtcm3_msm_t *m);
int bx_rtcm3__decode_1042(const uint8_t *p, int len, bx_eph_t *e, int *week);
int bx_rtcm3__decode_1019(const uint8_t *p, int len, bx_gps_eph_t *e, int week10);
/* lock time from the 4-bit (DF402) / 10-bit (DF407) indicator, ms (Tables 3.5-74 / 3.5-75) */
double bx_rtcm3__lock_ms(int ind, int ext);
int bx_rtcm3__lock_ind_ext(double lock_ms);

#endif
