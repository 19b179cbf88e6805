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

/* Pilot/data pair noise (bx_trk_qn_t): B1C-like outputs (T = 10 ms, pilot 3/4, data 1/4 of
 * C) with what var(Q) of one prompt counted as noise - a phase error common to both (white
 * jitter of sd `jit` rad plus a slow swing of `swing` rad over 2 s, the field U-turns) and the
 * code cross-correlation rho of each component into the other's quadrature, signed by the data
 * symbol D and the secondary chip c - in the tracker's axes: pilot ip + j qp = c Ap e^{je} +
 * j rho Ad D, data id = -D Ad cos e, dq = D Ad sin e + rho Ap c.  The pair must return the
 * thermal noise (E|n|^2 = 1) where the pilot's var(Q) reads high. */
static double pair_noise(double cn0_dbhz, double jit, double swing, double rho, int qn, int *k0)
{
    enum { WIN = 50 };
    const double T = 10e-3, C = pow(10.0, cn0_dbhz / 10.0) * T, Ap = sqrt(0.75 * C), Ad = sqrt(0.25 * C);
    const double sn = sqrt(0.5);
    bx_trk_qn_t e;
    bx_trk_cn0_t p;
    bx_trk_qn_init(&e, WIN, 1.0 / 3.0);
    bx_trk_cn0_init(&p, WIN);
    for (int k = 0; k < BX_TRK_CN0_WINS * WIN; k++, (*k0)++) {
        const double c = uniform() < 0.5 ? -1.0 : 1.0, D = uniform() < 0.5 ? -1.0 : 1.0;
        const double ph = jit * gauss() + swing * sin(2 * M_PI * (*k0) * T / 2.0);
        const double ip = c * Ap * cos(ph) + sn * gauss(), qp = c * Ap * sin(ph) + rho * Ad * D + sn * gauss();
        const double id = -D * Ad * cos(ph) + sn * gauss(), dq = D * Ad * sin(ph) + rho * Ap * c + sn * gauss();
        bx_trk_qn_push(&e, ip, qp, id, dq);
        bx_trk_cn0_push(&p, c * ip, c * qp); /* the wiped pilot, as the tracker's lkp */
        if (k == 30) /* the window being filled: >= 20 outputs */
            assert_true(bx_trk_qn_partial(&e) > 0.0 || !qn);
    }
    assert_int_equal(bx_trk_qn_windows(&e), BX_TRK_CN0_WINS);
    return qn ? bx_trk_qn_pn(&e) : bx_trk_cn0_pn(&p, 1);
}

static void test_pair(void **state)
{
    (void)state;
    static const struct {
        double cn0, jit, swing, rho;
    } c[] = {
        {50, 0.0, 0.0, 0.0},   /* thermal only */
        {50, 0.02, 0.0, 0.015}, /* static, 50 dB-Hz: PLL jitter and B1C-like cross-correlation */
        {50, 0.02, 0.25, 0.015}, /* field: a 14 deg swing */
        {30, 0.1, 0.25, 0.015}, {25, 0.15, 0.1, 0.015}, {70, 0.01, 0.1, 0.015},
    };
    enum { RUNS = 40 };
    int k0 = 0;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double s = 0, worst = 0, sq = 0;
        for (int r = 0; r < RUNS; r++) {
            const double db = 10.0 * log10(pair_noise(c[i].cn0, c[i].jit, c[i].swing, c[i].rho, 1, &k0));
            s += db;
            worst = fmax(worst, fabs(db));
            sq += 10.0 * log10(pair_noise(c[i].cn0, c[i].jit, c[i].swing, c[i].rho, 0, &k0));
        }
        printf("NOTE: pair noise, %.0f dB-Hz, jitter %.2f rad, swing %.2f rad, rho %.3f: %+.2f dB mean, worst %.2f dB "
               "off (one prompt's var(Q): %+.2f dB)\n",
               c[i].cn0, c[i].jit, c[i].swing, c[i].rho, s / RUNS, worst, sq / RUNS);
        /* 200 outputs: sd of the noise power sqrt(2/198) = 10 %, 0.44 dB */
        assert_true(fabs(s / RUNS) < 0.25); /* sd of the mean of 40: 0.07 dB */
        assert_true(worst < 1.8);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_m2m4),
        cmocka_unit_test(test_iq),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
