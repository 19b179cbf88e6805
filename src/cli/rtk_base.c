/* Base-station input for `bdsrx rtk`: RINEX observations or an RTCM 3 file
 * (include/bdsrx/rtcm3.h decoder).  See rtk_base.h. */
#include "rtk_base.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/orbit.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"

struct rtk_base {
    bx_rinex_obs_reader_t *rnx;
    FILE *f;                /* RTCM 3 file */
    bx_rtcm3_dec_t *dec;
    uint8_t buf[4096];
    size_t len, pos;
    int eof;
    int have_sta;
    double sta[3];
    char path[256];
    char err[320];
    bx_rtcm3_msg_t msg;
};

/* First 1005/1006 of an RTCM 3 file (a separate decoder pass; the file is rewound). */
static int scan_station(struct rtk_base *b)
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

int rtk_base_open(const char *path, unsigned sig_mask, rtk_base_t **out, char *err, size_t errlen)
{
    *out = NULL;
    struct rtk_base *b = calloc(1, sizeof *b);
    if (!b)
        return BX_ERR_NOMEM;
    snprintf(b->path, sizeof b->path, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open (check the path)", path);
        free(b);
        return BX_ERR_IO;
    }
    const int c0 = fgetc(f);
    if (c0 == 0xD3) { /* RTCM 3 preamble */
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

void rtk_base_destroy(rtk_base_t *b)
{
    if (!b)
        return;
    bx_rinex_obs_destroy(b->rnx);
    bx_rtcm3_dec_destroy(b->dec);
    if (b->f)
        fclose(b->f);
    free(b);
}

const char *rtk_base_error(const rtk_base_t *b)
{
    return b->rnx ? bx_rinex_obs_error(b->rnx) : b->err;
}

int rtk_base_position(const rtk_base_t *b, double ecef_m[3])
{
    if (!b->have_sta)
        return -1;
    memcpy(ecef_m, b->sta, sizeof b->sta);
    return 0;
}

const char *rtk_base_kind(const rtk_base_t *b)
{
    return b->rnx ? "RINEX" : "RTCM3";
}

int rtk_base_next(rtk_base_t *b, bx_time_t approx, bx_obs_t *obs, bx_nav_t *nav)
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
            b->len = fread(b->buf, 1, sizeof b->buf, b->f);
            b->pos = 0;
            if (b->len == 0) {
                b->eof = 1;
                break;
            }
        }
        size_t used = 0;
        const int got = bx_rtcm3_dec_input(b->dec, b->buf + b->pos, b->len - b->pos, &used, msg);
        b->pos += used;
        if (!got || msg->status != BX_OK)
            continue;
        if (msg->type == 1042 && nav)
            bx_nav_add(nav, &msg->u.bds);
        if (msg->epoch_done) {
            *obs = *bx_rtcm3_dec_obs(b->dec);
            return BX_OK;
        }
    }
    if (bx_rtcm3_dec_flush(b->dec)) { /* the last epoch of the file */
        *obs = *bx_rtcm3_dec_obs(b->dec);
        return BX_OK;
    }
    return BX_ERR_EOF;
}
