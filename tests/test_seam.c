/* A discontinuity in the samples (two bdsrx-sim captures of different start
 * times joined into one file, the case of concatenated captures or a front end
 * that lost samples without saying so): the receiver detects that the decoded
 * time of week no longer fits its time scale, re-synchronises and fixes again
 * at the right place; no fix across the seam is reported as valid (JSON "spp",
 * GGA quality 1) unless it is right.  Also: bdsrx run with its outputs on
 * /dev/full or in a missing directory exits non-zero with the reason.
 * About 30 s on 2 cores (B2a at 12 Msps, 6 s + 12 s; the seam run searches the whole
 * list cold, the write-error runs only the simulated satellites and two absent PRNs). */
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
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "testutil.h"

#define D2R (M_PI / 180.0)

static char g_bin[512], g_dir[64];
static int g_ready;

static const char *in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", g_dir, name);
    return buf;
}

/* dst = the concatenation of the files srcs[] (NULL-terminated); 0 ok */
static int cat_files(const char *dst, const char *const *srcs)
{
    FILE *o = fopen(dst, "wb");
    if (!o)
        return -1;
    static char buf[1 << 20];
    int bad = 0;
    for (int i = 0; srcs[i] && !bad; i++) {
        FILE *f = fopen(srcs[i], "rb");
        if (!f) {
            bad = 1;
            break;
        }
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            bad |= fwrite(buf, 1, k, o) != k;
        fclose(f);
    }
    return fclose(o) != 0 || bad ? -1 : 0;
}

static int run_sim(const char *out, const char *dur, const char *seed, const char *start, int nav)
{
    char sim[600], navp[128];
    snprintf(sim, sizeof sim, "%s/bdsrx-sim", g_bin);
    tu_result_t r;
    const int st = nav ? tu_runl(&r, NULL, sim, "--out", out, "--signals", "B2a", "--duration", dur, "--fs-b2a",
                                 "12e6", "--quiet", "--seed", seed, "--start", start, "--nav-out",
                                 in_dir(navp, sizeof navp, "nav.rnx"), NULL)
                       : tu_runl(&r, NULL, sim, "--out", out, "--signals", "B2a", "--duration", dur, "--fs-b2a",
                                 "12e6", "--quiet", "--seed", seed, "--start", start, NULL);
    if (st != 0)
        printf("bdsrx-sim: %s\n", r.err);
    tu_result_free(&r);
    return st;
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
    char pa[128], pb[128], da[128], db[128], dab[128], ma[128], mab[128];
    if (run_sim(in_dir(pa, sizeof pa, "a"), "6", "1", "2023-03-12 04:05:34", 1) != 0 ||
        run_sim(in_dir(pb, sizeof pb, "b"), "12", "2", "2023-03-12 04:25:10", 0) != 0)
        return -1;
    const char *parts[] = {in_dir(da, sizeof da, "a_b2a.ci8"), in_dir(db, sizeof db, "b_b2a.ci8"), NULL};
    const char *meta[] = {in_dir(ma, sizeof ma, "a_b2a.ci8.sigmf-meta"), NULL};
    if (cat_files(in_dir(dab, sizeof dab, "ab_b2a.ci8"), parts) != 0 ||
        cat_files(in_dir(mab, sizeof mab, "ab_b2a.ci8.sigmf-meta"), meta) != 0)
        return -1;
    unlink(db);
    g_ready = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_dir[0])
        tu_rmtree(g_dir);
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
    char bd[600], ab[128], nav[128], js[160], nm[128];
    snprintf(bd, sizeof bd, "%s/bdsrx", g_bin);
    in_dir(ab, sizeof ab, "ab_b2a.ci8");
    in_dir(nav, sizeof nav, "nav.rnx");
    snprintf(js, sizeof js, "--json=%s/ab.json", g_dir);
    in_dir(nm, sizeof nm, "ab.nmea");
    tu_result_t r;
    const int rc = tu_runl(&r, NULL, bd, "run", ab, "--nav", nav, js, "--nmea", nm, "--quiet", NULL);
    const int resync = strstr(r.out, "time discontinuities in the samples: 1 ") != NULL;
    if (rc != 0 || !resync)
        printf("bdsrx run: exit %d\n%s%s", rc, r.out, r.err);
    tu_result_free(&r);
    char path[256], line[65536];
    FILE *f;
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

/* Write errors of bdsrx run and live: a clear message and a non-zero exit status. */
static void test_run_write_errors(void **state)
{
    (void)state;
    if (!g_ready)
        skip();
    char bd[600], a[128], nav[128];
    snprintf(bd, sizeof bd, "%s/bdsrx", g_bin);
    in_dir(a, sizeof a, "a_b2a.ci8");
    in_dir(nav, sizeof nav, "nav.rnx");
    const char *cases[][3] = {
        {"--json=/dev/full", NULL, "JSON output: write failed: No space left on device"},
        {"--nmea", "/dev/full", "NMEA output: write failed: No space left on device"},
        {"--rinex-obs", "/dev/full", "RINEX observation output: write failed: No space left on device"},
        {"--rinex-nav", "/nonexistent/dir/nav.rnx", "cannot write /nonexistent/dir/nav.rnx"},
    };
    /* the first fix (the first write) comes at ~2 s of this capture; the simulated satellites and
     * 2 absent PRNs are searched (the write errors are the subject here) */
    char truth[160], prns[256];
    assert_int_equal(tu_truth_prns(in_dir(truth, sizeof truth, "a.truth.json"), 2, prns, sizeof prns), 0);
    for (int i = 0; i < 4; i++) {
        tu_result_t r;
        const int rc = cases[i][1] ? tu_runl(&r, NULL, bd, "run", a, "--nav", nav, "--quiet", "--seconds", "4", "--prn",
                                             prns, cases[i][0], cases[i][1], NULL)
                                   : tu_runl(&r, NULL, bd, "run", a, "--nav", nav, "--quiet", "--seconds", "4", "--prn",
                                             prns, cases[i][0], NULL);
        printf("NOTE: run %s: exit %d: %s", cases[i][0], rc, r.err);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(r.err, cases[i][2]));
        tu_result_free(&r);
    }
    tu_result_t r;
    const int rc = tu_runl(&r, NULL, bd, "live", "--source", a, "--nav", nav, "--quiet", "--seconds", "4", "--prn",
                           prns, "--nmea", "/dev/full", NULL);
    printf("NOTE: live --nmea /dev/full: exit %d: %s", rc, r.err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(r.err, "bdsrx live: NMEA output: write failed: No space left on device"));
    tu_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seam),
        cmocka_unit_test(test_run_write_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
