/* Lock-free SPSC byte ring buffer; see include/bdsrx/ringbuf.h for the
 * contract and the memory-ordering argument. */
#include "bdsrx/ringbuf.h"
#include "bdsrx/types.h"
#include "bx_err.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Head and tail live on separate cache lines so the producer and the
 * consumer do not false-share a line on every update. */
struct bx_ringbuf {
    _Alignas(64) _Atomic uint64_t head; /* total bytes written (producer) */
    _Alignas(64) _Atomic uint64_t tail; /* total bytes read (consumer) */
    _Alignas(64) size_t cap;
    size_t mask;
    uint8_t *buf;
};

static bx_ringbuf_t *ringbuf_new(size_t capacity_bytes)
{
    size_t cap = 64;
    while (cap < capacity_bytes)
        cap <<= 1;
    bx_ringbuf_t *rb = aligned_alloc(64, sizeof *rb);
    if (!rb)
        return NULL;
    memset(rb, 0, sizeof *rb);
    rb->buf = malloc(cap);
    if (!rb->buf) {
        free(rb);
        return NULL;
    }
    rb->cap = cap;
    rb->mask = cap - 1;
    atomic_init(&rb->head, 0);
    atomic_init(&rb->tail, 0);
    return rb;
}

int bx_ringbuf_create(size_t capacity_bytes, bx_ringbuf_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_ringbuf_create: out is NULL");
    *out = NULL;
    if (capacity_bytes == 0 || capacity_bytes > ((size_t)1 << 40))
        return bx_err(err, errlen, BX_ERR_ARG, "ring buffer: capacity %zu bytes outside 1 .. 2^40", capacity_bytes);
    *out = ringbuf_new(capacity_bytes);
    return *out ? BX_OK : bx_err(err, errlen, BX_ERR_NOMEM, "ring buffer: cannot allocate %zu bytes", capacity_bytes);
}

void bx_ringbuf_destroy(bx_ringbuf_t *rb)
{
    if (!rb)
        return;
    free(rb->buf);
    free(rb);
}

size_t bx_ringbuf_capacity(const bx_ringbuf_t *rb) { return rb->cap; }

size_t bx_ringbuf_writable(const bx_ringbuf_t *rb)
{
    /* The producer owns head (relaxed is enough for its own value); the
     * tail must be acquired so the consumer's reads of those bytes are done. */
    uint64_t h = atomic_load_explicit(&((bx_ringbuf_t *)rb)->head, memory_order_relaxed);
    uint64_t t = atomic_load_explicit(&((bx_ringbuf_t *)rb)->tail, memory_order_acquire);
    return rb->cap - (size_t)(h - t);
}

size_t bx_ringbuf_readable(const bx_ringbuf_t *rb)
{
    uint64_t h = atomic_load_explicit(&((bx_ringbuf_t *)rb)->head, memory_order_acquire);
    uint64_t t = atomic_load_explicit(&((bx_ringbuf_t *)rb)->tail, memory_order_relaxed);
    return (size_t)(h - t);
}

size_t bx_ringbuf_write(bx_ringbuf_t *rb, const void *data, size_t n)
{
    uint64_t h = atomic_load_explicit(&rb->head, memory_order_relaxed);
    uint64_t t = atomic_load_explicit(&rb->tail, memory_order_acquire);
    size_t room = rb->cap - (size_t)(h - t);
    if (n > room)
        n = room;
    if (n == 0)
        return 0;
    size_t off = (size_t)h & rb->mask;
    size_t first = rb->cap - off < n ? rb->cap - off : n;
    memcpy(rb->buf + off, data, first);
    memcpy(rb->buf, (const uint8_t *)data + first, n - first);
    atomic_store_explicit(&rb->head, h + n, memory_order_release);
    return n;
}

static size_t copy_out(const bx_ringbuf_t *rb, uint64_t t, void *data, size_t n)
{
    size_t off = (size_t)t & rb->mask;
    size_t first = rb->cap - off < n ? rb->cap - off : n;
    memcpy(data, rb->buf + off, first);
    memcpy((uint8_t *)data + first, rb->buf, n - first);
    return n;
}

size_t bx_ringbuf_peek(const bx_ringbuf_t *rb, void *data, size_t n)
{
    size_t avail = bx_ringbuf_readable(rb);
    if (n > avail)
        n = avail;
    if (n == 0)
        return 0;
    uint64_t t = atomic_load_explicit(&((bx_ringbuf_t *)rb)->tail, memory_order_relaxed);
    return copy_out(rb, t, data, n);
}

size_t bx_ringbuf_read(bx_ringbuf_t *rb, void *data, size_t n)
{
    uint64_t t = atomic_load_explicit(&rb->tail, memory_order_relaxed);
    n = bx_ringbuf_peek(rb, data, n);
    if (n)
        atomic_store_explicit(&rb->tail, t + n, memory_order_release);
    return n;
}

size_t bx_ringbuf_skip(bx_ringbuf_t *rb, size_t n)
{
    size_t avail = bx_ringbuf_readable(rb);
    if (n > avail)
        n = avail;
    uint64_t t = atomic_load_explicit(&rb->tail, memory_order_relaxed);
    atomic_store_explicit(&rb->tail, t + n, memory_order_release);
    return n;
}
