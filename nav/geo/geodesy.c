/* Geodesy on the CGCS2000 ellipsoid (orbit.md §1: a = 6378137 m,
 * f = 1/298.257222101).  Standard closed forms; the ECEF -> geodetic inverse
 * is the usual fixed-point iteration on the prime-vertical radius N, which
 * converges to machine precision within ~5 iterations at any height a
 * receiver can have. */
#include "bdsrx/geodesy.h"

#include <math.h>

static double e2(void)
{
    return BX_CGCS2000_F * (2.0 - BX_CGCS2000_F);
}

void bx_llh_to_ecef(const double llh[3], double ecef_m[3])
{
    const double sl = sin(llh[0]), cl = cos(llh[0]);
    const double n = BX_CGCS2000_A_M / sqrt(1.0 - e2() * sl * sl);
    ecef_m[0] = (n + llh[2]) * cl * cos(llh[1]);
    ecef_m[1] = (n + llh[2]) * cl * sin(llh[1]);
    ecef_m[2] = (n * (1.0 - e2()) + llh[2]) * sl;
}

void bx_ecef_to_llh(const double ecef_m[3], double llh[3])
{
    const double es = e2();
    const double p2 = ecef_m[0] * ecef_m[0] + ecef_m[1] * ecef_m[1];
    const double r2 = p2 + ecef_m[2] * ecef_m[2];
    if (r2 <= 0.0) {
        llh[0] = 0.0;
        llh[1] = 0.0;
        llh[2] = -BX_CGCS2000_A_M;
        return;
    }
    /* Iterate z' = z + N e^2 sin(lat): the ellipsoid normal through the point. */
    double z = ecef_m[2], zk = 0.0, n = BX_CGCS2000_A_M;
    for (int i = 0; i < 20 && fabs(z - zk) >= 1e-5; i++) {
        zk = z;
        const double sl = z / sqrt(p2 + z * z);
        n = BX_CGCS2000_A_M / sqrt(1.0 - es * sl * sl);
        z = ecef_m[2] + n * es * sl;
    }
    llh[0] = p2 > 1e-12 ? atan(z / sqrt(p2)) : (ecef_m[2] > 0.0 ? M_PI / 2.0 : -M_PI / 2.0);
    llh[1] = p2 > 1e-12 ? atan2(ecef_m[1], ecef_m[0]) : 0.0;
    llh[2] = sqrt(p2 + z * z) - n;
}

void bx_enu_matrix(const double llh[3], double r[9])
{
    const double sp = sin(llh[0]), cp = cos(llh[0]), sl = sin(llh[1]), cl = cos(llh[1]);
    r[0] = -sl;
    r[1] = cl;
    r[2] = 0.0;
    r[3] = -sp * cl;
    r[4] = -sp * sl;
    r[5] = cp;
    r[6] = cp * cl;
    r[7] = cp * sl;
    r[8] = sp;
}

void bx_ecef_to_enu(const double llh[3], const double d_ecef[3], double enu[3])
{
    double r[9];
    bx_enu_matrix(llh, r);
    for (int i = 0; i < 3; i++)
        enu[i] = r[3 * i] * d_ecef[0] + r[3 * i + 1] * d_ecef[1] + r[3 * i + 2] * d_ecef[2];
}

void bx_enu_to_ecef(const double llh[3], const double enu[3], double d_ecef[3])
{
    double r[9];
    bx_enu_matrix(llh, r);
    for (int i = 0; i < 3; i++) /* transpose: R is orthonormal */
        d_ecef[i] = r[i] * enu[0] + r[3 + i] * enu[1] + r[6 + i] * enu[2];
}

double bx_azel(const double rx_m[3], const double rx_llh[3], const double sat_m[3], double *az_rad,
               double *el_rad)
{
    const double d[3] = {sat_m[0] - rx_m[0], sat_m[1] - rx_m[1], sat_m[2] - rx_m[2]};
    const double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    double enu[3];
    bx_ecef_to_enu(rx_llh, d, enu);
    double az = atan2(enu[0], enu[1]);
    if (az < 0.0)
        az += 2.0 * M_PI;
    const double h = sqrt(enu[0] * enu[0] + enu[1] * enu[1]);
    if (az_rad)
        *az_rad = az;
    if (el_rad)
        *el_rad = atan2(enu[2], h);
    return r;
}
