/* Base + rover observation simulator for the RTK tests and benchmark:
 * real broadcast ephemerides (any bx_nav_t), known base and rover
 * trajectories, independent receiver clocks, troposphere (Saastamoinen plus
 * a per-receiver zenith wet error), ionosphere with a horizontal gradient
 * (dispersive: code delayed, phase advanced), C/N0 30-45 dB-Hz by elevation,
 * code/phase/Doppler noise scaled by C/N0, random integer ambiguities per
 * receiver and signal, and cycle slips with or without the loss-of-lock
 * flag.  Everything the RTK engine does not know is drawn here. */
#ifndef BDSRX_TEST_RTK_SIM_H
#define BDSRX_TEST_RTK_SIM_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"
#include "bdsrx/rtk.h"
#include <stdio.h>
#include <stdlib.h>
#include "bdsrx/time.h"

typedef struct {
    uint64_t s;
} sim_rng_t;

static inline double sim_u(sim_rng_t *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (double)((r->s * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double sim_n(sim_rng_t *r)
{
    double u = sim_u(r), v = sim_u(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

typedef struct {
    int nsig;
    int sig[2];
    double base_llh[3];       /* rad, rad, m */
    double baseline_enu[3];   /* rover - base for a static rover */
    int moving;               /* rover on a back-and-forth field path around the static point */
    double code_sigma_m;      /* at 35 dB-Hz (0.3) */
    double phase_sigma_m;     /* at 35 dB-Hz (0.003) */
    double iono_vtec_tecu;    /* vertical TEC at the base */
    double iono_grad_ppm;     /* horizontal gradient of the B1 zenith delay, per metre of baseline */
    double tropo_wet_sigma_m; /* per-receiver zenith wet error */
    double slip_rate;         /* probability per satellite-epoch-receiver of a slip */
    double slip_lli_frac;     /* share of slips flagged with LLI */
    double elmask_deg;        /* satellites simulated above it (at the base) */
    uint64_t prn_mask;        /* bit p: PRN p simulated; 0 = every PRN with an ephemeris */
    int rtk_hold;             /* sim_run: engine with fix-and-hold */
    int rtk_atmo;             /* sim_run: engine's atmo_est + 2 (0 = the engine's default) */
    double rover_clk_step_s;  /* the rover steers its clock by this step ... */
    int rover_clk_step_k;     /* ... from this epoch on (a receiver's millisecond clock correction) */
    int no_doppler;           /* receivers without Doppler output */
} sim_cfg_t;

typedef struct {
    sim_cfg_t c;
    sim_rng_t rng;
    const bx_nav_t *nav;
    double base[3];
    double clk0[2], drift[2];     /* receiver clocks (s, s/s) */
    double zwet[2];               /* zenith wet errors */
    double amb[2][64][2];         /* integer ambiguities */
    double slip_total[2][64][2];  /* accumulated slips (cycles) */
    int slips, slips_lli;
} sim_t;

static inline void sim_init(sim_t *s, const sim_cfg_t *c, const bx_nav_t *nav, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->c = *c;
    s->nav = nav;
    s->rng.s = seed * 0x9e3779b97f4a7c15ull + 1;
    bx_llh_to_ecef(c->base_llh, s->base);
    for (int r = 0; r < 2; r++) {
        s->clk0[r] = (sim_u(&s->rng) - 0.5) * 2e-4; /* +-100 us */
        s->drift[r] = (sim_u(&s->rng) - 0.5) * 2e-8;
        s->zwet[r] = c->tropo_wet_sigma_m * sim_n(&s->rng);
        for (int p = 0; p < 64; p++)
            for (int f = 0; f < 2; f++)
                s->amb[r][p][f] = floor((sim_u(&s->rng) - 0.5) * 2e6);
    }
}

/* Rover position and velocity at time t (s since the start). */
static inline void sim_rover(const sim_t *s, double t, double pos[3], double vel[3])
{
    double enu[3], venu[3] = {0, 0, 0};
    memcpy(enu, s->c.baseline_enu, sizeof enu);
    if (s->c.moving) { /* rows 200 m long, turning at the ends, creeping north */
        const double w = 2.0 * M_PI / 200.0;
        enu[0] += 100.0 * sin(w * t);
        enu[1] += 0.05 * t;
        venu[0] = 100.0 * w * cos(w * t);
        venu[1] = 0.05;
    }
    double d[3];
    bx_enu_to_ecef(s->c.base_llh, enu, d);
    bx_enu_to_ecef(s->c.base_llh, venu, vel);
    for (int i = 0; i < 3; i++)
        pos[i] = s->base[i] + d[i];
}

/* Geometric range (Sagnac included) from rx at true time t to the satellite,
 * with satellite clock and range rate.  Returns 0 or -1. */
static inline int sim_geom(const bx_eph_t *e, bx_time_t t, const double rx[3], const double vrx[3], double *rho,
                    double *dts, double *rr, double *el, double *ddts)
{
    double tau = 0.075, pos[3], vel[3], clk, drift;
    for (int it = 0; it < 6; it++) {
        if (bx_satpos(e, bx_time_add(t, -tau), pos, vel, &clk, &drift))
            return -1;
        const double a = BX_OMEGA_E_RAD_S * tau, ca = cos(a), sa = sin(a);
        const double p[3] = {ca * pos[0] + sa * pos[1], -sa * pos[0] + ca * pos[1], pos[2]};
        const double d[3] = {p[0] - rx[0], p[1] - rx[1], p[2] - rx[2]};
        *rho = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        tau = *rho / BX_CLIGHT_MPS;
        if (it == 5) {
            const double v[3] = {ca * vel[0] + sa * vel[1], -sa * vel[0] + ca * vel[1], vel[2]};
            *rr = (d[0] * (v[0] - vrx[0]) + d[1] * (v[1] - vrx[1]) + d[2] * (v[2] - vrx[2])) / *rho;
            double llh[3], az;
            bx_ecef_to_llh(rx, llh);
            bx_azel(rx, llh, p, &az, el);
        }
    }
    *dts = clk;
    *ddts = drift;
    return 0;
}

/* Observations of epoch k (receiver time t0 + k dt) for both receivers. */
/* receiver r's clock offset at epoch tk (s) */
static inline double sim_dtr(const sim_t *s, int r, double tk)
{
    double d = s->clk0[r] + s->drift[r] * tk;
    if (r == 1 && s->c.rover_clk_step_s != 0.0 && tk >= s->c.rover_clk_step_k)
        d -= s->c.rover_clk_step_s;
    return d;
}

static inline void sim_epoch(sim_t *s, bx_time_t t0, double tk, bx_obs_t *obs_base, bx_obs_t *obs_rover)
{
    const double C = BX_CLIGHT_MPS;
    for (int r = 0; r < 2; r++) {
        bx_obs_t *o = r == 0 ? obs_base : obs_rover;
        o->time = bx_time_add(t0, tk);
        o->n = 0;
        double rx[3], vrx[3] = {0, 0, 0};
        if (r == 0)
            memcpy(rx, s->base, sizeof rx);
        else
            sim_rover(s, tk, rx, vrx);
        double llh[3];
        bx_ecef_to_llh(rx, llh);
        const double dtr = sim_dtr(s, r, tk);
        const bx_time_t t_true = bx_time_add(o->time, -dtr);
        /* ionosphere: B1 (1575.42 MHz) zenith delay 40.3 TEC / f^2 with a north gradient */
        double d_enu[3];
        const double dr[3] = {rx[0] - s->base[0], rx[1] - s->base[1], rx[2] - s->base[2]};
        bx_ecef_to_enu(s->c.base_llh, dr, d_enu);
        const double iz_l1 = 40.3e16 * s->c.iono_vtec_tecu / (BX_FREQ_B1C_HZ * BX_FREQ_B1C_HZ) +
                             s->c.iono_grad_ppm * 1e-6 * (d_enu[1] + 0.5 * d_enu[0]);
        for (int prn = 1; prn <= BX_PRN_MAX && o->n < BX_OBS_MAX - 2; prn++) {
            if (s->c.prn_mask && !(s->c.prn_mask >> prn & 1u))
                continue;
            const bx_eph_t *e = bx_pvt_select_eph(s->nav, prn, t_true);
            if (!e)
                continue;
            double rho, dts, rr, el, ddts;
            if (sim_geom(e, t_true, rx, vrx, &rho, &dts, &rr, &el, &ddts) || el < s->c.elmask_deg * M_PI / 180.0)
                continue;
            const double cn0 = 30.0 + 15.0 * fmin(1.0, fmax(0.0, (el * 180.0 / M_PI - 10.0) / 60.0));
            const double scale = pow(10.0, (35.0 - cn0) / 20.0);
            const double se = sin(el);
            const double tropo = bx_tropo_delay_m(llh, el) + s->zwet[r] / sqrt(se * se + 0.0012);
            /* thin-shell mapping (350 km) */
            const double sz = 6371.0 / 6721.0 * cos(el);
            const double mi = 1.0 / sqrt(1.0 - sz * sz);
            for (int f = 0; f < s->c.nsig; f++) {
                const double fr = bx_signal_freq_hz(s->c.sig[f]), lam = C / fr;
                const double iono = iz_l1 * mi * (BX_FREQ_B1C_HZ / fr) * (BX_FREQ_B1C_HZ / fr);
                bx_obsd_t *d = &o->d[o->n++];
                memset(d, 0, sizeof *d);
                d->prn = (uint8_t)prn;
                d->sig = (uint8_t)s->c.sig[f];
                d->pilot = s->c.sig[f] <= BX_SIG_B2B;
                d->code = d->pilot ? 'P' : 'I'; /* RINEX attribute */
                const double geo = rho + C * (dtr - dts) + tropo;
                d->pseudorange_m = geo + iono + s->c.code_sigma_m * scale * sim_n(&s->rng);
                /* slips */
                int lli = 0;
                if (s->c.slip_rate > 0.0 && tk > 0.0 && sim_u(&s->rng) < s->c.slip_rate) {
                    double jump = floor(1.0 + 20.0 * sim_u(&s->rng));
                    if (sim_u(&s->rng) < 0.5)
                        jump = -jump;
                    if (sim_u(&s->rng) < 0.3)
                        jump = sim_u(&s->rng) < 0.5 ? 1.0 : -1.0;
                    s->slip_total[r][prn][f] += jump;
                    s->slips++;
                    if (sim_u(&s->rng) < s->c.slip_lli_frac) {
                        lli = 1;
                        s->slips_lli++;
                    }
                }
                d->carrier_cycles = (geo - iono) / lam + s->amb[r][prn][f] + s->slip_total[r][prn][f] +
                                    s->c.phase_sigma_m * scale * sim_n(&s->rng) / lam;
                d->doppler_hz = -(rr + C * (s->drift[r] - ddts)) / lam + 0.05 * sim_n(&s->rng);
                d->cn0_dbhz = cn0;
                d->flags = BX_OBS_PR | BX_OBS_CP | (s->c.no_doppler ? 0 : BX_OBS_DOP) | BX_OBS_CN0 |
                           (lli ? BX_OBS_SLIP : 0);
            }
        }
    }
}

typedef struct {
    int epochs, fixed, fixed_after_first, wrong, first;
    double max_err_h, max_err_3d, sum2_h;
    int slips, slips_lli;
} simres_t;

/* One trial of `epochs` 1-s epochs through a fresh engine (signals and base position from sc);
 * wrong = fixed epochs with any fixed DD ambiguity off the simulated integer.  Returns 0 or -1 (engine error). */
static inline int sim_run(const bx_nav_t *nav, const sim_cfg_t *sc, int mode, int epochs, uint64_t seed, bx_time_t t0,
                    simres_t *res)
{
    sim_t s;
    sim_init(&s, sc, nav, seed);
    bx_rtk_config_t c;
    bx_rtk_config_default(&c);
    c.mode = mode;
    c.hold = sc->rtk_hold;
    if (sc->rtk_atmo)
        c.atmo_est = sc->rtk_atmo - 2;
    c.n_sig = sc->nsig;
    for (int f = 0; f < sc->nsig; f++)
        c.sig[f] = sc->sig[f];
    memcpy(c.base_pos_m, s.base, sizeof s.base);
    bx_rtk_t *rtk;
    if (bx_rtk_create(&c, &rtk, NULL, 0))
        return -1;
    static bx_obs_t bo, ro;
    memset(res, 0, sizeof *res);
    res->first = -1;
    for (int k = 0; k < epochs; k++) {
        sim_epoch(&s, t0, (double)k, &bo, &ro);
        bx_rtk_sol_t sol;
        if (bx_rtk_process(rtk, &bo, &ro, nav, &sol)) {
            bx_rtk_destroy(rtk);
            return -1;
        }
        res->epochs++;
        if (sol.sol.fix != BX_FIX_FIXED) {
            if (getenv("RTK_DEBUG") && (res->first >= 0 || k % 30 == 29))
                printf("  k %d not fixed: %s (ratio %.1f, %d/%d)\n", k, sol.msg, sol.ratio, sol.n_fixed, sol.n_amb);
            continue;
        }
        if (res->first < 0)
            res->first = k;
        res->fixed++;
        /* truth at the true reception time of the rover's epoch */
        double truth[3], v[3], d[3], enu[3];
        sim_rover(&s, (double)k - sim_dtr(&s, 1, k), truth, v);
        for (int i = 0; i < 3; i++)
            d[i] = sol.sol.pos_m[i] - truth[i];
        bx_ecef_to_enu(sc->base_llh, d, enu);
        const double eh = hypot(enu[0], enu[1]), e3 = sqrt(eh * eh + enu[2] * enu[2]);
        if (getenv("RTK_DEBUG") && (k % 20 == 0 || e3 > 0.05))
            printf("  k %d err E %.4f N %.4f U %.4f ratio %.1f nfix %d/%d\n", k, enu[0], enu[1], enu[2], sol.ratio,
                   sol.n_fixed, sol.n_amb);
        /* wrong fix: a fixed DD ambiguity more than half a cycle from the simulated integer */
        int bad = 0;
        for (int f = 0; f < sc->nsig; f++) {
            int ref = 0;
            for (int i = 0; i < sol.n_rsat; i++)
                if (sol.rsat[i].ref >> f & 1)
                    ref = sol.rsat[i].prn;
            for (int i = 0; i < sol.n_rsat && ref; i++) {
                if (!(sol.rsat[i].fixed >> f & 1))
                    continue;
                const int p = sol.rsat[i].prn;
                const double sd_s = s.amb[1][p][f] + s.slip_total[1][p][f] - s.amb[0][p][f] - s.slip_total[0][p][f];
                const double sd_r =
                    s.amb[1][ref][f] + s.slip_total[1][ref][f] - s.amb[0][ref][f] - s.slip_total[0][ref][f];
                if (fabs(sol.rsat[i].amb_dd_cyc[f] - (sd_s - sd_r)) > 0.5)
                    bad = 1;
            }
        }
        if (e3 > res->max_err_3d)
            res->max_err_3d = e3;
        if (bad) {
            res->wrong++;
            if (getenv("RTK_DEBUG"))
                printf("  k %d WRONG fix: err E %.4f N %.4f U %.4f ratio %.1f %d/%d\n", k, enu[0], enu[1], enu[2],
                       sol.ratio, sol.n_fixed, sol.n_amb);
            continue;
        }
        res->sum2_h += eh * eh;
        if (eh > res->max_err_h)
            res->max_err_h = eh;
    }
    if (res->first >= 0)
        res->fixed_after_first = res->fixed;
    res->slips = s.slips;
    res->slips_lli = s.slips_lli;
    bx_rtk_destroy(rtk);
    return 0;
}


/* ---- shared by tests/test_rtk*.c ---- */
#include "bdsrx/rinex_nav.h"
#include "testdata.h"

#define NAGOYA "real/rtk_nagoya_static/"

/* The broadcast ephemerides of the Nagoya pair (real, 2024-06-24): 0, or -1 (skip) / -2. */
static inline int load_nav(bx_nav_t *nav)
{
    char p[512];
    if (!testdata_path(p, sizeof p, NAGOYA "base.nav"))
        return -1;
    bx_nav_init(nav);
    char err[300];
    if (bx_rinex_nav_read(p, nav, err, sizeof err) != BX_OK) {
        printf("nav: %s\n", err);
        return -2;
    }
    return 0;
}

/* Default scenario near the Nagoya base (C/N0, noise and atmosphere as described above). */
static inline void sim_default(sim_cfg_t *sc, int sig1, int sig2)
{
    memset(sc, 0, sizeof *sc);
    sc->nsig = sig2 >= 0 ? 2 : 1;
    sc->sig[0] = sig1;
    sc->sig[1] = sig2;
    sc->base_llh[0] = 35.1347 * (M_PI / 180.0);
    sc->base_llh[1] = 136.9776 * (M_PI / 180.0);
    sc->base_llh[2] = 105.0;
    sc->code_sigma_m = 0.3;
    sc->phase_sigma_m = 0.003;
    sc->iono_vtec_tecu = 20.0;
    sc->iono_grad_ppm = 1.0;
    sc->tropo_wet_sigma_m = 0.003;
    sc->elmask_deg = 10.0;
}

/* Several random trials of one scenario; prints and checks the statistics. */

#endif
