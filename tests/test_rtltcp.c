/* rtl_tcp on 127.0.0.1 only, bounded in time: protocol encodings on fixed
 * bytes, then an in-process server (the one bdsrx-replay --rtltcp uses)
 * streaming a capture file to the rtltcp:// client source: received samples
 * must equal the file's, the client's tuning commands must arrive, a slow
 * consumer must show up as counted drops, and a closed port must give the
 * clear "connection refused" error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/rtltcp.h"
#include "bdsrx/source.h"
#include "testdata.h"
#include "testutil.h"

#define NSAMP (1 << 19)

static char g_path[64];
static uint8_t *g_data; /* ci8 file contents */

static int setup(void **state)
{
    (void)state;
    snprintf(g_path, sizeof g_path, "/tmp/bdsrx_test_rtltcp_XXXXXX");
    int fd = mkstemp(g_path);
    if (fd < 0)
        return -1;
    g_data = malloc(2 * NSAMP);
    uint32_t x = 88172645u;
    for (size_t i = 0; i < 2 * NSAMP; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        g_data[i] = (uint8_t)(x >> 24); /* every int8 code, -128 included */
    }
    int ok = write(fd, g_data, 2 * NSAMP) == 2 * NSAMP;
    close(fd);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(g_path);
    free(g_data);
    return 0;
}

static void test_encodings(void **state)
{
    (void)state;
    uint8_t c[5];
    bx_rtltcp_cmd_encode(c, BX_RTLTCP_SET_FREQ, 1575420000u);
    const uint8_t want[5] = {0x01, 0x5D, 0xE7, 0x00, 0x60}; /* 1575420000 = 0x5DE70060 */
    assert_memory_equal(c, want, 5);
    uint32_t v;
    assert_int_equal(bx_rtltcp_cmd_decode(c, &v), 1);
    assert_int_equal(v, 1575420000u);
    bx_rtltcp_cmd_encode(c, BX_RTLTCP_SET_PPM, (uint32_t)-3);
    const uint8_t wppm[5] = {0x05, 0xFF, 0xFF, 0xFF, 0xFD};
    assert_memory_equal(c, wppm, 5);

    uint8_t h[12];
    bx_rtltcp_header_encode(h, 5, 29);
    const uint8_t wh[12] = {'R', 'T', 'L', '0', 0, 0, 0, 5, 0, 0, 0, 29};
    assert_memory_equal(h, wh, 12);
    uint32_t t, g;
    assert_int_equal(bx_rtltcp_header_parse(h, &t, &g), BX_OK);
    assert_int_equal(t, 5);
    assert_int_equal(g, 29);
    assert_string_equal(bx_rtltcp_tuner_name(t), "R820T");
    h[3] = '1';
    assert_int_equal(bx_rtltcp_header_parse(h, &t, &g), BX_ERR_FORMAT);

    /* u8 quantisation: offset 128, clamped */
    bx_cf32_t x[4] = {0.0f + 0.0f * I, -128.0f + 127.0f * I, 300.0f - 300.0f * I, 1.4f - 1.6f * I};
    uint8_t u[8];
    bx_rtltcp_quantise(x, 4, 1.0f, u);
    const uint8_t wu[8] = {128, 128, 0, 255, 255, 0, 129, 126};
    assert_memory_equal(u, wu, 8);
}

typedef struct {
    bx_rtltcp_server_t *srv;
    bx_source_t *src;
    float scale;
    bx_rtltcp_client_state_t cs;
    int status;
    char err[256];
} server_t;

static void *server_main(void *arg)
{
    server_t *s = arg;
    s->status = bx_rtltcp_server_serve(s->srv, s->src, s->scale, &s->cs, s->err, sizeof s->err);
    return NULL;
}

static void start_server(server_t *sv, pthread_t *th, const char *extra)
{
    char err[256], uri[256];
    memset(sv, 0, sizeof *sv);
    assert_int_equal(bx_rtltcp_server_create("127.0.0.1", 0, &sv->srv, err, sizeof err), BX_OK);
    snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=2.048e6%s", g_path, extra);
    assert_int_equal(bx_source_open(uri, NULL, &sv->src, err, sizeof err), BX_OK);
    sv->scale = bx_rtltcp_default_scale(BX_IQ_CI8);
    assert_int_equal(pthread_create(th, NULL, server_main, sv), 0);
}

static void stop_server(server_t *sv, pthread_t th)
{
    bx_rtltcp_server_stop(sv->srv);
    pthread_join(th, NULL);
    bx_source_destroy(sv->src);
    bx_rtltcp_server_destroy(sv->srv);
}

/* Every int8 code survives file -> u8 -> client bit-exactly (x ^ 0x80), and
 * the float samples equal the file source's float samples. */
static void test_loopback_exact(void **state)
{
    (void)state;
    server_t sv;
    pthread_t th;
    start_server(&sv, &th, "");
    char uri[256], err[256] = "";
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?freq=1575.42e6&fs=2.048e6&gain=40.2&ppm=-3&bias=1",
             bx_rtltcp_server_port(sv.srv));
    bx_source_t *c = NULL;
    int st = bx_source_open(uri, NULL, &c, err, sizeof err);
    if (st)
        print_error("%s\n", err);
    assert_int_equal(st, BX_OK);
    const bx_source_info_t *in = bx_source_info(c);
    assert_string_equal(in->kind, "rtltcp");
    assert_int_equal(in->format, BX_IQ_CI8);
    assert_true(in->fs_hz == 2.048e6);
    uint8_t *got = malloc(2 * NSAMP);
    size_t off = 0;
    long n;
    bx_source_block_info_t bi;
    while (off < 2 * NSAMP && (n = bx_source_read_raw(c, got + off, 4099, &bi)) > 0) {
        assert_int_equal(bi.first_sample, off / 2);
        assert_int_equal(bi.dropped, 0);
        off += 2 * (size_t)n;
    }
    assert_int_equal(off, 2 * NSAMP);
    assert_memory_equal(got, g_data, 2 * NSAMP);
    assert_int_equal(bx_source_read_raw(c, got, 16, &bi), 0); /* server closed at end of file */
    bx_source_destroy(c);
    pthread_join(th, NULL);
    assert_int_equal(sv.status, BX_OK);
    /* the client's tuning commands reached the server */
    assert_int_equal(sv.cs.freq_hz, 1575420000u);
    assert_int_equal(sv.cs.rate_hz, 2048000u);
    assert_int_equal(sv.cs.gain_mode, 1);
    assert_int_equal(sv.cs.gain_tenth_db, 402);
    assert_int_equal(sv.cs.ppm, -3);
    assert_int_equal(sv.cs.bias_tee, 1);
    assert_int_equal(sv.cs.bytes_sent, 2 * NSAMP);
    bx_source_destroy(sv.src);
    bx_rtltcp_server_destroy(sv.srv);
    free(got);

    /* float path: client samples == file source samples */
    start_server(&sv, &th, "");
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d", bx_rtltcp_server_port(sv.srv));
    assert_int_equal(bx_source_open(uri, NULL, &c, err, sizeof err), BX_OK);
    char furi[256];
    snprintf(furi, sizeof furi, "file:%s?format=ci8&fs=2.048e6", g_path);
    bx_source_t *f = NULL;
    assert_int_equal(bx_source_open(furi, NULL, &f, err, sizeof err), BX_OK);
    static bx_cf32_t a[8192], b[8192];
    size_t cmp = 0;
    while (cmp < 200000) {
        long na = bx_source_read(c, a, 8192, NULL);
        assert_true(na > 0);
        long nb = 0;
        while (nb < na) {
            long r = bx_source_read(f, b + nb, (size_t)(na - nb), NULL);
            assert_true(r > 0);
            nb += r;
        }
        for (long i = 0; i < na; i++)
            assert_true(a[i] == b[i]);
        cmp += (size_t)na;
    }
    bx_source_destroy(c);
    bx_source_destroy(f);
    stop_server(&sv, th);
}

/* Slow consumer: the server streams flat out into a 64 KiB client ring while
 * the consumer sleeps; losses are counted and the stream continues, and what
 * is delivered still matches the file at first_sample. */
static void test_slow_consumer(void **state)
{
    (void)state;
    server_t sv;
    pthread_t th;
    start_server(&sv, &th, "&pace=2"); /* 4 Msps: 130 ms */
    char uri[256], err[256];
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?ring=65536", bx_rtltcp_server_port(sv.srv));
    bx_source_t *c = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &c, err, sizeof err), BX_OK);
    static uint8_t buf[2 * 4096];
    bx_source_block_info_t bi;
    long n;
    uint64_t delivered = 0, dropped = 0, expect = 0;
    int stalled = 0;
    while ((n = bx_source_read_raw(c, buf, 4096, &bi)) > 0) {
        assert_int_equal(bi.first_sample, expect + bi.dropped);
        assert_true(bi.first_sample + (uint64_t)n <= NSAMP);
        assert_memory_equal(buf, g_data + 2 * bi.first_sample, 2 * (size_t)n);
        dropped += bi.dropped;
        delivered += (uint64_t)n;
        expect = bi.first_sample + (uint64_t)n;
        if (!stalled && delivered > 50000) {
            /* stall until the client's reader has counted a loss (an event: the rest of the
             * stream is many rings; the deadline only bounds a failure), polled every 5 ms */
            struct timespec t0, t;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            bx_source_stats_t sst;
            for (;;) {
                bx_source_stats(c, &sst);
                clock_gettime(CLOCK_MONOTONIC, &t);
                if (sst.dropped_samples > 0 || t.tv_sec - t0.tv_sec > 120)
                    break;
                poll(NULL, 0, 5);
            }
            assert_true(sst.dropped_samples > 0);
            stalled = 1;
        }
    }
    assert_int_equal(n, 0);
    bx_source_stats_t st;
    bx_source_stats(c, &st);
    print_message("rtl_tcp stall: delivered %llu dropped %llu (%llu events)\n", (unsigned long long)delivered,
                  (unsigned long long)dropped, (unsigned long long)st.drop_events);
    /* TCP flow control can absorb part of a stall in socket buffers; the total
     * still has to add up exactly. */
    assert_int_equal(delivered + dropped, NSAMP);
    assert_int_equal(st.dropped_samples, dropped);
    assert_true(dropped > 0);
    bx_source_destroy(c);
    stop_server(&sv, th);
}

static void test_connection_refused(void **state)
{
    (void)state;
    /* find a free port: bind, read it back, close */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(fd, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin_port);
    close(fd);
    char uri[64], err[256] = "", want[64];
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d", port);
    bx_source_t *c = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &c, err, sizeof err), BX_ERR_DEVICE);
    print_message("%s\n", err);
    snprintf(want, sizeof want, "rtl_tcp: connection refused at 127.0.0.1:%d", port);
    assert_non_null(strstr(err, want));
    assert_null(c);
}

/* The bdsrx-replay program itself as the server (spawned, 127.0.0.1 only). */
static void test_replay_tool_server(void **state)
{
    (void)state;
    char bin[256], uri[64], err[256] = "";
    if (!tu_bin(bin, sizeof bin, "bdsrx-replay")) {
        printf("SKIP: %s not built\n", bin);
        skip();
    }
    /* the server reports its port once it listens: no waiting, no port guessing */
    tu_proc_t srv;
    const char *args[] = {"--rate", "0", "--format", "ci8", "--fs", "2.048e6", NULL};
    const int p = tu_replay_server(&srv, bin, args, g_path);
    assert_true(p > 0);
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?timeout_ms=5000", p);
    bx_source_t *c = NULL;
    if (bx_source_open(uri, NULL, &c, err, sizeof err) != BX_OK)
        print_error("%s\n", err);
    assert_non_null(c);
    uint8_t *got = malloc(2 * NSAMP);
    size_t off = 0;
    long n;
    while (off < 2 * NSAMP && (n = bx_source_read_raw(c, got + off, 8192, NULL)) > 0)
        off += 2 * (size_t)n;
    assert_int_equal(off, 2 * NSAMP);
    assert_memory_equal(got, g_data, 2 * NSAMP);
    bx_source_destroy(c);
    free(tu_read_rest(&srv, NULL));
    assert_int_equal(tu_wait(&srv), 0);
    free(got);
}

/* A client asking for a rate the served capture does not have (4.092e6 against a 2.048e6
 * capture): the server turns it away instead of streaming samples at the wrong rate, and the
 * client reports an error that names the rate, not "end of stream". */
static void test_rate_mismatch(void **state)
{
    (void)state;
    server_t sv;
    pthread_t th;
    start_server(&sv, &th, "");
    char uri[256], err[256] = "";
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?fs=4.092e6", bx_rtltcp_server_port(sv.srv));
    bx_source_t *c = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &c, err, sizeof err), BX_OK);
    static bx_cf32_t x[8192];
    long n;
    while ((n = bx_source_read(c, x, 8192, NULL)) > 0)
        ;
    assert_true(n < 0);
    printf("NOTE: client: %s\n", bx_source_error(c));
    assert_non_null(strstr(bx_source_error(c), "4092000 sps"));
    bx_source_destroy(c);
    pthread_join(th, NULL);
    printf("NOTE: server: %s\n", sv.err);
    assert_int_equal(sv.status, BX_ERR_UNSUPPORTED);
    assert_int_equal(sv.cs.refused_rate_hz, 4092000u);
    assert_non_null(strstr(sv.err, "2048000 sps"));
    bx_source_destroy(sv.src);
    bx_rtltcp_server_destroy(sv.srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_loopback_exact),
        cmocka_unit_test(test_slow_consumer),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_rate_mismatch),
        cmocka_unit_test(test_replay_tool_server),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
