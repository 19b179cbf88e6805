/* RTK measurement side: satellite geometry per receiver, a compact
 * single-point fix (any BDS signal, for the rover's a-priori position and the
 * base when no coordinates are given), Doppler velocity, signal choice and
 * cycle-slip detection.  Model: include/bdsrx/rtk.h. */
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/time.h"
#include "rtk_internal.h"

#define CLIGHT BX_CLIGHT_MPS

double rtk_range(const rtk_zsat_t *z, const double rx[3], double e[3])
{
    const double d[3] = {z->pos[0] - rx[0], z->pos[1] - rx[1], z->pos[2] - rx[2]};
    const double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (e)
        for (int i = 0; i < 3; i++)
            e[i] = d[i] / r;
    return r;
}

/* Group delay (s) of a signal for a given ephemeris: broadcast clocks refer to
 * B3I (orbit.md §4-5).  Legacy: B1I TGD1, B2I TGD2 (BDS-SIS-ICD-B1I-3.0
 * §5.2.4.8), B3I 0.  B1C/B2a/B2b: bx_tgd_s (0 on a legacy ephemeris without
 * them; double differences cancel it anyway). */
static double group_delay_s(const bx_eph_t *e, int sig, int pilot)
{
    switch (sig) {
    case BX_SIG_B1I: return e->tgd_b1i_s;
    case BX_SIG_B2I: return e->tgd_b2i_s;
    case BX_SIG_B3I: return 0.0;
    default: return bx_tgd_s(e, sig, pilot);
    }
}

static int slot_of(const struct bx_rtk *rtk, int sig)
{
    for (int f = 0; f < rtk->nf; f++)
        if (rtk->sig[f] == sig)
            return f;
    return -1;
}

int rtk_zsat_fill(struct bx_rtk *rtk, int rcv, const bx_obs_t *obs, const bx_nav_t *nav, const double rx_pos[3])
{
    rtk_zsat_t *zs = rtk->z[rcv];
    memset(zs, 0, sizeof(rtk_zsat_t) * RTK_NSAT);
    int pilot[RTK_NSAT][RTK_NF];
    memset(pilot, 0, sizeof pilot);
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *d = &obs->d[i];
        const int f = slot_of(rtk, d->sig);
        if (f < 0 || d->prn < 1 || d->prn > BX_PRN_MAX)
            continue;
        rtk_zsat_t *z = &zs[d->prn];
        if ((z->has_p[f] || z->has_l[f]) && d->pilot <= pilot[d->prn][f])
            continue; /* a pilot observation of the same band wins */
        pilot[d->prn][f] = d->pilot;
        z->has_p[f] = (d->flags & BX_OBS_PR) && d->pseudorange_m > 1e7 && d->pseudorange_m < 6e7;
        z->has_l[f] = (d->flags & BX_OBS_CP) && d->carrier_cycles != 0.0;
        z->has_d[f] = (d->flags & BX_OBS_DOP) != 0;
        z->p_m[f] = d->pseudorange_m;
        z->phi_cyc[f] = d->carrier_cycles;
        z->dop_hz[f] = d->doppler_hz;
        z->cn0[f] = (d->flags & BX_OBS_CN0) ? d->cn0_dbhz : 0.0;
        z->lli[f] = ((d->flags & BX_OBS_SLIP) ? 1 : 0) | ((d->flags & BX_OBS_HALF) ? 2 : 0);
    }
    double llh[3];
    bx_ecef_to_llh(rx_pos, llh);
    const int pos_known = rx_pos[0] * rx_pos[0] + rx_pos[1] * rx_pos[1] + rx_pos[2] * rx_pos[2] > 1e12;
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        rtk_zsat_t *z = &zs[prn];
        int f0 = -1;
        for (int f = 0; f < rtk->nf && f0 < 0; f++)
            if (z->has_p[f])
                f0 = f;
        if (f0 < 0)
            continue;
        const bx_eph_t *e = bx_pvt_select_eph(nav, prn, obs->time);
        if (!e)
            continue;
        /* transmit time in system time: receiver time - P/c is the satellite clock's
         * reading at transmission (receiver clock cancels), then the satellite clock */
        const bx_time_t t_sv = bx_time_add(obs->time, -z->p_m[f0] / CLIGHT);
        double clk = 0.0, drift = 0.0, pos[3], vel[3];
        int bad = 0;
        for (int it = 0; it < 2; it++) {
            if (bx_satpos(e, bx_time_add(t_sv, -clk), pos, vel, &clk, &drift) != BX_OK)
                bad = 1;
        }
        if (bad)
            continue;
        /* rotate to the ECEF frame of the reception instant (Sagnac), R_z(w_e tau) */
        double tau = z->p_m[f0] / CLIGHT;
        if (pos_known) {
            const double d[3] = {pos[0] - rx_pos[0], pos[1] - rx_pos[1], pos[2] - rx_pos[2]};
            tau = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) / CLIGHT;
        }
        const double a = BX_OMEGA_E_RAD_S * tau, ca = cos(a), sa = sin(a);
        z->pos[0] = ca * pos[0] + sa * pos[1];
        z->pos[1] = -sa * pos[0] + ca * pos[1];
        z->pos[2] = pos[2];
        z->vel[0] = ca * vel[0] + sa * vel[1];
        z->vel[1] = -sa * vel[0] + ca * vel[1];
        z->vel[2] = vel[2];
        z->dts_m = CLIGHT * clk;
        z->ddts_mps = CLIGHT * drift;
        for (int f = 0; f < rtk->nf; f++)
            if (z->has_p[f])
                z->p_m[f] -= CLIGHT * group_delay_s(e, rtk->sig[f], pilot[prn][f]);
        if (pos_known) {
            bx_azel(rx_pos, llh, z->pos, &z->az, &z->el);
            z->tropo_m = bx_tropo_delay_m(llh, z->el);
            if (z->el <= 0.0)
                continue;
        } else {
            z->el = M_PI / 2;
        }
        z->ok = 1;
        n++;
    }
    return n;
}

int rtk_spp(struct bx_rtk *rtk, int rcv, double pos[3], double *clk_m, double *gdop)
{
    double x[4] = {pos[0], pos[1], pos[2], 0.0};
    int used = 0;
    for (int it = 0; it < 10; it++) {
        double ata[16] = {0}, atb[4] = {0};
        double llh[3];
        const int known = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] > 1e12;
        if (known)
            bx_ecef_to_llh(x, llh);
        used = 0;
        for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
            const rtk_zsat_t *z = &rtk->z[rcv][prn];
            int f0 = -1;
            for (int f = 0; f < rtk->nf && f0 < 0; f++)
                if (z->has_p[f])
                    f0 = f;
            if (!z->ok || f0 < 0)
                continue;
            double e[3], el = M_PI / 2, az, tr = 0.0;
            const double r = rtk_range(z, x, e);
            if (known) {
                bx_azel(x, llh, z->pos, &az, &el);
                if (it > 2 && el < rtk->cfg.elmask_rad)
                    continue;
                tr = bx_tropo_delay_m(llh, el);
            }
            const double se = sin(el > 0.05 ? el : 0.05);
            const double w = se * se;
            const double h[4] = {-e[0], -e[1], -e[2], 1.0};
            const double res = z->p_m[f0] - (r + x[3] - z->dts_m + tr);
            for (int i = 0; i < 4; i++) {
                atb[i] += w * h[i] * res;
                for (int j = 0; j < 4; j++)
                    ata[i * 4 + j] += w * h[i] * h[j];
            }
            used++;
        }
        if (used < 4)
            return -1;
        gsl_matrix_view A = gsl_matrix_view_array(ata, 4, 4);
        gsl_vector_view b = gsl_vector_view_array(atb, 4);
        double dx[4];
        gsl_vector_view xv = gsl_vector_view_array(dx, 4);
        gsl_set_error_handler_off();
        if (gsl_linalg_cholesky_decomp1(&A.matrix) || gsl_linalg_cholesky_solve(&A.matrix, &b.vector, &xv.vector))
            return -1;
        for (int i = 0; i < 4; i++)
            x[i] += dx[i];
        if (gdop) {
            gsl_linalg_cholesky_invert(&A.matrix);
            *gdop = sqrt(gsl_matrix_get(&A.matrix, 0, 0) + gsl_matrix_get(&A.matrix, 1, 1) +
                         gsl_matrix_get(&A.matrix, 2, 2) + gsl_matrix_get(&A.matrix, 3, 3));
        }
        if (sqrt(dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2]) < 1e-3 && it > 2)
            break;
    }
    const double rr = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    if (rr < 6.0e6 || rr > 7.0e6)
        return -1; /* not near the Earth's surface: no usable fix */
    memcpy(pos, x, 3 * sizeof(double));
    *clk_m = x[3];
    return used;
}

int rtk_doppler_vel(struct bx_rtk *rtk, int rcv, const double pos[3], double vel[3])
{
    double ata[16] = {0}, atb[4] = {0};
    int n = 0;
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        const rtk_zsat_t *z = &rtk->z[rcv][prn];
        int f0 = -1;
        for (int f = 0; f < rtk->nf && f0 < 0; f++)
            if (z->has_d[f])
                f0 = f;
        if (!z->ok || f0 < 0 || z->el < rtk->cfg.elmask_rad)
            continue;
        double e[3];
        rtk_range(z, pos, e);
        /* range rate = e . (v_sat - v_rx) + c ddt_r - c ddts;  measured = -lambda D (RINEX sign) */
        const double rr_meas = -rtk->lam[f0] * z->dop_hz[f0];
        const double rr_sat = e[0] * z->vel[0] + e[1] * z->vel[1] + e[2] * z->vel[2] - z->ddts_mps;
        const double h[4] = {-e[0], -e[1], -e[2], 1.0};
        const double res = rr_meas - rr_sat;
        const double se = sin(z->el);
        for (int i = 0; i < 4; i++) {
            atb[i] += se * se * h[i] * res;
            for (int j = 0; j < 4; j++)
                ata[i * 4 + j] += se * se * h[i] * h[j];
        }
        n++;
    }
    if (n < 5)
        return -1;
    gsl_matrix_view A = gsl_matrix_view_array(ata, 4, 4);
    gsl_vector_view b = gsl_vector_view_array(atb, 4);
    double x[4];
    gsl_vector_view xv = gsl_vector_view_array(x, 4);
    gsl_set_error_handler_off();
    if (gsl_linalg_cholesky_decomp1(&A.matrix) || gsl_linalg_cholesky_solve(&A.matrix, &b.vector, &xv.vector))
        return -1;
    memcpy(vel, x, 3 * sizeof(double));
    return 0;
}

int rtk_choose_signals(struct bx_rtk *rtk, const bx_obs_t *base, const bx_obs_t *rover)
{
    if (rtk->cfg.n_sig > 0) {
        rtk->nf = rtk->cfg.n_sig;
        for (int f = 0; f < rtk->nf; f++)
            rtk->sig[f] = rtk->cfg.sig[f];
    } else {
        /* satellites with phase at both receivers, per signal */
        int count[BX_SIG_COUNT] = {0};
        for (int i = 0; i < rover->n; i++) {
            const bx_obsd_t *d = &rover->d[i];
            if (d->sig >= BX_SIG_COUNT || bx_signal_sys(d->sig) != 'C' || !(d->flags & BX_OBS_CP))
                continue;
            int in_base = !base;
            for (int j = 0; base && j < base->n && !in_base; j++)
                in_base = base->d[j].prn == d->prn && base->d[j].sig == d->sig && (base->d[j].flags & BX_OBS_CP);
            count[d->sig] += in_base;
        }
        rtk->nf = 0;
        for (int k = 0; k < RTK_NF; k++) {
            int best = -1;
            for (int s = 0; s < BX_SIG_COUNT; s++) {
                int taken = 0;
                for (int f = 0; f < rtk->nf; f++)
                    taken |= rtk->sig[f] == s;
                if (!taken && count[s] >= 4 && (best < 0 || count[s] > count[best]))
                    best = s;
            }
            if (best < 0)
                break;
            rtk->sig[rtk->nf++] = best;
        }
        if (rtk->nf == 0)
            return -1;
    }
    for (int f = 0; f < rtk->nf; f++) {
        rtk->freq[f] = bx_signal_freq_hz(rtk->sig[f]);
        rtk->lam[f] = CLIGHT / rtk->freq[f];
    }
    return 0;
}

void rtk_detect_slips(struct bx_rtk *rtk, int rcv, bx_time_t t, unsigned char slip[RTK_NSAT])
{
    const bx_rtk_config_t *c = &rtk->cfg;
    const double dt = rtk->prev_ok[rcv] ? bx_time_diff(t, rtk->t_prev[rcv]) : 0.0;
    if (rtk->prev_ok[rcv] && fabs(dt) < 1e-6)
        return; /* the same epoch again (a base slower than the rover): nothing new to test */
    const int cont = rtk->prev_ok[rcv] && dt > 0.0 && dt <= c->max_gap_s;
    /* phase change minus integrated Doppler per satellite and slot, in metres (common receiver
     * clock-drift errors are removed below with the median over the satellites) */
    double dd[RTK_NSAT][RTK_NF], dbar[RTK_NSAT][RTK_NF];
    int has_dd[RTK_NSAT][RTK_NF];
    memset(has_dd, 0, sizeof has_dd);
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        const rtk_zsat_t *z = &rtk->z[rcv][prn], *p = &rtk->prev[rcv][prn];
        for (int f = 0; f < rtk->nf; f++)
            if (z->has_l[f] && (z->lli[f] & 1))
                slip[prn] |= (unsigned char)(1u << f);
        if (c->slip_dop_cyc > 0.0 && cont && dt <= 10.0)
            for (int f = 0; f < rtk->nf; f++)
                if (z->has_l[f] && p->has_l[f] && z->has_d[f] && p->has_d[f]) {
                    dbar[prn][f] = 0.5 * (z->dop_hz[f] + p->dop_hz[f]);
                    const double pred = -dbar[prn][f] * dt;
                    dd[prn][f] = rtk->lam[f] * ((z->phi_cyc[f] - p->phi_cyc[f]) - pred);
                    has_dd[prn][f] = 1;
                }
    }
    for (int f = 0; f < rtk->nf; f++) {
        double v[RTK_NSAT], med = 0.0;
        int n = 0;
        /* twice: the common term is the receiver clock's change beyond its drift; a clock step
         * (a receiver steering its clock by a millisecond) also shifts the epoch's true time, so
         * every satellite's phase moves by its own Doppler x the step: taken out before the test */
        for (int pass = 0; pass < 2; pass++) {
            n = 0;
            for (int prn = 1; prn <= BX_PRN_MAX; prn++)
                if (has_dd[prn][f])
                    v[n++] = dd[prn][f];
            if (n < 4)
                break;
            for (int i = 1; i < n; i++) /* insertion sort: n <= 63 */
                for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
                    const double t = v[j];
                    v[j] = v[j - 1];
                    v[j - 1] = t;
                }
            med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
            const double step_s = med / CLIGHT;
            if (pass > 0 || !(fabs(step_s) > 1e-6)) /* > 300 m: a clock step */
                break;
            for (int prn = 1; prn <= BX_PRN_MAX; prn++)
                if (has_dd[prn][f])
                    dd[prn][f] -= rtk->lam[f] * dbar[prn][f] * step_s;
        }
        if (n < 4)
            continue;
        const double thr = c->slip_dop_cyc * rtk->lam[f] * (dt > 1.0 ? dt : 1.0);
        for (int prn = 1; prn <= BX_PRN_MAX; prn++)
            if (has_dd[prn][f] && fabs(dd[prn][f] - med) > thr)
                slip[prn] |= (unsigned char)(1u << f);
    }
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        const rtk_zsat_t *z = &rtk->z[rcv][prn];
        /* geometry-free and Melbourne-Wuebbena on the first two slots present */
        int f1 = -1, f2 = -1;
        for (int f = 0; f < rtk->nf; f++)
            if (z->has_l[f] && z->has_p[f]) {
                if (f1 < 0)
                    f1 = f;
                else if (f2 < 0)
                    f2 = f;
            }
        if (f2 < 0 || !z->ok) {
            rtk->gf_ok[rcv][prn] = 0;
            rtk->mw_n[rcv][prn] = 0;
            continue;
        }
        const double l1 = rtk->lam[f1] * z->phi_cyc[f1], l2 = rtk->lam[f2] * z->phi_cyc[f2];
        const double gf = l1 - l2;
        const double fa = rtk->freq[f1], fb = rtk->freq[f2];
        const double lwl = CLIGHT / fabs(fa - fb);
        const double mw = ((fa * l1 - fb * l2) / (fa - fb) - (fa * z->p_m[f1] + fb * z->p_m[f2]) / (fa + fb)) / lwl;
        int jump = 0;
        if (cont && rtk->gf_ok[rcv][prn] && fabs(gf - rtk->gf_prev[rcv][prn]) > c->slip_gf_m)
            jump = 1;
        if (cont && rtk->mw_n[rcv][prn] > 0 && fabs(mw - rtk->mw_mean[rcv][prn]) > c->slip_mw_cyc)
            jump = 1;
        if (!cont)
            rtk->mw_n[rcv][prn] = 0;
        if (jump || (slip[prn] & ((1u << f1) | (1u << f2)))) {
            slip[prn] |= (unsigned char)((1u << rtk->nf) - 1u);
            rtk->mw_n[rcv][prn] = 0;
        }
        rtk->gf_prev[rcv][prn] = gf;
        rtk->gf_ok[rcv][prn] = 1;
        const int k = rtk->mw_n[rcv][prn] < 100 ? rtk->mw_n[rcv][prn] : 100;
        rtk->mw_mean[rcv][prn] = (rtk->mw_mean[rcv][prn] * k + mw) / (k + 1);
        rtk->mw_n[rcv][prn]++;
    }
    memcpy(rtk->prev[rcv], rtk->z[rcv], sizeof(rtk_zsat_t) * RTK_NSAT);
    rtk->t_prev[rcv] = t;
    rtk->prev_ok[rcv] = 1;
}
