/*
 * bdsrx run: one capture (or a time-aligned B1C + B2a pair) through
 * acquisition, tracking, navigation-data decoding and positioning.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/iq.h"
#include "bdsrx/orbit.h"
#include "bdsrx/output.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"
#include "bdsrx/geoid.h"
#include "cli.h"
#include "cli_base.h"
#include "recio.h"
#include "cli_opt.h"
#include "cli_warm.h"
#include "solout.h"

#define CHUNK_S 0.1 /* samples fed to the engine per call */
#define MAXF BX_RX_MAX_STREAMS /* capture files */

typedef struct {
    bx_rx_t *rx;
    solout_t out;  /* PVT, outputs, fix statistics */
    FILE *nmea;    /* NMEA file of out's sentences */
    cli_base_t *base; /* --base: RTK */
} run_t;

static void on_base(void *user, bx_rx_t *rx, bx_time_t t)
{
    run_t *r = user;
    cli_base_pull(r->base, rx, t);
}

static int write_nmea(void *user, const char *buf, size_t len) { return bx_rec_write((FILE *)user, buf, len); }

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    run_t *r = user;
    solout_epoch(&r->out, rx, ep);
    cli_base_position(r->base, ep->sol);
}

static void progress(const run_t *r, bx_rx_t *rx, double total_s)
{
    bx_rx_chan_status_t ch[BX_RX_MAX_STREAMS * BX_RX_MAX_CHANNELS];
    int n = bx_rx_channels(rx, ch, (int)(sizeof ch / sizeof ch[0]));
    int locked = 0, timed = 0;
    for (int i = 0; i < n; i++) {
        locked += ch[i].state == BX_TRK_LOCKED;
        timed += ch[i].have_time;
    }
    double t = bx_rx_elapsed_s(rx);
    int w = 30, fill = total_s > 0 ? (int)(w * t / total_s) : 0;
    if (fill > w)
        fill = w;
    fprintf(stderr, "\r[%.*s%*s] %6.1f/%.1f s  channels %2d locked %2d time %2d  %s %2d sats  ", fill,
            "##############################", w - fill, "", t, total_s, n, locked, timed,
            r->out.last.fix == BX_FIX_FIXED ? "RTK fixed" : (r->out.last.flags & BX_SOLF_PPP) ? "PPP" :
            r->out.last.fix == BX_FIX_FLOAT ? "RTK float" :
            r->out.last.fix ? "FIX" : "no fix", r->out.last.n_used);
    fflush(stderr);
}

static int fn_json(const char *arg, void *value, char *err, size_t errlen)
{
    const char **path = value; /* NULL or "-": standard output */
    *path = arg ? arg : "-";
    return 0;
}

static int fn_mode(const char *arg, void *value, char *err, size_t errlen)
{
    int *mode = value;
    if (!strcasecmp(arg, "b1c"))
        *mode = BX_PVT_B1C;
    else if (!strcasecmp(arg, "b2a"))
        *mode = BX_PVT_B2A;
    else if (!strcasecmp(arg, "if"))
        *mode = BX_PVT_IF;
    else {
        snprintf(err, errlen, "'%s': give b1c, b2a or if", arg);
        return -1;
    }
    return 0;
}

static const char *sig_name(int sig) { return sig == BX_SIG_B1C ? "B1C" : sig == BX_SIG_B2B ? "B2b" : "B2a"; }

/* PPP-B2b summary of B2b streams: text, and with --json one last object
 * {"b2b": {"frames": N, "stored": N, "rejected": N, "unparsed": N, "by_type": {"1": N, ...}}} */
static void print_b2b(FILE *o, const bx_rx_b2b_stats_t *b, FILE *json)
{
    fprintf(o, "PPP-B2b: %ld messages (", b->frames);
    int first = 1;
    for (int t = 1; t < 64; t++)
        if (b->by_type[t]) {
            fprintf(o, "%sMT%d %ld", first ? "" : ", ", t, b->by_type[t]);
            first = 0;
        }
    fprintf(o, "), %ld into the correction store, %ld waiting for a mask or with another IOD\n", b->stored,
            b->rejected);
    if (!json)
        return;
    fprintf(json, "{\"b2b\":{\"frames\":%ld,\"stored\":%ld,\"rejected\":%ld,\"unparsed\":%ld,\"by_type\":{",
            b->frames, b->stored, b->rejected, b->unparsed);
    first = 1;
    for (int t = 1; t < 64; t++)
        if (b->by_type[t]) {
            fprintf(json, "%s\"%d\":%ld", first ? "" : ",", t, b->by_type[t]);
            first = 0;
        }
    fprintf(json, "}}}\n");
}

int cli_run(int argc, char **argv)
{
    const char *files[MAXF] = {NULL};
    int nfiles = 0;
    cli_signals_t sigs = {{-1, -1, -1}, 0};
    bx_iq_params_t flags[MAXF];
    for (int k = 0; k < MAXF; k++)
        bx_iq_params_init(&flags[k]);
    double seconds = 0, rate_hz = 1, elmask = 10, ref[3] = {NAN, NAN, NAN};
    bx_geoid_t *geoid = NULL;
    const char *nav_path = NULL, *nmea_path = NULL, *rnxo = NULL, *rnxn = NULL, *rtcmo = NULL, *rtcm_ser = NULL;
    int quiet = 0, threads = 0, mode = -1, b2b_only = 0;
    long b2b_frames = 0;
    const char *base_spec = NULL, *base_pos = NULL, *rtk_mode = NULL;
    double gga_interval = 10.0;
    int ppp = 0, ppp_geo = 0;
    const char *ppp_mode = NULL, *pos_path = NULL;
    FILE *fpos = NULL;
    const char *json_path = NULL; /* --json: "-" standard output, else a file */
    uint64_t prn_mask = 0;
    cli_warm_t warm;
    cli_warm_init(&warm);
    int rnxn_version = 4, rnxn_clock = BX_RINEX3_CLOCK_B3I;
    const cli_opt_t opts[] = {
        {"signals", 0, CLI_FN, &sigs, 0, 0, "LIST",
         "signal of each FILE in order, e.g. B1C, B1C,B2a, B2b (B2b-I: PPP-B2b\nmessages from the GEOs, no ranging) or B1C,B2a,B2b (three files, or two when\nFILE2 is a complex capture holding both B2a and B2b, e.g. fc 1191.795 MHz)\n(default: from the centre frequency, else B1C)",
         cli_fn_signals, 0, 0},
        CLI_IQ_OPTS(&flags[0], "", "FILE"),
        CLI_IQ_OPTS(&flags[1], "2", "FILE2"),
        CLI_IQ_OPTS(&flags[2], "3", "FILE3"),
        {"seconds", 0, CLI_DOUBLE, &seconds, 0, 1e9, "S", "process at most S seconds", NULL, 0, 0},
        {"mode", 0, CLI_FN, &mode, 0, 0, "b1c|b2a|if",
         "positioning mode (default: if with two bands, else the band's signal)", fn_mode, 0, 0},
        {"nav", 0, CLI_STRING, &nav_path, 0, 0, "FILE", "preload ephemerides from a RINEX navigation file", NULL, 0, 0},
        CLI_WARM_OPTS(&warm),
        {"rate", 0, CLI_DOUBLE, &rate_hz, 1, 10, "HZ", "solutions per second, 1 (default) .. 10", NULL, 0, 0},
        {"elmask", 0, CLI_DOUBLE, &elmask, -90, 90, "DEG", "elevation mask (default 10)", NULL, 0, 0},
        {"prn", 0, CLI_FN, &prn_mask, 0, 0, "LIST", "search only these PRNs (e.g. 19-30,41)", cli_fn_prns, 0, 0},
        {"threads", 0, CLI_INT, &threads, 0, 256, "N", "worker threads (default 0: all CPUs)", NULL, 0, 0},
        {"json", 0, CLI_FN, &json_path, 0, 0, "FILE",
         "one JSON solution per epoch on standard output (--json=FILE: to FILE)", fn_json, CLI_OPTIONAL, 0},
        {"nmea", 0, CLI_STRING, &nmea_path, 0, 0, "FILE", "NMEA 0183 (GGA RMC GSA GSV) to FILE ('-' = standard output)",
         NULL, 0, 0},
        {"rinex-obs", 0, CLI_STRING, &rnxo, 0, 0, "FILE", "RINEX 3.05 observations", NULL, 0, 0},
        {"rtcm-out", 0, CLI_STRING, &rtcmo, 0, 0, "FILE|tcp://[ADDR:]PORT|ntrips://[USER]:PW@HOST:PORT/MOUNT",
         "RTCM 3.3 for a base station: BDS MSM7 every epoch, 1005 once fixed", NULL, 0, 0},
        {"rtcm-serial", 0, CLI_STRING, &rtcm_ser, 0, 0, "DEV[:BAUD]",
         "the same RTCM 3.3 stream to a serial port (radio modem), raw 8N1, default 9600 baud;\n"
         "beside --rtcm-out or alone", NULL, 0, 0},
        {"base", 0, CLI_STRING, &base_spec, 0, 0, "SRC",
         "RTK against a base station: an RTCM 3 file (MSM4-7, 1005/1006), a RINEX obs file,\n"
         "ntrip://[USER:PW@]HOST[:PORT]/MOUNT or tcp://HOST:PORT (raw RTCM 3); the base\n"
         "epochs are read in step with the capture", NULL, 0, 0},
        {"base-pos", 0, CLI_STRING, &base_pos, 0, 0, "P",
         "base antenna X,Y,Z (ECEF m) or LAT,LON,H (deg, deg, m); default: the stream's\n"
         "1005/1006 (a bdsrx base sends its averaged single-point fix: metres off)", NULL, 0, 0},
        {"gga-interval", 0, CLI_DOUBLE, &gga_interval, 0, 86400, "S",
         "ntrip:// base: send the receiver's position (NMEA GGA) to the caster every S seconds\n"
         "of receiver time, as network RTK (VRS) casters need (default 10; 0 never)", NULL, 0, 0},
        {"rtk-mode", 0, CLI_STRING, &rtk_mode, 0, 0, "kinematic|static", "RTK rover model (default kinematic)", NULL,
         0, 0},
        {"ppp", 0, CLI_FLAG, &ppp, 0, 0, NULL,
         "precise point positioning with the PPP-B2b corrections of the B2b stream\n"
         "(--signals B1C,B2a,B2b): JSON fix \"ppp\", NMEA GGA quality 5; the broadcast\n"
         "single-point fix (fix \"spp\", ppp_msg says why) until >= 5 satellites are corrected", NULL, 0, 0},
        {"ppp-mode", 0, CLI_STRING, &ppp_mode, 0, 0, "static|kinematic", "PPP receiver model (default kinematic)",
         NULL, 0, 0},
        {"ppp-geo", 0, CLI_INT, &ppp_geo, 59, 63, "PRN",
         "use the corrections of this GEO only (default: the one correcting the most satellites)", NULL, 0, 0},
        {"pos", 0, CLI_STRING, &pos_path, 0, 0, "FILE",
         "RTKLIB .pos solution file of the RTK (--base) or PPP (--ppp) epochs", NULL, 0, 0},
        {"rinex-nav", 0, CLI_STRING, &rnxn, 0, 0, "FILE",
         "RINEX navigation data decoded from the signal (written at the end)", NULL, 0, 0},
        {"rinex-nav-version", 0, CLI_INT, &rnxn_version, 3, 4, "3|4", CLI_RINEX_NAV_VERSION_HELP, NULL, 0, 0},
        {"rinex-nav-clock", 0, CLI_FN, &rnxn_clock, 0, 0, "b3i|b1c|b2a", CLI_RINEX_NAV_CLOCK_HELP, cli_fn_nav_clock, 0,
         0},
        {"ref", 0, CLI_FN, ref, 0, 0, "LAT,LON,H", "reference position (deg, deg, m): the summary reports errors",
         cli_fn_llh, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx run", "FILE [FILE2 [FILE3]] [options]",
        "Runs the receiver on a capture: acquisition, tracking, B-CNAV1/B-CNAV2 decoding and\n"
        "single-point positioning.  Give a B1C capture, a B2a capture, or one of each recorded\n"
        "at the same time (then the B1C/B2a ionosphere-free solution is used).  The sample format,\n"
        "rate and frequencies of FILE come from its .sigmf-meta or .tag sidecar unless given.",
        opts,
        "FFTW plans for the searches are measured once and cached in ~/.cache/bdsrx/fftw-wisdom\n"
        "(BDSRX_WISDOM=FILE elsewhere, BDSRX_WISDOM=off: estimated plans, nothing written).",
        1, MAXF};
    int pr = cli_opt_parse(&cmd, argc, argv, files, &nfiles);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (sigs.n && sigs.n < nfiles)
        return cli_opt_usage_error(&cmd, "--signals names %d signals for %d files", sigs.n, nfiles);
    run_t r;
    memset(&r, 0, sizeof r);
    solout_init(&r.out);
    if (!isnan(ref[0])) {
        r.out.ref_llh[0] = ref[0] * M_PI / 180, r.out.ref_llh[1] = ref[1] * M_PI / 180, r.out.ref_llh[2] = ref[2];
        r.out.have_ref = 1;
    }
    const int json = json_path != NULL;
    int *sigv = sigs.sig;

    bx_iq_reader_t *rd[MAXF] = {NULL};
    bx_cf32_t *buf[MAXF] = {NULL};
    int file_of[MAXF] = {0, 1, 2}; /* file that feeds each receiver stream */
    char err[512];
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = sigs.n > nfiles ? sigs.n : nfiles;
    char wisdom[4096];
    rc.acq_wisdom_path = cli_wisdom_path(wisdom, sizeof wisdom);
    int ret = 1;
    for (int k = 0; k < nfiles; k++) {
        if (bx_iq_open(files[k], &flags[k], &rd[k], err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx run: %s\n", err);
            goto done;
        }
        const bx_iq_params_t *p = bx_iq_params(rd[k]);
        int sig = sigs.n ? sigv[k] : -1;
        if (sig < 0 && cli_signal_from_fc(p->fc_hz, &sig) < 0)
            sig = BX_SIG_B1C; /* no or another centre frequency: B1C, as documented */
        rc.stream[k].sig = sig;
        rc.stream[k].fs_hz = p->fs_hz;
        rc.stream[k].if_hz = isnan(p->if_hz) ? 0.0 : p->if_hz;
    }
    /* more signals than files: each signal from the first complex capture whose band (fc +- fs/2)
     * holds its carrier, at IF = f_signal - fc (e.g. B2a + B2b in one file at 1191.795 MHz,
     * >= ~42 Msps for both main lobes) */
    if (rc.n_streams > nfiles) {
        for (int k = 0; k < rc.n_streams; k++) {
            const double f = bx_signal_freq_hz(sigv[k]);
            int q = -1;
            for (int i = 0; i < nfiles && q < 0; i++) {
                const bx_iq_params_t *p = bx_iq_params(rd[i]);
                if (p->format != BX_IQ_RI8 && p->format != BX_IQ_RI1 && p->fc_hz > 0 &&
                    fabs(f - p->fc_hz) < p->fs_hz / 2) /* the carrier inside the band */
                    q = i;
            }
            if (q < 0) {
                fprintf(stderr,
                        "bdsrx run: %s: no file's band holds it (%d signals for %d files: a file shared by two signals "
                        "must be a complex capture covering both, e.g. fc 1191.795 MHz for B2a + B2b)\n",
                        sig_name(sigv[k]), rc.n_streams, nfiles);
                goto done;
            }
            const bx_iq_params_t *p = bx_iq_params(rd[q]);
            file_of[k] = q;
            rc.stream[k].sig = sigv[k];
            rc.stream[k].fs_hz = p->fs_hz;
            rc.stream[k].if_hz = f - p->fc_hz;
        }
    }
    for (int a = 0; a < rc.n_streams; a++)
        for (int b = a + 1; b < rc.n_streams; b++)
            if (rc.stream[a].sig == rc.stream[b].sig) {
                fprintf(stderr, "bdsrx run: two files carry %s; give captures of different signals (B1C, B2a, B2b)\n",
                        sig_name(rc.stream[a].sig));
                goto done;
            }
    rc.prn_mask = prn_mask;
    rc.threads = threads;
    rc.epoch_interval_s = 1.0 / rate_hz;
    rc.on_epoch = on_epoch;
    rc.user = &r;
    /* positioning in the receiver: mode from the streams (one band: that band, B1C + B2a:
     * ionosphere-free) unless --mode */
    rc.pvt.elmask_rad = elmask * M_PI / 180.0;
    rc.pvt_mode = mode >= 0 ? mode : BX_RX_PVT_AUTO;
    if (base_spec) {
        if (rtk_mode && strcmp(rtk_mode, "kinematic") && strcmp(rtk_mode, "static"))
            return cli_opt_usage_error(&cmd, "--rtk-mode %s: give kinematic or static", rtk_mode);
        if (cli_base_open(base_spec, base_pos, 0, &r.base, err, sizeof err)) {
            fprintf(stderr, "bdsrx run: --base: %s\n", err);
            goto done;
        }
        cli_base_set_gga_interval(r.base, gga_interval);
        rc.solver = BX_SOLVER_RTK;
        rc.rtk.mode = rtk_mode && !strcmp(rtk_mode, "static") ? BX_RTK_STATIC : BX_RTK_KINEMATIC;
        rc.rtk.elmask_rad = rc.pvt.elmask_rad > rc.rtk.elmask_rad ? rc.pvt.elmask_rad : rc.rtk.elmask_rad;
        rc.on_base = on_base;
    } else if (base_pos || rtk_mode) {
        return cli_opt_usage_error(&cmd, "--base-pos and --rtk-mode need --base");
    }
    if (ppp) {
        if (base_spec)
            return cli_opt_usage_error(&cmd, "--ppp and --base exclude each other");
        if (ppp_mode && strcmp(ppp_mode, "kinematic") && strcmp(ppp_mode, "static"))
            return cli_opt_usage_error(&cmd, "--ppp-mode %s: give kinematic or static", ppp_mode);
        rc.solver = BX_SOLVER_PPP;
        rc.ppp.kinematic = !(ppp_mode && !strcmp(ppp_mode, "static"));
        rc.ppp_geo = ppp_geo;
    } else if (ppp_mode || ppp_geo) {
        return cli_opt_usage_error(&cmd, "--ppp-mode and --ppp-geo need --ppp");
    }
    if (pos_path && !ppp && !base_spec)
        return cli_opt_usage_error(&cmd, "--pos needs --ppp or --base");
    geoid = cli_geoid("bdsrx run", quiet);
    rc.pvt.geoid = geoid; /* heights above MSL in NMEA / JSON */
    if (bx_rx_create(&rc, &r.rx, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx run: %s\n", err);
        goto done;
    }
    if (nav_path) {
        bx_nav_t nav;
        bx_nav_init(&nav);
        if (bx_rinex_nav_read(nav_path, &nav, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx run: %s\n", err);
            bx_nav_destroy(&nav);
            goto done;
        }
        bx_rx_add_nav(r.rx, &nav);
        bx_nav_destroy(&nav);
    }
    if (cli_warm_setup(&warm, r.rx, files[0], quiet, "bdsrx run") != 0)
        goto done;
    if (json) {
        r.out.json = (!json_path || !strcmp(json_path, "-")) ? stdout : fopen(json_path, "w");
        if (!r.out.json) {
            fprintf(stderr, "bdsrx run: cannot write %s: %s\n", json_path, strerror(errno));
            goto done;
        }
    }
    if (nmea_path) {
        r.nmea = !strcmp(nmea_path, "-") ? stdout : fopen(nmea_path, "w");
        r.out.nmea = write_nmea;
        r.out.nmea_user = r.nmea;
        if (!r.nmea) {
            fprintf(stderr, "bdsrx run: cannot write %s: %s\n", nmea_path, strerror(errno));
            goto done;
        }
    }
    if (pos_path) {
        fpos = !strcmp(pos_path, "-") ? stdout : fopen(pos_path, "w");
        if (!fpos) {
            fprintf(stderr, "bdsrx run: cannot write %s: %s\n", pos_path, strerror(errno));
            goto done;
        }
        r.out.pos = fpos;
    }
    if (rtcmo) {
        char e[300];
        if (solout_open_rtcm(&r.out, rtcmo, e, sizeof e)) {
            fprintf(stderr, "bdsrx run: %s\n", e);
            goto done;
        }
    }
    if (rtcm_ser) {
        char e[300];
        if (solout_open_rtcm_serial(&r.out, rtcm_ser, e, sizeof e)) {
            fprintf(stderr, "bdsrx run: --rtcm-serial: %s\n", e);
            goto done;
        }
    }
    if (rnxo) {
        r.out.rnx = fopen(rnxo, "w");
        if (!r.out.rnx) {
            fprintf(stderr, "bdsrx run: cannot write %s: %s\n", rnxo, strerror(errno));
            goto done;
        }
        bx_rinex_obs_header_default(&r.out.rnx_hdr);
        r.out.rnx_hdr.n_types = 0; /* the types of the signals received */
        snprintf(r.out.rnx_hdr.marker, sizeof r.out.rnx_hdr.marker, "BDSRX");
        snprintf(r.out.rnx_hdr.receiver, sizeof r.out.rnx_hdr.receiver, "bdsrx");
        r.out.rnx_hdr.interval_s = 1.0 / rate_hz;
    }

    double total_s = 0;
    {
        int64_t ns = bx_iq_total_samples(rd[0]);
        total_s = ns > 0 ? (double)ns / bx_iq_params(rd[0])->fs_hz : 0;
        if (seconds > 0 && total_s > 0 && seconds > total_s + 1e-6)
            fprintf(stderr, "bdsrx run: note: --seconds %g asks for more than %s holds (%.3f s): all of it is processed\n",
                    seconds, files[0], total_s);
        if (seconds > 0 && (total_s == 0 || seconds < total_s))
            total_s = seconds;
    }
    int show = !quiet && isatty(2);
    size_t cap[MAXF];
    for (int k = 0; k < nfiles; k++) {
        cap[k] = (size_t)llround(bx_iq_params(rd[k])->fs_hz * CHUNK_S);
        buf[k] = malloc(cap[k] * sizeof *buf[k]);
        if (!buf[k]) {
            fprintf(stderr, "bdsrx run: out of memory\n");
            goto done;
        }
    }
    for (int it = 0;; it++) {
        size_t n[MAXF] = {0};
        int eof = 0;
        for (int k = 0; k < nfiles; k++) {
            size_t got = 0;
            while (got < cap[k]) {
                long m = bx_iq_read(rd[k], buf[k] + got, cap[k] - got);
                if (m < 0) {
                    fprintf(stderr, "\nbdsrx run: %s\n", bx_iq_error(rd[k]));
                    goto done;
                }
                if (m == 0) {
                    eof = 1;
                    break;
                }
                got += (size_t)m;
            }
            n[k] = got;
        }
        if (nfiles == 2) { /* keep the files aligned: same time span */
            const double fs0 = bx_iq_params(rd[0])->fs_hz, fs1 = bx_iq_params(rd[1])->fs_hz;
            double t0 = n[0] / fs0, t1 = n[1] / fs1;
            if (t1 < t0)
                n[0] = (size_t)llround(t1 * fs0);
            else
                n[1] = (size_t)llround(t0 * fs1);
        } else if (nfiles > 2) {
            double tmin = INFINITY;
            for (int k = 0; k < nfiles; k++)
                tmin = fmin(tmin, n[k] / bx_iq_params(rd[k])->fs_hz);
            for (int k = 0; k < nfiles; k++) {
                const size_t m = (size_t)llround(tmin * bx_iq_params(rd[k])->fs_hz);
                n[k] = m < n[k] ? m : n[k];
            }
        }
        if (n[0] > 0) {
            const bx_cf32_t *xs[MAXF];
            size_t ns[MAXF];
            for (int k = 0; k < rc.n_streams; k++) {
                xs[k] = buf[file_of[k]];
                ns[k] = n[file_of[k]];
            }
            bx_rx_process(r.rx, xs, ns);
        }
        if (solout_error(&r.out)) {
            fprintf(stderr, "%sbdsrx run: %s; stopping\n", show ? "\n" : "", solout_error(&r.out));
            goto done;
        }
        if (show && it % 5 == 0)
            progress(&r, r.rx, total_s);
        if (eof || n[0] < cap[0] || (seconds > 0 && bx_rx_elapsed_s(r.rx) >= seconds))
            break;
    }
    if (show) {
        progress(&r, r.rx, total_s);
        fputc('\n', stderr);
    }

    /* summary */
    {
        bx_rx_chan_status_t ch[BX_RX_MAX_STREAMS * BX_RX_MAX_CHANNELS];
        int nch = bx_rx_channels(r.rx, ch, (int)(sizeof ch / sizeof ch[0]));
        FILE *o = r.out.json == stdout ? stderr : stdout;
        fprintf(o, "processed %.1f s of samples; %d channels:", bx_rx_elapsed_s(r.rx), nch);
        for (int i = 0; i < nch; i++)
            fprintf(o, " %s-C%02d(%s,%.0fdB-Hz,%d frames)", sig_name(ch[i].sig), ch[i].prn,
                    bx_trk_state_name(ch[i].state), ch[i].cn0_dbhz, ch[i].frames_ok);
        fprintf(o, "\n");
        bx_rx_b2b_stats_t b2b;
        if (bx_rx_b2b_stats(r.rx, &b2b)) {
            b2b_only = 1;
            for (int k = 0; k < rc.n_streams; k++)
                b2b_only &= rc.stream[k].sig == BX_SIG_B2B;
            b2b_frames = b2b.frames;
            print_b2b(o, &b2b, r.out.json);
        }
        if (r.out.nfix == 0 && !b2b_only) {
            if (nch == 0)
                fprintf(o, "no position fix: no satellite signal found; check the sample rate, centre frequency and "
                           "format (--fs --fc --if --format or the sidecar), the antenna, and --signals\n");
            else if (bx_rx_elapsed_s(r.rx) < 30.0 && !bx_rx_have_time(r.rx))
                fprintf(o, "no position fix: the capture is too short to decode the time of week (B1C needs one "
                           "18 s frame, ~20-30 s of signal; B2a ~3-6 s)\n");
            else
                fprintf(o, "no position fix: %s\n",
                        r.out.last.reason[0] ? r.out.last.reason : "no navigation data decoded");
        }
        solout_summary(&r.out, o);
        cli_warm_finish(&warm, r.rx, &r.out, o, "bdsrx run");
    }
    const int nav_bad = rnxn && cli_write_rinex_nav(rnxn, bx_rx_nav(r.rx), rnxn_version, rnxn_clock, "bdsrx run", NULL);
    ret = (r.out.nfix > 0 || (b2b_only && b2b_frames > 0)) && !nav_bad ? 0 : 1;
done:
    for (int k = 0; k < MAXF; k++)
        free(buf[k]);
    {
        /* every output closed and checked: a write that fails here still fails the run */
        const char *what[5] = {"NMEA output", "JSON output", "RINEX observation output", "RTCM output",
                               "position output"};
        FILE *fs[5] = {r.nmea, r.out.json, r.out.rnx, r.out.rtcm, fpos};
        for (int i = 0; i < 5; i++) {
            if (!fs[i] || (i == 1 && fs[i] == fs[0]) || (i == 4 && (fs[i] == fs[0] || fs[i] == fs[1])))
                continue;
            const int e = bx_rec_close(fs[i]);
            if (e && !r.out.werr) {
                fprintf(stderr, "bdsrx run: %s: %s\n", what[i], strerror(e));
                ret = 1;
            }
        }
        if (r.out.werr)
            ret = 1;
        if (fflush(stdout) != 0 && ret == 0) {
            fprintf(stderr, "bdsrx run: standard output: %s\n", strerror(errno));
            ret = 1;
        }
        r.out.rtcm = NULL; /* closed above; solout_close_rtcm: the TCP / caster outputs */
    }
    solout_close_rtcm(&r.out);
    bx_rx_destroy(r.rx);
    cli_base_close(r.base);
    bx_geoid_destroy(geoid);
    for (int k = 0; k < MAXF; k++)
        if (rd[k])
            bx_iq_destroy(rd[k]);
    return ret;
}
