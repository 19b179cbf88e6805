/* bdsrx-rec: record any sample source to a file with a SigMF sidecar.
 * Thin main over bdsrx/source.h (reading) and bdsrx/sink.h (writing): raw
 * samples are copied bit-exactly in the source's own format, losses become
 * filler + a "dropped" annotation so file sample n stays stream sample n. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/sink.h"
#include "bdsrx/source.h"
#include "cli_opt.h"

static volatile sig_atomic_t g_stop;
static bx_source_t *volatile g_src;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_src)
        bx_source_stop(g_src); /* atomic store only */
}

static int fn_gain(const char *arg, void *value, char *err, size_t errlen)
{
    double *g = value;
    char *end;
    if (!strcmp(arg, "auto")) {
        *g = NAN;
        return 0;
    }
    *g = strtod(arg, &end);
    if (end == arg || *end || !isfinite(*g) || *g < -100 || *g > 100) {
        snprintf(err, errlen, "'%s': give the gain in dB (-100 .. 100) or auto", arg);
        return -1;
    }
    return 0;
}

static int fn_channel(const char *arg, void *value, char *err, size_t errlen)
{
    int *ch = value;
    if (!strcmp(arg, "both"))
        *ch = 0;
    else if (!strcmp(arg, "1") || !strcmp(arg, "2"))
        *ch = arg[0] - '0';
    else {
        snprintf(err, errlen, "'%s': give 1, 2 or both", arg);
        return -1;
    }
    return 0;
}

/* OUT for a 1-channel source; NAME.chN.EXT (NAME.chN.sigmf-data, OUT.chN without an
 * extension) for channel N of a 2-channel source. */
static void channel_path(const char *out, int ch, char *buf, size_t n)
{
    const char *slash = strrchr(out, '/');
    const char *dot = strrchr(slash ? slash : out, '.');
    const char *sig = strstr(out, ".sigmf-data");
    if (sig && !sig[11])
        dot = sig;
    if (ch == 0)
        snprintf(buf, n, "%s", out);
    else if (dot && dot != (slash ? slash + 1 : out))
        snprintf(buf, n, "%.*s.ch%d%s", (int)(dot - out), out, ch, dot);
    else
        snprintf(buf, n, "%s.ch%d", out, ch);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    bx_source_opts_t o;
    bx_source_opts_default(&o);
    double duration_s = 0, max_bytes = 0;
    int quiet = 0;
    double ring = 0;
    const char *operand[2];
    int nop = 0;
    const cli_opt_t opts[] = {
        {"freq", 'f', CLI_HZ, &o.fc_hz, 1, 1e12, "HZ", "centre frequency (default 1575.42e6 for devices)", NULL, 0, 0},
        {"fc", 0, CLI_HZ, &o.fc_hz, 1, 1e12, "HZ", "the same as --freq", NULL, CLI_HIDDEN, 0},
        {"fs", 's', CLI_HZ, &o.fs_hz, 1, 1e12, "HZ", "sample rate (rtlsdr/rtltcp default 2.048e6)", NULL, 0, 0},
        {"gain", 'g', CLI_FN, &o.gain_db, 0, 0, "DB|auto", "tuner gain (default auto)", fn_gain, 0, 0},
        {"agc", 0, CLI_FLAG, &o.agc, 0, 0, NULL, "RTL2832 digital AGC on", NULL, 0, 0},
        {"ppm", 0, CLI_DOUBLE, &o.ppm, -1000, 1000, "N", "frequency correction", NULL, 0, 0},
        {"bias-tee", 0, CLI_FLAG, &o.bias_tee, 0, 0, NULL, "power the antenna (rtlsdr, rtltcp)", NULL, 0, 0},
        {"ch", 0, CLI_FN, &o.channel, 0, 0, "N|both", "pocket channel 1, 2 or both (default 1)", fn_channel, 0, 0},
        {"conf", 0, CLI_STRING, &o.conf_path, 0, 0, "PATH", "pocket: MAX2771 configuration to program first", NULL, 0, 0},
        {"format", 0, CLI_FN, &o.format, 0, 0, "FMT",
         "input format of a file source without sidecar (ci8 ci16 cf32 ri8 ci2 ri1 int8x2)", cli_fn_format, 0, 0},
        {"duration", 'd', CLI_DOUBLE, &duration_s, 1e-9, 1e12, "S", "stop after S seconds of samples", NULL, 0, 0},
        {"max-bytes", 'n', CLI_HZ, &max_bytes, 1, 1e18, "N", "stop after N bytes (suffix k, M, G allowed)", NULL, 0, 0},
        {"ring", 0, CLI_HZ, &ring, 0, 1e12, "BYTES", "reader ring size (default 16M)", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx-rec", "[options] SOURCE OUT",
        "Records samples from SOURCE to OUT in the source's raw format, with a SigMF sidecar\n"
        "(OUT.sigmf-meta, or NAME.sigmf-meta for NAME.sigmf-data; none for OUT = '-').\n"
        "A 2-channel source (pocket:?ch=both) writes one file per channel: NAME.ch1.EXT, NAME.ch2.EXT.\n"
        "\n"
        "SOURCE: PATH | file:PATH (file:- = stdin) | rtlsdr:[N|serial=SN] | rtltcp://HOST:PORT |\n"
        "        pocket:[N] | pocketfile:DUMP?conf=FILE\n"
        "        optionally followed by ?key=value&...: freq|fc=HZ fs|rate=HZ gain=DB|auto agc=0|1\n"
        "        ppm=N bias=0|1 format=FMT if=HZ ch=1|2|both conf=FILE pace=X live=0|1 ring=BYTES\n"
        "        timeout_ms=MS block=SAMPLES",
        opts, "Ctrl-C stops cleanly: the file is flushed and the sidecar written.", 2, 2};
    int pr = cli_opt_parse(&cmd, argc, argv, operand, &nop);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (ring > 0)
        o.ring_bytes = (size_t)ring;
    const char *uri = operand[0], *outp = operand[1];
    char err[300];
    bx_source_t *src = NULL;
    int st = bx_source_open(uri, &o, &src, err, sizeof err);
    if (st != BX_OK) {
        fprintf(stderr, "bdsrx-rec: %s\n", err);
        return 1;
    }
    const bx_source_info_t *in = bx_source_info(src);
    g_src = src;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    size_t gran = bx_source_granule(src);
    int nch = in->channels > 1 ? in->channels : 1;
    size_t chunk = in->fs_hz > 0 ? (size_t)(in->fs_hz / 50) : 65536; /* ~20 ms: prompt progress */
    if (chunk < 4096)
        chunk = 4096;
    if (chunk > (1u << 20))
        chunk = 1u << 20;
    chunk = chunk / gran * gran;
    /* raw reads: the source's format, or device bytes (one per sample) for 2 channels */
    size_t raw_per_chunk = nch > 1 ? chunk : bx_iq_bytes_for(in->format, chunk);
    uint8_t *buf = malloc(raw_per_chunk), *part = nch > 1 ? malloc(chunk) : NULL;
    uint64_t limit = UINT64_MAX;
    if (duration_s > 0 && in->fs_hz > 0)
        limit = (uint64_t)llround(duration_s * in->fs_hz);
    else if (duration_s > 0) {
        fprintf(stderr, "bdsrx-rec: --duration needs a known sample rate (give --fs)\n");
        return 2;
    }
    if (max_bytes > 0) {
        /* bytes of all output files per granule of samples */
        size_t gb = 0;
        for (int c = 0; c < nch; c++)
            gb += bx_iq_bytes_for(in->ch[c].format, gran);
        uint64_t lb = (uint64_t)(max_bytes / gb) * gran;
        if (lb < limit)
            limit = lb;
    }
    bx_sink_t *k[2] = {NULL, NULL};
    char paths[2][1024];
    for (int c = 0; c < nch; c++) {
        bx_sink_meta_t m;
        bx_sink_meta_init(&m);
        m.format = in->ch[c].format;
        m.fs_hz = in->ch[c].fs_hz;
        m.fc_hz = in->ch[c].fc_hz;
        if (m.format == BX_IQ_RI8 || m.format == BX_IQ_RI1)
            m.if_hz = in->ch[c].if_hz;
        m.gain_db = in->gain_db;
        if (strcmp(in->kind, "file") != 0) {
            m.agc = in->agc;
            m.bias_tee = in->bias_tee;
        }
        char hw[200];
        snprintf(hw, sizeof hw, nch > 1 ? "%.160s, channel %d" : "%.160s", in->device, c + 1);
        m.hw = hw;
        m.recorder = "bdsrx-rec";
        m.source = uri;
        channel_path(outp, nch > 1 ? c + 1 : 0, paths[c], sizeof paths[c]);
        if (!buf || (nch > 1 && !part) || bx_sink_create(paths[c], &m, 1, &k[c], err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx-rec: %s\n", buf ? err : "out of memory");
            for (int j = 0; j < c; j++)
                bx_sink_destroy(k[j]);
            bx_source_destroy(src);
            return 1;
        }
    }
    double t0 = now_s(), last = 0;
    double start_utc = 0;
    int rc = 0, werr = 0;
    bx_source_block_info_t bi;
    while (bx_sink_samples(k[0]) < limit && !werr) {
        uint64_t left = limit - bx_sink_samples(k[0]);
        size_t want = left < chunk ? (size_t)left : chunk;
        if (want < gran)
            break;
        long n = bx_source_read_raw(src, buf, want, &bi);
        if (n < 0) {
            fprintf(stderr, "%sbdsrx-rec: %s\n", quiet ? "" : "\n", bx_source_error(src));
            rc = 1;
            break;
        }
        if (n == 0)
            break;
        if (start_utc == 0 && bi.time_s > 1e9)
            start_utc = bi.time_s - (double)bi.first_sample / (in->fs_hz > 0 ? in->fs_hz : 1);
        if (bi.dropped) {
            uint64_t room = limit - bx_sink_samples(k[0]);
            uint64_t d = bi.dropped < room ? bi.dropped : room;
            for (int c = 0; c < nch; c++)
                werr |= bx_sink_gap(k[c], d, bi.drop_time_s) != BX_OK;
            if (!quiet)
                fprintf(stderr, "\nbdsrx-rec: %llu samples dropped at sample %llu (reader overflow)\n",
                        (unsigned long long)bi.dropped, (unsigned long long)(bi.first_sample - bi.dropped));
            if (werr || bx_sink_samples(k[0]) >= limit)
                break;
            left = limit - bx_sink_samples(k[0]);
            if ((uint64_t)n > left)
                n = (long)(left / gran * gran);
        }
        if (nch == 1) {
            werr |= bx_sink_write_raw(k[0], buf, (size_t)n) != BX_OK;
        } else {
            for (int c = 0; c < nch; c++)
                werr |= bx_source_split_raw(src, buf, (size_t)n, c, part) < 0 ||
                        bx_sink_write_raw(k[c], part, (size_t)n) != BX_OK;
        }
        double t = now_s();
        if (!quiet && t - last >= 0.5) {
            last = t;
            bx_source_stats_t ss;
            bx_source_stats(src, &ss);
            uint64_t bytes = 0;
            for (int c = 0; c < nch; c++)
                bytes += bx_sink_bytes(k[c]);
            double sec = in->fs_hz > 0 ? bx_sink_samples(k[0]) / in->fs_hz : 0;
            fprintf(stderr, "\r%8.1f s recorded  %9.1f MB  %6.2f Msps  dropped %llu  ring %3.0f%%   ", sec,
                    bytes / 1e6, bx_sink_samples(k[0]) / (t - t0) / 1e6, (unsigned long long)ss.dropped_samples,
                    ss.ring_capacity ? 100.0 * ss.ring_fill_max / ss.ring_capacity : 0.0);
        }
    }
    {
        /* a loss right before the end of the stream has no following block to
         * report it: take it from the counters so the files keep their length */
        bx_source_stats_t ss;
        bx_source_stats(src, &ss);
        uint64_t seen = bx_sink_dropped(k[0]);
        if (rc == 0 && !werr && ss.dropped_samples > seen && bx_sink_samples(k[0]) < limit) {
            uint64_t d = ss.dropped_samples - seen;
            if (d > limit - bx_sink_samples(k[0]))
                d = limit - bx_sink_samples(k[0]);
            for (int c = 0; c < nch; c++)
                bx_sink_gap(k[c], d, ss.last_drop_time_s);
        }
    }
    if (g_stop && !quiet)
        fprintf(stderr, "\nbdsrx-rec: interrupted, closing the file");
    double fs = in->fs_hz;
    g_src = NULL;
    bx_source_destroy(src);
    for (int c = 0; c < nch; c++) {
        /* the start time is known only after the first block arrived */
        bx_sink_set_start_time(k[c], start_utc);
        uint64_t samples = bx_sink_samples(k[c]), bytes = bx_sink_bytes(k[c]), dropped = bx_sink_dropped(k[c]);
        int fin = bx_sink_finish(k[c], err, sizeof err);
        bx_sink_destroy(k[c]);
        if (fin != BX_OK) {
            fprintf(stderr, "%sbdsrx-rec: %s\n", quiet ? "" : "\n", err);
            rc = 1;
        }
        if (!quiet)
            fprintf(stderr, "\nbdsrx-rec: %llu samples (%.3f s), %llu bytes to %s, %llu samples dropped", 
                    (unsigned long long)samples, fs > 0 ? samples / fs : 0.0, (unsigned long long)bytes,
                    paths[c], (unsigned long long)dropped);
    }
    if (!quiet)
        fprintf(stderr, "\n");
    free(part);
    free(buf);
    return rc;
}
