/* Read-only HTTP dashboard server (include/bdsrx/http_status.h): non-blocking sockets, one
 * request per connection for the page and the JSON (Connection: close), long-lived
 * text/event-stream connections for the events (W3C Server-Sent Events). */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/http_status.h"
#include "bdsrx/types.h"

extern const char bx_http_page_html[]; /* src/io/http_page.c */

enum { C_FREE = 0, C_REQ, C_SEND, C_EVENTS };

typedef struct {
    int fd, state;
    char req[4096];
    size_t req_len;
    double t_open_s;
    char *q;            /* bytes to send */
    size_t qlen, qcap, qoff;
} client_t;

struct bx_http_status {
    int lfd, port;
    client_t c[BX_HTTP_MAX_CLIENTS];
    char *snap;
    size_t snap_len;
    bx_http_status_stats_t st;
};

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void drop(bx_http_status_t *h, client_t *c, int counted)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->q);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->state = C_FREE;
    if (counted)
        h->st.dropped++;
}

static int queue(client_t *c, const char *d, size_t n)
{
    if (c->qlen - c->qoff + n > BX_HTTP_BACKLOG)
        return -1;
    if (c->qoff && c->qoff == c->qlen)
        c->qoff = c->qlen = 0;
    if (c->qlen + n > c->qcap) {
        if (c->qoff) { /* compact first */
            memmove(c->q, c->q + c->qoff, c->qlen - c->qoff);
            c->qlen -= c->qoff;
            c->qoff = 0;
        }
        size_t cap = c->qcap ? c->qcap : 8192;
        while (cap < c->qlen + n)
            cap *= 2;
        char *p = realloc(c->q, cap);
        if (!p)
            return -1;
        c->q = p;
        c->qcap = cap;
    }
    memcpy(c->q + c->qlen, d, n);
    c->qlen += n;
    return 0;
}

/* Sends what the socket takes; -1 when the connection failed. */
static int flush(client_t *c)
{
    while (c->qoff < c->qlen) {
        ssize_t w = send(c->fd, c->q + c->qoff, c->qlen - c->qoff, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->qoff += (size_t)w;
    }
    return 0;
}

int bx_http_status_create(const char *bind_addr, int port, bx_http_status_t **out, char *err, size_t errlen)
{
    if (!out)
        return BX_ERR_ARG;
    *out = NULL;
    if (port < 0 || port > 65535) {
        if (err)
            snprintf(err, errlen, "HTTP: port %d outside 0..65535", port);
        return BX_ERR_ARG;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    const char *addr = bind_addr && *bind_addr ? bind_addr : "127.0.0.1";
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
        if (err)
            snprintf(err, errlen, "HTTP: '%s' is not an IPv4 address", addr);
        return BX_ERR_ARG;
    }
    bx_http_status_t *h = calloc(1, sizeof *h);
    if (!h)
        return BX_ERR_NOMEM;
    for (int i = 0; i < BX_HTTP_MAX_CLIENTS; i++)
        h->c[i].fd = -1;
    h->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (h->lfd < 0 || setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(h->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(h->lfd, 8) != 0) {
        if (err)
            snprintf(err, errlen, "HTTP: cannot listen on %s:%d: %s%s", addr, port, strerror(errno),
                     errno == EADDRINUSE ? " (another program uses the port; pick another --http PORT)"
                     : errno == EACCES  ? " (ports below 1024 need privileges)"
                                        : "");
        if (h->lfd >= 0)
            close(h->lfd);
        free(h);
        return BX_ERR_IO;
    }
    socklen_t al = sizeof a;
    getsockname(h->lfd, (struct sockaddr *)&a, &al);
    h->port = ntohs(a.sin_port);
    *out = h;
    return BX_OK;
}

int bx_http_status_port(const bx_http_status_t *h)
{
    return h ? h->port : -1;
}

static void respond(client_t *c, const char *status, const char *type, const char *body, size_t n)
{
    char head[256];
    const int k = snprintf(head, sizeof head,
                           "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
                           "Connection: close\r\n\r\n",
                           status, type, n);
    if (queue(c, head, (size_t)k) == 0 && n)
        queue(c, body, n);
    c->state = C_SEND;
}

/* A complete request head is in c->req: answer it. */
static void answer(bx_http_status_t *h, client_t *c)
{
    char method[8], path[256];
    h->st.requests++;
    if (sscanf(c->req, "%7s %255s", method, path) != 2) {
        respond(c, "400 Bad Request", "text/plain", "bad request\n", 12);
        return;
    }
    if (strcmp(method, "GET") != 0) {
        respond(c, "405 Method Not Allowed", "text/plain", "read-only: GET only\n", 20);
        return;
    }
    char *qm = strchr(path, '?');
    if (qm)
        *qm = 0;
    if (!strcmp(path, "/") || !strcmp(path, "/index.html")) {
        respond(c, "200 OK", "text/html; charset=utf-8", bx_http_page_html, strlen(bx_http_page_html));
    } else if (!strcmp(path, "/status.json")) {
        if (h->snap)
            respond(c, "200 OK", "application/json", h->snap, h->snap_len);
        else
            respond(c, "200 OK", "application/json", "{}", 2);
    } else if (!strcmp(path, "/events")) {
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                                   "Connection: keep-alive\r\n\r\nretry: 2000\n\n";
        queue(c, head, sizeof head - 1);
        if (h->snap) {
            queue(c, "data: ", 6);
            queue(c, h->snap, h->snap_len);
            queue(c, "\n\n", 2);
        }
        c->state = C_EVENTS;
    } else {
        respond(c, "404 Not Found", "text/plain", "not found\n", 10);
    }
}

void bx_http_status_poll(bx_http_status_t *h)
{
    if (!h)
        return;
    const double now = mono_s();
    for (;;) {
        int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            break;
        client_t *c = NULL;
        for (int i = 0; i < BX_HTTP_MAX_CLIENTS && !c; i++)
            if (h->c[i].state == C_FREE)
                c = &h->c[i];
        if (!c) {
            close(fd);
            h->st.refused++;
            continue;
        }
        memset(c, 0, sizeof *c);
        c->fd = fd;
        c->state = C_REQ;
        c->t_open_s = now;
    }
    for (int i = 0; i < BX_HTTP_MAX_CLIENTS; i++) {
        client_t *c = &h->c[i];
        if (c->state == C_REQ) {
            for (;;) {
                ssize_t r = recv(c->fd, c->req + c->req_len, sizeof c->req - 1 - c->req_len, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                    drop(h, c, 0);
                    break;
                }
                if (r < 0)
                    break;
                c->req_len += (size_t)r;
                c->req[c->req_len] = 0;
                if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
                    answer(h, c);
                    break;
                }
                if (c->req_len >= sizeof c->req - 1) { /* oversized request head */
                    drop(h, c, 1);
                    break;
                }
            }
            if (c->state == C_REQ && now - c->t_open_s > BX_HTTP_REQ_TIMEOUT_S)
                drop(h, c, 1);
        }
        if (c->state == C_SEND || c->state == C_EVENTS) {
            if (flush(c) != 0) {
                drop(h, c, 0);
                continue;
            }
            if (c->state == C_SEND && c->qoff == c->qlen)
                drop(h, c, 0); /* response complete: Connection: close */
            else if (c->state == C_EVENTS) {
                char junk[512]; /* the client's bytes are read and ignored; EOF = it left */
                ssize_t r = recv(c->fd, junk, sizeof junk, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                    drop(h, c, 0);
            }
        }
    }
}

int bx_http_status_publish(bx_http_status_t *h, const char *json, size_t len)
{
    if (!h || !json)
        return BX_ERR_ARG;
    char *s = realloc(h->snap, len + 1);
    if (!s)
        return BX_ERR_NOMEM;
    memcpy(s, json, len);
    s[len] = 0;
    /* an event's data must not hold a newline (each line would be a separate field) */
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || s[i] == '\r')
            s[i] = ' ';
    h->snap = s;
    h->snap_len = len;
    for (int i = 0; i < BX_HTTP_MAX_CLIENTS; i++) {
        client_t *c = &h->c[i];
        if (c->state != C_EVENTS)
            continue;
        if (queue(c, "data: ", 6) || queue(c, s, len) || queue(c, "\n\n", 2)) {
            drop(h, c, 1); /* stopped reading */
            continue;
        }
        h->st.events++;
        if (flush(c) != 0)
            drop(h, c, 0);
    }
    return BX_OK;
}

void bx_http_status_stats(const bx_http_status_t *h, bx_http_status_stats_t *st)
{
    if (!h || !st)
        return;
    *st = h->st;
    st->clients = 0;
    for (int i = 0; i < BX_HTTP_MAX_CLIENTS; i++)
        st->clients += h->c[i].state != C_FREE;
}

void bx_http_status_destroy(bx_http_status_t *h)
{
    if (!h)
        return;
    for (int i = 0; i < BX_HTTP_MAX_CLIENTS; i++)
        if (h->c[i].state != C_FREE)
            drop(h, &h->c[i], 0);
    if (h->lfd >= 0)
        close(h->lfd);
    free(h->snap);
    free(h);
}
