/* B-CNAV3 / PPP-B2b frame coding (shared/icd/navmsg.md §4.1, pppb2b.md; ICD B2b §6.2):
 * 1000 symbols = preamble 0xEB90 (16) | PRN (6) | reserved (6), all unencoded, then the
 * LDPC(162,81) codeword (972 symbols) of the 486-bit block MesType | data | CRC-24Q. */
#include <stdlib.h>
#include <string.h>

#include "bdsrx/navframe.h"

#define PRE_BITS 16
#define HDR_BITS 28
#define MSG_BITS 486
#define CW_BITS 972

static int preamble_bit(int i)
{
    return (int)((BX_CNAV3_PREAMBLE >> (PRE_BITS - 1 - i)) & 1u);
}

int bx_cnav3_decode_prn(const float *soft1000, uint8_t msg486[486], int *prn)
{
    if (!soft1000 || !msg486)
        return BX_ERR_ARG;
    bx_ldpc_t *ldpc;
    if (bx_ldpc_create(BX_LDPC_162_81, NULL, &ldpc, NULL, 0) != BX_OK)
        return BX_ERR_NOMEM;
    float corr = 0.0f, s[CW_BITS];
    uint8_t bits[CW_BITS];
    for (int i = 0; i < PRE_BITS; i++)
        corr += preamble_bit(i) ? -soft1000[i] : soft1000[i];
    float sign = corr >= 0.0f ? 1.0f : -1.0f;
    int st = BX_ERR_CRC;
    for (int attempt = 0; attempt < 2; attempt++, sign = -sign) {
        for (int i = 0; i < CW_BITS; i++)
            s[i] = sign * soft1000[HDR_BITS + i];
        bx_ldpc_decode(ldpc, s, bits, NULL);
        int ok = bx_crc24q_check(bits, MSG_BITS);
        if (ok || attempt == 0) {
            memcpy(msg486, bits, MSG_BITS);
            if (prn) {
                int v = 0;
                for (int i = PRE_BITS; i < PRE_BITS + 6; i++)
                    v = v << 1 | (sign * soft1000[i] < 0.0f);
                *prn = v;
            }
        }
        if (ok) {
            st = BX_OK;
            break;
        }
    }
    bx_ldpc_destroy(ldpc);
    return st;
}

int bx_cnav3_decode(const float *soft1000, uint8_t msg486[486])
{
    return bx_cnav3_decode_prn(soft1000, msg486, NULL);
}

int bx_cnav3_encode(int prn, const uint8_t msg486[486], uint8_t sym1000[1000])
{
    if (prn < 0 || prn > 63 || !msg486 || !sym1000)
        return BX_ERR_ARG;
    for (int i = 0; i < PRE_BITS; i++)
        sym1000[i] = (uint8_t)preamble_bit(i);
    for (int i = 0; i < 6; i++) {
        sym1000[PRE_BITS + i] = (uint8_t)((prn >> (5 - i)) & 1);
        sym1000[PRE_BITS + 6 + i] = 0; /* reserved */
    }
    return bx_ldpc_encode(BX_LDPC_162_81, msg486, sym1000 + HDR_BITS);
}
