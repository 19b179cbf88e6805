/* PPP measurement models (nav/pos/ppp_model.c) against independent values, the RINEX clock
 * reader, the SP3/CLK satellite source, and PPP end to end with every model on observations
 * synthesized from CODE's SP3 (site displaced by the solid tide, antenna 1.234 m above the
 * marker, wind-up, Shapiro, DO-229/Niell troposphere), through the library and `bdsrx ppp
 * --sp3 --clk`. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bdsrx/b2b_eval.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/ppp.h"
#include "bdsrx/ppp_model.h"
#include "bdsrx/pvt.h"
#include "bdsrx/rinex_clk.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/sp3.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"

#define D2R (M_PI / 180.0)

static double norm3(const double a[3])
{
    return sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
}


/* IERS Conventions (2010) software DEHANTTIDEINEL.F, test cases 1 and 2 of its prologue (full
 * model: steps 1 and 2).  Step 1 alone differs by the step-2 terms (< 13 mm radial). */
static void test_solid_tide_iers(void **state)
{
    (void)state;
    static const struct {
        double sta[3], sun[3], moon[3], dx[3];
    } tc[2] = {
        {{4075578.385, 931852.890, 4801570.154},
         {137859926952.015, 54228127881.4350, 23509422341.6960},
         {-179996231.920342, -312468450.131567, -169288918.592160},
         {0.7700420357108125891e-01, 0.6304056321824967613e-01, 0.5516568152597246810e-01}},
        {{1112189.660, -4842955.026, 3985352.284},
         {-54537460436.2357, 130244288385.279, 56463429031.5996},
         {300396716.912, 243238281.451, 120548075.939},
         {-0.2036831479592075833e-01, 0.5658254776225972449e-01, -0.7597679676871742227e-01}},
    };
    for (int k = 0; k < 2; k++) {
        double d[3];
        bx_solid_tide_m(tc[k].sta, tc[k].sun, tc[k].moon, d);
        const double e[3] = {d[0] - tc[k].dx[0], d[1] - tc[k].dx[1], d[2] - tc[k].dx[2]};
        printf("IERS case %d: step 1 %+.4f %+.4f %+.4f m, IERS %+.4f %+.4f %+.4f m, difference %.4f m (|IERS| %.4f m)\n",
               k + 1, d[0], d[1], d[2], tc[k].dx[0], tc[k].dx[1], tc[k].dx[2], norm3(e), norm3(tc[k].dx));
        assert_true(norm3(e) < 0.015);
    }
    /* Our Sun and Moon at that epoch (2009-04-13 00:00 UTC = 00:00:01 BDT).  The test's Sun and
     * Moon vectors are rotated about the z axis against the true ECEF of 0h UTC (both by the same
     * 201.3 deg), so compare what a rotation keeps: declinations, distances, the longitude
     * difference of Sun and Moon; and the subsolar point at 0h UTC (longitude 180 deg minus the
     * equation of time, +0.4 min = 0.1 deg on 13 April). */
    double sun[3], moon[3];
    bx_sun_moon_ecef(bx_time_from_civil(2009, 4, 13, 0, 0, 1.0), sun, moon);
#define DEC(v) (asin((v)[2] / norm3(v)) / D2R)
#define LON(v) (atan2((v)[1], (v)[0]) / D2R)
    const double dlon = remainder(LON(moon) - LON(sun) - (LON(tc[0].moon) - LON(tc[0].sun)), 360.0);
    printf("Sun dec %.3f (test %.3f), Moon dec %.3f (test %.3f), distances %+.4f %% %+.4f %%, Moon-Sun longitude "
           "%+.3f deg, subsolar longitude %.3f deg\n",
           DEC(sun), DEC(tc[0].sun), DEC(moon), DEC(tc[0].moon), 100 * (norm3(sun) / norm3(tc[0].sun) - 1),
           100 * (norm3(moon) / norm3(tc[0].moon) - 1), dlon, LON(sun));
    assert_true(fabs(DEC(sun) - DEC(tc[0].sun)) < 0.02);
    assert_true(fabs(DEC(moon) - DEC(tc[0].moon)) < 0.2);
    assert_true(fabs(norm3(sun) / norm3(tc[0].sun) - 1) < 1e-3);
    assert_true(fabs(norm3(moon) / norm3(tc[0].moon) - 1) < 5e-3);
    assert_true(fabs(dlon) < 0.3);
    assert_true(fabs(remainder(LON(sun) - 179.9, 360.0)) < 0.3);
}

/* Wind-up for a geometry worked out by hand (Wu et al. 1993 dipole vectors): receiver at
 * 0N 0E (x north = +Z, y west = -Y), satellite overhead (k = -X).  Body axes ey = +Y, ex =
 * +Z: D_sat = 2Z, D_rcv = 2Z, no wind-up.  Yaw by 90 deg (ey = +Z, ex = -Y): D_sat = -2Y,
 * angle 90 deg, sign of k.(D_sat x D_rcv) = -X.(-4X) > 0: +0.25 cycle. */
static void test_windup_hand(void **state)
{
    (void)state;
    const double rr[3] = {6378137.0, 0, 0}, rs[3] = {26e6, 0, 0};
    const double ex0[3] = {0, 0, 1}, ey0[3] = {0, 1, 0}, ex1[3] = {0, -1, 0}, ey1[3] = {0, 0, 1};
    assert_true(fabs(bx_windup_cyc(ex0, ey0, rs, rr, 0.0)) < 1e-9);
    assert_true(fabs(bx_windup_cyc(ex1, ey1, rs, rr, 0.0) - 0.25) < 1e-9);
    /* continuity: the same angle next to 5 cycles is 5.25; yaw by 180 deg: half a cycle */
    assert_true(fabs(bx_windup_cyc(ex1, ey1, rs, rr, 5.1) - 5.25) < 1e-9);
    const double ex2[3] = {0, 0, -1}, ey2[3] = {0, -1, 0};
    assert_true(fabs(fabs(bx_windup_cyc(ex2, ey2, rs, rr, 0.0)) - 0.5) < 1e-9);
    /* nominal axes: ez to the Earth, ey normal to the Sun plane */
    double ex[3], ey[3], ez[3], sun[3] = {0, 1.5e11, 0};
    bx_sat_nominal_axes(rs, sun, ex, ey, ez);
    assert_true(fabs(ez[0] + 1) < 1e-12 && fabs(ey[2] + 1) < 1e-9 && fabs(ex[1] - 1) < 1e-6);
}

/* Shapiro along the zenith: 2GM/c^2 ln(r_s / r_r) (rho = r_s - r_r), 12.663 mm for r_s =
 * 26560 km, r_r = 6371 km; Sagnac against the range to the satellite rotated by omega tau. */
static void test_shapiro_sagnac(void **state)
{
    (void)state;
    const double rs[3] = {26560e3, 0, 0}, rr[3] = {6371e3, 0, 0};
    const double closed = 2.0 * 3.986004418e14 / (BX_CLIGHT_MPS * BX_CLIGHT_MPS) * log(26560.0 / 6371.0);
    printf("Shapiro zenith %.5f m, closed form %.5f m\n", bx_shapiro_m(rs, rr), closed);
    assert_true(fabs(bx_shapiro_m(rs, rr) - closed) < 1e-6);
    assert_true(fabs(closed - 0.012663) < 2e-6);
    const double sat[3] = {15.1e6, 18.3e6, 12.2e6}, rcv[3] = {-3962108.7, 3381309.6, 3668678.7};
    double tau = 0.07, rot[3];
    for (int it = 0; it < 5; it++) {
        const double a = BX_OMEGA_E_BDS_RAD_S * tau;
        rot[0] = cos(a) * sat[0] + sin(a) * sat[1];
        rot[1] = -sin(a) * sat[0] + cos(a) * sat[1];
        rot[2] = sat[2];
        const double d[3] = {rot[0] - rcv[0], rot[1] - rcv[1], rot[2] - rcv[2]};
        tau = norm3(d) / BX_CLIGHT_MPS;
    }
    const double d0[3] = {sat[0] - rcv[0], sat[1] - rcv[1], sat[2] - rcv[2]};
    const double drot = tau * BX_CLIGHT_MPS - norm3(d0);
    printf("Sagnac: rotated geometry %.5f m, closed form %.5f m\n", drot, bx_sagnac_m(sat, rcv));
    assert_true(fabs(drot - bx_sagnac_m(sat, rcv)) < 1e-4);
    assert_true(fabs(drot) > 1.0); /* tens of metres for this geometry: a real check */
}

static void test_mapping(void **state)
{
    (void)state;
    for (int la = 0; la <= 90; la += 10) {
        assert_true(fabs(bx_niell_wet_map(la * D2R, M_PI / 2) - 1.0) < 1e-9);
        /* above 30 deg any mapping is close to the secant (flat-Earth limit) */
        assert_true(fabs(bx_niell_wet_map(la * D2R, 30 * D2R) * sin(30 * D2R) - 1.0) < 0.005);
    }
    /* at 5 deg: Niell wet ~10.4-10.6 (Niell 1996 Fig. 4), DO-229 ~10.2 */
    const double mw5 = bx_niell_wet_map(45 * D2R, 5 * D2R), md5 = bx_tropo_map_do229(5 * D2R);
    printf("5 deg: Niell wet %.3f, DO-229 %.3f, 1/sin %.3f\n", mw5, md5, 1 / sin(5 * D2R));
    assert_true(mw5 > 10.0 && mw5 < 11.0);
    assert_true(md5 > 9.8 && md5 < 10.6);
    assert_true(fabs(bx_tropo_map_do229(M_PI / 2) - 1.0) < 1e-3);
}

/* ---- RINEX clock and the SP3 source ---- */

static const char *SP3REL = "real/cssrlib_pppb2b/doy2023-223/COD0MGXFIN_20232230000_01D_05M_ORB.SP3";

/* a RINEX 3.04 clock file with the SP3's clocks at its epochs (GPS time tags) */
static void write_clk(const bx_sp3_t *sp3, const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%9.2f%11sC%19s%-20s%s\n", 3.04, "", "", "", "RINEX VERSION / TYPE");
    fprintf(f, "%-60s%s\n", "GPS", "TIME SYSTEM ID");
    fprintf(f, "%-60s%s\n", "", "END OF HEADER");
    for (int i = 0; i < sp3->n_epoch; i++) {
        int y, mo, d, h, mi;
        double s;
        bx_time_to_civil(bx_time_bdt_to_gpst(sp3->epoch[i]), &y, &mo, &d, &h, &mi, &s);
        for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
            const double c = sp3->clk_s[i * (BX_PRN_MAX + 1) + prn];
            if (!isnan(c))
                fprintf(f, "AS C%02d     %4d %02d %02d %02d %02d %9.6f  1   %19.12E\n", prn, y, mo, d, h, mi, s, c);
        }
    }
    fclose(f);
}

/* The CODE SP3 of doy 2023-223 from shared/testdata (path in ps), or NULL when it is not there. */
static bx_sp3_t *load_sp3(char *ps, size_t n)
{
    char err[256];
    if (!testdata_path(ps, n, SP3REL))
        return NULL;
    bx_sp3_t *sp3 = NULL;
    assert_int_equal(bx_sp3_read(ps, &sp3, err, sizeof err), BX_OK);
    return sp3;
}

static void test_clk_and_sp3_source(void **state)
{
    (void)state;
    char ps[512], err[256];
    bx_sp3_t *sp3 = load_sp3(ps, sizeof ps);
    if (!sp3) {
        skip();
        return;
    }
    char clkp[] = "/tmp/bdsrx_clk_XXXXXX";
    close(mkstemp(clkp));
    write_clk(sp3, clkp);
    bx_rnxclk_t *clk;
    assert_int_equal(bx_rnxclk_read(clkp, &clk, err, sizeof err), BX_OK);
    assert_true(clk->n_epoch >= sp3->n_epoch - 1 && clk->n_epoch <= sp3->n_epoch); /* the last SP3 epoch may lack clocks */
    int n = 0;
    for (int i = 0; i < sp3->n_epoch; i += 7)
        for (int prn = 19; prn <= 46; prn++) {
            const double c = sp3->clk_s[i * (BX_PRN_MAX + 1) + prn];
            double v;
            if (isnan(c))
                continue;
            assert_int_equal(bx_rnxclk_interp(clk, prn, sp3->epoch[i], 300, &v), BX_OK);
            assert_true(fabs(v - c) < 1e-15);
            n++;
        }
    assert_true(n > 100);
    /* the source: antenna phase centre 1.196 m from the centre of mass for a CAST MEO (C20,
     * sqrt(0.2^2 + 1.18^2)), clock = CLK - 2 r.v/c^2 (periodic relativistic term, < 50 ns) */
    bx_ppp_sp3_src_t src;
    bx_ppp_sp3_src_init(&src, sp3, clk);
    const bx_time_t t = bx_time_add(sp3->epoch[0], 3 * 3600 + 77.0);
    double apc[3], com[3], c_src, c_clk, c_sp3;
    assert_int_equal(bx_ppp_sp3_satfn(&src, 20, t, apc, &c_src), 0);
    assert_int_equal(bx_sp3_interp(sp3, 20, t, 10, com, &c_sp3), BX_OK);
    assert_int_equal(bx_rnxclk_interp(clk, 20, t, 300, &c_clk), BX_OK);
    const double d[3] = {apc[0] - com[0], apc[1] - com[1], apc[2] - com[2]};
    printf("C20: APC - CoM %.4f m (toward the Earth %.4f m), relativistic %.3f ns\n", norm3(d),
           -(d[0] * com[0] + d[1] * com[1] + d[2] * com[2]) / norm3(com), (c_src - c_clk) * 1e9);
    assert_true(fabs(norm3(d) - hypot(0.2, 1.18)) < 1e-3);
    assert_true(fabs(-(d[0] * com[0] + d[1] * com[1] + d[2] * com[2]) / norm3(com) - 1.18) < 0.01);
    assert_true(fabs(c_src - c_clk) < 50e-9 && c_src != c_clk);
    assert_int_equal(bx_rnxclk_interp(clk, 20, bx_time_add(sp3->epoch[0], -10.0), 300, &c_clk), BX_ERR_ARG);
    bx_rnxclk_destroy(clk);
    unlink(clkp);
    bx_sp3_destroy(sp3);
}

/* ---- end to end with every model ---- */

static const double SITE[3] = {-3962108.6836, 3381309.5672, 3668678.6720}; /* marker */
static const double HEN[3] = {1.234, 0.0, 0.0};

static uint64_t rs_ = 0x2545F4914F6CDD1Dull;
static double gauss(void)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        rs_ ^= rs_ << 13;
        rs_ ^= rs_ >> 7;
        rs_ ^= rs_ << 17;
        u[i] = ((rs_ >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

typedef struct {
    int n1[64], n2[64];
    double stec[64], wu[64];
} truth_t;

static void synth(bx_ppp_sp3_src_t *src, bx_time_t t_rx, double dtr_m, truth_t *tr, bx_obs_t *obs)
{
    const double f1 = BX_FREQ_B1C_HZ, f2 = BX_FREQ_B2A_HZ, l1 = BX_CLIGHT_MPS / f1, l2 = BX_CLIGHT_MPS / f2;
    double llh[3], sun[3], moon[3], tide[3], ant[3], da[3];
    bx_ecef_to_llh(SITE, llh);
    bx_sun_moon_ecef(t_rx, sun, moon);
    bx_solid_tide_m(SITE, sun, moon, tide);
    const double enu[3] = {HEN[1], HEN[2], HEN[0]};
    bx_enu_to_ecef(llh, enu, da);
    for (int i = 0; i < 3; i++)
        ant[i] = SITE[i] + tide[i] + da[i];
    memset(obs, 0, sizeof *obs);
    obs->time = t_rx;
    const bx_time_t T = bx_time_add(t_rx, -dtr_m / BX_CLIGHT_MPS);
    const double zen = bx_tropo_delay_m(llh, M_PI / 2);
    for (int prn = 19; prn <= 63 && obs->n + 2 <= BX_OBS_MAX; prn++) {
        double pos[3], clk, rsat[3], tau = 0.075;
        int ok = 1;
        for (int it = 0; it < 4 && ok; it++) {
            if (bx_ppp_sp3_satfn(src, prn, bx_time_add(T, -tau), pos, &clk)) {
                ok = 0;
                break;
            }
            const double a = BX_OMEGA_E_BDS_RAD_S * tau;
            rsat[0] = cos(a) * pos[0] + sin(a) * pos[1];
            rsat[1] = -sin(a) * pos[0] + cos(a) * pos[1];
            rsat[2] = pos[2];
            const double d[3] = {rsat[0] - ant[0], rsat[1] - ant[1], rsat[2] - ant[2]};
            tau = norm3(d) / BX_CLIGHT_MPS;
        }
        if (!ok)
            continue;
        double az, el;
        const double rho = bx_azel(ant, llh, rsat, &az, &el);
        if (el < 7.0 * D2R)
            continue;
        const double se = sin(el);
        const double trop = zen * bx_tropo_map_do229(el) + 0.08 * bx_niell_wet_map(llh[0], el);
        double ex[3], ey[3], ez[3];
        bx_sat_nominal_axes(rsat, sun, ex, ey, ez);
        tr->wu[prn] = bx_windup_cyc(ex, ey, rsat, ant, tr->wu[prn]);
        const double i1 = 40.3e16 * tr->stec[prn] / se / (f1 * f1), i2 = i1 * (f1 * f1) / (f2 * f2);
        const double geo = rho + dtr_m - BX_CLIGHT_MPS * clk + trop + bx_shapiro_m(rsat, ant);
        const double sc = 0.3 / se, sp = 0.003 / se;
        bx_obsd_t *d = &obs->d[obs->n++];
        *d = (bx_obsd_t){.prn = (uint8_t)prn, .sig = BX_SIG_B1C, .pilot = 1, .flags = BX_OBS_PR | BX_OBS_CP,
                         .pseudorange_m = geo + i1 + sc * gauss(),
                         .carrier_cycles = (geo - i1 + sp * gauss()) / l1 + tr->n1[prn] + tr->wu[prn],
                         .cn0_dbhz = 45, .lock_s = 100};
        d = &obs->d[obs->n++];
        *d = (bx_obsd_t){.prn = (uint8_t)prn, .sig = BX_SIG_B2A, .pilot = 1, .flags = BX_OBS_PR | BX_OBS_CP,
                         .pseudorange_m = geo + i2 + sc * gauss(),
                         .carrier_cycles = (geo - i2 + sp * gauss()) / l2 + tr->n2[prn] + tr->wu[prn],
                         .cn0_dbhz = 45, .lock_s = 100};
    }
}

static void test_ppp_all_models(void **state)
{
    (void)state;
    char ps[512], err[256];
    bx_sp3_t *sp3 = load_sp3(ps, sizeof ps);
    if (!sp3) {
        skip();
        return;
    }
    char clkp[] = "/tmp/bdsrx_clk_XXXXXX", rnx[] = "/tmp/bdsrx_pppm_XXXXXX";
    close(mkstemp(clkp));
    write_clk(sp3, clkp);
    bx_rnxclk_t *clk;
    assert_int_equal(bx_rnxclk_read(clkp, &clk, err, sizeof err), BX_OK);
    static bx_ppp_sp3_src_t src;
    bx_ppp_sp3_src_init(&src, sp3, clk);
    double llh[3];
    bx_ecef_to_llh(SITE, llh);
    const bx_time_t t0 = bx_time_add(sp3->epoch[0], 4 * 3600.0 + 17.0);
    const int nep = 180; /* 1.5 h at 30 s */
    /* runs: 0 static, all models; 1 kinematic; 2 static without the models (negative control) */
    for (int run = 0; run < 3; run++) {
        truth_t tr;
        memset(&tr, 0, sizeof tr);
        rs_ = 0x2545F4914F6CDD1Dull;
        for (int p = 0; p < 64; p++) {
            tr.n1[p] = (int)(gauss() * 1e5);
            tr.n2[p] = (int)(gauss() * 1e5);
            tr.stec[p] = 10.0 + 5.0 * (p % 7);
        }
        bx_ppp_cfg_t cfg;
        bx_ppp_cfg_default(&cfg);
        cfg.kinematic = run == 1;
        if (run != 2) {
            cfg.models = BX_PPP_MODEL_ALL;
            memcpy(cfg.ant_delta_hen_m, HEN, sizeof HEN);
        }
        bx_ppp_t *pp;
        assert_int_equal(bx_ppp_create(&cfg, &pp, NULL, 0), BX_OK);
        FILE *rf = NULL;
        bx_rinex_obs_header_t hdr;
        bx_rinex_obs_header_default(&hdr);
        memcpy(hdr.ant_delta_hen_m, HEN, sizeof HEN);
        if (run == 0)
            rf = fdopen(mkstemp(rnx), "w");
        double t10 = -1, h30 = NAN, u30 = NAN, sh = 0, su = 0, last_hor = NAN;
        int ns = 0, nfix = 0;
        static bx_obs_t obs;
        for (int k = 0; k < nep; k++) {
            synth(&src, bx_time_add(t0, 30.0 * k), 150.0 + 1.5 * k, &tr, &obs);
            if (rf) {
                if (k == 0)
                    assert_int_equal(bx_rinex_obs_write_header(rf, &hdr, obs.time), BX_OK);
                assert_int_equal(bx_rinex_obs_write_epoch(rf, &hdr, &obs), BX_OK);
            }
            bx_ppp_sol_t sol;
            if (bx_ppp_update(pp, &obs, bx_ppp_sp3_satfn, &src, &sol) != BX_OK)
                continue;
            nfix++;
            const double d[3] = {sol.pos_m[0] - SITE[0], sol.pos_m[1] - SITE[1], sol.pos_m[2] - SITE[2]};
            double enu[3];
            bx_ecef_to_enu(llh, d, enu);
            const double hor = hypot(enu[0], enu[1]);
            last_hor = hor;
            if (hor < 0.10 && t10 < 0)
                t10 = 30.0 * k;
            if (hor >= 0.10)
                t10 = -1;
            if (k == 60) {
                h30 = hor;
                u30 = enu[2];
            }
            if (k >= nep - 40) {
                sh += hor * hor;
                su += enu[2] * enu[2];
                ns++;
            }
        }
        const char *name[3] = {"static, all models", "kinematic, all models", "static, models off"};
        printf("SP3+CLK synthesized with every effect, %s: %d fixes, 10 cm horizontal after %.0f s, at 30 min "
               "horizontal %.3f up %+.3f m, last 20 min RMS horizontal %.3f up %.3f m\n",
               name[run], nfix, t10, h30, u30, sqrt(sh / ns), sqrt(su / ns));
        assert_true(nfix > nep - 5);
        if (run == 0) {
            assert_true(t10 >= 0 && t10 <= 30 * 60);
            assert_true(sqrt(sh / ns) < 0.05 && sqrt(su / ns) < 0.10);
        } else if (run == 1) {
            assert_true(sqrt(sh / ns) < 0.10 && sqrt(su / ns) < 0.20);
        } else {
            assert_true(sqrt(su / ns) > 0.5); /* the 1.234 m antenna height at least */
        }
        bx_ppp_destroy(pp);
        if (rf) {
            fclose(rf);
            char bin[512], ref[128];
            if (tu_bin(bin, sizeof bin, "bdsrx")) {
                snprintf(ref, sizeof ref, "%.10f,%.10f,%.4f", llh[0] / D2R, llh[1] / D2R, llh[2]);
                tu_result_t r;
                assert_int_equal(tu_runl(&r, NULL, bin, "ppp", "--obs", rnx, "--sp3", ps, "--clk", clkp, "--ref", ref,
                                         "--json", NULL), 0);
                char *last = r.out, *q;
                while ((q = strstr(last, "}\n")) && q[2])
                    last = q + 2;
                const char *pe = strstr(last, "\"e_m\":"), *pn = strstr(last, "\"n_m\":");
                assert_non_null(pe);
                assert_non_null(pn);
                const double hor = hypot(atof(pe + 6), atof(pn + 6));
                printf("bdsrx ppp --sp3 --clk on the RINEX file: last horizontal %.3f m (library %.3f m); %s", hor,
                       last_hor, r.err);
                assert_true(fabs(hor - last_hor) < 0.02);
                tu_result_free(&r);
            }
            unlink(rnx);
        }
    }
    bx_rnxclk_destroy(clk);
    unlink(clkp);
    bx_sp3_destroy(sp3);
}

/* ---- real data: KMS3 (Copenhagen, Septentrio PolaRx5, 2022-06-08 10:00-11:00, 30 s) ----
 * The only real observations in ../shared/testdata with a same-day BDS navigation file (D1/D2
 * only, no CNV1) and no precise product for the day: broadcast-only PPP on IF(B1I, B3I), every
 * model on.  Truth: the header's APPROX POSITION (receiver-made, accuracy unknown; no IGS/EUREF
 * coordinate for KMS3 in any stored repository).  So this shows the engine on real carrier
 * phase (post-fit phase residuals, no false slips, a steady solution), not centimetres: the
 * broadcast orbits/clocks (~1 m) and the unknown reference limit the position. */
static void test_ppp_real_kms3(void **state)
{
    (void)state;
    char pc[512], pn[512], py[512], err[256];
    if (!testdata_path(pc, sizeof pc, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_30S_MO_full.crx") ||
        !testdata_path(pn, sizeof pn, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_MN.rnx.gz") ||
        !testdata_path(py, sizeof py, "real/rinex_bds3_obs/crx2rnx_min.py")) {
        skip();
        return;
    }
    if (!tu_have("python3")) {
        printf("SKIP: python3 (for the Compact RINEX decompressor) not found\n");
        skip();
        return;
    }
    char rnx[] = "/tmp/bdsrx_kms3_XXXXXX";
    close(mkstemp(rnx));
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, "python3", py, pc, rnx, NULL), 0);
    tu_result_free(&r);
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_rinex_nav_read(pn, &nav, err, sizeof err), BX_OK);
    bx_ppp_brdc_src_t src = {&nav, BX_PPP_IF_B1I_B3I};
    for (int kin = 0; kin < 2; kin++) {
        bx_rinex_obs_reader_t *rd;
        assert_int_equal(bx_rinex_obs_open(rnx, &rd, err, sizeof err), BX_OK);
        bx_rinex_obs_set_signals(rd, (1u << BX_SIG_B1I) | (1u << BX_SIG_B3I));
        const bx_rinex_obs_header_t *h = bx_rinex_obs_header(rd);
        double ref[3], llh[3];
        memcpy(ref, h->approx_pos_m, sizeof ref);
        bx_ecef_to_llh(ref, llh);
        bx_ppp_cfg_t cfg;
        bx_ppp_cfg_default(&cfg);
        cfg.kinematic = kin;
        cfg.if_pair = BX_PPP_IF_B1I_B3I;
        cfg.models = BX_PPP_MODEL_ALL;
        memcpy(cfg.ant_delta_hen_m, h->ant_delta_hen_m, sizeof cfg.ant_delta_hen_m);
        bx_ppp_t *pp;
        assert_int_equal(bx_ppp_create(&cfg, &pp, NULL, 0), BX_OK);
        static bx_obs_t obs;
        int nep = 0, nfix = 0, nslip = 0, nsat_min = 99;
        double sp = 0, sc = 0, e30[3] = {NAN, NAN, NAN}, enu[3] = {NAN, NAN, NAN}, se = 0, sn = 0, su = 0;
        int nlast = 0;
        while (bx_rinex_obs_read(rd, &obs) == BX_OK) {
            nep++;
            bx_ppp_sol_t sol;
            if (bx_ppp_update(pp, &obs, bx_ppp_brdc_satfn, &src, &sol) != BX_OK)
                continue;
            nfix++;
            const double d[3] = {sol.pos_m[0] - ref[0], sol.pos_m[1] - ref[1], sol.pos_m[2] - ref[2]};
            bx_ecef_to_enu(llh, d, enu);
            if (nep > 10) { /* after the first 5 min */
                nslip += sol.n_slip;
                sp += sol.rms_phase_m * sol.rms_phase_m;
                sc += sol.rms_code_m * sol.rms_code_m;
                nsat_min = sol.n_sat < nsat_min ? sol.n_sat : nsat_min;
            }
            if (nep == 61)
                memcpy(e30, enu, sizeof e30);
            if (nep > 80) {
                se += enu[0];
                sn += enu[1];
                su += enu[2];
                nlast++;
            }
        }
        const int nk = nfix - 10;
        printf("KMS3 real, broadcast-only PPP, IF(B1I,B3I), %s: %d/%d epochs, >= %d satellites, %d slips after 5 min; "
               "post-fit RMS code %.2f m phase %.4f m; at 30 min E %+.3f N %+.3f U %+.3f m; last 20 min mean E %+.3f N "
               "%+.3f U %+.3f m from the header position\n",
               kin ? "kinematic" : "static", nfix, nep, nsat_min, nslip, sqrt(sc / nk), sqrt(sp / nk), e30[0], e30[1],
               e30[2], se / nlast, sn / nlast, su / nlast);
        assert_int_equal(nep, 120);
        assert_true(nfix >= 118);
        assert_true(sqrt(sp / nk) < 0.05);   /* real carrier phase fits to cm (broadcast clocks wander) */
        assert_true(nslip <= 2);
        assert_true(hypot(se / nlast, sn / nlast) < 2.0 && fabs(su / nlast) < 3.0); /* broadcast level */
        bx_ppp_destroy(pp);
        bx_rinex_obs_destroy(rd);
        /* the command on the same file: the same end point (it reads the header's antenna offset) */
        char bin[512], refs[128];
        if (tu_bin(bin, sizeof bin, "bdsrx")) {
            snprintf(refs, sizeof refs, "%.10f,%.10f,%.4f", llh[0] / D2R, llh[1] / D2R, llh[2]);
            assert_int_equal(tu_runl(&r, NULL, bin, "ppp", "--obs", rnx, "--nav", pn, "--brdc", "--signals", "B1I,B3I",
                                     "--mode", kin ? "kinematic" : "static", "--ref", refs, "--json", NULL), 0);
            char *last = r.out, *q;
            while ((q = strstr(last, "}\n")) && q[2])
                last = q + 2;
            const char *pe = strstr(last, "\"e_m\":"), *pu = strstr(last, "\"u_m\":");
            assert_non_null(pe);
            assert_non_null(pu);
            printf("bdsrx ppp --brdc: last E %+.3f U %+.3f m (library E %+.3f U %+.3f m)\n", atof(pe + 6), atof(pu + 6),
                   enu[0], enu[2]);
            assert_true(fabs(atof(pe + 6) - enu[0]) < 0.01 && fabs(atof(pu + 6) - enu[2]) < 0.01);
            tu_result_free(&r);
        }
    }
    bx_nav_destroy(&nav);
    unlink(rnx);
}

/* A slip the geometry-free test cannot see (154 B1C and 115 B2a cycles: lambda1 154 = lambda2
 * 115 = c / 10.23 MHz) is caught by the Melbourne-Wubbena test (39 wide-lane cycles) and, on
 * its own, by the pre-fit residual test; a 30 m code outlier (one epoch, one satellite) is left
 * out by the residual test; and a 10-minute outage of every observation: the time back to 10 cm. */
static void test_ppp_slip_outage(void **state)
{
    (void)state;
    char ps[512];
    bx_sp3_t *sp3 = load_sp3(ps, sizeof ps);
    if (!sp3) {
        skip();
        return;
    }
    static bx_ppp_sp3_src_t src;
    bx_ppp_sp3_src_init(&src, sp3, NULL);
    double llh[3];
    bx_ecef_to_llh(SITE, llh);
    const bx_time_t t0 = bx_time_add(sp3->epoch[0], 4 * 3600.0 + 17.0);
    double worst[3] = {0, 0, 0}, jump[2] = {0, 0};
    int caught[3] = {0, 0, 0}, rej[2] = {0, 0};
    /* mw: 0 neither MW nor the residual test, 1 MW only, 2 the residual test only */
    for (int mw = 0; mw < 3; mw++) {
        truth_t tr;
        memset(&tr, 0, sizeof tr);
        rs_ = 0x2545F4914F6CDD1Dull;
        for (int p = 0; p < 64; p++) {
            tr.n1[p] = (int)(gauss() * 1e5);
            tr.n2[p] = (int)(gauss() * 1e5);
            tr.stec[p] = 10.0 + 5.0 * (p % 7);
        }
        bx_ppp_cfg_t cfg;
        bx_ppp_cfg_default(&cfg);
        cfg.models = BX_PPP_MODEL_ALL & ~(mw == 0   ? BX_PPP_MODEL_MW | BX_PPP_MODEL_REJECT
                                          : mw == 1 ? BX_PPP_MODEL_REJECT
                                                    : BX_PPP_MODEL_MW);
        memcpy(cfg.ant_delta_hen_m, HEN, sizeof HEN);
        bx_ppp_t *pp;
        assert_int_equal(bx_ppp_create(&cfg, &pp, NULL, 0), BX_OK);
        static bx_obs_t obs;
        int slip_prn = 0;
        for (int k = 0; k < 120; k++) {
            synth(&src, bx_time_add(t0, 30.0 * k), 150.0, &tr, &obs);
            if (k == 60) { /* the highest satellite slips from now on */
                double best = -1;
                for (int i = 0; i < obs.n; i++) {
                    double pos[3], c, az, el;
                    if (bx_ppp_sp3_satfn(&src, obs.d[i].prn, obs.time, pos, &c) == 0 &&
                        (bx_azel(SITE, llh, pos, &az, &el), el > best)) {
                        best = el;
                        slip_prn = obs.d[i].prn;
                    }
                }
                tr.n1[slip_prn] += 154;
                tr.n2[slip_prn] += 115;
                synth(&src, bx_time_add(t0, 30.0 * k), 150.0, &tr, &obs);
            }
            bx_ppp_sol_t sol;
            if (bx_ppp_update(pp, &obs, bx_ppp_sp3_satfn, &src, &sol) != BX_OK)
                continue;
            if (k == 60)
                caught[mw] = sol.n_slip;
            const double d[3] = {sol.pos_m[0] - SITE[0], sol.pos_m[1] - SITE[1], sol.pos_m[2] - SITE[2]};
            double enu[3];
            bx_ecef_to_enu(llh, d, enu);
            if (k >= 60)
                worst[mw] = fmax(worst[mw], fabs(enu[2]));
        }
        bx_ppp_destroy(pp);
    }
    printf("GF-invisible slip (154/115 cycles) on one satellite at 30 min: without MW and residual test %d slips "
           "found, worst up after %.3f m; MW only %d found, worst up %.3f m; residual test only %d found, worst up "
           "%.3f m\n", caught[0], worst[0], caught[1], worst[1], caught[2], worst[2]);
    assert_int_equal(caught[0], 0);
    assert_int_equal(caught[1], 1);
    assert_int_equal(caught[2], 1);
    assert_true(worst[1] < 0.1 && worst[2] < 0.1 && worst[0] > 1.0);
    /* code outlier: +30 m on both codes of the highest satellite at 30 min (static, converged) */
    for (int use = 0; use < 2; use++) {
        truth_t tr;
        memset(&tr, 0, sizeof tr);
        rs_ = 0x2545F4914F6CDD1Dull;
        for (int p = 0; p < 64; p++) {
            tr.n1[p] = (int)(gauss() * 1e5);
            tr.n2[p] = (int)(gauss() * 1e5);
            tr.stec[p] = 10.0 + 5.0 * (p % 7);
        }
        bx_ppp_cfg_t cfg;
        bx_ppp_cfg_default(&cfg);
        cfg.models = use ? BX_PPP_MODEL_ALL : BX_PPP_MODEL_ALL & ~BX_PPP_MODEL_REJECT;
        memcpy(cfg.ant_delta_hen_m, HEN, sizeof HEN);
        bx_ppp_t *pp;
        assert_int_equal(bx_ppp_create(&cfg, &pp, NULL, 0), BX_OK);
        static bx_obs_t obs;
        double before[3] = {0, 0, 0};
        for (int k = 0; k <= 60; k++) {
            synth(&src, bx_time_add(t0, 30.0 * k), 150.0, &tr, &obs);
            if (k == 60)
                for (int i = 0; i < obs.n; i++)
                    if (obs.d[i].prn == obs.d[obs.n / 2].prn)
                        obs.d[i].pseudorange_m += 30.0;
            bx_ppp_sol_t sol;
            if (bx_ppp_update(pp, &obs, bx_ppp_sp3_satfn, &src, &sol) != BX_OK)
                continue;
            if (k == 59)
                memcpy(before, sol.pos_m, sizeof before);
            if (k == 60) {
                const double d[3] = {sol.pos_m[0] - before[0], sol.pos_m[1] - before[1], sol.pos_m[2] - before[2]};
                jump[use] = norm3(d);
                rej[use] = sol.n_reject;
            }
        }
        bx_ppp_destroy(pp);
    }
    printf("30 m code outlier: without the residual test the position moves %.4f m at that epoch; with it %.4f m "
           "(%d measurement(s) left out)\n", jump[0], jump[1], rej[1]);
    assert_int_equal(rej[0], 0);
    assert_true(rej[1] >= 1 && rej[1] <= 2);
    assert_true(jump[1] < jump[0]);
    /* outage, kinematic */
    truth_t tr;
    memset(&tr, 0, sizeof tr);
    for (int p = 0; p < 64; p++) {
        tr.n1[p] = (int)(gauss() * 1e5);
        tr.n2[p] = (int)(gauss() * 1e5);
        tr.stec[p] = 10.0 + 5.0 * (p % 7);
    }
    for (int kin = 0; kin < 2; kin++) {
        bx_ppp_cfg_t cfg;
        bx_ppp_cfg_default(&cfg);
        cfg.models = BX_PPP_MODEL_ALL;
        cfg.kinematic = kin;
        memcpy(cfg.ant_delta_hen_m, HEN, sizeof HEN);
        bx_ppp_t *pp;
        assert_int_equal(bx_ppp_create(&cfg, &pp, NULL, 0), BX_OK);
        static bx_obs_t obs;
        double t10 = -1, worst_after = 0;
        int nslip_back = 0;
        const int k_out0 = 120, k_out1 = 140, nep = 260; /* outage 60-70 min */
        for (int k = 0; k < nep; k++) {
            synth(&src, bx_time_add(t0, 30.0 * k), 150.0 + 1.5 * k, &tr, &obs);
            if (k >= k_out0 && k < k_out1)
                continue;
            bx_ppp_sol_t sol;
            if (bx_ppp_update(pp, &obs, bx_ppp_sp3_satfn, &src, &sol) != BX_OK)
                continue;
            if (k == k_out1)
                nslip_back = sol.n_slip;
            const double d[3] = {sol.pos_m[0] - SITE[0], sol.pos_m[1] - SITE[1], sol.pos_m[2] - SITE[2]};
            double enu[3];
            bx_ecef_to_enu(llh, d, enu);
            const double hor = hypot(enu[0], enu[1]);
            if (k >= k_out1) {
                if (hor < 0.10 && t10 < 0)
                    t10 = 30.0 * (k - k_out1);
                if (hor >= 0.10)
                    t10 = -1;
                worst_after = fmax(worst_after, hor);
            }
        }
        printf("10-min outage of every signal at 60 min, %s: %d ambiguities re-initialised, back to 10 cm horizontal "
               "after %.0f s, worst horizontal after the outage %.3f m\n", kin ? "kinematic" : "static", nslip_back,
               t10, worst_after);
        assert_true(nslip_back >= 5);
        assert_true(t10 >= 0 && t10 <= (kin ? 1800 : 300));
        bx_ppp_destroy(pp);
    }
    bx_sp3_destroy(sp3);
}

/* IF(B1C,B2a) code biases against IF(B1I,B3I) clocks from broadcast group delays (the merged DLR
 * navigation file of 2023-03-12 has both D1/D2 and CNAV records): observations synthesized with
 * those biases (on the SP3 day) fit only with them. */
static void test_sp3_code_bias(void **state)
{
    (void)state;
    char ps[512], pn[512], err[256];
    if (!testdata_path(ps, sizeof ps, SP3REL) ||
        !testdata_path(pn, sizeof pn, "real/rinex_bds3_obs/BRD400DLR_S_20230710000_01D_MN.rnx.gz")) {
        skip();
        return;
    }
    bx_sp3_t *sp3;
    assert_int_equal(bx_sp3_read(ps, &sp3, err, sizeof err), BX_OK);
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_rinex_nav_read(pn, &nav, err, sizeof err), BX_OK);
    static bx_ppp_sp3_src_t src, truth;
    bx_ppp_sp3_src_init(&src, sp3, NULL);
    bx_ppp_sp3_src_init(&truth, sp3, NULL);
    const int nb = bx_ppp_sp3_bias_from_nav(&truth, &nav);
    double bmax = 0, bmin = 0;
    for (int p = 1; p <= BX_PRN_MAX; p++) {
        bmax = fmax(bmax, truth.code_bias_m[p]);
        bmin = fmin(bmin, truth.code_bias_m[p]);
    }
    printf("code biases from broadcast TGDs for %d satellites, %.2f .. %.2f m\n", nb, bmin, bmax);
    assert_true(nb >= 20);
    assert_true(bmax - bmin > 0.5 && bmax < 30 && bmin > -30);
    double llh[3];
    bx_ecef_to_llh(SITE, llh);
    const bx_time_t t0 = bx_time_add(sp3->epoch[0], 4 * 3600.0 + 17.0);
    double rc[3], h30[3];
    for (int use = 0; use < 3; use++) { /* 0 not corrected, 1 corrected, 2 no biases at all */
        truth_t tr;
        memset(&tr, 0, sizeof tr);
        rs_ = 0x2545F4914F6CDD1Dull;
        for (int p = 0; p < 64; p++) {
            tr.n1[p] = (int)(gauss() * 1e5);
            tr.n2[p] = (int)(gauss() * 1e5);
            tr.stec[p] = 10.0 + 5.0 * (p % 7);
        }
        if (use == 1)
            bx_ppp_sp3_bias_from_nav(&src, &nav);
        if (use == 2) {
            memset(src.code_bias_m, 0, sizeof src.code_bias_m);
            memset(truth.code_bias_m, 0, sizeof truth.code_bias_m);
        }
        bx_ppp_cfg_t cfg;
        bx_ppp_cfg_default(&cfg);
        cfg.models = BX_PPP_MODEL_ALL;
        memcpy(cfg.ant_delta_hen_m, HEN, sizeof HEN);
        bx_ppp_t *pp;
        assert_int_equal(bx_ppp_create(&cfg, &pp, NULL, 0), BX_OK);
        static bx_obs_t obs;
        double sc = 0;
        int n = 0;
        h30[use] = NAN;
        for (int k = 0; k < 61; k++) {
            /* the truth source carries the biases: P_IF = rho + c dtr - c (clk - bias/c) */
            synth(&truth, bx_time_add(t0, 30.0 * k), 150.0, &tr, &obs);
            bx_ppp_sol_t sol;
            if (bx_ppp_update(pp, &obs, bx_ppp_sp3_satfn, &src, &sol) != BX_OK)
                continue;
            if (k >= 20) {
                sc += sol.rms_code_m * sol.rms_code_m;
                n++;
            }
            const double d[3] = {sol.pos_m[0] - SITE[0], sol.pos_m[1] - SITE[1], sol.pos_m[2] - SITE[2]};
            double enu[3];
            bx_ecef_to_enu(llh, d, enu);
            h30[use] = hypot(enu[0], enu[1]);
        }
        rc[use] = sqrt(sc / n);
        bx_ppp_destroy(pp);
    }
    printf("B1C/B2a on SP3 clocks with code biases in the data: without the bias correction post-fit code RMS %.2f m, "
           "horizontal after 30 min %.3f m; with it %.2f m, %.3f m; data without biases %.2f m, %.3f m\n", rc[0], h30[0],
           rc[1], h30[1], rc[2], h30[2]);
    assert_true(fabs(rc[1] - rc[2]) < 0.05 * rc[2] && rc[0] > 1.3 * rc[1]);
    assert_true(h30[1] < h30[0] && fabs(h30[1] - h30[2]) < 0.02);
    bx_nav_destroy(&nav);
    bx_sp3_destroy(sp3);
}

/* RINEX clock reader on bad files: another time system, epochs going backwards, a cut record */
static void test_clk_bad(void **state)
{
    (void)state;
    static const char *bodies[3] = {
        "     3.04           C                                       RINEX VERSION / TYPE\n"
        "UTC                                                         TIME SYSTEM ID\n"
        "                                                            END OF HEADER\n"
        "AS C20       2023 08 11 00 00  0.000000  1    1.0E-04\n",
        "     3.04           C                                       RINEX VERSION / TYPE\n"
        "                                                            END OF HEADER\n"
        "AS C20       2023 08 11 00 05  0.000000  1    1.0E-04\n"
        "AS C20       2023 08 11 00 00  0.000000  1    1.0E-04\n",
        "     3.04           C                                       RINEX VERSION / TYPE\n"
        "                                                            END OF HEADER\n"
        "AS C20       2023 08 11 00 05\n",
    };
    const int want[3] = {BX_ERR_UNSUPPORTED, BX_ERR_FORMAT, BX_ERR_FORMAT};
    for (int k = 0; k < 3; k++) {
        char path[] = "/tmp/bdsrx_clkbad_XXXXXX", err[256] = "";
        FILE *f = fdopen(mkstemp(path), "w");
        assert_non_null(f);
        fputs(bodies[k], f);
        fclose(f);
        bx_rnxclk_t *c = (bx_rnxclk_t *)1;
        assert_int_equal(bx_rnxclk_read(path, &c, err, sizeof err), want[k]);
        assert_null(c);
        assert_non_null(strstr(err, path));
        printf("bad clock file %d: %s\n", k, err);
        unlink(path);
    }
    bx_rnxclk_t *c;
    assert_int_equal(bx_rnxclk_read("/nonexistent/x.clk", &c, NULL, 0), BX_ERR_IO);
    bx_rnxclk_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solid_tide_iers),  cmocka_unit_test(test_windup_hand),
        cmocka_unit_test(test_shapiro_sagnac),   cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_clk_and_sp3_source), cmocka_unit_test(test_ppp_all_models),
        cmocka_unit_test(test_ppp_real_kms3),    cmocka_unit_test(test_ppp_slip_outage),
        cmocka_unit_test(test_sp3_code_bias),    cmocka_unit_test(test_clk_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
