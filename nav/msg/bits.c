/* Bit-field access on one-byte-per-bit arrays and the read/write cursor used by
 * the message codecs (include/bdsrx/bits.h). */
#include "bdsrx/bits.h"

#include <math.h>

uint64_t bx_bits_getu(const uint8_t *bits, int pos, int len)
{
    uint64_t v = 0;
    for (int i = 0; i < len; i++)
        v = (v << 1) | (bits[pos + i] & 1u);
    return v;
}

int64_t bx_bits_gets(const uint8_t *bits, int pos, int len)
{
    uint64_t v = bx_bits_getu(bits, pos, len);
    if (len < 64 && (v >> (len - 1)) & 1u)
        v |= ~0ull << len; /* sign-extend */
    return (int64_t)v;
}

void bx_bits_setu(uint8_t *bits, int pos, int len, uint64_t v)
{
    for (int i = len - 1; i >= 0; i--) {
        bits[pos + i] = (uint8_t)(v & 1u);
        v >>= 1;
    }
}

void bx_bits_sets(uint8_t *bits, int pos, int len, int64_t v)
{
    bx_bits_setu(bits, pos, len, (uint64_t)v);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int bx_bits_from_hex(const char *hex, uint8_t *bits, int max_bits)
{
    int n = 0;
    for (const char *p = hex; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            continue;
        int h = hexval((unsigned char)*p);
        if (h < 0)
            break;
        for (int b = 3; b >= 0; b--) {
            if (n >= max_bits) {
                /* zero padding bits beyond max_bits are allowed (testvectors.md) */
                if ((h >> b) & 1)
                    return BX_ERR_FORMAT;
                continue;
            }
            bits[n++] = (uint8_t)((h >> b) & 1);
        }
    }
    return n > 0 ? n : BX_ERR_FORMAT;
}

int bx_bits_to_hex(const uint8_t *bits, int nbits, char *out, size_t outlen)
{
    size_t nd = (size_t)(nbits + 3) / 4;
    if (nbits < 0 || outlen < nd + 1)
        return BX_ERR_ARG;
    for (size_t d = 0; d < nd; d++) {
        int h = 0;
        for (int b = 0; b < 4; b++) {
            int i = (int)d * 4 + b;
            h = (h << 1) | (i < nbits ? (bits[i] & 1) : 0);
        }
        out[d] = "0123456789ABCDEF"[h];
    }
    out[nd] = '\0';
    return BX_OK;
}

void bx_bits_from_bytes(const uint8_t *bytes, int nbits, uint8_t *bits)
{
    for (int i = 0; i < nbits; i++)
        bits[i] = (uint8_t)((bytes[i >> 3] >> (7 - (i & 7))) & 1);
}

/* ---- cursor ---- */

void bx_bitio_reader(bx_bitio_t *io, const uint8_t *bits, int nbits)
{
    io->bits = (uint8_t *)bits; /* read mode never stores through it */
    io->pos = 0;
    io->nbits = nbits;
    io->write = 0;
    io->err = BX_OK;
}

void bx_bitio_writer(bx_bitio_t *io, uint8_t *bits, int nbits)
{
    bx_bitio_reader(io, bits, nbits);
    io->write = 1;
}

/* Returns 1 when len bits fit at the cursor; otherwise flags the error. */
static int room(bx_bitio_t *io, int len)
{
    if (len < 1 || len > 64 || io->pos + len > io->nbits) {
        io->err = BX_ERR_ARG;
        return 0;
    }
    return 1;
}

void bx_bitio_u64(bx_bitio_t *io, int len, uint64_t *v)
{
    if (!room(io, len))
        return;
    if (io->write) {
        uint64_t max = len == 64 ? ~0ull : (1ull << len) - 1;
        if (*v > max)
            io->err = BX_ERR_ARG;
        bx_bits_setu(io->bits, io->pos, len, *v > max ? max : *v);
    } else {
        *v = bx_bits_getu(io->bits, io->pos, len);
    }
    io->pos += len;
}

/* signed raw with range check */
static void io_s64(bx_bitio_t *io, int len, int64_t *v)
{
    if (!room(io, len))
        return;
    if (io->write) {
        int64_t lo = len == 64 ? INT64_MIN : -(int64_t)(1ull << (len - 1));
        int64_t hi = len == 64 ? INT64_MAX : (int64_t)((1ull << (len - 1)) - 1);
        int64_t x = *v;
        if (x < lo || x > hi) {
            io->err = BX_ERR_ARG;
            x = x < lo ? lo : hi;
        }
        bx_bits_sets(io->bits, io->pos, len, x);
    } else {
        *v = bx_bits_gets(io->bits, io->pos, len);
    }
    io->pos += len;
}

void bx_bitio_uint(bx_bitio_t *io, int len, int *v)
{
    uint64_t r = 0;
    if (io->write) {
        if (*v < 0)
            io->err = BX_ERR_ARG;
        r = *v < 0 ? 0 : (uint64_t)*v;
    }
    bx_bitio_u64(io, len, &r);
    if (!io->write)
        *v = (int)r;
}

void bx_bitio_sint(bx_bitio_t *io, int len, int *v)
{
    int64_t r = io->write ? *v : 0;
    io_s64(io, len, &r);
    if (!io->write)
        *v = (int)r;
}

void bx_bitio_uf(bx_bitio_t *io, int len, double scale, double *v)
{
    uint64_t r = 0;
    if (io->write) {
        double x = nearbyint(*v / scale);
        if (!(x >= 0.0) || x >= 9.2e18) { /* also catches NaN */
            io->err = BX_ERR_ARG;
            x = x >= 9.2e18 ? 9.2e18 : 0.0;
        }
        r = (uint64_t)x;
    }
    bx_bitio_u64(io, len, &r);
    if (!io->write)
        *v = (double)r * scale;
}

void bx_bitio_sf(bx_bitio_t *io, int len, double scale, double *v)
{
    int64_t r = 0;
    if (io->write) {
        double x = nearbyint(*v / scale);
        if (!(fabs(x) < 9.2e18)) {
            io->err = BX_ERR_ARG;
            x = isnan(x) ? 0.0 : x > 0 ? 9.2e18 : -9.2e18;
        }
        r = (int64_t)x;
    }
    io_s64(io, len, &r);
    if (!io->write)
        *v = (double)r * scale;
}

void bx_bitio_expect(bx_bitio_t *io, int icd_bit)
{
    if (io->pos != icd_bit - 1)
        io->err = BX_ERR_ARG;
    io->pos = icd_bit - 1;
}
