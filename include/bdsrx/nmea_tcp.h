/*
 * bdsrx — NMEA over TCP: a small server that sends every sentence written to
 * it to all connected clients (the way gpsd-style consumers, OpenCPN or a
 * second machine read a receiver over the network).
 *
 * Never blocks the caller: the listening socket and the client sockets are
 * non-blocking, new clients are accepted in bx_nmea_tcp_send/_poll, and a client
 * that cannot take the data now gets it queued (up to BX_NMEA_TCP_BACKLOG bytes);
 * a client whose queue would overflow (it stopped reading) or whose connection
 * failed is disconnected and counted.  Whole writes only: a client never sees a
 * partial sentence followed by another.  Clients' input is read and discarded,
 * at most BX_NMEA_TCP_MAX_INPUT bytes per client per poll: a client that sends
 * more (a flood, not NMEA commands) is disconnected, so it cannot hold the
 * caller (the receiver engine) in the read loop.  At most
 * BX_NMEA_TCP_MAX_CLIENTS clients; more are refused.  The default address is
 * the loopback interface: a network address must be given explicitly.
 *
 * Usage:
 *   bx_nmea_tcp_t *srv;
 *   if (bx_nmea_tcp_create("127.0.0.1", 10110, &srv, err, sizeof err)) die(err);
 *   per epoch: bx_nmea_tcp_send(srv, sentences, len);
 *   bx_nmea_tcp_destroy(srv);
 *
 * Threads: a bx_nmea_tcp_t is used by one thread at a time (create, send, poll, destroy from the
 * same thread).
 */
#ifndef BDSRX_NMEA_TCP_H
#define BDSRX_NMEA_TCP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BX_NMEA_TCP_MAX_CLIENTS 16
#define BX_NMEA_TCP_BACKLOG 65536 /* bytes queued per client, ~100 s of 1 Hz GGA/RMC/GSA/GSV */
#define BX_NMEA_TCP_MAX_INPUT 4096 /* bytes a client may send per poll before it is disconnected */

typedef struct bx_nmea_tcp bx_nmea_tcp_t;

typedef struct {
    int clients;            /* connected now */
    uint64_t accepted;      /* clients accepted so far */
    uint64_t dropped;       /* clients disconnected for a full queue or a send error */
    uint64_t refused;       /* connections closed at once because all slots were taken */
    uint64_t bytes_sent;
    uint64_t flooded;       /* clients disconnected for sending more than BX_NMEA_TCP_MAX_INPUT per poll */
} bx_nmea_tcp_stats_t;

/* Listens on bind_addr:port (bind_addr NULL or "" = 127.0.0.1; port 0 = any, see _port). */
int bx_nmea_tcp_create(const char *bind_addr, int port, bx_nmea_tcp_t **out, char *err, size_t errlen);
int bx_nmea_tcp_port(const bx_nmea_tcp_t *s);
/* Accepts waiting clients, sends queued data, notices closed connections. */
void bx_nmea_tcp_poll(bx_nmea_tcp_t *s);
/* Polls, then queues data for every client and sends what the sockets take now.
 * Returns the number of clients the data was queued for. */
int bx_nmea_tcp_send(bx_nmea_tcp_t *s, const char *data, size_t n);
void bx_nmea_tcp_stats(const bx_nmea_tcp_t *s, bx_nmea_tcp_stats_t *st);
void bx_nmea_tcp_destroy(bx_nmea_tcp_t *s);

#ifdef __cplusplus
}
#endif
#endif
