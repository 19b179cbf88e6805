/*
 * bdsrx — live status view: what `bdsrx live` shows while it runs.
 *
 * bx_live_view_draw redraws a terminal screen with ANSI escapes (cursor home, clear to end of
 * line / screen; no curses): one row per channel (signal, PRN, C/N0 bar, Doppler, lock state
 * and time, navigation data: secondary-code sync, frames good/bad, time, ephemeris), then the
 * position (lat/lon/h), satellites used, DOPs, samples lost, processing speed and ring fill.
 * bx_live_view_line writes the same in one plain line (logs, pipes, --plain).
 */
#ifndef BDSRX_LIVE_VIEW_H
#define BDSRX_LIVE_VIEW_H

#include <stdio.h>

#include "bdsrx/live.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *device;              /* source description */
    const bx_rx_chan_status_t *ch;   /* channels (bx_rx_channels) */
    int n_ch;
    const bx_sol_t *sol;             /* latest solution, NULL before the first epoch */
    int n_fix;                       /* fixes so far */
    bx_live_stats_t stats;
    /* RTK (--base): rtk 1 with the latest ratio, baseline length (NAN without RTK), age of the
     * base epoch used and the RTK message (why float / single-point), base: the input's state */
    int rtk;
    double ratio, baseline_m, age_s;
    const char *rtk_msg, *base;
    /* PPP (--ppp): what the PPP row did at the last epoch (status, GEO, corrected satellites, msg) */
    const bx_rx_ppp_info_t *ppp;
} bx_live_view_t;

/* Full-screen redraw (ANSI). */
void bx_live_view_draw(FILE *f, const bx_live_view_t *v);
/* One status line, '\n'-terminated. */
void bx_live_view_line(FILE *f, const bx_live_view_t *v);

#ifdef __cplusplus
}
#endif
#endif
