/*
 * bdsrx — SP3-c / SP3-d precise orbit files (IGS SP3-c 2007, SP3-d 2016
 * format descriptions), BeiDou satellites only; for tests and tools that
 * compare broadcast orbits with precise products.
 *
 * Positions are the satellite centre of mass in the file's frame (IGS20 /
 * ITRF, equal to CGCS2000 at the cm level), clocks are the product's
 * (ionosphere-free B1I/B3I for BDS in IGS/MGEX products).  Epochs are
 * converted to BDT from the file's time system (%c line: GPS or BDT; UTC is
 * rejected since it needs leap seconds).  Gzip files (*.gz) are read through
 * `gzip -dc`.
 *
 * Threads: a bx_sp3_t is read-only after bx_sp3_read: any number of threads may query it.
 */
#ifndef BDSRX_SP3_H
#define BDSRX_SP3_H

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int n_epoch;
    bx_time_t *epoch;      /* BDT, n_epoch entries */
    /* [epoch * (BX_PRN_MAX + 1) + prn]: ECEF position (m) and clock (s);
     * NAN where missing (SP3 0.000000 position or 999999.999999 clock) */
    double (*pos_m)[3];
    double *clk_s;
    char time_sys[4];      /* as in the file, e.g. "GPS" */
    char coord_sys[6];     /* e.g. "IGS20" */
} bx_sp3_t;

/* Reads path into a newly allocated *out.  Errors: BX_ERR_IO / BX_ERR_FORMAT
 * / BX_ERR_UNSUPPORTED with "path:line: what" in err. */
int bx_sp3_read(const char *path, bx_sp3_t **out, char *err, size_t errlen);
void bx_sp3_destroy(bx_sp3_t *s);

/* Position (m) and clock (s, NAN if absent) of PRN at epoch index i;
 * BX_ERR_ARG if out of range or the position is missing. */
int bx_sp3_at(const bx_sp3_t *s, int prn, int i, double pos_m[3], double *clk_s);

/* Position at any time t (BDT) by Lagrange interpolation over the nearest
 * `order`+1 epochs (order 10 typical for 5/15 min products), clock by linear
 * interpolation between the enclosing epochs.  BX_ERR_ARG when t is outside
 * the file or the needed values are missing; BX_ERR_FORMAT when the file repeats an epoch. */
int bx_sp3_interp(const bx_sp3_t *s, int prn, bx_time_t t, int order, double pos_m[3], double *clk_s);

#ifdef __cplusplus
}
#endif
#endif
