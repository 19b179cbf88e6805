/*
 * Re-acquisition plan: which satellites to search, and where in Doppler, once
 * ephemerides, a position and the receiver time are known (issue 14 §2).
 *
 * For every PRN of the signal's default set (bx_acq_default_prn) with an
 * ephemeris valid at t: satellite position and velocity (bx_satpos), elevation
 * from the receiver position (bx_azel), and the geometric Doppler
 *   fD = -(v_sat - v_rx) . u / lambda      (u = unit vector receiver -> satellite,
 *                                           static receiver, ECEF velocities)
 * of the signal's carrier (signals.md §1).  Satellites above the mask are
 * returned with that Doppler; the receiver adds its clock-drift estimate (the
 * mean of measured minus predicted Doppler over the tracked channels) and
 * searches a narrow window around it (bx_acq_search_window).  Pure function,
 * no allocation; thread-safe.
 *
 * Escalation (bx_reacq_escalate): predicted satellites the narrow search missed get the
 * weak-signal search (B1C 10 ms x 40, B2a 1 ms x 400 pilot+data; Pd 1.0 at 28 dB-Hz for B1C,
 * dsp/README.md) in the same window, a few PRNs at a time, least recently tried first; the
 * receiver bounds how often (src/rx/receiver.c REACQ_WEAK_*).
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "bdsrx/acq.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "reacq.h"

#define C_LIGHT 299792458.0

int bx_reacq_predict(const bx_nav_t *nav, const double rx_ecef_m[3], bx_time_t t, int sig, double mask_deg,
                     bx_reacq_sat_t *out, int max)
{
    if (!nav || !rx_ecef_m || !out || max <= 0)
        return 0;
    const double f = bx_signal_freq_hz(sig); /* B1C, B2a, B2b carriers (types.h) */
    double llh[3];
    bx_ecef_to_llh(rx_ecef_m, llh);
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX && n < max; prn++) {
        if (!bx_acq_default_prn(sig, prn))
            continue;
        const bx_eph_t *e = bx_nav_select(nav, prn, t);
        double p[3], v[3];
        if (!e || bx_satpos(e, t, p, v, NULL, NULL) != BX_OK)
            continue;
        double az, el;
        const double r = bx_azel(rx_ecef_m, llh, p, &az, &el);
        if (!(r > 0.0) || el * 180.0 / M_PI < mask_deg)
            continue;
        double rate = 0.0; /* range rate, m/s */
        for (int i = 0; i < 3; i++)
            rate += v[i] * (p[i] - rx_ecef_m[i]) / r;
        out[n].prn = prn;
        out[n].el_deg = el * 180.0 / M_PI;
        out[n].doppler_hz = -rate * f / C_LIGHT;
        n++;
    }
    return n;
}

static double thread_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int bx_reacq_weak_init(bx_reacq_weak_t *w, int sig, double fs_hz, double if_hz, double pfa, const char *wisdom)
{
    memset(w, 0, sizeof *w);
    if (sig != BX_SIG_B1C && sig != BX_SIG_B2A) {
        w->failed = 1;
        return BX_ERR_UNSUPPORTED;
    }
    bx_acq_config_t c;
    bx_acq_config_default(&c, sig, fs_hz, if_hz);
    bx_acq_config_weak(&c);
    c.pfa = pfa;
    /* measured plans only from existing wisdom: measuring here (seconds for 81920 points) would
     * stall the stream in the middle of a run */
    c.wisdom_path = wisdom;
    c.fft_measure = 0;
    const int st = bx_acq_create(&c, &w->acq, NULL, 0);
    if (st != BX_OK) {
        w->failed = 1;
        return st;
    }
    w->need = bx_acq_samples_needed(w->acq);
    return BX_OK;
}

void bx_reacq_weak_free(bx_reacq_weak_t *w)
{
    if (w && w->acq) {
        bx_acq_destroy(w->acq);
        w->acq = NULL;
    }
}

int bx_reacq_escalate(bx_reacq_weak_t *w, const bx_cf32_t *x, size_t n, uint64_t block_start, const int *prns,
                      const double *center_hz, const double *half_hz, bx_acq_result_t *res, int nprn, int max_prn,
                      uint64_t retry_samples)
{
    if (!w || !w->acq || n < w->need || max_prn <= 0)
        return 0;
    const double t0 = thread_cpu_s();
    int done = 0;
    while (done < max_prn) {
        int pick = -1; /* least recently escalated candidate */
        for (int i = 0; i < nprn; i++) {
            const int p = prns[i];
            if (p < 1 || p > BX_PRN_MAX || res[i].detected || !(half_hz[i] >= 0.0))
                continue;
            if (w->last[p] && w->last[p] - 1 + (retry_samples ? retry_samples : 1) > block_start)
                continue; /* searched in this block or too recently */
            if (pick < 0 || w->last[p] < w->last[prns[pick]])
                pick = i;
        }
        if (pick < 0)
            break;
        const int p = prns[pick];
        if (done == 0 && bx_acq_set_input(w->acq, x, w->need) != BX_OK)
            break;
        w->last[p] = block_start + 1;
        bx_acq_result_t r;
        if (bx_acq_search_window(w->acq, p, center_hz[pick], half_hz[pick], &r) == BX_OK && r.detected) {
            res[pick] = r;
            w->found++;
            w->found_mask |= 1ull << p;
        }
        w->searches++;
        done++;
    }
    w->cpu_s += thread_cpu_s() - t0;
    return done;
}
