/*
 * The simulator's realistic sky and differential atmosphere (src/sim/simscen.c), checked
 * against independent arithmetic:
 *  - bx_simscen_add_igso: the 3 IGSO are geosynchronous (the ground position repeats after a
 *    sidereal day to < 30 km: the node regresses ~20 km a day), cross the equator near 118 E, reach about +-55 deg latitude, and
 *    with the 24 MEO give at least 9 and on average >= 10 satellites above 5 deg at 30.5 N
 *    114.3 E over the hours of a day;
 *  - the ionosphere gradient: the difference of the code delay between two places 5 km apart
 *    equals 40.3e16 x gradient x distance / f^2 x the single-layer slant factor (B1C and B2a, to
 *    0.1 mm), the troposphere gradient the same with 1/sin(el), the carrier advance 2 f I / c;
 *  - the random residual field is the same function of place and time for every run (two calls
 *    agree) and bounded by its amplitude.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/eph.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"

#define DEG (M_PI / 180.0)

static void ecef_of(double lat_deg, double lon_deg, double h, double p[3])
{
    const double llh[3] = {lat_deg * DEG, lon_deg * DEG, h};
    bx_llh_to_ecef(llh, p);
}

static void test_igso_sky(void **state)
{
    (void)state;
    const bx_time_t t0 = bx_time_from_civil(2023, 3, 12, 4, 5, 34.0);
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_simscen_constellation(&nav, t0), BX_OK);
    assert_int_equal(bx_simscen_add_igso(&nav, t0), BX_OK);
    int nigso = 0;
    for (int k = 0; k < nav.n_eph; k++) {
        const bx_eph_t *e = &nav.eph[k];
        if (e->prn < 38 || e->prn > 40)
            continue;
        nigso++;
        assert_int_equal(e->sat_type, BX_SAT_IGSO);
        /* over one sidereal day: the ground track closes; its latitude range and node longitude */
        double p0[3], v[3], clk, drift, llh[3], latmax = -90, latmin = 90, node_lon = NAN, prev_lat = NAN;
        assert_int_equal(bx_satpos(e, t0, p0, v, &clk, &drift), BX_OK);
        for (int m = 0; m <= 1440; m += 5) {
            double p[3];
            assert_int_equal(bx_satpos(e, bx_time_add(t0, m * 60.0), p, v, &clk, &drift), BX_OK);
            bx_ecef_to_llh(p, llh);
            latmax = fmax(latmax, llh[0] / DEG);
            latmin = fmin(latmin, llh[0] / DEG);
            if (prev_lat < 0 && llh[0] >= 0)
                node_lon = llh[1] / DEG;
            prev_lat = llh[0];
        }
        double p1[3];
        assert_int_equal(bx_satpos(e, bx_time_add(t0, 86164.09), p1, v, &clk, &drift), BX_OK);
        const double d = sqrt(pow(p1[0] - p0[0], 2) + pow(p1[1] - p0[1], 2) + pow(p1[2] - p0[2], 2));
        printf("NOTE: IGSO C%02d: latitude %.1f .. %.1f deg, ascending node at %.1f E, ground position after a "
               "sidereal day %.0f m away\n",
               e->prn, latmin, latmax, node_lon, d);
        assert_true(d < 30e3); /* the node's regression (Omegadot -6.8e-9 rad/s) moves it ~20 km a day */
        assert_true(latmax > 50 && latmax < 60 && latmin < -50 && latmin > -60);
        assert_true(fabs(node_lon - 118.0) < 3.0);
    }
    assert_int_equal(nigso, 3);
    /* satellites above 5 deg at the default place, every hour of a day */
    double rx[3];
    ecef_of(30.5, 114.3, 50, rx);
    int worst = 99, ge10 = 0, sum = 0;
    for (int h = 0; h < 24; h++) {
        const bx_time_t t = bx_time_add(t0, h * 3600.0);
        bx_nav_t n2;
        bx_nav_init(&n2);
        assert_int_equal(bx_simscen_constellation(&n2, t), BX_OK);
        assert_int_equal(bx_simscen_add_igso(&n2, t), BX_OK);
        bx_simscen_config_t sc;
        bx_simscen_config_default(&sc);
        sc.start = t;
        int vis = 0;
        for (int k = 0; k < n2.n_eph; k++) {
            bx_simgeom_t g;
            if (bx_simscen_geometry(&sc, &n2.eph[k], BX_SIG_B1C, rx, t, &g) == BX_OK && g.el_rad > 5.0 * DEG)
                vis++;
        }
        worst = vis < worst ? vis : worst;
        ge10 += vis >= 10;
        sum += vis;
        bx_nav_destroy(&n2);
    }
    printf("NOTE: 24 MEO + 3 IGSO over 30.5 N 114.3 E, every hour of a day: %.1f satellites above 5 deg on "
           "average, at least %d, >= 10 in %d of 24 hours\n",
           sum / 24.0, worst, ge10);
    assert_true(worst >= 9);
    assert_true(sum >= 10 * 24);
    bx_nav_destroy(&nav);
}

static void test_differential_atmosphere(void **state)
{
    (void)state;
    const bx_time_t t0 = bx_time_from_civil(2023, 3, 12, 4, 5, 34.0);
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_simscen_constellation(&nav, t0), BX_OK);
    bx_simscen_config_t a, b;
    bx_simscen_config_default(&a);
    a.start = t0;
    b = a;
    b.iono_grad_tecu_km[0] = 0.02, b.iono_grad_tecu_km[1] = 0.01;
    b.tropo_grad_mm_km[0] = 1.0, b.tropo_grad_mm_km[1] = 0.5;
    b.iono_carrier = 1;
    /* a place 3 km east and 4 km north of the reference point (the default 30.5 N 114.3 E) */
    double p[3], p0[3], d[3];
    ecef_of(30.5, 114.3, 0.0, p0);
    const double enu[3] = {3000.0, 4000.0, 0.0};
    bx_enu_to_ecef(a.atmo_ref_llh, enu, d);
    for (int i = 0; i < 3; i++)
        p[i] = p0[i] + d[i];
    const double vtec = 0.02 * 3.0 + 0.01 * 4.0, ztd = (1.0 * 3.0 + 0.5 * 4.0) * 1e-3;
    int n = 0;
    for (int k = 0; k < nav.n_eph; k++)
        for (int sig = BX_SIG_B1C; sig <= BX_SIG_B2A; sig++) {
            bx_simgeom_t ga, gb;
            if (bx_simscen_geometry(&a, &nav.eph[k], sig, p, t0, &ga) != BX_OK || ga.el_rad < 5.0 * DEG)
                continue;
            assert_int_equal(bx_simscen_geometry(&b, &nav.eph[k], sig, p, t0, &gb), BX_OK);
            const double f = sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
            const double c = cos(ga.el_rad) * 6371.0 / 6721.0;
            const double want_i = 40.3e16 * vtec / (f * f) / sqrt(1.0 - c * c);
            const double want_t = ztd / sin(ga.el_rad);
            assert_true(fabs((gb.iono_m - ga.iono_m) - want_i) < 1e-4);
            assert_true(fabs((gb.tropo_m - ga.tropo_m) - want_t) < 1e-4);
            assert_true(fabs(gb.carrier_adv_cyc - 2.0 * gb.iono_m * f / BX_CLIGHT_MPS) < 1e-9);
            assert_true(ga.carrier_adv_cyc == 0.0);
            /* the code sees the delays: the pseudorange grows by both */
            assert_true(fabs((gb.pseudorange_m - ga.pseudorange_m) - (want_i + want_t)) < 1e-3);
            n++;
        }
    assert_true(n >= 10);
    /* at the reference point itself the gradients add nothing */
    for (int k = 0; k < nav.n_eph; k++) {
        bx_simgeom_t ga, gb;
        if (bx_simscen_geometry(&a, &nav.eph[k], BX_SIG_B1C, p0, t0, &ga) != BX_OK || ga.el_rad < 5.0 * DEG)
            continue;
        assert_int_equal(bx_simscen_geometry(&b, &nav.eph[k], BX_SIG_B1C, p0, t0, &gb), BX_OK);
        assert_true(fabs(gb.iono_m - ga.iono_m) < 1e-9 && fabs(gb.tropo_m - ga.tropo_m) < 1e-9);
    }
    /* the residual field: deterministic, bounded, different per satellite */
    bx_simscen_config_t r = a;
    r.iono_resid_tecu = 0.05;
    double prev = NAN;
    int differ = 0;
    for (int k = 0; k < nav.n_eph; k++) {
        bx_simgeom_t g0, g1, g2;
        if (bx_simscen_geometry(&a, &nav.eph[k], BX_SIG_B1C, p, t0, &g0) != BX_OK || g0.el_rad < 5.0 * DEG)
            continue;
        assert_int_equal(bx_simscen_geometry(&r, &nav.eph[k], BX_SIG_B1C, p, t0, &g1), BX_OK);
        assert_int_equal(bx_simscen_geometry(&r, &nav.eph[k], BX_SIG_B1C, p, t0, &g2), BX_OK);
        assert_true(g1.iono_m == g2.iono_m);
        const double c = cos(g0.el_rad) * 6371.0 / 6721.0;
        const double vt = (g1.iono_m - g0.iono_m) * BX_FREQ_B1C_HZ * BX_FREQ_B1C_HZ / 40.3e16 * sqrt(1.0 - c * c);
        assert_true(fabs(vt) <= 0.05 * M_SQRT2 + 1e-9);
        differ += !isnan(prev) && fabs(vt - prev) > 1e-6;
        prev = vt;
    }
    assert_true(differ >= 3);
    bx_nav_destroy(&nav);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_igso_sky),
        cmocka_unit_test(test_differential_atmosphere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
