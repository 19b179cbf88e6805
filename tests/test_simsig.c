/* Simulator core: the generated B1C / B2a signals are checked by correlating
 * with replicas built here from bx_code_gen codes and the ICD timing rules
 * (chip = transmit time x chip rate, secondary chip = primary period of the
 * frame, symbols from the callback), independent of the generator's loop:
 * code phase, Doppler, secondary-code alignment, data symbols, pilot/data
 * phase, C/N0 level (complex and real-IF output, QMBOC split), chunking
 * continuity, carrier coherence with tau jumps, seeds, and packing into every
 * capture format through bx_iq_pack / bx_iq_convert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "bdsrx/iq.h"
#include "bdsrx/simsig.h"

/* ---- independent replica model ---- */

typedef struct {
    int sig, prn;
    bx_time_t tau; /* transmit time at sample 0 */
    double rate;
    double fs, if_hz;
    int8_t cd[10230], cp[10230], cs[1800];
} model_t;

static void model_init(model_t *m, int sig, int prn, bx_time_t tau, double doppler_hz, double fs, double if_hz)
{
    int b1c = sig == BX_SIG_B1C;
    m->sig = sig;
    m->prn = prn;
    m->tau = tau;
    m->rate = 1.0 + doppler_hz / (b1c ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ);
    m->fs = fs;
    m->if_hz = if_hz;
    assert_int_equal(bx_code_gen(b1c ? BX_CODE_B1CD : BX_CODE_B2AD, prn, m->cd, 10230), 10230);
    assert_int_equal(bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, prn, m->cp, 10230), 10230);
    assert_true(bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, prn, m->cs, 1800) > 0);
}

enum { COMP_DATA, COMP_PILOT, COMP_PILOT_BOC61 };

/* Chips since the frame start (B1C 18 s, B2a 3 s; signals.md §1.3) at sample 0. */
static double model_chips0(const model_t *m)
{
    int b1c = m->sig == BX_SIG_B1C;
    int frame = b1c ? 18 : 3;
    return ((double)(m->tau.sec % frame) + m->tau.frac_s) * (b1c ? 1.023e6 : 10.23e6);
}

/* Correlation sum x[k] * replica(k) over samples k0..k0+n-1 with a code offset (chips, replica
 * delayed by +off), a Doppler offset and a secondary-code index shift (< 0: pilot without its
 * secondary code). */
static double complex correlate(const bx_cf32_t *x, size_t k0, size_t n, const model_t *m, int comp, double off_chips,
                                double dopp_off_hz, int sec_shift)
{
    const int b1c = m->sig == BX_SIG_B1C;
    const double chip_hz = b1c ? 1.023e6 : 10.23e6;
    const double f = b1c ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    const double fd = f * (m->rate - 1.0) + m->if_hz + dopp_off_hz;
    const double c0 = model_chips0(m) - off_chips;
    const int sec_len = b1c ? 1800 : 100, per_frame = b1c ? 1800 : 3000;
    static const int8_t ds[5] = {1, 1, 1, -1, 1};
    double complex acc = 0;
    for (size_t k = k0; k < k0 + n; k++) {
        double c = c0 + (double)k * m->rate * chip_hz / m->fs;
        long period = (long)floor(c / 10230.0);
        double cph = c - (double)period * 10230.0;
        int chip = (int)cph;
        double fr = cph - chip;
        period = ((period % per_frame) + per_frame) % per_frame;
        double v;
        if (comp == COMP_DATA) {
            v = m->cd[chip] * (b1c ? (fr < 0.5 ? 1 : -1) : ds[period % 5]);
        } else {
            int sc = sec_shift < 0 ? 1 : m->cs[(period + sec_shift) % sec_len]; /* < 0: no secondary */
            if (comp == COMP_PILOT_BOC61)
                v = sc * m->cp[chip] * ((((int)(fr * 12.0)) & 1) ? -1 : 1);
            else
                v = sc * m->cp[chip] * (b1c ? (fr < 0.5 ? 1 : -1) : 1);
        }
        double ph = -2.0 * M_PI * fd * (double)k / m->fs;
        acc += (double complex)x[k] * v * cexp(I * ph);
    }
    return acc;
}

/* C/N0 (dB-Hz) of one component from a coherent correlation of n samples with noise of complex
 * variance var_c per sample: SNR = (|R|^2 - n var_c) / (n var_c) = C_comp T / N0. */
static double cn0_from(double complex r, size_t n, double var_c, double fs, double comp_fraction)
{
    double T = (double)n / fs;
    double snr = (cabs(r) * cabs(r) - (double)n * var_c) / ((double)n * var_c);
    return 10.0 * log10(snr / T / comp_fraction);
}

/* data symbol source: a fixed pseudo-random function of the symbol index */
typedef struct {
    int calls;
    int64_t last_idx;
    bx_time_t last_t;
} cb_state_t;

static int sym_value(int64_t idx)
{
    return (int)(((uint64_t)idx * 0x9E3779B97F4A7C15ull) >> 63);
}

static int sym_cb(void *user, int slot, int sig, int prn, bx_time_t t, int64_t idx)
{
    cb_state_t *st = user;
    st->calls++;
    st->last_idx = idx;
    st->last_t = t;
    /* the symbol start is an exact multiple of the symbol period */
    double per = sig == BX_SIG_B1C ? 0.01 : 0.005;
    double q = ((double)t.sec + t.frac_s) / per;
    assert_true(fabs(q - (double)idx) < 1e-6);
    (void)slot;
    (void)prn;
    return sym_value(idx);
}

/* ---- B2a ---- */

static void test_b2a_signal(void **s)
{
    (void)s;
    const double fs = 20.46e6, dopp = 1523.0, cn0 = 55.0; /* level estimate sigma ~0.1 dB */
    const size_t n = (size_t)(fs * 0.030); /* 30 ms */
    bx_cf32_t *x = malloc(n * sizeof *x);
    assert_non_null(x);
    cb_state_t cb = {0};
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.seed = 11;
    c.symbol = sym_cb;
    c.user = &cb;
    bx_simsig_t *g = NULL;
    bx_simsig_create(&c, &g, NULL, 0);
    assert_non_null(g);
    /* tau: 2.4 s into a 3-s frame + 1234.5 chips: period 2400 of the frame, pilot secondary chip 0 */
    bx_time_t tau = {900000000 + 2, 0.4 + 1234.5 / 10.23e6};
    bx_simsig_sat_t sat = {BX_SIG_B2A, 7, tau, 0.0, dopp, cn0, 0.0};
    assert_int_equal(bx_simsig_set_sat(g, 3, &sat), BX_OK);
    assert_int_equal(bx_simsig_generate(g, x, n), BX_OK);
    assert_int_equal(bx_simsig_sample_index(g), n);

    model_t *m = malloc(sizeof *m);
    model_init(m, BX_SIG_B2A, 7, tau, dopp, fs, 0.0);
    /* code phase and Doppler: the pilot peak is at the requested values */
    double complex r0 = correlate(x, 0, n, m, COMP_PILOT, 0.0, 0.0, 0);
    const double offs[] = {-1.0, -0.5, 0.5, 1.0};
    for (int i = 0; i < 4; i++)
        assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, offs[i], 0.0, 0)) < 0.6 * cabs(r0));
    assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, 0.0, 60.0, 0)) < 0.3 * cabs(r0));
    assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, 0.0, -60.0, 0)) < 0.3 * cabs(r0));
    /* secondary code aligned with the frame: one chip off decorrelates */
    assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, 0.0, 0.0, 1)) < 0.4 * cabs(r0));
    /* pilot in quadrature (+j) with carrier phase 0 at sample 0 */
    assert_true(fabs(carg(r0) - M_PI / 2) < 0.05);
    /* level: pilot carries half the power */
    double est = cn0_from(r0, n, 2.0, fs, 0.5);
    printf("B2a: pilot-derived C/N0 %.2f dB-Hz (set %.1f)\n", est, cn0);
    assert_true(fabs(est - cn0) < 0.4);
    /* data symbols: 5-ms symbols, sign = callback value, data component in phase */
    double chips0 = model_chips0(m);
    long p0 = (long)floor(chips0 / 10230.0);
    int checked = 0;
    for (long p = p0 + 1; p + 5 <= p0 + 29; p++) {
        if (p % 5)
            continue;
        /* samples of periods p..p+4 */
        size_t k0 = (size_t)ceil(((double)p * 10230.0 - chips0) / (m->rate * 10.23e6 / fs));
        size_t len = (size_t)(5 * 10230.0 / (m->rate * 10.23e6 / fs)) - 1;
        double complex r = correlate(x, k0, len, m, COMP_DATA, 0.0, 0.0, 0);
        int64_t idx = (int64_t)900000000 * 200 + p / 5; /* frame start 900000000 s, 200 symbols/s */
        int want = sym_value(idx);
        double ang = carg(r * (want ? -1.0 : 1.0));
        if (fabs(ang) > 0.2)
            fail_msg("B2a symbol %lld: correlation %g%+gi, want logic %d", (long long)idx, creal(r), cimag(r), want);
        checked++;
    }
    assert_true(checked >= 4);
    assert_true(cb.calls >= 6);
    free(m);
    free(x);
    bx_simsig_destroy(g);
}

/* ---- B1C ---- */

static void b1c_case(int qmboc)
{
    const double fs = 4.092e6, dopp = -2345.6, cn0 = 52.0; /* level estimate sigma ~0.1 dB */
    const size_t n = (size_t)(fs * 0.040); /* 40 ms */
    bx_cf32_t *x = malloc(n * sizeof *x);
    assert_non_null(x);
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.seed = 5;
    c.b1c_qmboc = qmboc;
    c.symbol = sym_cb;
    cb_state_t cb = {0};
    c.user = &cb;
    bx_simsig_t *g = NULL;
    bx_simsig_create(&c, &g, NULL, 0);
    /* tau: 18-s frame start + 7.19 s + 5678.3 chips: primary period 719 of the frame (PRN 19's
     * secondary chips 720..722 are 0,1,1: both signs occur) */
    bx_time_t tau = {18 * 50000000LL + 7, 0.19 + 5678.3 / 1.023e6};
    bx_simsig_sat_t sat = {BX_SIG_B1C, 19, tau, 0.0, dopp, cn0, 0.0};
    assert_int_equal(bx_simsig_set_sat(g, 0, &sat), BX_OK);
    assert_int_equal(bx_simsig_generate(g, x, n), BX_OK);
    model_t *m = malloc(sizeof *m);
    model_init(m, BX_SIG_B1C, 19, tau, dopp, fs, 0.0);
    double complex r0 = correlate(x, 0, n, m, COMP_PILOT, 0.0, 0.0, 0);
    const double offs[] = {-0.5, -0.25, 0.25, 0.5, 2.0};
    for (int i = 0; i < 5; i++)
        assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, offs[i], 0.0, 0)) < 0.8 * cabs(r0));
    assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, 0.0, 50.0, 0)) < 0.3 * cabs(r0));
    assert_true(fabs(carg(r0) - M_PI / 2) < 0.08);
    /* BOC(1,1) pilot share: 3/4 (BOC(1,1) only) or 3/4 x 29/33 (QMBOC) */
    double frac = qmboc ? 0.75 * 29.0 / 33.0 : 0.75;
    double est = cn0_from(r0, n, 2.0, fs, frac);
    printf("B1C%s: pilot-derived C/N0 %.2f dB-Hz (set %.1f)\n", qmboc ? " QMBOC" : "", est, cn0);
    assert_true(fabs(est - cn0) < 0.4);
    /* BOC(6,1) part: in phase (real), 3/4 x 4/33 of the power, absent without QMBOC */
    double complex r6 = correlate(x, 0, n, m, COMP_PILOT_BOC61, 0.0, 0.0, 0);
    if (qmboc) {
        double e6 = cn0_from(r6, n, 2.0, fs, 0.75 * 4.0 / 33.0);
        printf("B1C QMBOC: BOC(6,1)-derived C/N0 %.2f dB-Hz\n", e6);
        assert_true(fabs(e6 - cn0) < 1.5);
        assert_true(fabs(carg(r6)) < 0.2);
    } else {
        assert_true(cabs(r6) < 0.1 * cabs(r0));
    }
    /* per 10-ms period: pilot sign = secondary chip of the period (chip n = period n of the
     * 18-s frame), data sign = the callback's symbol, BOC(1,1), in phase */
    double chips0 = model_chips0(m);
    long p0 = (long)floor(chips0 / 10230.0);
    double spc = m->rate * 1.023e6 / fs; /* chips per sample */
    assert_int_equal(p0, 719);
    int sec_seen = 0;
    for (long p = p0 + 1; p <= p0 + 3; p++) {
        size_t k0 = (size_t)ceil(((double)p * 10230.0 - chips0) / spc);
        size_t len = (size_t)(10230.0 / spc) - 1;
        double complex rp = correlate(x, k0, len, m, COMP_PILOT, 0.0, 0.0, -1);
        if (fabs(carg(rp * -I * m->cs[p])) > 0.3)
            fail_msg("B1C pilot period %ld: correlation %g%+gi, secondary chip %d", p, creal(rp), cimag(rp), m->cs[p]);
        sec_seen |= 1 << (m->cs[p] > 0);
        double complex r = correlate(x, k0, len, m, COMP_DATA, 0.0, 0.0, 0);
        int64_t idx = 18 * 50000000LL * 100 + p;
        int want = sym_value(idx);
        if (fabs(carg(r * (want ? -1.0 : 1.0))) > 0.3)
            fail_msg("B1C symbol %lld: correlation %g%+gi, want logic %d", (long long)idx, creal(r), cimag(r), want);
        /* data = 1/4 of the power */
        double ed = cn0_from(r, len, 2.0, fs, 0.25);
        assert_true(fabs(ed - cn0) < 1.5);
    }
    assert_int_equal(sec_seen, 3);
    free(m);
    free(x);
    bx_simsig_destroy(g);
}

static void test_b1c_signal(void **s)
{
    (void)s;
    b1c_case(0);
}

static void test_b1c_qmboc(void **s)
{
    (void)s;
    b1c_case(1);
}

/* Real output at an IF (ri8 / ri1 captures): after complex mix-down the C/N0 is the requested one. */
static void test_real_if(void **s)
{
    (void)s;
    const double fs = 12e6, f_if = 3e6, dopp = 800.0, cn0 = 54.0;
    const size_t n = (size_t)(fs * 0.020);
    bx_cf32_t *x = malloc(n * sizeof *x);
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.real_output = 1;
    c.if_hz = f_if;
    c.noise_sigma = 20.0;
    bx_simsig_t *g = NULL;
    bx_simsig_create(&c, &g, NULL, 0);
    bx_time_t tau = {18 * 1000, 0.0123456};
    bx_simsig_sat_t sat = {BX_SIG_B1C, 30, tau, 0.0, dopp, cn0, 0.0};
    assert_int_equal(bx_simsig_set_sat(g, 0, &sat), BX_OK);
    bx_simsig_generate(g, x, n);
    double var = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(cimagf(x[i]) == 0.0f);
        var += crealf(x[i]) * crealf(x[i]);
    }
    var /= (double)n;
    assert_true(fabs(var / 400.0 - 1.0) < 0.05); /* noise dominates the power */
    model_t *m = malloc(sizeof *m);
    model_init(m, BX_SIG_B1C, 30, tau, dopp, fs, f_if);
    double complex r0 = correlate(x, 0, n, m, COMP_PILOT, 0.0, 0.0, 0);
    /* real noise of variance sigma^2 mixed down: complex variance sigma^2 per sample */
    double est = cn0_from(r0, n, 400.0, fs, 0.75);
    printf("B1C real IF: pilot-derived C/N0 %.2f dB-Hz (set %.1f)\n", est, cn0);
    assert_true(fabs(est - cn0) < 0.4);
    /* spectral orientation: the signal sits at +IF + Doppler, not +IF - Doppler */
    assert_true(cabs(correlate(x, 0, n, m, COMP_PILOT, 0.0, -2.0 * dopp, 0)) < 0.2 * cabs(r0));
    free(m);
    free(x);
    bx_simsig_destroy(g);
}

/* Chunking, extrapolation and carrier coherence: noise off, so samples are deterministic. */
static void test_continuity(void **s)
{
    (void)s;
    const double fs = 20.46e6;
    enum { N = 60000 };
    static bx_cf32_t a[N], b[N];
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.noise = 0;
    bx_simsig_t *g1 = NULL, *g2 = NULL;
    bx_simsig_create(&c, &g1, NULL, 0);
    bx_simsig_create(&c, &g2, NULL, 0);
    bx_time_t tau = {3 * 1000 + 2, 0.9999};
    bx_simsig_sat_t sat = {BX_SIG_B2A, 44, tau, 0.0, -3210.0, 50.0, 0.0};
    bx_simsig_sat_t sat2 = {BX_SIG_B1C, 44, tau, 0.0, 1000.0, 44.0};
    assert_int_equal(bx_simsig_set_sat(g1, 0, &sat), BX_OK);
    assert_int_equal(bx_simsig_set_sat(g1, 5, &sat2), BX_OK);
    assert_int_equal(bx_simsig_set_sat(g2, 0, &sat), BX_OK);
    assert_int_equal(bx_simsig_set_sat(g2, 5, &sat2), BX_OK);
    bx_simsig_generate(g1, a, N);
    /* g2: uneven pieces, re-setting the satellites each time from their extrapolated state */
    size_t pos = 0;
    const size_t pieces[] = {1, 999, 20460, 7, 38533};
    for (int i = 0; i < 5; i++) {
        bx_simsig_generate(g2, b + pos, pieces[i]);
        pos += pieces[i];
        bx_simsig_sat_t cur;
        double ph;
        assert_int_equal(bx_simsig_get_sat(g2, 0, &cur, &ph), BX_OK);
        assert_int_equal(bx_simsig_set_sat(g2, 0, &cur), BX_OK);
    }
    assert_int_equal(pos, N);
    for (int i = 0; i < N; i++)
        assert_true(cabsf(a[i] - b[i]) < 1e-4f * (1.0f + cabsf(a[i])));
    /* extrapolated tau after N samples */
    bx_simsig_sat_t cur;
    assert_int_equal(bx_simsig_get_sat(g1, 0, &cur, NULL), BX_OK);
    double rate = 1.0 - 3210.0 / BX_FREQ_B2A_HZ;
    double dt = (double)(cur.tx_time.sec - tau.sec) + (cur.tx_time.frac_s - tau.frac_s);
    assert_true(fabs(dt - rate * N / fs) < 1e-12);
    assert_true(fabs(cur.doppler_hz + 3210.0) < 1e-6);
    /* a tau jump of +1 ns moves the carrier phase by f_B2a x 1 ns = 1.17645 cycles */
    double ph0, ph1;
    bx_simsig_get_sat(g1, 0, &cur, &ph0);
    cur.tx_time.frac_s += 1e-9;
    bx_simsig_set_sat(g1, 0, &cur);
    bx_simsig_get_sat(g1, 0, NULL, &ph1);
    double d = ph1 - ph0 - 0.17645;
    d -= floor(d + 0.5);
    assert_true(fabs(d) < 1e-5);
    /* removing slots */
    assert_int_equal(bx_simsig_remove_sat(g1, 0), BX_OK);
    assert_int_equal(bx_simsig_get_sat(g1, 0, NULL, NULL), BX_ERR_ARG);
    bx_simsig_destroy(g1);
    bx_simsig_destroy(g2);
}

static void test_noise_and_args(void **s)
{
    (void)s;
    enum { N = 200000 };
    static bx_cf32_t a[N], b[N];
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, 4e6);
    c.noise_sigma = 3.0;
    bx_simsig_t *g1 = NULL, *g2 = NULL;
    bx_simsig_create(&c, &g1, NULL, 0);
    bx_simsig_create(&c, &g2, NULL, 0);
    bx_simsig_generate(g1, a, N);
    bx_simsig_generate(g2, b, N);
    assert_memory_equal(a, b, sizeof a);
    double mr = 0, mi = 0, vr = 0, vi = 0, ri = 0;
    for (int i = 0; i < N; i++) {
        double x = crealf(a[i]), y = cimagf(a[i]);
        mr += x, mi += y, vr += x * x, vi += y * y, ri += x * y;
    }
    mr /= N, mi /= N, vr /= N, vi /= N, ri /= N;
    assert_true(fabs(mr) < 0.03 && fabs(mi) < 0.03);
    assert_true(fabs(vr / 9.0 - 1.0) < 0.02 && fabs(vi / 9.0 - 1.0) < 0.02);
    assert_true(fabs(ri / 9.0) < 0.02);
    /* Gaussian tails (ziggurat layers, wedges and the tail beyond 3.44 sigma):
     * P(|x| > 2) = 0.0455, P(|x| > 3) = 0.00270, P(|x| > 3.5) = 4.65e-4 */
    int n2 = 0, n3 = 0, n35 = 0;
    for (int i = 0; i < N; i++) {
        double v[2] = {crealf(a[i]) / 3.0, cimagf(a[i]) / 3.0};
        for (int k = 0; k < 2; k++) {
            n2 += fabs(v[k]) > 2.0;
            n3 += fabs(v[k]) > 3.0;
            n35 += fabs(v[k]) > 3.5;
        }
    }
    printf("noise tails over %d values: >2s %d (exp %.0f), >3s %d (exp %.0f), >3.5s %d (exp %.0f)\n", 2 * N, n2,
           0.0455 * 2 * N, n3, 0.0027 * 2 * N, n35, 4.65e-4 * 2 * N);
    assert_true(fabs(n2 / (0.0455 * 2 * N) - 1.0) < 0.05);
    assert_true(fabs(n3 / (0.0027 * 2 * N) - 1.0) < 0.15);
    assert_true(fabs(n35 / (4.65e-4 * 2 * N) - 1.0) < 0.3);
    bx_simsig_destroy(g2);
    c.seed = 2;
    bx_simsig_create(&c, &g2, NULL, 0);
    bx_simsig_generate(g2, b, 16);
    assert_true(memcmp(a, b, 16 * sizeof a[0]) != 0);
    /* argument checks */
    bx_simsig_sat_t bad = {BX_SIG_COUNT, 1, {0, 0}, 0, 0, 40, 0.0}; /* B2b is simulated since issue 11 */
    assert_int_equal(bx_simsig_set_sat(g1, 0, &bad), BX_ERR_ARG);
    bad.sig = BX_SIG_B1C;
    bad.prn = 64;
    assert_int_equal(bx_simsig_set_sat(g1, 0, &bad), BX_ERR_ARG);
    bad.prn = 1;
    assert_int_equal(bx_simsig_set_sat(g1, 32, &bad), BX_ERR_ARG);
    assert_int_equal(bx_simsig_set_sat(g1, -1, &bad), BX_ERR_ARG);
    bad.tx_rate = 3.0;
    assert_int_equal(bx_simsig_set_sat(g1, 0, &bad), BX_ERR_ARG);
    c.fs_hz = 0;
    { bx_simsig_t *bad; assert_int_equal(bx_simsig_create(&c, &bad, NULL, 0), BX_ERR_ARG); assert_null(bad); }
    bx_simsig_destroy(g1);
    bx_simsig_destroy(g2);
}

/* Every capture format: pack with the format's default sigma, convert back, the signal is still
 * where it was put (and ci8/ci16/cf32 keep C/N0 within the quantisation loss). */
static void test_pack_formats(void **s)
{
    (void)s;
    const double fs = 20.46e6, dopp = -777.0, cn0 = 60.0; /* sigma of the estimate ~0.1 dB */
    const size_t n = (size_t)(fs * 0.010);
    bx_cf32_t *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    uint8_t *raw = malloc(n * 8);
    model_t *m = malloc(sizeof *m);
    bx_time_t tau = {3 * 77, 0.25 + 4321.0 / 10.23e6};
    for (int f = 0; f < BX_IQ_FORMAT_COUNT; f++) {
        int real = !bx_iq_format_is_complex(f);
        bx_simsig_config_t c;
        bx_simsig_config_default(&c, fs);
        c.noise_sigma = bx_simsig_default_sigma(f);
        c.real_output = real;
        c.if_hz = real ? 5e6 : 0.0;
        bx_simsig_t *g = NULL;
        bx_simsig_create(&c, &g, NULL, 0);
        bx_simsig_sat_t sat = {BX_SIG_B2A, 60, tau, 0.0, dopp, cn0, 0.0};
        assert_int_equal(bx_simsig_set_sat(g, 0, &sat), BX_OK);
        bx_simsig_generate(g, x, n);
        long nb = bx_iq_pack(f, x, n, 1.0f, raw);
        assert_int_equal(nb, (long)bx_iq_bytes_for(f, n));
        assert_int_equal(bx_iq_convert(f, raw, n, y), BX_OK);
        model_init(m, BX_SIG_B2A, 60, tau, dopp, fs, c.if_hz);
        double complex r0 = correlate(y, 0, n, m, COMP_PILOT, 0.0, 0.0, 0);
        double complex r1 = correlate(y, 0, n, m, COMP_PILOT, 1.0, 0.0, 0);
        /* noise variance of the decoded samples, measured */
        double var = 0;
        for (size_t i = 0; i < n; i++)
            var += crealf(y[i]) * crealf(y[i]) + cimagf(y[i]) * cimagf(y[i]);
        var /= (double)n;
        /* the measured variance includes the signal's own power (C / (N0 fs) = 0.05 at 60 dB-Hz,
         * twice that for real samples): remove it so only the noise normalises */
        var /= 1.0 + (real ? 2.0 : 1.0) * pow(10.0, cn0 / 10.0) / fs;
        double est = cn0_from(r0, n, var, fs, 0.5);
        printf("%s: pilot-derived C/N0 after packing %.2f dB-Hz (set %.1f)\n", bx_iq_format_name(f), est, cn0);
        assert_true(cabs(r0) > 5.0 * cabs(r1));
        /* quantisation loss: none for ci8/ci16/cf32/ri8; ~0.55 dB 2-bit and ~1.96 dB (2/pi) 1-bit,
         * looser there because the variance correction above is only approximate for hard limiters */
        if (f == BX_IQ_CI2)
            assert_true(est < cn0 - 0.3 && est > cn0 - 1.0);
        else if (f == BX_IQ_RI1)
            assert_true(est < cn0 - 1.2 && est > cn0 - 2.5);
        else
            assert_true(fabs(est - cn0) < 0.35);
        bx_simsig_destroy(g);
    }
    free(m);
    free(raw);
    free(y);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b2a_signal),   cmocka_unit_test(test_b1c_signal),
        cmocka_unit_test(test_b1c_qmboc),    cmocka_unit_test(test_real_if),
        cmocka_unit_test(test_continuity),   cmocka_unit_test(test_noise_and_args),
        cmocka_unit_test(test_pack_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
