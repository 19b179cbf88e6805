/* A discontinuity in the samples (two bdsrx-sim captures of different start
 * times joined into one file, the case of concatenated captures or a front end
 * that lost samples without saying so): the receiver detects that the decoded
 * time of week no longer fits its time scale, re-synchronises and fixes again
 * at the right place; no fix across the seam is reported as valid (JSON "spp",
 * GGA quality 1) unless it is right.  Also: bdsrx run with its outputs on
 * /dev/full or in a missing directory exits non-zero with the reason.
 * About 25 s on 2 cores (B2a at 12 Msps, 6 s + 12 s). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"

#define D2R (M_PI / 180.0)

static char g_bin[512], g_dir[64];
static int g_ready;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    const int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int setup(void **state)
{
    (void)state;
    const char *bindir = getenv("BDSRX_BIN");
    if (!realpath(bindir && *bindir ? bindir : "bin", g_bin)) {
        printf("SKIP: programs not built (bin/)\n");
        return 0;
    }
    char b[600];
    snprintf(b, sizeof b, "%s/bdsrx-sim", g_bin);
    if (access(b, X_OK) != 0) {
        printf("SKIP: %s not built\n", b);
        return 0;
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/bdsrx_seam_XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    /* capture A from 04:05:34, capture B 19 min 36 s later; the same sky model */
    if (sh("cd %s && '%s/bdsrx-sim' --out a --signals B2a --duration 6 --fs-b2a 12e6 --quiet --seed 1 --nav-out nav.rnx "
           "--start '2023-03-12 04:05:34' && '%s/bdsrx-sim' --out b --signals B2a --duration 12 --fs-b2a 12e6 --quiet "
           "--seed 2 --start '2023-03-12 04:25:10' && cat a_b2a.ci8 b_b2a.ci8 > ab_b2a.ci8 && rm b_b2a.ci8 && "
           "cp a_b2a.ci8.sigmf-meta ab_b2a.ci8.sigmf-meta",
           g_dir, g_bin, g_bin) != 0)
        return -1;
    g_ready = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_dir[0])
        sh("rm -rf '%s'", g_dir);
    return 0;
}

static double err_m(double lat_deg, double lon_deg, double h_m)
{
    const double t[3] = {30.5 * D2R, 114.3 * D2R, 50.0}, s[3] = {lat_deg * D2R, lon_deg * D2R, h_m};
    double a[3], b[3];
    bx_llh_to_ecef(t, a);
    bx_llh_to_ecef(s, b);
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

static void test_seam(void **state)
{
    (void)state;
    if (!g_ready)
        skip();
    const int rc = sh("cd %s && '%s/bdsrx' run ab_b2a.ci8 --nav nav.rnx --json=ab.json --nmea ab.nmea --quiet "
                      "> summary.txt 2>&1",
                      g_dir, g_bin);
    char path[256];
    snprintf(path, sizeof path, "%s/summary.txt", g_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[65536];
    int resync = 0;
    while (fgets(line, sizeof line, f))
        resync |= strstr(line, "time discontinuities in the samples: 1 ") != NULL;
    fclose(f);
    assert_int_equal(rc, 0);
    assert_true(resync);
    /* JSON: every valid fix right; fixes before and after the seam (B's time of week) */
    snprintf(path, sizeof path, "%s/ab.json", g_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    int before = 0, after = 0, none = 0;
    double worst = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        const double sow = json_real_value(json_object_get(o, "bdt_sow"));
        if (!strcmp(json_string_value(json_object_get(o, "fix")), "spp")) {
            const double e = err_m(json_real_value(json_object_get(o, "lat_deg")),
                                   json_real_value(json_object_get(o, "lon_deg")),
                                   json_real_value(json_object_get(o, "h_m")));
            worst = fmax(worst, e);
            if (sow < 15000)
                before++;
            else {
                /* B began at 04:25:10 BDT = sow 15910 and sits 6 s into the file */
                assert_true(sow > 15910 + 6 - 1);
                after++;
            }
        } else {
            none++;
        }
        json_decref(o);
    }
    fclose(f);
    printf("NOTE: seam: %d valid fixes before, %d after the seam, %d epochs without; worst error %.2f m\n", before,
           after, none, worst);
    assert_true(before >= 1);
    assert_true(after >= 3);
    assert_true(worst < 30.0);
    /* NMEA: every quality-1 GGA is right as well */
    snprintf(path, sizeof path, "%s/ab.nmea", g_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    int q1 = 0;
    while (fgets(line, sizeof line, f)) {
        double lat, lon, h;
        char ns, ew;
        int q;
        if (sscanf(line, "$GBGGA,%*[^,],%lf,%c,%lf,%c,%d,%*d,%*f,%lf", &lat, &ns, &lon, &ew, &q, &h) == 6 && q == 1) {
            const double la = floor(lat / 100) + fmod(lat, 100) / 60, lo = floor(lon / 100) + fmod(lon, 100) / 60;
            assert_true(err_m(ns == 'S' ? -la : la, ew == 'W' ? -lo : lo, h) < 30.0);
            q1++;
        }
    }
    fclose(f);
    assert_int_equal(q1, before + after);
}

/* Write errors of bdsrx run: a clear message and a non-zero exit status. */
static void test_run_write_errors(void **state)
{
    (void)state;
    if (!g_ready)
        skip();
    const char *cases[][2] = {
        {"--json=/dev/full", "JSON output: write failed: No space left on device"},
        {"--nmea /dev/full", "NMEA output: write failed: No space left on device"},
        {"--rinex-obs /dev/full", "RINEX observation output: write failed: No space left on device"},
        {"--rinex-nav /nonexistent/dir/nav.rnx", "cannot write /nonexistent/dir/nav.rnx"},
    };
    for (int i = 0; i < 4; i++) {
        const int rc = sh("cd %s && '%s/bdsrx' run a_b2a.ci8 --nav nav.rnx --quiet %s > out.txt 2> err.txt", g_dir,
                          g_bin, cases[i][0]);
        char path[256], err[4096] = "";
        snprintf(path, sizeof path, "%s/err.txt", g_dir);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        err[fread(err, 1, sizeof err - 1, f)] = '\0';
        fclose(f);
        printf("NOTE: run %s: exit %d: %s", cases[i][0], rc, err);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(err, cases[i][1]));
    }
    /* bdsrx live: the same message and exit status */
    const int rc = sh("cd %s && '%s/bdsrx' live --source a_b2a.ci8 --nav nav.rnx --quiet --nmea /dev/full > out.txt "
                      "2> err.txt", g_dir, g_bin);
    char path[256], err[4096] = "";
    snprintf(path, sizeof path, "%s/err.txt", g_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    err[fread(err, 1, sizeof err - 1, f)] = '\0';
    fclose(f);
    printf("NOTE: live --nmea /dev/full: exit %d: %s", rc, err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "bdsrx live: NMEA output: write failed: No space left on device"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seam),
        cmocka_unit_test(test_run_write_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
