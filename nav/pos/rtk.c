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
    c->min_lock = 1;
    c->min_fix_amb = 4;
    c->fix_resid_max_m = 0.05;
    c->fix_sigma_max_m = 0.05;
    c->slip_gf_m = 0.05;
    c->slip_mw_cyc = 4.0;
    c->slip_dop_cyc = 1.0;
    c->ar_reset_epochs = 10;
    c->max_gap_s = 30.0;
    c->max_age_s = 30.0;
    c->max_baseline_m = 30e3;
    c->reject_k = 6.0;
    c->amb_q_cyc = 1e-4;
    c->amb_init_sigma_m = 30.0;
    c->kin_q_mps = 0.3;
    c->pos_init_sigma_m = 30.0;
    c->leap_s = 4;
    c->atmo_est = 0;
    c->atmo_est_bl_m = 1500.0;
    c->iono_init_ppm = 1.0;
    c->iono_q_ppm = 0.05;
    c->tropo_init_m = 0.01;
    c->tropo_q_m = 1e-4;
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
    r->atmo_on = 0;
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
    free(r->ar_buf);
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
        if (bx_signal_freq_hz(c->sig[f]) == 0.0 || bx_signal_sys(c->sig[f]) != 'C') {
            seterr(err, errlen, "rtk: signal %d is not a BeiDou signal (B1C B2a B2b B1I B2I B3I)", c->sig[f]);
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
    r->ar_buf = malloc(sizeof(double) * (6 * BX_LAMBDA_MAXN + 3 * BX_LAMBDA_MAXN * BX_LAMBDA_MAXN));
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
    if (!r->P || !r->ar_buf || !r->H || !r->R || !r->Pa || !r->PHt || !r->S || !r->K || !r->T || !r->v || !r->xa || !r->tv) {
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

void rtk_gather(bx_rtk_t *r, int na, gsl_matrix *Pa, gsl_vector *xa)
{
    for (int i = 0; i < na; i++) {
        gsl_vector_set(xa, i, r->x[r->ix[i]]);
        for (int j = 0; j < na; j++)
            gsl_matrix_set(Pa, i, j, r->P[PIX(r->ix[i], r->ix[j])]);
    }
}

void rtk_scatter(bx_rtk_t *r, int na, const gsl_matrix *Pa, const gsl_vector *xa)
{
    for (int i = 0; i < na; i++) {
        r->x[r->ix[i]] = gsl_vector_get(xa, i);
        for (int j = 0; j < na; j++)
            r->P[PIX(r->ix[i], r->ix[j])] = 0.5 * (gsl_matrix_get(Pa, i, j) + gsl_matrix_get(Pa, j, i));
    }
}

/* Kalman update on compressed (na) arrays: x += K v, P -= K H P with
 * K = P H' (H P H' + R)^-1; H m x na, R m x m.  Returns 0 or -1 (singular). */
int rtk_kf_update(bx_rtk_t *r, int m, int na, gsl_matrix *P, gsl_vector *x)
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
    const double atm = r->atmo_on ? 0.0 /* estimated */
                                  : (r->cfg.iono_ppm * r->cfg.iono_ppm + r->cfg.tropo_ppm * r->cfg.tropo_ppm) * 1e-12 *
                                        bl_m * bl_m / (se * se);
    return obs_var(r, zr, f, phase) + obs_var(r, zb, f, phase) + atm;
}

/* zenith -> slant troposphere (the wet part: 1/sin el, floored at 5 deg) */
static double tropo_map(double el) { return 1.0 / sin(el > 5.0 * D2R ? el : 5.0 * D2R); }

/* zenith -> slant ionosphere, single layer at 350 km */
static double iono_map(double el)
{
    const double c = cos(el) * 6371.0 / (6371.0 + 350.0);
    return 1.0 / sqrt(1.0 - c * c);
}

/* Undifferenced residual of receiver rcv at position pos: obs - (rho - c dts + T). */
static double zres(const bx_rtk_t *r, int rcv, int prn, int f, int phase, const double pos[3], double e[3])
{
    const rtk_zsat_t *z = &r->z[rcv][prn];
    const double rho = rtk_range(z, pos, e);
    const double o = phase ? r->lam[f] * z->phi_cyc[f] : z->p_m[f];
    return o - (rho - z->dts_m + z->tropo_m);
}

int rtk_usable(const bx_rtk_t *r, int prn, int f, int phase)
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
            if (!rtk_usable(r, prn, f, 1) || (excl[prn] >> f & 1))
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
int rtk_build_dd(bx_rtk_t *r, const int ref[RTK_NF], const unsigned char *excl, const double *xs, const int *cix,
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
            if (!rf || !rtk_usable(r, rf, f, phase))
                continue;
            double eref[3], eb[3];
            const double yref = zres(r, RTK_ROVER, rf, f, phase, xs, eref) -
                                zres(r, RTK_BASE, rf, f, phase, r->base_pos, eb);
            const double vref = sd_var(r, rf, f, phase, blen);
            for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
                if (prn == rf || !rtk_usable(r, prn, f, phase) || (excl[prn] >> f & 1))
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
                if (r->atmo_on) {
                    /* ionosphere: (f1/f)^2 I on the code, minus that on the phase (states with P > 0) */
                    const double k = (phase ? -1.0 : 1.0) * (r->freq[0] / r->freq[f]) * (r->freq[0] / r->freq[f]);
                    const int is = RTK_II(prn), ir = RTK_II(rf);
                    if (r->P[PIX(is, is)] > 0.0 && r->P[PIX(ir, ir)] > 0.0) {
                        v -= k * (xs[is] - xs[ir]);
                        gsl_matrix_set(r->H, m, cix[is], k);
                        gsl_matrix_set(r->H, m, cix[ir], -k);
                    }
                    if (r->P[PIX(RTK_IT, RTK_IT)] > 0.0) {
                        const double dm = tropo_map(r->z[RTK_ROVER][prn].el) - tropo_map(r->z[RTK_ROVER][rf].el);
                        v -= dm * xs[RTK_IT];
                        gsl_matrix_set(r->H, m, cix[RTK_IT], dm);
                    }
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

void rtk_reset_state(bx_rtk_t *r, int i)
{
    r->x[i] = 0.0;
    for (int j = 0; j < RTK_NX; j++)
        r->P[PIX(i, j)] = r->P[PIX(j, i)] = 0.0;
}

static void init_pos(bx_rtk_t *r, const double pos[3], double sigma)
{
    for (int i = 0; i < 3; i++) {
        rtk_reset_state(r, i);
        r->x[i] = pos[i];
        r->P[PIX(i, i)] = sigma * sigma;
    }
}

void rtk_time_update(bx_rtk_t *r, bx_time_t t, const unsigned char *slip)
{
    const bx_rtk_config_t *c = &r->cfg;
    const double dt = r->have_t ? bx_time_diff(t, r->t_last) : 0.0;
    if (!r->init) {
        init_pos(r, r->spp_pos, c->pos_init_sigma_m);
        r->init = 1;
    } else if (c->mode == BX_RTK_KINEMATIC) {
        if (r->have_vel && dt > 0.0 && dt <= c->max_gap_s) {
            /* trapezoid of the Doppler velocities at both ends (exact for constant acceleration) */
            const double q = c->kin_q_mps * dt;
            const int two = r->have_vel_prev && dt <= 2.0;
            for (int i = 0; i < 3; i++) {
                r->x[i] += (two ? 0.5 * (r->vel[i] + r->vel_prev[i]) : r->vel[i]) * dt;
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
                    rtk_reset_state(r, i);
                    r->lock[prn][f] = -1;
                } else if (dt > 0.0) {
                    r->P[PIX(i, i)] += c->amb_q_cyc * c->amb_q_cyc * dt;
                }
            }
            if (r->lock[prn][f] < 0 && zr->ok && zb->ok && zr->has_l[f] && zb->has_l[f] && zr->has_p[f] &&
                zb->has_p[f] && zr->el >= c->elmask_rad) {
                /* phase minus code per receiver, single-differenced: lambda N_sd + noise - 2 I_sd */
                const double sd = (r->lam[f] * zr->phi_cyc[f] - zr->p_m[f]) - (r->lam[f] * zb->phi_cyc[f] - zb->p_m[f]);
                rtk_reset_state(r, i);
                r->x[i] = sd / r->lam[f];
                const double s = c->amb_init_sigma_m / r->lam[f];
                r->P[PIX(i, i)] = s * s;
                r->lock[prn][f] = 0;
            }
        }
    }
    /* atmosphere states (ionosphere-weighted model), from atmo_est_bl_m on */
    double bl[3];
    for (int i = 0; i < 3; i++)
        bl[i] = r->x[i] - r->base_pos[i];
    const double blen = sqrt(bl[0] * bl[0] + bl[1] * bl[1] + bl[2] * bl[2]);
    if (!r->atmo_on && (c->atmo_est > 0 || (c->atmo_est == 0 && blen > c->atmo_est_bl_m)))
        r->atmo_on = 1;
    if (r->atmo_on) {
        const double bl_m = blen > 100.0 ? blen : 100.0;
        for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
            const int i = RTK_II(prn);
            int amb = 0;
            for (int f = 0; f < r->nf; f++)
                amb |= r->lock[prn][f] >= 0;
            if (!amb) { /* the ionosphere state lives with the satellite's ambiguities */
                if (r->P[PIX(i, i)] > 0.0)
                    rtk_reset_state(r, i);
                continue;
            }
            const double map = iono_map(r->z[RTK_ROVER][prn].el);
            if (!(r->P[PIX(i, i)] > 0.0)) {
                const double s0 = c->iono_init_ppm * 1e-6 * bl_m * map;
                rtk_reset_state(r, i);
                r->P[PIX(i, i)] = s0 * s0 > 1e-6 ? s0 * s0 : 1e-6;
            } else if (dt > 0.0) {
                const double q = c->iono_q_ppm * 1e-6 * bl_m * map;
                r->P[PIX(i, i)] += q * q * dt;
            }
        }
        if (!(r->P[PIX(RTK_IT, RTK_IT)] > 0.0)) {
            rtk_reset_state(r, RTK_IT);
            r->P[PIX(RTK_IT, RTK_IT)] = c->tropo_init_m * c->tropo_init_m > 1e-8 ? c->tropo_init_m * c->tropo_init_m
                                                                                 : 1e-8;
        } else if (dt > 0.0) {
            r->P[PIX(RTK_IT, RTK_IT)] += c->tropo_q_m * c->tropo_q_m * dt;
        }
    }
    r->t_last = t;
    r->have_t = 1;
}

/* ----------------------------------------------------- measurement update */

int rtk_compress_map(bx_rtk_t *r, int *cix)
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
int rtk_meas_update(bx_rtk_t *r, int ref[RTK_NF], unsigned char *excl, unsigned char *excl_code)
{
    static const int max_iter = 8;
    int cix[RTK_NX];
    ddrow_t rows[RTK_MAXROW];
    for (int it = 0; it < max_iter; it++) {
        unsigned char ex_all[RTK_NSAT];
        for (int s = 0; s < RTK_NSAT; s++)
            ex_all[s] = excl[s];
        choose_refs(r, ex_all, ref);
        const int na = rtk_compress_map(r, cix);
        rtk_gather(r, na, r->Pa, r->xa);
        /* phase rows use excl, code rows excl_code: build both, then drop excluded code rows */
        int m = rtk_build_dd(r, ref, ex_all, r->x, cix, na, rows, 1);
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
        if (rtk_kf_update(r, m, na, r->Pa, r->xa))
            return -1;
        rtk_scatter(r, na, r->Pa, r->xa);
        return m;
    }
    return -1;
}
