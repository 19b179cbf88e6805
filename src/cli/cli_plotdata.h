/* Data for the pictures of tools/bdsrx-plot.py (src/cli/cli_plotdata.c).
 *
 * cli_acq_grid_json (bdsrx acquire --grid FILE): one JSON object, kind "acq_grid": doppler_hz[r]
 *   (rows), code_phase_chips[c] (512 column centres, chip arriving at the first sample searched),
 *   power[r][c] = S / mu (mu = mean S over all cells = noise floor, so noise ~1 and the peak cell
 *   = the detection metric), each value the maximum of the cells it covers; peak (the largest
 *   cell), result (the refined search result), threshold, zoom {doppler_hz, code_phase_chips, power}:
 *   native lag cells within +-5 chips of the result's code phase, 10 rows either side of its Doppler.
 * cli_corr_shape_* (bdsrx track --corr FILE): for the first `periods` primary-code periods after
 *   the channel has been LOCKED for settle_s, the pilot replica at CLI_CORR_NOFF code offsets
 *   -1.5..+1.5 chips around the loop's prompt is correlated over each whole period (bx_corr),
 *   projected on that period's prompt (removes the carrier phase and the secondary-code / data
 *   sign) and summed: kind "corr_shape", offset_chips, amplitude (signed, 1 at offset 0), power
 *   (amplitude^2), power_noncoherent (sum |tap|^2 / that of the prompt, noise included).
 * Not thread-safe per object; one thread. */
#ifndef BDSRX_CLI_PLOTDATA_H
#define BDSRX_CLI_PLOTDATA_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/acq.h"
#include "bdsrx/trk.h"

#define CLI_CORR_NOFF 61 /* offsets -1.5 .. +1.5 chips by 0.05 */

int cli_acq_grid_json(bx_acq_t *acq, int sig, double fs_hz, const bx_acq_result_t *res, uint64_t first_sample,
                      const char *path, char *err, size_t errlen);

typedef struct cli_corr_shape cli_corr_shape_t;
int cli_corr_shape_create(int sig, int prn, double fs_hz, double if_hz, int periods, double settle_s,
                          cli_corr_shape_t **out,
                          char *err, size_t errlen);
/* After bx_trk_process(t, x, n, first): adds the whole periods inside x[0..n) (n <= 8 periods so
 * that bx_trk_observe still reaches back to `first`). */
int cli_corr_shape_add(cli_corr_shape_t *c, const bx_trk_t *t, const bx_cf32_t *x, size_t n, uint64_t first);
int cli_corr_shape_periods(const cli_corr_shape_t *c);
double cli_corr_offset_chips(int k);
int cli_corr_shape_write(const cli_corr_shape_t *c, const char *path, char *err, size_t errlen);
void cli_corr_shape_destroy(cli_corr_shape_t *c); /* NULL-safe */

#endif
