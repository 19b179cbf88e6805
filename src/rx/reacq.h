/* Re-acquisition plan (src/rx/reacq.c): predicted satellites above the mask and their Doppler.
 * Internal to the library. */
#ifndef BDSRX_REACQ_H
#define BDSRX_REACQ_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/acq.h"
#include "bdsrx/eph.h"
#include "bdsrx/time.h"

typedef struct {
    int prn;
    double doppler_hz; /* geometric Doppler of the carrier, static receiver, no receiver clock drift */
    double el_deg;
} bx_reacq_sat_t;

/* Fills out[0..max) with the PRNs of sig's default set whose ephemeris (valid at BDT t) puts them
 * above mask_deg seen from rx_ecef_m; returns how many. */
int bx_reacq_predict(const bx_nav_t *nav, const double rx_ecef_m[3], bx_time_t t, int sig, double mask_deg,
                     bx_reacq_sat_t *out, int max);

/* Escalation to the weak-signal search (bx_acq_config_weak) for satellites predicted above the
 * mask that the narrow-window search did not find (issue 14 §2).  One per stream; used by one
 * thread at a time (the receiver's caller or its background search thread). */
typedef struct {
    bx_acq_t *acq;                  /* weak configuration, made by bx_reacq_weak_init (NULL: none) */
    size_t need;                    /* samples one weak search consumes */
    int failed;                     /* could not be made: never escalate */
    uint64_t next_sample;           /* earliest block start of the next escalation */
    uint64_t last[BX_PRN_MAX + 1];  /* 1 + block start of each PRN's last weak search (0: never) */
    double cpu_s;                   /* thread CPU time of the escalations */
    int searches, found;            /* PRN weak searches, detections among them */
    uint64_t found_mask;            /* bit p: PRN p found by an escalation */
} bx_reacq_weak_t;

/* Makes w->acq for signal sig (B1C / B2a; others: BX_ERR_UNSUPPORTED and w->failed) at pfa, with
 * the FFTW wisdom file (may be NULL; its plans are used, nothing is measured).  Calls the FFTW
 * planner (FFTW_ESTIMATE, ~0.1 s): the thread that creates the
 * receiver must call it. */
int bx_reacq_weak_init(bx_reacq_weak_t *w, int sig, double fs_hz, double if_hz, double pfa, const char *wisdom);
void bx_reacq_weak_free(bx_reacq_weak_t *w);
/* Searches up to max_prn of the PRNs prns[i] with res[i].detected == 0 and a narrow window
 * (half_hz[i] >= 0) with the weak configuration in x[0..n) (n >= w->need, block starting at
 * sample block_start), the least recently escalated first, in the window center_hz[i] +-
 * half_hz[i]; a PRN searched less than retry_samples before block_start waits.  A detection
 * replaces res[i].  Returns the number of PRNs searched. */
int bx_reacq_escalate(bx_reacq_weak_t *w, const bx_cf32_t *x, size_t n, uint64_t block_start, const int *prns,
                      const double *center_hz, const double *half_hz, bx_acq_result_t *res, int nprn, int max_prn,
                      uint64_t retry_samples);

#endif
