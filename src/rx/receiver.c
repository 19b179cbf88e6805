/*
 * Receiver engine: acquisition scheduling, channels spread over worker
 * threads, navigation-data decoding, observation epochs and the receiver
 * time scale.  See include/bdsrx/receiver.h.
 *
 * Receiver time.  Until a transmit time is decoded the engine counts samples
 * only (epochs every epoch_interval_s of samples, observations without
 * pseudoranges).  When the first channel gets a time anchor the receiver time
 * of sample S is set to t0 + S/fs with t0 = (transmit time + 75 ms nominal
 * travel time) - S/fs, rounded to a whole sample so that epochs at whole
 * multiples of the interval fall on samples.  A position fix then measures the
 * clock bias and bx_rx_steer_clock() removes it (in whole samples).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/acq.h"
#include "bdsrx/receiver.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"
#include "bx_err.h"
#include "channel.h"
#include "reacq.h"
#include "rx_solve.h"
#include "warmstart.h"

#define PILOT_ALIGN_CYC 0.25 /* pilot -> data phase (see set_phase) */
#define NOMINAL_TRAVEL_S 0.075 /* MEO/IGSO signal travel time is 67-130 ms */
#define MAX_EPOCHS_PER_CALL 64
#define B2B_ACQ_NONCOH 40 /* B2b-I: data only, 1 ms coherent; 40 non-coherent sums */
/* Re-acquisition (src/rx/reacq.c): satellites predicted above REACQ_MASK_DEG, searched within
 * +-REACQ_HALF_HZ of the predicted Doppler plus the clock drift seen on the tracked channels
 * (a vehicle at 30 m/s moves the B1C Doppler by up to 160 Hz).  Without a prediction, the
 * periodic searches cover only the channels lost since (+-REACQ_HALF_HZ around their last
 * Doppler), and the whole list again after REACQ_BLIND_FULL_S, doubling after each such search
 * that started nothing (rising satellites take minutes; the cold search already covered the sky). */
#define REACQ_MASK_DEG 5.0
#define REACQ_HALF_HZ 500.0
#define REACQ_BLIND_FULL_S 60.0
#define REACQ_BLIND_PER_BLOCK 8 /* with a plan: satellites without an ephemeris searched per turn */
/* Hot start (time hint, a-priori position, ephemerides; no fix yet): the first searches cover only
 * the satellites predicted above HINT_MASK_DEG from the hinted time and place (a position 100 km
 * off or a time minutes off moves elevations by ~1-2 deg; below 0 deg for the margin), at the whole
 * Doppler range (the receiver clock's offset is unknown).  A search of that plan which leaves
 * fewer than HINT_MIN_CHANNELS channels on the stream (a wrong cache position or clock) gives up
 * the plan: the next search covers the whole list, as a cold start does. */
#define HINT_MASK_DEG (-5.0)
#define HINT_MIN_CHANNELS 4
#define LOST_RESEARCH_S 1.0 /* a PRN whose channel lost lock is searched again after this */
/* Escalation (reacq.c bx_reacq_escalate): predicted satellites missed by the narrow search get the
 * weak-signal search (B1C 10 ms x 40 ~0.15 s CPU per PRN in a +-500 Hz window), at most
 * REACQ_WEAK_PER_BLOCK PRNs in one block every REACQ_WEAK_INTERVAL_S per stream: <= ~3 % of one
 * core (bench_reacq). */
#define REACQ_WEAK_INTERVAL_S 10.0
#define REACQ_WEAK_PER_BLOCK 2
#define REACQ_WEAK_RETRY_S 30.0 /* a PRN's next escalation (absent or blocked satellites) */

typedef struct {
    bx_rx_stream_t cfg;
    uint64_t sample;            /* index of the next sample to arrive */
    bx_acq_t **acq;             /* one per worker thread */
    size_t acq_need;            /* samples one search consumes */
    bx_cf32_t *hist;            /* acquisition block being filled */
    size_t hist_n;
    uint64_t hist_start;        /* sample index of hist[0] */
    int acq_due;                /* a search is wanted once hist is full */
    uint64_t next_acq_sample;   /* next periodic re-search */
    bx_channel_t *ch[BX_PRN_MAX + 1]; /* by PRN */
    /* background search (acq_async): owns hist and acq[0] while `searching` */
    int searching;
    atomic_int search_done;
    pthread_t search_th;
    int search_prns[BX_PRN_MAX];
    int search_n;
    bx_acq_result_t search_res[BX_PRN_MAX];
    double win_center[BX_PRN_MAX], win_half[BX_PRN_MAX]; /* Doppler windows of the list (half < 0: all) */
    int predicted;              /* the list came from the re-acquisition plan */
    int hinted;                 /* ... made from the time hint and the a-priori position (no fix yet) */
    int hint_plan_failed;       /* such a search started too few channels: whole lists from now on */
    int search_again;           /* ... and the whole list is searched on the next block, not later */
    int blind_misses;           /* whole-list blind searches in a row that started no channel */
    int blind_full;             /* the current list is the whole list without a plan */
    uint64_t next_full_blind;   /* sample from which the next blind search covers the whole list */
    int blind_next;             /* with a plan: PRN index (0-based) where the next blind turn starts */
    uint64_t lost_mask;         /* PRNs whose channel was dropped (LOST) and not found since */
    double lost_dop[BX_PRN_MAX + 1]; /* their last tracked Doppler */
    bx_reacq_weak_t weak;       /* escalation to the weak-signal search (made on first use) */
    size_t block_need;          /* samples the block being filled collects (acq_need or weak.need) */
    double acq_cpu_s, first_cpu_s, search_cpu_s; /* search CPU (search_cpu_s: background search's) */
    int first_prns;             /* PRNs in the first search block */
    int blocks;
} stream_t;

struct bx_rx {
    bx_rx_config_t cfg;
    int threads;
    stream_t st[BX_RX_MAX_STREAMS];
    bx_nav_t nav;
    bx_ephasm_t *ephasm;
    int have_t0;
    int b2b_dayless;            /* PPP-B2b entries stored on day 0 (no time yet): re-dated once known */
    int64_t t0_samples;         /* receiver time of sample 0 of stream 0, in samples of stream 0 */
    int64_t epoch_samples;      /* epoch interval in samples of stream 0 */
    int64_t next_epoch_rx;      /* receiver time (samples of stream 0) of the next epoch */
    double pos_ecef_m[3];
    int have_pos;
    bx_obs_t obs;               /* epoch being assembled */
    uint64_t obs_sample;        /* stream-0 sample index of that epoch */
    uint64_t skipped;           /* samples of stream 0 declared lost (bx_rx_skip) */
    unsigned resyncs;           /* time scale re-established after a discontinuity */
    /* warm/hot start (warmstart.c): time hint, a-priori position, outcome */
    int hint_valid, apr_valid, time_fine, start_kind;
    bx_time_t hint_t0;          /* hinted BDT of stream-0 sample 0 */
    double hint_sigma_s, hint_err_s;
    double apr_pos[3];
    uint64_t warm_next;         /* stream-0 sample of the next coarse-time attempt */
    char start_msg[200];
    int64_t steered_samples;    /* sum of the clock steps of bx_rx_steer_clock (stream-0 samples) */
    int64_t epoch_count;        /* epochs emitted */
    rx_solve_t *solve;          /* positioning (rx_solve.c), NULL with BX_SOLVER_NONE */
    bx_b2b_store_t *b2b;        /* PPP-B2b corrections from B2b streams (NULL without one) */
    bx_rx_b2b_stats_t b2b_stats;
};

void bx_rx_config_default(bx_rx_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->epoch_interval_s = 1.0;
    c->reacq_interval_s = 10.0;
    c->acq_pfa = 1e-3;
    c->solver = BX_SOLVER_SPP;
    c->pvt_mode = BX_RX_PVT_AUTO;
    bx_pvt_config_default(&c->pvt);
    c->feedback = 1;
    c->steer_threshold_m = 300.0;
    bx_rtk_config_default(&c->rtk);
    bx_ppp_cfg_default(&c->ppp);
    bx_b2b_cfg_default(&c->b2b);
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int prn_wanted(const bx_rx_t *rx, int sig, int prn)
{
    return rx->cfg.prn_mask == 0 ? bx_acq_default_prn(sig, prn) : (int)((rx->cfg.prn_mask >> prn) & 1u);
}

int bx_rx_create(const bx_rx_config_t *c, bx_rx_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_rx_create: out is NULL");
    *out = NULL;
    if (!c)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_rx_create: no configuration");
    int st_code = BX_ERR_ARG;
    if (c->n_streams < 1 || c->n_streams > BX_RX_MAX_STREAMS)
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: %d sample streams given, 1 to %d supported", c->n_streams,
                      BX_RX_MAX_STREAMS);
    if (!(c->epoch_interval_s >= 0.1 && c->epoch_interval_s <= 1.0))
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: output interval %.3g s outside 0.1 .. 1 s",
                      c->epoch_interval_s);
    bx_rx_t *rx = calloc(1, sizeof *rx);
    if (!rx)
        return bx_err(err, errlen, BX_ERR_NOMEM, "receiver: out of memory");
    rx->cfg = *c;
    rx->threads = c->threads > 0 ? c->threads : online_cpus();
    bx_nav_init(&rx->nav);
    if (bx_ephasm_create(&rx->ephasm, NULL, 0) != BX_OK)
        goto nomem;
    for (int s = 0; s < c->n_streams; s++) {
        stream_t *st = &rx->st[s];
        st->cfg = c->stream[s];
        if (st->cfg.sig != BX_SIG_B1C && st->cfg.sig != BX_SIG_B2A && st->cfg.sig != BX_SIG_B2B) {
            st_code = bx_err(err, errlen, BX_ERR_ARG, "receiver: stream %d: only B1C, B2a and B2b are supported", s);
            goto fail;
        }
        if (st->cfg.sig == BX_SIG_B2B && !rx->b2b) {
            /* a configuration zeroed by hand (not from bx_rx_config_default): the defaults */
            const bx_b2b_cfg_t *bc =
                c->b2b.max_age_clock_s == 0 && c->b2b.max_age_orbit_s == 0 && c->b2b.max_age_dcb_s == 0 ? NULL : &c->b2b;
            char e2[128];
            const int bst = bx_b2b_store_create(bc, &rx->b2b, e2, sizeof e2);
            if (bst == BX_ERR_NOMEM)
                goto nomem;
            if (bst != BX_OK) {
                st_code = bx_err(err, errlen, bst, "receiver: %s", e2);
                goto fail;
            }
        }
        if (!(st->cfg.fs_hz >= 1e6)) {
            st_code = bx_err(err, errlen, BX_ERR_ARG,
                             "receiver: stream %d: sample rate %.0f Hz too low (>= 1 MHz needed)", s, st->cfg.fs_hz);
            goto fail;
        }
        st->acq = calloc((size_t)rx->threads, sizeof *st->acq);
        if (!st->acq)
            goto nomem;
        bx_acq_config_t ac;
        bx_acq_config_default(&ac, st->cfg.sig, st->cfg.fs_hz, st->cfg.if_hz);
        if (st->cfg.sig == BX_SIG_B2B) /* 1 ms x 40: finds C60 at 32 dB-Hz (x 10 missed 34), src/README.md */
            ac.noncoh = B2B_ACQ_NONCOH;
        else if (c->acq_async) {
            /* Background searches run on one thread beside tracking: the sensitive defaults (B1C
             * 5 ms x 20, B2a 1 ms x 200: ~0.4-0.9 s CPU per PRN) would keep a live receiver
             * without channels for tens of seconds, so a live cold search takes the quick single
             * block (B1C 10 ms x 1, B2a 1 ms x 10 pilot, ~40 ms per PRN; satellites above
             * ~37 dB-Hz); weaker ones come from the predicted re-acquisition's narrow windows. */
            ac.coh_ms = st->cfg.sig == BX_SIG_B1C ? 10 : 1;
            ac.noncoh = st->cfg.sig == BX_SIG_B1C ? 1 : 10;
            ac.use_data = 0;
        }
        ac.pfa = c->acq_pfa;
        ac.wisdom_path = c->acq_wisdom_path;
        ac.fft_measure = c->acq_wisdom_path != NULL;
        for (int t = 0; t < rx->threads; t++) {
            char why[160];
            st_code = bx_acq_create(&ac, &st->acq[t], why, sizeof why);
            if (st_code != BX_OK) {
                bx_err(err, errlen, st_code, "receiver: stream %d: cannot set up acquisition at %.0f Hz: %s", s,
                       st->cfg.fs_hz, why);
                goto fail;
            }
        }
        st->acq_need = bx_acq_samples_needed(st->acq[0]);
        st->hist = malloc(st->acq_need * sizeof *st->hist);
        if (!st->hist)
            goto nomem;
        st->acq_due = 1;
    }
    int sigs[BX_RX_MAX_STREAMS];
    for (int s = 0; s < c->n_streams; s++)
        sigs[s] = c->stream[s].sig;
    st_code = rx_solve_create(c, sigs, c->n_streams, &rx->solve, err, errlen);
    if (st_code != BX_OK)
        goto fail;
    if (c->solver == BX_SOLVER_PPP && !rx->b2b) {
        st_code = bx_err(err, errlen, BX_ERR_ARG,
                         "receiver: PPP takes its corrections from a B2b stream (streams B1C, B2a and B2b needed)");
        goto fail;
    }
    rx_solve_set_b2b(rx->solve, rx->b2b);
    rx->hint_err_s = NAN;
    rx->epoch_samples = (int64_t)llround(c->epoch_interval_s * rx->st[0].cfg.fs_hz);
    rx->next_epoch_rx = rx->epoch_samples;
    *out = rx;
    return BX_OK;
nomem:
    st_code = bx_err(err, errlen, BX_ERR_NOMEM, "receiver: out of memory");
fail:
    bx_rx_destroy(rx);
    return st_code;
}

void bx_rx_destroy(bx_rx_t *rx)
{
    if (!rx)
        return;
    for (int s = 0; s < BX_RX_MAX_STREAMS; s++) {
        stream_t *st = &rx->st[s];
        if (st->searching)
            pthread_join(st->search_th, NULL);
        for (int p = 0; p <= BX_PRN_MAX; p++)
            bx_channel_destroy(st->ch[p]);
        if (st->acq)
            for (int t = 0; t < rx->threads; t++)
                if (st->acq[t])
                    bx_acq_destroy(st->acq[t]);
        free(st->acq);
        free(st->hist);
        bx_reacq_weak_free(&st->weak);
    }
    bx_nav_destroy(&rx->nav);
    rx_solve_destroy(rx->solve);
    bx_b2b_store_destroy(rx->b2b);
    if (rx->ephasm)
        bx_ephasm_destroy(rx->ephasm);
    free(rx);
}

/* ---------------- worker threads ---------------- */

typedef struct {
    bx_rx_t *rx;
    int index, nthreads;
    /* acquisition job */
    stream_t *st;
    double *cpu_s;              /* per worker: thread CPU of its searches */
    int *prns;
    int nprn;
    bx_acq_result_t *res;
    /* tracking job */
    const bx_cf32_t *const *x;
    const size_t *n;
    int nep;
    const uint64_t (*ep_sample)[BX_RX_MAX_STREAMS];
    bx_trk_obs_t (*raw)[BX_RX_MAX_STREAMS][BX_PRN_MAX + 1];
} job_t;

static double thread_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static void *acq_worker(void *arg)
{
    job_t *j = arg;
    const stream_t *st = j->st;
    bx_acq_t *a = st->acq[j->index];
    const double t0 = thread_cpu_s();
    if (j->index >= j->nprn || bx_acq_set_input(a, st->hist, st->acq_need) != BX_OK)
        return NULL; /* one input transform per worker, shared by its PRNs */
    for (int i = j->index; i < j->nprn; i += j->nthreads) {
        if (st->win_half[i] >= 0.0)
            bx_acq_search_window(a, j->prns[i], st->win_center[i], st->win_half[i], &j->res[i]);
        else
            bx_acq_search_input(a, j->prns[i], &j->res[i]);
    }
    j->cpu_s[j->index] = thread_cpu_s() - t0;
    return NULL;
}

/* Tracks this worker's share of the channels over the whole block, stopping
 * at every epoch sample to take the raw observation. */
static void *trk_worker(void *arg)
{
    job_t *j = arg;
    bx_rx_t *rx = j->rx;
    int k = 0;
    for (int s = 0; s < rx->cfg.n_streams; s++) {
        stream_t *st = &rx->st[s];
        uint64_t first = st->sample;
        for (int p = 1; p <= BX_PRN_MAX; p++) {
            bx_channel_t *ch = st->ch[p];
            if (!ch)
                continue;
            if (k++ % j->nthreads != j->index)
                continue;
            size_t pos = 0;
            for (int e = 0; e < j->nep; e++) {
                uint64_t es = j->ep_sample[e][s];
                size_t end = (size_t)(es - first) + 1; /* include the epoch sample */
                if (end > j->n[s])
                    end = j->n[s];
                if (end > pos)
                    bx_channel_track(ch, j->x[s] + pos, end - pos, first + pos);
                pos = end;
                if (bx_trk_observe(ch->trk, es, &j->raw[e][s][p]) != BX_OK)
                    j->raw[e][s][p].state = -1;
            }
            if (pos < j->n[s])
                bx_channel_track(ch, j->x[s] + pos, j->n[s] - pos, first + pos);
        }
    }
    return NULL;
}

static void run_jobs(bx_rx_t *rx, job_t *proto, void *(*fn)(void *), int njobs)
{
    pthread_t th[64];
    job_t jobs[64];
    int n = njobs < rx->threads ? njobs : rx->threads;
    if (n < 1)
        n = 1;
    for (int t = 0; t < n; t++) {
        jobs[t] = *proto;
        jobs[t].index = t;
        jobs[t].nthreads = n;
    }
    int started = 1;
    for (int t = 1; t < n; t++) {
        if (pthread_create(&th[t], NULL, fn, &jobs[t]) != 0)
            break;
        started++;
    }
    if (started < n) { /* could not start all threads: do the rest here */
        for (int t = 0; t < n; t++)
            jobs[t].nthreads = 1;
        for (int t = 1; t < started; t++)
            pthread_join(th[t], NULL);
        jobs[0].index = 0;
        fn(&jobs[0]);
        return;
    }
    fn(&jobs[0]);
    for (int t = 1; t < n; t++)
        pthread_join(th[t], NULL);
}

/* ---------------- acquisition ---------------- */

static int is_tracked_elsewhere(const bx_rx_t *rx, int prn, int sig)
{
    for (int s = 0; s < rx->cfg.n_streams; s++)
        if (rx->st[s].cfg.sig == sig && rx->st[s].ch[prn])
            return 1;
    return 0;
}

static bx_time_t rx_time_of(const bx_rx_t *rx, int sidx, uint64_t sample);

/* PRNs to search on a stream (wanted, not tracked on any stream of the same signal) and their
 * Doppler windows in st->win_*: with the receiver time, a position and ephemerides only the
 * satellites predicted above the mask (rising ones included) around their predicted Doppler. */
static int search_list(const bx_rx_t *rx, stream_t *st, int sidx, int *prns)
{
    int n = 0;
    const int own = rx->have_t0 && rx->have_pos;
    st->hinted = !own && rx->hint_valid && rx->apr_valid && !st->hint_plan_failed && rx->nav.n_eph > 0;
    st->predicted = (own && rx->nav.n_eph > 0) || st->hinted;
    st->blind_full = 0;
    if (st->predicted) {
        bx_reacq_sat_t sv[BX_PRN_MAX];
        /* every stream's sample 0 is the hint's instant (the captures start together) */
        const bx_time_t t_plan = own ? rx_time_of(rx, sidx, st->hist_start)
                                     : bx_time_add(rx->hint_t0, (double)st->hist_start / st->cfg.fs_hz);
        const int nv = bx_reacq_predict(&rx->nav, own ? rx->pos_ecef_m : rx->apr_pos, t_plan, st->cfg.sig,
                                        own ? REACQ_MASK_DEG : HINT_MASK_DEG, sv, BX_PRN_MAX);
        if (st->hinted && nv < HINT_MIN_CHANNELS) { /* ephemerides too old or too few for the hint */
            st->hinted = st->predicted = 0;
            st->hint_plan_failed = 1;
            goto whole_list;
        }
        double drift = 0.0; /* receiver clock drift: measured minus predicted Doppler */
        int nd = 0;
        for (int i = 0; i < nv; i++) {
            const bx_channel_t *ch = st->ch[sv[i].prn];
            bx_trk_obs_t o;
            if (ch && st->sample > 0 && bx_trk_observe(ch->trk, st->sample - 1, &o) == BX_OK &&
                o.state == BX_TRK_LOCKED) {
                drift += o.doppler_hz - sv[i].doppler_hz;
                nd++;
            }
        }
        for (int i = 0; i < nv; i++) {
            const int p = sv[i].prn;
            if (!prn_wanted(rx, st->cfg.sig, p) || st->ch[p] || is_tracked_elsewhere(rx, p, st->cfg.sig))
                continue;
            st->win_center[n] = nd ? sv[i].doppler_hz + drift / nd : 0.0;
            st->win_half[n] = nd ? REACQ_HALF_HZ : -1.0;
            prns[n++] = p;
        }
        /* Satellites the plan cannot place (no ephemeris: after a cold start every one not tracked
         * yet, rising ones included) are searched blind, REACQ_BLIND_PER_BLOCK of them every
         * REACQ_BLIND_FULL_S in turn (a whole-list search costs ~20-30 s CPU on 2 cores). */
        st->blind_full = st->hist_start >= st->next_full_blind;
        const bx_time_t t = t_plan;
        int added = 0, k = 0;
        for (; st->blind_full && k < BX_PRN_MAX && added < REACQ_BLIND_PER_BLOCK; k++) {
            const int p = 1 + (st->blind_next + k) % BX_PRN_MAX;
            if (!prn_wanted(rx, st->cfg.sig, p) || st->ch[p] || is_tracked_elsewhere(rx, p, st->cfg.sig) ||
                bx_nav_select(&rx->nav, p, t))
                continue;
            st->win_center[n] = 0.0;
            st->win_half[n] = -1.0;
            prns[n++] = p;
            added++;
        }
        st->blind_next = (st->blind_next + k) % BX_PRN_MAX;
        return n;
    }
whole_list:
    st->blind_full = st->hist_start >= st->next_full_blind;
    for (int p = 1; p <= BX_PRN_MAX; p++) {
        if (!prn_wanted(rx, st->cfg.sig, p) || st->ch[p] || is_tracked_elsewhere(rx, p, st->cfg.sig))
            continue;
        const int lost = (st->lost_mask >> p) & 1u;
        if (!st->blind_full && !lost)
            continue;
        const int win = lost && isfinite(st->lost_dop[p]);
        st->win_center[n] = win ? st->lost_dop[p] : 0.0;
        st->win_half[n] = win ? REACQ_HALF_HZ : -1.0;
        prns[n++] = p;
    }
    return n;
}

/* Starts channels for the detected PRNs of a search on the block at hist_start. */
static void start_channels(bx_rx_t *rx, stream_t *st, int sidx, const int *prns, const bx_acq_result_t *res, int n)
{
    int started = 0;
    for (int i = 0; i < n; i++)
        started += res[i].detected && !st->ch[prns[i]] && !is_tracked_elsewhere(rx, prns[i], st->cfg.sig);
    if (st->blind_full)
        st->blind_misses = started ? 0 : st->blind_misses + 1;
    for (int i = 0; i < n; i++) {
        if (res[i].detected)
            st->lost_mask &= ~(1ull << prns[i]);
        if (!res[i].detected || st->ch[prns[i]] || is_tracked_elsewhere(rx, prns[i], st->cfg.sig))
            continue;
        bx_channel_t *ch = bx_channel_create(sidx, st->cfg.sig, prns[i], st->cfg.fs_hz, st->cfg.if_hz, &res[i],
                                             st->hist_start);
        if (ch)
            st->ch[prns[i]] = ch;
    }
    if (st->hinted) { /* a hot-start plan: enough channels now, or give it up (HINT_MIN_CHANNELS) */
        int nch = 0;
        for (int p = 1; p <= BX_PRN_MAX; p++)
            nch += st->ch[p] != NULL;
        if (nch < HINT_MIN_CHANNELS) {
            st->hint_plan_failed = 1;
            st->next_full_blind = st->hist_start;
            st->next_acq_sample = st->sample; /* a background search's: now (its next was set at launch) */
            st->search_again = 1;
            rx->apr_valid = 0; /* nor does the coarse-time fix start from it (its footprint instead) */
        }
    }
}

/* Escalation of the missed predicted PRNs when this block was collected for it (reacq.c). */
static void escalate(stream_t *st, const int *prns, bx_acq_result_t *res, int n)
{
    if (st->predicted && st->block_need == st->weak.need && st->weak.need > 0 &&
        bx_reacq_escalate(&st->weak, st->hist, st->block_need, st->hist_start, prns, st->win_center, st->win_half,
                          res, n, REACQ_WEAK_PER_BLOCK,
                          (uint64_t)llround(REACQ_WEAK_RETRY_S * st->cfg.fs_hz)) > 0)
        st->weak.next_sample = st->hist_start + (uint64_t)llround(REACQ_WEAK_INTERVAL_S * st->cfg.fs_hz);
}

/* Adds one block's search CPU (caller's thread, between searches). */
static void count_block(stream_t *st, double cpu_s, int nprn)
{
    st->acq_cpu_s += cpu_s;
    if (st->blocks++ == 0) {
        st->first_cpu_s = cpu_s;
        st->first_prns = nprn;
    }
}

static void acquire(bx_rx_t *rx, stream_t *st, int sidx)
{
    int prns[BX_PRN_MAX];
    bx_acq_result_t res[BX_PRN_MAX];
    double cpu[64] = {0};
    int n = search_list(rx, st, sidx, prns);
    memset(res, 0, sizeof res);
    job_t j = {.rx = rx, .st = st, .prns = prns, .nprn = n, .res = res, .cpu_s = cpu};
    run_jobs(rx, &j, acq_worker, n);
    const double w0 = st->weak.cpu_s;
    escalate(st, prns, res, n);
    double total = st->weak.cpu_s - w0;
    for (int t = 0; t < 64; t++)
        total += cpu[t];
    count_block(st, total, n);
    start_channels(rx, st, sidx, prns, res, n);
}

/* Background search (acq_async): one thread, the stream's first acquisition
 * object, the block in hist; the caller's thread keeps tracking meanwhile. */
static void *search_thread(void *arg)
{
    stream_t *st = arg;
    const double t0 = thread_cpu_s();
    if (st->search_n > 0 && bx_acq_set_input(st->acq[0], st->hist, st->acq_need) == BX_OK)
        for (int i = 0; i < st->search_n; i++) {
            if (st->win_half[i] >= 0.0)
                bx_acq_search_window(st->acq[0], st->search_prns[i], st->win_center[i], st->win_half[i],
                                     &st->search_res[i]);
            else
                bx_acq_search_input(st->acq[0], st->search_prns[i], &st->search_res[i]);
        }
    escalate(st, st->search_prns, st->search_res, st->search_n);
    st->search_cpu_s = thread_cpu_s() - t0; /* read by collect_search after the join */
    atomic_store_explicit(&st->search_done, 1, memory_order_release);
    return NULL;
}

static void acquire_async(bx_rx_t *rx, stream_t *st, int sidx)
{
    st->search_n = search_list(rx, st, sidx, st->search_prns);
    memset(st->search_res, 0, sizeof st->search_res);
    atomic_store_explicit(&st->search_done, 0, memory_order_relaxed);
    if (pthread_create(&st->search_th, NULL, search_thread, st) == 0) {
        st->searching = 1;
        return;
    }
    acquire(rx, st, sidx); /* no thread: search here */
}

/* Collects a finished background search: channels start from its block,
 * their loops propagated over the seconds it took (bx_trk_create). */
static void collect_search(bx_rx_t *rx, int sidx)
{
    stream_t *st = &rx->st[sidx];
    if (!st->searching || !atomic_load_explicit(&st->search_done, memory_order_acquire))
        return;
    pthread_join(st->search_th, NULL);
    st->searching = 0;
    count_block(st, st->search_cpu_s, st->search_n);
    start_channels(rx, st, sidx, st->search_prns, st->search_res, st->search_n);
    st->search_again = 0; /* start_channels set the next search itself */
}

/* Whether the block starting now is collected long enough for an escalation: predicted
 * re-acquisition possible and the stream's escalation interval passed.  Makes the weak search
 * object and grows hist on first use (caller's thread, no search running). */
static int weak_due(bx_rx_t *rx, stream_t *st)
{
    if (!rx->have_t0 || !rx->have_pos || rx->nav.n_eph == 0 || st->weak.failed || st->sample < st->weak.next_sample)
        return 0;
    if (!st->weak.acq) {
        if (bx_reacq_weak_init(&st->weak, st->cfg.sig, st->cfg.fs_hz, st->cfg.if_hz, rx->cfg.acq_pfa,
                               rx->cfg.acq_wisdom_path) != BX_OK)
            return 0;
        if (st->weak.need > st->acq_need) {
            bx_cf32_t *h = realloc(st->hist, st->weak.need * sizeof *h);
            if (!h) {
                bx_reacq_weak_free(&st->weak);
                st->weak.failed = 1;
                return 0;
            }
            st->hist = h;
        }
    }
    return st->weak.need >= st->acq_need;
}

/* Collects samples into the acquisition block and searches when it is full. */
static void feed_acquisition(bx_rx_t *rx, int sidx, const bx_cf32_t *x, size_t n)
{
    stream_t *st = &rx->st[sidx];
    if (st->searching) /* hist belongs to the background search */
        return;
    if (!st->acq_due) {
        if (st->sample + n < st->next_acq_sample)
            return;
        st->acq_due = 1;
        st->hist_n = 0;
    }
    size_t off = 0;
    if (st->hist_n == 0) {
        if (st->sample < st->next_acq_sample) {
            off = (size_t)(st->next_acq_sample - st->sample);
            if (off >= n)
                return;
        }
        st->hist_start = st->sample + off;
        st->block_need = st->acq_need;
        if (weak_due(rx, st))
            st->block_need = st->weak.need;
    }
    size_t take = st->block_need - st->hist_n;
    if (take > n - off)
        take = n - off;
    memcpy(st->hist + st->hist_n, x + off, take * sizeof *x);
    st->hist_n += take;
    if (st->hist_n < st->block_need)
        return;
    if (rx->cfg.acq_async)
        acquire_async(rx, st, sidx);
    else
        acquire(rx, st, sidx);
    st->acq_due = 0;
    st->hist_n = 0;
    st->next_acq_sample = st->hist_start + (uint64_t)llround(rx->cfg.reacq_interval_s * st->cfg.fs_hz);
    if (st->blind_full) { /* next whole-list blind search (with a plan: the next PRNs in turn) */
        double full = REACQ_BLIND_FULL_S;
        for (int k = 0; !st->predicted && k < st->blind_misses && k < 3; k++)
            full *= 2.0;
        st->next_full_blind = st->hist_start + (uint64_t)llround(full * st->cfg.fs_hz);
    }
    if (st->search_again) { /* a hot-start plan given up by this search: the whole list next */
        st->next_acq_sample = st->sample;
        st->next_full_blind = st->hist_start;
    }
    st->search_again = 0;
}

/* ---------------- epochs ---------------- */

/* Receiver time of a sample of stream sidx: t0 + S * fs0 / fs_s in samples of stream 0.  t0 counts
 * stream-0 samples since the BDT epoch (~2e15 in 2023, above 2^51 from 2025): a double holds it
 * only to 1/4 .. 1/2 sample, so the sum is kept as whole stream-0 samples (int64, exact) plus the
 * fraction a sample of another stream falls between them (4.092 vs 12 Msps: k/1000).  Rounding
 * the sum in a double put a constant error of up to 1/4 stream-0 sample (61 ns, 18 m) on every
 * stream-1 pseudorange, and a different one after each clock step (issue 10: B2a code minus
 * carrier jumped 6.8 m at the first steer).  Seconds are llround(fs0) samples long, as t0 is
 * built (time_from_channel, warm_start). */
static bx_time_t rx_time_of(const bx_rx_t *rx, int sidx, uint64_t sample)
{
    const double fs0 = rx->st[0].cfg.fs_hz;
    const int64_t fs0i = (int64_t)llround(fs0);
    double q = sidx == 0 ? (double)sample : (double)sample * (fs0 / rx->st[sidx].cfg.fs_hz);
    double qi = floor(q);
    int64_t r = rx->t0_samples + (int64_t)qi; /* whole stream-0 samples, exact */
    double fr = q - qi;                       /* 0 <= fr < 1 */
    int64_t whole = r / fs0i;
    int64_t rem = r - whole * fs0i;
    if (rem < 0) {
        rem += fs0i;
        whole--;
    }
    bx_time_t t = {whole, ((double)rem + fr) / (double)fs0i};
    return t;
}

/* The receiver time scale from one channel's anchor. */
static void time_from_channel(bx_rx_t *rx, int s, const bx_channel_t *ch)
{
    stream_t *st = &rx->st[0];
    /* receive time of the anchor ~ its transmit time + nominal travel time */
    bx_time_t t_rx = bx_time_add(ch->anchor_tx, NOMINAL_TRAVEL_S);
    const double fs0 = st->cfg.fs_hz;
    double anchor0 = (double)ch->anchor_sample * fs0 / rx->st[s].cfg.fs_hz;
    rx->t0_samples = t_rx.sec * (int64_t)llround(fs0) + llround(t_rx.frac_s * fs0) - llround(anchor0);
    rx->have_t0 = 1;
    /* next epoch: first whole interval after the current sample */
    int64_t now = rx->t0_samples + (int64_t)st->sample;
    rx->next_epoch_rx = (now / rx->epoch_samples + 1) * rx->epoch_samples;
}

/* Time set by a decoded frame: rate the time hint, if any, against it. */
static void note_frame_time(bx_rx_t *rx, double sample0, bx_time_t t_rx)
{
    rx->start_kind = 1;
    if (!rx->hint_valid) {
        snprintf(rx->start_msg, sizeof rx->start_msg, "time from a decoded frame");
        return;
    }
    /* the nominal travel time leaves < 60 ms */
    const double fs0 = rx->st[0].cfg.fs_hz;
    rx->hint_err_s = bx_time_diff(bx_time_add(rx->hint_t0, sample0 / fs0), t_rx);
    if (fabs(rx->hint_err_s) > rx->hint_sigma_s + 0.1)
        snprintf(rx->start_msg, sizeof rx->start_msg,
                 "time hint off by %+.1f s (decoded time of week used; no hot start with it)", rx->hint_err_s);
    else
        snprintf(rx->start_msg, sizeof rx->start_msg, "time from a decoded frame (hint within %.1f s)",
                 fabs(rx->hint_err_s));
}

/* Anchors a channel from the receiver time scale and an ephemeris: its
 * predicted transmit time at `sample`.  Exact enough for B2a's 0.1 s period
 * once a fix (or the coarse-time fix) has set the time and position;
 * otherwise B1C with the nominal travel time (18 s period). */
static void anchor_from_rx(bx_rx_t *rx, bx_channel_t *ch, int sidx, uint64_t sample, const bx_trk_obs_t *o)
{
    const bx_time_t t_rx = rx_time_of(rx, sidx, sample);
    bx_time_t tx;
    if (rx->time_fine && rx->have_pos &&
        bx_warm_predict_tx(&rx->nav, ch->prn, ch->sig, t_rx, rx->pos_ecef_m, &tx) == BX_OK)
        bx_channel_set_tx(ch, sample, o, tx);
    else
        bx_channel_time_from_rx(ch, sample, o, t_rx);
}

/* Warm/hot start: with a time hint and ephemerides, a coarse-time fix over
 * the synchronised channels at the last sample of this block sets the
 * receiver time scale and every channel's anchor (warmstart.h). */
static void warm_start(bx_rx_t *rx, const size_t n[])
{
    stream_t *st0 = &rx->st[0];
    const double fs0 = st0->cfg.fs_hz;
    const uint64_t ref = st0->sample + n[0] - 1;
    if (rx->have_t0 || !rx->hint_valid || rx->nav.n_eph == 0 || ref < rx->warm_next)
        return;
    rx->warm_next = ref + (uint64_t)llround(0.5 * fs0); /* at most twice a second */
    const bx_time_t t_hint = bx_time_add(rx->hint_t0, (double)ref / fs0);
    bx_coarse_meas_t m[BX_OBS_MAX];
    double per[BX_OBS_MAX];
    uint64_t smp[BX_RX_MAX_STREAMS];
    int k = 0;
    for (int s = 0; s < rx->cfg.n_streams; s++) {
        stream_t *st = &rx->st[s];
        smp[s] = (uint64_t)llround((double)ref * st->cfg.fs_hz / fs0);
        if (smp[s] >= st->sample + n[s])
            smp[s] = st->sample + n[s] - 1;
        for (int p = 1; p <= BX_PRN_MAX && k < BX_OBS_MAX; p++) {
            bx_trk_obs_t o;
            if (!st->ch[p] || bx_trk_observe(st->ch[p]->trk, smp[s], &o) != BX_OK || o.state != BX_TRK_LOCKED ||
                !o.sec_sync)
                continue;
            memset(&m[k], 0, sizeof m[k]);
            m[k].prn = p;
            m[k].sig = st->cfg.sig;
            m[k].pilot = 1;
            m[k].code_phase_s = o.tx_in_period_s;
            per[k] = bx_channel_period_s(st->ch[p]);
            m[k].cn0_dbhz = o.cn0_dbhz;
            k++;
        }
    }
    if (k < (rx->apr_valid ? WARM_MIN_SATS_APR : WARM_MIN_SATS))
        return;
    bx_sol_t sol;
    if (bx_warm_solve(m, per, k, t_hint, rx->hint_sigma_s, rx->apr_valid ? rx->apr_pos : NULL, &rx->nav, &sol) !=
        BX_OK) {
        snprintf(rx->start_msg, sizeof rx->start_msg, "no hot start yet: %s", sol.reason);
        return;
    }
    /* the receiver time scale: stream-0 sample `ref` is at sol.time */
    rx->t0_samples = sol.time.sec * (int64_t)llround(fs0) + llround(sol.time.frac_s * fs0) - (int64_t)ref;
    rx->have_t0 = 1;
    rx->time_fine = 1;
    memcpy(rx->pos_ecef_m, sol.pos_m, sizeof rx->pos_ecef_m);
    rx->have_pos = 1;
    int64_t now = rx->t0_samples + (int64_t)st0->sample;
    rx->next_epoch_rx = (now / rx->epoch_samples + 1) * rx->epoch_samples;
    int anchored = 0;
    for (int s = 0; s < rx->cfg.n_streams; s++)
        for (int p = 1; p <= BX_PRN_MAX; p++) {
            bx_channel_t *ch = rx->st[s].ch[p];
            bx_trk_obs_t o;
            if (ch && !ch->have_time && bx_trk_observe(ch->trk, smp[s], &o) == BX_OK && o.sec_sync) {
                anchor_from_rx(rx, ch, s, smp[s], &o);
                anchored += ch->have_time;
            }
        }
    rx->hint_err_s = -bx_time_diff(sol.time, t_hint);
    rx->start_kind = 2;
    if (fabs(rx->hint_err_s) > rx->hint_sigma_s)
        snprintf(rx->start_msg, sizeof rx->start_msg,
                 "time hint off by %+.3f s: corrected by the coarse-time fix (%d satellites, %d channels timed)",
                 rx->hint_err_s, sol.n_used, anchored);
    else
        snprintf(rx->start_msg, sizeof rx->start_msg,
                 "hot start: time and position from the coarse-time fix (%d satellites, hint %+.3f s, %d channels "
                 "timed)",
                 sol.n_used, rx->hint_err_s, anchored);
}

/* First time anchor: define the receiver time scale. */
static void init_time(bx_rx_t *rx)
{
    for (int s = 0; s < rx->cfg.n_streams && !rx->have_t0; s++) {
        for (int p = 1; p <= BX_PRN_MAX; p++) {
            bx_channel_t *ch = rx->st[s].ch[p];
            if (!ch || !ch->have_time)
                continue;
            time_from_channel(rx, s, ch);
            {
                const double fs0 = rx->st[0].cfg.fs_hz;
                note_frame_time(rx, (double)ch->anchor_sample * fs0 / rx->st[s].cfg.fs_hz,
                                bx_time_add(ch->anchor_tx, NOMINAL_TRAVEL_S));
            }
            break;
        }
    }
}

/* Travel time a decoded anchor implies on the receiver time scale.  Signals
 * travel 67-135 ms (MEO to GEO); the scale was set with a nominal 75 ms and
 * is steered to within 1 ms by the fixes, so without a discontinuity every
 * decoded anchor lands inside TRAVEL_MIN_S .. TRAVEL_MAX_S (the margins cover
 * the scale's own error before the first fix and 50 ppm of unsteered drift for
 * 1000 s).  A capture cut and joined, or a front end that lost samples without
 * saying so, moves the decoded time of week against the sample clock by
 * anything from a code period to hours. */
#define TRAVEL_MIN_S (-0.05)
#define TRAVEL_MAX_S 0.25

static int anchor_fits(const bx_rx_t *rx, int s, const bx_channel_t *ch)
{
    const double travel = bx_time_diff(rx_time_of(rx, s, ch->anchor_sample), ch->anchor_tx);
    return travel >= TRAVEL_MIN_S && travel <= TRAVEL_MAX_S;
}

/* Checks every newly decoded anchor against the time scale.  On a misfit the
 * scale is set again from that anchor, the anchors that disagree with the new
 * scale are dropped (B1C channels take theirs again from the new scale, B2a
 * ones from their next message) and the count of re-synchronisations goes up
 * (the solver forgets its last fix, solout.c). */
static void check_time(bx_rx_t *rx)
{
    int ds = -1;
    const bx_channel_t *det = NULL;
    for (int s = 0; s < rx->cfg.n_streams; s++)
        for (int p = 1; p <= BX_PRN_MAX; p++) {
            bx_channel_t *ch = rx->st[s].ch[p];
            if (!det && ch && ch->anchor_new && ch->have_time && !anchor_fits(rx, s, ch)) {
                det = ch;
                ds = s;
            }
        }
    if (det) {
        time_from_channel(rx, ds, det);
        rx->time_fine = 0; /* a scale from the nominal travel time, not from a fix */
        rx->resyncs++;
        rx_solve_reset(rx->solve);
        for (int s = 0; s < rx->cfg.n_streams; s++)
            for (int p = 1; p <= BX_PRN_MAX; p++) {
                bx_channel_t *ch = rx->st[s].ch[p];
                if (ch && ch->have_time && !anchor_fits(rx, s, ch)) {
                    ch->have_time = 0;
                    ch->time_from_rx = 0;
                }
            }
    }
    for (int s = 0; s < rx->cfg.n_streams; s++)
        for (int p = 1; p <= BX_PRN_MAX; p++)
            if (rx->st[s].ch[p])
                rx->st[s].ch[p]->anchor_new = 0;
}

unsigned bx_rx_resyncs(const bx_rx_t *rx) { return rx->resyncs; }

void bx_rx_steer_clock(bx_rx_t *rx, double bias_s)
{
    if (!rx->have_t0)
        return;
    int64_t d = llround(bias_s * rx->st[0].cfg.fs_hz);
    rx->t0_samples -= d;
    /* the carrier phases carry the same clock step as the pseudoranges */
    rx->steered_samples += d;
    rx->next_epoch_rx -= d; /* keep the epoch grid on whole intervals */
    /* to the nearest grid point: rounding up skipped an epoch whenever the
     * receiver clock was behind (d < 0); one already past is skipped in
     * bx_rx_process */
    rx->next_epoch_rx = ((rx->next_epoch_rx + rx->epoch_samples / 2) / rx->epoch_samples) * rx->epoch_samples;
}

/* Carrier phase of one observation (RINEX 3.05 §3.3: L = P / lambda + N
 * up to the dispersive terms).  The tracked phase (RINEX sign) counts the
 * replica against the sample clock; the receiver time scale is t0 + S / fs,
 * so the phase referred to it carries f * t0: every clock step of
 * bx_rx_steer_clock moves it by -f * step exactly as it moves the
 * pseudorange by -c * step.  Arcs: see bx_channel_t. */
static void set_phase(bx_rx_t *rx, bx_channel_t *ch, const bx_trk_obs_t *o, uint64_t sample, bx_obsd_t *d)
{
    const double f_hz = ch->sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    const double lambda_m = BX_CLIGHT_MPS / f_hz;
    /* RINEX 3.05 phase alignment (§5.1 / "SYS / PHASE SHIFT"): B1C and B2a phases refer to the data
     * component (1D, 5D); the tracked pilot is in quadrature ahead of it (s = D + j P, ICD
     * signal structure, signals.md §1), so L_D = L_P + 1/4 cycle: written as "C L1P  0.25000"
     * (real receivers do the same, e.g. the Leica GR50 file in shared/testdata/real/rinex_bds3_obs) */
    const double raw = o->carrier_cycles + PILOT_ALIGN_CYC - f_hz * (double)rx->steered_samples / rx->st[0].cfg.fs_hz;
    int slip = !ch->arc_open || o->slip_count != ch->arc_slip_count || ch->arc_last_epoch != rx->epoch_count - 1;
    if (slip) {
        ch->arc_offset_cyc = floor(d->pseudorange_m / lambda_m - raw + 0.5);
        ch->arc_start_sample = sample;
    }
    /* the arc's age (RTCM lock-time indicators restart with it); lock_s stays the tracking
     * loop's lock time */
    const double age_s = (double)(sample - ch->arc_start_sample) / ch->fs_hz;
    d->arc_s = age_s < d->lock_s ? age_s : d->lock_s;
    ch->arc_open = 1;
    ch->arc_slip_count = o->slip_count;
    ch->arc_last_epoch = rx->epoch_count;
    d->carrier_cycles = raw + ch->arc_offset_cyc;
    d->flags |= BX_OBS_CP;
    if (slip)
        d->flags |= BX_OBS_SLIP;
    if (o->half_cycle)
        d->flags |= BX_OBS_HALF;
}

static void emit_epoch(bx_rx_t *rx, int64_t epoch_rx, const uint64_t ep_sample[BX_RX_MAX_STREAMS],
                       bx_trk_obs_t raw[BX_RX_MAX_STREAMS][BX_PRN_MAX + 1])
{
    bx_obs_t *obs = &rx->obs;
    obs->n = 0;
    const double fs0 = rx->st[0].cfg.fs_hz;
    if (rx->have_t0) {
        /* also right for epochs placed before the time scale was set in this
         * call (their epoch_rx still counts samples from 0) */
        obs->time = rx_time_of(rx, 0, ep_sample[0]);
    } else {
        obs->time.sec = (int64_t)floor((double)epoch_rx / fs0);
        obs->time.frac_s = ((double)epoch_rx - (double)obs->time.sec * fs0) / fs0;
    }
    rx->obs_sample = ep_sample[0];
    for (int s = 0; s < rx->cfg.n_streams; s++) {
        stream_t *st = &rx->st[s];
        for (int p = 1; p <= BX_PRN_MAX && obs->n < BX_OBS_MAX; p++) {
            bx_channel_t *ch = st->ch[p];
            if (!ch || raw[s][p].state < 0)
                continue;
            if (st->cfg.sig == BX_SIG_B2B) /* data only, no ranging use (corrections stream) */
                continue;
            const bx_trk_obs_t *o = &raw[s][p];
            bx_obsd_t *d = &obs->d[obs->n];
            memset(d, 0, sizeof *d);
            if (o->state != BX_TRK_LOCKED)
                continue;
            d->prn = (uint8_t)p;
            d->sig = (uint8_t)st->cfg.sig;
            d->pilot = 1;
            d->doppler_hz = o->doppler_hz;
            d->cn0_dbhz = o->cn0_dbhz;
            d->lock_s = o->lock_s;
            d->flags = BX_OBS_DOP | BX_OBS_CN0;
            bx_time_t tx;
            /* B1C without a decoded frame yet (18 s each): once any channel set the
             * time scale, its transmit time follows from the receiver time */
            if (rx->have_t0 && !ch->have_time)
                anchor_from_rx(rx, ch, s, ep_sample[s], o);
            if (rx->have_t0 && bx_channel_tx_time(ch, ep_sample[s], o, &tx)) {
                bx_time_t trx = rx_time_of(rx, s, ep_sample[s]);
                d->pseudorange_m = bx_time_diff(trx, tx) * BX_CLIGHT_MPS;
                d->flags |= BX_OBS_PR;
                set_phase(rx, ch, o, ep_sample[s], d);
            }
            obs->n++;
        }
    }
    bx_rx_epoch_t ep;
    memset(&ep, 0, sizeof ep);
    ep.obs = obs;
    ep.have_time = rx->have_t0;
    ep.sample = ep_sample[0];
    ep.nav = &rx->nav;
    ep.mode = -1;
    if (rx->solve && rx->cfg.on_base && rx->have_t0)
        rx->cfg.on_base(rx->cfg.user, rx, obs->time);
    if (rx->solve)
        rx_solve_epoch(rx->solve, &ep);
    if (rx->cfg.on_epoch)
        rx->cfg.on_epoch(rx->cfg.user, rx, &ep);
    /* feedback: the position, and the receiver clock kept near BDT so that time tags are meaningful */
    if (rx->cfg.feedback && ep.sol && ep.valid) { /* never from a fix that failed RAIM or jumped */
        bx_rx_set_position(rx, ep.sol->pos_m);
        if (fabs(ep.sol->clk_bias_m) > rx->cfg.steer_threshold_m)
            bx_rx_steer_clock(rx, ep.sol->clk_bias_m / BX_CLIGHT_MPS);
    }
    rx->epoch_count++;
}

/* The PPP-B2b entries stored on day 0 before the receiver had a time move to the real day
 * as soon as it has one (bx_b2b_store_redate): otherwise the orbits received in the first
 * seconds would count as days old until each satellite's next MT2 (48-110 s apart on air,
 * nav/README.md). */
static void b2b_redate(bx_rx_t *rx)
{
    const bx_time_t t = rx->have_t0 ? rx_time_of(rx, 0, rx->st[0].sample)
                                    : bx_time_add(rx->hint_t0, (double)rx->st[0].sample / rx->st[0].cfg.fs_hz);
    if (rx->b2b)
        bx_b2b_store_redate(rx->b2b, t);
    rx->b2b_dayless = 0;
}

/* PPP-B2b blocks of a B2b channel -> the correction store (pppb2b.md §4).  Receive time: the
 * receiver time scale, else the time hint, else none known: the message's own epoch (seconds of
 * day) on day 0, which keeps the store's ages right within the day. */
static void b2b_drain(bx_rx_t *rx, int sidx, bx_channel_t *ch)
{
    for (int i = 0; i < ch->b2b_n; i++) {
        const uint8_t *bits = ch->b2b_q[i].msg;
        const uint64_t fsmp = ch->b2b_q[i].frame_sample;
        bx_rx_b2b_stats_t *k = &rx->b2b_stats;
        k->frames++;
        bx_b2b_msg_t m;
        int st = bx_b2b_parse(bits, &m);
        if (st != BX_OK) {
            k->unparsed++;
            continue;
        }
        k->by_type[m.type & 63]++;
        bx_time_t t_rx;
        if (rx->have_t0)
            t_rx = rx_time_of(rx, sidx, fsmp);
        else if (rx->hint_valid)
            t_rx = bx_time_add(rx->hint_t0, (double)fsmp / rx->st[sidx].cfg.fs_hz);
        else {
            t_rx = bx_time_make(m.type == 63 ? 0 : m.h.epoch_s, 0.0);
            rx->b2b_dayless = 1;
        }
        if (m.type == 4 || m.type == 6)
            bx_b2b_store_resolve(rx->b2b, ch->prn, &m);
        int add = bx_b2b_store_add(rx->b2b, ch->prn, t_rx, &m);
        if (add == BX_B2B_ADD_OK)
            k->stored++;
        else if (add > 0 && add != BX_B2B_ADD_IGNORED)
            k->rejected++;
        if (rx->cfg.on_b2b)
            rx->cfg.on_b2b(rx->cfg.user, ch->prn, sidx, fsmp, bits, &m);
    }
    ch->b2b_n = 0;
}

const bx_b2b_store_t *bx_rx_b2b_store(const bx_rx_t *rx) { return rx->b2b; }

int bx_rx_b2b_stats(const bx_rx_t *rx, bx_rx_b2b_stats_t *out)
{
    *out = rx->b2b_stats;
    return rx->b2b != NULL;
}

int bx_rx_process(bx_rx_t *rx, const bx_cf32_t *const x[], const size_t n[])
{
    const int ns = rx->cfg.n_streams;
    /* acquisition first: channels created here start tracking with this block */
    for (int s = 0; s < ns; s++) {
        collect_search(rx, s);
        feed_acquisition(rx, s, x[s], n[s]);
    }

    /* epochs falling inside this block (receiver time in stream-0 samples) */
    static const int maxe = MAX_EPOCHS_PER_CALL;
    uint64_t ep_sample[MAX_EPOCHS_PER_CALL][BX_RX_MAX_STREAMS];
    int64_t ep_rx[MAX_EPOCHS_PER_CALL];
    int nep = 0;
    stream_t *st0 = &rx->st[0];
    int64_t base = rx->have_t0 ? rx->t0_samples : 0;
    int64_t end_rx = base + (int64_t)(st0->sample + n[0]);
    while (rx->next_epoch_rx < end_rx && nep < maxe) {
        int64_t e = rx->next_epoch_rx;
        rx->next_epoch_rx += rx->epoch_samples;
        if (e < base + (int64_t)st0->sample)
            continue;
        ep_rx[nep] = e;
        for (int s = 0; s < ns; s++) {
            double ratio = rx->st[s].cfg.fs_hz / st0->cfg.fs_hz;
            uint64_t smp = (uint64_t)llround((double)(e - base) * ratio);
            uint64_t lo = rx->st[s].sample, hi = rx->st[s].sample + n[s] - 1;
            ep_sample[nep][s] = smp < lo ? lo : smp > hi ? hi : smp;
        }
        nep++;
    }

    bx_trk_obs_t(*raw)[BX_RX_MAX_STREAMS][BX_PRN_MAX + 1] = NULL;
    if (nep > 0) {
        raw = malloc((size_t)nep * sizeof *raw);
        if (!raw)
            return BX_ERR_NOMEM;
        memset(raw, 0xff, (size_t)nep * sizeof *raw); /* state = -1: no channel */
    }
    int nch = 0;
    for (int s = 0; s < ns; s++)
        for (int p = 1; p <= BX_PRN_MAX; p++)
            nch += rx->st[s].ch[p] != NULL;
    job_t j = {.rx = rx, .x = x, .n = n, .nep = nep, .ep_sample = (const uint64_t(*)[BX_RX_MAX_STREAMS])ep_sample,
               .raw = raw};
    if (nch > 0)
        run_jobs(rx, &j, trk_worker, nch);

    /* navigation data (single thread: the store is shared) */
    for (int s = 0; s < ns; s++)
        for (int p = 1; p <= BX_PRN_MAX; p++)
            if (rx->st[s].ch[p]) {
                bx_channel_decode(rx->st[s].ch[p], rx->ephasm, &rx->nav);
                if (rx->st[s].ch[p]->b2b_n)
                    b2b_drain(rx, s, rx->st[s].ch[p]);
            }
    if (!rx->have_t0) {
        warm_start(rx, n);
        if (!rx->have_t0)
            init_time(rx);
        /* the epochs of this call were placed on the sample count, off the new
         * whole-second grid: with pseudoranges (the warm start anchors every
         * channel at once) an output would carry a fractional epoch time, which
         * RINEX (0.1 us) and RTCM (1 ms) then tag differently: skip them */
        if (rx->have_t0)
            nep = 0;
    } else {
        check_time(rx);
    }
    if (rx->b2b_dayless && (rx->have_t0 || rx->hint_valid))
        b2b_redate(rx);

    for (int e = 0; e < nep; e++)
        emit_epoch(rx, ep_rx[e], ep_sample[e], raw[e]);
    free(raw);

    for (int s = 0; s < ns; s++) {
        rx->st[s].sample += n[s];
        /* drop channels that lost lock: the PRN is searched again */
        for (int p = 1; p <= BX_PRN_MAX; p++) {
            bx_channel_t *ch = rx->st[s].ch[p];
            bx_trk_obs_t o;
            /* the state is reported even when the sample is outside what the tracker
             * still holds (a lost tracker stops advancing): test it regardless */
            if (ch && (bx_trk_observe(ch->trk, rx->st[s].sample - 1, &o), o.state == BX_TRK_LOST)) {
                rx->st[s].lost_mask |= 1ull << p; /* searched again around its last Doppler */
                rx->st[s].lost_dop[p] = isfinite(o.doppler_hz) ? o.doppler_hz : NAN;
                bx_channel_destroy(ch);
                rx->st[s].ch[p] = NULL;
                /* search again soon rather than at the next periodic search (up to
                 * reacq_interval_s away): after a blockage or a discontinuity every
                 * channel goes at once */
                const uint64_t soon = rx->st[s].sample + (uint64_t)llround(LOST_RESEARCH_S * rx->st[s].cfg.fs_hz);
                if (!rx->st[s].acq_due && soon < rx->st[s].next_acq_sample)
                    rx->st[s].next_acq_sample = soon;
            }
        }
    }
    return BX_OK;
}

int bx_rx_skip(bx_rx_t *rx, int64_t nsamples)
{
    if (nsamples < 0)
        return BX_ERR_ARG;
    if (nsamples == 0)
        return BX_OK;
    const double fs0 = rx->st[0].cfg.fs_hz;
    for (int s = 0; s < rx->cfg.n_streams; s++) {
        stream_t *st = &rx->st[s];
        /* the same time span on every stream (streams share one sample clock in practice) */
        st->sample += (uint64_t)llround((double)nsamples * st->cfg.fs_hz / fs0);
        /* an acquisition block must be contiguous: start it again after the gap */
        if (st->acq_due && !st->searching)
            st->hist_n = 0;
    }
    /* epochs inside the gap have no samples: move to the first one after it.  The
     * trackers see the jump in sample index at the next call and bridge it. */
    int64_t now = (rx->have_t0 ? rx->t0_samples : 0) + (int64_t)rx->st[0].sample;
    if (rx->next_epoch_rx < now)
        rx->next_epoch_rx += (now - rx->next_epoch_rx + rx->epoch_samples - 1) / rx->epoch_samples * rx->epoch_samples;
    rx->skipped += (uint64_t)nsamples;
    rx->epoch_count++; /* every carrier-phase arc ends at a gap (loss-of-lock indicator) */
    return BX_OK;
}

uint64_t bx_rx_skipped(const bx_rx_t *rx) { return rx->skipped; }

const bx_nav_t *bx_rx_nav(const bx_rx_t *rx) { return &rx->nav; }

int bx_rx_add_nav(bx_rx_t *rx, const bx_nav_t *nav)
{
    for (int i = 0; i < nav->n_eph; i++) {
        int st = bx_nav_add(&rx->nav, &nav->eph[i]);
        if (st != BX_OK)
            return st;
    }
    if (nav->iono.valid)
        rx->nav.iono = nav->iono;
    if (nav->utc.valid)
        rx->nav.utc = nav->utc;
    return BX_OK;
}

int bx_rx_channels(const bx_rx_t *rx, bx_rx_chan_status_t *out, int max)
{
    int k = 0;
    for (int s = 0; s < rx->cfg.n_streams; s++) {
        const stream_t *st = &rx->st[s];
        for (int p = 1; p <= BX_PRN_MAX && k < max; p++) {
            const bx_channel_t *ch = st->ch[p];
            if (!ch)
                continue;
            bx_trk_obs_t o;
            memset(&o, 0, sizeof o);
            if (st->sample > 0)
                bx_trk_observe(ch->trk, st->sample - 1, &o);
            bx_rx_chan_status_t *c = &out[k++];
            memset(c, 0, sizeof *c);
            c->stream = s;
            c->sig = st->cfg.sig;
            c->prn = p;
            c->state = o.state;
            c->sec_sync = o.sec_sync;
            c->frames_ok = ch->frames_ok;
            c->frames_bad = ch->frames_bad;
            c->have_time = ch->have_time;
            c->cn0_dbhz = o.cn0_dbhz;
            c->doppler_hz = o.doppler_hz;
            c->lock_s = o.lock_s;
            c->el_deg = c->az_deg = NAN;
            c->have_eph = 0;
            for (int i = 0; i < rx->nav.n_eph; i++)
                if (rx->nav.eph[i].prn == p)
                    c->have_eph = 1;
        }
    }
    return k;
}

uint64_t bx_rx_epoch_sample(const bx_rx_t *rx) { return rx->obs_sample; }

int bx_rx_signals(const bx_rx_t *rx, int *sigs, int max)
{
    int n = 0;
    for (int s = 0; s < rx->cfg.n_streams && n < max; s++)
        sigs[n++] = rx->st[s].cfg.sig;
    return n;
}

int bx_rx_have_time(const bx_rx_t *rx) { return rx->have_t0; }

const bx_sol_t *bx_rx_solution(const bx_rx_t *rx) { return rx_solve_last(rx->solve); }

int bx_rx_push_base(bx_rx_t *rx, const bx_obs_t *base_epoch, const double base_pos_ecef_m[3])
{
    return rx_solve_push_base(rx->solve, base_epoch, base_pos_ecef_m);
}

int bx_rx_pvt_mode(const bx_rx_t *rx) { return rx_solve_mode(rx->solve); }

void bx_rx_acq_stats(const bx_rx_t *rx, bx_rx_acq_stats_t *out)
{
    memset(out, 0, sizeof *out);
    for (int s = 0; s < rx->cfg.n_streams; s++) {
        const stream_t *st = &rx->st[s];
        out->acq_cpu_s += st->acq_cpu_s;
        out->first_cpu_s += st->first_cpu_s;
        out->first_prns += st->first_prns;
        out->blocks += st->blocks;
        if (st->searching) /* the background search owns its escalation counters */
            continue;
        out->weak_cpu_s += st->weak.cpu_s;
        out->weak_searches += st->weak.searches;
        out->weak_found += st->weak.found;
        out->weak_found_mask |= st->weak.found_mask;
    }
}

double bx_rx_elapsed_s(const bx_rx_t *rx) { return (double)rx->st[0].sample / rx->st[0].cfg.fs_hz; }

void bx_rx_set_position(bx_rx_t *rx, const double ecef_m[3])
{
    memcpy(rx->pos_ecef_m, ecef_m, sizeof rx->pos_ecef_m);
    rx->have_pos = 1;
    rx->time_fine = rx->have_t0; /* a fix: the time scale is steered to it */
}

void bx_rx_set_time_hint(bx_rx_t *rx, bx_time_t bdt_first_sample, double sigma_s)
{
    rx->hint_valid = 1;
    rx->hint_t0 = bdt_first_sample;
    rx->hint_sigma_s = sigma_s > 0.0 ? sigma_s : 2.0;
    rx->warm_next = 0;
}

void bx_rx_set_approx_position(bx_rx_t *rx, const double ecef_m[3])
{
    memcpy(rx->apr_pos, ecef_m, sizeof rx->apr_pos);
    rx->apr_valid = 1;
}

int bx_rx_start_info(const bx_rx_t *rx, double *hint_err_s, char *msg, size_t len)
{
    if (hint_err_s)
        *hint_err_s = rx->hint_err_s;
    if (msg && len)
        snprintf(msg, len, "%s", rx->start_msg);
    return rx->start_kind;
}
