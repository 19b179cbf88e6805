/* RINEX 3/4 observation reader (nav/fmt/rinex_obs.c): header and every epoch. */
#include "bdsrx/rinex_obs.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    bx_rinex_obs_reader_t *r = NULL;
    if (bx_rinex_obs_open(fuzz_file(data, size, ".rnx"), &r, err, sizeof err) != BX_OK)
        return 0;
    static bx_obs_t obs;
    for (int i = 0; i < 10000 && bx_rinex_obs_read(r, &obs) == BX_OK; i++)
        ;
    bx_rinex_obs_destroy(r);
    return 0;
}
