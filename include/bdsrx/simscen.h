/*
 * bdsrx simulator scenario: the project's own constellation, receiver
 * trajectory, signal geometry and navigation-message streams, on top of which
 * tools/bdsrx-sim.c generates IQ samples with src/sim/simsig.c.
 *
 * Everything here is the same physics the receiver inverts (bx_satpos for the
 * orbits, the CNAV packers for the messages), so end-to-end tests check the
 * receiver's signal processing and bookkeeping; the orbit and message
 * formulas themselves are checked against independent data in their own
 * tests (SP3, ICD vectors, real frames).
 *
 * Threads: the geometry functions are pure; a bx_simnav_t is used by one thread at a time (the
 * bx_nav_t it reads must not change meanwhile).
 */
#ifndef BDSRX_SIMSCEN_H
#define BDSRX_SIMSCEN_H

#include <stdint.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receiver trajectory. */
enum { BX_TRAJ_STATIC = 0, BX_TRAJ_FIELD = 1 };

typedef struct {
    bx_time_t start;        /* BDT (true time) of the first sample */
    double llh0[3];         /* start position: lat, lon (rad), height (m) */
    int traj;               /* BX_TRAJ_* */
    double speed_mps;       /* FIELD: driving speed along the rows */
    double row_length_m;    /* FIELD: row length (default 200 m) */
    double row_spacing_m;   /* FIELD: spacing between rows = U-turn diameter (default 12 m) */
    double elmask_deg;      /* satellites below are not simulated */
    int tropo;              /* add a Saastamoinen troposphere delay */
    const bx_bdgim_t *iono; /* add this broadcast BDGIM ionosphere delay to the code (NULL: none);
                               the carrier is not advanced (no code-carrier divergence) */
    /* appended: C/N0 by elevation (bx_simscen_cn0_dbhz); both 0 = one C/N0 for all */
    double cn0_horizon_dbhz; /* at 0 deg elevation */
    double cn0_zenith_dbhz;  /* at 90 deg */
    /* appended: an atmosphere that differs between places (two receivers simulated separately with
     * the same values see the same atmosphere up to a baseline-dependent part, as RTK meets it).
     * Gradients are taken in the local plane of atmo_ref_llh (rad, m; default 30.5 N 114.3 E 0 m):
     * vertical TEC + iono_grad_tecu_km . (east, north km), zenith troposphere + tropo_grad_mm_km .
     * (east, north km), and per satellite a smooth random vertical TEC field of amplitude
     * iono_resid_tecu (two plane waves, 30-60 km wavelength, 20-40 min period, phases from atmo_seed).
     * TEC maps to slant with the single-layer 350 km shell, to metres with 40.3e16 / f^2 (the code
     * delay; the carrier is advanced by as much when iono_carrier is set), the zenith troposphere
     * with 1 / sin(el) (floored at 3 deg). */
    double atmo_ref_llh[3];
    double iono_grad_tecu_km[2];
    double tropo_grad_mm_km[2];
    double iono_resid_tecu;
    uint64_t atmo_seed;
    int iono_carrier; /* 1: bx_simgeom_t.carrier_adv_cyc = 2 f iono / c (the carrier leads by the
                         ionosphere as the code lags, physics); 0 (default): code and carrier coherent */
} bx_simscen_config_t;

void bx_simscen_config_default(bx_simscen_config_t *c);

/* Fills nav with the project's synthetic BDS-3 constellation: 24 MEO (Walker
 * 24/3/1, 55 deg) on PRN 19-30, 32-37, 41-46, with
 * t_oe at the whole hour before `t`, clocks of a few tens of microseconds, and
 * every parameter already quantised to its ICD scale factor (so the decoded
 * broadcast ephemeris equals the one used to generate the signal). */
int bx_simscen_constellation(bx_nav_t *nav, bx_time_t t);
/* Adds the 3 IGSO of BDS-3 on PRN 38-40 (geosynchronous, 55 deg, one figure-eight ground track
 * with its node at 118 E as the real C38-C40; t_oe as above): with the MEO 11 satellites on average
 * above 5 deg at 30.5 N 114.3 E, at least 9, instead of 6-9 (bdsrx-sim --igso).  Separate so that the skies of the
 * existing scenarios stay as they were. */
int bx_simscen_add_igso(bx_nav_t *nav, bx_time_t t);

/* C/N0 of a satellite at elevation el_rad: cn0_horizon + (cn0_zenith -
 * cn0_horizon) sin(el), a smooth stand-in for an antenna gain pattern plus
 * the longer path at low elevation (e.g. 30 -> 45 dB-Hz gives 31.3 at 5 deg,
 * 37.5 at 30 deg, 43.0 at 60 deg); dflt when the model is off (both 0). */
double bx_simscen_cn0_dbhz(const bx_simscen_config_t *c, double el_rad, double dflt);

/* Receiver position/velocity (ECEF) at t_rel seconds after start. */
void bx_simscen_position(const bx_simscen_config_t *c, double t_rel_s, double pos_m[3], double vel_mps[3]);

/* Signal geometry of one satellite for a receiver at pos_m at true receive
 * time t_rx: the transmit time stamp of the signal (satellite time scale of
 * the signal `sig`, pilot; i.e. what the receiver decodes), the pseudorange
 * it implies, the geometric range, elevation and azimuth. */
typedef struct {
    bx_time_t t_sv;        /* signal time stamp arriving at t_rx */
    double pseudorange_m;  /* c * (t_rx - t_sv) */
    double range_m;        /* geometric (Sagnac-corrected) range */
    double tropo_m, iono_m;
    double el_rad, az_rad;
    double sat_pos_m[3];   /* ECEF at transmit time, in the frame of t_rx */
    double carrier_adv_cyc; /* carrier phase ahead of the code-coherent phase (iono_carrier), cycles */
} bx_simgeom_t;

int bx_simscen_geometry(const bx_simscen_config_t *c, const bx_eph_t *e, int sig, const double pos_m[3],
                        bx_time_t t_rx, bx_simgeom_t *g);

/* Navigation-data stream of one satellite and signal: the logic value of the
 * data symbol transmitted at signal time t_sv (B1C: B-CNAV1 frames, SF3 pages
 * 1-4 in turn; B2a: B-CNAV2 messages 10, 11, 30, 34 in turn).  Frames are
 * encoded with the nav/ encoders when first needed. */
typedef struct bx_simnav bx_simnav_t;
/* nav must outlive the object.  BX_ERR_ARG for a PRN outside 1..63 or a signal other than
 * B1C/B2a, BX_ERR_NOMEM. */
int bx_simnav_create(const bx_nav_t *nav, int prn, int sig, bx_simnav_t **out, char *err, size_t errlen);
int bx_simnav_symbol(bx_simnav_t *s, bx_time_t t_sv);
void bx_simnav_destroy(bx_simnav_t *s); /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
