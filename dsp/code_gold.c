/*
 * B2a data and pilot and B2b-I primary codes: truncated Gold codes from two 13-stage
 * LFSRs (ICD B2a §5.2, ICD B2b §3; signals.md §3).
 *
 * Register convention: a 13-bit integer with bit 12 = stage 1 and bit 0 =
 * stage 13.  Each clock outputs stage 13, shifts every stage one place towards
 * 13 and feeds the XOR of the tapped stages into stage 1.  Register 1 starts
 * all ones and is reset to all ones after 8190 chips (so chips 8190..10229
 * repeat chips 0..2039 of its sequence); register 2 starts at the per-PRN
 * state and runs 10230 chips without reset.  Code chip = out1 xor out2.
 */
#include <stdint.h>

#include "bdsrx/code.h"
#include "code_impl.h"

/* Feedback taps (polynomial exponent e -> stage e -> bit 13-e), signals.md §3:
 *   data  g1 = 1+x+x^5+x^11+x^13            -> 0x1105
 *         g2 = 1+x^3+x^5+x^9+x^11+x^12+x^13 -> 0x0517
 *   pilot g1 = 1+x^3+x^6+x^7+x^13           -> 0x04C1
 *         g2 = 1+x+x^5+x^7+x^8+x^12+x^13    -> 0x1163 */
#define B2AD_G1_TAPS 0x1105u
#define B2AD_G2_TAPS 0x0517u
#define B2AP_G1_TAPS 0x04C1u
#define B2AP_G2_TAPS 0x1163u
/* B2b-I g1 = 1+x+x^9+x^10+x^13 -> 0x1019, g2 = 1+x^3+x^4+x^6+x^9+x^12+x^13 -> 0x0693 (signals.md §3,
 * BDS-SIS-ICD-B2b-1.0 / PPP-B2b-1.0 §3) */
#define B2BI_G1_TAPS 0x1019u
#define B2BI_G2_TAPS 0x0693u

#define GOLD_LEN 10230
#define G1_RESET_CHIPS 8190 /* register 1 reset period, ICD B2a §5.2 */
#define REG_ALL_ONES 0x1FFFu

/* B2a data primary, register-2 initial state (stage 1 = bit 12): ICD B2a §5.2 / signals.md Table S3 */
static const uint16_t b2a_data_init[63] = {
    0x1025, 0x1034, 0x10AD, 0x114F, 0x1155, 0x11AE, 0x11EE, 0x11FB,  /* PRN 1-8 */
    0x1329, 0x13DA, 0x1435, 0x1444, 0x1455, 0x145B, 0x145C, 0x14A3,  /* PRN 9-16 */
    0x14F7, 0x1501, 0x153E, 0x15AB, 0x15B1, 0x1653, 0x1662, 0x1698,  /* PRN 17-24 */
    0x16B6, 0x16F2, 0x16FF, 0x1712, 0x173C, 0x17A1, 0x17C8, 0x17D4,  /* PRN 25-32 */
    0x17EB, 0x17F3, 0x1851, 0x1894, 0x18B7, 0x1911, 0x1919, 0x19AB,  /* PRN 33-40 */
    0x19B1, 0x19D2, 0x1A55, 0x1A74, 0x1ACB, 0x1B57, 0x1C34, 0x1C83,  /* PRN 41-48 */
    0x1C8B, 0x1CA3, 0x1CA8, 0x1D3B, 0x1D97, 0x1E48, 0x1E94, 0x1E99,  /* PRN 49-56 */
    0x1EDA, 0x1EF8, 0x1EFF, 0x1FB5, 0x0402, 0x1BF5, 0x03D2,  /* PRN 57-63 */
};

/* B2a pilot primary, register-2 initial state: ICD B2a §5.2 / signals.md Table S3 */
static const uint16_t b2a_pilot_init[63] = {
    0x1025, 0x1034, 0x10AD, 0x114F, 0x1155, 0x11AE, 0x11EE, 0x11FB,  /* PRN 1-8 */
    0x1329, 0x13DA, 0x1435, 0x1444, 0x1455, 0x145B, 0x145C, 0x14A3,  /* PRN 9-16 */
    0x14F7, 0x1501, 0x153E, 0x15AB, 0x15B1, 0x1653, 0x1662, 0x1698,  /* PRN 17-24 */
    0x16B6, 0x16F2, 0x16FF, 0x1712, 0x173C, 0x17A1, 0x17C8, 0x17D4,  /* PRN 25-32 */
    0x17EB, 0x17F3, 0x1851, 0x1894, 0x18B7, 0x1911, 0x1919, 0x19AB,  /* PRN 33-40 */
    0x19B1, 0x19D2, 0x1A55, 0x1A74, 0x1ACB, 0x1B57, 0x1C34, 0x1C83,  /* PRN 41-48 */
    0x1C8B, 0x1CA3, 0x1CA8, 0x1D3B, 0x1D97, 0x1E48, 0x1E94, 0x1E99,  /* PRN 49-56 */
    0x1EDA, 0x1EF8, 0x1EFF, 0x1FB5, 0x1486, 0x05F8, 0x0355,  /* PRN 57-63 */
};

/* B2b-I primary, register-2 initial state: signals.md Table S5 (PRN 1-58 B2b ICD for B-CNAV3,
 * 59-63 PPP-B2b ICD for the GEOs) */
static const uint16_t b2bi_init[63] = {
    0x1025, 0x1034, 0x10AD, 0x114F, 0x1155, 0x11AE, 0x11EE, 0x11FB,  /* PRN 1-8 */
    0x1329, 0x13DA, 0x1435, 0x1444, 0x1455, 0x145B, 0x145C, 0x14A3,  /* PRN 9-16 */
    0x14F7, 0x1501, 0x153E, 0x15AB, 0x15B1, 0x1653, 0x1662, 0x1698,  /* PRN 17-24 */
    0x16B6, 0x16F2, 0x16FF, 0x1712, 0x173C, 0x17A1, 0x17C8, 0x17D4,  /* PRN 25-32 */
    0x17EB, 0x17F3, 0x1851, 0x1894, 0x18B7, 0x1911, 0x1919, 0x19AB,  /* PRN 33-40 */
    0x19B1, 0x19D2, 0x1A55, 0x1A74, 0x1ACB, 0x1B57, 0x1C34, 0x1C83,  /* PRN 41-48 */
    0x1C8B, 0x1CA3, 0x1CA8, 0x1D3B, 0x1D97, 0x1E48, 0x1E94, 0x1E99,  /* PRN 49-56 */
    0x1EDA, 0x1EF8, 0x1EFF, 0x1FB5, 0x1FBD, 0x0B85, 0x0B3B,  /* PRN 57-63 */
};

static unsigned parity13(unsigned v)
{
    return (unsigned)__builtin_parity(v & REG_ALL_ONES);
}

/* One LFSR clock: returns the output bit (stage 13) and advances *reg. */
static unsigned lfsr_step(unsigned *reg, unsigned taps)
{
    unsigned out = *reg & 1u;
    unsigned fb = parity13(*reg & taps);
    *reg = (*reg >> 1) | (fb << 12);
    return out;
}

int bx_code_gold13(uint16_t g1_taps, uint16_t g2_taps, uint16_t g2_init, int len, int8_t *chips)
{
    if (!chips || len < 1 || len > GOLD_LEN || (g2_init & REG_ALL_ONES) == 0 || (g1_taps & 1u) == 0 ||
        (g2_taps & 1u) == 0)
        return BX_ERR_ARG;
    unsigned r1 = REG_ALL_ONES, r2 = g2_init & REG_ALL_ONES;
    for (int n = 0; n < len; n++) {
        if (n == G1_RESET_CHIPS)
            r1 = REG_ALL_ONES;
        unsigned bit = lfsr_step(&r1, g1_taps) ^ lfsr_step(&r2, g2_taps);
        chips[n] = bit ? -1 : 1; /* logic 0 -> +1 (signals.md §1) */
    }
    return len;
}

int bx_code_gold_prn(bx_code_id_t id, int prn, int8_t *chips)
{
    switch (id) {
    case BX_CODE_B2AD:
        return bx_code_gold13(B2AD_G1_TAPS, B2AD_G2_TAPS, b2a_data_init[prn - 1], GOLD_LEN, chips);
    case BX_CODE_B2AP:
        return bx_code_gold13(B2AP_G1_TAPS, B2AP_G2_TAPS, b2a_pilot_init[prn - 1], GOLD_LEN, chips);
    case BX_CODE_B2BI:
        return bx_code_gold13(B2BI_G1_TAPS, B2BI_G2_TAPS, b2bi_init[prn - 1], GOLD_LEN, chips);
    default:
        return BX_ERR_ARG;
    }
}
