/*
 * End to end on the project's own simulator, both bands: B1C + B2a samples of
 * the synthetic constellation through the receiver engine (two streams:
 * acquisition, tracking, B-CNAV2 decoding, time anchors) and the positioning
 * loop inside the receiver, which picks the B1C/B2a ionosphere-free mode from
 * the two streams and feeds its fixes back (position, clock); the single-band
 * B1C and B2a solutions of the same observations are computed beside it for
 * comparison.
 *
 * The simulated ionosphere is a BDGIM layer of IONO_TECU vertical TEC that the
 * broadcast messages do NOT describe (their coefficients are zero), as if the
 * broadcast model had missed it entirely: single-frequency solutions carry its
 * whole error, the ionosphere-free combination removes it.
 *
 * Why this combination is fast: B-CNAV2 messages (3 s each, MT10/11/30/34)
 * give B2a time within seconds and the ephemeris after MT10+MT11+MT30; the
 * B1C channels (frames of 18 s) take their transmit time from the receiver
 * time scale once a B2a channel set it (bx_channel_time_from_rx).
 *
 * Sample rates: neither is a multiple of its chip rate.  The simulator's
 * samples are ideal (no front-end filter), so at a multiple of the chip rate
 * the correlation is a staircase with one plateau per sample and the DLL
 * rides a dead zone that a satellite of low code Doppler crosses slowly:
 * measured here, B1C at 4.092 Msps gave pseudorange errors of 2 m RMS in the
 * first 20 s (one satellite swinging 0.4-3 m) against 0.14 m at 4.0 Msps, and
 * B2a at 10.23 Msps lost ~4 dB of C/N0 on the lowest-Doppler satellite (none
 * at 12 Msps).  B1C 4.0 Msps (complex) holds the BOC(1,1) main lobes; B2a
 * 12 Msps holds the BPSK(10) main lobe's inner +-6 MHz and costs 40% less
 * than 20.46 Msps.
 *
 * Truth comes from the scenario geometry and trajectory at the true time of
 * each fix, never from the receiver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simsig.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"
#include "testutil.h"

#define FS_B1C_HZ 4.0e6
#define FS_B2A_HZ 12.0e6
#define CN0_DBHZ 45.0
#define IONO_TECU 25.0  /* vertical TEC of the unmodelled ionosphere */
#define ELMASK_DEG 10.0 /* satellites simulated */
#define SLOTS 32
#define NBAND 2
#define NMODE 3 /* BX_PVT_B1C, BX_PVT_B2A, BX_PVT_IF */

static const int band_sig[NBAND] = {BX_SIG_B1C, BX_SIG_B2A};
static const char *const mode_name[NMODE] = {"B1C", "B2a", "IF"};

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
    int n;
    double sum, max;
} stat_t;

static void stat_add(stat_t *s, double v)
{
    s->n++;
    s->sum += v;
    if (v > s->max)
        s->max = v;
}

static double stat_mean(const stat_t *s) { return s->n ? s->sum / s->n : NAN; }

typedef struct {
    const bx_simscen_config_t *sc;
    const bx_nav_t *truth_nav;
    bx_pvt_t *pvt[NMODE]; /* B1C and B2a for comparison; IF is the receiver's own (NULL here) */
    int rx_mode;          /* the mode the receiver chose */
    stat_t err3d[NMODE], errh[NMODE], verr[NMODE];
    double first_fix_s[NMODE];
    stat_t pr_rms[NBAND];            /* per-epoch RMS of pseudorange errors, common clock removed */
    int epoch;
    /* lock continuity: per band and PRN, the last epoch with a locked observation */
    int last_epoch[NBAND][BX_PRN_MAX + 1];
    double last_lock_s[NBAND][BX_PRN_MAX + 1];
    int lock_breaks;
    int pr_seen[NBAND][BX_PRN_MAX + 1];
} ctx_t;

static int band_of(int sig) { return sig == BX_SIG_B1C ? 0 : 1; }

/* Pseudorange errors of one band against the scenario geometry at the true
 * receive time of the epoch (receiver epoch minus the fix's clock bias). */
static void check_pseudoranges(ctx_t *c, const bx_obs_t *obs, double clk_m)
{
    double pos[3], vel[3];
    const double t_rel = bx_time_diff(obs->time, c->sc->start) - clk_m / BX_CLIGHT_MPS;
    bx_simscen_position(c->sc, t_rel, pos, vel);
    const bx_time_t t_true = bx_time_add(c->sc->start, t_rel);
    for (int b = 0; b < NBAND; b++) {
        double d[BX_OBS_MAX], mean = 0;
        int n = 0;
        for (int i = 0; i < obs->n; i++) {
            const bx_obsd_t *o = &obs->d[i];
            if (!(o->flags & BX_OBS_PR) || o->sig != band_sig[b])
                continue;
            const bx_eph_t *e = bx_nav_select(c->truth_nav, o->prn, t_true);
            bx_simgeom_t g;
            if (!e || bx_simscen_geometry(c->sc, e, o->sig, pos, t_true, &g) != BX_OK)
                continue;
            d[n] = o->pseudorange_m - g.pseudorange_m;
            mean += d[n++];
        }
        if (n < 4)
            continue;
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++)
            ss += (d[i] - mean) * (d[i] - mean);
        stat_add(&c->pr_rms[b], sqrt(ss / n));
    }
}

/* Every locked channel must stay in the observations from epoch to epoch with
 * a growing lock time: a LOST channel is dropped by the engine (a gap), a
 * carrier slip restarts lock_s. */
static void check_lock(ctx_t *c, const bx_obs_t *obs)
{
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *o = &obs->d[i];
        const int b = band_of(o->sig), p = o->prn;
        if (o->flags & BX_OBS_PR)
            c->pr_seen[b][p] = 1;
        if (c->last_epoch[b][p] > 0 &&
            (c->last_epoch[b][p] != c->epoch - 1 || o->lock_s < c->last_lock_s[b][p])) {
            printf("NOTE: %s C%02d lock broken at epoch %d (last seen epoch %d, lock %.2f -> %.2f s)\n",
                   mode_name[b], p, c->epoch, c->last_epoch[b][p], c->last_lock_s[b][p], o->lock_s);
            c->lock_breaks++;
        }
        c->last_epoch[b][p] = c->epoch;
        c->last_lock_s[b][p] = o->lock_s;
    }
    /* a channel seen at the previous epoch and missing now */
    for (int b = 0; b < NBAND; b++)
        for (int p = 1; p <= BX_PRN_MAX; p++)
            if (c->last_epoch[b][p] == c->epoch - 1 && c->epoch > 1) {
                printf("NOTE: %s C%02d missing at epoch %d\n", mode_name[b], p, c->epoch);
                c->lock_breaks++;
                c->last_epoch[b][p] = -1000;
            }
}

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    ctx_t *c = user;
    const bx_obs_t *obs = ep->obs;
    c->epoch++;
    c->rx_mode = ep->mode;
    check_lock(c, obs);
    int pr_checked = 0;
    for (int m = NMODE - 1; m >= 0; m--) { /* the receiver's IF solution first */
        bx_sol_t sol;
        if (m == NMODE - 1) {
            if (ep->status != BX_OK)
                continue;
            sol = *ep->sol;
        } else if (bx_pvt_solve(c->pvt[m], obs, ep->nav, &sol) != BX_OK || sol.fix == BX_FIX_NONE) {
            continue;
        }
        if (!pr_checked) {
            check_pseudoranges(c, obs, sol.clk_bias_m);
            pr_checked = 1;
        }
        /* truth at the true time of the fix */
        double truth[3], vtruth[3], d[3], enu[3], dv[3];
        bx_simscen_position(c->sc, bx_time_diff(sol.time, c->sc->start), truth, vtruth);
        for (int i = 0; i < 3; i++) {
            d[i] = sol.pos_m[i] - truth[i];
            dv[i] = sol.vel_mps[i] - vtruth[i];
        }
        bx_ecef_to_enu(c->sc->llh0, d, enu);
        if (c->err3d[m].n == 0)
            c->first_fix_s[m] = bx_rx_elapsed_s(rx);
        stat_add(&c->err3d[m], sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
        stat_add(&c->errh[m], hypot(enu[0], enu[1]));
        if (sol.flags & BX_SOLF_VEL)
            stat_add(&c->verr[m], sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]));
    }
}

/* A BDT start at which a B-CNAV2 MT10 (the message with the week number and
 * the first ephemeris block) begins 2 s in: messages are 3 s long and cycle
 * 10, 11, 30, 34 by frame index (src/sim/simscen.c), and 2 s is enough for pull-in
 * and secondary sync. */
static bx_time_t start_before_mt10(void)
{
    bx_time_t t = bx_time_from_civil(2023, 3, 12, 4, 5, 0);
    while (!((t.sec + 2) % 3 == 0 && ((t.sec + 2) / 3) % 4 == 0))
        t.sec++;
    return t;
}

typedef struct {
    int traj;            /* BX_TRAJ_* */
    double speed_mps;
    double row_length_m;
    double duration_s;
    uint64_t seed;
} run_cfg_t;

typedef struct {
    ctx_t c;
    int nvis, locked, phantom, with_time[NBAND], with_eph, chans[NBAND];
    int eph_from[NBAND]; /* decoded ephemerides by the signal that carried them */
} run_out_t;

static void run_scenario(const run_cfg_t *rcfg, run_out_t *out)
{
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    sc.start = start_before_mt10();
    sc.traj = rcfg->traj;
    sc.speed_mps = rcfg->speed_mps;
    if (rcfg->row_length_m > 0)
        sc.row_length_m = rcfg->row_length_m;
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_simscen_constellation(&nav, sc.start), BX_OK);
    /* the true ionosphere: IONO_TECU vertical (the (0,0) BDGIM term); the
     * broadcast coefficients in nav stay zero */
    bx_bdgim_t iono_truth = nav.iono;
    iono_truth.alpha_tecu[0] = IONO_TECU;
    sc.iono = &iono_truth;

    double pos[3], vel[3];
    bx_simscen_position(&sc, 0, pos, vel);
    int vis_prn[SLOTS], nvis = 0;
    const bx_eph_t *vis_eph[SLOTS];
    for (int k = 0; k < nav.n_eph && nvis < SLOTS; k++) {
        bx_simgeom_t g;
        assert_int_equal(bx_simscen_geometry(&sc, &nav.eph[k], BX_SIG_B1C, pos, sc.start, &g), BX_OK);
        if (g.el_rad >= ELMASK_DEG * M_PI / 180) {
            vis_eph[nvis] = &nav.eph[k];
            vis_prn[nvis++] = nav.eph[k].prn;
        }
    }

    navset_t navset[NBAND];
    bx_simsig_t *gen[NBAND];
    bx_cf32_t *buf[NBAND];
    const double fs[NBAND] = {FS_B1C_HZ, FS_B2A_HZ};
    const size_t chunk_ms = 100;
    size_t nms[NBAND];
    for (int b = 0; b < NBAND; b++) {
        memset(&navset[b], 0, sizeof navset[b]);
        for (int v = 0; v < nvis; v++) {
            bx_simnav_create(&nav, vis_prn[v], band_sig[b], &navset[b].nav[v], NULL, 0);
            assert_non_null(navset[b].nav[v]);
        }
        bx_simsig_config_t gc;
        bx_simsig_config_default(&gc, fs[b]);
        gc.seed = rcfg->seed + 7919u * (uint64_t)b;
        gc.max_sats = SLOTS;
        gc.symbol = symbol_of;
        gc.user = &navset[b];
        bx_simsig_create(&gc, &gen[b], NULL, 0);
        assert_non_null(gen[b]);
        nms[b] = (size_t)(fs[b] / 1000);
        buf[b] = malloc(chunk_ms * nms[b] * sizeof *buf[b]);
        assert_non_null(buf[b]);
    }

    ctx_t *c = &out->c;
    memset(out, 0, sizeof *out);
    c->sc = &sc;
    c->truth_nav = &nav;
    static const int modes[NMODE - 1] = {BX_PVT_B1C, BX_PVT_B2A};
    for (int m = 0; m < NMODE - 1; m++) {
        bx_pvt_config_t pc;
        bx_pvt_config_default(&pc);
        pc.mode = modes[m];
        bx_pvt_create(&pc, &c->pvt[m], NULL, 0);
        assert_non_null(c->pvt[m]);
    }
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = NBAND;
    for (int b = 0; b < NBAND; b++)
        rc.stream[b] = (bx_rx_stream_t){band_sig[b], fs[b], 0.0};
    rc.threads = 2;
    rc.on_epoch = on_epoch;
    rc.user = c;
    /* the simulated satellites and 6 absent PRNs (a channel on one of those is a phantom): the
     * cold search's cost is absent PRNs, and the whole-list search has tests of its own
     * (test_acq, test_firstfix, test_seam, test_cli_dual_if below) */
    for (int v = 0; v < nvis; v++)
        rc.prn_mask |= 1ull << vis_prn[v];
    rc.prn_mask = tu_prn_mask_with_absent(rc.prn_mask, 6);
    char err[256];
    bx_rx_t *rx = NULL;
    bx_rx_create(&rc, &rx, err, sizeof err);
    assert_non_null(rx);

    const long total_ms = (long)llround(rcfg->duration_s * 1000);
    for (long ms = 0; ms < total_ms; ms++) {
        const bx_time_t t = bx_time_add(sc.start, ms * 1e-3), t1 = bx_time_add(t, 1e-3);
        double p0[3], p1[3], v0[3];
        bx_simscen_position(&sc, ms * 1e-3, p0, v0);
        bx_simscen_position(&sc, ms * 1e-3 + 1e-3, p1, v0);
        for (int b = 0; b < NBAND; b++) {
            for (int v = 0; v < nvis; v++) {
                bx_simgeom_t g0, g1;
                assert_int_equal(bx_simscen_geometry(&sc, vis_eph[v], band_sig[b], p0, t, &g0), BX_OK);
                assert_int_equal(bx_simscen_geometry(&sc, vis_eph[v], band_sig[b], p1, t1, &g1), BX_OK);
                bx_simsig_sat_t ss = {band_sig[b], vis_prn[v], g0.t_sv, bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3,
                                      0.0, CN0_DBHZ, 0.0};
                bx_simsig_set_sat(gen[b], v, &ss);
            }
            bx_simsig_generate(gen[b], buf[b] + (size_t)(ms % (long)chunk_ms) * nms[b], nms[b]);
        }
        if (ms % (long)chunk_ms == (long)chunk_ms - 1) {
            const bx_cf32_t *const xs[NBAND] = {buf[0], buf[1]};
            const size_t n[NBAND] = {chunk_ms * nms[0], chunk_ms * nms[1]};
            assert_int_equal(bx_rx_process(rx, xs, n), BX_OK);
        }
    }

    /* channel summary: every simulated satellite tracked on both bands */
    bx_rx_chan_status_t ch[NBAND * BX_RX_MAX_CHANNELS];
    const int nch = bx_rx_channels(rx, ch, NBAND * BX_RX_MAX_CHANNELS);
    out->nvis = nvis;
    for (int i = 0; i < nch; i++) {
        int known = 0;
        for (int v = 0; v < nvis; v++)
            known |= vis_prn[v] == ch[i].prn;
        const int b = band_of(ch[i].sig);
        if (!known && ch[i].state == BX_TRK_LOCKED)
            out->phantom++;
        if (known && ch[i].state == BX_TRK_LOCKED) {
            out->locked++;
            out->chans[b]++;
            /* time: B2a from its own B-CNAV2 messages, B1C from the receiver time scale;
             * checked through the pseudoranges seen (they need the time anchor) */
            out->with_time[b] += ch[i].have_time && c->pr_seen[b][ch[i].prn];
            out->with_eph += b == 1 && ch[i].have_eph;
        }
        printf("NOTE: %s C%02d %s %.1f dB-Hz lock %.1f s messages ok %d bad %d time %d eph %d\n",
               mode_name[b], ch[i].prn, bx_trk_state_name(ch[i].state), ch[i].cn0_dbhz, ch[i].lock_s,
               ch[i].frames_ok, ch[i].frames_bad, ch[i].have_time, ch[i].have_eph);
    }
    /* the ephemerides decoded from B-CNAV2 equal the broadcast ones */
    const bx_nav_t *rnav = bx_rx_nav(rx);
    for (int i = 0; i < rnav->n_eph; i++) {
        const bx_eph_t *e = &rnav->eph[i], *t = bx_nav_select(&nav, e->prn, e->toe);
        assert_non_null(t);
        assert_true(e->source == BX_SIG_B2A || e->source == BX_SIG_B1C);
        out->eph_from[band_of(e->source)]++;
        assert_true(fabs(e->M0_rad - t->M0_rad) < 1e-12 && fabs(e->a0_s - t->a0_s) < 1e-15 &&
                    fabs(e->tgd_b1cp_s - t->tgd_b1cp_s) < 1e-12 && fabs(e->tgd_b2ap_s - t->tgd_b2ap_s) < 1e-12);
    }

    for (int b = 0; b < NBAND; b++) {
        for (int i = 0; i < SLOTS; i++)
            bx_simnav_destroy(navset[b].nav[i]);
        bx_simsig_destroy(gen[b]);
        free(buf[b]);
    }
    for (int m = 0; m < NMODE - 1; m++)
        bx_pvt_destroy(c->pvt[m]);
    memset(c->pvt, 0, sizeof c->pvt);
    bx_rx_destroy(rx);
    bx_nav_destroy(&nav);
    c->sc = NULL;
    c->truth_nav = NULL;
}

static void print_summary(const char *what, const run_out_t *o)
{
    const ctx_t *c = &o->c;
    printf("NOTE: %s: %d satellites above %.0f deg, locked B1C %d B2a %d (with time B1C %d B2a %d, B2a eph %d), "
           "%d lock breaks; pseudorange error RMS (clock removed) mean/worst epoch B1C %.2f/%.2f m B2a %.2f/%.2f m\n",
           what, o->nvis, ELMASK_DEG, o->chans[0], o->chans[1], o->with_time[0], o->with_time[1], o->with_eph,
           c->lock_breaks, stat_mean(&c->pr_rms[0]), c->pr_rms[0].max, stat_mean(&c->pr_rms[1]), c->pr_rms[1].max);
    for (int m = 0; m < NMODE; m++)
        printf("NOTE: %s: %-3s %2d fixes, first at %.1f s: 3D error mean %.2f max %.2f m, horizontal mean %.2f m, "
               "velocity error mean %.3f max %.3f m/s\n",
               what, mode_name[m], c->err3d[m].n, c->first_fix_s[m], stat_mean(&c->err3d[m]), c->err3d[m].max,
               stat_mean(&c->errh[m]), stat_mean(&c->verr[m]), c->verr[m].max);
}

/* Static receiver, ionosphere of IONO_TECU not in the broadcast model:
 * 16 s, the first fix comes at ~11 s (MT10 + MT11 + MT30). */
static void test_dual_static_iono_free(void **state)
{
    (void)state;
    const run_cfg_t rc = {BX_TRAJ_STATIC, 0.0, 0.0, 16.0, 7};
    run_out_t o;
    run_scenario(&rc, &o);
    print_summary("static", &o);
    const ctx_t *c = &o.c;
    assert_int_equal(o.phantom, 0);
    assert_int_equal(o.chans[0], o.nvis);
    assert_int_equal(o.chans[1], o.nvis);
    assert_int_equal(o.with_time[0], o.nvis);
    assert_int_equal(o.with_time[1], o.nvis);
    assert_int_equal(o.with_eph, o.nvis);
    assert_int_equal(o.eph_from[1], o.nvis); /* no B1C frame completes in 16 s: all from B-CNAV2 */
    assert_int_equal(c->lock_breaks, 0);
    assert_true(c->pr_rms[0].max < 0.5 && c->pr_rms[1].max < 0.5);
    assert_int_equal(c->rx_mode, BX_PVT_IF); /* B1C + B2a streams: ionosphere-free chosen */
    assert_true(c->err3d[2].n >= 4);
    assert_true(c->err3d[2].max < 3.0);
    /* the unmodelled ionosphere is really there: single frequency is far off */
    assert_true(stat_mean(&c->err3d[1]) > 3.0 * stat_mean(&c->err3d[2]));
    assert_true(c->verr[2].max < 0.2);
}

/* Moving receiver: the 'field' trajectory (rows along north joined by U-turns
 * of 12 m diameter) at 4 m/s with 20 m rows, so that 30 s hold three U-turns
 * (centripetal acceleration 2.7 m/s^2) and two straight rows after the fix. */
static void test_dual_field_moving(void **state)
{
    (void)state;
    const run_cfg_t rc = {BX_TRAJ_FIELD, 4.0, 20.0, 30.0, 11};
    run_out_t o;
    run_scenario(&rc, &o);
    print_summary("moving", &o);
    const ctx_t *c = &o.c;
    assert_int_equal(o.phantom, 0);
    assert_int_equal(o.chans[0], o.nvis);
    assert_int_equal(o.chans[1], o.nvis);
    assert_int_equal(o.with_time[0], o.nvis);
    assert_int_equal(o.with_time[1], o.nvis);
    assert_int_equal(c->lock_breaks, 0);
    assert_true(c->pr_rms[0].max < 0.5 && c->pr_rms[1].max < 0.5);
    assert_true(c->err3d[2].n >= 15);
    assert_true(c->err3d[2].max < 3.0);
    /* velocity from Doppler (IF mode: the B1C Doppler) against the true velocity at each fix */
    assert_true(c->verr[2].n >= 15);
    assert_true(c->verr[2].max < 0.2);
}

/* The same through the programs: bdsrx-sim writes both bands (2-bit, 14 s),
 * `bdsrx run B1CFILE B2AFILE --signals B1C,B2a --mode IF --json` positions;
 * every fix is compared with the scenario's position (the simulator's
 * default place, from bx_simscen_config_default, not from its truth file). */
static void test_cli_dual_if(void **state)
{
    (void)state;
    char sim[512], run[512];
    if (!tu_bin(sim, sizeof sim, "bdsrx-sim") || !tu_bin(run, sizeof run, "bdsrx")) {
        printf("SKIP: %s or %s not built; skipping the dual-band CLI test\n", sim, run);
        skip();
    }
    int y, mo, d, h, mi;
    double sec;
    bx_time_to_civil(start_before_mt10(), &y, &mo, &d, &h, &mi, &sec);
    char fs1[32], fs2[32], iono[32], cn0[32], start[64];
    snprintf(fs1, sizeof fs1, "%.0f", FS_B1C_HZ);
    snprintf(fs2, sizeof fs2, "%.0f", FS_B2A_HZ);
    snprintf(iono, sizeof iono, "%.1f", IONO_TECU);
    snprintf(cn0, sizeof cn0, "%.1f", CN0_DBHZ);
    snprintf(start, sizeof start, "%04d-%02d-%02d %02d:%02d:%02.0f", y, mo, d, h, mi, sec);
    /* made once and kept in the test cache while these arguments and the simulator stay the same */
    const char *args[] = {"--signals", "B1C,B2a", "--fs-b1c", fs1, "--fs-b2a", fs2, "--format", "ci2", "--duration",
                          "14", "--iono", iono, "--cn0", cn0, "--start", start, "--seed", "3", NULL};
    char dir[1024], f1[1100], f2[1100];
    assert_int_equal(tu_sim_capture(sim, args, dir, sizeof dir), 0);
    snprintf(f1, sizeof f1, "%s/s_b1c.ci2", dir);
    snprintf(f2, sizeof f2, "%s/s_b2a.ci2", dir);
    tu_result_t rr;
    const int rc = tu_runl(&rr, NULL, run, "run", f1, f2, "--signals", "B1C,B2a", "--mode", "IF", "--json", "--quiet",
                           "--threads", "2", NULL);
    FILE *p = fmemopen(rr.out_len ? rr.out : (char *)"\n", rr.out_len ? rr.out_len : 1, "r"); /* lines of the output */
    assert_non_null(p);
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    double truth[3];
    bx_llh_to_ecef(sc.llh0, truth);
    static char line[65536];
    stat_t err;
    memset(&err, 0, sizeof err);
    int bad = 0;
    while (fgets(line, sizeof line, p)) {
        if (line[0] != '{')
            continue;
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o || strcmp(json_string_value(json_object_get(o, "mode")), "if") != 0) {
            printf("NOTE: cli: unexpected line %s", line);
            bad++;
            json_decref(o);
            continue;
        }
        json_t *e = json_object_get(o, "ecef_m");
        if (!strcmp(json_string_value(json_object_get(o, "fix")), "spp") && json_array_size(e) == 3) {
            double e2 = 0;
            for (int i = 0; i < 3; i++) {
                const double v = json_real_value(json_array_get(e, (size_t)i)) - truth[i];
                e2 += v * v;
            }
            stat_add(&err, sqrt(e2));
        }
        json_decref(o);
    }
    fclose(p);
    if (rc != 0)
        print_error("bdsrx run: exit %d: %s\n", rc, rr.err);
    tu_result_free(&rr);
    printf("NOTE: cli: bdsrx run B1C+B2a --mode IF on bdsrx-sim ci2 captures (14 s): %d fixes, 3D error mean "
           "%.2f max %.2f m\n",
           err.n, stat_mean(&err), err.max);
    assert_int_equal(rc, 0);
    assert_int_equal(bad, 0);
    assert_true(err.n >= 2);
    assert_true(err.max < 3.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dual_static_iono_free),
                                       cmocka_unit_test(test_dual_field_moving),
                                       cmocka_unit_test(test_cli_dual_if)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
