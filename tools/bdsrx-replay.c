/* bdsrx-replay: play a capture at real-time pace (or flat out) to stdout, a
 * file or a pipe, or serve it to rtl_tcp clients.  Thin main over the file
 * source (pacing) and bdsrx/sink.h / bdsrx/rtltcp.h. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/rtltcp.h"
#include "bdsrx/sink.h"
#include "bdsrx/source.h"
#include "cli_opt.h"

static bx_source_t *volatile g_src;
static bx_rtltcp_server_t *volatile g_srv;
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_src)
        bx_source_stop(g_src);
    if (g_srv)
        bx_rtltcp_server_stop(g_srv);
}

static int open_file(const char *path, const bx_source_opts_t *o, bx_source_t **src)
{
    char err[300];
    if (bx_source_open(path, o, src, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx-replay: %s\n", err);
        return 1;
    }
    g_src = *src;
    return 0;
}

int main(int argc, char **argv)
{
    bx_source_opts_t o;
    bx_source_opts_default(&o);
    o.pace = 1.0;
    const char *outp = "-", *bind_addr = "127.0.0.1";
    int to = -1, port = -1, loop = 0, quiet = 0;
    double scale_d = NAN;
    const char *path = NULL;
    int nop = 0;
    const cli_opt_t opts[] = {
        {"rate", 'r', CLI_DOUBLE, &o.pace, 0, 1e6, "X", "playback speed: 1.0 real time (default), 0 as fast as possible",
         NULL, 0, 0},
        {"output", 'o', CLI_STRING, &outp, 0, 0, "OUT", "write to OUT instead of stdout (OUT gets a SigMF sidecar)", NULL,
         0, 0},
        {"to", 't', CLI_FN, &to, 0, 0, "FMT", "output format (default: the capture's own, copied bit-exactly)",
         cli_fn_format, 0, 0},
        {"scale", 0, CLI_DOUBLE, &scale_d, 1e-30, 1e30, "S", "output scale for --to / rtl_tcp (default: keep integer codes)",
         NULL, 0, 0},
        {"rtltcp", 0, CLI_INT, &port, 0, 65535, "PORT", "serve rtl_tcp clients on PORT (one at a time)", NULL, 0, 0},
        {"bind", 0, CLI_STRING, &bind_addr, 0, 0, "ADDR",
         "rtl_tcp listen address (default 127.0.0.1: loopback only;\n0.0.0.0 exposes the capture to the network)", NULL,
         0, 0},
        {"loop", 0, CLI_FLAG, &loop, 0, 0, NULL, "rtl_tcp: serve the capture again to the next client", NULL, 0, 0},
        {"format", 0, CLI_FN, &o.format, 0, 0, "FMT", "capture format if no sidecar (ci8 ci16 cf32 ri8 ci2 ri1 int8x2)",
         cli_fn_format, 0, 0},
        {"fs", 0, CLI_HZ, &o.fs_hz, 1, 1e12, "HZ", "capture sample rate if no sidecar", NULL, 0, 0},
        {"fc", 0, CLI_HZ, &o.fc_hz, 1, 1e12, "HZ", "capture centre frequency if no sidecar", NULL, 0, 0},
        {"if", 0, CLI_HZ, &o.if_hz, -1e12, 1e12, "HZ", "IF of a real capture if no sidecar", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx-replay", "[options] FILE",
        "Plays a capture (any bdsrx format; parameters from its SigMF/.tag sidecar or the\n"
        "options below) at --rate times real time to stdout (default), a file or a pipe, or\n"
        "serves it as an rtl_tcp dongle (u8 IQ) with --rtltcp PORT.",
        opts, NULL, 1, 1};
    int pr = cli_opt_parse(&cmd, argc, argv, &path, &nop);
    if (pr)
        return pr == 1 ? 0 : 2;
    float scale = (float)scale_d;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    bx_source_t *src = NULL;
    char err[300];
    int rc = 0;

    if (port >= 0) {
        bx_rtltcp_server_t *srv = NULL;
        if (bx_rtltcp_server_create(bind_addr, port, &srv, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx-replay: %s\n", err);
            return 1;
        }
        g_srv = srv;
        if (!quiet)
            fprintf(stderr, "bdsrx-replay: serving %s as rtl_tcp on %s:%d (rate %g)\n", path, bind_addr,
                    bx_rtltcp_server_port(srv), o.pace);
        do {
            if (open_file(path, &o, &src)) {
                rc = 1;
                break;
            }
            const bx_source_info_t *in = bx_source_info(src);
            float sc = isnan(scale) ? bx_rtltcp_default_scale(in->format) : scale;
            bx_rtltcp_client_state_t cs;
            int st = bx_rtltcp_server_serve(srv, src, sc, &cs, err, sizeof err);
            if (st != BX_OK) {
                fprintf(stderr, "bdsrx-replay: %s\n", err);
                /* a client asking for another rate was turned away; with --loop the next may fit */
                if (!(cs.refused_rate_hz && loop))
                    rc = 1;
            } else if (!quiet && cs.bytes_sent) {
                fprintf(stderr, "bdsrx-replay: client done, %llu samples sent", (unsigned long long)cs.bytes_sent / 2);
                if (cs.freq_hz && in->fc_hz > 0 && fabs(cs.freq_hz - in->fc_hz) > 1)
                    fprintf(stderr, " (client tuned %u Hz; the capture is at %.0f Hz)", cs.freq_hz, in->fc_hz);
                fprintf(stderr, "\n");
            }
            g_src = NULL;
            bx_source_destroy(src);
        } while (loop && !g_stop && rc == 0);
        g_srv = NULL;
        bx_rtltcp_server_destroy(srv);
        return rc;
    }

    if (open_file(path, &o, &src))
        return 1;
    const bx_source_info_t *in = bx_source_info(src);
    int fmt = to >= 0 ? to : in->format;
    bx_sink_meta_t m;
    bx_sink_meta_init(&m);
    m.format = fmt;
    m.fs_hz = in->fs_hz;
    m.fc_hz = in->fc_hz;
    if (fmt == BX_IQ_RI8 || fmt == BX_IQ_RI1)
        m.if_hz = in->if_hz;
    m.recorder = "bdsrx-replay";
    m.source = path;
    bx_sink_t *k = NULL;
    if (bx_sink_create(outp, &m, 1, &k, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx-replay: %s\n", err);
        bx_source_destroy(src);
        return 1;
    }
    size_t gran = bx_source_granule(src);
    /* ~10 ms blocks keep the pacing smooth for a downstream real-time reader */
    size_t chunk = in->fs_hz > 0 ? (size_t)(in->fs_hz / 100) : 65536;
    if (chunk < 1024)
        chunk = 1024;
    if (chunk > 65536)
        chunk = 65536;
    chunk = chunk / 8 * 8;
    int same = fmt == in->format;
    float sc = isnan(scale) ? bx_sink_lsb_scale(in->format) : scale;
    void *buf = malloc(same ? bx_iq_bytes_for(fmt, chunk) : chunk * sizeof(bx_cf32_t));
    long n;
    while (buf && (n = same ? bx_source_read_raw(src, buf, chunk / gran * gran, NULL)
                            : bx_source_read(src, buf, chunk, NULL)) > 0) {
        int st = same ? bx_sink_write_raw(k, buf, (size_t)n) : bx_sink_write_cf32(k, buf, (size_t)n, sc);
        if (st != BX_OK)
            break;
    }
    if (buf && n < 0) {
        fprintf(stderr, "bdsrx-replay: %s\n", bx_source_error(src));
        rc = 1;
    }
    g_src = NULL;
    bx_source_destroy(src);
    int fin = bx_sink_finish(k, err, sizeof err);
    bx_sink_destroy(k);
    if (fin != BX_OK) {
        /* a reader that goes away (head, a closed pipe) is a normal end for a player */
        if (!strstr(err, "closed the pipe")) {
            fprintf(stderr, "bdsrx-replay: %s\n", err);
            rc = 1;
        }
    }
    free(buf);
    return rc;
}
