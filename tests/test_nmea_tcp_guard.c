/* The NMEA TCP server exposes nothing and cannot be held up by a client:
 * loopback by default (checked in /proc/net/tcp, not through the server), at
 * most BX_NMEA_TCP_MAX_CLIENTS clients, and a client streaming garbage without
 * pause is disconnected while the engine keeps sending to the others.  No
 * sleeps: on loopback a connect() that returned is in the accept queue and
 * sent bytes are in the server's receive buffer. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bdsrx/nmea_tcp.h"
#include "bdsrx/types.h"

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Local address (hex, as the kernel writes it) of the listening socket on port, or "" */
static void listen_addr(int port, char out[16])
{
    out[0] = '\0';
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char local[64];
        unsigned st;
        if (sscanf(line, " %*d: %63s %*s %x", local, &st) == 2 && st == 0x0A) { /* TCP_LISTEN */
            char *colon = strchr(local, ':');
            if (colon && (int)strtol(colon + 1, NULL, 16) == port) {
                *colon = '\0';
                snprintf(out, 16, "%.15s", local);
            }
        }
    }
    fclose(f);
}

static void test_loopback_default(void **state)
{
    (void)state;
    char err[256], addr[16];
    const char *binds[] = {NULL, ""};
    for (int i = 0; i < 2; i++) {
        bx_nmea_tcp_t *s = NULL;
        assert_int_equal(bx_nmea_tcp_create(binds[i], 0, &s, err, sizeof err), BX_OK);
        listen_addr(bx_nmea_tcp_port(s), addr);
        if (!addr[0]) {
            bx_nmea_tcp_destroy(s);
            printf("SKIP: /proc/net/tcp not readable\n");
            skip();
        }
        assert_string_equal(addr, "0100007F"); /* 127.0.0.1, little-endian hex */
        bx_nmea_tcp_destroy(s);
    }
    /* an explicit address is honoured */
    bx_nmea_tcp_t *s = NULL;
    assert_int_equal(bx_nmea_tcp_create("0.0.0.0", 0, &s, err, sizeof err), BX_OK);
    listen_addr(bx_nmea_tcp_port(s), addr);
    assert_string_equal(addr, "00000000");
    bx_nmea_tcp_destroy(s);
}

static void test_client_cap(void **state)
{
    (void)state;
    char err[256];
    bx_nmea_tcp_t *s = NULL;
    assert_int_equal(bx_nmea_tcp_create("127.0.0.1", 0, &s, err, sizeof err), BX_OK);
    int fd[BX_NMEA_TCP_MAX_CLIENTS + 3];
    for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS + 3; i++) {
        fd[i] = connect_to(bx_nmea_tcp_port(s));
        bx_nmea_tcp_poll(s); /* the listen backlog is short: take them as they come */
    }
    bx_nmea_tcp_stats_t st;
    bx_nmea_tcp_stats(s, &st);
    assert_int_equal(st.clients, BX_NMEA_TCP_MAX_CLIENTS);
    assert_int_equal(st.refused, 3);
    for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS + 3; i++)
        close(fd[i]);
    bx_nmea_tcp_destroy(s);
}

typedef struct {
    int fd;
    atomic_long sent;
} flood_t;

/* writes garbage without pause until the server hangs up */
static void *flood_main(void *arg)
{
    flood_t *f = arg;
    char junk[4096];
    memset(junk, 'G', sizeof junk);
    for (;;) {
        const ssize_t k = send(f->fd, junk, sizeof junk, MSG_NOSIGNAL);
        if (k <= 0)
            break;
        atomic_fetch_add(&f->sent, k);
    }
    return NULL;
}

static void test_garbage_client(void **state)
{
    (void)state;
    char err[256];
    bx_nmea_tcp_t *s = NULL;
    assert_int_equal(bx_nmea_tcp_create("127.0.0.1", 0, &s, err, sizeof err), BX_OK);
    const int good = connect_to(bx_nmea_tcp_port(s));
    flood_t fl = {.fd = connect_to(bx_nmea_tcp_port(s))};
    bx_nmea_tcp_poll(s);
    /* garbage is already waiting before the streaming starts: one poll sees more than the limit */
    char junk[3 * BX_NMEA_TCP_MAX_INPUT];
    memset(junk, 'x', sizeof junk);
    assert_int_equal(send(fl.fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, flood_main, &fl), 0);
    const char *gga = "$GBGGA,092750.00,5321.68020,N,00630.33720,W,1,08,1.0,61.700,M,0.0,M,,*47\r\n";
    int delivered = 0;
    for (int i = 0; i < 100; i++)
        delivered += bx_nmea_tcp_send(s, gga, strlen(gga)) > 0;
    bx_nmea_tcp_stats_t st;
    bx_nmea_tcp_stats(s, &st);
    assert_int_equal(st.flooded, 1);
    assert_int_equal(st.clients, 1);
    assert_int_equal(delivered, 100);
    /* the flooder's connection is closed: its thread ends */
    pthread_join(th, NULL);
    printf("NOTE: garbage client sent %ld bytes before it was cut off\n", (long)atomic_load(&fl.sent) + (long)sizeof junk);
    /* the good client got every sentence, whole */
    char buf[16384];
    size_t got = 0;
    while (got < 100 * strlen(gga)) {
        const ssize_t k = recv(good, buf + got % 8192, 8192 - got % 8192, 0);
        assert_true(k > 0);
        got += (size_t)k;
    }
    assert_int_equal(got, 100 * strlen(gga));
    close(good);
    close(fl.fd);
    bx_nmea_tcp_destroy(s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    alarm(60); /* a regression that hangs in the read loop fails instead of blocking the suite */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_default),
        cmocka_unit_test(test_client_cap),
        cmocka_unit_test(test_garbage_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
