/*
 * bdsrx — a B-CNAV1/2/3 ephemeris re-expressed as a legacy D1/D2 (B1I/B3I) parameter set, for
 * files that older readers accept (RINEX 3.04 BDS navigation records, bx_rinex_nav_write3).
 *
 * CNAV has A-dot, Δn-dot and a reference axis the legacy set lacks (orbit.md §2-3), so copying
 * the common fields is wrong by metres to hundreds of metres away from t_oe.  bx_eph_fit_legacy
 * starts from that copy (A = A_ref + ΔA, Δn = Δn0, the other Kepler and harmonic terms as they
 * are) and fits the 15 legacy orbit parameters (√A, e, i0, Ω0, ω, M0, Δn, IDOT, Ω̇, Cuc, Cus, Crc,
 * Crs, Cic, Cis) by nonlinear least squares (Gauss-Newton with step halving, each step a GSL
 * truncated-SVD linear solve; 3-6 iterations) to the CNAV positions and c x clock (orbit.md §3 /
 * §3.1 / §4, bx_satpos) sampled every 90 s over t_oe ± span_s; the
 * legacy record is evaluated with the same algorithm with Adot = Δn-dot = 0, which is the D1/D2
 * user algorithm (BDS-SIS-ICD-B1I-3.0 §5.2.4.12).  The clock (t_oc, a0..a2, B3I-referenced in
 * both messages, orbit.md §4) is copied; the clock difference left is only the relativistic term
 * of the fitted e, A and E.  Measured on a real day (615 B-CNAV1 ephemerides of 27 satellites,
 * 2023-03-12, tests/test_ephfit.c): 3-D position RMS 0.040 m / max 0.18 m within t_oe ± 1 h,
 * RMS 0.047 m / max 0.40 m within ± 1.5 h, clock max 0.025 m; the direct copy: up to 248 m.
 *
 * Threads: pure function over caller data (reentrant).
 */
#ifndef BDSRX_EPHFIT_H
#define BDSRX_EPHFIT_H

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fit interval used by bx_rinex_nav_write3: t_oe ± 1.5 h. */
#define BX_EPHFIT_SPAN_S 5400.0

/* Differences of the fitted legacy ephemeris against the CNAV one: 3-D position and c × clock
 * (relativistic term included), over |t - t_oe| <= 1 h and over the whole fit span. */
typedef struct {
    double rms_1h_m, max_1h_m;     /* 3-D position, |t - t_oe| <= 3600 s */
    double rms_m, max_m;           /* 3-D position, whole span */
    double clk_max_m;              /* max |c Δclock| over the span */
    double copy_max_1h_m;          /* the unfitted direct copy, for comparison (|t - t_oe| <= 1 h) */
    int iterations;                /* Gauss-Newton iterations */
} bx_ephfit_stats_t;

/* Legacy (D1, or D2 for a GEO) ephemeris `out` that reproduces CNAV ephemeris `cnav` over
 * t_oe ± span_s (span_s <= 0: BX_EPHFIT_SPAN_S).  out->source = BX_EPH_SRC_D1/_D2,
 * Adot = dn0dot = 0, dA = sqrtA² - A_ref; the group delays of cnav are kept as they are and
 * tgd_b1i_s = tgd_b2i_s = 0 (TGD1/TGD2 are not broadcast in B-CNAV).  stats may be NULL.
 * A legacy ephemeris is copied unchanged.  Returns BX_OK, BX_ERR_ARG (implausible
 * ephemeris) or BX_ERR_NOMEM. */
int bx_eph_fit_legacy(const bx_eph_t *cnav, double span_s, bx_eph_t *out, bx_ephfit_stats_t *stats);

#ifdef __cplusplus
}
#endif
#endif
