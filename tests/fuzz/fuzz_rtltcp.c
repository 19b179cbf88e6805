/* rtl_tcp protocol (src/io/rtltcp.c): the 12-byte "RTL0" header a client
 * reads from the server and the 5-byte commands a server reads from its
 * client, on arbitrary bytes; encode/decode round trip of what parses. */
#include "bdsrx/rtltcp.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= BX_RTLTCP_HEADER_BYTES) {
        uint32_t tuner, gains;
        if (bx_rtltcp_header_parse(data, &tuner, &gains) == BX_OK) {
            uint8_t h[BX_RTLTCP_HEADER_BYTES];
            bx_rtltcp_header_encode(h, tuner, gains);
            if (memcmp(h, data, sizeof h) != 0)
                abort(); /* the parse lost or invented a field */
        }
    }
    for (size_t off = 0; off + BX_RTLTCP_CMD_BYTES <= size; off += BX_RTLTCP_CMD_BYTES) {
        uint32_t param;
        const int cmd = bx_rtltcp_cmd_decode(data + off, &param);
        uint8_t c[BX_RTLTCP_CMD_BYTES];
        bx_rtltcp_cmd_encode(c, cmd, param);
        if (memcmp(c, data + off, sizeof c) != 0)
            abort();
    }
    return 0;
}
