/*
 * Per-epoch output of the receiver commands (bdsrx run, bdsrx live): at each
 * observation epoch with an absolute time, RINEX observations, the PVT
 * solution, JSON lines, NMEA sentences, the receiver's position/clock
 * steering, and the statistics of the final summary.  Internal to src/.
 */
#ifndef BDSRX_SOLOUT_H
#define BDSRX_SOLOUT_H

#include <stddef.h>
#include <stdio.h>

#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/rinex_obs.h"

typedef void (*solout_nmea_fn)(void *user, const char *sentences, size_t len);

typedef struct {
    /* set by the caller (solout_init zeroes everything) */
    bx_pvt_t *pvt;                 /* the solver (caller owns it) */
    FILE *json;                    /* JSON lines or NULL */
    int flush;                     /* flush JSON after every epoch (readers tail it) */
    FILE *rnx;                     /* RINEX observations or NULL; header below, written at the first epoch
                                      (n_types 0: the types of the receiver's signals); APPROX POSITION
                                      XYZ is filled in at the first fix when the file is seekable */
    bx_rinex_obs_header_t rnx_hdr;
    FILE *rtcm;                    /* RTCM3 out (base station) or NULL: BDS MSM7 every epoch, 1005 with the
                                      mean position once there is a fix */
    int rtcm_station;              /* DF003 reference station id */
    solout_nmea_fn nmea;           /* GGA RMC GSA GSV of each fix, or NULL */
    void *nmea_user;
    int have_ref;                  /* ref_llh (rad, rad, m): the summary reports errors */
    double ref_llh[3];
    /* kept by solout_epoch */
    int rnx_started, nepoch, nfix, have_last;
    long rnx_pos_at;               /* offset of APPROX POSITION XYZ in rnx (-1 unknown) */
    double ttff_s;                 /* sample clock (s) of the first fix */
    double sum_pos[3], first_pos[3], enu_sum[3], enu_sq[3], err3d_sq_sum;
    bx_sol_t last;
} solout_t;

void solout_init(solout_t *o);

/* One epoch (the receiver's on_epoch).  Epochs before the time of week is known
 * count but write nothing time-tagged.  Returns 1 when the epoch gave a fix. */
int solout_epoch(solout_t *o, bx_rx_t *rx, const bx_obs_t *obs);

/* Fix statistics: time to first fix, mean position, spread and, with a
 * reference, the errors.  Nothing when there was no fix. */
void solout_summary(const solout_t *o, FILE *f);

#endif
