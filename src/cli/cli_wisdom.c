/* The bdsrx commands' FFTW wisdom cache: acquisition plans are measured once
 * (FFTW_MEASURE, a few seconds the first time a size is met) and kept in
 * $XDG_CACHE_HOME/bdsrx/fftw-wisdom (default ~/.cache/...), so later runs
 * search ~25 % faster than with estimated plans (bench/README.md).
 * BDSRX_WISDOM=FILE puts it elsewhere; BDSRX_WISDOM=off (or empty) turns it
 * off: estimated plans, nothing written (the test suite runs that way). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int mkdir_p(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(dir, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

const char *cli_wisdom_path(char *buf, size_t n)
{
    const char *env = getenv("BDSRX_WISDOM");
    if (env)
        return (!*env || !strcmp(env, "off") || !strcmp(env, "0")) ? NULL
               : (snprintf(buf, n, "%s", env) < (int)n)             ? buf
                                                                    : NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int len;
    if (xdg && *xdg)
        len = snprintf(buf, n, "%s/bdsrx", xdg);
    else if (home && *home)
        len = snprintf(buf, n, "%s/.cache/bdsrx", home);
    else
        return NULL;
    if (len < 0 || (size_t)len + sizeof "/fftw-wisdom" > n || mkdir_p(buf) != 0)
        return NULL; /* no cache: estimated plans */
    strcat(buf, "/fftw-wisdom");
    return buf;
}
