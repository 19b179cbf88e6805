/* BDGIM: normalisation (orthonormal harmonics on the sphere), pierce-point
 * geometry against an independent ray/sphere intersection, geomagnetic pole
 * and sun-fixed frame, delay scaling, the non-broadcast table loader.  The
 * ICD's non-broadcast table is not available (see iono.h), so no test
 * compares complete-model values with published ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/iono.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/orbit.h"
#include "bdsrx/time.h"
#include "testdata.h"

#define D2R (M_PI / 180.0)

/* VTEC of a single unit coefficient: i < 9 broadcast α_i, else β_(i-9). */
static double unit_vtec(int i, bx_time_t t, double lat, double lon)
{
    bx_bdgim_t p = {.valid = 1};
    static bx_bdgim_nonbrd_t nb;
    memset(&nb, 0, sizeof nb); /* all periods 0: β_j = a0[j] */
    if (i < 9) {
        p.alpha_tecu[i] = 1.0;
        return bx_bdgim_vtec_tecu(&p, NULL, t, lat, lon);
    }
    nb.a0[i - 9] = 1.0;
    return bx_bdgim_vtec_tecu(&p, &nb, t, lat, lon);
}

/* The 26 terms are fully normalised spherical harmonics in a rotated frame:
 * mean over the sphere of A_i A_j = δ_ij (4-pi normalisation).  Midpoint
 * rule on a 1.5-degree grid, exact to ~1e-3 for degree <= 5. */
static void test_orthonormal(void **state)
{
    (void)state;
    const int nlat = 120, nlon = 240, nt = 26;
    double *v = malloc(sizeof(double) * nt * nlat * nlon);
    double *w = malloc(sizeof(double) * nlat);
    const bx_time_t t = bx_time_from_civil(2023, 3, 12, 7, 30, 0.0);
    double wsum = 0.0;
    for (int a = 0; a < nlat; a++) {
        const double lat = -M_PI / 2 + (a + 0.5) * M_PI / nlat;
        w[a] = cos(lat);
        wsum += w[a] * nlon;
        for (int b = 0; b < nlon; b++) {
            const double lon = -M_PI + (b + 0.5) * 2 * M_PI / nlon;
            for (int i = 0; i < nt; i++)
                v[(size_t)i * nlat * nlon + a * nlon + b] = unit_vtec(i, t, lat, lon);
        }
    }
    double worst = 0.0;
    for (int i = 0; i < nt; i++)
        for (int j = i; j < nt; j++) {
            double s = 0.0;
            for (int a = 0; a < nlat; a++)
                for (int b = 0; b < nlon; b++)
                    s += w[a] * v[(size_t)i * nlat * nlon + a * nlon + b] * v[(size_t)j * nlat * nlon + a * nlon + b];
            s /= wsum;
            worst = fmax(worst, fabs(s - (i == j ? 1.0 : 0.0)));
        }
    printf("orthonormality: max |<A_i A_j> - δ_ij| = %.1e\n", worst);
    assert_true(worst < 3e-3);
    free(v);
    free(w);
}

/* Pierce point vs an independent construction: receiver on a sphere of
 * radius R, ray along az/el (ENU -> ECEF), intersection with radius R + H. */
static void test_ipp_geometry(void **state)
{
    (void)state;
    const double R = 6378e3, H = 400e3;
    srand(5);
    for (int k = 0; k < 2000; k++) {
        const double llh[3] = {(rand() / (double)RAND_MAX - 0.5) * 170 * D2R,
                               (rand() / (double)RAND_MAX - 0.5) * 360 * D2R, 0.0};
        const double az = rand() / (double)RAND_MAX * 2 * M_PI, el = (2 + rand() % 88) * D2R;
        const double sl = sin(llh[0]), cl = cos(llh[0]), so = sin(llh[1]), co = cos(llh[1]);
        const double p[3] = {R * cl * co, R * cl * so, R * sl};
        const double e[3] = {-so, co, 0}, n[3] = {-sl * co, -sl * so, cl}, u[3] = {cl * co, cl * so, sl};
        double d[3];
        for (int c = 0; c < 3; c++)
            d[c] = cos(el) * sin(az) * e[c] + cos(el) * cos(az) * n[c] + sin(el) * u[c];
        /* |p + s d| = R + H, s > 0 */
        const double b = p[0] * d[0] + p[1] * d[1] + p[2] * d[2];
        const double s = -b + sqrt(b * b - (R * R - (R + H) * (R + H)));
        const double q[3] = {p[0] + s * d[0], p[1] + s * d[1], p[2] + s * d[2]};
        const double qlat = asin(q[2] / (R + H)), qlon = atan2(q[1], q[0]);
        /* zenith angle at the pierce point: angle between d and the radial there */
        const double z = acos((q[0] * d[0] + q[1] * d[1] + q[2] * d[2]) / (R + H));
        double lat, lon, zi;
        bx_bdgim_ipp(llh, az, el, &lat, &lon, &zi);
        assert_true(fabs(lat - qlat) < 1e-9);
        assert_true(fabs(remainder(lon - qlon, 2 * M_PI)) * cos(qlat) < 1e-9);
        assert_true(fabs(zi - z) < 1e-9);
    }
}

/* α1 alone is a constant VTEC: zenith delay = 40.28e16 α1 / f^2 (1 TECu =
 * 0.1623 m on L1/B1C), slant = zenith / cos z', B2a = B1C (f1/f2)^2. */
static void test_delay_scaling(void **state)
{
    (void)state;
    bx_bdgim_t p = {.valid = 1};
    p.alpha_tecu[0] = 10.0;
    const double llh[3] = {30.5 * D2R, 114.3 * D2R, 50.0};
    const bx_time_t t = bx_time_from_week_sow(897, 14734.0);
    /* broadcast terms only (NULL table): α1 alone */
    const double z1 = bx_bdgim_delay_full_m(&p, NULL, t, llh, 1.0, M_PI / 2, BX_FREQ_B1C_HZ);
    assert_true(fabs(z1 - 1.6229) < 1e-3);
    assert_true(fabs(z1 / 10.0 - 0.1623) < 1e-4);
    const double el = 20 * D2R;
    const double sz = 6378.0 / 6778.0 * cos(el);
    const double s1 = bx_bdgim_delay_full_m(&p, NULL, t, llh, 2.0, el, BX_FREQ_B1C_HZ);
    assert_true(fabs(s1 - z1 / sqrt(1 - sz * sz)) < 1e-9);
    const double s2 = bx_bdgim_delay_full_m(&p, NULL, t, llh, 2.0, el, BX_FREQ_B2A_HZ);
    assert_true(fabs(s2 - s1 * pow(BX_FREQ_B1C_HZ / BX_FREQ_B2A_HZ, 2)) < 1e-9);
    p.valid = 0;
    assert_true(bx_bdgim_delay_m(&p, t, llh, 2.0, el, BX_FREQ_B1C_HZ) == 0.0);
    assert_true(bx_bdgim_delay_m(NULL, t, llh, 2.0, el, BX_FREQ_B1C_HZ) == 0.0);
    p.valid = 1;
    p.alpha_tecu[0] = -5.0; /* negative VTEC -> no delay */
    assert_true(bx_bdgim_delay_m(&p, t, llh, 2.0, el, BX_FREQ_B1C_HZ) == 0.0);
}

/* Frames: (1,0) = sqrt(3) sin(geomagnetic latitude) is +sqrt(3) at the
 * geomagnetic north pole (80.27 N, 72.58 W) and -sqrt(3) at its antipode;
 * (1,1) = sqrt(3) cos(mlat) cos(sun-fixed longitude) equals
 * sqrt(3) cos(mlat) at the sub-solar point: (0, 0) at 12:00, (0, 90 W) at
 * 18:00, (0, 90 E) at 06:00 of the model's time. */
static void test_frames(void **state)
{
    (void)state;
    const double pl = 80.27 * D2R, po = -72.58 * D2R;
    const bx_time_t t = bx_time_from_civil(2023, 3, 12, 12, 0, 0.0);
    assert_true(fabs(unit_vtec(1, t, pl, po) - sqrt(3.0)) < 1e-9);
    assert_true(fabs(unit_vtec(1, t, -pl, po + M_PI) + sqrt(3.0)) < 1e-9);
    const double hours[3] = {12, 18, 6}, lons[3] = {0, -90, 90};
    for (int k = 0; k < 3; k++) {
        const bx_time_t tk = bx_time_from_civil(2023, 3, 12, (int)hours[k], 0, 0.0);
        const double lon = lons[k] * D2R;
        const double mlat = asin(sin(pl) * 0 + cos(pl) * cos(lon - po));
        assert_true(fabs(unit_vtec(2, tk, 0.0, lon) - sqrt(3.0) * cos(mlat)) < 1e-9);
        /* the sine term (1,-1) vanishes there */
        assert_true(fabs(unit_vtec(3, tk, 0.0, lon)) < 1e-9);
    }
}

/* The full model (broadcast + the built-in ICD non-broadcast table + the VTEC
 * floor) against the BDGIM authors' reference implementation (Li Z., Wang N.,
 * AIRCAS 2021, C code published with the model): VTEC computed there for the
 * α of its own example (2020-11-05) and for the same α with α1 = 2 TECu, at
 * pierce points given in geographic lat/lon and MJD (its UTC MJD; the 4-6 s
 * BDT-UTC offset changes nothing at 1e-3 TECu). */
static void test_reference_vtec(void **state)
{
    (void)state;
    static const struct { double a1, mjd, lat_deg, lon_deg, vtec_tecu; } ref[] = {
        {13.82642069, 59158.7083333, 40.00, 116.00, 5.727031}, {13.82642069, 59158.1000000, 30.50, 114.30, 19.270944},
        {13.82642069, 60015.1700000, 30.50, 114.30, 25.323896}, {13.82642069, 60015.1700000, -20.00, -60.00, 14.594393},
        {13.82642069, 59500.9300000, 60.00, 10.00, 2.304403},   {13.82642069, 59500.9300000, 0.00, 170.00, 28.176456},
        {2.0, 59158.7083333, 40.00, 116.00, 0.500000},           {2.0, 59158.1000000, 30.50, 114.30, 7.444523},
        {2.0, 60015.1700000, 30.50, 114.30, 13.497475},          {2.0, 60015.1700000, -20.00, -60.00, 2.767973},
        {2.0, 59500.9300000, 60.00, 10.00, 0.500000},            {2.0, 59500.9300000, 0.00, 170.00, 16.350035},
    };
    bx_bdgim_nonbrd_t icd;
    assert_int_equal(bx_bdgim_nonbrd_icd(&icd), BX_OK);
    assert_int_equal(bx_bdgim_nonbrd_icd(NULL), BX_ERR_ARG);
    bx_bdgim_t p = {.valid = 1,
                    .alpha_tecu = {13.82642069, -1.78004616, 5.17200000, 3.13030940, -4.58961329, 0.32483867,
                                   -0.07802383, 1.24312590, 0.37763627}};
    double worst = 0.0;
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        p.alpha_tecu[0] = ref[i].a1;
        const double sec = (ref[i].mjd - 53736.0) * 86400.0; /* bx_time_t: s since MJD 53736 */
        const bx_time_t t = bx_time_make((int64_t)floor(sec), sec - floor(sec));
        double v = bx_bdgim_vtec_tecu(&p, &icd, t, ref[i].lat_deg * D2R, ref[i].lon_deg * D2R);
        v = fmax(v, bx_bdgim_vtec_floor_tecu(p.alpha_tecu[0]));
        worst = fmax(worst, fabs(v - ref[i].vtec_tecu));
        assert_true(fabs(v - ref[i].vtec_tecu) < 0.01);
        /* the broadcast terms alone differ: the table matters */
        if (i == 1)
            assert_true(fabs(bx_bdgim_vtec_tecu(&p, NULL, t, ref[i].lat_deg * D2R, ref[i].lon_deg * D2R) - v) > 0.5);
    }
    printf("NOTE: BDGIM VTEC vs the authors' reference implementation: worst %.5f TECu over %zu points\n", worst,
           sizeof ref / sizeof ref[0]);
}

/* Loader and the periodic evaluation: β_j = a0 + ac cos(ω t_p) + as sin(ω t_p)
 * with t_p the MJD of the centre of the 2-hour interval. */
static void test_nonbrd_loader(void **state)
{
    (void)state;
    char path[] = "/tmp/bdsrx_bdgim_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# synthetic table for the test (not the ICD table)\nperiods_d");
    for (int k = 0; k < BX_BDGIM_PERIODS; k++)
        fprintf(f, " %g", k == 0 ? 1.0 : 100.0 + k);
    fprintf(f, "\n");
    for (int j = 0; j < BX_BDGIM_NONBRD; j++) {
        for (int c = 0; c < 25; c++)
            fprintf(f, " %g", (j == 4 && c == 1) ? 2.0 : (j == 4 && c == 2) ? -1.0 : 0.0);
        fprintf(f, "\n");
    }
    fclose(f);
    bx_bdgim_nonbrd_t nb;
    char err[256];
    assert_int_equal(bx_bdgim_nonbrd_load(path, &nb, err, sizeof err), BX_OK);
    assert_true(nb.period_d[0] == 1.0 && nb.ac[4][0] == 2.0 && nb.as[4][0] == -1.0);
    bx_bdgim_t p = {.valid = 1};
    const bx_time_t t = bx_time_from_civil(2023, 3, 12, 7, 10, 0.0); /* interval 06-08 h, centre 07:00 */
    const double tp = bx_time_to_mjd(bx_time_from_civil(2023, 3, 12, 7, 0, 0.0));
    const double beta = 2.0 * cos(2 * M_PI * tp) - sin(2 * M_PI * tp);
    const double lat = 0.3, lon = 1.1;
    assert_true(fabs(bx_bdgim_vtec_tecu(&p, &nb, t, lat, lon) - beta * unit_vtec(9 + 4, t, lat, lon)) < 1e-9);
    /* malformed files */
    f = fopen(path, "w");
    fprintf(f, "periods_d 1 2 3\n");
    fclose(f);
    assert_int_equal(bx_bdgim_nonbrd_load(path, &nb, err, sizeof err), BX_ERR_FORMAT);
    assert_non_null(strstr(err, ":1: 12 numbers expected, found 3"));
    f = fopen(path, "w");
    fprintf(f, "periods_d 1 2 3 4 5 6 7 8 9 10 11 12\n1 2 x\n");
    fclose(f);
    assert_int_equal(bx_bdgim_nonbrd_load(path, &nb, err, sizeof err), BX_ERR_FORMAT);
    assert_non_null(strstr(err, ":2: 25 numbers expected, found 2 and trailing text"));
    remove(path);
    assert_int_equal(bx_bdgim_nonbrd_load(path, &nb, err, sizeof err), BX_ERR_IO);
}

/* Broadcast-only model with the real α of 2023-03-12 (DLR file): every
 * zenith B1C delay over the globe lies within 0..15 m (sanity only). */
static void test_real_alpha(void **state)
{
    (void)state;
    char p[512], err[256];
    if (!testdata_path(p, sizeof p, "real/rinex_bds3_obs/BRD400DLR_S_20230710000_01D_MN.rnx.gz"))
        skip();
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_rinex_nav_read(p, &nav, err, sizeof err), BX_OK);
    assert_true(nav.iono.valid);
    /* plausibility over the globe (solar-maximum year): zenith B1C delay between 0 and 25 m
     * (155 TECu), and the non-broadcast terms change it by metres, not tens */
    double mx = 0.0, mx_brd = 0.0, mx_diff = 0.0;
    for (int h = 0; h < 24; h += 3)
        for (int la = -80; la <= 80; la += 10)
            for (int lo = -180; lo < 180; lo += 15) {
                const double llh[3] = {la * D2R, lo * D2R, 0.0};
                const bx_time_t t = bx_time_from_civil(2023, 3, 12, h, 0, 0.0);
                const double d = bx_bdgim_delay_m(&nav.iono, t, llh, 0.0, M_PI / 2, BX_FREQ_B1C_HZ);
                const double b = bx_bdgim_delay_full_m(&nav.iono, NULL, t, llh, 0.0, M_PI / 2, BX_FREQ_B1C_HZ);
                assert_true(d >= 0.0 && d < 25.0);
                assert_true(b >= 0.0 && b < 25.0);
                mx = fmax(mx, d);
                mx_brd = fmax(mx_brd, b);
                mx_diff = fmax(mx_diff, fabs(d - b));
            }
    printf("NOTE: BDGIM, 2023-03-12 alpha: max zenith B1C delay %.2f m (broadcast terms only %.2f m, "
           "largest difference %.2f m)\n", mx, mx_brd, mx_diff);
    assert_true(mx > 1.0);
    assert_true(mx_diff < 10.0);
    bx_nav_destroy(&nav);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orthonormal),   cmocka_unit_test(test_ipp_geometry),
        cmocka_unit_test(test_delay_scaling), cmocka_unit_test(test_frames),
        cmocka_unit_test(test_nonbrd_loader), cmocka_unit_test(test_real_alpha),
        cmocka_unit_test(test_reference_vtec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
