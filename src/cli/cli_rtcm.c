/* bdsrx rtcm-decode: prints the messages of an RTCM 3 stream (file or stdin),
 * optionally their observation epochs as RINEX (BDS). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/ntrip.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "cli.h"
#include "cli_opt.h"

static void jnum(FILE *f, const char *k, double v, const char *fmt)
{
    fprintf(f, ",\"%s\":", k);
    if (isnan(v))
        fputs("null", f);
    else
        fprintf(f, fmt, v);
}

static void print_msg(FILE *f, const bx_rtcm3_msg_t *m, int json, int cells)
{
    const int t = m->type;
    const int msm = (t >= 1074 && t <= 1077) || (t >= 1124 && t <= 1127);
    if (json) {
        fprintf(f, "{\"type\":%d,\"len\":%d,\"station_id\":%d,\"status\":\"%s\"", t, m->len, m->station_id,
                m->status == BX_OK ? "ok" : bx_strerror(m->status));
        if (m->status == BX_OK && msm) {
            const bx_rtcm3_msm_t *s = &m->u.msm;
            fprintf(f, ",\"sys\":\"%c\",\"msm\":%d,\"tow_ms\":%u,\"sync\":%d,\"clk_steer\":%d,\"sats\":[", s->sys,
                    s->msm, s->tow_ms, s->sync, s->clk_steer);
            for (int i = 0; i < s->nsat; i++)
                fprintf(f, "%s\"%c%02d\"", i ? "," : "", s->sys, s->prn[i]);
            fprintf(f, "],\"signals\":[");
            for (int i = 0; i < s->nsig; i++) {
                const char *r = bx_rtcm3_sig_rinex(s->sys, s->sig_id[i]);
                fprintf(f, "%s\"%s\"", i ? "," : "", r ? r : "?");
            }
            fprintf(f, "]");
            if (cells) {
                fprintf(f, ",\"cells\":[");
                for (int c = 0; c < s->ncell; c++) {
                    const bx_rtcm3_cell_t *cl = &s->cell[c];
                    fprintf(f, "%s{\"sat\":\"%c%02d\",\"sig\":\"%s\"", c ? "," : "", s->sys, cl->prn,
                            cl->rnx[0] ? cl->rnx : "?");
                    jnum(f, "pseudorange_m", cl->pseudorange_m, "%.4f");
                    jnum(f, "phaserange_m", cl->phaserange_m, "%.4f");
                    jnum(f, "phaserate_mps", cl->phaserate_mps, "%.4f");
                    jnum(f, "lock_s", cl->lock_ms * 1e-3, "%.3f");
                    fprintf(f, ",\"half_cycle\":%d", cl->half_cycle);
                    jnum(f, "cnr_dbhz", cl->cnr_dbhz, "%.4f");
                    fputc('}', f);
                }
                fputc(']', f);
            }
        } else if (m->status == BX_OK && (t == 1005 || t == 1006)) {
            const bx_rtcm3_station_t *s = &m->u.sta;
            fprintf(f, ",\"arp_ecef_m\":[%.4f,%.4f,%.4f],\"ant_height_m\":%.4f,\"itrf_year\":%d", s->arp_ecef_m[0],
                    s->arp_ecef_m[1], s->arp_ecef_m[2], s->ant_height_m, s->itrf_year);
        } else if (m->status == BX_OK && t == 1033) {
            const bx_rtcm3_antinfo_t *a = &m->u.ant;
            fprintf(f, ",\"antenna\":\"%s\",\"setup_id\":%d,\"ant_serial\":\"%s\",\"receiver\":\"%s\","
                       "\"firmware\":\"%s\",\"rcv_serial\":\"%s\"",
                    a->antenna, a->setup_id, a->ant_serial, a->receiver, a->firmware, a->rcv_serial);
        } else if (m->status == BX_OK && t == 1042) {
            const bx_eph_t *e = &m->u.bds;
            fprintf(f, ",\"sat\":\"C%02d\",\"week\":%d,\"aode\":%d,\"aodc\":%d,\"toe_sow\":%.0f,\"health\":%d", e->prn,
                    e->week, e->iode, e->iodc, bx_time_to_week_sow(e->toe, &(int){0}), e->health);
        } else if (m->status == BX_OK && t == 1019) {
            const bx_gps_eph_t *e = &m->u.gps;
            fprintf(f, ",\"sat\":\"G%02d\",\"week\":%d,\"iode\":%d,\"iodc\":%d,\"toe_tow\":%.0f,\"health\":%d",
                    e->prn, e->week, e->iode, e->iodc, bx_time_to_gps_week_tow(e->toe, &(int){0}), e->health);
        }
        fputs("}\n", f);
        return;
    }
    fprintf(f, "%4d len %4d", t, m->len);
    if (m->status != BX_OK && m->status != BX_ERR_UNSUPPORTED) {
        fprintf(f, " %s\n", bx_strerror(m->status));
        return;
    }
    if (msm) {
        const bx_rtcm3_msm_t *s = &m->u.msm;
        fprintf(f, " %c MSM%d station %d tow %.3f s sync %d sats", s->sys, s->msm, m->station_id, s->tow_ms * 1e-3,
                s->sync);
        for (int i = 0; i < s->nsat; i++)
            fprintf(f, " %c%02d", s->sys, s->prn[i]);
        fprintf(f, " signals");
        for (int i = 0; i < s->nsig; i++) {
            const char *r = bx_rtcm3_sig_rinex(s->sys, s->sig_id[i]);
            fprintf(f, " %s", r ? r : "?");
        }
        fputc('\n', f);
        if (cells)
            for (int c = 0; c < s->ncell; c++) {
                const bx_rtcm3_cell_t *cl = &s->cell[c];
                fprintf(f, "  %c%02d %-2s P %15.4f m  L %15.4f m  rate %11.4f m/s  lock %10.3f s%s  C/N0 %7.4f\n",
                        s->sys, cl->prn, cl->rnx[0] ? cl->rnx : "?", cl->pseudorange_m, cl->phaserange_m,
                        cl->phaserate_mps, cl->lock_ms * 1e-3, cl->half_cycle ? " half" : "", cl->cnr_dbhz);
            }
    } else if (t == 1005 || t == 1006) {
        const bx_rtcm3_station_t *s = &m->u.sta;
        fprintf(f, " station %d ARP %.4f %.4f %.4f m height %.4f m\n", m->station_id, s->arp_ecef_m[0],
                s->arp_ecef_m[1], s->arp_ecef_m[2], s->ant_height_m);
    } else if (t == 1033) {
        const bx_rtcm3_antinfo_t *a = &m->u.ant;
        fprintf(f, " antenna \"%s\" serial \"%s\" receiver \"%s\" firmware \"%s\" serial \"%s\"\n", a->antenna,
                a->ant_serial, a->receiver, a->firmware, a->rcv_serial);
    } else if (t == 1042) {
        const bx_eph_t *e = &m->u.bds;
        fprintf(f, " BDS ephemeris C%02d week %d AODE %d AODC %d toe %.0f health %d\n", e->prn, e->week, e->iode,
                e->iodc, bx_time_to_week_sow(e->toe, &(int){0}), e->health);
    } else if (t == 1019) {
        const bx_gps_eph_t *e = &m->u.gps;
        fprintf(f, " GPS ephemeris G%02d week %d IODE %d IODC %d toe %.0f health %d\n", e->prn, e->week, e->iode,
                e->iodc, bx_time_to_gps_week_tow(e->toe, &(int){0}), e->health);
    } else {
        fprintf(f, " (not decoded)\n");
    }
}

typedef struct {
    FILE *f;
    int started, nepoch;
    bx_rinex_obs_header_t hdr;
} rnx_out_t;

/* BDS observations of an epoch to RINEX; the header takes the signals (and
 * the legacy signals' attributes) of the first epoch */
static void write_epoch(rnx_out_t *r, const bx_obs_t *o)
{
    if (!r->f)
        return;
    int sigs[BX_SIG_COUNT], ns = 0, seen[BX_SIG_COUNT] = {0};
    for (int i = 0; i < o->n; i++)
        if (bx_signal_sys(o->d[i].sig) == 'C' && !seen[o->d[i].sig]) {
            seen[o->d[i].sig] = 1;
            sigs[ns++] = o->d[i].sig;
        }
    if (ns == 0)
        return;
    if (!r->started) {
        bx_rinex_obs_header_default(&r->hdr);
        bx_rinex_obs_header_for_signals(&r->hdr, sigs, ns);
        for (int k = 0; k < r->hdr.n_types; k++)
            for (int i = 0; i < o->n; i++) {
                const bx_obsd_t *d = &o->d[i];
                if (bx_signal_sys(d->sig) == 'C' && d->code && bx_signal_band(d->sig) == r->hdr.types[k][1] &&
                    (d->sig == BX_SIG_B1I || d->sig == BX_SIG_B2I || d->sig == BX_SIG_B3I))
                    r->hdr.types[k][2] = d->code;
            }
        snprintf(r->hdr.receiver, sizeof r->hdr.receiver, "bdsrx rtcm-decode");
        r->hdr.pilot_aligned = 0; /* another receiver's pilot phases: alignment not known */
        bx_rinex_obs_write_header(r->f, &r->hdr, o->time);
        r->started = 1;
    }
    bx_rinex_obs_write_epoch(r->f, &r->hdr, o);
    r->nepoch++;
}

/* NMEA GGA of a fixed position at the host clock's UTC (NMEA 0183 v4.11 GGA fields; network-RTK
 * casters use it to choose or compute the base) */
static void make_gga(const double llh_deg[3], char *out, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    const double lat = fabs(llh_deg[0]), lon = fabs(llh_deg[1]);
    char body[160];
    snprintf(body, sizeof body, "GPGGA,%02d%02d%02d.00,%02d%07.4f,%c,%03d%07.4f,%c,1,10,1.0,%.1f,M,0.0,M,,",
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)lat, (lat - (int)lat) * 60.0, llh_deg[0] < 0 ? 'S' : 'N', (int)lon,
             (lon - (int)lon) * 60.0, llh_deg[1] < 0 ? 'W' : 'E', llh_deg[2]);
    unsigned cs = 0;
    for (const char *p = body; *p; p++)
        cs ^= (unsigned char)*p;
    snprintf(out, n, "$%s*%02X\r\n", body, cs);
}

int cli_rtcm_decode(int argc, char **argv)
{
    char err0[400];
    const char *path = NULL, *rnx_path = NULL, *time_s = NULL, *gga_s = NULL;
    double reconnect_s = 0;
    int json = 0, cells = 0, np;
    const cli_opt_t opts[] = {
        {"json", 0, CLI_FLAG, &json, 0, 0, NULL, "one JSON object per message (default: one text line each)", NULL, 0,
         0},
        {"cells", 0, CLI_FLAG, &cells, 0, 0, NULL,
         "also every MSM cell: pseudorange, phase range, rate, lock time, half cycle, C/N0", NULL, 0, 0},
        {"time", 0, CLI_STRING, &time_s, 0, 0, "YYYY-MM-DD[THH:MM:SS]",
         "approximate time of the data, for the week of MSM epochs\n(default: the first ephemeris, else the host "
         "clock)",
         NULL, 0, 0},
        {"gga", 0, CLI_STRING, &gga_s, 0, 0, "LAT,LON,H",
         "NTRIP: send a GGA sentence of this position (deg, deg, m) at connection and every 10 s\n(network RTK "
         "casters)",
         NULL, 0, 0},
        {"reconnect", 0, CLI_DOUBLE, &reconnect_s, 0, 1e9, "S",
         "NTRIP: after a lost connection keep reconnecting (back-off up to 30 s) for at most S s\n(default 0: "
         "stop)",
         NULL, 0, 0},
        {"rinex-obs", 0, CLI_STRING, &rnx_path, 0, 0, "FILE",
         "the BDS observations of the MSM epochs as RINEX 3.05 (signals of the first epoch)", NULL, 0, 0},
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx rtcm-decode", "FILE|-|ntrip://[user[:pw]@]host[:port]/MOUNT [options]",
        "Decodes an RTCM 3.3 stream: frames checked with CRC-24Q; MSM4-7 GPS/BDS (1074-1077,\n"
        "1124-1127), 1005/1006, 1033, 1042 (BDS ephemeris), 1019 (GPS ephemeris); other messages by\n"
        "number.  A summary (frames, CRC errors, bytes outside frames) goes to stderr.\n"
        "An ntrip:// (ntrip1:// for NTRIP 1) URL reads the stream of a caster's mountpoint.",
        opts, "Example: bdsrx rtcm-decode base.rtcm3 --time 2022-12-13 --rinex-obs base.obs", 1, 1};
    int pr = cli_opt_parse(&cmd, argc, argv, &path, &np);
    if (pr)
        return pr == 1 ? 0 : 2;
    bx_rtcm3_dec_config_t cfg = {{0, 0.0}};
    if (time_s) {
        int y, mo, d, h = 0, mi = 0;
        double s = 0;
        if (sscanf(time_s, "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &s) < 3) {
            return cli_opt_usage_error(&cmd, "--time %s: YYYY-MM-DD[THH:MM:SS] expected", time_s);
        }
        cfg.approx_bdt = bx_time_from_civil(y, mo, d, h, mi, s);
    }
    bx_ntrip_t *nt = NULL;
    FILE *in = NULL;
    char gga[200] = "";
    double gga_llh[3];
    if (gga_s) {
        if (sscanf(gga_s, "%lf,%lf,%lf", &gga_llh[0], &gga_llh[1], &gga_llh[2]) != 3 || fabs(gga_llh[0]) > 90 ||
            fabs(gga_llh[1]) > 180)
            return cli_opt_usage_error(&cmd, "--gga %s: LAT,LON,H in degrees and metres expected", gga_s);
        make_gga(gga_llh, gga, sizeof gga);
    }
    if (!strncmp(path, "ntrip", 5) && strstr(path, "://")) {
        bx_ntrip_config_t nc;
        static char store[1024];
        bx_ntrip_config_default(&nc);
        nc.gga = gga[0] ? gga : NULL;
        if (bx_ntrip_parse_url(path, &nc, store, sizeof store, err0, sizeof err0) != BX_OK ||
            bx_ntrip_create(&nc, &nt, err0, sizeof err0) != BX_OK) {
            fprintf(stderr, "bdsrx rtcm-decode: %s\n", err0);
            return 1;
        }
    } else if (!(in = strcmp(path, "-") ? fopen(path, "rb") : stdin)) {
        fprintf(stderr, "bdsrx rtcm-decode: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    FILE *rnx = NULL;
    if (rnx_path && !(rnx = fopen(rnx_path, "w"))) {
        fprintf(stderr, "bdsrx rtcm-decode: cannot write %s: %s\n", rnx_path, strerror(errno));
        if (in && in != stdin)
            fclose(in);
        bx_ntrip_destroy(nt);
        return 1;
    }
    char err[200];
    bx_rtcm3_dec_t *dec;
    if (bx_rtcm3_dec_create(&cfg, &dec, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx rtcm-decode: %s\n", err);
        return 1;
    }
    rnx_out_t ro;
    memset(&ro, 0, sizeof ro);
    ro.f = rnx;
    uint8_t buf[4096];
    size_t n;
    bx_rtcm3_msg_t *msg = malloc(sizeof *msg);
    if (!msg)
        return 1;
    time_t last_gga = time(NULL);
    for (;;) {
        if (nt) {
            int rs = bx_ntrip_read(nt, buf, sizeof buf, &n);
            if (rs != BX_OK) {
                fprintf(stderr, "bdsrx rtcm-decode: %s\n", bx_ntrip_error(nt));
                if (reconnect_s <= 0)
                    break;
                fprintf(stderr, "bdsrx rtcm-decode: reconnecting (at most %.0f s)\n", reconnect_s);
                if (bx_ntrip_reconnect(nt, reconnect_s, NULL) != BX_OK) {
                    fprintf(stderr, "bdsrx rtcm-decode: %s\n", bx_ntrip_error(nt));
                    break;
                }
                continue;
            }
            if (gga[0] && time(NULL) - last_gga >= 10) {
                make_gga(gga_llh, gga, sizeof gga);
                bx_ntrip_send(nt, gga, strlen(gga));
                last_gga = time(NULL);
            }
        } else if ((n = fread(buf, 1, sizeof buf, in)) == 0) {
            break;
        }
        size_t off = 0, used;
        while (off < n) {
            if (bx_rtcm3_dec_input(dec, buf + off, n - off, &used, msg) != 1)
                break;
            off += used;
            print_msg(stdout, msg, json, cells);
            if (msg->epoch_done)
                write_epoch(&ro, bx_rtcm3_dec_obs(dec));
        }
    }
    while (bx_rtcm3_dec_flush(dec))
        write_epoch(&ro, bx_rtcm3_dec_obs(dec));
    const int nepoch = ro.nepoch;
    bx_rtcm3_stats_t st;
    bx_rtcm3_dec_stats(dec, &st);
    fprintf(stderr,
            "bdsrx rtcm-decode: %llu bytes, %llu frames, %llu CRC errors, %llu bytes outside frames, %llu not "
            "decoded, %llu malformed%s",
            (unsigned long long)st.bytes, (unsigned long long)st.frames, (unsigned long long)st.crc_errors,
            (unsigned long long)st.skipped_bytes, (unsigned long long)st.unknown, (unsigned long long)st.bad,
            rnx ? "" : "\n");
    if (rnx)
        fprintf(stderr, "; %d epochs to %s\n", nepoch, rnx_path);
    free(msg);
    bx_rtcm3_dec_destroy(dec);
    if (in && in != stdin)
        fclose(in);
    bx_ntrip_destroy(nt);
    if (rnx && fclose(rnx) != 0) {
        fprintf(stderr, "bdsrx rtcm-decode: write error on %s\n", rnx_path);
        return 1;
    }
    return 0;
}
