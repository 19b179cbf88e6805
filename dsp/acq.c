/* FFT acquisition of B1C / B2a pilots: parallel code-phase search with FFTW.
 * Method, detection test and conventions: include/bdsrx/acq.h. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fftw3.h>

#include "bdsrx/acq.h"
#include "bdsrx/code.h"
#include "acq_impl.h"
#include "bx_err.h"

#define CODE_LEN 10230 /* B1C and B2a primary codes (signals.md §1) */
#define MAX_WORKERS 16
#define FINE_SUB 64 /* sub-block sums per coherent block in the fine Doppler search */
#define FINE_DIV 16 /* fine Doppler grid = bin / FINE_DIV */
#define STREAM_BYTES (32u << 20) /* input spectra kept for all PRNs up to this size */
#define REFINE_BLOCKS 10 /* blocks of the code-phase interpolation of long sums */

typedef struct {
    fftwf_complex *tin, *tout; /* m: replica / input block and its spectrum */
    fftwf_complex *win, *wout; /* mp: windowed product and its inverse transform */
    float *row[2];             /* n_lag: power rows (best so far, current) */
    float *rep;                /* N: sampled replica for the fine Doppler search */
    float *z;                  /* noncoh x FINE_SUB complex sub-block sums */
    fftwf_complex **xs;        /* stream mode: nsub spectra of the current block */
    float *acc;                /* stream mode: n_dop x n_lag non-coherent sums */
} acq_work_t;

struct bx_acq {
    bx_acq_config_t cfg;
    bx_code_id_t code_id;
    double chip_rate, carrier_hz, t_coh_s;
    int boc;           /* 1: sine BOC(1,1) sub-carrier on the replica (B1C pilot) */
    size_t n_coh;      /* N */
    size_t n_per;      /* samples per primary code period (ceil) */
    size_t n_blk;      /* input samples per block (N + period + margin) */
    size_t m, mp;      /* forward / inverse FFT sizes */
    size_t n_lag;      /* lag cells searched */
    double lag_per;    /* code period in lag cells */
    double bin_hz;     /* fs / m */
    int nsub;          /* input spectra per block, offset by 1/nsub bin (Doppler grid granularity) */
    int step_sub, n_dop; /* Doppler step in 1/nsub bins, number of cells */
    long q_first;      /* carrier of the first Doppler cell, in 1/nsub bins */
    fftwf_complex *rot; /* (nsub-1) x n_blk phasors e^{-j 2 pi s n / (nsub m)} */
    double threshold;
    fftwf_plan pf, pi;
    fftwf_complex **xf; /* noncoh x nsub input spectra, m each (cached mode) */
    int stream;         /* 1: spectra too large to keep (> STREAM_BYTES): each search transforms
                           the blocks itself, blocks outer, into an n_dop x n_lag accumulator */
    int ncomp;            /* components summed per cell: 1 pilot, 2 pilot + data (use_data) */
    int nseg;             /* code segments: primary period / coherent block (1 = whole period) */
    double share;         /* ICD power share of the searched components (C/N0 of the whole signal) */
    double code_eps_max;  /* largest |Doppler| / carrier searched (code Doppler) */
    fftwf_complex *codef; /* ncomp x 63 x nseg x mp conjugated windowed code spectra (pilot, then data) */
    unsigned char have_code[BX_PRN_MAX + 1];
    int8_t chips[BX_PRN_MAX][CODE_LEN]; /* primary codes of the PRNs searched so far */
    int nwork;
    acq_work_t work[MAX_WORKERS];
    const bx_cf32_t *x; /* input of the last bx_acq_set_input (caller keeps it alive) */
    size_t nx;          /* its length */
    int have_input;
    acq_kernels_t kern;
};

void bx_acq_config_default(bx_acq_config_t *c, int sig, double fs_hz, double if_hz)
{
    memset(c, 0, sizeof *c);
    c->sig = sig;
    c->fs_hz = fs_hz;
    c->if_hz = isfinite(if_hz) ? if_hz : 0.0;
    c->doppler_max_hz = 5000.0;
    c->doppler_step_hz = 0.0;
    /* Defaults for a cold start at >= 33 dB-Hz (whole signal, 2-bit samples) within the first
     * 0.1 s, measured in bench/bench_acq_pd.c (table in dsp/README.md):
     *   B1C: pilot, 5 ms coherent (half code period, whole samples needed) x 20 non-coherent;
     *   B2a: pilot + data, 1 ms coherent x 200 non-coherent (0.2 s);
     *   B2b-I (data only, one symbol per 1 ms): 1 ms x 10 as before (not re-measured). */
    const double n5 = fs_hz * 5e-3;
    const int b1c_seg = fabs(n5 - llround(n5)) < 1e-6;
    c->coh_ms = (sig == BX_SIG_B2A || sig == BX_SIG_B2B) ? 1 : (b1c_seg ? 5 : 10);
    c->noncoh = (sig == BX_SIG_B2A) ? 200 : (sig == BX_SIG_B2B) ? 10 : (b1c_seg ? 20 : 10);
    c->pfa = 1e-3;
    c->use_data = (sig == BX_SIG_B2A);
    c->cn0_min_dbhz = 30.0;
    c->nthreads = 1;
    c->fft_measure = 0;
    c->bw_hz = 0.0;
    c->wisdom_path = NULL;
    c->two_stage = 1;
    /* B2a: a third of 1/T (333 Hz) instead of the automatic 2/(3T): a cell's Doppler error also
     * drags the code (333 Hz = 2.9 chips/s of B2a code, 0.58 chip over the 0.2 s of blocks, which
     * are aligned for the cell centre only) besides the carrier straddle.  bench_acq_pd b2a, 200
     * trials per dB, whole grid: Pd 0.87 -> 0.97 at 32 dB-Hz, 0.975 -> 1.00 at 33; twice the
     * cells (31 instead of 15 over +-5 kHz): 1.0 s instead of 0.56 s CPU per PRN at 20.46 Msps,
     * 0.65 instead of 0.41 s at 12 Msps (dsp/README.md) */
    if (sig == BX_SIG_B2A)
        c->doppler_step_hz = 1.0 / (3.0 * c->coh_ms * 1e-3);
}

void bx_acq_config_weak(bx_acq_config_t *c)
{
    if (c->sig == BX_SIG_B1C) {
        c->coh_ms = 10;
        c->noncoh = 40;
    } else {
        c->coh_ms = 1;
        c->noncoh = 400;
        c->use_data = 1;
        /* Half the automatic step (1/(3T) = 333 Hz instead of 2/(3T), as the default now): besides the carrier
         * straddle, a cell's Doppler error drags the code through the 0.4 s of blocks, which are
         * aligned for the cell centre's code Doppler only: 331 Hz off at 1176.45 MHz is 2.9 chips/s
         * of B2a code, 1.15 chips over the sum.  bench_acq_pd b2a-weak, 30 trials per dB, same
         * trials: Pd 0.27 / 0.63 / 0.70 at 28 / 29 / 30 dB-Hz with the 663 Hz step, 0.27 / 0.80 /
         * 0.97 with 331 Hz (0.33 / 0.83 / 0.90 with 249 Hz); 800 blocks at 663 Hz gained nothing
         * (0.40 / 0.47 at 28 / 29: the smear doubles too).  Costs 31 instead of 17 cells over
         * +-5 kHz, 4-5 instead of 3 in the receiver's +-500 Hz windows. */
        c->doppler_step_hz = 1.0 / (3.0 * c->coh_ms * 1e-3);
    }
    c->cn0_min_dbhz = 25.0;
}

static void work_free(acq_work_t *w)
{
    fftwf_free(w->tin);
    fftwf_free(w->tout);
    fftwf_free(w->win);
    fftwf_free(w->wout);
    for (int i = 0; i < 2; i++)
        fftwf_free(w->row[i]);
    fftwf_free(w->rep);
    fftwf_free(w->z);
    if (w->xs)
        for (int i = 0; i < 4; i++)
            fftwf_free(w->xs[i]);
    free(w->xs);
    fftwf_free(w->acc);
    memset(w, 0, sizeof *w);
}

void bx_acq_destroy(bx_acq_t *a)
{
    if (!a)
        return;
    if (a->pf)
        fftwf_destroy_plan(a->pf);
    if (a->pi)
        fftwf_destroy_plan(a->pi);
    for (int i = 0; i < a->nwork; i++)
        work_free(&a->work[i]);
    if (a->xf)
        for (int k = 0; k < (a->stream ? 0 : a->cfg.noncoh * a->nsub); k++)
            fftwf_free(a->xf[k]);
    free(a->xf);
    fftwf_free(a->rot);
    fftwf_free(a->codef);
    free(a);
}

static int config_check(const bx_acq_config_t *c, char *err, size_t errlen)
{
    const char *why = NULL;
    if (c->sig != BX_SIG_B1C && c->sig != BX_SIG_B2A && c->sig != BX_SIG_B2B)
        why = "signal must be B1C, B2a or B2b";
    else if (c->sig == BX_SIG_B2B && c->use_data)
        why = "B2b-I is searched on its data component itself: use_data is for B1C and B2a";
    else if (c->sig == BX_SIG_B2B && c->coh_ms != 1)
        why = "B2b-I carries one data symbol per 1 ms code period: coherent integration 1 ms";
    else if (!(c->fs_hz >= 1e6 && c->fs_hz <= 200e6))
        why = "sample rate must be 1..200 MHz";
    else if (!isfinite(c->if_hz) || fabs(c->if_hz) >= c->fs_hz / 2)
        why = "IF must be finite and below fs/2";
    else if (c->coh_ms < 1 || c->coh_ms > 100)
        why = "coherent integration must be 1..100 ms";
    else if (c->noncoh < 1 || c->noncoh > 1000)
        why = "non-coherent sums must be 1..1000";
    else if (!(c->doppler_max_hz >= 0 && c->doppler_max_hz <= 50e3))
        why = "Doppler range must be 0..50 kHz";
    else if (!(c->doppler_step_hz >= 0))
        why = "Doppler step must be >= 0 (0 = automatic)";
    else if (!(c->pfa > 0 && c->pfa < 1))
        why = "false-alarm probability must be in (0, 1)";
    else if (c->nthreads < 0 || c->nthreads > MAX_WORKERS)
        why = "nthreads must be 0..16";
    else if (!(c->bw_hz >= 0))
        why = "processing bandwidth must be >= 0 (0 = automatic)";
    return why ? bx_err(err, errlen, BX_ERR_ARG, "acquisition: %s", why) : BX_OK;
}

static int work_alloc(acq_work_t *w, size_t m, size_t mp, size_t n_lag, size_t n_coh, int noncoh)
{
    w->tin = fftwf_alloc_complex(m);
    w->tout = fftwf_alloc_complex(m);
    w->win = fftwf_alloc_complex(mp);
    w->wout = fftwf_alloc_complex(mp);
    for (int i = 0; i < 2; i++)
        w->row[i] = fftwf_alloc_real(n_lag);
    w->rep = fftwf_alloc_real(n_coh);
    w->z = fftwf_alloc_real(2 * (size_t)noncoh * FINE_SUB);
    int ok = w->tin && w->tout && w->win && w->wout && w->row[0] && w->row[1] && w->rep && w->z;
    return ok ? BX_OK : BX_ERR_NOMEM;
}

/* Writes the process's FFTW wisdom to path through a temporary file and a rename, so that
 * processes sharing one wisdom file never read a half-written one.  1 on success. */
static int export_wisdom(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
        return 0;
    if (!fftwf_export_wisdom_to_filename(tmp))
        return 0;
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return 0;
    }
    return 1;
}

int bx_acq_create(const bx_acq_config_t *c, bx_acq_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_acq_create: out is NULL");
    *out = NULL;
    if (!c)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_acq_create: no configuration");
    int st = config_check(c, err, errlen);
    if (st != BX_OK)
        return st;
    bx_acq_t *a = calloc(1, sizeof *a);
    if (!a)
        return bx_err(err, errlen, BX_ERR_NOMEM, "acquisition: out of memory");
    a->cfg = *c;
    const double fs = c->fs_hz;
    const int b1c = (c->sig == BX_SIG_B1C);
    /* signals.md §1: B1C 1.023 Mcps / 10 ms, pilot sine BOC(1,1) (§1.1); B2a 10.23 Mcps / 1 ms BPSK */
    /* B2b-I (signals.md §1, Table S5): 10.23 Mcps / 1 ms BPSK, data only (no pilot) */
    const int b2b = (c->sig == BX_SIG_B2B);
    a->code_id = b1c ? BX_CODE_B1CP : b2b ? BX_CODE_B2BI : BX_CODE_B2AP;
    a->chip_rate = b1c ? 1.023e6 : 10.23e6;
    a->carrier_hz = b1c ? BX_FREQ_B1C_HZ : b2b ? BX_FREQ_B2B_HZ : BX_FREQ_B2A_HZ;
    a->boc = b1c;
    const double period_s = CODE_LEN / a->chip_rate;
    a->t_coh_s = c->coh_ms * 1e-3;
    a->n_coh = (size_t)llround(fs * a->t_coh_s);
    a->n_per = (size_t)ceil(fs * period_s - 1e-6);
    /* Coherent blocks shorter than the code period (B1C 1, 2, 5 ms): block b correlates with
     * segment b mod nseg of the code, so N must tile the period exactly. */
    a->nseg = 1;
    const int per_ms = b1c ? 10 : 1;
    if (c->coh_ms < per_ms) {
        const double n_exact = fs * a->t_coh_s;
        if (per_ms % c->coh_ms != 0 || fabs(n_exact - llround(n_exact)) > 1e-6) {
            free(a);
            return bx_err(err, errlen, BX_ERR_ARG,
                          "acquisition: coherent %d ms must divide the %d ms code period into whole samples (fs %.0f Hz)",
                          c->coh_ms, per_ms, fs);
        }
        a->nseg = per_ms / c->coh_ms;
    }
    /* ICD power shares (signals.md §1.1 / §1.2): B1C data 1/4, pilot 3/4 of which 29/33 in the
     * BOC(1,1) part the replica matches; B2a data and pilot 1/2 each. */
    a->share = b1c ? (0.75 * 29.0 / 33.0 + (c->use_data ? 0.25 : 0.0)) : (c->use_data ? 1.0 : 0.5);
    if (c->sig == BX_SIG_B2B) /* C/N0 of the open B2b-I component itself (no Q in the open ICD) */
        a->share = 1.0;
    a->code_eps_max = (c->doppler_max_hz + 1000.0) / a->carrier_hz;

    /* Linear correlation for lags [0, period]: block = N + period (+ margin for the lag
     * neighbours used by the interpolation), zero-padded to a fast size. */
    size_t margin = 8;
    /* lags past the period read by the code-Doppler shift of the last block (power_row) */
    const size_t drift = (size_t)ceil((double)c->noncoh * (double)a->n_coh * a->code_eps_max) + 1;
    double bw = c->bw_hz > 0 ? c->bw_hz : (b1c ? 4.092e6 : 20.46e6);
    for (int pass = 0; pass < 2; pass++) { /* margin depends on the lag cell M/M' */
        a->n_blk = a->n_coh + a->n_per + margin + drift;
        a->m = bx_acq_fast_size(a->n_blk);
        a->mp = (bw >= fs) ? a->m : bx_acq_fast_size((size_t)ceil(a->m * bw / fs));
        if (a->mp > a->m)
            a->mp = a->m;
        margin = 4 * (size_t)ceil((double)a->m / a->mp) + 2;
    }
    a->bin_hz = fs / a->m;
    a->lag_per = fs * period_s * a->mp / a->m;
    a->n_lag = (size_t)floor(a->lag_per) + 3; /* [0, period] plus two neighbour cells */
    if (a->n_lag > a->mp)
        a->n_lag = a->mp;

    double step = c->doppler_step_hz > 0 ? c->doppler_step_hz : 2.0 / (3.0 * a->t_coh_s);
    /* The Doppler grid is made of whole-bin spectrum shifts of nsub input spectra offset by
     * 1/nsub bin, so the step can follow 2/(3T) (4/3 bin) instead of 1 bin: 25 % fewer cells.
     * The extra input spectra are made once per block and shared by all PRNs. */
    a->nsub = 4;
    for (int ns = 1; ns <= 4; ns++) {
        const double q = step * ns / a->bin_hz;
        if (q >= 0.5 && fabs(floor(q + 0.5) - q) * a->bin_hz / ns <= 0.05 * step) {
            a->nsub = ns;
            break;
        }
    }
    a->step_sub = (int)floor(step * a->nsub / a->bin_hz + 0.5);
    if (a->step_sub < 1)
        a->step_sub = 1;
    const double step_hz = a->step_sub * a->bin_hz / a->nsub;
    /* every Doppler within +-max lies within half a step (+1 %) of a searched cell */
    int half = (int)ceil(c->doppler_max_hz / step_hz - 0.51);
    if (half < 0)
        half = 0;
    a->n_dop = 2 * half + 1;
    a->q_first = lround(c->if_hz * a->nsub / a->bin_hz) - (long)half * a->step_sub;
    /* use_data: |r_pilot|^2 + |r_data|^2 per block, 2 K exponential terms of equal noise power */
    a->ncomp = c->use_data ? 2 : 1;
    a->threshold = bx_acq_threshold(c->noncoh * a->ncomp, (double)a->n_dop * (double)a->n_lag, c->pfa);

    acq_kernels_select(&a->kern);
    a->nwork = c->nthreads < 1 ? 1 : c->nthreads;
    a->stream = (double)c->noncoh * a->nsub * (double)a->m * sizeof(fftwf_complex) > (double)STREAM_BYTES;
    a->xf = calloc((size_t)c->noncoh * a->nsub, sizeof *a->xf);
    a->codef = fftwf_alloc_complex((size_t)a->ncomp * BX_PRN_MAX * (size_t)a->nseg * a->mp);
    a->rot = a->nsub > 1 ? fftwf_alloc_complex((size_t)(a->nsub - 1) * a->n_blk) : NULL;
    int ok = a->xf && a->codef && (a->nsub == 1 || a->rot);
    for (int k = 0; ok && !a->stream && k < c->noncoh * a->nsub; k++)
        ok = (a->xf[k] = fftwf_alloc_complex(a->m)) != NULL;
    for (int sb = 1; ok && sb < a->nsub; sb++)
        for (size_t n = 0; n < a->n_blk; n++) {
            const double ph = -2.0 * M_PI * fmod((double)sb * n / ((double)a->nsub * a->m), 1.0);
            a->rot[(size_t)(sb - 1) * a->n_blk + n][0] = (float)cos(ph);
            a->rot[(size_t)(sb - 1) * a->n_blk + n][1] = (float)sin(ph);
        }
    for (int i = 0; ok && i < a->nwork; i++) {
        ok = work_alloc(&a->work[i], a->m, a->mp, a->n_lag, a->n_coh, c->noncoh) == BX_OK;
        if (ok && (a->stream || c->noncoh > 1)) {
            acq_work_t *wk = &a->work[i];
            wk->xs = calloc(4, sizeof *wk->xs);
            wk->acc = fftwf_alloc_real((size_t)a->n_dop * a->n_lag);
            ok = wk->xs && wk->acc;
            for (int sb = 0; ok && a->stream && sb < a->nsub; sb++)
                ok = (wk->xs[sb] = fftwf_alloc_complex(a->m)) != NULL;
        }
    }
    if (!ok) {
        const size_t m = a->m;
        bx_acq_destroy(a);
        return bx_err(err, errlen, BX_ERR_NOMEM, "acquisition: out of memory (FFT size %zu, %d blocks)", m, c->noncoh);
    }
    /* Plans once, here (the FFTW planner is not thread-safe); searches use the new-array
     * execute functions on the workers' equally aligned fftwf_malloc buffers. */
    /* Plans: measured ones when asked for or when (imported) wisdom already has them, else
     * FFTW_ESTIMATE (10-35 % slower transforms, no planning time). */
    if (c->wisdom_path)
        fftwf_import_wisdom_from_filename(c->wisdom_path); /* a missing file is not an error */
    acq_work_t *w = &a->work[0];
    const unsigned wis = FFTW_MEASURE | FFTW_WISDOM_ONLY;
    a->pf = fftwf_plan_dft_1d((int)a->m, w->tin, w->tout, FFTW_FORWARD, wis);
    a->pi = fftwf_plan_dft_1d((int)a->mp, w->win, w->wout, FFTW_BACKWARD, wis);
    const unsigned flags = c->fft_measure ? FFTW_MEASURE : FFTW_ESTIMATE;
    const int measured_new = c->fft_measure && (!a->pf || !a->pi); /* wisdom gained something */
    if (!a->pf)
        a->pf = fftwf_plan_dft_1d((int)a->m, w->tin, w->tout, FFTW_FORWARD, flags);
    if (!a->pi)
        a->pi = fftwf_plan_dft_1d((int)a->mp, w->win, w->wout, FFTW_BACKWARD, flags);
    if (c->wisdom_path && c->fft_measure && a->pf && a->pi && measured_new && !export_wisdom(c->wisdom_path))
        fprintf(stderr, "bx_acq_create: cannot write FFTW wisdom to %s (plans are used anyway)\n", c->wisdom_path);
    if (!a->pf || !a->pi) {
        const size_t m = a->m, mp = a->mp;
        bx_acq_destroy(a);
        return bx_err(err, errlen, BX_ERR_NOMEM, "acquisition: FFTW could not plan sizes %zu / %zu", m, mp);
    }
    *out = a;
    return BX_OK;
}

size_t bx_acq_samples_needed(const bx_acq_t *a)
{
    /* the margin cells past one period may be zero-filled (2-3 samples of N: no measurable loss),
     * so a 12 ms snapshot suffices for 2 ms + one 10 ms B1C period */
    return (size_t)(a->cfg.noncoh - 1) * a->n_coh + a->n_coh + a->n_per;
}

void bx_acq_get_info(const bx_acq_t *a, bx_acq_info_t *info)
{
    info->n_coh = a->n_coh;
    info->fft_size = a->m;
    info->ifft_size = a->mp;
    info->n_lag = a->n_lag;
    info->n_doppler = a->n_dop;
    info->bin_hz = a->bin_hz;
    info->step_hz = a->step_sub * a->bin_hz / a->nsub;
    info->lag_samples = (double)a->m / a->mp;
    info->threshold = a->threshold;
}

/* N samples of the pilot replica: chip phase 0 at sample 0, sine BOC(1,1) for B1C (each chip
 * starts with the +1 half, signals.md §1.1). */
static void sample_replica(const bx_acq_t *a, const int8_t *chips, int seg, float *out)
{
    const double chips_per_sample = a->chip_rate / a->cfg.fs_hz;
    const double chip0 = (double)seg * CODE_LEN / a->nseg; /* segment start (whole chips: nseg | 10230) */
    for (size_t n = 0; n < a->n_coh; n++) {
        const double ph = chip0 + n * chips_per_sample;
        float v = chips[(long)ph % CODE_LEN];
        if (a->boc && ((long)(2.0 * ph) & 1))
            v = -v;
        out[n] = v;
    }
}

/* Conjugated spectrum of N samples of a replica (zero-padded to m) into cf, keeping the mp bins
 * around 0 Hz in FFT order. */
static void replica_spectrum(bx_acq_t *a, acq_work_t *w, const int8_t *chips, int seg, fftwf_complex *cf)
{
    sample_replica(a, chips, seg, w->rep);
    for (size_t n = 0; n < a->n_coh; n++) {
        w->tin[n][0] = w->rep[n];
        w->tin[n][1] = 0.0f;
    }
    memset(w->tin + a->n_coh, 0, (a->m - a->n_coh) * sizeof *w->tin);
    fftwf_execute_dft(a->pf, w->tin, w->tout);
    const size_t hp = (a->mp + 1) / 2;
    const float scale = 1.0f / (float)a->m;
    for (size_t i = 0; i < a->mp; i++) {
        const size_t src = (i < hp) ? i : a->m - (a->mp - i);
        cf[i][0] = w->tout[src][0] * scale;
        cf[i][1] = -w->tout[src][1] * scale;
    }
}

/* Conjugated spectrum of component c (0 pilot, 1 data), segment seg of a PRN. */
static fftwf_complex *code_spec(const bx_acq_t *a, int c, int prn, int seg)
{
    return a->codef + (((size_t)c * BX_PRN_MAX + (size_t)(prn - 1)) * (size_t)a->nseg + (size_t)seg) * a->mp;
}

/* Code spectra of a PRN, every segment: the pilot, and with use_data the data primary code
 * (B1C: same BOC(1,1) sub-carrier and epoch, signals.md §1.1; B2a: BPSK(10), same epoch).
 * Computed on first use and cached. */
static int code_spectrum(bx_acq_t *a, acq_work_t *w, int prn)
{
    if (a->have_code[prn])
        return BX_OK;
    if (bx_code_gen(a->code_id, prn, a->chips[prn - 1], CODE_LEN) != CODE_LEN)
        return BX_ERR_ARG;
    for (int sg = 0; sg < a->nseg; sg++)
        replica_spectrum(a, w, a->chips[prn - 1], sg, code_spec(a, 0, prn, sg));
    if (a->ncomp == 2) {
        int8_t data[CODE_LEN];
        if (bx_code_gen(a->cfg.sig == BX_SIG_B1C ? BX_CODE_B1CD : BX_CODE_B2AD, prn, data, CODE_LEN) != CODE_LEN)
            return BX_ERR_ARG;
        for (int sg = 0; sg < a->nseg; sg++)
            replica_spectrum(a, w, data, sg, code_spec(a, 1, prn, sg));
    }
    a->have_code[prn] = 1;
    return BX_OK;
}

static void block_spectra(const bx_acq_t *a, acq_work_t *w, const bx_cf32_t *x, size_t n, int k,
                          fftwf_complex *const *out);

int bx_acq_set_input(bx_acq_t *a, const bx_cf32_t *x, size_t n)
{
    if (!a || !x || n < bx_acq_samples_needed(a))
        return BX_ERR_ARG;
    if (!a->stream)
        for (int k = 0; k < a->cfg.noncoh; k++)
            block_spectra(a, &a->work[0], x, n, k, a->xf + (size_t)k * a->nsub);
    a->x = x;
    a->nx = n;
    a->have_input = 1;
    return BX_OK;
}

/* The nsub spectra of block k of x (mean removed, moved down by s/nsub bin) into out[0..nsub). */
static void block_spectra(const bx_acq_t *a, acq_work_t *w, const bx_cf32_t *x, size_t n, int k,
                          fftwf_complex *const *out)
{
    {
        const bx_cf32_t *blk = x + (size_t)k * a->n_coh;
        const size_t avail = n - (size_t)k * a->n_coh, nb = avail < a->n_blk ? avail : a->n_blk;
        /* Remove the block mean: front ends (1-bit real, RTL-SDR) have a DC spur that would
         * correlate with every replica at the Doppler of 0 Hz carrier; the signal loses nothing
         * measurable (its projection on a constant over 20 ms). */
        double mr = 0.0, mi = 0.0;
        for (size_t i = 0; i < nb; i++) {
            mr += crealf(blk[i]);
            mi += cimagf(blk[i]);
        }
        const float dr = (float)(mr / nb), di = (float)(mi / nb);
        for (size_t i = 0; i < nb; i++) {
            w->tout[i][0] = crealf(blk[i]) - dr;
            w->tout[i][1] = cimagf(blk[i]) - di;
        }
        for (int sb = 0; sb < a->nsub; sb++) {
            if (sb == 0)
                memcpy(w->tin, w->tout, nb * sizeof *w->tin);
            else /* moved down by sb/nsub bin */
                a->kern.cmul(&w->tin[0][0], &w->tout[0][0], &a->rot[(size_t)(sb - 1) * a->n_blk][0], nb);
            memset(w->tin + nb, 0, (a->m - nb) * sizeof *w->tin);
            fftwf_execute_dft(a->pf, w->tin, out[sb]);
        }
    }
}

/* y[i] = X[(k + j) mod m] * C[i] with j the signed frequency of window index i, i.e. the input
 * spectrum moved down by k bins (carrier wipe-off) times the conjugated code spectrum. */
static void window_product(const acq_kernels_t *kern, fftwf_complex *restrict y,
                           const fftwf_complex *restrict xs, const fftwf_complex *restrict cf, size_t m,
                           size_t mp, long k)
{
    const size_t hp = (mp + 1) / 2;
    size_t i = hp;                                   /* most negative frequency first */
    long s0 = (k + (long)hp - (long)mp) % (long)m;
    size_t s = (size_t)(s0 < 0 ? s0 + (long)m : s0);
    size_t left = mp;
    while (left) {
        size_t run = left;
        if (run > mp - i)
            run = mp - i;
        if (run > m - s)
            run = m - s;
        kern->cmul(&y[i][0], &xs[s][0], &cf[i][0], run);
        i += run;
        if (i == mp)
            i = 0;
        s += run;
        if (s == m)
            s = 0;
        left -= run;
    }
}

/* Code Doppler: the epoch of block b arrives b N eps samples early (eps = Doppler / carrier), so
 * its correlation peak sits that many samples left of block 0's.  Offset in lag cells. */
static long block_shift_cells(const bx_acq_t *a, int b, double eps)
{
    return lround(-(double)b * (double)a->n_coh * eps * (double)a->mp / (double)a->m);
}

/* Doppler (received minus nominal carrier) of carrier cell q, relative to the carrier: eps. */
static double cell_eps(const bx_acq_t *a, long q)
{
    return ((double)q / a->nsub * a->bin_hz - a->cfg.if_hz) / a->carrier_hz;
}

/* Adds block b's power |r(q, lag)|^2 (each component, code segment of its place in the period,
 * moved by its code-Doppler shift) into row[0..n_lag) from its spectra xs[0..nsub) (first: set
 * instead of add; last: statistics).  Returns the row maximum when last, adds its sum to *sum. */
static float block_power(const bx_acq_t *a, acq_work_t *w, int prn, long q, int b, fftwf_complex *const *xs,
                         float *row, int first, int last, double *sum)
{
    float mx = 0.0f;
    long k = q / a->nsub, sb = q % a->nsub; /* whole bins and sub-bin spectrum, floor division */
    if (sb < 0) {
        sb += a->nsub;
        k--;
    }
    const long per_cells = lround(a->lag_per);
    long sh = block_shift_cells(a, b, cell_eps(a, q));
    if (sh < -(long)a->n_lag / 2 || sh + (long)a->n_lag > (long)a->mp)
        sh = 0; /* cannot happen within the configured limits (margin in bx_acq_create) */
    for (int c = 0; c < a->ncomp; c++) {
        window_product(&a->kern, w->win, xs[sb], code_spec(a, c, prn, b % a->nseg), a->m, a->mp, k);
        fftwf_execute_dft(a->pi, w->win, w->wout);
        const int f = first && c == 0, l = last && c == a->ncomp - 1;
        const float *o = &w->wout[0][0];
        if (sh >= 0) {
            mx = a->kern.power(row, o + 2 * sh, a->n_lag, !f, l, sum);
        } else { /* lags [0, -sh) read the copy one period later */
            const size_t n1 = (size_t)-sh;
            const float m1 = a->kern.power(row, o + 2 * (per_cells + sh), n1, !f, l, sum);
            const float m2 = a->kern.power(row + n1, o, a->n_lag - n1, !f, l, sum);
            mx = m1 > m2 ? m1 : m2;
        }
    }
    return mx;
}

/* Non-coherent power row S(q, lag) for lags [0, n_lag) at carrier q/nsub bins from the cached
 * spectra; returns its maximum and adds its sum to *sum. */
static float power_row(const bx_acq_t *a, acq_work_t *w, int prn, long q, float *row, double *sum)
{
    float mx = 0.0f;
    for (int b = 0; b < a->cfg.noncoh; b++)
        mx = block_power(a, w, prn, q, b, a->xf + (size_t)b * a->nsub, row, b == 0, b == a->cfg.noncoh - 1, sum);
    return mx;
}

/* Vertex offset (in cells, clamped to +-0.5) and value of the parabola through (-1,ym),(0,y0),(1,yp). */
static double parabola(double ym, double y0, double yp, double *peak)
{
    const double den = ym - 2.0 * y0 + yp;
    double d = 0.0;
    if (den < 0.0)
        d = 0.5 * (ym - yp) / den;
    if (d > 0.5)
        d = 0.5;
    if (d < -0.5)
        d = -0.5;
    if (peak)
        *peak = y0 - 0.25 * (ym - yp) * d;
    return d;
}

/* Fine Doppler: wipe the code (block starting at the found epoch `lag`) and the carrier fc off
 * every coherent block, sum into FINE_SUB sub-blocks, then maximise
 * sum_k |sum_q z_kq e^{-j 2 pi f t_q}|^2 over residual f on a grid of bin/FINE_DIV spanning the
 * sweep step, with a parabola through the best grid point.  gain = P(f)/P(0) (Doppler loss of
 * the coarse bin, used to correct the C/N0 estimate). */
static int fine_doppler(const bx_acq_t *a, acq_work_t *w, int prn, size_t lag, double fc, double *f_res,
                        double *gain)
{
    const size_t sub = a->n_coh / FINE_SUB, n_used = sub * FINE_SUB;
    const double fs = a->cfg.fs_hz;
    const double eps = (fc - a->cfg.if_hz) / a->carrier_hz;
    for (int b = 0; b < a->cfg.noncoh; b++) {
        if (b == 0 || a->nseg > 1) /* chips cached by code_spectrum */
            sample_replica(a, a->chips[prn - 1], b % a->nseg, w->rep);
        /* block b's epoch, moved by the code Doppler (block_shift_cells, in samples) */
        long n0l = (long)b * (long)a->n_coh + (long)lag + lround(-(double)b * (double)a->n_coh * eps);
        const long last = (long)a->nx - (long)n_used;
        if (n0l < 0)
            n0l += (long)a->n_per;
        if (n0l > last)
            n0l = last;
        const size_t n0 = (size_t)n0l;
        const bx_cf32_t *x = a->x + n0;
        double mr = 0.0, mi = 0.0; /* DC removal as in bx_acq_set_input */
        for (size_t n = 0; n < n_used; n++) {
            mr += crealf(x[n]);
            mi += cimagf(x[n]);
        }
        const float dcr = (float)(mr / n_used), dci = (float)(mi / n_used);
        for (int q = 0; q < FINE_SUB; q++) {
            /* carrier phasor re-seeded exactly at each sub-block start, rotated per sample */
            const double ph0 = -2.0 * M_PI * fmod(fc * (double)(n0 + (size_t)q * sub) / fs, 1.0);
            float cr = (float)cos(ph0), ci = (float)sin(ph0);
            const float dr = (float)cos(-2.0 * M_PI * fc / fs), di = (float)sin(-2.0 * M_PI * fc / fs);
            float sr = 0.0f, si = 0.0f;
            for (size_t n = (size_t)q * sub; n < (size_t)(q + 1) * sub; n++) {
                const float xr = (crealf(x[n]) - dcr) * w->rep[n], xi = (cimagf(x[n]) - dci) * w->rep[n];
                sr += xr * cr - xi * ci;
                si += xr * ci + xi * cr;
                const float t = cr * dr - ci * di;
                ci = cr * di + ci * dr;
                cr = t;
            }
            w->z[2 * (b * FINE_SUB + q)] = sr;
            w->z[2 * (b * FINE_SUB + q) + 1] = si;
        }
    }
    const double df = a->bin_hz / FINE_DIV, t_sub = (double)sub / fs;
    const int half = (int)ceil(FINE_DIV * (0.5 * a->step_sub / a->nsub + 1.0)); /* +-(step/2 + 1 bin) */
    double p_best = -1.0, p_m = 0.0, p_p = 0.0, p_zero = 0.0, prev = 0.0;
    int g_best = 0;
    for (int g = -half; g <= half + 1; g++) {
        double p = 0.0;
        if (g <= half) {
            const double f = g * df;
            const double rr = cos(-2.0 * M_PI * f * t_sub), ri = sin(-2.0 * M_PI * f * t_sub);
            for (int b = 0; b < a->cfg.noncoh; b++) {
                const float *z = w->z + 2 * (size_t)b * FINE_SUB;
                double er = 1.0, ei = 0.0, sr = 0.0, si = 0.0;
                for (int q = 0; q < FINE_SUB; q++) {
                    sr += z[2 * q] * er - z[2 * q + 1] * ei;
                    si += z[2 * q] * ei + z[2 * q + 1] * er;
                    const double t = er * rr - ei * ri;
                    ei = er * ri + ei * rr;
                    er = t;
                }
                p += sr * sr + si * si;
            }
        }
        if (g == 0)
            p_zero = p;
        if (g - 1 == g_best && g - 1 >= -half)
            p_p = p; /* right neighbour of the current best */
        if (g <= half && p > p_best) {
            p_best = p;
            g_best = g;
            p_m = prev;
        }
        prev = p;
    }
    double pk = p_best, d = 0.0;
    if (g_best > -half && g_best < half)
        d = parabola(sqrt(p_m), sqrt(p_best), sqrt(p_p), &pk), pk *= pk;
    *f_res = (g_best + d) * df;
    *gain = p_zero > 0.0 ? pk / p_zero : 1.0;
    if (a->cfg.noncoh < 2)
        return BX_OK;
    /* Consecutive blocks are contiguous periods, so the block sums at the estimate differ in
     * phase by 2 pi f T times the unknown secondary-code sign change; squaring the products
     * removes the sign: arg(sum (Z_{k+1} Z_k^*)^2) = 4 pi f T, which refines the non-coherent
     * grid estimate using the phase continuity over all K blocks. */
    const double rr = cos(-2.0 * M_PI * *f_res * t_sub), ri = sin(-2.0 * M_PI * *f_res * t_sub);
    double pr = 0.0, pim = 0.0, dr = 0.0, di = 0.0;
    for (int b = 0; b < a->cfg.noncoh; b++) {
        const float *z = w->z + 2 * (size_t)b * FINE_SUB;
        double er = 1.0, ei = 0.0, sr = 0.0, si = 0.0;
        for (int q = 0; q < FINE_SUB; q++) {
            sr += z[2 * q] * er - z[2 * q + 1] * ei;
            si += z[2 * q] * ei + z[2 * q + 1] * er;
            const double t = er * rr - ei * ri;
            ei = er * ri + ei * rr;
            er = t;
        }
        if (b > 0) {
            const double qr = sr * pr + si * pim, qi = si * pr - sr * pim; /* Z_b Z_{b-1}^* */
            dr += qr * qr - qi * qi;
            di += 2.0 * qr * qi;
        }
        pr = sr;
        pim = si;
    }
    /* The block phases are referenced to the coarse carrier (absolute sample index), so this
     * measures the whole residual modulo 1/(2T): take the alias nearest the grid estimate. */
    const double t_blk = (double)a->n_coh / fs, amb = 1.0 / (2.0 * t_blk);
    double f_d = atan2(di, dr) / (4.0 * M_PI * t_blk);
    f_d += amb * floor((*f_res - f_d) / amb + 0.5);
    if (fabs(f_d - *f_res) <= 0.25 * amb) /* larger differences: products noise-dominated */
        *f_res = f_d;
    return BX_OK;
}

#define TWO_STAGE_CELLS 16 /* cells the second stage of a two-stage search keeps at most (acq.h two_stage) */
#define TWO_STAGE_MIN 6     /* ... and at least */

/* Searches carrier cells q_first + d step_sub, d < n_dop, at threshold thr. */
static int search_cells(bx_acq_t *a, acq_work_t *w, int prn, long q_first, int n_dop, double thr,
                        bx_acq_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->prn = prn;
    res->threshold = thr;
    if (prn < 1 || prn > BX_PRN_MAX || !a->have_input)
        return BX_ERR_ARG;
    int st = code_spectrum(a, w, prn);
    if (st != BX_OK)
        return st;
    float *best = w->row[0], *cur = w->row[1];
    double total = 0.0, best_v = -1.0;
    long best_q = q_first;
    size_t best_i = 0;
    /* Non-coherent sums: blocks outer, all Doppler rows accumulated (w->acc).  Streaming: each
     * block transformed once per search.  Cached spectra: the block's spectra stay in cache
     * over all its cells instead of being read from memory once per cell (cell-outer order
     * made the spectrum product a memory-bound 27 % of a B1C 5 ms x 20 search; 8-10 % faster). */
    const int blocks_outer = a->stream || a->cfg.noncoh > 1;
    if (blocks_outer) {
        if (n_dop > a->n_dop)
            return BX_ERR_ARG;
        float rmax[n_dop];
        const int nk = a->cfg.noncoh;
        /* two stages (acq.h two_stage): blocks [0, m1) over every cell, [m1, nk) over the
         * keep_n cells with the highest peaks after m1 blocks */
        int keep_n = n_dop / 3; /* cells the second stage keeps: a third of the grid, 6 to 16 */
        keep_n = keep_n < TWO_STAGE_MIN ? TWO_STAGE_MIN : keep_n > TWO_STAGE_CELLS ? TWO_STAGE_CELLS : keep_n;
        const int m1 = a->cfg.two_stage && nk >= 10 && n_dop >= 2 * keep_n ? nk / 2 : nk;
        unsigned char keep[n_dop];
        memset(keep, 1, sizeof keep);
        for (int b = 0; b < nk; b++) {
            fftwf_complex *const *xs = a->xf + (size_t)b * a->nsub;
            if (a->stream) {
                block_spectra(a, w, a->x, a->nx, b, w->xs);
                xs = w->xs;
            }
            double dummy = 0.0;
            for (int d = 0; d < n_dop; d++)
                if (keep[d])
                    rmax[d] = block_power(a, w, prn, q_first + (long)d * a->step_sub, b, xs,
                                          w->acc + (size_t)d * a->n_lag, b == 0, b == m1 - 1 || b == nk - 1,
                                          b < m1 ? &total : &dummy);
            if (b == m1 - 1 && m1 < nk) {
                /* the noise floor of the full sum from the first stage's rows (every cell) */
                total *= (double)nk / m1;
                for (int d = 0; d < n_dop; d++) {
                    int above = 0;
                    for (int e = 0; e < n_dop && above < keep_n; e++)
                        above += rmax[e] > rmax[d] || (rmax[e] == rmax[d] && e < d);
                    keep[d] = above < keep_n;
                }
                for (int d = 0; d < n_dop; d++)
                    if (!keep[d])
                        rmax[d] = -1.0f;
            }
        }
        for (int d = 0; d < n_dop; d++)
            if (rmax[d] > best_v) {
                best_v = rmax[d];
                best_q = q_first + (long)d * a->step_sub;
                best = w->acc + (size_t)d * a->n_lag;
            }
        while (best_i + 1 < a->n_lag && best[best_i] != (float)best_v)
            best_i++;
    }
    for (int d = 0; !blocks_outer && d < n_dop; d++) {
        const long q = q_first + (long)d * a->step_sub;
        const float mx = power_row(a, w, prn, q, cur, &total);
        size_t mi = 0;
        if (mx > best_v) /* locate the new maximum (rare: only on improvement) */
            while (mi + 1 < a->n_lag && cur[mi] != mx)
                mi++;
        if (mx > best_v) { /* keep the row holding the maximum */
            best_v = mx;
            best_q = q;
            best_i = mi;
            float *t = best;
            best = cur;
            cur = t;
        }
    }
    const double mu = total / ((double)n_dop * (double)a->n_lag);
    if (!(mu > 0.0))
        return BX_OK; /* all-zero input: nothing to detect */
    res->metric = best_v / mu;
    res->detected = res->metric > thr;

    /* Code phase: lags just past one period repeat the first cells (next code epoch).  A peak
     * in the first or last cell lacks a neighbour: move it to its copy one period away. */
    if (best_i == 0 || best_i + 1 == a->n_lag) {
        const double copy = best_i == 0 ? a->lag_per : best_i - a->lag_per;
        size_t j = (size_t)floor(copy);
        if (j + 1 < a->n_lag && best[j + 1] > best[j])
            j++;
        if (j >= 1 && j + 1 < a->n_lag)
            best_i = j;
    }
    double dl = 0.0, pk_code = sqrt(best[best_i]);
    if (best_i > 0 && best_i + 1 < a->n_lag) {
        const double ym = sqrt(best[best_i - 1]), y0 = sqrt(best[best_i]), yp = sqrt(best[best_i + 1]);
        dl = parabola(ym, y0, yp, NULL);
        /* peak amplitude from a symmetric triangle through the maximum (the code correlation
         * of BPSK and of the BOC(1,1) main peak is triangular; a parabola underestimates the
         * peak by up to 2 dB between samples): y0 + (higher - lower neighbour) / 2 */
        pk_code = y0 + 0.5 * fabs(yp - ym);
    }
    /* Long sums (K > REFINE_BLOCKS): the per-block code-Doppler shifts are whole cells, which
     * blurs the summed peak by up to a cell; interpolate the code phase of block 0's epoch on
     * the first REFINE_BLOCKS blocks alone (drift << 1 cell there) near the found cell. */
    if (a->cfg.noncoh > REFINE_BLOCKS && best_i > 0 && best_i + 1 < a->n_lag) {
        float *tmp = (best == w->row[0]) ? w->row[1] : w->row[0];
        double dummy = 0.0;
        for (int b = 0; b < REFINE_BLOCKS; b++) {
            if (a->stream)
                block_spectra(a, w, a->x, a->nx, b, w->xs);
            block_power(a, w, prn, best_q, b, a->stream ? w->xs : a->xf + (size_t)b * a->nsub, tmp, b == 0,
                        b == REFINE_BLOCKS - 1, &dummy);
        }
        size_t i2 = best_i;
        for (size_t i = best_i - 1; i <= best_i + 1; i++)
            if (tmp[i] > tmp[i2])
                i2 = i;
        if (i2 > 0 && i2 + 1 < a->n_lag) {
            dl = parabola(sqrt(tmp[i2 - 1]), sqrt(tmp[i2]), sqrt(tmp[i2 + 1]), NULL);
            best_i = i2;
        }
    }
    const double lag_samples = (best_i + dl) * (double)a->m / a->mp;
    const double lag_s = lag_samples / a->cfg.fs_hz;

    /* Doppler: fine search around the peak bin on the code-wiped input */
    double f_res = 0.0, gain = 1.0;
    const double f_cell = (double)best_q / a->nsub * a->bin_hz;
    /* epoch for the fine search; past the input end use the same epoch one period earlier */
    size_t lag_fine = (size_t)llround(lag_samples);
    const size_t max_lag = a->nx - (size_t)a->cfg.noncoh * a->n_coh; /* >= one period */
    const size_t per_s = (size_t)llround(a->cfg.fs_hz * CODE_LEN / a->chip_rate);
    if (lag_fine > max_lag)
        lag_fine = lag_fine >= per_s ? lag_fine - per_s : max_lag;
    if (lag_fine > max_lag)
        lag_fine = max_lag;
    st = fine_doppler(a, w, prn, lag_fine, f_cell, &f_res, &gain);
    if (st != BX_OK)
        return st;
    res->doppler_hz = f_cell + f_res - a->cfg.if_hz;
    /* chips elapsed from sample 0 to the epoch at lag_s, with code Doppler */
    const double chips = lag_s * a->chip_rate * (1.0 + res->doppler_hz / a->carrier_hz);
    double cp = fmod(-chips, (double)CODE_LEN);
    if (cp < 0)
        cp += CODE_LEN;
    if (cp >= CODE_LEN)
        cp -= CODE_LEN;
    res->code_phase_chips = cp;

    /* C/N0 from the interpolated peak: E[S]/mu = 1 + (C/N0) T / ncomp (use_data: the noise
     * floor holds both components, the signal term their sum) */
    const double a0 = sqrt(best[best_i]);
    const double amp = a0 * (pk_code / a0);
    double snr = (amp * amp * gain / mu - 1.0) * a->ncomp;
    if (snr < 1e-3)
        snr = 1e-3;
    res->cn0_dbhz = 10.0 * log10(snr / a->t_coh_s / a->share); /* whole signal (acq.h) */
    if (res->detected && res->cn0_dbhz < a->cfg.cn0_min_dbhz)
        res->detected = 0; /* interference floor of long non-coherent sums (acq.h) */
    return BX_OK;
}

static int search_one(bx_acq_t *a, acq_work_t *w, int prn, bx_acq_result_t *res)
{
    return search_cells(a, w, prn, a->q_first, a->n_dop, a->threshold, res);
}

int bx_acq_search_input(bx_acq_t *a, int prn, bx_acq_result_t *res)
{
    if (!a || !res)
        return BX_ERR_ARG;
    return search_one(a, &a->work[0], prn, res);
}

int bx_acq_search_window(bx_acq_t *a, int prn, double center_hz, double half_hz, bx_acq_result_t *res)
{
    if (!a || !res || !isfinite(center_hz) || !(half_hz >= 0.0))
        return BX_ERR_ARG;
    /* clamp to the configured range: the code-Doppler margin of the FFT size covers only that */
    const double lim = a->cfg.doppler_max_hz;
    double lo = center_hz - half_hz, hi = center_hz + half_hz;
    lo = lo < -lim ? -lim : lo > lim ? lim : lo;
    hi = hi < -lim ? -lim : hi > lim ? lim : hi;
    const double cell_hz = a->bin_hz / a->nsub;
    const long q_lo = (long)floor((a->cfg.if_hz + lo) / cell_hz + 1e-9);
    const long q_hi = (long)ceil((a->cfg.if_hz + hi) / cell_hz - 1e-9);
    /* the object's grid: q_first + d step_sub; cells covering [q_lo, q_hi] within half a step */
    long d0 = (long)floor((double)(q_lo - a->q_first) / a->step_sub + 0.5);
    long d1 = (long)ceil((double)(q_hi - a->q_first) / a->step_sub - 0.5);
    if (d1 < d0)
        d1 = d0;
    const int n_dop = (int)(d1 - d0 + 1);
    const double thr = bx_acq_threshold(a->cfg.noncoh * a->ncomp, (double)n_dop * (double)a->n_lag, a->cfg.pfa);
    return search_cells(a, &a->work[0], prn, a->q_first + d0 * a->step_sub, n_dop, thr, res);
}

int bx_acq_search(bx_acq_t *a, const bx_cf32_t *x, size_t n, int prn, bx_acq_result_t *res)
{
    if (!a || !res)
        return BX_ERR_ARG;
    int st = bx_acq_set_input(a, x, n);
    if (st != BX_OK) {
        memset(res, 0, sizeof *res);
        res->prn = prn;
        return st;
    }
    return search_one(a, &a->work[0], prn, res);
}

typedef struct {
    bx_acq_t *a;
    acq_work_t *w;
    const int *prns;
    int nprn;
    bx_acq_result_t *res;
    atomic_int *next;
    int status;
} many_job_t;

static void *many_worker(void *arg)
{
    many_job_t *j = arg;
    j->status = BX_OK;
    for (;;) {
        const int i = atomic_fetch_add(j->next, 1);
        if (i >= j->nprn)
            break;
        const int st = search_one(j->a, j->w, j->prns[i], &j->res[i]);
        if (st != BX_OK)
            j->status = st;
    }
    return NULL;
}

int bx_acq_search_many(bx_acq_t *a, const bx_cf32_t *x, size_t n, const int *prns, int nprn,
                       bx_acq_result_t *res)
{
    if (!a || !prns || !res || nprn < 0)
        return BX_ERR_ARG;
    unsigned char seen[BX_PRN_MAX + 1] = {0};
    for (int i = 0; i < nprn; i++) { /* one worker per PRN owns its code-spectrum cache slot */
        if (prns[i] < 1 || prns[i] > BX_PRN_MAX || seen[prns[i]])
            return BX_ERR_ARG;
        seen[prns[i]] = 1;
    }
    int st = bx_acq_set_input(a, x, n);
    if (st != BX_OK)
        return st;
    atomic_int next = 0;
    many_job_t jobs[MAX_WORKERS];
    pthread_t tid[MAX_WORKERS];
    int nw = a->nwork < nprn ? a->nwork : nprn, started = 0;
    for (int t = 0; t < nw; t++)
        jobs[t] = (many_job_t){a, &a->work[t], prns, nprn, res, &next, BX_OK};
    for (int t = 1; t < nw; t++) {
        if (pthread_create(&tid[t], NULL, many_worker, &jobs[t]) != 0)
            break; /* fewer workers: the remaining ones take over the PRNs */
        started = t;
    }
    if (nw > 0)
        many_worker(&jobs[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < nw; t++)
        if (jobs[t].status != BX_OK)
            st = jobs[t].status;
    return st;
}

/* Search grid rows for pictures (acq.h). */
int bx_acq_power_row(bx_acq_t *a, int prn, int d, float *row, double *doppler_hz)
{
    if (!a || !row || prn < 1 || prn > BX_PRN_MAX || d < 0 || d >= a->n_dop || !a->have_input)
        return BX_ERR_ARG;
    if (!a->xf || !a->xf[0])
        return BX_ERR_UNSUPPORTED; /* block spectra not kept (a search that streams its blocks) */
    acq_work_t *w = &a->work[0];
    const int st = code_spectrum(a, w, prn);
    if (st != BX_OK)
        return st;
    const long q = a->q_first + (long)d * a->step_sub;
    double sum = 0.0;
    power_row(a, w, prn, q, row, &sum);
    if (doppler_hz)
        *doppler_hz = (double)q / a->nsub * a->bin_hz - a->cfg.if_hz;
    return BX_OK;
}
