/* SigMF (.sigmf-meta, JSON) and PocketSDR .tag sidecars (src/io/iq_sidecar.c).
 * First byte: 0 = SigMF, 1 = .tag, 2 = a --flag value (bx_iq_parse_flag). */
#include "bdsrx/iq.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int kind = data[0] % 3;
    data++, size--;
    bx_iq_params_t p;
    bx_iq_params_init(&p);
    char err[256];
    if (kind == 0) {
        bx_iq_sigmf_read(fuzz_file(data, size, ".sigmf-meta"), &p, err, sizeof err);
    } else if (kind == 1) {
        bx_iq_tag_read(fuzz_file(data, size, ".tag"), &p, err, sizeof err);
    } else {
        char *t = fuzz_text(data, size);
        char *eq = strchr(t, '=');
        if (eq) {
            *eq = '\0';
            bx_iq_parse_flag(&p, t, eq + 1);
        }
        free(t);
    }
    return 0;
}
