/*
 * bdsrx — channel coding building blocks of the BDS-3 navigation messages:
 * CRC-24Q, GF(2^6) arithmetic, the B-CNAV1 subframe-1 BCH codes, the B-CNAV1
 * block interleaver and the 64-ary LDPC codes of B-CNAV1/2/3 (shared/icd/navmsg.md §1-2).
 *
 * Conventions: bits are stored one per byte (0/1), first transmitted bit first.
 * Soft values are floats with > 0 meaning logic 0 (signal level +1), magnitude
 * proportional to reliability (any common scale: the decoders are scale-invariant).
 *
 * Threads: the encoders and the BCH/CRC/interleaver functions are pure (any thread); a bx_ldpc_t
 * decoder is used by one thread at a time, distinct decoders concurrently.
 */
#ifndef BDSRX_FEC_H
#define BDSRX_FEC_H

#include <stdint.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CRC-24Q (navmsg.md §1.1): init 0, MSB first, no reflection, no final XOR ---- */
uint32_t bx_crc24q(const uint8_t *bits, int nbits);
/* Writes the 24 CRC bits of bits[0..ndata-1] into bits[ndata..ndata+23]. */
void bx_crc24q_append(uint8_t *bits, int ndata);
/* 1 if the last 24 of nbits bits are the CRC-24Q of the ones before, else 0. */
int bx_crc24q_check(const uint8_t *bits, int nbits);
/* CRC-24Q of n packed bytes (MSB first), e.g. an RTCM3 frame (RTCM 10403.3 §4.2). */
uint32_t bx_crc24q_bytes(const uint8_t *buf, size_t n);

/* ---- GF(2^6), p(x) = x^6 + x + 1, elements as 6-bit vectors (navmsg.md §1.2) ---- */
uint8_t bx_gf64_mul(uint8_t a, uint8_t b);
uint8_t bx_gf64_inv(uint8_t a);          /* 0 for a = 0 */
uint8_t bx_gf64_exp(int i);              /* alpha^i, any integer i */
int bx_gf64_log(uint8_t a);              /* log_alpha(a) in 0..62, -1 for a = 0 */

/* ---- B-CNAV1 subframe 1 BCH codes (navmsg.md §2.2) ---- */
void bx_bch21_6_encode(int prn, uint8_t cw[21]);    /* PRN 0..63 -> 21 symbols */
void bx_bch51_8_encode(int soh, uint8_t cw[51]);    /* SOH 0..255 -> 51 symbols */
/* Soft maximum-likelihood decoding: correlates the soft symbols with all 64 / 256
 * codewords (levels +1 for 0, -1 for 1) and returns the value with the largest
 * correlation; *corr (optional) receives that correlation.  Polarity is the caller's:
 * negate the input to test the inverted hypothesis. */
int bx_bch21_6_decode(const float soft[21], float *corr);
int bx_bch51_8_decode(const float soft[51], float *corr);

/* ---- B-CNAV1 36 x 48 block interleaver of subframes 2 + 3 (navmsg.md §2.3) ---- */
#define BX_CNAV1_SF2_CW 1200
#define BX_CNAV1_SF3_CW 528
#define BX_CNAV1_ILV 1728
void bx_cnav1_interleave(const uint8_t sf2cw[BX_CNAV1_SF2_CW], const uint8_t sf3cw[BX_CNAV1_SF3_CW],
                         uint8_t out[BX_CNAV1_ILV]);
/* in = the 1728 soft symbols after subframe 1 (frame symbols 72..1799). */
void bx_cnav1_deinterleave(const float in[BX_CNAV1_ILV], float sf2cw[BX_CNAV1_SF2_CW],
                           float sf3cw[BX_CNAV1_SF3_CW]);

/* ---- 64-ary LDPC codes (navmsg.md §1.3) ---- */
typedef enum {
    BX_LDPC_200_100 = 0, /* B-CNAV1 subframe 2 (ICD B1C §6.2.2.2) */
    BX_LDPC_88_44 = 1,   /* B-CNAV1 subframe 3 (ICD B1C §6.2.2.3) */
    BX_LDPC_96_48 = 2,   /* B-CNAV2            (ICD B2a §6.2.2)   */
    BX_LDPC_162_81 = 3   /* B-CNAV3 / PPP-B2b  (ICD B2b §6.2.2)   */
} bx_ldpc_code_t;

int bx_ldpc_info_bits(bx_ldpc_code_t code);   /* 600, 264, 288, 486; BX_ERR_ARG if unknown */
int bx_ldpc_code_bits(bx_ldpc_code_t code);   /* 1200, 528, 576, 972 */
/* Systematic encoder: code_bits = [info_bits | parity bits]; returns BX_OK or BX_ERR_ARG. */
int bx_ldpc_encode(bx_ldpc_code_t code, const uint8_t *info_bits, uint8_t *code_bits);
/* 1 if every parity check of H holds for the hard code bits, 0 if not, BX_ERR_ARG. */
int bx_ldpc_check(bx_ldpc_code_t code, const uint8_t *code_bits);

typedef struct {
    int max_iter;      /* iterations before giving up, default 40 */
    int hard;          /* 1: decode from hard decisions only (reference for benchmarks), default 0 */
    float damping;     /* check-to-variable message scale 0 < x <= 1, default 0.875 */
} bx_ldpc_config_t;
void bx_ldpc_config_default(bx_ldpc_config_t *c);

/* Soft-decision min-sum decoder over GF(64) (log-domain cost vectors of 64 entries per
 * symbol, built from the 6 bit soft values, first bit = MSB; flooding schedule, stops as
 * soon as all parity checks hold).  All memory is allocated in create. */
typedef struct bx_ldpc bx_ldpc_t;
/* c NULL = defaults.  BX_OK with *out set, BX_ERR_ARG (unknown code) or BX_ERR_NOMEM. */
int bx_ldpc_create(bx_ldpc_code_t code, const bx_ldpc_config_t *c, bx_ldpc_t **out, char *err, size_t errlen);
/* soft_bits: code_bits(code) soft values; out_bits: code_bits(code) hard decoded bits.
 * Returns BX_OK when H*c = 0 (then *iter, optional, = iterations used, 0 if the hard
 * decisions already were a codeword), BX_ERR_DECODE when it did not converge (out_bits =
 * best guess), BX_ERR_ARG. Allocation-free. */
int bx_ldpc_decode(bx_ldpc_t *d, const float *soft_bits, uint8_t *out_bits, int *iter);
bx_ldpc_code_t bx_ldpc_code(const bx_ldpc_t *d);
void bx_ldpc_destroy(bx_ldpc_t *d); /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
