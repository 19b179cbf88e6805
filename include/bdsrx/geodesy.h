/*
 * bdsrx — geodesy on the CGCS2000 ellipsoid: ECEF <-> geodetic (lat, lon,
 * height), local East-North-Up frames, satellite azimuth/elevation.
 *
 * Units: llh = {latitude rad, longitude rad, ellipsoidal height m}; ECEF in
 * metres (CGCS2000 realises ITRF at the cm level, so WGS-84/ITRF station
 * coordinates such as RINEX APPROX POSITION XYZ are used unchanged).
 *
 * Threads: pure functions: safe from any thread.
 */
#ifndef BDSRX_GEODESY_H
#define BDSRX_GEODESY_H

#ifdef __cplusplus
extern "C" {
#endif

/* CGCS2000 ellipsoid and Earth rotation rate (orbit.md §1). */
#define BX_CGCS2000_A_M 6378137.0
#define BX_CGCS2000_F (1.0 / 298.257222101)
#define BX_OMEGA_E_RAD_S 7.2921150e-5

/* Geodetic -> ECEF. */
void bx_llh_to_ecef(const double llh[3], double ecef_m[3]);

/* ECEF -> geodetic (iterative, converges to < 1e-12 rad / 0.1 mm; handles the
 * poles and the Earth's centre, which maps to lat 0, lon 0, h = -a). */
void bx_ecef_to_llh(const double ecef_m[3], double llh[3]);

/* Rotation matrix ECEF -> ENU at geodetic position llh, row-major 3x3:
 * enu = R * d_ecef.  Rows are the East, North and Up unit vectors. */
void bx_enu_matrix(const double llh[3], double r[9]);

/* Vector ECEF -> ENU (and back) at llh. */
void bx_ecef_to_enu(const double llh[3], const double d_ecef[3], double enu[3]);
void bx_enu_to_ecef(const double llh[3], const double enu[3], double d_ecef[3]);

/* Azimuth (0..2pi, clockwise from north) and elevation (-pi/2..pi/2) of the
 * point sat_m seen from rx_m (llh = geodetic position of rx_m).  Returns the
 * geometric distance in metres. */
double bx_azel(const double rx_m[3], const double rx_llh[3], const double sat_m[3], double *az_rad,
               double *el_rad);

#ifdef __cplusplus
}
#endif
#endif
