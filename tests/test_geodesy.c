/* Geodesy: known points and round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "bdsrx/geodesy.h"

#define D2R (M_PI / 180.0)

/* EPSG Guidance Note 7-2 (IOGP), worked example for geographic <-> geocentric
 * (WGS 84): 53°48'33.820"N 2°07'46.380"E h = 73.0 m -> X 3771793.968,
 * Y 140253.342, Z 5124304.349 m.  WGS 84 and CGCS2000 flattenings differ by
 * 1.6e-11, i.e. < 0.1 mm here. */
static void test_epsg_example(void **state)
{
    (void)state;
    const double llh[3] = {(53 + 48 / 60.0 + 33.820 / 3600.0) * D2R, (2 + 7 / 60.0 + 46.380 / 3600.0) * D2R,
                           73.0};
    double x[3], back[3];
    bx_llh_to_ecef(llh, x);
    assert_true(fabs(x[0] - 3771793.968) < 2e-3);
    assert_true(fabs(x[1] - 140253.342) < 2e-3);
    assert_true(fabs(x[2] - 5124304.349) < 2e-3);
    const double xin[3] = {3771793.968, 140253.342, 5124304.349};
    bx_ecef_to_llh(xin, back);
    assert_true(fabs(back[0] - llh[0]) * 6.4e6 < 2e-3);
    assert_true(fabs(back[1] - llh[1]) * 6.4e6 < 2e-3);
    assert_true(fabs(back[2] - llh[2]) < 2e-3);
}

static void test_axes(void **state)
{
    (void)state;
    const double b = BX_CGCS2000_A_M * (1.0 - BX_CGCS2000_F); /* 6356752.31414 m */
    double llh[3];
    const double pole[3] = {0, 0, b + 100.0};
    bx_ecef_to_llh(pole, llh);
    assert_true(fabs(llh[0] - M_PI / 2) < 1e-12);
    assert_true(fabs(llh[2] - 100.0) < 1e-6);
    const double spole[3] = {0, 0, -b};
    bx_ecef_to_llh(spole, llh);
    assert_true(fabs(llh[0] + M_PI / 2) < 1e-12);
    assert_true(fabs(llh[2]) < 1e-6);
    const double eq[3] = {0, -BX_CGCS2000_A_M, 0};
    bx_ecef_to_llh(eq, llh);
    assert_true(fabs(llh[0]) < 1e-12);
    assert_true(fabs(llh[1] + M_PI / 2) < 1e-12);
    assert_true(fabs(llh[2]) < 1e-6);
    assert_true(fabs(b - 6356752.31414) < 1e-4);
}

static void test_round_trip(void **state)
{
    (void)state;
    srand(7);
    for (int i = 0; i < 2000; i++) {
        double llh[3] = {((double)rand() / RAND_MAX - 0.5) * M_PI * 0.999,
                         ((double)rand() / RAND_MAX - 0.5) * 2 * M_PI, -500.0 + 4e7 * (double)rand() / RAND_MAX};
        double x[3], back[3], x2[3];
        bx_llh_to_ecef(llh, x);
        bx_ecef_to_llh(x, back);
        bx_llh_to_ecef(back, x2);
        for (int k = 0; k < 3; k++)
            assert_true(fabs(x2[k] - x[k]) < 1e-4);
        assert_true(fabs(back[2] - llh[2]) < 1e-4);
    }
}

static void test_enu_azel(void **state)
{
    (void)state;
    const double llh[3] = {55.705 * D2R, 12.536 * D2R, 50.0};
    double rx[3];
    bx_llh_to_ecef(llh, rx);
    /* straight up: 20000 km along the ellipsoid normal */
    double up[3] = {0, 0, 2e7}, d[3], sat[3], az, el;
    bx_enu_to_ecef(llh, up, d);
    for (int k = 0; k < 3; k++)
        sat[k] = rx[k] + d[k];
    double r = bx_azel(rx, llh, sat, &az, &el);
    assert_true(fabs(el - M_PI / 2) < 1e-9);
    assert_true(fabs(r - 2e7) < 1e-6);
    /* 30 deg elevation, azimuth 120 deg (south-east) */
    const double a0 = 120 * D2R, e0 = 30 * D2R;
    double enu[3] = {sin(a0) * cos(e0) * 1e7, cos(a0) * cos(e0) * 1e7, sin(e0) * 1e7};
    bx_enu_to_ecef(llh, enu, d);
    for (int k = 0; k < 3; k++)
        sat[k] = rx[k] + d[k];
    bx_azel(rx, llh, sat, &az, &el);
    assert_true(fabs(az - a0) < 1e-12);
    assert_true(fabs(el - e0) < 1e-12);
    /* ENU of the ECEF z axis at latitude phi: north = cos(phi), up = sin(phi) */
    const double z[3] = {0, 0, 1};
    bx_ecef_to_enu(llh, z, enu);
    assert_true(fabs(enu[0]) < 1e-15);
    assert_true(fabs(enu[1] - cos(llh[0])) < 1e-15);
    assert_true(fabs(enu[2] - sin(llh[0])) < 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epsg_example),
        cmocka_unit_test(test_axes),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_enu_azel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
