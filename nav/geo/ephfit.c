/* A CNAV ephemeris re-expressed as a legacy D1/D2 parameter set by least squares on positions
 * (include/bdsrx/ephfit.h). */
#include "bdsrx/ephfit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "bdsrx/orbit.h"
#include "bdsrx/time.h"

#define NP 15            /* legacy orbit parameters fitted */
#define FIT_STEP_S 90.0  /* sample spacing of the fit */
#define EVAL_STEP_S 30.0 /* sample spacing of the error statistics */
#define C_MPS 299792458.0

typedef struct {
    bx_eph_t base;   /* the direct copy: parameters are base + scale * x */
    double scale[NP];
    int n;           /* samples */
    double *dt_s;    /* sample times relative to t_oe */
    double *ref_m;   /* CNAV positions and c x clock (relativistic term included), 4 per sample */
} fit_t;

/* Legacy ephemeris of scaled parameter vector x.  Each unit of x moves the orbit by about a
 * metre (angles x 1/A, rates x 1/(A span)), which keeps the normal equations well scaled. */
static void params_to_eph(const fit_t *f, const double *x, bx_eph_t *e)
{
    *e = f->base;
    double *p[NP] = {&e->dA_m,     &e->e,       &e->i0_rad,  &e->Omega0_rad, &e->omega_rad,
                     &e->M0_rad,   &e->dn0_rad_s, &e->idot_rad_s, &e->Omegadot_rad_s, &e->cuc_rad,
                     &e->cus_rad,  &e->crc_m,   &e->crs_m,   &e->cic_rad,    &e->cis_rad};
    for (int k = 0; k < NP; k++)
        *p[k] += f->scale[k] * x[k];
    if (e->e < 0.0) { /* the same orbit with e >= 0: perigee on the other side */
        e->e = -e->e;
        e->omega_rad += M_PI;
        e->M0_rad -= M_PI;
    }
}

/* x, y, z and c x clock at the sample times: the clock's relativistic term depends on e and A,
 * which the fit moves, so it is fitted too (a pseudorange sees position and clock alike). */
static int positions(const fit_t *f, const bx_eph_t *e, double *out)
{
    for (int i = 0; i < f->n; i++) {
        double clk;
        if (bx_satpos(e, bx_time_add(e->toe, f->dt_s[i]), out + 4 * i, NULL, &clk, NULL) != BX_OK)
            return GSL_EDOM;
        out[4 * i + 3] = C_MPS * clk;
    }
    return GSL_SUCCESS;
}

static int resid(const gsl_vector *x, const fit_t *f, gsl_vector *fv)
{
    bx_eph_t e;
    params_to_eph(f, x->data, &e);
    double *r = fv->data; /* contiguous (allocated by GSL with stride 1) */
    if (positions(f, &e, r) != GSL_SUCCESS)
        return GSL_EDOM;
    for (int i = 0; i < 4 * f->n; i++)
        r[i] -= f->ref_m[i];
    return GSL_SUCCESS;
}

/* Jacobian by central differences of 1 cm (scaled units): the model is smooth and evaluating
 * it 30 times per iteration costs a few hundred microseconds per satellite. */
static int jac(const gsl_vector *x, const fit_t *f, gsl_matrix *J)
{
    const int m = 4 * f->n;
    double xp[NP], *a = malloc(2 * (size_t)m * sizeof *a);
    if (!a)
        return GSL_ENOMEM;
    const double h = 0.01;
    for (int k = 0; k < NP; k++) {
        bx_eph_t e;
        memcpy(xp, x->data, sizeof xp);
        xp[k] += h;
        params_to_eph(f, xp, &e);
        int st = positions(f, &e, a);
        xp[k] -= 2 * h;
        params_to_eph(f, xp, &e);
        if (st == GSL_SUCCESS)
            st = positions(f, &e, a + m);
        if (st != GSL_SUCCESS) {
            free(a);
            return st;
        }
        for (int i = 0; i < m; i++)
            gsl_matrix_set(J, (size_t)i, (size_t)k, (a[i] - a[m + i]) / (2 * h));
    }
    free(a);
    return GSL_SUCCESS;
}

/* Gauss-Newton from the direct copy (x = 0): the problem is nearly linear there (the copy is
 * within a few hundred metres), so 3-5 steps converge; each step is the truncated-SVD solution of
 * J dx = -f (GSL multifit_linear_tsvd: ω and M0 are nearly degenerate at e ~ 1e-3, and so are
 * other pairs over a 3 h arc), halved until the cost decreases. */
static int gauss_newton(fit_t *f, bx_eph_t *best, size_t *iters)
{
    const size_t m = 4 * (size_t)f->n;
    gsl_matrix *J = gsl_matrix_alloc(m, NP), *cov = gsl_matrix_alloc(NP, NP);
    gsl_vector *r = gsl_vector_alloc(m), *rt = gsl_vector_alloc(m), *x = gsl_vector_calloc(NP),
               *xt = gsl_vector_alloc(NP), *dx = gsl_vector_alloc(NP);
    gsl_multifit_linear_workspace *lw = gsl_multifit_linear_alloc(m, NP);
    int st = BX_OK;
    if (!J || !cov || !r || !rt || !x || !xt || !dx || !lw)
        st = BX_ERR_NOMEM;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double cost = 0;
    if (st == BX_OK && resid(x, f, r) != GSL_SUCCESS)
        st = BX_ERR_ARG;
    if (st == BX_OK)
        cost = gsl_blas_dnrm2(r);
    for (int it = 0; st == BX_OK && it < 12; it++) {
        double chisq;
        size_t rank;
        if (jac(x, f, J) != GSL_SUCCESS ||
            gsl_multifit_linear_tsvd(J, r, 1e-12, dx, cov, &chisq, &rank, lw) != GSL_SUCCESS)
            break;
        double newcost = cost;
        for (int h = 0; h < 12; h++) {
            gsl_vector_memcpy(xt, x);
            gsl_vector_sub(xt, dx); /* J dx = r  ->  x - dx */
            if (resid(xt, f, rt) == GSL_SUCCESS && (newcost = gsl_blas_dnrm2(rt)) < cost)
                break;
            gsl_vector_scale(dx, 0.5);
        }
        *iters = (size_t)it + 1;
        if (!(newcost < cost))
            break;
        gsl_vector_memcpy(x, xt);
        gsl_vector_memcpy(r, rt);
        const double gain = cost - newcost;
        cost = newcost;
        if (gain < 1e-6 * cost + 1e-9)
            break;
    }
    gsl_set_error_handler(old);
    if (st == BX_OK)
        params_to_eph(f, x->data, best);
    gsl_multifit_linear_free(lw);
    gsl_vector_free(dx);
    gsl_vector_free(xt);
    gsl_vector_free(x);
    gsl_vector_free(rt);
    gsl_vector_free(r);
    gsl_matrix_free(cov);
    gsl_matrix_free(J);
    return st;
}

/* Position and clock differences of `leg` against `cnav` over t_oe ± span. */
static void stats_of(const bx_eph_t *cnav, const bx_eph_t *leg, double span_s, double *rms1, double *max1,
                     double *rms, double *max, double *clkmax)
{
    double s1 = 0, s = 0;
    int n1 = 0, n = 0;
    *max1 = *max = 0;
    if (clkmax)
        *clkmax = 0;
    for (double dt = -span_s; dt <= span_s + 1e-9; dt += EVAL_STEP_S) {
        const bx_time_t t = bx_time_add(cnav->toe, dt);
        double pa[3], pb[3], ca, cb;
        if (bx_satpos(cnav, t, pa, NULL, &ca, NULL) != BX_OK || bx_satpos(leg, t, pb, NULL, &cb, NULL) != BX_OK)
            continue;
        const double d2 = (pa[0] - pb[0]) * (pa[0] - pb[0]) + (pa[1] - pb[1]) * (pa[1] - pb[1]) +
                          (pa[2] - pb[2]) * (pa[2] - pb[2]);
        s += d2, n++;
        *max = fmax(*max, sqrt(d2));
        if (fabs(dt) <= 3600.0 + 1e-9) {
            s1 += d2, n1++;
            *max1 = fmax(*max1, sqrt(d2));
        }
        if (clkmax)
            *clkmax = fmax(*clkmax, fabs(C_MPS * (cb - ca)));
    }
    *rms1 = n1 ? sqrt(s1 / n1) : 0;
    *rms = n ? sqrt(s / n) : 0;
}

int bx_eph_fit_legacy(const bx_eph_t *cnav, double span_s, bx_eph_t *out, bx_ephfit_stats_t *stats)
{
    if (!cnav || !out)
        return BX_ERR_ARG;
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (bx_eph_is_legacy(cnav)) {
        *out = *cnav;
        return BX_OK;
    }
    if (span_s <= 0)
        span_s = BX_EPHFIT_SPAN_S;
    const double A = bx_eph_aref_m(cnav->sat_type) + cnav->dA_m;
    if (!(A > 1e6) || !(cnav->e >= 0.0 && cnav->e < 0.1))
        return BX_ERR_ARG;

    fit_t f;
    memset(&f, 0, sizeof f);
    f.base = *cnav;
    f.base.Adot_mps = 0.0;
    f.base.dn0dot_rad_s2 = 0.0;
    f.base.source = cnav->sat_type == BX_SAT_GEO ? BX_EPH_SRC_D2 : BX_EPH_SRC_D1;
    f.base.tgd_b1i_s = f.base.tgd_b2i_s = 0.0;
    const double ang = 1.0 / A, rate = 1.0 / (A * span_s);
    const double sc[NP] = {1.0, ang, ang, ang, ang, ang, rate, rate, rate, ang, ang, 1.0, 1.0, ang, ang};
    memcpy(f.scale, sc, sizeof sc);
    f.n = 2 * (int)floor(span_s / FIT_STEP_S + 1e-9) + 1;
    f.dt_s = malloc((size_t)f.n * sizeof *f.dt_s);
    f.ref_m = malloc(4 * (size_t)f.n * sizeof *f.ref_m);
    if (!f.dt_s || !f.ref_m) {
        free(f.dt_s);
        free(f.ref_m);
        return BX_ERR_NOMEM;
    }
    for (int i = 0; i < f.n; i++)
        f.dt_s[i] = (i - f.n / 2) * FIT_STEP_S;
    int st = positions(&f, cnav, f.ref_m) == GSL_SUCCESS ? BX_OK : BX_ERR_ARG;

    bx_eph_t best = f.base;
    size_t iters = 0;
    if (st == BX_OK)
        st = gauss_newton(&f, &best, &iters);
    free(f.dt_s);
    free(f.ref_m);
    if (st != BX_OK)
        return st;
    *out = best;
    if (stats) {
        double r, m, r1;
        stats_of(cnav, &f.base, span_s, &r1, &stats->copy_max_1h_m, &r, &m, NULL);
        stats_of(cnav, out, span_s, &stats->rms_1h_m, &stats->max_1h_m, &stats->rms_m, &stats->max_m,
                 &stats->clk_max_m);
        stats->iterations = (int)iters;
    }
    return BX_OK;
}
