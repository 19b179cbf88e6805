/* Acquisition sensitivity: detection probability vs C/N0 and false alarms, on the project's
 * simulator (src/sim/simsig.c) with 2-bit (ci2) quantisation as in the SignalSim captures.
 *
 *   bench_acq_pd [trials] [first_dbhz] [last_dbhz] [config]
 *     trials per 1 dB step (default 200), C/N0 range (default 26..40 dB-Hz, the whole signal,
 *     pilot + data), config: default (b1c-old, b1c, b2a-old, b2a; what make bench runs: about
 *     15 min CPU for B1C and 55 min for B2a at 200 trials), all, or one of b1c, b1c-weak, b2a,
 *     b2a-weak, b1c-old, b2a-old.
 *
 * A trial: one satellite (random PRN 19-46, Doppler uniform in +-4 kHz, random transmit time
 * and data symbols; B1C with its QMBOC pilot, so the BOC(1,1) replica sees 29/33 of the pilot),
 * noise, ci2 quantisation (thresholds at 1 sigma).  The search covers the Doppler cells within
 * 1.5 steps of the true Doppler (the grid stays the cold-start grid, so the true Doppler falls
 * anywhere between cells as in a full search) and is judged against the threshold of the FULL
 * +-5 kHz search at pfa 1e-3 (bx_acq_threshold over all its cells) and the configuration's
 * cn0_min_dbhz floor, so Pd is that of a cold search.  Correct detection: above that threshold, Doppler within one step and code phase within
 * one chip of the truth.  "wrong PRN": the same samples searched for a PRN that is not there.
 * False alarms: noise alone, pfa 1e-3 and 0.1 thresholds of the full grid applied to the
 * maximum over 8 windows of the grid (independent noise per search).
 * Lines starting "SUMMARY" are collected by bench/run.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/acq.h"
#include "bdsrx/iq.h"
#include "pd_util.h"
#include "bdsrx/simsig.h"

typedef struct {
    const char *name;
    int sig;
    double fs;
    int coh_ms, noncoh, use_data;
} pd_cfg_t;

static const pd_cfg_t CFGS[] = {
    {"b1c-old", BX_SIG_B1C, 4.092e6, 10, 1, 0}, /* the defaults before issue 14 */
    {"b1c", BX_SIG_B1C, 4.092e6, 0, 0, -1},     /* bx_acq_config_default */
    {"b1c-weak", BX_SIG_B1C, 4.092e6, 0, 0, -2}, /* bx_acq_config_weak */
    {"b2a-old", BX_SIG_B2A, 20.46e6, 1, 10, 0},
    {"b2a", BX_SIG_B2A, 20.46e6, 0, 0, -1},
    {"b2a-weak", BX_SIG_B2A, 20.46e6, 0, 0, -2},
};

static int random_symbol(void *user, int slot, int sig, int prn, bx_time_t t, int64_t k)
{
    (void)slot, (void)sig, (void)t;
    uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ull ^ (uint64_t)prn * 0xD1B54A32D192ED03ull ^ *(uint64_t *)user;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return (int)((h >> 40) & 1);
}

/* n samples of one satellite (or noise alone when cn0 is NAN) through ci2 */
static void make_block(const pd_cfg_t *pc, uint64_t seed, double cn0, int prn, double dop, bx_time_t tx, bx_cf32_t *x,
                       size_t n, uint8_t *raw, uint64_t *symseed)
{
    bx_simsig_config_t sc;
    bx_simsig_config_default(&sc, pc->fs);
    sc.noise_sigma = bx_simsig_default_sigma(BX_IQ_CI2);
    sc.seed = seed;
    sc.b1c_qmboc = 1;
    sc.max_sats = 1;
    sc.symbol = random_symbol;
    sc.user = symseed;
    bx_simsig_t *g = NULL;
    if (bx_simsig_create(&sc, &g, NULL, 0) != BX_OK)
        return;
    if (!isnan(cn0)) {
        bx_simsig_sat_t s = {.sig = pc->sig, .prn = prn, .tx_time = tx, .tx_rate = 0.0, .doppler_hz = dop,
                             .cn0_dbhz = cn0};
        bx_simsig_set_sat(g, 0, &s);
    }
    bx_simsig_generate(g, x, n);
    bx_simsig_destroy(g);
    bx_iq_pack(BX_IQ_CI2, x, n, 1.0f, raw);
    bx_iq_convert(BX_IQ_CI2, raw, n, x);
}

static void run_cfg(const pd_cfg_t *pc, int trials, int lo, int hi)
{
    bx_acq_config_t c;
    bx_acq_config_default(&c, pc->sig, pc->fs, 0.0);
    if (pc->use_data == -2)
        bx_acq_config_weak(&c);
    if (pc->use_data >= 0) {
        c.coh_ms = pc->coh_ms;
        c.noncoh = pc->noncoh;
        c.use_data = pc->use_data;
    }
    /* PD_NONCOH=K overrides the non-coherent count (for measuring other depths than the defaults) */
    const char *ov = getenv("PD_NONCOH");
    if (ov && atoi(ov) > 0 && atoi(ov) <= 4000)
        c.noncoh = atoi(ov);
    /* PD_TWO_STAGE=0|1 overrides the two-stage search (acq.h; it acts on full-grid searches:
     * PD_FULL=1 searches the whole +-5 kHz grid in every trial instead of the window) */
    const char *o2 = getenv("PD_TWO_STAGE");
    if (o2)
        c.two_stage = atoi(o2) != 0;
    const int full = getenv("PD_FULL") && atoi(getenv("PD_FULL")) != 0;
    /* PD_STEP_HZ=F overrides the Doppler step */
    const char *os = getenv("PD_STEP_HZ");
    if (os && atof(os) > 0.0 && atof(os) < 5000.0)
        c.doppler_step_hz = atof(os);
    bx_acq_t *a = NULL;
    char err[256];
    if (bx_acq_create(&c, &a, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    bx_acq_info_t in;
    bx_acq_get_info(a, &in);
    const double thr_full = in.threshold; /* full +-5 kHz grid, pfa 1e-3 */
    const double thr_01 =
        bx_acq_threshold(c.noncoh * (c.use_data ? 2 : 1), (double)in.n_doppler * (double)in.n_lag, 0.1);
    const size_t n = bx_acq_samples_needed(a);
    bx_cf32_t *x = malloc(n * sizeof *x);
    uint8_t *raw = malloc(bx_iq_bytes_for(BX_IQ_CI2, n));
    const double chip_rate = pc->sig == BX_SIG_B1C ? 1.023e6 : 10.23e6, period = 10230.0 / chip_rate;
    printf("config %s: %s %d ms x %d%s, %.3f Msps ci2, step %.1f Hz, %d cells x %zu lags, threshold %.3f "
           "(pfa 1e-3 full grid), %.1f ms of samples per search\n",
           pc->name, pc->sig == BX_SIG_B1C ? "B1C" : "B2a", c.coh_ms, c.noncoh, c.use_data ? " pilot+data" : " pilot",
           pc->fs / 1e6, in.step_hz, in.n_doppler, in.n_lag, thr_full, n / pc->fs * 1e3);
    uint64_t s = 0x243F6A8885A308D3ull ^ (uint64_t)pc->sig * 7919u ^ (uint64_t)c.noncoh;
    double pd33 = -1, pd30 = -1, first90 = NAN;
    int wrong_total = 0, searches_total = 0;
    const double t0 = cpu_s();
    for (int cn0 = lo; cn0 <= hi; cn0++) {
        int ok = 0, wrong = 0, det_wrong_cell = 0, ok_nofloor = 0;
        double cn0_err = 0.0;
        for (int t = 0; t < trials; t++) {
            const int prn = 19 + (int)(rng(&s) % 28);
            const double dop = (unif(&s) * 2.0 - 1.0) * 4000.0;
            bx_time_t tx = {(int64_t)(rng(&s) % 600000), unif(&s)};
            uint64_t symseed = rng(&s);
            make_block(pc, rng(&s), cn0, prn, dop, tx, x, n, raw, &symseed);
            /* code phase (chips into the primary code) at sample 0 */
            const double cp = fmod(tx.frac_s, period) / period * 10230.0;
            bx_acq_result_t r, rw;
            bx_acq_set_input(a, x, n);
            if (full)
                bx_acq_search_input(a, prn, &r);
            else
                bx_acq_search_window(a, prn, dop, 1.5 * in.step_hz, &r);
            const int det = r.metric > thr_full && r.cn0_dbhz >= c.cn0_min_dbhz; /* as bx_acq_search */
            const int right = fabs(r.doppler_hz - dop) < in.step_hz && fabs(chip_diff(r.code_phase_chips, cp)) < 1.0;
            ok += det && right;
            ok_nofloor += r.metric > thr_full && right; /* the same search without the cn0_min_dbhz floor */
            det_wrong_cell += det && !right;
            if (det && right)
                cn0_err += r.cn0_dbhz - cn0;
            const int other = prn == 46 ? 19 : prn + 1;
            if (full)
                bx_acq_search_input(a, other, &rw);
            else
                bx_acq_search_window(a, other, dop, 1.5 * in.step_hz, &rw);
            wrong += rw.metric > thr_full && rw.cn0_dbhz >= c.cn0_min_dbhz;
        }
        const double pd = (double)ok / trials;
        if (cn0 == 33)
            pd33 = pd;
        if (cn0 == 30)
            pd30 = pd;
        if (isnan(first90) && pd >= 0.9)
            first90 = cn0;
        wrong_total += wrong;
        searches_total += trials;
        printf("  %s C/N0 %2d dB-Hz: Pd %.3f (%d/%d), detections at a wrong cell %d, wrong-PRN detections %d, "
               "C/N0 error %+.2f dB; without the %.0f dB-Hz C/N0 floor Pd %.3f\n",
               pc->name, cn0, pd, ok, trials, det_wrong_cell, wrong, ok ? cn0_err / ok : NAN, c.cn0_min_dbhz,
               (double)ok_nofloor / trials);
        fflush(stdout);
    }
    /* noise alone: 8 windows per search cover 8 x 3-4 cells of the grid; the full-grid thresholds
     * then bound the false-alarm rate of those cells (a lower bound on the full-search rate
     * scaled by cells: reported per full search) */
    /* PD_NOISE=N: N noise trials instead of `trials` (0: none, for runs that only add C/N0 steps) */
    int fa3 = 0, fa1 = 0, nfa = getenv("PD_NOISE") ? atoi(getenv("PD_NOISE")) : trials;
    if (nfa < 0)
        nfa = 0;
    double cells_searched = 0.0;
    for (int t = 0; t < nfa; t++) {
        bx_time_t tx = {0, 0.0};
        uint64_t symseed = 1;
        make_block(pc, rng(&s), NAN, 19, 0.0, tx, x, n, raw, &symseed);
        bx_acq_set_input(a, x, n);
        double mx = 0.0;
        for (int w = 0; w < 8; w++) {
            bx_acq_result_t r;
            bx_acq_search_window(a, 19 + (int)(rng(&s) % 28), (unif(&s) * 2.0 - 1.0) * 4500.0, 1.5 * in.step_hz, &r);
            mx = r.metric > mx ? r.metric : mx;
            cells_searched += 4.0 * (double)in.n_lag;
        }
        fa3 += mx > thr_full;
        fa1 += mx > thr_01;
    }
    const double full_cells = (double)in.n_doppler * (double)in.n_lag;
    const double equiv = cells_searched / full_cells; /* full searches' worth of cells */
    printf("  %s noise: %d / %d over %.1f full searches' worth of cells at the pfa 0.1 threshold (%.1f "
           "expected for independent cells), %d at pfa 1e-3 (%.3f expected)\n",
           pc->name, fa1, nfa, equiv, 0.1 * equiv, fa3, 1e-3 * equiv);
    printf("SUMMARY acq Pd %s (%s %d ms x %d%s, 2-bit, cold-start threshold pfa 1e-3): Pd(30 dB-Hz) %.2f, "
           "Pd(33 dB-Hz) %.2f, Pd >= 0.9 from %.0f dB-Hz; wrong-PRN detections %d / %d; %d trials per dB, "
           "%.0f s CPU\n",
           pc->name, pc->sig == BX_SIG_B1C ? "B1C" : "B2a", c.coh_ms, c.noncoh, c.use_data ? " P+D" : " P", pd30, pd33,
           first90, wrong_total, searches_total, trials, cpu_s() - t0);
    free(x);
    free(raw);
    bx_acq_destroy(a);
}

int main(int argc, char **argv)
{
    const int trials = argc > 1 ? atoi(argv[1]) : 200;
    const int lo = argc > 2 ? atoi(argv[2]) : 26, hi = argc > 3 ? atoi(argv[3]) : 40;
    /* "default" (make bench): the old and new cold-start defaults; the weak-signal ones (about 2 s
     * CPU per trial) only when named or with "all" */
    const char *which = argc > 4 ? argv[4] : "default";
    for (size_t i = 0; i < sizeof CFGS / sizeof CFGS[0]; i++)
        if (!strcmp(which, "all") || !strcmp(which, CFGS[i].name) ||
            (!strcmp(which, "default") && !strstr(CFGS[i].name, "weak")))
            run_cfg(&CFGS[i], trials, lo, hi);
    return 0;
}
