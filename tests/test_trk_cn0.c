/* C/N0 estimators (dsp/trk_cn0.c) on synthetic prompt correlator outputs at known C/N0.
 *
 * A prompt over a coherent period T with carrier power C and noise density N0, normalised to
 * unit noise power per complex output:  z = A s e^{j e} + n,  n complex Gaussian with
 * E|n|^2 = 1 (variance 1/2 per component), A^2 = (C/N0) T, s = +-1 (data / secondary chips),
 * e a static phase error.  Both estimators (M2M4 and phase-locked I/Q) must return the C/N0 that
 * made the outputs within a stated tolerance; the mean over independent runs checks the bias and
 * the spread is printed.  Tolerances: the noise power from N = 400 (4000) outputs has a relative
 * standard deviation of sqrt(2/N) = 7 % (2.2 %), 0.31 (0.10) dB; a single estimate must lie within
 * about 4-5 of those (1.5 dB / 0.6 dB), the mean of 40 within 0.2-0.3 dB.  Noise from a fixed-seed xorshift + Box-Muller (no timing, no libc rand). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "trk_impl.h"

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return ((g_rng >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* One estimate from 4 windows of `win` outputs; returns C/N0 in dB-Hz of estimator iq. */
static double estimate(double cn0_dbhz, double T, int win, double phase_err_rad, int iq)
{
    bx_trk_cn0_t e;
    bx_trk_cn0_init(&e, win);
    const double A = sqrt(pow(10.0, cn0_dbhz / 10.0) * T), sn = sqrt(0.5);
    for (int k = 0; k < BX_TRK_CN0_WINS * win; k++) {
        const double s = uniform() < 0.5 ? -1.0 : 1.0;
        const double i = A * s * cos(phase_err_rad) + sn * gauss(), q = A * s * sin(phase_err_rad) + sn * gauss();
        bx_trk_cn0_push(&e, i, q);
    }
    assert_int_equal(bx_trk_cn0_windows(&e), BX_TRK_CN0_WINS);
    return bx_trk_cn0_from(bx_trk_cn0_ps(&e, iq), bx_trk_cn0_pn(&e, iq), T);
}

typedef struct {
    double cn0, T;
    int win, iq;
    double phase_err, tol_mean_db, tol_each_db;
} case_t;

static void run_cases(const case_t *c, size_t n)
{
    enum { RUNS = 40 };
    for (size_t i = 0; i < n; i++) {
        double s = 0, s2 = 0, worst = 0;
        for (int r = 0; r < RUNS; r++) {
            const double v = estimate(c[i].cn0, c[i].T, c[i].win, c[i].phase_err, c[i].iq);
            assert_true(v > 0.0);
            s += v, s2 += v * v;
            worst = fmax(worst, fabs(v - c[i].cn0));
        }
        const double mean = s / RUNS, sd = sqrt(fmax(s2 / RUNS - mean * mean, 0));
        printf("NOTE: %s C/N0 %.0f dB-Hz, T %.0f ms, %d x %d outputs, phase error %.2f rad: mean %.2f dB-Hz "
               "(bias %+.2f), sd %.2f, worst %.2f dB off\n",
               c[i].iq ? "I/Q  " : "M2M4 ", c[i].cn0, c[i].T * 1e3, BX_TRK_CN0_WINS, c[i].win, c[i].phase_err, mean,
               mean - c[i].cn0, sd, worst);
        assert_true(fabs(mean - c[i].cn0) < c[i].tol_mean_db);
        assert_true(worst < c[i].tol_each_db);
    }
}

/* M2M4 (needs no lock, blind to signs and phase): 1 s per window.  Its known low-SNR bias
 * (Pauluzzi & Beaulieu 2000) grows below ~0 dB per output; at 30 dB-Hz / 1 ms the SNR per
 * output is 0 dB. */
static void test_m2m4(void **state)
{
    (void)state;
    static const case_t c[] = {
        {45, 1e-3, 1000, 0, 0.0, 0.2, 0.6},  {40, 1e-3, 1000, 0, 0.0, 0.2, 0.6},
        {35, 1e-3, 1000, 0, 0.3, 0.3, 0.9},  {30, 10e-3, 100, 0, 1.0, 0.3, 1.5},
        {45, 10e-3, 100, 0, 2.0, 0.3, 1.5},
        /* the B1C pull-in shape at a 25 dB-Hz total (pilot 23.8): 4 x 50 outputs of 10 ms, moments
         * pooled over the windows; every estimate must be > 0 (per-window estimates clipped at 0
         * made the channel report 0 dB-Hz) */
        {23.8, 10e-3, 50, 0, 0.0, 0.6, 3.0},
    };
    run_cases(c, sizeof c / sizeof c[0]);
}

/* Phase-locked I/Q: with lock (small static phase error) and at least a few dB SNR per output. */
static void test_iq(void **state)
{
    (void)state;
    static const case_t c[] = {
        {45, 10e-3, 100, 1, 0.0, 0.3, 1.5}, {40, 10e-3, 100, 1, 0.1, 0.3, 1.5},
        {35, 10e-3, 100, 1, 0.0, 0.3, 1.5}, {45, 1e-3, 1000, 1, 0.05, 0.2, 0.6},
    };
    run_cases(c, sizeof c / sizeof c[0]);
}

/* Windows: the estimate uses the last BX_TRK_CN0_WINS completed windows only, so a transient
 * (no signal for one window) leaves after that many windows; reset drops everything. */
static void test_windows(void **state)
{
    (void)state;
    bx_trk_cn0_t e;
    bx_trk_cn0_init(&e, 200);
    const double T = 1e-3, A = sqrt(pow(10.0, 4.5) * T), sn = sqrt(0.5);
    assert_true(bx_trk_cn0_ps(&e, 1) == 0.0 && bx_trk_cn0_windows(&e) == 0);
    for (int k = 0; k < 200; k++) /* a window of noise only */
        bx_trk_cn0_push(&e, sn * gauss(), sn * gauss());
    for (int k = 0; k < 200 * BX_TRK_CN0_WINS; k++)
        bx_trk_cn0_push(&e, A + sn * gauss(), sn * gauss());
    const double v = bx_trk_cn0_from(bx_trk_cn0_ps(&e, 1), bx_trk_cn0_pn(&e, 1), T);
    assert_true(fabs(v - 45.0) < 1.0); /* the noise-only window has left */
    bx_trk_cn0_reset(&e);
    assert_int_equal(bx_trk_cn0_windows(&e), 0);
    assert_true(bx_trk_cn0_from(0.0, 1.0, T) == 0.0);
    assert_true(isfinite(bx_trk_cn0_from(1.0, 0.0, T))); /* noiseless: large but finite */
    assert_true(fabs(bx_trk_cn0_from(1.0, 1.0, 1e-3) - 30.0) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_m2m4),
        cmocka_unit_test(test_iq),
        cmocka_unit_test(test_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
