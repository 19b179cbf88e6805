/* Track files (nav/fmt/track.c, tools/bdsrx-track.c) read back by programs that are not ours:
 * gpsbabel (Debian) reads our GPX and KML and must give back every valid fix (latitude,
 * longitude to 1e-6 deg, height above MSL to 0.1 m, GPX time to the second) and nothing of the
 * invalid epoch; the GeoJSON is parsed with jansson and checked against RFC 7946 (lon, lat,
 * ellipsoidal height order; MultiLineString split at the invalid epoch).  gpsbabel checks skip
 * with a message when it is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bdsrx/time.h"
#include "bdsrx/track.h"
#include "testutil.h"

#define D2R (M_PI / 180.0)
#define NPT 7
#define BAD 3 /* this epoch fails RAIM: not drawn, splits the track */

static void make_sol(bx_sol_t *s, int i)
{
    memset(s, 0, sizeof *s);
    s->time = s->rx_time = bx_time_from_civil(2026, 3, 1, 12, 0, 4.0 + i); /* BDT; UTC = 12:00:00 + i */
    s->leap_s = 4;
    s->fix = BX_FIX_SPP;
    s->llh[0] = (30.5 + 1e-4 * i) * D2R;
    s->llh[1] = (114.3 - 2e-4 * i) * D2R;
    s->llh[2] = 50.0 + i;
    s->geoid_sep_m = -14.6;
    s->n_used = 8;
    s->hdop = 0.9;
    s->flags = BX_SOLF_GEOID | (i == BAD ? BX_SOLF_RAIM_FAIL : BX_SOLF_RAIM_OK);
}

static void write_all(const char *path)
{
    char err[256];
    bx_track_t *t = NULL;
    assert_int_equal(bx_track_create(path, BX_TRACK_AUTO, &t, err, sizeof err), 0);
    for (int i = 0; i < NPT; i++) {
        bx_sol_t s;
        make_sol(&s, i);
        assert_int_equal(bx_track_add(t, &s), 0);
    }
    assert_int_equal(bx_track_points(t), NPT - 1);
    assert_int_equal(bx_track_finish(t, err, sizeof err), 0);
    bx_track_destroy(t);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0); /* renamed into place */
}

static void check_gpsbabel(const char *fmt, const char *path, int with_time)
{
    tu_result_t r = {0};
    const char *argv[] = {"/usr/bin/gpsbabel", "-t", "-i", fmt, "-f", path, "-o", "unicsv", "-F", "-", NULL};
    if (access(argv[0], X_OK) != 0) {
        printf("SKIP: gpsbabel not installed (Debian gpsbabel); %s not checked with it\n", fmt);
        return;
    }
    assert_int_equal(tu_run(&r, argv, NULL), 0);
    /* header, then "No,Latitude,Longitude,Altitude,..." rows */
    char *line = strtok(r.out, "\n");
    int n = 0;
    while ((line = strtok(NULL, "\n"))) {
        int no, hh, mm;
        double lat, lon, alt, ss;
        assert_true(sscanf(line, "%d,%lf,%lf,%lf", &no, &lat, &lon, &alt) == 4);
        const int i = n < BAD ? n : n + 1; /* the invalid epoch is absent */
        assert_float_equal(lat, 30.5 + 1e-4 * i, 1e-6);
        assert_float_equal(lon, 114.3 - 2e-4 * i, 1e-6);
        assert_float_equal(alt, 50.0 + i + 14.6, 0.1);
        if (with_time) {
            const char *tm = strrchr(line, ',');
            assert_non_null(tm);
            assert_int_equal(sscanf(tm + 1, "%d:%d:%lf", &hh, &mm, &ss), 3);
            assert_int_equal(hh * 3600 + mm * 60 + (int)lround(ss), 12 * 3600 + i);
        }
        n++;
    }
    printf("NOTE: gpsbabel read %d points from %s\n", n, path);
    assert_int_equal(n, NPT - 1);
    tu_result_free(&r);
}

static void test_gpx_kml(void **state)
{
    (void)state;
    char gpx[] = "/tmp/bdsrx_trk_XXXXXX.gpx", kml[] = "/tmp/bdsrx_trk_XXXXXX.kml";
    close(mkstemps(gpx, 4));
    close(mkstemps(kml, 4));
    write_all(gpx);
    write_all(kml);
    check_gpsbabel("gpx", gpx, 1);
    check_gpsbabel("kml", kml, 0);
    remove(gpx);
    remove(kml);
}

static void test_geojson(void **state)
{
    (void)state;
    char path[] = "/tmp/bdsrx_trk_XXXXXX.geojson";
    close(mkstemps(path, 8));
    write_all(path);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "FeatureCollection");
    json_t *f = json_array_get(json_object_get(j, "features"), 0);
    json_t *g = json_object_get(f, "geometry");
    assert_string_equal(json_string_value(json_object_get(g, "type")), "MultiLineString");
    json_t *c = json_object_get(g, "coordinates");
    json_t *times = json_object_get(json_object_get(f, "properties"), "time_utc");
    assert_int_equal(json_array_size(c), 2); /* split at the invalid epoch */
    assert_int_equal(json_array_size(json_array_get(c, 0)), BAD);
    assert_int_equal(json_array_size(json_array_get(c, 1)), NPT - 1 - BAD);
    for (int seg = 0, i = 0; seg < 2; seg++) {
        json_t *line = json_array_get(c, (size_t)seg);
        for (size_t k = 0; k < json_array_size(line); k++, i++) {
            if (i == BAD)
                i++;
            json_t *p = json_array_get(line, k);
            assert_float_equal(json_real_value(json_array_get(p, 0)), 114.3 - 2e-4 * i, 1e-9);
            assert_float_equal(json_real_value(json_array_get(p, 1)), 30.5 + 1e-4 * i, 1e-9);
            assert_float_equal(json_real_value(json_array_get(p, 2)), 50.0 + i, 1e-3); /* ellipsoidal */
            char want[40];
            snprintf(want, sizeof want, "2026-03-01T12:00:%06.3fZ", (double)i);
            assert_string_equal(json_string_value(json_array_get(json_array_get(times, (size_t)seg), k)), want);
        }
    }
    json_decref(j);
    remove(path);
}

static void test_errors(void **state)
{
    (void)state;
    char err[256];
    bx_track_t *t = NULL;
    assert_int_equal(bx_track_create("/tmp/x.txt", BX_TRACK_AUTO, &t, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, ".kml"));
    assert_int_equal(bx_track_create("/nonexistent-dir/x.kml", BX_TRACK_AUTO, &t, err, sizeof err), BX_ERR_IO);
    assert_null(t);
    /* a device is written in place (never renamed over) and a failed write is reported */
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(bx_track_create("/dev/full", BX_TRACK_GPX, &t, err, sizeof err), 0);
        for (int i = 0; i < 2000; i++) {
            bx_sol_t s;
            make_sol(&s, i % NPT);
            bx_track_add(t, &s);
        }
        assert_int_equal(bx_track_finish(t, err, sizeof err), BX_ERR_IO);
        assert_non_null(strstr(err, "write failed"));
        bx_track_destroy(t);
        struct stat st;
        assert_int_equal(stat("/dev/full", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }
    /* the tool: a JSON line file in, all three formats out */
    char bin[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx-track")) {
        printf("SKIP: bin/bdsrx-track not built\n");
        return;
    }
    char in[] = "/tmp/bdsrx_fix_XXXXXX.jsonl";
    FILE *f = fdopen(mkstemps(in, 6), "w");
    fputs("{\"bdt_week\":1000,\"bdt_sow\":3604.0,\"utc\":\"2025-03-02T01:00:00.000Z\",\"fix\":\"spp\","
          "\"lat_deg\":30.5,\"lon_deg\":114.3,\"h_m\":50.0,\"n_used\":7,\"hdop\":1.1}\n"
          "not json\n",
          f);
    fclose(f);
    char out[600];
    snprintf(out, sizeof out, "%s.gpx", in);
    tu_result_t r = {0};
    assert_int_equal(tu_runl(&r, NULL, bin, in, "-o", out, NULL), 0);
    assert_non_null(strstr(r.err, "1 points"));
    assert_non_null(strstr(r.err, "not a bdsrx solution line"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, NULL, bin, in, "-o", "/tmp/x.png", NULL), 2);
    tu_result_free(&r);
    remove(in);
    remove(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpx_kml),
        cmocka_unit_test(test_geojson),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
