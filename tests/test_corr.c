/* Correlator kernels: AVX2 and portable vs the double-precision reference on
 * random data, and known analytical values (coherent gain, sinc frequency
 * loss, code cross-tap, fixed-point code NCO vs exact arithmetic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/corr.h"
#include "bdsrx/types.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t xr64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double urand(void) { return (double)(xr64() >> 11) / 9007199254740992.0; }
static double grand(void)
{
    double u = urand() + 1e-300, v = urand();
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

#define TBL 50000

static uint8_t *random_table(void)
{
    uint8_t *t = malloc(TBL + 16);
    for (int i = 0; i < TBL + 16; i++)
        t[i] = (uint8_t)(xr64() & 0xC0);
    return t;
}

static void random_req(bx_corr_req_t *r, size_t n)
{
    memset(r, 0, sizeof *r);
    r->carr_cyc = urand() * 1000.0;
    r->carr_step_cyc = (urand() - 0.5) * 0.01;
    r->code_step = 0.2 + urand() * 1.8;
    r->ntaps = 1 + (int)(xr64() % BX_CORR_MAX_TAPS);
    for (int k = 0; k < r->ntaps; k++)
        r->tap_off[k] = (urand() - 0.5) * 4.0;
    r->data_tap = (int)(xr64() % (uint64_t)r->ntaps);
    double span = r->code_step * (double)n + 4;
    r->code_idx = 3 + urand() * ((double)TBL - 8 - span);
}

static void compare_impl(int impl)
{
    bx_corr_t *ref = NULL, *c = NULL;
    bx_corr_create(BX_CORR_REF, &ref, NULL, 0);
    bx_corr_create(impl, &c, NULL, 0);
    if (!c) {
        bx_corr_destroy(ref);
        skip();
    }
    assert_non_null(ref);
    uint8_t *tab = random_table();
    const size_t sizes[] = {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4093, 8191, 20460};
    float complex *x = malloc(20460 * sizeof *x);
    for (int trial = 0; trial < 60; trial++) {
        size_t n = sizes[trial % 12];
        for (size_t i = 0; i < n; i++)
            x[i] = (float)(grand() * 2) + I * (float)(grand() * 2);
        bx_corr_req_t r;
        random_req(&r, n);
        bx_corr_out_t a, b;
        assert_int_equal(bx_corr_run(ref, x, n, tab, &r, &a), BX_OK);
        assert_int_equal(bx_corr_run(c, x, n, tab, &r, &b), BX_OK);
        /* float accumulation and float phasors: error ~1e-6 relative per term */
        double tol = 1e-4 * 2.0 * (double)n / sqrt((double)n + 1) + 1e-4;
        for (int k = 0; k < r.ntaps; k++) {
            if (!(cabs(a.tap[k] - b.tap[k]) < tol))
                printf("n=%zu k=%d ref=%g%+gj impl=%g%+gj tol=%g\n", n, k, crealf(a.tap[k]),
                       cimagf(a.tap[k]), crealf(b.tap[k]), cimagf(b.tap[k]), tol);
            assert_true(cabs(a.tap[k] - b.tap[k]) < tol);
        }
        assert_true(cabs(a.data - b.data) < tol);
    }
    free(x);
    free(tab);
    bx_corr_destroy(ref);
    bx_corr_destroy(c);
}

static void test_avx2_vs_ref(void **st) { (void)st; compare_impl(BX_CORR_AVX2); }
static void test_generic_vs_ref(void **st) { (void)st; compare_impl(BX_CORR_GENERIC); }

/* Both AVX2 table paths explicitly: byte-shuffle (group within 16 entries)
 * and gathers (wide tap spread / fast code), against the reference. */
static void test_avx2_paths(void **st)
{
    (void)st;
    bx_corr_t *ref = NULL, *c = NULL;
    bx_corr_create(BX_CORR_REF, &ref, NULL, 0);
    bx_corr_create(BX_CORR_AVX2, &c, NULL, 0);
    if (!c) {
        bx_corr_destroy(ref);
        skip();
    }
    uint8_t *tab = random_table();
    const size_t n = 5003;
    float complex *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)grand() + I * (float)grand();
    const double steps[2] = {0.5, 3.1}, spread[2] = {0.25, 4.0};
    for (int m = 0; m < 2; m++) {
        bx_corr_req_t r = {0};
        r.ntaps = 5;
        for (int k = 0; k < 5; k++)
            r.tap_off[k] = spread[m] * (k - 2);
        r.data_tap = 2;
        r.code_idx = 20.3;
        r.code_step = steps[m];
        r.carr_step_cyc = 0.0123;
        bx_corr_out_t a, b;
        bx_corr_run(ref, x, n, tab, &r, &a);
        bx_corr_run(c, x, n, tab, &r, &b);
        for (int k = 0; k < 5; k++)
            assert_true(cabs(a.tap[k] - b.tap[k]) < 0.02);
        assert_true(cabs(a.data - b.data) < 0.02);
    }
    free(x);
    free(tab);
    bx_corr_destroy(ref);
    bx_corr_destroy(c);
}

/* Pure tone, all-(+1) code: |sum| = |sin(pi n d)/sin(pi d)| for a frequency
 * error d cycles/sample, phase = replica offset; exact match gives n. */
static void test_analytic_tone(void **st)
{
    (void)st;
    const int impls[] = {BX_CORR_REF, BX_CORR_GENERIC, BX_CORR_AVX2};
    uint8_t *tab = calloc(TBL + 16, 1);
    const size_t n = 4092;
    float complex *x = malloc(n * sizeof *x);
    const double f = 1234.5 / 4.092e6, phi0 = 0.3;
    for (size_t i = 0; i < n; i++)
        x[i] = (float complex)cexp(2 * M_PI * I * (phi0 + f * (double)i));
    for (int m = 0; m < 3; m++) {
        bx_corr_t *c = NULL;
        bx_corr_create(impls[m], &c, NULL, 0);
        if (!c)
            continue;
        bx_corr_req_t r = {0};
        r.ntaps = 1;
        r.code_idx = 10;
        r.code_step = 0.5;
        r.carr_cyc = phi0 - 0.1;
        r.carr_step_cyc = f;
        bx_corr_out_t o;
        bx_corr_run(c, x, n, tab, &r, &o);
        assert_true(fabs(cabs(o.tap[0]) - (double)n) < 0.01 * (double)n * 1e-1);
        assert_true(fabs(carg(o.tap[0]) - 2 * M_PI * 0.1) < 1e-3);
        /* 100 Hz error over 1 ms: sinc loss */
        double d = 100.0 / 4.092e6;
        r.carr_step_cyc = f - d;
        bx_corr_run(c, x, n, tab, &r, &o);
        double expect = fabs(sin(M_PI * (double)n * d) / sin(M_PI * d));
        assert_true(fabs(cabs(o.tap[0]) - expect) < 1e-3 * (double)n);
        bx_corr_destroy(c);
    }
    free(x);
    free(tab);
}

/* Code: signal = the table's pilot replica at exactly tap 0's indices, data =
 * the data bits; prompt gives n (real), a tap one entry off on a random code
 * gives ~0, the data tap gives n on the data replica. */
static void test_analytic_code(void **st)
{
    (void)st;
    uint8_t *tab = random_table();
    const size_t n = 20000;
    float complex *x = malloc(n * sizeof *x);
    bx_corr_req_t r = {0};
    r.ntaps = 3;
    r.tap_off[0] = 0;
    r.tap_off[1] = 1.0;
    r.tap_off[2] = -1.0;
    r.data_tap = 0;
    r.code_idx = 100.37;
    r.code_step = 0.4999;
    for (size_t i = 0; i < n; i++) {
        uint8_t e = tab[bx_corr_index(&r, i, 0)];
        float p = (e & BX_CORR_PILOT_NEG) ? -1.0f : 1.0f, d = (e & BX_CORR_DATA_NEG) ? -1.0f : 1.0f;
        x[i] = p + I * d; /* pilot on I, data on Q */
    }
    const int impls[] = {BX_CORR_REF, BX_CORR_GENERIC, BX_CORR_AVX2};
    for (int m = 0; m < 3; m++) {
        bx_corr_t *c = NULL;
        bx_corr_create(impls[m], &c, NULL, 0);
        if (!c)
            continue;
        bx_corr_out_t o;
        bx_corr_run(c, x, n, tab, &r, &o);
        assert_true(fabs(crealf(o.tap[0]) - (double)n) < 1e-3 * (double)n);
        assert_true(fabs(cimagf(o.data) - (double)n) < 1e-3 * (double)n);
        /* random code one entry away: ~ sqrt(n) level (2 samples per entry) */
        assert_true(cabs(o.tap[1]) < 6 * sqrt(2.0 * (double)n));
        assert_true(cabs(o.tap[2]) < 6 * sqrt(2.0 * (double)n));
        bx_corr_destroy(c);
    }
    free(x);
    free(tab);
}

/* The fixed-point code NCO never drifts from exact arithmetic over a long
 * block: at most 1 entry off, only next to entry boundaries. */
static void test_index_vs_exact(void **st)
{
    (void)st;
    bx_corr_req_t r = {0};
    r.ntaps = 2;
    r.tap_off[1] = -0.1;
    r.code_idx = 5.123456789;
    r.code_step = 2.046e6 / 4.092e6 * 1.0000013;
    long bad = 0;
    for (size_t i = 0; i < 1000000; i++) {
        for (int k = 0; k < 2; k++) {
            double exact = r.code_idx + (double)i * r.code_step + r.tap_off[k];
            int64_t idx = bx_corr_index(&r, i, k);
            double fl = floor(exact);
            if (idx != (int64_t)fl) {
                assert_true(llabs(idx - (int64_t)fl) <= 1);
                /* only allowed within 1e-4 entries of a boundary */
                double dist = fmin(exact - fl, fl + 1 - exact);
                assert_true(dist < 1e-4);
                bad++;
            }
        }
    }
    assert_true(bad < 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avx2_vs_ref),
        cmocka_unit_test(test_generic_vs_ref),
        cmocka_unit_test(test_avx2_paths),
        cmocka_unit_test(test_analytic_tone),
        cmocka_unit_test(test_analytic_code),
        cmocka_unit_test(test_index_vs_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
