/* The --format --fs --fc --if flags shared by every sample-reading command (cli.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/iq.h"
#include "cli.h"

/* "4.092M", "1575.42e6", "-2k" -> Hz; 0 on success. */
static int parse_hz(const char *s, double *hz)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v))
        return -1;
    double mul = 1.0;
    if (*end == 'k' || *end == 'K')
        mul = 1e3, end++;
    else if (*end == 'M')
        mul = 1e6, end++;
    else if (*end == 'G')
        mul = 1e9, end++;
    if (!strcasecmp(end, "hz"))
        end += 2;
    if (*end)
        return -1;
    *hz = v * mul;
    return 0;
}

int cli_iq_parse_flag(bx_iq_params_t *p, const char *flag, const char *value)
{
    if (!p || !flag)
        return BX_ERR_ARG;
    int which;
    if (!strcmp(flag, "--format"))
        which = 0;
    else if (!strcmp(flag, "--fs"))
        which = 1;
    else if (!strcmp(flag, "--fc"))
        which = 2;
    else if (!strcmp(flag, "--if"))
        which = 3;
    else
        return 0;
    if (!value)
        return BX_ERR_ARG;
    double hz;
    switch (which) {
    case 0:
        return bx_iq_format_from_name(value, &p->format) == BX_OK ? 1 : BX_ERR_ARG;
    case 1:
        if (parse_hz(value, &hz) || hz <= 0.0)
            return BX_ERR_ARG;
        p->fs_hz = hz;
        return 1;
    case 2:
        if (parse_hz(value, &hz) || hz <= 0.0)
            return BX_ERR_ARG;
        p->fc_hz = hz;
        return 1;
    default:
        if (parse_hz(value, &hz))
            return BX_ERR_ARG;
        p->if_hz = hz;
        return 1;
    }
}

const char *cli_iq_flag_help(void)
{
    return "  --format F   sample format: ci8 ci16 cf32 ri8 ci2 ri1, or int8x2 (PocketSDR\n"
           "               INT8X2 = ci8 with Q negated; default: from the sidecar)\n"
           "  --fs HZ      sample rate, e.g. 4.092M (default: from the sidecar)\n"
           "  --fc HZ      centre (LO) frequency, e.g. 1575.42M (default: from the sidecar)\n"
           "  --if HZ      IF of the signal in the samples (real formats; complex default 0)\n"
           "  Sidecars: DATA.sigmf-meta (SigMF) or DATA.tag (PocketSDR) beside the data file.\n";
}
