/* Internal to the ranging-code module (dsp/code*.c): per-PRN generators that
 * look up the ICD parameter tables.  Public API: include/bdsrx/code.h. */
#ifndef BDSRX_CODE_IMPL_H
#define BDSRX_CODE_IMPL_H

#include <stdint.h>

#include "bdsrx/code.h"

/* Weil-based codes (B1CD, B1CP, B1CS, B2AS); prn 1..63 checked by the caller, n >= length. */
int bx_code_weil_prn(bx_code_id_t id, int prn, int8_t *chips);
/* Gold-based codes (B2AD, B2AP). */
int bx_code_gold_prn(bx_code_id_t id, int prn, int8_t *chips);

#endif
