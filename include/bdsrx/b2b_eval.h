/*
 * bdsrx — accuracy of broadcast and PPP-B2b corrected BDS-3 orbits and clocks against a
 * precise SP3 product (the engine of `bdsrx b2b-eval`, nav/geo/b2b_eval.c).
 *
 * At every SP3 epoch inside the log, the log is replayed up to that time into a
 * bx_b2b_store_t; each BDS satellite with a usable correction (bx_b2b_store_get) and the
 * B-CNAV1 ephemeris its IODN names (bx_b2b_find_eph) is evaluated twice on the same
 * ephemeris: broadcast only and broadcast + PPP-B2b (bx_b2b_apply).  Truth:
 *  - orbit: SP3 centre of mass moved to the antenna phase centre with the satellite
 *    antenna offset of bx_bds3_pco in the nominal yaw-steering attitude (low-precision Sun
 *    position; nav/README.md for values and sources), since broadcast orbits refer to the
 *    antenna phase centre; SP3 clocks get the periodic relativistic term added (-2 r.v/c^2),
 *    which the IGS convention leaves out and broadcast clocks include;
 *  - clock: the SP3 clock refers to the B1I/B3I ionosphere-free combination, broadcast
 *    and PPP-B2b clocks to B3I: c dt_B3I = c dt_SP3 + a * DCB(B1I), a = f1^2/(f1^2-f3^2),
 *    with DCB(B1I) (B3I = 0) from the log's MT3 (pppb2b.md §3 MT3 / §5).  Clock errors get
 *    one common offset per epoch removed (over the satellites evaluated at that epoch).
 * Errors are model - truth in the radial / along / cross frame of the truth orbit;
 * SISRE = sqrt((wR R - c dt)^2 + wAC (A^2 + C^2)) with orbit-type weights
 * (bx_b2b_eval_cfg_t).
 *
 * Thread safety: a pure function of its inputs (no shared state).
 */
#ifndef BDSRX_B2B_EVAL_H
#define BDSRX_B2B_EVAL_H

#include <stddef.h>

#include "bdsrx/eph.h"
#include "bdsrx/sp3.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int geo_prn;           /* corrections from this GEO only (59..63); 0 = the first GEO that
                              sends a mask (MT1) in the log.  Never several GEOs at once: their
                              clock corrections differ by satellite-specific constants (up to
                              2 m between IOD SSR 1 and 2 on 2023-08-11, nav/README.md) */
    int apply_pco;         /* 1: move the SP3 orbit to the antenna phase centre */
    int known_pco_only;    /* 1: only satellites whose antenna offset has a cited value */
    int arc_on_iodn;       /* 1: a satellite's arc (for the constants removed in clock_std_m and
                              sisre_std_m) also ends when the ephemeris (IODN) changes; 0: only
                              at gaps of more than 330 s */
    double step_s;         /* 0: at the SP3 epochs; > 0: every step_s s of BDT, SP3 interpolated
                              (orbit Lagrange order 10, clock linear) */
    double w_r_meo, w_ac_meo;   /* SISRE weights (wR, wAC = w_{A,C}^2) for MEO ... */
    double w_r_geo, w_ac_geo;   /* ... and IGSO/GEO */
} bx_b2b_eval_cfg_t;
/* apply_pco 1; weights of Montenbruck, Steigenberger, Hauschild (2018), Adv. Space Res. 61:3020-3038: BDS
 * MEO wR 0.98, wAC 1/54; BDS IGSO/GEO wR 0.99, wAC 1/126 (nav/README.md). */
void bx_b2b_eval_cfg_default(bx_b2b_eval_cfg_t *c);

typedef struct {
    int n;                 /* samples (satellite-epochs) */
    double radial_m, along_m, cross_m, clock_m, sisre_m;   /* RMS */
    double mean_radial_m, mean_clock_m;                    /* means (biases) */
    double clock_std_m;    /* clock RMS with each satellite arc's constant removed too (epoch
                              datum and arc constants fitted jointly; arcs: nav/geo/b2b_eval.c) */
    double sisre_std_m;    /* "SISRE STD": sqrt(RMS^2 of the range term wR R - c dt with the
                              epoch datum and each arc's constant removed + wAC (A^2 + C^2));
                              the constant part of a satellite's range error is what satellite-
                              specific clock biases of the product put there (nav/README.md) */
} bx_b2b_eval_stat_t;

typedef struct {
    bx_b2b_eval_stat_t sat[BX_PRN_MAX + 1][2];  /* [prn][0 broadcast, 1 broadcast+PPP-B2b] */
    bx_b2b_eval_stat_t all[2];
    int n_sats, n_epochs;  /* satellites / epochs with at least one sample */
    int n_arcs;            /* satellite arcs (a gap of more than 330 s starts a new one) */
    int geo_prn;           /* the GEO whose corrections were used */
    int n_log_msgs, n_log_bad;                  /* log lines used / not usable (CRC, layout) */
    int skipped[8];        /* satellite-epochs with SP3 data but no sample, by reason
                              (BX_B2B_NO_* codes; [0] = no DCB(B1I) for the clock) */
} bx_b2b_eval_result_t;

/* Runs the evaluation of the cssrlib-data log at log_path (bx_b2b_log_parse lines).
 * Returns BX_OK, BX_ERR_IO / BX_ERR_FORMAT (message in err), BX_ERR_NOMEM, BX_ERR_ARG. */
int bx_b2b_eval_run(const char *log_path, const bx_nav_t *nav, const bx_sp3_t *sp3,
                    const bx_b2b_eval_cfg_t *cfg, bx_b2b_eval_result_t *res, char *err, size_t errlen);

/* Satellite antenna offset (body frame x, y, z in m; z toward the Earth, x toward the Sun's
 * side) of the BDS-3 signal B3I for PRN and its block name.  Returns BX_OK for a published
 * value, 1 when a stand-in is returned (no B3I value at hand for the block), or
 * BX_ERR_UNSUPPORTED for satellites not in the table. */
int bx_bds3_pco(int prn, double pco_m[3], const char **block);

/* B3I antenna phase centre of PRN at time t (BDT) from its centre of mass (ECEF), with the
 * offsets of bx_bds3_pco in the nominal yaw-steering attitude.  Returns what bx_bds3_pco
 * returns (apc = com for BX_ERR_UNSUPPORTED). */
int bx_bds3_apc(int prn, bx_time_t t, const double com_m[3], double apc_m[3]);

#ifdef __cplusplus
}
#endif
#endif
