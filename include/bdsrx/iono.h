/*
 * bdsrx — BDGIM, the BDS-3 broadcast ionosphere model (B-CNAV1 SF3 page 1,
 * B-CNAV2 MT30, B-CNAV3 MT30: 9 coefficients α1..α9 in TECu, navmsg.md
 * Table N10; bx_bdgim_t in eph.h).
 *
 * Model (BDS-SIS-ICD-B1C/B2a-1.0 §7, "BDGIM"; NOT transcribed in
 * shared/icd — navmsg.md says so — structure implemented from the published
 * model description, details tagged [U] in nav/geo/iono_bdgim.c):
 *   VTEC = Σ_{i=1..9} α_i A_i(φ', λ') + Σ_{j=1..17} β_j B_j(φ', λ')
 * with A_i, B_j fully normalised spherical harmonics of degree/order
 * (0,0) (1,0) (1,1) (1,-1) (2,0) (2,1) (2,-1) (2,2) (2,-2) for α and
 * (3,0..±3) (4,0..±2) (5,0..±2) for β, evaluated at the ionospheric pierce
 * point (thin shell, 400 km) in a sun-fixed geomagnetic frame; the β_j are
 * the ICD's "non-broadcast" coefficients predicted from a periodic table.
 *
 * The ICD's non-broadcast periodic table is built in (bx_bdgim_nonbrd_icd,
 * nav/geo/bdgim_table.c; not in shared/icd: taken from the model authors'
 * published reference implementation and checked against its output).
 * bx_bdgim_delay_m uses it; the lower-level functions take the table as a
 * parameter (NULL = the 9 broadcast terms only).
 *
 * Threads: pure functions: safe from any thread.
 */
#ifndef BDSRX_IONO_H
#define BDSRX_IONO_H

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_BDGIM_NONBRD 17   /* non-broadcast coefficients */
#define BX_BDGIM_PERIODS 12  /* periodic terms per coefficient */

/* ICD predicted periodic table of the non-broadcast coefficients, one row
 * per coefficient in the degree/order order above:
 *   β_j(t) = a0[j] + Σ_k ( ac[j][k] cos(ω_k t_p) + as[j][k] sin(ω_k t_p) )
 * with ω_k = 2π / period_d[k] (days) and t_p in days (MJD) at the centre of
 * the 2-hour interval containing t. */
typedef struct {
    double period_d[BX_BDGIM_PERIODS];
    double a0[BX_BDGIM_NONBRD];
    double ac[BX_BDGIM_NONBRD][BX_BDGIM_PERIODS];
    double as[BX_BDGIM_NONBRD][BX_BDGIM_PERIODS];
} bx_bdgim_nonbrd_t;

/* Loads the table from a text file: '#' comments, then a line
 * "periods_d P1 .. P12" (days), then 17 rows of 25 numbers
 * "a0 ac1 as1 ac2 as2 .. ac12 as12" in the degree/order order above.
 * Returns BX_OK, BX_ERR_IO or BX_ERR_FORMAT ("path:line: what" in err). */
int bx_bdgim_nonbrd_load(const char *path, bx_bdgim_nonbrd_t *tbl, char *err, size_t errlen);

/* Fills tbl with the ICD's non-broadcast periodic table.  BX_OK or BX_ERR_ARG. */
int bx_bdgim_nonbrd_icd(bx_bdgim_nonbrd_t *tbl);

/* Lower bound of the model VTEC (TECu) for a broadcast α1 (TECu): α1/10,
 * /8, /6 or /4 for α1 above 35, 20, 12 or below. */
double bx_bdgim_vtec_floor_tecu(double alpha1_tecu);

/* Vertical TEC (TECu) at the pierce point given in geodetic lat/lon (rad),
 * time t (BDT).  nonbrd may be NULL (see above). */
double bx_bdgim_vtec_tecu(const bx_bdgim_t *p, const bx_bdgim_nonbrd_t *nonbrd, bx_time_t t, double ipp_lat_rad,
                          double ipp_lon_rad);

/* Slant ionospheric group delay (m, >= 0: a negative model VTEC gives 0) on freq_hz for a receiver at
 * rx_llh (rad, rad, m) and a satellite at az/el (rad), time t (BDT): the full
 * model (broadcast terms, the ICD non-broadcast table, the VTEC floor).
 * Returns 0 when p is NULL/invalid. */
double bx_bdgim_delay_m(const bx_bdgim_t *p, bx_time_t t, const double rx_llh[3], double az_rad, double el_rad,
                        double freq_hz);

/* Same with an explicit non-broadcast table (NULL: broadcast terms only; the floor applies). */
double bx_bdgim_delay_full_m(const bx_bdgim_t *p, const bx_bdgim_nonbrd_t *nonbrd, bx_time_t t,
                             const double rx_llh[3], double az_rad, double el_rad, double freq_hz);

/* Pierce point (thin shell at 400 km over a 6378 km sphere) of a ray at
 * az/el from rx_llh: lat/lon (rad) and the zenith angle there (rad). */
void bx_bdgim_ipp(const double rx_llh[3], double az_rad, double el_rad, double *lat_rad, double *lon_rad,
                  double *zenith_ipp_rad);

#ifdef __cplusplus
}
#endif
#endif
