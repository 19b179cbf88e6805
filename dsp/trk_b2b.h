/* Internal to tracking: the B2b-I channel (dsp/trk_b2b.c), reached through the public
 * bx_trk_* functions (dsp/trk.c dispatches when the configuration's signal is BX_SIG_B2B). */
#ifndef BDSRX_TRK_B2B_H
#define BDSRX_TRK_B2B_H

#include "bdsrx/trk.h"

typedef struct bx_trk_b2b bx_trk_b2b_t;

int bx__trk_b2b_create(const bx_trk_config_t *c, const bx_acq_result_t *init, uint64_t acq_sample,
                       bx_trk_b2b_t **out, char *err, size_t errlen);
int bx__trk_b2b_process(bx_trk_b2b_t *t, const bx_cf32_t *x, size_t n, uint64_t first_sample);
int bx__trk_b2b_pop_symbols(bx_trk_b2b_t *t, bx_trk_symbol_t *out, int max);
int bx__trk_b2b_observe(const bx_trk_b2b_t *t, uint64_t sample, bx_trk_obs_t *o);
int bx__trk_b2b_state(const bx_trk_b2b_t *t);
uint64_t bx__trk_b2b_position(const bx_trk_b2b_t *t);
int bx__trk_b2b_set_polarity(bx_trk_b2b_t *t, int inverted);
void bx__trk_b2b_destroy(bx_trk_b2b_t *t);

#endif
