/* RINEX clock reader, BeiDou "AS" records (include/bdsrx/rinex_clk.h). */
#include "bdsrx/rinex_clk.h"

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

static int grow(bx_rnxclk_t *c, int *cap)
{
    if (c->n_epoch < *cap)
        return 0;
    const int nc = *cap ? 2 * *cap : 256;
    bx_time_t *e = realloc(c->epoch, (size_t)nc * sizeof *e);
    if (!e)
        return -1;
    c->epoch = e;
    double *v = realloc(c->clk_s, (size_t)nc * NSLOT * sizeof *v);
    if (!v)
        return -1;
    c->clk_s = v;
    *cap = nc;
    return 0;
}

static int parse(FILE *f, const char *path, bx_rnxclk_t *c, char *err, size_t errlen)
{
    char line[512];
    long ln = 0;
    int in_hdr = 1, bdt = 0, cap = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (in_hdr) {
            if (strstr(line, "END OF HEADER"))
                in_hdr = 0;
            else if (strstr(line, "TIME SYSTEM ID")) {
                char ts[8] = "";
                sscanf(line, "%7s", ts);
                if (!strcmp(ts, "BDT") || !strcmp(ts, "BDS"))
                    bdt = 1;
                else if (strcmp(ts, "GPS"))
                    return fail(err, errlen, BX_ERR_UNSUPPORTED, "%s:%ld: time system %s (GPS or BDT only)", path,
                                ln, ts);
            }
            continue;
        }
        if (strncmp(line, "AS ", 3))
            continue;
        char name[16];
        int y, mo, d, h, mi, nv, prn;
        double s, v;
        if (sscanf(line + 3, "%15s %d %d %d %d %d %lf %d %lf", name, &y, &mo, &d, &h, &mi, &s, &nv, &v) != 9 ||
            nv < 1)
            return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: malformed AS record", path, ln);
        if (name[0] != 'C' || sscanf(name + 1, "%d", &prn) != 1 || prn < 1 || prn > BX_PRN_MAX)
            continue;
        bx_time_t t = bx_time_from_civil(y, mo, d, h, mi, s);
        if (!bdt)
            t = bx_time_gpst_to_bdt(t);
        const int n = c->n_epoch;
        if (!n || bx_time_diff(t, c->epoch[n - 1]) > 1e-6) {
            if (grow(c, &cap))
                return fail(err, errlen, BX_ERR_NOMEM, "%s: out of memory", path);
            c->epoch[n] = t;
            for (int k = 0; k < NSLOT; k++)
                c->clk_s[(size_t)n * NSLOT + k] = NAN;
            c->n_epoch++;
        } else if (bx_time_diff(t, c->epoch[n - 1]) < -1e-6) {
            return fail(err, errlen, BX_ERR_FORMAT, "%s:%ld: epochs not in increasing order", path, ln);
        }
        c->clk_s[(size_t)(c->n_epoch - 1) * NSLOT + prn] = v;
    }
    if (!c->n_epoch)
        return fail(err, errlen, BX_ERR_FORMAT, "%s: no BeiDou satellite clock records", path);
    return BX_OK;
}

int bx_rnxclk_read(const char *path, bx_rnxclk_t **out, char *err, size_t errlen)
{
    if (!out || !path)
        return fail(err, errlen, BX_ERR_ARG, "bx_rnxclk_read: bad arguments");
    *out = NULL;
    FILE *f = bx_gz_open(path);
    if (!f)
        return fail(err, errlen, BX_ERR_IO, "%s: cannot open", path);
    bx_rnxclk_t *c = calloc(1, sizeof *c);
    int st = c ? parse(f, path, c, err, errlen) : BX_ERR_NOMEM;
    if (fclose(f) != 0 && st == BX_OK)
        st = fail(err, errlen, BX_ERR_IO, "%s: corrupt or truncated gzip data", path);
    if (st) {
        bx_rnxclk_destroy(c);
        return st;
    }
    *out = c;
    return BX_OK;
}

void bx_rnxclk_destroy(bx_rnxclk_t *c)
{
    if (!c)
        return;
    free(c->epoch);
    free(c->clk_s);
    free(c);
}

int bx_rnxclk_interp(const bx_rnxclk_t *c, int prn, bx_time_t t, double max_gap_s, double *clk_s)
{
    if (!c || prn < 1 || prn > BX_PRN_MAX || !c->n_epoch)
        return BX_ERR_ARG;
    int lo = 0, hi = c->n_epoch - 1;
    if (bx_time_diff(t, c->epoch[0]) < -1e-9 || bx_time_diff(t, c->epoch[hi]) > 1e-9)
        return BX_ERR_ARG;
    while (hi - lo > 1) { /* epoch[lo] <= t <= epoch[hi] */
        const int mid = (lo + hi) / 2;
        if (bx_time_diff(t, c->epoch[mid]) >= 0)
            lo = mid;
        else
            hi = mid;
    }
    const double a = c->clk_s[(size_t)lo * NSLOT + prn], b = c->clk_s[(size_t)hi * NSLOT + prn];
    const double dt = bx_time_diff(c->epoch[hi], c->epoch[lo]), u = dt > 0 ? bx_time_diff(t, c->epoch[lo]) / dt : 0.0;
    if (fabs(u) < 1e-9 && !isnan(a)) {
        *clk_s = a;
        return BX_OK;
    }
    if (fabs(u - 1.0) < 1e-9 && !isnan(b)) {
        *clk_s = b;
        return BX_OK;
    }
    if (isnan(a) || isnan(b) || dt > max_gap_s)
        return BX_ERR_ARG;
    *clk_s = a + u * (b - a);
    return BX_OK;
}
