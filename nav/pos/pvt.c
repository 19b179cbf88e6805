/* Single-point positioning: weighted least squares (Gauss-Newton) on code
 * pseudoranges, velocity from Doppler, DOPs, RAIM (nav/pos/pvt_raim.c).
 * Model and group-delay handling: see include/bdsrx/pvt.h and orbit.md §5. */
#include "bdsrx/pvt.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/geoid.h"
#include "bdsrx/orbit.h"
#include "bx_err.h"
#include "pvt_integrity.h"

#define CLIGHT BX_CLIGHT_MPS
#define D2R (M_PI / 180.0)
/* (f_B1C / f_B2a)^2, orbit.md §5 */
#define K_IF ((BX_FREQ_B1C_HZ / BX_FREQ_B2A_HZ) * (BX_FREQ_B1C_HZ / BX_FREQ_B2A_HZ))

struct bx_pvt {
    bx_pvt_config_t cfg;
    int have_prev;
    double x_prev[4];
    bx_pvt_integ_t integ;
};

void bx_pvt_config_default(bx_pvt_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->mode = BX_PVT_IF;
    c->elmask_rad = 10.0 * D2R;
    c->iono = 1;
    c->tropo = 1;
    c->raim = 1;
    c->raim_pfa = 1e-3;
    c->raim_max_excl = 2;
    c->code_sigma_m = 0.3;
    c->cn0_ref_dbhz = 45.0;
    c->doppler_sigma_mps = 0.1;
    c->leap_s = 4;
    c->max_iter = 10;
    c->max_speed_mps = 600.0; /* faster than any land vehicle or helicopter, far below a discontinuity */
}

int bx_sol_valid(const bx_sol_t *sol)
{
    return sol && sol->fix != BX_FIX_NONE && !(sol->flags & (BX_SOLF_RAIM_FAIL | BX_SOLF_JUMP)) &&
           sol->n_used >= 4 && isfinite(sol->pos_m[0]) && isfinite(sol->pos_m[1]) && isfinite(sol->pos_m[2]) &&
           isfinite(sol->llh[0]) && isfinite(sol->llh[1]) && isfinite(sol->llh[2]);
}

int bx_pvt_create(const bx_pvt_config_t *c, bx_pvt_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_pvt_create: out is NULL");
    bx_pvt_t *p = *out = calloc(1, sizeof *p);
    if (!p)
        return bx_err(err, errlen, BX_ERR_NOMEM, "PVT: out of memory");
    if (c)
        p->cfg = *c;
    else
        bx_pvt_config_default(&p->cfg);
    if (p->cfg.max_iter <= 0)
        p->cfg.max_iter = 10;
    return BX_OK;
}

static int geo_prn(int prn)
{
    return (prn >= 1 && prn <= 5) || (prn >= 59 && prn <= 63); /* orbit.md §3.1 */
}

const bx_eph_t *bx_pvt_select_eph(const bx_nav_t *nav, int prn, bx_time_t t)
{
    const bx_eph_t *e = bx_nav_select(nav, prn, t);
    if (!e || e->sat_type != BX_SAT_GEO || geo_prn(prn))
        return e;
    static const int src[] = {BX_SIG_B1C, BX_SIG_B2A, BX_SIG_B2B, BX_EPH_SRC_D1};
    const bx_eph_t *best = NULL;
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
        const bx_eph_t *c = bx_nav_select_src(nav, prn, t, src[i]);
        if (c && c->sat_type != BX_SAT_GEO &&
            (!best || fabs(bx_time_diff(t, c->toe)) < fabs(bx_time_diff(t, best->toe))))
            best = c;
    }
    return best;
}

int bx_pvt_borrow_tgd(bx_nav_t *nav, const bx_nav_t *donor)
{
    int count = 0;
    for (int i = 0; i < nav->n_eph; i++) {
        bx_eph_t *e = &nav->eph[i];
        if (e->source < BX_EPH_SRC_D1)
            continue;
        const bx_eph_t *c1 = NULL, *c2 = NULL;
        for (int j = 0; j < donor->n_eph; j++) {
            const bx_eph_t *s = &donor->eph[j];
            if (s->prn != e->prn)
                continue;
            if (s->source == BX_SIG_B1C && (!c1 || bx_time_diff(s->toe, c1->toe) > 0))
                c1 = s;
            if (s->source == BX_SIG_B2A && (!c2 || bx_time_diff(s->toe, c2->toe) > 0))
                c2 = s;
        }
        if (!c1 && !c2)
            continue;
        const bx_eph_t *t = c1 ? c1 : c2;
        e->tgd_b1cp_s = t->tgd_b1cp_s;
        e->tgd_b2ap_s = t->tgd_b2ap_s;
        e->isc_b1cd_s = c1 ? c1->isc_b1cd_s : 0.0;
        e->isc_b2ad_s = c2 ? c2->isc_b2ad_s : 0.0;
        count++;
    }
    return count;
}

void bx_pvt_reset(bx_pvt_t *p)
{
    p->have_prev = 0;
    bx_pvt_integ_reset(&p->integ);
}

void bx_pvt_destroy(bx_pvt_t *p)
{
    free(p);
}

/* How well the T_GD of a satellite's fit is known (sv_t.no_tgd; variance()). */
enum { TGD_KNOWN = 0, TGD_MISSING = 1 /* taken as 0 */, TGD_FROM_TGD1 = 2 /* legacy TGD1 for B1C */ };

/* T_GD of signal sig for the fit (orbit.md §5); *approx = TGD_* (TGD_KNOWN if broadcast for sig).
 * A legacy D1/D2 ephemeris carries no B1C/B2a group delays (unless bx_pvt_borrow_tgd gave it
 * some): its TGD1 (B1I vs B3I) then stands in for T_GD(B1C).  B1I and B1C leave the satellite
 * through the same B1 chain; in the DLR broadcast of 2023-03-12 |TGD1 - T_GD_B1Cp| <= 7.1 ns
 * (RMS 3 ns) over C19-C46 while T_GD_B1Cp itself spans -42..+27 ns, and on KMS3 (legacy-only
 * nav, test_pvt) the iono-free fix improves from 15.3 m to 4.5 m 3D.  TGD2 (B2I) has no B2a
 * counterpart (BDS-3 satellites broadcast TGD2 = TGD1), so T_GD(B2a) stays 0.  Either way the
 * value is approximate: BX_SOLF_NO_TGD stays set and the variance is inflated by the measured
 * stand-in error instead of the whole T_GD spread. */
static double tgd_for(const bx_eph_t *e, int sig, int pilot, int *approx)
{
    const double t = bx_tgd_s(e, sig, pilot);
    if (bx_eph_is_legacy(e) && e->tgd_b1cp_s == 0.0 && e->tgd_b2ap_s == 0.0) {
        const int stand_in = sig == BX_SIG_B1C && e->tgd_b1i_s != 0.0;
        *approx = stand_in ? TGD_FROM_TGD1 : TGD_MISSING;
        return stand_in ? e->tgd_b1i_s : 0.0;
    }
    /* CNAV ephemerides always broadcast their group delays: 0 is a value, not a gap */
    *approx = TGD_KNOWN;
    return t;
}

/* One satellite prepared for the fit: everything that does not depend on
 * the receiver position. */
typedef struct {
    int prn, sol_idx;
    double p_m;             /* pseudorange of the mode (IF combined) */
    double pos[3], vel[3];  /* at transmit time, ECEF of that instant */
    double dts_m;           /* c * (dt_sv - T_GD of the mode) */
    double ddts_mps;        /* c * clock drift */
    double rr_mps;          /* measured range rate (-lambda D), valid if has_rr */
    int has_rr;
    double cn0;             /* 0 unknown */
    double freq_hz;         /* single-frequency carrier (iono scaling) */
    int no_tgd;             /* TGD_* */
    int excluded;           /* by RAIM */
    /* per iteration */
    double e[3], el, az, resid, w, sigma;
    int active;
} sv_t;

static const bx_obsd_t *find_sig(const bx_obs_t *obs, int prn, int sig)
{
    const bx_obsd_t *best = NULL;
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *d = &obs->d[i];
        if (d->prn == prn && d->sig == sig && (d->flags & BX_OBS_PR) && d->pseudorange_m > 1e7 &&
            d->pseudorange_m < 6e7 && (!best || d->pilot > best->pilot))
            best = d;
    }
    return best;
}

static double sat_norm(const double *x)
{
    return sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
}

static int sol_sat_index(bx_sol_t *sol, int prn)
{
    for (int i = 0; i < sol->n_sat; i++)
        if (sol->sat[i].prn == prn)
            return i;
    if (sol->n_sat >= BX_SOL_MAXSAT)
        return -1;
    bx_solsat_t *s = &sol->sat[sol->n_sat];
    memset(s, 0, sizeof *s);
    s->prn = (uint8_t)prn;
    s->status = BX_SAT_NOOBS;
    return sol->n_sat++;
}

static const char *mode_sig_name(int mode)
{
    return mode == BX_PVT_B1C ? "B1C" : mode == BX_PVT_B2A ? "B2a" : "B1C+B2a";
}

/* Builds the satellite list.  Returns the number prepared. */
static int prepare(const bx_pvt_config_t *cfg, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol, sv_t *sv,
                   int *n_noeph)
{
    int n = 0;
    *n_noeph = 0;
    for (int i = 0; i < obs->n; i++) {
        const int prn = obs->d[i].prn;
        if (prn < 1 || prn > BX_PRN_MAX)
            continue;
        const int si = sol_sat_index(sol, prn);
        if (si < 0)
            continue;
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= sv[k].prn == prn;
        if (dup || sol->sat[si].status != BX_SAT_NOOBS)
            continue;
        const bx_obsd_t *d1 = find_sig(obs, prn, BX_SIG_B1C), *d2 = find_sig(obs, prn, BX_SIG_B2A);
        const bx_obsd_t *d = cfg->mode == BX_PVT_B2A ? d2 : d1;
        if (!d || (cfg->mode == BX_PVT_IF && !d2))
            continue; /* stays BX_SAT_NOOBS */
        sol->sat[si].cn0_dbhz = (d->flags & BX_OBS_CN0) ? (float)d->cn0_dbhz : 0.0f;
        const bx_eph_t *eph = bx_pvt_select_eph(nav, prn, obs->time);
        if (!eph) {
            sol->sat[si].status = BX_SAT_NOEPH;
            (*n_noeph)++;
            continue;
        }
        sv_t *s = &sv[n];
        memset(s, 0, sizeof *s);
        s->prn = prn;
        s->sol_idx = si;
        s->cn0 = (d->flags & BX_OBS_CN0) ? d->cn0_dbhz : 0.0;
        double tgd_s;
        if (cfg->mode == BX_PVT_IF) {
            /* orbit.md §5: P_IF = [(P_B2a - k P_B1C) - c (T_GD(B2a) - k T_GD(B1C))] / (1 - k) */
            int a1, a2;
            const double t1 = tgd_for(eph, BX_SIG_B1C, d1->pilot, &a1), t2 = tgd_for(eph, BX_SIG_B2A, d2->pilot, &a2);
            s->p_m = (d2->pseudorange_m - K_IF * d1->pseudorange_m) / (1.0 - K_IF);
            tgd_s = (t2 - K_IF * t1) / (1.0 - K_IF);
            /* legacy: B1C from TGD1, B2a missing; the TGD_FROM_TGD1 variance covers both */
            s->no_tgd = a1 == TGD_FROM_TGD1 ? TGD_FROM_TGD1 : (a1 || a2) ? TGD_MISSING : TGD_KNOWN;
            s->freq_hz = 0.0;
        } else {
            tgd_s = tgd_for(eph, d->sig, d->pilot, &s->no_tgd);
            s->p_m = d->pseudorange_m;
            s->freq_hz = d->sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
        }
        /* transmit time: t_tx = t_rx - P/c - dt_sv (receiver clock cancels, P contains it) */
        double clk = 0.0, drift = 0.0;
        bx_time_t ttx = bx_time_add(obs->time, -s->p_m / CLIGHT);
        if (bx_satpos(eph, ttx, s->pos, s->vel, &clk, &drift) != BX_OK ||
            bx_satpos(eph, bx_time_add(ttx, -clk), s->pos, s->vel, &clk, &drift) != BX_OK ||
            sat_norm(s->pos) < 2e7 || sat_norm(s->pos) > 5e7) {
            sol->sat[si].status = BX_SAT_BADPOS;
            continue;
        }
        s->dts_m = CLIGHT * (clk - tgd_s);
        s->ddts_mps = CLIGHT * drift;
        /* Doppler of the first signal of the mode: range rate = -lambda * D (RINEX sign) */
        if (d->flags & BX_OBS_DOP) {
            const double f = d->sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
            s->rr_mps = -d->doppler_hz * CLIGHT / f;
            s->has_rr = 1;
        }
        sol->sat[si].status = BX_SAT_USED; /* provisional, refined in the fit */
        n++;
    }
    return n;
}

/* Geometry of one satellite at receiver x: Sagnac-rotated position and
 * velocity, unit line of sight, range. */
static double geometry(const sv_t *s, const double x[3], double pos[3], double vel[3], double e[3])
{
    double d0[3] = {s->pos[0] - x[0], s->pos[1] - x[1], s->pos[2] - x[2]};
    const double tau = sat_norm(d0) / CLIGHT;
    /* Earth rotation during the signal flight (Sagnac): the satellite position is
     * expressed in the ECEF frame of the reception instant, R_z(w_e tau). */
    const double a = BX_OMEGA_E_RAD_S * tau, ca = cos(a), sa = sin(a);
    pos[0] = ca * s->pos[0] + sa * s->pos[1];
    pos[1] = -sa * s->pos[0] + ca * s->pos[1];
    pos[2] = s->pos[2];
    vel[0] = ca * s->vel[0] + sa * s->vel[1];
    vel[1] = -sa * s->vel[0] + ca * s->vel[1];
    vel[2] = s->vel[2];
    const double d[3] = {pos[0] - x[0], pos[1] - x[1], pos[2] - x[2]};
    const double r = sat_norm(d);
    for (int k = 0; k < 3; k++)
        e[k] = d[k] / r;
    return r;
}

/* Solves the k x k normal equations (H'WH) dx = H'Wv; q = (H'WH)^-1 if not NULL.
 * H n x k row-major (k <= 4).  Returns 0 or -1 (singular). */
static int wls(const double *h, const double *v, const double *w, int n, int k, double *dx, double *q)
{
    double nm[16] = {0}, b[4] = {0};
    for (int i = 0; i < n; i++)
        for (int a = 0; a < k; a++) {
            b[a] += h[i * k + a] * w[i] * v[i];
            for (int c = 0; c < k; c++)
                nm[a * k + c] += h[i * k + a] * w[i] * h[i * k + c];
        }
    gsl_matrix_view m = gsl_matrix_view_array(nm, (size_t)k, (size_t)k);
    gsl_vector_view bv = gsl_vector_view_array(b, (size_t)k);
    gsl_vector_view xv = gsl_vector_view_array(dx, (size_t)k);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st = gsl_linalg_cholesky_decomp1(&m.matrix);
    if (!st)
        st = gsl_linalg_cholesky_solve(&m.matrix, &bv.vector, &xv.vector);
    if (!st && q) {
        st = gsl_linalg_cholesky_invert(&m.matrix);
        memcpy(q, nm, sizeof(double) * (size_t)(k * k));
    }
    gsl_set_error_handler(old);
    return st ? -1 : 0;
}

/* A-priori variance of the mode's pseudorange (m^2). */
static double variance(const bx_pvt_config_t *cfg, const sv_t *s, double el, double iono_m, int iono_applied,
                       double tropo_m)
{
    const double sin_el = sin(el > 5 * D2R ? el : 5 * D2R);
    double code = cfg->code_sigma_m * cfg->code_sigma_m * (1.0 + 1.0 / (sin_el * sin_el));
    if (s->cn0 > 0.0 && s->cn0 < cfg->cn0_ref_dbhz)
        code *= pow(10.0, (cfg->cn0_ref_dbhz - s->cn0) / 10.0);
    if (cfg->mode == BX_PVT_IF) /* noise of (P2 - k P1)/(1 - k): sqrt(k^2 + 1)/(k - 1) = 2.59 */
        code *= (K_IF * K_IF + 1.0) / ((K_IF - 1.0) * (K_IF - 1.0));
    double var = code;
    var += 0.5 * 0.5;                         /* broadcast orbit + clock (SISRE ~0.5 m) */
    var += (0.1 * tropo_m) * (0.1 * tropo_m); /* Saastamoinen + secant mapping error */
    if (cfg->mode != BX_PVT_IF) {
        /* BDGIM corrects ~70 %; uncorrected: typical mid-latitude 5 m slant scale */
        const double si = iono_applied ? 0.3 * iono_m : 5.0 / sin_el;
        var += si * si;
    }
    if (s->no_tgd == TGD_MISSING) /* spread of c*T_GD over the constellation (orbit.md §5 table) */
        var += cfg->mode == BX_PVT_IF ? 100.0 : cfg->mode == BX_PVT_B1C ? 25.0 : 4.0;
    else if (s->no_tgd == TGD_FROM_TGD1) /* c*(TGD1 - T_GD_B1Cp) RMS 0.9 m (x k/(k-1) = 2.26 in IF), plus
                                           the missing T_GD_B2ap spread (x 1/(k-1) = 1.26) in IF */
        var += cfg->mode == BX_PVT_IF ? 9.0 : 1.0;
    return var;
}

typedef struct {
    int n_act, iter, converged;
    double h[BX_SOL_MAXSAT * 4], v[BX_SOL_MAXSAT], w[BX_SOL_MAXSAT];
    int idx[BX_SOL_MAXSAT];   /* sv index of each row */
    double q[16];
    uint32_t flags;
    int n_below_mask;
} fit_t;

/* Gauss-Newton iterations from x (4 states) over non-excluded satellites. */
static void fit(const bx_pvt_config_t *cfg, const bx_nav_t *nav, bx_time_t t, sv_t *sv, int n, double x[4],
                fit_t *f)
{
    f->converged = 0;
    for (f->iter = 1; f->iter <= cfg->max_iter; f->iter++) {
        const double rnorm = sat_norm(x);
        const int near_earth = rnorm > 6.0e6 && rnorm < 7.0e6; /* else az/el are meaningless */
        double llh[3] = {0, 0, 0};
        if (near_earth)
            bx_ecef_to_llh(x, llh);
        f->n_act = 0;
        f->flags = 0;
        f->n_below_mask = 0;
        for (int i = 0; i < n; i++) {
            sv_t *s = &sv[i];
            s->active = 0;
            if (s->excluded)
                continue;
            double pos[3], vel[3];
            const double r = geometry(s, x, pos, vel, s->e);
            double iono = 0.0, tropo = 0.0;
            int iono_applied = 0;
            s->el = s->az = 0.0;
            if (near_earth) {
                bx_azel(x, llh, pos, &s->az, &s->el);
                if (s->el < cfg->elmask_rad) {
                    f->n_below_mask++;
                    continue;
                }
                if (cfg->tropo) {
                    tropo = bx_tropo_delay_m(llh, s->el);
                    f->flags |= BX_SOLF_TROPO;
                }
                if (cfg->mode != BX_PVT_IF) {
                    if (cfg->iono && nav->iono.valid) {
                        iono = bx_bdgim_delay_m(&nav->iono, t, llh, s->az, s->el, s->freq_hz);
                        iono_applied = 1;
                        f->flags |= BX_SOLF_IONO_BDGIM;
                    } else {
                        f->flags |= BX_SOLF_IONO_NONE;
                    }
                }
            }
            if (s->no_tgd)
                f->flags |= BX_SOLF_NO_TGD;
            s->resid = s->p_m - (r + x[3] - s->dts_m + iono + tropo);
            s->sigma = near_earth ? sqrt(variance(cfg, s, s->el, iono, iono_applied, tropo)) : 10.0;
            s->w = 1.0 / (s->sigma * s->sigma);
            s->active = 1;
            const int k = f->n_act++;
            f->idx[k] = i;
            for (int j = 0; j < 3; j++)
                f->h[4 * k + j] = -s->e[j];
            f->h[4 * k + 3] = 1.0;
            f->v[k] = s->resid;
            f->w[k] = s->w;
        }
        if (cfg->mode == BX_PVT_IF)
            f->flags |= BX_SOLF_IONO_FREE;
        if (f->n_act < 4)
            return;
        double dx[4];
        if (wls(f->h, f->v, f->w, f->n_act, 4, dx, f->q) != 0)
            return;
        for (int j = 0; j < 4; j++)
            x[j] += dx[j];
        if (sat_norm(dx) < 1e-4) {
            f->converged = 1;
            /* residuals at the final x (the step was < 0.1 mm) */
            for (int k = 0; k < f->n_act; k++) {
                double c = 0.0;
                for (int j = 0; j < 4; j++)
                    c += f->h[4 * k + j] * dx[j];
                f->v[k] -= c;
                sv[f->idx[k]].resid = f->v[k];
            }
            return;
        }
    }
}

static void dops(const fit_t *f, const double llh[3], bx_sol_t *sol)
{
    /* unweighted geometry: Q = (H'H)^-1 */
    double one[BX_SOL_MAXSAT], q[16], dx[4], zero[BX_SOL_MAXSAT];
    for (int i = 0; i < f->n_act; i++) {
        one[i] = 1.0;
        zero[i] = 0.0;
    }
    if (wls(f->h, zero, one, f->n_act, 4, dx, q) != 0)
        return;
    double r[9], qe[9];
    bx_enu_matrix(llh, r);
    /* Q_enu = R Q_xyz R' */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double s = 0.0;
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++)
                    s += r[3 * a + c] * q[4 * c + d] * r[3 * b + d];
            qe[3 * a + b] = s;
        }
    sol->gdop = sqrt(q[0] + q[5] + q[10] + q[15]);
    sol->pdop = sqrt(q[0] + q[5] + q[10]);
    sol->hdop = sqrt(qe[0] + qe[4]);
    sol->vdop = sqrt(qe[8]);
    sol->tdop = sqrt(q[15]);
}

/* Velocity and clock drift from range rates of the satellites in the fix. */
static void velocity(const bx_pvt_config_t *cfg, sv_t *sv, int n, bx_sol_t *sol)
{
    double h[BX_SOL_MAXSAT * 4], v[BX_SOL_MAXSAT], w[BX_SOL_MAXSAT];
    int idx[BX_SOL_MAXSAT], m = 0;
    for (int i = 0; i < n; i++) {
        sv_t *s = &sv[i];
        if (!s->active || !s->has_rr)
            continue;
        double pos[3], vel[3], e[3];
        geometry(s, sol->pos_m, pos, vel, e);
        /* range rate = e.(v_sat - v_rx) + c ddt_rx - c ddt_sv; the Sagnac effect is in the rotated
         * satellite state already (the rate of the rotation angle w_e tau is negligible) */
        const double model = e[0] * vel[0] + e[1] * vel[1] + e[2] * vel[2] - s->ddts_mps;
        for (int j = 0; j < 3; j++)
            h[4 * m + j] = -e[j];
        h[4 * m + 3] = 1.0;
        v[m] = s->rr_mps - model;
        const double sin_el = sin(s->el > 5 * D2R ? s->el : 5 * D2R);
        const double sg = cfg->doppler_sigma_mps / sin_el;
        w[m] = 1.0 / (sg * sg);
        idx[m++] = i;
    }
    if (m < 4)
        return;
    double x[4] = {0, 0, 0, 0};
    for (int it = 0; it < 2; it++) { /* linear in x: the second pass only refreshes residuals */
        double dx[4], vv[BX_SOL_MAXSAT];
        for (int k = 0; k < m; k++) {
            vv[k] = v[k];
            for (int j = 0; j < 4; j++)
                vv[k] -= h[4 * k + j] * x[j];
        }
        if (it == 1) {
            for (int k = 0; k < m; k++)
                sol->sat[sv[idx[k]].sol_idx].resid_mps = vv[k];
            break;
        }
        if (wls(h, vv, w, m, 4, dx, NULL) != 0)
            return;
        for (int j = 0; j < 4; j++)
            x[j] += dx[j];
    }
    memcpy(sol->vel_mps, x, sizeof sol->vel_mps);
    sol->clk_drift_mps = x[3];
    bx_ecef_to_enu(sol->llh, sol->vel_mps, sol->vel_enu_mps);
    sol->flags |= BX_SOLF_VEL;
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

int bx_pvt_solve(bx_pvt_t *p, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol)
{
    if (!p || !obs || !nav || !sol)
        return BX_ERR_ARG;
    const bx_pvt_config_t *cfg = &p->cfg;
    memset(sol, 0, sizeof *sol);
    sol->rx_time = sol->time = obs->time;
    sol->mode = cfg->mode;
    sol->leap_s = nav->utc.valid ? nav->utc.dt_ls_s : cfg->leap_s;
    sv_t sv[BX_SOL_MAXSAT];
    int n_noeph;
    const int n = prepare(cfg, obs, nav, sol, sv, &n_noeph);
    if (n < 4)
        return nofix(sol, "%d satellites with ephemeris and %s pseudorange, 4 needed (%d without ephemeris)", n,
                     mode_sig_name(cfg->mode), n_noeph);

    double x[4] = {0, 0, 0, 0};
    if (p->have_prev)
        memcpy(x, p->x_prev, sizeof x);
    fit_t f;
    fit(cfg, nav, obs->time, sv, n, x, &f);
    if (!f.converged && p->have_prev) { /* a stale seed can mislead: restart from the centre */
        memset(x, 0, sizeof x);
        fit(cfg, nav, obs->time, sv, n, x, &f);
    }
    /* RAIM: chi-square test on the weighted residuals, exclude the worst, retry */
    int n_excl = 0;
    uint32_t raim = 0;
    while (f.converged && cfg->raim) {
        const int dof = f.n_act - 4;
        double chi2 = 0.0;
        for (int k = 0; k < f.n_act; k++)
            chi2 += f.w[k] * f.v[k] * f.v[k];
        sol->chi2 = chi2;
        if (dof < 1) {
            raim = BX_SOLF_RAIM_NA;
            break;
        }
        sol->chi2_thres = bx_raim_chi2_threshold(dof, cfg->raim_pfa);
        if (chi2 <= sol->chi2_thres) {
            raim = BX_SOLF_RAIM_OK;
            break;
        }
        const int worst = dof >= 2 && n_excl < cfg->raim_max_excl ? bx_raim_worst(f.h, f.v, f.w, f.n_act) : -1;
        if (worst < 0) {
            raim = BX_SOLF_RAIM_FAIL;
            break;
        }
        sv[f.idx[worst]].excluded = 1;
        n_excl++;
        double xs[4];
        memcpy(xs, x, sizeof xs);
        fit(cfg, nav, obs->time, sv, n, x, &f);
        if (!f.converged) {
            memcpy(x, xs, sizeof xs);
            raim = BX_SOLF_RAIM_FAIL;
            break;
        }
    }
    if (!f.converged) {
        if (f.n_act < 4)
            return nofix(sol, "%d satellites above the %.0f deg mask with %s pseudorange, 4 needed (%d below)", f.n_act,
                         cfg->elmask_rad / D2R, mode_sig_name(cfg->mode), f.n_below_mask);
        return nofix(sol, "least squares did not converge in %d iterations (%d satellites): bad geometry or "
                          "inconsistent pseudoranges",
                     cfg->max_iter, f.n_act);
    }
    double chi2 = 0.0;
    for (int k = 0; k < f.n_act; k++)
        chi2 += f.w[k] * f.v[k] * f.v[k];
    sol->chi2 = chi2;
    if (n_excl)
        raim |= BX_SOLF_RAIM_EXCL;
    sol->flags = f.flags | raim;
    sol->n_used = f.n_act;
    sol->n_excl = n_excl;
    sol->iter = f.iter;
    sol->sigma0 = f.n_act > 4 ? sqrt(chi2 / (f.n_act - 4)) : 0.0;
    memcpy(sol->pos_m, x, sizeof sol->pos_m);
    sol->clk_bias_m = x[3];
    bx_ecef_to_llh(x, sol->llh);
    if (cfg->geoid) {
        sol->geoid_sep_m = bx_geoid_undulation_m(cfg->geoid, sol->llh[0], sol->llh[1]);
        if (isfinite(sol->geoid_sep_m))
            sol->flags |= BX_SOLF_GEOID;
    }
    sol->time = bx_time_add(obs->time, -x[3] / CLIGHT);
    /* per-satellite report, residuals of excluded satellites at the final position */
    for (int i = 0; i < n; i++) {
        sv_t *s = &sv[i];
        bx_solsat_t *o = &sol->sat[s->sol_idx];
        double pos[3], vel[3], e[3];
        const double r = geometry(s, x, pos, vel, e);
        double az, el;
        bx_azel(x, sol->llh, pos, &az, &el);
        o->az_deg = (float)(az / D2R);
        o->el_deg = (float)(el / D2R);
        if (s->active) {
            o->status = BX_SAT_USED;
            o->resid_m = s->resid;
            o->sigma_m = s->sigma;
        } else {
            o->status = s->excluded ? BX_SAT_RAIM : BX_SAT_ELMASK;
            const double tr = cfg->tropo ? bx_tropo_delay_m(sol->llh, el) : 0.0;
            o->resid_m = s->p_m - (r + x[3] - s->dts_m + tr);
        }
    }
    dops(&f, sol->llh, sol);
    velocity(cfg, sv, n, sol);
    sol->fix = BX_FIX_SPP;
    if (raim & BX_SOLF_RAIM_FAIL)
        snprintf(sol->reason, sizeof sol->reason, "RAIM: chi2 %.1f > %.1f (%d dof) after %d exclusion(s)", chi2,
                 sol->chi2_thres, f.n_act - 4, n_excl);
    else if ((sol->flags & BX_SOLF_IONO_NONE) && (sol->flags & BX_SOLF_NO_TGD))
        snprintf(sol->reason, sizeof sol->reason,
                 "no BDGIM coefficients: ionosphere not corrected; no %s group delays (T_GD = 0)",
                 mode_sig_name(cfg->mode));
    else if (sol->flags & BX_SOLF_IONO_NONE)
        snprintf(sol->reason, sizeof sol->reason, "no BDGIM coefficients: ionosphere not corrected");
    else if (sol->flags & BX_SOLF_NO_TGD)
        snprintf(sol->reason, sizeof sol->reason,
                 "no %s group delays in the ephemerides (legacy D1/D2?): T_GD = 0, metre-level biases",
                 mode_sig_name(cfg->mode));
    if (sol->gdop > 30.0 || !(sol->gdop > 0.0)) {
        p->have_prev = 0;
        return nofix(sol, "geometry too weak (GDOP %.1f > 30) with %d satellites", sol->gdop, f.n_act);
    }
    memcpy(p->x_prev, x, sizeof x);
    p->have_prev = 1;
    bx_pvt_integ_check(&p->integ, cfg, sol);
    return BX_OK;
}
