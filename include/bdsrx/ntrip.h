/*
 * bdsrx — NTRIP client (Networked Transport of RTCM via Internet Protocol,
 * RTCM 10410.1 v2.0 and the v1.0 protocol it extends): fetches a caster's
 * mountpoint and delivers the stream bytes (RTCM 3) to the caller.
 *
 *   bx_ntrip_config_t c;  bx_ntrip_config_default(&c);
 *   bx_ntrip_parse_url("ntrip://user:pw@caster.example:2101/MOUNT", &c, store, sizeof store, err, n);
 *   bx_ntrip_t *n;  bx_ntrip_create(&c, &n, err, sizeof err);
 *   while (bx_ntrip_read(n, buf, sizeof buf, &got) == BX_OK) feed(buf, got);
 *   bx_ntrip_destroy(n);
 *
 * Requests: v1 "GET /MOUNT HTTP/1.0" with User-Agent "NTRIP bdsrx/<version>" and
 * Basic authorisation; v2 adds "HTTP/1.1", Host and "Ntrip-Version: Ntrip/2.0"
 * (and "Ntrip-GGA" when a GGA sentence is given).  Replies: "ICY 200 OK" (v1:
 * raw stream), "HTTP/1.x 200 OK" (v2; "Transfer-Encoding: chunked" is
 * de-chunked), "SOURCETABLE 200 OK" (the mountpoint does not exist: error
 * listing the caster's streams), 401 (wrong credentials), 404, anything else:
 * an error quoting the status line.  Every wait (connect, reply, data) has the
 * configured timeout.  The GGA sentence of a v1 request is sent after the
 * reply, as network-RTK casters expect; bx_ntrip_send sends more later.
 *
 * Thread safety: one bx_ntrip_t per thread; no global state.  Sockets only:
 * no TLS.  bx_ntrip_reconnect reconnects with back-off after a failure.
 */
#ifndef BDSRX_NTRIP_H
#define BDSRX_NTRIP_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *host;     /* caster name or address */
    int port;             /* default 2101 */
    const char *mount;    /* mountpoint without '/'; "" = source table */
    const char *user, *password; /* NULL: no Authorization header */
    int version;          /* 1 or 2 (default 2) */
    double timeout_s;     /* connect / reply / data timeout (default 10 s) */
    const char *gga;      /* NMEA GGA sentence for network RTK, or NULL */
} bx_ntrip_config_t;

typedef struct bx_ntrip bx_ntrip_t;

void bx_ntrip_config_default(bx_ntrip_config_t *c);

/* "ntrip://[user[:password]@]host[:port]/MOUNT" (also "ntrip1://" and
 * "ntrip2://" to choose the protocol version) into c; the strings are copied
 * into store (kept by the caller as long as c is used).  BX_ERR_ARG with a
 * message for anything else. */
int bx_ntrip_parse_url(const char *url, bx_ntrip_config_t *c, char *store, size_t storelen, char *err,
                       size_t errlen);

/* Connects, sends the request, reads the reply header.  On error (BX_ERR_IO:
 * network, timeout, caster closed; BX_ERR_FORMAT: unexpected reply;
 * BX_ERR_ARG: bad configuration) err says what happened in words, e.g.
 * "caster.example:2101/MOUNT: 401 Unauthorized: check user and password". */
int bx_ntrip_create(const bx_ntrip_config_t *c, bx_ntrip_t **out, char *err, size_t errlen);

/* Up to len stream bytes into buf (*got > 0) and BX_OK; BX_ERR_EOF when the
 * caster ended the stream; BX_ERR_IO on a timeout or network error and
 * BX_ERR_FORMAT on a broken chunk (bx_ntrip_error says which). */
int bx_ntrip_read(bx_ntrip_t *n, uint8_t *buf, size_t len, size_t *got);

/* Sends bytes to the caster (e.g. a GGA sentence "$GPGGA,...\r\n"). */
int bx_ntrip_send(bx_ntrip_t *n, const void *data, size_t len);

/* Network RTK (VRS, nearest base): sends the receiver's position, one NMEA GGA sentence
 * ("$..GGA,...*hh", at most 100 characters; CR LF is added), and keeps it: a reconnection sends
 * it again in its request (v2 "Ntrip-GGA" header, v1 after the reply) instead of c->gga.
 * BX_ERR_ARG for anything that is not a sentence, BX_ERR_IO when the send fails (the reader's
 * next read reports the broken connection).  The one exception to one-thread-per-object: these
 * two may be called from another thread while one thread reads (and reconnects). */
int bx_ntrip_send_gga(bx_ntrip_t *n, const char *sentence);
long bx_ntrip_gga_sent(bx_ntrip_t *n); /* sentences sent by bx_ntrip_send_gga */

/* After a read error or the end of the stream: connects again with the same
 * configuration, waiting 0.1 s (timeout_s < 2 s) or 1 s after the first failed
 * try and doubling up to 30 s between tries, for at most max_wait_s in all or
 * until *stop (may be NULL) becomes non-zero (read with an atomic acquire
 * load: set it with __atomic_store_n or a C11 atomic store from another
 * thread).  Gives up at once on wrong credentials or an unknown mountpoint
 * (they do not heal by waiting).  BX_OK
 * when connected again (reading goes on from the new stream), else the last
 * error (bx_ntrip_error). */
int bx_ntrip_reconnect(bx_ntrip_t *n, double max_wait_s, const volatile int *stop);
int bx_ntrip_reconnects(const bx_ntrip_t *n); /* successful reconnections so far */
const char *bx_ntrip_error(const bx_ntrip_t *n);
uint64_t bx_ntrip_bytes(const bx_ntrip_t *n); /* stream bytes delivered so far */
void bx_ntrip_destroy(bx_ntrip_t *n);         /* closes the connection; NULL-safe */

/* ---- NTRIP server: push a stream to a caster's mountpoint (a base station) ----
 * c: host, port, mount, password (NTRIP 1: "SOURCE password /MOUNT"; NTRIP 2: POST with
 * Basic user:password and chunked transfer), version, timeout_s (also the longest a send
 * may wait for the caster to take data).  Errors in words ("caster refused the stream:
 * \"ERROR - Bad Password\": check the password").  bx_ntrip_parse_url reads
 * "ntrips://[user]:password@host:port/MOUNT" (NTRIP 1) and "ntrips2://..." (NTRIP 2) for it.
 * One thread at a time. */
typedef struct bx_ntrip_server bx_ntrip_server_t;
int bx_ntrip_server_create(const bx_ntrip_config_t *c, bx_ntrip_server_t **out, char *err, size_t errlen);
int bx_ntrip_server_send(bx_ntrip_server_t *s, const void *data, size_t len);
const char *bx_ntrip_server_error(const bx_ntrip_server_t *s);
uint64_t bx_ntrip_server_bytes(const bx_ntrip_server_t *s);
void bx_ntrip_server_destroy(bx_ntrip_server_t *s); /* NTRIP 2: sends the last chunk; NULL-safe */

/* The caster's source table (GET /): a malloc'd NUL-terminated text in *text
 * (the caller frees it), the "STR;..." lines and the rest as sent. */
int bx_ntrip_sourcetable(const bx_ntrip_config_t *c, char **text, char *err, size_t errlen);

/* Base64 (RFC 4648 §4) of n bytes into out (4 * ceil(n/3) + 1 bytes needed); returns
 * the length or BX_ERR_ARG when out is too small. */
int bx_base64(const void *in, size_t n, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif
#endif
