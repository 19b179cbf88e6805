/*
 * Warm / hot start on the command line (bdsrx run, bdsrx live): --time,
 * --approx-pos, --no-cache; the navigation cache ($XDG_CACHE_HOME/bdsrx or
 * ~/.cache/bdsrx: ephemerides and last position) read at the start and
 * updated at the end; the time hint from --time, else the capture's sidecar
 * (SigMF core:datetime, PocketSDR .tag TIME), else (live) the system clock.
 * Not thread-safe (one per command).
 */
#ifndef BDSRX_CLI_WARM_H
#define BDSRX_CLI_WARM_H

#include <stdio.h>

#include "bdsrx/receiver.h"
#include "cli_opt.h"
#include "solout.h"

typedef struct {
    const char *time;    /* --time: UTC of the first sample */
    double apr_llh[3];   /* --approx-pos (deg, deg, m); NAN unset */
    int no_cache;        /* --no-cache */
    char cache_dir[4096];
    int hinted;          /* a time hint was given to the receiver */
} cli_warm_t;

void cli_warm_init(cli_warm_t *w);

#define CLI_WARM_OPTS(w)                                                                                            \
    {"time", 0, CLI_STRING, &(w)->time, 0, 0, "UTC",                                                                \
     "approximate UTC of the first sample, 'YYYY-MM-DD HH:MM:SS': with ephemerides (--nav or\n"                    \
     "the cache) a fix without a decoded frame (hot start; default: the capture's SigMF\n"                         \
     "core:datetime or .tag TIME, the system clock for live sources)",                                               \
     NULL, 0, 0},                                                                                                   \
    {"approx-pos", 0, CLI_FN, (w)->apr_llh, 0, 0, "LAT,LON,H",                                                      \
     "approximate position for the hot start (default: the last fix in the cache)", cli_fn_llh, 0, 0},            \
    {"no-cache", 0, CLI_FLAG, &(w)->no_cache, 0, 0, NULL,                                                           \
     "neither read nor update the navigation cache (ephemerides and last position in\n"                           \
     "$XDG_CACHE_HOME/bdsrx, default ~/.cache/bdsrx)",                                                              \
     NULL, 0, 0}

/* After bx_rx_create and --nav: loads the cache and sets the time and position
 * hints.  capture: the first capture file, or NULL for a live source (system
 * clock).  Messages (what was used) on stderr unless quiet.  Returns 0, or -1
 * on a bad --time / unreadable sidecar time (message printed). */
int cli_warm_setup(cli_warm_t *w, bx_rx_t *rx, const char *capture, int quiet, const char *prog);

/* At the end: prints how the time was found (hot start, hint error) to o and
 * updates the cache with the decoded ephemerides and the last fix. */
void cli_warm_finish(cli_warm_t *w, bx_rx_t *rx, const solout_t *out, FILE *o, const char *prog);

#endif
