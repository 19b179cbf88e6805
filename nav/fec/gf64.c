/* GF(2^6) arithmetic for the 64-ary LDPC codes (shared/icd/navmsg.md §1.2):
 * primitive polynomial p(x) = x^6 + x + 1, elements as the integer of their 6-bit
 * polynomial-basis vector. */
#include "bdsrx/fec.h"

/* alpha^0 .. alpha^62 as vectors: the table printed in navmsg.md §1.2 (ICD B1C §6.2.2.1). */
static const uint8_t gf64_exp[63] = {
    1,  2,  4,  8,  16, 32, 3,  6,  12, 24, 48, 35, 5,  10, 20, 40, 19, 38, 15, 30, 60,
    59, 53, 41, 17, 34, 7,  14, 28, 56, 51, 37, 9,  18, 36, 11, 22, 44, 27, 54, 47, 29,
    58, 55, 45, 25, 50, 39, 13, 26, 52, 43, 21, 42, 23, 46, 31, 62, 63, 61, 57, 49, 33};

/* Inverse of gf64_exp (log_alpha of each vector; -1 for 0). */
static const int8_t gf64_log[64] = {
    -1, 0,  1,  6,  2,  12, 7,  26, 3,  32, 13, 35, 8,  48, 27, 18, 4,  24, 33, 16, 14, 52,
    36, 54, 9,  45, 49, 38, 28, 41, 19, 56, 5,  62, 25, 11, 34, 31, 17, 47, 15, 23, 53, 51,
    37, 44, 55, 40, 10, 61, 46, 30, 50, 22, 39, 43, 29, 60, 42, 21, 20, 59, 57, 58};

uint8_t bx_gf64_exp(int i)
{
    i %= 63;
    if (i < 0)
        i += 63;
    return gf64_exp[i];
}

int bx_gf64_log(uint8_t a)
{
    return gf64_log[a & 63];
}

uint8_t bx_gf64_mul(uint8_t a, uint8_t b)
{
    a &= 63;
    b &= 63;
    if (!a || !b)
        return 0;
    return gf64_exp[(gf64_log[a] + gf64_log[b]) % 63];
}

uint8_t bx_gf64_inv(uint8_t a)
{
    a &= 63;
    if (!a)
        return 0;
    return gf64_exp[(63 - gf64_log[a]) % 63];
}
