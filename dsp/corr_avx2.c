/*
 * Fused AVX2+FMA correlator kernel: carrier wipe-off by a vector of 8
 * phasors (recursion by exp(-j 8 w), renormalised every chunk), code NCO in
 * 12.20 fixed point (exactly the index definition in corr.h), one byte-table
 * gather per tap giving the pilot and data replica signs, sign-flip by XOR
 * and add.  Compiled for avx2,fma through function attributes only, so the
 * rest of the binary stays x86-64-v2; bx_corr_create calls it only on CPUs
 * that have both.
 *
 * Lane order: samples are de-interleaved with shuffle_ps, which leaves lane l
 * holding sample perm[l] = {0,1,4,5,2,3,6,7}[l] of the group of 8; phasors
 * and code phases are laid out in the same order (sums do not care).
 */
#include <complex.h>
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "corr_impl.h"

#define TGT __attribute__((target("avx2,fma")))

TGT static inline double hsum(__m256 v)
{
    float t[8];
    _mm256_storeu_ps(t, v);
    double s = 0;
    for (int l = 0; l < 8; l++)
        s += t[l];
    return s;
}

/* Accumulates one group of 8 (already wiped-off) samples into the taps. */
#define GROUP_TAPS(NT, GATHER)                                                       \
    _Pragma("GCC unroll 8") for (int k = 0; k < (NT); k++) {                                                 \
        __m256i idx = _mm256_srai_epi32(_mm256_add_epi32(r, O[k]), BX_CORR_FRAC);     \
        __m256i g = GATHER;                                                          \
        __m256 m = _mm256_castsi256_ps(_mm256_slli_epi32(g, 24));                     \
        m = _mm256_and_ps(m, sgn);                                                   \
        ar[k] = _mm256_add_ps(ar[k], _mm256_xor_ps(yr, m));                          \
        ai[k] = _mm256_add_ps(ai[k], _mm256_xor_ps(yi, m));                          \
        if (k == dt) {                                                               \
            __m256 md = _mm256_and_ps(_mm256_castsi256_ps(_mm256_slli_epi32(g, 25)), sgn); \
            dr = _mm256_add_ps(dr, _mm256_xor_ps(yr, md));                           \
            di = _mm256_add_ps(di, _mm256_xor_ps(yi, md));                           \
        }                                                                            \
    }

TGT __attribute__((always_inline)) static inline void
kernel(const float _Complex *x, size_t n, const uint8_t *table, const bx_corr_fx_t *fx,
       bx_corr_out_t *out, const int NT)
{
    static const int perm[8] = {0, 1, 4, 5, 2, 3, 6, 7};
    const int dt = fx->data_tap;
    const int32_t Sq = (int32_t)(fx->S >> (32 - BX_CORR_FRAC));
    const double cyc0 = fmod(fx->carr_cyc, 1.0);
    float prl[8], pil[8];
    int32_t lanes[8];
    for (int l = 0; l < 8; l++) {
        double ph = -2.0 * M_PI * (cyc0 + perm[l] * fx->carr_step_cyc);
        prl[l] = (float)cos(ph);
        pil[l] = (float)sin(ph);
        lanes[l] = perm[l] * Sq;
    }
    const double w8 = -2.0 * M_PI * 8.0 * fx->carr_step_cyc;
    const __m256 c8 = _mm256_set1_ps((float)cos(w8)), s8 = _mm256_set1_ps((float)sin(w8));
    __m256 pr = _mm256_loadu_ps(prl), pi = _mm256_loadu_ps(pil);
    const __m256i lane = _mm256_loadu_si256((const __m256i *)lanes);
    const __m256i inc8 = _mm256_set1_epi32(8 * Sq);
    const __m256 sgn = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
    const __m256 half = _mm256_set1_ps(0.5f), threehalf = _mm256_set1_ps(1.5f);
    __m256i O[BX_CORR_MAX_TAPS];
    __m256 ar[BX_CORR_MAX_TAPS], ai[BX_CORR_MAX_TAPS];
    _Pragma("GCC unroll 8") for (int k = 0; k < NT; k++) {
        O[k] = _mm256_set1_epi32(fx->O[k]);
        ar[k] = ai[k] = _mm256_setzero_ps();
    }
    __m256 dr = _mm256_setzero_ps(), di = _mm256_setzero_ps();
    const float *xf = (const float *)x;

    size_t i = 0;
    while (i < n) {
        int64_t B = fx->P + (int64_t)i * fx->S;
        const int *base = (const int *)(const void *)(table + (B >> 32));
        int32_t f = (int32_t)(((uint64_t)B & 0xffffffffu) >> (32 - BX_CORR_FRAC));
        __m256i r = _mm256_add_epi32(_mm256_set1_epi32(f), lane);
        size_t end = n - i < BX_CORR_CHUNK ? n : i + BX_CORR_CHUNK;
        for (; i + 8 <= end; i += 8) {
            __m256 a = _mm256_loadu_ps(xf + 2 * i), b = _mm256_loadu_ps(xf + 2 * i + 8);
            __m256 xr = _mm256_shuffle_ps(a, b, 0x88), xi = _mm256_shuffle_ps(a, b, 0xDD);
            __m256 yr = _mm256_fmsub_ps(xr, pr, _mm256_mul_ps(xi, pi));
            __m256 yi = _mm256_fmadd_ps(xr, pi, _mm256_mul_ps(xi, pr));
            GROUP_TAPS(NT, _mm256_i32gather_epi32(base, idx, 1))
            r = _mm256_add_epi32(r, inc8);
            __m256 npr = _mm256_fmsub_ps(pr, c8, _mm256_mul_ps(pi, s8));
            pi = _mm256_fmadd_ps(pr, s8, _mm256_mul_ps(pi, c8));
            pr = npr;
        }
        if (i < end) { /* last partial group: zero samples, masked gathers */
            int rem = (int)(end - i);
            float tmp[16] = {0};
            memcpy(tmp, xf + 2 * i, (size_t)rem * 2 * sizeof(float));
            __m256 a = _mm256_loadu_ps(tmp), b = _mm256_loadu_ps(tmp + 8);
            __m256 xr = _mm256_shuffle_ps(a, b, 0x88), xi = _mm256_shuffle_ps(a, b, 0xDD);
            __m256 yr = _mm256_fmsub_ps(xr, pr, _mm256_mul_ps(xi, pi));
            __m256 yi = _mm256_fmadd_ps(xr, pi, _mm256_mul_ps(xi, pr));
            const __m256i pv = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
            __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), pv);
            GROUP_TAPS(NT, _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), base, idx, valid, 1))
            i = end;
        }
        /* keep |phasor| = 1: one Newton step of 1/sqrt(|p|^2) */
        __m256 m2 = _mm256_fmadd_ps(pr, pr, _mm256_mul_ps(pi, pi));
        __m256 sc = _mm256_fnmadd_ps(half, m2, threehalf);
        pr = _mm256_mul_ps(pr, sc);
        pi = _mm256_mul_ps(pi, sc);
    }
    for (int k = 0; k < NT; k++)
        out->tap[k] += (float)hsum(ar[k]) + I * (float)hsum(ai[k]);
    out->data += (float)hsum(dr) + I * (float)hsum(di);
}

/* Same arithmetic, but the table entries of a group of 8 samples are fetched
 * with one 16-byte load and a byte shuffle instead of gathers (gathers are
 * slow on many cores, e.g. with the GDS microcode mitigation).  Usable when
 * all indices of a group and all taps lie within 16 entries of the group's
 * lowest one: 7*step + (max tap - min tap) < 14 entries. */
#define GROUP_TAPS_SHUF(NT)                                                          \
    _Pragma("GCC unroll 8") for (int k = 0; k < (NT); k++) {                                                 \
        __m256i t = _mm256_slli_epi32(_mm256_add_epi32(v, O[k]), 24 - BX_CORR_FRAC);  \
        __m256i g = _mm256_shuffle_epi8(tb, t);                                      \
        __m256 m = _mm256_and_ps(_mm256_castsi256_ps(g), sgn);                       \
        ar[k] = _mm256_add_ps(ar[k], _mm256_xor_ps(yr, m));                          \
        ai[k] = _mm256_add_ps(ai[k], _mm256_xor_ps(yi, m));                          \
        if (k == dt) {                                                               \
            __m256 md = _mm256_and_ps(_mm256_castsi256_ps(_mm256_slli_epi32(g, 1)), sgn); \
            dr = _mm256_add_ps(dr, _mm256_xor_ps(yr, md));                           \
            di = _mm256_add_ps(di, _mm256_xor_ps(yi, md));                           \
        }                                                                            \
    }

TGT __attribute__((always_inline)) static inline void
kernel_shuf(const float _Complex *x, size_t n, const uint8_t *table, const bx_corr_fx_t *fx,
            bx_corr_out_t *out, const int NT, int32_t omin)
{
    static const int perm[8] = {0, 1, 4, 5, 2, 3, 6, 7};
    const int dt = fx->data_tap;
    const int32_t Sq = (int32_t)(fx->S >> (32 - BX_CORR_FRAC));
    const double cyc0 = fmod(fx->carr_cyc, 1.0);
    float prl[8], pil[8];
    int32_t lanes[8];
    for (int l = 0; l < 8; l++) {
        double ph = -2.0 * M_PI * (cyc0 + perm[l] * fx->carr_step_cyc);
        prl[l] = (float)cos(ph);
        pil[l] = (float)sin(ph);
        lanes[l] = perm[l] * Sq;
    }
    const double w8 = -2.0 * M_PI * 8.0 * fx->carr_step_cyc;
    const __m256 c8 = _mm256_set1_ps((float)cos(w8)), s8 = _mm256_set1_ps((float)sin(w8));
    __m256 pr = _mm256_loadu_ps(prl), pi = _mm256_loadu_ps(pil);
    const __m256i lane = _mm256_loadu_si256((const __m256i *)lanes);
    const __m256 sgn = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
    const __m256 half = _mm256_set1_ps(0.5f), threehalf = _mm256_set1_ps(1.5f);
    __m256i O[BX_CORR_MAX_TAPS];
    __m256 ar[BX_CORR_MAX_TAPS], ai[BX_CORR_MAX_TAPS];
    _Pragma("GCC unroll 8") for (int k = 0; k < NT; k++) {
        O[k] = _mm256_set1_epi32(fx->O[k] - omin); /* relative to the lowest tap */
        ar[k] = ai[k] = _mm256_setzero_ps();
    }
    __m256 dr = _mm256_setzero_ps(), di = _mm256_setzero_ps();
    const float *xf = (const float *)x;
    const int32_t fmask = (1 << BX_CORR_FRAC) - 1;

    size_t i = 0;
    while (i < n) {
        int64_t B = fx->P + (int64_t)i * fx->S;
        const uint8_t *base = table + (B >> 32);
        int32_t f = (int32_t)(((uint64_t)B & 0xffffffffu) >> (32 - BX_CORR_FRAC));
        size_t end = n - i < BX_CORR_CHUNK ? n : i + BX_CORR_CHUNK;
        int32_t rg = f + omin; /* lowest tap's phase at the group's first sample */
        for (; i + 8 <= end; i += 8, rg += 8 * Sq) {
            int32_t gi = rg >> BX_CORR_FRAC; /* lowest entry the group touches */
            const __m256i tb = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(base + gi)));
            const __m256i v = _mm256_add_epi32(_mm256_set1_epi32(rg & fmask), lane);
            __m256 a = _mm256_loadu_ps(xf + 2 * i), b = _mm256_loadu_ps(xf + 2 * i + 8);
            __m256 xr = _mm256_shuffle_ps(a, b, 0x88), xi = _mm256_shuffle_ps(a, b, 0xDD);
            __m256 yr = _mm256_fmsub_ps(xr, pr, _mm256_mul_ps(xi, pi));
            __m256 yi = _mm256_fmadd_ps(xr, pi, _mm256_mul_ps(xi, pr));
            GROUP_TAPS_SHUF(NT)
            __m256 npr = _mm256_fmsub_ps(pr, c8, _mm256_mul_ps(pi, s8));
            pi = _mm256_fmadd_ps(pr, s8, _mm256_mul_ps(pi, c8));
            pr = npr;
        }
        if (i < end) { /* last partial group: the gather path with masks */
            int rem = (int)(end - i);
            float tmp[16] = {0};
            memcpy(tmp, xf + 2 * i, (size_t)rem * 2 * sizeof(float));
            __m256 a = _mm256_loadu_ps(tmp), b = _mm256_loadu_ps(tmp + 8);
            __m256 xr = _mm256_shuffle_ps(a, b, 0x88), xi = _mm256_shuffle_ps(a, b, 0xDD);
            __m256 yr = _mm256_fmsub_ps(xr, pr, _mm256_mul_ps(xi, pi));
            __m256 yi = _mm256_fmadd_ps(xr, pi, _mm256_mul_ps(xi, pr));
            const __m256i pv = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
            __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), pv);
            const __m256i r = _mm256_add_epi32(_mm256_set1_epi32(rg), lane);
            const int *gbase = (const int *)(const void *)base;
            _Pragma("GCC unroll 8") for (int k = 0; k < NT; k++) {
                __m256i idx = _mm256_srai_epi32(_mm256_add_epi32(r, O[k]), BX_CORR_FRAC);
                __m256i g = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), gbase, idx, valid, 1);
                __m256 m = _mm256_and_ps(_mm256_castsi256_ps(_mm256_slli_epi32(g, 24)), sgn);
                ar[k] = _mm256_add_ps(ar[k], _mm256_xor_ps(yr, m));
                ai[k] = _mm256_add_ps(ai[k], _mm256_xor_ps(yi, m));
                if (k == dt) {
                    __m256 md = _mm256_and_ps(_mm256_castsi256_ps(_mm256_slli_epi32(g, 25)), sgn);
                    dr = _mm256_add_ps(dr, _mm256_xor_ps(yr, md));
                    di = _mm256_add_ps(di, _mm256_xor_ps(yi, md));
                }
            }
            i = end;
        }
        __m256 m2 = _mm256_fmadd_ps(pr, pr, _mm256_mul_ps(pi, pi));
        __m256 sc = _mm256_fnmadd_ps(half, m2, threehalf);
        pr = _mm256_mul_ps(pr, sc);
        pi = _mm256_mul_ps(pi, sc);
    }
    for (int k = 0; k < NT; k++)
        out->tap[k] += (float)hsum(ar[k]) + I * (float)hsum(ai[k]);
    out->data += (float)hsum(dr) + I * (float)hsum(di);
}

TGT void bx_corr_kernel_avx2(const float _Complex *x, size_t n, const uint8_t *table,
                             const bx_corr_fx_t *fx, bx_corr_out_t *out)
{
    int32_t omin = fx->O[0], omax = fx->O[0];
    for (int k = 1; k < fx->ntaps; k++) {
        omin = fx->O[k] < omin ? fx->O[k] : omin;
        omax = fx->O[k] > omax ? fx->O[k] : omax;
    }
    const int64_t Sq = fx->S >> (32 - BX_CORR_FRAC);
    if (7 * Sq + (int64_t)omax - omin < 14LL << BX_CORR_FRAC) {
        switch (fx->ntaps) {
        case 1: kernel_shuf(x, n, table, fx, out, 1, omin); return;
        case 2: kernel_shuf(x, n, table, fx, out, 2, omin); return;
        case 3: kernel_shuf(x, n, table, fx, out, 3, omin); return;
        case 4: kernel_shuf(x, n, table, fx, out, 4, omin); return;
        case 5: kernel_shuf(x, n, table, fx, out, 5, omin); return;
        default: kernel_shuf(x, n, table, fx, out, 6, omin); return;
        }
    }
    switch (fx->ntaps) {
    case 1: kernel(x, n, table, fx, out, 1); break;
    case 2: kernel(x, n, table, fx, out, 2); break;
    case 3: kernel(x, n, table, fx, out, 3); break;
    case 4: kernel(x, n, table, fx, out, 4); break;
    case 5: kernel(x, n, table, fx, out, 5); break;
    default: kernel(x, n, table, fx, out, 6); break;
    }
}
