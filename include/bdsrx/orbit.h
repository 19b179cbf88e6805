/*
 * bdsrx — satellite orbit and clock from a BDS broadcast ephemeris
 * (bx_eph_t, eph.h), group delays per signal, the B1C/B2a ionosphere-free
 * combination, and the navigation-data store (bx_nav_t).
 *
 * Algorithms: shared/icd/orbit.md §3 (CNAV MEO/IGSO), §3.1 (GEO, D2-style
 * rotation), §4 (clock + relativistic term), §5 (TGD/ISC), §6 (matching).
 * Legacy D1/D2 ephemerides (RINEX 3/4 "D1"/"D2" records, B1I/B3I) are held in
 * the same bx_eph_t with Adot = dn0dot = 0 and dA = sqrtA² - A_ref, which
 * makes the CNAV algorithm identical to the D1/D2 one; `source` then holds
 * BX_EPH_SRC_D1 / BX_EPH_SRC_D2 (eph.h) and the group delays TGD1/TGD2 are kept
 * in tgd_b1i_s / tgd_b2i_s.
 *
 * Threads: pure functions over caller data; bx_nav_add modifies the store (no concurrent readers
 * then).
 */
#ifndef BDSRX_ORBIT_H
#define BDSRX_ORBIT_H

#include "bdsrx/eph.h"
#include "bdsrx/iono.h"
#include "bdsrx/time.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CGCS2000 / BDT constants (orbit.md §1). */
#define BX_GM_BDS_M3_S2 3.986004418e14
#define BX_OMEGA_E_BDS_RAD_S 7.2921150e-5
#define BX_PI_ICD 3.1415926535898        /* semicircle conversion, orbit.md §1 */
#define BX_AREF_MEO_M 27906100.0         /* orbit.md §1 */
#define BX_AREF_IGSO_GEO_M 42162200.0    /* orbit.md §1 */
#define BX_REL_F_S_SQRTM (-4.442807309e-10) /* F = -2 sqrt(mu) / c^2, orbit.md §4 */

/* Values of bx_eph_t.source beyond bx_signal_t (BX_EPH_SRC_D1 / BX_EPH_SRC_D2, legacy
 * B1I/B3I navigation messages D1 (MEO/IGSO) and D2 (GEO) read from RINEX) are defined in
 * eph.h with the group delays TGD1/TGD2 they carry (tgd_b1i_s, tgd_b2i_s). */

/* Reference semi-major axis of a satellite type (orbit.md §1): MEO 27906100 m,
 * IGSO/GEO 42162200 m; 0 for an unknown type. */
double bx_eph_aref_m(int sat_type);

/* Satellite position and velocity, CGCS2000 ECEF at transmit time t (BDT,
 * not rotated for the signal travel time), satellite clock bias (a0..a2 +
 * relativistic term, B3I-referenced, without TGD) and drift at t.  Velocity
 * and drift are analytic time derivatives.  Any output pointer may be NULL.
 * The GEO branch (orbit.md §3.1) is used when sat_type == BX_SAT_GEO.
 * Returns BX_OK, or BX_ERR_ARG for a NULL/implausible ephemeris (A <= 0,
 * e outside [0,1)) or a Kepler iteration that does not converge. */
int bx_satpos(const bx_eph_t *e, bx_time_t t, double pos_m[3], double vel_mps[3], double *clk_s,
              double *clkdrift_s_s);

/* Group delay T_GD(signal) in seconds to subtract from the B3I-referenced
 * clock (Δt_SV(sig) = Δt_SV - T_GD) or, equivalently, c·T_GD from the
 * pseudorange (orbit.md §5): B1C pilot T_GD_B1Cp, data T_GD_B1Cp + ISC_B1Cd,
 * B2a pilot T_GD_B2ap, data T_GD_B2ap + ISC_B2ad, B2b-I T_GD_B2bI.
 * sig = bx_signal_t; returns 0 for others. */
double bx_tgd_s(const bx_eph_t *e, int sig, int pilot);

/* Ionosphere-free combination of B1C and B2a (orbit.md §5):
 *   P_IF = c1 * P_B1C + c2 * P_B2a - c * tgd_if_s
 * with k = (f_B1C / f_B2a)², c1 = k / (k - 1), c2 = -1 / (k - 1), and
 * tgd_if_s = c1 * T_GD(B1C) + c2 * T_GD(B2a) for the chosen components.
 * Then P_IF = rho + c (dt_r - Δt_SV) + ... with Δt_SV the B3I clock. */
void bx_iflc_coef(double f1_hz, double f2_hz, double *c1, double *c2);
double bx_iflc_b1c_b2a_tgd_s(const bx_eph_t *e, int pilot_b1c, int pilot_b2a);

/* ---- navigation-data store (bx_nav_t, eph.h) ---- */

/* Largest |t - t_oe| accepted by bx_nav_select.  CNAV ephemerides are
 * refreshed hourly (orbit.md §6); the fit interval is not transcribed [U], so
 * this is a conservative engineering choice. */
#define BX_NAV_MAX_AGE_S 7200.0

/* bx_nav_t is a plain value the caller owns (embedded or on the stack): bx_nav_init makes it
 * empty, bx_nav_destroy frees what it holds and leaves it empty (NULL-safe, reusable). */
void bx_nav_init(bx_nav_t *n);
void bx_nav_destroy(bx_nav_t *n);
/* Adds a copy of e; an entry with the same PRN, t_oe, IODE and source is
 * replaced.  Returns BX_OK, BX_ERR_ARG or BX_ERR_NOMEM. */
int bx_nav_add(bx_nav_t *n, const bx_eph_t *e);
/* Nearest (|t - t_oe|) healthy ephemeris of prn within BX_NAV_MAX_AGE_S;
 * CNAV (B-CNAV1/2/3) is preferred over D1/D2 at equal distance.  NULL if none. */
const bx_eph_t *bx_nav_select(const bx_nav_t *n, int prn, bx_time_t t);
/* Same, restricted to one source (bx_signal_t or BX_EPH_SRC_*); source < 0 = any. */
const bx_eph_t *bx_nav_select_src(const bx_nav_t *n, int prn, bx_time_t t, int source);

#ifdef __cplusplus
}
#endif
#endif
