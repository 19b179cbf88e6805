/*
 * bdsrx — time: BDT / GPST / UTC conversions, week + seconds of week, civil
 * dates, day of year, on the one time type bx_time_t (types.h): whole seconds
 * since 2006-01-01 00:00:00 of the scale in use plus a fraction in [0, 1).
 *
 * Scales (orbit.md §1):
 *   BDT  epoch 2006-01-01 00:00:00 UTC = BDT week 0, SOW 0; no leap seconds.
 *   GPST = BDT + 14 s; GPS week = BDT week + 1356 at the same instant.
 *   UTC  = BDT - leap_s, leap_s = BDT - UTC (4 s since 2017-01-01).
 * A bx_time_t does not carry its scale: a "GPST value" is the GPST reading of
 * the instant, expressed as seconds since 2006-01-01 00:00:00 *GPST*; a "UTC
 * value" likewise.  Civil dates use the proleptic Gregorian calendar of the
 * same scale (no 23:59:60 — a UTC leap second cannot be represented).
 *
 * Precision: the fraction is a double in [0, 1), so any instant in any span is
 * held to ~1e-16 s; bx_time_add/diff keep whole seconds separate.
 *
 * Threads: pure functions: safe from any thread.
 */
#ifndef BDSRX_TIME_H
#define BDSRX_TIME_H

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_SEC_PER_WEEK 604800
#define BX_GPST_MINUS_BDT_S 14   /* orbit.md §1 */
#define BX_GPS_WEEK_AT_BDT0 1356 /* GPS week of 2006-01-01; orbit.md §1 */

/* Normalised time (frac in [0,1)) from whole seconds + any fraction. */
bx_time_t bx_time_make(int64_t sec, double frac_s);

/* BDT week (full, not modulo 8192) and seconds of week <-> BDT time. */
bx_time_t bx_time_from_week_sow(int week, double sow_s);
double bx_time_to_week_sow(bx_time_t t, int *week);

/* Same for GPS week/TOW, on GPST values. */
bx_time_t bx_time_from_gps_week_tow(int gps_week, double tow_s);
double bx_time_to_gps_week_tow(bx_time_t gpst, int *gps_week);

bx_time_t bx_time_add(bx_time_t t, double dt_s);
double bx_time_diff(bx_time_t a, bx_time_t b); /* a - b, s */
int bx_time_cmp(bx_time_t a, bx_time_t b);     /* -1, 0, +1 */

/* GPST <-> BDT (±14 s). */
bx_time_t bx_time_gpst_to_bdt(bx_time_t gpst);
bx_time_t bx_time_bdt_to_gpst(bx_time_t bdt);

/* BDT <-> UTC with leap_s = BDT - UTC in seconds (broadcast Δt_LS, or
 * bx_time_leap_bdt_utc_s()). */
bx_time_t bx_time_bdt_to_utc(bx_time_t bdt, int leap_s);
bx_time_t bx_time_utc_to_bdt(bx_time_t utc, int leap_s);

/* BDT - UTC from the built-in table of leap seconds since 2006 (IERS Bulletin C
 * announcements: 2009-01-01, 2012-07-01, 2015-07-01, 2017-01-01; valid until
 * the next leap second is announced — prefer the broadcast Δt_LS).  `utc` is a
 * UTC value.  Returns 0..4. */
int bx_time_leap_bdt_utc_s(bx_time_t utc);

/* Civil date/time in the time's own scale.  bx_time_from_civil accepts any
 * s (including >= 60 or fractional) and out-of-range h/mi, which are carried. */
bx_time_t bx_time_from_civil(int y, int mo, int d, int h, int mi, double s);
void bx_time_to_civil(bx_time_t t, int *y, int *mo, int *d, int *h, int *mi, double *s);

/* Day of year 1..366 and seconds of that day. */
int bx_time_doy(bx_time_t t, double *sod_s);

/* Modified Julian Date (days, fractional) of the time in its own scale. */
double bx_time_to_mjd(bx_time_t t);

/* "YYYY-MM-DD hh:mm:ss.sssssssss" (nine decimals); returns buf. */
char *bx_time_str(bx_time_t t, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
