/*
 * Correlator front door: request -> fixed point, the double-precision
 * reference, the portable implementation (VOLK rotator + scalar taps) and the
 * run-time selection of the AVX2 kernel (dsp/corr_avx2.c).
 */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <volk/volk.h>

#include "bdsrx/corr.h"
#include "bdsrx/types.h"
#include "corr_impl.h"
#include "bx_err.h"

#define GENERIC_PIECE 4096 /* samples rotated per VOLK call (multiple of BX_CORR_CHUNK) */

struct bx_corr {
    int impl;
    float _Complex *scratch; /* GENERIC: wiped-off samples of one piece */
};

static int cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int bx_corr_create(int impl, bx_corr_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_corr_create: out is NULL");
    *out = NULL;
    if (impl == BX_CORR_AUTO)
        impl = cpu_has_avx2() ? BX_CORR_AVX2 : BX_CORR_GENERIC;
    if (impl == BX_CORR_AVX2 && !cpu_has_avx2())
        return bx_err(err, errlen, BX_ERR_UNSUPPORTED, "correlator: this CPU has no AVX2/FMA");
    if (impl != BX_CORR_REF && impl != BX_CORR_GENERIC && impl != BX_CORR_AVX2)
        return bx_err(err, errlen, BX_ERR_ARG, "correlator: unknown implementation %d", impl);
    bx_corr_t *c = calloc(1, sizeof *c);
    if (!c)
        return bx_err(err, errlen, BX_ERR_NOMEM, "correlator: out of memory");
    c->impl = impl;
    if (impl == BX_CORR_GENERIC) {
        c->scratch = volk_malloc(GENERIC_PIECE * sizeof *c->scratch, volk_get_alignment());
        if (!c->scratch) {
            free(c);
            return bx_err(err, errlen, BX_ERR_NOMEM, "correlator: out of memory");
        }
    }
    *out = c;
    return BX_OK;
}

int bx_corr_impl(const bx_corr_t *c) { return c->impl; }

const char *bx_corr_impl_name(int impl)
{
    switch (impl) {
    case BX_CORR_AUTO: return "auto";
    case BX_CORR_REF: return "ref";
    case BX_CORR_GENERIC: return "generic(volk)";
    case BX_CORR_AVX2: return "avx2";
    default: return "?";
    }
}

void bx_corr_destroy(bx_corr_t *c)
{
    if (!c)
        return;
    if (c->scratch)
        volk_free(c->scratch);
    free(c);
}

static int to_fx(const bx_corr_req_t *r, bx_corr_fx_t *fx)
{
    if (r->ntaps < 1 || r->ntaps > BX_CORR_MAX_TAPS || r->data_tap < 0 || r->data_tap >= r->ntaps ||
        !(r->code_step > 0.0 && r->code_step < 16.0) || !(fabs(r->code_idx) < 1e9))
        return BX_ERR_ARG;
    fx->P = llround(r->code_idx * 4294967296.0);
    fx->S = llround(r->code_step * 4294967296.0);
    for (int k = 0; k < r->ntaps; k++) {
        if (!(fabs(r->tap_off[k]) < 2000.0))
            return BX_ERR_ARG;
        fx->O[k] = (int32_t)lround(r->tap_off[k] * (double)(1 << BX_CORR_FRAC));
    }
    fx->ntaps = r->ntaps;
    fx->data_tap = r->data_tap;
    fx->carr_cyc = r->carr_cyc;
    fx->carr_step_cyc = r->carr_step_cyc;
    return BX_OK;
}

/* Index of sample i, tap k: the definition in corr.h, written out once. */
static inline int64_t fx_index(const bx_corr_fx_t *fx, size_t i, int k)
{
    size_t s = i - i % BX_CORR_CHUNK;
    int64_t B = fx->P + (int64_t)s * fx->S;
    int64_t I0 = B >> 32;
    int32_t f = (int32_t)(((uint64_t)B & 0xffffffffu) >> (32 - BX_CORR_FRAC));
    int32_t Sq = (int32_t)(fx->S >> (32 - BX_CORR_FRAC));
    int32_t r = f + (int32_t)(i - s) * Sq + fx->O[k];
    return I0 + (r >> BX_CORR_FRAC);
}

int64_t bx_corr_index(const bx_corr_req_t *req, size_t i, int k)
{
    bx_corr_fx_t fx;
    if (to_fx(req, &fx) != BX_OK || k < 0 || k >= req->ntaps)
        return INT64_MIN;
    return fx_index(&fx, i, k);
}

/* Reference: exact carrier per sample in double, double accumulators. */
static void corr_ref(const float _Complex *x, size_t n, const uint8_t *table, const bx_corr_fx_t *fx,
                     bx_corr_out_t *out)
{
    double ar[BX_CORR_MAX_TAPS] = {0}, ai[BX_CORR_MAX_TAPS] = {0}, dr = 0, di = 0;
    for (size_t i = 0; i < n; i++) {
        double ph = -2.0 * M_PI * (fx->carr_cyc + (double)i * fx->carr_step_cyc);
        double c = cos(ph), s = sin(ph);
        double xr = crealf(x[i]), xi = cimagf(x[i]);
        double yr = xr * c - xi * s, yi = xr * s + xi * c;
        for (int k = 0; k < fx->ntaps; k++) {
            uint8_t e = table[fx_index(fx, i, k)];
            double sg = (e & BX_CORR_PILOT_NEG) ? -1.0 : 1.0;
            ar[k] += sg * yr;
            ai[k] += sg * yi;
            if (k == fx->data_tap) {
                double sd = (e & BX_CORR_DATA_NEG) ? -1.0 : 1.0;
                dr += sd * yr;
                di += sd * yi;
            }
        }
    }
    for (int k = 0; k < fx->ntaps; k++)
        out->tap[k] = (float)ar[k] + I * (float)ai[k];
    out->data = (float)dr + I * (float)di;
}

/* Portable: VOLK rotates a piece into scratch, scalar loops correlate it. */
static void corr_generic(bx_corr_t *c, const float _Complex *x, size_t n, const uint8_t *table,
                         const bx_corr_fx_t *fx, bx_corr_out_t *out)
{
    float ar[BX_CORR_MAX_TAPS] = {0}, ai[BX_CORR_MAX_TAPS] = {0}, dr = 0, di = 0;
    const int32_t Sq = (int32_t)(fx->S >> (32 - BX_CORR_FRAC));
    const double w = -2.0 * M_PI * fx->carr_step_cyc;
    const lv_32fc_t inc = (float)cos(w) + I * (float)sin(w);
    for (size_t p0 = 0; p0 < n; p0 += GENERIC_PIECE) {
        size_t m = n - p0 < GENERIC_PIECE ? n - p0 : GENERIC_PIECE;
        double ph = -2.0 * M_PI * fmod(fx->carr_cyc + (double)p0 * fx->carr_step_cyc, 1.0);
        lv_32fc_t phase = (float)cos(ph) + I * (float)sin(ph);
        volk_32fc_s32fc_x2_rotator_32fc(c->scratch, x + p0, inc, &phase, (unsigned)m);
        for (size_t s = 0; s < m; s += BX_CORR_CHUNK) {
            size_t len = m - s < BX_CORR_CHUNK ? m - s : BX_CORR_CHUNK;
            int64_t B = fx->P + (int64_t)(p0 + s) * fx->S;
            const uint8_t *base = table + (B >> 32);
            int32_t f = (int32_t)(((uint64_t)B & 0xffffffffu) >> (32 - BX_CORR_FRAC));
            const float _Complex *y = c->scratch + s;
            for (int k = 0; k < fx->ntaps; k++) {
                float sr = 0, si = 0, tr = 0, ti = 0;
                int32_t r = f + fx->O[k];
                int dk = k == fx->data_tap;
                for (size_t j = 0; j < len; j++, r += Sq) {
                    uint8_t e = base[r >> BX_CORR_FRAC];
                    float yr = crealf(y[j]), yi = cimagf(y[j]);
                    float sg = (e & BX_CORR_PILOT_NEG) ? -1.0f : 1.0f;
                    sr += sg * yr;
                    si += sg * yi;
                    if (dk) {
                        float sd = (e & BX_CORR_DATA_NEG) ? -1.0f : 1.0f;
                        tr += sd * yr;
                        ti += sd * yi;
                    }
                }
                ar[k] += sr;
                ai[k] += si;
                if (dk) {
                    dr += tr;
                    di += ti;
                }
            }
        }
    }
    for (int k = 0; k < fx->ntaps; k++)
        out->tap[k] = ar[k] + I * ai[k];
    out->data = dr + I * di;
}

int bx_corr_run(bx_corr_t *c, const float _Complex *x, size_t n, const uint8_t *table,
                const bx_corr_req_t *req, bx_corr_out_t *out)
{
    bx_corr_fx_t fx;
    int st = to_fx(req, &fx);
    if (st != BX_OK)
        return st;
    memset(out, 0, sizeof *out);
    if (n == 0)
        return BX_OK;
    switch (c->impl) {
    case BX_CORR_REF: corr_ref(x, n, table, &fx, out); break;
    case BX_CORR_AVX2: bx_corr_kernel_avx2(x, n, table, &fx, out); break;
    default: corr_generic(c, x, n, table, &fx, out); break;
    }
    return BX_OK;
}
