/* bdsrx — satellite states for PPP from precise SP3/RINEX clock files or from broadcast
 * ephemerides alone (include/bdsrx/ppp.h, bx_ppp_sp3_* and bx_ppp_brdc_*). */
#include <math.h>
#include <string.h>

#include "bdsrx/b2b_eval.h"
#include "bdsrx/orbit.h"
#include "bdsrx/ppp.h"
#include "bdsrx/time.h"

void bx_ppp_sp3_src_init(bx_ppp_sp3_src_t *s, const bx_sp3_t *sp3, const bx_rnxclk_t *clk)
{
    memset(s, 0, sizeof *s);
    s->sp3 = sp3;
    s->clk = clk;
    s->apply_pco = 1;
}

int bx_ppp_sp3_satfn(void *user, int prn, bx_time_t t, double pos_m[3], double *clk_s)
{
    const bx_ppp_sp3_src_t *s = user;
    if (!s || !s->sp3 || prn < 1 || prn > BX_PRN_MAX)
        return -1;
    double com[3], a[3], b[3], c = NAN;
    if (bx_sp3_interp(s->sp3, prn, t, 10, com, &c) != BX_OK ||
        bx_sp3_interp(s->sp3, prn, bx_time_add(t, -0.5), 10, a, NULL) != BX_OK ||
        bx_sp3_interp(s->sp3, prn, bx_time_add(t, 0.5), 10, b, NULL) != BX_OK)
        return -1;
    if (s->clk && bx_rnxclk_interp(s->clk, prn, t, 300.0, &c) != BX_OK)
        return -1;
    if (isnan(c))
        return -1;
    /* velocity by a central difference over 1 s (Lagrange order 10: < 1 mm/s error) */
    const double v[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    c -= 2.0 * (com[0] * v[0] + com[1] * v[1] + com[2] * v[2]) / (BX_CLIGHT_MPS * BX_CLIGHT_MPS);
    c -= s->code_bias_m[prn] / BX_CLIGHT_MPS;
    if (s->apply_pco) {
        if (bx_bds3_apc(prn, t, com, pos_m) < 0)
            memcpy(pos_m, com, sizeof com); /* BDS-2 / unknown block: centre of mass */
    } else {
        memcpy(pos_m, com, sizeof com);
    }
    *clk_s = c;
    return 0;
}

int bx_ppp_sp3_bias_from_nav(bx_ppp_sp3_src_t *s, const bx_nav_t *nav)
{
    if (!s || !nav)
        return 0;
    double c1i, c3i;
    bx_iflc_coef(BX_FREQ_B1I_HZ, BX_FREQ_B3I_HZ, &c1i, &c3i);
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        const bx_eph_t *cn = NULL, *d = NULL;
        for (int i = 0; i < nav->n_eph; i++) {
            const bx_eph_t *e = &nav->eph[i];
            if (e->prn != prn)
                continue;
            if (bx_eph_is_legacy(e))
                d = e;
            else if (e->source == BX_SIG_B1C || e->source == BX_SIG_B2A)
                cn = e;
        }
        if (!cn || !d)
            continue;
        s->code_bias_m[prn] = BX_CLIGHT_MPS * (bx_iflc_b1c_b2a_tgd_s(cn, 1, 1) - c1i * d->tgd_b1i_s);
        n++;
    }
    return n;
}

int bx_ppp_brdc_satfn(void *user, int prn, bx_time_t t, double pos_m[3], double *clk_s)
{
    const bx_ppp_brdc_src_t *s = user;
    if (!s || !s->nav || prn < 1 || prn > BX_PRN_MAX)
        return -1;
    double c1, c2, f1, f2, dt;
    bx_ppp_if_freqs(s->if_pair, &f1, &f2);
    bx_iflc_coef(f1, f2, &c1, &c2);
    const bx_eph_t *e;
    if (s->if_pair == BX_PPP_IF_B1I_B3I) {
        e = bx_nav_select_src(s->nav, prn, t, BX_EPH_SRC_D1);
        if (!e)
            e = bx_nav_select_src(s->nav, prn, t, BX_EPH_SRC_D2);
        if (!e || bx_satpos(e, t, pos_m, NULL, &dt, NULL) != BX_OK)
            return -1;
        *clk_s = dt - c1 * e->tgd_b1i_s; /* B3I reference: P_B1I carries TGD1, P_B3I nothing */
    } else {
        e = bx_nav_select_src(s->nav, prn, t, BX_SIG_B1C);
        if (!e)
            e = bx_nav_select_src(s->nav, prn, t, BX_SIG_B2A);
        if (!e || bx_satpos(e, t, pos_m, NULL, &dt, NULL) != BX_OK)
            return -1;
        *clk_s = dt - bx_iflc_b1c_b2a_tgd_s(e, 1, 1);
    }
    return 0;
}
