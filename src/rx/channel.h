/*
 * Receiver channel: one signal of one satellite.  Owns the tracking loop, the
 * collection of data symbols into navigation frames, frame decoding and the
 * anchor that ties a sample index to a decoded transmit time (needed for
 * pseudoranges).  Internal to the receiver engine (src/rx/receiver.c).
 */
#ifndef BDSRX_CHANNEL_H
#define BDSRX_CHANNEL_H

#include "bdsrx/acq.h"
#include "bdsrx/eph.h"
#include "bdsrx/navframe.h"
#include "bdsrx/navmsg.h"
#include "bdsrx/trk.h"
#include "bdsrx/types.h"

#define BX_B1C_FRAME_SYMS 1800 /* B-CNAV1 frame, navmsg.md §2.1 */


typedef struct {
    int stream, sig, prn;
    double fs_hz;
    bx_trk_t *trk;

    /* B1C: collects symbols by their position in the 18 s frame (from the
     * pilot secondary code) and decodes complete frames. */
    bx_cnav1_collect_t *collect;
    /* B2a: preamble search + CRC over the symbol stream. */
    bx_cnav2_sync_t *sync;

    /* Time anchor: the signal arriving at anchor_sample left the satellite
     * at anchor_tx (BDT), a multiple of the secondary-code period. */
    int have_time;
    uint64_t anchor_sample;
    bx_time_t anchor_tx;
    int week;                 /* BDT week of the last decoded frame */
    int time_from_rx;         /* the anchor came from the receiver time scale, not a frame */
    int anchor_new;           /* set when a decoded time of week (not an inference) moved the anchor;
                                 the receiver checks it against its time scale and clears it */

    int frames_ok, frames_bad;
    int lost;                 /* tracking declared loss of lock */

    /* carrier-phase arc (receiver.c emit_epoch): the phase is reported from
     * the first epoch with a pseudorange on, shifted by a whole number of
     * cycles so that it starts near P / lambda; a new arc (and LLI) after any
     * tracking discontinuity or missed epoch */
    int arc_open;
    uint32_t arc_slip_count;  /* bx_trk_obs_t.slip_count when the arc was last seen */
    int64_t arc_last_epoch;   /* receiver epoch counter of the last reported phase */
    double arc_offset_cyc;    /* whole cycles added to the tracked phase */
    uint64_t arc_start_sample; /* sample of the arc's first epoch (lock_s counts from it) */
} bx_channel_t;

bx_channel_t *bx_channel_create(int stream, int sig, int prn, double fs_hz, double if_hz,
                                const bx_acq_result_t *acq, uint64_t acq_sample);
void bx_channel_destroy(bx_channel_t *ch);

/* Tracks the samples x[0..n) whose first sample has index first_sample. */
int bx_channel_track(bx_channel_t *ch, const bx_cf32_t *x, size_t n, uint64_t first_sample);

/* Drains data symbols, decodes complete frames into nav (ephemerides,
 * ionosphere, UTC) and updates the time anchor.  Returns the number of
 * frames/messages decoded with a valid CRC.  asm_ is the receiver's
 * ephemeris assembler (IODE/IODC matching across messages). */
int bx_channel_decode(bx_channel_t *ch, bx_ephasm_t *asm_, bx_nav_t *nav);

/* Time anchor without a decoded frame, from the receiver's own time scale:
 * t_rx is the receiver time of `sample` (o observed there).  Only for B1C,
 * whose pilot secondary code spans 18 s: the transmit time is t_rx minus the
 * travel time (67-130 ms) plus the receiver clock error (ms before the first
 * fix), and the one multiple of 18 s that fits is unambiguous.  B2a (100 ms
 * period) is left to its own B-CNAV2 messages.  Returns 1 if an anchor was
 * set. */
int bx_channel_time_from_rx(bx_channel_t *ch, uint64_t sample, const bx_trk_obs_t *o, bx_time_t t_rx);

/* Pilot secondary-code period of the channel's signal (B1C 18 s, B2a 0.1 s). */
double bx_channel_period_s(const bx_channel_t *ch);

/* Time anchor from an approximate transmit time (satellite signal time) of
 * the signal arriving at `sample` (o observed there), good to better than half
 * a secondary-code period: the tracked time within the period fixes the rest
 * (warm/hot start: predicted from ephemeris, position and time).  Returns 1 if
 * an anchor was set (needs secondary sync). */
int bx_channel_set_tx(bx_channel_t *ch, uint64_t sample, const bx_trk_obs_t *o, bx_time_t tx_approx);

/* Transmit time of the signal arriving at `sample`, from the anchor and the
 * tracked time within the secondary-code period. */
int bx_channel_tx_time(const bx_channel_t *ch, uint64_t sample, const bx_trk_obs_t *o, bx_time_t *tx);

#endif
