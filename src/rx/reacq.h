/* Re-acquisition plan (src/rx/reacq.c): predicted satellites above the mask and their Doppler.
 * Internal to the library. */
#ifndef BDSRX_REACQ_H
#define BDSRX_REACQ_H

#include "bdsrx/eph.h"
#include "bdsrx/time.h"

typedef struct {
    int prn;
    double doppler_hz; /* geometric Doppler of the carrier, static receiver, no receiver clock drift */
    double el_deg;
} bx_reacq_sat_t;

/* Fills out[0..max) with the PRNs of sig's default set whose ephemeris (valid at BDT t) puts them
 * above mask_deg seen from rx_ecef_m; returns how many. */
int bx_reacq_predict(const bx_nav_t *nav, const double rx_ecef_m[3], bx_time_t t, int sig, double mask_deg,
                     bx_reacq_sat_t *out, int max);

#endif
