/* Acquisition sensitivity on signals nobody here wrote: detection probability vs C/N0 on the
 * SignalSim captures of ../shared/testdata/signalsim (globsky/SignalSim, 2-bit, every satellite
 * at one C/N0), brought down to each C/N0 by added Gaussian noise and quantised to 2 bits again
 * (issue 14: Pd curves "on the project's simulator and on ../shared/testdata/signalsim").
 *
 *   bench_acq_pd_ss [trials] [first_dbhz] [last_dbhz] [b1c|b2a|all]
 *     trials per 1 dB step (default 200, rounded up to whole windows of all visible satellites),
 *     C/N0 range (default 26..40), signal (default b1c: what make bench runs; b2a costs about 4x).
 *     BDSRX_TESTDATA = the test-data folder (default ../shared/testdata, as the tests); PD_FULL=1 searches the whole +-5 kHz
 *     grid in every trial (two-stage search included) instead of the cells around the truth;
 *     PD_STEP_HZ=F another Doppler step.
 *
 * Method.  The capture's own noise: N_q = the mean power per component of its 2-bit levels
 * (+-1, +-3; the signals are 40 dB below it).  Its quantiser's threshold a (in noise sigmas)
 * follows from the fraction of magnitude bits set, p3 = P(|x| > a); for a small signal the
 * quantiser keeps the fraction (E[x Q(x)])^2 / E[Q^2] of the SNR (Bussgang):
 * E[x Q] = 2 (phi(0) + 2 phi(a)), E[Q^2] = 1 + 8 p3, so the capture's C/N0 is the truth's
 * cn0_effective_total_dbhz (pre-quantisation) minus that loss.  To reach C/N0 X, Gaussian noise
 * of power N_add = N_q (10^((C/N0_capture - X)/10) - 1) per component is added, and the sum is
 * quantised to 2 bits again with thresholds at 1 sigma (as bench_acq_pd's simulated trials, whose
 * C/N0 is also the one before the 2-bit quantiser).  A window: a random truth epoch (B1C every
 * 0.5 s of 30 s, B2a every 50 ms of 1 s) as the first sample, fresh noise, every visible
 * satellite searched (truth Doppler and code phase of that epoch: correct = Doppler within one
 * step, code within one chip) and two PRNs of the default set that are not in the sky ("wrong
 * PRN").  Below ~37 dB-Hz the added noise is most of the noise, so windows that reuse an epoch
 * are nearly independent trials.  Threshold: the full-grid cold-start one at pfa 1e-3 and the
 * configuration's cn0_min_dbhz, as bx_acq_search.
 * Lines starting "SUMMARY" are collected by bench/run.sh. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/acq.h"
#include "bdsrx/iq.h"
#include "pd_util.h"

#define MAXSAT 24
#define MAXEP 128

typedef struct {
    int prn;
    double doppler_hz, code_phase_chips;
} sat_t;

typedef struct {
    double t_s;
    int n;
    sat_t s[MAXSAT];
} epoch_t;

typedef struct {
    double fs_hz, cn0_truth;
    int n_ep;
    epoch_t ep[MAXEP];
} truth_t;

/* inverse of the standard normal CDF's upper tail: a with P(x > a) = q (bisection) */
static double upper_quantile(double q)
{
    double lo = -10.0, hi = 10.0;
    for (int i = 0; i < 200; i++) {
        const double m = 0.5 * (lo + hi);
        if (0.5 * erfc(m / sqrt(2.0)) > q)
            lo = m;
        else
            hi = m;
    }
    return 0.5 * (lo + hi);
}

static int load_truth(const char *path, truth_t *t)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return -1;
    memset(t, 0, sizeof *t);
    t->fs_hz = json_number_value(json_object_get(root, "sample_rate_hz"));
    t->cn0_truth = NAN;
    json_t *eps = json_object_get(root, "epochs");
    for (size_t e = 0; e < json_array_size(eps) && t->n_ep < MAXEP; e++) {
        json_t *je1 = json_array_get(eps, e), *sats = json_object_get(je1, "sats");
        epoch_t *ep = &t->ep[t->n_ep++];
        ep->t_s = json_number_value(json_object_get(je1, "t_s"));
        for (size_t i = 0; i < json_array_size(sats) && ep->n < MAXSAT; i++) {
            json_t *s = json_array_get(sats, i);
            const char *sig = json_string_value(json_object_get(s, "sig"));
            if (!sig || strncmp(sig, "BDS_", 4) != 0)
                continue;
            sat_t *o = &ep->s[ep->n++];
            o->prn = (int)json_integer_value(json_object_get(s, "prn"));
            o->doppler_hz = json_number_value(json_object_get(s, "doppler_hz"));
            o->code_phase_chips = json_number_value(json_object_get(s, "code_phase_chips"));
            const double c = json_number_value(json_object_get(s, "cn0_effective_total_dbhz"));
            if (isnan(t->cn0_truth))
                t->cn0_truth = c;
            else if (fabs(c - t->cn0_truth) > 0.01) /* the method needs one C/N0 for all */
                t->cn0_truth = -1.0;
        }
    }
    json_decref(root);
    return t->n_ep > 0 && t->fs_hz > 0.0 && t->cn0_truth > 0.0 ? 0 : -1;
}

/* Box-Muller pairs from the xorshift generator */
static void add_noise(bx_cf32_t *x, size_t n, double sigma, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        const double u1 = unif(s), u2 = unif(s);
        const double r = sigma * sqrt(-2.0 * log(u1));
        x[i] += (float)(r * cos(2.0 * M_PI * u2)) + (float)(r * sin(2.0 * M_PI * u2)) * I;
    }
}

static int run_sig(const char *shared, int sig, int trials, int lo, int hi, int full)
{
    const char *name = sig == BX_SIG_B1C ? "b1c" : "b2a";
    char pb[1024], pt[1024];
    snprintf(pb, sizeof pb, "%s/signalsim/%s", shared, sig == BX_SIG_B1C ? "b1c_static_30s.bin" : "b2a_static_1s.bin");
    snprintf(pt, sizeof pt, "%s/signalsim/%s", shared, sig == BX_SIG_B1C ? "b1c_static.truth.json" : "b2a_static.truth.json");
    static truth_t tr;
    FILE *f = fopen(pb, "rb");
    if (!f || load_truth(pt, &tr) != 0) {
        printf("SKIP: bench_acq_pd_ss %s: %s or its truth not readable (BDSRX_TESTDATA=%s)\n", name, pb, shared);
        if (f)
            fclose(f);
        return 0;
    }
    fseek(f, 0, SEEK_END);
    const size_t total = (size_t)ftell(f) * 2; /* ci2: 2 samples per byte */
    bx_acq_config_t c;
    bx_acq_config_default(&c, sig, tr.fs_hz, 0.0);
    /* PD_STEP_HZ=F overrides the Doppler step (as in bench_acq_pd) */
    if (getenv("PD_STEP_HZ") && atof(getenv("PD_STEP_HZ")) > 0.0 && atof(getenv("PD_STEP_HZ")) < 5000.0)
        c.doppler_step_hz = atof(getenv("PD_STEP_HZ"));
    bx_acq_t *a = NULL;
    char err[256];
    if (bx_acq_create(&c, &a, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        fclose(f);
        return 1;
    }
    bx_acq_info_t in;
    bx_acq_get_info(a, &in);
    const double thr = in.threshold;
    const size_t n = bx_acq_samples_needed(a);
    bx_cf32_t *cap = malloc(total * sizeof *cap), *x = malloc(n * sizeof *x);
    uint8_t *raw = malloc(bx_iq_bytes_for(BX_IQ_CI2, total));
    rewind(f);
    const size_t nb = fread(raw, 1, bx_iq_bytes_for(BX_IQ_CI2, total), f);
    fclose(f);
    if (!cap || !x || !raw || nb != bx_iq_bytes_for(BX_IQ_CI2, total) || n > total) {
        printf("SKIP: bench_acq_pd_ss %s: capture too short or out of memory\n", name);
        free(cap), free(x), free(raw);
        bx_acq_destroy(a);
        return 0;
    }
    bx_iq_convert(BX_IQ_CI2, raw, total, cap);
    /* the capture's noise and quantiser (method above) */
    double pw = 0.0, n3 = 0.0;
    for (size_t i = 0; i < total; i++) {
        const float re = crealf(cap[i]), im = cimagf(cap[i]);
        pw += (double)re * re + (double)im * im;
        n3 += (fabsf(re) > 2.0f) + (fabsf(im) > 2.0f);
    }
    const double nq = pw / (2.0 * (double)total), p3 = n3 / (2.0 * (double)total);
    const double aq = upper_quantile(p3 / 2.0), phi0 = 1.0 / sqrt(2.0 * M_PI), phia = phi0 * exp(-0.5 * aq * aq);
    const double exq = 2.0 * (phi0 + 2.0 * phia), eq2 = 1.0 + 8.0 * p3;
    const double loss_db = -10.0 * log10(exq * exq / eq2);
    const double cn0_cap = tr.cn0_truth - loss_db;
    printf("config %s on SignalSim %s: %d ms x %d%s, %.3f Msps, step %.1f Hz, %d cells, threshold %.3f (pfa 1e-3 "
           "full grid), %.1f ms per search, %s; capture: %zu samples, noise %.3f per component, magnitude bits %.3f "
           "(threshold %.2f sigma, 2-bit loss %.2f dB), C/N0 %.2f dB-Hz (truth %.2f before quantisation)\n",
           name, pb, c.coh_ms, c.noncoh, c.use_data ? " pilot+data" : " pilot", tr.fs_hz / 1e6, in.step_hz, in.n_doppler,
           thr, n / tr.fs_hz * 1e3, full ? "whole grid" : "cells within 1.5 steps of the truth", total, nq, p3, aq,
           loss_db, cn0_cap, tr.cn0_truth);
    /* epochs whose window fits in the capture */
    int nep = 0;
    while (nep < tr.n_ep && (size_t)llround(tr.ep[nep].t_s * tr.fs_hz) + n <= total)
        nep++;
    uint64_t s = 0x9E3779B97F4A7C15ull ^ (uint64_t)sig;
    double pd30 = -1, pd33 = -1, first90 = NAN;
    int wrong_total = 0, absent_total = 0;
    const double t0 = cpu_s();
    for (int cn0 = lo; cn0 <= hi; cn0++) {
        if (cn0 >= cn0_cap - 0.5) {
            printf("  %s C/N0 %2d dB-Hz: above the capture's own %.2f, skipped\n", name, cn0, cn0_cap);
            continue;
        }
        const double sig_add = sqrt(nq * (pow(10.0, (cn0_cap - cn0) / 10.0) - 1.0));
        const double sig_tot = sqrt(nq + sig_add * sig_add);
        int done = 0, ok = 0, wrong_cell = 0, wrong = 0, absent = 0;
        double cn0_err = 0.0;
        while (done < trials) {
            const epoch_t *ep = &tr.ep[rng(&s) % (uint64_t)nep];
            const size_t first = (size_t)llround(ep->t_s * tr.fs_hz);
            memcpy(x, cap + first, n * sizeof *x);
            add_noise(x, n, sig_add, &s);
            bx_iq_pack(BX_IQ_CI2, x, n, (float)(2.0 / sig_tot), raw); /* thresholds at 1 sigma */
            bx_iq_convert(BX_IQ_CI2, raw, n, x);
            bx_acq_set_input(a, x, n);
            for (int i = 0; i < ep->n; i++) {
                const sat_t *t = &ep->s[i];
                bx_acq_result_t r;
                if (full)
                    bx_acq_search_input(a, t->prn, &r);
                else
                    bx_acq_search_window(a, t->prn, t->doppler_hz, 1.5 * in.step_hz, &r);
                const int det = r.metric > thr && r.cn0_dbhz >= c.cn0_min_dbhz;
                const int right = fabs(r.doppler_hz - t->doppler_hz) < in.step_hz &&
                                  fabs(chip_diff(r.code_phase_chips, t->code_phase_chips)) < 1.0;
                ok += det && right;
                wrong_cell += det && !right;
                if (det && right)
                    cn0_err += r.cn0_dbhz - cn0;
                done++;
            }
            /* two PRNs of the default set not in the sky, at a visible satellite's Doppler */
            for (int k = 0, tries = 0; k < 2 && tries < 200; tries++) {
                const int prn = 1 + (int)(rng(&s) % 63);
                int vis = 0;
                for (int i = 0; i < ep->n; i++)
                    vis |= ep->s[i].prn == prn;
                if (vis || !bx_acq_default_prn(sig, prn))
                    continue;
                bx_acq_result_t r;
                if (full)
                    bx_acq_search_input(a, prn, &r);
                else
                    bx_acq_search_window(a, prn, ep->s[k % ep->n].doppler_hz, 1.5 * in.step_hz, &r);
                wrong += r.metric > thr && r.cn0_dbhz >= c.cn0_min_dbhz;
                absent++;
                k++;
            }
        }
        const double pd = (double)ok / done;
        if (cn0 == 30)
            pd30 = pd;
        if (cn0 == 33)
            pd33 = pd;
        if (isnan(first90) && pd >= 0.9)
            first90 = cn0;
        wrong_total += wrong;
        absent_total += absent;
        printf("  %s SignalSim C/N0 %2d dB-Hz: Pd %.3f (%d/%d), detections at a wrong cell %d, wrong-PRN detections "
               "%d / %d, C/N0 error %+.2f dB\n",
               name, cn0, pd, ok, done, wrong_cell, wrong, absent, ok ? cn0_err / ok : NAN);
        fflush(stdout);
    }
    printf("SUMMARY acq Pd on SignalSim %s (%d ms x %d%s, added noise + 2-bit, cold-start threshold pfa 1e-3): "
           "Pd(30 dB-Hz) %.2f, Pd(33 dB-Hz) %.2f, Pd >= 0.9 from %.0f dB-Hz; wrong-PRN detections %d / %d; "
           ">= %d trials per dB, %.0f s CPU\n",
           name, c.coh_ms, c.noncoh, c.use_data ? " P+D" : " P", pd30, pd33, first90, wrong_total, absent_total,
           trials, cpu_s() - t0);
    free(cap), free(x), free(raw);
    bx_acq_destroy(a);
    return 0;
}

int main(int argc, char **argv)
{
    const int trials = argc > 1 ? atoi(argv[1]) : 200;
    const int lo = argc > 2 ? atoi(argv[2]) : 26, hi = argc > 3 ? atoi(argv[3]) : 40;
    const char *which = argc > 4 ? argv[4] : "b1c";
    if (trials < 1 || trials > 100000 || lo < 10 || hi > 60 || lo > hi) {
        fprintf(stderr, "usage: bench_acq_pd_ss [trials] [first_dbhz] [last_dbhz] [b1c|b2a|all]\n");
        return 2;
    }
    const char *shared = getenv("BDSRX_TESTDATA") && *getenv("BDSRX_TESTDATA") ? getenv("BDSRX_TESTDATA") : "../shared/testdata";
    const int full = getenv("PD_FULL") && atoi(getenv("PD_FULL")) != 0;
    int rc = 0;
    if (!strcmp(which, "b1c") || !strcmp(which, "all"))
        rc |= run_sig(shared, BX_SIG_B1C, trials, lo, hi, full);
    if (!strcmp(which, "b2a") || !strcmp(which, "all"))
        rc |= run_sig(shared, BX_SIG_B2A, trials, lo, hi, full);
    return rc;
}
