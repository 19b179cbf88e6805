/* bdsrx — applying PPP-B2b corrections to a B-CNAV1 broadcast orbit and clock,
 * shared/icd/pppb2b.md §4.3 (IODN <-> IODC) and §5 (frame, signs, code biases). */
#include <math.h>

#include "bdsrx/orbit.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"

const bx_eph_t *bx_b2b_find_eph(const bx_nav_t *nav, int prn, int iodn, bx_time_t t)
{
    if (!nav)
        return NULL;
    const bx_eph_t *best = NULL;
    double best_dt = 0.0;
    for (int i = 0; i < nav->n_eph; i++) {
        const bx_eph_t *e = &nav->eph[i];
        /* §4.3 [V]: BDS IODN = IODC of the B-CNAV1 ephemeris */
        if (e->prn != prn || e->source != BX_SIG_B1C || e->iodc != iodn)
            continue;
        double dt = fabs(bx_time_diff(t, e->toe));
        if (dt > BX_NAV_MAX_AGE_S)
            continue;
        if (!best || dt < best_dt) {
            best = e;
            best_dt = dt;
        }
    }
    return best;
}

static void cross3(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static int unit3(double v[3])
{
    double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (!(n > 0.0))
        return -1;
    for (int i = 0; i < 3; i++)
        v[i] /= n;
    return 0;
}

int bx_b2b_apply(const bx_eph_t *e, const bx_b2b_corr_t *c, bx_time_t t, double pos_m[3],
                 double *clk_s, double brdc_pos_m[3], double *brdc_clk_s)
{
    if (!e || !c)
        return BX_ERR_ARG;
    double r[3], v[3], dts;
    int st = bx_satpos(e, t, r, v, &dts, NULL);
    if (st != BX_OK)
        return st;
    if (brdc_pos_m)
        for (int i = 0; i < 3; i++)
            brdc_pos_m[i] = r[i];
    if (brdc_clk_s)
        *brdc_clk_s = dts;
    /* §5 [V]: radial = r/|r|, cross = r x v normalised, along = cross x radial (ECEF
     * velocity of the same ephemeris); corrected = broadcast - (R e_r + A e_a + C e_c). */
    double er[3] = {r[0], r[1], r[2]}, ec[3], ea[3];
    cross3(r, v, ec);
    if (unit3(er) || unit3(ec))
        return BX_ERR_ARG;
    cross3(ec, er, ea);
    if (pos_m)
        for (int i = 0; i < 3; i++)
            pos_m[i] = r[i] - (c->radial_m * er[i] + c->along_m * ea[i] + c->cross_m * ec[i]);
    /* §5 [V]: dt = dt_brdc - C0 / c (B3I reference) */
    if (clk_s)
        *clk_s = dts - c->c0_m / BX_CLIGHT_MPS;
    return BX_OK;
}

double bx_b2b_dcb_m(const bx_b2b_corr_t *c, int code)
{
    if (!c || !c->have_dcb)
        return NAN;
    for (int j = 0; j < c->dcb.n && j < BX_B2B_MAX_DCB; j++)
        if (c->dcb.code[j] == code)
            return c->dcb.dcb_m[j];
    return NAN;
}
