/*
 * bdsrx live: the receiver on a live front end (RTL-SDR, rtl_tcp, Pocket SDR,
 * or a capture replayed through the live path), with a status view, NMEA to a
 * file / TCP clients / a serial port, JSON and RINEX observations.  A thin main
 * over bdsrx/live.h (source -> receiver), src/cli/live_view.h, bdsrx/nmea_tcp.h,
 * bdsrx/serial.h and the PVT.
 *
 * Signals: SIGINT/SIGTERM/SIGHUP are blocked in every thread and taken by one
 * sigwait() thread.  SIGINT/SIGTERM ask the source to stop (bx_live_stop); the main
 * loop then drains the ring, closes the outputs and prints the summary.  A second
 * one exits at once.  SIGHUP (log rotation) is counted; the main loop then closes
 * every file output (NMEA, JSON, RINEX observations) and opens it again under its
 * name, appending (a file moved away by logrotate is finished whole and a new one
 * starts; a new RINEX file gets its header).  No global state.
 *
 * Faults: an rtl_tcp source reconnects by default (reconnect=60 tries, back-off 0.1 s
 * doubling to 5 s; ?reconnect=0 turns it off); a serial port that goes away is
 * opened again with back-off (bdsrx/serial.h).  Both are reported on stderr.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/live.h"
#include "live_view.h"
#include "bdsrx/geoid.h"
#include "bdsrx/http_status.h"
#include "bdsrx/nmea_tcp.h"
#include "live_json.h"
#include "bdsrx/orbit.h"
#include "bdsrx/output.h"
#include "bdsrx/pvt.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/serial.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"
#include "cli.h"
#include "cli_base.h"
#include "recio.h"
#include "cli_opt.h"
#include "cli_warm.h"
#include "solout.h"

#define VIEW_INTERVAL_S 1.0
#define LIVE_RECONNECT_TRIES 60 /* rtl_tcp: attempts after a lost connection (0.1 s doubling to 5 s: ~4.6 min) */
#define MAX_CH (BX_RX_MAX_STREAMS * BX_RX_MAX_CHANNELS)

/* ---- outputs ---------------------------------------------------------------------------- */

typedef struct {
    solout_t so;       /* PVT, JSON, RINEX, fix statistics */
    FILE *nmea;        /* NMEA sentences also go to ... */
    bx_nmea_tcp_t *tcp;
    bx_serial_t *ser;
    bx_http_status_t *http; /* --http: the web dashboard */
    double ttff_s;          /* receiver time of the first valid fix, -1 before */
    cli_base_t *base;       /* --base: RTK; read by its own thread */
    int ppp;                /* --ppp: PPP with the corrections of the B2b stream */
    char base_state[96];
} out_t;

static void on_base(void *user, bx_rx_t *rx, bx_time_t t)
{
    out_t *o = user;
    cli_base_pull(o->base, rx, t);
    cli_base_state(o->base, o->base_state, sizeof o->base_state);
}

static int send_nmea(void *user, const char *buf, size_t len)
{
    out_t *o = user;
    if (o->tcp)
        bx_nmea_tcp_send(o->tcp, buf, len);
    if (o->ser)
        bx_serial_write(o->ser, buf, len);
    /* whole epochs, flushed: readers tail the file */
    return o->nmea ? bx_rec_write(o->nmea, buf, len) : 0;
}

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    out_t *o = user;
    if (o->tcp)
        bx_nmea_tcp_poll(o->tcp); /* accept clients even before the first fix */
    solout_epoch(&o->so, rx, ep);
    cli_base_position(o->base, ep->sol);
}

/* ---- signals ---------------------------------------------------------------------------- */

typedef struct {
    sigset_t set;
    bx_live_t *live;
    atomic_int quit;     /* main is done: the thread returns */
    atomic_int signo;    /* the signal that stopped the run, 0 = none */
    atomic_int hup;      /* SIGHUPs received (the main loop reopens the outputs) */
} sigctx_t;

static void *sig_main(void *arg)
{
    sigctx_t *c = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&c->set, &sig) != 0 || atomic_load(&c->quit))
            return NULL;
        if (sig == SIGUSR1)
            continue;
        if (sig == SIGHUP) {
            atomic_fetch_add(&c->hup, 1);
            continue;
        }
        if (atomic_exchange(&c->signo, sig) != 0) {
            static const char msg[] = "\nbdsrx live: second signal, exiting at once\n";
            (void)!write(2, msg, sizeof msg - 1);
            _exit(130);
        }
        bx_live_stop(c->live);
    }
}

/* ---- flags ------------------------------------------------------------------------------ */

static int fn_gain(const char *arg, void *value, char *err, size_t errlen)
{
    double *g = value;
    if (!strcmp(arg, "auto")) {
        *g = NAN;
        return 0;
    }
    if (cli_parse_hz(arg, g) < 0 || *g < -100 || *g > 100) {
        snprintf(err, errlen, "'%s': give the gain in dB (-100 .. 100) or auto", arg);
        return -1;
    }
    return 0;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static FILE *open_out(const char *path, int *uses_stdout)
{
    if (!strcmp(path, "-")) {
        *uses_stdout = 1;
        return stdout;
    }
    return fopen(path, "w");
}

static void fill_view(bx_live_view_t *v, bx_rx_chan_status_t *ch, bx_live_t *lv, const out_t *o)
{
    memset(v, 0, sizeof *v);
    v->device = bx_source_info(bx_live_source(lv))->device;
    v->n_ch = bx_rx_channels(bx_live_rx(lv), ch, MAX_CH);
    v->ch = ch;
    v->sol = o->so.have_last ? &o->so.last : NULL;
    v->n_fix = o->so.nfix;
    bx_live_stats(lv, &v->stats);
    if (o->base) {
        v->rtk = 1;
        v->ratio = o->so.last_ratio;
        v->baseline_m = o->so.last_baseline_m;
        v->age_s = o->so.last_age_s;
        v->rtk_msg = o->so.last_rtk_msg;
        v->base = o->base_state;
    }
    if (o->ppp && o->so.n_ppp_epochs > 0)
        v->ppp = &o->so.last_ppp;
}

/* The dashboard's snapshot, once a second (and the time to first fix as it happens). */
static void publish(bx_live_t *lv, out_t *o)
{
    if (o->ttff_s < 0 && o->so.nfix > 0)
        o->ttff_s = bx_rx_elapsed_s(bx_live_rx(lv));
    if (!o->http)
        return;
    bx_rx_chan_status_t ch[MAX_CH];
    bx_live_view_t v;
    fill_view(&v, ch, lv, o);
    char *js = live_json_snapshot(&v, bx_rx_elapsed_s(bx_live_rx(lv)), o->ttff_s);
    if (js) {
        bx_http_status_publish(o->http, js, strlen(js));
        free(js);
    }
}

/* "PORT" or "ADDR:PORT" -> addr (unchanged when not given), port; 0 ok, -1 bad. */
static int host_port(const char *spec, char *addr, size_t n, int *port)
{
    const char *c = strrchr(spec, ':');
    if (c)
        snprintf(addr, n, "%.*s", (int)(c - spec), spec);
    char *end;
    long p = strtol(c ? c + 1 : spec, &end, 10);
    if (end == (c ? c + 1 : spec) || *end || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

static void show(FILE *f, int ansi, bx_live_t *lv, const out_t *o)
{
    bx_rx_chan_status_t ch[MAX_CH];
    bx_live_view_t v;
    fill_view(&v, ch, lv, o);
    if (ansi)
        bx_live_view_draw(f, &v);
    else
        bx_live_view_line(f, &v);
}

static void summary(FILE *f, bx_live_t *lv, const out_t *o)
{
    bx_live_stats_t s;
    bx_live_stats(lv, &s);
    bx_rx_chan_status_t ch[MAX_CH];
    int n = bx_rx_channels(bx_live_rx(lv), ch, MAX_CH);
    fprintf(f, "processed %.1f s of samples in %.1f s (engine %.2fx real time); lost %llu samples in %llu events\n",
            s.processed_s, s.wall_s, s.speed_x, (unsigned long long)s.dropped_samples,
            (unsigned long long)s.drop_events);
    fprintf(f, "%d channels:", n);
    for (int i = 0; i < n; i++)
        fprintf(f, " %s-C%02d(%s,%.0fdB-Hz,%+.0fHz,%d frames)", ch[i].sig == BX_SIG_B2A ? "B2a" : ch[i].sig == BX_SIG_B2B ? "B2b" : "B1C", ch[i].prn,
                bx_trk_state_name(ch[i].state), ch[i].cn0_dbhz, ch[i].doppler_hz, ch[i].frames_ok);
    fprintf(f, "\n");
    bx_rx_b2b_stats_t b;
    if (bx_rx_b2b_stats(bx_live_rx(lv), &b)) { /* B2b streams: PPP-B2b counts (as bdsrx run) */
        fprintf(f, "PPP-B2b: %ld messages (", b.frames);
        for (int t = 1, first = 1; t < 64; t++)
            if (b.by_type[t]) {
                fprintf(f, "%sMT%d %ld", first ? "" : ", ", t, b.by_type[t]);
                first = 0;
            }
        fprintf(f, "), %ld into the correction store, %ld waiting for a mask or with another IOD\n", b.stored,
                b.rejected);
    }
    if (o->so.nfix == 0)
        fprintf(f, "no position fix in %d epochs: %s\n", o->so.nepoch,
                o->so.have_last && o->so.last.reason[0] ? o->so.last.reason : "no navigation data decoded");
    solout_summary(&o->so, f);
}

/* SIGHUP: every file output closed (its last record is whole) and opened again by name,
 * appending.  Returns 0, or -1 with the reason in o->so (then the run stops, exit 1). */
static int reopen_outputs(out_t *o, const char *nmea_path, const char *json_path, const char *rnx_path)
{
    const char *paths[3] = {nmea_path, json_path, rnx_path};
    FILE **fs[3] = {&o->nmea, &o->so.json, &o->so.rnx};
    static const char *what[3] = {"NMEA output", "JSON output", "RINEX observation output"};
    for (int i = 0; i < 3; i++) {
        if (!paths[i] || !*fs[i] || !strcmp(paths[i], "-"))
            continue;
        int e = bx_rec_close(*fs[i]);
        /* RINEX: not O_APPEND, APPROX POSITION XYZ is written in place at the first fix */
        *fs[i] = e ? NULL : i < 2 ? fopen(paths[i], "a") : fopen(paths[i], "r+");
        if (!e && !*fs[i] && i == 2 && errno == ENOENT)
            *fs[i] = fopen(paths[i], "w");
        if (!e && !*fs[i])
            e = errno ? errno : EIO;
        if (e) {
            if (!o->so.werr) {
                o->so.werr = e;
                snprintf(o->so.werr_msg, sizeof o->so.werr_msg, "%s: reopening %s after SIGHUP: %s", what[i],
                         paths[i], strerror(e));
            }
            return -1;
        }
        if (i == 2) { /* a new (empty) RINEX file starts with its header */
            fseek(o->so.rnx, 0, SEEK_END);
            if (ftell(o->so.rnx) == 0)
                o->so.rnx_started = 0;
        }
    }
    return 0;
}

/* Reports the faults the source and the serial port survived, once per change. */
typedef struct {
    uint64_t reconnects, ser_losses, ser_reopens;
} faults_t;

static void report_faults(faults_t *f, bx_live_t *lv, const out_t *o)
{
    bx_source_stats_t ss;
    bx_source_stats(bx_live_source(lv), &ss);
    if (ss.reconnects != f->reconnects) {
        f->reconnects = ss.reconnects;
        fprintf(stderr, "bdsrx live: source reconnected (%llu so far; %llu samples lost in all)\n",
                (unsigned long long)ss.reconnects, (unsigned long long)ss.dropped_samples);
    }
    if (o->ser && bx_serial_losses(o->ser) != f->ser_losses) {
        f->ser_losses = bx_serial_losses(o->ser);
        fprintf(stderr, "bdsrx live: NMEA serial %s lost (%s); reopening with back-off\n", bx_serial_device(o->ser),
                strerror(bx_serial_last_errno(o->ser)));
    }
    if (o->ser && bx_serial_reopens(o->ser) != f->ser_reopens) {
        f->ser_reopens = bx_serial_reopens(o->ser);
        fprintf(stderr, "bdsrx live: NMEA serial %s reopened\n", bx_serial_device(o->ser));
    }
}

/* rtl_tcp: reconnection on unless the URI says reconnect=N; uri_buf receives the URI. */
static const char *default_reconnect(const char *uri, char *buf, size_t n)
{
    if (strncmp(uri, "rtltcp://", 9) || strstr(uri, "reconnect="))
        return uri;
    if ((size_t)snprintf(buf, n, "%s%creconnect=%d", uri, strchr(uri, '?') ? '&' : '?', LIVE_RECONNECT_TRIES) >= n)
        return uri;
    return buf;
}

int cli_live(int argc, char **argv)
{
    {   /* a SIGHUP (log rotation) during the start-up must not end the run: held pending
         * until the signal thread takes it (the full set is blocked below) */
        sigset_t hup;
        sigemptyset(&hup);
        sigaddset(&hup, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &hup, NULL);
    }
    bx_live_config_t lc;
    bx_live_config_default(&lc);
    char wisdom[4096];
    lc.rx.acq_wisdom_path = cli_wisdom_path(wisdom, sizeof wisdom);
    out_t o;
    memset(&o, 0, sizeof o);
    solout_init(&o.so);
    o.so.flush = 1; /* readers tail the JSON file */
    o.so.nmea = send_nmea;
    o.so.nmea_user = &o;
    const char *rtcm_spec = NULL;
    const char *base_spec = NULL, *base_pos = NULL, *rtk_mode = NULL;
    double gga_interval = 10.0;
    const char *ppp_mode = NULL, *pos_path = NULL;
    int ppp_geo = 0;
    const char *nmea_path = NULL, *json_path = NULL, *rnx_path = NULL, *tcp_spec = NULL, *ser_spec = NULL, *rtcm_ser = NULL, *http_spec = NULL, *rnxn_path = NULL,
               *nav_path = NULL;
    int quiet = 0, plain = 0;
    double elmask_deg = 10;
    bx_geoid_t *geoid = NULL;

    double ring = 0, ref[3] = {NAN, NAN, NAN};
    cli_signals_t sigs = {{0, 0}, 0};
    cli_warm_t warm;
    cli_warm_init(&warm);
    int rnxn_version = 4, rnxn_clock = BX_RINEX3_CLOCK_B3I;
    const cli_opt_t opts[] = {
        {"source", 0, CLI_STRING, &lc.uri, 0, 0, "URI",
         "the front end (sources above; every URI key: bdsrx-rec --help)", NULL, 0, 0},
        {"fc", 0, CLI_HZ, &lc.src.fc_hz, 1, 1e12, "HZ",
         "centre frequency (default: B1C or B2a centre per --signals)", NULL, 0, 0},
        {"fs", 0, CLI_HZ, &lc.src.fs_hz, 1, 1e12, "HZ", "sample rate (default 2.048e6 for RTL-SDR)", NULL, 0, 0},
        {"gain", 0, CLI_FN, &lc.src.gain_db, 0, 0, "DB|auto", "tuner gain", fn_gain, 0, 0},
        {"ppm", 0, CLI_DOUBLE, &lc.src.ppm, -1000, 1000, "N", "frequency correction", NULL, 0, 0},
        {"bias-tee", 0, CLI_FLAG, &lc.src.bias_tee, 0, 0, NULL, "antenna power", NULL, 0, 0},
        {"ring", 0, CLI_HZ, &ring, 4096, 1e12, "BYTES",
         "sample ring between reader and receiver (default 128M:\n"
         "32 s of ci8 at 2.048 Msps, 16 s at 4.092, 3.3 s at 20.46)", NULL, 0, 0},
        {"signals", 0, CLI_FN, &sigs, 0, 0, "LIST",
         "B1C, B2a, B2b (PPP-B2b), or B1C,B2a for a two-channel front end (one per\n"
         "channel; default from each channel's centre frequency), or B1C,B2a,B2b (a\n"
         "signal beyond the channel count comes from the complex channel whose band holds it)",
         cli_fn_signals, 0, 0},
        {"threads", 0, CLI_INT, &lc.rx.threads, 0, 64, "N", "worker threads (default 0: all CPUs)", NULL, 0, 0},
        {"seconds", 0, CLI_DOUBLE, &lc.max_s, 1e-9, 1e12, "S", "stop after S seconds of samples", NULL, 0, 0},
        {"prn", 0, CLI_FN, &lc.rx.prn_mask, 0, 0, "LIST", "search only these PRNs (e.g. 19-30,41)", cli_fn_prns, 0, 0},
        {"nav", 0, CLI_STRING, &nav_path, 0, 0, "FILE", "preload ephemerides from a RINEX navigation file", NULL, 0, 0},
        CLI_WARM_OPTS(&warm),
        {"elmask", 0, CLI_DOUBLE, &elmask_deg, -90, 90, "DEG", "elevation mask (default 10)", NULL, 0, 0},
        {"nmea", 0, CLI_STRING, &nmea_path, 0, 0, "FILE", "NMEA 0183 (GGA RMC GSA GSV) per fix to FILE ('-' = stdout)",
         NULL, 0, 0},
        {"http", 0, CLI_STRING, &http_spec, 0, 0, "[ADDR:]PORT",
         "web dashboard (channels, skyplot, position, track) at http://ADDR:PORT/\n"
         "(default address 127.0.0.1; read-only)", NULL, 0, 0},
        {"nmea-tcp", 0, CLI_STRING, &tcp_spec, 0, 0, "[ADDR:]PORT",
         "serve the NMEA to TCP clients (default address 127.0.0.1;\n0.0.0.0 for the network)", NULL, 0, 0},
        {"nmea-serial", 0, CLI_STRING, &ser_spec, 0, 0, "DEV[:BAUD]",
         "NMEA to a serial port, raw 8N1 (default 9600 baud)", NULL, 0, 0},
        {"json", 0, CLI_STRING, &json_path, 0, 0, "FILE", "one JSON solution per epoch ('-' = stdout)", NULL, 0, 0},
        {"rinex-nav", 0, CLI_STRING, &rnxn_path, 0, 0, "FILE",
         "RINEX navigation data decoded from the signal (written when live stops)", NULL, 0, 0},
        {"rinex-nav-version", 0, CLI_INT, &rnxn_version, 3, 4, "3|4", CLI_RINEX_NAV_VERSION_HELP, NULL, 0, 0},
        {"rinex-nav-clock", 0, CLI_FN, &rnxn_clock, 0, 0, "b3i|b1c|b2a", CLI_RINEX_NAV_CLOCK_HELP, cli_fn_nav_clock, 0,
         0},
        {"rinex-obs", 0, CLI_STRING, &rnx_path, 0, 0, "FILE", "RINEX 3.05 observations", NULL, 0, 0},
        {"base", 0, CLI_STRING, &base_spec, 0, 0, "SRC",
         "RTK against a base station: ntrip://[USER:PW@]HOST[:PORT]/MOUNT, tcp://HOST:PORT\n"
         "(raw RTCM 3; read by a thread, reconnected with back-off up to 30 s) or an RTCM 3 /\n"
         "RINEX file (read in step with the receiver)", NULL, 0, 0},
        {"base-pos", 0, CLI_STRING, &base_pos, 0, 0, "P",
         "base antenna X,Y,Z (ECEF m) or LAT,LON,H (deg, deg, m); default: the stream's 1005/1006", NULL, 0, 0},
        {"gga-interval", 0, CLI_DOUBLE, &gga_interval, 0, 86400, "S",
         "ntrip:// base: send the receiver's position (NMEA GGA) to the caster every S seconds\n"
         "of receiver time, as network RTK (VRS) casters need (default 10; 0 never)", NULL, 0, 0},
        {"rtk-mode", 0, CLI_STRING, &rtk_mode, 0, 0, "kinematic|static", "RTK rover model (default kinematic)", NULL,
         0, 0},
        {"ppp", 0, CLI_FLAG, &o.ppp, 0, 0, NULL,
         "precise point positioning with the PPP-B2b corrections of the B2b stream\n"
         "(--signals B1C,B2a,B2b, e.g. ch1 B1C + ch2 at 1191.795 MHz holding B2a and B2b)", NULL, 0, 0},
        {"ppp-mode", 0, CLI_STRING, &ppp_mode, 0, 0, "static|kinematic", "PPP receiver model (default kinematic)",
         NULL, 0, 0},
        {"ppp-geo", 0, CLI_INT, &ppp_geo, 59, 63, "PRN", "use the corrections of this GEO only", NULL, 0, 0},
        {"pos", 0, CLI_STRING, &pos_path, 0, 0, "FILE", "RTKLIB .pos solution file of the RTK / PPP epochs", NULL,
         0, 0},
        {"rtcm-out", 0, CLI_STRING, &rtcm_spec, 0, 0, "FILE|tcp://[ADDR:]PORT|ntrips://[USER]:PW@HOST:PORT/MOUNT",
         "RTCM 3.3 for a base station: BDS MSM7 every epoch, 1005 once fixed\n(tcp://: every client gets the "
         "stream, e.g. str2str -in tcpcli://... -out ntripc://...)",
         NULL, 0, 0},
        {"rtcm-serial", 0, CLI_STRING, &rtcm_ser, 0, 0, "DEV[:BAUD]",
         "the same RTCM 3.3 stream to a serial port (radio modem), raw 8N1, default 9600 baud;\n"
         "beside --rtcm-out or alone; an adapter unplugged is reopened", NULL, 0, 0},
        {"ref", 0, CLI_FN, ref, 0, 0, "LAT,LON,H", "reference position: the summary reports the error", cli_fn_llh, 0,
         0},
        {"plain", 0, CLI_FLAG, &plain, 0, 0, NULL, "one status line per second instead of the screen view", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx live", "--source URI [options]",
        "Runs the receiver on a live front end until Ctrl-C (or --seconds, or the end of the\n"
        "stream), showing channels and position once a second.\n"
        "\n"
        "sources (--source URI):\n"
        "  rtlsdr:[N|serial=SN]       RTL-SDR dongle (complex 8 bit, up to 2.4 Msps)\n"
        "  rtltcp://HOST:PORT         rtl_tcp server (rtl_tcp, bdsrx-replay --rtltcp)\n"
        "  pocket:[N]?conf=FILE       Pocket SDR class MAX2771 front end (ch=1|2|both)\n"
        "  FILE?live=1&pace=1         a capture through the live path at real-time pace\n"
        "rtl_tcp reconnects after a lost connection (60 tries, back-off 0.1 s doubling to 5 s;\n"
        "reconnect=N to change, reconnect=0 to stop at the first loss).\n"
        "Signals: SIGINT/SIGTERM stop (outputs flushed and closed, summary); SIGHUP closes\n"
        "and reopens the NMEA/JSON/RINEX files by name (log rotation).\n"
        "URI keys: freq|fc=Hz fs|rate=Hz gain=dB|auto agc=0|1 ppm=N bias=0|1 format=ci8|... if=Hz",
        opts,
        "FFTW plans: measured once, cached in ~/.cache/bdsrx/fftw-wisdom; BDSRX_WISDOM=off|FILE.\n"
        "-q/--quiet: no status view, only the final summary.\n"
        "exit status: 0 stopped by the user or the stream ended, 1 device/runtime error, 2 usage",
        0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!lc.uri)
        return cli_opt_usage_error(&cmd, "--source URI is required (bdsrx live --help)");
    char uri_buf[4096];
    lc.uri = default_reconnect(lc.uri, uri_buf, sizeof uri_buf);
    if (ring > 0)
        lc.src.ring_bytes = (size_t)ring;
    if (sigs.n) {
        lc.n_signals = sigs.n;
        for (int k = 0; k < sigs.n; k++)
            lc.sig[k] = sigs.sig[k];
    }
    if (!isnan(ref[0])) {
        o.so.ref_llh[0] = ref[0] * M_PI / 180, o.so.ref_llh[1] = ref[1] * M_PI / 180, o.so.ref_llh[2] = ref[2];
        o.so.have_ref = 1;
    }
    /* The ring must absorb the acquisition stalls (all PRNs are searched at the start and the
     * untracked ones every 10 s; seconds of wall time on 2 cores, see bench_live), 16 MiB is
     * only 2 s at 4 Msps ci8: 128 MiB unless told otherwise. */
    if (!lc.src.ring_bytes)
        lc.src.ring_bytes = (size_t)128 << 20;
    /* a single-band B2a run tunes to B2a unless told otherwise */
    if (lc.src.fc_hz == 0 && lc.n_signals == 1 && lc.sig[0] == BX_SIG_B2A)
        lc.src.fc_hz = BX_FREQ_B2A_HZ;
    if (lc.src.fc_hz == 0 && lc.n_signals == 1 && lc.sig[0] == BX_SIG_B2B) /* B2b-I, 1207.14 MHz */
        lc.src.fc_hz = BX_FREQ_B2B_HZ;

    /* NMEA TCP and dashboard specs: PORT or ADDR:PORT (loopback unless an address is given) */
    char tcp_addr[64] = "127.0.0.1", http_addr[64] = "127.0.0.1";
    int tcp_port = -1, http_port = -1;
    if (tcp_spec && host_port(tcp_spec, tcp_addr, sizeof tcp_addr, &tcp_port)) {
        fprintf(stderr, "bdsrx live: --nmea-tcp takes PORT or ADDR:PORT\n");
        return 2;
    }
    if (http_spec && host_port(http_spec, http_addr, sizeof http_addr, &http_port)) {
        fprintf(stderr, "bdsrx live: --http takes PORT or ADDR:PORT\n");
        return 2;
    }

    /* every thread started from here on (source reader, workers) inherits the blocked set */
    sigctx_t sc;
    memset(&sc, 0, sizeof sc);
    sigemptyset(&sc.set);
    sigaddset(&sc.set, SIGINT);
    sigaddset(&sc.set, SIGTERM);
    sigaddset(&sc.set, SIGHUP);
    sigaddset(&sc.set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &sc.set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ret = 1, data_on_stdout = 0;
    char err[512];
    bx_live_t *lv = NULL;
    pthread_t sig_th;
    int sig_started = 0;

    if ((nmea_path && !(o.nmea = open_out(nmea_path, &data_on_stdout))) ||
        (json_path && !(o.so.json = open_out(json_path, &data_on_stdout))) ||
        (rnx_path && !(o.so.rnx = fopen(rnx_path, "w")))) {
        fprintf(stderr, "bdsrx live: cannot write output: %s\n", strerror(errno));
        goto done;
    }
    if (tcp_spec && bx_nmea_tcp_create(tcp_addr, tcp_port, &o.tcp, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx live: %s\n", err);
        goto done;
    }
    if (rtcm_spec && solout_open_rtcm(&o.so, rtcm_spec, err, sizeof err)) {
        fprintf(stderr, "bdsrx live: --rtcm-out: %s\n", err);
        goto done;
    }
    if (rtcm_ser && solout_open_rtcm_serial(&o.so, rtcm_ser, err, sizeof err)) {
        fprintf(stderr, "bdsrx live: --rtcm-serial: %s\n", err);
        goto done;
    }
    o.ttff_s = -1;
    if (http_spec) {
        if (bx_http_status_create(http_addr, http_port, &o.http, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx live: %s\n", err);
            goto done;
        }
        fprintf(stderr, "bdsrx live: dashboard at http://%s:%d/\n", http_addr, bx_http_status_port(o.http));
    }
    if (ser_spec && bx_serial_open(ser_spec, &o.ser, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx live: %s\n", err);
        goto done;
    }
    if (o.so.rnx) {
        bx_rinex_obs_header_default(&o.so.rnx_hdr);
        o.so.rnx_hdr.n_types = 0; /* the types of the signals received */
        snprintf(o.so.rnx_hdr.marker, sizeof o.so.rnx_hdr.marker, "BDSRX");
        snprintf(o.so.rnx_hdr.receiver, sizeof o.so.rnx_hdr.receiver, "bdsrx live");
        o.so.rnx_hdr.interval_s = lc.rx.epoch_interval_s;
    }
    lc.rx.on_epoch = on_epoch;
    lc.rx.user = &o;
    lc.rx.pvt.elmask_rad = elmask_deg * M_PI / 180; /* mode: from the streams (receiver.h) */
    if (base_spec) {
        if (rtk_mode && strcmp(rtk_mode, "kinematic") && strcmp(rtk_mode, "static")) {
            fprintf(stderr, "bdsrx live: --rtk-mode %s: give kinematic or static\n", rtk_mode);
            goto done;
        }
        if (cli_base_open(base_spec, base_pos, 1, &o.base, err, sizeof err)) {
            fprintf(stderr, "bdsrx live: --base: %s\n", err);
            goto done;
        }
        cli_base_set_gga_interval(o.base, gga_interval);
        snprintf(o.base_state, sizeof o.base_state, "base: no epoch yet");
        lc.rx.solver = BX_SOLVER_RTK;
        lc.rx.rtk.mode = rtk_mode && !strcmp(rtk_mode, "static") ? BX_RTK_STATIC : BX_RTK_KINEMATIC;
        if (lc.rx.pvt.elmask_rad > lc.rx.rtk.elmask_rad)
            lc.rx.rtk.elmask_rad = lc.rx.pvt.elmask_rad;
        lc.rx.on_base = on_base;
    } else if (base_pos || rtk_mode) {
        fprintf(stderr, "bdsrx live: --base-pos and --rtk-mode need --base\n");
        goto done;
    }
    if (o.ppp) {
        if (base_spec || (ppp_mode && strcmp(ppp_mode, "kinematic") && strcmp(ppp_mode, "static"))) {
            fprintf(stderr, "bdsrx live: --ppp excludes --base; --ppp-mode: give kinematic or static\n");
            goto done;
        }
        lc.rx.solver = BX_SOLVER_PPP;
        lc.rx.ppp.kinematic = !(ppp_mode && !strcmp(ppp_mode, "static"));
        lc.rx.ppp_geo = ppp_geo;
    } else if (ppp_mode || ppp_geo) {
        fprintf(stderr, "bdsrx live: --ppp-mode and --ppp-geo need --ppp\n");
        goto done;
    }
    if (pos_path) {
        if (!o.ppp && !base_spec) {
            fprintf(stderr, "bdsrx live: --pos needs --ppp or --base\n");
            goto done;
        }
        if (!(o.so.pos = fopen(pos_path, "w"))) {
            fprintf(stderr, "bdsrx live: cannot write %s: %s\n", pos_path, strerror(errno));
            goto done;
        }
    }
    geoid = cli_geoid("bdsrx live", quiet);
    lc.rx.pvt.geoid = geoid; /* heights above MSL in NMEA / JSON */
    if (bx_live_create(&lc, &lv, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx live: %s\n", err);
        goto done;
    }
    if (nav_path) {
        bx_nav_t nav;
        bx_nav_init(&nav);
        int st = bx_rinex_nav_read(nav_path, &nav, err, sizeof err);
        if (st == BX_OK)
            bx_rx_add_nav(bx_live_rx(lv), &nav);
        bx_nav_destroy(&nav);
        if (st != BX_OK) {
            fprintf(stderr, "bdsrx live: %s\n", err);
            goto done;
        }
    }
    {
        /* a capture file played as a source: its sidecar's time; a device: the system clock */
        const char *u = lc.uri;
        const char *cap = !u ? NULL : !strncmp(u, "file:", 5) ? u + 5 : strchr(u, ':') ? NULL : u;
        char path[4096];
        if (cap) {
            snprintf(path, sizeof path, "%s", cap);
            path[strcspn(path, "?")] = 0;
        }
        if (cli_warm_setup(&warm, bx_live_rx(lv), cap ? path : NULL, quiet, "bdsrx live") != 0)
            goto done;
    }
    sc.live = lv;
    sig_started = pthread_create(&sig_th, NULL, sig_main, &sc) == 0;

    FILE *vf = data_on_stdout ? stderr : stdout;
    int ansi = !quiet && !plain && isatty(fileno(vf));
    const bx_source_info_t *in = bx_source_info(bx_live_source(lv));
    if (!quiet && !ansi)
        fprintf(vf, "bdsrx live: %s, %.3f Msps, %d stream%s (%s%s%s)\n", in->device, in->fs_hz / 1e6,
                bx_live_streams(lv), bx_live_streams(lv) > 1 ? "s" : "",
                bx_live_signal(lv, 0) == BX_SIG_B2A ? "B2a" : bx_live_signal(lv, 0) == BX_SIG_B2B ? "B2b" : "B1C", bx_live_streams(lv) > 1 ? "+" : "",
                bx_live_streams(lv) > 1 ? (bx_live_signal(lv, 1) == BX_SIG_B2A ? "B2a" : bx_live_signal(lv, 1) == BX_SIG_B2B ? "B2b" : "B1C") : "");
    if (ansi)
        fputs("\033[2J", vf);
    double next_view = mono_s() + VIEW_INTERVAL_S;
    int st, hup_seen = 0;
    faults_t faults = {0, 0, 0};
    while ((st = bx_live_step(lv)) > 0) {
        if (solout_error(&o.so))
            break;
        report_faults(&faults, lv, &o);
        const int hup = atomic_load(&sc.hup);
        if (hup != hup_seen) {
            hup_seen = hup;
            if (reopen_outputs(&o, nmea_path, json_path, rnx_path))
                break;
            fprintf(stderr, "bdsrx live: SIGHUP: outputs reopened\n");
        }
        bx_http_status_poll(o.http);
        if (mono_s() >= next_view) {
            publish(lv, &o);
            if (!quiet)
                show(vf, ansi, lv, &o);
            next_view += VIEW_INTERVAL_S;
            if (next_view < mono_s())
                next_view = mono_s() + VIEW_INTERVAL_S;
        }
    }
    if (!quiet)
        show(vf, ansi, lv, &o);
    int signo = atomic_load(&sc.signo);
    if (solout_error(&o.so))
        fprintf(stderr, "bdsrx live: %s; stopping\n", solout_error(&o.so));
    else if (st < 0)
        fprintf(stderr, "bdsrx live: %s; stopping\n", bx_live_error(lv));
    else if (signo)
        fprintf(vf, "bdsrx live: stopped (%s)\n", signo == SIGINT ? "interrupt" : "terminate");
    else if (lc.max_s > 0 && bx_rx_elapsed_s(bx_live_rx(lv)) >= lc.max_s - 1e-9)
        fprintf(vf, "bdsrx live: %.1f s done\n", lc.max_s);
    else
        fprintf(vf, "bdsrx live: the source ended (%s)\n", in->kind);
    summary(vf, lv, &o);
    cli_warm_finish(&warm, bx_live_rx(lv), &o.so, vf, "bdsrx live");
    if (o.tcp) {
        bx_nmea_tcp_stats_t ts;
        bx_nmea_tcp_stats(o.tcp, &ts);
        fprintf(vf, "NMEA TCP: %llu clients served, %llu dropped for not reading\n", (unsigned long long)ts.accepted,
                (unsigned long long)ts.dropped);
    }
    if (o.ser && bx_serial_dropped(o.ser))
        fprintf(vf, "NMEA serial: %llu bytes dropped (line too slow: raise the baud rate)\n",
                (unsigned long long)bx_serial_dropped(o.ser));
    ret = st < 0 || solout_error(&o.so) ? 1 : 0;
    if (rnxn_path && cli_write_rinex_nav(rnxn_path, bx_rx_nav(bx_live_rx(lv)), rnxn_version, rnxn_clock, "bdsrx live", NULL))
        ret = 1;
done:
    if (sig_started) {
        atomic_store(&sc.quit, 1);
        pthread_kill(sig_th, SIGUSR1);
        pthread_join(sig_th, NULL);
    }
    bx_live_destroy(lv);
    cli_base_close(o.base);
    bx_geoid_destroy(geoid);
    {
        const char *what[5] = {"NMEA output", "JSON output", "RINEX observation output", "RTCM output",
                               "position output"};
        FILE *fs[5] = {o.nmea, o.so.json, o.so.rnx, o.so.rtcm, o.so.pos};
        for (int i = 0; i < 5; i++) {
            if (!fs[i] || (i == 1 && fs[i] == fs[0]))
                continue;
            const int e = bx_rec_close(fs[i]);
            if (e && !o.so.werr) {
                fprintf(stderr, "bdsrx live: %s: %s\n", what[i], strerror(e));
                ret = 1;
            }
        }
        if (fflush(stdout) != 0 && ret == 0) {
            fprintf(stderr, "bdsrx live: standard output: %s\n", strerror(errno));
            ret = 1;
        }
        o.so.rtcm = NULL; /* closed above; solout_close_rtcm: the TCP / caster outputs */
    }
    solout_close_rtcm(&o.so);
    bx_nmea_tcp_destroy(o.tcp);
    bx_http_status_destroy(o.http);
    bx_serial_destroy(o.ser);
    return ret;
}
