/* Tracking benchmark:
 *  1. correlator throughput (Msamples/s) of each implementation (fused AVX2,
 *     portable VOLK-based, double reference) against a plain VOLK dot product
 *     (volk_32fc_x2_dot_prod_32fc, the limit: one complex multiply-add per
 *     sample, no wipe-off, replica precomputed) and a VOLK rotator + one dot
 *     product per tap, on the same buffers; each implementation's output is
 *     checked against the double-precision reference on the same request;
 *  2. tracking cost: CPU seconds per channel per second of signal at
 *     4.092 Msps (B1C) and 20.46 Msps (B2a), on a generated signal that keeps
 *     the channel locked (noise + one PRN at 45 dB-Hz), fed in cache-hot
 *     10 ms blocks as in the receiver, and the implied channels per core;
 *     the 20.46 Msps figure against the peer figure of issue 2 (peer.h).
 * Times are CPU time of this thread (the machine may be shared); for a
 * load-independent measure see bench/callgrind.sh (instruction counts).
 * Lines starting "SUMMARY" are collected by bench/run.sh.
 * Usage: bench_trk [seconds_of_signal (default 2)]
 *        bench_trk --kernel avx2|generic|ref|volkdot ITER
 *            runs only that kernel ITER times on the 20460-sample block (3 taps + data)
 *            inside kernel_loop(), for valgrind --tool=callgrind --toggle-collect=kernel_loop */
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
#include "peer.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* xorshift64: deterministic test signals, state owned by the caller */
static double unif(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return ((double)(*rng >> 11) + 0.5) / 9007199254740992.0;
}

/* pilot + data (s = data + j pilot), 45 dB-Hz total, sigma-1 noise */
static void gen(int sig, int prn, double fs, double dop, bx_cf32_t *x, size_t n)
{
    int b1c = sig == BX_SIG_B1C;
    int8_t cp[10230], cd[10230];
    uint64_t rng = 0x9E3779B97F4A7C15ull;
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
        double r = sqrt(-2 * log(unif(&rng))), ph = 2 * M_PI * unif(&rng);
        x[i] = (float)(creal(s) + r * cos(ph)) + I * (float)(cimag(s) + r * sin(ph));
    }
}

/* The correlator workload: one B2a period at 20.46 Msps (20460 samples, 2 samples per
 * table entry), random samples, random pilot/data table, 3 or 5 taps + data. */
enum { CORR_N = 20460, CORR_TAB = 20460 * 2 + 64 };
typedef struct {
    bx_cf32_t *x, *y, *rep[5]; /* input, rotator output, precomputed +-1 replicas per tap */
    uint8_t *tab;
    bx_corr_req_t req;
} corr_work_t;

static void corr_work_free(corr_work_t *w)
{
    volk_free(w->x);
    volk_free(w->y);
    for (int k = 0; k < 5; k++)
        volk_free(w->rep[k]);
    free(w->tab);
}

static int corr_work_init(corr_work_t *w)
{
    memset(w, 0, sizeof *w);
    const size_t al = volk_get_alignment(), n = CORR_N;
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    w->x = volk_malloc(n * sizeof *w->x, al);
    w->y = volk_malloc(n * sizeof *w->y, al);
    w->tab = calloc(CORR_TAB, 1);
    int ok = w->x && w->y && w->tab;
    for (int k = 0; k < 5; k++)
        ok &= (w->rep[k] = volk_malloc(n * sizeof *w->rep[k], al)) != NULL;
    if (!ok) {
        corr_work_free(w);
        return -1;
    }
    for (int i = 0; i < CORR_TAB; i++)
        w->tab[i] = (uint8_t)((unif(&rng) < 0.5 ? BX_CORR_PILOT_NEG : 0) | (unif(&rng) < 0.5 ? BX_CORR_DATA_NEG : 0));
    for (size_t i = 0; i < n; i++)
        w->x[i] = (float)(unif(&rng) * 6 - 3) + I * (float)(unif(&rng) * 6 - 3);
    w->req.code_idx = 20;
    w->req.code_step = 0.5;
    w->req.carr_step_cyc = 1234.0 / 20.46e6;
    w->req.data_tap = 0;
    for (int k = 0; k < 5; k++)
        for (size_t i = 0; i < n; i++)
            w->rep[k][i] = (w->tab[20 + (long)(i / 2) + k - 2] & BX_CORR_PILOT_NEG) ? -1.0f : 1.0f;
    return 0;
}

static void corr_set_taps(corr_work_t *w, int nt)
{
    w->req.ntaps = nt;
    for (int k = 0; k < nt; k++)
        w->req.tap_off[k] = 0.25 * (k - nt / 2);
}

/* Largest |out - ref| over taps and data, relative to the largest |ref|. */
static double corr_rel_err(const bx_corr_out_t *o, const bx_corr_out_t *ref, int nt)
{
    double emax = cabsf(o->data - ref->data), rmax = cabsf(ref->data);
    for (int k = 0; k < nt; k++) {
        emax = fmax(emax, cabsf(o->tap[k] - ref->tap[k]));
        rmax = fmax(rmax, cabsf(ref->tap[k]));
    }
    return rmax > 0 ? emax / rmax : emax;
}

/* The timed/instrumented loop of one kernel (noinline: callgrind toggles on it).
 * impl < 0: the plain VOLK dot product (the limit). */
__attribute__((noinline)) static void kernel_loop(bx_corr_t *c, int impl, corr_work_t *w, int iters,
                                                  bx_corr_out_t *o)
{
    lv_32fc_t res = 0;
    for (int i = 0; i < iters; i++) {
        if (impl < 0)
            volk_32fc_x2_dot_prod_32fc(&res, w->x, w->rep[0], CORR_N);
        else
            bx_corr_run(c, w->x, CORR_N, w->tab, &w->req, o);
    }
    if (impl < 0)
        o->tap[0] = res;
}

static void bench_corr(void)
{
    corr_work_t w;
    if (corr_work_init(&w)) {
        printf("out of memory\n");
        return;
    }
    const size_t n = CORR_N;
    bx_corr_out_t o, ref;
    int it = 3000;
    double t0 = cpu_now();
    kernel_loop(NULL, -1, &w, it, &o);
    const double volk_msps = (double)it * n / (cpu_now() - t0) / 1e6;
    printf("correlator, %zu-sample blocks (Msamples/s, higher is better; limit = plain VOLK dot product):\n", n);
    printf("  volk_32fc_x2_dot_prod_32fc (1 complex dot product, no wipe-off, replica precomputed): %8.1f Msps\n",
           volk_msps);
    const int impls[] = {BX_CORR_AVX2, BX_CORR_GENERIC, BX_CORR_REF};
    double msps3[3] = {0, 0, 0};
    bx_corr_t *cref = NULL;
    bx_corr_create(BX_CORR_REF, &cref, NULL, 0);
    for (int m = 0; m < 3; m++) {
        bx_corr_t *c = NULL;
        bx_corr_create(impls[m], &c, NULL, 0);
        if (!c || !cref) {
            printf("  %-14s not supported on this CPU\n", bx_corr_impl_name(impls[m]));
            bx_corr_destroy(c);
            continue;
        }
        for (int nt = 3; nt <= 5; nt += 2) {
            corr_set_taps(&w, nt);
            bx_corr_run(cref, w.x, n, w.tab, &w.req, &ref);
            it = impls[m] == BX_CORR_REF ? 20 : impls[m] == BX_CORR_GENERIC ? 300 : 3000;
            t0 = cpu_now();
            kernel_loop(c, impls[m], &w, it, &o);
            const double msps = (double)it * n / (cpu_now() - t0) / 1e6;
            printf("  %-14s %d taps (+data): %8.1f Msps = %.2f x VOLK dot product; max rel. diff vs ref %.1e\n",
                   bx_corr_impl_name(impls[m]), nt, msps, msps / volk_msps, corr_rel_err(&o, &ref, nt));
            if (nt == 3)
                msps3[m] = msps;
        }
        bx_corr_destroy(c);
    }
    bx_corr_destroy(cref);
    for (int m = 0; m < 3; m++)
        if (msps3[m] > 0)
            printf("SUMMARY correlator %-13s 3 taps+data: %7.1f Msps = %.2f x VOLK dot product (%.0f Msps), "
                   "%.1f x double reference\n",
                   bx_corr_impl_name(impls[m]), msps3[m], msps3[m] / volk_msps, volk_msps,
                   msps3[2] > 0 ? msps3[m] / msps3[2] : 0.0);
    lv_32fc_t res, ph = 1.0f, inc = cexpf(-I * 0.001f);
    it = 3000;
    t0 = cpu_now();
    for (int i = 0; i < it; i++) {
        volk_32fc_s32fc_x2_rotator_32fc(w.y, w.x, inc, &ph, (unsigned)n);
        for (int k = 0; k < 3; k++)
            volk_32fc_x2_dot_prod_32fc(&res, w.y, w.rep[k], (unsigned)n);
    }
    const double dt = cpu_now() - t0;
    printf("  VOLK rotator + 3 dot products (replicas precomputed, not counted): %8.1f Msps\n",
           (double)it * n / dt / 1e6);
    corr_work_free(&w);
}

/* --kernel mode for callgrind: no timing, just the loop. */
static int run_kernel_only(const char *name, int iters)
{
    static const struct {
        const char *name;
        int impl;
    } k[] = {{"avx2", BX_CORR_AVX2}, {"generic", BX_CORR_GENERIC}, {"ref", BX_CORR_REF}, {"volkdot", -1}};
    int impl = -2;
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!strcmp(name, k[i].name))
            impl = k[i].impl;
    if (impl == -2 || iters < 1) {
        fprintf(stderr, "bench_trk --kernel: give avx2|generic|ref|volkdot and an iteration count >= 1\n");
        return 2;
    }
    corr_work_t w;
    if (corr_work_init(&w))
        return 1;
    corr_set_taps(&w, 3);
    bx_corr_t *c = NULL;
    if (impl >= 0)
        bx_corr_create(impl, &c, NULL, 0);
    if (impl >= 0 && !c) {
        fprintf(stderr, "bench_trk --kernel: %s not supported on this CPU\n", name);
        corr_work_free(&w);
        return 1;
    }
    bx_corr_out_t o;
    kernel_loop(c, impl, &w, iters, &o);
    printf("kernel %s: %d x %d samples, out %g\n", name, iters, CORR_N, (double)cabsf(o.tap[0]));
    bx_corr_destroy(c);
    corr_work_free(&w);
    return 0;
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
    bx_trk_t *t = NULL;
    bx_trk_create(&c, &a, 0, &t, NULL, 0);
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
    const char *name = sig == BX_SIG_B1C ? "B1C" : "B2a";
    const double core_per_ch = dt / secs;
    printf("tracking %s at %.3f Msps: %.4f CPU s per channel-second (%.0f channels per core); "
           "state %s, cn0 %.1f dB-Hz\n",
           name, fs / 1e6, core_per_ch, 1.0 / core_per_ch, bx_trk_state_name(o.state), o.cn0_dbhz);
    printf("SUMMARY tracking %s %.3f Msps: %.4f core per channel, %.0f channels per core\n", name, fs / 1e6,
           core_per_ch, 1.0 / core_per_ch);
    if (fs > 20e6)
        printf("SUMMARY peer (issue 2 figure, not measured here) %.2f core per tracked 20.46 Msps channel: "
               "bdsrx %.1fx better (target %.0fx)\n",
               PEER_TRK_CORE_PER_CH_2046, PEER_TRK_CORE_PER_CH_2046 / core_per_ch, PEER_TARGET_RATIO);
    bx_trk_destroy(t);
    free(x);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--kernel"))
        return run_kernel_only(argc > 2 ? argv[2] : "", argc > 3 ? atoi(argv[3]) : 0);
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    if (!(secs > 0.1 && secs < 100))
        secs = 2.0;
    bx_corr_t *c = NULL;
    bx_corr_create(BX_CORR_AUTO, &c, NULL, 0);
    printf("correlator selected at run time: %s\n", bx_corr_impl_name(bx_corr_impl(c)));
    bx_corr_destroy(c);
    bench_corr();
    bench_track(BX_SIG_B1C, 4.092e6, secs);
    bench_track(BX_SIG_B2A, 20.46e6, secs);
    return 0;
}
