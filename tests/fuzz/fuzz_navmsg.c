/* Navigation message parsers on arbitrary bits (CRC not checked here, so every
 * field combination reaches the parsers) and the soft-decision frame decoders
 * on arbitrary floats (NaN, inf included).  First byte selects:
 * 0 B-CNAV1 SF2, 1 SF3, 2 B-CNAV2 message, 3 B-CNAV3 block, 4 PPP-B2b message,
 * 5 B-CNAV1 frame decoder (1800 soft symbols), 6 B-CNAV3 frame decoder (1000),
 * 7 PPP-B2b log line. */
#include <math.h>

#include "bdsrx/navframe.h"
#include "bdsrx/navmsg.h"
#include "bdsrx/pppb2b.h"
#include "fuzz_util.h"

static void to_bits(const uint8_t *d, size_t n, uint8_t *bits, int nbits)
{
    for (int i = 0; i < nbits; i++)
        bits[i] = (size_t)(i / 8) < n ? (d[i / 8] >> (7 - i % 8)) & 1 : 0;
}

static void to_soft(const uint8_t *d, size_t n, float *soft, int ns)
{
    for (int i = 0; i < ns; i++) {
        float v = 0;
        if ((size_t)(4 * i + 4) <= n)
            memcpy(&v, d + 4 * i, 4);
        else if ((size_t)i < n)
            v = (float)((int)d[i] - 128) / 16.0f;
        soft[i] = v;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int kind = data[0] % 8;
    data++, size--;
    static uint8_t bits[1800];
    static float soft[1800];
    switch (kind) {
    case 0: {
        bx_cnav1_sf2_t m;
        to_bits(data, size, bits, 600);
        bx_cnav1_sf2_parse(bits, &m);
        break;
    }
    case 1: {
        bx_cnav1_sf3_t m;
        to_bits(data, size, bits, 264);
        bx_cnav1_sf3_parse(bits, &m);
        break;
    }
    case 2: {
        bx_cnav2_msg_t m;
        to_bits(data, size, bits, 288);
        bx_cnav2_parse(bits, &m);
        break;
    }
    case 3: {
        bx_cnav3_msg_t m;
        to_bits(data, size, bits, 486);
        bx_cnav3_parse(bits, size ? 1 + data[0] % 63 : 19, &m);
        break;
    }
    case 4: {
        bx_b2b_msg_t m;
        to_bits(data, size, bits, BX_B2B_BITS);
        bx_b2b_parse(bits, &m);
        break;
    }
    case 5: {
        bx_cnav1_frame_t f;
        to_soft(data, size, soft, 1800);
        bx_cnav1_decode(soft, &f);
        break;
    }
    case 6: {
        uint8_t msg[486];
        int prn;
        to_soft(data, size, soft, 1000);
        bx_cnav3_decode_prn(soft, msg, &prn);
        break;
    }
    default: {
        char *t = fuzz_text(data, size);
        bx_time_t tr;
        int prn;
        bx_b2b_log_parse(t, &tr, &prn, bits);
        free(t);
    }
    }
    return 0;
}
