/* SPSC ring buffer: single-thread edge cases, then a two-thread stress test
 * in which the byte stream is a keyed pseudo-random function of its
 * position, so any lost, duplicated or reordered byte fails the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "bdsrx/ringbuf.h"

/* Byte at stream position i (independent of the ring: the truth). */
static uint8_t stream_byte(uint64_t i)
{
    uint64_t x = i * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return (uint8_t)(x >> 56);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_capacity_and_edges(void **state)
{
    (void)state;
    { bx_ringbuf_t *bad; assert_int_equal(bx_ringbuf_create(0, &bad, NULL, 0), BX_ERR_ARG); assert_null(bad); }
    bx_ringbuf_t *rb = NULL;
    bx_ringbuf_create(100, &rb, NULL, 0);
    assert_non_null(rb);
    assert_int_equal(bx_ringbuf_capacity(rb), 128);
    assert_int_equal(bx_ringbuf_readable(rb), 0);
    assert_int_equal(bx_ringbuf_writable(rb), 128);

    uint8_t in[200], out[200];
    for (int i = 0; i < 200; i++)
        in[i] = (uint8_t)(i * 7 + 3);
    /* Over-long write stores only what fits. */
    assert_int_equal(bx_ringbuf_write(rb, in, 200), 128);
    assert_int_equal(bx_ringbuf_writable(rb), 0);
    assert_int_equal(bx_ringbuf_write(rb, in, 1), 0);
    assert_int_equal(bx_ringbuf_read(rb, out, 100), 100);
    assert_memory_equal(out, in, 100);
    /* Wrap-around: 28 left, write 90 -> crosses the end of the array. */
    assert_int_equal(bx_ringbuf_write(rb, in + 128, 72), 72);
    assert_int_equal(bx_ringbuf_write(rb, in, 28), 28);
    assert_int_equal(bx_ringbuf_readable(rb), 128);
    assert_int_equal(bx_ringbuf_peek(rb, out, 10), 10);
    assert_memory_equal(out, in + 100, 10);
    assert_int_equal(bx_ringbuf_skip(rb, 28), 28);
    assert_int_equal(bx_ringbuf_read(rb, out, 200), 100);
    assert_memory_equal(out, in + 128, 72);
    assert_memory_equal(out + 72, in, 28);
    assert_int_equal(bx_ringbuf_read(rb, out, 1), 0);
    bx_ringbuf_destroy(rb);
}

typedef struct {
    bx_ringbuf_t *rb;
    uint64_t total;
    _Atomic int stop;
} stress_t;

static void *producer(void *arg)
{
    stress_t *s = arg;
    uint8_t chunk[3000];
    uint32_t seed = 12345;
    uint64_t pos = 0;
    while (pos < s->total && !atomic_load(&s->stop)) {
        size_t n = 1 + lcg(&seed) % sizeof chunk;
        if (n > s->total - pos)
            n = (size_t)(s->total - pos);
        for (size_t i = 0; i < n; i++)
            chunk[i] = stream_byte(pos + i);
        size_t done = 0;
        while (done < n && !atomic_load(&s->stop)) {
            size_t w = bx_ringbuf_write(s->rb, chunk + done, n - done);
            done += w;
            if (!w)
                sched_yield();
        }
        pos += done;
    }
    return NULL;
}

static void test_spsc_stress(void **state)
{
    (void)state;
    /* Small ring (4 KiB) against chunks up to 3000 bytes so both sides hit
     * full and empty conditions and the wrap point constantly. */
    stress_t s = {.total = 48u << 20};
    assert_int_equal(bx_ringbuf_create(4096, &s.rb, NULL, 0), BX_OK);
    atomic_init(&s.stop, 0);
    assert_non_null(s.rb);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, producer, &s), 0);

    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint8_t buf[5000];
    uint32_t seed = 999;
    uint64_t pos = 0, bad = 0;
    while (pos < s.total) {
        size_t want = 1 + lcg(&seed) % sizeof buf;
        size_t n = bx_ringbuf_read(s.rb, buf, want);
        for (size_t i = 0; i < n; i++)
            bad += buf[i] != stream_byte(pos + i);
        pos += n;
        if (!n) {
            sched_yield();
            clock_gettime(CLOCK_MONOTONIC, &t);
            if (t.tv_sec - t0.tv_sec > 20) /* bounded: never hang the suite */
                break;
        }
    }
    atomic_store(&s.stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(bad, 0);
    assert_true(pos == s.total);
    assert_int_equal(bx_ringbuf_readable(s.rb), 0);
    bx_ringbuf_destroy(s.rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_and_edges),
        cmocka_unit_test(test_spsc_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
