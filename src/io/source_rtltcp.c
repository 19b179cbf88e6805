/* rtl_tcp client source: connects, checks the "RTL0" dongle header, sends
 * the tuning commands, then a reader thread receives u8 IQ and pushes it as
 * ci8 (x ^ 0x80, see bdsrx/rtltcp.h) into the ring. */
#include "source_impl.h"

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
#include <unistd.h>

typedef struct {
    int fd;
    char where[160];
    uint64_t bytes;   /* received so far */
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

static int tcp_run(bx_source_t *s)
{
    tcp_priv_t *p = s->priv;
    while (!bx__source_stopping(s)) {
        int r = wait_fd(p->fd, POLLIN, 100);
        if (r == 0)
            continue;
        if (r < 0)
            return bx__source_fail(s, BX_ERR_IO, "rtl_tcp: poll on %s failed: %s", p->where, strerror(errno));
        ssize_t n = recv(p->fd, p->buf, sizeof p->buf, 0);
        if (n == 0) {
            /* A server that hangs up after at most a couple of blocks (bdsrx-replay sends 16384
             * samples per block) did not stream: most often it cannot deliver the rate asked
             * for (bdsrx-replay serves its capture's rate only) - an error, not the end of a
             * stream. */
            if (p->bytes <= 2 * 65536)
                return bx__source_fail(s, BX_ERR_DEVICE,
                                       "rtl_tcp: %s closed the connection after %.3f s of samples: it may not "
                                       "serve %.0f sps at %.0f Hz (check --fs/--fc against the server; a "
                                       "bdsrx-replay server serves its capture's own rate only)",
                                       p->where, (double)p->bytes / 2.0 / s->info.fs_hz, s->info.fs_hz,
                                       s->info.fc_hz);
            bx__source_fail(s, BX_OK, "rtl_tcp: %s closed the connection (end of stream)", p->where);
            return BX_OK;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return bx__source_fail(s, BX_ERR_DEVICE, "rtl_tcp: connection to %s lost: %s", p->where,
                                   strerror(errno));
        }
        p->bytes += (uint64_t)n;
        for (ssize_t i = 0; i < n; i++)
            p->buf[i] ^= 0x80;
        bx__source_push(s, p->buf, (size_t)n);
    }
    return BX_OK;
}

static void tcp_close(bx_source_t *s)
{
    tcp_priv_t *p = s->priv;
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd);
    free(p);
}

static const bx_source_backend_t tcp_backend = {.run = tcp_run, .close = tcp_close};

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

int bx__source_rtltcp_open(bx_source_t *s, const char *where)
{
    char host[128], port[32], why[160];
    if (split_host_port(where, host, sizeof host, port, sizeof port) != 0)
        return bx__source_fail(s, BX_ERR_ARG, "rtl_tcp: cannot parse '%s' (use rtltcp://host:port)", where);
    int ms = s->opts.timeout_ms > 0 ? s->opts.timeout_ms : 3000;
    int fd = connect_timeout(host, port, ms, why, sizeof why);
    if (fd < 0)
        return bx__source_fail(s, BX_ERR_DEVICE,
                               "rtl_tcp: %s at %s:%s (is rtl_tcp running there? start it with "
                               "'rtl_tcp -a %s -p %s')", why, host, port, host, port);
    uint8_t hdr[BX_RTLTCP_HEADER_BYTES];
    uint32_t tuner = 0, ngain = 0;
    int r = recv_exact(fd, hdr, sizeof hdr, ms);
    if (r != 0 || bx_rtltcp_header_parse(hdr, &tuner, &ngain) != BX_OK) {
        close(fd);
        if (r == -1)
            return bx__source_fail(s, BX_ERR_DEVICE,
                                   "rtl_tcp: %s:%s closed the connection before the dongle header "
                                   "(rtl_tcp serves one client at a time; is another connected?)", host, port);
        if (r == -2)
            return bx__source_fail(s, BX_ERR_DEVICE, "rtl_tcp: %s:%s sent no dongle header within %d ms",
                                   host, port, ms);
        return bx__source_fail(s, BX_ERR_FORMAT,
                               "rtl_tcp: %s:%s is not an rtl_tcp server (no \"RTL0\" header)", host, port);
    }
    bx_source_opts_t *o = &s->opts;
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
        return bx__source_fail(s, BX_ERR_DEVICE, "rtl_tcp: sending tuning commands to %s:%s failed", host, port);
    }
    tcp_priv_t *p = calloc(1, sizeof *p);
    if (!p) {
        close(fd);
        return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
    }
    p->fd = fd;
    snprintf(p->where, sizeof p->where, "%.120s:%.16s", host, port);
    s->priv = p;
    s->be = &tcp_backend;
    snprintf(s->info.kind, sizeof s->info.kind, "rtltcp");
    snprintf(s->info.device, sizeof s->info.device, "rtl_tcp %.100s:%.16s (tuner %s, %u gains)", host, port,
             bx_rtltcp_tuner_name(tuner), ngain);
    s->info.format = BX_IQ_CI8;
    s->info.fs_hz = fs;
    s->info.fc_hz = fc;
    s->info.if_hz = 0;
    s->info.gain_db = o->gain_db;
    s->info.agc = o->agc;
    s->info.bias_tee = o->bias_tee;
    return BX_OK;
}
