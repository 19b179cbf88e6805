/* Tracking loop filters and discriminators (dsp/trk_loops.c) against analytic values:
 *  - carrier loop as a closed loop (phase in, NCO phase out, one period of update delay):
 *    phase-step response of the 2nd-order PLL against the continuous-time response of
 *    H(s) = (a2 wp s + wp^2) / (s^2 + a2 wp s + wp^2) with a2 = sqrt(2) (zeta = 0.707):
 *      y(t) = 1 - exp(-wp t / sqrt2) (cos(wp t / sqrt2) - sin(wp t / sqrt2));
 *    equivalent noise bandwidth  B_L = sum h[k]^2 / (2 T (sum h[k])^2)  of the impulse response
 *    against the design value Bn (Kaplan & Hegarty, loop-filter chapter: Bn = 0.53 wn for a
 *    2nd-order loop with zeta = 0.707; 1st-order FLL: Bn = wf / 4);
 *    ramp (Doppler rate a): static discriminator output a / wp^2 cycles; frequency step: none;
 *  - discriminators on exact inputs: atan / atan2 phase, FLL cross product, early-late DLL on
 *    the BPSK triangle and BOC(1,1) main peak and on the correlation of a real ranging code. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bdsrx/code.h"
#include "trk_impl.h"

/* One closed-loop run: input phase theta[k] (cycles, the phase the correlator sees over period
 * k), output the NCO phase phi[k] the loop predicted for period k (set by updates up to k-1).
 * dphi and f optional outputs. */
static void run_loop(const double *theta, double *phi, double *dphi_out, double *f_out, int n, double T, double bn_pll,
                     double bn_fll)
{
    bx_trk_carr_loop_t l = {0.0};
    double ph = 0.0;
    for (int k = 0; k < n; k++) {
        phi[k] = ph;
        const double dphi = theta[k] - ph;
        const double df = k > 0 && dphi_out ? (dphi - dphi_out[k - 1]) / T : 0.0;
        const double f = bx_trk_carr_loop_update(&l, bn_pll > 0 ? dphi : 0.0, bn_fll > 0 ? df : 0.0, T, bn_pll, bn_fll);
        if (dphi_out)
            dphi_out[k] = dphi;
        if (f_out)
            f_out[k] = f;
        ph += f * T;
    }
}

enum { N = 40000 };

static void test_pll_step_response(void **state)
{
    (void)state;
    static double theta[N], phi[N];
    const double T = 1e-3, bn = 2.0, wp = bn / 0.53; /* BnT = 0.002: close to continuous time */
    for (int k = 0; k < N; k++)
        theta[k] = 1.0; /* a phase step of one (small-signal: the loop is linear here) */
    run_loop(theta, phi, NULL, NULL, N, T, bn, 0.0);
    double worst = 0.0, peak = 0.0;
    for (int k = 1; k < 3000; k++) {
        const double t = (k - 1) * T; /* the NCO answers one period late */
        const double a = wp * t / M_SQRT2;
        const double y = 1.0 - exp(-a) * (cos(a) - sin(a));
        worst = fmax(worst, fabs(phi[k] - y));
        peak = fmax(peak, phi[k]);
    }
    /* the analytic response's peak (found on a fine grid) */
    double ypk = 0.0;
    for (double t = 0; t < 3.0; t += 1e-4) {
        const double a = wp * t / M_SQRT2;
        ypk = fmax(ypk, 1.0 - exp(-a) * (cos(a) - sin(a)));
    }
    printf("NOTE: PLL Bn %.1f Hz T %.0f ms: step response within %.4f of the continuous 2nd-order loop, "
           "overshoot %.1f %% (analytic %.1f %%)\n",
           bn, T * 1e3, worst, 100 * (peak - 1), 100 * (ypk - 1));
    assert_true(worst < 0.01);
    assert_true(fabs(peak - ypk) < 0.01);
    assert_true(fabs(phi[N - 1] - 1.0) < 1e-9); /* no steady-state error */
}

/* equivalent noise bandwidth of the impulse response (input phase -> NCO phase) */
static double noise_bw(double T, double bn_pll, double bn_fll)
{
    static double theta[N], phi[N], dphi[N];
    for (int k = 0; k < N; k++)
        theta[k] = k == 0 ? 1.0 : 0.0;
    if (bn_pll > 0) {
        run_loop(theta, phi, NULL, NULL, N, T, bn_pll, 0.0);
    } else { /* FLL alone: frequency in, NCO frequency out; the impulse is in frequency */
        bx_trk_carr_loop_t l = {0.0};
        double fin = 0.0;
        for (int k = 0; k < N; k++) {
            fin = k == 0 ? 1.0 : 0.0;
            phi[k] = l.vel_hz;
            bx_trk_carr_loop_update(&l, 0.0, fin - l.vel_hz, T, 0.0, bn_fll);
        }
        (void)dphi;
    }
    double s = 0.0, s2 = 0.0;
    for (int k = 0; k < N; k++)
        s += phi[k], s2 += phi[k] * phi[k];
    return s2 / (2.0 * T * s * s);
}

static void test_noise_bandwidth(void **state)
{
    (void)state;
    static const struct {
        double T, bn, tol; /* tolerance: the discrete loop widens with BnT (update delay) */
    } c[] = {{1e-3, 1.0, 0.02}, {1e-3, 2.0, 0.02}, {10e-3, 1.0, 0.03}, {10e-3, 5.0, 0.15}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const double b = noise_bw(c[i].T, c[i].bn, 0.0);
        printf("NOTE: PLL Bn design %.1f Hz, T %.0f ms (BnT %.3f): measured noise bandwidth %.3f Hz (%+.1f %%)\n",
               c[i].bn, c[i].T * 1e3, c[i].bn * c[i].T, b, 100 * (b / c[i].bn - 1));
        assert_true(fabs(b / c[i].bn - 1.0) < c[i].tol);
        assert_true(b > c[i].bn * 0.99); /* the delay only widens */
    }
    /* 1st-order FLL: h[k] = g (1 - g)^(k-1), g = 4 Bn T  ->  B = 4 Bn / (2 (2 - g)) exactly */
    const double T = 1e-3, bn = 10.0, g = 4 * bn * T;
    const double b = noise_bw(T, 0.0, bn), want = 4 * bn / (2 * (2 - g));
    printf("NOTE: FLL Bn design %.1f Hz, T 1 ms: measured %.3f Hz, analytic discrete %.3f Hz\n", bn, b, want);
    assert_true(fabs(b - want) < 1e-6 * want);
    assert_true(fabs(b / bn - 1.0) < 0.03);
}

static void test_pll_ramp_and_frequency_step(void **state)
{
    (void)state;
    static double theta[N], phi[N], dphi[N], f[N];
    const double T = 10e-3, bn = 5.0, wp = bn / 0.53, a = 0.8; /* Hz/s */
    const int n = 4000;                                           /* 40 s */
    for (int k = 0; k < n; k++) {
        const double t = k * T;
        theta[k] = 0.5 * a * t * t + 100.0 * t; /* 100 Hz offset + 0.8 Hz/s ramp (cycles) */
    }
    run_loop(theta, phi, dphi, f, n, T, bn, 0.0);
    const double want = a / (wp * wp);
    printf("NOTE: PLL Bn 5 Hz, 0.8 Hz/s Doppler rate: static error %.6f cycles (%.4f rad), analytic a/wp^2 %.6f\n",
           dphi[n - 1], 2 * M_PI * dphi[n - 1], want);
    assert_true(fabs(dphi[n - 1] - want) < 1e-4 * want);
    assert_true(fabs(f[n - 1] - (100.0 + a * (n - 1) * T)) < 0.1);
    /* frequency step alone: no static phase error */
    for (int k = 0; k < n; k++)
        theta[k] = 3.0 * k * T;
    run_loop(theta, phi, dphi, f, n, T, bn, 0.0);
    assert_true(fabs(dphi[n - 1]) < 1e-9);
    assert_true(fabs(f[n - 1] - 3.0) < 1e-6);
    /* FLL assist alone pulls a 40 Hz offset in: exponential with g = 4 Bn T per period */
    bx_trk_carr_loop_t l = {0.0};
    const double bf = 2.0, g = 4 * bf * T;
    for (int k = 0; k < 100; k++)
        bx_trk_carr_loop_update(&l, 0.0, 40.0 - l.vel_hz, T, 0.0, bf);
    assert_true(fabs((40.0 - l.vel_hz) - 40.0 * pow(1 - g, 100)) < 1e-9);
}

static void test_discriminators(void **state)
{
    (void)state;
    for (double ph = -0.24; ph <= 0.24; ph += 0.01) {
        const double complex p = 3.0 * cexp(2 * M_PI * I * ph);
        assert_true(fabs(bx_trk_pll_disc(p, 1) - ph) < 1e-12);
        assert_true(fabs(bx_trk_pll_disc(-p, 1) - ph) < 1e-12); /* a data sign does not matter */
        assert_true(fabs(bx_trk_pll_disc(p, 0) - ph) < 1e-12);
    }
    assert_true(fabs(bx_trk_pll_disc(cexp(2 * M_PI * I * 0.4), 0) - 0.4) < 1e-12);
    assert_true(fabs(bx_trk_pll_disc(cexp(2 * M_PI * I * 0.4), 1) - (0.4 - 0.5)) < 1e-12);
    /* FLL: z = conj(p0) p1 with p1 = p0 e^{j 2 pi f dt}; unambiguous for |f| < 1 / (2 dt) */
    for (double fhz = -240; fhz <= 240; fhz += 20) {
        const double dt = 2e-3;
        const double complex p0 = 2.0 * cexp(I * 0.7), p1 = p0 * cexp(2 * M_PI * I * fhz * dt);
        assert_true(fabs(bx_trk_fll_disc(conj(p0) * p1, dt) - fhz) < 1e-9);
    }
    assert_true(bx_trk_fll_disc(0.0, 1e-3) == 0.0);
    /* DLL on the exact correlation shapes: R = 1 - k|tau| (k = 1 BPSK, 3 BOC(1,1) main peak);
     * the correction is -tau inside the linear range */
    for (int boc = 0; boc <= 1; boc++) {
        const double k = boc ? 3.0 : 1.0, d = boc ? 0.2 : 0.5;
        for (double tau = -0.9 * d / 2; tau <= 0.9 * d / 2; tau += d / 40) {
            const double e = 1 - k * fabs(tau + d / 2), l = 1 - k * fabs(tau - d / 2);
            assert_true(fabs(bx_trk_dll_disc(e, l, d, boc) + tau) < 1e-12);
        }
    }
    assert_true(bx_trk_dll_disc(0.0, 0.0, 0.5, 0) == 0.0);
}

/* The DLL on the correlation of a real ranging code (B2a pilot PRN 1, BPSK(10)): the
 * code sampled 16 times per chip, correlated with itself delayed by tau; the discriminator must
 * return -tau within 3 % of d (the code's autocorrelation is a triangle plus small sidelobes). */
static void test_dll_on_code(void **state)
{
    (void)state;
    enum { OS = 16 };
    static int8_t chips[BX_CODE_LEN_MAX];
    bx_code_id_t id;
    assert_int_equal(bx_code_from_name("B2AP", &id), BX_OK);
    const int len = bx_code_gen(id, 1, chips, BX_CODE_LEN_MAX);
    assert_int_equal(len, 10230);
    const double d = 0.5;
    /* R(x) at a delay of x chips (multiple of 1/OS) */
    double worst = 0.0;
    for (int t16 = -3; t16 <= 3; t16++) {
        const double tau = (double)t16 / OS;
        double r[2];
        for (int side = 0; side < 2; side++) {
            const int off = t16 + (side == 0 ? OS / 4 : -OS / 4); /* tau + d/2, tau - d/2 in samples */
            long acc = 0;
            for (long s = 0; s < (long)len * OS; s++) {
                long s2 = s + off;
                s2 = ((s2 % ((long)len * OS)) + (long)len * OS) % ((long)len * OS);
                acc += chips[s / OS] * chips[s2 / OS];
            }
            r[side] = fabs((double)acc / ((double)len * OS));
        }
        const double corr = bx_trk_dll_disc(r[0], r[1], d, 0);
        worst = fmax(worst, fabs(corr + tau));
    }
    printf("NOTE: DLL on the B2a pilot code's own correlation: within %.4f chips of -tau (d = 0.5)\n", worst);
    assert_true(worst < 0.03 * d);
}

/* B1C differential secondary sync (bx_trk_sec_search_c): products z_k = p_k conj(p_k-1) of a
 * pilot with its 1800-chip secondary code, a carrier 30 Hz off (the products turn by 108 deg)
 * and noise at rho = 2 (25 dB-Hz) over 200 periods: the offset is found, and the phase of the
 * wiped sum gives the frequency; noise alone and another PRN's code give no sync. */
static double gauss(uint64_t *s)
{
    double u1, u2;
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    u1 = ((*s >> 11) + 0.5) / 9007199254740992.0;
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    u2 = ((*s >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void test_differential_sync_b1c(void **state)
{
    (void)state;
    int8_t sec[1800], dsec[1800], other[1800];
    assert_int_equal(bx_code_gen(BX_CODE_B1CS, 27, sec, 1800), 1800);
    assert_int_equal(bx_code_gen(BX_CODE_B1CS, 28, other, 1800), 1800);
    for (int j = 0; j < 1800; j++)
        dsec[j] = (int8_t)(sec[j] * sec[(j + 1799) % 1800]);
    enum { M = 200 };
    const double T = 0.01, df = 30.0, rho = 2.0, sigma = sqrt(0.5 / rho); /* |A| = 1, noise per component */
    uint64_t seed = 0x1234567;
    int found = 0, right = 0;
    double worst_df = 0.0;
    for (int trial = 0; trial < 20; trial++) {
        const int first = (trial * 397 + 11) % 1800; /* chip of the first prompt */
        double complex prev = 0;
        float complex z[M], zn[M];
        for (int k = 0; k <= M; k++) {
            const int chip = (first + k) % 1800;
            const double complex p = sec[chip] * cexp(I * (2.0 * M_PI * df * T * k + 0.7)) +
                                     sigma * (gauss(&seed) + I * gauss(&seed));
            if (k > 0)
                z[k - 1] = (float complex)(p * conj(prev));
            prev = p;
        }
        int bo = -1;
        if (bx_trk_sec_search_c(z, M, dsec, 1800, &bo)) {
            found++;
            /* z[0] is the product of chips (first + 1, first) = dsec[first + 1] */
            right += bo == (first + 1) % 1800;
            double complex c = 0;
            for (int i = 0; i < M; i++)
                c += dsec[(bo + i) % 1800] * z[i];
            worst_df = fmax(worst_df, fabs(bx_trk_fll_disc(c, T) - df));
        }
        for (int i = 0; i < M; i++)
            zn[i] = (float complex)(sigma * sigma * (gauss(&seed) + I * gauss(&seed)));
        assert_int_equal(bx_trk_sec_search_c(zn, M, dsec, 1800, &bo), 0);
        int8_t dother[1800];
        for (int j = 0; j < 1800; j++)
            dother[j] = (int8_t)(other[j] * other[(j + 1799) % 1800]);
        assert_int_equal(bx_trk_sec_search_c(z, M, dother, 1800, &bo), 0);
    }
    printf("NOTE: B1C differential sync at rho 2 (25 dB-Hz), 30 Hz off, 200 periods: %d/20 found, %d at the right "
           "offset, frequency from the products within %.2f Hz\n", found, right, worst_df);
    assert_int_equal(found, 20);
    assert_int_equal(right, 20);
    assert_true(worst_df < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pll_step_response), cmocka_unit_test(test_noise_bandwidth),
        cmocka_unit_test(test_pll_ramp_and_frequency_step), cmocka_unit_test(test_discriminators),
        cmocka_unit_test(test_dll_on_code), cmocka_unit_test(test_differential_sync_b1c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
