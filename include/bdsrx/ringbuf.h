/*
 * bdsrx — lock-free single-producer single-consumer byte ring buffer.
 *
 * One thread (the device reader) writes, one thread (the receiver) reads; no
 * locks, no syscalls on the hot path.  Capacity is a power of two so indices
 * wrap with a mask; the head and tail counters are 64-bit and never wrap in
 * practice (2^64 bytes), so "full" and "empty" are distinguishable without a
 * spare slot.  Writes and reads are all-or-part: callers that need whole
 * records (sample granules, events) check bx_ringbuf_writable() first.
 *
 * Memory ordering: the producer publishes data with a release store of the
 * head after copying; the consumer acquires the head before copying out and
 * releases the tail after, so the producer never overwrites unread bytes.
 */
#ifndef BDSRX_RINGBUF_H
#define BDSRX_RINGBUF_H

#include <stddef.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bx_ringbuf bx_ringbuf_t;

/* Creates a ring of at least capacity_bytes (rounded up to a power of two,
 * minimum 64) into *out.  BX_ERR_ARG for capacity 0 (or > 2^40), BX_ERR_NOMEM. */
int bx_ringbuf_create(size_t capacity_bytes, bx_ringbuf_t **out, char *err, size_t errlen);
void bx_ringbuf_destroy(bx_ringbuf_t *rb); /* NULL-safe */

size_t bx_ringbuf_capacity(const bx_ringbuf_t *rb);

/* Producer side: bytes that can be written now; write copies min(n,
 * writable) bytes and returns that count. */
size_t bx_ringbuf_writable(const bx_ringbuf_t *rb);
size_t bx_ringbuf_write(bx_ringbuf_t *rb, const void *data, size_t n);

/* Consumer side: bytes readable now; read copies min(n, readable) bytes and
 * returns that count; peek copies without consuming; skip discards. */
size_t bx_ringbuf_readable(const bx_ringbuf_t *rb);
size_t bx_ringbuf_read(bx_ringbuf_t *rb, void *data, size_t n);
size_t bx_ringbuf_peek(const bx_ringbuf_t *rb, void *data, size_t n);
size_t bx_ringbuf_skip(bx_ringbuf_t *rb, size_t n);

#ifdef __cplusplus
}
#endif
#endif
