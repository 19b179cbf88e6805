/*
 * IQ sample formats: names, sizes, raw -> complex float conversion and its
 * inverse (quantising pack).  Layouts and scaling: include/bdsrx/iq.h.
 * Multi-byte formats are decoded byte by byte as little endian, so the code
 * is correct on any host byte order.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/iq.h"

typedef struct {
    const char *name;
    const char *describe;
    int complex_;
    int group_samples; /* samples in the smallest whole-byte unit */
    int group_bytes;
} fmt_info_t;

static const fmt_info_t fmt_info[BX_IQ_FORMAT_COUNT] = {
    [BX_IQ_CI8] = {"ci8", "complex int8", 1, 1, 2},
    [BX_IQ_CI16] = {"ci16", "complex int16 little-endian", 1, 1, 4},
    [BX_IQ_CF32] = {"cf32", "complex float32 little-endian", 1, 1, 8},
    [BX_IQ_RI8] = {"ri8", "real int8", 0, 1, 1},
    [BX_IQ_CI2] = {"ci2", "2-bit complex packed", 1, 2, 1},
    [BX_IQ_RI1] = {"ri1", "1-bit real packed", 0, 8, 1},
    [BX_IQ_INT8X2] = {"int8x2", "complex int8 with Q negated (PocketSDR INT8X2)", 1, 1, 2},
};

static int valid(int f)
{
    return f >= 0 && f < BX_IQ_FORMAT_COUNT;
}

void bx_iq_params_init(bx_iq_params_t *p)
{
    p->format = -1;
    p->fs_hz = 0.0;
    p->fc_hz = 0.0;
    p->if_hz = NAN;
}

int bx_iq_format_from_name(const char *name, int *format)
{
    static const struct {
        const char *alias;
        int f;
    } aliases[] = {{"ci16_le", BX_IQ_CI16}, {"cf32_le", BX_IQ_CF32}, {"ri8_le", BX_IQ_RI8}, {"ci8_le", BX_IQ_CI8}};
    if (!name || !format)
        return BX_ERR_ARG;
    for (int i = 0; i < BX_IQ_FORMAT_COUNT; i++)
        if (!strcasecmp(name, fmt_info[i].name)) {
            *format = i;
            return BX_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(name, aliases[i].alias)) {
            *format = aliases[i].f;
            return BX_OK;
        }
    return BX_ERR_ARG;
}

const char *bx_iq_format_name(int format)
{
    return valid(format) ? fmt_info[format].name : "?";
}

const char *bx_iq_format_describe(int format)
{
    return valid(format) ? fmt_info[format].describe : "unknown format";
}

int bx_iq_format_is_complex(int format)
{
    return valid(format) ? fmt_info[format].complex_ : BX_ERR_ARG;
}

int bx_iq_samples_per_byte_group(int format)
{
    return valid(format) ? fmt_info[format].group_samples : BX_ERR_ARG;
}

int bx_iq_bytes_per_group(int format)
{
    return valid(format) ? fmt_info[format].group_bytes : BX_ERR_ARG;
}

size_t bx_iq_bytes_for(int format, size_t n_samples)
{
    if (!valid(format))
        return 0;
    const fmt_info_t *f = &fmt_info[format];
    size_t groups = (n_samples + (size_t)f->group_samples - 1) / (size_t)f->group_samples;
    return groups * (size_t)f->group_bytes;
}

/* 2-bit field: bit 1 = sign (1 negative), bit 0 = magnitude (1 -> 3); testdata/README.md. */
static const float ci2_level[4] = {1.0f, 3.0f, -1.0f, -3.0f};

static float le_f32(const uint8_t *b)
{
    uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int16_t le_i16(const uint8_t *b)
{
    return (int16_t)(uint16_t)((unsigned)b[0] | (unsigned)b[1] << 8);
}

int bx_iq_convert_from(int format, const void *raw, size_t first, size_t n, bx_cf32_t *out)
{
    if (!valid(format) || (n && (!raw || !out)))
        return BX_ERR_ARG;
    const uint8_t *b = raw;
    switch (format) {
    case BX_IQ_CI8: {
        const int8_t *s = (const int8_t *)raw + 2 * first;
        for (size_t i = 0; i < n; i++)
            out[i] = CMPLXF((float)s[2 * i], (float)s[2 * i + 1]);
        break;
    }
    case BX_IQ_INT8X2: { /* I - jQ (iq.h) */
        const int8_t *s = (const int8_t *)raw + 2 * first;
        for (size_t i = 0; i < n; i++)
            out[i] = CMPLXF((float)s[2 * i], -(float)s[2 * i + 1]);
        break;
    }
    case BX_IQ_CI16:
        b += 4 * first;
        for (size_t i = 0; i < n; i++)
            out[i] = CMPLXF((float)le_i16(b + 4 * i), (float)le_i16(b + 4 * i + 2));
        break;
    case BX_IQ_CF32:
        b += 8 * first;
        for (size_t i = 0; i < n; i++)
            out[i] = CMPLXF(le_f32(b + 8 * i), le_f32(b + 8 * i + 4));
        break;
    case BX_IQ_RI8: {
        const int8_t *s = (const int8_t *)raw + first;
        for (size_t i = 0; i < n; i++)
            out[i] = CMPLXF((float)s[i], 0.0f);
        break;
    }
    case BX_IQ_CI2:
        for (size_t i = 0; i < n; i++) {
            size_t k = first + i;
            unsigned v = b[k >> 1] >> (4 * (k & 1)); /* sample n in the low nibble, n+1 in the high */
            out[i] = CMPLXF(ci2_level[v & 3], ci2_level[(v >> 2) & 3]);
        }
        break;
    case BX_IQ_RI1:
        for (size_t i = 0; i < n; i++) {
            size_t k = first + i;
            unsigned bit = (b[k >> 3] >> (k & 7)) & 1u; /* first sample in the LSB (SnapperGPS) */
            out[i] = CMPLXF(bit ? -1.0f : 1.0f, 0.0f);
        }
        break;
    }
    return BX_OK;
}

int bx_iq_convert(int format, const void *raw, size_t n, bx_cf32_t *out)
{
    return bx_iq_convert_from(format, raw, 0, n, out);
}

static long clamp_round(float v, long lo, long hi)
{
    if (!(v == v)) /* NaN quantises to 0 rather than to an arbitrary extreme */
        return 0;
    float r = roundf(v);
    if (r < (float)lo)
        return lo;
    if (r > (float)hi)
        return hi;
    return (long)r;
}

/* 2-bit field for a value: sign bit, magnitude 3 above the midpoint 2 between the levels 1 and 3. */
static unsigned ci2_field(float v)
{
    unsigned sign = v < 0.0f;
    unsigned mag = fabsf(v) >= 2.0f;
    return sign << 1 | mag;
}

long bx_iq_pack(int format, const bx_cf32_t *x, size_t n, float scale, void *raw)
{
    if (!valid(format) || (n && (!x || !raw)))
        return BX_ERR_ARG;
    uint8_t *b = raw;
    size_t nbytes = bx_iq_bytes_for(format, n);
    switch (format) {
    case BX_IQ_CI8:
    case BX_IQ_INT8X2: {
        const float qs = format == BX_IQ_INT8X2 ? -scale : scale; /* int8x2 stores -Q */
        for (size_t i = 0; i < n; i++) {
            b[2 * i] = (uint8_t)(int8_t)clamp_round(crealf(x[i]) * scale, -128, 127);
            b[2 * i + 1] = (uint8_t)(int8_t)clamp_round(cimagf(x[i]) * qs, -128, 127);
        }
        break;
    }
    case BX_IQ_CI16:
        for (size_t i = 0; i < n; i++) {
            uint16_t re = (uint16_t)(int16_t)clamp_round(crealf(x[i]) * scale, -32768, 32767);
            uint16_t im = (uint16_t)(int16_t)clamp_round(cimagf(x[i]) * scale, -32768, 32767);
            b[4 * i] = (uint8_t)re;
            b[4 * i + 1] = (uint8_t)(re >> 8);
            b[4 * i + 2] = (uint8_t)im;
            b[4 * i + 3] = (uint8_t)(im >> 8);
        }
        break;
    case BX_IQ_CF32:
        for (size_t i = 0; i < n; i++) {
            float v[2] = {crealf(x[i]) * scale, cimagf(x[i]) * scale};
            for (int c = 0; c < 2; c++) {
                uint32_t u;
                memcpy(&u, &v[c], sizeof u);
                for (int k = 0; k < 4; k++)
                    b[8 * i + 4 * (size_t)c + (size_t)k] = (uint8_t)(u >> (8 * k));
            }
        }
        break;
    case BX_IQ_RI8:
        for (size_t i = 0; i < n; i++)
            b[i] = (uint8_t)(int8_t)clamp_round(crealf(x[i]) * scale, -128, 127);
        break;
    case BX_IQ_CI2:
        memset(b, 0, nbytes);
        for (size_t i = 0; i < n; i++) {
            unsigned nib = ci2_field(crealf(x[i]) * scale) | ci2_field(cimagf(x[i]) * scale) << 2;
            b[i >> 1] |= (uint8_t)(nib << (4 * (i & 1)));
        }
        break;
    case BX_IQ_RI1:
        memset(b, 0, nbytes);
        for (size_t i = 0; i < n; i++)
            if (crealf(x[i]) * scale < 0.0f)
                b[i >> 3] |= (uint8_t)(1u << (i & 7));
        break;
    }
    return (long)nbytes;
}
