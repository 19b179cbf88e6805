/* Internal interface between src/io/source.c (factory, reader thread, ring,
 * drop accounting) and the backends src/source_<kind>.c.  Not public API. */
#ifndef BDSRX_SOURCE_IMPL_H
#define BDSRX_SOURCE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "bdsrx/ringbuf.h"
#include "bdsrx/source.h"

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
} bx_source_backend_t;

/* Drop event passed from producer to consumer through a second small ring. */
typedef struct {
    uint64_t at_sample; /* stream index of the first lost sample */
    uint64_t count;
    double time_s;      /* host UTC when detected */
} bx_drop_event_t;

struct bx_source {
    const bx_source_backend_t *be;
    void *priv;
    bx_source_opts_t opts;
    bx_source_info_t info;
    size_t gran_samples, gran_bytes;
    char err[256];
    _Atomic int stop;

    /* live plumbing */
    bx_ringbuf_t *ring, *events;
    pthread_t thread;
    int thread_started;
    _Atomic int producer_done;
    _Atomic int producer_status;
    _Atomic double start_time_s;
    /* producer-owned */
    uint64_t produced;
    uint8_t carry[16];
    size_t carry_len;
    bx_drop_event_t pending;   /* loss not yet published (event ring full) */
    /* shared counters */
    _Atomic uint64_t st_produced, st_dropped, st_events, st_last_drop_sample;
    _Atomic double st_last_drop_time;
    _Atomic size_t st_fill_max;
    _Atomic uint64_t st_reconnects;
    /* consumer-owned */
    uint64_t next_index;
    uint64_t pending_drop;
    double pending_drop_time;
    uint64_t dropped_seen;
    uint8_t *scratch;        /* raw bytes for bx_source_read's conversion */
    size_t scratch_samples;
};

/* Producer helpers (reader thread only). */
void bx__source_push(bx_source_t *s, const void *raw, size_t nbytes);
int bx__source_stopping(const bx_source_t *s);
/* The stream lost n samples that will never arrive (a network outage): they
 * are counted as a loss at the current position and a partial sample held
 * from before the gap is discarded (the new byte stream starts on a sample). */
void bx__source_gap(bx_source_t *s, uint64_t n);
/* Records an error message (printf-style) and returns status. */
int bx__source_fail(bx_source_t *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
double bx__now_utc_s(void);

/* Backend constructors: fill s->be, s->priv, s->info (format, fs, fc, ...); return status
 * with the message in s->err.  `where` is the part of the URI after the scheme. */
int bx__source_file_open(bx_source_t *s, const char *path);
int bx__source_rtlsdr_open(bx_source_t *s, const char *where);
int bx__source_rtltcp_open(bx_source_t *s, const char *where);
int bx__source_pocket_open(bx_source_t *s, const char *where);
int bx__source_pocketfile_open(bx_source_t *s, const char *path);

#endif
