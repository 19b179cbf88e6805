/* BDGIM broadcast ionosphere model (include/bdsrx/iono.h).
 *
 * Source of the structure: BDS-SIS-ICD-B1C-1.0 / B2a-1.0 §7 (BDGIM user
 * algorithm) as published by its authors, Yuan Y., Wang N., Li Z., Huo X.
 * (2019), "The BeiDou global broadcast ionospheric delay correction model
 * (BDGIM) and its preliminary performance evaluation results", NAVIGATION
 * 66(1):55-69.  shared/icd does NOT transcribe the algorithm (navmsg.md
 * Table N10 note), so every constant below is tagged [U] = not checked
 * against the ICD text here:
 *   thin shell H = 400 km over R = 6378 km                         [U]
 *   geomagnetic north pole 80.27 N, 72.58 W                        [U]
 *   sun-fixed longitude: subtract the geomagnetic longitude of the
 *   sub-solar point, S = pi (1 - 2 frac(MJD)) (latitude 0)          [U]
 *   fully normalised (4-pi) associated Legendre functions, no
 *   Condon-Shortley phase; m < 0 selects sin(|m| lambda)            [U]
 *   mapping 1 / sqrt(1 - (R cos E / (R + H))^2)                     [U]
 *   delay = 40.28e16 VTEC / f^2 (m, VTEC in TECu)                   [U]
 *   non-broadcast β_j evaluated at the centre of the 2-hour interval
 *   containing t (MJD days)                                         [U]
 * Non-broadcast periodic table: nav/geo/bdgim_table.c.  VTEC lower bound
 * (bx_bdgim_vtec_floor_tecu) as in the model authors' reference code.  [U]
 * The VTEC (broadcast + non-broadcast + floor) agrees with that reference
 * implementation to < 0.01 TECu (tests/test_iono.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/iono.h"
#include "bdsrx/time.h"

#define H_ION_M 400e3
#define R_EARTH_M 6378e3
#define POLE_LAT_RAD (80.27 * M_PI / 180.0)
#define POLE_LON_RAD (-72.58 * M_PI / 180.0)

/* degree/order of α1..α9 and β1..β17 (m < 0: sine term) */
static const int brd_nm[9][2] = {{0, 0}, {1, 0}, {1, 1}, {1, -1}, {2, 0}, {2, 1}, {2, -1}, {2, 2}, {2, -2}};
static const int nonbrd_nm[BX_BDGIM_NONBRD][2] = {{3, 0},  {3, 1}, {3, -1}, {3, 2}, {3, -2}, {3, 3},
                                                  {3, -3}, {4, 0}, {4, 1},  {4, -1}, {4, 2}, {4, -2},
                                                  {5, 0},  {5, 1}, {5, -1}, {5, 2},  {5, -2}};

/* Fully normalised P_nm(x) for 0 <= m <= n <= 5 by the standard recursions
 * P_mm = (2m-1)!! (1-x^2)^(m/2), P_m+1,m = x (2m+1) P_mm,
 * (l-m) P_lm = x (2l-1) P_l-1,m - (l+m-1) P_l-2,m, then the 4-pi factor
 * sqrt((2 - δ_m0)(2n+1)(n-m)!/(n+m)!). */
static double pnm_norm(int n, int m, double x)
{
    const double s = sqrt(fmax(0.0, (1.0 - x) * (1.0 + x)));
    double pmm = 1.0;
    for (int i = 1; i <= m; i++)
        pmm *= (2.0 * i - 1.0) * s;
    double p = pmm;
    if (n > m) {
        double pm1 = x * (2.0 * m + 1.0) * pmm, pm2 = pmm;
        p = pm1;
        for (int l = m + 2; l <= n; l++) {
            p = (x * (2.0 * l - 1.0) * pm1 - (l + m - 1.0) * pm2) / (l - m);
            pm2 = pm1;
            pm1 = p;
        }
    }
    double ratio = 1.0; /* (n-m)! / (n+m)! */
    for (int k = n - m + 1; k <= n + m; k++)
        ratio /= k;
    return sqrt((m == 0 ? 1.0 : 2.0) * (2.0 * n + 1.0) * ratio) * p;
}

static double sh(int n, int m, double lat, double lon)
{
    const double p = pnm_norm(n, m < 0 ? -m : m, sin(lat));
    return m >= 0 ? p * cos(m * lon) : p * sin(-m * lon);
}

/* Geographic -> geomagnetic latitude/longitude (rotation to the pole). */
static void to_geomag(double lat, double lon, double *mlat, double *mlon)
{
    const double sp = sin(POLE_LAT_RAD), cp = cos(POLE_LAT_RAD);
    const double dl = lon - POLE_LON_RAD;
    *mlat = asin(sp * sin(lat) + cp * cos(lat) * cos(dl));
    *mlon = atan2(cos(lat) * sin(dl) * cp, sp * sin(*mlat) - sin(lat));
}

void bx_bdgim_ipp(const double rx_llh[3], double az_rad, double el_rad, double *lat_rad, double *lon_rad,
                  double *zenith_ipp_rad)
{
    const double k = R_EARTH_M / (R_EARTH_M + H_ION_M) * cos(el_rad); /* sin of the zenith angle at the IPP */
    const double psi = M_PI / 2.0 - el_rad - asin(k);                 /* Earth-centred angle rx -> IPP */
    const double la = asin(sin(rx_llh[0]) * cos(psi) + cos(rx_llh[0]) * sin(psi) * cos(az_rad));
    const double lo = rx_llh[1] + atan2(sin(psi) * sin(az_rad) * cos(rx_llh[0]), cos(psi) - sin(rx_llh[0]) * sin(la));
    if (lat_rad)
        *lat_rad = la;
    if (lon_rad)
        *lon_rad = atan2(sin(lo), cos(lo));
    if (zenith_ipp_rad)
        *zenith_ipp_rad = asin(k);
}

double bx_bdgim_vtec_tecu(const bx_bdgim_t *p, const bx_bdgim_nonbrd_t *nonbrd, bx_time_t t, double ipp_lat_rad,
                          double ipp_lon_rad)
{
    if (!p || !p->valid)
        return 0.0;
    const double mjd = bx_time_to_mjd(t);
    double mlat, mlon;
    to_geomag(ipp_lat_rad, ipp_lon_rad, &mlat, &mlon);
    /* sun-fixed: longitude relative to the geomagnetic longitude of the
     * sub-solar point (geographic longitude S, latitude 0) */
    const double S = M_PI * (1.0 - 2.0 * (mjd - floor(mjd)));
    double slat, slon;
    to_geomag(0.0, S, &slat, &slon);
    const double lon = atan2(sin(mlon - slon), cos(mlon - slon));

    double vtec = 0.0;
    for (int i = 0; i < 9; i++)
        vtec += p->alpha_tecu[i] * sh(brd_nm[i][0], brd_nm[i][1], mlat, lon);
    if (nonbrd) {
        const double tp = floor(mjd * 12.0) / 12.0 + 1.0 / 24.0; /* centre of the 2-h interval */
        double c[BX_BDGIM_PERIODS], sn[BX_BDGIM_PERIODS];
        for (int k = 0; k < BX_BDGIM_PERIODS; k++) {
            const double w = nonbrd->period_d[k] > 0.0 ? 2.0 * M_PI / nonbrd->period_d[k] : 0.0;
            c[k] = w > 0.0 ? cos(w * tp) : 0.0;
            sn[k] = w > 0.0 ? sin(w * tp) : 0.0;
        }
        for (int j = 0; j < BX_BDGIM_NONBRD; j++) {
            double beta = nonbrd->a0[j];
            for (int k = 0; k < BX_BDGIM_PERIODS; k++)
                beta += nonbrd->ac[j][k] * c[k] + nonbrd->as[j][k] * sn[k];
            vtec += beta * sh(nonbrd_nm[j][0], nonbrd_nm[j][1], mlat, lon);
        }
    }
    return vtec;
}

double bx_bdgim_vtec_floor_tecu(double alpha1_tecu)
{
    /* [U] the model authors' reference code: a floor that grows with the
     * global mean level α1 */
    const double k = alpha1_tecu > 35.0 ? 10.0 : alpha1_tecu > 20.0 ? 8.0 : alpha1_tecu > 12.0 ? 6.0 : 4.0;
    return alpha1_tecu / k;
}

double bx_bdgim_delay_full_m(const bx_bdgim_t *p, const bx_bdgim_nonbrd_t *nonbrd, bx_time_t t,
                             const double rx_llh[3], double az_rad, double el_rad, double freq_hz)
{
    if (!p || !p->valid || !rx_llh || !(freq_hz > 0.0))
        return 0.0;
    double lat, lon, z;
    bx_bdgim_ipp(rx_llh, az_rad, el_rad, &lat, &lon, &z);
    double vtec = fmax(bx_bdgim_vtec_floor_tecu(p->alpha_tecu[0]), bx_bdgim_vtec_tecu(p, nonbrd, t, lat, lon));
    vtec = fmax(0.0, vtec); /* no negative delays */
    return 40.28e16 / (freq_hz * freq_hz) * vtec / cos(z); /* 1/cos z = 1/sqrt(1 - sin^2 z) */
}

double bx_bdgim_delay_m(const bx_bdgim_t *p, bx_time_t t, const double rx_llh[3], double az_rad, double el_rad,
                        double freq_hz)
{
    bx_bdgim_nonbrd_t icd;
    bx_bdgim_nonbrd_icd(&icd);
    return bx_bdgim_delay_full_m(p, &icd, t, rx_llh, az_rad, el_rad, freq_hz);
}

static int load_fail(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return BX_ERR_FORMAT;
}

int bx_bdgim_nonbrd_load(const char *path, bx_bdgim_nonbrd_t *tbl, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot open", path);
        return BX_ERR_IO;
    }
    memset(tbl, 0, sizeof *tbl);
    char line[1024];
    long ln = 0;
    int row = -1, st = BX_OK; /* row -1: expecting the periods line */
    while (st == BX_OK && fgets(line, sizeof line, f)) {
        ln++;
        char *q = line;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '#' || *q == '\n' || *q == '\0')
            continue;
        double v[2 * BX_BDGIM_PERIODS + 1];
        const int want = row < 0 ? BX_BDGIM_PERIODS : 2 * BX_BDGIM_PERIODS + 1;
        if (row < 0) {
            if (strncmp(q, "periods_d", 9) != 0) {
                st = load_fail(err, errlen, "%s:%ld: 'periods_d' line with %d periods (days) expected first", path,
                               ln, BX_BDGIM_PERIODS);
                break;
            }
            q += 9;
        }
        int got = 0, used;
        while (got < want && sscanf(q, "%lf%n", &v[got], &used) == 1) {
            q += used;
            got++;
        }
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
            q++;
        if (got != want || *q) {
            st = load_fail(err, errlen, "%s:%ld: %d numbers expected, found %d%s", path, ln, want, got,
                           *q ? " and trailing text" : "");
            break;
        }
        if (row < 0) {
            memcpy(tbl->period_d, v, sizeof tbl->period_d);
        } else if (row < BX_BDGIM_NONBRD) {
            tbl->a0[row] = v[0];
            for (int k = 0; k < BX_BDGIM_PERIODS; k++) {
                tbl->ac[row][k] = v[1 + 2 * k];
                tbl->as[row][k] = v[2 + 2 * k];
            }
        } else {
            st = load_fail(err, errlen, "%s:%ld: more than %d coefficient rows", path, ln, BX_BDGIM_NONBRD);
        }
        row++;
    }
    fclose(f);
    if (st == BX_OK && row != BX_BDGIM_NONBRD)
        st = load_fail(err, errlen, "%s: %d coefficient rows found, %d expected", path, row < 0 ? 0 : row,
                       BX_BDGIM_NONBRD);
    return st;
}
