/* bdsrx — PPP measurement models (include/bdsrx/ppp_model.h: sources of every formula and
 * constant). */
#include <math.h>

#include "bdsrx/orbit.h"
#include "bdsrx/ppp_model.h"
#include "bdsrx/time.h"

#define D2R (M_PI / 180.0)
#define AU_M 1.495978707e11         /* IAU 2012 astronomical unit */
#define RE_AA_M 6378140.0           /* Earth radius of the Astronomical Almanac lunar parallax */
#define RE_IERS_M 6378136.6         /* IERS 2010 Table 1.1 */
#define GM_E 3.986004418e14         /* IERS 2010 Table 1.1 */
#define MU_MOON 0.0123000371        /* GM_moon / GM_E, IERS 2010 Table 1.1 */
#define GM_SUN 1.32712442099e20     /* IERS 2010 Table 1.1 (TCB; the TDB value differs by 1e-8) */

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static double norm3(const double a[3])
{
    return sqrt(dot3(a, a));
}

/* ecliptic (lon, lat, distance) -> equatorial -> ECEF by GMST */
static void ecl_to_ecef(double lam, double bet, double r, double eps, double gmst, double out[3])
{
    const double x = r * cos(bet) * cos(lam);
    const double y = r * (cos(eps) * cos(bet) * sin(lam) - sin(eps) * sin(bet));
    const double z = r * (sin(eps) * cos(bet) * sin(lam) + cos(eps) * sin(bet));
    out[0] = cos(gmst) * x + sin(gmst) * y;
    out[1] = -sin(gmst) * x + cos(gmst) * y;
    out[2] = z;
}

void bx_sun_moon_ecef(bx_time_t t, double sun_m[3], double moon_m[3])
{
    const double n = bx_time_to_mjd(t) - 51544.5; /* days from J2000.0 */
    const double T = n / 36525.0;
    const double eps = (23.439 - 4e-7 * n) * D2R;
    const double gmst = fmod(280.46061837 + 360.98564736629 * n, 360.0) * D2R;
    if (sun_m) { /* AA low precision: mean longitude, anomaly, ecliptic longitude, distance */
        const double L = 280.460 + 0.9856474 * n, g = (357.528 + 0.9856003 * n) * D2R;
        const double lam = (L + 1.915 * sin(g) + 0.020 * sin(2 * g)) * D2R;
        const double R = (1.00014 - 0.01671 * cos(g) - 0.00014 * cos(2 * g)) * AU_M;
        ecl_to_ecef(lam, 0.0, R, eps, gmst, sun_m);
    }
    if (moon_m) { /* AA low-precision lunar series (degrees, T in Julian centuries) */
        const double lam = 218.32 + 481267.881 * T + 6.29 * sin((135.0 + 477198.87 * T) * D2R) -
                           1.27 * sin((259.3 - 413335.36 * T) * D2R) + 0.66 * sin((235.7 + 890534.22 * T) * D2R) +
                           0.21 * sin((269.9 + 954397.74 * T) * D2R) - 0.19 * sin((357.5 + 35999.05 * T) * D2R) -
                           0.11 * sin((186.5 + 966404.03 * T) * D2R);
        const double bet = 5.13 * sin((93.3 + 483202.02 * T) * D2R) + 0.28 * sin((228.2 + 960400.89 * T) * D2R) -
                           0.28 * sin((318.3 + 6003.15 * T) * D2R) - 0.17 * sin((217.6 - 407332.21 * T) * D2R);
        const double par = 0.9508 + 0.0518 * cos((135.0 + 477198.87 * T) * D2R) +
                           0.0095 * cos((259.3 - 413335.36 * T) * D2R) + 0.0078 * cos((235.7 + 890534.22 * T) * D2R) +
                           0.0028 * cos((269.9 + 954397.74 * T) * D2R);
        ecl_to_ecef(lam * D2R, bet * D2R, RE_AA_M / sin(par * D2R), eps, gmst, moon_m);
    }
}

/* IERS 2010 eq. 7.5 (degree 2, h2/l2 with their latitude term) and eq. 7.6 (degree 3) */
static void tide_body(const double rr[3], const double rb[3], double gm_ratio, double dr[3])
{
    const double r = norm3(rr), R = norm3(rb);
    double u[3], U[3];
    for (int i = 0; i < 3; i++) {
        u[i] = rr[i] / r;
        U[i] = rb[i] / R;
    }
    const double c = dot3(u, U);
    const double sphi = rr[2] / r;                     /* geocentric latitude */
    const double p2 = (3.0 * sphi * sphi - 1.0) / 2.0;
    const double h2 = 0.6078 - 0.0006 * p2, l2 = 0.0847 + 0.0002 * p2, h3 = 0.292, l3 = 0.015;
    const double k2 = gm_ratio * pow(RE_IERS_M, 4) / pow(R, 3);
    const double k3 = gm_ratio * pow(RE_IERS_M, 5) / pow(R, 4);
    const double rad = k2 * h2 * (1.5 * c * c - 0.5) + k3 * h3 * (2.5 * c * c * c - 1.5 * c);
    const double tan = k2 * 3.0 * l2 * c + k3 * l3 * (7.5 * c * c - 1.5);
    for (int i = 0; i < 3; i++)
        dr[i] += rad * u[i] + tan * (U[i] - c * u[i]);
}

void bx_solid_tide_m(const double rr_m[3], const double sun_m[3], const double moon_m[3], double dr_m[3])
{
    dr_m[0] = dr_m[1] = dr_m[2] = 0.0;
    if (norm3(rr_m) < 1e6)
        return;
    if (sun_m)
        tide_body(rr_m, sun_m, GM_SUN / GM_E, dr_m);
    if (moon_m)
        tide_body(rr_m, moon_m, MU_MOON, dr_m);
}

void bx_sat_nominal_axes(const double rs_m[3], const double sun_m[3], double ex[3], double ey[3], double ez[3])
{
    const double r = norm3(rs_m);
    double s[3];
    for (int i = 0; i < 3; i++) {
        ez[i] = -rs_m[i] / r;
        s[i] = sun_m[i] - rs_m[i];
    }
    cross3(ez, s, ey);
    const double ny = norm3(ey);
    for (int i = 0; i < 3; i++)
        ey[i] /= ny;
    cross3(ey, ez, ex);
}

double bx_windup_cyc(const double ex[3], const double ey[3], const double rs_m[3], const double rr_m[3],
                     double prev_cyc)
{
    /* receiver antenna: x north, y west (local level at rr, geocentric approximation of the
     * vertical is not good enough: use the ellipsoidal normal) */
    const double p = hypot(rr_m[0], rr_m[1]);
    const double lon = atan2(rr_m[1], rr_m[0]);
    /* geodetic latitude by two fixed-point steps (enough for an antenna orientation) */
    const double e2 = 6.69438002290e-3, a = 6378137.0;
    double lat = atan2(rr_m[2], p * (1.0 - e2));
    for (int it = 0; it < 3; it++) {
        const double N = a / sqrt(1.0 - e2 * sin(lat) * sin(lat));
        lat = atan2(rr_m[2] + e2 * N * sin(lat), p);
    }
    const double xr[3] = {-sin(lat) * cos(lon), -sin(lat) * sin(lon), cos(lat)}; /* north */
    const double yr[3] = {sin(lon), -cos(lon), 0.0};                             /* west */
    double k[3];
    for (int i = 0; i < 3; i++)
        k[i] = rr_m[i] - rs_m[i]; /* satellite -> receiver */
    const double nk = norm3(k);
    for (int i = 0; i < 3; i++)
        k[i] /= nk;
    double kys[3], kyr[3], ds[3], dr[3];
    cross3(k, ey, kys);
    cross3(k, yr, kyr);
    const double kxs = dot3(k, ex), kxr = dot3(k, xr);
    for (int i = 0; i < 3; i++) {
        ds[i] = ex[i] - k[i] * kxs - kys[i];
        dr[i] = xr[i] - k[i] * kxr + kyr[i];
    }
    double c = dot3(ds, dr) / (norm3(ds) * norm3(dr));
    c = c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
    double dd[3];
    cross3(ds, dr, dd);
    const double phi = (dot3(k, dd) < 0.0 ? -1.0 : 1.0) * acos(c) / (2.0 * M_PI);
    return phi + floor(prev_cyc - phi + 0.5);
}

double bx_shapiro_m(const double rs_m[3], const double rr_m[3])
{
    const double rs = norm3(rs_m), rr = norm3(rr_m);
    const double d[3] = {rs_m[0] - rr_m[0], rs_m[1] - rr_m[1], rs_m[2] - rr_m[2]};
    const double rho = norm3(d);
    return 2.0 * GM_E / (BX_CLIGHT_MPS * BX_CLIGHT_MPS) * log((rs + rr + rho) / (rs + rr - rho));
}

double bx_sagnac_m(const double rs_m[3], const double rr_m[3])
{
    return BX_OMEGA_E_BDS_RAD_S * (rs_m[0] * rr_m[1] - rs_m[1] * rr_m[0]) / BX_CLIGHT_MPS;
}

double bx_niell_wet_map(double lat_rad, double el_rad)
{
    /* Niell (1996) Table 3: wet a, b, c at |latitude| 15, 30, 45, 60, 75 deg */
    static const double A[5] = {5.8021897e-4, 5.6794847e-4, 5.8118019e-4, 5.9727542e-4, 6.1641693e-4};
    static const double B[5] = {1.4275268e-3, 1.5138625e-3, 1.4572752e-3, 1.5007428e-3, 1.7599082e-3};
    static const double C[5] = {4.3472961e-2, 4.6729510e-2, 4.3908931e-2, 4.4626982e-2, 5.4736038e-2};
    double lat = fabs(lat_rad) / D2R, a, b, c;
    if (lat <= 15.0) {
        a = A[0], b = B[0], c = C[0];
    } else if (lat >= 75.0) {
        a = A[4], b = B[4], c = C[4];
    } else {
        const int i = (int)((lat - 15.0) / 15.0);
        const double f = (lat - 15.0 - 15.0 * i) / 15.0;
        a = A[i] + f * (A[i + 1] - A[i]);
        b = B[i] + f * (B[i + 1] - B[i]);
        c = C[i] + f * (C[i + 1] - C[i]);
    }
    const double s = sin(el_rad);
    return (1.0 + a / (1.0 + b / (1.0 + c))) / (s + a / (s + b / (s + c)));
}

double bx_tropo_map_do229(double el_rad)
{
    const double s = sin(el_rad);
    return 1.001 / sqrt(0.002001 + s * s);
}
