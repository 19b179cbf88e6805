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
 * (LLI flags, a geometry-free jump test and, with BX_PPP_MODEL_MW, a Melbourne-Wubbena test
 * reset the ambiguity), re-initialisation of an ambiguity after a gap > 300 s.
 * Optional models (cfg.models, bits BX_PPP_MODEL_*, formulas in bdsrx/ppp_model.h): phase
 * wind-up (nominal yaw attitude), solid Earth tide (IERS 2010 step 1), Shapiro delay,
 * troposphere a priori Saastamoinen zenith x DO-229 mapping with a Niell wet mapping for the
 * ZWD state, receiver antenna reference point offset (cfg.ant_delta_hen_m, RINEX ANTENNA:
 * DELTA H/E/N).  bx_ppp_cfg_default leaves cfg.models = 0 (the behaviour of the first
 * version, for simulated observations that contain none of these effects); real data wants
 * BX_PPP_MODEL_ALL (`bdsrx ppp` sets it).
 * NOT modelled: receiver antenna phase centre offsets/variations (ANTEX), ocean and pole
 * tide loading, satellite yaw manoeuvres, higher-order ionosphere.
 *
 * Thread safety: one bx_ppp_t per thread; no global state.
 */
#ifndef BDSRX_PPP_H
#define BDSRX_PPP_H

#include <stddef.h>

#include "bdsrx/eph.h"
#include "bdsrx/rinex_clk.h"
#include "bdsrx/sp3.h"
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
    /* appended (issue 11 part 3, PPP engine) */
    unsigned models;          /* BX_PPP_MODEL_* bits; default 0 (none) */
    double ant_delta_hen_m[3];/* antenna reference point above the estimated marker: up, east, north
                                 (RINEX ANTENNA: DELTA H/E/N); default 0 */
    int if_pair;              /* BX_PPP_IF_B1C_B2A (default, pilots C1P/L1P C5P/L5P) or
                                 BX_PPP_IF_B1I_B3I (C2I/L2I C6I/L6I; the signals of IGS clocks) */
    double slip_mw_cyc;       /* Melbourne-Wubbena jump (wide-lane cycles) that counts as a slip,
                                 beyond 4 sigma of the code noise (default 4) */
    double reject_k;          /* BX_PPP_MODEL_REJECT: post-fit residual limit in robust sigmas of
                                 its kind (1.4826 x median, at least the a priori sigma; default 5) */
} bx_ppp_cfg_t;
enum {
    BX_PPP_MODEL_WINDUP = 1u << 0,  /* phase wind-up, nominal yaw-steering attitude */
    BX_PPP_MODEL_TIDE = 1u << 1,    /* solid Earth tide (IERS 2010 step 1, degrees 2 and 3) */
    BX_PPP_MODEL_SHAPIRO = 1u << 2, /* relativistic path delay */
    BX_PPP_MODEL_TROPMAP = 1u << 3, /* DO-229 a priori mapping + Niell wet mapping (else 1/sin el) */
    BX_PPP_MODEL_MW = 1u << 4,      /* Melbourne-Wubbena cycle-slip test */
    BX_PPP_MODEL_REJECT = 1u << 5,  /* post-fit residual test: leave out the worst, redo the update */
    BX_PPP_MODEL_ALL = 0x3f
};
enum { BX_PPP_IF_B1C_B2A = 0, BX_PPP_IF_B1I_B3I = 1 };
/* IF combination coefficients and wavelength factor of a pair: P_IF = c1 P1 + c2 P2 */
void bx_ppp_if_freqs(int if_pair, double *f1_hz, double *f2_hz);
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
    int n_reject;             /* appended: measurements left out by the residual test (BX_PPP_MODEL_REJECT);
                                 a rejected phase also counts in n_slip */
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
/* The same with other expiry limits than bx_b2b_cfg_default's (s; 0 = that default): clock
 * corrections older than max_age_clock_s, orbit corrections and code biases older than
 * max_age_orbit_s are not applied (bdsrx ppp --b2b-max-age CLOCK[,ORBIT]). */
int bx_ppp_b2b_create_age(const char *log_path, const bx_nav_t *nav, int geo_prn, double max_age_clock_s,
                          double max_age_orbit_s, bx_ppp_b2b_t **out, char *err, size_t errlen);
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

/* ---- satellite states from precise SP3 (+ RINEX clock) files (nav/pos/ppp_src.c) ---- */
/* SP3 positions are centres of mass: with apply_pco the satellite antenna offset of
 * bx_bds3_pco (b2b_eval.h; B3I values, nominal yaw steering) moves them to the antenna phase
 * centre.  Clocks from clk (RINEX clock, linear interpolation, gaps <= 300 s) or, without it,
 * from the SP3 (linear between its epochs: 5-15 min, decimetres of clock interpolation error);
 * the periodic relativistic term -2 r.v / c^2 is added (IGS clocks exclude it).  IGS/MGEX BDS
 * clocks refer to the IF(B1I, B3I) code: observables of another pair need code_bias_m (the
 * difference of IF code biases, e.g. c1 OSB(C1P) + c2 OSB(C5P) with OSB(C2I) = OSB(C6I) = 0),
 * subtracted from the clock as c dt; all 0 leaves the bias to the float ambiguities and code
 * residuals.  sp3/clk must outlive the use. */
typedef struct {
    const bx_sp3_t *sp3;
    const bx_rnxclk_t *clk;   /* NULL: the SP3's clocks */
    int apply_pco;            /* 1: centre of mass -> antenna phase centre */
    double code_bias_m[BX_PRN_MAX + 1];
} bx_ppp_sp3_src_t;
/* apply_pco 1, biases 0 */
void bx_ppp_sp3_src_init(bx_ppp_sp3_src_t *s, const bx_sp3_t *sp3, const bx_rnxclk_t *clk);
int bx_ppp_sp3_satfn(void *user /* bx_ppp_sp3_src_t */, int prn, bx_time_t t, double pos_m[3], double *clk_s);
/* Fills s->code_bias_m for IF(B1C pilot, B2a pilot) observables from broadcast group delays:
 * c (c1 T_GD_B1Cp + c2 T_GD_B2ap - c1' TGD1) with c1' the B1I coefficient of IF(B1I, B3I)
 * (B-CNAV1/2 and D1/D2 group delays both refer to B3I, orbit.md §5); needs, per satellite, a
 * CNAV ephemeris and a D1/D2 one in nav (merged files such as IGS BRD4/DLR BRD400 have both).
 * Returns the number of satellites filled. */
int bx_ppp_sp3_bias_from_nav(bx_ppp_sp3_src_t *s, const bx_nav_t *nav);

/* ---- broadcast-only satellite states (nav/pos/ppp_src.c) ---- */
/* if_pair BX_PPP_IF_B1I_B3I: D1/D2 ephemerides, clock dt_B3I - c1 TGD1 (RINEX 3.05 A14,
 * orbit.md §5); BX_PPP_IF_B1C_B2A: B-CNAV1/2 ephemerides, dt - (c1 T_GD_B1Cp + c2 T_GD_B2ap).
 * Orbit errors of ~0.5-1 m and clock errors of ~1 m remain: metre-level PPP, for data without
 * precise products. */
typedef struct {
    const bx_nav_t *nav;
    int if_pair;
} bx_ppp_brdc_src_t;
int bx_ppp_brdc_satfn(void *user /* bx_ppp_brdc_src_t */, int prn, bx_time_t t, double pos_m[3], double *clk_s);

#ifdef __cplusplus
}
#endif
#endif
