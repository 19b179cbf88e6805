/* RTK ambiguity resolution: LAMBDA on the double-differenced ambiguities of
 * the float filter, validation (ratio, bootstrapped success rate, fixed
 * residuals, position sigma), partial resolution, fix-and-hold.  Options:
 * include/bdsrx/rtk.h. */
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

/* LAMBDA on the subset sel[0..ns) of amb: full fix (ratio and success rate) or,
 * with partial resolution, the largest decorrelated subset reaching the
 * success-rate bound.  On success returns k > 0 fixed rows: C (k x ns, NULL
 * for the identity) and cv.  b, Q: float DD ambiguities and covariance of the
 * whole list (n). */
static int try_set(const bx_rtk_t *r, const double *b, const double *Q, int n, const int *sel, int ns, double *work,
                   double *C, double *cv, int *use_c, bx_rtk_sol_t *sol, double *ratio_full, double *pb_full)
{
    const bx_rtk_config_t *c = &r->cfg;
    double *bs = work, *Qs = bs + ns, *fix = Qs + ns * ns;
    for (int i = 0; i < ns; i++) {
        bs[i] = b[sel[i]];
        for (int j = 0; j < ns; j++)
            Qs[i * ns + j] = Q[sel[i] * n + sel[j]];
    }
    bx_lambda_info_t info;
    *use_c = 0;
    if (bx_lambda(ns, 2, bs, Qs, fix, &info) != BX_OK)
        return 0;
    *ratio_full = info.ratio;
    *pb_full = info.p_boot_full;
    if (info.ratio >= c->ratio_min && info.p_boot_full >= c->p_boot_min) {
        memcpy(cv, fix, sizeof(double) * ns);
        sol->ratio = info.ratio;
        sol->p_boot = info.p_boot_full;
        return ns;
    }
    if (!c->par)
        return 0;
    bx_lambda_info_t pi;
    if (bx_lambda_partial(ns, bs, Qs, c->p_boot_min, c->min_fix_amb, C, cv, &pi) == BX_OK &&
        pi.n_fixed >= c->min_fix_amb && pi.n_fixed < ns && pi.ratio >= c->ratio_min) {
        *use_c = 1;
        sol->ratio = pi.ratio;
        sol->p_boot = pi.p_boot;
        return pi.n_fixed;
    }
    return 0;
}

/* Resolves the DD ambiguities after the float update.  Candidate sets, in
 * order: every ambiguity ready; those whose float sigma is below 0.25 cycle
 * (new or re-initialised ones wait); then the lowest satellites removed one by
 * one (up to 4).  The first set that passes LAMBDA validation is applied to a
 * copy of the filter (conditional update), checked by its DD phase residuals
 * and position sigma, and returned.  1 with the fixed position/covariance. */
int rtk_resolve(bx_rtk_t *r, const int ref[RTK_NF], const unsigned char *excl, bx_rtk_sol_t *sol,
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
            if (prn == rf || !rtk_usable(r, prn, f, 1) || (excl[prn] >> f & 1) || r->lock[prn][f] < c->min_lock ||
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
    const int na = rtk_compress_map(r, cix);
    rtk_gather(r, na, r->Pa, r->xa);
    double *b = r->ar_buf, *Q = b + BX_LAMBDA_MAXN, *C = Q + BX_LAMBDA_MAXN * BX_LAMBDA_MAXN;
    double *cv = C + BX_LAMBDA_MAXN * BX_LAMBDA_MAXN, *work = cv + BX_LAMBDA_MAXN;
    for (int a = 0; a < n; a++) {
        const int ia = cix[RTK_IA(amb[a].prn, amb[a].f)], ra = cix[RTK_IA(amb[a].ref, amb[a].f)];
        b[a] = gsl_vector_get(r->xa, ia) - gsl_vector_get(r->xa, ra);
        for (int k = 0; k < n; k++) {
            const int ik = cix[RTK_IA(amb[k].prn, amb[k].f)], rk = cix[RTK_IA(amb[k].ref, amb[k].f)];
            Q[a * n + k] = gsl_matrix_get(r->Pa, ia, ik) - gsl_matrix_get(r->Pa, ia, rk) -
                           gsl_matrix_get(r->Pa, ra, ik) + gsl_matrix_get(r->Pa, ra, rk);
        }
    }
    /* candidate sets */
    int sel[BX_LAMBDA_MAXN], ns = 0, k = 0, use_c = 0, tries = 0;
    double ratio0 = 0.0, pb0 = 0.0;
    for (int a = 0; a < n; a++)
        sel[ns++] = a;
    unsigned char dropped[RTK_NSAT] = {0};
    for (int attempt = 0; attempt < 6 && ns >= c->min_fix_amb; attempt++) {
        double rt = 0.0, pb = 0.0;
        k = try_set(r, b, Q, n, sel, ns, work, C, cv, &use_c, sol, &rt, &pb);
        if (tries++ == 0) {
            ratio0 = rt;
            pb0 = pb;
        }
        if (k > 0)
            break;
        int ns2 = 0;
        if (attempt == 0) { /* keep the converged ones */
            for (int i = 0; i < ns; i++)
                if (Q[sel[i] * n + sel[i]] < 0.25 * 0.25)
                    sel[ns2++] = sel[i];
            if (ns2 == ns)
                attempt++; /* nothing to drop: go on with the elevation rule */
        }
        if (attempt >= 1 || ns2 == ns) { /* drop the lowest satellite still in the set */
            int low = 0;
            double el_low = 10.0;
            for (int i = 0; i < ns; i++) {
                const double el = r->z[RTK_ROVER][amb[sel[i]].prn].el;
                if (!dropped[amb[sel[i]].prn] && el < el_low) {
                    el_low = el;
                    low = amb[sel[i]].prn;
                }
            }
            dropped[low] = 1;
            ns2 = 0;
            for (int i = 0; i < ns; i++)
                if (amb[sel[i]].prn != low)
                    sel[ns2++] = sel[i];
        }
        ns = ns2;
    }
    if (k <= 0) {
        sol->ratio = ratio0;
        sol->p_boot = pb0;
        snprintf(sol->msg, sizeof sol->msg, "ratio %.2f (min %.1f), success rate %.4f (min %.4f)", ratio0,
                 c->ratio_min, pb0, c->p_boot_min);
        return 0;
    }
    /* the fixed subset as rows over the whole list: C (k x ns) -> G (k x n) */
    amb_t fam[BX_LAMBDA_MAXN];
    for (int i = 0; i < ns; i++)
        fam[i] = amb[sel[i]];
    const double *Cuse = use_c ? C : NULL;
    /* conditional (fixed) solution on a copy: T = Pa, tv = xa */
    gsl_matrix_view T = gsl_matrix_submatrix(r->T, 0, 0, na, na);
    gsl_matrix_view Pv = gsl_matrix_submatrix(r->Pa, 0, 0, na, na);
    gsl_matrix_memcpy(&T.matrix, &Pv.matrix);
    for (int i = 0; i < na; i++)
        gsl_vector_set(r->tv, i, gsl_vector_get(r->xa, i));
    fix_rows(r, fam, ns, Cuse, k, cv, cix, na, r->xa);
    gsl_matrix_view R = gsl_matrix_submatrix(r->R, 0, 0, k, k);
    gsl_matrix_set_identity(&R.matrix);
    gsl_matrix_scale(&R.matrix, 1e-8);
    if (rtk_kf_update(r, k, na, r->T, r->tv)) {
        snprintf(sol->msg, sizeof sol->msg, "fixed solution singular");
        return 0;
    }
    /* validation by the DD phase residuals of the fixed solution */
    double xs[RTK_NX];
    memcpy(xs, r->x, sizeof xs);
    for (int i = 0; i < na; i++)
        xs[r->ix[i]] = gsl_vector_get(r->tv, i);
    ddrow_t rows[RTK_MAXROW];
    const int m = rtk_build_dd(r, ref, excl, xs, cix, na, rows, 0);
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
        return 0;
    }
    const double sig3 = sqrt(gsl_matrix_get(r->T, 0, 0) + gsl_matrix_get(r->T, 1, 1) + gsl_matrix_get(r->T, 2, 2));
    if (use_c && sig3 > c->fix_sigma_max_m) { /* a few decorrelated combinations only */
        snprintf(sol->msg, sizeof sol->msg, "partial fix of %d/%d leaves %.3f m 3D sigma (> %.3f m)", k, n, sig3,
                 c->fix_sigma_max_m);
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        pos_fix[i] = xs[i];
        for (int j = 0; j < 3; j++)
            cov_fix[i * 3 + j] = gsl_matrix_get(r->T, i, j);
    }
    sol->n_fixed = k;
    for (int a = 0; a < ns; a++)
        for (int s = 0; s < sol->n_rsat; s++)
            if (sol->rsat[s].prn == fam[a].prn) {
                sol->rsat[s].fixed |= (uint8_t)(1u << fam[a].f);
                sol->rsat[s].amb_dd_cyc[fam[a].f] =
                    xs[RTK_IA(fam[a].prn, fam[a].f)] - xs[RTK_IA(fam[a].ref, fam[a].f)];
            }
    if (c->hold) { /* feed the integers back into the float filter */
        fix_rows(r, fam, ns, Cuse, k, cv, cix, na, r->xa);
        gsl_matrix_set_identity(&R.matrix);
        gsl_matrix_scale(&R.matrix, 1e-6);
        if (rtk_kf_update(r, k, na, r->Pa, r->xa) == 0)
            rtk_scatter(r, na, r->Pa, r->xa);
    }
    sol->msg[0] = '\0';
    return 1;
}
