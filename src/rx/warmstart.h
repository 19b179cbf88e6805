/*
 * Warm and hot start (internal to the receiver engine, src/rx/receiver.c):
 * time and position from the tracked code phases, ephemerides and an
 * approximate time, without a decoded navigation frame.
 *
 * Each synchronised channel measures its transmit time modulo the pilot
 * secondary-code period (B1C 18 s, B2a 0.1 s).  The coarse-time solution
 * (bx_pvt_coarse: position, common offset, time error) resolves the rest:
 * the a-priori position may be anywhere within a few thousand km (the
 * whole-period choice is unambiguous for c P / 2 = 15000 km with B2a, far more
 * with B1C) and the time hint within ~10 min (the time error enters through
 * the range rates).  A solution is accepted only with >= 5 satellites,
 * residuals below WARM_MAX_RESID_M and a plausible height, or with 4 (no
 * redundancy) when it agrees with the a-priori position and the time hint,
 * and only when its time is 3 sigma inside half a secondary period.
 *
 * Thread-safety: plain functions, no state.
 */
#ifndef BDSRX_WARMSTART_H
#define BDSRX_WARMSTART_H

#include "bdsrx/eph.h"
#include "bdsrx/pvt.h"
#include "bdsrx/types.h"

#define WARM_MIN_SATS 5          /* 5 unknowns; the height aid adds the redundancy checked */
#define WARM_MIN_SATS_APR 4      /* with an a-priori position: 4 (+ height), then the fix must lie */
#define WARM_APR_RADIUS_M 100e3  /* within this of it and within 3 sigma + 1 s of the time hint */
#define WARM_RANGE_SIGMA_M 1.5   /* pseudorange sigma for the time's standard deviation (the
                                    simulator's are < 1 m after lock; unmodelled ionosphere adds
                                    metres in a real sky): the whole secondary periods must be
                                    3 sigma sure (B2a: sigma < 17 ms) */
#define WARM_MAX_RESID_M 150.0   /* largest residual of an accepted coarse fix */

/* Coarse fix from n measurements (code_phase_s = transmit time modulo
 * period_s) at the reference sample whose BDT is about t_hint.  x0_m: a-priori
 * ECEF position or NULL (then tried from the centre of the tracked
 * satellites' footprints and a ring of points around it).  On BX_OK sol->time
 * is the true BDT of the reference sample and sol->pos_m the position.
 * BX_ERR_NOFIX with sol->reason otherwise. */
int bx_warm_solve(const bx_coarse_meas_t *m, const double *period_s, int n, bx_time_t t_hint, double hint_sigma_s,
                  const double *x0_m, const bx_nav_t *nav, bx_sol_t *sol);

/* Predicted signal time stamp (satellite time of signal sig, pilot) of the
 * signal received at true time t_rx at x_m; BX_ERR_ARG without ephemeris. */
int bx_warm_predict_tx(const bx_nav_t *nav, int prn, int sig, bx_time_t t_rx, const double x_m[3], bx_time_t *tx);

#endif
