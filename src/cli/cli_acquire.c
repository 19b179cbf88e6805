/* bdsrx acquire — FFT acquisition of B1C / B2a pilots and B2b-I in a capture file (library: dsp/acq.c). */
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
#include "cli_opt.h"
#include "cli_plotdata.h"

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

/* --signal for acquisition: B1C, B2a, or B2b (B2b-I, data only: GEO PPP-B2b and B-CNAV3) */
static int fn_signal_acq(const char *arg, void *value, char *err, size_t errlen)
{
    if (!strcasecmp(arg, "B2b") || !strcasecmp(arg, "B2bI") || !strcasecmp(arg, "B2b-I")) {
        *(int *)value = BX_SIG_B2B;
        return 0;
    }
    if (cli_fn_signal(arg, value, err, errlen) != 0) {
        snprintf(err, errlen, "unknown signal '%s' (use B1C, B2a or B2b)", arg);
        return -1;
    }
    return 0;
}

int cli_acquire(int argc, char **argv)
{
    const char *path = NULL, *wisdom = NULL, *grid = NULL;
    double doppler = 5000.0, step = 0.0, pfa = 1e-3, skip_s = 0.0;
    int all = 0, json = 0, measure = 0, use_data = 0, weak = 0, quiet = 0, sig = -1, coh = 0, noncoh = 0, threads = 1, np;
    uint64_t prn_bits = 0; /* 0: the default set, bx_acq_default_prn (6-58, the same for B1C and B2a) */
    bx_iq_params_t flags;
    bx_iq_params_init(&flags);
    const cli_opt_t opts[] = {
        {"signal", 0, CLI_FN, &sig, 0, 0, "SIG",
         "B1C (pilot, 5 ms coherent x 20), B2a (pilot+data, 1 ms coherent x 200) or B2b\n"
         "(B2b-I, data only: 1 ms coherent x 10; PPP-B2b GEOs C59-C63)\n"
         "(default: from the sidecar's centre frequency)", fn_signal_acq, 0, 0},
        {"prn", 0, CLI_FN, &prn_bits, 0, 0, "LIST", "PRNs to search, e.g. 19,20 or 19-46,59 or 1-63 (default 6-58: the MEO\n"
         "and IGSO satellites that broadcast B1C and B2a, not the GEOs 1-5, 59-63;\n"
         "B2b: 1-63)",
         cli_fn_prns, 0, 0},
        {"doppler", 0, CLI_DOUBLE, &doppler, 0, 50e3, "HZ", "search +-HZ (default 5000)", NULL, 0, 0},
        {"step", 0, CLI_DOUBLE, &step, 0, 10e3, "HZ", "Doppler step (default about 2/(3 T_coh); B2a and --weak 1/(3 T_coh); rounded to FFT bins)",
         NULL, 0, 0},
        {"coh", 0, CLI_INT, &coh, 1, 100, "MS", "coherent integration in ms (default 5 B1C, 1 B2a)", NULL, 0, 0},
        {"noncoh", 0, CLI_INT, &noncoh, 1, 1000, "N", "non-coherent sums (default 20 B1C, 200 B2a)", NULL, 0, 0},
        {"pfa", 0, CLI_DOUBLE, &pfa, 1e-300, 0.999, "P", "false-alarm probability per PRN search (default 1e-3)", NULL,
         0, 0},
        {"skip", 0, CLI_DOUBLE, &skip_s, 0, 1e9, "SEC", "start SEC seconds into the file (default 0)", NULL, 0, 0},
        {"threads", 0, CLI_INT, &threads, 1, 16, "N", "search PRNs on N threads (default 1)", NULL, 0, 0},
        {"data", 0, CLI_FLAG, &use_data, 0, 0, NULL,
         "add the data component's power to the pilot's (B2a: on by default;\n"
         "B1C: about 1 dB more sensitivity for twice the inverse FFTs)", NULL, 0, 0},
        {"weak", 0, CLI_FLAG, &weak, 0, 0, NULL,
         "weak-signal search: B1C 10 ms x 40, B2a 1 ms x 400 pilot+data, C/N0 floor\n"
         "25 dB-Hz (about 2 s CPU per PRN over +-5 kHz; narrow --doppler helps)", NULL, 0, 0},
        {"measure", 0, CLI_FLAG, &measure, 0, 0, NULL, "FFTW_MEASURE plans (slower start, faster search)", NULL, 0, 0},
        {"wisdom", 0, CLI_STRING, &wisdom, 0, 0, "FILE",
         "FFTW wisdom: read before planning, written after --measure (default: the\n"
         "cache ~/.cache/bdsrx/fftw-wisdom with measured plans; BDSRX_WISDOM=off\n"
         "for estimated plans and no cache, BDSRX_WISDOM=FILE for another file)", NULL, 0, 0},
        {"all", 0, CLI_FLAG, &all, 0, 0, NULL, "also print the PRNs that were not detected", NULL, 0, 0},
        {"json", 0, CLI_FLAG, &json, 0, 0, NULL, "one JSON object per line instead of the table", NULL, 0, 0},
        {"grid", 0, CLI_STRING, &grid, 0, 0, "OUT.json",
         "write the search grid of the one --prn (Doppler x code phase, power / noise\n"
         "floor, peak; bdsrx-plot --grid draws it)", NULL, 0, 0},
        CLI_IQ_OPTS(&flags, "", "FILE"),
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx acquire", "FILE [--signal B1C|B2a|B2b] [options]",
        "Searches the capture for BDS-3 pilots with a parallel (FFT) code-phase search and\n"
        "prints, for each detected PRN: prn, doppler_hz (received carrier minus nominal, at\n"
        "baseband x e^{+j2pi fD t}), code_phase_chips (chip of the primary code arriving at the\n"
        "first sample searched, 0..10230), cn0_dbhz (whole signal), metric (peak / mean noise,\n"
        "detected when above the threshold set by --pfa).  The sample format, rate and\n"
        "frequencies come from a .sigmf-meta / .tag sidecar beside FILE unless given.",
        opts, NULL, 1, 1};
    int pr = cli_opt_parse(&cmd, argc, argv, &path, &np);
    if (pr)
        return pr == 1 ? 0 : 2;
    unsigned char mask[BX_PRN_MAX + 1];
    for (int k = 0; k <= BX_PRN_MAX; k++)
        mask[k] = prn_bits ? (prn_bits >> k) & 1u : 1u; /* default set applied once the signal is known */

    char err[512];
    bx_iq_reader_t *rd = NULL;
    if (bx_iq_open(path, &flags, &rd, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx acquire: %s\n", err);
        return 1;
    }
    const bx_iq_params_t prm = *bx_iq_params(rd), *p = &prm; /* copy: the reader closes early */
    if (sig < 0 && p->fc_hz > 0 && fabs(p->fc_hz - BX_FREQ_B2B_HZ) < 10e6)
        sig = BX_SIG_B2B; /* a B2b capture (1207.14 MHz) */
    if (sig < 0 && cli_signal_from_fc(p->fc_hz, &sig) < 0) {
        fprintf(stderr, "bdsrx acquire: give --signal B1C, B2a or B2b (%s)\n",
                p->fc_hz > 0 ? "the centre frequency is near neither band" : "no centre frequency known for FILE");
        bx_iq_destroy(rd);
        return 2;
    }
    const char *sig_name = sig == BX_SIG_B1C ? "B1C" : sig == BX_SIG_B2B ? "B2b" : "B2a";
    const double if_hz = isfinite(p->if_hz) ? p->if_hz : 0.0;
    bx_acq_config_t c;
    bx_acq_config_default(&c, sig, p->fs_hz, if_hz);
    if (weak)
        bx_acq_config_weak(&c);
    c.doppler_max_hz = doppler;
    /* --step only when given: the defaults' own steps (B2a 333 Hz, the weak searches') stay;
     * another --coh than the configuration's takes the automatic step for that coh */
    if (coh > 0 && coh != c.coh_ms && !(step > 0.0))
        c.doppler_step_hz = 0.0;
    if (step > 0.0)
        c.doppler_step_hz = step;
    if (coh > 0)
        c.coh_ms = coh;
    if (noncoh > 0)
        c.noncoh = noncoh;
    c.pfa = pfa;
    c.nthreads = threads;
    c.fft_measure = measure;
    if (use_data)
        c.use_data = 1;
    char wisdom_buf[4096];
    if (!wisdom) { /* the commands' cache: measured plans kept across runs */
        wisdom = cli_wisdom_path(wisdom_buf, sizeof wisdom_buf);
        measure |= wisdom != NULL;
    }
    c.fft_measure = measure;
    c.wisdom_path = wisdom;
    bx_acq_t *acq;
    char why[256];
    if (bx_acq_create(&c, &acq, why, sizeof why) != BX_OK) {
        fprintf(stderr, "bdsrx acquire: cannot set up the search for %s at %.6g MHz: %s\n", sig_name,
                p->fs_hz / 1e6, why);
        bx_iq_destroy(rd);
        return 1;
    }
    {   /* a capture shorter than the default search: fewer non-coherent sums (less sensitive), said */
        const int64_t avail = bx_iq_total_samples(rd) - (int64_t)llround(skip_s * p->fs_hz);
        const double block = c.coh_ms * 1e-3 * p->fs_hz;
        const double need0 = (double)bx_acq_samples_needed(acq), over = need0 - c.noncoh * block;
        const int fit = block > 0 ? (int)floor(((double)avail - over) / block) : 0;
        if (noncoh <= 0 && bx_iq_total_samples(rd) >= 0 && need0 > (double)avail && fit >= 1 && fit < c.noncoh) {
            if (!quiet)
                fprintf(stderr, "bdsrx acquire: note: %s holds %.1f ms: searching with %d x %d ms instead of %d "
                        "(less sensitive)\n", path, (double)avail / p->fs_hz * 1e3, fit, c.coh_ms, c.noncoh);
            c.noncoh = fit;
            bx_acq_destroy(acq);
            if (bx_acq_create(&c, &acq, why, sizeof why) != BX_OK) {
                fprintf(stderr, "bdsrx acquire: cannot set up the search: %s\n", why);
                bx_iq_destroy(rd);
                return 1;
            }
        }
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
    bx_iq_destroy(rd);

    int prns[BX_PRN_MAX], nprn = 0;
    for (int k = 1; k <= BX_PRN_MAX; k++)
        if (mask[k] && (prn_bits || bx_acq_default_prn(sig, k)))
            prns[nprn++] = k;
    if (grid && nprn != 1) {
        fprintf(stderr, "bdsrx acquire: --grid needs exactly one --prn (got %d PRNs)\n", nprn);
        rc = 2;
    }
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
                   path, sig_name, c.use_data ? "pilot+data" : sig == BX_SIG_B2B ? "data (B2b-I)" : "pilot", p->fs_hz / 1e6, if_hz / 1e6, c.coh_ms, c.noncoh,
                   c.doppler_max_hz, in.step_hz, in.n_doppler, in.fft_size, in.ifft_size, c.pfa, in.threshold,
                   (unsigned long long)first);
        const int tty = !quiet && isatty(STDERR_FILENO);
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
                    print_result(&res[k], sig_name, first, json);
            fflush(stdout);
        }
        if (tty && time(NULL) - t0 >= 1)
            fprintf(stderr, "\r%40s\r", "");
        if (rc == 0 && grid && cli_acq_grid_json(acq, sig, p->fs_hz, &res[0], first, grid, err, sizeof err) != 0) {
            fprintf(stderr, "bdsrx acquire: %s\n", err);
            rc = 1;
        }
    }
    free(x);
    bx_acq_destroy(acq);
    return rc;
}
