/* RTCM 3 decoder (nav/fmt/rtcm3*.c).  First byte: even = a byte stream through
 * the framer (0xD3 sync, length, CRC-24Q, resynchronisation), odd = the rest
 * as one payload without framing, so every message type's field decoding
 * (MSM1-7, 1005/1006, 1019, 1042 ...) is reached without a CRC gate. */
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int payload = data[0] & 1;
    data++, size--;
    bx_rtcm3_dec_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.approx_bdt = bx_time_make(1370000000, 0.0); /* a fixed week: no host clock in the result */
    bx_rtcm3_dec_t *d = NULL;
    char err[128];
    if (bx_rtcm3_dec_create(&cfg, &d, err, sizeof err) != BX_OK)
        abort();
    static bx_rtcm3_msg_t msg;
    if (payload) {
        bx_rtcm3_dec_payload(d, data, size, &msg);
    } else {
        size_t off = 0, used = 0;
        while (off < size && bx_rtcm3_dec_input(d, data + off, size - off, &used, &msg) == 1) {
            if (used == 0)
                abort(); /* a frame that consumes nothing would loop forever */
            off += used;
        }
    }
    bx_rtcm3_dec_flush(d);
    volatile int n = bx_rtcm3_dec_obs(d) ? bx_rtcm3_dec_obs(d)->n : 0;
    (void)n;
    bx_rtcm3_dec_destroy(d);
    return 0;
}
