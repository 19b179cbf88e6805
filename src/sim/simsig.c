/*
 * Signal-level simulator core: B1C / B2a / B2b-I signals of a set of satellites plus
 * AWGN.  Model, levels and API: include/bdsrx/simsig.h.
 *
 * Each satellite is driven by its transmit time tau (bx_time_t, exact) and its
 * rate d tau / dt.  Generation runs in chunks; at each chunk start the code
 * position is recomputed from tau within the current frame (18 s B1C, 3 s
 * B2a: both multiples of every code, secondary-code and symbol period), so
 * the per-sample increments never accumulate error over long runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "bdsrx/simsig.h"
#include "bx_err.h"

#define PRIMARY_LEN 10230
#define CHUNK 8192 /* samples per re-anchoring of code and carrier */

/* Per-signal timing (ICD B1C/B2a §4-5; signals.md §1). */
typedef struct {
    double chip_hz;      /* primary chip rate */
    int frame_s;         /* frame length (s): 18 s B-CNAV1, 3 s B-CNAV2 */
    int periods_frame;   /* primary periods per frame */
    int periods_symbol;  /* primary periods per data symbol */
    int symbols_s;       /* data symbols per second */
    int sec_len;         /* pilot secondary code length */
    double f_hz;         /* nominal carrier */
} sig_timing_t;

static const sig_timing_t timing[BX_SIG_COUNT] = {
    [BX_SIG_B1C] = {1.023e6, 18, 1800, 1, 100, 1800, BX_FREQ_B1C_HZ},
    [BX_SIG_B2A] = {10.23e6, 3, 3000, 5, 200, 100, BX_FREQ_B2A_HZ},
    /* B2b-I (ICD B2b §3-4, PPP-B2b §4; signals.md §1): 10230 chips / 1 ms, one 1000 sps
     * symbol per code period, 1 s frames (B-CNAV3 / PPP-B2b), no pilot, no secondary code */
    [BX_SIG_B2B] = {10.23e6, 1, 1000, 1, 1000, 0, BX_FREQ_B2B_HZ},
};

/* B2a data secondary code 00010 as +-1 (ICD B2a; signals.md §1.2). */
static const int8_t b2a_ds[5] = {1, 1, 1, -1, 1};

typedef struct {
    int active, sig, prn;
    bx_time_t tau;      /* transmit time of the next sample */
    double rate;        /* d tau / dt */
    double cn0_dbhz;
    double amp;         /* complex amplitude of the unit-power signal */
    double phase_cyc;   /* carrier phase of the next sample, [0,1) */
    double adv_cyc;     /* carrier advance applied so far (bx_simsig_sat_t.carrier_adv_cyc) */
    int64_t sym_index;  /* cached symbol */
    int sym_bit;
    int8_t code_d[PRIMARY_LEN], code_p[PRIMARY_LEN], sec_p[1800];
} sat_t;

void bx_simsig_config_default(bx_simsig_config_t *c, double fs_hz)
{
    memset(c, 0, sizeof *c);
    c->fs_hz = fs_hz;
    c->noise_sigma = 1.0;
    c->noise = 1;
    c->seed = 1;
    c->max_sats = 32;
}

float bx_simsig_default_sigma(int format)
{
    switch (format) {
    case BX_IQ_CI8:
    case BX_IQ_INT8X2:
    case BX_IQ_RI8:
        return 20.0f;
    case BX_IQ_CI16:
        return 2000.0f;
    case BX_IQ_CI2:
        return 2.0f; /* level thresholds at +-2: about the optimum 2-bit quantiser (threshold ~1 sigma) */
    default:
        return 1.0f;
    }
}

/* ---- noise: xoshiro256+ uniform, ziggurat normals ----
 * Marsaglia & Tsang's ziggurat (128 layers) gives exact N(0,1) deviates at a few ns each, ~10x
 * faster than Box-Muller, which matters at 20 Msps.  Tables are built in create (no global state). */

#define ZIG_R 3.442619855899      /* start of the tail */
#define ZIG_V 9.91256303526217e-3 /* area of each layer */

typedef struct {
    uint32_t k[128];
    double w[128], f[128];
} zig_t;

static void zig_init(zig_t *z)
{
    const double m1 = 2147483648.0;
    double dn = ZIG_R, tn = dn, q = ZIG_V / exp(-0.5 * dn * dn);
    z->k[0] = (uint32_t)((dn / q) * m1);
    z->k[1] = 0;
    z->w[0] = q / m1;
    z->w[127] = dn / m1;
    z->f[0] = 1.0;
    z->f[127] = exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
        dn = sqrt(-2.0 * log(ZIG_V / dn + exp(-0.5 * dn * dn)));
        z->k[i + 1] = (uint32_t)((dn / tn) * m1);
        tn = dn;
        z->f[i] = exp(-0.5 * dn * dn);
        z->w[i] = dn / m1;
    }
}

struct bx_simsig {
    bx_simsig_config_t cfg;
    sat_t *sat;
    uint64_t rng[4];
    zig_t zig;
    uint64_t sample;
    float *car; /* CHUNK carrier phasors (re, im), scratch of render */
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t next64(uint64_t *s)
{
    uint64_t r = s[0] + s[3], t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static inline double urand(uint64_t *s)
{
    return ((double)(next64(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); /* (0,1) */
}

static inline double zig_normal(uint64_t *s, const zig_t *z)
{
    for (;;) {
        uint64_t r = next64(s);
        int32_t hz = (int32_t)(uint32_t)(r >> 32);
        unsigned iz = (unsigned)r & 127u; /* layer from bits independent of hz */
        uint32_t ahz = hz < 0 ? 0u - (uint32_t)hz : (uint32_t)hz;
        if (ahz < z->k[iz])
            return hz * z->w[iz]; /* inside the layer's rectangle: ~99% */
        double x = hz * z->w[iz];
        if (iz == 0) { /* base layer: sample the tail beyond ZIG_R */
            double xx, y;
            do {
                xx = -log(urand(s)) / ZIG_R;
                y = -log(urand(s));
            } while (y + y < xx * xx);
            return hz > 0 ? ZIG_R + xx : -ZIG_R - xx;
        }
        if (z->f[iz] + urand(s) * (z->f[iz - 1] - z->f[iz]) < exp(-0.5 * x * x))
            return x; /* wedge accepted */
    }
}

/* ---- life cycle ---- */

int bx_simsig_create(const bx_simsig_config_t *c, bx_simsig_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_simsig_create: out is NULL");
    *out = NULL;
    if (!c || !(c->fs_hz > 0.0) || !(c->noise_sigma > 0.0) || c->max_sats < 1 || c->max_sats > 4096)
        return bx_err(err, errlen, BX_ERR_ARG,
                      "signal simulator: need fs_hz > 0, noise_sigma > 0 and 1 <= max_sats <= 4096");
    bx_simsig_t *g = calloc(1, sizeof *g);
    if (!g)
        return bx_err(err, errlen, BX_ERR_NOMEM, "signal simulator: out of memory");
    g->sat = calloc((size_t)c->max_sats, sizeof *g->sat);
    g->car = malloc(2 * CHUNK * sizeof *g->car);
    if (!g->sat || !g->car) {
        free(g->sat);
        free(g->car);
        free(g);
        return bx_err(err, errlen, BX_ERR_NOMEM, "signal simulator: out of memory");
    }
    g->cfg = *c;
    uint64_t x = c->seed;
    for (int i = 0; i < 4; i++)
        g->rng[i] = splitmix64(&x);
    zig_init(&g->zig);
    *out = g;
    return BX_OK;
}

void bx_simsig_destroy(bx_simsig_t *g)
{
    if (!g)
        return;
    free(g->sat);
    free(g->car);
    free(g);
}

uint64_t bx_simsig_sample_index(const bx_simsig_t *g)
{
    return g->sample;
}

/* ---- satellites ---- */

static void time_norm(bx_time_t *t)
{
    double w = floor(t->frac_s);
    t->sec += (int64_t)w;
    t->frac_s -= w;
    if (t->frac_s >= 1.0) { /* rounding of frac - floor(frac) */
        t->sec++;
        t->frac_s -= 1.0;
    }
}

static double amplitude(const bx_simsig_t *g, double cn0_dbhz)
{
    const double s = g->cfg.noise_sigma;
    double a = sqrt(pow(10.0, cn0_dbhz / 10.0) * 2.0 * s * s / g->cfg.fs_hz);
    return g->cfg.real_output ? a * M_SQRT2 : a;
}

int bx_simsig_set_sat(bx_simsig_t *g, int i, const bx_simsig_sat_t *sat)
{
    if (!g || !sat || i < 0 || i >= g->cfg.max_sats ||
        (sat->sig != BX_SIG_B1C && sat->sig != BX_SIG_B2A && sat->sig != BX_SIG_B2B) ||
        sat->prn < 1 || sat->prn > BX_PRN_MAX || !isfinite(sat->tx_time.frac_s) || !isfinite(sat->cn0_dbhz) ||
        !isfinite(sat->carrier_adv_cyc))
        return BX_ERR_ARG;
    sat_t *s = &g->sat[i];
    const sig_timing_t *tm = &timing[sat->sig];
    double rate = sat->tx_rate != 0.0 ? sat->tx_rate : 1.0 + sat->doppler_hz / tm->f_hz;
    if (!(rate > 0.5 && rate < 1.5))
        return BX_ERR_ARG;
    bx_time_t tau = sat->tx_time;
    time_norm(&tau);
    if (s->active && s->sig == sat->sig && s->prn == sat->prn) {
        /* same signal: keep the carrier coherent with tau (phase = f_sig * (tau - t) + ...) */
        double jump_s = (double)(tau.sec - s->tau.sec) + (tau.frac_s - s->tau.frac_s);
        double ph = s->phase_cyc + tm->f_hz * jump_s + (sat->carrier_adv_cyc - s->adv_cyc);
        s->phase_cyc = ph - floor(ph);
    } else {
        int b1c = sat->sig == BX_SIG_B1C;
        if (sat->sig == BX_SIG_B2B) { /* data only: the pilot arrays stay zero */
            if (bx_code_gen(BX_CODE_B2BI, sat->prn, s->code_d, PRIMARY_LEN) != PRIMARY_LEN)
                return BX_ERR_ARG;
            memset(s->code_p, 0, sizeof s->code_p);
            memset(s->sec_p, 0, sizeof s->sec_p);
        } else if (bx_code_gen(b1c ? BX_CODE_B1CD : BX_CODE_B2AD, sat->prn, s->code_d, PRIMARY_LEN) != PRIMARY_LEN ||
                   bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, sat->prn, s->code_p, PRIMARY_LEN) != PRIMARY_LEN ||
                   bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, sat->prn, s->sec_p, 1800) != tm->sec_len)
            return BX_ERR_ARG;
        /* tau_phase: the carrier of the signal arriving now, phase = f_sig tau - (f_lo - f_if) t (+ the
         * receiver's constant), so two receivers started at the same time see the same
         * transmitted phase: their single-differenced ambiguities are whole cycles, as with
         * real receivers (f_sig tau.sec is whole: the carriers are whole Hz) */
        s->phase_cyc = 0.0;
        if (g->cfg.tau_phase) {
            const double f_lo = g->cfg.fc_hz > 0.0 ? g->cfg.fc_hz : tm->f_hz;
            const long double t_rx = (long double)g->sample / g->cfg.fs_hz;
            const long double ph = fmodl((long double)tm->f_hz * tau.frac_s, 1.0L) -
                                   fmodl((long double)(f_lo - g->cfg.if_hz) * t_rx, 1.0L);
            s->phase_cyc = (double)(ph - floorl(ph));
        }
        s->phase_cyc += sat->carrier_adv_cyc - floor(sat->carrier_adv_cyc);
        s->phase_cyc -= floor(s->phase_cyc);
        s->sym_index = INT64_MIN;
        s->active = 1;
        s->sig = sat->sig;
        s->prn = sat->prn;
    }
    s->tau = tau;
    s->adv_cyc = sat->carrier_adv_cyc;
    s->rate = rate;
    s->cn0_dbhz = sat->cn0_dbhz;
    s->amp = amplitude(g, sat->cn0_dbhz);
    return BX_OK;
}

int bx_simsig_remove_sat(bx_simsig_t *g, int i)
{
    if (!g || i < 0 || i >= g->cfg.max_sats)
        return BX_ERR_ARG;
    g->sat[i].active = 0;
    return BX_OK;
}

int bx_simsig_get_sat(const bx_simsig_t *g, int i, bx_simsig_sat_t *sat, double *carrier_phase_cycles)
{
    if (!g || i < 0 || i >= g->cfg.max_sats || !g->sat[i].active)
        return BX_ERR_ARG;
    const sat_t *s = &g->sat[i];
    if (sat) {
        sat->sig = s->sig;
        sat->prn = s->prn;
        sat->tx_time = s->tau;
        sat->tx_rate = s->rate;
        sat->doppler_hz = timing[s->sig].f_hz * (s->rate - 1.0);
        sat->cn0_dbhz = s->cn0_dbhz;
    }
    if (carrier_phase_cycles)
        *carrier_phase_cycles = s->phase_cyc;
    return BX_OK;
}

/* ---- generation ---- */

/* Data symbol (logic) for the symbol containing primary period `period` of the frame at frame_s0. */
static int symbol_bit(const bx_simsig_t *g, sat_t *s, int slot, int64_t frame_s0, int period)
{
    const sig_timing_t *tm = &timing[s->sig];
    int p0 = period - period % tm->periods_symbol; /* first period of the symbol */
    int64_t idx = frame_s0 * tm->symbols_s + p0 / tm->periods_symbol;
    if (idx != s->sym_index) {
        s->sym_index = idx;
        int per_s = tm->periods_frame / tm->frame_s; /* primary periods per second: 100 / 1000 */
        bx_time_t t = {frame_s0 + p0 / per_s, (double)(p0 % per_s) / per_s};
        s->sym_bit = g->cfg.symbol ? (g->cfg.symbol(g->cfg.user, slot, s->sig, s->prn, t, idx) & 1) : 0;
    }
    return s->sym_bit;
}

/* Data and pilot multipliers (power share x symbol x secondary chips) for one primary period. */
static void period_mult(const bx_simsig_t *g, sat_t *s, int slot, int64_t frame_s0, int period, double *md,
                        double *mp)
{
    int bit = symbol_bit(g, s, slot, frame_s0, period);
    double d = bit ? -1.0 : 1.0;
    if (s->sig == BX_SIG_B1C) {
        *md = 0.5 * d;                               /* data 1/4 of the power */
        *mp = (0.5 * sqrt(3.0)) * s->sec_p[period]; /* pilot 3/4, secondary chip n = period n */
    } else if (s->sig == BX_SIG_B2B) {
        *md = d; /* B2b-I alone carries the power (the B2b-Q component is not simulated) */
        *mp = 0.0;
    } else {
        *md = M_SQRT1_2 * d * b2a_ds[period % 5];
        *mp = M_SQRT1_2 * s->sec_p[period % 100];
    }
}

/* Carrier phasors amp * exp(j 2 pi (phase + k f / fs)), k = 0..n-1, into car (re, im pairs).
 * Eight interleaved rotators (each stepping by 8 samples) keep the multiply chain short. */
static void carrier(float *restrict car, size_t n, double amp, double phase_cyc, double w)
{
    double rr[8], ri[8];
    for (int k = 0; k < 8; k++) {
        double ph = 2.0 * M_PI * phase_cyc + w * k;
        rr[k] = amp * cos(ph);
        ri[k] = amp * sin(ph);
    }
    const double wr = cos(8.0 * w), wi = sin(8.0 * w);
    for (size_t i = 0; i < n; i += 8) {
        size_t m = n - i < 8 ? n - i : 8;
        for (size_t k = 0; k < m; k++) {
            car[2 * (i + k)] = (float)rr[k];
            car[2 * (i + k) + 1] = (float)ri[k];
        }
        for (int k = 0; k < 8; k++) {
            double t = rr[k] * wr - ri[k] * wi;
            ri[k] = rr[k] * wi + ri[k] * wr;
            rr[k] = t;
        }
    }
}

/* Adds one satellite to out[0..n-1] (n <= CHUNK).  The chunk is cut at primary-period edges into
 * segments with constant symbol / secondary-code multipliers; inside a segment every sample's chip
 * position is computed directly (no running sum), so iterations are independent. */
static void render(bx_simsig_t *g, sat_t *s, int slot, bx_cf32_t *restrict out, size_t n)
{
    const sig_timing_t *tm = &timing[s->sig];
    const double fs = g->cfg.fs_hz;
    const int b1c = s->sig == BX_SIG_B1C;
    /* position inside the current frame, from the exact tau */
    int64_t in_frame = s->tau.sec % tm->frame_s;
    if (in_frame < 0)
        in_frame += tm->frame_s;
    int64_t frame_s0 = s->tau.sec - in_frame;
    double chips = ((double)in_frame + s->tau.frac_s) * tm->chip_hz;
    int period = (int)floor(chips / PRIMARY_LEN);
    double cph0 = chips - (double)period * PRIMARY_LEN; /* chip position at sample 0 */
    if (cph0 < 0.0) {
        cph0 += PRIMARY_LEN;
        period--;
    }
    while (period >= tm->periods_frame) {
        period -= tm->periods_frame;
        frame_s0 += tm->frame_s;
    }
    const double dchip = s->rate * tm->chip_hz / fs;

    /* carrier: f_sig (rate - 1) Doppler + offset of the signal from the LO + IF */
    const double f_lo = g->cfg.fc_hz > 0.0 ? g->cfg.fc_hz : tm->f_hz;
    const double f_car = tm->f_hz * (s->rate - 1.0) + (tm->f_hz - f_lo) + g->cfg.if_hz;
    float *restrict car = g->car;
    carrier(car, n, s->amp, s->phase_cyc, 2.0 * M_PI * f_car / fs);
    float *restrict o = (float *)out;

    /* QMBOC pilot split (signals.md §1.1): BOC(1,1) part in quadrature, BOC(6,1) part in phase */
    const int qmboc = g->cfg.b1c_qmboc;
    const float ka = qmboc ? (float)sqrt(29.0 / 33.0) : 1.0f, kb = (float)sqrt(4.0 / 33.0);
    const int8_t *cd = s->code_d, *cp = s->code_p;

    size_t i0 = 0;
    for (int seg = 0; i0 < n; seg++) {
        /* samples of this primary period: chip position x_i - seg * L in [0, L) */
        double base = (double)seg * PRIMARY_LEN;
        double end_d = ceil((base + PRIMARY_LEN - cph0) / dchip);
        size_t i1 = end_d < (double)n ? (size_t)end_d : n;
        if (i1 < i0)
            i1 = i0;
        double md, mp; /* amplitude excluded: it is in the carrier */
        period_mult(g, s, slot, frame_s0, period, &md, &mp);
        const float fd = (float)md, fp = (float)mp;
        /* fixed-point chip position (32 fractional bits) from the segment's first sample */
        double x0 = cph0 + (double)i0 * dchip - base;
        x0 = x0 < 0.0 ? 0.0 : x0;
        uint64_t acc = (uint64_t)(x0 * 4294967296.0);
        const uint64_t step = (uint64_t)(dchip * 4294967296.0 + 0.5);
        const uint64_t last = (uint64_t)PRIMARY_LEN << 32; /* clamp: rounding at the period edge */
        if (b1c && !qmboc) {
            for (size_t i = i0; i < i1; i++, acc += step) {
                uint64_t a = acc < last ? acc : last - 1;
                int ic = (int)(a >> 32);
                float sa = (a >> 31) & 1 ? -1.0f : 1.0f; /* sine BOC(1,1): each chip starts with +1 */
                float re = fd * cd[ic] * sa, im = fp * cp[ic] * sa;
                o[2 * i] += re * car[2 * i] - im * car[2 * i + 1];
                o[2 * i + 1] += re * car[2 * i + 1] + im * car[2 * i];
            }
        } else if (b1c) {
            for (size_t i = i0; i < i1; i++, acc += step) {
                uint64_t a = acc < last ? acc : last - 1;
                int ic = (int)(a >> 32);
                unsigned t = (unsigned)(((a & 0xFFFFFFFFu) * 12u) >> 32); /* twelfth of the chip, 0..11 */
                float sa = t < 6 ? 1.0f : -1.0f;      /* BOC(1,1) */
                float sb = (t & 1) ? -1.0f : 1.0f;    /* sine BOC(6,1): 12 half-periods per chip */
                float pc = fp * cp[ic];
                float re = fd * cd[ic] * sa + pc * kb * sb, im = pc * ka * sa;
                o[2 * i] += re * car[2 * i] - im * car[2 * i + 1];
                o[2 * i + 1] += re * car[2 * i + 1] + im * car[2 * i];
            }
        } else {
            for (size_t i = i0; i < i1; i++, acc += step) {
                uint64_t a = acc < last ? acc : last - 1;
                int ic = (int)(a >> 32);
                float re = fd * cd[ic], im = fp * cp[ic];
                o[2 * i] += re * car[2 * i] - im * car[2 * i + 1];
                o[2 * i + 1] += re * car[2 * i + 1] + im * car[2 * i];
            }
        }
        i0 = i1;
        if (++period == tm->periods_frame) {
            period = 0;
            frame_s0 += tm->frame_s;
        }
    }
    /* advance the exact state */
    s->tau.frac_s += s->rate * (double)n / fs;
    time_norm(&s->tau);
    double ph = s->phase_cyc + f_car * (double)n / fs;
    s->phase_cyc = ph - floor(ph);
}

int bx_simsig_generate(bx_simsig_t *g, bx_cf32_t *out, size_t n)
{
    if (!g || (n && !out))
        return BX_ERR_ARG;
    const double sg = g->cfg.noise_sigma;
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t m = n - off < CHUNK ? n - off : CHUNK;
        bx_cf32_t *o = out + off;
        if (!g->cfg.noise) {
            memset(o, 0, m * sizeof *o);
        } else if (g->cfg.real_output) {
            for (size_t i = 0; i < m; i++)
                o[i] = (float)(sg * zig_normal(g->rng, &g->zig));
        } else {
            for (size_t i = 0; i < m; i++) {
                double a = zig_normal(g->rng, &g->zig);
                double b = zig_normal(g->rng, &g->zig);
                o[i] = (float)(sg * a) + I * (float)(sg * b);
            }
        }
        for (int k = 0; k < g->cfg.max_sats; k++)
            if (g->sat[k].active)
                render(g, &g->sat[k], k, o, m);
        if (g->cfg.real_output)
            for (size_t i = 0; i < m; i++)
                o[i] = crealf(o[i]);
        g->sample += m;
    }
    return BX_OK;
}
