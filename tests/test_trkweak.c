/*
 * Tracking of weak signals (issue 14 §5) on the project's simulator: one
 * satellite locked at 40 dB-Hz that fades to 25 dB-Hz, static receiver
 * (B1C, B2a) and field vehicle (B1C: 4 m/s, U-turns of 6 m radius): lock must
 * hold and the C/N0 estimate follow the simulated value; the estimate is not
 * 0 after the first 0.1 s (B1C: acquisition's value until 10 periods are in,
 * as in the receiver; B2a without it: the tracker's own from 1 ms periods).  Truth: the simulator's C/N0 and geometry.
 * Statistics over 22-50 dB-Hz: bench/bench_weak.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/orbit.h"
#include "bdsrx/simfeed.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"

/* 3 s at 40 dB-Hz, then `secs` at cn0; returns the share locked after the fade,
 * the mean C/N0 from 2 s after the fade and the estimate at 0.1 s */
/* optional inputs / outputs of fade_worst */
typedef struct {
    uint64_t seed; /* simulator seed, 0 = the default of the case */
    int zeros;     /* out: C/N0 reported 0 after 0.1 s by a channel not LOST */
    int losses;    /* out: LOCKED -> not LOCKED transitions */
} fade_extra_t;

static void fade_worst(int sig, int field, double cn0, double secs, int acq_cn0_known, double *locked,
                       double *cn0_mean, double *cn0_100ms, double *cn0_worst, double *prelock_worst, fade_extra_t *x)
{
    /* acq_cn0_known = 2: pull-in at cn0 from the start (no fade), acquisition's C/N0 = cn0 - 1 */
    const int pull = acq_cn0_known == 2;
    const double fs = sig == BX_SIG_B1C ? 4.0e6 : 12.0e6;
    const int prn = 27;
    bx_nav_t nav;
    bx_nav_init(&nav);
    bx_simfeed_config_t fc;
    bx_simfeed_config_default(&fc);
    fc.sc.start = bx_time_from_civil(2023, 3, 12, 4, 5, 40.8);
    fc.sc.traj = field ? BX_TRAJ_FIELD : BX_TRAJ_STATIC;
    fc.sc.speed_mps = 4.0;
    fc.sc.row_length_m = 20.0;
    fc.sc.row_spacing_m = 12.0;
    assert_int_equal(bx_simscen_constellation(&nav, fc.sc.start), BX_OK);
    fc.nav = &nav;
    fc.sig[0] = sig;
    fc.fs_hz[0] = fs;
    fc.cn0_dbhz = pull ? cn0 : 40.0;
    fc.prn_mask = 1ull << prn;
    fc.seed = x && x->seed ? x->seed : pull ? 33 : 9; /* 33: bench_weak B2a 28 dB-Hz seed 0, which did not pull in before the Doppler hold */
    if (x)
        x->zeros = x->losses = 0;
    int prev_state = -1;
    bx_simfeed_t *f = NULL;
    char err[256];
    assert_int_equal(bx_simfeed_create(&fc, &f, err, sizeof err), BX_OK);
    /* start as acquisition would: true Doppler + 15 Hz, code phase + 0.15 chip */
    const bx_eph_t *e = bx_nav_select(&nav, prn, fc.sc.start);
    assert_non_null(e);
    double pos[3], vel[3];
    bx_simgeom_t g0, g1;
    bx_simscen_position(&fc.sc, 0.0, pos, vel);
    assert_int_equal(bx_simscen_geometry(&fc.sc, e, sig, pos, fc.sc.start, &g0), BX_OK);
    bx_simscen_position(&fc.sc, 1e-3, pos, vel);
    assert_int_equal(bx_simscen_geometry(&fc.sc, e, sig, pos, bx_time_add(fc.sc.start, 1e-3), &g1), BX_OK);
    const double fcar = sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    const double per = sig == BX_SIG_B1C ? 0.010 : 0.001;
    const double tsv = fmod((double)g0.t_sv.sec, 100.0) + g0.t_sv.frac_s;
    bx_acq_result_t a;
    memset(&a, 0, sizeof a);
    a.prn = prn;
    a.detected = 1;
    a.cn0_dbhz = pull ? cn0 - 1.0 : acq_cn0_known ? 39.0 : 0.0; /* 0: the tracker's own first estimate at 0.1 s */
    a.doppler_hz = fcar * (bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3 - 1.0) + 15.0;
    a.code_phase_chips = fmod(fmod(tsv, per) / per * 10230.0 + 0.15, 10230.0);
    bx_trk_config_t tc;
    bx_trk_config_default(&tc, sig, prn, fs, 0.0);
    bx_trk_t *t = NULL;
    assert_int_equal(bx_trk_create(&tc, &a, 0, &t, err, sizeof err), BX_OK);
    const size_t n = (size_t)(fs / 100.0);
    bx_cf32_t *buf = malloc(n * sizeof *buf);
    assert_non_null(buf);
    bx_cf32_t *bufs[2] = {buf, NULL};
    double lk = 0, all = 0, sum = 0, worst = 0, pre = 0;
    int cnt = 0;
    uint64_t s0 = 0;
    int first_lock = -1;
    for (int k = 0; k < (int)((3.0 + secs) * 100); k++, s0 += n) {
        if (k == 300 && !pull)
            bx_simfeed_set_cn0_offset(f, cn0 - 40.0);
        assert_int_equal(bx_simfeed_generate(f, 10, bufs), BX_OK);
        assert_int_equal(bx_trk_process(t, buf, n, s0), BX_OK);
        bx_trk_obs_t o;
        assert_int_equal(bx_trk_observe(t, s0 + n - 1, &o), BX_OK);
        if (k == 9)
            *cn0_100ms = o.cn0_dbhz;
        if (x && k >= 9 && o.state != BX_TRK_LOST && !(o.cn0_dbhz > 0.0))
            x->zeros++;
        if (x && prev_state == BX_TRK_LOCKED && o.state != BX_TRK_LOCKED)
            x->losses++;
        prev_state = o.state;
        if (first_lock < 0 && o.state == BX_TRK_LOCKED)
            first_lock = k;
        if (first_lock < 0 && k >= 9 && fabs(o.cn0_dbhz - cn0) > pre) /* from 0.1 s to the first lock */
            pre = fabs(o.cn0_dbhz - cn0);
        if (pull ? first_lock >= 0 : k >= 300) { /* pull-in: share locked from the first lock */
            all += 1;
            lk += o.state == BX_TRK_LOCKED;
        }
        if (k >= 500 && o.state == BX_TRK_LOCKED) {
            sum += o.cn0_dbhz;
            cnt++;
            if (fabs(o.cn0_dbhz - cn0) > worst)
                worst = fabs(o.cn0_dbhz - cn0);
        }
    }
    *locked = all > 0 ? lk / all : 0.0;
    *cn0_mean = cnt ? sum / cnt : 0.0;
    if (cn0_worst)
        *cn0_worst = cnt ? worst : INFINITY;
    if (prelock_worst)
        *prelock_worst = pull ? pre : NAN;
    printf("NOTE: %s %s %s %.0f dB-Hz: locked %.1f %% of %.0f s%s, C/N0 %.2f (%s, worst %.2f dB off), %.1f at "
           "0.1 s, lock at %.2f s\n",
           sig == BX_SIG_B1C ? "B1C" : "B2a", field ? "field" : "static", pull ? "pull-in at" : "fade 40 ->", cn0,
           100.0 * *locked, pull ? 3.0 + secs : secs, pull ? " (from the first lock)" : "", *cn0_mean,
           pull ? "mean from 5 s" : "mean from 2 s after the fade", worst,
           *cn0_100ms, first_lock >= 0 ? (first_lock + 1) * 0.01 : -1.0);
    free(buf);
    bx_trk_destroy(t);
    bx_simfeed_destroy(f);
    bx_nav_destroy(&nav);
}

static void fade(int sig, int field, double cn0, double secs, int acq_cn0_known, double *locked, double *cn0_mean,
                 double *cn0_100ms)
{
    fade_worst(sig, field, cn0, secs, acq_cn0_known, locked, cn0_mean, cn0_100ms, NULL, NULL, NULL);
}

static void check(int sig, int field, int acq_cn0_known)
{
    double locked, cn0, c100;
    fade(sig, field, 25.0, 6.0, acq_cn0_known, &locked, &cn0, &c100);
    assert_true(locked == 1.0);
    assert_true(fabs(cn0 - 25.0) < 1.5);
    assert_true(fabs(c100 - 40.0) < 6.0); /* 40 dB-Hz at the start: not 0 (10 periods: a rough estimate) */
}

static void test_b1c_static(void **state) { (void)state; check(BX_SIG_B1C, 0, 1); }
static void test_b1c_field(void **state) { (void)state; check(BX_SIG_B1C, 1, 1); }
static void test_b2a_static(void **state) { (void)state; check(BX_SIG_B2A, 0, 0); }

/* B2a pull-in at 28 dB-Hz from acquisition-like errors (+15 Hz, +0.15 chip): acquisition's
 * Doppler held until the differential secondary sync (before: the 1 ms Costas PLL walked the
 * carrier off; bench_weak 7/10 seeds pulled in, now 9-10/10; this seed failed before); lock
 * within 4 s, then no break, C/N0 within 2 dB, not 0 at 0.1 s */
static void test_b2a_pullin_28(void **state)
{
    (void)state;
    double locked, cn0, c100;
    fade(BX_SIG_B2A, 0, 28.0, 3.0, 2, &locked, &cn0, &c100);
    assert_true(locked == 1.0);
    /* 2 dB: right after the pull-in the B2a estimate scatters (bench_weak, 10 seeds, mean from
     * 2 to 6 s: -3.0 .. +0.2 dB, mean -0.75; this seed -1.6) */
    assert_true(fabs(cn0 - 28.0) < 2.0);
    assert_true(c100 > 20.0);
}

/* Strong signals (issue 14 §5: C/N0 within 1 dB up to 50 dB-Hz): pull-in at 50
 * dB-Hz, every observation from 5 to 8 s within 1 dB of the simulated C/N0 and
 * the mean within 0.5 dB.  The I/Q estimate with var(Q) as the noise read -1.0
 * dB static and -1.7 dB on the field trajectory (phase error and data/pilot code
 * cross-correlation counted as noise, dsp/trk_impl.h); bench_weak's table in
 * dsp/README.md has the spread over seeds. */
static void strong(int sig, int field)
{
    double locked, cn0, c100, worst;
    fade_worst(sig, field, 50.0, 5.0, 2, &locked, &cn0, &c100, &worst, NULL, NULL);
    assert_true(locked == 1.0);
    assert_true(fabs(cn0 - 50.0) < 0.5);
    assert_true(worst < 1.0);
    assert_true(c100 > 40.0);
}

/* Before the first lock (issue 14 §5, "within 1 dB ... not 0"): B1C pulling in at 30 dB-Hz
 * read 20.5-22.2 dB-Hz from 0.3 s to its lock at 1.1 s (M2M4 while the loops pull in,
 * bench_weak); the channel now reports acquisition's estimate (here truth - 1 dB) until its own
 * reads as much or it locks: every reading from 0.1 s to the lock within 1.5 dB. */
static void test_b1c_prelock_30(void **state)
{
    (void)state;
    double locked, cn0, c100, worst, pre;
    fade_worst(BX_SIG_B1C, 0, 30.0, 0.5, 2, &locked, &cn0, &c100, &worst, &pre, NULL);
    printf("NOTE: B1C pull-in at 30 dB-Hz: worst reading before the lock %.2f dB off\n", pre);
    assert_true(pre < 1.5);
    assert_true(c100 > 28.0);
}

/* After a loss of lock ("not 0 after the first 100 ms"): B2a on the field trajectory fading
 * 40 -> 25 dB-Hz, bench_weak seed 3 (simulator seed 3030), loses lock once and pulls in again;
 * M2M4 was blind meanwhile and the channel reported 0 in 32 observations.  Now the last
 * non-zero estimate is held: no 0, and the loss happened (the case is exercised). */
static void test_b2a_no_zero_after_loss(void **state)
{
    (void)state;
    double locked, cn0, c100;
    fade_extra_t x = {3030, 0, 0};
    fade_worst(BX_SIG_B2A, 1, 25.0, 10.0, 1, &locked, &cn0, &c100, NULL, NULL, &x);
    printf("NOTE: B2a field fade to 25 dB-Hz: %d losses of lock, C/N0 0 in %d observations\n", x.losses, x.zeros);
    if (x.losses == 0)
        printf("NOTE: no loss of lock on this run: the hold was not exercised\n");
    assert_int_equal(x.zeros, 0);
}

static void test_b1c_static_50(void **state) { (void)state; strong(BX_SIG_B1C, 0); }
static void test_b1c_field_50(void **state) { (void)state; strong(BX_SIG_B1C, 1); }
static void test_b2a_field_50(void **state) { (void)state; strong(BX_SIG_B2A, 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b1c_static),
        cmocka_unit_test(test_b1c_field),
        cmocka_unit_test(test_b2a_static),
        cmocka_unit_test(test_b2a_pullin_28),
        cmocka_unit_test(test_b1c_prelock_30),
        cmocka_unit_test(test_b2a_no_zero_after_loss),
        cmocka_unit_test(test_b1c_static_50),
        cmocka_unit_test(test_b1c_field_50),
        cmocka_unit_test(test_b2a_field_50),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
