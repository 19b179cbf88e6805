/*
 * End to end on the project's own simulator: B1C samples of the synthetic
 * constellation (static receiver, 45 dB-Hz) through the receiver engine
 * (acquisition, tracking, B-CNAV1 decoding, time anchors) and the positioning
 * loop inside the receiver (mode chosen from the stream: B1C; position and
 * clock feedback).  Truth comes from the scenario geometry, not from the receiver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simsig.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"

#define FS_HZ 4.092e6
#define DURATION_S 31.0
#define SLOTS 32

typedef struct {
    bx_simnav_t *nav[SLOTS];
} navset_t;

static int symbol_of(void *user, int slot, int sig, int prn, bx_time_t t_sym, int64_t index)
{
    navset_t *ns = user;
    (void)sig, (void)prn, (void)index;
    return ns->nav[slot] ? bx_simnav_symbol(ns->nav[slot], t_sym) : 0;
}

typedef struct {
    bx_simscen_config_t *sc;
    const bx_nav_t *truth_nav;
    int nfix;
    double first_fix_s;
    double max_err3d_m;
    double sum_err3d_m;
    double pr_rms_m;    /* worst per-epoch RMS of pseudorange errors after removing the common clock */
    int npr_epochs;
    int mode;           /* the receiver's positioning mode */
    int steered;        /* the clock bias of the latest fix is below the feedback threshold */
} ctx_t;

/* Pseudorange errors against the scenario geometry at the epoch: compare the
 * receiver's pseudorange with the simulated one at the same true time. */
static void check_pseudoranges(ctx_t *c, const bx_rx_t *rx, const bx_obs_t *obs, double clk_m)
{
    double pos[3], vel[3];
    double t_rel = bx_time_diff(obs->time, c->sc->start) - clk_m / BX_CLIGHT_MPS;
    bx_simscen_position(c->sc, t_rel, pos, vel);
    bx_time_t t_true = bx_time_add(c->sc->start, t_rel);
    double d[BX_OBS_MAX], mean = 0;
    int n = 0;
    for (int i = 0; i < obs->n; i++) {
        if (!(obs->d[i].flags & BX_OBS_PR))
            continue;
        const bx_eph_t *e = bx_nav_select(c->truth_nav, obs->d[i].prn, t_true);
        bx_simgeom_t g;
        if (!e || bx_simscen_geometry(c->sc, e, BX_SIG_B1C, pos, t_true, &g) != BX_OK)
            continue;
        d[n] = obs->d[i].pseudorange_m - g.pseudorange_m;
        mean += d[n++];
    }
    if (n < 4)
        return;
    mean /= n;
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += (d[i] - mean) * (d[i] - mean);
    double rms = sqrt(ss / n);
    if (rms > c->pr_rms_m)
        c->pr_rms_m = rms;
    c->npr_epochs++;
    (void)rx;
}

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    ctx_t *c = user;
    const bx_obs_t *obs = ep->obs;
    int npr = 0;
    for (int i = 0; i < obs->n; i++)
        npr += (obs->d[i].flags & BX_OBS_PR) != 0;
    assert_non_null(ep->sol);
    c->mode = ep->mode;
    if (ep->status != BX_OK) {
        if (npr > 0)
            printf("NOTE: epoch at %.1f s: %d pseudoranges, no fix: %s\n", bx_rx_elapsed_s(rx), npr, ep->sol->reason);
        return;
    }
    const bx_sol_t sol = *ep->sol;
    check_pseudoranges(c, rx, obs, sol.clk_bias_m);
    double truth[3], vel[3];
    bx_simscen_position(c->sc, 0, truth, vel);
    double e2 = 0;
    for (int i = 0; i < 3; i++)
        e2 += (sol.pos_m[i] - truth[i]) * (sol.pos_m[i] - truth[i]);
    double err = sqrt(e2);
    if (c->nfix == 0)
        c->first_fix_s = bx_rx_elapsed_s(rx);
    c->nfix++;
    c->sum_err3d_m += err;
    if (err > c->max_err3d_m)
        c->max_err3d_m = err;
    c->steered = fabs(sol.clk_bias_m) <= 300.0; /* the feedback already steered an earlier fix's bias */
}

static void test_b1c_static_fix(void **state)
{
    (void)state;
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    /* start 10 s before a B-CNAV1 frame boundary (BDT multiple of 18 s): the
     * pilot secondary code is synchronised by then and the first whole frame
     * completes at 28 s */
    sc.start = bx_time_from_civil(2023, 3, 12, 4, 5, 32);
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_simscen_constellation(&nav, sc.start), BX_OK);
    sc.iono = &nav.iono;

    navset_t navset;
    memset(&navset, 0, sizeof navset);
    bx_simnav_t **sn = navset.nav;
    bx_simsig_config_t gc;
    bx_simsig_config_default(&gc, FS_HZ);
    gc.seed = 7;
    gc.max_sats = SLOTS;
    gc.symbol = symbol_of;
    gc.user = &navset;
    bx_simsig_t *gen = NULL;
    bx_simsig_create(&gc, &gen, NULL, 0);
    assert_non_null(gen);
    int slot_prn[SLOTS] = {0}, nvis = 0, vis_prn[SLOTS];
    double pos[3], vel[3];
    bx_simscen_position(&sc, 0, pos, vel);

    ctx_t c;
    memset(&c, 0, sizeof c);
    c.sc = &sc;
    c.truth_nav = &nav;
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 1;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, FS_HZ, 0.0};
    rc.threads = 2;
    rc.on_epoch = on_epoch;
    rc.user = &c;
    char err[256];
    bx_rx_t *rx = NULL;
    bx_rx_create(&rc, &rx, err, sizeof err);
    assert_non_null(rx);

    const size_t nms = (size_t)(FS_HZ / 1000), chunk_ms = 100;
    bx_cf32_t *buf = malloc(chunk_ms * nms * sizeof *buf);
    assert_non_null(buf);
    for (long ms = 0; ms < (long)(DURATION_S * 1000); ms++) {
        bx_time_t t = bx_time_add(sc.start, ms * 1e-3), t1 = bx_time_add(t, 1e-3);
        for (int k = 0, slot = 0; k < nav.n_eph && slot < SLOTS; k++) {
            const bx_eph_t *e = &nav.eph[k];
            bx_simgeom_t g0, g1;
            assert_int_equal(bx_simscen_geometry(&sc, e, BX_SIG_B1C, pos, t, &g0), BX_OK);
            if (g0.el_rad < 10.0 * M_PI / 180)
                continue;
            assert_int_equal(bx_simscen_geometry(&sc, e, BX_SIG_B1C, pos, t1, &g1), BX_OK);
            if (slot_prn[slot] != e->prn) {
                slot_prn[slot] = e->prn;
                bx_simnav_destroy(sn[slot]);
                bx_simnav_create(&nav, e->prn, BX_SIG_B1C, &sn[slot], NULL, 0);
                vis_prn[nvis++] = e->prn;
            }
            bx_simsig_sat_t ss = {BX_SIG_B1C, e->prn, g0.t_sv, bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3, 0.0, 45.0};
            bx_simsig_set_sat(gen, slot, &ss);
            slot++;
        }
        bx_simsig_generate(gen, buf + (ms % chunk_ms) * nms, nms);
        if (ms % chunk_ms == chunk_ms - 1) {
            const bx_cf32_t *const xs[1] = {buf};
            const size_t n[1] = {chunk_ms * nms};
            assert_int_equal(bx_rx_process(rx, xs, n), BX_OK);
        }
    }
    /* every simulated satellite is tracked and locked */
    bx_rx_chan_status_t ch[BX_RX_MAX_CHANNELS];
    int nch = bx_rx_channels(rx, ch, BX_RX_MAX_CHANNELS);
    int locked = 0, phantom = 0;
    for (int i = 0; i < nch; i++) {
        int known = 0;
        for (int v = 0; v < nvis; v++)
            known |= vis_prn[v] == ch[i].prn;
        printf("NOTE: C%02d %s %.1f dB-Hz frames ok %d bad %d time %d\n", ch[i].prn, bx_trk_state_name(ch[i].state),
               ch[i].cn0_dbhz, ch[i].frames_ok, ch[i].frames_bad, ch[i].have_time);
        if (!known && ch[i].state == BX_TRK_LOCKED) {
            printf("NOTE: channel C%02d (%s, %.1f dB-Hz) is not a simulated satellite\n", ch[i].prn,
                   bx_trk_state_name(ch[i].state), ch[i].cn0_dbhz);
            phantom++;
        }
        locked += known && ch[i].state == BX_TRK_LOCKED; /* a false alarm still in pull-in is never reported */
    }
    printf("NOTE: %d satellites simulated above 10 deg, %d channels, %d locked; %d fixes, first at %.1f s, "
           "3D error mean %.2f max %.2f m; pseudorange error RMS (common clock removed) worst epoch %.2f m\n",
           nvis, nch, locked, c.nfix, c.first_fix_s, c.nfix ? c.sum_err3d_m / c.nfix : NAN, c.max_err3d_m,
           c.pr_rms_m);
    assert_int_equal(phantom, 0);
    assert_int_equal(locked, nvis);
    assert_true(c.nfix >= 1);
    assert_true(c.first_fix_s < 30.5);
    assert_true(c.max_err3d_m < 15.0);
    assert_true(c.npr_epochs >= 1);
    assert_true(c.pr_rms_m < 1.5);
    assert_int_equal(c.mode, BX_PVT_B1C); /* one B1C stream: B1C single frequency */
    assert_true(c.nfix < 2 || c.steered); /* the clock feedback brought the bias under 300 m */

    for (int i = 0; i < SLOTS; i++)
        bx_simnav_destroy(sn[i]);
    free(buf);
    bx_rx_destroy(rx);
    bx_simsig_destroy(gen);
    bx_nav_destroy(&nav);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_b1c_static_fix)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
