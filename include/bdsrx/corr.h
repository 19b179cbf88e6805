/*
 * bdsrx correlator: fused carrier wipe-off + code replica + multi-tap
 * correlation in one pass over the samples (the tracking hot path).
 *
 * The local code lives in a byte table (one entry per code "slot": a chip for
 * BPSK, a half chip for BOC(1,1)); bit 7 of an entry set = the pilot replica
 * is -1 there, bit 6 set = the data replica is -1 there.  One table lookup
 * per tap therefore yields pilot and data replicas together (the data
 * correlation is taken on one tap, normally the prompt).
 *
 * For tap k and sample i the correlator computes
 *     out.tap[k] += x[i] * exp(-j 2 pi (carr_cyc + i carr_step_cyc)) * pilot(idx(i,k))
 *     out.data   += (same, data replica, k = data_tap)
 * where idx(i,k) is the table index of the code NCO, defined exactly (so
 * that every implementation indexes the same entry) in fixed point:
 *     P = llround(code_idx * 2^32), S = llround(code_step * 2^32),
 *     O_k = llround(tap_off[k] * 2^20)
 *     for the chunk of BX_CORR_CHUNK samples starting at sample s (s = 0, 64, ...):
 *        B = P + s*S,  I0 = B >> 32 (floor),  f = (B mod 2^32) >> 12,  Sq = S >> 12
 *        idx(s+j, k) = I0 + ((f + j*Sq + O_k) >> 20)        (arithmetic shift)
 * i.e. a 32.32 phase accumulator re-seeded exactly every 64 samples, with
 * 12.20 arithmetic inside a chunk (rate error <= 64 * 2^-20 entries).  The
 * caller guarantees 0 <= idx < table_len for all samples and taps (pad the
 * table for early/late taps and for code wrap), and that 16 more bytes after
 * the table are readable (the AVX2 kernel loads 16-byte table windows).
 *
 * Implementations: a double-precision reference (tests), a portable one
 * (VOLK rotator for the wipe-off + scalar taps) and an AVX2+FMA kernel
 * selected at run time; the binary itself only requires x86-64-v2.
 *
 * Threads: a bx_corr_t is used by one thread at a time; distinct objects run concurrently (the
 * receiver gives each tracking channel its own).
 */
#ifndef BDSRX_CORR_H
#define BDSRX_CORR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BX_CORR_MAX_TAPS 6
#define BX_CORR_CHUNK 64        /* samples per fixed-point re-seed (see above) */
#define BX_CORR_PILOT_NEG 0x80  /* table bit: pilot replica = -1 */
#define BX_CORR_DATA_NEG 0x40   /* table bit: data replica = -1 */

typedef struct {
    double carr_cyc;      /* replica carrier phase at x[0], cycles */
    double carr_step_cyc; /* replica carrier phase increment per sample, cycles */
    double code_idx;      /* table position (entries, fractional) of x[0] for tap offset 0 */
    double code_step;     /* table entries per sample, 0 < code_step < 16 */
    int ntaps;            /* 1 .. BX_CORR_MAX_TAPS */
    double tap_off[BX_CORR_MAX_TAPS]; /* entries added to the code position for tap k (+ = later
                                         code = "early" replica) , |off| < 2000 */
    int data_tap;         /* tap that also gives the data correlation */
} bx_corr_req_t;

typedef struct {
    float _Complex tap[BX_CORR_MAX_TAPS]; /* pilot correlation per tap */
    float _Complex data;                  /* data correlation on data_tap */
} bx_corr_out_t;

typedef enum {
    BX_CORR_AUTO = 0,    /* fastest supported on this CPU */
    BX_CORR_REF = 1,     /* double precision, exact sin/cos per sample (slow; tests) */
    BX_CORR_GENERIC = 2, /* VOLK rotator + scalar taps (any x86-64-v2 / other CPUs) */
    BX_CORR_AVX2 = 3     /* fused AVX2+FMA kernel */
} bx_corr_impl_t;

typedef struct bx_corr bx_corr_t;

/* Creates a correlator using `impl` into *out; BX_ERR_UNSUPPORTED if the implementation is not
 * supported on this CPU (BX_CORR_AVX2 without AVX2/FMA), BX_ERR_ARG for an unknown one,
 * BX_ERR_NOMEM (then *out = NULL and the reason in err, which may be NULL). */
int bx_corr_create(int impl, bx_corr_t **out, char *err, size_t errlen);
/* The implementation actually used (never BX_CORR_AUTO). */
int bx_corr_impl(const bx_corr_t *c);
const char *bx_corr_impl_name(int impl);
/* Correlates n samples (any n >= 0); writes (not adds) *out.  Returns BX_OK or
 * BX_ERR_ARG for a bad request (ntaps, data_tap, code_step range). */
int bx_corr_run(bx_corr_t *c, const float _Complex *x, size_t n, const uint8_t *table,
                const bx_corr_req_t *req, bx_corr_out_t *out);
void bx_corr_destroy(bx_corr_t *c); /* NULL-safe */

/* Table index of sample i for tap k exactly as the kernels compute it
 * (for callers that check bounds and for tests). */
int64_t bx_corr_index(const bx_corr_req_t *req, size_t i, int k);

#ifdef __cplusplus
}
#endif
#endif
