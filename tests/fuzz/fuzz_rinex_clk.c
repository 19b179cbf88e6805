/* RINEX clock reader and interpolator (nav/fmt/rinex_clk.c). */
#include "bdsrx/rinex_clk.h"
#include "bdsrx/time.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    bx_rnxclk_t *c = NULL;
    if (bx_rnxclk_read(fuzz_file(data, size, ".clk"), &c, err, sizeof err) != BX_OK)
        return 0;
    if (c->n_epoch > 0) {
        /* on the first and last epochs, between, just outside, and with a tiny or huge gap limit */
        const double span = bx_time_diff(c->epoch[c->n_epoch - 1], c->epoch[0]);
        const double at[6] = {0.0, span, 0.5 * span, 0.37 * span, -1.0, span + 1.0};
        for (int prn = 0; prn <= BX_PRN_MAX + 1; prn++)
            for (int k = 0; k < 6; k++) {
                double v;
                bx_rnxclk_interp(c, prn, bx_time_add(c->epoch[0], at[k]), k & 1 ? 1e-3 : 1e9, &v);
            }
    }
    bx_rnxclk_destroy(c);
    return 0;
}
