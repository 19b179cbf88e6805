/* bdsrx command-line subcommands.  Each lives in its own src/cli_<name>.c and
 * is a thin main over the library: parse flags, call the library, print.
 * Every subcommand prints its help for -h/--help and returns 0 on success,
 * 1 on a runtime error, 2 on a usage error. */
#ifndef BDSRX_CLI_H
#define BDSRX_CLI_H

int cli_code(int argc, char **argv);
int cli_acquire(int argc, char **argv);
int cli_track(int argc, char **argv);
int cli_nav_decode(int argc, char **argv);
int cli_b2b_eval(int argc, char **argv);
int cli_ppp(int argc, char **argv);
int cli_pvt(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_live(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_rtcm_decode(int argc, char **argv);
int cli_rtk(int argc, char **argv);

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/eph.h"
#include "bdsrx/ephfit.h"

/* --rinex-nav of run and live (src/cli/cli_navout.c): the decoded ephemerides as RINEX 4, or as
 * RINEX 3.04 legacy records (version 3, bx_rinex_nav_write3: CNAV fitted to D1) for readers
 * without RINEX 4, written through PATH.tmp + rename; 0 ok, 1 error (printed with prog).  fit (may
 * be NULL): the worst fit errors of version 3 (zeroed for version 4). */
int cli_write_rinex_nav(const char *path, const bx_nav_t *nav, int version, int clock_sig, const char *prog,
                        bx_ephfit_stats_t *fit);
/* --rinex-nav-clock b3i|b1c|b2a into *(int *)value (BX_RINEX3_CLOCK_B3I, BX_SIG_B1C, BX_SIG_B2A). */
int cli_fn_nav_clock(const char *arg, void *value, char *err, size_t errlen);
#define CLI_RINEX_NAV_CLOCK_HELP                                                                     \
    "clock of the RINEX 3 records: b3i (default, the broadcast clock, standard);\n"                   \
    "b1c or b2a: a0 - T_GD of that pilot, for readers that cannot apply the B1C/B2a\n"               \
    "group delay from RINEX 3 (RTKLIB 2.4.3 B1C SPP: 9 m -> 1 m); wrong for B1I/B3I"
/* bdsrx nav-convert (src/cli/cli_navconv.c). */
int cli_nav_convert(int argc, char **argv);
/* Help text of --rinex-nav-version (run, live, nav-convert). */
#define CLI_RINEX_NAV_VERSION_HELP                                                                   \
    "3: RINEX 3.04 with BDS legacy (D1/D2) records, read by RTKLIB 2.4.3 and\n"                       \
    "georinex: B-CNAV orbits least-squares fitted to the legacy parameters\n"                          \
    "(3-D error <= 0.2 m within toe +-1 h, stated in the header), TGD1/TGD2 0;\n"                     \
    "4 (default): RINEX 4.00 CNV1/CNV2/CNV3 records, exact"

/* The EGM96 geoid for heights above MSL (src/cli/cli_geoid.c); NULL (with a note on stderr unless
 * quiet) when the grid is not installed.  bx_geoid_destroy it after the receiver. */
struct bx_geoid *cli_geoid(const char *prog, int quiet);
/* "B1C" / "B2a" (any case) -> BX_SIG_*; -1 if neither. */
int cli_parse_signal(const char *s, int *sig);
/* Signal whose carrier lies within 20 MHz of a centre frequency (a sidecar's core:frequency):
 * 0 and *sig set, -1 when fc_hz is unset (0/NaN) or near neither B1C nor B2a. */
int cli_signal_from_fc(double fc_hz, int *sig);
/* PRN list "1-63", "19,20", "19-46,59" -> bit p set for PRN p; -1 on a bad list. */
int cli_parse_prns(const char *s, uint64_t *mask);
/* FFTW wisdom file for acquisition plans (src/cli/cli_wisdom.c): BDSRX_WISDOM, else the user's
 * cache directory; NULL when turned off or unavailable.  buf holds the path. */
const char *cli_wisdom_path(char *buf, size_t n);

/* The capture flags of sample-reading programs (src/cli/cli_iqflags.c): if `flag` is one of
 * --format, --fs, --fc, --if, parses `value` into p and returns 1 (the caller skips the value);
 * returns 0 for any other flag; BX_ERR_ARG when value is NULL or malformed (the caller reports
 * "bad value for --fs" etc.).  Frequencies accept a plain number or a k/M/G suffix ("4.092M"). */
#include "bdsrx/iq.h"
int cli_iq_parse_flag(bx_iq_params_t *p, const char *flag, const char *value);
/* Usage text for those flags (lines starting with two spaces, ending with a newline). */
const char *cli_iq_flag_help(void);

#endif
