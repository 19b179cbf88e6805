/* The RINEX navigation file of `bdsrx run` and `bdsrx live` (--rinex-nav): the ephemerides the
 * receiver decoded, written at the end.  A regular file is written through PATH.tmp and a
 * rename, so it is either complete or absent; anything else that exists (a pipe, a device such
 * as /dev/stdout) is written in place - renaming over it would replace the device node.  A
 * failed write is reported. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bdsrx/rinex_nav.h"
#include "cli.h"

int cli_write_rinex_nav(const char *path, const bx_nav_t *nav, const char *prog)
{
    struct stat st;
    const int in_place = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s%s", path, in_place ? "" : ".tmp") >= (int)sizeof tmp) {
        fprintf(stderr, "%s: %s: path too long\n", prog, path);
        return 1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, tmp, strerror(errno));
        return 1;
    }
    int bad = bx_rinex_nav_write(f, nav) != BX_OK;
    bad |= fflush(f) != 0;
    bad |= fclose(f) != 0;
    if (bad || (!in_place && rename(tmp, path) != 0)) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, bad ? "write failed (disk full?)" : strerror(errno));
        if (!in_place)
            remove(tmp);
        return 1;
    }
    return 0;
}
