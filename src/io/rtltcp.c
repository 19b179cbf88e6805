/* rtl_tcp protocol helpers and a one-client server over any bx_source
 * (used by bdsrx-replay --rtltcp and by the loopback tests). */
#define _GNU_SOURCE /* accept4 */
#include "bdsrx/rtltcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void bx_rtltcp_cmd_encode(uint8_t out[BX_RTLTCP_CMD_BYTES], int cmd, uint32_t param)
{
    out[0] = (uint8_t)cmd;
    out[1] = (uint8_t)(param >> 24);
    out[2] = (uint8_t)(param >> 16);
    out[3] = (uint8_t)(param >> 8);
    out[4] = (uint8_t)param;
}

int bx_rtltcp_cmd_decode(const uint8_t in[BX_RTLTCP_CMD_BYTES], uint32_t *param)
{
    *param = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
    return in[0];
}

void bx_rtltcp_header_encode(uint8_t out[BX_RTLTCP_HEADER_BYTES], uint32_t tuner_type, uint32_t gain_count)
{
    memcpy(out, "RTL0", 4);
    for (int i = 0; i < 4; i++) {
        out[4 + i] = (uint8_t)(tuner_type >> (24 - 8 * i));
        out[8 + i] = (uint8_t)(gain_count >> (24 - 8 * i));
    }
}

int bx_rtltcp_header_parse(const uint8_t in[BX_RTLTCP_HEADER_BYTES], uint32_t *tuner_type,
                           uint32_t *gain_count)
{
    if (memcmp(in, "RTL0", 4) != 0)
        return BX_ERR_FORMAT;
    uint32_t t = 0, g = 0;
    for (int i = 0; i < 4; i++) {
        t = t << 8 | in[4 + i];
        g = g << 8 | in[8 + i];
    }
    *tuner_type = t;
    *gain_count = g;
    return BX_OK;
}

const char *bx_rtltcp_tuner_name(uint32_t t)
{
    /* enum rtlsdr_tuner in rtl-sdr.h */
    static const char *names[] = {"unknown", "E4000", "FC0012", "FC0013", "FC2580", "R820T", "R828D"};
    return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static inline uint8_t q8(float v, float scale)
{
    float y = rintf(v * scale);
    if (y > 127.f)
        y = 127.f;
    if (y < -128.f)
        y = -128.f;
    return (uint8_t)((int8_t)y) ^ 0x80;
}

void bx_rtltcp_quantise(const bx_cf32_t *x, size_t n, float scale, uint8_t *restrict out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = q8(crealf(x[i]), scale);
        out[2 * i + 1] = q8(cimagf(x[i]), scale);
    }
}

float bx_rtltcp_default_scale(int format)
{
    /* One LSB of the capture's integer code -> one LSB of u8, whatever
     * normalisation bx_iq_convert applies: measure it on a known code
     * (ci8/ri8/ci16: the value 1; ci2: code 00 = level +1; ri1: one bit = +-1;
     * cf32: 1.0f, so unit amplitude maps to 1 LSB). */
    uint8_t raw[8] = {0};
    if (format == BX_IQ_CI8 || format == BX_IQ_RI8 || format == BX_IQ_CI16)
        raw[0] = 1;
    if (format == BX_IQ_CF32) {
        float one = 1.0f;
        memcpy(raw, &one, sizeof one);
    }
    bx_cf32_t x[8];
    if (bx_iq_convert(format, raw, 1, x) != BX_OK || crealf(x[0]) == 0.0f)
        return 1.0f;
    float k = 1.0f / fabsf(crealf(x[0]));
    return format == BX_IQ_CI16 ? k / 256.0f : k;
}

/* ---- server ------------------------------------------------------------- */

struct bx_rtltcp_server {
    int lfd;
    int port;
    _Atomic int stop;
};

int bx_rtltcp_server_create(const char *bind_addr, int port, bx_rtltcp_server_t **out, char *err,
                            size_t errlen)
{
    *out = NULL;
    const char *addr = bind_addr && *bind_addr ? bind_addr : "127.0.0.1";
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    int rc = getaddrinfo(addr, portstr, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "rtl_tcp server: cannot resolve %s: %s", addr, gai_strerror(rc));
        return BX_ERR_ARG;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1) != 0) {
        int e = errno;
        snprintf(err, errlen, "rtl_tcp server: cannot listen on %s:%d: %s%s", addr, port, strerror(e),
                 e == EADDRINUSE ? " (pick another port)" : "");
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return BX_ERR_IO;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    bx_rtltcp_server_t *srv = calloc(1, sizeof *srv);
    if (!srv) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return BX_ERR_NOMEM;
    }
    srv->lfd = fd;
    srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    atomic_init(&srv->stop, 0);
    *out = srv;
    return BX_OK;
}

int bx_rtltcp_server_port(const bx_rtltcp_server_t *srv) { return srv->port; }

void bx_rtltcp_server_stop(bx_rtltcp_server_t *srv) { atomic_store(&srv->stop, 1); }

void bx_rtltcp_server_destroy(bx_rtltcp_server_t *srv)
{
    if (!srv)
        return;
    close(srv->lfd);
    free(srv);
}

static void apply_cmd(bx_rtltcp_client_state_t *st, int cmd, uint32_t v)
{
    st->commands++;
    switch (cmd) {
    case BX_RTLTCP_SET_FREQ: st->freq_hz = v; break;
    case BX_RTLTCP_SET_RATE: st->rate_hz = v; break;
    case BX_RTLTCP_SET_GAIN_MODE: st->gain_mode = (int)v; break;
    case BX_RTLTCP_SET_GAIN: st->gain_tenth_db = (int32_t)v; break;
    case BX_RTLTCP_SET_PPM: st->ppm = (int32_t)v; break;
    case BX_RTLTCP_SET_AGC: st->agc = (int)v; break;
    case BX_RTLTCP_SET_BIAS_TEE: st->bias_tee = (int)v; break;
    default: break; /* accepted and ignored: a file has no tuner */
    }
}

/* Drains pending client commands without blocking; returns -1 if the client left. */
static int poll_commands(int cfd, uint8_t *cbuf, size_t *clen, bx_rtltcp_client_state_t *st)
{
    for (;;) {
        ssize_t r = recv(cfd, cbuf + *clen, BX_RTLTCP_CMD_BYTES - *clen, MSG_DONTWAIT);
        if (r == 0)
            return -1;
        if (r < 0)
            return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
        *clen += (size_t)r;
        if (*clen == BX_RTLTCP_CMD_BYTES) {
            uint32_t v;
            int c = bx_rtltcp_cmd_decode(cbuf, &v);
            apply_cmd(st, c, v);
            *clen = 0;
        }
    }
}

/* Sends all of buf, polling for stop; returns 0, or -1 if the client left. */
static int send_all(bx_rtltcp_server_t *srv, int cfd, const uint8_t *buf, size_t n)
{
    while (n) {
        if (atomic_load(&srv->stop))
            return -1;
        struct pollfd pf = {.fd = cfd, .events = POLLOUT};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        ssize_t w = send(cfd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

int bx_rtltcp_server_serve(bx_rtltcp_server_t *srv, bx_source_t *src, float scale,
                           bx_rtltcp_client_state_t *state, char *err, size_t errlen)
{
    bx_rtltcp_client_state_t dummy;
    if (!state)
        state = &dummy;
    memset(state, 0, sizeof *state);
    int cfd = -1;
    while (cfd < 0) {
        if (atomic_load(&srv->stop))
            return BX_OK;
        struct pollfd pf = {.fd = srv->lfd, .events = POLLIN};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        cfd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0 && errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
            snprintf(err, errlen, "rtl_tcp server: accept failed: %s", strerror(errno));
            return BX_ERR_IO;
        }
    }
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    uint8_t hdr[BX_RTLTCP_HEADER_BYTES], cbuf[BX_RTLTCP_CMD_BYTES];
    size_t clen = 0;
    enum { N = 16384 };
    bx_cf32_t *x = malloc(N * sizeof *x);
    uint8_t *u = malloc(2 * N);
    int st = BX_OK;
    if (!x || !u) {
        snprintf(err, errlen, "out of memory");
        st = BX_ERR_NOMEM;
        goto out;
    }
    bx_rtltcp_header_encode(hdr, 0 /* unknown tuner: a file has none */, 0);
    if (send_all(srv, cfd, hdr, sizeof hdr) != 0)
        goto out;
    const double fs_hz = bx_source_info(src)->fs_hz;
    /* Clients tune (rate, frequency) right after the header: wait for the rate for up to 1 s
     * so that a rate the source cannot give is refused before any sample goes out (a short
     * capture would otherwise be sent whole into the socket buffers first). */
    for (int i = 0; i < 10 && !state->rate_hz && !atomic_load(&srv->stop); i++) {
        struct pollfd pf = {.fd = cfd, .events = POLLIN};
        if (poll(&pf, 1, 100) > 0 && poll_commands(cfd, cbuf, &clen, state) < 0)
            break;
    }
    for (;;) {
        if (poll_commands(cfd, cbuf, &clen, state) < 0)
            break; /* client left */
        if (state->rate_hz && fabs((double)state->rate_hz - fs_hz) > 1.0) {
            state->refused_rate_hz = state->rate_hz;
            snprintf(err, errlen,
                     "rtl_tcp server: the client asked for %u sps; the source is %.0f sps and is not resampled: "
                     "connection closed (the client should use --fs %.0f)",
                     state->rate_hz, fs_hz, fs_hz);
            st = BX_ERR_UNSUPPORTED;
            break;
        }
        long got = bx_source_read(src, x, N, NULL);
        if (got < 0) {
            snprintf(err, errlen, "rtl_tcp server: source: %s", bx_source_error(src));
            st = (int)got;
            break;
        }
        if (got == 0)
            break; /* end of the capture */
        bx_rtltcp_quantise(x, (size_t)got, scale, u);
        if (send_all(srv, cfd, u, 2 * (size_t)got) != 0)
            break;
        state->bytes_sent += 2 * (uint64_t)got;
    }
out:
    free(x);
    free(u);
    /* Half-close, then keep reading until the client closes too: closing with
     * unread commands queued would send a RST that can discard samples the
     * client has not read yet.  Commands still arriving (a fast stream can end
     * before the client's tuning commands) are decoded as usual. */
    shutdown(cfd, SHUT_WR);
    for (int i = 0; i < 20 && !atomic_load(&srv->stop); i++) {
        struct pollfd pf = {.fd = cfd, .events = POLLIN};
        if (poll(&pf, 1, 100) > 0 && poll_commands(cfd, cbuf, &clen, state) < 0)
            break;
    }
    close(cfd);
    return st;
}
