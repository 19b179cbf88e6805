/* GF(64) arithmetic and the 64-ary LDPC codes (navmsg.md §1.2-1.3):
 * - GF(64) against bitwise polynomial multiplication modulo p(x) = x^6 + x + 1;
 * - the encoders (derived P matrices) against the parity-check matrices H and against the
 *   real over-the-air codewords of testvectors.md TV2 (parity reproduced bit for bit);
 * - the soft decoder on TV2 (clean, corrupted) and in AWGN round trips, compared with the
 *   same decoder fed hard decisions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bdsrx/fec.h"
#include "navmsg_vectors.h"
#include "testdata.h"

typedef struct {
    uint64_t s;
} rng_t;
static uint64_t rnext(rng_t *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return r->s >> 11;
}
static double urand(rng_t *r)
{
    return (rnext(r) + 0.5) / 9007199254740992.0;
}
static double grand(rng_t *r)
{
    return sqrt(-2.0 * log(urand(r))) * cos(2.0 * M_PI * urand(r));
}

static const bx_ldpc_code_t codes[4] = {BX_LDPC_200_100, BX_LDPC_88_44, BX_LDPC_96_48, BX_LDPC_162_81};

/* independent GF(2^6) multiply: carry-less product reduced by x^6 + x + 1 */
static uint8_t slow_mul(uint8_t a, uint8_t b)
{
    unsigned p = 0;
    for (int i = 0; i < 6; i++)
        if (b >> i & 1)
            p ^= (unsigned)a << i;
    for (int i = 11; i >= 6; i--)
        if (p >> i & 1)
            p ^= 0x43u << (i - 6);
    return (uint8_t)p;
}

static void test_gf64(void **state)
{
    (void)state;
    for (int a = 0; a < 64; a++) {
        for (int b = 0; b < 64; b++)
            assert_int_equal(bx_gf64_mul((uint8_t)a, (uint8_t)b), slow_mul((uint8_t)a, (uint8_t)b));
        if (a) {
            assert_int_equal(bx_gf64_mul((uint8_t)a, bx_gf64_inv((uint8_t)a)), 1);
            assert_int_equal(bx_gf64_exp(bx_gf64_log((uint8_t)a)), a);
        }
    }
    assert_int_equal(bx_gf64_exp(6), 3); /* alpha^6 = alpha + 1 */
    assert_int_equal(bx_gf64_exp(63), 1);
    assert_int_equal(bx_gf64_log(0), -1);
    assert_int_equal(bx_gf64_inv(0), 0);
}

static void test_sizes(void **state)
{
    (void)state;
    const int kb[4] = {600, 264, 288, 486};
    for (int c = 0; c < 4; c++) {
        assert_int_equal(bx_ldpc_info_bits(codes[c]), kb[c]);
        assert_int_equal(bx_ldpc_code_bits(codes[c]), 2 * kb[c]);
    }
    assert_int_equal(bx_ldpc_info_bits((bx_ldpc_code_t)9), BX_ERR_ARG);
    { bx_ldpc_t *bad; assert_int_equal(bx_ldpc_create((bx_ldpc_code_t)-1, NULL, &bad, NULL, 0), BX_ERR_ARG); assert_null(bad); }
}

/* P and H are consistent: every encoded word satisfies all checks */
static void test_encoder_vs_H(void **state)
{
    (void)state;
    rng_t r = {1};
    uint8_t info[600], cw[1200];
    for (int c = 0; c < 4; c++) {
        int kb = bx_ldpc_info_bits(codes[c]), nb = bx_ldpc_code_bits(codes[c]);
        for (int t = 0; t < 20; t++) {
            for (int i = 0; i < kb; i++)
                info[i] = (uint8_t)(rnext(&r) & 1);
            assert_int_equal(bx_ldpc_encode(codes[c], info, cw), BX_OK);
            assert_memory_equal(cw, info, (size_t)kb);
            assert_int_equal(bx_ldpc_check(codes[c], cw), 1);
            int pos = (int)(rnext(&r) % (uint64_t)nb);
            cw[pos] ^= 1;
            assert_int_equal(bx_ldpc_check(codes[c], cw), 0);
        }
    }
}

static const struct {
    bx_ldpc_code_t code;
    const char *hex;
    const char *name;
} real_cw[] = {
    {BX_LDPC_200_100, TV2_B1C_SF2, "TV2 B-CNAV1 SF2"},
    {BX_LDPC_88_44, TV2_B1C_SF3, "TV2 B-CNAV1 SF3"},
    {BX_LDPC_96_48, TV2_B2A, "TV2 B-CNAV2"},
    {BX_LDPC_162_81, TV2_B2B, "TV2 B-CNAV3"},
    {BX_LDPC_200_100, TV1_SF2_CW, "TV1 SF2"},
    {BX_LDPC_88_44, TV1_SF3_CW, "TV1 SF3"},
};
#define N_REAL (sizeof real_cw / sizeof real_cw[0])

/* the real codewords satisfy H and their parity is reproduced by the encoder */
static void test_real_codewords_encode(void **state)
{
    (void)state;
    uint8_t cw[1200], enc[1200];
    for (size_t i = 0; i < N_REAL; i++) {
        int nb = bx_ldpc_code_bits(real_cw[i].code), kb = nb / 2;
        assert_int_equal(tv_hex_to_bits(real_cw[i].hex, cw, nb), nb);
        assert_int_equal(bx_ldpc_check(real_cw[i].code, cw), 1);
        assert_true(bx_crc24q_check(cw, kb));
        bx_ldpc_encode(real_cw[i].code, cw, enc);
        assert_memory_equal(enc, cw, (size_t)nb);
    }
}

/* the decoder returns the real codewords: clean, with bit errors, with noise */
static void test_real_codewords_decode(void **state)
{
    (void)state;
    uint8_t cw[1200], out[1200];
    float soft[1200];
    rng_t r = {42};
    bx_ldpc_config_t hc;
    bx_ldpc_config_default(&hc);
    hc.hard = 1;
    for (size_t i = 0; i < N_REAL; i++) {
        bx_ldpc_code_t code = real_cw[i].code;
        int nb = bx_ldpc_code_bits(code), it;
        bx_ldpc_t *d = NULL, *dh = NULL;
        bx_ldpc_create(code, NULL, &d, NULL, 0);
        bx_ldpc_create(code, &hc, &dh, NULL, 0);
        assert_non_null(d);
        assert_non_null(dh);
        assert_int_equal(bx_ldpc_code(d), code);
        tv_hex_to_bits(real_cw[i].hex, cw, nb);
        tv_bits_to_soft(cw, nb, 3.0f, soft);
        assert_int_equal(bx_ldpc_decode(d, soft, out, &it), BX_OK);
        assert_int_equal(it, 0);
        assert_memory_equal(out, cw, (size_t)nb);
        /* 4 % of the bits flipped with low confidence plus mild noise */
        int flips = 0;
        for (int t = 0; t < nb; t++) {
            soft[t] = (float)((cw[t] ? -1.0 : 1.0) + 0.3 * grand(&r));
            if (t % 25 == 7) {
                soft[t] = cw[t] ? 0.3f : -0.3f;
                flips++;
            }
        }
        assert_int_equal(bx_ldpc_check(code, out), 1);
        assert_int_equal(bx_ldpc_decode(d, soft, out, &it), BX_OK);
        assert_true(it > 0);
        assert_memory_equal(out, cw, (size_t)nb);
        /* scale invariance: the same result for any amplitude */
        for (int t = 0; t < nb; t++)
            soft[t] *= 1000.0f;
        assert_int_equal(bx_ldpc_decode(d, soft, out, NULL), BX_OK);
        assert_memory_equal(out, cw, (size_t)nb);
        /* hard-decision decoding corrects a few scattered bit errors */
        tv_bits_to_soft(cw, nb, 1.0f, soft);
        for (int t = 11; t < nb; t += nb / 5)
            soft[t] = -soft[t];
        assert_int_equal(bx_ldpc_decode(dh, soft, out, NULL), BX_OK);
        assert_memory_equal(out, cw, (size_t)nb);
        /* erasures (soft 0) of 10 % of the bits are filled in */
        tv_bits_to_soft(cw, nb, 1.0f, soft);
        for (int t = 3; t < nb; t += 10)
            soft[t] = 0.0f;
        assert_int_equal(bx_ldpc_decode(d, soft, out, NULL), BX_OK);
        assert_memory_equal(out, cw, (size_t)nb);
        print_message("%s: decoded clean, with %d weak errors, hard errors, erasures\n", real_cw[i].name,
                      flips);
        bx_ldpc_destroy(d);
        bx_ldpc_destroy(dh);
    }
}

/* random info -> encode -> BPSK + AWGN -> decode; counts frame errors */
static int awgn_trials(bx_ldpc_t *d, bx_ldpc_code_t code, double ebn0_db, int trials, rng_t *r, int *undetected)
{
    uint8_t info[600], cw[1200], out[1200];
    float soft[1200];
    int kb = bx_ldpc_info_bits(code), nb = bx_ldpc_code_bits(code), errors = 0;
    double sigma = sqrt(1.0 / (2.0 * 0.5 * pow(10.0, ebn0_db / 10.0)));
    for (int t = 0; t < trials; t++) {
        for (int i = 0; i < kb; i++)
            info[i] = (uint8_t)(rnext(r) & 1);
        bx_ldpc_encode(code, info, cw);
        for (int i = 0; i < nb; i++)
            soft[i] = (float)((cw[i] ? -1.0 : 1.0) + sigma * grand(r));
        int st = bx_ldpc_decode(d, soft, out, NULL);
        int wrong = memcmp(out, cw, (size_t)nb) != 0;
        errors += wrong;
        if (st == BX_OK && wrong && undetected)
            (*undetected)++;
    }
    return errors;
}

static void test_awgn_round_trip(void **state)
{
    (void)state;
    rng_t r = {2024};
    bx_ldpc_config_t hc;
    bx_ldpc_config_default(&hc);
    hc.hard = 1;
    for (int c = 0; c < 4; c++) {
        bx_ldpc_t *d = NULL, *dh = NULL;
        bx_ldpc_create(codes[c], NULL, &d, NULL, 0);
        bx_ldpc_create(codes[c], &hc, &dh, NULL, 0);
        int und = 0;
        /* bench_ldpc: soft FER ~3e-2 at 1.5 dB and < 1e-2 at 2.0 dB for every code; hard
         * decisions need ~2 dB more (FER ~0.5-0.8 at 2.0 dB) */
        int e_soft = awgn_trials(d, codes[c], 2.5, 60, &r, &und);
        int e_soft_low = awgn_trials(d, codes[c], 1.5, 60, &r, &und);
        int e_hard = awgn_trials(dh, codes[c], 2.0, 30, &r, NULL);
        print_message("code %d: FER soft 2.5 dB %d/60, soft 1.5 dB %d/60, hard 2.0 dB %d/30, undetected %d\n",
                      c, e_soft, e_soft_low, e_hard, und);
        assert_true(e_soft <= 1);
        assert_true(e_soft_low <= 15);
        assert_true(e_hard >= 8); /* hard decisions fail often 0.5 dB above soft's waterfall */
        assert_true(und <= 1);              /* converged to a wrong codeword: very rare */
        bx_ldpc_destroy(d);
        bx_ldpc_destroy(dh);
    }
}

/* An independent transcription of the four H matrices (hirokawa/cssrlib, stored in
 * ../shared/testdata/real/cssrlib_pppb2b/ldpc: all column indices of the rows, then all
 * elements, zero-padded rows): every codeword of our encoder must satisfy all its checks. */
static void test_cssrlib_H(void **state)
{
    (void)state;
    static const char *files[4] = {"H_bds_b1c_sf2.txt", "H_bds_b1c_sf3.txt", "H_bds_b2a.txt", "H_bds_b2b.txt"};
    char rel[128], path[512];
    static int v[2048];
    rng_t r = {77};
    uint8_t info[600], cw[1200], sym[200];
    for (int c = 0; c < 4; c++) {
        snprintf(rel, sizeof rel, "real/cssrlib_pppb2b/ldpc/%s", files[c]);
        if (!testdata_path(path, sizeof path, rel))
            skip();
        FILE *fp = fopen(path, "r");
        assert_non_null(fp);
        int nv = 0;
        while (nv < 2048 && fscanf(fp, "%d", &v[nv]) == 1)
            nv++;
        fclose(fp);
        const int half = nv / 2, kb = bx_ldpc_info_bits(codes[c]), ns = bx_ldpc_code_bits(codes[c]) / 6;
        int rows = 0;
        for (int t = 0; t < 10; t++) {
            for (int i = 0; i < kb; i++)
                info[i] = (uint8_t)(rnext(&r) & 1);
            bx_ldpc_encode(codes[c], info, cw);
            for (int j = 0; j < ns; j++)
                sym[j] = (uint8_t)(cw[6 * j] << 5 | cw[6 * j + 1] << 4 | cw[6 * j + 2] << 3 |
                                   cw[6 * j + 3] << 2 | cw[6 * j + 4] << 1 | cw[6 * j + 5]);
            rows = 0;
            for (int i = 0; i + 4 <= half; i += 4) {
                uint8_t sum = 0, any = 0;
                for (int q = 0; q < 4; q++) {
                    assert_true(v[i + q] >= 0 && v[i + q] < ns);
                    sum ^= bx_gf64_mul((uint8_t)v[half + i + q], sym[v[i + q]]);
                    any |= (uint8_t)v[half + i + q];
                }
                if (!any)
                    continue; /* padding row */
                rows++;
                assert_int_equal(sum, 0);
            }
        }
        assert_int_equal(rows, kb / 6); /* k check rows, all satisfied */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gf64),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_encoder_vs_H),
        cmocka_unit_test(test_real_codewords_encode),
        cmocka_unit_test(test_real_codewords_decode),
        cmocka_unit_test(test_awgn_round_trip),
        cmocka_unit_test(test_cssrlib_H),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
