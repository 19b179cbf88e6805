/*
 * First fix as soon as the signal allows (issue 14 §3, §4), end to end on the
 * project's simulator (src/sim/simfeed.c, C/N0 30-45 dB-Hz by elevation):
 *  - a B-CNAV1 frame that starts after lock but before the pilot secondary
 *    code is synchronised is decoded (the prompts kept from the start are
 *    placed at the sync);
 *  - hot start: ephemerides preloaded, time hint and an a-priori position:
 *    B1C fix within 5 s of samples, no frame decoded;
 *  - a time hint minutes off is corrected by the coarse-time fix and reported
 *    (B2a, 0.1 s secondary period);
 *  - the hot start's first search covers the satellites predicted from the
 *    hint and the a-priori position only; with a position from the other side
 *    of the Earth that plan finds nothing and is given up: the whole list on
 *    the next block, and the fix comes anyway.
 * Truth is the scenario (true start time, trajectory), never the receiver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/acq.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simfeed.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"

typedef struct {
    const bx_simscen_config_t *sc;
    int nfix, nframes_at_fix;
    double first_fix_s, first_err_m, max_err_m;
} ctx_t;

/* The receiver's own solution (mode from the stream, position/clock feedback inside). */
static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    ctx_t *c = user;
    const bx_obs_t *obs = ep->obs;
    if (!ep->have_time)
        return;
    if (ep->status != BX_OK) {
        printf("NOTE:   %.1f s: no fix: %s\n", bx_rx_elapsed_s(rx), ep->sol->reason);
        return;
    }
    const bx_sol_t sol = *ep->sol;
    /* truth at the true time of the epoch: receiver time minus the fix's clock bias */
    const double t_rel = bx_time_diff(obs->time, c->sc->start) - sol.clk_bias_m / BX_CLIGHT_MPS;
    double pos[3], vel[3];
    bx_simscen_position(c->sc, t_rel, pos, vel);
    const double err = sqrt((sol.pos_m[0] - pos[0]) * (sol.pos_m[0] - pos[0]) +
                            (sol.pos_m[1] - pos[1]) * (sol.pos_m[1] - pos[1]) +
                            (sol.pos_m[2] - pos[2]) * (sol.pos_m[2] - pos[2]));
    if (c->nfix == 0) {
        c->first_fix_s = bx_rx_elapsed_s(rx);
        c->first_err_m = err;
        bx_rx_chan_status_t ch[2 * BX_RX_MAX_CHANNELS];
        int n = bx_rx_channels(rx, ch, 2 * BX_RX_MAX_CHANNELS);
        for (int i = 0; i < n; i++)
            c->nframes_at_fix += ch[i].frames_ok;
    }
    c->nfix++;
    if (err > c->max_err_m)
        c->max_err_m = err;
}

/* Scenario with C/N0 30-45 dB-Hz by elevation; true start sc->start. */
static void scenario(bx_simscen_config_t *sc, bx_time_t start, int field)
{
    bx_simscen_config_default(sc);
    sc->start = start;
    sc->traj = field ? BX_TRAJ_FIELD : BX_TRAJ_STATIC;
    sc->speed_mps = 4.0;
    sc->row_length_m = 20.0;
    sc->row_spacing_m = 6.0;
    sc->cn0_horizon_dbhz = 30.0;
    sc->cn0_zenith_dbhz = 45.0;
}

/* Runs the receiver on the feed for `secs`; per 0.1 s chunk, calls back
 * `chunk` (may be NULL). */
static void run(bx_simfeed_t *f, const bx_simfeed_config_t *fc, bx_rx_t *rx, double secs,
                void (*chunk)(void *, bx_rx_t *), void *user)
{
    bx_cf32_t *buf[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    for (int b = 0; b < fc->nband; b++) {
        n[b] = (size_t)(fc->fs_hz[b] / 10.0);
        buf[b] = malloc(n[b] * sizeof *buf[b]);
        assert_non_null(buf[b]);
    }
    for (int k = 0; k < (int)llround(secs * 10); k++) {
        assert_int_equal(bx_simfeed_generate(f, 100, buf), BX_OK);
        const bx_cf32_t *const xs[2] = {buf[0], buf[1]};
        assert_int_equal(bx_rx_process(rx, xs, n), BX_OK);
        if (chunk)
            chunk(user, rx);
    }
    free(buf[0]);
    free(buf[1]);
}

/* ---- first frame after lock ---- */

typedef struct {
    double sync_s, frame_s;
} ff_t;

static void ff_chunk(void *user, bx_rx_t *rx)
{
    ff_t *u = user;
    bx_rx_chan_status_t ch[4];
    int n = bx_rx_channels(rx, ch, 4);
    if (n > 0 && ch[0].sec_sync && u->sync_s == 0)
        u->sync_s = bx_rx_elapsed_s(rx);
    if (n > 0 && ch[0].frames_ok > 0 && u->frame_s == 0)
        u->frame_s = bx_rx_elapsed_s(rx);
}

static void test_first_frame_after_lock(void **state)
{
    (void)state;
    /* a B-CNAV1 frame (BDT multiple of 18 s) leaves the satellite 1.2 s after
     * the first sample's signal: start = frame - 1.2 s + travel time (~75 ms) */
    const bx_time_t frame = bx_time_from_civil(2023, 3, 12, 4, 5, 42); /* 14742 s of day: 819 x 18 */
    bx_simscen_config_t sc;
    bx_nav_t nav;
    bx_nav_init(&nav);
    scenario(&sc, bx_time_add(frame, -1.2), 0);
    assert_int_equal(bx_simscen_constellation(&nav, sc.start), BX_OK);
    const int prn = 22; /* 81 deg */
    bx_simfeed_config_t fc;
    bx_simfeed_config_default(&fc);
    fc.sc = sc;
    fc.nav = &nav;
    fc.prn_mask = 1ull << prn;
    fc.cn0_dbhz = 38.0;
    fc.sc.cn0_horizon_dbhz = fc.sc.cn0_zenith_dbhz = 0.0; /* 38 dB-Hz */
    bx_simfeed_t *f;
    char err[256];
    assert_int_equal(bx_simfeed_create(&fc, &f, err, sizeof err), BX_OK);
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 1;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, fc.fs_hz[0], 0.0};
    rc.prn_mask = 1ull << prn;
    rc.threads = 1;
    bx_rx_t *rx = NULL;
    assert_int_equal(bx_rx_create(&rc, &rx, err, sizeof err), BX_OK);
    ff_t u = {0, 0};
    run(f, &fc, rx, 19.9, ff_chunk, &u);
    int nsat = bx_simfeed_sats(f, 0, NULL, NULL, NULL, 4);
    printf("NOTE: C%02d simulated (%d), frame starts at ~1.27 s of samples; secondary sync at %.1f s, first frame "
           "decoded at %.1f s\n",
           prn, nsat, u.sync_s, u.frame_s);
    assert_int_equal(nsat, 1);
    /* the frame began before the sync: only the kept prompts complete it */
    assert_true(u.sync_s > 1.3);
    assert_true(u.frame_s > 19.0 && u.frame_s <= 19.9);
    assert_non_null(bx_nav_select(bx_rx_nav(rx), prn, frame));
    bx_rx_destroy(rx);
    bx_simfeed_destroy(f);
    bx_nav_destroy(&nav);
}

/* ---- hot start ---- */

/* use_apr: 0 no a-priori position, 1 40 km off, 2 the antipode (a cache from the other side of the
 * Earth).  first_prns: PRNs in the first search (a plan from the hint covers the predicted ones). */
static void hot_start(int sig, double fs_hz, double hint_err_s, int use_apr, double cn0_fixed, double secs, ctx_t *c,
                      double *hint_err_seen, int *kind, int *first_prns, int *n_sim)
{
    const bx_time_t start = bx_time_from_civil(2023, 3, 12, 4, 7, 3.37);
    bx_simscen_config_t sc;
    bx_nav_t nav;
    bx_nav_init(&nav);
    scenario(&sc, start, 0);
    assert_int_equal(bx_simscen_constellation(&nav, start), BX_OK);
    bx_simfeed_config_t fc;
    bx_simfeed_config_default(&fc);
    fc.sc = sc;
    fc.nav = &nav;
    fc.sig[0] = sig;
    fc.fs_hz[0] = fs_hz;
    fc.seed = 11;
    if (cn0_fixed > 0) {
        fc.sc.cn0_horizon_dbhz = fc.sc.cn0_zenith_dbhz = 0.0;
        fc.cn0_dbhz = cn0_fixed;
    }
    bx_simfeed_t *f;
    char err[256];
    assert_int_equal(bx_simfeed_create(&fc, &f, err, sizeof err), BX_OK);

    memset(c, 0, sizeof *c);
    c->sc = &sc;
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 1;
    rc.stream[0] = (bx_rx_stream_t){sig, fs_hz, 0.0};
    rc.threads = 2;
    rc.on_epoch = on_epoch;
    rc.user = c;
    bx_rx_t *rx = NULL;
    assert_int_equal(bx_rx_create(&rc, &rx, err, sizeof err), BX_OK);
    assert_int_equal(bx_rx_add_nav(rx, &nav), BX_OK); /* the "--nav" / cache ephemerides */
    bx_rx_set_time_hint(rx, bx_time_add(start, hint_err_s), 2.0);
    /* a-priori position 40 km north-east of the truth */
    double llh[3] = {sc.llh0[0] + 0.25 * M_PI / 180, sc.llh0[1] + 0.25 * M_PI / 180, 0.0}, apr[3];
    bx_llh_to_ecef(llh, apr);
    if (use_apr == 2)
        for (int i = 0; i < 3; i++)
            apr[i] = -apr[i];
    if (use_apr)
        bx_rx_set_approx_position(rx, apr);
    run(f, &fc, rx, secs, NULL, NULL);
    bx_rx_acq_stats_t as;
    bx_rx_acq_stats(rx, &as);
    *first_prns = as.first_prns;
    *n_sim = bx_simfeed_sats(f, 0, NULL, NULL, NULL, BX_PRN_MAX);
    char msg[200];
    *kind = bx_rx_start_info(rx, hint_err_seen, msg, sizeof msg);
    bx_rx_chan_status_t ch[BX_RX_MAX_CHANNELS];
    int nch = bx_rx_channels(rx, ch, BX_RX_MAX_CHANNELS);
    for (int i = 0; i < nch; i++)
        printf("NOTE:   C%02d %s sync %d time %d %.1f dB-Hz\n", ch[i].prn, bx_trk_state_name(ch[i].state),
               ch[i].sec_sync, ch[i].have_time, ch[i].cn0_dbhz);
    printf("NOTE: %s hot start, hint %+.1f s, a-priori position %s: %s; first search %d PRNs (%d simulated); %d "
           "fixes, first at %.1f s (%.1f m, %d frames decoded then), max error %.1f m\n",
           sig == BX_SIG_B1C ? "B1C" : "B2a", hint_err_s, use_apr == 2 ? "antipode" : use_apr ? "40 km" : "none", msg,
           *first_prns, *n_sim, c->nfix, c->first_fix_s, c->first_err_m, c->nframes_at_fix, c->max_err_m);
    bx_rx_destroy(rx);
    bx_simfeed_destroy(f);
    bx_nav_destroy(&nav);
}

static void test_hot_start_b1c(void **state)
{
    (void)state;
    ctx_t c;
    double herr;
    int kind;
    int nfirst, nsim;
    hot_start(BX_SIG_B1C, 4.0e6, 0.7, 1, 0.0, 5.0, &c, &herr, &kind, &nfirst, &nsim);
    assert_int_equal(kind, 2);
    /* the plan: the simulated sky (above the simulator's mask) and a few more, not all 63 PRNs */
    assert_true(nfirst >= nsim && nfirst <= nsim + 16);
    assert_true(c.nfix >= 1);
    assert_true(c.first_fix_s <= 5.0);
    assert_int_equal(c.nframes_at_fix, 0);
    assert_true(fabs(herr - 0.7) < 0.01);
    assert_true(c.max_err_m < 30.0);
}

static void test_hot_start_b2a_wrong_hint(void **state)
{
    (void)state;
    ctx_t c;
    double herr;
    int kind;
    int nfirst, nsim;
    hot_start(BX_SIG_B2A, 12.0e6, -185.0, 0, 45.0, 3.0, &c, &herr, &kind, &nfirst, &nsim);
    assert_int_equal(kind, 2);
    int ndef = 0; /* no a-priori position: no plan, the whole default list */
    for (int p = 1; p <= BX_PRN_MAX; p++)
        ndef += bx_acq_default_prn(BX_SIG_B2A, p);
    assert_int_equal(nfirst, ndef);
    assert_true(c.nfix >= 1);
    assert_true(fabs(herr + 185.0) < 0.01);
    assert_true(c.max_err_m < 30.0);
}

/* A cached position from the other side of the Earth: the plan finds nothing, is given up, and
 * the next block searches the whole list; the fix comes anyway, at the right place. */
static void test_hot_start_wrong_position(void **state)
{
    (void)state;
    ctx_t c;
    double herr;
    int kind, nfirst, nsim;
    hot_start(BX_SIG_B1C, 4.0e6, 0.7, 2, 0.0, 6.0, &c, &herr, &kind, &nfirst, &nsim);
    assert_true(nfirst < 40); /* the plan was tried (its sky is another one) */
    assert_int_equal(kind, 2);
    assert_true(c.nfix >= 1);
    assert_true(c.max_err_m < 30.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_frame_after_lock),
        cmocka_unit_test(test_hot_start_b1c),
        cmocka_unit_test(test_hot_start_b2a_wrong_hint),
        cmocka_unit_test(test_hot_start_wrong_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
