/*
 * bdsrx simulator signal generator: complex baseband B1C or B2a samples
 * (unit-variance complex Gaussian noise plus satellites at given C/N0).
 *
 *   bx_simgen_t *g = bx_simgen_create(&cfg);
 *   every millisecond: bx_simgen_set_sat(g, slot, prn, nav, cn0, t_sv, rate)
 *                      bx_simgen_generate(g, buf, fs/1000);
 *
 * t_sv is the signal time stamp (satellite time of the signal, as decoded by
 * a receiver) arriving with the first sample of the next block and rate its
 * derivative d t_sv / dt; code, secondary codes, data symbols and carrier all
 * follow from it.  B1C: data BOC(1,1) (1/4 power) + pilot BOC(1,1) in
 * quadrature (3/4; the QMBOC BOC(6,1) part is not generated). B2a: BPSK(10)
 * data with the 5-chip secondary code + pilot with its 100-chip code.
 */
#ifndef BDSRX_SIMGEN_H
#define BDSRX_SIMGEN_H

#include "bdsrx/iq.h"
#include "bdsrx/simscen.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_SIMGEN_MAX_SATS 32

typedef struct {
    int sig;        /* BX_SIG_B1C or BX_SIG_B2A */
    double fs_hz;   /* sample rate (complex) */
    int noise;      /* 1: add unit-variance noise (C/N0 then refers to it) */
    uint64_t seed;  /* noise seed (0 = default) */
} bx_simgen_config_t;

typedef struct bx_simgen bx_simgen_t;

bx_simgen_t *bx_simgen_create(const bx_simgen_config_t *c);
/* Sets (prn > 0) or clears (prn == 0) satellite slot; nav may be NULL (all
 * data symbols 0). */
int bx_simgen_set_sat(bx_simgen_t *g, int slot, int prn, bx_simnav_t *nav, double cn0_dbhz, bx_time_t t_sv,
                      double rate);
/* Generates the next n samples (overwrites out). */
int bx_simgen_generate(bx_simgen_t *g, bx_cf32_t *out, size_t n);
void bx_simgen_destroy(bx_simgen_t *g);

#ifdef __cplusplus
}
#endif
#endif
