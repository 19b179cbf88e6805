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
int cli_pvt(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_live(int argc, char **argv);
int cli_info(int argc, char **argv);

#include <stddef.h>
#include <stdint.h>
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

#endif
