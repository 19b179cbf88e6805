/* bdsrx — float PPP with an extended Kalman filter on B1C/B2a ionosphere-free code and phase
 * (include/bdsrx/ppp.h).  Sequential scalar measurement updates linearised at the predicted
 * state (equivalent to one batch EKF update). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/ppp.h"
#include "bdsrx/ppp_model.h"
#include "bdsrx/pvt.h"
#include "bdsrx/time.h"

#define NB 5                      /* x y z clk zwd */
#define NX (NB + BX_PRN_MAX + 1)  /* + one ambiguity per PRN (index NB + prn) */
#define MAXM (2 * (BX_PRN_MAX + 1))

struct bx_ppp {
    bx_ppp_cfg_t cfg;
    int init;
    double x[NX], P[NX][NX];
    int amb[BX_PRN_MAX + 1];          /* ambiguity state active */
    double gf[BX_PRN_MAX + 1];        /* last geometry-free phase (m) */
    double gf_rate[BX_PRN_MAX + 1];   /* its rate (m/s) from the last two epochs, NAN unknown */
    bx_time_t seen[BX_PRN_MAX + 1];   /* last epoch with phase */
    double wu[BX_PRN_MAX + 1];        /* last wind-up (cycles) */
    double mw[BX_PRN_MAX + 1];        /* Melbourne-Wubbena running mean (m) */
    int n_mw[BX_PRN_MAX + 1];         /* epochs in that mean */
    bx_time_t t_prev;
};

void bx_ppp_cfg_default(bx_ppp_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    c->kinematic = 0;
    c->sigma_code_m = 0.3;
    c->sigma_phase_m = 0.003;
    c->elmask_rad = 10.0 * M_PI / 180.0;
    c->q_zwd_m2_s = 1e-8;
    c->sigma_kin_m = 30.0;
    c->slip_gf_m = 0.05;
    c->models = 0;
    c->if_pair = BX_PPP_IF_B1C_B2A;
    c->slip_mw_cyc = 4.0;
    c->reject_k = 5.0;
}

void bx_ppp_if_freqs(int if_pair, double *f1_hz, double *f2_hz)
{
    *f1_hz = if_pair == BX_PPP_IF_B1I_B3I ? BX_FREQ_B1I_HZ : BX_FREQ_B1C_HZ;
    *f2_hz = if_pair == BX_PPP_IF_B1I_B3I ? BX_FREQ_B3I_HZ : BX_FREQ_B2A_HZ;
}

int bx_ppp_create(const bx_ppp_cfg_t *cfg, bx_ppp_t **out, char *err, size_t errlen)
{
    if (!out) {
        if (err && errlen)
            snprintf(err, errlen, "bx_ppp_create: out is NULL");
        return BX_ERR_ARG;
    }
    *out = NULL;
    bx_ppp_t *p = calloc(1, sizeof *p);
    if (!p) {
        if (err && errlen)
            snprintf(err, errlen, "PPP: out of memory");
        return BX_ERR_NOMEM;
    }
    if (cfg)
        p->cfg = *cfg;
    else
        bx_ppp_cfg_default(&p->cfg);
    if (!(p->cfg.sigma_code_m > 0) || !(p->cfg.sigma_phase_m > 0) || !(p->cfg.q_zwd_m2_s >= 0) ||
        (p->cfg.if_pair != BX_PPP_IF_B1C_B2A && p->cfg.if_pair != BX_PPP_IF_B1I_B3I)) {
        free(p);
        if (err && errlen)
            snprintf(err, errlen, "PPP: noise settings must be > 0 and if_pair BX_PPP_IF_B1C_B2A or _B1I_B3I");
        return BX_ERR_ARG;
    }
    *out = p;
    return BX_OK;
}

void bx_ppp_destroy(bx_ppp_t *p)
{
    free(p);
}

static void reset_state(bx_ppp_t *p, int i, double value, double var)
{
    for (int k = 0; k < NX; k++)
        p->P[i][k] = p->P[k][i] = 0.0;
    p->x[i] = value;
    p->P[i][i] = var;
}

/* one satellite's IF observables */
typedef struct {
    int prn, slip;
    double pif, lif, gf;   /* m */
    double mw;             /* Melbourne-Wubbena wide-lane minus narrow-lane code, m */
    double rs[3], clk_m;   /* satellite at transmit time, rotated for the Earth's rotation */
    double el;
} satobs_t;

/* median of w[0..n) (n >= 1) using tmp as scratch */
static double median(const double *w, int n, double *tmp)
{
    memcpy(tmp, w, (size_t)n * sizeof *tmp);
    for (int a = 1; a < n; a++) /* insertion sort, n <= 2 x 64 */
        for (int b = a; b > 0 && tmp[b] < tmp[b - 1]; b--) {
            const double t = tmp[b];
            tmp[b] = tmp[b - 1];
            tmp[b - 1] = t;
        }
    return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

/* satellite position/clock for the code of a receiver at rr (Sagnac by rotating the satellite
 * position by w tau) */
static int sat_state(const bx_obs_t *obs, satobs_t *s, const double rr[3], bx_ppp_satfn fn, void *user)
{
    bx_time_t t = bx_time_add(obs->time, -s->pif / BX_CLIGHT_MPS);
    double pos[3], clk;
    if (fn(user, s->prn, t, pos, &clk) != 0)
        return -1;
    t = bx_time_add(t, -clk); /* satellite clock: system time of transmission */
    if (fn(user, s->prn, t, pos, &clk) != 0)
        return -1;
    double tau = dist3(pos, rr) / BX_CLIGHT_MPS;
    for (int it = 0; it < 2; it++) {
        const double a = BX_OMEGA_E_BDS_RAD_S * tau;
        s->rs[0] = cos(a) * pos[0] + sin(a) * pos[1];
        s->rs[1] = -sin(a) * pos[0] + cos(a) * pos[1];
        s->rs[2] = pos[2];
        tau = dist3(s->rs, rr) / BX_CLIGHT_MPS;
    }
    s->clk_m = clk * BX_CLIGHT_MPS;
    return 0;
}

/* code-only least squares for position and clock (first epoch) */
static int code_lsq(satobs_t *s, int n, const bx_obs_t *obs, bx_ppp_satfn fn, void *user, double x[4])
{
    for (int it = 0; it < 10; it++) {
        double N[4][4] = {{0}}, b[4] = {0};
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (sat_state(obs, &s[i], x, fn, user))
                continue;
            const double r = dist3(s[i].rs, x);
            double h[4] = {(x[0] - s[i].rs[0]) / r, (x[1] - s[i].rs[1]) / r, (x[2] - s[i].rs[2]) / r, 1.0};
            const double v = s[i].pif - (r + x[3] - s[i].clk_m);
            for (int j = 0; j < 4; j++) {
                b[j] += h[j] * v;
                for (int k = 0; k < 4; k++)
                    N[j][k] += h[j] * h[k];
            }
            m++;
        }
        if (m < 4)
            return -1;
        /* Gauss-Jordan on the 4x4 normal equations */
        double A[4][5];
        for (int j = 0; j < 4; j++) {
            for (int k = 0; k < 4; k++)
                A[j][k] = N[j][k];
            A[j][4] = b[j];
        }
        for (int c = 0; c < 4; c++) {
            int piv = c;
            for (int r = c + 1; r < 4; r++)
                if (fabs(A[r][c]) > fabs(A[piv][c]))
                    piv = r;
            if (fabs(A[piv][c]) < 1e-12)
                return -1;
            for (int k = 0; k < 5; k++) {
                double tmp = A[c][k];
                A[c][k] = A[piv][k];
                A[piv][k] = tmp;
            }
            for (int r = 0; r < 4; r++)
                if (r != c) {
                    double f = A[r][c] / A[c][c];
                    for (int k = c; k < 5; k++)
                        A[r][k] -= f * A[c][k];
                }
        }
        double dx = 0;
        for (int j = 0; j < 4; j++) {
            const double d = A[j][4] / A[j][j];
            x[j] += d;
            dx += d * d;
        }
        if (dx < 1e-8)
            return 0;
    }
    return 0;
}

int bx_ppp_update(bx_ppp_t *p, const bx_obs_t *obs, bx_ppp_satfn fn, void *user, bx_ppp_sol_t *sol)
{
    if (!p || !obs || !fn || !sol)
        return BX_ERR_ARG;
    double c1, c2, f1, f2;
    bx_ppp_if_freqs(p->cfg.if_pair, &f1, &f2);
    bx_iflc_coef(f1, f2, &c1, &c2);
    const double l1 = BX_CLIGHT_MPS / f1, l2 = BX_CLIGHT_MPS / f2;
    const int b1i = p->cfg.if_pair == BX_PPP_IF_B1I_B3I;
    const int sig1 = b1i ? BX_SIG_B1I : BX_SIG_B1C, sig2 = b1i ? BX_SIG_B3I : BX_SIG_B2A;
    /* IF code and phase per satellite from the pilots (RINEX C1P/L1P, C5P/L5P) or B1I/B3I */
    satobs_t s[BX_PRN_MAX + 1];
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        const bx_obsd_t *o1 = NULL, *o2 = NULL;
        for (int i = 0; i < obs->n; i++) {
            const bx_obsd_t *d = &obs->d[i];
            if (d->prn != prn || (!b1i && !d->pilot))
                continue;
            if (d->sig == sig1)
                o1 = d;
            else if (d->sig == sig2)
                o2 = d;
        }
        const unsigned need = BX_OBS_PR | BX_OBS_CP;
        if (!o1 || !o2 || (o1->flags & need) != need || (o2->flags & need) != need)
            continue;
        satobs_t *x = &s[n++];
        memset(x, 0, sizeof *x);
        x->prn = prn;
        x->pif = c1 * o1->pseudorange_m + c2 * o2->pseudorange_m;
        x->lif = c1 * l1 * o1->carrier_cycles + c2 * l2 * o2->carrier_cycles;
        x->gf = l1 * o1->carrier_cycles - l2 * o2->carrier_cycles;
        x->mw = (f1 * l1 * o1->carrier_cycles - f2 * l2 * o2->carrier_cycles) / (f1 - f2) -
                (f1 * o1->pseudorange_m + f2 * o2->pseudorange_m) / (f1 + f2);
        x->slip = ((o1->flags | o2->flags) & BX_OBS_SLIP) != 0;
    }
    if (!p->init) {
        double x4[4] = {p->cfg.init_pos_m[0], p->cfg.init_pos_m[1], p->cfg.init_pos_m[2], 0.0};
        if (code_lsq(s, n, obs, fn, user, x4))
            return BX_ERR_NOFIX;
        memset(p->P, 0, sizeof p->P);
        memset(p->amb, 0, sizeof p->amb);
        for (int i = 0; i < 3; i++)
            reset_state(p, i, x4[i], 100.0 * 100.0);
        reset_state(p, 3, x4[3], 1e6);
        reset_state(p, 4, 0.0, 0.3 * 0.3);
        p->t_prev = obs->time;
        p->init = 1;
    }
    /* time update */
    const double dt = fabs(bx_time_diff(obs->time, p->t_prev));
    reset_state(p, 3, p->x[3], 1e8); /* receiver clock: white noise */
    p->P[4][4] += p->cfg.q_zwd_m2_s * dt;
    if (p->cfg.kinematic)
        for (int i = 0; i < 3; i++)
            reset_state(p, i, p->x[i], p->cfg.sigma_kin_m * p->cfg.sigma_kin_m);
    p->t_prev = obs->time;
    /* geometry at the predicted state */
    double rr[3] = {p->x[0], p->x[1], p->x[2]}, llh[3];
    bx_ecef_to_llh(rr, llh);
    /* the antenna: marker + solid tide + antenna reference point offset (the partials of the
     * range with respect to the marker are those with respect to the antenna) */
    const unsigned md = p->cfg.models;
    double sun[3] = {0, 0, 0}, moon[3] = {0, 0, 0};
    if (md & (BX_PPP_MODEL_WINDUP | BX_PPP_MODEL_TIDE))
        bx_sun_moon_ecef(obs->time, sun, moon);
    {
        double d[3] = {0, 0, 0};
        if (md & BX_PPP_MODEL_TIDE)
            bx_solid_tide_m(rr, sun, moon, d);
        const double enu[3] = {p->cfg.ant_delta_hen_m[1], p->cfg.ant_delta_hen_m[2], p->cfg.ant_delta_hen_m[0]};
        double da[3];
        bx_enu_to_ecef(llh, enu, da);
        for (int i = 0; i < 3; i++)
            rr[i] += d[i] + da[i];
    }
    const double lam_if = BX_CLIGHT_MPS / (f1 + f2); /* wind-up (cycles) -> IF phase (m) */
    const double lam_wl = BX_CLIGHT_MPS / (f1 - f2);
    const double sig_mw0 = p->cfg.sigma_code_m * sqrt(f1 * f1 + f2 * f2) / (f1 + f2);
    int nslip = 0, nuse = 0;
    double z[MAXM], h0[MAXM], R[MAXM], H[MAXM][NB], el[MAXM];
    int amb_i[MAXM], prn_of[MAXM], is_phase[MAXM], is_new[MAXM], m = 0;
    for (int i = 0; i < n; i++) {
        satobs_t *x = &s[i];
        if (sat_state(obs, x, rr, fn, user))
            continue;
        double az;
        bx_azel(rr, llh, x->rs, &az, &x->el);
        if (x->el < p->cfg.elmask_rad)
            continue;
        const int ia = NB + x->prn;
        const double gap = p->amb[x->prn] ? bx_time_diff(obs->time, p->seen[x->prn]) : 0.0;
        /* geometry-free jump: threshold grows with the phase noise of low satellites (4 sigma of a
         * difference of two epochs of two frequencies) */
        const double gf_thr = p->cfg.slip_gf_m + 4.0 * 2.0 * p->cfg.sigma_phase_m / sin(x->el);
        /* predicted with the last rate (the ionosphere drifts the geometry-free phase by up to
         * decimetres per minute at low elevation) */
        const double gf_pred = p->gf[x->prn] + (isnan(p->gf_rate[x->prn]) ? 0.0 : p->gf_rate[x->prn] * gap);
        /* Melbourne-Wubbena: wide-lane phase minus narrow-lane code, constant without slips */
        int mw_slip = 0;
        if ((md & BX_PPP_MODEL_MW) && p->amb[x->prn] && p->n_mw[x->prn] > 0) {
            const double thr = fmax(p->cfg.slip_mw_cyc * lam_wl,
                                    4.0 * sig_mw0 / sin(x->el) * sqrt(1.0 + 1.0 / p->n_mw[x->prn]));
            mw_slip = fabs(x->mw - p->mw[x->prn]) > thr;
        }
        if (p->amb[x->prn] && (x->slip || mw_slip || fabs(x->gf - gf_pred) > gf_thr || gap > 300.0)) {
            p->amb[x->prn] = 0;
            nslip++;
        }
        const int amb_new = !p->amb[x->prn];
        if (!p->amb[x->prn]) {
            reset_state(p, ia, x->lif - x->pif, 20.0 * 20.0);
            p->amb[x->prn] = 1;
            p->gf_rate[x->prn] = NAN;
            p->n_mw[x->prn] = 0;
        } else if (gap > 0.0) {
            p->gf_rate[x->prn] = (x->gf - p->gf[x->prn]) / gap;
        }
        if (p->n_mw[x->prn] < 200)
            p->n_mw[x->prn]++;
        p->mw[x->prn] += (x->mw - p->mw[x->prn]) / p->n_mw[x->prn];
        p->gf[x->prn] = x->gf;
        p->seen[x->prn] = obs->time;
        const double r = dist3(x->rs, rr);
        const double sin_el = sin(x->el);
        double trop, mw;
        if (md & BX_PPP_MODEL_TROPMAP) {
            trop = bx_tropo_delay_m(llh, M_PI / 2.0) * bx_tropo_map_do229(x->el);
            mw = bx_niell_wet_map(llh[0], x->el);
        } else {
            trop = bx_tropo_delay_m(llh, x->el);
            mw = 1.0 / sin_el;
        }
        const double shap = (md & BX_PPP_MODEL_SHAPIRO) ? bx_shapiro_m(x->rs, rr) : 0.0;
        double wu_m = 0.0;
        if (md & BX_PPP_MODEL_WINDUP) {
            double ex[3], ey[3], ez[3];
            bx_sat_nominal_axes(x->rs, sun, ex, ey, ez);
            p->wu[x->prn] = bx_windup_cyc(ex, ey, x->rs, rr, p->wu[x->prn]);
            wu_m = lam_if * p->wu[x->prn];
        }
        const double model = r + p->x[3] - x->clk_m + trop + mw * p->x[4] + shap;
        const double u[3] = {(rr[0] - x->rs[0]) / r, (rr[1] - x->rs[1]) / r, (rr[2] - x->rs[2]) / r};
        const double kif = c1 * c1 + c2 * c2;
        for (int ph = 0; ph < 2; ph++) {
            z[m] = ph ? x->lif : x->pif;
            h0[m] = model + (ph ? p->x[ia] + wu_m : 0.0);
            for (int k = 0; k < 3; k++)
                H[m][k] = u[k];
            H[m][3] = 1.0;
            H[m][4] = mw;
            const double sg = ph ? p->cfg.sigma_phase_m : p->cfg.sigma_code_m;
            R[m] = kif * sg * sg / (sin_el * sin_el);
            amb_i[m] = ph ? ia : -1;
            prn_of[m] = x->prn;
            is_phase[m] = ph;
            is_new[m] = ph && amb_new;
            el[m] = x->el;
            m++;
        }
        nuse++;
    }
    /* satellites that were not seen: drop their ambiguities */
    for (int prn = 1; prn <= BX_PRN_MAX; prn++)
        if (p->amb[prn] && bx_time_cmp(p->seen[prn], obs->time) != 0) {
            p->amb[prn] = 0;
            p->wu[prn] = 0.0;
            p->n_mw[prn] = 0;
            reset_state(p, NB + prn, 0.0, 0.0);
        }
    if (nuse < 5) {
        memset(sol, 0, sizeof *sol);
        sol->time = obs->time;
        sol->n_sat = nuse;
        return BX_ERR_NOFIX;
    }
    /* with BX_PPP_MODEL_REJECT: pre-fit residuals (at the predicted state) of each kind, less
     * their median (the receiver clock), beyond reject_k robust sigmas (1.4826 x median absolute
     * deviation, at least the a priori sigma) are left out; a rejected phase re-initialises its
     * ambiguity next epoch.  Pre-fit, not post-fit: one large slip spreads over every post-fit
     * residual of a phase-weighted filter and hides there. */
    int skip[MAXM] = {0}, n_rej = 0;
    if (md & BX_PPP_MODEL_REJECT) {
        for (int ph = 0; ph < 2; ph++) {
            double w[MAXM], a[MAXM];
            int nw = 0;
            for (int j = 0; j < m; j++)
                if (is_phase[j] == ph && !is_new[j])
                    w[nw++] = z[j] - h0[j];
            if (nw < 5)
                continue;
            const double med = median(w, nw, a);
            for (int k = 0; k < nw; k++)
                w[k] = fabs(w[k] - med);
            const double scale = 1.4826 * median(w, nw, a);
            int idx_rej[MAXM], nr = 0;
            for (int j = 0; j < m; j++)
                if (is_phase[j] == ph && !is_new[j] &&
                    fabs(z[j] - h0[j] - med) > p->cfg.reject_k * fmax(scale, sqrt(R[j])))
                    idx_rej[nr++] = j;
            if (3 * nr > nw) /* a third or more: something common, not outliers */
                continue;
            for (int k = 0; k < nr; k++) {
                skip[idx_rej[k]] = 1;
                n_rej++;
                if (ph) {
                    p->amb[prn_of[idx_rej[k]]] = 0;
                    nslip++;
                }
            }
        }
    }
    /* sequential scalar updates linearised at x0 */
    double x0[NX], PH[NX], v[MAXM];
    memcpy(x0, p->x, sizeof x0);
    double sc = 0, sp = 0;
    int nc = 0, np = 0;
    for (int j = 0; j < m; j++) {
        if (skip[j])
            continue;
        int idx[NB + 1], ni = 0;
        double hv[NB + 1];
        for (int k = 0; k < NB; k++) {
            idx[ni] = k;
            hv[ni++] = H[j][k];
        }
        if (amb_i[j] >= 0) {
            idx[ni] = amb_i[j];
            hv[ni++] = 1.0;
        }
        double innov = z[j] - h0[j];
        for (int a = 0; a < ni; a++)
            innov -= hv[a] * (p->x[idx[a]] - x0[idx[a]]);
        for (int r = 0; r < NX; r++) {
            double vv = 0;
            for (int a = 0; a < ni; a++)
                vv += p->P[r][idx[a]] * hv[a];
            PH[r] = vv;
        }
        double S = R[j];
        for (int a = 0; a < ni; a++)
            S += hv[a] * PH[idx[a]];
        if (!(S > 0))
            continue;
        for (int r = 0; r < NX; r++)
            p->x[r] += PH[r] * innov / S;
        for (int r = 0; r < NX; r++) {
            if (PH[r] == 0.0)
                continue;
            const double f = PH[r] / S;
            for (int c = 0; c < NX; c++)
                p->P[r][c] -= f * PH[c];
        }
    }
    /* post-fit residuals */
    for (int j = 0; j < m; j++) {
        v[j] = z[j] - h0[j];
        for (int k = 0; k < NB; k++)
            v[j] -= H[j][k] * (p->x[k] - x0[k]);
        if (amb_i[j] >= 0)
            v[j] -= p->x[amb_i[j]] - x0[amb_i[j]];
        if (skip[j])
            continue;
        if (is_phase[j]) {
            sp += v[j] * v[j];
            np++;
        } else {
            sc += v[j] * v[j];
            nc++;
        }
    }
    (void)el;
    memset(sol, 0, sizeof *sol);
    sol->time = obs->time;
    for (int i = 0; i < 3; i++) {
        sol->pos_m[i] = p->x[i];
        sol->sigma_pos_m[i] = sqrt(fmax(p->P[i][i], 0.0));
    }
    sol->clk_m = p->x[3];
    sol->zwd_m = p->x[4];
    sol->n_sat = nuse;
    sol->n_slip = nslip;
    sol->rms_code_m = nc ? sqrt(sc / nc) : 0.0;
    sol->rms_phase_m = np ? sqrt(sp / np) : 0.0;
    sol->n_reject = n_rej;
    return BX_OK;
}
