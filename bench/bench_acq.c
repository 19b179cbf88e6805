/* Acquisition benchmark: ms per PRN search for the two reference configurations
 *   B1C pilot, 10 ms coherent, 4.092 Msps complex, +-5 kHz
 *   B2a pilot,  1 ms coherent, 20.46 Msps complex, +-5 kHz (a full 10230-chip search per
 *   satellite; compared with the peer figure of issue 2, ~10 ms per satellite: peer.h)
 * with FFTW_ESTIMATE and FFTW_MEASURE plans, cached code spectra, and bx_acq_search_many on
 * 2 threads; the B2a search also with finer Doppler grids (500 Hz, 250 Hz steps) because the
 * cost is proportional to the number of Doppler cells and the peer's grid is not stated;
 * plus the FFT size effect (20460 points vs the padded fast size).
 * Input: Gaussian noise with one pilot signal, so the search does its full work.  Times are thread
 * CPU time (the machine is shared), except search_many (wall clock over its threads, so it is
 * only meaningful on an otherwise idle machine).
 * A 1 ms B2a search with circular 20460-point transforms (no padding) would need one 20460-point
 * IFFT per Doppler bin: compare the FFT lines below (x Doppler bins).
 * Lines starting "SUMMARY" are collected by bench/run.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fftw3.h>

#include "bdsrx/acq.h"
#include "bdsrx/code.h"
#include "peer.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* CPU time of this thread: single-threaded figures stay meaningful on a shared, loaded machine */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* xorshift + Box-Muller: deterministic noise without global state */
static double gauss(uint64_t *s)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        u[i] = ((*s >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

static bx_cf32_t *make_input(int sig, double fs, size_t n, int prn, double cn0_dbhz)
{
    bx_cf32_t *x = malloc(n * sizeof *x);
    int8_t chips[10230];
    const int b1c = (sig == BX_SIG_B1C);
    if (!x || bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, prn, chips, 10230) != 10230) {
        free(x);
        return NULL;
    }
    const double rate = b1c ? 1.023e6 : 10.23e6, amp = sqrt(pow(10.0, cn0_dbhz / 10.0) / fs);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n; i++) {
        const double ph = 1234.5 + i * rate / fs;
        double v = chips[(long)ph % 10230];
        if (b1c && ((long)(2.0 * ph) & 1))
            v = -v;
        const double c = 2.0 * M_PI * 1500.0 * i / fs;
        x[i] = (float)(amp * v * cos(c) + gauss(&seed) / M_SQRT2) +
               I * (float)(amp * v * sin(c) + gauss(&seed) / M_SQRT2);
    }
    return x;
}

/* CPU ms per PRN of one configuration, FFTW_ESTIMATE (default) and FFTW_MEASURE plans:
 * ms[0..1] with cached code spectra, first[0..1] the first search of a PRN (code spectrum
 * computed too); ndop = Doppler cells.  nplans = 1: ESTIMATE only. */
typedef struct {
    double ms[2], first[2];
    int ndop;
    double step_hz;
    double floor_ms; /* ndop inverse FFTs of M' alone (FFTW_MEASURE): the transform cost floor */
    size_t mp;
} acq_fig_t;

/* CPU ms of one complex transform of n points, FFTW_MEASURE (wisdom of the same process reused). */
static double fft_ms(size_t n)
{
    fftwf_complex *a = fftwf_alloc_complex(n), *b = fftwf_alloc_complex(n);
    fftwf_plan p = fftwf_plan_dft_1d((int)n, a, b, FFTW_BACKWARD, FFTW_MEASURE);
    for (size_t k = 0; k < n; k++)
        a[k][0] = (float)(k % 7), a[k][1] = 0.0f;
    int reps = 0;
    const double t0 = cpu_s();
    do {
        fftwf_execute(p);
        reps++;
    } while (cpu_s() - t0 < 0.3);
    const double ms = (cpu_s() - t0) / reps * 1e3;
    fftwf_destroy_plan(p);
    fftwf_free(a);
    fftwf_free(b);
    return ms;
}

static void bench_config(const char *name, int sig, double fs, int coh_ms, int noncoh, double step_hz, int nplans,
                         acq_fig_t *fig)
{
    memset(fig, 0, sizeof *fig);
    for (int measure = 0; measure < nplans; measure++) {
        bx_acq_config_t c;
        bx_acq_config_default(&c, sig, fs, 0.0);
        c.coh_ms = coh_ms;
        c.noncoh = noncoh;
        c.use_data = 0; /* pilot searches, as the peer figures */
        c.doppler_step_hz = step_hz;
        c.fft_measure = measure;
        c.nthreads = 2;
        double t0 = now_s();
        bx_acq_t *a = NULL;
        bx_acq_create(&c, &a, NULL, 0);
        const double t_create = now_s() - t0;
        if (!a)
            return;
        bx_acq_info_t in;
        bx_acq_get_info(a, &in);
        const size_t n = bx_acq_samples_needed(a);
        bx_cf32_t *x = make_input(sig, fs, n, 19, 45.0);
        if (!x) {
            bx_acq_destroy(a);
            return;
        }
        bx_acq_result_t r;
        enum { NPRN = 8 };
        t0 = cpu_s();
        bx_acq_set_input(a, x, n);
        const double t_input = cpu_s() - t0;
        t0 = cpu_s();
        for (int p = 1; p <= NPRN; p++) /* first use: code spectrum computed and cached */
            bx_acq_search_input(a, p, &r);
        const double t_first = (cpu_s() - t0) / NPRN;
        t0 = cpu_s();
        int reps = 0;
        do {
            for (int p = 1; p <= NPRN; p++)
                bx_acq_search_input(a, p, &r);
            reps++;
        } while (cpu_s() - t0 < 1.0);
        const double t_cached = (cpu_s() - t0) / (reps * NPRN);
        int prns[NPRN];
        bx_acq_result_t res[NPRN];
        for (int p = 0; p < NPRN; p++)
            prns[p] = p + 1;
        t0 = now_s();
        bx_acq_search_many(a, x, n, prns, NPRN, res);
        const double t_many = (now_s() - t0) / NPRN;
        bx_acq_search_input(a, 19, &r);
        fig->ms[measure] = t_cached * 1e3;
        fig->first[measure] = t_first * 1e3;
        fig->ndop = in.n_doppler;
        fig->step_hz = in.step_hz;
        fig->mp = in.ifft_size;
        if (measure)
            fig->floor_ms = in.n_doppler * noncoh * fft_ms(in.ifft_size);
        printf("%-34s %s: FFT %zu/%zu, %d Doppler bins (step %.0f Hz), create %.2f s, input FFT %.2f ms, "
               "per PRN %.2f ms CPU (first use %.2f ms; search_many 2 threads: %.2f ms wall per PRN); "
               "check PRN 19 det %d metric %.0f\n",
               name, measure ? "MEASURE " : "ESTIMATE", in.fft_size, in.ifft_size, in.n_doppler, in.step_hz, t_create,
               t_input * 1e3, t_cached * 1e3, t_first * 1e3, t_many * 1e3, r.detected, r.metric);
        free(x);
        bx_acq_destroy(a);
    }
}

/* The FFT size effect in isolation: one complex transform of each size. */
static void bench_fft_size(void)
{
    const int sizes[] = {20460, 20480, 40920, 40960, 81840, 81920};
    for (int measure = 0; measure < 2; measure++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            const int n = sizes[i];
            if (measure && (n == 40920 || n == 81840))
                continue; /* MEASURE planning of these takes 20-60 s */
            fftwf_complex *a = fftwf_alloc_complex(n), *b = fftwf_alloc_complex(n);
            fftwf_plan p = fftwf_plan_dft_1d(n, a, b, FFTW_FORWARD, measure ? FFTW_MEASURE : FFTW_ESTIMATE);
            for (int k = 0; k < n; k++)
                a[k][0] = (float)(k % 7), a[k][1] = 0.0f;
            int reps = 0;
            const double t0 = cpu_s();
            do {
                fftwf_execute(p);
                reps++;
            } while (cpu_s() - t0 < 0.2);
            printf("FFT %6d %-8s %8.1f us%s\n", n, measure ? "MEASURE" : "ESTIMATE", (cpu_s() - t0) / reps * 1e6,
                   bx_acq_fast_size(n) == (size_t)n ? "" : "   (not 2^a3^b5^c7^d)");
            fftwf_destroy_plan(p);
            fftwf_free(a);
            fftwf_free(b);
        }
}

static void summary(const char *what, const acq_fig_t *f)
{
    printf("SUMMARY acq %s: %.2f ms CPU per PRN (FFTW_ESTIMATE; first search of a PRN %.2f ms), "
           "%.2f ms with FFTW_MEASURE plans; %d Doppler cells of %.0f Hz\n",
           what, f->ms[0], f->first[0], f->ms[1], f->ndop, f->step_hz);
}

/* The issue-14 defaults (bx_acq_config_default): CPU per PRN of the cold +-5 kHz search and of
 * the receiver's re-acquisition window (+-500 Hz around a predicted Doppler, src/rx/reacq.c). */
static void bench_defaults(const char *name, int sig, double fs)
{
    bx_acq_config_t c;
    bx_acq_config_default(&c, sig, fs, 0.0);
    bx_acq_t *a = NULL;
    if (bx_acq_create(&c, &a, NULL, 0) != BX_OK)
        return;
    const size_t n = bx_acq_samples_needed(a);
    bx_cf32_t *x = make_input(sig, fs, n, 19, 45.0);
    if (!x) {
        bx_acq_destroy(a);
        return;
    }
    bx_acq_result_t r;
    double t0 = cpu_s();
    bx_acq_set_input(a, x, n);
    const double t_in = cpu_s() - t0;
    /* the same search with every block over every cell (two_stage 0), interleaved with the
     * default so both see the same machine load */
    bx_acq_config_t c1 = c;
    c1.two_stage = 0;
    bx_acq_t *a1 = NULL;
    if (bx_acq_create(&c1, &a1, NULL, 0) == BX_OK)
        bx_acq_set_input(a1, x, n);
    double t_full = 0.0, t_one = 0.0;
    for (int p = 20; p < 23; p++) {
        t0 = cpu_s();
        bx_acq_search_input(a, p, &r);
        t_full += (cpu_s() - t0) / 3.0;
        if (a1) {
            t0 = cpu_s();
            bx_acq_search_input(a1, p, &r);
            t_one += (cpu_s() - t0) / 3.0;
        }
    }
    bx_acq_destroy(a1);
    t0 = cpu_s();
    for (int p = 20; p < 23; p++)
        bx_acq_search_window(a, p, 1500.0, 500.0, &r);
    const double t_win = (cpu_s() - t0) / 3.0;
    printf("SUMMARY acq default %s (%d ms x %d%s): %.0f ms CPU per PRN over +-5 kHz (%.0f ms without the two-stage "
           "search, same run), %.0f ms in a +-500 Hz re-acquisition window; input transform %.0f ms per block set\n",
           name, c.coh_ms, c.noncoh, c.use_data ? " pilot+data" : " pilot", t_full * 1e3, t_one * 1e3, t_win * 1e3,
           t_in * 1e3);
    free(x);
    bx_acq_destroy(a);
}

int main(void)
{
    bench_defaults("B1C 4.092 Msps", BX_SIG_B1C, 4.092e6);
    bench_defaults("B2a 20.46 Msps", BX_SIG_B2A, 20.46e6);
    acq_fig_t b1c, b2a, b2a10, b2a500, b2a250;
    bench_config("B1C pilot 10 ms, 4.092 Msps, +-5k", BX_SIG_B1C, 4.092e6, 10, 1, 0.0, 2, &b1c);
    bench_config("B2a pilot 1 ms, 20.46 Msps, +-5k", BX_SIG_B2A, 20.46e6, 1, 1, 0.0, 2, &b2a);
    bench_config("B2a pilot 1 ms x10, 20.46 Msps", BX_SIG_B2A, 20.46e6, 1, 10, 0.0, 2, &b2a10);
    bench_config("B2a 1 ms, 20.46 Msps, 500 Hz step", BX_SIG_B2A, 20.46e6, 1, 1, 500.0, 1, &b2a500);
    bench_config("B2a 1 ms, 20.46 Msps, 250 Hz step", BX_SIG_B2A, 20.46e6, 1, 1, 250.0, 1, &b2a250);
    bench_fft_size();
    summary("B1C 10 ms coherent, 4.092 Msps, +-5 kHz", &b1c);
    if (b1c.floor_ms > 0)
        printf("SUMMARY acq B1C 10 ms floor: %d inverse FFTs of %zu points alone cost %.1f ms CPU (FFTW_MEASURE) = "
               "%.0f %% of the search (%.1f ms); issue 14 target 10 ms, GNSS-SDR E1 4 ms search 1.9 ms (issue's figure, "
               "not measured here)\n",
               b1c.ndop, b1c.mp, b1c.floor_ms, 100.0 * b1c.floor_ms / b1c.ms[1], b1c.ms[1]);
    summary("B2a 1 ms coherent, 20.46 Msps, +-5 kHz", &b2a);
    summary("B2a 1 ms x 10 non-coherent (receiver default), 20.46 Msps", &b2a10);
    const acq_fig_t *g[3] = {&b2a, &b2a500, &b2a250};
    for (int i = 0; i < 3; i++)
        if (g[i]->ms[0] > 0)
            printf("SUMMARY peer (issue 2 figure, not measured here) %.0f ms per satellite, 1 ms 10230-chip search at "
                   "20.46 Msps: bdsrx %.2f ms (%d cells of %.0f Hz) = %.1fx better (first search of a PRN: "
                   "%.1fx; target %.0fx)\n",
                   PEER_ACQ_B2A_1MS_MS_PER_SAT, g[i]->ms[0], g[i]->ndop, g[i]->step_hz,
                   PEER_ACQ_B2A_1MS_MS_PER_SAT / g[i]->ms[0], PEER_ACQ_B2A_1MS_MS_PER_SAT / g[i]->first[0],
                   PEER_TARGET_RATIO);
    return 0;
}
