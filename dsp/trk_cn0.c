/* Windowed C/N0 estimators: M2M4 for pull-in, phase-locked I/Q once locked
 * (forms and reasons in trk_impl.h). */
#include <math.h>
#include <string.h>

#include "trk_impl.h"

void bx_trk_cn0_init(bx_trk_cn0_t *e, int win)
{
    memset(e, 0, sizeof *e);
    e->win = win > 2 ? win : 2;
}

void bx_trk_cn0_reset(bx_trk_cn0_t *e) { bx_trk_cn0_init(e, e->win); }

void bx_trk_cn0_push(bx_trk_cn0_t *e, double i, double q)
{
    double p = i * i + q * q;
    if (i < 0) /* a data / secondary-chip sign flips I and the static-error share of Q together */
        q = -q;
    e->si += fabs(i);
    e->si_s += i;
    e->sq += q;
    e->sq2 += q * q;
    e->s2 += p;
    e->s4 += p * p;
    if (++e->n < e->win)
        return;
    double n = (double)e->n;
    double mi = e->si / n, mq = e->sq / n, vq = e->sq2 / n - mq * mq;
    double m2 = e->s2 / n, m4 = e->s4 / n;
    int k = e->head;
    e->ps_iq[k] = mi * mi;
    {
        /* signed mean (a known sign: the wiped pilot) and the mean of Q with it:
         * |<I> + j<Q>|^2 = A^2 whatever the static phase error (a field U-turn
         * holds the PLL ~15 deg off for seconds: <I>^2 alone read -0.3 dB);
         * unbiased on noise, E[m^2] = A^2 + 2 var / n */
        const double ms = e->si_s / n, v = vq > 0.0 ? vq : 0.0, m2s = ms * ms + mq * mq - 2.0 * v / n;
        e->ps_sg[k] = m2s > 0.0 ? m2s : 0.0;
    }
    e->pn_iq[k] = vq > 0.0 ? 2.0 * vq : 0.0;
    e->m2[k] = m2;
    e->m4[k] = m4;
    e->head = (k + 1) % BX_TRK_CN0_WINS;
    if (e->nw < BX_TRK_CN0_WINS)
        e->nw++;
    e->n = 0;
    e->si = e->si_s = e->sq = e->sq2 = e->s2 = e->s4 = 0.0;
}

int bx_trk_cn0_windows(const bx_trk_cn0_t *e) { return e->nw; }

static double avg(const double *v, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += v[k];
    return n > 0 ? s / n : 0.0;
}

/* M2M4 from the moments pooled over the held windows: one estimate from all
 * their outputs rather than the mean of per-window estimates, each clipped at
 * 0 (at 22-25 dB-Hz, 10 ms, a 50-output window often has 2 M2^2 < M4 and
 * the channel reported 0 dB-Hz for the 0.5 s of its first window) */
static void mm_pooled(const bx_trk_cn0_t *e, double *ps, double *pn)
{
    const double m2 = avg(e->m2, e->nw), m4 = avg(e->m4, e->nw), d = 2.0 * m2 * m2 - m4;
    *ps = d > 0.0 ? sqrt(d) : 0.0;
    *pn = m2 - *ps > 0.0 ? m2 - *ps : 0.0;
}

/* the held windows are the first nw slots (ring fills from 0, then wraps) */
double bx_trk_cn0_ps(const bx_trk_cn0_t *e, int iq)
{
    double ps, pn;
    if (!iq) {
        mm_pooled(e, &ps, &pn);
        return ps;
    }
    return avg(iq == 2 ? e->ps_sg : e->ps_iq, e->nw);
}
double bx_trk_cn0_pn(const bx_trk_cn0_t *e, int iq)
{
    double ps, pn;
    if (!iq) {
        mm_pooled(e, &ps, &pn);
        return pn;
    }
    return avg(e->pn_iq, e->nw);
}

double bx_trk_cn0_from(double ps, double pn, double T_s)
{
    if (!(ps > 0.0))
        return 0.0;
    if (pn <= ps * 1e-6)
        pn = ps * 1e-6; /* noiseless input: a large, finite value */
    double v = 10.0 * log10(ps / (pn * T_s));
    return v > 0.0 ? v : 0.0;
}

int bx_trk_cn0_partial(const bx_trk_cn0_t *e, double *ps, double *pn)
{
    if (e->n < 8)
        return 0;
    const double n = (double)e->n, m2 = e->s2 / n, m4 = e->s4 / n, d = 2.0 * m2 * m2 - m4;
    if (!(d > 0.0))
        return 0;
    *ps = sqrt(d);
    *pn = m2 - *ps;
    return *pn > 0.0;
}

double bx_trk_cn0_partial_ps(const bx_trk_cn0_t *e, int known_sign, double pn)
{
    if (e->n < 20 || !(pn > 0.0))
        return 0.0;
    const double n = (double)e->n, m = known_sign ? e->si_s / n : e->si / n;
    if (!known_sign) /* <|I|> folds noise onto the signal unless >= 3 sigma */
        return m * m >= 4.5 * pn ? m * m : 0.0;
    return m * m - 0.5 * pn / n > 0.0 ? m * m - 0.5 * pn / n : 0.0;
}

/* ---- quadrature noise of the pilot/data pair (bx_trk_qn_t, trk_impl.h) ---- */

void bx_trk_qn_init(bx_trk_qn_t *e, int win, double cd_over_cp)
{
    memset(e, 0, sizeof *e);
    e->win = win > 4 ? win : 4;
    /* w = a Qd' + b Qp': a = Ap / |A|, b = Ad / |A| with the ICD power split */
    e->a = sqrt(1.0 / (1.0 + cd_over_cp));
    e->b = sqrt(cd_over_cp / (1.0 + cd_over_cp));
}

void bx_trk_qn_reset(bx_trk_qn_t *e)
{
    const double a = e->a, b = e->b;
    const int win = e->win;
    memset(e, 0, sizeof *e);
    e->win = win, e->a = a, e->b = b;
}

/* var(w) of the residuals of Qp' and Qd' after their regression on [1, s],
 * from the sums of n outputs; 0 if not enough */
static double qn_var(const double *m, long n, double a, double b)
{
    if (n < 4)
        return 0.0;
    const double N = (double)n;
    /* centred second moments: p = Qp', d = Qd', s = regressor */
    const double mp = m[0] / N, md = m[1] / N, ms = m[2] / N;
    const double css = m[3] / N - ms * ms, cpp = m[4] / N - mp * mp, cdd = m[5] / N - md * md;
    const double cpd = m[6] / N - mp * md, cps = m[7] / N - mp * ms, cds = m[8] / N - md * ms;
    double rpp = cpp, rdd = cdd, rpd = cpd, dof = N - 1.0;
    if (css > 1e-9) { /* both signs seen: remove the cross-correlation term */
        rpp -= cps * cps / css;
        rdd -= cds * cds / css;
        rpd -= cps * cds / css;
        dof = N - 2.0;
    }
    const double v = (a * a * rdd + b * b * rpp + 2.0 * a * b * rpd) * N / dof;
    return v > 0.0 ? v : 0.0;
}

void bx_trk_qn_push(bx_trk_qn_t *e, double ip, double qp, double id, double qd)
{
    const double sp = ip < 0.0 ? -1.0 : 1.0, sd = id < 0.0 ? -1.0 : 1.0;
    const double p = sp * qp, d = sd * qd, s = sp * sd;
    double *m = e->m;
    m[0] += p, m[1] += d, m[2] += s, m[3] += s * s;
    m[4] += p * p, m[5] += d * d, m[6] += p * d, m[7] += p * s, m[8] += d * s;
    if (++e->n < e->win)
        return;
    e->pn[e->head] = 2.0 * qn_var(m, e->n, e->a, e->b);
    e->head = (e->head + 1) % BX_TRK_CN0_WINS;
    if (e->nw < BX_TRK_CN0_WINS)
        e->nw++;
    e->n = 0;
    memset(e->m, 0, sizeof e->m);
}

int bx_trk_qn_windows(const bx_trk_qn_t *e) { return e->nw; }

double bx_trk_qn_pn(const bx_trk_qn_t *e) { return avg(e->pn, e->nw); }

double bx_trk_qn_partial(const bx_trk_qn_t *e) { return e->n >= 20 && 5 * e->n >= e->win ? 2.0 * qn_var(e->m, e->n, e->a, e->b) : 0.0; }

/* ---- envelope noise of the pilot/data pair (bx_trk_en_t, trk_impl.h) ---- */

void bx_trk_en_init(bx_trk_en_t *e, int win, double cd_over_cp)
{
    memset(e, 0, sizeof *e);
    e->win = win > 4 ? win : 4;
    e->a = sqrt(1.0 / (1.0 + cd_over_cp));
    e->b = sqrt(cd_over_cp / (1.0 + cd_over_cp));
}

/* ps (total), pn of one output from the sums of n outputs; 0 unless both
 * components stand >= 5 Pn clear of the noise (Rice: |z| variance -2.5 %) */
static int en_eval(const double *m, long n, double *ps, double *pn)
{
    if (n < 20)
        return 0;
    const double N = (double)n, v = (m[1] - m[0] * m[0] / N) / (N - 1.0);
    const double p2 = m[2] / N, d2 = m[3] / N, noise = 2.0 * v;
    if (!(noise > 0.0) || p2 - noise < 5.0 * noise || d2 - noise < 5.0 * noise)
        return 0;
    *ps = p2 + d2 - 2.0 * noise;
    *pn = noise;
    return 1;
}

void bx_trk_en_push(bx_trk_en_t *e, double ip, double qp, double id, double qd)
{
    const double p2 = ip * ip + qp * qp, d2 = id * id + qd * qd;
    const double x = e->a * sqrt(d2) - e->b * sqrt(p2);
    e->m[0] += x, e->m[1] += x * x, e->m[2] += p2, e->m[3] += d2;
    if (++e->n < e->win)
        return;
    const int k = e->head;
    e->ok[k] = en_eval(e->m, e->n, &e->ps[k], &e->pn[k]);
    e->head = (k + 1) % BX_TRK_CN0_WINS;
    if (e->nw < BX_TRK_CN0_WINS)
        e->nw++;
    e->n = 0;
    memset(e->m, 0, sizeof e->m);
}

int bx_trk_en_get(const bx_trk_en_t *e, int partial, double *ps, double *pn)
{
    if (partial)
        return en_eval(e->m, e->n, ps, pn);
    if (!e->nw)
        return 0;
    for (int k = 0; k < e->nw; k++)
        if (!e->ok[k])
            return 0;
    *ps = avg(e->ps, e->nw);
    *pn = avg(e->pn, e->nw);
    return 1;
}
