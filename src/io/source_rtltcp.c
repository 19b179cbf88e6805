/* rtl_tcp client source: connects, checks the "RTL0" dongle header, sends
 * the tuning commands, then a reader thread receives u8 IQ and pushes it as
 * ci8 (x ^ 0x80, see bdsrx/rtltcp.h) into the ring. */
#include "source_backend.h"

#include "bdsrx/rtltcp.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECONNECT_FIRST_S 0.1 /* first wait after a loss; doubles per failed attempt */
#define RECONNECT_MAX_S 5.0   /* longest wait between attempts */
#define STALL_DEFAULT_S 10.0  /* no data this long on an open connection: lost (URI stall_ms overrides) */

typedef struct {
    int fd;
    char where[160];
    char host[128], port[32];
    int ms;              /* connect / header time-out */
    uint64_t bytes;      /* received so far (all connections) */
    uint8_t buf[65536];
} tcp_priv_t;

/* Waits for fd to become ready for `events` within ms; 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int ms)
{
    struct pollfd pf = {.fd = fd, .events = events};
    int r;
    do
        r = poll(&pf, 1, ms);
    while (r < 0 && errno == EINTR);
    return r;
}

static int recv_exact(int fd, uint8_t *buf, size_t n, int ms)
{
    size_t got = 0;
    while (got < n) {
        if (wait_fd(fd, POLLIN, ms) <= 0)
            return -2; /* timeout */
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r == 0)
            return -1; /* closed */
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -3;
        }
        got += (size_t)r;
    }
    return 0;
}

static int send_cmd(int fd, int cmd, uint32_t v)
{
    uint8_t b[BX_RTLTCP_CMD_BYTES];
    bx_rtltcp_cmd_encode(b, cmd, v);
    return send(fd, b, sizeof b, MSG_NOSIGNAL) == (ssize_t)sizeof b ? 0 : -1;
}

static int handshake(bx_source_t *s, const char *host, const char *port, int ms, char *why, size_t wl);

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The server went away (the last data came at t_lost): with opts.reconnect > 0
 * connect again with a bounded back-off (0.1 s doubling to 5 s, opts.reconnect
 * tries), report the outage (t_lost to now, times fs) as lost samples and
 * return 1; else 0 (why2 gets the last failure). */
static int reconnect(bx_source_t *s, tcp_priv_t *p, double t_lost, char *why2, size_t wl)
{
    snprintf(why2, wl, "no reconnection (reconnect=0)");
    if (bx__source_opts(s)->reconnect <= 0)
        return 0;
    close(p->fd);
    p->fd = -1;
    double wait_s = RECONNECT_FIRST_S;
    for (int k = 0; k < bx__source_opts(s)->reconnect; k++) {
        const double until = mono_s() + wait_s;
        while (!bx__source_stopping(s) && mono_s() < until)
            poll(NULL, 0, 20); /* interruptible by bx_source_stop */
        if (bx__source_stopping(s))
            return 0;
        int fd = handshake(s, p->host, p->port, p->ms, why2, wl);
        if (fd >= 0) {
            p->fd = fd;
            bx__source_gap(s, (uint64_t)llround((mono_s() - t_lost) * bx__source_info_w(s)->fs_hz));
            bx__source_count_reconnect(s);
            return 1;
        }
        wait_s = fmin(2.0 * wait_s, RECONNECT_MAX_S);
    }
    return 0;
}

static int tcp_run(bx_source_t *s)
{
    tcp_priv_t *p = bx__source_priv(s);
    char why[400];
    /* a server that keeps the connection but sends nothing (stalled, network
     * down without a reset) is a lost connection after stall_s */
    const double stall_s = bx__source_opts(s)->stall_ms > 0 ? bx__source_opts(s)->stall_ms / 1000.0 : STALL_DEFAULT_S;
    double last_data = mono_s();
    while (!bx__source_stopping(s)) {
        int r = wait_fd(p->fd, POLLIN, 100);
        if (r == 0) {
            const double quiet_s = mono_s() - last_data;
            if (quiet_s < stall_s)
                continue;
            if (reconnect(s, p, last_data, why, sizeof why)) {
                last_data = mono_s();
                continue;
            }
            if (bx__source_stopping(s))
                break;
            return bx__source_fail(s, BX_ERR_DEVICE,
                                   "rtl_tcp: no samples from %s for %.1f s (server stalled or network down)%s%s",
                                   p->where, quiet_s, bx__source_opts(s)->reconnect > 0 ? "; reconnection failed: " : "",
                                   bx__source_opts(s)->reconnect > 0 ? why : "");
        }
        if (r < 0)
            return bx__source_fail(s, BX_ERR_IO, "rtl_tcp: poll on %s failed: %s", p->where, strerror(errno));
        ssize_t n = recv(p->fd, p->buf, sizeof p->buf, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        /* A server that hangs up after at most a couple of blocks (bdsrx-replay sends 16384
         * samples per block) did not stream: most often it cannot deliver the rate asked
         * for (bdsrx-replay serves its capture's rate only) - an error, not the end of a
         * stream, and nothing a reconnection would change. */
        if (n == 0 && p->bytes <= 2 * 65536)
            return bx__source_fail(s, BX_ERR_DEVICE,
                                   "rtl_tcp: %s closed the connection after %.3f s of samples: it may not "
                                   "serve %.0f sps at %.0f Hz (check --fs/--fc against the server; a "
                                   "bdsrx-replay server serves its capture's own rate only)",
                                   p->where, (double)p->bytes / 2.0 / bx__source_info_w(s)->fs_hz, bx__source_info_w(s)->fs_hz,
                                   bx__source_info_w(s)->fc_hz);
        if (n <= 0) {
            const int e = n < 0 ? errno : 0;
            if (reconnect(s, p, last_data, why, sizeof why)) {
                last_data = mono_s();
                continue;
            }
            if (bx__source_stopping(s))
                break;
            if (bx__source_opts(s)->reconnect > 0)
                return bx__source_fail(s, BX_ERR_DEVICE,
                                       "rtl_tcp: connection to %s lost (%s); %d reconnection attempts failed, "
                                       "the last: %s", p->where, e ? strerror(e) : "closed by the server",
                                       bx__source_opts(s)->reconnect, why);
            if (n == 0) {
                bx__source_fail(s, BX_OK, "rtl_tcp: %s closed the connection (end of stream)", p->where);
                return BX_OK;
            }
            return bx__source_fail(s, BX_ERR_DEVICE, "rtl_tcp: connection to %s lost: %s", p->where,
                                   strerror(e));
        }
        p->bytes += (uint64_t)n;
        last_data = mono_s();
        for (ssize_t i = 0; i < n; i++)
            p->buf[i] ^= 0x80;
        bx__source_push(s, p->buf, (size_t)n);
    }
    return BX_OK;
}

static void tcp_close(bx_source_t *s)
{
    tcp_priv_t *p = bx__source_priv(s);
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd);
    free(p);
}

static const bx_source_ops_t tcp_backend = {.run = tcp_run, .close = tcp_close};

/* Splits "host:port", "[v6]:port" or "host" (port 1234). */
static int split_host_port(const char *w, char *host, size_t hl, char *port, size_t pl)
{
    const char *colon;
    if (*w == '[') {
        const char *rb = strchr(w, ']');
        if (!rb)
            return -1;
        snprintf(host, hl, "%.*s", (int)(rb - w - 1), w + 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = strrchr(w, ':');
        snprintf(host, hl, "%.*s", colon ? (int)(colon - w) : (int)strlen(w), w);
    }
    snprintf(port, pl, "%s", colon && colon[1] ? colon + 1 : "1234");
    if (!*host)
        snprintf(host, hl, "127.0.0.1");
    while (strlen(host) && host[strlen(host) - 1] == '/')
        host[strlen(host) - 1] = 0;
    return 0;
}

static int connect_timeout(const char *host, const char *port, int ms, char *why, size_t wl)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(why, wl, "cannot resolve host: %s", gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        err = errno;
        if (err == EINPROGRESS) {
            int r = wait_fd(fd, POLLOUT, ms);
            socklen_t el = sizeof err;
            if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
                break;
            if (r == 0)
                err = ETIMEDOUT;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        if (err == ECONNREFUSED)
            snprintf(why, wl, "connection refused");
        else if (err == ETIMEDOUT)
            snprintf(why, wl, "no answer within %d ms", ms);
        else
            snprintf(why, wl, "%s", strerror(err));
        return -1;
    }
    /* back to blocking: the reader uses poll() for its time-outs */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* Connects, reads and checks the dongle header, sends the tuning commands.
 * Returns the socket, or -1 with the reason in why (and the status in *st
 * for the open call's message). */
static int handshake_st(bx_source_t *s, const char *host, const char *port, int ms, char *why, size_t wl, int *st,
                        uint32_t *tuner_out, uint32_t *ngain_out)
{
    char cwhy[160];
    *st = BX_ERR_DEVICE;
    int fd = connect_timeout(host, port, ms, cwhy, sizeof cwhy);
    if (fd < 0) {
        snprintf(why, wl, "%s at %s:%s (is rtl_tcp running there? start it with 'rtl_tcp -a %s -p %s')", cwhy, host,
                 port, host, port);
        return -1;
    }
    uint8_t hdr[BX_RTLTCP_HEADER_BYTES];
    uint32_t tuner = 0, ngain = 0;
    int r = recv_exact(fd, hdr, sizeof hdr, ms);
    if (r != 0 || bx_rtltcp_header_parse(hdr, &tuner, &ngain) != BX_OK) {
        close(fd);
        if (r == -1)
            snprintf(why, wl, "%s:%s closed the connection before the dongle header "
                              "(rtl_tcp serves one client at a time; is another connected?)", host, port);
        else if (r == -2)
            snprintf(why, wl, "%s:%s sent no dongle header within %d ms", host, port, ms);
        else {
            snprintf(why, wl, "%s:%s is not an rtl_tcp server (no \"RTL0\" header)", host, port);
            *st = BX_ERR_FORMAT;
        }
        return -1;
    }
    const bx_source_opts_t *o = bx__source_opts(s);
    double fs = o->fs_hz > 0 ? o->fs_hz : 2.048e6;
    double fc = o->fc_hz > 0 ? o->fc_hz : BX_FREQ_B1C_HZ;
    int bad = send_cmd(fd, BX_RTLTCP_SET_RATE, (uint32_t)lround(fs));
    bad |= send_cmd(fd, BX_RTLTCP_SET_FREQ, (uint32_t)llround(fc));
    if (o->ppm != 0)
        bad |= send_cmd(fd, BX_RTLTCP_SET_PPM, (uint32_t)(int32_t)lround(o->ppm));
    if (isnan(o->gain_db)) {
        bad |= send_cmd(fd, BX_RTLTCP_SET_GAIN_MODE, 0);
    } else {
        bad |= send_cmd(fd, BX_RTLTCP_SET_GAIN_MODE, 1);
        bad |= send_cmd(fd, BX_RTLTCP_SET_GAIN, (uint32_t)(int32_t)lround(o->gain_db * 10));
    }
    bad |= send_cmd(fd, BX_RTLTCP_SET_AGC, o->agc ? 1 : 0);
    if (o->bias_tee)
        bad |= send_cmd(fd, BX_RTLTCP_SET_BIAS_TEE, 1);
    if (bad) {
        close(fd);
        snprintf(why, wl, "sending tuning commands to %s:%s failed", host, port);
        return -1;
    }
    if (tuner_out)
        *tuner_out = tuner;
    if (ngain_out)
        *ngain_out = ngain;
    *st = BX_OK;
    return fd;
}

static int handshake(bx_source_t *s, const char *host, const char *port, int ms, char *why, size_t wl)
{
    int st;
    return handshake_st(s, host, port, ms, why, wl, &st, NULL, NULL);
}

static int rtltcp_open(bx_source_t *s, const char *where)
{
    bx_source_info_t *info = bx__source_info_w(s);
    if (!strncmp(where, "//", 2)) /* rtltcp://HOST:PORT or rtltcp:HOST:PORT */
        where += 2;
    char host[128], port[32], why[400];
    if (split_host_port(where, host, sizeof host, port, sizeof port) != 0)
        return bx__source_fail(s, BX_ERR_ARG, "rtl_tcp: cannot parse '%s' (use rtltcp://host:port)", where);
    int ms = bx__source_opts(s)->timeout_ms > 0 ? bx__source_opts(s)->timeout_ms : 3000;
    int st;
    uint32_t tuner = 0, ngain = 0;
    int fd = handshake_st(s, host, port, ms, why, sizeof why, &st, &tuner, &ngain);
    if (fd < 0)
        return bx__source_fail(s, st, "rtl_tcp: %s", why);
    const bx_source_opts_t *o = bx__source_opts(s);
    double fs = o->fs_hz > 0 ? o->fs_hz : 2.048e6;
    double fc = o->fc_hz > 0 ? o->fc_hz : BX_FREQ_B1C_HZ;
    tcp_priv_t *p = calloc(1, sizeof *p);
    if (!p) {
        close(fd);
        return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
    }
    p->fd = fd;
    p->ms = ms;
    snprintf(p->host, sizeof p->host, "%s", host);
    snprintf(p->port, sizeof p->port, "%s", port);
    snprintf(p->where, sizeof p->where, "%.120s:%.16s", host, port);
    bx__source_set_priv(s, p);
    bx__source_set_ops(s, &tcp_backend);
    snprintf(info->kind, sizeof info->kind, "rtltcp");
    snprintf(info->device, sizeof info->device, "rtl_tcp %.100s:%.16s (tuner %s, %u gains)", host, port,
             bx_rtltcp_tuner_name(tuner), ngain);
    info->format = BX_IQ_CI8;
    info->fs_hz = fs;
    info->fc_hz = fc;
    info->if_hz = 0;
    info->gain_db = o->gain_db;
    info->agc = o->agc;
    info->bias_tee = o->bias_tee;
    return BX_OK;
}

const bx_source_kind_t bx__source_kind_rtltcp = {"rtltcp", 0, rtltcp_open};
