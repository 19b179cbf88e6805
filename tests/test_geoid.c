/* Geoid undulation (nav/geo/geoid.c) against independent truth:
 * - published EGM96 figures: N = +17.16 m at 0N 0E, +13.61 m at the north pole, -29.53 m at the
 *   south pole, global minimum -106.99 m at 4.75N 78.75E (south of Sri Lanka) and maximum
 *   +85.39 m at 8.25S 147.25E (New Guinea) on the 15' grid (Lemoine et al., NASA/TP-1998-206861);
 * - PROJ's own reader of the same grid: `cs2cs EPSG:4979 EPSG:9707` (WGS 84 ellipsoidal height
 *   -> WGS 84 + EGM96 height) at pseudo-random points, when proj-bin is installed.
 * Skips with a message when no grid is installed (Debian package proj-data). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geoid.h"
#include "bdsrx/types.h"
#include "testutil.h"

#define D2R (M_PI / 180.0)

static bx_geoid_t *load_or_skip(void)
{
    char err[256];
    bx_geoid_t *g = NULL;
    if (bx_geoid_create(NULL, &g, err, sizeof err) != BX_OK) {
        printf("SKIP: %s\n", err);
        return NULL;
    }
    return g;
}

static void test_published_values(void **state)
{
    (void)state;
    bx_geoid_t *g = load_or_skip();
    if (!g)
        skip();
    assert_float_equal(bx_geoid_undulation_m(g, 0.0, 0.0), 17.16, 0.01);
    assert_float_equal(bx_geoid_undulation_m(g, 90.0 * D2R, 0.0), 13.61, 0.01);
    assert_float_equal(bx_geoid_undulation_m(g, -90.0 * D2R, 123.0 * D2R), -29.53, 0.01);
    assert_float_equal(bx_geoid_undulation_m(g, 4.75 * D2R, 78.75 * D2R), -106.99, 0.01);
    assert_float_equal(bx_geoid_undulation_m(g, -8.25 * D2R, 147.25 * D2R), 85.39, 0.01);
    /* longitude wraps: 180E == 180W, and 360 deg later is the same place */
    assert_float_equal(bx_geoid_undulation_m(g, 10 * D2R, 180 * D2R), bx_geoid_undulation_m(g, 10 * D2R, -180 * D2R),
                       1e-9);
    assert_float_equal(bx_geoid_undulation_m(g, -33 * D2R, 151.2 * D2R),
                       bx_geoid_undulation_m(g, -33 * D2R, (151.2 - 360) * D2R), 1e-6);
    assert_true(isnan(bx_geoid_undulation_m(g, NAN, 0)));
    bx_geoid_destroy(g);
}

static void test_against_proj(void **state)
{
    (void)state;
    bx_geoid_t *g = load_or_skip();
    if (!g)
        skip();
    if (!tu_have("cs2cs")) {
        printf("SKIP: cs2cs (Debian proj-bin) not installed; PROJ cross-check not run\n");
        bx_geoid_destroy(g);
        skip();
    }
    char in[] = "/tmp/bdsrx_geoid_XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    double lat[40], lon[40];
    unsigned s = 12345;
    for (int i = 0; i < 40; i++) {
        s = s * 1103515245u + 12345u;
        lat[i] = -85.0 + 170.0 * (s >> 8 & 0xffff) / 65535.0;
        s = s * 1103515245u + 12345u;
        lon[i] = -180.0 + 360.0 * (s >> 8 & 0xffff) / 65535.0;
        fprintf(f, "%.6f %.6f 0\n", lat[i], lon[i]);
    }
    fclose(f);
    const tu_opts_t opts = {.stdin_path = in};
    tu_result_t r;
    tu_runl(&r, &opts, "cs2cs", "-f", "%.4f", "EPSG:4979", "EPSG:9707", NULL);
    FILE *p = fmemopen(r.out_len ? r.out : (char *)"\n", r.out_len ? r.out_len : 1, "r"); /* lines of the output */
    assert_non_null(p);
    int n = 0;
    double worst = 0;
    char line[256];
    while (n < 40 && fgets(line, sizeof line, p)) {
        double a, b, h_msl;
        if (sscanf(line, "%lf %lf %lf", &a, &b, &h_msl) != 3)
            continue;
        /* h_ell = 0  ->  h_msl = -N */
        const double d = fabs(-h_msl - bx_geoid_undulation_m(g, lat[n] * D2R, lon[n] * D2R));
        worst = d > worst ? d : worst;
        n++;
    }
    fclose(p);
    tu_result_free(&r);
    remove(in);
    printf("NOTE: %d points against PROJ cs2cs EPSG:4979 -> EPSG:9707, worst difference %.4f m\n", n, worst);
    if (n == 0) {
        printf("SKIP: cs2cs gave no output (EGM96 grid not found by PROJ)\n");
        bx_geoid_destroy(g);
        skip();
    }
    assert_int_equal(n, 40);
    assert_true(worst < 0.002);
    bx_geoid_destroy(g);
}

static void test_bad_files(void **state)
{
    (void)state;
    char err[256];
    bx_geoid_t *g = (bx_geoid_t *)1;
    assert_int_equal(bx_geoid_create("/nonexistent/egm.gtx", &g, err, sizeof err), BX_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(err, "/nonexistent/egm.gtx"));
    char path[] = "/tmp/bdsrx_gtx_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    /* a header claiming 1e9 rows: refused before any allocation */
    unsigned char h[40] = {0};
    h[32] = 0x3b; h[33] = 0x9a; h[34] = 0xca; h[35] = 0x00; h[39] = 4;
    h[16] = 0x3f; h[17] = 0xd0; /* 0.25 */
    h[24] = 0x3f; h[25] = 0xd0;
    fwrite(h, 1, sizeof h, f);
    fclose(f);
    assert_int_equal(bx_geoid_create(path, &g, err, sizeof err), BX_ERR_FORMAT);
    /* a plausible header but no data: truncated */
    f = fopen(path, "wb");
    h[32] = 0; h[33] = 0; h[34] = 0; h[35] = 3;
    fwrite(h, 1, sizeof h, f);
    fclose(f);
    assert_int_equal(bx_geoid_create(path, &g, err, sizeof err), BX_ERR_FORMAT);
    assert_non_null(strstr(err, "truncated"));
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_values),
        cmocka_unit_test(test_against_proj),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
