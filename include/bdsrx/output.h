/*
 * bdsrx — solution output: NMEA 0183 sentences and JSON lines.
 *
 * NMEA (nav/fmt/nmea.c), NMEA 0183 v4.11 layout:
 *   GGA  time, position, quality (1 = autonomous fix, 4 = RTK fixed, 5 = RTK float, 0 = none),
 *        satellites used, HDOP,
 *        altitude above mean sea level and geoid separation N from the solution's geoid
 *        (BX_SOLF_GEOID, EGM96 via include/bdsrx/geoid.h); without a geoid the altitude field
 *        holds the ellipsoidal height and N is left empty (not 0: unknown).
 *   RMC  time, status A/V, position, speed (knots), course (deg true), date, mode A/N.
 *   GSA  mode A, fix 1/3, up to 12 PRNs used, PDOP/HDOP/VDOP, system ID 4 (BeiDou, NMEA 4.11).
 *   GSV  satellites with known elevation: PRN, elevation, azimuth, C/N0; always talker GB
 *        (GSV lists one system); no signal-ID field (NMEA 4.10 signal IDs are not used).
 *        PRNs 33..63 come first (gpsd 3.22 takes them for SBAS outside a set's first sentence).
 * Talker: "GB" for BeiDou-only sentences (the receiver is BDS-only), "GN" for combined
 * ones; pass NULL for "GB".  Times are UTC (BDT - sol->leap_s).  BDS PRNs are written as
 * 1..63.  Each sentence ends in "*hh\r\n" with hh the XOR checksum of the characters
 * between '$' and '*'.
 *
 * JSON lines (nav/fmt/sol_json.c): one object per line, see bx_sol_json_write.
 *
 * Threads: pure formatting functions (the FILE * is the caller's): any thread.
 */
#ifndef BDSRX_OUTPUT_H
#define BDSRX_OUTPUT_H

#include <stdio.h>

#include "bdsrx/pvt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* XOR of the characters after a leading '$' (if any) up to '*' or the end. */
unsigned bx_nmea_checksum(const char *sentence);

/* Each writes one complete sentence with "*hh\r\n" into buf and returns its
 * length, or BX_ERR_ARG if buf is too small (82 characters plus CR LF is
 * the NMEA maximum; 100 is always enough). */
int bx_nmea_gga(const bx_sol_t *s, const char *talker, char *buf, size_t n);
int bx_nmea_rmc(const bx_sol_t *s, const char *talker, char *buf, size_t n);
int bx_nmea_gsa(const bx_sol_t *s, const char *talker, char *buf, size_t n);
/* All GSV sentences of the epoch (several lines); returns total length. */
int bx_nmea_gsv(const bx_sol_t *s, char *buf, size_t n);

/* GGA, RMC, GSA, GSV of one epoch to f.  Returns BX_OK or BX_ERR_IO. */
int bx_nmea_write(FILE *f, const bx_sol_t *s, const char *talker);

/* One JSON object (single line, '\n'-terminated) per solution:
 *   {"bdt_week":857,"bdt_sow":295186.000,"utc":"2022-06-08T09:59:42.000Z","fix":"spp"|"none"|"float"|"fixed",
 *    "reason":"...","mode":"b1c"|"b2a"|"if"|"rtk","lat_deg":..,"lon_deg":..,"h_m":..,
 *    "h_msl_m":..,"geoid_sep_m":.. (with a geoid), "ecef_m":[x,y,z],"vel_ecef_mps":[..]|null,"vel_enu_mps":[..]|null,"clk_bias_m":..,
 *    "clk_drift_mps":..|null,"gdop":..,"pdop":..,"hdop":..,"vdop":..,"tdop":..,
 *    "n_used":..,"n_excl":..,"raim":"ok"|"excluded"|"failed"|"n/a"|"off","chi2":..,
 *    "chi2_thres":..,"sigma0":..,"flags":["iono_bdgim",...],
 *    "sats":[{"prn":20,"status":"used"|"noeph"|"noobs"|"elmask"|"raim"|"badpos","el_deg":..,
 *             "az_deg":..,"cn0_dbhz":..|null,"res_m":..,"sigma_m":..,"res_mps":..|null},...]}
 * Position fields are null when there is no fix.  Returns BX_OK or BX_ERR_IO. */
int bx_sol_json_write(FILE *f, const bx_sol_t *s);

#ifdef __cplusplus
}
#endif
#endif
