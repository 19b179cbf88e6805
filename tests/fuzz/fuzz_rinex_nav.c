/* RINEX 3/4 navigation reader (nav/fmt/rinex_nav.c), and the ephemerides it
 * accepts through the orbit code (bx_satpos), as a solver would use them. */
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    bx_nav_t nav;
    bx_nav_init(&nav);
    char err[512];
    if (bx_rinex_nav_read_stream(f, "fuzz", &nav, err, sizeof err) == BX_OK) {
        for (int i = 0; i < nav.n_eph && i < 64; i++) {
            double pos[3], vel[3], clk;
            double drift;
            bx_satpos(&nav.eph[i], nav.eph[i].toe, pos, vel, &clk, &drift);
        }
    }
    bx_nav_destroy(&nav);
    fclose(f);
    return 0;
}
