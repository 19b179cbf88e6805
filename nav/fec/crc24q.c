/* CRC-24Q of the BDS-3 navigation messages (shared/icd/navmsg.md §1.1):
 * g(x) = x^24+x^23+x^18+x^17+x^14+x^11+x^10+x^7+x^6+x^5+x^4+x^3+x+1, register initialised
 * to 0, bits MSB (first transmitted) first, no reflection, no final XOR.  Bit-serial: the
 * messages are at most a few hundred bits, decoded once per second at most. */
#include "bdsrx/fec.h"

#define CRC24Q_POLY 0x864CFBu /* g(x) without the x^24 term */

uint32_t bx_crc24q(const uint8_t *bits, int nbits)
{
    uint32_t crc = 0;
    for (int i = 0; i < nbits; i++) {
        uint32_t fb = ((crc >> 23) ^ (uint32_t)(bits[i] & 1u)) & 1u;
        crc = (crc << 1) & 0xFFFFFFu;
        if (fb)
            crc ^= CRC24Q_POLY;
    }
    return crc;
}

void bx_crc24q_append(uint8_t *bits, int ndata)
{
    uint32_t crc = bx_crc24q(bits, ndata);
    for (int i = 0; i < 24; i++)
        bits[ndata + i] = (uint8_t)((crc >> (23 - i)) & 1u);
}

int bx_crc24q_check(const uint8_t *bits, int nbits)
{
    if (nbits < 24)
        return 0;
    uint32_t crc = bx_crc24q(bits, nbits - 24), rx = 0;
    for (int i = nbits - 24; i < nbits; i++)
        rx = (rx << 1) | (bits[i] & 1u);
    return crc == rx;
}

/* The same CRC over packed bytes, MSB of each byte first (RTCM 10403.3 §4.2
 * frames use this CRC-24Q: same polynomial, seed 0, 24-bit parity). */
uint32_t bx_crc24q_bytes(const uint8_t *buf, size_t n)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)buf[i] << 16;
        for (int b = 0; b < 8; b++) {
            crc <<= 1;
            if (crc & 0x1000000u)
                crc ^= CRC24Q_POLY;
        }
        crc &= 0xFFFFFFu;
    }
    return crc;
}
