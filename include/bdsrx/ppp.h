/*
 * bdsrx — precise point positioning (issue 11 §3, first version): float PPP on the B1C/B2a
 * ionosphere-free code and carrier phase with an extended Kalman filter (nav/pos/ppp.c).
 *
 * State: receiver position (ECEF, m), receiver clock (m, white noise, re-estimated each
 * epoch), residual zenith wet delay (m, random walk; a priori Saastamoinen with the standard
 * atmosphere, bx_tropo_delay_m, wet mapping 1/sin(el)), one float ambiguity (m) per satellite.
 * Observables per satellite: IF code and IF phase from the B1C and B2a pilots (RINEX C1P/L1P,
 * C5P/L5P), c1 = f1^2/(f1^2-f2^2), c2 = -f2^2/(f1^2-f2^2).
 * Satellite orbits and clocks come from a caller-supplied function (precise SP3/CLK, or
 * broadcast + PPP-B2b): it must return the antenna phase centre of the IF combination and the
 * satellite clock consistent with the IF(B1C,B2a) code, the relativistic term included.
 * Modelled here: Sagnac (Earth rotation during the signal travel), troposphere, cycle slips
 * (LLI flags and a geometry-free jump test reset the ambiguity).
 * NOT modelled yet: phase wind-up, solid Earth tide, receiver antenna offsets, ocean loading
 * (synthetic tests do not contain them; real data needs them for cm results).
 *
 * Thread safety: one bx_ppp_t per thread; no global state.
 */
#ifndef BDSRX_PPP_H
#define BDSRX_PPP_H

#include <stddef.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Satellite state at transmit time t (BDT): antenna phase centre ECEF at t (not rotated),
 * clock (s) such that P_IF = rho + c (dt_r - clk_s) + ...  Returns 0 when available. */
typedef int (*bx_ppp_satfn)(void *user, int prn, bx_time_t t, double pos_m[3], double *clk_s);

typedef struct {
    int kinematic;            /* 0 static, 1 kinematic (position re-estimated every epoch) */
    double sigma_code_m;      /* per-frequency code noise at zenith (default 0.3 m) */
    double sigma_phase_m;     /* per-frequency phase noise at zenith (default 0.003 m) */
    double elmask_rad;        /* default 10 deg */
    double q_zwd_m2_s;        /* ZWD random walk (default 1e-8 m^2/s, ~6 mm/sqrt(h)) */
    double sigma_kin_m;       /* kinematic: position process noise per epoch (default 30 m) */
    double slip_gf_m;         /* geometry-free jump that counts as a slip (default 0.05 m) */
    double init_pos_m[3];     /* a priori position; all 0 = from the first epoch's code */
} bx_ppp_cfg_t;
void bx_ppp_cfg_default(bx_ppp_cfg_t *c);

typedef struct {
    bx_time_t time;
    double pos_m[3];          /* ECEF */
    double clk_m;             /* receiver clock, m */
    double zwd_m;             /* estimated residual zenith wet delay, m */
    double sigma_pos_m[3];    /* formal sigmas of x, y, z */
    int n_sat;                /* satellites with code and phase used */
    int n_slip;               /* ambiguities reset at this epoch */
    double rms_code_m, rms_phase_m; /* post-fit residual RMS */
} bx_ppp_sol_t;

typedef struct bx_ppp bx_ppp_t;
int bx_ppp_create(const bx_ppp_cfg_t *cfg /* NULL = defaults */, bx_ppp_t **out, char *err, size_t errlen);
void bx_ppp_destroy(bx_ppp_t *p); /* NULL-safe */

/* Processes one epoch of observations (obs->time = receiver time, BDT).  Returns BX_OK with
 * *sol filled, BX_ERR_NOFIX when fewer than 5 satellites have code and phase (state kept),
 * BX_ERR_ARG. */
int bx_ppp_update(bx_ppp_t *p, const bx_obs_t *obs, bx_ppp_satfn fn, void *user, bx_ppp_sol_t *sol);

/* ---- satellite states from broadcast B-CNAV1 + a PPP-B2b log (nav/pos/ppp_b2b.c) ---- */
/* Replays the cssrlib-data log (bx_b2b_log_parse lines) of GEO geo_prn up to each requested
 * time (times must not go backwards by more than the log's spacing).  The orbit is the B3I
 * antenna phase centre (pppb2b.md §5), the clock that of the IF(B1C pilot, B2a pilot) code:
 * dt_B3I - (c1 DCB(B1Cp) + c2 DCB(B2ap)) / c.  nav must outlive the object. */
typedef struct bx_ppp_b2b bx_ppp_b2b_t;
int bx_ppp_b2b_create(const char *log_path, const bx_nav_t *nav, int geo_prn, bx_ppp_b2b_t **out, char *err,
                      size_t errlen);
/* The same over a correction store filled elsewhere (e.g. the receiver's, from a B2b-I stream:
 * bx_rx_b2b_store), read at each request; store and nav must outlive the object and must not
 * change during a bx_ppp_b2b_satfn call. */
struct bx_b2b_store;
int bx_ppp_b2b_create_store(const struct bx_b2b_store *store, const bx_nav_t *nav, int geo_prn, bx_ppp_b2b_t **out,
                            char *err, size_t errlen);
void bx_ppp_b2b_destroy(bx_ppp_b2b_t *s); /* NULL-safe */
/* What the log gave so far (for warnings): messages of the GEO used / refused, and satellite
 * requests not served by reason (index = BX_B2B_NO_* / BX_B2B_OLD_* of pppb2b.h). */
typedef struct {
    long used, crc_errors, bad_layout, bad_lines, no_mask, iod_mismatch;
    long served, refused[8];
} bx_ppp_b2b_stats_t;
void bx_ppp_b2b_stats(const bx_ppp_b2b_t *s, bx_ppp_b2b_stats_t *out);
/* A bx_ppp_satfn; user = the bx_ppp_b2b_t.  A satellite without a usable correction (none,
 * too old, IOD Corr mismatch, no ephemeris with IODC = IODN) is not served (-1): PPP never
 * mixes in a broadcast-only orbit, and never applies a correction to another ephemeris. */
int bx_ppp_b2b_satfn(void *user, int prn, bx_time_t t, double pos_m[3], double *clk_s);

#ifdef __cplusplus
}
#endif
#endif
