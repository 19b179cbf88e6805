/* SigMF (.sigmf-meta, JSON) and PocketSDR .tag sidecars (src/io/iq_sidecar.c).
 * First byte: even = SigMF, odd = .tag. */
#include "bdsrx/iq.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int kind = data[0] % 2;
    data++, size--;
    bx_iq_params_t p;
    bx_iq_params_init(&p);
    char err[256];
    if (kind == 0) {
        bx_iq_sigmf_read(fuzz_file(data, size, ".sigmf-meta"), &p, err, sizeof err);
    } else {
        bx_iq_tag_read(fuzz_file(data, size, ".tag"), &p, err, sizeof err);
    }
    return 0;
}
