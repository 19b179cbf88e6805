/* C/N0 estimators with exponential averaging (trk_impl.h):
 *  - moments (M2M4): needs no phase lock, no partial sums and no knowledge of
 *    data or secondary-code signs; used in pull-in;
 *  - phase-locked I/Q (signal mean, quadrature noise): used once the PLL is
 *    locked, robust to short amplitude dips. */
#include <math.h>

#include "trk_impl.h"

void bx_trk_cn0_reset(bx_trk_cn0_t *e)
{
    e->m2 = e->m4 = 0.0;
    e->n = 0;
}

void bx_trk_cn0_push(bx_trk_cn0_t *e, double complex z, double alpha)
{
    double p = creal(z) * creal(z) + cimag(z) * cimag(z);
    e->n++;
    double a = 1.0 / (double)e->n; /* plain mean while warming up */
    if (a < alpha)
        a = alpha;
    e->m2 += a * (p - e->m2);
    e->m4 += a * (p * p - e->m4);
}

static void split(const bx_trk_cn0_t *e, double *ps, double *pn)
{
    double d = 2.0 * e->m2 * e->m2 - e->m4;
    *ps = d > 0.0 ? sqrt(d) : 0.0;
    *pn = e->m2 - *ps;
}

double bx_trk_cn0_dbhz(const bx_trk_cn0_t *e, double T_s)
{
    double ps, pn;
    split(e, &ps, &pn);
    if (e->n < 2 || ps <= 0.0)
        return 0.0;
    if (pn <= ps * 1e-6)
        pn = ps * 1e-6; /* noiseless input: report a large, finite value */
    double v = 10.0 * log10(ps / (pn * T_s));
    return v > 0.0 ? v : 0.0;
}

double bx_trk_cn0_noise(const bx_trk_cn0_t *e)
{
    double ps, pn;
    split(e, &ps, &pn);
    return pn > 0.0 ? pn : 0.0;
}

void bx_trk_cn0iq_reset(bx_trk_cn0iq_t *e)
{
    e->mi = e->q2 = 0.0;
    e->n = 0;
}

void bx_trk_cn0iq_push(bx_trk_cn0iq_t *e, double i, double q, double alpha)
{
    e->n++;
    double a = 1.0 / (double)e->n;
    if (a < alpha)
        a = alpha;
    e->mi += a * (fabs(i) - e->mi);
    e->q2 += a * (q * q - e->q2);
}

double bx_trk_cn0iq_signal(const bx_trk_cn0iq_t *e) { return e->mi * e->mi; }
double bx_trk_cn0iq_noise(const bx_trk_cn0iq_t *e) { return 2.0 * e->q2; }

double bx_trk_cn0_from(double ps, double pn, double T_s)
{
    if (!(ps > 0.0))
        return 0.0;
    if (pn <= ps * 1e-6)
        pn = ps * 1e-6;
    double v = 10.0 * log10(ps / (pn * T_s));
    return v > 0.0 ? v : 0.0;
}
