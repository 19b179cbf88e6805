/* Shared between nav/pos/rtk.c (filter, ambiguity resolution) and
 * nav/pos/rtk_obs.c (geometry, residuals, single-point fix, slips).
 * Not installed. */
#ifndef BDSRX_RTK_INTERNAL_H
#define BDSRX_RTK_INTERNAL_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "bdsrx/rtk.h"

#define RTK_NSAT (BX_PRN_MAX + 1)        /* indexed by PRN 1..63 */
#define RTK_NF BX_RTK_MAXF
/* states: position, SD ambiguities (cycles), SD slant ionosphere per satellite (m on the first
 * signal slot), one rover-minus-base zenith troposphere (m) */
#define RTK_MAXROW (2 * RTK_NF * BX_PRN_MAX)
#define RTK_IA(prn, f) (3 + ((prn) - 1) * RTK_NF + (f))
#define RTK_II(prn) (3 + BX_PRN_MAX * RTK_NF + (prn) - 1)
#define RTK_IT (3 + BX_PRN_MAX * (RTK_NF + 1))
#define RTK_NX (RTK_IT + 1)

enum { RTK_BASE = 0, RTK_ROVER = 1 };

/* One receiver's view of one satellite at one epoch. */
typedef struct {
    int ok;                 /* ephemeris, position, above the horizon */
    double pos[3];          /* satellite ECEF at transmit time, rotated to the reception frame */
    double vel[3];
    double dts_m;           /* c * satellite clock (B3I-referenced, relativistic term included) */
    double ddts_mps;
    double el, az;
    double tropo_m;
    double cn0[RTK_NF];
    int has_p[RTK_NF], has_l[RTK_NF], has_d[RTK_NF];
    int lli[RTK_NF];        /* 1 slip flag, 2 half cycle */
    double p_m[RTK_NF];     /* pseudorange minus c T_GD of the signal */
    double phi_cyc[RTK_NF]; /* carrier phase, cycles */
    double dop_hz[RTK_NF];
} rtk_zsat_t;

struct bx_rtk {
    bx_rtk_config_t cfg;
    int nf;                 /* signal slots in use (0 until chosen) */
    int sig[RTK_NF];
    double lam[RTK_NF], freq[RTK_NF];

    int base_fixed;         /* base position from the configuration */
    double base_pos[3];
    double base_sum[3];
    int base_n;

    int init;               /* position state initialised */
    int have_t;
    bx_time_t t_last;       /* last rover epoch processed */
    double x[RTK_NX];
    double *P;              /* RTK_NX x RTK_NX, row-major */
    int lock[RTK_NSAT][RTK_NF];     /* epochs since (re)initialisation, -1 no state */
    int outage[RTK_NSAT][RTK_NF];   /* consecutive innovation rejections */
    bx_time_t t_obs[RTK_NSAT][RTK_NF]; /* last epoch with phase at both receivers */

    /* slip-detector memory, per receiver */
    int prev_ok[2];
    bx_time_t t_prev[2];
    rtk_zsat_t prev[2][RTK_NSAT];
    double gf_prev[2][RTK_NSAT];
    int gf_ok[2][RTK_NSAT];
    double mw_mean[2][RTK_NSAT];
    int mw_n[2][RTK_NSAT];

    rtk_zsat_t z[2][RTK_NSAT];   /* this epoch */
    double clk_m[2];             /* receiver clock bias (code), per receiver */
    double spp_pos[3];
    int spp_ok;
    double vel[3];
    int have_vel;
    double vel_prev[3];     /* Doppler velocity of the previous epoch (trapezoidal propagation) */
    int have_vel_prev;
    int ar_fail;            /* consecutive epochs of a precise float that fails the ratio test */
    int atmo_on;            /* ionosphere / troposphere states in use (cfg.atmo_est, baseline) */

    /* work memory for the compressed filter update (no allocation per epoch) */
    gsl_matrix *H, *R, *Pa, *PHt, *S, *K, *T;
    gsl_vector *v, *xa, *tv;
    int ix[RTK_NX];
    double *ar_buf;         /* ambiguity resolution work: b, Q, C, c, subset b/Q/candidates */
};

/* One double-differenced row (rtk.c) */
typedef struct {
    int prn, ref, f, phase;
    double var_s, var_ref; /* single-difference variances of the satellite and the reference */
} ddrow_t;

/* rtk.c: filter core on the compressed (initialised) states */
int rtk_compress_map(struct bx_rtk *r, int *cix);            /* active states -> r->ix, full -> compressed */
void rtk_gather(struct bx_rtk *r, int na, gsl_matrix *Pa, gsl_vector *xa);
void rtk_scatter(struct bx_rtk *r, int na, const gsl_matrix *Pa, const gsl_vector *xa);
/* x += K v, P -= K H P with the first m rows of r->H, r->v, r->R; 0 or -1 (singular) */
int rtk_kf_update(struct bx_rtk *r, int m, int na, gsl_matrix *P, gsl_vector *x);
int rtk_usable(const struct bx_rtk *r, int prn, int f, int phase);
/* DD rows at the full state xs into r->H, r->v, r->R; returns their number */
int rtk_build_dd(struct bx_rtk *r, const int ref[RTK_NF], const unsigned char *excl, const double *xs,
                 const int *cix, int na, ddrow_t *rows, int with_code);
void rtk_reset_state(struct bx_rtk *r, int i);
void rtk_time_update(struct bx_rtk *r, bx_time_t t, const unsigned char *slip);
int rtk_meas_update(struct bx_rtk *r, int ref[RTK_NF], unsigned char *excl, unsigned char *excl_code);
/* rtk_ar.c: 1 with the fixed position and covariance when a fix is accepted */
int rtk_resolve(struct bx_rtk *r, const int ref[RTK_NF], const unsigned char *excl, bx_rtk_sol_t *sol,
                double pos_fix[3], double cov_fix[9]);

/* rtk_obs.c */
/* Fills z[RTK_ROVER or RTK_BASE] for obs (signals of the slots); rx_pos is the
 * receiver position used for the elevation (may be approximate).  Returns the
 * number of satellites with ok set. */
int rtk_zsat_fill(struct bx_rtk *rtk, int rcv, const bx_obs_t *obs, const bx_nav_t *nav, const double rx_pos[3]);
/* Single-point fix from the first slot with code per satellite (weighted
 * least squares, troposphere, group delays, no ionosphere): pos (in: seed,
 * may be 0) and clock.  Returns the satellites used, or -1. */
int rtk_spp(struct bx_rtk *rtk, int rcv, double pos[3], double *clk_m, double *gdop);
/* Receiver velocity from Doppler (slot with Doppler per satellite) at pos.
 * Returns 0 on success. */
int rtk_doppler_vel(struct bx_rtk *rtk, int rcv, const double pos[3], double vel[3]);
/* Slip detection for one receiver: sets bit f of slip[prn] for slips of slot
 * f (LLI, geometry-free, Melbourne-Wuebbena, Doppler), then stores this
 * epoch as the previous one. */
void rtk_detect_slips(struct bx_rtk *rtk, int rcv, bx_time_t t, unsigned char slip[RTK_NSAT]);
/* Geometric range with Sagnac-rotated satellite (already rotated by
 * rtk_zsat_fill) and the unit vector receiver -> satellite. */
double rtk_range(const rtk_zsat_t *z, const double rx[3], double e[3]);
/* Chooses the signal slots from the satellites with phase at both receivers. */
int rtk_choose_signals(struct bx_rtk *rtk, const bx_obs_t *base, const bx_obs_t *rover);

#endif
