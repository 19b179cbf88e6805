/*
 * NTRIP client (src/io/ntrip.c) on loopback:
 *  - against a real caster: RTKLIB's str2str (Debian rtklib) as an NTRIP 1
 *    caster (-out ntripc://user:pw@:PORT/BDSRX) fed the real RTCM log on its
 *    standard input: every frame arrives with a valid CRC and the decoded
 *    message sequence equals the file's; wrong password (401), unknown
 *    mountpoint (source table), caster that ends: clear errors.  Skipped with
 *    a message when str2str is missing.
 *  - NTRIP 2 with chunked transfer: a small server in this test (the request
 *    headers are checked, the stream is sent in irregular chunks with chunk
 *    extensions); broken chunks, a non-NTRIP reply, a silent server (timeout)
 *    and a refused connection give clear errors.
 *  - URL parsing and base64 (RFC 4648 §10 test vectors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/nmea_tcp.h"
#include "bdsrx/ntrip.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"

#define LOG_REL "real/qzsl6tool_b2b_rtcm/20221213-010900.rtcm"

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    rewind(f);
    uint8_t *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

/* a listening socket on 127.0.0.1, port chosen by the system */
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

static void test_url_and_base64(void **state)
{
    (void)state;
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char b[32];
    for (int i = 0; i < 7; i++) {
        assert_int_equal(bx_base64(in[i], strlen(in[i]), b, sizeof b), (int)strlen(out[i]));
        assert_string_equal(b, out[i]);
    }
    bx_ntrip_config_t c;
    char store[256], err[256];
    bx_ntrip_config_default(&c);
    assert_int_equal(bx_ntrip_parse_url("ntrip://me:se:cret@caster.example.org:2102/MOUNT1", &c, store, sizeof store,
                                        err, sizeof err),
                     BX_OK);
    assert_string_equal(c.user, "me");
    assert_string_equal(c.password, "se:cret");
    assert_string_equal(c.host, "caster.example.org");
    assert_int_equal(c.port, 2102);
    assert_string_equal(c.mount, "MOUNT1");
    assert_int_equal(c.version, 2);
    assert_int_equal(bx_ntrip_parse_url("ntrip1://host/M", &c, store, sizeof store, err, sizeof err), BX_OK);
    assert_int_equal(c.port, 2101);
    assert_null(c.user);
    assert_int_equal(c.version, 1);
    assert_int_equal(bx_ntrip_parse_url("http://host/M", &c, store, sizeof store, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "not an NTRIP URL"));
    assert_int_equal(bx_ntrip_parse_url("ntrip://host:99999/M", &c, store, sizeof store, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "bad port"));
    bx_ntrip_config_default(&c);
    c.host = "127.0.0.1";
    bx_ntrip_t *n;
    assert_int_equal(bx_ntrip_create(&c, &n, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "no mountpoint"));
}

/* ------------------------------------------------------------ str2str */

/* Feeds the caster's input no faster than the client takes it (at most 16 KiB
 * ahead): RTKLIB's caster drops a client whose socket does not take a write,
 * and a file given at once would be a burst no base station sends. */
typedef struct {
    int fd;
    const uint8_t *data;
    size_t n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t received;
    int stop;
} feeder_t;

static void *feed_thread(void *arg)
{
    feeder_t *f = arg;
    size_t off = 0;
    while (off < f->n) {
        pthread_mutex_lock(&f->mu);
        while (!f->stop && off > f->received + 16384)
            pthread_cond_wait(&f->cv, &f->mu);
        int stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        ssize_t k = write(f->fd, f->data + off, f->n - off > 4096 ? 4096 : f->n - off);
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    /* the pipe stays open: str2str ends at the end of its input, possibly before forwarding it all */
    return NULL;
}

/* the running str2str; stopped by the teardown when an assertion ends a test early */
static tu_proc_t caster = {.pid = -1, .in_fd = -1, .out_fd = -1};

static int stop_caster(void **state)
{
    (void)state;
    if (caster.pid > 0) {
        kill(caster.pid, SIGTERM); /* it does not end with its input */
        tu_wait(&caster);
        caster.pid = -1;
        caster.in_fd = caster.out_fd = -1;
    }
    return 0;
}

static int have_str2str(void) { return tu_have("str2str"); }

/* str2str -out ntripc://user:pw@:PORT/BDSRX with a pipe on its stdin */
static pid_t start_caster(int port, int *stdin_fd)
{
    char out[64];
    snprintf(out, sizeof out, "ntripc://user:pw@:%d/BDSRX", port);
    const char *argv[] = {"str2str", "-out", out, NULL};
    if (tu_spawn(&caster, argv, TU_STDIN_PIPE | TU_OUT_PIPE) != 0)
        return -1;
    /* its readiness line (printed once its streams, the caster's socket among them, are open) */
    char line[256];
    if (tu_wait_line(&caster, "stream server start", line, sizeof line) < 0)
        return -1;
    *stdin_fd = caster.in_fd;
    return caster.pid;
}

/* closes the caster's input (the test's end of the pipe) */
static void close_caster_input(void)
{
    if (caster.in_fd >= 0)
        close(caster.in_fd);
    caster.in_fd = -1;
}

/* the caster listens some time after it starts: retry (a deadline, not a delay the result depends on) */
static int open_retry(const bx_ntrip_config_t *c, bx_ntrip_t **n, char *err, size_t errlen)
{
    int st = BX_ERR_IO;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) { /* polled every 50 ms; the 120 s deadline only bounds a failure (a loaded machine) */
        st = bx_ntrip_create(c, n, err, errlen);
        if (st == BX_OK || !strstr(err, "cannot connect"))
            return st;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 120)
            return st;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void test_str2str_caster(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    if (!have_str2str()) {
        printf("SKIP: str2str (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    size_t nfile = 0;
    uint8_t *file = read_all(path, &nfile);
    assert_non_null(file);
    int port, lfd = listen_any(&port);
    assert_true(lfd >= 0);
    close(lfd); /* free port for str2str */
    signal(SIGPIPE, SIG_IGN);
    int in_fd = -1;
    pid_t pid = start_caster(port, &in_fd);
    assert_true(pid > 0);

    bx_ntrip_config_t c;
    bx_ntrip_config_default(&c);
    c.host = "127.0.0.1";
    c.port = port;
    c.mount = "BDSRX";
    c.user = "user";
    c.password = "pw";
    c.version = 1;
    c.timeout_s = 10;
    char err[300];
    bx_ntrip_t *n;
    int st = open_retry(&c, &n, err, sizeof err);
    if (st != BX_OK)
        printf("NOTE: %s\n", err);
    assert_int_equal(st, BX_OK);

    /* wrong password and unknown mountpoint while the caster runs */
    bx_ntrip_config_t bad = c;
    bad.password = "wrong";
    bx_ntrip_t *nb;
    assert_int_not_equal(bx_ntrip_create(&bad, &nb, err, sizeof err), BX_OK);
    printf("NOTE: wrong password: %s\n", err);
    assert_non_null(strstr(err, "401"));
    assert_non_null(strstr(err, "check user and password"));
    bad = c;
    bad.mount = "NOPE";
    assert_int_not_equal(bx_ntrip_create(&bad, &nb, err, sizeof err), BX_OK);
    printf("NOTE: unknown mountpoint: %s\n", err);
    assert_non_null(strstr(err, "no such mountpoint"));
    assert_non_null(strstr(err, "BDSRX"));
    /* an NTRIP 2 request to the same (v1-only) caster: its "ICY 200 OK" is taken */
    bad = c;
    bad.version = 2;
    assert_int_equal(bx_ntrip_create(&bad, &nb, err, sizeof err), BX_OK);
    bx_ntrip_destroy(nb);
    char *table = NULL;
    assert_int_equal(bx_ntrip_sourcetable(&c, &table, err, sizeof err), BX_OK);
    assert_non_null(strstr(table, "STR;BDSRX"));
    free(table);

    /* the stream: the log through the caster */
    feeder_t fd;
    memset(&fd, 0, sizeof fd);
    fd.fd = in_fd;
    fd.data = file;
    fd.n = nfile;
    pthread_mutex_init(&fd.mu, NULL);
    pthread_cond_init(&fd.cv, NULL);
    pthread_t th;
    pthread_create(&th, NULL, feed_thread, &fd);
    bx_rtcm3_dec_config_t dc = {{0, 0.0}};
    bx_rtcm3_dec_t *dec, *ref;
    assert_int_equal(bx_rtcm3_dec_create(&dc, &dec, NULL, 0), BX_OK);
    assert_int_equal(bx_rtcm3_dec_create(&dc, &ref, NULL, 0), BX_OK);
    int types[1000], nt = 0, ref_types[1000], nrt = 0;
    bx_rtcm3_msg_t m;
    size_t off = 0, used;
    while (off < nfile && bx_rtcm3_dec_input(ref, file + off, nfile - off, &used, &m) == 1) {
        off += used;
        if (nrt < 1000)
            ref_types[nrt++] = m.type;
    }
    uint8_t buf[4096];
    size_t got;
    int rst;
    while ((rst = bx_ntrip_read(n, buf, sizeof buf, &got)) == BX_OK) {
        off = 0;
        while (off < got && bx_rtcm3_dec_input(dec, buf + off, got - off, &used, &m) == 1) {
            off += used;
            if (nt < 1000)
                types[nt++] = m.type;
        }
        pthread_mutex_lock(&fd.mu);
        fd.received += got;
        pthread_cond_signal(&fd.cv);
        pthread_mutex_unlock(&fd.mu);
        if (nt >= nrt)
            break;
    }
    pthread_mutex_lock(&fd.mu);
    fd.stop = 1;
    pthread_cond_signal(&fd.cv);
    pthread_mutex_unlock(&fd.mu);
    if (rst != BX_OK)
        printf("NOTE: stream ended early (%d): %s\n", rst, bx_ntrip_error(n));
    pthread_join(th, NULL);
    close_caster_input();
    bx_rtcm3_stats_t s;
    bx_rtcm3_dec_stats(dec, &s);
    printf("NOTE: through str2str's caster: %llu bytes, %d frames (file %d), %llu CRC errors\n",
           (unsigned long long)bx_ntrip_bytes(n), nt, nrt, (unsigned long long)s.crc_errors);
    assert_int_equal(nt, nrt);
    assert_int_equal(s.crc_errors, 0);
    assert_memory_equal(types, ref_types, sizeof(int) * (size_t)nt);
    /* the caster ends (its input closed, then it is stopped): EOF or an error that says so */
    stop_caster(NULL);
    do
        rst = bx_ntrip_read(n, buf, sizeof buf, &got);
    while (rst == BX_OK);
    printf("NOTE: caster gone: %s\n", bx_ntrip_error(n));
    assert_true(rst == BX_ERR_EOF || rst == BX_ERR_IO);
    assert_non_null(strstr(bx_ntrip_error(n), "closed"));

    /* the caster comes back on the same port: the client reconnects (back-off) and reads on */
    assert_true(start_caster(port, &in_fd) > 0);
    assert_int_equal(bx_ntrip_reconnect(n, 20.0, NULL), BX_OK);
    assert_int_equal(bx_ntrip_reconnects(n), 1);
    assert_true(write(in_fd, file, 20000) == 20000);
    bx_rtcm3_dec_t *dec2;
    assert_int_equal(bx_rtcm3_dec_create(&dc, &dec2, NULL, 0), BX_OK);
    int frames2 = 0;
    while (frames2 < 50 && bx_ntrip_read(n, buf, sizeof buf, &got) == BX_OK) {
        off = 0;
        while (off < got && bx_rtcm3_dec_input(dec2, buf + off, got - off, &used, &m) == 1) {
            off += used;
            frames2++;
        }
    }
    printf("NOTE: reconnected after the caster restarted: %d frames read\n", frames2);
    assert_true(frames2 >= 50);
    close_caster_input();
    stop_caster(NULL);
    bx_rtcm3_dec_destroy(dec2);
    bx_ntrip_destroy(n);
    bx_rtcm3_dec_destroy(dec);
    bx_rtcm3_dec_destroy(ref);
    free(file);
}

/* ------------------------------------------------------------ a bdsrx base through a caster */

/* What `bdsrx run/live --rtcm-out tcp://PORT` does (src/rx/solout.c): 1005 + BDS MSM7 per epoch
 * to every TCP client.  Here str2str takes that stream as a TCP client and serves it as an NTRIP
 * caster; our NTRIP client reads it back: every epoch of the real log arrives with the values
 * sent (within the MSM7 resolution). */
static void test_base_through_str2str(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    if (!have_str2str()) {
        printf("SKIP: str2str (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    signal(SIGPIPE, SIG_IGN);
    size_t nfile = 0;
    uint8_t *file = read_all(path, &nfile);
    /* the epochs to send: the log's BDS observations */
    bx_rtcm3_dec_config_t dc = {{0, 0.0}};
    dc.approx_bdt = bx_time_from_civil(2022, 12, 13, 0, 0, 0);
    bx_rtcm3_dec_t *dec;
    assert_int_equal(bx_rtcm3_dec_create(&dc, &dec, NULL, 0), BX_OK);
    static bx_obs_t ep[80];
    int nep = 0;
    bx_rtcm3_msg_t m;
    size_t off = 0, used;
    while (off < nfile && bx_rtcm3_dec_input(dec, file + off, nfile - off, &used, &m) == 1) {
        off += used;
        if (m.epoch_done && nep < 80) {
            bx_obs_t *o = &ep[nep];
            *o = *bx_rtcm3_dec_obs(dec);
            int k = 0;
            for (int i = 0; i < o->n; i++)
                if (bx_signal_sys(o->d[i].sig) == 'C')
                    o->d[k++] = o->d[i];
            o->n = k;
            nep += k > 0;
        }
    }
    bx_rtcm3_dec_destroy(dec);
    assert_true(nep >= 50);

    char err[300];
    bx_nmea_tcp_t *srv;
    assert_int_equal(bx_nmea_tcp_create("127.0.0.1", 0, &srv, err, sizeof err), BX_OK);
    int cport, lfd = listen_any(&cport);
    close(lfd);
    char in[64], out[64];
    snprintf(in, sizeof in, "tcpcli://127.0.0.1:%d", bx_nmea_tcp_port(srv));
    snprintf(out, sizeof out, "ntripc://user:pw@:%d/BDSBASE", cport);
    const char *argv[] = {"str2str", "-in", in, "-out", out, NULL};
    assert_int_equal(tu_spawn(&caster, argv, TU_OUT_NULL), 0);
    bx_ntrip_config_t c;
    bx_ntrip_config_default(&c);
    c.host = "127.0.0.1";
    c.port = cport;
    c.mount = "BDSBASE";
    c.user = "user";
    c.password = "pw";
    c.version = 1;
    bx_ntrip_t *n;
    int st = open_retry(&c, &n, err, sizeof err);
    if (st != BX_OK)
        printf("NOTE: %s\n", err);
    assert_int_equal(st, BX_OK);
    /* str2str connects to our server (its TCP client retries on its own) */
    bx_nmea_tcp_stats_t ts;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) { /* polled every 25 ms; the 120 s deadline only bounds a failure */
        bx_nmea_tcp_poll(srv);
        bx_nmea_tcp_stats(srv, &ts);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (ts.clients > 0 || t.tv_sec - t0.tv_sec > 120)
            break;
        struct timespec w = {0, 25 * 1000 * 1000};
        nanosleep(&w, NULL);
    }
    assert_int_equal(ts.clients, 1);

    assert_int_equal(bx_rtcm3_dec_create(&dc, &dec, NULL, 0), BX_OK);
    static const double arp[3] = {-3551876.8287, 3887786.8598, 3586946.3873};
    int back = 0, sta = 0;
    double dmax = 0;
    for (int e = 0; e < nep; e++) {
        uint8_t buf[8192];
        int nb = 0;
        if (e == 0) {
            uint8_t pl[32];
            int len = bx_rtcm3_encode_station(9, arp, -1.0, pl, sizeof pl);
            nb = bx_rtcm3_frame(pl, (size_t)len, buf, sizeof buf);
        }
        int k = bx_rtcm3_encode_epoch_bds(&ep[e], 9, buf + nb, sizeof buf - (size_t)nb);
        assert_true(k > 0);
        bx_nmea_tcp_send(srv, (const char *)buf, (size_t)(nb + k));
        /* lockstep: read until this epoch is back */
        int got_epoch = 0;
        while (!got_epoch) {
            uint8_t rb[4096];
            size_t got;
            assert_int_equal(bx_ntrip_read(n, rb, sizeof rb, &got), BX_OK);
            size_t o2 = 0;
            while (o2 < got && bx_rtcm3_dec_input(dec, rb + o2, got - o2, &used, &m) == 1) {
                o2 += used;
                if (m.type == 1005 && m.status == BX_OK) {
                    sta++;
                    for (int q = 0; q < 3; q++)
                        assert_true(fabs(m.u.sta.arp_ecef_m[q] - arp[q]) < 1e-4);
                    assert_int_equal(m.station_id, 9);
                }
                if (m.epoch_done) {
                    const bx_obs_t *r = bx_rtcm3_dec_obs(dec);
                    assert_true(fabs(bx_time_diff(r->time, ep[e].time)) < 1e-6);
                    assert_int_equal(r->n, ep[e].n);
                    for (int i = 0; i < r->n; i++)
                        for (int j = 0; j < ep[e].n; j++)
                            if (ep[e].d[j].prn == r->d[i].prn && ep[e].d[j].sig == r->d[i].sig)
                                dmax = fmax(dmax, fabs(ep[e].d[j].pseudorange_m - r->d[i].pseudorange_m));
                    back++;
                    got_epoch = 1;
                }
            }
        }
    }
    printf("NOTE: bdsrx base stream (1005 + MSM7) through str2str tcpcli -> ntripc -> bdsrx NTRIP client: %d of %d "
           "epochs, max |dP| %.5f m\n",
           back, nep, dmax);
    assert_int_equal(back, nep);
    assert_int_equal(sta, 1);
    assert_true(dmax < 6e-4);
    stop_caster(NULL);
    bx_ntrip_destroy(n);
    bx_nmea_tcp_destroy(srv);
    bx_rtcm3_dec_destroy(dec);
    free(file);
}

/* ------------------------------------------------------------ NTRIP 2 server in the test */

typedef struct {
    int lfd;
    int mode;              /* 0 chunked stream, 1 broken chunk, 2 garbage reply, 3 silent, 4 401 */
    const uint8_t *data;
    size_t n;
    char request[2048];
} srv_t;

static void *srv_thread(void *arg)
{
    srv_t *s = arg;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    size_t k = 0;
    while (k + 1 < sizeof s->request && !strstr(s->request, "\r\n\r\n")) {
        ssize_t r = recv(fd, s->request + k, sizeof s->request - 1 - k, 0);
        if (r <= 0)
            break;
        k += (size_t)r;
        s->request[k] = 0;
    }
    char h[256];
    if (s->mode == 0 || s->mode == 1) {
        const char *hdr = "HTTP/1.1 200 OK\r\nNtrip-Version: Ntrip/2.0\r\nContent-Type: gnss/data\r\n"
                          "Transfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n";
        send(fd, hdr, strlen(hdr), MSG_NOSIGNAL);
        unsigned seed = 5;
        size_t off = 0;
        int nchunk = 0;
        while (off < s->n) {
            seed = seed * 1103515245u + 12345u;
            size_t len = 1 + (seed >> 16) % 3000;
            if (len > s->n - off)
                len = s->n - off;
            int hl = snprintf(h, sizeof h, nchunk % 3 == 1 ? "%zx;ext=1\r\n" : "%zX\r\n", len);
            if (s->mode == 1 && nchunk == 5)
                hl = snprintf(h, sizeof h, "zz\r\n");
            send(fd, h, (size_t)hl, MSG_NOSIGNAL);
            send(fd, s->data + off, len, MSG_NOSIGNAL);
            send(fd, "\r\n", 2, MSG_NOSIGNAL);
            off += len;
            nchunk++;
        }
        send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
    } else if (s->mode == 2) {
        send(fd, "hello there\r\n\r\n", 15, MSG_NOSIGNAL);
    } else if (s->mode == 3) {
        char b[16];
        recv(fd, b, sizeof b, 0); /* the client gives up first and closes */
    } else if (s->mode == 4) {
        const char *r = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"/M\"\r\n\r\n";
        send(fd, r, strlen(r), MSG_NOSIGNAL);
    }
    shutdown(fd, SHUT_WR);
    char b[64];
    while (recv(fd, b, sizeof b, 0) > 0)
        ;
    close(fd);
    return NULL;
}

static int run_v2(int mode, const uint8_t *data, size_t n, uint8_t *out, size_t *nout, char *err, size_t errlen,
                  char *request, double timeout_s)
{
    srv_t s;
    memset(&s, 0, sizeof s);
    int port;
    s.lfd = listen_any(&port);
    s.mode = mode;
    s.data = data;
    s.n = n;
    pthread_t th;
    pthread_create(&th, NULL, srv_thread, &s);
    bx_ntrip_config_t c;
    bx_ntrip_config_default(&c);
    c.host = "127.0.0.1";
    c.port = port;
    c.mount = "M";
    c.user = "user";
    c.password = "pw";
    c.timeout_s = timeout_s;
    c.gga = "$GPGGA,010900.00,3426.406,N,13224.887,E,1,12,1.0,233.4,M,0.0,M,,*4B";
    bx_ntrip_t *nt;
    int st = bx_ntrip_create(&c, &nt, err, errlen);
    *nout = 0;
    if (st == BX_OK) {
        size_t got;
        while ((st = bx_ntrip_read(nt, out + *nout, 1500, &got)) == BX_OK)
            *nout += got;
        snprintf(err, errlen, "%s", bx_ntrip_error(nt));
        bx_ntrip_destroy(nt);
    }
    pthread_join(th, NULL);
    close(s.lfd);
    if (request)
        snprintf(request, 2048, "%s", s.request);
    return st;
}

static void test_v2_chunked_and_errors(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    size_t n = 100000;
    uint8_t *data = malloc(n), *out = malloc(n + 4096);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 8));
    char err[300], req[2048];
    size_t got;
    int st = run_v2(0, data, n, out, &got, err, sizeof err, req, 10);
    assert_int_equal(st, BX_ERR_EOF); /* the zero chunk ends the stream */
    assert_int_equal(got, n);
    assert_memory_equal(out, data, n);
    assert_non_null(strstr(req, "GET /M HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "Ntrip-Version: Ntrip/2.0\r\n"));
    assert_non_null(strstr(req, "Authorization: Basic dXNlcjpwdw==\r\n")); /* "user:pw" */
    assert_non_null(strstr(req, "Ntrip-GGA: $GPGGA,010900.00"));
    assert_non_null(strstr(req, "User-Agent: NTRIP bdsrx/"));

    st = run_v2(1, data, n, out, &got, err, sizeof err, NULL, 10);
    printf("NOTE: broken chunk: %s\n", err);
    assert_int_equal(st, BX_ERR_FORMAT);
    assert_non_null(strstr(err, "bad chunk size"));
    st = run_v2(2, data, n, out, &got, err, sizeof err, NULL, 10);
    printf("NOTE: not a caster: %s\n", err);
    assert_int_equal(st, BX_ERR_FORMAT);
    assert_non_null(strstr(err, "not an NTRIP caster reply"));
    st = run_v2(3, data, n, out, &got, err, sizeof err, NULL, 0.3);
    printf("NOTE: silent server: %s\n", err);
    assert_int_equal(st, BX_ERR_IO);
    assert_non_null(strstr(err, "no data from the caster"));
    st = run_v2(4, data, n, out, &got, err, sizeof err, NULL, 10);
    printf("NOTE: 401: %s\n", err);
    assert_non_null(strstr(err, "401 Unauthorized: check user and password"));

    /* nobody listening */
    int port, lfd = listen_any(&port);
    close(lfd);
    bx_ntrip_config_t c;
    bx_ntrip_config_default(&c);
    c.host = "127.0.0.1";
    c.port = port;
    c.mount = "M";
    bx_ntrip_t *nt;
    assert_int_equal(bx_ntrip_create(&c, &nt, err, sizeof err), BX_ERR_IO);
    printf("NOTE: refused: %s\n", err);
    assert_non_null(strstr(err, "cannot connect"));
    free(data);
    free(out);
}

/* ------------------------------------------------------------ NTRIP server (push) */

typedef struct {
    int lfd;
    int version, bad_password;
    char request[2048];
    uint8_t *data;     /* stream received (de-chunked for NTRIP 2) */
    size_t n;
} caster_t;

static void *caster_thread(void *arg)
{
    caster_t *c = arg;
    int fd = accept(c->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    size_t k = 0;
    char *end = NULL;
    while (k + 1 < sizeof c->request && !(end = strstr(c->request, "\r\n\r\n"))) {
        ssize_t r = recv(fd, c->request + k, sizeof c->request - 1 - k, 0);
        if (r <= 0)
            break;
        k += (size_t)r;
        c->request[k] = 0;
    }
    /* bytes after the header belong to the stream */
    size_t hdr = end ? (size_t)(end - c->request) + 4 : k;
    uint8_t *raw = malloc(1 << 20);
    size_t nraw = k - hdr;
    memcpy(raw, c->request + hdr, nraw);
    c->request[hdr] = 0;
    const char *reply = c->bad_password ? "ERROR - Bad Password\r\n"
                        : c->version == 1 ? "ICY 200 OK\r\n"
                                          : "HTTP/1.1 200 OK\r\nNtrip-Version: Ntrip/2.0\r\n\r\n";
    send(fd, reply, strlen(reply), MSG_NOSIGNAL);
    ssize_t r;
    while (!c->bad_password && nraw < (1u << 20) && (r = recv(fd, raw + nraw, (1u << 20) - nraw, 0)) > 0)
        nraw += (size_t)r;
    close(fd);
    c->data = malloc(nraw + 1);
    c->n = 0;
    if (c->version == 1) {
        memcpy(c->data, raw, nraw);
        c->n = nraw;
    } else { /* de-chunk */
        size_t i = 0;
        while (i < nraw) {
            unsigned long sz = strtoul((char *)raw + i, NULL, 16);
            const char *crlf = memchr(raw + i, '\n', nraw - i);
            if (!crlf || sz == 0)
                break;
            i = (size_t)((const uint8_t *)crlf - raw) + 1;
            memcpy(c->data + c->n, raw + i, sz);
            c->n += sz;
            i += sz + 2;
        }
    }
    free(raw);
    return NULL;
}

static void test_ntrip_server_push(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    uint8_t msg[3000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 1);
    for (int version = 1; version <= 2; version++) {
        for (int bad = 0; bad <= 1; bad++) {
            caster_t cs;
            memset(&cs, 0, sizeof cs);
            int port;
            cs.lfd = listen_any(&port);
            cs.version = version;
            cs.bad_password = bad;
            pthread_t th;
            pthread_create(&th, NULL, caster_thread, &cs);
            char url[128], store[256], err[300];
            snprintf(url, sizeof url, "%s://base:secret@127.0.0.1:%d/BASE1", version == 1 ? "ntrips" : "ntrips2", port);
            bx_ntrip_config_t c;
            bx_ntrip_config_default(&c);
            assert_int_equal(bx_ntrip_parse_url(url, &c, store, sizeof store, err, sizeof err), BX_OK);
            assert_int_equal(c.version, version);
            bx_ntrip_server_t *sv;
            int st = bx_ntrip_server_create(&c, &sv, err, sizeof err);
            if (bad) {
                printf("NOTE: NTRIP %d server, wrong password: %s\n", version, err);
                assert_int_not_equal(st, BX_OK);
                assert_non_null(strstr(err, "check the password"));
            } else {
                assert_int_equal(st, BX_OK);
                for (int i = 0; i < 10; i++)
                    assert_int_equal(bx_ntrip_server_send(sv, msg + 300 * i, 300), BX_OK);
                assert_int_equal(bx_ntrip_server_bytes(sv), sizeof msg);
                bx_ntrip_server_destroy(sv);
            }
            pthread_join(th, NULL);
            close(cs.lfd);
            if (version == 1)
                assert_non_null(strstr(cs.request, "SOURCE secret /BASE1\r\n"));
            else {
                assert_non_null(strstr(cs.request, "POST /BASE1 HTTP/1.1\r\n"));
                assert_non_null(strstr(cs.request, "Ntrip-Version: Ntrip/2.0\r\n"));
                assert_non_null(strstr(cs.request, "Transfer-Encoding: chunked\r\n"));
                assert_non_null(strstr(cs.request, "Authorization: Basic YmFzZTpzZWNyZXQ=\r\n")); /* base:secret */
            }
            assert_non_null(strstr(cs.request, "NTRIP bdsrx/"));
            if (!bad) {
                assert_int_equal(cs.n, sizeof msg);
                assert_memory_equal(cs.data, msg, sizeof msg);
            }
            free(cs.data);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_and_base64),
        cmocka_unit_test(test_v2_chunked_and_errors),
        cmocka_unit_test(test_ntrip_server_push),
        cmocka_unit_test_teardown(test_str2str_caster, stop_caster),
        cmocka_unit_test_teardown(test_base_through_str2str, stop_caster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
