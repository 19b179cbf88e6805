/* Per-epoch output of the receiver commands (src/rx/solout.h). */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/output.h"
#include "bdsrx/nmea_tcp.h"
#include "bdsrx/ntrip.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/serial.h"
#include "recio.h"
#include "solout.h"
#include "bdsrx/rtk.h"
#include "bdsrx/time.h"

void solout_init(solout_t *o) { memset(o, 0, sizeof *o); }

static int caster_connect(solout_t *o, char *err, size_t errlen)
{
    bx_ntrip_config_t c;
    char store[600];
    bx_ntrip_config_default(&c);
    c.timeout_s = 2.0; /* the receiver waits at most this long for a stalled caster */
    if (bx_ntrip_parse_url(o->rtcm_url, &c, store, sizeof store, err, errlen) != BX_OK)
        return -1;
    return bx_ntrip_server_create(&c, &o->rtcm_caster, err, errlen) == BX_OK ? 0 : -1;
}

int solout_open_rtcm(solout_t *o, const char *spec, char *err, size_t errlen)
{
    if (!strncmp(spec, "ntrips://", 9) || !strncmp(spec, "ntrips2://", 10)) {
        snprintf(o->rtcm_url, sizeof o->rtcm_url, "%s", spec);
        return caster_connect(o, err, errlen);
    }
    if (!strncmp(spec, "tcp://", 6)) {
        char addr[128] = "127.0.0.1";
        const char *hp = spec + 6, *c = strrchr(hp, ':');
        if (c)
            snprintf(addr, sizeof addr, "%.*s", (int)(c - hp), hp);
        char *end;
        long port = strtol(c ? c + 1 : hp, &end, 10);
        if (end == (c ? c + 1 : hp) || *end || port < 0 || port > 65535) {
            snprintf(err, errlen, "%s: tcp://[ADDR:]PORT expected", spec);
            return -1;
        }
        return bx_nmea_tcp_create(addr, (int)port, &o->rtcm_tcp, err, errlen) == BX_OK ? 0 : -1;
    }
    if (!(o->rtcm = fopen(spec, "wb"))) {
        snprintf(err, errlen, "cannot write %s: %s", spec, strerror(errno));
        return -1;
    }
    return 0;
}

int solout_open_rtcm_serial(solout_t *o, const char *spec, char *err, size_t errlen)
{
    return bx_serial_open(spec, &o->rtcm_ser, err, errlen) == BX_OK ? 0 : -1;
}

unsigned long long solout_rtcm_serial_dropped(const solout_t *o)
{
    return o->rtcm_ser ? (unsigned long long)bx_serial_dropped(o->rtcm_ser) : 0ull;
}

/* one epoch's frames to the serial port; a port lost / found again is said once each time */
static void rtcm_serial_write(solout_t *o, const uint8_t *buf, size_t n)
{
    bx_serial_write(o->rtcm_ser, (const char *)buf, n);
    if (bx_serial_losses(o->rtcm_ser) != o->rtcm_ser_losses) {
        o->rtcm_ser_losses = bx_serial_losses(o->rtcm_ser);
        fprintf(stderr, "rtcm-serial: %s lost (%s); reopening with back-off\n", bx_serial_device(o->rtcm_ser),
                strerror(bx_serial_last_errno(o->rtcm_ser)));
    }
    if (bx_serial_reopens(o->rtcm_ser) != o->rtcm_ser_reopens) {
        o->rtcm_ser_reopens = bx_serial_reopens(o->rtcm_ser);
        fprintf(stderr, "rtcm-serial: %s reopened\n", bx_serial_device(o->rtcm_ser));
    }
}

void solout_close_rtcm(solout_t *o)
{
    bx_serial_destroy(o->rtcm_ser);
    o->rtcm_ser = NULL;
    if (o->rtcm)
        fclose(o->rtcm);
    o->rtcm = NULL;
    bx_nmea_tcp_destroy(o->rtcm_tcp);
    o->rtcm_tcp = NULL;
    bx_ntrip_server_destroy(o->rtcm_caster);
    o->rtcm_caster = NULL;
    o->rtcm_url[0] = '\0';
}

/* the first failure of an output is kept; the caller reports it and stops */
static void fail(solout_t *o, const char *what, int e)
{
    if (!e || o->werr)
        return;
    o->werr = e;
    snprintf(o->werr_msg, sizeof o->werr_msg, "%s: write failed: %s", what, strerror(e));
}

const char *solout_error(const solout_t *o) { return o->werr ? o->werr_msg : NULL; }

/* One record built in memory by `emit`, then written whole (recio.h). */
static void put_record(solout_t *o, FILE *f, const char *what, int (*emit)(FILE *, const void *, const void *),
                       const void *a, const void *b)
{
    if (o->werr)
        return; /* an output already failed: nothing more is written */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fail(o, what, errno ? errno : ENOMEM);
        return;
    }
    const int st = emit(m, a, b);
    if (fclose(m) != 0 || st != BX_OK)
        fail(o, what, ENOMEM);
    else
        fail(o, what, bx_rec_write(f, buf, len));
    free(buf);
}

static int emit_json(FILE *m, const void *sol, const void *unused) { return bx_sol_json_write(m, sol); }
static int emit_rtk_json(FILE *m, const void *rtk, const void *unused) { return bx_rtk_json_write(m, rtk); }
static int emit_rnx_epoch(FILE *m, const void *hdr, const void *obs) { return bx_rinex_obs_write_epoch(m, hdr, obs); }

/* PPP JSON line: the bx_sol_json_write object (fix "ppp", or "spp" for the broadcast fallback)
 * extended by "ppp_status", "geo", "n_corr", "n_ppp_obs", "sigma_enu_m", "zwd_m",
 * "ppp_age_s", "ppp_resets", "ppp_msg". */
static int emit_ppp_json(FILE *f, const void *sol_, const void *info_)
{
    const bx_sol_t *sol = sol_;
    const bx_rx_ppp_info_t *in = info_;
    static const char *const stname[] = {"ppp", "no_time", "no_corrections", "few_corrected", "filter"};
    char *mem = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&mem, &len);
    if (!m)
        return BX_ERR_NOMEM;
    bx_sol_json_write(m, sol);
    fclose(m);
    while (len > 0 && (mem[len - 1] == '\n' || mem[len - 1] == '}')) /* strip the closing "}\n" */
        len--;
    int st = fwrite(mem, 1, len, f) != len;
    free(mem);
    st |= fprintf(f, ",\"ppp_status\":\"%s\",\"geo\":%d,\"n_corr\":%d,\"n_ppp_obs\":%d,",
                  in->status >= 0 && in->status <= 4 ? stname[in->status] : "?", in->geo_prn, in->n_corr,
                  in->n_obs) < 0;
    if (in->status == BX_RX_PPP_OK)
        st |= fprintf(f, "\"sigma_enu_m\":[%.4f,%.4f,%.4f],\"zwd_m\":%.4f,\"ppp_age_s\":%.1f,", in->sigma_enu_m[0],
                      in->sigma_enu_m[1], in->sigma_enu_m[2], in->ppp.zwd_m, in->age_s) < 0;
    else
        st |= fputs("\"sigma_enu_m\":null,\"zwd_m\":null,\"ppp_age_s\":null,", f) < 0;
    st |= fprintf(f, "\"n_screened\":%d,\"ppp_resets\":%d,\"ppp_msg\":\"", in->n_screened, in->resets) < 0;
    for (const char *p = in->msg; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if ((unsigned char)*p >= 0x20)
            fputc(*p, f);
    st |= fputs("\"}\n", f) < 0;
    return st ? BX_ERR_IO : BX_OK;
}

/* RTKLIB .pos line of a PPP epoch (Q 6 ppp, 5 single: the broadcast fallback), GPST; sdne.. 0
 * (the filter's x/y/z variances only) */
static int emit_ppp_pos(FILE *f, const void *sol_, const void *info_)
{
    const bx_sol_t *p = sol_;
    const bx_rx_ppp_info_t *in = info_;
    bx_time_t t = bx_time_bdt_to_gpst(p->rx_time);
    const double fr = t.frac_s;
    t.frac_s = 0.0;
    t = bx_time_add(t, floor(fr * 1000.0 + 0.5) / 1000.0);
    int y, mo, d, h, mi;
    double sec;
    bx_time_to_civil(t, &y, &mo, &d, &h, &mi, &sec);
    const int ok = in->status == BX_RX_PPP_OK;
    const int r = fprintf(f,
                          "%04d/%02d/%02d %02d:%02d:%06.3f %14.9f %14.9f %10.4f %3d %3d %8.4f %8.4f %8.4f %8.4f %8.4f "
                          "%8.4f %6.2f %6.1f\n",
                          y, mo, d, h, mi, floor(sec * 1000.0 + 0.5) / 1000.0, p->llh[0] * 180 / M_PI,
                          p->llh[1] * 180 / M_PI, p->llh[2], ok ? 6 : 5, p->n_used, ok ? in->sigma_enu_m[1] : 0.0,
                          ok ? in->sigma_enu_m[0] : 0.0, ok ? in->sigma_enu_m[2] : 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    return r < 0 ? BX_ERR_IO : BX_OK;
}

static int emit_pos_header(FILE *f, const void *what, const void *unused)
{
    int st = fprintf(f, "%% program   : bdsrx\n%% pos mode  : %s, BeiDou B1C/B2a ionosphere-free\n", (const char *)what) < 0;
    st |= fprintf(f, "%%\n%% (lat/lon/height=CGCS2000/ellipsoidal,Q=1:fix,2:float,3:sbas,4:dgps,5:single,6:ppp,"
                     "ns=# of satellites)\n") < 0;
    st |= fprintf(f, "%%  GPST                  latitude(deg) longitude(deg)  height(m)   Q  ns   sdn(m)   sde(m)   "
                     "sdu(m)  sdne(m)  sdeu(m)  sdun(m) age(s)  ratio\n") < 0;
    return st ? BX_ERR_IO : BX_OK;
}

static int emit_rtk_pos(FILE *f, const void *rtk, const void *unused) { return bx_rtk_pos_write(f, rtk); }

/* The RINEX header as one record; rnx_pos_at = where APPROX POSITION XYZ
 * lands in the file (-1 on a pipe), for bx_rinex_obs_set_position. */
static void put_header(solout_t *o, const bx_obs_t *obs)
{
    o->rnx_pos_at = -1;
    if (o->werr)
        return;
    char *buf = NULL;
    size_t len = 0;
    long rel = -1;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fail(o, "RINEX observation output", ENOMEM);
        return;
    }
    const int st = bx_rinex_obs_write_header_pos(m, &o->rnx_hdr, obs->time, &rel);
    if (fclose(m) != 0 || st != BX_OK) {
        fail(o, "RINEX observation output", ENOMEM);
    } else {
        const off_t at = fflush(o->rnx) == 0 ? lseek(fileno(o->rnx), 0, SEEK_CUR) : -1;
        const int e = bx_rec_write(o->rnx, buf, len);
        fail(o, "RINEX observation output", e);
        if (!e && at >= 0 && rel >= 0)
            o->rnx_pos_at = (long)at + rel;
    }
    free(buf);
}

static void send_nmea(solout_t *o, const bx_sol_t *sol)
{
    char buf[100 * (BX_SOL_MAXSAT / 4 + 8)];
    size_t len = 0;
    int k;
    if ((k = bx_nmea_gga(sol, "GB", buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if ((k = bx_nmea_rmc(sol, "GB", buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if ((k = bx_nmea_gsa(sol, "GB", buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if ((k = bx_nmea_gsv(sol, buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if (!o->werr)
        fail(o, "NMEA output", o->nmea(o->nmea_user, buf, len));
}

int solout_epoch(solout_t *o, const bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    const bx_obs_t *obs = ep->obs;
    o->nepoch++;
    /* until a decoded time of week sets the time scale, epoch times only count
     * seconds of samples: nothing time-tagged is written from them */
    if (!ep->have_time)
        return 0;
    if (o->rnx && obs->n > 0) {
        if (!o->rnx_started) {
            if (o->rnx_hdr.n_types == 0) {
                int sigs[BX_RX_MAX_STREAMS];
                int ns = bx_rx_signals(rx, sigs, BX_RX_MAX_STREAMS);
                bx_rinex_obs_header_for_signals(&o->rnx_hdr, sigs, ns);
            }
            put_header(o, obs);
            o->rnx_started = 1;
            /* a file started after the first fix (bdsrx live reopens it on SIGHUP) */
            if (o->nfix > 0 && o->rnx_pos_at >= 0 && !o->werr)
                bx_rinex_obs_set_position(o->rnx, o->rnx_pos_at, o->first_pos);
        }
        put_record(o, o->rnx, "RINEX observation output", emit_rnx_epoch, &o->rnx_hdr, obs);
    }
    o->resyncs = bx_rx_resyncs(rx); /* the receiver re-synchronised its time scale (and reset the solver) */
    if (o->rtcm_tcp)
        bx_nmea_tcp_poll(o->rtcm_tcp); /* accept clients before the first epoch with data */
    /* MSM epoch times are whole milliseconds (DF427): epochs off that grid (before the first
     * clock step puts the receiver time on BDT) are not sent */
    const double ms_frac = obs->time.frac_s * 1e3 - floor(obs->time.frac_s * 1e3 + 0.5);
    if ((o->rtcm || o->rtcm_tcp || o->rtcm_url[0] || o->rtcm_ser) && obs->n > 0 && fabs(ms_frac) < 1e-6) {
        uint8_t buf[8192];
        int n = 0;
        if (o->nfix > 0) { /* 1005: the mean of the fixes so far (a base is static) */
            uint8_t pl[32];
            double mean[3];
            for (int i = 0; i < 3; i++)
                mean[i] = o->sum_pos[i] / o->nfix;
            int len = bx_rtcm3_encode_station(o->rtcm_station, mean, -1.0, pl, sizeof pl);
            if (len > 0)
                n = bx_rtcm3_frame(pl, (size_t)len, buf, sizeof buf);
        }
        if (n < 0)
            n = 0;
        int m = bx_rtcm3_encode_epoch_bds(obs, o->rtcm_station, buf + n, sizeof buf - (size_t)n);
        if (m > 0)
            n += m;
        if (n > 0 && o->rtcm && !o->werr) /* the epoch's frames written whole, a failure reported */
            fail(o, "RTCM output", bx_rec_write(o->rtcm, buf, (size_t)n));
        if (n > 0 && o->rtcm_tcp)
            bx_nmea_tcp_send(o->rtcm_tcp, (const char *)buf, (size_t)n);
        if (n > 0 && o->rtcm_ser)
            rtcm_serial_write(o, buf, (size_t)n);
        if (n > 0 && !o->rtcm_caster && o->rtcm_url[0] && --o->rtcm_retry <= 0) {
            char e[300];
            if (caster_connect(o, e, sizeof e))
                o->rtcm_retry = 10;
            else
                fprintf(stderr, "rtcm-out: connected to the caster again\n");
        }
        if (n > 0 && o->rtcm_caster && bx_ntrip_server_send(o->rtcm_caster, buf, (size_t)n) != BX_OK) {
            fprintf(stderr, "rtcm-out: %s; retrying every 10 epochs\n", bx_ntrip_server_error(o->rtcm_caster));
            bx_ntrip_server_destroy(o->rtcm_caster);
            o->rtcm_caster = NULL;
            o->rtcm_retry = 10;
        }
    }
    if (!ep->sol) /* observations only (no solver) */
        return 0;
    const bx_sol_t *sol = ep->sol;
    o->last = *sol;
    o->have_last = 1;
    if (ep->rtk) {
        const bx_rtk_sol_t *rs = ep->rtk;
        o->n_rtk++;
        if (sol->fix == BX_FIX_FIXED && o->n_rtk_fixed++ == 0)
            o->ttfix_s = bx_rx_elapsed_s(rx);
        o->n_rtk_float += sol->fix == BX_FIX_FLOAT;
        o->last_ratio = rs->ratio;
        o->last_age_s = rs->age_s;
        o->last_baseline_m = sol->fix >= BX_FIX_FLOAT ? sqrt(rs->baseline_enu_m[0] * rs->baseline_enu_m[0] +
                                                             rs->baseline_enu_m[1] * rs->baseline_enu_m[1] +
                                                             rs->baseline_enu_m[2] * rs->baseline_enu_m[2])
                                                      : NAN;
        snprintf(o->last_rtk_msg, sizeof o->last_rtk_msg, "%s", rs->msg);
    }
    if (ep->ppp) {
        o->n_ppp_epochs++;
        o->last_ppp = *ep->ppp;
        if (ep->status == BX_OK && ep->ppp->status == BX_RX_PPP_OK) {
            if (o->n_ppp++ == 0)
                o->ttppp_s = bx_rx_elapsed_s(rx);
            o->last_ppp_sol = *sol;
            o->last_ppp_ok = *ep->ppp;
        }
    }
    /* RTK: the bx_sol_json_write object + ratio, baseline, ... (the bdsrx rtk --json layout); PPP:
     * the object + the PPP members */
    if (o->json && ep->ppp)
        put_record(o, o->json, "JSON output", emit_ppp_json, sol, ep->ppp);
    else if (o->json)
        put_record(o, o->json, "JSON output", ep->rtk ? emit_rtk_json : emit_json, ep->rtk ? (const void *)ep->rtk : sol,
                   NULL);
    if (o->pos && (ep->rtk || ep->ppp) && ep->status == BX_OK) {
        if (!o->pos_started)
            put_record(o, o->pos, "position output", emit_pos_header,
                       ep->ppp ? "ppp (PPP-B2b corrections from the signal)" : "relative (RTK)", NULL);
        o->pos_started = 1;
        put_record(o, o->pos, "position output", ep->ppp ? emit_ppp_pos : emit_rtk_pos,
                   ep->ppp ? (const void *)sol : (const void *)ep->rtk, ep->ppp);
    }
    /* every epoch: a consumer sees a fix withheld or lost (GGA quality 0, RMC V) */
    if (o->nmea)
        send_nmea(o, sol);
    if (ep->status != BX_OK || !bx_sol_valid(sol)) {
        o->nrejected += ep->status == BX_OK;
        return 0;
    }
    if (o->nfix == 0) {
        o->ttff_s = bx_rx_elapsed_s(rx);
        memcpy(o->first_pos, sol->pos_m, sizeof o->first_pos);
        /* RINEX header: the approximate position of the first fix (best effort: a
         * pipe keeps the zeros) */
        if (o->rnx && o->rnx_started && o->rnx_pos_at >= 0)
            bx_rinex_obs_set_position(o->rnx, o->rnx_pos_at, sol->pos_m);
    }
    o->nfix++;
    double d[3], enu[3], llh0[3];
    bx_ecef_to_llh(o->first_pos, llh0);
    for (int i = 0; i < 3; i++) {
        o->sum_pos[i] += sol->pos_m[i];
        d[i] = sol->pos_m[i] - o->first_pos[i];
    }
    bx_ecef_to_enu(llh0, d, enu);
    for (int i = 0; i < 3; i++) {
        o->enu_sum[i] += enu[i];
        o->enu_sq[i] += enu[i] * enu[i];
    }
    if (o->have_ref) {
        double ref[3], e2 = 0;
        bx_llh_to_ecef(o->ref_llh, ref);
        for (int i = 0; i < 3; i++)
            e2 += (sol->pos_m[i] - ref[i]) * (sol->pos_m[i] - ref[i]);
        o->err3d_sq_sum += e2;
    }
    return 1;
}

void solout_summary(const solout_t *o, FILE *f)
{
    if (o->resyncs)
        fprintf(f, "time discontinuities in the samples: %u (receiver time re-synchronised)\n", o->resyncs);
    if (o->nrejected)
        fprintf(f, "fixes withheld by the integrity checks (RAIM failed or position jump): %d\n", o->nrejected);
    if (solout_rtcm_serial_dropped(o))
        fprintf(f, "RTCM serial: %llu bytes dropped (line too slow for the stream: raise the baud rate)\n",
                solout_rtcm_serial_dropped(o));
    if (o->nfix == 0)
        return;
    double mean[3], llh[3], sd[3];
    for (int i = 0; i < 3; i++) {
        mean[i] = o->sum_pos[i] / o->nfix;
        const double m = o->enu_sum[i] / o->nfix;
        sd[i] = sqrt(fmax(0.0, o->enu_sq[i] / o->nfix - m * m));
    }
    bx_ecef_to_llh(mean, llh);
    fprintf(f, "time to first fix: %.1f s; %d fixes in %d epochs\n", o->ttff_s, o->nfix, o->nepoch);
    fprintf(f, "mean position: lat %.7f lon %.7f h %.2f m (ECEF %.2f %.2f %.2f)\n", llh[0] * 180 / M_PI,
            llh[1] * 180 / M_PI, llh[2], mean[0], mean[1], mean[2]);
    fprintf(f, "spread (1 sigma): east %.2f north %.2f up %.2f m\n", sd[0], sd[1], sd[2]);
    if (o->n_rtk > 0) {
        fprintf(f, "RTK: %d fixed, %d float, %d single-point of %d epochs", o->n_rtk_fixed, o->n_rtk_float,
                o->nfix - o->n_rtk_fixed - o->n_rtk_float, o->n_rtk);
        if (o->n_rtk_fixed)
            fprintf(f, "; first fixed at %.1f s", o->ttfix_s);
        if (o->last_rtk_msg[0])
            fprintf(f, "; last: %s", o->last_rtk_msg);
        fputc('\n', f);
    }
    if (o->n_ppp_epochs > 0) {
        fprintf(f, "PPP: %d of %d epochs", o->n_ppp, o->n_ppp_epochs);
        if (o->n_ppp) {
            const bx_rx_ppp_info_t *in = &o->last_ppp_ok;
            fprintf(f, " (first at %.1f s), corrections of C%02d on %d satellites, sigma E %.3f N %.3f U %.3f m", o->ttppp_s,
                    in->geo_prn, in->n_corr, in->sigma_enu_m[0], in->sigma_enu_m[1], in->sigma_enu_m[2]);
            if (o->have_ref) {
                double ref[3], d[3], enu[3];
                bx_llh_to_ecef(o->ref_llh, ref);
                for (int i = 0; i < 3; i++)
                    d[i] = o->last_ppp_sol.pos_m[i] - ref[i];
                bx_ecef_to_enu(o->ref_llh, d, enu);
                fprintf(f, "; last PPP error E %+.3f N %+.3f U %+.3f m", enu[0], enu[1], enu[2]);
            }
        }
        if (o->last_ppp.msg[0])
            fprintf(f, "; last: %s", o->last_ppp.msg);
        fputc('\n', f);
    }
    if (o->have_ref) {
        double ref[3], d[3], enu[3];
        bx_llh_to_ecef(o->ref_llh, ref);
        for (int i = 0; i < 3; i++)
            d[i] = mean[i] - ref[i];
        bx_ecef_to_enu(o->ref_llh, d, enu);
        fprintf(f, "error of the mean vs reference: east %.2f north %.2f up %.2f m (3D %.2f m); "
                   "RMS 3D error per fix %.2f m\n",
                enu[0], enu[1], enu[2], sqrt(enu[0] * enu[0] + enu[1] * enu[1] + enu[2] * enu[2]),
                sqrt(o->err3d_sq_sum / o->nfix));
    }
}
