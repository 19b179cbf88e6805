/* bdsrx info — describe a capture: format, rate, centre frequency, IF, length,
 * where the parameters came from, and the signal level of its first samples. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/iq.h"
#include "cli.h"
#include "cli_opt.h"

#define STATS_SAMPLES 1000000 /* level statistics over at most this many leading samples */

int cli_info(int argc, char **argv)
{
    bx_iq_params_t flags;
    bx_iq_params_init(&flags);
    const char *path = NULL;
    int quiet = 0, np;
    const cli_opt_t opts[] = {
        CLI_IQ_OPTS(&flags, "", "FILE"),
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx info", "FILE [--format F] [--fs HZ] [--fc HZ] [--if HZ]",
        "Describes an IQ capture: format, sample rate, centre frequency, IF, number of samples,\n"
        "duration, where the parameters came from, and the mean/RMS of the first samples.",
        opts, "Sidecars: DATA.sigmf-meta (SigMF) or DATA.tag (PocketSDR) beside the data file.", 1, 1};
    int pr = cli_opt_parse(&cmd, argc, argv, &path, &np);
    if (pr)
        return pr == 1 ? 0 : 2;
    char err[1024];
    bx_iq_reader_t *r;
    if (bx_iq_open(path, &flags, &r, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx info: %s\n", err);
        return 1;
    }
    const bx_iq_params_t *p = bx_iq_params(r);
    int64_t n = bx_iq_total_samples(r);
    printf("file        %s\n", path);
    printf("format      %s (%s)\n", bx_iq_format_name(p->format), bx_iq_format_describe(p->format));
    printf("sample rate %.6f MHz\n", p->fs_hz / 1e6);
    if (p->fc_hz > 0)
        printf("centre      %.6f MHz\n", p->fc_hz / 1e6);
    else
        printf("centre      unknown (give --fc)\n");
    printf("IF          %.6f MHz%s\n", p->if_hz / 1e6, bx_iq_format_is_complex(p->format) ? " (complex)" : " (real)");
    if (n >= 0)
        printf("samples     %lld\nduration    %.6f s\n", (long long)n, (double)n / p->fs_hz);
    else
        printf("samples     unknown (stream)\n");
    printf("parameters  %s\n", bx_iq_param_source(r));

    static bx_cf32_t buf[8192];
    double si = 0, sq = 0, pi = 0, pq = 0;
    long total = 0;
    while (total < STATS_SAMPLES) {
        size_t want = sizeof buf / sizeof buf[0];
        if ((long)want > STATS_SAMPLES - total)
            want = (size_t)(STATS_SAMPLES - total);
        long k = bx_iq_read(r, buf, want);
        if (k < 0) {
            fprintf(stderr, "bdsrx info: %s\n", bx_iq_error(r));
            bx_iq_destroy(r);
            return 1;
        }
        if (k == 0)
            break;
        for (long i = 0; i < k; i++) {
            double a = crealf(buf[i]), b = cimagf(buf[i]);
            si += a, sq += b, pi += a * a, pq += b * b;
        }
        total += k;
    }
    if (total > 0) {
        if (bx_iq_format_is_complex(p->format))
            printf("level       first %ld samples: mean I %.3f Q %.3f, RMS I %.3f Q %.3f\n", total, si / total,
                   sq / total, sqrt(pi / total), sqrt(pq / total));
        else
            printf("level       first %ld samples: mean %.3f, RMS %.3f\n", total, si / total, sqrt(pi / total));
    }
    bx_iq_destroy(r);
    return 0;
}
