/* The acquisition's SIMD kernels (dsp/acq_kernels.c: spectrum product, power row with maximum
 * and sum) against a straightforward scalar reference in double precision, for every length
 * 0..70 (all vector/tail splits of the SSE and AVX2 paths) and long rows (the float partial
 * sums are flushed to double every 4096 cells), with and without accumulation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acq_impl.h"

static uint64_t g_rng = 0x243F6A8885A308D3ull;

static float rnd(void) /* uniform in [-4, 4) */
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (float)(((g_rng >> 40) / 16777216.0) * 8.0 - 4.0);
}

static void fill(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = rnd();
}

/* |a - b| within rel of the magnitude scale (float products of values up to 4: ~1e-6) */
static int close_to(double a, double b, double scale, double rel) { return fabs(a - b) <= rel * scale; }

static void test_cmul(void **state)
{
    (void)state;
    acq_kernels_t k;
    acq_kernels_select(&k);
    enum { NMAX = 20000 };
    float *x = malloc(2 * NMAX * sizeof *x), *c = malloc(2 * NMAX * sizeof *c), *y = malloc(2 * (NMAX + 1) * sizeof *y);
    assert_true(x && c && y);
    static const size_t big[] = {1023, 4096, 8191, 20000};
    for (int t = 0; t < 71 + 4; t++) {
        const size_t n = t < 71 ? (size_t)t : big[t - 71];
        fill(x, 2 * n);
        fill(c, 2 * n);
        y[2 * n] = y[2 * n + 1] = 12345.0f; /* must stay: nothing written past n */
        k.cmul(y, x, c, n);
        for (size_t i = 0; i < n; i++) {
            const double xr = x[2 * i], xi = x[2 * i + 1], cr = c[2 * i], ci = c[2 * i + 1];
            const double re = xr * cr - xi * ci, im = xr * ci + xi * cr;
            const double scale = hypot(xr, xi) * hypot(cr, ci) + 1e-30;
            if (!close_to(y[2 * i], re, scale, 1e-6) || !close_to(y[2 * i + 1], im, scale, 1e-6))
                fail_msg("cmul n=%zu i=%zu: (%g,%g) vs (%g,%g)", n, i, y[2 * i], y[2 * i + 1], re, im);
        }
        assert_true(y[2 * n] == 12345.0f && y[2 * n + 1] == 12345.0f);
    }
    /* in place on the output of an earlier product is not allowed (restrict); y == x aliasing
     * is not tested */
    free(x);
    free(c);
    free(y);
}

static void test_power(void **state)
{
    (void)state;
    acq_kernels_t k;
    acq_kernels_select(&k);
    enum { NMAX = 50000 };
    float *o = malloc(2 * NMAX * sizeof *o), *row = malloc((NMAX + 1) * sizeof *row);
    double *ref = malloc(NMAX * sizeof *ref);
    assert_true(o && row && ref);
    static const size_t big[] = {4095, 4096, 4097, 8200, 12289, 50000};
    for (int t = 0; t < 71 + 6; t++) {
        const size_t n = t < 71 ? (size_t)t : big[t - 71];
        for (int acc = 0; acc <= 1; acc++)
            for (int stats = 0; stats <= 1; stats++) {
                fill(o, 2 * n);
                for (size_t i = 0; i < n; i++) {
                    row[i] = fabsf(rnd()) * 4.0f; /* earlier non-coherent sums */
                    ref[i] = row[i];
                }
                row[n] = -7.0f;
                double ref_sum = 0.0, ref_max = 0.0;
                for (size_t i = 0; i < n; i++) {
                    const double p = (double)o[2 * i] * o[2 * i] + (double)o[2 * i + 1] * o[2 * i + 1];
                    ref[i] = acc ? ref[i] + p : p;
                    ref_sum += ref[i];
                    ref_max = fmax(ref_max, ref[i]);
                }
                double sum = 100.0; /* the kernel adds to it */
                const float mx = k.power(row, o, n, acc, stats, &sum);
                for (size_t i = 0; i < n; i++)
                    if (!close_to(row[i], ref[i], ref[i] + 1e-30, 1e-6))
                        fail_msg("power n=%zu acc=%d i=%zu: %g vs %g", n, acc, i, row[i], ref[i]);
                assert_true(row[n] == -7.0f);
                if (stats) {
                    if (!close_to(mx, ref_max, ref_max + 1e-30, 1e-6) ||
                        !close_to(sum - 100.0, ref_sum, ref_sum + 1e-30, 3e-5)) /* float partial sums: <= 512 adds each */
                        fail_msg("power n=%zu acc=%d: max %g vs %g, sum %.9g vs %.9g", n, acc, mx, ref_max,
                                 sum - 100.0, ref_sum);
                } else {
                    assert_true(sum == 100.0); /* no statistics asked: the sum is left alone */
                }
            }
    }
    free(o);
    free(row);
    free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmul),
        cmocka_unit_test(test_power),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
