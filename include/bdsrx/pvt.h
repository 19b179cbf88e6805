/*
 * bdsrx — single-point positioning (SPP) from BeiDou-3 B1C / B2a code
 * pseudoranges and Doppler, with residual-based fault detection and
 * exclusion (RAIM).
 *
 *   bx_pvt_config_t c; bx_pvt_config_default(&c); c.mode = BX_PVT_IF;
 *   bx_pvt_t *p; if (bx_pvt_create(&c, &p, err, sizeof err) != BX_OK) fail(err);
 *   for each epoch: st = bx_pvt_solve(p, &obs, &nav, &sol);  (BX_OK or BX_ERR_NOFIX, sol.reason says why)
 *   bx_pvt_destroy(p);
 *
 * Model (nav/pos/pvt.c): P = |R_z(w_e tau) r_sat(t_tx) - r_rx| + c dt_rx - c (dt_sv - T_GD(sig))
 *                        + I(sig) + T + noise
 * with the satellite state of bx_satpos at the transmit time, T_GD per
 * orbit.md §5 (ionosphere-free combination per §5 in BX_PVT_IF mode), BDGIM
 * ionosphere (single frequency, when the navigation data hold its
 * coefficients), Saastamoinen troposphere (nav/geo/tropo.c), weights from
 * elevation and C/N0.  Velocity and clock drift from Doppler when present.
 *
 * Threads: a bx_pvt_t is used by one thread at a time; the bx_nav_t passed to bx_pvt_solve is only
 * read.
 */
#ifndef BDSRX_PVT_H
#define BDSRX_PVT_H

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BX_PVT_B1C = 0, /* B1C single frequency */
    BX_PVT_B2A = 1, /* B2a single frequency */
    BX_PVT_IF = 2   /* B1C/B2a ionosphere-free combination */
} bx_pvt_mode_t;

typedef struct {
    int mode;              /* bx_pvt_mode_t */
    double elmask_rad;     /* elevation mask, default 10 deg */
    int iono;              /* 1: BDGIM for single frequency when nav->iono.valid (default 1) */
    int tropo;             /* 1: Saastamoinen (default 1) */
    int raim;              /* 1: chi-square test and exclusion (default 1) */
    double raim_pfa;       /* false-alarm probability of the chi-square test, default 1e-3 */
    int raim_max_excl;     /* satellites RAIM may exclude, default 2 */
    double code_sigma_m;   /* zenith code noise at C/N0 >= cn0_ref (single frequency), default 0.3 m */
    double cn0_ref_dbhz;   /* C/N0 above which no down-weighting applies, default 45 */
    double doppler_sigma_mps; /* range-rate noise, default 0.1 m/s */
    int leap_s;            /* BDT - UTC used when nav->utc is not valid, default 4 (since 2017) */
    int max_iter;          /* Gauss-Newton iterations, default 10 */
    double max_speed_mps;  /* integrity: a fix further from the last trusted fix than max_speed_mps * dt
                              + 200 m is flagged BX_SOLF_JUMP (nav/pos/pvt_integrity.c); default 600 m/s;
                              <= 0 disables the test */
    const struct bx_geoid *geoid; /* geoid for heights above mean sea level (include/bdsrx/geoid.h);
                                     NULL: none, sol->geoid_sep_m stays unknown (default NULL) */
} bx_pvt_config_t;

void bx_pvt_config_default(bx_pvt_config_t *c);

/* Solution flags */
enum {
    BX_SOLF_IONO_BDGIM = 1u << 0,   /* BDGIM broadcast ionosphere applied */
    BX_SOLF_IONO_NONE = 1u << 1,    /* single frequency without ionosphere correction (no BDGIM coefficients) */
    BX_SOLF_IONO_FREE = 1u << 2,    /* B1C/B2a ionosphere-free combination */
    BX_SOLF_TROPO = 1u << 3,        /* troposphere model applied */
    BX_SOLF_VEL = 1u << 4,          /* velocity and clock drift estimated (Doppler) */
    BX_SOLF_RAIM_OK = 1u << 5,      /* chi-square test passed */
    BX_SOLF_RAIM_EXCL = 1u << 6,    /* RAIM excluded one or more satellites */
    BX_SOLF_RAIM_FAIL = 1u << 7,    /* test failed and exclusion could not repair it */
    BX_SOLF_RAIM_NA = 1u << 8,      /* too few satellites to test (n <= 4) */
    BX_SOLF_NO_TGD = 1u << 9,       /* some ephemerides lacked the group delay of the signal used (T_GD = 0,
                                       or for B1C on a legacy D1/D2 ephemeris its TGD1, see nav/pos/pvt.c) */
    BX_SOLF_JUMP = 1u << 10,        /* the position moved impossibly far since the last trusted fix */
    BX_SOLF_GEOID = 1u << 11,       /* geoid_sep_m is known (height above MSL = llh[2] - geoid_sep_m) */
    BX_SOLF_PPP = 1u << 12          /* precise point positioning (fix FLOAT: float ambiguities, no base station;
                                       JSON fix "ppp", NMEA GGA quality 5, see nav/fmt/nmea.c) */
};

/* Fix quality.  FLOAT and FIXED come from the RTK engine (include/bdsrx/rtk.h):
 * carrier-phase relative position with real-valued / validated integer ambiguities. */
typedef enum { BX_FIX_NONE = 0, BX_FIX_SPP = 1, BX_FIX_FLOAT = 2, BX_FIX_FIXED = 3 } bx_fix_t;

/* Why a satellite was not used */
enum {
    BX_SAT_USED = 0,
    BX_SAT_NOEPH = 1,    /* no valid healthy ephemeris */
    BX_SAT_NOOBS = 2,    /* signal(s) of the mode missing */
    BX_SAT_ELMASK = 3,   /* below the elevation mask */
    BX_SAT_RAIM = 4,     /* excluded by RAIM */
    BX_SAT_BADPOS = 5    /* satellite position failed / implausible pseudorange */
};

#define BX_SOL_MAXSAT 64

typedef struct {
    uint8_t prn;
    uint8_t status;     /* BX_SAT_* */
    float az_deg, el_deg;  /* from the solution position (0 if unknown) */
    float cn0_dbhz;     /* of the first signal of the mode, 0 if unknown */
    double resid_m;     /* post-fit pseudorange residual (also for excluded satellites) */
    double sigma_m;     /* a-priori standard deviation used for weighting */
    double resid_mps;   /* post-fit range-rate residual, 0 without Doppler */
} bx_solsat_t;

typedef struct {
    bx_time_t time;      /* BDT of the fix: receiver epoch minus the estimated clock bias */
    bx_time_t rx_time;   /* receiver epoch (BDT tag of the observations) */
    int fix;             /* bx_fix_t */
    uint32_t flags;      /* BX_SOLF_* */
    int mode;            /* bx_pvt_mode_t */
    char reason[128];    /* why there is no fix, or a warning; "" when all is well */
    double pos_m[3];     /* ECEF CGCS2000 */
    double llh[3];       /* lat rad, lon rad, ellipsoidal height m */
    double vel_mps[3];   /* ECEF */
    double vel_enu_mps[3];
    double clk_bias_m;   /* c * receiver clock bias (receiver minus BDT) */
    double clk_drift_mps;/* c * receiver clock drift */
    double gdop, pdop, hdop, vdop, tdop;
    double chi2;         /* sum of squared weighted residuals of the final fit */
    double chi2_thres;   /* chi-square threshold for n_used - 4 degrees of freedom */
    double sigma0;       /* a-posteriori unit weight sqrt(chi2 / dof), 0 if dof = 0 */
    int n_used, n_excl;  /* satellites in the fix, excluded by RAIM */
    int iter;            /* Gauss-Newton iterations of the final fit */
    int leap_s;          /* BDT - UTC used for UTC output */
    int n_sat;           /* entries in sat[] (all satellites observed) */
    bx_solsat_t sat[BX_SOL_MAXSAT];
    double geoid_sep_m;  /* geoid undulation N at llh (EGM96), valid with BX_SOLF_GEOID */
} bx_sol_t;

/* Integrity: 1 when the solution may be reported as a valid position (NMEA
 * GGA quality 1, RMC 'A', GSA 3D; JSON fix "spp"): a fix whose RAIM test did
 * not fail, that did not jump (BX_SOLF_JUMP) and has finite coordinates.  A
 * fix that fails RAIM or jumps is still returned by bx_pvt_solve (fix =
 * BX_FIX_SPP, flags and reason say why) for diagnosis, but every output
 * reports it as no fix. */
int bx_sol_valid(const bx_sol_t *sol);

typedef struct bx_pvt bx_pvt_t;

/* c NULL = defaults.  BX_OK with *out set, or BX_ERR_NOMEM. */
int bx_pvt_create(const bx_pvt_config_t *c, bx_pvt_t **out, char *err, size_t errlen);
/* Solves one epoch.  The previous fix (if any) seeds the iteration; a fresh
 * object starts from the Earth's centre.  Returns BX_OK with sol->fix =
 * BX_FIX_SPP, or BX_ERR_NOFIX with sol->reason set (sol->sat[] still lists
 * every satellite and why it was not used). */
int bx_pvt_solve(bx_pvt_t *p, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol);
void bx_pvt_reset(bx_pvt_t *p);  /* forget the previous fix and the integrity reference (a new time scale) */
void bx_pvt_destroy(bx_pvt_t *p); /* NULL-safe */

/* bx_nav_select with a guard used by the solvers: an ephemeris that says
 * SatType GEO for a PRN outside the GEO slots (C01-C05, C59-C63) is treated as
 * corrupt (real RINEX files carry such CNV2 records; the GEO orbit branch would
 * rotate the satellite by degrees) and the nearest one of another source is
 * taken instead.  NULL if none. */
const bx_eph_t *bx_pvt_select_eph(const bx_nav_t *nav, int prn, bx_time_t t);

/* For every ephemeris without B1C/B2a group delays (legacy D1/D2 records,
 * source >= BX_EPH_SRC_D1) copies T_GD_B1Cp, T_GD_B2ap, ISC_B1Cd, ISC_B2ad of
 * the same PRN from the latest B-CNAV1 (and B-CNAV2 for ISC_B2ad) ephemeris
 * in donor.  Satellite group delays drift by centimetres over months, so a
 * donor of another date is usable when no CNAV data exist for the day (the
 * caller should say so).  Returns the number of ephemerides updated. */
int bx_pvt_borrow_tgd(bx_nav_t *nav, const bx_nav_t *donor);

/* Saastamoinen zenith hydrostatic + wet delay mapped with 1/sin(el) (via
 * the zenith angle as in Saastamoinen 1972), standard atmosphere at the
 * receiver height (nav/geo/tropo.c).  Returns 0 outside -100 m .. 10 km height
 * or for el <= 0. */
double bx_tropo_delay_m(const double llh[3], double el_rad);

/* ---- Coarse-time (snapshot) solution (nav/pos/pvt_coarse.c) ----
 * For a short snapshot only the code phase is known: the transmit time modulo
 * the primary-code period (B1C 10 ms, B2a 1 ms), and the receiver time is only
 * known to within about a minute.  Five unknowns are estimated (position,
 * clock bias, time error; van Diggelen, "A-GPS", 2009, ch. 4 "coarse-time
 * navigation"): the whole code periods are chosen so that every full
 * pseudorange agrees with the prediction from x0_m / t_approx up to a common
 * offset (needs |position error| + 60 s x range-rate spread well below
 * c x period / 2: 1500 km for B1C, 150 km for B2a), the common offset goes
 * into the clock, and the time error enters through each satellite's range
 * rate.  An optional height constraint (a pseudo-observation) lets four
 * satellites solve. */
typedef struct {
    int prn;
    int sig;                /* BX_SIG_B1C (10 ms code) or BX_SIG_B2A (1 ms) */
    int pilot;              /* group delay of the pilot (1) or data (0) component */
    double code_phase_s;    /* transmit time modulo the code period of the signal arriving at the
                               snapshot's reference sample: code_phase_chips / chip rate */
    double cn0_dbhz;        /* 0 unknown */
} bx_coarse_meas_t;

typedef struct {
    double height_m;        /* ellipsoidal height of the constraint */
    double sigma_m;         /* its standard deviation; <= 0: no constraint */
} bx_coarse_aid_t;

/* Solves position, clock and time.  t_approx: receiver's BDT estimate of the
 * reference sample; x0_m: a-priori ECEF position (NULL: the centre of the
 * Earth is NOT accepted, a coarse position is needed).  On success sol->time
 * is the corrected BDT of the reference sample, sol->rx_time = t_approx, and
 * sol->clk_bias_m holds the common code-phase offset (modulo the code
 * period, physically meaningless).  Returns BX_OK or BX_ERR_NOFIX with
 * sol->reason. */
int bx_pvt_coarse(const bx_coarse_meas_t *m, int n, bx_time_t t_approx, const double x0_m[3],
                  const bx_coarse_aid_t *aid, const bx_nav_t *nav, const bx_pvt_config_t *cfg, bx_sol_t *sol);
/* The same with the period of each code_phase_s given (period_s[i] > 0; 0 or
 * period_s NULL = the primary code): a synchronised pilot secondary code gives
 * the transmit time modulo 18 s (B1C) / 0.1 s (B2a), which lifts the a-priori
 * position limit to thousands of km (warm/hot start, src/rx/warmstart.c). */
int bx_pvt_coarse_periods(const bx_coarse_meas_t *m, const double *period_s, int n, bx_time_t t_approx,
                          const double x0_m[3], const bx_coarse_aid_t *aid, const bx_nav_t *nav,
                          const bx_pvt_config_t *cfg, bx_sol_t *sol);

/* ---- RAIM internals (nav/pos/pvt_raim.c), exposed for tests ---- */
/* chi-square threshold: x with P(chi2_dof > x) = pfa */
double bx_raim_chi2_threshold(int dof, double pfa);
/* Index of the observation with the largest normalised residual
 * |v_i| / sqrt(Qv_ii) where Qv = W^-1 - H (H'WH)^-1 H' (H n x 4 row-major, w =
 * weights 1/sigma^2).  Returns -1 if n <= 4 or on a singular geometry. */
int bx_raim_worst(const double *h, const double *v, const double *w, int n);

#ifdef __cplusplus
}
#endif
#endif
