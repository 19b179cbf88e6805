/* SIMD kernels of the FFT acquisition: spectrum product and power/statistics of a correlation
 * row (the work between FFTW calls).  SSE3 baseline (x86-64-v2), AVX2 when the CPU has it. */
#include <immintrin.h>

#include "acq_impl.h"

static void cmul_sse(float *restrict y, const float *restrict x, const float *restrict c, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        const __m128 xv = _mm_loadu_ps(x + 2 * i), cv = _mm_loadu_ps(c + 2 * i);
        const __m128 xs = _mm_shuffle_ps(xv, xv, _MM_SHUFFLE(2, 3, 0, 1)); /* im, re */
        const __m128 r = _mm_addsub_ps(_mm_mul_ps(xv, _mm_moveldup_ps(cv)),
                                       _mm_mul_ps(xs, _mm_movehdup_ps(cv)));
        _mm_storeu_ps(y + 2 * i, r);
    }
    for (; i < n; i++) {
        const float xr = x[2 * i], xi = x[2 * i + 1], cr = c[2 * i], ci = c[2 * i + 1];
        y[2 * i] = xr * cr - xi * ci;
        y[2 * i + 1] = xr * ci + xi * cr;
    }
}

static float power_sse(float *restrict row, const float *restrict o, size_t n, int accumulate, int stats,
                       double *sum)
{
    __m128 vmax = _mm_set1_ps(0.0f), vsum = _mm_setzero_ps();
    double total = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128 a = _mm_loadu_ps(o + 2 * i), b = _mm_loadu_ps(o + 2 * i + 4);
        __m128 p = _mm_hadd_ps(_mm_mul_ps(a, a), _mm_mul_ps(b, b));
        if (accumulate)
            p = _mm_add_ps(p, _mm_loadu_ps(row + i));
        _mm_storeu_ps(row + i, p);
        if (stats) {
            vmax = _mm_max_ps(vmax, p);
            vsum = _mm_add_ps(vsum, p);
            if ((i & 4095) == 4092) { /* flush float partial sums to double every 4096 cells */
                float t[4];
                _mm_storeu_ps(t, vsum);
                total += (double)t[0] + t[1] + t[2] + t[3];
                vsum = _mm_setzero_ps();
            }
        }
    }
    float mx = 0.0f;
    if (stats) {
        float t[4], m4[4];
        _mm_storeu_ps(t, vsum);
        _mm_storeu_ps(m4, vmax);
        total += (double)t[0] + t[1] + t[2] + t[3];
        for (int j = 0; j < 4; j++)
            mx = m4[j] > mx ? m4[j] : mx;
    }
    for (; i < n; i++) {
        float p = o[2 * i] * o[2 * i] + o[2 * i + 1] * o[2 * i + 1];
        if (accumulate)
            p += row[i];
        row[i] = p;
        if (stats) {
            total += p;
            mx = p > mx ? p : mx;
        }
    }
    if (stats)
        *sum += total;
    return mx;
}

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static void cmul_avx2(float *restrict y, const float *restrict x, const float *restrict c, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256 xv = _mm256_loadu_ps(x + 2 * i), cv = _mm256_loadu_ps(c + 2 * i);
        const __m256 xs = _mm256_permute_ps(xv, _MM_SHUFFLE(2, 3, 0, 1));
        const __m256 r = _mm256_fmaddsub_ps(xv, _mm256_moveldup_ps(cv), _mm256_mul_ps(xs, _mm256_movehdup_ps(cv)));
        _mm256_storeu_ps(y + 2 * i, r);
    }
    if (i < n)
        cmul_sse(y + 2 * i, x + 2 * i, c + 2 * i, n - i);
}

AVX2 static float power_avx2(float *restrict row, const float *restrict o, size_t n, int accumulate, int stats,
                             double *sum)
{
    __m256 vmax = _mm256_setzero_ps(), vsum = _mm256_setzero_ps();
    double total = 0.0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 a = _mm256_loadu_ps(o + 2 * i), b = _mm256_loadu_ps(o + 2 * i + 8);
        /* hadd works per 128-bit lane: result order 0 1 4 5 2 3 6 7 -> fix with a 64-bit permute */
        __m256 p = _mm256_hadd_ps(_mm256_mul_ps(a, a), _mm256_mul_ps(b, b));
        p = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(p), _MM_SHUFFLE(3, 1, 2, 0)));
        if (accumulate)
            p = _mm256_add_ps(p, _mm256_loadu_ps(row + i));
        _mm256_storeu_ps(row + i, p);
        if (stats) {
            vmax = _mm256_max_ps(vmax, p);
            vsum = _mm256_add_ps(vsum, p);
            if ((i & 4095) == 4088) {
                float t[8];
                _mm256_storeu_ps(t, vsum);
                for (int j = 0; j < 8; j++)
                    total += t[j];
                vsum = _mm256_setzero_ps();
            }
        }
    }
    float mx = 0.0f;
    if (stats) {
        float t[8], m8[8];
        _mm256_storeu_ps(t, vsum);
        _mm256_storeu_ps(m8, vmax);
        for (int j = 0; j < 8; j++) {
            total += t[j];
            mx = m8[j] > mx ? m8[j] : mx;
        }
        *sum += total;
    }
    if (i < n) {
        const float m2 = power_sse(row + i, o + 2 * i, n - i, accumulate, stats, sum);
        mx = m2 > mx ? m2 : mx;
    }
    return mx;
}

void acq_kernels_select(acq_kernels_t *k)
{
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    k->cmul = avx2 ? cmul_avx2 : cmul_sse;
    k->power = avx2 ? power_avx2 : power_sse;
}
