/* 64-ary LDPC codes of BDS-3 (shared/icd/navmsg.md §1.3; ICD B1C §6.2.2, B2a §6.2.2,
 * B2b §6.2.2): systematic encoder from the derived P matrices and a soft-decision
 * min-sum decoder over GF(64).
 *
 * Decoder: every message is a cost vector of 64 entries (negative log-likelihood of each
 * symbol value, shifted so that the smallest entry is 0).  Channel costs come from the
 * 6 bit soft values of a symbol (first bit = MSB): cost(s) = sum of |L_b| over the bits
 * where s disagrees with the hard decision.  A check node with 4 edges computes, for each
 * edge, the min-sum "XOR convolution" of the 3 other incoming vectors after mapping each
 * through its H element (value z = h*c), with a forward/backward pass (6 convolutions
 * per check).  Variable nodes have degree 2.  Every step is linear in the costs or a
 * min, so the decoder is invariant to the scale of the soft input: no noise estimate is
 * needed.  The check-to-variable messages are scaled by `damping` (normalised min-sum),
 * which compensates the over-confidence of min-sum on this short-cycled graph. */
#include <stdlib.h>
#include <string.h>

#include "bdsrx/fec.h"
#include "ldpc_tables.h"
#include "bx_err.h"

#define Q 64

struct bx_ldpc {
    bx_ldpc_code_t code;
    const bx_ldpc_table_t *t;
    int n, m, ne; /* symbols, checks, edges (= 4 m = 2 n) */
    int max_iter, hard;
    float damping;
    uint8_t (*mulh)[Q];        /* [ne] h_e * c for c = 0..63 */
    uint16_t (*col_edges)[2];  /* [n] the two edges of each column */
    float (*chan)[Q];          /* [n] channel costs */
    float (*v2c)[Q], (*c2v)[Q];/* [ne] messages */
    uint8_t *sym;              /* [n] current hard decisions */
};

static const bx_ldpc_table_t *table_of(bx_ldpc_code_t code)
{
    if ((int)code < 0 || (int)code >= BX_LDPC_NCODES)
        return NULL;
    return &bx_ldpc_tables[code];
}

int bx_ldpc_info_bits(bx_ldpc_code_t code)
{
    const bx_ldpc_table_t *t = table_of(code);
    return t ? 6 * t->k : BX_ERR_ARG;
}

int bx_ldpc_code_bits(bx_ldpc_code_t code)
{
    const bx_ldpc_table_t *t = table_of(code);
    return t ? 6 * t->n : BX_ERR_ARG;
}

static uint8_t bits_to_sym(const uint8_t *b)
{
    return (uint8_t)(((b[0] & 1) << 5) | ((b[1] & 1) << 4) | ((b[2] & 1) << 3) | ((b[3] & 1) << 2) |
                     ((b[4] & 1) << 1) | (b[5] & 1));
}

static void sym_to_bits(uint8_t s, uint8_t *b)
{
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)((s >> (5 - i)) & 1);
}

int bx_ldpc_encode(bx_ldpc_code_t code, const uint8_t *info_bits, uint8_t *code_bits)
{
    const bx_ldpc_table_t *t = table_of(code);
    if (!t || !info_bits || !code_bits)
        return BX_ERR_ARG;
    int k = t->k;
    uint8_t msg[128];
    for (int j = 0; j < k; j++)
        msg[j] = bits_to_sym(info_bits + 6 * j);
    memmove(code_bits, info_bits, (size_t)(6 * k));
    for (int i = 0; i < k; i++) {
        uint8_t p = 0;
        const uint8_t *row = t->p + (size_t)i * k;
        for (int j = 0; j < k; j++)
            p ^= bx_gf64_mul(row[j], msg[j]);
        sym_to_bits(p, code_bits + 6 * (k + i));
    }
    return BX_OK;
}

static int syndrome_ok(const bx_ldpc_table_t *t, const uint8_t *sym)
{
    for (int r = 0; r < t->k; r++) {
        uint8_t s = 0;
        for (int i = 0; i < 4; i++)
            s ^= bx_gf64_mul(t->ele[r][i], sym[t->col[r][i]]);
        if (s)
            return 0;
    }
    return 1;
}

int bx_ldpc_check(bx_ldpc_code_t code, const uint8_t *code_bits)
{
    const bx_ldpc_table_t *t = table_of(code);
    if (!t || !code_bits)
        return BX_ERR_ARG;
    uint8_t sym[256];
    for (int j = 0; j < t->n; j++)
        sym[j] = bits_to_sym(code_bits + 6 * j);
    return syndrome_ok(t, sym);
}

void bx_ldpc_config_default(bx_ldpc_config_t *c)
{
    c->max_iter = 40;
    c->hard = 0;
    c->damping = 0.875f; /* best FER of 0.5..1.0 on all four codes (bench_ldpc) */
}

static bx_ldpc_t *ldpc_new(bx_ldpc_code_t code, const bx_ldpc_config_t *c)
{
    const bx_ldpc_table_t *t = table_of(code);
    if (!t)
        return NULL;
    bx_ldpc_config_t def;
    if (!c) {
        bx_ldpc_config_default(&def);
        c = &def;
    }
    bx_ldpc_t *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->code = code;
    d->t = t;
    d->n = t->n;
    d->m = t->k;
    d->ne = 4 * t->k;
    d->max_iter = c->max_iter > 0 ? c->max_iter : 40;
    d->hard = c->hard;
    d->damping = (c->damping > 0.0f && c->damping <= 1.0f) ? c->damping : 0.875f;
    d->mulh = malloc(sizeof *d->mulh * (size_t)d->ne);
    d->col_edges = malloc(sizeof *d->col_edges * (size_t)d->n);
    d->chan = malloc(sizeof *d->chan * (size_t)d->n);
    d->v2c = malloc(sizeof *d->v2c * (size_t)d->ne);
    d->c2v = malloc(sizeof *d->c2v * (size_t)d->ne);
    d->sym = malloc((size_t)d->n);
    int *deg = calloc((size_t)d->n, sizeof *deg);
    if (!d->mulh || !d->col_edges || !d->chan || !d->v2c || !d->c2v || !d->sym || !deg) {
        free(deg);
        bx_ldpc_destroy(d);
        return NULL;
    }
    for (int r = 0; r < d->m; r++) {
        for (int i = 0; i < 4; i++) {
            int e = 4 * r + i, col = t->col[r][i];
            for (int v = 0; v < Q; v++)
                d->mulh[e][v] = bx_gf64_mul(t->ele[r][i], (uint8_t)v);
            if (deg[col] < 2) /* column weight 2 is checked by the table generator */
                d->col_edges[col][deg[col]] = (uint16_t)e;
            deg[col]++;
        }
    }
    free(deg);
    return d;
}

int bx_ldpc_create(bx_ldpc_code_t code, const bx_ldpc_config_t *c, bx_ldpc_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_ldpc_create: out is NULL");
    if (!table_of(code)) {
        *out = NULL;
        return bx_err(err, errlen, BX_ERR_ARG, "LDPC: unknown code %d", (int)code);
    }
    *out = ldpc_new(code, c);
    return *out ? BX_OK : bx_err(err, errlen, BX_ERR_NOMEM, "LDPC: out of memory");
}

void bx_ldpc_destroy(bx_ldpc_t *d)
{
    if (!d)
        return;
    free(d->mulh);
    free(d->col_edges);
    free(d->chan);
    free(d->v2c);
    free(d->c2v);
    free(d->sym);
    free(d);
}

bx_ldpc_code_t bx_ldpc_code(const bx_ldpc_t *d)
{
    return d->code;
}

/* out[z] = min over x of a[x] + b[x ^ z].  Arranged for 4-wide SIMD: with x = 4 xh + xl
 * and z = 4 zb + i, b[x ^ z] = bp[xl][4 (zb ^ xh) + i] where bp[xl][w] = b[w ^ xl]; each
 * output block of 4 is accumulated in registers (4 independent chains, one per xl). */
#if defined(__SSE2__) && !defined(BX_LDPC_SCALAR)
#include <emmintrin.h>
static void conv(const float *restrict a, const float *restrict b, float *restrict out)
{
    __m128 bp[4][Q / 4], ab[Q];
    for (int xl = 0; xl < 4; xl++)
        for (int w = 0; w < Q / 4; w++)
            bp[xl][w] = _mm_setr_ps(b[(4 * w) ^ xl], b[(4 * w + 1) ^ xl], b[(4 * w + 2) ^ xl],
                                    b[(4 * w + 3) ^ xl]);
    for (int x = 0; x < Q; x++)
        ab[x] = _mm_set1_ps(a[x]);
    for (int zb = 0; zb < Q / 4; zb++) {
        __m128 m0 = _mm_add_ps(ab[0], bp[0][zb]), m1 = _mm_add_ps(ab[1], bp[1][zb]);
        __m128 m2 = _mm_add_ps(ab[2], bp[2][zb]), m3 = _mm_add_ps(ab[3], bp[3][zb]);
        for (int xh = 1; xh < Q / 4; xh++) {
            const int w = zb ^ xh;
            const __m128 *ax = ab + 4 * xh;
            m0 = _mm_min_ps(m0, _mm_add_ps(ax[0], bp[0][w]));
            m1 = _mm_min_ps(m1, _mm_add_ps(ax[1], bp[1][w]));
            m2 = _mm_min_ps(m2, _mm_add_ps(ax[2], bp[2][w]));
            m3 = _mm_min_ps(m3, _mm_add_ps(ax[3], bp[3][w]));
        }
        _mm_storeu_ps(out + 4 * zb, _mm_min_ps(_mm_min_ps(m0, m1), _mm_min_ps(m2, m3)));
    }
}
#else
static void conv(const float *restrict a, const float *restrict b, float *restrict out)
{
    for (int z = 0; z < Q; z++) {
        float m = a[0] + b[z];
        for (int x = 1; x < Q; x++) {
            float v = a[x] + b[x ^ z];
            m = v < m ? v : m;
        }
        out[z] = m;
    }
}
#endif

static void check_update(bx_ldpc_t *d, int r)
{
    float a[4][Q] __attribute__((aligned(16)));
    float f1[Q] __attribute__((aligned(16))), f2[Q] __attribute__((aligned(16)));
    float b1[Q] __attribute__((aligned(16))), b2[Q] __attribute__((aligned(16)));
    float o1[Q] __attribute__((aligned(16))), o2[Q] __attribute__((aligned(16)));
    const int e0 = 4 * r;
    for (int k = 0; k < 4; k++) {
        const uint8_t *mh = d->mulh[e0 + k];
        const float *v = d->v2c[e0 + k];
        for (int c = 0; c < Q; c++)
            a[k][mh[c]] = v[c];
    }
    conv(a[0], a[1], f1);
    conv(f1, a[2], f2);
    conv(a[3], a[2], b2);
    conv(b2, a[1], b1);
    conv(a[0], b2, o1);
    conv(f1, a[3], o2);
    const float *o[4] = {b1, o1, o2, f2};
    const float g = d->damping;
    for (int k = 0; k < 4; k++) {
        const uint8_t *mh = d->mulh[e0 + k];
        float *m = d->c2v[e0 + k];
        for (int c = 0; c < Q; c++)
            m[c] = g * o[k][mh[c]];
    }
}

static void normalise(float *v)
{
    float mn = v[0];
    for (int c = 1; c < Q; c++)
        mn = v[c] < mn ? v[c] : mn;
    for (int c = 0; c < Q; c++)
        v[c] -= mn;
}

int bx_ldpc_decode(bx_ldpc_t *d, const float *soft_bits, uint8_t *out_bits, int *iter)
{
    if (!d || !soft_bits || !out_bits)
        return BX_ERR_ARG;
    const int n = d->n;
    /* channel costs: cost(s) = sum over bits of |L_b| where bit_b(s) != hard decision */
    for (int j = 0; j < n; j++) {
        float mag[6];
        uint8_t hd = 0;
        for (int b = 0; b < 6; b++) {
            float l = soft_bits[6 * j + b];
            hd = (uint8_t)(hd << 1 | (l < 0.0f));
            mag[b] = d->hard ? (l != 0.0f ? 1.0f : 0.0f) : (l < 0.0f ? -l : l);
        }
        d->sym[j] = hd;
        for (int s = 0; s < Q; s++) {
            int diff = s ^ hd;
            float cst = 0.0f;
            for (int b = 0; b < 6; b++)
                if (diff & (32 >> b))
                    cst += mag[b];
            d->chan[j][s] = cst;
        }
    }
    int it = 0, ok = syndrome_ok(d->t, d->sym);
    if (!ok) {
        for (int j = 0; j < n; j++)
            for (int k = 0; k < 2; k++)
                memcpy(d->v2c[d->col_edges[j][k]], d->chan[j], sizeof d->chan[j]);
        while (!ok && it < d->max_iter) {
            it++;
            for (int r = 0; r < d->m; r++)
                check_update(d, r);
            for (int j = 0; j < n; j++) {
                const int ea = d->col_edges[j][0], eb = d->col_edges[j][1];
                const float *ch = d->chan[j], *ca = d->c2v[ea], *cb = d->c2v[eb];
                float *va = d->v2c[ea], *vb = d->v2c[eb];
                float best = 0.0f;
                int arg = 0;
                for (int c = 0; c < Q; c++) {
                    va[c] = ch[c] + cb[c];
                    vb[c] = ch[c] + ca[c];
                    float post = va[c] + ca[c];
                    if (c == 0 || post < best) {
                        best = post;
                        arg = c;
                    }
                }
                normalise(va);
                normalise(vb);
                d->sym[j] = (uint8_t)arg;
            }
            ok = syndrome_ok(d->t, d->sym);
        }
    }
    for (int j = 0; j < n; j++)
        sym_to_bits(d->sym[j], out_bits + 6 * j);
    if (iter)
        *iter = it;
    return ok ? BX_OK : BX_ERR_DECODE;
}
