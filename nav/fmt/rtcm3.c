/* RTCM 3.3 frames, message dispatch, station/antenna messages and the
 * assembly of MSM messages into observation epochs (include/bdsrx/rtcm3.h).
 * Field layouts: RTCM 10403.3 §3.5 (message contents) and §3.4 (data
 * fields); frame: §4.2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/fec.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "rtcm3_impl.h"

#define PREAMBLE 0xD3
#define EPOCH_QUEUE 4

/* DF395 signal ids -> RINEX band + attribute, index = id - 1.
 * GPS: RTCM 10403.3 Table 3.5-91.  BDS: Table 3.5-108 (BDS-3 ids 22-32 from
 * its amendments).  Secondary cross-check: RTKLIB 2.5 rtcm3.c tables. */
static const char *const sig_gps[32] = {"",   "1C", "1P", "1W", "",   "",   "",   "2C", "2P", "2W", "",
                                        "",   "",   "",   "2S", "2L", "2X", "",   "",   "",   "",   "5I",
                                        "5Q", "5X", "",   "",   "",   "",   "",   "1S", "1L", "1X"};
static const char *const sig_bds[32] = {"",   "2I", "2Q", "2X", "",   "",   "",   "6I", "6Q", "6X", "",
                                        "",   "",   "7I", "7Q", "7X", "",   "",   "",   "",   "",   "5D",
                                        "5P", "5X", "7D", "7P", "7Z", "",   "",   "1D", "1P", "1X"};

const char *bx_rtcm3_sig_rinex(char sys, int sig_id)
{
    if (sig_id < 1 || sig_id > 32)
        return NULL;
    const char *s = sys == 'G' ? sig_gps[sig_id - 1] : sys == 'C' ? sig_bds[sig_id - 1] : "";
    return s[0] ? s : NULL;
}

int bx_rtcm3_sig_id(char sys, const char *rnx)
{
    if (!rnx)
        return -1;
    for (int i = 0; i < 32; i++) {
        const char *s = sys == 'G' ? sig_gps[i] : sys == 'C' ? sig_bds[i] : "";
        if (s[0] && s[0] == rnx[0] && s[1] == rnx[1])
            return i + 1;
    }
    return -1;
}

/* RINEX band/attribute -> bx_signal_t, pilot flag; -1 if not one of ours */
static int map_signal(char sys, const char *rnx, int *pilot)
{
    *pilot = 0;
    if (sys == 'G') {
        switch (rnx[0]) {
        case '1': return BX_SIG_GPS_L1;
        case '2': return BX_SIG_GPS_L2;
        case '5': return BX_SIG_GPS_L5;
        }
        return -1;
    }
    const char a = rnx[1];
    const int comp = a == 'P' || a == 'X' || a == 'Z'; /* pilot or data+pilot: the pilot's phase */
    switch (rnx[0]) {
    case '1': *pilot = comp; return BX_SIG_B1C;
    case '5': *pilot = comp; return BX_SIG_B2A;
    case '2': return BX_SIG_B1I;
    case '6': return BX_SIG_B3I;
    case '7':
        if (a == 'D' || a == 'P' || a == 'Z') {
            *pilot = comp;
            return BX_SIG_B2B;
        }
        return BX_SIG_B2I;
    }
    return -1;
}

int bx_rtcm3_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t outlen)
{
    if (!payload || !out || len > BX_RTCM3_MAXLEN || outlen < len + 6)
        return BX_ERR_ARG;
    out[0] = PREAMBLE;
    out[1] = (uint8_t)((len >> 8) & 0x03);
    out[2] = (uint8_t)(len & 0xFF);
    memcpy(out + 3, payload, len);
    uint32_t crc = bx_crc24q_bytes(out, len + 3);
    out[len + 3] = (uint8_t)(crc >> 16);
    out[len + 4] = (uint8_t)(crc >> 8);
    out[len + 5] = (uint8_t)crc;
    return (int)(len + 6);
}

/* ---------------------------------------------------------------- decoder */

typedef struct {
    double lock_ms;
    bx_time_t t;
    int seen;
} lockrec_t;

struct bx_rtcm3_dec {
    bx_time_t approx;          /* BDT */
    int approx_weak;           /* from the host clock: an ephemeris week replaces it */
    uint8_t buf[BX_RTCM3_MAXLEN + 6];
    size_t nbuf, need;
    bx_rtcm3_stats_t st;
    bx_obs_t cur;
    int have_cur;
    /* completed epochs, oldest first: q[qhead] is the one bx_rtcm3_dec_obs shows; it is
     * dropped at the next message once shown (a message can complete two epochs: the
     * previous one without its last message, and its own) */
    bx_obs_t q[EPOCH_QUEUE];
    int qhead, qn, shown;
    lockrec_t lock[2][64][32]; /* [GPS, BDS][prn-1][sig-1] */
};

int bx_rtcm3_dec_create(const bx_rtcm3_dec_config_t *cfg, bx_rtcm3_dec_t **out, char *err, size_t errlen)
{
    if (!out) {
        if (err && errlen)
            snprintf(err, errlen, "rtcm3: no output pointer");
        return BX_ERR_ARG;
    }
    *out = NULL;
    bx_rtcm3_dec_t *d = calloc(1, sizeof *d);
    if (!d) {
        if (err && errlen)
            snprintf(err, errlen, "rtcm3: out of memory");
        return BX_ERR_NOMEM;
    }
    if (cfg && (cfg->approx_bdt.sec != 0 || cfg->approx_bdt.frac_s != 0)) {
        d->approx = cfg->approx_bdt;
    } else {
        /* host clock: Unix seconds -> UTC since 2006-01-01 -> BDT (leap seconds table) */
        bx_time_t utc = bx_time_make((int64_t)time(NULL) - 1136073600, 0.0);
        d->approx = bx_time_utc_to_bdt(utc, bx_time_leap_bdt_utc_s(utc));
        d->approx_weak = 1;
    }
    *out = d;
    return BX_OK;
}

void bx_rtcm3_dec_destroy(bx_rtcm3_dec_t *d) { free(d); }

void bx_rtcm3_dec_stats(const bx_rtcm3_dec_t *d, bx_rtcm3_stats_t *st) { *st = d->st; }

const bx_obs_t *bx_rtcm3_dec_obs(const bx_rtcm3_dec_t *d) { return &d->q[d->qhead]; }

/* time of week (s) of scale `gps` near the approximate BDT -> BDT */
static bx_time_t resolve_tow(const bx_rtcm3_dec_t *d, double tow_s, int gps)
{
    if (gps) {
        bx_time_t ag = bx_time_bdt_to_gpst(d->approx);
        int w;
        double a_tow = bx_time_to_gps_week_tow(ag, &w);
        double dt = tow_s - a_tow;
        if (dt > 302400)
            w--;
        else if (dt < -302400)
            w++;
        return bx_time_gpst_to_bdt(bx_time_from_gps_week_tow(w, tow_s));
    }
    int w;
    double a_sow = bx_time_to_week_sow(d->approx, &w);
    double dt = tow_s - a_sow;
    if (dt > 302400)
        w--;
    else if (dt < -302400)
        w++;
    return bx_time_from_week_sow(w, tow_s);
}

static void finish_cur(bx_rtcm3_dec_t *d)
{
    if (d->qn == EPOCH_QUEUE) { /* the caller does not take them: drop the oldest */
        d->qhead = (d->qhead + 1) % EPOCH_QUEUE;
        d->qn--;
        d->st.bad++;
    }
    d->q[(d->qhead + d->qn) % EPOCH_QUEUE] = d->cur;
    d->qn++;
    d->have_cur = 0;
    d->cur.n = 0;
}

/* adds an MSM to the epoch being assembled; returns 1 if an epoch completed */
static int add_msm(bx_rtcm3_dec_t *d, const bx_rtcm3_msm_t *m)
{
    const int gps = m->sys == 'G';
    bx_time_t t = resolve_tow(d, m->tow_ms * 1e-3, gps);
    int completed = 0;
    if (d->have_cur && fabs(bx_time_diff(t, d->cur.time)) > 1e-4) {
        /* a new epoch before the last message of the previous one: it is complete as it is */
        finish_cur(d);
        completed = 1;
    }
    if (!d->have_cur) {
        memset(&d->cur, 0, sizeof d->cur);
        d->cur.time = t;
        d->have_cur = 1;
    }
    d->approx = t;
    for (int c = 0; c < m->ncell; c++) {
        const bx_rtcm3_cell_t *cl = &m->cell[c];
        if (!cl->rnx[0] || d->cur.n >= BX_OBS_MAX)
            continue;
        int pilot, sig = map_signal(m->sys, cl->rnx, &pilot);
        if (sig < 0)
            continue;
        bx_obsd_t *o = &d->cur.d[d->cur.n];
        memset(o, 0, sizeof *o);
        o->prn = cl->prn;
        o->sig = (uint8_t)sig;
        o->pilot = (uint8_t)pilot;
        o->code = cl->rnx[1];
        const double lambda = BX_CLIGHT_MPS / bx_signal_freq_hz(sig);
        if (!isnan(cl->pseudorange_m)) {
            o->pseudorange_m = cl->pseudorange_m;
            o->flags |= BX_OBS_PR;
        }
        if (!isnan(cl->phaserange_m)) {
            o->carrier_cycles = cl->phaserange_m / lambda;
            o->flags |= BX_OBS_CP;
        }
        if (!isnan(cl->phaserate_mps)) {
            o->doppler_hz = -cl->phaserate_mps / lambda;
            o->flags |= BX_OBS_DOP;
        }
        if (!isnan(cl->cnr_dbhz) && cl->cnr_dbhz > 0) {
            o->cn0_dbhz = cl->cnr_dbhz;
            o->flags |= BX_OBS_CN0;
        }
        o->lock_s = cl->lock_ms * 1e-3;
        o->arc_s = o->lock_s; /* the indicator is the phase arc's age */
        lockrec_t *lr = &d->lock[gps ? 0 : 1][(cl->prn - 1) & 63][(cl->sig_id - 1) & 31];
        if (o->flags & BX_OBS_CP) {
            /* loss of lock: new, lock time went down, or surely shorter than the time since the
             * last one (the indicator gives a minimum; the true lock time is below the next
             * indicator's value: Table 3.5-75 steps, or x2 for the 4-bit Table 3.5-74) */
            const double gap_ms = lr->seen ? bx_time_diff(t, lr->t) * 1e3 : 0;
            const double ub_ms = m->msm >= 6 ? bx_rtcm3__lock_ms(bx_rtcm3__lock_ind_ext(cl->lock_ms) + 1, 1)
                                             : (cl->lock_ms > 0 ? 2.0 * cl->lock_ms : 32.0);
            if (!lr->seen || cl->lock_ms < lr->lock_ms || (gap_ms > 0 && ub_ms <= gap_ms - 1.0))
                o->flags |= BX_OBS_SLIP;
            if (cl->half_cycle)
                o->flags |= BX_OBS_HALF;
        }
        lr->lock_ms = cl->lock_ms;
        lr->t = t;
        lr->seen = 1;
        d->cur.n++;
    }
    if (!m->sync) {
        finish_cur(d);
        completed = 1;
    }
    return completed;
}

/* the epoch shown after the last message is done with */
static void drop_shown(bx_rtcm3_dec_t *d)
{
    if (d->shown && d->qn > 0) {
        d->qhead = (d->qhead + 1) % EPOCH_QUEUE;
        d->qn--;
    }
    d->shown = 0;
}

int bx_rtcm3_dec_flush(bx_rtcm3_dec_t *d)
{
    drop_shown(d);
    if (d->have_cur)
        finish_cur(d);
    d->shown = d->qn > 0;
    return d->shown;
}

static void get_str(const uint8_t *p, int *pos, int len_bytes, char *out, size_t outlen, int max_bits)
{
    size_t k = 0;
    for (int i = 0; i < len_bytes && *pos + 8 <= max_bits; i++) {
        char c = (char)rtcm_getu(p, *pos, 8);
        *pos += 8;
        if (k + 1 < outlen)
            out[k++] = c;
    }
    out[k] = '\0';
}

static int decode_station(const uint8_t *p, int len, int type, bx_rtcm3_station_t *s)
{
    const int nbits = len * 8, need = type == 1005 ? 152 : 168;
    if (nbits < need)
        return BX_ERR_FORMAT;
    int i = 24;
    s->itrf_year = (int)rtcm_getu(p, i, 6), i += 6;
    s->gps = (int)rtcm_getu(p, i, 1), i += 1;
    s->glo = (int)rtcm_getu(p, i, 1), i += 1;
    s->gal = (int)rtcm_getu(p, i, 1), i += 1;
    s->ref_station = (int)rtcm_getu(p, i, 1), i += 1;
    s->arp_ecef_m[0] = (double)rtcm_gets(p, i, 38) * 1e-4, i += 38;
    s->single_osc = (int)rtcm_getu(p, i, 1), i += 1;
    i += 1; /* reserved */
    s->arp_ecef_m[1] = (double)rtcm_gets(p, i, 38) * 1e-4, i += 38;
    s->quarter_cycle = (int)rtcm_getu(p, i, 2), i += 2;
    s->arp_ecef_m[2] = (double)rtcm_gets(p, i, 38) * 1e-4, i += 38;
    s->ant_height_m = type == 1006 ? (double)rtcm_getu(p, i, 16) * 1e-4 : 0.0;
    return BX_OK;
}

static int decode_1033(const uint8_t *p, int len, bx_rtcm3_antinfo_t *a)
{
    const int nbits = len * 8;
    int i = 24, n;
    memset(a, 0, sizeof *a);
    if (nbits < i + 8)
        return BX_ERR_FORMAT;
    n = (int)rtcm_getu(p, i, 8), i += 8;
    get_str(p, &i, n, a->antenna, sizeof a->antenna, nbits);
    if (nbits < i + 16)
        return BX_ERR_FORMAT;
    a->setup_id = (int)rtcm_getu(p, i, 8), i += 8;
    n = (int)rtcm_getu(p, i, 8), i += 8;
    get_str(p, &i, n, a->ant_serial, sizeof a->ant_serial, nbits);
    if (nbits < i + 8)
        return BX_ERR_FORMAT;
    n = (int)rtcm_getu(p, i, 8), i += 8;
    get_str(p, &i, n, a->receiver, sizeof a->receiver, nbits);
    if (nbits < i + 8)
        return BX_ERR_FORMAT;
    n = (int)rtcm_getu(p, i, 8), i += 8;
    get_str(p, &i, n, a->firmware, sizeof a->firmware, nbits);
    if (nbits < i + 8)
        return BX_ERR_FORMAT;
    n = (int)rtcm_getu(p, i, 8), i += 8;
    get_str(p, &i, n, a->rcv_serial, sizeof a->rcv_serial, nbits);
    return i <= nbits ? BX_OK : BX_ERR_FORMAT;
}

int bx_rtcm3_dec_payload(bx_rtcm3_dec_t *d, const uint8_t *p, size_t len, bx_rtcm3_msg_t *msg)
{
    memset(msg, 0, sizeof *msg);
    msg->station_id = -1;
    msg->len = (int)len;
    drop_shown(d);
    if (len < 2) {
        msg->status = BX_ERR_FORMAT;
        d->st.bad++;
        msg->epoch_done = d->shown = d->qn > 0;
        return msg->status;
    }
    msg->type = (int)rtcm_getu(p, 0, 12);
    if (len >= 3)
        msg->station_id = (int)rtcm_getu(p, 12, 12);
    const int t = msg->type;
    int st = BX_ERR_UNSUPPORTED;
    if ((t >= 1074 && t <= 1077) || (t >= 1124 && t <= 1127)) {
        st = bx_rtcm3__decode_msm(p, (int)len, t, &msg->u.msm);
        if (st == BX_OK)
            add_msm(d, &msg->u.msm);
    } else if (t >= 1071 && t <= 1137 && t % 10 >= 1 && t % 10 <= 7 && len >= 7) {
        /* another system's MSM: not decoded, but its DF393 (same position in every MSM
         * header) ends the epoch when it is the last message */
        if (!rtcm_getu(p, 54, 1) && d->have_cur)
            finish_cur(d);
    } else if (t == 1005 || t == 1006) {
        st = decode_station(p, (int)len, t, &msg->u.sta);
    } else if (t == 1033) {
        st = decode_1033(p, (int)len, &msg->u.ant);
    } else if (t == 1042) {
        int week;
        st = bx_rtcm3__decode_1042(p, (int)len, &msg->u.bds, &week);
        msg->station_id = -1;
        if (st == BX_OK && d->approx_weak) {
            d->approx = bx_time_from_week_sow(week, 0.0);
            d->approx_weak = 0;
        }
    } else if (t == 1019) {
        int w;
        bx_time_to_gps_week_tow(bx_time_bdt_to_gpst(d->approx), &w);
        st = bx_rtcm3__decode_1019(p, (int)len, &msg->u.gps, w);
        msg->station_id = -1;
    }
    if (st == BX_ERR_UNSUPPORTED)
        d->st.unknown++;
    else if (st != BX_OK)
        d->st.bad++;
    msg->status = st;
    msg->epoch_done = d->shown = d->qn > 0;
    return st == BX_ERR_UNSUPPORTED ? BX_OK : st;
}

int bx_rtcm3_dec_input(bx_rtcm3_dec_t *d, const uint8_t *buf, size_t n, size_t *used, bx_rtcm3_msg_t *msg)
{
    size_t i = 0;
    while (i < n) {
        const uint8_t c = buf[i++];
        d->st.bytes++;
        if (d->nbuf == 0) {
            if (c != PREAMBLE) {
                d->st.skipped_bytes++;
                continue;
            }
            d->buf[d->nbuf++] = c;
            continue;
        }
        d->buf[d->nbuf++] = c;
        if (d->nbuf == 3) {
            /* 6 reserved bits must be 0 (§4.2): else this 0xD3 was data */
            if (d->buf[1] & 0xFC) {
                d->st.skipped_bytes += 3;
                d->nbuf = 0;
                /* rescan the bytes after the false preamble (those of this call) */
                size_t back = i < 2 ? i : 2;
                i -= back;
                d->st.bytes -= back;
                continue;
            }
            d->need = (((size_t)d->buf[1] & 3) << 8 | d->buf[2]) + 6;
        }
        if (d->nbuf >= 3 && d->nbuf == d->need) {
            const size_t len = d->need - 6;
            const uint32_t crc = bx_crc24q_bytes(d->buf, len + 3);
            const uint32_t rx = (uint32_t)d->buf[len + 3] << 16 | (uint32_t)d->buf[len + 4] << 8 | d->buf[len + 5];
            d->nbuf = 0;
            if (crc != rx) {
                d->st.crc_errors++;
                /* resynchronise on the byte after this preamble */
                size_t back = d->need - 1;
                if (back > i)
                    back = i;
                i -= back;
                d->st.bytes -= back;
                continue;
            }
            d->st.frames++;
            bx_rtcm3_dec_payload(d, d->buf + 3, len, msg);
            *used = i;
            return 1;
        }
    }
    *used = i;
    return 0;
}
