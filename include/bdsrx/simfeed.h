/*
 * bdsrx simulator feed: complex samples of one or two bands (B1C, B2a) of the
 * project's synthetic constellation (simscen.h) for a static or moving
 * receiver, generated in memory block by block - the in-process form of
 * tools/bdsrx-sim for tests and benchmarks that drive the receiver engine
 * directly (no files).  Satellite C/N0 follows the scenario's elevation model
 * (bx_simscen_cn0_dbhz) or a fixed value.
 *
 * Thread-safety: one object per thread; objects are independent.
 */
#ifndef BDSRX_SIMFEED_H
#define BDSRX_SIMFEED_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/eph.h"
#include "bdsrx/iq.h"
#include "bdsrx/simscen.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    bx_simscen_config_t sc;  /* start time, trajectory, troposphere/ionosphere, C/N0 model */
    const bx_nav_t *nav;     /* constellation (bx_simscen_constellation), kept by reference */
    int nband;               /* 1 or 2 */
    int sig[2];              /* BX_SIG_B1C / BX_SIG_B2A per band */
    double fs_hz[2];         /* sample rate per band (whole kHz) */
    double cn0_dbhz;         /* every satellite, when sc has no elevation model */
    double elmask_deg;       /* satellites below are not simulated (default 10) */
    uint64_t prn_mask;       /* bit p: simulate PRN p (0 = all) */
    uint64_t seed;           /* noise seed (default 1) */
} bx_simfeed_config_t;

void bx_simfeed_config_default(bx_simfeed_config_t *c);

typedef struct bx_simfeed bx_simfeed_t;

int bx_simfeed_create(const bx_simfeed_config_t *c, bx_simfeed_t **out, char *err, size_t errlen);

/* Generates the next n_ms milliseconds: out[b] receives n_ms * fs_hz[b] / 1000
 * samples of band b (caller's buffers). */
int bx_simfeed_generate(bx_simfeed_t *f, int n_ms, bx_cf32_t *const out[2]);

/* Satellites simulated in band b at the last generated millisecond: PRN,
 * C/N0 and elevation; returns the count (<= max). */
int bx_simfeed_sats(const bx_simfeed_t *f, int b, int *prn, double *cn0_dbhz, double *el_deg, int max);

/* Adds db to every satellite's C/N0 from the next generated millisecond on
 * (fades, e.g. a signal that weakens after lock). */
void bx_simfeed_set_cn0_offset(bx_simfeed_t *f, double db);

/* Seconds generated so far. */
double bx_simfeed_elapsed_s(const bx_simfeed_t *f);

void bx_simfeed_destroy(bx_simfeed_t *f);

#ifdef __cplusplus
}
#endif
#endif
