/* Live engine benchmark: the real-time factor of `bdsrx live` (bdsrx/live.h) on replayed
 * captures, B1C 4.092 Msps and B2a 20.46 Msps, 12 satellites at 45 dB-Hz each (dsp/simsig,
 * ci8, written once to /tmp and reused), played flat out through the file live path (reader
 * thread + ring sized to hold the capture, so nothing is dropped), 2 worker threads.
 *
 * Reports per signal:
 *   - first block: acquisition of all 63 PRNs (the stall a live ring must absorb, also every
 *     10 s re-search of untracked PRNs), and the ring that takes at this rate;
 *   - tracking: seconds of signal per wall second with 12 channels, after pull-in;
 *   - overhead: the same with no channel (read, ring, int8 -> float, acquisition feed);
 *   - the most channels kept in real time: (1 - overhead) / per-channel cost, per wall second.
 * Usage: bench_live [seconds_of_signal (default 4)] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/iq.h"
#include "bdsrx/live.h"
#include "bdsrx/simsig.h"
#include "bdsrx/trk.h"

#define NSAT 12
#define TRACK_FROM_S 1.5 /* acquisition and pull-in are over by then */

static const int prns[NSAT] = {19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Writes the capture unless a file of the right size is there already. */
static int make_capture(const char *path, int sig, double fs_hz, double dur_s)
{
    const size_t blk = (size_t)llround(fs_hz / 100);
    const size_t nblk = (size_t)llround(dur_s * 100);
    struct stat st;
    if (stat(path, &st) == 0 && (size_t)st.st_size == 2 * blk * nblk)
        return 0;
    double t0 = mono_s();
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs_hz);
    c.noise_sigma = bx_simsig_default_sigma(BX_IQ_CI8);
    bx_simsig_t *g = NULL;
    bx_simsig_create(&c, &g, NULL, 0);
    FILE *f = fopen(path, "wb");
    bx_cf32_t *x = malloc(blk * sizeof *x);
    int8_t *raw = malloc(2 * blk);
    if (!g || !f || !x || !raw) {
        fprintf(stderr, "bench_live: cannot create %s\n", path);
        return -1;
    }
    for (int i = 0; i < NSAT; i++) {
        bx_simsig_sat_t s = {sig, prns[i], {2000000 + i, 0.0071 * (i + 1)}, 0.0, -3300.0 + 600.0 * i, 45.0, 0.0};
        bx_simsig_set_sat(g, i, &s);
    }
    int ok = 1;
    for (size_t b = 0; b < nblk && ok; b++) {
        bx_simsig_generate(g, x, blk);
        bx_iq_pack(BX_IQ_CI8, x, blk, 1.0f, raw);
        ok = fwrite(raw, 2, blk, f) == blk;
    }
    ok = fclose(f) == 0 && ok;
    free(x);
    free(raw);
    bx_simsig_destroy(g);
    printf("  generated %s (%.1f s of signal) in %.1f s\n", path, dur_s, mono_s() - t0);
    return ok ? 0 : -1;
}

typedef struct {
    double first_step_s;   /* wall time of the first block (acquisition) */
    double track_x;        /* signal seconds per wall second after TRACK_FROM_S */
    double total_x;        /* the same over the whole run */
    int locked;
    uint64_t dropped;
} result_t;

static int run(const char *path, int sig, double fs_hz, uint64_t prn_mask, size_t file_bytes, result_t *r)
{
    size_t ring = 1;
    while (ring < file_bytes)
        ring <<= 1;
    char uri[512], err[512];
    snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=%.0f&fc=%.0f&live=1&pace=0&ring=%zu", path, fs_hz,
             sig == BX_SIG_B2A ? BX_FREQ_B2A_HZ : BX_FREQ_B1C_HZ, ring);
    bx_live_config_t c;
    bx_live_config_default(&c);
    c.uri = uri;
    c.rx.threads = 2;
    c.rx.prn_mask = prn_mask;
    /* Searches inside the first block (as before live defaulted to acq_async = 1): played flat
     * out, a capture of a few seconds ends before a background search of 63 PRNs does, so no
     * channel would ever track and the tracking figures would measure an idle receiver. */
    c.rx.acq_async = 0;
    bx_live_t *lv = NULL;
    if (bx_live_create(&c, &lv, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bench_live: %s\n", err);
        return -1;
    }
    memset(r, 0, sizeof *r);
    double t0 = mono_s(), t_track = 0, s_track = 0;
    int first = 1;
    while (bx_live_step(lv) > 0) {
        double t = mono_s(), s = bx_rx_elapsed_s(bx_live_rx(lv));
        if (first) {
            r->first_step_s = t - t0;
            first = 0;
        }
        if (t_track == 0 && s >= TRACK_FROM_S) {
            t_track = t;
            s_track = s;
        }
    }
    double t1 = mono_s(), s1 = bx_rx_elapsed_s(bx_live_rx(lv));
    r->total_x = s1 / (t1 - t0);
    r->track_x = t_track > 0 ? (s1 - s_track) / (t1 - t_track) : 0;
    bx_rx_chan_status_t ch[BX_RX_MAX_CHANNELS];
    int n = bx_rx_channels(bx_live_rx(lv), ch, BX_RX_MAX_CHANNELS);
    for (int i = 0; i < n; i++)
        r->locked += ch[i].state == BX_TRK_LOCKED;
    bx_live_stats_t st;
    bx_live_stats(lv, &st);
    r->dropped = st.dropped_samples;
    bx_live_destroy(lv);
    return 0;
}

static void bench(const char *name, int sig, double fs_hz, double dur_s)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/bdsrx_bench_live_%s_%.0f.ci8", name, fs_hz);
    printf("%s %.3f Msps, %d satellites at 45 dB-Hz, %.0f s, ci8 through the file live path, 2 threads:\n", name,
           fs_hz / 1e6, NSAT, dur_s);
    if (make_capture(path, sig, fs_hz, dur_s) != 0)
        return;
    size_t bytes = (size_t)llround(fs_hz / 100) * (size_t)llround(dur_s * 100) * 2;
    result_t all, none;
    if (run(path, sig, fs_hz, 0, bytes, &all) != 0 || run(path, sig, fs_hz, 1ull << 63, bytes, &none) != 0)
        return;
    /* wall seconds per signal second: overhead + channels * per-channel */
    double w_all = 1.0 / all.track_x, w_none = 1.0 / none.track_x;
    double per_ch = (w_all - w_none) / NSAT;
    int max_ch = per_ch > 0 ? (int)floor((1.0 - w_none) / per_ch) : -1;
    int cap_ch = max_ch > 63 ? 63 : max_ch; /* 63 PRNs per signal */
    double ring_s = 128.0 * 1048576 / (2.0 * fs_hz); /* bdsrx live default ring, ci8 */
    printf("  all 63 PRNs searched: first block (acquisition) %.2f s wall; bdsrx live's 128 MiB ring holds %.2f s%s\n",
           all.first_step_s, ring_s, all.first_step_s > ring_s ? "  -> raise ring= for live use" : "");
    printf("  %d channels locked, %llu samples dropped; whole run incl. acquisition %.2fx real time\n", all.locked,
           (unsigned long long)all.dropped, all.total_x);
    if (all.locked < NSAT)
        printf("  WARNING: %d of %d satellites locked: the tracking figures below do not measure %d channels\n",
               all.locked, NSAT, NSAT);
    printf("  tracking %d channels: %.2fx real time (%.3f wall s per signal s)\n", NSAT, all.track_x, w_all);
    printf("  no channels (read, ring, convert): %.2fx real time (%.3f wall s per signal s)\n", none.track_x, w_none);
    printf("  per channel %.4f wall s per signal s -> most channels in real time on this machine: %d%s "
           "(tracking only; linear extrapolation %d)\n", per_ch, cap_ch, max_ch > 63 ? " (all PRNs)" : "", max_ch);
}

int main(int argc, char **argv)
{
    double dur_s = argc > 1 ? atof(argv[1]) : 4.0;
    if (!(dur_s >= 2.5))
        dur_s = 2.5;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double load[3] = {0, 0, 0};
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(la);
    }
    printf("bench_live: %ld CPUs online, load average %.2f (other work on the machine skews the numbers)\n", ncpu,
           load[0]);
    bench("B1C", BX_SIG_B1C, 4.092e6, dur_s);
    bench("B2a", BX_SIG_B2A, 20.46e6, dur_s);
    return 0;
}
