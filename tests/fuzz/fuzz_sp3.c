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
    for (int prn = 1; prn <= 63; prn += 7)
        for (int k = 0; k < 4; k++) {
            const bx_time_t t = bx_time_add(s->epoch[0], 450.0 * k + 17.3);
            bx_sp3_interp(s, prn, t, 1 + k * 3, pos, &clk);
            bx_sp3_at(s, prn, k, pos, &clk);
        }
    bx_sp3_free(s);
    return 0;
}
