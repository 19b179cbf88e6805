/*
 * Simulator signal generator: B1C / B2a baseband samples of a set of
 * satellites whose signal time stamps are given every millisecond.
 * See include/bdsrx/simgen.h.
 *
 * Code and carrier come from the same signal time t_sv(t) (no ionosphere
 * divergence): chip = t_sv * chip rate, baseband carrier phase =
 * f_c * (t_sv - t) cycles, which is the Doppler-shifted carrier of a
 * transmitter whose clock is t_sv (signals.md §1: codes, secondary codes and
 * symbols are all aligned to the signal time).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "bdsrx/simgen.h"

#define B1C_CHIP_HZ 1.023e6
#define B2A_CHIP_HZ 10.23e6
#define CODE_LEN 10230

typedef struct {
    int active, sig, prn;
    bx_simnav_t *nav;
    double amp;            /* total signal amplitude, noise sigma per complex sample = 1 */
    bx_time_t tsv0;        /* signal time at the start of the current block */
    double rate;           /* d t_sv / dt over the block */
    double phase_cyc;      /* baseband carrier phase, continuous across blocks */
} sat_t;

struct bx_simgen {
    bx_simgen_config_t cfg;
    int8_t code_d[BX_PRN_MAX + 1][CODE_LEN]; /* generated on first use */
    int8_t code_p[BX_PRN_MAX + 1][CODE_LEN];
    int8_t sec_p[BX_PRN_MAX + 1][1800];
    uint8_t have_code[BX_PRN_MAX + 1];
    sat_t sat[BX_SIMGEN_MAX_SATS];
    uint64_t rng;
    uint64_t sample;       /* samples generated */
};

bx_simgen_t *bx_simgen_create(const bx_simgen_config_t *c)
{
    if (!(c->fs_hz > 0) || (c->sig != BX_SIG_B1C && c->sig != BX_SIG_B2A))
        return NULL;
    bx_simgen_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cfg = *c;
    g->rng = c->seed ? c->seed : 0x9E3779B97F4A7C15ull;
    return g;
}

void bx_simgen_destroy(bx_simgen_t *g) { free(g); }

static int load_codes(bx_simgen_t *g, int prn)
{
    if (g->have_code[prn])
        return BX_OK;
    int b1c = g->cfg.sig == BX_SIG_B1C;
    if (bx_code_gen(b1c ? BX_CODE_B1CD : BX_CODE_B2AD, prn, g->code_d[prn], CODE_LEN) < 0 ||
        bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, prn, g->code_p[prn], CODE_LEN) < 0 ||
        bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, prn, g->sec_p[prn], b1c ? 1800 : 100) < 0)
        return BX_ERR_ARG;
    g->have_code[prn] = 1;
    return BX_OK;
}

int bx_simgen_set_sat(bx_simgen_t *g, int slot, int prn, bx_simnav_t *nav, double cn0_dbhz, bx_time_t tsv0,
                      double rate)
{
    if (slot < 0 || slot >= BX_SIMGEN_MAX_SATS || prn < 0 || prn > BX_PRN_MAX)
        return BX_ERR_ARG;
    sat_t *s = &g->sat[slot];
    if (prn == 0) {
        s->active = 0;
        return BX_OK;
    }
    int st = load_codes(g, prn);
    if (st != BX_OK)
        return st;
    if (!s->active || s->prn != prn)
        s->phase_cyc = 0.0;
    s->active = 1;
    s->prn = prn;
    s->nav = nav;
    s->amp = sqrt(pow(10.0, cn0_dbhz / 10.0) / g->cfg.fs_hz);
    s->tsv0 = tsv0;
    s->rate = rate;
    return BX_OK;
}

/* xorshift64* uniform (0,1) and Box-Muller normals */
static double urand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return ((double)((*s * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

int bx_simgen_generate(bx_simgen_t *g, bx_cf32_t *out, size_t n)
{
    const double fs = g->cfg.fs_hz;
    const int b1c = g->cfg.sig == BX_SIG_B1C;
    const double chip_hz = b1c ? B1C_CHIP_HZ : B2A_CHIP_HZ;
    const double fc = b1c ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    /* noise: unit variance per complex sample */
    const double sigma = g->cfg.noise ? sqrt(0.5) : 0.0;
    for (size_t i = 0; i < n; i += 2) {
        double u1 = urand(&g->rng), u2 = urand(&g->rng);
        double r = sigma * sqrt(-2.0 * log(u1));
        out[i] = (float)(r * cos(2 * M_PI * u2)) + I * (float)(r * sin(2 * M_PI * u2));
        if (i + 1 < n) {
            double u3 = urand(&g->rng), u4 = urand(&g->rng);
            double r2 = sigma * sqrt(-2.0 * log(u3));
            out[i + 1] = (float)(r2 * cos(2 * M_PI * u4)) + I * (float)(r2 * sin(2 * M_PI * u4));
        }
    }
    for (int k = 0; k < BX_SIMGEN_MAX_SATS; k++) {
        sat_t *s = &g->sat[k];
        if (!s->active)
            continue;
        const int prn = s->prn;
        const double ad = s->amp * (b1c ? 0.5 : sqrt(0.5));          /* data: 1/4 (B1C) or 1/2 (B2a) power */
        const double ap = s->amp * (b1c ? sqrt(0.75) : sqrt(0.5));   /* pilot */
        /* signal time relative to a whole-second base, in double */
        const double base = (double)(s->tsv0.sec % 36000); /* multiple of 18 s and of 0.1 s */
        const int64_t base_sec = s->tsv0.sec - (int64_t)base;
        double tsv = base + s->tsv0.frac_s;
        const double dtsv = s->rate / fs;
        /* baseband carrier phase f_c (t_sv - t): its rate is f_c (rate - 1) */
        const double dph = 2 * M_PI * fc * (s->rate - 1.0) / fs;
        double cr = cos(2 * M_PI * s->phase_cyc), ci = sin(2 * M_PI * s->phase_cyc);
        const double rr = cos(dph), ri = sin(dph);
        int64_t sym_idx = -1;
        int sym = 0;
        for (size_t i = 0; i < n; i++) {
            double chips = tsv * chip_hz;
            double cp = fmod(chips, (double)CODE_LEN);
            int ci_ = (int)cp;
            double pd, pp;
            int64_t ms = (int64_t)floor(tsv * 1000.0); /* 1 ms epochs of the signal time */
            if (b1c) {
                int64_t p10 = ms / 10; /* 10 ms primary period */
                int64_t si = p10;      /* symbol = one primary period */
                if (si != sym_idx) {
                    bx_time_t t = {base_sec + si / 100, (double)(si % 100) * 0.01 + 1e-9};
                    sym = s->nav ? bx_simnav_symbol(s->nav, t) : 0;
                    sym_idx = si;
                }
                double sc = (cp - ci_) < 0.5 ? 1.0 : -1.0; /* BOC(1,1) sine phase */
                int sec = g->sec_p[prn][p10 % 1800];
                pd = (sym ? -1.0 : 1.0) * g->code_d[prn][ci_] * sc;
                pp = sec * g->code_p[prn][ci_] * sc;
            } else {
                int64_t si = ms / 5; /* 5 ms symbol */
                if (si != sym_idx) {
                    bx_time_t t = {base_sec + si / 200, (double)(si % 200) * 0.005 + 1e-9};
                    sym = s->nav ? bx_simnav_symbol(s->nav, t) : 0;
                    sym_idx = si;
                }
                static const int8_t sec5[5] = {1, 1, 1, -1, 1}; /* 00010, signals.md §1.2 */
                pd = (sym ? -1.0 : 1.0) * sec5[ms % 5] * g->code_d[prn][ci_];
                pp = g->sec_p[prn][ms % 100] * g->code_p[prn][ci_];
            }
            /* s = data + j pilot, rotated by the carrier */
            double re = ad * pd, im = ap * pp;
            out[i] += (float)(re * cr - im * ci) + I * (float)(re * ci + im * cr);
            double t = cr * rr - ci * ri;
            ci = cr * ri + ci * rr;
            cr = t;
            tsv += dtsv;
        }
        s->phase_cyc = fmod(s->phase_cyc + fc * (s->rate - 1.0) * (double)n / fs, 1.0);
    }
    g->sample += n;
    return BX_OK;
}
