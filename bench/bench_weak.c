/* Tracking down to weak signals (issue 14 §5): one satellite of the project's
 * simulator (src/sim/simfeed.c) at a fixed C/N0, static receiver or a field
 * vehicle (4 m/s along 20 m rows, U-turns of 6 m radius: 2.7 m/s^2), tracked
 * by one bx_trk channel started from the true code phase and Doppler with
 * acquisition-like errors (+15 Hz, +0.15 chip).  Per case: time to LOCKED,
 * share of the time locked after the first lock, loss-of-lock events (state
 * LOST or back to pull-in), the C/N0 estimate at 0.1 s and its mean error
 * against the simulated value after 2 s.  "pull": the whole run at the
 * case's C/N0 (pull-in and tracking); "hold": 3 s at 40 dB-Hz, then the
 * case's C/N0 (figures counted from the fade: does lock hold?).
 * Usage: bench_weak [seconds per case (default 15)] [B1C|B2a [static|field CN0 [hold]]] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/orbit.h"
#include "bdsrx/simfeed.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"

/* hold = 1: 3 s at 40 dB-Hz first, then the C/N0 of the case (does lock hold as a signal fades?) */
static void run_case(int sig, int field, double cn0, double secs, int hold)
{
    const double fs = getenv("WEAK_FS") ? atof(getenv("WEAK_FS")) : sig == BX_SIG_B1C ? 4.0e6 : 12.0e6;
    const int prn = 27; /* ~47 deg at the start */
    bx_nav_t nav;
    bx_nav_init(&nav);
    bx_simfeed_config_t fc;
    bx_simfeed_config_default(&fc);
    fc.sc.start = bx_time_from_civil(2023, 3, 12, 4, 5, 40.8);
    fc.sc.traj = field ? BX_TRAJ_FIELD : BX_TRAJ_STATIC;
    fc.sc.speed_mps = 4.0;
    fc.sc.row_length_m = 20.0;
    fc.sc.row_spacing_m = 12.0;
    bx_simscen_constellation(&nav, fc.sc.start);
    fc.nav = &nav;
    fc.sig[0] = sig;
    fc.fs_hz[0] = fs;
    fc.cn0_dbhz = hold ? 40.0 : cn0;
    fc.prn_mask = 1ull << prn;
    fc.seed = 5 + (uint64_t)cn0 + (getenv("WEAK_SEED") ? (uint64_t)atoll(getenv("WEAK_SEED")) * 1000 : 0);
    bx_simfeed_t *f;
    char err[256];
    if (bx_simfeed_create(&fc, &f, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    /* truth at sample 0: code phase and Doppler from the scenario geometry */
    const bx_eph_t *e = bx_nav_select(&nav, prn, fc.sc.start);
    double pos[3], vel[3];
    bx_simscen_position(&fc.sc, 0.0, pos, vel);
    bx_simgeom_t g0, g1;
    bx_simscen_geometry(&fc.sc, e, sig, pos, fc.sc.start, &g0);
    bx_simscen_position(&fc.sc, 1e-3, pos, vel);
    bx_simscen_geometry(&fc.sc, e, sig, pos, bx_time_add(fc.sc.start, 1e-3), &g1);
    const double fcar = sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    const double rc = sig == BX_SIG_B1C ? 1.023e6 : 10.23e6;
    const double per = 10230.0 / rc;
    const double tsv = fmod((double)g0.t_sv.sec, 100.0) + g0.t_sv.frac_s;
    bx_acq_result_t a;
    memset(&a, 0, sizeof a);
    a.prn = prn;
    a.detected = 1;
    a.cn0_dbhz = fc.cn0_dbhz - 1.0; /* as acquisition would estimate it (within ~1.5 dB) */
    a.doppler_hz = fcar * (bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3 - 1.0) + 15.0;
    a.code_phase_chips = fmod(fmod(tsv, per) / per * 10230.0 + (getenv("WEAK_CODE0") ? 0.0 : 0.15), 10230.0);
    if (getenv("WEAK_VERBOSE"))
        printf("    init doppler %.1f code %.3f el %.1f\n", a.doppler_hz, a.code_phase_chips, g0.el_rad * 57.3);
    bx_trk_config_t tc;
    bx_trk_config_default(&tc, sig, prn, fs, 0.0);
    bx_trk_t *t = NULL;
    if (bx_trk_create(&tc, &a, 0, &t, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const size_t n = (size_t)(fs / 100.0); /* 10 ms blocks */
    bx_cf32_t *buf = malloc(n * sizeof *buf);
    bx_cf32_t *bufs[2] = {buf, NULL};
    double t_lock = -1, locked_s = 0, after_s = 0, cn0_100ms = -1, cn0_sum = 0;
    int cn0_n = 0, losses = 0, prev = BX_TRK_PULLIN, zero = 0;
    uint64_t s0 = 0;
    for (int k = 0; k < (int)((secs + (hold ? 3.0 : 0.0)) * 100); k++, s0 += n) {
        if (hold && k == 300) {
            bx_simfeed_set_cn0_offset(f, cn0 - 40.0);
            t_lock = -1, locked_s = after_s = cn0_sum = 0, cn0_n = 0, losses = 0; /* count from the fade */
            if (bx_trk_state(t) == BX_TRK_LOCKED)
                t_lock = 0.0;
        }
        bx_simfeed_generate(f, 10, bufs);
        bx_trk_process(t, buf, n, s0);
        bx_trk_obs_t o;
        bx_trk_observe(t, s0 + n - 1, &o);
        const double ts = (k + 1) * 0.01 - (hold && k >= 300 ? 3.0 : 0.0);
        if (k == 9)
            cn0_100ms = o.cn0_dbhz;
        if (k >= 9 && o.state != BX_TRK_LOST && !(o.cn0_dbhz > 0.0))
            zero++; /* C/N0 reported 0 after 0.1 s by a channel still tracking */
        if (o.state == BX_TRK_LOCKED && t_lock < 0)
            t_lock = ts;
        if (t_lock >= 0) {
            after_s += 0.01;
            locked_s += o.state == BX_TRK_LOCKED ? 0.01 : 0.0;
            if (prev == BX_TRK_LOCKED && o.state != BX_TRK_LOCKED)
                losses++;
        }
        if (ts >= 2.0 && o.state == BX_TRK_LOCKED) {
            cn0_sum += o.cn0_dbhz;
            cn0_n++;
        }
        if (getenv("WEAK_VERBOSE") && k % 20 == 19) {
            /* code phase truth at the observed sample */
            const double tr = (double)(s0 + n - 1) / fs;
            double p2[3], v2[3];
            bx_simgeom_t gt;
            bx_simscen_position(&fc.sc, tr, p2, v2);
            bx_simscen_geometry(&fc.sc, e, sig, p2, bx_time_add(fc.sc.start, tr), &gt);
            const double ct = fmod(fmod((double)gt.t_sv.sec, 100.0) + gt.t_sv.frac_s, per) / per * 10230.0;
            double ce = o.code_phase_chips - ct;
            ce -= 10230.0 * floor(ce / 10230.0 + 0.5);
            printf("    t=%.2f %s lock %.2f cn0 %.1f/%.1f dop %.1f sync %d code err %.4f chips\n", ts,
                   bx_trk_state_name(o.state), o.pll_lock, o.cn0_dbhz, o.cn0_pilot_dbhz, o.doppler_hz, o.sec_sync, ce);
        }
        prev = o.state;
        if (o.state == BX_TRK_LOST)
            break;
    }
    printf("  %-3s %-6s %-4s %4.0f dB-Hz   lock at %5.2f s   locked %5.1f %%   losses %d   C/N0 at 0.1 s %5.1f   "
           "C/N0 error %+5.2f dB   C/N0 0 in %d obs\n",
           sig == BX_SIG_B1C ? "B1C" : "B2a", field ? "field" : "static", hold ? "hold" : "pull", cn0, t_lock,
           after_s > 0 ? 100.0 * locked_s / after_s : 0.0, losses, cn0_100ms,
           cn0_n ? cn0_sum / cn0_n - cn0 : NAN, zero);
    fflush(stdout);
    free(buf);
    bx_trk_destroy(t);
    bx_simfeed_destroy(f);
    bx_nav_destroy(&nav);
}

int main(int argc, char **argv)
{
    const double secs = argc > 1 ? atof(argv[1]) : 15.0;
    const int only = argc > 2 ? (!strcmp(argv[2], "B2a") ? BX_SIG_B2A : BX_SIG_B1C) : -1;
    static const double cn0s[] = {22, 25, 28, 30, 35, 40, 45, 50};
    if (argc > 4) { /* one case: secs sig static|field cn0 */
        run_case(only, !strcmp(argv[3], "field"), atof(argv[4]), secs, argc > 5);
        return 0;
    }
    printf("weak-signal tracking, %.0f s per case (one satellite, C/N0 = simulated total):\n", secs);
    for (int sig = BX_SIG_B1C; sig <= BX_SIG_B2A; sig++) {
        if (only >= 0 && sig != only)
            continue;
        for (int field = 0; field < 2; field++)
            for (int i = 0; i < 8; i++)
                run_case(sig, field, cn0s[i], secs, 0);
        for (int field = 0; field < 2; field++)
            for (int i = 0; i < 4; i++) /* 22 .. 30 dB-Hz after lock at 40 */
                run_case(sig, field, cn0s[i], secs, 1);
    }
    return 0;
}
