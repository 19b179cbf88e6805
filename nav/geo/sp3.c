/* SP3-c/d reader, BeiDou records (see include/bdsrx/sp3.h).
 * Line layouts (SP3-d §2): "#c"/"#d" first line, "%c" time system at columns
 * 10-12, epoch "*  yyyy mm dd hh mm ss.ssssssss", position "PCnn" + X Y Z (km,
 * F14.6) + clock (µs, F14.6) from column 5. */
#include "bdsrx/sp3.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/time.h"
#include "gzfile.h"

#define NSLOT (BX_PRN_MAX + 1)

static int fail(char *err, size_t n, int code, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return code;
}

void bx_sp3_destroy(bx_sp3_t *s)
{
    if (!s)
        return;
    free(s->epoch);
    free(s->pos_m);
    free(s->clk_s);
    free(s);
}

static int grow(bx_sp3_t *s, int *cap)
{
    const int c = *cap ? 2 * *cap : 128;
    bx_time_t *e = realloc(s->epoch, (size_t)c * sizeof *e);
    if (e)
        s->epoch = e;
    double(*p)[3] = realloc(s->pos_m, (size_t)c * NSLOT * sizeof *p);
    if (p)
        s->pos_m = p;
    double *k = realloc(s->clk_s, (size_t)c * NSLOT * sizeof *k);
    if (k)
        s->clk_s = k;
    if (!e || !p || !k)
        return BX_ERR_NOMEM;
    *cap = c;
    return BX_OK;
}

static int parse(FILE *f, const char *path, bx_sp3_t *s, char *err, size_t errlen)
{
    char line[256];
    long ln = 0;
    int cap = 0, gpst = -1;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (ln == 1) {
            if (line[0] != '#' || (line[1] != 'c' && line[1] != 'd'))
                return fail(err, errlen, BX_ERR_FORMAT, "%s:1: not an SP3-c/d file (expected '#c' or '#d')", path);
            if (strlen(line) > 46) /* a short header line has no coordinate system (issue 13) */
                sscanf(line + 46, "%5s", s->coord_sys);
            continue;
        }
        if (!strncmp(line, "%c", 2) && gpst < 0) {
            snprintf(s->time_sys, sizeof s->time_sys, "%.3s", strlen(line) > 9 ? line + 9 : "");
            if (!strcmp(s->time_sys, "GPS"))
                gpst = 1;
            else if (!strcmp(s->time_sys, "BDT"))
                gpst = 0;
            else
                return fail(err, errlen, BX_ERR_UNSUPPORTED,
                            "%s:%ld: time system '%s' not supported (GPS or BDT needed)", path, ln, s->time_sys);
        } else if (line[0] == '*') {
            int y, mo, d, h, mi;
            double sec;
            if (sscanf(line + 1, "%d %d %d %d %d %lf", &y, &mo, &d, &h, &mi, &sec) != 6 || y < 1980 || y > 2200 ||
                mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || !(sec >= 0.0 && sec < 61.0))
                return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: bad epoch line", path, ln);
            if (gpst < 0)
                return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: epoch before the '%%c' time-system line", path, ln);
            if (s->n_epoch == cap && grow(s, &cap))
                return fail(err, errlen, BX_ERR_NOMEM, "%s: out of memory", path);
            const bx_time_t t = bx_time_from_civil(y, mo, d, h, mi, sec);
            s->epoch[s->n_epoch] = gpst ? bx_time_gpst_to_bdt(t) : t;
            if (s->n_epoch > 0 && bx_time_cmp(s->epoch[s->n_epoch], s->epoch[s->n_epoch - 1]) <= 0)
                return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: epoch not after the previous one", path, ln);
            for (int k = 0; k < NSLOT; k++) {
                double *p = s->pos_m[(size_t)s->n_epoch * NSLOT + k];
                p[0] = p[1] = p[2] = NAN;
                s->clk_s[(size_t)s->n_epoch * NSLOT + k] = NAN;
            }
            s->n_epoch++;
        } else if (line[0] == 'P' && line[1] == 'C') {
            if (!s->n_epoch)
                return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: position record before the first epoch", path, ln);
            int prn;
            double x, y, z, c;
            if (strlen(line) < 5 || sscanf(line + 2, "%2d", &prn) != 1 || prn < 1 || prn > BX_PRN_MAX ||
                sscanf(line + 4, "%14lf%14lf%14lf%14lf", &x, &y, &z, &c) != 4 || !isfinite(x) || !isfinite(y) ||
                !isfinite(z) || !isfinite(c) || fabs(x) > 1e6 || fabs(y) > 1e6 || fabs(z) > 1e6)
                return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: bad position record (PCnn X Y Z clock)", path, ln);
            const size_t ix = (size_t)(s->n_epoch - 1) * NSLOT + prn;
            if (x != 0.0 || y != 0.0 || z != 0.0) {
                s->pos_m[ix][0] = x * 1e3;
                s->pos_m[ix][1] = y * 1e3;
                s->pos_m[ix][2] = z * 1e3;
            }
            if (c < 999999.0)
                s->clk_s[ix] = c * 1e-6;
        } else if (!strncmp(line, "EOF", 3)) {
            break;
        }
    }
    if (!s->n_epoch)
        return fail(err, errlen, BX_ERR_FORMAT, "%s: no epochs", path);
    return BX_OK;
}

int bx_sp3_read(const char *path, bx_sp3_t **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = bx_gz_open(path); /* plain or gzip (zlib: no shell, any file name) */
    if (!f)
        return fail(err, errlen, BX_ERR_IO, "%s: cannot open", path);
    bx_sp3_t *s = calloc(1, sizeof *s);
    int st = s ? parse(f, path, s, err, errlen) : BX_ERR_NOMEM;
    if (fclose(f) != 0 && st == BX_OK)
        st = fail(err, errlen, BX_ERR_IO, "%s: corrupt or truncated gzip data", path);
    if (st) {
        bx_sp3_destroy(s);
        return st;
    }
    *out = s;
    return BX_OK;
}

int bx_sp3_at(const bx_sp3_t *s, int prn, int i, double pos_m[3], double *clk_s)
{
    if (!s || prn < 1 || prn > BX_PRN_MAX || i < 0 || i >= s->n_epoch)
        return BX_ERR_ARG;
    const size_t ix = (size_t)i * NSLOT + prn;
    if (isnan(s->pos_m[ix][0]))
        return BX_ERR_ARG;
    if (pos_m)
        memcpy(pos_m, s->pos_m[ix], 3 * sizeof(double));
    if (clk_s)
        *clk_s = s->clk_s[ix];
    return BX_OK;
}

int bx_sp3_interp(const bx_sp3_t *s, int prn, bx_time_t t, int order, double pos_m[3], double *clk_s)
{
    if (!s || prn < 1 || prn > BX_PRN_MAX || order < 1 || order > 16 || s->n_epoch < order + 1)
        return BX_ERR_ARG;
    const double t0 = bx_time_diff(t, s->epoch[0]);
    const double span = bx_time_diff(s->epoch[s->n_epoch - 1], s->epoch[0]);
    if (!(t0 >= 0.0 && t0 <= span))
        return BX_ERR_ARG;
    /* the enclosing interval by bisection (no equal-spacing assumption: a file with repeated
     * or irregular epochs must not index out of bounds, issue 13) */
    int lo = 0, hi = s->n_epoch - 1;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (bx_time_diff(s->epoch[mid], t) <= 0.0)
            lo = mid;
        else
            hi = mid;
    }
    int k = lo;
    if (k > s->n_epoch - 2)
        k = s->n_epoch - 2;
    int i0 = k - order / 2;
    if (i0 < 0)
        i0 = 0;
    if (i0 + order >= s->n_epoch)
        i0 = s->n_epoch - 1 - order;
    double x[3] = {0, 0, 0};
    for (int i = i0; i <= i0 + order; i++) {
        const double *p = s->pos_m[(size_t)i * NSLOT + prn];
        if (isnan(p[0]))
            return BX_ERR_ARG;
        double w = 1.0;
        for (int j = i0; j <= i0 + order; j++)
            if (j != i) {
                const double d = bx_time_diff(s->epoch[i], s->epoch[j]);
                if (d == 0.0) /* repeated epoch: no Lagrange interpolation possible */
                    return BX_ERR_FORMAT;
                w *= bx_time_diff(t, s->epoch[j]) / d;
            }
        for (int c = 0; c < 3; c++)
            x[c] += w * p[c];
    }
    if (pos_m)
        memcpy(pos_m, x, sizeof x);
    if (clk_s) {
        const double c0 = s->clk_s[(size_t)k * NSLOT + prn], c1 = s->clk_s[(size_t)(k + 1) * NSLOT + prn];
        const double d = bx_time_diff(s->epoch[k + 1], s->epoch[k]);
        if (d == 0.0)
            return BX_ERR_FORMAT;
        *clk_s = c0 + (c1 - c0) * bx_time_diff(t, s->epoch[k]) / d;
    }
    return BX_OK;
}
