/* Navigation cache: ephemerides and last position between runs
 * (include/bdsrx/starthint.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/starthint.h"
#include "bdsrx/time.h"

int bx_navcache_dir(char *buf, size_t len)
{
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (x && x[0] == '/') /* the XDG base directory spec ignores relative paths */
        snprintf(buf, len, "%s/bdsrx", x);
    else if (h && h[0])
        snprintf(buf, len, "%s/.cache/bdsrx", h);
    else
        return BX_ERR_ARG;
    return BX_OK;
}

static int mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int bx_navcache_load(const char *dir, bx_nav_t *nav, double pos_m[3], int *have_pos, char *err, size_t errlen)
{
    char path[4096];
    struct stat st;
    int n = 0;
    if (have_pos)
        *have_pos = 0;
    snprintf(path, sizeof path, "%s/nav.rnx", dir);
    if (stat(path, &st) == 0) {
        bx_nav_t tmp;
        bx_nav_init(&tmp);
        if (bx_rinex_nav_read(path, &tmp, err, errlen) != BX_OK) {
            bx_nav_destroy(&tmp);
            return BX_ERR_IO;
        }
        for (int i = 0; i < tmp.n_eph; i++)
            if (bx_nav_add(nav, &tmp.eph[i]) == BX_OK)
                n++;
        if (tmp.iono.valid && !nav->iono.valid)
            nav->iono = tmp.iono;
        if (tmp.utc.valid && !nav->utc.valid)
            nav->utc = tmp.utc;
        bx_nav_destroy(&tmp);
    }
    snprintf(path, sizeof path, "%s/position.txt", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        double p[3];
        char line[256];
        while (fgets(line, sizeof line, f))
            if (line[0] != '#' && sscanf(line, "%lf %lf %lf", &p[0], &p[1], &p[2]) == 3) {
                if (pos_m)
                    memcpy(pos_m, p, sizeof p);
                if (have_pos)
                    *have_pos = 1;
                break;
            }
        fclose(f);
    }
    return n;
}

/* keeps per PRN and source the newest BX_NAVCACHE_PER_PRN t_oe */
static void prune(bx_nav_t *nav)
{
    int w = 0;
    for (int i = 0; i < nav->n_eph; i++) {
        const bx_eph_t *e = &nav->eph[i];
        int newer = 0;
        for (int j = 0; j < nav->n_eph; j++)
            if (j != i && nav->eph[j].prn == e->prn && nav->eph[j].source == e->source &&
                (bx_time_diff(nav->eph[j].toe, e->toe) > 0 || (bx_time_diff(nav->eph[j].toe, e->toe) == 0 && j < i)))
                newer++;
        if (newer < BX_NAVCACHE_PER_PRN)
            nav->eph[w++] = *e;
    }
    nav->n_eph = w;
}

static int replace(const char *tmp, const char *path, char *err, size_t errlen)
{
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return BX_ERR_IO;
    }
    return BX_OK;
}

int bx_navcache_save(const char *dir, const bx_nav_t *nav, const double *pos_m, char *err, size_t errlen)
{
    if (mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return BX_ERR_IO;
    }
    char path[4096], tmp[4200];
    bx_nav_t all;
    bx_nav_init(&all);
    char e2[256];
    if (bx_navcache_load(dir, &all, NULL, NULL, e2, sizeof e2) < 0)
        all.n_eph = 0; /* an unreadable cache is replaced */
    for (int i = 0; i < nav->n_eph; i++)
        if (bx_nav_add(&all, &nav->eph[i]) != BX_OK) {
            bx_nav_destroy(&all);
            snprintf(err, errlen, "out of memory");
            return BX_ERR_NOMEM;
        }
    if (nav->iono.valid)
        all.iono = nav->iono;
    if (nav->utc.valid)
        all.utc = nav->utc;
    prune(&all);
    int rc = BX_OK;
    snprintf(path, sizeof path, "%s/nav.rnx", dir);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f || bx_rinex_nav_write(f, &all) != BX_OK || fclose(f) != 0) {
        snprintf(err, errlen, "cannot write %s", tmp);
        if (f)
            unlink(tmp);
        rc = BX_ERR_IO;
    } else {
        rc = replace(tmp, path, err, errlen);
    }
    bx_nav_destroy(&all);
    if (rc == BX_OK && pos_m) {
        snprintf(path, sizeof path, "%s/position.txt", dir);
        snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "# bdsrx: last position, ECEF x y z (m)\n%.3f %.3f %.3f\n", pos_m[0], pos_m[1],
                          pos_m[2]) < 0 ||
            fclose(f) != 0) {
            snprintf(err, errlen, "cannot write %s", tmp);
            rc = BX_ERR_IO;
        } else {
            rc = replace(tmp, path, err, errlen);
        }
    }
    return rc;
}
