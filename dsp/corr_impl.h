/* Internal to the correlator (dsp/corr*.c): the fixed-point form of a request
 * (see include/bdsrx/corr.h for the exact index definition). */
#ifndef BDSRX_CORR_IMPL_H
#define BDSRX_CORR_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/corr.h"

#define BX_CORR_FRAC 20 /* fractional bits of the in-chunk code phase */

typedef struct {
    int64_t P, S;                 /* code position / step, 2^-32 entries */
    int32_t O[BX_CORR_MAX_TAPS];  /* tap offsets, 2^-20 entries */
    int ntaps, data_tap;
    double carr_cyc, carr_step_cyc;
} bx_corr_fx_t;

/* AVX2+FMA kernel (dsp/corr_avx2.c), compiled for that target only; call it
 * only when the CPU supports it.  Accumulates into out (caller zeroes). */
void bx_corr_kernel_avx2(const float _Complex *x, size_t n, const uint8_t *table,
                         const bx_corr_fx_t *fx, bx_corr_out_t *out);

#endif
