/* Internal kernels of the FFT acquisition (dsp/acq_kernels.c), selected at run time. */
#ifndef BDSRX_ACQ_IMPL_H
#define BDSRX_ACQ_IMPL_H

#include <stddef.h>

typedef struct {
    /* y[i] = x[i] * c[i], n complex values, interleaved re/im */
    void (*cmul)(float *restrict y, const float *restrict x, const float *restrict c, size_t n);
    /* row[i] (+)= |o[i]|^2 for i < n (accumulate != 0: add); when stats != 0 also returns the
     * maximum of the resulting row and adds its sum to *sum */
    float (*power)(float *restrict row, const float *restrict o, size_t n, int accumulate, int stats,
                   double *sum);
} acq_kernels_t;

void acq_kernels_select(acq_kernels_t *k);

#endif
