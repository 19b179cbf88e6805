/* NTRIP server: pushes a stream (a bdsrx base's RTCM 3) to a caster's
 * mountpoint (include/bdsrx/ntrip.h).  NTRIP 1: "SOURCE password /MOUNT" +
 * Source-Agent, reply "ICY 200 OK"; NTRIP 2 (RTCM 10410.1): "POST /MOUNT
 * HTTP/1.1" with Basic authorisation and chunked transfer (RFC 7230 §4.1),
 * reply "HTTP/1.1 200 OK". */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/ntrip.h"
#include "bdsrx/version.h"
#include "ntrip_impl.h"

struct bx_ntrip_server {
    int fd;
    int version;
    int timeout_ms;
    uint64_t sent;
    char where[200];
    char err[300];
};

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* all of data within the timeout (poll for room), 0 ok, -1 error / timeout */
static int send_timeout(int fd, const void *data, size_t len, int timeout_ms)
{
    const char *p = data;
    while (len > 0) {
        struct pollfd pf = {fd, POLLOUT, 0};
        int pr = poll(&pf, 1, timeout_ms);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (pr < 0)
            return -1;
        ssize_t k = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (k <= 0)
            return -1;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

/* the caster's status line (and the header lines of an HTTP reply) */
static int read_reply(int fd, int timeout_ms, char *line, size_t max)
{
    size_t k = 0;
    int lines = 0;
    char cur[256];
    size_t ck = 0;
    line[0] = '\0';
    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, timeout_ms);
        if (pr <= 0)
            return pr == 0 ? -2 : -1;
        char c;
        ssize_t r = recv(fd, &c, 1, 0);
        if (r <= 0)
            return lines > 0 || k > 0 ? 0 : -1;
        if (c == '\n') {
            cur[ck] = '\0';
            if (ck > 0 && cur[ck - 1] == '\r')
                cur[--ck] = '\0';
            if (lines == 0) {
                snprintf(line, max, "%s", cur);
                k = ck;
                /* an NTRIP 1 reply is one line; an HTTP one ends with an empty line */
                if (strncmp(cur, "HTTP/", 5))
                    return 0;
            } else if (ck == 0) {
                return 0;
            }
            lines++;
            ck = 0;
        } else if (ck + 1 < sizeof cur) {
            cur[ck++] = c;
        }
    }
}

int bx_ntrip_server_create(const bx_ntrip_config_t *c, bx_ntrip_server_t **out, char *err, size_t errlen)
{
    if (!out) {
        seterr(err, errlen, "ntrip server: no output pointer");
        return BX_ERR_ARG;
    }
    *out = NULL;
    if (!c || !c->host || !*c->host || !c->mount || !*c->mount || c->port < 1 || c->port > 65535 ||
        (c->version != 1 && c->version != 2)) {
        seterr(err, errlen, "ntrip server: host, port, mountpoint and version 1 or 2 needed");
        return BX_ERR_ARG;
    }
    bx_ntrip_server_t *s = calloc(1, sizeof *s);
    if (!s) {
        seterr(err, errlen, "ntrip server: out of memory");
        return BX_ERR_NOMEM;
    }
    s->version = c->version;
    s->timeout_ms = (int)((c->timeout_s > 0 ? c->timeout_s : 10.0) * 1000.0);
    snprintf(s->where, sizeof s->where, "%s:%d/%s", c->host, c->port, c->mount);
    s->fd = bx_ntrip__connect(c->host, c->port, s->timeout_ms, err, errlen);
    if (s->fd < 0) {
        free(s);
        return BX_ERR_IO;
    }
    char req[1200];
    int k;
    if (c->version == 1) {
        k = snprintf(req, sizeof req, "SOURCE %s /%s\r\nSource-Agent: NTRIP bdsrx/%s\r\nSTR: \r\n\r\n",
                     c->password ? c->password : "", c->mount, bx_version());
    } else {
        char auth[600] = "";
        if (c->user || c->password) {
            char up[300], b64[420];
            snprintf(up, sizeof up, "%s:%s", c->user ? c->user : "", c->password ? c->password : "");
            bx_base64(up, strlen(up), b64, sizeof b64);
            snprintf(auth, sizeof auth, "Authorization: Basic %s\r\n", b64);
        }
        k = snprintf(req, sizeof req,
                     "POST /%s HTTP/1.1\r\nHost: %s:%d\r\nNtrip-Version: Ntrip/2.0\r\nUser-Agent: NTRIP bdsrx/%s\r\n"
                     "%sContent-Type: gnss/data\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                     c->mount, c->host, c->port, bx_version(), auth);
    }
    if (k <= 0 || (size_t)k >= sizeof req || send_timeout(s->fd, req, (size_t)k, s->timeout_ms) < 0) {
        seterr(err, errlen, "%s: cannot send the request: %s", s->where, strerror(errno));
        bx_ntrip_server_destroy(s);
        return BX_ERR_IO;
    }
    char line[300];
    int r = read_reply(s->fd, s->timeout_ms, line, sizeof line);
    if (r < 0 || !line[0]) {
        seterr(err, errlen, "%s: %s", s->where,
               r == -2 ? "no reply from the caster" : "the caster closed the connection without a reply");
        bx_ntrip_server_destroy(s);
        return BX_ERR_IO;
    }
    int code = !strncmp(line, "ICY ", 4) ? atoi(line + 4) : !strncmp(line, "HTTP/1.", 7) ? atoi(line + 9) : 0;
    if (code != 200) {
        /* NTRIP 1 casters answer a wrong password with "ERROR - Bad Password" */
        const int auth_err = code == 401 || strstr(line, "Bad Password") || strstr(line, "Unauthorized");
        seterr(err, errlen, "%s: caster refused the stream: \"%.100s\"%s", s->where, line,
               auth_err ? ": check the password (and user for NTRIP 2)"
                        : (code == 404 || strstr(line, "Mount")) ? ": check the mountpoint" : "");
        bx_ntrip_server_destroy(s);
        return code ? BX_ERR_IO : BX_ERR_FORMAT;
    }
    *out = s;
    return BX_OK;
}

int bx_ntrip_server_send(bx_ntrip_server_t *s, const void *data, size_t len)
{
    if (!s || (!data && len))
        return BX_ERR_ARG;
    if (len == 0)
        return BX_OK;
    int bad;
    if (s->version == 2) {
        char h[24];
        int hl = snprintf(h, sizeof h, "%zx\r\n", len);
        bad = send_timeout(s->fd, h, (size_t)hl, s->timeout_ms) < 0 ||
              send_timeout(s->fd, data, len, s->timeout_ms) < 0 || send_timeout(s->fd, "\r\n", 2, s->timeout_ms) < 0;
    } else {
        bad = send_timeout(s->fd, data, len, s->timeout_ms) < 0;
    }
    if (bad) {
        snprintf(s->err, sizeof s->err, "%s: %s", s->where,
                 errno == ETIMEDOUT ? "the caster does not take the data" : strerror(errno));
        return BX_ERR_IO;
    }
    s->sent += len;
    return BX_OK;
}

const char *bx_ntrip_server_error(const bx_ntrip_server_t *s) { return s ? s->err : "no connection"; }

uint64_t bx_ntrip_server_bytes(const bx_ntrip_server_t *s) { return s ? s->sent : 0; }

void bx_ntrip_server_destroy(bx_ntrip_server_t *s)
{
    if (!s)
        return;
    if (s->fd >= 0) {
        if (s->version == 2)
            send_timeout(s->fd, "0\r\n\r\n", 5, 200); /* last chunk */
        close(s->fd);
    }
    free(s);
}
