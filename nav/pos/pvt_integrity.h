/*
 * Integrity of consecutive fixes (nav/pos/pvt_integrity.c), internal to the
 * SPP solver: a fix whose position moved further than the configured maximum
 * speed allows since the last trusted fix is flagged BX_SOLF_JUMP.  State per
 * bx_pvt_t; not thread-safe (one solver, one thread).
 */
#ifndef BDSRX_PVT_INTEGRITY_H
#define BDSRX_PVT_INTEGRITY_H

#include "bdsrx/pvt.h"

typedef struct {
    int have_ref;        /* a trusted fix exists */
    double ref_m[3];     /* its ECEF position */
    bx_time_t ref_t;     /* its time */
    int cand_n;          /* consecutive RAIM-tested fixes that agree with each other but not with ref */
    double cand_m[3];
    bx_time_t cand_t;
} bx_pvt_integ_t;

void bx_pvt_integ_reset(bx_pvt_integ_t *g);

/* Checks sol (a fix of bx_pvt_solve) against the last trusted fix and sets
 * BX_SOLF_JUMP and sol->reason when it jumped; updates the reference. */
void bx_pvt_integ_check(bx_pvt_integ_t *g, const bx_pvt_config_t *cfg, bx_sol_t *sol);

#endif
