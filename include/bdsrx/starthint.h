/*
 * bdsrx start hints for the warm / hot start (bx_rx_set_time_hint,
 * bx_rx_set_approx_position, bx_rx_add_nav):
 *  - the time of a capture's first sample from its sidecar (SigMF
 *    captures[0].core:datetime, PocketSDR .tag TIME) or from a string;
 *  - the navigation cache: the ephemerides decoded by the last runs and the
 *    last position, kept in $XDG_CACHE_HOME/bdsrx (default ~/.cache/bdsrx) as
 *    nav.rnx (RINEX 4 navigation, bx_rinex_nav_write) and position.txt.
 *
 * Thread-safety: plain functions; the cache files are replaced atomically
 * (write + rename), so concurrent runs never read a half-written file (the last
 * writer wins).
 */
#ifndef BDSRX_STARTHINT_H
#define BDSRX_STARTHINT_H

#include <stddef.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses a UTC date and time, "YYYY-MM-DD HH:MM:SS[.sss]", "YYYY-MM-DDTHH:MM:SS[.sss][Z]" or
 * "YYYY/MM/DD HH:MM:SS[.sss]" (the PocketSDR .tag form), into BDT (leap seconds from the built-in
 * table).  BX_ERR_ARG if it is not one of these. */
int bx_hint_parse_utc(const char *s, bx_time_t *bdt);

/* BDT of the first sample of the capture data_path from its sidecar (SigMF core:datetime of the
 * first capture segment, or the .tag TIME line); what was used goes to `source` (e.g. "SigMF
 * core:datetime 2023-03-12T04:07:00Z").  Returns 1 found, 0 no sidecar or no time in it, <0 error
 * (message in err). */
int bx_hint_capture_time(const char *data_path, bx_time_t *bdt, char *source, size_t source_len, char *err,
                         size_t errlen);

/* The cache directory: $XDG_CACHE_HOME/bdsrx, else $HOME/.cache/bdsrx.  BX_ERR_ARG when neither
 * variable is set. */
int bx_navcache_dir(char *buf, size_t len);

/* Loads the cache of dir into nav (added to what it holds) and the last position (pos_m,
 * *have_pos; either may be NULL).  Returns the number of ephemerides loaded (0: no cache yet), <0
 * on an unreadable cache (message in err). */
int bx_navcache_load(const char *dir, bx_nav_t *nav, double pos_m[3], int *have_pos, char *err, size_t errlen);

/* Saves nav's ephemerides merged with the cached ones (per PRN the newest BX_NAVCACHE_PER_PRN
 * t_oe are kept) and, if pos_m is not NULL, the position.  Creates dir.  BX_OK or <0 (err). */
#define BX_NAVCACHE_PER_PRN 4
int bx_navcache_save(const char *dir, const bx_nav_t *nav, const double *pos_m, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
