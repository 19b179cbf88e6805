/* Pocket SDR FE protocol: MAX2771 register fields, configuration text,
 * control-transfer encoding and 2-bit sample unpacking.  No I/O here; see
 * src/io/pocket_proto.h for the wire format. */
#include "pocket_proto.h"

#include <complex.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/types.h"

/* MAX2771 data sheet register map: field, address, width, LSB position. */
static const bx_max2771_field_t FIELDS[] = {
    {"CHIPEN", 0x0, 1, 31},         {"IDLE", 0x0, 1, 30},          {"MIXPOLE", 0x0, 1, 17},
    {"LNAMODE", 0x0, 2, 15},        {"MIXERMODE", 0x0, 2, 13},     {"FCEN", 0x0, 7, 6},
    {"FBW", 0x0, 3, 3},             {"F3OR5", 0x0, 1, 2},          {"FCENX", 0x0, 1, 1},
    {"FGAIN", 0x0, 1, 0},           {"ANAIMON", 0x1, 1, 28},       {"IQEN", 0x1, 1, 27},
    {"GAINREF", 0x1, 12, 15},       {"SPI_SDIO_CONFIG", 0x1, 2, 13}, {"AGCMODE", 0x1, 2, 11},
    {"FORMAT", 0x1, 2, 9},          {"BITS", 0x1, 3, 6},           {"DRVCFG", 0x1, 2, 4},
    {"DIEID", 0x1, 2, 0},           {"GAININ", 0x2, 6, 22},        {"HILODEN", 0x2, 1, 20},
    {"FHIPEN", 0x2, 1, 15},         {"PGAIEN", 0x2, 1, 13},        {"PGAQEN", 0x2, 1, 12},
    {"STRMEN", 0x2, 1, 11},         {"STRMSTART", 0x2, 1, 10},     {"STRMSTOP", 0x2, 1, 9},
    {"STRMBITS", 0x2, 2, 4},        {"STAMPEN", 0x2, 1, 3},        {"TIMESYNCEN", 0x2, 1, 2},
    {"DATASYNCEN", 0x2, 1, 1},      {"STRMRST", 0x2, 1, 0},        {"LOBAND", 0x3, 1, 28},
    {"REFOUTEN", 0x3, 1, 24},       {"IXTAL", 0x3, 2, 19},         {"ICP", 0x3, 1, 9},
    {"INT_PLL", 0x3, 1, 3},         {"PWRSAV", 0x3, 1, 2},         {"REFDIV", 0x3, 3, 29},
    {"NDIV", 0x4, 15, 13},          {"RDIV", 0x4, 10, 3},          {"FDIV", 0x5, 20, 8},
    {"EXTADCCLK", 0x7, 1, 28},      {"REFCLK_L_CNT", 0x7, 12, 16}, {"REFCLK_M_CNT", 0x7, 12, 4},
    {"FCLKIN", 0x7, 1, 3},          {"ADCCLK", 0x7, 1, 2},         {"MODE", 0x7, 1, 0},
    {"ADCCLK_L_CNT", 0xA, 12, 16},  {"ADCCLK_M_CNT", 0xA, 12, 4},  {"PREFRACDIV_SEL", 0xA, 1, 3},
    {"CLKOUT_SEL", 0xA, 1, 2},      {NULL, 0, 0, 0}};

const bx_max2771_field_t *bx_max2771_fields(void) { return FIELDS; }

const bx_max2771_field_t *bx_max2771_field(const char *name)
{
    for (const bx_max2771_field_t *f = FIELDS; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

static uint32_t field_mask(const bx_max2771_field_t *f)
{
    return (f->nbit >= 32 ? 0xFFFFFFFFu : ((1u << f->nbit) - 1u)) << f->pos;
}

int bx_max2771_set(uint32_t regs[BX_POCKET_NREG], const char *name, uint32_t value)
{
    const bx_max2771_field_t *f = bx_max2771_field(name);
    if (!f || (f->nbit < 32 && value >> f->nbit))
        return BX_ERR_ARG;
    regs[f->addr] = (regs[f->addr] & ~field_mask(f)) | (value << f->pos);
    return BX_OK;
}

uint32_t bx_max2771_get(const uint32_t regs[BX_POCKET_NREG], const char *name)
{
    const bx_max2771_field_t *f = bx_max2771_field(name);
    return f ? (regs[f->addr] & field_mask(f)) >> f->pos : 0;
}

double bx_max2771_flo_hz(const uint32_t regs[BX_POCKET_NREG], double tcxo_hz)
{
    double rdiv = bx_max2771_get(regs, "RDIV");
    double n = bx_max2771_get(regs, "NDIV");
    if (!bx_max2771_get(regs, "INT_PLL"))
        n += bx_max2771_get(regs, "FDIV") / 1048576.0;
    return rdiv > 0 ? tcxo_hz / rdiv * n : 0.0;
}

double bx_max2771_fadc_hz(const uint32_t regs[BX_POCKET_NREG], double tcxo_hz)
{
    static const double ratio[8] = {2.0, 0.25, 0.5, 1.0, 4.0, 0.0, 0.0, 0.0};
    if (bx_max2771_get(regs, "EXTADCCLK"))
        return 0.0;
    double f = tcxo_hz;
    if (bx_max2771_get(regs, "PREFRACDIV_SEL")) {
        double l = bx_max2771_get(regs, "REFCLK_L_CNT"), m = bx_max2771_get(regs, "REFCLK_M_CNT");
        f *= l / (4096.0 - m + l);
    }
    if (!bx_max2771_get(regs, "ADCCLK"))
        f *= ratio[bx_max2771_get(regs, "REFDIV")];
    if (bx_max2771_get(regs, "FCLKIN")) {
        double l = bx_max2771_get(regs, "ADCCLK_L_CNT"), m = bx_max2771_get(regs, "ADCCLK_M_CNT");
        f *= l / (4096.0 - m + l);
    }
    return f;
}

double bx_max2771_filter_centre_hz(const uint32_t regs[BX_POCKET_NREG])
{
    /* Data sheet: centre = (128 - FCEN) / 2 * step, step by bandwidth setting FBW. */
    static const double step_mhz[8] = {0.195, 0.66, 0.355, 0, 0, 0, 0, 0};
    if (!bx_max2771_get(regs, "FCENX"))
        return 0.0;
    return (128.0 - bx_max2771_get(regs, "FCEN")) / 2.0 * step_mhz[bx_max2771_get(regs, "FBW")] * 1e6;
}

double bx_max2771_if_hz(const uint32_t regs[BX_POCKET_NREG], double tcxo_hz)
{
    /* band centres: GPS/Galileo/BDS B1C L1, BDS B1I, QZSS L6/Galileo E6, BDS B3I, GPS L2,
     * BDS B2b, L5/E5a/B2a (ICD B1C/B2a/B2b §4, signals.md §1 for the BDS ones) */
    static const double band_hz[] = {1575.42e6, 1561.098e6, 1278.75e6, 1268.52e6,
                                     1227.60e6, 1207.14e6,  1176.45e6};
    if (bx_max2771_get(regs, "IQEN"))
        return 0.0;
    double lo = bx_max2771_flo_hz(regs, tcxo_hz), guess = lo + bx_max2771_filter_centre_hz(regs);
    double best = band_hz[0];
    for (size_t i = 1; i < sizeof band_hz / sizeof band_hz[0]; i++)
        if (fabs(band_hz[i] - guess) < fabs(best - guess))
            best = band_hz[i];
    return best - lo;
}

static char *trim(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    char *e = p + strlen(p);
    while (e > p && isspace((unsigned char)e[-1]))
        *--e = 0;
    return p;
}

int bx_pocket_conf_apply(const char *text, uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG],
                         uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG], char *err, size_t errlen)
{
    int ch = 0, lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        p += len + (nl ? 1 : 0);
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *l = trim(line);
        if (!*l)
            continue;
        int c;
        unsigned addr, val;
        if (sscanf(l, "[CH%d]", &c) == 1) {
            if (c < 1 || c > BX_POCKET_NCH) {
                snprintf(err, errlen, "line %d: channel [CH%d] does not exist (CH1, CH2)", lineno, c);
                return BX_ERR_FORMAT;
            }
            ch = c - 1;
            continue;
        }
        char *eq = strchr(l, '=');
        if (!eq) {
            /* hexadecimal register line: CH ADDR VALUE */
            if (sscanf(l, "%d 0x%x 0x%x", &c, &addr, &val) == 3 && c >= 1 && c <= BX_POCKET_NCH &&
                addr < BX_POCKET_NREG) {
                regs[c - 1][addr] = val;
                touched[c - 1][addr] = 1;
                continue;
            }
            snprintf(err, errlen, "line %d: expected FIELD = value, [CHn] or 'CH 0xADDR 0xVALUE': '%s'",
                     lineno, l);
            return BX_ERR_FORMAT;
        }
        *eq = 0;
        char *key = trim(l), *v = trim(eq + 1), *end;
        unsigned long x = strtoul(v, &end, 0);
        const bx_max2771_field_t *f = bx_max2771_field(key);
        if (!f) {
            snprintf(err, errlen, "line %d: unknown MAX2771 field '%s'", lineno, key);
            return BX_ERR_FORMAT;
        }
        if (end == v || *trim(end) || bx_max2771_set(regs[ch], key, (uint32_t)x) != BX_OK) {
            snprintf(err, errlen, "line %d: %s = %s: not a number in 0..%lu", lineno, key, v,
                     (1ul << f->nbit) - 1);
            return BX_ERR_FORMAT;
        }
        touched[ch][f->addr] = 1;
    }
    return BX_OK;
}

int bx_pocket_conf_load(const char *path, uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG],
                        uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open MAX2771 configuration %s", path);
        return BX_ERR_IO;
    }
    enum { MAXCONF = 1 << 16 }; /* PocketSDR .conf files are ~4 KB */
    char *text = malloc(MAXCONF);
    size_t n = text ? fread(text, 1, MAXCONF - 1, f) : 0;
    fclose(f);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return BX_ERR_NOMEM;
    }
    text[n] = 0;
    char msg[200];
    int st = bx_pocket_conf_apply(text, regs, touched, msg, sizeof msg);
    free(text);
    if (st != BX_OK)
        snprintf(err, errlen, "%s: %s", path, msg);
    return st;
}

uint16_t bx_pocket_reg_wvalue(int ch, int addr) { return (uint16_t)((ch << 8) | (addr & 0xFF)); }

void bx_pocket_reg_pack(uint32_t v, uint8_t out[4])
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

uint32_t bx_pocket_reg_unpack(const uint8_t in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

int bx_pocket_level(unsigned code2)
{
    int mag = (code2 & 1) ? 3 : 1;
    return (code2 & 2) ? -mag : mag;
}

/* The Q field has the opposite polarity (pocket_proto.h): Q = -level(code). */
void bx_pocket_unpack_ci8(const uint8_t *in, size_t n, int ch, int8_t *out)
{
    int sh = 4 * ch;
    for (size_t i = 0; i < n; i++) {
        unsigned b = in[i] >> sh;
        out[2 * i] = (int8_t)bx_pocket_level(b & 3);
        out[2 * i + 1] = (int8_t)-bx_pocket_level((b >> 2) & 3);
    }
}

void bx_pocket_unpack_ri8(const uint8_t *in, size_t n, int ch, int8_t *out)
{
    int sh = 4 * ch;
    for (size_t i = 0; i < n; i++)
        out[i] = (int8_t)bx_pocket_level((in[i] >> sh) & 3);
}

void bx_pocket_unpack_cf32(const uint8_t *in, size_t n, int ch, int iq, float _Complex *out)
{
    int sh = 4 * ch;
    if (iq)
        for (size_t i = 0; i < n; i++)
            out[i] = (float)bx_pocket_level((in[i] >> sh) & 3) - (float)bx_pocket_level((in[i] >> (sh + 2)) & 3) * I;
    else
        for (size_t i = 0; i < n; i++)
            out[i] = (float)bx_pocket_level((in[i] >> sh) & 3);
}

/* Nibble copy with the Q sign bit (bit 3 of each nibble) flipped: ci2 holds I + jQ. */
#define CI2_Q_SIGNS 0x88u

void bx_pocket_pack_ci2(const uint8_t *in, size_t n, int ch, uint8_t *out)
{
    int sh = 4 * ch;
    for (size_t i = 0; i + 1 < n; i += 2)
        out[i / 2] = (uint8_t)((((in[i] >> sh) & 0xF) | (((in[i + 1] >> sh) & 0xF) << 4)) ^ CI2_Q_SIGNS);
}

size_t bx_pocket_stream_ci2(uint8_t *pending, int *has_pending, const uint8_t *in, size_t n, int ch,
                            uint8_t *out)
{
    size_t k = 0;
    int sh = 4 * ch;
    if (*has_pending && n) {
        out[k++] = (uint8_t)((((*pending >> sh) & 0xF) | (((in[0] >> sh) & 0xF) << 4)) ^ CI2_Q_SIGNS);
        in++;
        n--;
        *has_pending = 0;
    }
    bx_pocket_pack_ci2(in, n & ~(size_t)1, ch, out + k);
    k += n / 2;
    if (n & 1) {
        *pending = in[n - 1];
        *has_pending = 1;
    }
    return k;
}
