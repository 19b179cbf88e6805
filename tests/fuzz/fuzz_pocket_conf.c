/* Pocket SDR MAX2771 configuration text (src/io/pocket_proto.c): "[CHn]",
 * "FIELD = value" and "CH 0xADDR 0xVALUE" lines; the front-end parameters
 * computed from the registers. */
#include "fuzz_util.h"
#include "bdsrx/types.h"
#include "pocket_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *t = fuzz_text(data, size);
    uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG];
    uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG];
    memset(regs, 0, sizeof regs);
    memset(touched, 0, sizeof touched);
    char err[256];
    if (bx_pocket_conf_apply(t, regs, touched, err, sizeof err) == BX_OK)
        for (int c = 0; c < BX_POCKET_NCH; c++) {
            volatile double v = bx_max2771_flo_hz(regs[c], 24e6) + bx_max2771_fadc_hz(regs[c], 24e6) +
                                bx_max2771_filter_centre_hz(regs[c]) + bx_max2771_if_hz(regs[c], 24e6);
            (void)v;
        }
    free(t);
    return 0;
}
