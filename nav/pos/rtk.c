/* RTK engine: extended Kalman filter on double-differenced code and phase
 * with single-differenced ambiguity states, LAMBDA integer resolution with
 * ratio and success-rate validation, partial resolution, fix-and-hold.
 * Model and options: include/bdsrx/rtk.h.  Measurement side: rtk_obs.c. */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/lambda.h"
#include "bdsrx/time.h"
#include "rtk_internal.h"

#define D2R (M_PI / 180.0)
#define PIX(i, j) ((i) * RTK_NX + (j))

void bx_rtk_config_default(bx_rtk_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->mode = BX_RTK_KINEMATIC;
    c->elmask_rad = 15.0 * D2R;
    c->elmask_ar_rad = 15.0 * D2R;
    c->phase_sigma_m = 0.003;
    c->code_sigma_m = 0.3;
    c->cn0_ref_dbhz = 45.0;
    c->iono_ppm = 1.0;
    c->tropo_ppm = 0.3;
    c->ratio_min = 3.0;
    c->p_boot_min = 0.999;
    c->par = 1;
    c->hold = 0;
    c->min_lock = 2;
    c->min_fix_amb = 4;
    c->fix_resid_max_m = 0.05;
    c->fix_sigma_max_m = 0.05;
    c->slip_gf_m = 0.05;
    c->slip_mw_cyc = 4.0;
    c->slip_dop_cyc = 3.0;
    c->max_gap_s = 30.0;
    c->max_age_s = 30.0;
    c->reject_k = 6.0;
    c->amb_q_cyc = 1e-4;
    c->amb_init_sigma_m = 30.0;
    c->kin_q_mps = 1.0;
    c->pos_init_sigma_m = 30.0;
    c->leap_s = 4;
}

static void seterr(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

void bx_rtk_reset(bx_rtk_t *r)
{
    r->init = 0;
    r->have_t = 0;
    memset(r->x, 0, sizeof r->x);
    memset(r->P, 0, sizeof(double) * RTK_NX * RTK_NX);
    for (int s = 0; s < RTK_NSAT; s++)
        for (int f = 0; f < RTK_NF; f++) {
            r->lock[s][f] = -1;
            r->outage[s][f] = 0;
        }
    r->prev_ok[0] = r->prev_ok[1] = 0;
    memset(r->gf_ok, 0, sizeof r->gf_ok);
    memset(r->mw_n, 0, sizeof r->mw_n);
}

void bx_rtk_destroy(bx_rtk_t *r)
{
    if (!r)
        return;
    gsl_matrix_free(r->H);
    gsl_matrix_free(r->R);
    gsl_matrix_free(r->Pa);
    gsl_matrix_free(r->PHt);
    gsl_matrix_free(r->S);
    gsl_matrix_free(r->K);
    gsl_matrix_free(r->T);
    gsl_vector_free(r->v);
    gsl_vector_free(r->xa);
    gsl_vector_free(r->tv);
    free(r->P);
    free(r);
}

int bx_rtk_create(const bx_rtk_config_t *c, bx_rtk_t **out, char *err, size_t errlen)
{
    if (!out)
        return BX_ERR_ARG;
    *out = NULL;
    bx_rtk_config_t d;
    if (!c) {
        bx_rtk_config_default(&d);
        c = &d;
    }
    if (c->mode != BX_RTK_KINEMATIC && c->mode != BX_RTK_STATIC) {
        seterr(err, errlen, "rtk: mode %d unknown (0 kinematic, 1 static)", c->mode);
        return BX_ERR_ARG;
    }
    if (c->n_sig < 0 || c->n_sig > BX_RTK_MAXF) {
        seterr(err, errlen, "rtk: %d signals requested, 0..%d allowed", c->n_sig, BX_RTK_MAXF);
        return BX_ERR_ARG;
    }
    for (int f = 0; f < c->n_sig; f++)
        if (bx_sig_freq_hz(c->sig[f]) == 0.0) {
            seterr(err, errlen, "rtk: signal %d has no known carrier frequency", c->sig[f]);
            return BX_ERR_ARG;
        }
    if (!(c->phase_sigma_m > 0.0) || !(c->code_sigma_m > 0.0) || !(c->ratio_min >= 1.0) ||
        !(c->p_boot_min > 0.0 && c->p_boot_min < 1.0) || !(c->reject_k > 0.0) || !(c->max_gap_s > 0.0)) {
        seterr(err, errlen, "rtk: noise sigmas, reject_k and max_gap_s must be > 0, ratio_min >= 1, "
                            "0 < p_boot_min < 1");
        return BX_ERR_ARG;
    }
    const double bp = c->base_pos_m[0] * c->base_pos_m[0] + c->base_pos_m[1] * c->base_pos_m[1] +
                      c->base_pos_m[2] * c->base_pos_m[2];
    if (bp != 0.0 && (bp < 6.0e6 * 6.0e6 || bp > 7.0e6 * 7.0e6)) {
        seterr(err, errlen, "rtk: base position %.1f %.1f %.1f m is not near the Earth's surface (ECEF expected)",
               c->base_pos_m[0], c->base_pos_m[1], c->base_pos_m[2]);
        return BX_ERR_ARG;
    }
    bx_rtk_t *r = calloc(1, sizeof *r);
    if (!r)
        return BX_ERR_NOMEM;
    r->cfg = *c;
    r->P = calloc((size_t)RTK_NX * RTK_NX, sizeof(double));
    gsl_set_error_handler_off();
    r->H = gsl_matrix_alloc(RTK_MAXROW, RTK_NX);
    r->R = gsl_matrix_alloc(RTK_MAXROW, RTK_MAXROW);
    r->Pa = gsl_matrix_alloc(RTK_NX, RTK_NX);
    r->PHt = gsl_matrix_alloc(RTK_NX, RTK_MAXROW);
    r->S = gsl_matrix_alloc(RTK_MAXROW, RTK_MAXROW);
    r->K = gsl_matrix_alloc(RTK_NX, RTK_MAXROW);
    r->T = gsl_matrix_alloc(RTK_NX, RTK_NX);
    r->v = gsl_vector_alloc(RTK_MAXROW);
    r->xa = gsl_vector_alloc(RTK_NX);
    r->tv = gsl_vector_alloc(RTK_MAXROW);
    if (!r->P || !r->H || !r->R || !r->Pa || !r->PHt || !r->S || !r->K || !r->T || !r->v || !r->xa || !r->tv) {
        bx_rtk_destroy(r);
        seterr(err, errlen, "rtk: out of memory");
        return BX_ERR_NOMEM;
    }
    if (bp != 0.0) {
        r->base_fixed = 1;
        memcpy(r->base_pos, c->base_pos_m, sizeof r->base_pos);
    }
    bx_rtk_reset(r);
    *out = r;
    return BX_OK;
}

/* ------------------------------------------------------------ filter core */

/* Active (initialised) states -> r->ix, returns their number. */
static int active_states(bx_rtk_t *r)
{
    int na = 0;
    for (int i = 0; i < RTK_NX; i++)
        if (i < 3 || r->P[PIX(i, i)] > 0.0)
            r->ix[na++] = i;
    return na;
}

static void gather(bx_rtk_t *r, int na, gsl_matrix *Pa, gsl_vector *xa)
{
    for (int i = 0; i < na; i++) {
        gsl_vector_set(xa, i, r->x[r->ix[i]]);
        for (int j = 0; j < na; j++)
            gsl_matrix_set(Pa, i, j, r->P[PIX(r->ix[i], r->ix[j])]);
    }
}

static void scatter(bx_rtk_t *r, int na, const gsl_matrix *Pa, const gsl_vector *xa)
{
    for (int i = 0; i < na; i++) {
        r->x[r->ix[i]] = gsl_vector_get(xa, i);
        for (int j = 0; j < na; j++)
            r->P[PIX(r->ix[i], r->ix[j])] = 0.5 * (gsl_matrix_get(Pa, i, j) + gsl_matrix_get(Pa, j, i));
    }
}

/* Kalman update on compressed (na) arrays: x += K v, P -= K H P with
 * K = P H' (H P H' + R)^-1; H m x na, R m x m.  Returns 0 or -1 (singular). */
static int kf_update(bx_rtk_t *r, int m, int na, gsl_matrix *P, gsl_vector *x)
{
    gsl_matrix_view H = gsl_matrix_submatrix(r->H, 0, 0, m, na);
    gsl_matrix_view R = gsl_matrix_submatrix(r->R, 0, 0, m, m);
    gsl_matrix_view PHt = gsl_matrix_submatrix(r->PHt, 0, 0, na, m);
    gsl_matrix_view S = gsl_matrix_submatrix(r->S, 0, 0, m, m);
    gsl_matrix_view K = gsl_matrix_submatrix(r->K, 0, 0, na, m);
    gsl_matrix_view Pv = gsl_matrix_submatrix(P, 0, 0, na, na);
    gsl_vector_view v = gsl_vector_subvector(r->v, 0, m);
    gsl_vector_view xv = gsl_vector_subvector(x, 0, na);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Pv.matrix, &H.matrix, 0.0, &PHt.matrix);
    gsl_matrix_memcpy(&S.matrix, &R.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &H.matrix, &PHt.matrix, 1.0, &S.matrix);
    if (gsl_linalg_cholesky_decomp1(&S.matrix) || gsl_linalg_cholesky_invert(&S.matrix))
        return -1;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &PHt.matrix, &S.matrix, 0.0, &K.matrix);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &K.matrix, &v.vector, 1.0, &xv.vector);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, &K.matrix, &PHt.matrix, 1.0, &Pv.matrix);
    return 0;
}

/* -------------------------------------------------------- double differences */

typedef struct {
    int prn, ref, f, phase;
    double var_s, var_ref; /* single-difference variances of the satellite and the reference */
} ddrow_t;

/* Variance of one receiver's observation (m^2). */
static double obs_var(const bx_rtk_t *r, const rtk_zsat_t *z, int f, int phase)
{
    const double s0 = phase ? r->cfg.phase_sigma_m : r->cfg.code_sigma_m;
    const double se = sin(z->el > 0.05 ? z->el : 0.05);
    double v = s0 * s0 * (1.0 + 1.0 / (se * se));
    if (r->cfg.cn0_ref_dbhz > 0.0 && z->cn0[f] > 0.0 && z->cn0[f] < r->cfg.cn0_ref_dbhz)
        v *= pow(10.0, (r->cfg.cn0_ref_dbhz - z->cn0[f]) / 10.0);
    return v;
}

static double sd_var(const bx_rtk_t *r, int prn, int f, int phase, double bl_m)
{
    const rtk_zsat_t *zr = &r->z[RTK_ROVER][prn], *zb = &r->z[RTK_BASE][prn];
    const double se = sin(zr->el > 0.05 ? zr->el : 0.05);
    const double atm = (r->cfg.iono_ppm * r->cfg.iono_ppm + r->cfg.tropo_ppm * r->cfg.tropo_ppm) * 1e-12 * bl_m * bl_m /
                       (se * se);
    return obs_var(r, zr, f, phase) + obs_var(r, zb, f, phase) + atm;
}

/* Undifferenced residual of receiver rcv at position pos: obs - (rho - c dts + T). */
static double zres(const bx_rtk_t *r, int rcv, int prn, int f, int phase, const double pos[3], double e[3])
{
    const rtk_zsat_t *z = &r->z[rcv][prn];
    const double rho = rtk_range(z, pos, e);
    const double o = phase ? r->lam[f] * z->phi_cyc[f] : z->p_m[f];
    return o - (rho - z->dts_m + z->tropo_m);
}

static int usable(const bx_rtk_t *r, int prn, int f, int phase)
{
    const rtk_zsat_t *a = &r->z[RTK_ROVER][prn], *b = &r->z[RTK_BASE][prn];
    if (!a->ok || !b->ok || a->el < r->cfg.elmask_rad)
        return 0;
    if (phase)
        return a->has_l[f] && b->has_l[f] && r->lock[prn][f] >= 0;
    return a->has_p[f] && b->has_p[f];
}

/* Reference satellite per slot: the highest one with phase (continuous lock
 * preferred).  ref[f] = 0 when the slot has fewer than 2 satellites. */
static void choose_refs(const bx_rtk_t *r, const unsigned char *excl, int ref[RTK_NF])
{
    for (int f = 0; f < r->nf; f++) {
        int best = 0, n = 0;
        for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
            if (!usable(r, prn, f, 1) || (excl[prn] >> f & 1))
                continue;
            n++;
            const int lk = r->lock[prn][f] > 0, blk = best ? r->lock[best][f] > 0 : -1;
            if (!best || lk > blk || (lk == blk && r->z[RTK_ROVER][prn].el > r->z[RTK_ROVER][best].el))
                best = prn;
        }
        ref[f] = n >= 2 ? best : 0;
    }
}

/* Builds the DD rows at rover position pos with the filter's ambiguities xamb
 * (full-state vector), H over the compressed state (cix: full -> compressed
 * index), innovations in r->v and R.  Returns the number of rows. */
static int build_dd(bx_rtk_t *r, const int ref[RTK_NF], const unsigned char *excl, const double *xs, const int *cix,
                    int na, ddrow_t *rows, int with_code)
{
    double bl[3];
    for (int i = 0; i < 3; i++)
        bl[i] = xs[i] - r->base_pos[i];
    const double blen = sqrt(bl[0] * bl[0] + bl[1] * bl[1] + bl[2] * bl[2]);
    int m = 0;
    for (int phase = 1; phase >= (with_code ? 0 : 1); phase--)
        for (int f = 0; f < r->nf; f++) {
            const int rf = ref[f];
            if (!rf || !usable(r, rf, f, phase))
                continue;
            double eref[3], eb[3];
            const double yref = zres(r, RTK_ROVER, rf, f, phase, xs, eref) -
                                zres(r, RTK_BASE, rf, f, phase, r->base_pos, eb);
            const double vref = sd_var(r, rf, f, phase, blen);
            for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
                if (prn == rf || !usable(r, prn, f, phase) || (excl[prn] >> f & 1))
                    continue;
                double e[3];
                const double y = zres(r, RTK_ROVER, prn, f, phase, xs, e) -
                                 zres(r, RTK_BASE, prn, f, phase, r->base_pos, eb);
                double v = y - yref;
                for (int j = 0; j < na; j++)
                    gsl_matrix_set(r->H, m, j, 0.0);
                for (int i = 0; i < 3; i++)
                    gsl_matrix_set(r->H, m, i, -e[i] + eref[i]);
                if (phase) {
                    const int is = RTK_IA(prn, f), ir = RTK_IA(rf, f);
                    v -= r->lam[f] * (xs[is] - xs[ir]);
                    gsl_matrix_set(r->H, m, cix[is], r->lam[f]);
                    gsl_matrix_set(r->H, m, cix[ir], -r->lam[f]);
                }
                gsl_vector_set(r->v, m, v);
                rows[m] = (ddrow_t){prn, rf, f, phase, sd_var(r, prn, f, phase, blen), vref};
                m++;
            }
        }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double v = 0.0;
            if (rows[i].f == rows[j].f && rows[i].phase == rows[j].phase && rows[i].ref == rows[j].ref)
                v = rows[i].var_ref + (i == j ? rows[i].var_s : 0.0);
            gsl_matrix_set(r->R, i, j, v);
        }
    return m;
}

/* ------------------------------------------------------------ time update */

static void reset_state(bx_rtk_t *r, int i)
{
    r->x[i] = 0.0;
    for (int j = 0; j < RTK_NX; j++)
        r->P[PIX(i, j)] = r->P[PIX(j, i)] = 0.0;
}

static void init_pos(bx_rtk_t *r, const double pos[3], double sigma)
{
    for (int i = 0; i < 3; i++) {
        reset_state(r, i);
        r->x[i] = pos[i];
        r->P[PIX(i, i)] = sigma * sigma;
    }
}

static void time_update(bx_rtk_t *r, bx_time_t t, const unsigned char *slip)
{
    const bx_rtk_config_t *c = &r->cfg;
    const double dt = r->have_t ? bx_time_diff(t, r->t_last) : 0.0;
    if (!r->init) {
        init_pos(r, r->spp_pos, c->pos_init_sigma_m);
        r->init = 1;
    } else if (c->mode == BX_RTK_KINEMATIC) {
        if (r->have_vel && dt > 0.0 && dt <= c->max_gap_s) {
            const double q = c->kin_q_mps * dt;
            for (int i = 0; i < 3; i++) {
                r->x[i] += r->vel[i] * dt;
                r->P[PIX(i, i)] += q * q;
            }
        } else {
            init_pos(r, r->spp_pos, c->pos_init_sigma_m);
        }
    }
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        const rtk_zsat_t *zr = &r->z[RTK_ROVER][prn], *zb = &r->z[RTK_BASE][prn];
        for (int f = 0; f < r->nf; f++) {
            const int i = RTK_IA(prn, f);
            if (r->lock[prn][f] >= 0) {
                const int gap = bx_time_diff(t, r->t_obs[prn][f]) > c->max_gap_s;
                if (gap || (slip[prn] >> f & 1)) {
                    reset_state(r, i);
                    r->lock[prn][f] = -1;
                } else if (dt > 0.0) {
                    r->P[PIX(i, i)] += c->amb_q_cyc * c->amb_q_cyc * dt;
                }
            }
            if (r->lock[prn][f] < 0 && zr->ok && zb->ok && zr->has_l[f] && zb->has_l[f] && zr->has_p[f] &&
                zb->has_p[f] && zr->el >= c->elmask_rad) {
                /* phase minus code per receiver, single-differenced: lambda N_sd + noise - 2 I_sd */
                const double sd = (r->lam[f] * zr->phi_cyc[f] - zr->p_m[f]) - (r->lam[f] * zb->phi_cyc[f] - zb->p_m[f]);
                reset_state(r, i);
                r->x[i] = sd / r->lam[f];
                const double s = c->amb_init_sigma_m / r->lam[f];
                r->P[PIX(i, i)] = s * s;
                r->lock[prn][f] = 0;
            }
        }
    }
    r->t_last = t;
    r->have_t = 1;
}

/* ----------------------------------------------------- measurement update */

static int compress_map(bx_rtk_t *r, int *cix)
{
    const int na = active_states(r);
    for (int i = 0; i < RTK_NX; i++)
        cix[i] = 0;
    for (int k = 0; k < na; k++)
        cix[r->ix[k]] = k;
    return na;
}

/* One filter update with innovation gating; phase rows rejected are returned
 * in excl (bit per slot).  Returns the rows used, or -1. */
static int meas_update(bx_rtk_t *r, int ref[RTK_NF], unsigned char *excl, unsigned char *excl_code)
{
    static const int max_iter = 8;
    int cix[RTK_NX];
    ddrow_t rows[RTK_MAXROW];
    for (int it = 0; it < max_iter; it++) {
        unsigned char ex_all[RTK_NSAT];
        for (int s = 0; s < RTK_NSAT; s++)
            ex_all[s] = excl[s];
        choose_refs(r, ex_all, ref);
        const int na = compress_map(r, cix);
        gather(r, na, r->Pa, r->xa);
        /* phase rows use excl, code rows excl_code: build both, then drop excluded code rows */
        int m = build_dd(r, ref, ex_all, r->x, cix, na, rows, 1);
        int k = 0;
        for (int i = 0; i < m; i++) {
            if (!rows[i].phase && (excl_code[rows[i].prn] >> rows[i].f & 1))
                continue;
            if (k != i) {
                gsl_vector_const_view hi = gsl_matrix_const_row(r->H, i);
                gsl_matrix_set_row(r->H, k, &hi.vector);
                gsl_vector_set(r->v, k, gsl_vector_get(r->v, i));
                rows[k] = rows[i];
            }
            k++;
        }
        if (k != m) { /* rebuild R for the kept rows */
            m = k;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) {
                    double v = 0.0;
                    if (rows[i].f == rows[j].f && rows[i].phase == rows[j].phase && rows[i].ref == rows[j].ref)
                        v = rows[i].var_ref + (i == j ? rows[i].var_s : 0.0);
                    gsl_matrix_set(r->R, i, j, v);
                }
        }
        if (m == 0)
            return 0;
        /* innovation test: S_ii = (H P H')_ii + R_ii */
        gsl_matrix_view H = gsl_matrix_submatrix(r->H, 0, 0, m, na);
        gsl_matrix_view PHt = gsl_matrix_submatrix(r->PHt, 0, 0, na, m);
        gsl_matrix_view Pv = gsl_matrix_submatrix(r->Pa, 0, 0, na, na);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Pv.matrix, &H.matrix, 0.0, &PHt.matrix);
        int worst = -1, nbad[RTK_NF] = {0}, nrow[RTK_NF] = {0};
        double wv = 0.0;
        for (int i = 0; i < m; i++) {
            double s = gsl_matrix_get(r->R, i, i);
            for (int j = 0; j < na; j++)
                s += gsl_matrix_get(r->H, i, j) * gsl_matrix_get(r->PHt, j, i);
            const double q = fabs(gsl_vector_get(r->v, i)) / sqrt(s);
            if (rows[i].phase)
                nrow[rows[i].f]++;
            if (q > r->cfg.reject_k) {
                if (rows[i].phase)
                    nbad[rows[i].f]++;
                if (q > wv) {
                    wv = q;
                    worst = i;
                }
            }
        }
        if (worst >= 0 && it < max_iter - 1) {
            const ddrow_t *w = &rows[worst];
            if (!w->phase)
                excl_code[w->prn] |= (unsigned char)(1u << w->f);
            else if (nbad[w->f] >= 2 && nbad[w->f] * 2 >= nrow[w->f])
                excl[w->ref] |= (unsigned char)(1u << w->f); /* the reference itself jumped */
            else
                excl[w->prn] |= (unsigned char)(1u << w->f);
            continue;
        }
        if (kf_update(r, m, na, r->Pa, r->xa))
            return -1;
        scatter(r, na, r->Pa, r->xa);
        return m;
    }
    return -1;
}

/* ------------------------------------------------- ambiguity resolution */

typedef struct {
    int prn, ref, f;
} amb_t;

/* Sets the rows of r->H (over na compressed states) for the fixed
 * combinations G = C D (C NULL: identity) and the innovation c - G x in r->v. */
static void fix_rows(bx_rtk_t *r, const amb_t *amb, int n, const double *C, int k, const double *c, const int *cix,
                     int na, const gsl_vector *xa)
{
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < na; j++)
            gsl_matrix_set(r->H, i, j, 0.0);
        double gx = 0.0;
        for (int a = 0; a < n; a++) {
            const double w = C ? C[i * n + a] : (a == i);
            if (w == 0.0)
                continue;
            const int js = cix[RTK_IA(amb[a].prn, amb[a].f)], jr = cix[RTK_IA(amb[a].ref, amb[a].f)];
            gsl_matrix_set(r->H, i, js, gsl_matrix_get(r->H, i, js) + w);
            gsl_matrix_set(r->H, i, jr, gsl_matrix_get(r->H, i, jr) - w);
            gx += w * (gsl_vector_get(xa, js) - gsl_vector_get(xa, jr));
        }
        gsl_vector_set(r->v, i, c[i] - gx);
    }
}

/* Resolves the DD ambiguities after the float update.  On an accepted fix
 * returns 1 with the fixed rover position and its covariance. */
static int resolve(bx_rtk_t *r, const int ref[RTK_NF], const unsigned char *excl, bx_rtk_sol_t *sol,
                   double pos_fix[3], double cov_fix[9])
{
    const bx_rtk_config_t *c = &r->cfg;
    amb_t amb[BX_LAMBDA_MAXN];
    int n = 0;
    for (int f = 0; f < r->nf; f++) {
        const int rf = ref[f];
        if (!rf || r->lock[rf][f] < c->min_lock || (r->z[RTK_ROVER][rf].lli[f] & 2) ||
            (r->z[RTK_BASE][rf].lli[f] & 2))
            continue;
        for (int prn = 1; prn <= BX_PRN_MAX && n < BX_LAMBDA_MAXN; prn++) {
            const rtk_zsat_t *zr = &r->z[RTK_ROVER][prn], *zb = &r->z[RTK_BASE][prn];
            if (prn == rf || !usable(r, prn, f, 1) || (excl[prn] >> f & 1) || r->lock[prn][f] < c->min_lock ||
                zr->el < c->elmask_ar_rad || (zr->lli[f] & 2) || (zb->lli[f] & 2))
                continue;
            amb[n++] = (amb_t){prn, rf, f};
        }
    }
    sol->n_amb = n;
    if (n < c->min_fix_amb) {
        snprintf(sol->msg, sizeof sol->msg, "%d ambiguities ready, %d needed", n, c->min_fix_amb);
        return 0;
    }
    int cix[RTK_NX];
    const int na = compress_map(r, cix);
    gather(r, na, r->Pa, r->xa);
    static const int NM = BX_LAMBDA_MAXN;
    double *b = malloc(sizeof(double) * (size_t)(n + n * n + 2 * n + n * n + n));
    if (!b)
        return 0;
    double *Q = b + n, *fix = Q + n * n, *C = fix + 2 * n, *cv = C + n * n;
    (void)NM;
    for (int a = 0; a < n; a++) {
        const int ia = cix[RTK_IA(amb[a].prn, amb[a].f)], ra = cix[RTK_IA(amb[a].ref, amb[a].f)];
        b[a] = gsl_vector_get(r->xa, ia) - gsl_vector_get(r->xa, ra);
        for (int k = 0; k < n; k++) {
            const int ik = cix[RTK_IA(amb[k].prn, amb[k].f)], rk = cix[RTK_IA(amb[k].ref, amb[k].f)];
            Q[a * n + k] = gsl_matrix_get(r->Pa, ia, ik) - gsl_matrix_get(r->Pa, ia, rk) -
                           gsl_matrix_get(r->Pa, ra, ik) + gsl_matrix_get(r->Pa, ra, rk);
        }
    }
    bx_lambda_info_t info;
    int k = 0, ok = 0;
    const double *Cuse = NULL;
    if (bx_lambda(n, 2, b, Q, fix, &info) == BX_OK) {
        sol->ratio = info.ratio;
        sol->p_boot = info.p_boot_full;
        if (info.ratio >= c->ratio_min && info.p_boot_full >= c->p_boot_min) {
            k = n;
            ok = 1;
            memcpy(cv, fix, sizeof(double) * n);
        } else if (c->par) {
            bx_lambda_info_t pi;
            if (bx_lambda_partial(n, b, Q, c->p_boot_min, c->min_fix_amb, C, cv, &pi) == BX_OK &&
                pi.n_fixed >= c->min_fix_amb && pi.n_fixed < n && pi.ratio >= c->ratio_min) {
                k = pi.n_fixed;
                ok = 1;
                Cuse = C;
                sol->ratio = pi.ratio;
                sol->p_boot = pi.p_boot;
            }
        }
        if (!ok)
            snprintf(sol->msg, sizeof sol->msg, "ratio %.2f (min %.1f), success rate %.4f (min %.4f)", info.ratio,
                     c->ratio_min, info.p_boot_full, c->p_boot_min);
    } else {
        snprintf(sol->msg, sizeof sol->msg, "ambiguity covariance not positive definite");
    }
    if (!ok) {
        free(b);
        return 0;
    }
    /* conditional (fixed) solution on a copy: T = Pa, tv = xa */
    gsl_matrix_view T = gsl_matrix_submatrix(r->T, 0, 0, na, na);
    gsl_matrix_view Pv = gsl_matrix_submatrix(r->Pa, 0, 0, na, na);
    gsl_matrix_memcpy(&T.matrix, &Pv.matrix);
    for (int i = 0; i < na; i++)
        gsl_vector_set(r->tv, i, gsl_vector_get(r->xa, i));
    fix_rows(r, amb, n, Cuse, k, cv, cix, na, r->xa);
    gsl_matrix_view R = gsl_matrix_submatrix(r->R, 0, 0, k, k);
    gsl_matrix_set_identity(&R.matrix);
    gsl_matrix_scale(&R.matrix, 1e-8);
    if (kf_update(r, k, na, r->T, r->tv)) {
        snprintf(sol->msg, sizeof sol->msg, "fixed solution singular");
        free(b);
        return 0;
    }
    /* validation by the DD phase residuals of the fixed solution */
    double xs[RTK_NX];
    memcpy(xs, r->x, sizeof xs);
    for (int i = 0; i < na; i++)
        xs[r->ix[i]] = gsl_vector_get(r->tv, i);
    ddrow_t rows[RTK_MAXROW];
    const int m = build_dd(r, ref, excl, xs, cix, na, rows, 0);
    double worst = 0.0;
    for (int i = 0; i < m; i++) {
        const double v = fabs(gsl_vector_get(r->v, i));
        worst = v > worst ? v : worst;
        for (int s = 0; s < sol->n_rsat; s++)
            if (sol->rsat[s].prn == rows[i].prn)
                sol->rsat[s].resid_phase_m[rows[i].f] = gsl_vector_get(r->v, i);
    }
    if (worst > c->fix_resid_max_m) {
        snprintf(sol->msg, sizeof sol->msg, "fix rejected: DD phase residual %.3f m > %.3f m (ratio %.1f)", worst,
                 c->fix_resid_max_m, sol->ratio);
        free(b);
        return 0;
    }
    const double sig3 = sqrt(gsl_matrix_get(r->T, 0, 0) + gsl_matrix_get(r->T, 1, 1) + gsl_matrix_get(r->T, 2, 2));
    if (sig3 > c->fix_sigma_max_m) {
        snprintf(sol->msg, sizeof sol->msg, "partial fix of %d/%d leaves %.3f m 3D sigma (> %.3f m)", k, n, sig3,
                 c->fix_sigma_max_m);
        free(b);
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        pos_fix[i] = xs[i];
        for (int j = 0; j < 3; j++)
            cov_fix[i * 3 + j] = gsl_matrix_get(r->T, i, j);
    }
    sol->n_fixed = k;
    for (int a = 0; a < n; a++) /* satellites whose ambiguity took part in the fixed set */
        for (int s = 0; s < sol->n_rsat; s++)
            if (sol->rsat[s].prn == amb[a].prn && (k == n || Cuse))
                sol->rsat[s].fixed |= (uint8_t)(1u << amb[a].f);
    if (c->hold) { /* feed the integers back into the float filter */
        fix_rows(r, amb, n, Cuse, k, cv, cix, na, r->xa);
        gsl_matrix_set_identity(&R.matrix);
        gsl_matrix_scale(&R.matrix, 1e-6);
        if (kf_update(r, k, na, r->Pa, r->xa) == 0)
            scatter(r, na, r->Pa, r->xa);
    }
    free(b);
    sol->msg[0] = '\0';
    return 1;
}

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
        bx_ecef_to_enu(r->spp_ok ? spp : r->x, r->vel, sol->sol.vel_enu_mps);
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
    if (!why) {
        rtk_zsat_fill(r, RTK_BASE, base, nav, r->base_pos);
        double bp[3];
        memcpy(bp, r->base_pos, sizeof bp);
        rtk_spp(r, RTK_BASE, bp, &r->clk_m[RTK_BASE], NULL);
    }
    memcpy(sol->base_pos_m, r->base_pos, sizeof r->base_pos);
    if (why) { /* single-point solution of the rover */
        if (!r->spp_ok) {
            snprintf(sol->msg, sizeof sol->msg, "%s; rover: no single-point fix", why);
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
    time_update(r, rover->time, slip);
    unsigned char excl[RTK_NSAT] = {0}, excl_code[RTK_NSAT] = {0};
    int ref[RTK_NF] = {0};
    const int m = meas_update(r, ref, excl, excl_code);
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
            if (m > 0 && usable(r, prn, f, 1) && ref[f]) {
                if (excl[prn] >> f & 1) {
                    reset_state(r, RTK_IA(prn, f));
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
    if (m > 0 && resolve(r, ref, excl, sol, pf, cf)) {
        set_pos(sol, pf, cf);
        sol->sol.fix = BX_FIX_FIXED;
    } else if (m > 0) {
        set_pos(sol, r->x, cov);
        sol->sol.fix = BX_FIX_FLOAT;
    } else {
        const double c25[9] = {25, 0, 0, 0, 25, 0, 0, 0, 25};
        set_pos(sol, r->spp_ok ? spp : r->x, c25);
        sol->sol.fix = BX_FIX_SPP;
        if (!sol->msg[0])
            snprintf(sol->msg, sizeof sol->msg, "no double differences (common satellites with phase)");
    }
    snprintf(sol->sol.reason, sizeof sol->sol.reason, "%s", sol->msg);
    dops(r, sol);
    return BX_OK;
}
