/*
 * Start hints (include/bdsrx/starthint.h): UTC strings -> BDT against the
 * leap seconds since the BDT epoch 2006-01-01 (IERS: 2008-12-31, 2012-06-30,
 * 2015-06-30, 2016-12-31, so BDT - UTC = 1 s in 2010, 4 s since 2017), capture times from SigMF / .tag sidecars written here, and
 * the navigation cache round trip in a temporary $XDG_CACHE_HOME (never the
 * user's cache).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bdsrx/orbit.h"
#include "bdsrx/simscen.h"
#include "bdsrx/starthint.h"
#include "bdsrx/time.h"
#include "testutil.h"

static void test_parse_utc(void **state)
{
    (void)state;
    bx_time_t t;
    /* 2023: BDT = UTC + 4 s */
    assert_int_equal(bx_hint_parse_utc("2023-03-12 04:06:59", &t), BX_OK);
    assert_true(fabs(bx_time_diff(t, bx_time_from_civil(2023, 3, 12, 4, 7, 3))) < 1e-9);
    assert_int_equal(bx_hint_parse_utc("2023-03-12T04:06:59.250Z", &t), BX_OK);
    assert_true(fabs(bx_time_diff(t, bx_time_from_civil(2023, 3, 12, 4, 7, 3.25))) < 1e-9);
    assert_int_equal(bx_hint_parse_utc("2021/12/02 08:47:00.000", &t), BX_OK);
    assert_true(fabs(bx_time_diff(t, bx_time_from_civil(2021, 12, 2, 8, 47, 4))) < 1e-9);
    /* 2010: 1 s (the leap second of 2008-12-31) */
    assert_int_equal(bx_hint_parse_utc("2010-06-01 00:00:00", &t), BX_OK);
    assert_true(fabs(bx_time_diff(t, bx_time_from_civil(2010, 6, 1, 0, 0, 1))) < 1e-9);
    assert_int_equal(bx_hint_parse_utc("2023-13-12 04:06:59", &t), BX_ERR_ARG);
    assert_int_equal(bx_hint_parse_utc("2023-03-12", &t), BX_ERR_ARG);
    assert_int_equal(bx_hint_parse_utc("2023-03/12 04:06:59", &t), BX_ERR_ARG);
    assert_int_equal(bx_hint_parse_utc("2023-03-12 04:06:59 junk", &t), BX_ERR_ARG);
}

static char tmpdir[64];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_capture_time(void **state)
{
    (void)state;
    char data[256], side[300], src[160], err[256];
    bx_time_t t;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bdsrx-hint-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    /* SigMF: NAME.sigmf-data + NAME.sigmf-meta */
    snprintf(data, sizeof data, "%s/a.sigmf-data", tmpdir);
    write_file(data, "");
    snprintf(side, sizeof side, "%s/a.sigmf-meta", tmpdir);
    write_file(side, "{\"global\":{\"core:datatype\":\"ci8\",\"core:sample_rate\":4000000},"
                     "\"captures\":[{\"core:sample_start\":0,\"core:datetime\":\"2023-03-12T04:06:59.500000Z\"}],"
                     "\"annotations\":[]}");
    assert_int_equal(bx_hint_capture_time(data, &t, src, sizeof src, err, sizeof err), 1);
    assert_true(fabs(bx_time_diff(t, bx_time_from_civil(2023, 3, 12, 4, 7, 3.5))) < 1e-9);
    assert_non_null(strstr(src, "core:datetime"));
    /* PocketSDR .tag */
    snprintf(data, sizeof data, "%s/L1.bin", tmpdir);
    write_file(data, "");
    snprintf(side, sizeof side, "%s/L1.bin.tag", tmpdir);
    write_file(side, "PROG = pocket_dump\nTIME = 2021/12/02 08:47:00.000\nFMT  = INT8X2\nF_S  = 4.000000\n");
    assert_int_equal(bx_hint_capture_time(data, &t, src, sizeof src, err, sizeof err), 1);
    assert_true(fabs(bx_time_diff(t, bx_time_from_civil(2021, 12, 2, 8, 47, 4))) < 1e-9);
    /* no sidecar */
    snprintf(data, sizeof data, "%s/none.bin", tmpdir);
    assert_int_equal(bx_hint_capture_time(data, &t, src, sizeof src, err, sizeof err), 0);
}

static void test_navcache(void **state)
{
    (void)state;
    char dir[4096], err[256], cache[128];
    snprintf(cache, sizeof cache, "%s/xdg", tmpdir);
    setenv("XDG_CACHE_HOME", cache, 1);
    assert_int_equal(bx_navcache_dir(dir, sizeof dir), BX_OK);
    char expect[256];
    snprintf(expect, sizeof expect, "%s/bdsrx", cache);
    assert_string_equal(dir, expect);
    /* empty cache */
    bx_nav_t nav;
    bx_nav_init(&nav);
    int have = -1;
    double pos[3];
    assert_int_equal(bx_navcache_load(dir, &nav, pos, &have, err, sizeof err), 0);
    assert_int_equal(have, 0);
    /* six hours of the synthetic constellation: 6 t_oe per PRN, 4 kept */
    bx_nav_t src;
    bx_nav_init(&src);
    for (int h = 0; h < 6; h++)
        assert_int_equal(bx_simscen_constellation(&src, bx_time_from_civil(2023, 3, 12, 4 + h, 30, 0)), BX_OK);
    const double p0[3] = {-2263484.204, 5013063.144, 3218282.118};
    assert_int_equal(bx_navcache_save(dir, &src, p0, err, sizeof err), BX_OK);
    int n = bx_navcache_load(dir, &nav, pos, &have, err, sizeof err);
    printf("NOTE: %d ephemerides saved, %d loaded\n", src.n_eph, n);
    assert_int_equal(n, 24 * BX_NAVCACHE_PER_PRN);
    assert_int_equal(have, 1);
    for (int i = 0; i < 3; i++)
        assert_true(fabs(pos[i] - p0[i]) < 1e-3);
    /* the newest ephemeris of each PRN survives, equal to the source */
    const bx_time_t t = bx_time_from_civil(2023, 3, 12, 9, 30, 0);
    for (int prn = 19; prn <= 46; prn++) {
        const bx_eph_t *a = bx_nav_select(&src, prn, t), *b = bx_nav_select(&nav, prn, t);
        if (!a)
            continue;
        assert_non_null(b);
        double pa[3], pb[3], v[3], c1, c2, d;
        bx_satpos(a, t, pa, v, &c1, &d);
        bx_satpos(b, t, pb, v, &c2, &d);
        assert_true(fabs(pa[0] - pb[0]) + fabs(pa[1] - pb[1]) + fabs(pa[2] - pb[2]) < 0.01);
        assert_true(fabs(c1 - c2) < 1e-12);
    }
    bx_nav_destroy(&nav);
    bx_nav_destroy(&src);
    assert_int_equal(tu_rmtree(tmpdir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_utc),
        cmocka_unit_test(test_capture_time),
        cmocka_unit_test(test_navcache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
