/* The status snapshot of `bdsrx live` as one JSON object (the web dashboard's data, served by
 * include/bdsrx/http_status.h).  Keys:
 *   device, time_utc (null before the time of week), elapsed_s, ttff_s (null before the first
 *   fix), n_fix,
 *   channels: [{sig "B1C"|"B2a", prn, state "LOCKED"|"PULLIN"|"LOST", cn0_dbhz, doppler_hz,
 *               lock_s, sec_sync, frames_ok, frames_bad, have_time, have_eph, el_deg, az_deg}]
 *   fix: null or {valid, reason, lat_deg, lon_deg, h_m, n_used, hdop, pdop}
 *   stats: {processed_s, speed_x, dropped_samples, drop_events, ring_fill, lag_s}
 * Numbers that are not known are null. */
#ifndef BDSRX_LIVE_JSON_H
#define BDSRX_LIVE_JSON_H

#include "live_view.h"

/* malloc'd NUL-terminated JSON (one line), NULL when out of memory. */
char *live_json_snapshot(const bx_live_view_t *v, double elapsed_s, double ttff_s /* < 0: none */);

#endif
