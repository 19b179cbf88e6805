/*
 * bdsrx — bit-field access on unpacked bit arrays (one byte per bit, value 0/1,
 * first transmitted bit first), as produced by the frame decoders (navframe.h).
 *
 * Positions in this API are 0-BASED (pos 0 = first transmitted bit).  The ICD
 * tables (shared/icd/navmsg.md) are 1-based: ICD bit b is pos b-1.  Fields are
 * MSB first; signed fields are two's complement.  len is 1..64.
 *
 * bx_bitio_t is a cursor that either reads fields from or writes fields into a
 * bit array, so that one field list describes both the decoder and the encoder
 * of a message (nav/cnav*_msg.c): the same code runs in both directions, which
 * keeps parse and pack consistent by construction.
 *
 * Threads: pure functions on caller-owned buffers: safe from any thread.
 */
#ifndef BDSRX_BITS_H
#define BDSRX_BITS_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

uint64_t bx_bits_getu(const uint8_t *bits, int pos, int len);
int64_t bx_bits_gets(const uint8_t *bits, int pos, int len);
/* Writes the len low bits of v (two's complement for negative values). */
void bx_bits_setu(uint8_t *bits, int pos, int len, uint64_t v);
void bx_bits_sets(uint8_t *bits, int pos, int len, int64_t v);

/* Hex text -> bits: first hex digit's MSB = bits[0].  Whitespace is skipped, parsing
 * stops at the first other non-hex character.  Returns the number of bits written
 * (4 per digit, at most max_bits: extra trailing digits are an error BX_ERR_FORMAT),
 * or BX_ERR_FORMAT when no digit was found. */
int bx_bits_from_hex(const char *hex, uint8_t *bits, int max_bits);
/* bits -> hex text, zero-padded at the END to a multiple of 4 bits (testvectors.md
 * convention); out needs (nbits+3)/4+1 chars.  Returns BX_OK or BX_ERR_ARG. */
int bx_bits_to_hex(const uint8_t *bits, int nbits, char *out, size_t outlen);
/* Packed bytes (MSB first) -> bits. */
void bx_bits_from_bytes(const uint8_t *bytes, int nbits, uint8_t *bits);

/* ---- read/write cursor ---- */
typedef struct {
    uint8_t *bits;
    int pos;   /* 0-based index of the next field */
    int nbits; /* size of the array */
    int write; /* 0: fields are read into the variables, 1: variables are written out */
    int err;   /* BX_OK, or BX_ERR_ARG once a field overran the array or a value did not
                  fit its field on writing (the value is then clamped) */
} bx_bitio_t;

void bx_bitio_reader(bx_bitio_t *io, const uint8_t *bits, int nbits); /* never writes bits */
void bx_bitio_writer(bx_bitio_t *io, uint8_t *bits, int nbits);
void bx_bitio_u64(bx_bitio_t *io, int len, uint64_t *v);          /* raw unsigned */
void bx_bitio_uint(bx_bitio_t *io, int len, int *v);              /* unsigned, len <= 31 */
void bx_bitio_sint(bx_bitio_t *io, int len, int *v);              /* signed, len <= 32 */
/* Scaled field: value = raw * scale.  On writing raw = round(value / scale). */
void bx_bitio_uf(bx_bitio_t *io, int len, double scale, double *v); /* unsigned, len <= 63 */
void bx_bitio_sf(bx_bitio_t *io, int len, double scale, double *v); /* signed, len <= 63 */
/* Moves the cursor to ICD bit b (1-based); a position mismatch while a block
 * layout is followed sequentially is a coding error: sets err if pos != b-1. */
void bx_bitio_expect(bx_bitio_t *io, int icd_bit);

#ifdef __cplusplus
}
#endif
#endif
