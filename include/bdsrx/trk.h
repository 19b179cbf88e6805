/*
 * bdsrx tracking: one channel = one signal (B1C or B2a) of one PRN.
 *
 * Method (dsp/trk.c, trk_loops.c, trk_cn0.c):
 *  - One fused correlator pass (bdsrx/corr.h) per primary-code period gives
 *    the pilot E/P/L (B1C also very-early/very-late at +-0.5 chip for
 *    BOC(1,1) bump-jumping) and the data prompt.  B1C periods are cut into
 *    1 ms partials for the FLL.
 *  - Carrier: FLL-assisted PLL (2nd-order PLL, 1st-order FLL) on the pilot.  Before pilot secondary-code sync
 *    the phase detector is Costas (atan(Q/I)) because the secondary chip is
 *    unknown; after sync the secondary code is wiped and a pure PLL
 *    (atan2(Q,I)) runs; a 180-degree Costas ambiguity is removed at sync time.
 *    Pull-in: FLL only (on 1 ms partials: +-500 Hz, then on whole periods:
 *    quiet), then PLL + weak FLL assist, then PLL only (narrow) once the phase
 *    lock indicator is high.  A false-lock check (partial-based frequency
 *    error averaged ~0.3 s above 1/(4T)) catches the Costas 1/(2T) false lock
 *    and restarts pull-in at the corrected frequency (before secondary sync,
 *    phase-locked, above 30 dB-Hz only: on weaker signals the 1 ms partials are
 *    noise); the partial-based wide FLL is skipped when acquisition says < 35
 *    dB-Hz.
 *  - Code: carrier-aided DLL, normalised early-minus-late envelope; 1st
 *    order in pull-in.  Narrow once locked: with unfiltered captures sampled
 *    at a multiple of the chip rate (4.092 MHz B1C, 20.46 MHz B2a) the
 *    correlation is a staircase (one plateau per sample); E-L then acts
 *    bang-bang around the plateau centre, which saw-tooths with the code
 *    Doppler, and only a loop much slower than that saw-tooth settles on the
 *    true code phase.  B1C (plateau 0.25 chip = 73 m at 4.092 MHz; a ~70 m/s
 *    range rate sweeps it in ~1 s): a first-order loop whose bandwidth
 *    narrows as 1/(4 t_lock) from dll_bw_hz to dll_bw_min_hz (a Hatch-like
 *    growing window; on SignalSim's B1C capture a fixed 0.1 Hz loop left 2-5 m
 *    errors on slow satellites, 1.9 m RMS; narrowing gives 0.7 m).  It assumes
 *    code and carrier share one frequency reference (captures, the supported
 *    front ends): a code-carrier rate offset r chips/s lags r / (4 dll_bw_min_hz).
 *    B2a (plateau 0.05 chip at 20.46 MHz): a fixed 2nd-order loop whose
 *    integrator follows a code-carrier rate offset.
 *  - Coherent integration: B1C 10 ms (= primary period) from the start;
 *    B2a 1 ms until pilot secondary sync, then coh_ms_b2a ms with the
 *    secondary code wiped.
 *  - Secondary sync: correlation of sec_sync_chips pilot prompts against
 *    the whole pilot secondary code (B1C 1800 chips -> 18 s frame epoch; B2a
 *    100 chips -> 100 ms), accepted on a z-test (dsp/trk_sync.c); B2a also
 *    before phase lock from differential products of consecutive prompts
 *    (weak signals).  The prompts before the sync are kept and their data
 *    symbols emitted at the sync (a frame that began after lock is complete).
 *  - C/N0: per primary period on the pilot and data prompts in windows
 *    (B1C 0.5 s, B2a 0.25 s; the last 4 averaged): moments (M2M4) estimator in
 *    pull-in (from 10 periods on; before that acquisition's value; reported
 *    instead, for strong signals, the pilot/data envelope estimate), phase-
 *    locked I/Q estimator once locked: signal <|I|>^2, or once the secondary
 *    code is wiped the pilot's unbiased |<I> + j<Q>|^2 scaled by the ICD power
 *    split (plus the PLL thermal-jitter loss 1 - B_L/(C_p/N0) in the reported
 *    value); noise from the quadrature components of pilot and data together,
 *    regressed on the data x secondary-chip sign (code cross-correlation) and
 *    combined so that the common phase error cancels (dsp/trk_impl.h);
 *    cn0_dbhz = total (pilot + data; BOC(6,1) is not correlated).
 *  - Lock: PLL indicator = low-passed cos(2 phi) = (I^2-Q^2)/(I^2+Q^2) scaled by
 *    (1 + 1/snr) to remove its noise bias (LOCKED above 0.75, back to pull-in
 *    below 0.4; averaged 0.8 s instead of 0.2 s below 30 dB-Hz); loss of
 *    lock (after a first lock) when C/N0 < cn0_lost_dbhz for lost_after_s, or
 *    no carrier lock within pullin_timeout_s -> state BX_TRK_LOST (the engine
 *    re-acquires).
 *
 * Conventions: doppler_hz / carrier_cycles exclude if_hz and have RINEX sign
 * (RINEX 3.05 §3.3/3.4: positive Doppler = approaching; the phase moves with
 * the pseudorange, i.e. it decreases while the Doppler is positive).
 * Before secondary-code sync the pilot is tracked by a Costas loop and the
 * phase has a half-cycle ambiguity (half_cycle = 1); the sync resolves it by
 * moving the replica by half a cycle when needed, which counts as a slip.  The carrier
 * phase is that of the pilot replica locked so that the pilot prompt is real
 * positive (a constant quarter cycle from the data component).
 *
 * Threads: a bx_trk_t is used by one thread at a time; distinct channels run concurrently (the
 * receiver spreads them over its workers).
 */
#ifndef BDSRX_TRK_H
#define BDSRX_TRK_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/acq.h"
#include "bdsrx/iq.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { BX_TRK_LOST = 0, BX_TRK_PULLIN = 1, BX_TRK_LOCKED = 2 };

typedef struct {
    int sig, prn;            /* BX_SIG_B1C / BX_SIG_B2A / BX_SIG_B2B (dsp/trk_b2b.c: B2a loop defaults), 1..63 */
    double fs_hz, if_hz;     /* sample rate; carrier of the band centre in the samples */
    /* loop parameters (defaults from bx_trk_config_default) */
    double fll_bw_hz;        /* FLL noise bandwidth in pull-in (B1C 8, B2a 10) */
    double pll_bw_pullin_hz; /* PLL bandwidth in pull-in (B1C 10, B2a 15) */
    double pll_bw_hz;        /* PLL bandwidth once locked (8: holds lock in 3 m/s^2 turns) */
    double dll_bw_pullin_hz; /* DLL bandwidth in pull-in (1) */
    double dll_bw_hz;        /* DLL bandwidth at lock (B1C 0.1, B2a 0.5): narrow, see below */
    double dll_bw_min_hz;    /* > 0: first-order loop narrowing as 1/(4 t_lock) down to this
                                (B1C 0.02); 0: fixed 2nd-order loop (B2a) */
    double el_spacing_pullin_chips; /* early-late spacing (E to L) in pull-in (B1C 0.5, B2a 1.0) */
    double el_spacing_chips;        /* ... once locked (B1C 0.25, B2a 0.5) */
    double fll_only_s;       /* pull-in: FLL alone on partials this long (0.1), then on whole
                                periods for twice as long, then PLL + FLL assist */
    double lock_min_s;       /* minimum pull-in time before LOCKED (0.3) */
    double pullin_timeout_s; /* LOST when not locked after this long (4) */
    double cn0_lost_dbhz;    /* LOST when C/N0 stays below this ... (20; 29 with B2a's 1 ms periods before sync) */
    double lost_after_s;     /* ... for this long (1) */
    int coh_ms_b2a;          /* B2a coherent ms after secondary sync: 1, 2, 5, 10 or 20 (10) */
    int sec_sync_chips;      /* pilot prompts correlated for secondary sync (B1C 100, B2a 200) */
    int bump_jump;           /* B1C: very-early/late taps and bump-jump (1) */
    int corr_impl;           /* bx_corr_impl_t (0 = fastest on this CPU) */
} bx_trk_config_t;

void bx_trk_config_default(bx_trk_config_t *c, int sig, int prn, double fs_hz, double if_hz);

typedef struct bx_trk bx_trk_t;

/* Starts from an acquisition result measured on the block starting at sample
 * index `acq_sample` (code phase and Doppler are propagated to the first
 * sample given to bx_trk_process).  BX_OK with *out set; BX_ERR_ARG (bad configuration),
 * BX_ERR_UNSUPPORTED (correlator not available on this CPU) or BX_ERR_NOMEM with *out = NULL
 * and the reason in err (may be NULL). */
int bx_trk_create(const bx_trk_config_t *c, const bx_acq_result_t *init, uint64_t acq_sample, bx_trk_t **out,
                  char *err, size_t errlen);

/* Processes a contiguous block of samples whose first sample has index
 * `first_sample`; any length.  Samples before the start or already seen are
 * ignored; a gap (first_sample beyond the last processed sample) is bridged by
 * propagating the loops (the partial period is dropped).  Returns BX_OK (also
 * when the channel is LOST: it then does nothing). */
int bx_trk_process(bx_trk_t *t, const bx_cf32_t *x, size_t n, uint64_t first_sample);

typedef struct {
    float soft;      /* data symbol soft value, > 0 means logic 0; in units of the noise sigma */
    int32_t index;   /* B1C: symbol (= 10 ms primary period) index within the 18 s frame, 0..1799;
                        B2a: 5 ms symbol index within the 100 ms pilot secondary period 0..19
                        plus 20*k, k = secondary periods since sync; -1 if not synced (not emitted) */
    uint64_t sample; /* sample index at which the symbol starts (its first chip arrives) */
} bx_trk_symbol_t;

/* Moves up to max queued data symbols (oldest first) to out; returns the count.
 * Symbols are produced once the secondary code is synchronised (sign resolved
 * by the pilot); the prompts of the periods before the sync (up to 2048 primary
 * periods: B1C 20 s, B2a 2 s) are kept and their symbols emitted at the sync, so
 * a frame that began between lock and sync is complete. */
int bx_trk_pop_symbols(bx_trk_t *t, bx_trk_symbol_t *out, int max);

typedef struct {
    int prn, sig, state;     /* BX_TRK_LOST / PULLIN / LOCKED */
    int sec_sync;            /* secondary code synchronised */
    double tx_in_period_s;   /* transmit time of the signal arriving at the given sample within the
                                secondary-code period (B1C 0..18 s, B2a 0..0.1 s); valid when sec_sync */
    double code_phase_chips; /* primary code phase at that sample, 0 <= x < 10230 */
    double carrier_cycles;   /* accumulated carrier phase (cycles) at that sample */
    double doppler_hz, cn0_dbhz, lock_s;
    /* appended */
    double cn0_pilot_dbhz;   /* C/N0 of the pilot (tracked) component alone */
    double pll_lock;         /* phase lock indicator: low-passed cos(2 phase error), corrected for the
                                noise share (x (1 + 1/snr)), 1 = locked */
    int slip;                /* carrier lock was lost (back to pull-in) since the channel started or
                                the last sync; lock_s restarts */
    uint32_t slip_count;     /* carrier-phase discontinuities since the channel started: lock losses,
                                FLL restarts, secondary-sync loss, half-cycle corrections at sync; a
                                change between two observations = loss of lock (RINEX LLI bit 0) */
    int half_cycle;          /* 1 = half-cycle ambiguity unresolved (no secondary sync yet) */
} bx_trk_obs_t;

/* Observables at receiver sample `sample`, which must lie within the last
 * ~16 code periods processed (or up to one period beyond).  BX_ERR_ARG if out
 * of that range. */
int bx_trk_observe(const bx_trk_t *t, uint64_t sample, bx_trk_obs_t *o);

/* B2b-I (data only, Costas): the receiver found the tracked symbols inverted (inverted = 1) or
 * upright (0) from the polarity of a decoded frame's 0xEB90 preamble; an inverted lock is turned
 * by half a cycle (a slip; the symbols still queued are negated with it), half_cycle is cleared.
 * Returns 1 if applied (B2b, locked), else 0. */
int bx_trk_set_polarity(bx_trk_t *t, int inverted);

/* Current state (BX_TRK_*), cheap. */
int bx_trk_state(const bx_trk_t *t);
/* Name of a state: "LOST", "PULLIN", "LOCKED". */
const char *bx_trk_state_name(int state);
/* Sample index up to which the channel has consumed input. */
uint64_t bx_trk_position(const bx_trk_t *t);
void bx_trk_destroy(bx_trk_t *t); /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
