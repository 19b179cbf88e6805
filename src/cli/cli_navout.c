/* The RINEX navigation file of `bdsrx run` and `bdsrx live` (--rinex-nav): the ephemerides the
 * receiver decoded (RINEX 4, or RINEX 3.04 with --rinex-nav-version 3), written at the end as a final file (src/io/recio.h: PATH.tmp + rename, so it
 * is complete or absent; devices and pipes in place); a failed write is reported. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/rinex_nav.h"
#include "cli.h"
#include "recio.h"

int cli_fn_nav_clock(const char *arg, void *value, char *err, size_t errlen)
{
    int *sig = value;
    if (!strcasecmp(arg, "b3i"))
        *sig = BX_RINEX3_CLOCK_B3I;
    else if (!strcasecmp(arg, "b1c"))
        *sig = BX_SIG_B1C;
    else if (!strcasecmp(arg, "b2a"))
        *sig = BX_SIG_B2A;
    else {
        snprintf(err, errlen, "'%s' is not b3i, b1c or b2a", arg);
        return -1;
    }
    return 0;
}

int cli_write_rinex_nav(const char *path, const bx_nav_t *nav, int version, int clock_sig, const char *prog,
                        bx_ephfit_stats_t *fit)
{
    char tmp[4096];
    if (fit)
        memset(fit, 0, sizeof *fit);
    FILE *f = NULL;
    int e = bx_final_open(path, tmp, sizeof tmp, &f);
    if (e) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(e));
        return 1;
    }
    const int ok = (version == 3 ? bx_rinex_nav_write3(f, nav, clock_sig, fit) : bx_rinex_nav_write(f, nav)) == BX_OK;
    e = bx_final_commit(f, tmp, path, ok);
    if (!ok || e) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, e ? strerror(e) : "write failed (disk full?)");
        return 1;
    }
    return 0;
}
