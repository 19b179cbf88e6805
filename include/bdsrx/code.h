/*
 * bdsrx — BDS-3 open-signal ranging codes (B1C, B2a and B2b-I).
 *
 * B1C data/pilot primary and B1C/B2a pilot secondary codes are truncated Weil
 * codes (ICD B1C §5.2.1-5.2.2, ICD B2a §5.2.2; shared/icd/signals.md §2),
 * B2a data/pilot primary codes are truncated Gold codes from two 13-stage
 * LFSRs (ICD B2a §5.2.1; signals.md §3), the B2a data secondary code is the
 * fixed 5-chip sequence 00010 (ICD B2a §5.2.3; signals.md §1).
 *
 * Chips are returned as +1 for logic 0 and -1 for logic 1 (signals.md §1),
 * chip 0 = first transmitted chip.  Codes are pure functions of (id, prn):
 * no state, no allocation, safe to call from any thread.
 */
#ifndef BDSRX_CODE_H
#define BDSRX_CODE_H

#include <stdint.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BX_CODE_B1CD,  /* B1C data primary, 10230 chips, Weil N=10243 */
    BX_CODE_B1CP,  /* B1C pilot primary, 10230 chips, Weil N=10243 */
    BX_CODE_B1CS,  /* B1C pilot secondary, 1800 chips (1 chip per 10 ms), Weil N=3607 */
    BX_CODE_B2AD,  /* B2a data primary, 10230 chips, Gold */
    BX_CODE_B2AP,  /* B2a pilot primary, 10230 chips, Gold */
    BX_CODE_B2AS,  /* B2a pilot secondary, 100 chips (1 chip per 1 ms), Weil N=1021 */
    BX_CODE_B2ADS, /* B2a data secondary, 5 chips 00010 (1 chip per 1 ms), all PRNs */
    BX_CODE_B2BI,  /* B2b-I primary, 10230 chips, Gold (B-CNAV3 PRN 1-58, PPP-B2b GEO PRN 59-63);
                      no secondary code, 1 data symbol per code period */
    BX_CODE_COUNT
} bx_code_id_t;

#define BX_CODE_LEN_MAX 10230

/* Code length in chips: 10230, 10230, 1800, 10230, 10230, 100, 5, 10230; BX_ERR_ARG for an unknown id. */
int bx_code_length(bx_code_id_t id);

/* Writes the code of `prn` (1..63) into chips[0..len-1] as +1 (logic 0) / -1 (logic 1).
 * Returns the length written, or BX_ERR_ARG (unknown id, prn outside 1..63, chips NULL, n < len). */
int bx_code_gen(bx_code_id_t id, int prn, int8_t *chips, int n);

/* "B1CD", "B1CP", "B1CS", "B2AD", "B2AP", "B2AS", "B2ADS", "B2BI" (case-insensitive) -> id; BX_ERR_ARG if unknown. */
int bx_code_from_name(const char *name, bx_code_id_t *id);

/* Canonical name ("B1CD" ...), or "?" for an unknown id. */
const char *bx_code_name(bx_code_id_t id);

/* Chip rate: 1.023e6 (B1CD/B1CP), 10.23e6 (B2AD/B2AP/B2BI), 100 (B1CS), 1000 (B2AS, B2ADS) chips/s;
 * 0 for an unknown id. */
double bx_code_rate_chips_s(bx_code_id_t id);

/* ---- lower-level generators (used by bx_code_gen; exposed for tests and tools) ---- */

/* Truncated Weil code (signals.md §2): c(n) = L(k) xor L((k+w) mod N), k = (n+p-1) mod N,
 * L = Legendre sequence of the prime N (<= 10243), n = 0..len-1; output +1/-1.
 * Returns len or BX_ERR_ARG. */
int bx_code_weil(int n_legendre, int w, int p, int len, int8_t *chips);

/* Truncated Gold code from two 13-stage LFSRs (signals.md §3).  Registers as 13-bit integers with
 * bit 12 = stage 1 and bit 0 = stage 13 (output); taps as in signals.md §3 (e.g. B2a data G1 0x1105).
 * Register 1 starts all ones and is reset to all ones after 8190 chips; register 2 starts at
 * g2_init and is never reset.  Returns len (<= 10230) or BX_ERR_ARG. */
int bx_code_gold13(uint16_t g1_taps, uint16_t g2_taps, uint16_t g2_init, int len, int8_t *chips);

#ifdef __cplusplus
}
#endif
#endif
