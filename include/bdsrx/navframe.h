/*
 * bdsrx — BDS-3 navigation frame coding: symbols <-> messages for B-CNAV1 (B1C),
 * B-CNAV2 (B2a) and B-CNAV3 / PPP-B2b (B2b-I), shared/icd/navmsg.md §2.1-2.3, 3.1, 4.1.
 *
 * Soft symbols: float, > 0 means logic 0, magnitude ~ reliability (any scale; 0 = erasure).
 * Bits / symbols out: one byte per bit (0/1), first transmitted first, CRC bits included.
 *
 * Threads: the one-shot decode/encode functions are reentrant; a bx_cnav1_dec_t, bx_cnav1_collect_t
 * or bx_cnav2_sync_t is used by one thread at a time.
 */
#ifndef BDSRX_NAVFRAME_H
#define BDSRX_NAVFRAME_H

#include <stdint.h>

#include "bdsrx/fec.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_CNAV1_SYMS 1800   /* 18 s at 100 sps */
#define BX_CNAV2_SYMS 600    /* 3 s at 200 sps */
#define BX_CNAV3_SYMS 1000   /* 1 s at 1000 sps */
#define BX_CNAV2_PREAMBLE 0xE24DE8u  /* 24 bits, navmsg.md §3.1 */
#define BX_CNAV3_PREAMBLE 0xEB90u    /* 16 bits, navmsg.md §4.1 */

/* ---- B-CNAV1: 1800 symbols aligned to the pilot secondary code epoch ---- */
typedef struct {
    int prn, soh;     /* subframe 1 (BCH ML decoded) */
    int sf1_ok;       /* 1: PRN in 1..63 and SOH in 0..199 */
    uint8_t sf2[600]; /* subframe 2 bits incl. CRC (bits 577-600) */
    int sf2_ok;       /* LDPC converged and CRC-24Q ok */
    uint8_t sf3[264]; /* subframe 3 bits incl. CRC (bits 241-264) */
    int sf3_ok;
    int inverted;     /* 1: the symbols arrived with inverted polarity (corrected) */
} bx_cnav1_frame_t;

/* Returns BX_OK when subframe 2 or subframe 3 passes its CRC, BX_ERR_CRC when neither
 * does (f still filled with best guesses), BX_ERR_ARG/BX_ERR_NOMEM.  Polarity: decided by
 * the subframe-1 BCH words (the complement of a BCH codeword is not a codeword), both
 * polarities tried for SF2/SF3 if the CRCs fail.  Convenience form: allocates a decoder
 * per call; use bx_cnav1_dec_* for allocation-free decoding. */
int bx_cnav1_decode(const float *soft1800, bx_cnav1_frame_t *f);
/* Exact inverse (for simulators): sf2/sf3 bits are taken as given (CRC included; fill it
 * with bx_crc24q_append(sf2, 576) / (sf3, 240)).  sym1800 = logic bits. */
int bx_cnav1_encode(int prn, int soh, const uint8_t sf2[600], const uint8_t sf3[264], uint8_t sym1800[]);

typedef struct bx_cnav1_dec bx_cnav1_dec_t;
int bx_cnav1_dec_create(bx_cnav1_dec_t **out, char *err, size_t errlen); /* BX_OK or BX_ERR_NOMEM */
int bx_cnav1_dec_decode(bx_cnav1_dec_t *d, const float *soft1800, bx_cnav1_frame_t *f);
void bx_cnav1_dec_destroy(bx_cnav1_dec_t *d); /* NULL-safe */

/* B1C streaming helper: feed every data symbol with its frame index 0..1799 (from the
 * pilot secondary code, bx_trk_symbol_t.index; index < 0 is ignored).  Missing symbols
 * are treated as erasures.  When the symbol with index 1799 arrives (or the index wraps)
 * and at least 1600 of the 1800 symbols of the frame were seen, the frame is decoded into
 * *f and 1 is returned (check f->sf2_ok / sf3_ok); otherwise 0.  *frame_sample receives
 * the sample of the symbol with index 0 when it was seen (else extrapolated, 0 if unknown). */
typedef struct bx_cnav1_collect bx_cnav1_collect_t;
int bx_cnav1_collect_create(bx_cnav1_collect_t **out, char *err, size_t errlen);
int bx_cnav1_collect_push(bx_cnav1_collect_t *c, float soft, int index, uint64_t sample,
                          bx_cnav1_frame_t *f, uint64_t *frame_sample);
void bx_cnav1_collect_destroy(bx_cnav1_collect_t *c); /* NULL-safe */

/* ---- B-CNAV2: 600 symbols starting at the preamble; msg = 288 bits incl. CRC ---- */
/* Returns BX_OK when the CRC passes (polarity from the preamble, the other polarity
 * tried as well), BX_ERR_CRC otherwise (msg288 = best guess), BX_ERR_ARG/BX_ERR_NOMEM.
 * Allocates a decoder per call; bx_cnav2_sync_* is the allocation-free streaming form. */
int bx_cnav2_decode(const float *soft600, uint8_t msg288[288]);
int bx_cnav2_encode(const uint8_t msg288[288], uint8_t sym600[600]);   /* logic bits */

/* Streaming B2a frame synchroniser over symbols from tracking: finds the preamble in
 * either polarity, confirms by LDPC + CRC, then follows the 600-symbol frame grid
 * (decoding there even when the preamble is damaged; re-searches after 3 failures). */
typedef struct bx_cnav2_sync bx_cnav2_sync_t;
int bx_cnav2_sync_create(bx_cnav2_sync_t **out, char *err, size_t errlen);
/* returns 1 when a CRC-valid message completes; frame_sample = sample of its first symbol;
 * msg288 is scratch otherwise (may be overwritten by failed attempts) */
int bx_cnav2_sync_push(bx_cnav2_sync_t *s, float soft, uint64_t sample, uint8_t msg288[288],
                       uint64_t *frame_sample);
void bx_cnav2_sync_destroy(bx_cnav2_sync_t *s); /* NULL-safe */

/* ---- B-CNAV3 / PPP-B2b: 1000 symbols starting at the preamble ---- */
/* msg486 = MesType (6) | data (456) | CRC (24).  Returns BX_OK when the CRC passes,
 * BX_ERR_CRC otherwise.  Allocates a decoder per call. */
int bx_cnav3_decode(const float *soft1000, uint8_t msg486[486]);
/* Same, also returning the unencoded 6-bit PRN field (optional, may be NULL). */
int bx_cnav3_decode_prn(const float *soft1000, uint8_t msg486[486], int *prn);
int bx_cnav3_encode(int prn, const uint8_t msg486[486], uint8_t sym1000[1000]);  /* logic bits */

/* Streaming B2b-I frame synchroniser over the 1000 symbols/s of a B2b-I channel (B-CNAV3 or,
 * from the GEOs C59-C63, PPP-B2b): finds the 0xEB90 preamble in either polarity (<= 1 hard
 * error; with prn > 0 also the unencoded PRN field), confirms by LDPC(162,81) + CRC-24Q, then
 * follows the 1000-symbol grid (decoding there even when the preamble is damaged; searches
 * again after 3 failures).  Allocation-free after create.  Not thread-safe per object. */
typedef struct bx_cnav3_sync bx_cnav3_sync_t;
int bx_cnav3_sync_create(int prn /* expected PRN, 0 = any */, bx_cnav3_sync_t **out, char *err,
                         size_t errlen);
/* Returns 1 when a CRC-valid block completes: msg486 = MesType..CRC, *prn = the frame's PRN
 * field, *frame_sample = sample of its first symbol (preamble); 0 otherwise (msg486 scratch). */
int bx_cnav3_sync_push(bx_cnav3_sync_t *s, float soft, uint64_t sample, uint8_t msg486[486], int *prn,
                       uint64_t *frame_sample);
long bx_cnav3_sync_attempts(const bx_cnav3_sync_t *s); /* LDPC decodings run so far */
void bx_cnav3_sync_destroy(bx_cnav3_sync_t *s);      /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
