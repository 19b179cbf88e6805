/*
 * bdsrx — RINEX clock files (RINEX CLOCK 3.00-3.04, "AS" satellite records), BeiDou satellites
 * only: precise satellite clocks for PPP post-processing (`bdsrx ppp --sp3 SP3 --clk CLK`).
 * Record layout: RINEX Clock 3.04 §5.2 (type, name, epoch y m d h m s, number of values,
 * bias (s), sigma); read by whitespace-separated fields, so the 3.00 (4-character name) and
 * 3.04 (9-character name) columns both work.  Epochs are converted to BDT from TIME SYSTEM ID
 * (GPS, the default, or BDT; other systems rejected).  Gzip files (*.gz) through zlib (src/io/gzfile).
 * Threads: read-only after bx_rnxclk_read.
 */
#ifndef BDSRX_RINEX_CLK_H
#define BDSRX_RINEX_CLK_H

#include <stddef.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int n_epoch;
    bx_time_t *epoch;  /* BDT, increasing */
    double *clk_s;     /* [epoch * (BX_PRN_MAX + 1) + prn], NAN where absent */
} bx_rnxclk_t;

/* Errors: BX_ERR_IO, BX_ERR_FORMAT (unsorted epochs, bad record), BX_ERR_UNSUPPORTED (time
 * system), with "path:line: what" in err. */
int bx_rnxclk_read(const char *path, bx_rnxclk_t **out, char *err, size_t errlen);
void bx_rnxclk_destroy(bx_rnxclk_t *c); /* NULL-safe */
/* Clock of prn at t by linear interpolation between the enclosing epochs (both present, at
 * most max_gap_s apart; t on an epoch needs that one only).  BX_ERR_ARG outside/missing. */
int bx_rnxclk_interp(const bx_rnxclk_t *c, int prn, bx_time_t t, double max_gap_s, double *clk_s);

#ifdef __cplusplus
}
#endif
#endif
