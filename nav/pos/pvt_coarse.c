/* Coarse-time (snapshot) positioning from sub-period code phases: five
 * states (x, y, z, common bias b, time error dt), see include/bdsrx/pvt.h.
 *
 *   P_k = rho_k(x, t_approx + dt) + b - c (dt_sv,k - T_GD,k) + T_k + I_k
 *   dP_k/dx = -e_k,  dP_k/db = 1,  dP_k/ddt = e_k . v_sat,k - c ddt_sv,k (range rate)
 *
 * The full pseudoranges P_k are built from the code phases by choosing the
 * number of whole code periods of each satellite relative to a reference
 * satellite so that P_k - P_pred,k is the same for all (the prediction uses
 * x0 and t_approx); what is common to all goes into b. */
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"

#define CLIGHT BX_CLIGHT_MPS
#define D2R (M_PI / 180.0)
#define NS 5

typedef struct {
    const bx_coarse_meas_t *m;
    const bx_eph_t *eph;
    double period_s, tgd_s, p_m;
    double e[3], rate_mps, el, az, resid, w;
    int active;
} cs_t;

/* Range for reception at true time t from x: flight time by fixed-point
 * iteration, satellite state rotated by w_e tau (Sagnac). */
static double range_at(const bx_eph_t *e, bx_time_t t, const double x[3], double pos[3], double vel[3], double *clk,
                       double *drift)
{
    double tau = 0.075, r = 0.0;
    for (int it = 0; it < 4; it++) {
        double p[3], v[3];
        bx_satpos(e, bx_time_add(t, -tau), p, v, clk, drift);
        const double a = BX_OMEGA_E_RAD_S * tau, ca = cos(a), sa = sin(a);
        pos[0] = ca * p[0] + sa * p[1];
        pos[1] = -sa * p[0] + ca * p[1];
        pos[2] = p[2];
        vel[0] = ca * v[0] + sa * v[1];
        vel[1] = -sa * v[0] + ca * v[1];
        vel[2] = v[2];
        r = sqrt((pos[0] - x[0]) * (pos[0] - x[0]) + (pos[1] - x[1]) * (pos[1] - x[1]) +
                 (pos[2] - x[2]) * (pos[2] - x[2]));
        tau = r / CLIGHT;
    }
    return r;
}

static double wrap(double x, double period)
{
    return x - period * floor(x / period + 0.5);
}

static int nofix(bx_sol_t *sol, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int nofix(bx_sol_t *sol, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sol->reason, sizeof sol->reason, fmt, ap);
    va_end(ap);
    sol->fix = BX_FIX_NONE;
    return BX_ERR_NOFIX;
}

int bx_pvt_coarse(const bx_coarse_meas_t *m, int n, bx_time_t t_approx, const double x0_m[3],
                  const bx_coarse_aid_t *aid, const bx_nav_t *nav, const bx_pvt_config_t *cfg_in, bx_sol_t *sol)
{
    return bx_pvt_coarse_periods(m, NULL, n, t_approx, x0_m, aid, nav, cfg_in, sol);
}

int bx_pvt_coarse_periods(const bx_coarse_meas_t *m, const double *period_s, int n, bx_time_t t_approx,
                          const double x0_m[3], const bx_coarse_aid_t *aid, const bx_nav_t *nav,
                          const bx_pvt_config_t *cfg_in, bx_sol_t *sol)
{
    if (!m || n < 0 || !nav || !sol)
        return BX_ERR_ARG;
    bx_pvt_config_t cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        bx_pvt_config_default(&cfg);
    memset(sol, 0, sizeof *sol);
    sol->rx_time = sol->time = t_approx;
    sol->mode = (n > 0 && m[0].sig == BX_SIG_B2A) ? BX_PVT_B2A : BX_PVT_B1C;
    sol->leap_s = nav->utc.valid ? nav->utc.dt_ls_s : cfg.leap_s;
    if (!x0_m || sqrt(x0_m[0] * x0_m[0] + x0_m[1] * x0_m[1] + x0_m[2] * x0_m[2]) < 6.0e6)
        return nofix(sol, "coarse-time fix needs an a-priori position within ~1000 km (B1C) / 100 km (B2a)");
    const int use_h = aid && aid->sigma_m > 0.0;
    cs_t s[BX_SOL_MAXSAT];
    int k = 0;
    for (int i = 0; i < n && k < BX_SOL_MAXSAT; i++) {
        bx_solsat_t *o = &sol->sat[sol->n_sat++];
        o->prn = (uint8_t)m[i].prn;
        o->cn0_dbhz = (float)m[i].cn0_dbhz;
        o->status = BX_SAT_NOEPH;
        const bx_eph_t *e = bx_pvt_select_eph(nav, m[i].prn, t_approx);
        if (!e || (m[i].sig != BX_SIG_B1C && m[i].sig != BX_SIG_B2A))
            continue;
        o->status = BX_SAT_USED;
        memset(&s[k], 0, sizeof s[k]);
        s[k].m = &m[i];
        s[k].eph = e;
        s[k].period_s = period_s && period_s[i] > 0.0 ? period_s[i]
                        : m[i].sig == BX_SIG_B1C ? 0.010 : 0.001; /* 10230 chips at 1.023 / 10.23 Mcps */
        s[k].tgd_s = bx_tgd_s(e, m[i].sig, m[i].pilot);
        k++;
    }
    const int need = use_h ? 4 : 5;
    if (k < need)
        return nofix(sol, "%d satellites with ephemeris, %d needed for a coarse-time fix%s", k, need,
                     use_h ? " with a height constraint" : " (4 with a height constraint)");

    /* Full pseudoranges from code phases, relative to the prediction at x0, t_approx. */
    double r0 = 0.0;
    for (int j = 0; j < k; j++) {
        double pos[3], vel[3], clk, drift;
        const double rho = range_at(s[j].eph, t_approx, x0_m, pos, vel, &clk, &drift);
        /* predicted satellite-clock transmit time: t_sv = t - rho/c + dt_sv(sig) */
        const bx_time_t tsv = bx_time_add(t_approx, -rho / CLIGHT + clk - s[j].tgd_s);
        int wk;
        const double sow = bx_time_to_week_sow(tsv, &wk);
        double r = wrap(s[j].m->code_phase_s - fmod(sow, s[j].period_s), s[j].period_s);
        if (j == 0)
            r0 = r;
        else /* same common offset as the reference, modulo this signal's period */
            r = r0 + wrap(r - r0, s[j].period_s);
        /* P = c (t_approx - t_sv_measured), t_sv_measured = tsv + r */
        s[j].p_m = rho - CLIGHT * (clk - s[j].tgd_s) - CLIGHT * r;
    }

    double x[NS] = {x0_m[0], x0_m[1], x0_m[2], 0.0, 0.0};
    double q[NS * NS];
    int it, converged = 0, nact = 0;
    for (it = 1; it <= 30 && !converged; it++) {
        double nm[NS * NS] = {0}, b[NS] = {0}, llh[3];
        bx_ecef_to_llh(x, llh);
        const bx_time_t t = bx_time_add(t_approx, x[4]);
        nact = 0;
        for (int j = 0; j < k; j++) {
            double pos[3], vel[3], clk, drift;
            const double rho = range_at(s[j].eph, t, x, pos, vel, &clk, &drift);
            bx_azel(x, llh, pos, &s[j].az, &s[j].el);
            s[j].active = it <= 2 || s[j].el >= cfg.elmask_rad;
            for (int c = 0; c < 3; c++)
                s[j].e[c] = (pos[c] - x[c]) / rho;
            s[j].rate_mps = s[j].e[0] * vel[0] + s[j].e[1] * vel[1] + s[j].e[2] * vel[2] - CLIGHT * drift;
            double corr = 0.0;
            if (s[j].el > 0.0) {
                if (cfg.tropo)
                    corr += bx_tropo_delay_m(llh, s[j].el);
                if (cfg.iono && nav->iono.valid)
                    corr += bx_bdgim_delay_m(&nav->iono, t, llh, s[j].az, s[j].el,
                                             s[j].m->sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ);
            }
            s[j].resid = s[j].p_m - (rho + x[3] - CLIGHT * (clk - s[j].tgd_s) + corr);
            const double se = sin(s[j].el > 5 * D2R ? s[j].el : 5 * D2R);
            double var = cfg.code_sigma_m * cfg.code_sigma_m * (1.0 + 1.0 / (se * se)) + 25.0 / (se * se);
            if (s[j].m->cn0_dbhz > 0.0 && s[j].m->cn0_dbhz < cfg.cn0_ref_dbhz)
                var *= pow(10.0, (cfg.cn0_ref_dbhz - s[j].m->cn0_dbhz) / 10.0);
            s[j].w = 1.0 / var;
            if (!s[j].active)
                continue;
            nact++;
            const double h[NS] = {-s[j].e[0], -s[j].e[1], -s[j].e[2], 1.0, s[j].rate_mps};
            for (int a = 0; a < NS; a++) {
                b[a] += h[a] * s[j].w * s[j].resid;
                for (int c = 0; c < NS; c++)
                    nm[a * NS + c] += h[a] * s[j].w * h[c];
            }
        }
        if (nact < need)
            return nofix(sol, "%d satellites above the %.0f deg mask, %d needed for a coarse-time fix", nact,
                         cfg.elmask_rad / D2R, need);
        if (use_h) { /* height pseudo-observation: dh/dx = up unit vector */
            const double up[NS] = {cos(llh[0]) * cos(llh[1]), cos(llh[0]) * sin(llh[1]), sin(llh[0]), 0.0, 0.0};
            const double w = 1.0 / (aid->sigma_m * aid->sigma_m), v = aid->height_m - llh[2];
            for (int a = 0; a < NS; a++) {
                b[a] += up[a] * w * v;
                for (int c = 0; c < NS; c++)
                    nm[a * NS + c] += up[a] * w * up[c];
            }
        }
        double dx[NS];
        gsl_matrix_view mv = gsl_matrix_view_array(nm, NS, NS);
        gsl_vector_view bv = gsl_vector_view_array(b, NS), xv = gsl_vector_view_array(dx, NS);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int st = gsl_linalg_cholesky_decomp1(&mv.matrix);
        if (!st)
            st = gsl_linalg_cholesky_solve(&mv.matrix, &bv.vector, &xv.vector);
        if (!st)
            st = gsl_linalg_cholesky_invert(&mv.matrix);
        gsl_set_error_handler(old);
        if (st)
            return nofix(sol, "coarse-time normal equations singular (%d satellites): geometry too weak", nact);
        memcpy(q, nm, sizeof q);
        for (int a = 0; a < NS; a++)
            x[a] += dx[a];
        if (fabs(x[4]) > 600.0)
            return nofix(sol, "coarse-time solution diverged (time error %.0f s): a-priori time or position too far",
                         x[4]);
        converged = sqrt(dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2] + dx[3] * dx[3]) < 1e-3 && fabs(dx[4]) < 1e-6;
    }
    if (!converged)
        return nofix(sol, "coarse-time least squares did not converge (%d satellites)", nact);

    memcpy(sol->pos_m, x, 3 * sizeof(double));
    bx_ecef_to_llh(x, sol->llh);
    sol->clk_bias_m = x[3];
    sol->time = bx_time_add(t_approx, x[4]);
    sol->n_used = nact;
    sol->iter = it - 1;
    double chi2 = 0.0;
    for (int j = 0, i = 0; j < k; j++) {
        while (i < sol->n_sat && sol->sat[i].status != BX_SAT_USED)
            i++;
        bx_solsat_t *o = &sol->sat[i++];
        o->az_deg = (float)(s[j].az / D2R);
        o->el_deg = (float)(s[j].el / D2R);
        o->resid_m = s[j].resid;
        o->sigma_m = 1.0 / sqrt(s[j].w);
        if (!s[j].active)
            o->status = BX_SAT_ELMASK;
        else
            chi2 += s[j].w * s[j].resid * s[j].resid;
    }
    sol->chi2 = chi2;
    const int dof = nact + use_h - NS;
    sol->sigma0 = dof > 0 ? sqrt(chi2 / dof) : 0.0;
    /* DOPs from the weighted covariance normalised by the mean weight (not the classic unweighted DOP) */
    double r[9], qe[9], wm = 0.0;
    for (int j = 0; j < k; j++)
        wm += s[j].active ? s[j].w / nact : 0.0;
    bx_enu_matrix(sol->llh, r);
    for (int a = 0; a < 3; a++)
        for (int b2 = 0; b2 < 3; b2++) {
            double acc = 0.0;
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++)
                    acc += r[3 * a + c] * q[NS * c + d] * r[3 * b2 + d];
            qe[3 * a + b2] = acc * wm;
        }
    sol->hdop = sqrt(qe[0] + qe[4]);
    sol->vdop = sqrt(qe[8]);
    sol->pdop = sqrt(qe[0] + qe[4] + qe[8]);
    sol->tdop = sqrt(q[NS * 3 + 3] * wm);
    sol->gdop = sqrt(sol->pdop * sol->pdop + sol->tdop * sol->tdop);
    sol->fix = BX_FIX_SPP;
    snprintf(sol->reason, sizeof sol->reason, "coarse-time fix: time corrected by %+.3f s", x[4]);
    return BX_OK;
}
