/*
 * bdsrx receiver engine: a set of channels (one signal of one satellite each:
 * tracking, symbol collection, navigation-data decoding) fed from one to three
 * time-aligned sample streams (e.g. a B1C band, a B2a band and a B2b band for
 * PPP-B2b; two streams may be fed the same samples at different IFs), producing
 * observations at a fixed rate and positions.
 *
 * Positioning runs inside: at every epoch with a known receiver time the
 * configured solver (c.solver, default single-point positioning with RAIM) solves
 * the observations in a mode chosen from the streams (one band: that band;
 * B1C + B2a: the ionosphere-free combination; c.pvt_mode overrides), and each
 * fix is fed back: the receiver position, and the receiver clock steered onto
 * BDT whenever the fix's clock bias exceeds c.steer_threshold_m (300 m).  The
 * epoch callback gets the observations and the solution together.
 *
 * Usage (file or live source alike):
 *   bx_rx_config_t c; bx_rx_config_default(&c);
 *   c.n_streams = 1; c.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, 4.092e6, 0.0};
 *   c.on_epoch = my_callback; c.user = me;    (ep->sol: the position of each epoch)
 *   bx_rx_t *rx; char err[256];
 *   if (bx_rx_create(&c, &rx, err, sizeof err) != BX_OK) die(err);
 *   while (read samples of every stream for the same time span)
 *       bx_rx_process(rx, blocks, counts);
 *   bx_rx_destroy(rx);
 *
 * Threads: a bx_rx_t is driven by one thread; bx_rx_process spreads the tracking
 * channels over c.threads worker threads; callbacks run on the driving thread,
 * inside bx_rx_process, and may call every bx_rx_* function except process,
 * skip and destroy.
 */
#ifndef BDSRX_RECEIVER_H
#define BDSRX_RECEIVER_H

#include "bdsrx/eph.h"
#include "bdsrx/iq.h"
#include "bdsrx/ppp.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/pvt.h"
#include "bdsrx/rtk.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_RX_MAX_STREAMS 3 /* B1C + B2a + B2b (PPP with PPP-B2b from the signal) */
#define BX_RX_MAX_CHANNELS 64 /* per stream */

typedef struct {
    int sig;      /* bx_signal_t carried by this stream */
    double fs_hz; /* sample rate */
    double if_hz; /* carrier of the band centre in the samples (0 = complex baseband) */
} bx_rx_stream_t;

/* Per-channel state for status displays. */
typedef struct {
    int stream, sig, prn;
    int state;          /* bx_trk state (BX_TRK_*) */
    int sec_sync;       /* pilot secondary code synchronised */
    int frames_ok;      /* navigation frames/messages with valid CRC */
    int frames_bad;     /* frames that failed decoding */
    int have_time;      /* transmit time known (time of week decoded) */
    int have_eph;       /* ephemeris for this PRN in the store */
    double cn0_dbhz, doppler_hz, lock_s;
    double el_deg, az_deg; /* NAN until a position exists */
} bx_rx_chan_status_t;

/* Observations (bx_obs_t, on_epoch): pseudorange, carrier phase and Doppler in RINEX 3.05
 * conventions: phase moves with the pseudorange, Doppler positive for an approaching
 * satellite; the pilot's phase plus 1/4 cycle (aligned with the band's data signal); code and
 * phase both refer to the receiver time scale, so a bx_rx_steer_clock step moves both by the
 * same range; phase only with a pseudorange (half-cycle resolved), each arc starting near
 * P / lambda with BX_OBS_SLIP set, a new arc after any loss of lock, gap or missed epoch;
 * arc_s = age of the arc (what RTCM lock-time indicators carry), lock_s = the tracking loop's lock time. */
typedef struct bx_rx bx_rx_t;

/* Solvers that run inside the receiver (bx_rx_config_t.solver).  RTK and PPP
 * join this list; each takes its settings from the configuration and hands its
 * result to the callback as a bx_sol_t. */
typedef enum {
    BX_SOLVER_NONE = 0, /* observations only: no solution, no feedback */
    BX_SOLVER_SPP = 1,  /* single-point positioning + RAIM, nav/pos/pvt.c (default) */
    BX_SOLVER_RTK = 2,  /* RTK against base observations given by bx_rx_push_base (nav/pos/rtk.c, settings
                           in c.rtk); the single-point fix stays the fallback and drives the feedback */
    BX_SOLVER_PPP = 3   /* precise point positioning (nav/pos/ppp.c, settings in c.ppp) on the B1C/B2a
                           ionosphere-free code and phase with the PPP-B2b corrections decoded from the
                           receiver's own B2b stream (streams B1C + B2a + B2b needed); the single-point
                           fix on the broadcast ephemerides is the fallback (no corrections yet, too few
                           corrected satellites, corrections expired) and drives the feedback */
} bx_solver_kind_t;

/* BX_SOLVER_PPP: what the PPP row did at an epoch (bx_rx_epoch_t.ppp). */
enum {
    BX_RX_PPP_OK = 0,        /* PPP solution (sol->fix FLOAT, flags BX_SOLF_PPP) */
    BX_RX_PPP_NO_TIME = 1,   /* receiver time not known yet */
    BX_RX_PPP_NO_CORR = 2,   /* no PPP-B2b corrections yet (no mask / no GEO decoded): broadcast SPP */
    BX_RX_PPP_FEW = 3,       /* fewer than 5 satellites with B1C + B2a code and phase and a usable
                                correction (expired, IOD Corr mismatch, no ephemeris with IODC = IODN):
                                broadcast SPP */
    BX_RX_PPP_FILTER = 4     /* the PPP filter gave no solution this epoch: broadcast SPP */
};
typedef struct {
    int status;              /* BX_RX_PPP_* */
    int geo_prn;             /* GEO whose corrections are used (59..63), 0 none */
    int n_obs;               /* satellites with B1C + B2a code and phase */
    int n_corr;              /* of those, with a usable correction for the GEO (orbit + clock, age limits,
                                ephemeris whose IODC = IODN) */
    int n_refused[8];        /* the others by reason (index BX_B2B_NO_* / BX_B2B_OLD_*, bdsrx/pppb2b.h) */
    int n_screened;          /* corrected satellites left out of this epoch by the code screen (IF code
                                residual > 6 m against the others with the corrected orbits and clocks) */
    int resets;              /* filter restarts so far (GEO changed, corrections lost, new time scale) */
    double age_s;            /* time since the filter (re)started, s */
    bx_ppp_sol_t ppp;        /* the filter's solution (valid with status OK): sigmas, ZWD, residuals */
    double sigma_enu_m[3];   /* formal sigmas east, north, up (status OK) */
    char msg[128];           /* "" when all is well, else why the fallback (and which satellites lack what) */
} bx_rx_ppp_info_t;

#define BX_RX_PVT_AUTO (-1) /* bx_rx_config_t.pvt_mode: from the streams */

/* What the epoch callback receives (valid during the call only). */
typedef struct {
    const bx_obs_t *obs;  /* observations (pseudoranges once the time of transmission is known) */
    const bx_sol_t *sol;  /* the solver's solution of this epoch; NULL with BX_SOLVER_NONE.  Before the
                             receiver time is known (have_time 0): fix BX_FIX_NONE with the reason */
    int status;           /* BX_OK: sol->fix != BX_FIX_NONE; BX_ERR_NOFIX: sol->reason says why */
    int valid;            /* bx_sol_valid(sol): a fix that may be reported as a position (RAIM did not
                             fail, no jump; the RAIM outcome itself is in sol->flags BX_SOLF_RAIM_*) */
    int have_time;        /* 1: obs->time is BDT; 0: it only counts seconds of samples */
    uint64_t sample;      /* stream-0 sample index of the epoch (= bx_rx_epoch_sample) */
    const bx_nav_t *nav;  /* navigation data the solution used */
    int mode;             /* bx_pvt_mode_t in use, -1 without a solver */
    int nfix;             /* epochs with a fix so far, this one included */
    const bx_rtk_sol_t *rtk; /* BX_SOLVER_RTK: the RTK solution (ratio, baseline, age, msg) whose sol is
                             *sol (fix FIXED / FLOAT, or the single-point fallback SPP with the reason in
                             rtk->msg); NULL with other solvers */
    const bx_rx_ppp_info_t *ppp; /* BX_SOLVER_PPP: what PPP did (status, corrected satellites, sigmas, why
                             not); *sol is the PPP solution (fix FLOAT with BX_SOLF_PPP) or the single-point
                             fallback (fix SPP); NULL with other solvers */
} bx_rx_epoch_t;

/* Called once per output epoch, on the thread that called bx_rx_process.  rx may
 * be queried and adjusted (e.g. bx_rx_set_position / bx_rx_steer_clock when
 * feedback is 0); feedback from the solution, when on, happens after the call. */
typedef void (*bx_rx_epoch_fn)(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep);
/* BX_SOLVER_RTK: called before each epoch with a known receiver time is solved, with the
 * rover epoch's time (BDT), on the thread that called bx_rx_process: the place to hand the
 * receiver the base epochs up to that time (bx_rx_push_base). */
typedef void (*bx_rx_base_fn)(void *user, bx_rx_t *rx, bx_time_t rover_time);

/* A CRC-valid PPP-B2b block decoded on a B2b stream (GEO geo_prn 59-63; the B-CNAV3 frames of
 * MEO/IGSO go to the ephemeris store instead): bits = the 486-bit block (MesType..CRC), m =
 * its parse (MT4/MT6 slots resolved through the mask when one is held), frame_sample = sample
 * of the stream at which the frame's preamble arrived.  Called on the driving thread, after
 * the message went into the receiver's store (bx_rx_b2b_store). */
typedef void (*bx_rx_b2b_fn)(void *user, int geo_prn, int stream, uint64_t frame_sample, const uint8_t bits[486],
                             const void *msg /* const bx_b2b_msg_t * (bdsrx/pppb2b.h) */);

typedef struct {
    int n_streams;
    bx_rx_stream_t stream[BX_RX_MAX_STREAMS];
    uint64_t prn_mask;       /* bit p set = search PRN p; 0 = each signal's default set
                                (bx_acq_default_prn: PRN 6-58, not the GEOs) */
    double epoch_interval_s; /* observation output interval, default 1.0 (0.1 .. 1) */
    double reacq_interval_s; /* re-search untracked PRNs every this long, default 10 */
    double acq_pfa;          /* false-alarm probability per PRN search, default 1e-3 */
    const char *acq_wisdom_path; /* FFTW wisdom file: the searches use measured plans, measured
                                once and kept there across runs (NULL: estimated plans, ~25 %
                                slower searches, nothing written) */
    int acq_async;           /* 0 (default): searches run inside bx_rx_process on all threads
                                (deterministic: files, tests); 1: on one background thread while
                                tracking goes on, channels join when it ends (live sources: a
                                search of all PRNs takes seconds and must not stall the stream);
                                the cold search then uses the quick single-block configuration
                                (B1C 10 ms x 1, B2a 1 ms x 10: ~37 dB-Hz and up) so channels join
                                within seconds; the narrow predicted re-searches stay sensitive */
    int threads;             /* worker threads, 0 = one per online CPU */
    bx_rx_epoch_fn on_epoch;
    void *user;
    /* positioning (appended; defaults from bx_rx_config_default) */
    int solver;              /* bx_solver_kind_t, default BX_SOLVER_SPP */
    int pvt_mode;            /* BX_RX_PVT_AUTO (default): one band -> BX_PVT_B1C / BX_PVT_B2A, B1C + B2a
                                -> BX_PVT_IF; or a bx_pvt_mode_t to force one */
    bx_pvt_config_t pvt;     /* SPP settings (bx_pvt_config_default); pvt.mode is set from pvt_mode */
    int feedback;            /* 1 (default): each fix sets the receiver position and steers the clock;
                                0: the caller does it (bx_rx_set_position, bx_rx_steer_clock) */
    double steer_threshold_m; /* clock bias (c * dt, m) above which a fix steers the receiver clock onto
                                BDT, default 300 m (1 us): time tags stay meaningful, small biases are
                                left to the solver */
    bx_rx_b2b_fn on_b2b;     /* PPP-B2b messages of B2b streams (NULL: only stored and counted) */
    /* RTK (solver BX_SOLVER_RTK; appended) */
    bx_rtk_config_t rtk;     /* bx_rtk_config_default; rtk.base_pos_m all 0: from bx_rx_push_base */
    bx_rx_base_fn on_base;   /* NULL, or pulls base epochs before each epoch (called with user) */
    /* PPP (solver BX_SOLVER_PPP; appended) */
    bx_ppp_cfg_t ppp;        /* bx_ppp_cfg_default; elmask_rad raised to pvt.elmask_rad */
    int ppp_geo;             /* GEO PRN (59..63) whose PPP-B2b corrections are used; 0 (default): the one
                                that corrects the most satellites, kept while it corrects >= 5 (the GEOs'
                                streams differ by satellite-specific clock constants, so one is pinned;
                                a change restarts the filter) */
    bx_b2b_cfg_t b2b;        /* appended: age limits of the PPP-B2b corrections of B2b streams
                                (bx_b2b_cfg_default: clock 30 s, orbit and code biases 180 s); a
                                correction older than its limit is never applied (the satellite is
                                refused with BX_B2B_OLD_*; fewer than 5 left: broadcast SPP) */
} bx_rx_config_t;

void bx_rx_config_default(bx_rx_config_t *c);
/* BX_OK with *out set, or BX_ERR_ARG / BX_ERR_NOMEM with *out = NULL and the reason in err
 * (may be NULL). */
int bx_rx_create(const bx_rx_config_t *c, bx_rx_t **out, char *err, size_t errlen);

/* Feeds the next samples of every stream: x[i] holds n[i] samples of stream i
 * and all streams cover the same time span (n[i] / fs_i equal).  Any length. */
int bx_rx_process(bx_rx_t *rx, const bx_cf32_t *const x[], const size_t n[]);

/* Tells the engine that nsamples samples of stream 0 (and the same time span of
 * every other stream) were lost before the next bx_rx_process call, e.g. a live
 * source's ring overflowed (bx_source_block_info_t.dropped).  The sample clock
 * of every stream advances by the gap, tracking channels bridge it (their code
 * and carrier NCOs are propagated across, bdsrx/trk.h), epochs inside the gap
 * are not emitted and an acquisition block being filled restarts after it.
 * Returns BX_OK, or BX_ERR_ARG for nsamples < 0. */
int bx_rx_skip(bx_rx_t *rx, int64_t nsamples);
/* Samples skipped so far (stream 0), the total of the bx_rx_skip calls. */
uint64_t bx_rx_skipped(const bx_rx_t *rx);

/* Discontinuities detected so far: a decoded time of week (B-CNAV1 frame,
 * B-CNAV2 message) that does not fit the receiver time scale, i.e. the
 * samples jumped against the satellites' clocks (captures joined, samples
 * lost without notice).  Each one re-establishes the time scale from the new
 * anchor and drops the anchors that disagree with it; the caller should
 * forget its last fix (bx_pvt_reset). */
unsigned bx_rx_resyncs(const bx_rx_t *rx);

/* Navigation data decoded so far (ephemerides, ionosphere, UTC). */
const bx_nav_t *bx_rx_nav(const bx_rx_t *rx);
/* Preloads navigation data, e.g. from a RINEX navigation file. */
int bx_rx_add_nav(bx_rx_t *rx, const bx_nav_t *nav);
/* The solution of the latest epoch (NULL before the first epoch or with BX_SOLVER_NONE);
 * the pointer stays valid until the next bx_rx_process / bx_rx_destroy. */
const bx_sol_t *bx_rx_solution(const bx_rx_t *rx);
/* The positioning mode in use (bx_pvt_mode_t), -1 with BX_SOLVER_NONE. */
int bx_rx_pvt_mode(const bx_rx_t *rx);
/* Current channel states; returns the number written (<= max). */
int bx_rx_channels(const bx_rx_t *rx, bx_rx_chan_status_t *out, int max);
/* Seconds of samples processed (stream 0). */
double bx_rx_elapsed_s(const bx_rx_t *rx);
/* Stream-0 sample index of the epoch being reported (valid inside on_epoch):
 * ties an observation epoch to the sample clock of the capture or device. */
uint64_t bx_rx_epoch_sample(const bx_rx_t *rx);
/* 1 once a decoded time of week has set the receiver time scale; before that
 * epoch times count seconds of samples and carry no absolute meaning. */
int bx_rx_have_time(const bx_rx_t *rx);
/* PPP-B2b from B2b-I streams (a stream with sig = BX_SIG_B2B: data-only channels, no ranging
 * use; GEO C59-C63 carry PPP-B2b, MEO/IGSO B-CNAV3 ephemerides).  Counts of the CRC-valid blocks
 * decoded, by message type, and their fate in the correction store. */
typedef struct {
    long frames;        /* CRC-valid PPP-B2b blocks from the GEOs (B-CNAV3: bx_rx_channels frames_ok) */
    long by_type[64];   /* per MesType */
    long stored;        /* accepted by the store (BX_B2B_ADD_OK) */
    long rejected;      /* no mask yet / IOD SSR / IODP mismatch */
    long unparsed;      /* reserved types or malformed */
} bx_rx_b2b_stats_t;
/* Returns 1 (stats filled) when the receiver has a B2b stream, else 0 (zeros). */
int bx_rx_b2b_stats(const bx_rx_t *rx, bx_rx_b2b_stats_t *out);
/* The receiver's PPP-B2b correction store (const bx_b2b_store_t *, bdsrx/pppb2b.h), NULL without
 * a B2b stream; valid until bx_rx_destroy, read between bx_rx_process calls. */
const struct bx_b2b_store *bx_rx_b2b_store(const bx_rx_t *rx);

/* Acquisition cost and re-acquisition escalation (issue 14 §2).  CPU times are thread CPU
 * (CLOCK_THREAD_CPUTIME_ID) of the search code summed over worker threads and streams.  When a
 * predicted satellite (ephemerides, position and time known) is not found by the narrow-window
 * search, the stream escalates: at most REACQ_WEAK_PER_BLOCK such PRNs per weak block, one weak
 * block per REACQ_WEAK_INTERVAL_S, each PRN at most once per REACQ_WEAK_RETRY_S (src/rx/receiver.c),
 * searched with bx_acq_config_weak (B1C
 * 10 ms x 40, B2a 1 ms x 400 pilot+data) in the same narrow window. */
typedef struct {
    double acq_cpu_s;       /* all searches (cold, periodic, escalations) */
    double first_cpu_s;     /* the first search block of each stream (the cold search) */
    double weak_cpu_s;      /* weak-signal escalations (part of acq_cpu_s) */
    int blocks;             /* search blocks run (all streams) */
    int weak_searches;      /* PRN searches escalated to the weak configuration */
    int weak_found;         /* of which detected (a channel started from them) */
    uint64_t weak_found_mask; /* bit p: PRN p was found by an escalation (any stream) */
    int first_prns;         /* PRNs in the first search block, summed over streams: a hot start
                             * (time hint, a-priori position, ephemerides) searches only the
                             * satellites predicted above the horizon (-5 deg), a cold one all */
} bx_rx_acq_stats_t;
void bx_rx_acq_stats(const bx_rx_t *rx, bx_rx_acq_stats_t *out);

/* The signals of the streams (bx_signal_t), one per stream; returns the count. */
int bx_rx_signals(const bx_rx_t *rx, int *sigs, int max);
/* Tells the engine the current receiver position (done by the feedback of each fix). */
void bx_rx_set_position(bx_rx_t *rx, const double ecef_m[3]);
/* Receiver clock correction from a position solution: shifts the receiver time
 * scale by -bias_s so later epochs have a small clock bias (done by the feedback
 * of a fix whose bias exceeds steer_threshold_m). */
void bx_rx_steer_clock(bx_rx_t *rx, double bias_s);

/* Warm / hot start.  An approximate BDT of the first sample of stream 0 (from
 * --time, a SigMF core:datetime, a PocketSDR .tag TIME or the system clock of a
 * live source) and its uncertainty.  With ephemerides in the store
 * (bx_rx_add_nav: a RINEX file or the cache of the last run) the engine then
 * fixes time and position from the code phases of >= 5 channels whose pilot
 * secondary code is synchronised (coarse-time solution over the 18 s / 0.1 s
 * secondary periods, src/rx/warmstart.h) without waiting for a navigation
 * frame: pseudoranges from ~2 s of samples.  A hint up to ~10 min off is
 * corrected and reported; one further off gives no coarse fix, and the first
 * decoded frame then reports it (bx_rx_start_info). */
void bx_rx_set_time_hint(bx_rx_t *rx, bx_time_t bdt_first_sample, double sigma_s);
/* A-priori position for the warm/hot start (e.g. the last fix of a previous
 * run); without it the coarse-time fix starts from the tracked satellites'
 * footprint.  With a time hint and ephemerides it also plans the first
 * searches: only the satellites predicted above -5 deg from that place and
 * time (and, 8 per block in turn, those without an ephemeris) are searched
 * over the whole Doppler range, ~1/4 of a cold search's work; a search of
 * that plan that leaves fewer than 4 channels (a position or clock far off)
 * drops it, and the next search covers every PRN as a cold start does. */
void bx_rx_set_approx_position(bx_rx_t *rx, const double ecef_m[3]);
/* How the receiver time was set: 0 not yet, 1 by a decoded frame, 2 by the
 * warm/hot start; msg (may be NULL) a one-line account, e.g. "time hint off
 * by +185.0 s: corrected by the coarse-time fix (...)"; *hint_err_s (may be
 * NULL) the error of the time hint once known, else NAN. */
int bx_rx_start_info(const bx_rx_t *rx, double *hint_err_s, char *msg, size_t len);

/* BX_SOLVER_RTK: one base-station epoch (observations at the base's time tag, e.g. from RTCM3
 * MSM through bdsrx/rtk_base.h) and, when not NULL, the base antenna position (ECEF m; else the
 * last one given, or c.rtk.base_pos_m).  The receiver keeps the last few epochs and solves each
 * rover epoch against the latest base epoch at or before it (+0.5 ms); one older than
 * c.rtk.max_age_s, none, or no common satellites give the single-point fallback with the
 * reason.  Epochs must come in time order (an older one than the newest kept is ignored).
 * Returns BX_OK, or BX_ERR_ARG with another solver, without a base position, or a NULL epoch. */
int bx_rx_push_base(bx_rx_t *rx, const bx_obs_t *base_epoch, const double base_pos_ecef_m[3]);

void bx_rx_destroy(bx_rx_t *rx); /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
