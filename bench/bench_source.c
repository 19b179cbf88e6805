/* Sample-path throughput: the SPSC ring between two threads (against a
 * single-thread memcpy of the same bytes as the reference), and the file
 * source through reader thread + ring + float conversion, in Msps, compared
 * with the real-time rates the front ends need (RTL-SDR 2.4 Msps, Pocket SDR
 * 24 Msps). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/ringbuf.h"
#include "bdsrx/source.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define TOTAL ((size_t)512 << 20)
#define CHUNK 65536

static void *producer(void *arg)
{
    bx_ringbuf_t *rb = arg;
    static uint8_t chunk[CHUNK];
    memset(chunk, 0x5a, sizeof chunk);
    size_t sent = 0;
    while (sent < TOTAL) {
        size_t w = bx_ringbuf_write(rb, chunk, CHUNK < TOTAL - sent ? CHUNK : TOTAL - sent);
        sent += w;
        if (!w)
            sched_yield();
    }
    return NULL;
}

int main(void)
{
    /* reference: memcpy of the same volume in one thread */
    uint8_t *a = malloc(CHUNK), *b = malloc(4 << 20);
    memset(a, 1, CHUNK);
    double t0 = now_s();
    for (size_t off = 0; off < TOTAL; off += CHUNK)
        memcpy(b + (off % (4 << 20)), a, CHUNK);
    double t_ref = now_s() - t0;

    bx_ringbuf_t *rb = NULL;
    bx_ringbuf_create(4 << 20, &rb, NULL, 0);
    pthread_t th;
    t0 = now_s();
    pthread_create(&th, NULL, producer, rb);
    size_t got = 0;
    while (got < TOTAL) {
        size_t r = bx_ringbuf_read(rb, b, CHUNK);
        got += r;
        if (!r)
            sched_yield();
    }
    pthread_join(th, NULL);
    double t_ring = now_s() - t0;
    printf("ringbuf SPSC 4 MiB ring, 64 KiB chunks: %.2f GB/s (memcpy reference %.2f GB/s, ratio %.2f)\n",
           TOTAL / t_ring / 1e9, TOTAL / t_ref / 1e9, t_ref / t_ring);
    printf("  = %.0f Msps of ci8 (RTL-SDR needs 2.4, Pocket SDR ci2 at 24 Msps needs 12 MB/s)\n",
           TOTAL / t_ring / 2e6);
    bx_ringbuf_destroy(rb);

    /* file source through the live path, converted to float */
    const char *path = "/tmp/bdsrx_bench_source.bin";
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 64; i++) /* 64 MiB ci8 = 32 Msamples */
        fwrite(b, 1, 1 << 20, f);
    fclose(f);
    char err[256];
    bx_source_t *s = NULL;
    if (bx_source_open("file:/tmp/bdsrx_bench_source.bin?format=ci8&fs=4e6&live=1", NULL, &s, err,
                       sizeof err) != BX_OK) {
        fprintf(stderr, "bench_source: %s\n", err);
        unlink(path);
        return 1;
    }
    static bx_cf32_t x[65536];
    uint64_t n = 0;
    long r;
    t0 = now_s();
    while ((r = bx_source_read(s, x, 65536, NULL)) > 0)
        n += (uint64_t)r;
    double t_src = now_s() - t0;
    bx_source_stats_t st;
    bx_source_stats(s, &st);
    /* flat out the reader outruns the consumer like an infinitely fast device,
     * so part of the stream is dropped by design: the rate is what was delivered */
    printf("file source live, flat out (thread + ring + ci8->cf32): %.0f Msps delivered, %llu samples, "
           "%llu dropped\n",
           n / t_src / 1e6, (unsigned long long)n, (unsigned long long)st.dropped_samples);
    bx_source_destroy(s);
    unlink(path);
    free(a);
    free(b);
    return 0;
}
