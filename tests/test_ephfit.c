/* CNAV -> legacy D1 conversion (nav/geo/ephfit.c) and the RINEX 3.04 writer that uses it
 * (bx_rinex_nav_write3), measured on a real day: every B-CNAV1 ephemeris of the DLR merged
 * broadcast file of 2023-03-12 (BRD400DLR_S_20230710000_01D_MN, RINEX 4.00, ../shared/testdata)
 * evaluated with the CNAV user algorithm (orbit.md §3) against its fitted legacy record
 * evaluated with the legacy one (Adot = dn-dot = 0), every 30 s over t_oe ± 1.5 h.
 * The bounds asserted are what was measured here plus margin (nav/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/ephfit.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "testdata.h"
#include "testutil.h"

#define DLR "real/rinex_bds3_obs/BRD400DLR_S_20230710000_01D_MN.rnx.gz"

/* Position of e at toe + dt. */
static void pos_at(const bx_eph_t *e, double dt, double p[3], double *clk)
{
    assert_int_equal(bx_satpos(e, bx_time_add(e->toe, dt), p, NULL, clk, NULL), BX_OK);
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

static void test_fit_real_day(void **state)
{
    (void)state;
    char path[1024];
    if (!testdata_path(path, sizeof path, DLR))
        skip();
    bx_nav_t nav, cnv1;
    bx_nav_init(&nav);
    bx_nav_init(&cnv1);
    char err[256];
    assert_int_equal(bx_rinex_nav_read(path, &nav, err, sizeof err), BX_OK);
    /* every CNV1 record of the day (the file's CNV2 records carry the same orbits) */
    double iters = 0, sum1 = 0, max1 = 0, sum15 = 0, max15 = 0, clk = 0, copy = 0, worst_rms1 = 0;
    int n = 0, prns[64] = {0}, nprn = 0;
    for (int i = 0; i < nav.n_eph; i++) {
        const bx_eph_t *c = &nav.eph[i];
        if (c->source != BX_SIG_B1C || c->health)
            continue;
        bx_eph_t l;
        bx_ephfit_stats_t s;
        assert_int_equal(bx_eph_fit_legacy(c, 0.0, &l, &s), BX_OK);
        assert_true(bx_eph_is_legacy(&l));
        assert_true(l.Adot_mps == 0.0 && l.dn0dot_rad_s2 == 0.0);
        /* independent recomputation of the statistics at other sample times (every 7 s) */
        double m1 = 0, ss1 = 0, m15 = 0, ss15 = 0;
        int k1 = 0, k15 = 0;
        for (double dt = -5400; dt <= 5400; dt += 7) {
            double a[3], b[3], ca, cb;
            pos_at(c, dt, a, &ca);
            pos_at(&l, dt, b, &cb);
            const double d = dist3(a, b);
            ss15 += d * d, k15++, m15 = fmax(m15, d);
            if (fabs(dt) <= 3600)
                ss1 += d * d, k1++, m1 = fmax(m1, d);
            clk = fmax(clk, fabs(299792458.0 * (ca - cb)));
        }
        assert_true(fabs(m1 - s.max_1h_m) < 0.02 + 0.2 * s.max_1h_m); /* the function's own numbers agree */
        sum1 += ss1 / k1, sum15 += ss15 / k15, n++;
        max1 = fmax(max1, m1), max15 = fmax(max15, m15);
        worst_rms1 = fmax(worst_rms1, sqrt(ss1 / k1));
        copy = fmax(copy, s.copy_max_1h_m);
        prns[c->prn] = 1;
        iters += s.iterations;
    }
    for (int p = 0; p < 64; p++)
        nprn += prns[p];
    printf("NOTE: %d B-CNAV1 ephemerides of %d satellites (2023-03-12): legacy fit vs CNAV, 3-D position:\n"
           "NOTE:   |t-toe| <= 1 h: RMS %.4f m (worst ephemeris RMS %.4f m), max %.4f m\n"
           "NOTE:   |t-toe| <= 1.5 h: RMS %.4f m, max %.4f m; clock max %.5f m; direct copy max %.1f m (1 h); %.1f Gauss-Newton iterations per fit\n",
           n, nprn, sqrt(sum1 / n), worst_rms1, max1, sqrt(sum15 / n), max15, clk, copy, iters / n);
    assert_true(n >= 500 && nprn >= 25);
    /* bounds: measured values with margin (nav/README.md) */
    assert_true(sqrt(sum1 / n) < 0.05);
    assert_true(max1 < 0.25);
    assert_true(max15 < 0.5);
    assert_true(clk < 0.05);
    assert_true(copy > 10 * max1); /* the fit matters: the direct copy is much worse */
    bx_nav_destroy(&nav);
    bx_nav_destroy(&cnv1);
}

/* RINEX 3.04 written and read back by bdsrx's own reader: the records are the fitted legacy
 * ephemerides (D1), one per PRN and t_oe, positions within the file's D19.12 rounding. */
static void test_write3_roundtrip(void **state)
{
    (void)state;
    char path[1024];
    if (!testdata_path(path, sizeof path, "real/cssrlib_pppb2b/doy2025-233/233h_rnx.nav"))
        skip();
    bx_nav_t nav, back;
    bx_nav_init(&nav);
    bx_nav_init(&back);
    char err[256];
    assert_int_equal(bx_rinex_nav_read(path, &nav, err, sizeof err), BX_OK);
    char tmp[] = "/tmp/bdsrx_nav3_XXXXXX";
    const int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    bx_ephfit_stats_t w;
    assert_int_equal(bx_rinex_nav_write3(f, &nav, BX_RINEX3_CLOCK_B3I, &w), BX_OK);
    fclose(f);
    printf("NOTE: 233h_rnx.nav -> RINEX 3.04: worst fit 3-D max %.4f m (1 h), %.4f m (1.5 h)\n", w.max_1h_m,
           w.max_m);
    assert_int_equal(bx_rinex_nav_read(tmp, &back, err, sizeof err), BX_OK);
    FILE *g = fopen(tmp, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof line, g));
    assert_memory_equal(line, "     3.04           N: GNSS NAV DATA    C: BEIDOU", 49);
    fclose(g);
    unlink(tmp);
    int ncnav = 0;
    for (int i = 0; i < nav.n_eph; i++)
        if (!bx_eph_is_legacy(&nav.eph[i]) && nav.eph[i].source != BX_SIG_B2B) {
            const bx_eph_t *c = &nav.eph[i];
            const bx_eph_t *b = NULL;
            for (int k = 0; k < back.n_eph; k++)
                if (back.eph[k].prn == c->prn && back.eph[k].toe.sec == c->toe.sec)
                    b = &back.eph[k];
            assert_non_null(b);
            assert_int_equal(b->source, c->sat_type == BX_SAT_GEO ? BX_EPH_SRC_D2 : BX_EPH_SRC_D1);
            assert_int_equal(b->iode, c->iode);
            assert_int_equal(b->health, c->health);
            assert_true(b->a0_s == c->a0_s && b->a1_s_s == c->a1_s_s);
            for (double dt = -3600; dt <= 3600; dt += 600) {
                double p[3], q[3];
                pos_at(c, dt, p, NULL);
                pos_at(b, dt, q, NULL);
                assert_true(dist3(p, q) < w.max_1h_m + 0.01);
            }
            ncnav++;
        }
    /* one record per PRN and t_oe: CNV1/CNV2/CNV3 of the same t_oe collapse */
    for (int i = 0; i < back.n_eph; i++)
        for (int k = i + 1; k < back.n_eph; k++)
            assert_false(back.eph[i].prn == back.eph[k].prn && back.eph[i].toe.sec == back.eph[k].toe.sec);
    assert_true(ncnav >= 10);
    bx_nav_destroy(&nav);
    bx_nav_destroy(&back);
}

/* bdsrx nav-convert: RINEX 4 in, RINEX 3.04 out, fit error reported; -o required */
static void test_nav_convert_cli(void **state)
{
    (void)state;
    char path[1024], bin[512];
    if (!testdata_path(path, sizeof path, "real/cssrlib_pppb2b/doy2025-233/233h_rnx.nav"))
        skip();
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bdsrx not built\n");
        skip();
    }
    char out[64];
    snprintf(out, sizeof out, "/tmp/bdsrx_navconv_%d.rnx", (int)getpid());
    tu_result_t r = {0};
    assert_int_equal(tu_runl(&r, NULL, bin, "nav-convert", path, "-o", out, NULL), 0);
    assert_non_null(strstr(r.err, "legacy fit vs CNAV, worst ephemeris: 3-D max 0.1"));
    tu_result_free(&r);
    bx_nav_t a, b;
    bx_nav_init(&a);
    bx_nav_init(&b);
    char err[256];
    assert_int_equal(bx_rinex_nav_read(path, &a, err, sizeof err), BX_OK);
    assert_int_equal(bx_rinex_nav_read(out, &b, err, sizeof err), BX_OK);
    int want = 0; /* distinct (PRN, t_oe) among the input's ephemerides */
    for (int i = 0; i < a.n_eph; i++) {
        int dup = 0;
        for (int k = 0; k < i; k++)
            dup |= a.eph[k].prn == a.eph[i].prn && a.eph[k].toe.sec == a.eph[i].toe.sec;
        want += !dup;
    }
    assert_int_equal(b.n_eph, want);
    FILE *f = fopen(out, "r");
    char line[128];
    int fit_comment = 0;
    while (fgets(line, sizeof line, f) && !strstr(line, "END OF HEADER"))
        fit_comment |= strstr(line, "Fit error, worst of") != NULL;
    fclose(f);
    assert_true(fit_comment);
    unlink(out);
    assert_int_equal(tu_runl(&r, NULL, bin, "nav-convert", path, NULL), 2);
    assert_non_null(strstr(r.err, "--out FILE is required"));
    tu_result_free(&r);
    bx_nav_destroy(&a);
    bx_nav_destroy(&b);
}

/* RTKLIB evaluates the fitted records as bdsrx does: pseudoranges made with the real B-CNAV1
 * orbits and clocks of 2023-03-12 (one t_oe, 06:00 BDT, every satellite) for a receiver at
 * Wuhan, every 5 min over t_oe +- 1 h, no atmosphere, no group delay; rnx2rtkp SPP on them with
 * the RINEX 3.04 file of the fitted records must land on the receiver, and with the direct copy
 * of the common fields it does not. */
static int rtklib_fixes(const char *obs, const char *nav, double xyz[][3], int max)
{
    char conf[64], pos[64];
    snprintf(conf, sizeof conf, "/tmp/bdsrx_ephfit_%d.conf", (int)getpid());
    snprintf(pos, sizeof pos, "/tmp/bdsrx_ephfit_%d.pos", (int)getpid());
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs("pos1-ionoopt       =off\npos1-tropopt       =off\npos1-elmask        =10\n"
          "out-solformat      =xyz\nout-timef          =tow\n",
          f);
    fclose(f);
    tu_result_t r = {0};
    assert_int_equal(tu_runl(&r, NULL, "rnx2rtkp", "-k", conf, "-p", "0", "-sys", "C", "-o", pos, obs, nav, NULL), 0);
    tu_result_free(&r);
    f = fopen(pos, "r");
    assert_non_null(f);
    char line[512];
    int n = 0, wk;
    double tow;
    while (n < max && fgets(line, sizeof line, f))
        if (line[0] != '%' && sscanf(line, "%d %lf %lf %lf %lf", &wk, &tow, &xyz[n][0], &xyz[n][1], &xyz[n][2]) == 5)
            n++;
    fclose(f);
    unlink(conf);
    unlink(pos);
    return n;
}

static void test_rnx2rtkp_fitted_real_day(void **state)
{
    (void)state;
    char path[1024];
    if (!testdata_path(path, sizeof path, DLR))
        skip();
    if (!tu_have("rnx2rtkp")) {
        printf("SKIP: rnx2rtkp (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    bx_nav_t all, one, copy;
    bx_nav_init(&all);
    bx_nav_init(&one);
    bx_nav_init(&copy);
    char err[256];
    assert_int_equal(bx_rinex_nav_read(path, &all, err, sizeof err), BX_OK);
    const bx_time_t toe = bx_time_from_civil(2023, 3, 12, 6, 0, 0);
    for (int i = 0; i < all.n_eph; i++) {
        const bx_eph_t *e = &all.eph[i];
        if (e->source != BX_SIG_B1C || e->health || e->toe.sec != toe.sec || bx_nav_select_src(&one, e->prn, toe, BX_SIG_B1C))
            continue;
        assert_int_equal(bx_nav_add(&one, e), BX_OK);
        bx_eph_t c = *e; /* the direct copy: CNAV fields in a legacy record */
        c.source = BX_EPH_SRC_D1;
        c.Adot_mps = c.dn0dot_rad_s2 = 0;
        assert_int_equal(bx_nav_add(&copy, &c), BX_OK);
    }
    assert_true(one.n_eph >= 20);
    const double llh[3] = {30.5 * M_PI / 180, 114.3 * M_PI / 180, 50.0};
    double rcv[3];
    bx_llh_to_ecef(llh, rcv);
    char obs[64], nav3[64], navc[64];
    snprintf(obs, sizeof obs, "/tmp/bdsrx_ephfit_%d.obs", (int)getpid());
    snprintf(nav3, sizeof nav3, "/tmp/bdsrx_ephfit_%d.nav", (int)getpid());
    snprintf(navc, sizeof navc, "/tmp/bdsrx_ephfit_copy_%d.nav", (int)getpid());
    FILE *f = fopen(obs, "w");
    assert_non_null(f);
    bx_rinex_obs_header_t h;
    bx_rinex_obs_header_default(&h);
    const int sig = BX_SIG_B1C;
    assert_int_equal(bx_rinex_obs_header_for_signals(&h, &sig, 1), BX_OK);
    memcpy(h.approx_pos_m, rcv, sizeof rcv);
    h.interval_s = 300;
    const double c = 299792458.0, dtr = 1e-4; /* receiver clock 100 us */
    int nep = 0;
    for (double dt = -3600; dt <= 3600; dt += 300, nep++) {
        bx_obs_t o;
        memset(&o, 0, sizeof o);
        o.time = bx_time_add(toe, dt + dtr); /* receiver time tag */
        if (dt == -3600)
            assert_int_equal(bx_rinex_obs_write_header(f, &h, o.time), BX_OK);
        const bx_time_t t_rx = bx_time_add(toe, dt);
        for (int i = 0; i < one.n_eph; i++) {
            const bx_eph_t *e = &one.eph[i];
            double tau = 0.075, p[3], q[3], clk = 0;
            for (int it = 0; it < 4; it++) { /* transmit time, Sagnac rotation (orbit.md §3) */
                assert_int_equal(bx_satpos(e, bx_time_add(t_rx, -tau), p, NULL, &clk, NULL), BX_OK);
                const double a = BX_OMEGA_E_BDS_RAD_S * tau;
                q[0] = cos(a) * p[0] + sin(a) * p[1];
                q[1] = -sin(a) * p[0] + cos(a) * p[1];
                q[2] = p[2];
                tau = dist3(q, rcv) / c;
            }
            double enu_up = 0; /* elevation above 10 degrees */
            for (int k = 0; k < 3; k++)
                enu_up += (q[k] - rcv[k]) / dist3(q, rcv) * rcv[k] / sqrt(rcv[0] * rcv[0] + rcv[1] * rcv[1] + rcv[2] * rcv[2]);
            if (enu_up < sin(12 * M_PI / 180))
                continue;
            bx_obsd_t *d = &o.d[o.n++];
            d->prn = e->prn;
            d->sig = BX_SIG_B1C;
            d->pilot = 1;
            d->flags = BX_OBS_PR | BX_OBS_CN0;
            d->pseudorange_m = c * tau + c * (dtr - clk);
            d->cn0_dbhz = 45;
        }
        assert_int_equal(bx_rinex_obs_write_epoch(f, &h, &o), BX_OK);
    }
    fclose(f);
    bx_ephfit_stats_t w;
    f = fopen(nav3, "w");
    assert_int_equal(bx_rinex_nav_write3(f, &one, BX_RINEX3_CLOCK_B3I, &w), BX_OK);
    fclose(f);
    f = fopen(navc, "w");
    assert_int_equal(bx_rinex_nav_write3(f, &copy, BX_RINEX3_CLOCK_B3I, NULL), BX_OK);
    fclose(f);
    static double fx[64][3], fc[64][3];
    const int n = rtklib_fixes(obs, nav3, fx, 64), nc = rtklib_fixes(obs, navc, fc, 64);
    double emax = 0, ecopy = 0;
    for (int i = 0; i < n; i++)
        emax = fmax(emax, dist3(fx[i], rcv));
    for (int i = 0; i < nc; i++)
        ecopy = fmax(ecopy, dist3(fc[i], rcv));
    printf("NOTE: rnx2rtkp SPP on pseudoranges from the real B-CNAV1 orbits of %d satellites (2023-03-12 06:00, "
           "toe +-1 h, %d epochs): with the fitted RINEX 3 records %d fixes, max 3-D error %.3f m (fit max %.3f m); "
           "with the direct copy %d fixes, max %.1f m\n",
           one.n_eph, nep, n, emax, w.max_1h_m, nc, ecopy);
    assert_int_equal(n, nep);
    assert_true(emax < 0.5);
    assert_true(nc < n || ecopy > 1.0); /* the copy: fixes refused by its chi-square test or metres off */
    unlink(obs), unlink(nav3), unlink(navc);
    bx_nav_destroy(&all);
    bx_nav_destroy(&one);
    bx_nav_destroy(&copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_real_day),
        cmocka_unit_test(test_write3_roundtrip),
        cmocka_unit_test(test_nav_convert_cli),
        cmocka_unit_test(test_rnx2rtkp_fitted_real_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
