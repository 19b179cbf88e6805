/*
 * bdsrx — a read-only web dashboard for a running receiver: a small non-blocking HTTP/1.1
 * server that serves one page (channels with C/N0 bars, skyplot, position, track, time to first
 * fix, sample losses) and the receiver's status as JSON, pushed to the page with Server-Sent
 * Events.  Nothing on the page controls the receiver.
 *
 *   GET /              the dashboard (HTML + JavaScript, no outside resources)
 *   GET /status.json   the latest snapshot
 *   GET /events        text/event-stream: one "data: <snapshot>" event per publish
 * Anything else: 404; other methods: 405.
 *
 * Binds 127.0.0.1 unless another address is given; at most BX_HTTP_MAX_CLIENTS connections (more
 * are closed at once); requests larger than 4 KiB or a client that does not finish its request in
 * BX_HTTP_REQ_TIMEOUT_S are dropped; an event-stream client that stops reading is dropped when
 * BX_HTTP_BACKLOG bytes are queued for it, so a slow or hostile client never stalls the caller.
 * Never blocks: call bx_http_status_poll often (each receiver step) and bx_http_status_publish
 * once a second.
 *
 *   bx_http_status_t *h;
 *   if (bx_http_status_create("127.0.0.1", 8080, &h, err, sizeof err)) ...
 *   loop: bx_http_status_poll(h); every second: bx_http_status_publish(h, json, strlen(json));
 *   bx_http_status_destroy(h);
 * The snapshot's layout is the caller's (`bdsrx live` writes it in src/cli/live_json.c; the page
 * reads the keys listed there).  Thread safety: one thread per object.
 */
#ifndef BDSRX_HTTP_STATUS_H
#define BDSRX_HTTP_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BX_HTTP_MAX_CLIENTS 16
#define BX_HTTP_BACKLOG (256 * 1024)
#define BX_HTTP_REQ_TIMEOUT_S 10.0

typedef struct bx_http_status bx_http_status_t;

typedef struct {
    int clients;          /* connected now */
    uint64_t requests;    /* requests answered */
    uint64_t events;      /* events queued (all clients) */
    uint64_t dropped;     /* clients dropped: full queue, bad or oversized request, timeout */
    uint64_t refused;     /* connections refused because every slot was taken */
} bx_http_status_stats_t;

/* Listens on bind_addr:port (bind_addr NULL = 127.0.0.1; port 0 = any, see _port). */
int bx_http_status_create(const char *bind_addr, int port, bx_http_status_t **out, char *err, size_t errlen);
int bx_http_status_port(const bx_http_status_t *h);
/* Accepts clients, reads and answers requests, sends queued events; never blocks. */
void bx_http_status_poll(bx_http_status_t *h);
/* Keeps json as the latest snapshot and queues it as an event for every event-stream client. */
int bx_http_status_publish(bx_http_status_t *h, const char *json, size_t len);
void bx_http_status_stats(const bx_http_status_t *h, bx_http_status_stats_t *st);
void bx_http_status_destroy(bx_http_status_t *h);

#ifdef __cplusplus
}
#endif
#endif
