/* RTK epoch: rover and base geometry, single-point fallback, slips, filter,
 * ambiguity resolution and the solution record (include/bdsrx/rtk.h). */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/lambda.h"
#include "bdsrx/time.h"
#include "rtk_internal.h"

#define D2R (M_PI / 180.0)
#define PIX(i, j) ((i) * RTK_NX + (j))

/* ------------------------------------------------------------- the epoch */

static void fill_common(bx_rtk_t *r, const bx_obs_t *rover, bx_rtk_sol_t *sol)
{
    bx_sol_t *s = &sol->sol;
    s->rx_time = rover->time;
    s->time = bx_time_add(rover->time, -r->clk_m[RTK_ROVER] / BX_CLIGHT_MPS);
    s->leap_s = r->cfg.leap_s;
    s->mode = -1;
    s->clk_bias_m = r->clk_m[RTK_ROVER];
    sol->n_sig = r->nf;
    for (int f = 0; f < r->nf; f++)
        sol->sig[f] = r->sig[f];
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX && n < BX_SOL_MAXSAT; prn++) {
        const rtk_zsat_t *z = &r->z[RTK_ROVER][prn];
        if (!z->ok)
            continue;
        bx_rtk_sat_t *q = &sol->rsat[n];
        bx_solsat_t *p = &s->sat[n];
        memset(q, 0, sizeof *q);
        memset(p, 0, sizeof *p);
        q->prn = p->prn = (uint8_t)prn;
        q->el_deg = p->el_deg = (float)(z->el / D2R);
        q->az_deg = p->az_deg = (float)(z->az / D2R);
        p->cn0_dbhz = (float)z->cn0[0];
        p->status = z->el < r->cfg.elmask_rad ? BX_SAT_ELMASK : BX_SAT_NOOBS;
        n++;
    }
    sol->n_rsat = s->n_sat = n;
}

static void set_pos(bx_rtk_sol_t *sol, const double pos[3], const double cov[9])
{
    bx_sol_t *s = &sol->sol;
    memcpy(s->pos_m, pos, sizeof s->pos_m);
    bx_ecef_to_llh(pos, s->llh);
    double bllh[3];
    bx_ecef_to_llh(sol->base_pos_m, bllh);
    for (int i = 0; i < 3; i++)
        sol->baseline_ecef_m[i] = pos[i] - sol->base_pos_m[i];
    bx_ecef_to_enu(bllh, sol->baseline_ecef_m, sol->baseline_enu_m);
    /* covariance ECEF -> ENU at the rover: C_enu = E C E' */
    double E[9], EC[9], Ce[9];
    bx_enu_matrix(s->llh, E);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            EC[i * 3 + j] = 0.0;
            for (int k = 0; k < 3; k++)
                EC[i * 3 + j] += E[i * 3 + k] * cov[k * 3 + j];
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            Ce[i * 3 + j] = 0.0;
            for (int k = 0; k < 3; k++)
                Ce[i * 3 + j] += EC[i * 3 + k] * E[j * 3 + k];
        }
    sol->cov_enu_m2[0] = Ce[0];
    sol->cov_enu_m2[1] = Ce[4];
    sol->cov_enu_m2[2] = Ce[8];
    sol->cov_enu_m2[3] = Ce[1];
    sol->cov_enu_m2[4] = Ce[5];
    sol->cov_enu_m2[5] = Ce[2];
    for (int i = 0; i < 3; i++)
        sol->sigma_enu_m[i] = sqrt(fabs(Ce[i * 4]));
}

/* HDOP / PDOP of the satellites used (unweighted, ENU). */
static void dops(bx_rtk_t *r, bx_rtk_sol_t *sol)
{
    double ata[16] = {0};
    int n = 0;
    double E[9];
    bx_enu_matrix(sol->sol.llh, E);
    for (int i = 0; i < sol->n_rsat; i++) {
        if (!sol->rsat[i].used)
            continue;
        double e[3], enu[3];
        rtk_range(&r->z[RTK_ROVER][sol->rsat[i].prn], sol->sol.pos_m, e);
        for (int k = 0; k < 3; k++)
            enu[k] = E[k * 3] * e[0] + E[k * 3 + 1] * e[1] + E[k * 3 + 2] * e[2];
        const double h[4] = {-enu[0], -enu[1], -enu[2], 1.0};
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                ata[a * 4 + b] += h[a] * h[b];
        n++;
    }
    if (n < 4)
        return;
    gsl_matrix_view A = gsl_matrix_view_array(ata, 4, 4);
    if (gsl_linalg_cholesky_decomp1(&A.matrix) || gsl_linalg_cholesky_invert(&A.matrix))
        return;
    const double qe = ata[0], qn = ata[5], qu = ata[10], qt = ata[15];
    sol->sol.hdop = sqrt(qe + qn);
    sol->sol.vdop = sqrt(qu);
    sol->sol.pdop = sqrt(qe + qn + qu);
    sol->sol.tdop = sqrt(qt);
    sol->sol.gdop = sqrt(qe + qn + qu + qt);
}

int bx_rtk_process(bx_rtk_t *r, const bx_obs_t *base, const bx_obs_t *rover, const bx_nav_t *nav,
                   bx_rtk_sol_t *sol)
{
    if (!r || !rover || !nav || !sol)
        return BX_ERR_ARG;
    memset(sol, 0, sizeof *sol);
    if (!r->nf && rtk_choose_signals(r, base, rover)) {
        snprintf(sol->msg, sizeof sol->msg, "no signal with phase on 4 satellites at both receivers");
        snprintf(sol->sol.reason, sizeof sol->sol.reason, "%s", sol->msg);
        sol->sol.rx_time = rover->time;
        sol->sol.leap_s = r->cfg.leap_s;
        return BX_ERR_NOFIX;
    }
    /* rover: geometry at the best position known, single-point fix, Doppler velocity */
    double seed[3] = {0, 0, 0};
    if (r->init)
        memcpy(seed, r->x, sizeof seed);
    rtk_zsat_fill(r, RTK_ROVER, rover, nav, seed);
    double spp[3];
    memcpy(spp, seed, sizeof spp);
    double gdop = 0.0;
    const int nspp = rtk_spp(r, RTK_ROVER, spp, &r->clk_m[RTK_ROVER], &gdop);
    r->spp_ok = nspp >= 4;
    if (r->spp_ok)
        memcpy(r->spp_pos, spp, sizeof spp);
    rtk_zsat_fill(r, RTK_ROVER, rover, nav, r->init ? r->x : spp);
    memcpy(r->vel_prev, r->vel, sizeof r->vel);
    r->have_vel_prev = r->have_vel;
    r->have_vel = rtk_doppler_vel(r, RTK_ROVER, r->init ? r->x : spp, r->vel) == 0;
    fill_common(r, rover, sol);
    if (!r->spp_ok && !r->init) {
        snprintf(sol->msg, sizeof sol->msg, "rover: no single-point fix (%d satellites with code and ephemeris)",
                 nspp < 0 ? 0 : nspp);
        snprintf(sol->sol.reason, sizeof sol->sol.reason, "%s", sol->msg);
        return BX_ERR_NOFIX;
    }
    if (r->have_vel) {
        memcpy(sol->sol.vel_mps, r->vel, sizeof r->vel);
        double vllh[3]; /* the local frame at the rover (the function takes lat, lon, h) */
        bx_ecef_to_llh(r->spp_ok ? spp : r->x, vllh);
        bx_ecef_to_enu(vllh, r->vel, sol->sol.vel_enu_mps);
        sol->sol.flags |= BX_SOLF_VEL;
    }
    /* base */
    const char *why = NULL;
    if (!base)
        why = "no base observations";
    else if (fabs(sol->age_s = bx_time_diff(rover->time, base->time)) > r->cfg.max_age_s)
        why = "base observations too old";
    if (!why && !r->base_fixed && r->base_n == 0) {
        rtk_zsat_fill(r, RTK_BASE, base, nav, r->base_pos);
        double bp[3] = {0, 0, 0}, bc;
        if (rtk_spp(r, RTK_BASE, bp, &bc, NULL) >= 4) {
            memcpy(r->base_pos, bp, sizeof bp); /* first base fix, kept (a moving base would corrupt the DD) */
            r->base_n = 1;
        } else {
            why = "base: no single-point fix for its position (give the base position)";
        }
    }
    if (!why) /* the base clock is not needed: transmit times come from t_rx - P/c, DD remove it */
        rtk_zsat_fill(r, RTK_BASE, base, nav, r->base_pos);
    memcpy(sol->base_pos_m, r->base_pos, sizeof r->base_pos);
    char whybuf[120];
    if (!why && r->spp_ok && r->cfg.max_baseline_m > 0.0) {
        const double d[3] = {spp[0] - r->base_pos[0], spp[1] - r->base_pos[1], spp[2] - r->base_pos[2]};
        const double bl = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        if (bl > r->cfg.max_baseline_m) {
            snprintf(whybuf, sizeof whybuf, "base %.1f km away (limit %.0f km): single-point solution", bl / 1e3,
                     r->cfg.max_baseline_m / 1e3);
            why = whybuf;
        }
    }
    if (why) { /* single-point solution of the rover */
        if (!r->spp_ok) {
            snprintf(sol->msg, sizeof sol->msg, "%.90s; rover: no single-point fix", why);
            snprintf(sol->sol.reason, sizeof sol->sol.reason, "%s", sol->msg);
            return BX_ERR_NOFIX;
        }
        const double cov[9] = {25, 0, 0, 0, 25, 0, 0, 0, 25};
        set_pos(sol, spp, cov);
        sol->sol.fix = BX_FIX_SPP;
        sol->sol.n_used = nspp;
        snprintf(sol->msg, sizeof sol->msg, "%s", why);
        snprintf(sol->sol.reason, sizeof sol->sol.reason, "%s", why);
        return BX_OK;
    }
    /* slips at either receiver, then the filter */
    unsigned char slip[RTK_NSAT] = {0};
    rtk_detect_slips(r, RTK_ROVER, rover->time, slip);
    rtk_detect_slips(r, RTK_BASE, base->time, slip);
    rtk_time_update(r, rover->time, slip);
    unsigned char excl[RTK_NSAT] = {0}, excl_code[RTK_NSAT] = {0};
    int ref[RTK_NF] = {0};
    const int m = rtk_meas_update(r, ref, excl, excl_code);
    if (m < 0) {
        bx_rtk_reset(r);
        snprintf(sol->msg, sizeof sol->msg, "filter update failed (singular); filter reset");
    }
    /* bookkeeping: locks, outliers re-initialised next epoch */
    int nsat = 0;
    for (int i = 0; i < sol->n_rsat; i++) {
        const int prn = sol->rsat[i].prn;
        for (int f = 0; f < r->nf; f++) {
            if (slip[prn] >> f & 1)
                sol->rsat[i].slip |= (uint8_t)(1u << f);
            if (ref[f] == prn)
                sol->rsat[i].ref |= (uint8_t)(1u << f);
            if (m > 0 && rtk_usable(r, prn, f, 1) && ref[f]) {
                if (excl[prn] >> f & 1) {
                    rtk_reset_state(r, RTK_IA(prn, f));
                    r->lock[prn][f] = -1;
                    sol->rsat[i].slip |= (uint8_t)(1u << f);
                } else {
                    r->lock[prn][f]++;
                    r->t_obs[prn][f] = rover->time;
                    sol->rsat[i].used = 1;
                }
            }
        }
        if (sol->rsat[i].used) {
            nsat++;
            sol->sol.sat[i].status = BX_SAT_USED;
        }
    }
    sol->n_sat = nsat;
    sol->sol.n_used = nsat;
    double cov[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            cov[i * 3 + j] = r->P[PIX(i, j)];
    double pf[3], cf[9];
    if (m > 0 && rtk_resolve(r, ref, excl, sol, pf, cf)) {
        set_pos(sol, pf, cf);
        sol->sol.fix = BX_FIX_FIXED;
        r->ar_fail = 0;
    } else if (m > 0) {
        if (sol->n_amb >= r->cfg.min_fix_amb && sol->p_boot >= r->cfg.p_boot_min && sol->ratio < r->cfg.ratio_min)
            r->ar_fail++;
        else
            r->ar_fail = 0;
        if (r->cfg.ar_reset_epochs > 0 && r->ar_fail >= r->cfg.ar_reset_epochs) {
            for (int prn = 1; prn <= BX_PRN_MAX; prn++)
                for (int f = 0; f < r->nf; f++) {
                    rtk_reset_state(r, RTK_IA(prn, f));
                    r->lock[prn][f] = -1;
                }
            r->ar_fail = 0;
            const size_t l = strlen(sol->msg);
            snprintf(sol->msg + l, sizeof sol->msg - l, "; ambiguities re-initialised");
        }
        set_pos(sol, r->x, cov);
        sol->sol.fix = BX_FIX_FLOAT;
    } else {
        const double c25[9] = {25, 0, 0, 0, 25, 0, 0, 0, 25};
        set_pos(sol, r->spp_ok ? spp : r->x, c25);
        sol->sol.fix = BX_FIX_SPP;
        sol->sol.n_used = nspp > 0 ? nspp : 0;
        if (!sol->msg[0])
            snprintf(sol->msg, sizeof sol->msg, "no double differences (common satellites with phase)");
    }
    snprintf(sol->sol.reason, sizeof sol->sol.reason, "%s", sol->msg);
    dops(r, sol);
    return BX_OK;
}
