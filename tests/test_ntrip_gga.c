/*
 * Network RTK: the rover's live position sent to the NTRIP caster as NMEA GGA every N seconds
 * of receiver time (src/cli/cli_base.c cli_base_position, bx_rtk_base_send_gga,
 * bx_ntrip_send_gga), against a small caster in this test on loopback that answers the request,
 * sends an RTCM 1005 station message and records every line the rover sends:
 *  - NTRIP 1, synchronous reading (`bdsrx run --base ntrip1://...`): 31 epochs along a field
 *    row at 1 Hz with --gga-interval 5 give GGA at t = 0, 5, .. 30 s (7 sentences), each with a
 *    valid checksum and the latitude/longitude of its epoch (to the sentence's 1e-7 minute);
 *    epochs without a valid fix send nothing;
 *  - NTRIP 2, reader thread (`bdsrx live`): the caster drops the connection after 3 sentences;
 *    the reconnection's request carries the latest position in its "Ntrip-GGA" header, and the
 *    sentences go on over the new connection (a position known before the first connection is
 *    up goes in its request or right after it: none is lost).
 * No sleeps: every wait is a deadline on a condition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/output.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "cli_base.h"

#define MAXG 64

typedef struct {
    int lfd, version;
    int drop_after;        /* close the first connection after this many GGA (0: never) */
    int expect;            /* close everything after this many GGA in all */
    pthread_mutex_t mu;
    int conns, ngga, done;
    char request[2][2048];
    char gga[MAXG][128];
    int gga_conn[MAXG];
} caster_t;

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
        close(fd);
        return -1;
    }
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

static void *caster_thread(void *arg)
{
    caster_t *c = arg;
    uint8_t pl[64], sta[80];
    const double arp[3] = {-2267748.0, 5009152.0, 3221290.0};
    const int npl = bx_rtcm3_encode_station(1, arp, -1.0, pl, sizeof pl); /* 1005 */
    const int nsta = npl > 0 ? bx_rtcm3_frame(pl, (size_t)npl, sta, sizeof sta) : -1;
    for (int conn = 0; conn < 2; conn++) {
        const int fd = accept(c->lfd, NULL, NULL);
        if (fd < 0)
            break;
        char buf[4096] = "";
        size_t k = 0;
        char *end = NULL;
        while (k + 1 < sizeof buf && !(end = strstr(buf, "\r\n\r\n"))) {
            const ssize_t r = recv(fd, buf + k, sizeof buf - 1 - k, 0);
            if (r <= 0)
                break;
            k += (size_t)r;
            buf[k] = 0;
        }
        size_t hdr = end ? (size_t)(end - buf) + 4 : k;
        pthread_mutex_lock(&c->mu);
        snprintf(c->request[conn], sizeof c->request[conn], "%.*s", (int)hdr, buf);
        /* a position in the first request counts as received (a reconnection repeats the last one) */
        const char *hg = conn == 0 ? strstr(c->request[0], "Ntrip-GGA: ") : NULL;
        if (hg) {
            snprintf(c->gga[c->ngga], sizeof c->gga[0], "%.*s", (int)strcspn(hg + 11, "\r\n"), hg + 11);
            c->gga_conn[c->ngga++] = conn;
        }
        c->conns = conn + 1;
        pthread_mutex_unlock(&c->mu);
        const char *reply = c->version == 1 ? "ICY 200 OK\r\n" : "HTTP/1.1 200 OK\r\nNtrip-Version: Ntrip/2.0\r\n\r\n";
        send(fd, reply, strlen(reply), MSG_NOSIGNAL);
        if (nsta > 0)
            send(fd, sta, (size_t)nsta, MSG_NOSIGNAL);
        /* lines from the rover (after the header; an NTRIP 1 request may carry one) */
        memmove(buf, buf + hdr, k - hdr);
        k -= hdr;
        buf[k] = 0;
        int stop_conn = 0;
        for (;;) {
            char *nl;
            while ((nl = strstr(buf, "\r\n"))) {
                *nl = 0;
                pthread_mutex_lock(&c->mu);
                if (!strncmp(buf, "$", 1) && strstr(buf, "GGA,") && c->ngga < MAXG) {
                    snprintf(c->gga[c->ngga], sizeof c->gga[0], "%.*s", (int)sizeof c->gga[0] - 1, buf);
                    c->gga_conn[c->ngga++] = conn;
                }
                const int n = c->ngga;
                pthread_mutex_unlock(&c->mu);
                memmove(buf, nl + 2, strlen(nl + 2) + 1);
                k = strlen(buf);
                if (n >= c->expect || (conn == 0 && c->drop_after && n >= c->drop_after))
                    stop_conn = 1;
            }
            if (stop_conn)
                break;
            const ssize_t r = recv(fd, buf + k, sizeof buf - 1 - k, 0);
            if (r <= 0)
                break;
            k += (size_t)r;
            buf[k] = 0;
        }
        close(fd);
        if (c->ngga >= c->expect || !c->drop_after)
            break;
    }
    close(c->lfd); /* later connection attempts are refused */
    pthread_mutex_lock(&c->mu);
    c->done = 1;
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static int wait_for(caster_t *c, int (*cond)(caster_t *))
{
    for (int i = 0; i < 4000; i++) { /* 20 s deadline */
        pthread_mutex_lock(&c->mu);
        const int ok = cond(c);
        pthread_mutex_unlock(&c->mu);
        if (ok)
            return 1;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}
static int is_done(caster_t *c) { return c->done; }
static int first_conn(caster_t *c) { return c->conns >= 1; }
static int second_conn(caster_t *c) { return c->conns >= 2; }

/* the solution of epoch k: driving north along a row at 3 m/s from 30.5 N 114.3 E, 1 Hz;
 * valid = 0 gives an epoch without a fix */
static void make_sol(int k, int valid, bx_sol_t *s)
{
    memset(s, 0, sizeof *s);
    s->rx_time = s->time = bx_time_from_civil(2026, 12, 6, 10, 0, 0.0 + k);
    s->leap_s = 4;
    if (!valid)
        return;
    double enu[3] = {0.0, 3.0 * k, 0.0}, d[3];
    const double llh0[3] = {30.5 * M_PI / 180.0, 114.3 * M_PI / 180.0, 50.0};
    double p0[3];
    bx_llh_to_ecef(llh0, p0);
    bx_enu_to_ecef(llh0, enu, d);
    for (int i = 0; i < 3; i++)
        s->pos_m[i] = p0[i] + d[i];
    bx_ecef_to_llh(s->pos_m, s->llh);
    s->fix = k % 2 ? BX_FIX_FLOAT : BX_FIX_FIXED;
    s->n_used = 10;
    s->hdop = 0.8;
}

/* checksum, latitude and longitude of a GGA sentence against epoch k */
static void check_gga(const char *g, int k)
{
    const char *star = strchr(g, '*');
    assert_non_null(star);
    unsigned x = 0;
    for (const char *p = g + 1; p < star; p++)
        x ^= (unsigned char)*p;
    assert_int_equal(x, (unsigned)strtoul(star + 1, NULL, 16));
    char hhmmss[16], ns, ew;
    double lat, lon;
    assert_int_equal(sscanf(g, "$GPGGA,%15[^,],%lf,%c,%lf,%c", hhmmss, &lat, &ns, &lon, &ew), 5);
    bx_sol_t s;
    make_sol(k, 1, &s);
    const double la = floor(lat / 100) + fmod(lat, 100) / 60, lo = floor(lon / 100) + fmod(lon, 100) / 60;
    assert_true(ns == 'N' && ew == 'E');
    assert_true(fabs(la - s.llh[0] * 180 / M_PI) < 1e-8 && fabs(lo - s.llh[1] * 180 / M_PI) < 1e-8);
    char want[24];
    snprintf(want, sizeof want, "1000%02d.00", k - 4); /* UTC = BDT - 4 s */
    assert_string_equal(hhmmss, want);
}

/* The in-test caster on a loopback port (returned): NTRIP version, connection dropped after
 * drop_after sentences (0: never), done after expect sentences. */
static int caster_start(caster_t *c, int version, int drop_after, int expect, pthread_t *th)
{
    signal(SIGPIPE, SIG_IGN);
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    int port = -1;
    c->lfd = listen_any(&port);
    assert_true(c->lfd >= 0);
    c->version = version;
    c->drop_after = drop_after;
    c->expect = expect;
    assert_int_equal(pthread_create(th, NULL, caster_thread, c), 0);
    return port;
}

static void test_gga_sync_v1(void **state)
{
    (void)state;
    caster_t c;
    pthread_t th;
    const int port = caster_start(&c, 1, 0, 6, &th);
    char url[128], err[320];
    snprintf(url, sizeof url, "ntrip1://user:pw@127.0.0.1:%d/VRS", port);
    cli_base_t *b = NULL;
    assert_int_equal(cli_base_open(url, NULL, 0, &b, err, sizeof err), 0);
    cli_base_set_gga_interval(b, 5.0);
    for (int k = 4; k <= 34; k++) { /* t = 0 .. 30 s after the first epoch; 7..9 without a fix */
        bx_sol_t s;
        make_sol(k, !(k >= 7 && k <= 9), &s);
        cli_base_position(b, &s);
    }
    assert_true(wait_for(&c, is_done));
    pthread_join(th, NULL);
    /* with epochs 7..9 unfixed: sent at 4, then 10 (the first fix >= 5 s after 4), 15, .. 30 */
    static const int want[] = {4, 10, 15, 20, 25, 30};
    printf("caster got %d GGA (%ld handed on); first: %s\n", c.ngga, cli_base_gga_count(b), c.gga[0]);
    cli_base_close(b);
    assert_int_equal(c.ngga, 6);
    for (int i = 0; i < 6; i++)
        check_gga(c.gga[i], want[i]);
    assert_non_null(strstr(c.request[0], "GET /VRS HTTP/1.0\r\n"));
    pthread_mutex_destroy(&c.mu);
}

static void test_gga_async_v2_reconnect(void **state)
{
    (void)state;
    caster_t c;
    pthread_t th;
    const int port = caster_start(&c, 2, 3, 7, &th);
    char url[128], err[320];
    snprintf(url, sizeof url, "ntrip2://user:pw@127.0.0.1:%d/VRS", port);
    cli_base_t *b = NULL;
    assert_int_equal(cli_base_open(url, NULL, 1, &b, err, sizeof err), 0);
    cli_base_set_gga_interval(b, 5.0);
    bx_sol_t s;
    make_sol(0, 1, &s);
    cli_base_pull(b, NULL, s.rx_time); /* the reader starts reading after the first rover epoch */
    /* the reader thread connects (positions before that: only the latest goes, in the request or
     * right after it); then sentences are sent beside its read */
    assert_true(wait_for(&c, first_conn));
    for (int i = 0; i < 4000 && !cli_base_online(b); i++) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(cli_base_online(b));
    int k = 4;
    for (; k <= 14; k++) { /* GGA at 4, 9, 14: the caster then drops the connection */
        make_sol(k, 1, &s);
        cli_base_position(b, &s);
    }
    assert_true(wait_for(&c, second_conn));
    /* the caster has the request, but the client is online only once it has read the reply:
     * positions given before that are kept as the latest one only (by design), so the test
     * waits for that event too (without it, `make check-repeat` run 2 of 2026-12-06 failed here
     * under load: the 19/24/29 sentences collapsed into one and the caster never reached 7) */
    /* ... and the drop is usually healed inside the NTRIP layer (bx_ntrip_reconnect), where
     * cli_base stays online: wait for the second connection on the client's side */
    for (int i = 0; i < 4000 && !(cli_base_online(b) && cli_base_connections(b) >= 2); i++) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(cli_base_online(b) && cli_base_connections(b) >= 2);
    printf("reconnection request:\n%s", c.request[1]);
    assert_non_null(strstr(c.request[1], "Ntrip-GGA: $GPGGA,100010.00,")); /* epoch 14 = 10:00:10 UTC */
    for (; k <= 34; k++) { /* 19, 24, 29, 34 over the new connection */
        make_sol(k, 1, &s);
        cli_base_position(b, &s);
    }
    assert_true(wait_for(&c, is_done));
    pthread_join(th, NULL);
    cli_base_close(b);
    printf("caster got %d GGA: %d on the first connection\n", c.ngga, 3);
    assert_int_equal(c.ngga, 7);
    for (int i = 0; i < 7; i++) {
        check_gga(c.gga[i], 4 + 5 * i);
        assert_int_equal(c.gga_conn[i], i < 3 ? 0 : 1);
    }
    assert_non_null(strstr(c.request[0], "Ntrip-Version: Ntrip/2.0\r\n"));
    pthread_mutex_destroy(&c.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gga_sync_v1),
        cmocka_unit_test(test_gga_async_v2_reconnect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
