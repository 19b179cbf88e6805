/*
 * The positioning step of the receiver engine (src/rx/rx_solve.c): one solver
 * per receiver, picked by bx_rx_config_t.solver from a table of solver kinds
 * (SPP, RTK, PPP with the receiver's PPP-B2b store), run at every epoch.  Internal to src/rx.
 */
#ifndef BDSRX_RX_SOLVE_H
#define BDSRX_RX_SOLVE_H

#include <stddef.h>

#include "bdsrx/receiver.h"

typedef struct rx_solve rx_solve_t;

/* NULL *out with BX_SOLVER_NONE (no solver: nothing to do); BX_ERR_ARG for an unknown kind or
 * mode.  sigs[0..nsig): the signals of the streams, for the automatic mode. */
int rx_solve_create(const bx_rx_config_t *c, const int *sigs, int nsig, rx_solve_t **out, char *err,
                    size_t errlen);
/* Solves the epoch ep->obs with ep->nav when ep->have_time; fills ep->sol, status, valid, mode, nfix. */
void rx_solve_epoch(rx_solve_t *s, bx_rx_epoch_t *ep);
/* The receiver time scale was set again (a discontinuity, bx_rx_resyncs): the
 * solver forgets its last fix and its integrity reference.  NULL-safe. */
void rx_solve_reset(rx_solve_t *s);
const bx_sol_t *rx_solve_last(const rx_solve_t *s); /* NULL before the first epoch */
int rx_solve_mode(const rx_solve_t *s);
void rx_solve_destroy(rx_solve_t *s);
/* BX_SOLVER_RTK: one base epoch (bx_rx_push_base); BX_ERR_ARG with another solver. */
int rx_solve_push_base(rx_solve_t *s, const bx_obs_t *base, const double pos_m[3]);
/* BX_SOLVER_PPP: the receiver's PPP-B2b correction store (NULL: none); ignored by other solvers. */
struct bx_b2b_store;
void rx_solve_set_b2b(rx_solve_t *s, const struct bx_b2b_store *store);

#endif
