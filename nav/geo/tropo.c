/* Tropospheric delay: Saastamoinen model with a standard atmosphere.
 *
 * Saastamoinen, J. (1972) "Atmospheric correction for the troposphere and
 * stratosphere in radio ranging of satellites", Geophysical Monograph 15,
 * AGU; zenith delays in the common simplified form
 *   hydrostatic  Dh = 0.0022768 P / (1 - 0.00266 cos 2phi - 0.00028 H_km)
 *   wet          Dw = 0.002277 (1255 / T + 0.05) e
 * (P, e in hPa, T in K, result in m), mapped with the secant of the zenith
 * angle.  Meteorological values from the standard atmosphere (U.S. Standard
 * Atmosphere 1976 troposphere: P0 = 1013.25 hPa, T0 = 288.15 K, lapse
 * 6.5 K/km, pressure exponent 5.2568) and 70 % relative humidity with the
 * Magnus-Tetens saturation vapour pressure e_s = 6.108 exp(17.15 (T - 273.15)
 * / (T - 38.45)) hPa (T in K; 17.15 * 273.15 = 4684).  Ellipsoidal height is used for H (the geoid
 * undulation, < 100 m, changes the delay by < 3 cm).  The secant mapping is
 * accurate to ~1 % above 15 deg and grows worse towards the horizon, which
 * the PVT weighting accounts for. */
#include <math.h>

#include "bdsrx/pvt.h"

double bx_tropo_delay_m(const double llh[3], double el_rad)
{
    const double h = llh[2];
    if (el_rad <= 0.0 || h < -100.0 || h > 1e4)
        return 0.0;
    const double p_hpa = 1013.25 * pow(1.0 - 2.2557e-5 * h, 5.2568);
    const double t_k = 288.15 - 6.5e-3 * h;
    const double rel_hum = 0.7;
    const double e_hpa = 6.108 * rel_hum * exp((17.15 * t_k - 4684.0) / (t_k - 38.45));
    const double zen = M_PI / 2.0 - el_rad;
    const double sec_z = 1.0 / cos(zen);
    const double dh = 0.0022768 * p_hpa / (1.0 - 0.00266 * cos(2.0 * llh[0]) - 0.00028 * h / 1e3);
    const double dw = 0.002277 * (1255.0 / t_k + 0.05) * e_hpa;
    return (dh + dw) * sec_z;
}
