/* bdsrx-convert: convert a capture between sample formats (e.g. ci2 -> ci8)
 * and write a SigMF sidecar.  Values keep the input's integer code units by
 * default, so conversions between formats that can hold the codes are
 * lossless (ci2 <-> ci8 <-> ci16 <-> cf32 for +-1/+-3 data, ci8 <-> ci16 <-> cf32). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/sink.h"
#include "bdsrx/source.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bdsrx-convert [options] IN OUT --to FMT\n"
            "Converts the capture IN (format/rate from its SigMF or .tag sidecar, or the options)\n"
            "to OUT in format FMT and writes OUT's SigMF sidecar (OUT.sigmf-meta).\n"
            "\n"
            "  -t, --to FMT      output format: ci8 ci16 cf32 ri8 ci2 ri1 (required)\n"
            "      --scale S     output = round(input * S); default keeps the input's integer codes\n"
            "                    (ci2 levels +-1/+-3 stay +-1/+-3); needed to narrow, e.g. ci16 -> ci8\n"
            "      --format FMT  input format if IN has no sidecar\n"
            "      --fs HZ       input sample rate if IN has no sidecar\n"
            "      --fc HZ       input centre frequency if IN has no sidecar\n"
            "      --if HZ       IF of a real input if IN has no sidecar\n"
            "  -q, --quiet       no summary line\n"
            "  -h, --help        this text\n"
            "Complex -> real (ri8, ri1) keeps the real part; real -> complex sets Q = 0.\n");
}

int main(int argc, char **argv)
{
    bx_source_opts_t o;
    bx_source_opts_default(&o);
    int to = -1, quiet = 0;
    float scale = NAN;
    enum { O_SCALE = 256, O_FORMAT, O_FS, O_FC, O_IF };
    static const struct option lo[] = {
        {"to", required_argument, 0, 't'},     {"scale", required_argument, 0, O_SCALE},
        {"format", required_argument, 0, O_FORMAT}, {"fs", required_argument, 0, O_FS},
        {"fc", required_argument, 0, O_FC},    {"if", required_argument, 0, O_IF},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "t:qh", lo, NULL)) != -1) {
        switch (c) {
        case 't':
        case O_FORMAT: {
            int f;
            if (bx_iq_format_from_name(optarg, &f) != BX_OK) {
                fprintf(stderr, "bdsrx-convert: unknown format '%s' (ci8 ci16 cf32 ri8 ci2 ri1)\n", optarg);
                return 2;
            }
            if (c == 't')
                to = f;
            else
                o.format = f;
            break;
        }
        case O_SCALE: {
            char *end;
            scale = strtof(optarg, &end);
            if (*end || !(scale > 0)) {
                fprintf(stderr, "bdsrx-convert: --scale wants a number > 0\n");
                return 2;
            }
            break;
        }
        case O_FS: o.fs_hz = atof(optarg); break;
        case O_FC: o.fc_hz = atof(optarg); break;
        case O_IF: o.if_hz = atof(optarg); break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "bdsrx-convert: need IN and OUT (try --help)\n");
        return 2;
    }
    if (to < 0) {
        fprintf(stderr, "bdsrx-convert: say which format to write with --to (ci8 ci16 cf32 ri8 ci2 ri1)\n");
        return 2;
    }
    const char *inp = argv[optind], *outp = argv[optind + 1];
    if (!strcmp(inp, outp)) {
        fprintf(stderr, "bdsrx-convert: IN and OUT are the same file\n");
        return 2;
    }
    char err[300];
    bx_source_t *src = NULL;
    if (bx_source_open(inp, &o, &src, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx-convert: %s\n", err);
        return 1;
    }
    const bx_source_info_t *in = bx_source_info(src);
    int in_real = in->format == BX_IQ_RI8 || in->format == BX_IQ_RI1;
    int out_real = to == BX_IQ_RI8 || to == BX_IQ_RI1;
    if (!in_real && out_real && !quiet)
        fprintf(stderr, "bdsrx-convert: note: %s is complex, %s is real: Q is discarded\n",
                bx_iq_format_name(in->format), bx_iq_format_name(to));
    bx_sink_meta_t m;
    bx_sink_meta_init(&m);
    m.format = to;
    m.fs_hz = in->fs_hz;
    m.fc_hz = in->fc_hz;
    if (out_real)
        m.if_hz = in->if_hz;
    m.recorder = "bdsrx-convert";
    m.source = inp;
    bx_sink_t *k = NULL;
    if (bx_sink_create(outp, &m, 1, &k, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx-convert: %s\n", err);
        bx_source_destroy(src);
        return 1;
    }
    float sc = isnan(scale) ? bx_sink_lsb_scale(in->format) : scale;
    enum { N = 65536 };
    int same = to == in->format && isnan(scale);
    void *buf = malloc(same ? bx_iq_bytes_for(to, N) : N * sizeof(bx_cf32_t));
    long n = 0;
    int rc = 0;
    while (buf && (n = same ? bx_source_read_raw(src, buf, N, NULL) : bx_source_read(src, buf, N, NULL)) > 0)
        if ((same ? bx_sink_write_raw(k, buf, (size_t)n) : bx_sink_write_cf32(k, buf, (size_t)n, sc)) != BX_OK)
            break;
    if (!buf || n < 0) {
        fprintf(stderr, "bdsrx-convert: %s\n", buf ? bx_source_error(src) : "out of memory");
        rc = 1;
    }
    uint64_t samples = bx_sink_samples(k), bytes = bx_sink_bytes(k);
    bx_source_destroy(src);
    int fin = bx_sink_finish(k, err, sizeof err);
    bx_sink_destroy(k);
    if (fin != BX_OK) {
        fprintf(stderr, "bdsrx-convert: %s\n", err);
        rc = 1;
    }
    if (!quiet && !rc)
        fprintf(stderr, "bdsrx-convert: %llu samples, %llu bytes of %s to %s\n", (unsigned long long)samples,
                (unsigned long long)bytes, bx_iq_format_name(to), outp);
    free(buf);
    return rc;
}
