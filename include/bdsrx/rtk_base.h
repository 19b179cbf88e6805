/* Base-station observations for RTK (src/io/rtk_base.c; `bdsrx rtk`, `bdsrx run/live --base`): a RINEX 3/4
 * observation file, an RTCM 3 file or an NTRIP caster's RTCM 3 stream
 * or a raw RTCM 3 TCP stream (tcp://HOST:PORT)
 * (ntrip[12]://[user[:password]@]host[:port]/MOUNT, include/bdsrx/ntrip.h; read until the
 * first 1005/1006 at open so that the base position is known; one reconnection attempt
 * when the stream breaks) (MSM4-7 observations, 1005/1006 station
 * coordinates, 1042 BDS ephemerides), told apart by their content (an RTCM 3
 * frame with a valid CRC-24Q in the first 8 KiB, RTCM 10403.3 §4.2).  One thread;
 * no global state. */
#ifndef BDSRX_RTK_BASE_H
#define BDSRX_RTK_BASE_H

#include <stddef.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

typedef struct bx_rtk_base bx_rtk_base_t;

/* Opens path; sig_mask selects the RINEX signals (bx_rinex_obs_set_signals).
 * Returns BX_OK or an error status with a message in err. */
int bx_rtk_base_create(const char *path, unsigned sig_mask, bx_rtk_base_t **out, char *err, size_t errlen);
/* The same with a GGA sentence for an NTRIP source's request (network RTK casters want the
 * rover's position before they send anything); gga NULL = bx_rtk_base_create. */
int bx_rtk_base_create_gga(const char *path, unsigned sig_mask, const char *gga, bx_rtk_base_t **out, char *err,
                           size_t errlen);
/* NTRIP source: sends the rover's position (GGA sentence, bx_ntrip_send_gga) to the caster;
 * other sources: nothing to send, BX_OK.  BX_ERR_IO when the send fails (the next read
 * reconnects).  May be called from another thread while one thread is in bx_rtk_base_next. */
int bx_rtk_base_send_gga(bx_rtk_base_t *b, const char *sentence);
long bx_rtk_base_gga_sent(bx_rtk_base_t *b); /* GGA sentences sent so far */
int bx_rtk_base_reconnects(bx_rtk_base_t *b); /* NTRIP: reconnections made inside bx_rtk_base_next (any thread) */
void bx_rtk_base_destroy(bx_rtk_base_t *b);
/* Next base epoch.  approx: a BDT time near the data (the rover's epoch), for the week of RTCM
 * MSM epochs.  BDS ephemerides found in the stream (1042) are added to nav.  Returns BX_OK,
 * BX_ERR_EOF, or an error (bx_rtk_base_error says what). */
/* (BX_ERR_EOF after a network stream broke: bx_rtk_base_error says why.) */
int bx_rtk_base_next(bx_rtk_base_t *b, bx_time_t approx, bx_obs_t *obs, bx_nav_t *nav);
const char *bx_rtk_base_error(const bx_rtk_base_t *b);
/* Station coordinates carried by the input: RTCM 1005/1006 antenna reference point (the
 * first in the file), RINEX APPROX POSITION XYZ.  0 with ecef set, -1 when there are none. */
int bx_rtk_base_position(const bx_rtk_base_t *b, double ecef_m[3]);
/* Another thread may end a wait for network bytes by setting *stop nonzero (a tcp:// read within
 * 0.25 s, an NTRIP reconnection attempt; an NTRIP read ends within its timeout).  NULL: none.
 * *stop is read with an atomic acquire load: set it with __atomic_store_n (or a C11 atomic store). */
void bx_rtk_base_set_stop(bx_rtk_base_t *b, const volatile int *stop);
/* "RTCM3", "NTRIP", "TCP" or "RINEX" */
const char *bx_rtk_base_kind(const bx_rtk_base_t *b);

#endif
