/* Tracking benchmark:
 *  1. correlator throughput (Msamples/s) of each implementation (fused AVX2,
 *     portable VOLK-based, double reference) against a plain VOLK dot product
 *     (volk_32fc_x2_dot_prod_32fc) and a VOLK rotator + one dot product per
 *     tap with precomputed replicas, on the same buffers;
 *  2. tracking cost: CPU seconds per channel per second of signal at
 *     4.092 Msps (B1C) and 20.46 Msps (B2a), on a generated signal that keeps
 *     the channel locked (noise + one PRN at 45 dB-Hz), fed in cache-hot
 *     10 ms blocks as in the receiver.
 * Usage: bench_trk [seconds_of_signal (default 2)] */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <volk/volk.h>

#include "bdsrx/code.h"
#include "bdsrx/corr.h"
#include "bdsrx/trk.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* pilot + data (s = data + j pilot), 45 dB-Hz total, sigma-1 noise */
static void gen(int sig, int prn, double fs, double dop, bx_cf32_t *x, size_t n)
{
    int b1c = sig == BX_SIG_B1C;
    static int8_t cp[10230], cd[10230];
    bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, prn, cp, 10230);
    bx_code_gen(b1c ? BX_CODE_B1CD : BX_CODE_B2AD, prn, cd, 10230);
    double A = sqrt(2.0 * pow(10.0, 4.5) / fs), rc = b1c ? 1.023e6 : 10.23e6;
    double fc = b1c ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / fs, c = rc * t * (1 + dop / fc);
        double cf = floor(c);
        int chip = (int)((long)cf % 10230);
        double sc = (b1c && c - cf >= 0.5) ? -1 : 1;
        double complex s = A * (0.5 * cd[chip] * sc + I * 0.866 * cp[chip] * sc) * cexp(2 * M_PI * I * dop * t);
        double r = sqrt(-2 * log(unif())), ph = 2 * M_PI * unif();
        x[i] = (float)(creal(s) + r * cos(ph)) + I * (float)(cimag(s) + r * sin(ph));
    }
}

static void bench_corr(void)
{
    const size_t n = 20460; /* one B2a period at 20.46 Msps */
    bx_cf32_t *x = volk_malloc(n * sizeof *x, volk_get_alignment());
    bx_cf32_t *y = volk_malloc(n * sizeof *y, volk_get_alignment());
    bx_cf32_t *rep[5];
    uint8_t *tab = calloc(20460 * 2 + 64, 1);
    for (int i = 0; i < 20460 * 2 + 64; i++)
        tab[i] = (uint8_t)((unif() < 0.5 ? 0x80 : 0) | (unif() < 0.5 ? 0x40 : 0));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(unif() * 6 - 3) + I * (float)(unif() * 6 - 3);
    bx_corr_req_t r;
    memset(&r, 0, sizeof r);
    r.code_idx = 20;
    r.code_step = 0.5;
    r.carr_step_cyc = 1234.0 / 20.46e6;
    r.data_tap = 0;
    for (int k = 0; k < 5; k++) {
        rep[k] = volk_malloc(n * sizeof *rep[k], volk_get_alignment());
        for (size_t i = 0; i < n; i++)
            rep[k][i] = (tab[20 + (long)(i / 2) + k - 2] & 0x80) ? -1.0f : 1.0f;
    }
    printf("correlator, %zu-sample blocks (Msamples/s, higher is better):\n", n);
    const int impls[] = {BX_CORR_AVX2, BX_CORR_GENERIC, BX_CORR_REF};
    for (int m = 0; m < 3; m++) {
        bx_corr_t *c = bx_corr_create(impls[m]);
        if (!c) {
            printf("  %-14s not supported on this CPU\n", bx_corr_impl_name(impls[m]));
            continue;
        }
        for (int nt = 3; nt <= 5; nt += 2) {
            r.ntaps = nt;
            for (int k = 0; k < nt; k++)
                r.tap_off[k] = 0.25 * (k - nt / 2);
            int it = impls[m] == BX_CORR_REF ? 20 : impls[m] == BX_CORR_GENERIC ? 300 : 3000;
            bx_corr_out_t o;
            double t0 = cpu_now();
            for (int i = 0; i < it; i++)
                bx_corr_run(c, x, n, tab, &r, &o);
            double dt = cpu_now() - t0;
            printf("  %-14s %d taps (+data): %8.1f Msps\n", bx_corr_impl_name(impls[m]), nt,
                   (double)it * n / dt / 1e6);
        }
        bx_corr_destroy(c);
    }
    lv_32fc_t res, ph = 1.0f, inc = cexpf(-I * 0.001f);
    int it = 3000;
    double t0 = cpu_now();
    for (int i = 0; i < it; i++)
        volk_32fc_x2_dot_prod_32fc(&res, x, rep[0], (unsigned)n);
    double dt = cpu_now() - t0;
    printf("  volk_32fc_x2_dot_prod_32fc (1 complex dot product, no wipe-off): %8.1f Msps\n",
           (double)it * n / dt / 1e6);
    t0 = cpu_now();
    for (int i = 0; i < it; i++) {
        volk_32fc_s32fc_x2_rotator_32fc(y, x, inc, &ph, (unsigned)n);
        for (int k = 0; k < 3; k++)
            volk_32fc_x2_dot_prod_32fc(&res, y, rep[k], (unsigned)n);
    }
    dt = cpu_now() - t0;
    printf("  VOLK rotator + 3 dot products (replicas precomputed, not counted): %8.1f Msps\n",
           (double)it * n / dt / 1e6);
    for (int k = 0; k < 5; k++)
        volk_free(rep[k]);
    volk_free(x);
    volk_free(y);
    free(tab);
}

static void bench_track(int sig, double fs, double secs)
{
    size_t n = (size_t)(fs * secs);
    bx_cf32_t *x = malloc(n * sizeof *x);
    if (!x) {
        printf("out of memory\n");
        return;
    }
    const double dop = 1500.0;
    gen(sig, 21, fs, dop, x, n);
    bx_trk_config_t c;
    bx_trk_config_default(&c, sig, 21, fs, 0.0);
    bx_acq_result_t a;
    memset(&a, 0, sizeof a);
    a.prn = 21;
    a.detected = 1;
    a.doppler_hz = dop + 3.0;
    a.code_phase_chips = 0.05;
    bx_trk_t *t = bx_trk_create(&c, &a, 0);
    /* Samples reach the channels in short blocks that are still in cache
     * (converted just before, shared by all channels), so each 10 ms block is
     * copied to a hot buffer first (not timed); timing the pass over the
     * multi-100-MB generated array would measure DRAM bandwidth instead. */
    size_t blk = (size_t)(fs * 0.01);
    bx_cf32_t *hot = malloc(blk * sizeof *hot);
    double dt = 0;
    for (size_t p = 0; p < n; p += blk) {
        size_t m = p + blk <= n ? blk : n - p;
        memcpy(hot, x + p, m * sizeof *hot);
        double t0 = cpu_now();
        bx_trk_process(t, hot, m, p);
        dt += cpu_now() - t0;
    }
    free(hot);
    bx_trk_obs_t o;
    bx_trk_observe(t, n - 1, &o);
    printf("tracking %s at %.3f Msps: %.4f CPU s per channel-second (%.0f channels per core); "
           "state %s, cn0 %.1f dB-Hz\n",
           sig == BX_SIG_B1C ? "B1C" : "B2a", fs / 1e6, dt / secs, secs / dt, bx_trk_state_name(o.state),
           o.cn0_dbhz);
    bx_trk_destroy(t);
    free(x);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    if (!(secs > 0.1 && secs < 100))
        secs = 2.0;
    bx_corr_t *c = bx_corr_create(BX_CORR_AUTO);
    printf("correlator selected at run time: %s\n", bx_corr_impl_name(bx_corr_impl(c)));
    bx_corr_destroy(c);
    bench_corr();
    bench_track(BX_SIG_B1C, 4.092e6, secs);
    bench_track(BX_SIG_B2A, 20.46e6, secs);
    return 0;
}
