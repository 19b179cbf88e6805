/* Re-acquisition cost and escalation (issue 14 §2) on the project's simulator: the receiver
 * (one thread, B1C 4 Msps, realistic sky: C/N0 by elevation, default 26 dB-Hz at the horizon
 * to 45 at the zenith so the low satellites are under the default search's reach) runs for
 * SECONDS of samples (default 60) from a hot start (ephemerides, a time hint 1.5 s off, a
 * position 40 km off: the predicted re-acquisition is active after the coarse-time fix).
 * Reports the receiver's CPU (thread CPU of bx_rx_process, the simulator's generation excluded),
 * the cold search's share, the periodic re-acquisition's share (narrow windows + escalations),
 * the escalations' own share, and which satellites each stage found, with their true C/N0.
 * Usage: bench_reacq [SECONDS [HORIZON_DBHZ [cold]]]
 * Lines starting "SUMMARY" are collected by bench/run.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simfeed.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const double secs = argc > 1 ? atof(argv[1]) : 60.0;
    const double horizon = argc > 2 ? atof(argv[2]) : 26.0;
    const int cold = argc > 3 && !strcmp(argv[3], "cold");
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    sc.start = bx_time_from_civil(2023, 3, 12, 4, 7, 3.37);
    sc.cn0_horizon_dbhz = horizon;
    sc.cn0_zenith_dbhz = 45.0;
    bx_nav_t nav;
    bx_nav_init(&nav);
    bx_simscen_constellation(&nav, sc.start);
    sc.iono = &nav.iono;
    bx_simfeed_config_t fc;
    bx_simfeed_config_default(&fc);
    fc.sc = sc;
    fc.nav = &nav;
    fc.nband = 1;
    fc.sig[0] = BX_SIG_B1C;
    fc.fs_hz[0] = 4.0e6;
    fc.seed = 3;
    bx_simfeed_t *f = NULL;
    char err[256];
    if (bx_simfeed_create(&fc, &f, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 1;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, fc.fs_hz[0], 0.0};
    rc.threads = 1;
    rc.pvt_mode = BX_PVT_B1C;
    bx_rx_t *rx = NULL;
    if (bx_rx_create(&rc, &rx, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (!cold) {
        bx_rx_add_nav(rx, &nav);
        bx_rx_set_time_hint(rx, bx_time_add(sc.start, 1.5), 2.0);
        const double llh[3] = {sc.llh0[0] + 0.25 * M_PI / 180, sc.llh0[1] + 0.25 * M_PI / 180, 0.0};
        double apr[3];
        bx_llh_to_ecef(llh, apr);
        bx_rx_set_approx_position(rx, apr);
    }
    const size_t n = (size_t)(fc.fs_hz[0] / 10.0);
    bx_cf32_t *buf[2] = {malloc(n * sizeof(bx_cf32_t)), NULL};
    double rx_cpu = 0.0, gen_cpu = 0.0;
    uint64_t first_found = 0; /* PRNs tracked once the cold search has run */
    double fix_s = -1.0;      /* first position fix (the predicted re-acquisition needs one) */
    for (int k = 0; k < (int)(secs * 10); k++) {
        double t0 = cpu_s();
        bx_simfeed_generate(f, 100, buf);
        gen_cpu += cpu_s() - t0;
        const bx_cf32_t *const xs[1] = {buf[0]};
        t0 = cpu_s();
        bx_rx_process(rx, xs, &n);
        rx_cpu += cpu_s() - t0;
        const bx_sol_t *sol = bx_rx_solution(rx);
        if (fix_s < 0 && sol && sol->fix != 0 && sol->n_used >= 4)
            fix_s = bx_rx_elapsed_s(rx);
        if (k == 2) {
            bx_rx_chan_status_t ch[BX_RX_MAX_CHANNELS];
            const int nc = bx_rx_channels(rx, ch, BX_RX_MAX_CHANNELS);
            for (int i = 0; i < nc; i++)
                first_found |= 1ull << ch[i].prn;
        }
    }
    bx_rx_acq_stats_t a;
    bx_rx_acq_stats(rx, &a);
    bx_rx_chan_status_t ch[BX_RX_MAX_CHANNELS];
    const int nc = bx_rx_channels(rx, ch, BX_RX_MAX_CHANNELS);
    uint64_t tracked = 0;
    for (int i = 0; i < nc; i++)
        tracked |= 1ull << ch[i].prn;
    int prn[64];
    double cn0[64], el[64];
    const int ns = bx_simfeed_sats(f, 0, prn, cn0, el, 64);
    printf("B1C 4 Msps, %s start, %.0f s, C/N0 %.0f-45 dB-Hz by elevation; first fix at %.1f s (-1: none); "
           "satellites simulated (el > 10 deg):\n",
           cold ? "cold" : "hot", secs, horizon, fix_s);
    for (int i = 0; i < ns; i++)
        printf("  C%02d el %5.1f deg C/N0 %4.1f dB-Hz: %s\n", prn[i], el[i], cn0[i],
               (first_found >> prn[i]) & 1 ? "cold search"
               : (a.weak_found_mask >> prn[i]) & 1 ? "escalation (weak search)"
               : (tracked >> prn[i]) & 1 ? "re-acquisition (narrow window or blind turn)"
                                         : "NOT FOUND");
    const double reacq = a.acq_cpu_s - a.first_cpu_s;
    printf("receiver CPU %.2f s (simulator %.2f s, not counted): cold search %.2f s (%.1f %%), re-acquisition "
           "%.2f s (%.1f %%) of which escalations %.2f s (%.1f %%, %d weak PRN searches, %d found); %d search blocks\n",
           rx_cpu, gen_cpu, a.first_cpu_s, 100.0 * a.first_cpu_s / rx_cpu, reacq, 100.0 * reacq / rx_cpu,
           a.weak_cpu_s, 100.0 * a.weak_cpu_s / rx_cpu, a.weak_searches, a.weak_found, a.blocks);
    printf("SUMMARY reacq B1C %s start %.0f s (one thread): re-acquisition %.1f %% of the receiver's CPU, %.1f %% "
           "after the cold search, %.1f %% of one core (escalations %.1f %% of one core, %d searches); cold search "
           "%.1f %% of the CPU; %d of %d simulated satellites tracked at the end, %d found by escalation\n",
           cold ? "cold" : "hot", secs, 100.0 * reacq / rx_cpu, 100.0 * reacq / (rx_cpu - a.first_cpu_s),
           100.0 * reacq / secs, 100.0 * a.weak_cpu_s / secs, a.weak_searches, 100.0 * a.first_cpu_s / rx_cpu, nc, ns,
           a.weak_found);
    free(buf[0]);
    bx_rx_destroy(rx);
    bx_simfeed_destroy(f);
    bx_nav_destroy(&nav);
    return 0;
}
