/* bdsrx acquire — FFT acquisition of B1C / B2a pilots in a capture file (library: dsp/acq.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/acq.h"
#include "bdsrx/iq.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bdsrx acquire FILE --signal B1C|B2a [options] [IQ options]\n\n"
            "Searches the capture for BDS-3 pilots with a parallel (FFT) code-phase search and\n"
            "prints, for each detected PRN: prn, doppler_hz (received carrier minus nominal, at\n"
            "baseband x e^{+j2pi fD t}), code_phase_chips (chip of the primary code arriving at the\n"
            "first sample searched, 0..10230), cn0_dbhz (of the pilot), metric (peak / mean noise,\n"
            "detected when above the threshold set by --pfa; see include/bdsrx/acq.h).\n\n"
            "options:\n"
            "  --signal SIG    B1C (pilot, 10 ms coherent) or B2a (pilot, 1 ms coherent x 10)\n"
            "  --prn LIST      PRNs to search, e.g. 19,20 or 19-46,59 or 1-63 (default 6-58: the MEO and\n"
            "                  IGSO satellites that broadcast B1C and B2a, not the GEOs 1-5, 59-63)\n"
            "  --doppler HZ    search +-HZ (default 5000)\n"
            "  --step HZ       Doppler step (default about 2/(3 T_coh), rounded to FFT bins)\n"
            "  --coh MS        coherent integration in ms (default 10 B1C, 1 B2a)\n"
            "  --noncoh N      non-coherent sums (default 1 B1C, 10 B2a)\n"
            "  --pfa P         false-alarm probability per PRN search (default 1e-3)\n"
            "  --skip SEC      start SEC seconds into the file (default 0)\n"
            "  --threads N     search PRNs on N threads (default 1)\n"
            "  --data          B1C: add the data component's power to the pilot's (about 1 dB more\n"
            "                  sensitivity for twice the inverse FFTs; C/N0 then counts both)\n"
            "  --measure       FFTW_MEASURE plans (slower start, faster search)\n"
            "  --wisdom FILE   FFTW wisdom: read before planning, written after --measure (default: the\n"
            "                  cache ~/.cache/bdsrx/fftw-wisdom with measured plans; BDSRX_WISDOM=off\n"
            "                  for estimated plans and no cache, BDSRX_WISDOM=FILE for another file)\n"
            "  --all           also print the PRNs that were not detected\n"
            "  --json          one JSON object per line instead of the table\n"
            "IQ options (otherwise from a .sigmf-meta / .tag sidecar beside FILE):\n%s",
            bx_iq_flag_help());
}

/* "1-63", "19,20", "19-46,59" -> mask; 0 on success */
static int parse_num(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    const double x = strtod(v, &end);
    if (end == v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "bdsrx acquire: bad value '%s' for %s (expected %g..%g)\n", v, opt, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

static void print_result(const bx_acq_result_t *r, const char *sig, uint64_t first_sample, int json)
{
    if (json)
        printf("{\"signal\":\"%s\",\"prn\":%d,\"detected\":%s,\"doppler_hz\":%.2f,\"code_phase_chips\":%.4f,"
               "\"cn0_dbhz\":%.2f,\"metric\":%.3f,\"threshold\":%.3f,\"sample\":%llu}\n",
               sig, r->prn, r->detected ? "true" : "false", r->doppler_hz, r->code_phase_chips, r->cn0_dbhz,
               r->metric, r->threshold, (unsigned long long)first_sample);
    else
        printf("%4d %4s %11.2f %17.4f %9.1f %9.2f\n", r->prn, r->detected ? "yes" : "no", r->doppler_hz,
               r->code_phase_chips, r->cn0_dbhz, r->metric);
}

int cli_acquire(int argc, char **argv)
{
    const char *path = NULL, *sig_name = NULL, *prn_list = "1-63", *wisdom = NULL;
    int prn_given = 0;
    double doppler = 5000.0, step = 0.0, coh = 0.0, noncoh = 0.0, pfa = 1e-3, skip_s = 0.0, threads = 1.0;
    int all = 0, json = 0, measure = 0, use_data = 0;
    bx_iq_params_t flags;
    bx_iq_params_init(&flags);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        const int iq = bx_iq_parse_flag(&flags, a, v);
        if (iq < 0) {
            fprintf(stderr, "bdsrx acquire: bad or missing value for %s\n", a);
            return 2;
        }
        if (iq == 1) {
            i++;
            continue;
        }
        if (!strcmp(a, "--all")) {
            all = 1;
            continue;
        }
        if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (!strcmp(a, "--data")) {
            use_data = 1;
            continue;
        }
        if (!strcmp(a, "--measure")) {
            measure = 1;
            continue;
        }
        static const char *const value_opts[] = {"--signal", "--prn", "--doppler", "--step", "--coh",
                                                 "--noncoh", "--pfa", "--skip", "--threads", "--wisdom"};
        int takes_value = 0;
        for (size_t k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++)
            takes_value |= !strcmp(a, value_opts[k]);
        if (takes_value && !v) {
            fprintf(stderr, "bdsrx acquire: %s needs a value\n", a);
            return 2;
        }
        int bad = 0;
        if (!strcmp(a, "--signal"))
            sig_name = v;
        else if (!strcmp(a, "--prn"))
            prn_list = v, prn_given = 1;
        else if (!strcmp(a, "--wisdom"))
            wisdom = v;
        else if (!strcmp(a, "--doppler"))
            bad = parse_num(a, v, 0.0, 50e3, &doppler);
        else if (!strcmp(a, "--step"))
            bad = parse_num(a, v, 0.0, 10e3, &step);
        else if (!strcmp(a, "--coh"))
            bad = parse_num(a, v, 1.0, 100.0, &coh);
        else if (!strcmp(a, "--noncoh"))
            bad = parse_num(a, v, 1.0, 1000.0, &noncoh);
        else if (!strcmp(a, "--pfa"))
            bad = parse_num(a, v, 1e-300, 0.999, &pfa);
        else if (!strcmp(a, "--skip"))
            bad = parse_num(a, v, 0.0, 1e9, &skip_s);
        else if (!strcmp(a, "--threads"))
            bad = parse_num(a, v, 1.0, 16.0, &threads);
        else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "bdsrx acquire: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!path) {
            path = a;
            continue;
        } else {
            fprintf(stderr, "bdsrx acquire: more than one FILE ('%s', '%s')\n", path, a);
            return 2;
        }
        if (bad)
            return 2;
        i++;
    }
    if (!path || !sig_name) {
        fprintf(stderr, "bdsrx acquire: FILE and --signal are required\n");
        usage(stderr);
        return 2;
    }
    int sig;
    if (!strcasecmp(sig_name, "B1C"))
        sig = BX_SIG_B1C;
    else if (!strcasecmp(sig_name, "B2a"))
        sig = BX_SIG_B2A;
    else {
        fprintf(stderr, "bdsrx acquire: unknown signal '%s' (use B1C or B2a)\n", sig_name);
        return 2;
    }
    unsigned char mask[BX_PRN_MAX + 1];
    uint64_t prn_bits;
    const int prn_bad = cli_parse_prns(prn_list, &prn_bits);
    for (int k = 0; k <= BX_PRN_MAX; k++)
        mask[k] = prn_given ? (prn_bits >> k) & 1u : (unsigned)bx_acq_default_prn(sig, k);
    if (prn_bad != 0) {
        fprintf(stderr, "bdsrx acquire: bad PRN list '%s' (e.g. 1-63, 19,20 or 19-46,59)\n", prn_list);
        return 2;
    }

    char err[512];
    bx_iq_reader_t *rd = NULL;
    if (bx_iq_open(path, &flags, &rd, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx acquire: %s\n", err);
        return 1;
    }
    const bx_iq_params_t prm = *bx_iq_params(rd), *p = &prm; /* copy: the reader closes early */
    const double if_hz = isfinite(p->if_hz) ? p->if_hz : 0.0;
    bx_acq_config_t c;
    bx_acq_config_default(&c, sig, p->fs_hz, if_hz);
    c.doppler_max_hz = doppler;
    c.doppler_step_hz = step;
    if (coh > 0)
        c.coh_ms = (int)coh;
    if (noncoh > 0)
        c.noncoh = (int)noncoh;
    c.pfa = pfa;
    c.nthreads = (int)threads;
    c.fft_measure = measure;
    c.use_data = use_data;
    char wisdom_buf[4096];
    if (!wisdom) { /* the commands' cache: measured plans kept across runs */
        wisdom = cli_wisdom_path(wisdom_buf, sizeof wisdom_buf);
        measure |= wisdom != NULL;
    }
    c.fft_measure = measure;
    c.wisdom_path = wisdom;
    bx_acq_t *acq = bx_acq_create(&c);
    if (!acq) {
        fprintf(stderr, "bdsrx acquire: cannot set up the search for %s at %.6g MHz (see above)\n", sig_name,
                p->fs_hz / 1e6);
        bx_iq_close(rd);
        return 1;
    }
    const size_t need = bx_acq_samples_needed(acq);
    const uint64_t first = (uint64_t)llround(skip_s * p->fs_hz);
    const int64_t total = bx_iq_total_samples(rd);
    int rc = 0;
    bx_cf32_t *x = malloc(need * sizeof *x);
    if (!x) {
        fprintf(stderr, "bdsrx acquire: out of memory for %zu samples\n", need);
        rc = 1;
    } else if (total >= 0 && (uint64_t)total < first + need) {
        fprintf(stderr,
                "bdsrx acquire: %s holds %lld samples; the search needs %zu samples (%.1f ms) from sample %llu "
                "(--skip %g s): use a smaller --skip, --coh or --noncoh\n",
                path, (long long)total, need, need / p->fs_hz * 1e3, (unsigned long long)first, skip_s);
        rc = 1;
    } else if (first && bx_iq_seek(rd, first) != BX_OK) {
        fprintf(stderr, "bdsrx acquire: cannot skip to sample %llu: %s\n", (unsigned long long)first,
                bx_iq_error(rd));
        rc = 1;
    } else {
        size_t got = 0;
        while (got < need) {
            const long k = bx_iq_read(rd, x + got, need - got);
            if (k <= 0) {
                fprintf(stderr, "bdsrx acquire: %s: %s after %zu of %zu samples\n", path,
                        k < 0 ? bx_iq_error(rd) : "end of file", got, need);
                rc = 1;
                break;
            }
            got += (size_t)k;
        }
    }
    bx_iq_close(rd);

    int prns[BX_PRN_MAX], nprn = 0;
    for (int k = 1; k <= BX_PRN_MAX; k++)
        if (mask[k])
            prns[nprn++] = k;
    bx_acq_result_t res[BX_PRN_MAX];
    if (rc == 0 && bx_acq_set_input(acq, x, need) != BX_OK) {
        fprintf(stderr, "bdsrx acquire: internal error: input rejected\n");
        rc = 1;
    }
    if (rc == 0) {
        bx_acq_info_t in;
        bx_acq_get_info(acq, &in);
        if (!json)
            printf("# %s: %s %s, fs %.6g MHz, IF %.6g MHz, %d ms x %d, Doppler +-%.0f Hz step %.2f Hz "
                   "(%d bins), FFT %zu/%zu, pfa %g -> threshold %.2f, from sample %llu\n"
                   "# prn  det  doppler_hz  code_phase_chips  cn0_dbhz    metric\n",
                   path, sig == BX_SIG_B1C ? "B1C" : "B2a", use_data ? "pilot+data" : "pilot", p->fs_hz / 1e6, if_hz / 1e6, c.coh_ms, c.noncoh,
                   c.doppler_max_hz, in.step_hz, in.n_doppler, in.fft_size, in.ifft_size, c.pfa, in.threshold,
                   (unsigned long long)first);
        const int tty = isatty(STDERR_FILENO);
        const int chunk = c.nthreads > 1 ? 2 * c.nthreads : 1;
        const time_t t0 = time(NULL);
        for (int i = 0; i < nprn && rc == 0; i += chunk) {
            const int nn = (nprn - i < chunk) ? nprn - i : chunk;
            if (tty && time(NULL) - t0 >= 1) /* progress for searches that take a while */
                fprintf(stderr, "\racquire: PRN %d (%d of %d)  ", prns[i], i + 1, nprn);
            int st = (chunk == 1) ? bx_acq_search_input(acq, prns[i], &res[i])
                                  : bx_acq_search_many(acq, x, need, prns + i, nn, res + i);
            if (st != BX_OK) {
                fprintf(stderr, "bdsrx acquire: search failed: %s\n", bx_strerror(st));
                rc = 1;
                break;
            }
            for (int k = i; k < i + nn; k++)
                if (all || res[k].detected)
                    print_result(&res[k], sig == BX_SIG_B1C ? "B1C" : "B2a", first, json);
            fflush(stdout);
        }
        if (tty && time(NULL) - t0 >= 1)
            fprintf(stderr, "\r%40s\r", "");
    }
    free(x);
    bx_acq_destroy(acq);
    return rc;
}
