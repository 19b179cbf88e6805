/*
 * Base-station input of `bdsrx run --base` and `bdsrx live --base` (cli_base.c): a
 * bx_rtk_base_t (RTCM3 file, ntrip://, tcp://, RINEX; include/bdsrx/rtk_base.h) feeding the
 * receiver's RTK solver through bx_rx_push_base from the receiver's on_base hook.
 *
 * Two ways to read it:
 *  - synchronous (files; `bdsrx run`): at each rover epoch the source is read up to the first
 *    base epoch after it, so a post-processing run gives the same result however fast it goes
 *    (a network source blocks the sample loop while it waits);
 *  - asynchronous (`bdsrx live`): a reader thread reads the source and keeps the newest base
 *    epochs; the hook takes what has arrived without waiting, so the samples never wait for the
 *    network.  A stream that breaks is opened again with bounded back-off (1, 2, 4 .. 30 s).
 * Messages (base lost, reconnected, base too old) go to stderr once per change.
 */
#ifndef BDSRX_CLI_BASE_H
#define BDSRX_CLI_BASE_H

#include <stddef.h>

#include "bdsrx/receiver.h"

typedef struct cli_base cli_base_t;

/* spec: the source; base_pos: "X,Y,Z" / "LAT,LON,H" or NULL (the stream's 1005/1006, RINEX
 * header, else the base's averaged single-point fix); async: reader thread.  0 ok, -1 with a
 * message in err. */
int cli_base_open(const char *spec, const char *base_pos, int async, cli_base_t **out, char *err, size_t errlen);
/* bx_rx_config_t.on_base with user = the cli_base_t (see cli_base_hook) */
void cli_base_pull(cli_base_t *b, bx_rx_t *rx, bx_time_t rover_time);
/* One-line state for status displays: "RTCM3 base.rtcm, 123 epochs, age 0.4 s" */
void cli_base_state(const cli_base_t *b, char *buf, size_t len);
void cli_base_close(cli_base_t *b); /* NULL-safe; stops the reader thread */

/* Network RTK (NTRIP sources only; others ignore it): the receiver's position as an NMEA GGA
 * sentence to the caster every interval_s seconds of receiver time (default 10; <= 0 never), from
 * the epoch's solution (a valid fix: bx_sol_valid), sent at once (also beside the reader thread's read); the request
 * of every reconnection carries the latest one.  Receiver thread only. */
void cli_base_set_gga_interval(cli_base_t *b, double interval_s);
void cli_base_position(cli_base_t *b, const bx_sol_t *sol);
long cli_base_gga_count(const cli_base_t *b); /* sentences handed on so far */
int cli_base_online(cli_base_t *b);           /* 1 while the source is open (connected) */
int cli_base_connections(cli_base_t *b);      /* connections made so far (opens + NTRIP reconnections) */

/* "X,Y,Z" (ECEF m) or "LAT,LON,H" (deg, deg, m) -> ECEF; 0 ok, -1 not a position near the
 * Earth's surface. */
int cli_parse_pos(const char *s, double ecef[3]);

#endif
