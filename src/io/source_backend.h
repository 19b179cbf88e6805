/*
 * The interface between the sample-source core (src/io/source.c: URI parsing,
 * reader thread, ring, drop accounting, conversion) and the back ends
 * (src/io/source_<kind>.c).  Not public API.
 *
 * A back end is one row of the kind table (source_kinds.c): a URI scheme and an
 * open function.  open() parses what follows "scheme:", fills the source's info
 * (format, fs, fc, kind, device, ...) and attaches its operations and private
 * state; the core never names a back end and the back ends never see the core's
 * struct, only the accessors below.
 */
#ifndef BDSRX_SOURCE_BACKEND_H
#define BDSRX_SOURCE_BACKEND_H

#include <stddef.h>

#include "bdsrx/source.h"

/* Operations of one opened source. */
typedef struct {
    /* Live: producer loop in the reader thread.  Calls bx__source_push() with raw bytes in
     * info.format until bx__source_stopping() or end of stream; returns BX_OK at a normal end,
     * a negative status after bx__source_fail() on error. */
    int (*run)(bx_source_t *s);
    /* Live: wake run() early (may be NULL: run polls bx__source_stopping()). */
    void (*cancel)(bx_source_t *s);
    /* Threadless sources: read up to n whole-granule samples of raw data; 0 = end. */
    long (*read_direct)(bx_source_t *s, void *raw, size_t n_samples);
    void (*close)(bx_source_t *s);
    /* Multi-channel sources: raw device samples -> complex float per channel, and -> one
     * channel's own raw format. */
    int (*demux)(const bx_source_t *s, const void *raw, size_t n, bx_cf32_t *const out[]);
    long (*split)(const bx_source_t *s, const void *raw, size_t n, int ch, void *out);
} bx_source_ops_t;

/* One back end: "scheme:rest" URIs (also the bare scheme) go to open(s, rest).  The row with
 * fallback = 1 takes URIs without a known scheme (plain paths). */
typedef struct {
    const char *scheme;
    int fallback;
    /* Fills the info, attaches ops + private state; returns a status with the message set by
     * bx__source_fail. */
    int (*open)(bx_source_t *s, const char *where);
} bx_source_kind_t;

/* The table (source_kinds.c), NULL-terminated. */
extern const bx_source_kind_t *const bx__source_kinds[];

/* ---- for open() ---- */
const bx_source_opts_t *bx__source_opts(const bx_source_t *s); /* URI query applied */
bx_source_info_t *bx__source_info_w(bx_source_t *s);           /* info to fill */
void bx__source_set_ops(bx_source_t *s, const bx_source_ops_t *ops);
void bx__source_set_priv(bx_source_t *s, void *priv);

/* ---- for the operations ---- */
void *bx__source_priv(const bx_source_t *s);
/* Samples and bytes of one raw granule (whole bytes of a packed format), set after open. */
size_t bx__source_gran_samples(const bx_source_t *s);
size_t bx__source_gran_bytes(const bx_source_t *s);
/* Producer helpers (reader thread only). */
void bx__source_push(bx_source_t *s, const void *raw, size_t nbytes);
int bx__source_stopping(const bx_source_t *s);
/* Waits (1 ms sleeps) until nbytes can be pushed without a drop, or the source is stopping
 * (returns 0 then, 1 when there is room): lossless producers (file wait=1). */
int bx__source_wait_room(bx_source_t *s, size_t nbytes);
/* The stream lost n samples that will never arrive (a network outage): they
 * are counted as a loss at the current position and a partial sample held
 * from before the gap is discarded (the new byte stream starts on a sample). */
void bx__source_gap(bx_source_t *s, uint64_t n);
/* A connection was re-established (bx_source_stats_t.reconnects). */
void bx__source_count_reconnect(bx_source_t *s);
/* Records an error message (printf-style) and returns status. */
int bx__source_fail(bx_source_t *s, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
double bx__now_utc_s(void);

#endif
