/*
 * NMEA over TCP: non-blocking fan-out server, see include/bdsrx/nmea_tcp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bdsrx/nmea_tcp.h"
#include "bdsrx/types.h"

typedef struct {
    int fd;          /* -1 = free slot */
    char *q;         /* queued bytes not yet taken by the socket */
    size_t qlen;
} client_t;

struct bx_nmea_tcp {
    int lfd;
    int port;
    client_t c[BX_NMEA_TCP_MAX_CLIENTS];
    bx_nmea_tcp_stats_t st;
};

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int bx_nmea_tcp_create(const char *bind_addr, int port, bx_nmea_tcp_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "NMEA TCP: port %d outside 0..65535", port);
        return BX_ERR_ARG;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    /* nothing is exposed unless asked for: the loopback interface by default */
    const char *addr = bind_addr && *bind_addr ? bind_addr : "127.0.0.1";
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
        snprintf(err, errlen, "NMEA TCP: '%s' is not an IPv4 address", addr);
        return BX_ERR_ARG;
    }
    bx_nmea_tcp_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "NMEA TCP: out of memory");
        return BX_ERR_NOMEM;
    }
    for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS; i++)
        s->c[i].fd = -1;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s->lfd < 0 || setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->lfd, 8) != 0 || set_nonblock(s->lfd) != 0) {
        snprintf(err, errlen, "NMEA TCP: cannot listen on %s:%d: %s%s", addr, port, strerror(errno),
                 errno == EADDRINUSE ? " (another program uses the port; pick another --nmea-tcp PORT)"
                 : errno == EACCES  ? " (ports below 1024 need privileges)"
                                    : "");
        if (s->lfd >= 0)
            close(s->lfd);
        free(s);
        return BX_ERR_IO;
    }
    socklen_t al = sizeof a;
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    *out = s;
    return BX_OK;
}

int bx_nmea_tcp_port(const bx_nmea_tcp_t *s) { return s->port; }

static void drop_client(bx_nmea_tcp_t *s, client_t *c, int counted)
{
    close(c->fd);
    c->fd = -1;
    free(c->q);
    c->q = NULL;
    c->qlen = 0;
    s->st.clients--;
    if (counted)
        s->st.dropped++;
}

/* Sends queued bytes; returns 0 if the client is still connected. */
static int flush_client(bx_nmea_tcp_t *s, client_t *c)
{
    while (c->qlen) {
        ssize_t w = send(c->fd, c->q, c->qlen, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            drop_client(s, c, 1);
            return -1;
        }
        memmove(c->q, c->q + w, c->qlen - (size_t)w);
        c->qlen -= (size_t)w;
        s->st.bytes_sent += (uint64_t)w;
    }
    return 0;
}

void bx_nmea_tcp_poll(bx_nmea_tcp_t *s)
{
    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            break; /* EAGAIN: nobody waiting (other errors: try again next time) */
        int slot = -1;
        for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS && slot < 0; i++)
            if (s->c[i].fd < 0)
                slot = i;
        if (slot < 0 || set_nonblock(fd) != 0) {
            close(fd);
            s->st.refused++;
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        s->c[slot].fd = fd;
        s->c[slot].qlen = 0;
        s->st.clients++;
        s->st.accepted++;
    }
    for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS; i++) {
        client_t *c = &s->c[i];
        if (c->fd < 0)
            continue;
        /* discard the client's input, a bounded amount per poll (a client
         * streaming data must not keep the engine in this loop); 0 = it closed
         * the connection */
        char junk[512];
        ssize_t r = -1;
        size_t got = 0;
        while (got <= BX_NMEA_TCP_MAX_INPUT && (r = recv(c->fd, junk, sizeof junk, MSG_DONTWAIT)) > 0)
            got += (size_t)r;
        if (got > BX_NMEA_TCP_MAX_INPUT) {
            drop_client(s, c, 0);
            s->st.flooded++;
            continue;
        }
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            drop_client(s, c, 0);
            continue;
        }
        flush_client(s, c);
    }
}

int bx_nmea_tcp_send(bx_nmea_tcp_t *s, const char *data, size_t n)
{
    bx_nmea_tcp_poll(s);
    int queued = 0;
    for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS; i++) {
        client_t *c = &s->c[i];
        if (c->fd < 0)
            continue;
        if (c->qlen + n > BX_NMEA_TCP_BACKLOG) { /* it stopped reading: let it go */
            drop_client(s, c, 1);
            continue;
        }
        if (!c->q && !(c->q = malloc(BX_NMEA_TCP_BACKLOG))) {
            drop_client(s, c, 1);
            continue;
        }
        memcpy(c->q + c->qlen, data, n);
        c->qlen += n;
        if (flush_client(s, c) == 0)
            queued++;
    }
    return queued;
}

void bx_nmea_tcp_stats(const bx_nmea_tcp_t *s, bx_nmea_tcp_stats_t *st) { *st = s->st; }

void bx_nmea_tcp_destroy(bx_nmea_tcp_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < BX_NMEA_TCP_MAX_CLIENTS; i++)
        if (s->c[i].fd >= 0) {
            flush_client(s, &s->c[i]); /* last words, without waiting */
            if (s->c[i].fd >= 0)
                drop_client(s, &s->c[i], 0);
        }
    close(s->lfd);
    free(s);
}
