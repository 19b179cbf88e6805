/*
 * Jump test of consecutive fixes (pvt_integrity.h).
 *
 * A fix is trusted when it passed the solver's own checks (RAIM not failed)
 * and lies within max_speed_mps * dt + JUMP_FLOOR_M of the last trusted fix.
 * The floor covers the scatter of two SPP fixes (metres to tens of metres
 * with a weak geometry).  A fix that breaks the bound is flagged BX_SOLF_JUMP
 * and not trusted: the wrong fixes after a discontinuity in the samples
 * (concatenated captures, a stalled front end) are hundreds of kilometres
 * off and far outside any bound.
 *
 * Recovery: if the reference itself was wrong, every later good fix would
 * "jump".  JUMP_ADOPT consecutive fixes that passed a RAIM test with
 * redundancy (not n/a) and agree with each other under the same bound
 * replace the reference.  A reference older than JUMP_MAX_AGE_S (or a time
 * going backwards: a new time scale) is forgotten: the next fix starts over.
 */
#include "pvt_integrity.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/time.h"

#define JUMP_FLOOR_M 200.0     /* allowance for two SPP fixes' scatter */
#define JUMP_MAX_AGE_S 600.0   /* older references are not used */
#define JUMP_ADOPT 3           /* agreeing tested fixes that replace a reference */

void bx_pvt_integ_reset(bx_pvt_integ_t *g) { memset(g, 0, sizeof *g); }

static double dist_m(const double a[3], const double b[3])
{
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

static int consistent(const bx_pvt_config_t *cfg, const double a[3], bx_time_t ta, const double b[3], bx_time_t tb,
                      double *d_m, double *dt_s)
{
    *dt_s = bx_time_diff(tb, ta);
    *d_m = dist_m(a, b);
    return *d_m <= cfg->max_speed_mps * fabs(*dt_s) + JUMP_FLOOR_M;
}

static int fresh(bx_time_t ref, bx_time_t t)
{
    const double dt = bx_time_diff(t, ref);
    return dt >= 0.0 && dt <= JUMP_MAX_AGE_S;
}

void bx_pvt_integ_check(bx_pvt_integ_t *g, const bx_pvt_config_t *cfg, bx_sol_t *sol)
{
    if (sol->fix == BX_FIX_NONE || !(cfg->max_speed_mps > 0.0))
        return;
    const int failed = (sol->flags & BX_SOLF_RAIM_FAIL) != 0;
    const int tested = (sol->flags & (BX_SOLF_RAIM_OK | BX_SOLF_RAIM_EXCL)) && !failed;
    if (g->have_ref && !fresh(g->ref_t, sol->time))
        g->have_ref = 0;
    if (g->cand_n && !fresh(g->cand_t, sol->time))
        g->cand_n = 0;
    if (!g->have_ref) {
        if (!failed) {
            g->have_ref = 1;
            memcpy(g->ref_m, sol->pos_m, sizeof g->ref_m);
            g->ref_t = sol->time;
        }
        return;
    }
    double d, dt;
    if (consistent(cfg, g->ref_m, g->ref_t, sol->pos_m, sol->time, &d, &dt)) {
        if (!failed) {
            memcpy(g->ref_m, sol->pos_m, sizeof g->ref_m);
            g->ref_t = sol->time;
            g->cand_n = 0;
        }
        return;
    }
    char prev_reason[sizeof sol->reason];
    memcpy(prev_reason, sol->reason, sizeof prev_reason);
    sol->flags |= BX_SOLF_JUMP;
    if (!failed)
        snprintf(sol->reason, sizeof sol->reason,
                 "position jumped %.1f km in %.1f s since the last trusted fix (> %.0f m/s): not trusted", d / 1e3,
                 dt, cfg->max_speed_mps);
    if (!tested) {
        g->cand_n = 0;
        return;
    }
    double dc, dtc;
    if (g->cand_n && consistent(cfg, g->cand_m, g->cand_t, sol->pos_m, sol->time, &dc, &dtc))
        g->cand_n++;
    else
        g->cand_n = 1;
    memcpy(g->cand_m, sol->pos_m, sizeof g->cand_m);
    g->cand_t = sol->time;
    if (g->cand_n >= JUMP_ADOPT) {
        /* the old reference was the outlier: this fix is trusted again */
        sol->flags &= ~(uint32_t)BX_SOLF_JUMP;
        memcpy(sol->reason, prev_reason, sizeof sol->reason);
        memcpy(g->ref_m, sol->pos_m, sizeof g->ref_m);
        g->ref_t = sol->time;
        g->cand_n = 0;
    }
}
