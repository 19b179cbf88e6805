/*
 * bdsrx — real-time kinematic (RTK) relative positioning from a base
 * receiver's and a rover's code and carrier-phase observations (BeiDou:
 * B1C, B2a, B2b and the legacy B1I, B2I, B3I; up to BX_RTK_MAXF signals at
 * once).  nav/pos/rtk.c (filter, ambiguity resolution), rtk_obs.c (geometry,
 * undifferenced residuals, single-point and Doppler solutions, cycle slips).
 *
 *   bx_rtk_config_t c; bx_rtk_config_default(&c); c.mode = BX_RTK_STATIC;
 *   memcpy(c.base_pos_m, base_ecef, sizeof base_ecef);
 *   bx_rtk_t *rtk; if (bx_rtk_create(&c, &rtk, err, sizeof err)) ...;
 *   for every epoch: bx_rtk_process(rtk, &base_obs, &rover_obs, &nav, &sol);
 *   bx_rtk_destroy(rtk);
 *
 * Model.  Undifferenced residuals per receiver r, satellite s, signal f
 * (satellite position at the transmit time of that receiver's epoch, Sagnac
 * rotation, broadcast clock with the group delay of the signal, Saastamoinen
 * troposphere at each end):
 *     y_P = P - (rho - c dts + T),   y_L = lambda phi - (rho - c dts + T)
 * Double differences against a reference satellite per signal (the highest
 * one) remove receiver and satellite clocks and, over short baselines, most of
 * the ionosphere, troposphere and orbit error:
 *     DD y_P = DD rho + e,   DD y_L = DD rho + lambda (N_sd^s - N_sd^ref) + e
 * An extended Kalman filter estimates the rover position (static: constant;
 * kinematic: propagated with the Doppler velocity when the rover has
 * Doppler, else re-initialised from its single-point fix each epoch) and one
 * single-differenced (rover - base) ambiguity per satellite and signal, in
 * cycles.  The DD covariance is built from the per-receiver variances
 * sigma^2 (1 + 1/sin^2 el) (scaled up below cn0_ref), so the correlation
 * through the reference satellite is exact.
 *
 * Ambiguity resolution: DD ambiguities of satellites above elmask_ar locked
 * for min_lock epochs go to LAMBDA (include/bdsrx/lambda.h); the integer
 * solution is accepted when ratio >= ratio_min AND the bootstrapped success
 * rate >= p_boot_min (and leaves a 3D position sigma <= fix_sigma_max_m); otherwise (par = 1) the largest decorrelated subset
 * with success rate >= p_boot_min is fixed and ratio-tested.  An accepted
 * fix must also leave every DD phase residual below fix_resid_max_m.
 * Fix-and-hold (hold = 1) feeds the validated integers back into the filter.
 *
 * Cycle slips: loss-of-lock indicator (BX_OBS_SLIP) at either receiver, a
 * jump of the geometry-free phase lambda1 phi1 - lambda2 phi2 (> slip_gf_m)
 * or of the Melbourne-Wuebbena wide lane (> slip_mw_cyc) where two signals
 * exist, phase change against the integrated Doppler after removing the median
 * over the satellites (> slip_dop_cyc) where the receiver gives Doppler, a
 * data gap longer than max_gap_s, and an innovation outlier (> reject_k sigma):
 * the ambiguity is re-initialised.  A float that looks precise but keeps
 * failing the ratio test (ar_reset_epochs) is re-initialised as a whole.
 *
 * Bad input: no base epoch, one older than max_age_s, a base farther than
 * max_baseline_m or without common satellites give the rover's single-point
 * fix (BX_FIX_SPP) with the reason in sol->msg.
 *
 * Atmosphere: on short baselines the residual DD ionosphere and troposphere only inflate the
 * variances (iono_ppm / tropo_ppm); beyond atmo_est_bl_m (default 1.5 km) the filter estimates
 * them (ionosphere-weighted model: a single-differenced slant ionosphere per satellite with an
 * a-priori sigma growing with the baseline, and a relative zenith troposphere), atmo_est.
 *
 * Limits: BeiDou only (GPS observations in the input are ignored); no antenna
 * phase-centre model.
 *
 * Thread safety: a bx_rtk_t is used by one thread at a time; distinct
 * objects are independent (no global state).
 */
#ifndef BDSRX_RTK_H
#define BDSRX_RTK_H

#include <stddef.h>
#include <stdio.h>

#include "bdsrx/eph.h"
#include "bdsrx/pvt.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_RTK_MAXF 3 /* signals (frequencies) processed together */

typedef enum { BX_RTK_KINEMATIC = 0, BX_RTK_STATIC = 1 } bx_rtk_mode_t;

typedef struct {
    int mode;               /* bx_rtk_mode_t, default kinematic */
    int n_sig;              /* signals used: 0 = automatic (the up-to-3 signals with the most satellites
                               carrying phase at both receivers in the first usable epoch) */
    int sig[BX_RTK_MAXF];   /* bx_signal_t / BX_SIG_B1I.. when n_sig > 0 */
    double base_pos_m[3];   /* base antenna ECEF; all 0 = averaged single-point fix of the base */
    double elmask_rad;      /* elevation mask, default 15 deg */
    double elmask_ar_rad;   /* mask for ambiguity resolution, default 15 deg */
    double phase_sigma_m;   /* zenith phase noise per receiver, default 0.003 m */
    double code_sigma_m;    /* zenith code noise per receiver, default 0.3 m */
    double cn0_ref_dbhz;    /* variances x 10^((cn0_ref - cn0)/10) below it, default 45; 0 off */
    double iono_ppm;        /* residual DD ionosphere sigma per baseline length (zenith, 1e-6), default 1 */
    double tropo_ppm;       /* residual DD troposphere sigma per baseline length, default 0.3 */
    double ratio_min;       /* ratio test threshold, default 3 */
    double p_boot_min;      /* bootstrapped success-rate bound, default 0.999 */
    int par;                /* partial ambiguity resolution, default 1 */
    int hold;               /* fix-and-hold, default 0 */
    int min_lock;           /* epochs of continuous phase before an ambiguity is resolved, default 1 */
    int min_fix_amb;        /* fewest DD ambiguities (or decorrelated combinations) to call a fix, default 4 */
    double fix_resid_max_m; /* largest DD phase residual of an accepted fix, default 0.05 m */
    double fix_sigma_max_m; /* largest 3D position sigma after a partial fix (a few decorrelated
                               combinations may leave decimetres: reported float), default 0.05 m */
    double slip_gf_m;       /* geometry-free jump, default 0.05 m */
    double slip_mw_cyc;     /* Melbourne-Wuebbena jump (wide-lane cycles), default 4 */
    double slip_dop_cyc;    /* phase change minus integrated Doppler (median over the satellites
                               removed), default 1 cycle per second; 0 off */
    int ar_reset_epochs;    /* the float ambiguities are re-initialised after this many consecutive
                               epochs in which they look precise (success rate >= p_boot_min) yet fail
                               the ratio test (an undetected slip absorbed by the float), default 10;
                               0 off */
    double max_gap_s;       /* phase continuity across a data gap, default 30 s */
    double max_age_s;       /* largest base - rover time difference, default 30 s */
    double max_baseline_m;  /* farther bases give a single-point solution with a message, default 30 km;
                               0 = no limit */
    double reject_k;        /* innovation outlier threshold in sigmas, default 6 */
    double amb_q_cyc;       /* ambiguity random walk, cycles/sqrt(s), default 1e-4 */
    double amb_init_sigma_m;/* a-priori sigma of a new SD ambiguity (metres), default 30 */
    double kin_q_mps;       /* kinematic: position noise per second of propagation with the Doppler velocity
                               (trapezoid of two epochs), m/s, default 0.3 */
    double pos_init_sigma_m;/* a-priori rover position sigma, default 30 m */
    int leap_s;             /* BDT - UTC for outputs, default 4 */
    /* appended: atmosphere states for longer baselines (ionosphere-weighted model) */
    int atmo_est;           /* -1 off, 0 auto: on when the rover is farther than atmo_est_bl_m from the base,
                               1 always.  On: one single-differenced slant ionosphere state per satellite
                               (metres on the first signal, (f1/f)^2 on the others, code + / phase -) and
                               one rover-minus-base zenith troposphere state (mapping 1/sin el) take the
                               place of iono_ppm / tropo_ppm in the variances; default 0 */
    double atmo_est_bl_m;   /* default 1500 m */
    double iono_init_ppm;   /* a-priori sigma of a new ionosphere state per baseline length (zenith,
                               times the single-layer slant factor), default 1 */
    double iono_q_ppm;      /* its random walk per sqrt(s) per baseline length (zenith), default 0.05 */
    double tropo_init_m;    /* a-priori sigma of the zenith troposphere state, default 0.01 m */
    double tropo_q_m;       /* its random walk per sqrt(s), default 1e-4 m */
} bx_rtk_config_t;

void bx_rtk_config_default(bx_rtk_config_t *c);

/* One satellite of the RTK solution */
typedef struct {
    uint8_t prn;
    uint8_t used;           /* 1 in the double differences */
    uint8_t ref;            /* bit f: reference satellite of signal slot f */
    uint8_t fixed;          /* bit f: its DD ambiguity took part in the accepted fix (alone, or in the
                               decorrelated combinations of a partial fix) */
    uint8_t slip;           /* bit f: slip / re-initialisation this epoch */
    float el_deg, az_deg;
    double resid_phase_m[BX_RTK_MAXF]; /* post-fit DD phase residual (0 if unused) */
    double amb_dd_cyc[BX_RTK_MAXF];    /* where fixed: DD ambiguity (this satellite minus the slot's
                                          reference) of the fixed solution: an integer for a full fix,
                                          the conditioned value for a partial one */
} bx_rtk_sat_t;

typedef struct {
    bx_sol_t sol;           /* rover: time, fix (BX_FIX_FIXED / FLOAT / SPP / NONE), pos_m, llh,
                               vel (Doppler), hdop..., n_used, sat[] (single-point view) */
    double ratio;           /* LAMBDA ratio of the last attempt (0 if none) */
    double p_boot;          /* bootstrapped success rate of the fixed set */
    int n_amb;              /* DD ambiguities that took part in resolution */
    int n_fixed;            /* fixed (decorrelated) ambiguities; < n_amb for a partial fix */
    int n_sat;              /* satellites in the double differences */
    int n_sig;              /* signal slots and their signals */
    int sig[BX_RTK_MAXF];
    double age_s;           /* rover - base epoch time */
    double base_pos_m[3];   /* base ECEF used */
    double baseline_ecef_m[3];
    double baseline_enu_m[3];  /* rover - base in the base's local frame */
    double cov_enu_m2[6];   /* ee, nn, uu, en, nu, ue */
    double sigma_enu_m[3];
    int n_rsat;
    bx_rtk_sat_t rsat[BX_SOL_MAXSAT];
    char msg[128];          /* why float / spp (e.g. "ratio 2.1 < 3.0"), "" when fixed */
} bx_rtk_sol_t;

typedef struct bx_rtk bx_rtk_t;

/* Validates the configuration (err says what is wrong).  Returns BX_OK,
 * BX_ERR_ARG or BX_ERR_NOMEM. */
int bx_rtk_create(const bx_rtk_config_t *c, bx_rtk_t **out, char *err, size_t errlen);
void bx_rtk_destroy(bx_rtk_t *rtk);
/* Processes one rover epoch with the base epoch nearest in time (base may be
 * NULL: single-point solution of the rover).  Returns BX_OK with sol->sol.fix
 * set (FIXED, FLOAT or SPP), or BX_ERR_NOFIX (sol->msg says why). */
int bx_rtk_process(bx_rtk_t *rtk, const bx_obs_t *base, const bx_obs_t *rover, const bx_nav_t *nav,
                   bx_rtk_sol_t *sol);
/* Forgets the filter (position and ambiguities). */
void bx_rtk_reset(bx_rtk_t *rtk);

/* ---- outputs (nav/fmt/rtk_out.c) ---- */
/* RTKLIB .pos header (comment lines, "%  GPST latitude(deg) ...") and one
 * line per epoch: GPS week/TOW, lat lon height, Q (1 fix, 2 float, 5 single),
 * ns, sdn sde sdu sdne sdeu sdun, age, ratio (RTKLIB 2.4.3 solution format,
 * pos1-posmode llh, time in GPST).  Return BX_OK or BX_ERR_IO. */
int bx_rtk_pos_header(FILE *f, const char *program, const char *rover, const char *base, const bx_rtk_sol_t *first);
int bx_rtk_pos_write(FILE *f, const bx_rtk_sol_t *s);
/* JSON line: the object of bx_sol_json_write (fix "fixed"|"float"|"spp"|"none")
 * extended by "ratio", "p_boot", "n_amb", "n_fixed", "n_sat_dd", "age_s",
 * "signals":["B1I",..], "base_ecef_m", "baseline_enu_m", "baseline_m",
 * "sigma_enu_m", "rtk_msg". */
int bx_rtk_json_write(FILE *f, const bx_rtk_sol_t *s);
/* NMEA GGA (quality 4/5) + RMC of the epoch. */
int bx_rtk_nmea_write(FILE *f, const bx_rtk_sol_t *s);
/* RINEX-style name of a signal slot ("B1I", "B1C", ...). */
const char *bx_rtk_sig_name(int sig);

#ifdef __cplusplus
}
#endif
#endif
