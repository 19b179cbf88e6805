/*
 * bdsrx — FFT acquisition of BeiDou-3 B1C / B2a pilots (parallel code-phase search on FFTW).
 *
 * Method (dsp/acq.c):
 *   A coherent block of N = coh_ms samples is correlated with N samples of the local pilot
 *   replica for every lag 0 <= tau < P (P = samples per primary-code period) as a LINEAR
 *   correlation: the input block holds N + P samples, the replica is zero-padded, both to a
 *   fast FFT size M >= N + P (2^a 3^b 5^c 7^d; 20460 points are ~6x slower than 20480).  At the
 *   true lag the N samples start at a primary-code epoch, so the pilot secondary-code chip (B1C:
 *   one chip per 10 ms, B2a: one per 1 ms) and the B1C data symbol are constant inside the
 *   window: no bit-transition loss.  The input spectra are computed once per block (shared by all
 *   PRNs): nsub of them, the block moved down by s/nsub bin (bin = fs / M ~ 1/(2 T_coh)); a
 *   Doppler cell is a circular shift of one of them by whole bins, so the grid has 1/nsub-bin
 *   granularity and the automatic step is 2/(3 T_coh) (4/3 bin, nsub = 3).  Only a window of M' <= M bins around the carrier is kept
 *   (M' = fast size >= M * B / fs, B = 4.092 MHz for B1C BOC(1,1), 20.46 MHz for B2a BPSK(10)),
 *   so a 24 MHz real-IF capture costs the same per Doppler bin as a 4 MHz one.
 *   Code spectra (conjugated, windowed) are computed once per PRN and cached; FFTW plans are
 *   made in bx_acq_create only.  Non-coherent integration sums |r|^2 over `noncoh` consecutive
 *   blocks of N samples.
 *
 * B1C pilot + data (use_data): the data component (B1C data primary code, same BOC(1,1)
 *   sub-carrier and code epoch; its 10 ms symbol is constant in the window like the pilot's
 *   secondary chip) is correlated too and S sums |r_pilot|^2 + |r_data|^2, i.e. 2K terms of equal
 *   noise power in the test below.  Signal power used: 0.909 instead of 0.659 of B1C (+1.4 dB,
 *   ~1 dB sensitivity after the non-coherent combining loss) for twice the inverse FFTs;
 *   cn0_dbhz then counts pilot BOC(1,1) + data.  SignalSim B1C: +1.12 dB C/N0, same code
 *   phase and Doppler (tests/test_acq.c).
 *
 * Detection test (constant false-alarm rate, documented contract):
 *   S(d, tau) = sum_{k<K} |r_k(d, tau)|^2 (K = noncoh, or 2 noncoh with use_data) over the Nc = n_doppler_bins x n_lag_cells searched
 *   cells; mu = mean of S over all cells (noise floor; the signal's share of it is negligible for
 *   millions of cells).  metric = max S / mu.  Under H0 (complex Gaussian noise) S/mu ~
 *   Gamma(K, 1/K), so  P(cell > g) = Q_K(K g) = exp(-K g) sum_{i<K} (K g)^i / i!.
 *   The threshold g solves  1 - (1 - Q_K(K g))^Nc = pfa  (cells treated as independent; adjacent
 *   lag/Doppler cells are correlated, so the effective number is smaller and the true false-alarm
 *   probability per PRN search is <= pfa).  detected = metric > g.
 *   Example: K = 1, Nc = 201 x 40920, pfa = 1e-3 -> g = 22.83.  Measured on noise (tests):
 *   pfa 0.2 -> 69 alarms in 378 searches (75.6 expected), pfa 1e-3 -> 0 in 378.
 *
 * C/N0 estimate: with the interpolated peak Sp (code: symmetric triangle through the maximum
 *   cell, y0 + |y+ - y-|/2 in amplitude; Doppler: the fine-search gain), E[Sp]/mu = 1 + (C/N0) T,
 *   so (C_searched/N0) = (Sp/mu - 1) ncomp / T_coh for the searched components; cn0_dbhz reports
 *   the WHOLE signal (pilot + data), that divided by the searched components' ICD power share
 *   (B1C pilot BOC(1,1) 0.75 x 29/33 = 0.659, + 0.25 with use_data; B2a pilot 0.5, + 0.5 with
 *   use_data; signals.md §1), losses of quantisation and of the processing window included.
 *   Measured on SignalSim (2-bit, truth cn0_effective_total_dbhz): B1C and B2a within 1 dB
 *   (tests/test_acq.c, check_signalsim), on the project simulator -0.3..-0.9 dB (bench_acq_pd).
 *
 * Blocks shorter than the code period (B1C coh_ms 1, 2, 5): block k of N samples holds segment
 *   k mod (10 / coh_ms) of the primary code at the true lag, so it is correlated with that
 *   segment's replica (cached per PRN); the secondary-code chip / data symbol stays constant in
 *   it.  Non-coherent blocks are aligned for the code Doppler of each Doppler cell (block k's
 *   epoch arrives k N fD / f_carrier samples early: lag shift rounded to a cell), which keeps
 *   K = 20 .. 1000 blocks summing on one cell (B2a 0.2 s at 5 kHz: 8.7 samples of drift).
 *   When the block spectra would exceed 32 MB (B2a x 200, B1C 10 ms x 40) they are not kept:
 *   each search transforms the blocks itself into an n_doppler x n_lag accumulator.
 *
 * Refinement (before tracking): code phase by parabolic interpolation of sqrt(S) over the peak lag
 *   and its neighbours (lag cell = M/M' samples; the first/last cell uses its copy one period
 *   away).  Doppler by a fine search on the input itself: code and coarse carrier wiped off from
 *   the found epoch, 64 sub-block sums per block, sum_k |Z_k(f)|^2 maximised on a bin/16 grid over
 *   +-(step/2 + 1 bin) with a parabola; for K >= 2 then arg sum_k (Z_k Z_{k-1}^*)^2 = 4 pi f T
 *   (squaring removes the secondary-code / data signs) over the contiguous blocks, alias nearest
 *   the grid estimate.  Measured on SignalSim (pilot ~41 dB-Hz): B1C 10 ms |err| <= 5.3 Hz,
 *   B2a 1 ms x 10 <= 30 Hz; code phase within 0.2 chip of the sample-grid truth.
 *
 * Conventions:
 *   doppler_hz        received carrier minus nominal, at baseband: x(t) ~ s(t) e^{+j 2 pi fD t};
 *                     for real-IF input the signal is searched at if_hz + fD.  Real input needs
 *                     |if_hz| >= about B/2 (band clear of its own image); real samples with the
 *                     carrier near 0 Hz (IF = fs, e.g. SnapperGPS) give non-circular noise at
 *                     Doppler ~0 and false alarms there.
 * Input: each block's mean is removed (DC spur of real / RTL front ends).  Needs
 *   (noncoh - 1) N + N + P samples; a 12 ms snapshot allows coh_ms <= 2 for B1C.
 *   code_phase_chips  chip of the received primary code arriving at the FIRST sample of the block,
 *                     0 <= x < 10230 (= transmit time within the code period x chip rate).
 *
 * Threads: one bx_acq_t must be used by one thread at a time; bx_acq_search_many uses the
 * object's own worker pool (config.nthreads).  bx_acq_create/destroy call the FFTW planner, which
 * is not thread-safe: create and destroy objects from one thread.
 */
#ifndef BDSRX_ACQ_H
#define BDSRX_ACQ_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/iq.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int sig;                /* bx_signal_t: BX_SIG_B1C, BX_SIG_B2A, or BX_SIG_B2B (B2b-I, data only:
                               the whole signal is searched; coh_ms must be 1) */
    double fs_hz, if_hz;    /* sample rate; carrier offset of the band centre in the samples (0 complex baseband) */
    double doppler_max_hz;  /* search +-, default 5000 */
    double doppler_step_hz; /* 0 = automatic (about 2/(3*T_coh)); default 0 except B2a: 1/(3*T_coh) (333 Hz, see
                               bx_acq_config_default); rounded to a whole number (>= 1) of FFT bins fs/M */
    int coh_ms;             /* coherent integration, default 5 (B1C; 10 when 5 ms is not a whole number of
                               samples) / 1 (B2a, B2b); below the code period (B1C 1, 2, 5 ms) block k uses
                               code segment k mod (10 / coh_ms) and N must be whole samples */
    int noncoh;             /* non-coherent sums, default 20 (B1C; 10 with 10 ms) / 200 (B2a) / 10 (B2b); blocks are
                               aligned for the code Doppler of each cell before summing */
    double pfa;             /* false-alarm probability per PRN search, default 1e-3 */
    int use_data;           /* add |r_data|^2 to |r_pilot|^2 per block (see above); default 0 for B1C,
                               1 for B2a (its data sign is constant within each 1 ms code period) */
    /* appended fields (defaults from bx_acq_config_default) */
    int nthreads;           /* worker threads of bx_acq_search_many, default 1 */
    int fft_measure;        /* 1: FFTW_MEASURE plans (about 1-5 s per size in create, search 10-35 % faster);
                               0: FFTW_ESTIMATE unless wisdom for the sizes is loaded (default 0) */
    double bw_hz;           /* processing bandwidth B around the carrier, 0 = automatic (4.092 MHz B1C,
                               20.46 MHz B2a); values below fs decimate the correlation in frequency */
    const char *wisdom_path; /* FFTW wisdom file or NULL: imported before planning (measured plans for
                               the sizes found there are used even with fft_measure 0); written back
                               after planning when fft_measure is 1 */
    double cn0_min_dbhz;    /* a detection also needs its C/N0 estimate >= this (default 30; 0 = off).
                               Long non-coherent sums (K = 20 and more) average the noise so far down
                               that weak but consistent peaks from the strong satellites in the same
                               samples (cross-correlation, 2-bit quantisation products) pass the
                               Gaussian-noise threshold: measured 3 false PRNs in 189 searches on the
                               SignalSim / PocketSDR captures at K = 20, all with estimates of 28-29 dB-Hz,
                               none on Gaussian noise (tests/test_acq.c).  The weak-signal searches of
                               the receiver (predicted satellites, narrow grid) lower it. */
    int two_stage;          /* 1 (default): a search of >= 12 Doppler cells with K >= 10 non-coherent blocks
                               sums the first K/2 blocks over every cell, then the rest only over the
                               third of the cells (6 to 16) with the highest peaks so far; the detection
                               statistic and threshold are those of the full sum (the noise floor from the
                               first stage), so the false-alarm rate cannot rise, and a signal is lost
                               only when that many noise cells outrank its cell after K/2 blocks.  0:
                               every block over every cell.  Cold searches: B1C 5 ms x 20 (77 cells, 16
                               kept) 40 % fewer inverse FFTs, B2a 1 ms x 200 (31 cells of 333 Hz, 10 kept)
                               34 % (17 cells, 6 kept at the old 666 Hz step: 32 %).
                               Measured in bench/bench_acq_pd.c (PD_FULL=1). */
} bx_acq_config_t;

void bx_acq_config_default(bx_acq_config_t *c, int sig, double fs_hz, double if_hz);
/* Weak-signal search (on top of the defaults): B1C pilot 10 ms x 40 (0.41 s of samples), B2a
 * pilot + data 1 ms x 400 (0.4 s) on a 333 Hz Doppler grid (half the default step: the code
 * Doppler error of a cell smears the 0.4 s sum); C/N0 floor 25 dB-Hz.  Meant for satellites predicted to be
 * there with a narrow Doppler window (bx_acq_search_window): a full +-5 kHz search costs about
 * 2 s CPU per PRN.  bench/bench_acq_pd.c "b1c-weak" / "b2a-weak" measures it. */
void bx_acq_config_weak(bx_acq_config_t *c);

typedef struct {
    int prn, detected;
    double doppler_hz;       /* received carrier minus nominal at baseband (x * e^{+j2pi fD t}), refined */
    double code_phase_chips; /* chip of the received primary code at the first sample of the block, 0 <= x < 10230 */
    double cn0_dbhz;         /* whole signal (pilot + data), from the searched components (see above) */
    double metric, threshold;
} bx_acq_result_t;

typedef struct bx_acq bx_acq_t;

/* BX_OK with *out set; BX_ERR_ARG (invalid configuration) or BX_ERR_NOMEM with *out = NULL and
 * the reason in err (may be NULL). */
int bx_acq_create(const bx_acq_config_t *c, bx_acq_t **out, char *err, size_t errlen);
size_t bx_acq_samples_needed(const bx_acq_t *a); /* samples bx_acq_search consumes */
/* Searches one PRN (1..63) in x[0..n) (n >= bx_acq_samples_needed).  BX_OK with res filled
 * (res->detected tells the outcome), BX_ERR_ARG for bad prn / short input. */
int bx_acq_search(bx_acq_t *a, const bx_cf32_t *x, size_t n, int prn, bx_acq_result_t *res);
void bx_acq_destroy(bx_acq_t *a); /* NULL-safe */

/* Two-step form: transform the input once, then search any number of PRNs in it. */
int bx_acq_set_input(bx_acq_t *a, const bx_cf32_t *x, size_t n);
int bx_acq_search_input(bx_acq_t *a, int prn, bx_acq_result_t *res);
/* Searches only the Doppler cells of the object's grid within center_hz +- half_hz (clamped to
 * +-doppler_max_hz; at least one cell) in the input of the last bx_acq_set_input, at the
 * threshold for that many cells and config.pfa: a narrow window (predicted Doppler) is both
 * cheaper and more sensitive.  Same returns as bx_acq_search_input. */
int bx_acq_search_window(bx_acq_t *a, int prn, double center_hz, double half_hz, bx_acq_result_t *res);
/* Searches nprn distinct PRNs in x with config.nthreads workers; res[i] belongs to prns[i]. */
int bx_acq_search_many(bx_acq_t *a, const bx_cf32_t *x, size_t n, const int *prns, int nprn,
                       bx_acq_result_t *res);

/* Default PRN set of a signal: 1 if PRN prn broadcasts it.  B1C and B2a come from the BDS-3 MEO
 * and IGSO satellites only, not the GEOs (shared/icd/signals.md §1 "transmitted by", orbit.md §3.1;
 * GEO PRNs 1-5 and 59-63, pppb2b.md), so the default is PRN 6-58; B2b: 1-63 (PPP-B2b from the GEOs
 * 59-63); --prn / prn masks override. */
int bx_acq_default_prn(int sig, int prn);

/* Introspection (bench, CLI, tests). */
typedef struct {
    size_t n_coh;       /* N, samples per coherent block */
    size_t fft_size;    /* M, forward FFT size */
    size_t ifft_size;   /* M', inverse FFT size (processing window) */
    size_t n_lag;       /* lag cells searched per Doppler bin */
    int n_doppler;      /* Doppler bins searched */
    double bin_hz;      /* fs / M */
    double step_hz;     /* Doppler step actually used */
    double lag_samples; /* M / M', input samples per lag cell */
    double threshold;   /* g of the detection test */
} bx_acq_info_t;
void bx_acq_get_info(const bx_acq_t *a, bx_acq_info_t *info);

/* Detection threshold g for K non-coherent sums over ncells cells at false-alarm probability pfa
 * (the formula above); exposed for tests and tools. */
double bx_acq_threshold(int noncoh, double ncells, double pfa);

/* Smallest n >= min_n whose only prime factors are 2, 3, 5, 7 (fast FFTW size). */
size_t bx_acq_fast_size(size_t min_n);

/* The search grid for pictures (bdsrx acquire --grid): S(d, lag) for lag cells 0 <= lag < n_lag
 * (bx_acq_info_t; lag cell j = j * lag_samples input samples after the first sample, the epoch of
 * the code arriving there) of Doppler cell d (0 <= d < n_doppler) of PRN prn in the input of the
 * last bx_acq_set_input; *doppler_hz (may be NULL) gets the cell's Doppler.  The mean of S over
 * all cells is the noise floor mu of the detection test.  BX_ERR_ARG for a bad prn / d or no input,
 * BX_ERR_UNSUPPORTED when the object does not keep the input's block spectra.  Same threading as
 * bx_acq_search_input. */
int bx_acq_power_row(bx_acq_t *a, int prn, int d, float *row, double *doppler_hz);

#ifdef __cplusplus
}
#endif
#endif
