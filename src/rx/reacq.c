/*
 * Re-acquisition plan: which satellites to search, and where in Doppler, once
 * ephemerides, a position and the receiver time are known (issue 14 §2).
 *
 * For every PRN of the signal's default set (bx_acq_default_prn) with an
 * ephemeris valid at t: satellite position and velocity (bx_satpos), elevation
 * from the receiver position (bx_azel), and the geometric Doppler
 *   fD = -(v_sat - v_rx) . u / lambda      (u = unit vector receiver -> satellite,
 *                                           static receiver, ECEF velocities)
 * of the signal's carrier (signals.md §1).  Satellites above the mask are
 * returned with that Doppler; the receiver adds its clock-drift estimate (the
 * mean of measured minus predicted Doppler over the tracked channels) and
 * searches a narrow window around it (bx_acq_search_window).  Pure function,
 * no allocation; thread-safe.
 */
#include <math.h>
#include <string.h>

#include "bdsrx/acq.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "reacq.h"

#define C_LIGHT 299792458.0

int bx_reacq_predict(const bx_nav_t *nav, const double rx_ecef_m[3], bx_time_t t, int sig, double mask_deg,
                     bx_reacq_sat_t *out, int max)
{
    if (!nav || !rx_ecef_m || !out || max <= 0)
        return 0;
    const double f = sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    double llh[3];
    bx_ecef_to_llh(rx_ecef_m, llh);
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX && n < max; prn++) {
        if (!bx_acq_default_prn(sig, prn))
            continue;
        const bx_eph_t *e = bx_nav_select(nav, prn, t);
        double p[3], v[3];
        if (!e || bx_satpos(e, t, p, v, NULL, NULL) != BX_OK)
            continue;
        double az, el;
        const double r = bx_azel(rx_ecef_m, llh, p, &az, &el);
        if (!(r > 0.0) || el * 180.0 / M_PI < mask_deg)
            continue;
        double rate = 0.0; /* range rate, m/s */
        for (int i = 0; i < 3; i++)
            rate += v[i] * (p[i] - rx_ecef_m[i]) / r;
        out[n].prn = prn;
        out[n].el_deg = el * 180.0 / M_PI;
        out[n].doppler_hz = -rate * f / C_LIGHT;
        n++;
    }
    return n;
}
