/* rtl_tcp client reconnection (src/io/source_rtltcp.c, URI reconnect=N) against
 * a server run by the test on loopback: session 1 sends A bytes and hangs up,
 * session 2 sends B bytes and hangs up, then the listener closes.  The client
 * delivers exactly A/2 + B/2 samples, bit-exact, reports one loss (the outage)
 * at sample A/2, counts one reconnection and then gives up after its bounded
 * attempts with a clear message.  Without reconnect= the first hang-up is the
 * end of the stream, as before.  No sleeps: the server thread blocks on its
 * sockets; the only waits are the client's own back-off (0.1+0.2+0.4 s). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bdsrx/rtltcp.h"
#include "bdsrx/source.h"

#define A_BYTES 200000
#define B_BYTES 120000

typedef struct {
    int lfd, port, sessions;
    int stall_first;     /* session 1 keeps the connection open without data until the client leaves */
    size_t bytes[2];
    uint8_t *data;
} srv_t;

static void *srv_main(void *arg)
{
    srv_t *v = arg;
    size_t off = 0;
    for (int k = 0; k < v->sessions; k++) {
        const int c = accept(v->lfd, NULL, NULL);
        if (c < 0)
            break;
        uint8_t h[BX_RTLTCP_HEADER_BYTES];
        bx_rtltcp_header_encode(h, 5, 29);
        send(c, h, sizeof h, MSG_NOSIGNAL);
        for (size_t o = 0; o < v->bytes[k];) {
            const ssize_t w = send(c, v->data + off + o, v->bytes[k] - o, MSG_NOSIGNAL);
            if (w <= 0)
                break;
            o += (size_t)w;
        }
        off += v->bytes[k];
        if (!(k == 0 && v->stall_first))
            shutdown(c, SHUT_WR);
        /* wait for the client's side to close before closing ours (no RST that could eat data) */
        char junk[256];
        while (recv(c, junk, sizeof junk, 0) > 0)
            ;
        close(c);
    }
    close(v->lfd); /* later attempts are refused */
    return NULL;
}

static void start(srv_t *v, pthread_t *th, int sessions, int stall_first)
{
    memset(v, 0, sizeof *v);
    v->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(v->lfd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(v->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(v->lfd, 4), 0);
    socklen_t al = sizeof a;
    getsockname(v->lfd, (struct sockaddr *)&a, &al);
    v->port = ntohs(a.sin_port);
    v->sessions = sessions;
    v->stall_first = stall_first;
    v->bytes[0] = A_BYTES;
    v->bytes[1] = B_BYTES;
    v->data = malloc(A_BYTES + B_BYTES);
    for (size_t i = 0; i < A_BYTES + B_BYTES; i++)
        v->data[i] = (uint8_t)(i * 7 + (i >> 9));
    assert_int_equal(pthread_create(th, NULL, srv_main, v), 0);
}

static void test_reconnect(void **state)
{
    (void)state;
    srv_t v;
    pthread_t th;
    start(&v, &th, 2, 0);
    char uri[128], err[256];
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?fs=1e6&reconnect=3&timeout_ms=2000&ring=4194304", v.port);
    bx_source_t *s = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &s, err, sizeof err), BX_OK);
    uint8_t *got = malloc(A_BYTES + B_BYTES);
    size_t nb = 0;
    long n;
    int gaps = 0;
    uint64_t gap_at = 0, gap_n = 0, next = 0;
    bx_source_block_info_t info;
    while ((n = bx_source_read_raw(s, got + nb, 4096, &info)) > 0) {
        if (info.dropped) {
            gaps++;
            gap_at = info.first_sample - info.dropped;
            gap_n = info.dropped;
        }
        assert_int_equal(info.first_sample, next + info.dropped); /* the sample clock runs through the gap */
        next = info.first_sample + (uint64_t)n;
        nb += 2 * (size_t)n;
        assert_true(nb <= A_BYTES + B_BYTES);
    }
    printf("NOTE: reconnect: %zu bytes, %d gap(s) of %llu samples at %llu; end: %s\n", nb, gaps,
           (unsigned long long)gap_n, (unsigned long long)gap_at, bx_source_error(s));
    assert_true(n < 0);
    assert_int_equal(nb, A_BYTES + B_BYTES);
    for (size_t i = 0; i < A_BYTES + B_BYTES; i++) /* ci8 = rtl_tcp's u8 ^ 0x80 */
        if (got[i] != (uint8_t)(v.data[i] ^ 0x80))
            fail_msg("byte %zu: %u, sent %u", i, got[i], v.data[i]);
    assert_int_equal(gaps, 1);
    assert_int_equal(gap_at, A_BYTES / 2);
    assert_true(gap_n >= 100000); /* at least the first back-off, 0.1 s at 1 Msps */
    bx_source_stats_t st;
    bx_source_stats(s, &st);
    assert_int_equal(st.reconnects, 1);
    assert_non_null(strstr(bx_source_error(s), "3 reconnection attempts failed"));
    bx_source_destroy(s);
    pthread_join(th, NULL);
    free(got);
    free(v.data);
}

/* A server that stops sending but keeps the connection: after stall_ms the
 * client takes it as lost, reconnects, and the stream goes on (the server
 * thread waits for the client to hang up: no sleep in the test). */
static void test_stall(void **state)
{
    (void)state;
    srv_t v;
    pthread_t th;
    start(&v, &th, 2, 1);
    char uri[160], err[256];
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?fs=1e6&reconnect=2&stall_ms=1500&timeout_ms=2000&ring=4194304",
             v.port);
    bx_source_t *s = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &s, err, sizeof err), BX_OK);
    uint8_t *got = malloc(A_BYTES + B_BYTES);
    size_t nb = 0;
    long n;
    uint64_t dropped = 0;
    bx_source_block_info_t info;
    while ((n = bx_source_read_raw(s, got + nb, 4096, &info)) > 0) {
        dropped += info.dropped;
        nb += 2 * (size_t)n;
    }
    bx_source_stats_t st;
    bx_source_stats(s, &st);
    printf("NOTE: stall: %zu bytes, %llu samples counted lost, %llu reconnection(s); end: %s\n", nb,
           (unsigned long long)dropped, (unsigned long long)st.reconnects, bx_source_error(s));
    assert_int_equal(nb, A_BYTES + B_BYTES);
    assert_int_equal(st.reconnects, 1);
    assert_true(dropped >= 1500000); /* the stall (1.5 s at 1 Msps) and the back-off */
    bx_source_destroy(s);
    pthread_join(th, NULL);
    free(got);
    free(v.data);
}

static void test_no_reconnect(void **state)
{
    (void)state;
    srv_t v;
    pthread_t th;
    start(&v, &th, 1, 0);
    char uri[128], err[256];
    snprintf(uri, sizeof uri, "rtltcp://127.0.0.1:%d?fs=1e6&timeout_ms=2000&ring=4194304", v.port);
    bx_source_t *s = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &s, err, sizeof err), BX_OK);
    uint8_t *got = malloc(A_BYTES);
    size_t nb = 0;
    long n;
    while ((n = bx_source_read_raw(s, got + nb, 4096, NULL)) > 0)
        nb += 2 * (size_t)n;
    assert_int_equal(n, 0); /* end of stream, not an error */
    assert_int_equal(nb, A_BYTES);
    bx_source_destroy(s);
    pthread_join(th, NULL);
    free(got);
    free(v.data);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    alarm(120); /* a hang fails the test instead of the whole suite */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_stall),
        cmocka_unit_test(test_no_reconnect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
