/*
 * bdsrx — measurement models of precise point positioning (nav/pos/ppp_model.c): Sun and Moon,
 * solid Earth tide, satellite nominal attitude, carrier phase wind-up, Shapiro delay, Sagnac
 * term, troposphere mapping functions.  Pure functions: no state, any thread.
 *
 * Sources (each function says which part):
 *  - Sun: Astronomical Almanac low-precision formulae (~0.01 deg); Moon: Astronomical Almanac
 *    low-precision series (Section D, ~0.3 deg, ~0.2 % distance); rotated to ECEF by GMST only
 *    (precession/nutation/polar motion < 0.5 deg: < 2 mm of tide, nothing of an attitude).
 *  - Solid tide: IERS Conventions (2010), TN 36, §7.1.1, step 1 (frequency-independent Love
 *    numbers, eq. 7.5 degree 2 with the latitude dependence of h2/l2, eq. 7.6 degree 3).
 *    Step 2 (frequency-dependent corrections, up to 13 mm radial for K1) is NOT applied.
 *  - Wind-up: Wu, Yunck, Hajj, Bassiri (1993), manuscripta geodaetica 18:91-98, in the form of
 *    Kouba (2009) "A guide to using IGS products" §5.3.1.3; satellite attitude: nominal yaw
 *    steering (z to the Earth's centre, y = z x sun, x completing), no noon/midnight turn or
 *    orbit-normal mode of BDS-3 (those change wind-up by up to one cycle during an eclipse
 *    season turn; real yaw needs attitude models or quaternions).
 *  - Shapiro: IERS Conventions (2010) eq. 11.17 (one body, gamma = 1).
 *  - Sagnac: closed form omega_e (x_s y_r - y_s x_r) / c (IS-GPS-200 20.3.3.4.3.3.2 form).
 *  - Troposphere mapping: Niell (1996) JGR 101(B2):3227-3246 wet mapping (Table 3 coefficients
 *    vs latitude) and RTCA DO-229 A.4.2.4 m(el) = 1.001 / sqrt(0.002001 + sin^2 el).
 */
#ifndef BDSRX_PPP_MODEL_H
#define BDSRX_PPP_MODEL_H

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sun and Moon positions (ECEF, m) at time t (BDT; the few seconds to UT1 are ignored). Either
 * pointer may be NULL. */
void bx_sun_moon_ecef(bx_time_t t, double sun_m[3], double moon_m[3]);

/* Solid Earth tide displacement (ECEF, m) of the site rr (ECEF, m) for the given Sun and Moon
 * positions (ECEF, m): IERS 2010 step 1, degrees 2 and 3 (conventional tide-free: the permanent
 * part is included). */
void bx_solid_tide_m(const double rr_m[3], const double sun_m[3], const double moon_m[3], double dr_m[3]);

/* Nominal yaw-steering body axes of a satellite at rs (ECEF) with the Sun at sun (ECEF):
 * ez toward the Earth's centre, ey = ez x (sun - rs) normalised, ex = ey x ez. */
void bx_sat_nominal_axes(const double rs_m[3], const double sun_m[3], double ex[3], double ey[3], double ez[3]);

/* Carrier phase wind-up (cycles) for a satellite at rs with body axes ex/ey and a receiver at
 * rr whose antenna points north (x) / west (y).  The result is the fractional angle made
 * continuous with prev_cyc (pass 0 for the first epoch).  It ADDS to the carrier phase:
 * L = rho + ... + lambda * windup. */
double bx_windup_cyc(const double ex[3], const double ey[3], const double rs_m[3], const double rr_m[3],
                     double prev_cyc);

/* Shapiro (gravitational) delay of the signal path, m (positive, ~2 cm for MEO). */
double bx_shapiro_m(const double rs_m[3], const double rr_m[3]);

/* Sagnac (Earth rotation during the travel) range correction, m: to be added to the
 * geometric distance computed in the ECEF frame of reception with the satellite at its
 * transmit-time ECEF position rs. */
double bx_sagnac_m(const double rs_m[3], const double rr_m[3]);

/* Niell wet mapping function at geodetic latitude lat and elevation el (rad). */
double bx_niell_wet_map(double lat_rad, double el_rad);

/* RTCA DO-229 tropospheric mapping function. */
double bx_tropo_map_do229(double el_rad);

#ifdef __cplusplus
}
#endif
#endif
