/* bdsrx-replay: play a capture at real-time pace (or flat out) to stdout, a
 * file or a pipe, or serve it to rtl_tcp clients.  Thin main over the file
 * source (pacing) and bdsrx/sink.h / bdsrx/rtltcp.h. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/rtltcp.h"
#include "bdsrx/sink.h"
#include "bdsrx/source.h"

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

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bdsrx-replay [options] FILE\n"
            "Plays a capture (any bdsrx format; parameters from its SigMF/.tag sidecar or the\n"
            "options below) at --rate times real time to stdout (default), a file or a pipe, or\n"
            "serves it as an rtl_tcp dongle (u8 IQ) with --rtltcp PORT.\n"
            "\n"
            "options:\n"
            "  -r, --rate X         playback speed: 1.0 real time (default), 0 as fast as possible\n"
            "  -o, --output OUT     write to OUT instead of stdout (OUT gets a SigMF sidecar)\n"
            "  -t, --to FMT         output format (default: the capture's own, copied bit-exactly)\n"
            "      --scale S        output scale for --to / rtl_tcp (default: keep integer codes)\n"
            "      --rtltcp PORT    serve rtl_tcp clients on PORT (one at a time)\n"
            "      --bind ADDR      rtl_tcp listen address (default 127.0.0.1: loopback only;\n"
            "                       0.0.0.0 exposes the capture to the network)\n"
            "      --loop           rtl_tcp: serve the capture again to the next client\n"
            "      --format FMT     capture format if no sidecar (ci8 ci16 cf32 ri8 ci2 ri1)\n"
            "      --fs HZ          capture sample rate if no sidecar\n"
            "      --fc HZ          capture centre frequency if no sidecar\n"
            "      --if HZ          IF of a real capture if no sidecar\n"
            "  -q, --quiet          no messages\n"
            "  -h, --help           this text\n");
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
    float scale = NAN;
    enum { O_SCALE = 256, O_RTLTCP, O_BIND, O_LOOP, O_FORMAT, O_FS, O_FC, O_IF };
    static const struct option lo[] = {
        {"rate", required_argument, 0, 'r'},    {"output", required_argument, 0, 'o'},
        {"to", required_argument, 0, 't'},      {"scale", required_argument, 0, O_SCALE},
        {"rtltcp", required_argument, 0, O_RTLTCP}, {"bind", required_argument, 0, O_BIND},
        {"loop", no_argument, 0, O_LOOP},       {"format", required_argument, 0, O_FORMAT},
        {"fs", required_argument, 0, O_FS},     {"fc", required_argument, 0, O_FC},
        {"if", required_argument, 0, O_IF},     {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "r:o:t:qh", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            o.pace = strtod(optarg, &end);
            if (*end || o.pace < 0) {
                fprintf(stderr, "bdsrx-replay: --rate wants a number >= 0 (1 = real time, 0 = flat out)\n");
                return 2;
            }
            break;
        case 'o': outp = optarg; break;
        case 't':
        case O_FORMAT: {
            int f;
            if (bx_iq_format_from_name(optarg, &f) != BX_OK) {
                fprintf(stderr, "bdsrx-replay: unknown format '%s' (ci8 ci16 cf32 ri8 ci2 ri1)\n", optarg);
                return 2;
            }
            if (c == 't')
                to = f;
            else
                o.format = f;
            break;
        }
        case O_SCALE: scale = strtof(optarg, NULL); break;
        case O_RTLTCP:
            port = (int)strtol(optarg, &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "bdsrx-replay: --rtltcp wants a TCP port 0..65535\n");
                return 2;
            }
            break;
        case O_BIND: bind_addr = optarg; break;
        case O_LOOP: loop = 1; break;
        case O_FS: o.fs_hz = atof(optarg); break;
        case O_FC: o.fc_hz = atof(optarg); break;
        case O_IF: o.if_hz = atof(optarg); break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "bdsrx-replay: need one capture FILE (try --help)\n");
        return 2;
    }
    const char *path = argv[optind];
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
                rc = 1;
            } else if (!quiet && cs.bytes_sent) {
                fprintf(stderr, "bdsrx-replay: client done, %llu samples sent", (unsigned long long)cs.bytes_sent / 2);
                if (cs.rate_hz && fabs(cs.rate_hz - in->fs_hz) > 1)
                    fprintf(stderr, " (client asked for %u sps; the capture is %.0f sps, not resampled)",
                            cs.rate_hz, in->fs_hz);
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
