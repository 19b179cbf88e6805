/*
 * Positioning inside the receiver (rx_solve.h).  Solvers plug in through one
 * row of `solvers[]`: create from the receiver configuration and the mode,
 * solve one epoch into a bx_sol_t, destroy.  The receiver (receiver.c) feeds
 * each fix back (position, clock steering); this file only solves.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/ppp.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/pvt.h"
#include "bdsrx/rtk.h"
#include "bdsrx/time.h"
#include "bx_err.h"
#include "rx_solve.h"

typedef struct {
    int kind; /* bx_solver_kind_t */
    const char *name;
    int (*create)(const bx_rx_config_t *c, int mode, void **state, char *err, size_t errlen);
    int (*solve)(void *state, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol);
    void (*reset)(void *state); /* forget the previous fix (a new receiver time scale) */
    void (*destroy)(void *state);
    int (*push_base)(void *state, const bx_obs_t *base, const double pos_m[3]); /* NULL: no base */
    const bx_rtk_sol_t *(*rtk_sol)(const void *state);                         /* NULL: not RTK */
    const bx_rx_ppp_info_t *(*ppp_info)(const void *state);                    /* NULL: not PPP */
    void (*set_b2b)(void *state, const bx_b2b_store_t *store);                 /* NULL: no corrections */
} solver_ops_t;

/* ---- single-point positioning (nav/pos/pvt.c) ---- */

static int spp_create(const bx_rx_config_t *c, int mode, void **state, char *err, size_t errlen)
{
    bx_pvt_config_t pc = c->pvt;
    pc.mode = mode;
    bx_pvt_t *p = NULL;
    int st = bx_pvt_create(&pc, &p, err, errlen);
    *state = p;
    return st;
}

static int spp_solve(void *state, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol)
{
    return bx_pvt_solve(state, obs, nav, sol);
}

static void spp_reset(void *state) { bx_pvt_reset(state); }

static void spp_destroy(void *state) { bx_pvt_destroy(state); }

/* ---- RTK (nav/pos/rtk.c) against pushed base epochs, SPP as fallback ---- */

#define RTK_NBASE 8 /* base epochs kept (the newest at or before the rover epoch is used) */

typedef struct {
    bx_pvt_t *spp;
    bx_rtk_t *rtk;          /* created at the first base epoch (its position known then) */
    bx_rtk_config_t cfg;
    int have_pos;
    double base_pos[3];
    bx_obs_t base[RTK_NBASE]; /* ring, time order */
    int nbase, head;        /* head: index of the newest */
    bx_rtk_sol_t rsol;
    bx_sol_t spp_sol;
} rtk_state_t;

static int rtk_create_state(const bx_rx_config_t *c, int mode, void **state, char *err, size_t errlen)
{
    rtk_state_t *r = calloc(1, sizeof *r);
    if (!r)
        return bx_err(err, errlen, BX_ERR_NOMEM, "receiver: out of memory");
    r->cfg = c->rtk;
    const double *p = c->rtk.base_pos_m;
    r->have_pos = p[0] * p[0] + p[1] * p[1] + p[2] * p[2] > 1e12;
    memcpy(r->base_pos, p, sizeof r->base_pos);
    int st = spp_create(c, mode, (void **)&r->spp, err, errlen);
    bx_rtk_t *probe = NULL; /* validate the RTK settings now, not at the first base epoch */
    if (st == BX_OK && (st = bx_rtk_create(&r->cfg, &probe, err, errlen)) == BX_OK)
        bx_rtk_destroy(probe);
    if (st != BX_OK) {
        bx_pvt_destroy(r->spp);
        free(r);
        return st;
    }
    *state = r;
    return BX_OK;
}

static void rtk_destroy_state(void *state)
{
    rtk_state_t *r = state;
    if (!r)
        return;
    bx_pvt_destroy(r->spp);
    bx_rtk_destroy(r->rtk);
    free(r);
}

static int rtk_push(void *state, const bx_obs_t *base, const double pos_m[3])
{
    rtk_state_t *r = state;
    if (!base)
        return BX_ERR_ARG;
    if (pos_m && pos_m[0] * pos_m[0] + pos_m[1] * pos_m[1] + pos_m[2] * pos_m[2] > 1e12) {
        const double d = sqrt((pos_m[0] - r->base_pos[0]) * (pos_m[0] - r->base_pos[0]) +
                              (pos_m[1] - r->base_pos[1]) * (pos_m[1] - r->base_pos[1]) +
                              (pos_m[2] - r->base_pos[2]) * (pos_m[2] - r->base_pos[2]));
        if (!r->have_pos || d > 1e-3) { /* a new base: the filter starts again */
            memcpy(r->base_pos, pos_m, sizeof r->base_pos);
            r->have_pos = 1;
            bx_rtk_destroy(r->rtk);
            r->rtk = NULL;
        }
    }
    if (r->nbase > 0 && bx_time_diff(base->time, r->base[r->head].time) <= 0)
        return BX_OK; /* not newer than the newest kept */
    r->head = (r->head + 1) % RTK_NBASE;
    r->base[r->head] = *base;
    if (r->nbase < RTK_NBASE)
        r->nbase++;
    if (!r->rtk) {
        bx_rtk_config_t c = r->cfg;
        memcpy(c.base_pos_m, r->have_pos ? r->base_pos : (const double[3]){0, 0, 0}, sizeof c.base_pos_m);
        if (bx_rtk_create(&c, &r->rtk, NULL, 0) != BX_OK)
            return BX_ERR_ARG;
    }
    return BX_OK;
}

/* the newest base epoch at or before t (+0.5 ms, the millisecond of RTCM3 MSM time tags) */
static const bx_obs_t *base_for(const rtk_state_t *r, bx_time_t t)
{
    for (int k = 0; k < r->nbase; k++) {
        const bx_obs_t *b = &r->base[(r->head - k + RTK_NBASE) % RTK_NBASE];
        if (bx_time_diff(b->time, t) <= 5e-4)
            return b;
    }
    return NULL;
}

static int rtk_solve(void *state, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol)
{
    rtk_state_t *r = state;
    const int sst = bx_pvt_solve(r->spp, obs, nav, &r->spp_sol);
    bx_rtk_sol_t *rs = &r->rsol;
    int rst = BX_ERR_NOFIX;
    const bx_obs_t *b = base_for(r, obs->time);
    if (!r->rtk) {
        memset(rs, 0, sizeof *rs);
        snprintf(rs->msg, sizeof rs->msg, "no base epoch received yet");
    } else if (!b) {
        memset(rs, 0, sizeof *rs);
        snprintf(rs->msg, sizeof rs->msg, "no base epoch at or before this epoch (base behind by > %.1f s?)",
                 bx_time_diff(obs->time, r->base[r->head].time));
    } else {
        rst = bx_rtk_process(r->rtk, b, obs, nav, rs);
    }
    if (rst == BX_OK && (rs->sol.fix == BX_FIX_FIXED || rs->sol.fix == BX_FIX_FLOAT)) {
        /* the RTK position; the receiver clock (feedback, time tags) from the single-point fix */
        bx_sol_t *o = &rs->sol;
        if (sst == BX_OK) {
            o->clk_bias_m = r->spp_sol.clk_bias_m;
            o->clk_drift_mps = r->spp_sol.clk_drift_mps;
            o->time = r->spp_sol.time;
            o->rx_time = r->spp_sol.rx_time;
            if (o->n_sat == 0) {
                o->n_sat = r->spp_sol.n_sat;
                memcpy(o->sat, r->spp_sol.sat, sizeof o->sat);
            }
        }
        o->mode = r->spp_sol.mode;
        *sol = *o;
        return BX_OK;
    }
    /* fallback: the receiver's own single-point fix (RAIM, its mode), the RTK reason kept */
    char msg[sizeof rs->msg];
    memcpy(msg, rs->msg, sizeof msg);
    const double age = rs->age_s;
    bx_rtk_sol_t keep = *rs;
    memset(rs, 0, sizeof *rs);
    rs->sol = r->spp_sol;
    rs->age_s = age;
    memcpy(rs->base_pos_m, r->base_pos, sizeof rs->base_pos_m);
    rs->ratio = keep.ratio;
    rs->n_sig = keep.n_sig;
    memcpy(rs->sig, keep.sig, sizeof rs->sig);
    memcpy(rs->msg, msg, sizeof rs->msg);
    *sol = r->spp_sol;
    return sst;
}

static int rtk_push_base(void *state, const bx_obs_t *base, const double pos_m[3])
{
    return rtk_push(state, base, pos_m);
}

/* a new receiver time scale: both filters start again (the base epochs stay) */
static void rtk_reset_state(void *state)
{
    rtk_state_t *r = state;
    bx_pvt_reset(r->spp);
    if (r->rtk)
        bx_rtk_reset(r->rtk);
}

static const bx_rtk_sol_t *rtk_sol_of(const void *state) { return &((const rtk_state_t *)state)->rsol; }

/* ---- PPP (nav/pos/ppp.c) with the PPP-B2b corrections of the receiver's B2b stream ---- */

#define PPP_MIN_SAT 5 /* bx_ppp_update needs 5 satellites with code and phase */

typedef struct {
    bx_pvt_t *spp;
    bx_ppp_t *ppp;
    bx_ppp_cfg_t cfg;
    int geo_cfg;                 /* c->ppp_geo (0: choose) */
    const bx_b2b_store_t *store; /* the receiver's (set_b2b) */
    const bx_nav_t *nav;         /* the nav the satellite source was made for */
    bx_ppp_b2b_t *src;           /* satellite source: broadcast B-CNAV1 + store, GEO `geo` */
    int geo;
    bx_time_t t_start;           /* filter (re)start */
    int running;                 /* the filter has a state (a PPP epoch since the last restart) */
    bx_rx_ppp_info_t info;
    int had_geo;                 /* a GEO's corrections were in use once (the fallback reason) */
    bx_sol_t spp_sol;
    bx_obs_t obs_scr;            /* the epoch without the satellites the code screen dropped */
} ppp_state_t;

static void ppp_destroy_state(void *state)
{
    ppp_state_t *r = state;
    if (!r)
        return;
    bx_pvt_destroy(r->spp);
    bx_ppp_destroy(r->ppp);
    bx_ppp_b2b_destroy(r->src);
    free(r);
}

static int ppp_create_state(const bx_rx_config_t *c, int mode, void **state, char *err, size_t errlen)
{
    if (mode != BX_PVT_IF)
        return bx_err(err, errlen, BX_ERR_ARG,
                      "receiver: PPP needs B1C and B2a streams (ionosphere-free code and phase) and a B2b stream "
                      "(PPP-B2b corrections)");
    if (c->ppp_geo && (c->ppp_geo < BX_B2B_GEO_MIN || c->ppp_geo > BX_B2B_GEO_MAX))
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: PPP-B2b GEO C%02d: give 59..63 or 0 (automatic)",
                      c->ppp_geo);
    ppp_state_t *r = calloc(1, sizeof *r);
    if (!r)
        return bx_err(err, errlen, BX_ERR_NOMEM, "receiver: out of memory");
    r->cfg = c->ppp;
    if (c->pvt.elmask_rad > r->cfg.elmask_rad)
        r->cfg.elmask_rad = c->pvt.elmask_rad;
    r->geo_cfg = c->ppp_geo;
    int st = spp_create(c, mode, (void **)&r->spp, err, errlen);
    if (st == BX_OK)
        st = bx_ppp_create(&r->cfg, &r->ppp, err, errlen);
    if (st != BX_OK) {
        ppp_destroy_state(r);
        return st;
    }
    *state = r;
    return BX_OK;
}

static void ppp_set_b2b(void *state, const bx_b2b_store_t *store) { ((ppp_state_t *)state)->store = store; }

/* satellites of the epoch with B1C and B2a pilot code and phase (what bx_ppp_update uses) */
static int ppp_candidates(const bx_obs_t *obs, int prns[BX_PRN_MAX + 1])
{
    unsigned have[BX_PRN_MAX + 1] = {0};
    const unsigned need = BX_OBS_PR | BX_OBS_CP;
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *d = &obs->d[i];
        if (d->prn < 1 || d->prn > BX_PRN_MAX || !d->pilot || (d->flags & need) != need)
            continue;
        have[d->prn] |= d->sig == BX_SIG_B1C ? 1u : d->sig == BX_SIG_B2A ? 2u : 0u;
    }
    int n = 0;
    for (int p = 1; p <= BX_PRN_MAX; p++)
        if (have[p] == 3u)
            prns[n++] = p;
    return n;
}

/* satellites of prns[] GEO geo corrects at t: store entry within its age limits and the
 * broadcast ephemeris its IODN names (the rule of bx_ppp_b2b_satfn); refused by reason */
static int ppp_corrected(const ppp_state_t *r, const bx_nav_t *nav, int geo, const int *prns, int n, bx_time_t t,
                         int refused[8])
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        bx_b2b_corr_t c;
        int why = bx_b2b_store_get(r->store, geo, prns[i], t, &c);
        if (why == BX_OK && !bx_b2b_find_eph(nav, prns[i], c.iodn, t))
            why = BX_B2B_NO_EPH;
        if (why == BX_OK)
            ok++;
        else if (refused && why > 0 && why < 8)
            refused[why]++;
    }
    return ok;
}

/* Code screen before the filter (bx_ppp_update has no outlier test): a position + clock least
 * squares on the IF code with the corrected orbits and clocks (Sagnac, a priori troposphere),
 * started at x (the single-point position), dropping the worst satellite while its residual
 * exceeds PPP_SCREEN_M.  Seen in the simulator: a B1C code wandering +-15 m against its carrier
 * for tens of seconds (one satellite) pulled the filter 40 m off.  Marks dropped PRNs in drop[]
 * and returns their count (0 when fewer than 6 usable: nothing to test against). */
#define PPP_SCREEN_M 6.0
static int ppp_screen(const ppp_state_t *r, const bx_obs_t *obs, const int *prns, int n, const double x0[3],
                      unsigned char drop[BX_PRN_MAX + 1])
{
    double c1, c2, rs[BX_PRN_MAX + 1][3], ck[BX_PRN_MAX + 1], pif[BX_PRN_MAX + 1];
    int use[BX_PRN_MAX + 1], m = 0, ndrop = 0;
    bx_iflc_coef(BX_FREQ_B1C_HZ, BX_FREQ_B2A_HZ, &c1, &c2);
    for (int i = 0; i < n; i++) {
        const int p = prns[i];
        double p1 = NAN, p2 = NAN;
        for (int k = 0; k < obs->n; k++)
            if (obs->d[k].prn == p && obs->d[k].pilot && obs->d[k].sig == BX_SIG_B1C)
                p1 = obs->d[k].pseudorange_m;
            else if (obs->d[k].prn == p && obs->d[k].pilot && obs->d[k].sig == BX_SIG_B2A)
                p2 = obs->d[k].pseudorange_m;
        pif[p] = c1 * p1 + c2 * p2;
        double pos[3], clk;
        bx_time_t t = bx_time_add(obs->time, -pif[p] / BX_CLIGHT_MPS);
        if (bx_ppp_b2b_satfn(r->src, p, t, pos, &clk) != 0 ||
            bx_ppp_b2b_satfn(r->src, p, bx_time_add(t, -clk), pos, &clk) != 0)
            continue;
        const double tau = pif[p] / BX_CLIGHT_MPS, a = BX_OMEGA_E_BDS_RAD_S * tau; /* Sagnac */
        rs[p][0] = cos(a) * pos[0] + sin(a) * pos[1];
        rs[p][1] = -sin(a) * pos[0] + cos(a) * pos[1];
        rs[p][2] = pos[2];
        ck[p] = clk * BX_CLIGHT_MPS;
        use[m++] = p;
    }
    for (;;) {
        int k = 0;
        for (int i = 0; i < m; i++)
            k += !drop[use[i]];
        if (k < 6)
            return ndrop;
        double x[4] = {x0[0], x0[1], x0[2], 0.0}, res[BX_PRN_MAX + 1];
        for (int it = 0; it < 6; it++) {
            double N[4][5] = {{0}}, llh[3];
            bx_ecef_to_llh(x, llh);
            for (int i = 0; i < m; i++) {
                const int p = use[i];
                const double d[3] = {rs[p][0] - x[0], rs[p][1] - x[1], rs[p][2] - x[2]};
                const double rho = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                double az, el;
                bx_azel(x, llh, rs[p], &az, &el);
                res[p] = pif[p] - (rho + x[3] - ck[p] + bx_tropo_delay_m(llh, el > 0.05 ? el : 0.05));
                if (drop[p])
                    continue;
                const double h[4] = {-d[0] / rho, -d[1] / rho, -d[2] / rho, 1.0};
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++)
                        N[a][b] += h[a] * h[b];
                    N[a][4] += h[a] * res[p];
                }
            }
            for (int c = 0; c < 4; c++) { /* Gauss-Jordan, the normal matrix is positive definite */
                if (!(fabs(N[c][c]) > 1e-9))
                    return ndrop;
                for (int q = 0; q < 4; q++)
                    if (q != c) {
                        const double f = N[q][c] / N[c][c];
                        for (int b = c; b < 5; b++)
                            N[q][b] -= f * N[c][b];
                    }
            }
            for (int a = 0; a < 4; a++)
                x[a] += N[a][4] / N[a][a];
        }
        int worst = 0;
        for (int i = 0; i < m; i++)
            if (!drop[use[i]] && (!worst || fabs(res[use[i]]) > fabs(res[worst])))
                worst = use[i];
        if (!worst || fabs(res[worst]) <= PPP_SCREEN_M)
            return ndrop;
        drop[worst] = 1;
        ndrop++;
    }
}

static void ppp_restart(ppp_state_t *r)
{
    if (r->running)
        r->info.resets++;
    bx_ppp_destroy(r->ppp);
    r->ppp = NULL;
    bx_ppp_create(&r->cfg, &r->ppp, NULL, 0); /* the configuration was accepted at create */
    r->running = 0;
}

static int ppp_solve(void *state, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol)
{
    ppp_state_t *r = state;
    bx_rx_ppp_info_t *in = &r->info;
    const int resets = in->resets;
    memset(in, 0, sizeof *in);
    in->resets = resets;
    const int sst = bx_pvt_solve(r->spp, obs, nav, &r->spp_sol);
    int prns[BX_PRN_MAX + 1];
    const int n = ppp_candidates(obs, prns);
    in->n_obs = n;
    /* the GEO: the configured one, else the current while it corrects enough, else the best */
    int geo = r->geo_cfg, best = 0;
    if (r->store && !geo) {
        const int cur = r->geo ? ppp_corrected(r, nav, r->geo, prns, n, obs->time, NULL) : 0;
        geo = r->geo;
        if (cur < PPP_MIN_SAT)
            for (int g = BX_B2B_GEO_MIN; g <= BX_B2B_GEO_MAX; g++) {
                const int k = ppp_corrected(r, nav, g, prns, n, obs->time, NULL);
                if (k > best || (k == best && g == r->geo)) {
                    best = k;
                    geo = g;
                }
            }
        if (cur < PPP_MIN_SAT && best == 0)
            geo = r->geo; /* none corrects anything: keep the last one, whose refusals say why */
    }
    if (r->store && geo)
        in->n_corr = ppp_corrected(r, nav, geo, prns, n, obs->time, in->n_refused);
    if (geo != r->geo || nav != r->nav) { /* another GEO's clock datum: the filter starts again */
        bx_ppp_b2b_destroy(r->src);
        r->src = NULL;
        if (geo && bx_ppp_b2b_create_store(r->store, nav, geo, &r->src, NULL, 0) != BX_OK)
            geo = 0;
        if (r->running)
            ppp_restart(r);
        r->geo = geo;
        r->nav = nav;
    }
    in->geo_prn = r->geo;
    int st = BX_ERR_NOFIX;
    if (r->geo)
        r->had_geo = 1;
    if (r->had_geo && n < PPP_MIN_SAT) {
        /* corrections were decoded: the satellites are missing (a sample gap, lost lock) */
        in->status = BX_RX_PPP_FEW;
        snprintf(in->msg, sizeof in->msg, "%d satellites with B1C + B2a code and phase (need %d)", n, PPP_MIN_SAT);
        if (r->running)
            ppp_restart(r);
    } else if (!r->store || !r->geo) {
        in->status = BX_RX_PPP_NO_CORR;
        snprintf(in->msg, sizeof in->msg, "no PPP-B2b corrections yet (no GEO mask and clock decoded)");
    } else if (in->n_corr == 0 && in->n_refused[BX_B2B_GEO_UNKNOWN] == n) {
        in->status = BX_RX_PPP_NO_CORR;
        snprintf(in->msg, sizeof in->msg, "no PPP-B2b corrections from C%02d yet", r->geo);
        if (r->running)
            ppp_restart(r);
    } else if (in->n_corr < PPP_MIN_SAT) {
        in->status = BX_RX_PPP_FEW;
        int w = snprintf(in->msg, sizeof in->msg, "C%02d corrects %d of %d satellites (need %d):", r->geo, in->n_corr,
                         n, PPP_MIN_SAT);
        for (int k = 1; k < 8 && w > 0 && (size_t)w < sizeof in->msg; k++)
            if (in->n_refused[k])
                w += snprintf(in->msg + w, sizeof in->msg - (size_t)w, " %d %s;", in->n_refused[k],
                              bx_b2b_reason_str(k));
        if (r->running) /* the corrections ran out: start again when they come back */
            ppp_restart(r);
    } else {
        if (!r->running) {
            r->t_start = obs->time;
            if (sst == BX_OK) { /* the filter starts at the single-point position */
                bx_ppp_cfg_t c = r->cfg;
                memcpy(c.init_pos_m, r->spp_sol.pos_m, sizeof c.init_pos_m);
                bx_ppp_destroy(r->ppp);
                r->ppp = NULL;
                bx_ppp_create(&c, &r->ppp, NULL, 0);
            }
        }
        /* code screen: the satellites it drops are left out of this epoch's filter update */
        unsigned char drop[BX_PRN_MAX + 1] = {0};
        const bx_obs_t *use = obs;
        if (sst == BX_OK && (in->n_screened = ppp_screen(r, obs, prns, n, r->spp_sol.pos_m, drop)) > 0) {
            bx_obs_t *o = &r->obs_scr;
            *o = *obs;
            o->n = 0;
            for (int i = 0; i < obs->n; i++)
                if (!drop[obs->d[i].prn])
                    o->d[o->n++] = obs->d[i];
            use = o;
            int w = snprintf(in->msg, sizeof in->msg, "code screen dropped");
            for (int p = 1; p <= BX_PRN_MAX && w > 0 && (size_t)w < sizeof in->msg; p++)
                if (drop[p])
                    w += snprintf(in->msg + w, sizeof in->msg - (size_t)w, " C%02d", p);
        }
        st = bx_ppp_update(r->ppp, use, bx_ppp_b2b_satfn, r->src, &in->ppp);
        if (st == BX_OK)
            r->running = 1;
        else {
            in->status = BX_RX_PPP_FILTER;
            snprintf(in->msg, sizeof in->msg, "PPP filter: no solution (%d satellites usable)", in->ppp.n_sat);
        }
    }
    if (st != BX_OK) {
        /* fallback: the receiver's single-point fix on the broadcast ephemerides */
        *sol = r->spp_sol;
        if (sst == BX_OK && !sol->reason[0])
            snprintf(sol->reason, sizeof sol->reason, "PPP: %.96s; broadcast fix", in->msg);
        return sst;
    }
    in->status = BX_RX_PPP_OK;
    in->age_s = bx_time_diff(obs->time, r->t_start);
    /* the PPP position; time, clock (feedback), velocity, DOPs and satellites of the single-point fix */
    bx_sol_t o = r->spp_sol;
    o.fix = BX_FIX_FLOAT;
    o.flags = (o.flags & ~(uint32_t)(BX_SOLF_RAIM_FAIL | BX_SOLF_JUMP)) | BX_SOLF_PPP | BX_SOLF_IONO_FREE |
              BX_SOLF_TROPO;
    o.reason[0] = '\0';
    memcpy(o.pos_m, in->ppp.pos_m, sizeof o.pos_m);
    bx_ecef_to_llh(o.pos_m, o.llh);
    if (sst != BX_OK) { /* no single-point fix (RAIM): the PPP clock and time */
        o.rx_time = obs->time;
        o.clk_bias_m = in->ppp.clk_m;
        o.time = bx_time_add(obs->time, -in->ppp.clk_m / BX_CLIGHT_MPS);
        o.mode = BX_PVT_IF;
    }
    o.n_used = in->ppp.n_sat;
    /* formal sigmas east/north/up from x/y/z (correlations ignored: the filter reports variances only) */
    const double sl = sin(o.llh[0]), cl = cos(o.llh[0]), so = sin(o.llh[1]), co = cos(o.llh[1]);
    const double R[3][3] = {{-so, co, 0}, {-sl * co, -sl * so, cl}, {cl * co, cl * so, sl}};
    for (int i = 0; i < 3; i++) {
        double v = 0;
        for (int k = 0; k < 3; k++)
            v += R[i][k] * R[i][k] * in->ppp.sigma_pos_m[k] * in->ppp.sigma_pos_m[k];
        in->sigma_enu_m[i] = sqrt(v);
    }
    *sol = o;
    return BX_OK;
}

static void ppp_reset_state(void *state)
{
    ppp_state_t *r = state;
    bx_pvt_reset(r->spp);
    if (r->running)
        ppp_restart(r);
}

static const bx_rx_ppp_info_t *ppp_info_of(const void *state) { return &((const ppp_state_t *)state)->info; }

static const solver_ops_t solvers[] = {
    {BX_SOLVER_SPP, "SPP", spp_create, spp_solve, spp_reset, spp_destroy, NULL, NULL, NULL, NULL},
    {BX_SOLVER_RTK, "RTK", rtk_create_state, rtk_solve, rtk_reset_state, rtk_destroy_state, rtk_push_base, rtk_sol_of,
     NULL, NULL},
    {.kind = BX_SOLVER_PPP, .name = "PPP", .create = ppp_create_state, .solve = ppp_solve, .reset = ppp_reset_state,
     .destroy = ppp_destroy_state, .ppp_info = ppp_info_of, .set_b2b = ppp_set_b2b},
};

struct rx_solve {
    const solver_ops_t *ops;
    void *state;
    int mode;
    int have_last, nfix;
    bx_sol_t sol; /* of the latest epoch */
};

/* One band: that band; B1C + B2a: the ionosphere-free combination. */
static int auto_mode(const int *sigs, int nsig)
{
    int b1c = 0, b2a = 0;
    for (int i = 0; i < nsig; i++) {
        b1c |= sigs[i] == BX_SIG_B1C;
        b2a |= sigs[i] == BX_SIG_B2A;
    }
    return b1c && b2a ? BX_PVT_IF : b2a ? BX_PVT_B2A : BX_PVT_B1C;
}

int rx_solve_create(const bx_rx_config_t *c, const int *sigs, int nsig, rx_solve_t **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (c->solver == BX_SOLVER_NONE)
        return BX_OK;
    const solver_ops_t *ops = NULL;
    for (size_t i = 0; i < sizeof solvers / sizeof solvers[0]; i++)
        if (solvers[i].kind == c->solver)
            ops = &solvers[i];
    if (!ops)
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: unknown solver kind %d", c->solver);
    if (c->pvt_mode != BX_RX_PVT_AUTO && c->pvt_mode != BX_PVT_B1C && c->pvt_mode != BX_PVT_B2A &&
        c->pvt_mode != BX_PVT_IF)
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: unknown positioning mode %d", c->pvt_mode);
    if (!(c->steer_threshold_m > 0))
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: clock steering threshold must be > 0 m");
    rx_solve_t *s = calloc(1, sizeof *s);
    if (!s)
        return bx_err(err, errlen, BX_ERR_NOMEM, "receiver: out of memory");
    s->ops = ops;
    s->mode = c->pvt_mode == BX_RX_PVT_AUTO ? auto_mode(sigs, nsig) : c->pvt_mode;
    int st = ops->create(c, s->mode, &s->state, err, errlen);
    if (st != BX_OK) {
        free(s);
        return st;
    }
    *out = s;
    return BX_OK;
}

void rx_solve_epoch(rx_solve_t *s, bx_rx_epoch_t *ep)
{
    ep->mode = s->mode;
    ep->sol = &s->sol;
    s->have_last = 1;
    if (!ep->have_time) {
        /* epoch times only count seconds of samples: nothing to solve yet */
        memset(&s->sol, 0, sizeof s->sol);
        s->sol.time = ep->obs->time;
        strncpy(s->sol.reason, "receiver time not known yet (no time of week decoded)", sizeof s->sol.reason - 1);
        ep->status = BX_ERR_NOFIX;
        if (s->ops->ppp_info) {
            bx_rx_ppp_info_t *in = (bx_rx_ppp_info_t *)s->ops->ppp_info(s->state);
            memset(in, 0, offsetof(bx_rx_ppp_info_t, resets));
            in->status = BX_RX_PPP_NO_TIME;
            snprintf(in->msg, sizeof in->msg, "receiver time not known yet");
        }
    } else {
        ep->status = s->ops->solve(s->state, ep->obs, ep->nav, &s->sol);
        if (ep->status == BX_OK && s->sol.fix == BX_FIX_NONE)
            ep->status = BX_ERR_NOFIX;
    }
    ep->rtk = s->ops->rtk_sol ? s->ops->rtk_sol(s->state) : NULL;
    ep->ppp = s->ops->ppp_info ? s->ops->ppp_info(s->state) : NULL;
    ep->valid = ep->status == BX_OK && bx_sol_valid(&s->sol);
    s->nfix += ep->status == BX_OK;
    ep->nfix = s->nfix;
}

void rx_solve_reset(rx_solve_t *s)
{
    if (s && s->ops->reset)
        s->ops->reset(s->state);
}

const bx_sol_t *rx_solve_last(const rx_solve_t *s) { return s && s->have_last ? &s->sol : NULL; }

int rx_solve_mode(const rx_solve_t *s) { return s ? s->mode : -1; }

int rx_solve_push_base(rx_solve_t *s, const bx_obs_t *base, const double pos_m[3])
{
    if (!s || !s->ops->push_base)
        return BX_ERR_ARG;
    return s->ops->push_base(s->state, base, pos_m);
}

void rx_solve_set_b2b(rx_solve_t *s, const bx_b2b_store_t *store)
{
    if (s && s->ops->set_b2b)
        s->ops->set_b2b(s->state, store);
}

void rx_solve_destroy(rx_solve_t *s)
{
    if (!s)
        return;
    s->ops->destroy(s->state);
    free(s);
}
