/* bdsrx track — acquire, then track B1C / B2a pilots in a capture file and
 * print raw observables per channel per epoch (library: dsp/acq.c, dsp/trk.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/acq.h"
#include "bdsrx/iq.h"
#include "bdsrx/trk.h"
#include "cli.h"
#include "cli_opt.h"
#include "cli_plotdata.h"

/* Reads exactly n samples (fewer only at end of file); returns the count or -1. */
static long read_full(bx_iq_reader_t *rd, bx_cf32_t *x, size_t n, const char *path)
{
    size_t got = 0;
    while (got < n) {
        long k = bx_iq_read(rd, x + got, n - got);
        if (k < 0) {
            fprintf(stderr, "bdsrx track: %s: %s\n", path, bx_iq_error(rd));
            return -1;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (long)got;
}

static void print_obs(const bx_trk_obs_t *o, double t_s, const char *sig, int json)
{
    if (json) {
        printf("{\"t_s\":%.6f,\"signal\":\"%s\",\"prn\":%d,\"state\":\"%s\",\"cn0_dbhz\":%.2f,"
               "\"cn0_pilot_dbhz\":%.2f,\"doppler_hz\":%.3f,\"code_phase_chips\":%.6f,\"carrier_cycles\":%.4f,"
               "\"sec_sync\":%s,\"tx_in_period_s\":",
               t_s, sig, o->prn, bx_trk_state_name(o->state), o->cn0_dbhz, o->cn0_pilot_dbhz, o->doppler_hz,
               o->code_phase_chips, o->carrier_cycles, o->sec_sync ? "true" : "false");
        if (o->sec_sync)
            printf("%.12f", o->tx_in_period_s);
        else
            printf("null");
        printf(",\"lock_s\":%.3f,\"pll_lock\":%.3f}\n", o->lock_s, o->pll_lock);
    } else {
        printf("%9.3f %4d %-6s %6.2f %10.3f %15.6f %14.4f ", t_s, o->prn, bx_trk_state_name(o->state),
               o->cn0_dbhz, o->doppler_hz, o->code_phase_chips, o->carrier_cycles);
        if (o->sec_sync)
            printf("%16.12f", o->tx_in_period_s);
        else
            printf("%16s", "-");
        printf(" %7.2f\n", o->lock_s);
    }
}

int cli_track(int argc, char **argv)
{
    const char *path = NULL, *corr_path = NULL;
    double corr_ms = 300.0, corr_settle_s = 1.0;
    double seconds = 0.0, interval_ms = 100.0, skip_s = 0.0, pfa = 1e-3;
    int json = 0, quiet = 0, sig = -1, np;
    uint64_t prn_bits = 0; /* 0: the default set, bx_acq_default_prn (6-58, the same for B1C and B2a) */
    bx_iq_params_t flags;
    bx_iq_params_init(&flags);
    const cli_opt_t opts[] = {
        {"signal", 0, CLI_FN, &sig, 0, 0, "SIG", "B1C or B2a (default: from the sidecar's centre frequency)",
         cli_fn_signal, 0, 0},
        {"prn", 0, CLI_FN, &prn_bits, 0, 0, "LIST", "PRNs to search, e.g. 19,20 or 19-46,59 or 1-63 (default 6-58: the MEO\n"
         "and IGSO satellites that broadcast B1C and B2a, not the GEOs 1-5, 59-63)",
         cli_fn_prns, 0, 0},
        {"seconds", 0, CLI_DOUBLE, &seconds, 1e-3, 1e7, "S", "track S seconds (default: to the end of FILE)", NULL, 0,
         0},
        {"interval", 0, CLI_DOUBLE, &interval_ms, 1, 60000, "MS", "output interval in ms (default 100)", NULL, 0, 0},
        {"skip", 0, CLI_DOUBLE, &skip_s, 0, 1e9, "SEC", "start SEC seconds into the file (default 0)", NULL, 0, 0},
        {"pfa", 0, CLI_DOUBLE, &pfa, 1e-300, 0.999, "P", "acquisition false-alarm probability per PRN (default 1e-3)",
         NULL, 0, 0},
        {"json", 0, CLI_FLAG, &json, 0, 0, NULL, "one JSON object per line instead of the table", NULL, 0, 0},
        {"corr", 0, CLI_STRING, &corr_path, 0, 0, "OUT.json",
         "write the correlator shape of the one --prn (power vs code offset -1.5..+1.5\n"
         "chips over --corr-ms once locked for 1 s; bdsrx-plot --corr draws it)", NULL, 0, 0},
        {"corr-ms", 0, CLI_DOUBLE, &corr_ms, 1, 60000, "MS", "length of the --corr measurement (default 300)", NULL,
         0, 0},
        {"corr-settle", 0, CLI_DOUBLE, &corr_settle_s, 0, 1e6, "S",
         "--corr starts after the channel has been locked this long (default 1)", NULL, 0, 0},
        CLI_IQ_OPTS(&flags, "", "FILE"),
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx track", "FILE [--signal B1C|B2a] [options]",
        "Acquires the pilots (FFT search on the first block), then tracks every detected PRN\n"
        "(FLL-assisted PLL, DLL, pilot secondary-code sync) and prints per channel per epoch:\n"
        "t_s (seconds since the first sample of FILE), prn, state (PULLIN/LOCKED/LOST),\n"
        "cn0_dbhz (pilot+data), doppler_hz, code_phase_chips (primary code phase at the epoch\n"
        "sample), carrier_cycles (accumulated, RINEX sign), tx_in_period_s (transmit time within\n"
        "the pilot secondary-code period: B1C 18 s, B2a 0.1 s; '-' before secondary sync), lock_s.\n"
        "The sample format, rate and frequencies come from a .sigmf-meta / .tag sidecar beside\n"
        "FILE unless given.",
        opts, NULL, 1, 1};
    int pr = cli_opt_parse(&cmd, argc, argv, &path, &np);
    if (pr)
        return pr == 1 ? 0 : 2;
    unsigned char mask[BX_PRN_MAX + 1];
    for (int k = 0; k <= BX_PRN_MAX; k++)
        mask[k] = prn_bits ? (prn_bits >> k) & 1u : (unsigned char)bx_acq_default_prn(BX_SIG_B1C, k);

    char err[512];
    bx_iq_reader_t *rd = NULL;
    if (bx_iq_open(path, &flags, &rd, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx track: %s\n", err);
        return 1;
    }
    const bx_iq_params_t prm = *bx_iq_params(rd);
    if (sig < 0 && cli_signal_from_fc(prm.fc_hz, &sig) < 0) {
        fprintf(stderr, "bdsrx track: give --signal B1C or B2a (%s)\n",
                prm.fc_hz > 0 ? "the centre frequency is near neither band" : "no centre frequency known for FILE");
        bx_iq_destroy(rd);
        return 2;
    }
    const char *sn = sig == BX_SIG_B1C ? "B1C" : "B2a";
    const double fs = prm.fs_hz, if_hz = isfinite(prm.if_hz) ? prm.if_hz : 0.0;
    const uint64_t first = (uint64_t)llround(skip_s * fs);
    const int64_t total = bx_iq_total_samples(rd);
    uint64_t last = total >= 0 ? (uint64_t)total : UINT64_MAX;
    if (seconds > 0 && first + (uint64_t)llround(seconds * fs) < last)
        last = first + (uint64_t)llround(seconds * fs);

    int nmask = 0, corr_prn = 0;
    for (int k = 1; k <= BX_PRN_MAX; k++)
        if (mask[k]) {
            nmask++;
            corr_prn = k;
        }
    cli_corr_shape_t *cs = NULL;
    if (corr_path && (nmask != 1 || sig == BX_SIG_B2B)) {
        fprintf(stderr, "bdsrx track: --corr needs exactly one --prn of B1C or B2a\n");
        bx_iq_destroy(rd);
        return 2;
    }
    if (corr_path) {
        const double per_ms = sig == BX_SIG_B1C ? 10.0 : 1.0;
        if (cli_corr_shape_create(sig, corr_prn, fs, if_hz, (int)ceil(corr_ms / per_ms), corr_settle_s, &cs,
                                  err, sizeof err) != 0) {
            fprintf(stderr, "bdsrx track: %s\n", err);
            bx_iq_destroy(rd);
            return 1;
        }
    }

    /* ---- acquisition on the first block ---- */
    bx_acq_config_t ac;
    bx_acq_config_default(&ac, sig, fs, if_hz);
    ac.pfa = pfa;
    char wisdom[4096];
    ac.wisdom_path = cli_wisdom_path(wisdom, sizeof wisdom);
    ac.fft_measure = ac.wisdom_path != NULL;
    bx_acq_t *acq;
    char why[256];
    if (bx_acq_create(&ac, &acq, why, sizeof why) != BX_OK) {
        fprintf(stderr, "bdsrx track: cannot set up acquisition for %s at %.6g MHz: %s\n", sn, fs / 1e6, why);
        bx_iq_destroy(rd);
        return 1;
    }
    const size_t need = bx_acq_samples_needed(acq);
    size_t chunk = (size_t)llround(interval_ms * 1e-3 * fs);
    size_t bufn = need > chunk ? need : chunk;
    bx_cf32_t *x = malloc(bufn * sizeof *x);
    bx_trk_t *trk[BX_PRN_MAX];
    int ntrk = 0, rc = 0;
    if (!x) {
        fprintf(stderr, "bdsrx track: out of memory for %zu samples\n", bufn);
        rc = 1;
    } else if (first && bx_iq_seek(rd, first) != BX_OK) {
        fprintf(stderr, "bdsrx track: cannot skip to sample %llu: %s\n", (unsigned long long)first, bx_iq_error(rd));
        rc = 1;
    } else if (read_full(rd, x, need, path) != (long)need) {
        fprintf(stderr, "bdsrx track: %s is too short for acquisition (%zu samples needed from sample %llu)\n",
                path, need, (unsigned long long)first);
        rc = 1;
    } else if (bx_acq_set_input(acq, x, need) != BX_OK) {
        fprintf(stderr, "bdsrx track: internal error: acquisition input rejected\n");
        rc = 1;
    }
    for (int p = 1; p <= BX_PRN_MAX && rc == 0; p++) {
        if (!mask[p])
            continue;
        bx_acq_result_t r;
        if (bx_acq_search_input(acq, p, &r) != BX_OK || !r.detected)
            continue;
        bx_trk_config_t tc;
        bx_trk_config_default(&tc, sig, p, fs, if_hz);
        bx_trk_t *t;
        if (bx_trk_create(&tc, &r, first, &t, why, sizeof why) != BX_OK) {
            fprintf(stderr, "bdsrx track: PRN %d: %s\n", p, why);
            rc = 1;
            break;
        }
        trk[ntrk++] = t;
        if (!json)
            printf("# PRN %d acquired: doppler %.1f Hz, code phase %.3f chips, cn0 %.1f dB-Hz\n", p, r.doppler_hz,
                   r.code_phase_chips, r.cn0_dbhz);
    }
    bx_acq_destroy(acq);
    if (rc == 0 && ntrk == 0)
        fprintf(stderr, "bdsrx track: no %s signal detected in %s\n", sn, path);

    /* ---- tracking from the acquisition block on ---- */
    if (rc == 0 && ntrk > 0 && bx_iq_seek(rd, first) != BX_OK) {
        fprintf(stderr, "bdsrx track: cannot rewind to sample %llu: %s\n", (unsigned long long)first,
                bx_iq_error(rd));
        rc = 1;
    }
    if (rc == 0 && ntrk > 0) {
        if (!json)
            printf("# %s %s, fs %.6g MHz, %d channels, interval %g ms\n"
                   "#     t_s  prn state    cn0 doppler_hz code_phase_chips carrier_cycles   tx_in_period_s  "
                   "lock_s\n",
                   path, sn, fs / 1e6, ntrk, interval_ms);
        const int tty = isatty(STDERR_FILENO);
        const double span_s = last == UINT64_MAX ? -1.0 : (double)(last - first) / fs;
        time_t tlast = time(NULL);
        uint64_t pos = first;
        for (long k = 1;; k++) {
            uint64_t epoch = first + (uint64_t)llround(k * interval_ms * 1e-3 * fs);
            if (epoch > last)
                break;
            size_t n = (size_t)(epoch - pos);
            long got = read_full(rd, x, n, path);
            if (got < 0) {
                rc = 1;
                break;
            }
            /* --corr: pieces of at most 8 code periods (bx_trk_observe reaches back that far) */
            const size_t piece = cs ? (size_t)(fs * (sig == BX_SIG_B1C ? 0.08 : 0.008)) : (size_t)got;
            for (size_t off = 0; off < (size_t)got; off += piece) {
                const size_t m = (size_t)got - off < piece ? (size_t)got - off : piece;
                for (int i = 0; i < ntrk; i++) {
                    bx_trk_process(trk[i], x + off, m, pos + off);
                    if (cs)
                        cli_corr_shape_add(cs, trk[i], x + off, m, pos + off);
                }
            }
            pos += (uint64_t)got;
            if ((size_t)got < n)
                break; /* end of file */
            for (int i = 0; i < ntrk; i++) {
                bx_trk_obs_t o;
                if (bx_trk_observe(trk[i], epoch, &o) == BX_OK)
                    print_obs(&o, (double)epoch / fs, sn, json);
            }
            fflush(stdout);
            if (tty && time(NULL) != tlast) {
                tlast = time(NULL);
                if (span_s > 0)
                    fprintf(stderr, "\rtrack: %.1f of %.1f s  ", (double)(pos - first) / fs, span_s);
                else
                    fprintf(stderr, "\rtrack: %.1f s  ", (double)(pos - first) / fs);
            }
        }
        if (tty)
            fprintf(stderr, "\r%40s\r", "");
    }
    if (rc == 0 && cs && ntrk == 0)
        rc = 1; /* --corr asked for a PRN that is not there: said above */
    else if (rc == 0 && cs && cli_corr_shape_write(cs, corr_path, err, sizeof err) != 0) {
        fprintf(stderr, "bdsrx track: %s\n", err);
        rc = 1;
    }
    cli_corr_shape_destroy(cs);
    for (int i = 0; i < ntrk; i++)
        bx_trk_destroy(trk[i]);
    free(x);
    bx_iq_destroy(rd);
    return rc;
}
