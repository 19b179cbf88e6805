/*
 * Per-epoch output of the receiver commands (bdsrx run, bdsrx live): at each
 * observation epoch with an absolute time, RINEX observations, JSON lines of
 * the solution, NMEA sentences, and the statistics of the final summary.  The
 * solution itself and the position/clock feedback come from the receiver
 * (bx_rx_epoch_t, receiver.h).  Internal to src/.
 */
#ifndef BDSRX_SOLOUT_H
#define BDSRX_SOLOUT_H

#include <stddef.h>
#include <stdio.h>

#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/rinex_obs.h"

/* Sends the NMEA sentences of one epoch; returns 0 or the errno of a failed write. */
typedef int (*solout_nmea_fn)(void *user, const char *sentences, size_t len);

typedef struct {
    /* set by the caller (solout_init zeroes everything) */
    FILE *json;                    /* JSON lines or NULL (every record is written whole and flushed, src/io/recio.h) */
    int flush;                     /* unused: every record is flushed */
    FILE *rnx;                     /* RINEX observations or NULL; header below, written at the first epoch
                                      (n_types 0: the types of the receiver's signals); APPROX POSITION
                                      XYZ is filled in at the first fix when the file is seekable */
    bx_rinex_obs_header_t rnx_hdr;
    FILE *rtcm;                    /* RTCM3 out (base station) or NULL: BDS MSM7 every epoch, 1005 with the
                                      mean position once there is a fix (whole frames, src/io/recio.h) */
    struct bx_nmea_tcp *rtcm_tcp;  /* the same to TCP clients (solout_open_rtcm "tcp://") or NULL */
    struct bx_ntrip_server *rtcm_caster; /* the same pushed to an NTRIP caster ("ntrips://") or NULL */
    struct bx_serial *rtcm_ser;    /* the same to a serial port (radio modem; solout_open_rtcm_serial) or NULL */
    unsigned long long rtcm_ser_losses, rtcm_ser_reopens; /* reported so far on stderr */
    char rtcm_url[512];            /* for reconnecting to the caster */
    int rtcm_retry;                /* epochs until the next connection attempt after a failure */
    int rtcm_station;              /* DF003 reference station id */
    solout_nmea_fn nmea;           /* GGA RMC GSA GSV of each epoch with a solution (quality 0 without a valid
                                      fix), or NULL */
    void *nmea_user;
    int have_ref;                  /* ref_llh (rad, rad, m): the summary reports errors */
    double ref_llh[3];
    /* kept by solout_epoch */
    int rnx_started, nepoch, nfix, have_last;
    int nrejected;                 /* fixes withheld by the integrity checks (RAIM failed, jump) */
    unsigned resyncs;              /* bx_rx_resyncs seen */
    int werr;                      /* errno of the first failed write (then nothing more is written) */
    char werr_msg[256];
    long rnx_pos_at;               /* offset of APPROX POSITION XYZ in rnx (-1 unknown) */
    double ttff_s;                 /* sample clock (s) of the first fix */
    double sum_pos[3], first_pos[3], enu_sum[3], enu_sq[3], err3d_sq_sum;
    bx_sol_t last;
    /* RTK (ep->rtk): epochs fixed / float, sample clock (s) of the first fixed one */
    int n_rtk_fixed, n_rtk_float, n_rtk;
    double ttfix_s;
    double last_ratio, last_baseline_m, last_age_s;
    char last_rtk_msg[128];
    /* PPP (ep->ppp): epochs solved by PPP, sample clock (s) of the first, the last PPP epoch */
    FILE *pos;                     /* RTKLIB .pos lines (set by the caller; RTK and PPP epochs, else NULL) */
    int pos_started;
    int n_ppp, n_ppp_epochs;
    double ttppp_s;
    bx_sol_t last_ppp_sol;
    bx_rx_ppp_info_t last_ppp;     /* of the last epoch (status, msg) */
    bx_rx_ppp_info_t last_ppp_ok;  /* of the last PPP epoch */
} solout_t;

void solout_init(solout_t *o);

/* RTCM3 output for a base station: "FILE", "tcp://[ADDR:]PORT" (a server every client of
 * which gets the stream; ADDR default 127.0.0.1, 0.0.0.0 for all interfaces) or
 * "ntrips://[user]:password@host:port/MOUNT" (NTRIP 1 server; "ntrips2://" NTRIP 2) pushing to a
 * caster: a failed send is reported once on stderr and the connection retried every 10 epochs.  0 ok, -1 with a
 * message in err.  solout_close_rtcm closes it (NULL-safe fields). */
int solout_open_rtcm(solout_t *o, const char *spec, char *err, size_t errlen);
/* The same stream to a serial port "DEV[:BAUD]" (bdsrx/serial.h: raw 8N1, default 9600 baud;
 * what the line cannot take is dropped and counted, never stalling the receiver; an adapter
 * unplugged is reopened with back-off, both reported on stderr).  Beside any solout_open_rtcm
 * output.  0 ok, -1 with a message in err; closed by solout_close_rtcm. */
int solout_open_rtcm_serial(solout_t *o, const char *spec, char *err, size_t errlen);
/* Bytes the RTCM serial port dropped so far (0 without one). */
unsigned long long solout_rtcm_serial_dropped(const solout_t *o);
void solout_close_rtcm(solout_t *o);

/* One epoch (from the receiver's on_epoch).  Epochs before the time of week is known
 * count but write nothing time-tagged.  Returns 1 when the epoch gave a valid
 * fix (bx_sol_valid: only those count and enter the statistics). */
int solout_epoch(solout_t *o, const bx_rx_t *rx, const bx_rx_epoch_t *ep);

/* "JSON output: write failed: No space left on device" after the first failed
 * write of any output, else NULL.  The caller stops and exits non-zero. */
const char *solout_error(const solout_t *o);

/* Fix statistics: time to first fix, mean position, spread and, with a
 * reference, the errors.  Nothing when there was no fix. */
void solout_summary(const solout_t *o, FILE *f);

#endif
