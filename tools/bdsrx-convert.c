/* bdsrx-convert: convert a capture between sample formats (e.g. ci2 -> ci8)
 * and write a SigMF sidecar.  Values keep the input's integer code units by
 * default, so conversions between formats that can hold the codes are
 * lossless (ci2 <-> ci8 <-> ci16 <-> cf32 for +-1/+-3 data, ci8 <-> ci16 <-> cf32). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/sink.h"
#include "bdsrx/source.h"
#include "cli_opt.h"

int main(int argc, char **argv)
{
    bx_source_opts_t o;
    bx_source_opts_default(&o);
    int to = -1, quiet = 0;
    double scale_d = NAN;
    const char *operand[2];
    int nop = 0;
    const cli_opt_t opts[] = {
        {"to", 't', CLI_FN, &to, 0, 0, "FMT", "output format: ci8 ci16 cf32 ri8 ci2 ri1 int8x2 (required)", cli_fn_format, 0, 0},
        {"scale", 0, CLI_DOUBLE, &scale_d, 1e-30, 1e30, "S",
         "output = round(input * S); default keeps the input's integer codes\n"
         "(ci2 levels +-1/+-3 stay +-1/+-3); needed to narrow, e.g. ci16 -> ci8", NULL, 0, 0},
        {"format", 0, CLI_FN, &o.format, 0, 0, "FMT", "input format if IN has no sidecar", cli_fn_format, 0, 0},
        {"fs", 0, CLI_HZ, &o.fs_hz, 1, 1e12, "HZ", "input sample rate if IN has no sidecar", NULL, 0, 0},
        {"fc", 0, CLI_HZ, &o.fc_hz, 1, 1e12, "HZ", "input centre frequency if IN has no sidecar", NULL, 0, 0},
        {"if", 0, CLI_HZ, &o.if_hz, -1e12, 1e12, "HZ", "IF of a real input if IN has no sidecar", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx-convert", "[options] IN OUT --to FMT",
        "Converts the capture IN (format/rate from its SigMF or .tag sidecar, or the options)\n"
        "to OUT in format FMT and writes OUT's SigMF sidecar (OUT.sigmf-meta).",
        opts, "Complex -> real (ri8, ri1) keeps the real part; real -> complex sets Q = 0.", 2, 2};
    int pr = cli_opt_parse(&cmd, argc, argv, operand, &nop);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (to < 0)
        return cli_opt_usage_error(&cmd, "say which format to write with --to (ci8 ci16 cf32 ri8 ci2 ri1 int8x2)");
    float scale = (float)scale_d;
    const char *inp = operand[0], *outp = operand[1];
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
