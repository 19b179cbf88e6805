/* SP3-c/d reader and interpolator (nav/geo/sp3.c). */
#include "bdsrx/sp3.h"
#include "bdsrx/time.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    bx_sp3_t *s = NULL;
    if (bx_sp3_read(fuzz_file(data, size, ".sp3"), &s, err, sizeof err) != BX_OK)
        return 0;
    double pos[3], clk;
    /* at the first and last epochs exactly, between, and just outside */
    const double span = bx_time_diff(s->epoch[s->n_epoch - 1], s->epoch[0]);
    const double at[6] = {0.0, span, 0.5 * span, 0.37 * span, -1.0, span + 1.0};
    for (int prn = 1; prn <= 63; prn++)
        for (int k = 0; k < 6; k++) {
            bx_sp3_interp(s, prn, bx_time_add(s->epoch[0], at[k]), 1 + (prn + k) % 10, pos, &clk);
            bx_sp3_at(s, prn, k, pos, &clk);
        }
    bx_sp3_destroy(s);
    return 0;
}
