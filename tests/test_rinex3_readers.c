/*
 * bdsrx's RINEX files read by programs that are not bdsrx.  One simulated B1C capture (bdsrx-sim,
 * 8 s, realistic C/N0 30-45 dB-Hz by elevation, shared through the test cache) goes through
 * `bdsrx run --nav TRUTH --rinex-obs OBS --rinex-nav NAV3 --rinex-nav-version 3` (hot start from
 * the simulator's own navigation file), then:
 *
 *  - Debian's RTKLIB 2.4.3 rnx2rtkp (SPP, -sys C) reads OBS and the RINEX 3.04 NAV3 (it refuses
 *    RINEX 4): its positions agree with `bdsrx pvt` on the same two files, and with the simulated
 *    truth once the clocks carry T_GD_B1Cp (`bdsrx nav-convert --rinex-nav-clock b1c`; RINEX 3
 *    has no field for it and RTKLIB applies no TGD to C1P from a RINEX 3 file: nav/README.md),
 *    skipped when rnx2rtkp is missing;
 *  - georinex (geospace-code/georinex, Python; BDSRX_GEORINEX_PATH = a checkout, with Debian's
 *    python3-numpy/-xarray/-pandas; tests/README.md) reads OBS and NAV3: every value equals what
 *    bdsrx's own readers read, pseudoranges / Doppler / C/N0 match the simulator's truth, and the
 *    ephemerides georinex read reproduce the simulator's orbits; skipped when georinex is absent.
 */
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
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"

#define MAXEP 16

static struct {
    int ready;
    char dir[1024], obs[64], nav3[64], truth_nav[1100], truth_json[1100];
    double truth_ecef[3];
    bx_time_t start; /* BDT of truth t_s = 0 */
    json_t *truth;
} g;

static int setup(void **state)
{
    (void)state;
    char sim[512], bin[512];
    if (!tu_bin(sim, sizeof sim, "bdsrx-sim") || !tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: programs not built\n");
        return 0;
    }
    const char *args[] = {"--signals", "B1C", "--fs-b1c", "4000000", "--format", "ci2", "--duration", "8",
                          "--cn0-el", "30,45", "--seed", "7", "--nav-out", "@/truth.rnx", NULL};
    if (tu_sim_capture(sim, args, g.dir, sizeof g.dir) != 0)
        return -1;
    snprintf(g.truth_nav, sizeof g.truth_nav, "%s/truth.rnx", g.dir);
    snprintf(g.truth_json, sizeof g.truth_json, "%s/s.truth.json", g.dir);
    json_error_t je;
    g.truth = json_load_file(g.truth_json, 0, &je);
    if (!g.truth)
        return -1;
    const char *st = json_string_value(json_object_get(g.truth, "start_bdt"));
    int y, mo, d, h, mi;
    double s;
    if (!st || sscanf(st, "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
        return -1;
    g.start = bx_time_from_civil(y, mo, d, h, mi, s);
    json_t *ep0 = json_array_get(json_object_get(g.truth, "epochs"), 0);
    char prns[256] = "";
    size_t k;
    json_t *sv;
    json_array_foreach(json_object_get(ep0, "sats"), k, sv)
    {
        char b[8];
        snprintf(b, sizeof b, "%s%d", k ? "," : "", (int)json_integer_value(json_object_get(sv, "prn")));
        strncat(prns, b, sizeof prns - strlen(prns) - 1);
    }
    for (int i = 0; i < 3; i++)
        g.truth_ecef[i] = json_real_value(json_array_get(json_object_get(ep0, "ecef_m"), (size_t)i));
    snprintf(g.obs, sizeof g.obs, "/tmp/bdsrx_rx3_obs_%d.rnx", (int)getpid());
    snprintf(g.nav3, sizeof g.nav3, "/tmp/bdsrx_rx3_nav_%d.rnx", (int)getpid());
    char cap[1100];
    snprintf(cap, sizeof cap, "%s/s_b1c.ci2", g.dir);
    tu_result_t r = {0};
    /* the visible satellites only (--prn): the acquisition of all 63 PRNs costs 7x the CPU */
    const int rc = tu_runl(&r, NULL, bin, "run", cap, "--nav", g.truth_nav, "--no-cache", "--prn", prns, "--rinex-obs",
                           g.obs, "--rinex-nav", g.nav3, "--rinex-nav-version", "3", "--threads", "2", "-q", NULL);
    if (rc != 0)
        printf("bdsrx run: exit %d\n%s\n%s\n", rc, r.out, r.err);
    tu_result_free(&r);
    g.ready = rc == 0;
    return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (g.obs[0])
        unlink(g.obs), unlink(g.nav3);
    json_decref(g.truth);
    return 0;
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

/* ---------------- RTKLIB ---------------- */

typedef struct {
    double tow; /* GPST seconds of week */
    double xyz[3];
} fix_t;

/* rnx2rtkp SPP with ECEF output and GPST week/tow; returns the number of fixes. */
static int rtklib_spp(const char *nav, fix_t *fx, int max)
{
    char conf[64], pos[64];
    snprintf(conf, sizeof conf, "/tmp/bdsrx_rx3_%d.conf", (int)getpid());
    snprintf(pos, sizeof pos, "/tmp/bdsrx_rx3_%d.pos", (int)getpid());
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    /* the simulated sky has no ionosphere beyond the broadcast model with zero coefficients
     * (bdsrx-sim --help: none at all), so RTKLIB's default Klobuchar would add one */
    fputs("pos1-ionoopt       =off\npos1-tropopt       =saas\npos1-elmask        =5\n"
          "out-solformat      =xyz\nout-timef          =tow\n",
          f);
    fclose(f);
    tu_result_t r = {0};
    assert_int_equal(tu_runl(&r, NULL, "rnx2rtkp", "-k", conf, "-p", "0", "-sys", "C", "-o", pos, g.obs, nav, NULL), 0);
    tu_result_free(&r);
    f = fopen(pos, "r");
    assert_non_null(f);
    char line[512];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        int wk, q;
        if (line[0] == '%' || sscanf(line, "%d %lf %lf %lf %lf %d", &wk, &fx[n].tow, &fx[n].xyz[0], &fx[n].xyz[1],
                                     &fx[n].xyz[2], &q) != 6)
            continue;
        n++;
    }
    fclose(f);
    unlink(conf);
    unlink(pos);
    return n;
}

static void test_rnx2rtkp_nav3(void **state)
{
    (void)state;
    if (!g.ready)
        skip();
    if (!tu_have("rnx2rtkp")) {
        printf("SKIP: rnx2rtkp (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    /* 1. the file as written */
    fix_t rt[MAXEP];
    const int nrt = rtklib_spp(g.nav3, rt, MAXEP);
    assert_true(nrt >= 3);
    /* bdsrx pvt on the same two files (B1C, no ionosphere record in RINEX 3 -> none applied) */
    char bin[512];
    assert_non_null(tu_bin(bin, sizeof bin, "bdsrx"));
    tu_result_t r = {0};
    assert_int_equal(
        tu_runl(&r, NULL, bin, "pvt", "--obs", g.obs, "--nav", g.nav3, "--mode", "b1c", "--elmask", "5", "--json", NULL),
        0);
    double dmax_pvt = 0, dmax_truth = 0;
    int matched = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o)
            continue;
        const char *fix = json_string_value(json_object_get(o, "fix"));
        const double tow = json_real_value(json_object_get(o, "bdt_sow")) + BX_GPST_MINUS_BDT_S;
        json_t *e = json_object_get(o, "ecef_m");
        for (int i = 0; fix && !strcmp(fix, "spp") && i < nrt; i++)
            if (fabs(rt[i].tow - tow) < 1e-3) {
                double p[3];
                for (int k = 0; k < 3; k++)
                    p[k] = json_real_value(json_array_get(e, (size_t)k));
                dmax_pvt = fmax(dmax_pvt, dist3(p, rt[i].xyz));
                matched++;
            }
        json_decref(o);
    }
    tu_result_free(&r);
    for (int i = 0; i < nrt; i++)
        dmax_truth = fmax(dmax_truth, dist3(rt[i].xyz, g.truth_ecef));

    /* 2. the same ephemerides with T_GD_B1Cp folded into the clock (bdsrx nav-convert
     *    --rinex-nav-clock b1c), the group delay that a RINEX 3 record cannot carry */
    char nav_b1c[64];
    snprintf(nav_b1c, sizeof nav_b1c, "/tmp/bdsrx_rx3_navb1c_%d.rnx", (int)getpid());
    assert_int_equal(tu_runl(&r, NULL, bin, "nav-convert", g.truth_nav, "-o", nav_b1c, "--rinex-nav-clock", "b1c", "-q",
                             NULL),
                     0);
    tu_result_free(&r);
    fix_t rb[MAXEP];
    const int nrb = rtklib_spp(nav_b1c, rb, MAXEP);
    unlink(nav_b1c);
    double dmax_b1c = 0;
    for (int i = 0; i < nrb; i++)
        dmax_b1c = fmax(dmax_b1c, dist3(rb[i].xyz, g.truth_ecef));
    printf("NOTE: rnx2rtkp SPP (B1C, BDS) with bdsrx's RINEX 3.04 nav: %d fixes; max 3-D vs bdsrx pvt on the same "
           "files %.2f m (%d epochs), vs truth %.2f m (T_GD_B1Cp not in RINEX 3); with T_GD_B1Cp in the clocks: "
           "%d fixes, max %.2f m vs truth\n",
           nrt, dmax_pvt, matched, dmax_truth, nrb, dmax_b1c);
    assert_true(matched >= 3);
    assert_true(dmax_pvt < 2.5);   /* same model but RTKLIB's troposphere and weights */
    assert_true(dmax_truth < 20.0); /* the simulated T_GD_B1Cp are up to 10 ns (3 m) */
    assert_true(nrb >= 3);
    assert_true(dmax_b1c < 3.0);
}

/* ---------------- georinex ---------------- */

typedef struct {
    char kind[4], t[40], sv[8], field[24];
    double v;
} gval_t;

static int georinex_run(tu_result_t *r, const char *obs, const char *nav)
{
    const char *root = getenv("BDSRX_GEORINEX_PATH");
    return tu_runl(r, NULL, "/usr/bin/python3", "tests/georinex_dump.py", root ? root : "", obs, nav, NULL);
}

/* georinex's value of (kind, sv, field) at time text t (NULL: any); NAN if absent. */
static double gget(const gval_t *v, int n, const char *kind, const char *t, const char *sv, const char *field)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].kind, kind) && !strcmp(v[i].sv, sv) && !strcmp(v[i].field, field) &&
            (!t || !strcmp(v[i].t, t)))
            return v[i].v;
    return NAN;
}

/* Runs georinex on obs ("-": none) and nav; its values into *out (free them).  0 (with a SKIP
 * line) when python3 or georinex is not available. */
static int georinex_load(const char *obs, const char *nav, gval_t **out, int *nout, char *ver, size_t verlen)
{
    if (access("/usr/bin/python3", X_OK) != 0) {
        printf("SKIP: no /usr/bin/python3; RINEX files not checked with georinex\n");
        return 0;
    }
    tu_result_t r = {0};
    const int rc = georinex_run(&r, obs, nav);
    if (rc == 3) {
        printf("SKIP: %s(set BDSRX_GEORINEX_PATH to a georinex checkout (tests/README.md), with Debian's "
               "python3-numpy, python3-xarray, python3-pandas)\n",
               r.out);
        tu_result_free(&r);
        return 0;
    }
    if (rc != 0)
        print_error("georinex_dump.py: exit %d\n%s\n", rc, r.err);
    assert_int_equal(rc, 0);
    int n = 0, cap = 4096;
    gval_t *v = calloc((size_t)cap, sizeof *v);
    assert_non_null(v);
    snprintf(ver, verlen, "?");
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "georinex ", 9))
            snprintf(ver, verlen, "%s", line + 9);
        if (n == cap) {
            cap *= 2;
            v = realloc(v, (size_t)cap * sizeof *v);
            assert_non_null(v);
        }
        gval_t *x = &v[n];
        if (!strncmp(line, "OBS ", 4) && sscanf(line, "%3s %39s %7s %23s %lf", x->kind, x->t, x->sv, x->field, &x->v) == 5)
            n++;
        else if (!strncmp(line, "NAV ", 4) &&
                 sscanf(line, "%3s %7s %39s %23s %lf", x->kind, x->sv, x->t, x->field, &x->v) == 5)
            n++;
    }
    tu_result_free(&r);

    *out = v;
    *nout = n;
    return 1;
}

static json_t *truth_sat(double t_s, int prn)
{
    size_t k;
    json_t *ep, *sv;
    json_array_foreach(json_object_get(g.truth, "epochs"), k, ep)
    {
        if (fabs(json_real_value(json_object_get(ep, "t_s")) - t_s) > 1e-6)
            continue;
        size_t j;
        json_array_foreach(json_object_get(ep, "sats"), j, sv)
        {
            if (json_integer_value(json_object_get(sv, "prn")) == prn)
                return sv;
        }
    }
    return NULL;
}

/* Each ephemeris of `mine` (bdsrx's reading of a RINEX 3 file) against georinex's reading of the
 * same file (max relative field difference into *nav_rel), and the orbit made of georinex's
 * values against the CNAV ephemeris of `ref` with the same t_oe (returned: max 3-D over
 * t_oe +- 1 h). */
static double nav_vs_georinex(const bx_nav_t *mine, const bx_nav_t *ref, const gval_t *v, int n, double *nav_rel,
                              int *neph)
{
    double orb_max = 0;
    *nav_rel = 0;
    *neph = 0;
    for (int i = 0; i < mine->n_eph; i++) {
        const bx_eph_t *m = &mine->eph[i];
        char sv[8];
        snprintf(sv, sizeof sv, "C%02d", m->prn);
        int y, mo, d, h, mi;
        double sec;
        bx_time_to_civil(m->toc, &y, &mo, &d, &h, &mi, &sec);
        char tc[40];
        snprintf(tc, sizeof tc, "%04d-%02d-%02dT%02d:%02d:%02.0f", y, mo, d, h, mi, sec);
        bx_eph_t e;
        memset(&e, 0, sizeof e);
        e.prn = m->prn;
        e.source = BX_EPH_SRC_D1;
        const double sqrtA = gget(v, n, "NAV", tc, sv, "sqrtA");
        e.e = gget(v, n, "NAV", tc, sv, "Eccentricity");
        e.sat_type = sqrtA * sqrtA > 35e6 ? BX_SAT_IGSO : BX_SAT_MEO;
        e.dA_m = sqrtA * sqrtA - bx_eph_aref_m(e.sat_type);
        e.i0_rad = gget(v, n, "NAV", tc, sv, "Io");
        e.Omega0_rad = gget(v, n, "NAV", tc, sv, "Omega0");
        e.omega_rad = gget(v, n, "NAV", tc, sv, "omega");
        e.M0_rad = gget(v, n, "NAV", tc, sv, "M0");
        e.dn0_rad_s = gget(v, n, "NAV", tc, sv, "DeltaN");
        e.idot_rad_s = gget(v, n, "NAV", tc, sv, "IDOT");
        e.Omegadot_rad_s = gget(v, n, "NAV", tc, sv, "OmegaDot");
        e.cuc_rad = gget(v, n, "NAV", tc, sv, "Cuc");
        e.cus_rad = gget(v, n, "NAV", tc, sv, "Cus");
        e.crc_m = gget(v, n, "NAV", tc, sv, "Crc");
        e.crs_m = gget(v, n, "NAV", tc, sv, "Crs");
        e.cic_rad = gget(v, n, "NAV", tc, sv, "Cic");
        e.cis_rad = gget(v, n, "NAV", tc, sv, "Cis");
        e.a0_s = gget(v, n, "NAV", tc, sv, "SVclockBias");
        e.a1_s_s = gget(v, n, "NAV", tc, sv, "SVclockDrift");
        e.a2_s_s2 = gget(v, n, "NAV", tc, sv, "SVclockDriftRate");
        e.week = (int)gget(v, n, "NAV", tc, sv, "BDTWeek");
        e.toe = bx_time_from_week_sow(e.week, gget(v, n, "NAV", tc, sv, "Toe"));
        e.toc = m->toc;
        const double pairs[][2] = {{e.e, m->e},           {e.i0_rad, m->i0_rad},   {e.Omega0_rad, m->Omega0_rad},
                                   {e.omega_rad, m->omega_rad}, {e.M0_rad, m->M0_rad}, {e.dA_m, m->dA_m},
                                   {e.a0_s, m->a0_s},     {e.a1_s_s, m->a1_s_s},   {e.Omegadot_rad_s, m->Omegadot_rad_s}};
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            assert_false(isnan(pairs[k][0]));
            *nav_rel = fmax(*nav_rel, fabs(pairs[k][0] - pairs[k][1]) / fmax(fabs(pairs[k][1]), 1e-30));
        }
        assert_true(gget(v, n, "NAV", tc, sv, "AODE") == m->iode);
        assert_true(gget(v, n, "NAV", tc, sv, "SatH1") == m->health);
        assert_true(bx_time_diff(e.toe, m->toe) == 0.0);
        const bx_eph_t *t = NULL; /* the CNAV ephemeris of this PRN and t_oe (B-CNAV1 first, healthy or not) */
        for (int k = 0; k < ref->n_eph; k++) {
            const bx_eph_t *c = &ref->eph[k];
            if (c->prn == m->prn && c->toe.sec == m->toe.sec && !bx_eph_is_legacy(c) && (!t || c->source < t->source))
                t = c;
        }
        assert_non_null(t);
        for (double dt = -3600; dt <= 3600; dt += 300) {
            double a[3], b[3];
            assert_int_equal(bx_satpos(&e, bx_time_add(e.toe, dt), a, NULL, NULL, NULL), BX_OK);
            assert_int_equal(bx_satpos(t, bx_time_add(e.toe, dt), b, NULL, NULL, NULL), BX_OK);
            orb_max = fmax(orb_max, dist3(a, b));
        }
        (*neph)++;
    }
    return orb_max;
}

static void test_georinex(void **state)
{
    (void)state;
    if (!g.ready)
        skip();
    gval_t *v;
    int n;
    char ver[64];
    if (!georinex_load(g.obs, g.nav3, &v, &n, ver, sizeof ver))
        skip();

    /* observations: bdsrx's reader vs georinex, and vs the simulator's truth */
    bx_rinex_obs_reader_t *rd;
    char err[256];
    assert_int_equal(bx_rinex_obs_open(g.obs, &rd, err, sizeof err), BX_OK);
    bx_obs_t ob;
    int nval = 0, nep = 0, ntruth = 0;
    double dmax_rd = 0, pr_max = 0, dop_max = 0, cn0_max = 0;
    const char *types[4] = {"C1P", "L1P", "D1P", "S1P"};
    while (bx_rinex_obs_read(rd, &ob) == BX_OK) {
        /* the file's tags are GPST (bdsrx's default, for RTKLIB); georinex gives them as written */
        int y, mo, d, h, mi;
        double s;
        bx_time_to_civil(bx_time_add(ob.time, BX_GPST_MINUS_BDT_S), &y, &mo, &d, &h, &mi, &s);
        char t[40];
        snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%010.7f", y, mo, d, h, mi, s);
        const double t_s = bx_time_diff(ob.time, g.start);
        double pr_off[BX_OBS_MAX], dop_off[BX_OBS_MAX];
        int nt = 0;
        for (int i = 0; i < ob.n; i++) {
            const bx_obsd_t *o = &ob.d[i];
            char sv[8];
            snprintf(sv, sizeof sv, "C%02d", o->prn);
            const double mine[4] = {o->pseudorange_m, o->carrier_cycles, o->doppler_hz, o->cn0_dbhz};
            for (int k = 0; k < 4; k++) {
                const double gv = gget(v, n, "OBS", t, sv, types[k]);
                assert_false(isnan(gv)); /* georinex has every value bdsrx's reader has */
                dmax_rd = fmax(dmax_rd, fabs(gv - mine[k]));
                nval++;
            }
            json_t *ts = truth_sat(t_s, o->prn);
            if (ts) { /* the truth's pseudorange has no receiver clock: compare after the epoch mean */
                pr_off[nt] = gget(v, n, "OBS", t, sv, "C1P") -
                             json_real_value(json_object_get(ts, "pseudorange_m"));
                dop_off[nt] = gget(v, n, "OBS", t, sv, "D1P") - json_real_value(json_object_get(ts, "doppler_hz"));
                cn0_max = fmax(cn0_max, fabs(gget(v, n, "OBS", t, sv, "S1P") -
                                             json_real_value(json_object_get(ts, "cn0_dbhz"))));
                nt++;
            }
        }
        double mp = 0, md = 0;
        for (int i = 0; i < nt; i++)
            mp += pr_off[i] / nt, md += dop_off[i] / nt;
        for (int i = 0; i < nt; i++) {
            pr_max = fmax(pr_max, fabs(pr_off[i] - mp));
            dop_max = fmax(dop_max, fabs(dop_off[i] - md));
        }
        ntruth += nt;
        nep++;
    }
    bx_rinex_obs_destroy(rd);
    int gobs = 0;
    for (int i = 0; i < n; i++)
        gobs += !strcmp(v[i].kind, "OBS");

    /* navigation: georinex's fields vs bdsrx's reader, and the orbits vs the simulator's */
    bx_nav_t mine, truth;
    bx_nav_init(&mine);
    bx_nav_init(&truth);
    assert_int_equal(bx_rinex_nav_read(g.nav3, &mine, err, sizeof err), BX_OK);
    assert_int_equal(bx_rinex_nav_read(g.truth_nav, &truth, err, sizeof err), BX_OK);
    double nav_rel = 0;
    int neph = 0;
    const double orb_max = nav_vs_georinex(&mine, &truth, v, n, &nav_rel, &neph);
    bx_nav_destroy(&mine);
    bx_nav_destroy(&truth);
    free(v);
    printf("NOTE: georinex %s read %d observation values of %d epochs (bdsrx's reader: %d, max |diff| %.2e); vs "
           "the simulator's truth (%d satellite-epochs, epoch mean removed): pseudorange max %.2f m, Doppler max "
           "%.2f Hz, C/N0 max %.2f dB\n",
           ver, gobs, nep, nval, dmax_rd, ntruth, pr_max, dop_max, cn0_max);
    printf("NOTE: georinex read %d ephemerides of the RINEX 3.04 file: fields vs bdsrx's reader max rel %.1e; their "
           "orbits vs the simulator's CNAV within toe +-1 h: max %.4f m\n",
           neph, nav_rel, orb_max);
    assert_true(nep >= 3 && nval >= 4 * 3 * 4);
    assert_int_equal(gobs, nval); /* nothing more, nothing less */
    assert_true(dmax_rd < 1e-6);
    assert_true(ntruth >= nval / 4 - 2);
    assert_true(pr_max < 3.0);  /* code noise at 30-45 dB-Hz plus T_GD_B1Cp differences (±3 m, common part removed) */
    assert_true(dop_max < 3.0); /* Hz */
    assert_true(cn0_max < 4.0); /* dB */
    assert_true(neph >= 10);
    assert_true(nav_rel < 1e-11);
    assert_true(orb_max < 0.05);
}

/* A real broadcast file (cssrlib-data 2025-08-21, RINEX 4.02 CNV1/CNV2/CNV3, mosaic-X5) as RINEX
 * 3.04 (fitted legacy records) read by georinex: every field is bdsrx's, and the orbits georinex's
 * values give stay within the fit bound of the CNAV ones. */
static void test_georinex_real_nav(void **state)
{
    (void)state;
    char path[1024];
    if (!testdata_path(path, sizeof path, "real/cssrlib_pppb2b/doy2025-233/233h_rnx.nav"))
        skip();
    bx_nav_t cnav, mine;
    bx_nav_init(&cnav);
    bx_nav_init(&mine);
    char err[256], nav3[64];
    assert_int_equal(bx_rinex_nav_read(path, &cnav, err, sizeof err), BX_OK);
    snprintf(nav3, sizeof nav3, "/tmp/bdsrx_rx3_real_%d.rnx", (int)getpid());
    FILE *f = fopen(nav3, "w");
    assert_non_null(f);
    bx_ephfit_stats_t w;
    assert_int_equal(bx_rinex_nav_write3(f, &cnav, BX_RINEX3_CLOCK_B3I, &w), BX_OK);
    fclose(f);
    gval_t *v;
    int n;
    char ver[64];
    if (!georinex_load("-", nav3, &v, &n, ver, sizeof ver)) {
        unlink(nav3);
        skip();
    }
    assert_int_equal(bx_rinex_nav_read(nav3, &mine, err, sizeof err), BX_OK);
    unlink(nav3);
    double nav_rel = 0;
    int neph = 0;
    const double orb_max = nav_vs_georinex(&mine, &cnav, v, n, &nav_rel, &neph);
    free(v);
    printf("NOTE: georinex %s read the %d fitted legacy records of 233h_rnx.nav (2025-08-21): fields vs bdsrx's reader "
           "max rel %.1e; their orbits vs the CNAV records within toe +-1 h: max %.3f m (fit bound of the file "
           "%.3f m)\n",
           ver, neph, nav_rel, orb_max, w.max_1h_m);
    assert_true(neph >= 10);
    assert_true(nav_rel < 1e-11);
    assert_true(orb_max < w.max_1h_m + 0.01);
    bx_nav_destroy(&cnav);
    bx_nav_destroy(&mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnx2rtkp_nav3),
        cmocka_unit_test(test_georinex),
        cmocka_unit_test(test_georinex_real_nav),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
