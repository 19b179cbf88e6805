/* Warm and hot start: coarse-time fix over secondary-code periods and
 * transmit-time prediction.  See warmstart.h. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/time.h"
#include "warmstart.h"

#define R_EARTH_M 6371000.0

int bx_warm_predict_tx(const bx_nav_t *nav, int prn, int sig, bx_time_t t_rx, const double x_m[3], bx_time_t *tx)
{
    const bx_eph_t *e = bx_pvt_select_eph(nav, prn, t_rx);
    if (!e)
        return BX_ERR_ARG;
    double tau = 0.075, clk = 0.0;
    for (int it = 0; it < 4; it++) {
        double p[3], v[3], drift;
        if (bx_satpos(e, bx_time_add(t_rx, -tau), p, v, &clk, &drift) != BX_OK)
            return BX_ERR_ARG;
        /* Earth rotation during the flight (Sagnac), orbit.md §1 */
        const double a = BX_OMEGA_E_RAD_S * tau;
        const double q[3] = {cos(a) * p[0] + sin(a) * p[1], -sin(a) * p[0] + cos(a) * p[1], p[2]};
        tau = sqrt((q[0] - x_m[0]) * (q[0] - x_m[0]) + (q[1] - x_m[1]) * (q[1] - x_m[1]) +
                   (q[2] - x_m[2]) * (q[2] - x_m[2])) / BX_CLIGHT_MPS;
    }
    *tx = bx_time_add(t_rx, -tau + clk - bx_tgd_s(e, sig, 1));
    return BX_OK;
}

/* Centre of the footprints: the point on the Earth below the mean direction
 * of the tracked satellites (a receiver sees them all, so it lies within a
 * few thousand km of it). */
static int footprint_centre(const bx_coarse_meas_t *m, int n, bx_time_t t, const bx_nav_t *nav, double c[3])
{
    double s[3] = {0, 0, 0};
    int k = 0;
    for (int i = 0; i < n; i++) {
        const bx_eph_t *e = bx_pvt_select_eph(nav, m[i].prn, t);
        double p[3], v[3], clk, drift;
        if (!e || bx_satpos(e, t, p, v, &clk, &drift) != BX_OK)
            continue;
        const double r = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
        for (int j = 0; j < 3; j++)
            s[j] += p[j] / r;
        k++;
    }
    const double r = sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
    if (k == 0 || r <= 0)
        return 0;
    for (int j = 0; j < 3; j++)
        c[j] = R_EARTH_M * s[j] / r;
    return 1;
}

/* Standard deviation of the coarse fix's time (s) from its geometry: the time
 * error is seen only through the satellites' range rates, so with few
 * satellites it can exceed half a B2a secondary period (0.1 s) and pick the
 * wrong one (seen: 4 satellites, 0.1 s off, 112 m).  Unknowns x y z, bias, dt;
 * pseudoranges of WARM_RANGE_SIGMA_M, the height aid of aid_sigma_m. */
static double time_sigma(const bx_coarse_meas_t *m, int n, const bx_sol_t *sol, const bx_nav_t *nav,
                         double aid_sigma_m)
{
    double nm[25] = {0};
    int k = 0;
    for (int i = 0; i < n; i++) {
        const bx_eph_t *e = bx_pvt_select_eph(nav, m[i].prn, sol->time);
        double p[3], v[3], clk, drift;
        if (!e || bx_satpos(e, bx_time_add(sol->time, -0.075), p, v, &clk, &drift) != BX_OK)
            continue;
        const double d[3] = {p[0] - sol->pos_m[0], p[1] - sol->pos_m[1], p[2] - sol->pos_m[2]};
        const double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        const double h[5] = {-d[0] / r, -d[1] / r, -d[2] / r, 1.0,
                             (d[0] * v[0] + d[1] * v[1] + d[2] * v[2]) / r - BX_CLIGHT_MPS * drift};
        const double w = 1.0 / (WARM_RANGE_SIGMA_M * WARM_RANGE_SIGMA_M);
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 5; b++)
                nm[5 * a + b] += h[a] * w * h[b];
        k++;
    }
    const double up[5] = {cos(sol->llh[0]) * cos(sol->llh[1]), cos(sol->llh[0]) * sin(sol->llh[1]), sin(sol->llh[0]),
                          0.0, 0.0};
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++)
            nm[5 * a + b] += up[a] * up[b] / (aid_sigma_m * aid_sigma_m);
    gsl_matrix_view mv = gsl_matrix_view_array(nm, 5, 5);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st = k < 4 || gsl_linalg_cholesky_decomp1(&mv.matrix) || gsl_linalg_cholesky_invert(&mv.matrix);
    gsl_set_error_handler(old);
    return st || !(nm[24] > 0.0) ? INFINITY : sqrt(nm[24]);
}

/* Accepts a coarse fix: enough satellites, small residuals, on the ground;
 * with only 4 satellites (no redundancy) near the a-priori position and time. */
static int plausible(const bx_sol_t *sol, const double *x0_m, bx_time_t t_hint, double hint_sigma_s, char *why,
                     size_t len)
{
    double worst = 0.0;
    for (int i = 0; i < sol->n_sat; i++)
        if (sol->sat[i].status == BX_SAT_USED && fabs(sol->sat[i].resid_m) > worst)
            worst = fabs(sol->sat[i].resid_m);
    const int need = x0_m ? WARM_MIN_SATS_APR : WARM_MIN_SATS;
    if (sol->n_used < need) {
        snprintf(why, len, "%d satellites in the coarse-time fix, %d needed", sol->n_used, need);
        return 0;
    }
    if (sol->n_used < WARM_MIN_SATS) {
        const double d = sqrt((sol->pos_m[0] - x0_m[0]) * (sol->pos_m[0] - x0_m[0]) +
                              (sol->pos_m[1] - x0_m[1]) * (sol->pos_m[1] - x0_m[1]) +
                              (sol->pos_m[2] - x0_m[2]) * (sol->pos_m[2] - x0_m[2]));
        const double dt = bx_time_diff(sol->time, t_hint);
        if (d > WARM_APR_RADIUS_M || fabs(dt) > 3.0 * hint_sigma_s + 1.0) {
            snprintf(why, len, "4-satellite coarse-time fix rejected: %.0f km from the a-priori position, time %+.1f s "
                               "from the hint", d / 1000.0, dt);
            return 0;
        }
    }
    if (worst > WARM_MAX_RESID_M) {
        snprintf(why, len, "coarse-time fix rejected: residual %.0f m", worst);
        return 0;
    }
    if (sol->llh[2] < -1000.0 || sol->llh[2] > 20000.0) {
        snprintf(why, len, "coarse-time fix rejected: height %.0f m", sol->llh[2]);
        return 0;
    }
    return 1;
}

int bx_warm_solve(const bx_coarse_meas_t *m, const double *period_s, int n, bx_time_t t_hint, double hint_sigma_s,
                  const double *x0_m, const bx_nav_t *nav, bx_sol_t *sol)
{
    bx_pvt_config_t cfg;
    bx_pvt_config_default(&cfg);
    cfg.elmask_rad = 0.0; /* the a-priori position may be far: do not drop satellites by it */
    double starts[8][3];
    int ns = 0;
    if (x0_m) {
        memcpy(starts[ns++], x0_m, sizeof starts[0]);
    } else {
        double c[3], llh[3];
        if (!footprint_centre(m, n, t_hint, nav, c)) {
            memset(sol, 0, sizeof *sol);
            snprintf(sol->reason, sizeof sol->reason, "no ephemeris for the tracked satellites at the hinted time");
            return BX_ERR_NOFIX;
        }
        memcpy(starts[ns++], c, sizeof c);
        /* and a ring 25 deg (2800 km) around it, should the centre be too far */
        bx_ecef_to_llh(c, llh);
        for (int k = 0; k < 6; k++) {
            const double az = k * M_PI / 3.0, d = 25.0 * M_PI / 180.0;
            const double lat = asin(sin(llh[0]) * cos(d) + cos(llh[0]) * sin(d) * cos(az));
            const double lon = llh[1] + atan2(sin(az) * sin(d) * cos(llh[0]), cos(d) - sin(llh[0]) * sin(lat));
            const double p[3] = {lat, lon, 0.0};
            bx_llh_to_ecef(p, starts[ns++]);
        }
    }
    /* period of the coarse fit's reference (its first satellite with an ephemeris) */
    double per = 0.0;
    for (int i = 0; i < n && per == 0.0; i++)
        if (bx_pvt_select_eph(nav, m[i].prn, t_hint))
            per = period_s[i] > 0.0 ? period_s[i] : m[i].sig == BX_SIG_B1C ? 0.010 : 0.001;
    char why[128] = "";
    for (int k = 0; k < ns; k++) {
        double llh[3];
        bx_ecef_to_llh(starts[k], llh);
        /* a loose height pseudo-observation: the redundancy that lets 5 satellites be checked */
        const bx_coarse_aid_t aid = {x0_m ? llh[2] : 0.0, x0_m ? 500.0 : 3000.0};
        if (bx_pvt_coarse_periods(m, period_s, n, t_hint, starts[k], &aid, nav, &cfg, sol) != BX_OK) {
            if (!why[0])
                snprintf(why, sizeof why, "%s", sol->reason);
            continue;
        }
        /* The time error reaches the fit twice: through the satellite motion
         * (sol->time = t_hint + dt, weak: ms with a good geometry, 0.1 s seen with
         * 4 satellites) and as the common offset b = c (t_hint - t_true) - c n per
         * (metres).  The true time is t_hint - b/c - n per, n from the weak one. */
        const double sdt = time_sigma(m, n, sol, nav, aid.sigma_m);
        if (3.0 * sdt > 0.5 * per) {
            snprintf(why, sizeof why,
                     "coarse-time fix too weak to pick the %.1f s period (time sigma %.0f ms, %d satellites)", per,
                     1e3 * sdt, sol->n_used);
            continue;
        }
        const double off = -sol->clk_bias_m / BX_CLIGHT_MPS;
        const double nper = floor((off - bx_time_diff(sol->time, t_hint)) / per + 0.5);
        sol->time = bx_time_add(t_hint, off - nper * per);
        sol->clk_bias_m = 0.0;
        if (plausible(sol, x0_m, t_hint, hint_sigma_s, why, sizeof why))
            return BX_OK;
    }
    sol->fix = BX_FIX_NONE;
    snprintf(sol->reason, sizeof sol->reason, "%s", why);
    return BX_ERR_NOFIX;
}
