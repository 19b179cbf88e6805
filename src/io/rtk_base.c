/* Base-station input for `bdsrx rtk`: RINEX observations or an RTCM 3 file
 * (include/bdsrx/rtcm3.h decoder).  See rtk_base.h. */
#include "bdsrx/rtk_base.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/ntrip.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"
#include "ntrip_impl.h"

struct bx_rtk_base {
    bx_rinex_obs_reader_t *rnx;
    FILE *f;                /* RTCM 3 file */
    bx_ntrip_t *ntrip;      /* or an NTRIP caster's stream */
    int tcp;                /* or a raw TCP stream (tcp://host:port), -1 none */
    const volatile int *stop; /* bx_rtk_base_set_stop: waits end when *stop becomes nonzero */
    uint8_t *pre;           /* NTRIP bytes read while looking for the station message, replayed first */
    size_t pre_len, pre_pos;
    char store[512];        /* strings of the NTRIP configuration */
    bx_rtcm3_dec_t *dec;
    uint8_t buf[8192];
    size_t len, pos;
    int eof;
    int have_sta;
    double sta[3];
    char path[256];
    char err[320];
    bx_rtcm3_msg_t msg;
};

/* First 1005/1006 of an RTCM 3 file (a separate decoder pass; the file is rewound). */
static int scan_station(struct bx_rtk_base *b)
{
    bx_rtcm3_dec_t *d;
    if (bx_rtcm3_dec_create(NULL, &d, NULL, 0))
        return -1;
    bx_rtcm3_msg_t *msg = &b->msg;
    size_t n;
    while (!b->have_sta && (n = fread(b->buf, 1, sizeof b->buf, b->f)) > 0) {
        size_t off = 0, used;
        while (off < n && !b->have_sta) {
            const int got = bx_rtcm3_dec_input(d, b->buf + off, n - off, &used, msg);
            off += used;
            if (got == 1 && msg->status == BX_OK && (msg->type == 1005 || msg->type == 1006)) {
                memcpy(b->sta, msg->u.sta.arp_ecef_m, sizeof b->sta);
                b->have_sta = 1;
            }
            if (!got)
                break;
        }
    }
    bx_rtcm3_dec_destroy(d);
    rewind(b->f);
    return 0;
}

/* RTCM 3 when the first 8 KiB hold a frame with a valid CRC (a logged stream may start in the
 * middle of a frame); RINEX and gzip files never do. */
static int is_rtcm3(struct bx_rtk_base *b, FILE *f)
{
    const size_t n = fread(b->buf, 1, sizeof b->buf, f);
    rewind(f);
    if (n >= 2 && b->buf[0] == 0x1f && b->buf[1] == 0x8b)
        return 0; /* gzip: a compressed RINEX file */
    bx_rtcm3_dec_t *d;
    if (bx_rtcm3_dec_create(NULL, &d, NULL, 0))
        return 0;
    size_t off = 0, used;
    int found = 0;
    while (off < n && !found) {
        const int got = bx_rtcm3_dec_input(d, b->buf + off, n - off, &used, &b->msg);
        off += used;
        found = got == 1;
        if (!got)
            break;
    }
    bx_rtcm3_dec_destroy(d);
    return found;
}

/* Connects to the caster and reads (keeping the bytes for bx_rtk_base_next) until the first
 * station message or 512 KiB: the base position is known before the first epoch. */
static int open_ntrip(struct bx_rtk_base *b, const char *url, const char *gga, char *err, size_t errlen)
{
    bx_ntrip_config_t c;
    bx_ntrip_config_default(&c);
    int st = bx_ntrip_parse_url(url, &c, b->store, sizeof b->store, err, errlen);
    if (st)
        return st;
    if (gga && gga[0])
        c.gga = gga;
    if ((st = bx_ntrip_create(&c, &b->ntrip, err, errlen)))
        return st;
    const size_t cap = 512 * 1024;
    b->pre = malloc(cap);
    bx_rtcm3_dec_t *d;
    if (!b->pre || bx_rtcm3_dec_create(NULL, &d, NULL, 0)) {
        snprintf(err, errlen, "out of memory");
        return BX_ERR_NOMEM;
    }
    while (!b->have_sta && b->pre_len < cap) {
        size_t got = 0;
        if (bx_ntrip_read(b->ntrip, b->pre + b->pre_len, cap - b->pre_len > 4096 ? 4096 : cap - b->pre_len, &got))
            break; /* the stream ends or breaks: bx_rtk_base_next reports it */
        size_t off = 0, used;
        while (off < got && !b->have_sta) {
            const int f = bx_rtcm3_dec_input(d, b->pre + b->pre_len + off, got - off, &used, &b->msg);
            off += used;
            if (f == 1 && b->msg.status == BX_OK && (b->msg.type == 1005 || b->msg.type == 1006)) {
                memcpy(b->sta, b->msg.u.sta.arp_ecef_m, sizeof b->sta);
                b->have_sta = 1;
            }
            if (!f)
                break;
        }
        b->pre_len += got;
    }
    bx_rtcm3_dec_destroy(d);
    return BX_OK;
}

int bx_rtk_base_create(const char *path, unsigned sig_mask, bx_rtk_base_t **out, char *err, size_t errlen)
{
    return bx_rtk_base_create_gga(path, sig_mask, NULL, out, err, errlen);
}

int bx_rtk_base_send_gga(bx_rtk_base_t *b, const char *sentence)
{
    if (!b || !b->ntrip)
        return b ? BX_OK : BX_ERR_ARG;
    return bx_ntrip_send_gga(b->ntrip, sentence);
}

long bx_rtk_base_gga_sent(bx_rtk_base_t *b) { return b ? bx_ntrip_gga_sent(b->ntrip) : 0; }

int bx_rtk_base_reconnects(bx_rtk_base_t *b) { return b && b->ntrip ? bx_ntrip_reconnects(b->ntrip) : 0; }

int bx_rtk_base_create_gga(const char *path, unsigned sig_mask, const char *gga, bx_rtk_base_t **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    struct bx_rtk_base *b = calloc(1, sizeof *b);
    if (!b)
        return BX_ERR_NOMEM;
    snprintf(b->path, sizeof b->path, "%s", path);
    b->tcp = -1;
    if (!strncmp(path, "tcp://", 6)) { /* raw RTCM 3 over TCP (e.g. str2str -out tcpsvr://:PORT) */
        char host[200];
        int port = 0;
        const char *hp = path + 6, *colon = strrchr(hp, ':');
        if (!colon || colon == hp || (size_t)(colon - hp) >= sizeof host || sscanf(colon + 1, "%d", &port) != 1 ||
            port <= 0 || port > 65535) {
            snprintf(err, errlen, "%s: give tcp://HOST:PORT", path);
            free(b);
            return BX_ERR_ARG;
        }
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = '\0';
        b->tcp = bx_ntrip__connect(host, port, 10000, err, errlen);
        if (b->tcp < 0) {
            free(b);
            return BX_ERR_IO;
        }
        *out = b;
        return BX_OK;
    }
    if (!strncmp(path, "ntrip://", 8) || !strncmp(path, "ntrip1://", 9) || !strncmp(path, "ntrip2://", 9)) {
        const int st = open_ntrip(b, path, gga, err, errlen);
        if (st) {
            bx_rtk_base_destroy(b);
            return st;
        }
        *out = b;
        return BX_OK;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open (check the path)", path);
        free(b);
        return BX_ERR_IO;
    }
    if (is_rtcm3(b, f)) {
        rewind(f);
        b->f = f;
        scan_station(b);
        *out = b;
        return BX_OK;
    }
    fclose(f);
    const int st = bx_rinex_obs_open(path, &b->rnx, err, errlen);
    if (st) {
        free(b);
        return st;
    }
    bx_rinex_obs_set_signals(b->rnx, sig_mask);
    const double *p = bx_rinex_obs_header(b->rnx)->approx_pos_m;
    if (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] > 1e12) {
        memcpy(b->sta, p, sizeof b->sta);
        b->have_sta = 1;
    }
    *out = b;
    return BX_OK;
}

void bx_rtk_base_destroy(bx_rtk_base_t *b)
{
    if (!b)
        return;
    bx_rinex_obs_destroy(b->rnx);
    bx_rtcm3_dec_destroy(b->dec);
    bx_ntrip_destroy(b->ntrip);
    if (b->tcp >= 0)
        close(b->tcp);
    free(b->pre);
    if (b->f)
        fclose(b->f);
    free(b);
}

const char *bx_rtk_base_error(const bx_rtk_base_t *b)
{
    return b->rnx ? bx_rinex_obs_error(b->rnx) : b->err;
}

int bx_rtk_base_position(const bx_rtk_base_t *b, double ecef_m[3])
{
    if (!b->have_sta)
        return -1;
    memcpy(ecef_m, b->sta, sizeof b->sta);
    return 0;
}

void bx_rtk_base_set_stop(bx_rtk_base_t *b, const volatile int *stop) { b->stop = stop; }

const char *bx_rtk_base_kind(const bx_rtk_base_t *b)
{
    return b->rnx ? "RINEX" : b->ntrip ? "NTRIP" : b->tcp >= 0 ? "TCP" : "RTCM3";
}

/* Next bytes of an RTCM source: the NTRIP pre-buffer, the stream (one reconnection attempt of
 * up to 10 s when it breaks), or the file.  0 at the end. */
static size_t read_bytes(struct bx_rtk_base *b, uint8_t *buf, size_t len)
{
    if (b->pre_pos < b->pre_len) {
        size_t n = b->pre_len - b->pre_pos < len ? b->pre_len - b->pre_pos : len;
        memcpy(buf, b->pre + b->pre_pos, n);
        b->pre_pos += n;
        return n;
    }
    if (b->tcp >= 0) { /* 30 s without a byte: the stream is taken as lost */
        struct pollfd pf = {b->tcp, POLLIN, 0};
        int pr = 0;
        for (int waited_ms = 0; waited_ms < 30000 && pr == 0 && !(b->stop && __atomic_load_n(b->stop, __ATOMIC_ACQUIRE)); waited_ms += 250)
            pr = poll(&pf, 1, 250);
        const ssize_t n = pr > 0 ? read(b->tcp, buf, len) : -1;
        if (n <= 0) {
            snprintf(b->err, sizeof b->err, "%.200s: %s", b->path,
                     pr == 0 ? "no data for 30 s" : n == 0 ? "the server closed the connection" : strerror(errno));
            return 0;
        }
        return (size_t)n;
    }
    if (!b->ntrip)
        return fread(buf, 1, len, b->f);
    size_t got = 0;
    int st = bx_ntrip_read(b->ntrip, buf, len, &got);
    if (st != BX_OK && bx_ntrip_reconnect(b->ntrip, 10.0, b->stop) == BX_OK)
        st = bx_ntrip_read(b->ntrip, buf, len, &got);
    if (st != BX_OK) {
        snprintf(b->err, sizeof b->err, "%.300s", bx_ntrip_error(b->ntrip));
        return 0;
    }
    return got;
}

int bx_rtk_base_next(bx_rtk_base_t *b, bx_time_t approx, bx_obs_t *obs, bx_nav_t *nav)
{
    if (b->rnx)
        return bx_rinex_obs_read(b->rnx, obs);
    if (!b->dec) {
        bx_rtcm3_dec_config_t c = {approx};
        char e[200];
        if (bx_rtcm3_dec_create(&c, &b->dec, e, sizeof e)) {
            snprintf(b->err, sizeof b->err, "%.100s: %.200s", b->path, e);
            return BX_ERR_ARG;
        }
    }
    bx_rtcm3_msg_t *msg = &b->msg;
    for (;;) {
        if (b->pos >= b->len) {
            if (b->eof)
                break;
            b->len = read_bytes(b, b->buf, sizeof b->buf);
            b->pos = 0;
            if (b->len == 0) {
                b->eof = 1;
                break;
            }
        }
        size_t used = 0;
        const int got = bx_rtcm3_dec_input(b->dec, b->buf + b->pos, b->len - b->pos, &used, msg);
        b->pos += used;
        if (!got)
            continue;
        if (msg->status == BX_OK && msg->type == 1042 && nav)
            bx_nav_add(nav, &msg->u.bds);
        if (msg->epoch_done) { /* may come with a message that is not decoded itself (another
                                  system's MSM ending the epoch) */
            *obs = *bx_rtcm3_dec_obs(b->dec);
            return BX_OK;
        }
    }
    /* a network stream that ended: b->err says why (bx_rtk_base_error); the caller goes on without it */
    if (bx_rtcm3_dec_flush(b->dec)) { /* the last epoch of the file */
        *obs = *bx_rtcm3_dec_obs(b->dec);
        return BX_OK;
    }
    return BX_ERR_EOF;
}
