/*
 * Positioning inside the receiver (rx_solve.h).  Solvers plug in through one
 * row of `solvers[]`: create from the receiver configuration and the mode,
 * solve one epoch into a bx_sol_t, destroy.  The receiver (receiver.c) feeds
 * each fix back (position, clock steering); this file only solves.
 */
#include <stdlib.h>
#include <string.h>

#include "bdsrx/pvt.h"
#include "bx_err.h"
#include "rx_solve.h"

typedef struct {
    int kind; /* bx_solver_kind_t */
    const char *name;
    int (*create)(const bx_rx_config_t *c, int mode, void **state, char *err, size_t errlen);
    int (*solve)(void *state, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol);
    void (*reset)(void *state); /* forget the previous fix (a new receiver time scale) */
    void (*destroy)(void *state);
} solver_ops_t;

/* ---- single-point positioning (nav/pos/pvt.c) ---- */

static int spp_create(const bx_rx_config_t *c, int mode, void **state, char *err, size_t errlen)
{
    bx_pvt_config_t pc = c->pvt;
    pc.mode = mode;
    bx_pvt_t *p = NULL;
    int st = bx_pvt_create(&pc, &p, err, errlen);
    *state = p;
    return st;
}

static int spp_solve(void *state, const bx_obs_t *obs, const bx_nav_t *nav, bx_sol_t *sol)
{
    return bx_pvt_solve(state, obs, nav, sol);
}

static void spp_reset(void *state) { bx_pvt_reset(state); }

static void spp_destroy(void *state) { bx_pvt_destroy(state); }

static const solver_ops_t solvers[] = {
    {BX_SOLVER_SPP, "SPP", spp_create, spp_solve, spp_reset, spp_destroy},
};

struct rx_solve {
    const solver_ops_t *ops;
    void *state;
    int mode;
    int have_last, nfix;
    bx_sol_t sol; /* of the latest epoch */
};

/* One band: that band; B1C + B2a: the ionosphere-free combination. */
static int auto_mode(const int *sigs, int nsig)
{
    int b1c = 0, b2a = 0;
    for (int i = 0; i < nsig; i++) {
        b1c |= sigs[i] == BX_SIG_B1C;
        b2a |= sigs[i] == BX_SIG_B2A;
    }
    return b1c && b2a ? BX_PVT_IF : b2a ? BX_PVT_B2A : BX_PVT_B1C;
}

int rx_solve_create(const bx_rx_config_t *c, const int *sigs, int nsig, rx_solve_t **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (c->solver == BX_SOLVER_NONE)
        return BX_OK;
    const solver_ops_t *ops = NULL;
    for (size_t i = 0; i < sizeof solvers / sizeof solvers[0]; i++)
        if (solvers[i].kind == c->solver)
            ops = &solvers[i];
    if (!ops)
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: unknown solver kind %d", c->solver);
    if (c->pvt_mode != BX_RX_PVT_AUTO && c->pvt_mode != BX_PVT_B1C && c->pvt_mode != BX_PVT_B2A &&
        c->pvt_mode != BX_PVT_IF)
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: unknown positioning mode %d", c->pvt_mode);
    if (!(c->steer_threshold_m > 0))
        return bx_err(err, errlen, BX_ERR_ARG, "receiver: clock steering threshold must be > 0 m");
    rx_solve_t *s = calloc(1, sizeof *s);
    if (!s)
        return bx_err(err, errlen, BX_ERR_NOMEM, "receiver: out of memory");
    s->ops = ops;
    s->mode = c->pvt_mode == BX_RX_PVT_AUTO ? auto_mode(sigs, nsig) : c->pvt_mode;
    int st = ops->create(c, s->mode, &s->state, err, errlen);
    if (st != BX_OK) {
        free(s);
        return st;
    }
    *out = s;
    return BX_OK;
}

void rx_solve_epoch(rx_solve_t *s, bx_rx_epoch_t *ep)
{
    ep->mode = s->mode;
    ep->sol = &s->sol;
    s->have_last = 1;
    if (!ep->have_time) {
        /* epoch times only count seconds of samples: nothing to solve yet */
        memset(&s->sol, 0, sizeof s->sol);
        s->sol.time = ep->obs->time;
        strncpy(s->sol.reason, "receiver time not known yet (no time of week decoded)", sizeof s->sol.reason - 1);
        ep->status = BX_ERR_NOFIX;
    } else {
        ep->status = s->ops->solve(s->state, ep->obs, ep->nav, &s->sol);
        if (ep->status == BX_OK && s->sol.fix == BX_FIX_NONE)
            ep->status = BX_ERR_NOFIX;
    }
    ep->valid = ep->status == BX_OK && bx_sol_valid(&s->sol);
    s->nfix += ep->status == BX_OK;
    ep->nfix = s->nfix;
}

void rx_solve_reset(rx_solve_t *s)
{
    if (s && s->ops->reset)
        s->ops->reset(s->state);
}

const bx_sol_t *rx_solve_last(const rx_solve_t *s) { return s && s->have_last ? &s->sol : NULL; }

int rx_solve_mode(const rx_solve_t *s) { return s ? s->mode : -1; }

void rx_solve_destroy(rx_solve_t *s)
{
    if (!s)
        return;
    s->ops->destroy(s->state);
    free(s);
}
