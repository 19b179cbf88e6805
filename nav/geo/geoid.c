/* Geoid undulation from a GTX grid (include/bdsrx/geoid.h): load once, bilinear lookup. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/geoid.h"
#include "bdsrx/types.h"

struct bx_geoid {
    double lat0_deg, lon0_deg, dlat_deg, dlon_deg;
    int rows, cols;
    int wraps;      /* the columns cover 360 deg: longitudes wrap around */
    float *n_m;     /* rows x cols, row 0 southernmost */
};

static int fail(char *err, size_t n, int st, const char *fmt, const char *a, const char *b)
{
    if (err && n)
        snprintf(err, n, fmt, a, b);
    return st;
}

static uint64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static double be_double(const unsigned char *p)
{
    uint64_t v = be64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

const char *bx_geoid_default_path(void)
{
    const char *e = getenv("BDSRX_GEOID");
    if (e && *e)
        return e;
    static const char *const paths[] = {"/usr/share/proj/egm96_15.gtx", "/usr/local/share/proj/egm96_15.gtx"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (access(paths[i], R_OK) == 0)
            return paths[i];
    return NULL;
}

int bx_geoid_create(const char *path, bx_geoid_t **out, char *err, size_t errlen)
{
    if (!out)
        return BX_ERR_ARG;
    *out = NULL;
    if (!path)
        path = bx_geoid_default_path();
    if (!path)
        return fail(err, errlen, BX_ERR_IO,
                    "no geoid grid: install Debian's proj-data (/usr/share/proj/egm96_15.gtx) or set BDSRX_GEOID%s%s",
                    "", "");
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, BX_ERR_IO, "%s: %s", path, strerror(errno));
    unsigned char h[40];
    bx_geoid_t *g = calloc(1, sizeof *g);
    int st = BX_ERR_FORMAT;
    if (!g) {
        st = BX_ERR_NOMEM;
        goto out;
    }
    if (fread(h, 1, sizeof h, f) != sizeof h) {
        fail(err, errlen, st, "%s: %s", path, "shorter than a GTX header (40 bytes)");
        goto out;
    }
    g->lat0_deg = be_double(h);
    g->lon0_deg = be_double(h + 8);
    g->dlat_deg = be_double(h + 16);
    g->dlon_deg = be_double(h + 24);
    const int32_t rows = (int32_t)be32(h + 32), cols = (int32_t)be32(h + 36);
    /* the header is outside input: check it before any size arithmetic */
    if (!(g->lat0_deg >= -90.0 && g->lat0_deg <= 90.0) || !(g->lon0_deg >= -360.0 && g->lon0_deg <= 360.0) ||
        !(g->dlat_deg > 1e-4 && g->dlat_deg <= 180.0) || !(g->dlon_deg > 1e-4 && g->dlon_deg <= 360.0) || rows < 2 ||
        cols < 2 || rows > 20000 || cols > 40000) {
        fail(err, errlen, st, "%s: %s", path, "not a GTX grid (header out of range)");
        goto out;
    }
    g->rows = rows;
    g->cols = cols;
    g->wraps = fabs(cols * g->dlon_deg - 360.0) < 1e-6 * 360.0;
    const size_t n = (size_t)rows * (size_t)cols;
    unsigned char *raw = malloc(n * 4);
    g->n_m = malloc(n * sizeof *g->n_m);
    if (!raw || !g->n_m) {
        free(raw);
        st = BX_ERR_NOMEM;
        goto out;
    }
    if (fread(raw, 4, n, f) != n) {
        free(raw);
        fail(err, errlen, st, "%s: %s", path, "truncated (fewer values than the header's rows x columns)");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = be32(raw + 4 * i);
        float x;
        memcpy(&x, &v, sizeof x);
        g->n_m[i] = x;
    }
    free(raw);
    st = BX_OK;
    *out = g;
    g = NULL;
out:
    fclose(f);
    bx_geoid_destroy(g);
    return st;
}

static double cell(const bx_geoid_t *g, int i, int j)
{
    if (g->wraps) {
        j %= g->cols;
        if (j < 0)
            j += g->cols;
    } else if (j >= g->cols) {
        j = g->cols - 1;
    }
    if (i >= g->rows)
        i = g->rows - 1;
    return g->n_m[(size_t)i * (size_t)g->cols + (size_t)j];
}

double bx_geoid_undulation_m(const bx_geoid_t *g, double lat_rad, double lon_rad)
{
    if (!g || !isfinite(lat_rad) || !isfinite(lon_rad))
        return NAN;
    const double lat = lat_rad * (180.0 / M_PI);
    double lon = fmod(lon_rad * (180.0 / M_PI) - g->lon0_deg, 360.0);
    if (lon < 0)
        lon += 360.0;
    double y = (lat - g->lat0_deg) / g->dlat_deg, x = lon / g->dlon_deg;
    if (y < 0)
        y = 0;
    if (y > g->rows - 1)
        y = g->rows - 1;
    if (!g->wraps && x > g->cols - 1)
        x = g->cols - 1;
    const int i = (int)floor(y), j = (int)floor(x);
    const double fy = y - i, fx = x - j;
    return (1 - fy) * ((1 - fx) * cell(g, i, j) + fx * cell(g, i, j + 1)) +
           fy * ((1 - fx) * cell(g, i + 1, j) + fx * cell(g, i + 1, j + 1));
}

void bx_geoid_destroy(bx_geoid_t *g)
{
    if (!g)
        return;
    free(g->n_m);
    free(g);
}
