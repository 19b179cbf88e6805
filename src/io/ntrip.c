/* NTRIP client (include/bdsrx/ntrip.h).  Protocol: RTCM 10410.1 (NTRIP 2.0,
 * HTTP/1.1 with chunked transfer, RFC 7230 §4.1) and the NTRIP 1.0 "ICY 200
 * OK" reply; Basic authorisation RFC 7617 with base64 RFC 4648. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/ntrip.h"
#include "bdsrx/version.h"
#include "ntrip_impl.h"

#define RXBUF 16384
#define MAXHDR 16384

struct bx_ntrip {
    int fd;
    int chunked;
    int chunk_state;       /* 0: size line, 1: data, 2: CRLF after data, 3: ended */
    size_t chunk_left;
    uint8_t buf[RXBUF];
    size_t blen, bpos;     /* raw bytes received and not consumed: buf[bpos..blen) */
    int timeout_ms;
    uint64_t delivered;
    char where[200];       /* "host:port/mount" for messages */
    char err[300];
    /* a copy of the configuration, for bx_ntrip_reconnect */
    bx_ntrip_config_t cfg;
    char cfg_store[1024];
    int reconnects;        /* under mu (read from other threads) */
    int down;              /* bx_ntrip_reconnect is reopening (under mu): a GGA is only kept */
    char gga[128];         /* the latest position sent (bx_ntrip_send_gga): used again on reconnection */
    long gga_sent;
    pthread_mutex_t mu;    /* bx_ntrip_send_gga (any thread) against the fd swap of bx_ntrip_reconnect */
};

/* copies c's strings into n (reconnection after the caller's strings are gone) */
static void keep_config(bx_ntrip_t *n, const bx_ntrip_config_t *c)
{
    n->cfg = *c;
    size_t k = 0;
    const char **f[5] = {&n->cfg.host, &n->cfg.mount, &n->cfg.user, &n->cfg.password, &n->cfg.gga};
    for (int i = 0; i < 5; i++) {
        if (!*f[i])
            continue;
        size_t l = strlen(*f[i]) + 1;
        if (k + l > sizeof n->cfg_store) {
            *f[i] = NULL;
            continue;
        }
        memcpy(n->cfg_store + k, *f[i], l);
        *f[i] = n->cfg_store + k;
        k += l;
    }
}

void bx_ntrip_config_default(bx_ntrip_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->port = 2101;
    c->mount = "";
    c->version = 2;
    c->timeout_s = 10.0;
}

int bx_base64(const void *in, size_t n, char *out, size_t outlen)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = in;
    size_t need = 4 * ((n + 2) / 3) + 1, k = 0;
    if (!out || outlen < need)
        return BX_ERR_ARG;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[k++] = tab[(v >> 18) & 63];
        out[k++] = tab[(v >> 12) & 63];
        out[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[k] = '\0';
    return (int)k;
}

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

int bx_ntrip_parse_url(const char *url, bx_ntrip_config_t *c, char *store, size_t storelen, char *err,
                       size_t errlen)
{
    if (!url || !c || !store) {
        seterr(err, errlen, "ntrip: no URL");
        return BX_ERR_ARG;
    }
    const char *p = url;
    int version = c->version ? c->version : 2;
    if (!strncmp(p, "ntrip://", 8))
        p += 8;
    else if (!strncmp(p, "ntrip1://", 9))
        p += 9, version = 1;
    else if (!strncmp(p, "ntrip2://", 9))
        p += 9, version = 2;
    else if (!strncmp(p, "ntrips://", 9))
        p += 9, version = 1; /* NTRIP server (push), "SOURCE password /MOUNT" */
    else if (!strncmp(p, "ntrips2://", 10))
        p += 10, version = 2; /* NTRIP server, POST + chunked */
    else {
        seterr(err, errlen, "%s: not an NTRIP URL (ntrip://[user[:password]@]host[:port]/MOUNT, ntrips:// to push)",
               url);
        return BX_ERR_ARG;
    }
    if (strlen(p) + 4 > storelen) {
        seterr(err, errlen, "%s: URL too long", url);
        return BX_ERR_ARG;
    }
    /* copy, then cut in place: user \0 password \0 host \0 mount */
    char *s = store;
    snprintf(s, storelen, "%s", p);
    char *slash = strchr(s, '/');
    char *at = strrchr(s, '@');
    if (at && slash && at > slash)
        at = NULL;
    char *hostpart = s;
    c->user = c->password = NULL;
    if (at) {
        *at = '\0';
        hostpart = at + 1;
        char *colon = strchr(s, ':');
        if (colon) {
            *colon = '\0';
            c->password = colon + 1;
        } else {
            c->password = "";
        }
        c->user = s;
    }
    slash = strchr(hostpart, '/');
    c->mount = "";
    if (slash) {
        *slash = '\0';
        c->mount = slash + 1;
    }
    char *colon = strrchr(hostpart, ':');
    c->port = 2101;
    if (colon && !strchr(colon, ']')) {
        *colon = '\0';
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port < 1 || port > 65535) {
            seterr(err, errlen, "%s: bad port '%s'", url, colon + 1);
            return BX_ERR_ARG;
        }
        c->port = (int)port;
    }
    c->host = hostpart;
    if (!*c->host) {
        seterr(err, errlen, "%s: no caster host", url);
        return BX_ERR_ARG;
    }
    for (const char *m = c->mount; *m; m++)
        if (!isgraph((unsigned char)*m)) {
            seterr(err, errlen, "%s: the mountpoint may not contain spaces or control characters", url);
            return BX_ERR_ARG;
        }
    c->version = version;
    return BX_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* connect with a timeout: non-blocking connect, poll for writability (ntrip_impl.h) */
int bx_ntrip__connect(const char *host, int port, int timeout_ms, char *err, size_t errlen)
{
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, ps, &hints, &ai);
    if (rc != 0) {
        seterr(err, errlen, "%s:%d: cannot resolve the caster: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, last_errno = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            struct pollfd pf = {fd, POLLOUT, 0};
            int pr = poll(&pf, 1, timeout_ms);
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (pr == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
                fcntl(fd, F_SETFL, fl);
                break;
            }
            last_errno = pr == 0 ? ETIMEDOUT : soerr ? soerr : errno;
        } else {
            last_errno = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        seterr(err, errlen, "%s:%d: cannot connect to the caster: %s", host, port, strerror(last_errno));
    return fd;
}

static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

/* more raw bytes into buf; 1 ok, 0 closed, -1 timeout/error (message set) */
static int fill(bx_ntrip_t *n)
{
    if (n->bpos > 0 && n->bpos == n->blen)
        n->bpos = n->blen = 0;
    if (n->blen == sizeof n->buf) {
        if (n->bpos == 0) {
            snprintf(n->err, sizeof n->err, "%s: reply line too long", n->where);
            return -1;
        }
        memmove(n->buf, n->buf + n->bpos, n->blen - n->bpos);
        n->blen -= n->bpos;
        n->bpos = 0;
    }
    for (;;) {
        struct pollfd pf = {n->fd, POLLIN, 0};
        int pr = poll(&pf, 1, n->timeout_ms);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            snprintf(n->err, sizeof n->err, "%s: no data from the caster for %.1f s", n->where, n->timeout_ms / 1e3);
            return -1;
        }
        ssize_t k = recv(n->fd, n->buf + n->blen, sizeof n->buf - n->blen, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(n->err, sizeof n->err, "%s: %s", n->where, strerror(errno));
            return -1;
        }
        if (k == 0)
            return 0;
        n->blen += (size_t)k;
        return 1;
    }
}

/* one header line (without CRLF) into line; 1 ok, 0 closed, -1 error */
static int get_line(bx_ntrip_t *n, char *line, size_t max)
{
    for (;;) {
        for (size_t i = n->bpos; i < n->blen; i++)
            if (n->buf[i] == '\n') {
                size_t len = i - n->bpos;
                if (len > 0 && n->buf[i - 1] == '\r')
                    len--;
                if (len >= max)
                    len = max - 1;
                memcpy(line, n->buf + n->bpos, len);
                line[len] = '\0';
                n->bpos = i + 1;
                return 1;
            }
        int f = fill(n);
        if (f <= 0)
            return f;
    }
}

static const char *header_value(const char *line, const char *name)
{
    size_t k = strlen(name);
    if (strncasecmp(line, name, k) || line[k] != ':')
        return NULL;
    const char *v = line + k + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    return v;
}

static int build_request(const bx_ntrip_config_t *c, const char *mount, char *req, size_t max)
{
    char auth[600] = "";
    if (c->user) {
        char up[300], b64[420];
        snprintf(up, sizeof up, "%s:%s", c->user, c->password ? c->password : "");
        if (bx_base64(up, strlen(up), b64, sizeof b64) < 0)
            return -1;
        snprintf(auth, sizeof auth, "Authorization: Basic %s\r\n", b64);
    }
    int k;
    if (c->version == 1) {
        k = snprintf(req, max, "GET /%s HTTP/1.0\r\nUser-Agent: NTRIP bdsrx/%s\r\nAccept: */*\r\n%s\r\n", mount,
                     bx_version(), auth);
    } else {
        char gga[300] = "";
        if (c->gga && *c->gga) {
            char g[256];
            snprintf(g, sizeof g, "%s", c->gga);
            g[strcspn(g, "\r\n")] = '\0';
            snprintf(gga, sizeof gga, "Ntrip-GGA: %s\r\n", g);
        }
        k = snprintf(req, max,
                     "GET /%s HTTP/1.1\r\nHost: %s:%d\r\nNtrip-Version: Ntrip/2.0\r\nUser-Agent: NTRIP bdsrx/%s\r\n"
                     "Connection: close\r\n%s%s\r\n",
                     mount, c->host, c->port, bx_version(), gga, auth);
    }
    return k > 0 && (size_t)k < max ? k : -1;
}

/* connection + request + status line and headers.  want_table: GET / for the source table. */
static int do_open(const bx_ntrip_config_t *c, int want_table, bx_ntrip_t **out, int *is_table, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (!c || !c->host || !*c->host || c->port < 1 || c->port > 65535 || (c->version != 1 && c->version != 2)) {
        seterr(err, errlen, "ntrip: host, port 1..65535 and version 1 or 2 needed");
        return BX_ERR_ARG;
    }
    const char *mount = want_table ? "" : (c->mount ? c->mount : "");
    if (!want_table && !*mount) {
        seterr(err, errlen, "%s:%d: no mountpoint given (ntrip://host:port/MOUNT)", c->host, c->port);
        return BX_ERR_ARG;
    }
    bx_ntrip_t *n = calloc(1, sizeof *n);
    if (!n) {
        seterr(err, errlen, "ntrip: out of memory");
        return BX_ERR_NOMEM;
    }
    n->mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    n->timeout_ms = (int)((c->timeout_s > 0 ? c->timeout_s : 10.0) * 1000.0);
    snprintf(n->where, sizeof n->where, "%s:%d/%s", c->host, c->port, mount);
    n->fd = bx_ntrip__connect(c->host, c->port, n->timeout_ms, err, errlen);
    if (n->fd < 0) {
        free(n);
        return BX_ERR_IO;
    }
    char req[1500];
    if (build_request(c, mount, req, sizeof req) < 0 || send_all(n->fd, req, strlen(req)) < 0) {
        seterr(err, errlen, "%s: cannot send the request", n->where);
        bx_ntrip_destroy(n);
        return BX_ERR_IO;
    }
    char line[1024];
    int g = get_line(n, line, sizeof line);
    if (g <= 0) {
        if (g == 0)
            seterr(err, errlen, "%s: the caster closed the connection without a reply", n->where);
        else
            seterr(err, errlen, "%s", n->err);
        bx_ntrip_destroy(n);
        return BX_ERR_IO;
    }
    int code = 0;
    char proto[16] = "";
    *is_table = 0;
    if (!strncmp(line, "ICY ", 4)) {
        code = atoi(line + 4);
        snprintf(proto, sizeof proto, "ICY");
    } else if (!strncmp(line, "SOURCETABLE ", 12)) {
        code = atoi(line + 12);
        *is_table = 1;
    } else if (!strncmp(line, "HTTP/1.", 7) && strlen(line) >= 12) {
        code = atoi(line + 9);
        snprintf(proto, sizeof proto, "HTTP");
    } else {
        seterr(err, errlen, "%s: not an NTRIP caster reply: \"%.80s\"", n->where, line);
        bx_ntrip_destroy(n);
        return BX_ERR_FORMAT;
    }
    /* headers (HTTP and SOURCETABLE replies; an ICY reply has none).  A refusal may
     * end with the connection (RTKLIB's caster: "HTTP/1.0 401 Unauthorized" and close) */
    int cut = 0;
    if (strcmp(proto, "ICY") != 0) {
        for (;;) {
            char h[1024];
            int gh = get_line(n, h, sizeof h);
            if (gh <= 0) {
                cut = 1;
                break;
            }
            if (!h[0])
                break;
            const char *v;
            if ((v = header_value(h, "Transfer-Encoding")) && strstr(v, "chunked"))
                n->chunked = 1;
            if ((v = header_value(h, "Content-Type")) && strstr(v, "sourcetable"))
                *is_table = 1;
        }
    }
    if (code == 401) {
        seterr(err, errlen, "%s: %s: check user and password", n->where, line);
        bx_ntrip_destroy(n);
        return BX_ERR_IO;
    }
    if (code == 404) {
        seterr(err, errlen, "%s: %s: no such mountpoint", n->where, line);
        bx_ntrip_destroy(n);
        return BX_ERR_IO;
    }
    if (code != 200) {
        seterr(err, errlen, "%s: caster replied \"%.100s\"", n->where, line);
        bx_ntrip_destroy(n);
        return BX_ERR_FORMAT;
    }
    if (cut && !*is_table) {
        seterr(err, errlen, "%s: reply header cut short", n->where);
        bx_ntrip_destroy(n);
        return BX_ERR_IO;
    }
    if (*is_table && !want_table) {
        /* a v1 caster answers an unknown mountpoint with its source table: name the streams */
        char list[200] = "";
        size_t k = 0;
        char tl[1024];
        while (get_line(n, tl, sizeof tl) > 0 && strncmp(tl, "ENDSOURCETABLE", 14)) {
            if (!strncmp(tl, "STR;", 4) && k + 3 < sizeof list) {
                char *semi = strchr(tl + 4, ';');
                if (semi)
                    *semi = '\0';
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", tl + 4);
                if (k >= sizeof list)
                    k = sizeof list - 1;
            }
        }
        seterr(err, errlen, "%s: no such mountpoint (the caster sent its source table%s%s)", n->where,
               k ? "; streams: " : "", list);
        bx_ntrip_destroy(n);
        return BX_ERR_IO;
    }
    if (!*is_table && c->version == 1 && c->gga && *c->gga) {
        char g[300];
        snprintf(g, sizeof g, "%s", c->gga);
        g[strcspn(g, "\r\n")] = '\0';
        strcat(g, "\r\n");
        send_all(n->fd, g, strlen(g));
    }
    keep_config(n, c);
    *out = n;
    return BX_OK;
}

int bx_ntrip_create(const bx_ntrip_config_t *c, bx_ntrip_t **out, char *err, size_t errlen)
{
    int is_table;
    if (!out) {
        seterr(err, errlen, "ntrip: no output pointer");
        return BX_ERR_ARG;
    }
    return do_open(c, 0, out, &is_table, err, errlen);
}

/* de-chunking: next data bytes; 1 ok (*got), 0 end, -1 error */
static int read_chunked(bx_ntrip_t *n, uint8_t *buf, size_t len, size_t *got)
{
    for (;;) {
        if (n->chunk_state == 3)
            return 0;
        if (n->chunk_state == 0) {
            char line[128];
            int g = get_line(n, line, sizeof line);
            if (g <= 0) {
                if (g == 0)
                    snprintf(n->err, sizeof n->err, "%s: the caster closed the connection inside the chunked stream",
                             n->where);
                return -1;
            }
            char *end;
            unsigned long sz = strtoul(line, &end, 16);
            if (end == line || (*end && *end != ';' && *end != ' ')) {
                snprintf(n->err, sizeof n->err, "%s: bad chunk size line \"%.40s\"", n->where, line);
                return -2;
            }
            if (sz == 0) {
                n->chunk_state = 3;
                return 0;
            }
            n->chunk_left = sz;
            n->chunk_state = 1;
        }
        if (n->chunk_state == 1) {
            if (n->bpos == n->blen) {
                int f = fill(n);
                if (f <= 0) {
                    if (f == 0)
                        snprintf(n->err, sizeof n->err, "%s: the caster closed the connection inside a chunk",
                                 n->where);
                    return -1;
                }
            }
            size_t k = n->blen - n->bpos;
            if (k > n->chunk_left)
                k = n->chunk_left;
            if (k > len)
                k = len;
            memcpy(buf, n->buf + n->bpos, k);
            n->bpos += k;
            n->chunk_left -= k;
            if (n->chunk_left == 0)
                n->chunk_state = 2;
            *got = k;
            return 1;
        }
        if (n->chunk_state == 2) {
            char line[16];
            int g = get_line(n, line, sizeof line);
            if (g <= 0)
                return -1;
            if (line[0]) {
                snprintf(n->err, sizeof n->err, "%s: chunk not followed by CRLF", n->where);
                return -2;
            }
            n->chunk_state = 0;
        }
    }
}

int bx_ntrip_read(bx_ntrip_t *n, uint8_t *buf, size_t len, size_t *got)
{
    *got = 0;
    if (!n || !buf || len == 0)
        return BX_ERR_ARG;
    if (n->chunked) {
        int r = read_chunked(n, buf, len, got);
        if (r == 1) {
            n->delivered += *got;
            return BX_OK;
        }
        if (r == 0)
            snprintf(n->err, sizeof n->err, "%s: the caster ended the stream (last chunk)", n->where);
        return r == 0 ? BX_ERR_EOF : r == -2 ? BX_ERR_FORMAT : BX_ERR_IO;
    }
    if (n->bpos == n->blen) {
        int f = fill(n);
        if (f == 0) {
            snprintf(n->err, sizeof n->err, "%s: the caster closed the connection", n->where);
            return BX_ERR_EOF;
        }
        if (f < 0)
            return BX_ERR_IO;
    }
    size_t k = n->blen - n->bpos;
    if (k > len)
        k = len;
    memcpy(buf, n->buf + n->bpos, k);
    n->bpos += k;
    *got = k;
    n->delivered += k;
    return BX_OK;
}

int bx_ntrip_send(bx_ntrip_t *n, const void *data, size_t len)
{
    if (!n || (!data && len))
        return BX_ERR_ARG;
    if (send_all(n->fd, data, len) < 0) {
        snprintf(n->err, sizeof n->err, "%s: send: %s", n->where, strerror(errno));
        return BX_ERR_IO;
    }
    return BX_OK;
}

int bx_ntrip_send_gga(bx_ntrip_t *n, const char *sentence)
{
    if (!n || !sentence || sentence[0] != '$' || strlen(sentence) > 100)
        return BX_ERR_ARG;
    char g[128];
    snprintf(g, sizeof g, "%s", sentence);
    g[strcspn(g, "\r\n")] = '\0';
    pthread_mutex_lock(&n->mu);
    snprintf(n->gga, sizeof n->gga, "%s", g);
    strcat(g, "\r\n");
    /* while a reconnection reopens, n->fd is the old, closed socket: keep the sentence only
     * (the reconnection sends the latest on the new connection) */
    const int st = n->fd >= 0 && !n->down && send_all(n->fd, g, strlen(g)) == 0 ? BX_OK : BX_ERR_IO;
    n->gga_sent += st == BX_OK;
    pthread_mutex_unlock(&n->mu);
    return st;
}

long bx_ntrip_gga_sent(bx_ntrip_t *n)
{
    if (!n)
        return 0;
    pthread_mutex_lock(&n->mu);
    const long k = n->gga_sent;
    pthread_mutex_unlock(&n->mu);
    return k;
}

const char *bx_ntrip_error(const bx_ntrip_t *n) { return n ? n->err : "no connection"; }

uint64_t bx_ntrip_bytes(const bx_ntrip_t *n) { return n ? n->delivered : 0; }

void bx_ntrip_destroy(bx_ntrip_t *n)
{
    if (!n)
        return;
    if (n->fd >= 0)
        close(n->fd);
    pthread_mutex_destroy(&n->mu);
    free(n);
}

int bx_ntrip_sourcetable(const bx_ntrip_config_t *c, char **text, char *err, size_t errlen)
{
    if (!text)
        return BX_ERR_ARG;
    *text = NULL;
    bx_ntrip_t *n;
    int is_table;
    int st = do_open(c, 1, &n, &is_table, err, errlen);
    if (st != BX_OK)
        return st;
    size_t cap = 4096, len = 0;
    char *t = malloc(cap);
    if (!t) {
        bx_ntrip_destroy(n);
        return BX_ERR_NOMEM;
    }
    const double t0 = now_s();
    for (;;) {
        uint8_t b[2048];
        size_t got;
        int r = bx_ntrip_read(n, b, sizeof b, &got);
        if (r != BX_OK)
            break;
        if (len + got + 1 > cap) {
            char *nt = realloc(t, cap = 2 * (len + got + 1));
            if (!nt)
                break;
            t = nt;
        }
        memcpy(t + len, b, got);
        len += got;
        t[len] = '\0';
        if (strstr(t, "ENDSOURCETABLE") || now_s() - t0 > 60.0)
            break;
    }
    t[len] = '\0';
    bx_ntrip_destroy(n);
    *text = t;
    return BX_OK;
}

int bx_ntrip_reconnect(bx_ntrip_t *n, double max_wait_s, const volatile int *stop)
{
    if (!n)
        return BX_ERR_ARG;
    double wait_s = 0.5 * n->cfg.timeout_s > 1.0 ? 1.0 : 0.1, waited = 0;
    pthread_mutex_lock(&n->mu);
    n->down = 1;
    pthread_mutex_unlock(&n->mu);
    for (;;) {
        bx_ntrip_t *fresh;
        int is_table;
        char err[300];
        bx_ntrip_config_t c = n->cfg;
        char gga[128];
        pthread_mutex_lock(&n->mu);
        snprintf(gga, sizeof gga, "%s", n->gga);
        pthread_mutex_unlock(&n->mu);
        if (gga[0])
            c.gga = gga; /* a network-RTK caster gets the receiver's latest position */
        int st = do_open(&c, 0, &fresh, &is_table, err, sizeof err);
        if (st == BX_OK) {
            /* take over the new connection; statistics and configuration stay */
            pthread_mutex_lock(&n->mu);
            if (n->fd >= 0)
                close(n->fd);
            n->fd = fresh->fd;
            n->down = 0;
            n->reconnects++;
            /* a position given while reopening (after the request was made) goes now */
            if (n->gga[0] && strcmp(n->gga, gga)) {
                char g[132];
                snprintf(g, sizeof g, "%s\r\n", n->gga);
                n->gga_sent += send_all(n->fd, g, strlen(g)) == 0;
            }
            pthread_mutex_unlock(&n->mu);
            fresh->fd = -1;
            memcpy(n->buf, fresh->buf + fresh->bpos, fresh->blen - fresh->bpos);
            n->blen = fresh->blen - fresh->bpos;
            n->bpos = 0;
            n->chunked = fresh->chunked;
            n->chunk_state = 0;
            n->chunk_left = 0;
            bx_ntrip_destroy(fresh);
            n->err[0] = '\0';
            return BX_OK;
        }
        snprintf(n->err, sizeof n->err, "%s", err);
        /* credentials and mountpoints do not heal by waiting */
        const int fatal =
            st == BX_ERR_ARG || strstr(err, "check user and password") || strstr(err, "no such mountpoint");
        if (fatal || (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)) || waited + wait_s > max_wait_s) {
            pthread_mutex_lock(&n->mu);
            n->down = 0;
            pthread_mutex_unlock(&n->mu);
            return fatal ? st : BX_ERR_IO;
        }
        for (double slept = 0; slept < wait_s && !(stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)); slept += 0.1) { /* *stop ends the wait */
            const double d = wait_s - slept < 0.1 ? wait_s - slept : 0.1;
            struct timespec ts = {0, (long)(d * 1e9)};
            nanosleep(&ts, NULL);
        }
        waited += wait_s;
        wait_s = wait_s * 2 > 30.0 ? 30.0 : wait_s * 2; /* back-off: doubling up to 30 s */
    }
}

int bx_ntrip_reconnects(const bx_ntrip_t *n)
{
    if (!n)
        return 0;
    pthread_mutex_t *mu = (pthread_mutex_t *)&n->mu; /* logically mutable: read from other threads */
    pthread_mutex_lock(mu);
    const int k = n->reconnects;
    pthread_mutex_unlock(mu);
    return k;
}
