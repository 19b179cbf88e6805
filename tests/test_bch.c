/* B-CNAV1 subframe-1 BCH codes (navmsg.md §2.2): encoder against the full PRN table and
 * the SOH examples of shared/icd/testvectors.md TV6 (identical to SignalSim's tables);
 * soft ML decoder against noise-free and noisy codewords (AWGN round trip). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bdsrx/fec.h"

/* TV6: BCH(21,6) codeword of PRN 1..63 */
static const char *const tv6_prn[63] = {
    "000001010010011001011", "000010100100110010110", "000011110110101011101", "000100011011111100111",
    "000101001001100101100", "000110111111001110001", "000111101101010111010", "001000110111111001110",
    "001001100101100000101", "001010010011001011000", "001011000001010010011", "001100101100000101001",
    "001101111110011100010", "001110001000110111111", "001111011010101110100", "010000111101101010111",
    "010001101111110011100", "010010011001011000001", "010011001011000001010", "010100100110010110000",
    "010101110100001111011", "010110000010100100110", "010111010000111101101", "011000001010010011001",
    "011001011000001010010", "011010101110100001111", "011011111100111000100", "011100010001101111110",
    "011101000011110110101", "011110110101011101000", "011111100111000100011", "100000101001001100101",
    "100001111011010101110", "100010001101111110011", "100011011111100111000", "100100110010110000010",
    "100101100000101001001", "100110010110000010100", "100111000100011011111", "101000011110110101011",
    "101001001100101100000", "101010111010000111101", "101011101000011110110", "101100000101001001100",
    "101101010111010000111", "101110100001111011010", "101111110011100010001", "110000010100100110010",
    "110001000110111111001", "110010110000010100100", "110011100010001101111", "110100001111011010101",
    "110101011101000011110", "110110101011101000011", "110111111001110001000", "111000100011011111100",
    "111001110001000110111", "111010000111101101010", "111011010101110100001", "111100111000100011011",
    "111101101010111010000", "111110011100010001101", "111111001110001000110",
};

/* TV6: BCH(51,8) codewords of a few SOH values */
static const struct {
    int soh;
    const char *cw;
} tv6_soh[] = {
    {0, "000000000000000000000000000000000000000000000000000"},
    {1, "000000011110011101010010000010110110100101111100011"},
    {2, "000000100010100111110110000111011011101110000100101"},
    {100, "011001000110111100000110011110100001101000100110110"},
    {183, "101101110111000010010100000010001010011111011000011"},
    {199, "110001111110010010011100101011110111111110101110100"},
};

static void assert_bits_equal(const uint8_t *bits, const char *str, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(bits[i], str[i] - '0');
}

static void test_prn_table(void **state)
{
    (void)state;
    uint8_t cw[21];
    for (int prn = 1; prn <= 63; prn++) {
        bx_bch21_6_encode(prn, cw);
        assert_bits_equal(cw, tv6_prn[prn - 1], 21);
    }
}

static void test_soh_examples(void **state)
{
    (void)state;
    uint8_t cw[51];
    for (size_t i = 0; i < sizeof tv6_soh / sizeof tv6_soh[0]; i++) {
        bx_bch51_8_encode(tv6_soh[i].soh, cw);
        assert_bits_equal(cw, tv6_soh[i].cw, 51);
    }
}

/* every codeword is one period of the LFSR: cyclic shifts are codewords (navmsg.md §2.2) */
static void test_cyclic(void **state)
{
    (void)state;
    uint8_t cw[51], sh[51], cw2[51];
    for (int v = 1; v < 256; v += 37) {
        bx_bch51_8_encode(v, cw);
        for (int i = 0; i < 51; i++)
            sh[i] = cw[(i + 5) % 51];
        int w = 0;
        for (int i = 0; i < 8; i++)
            w = w << 1 | sh[i];
        bx_bch51_8_encode(w, cw2);
        assert_memory_equal(cw2, sh, 51);
    }
}

typedef struct {
    uint64_t s;
} rng_t;
static double urand(rng_t *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return ((r->s >> 11) + 0.5) / 9007199254740992.0;
}
static double grand(rng_t *r)
{
    return sqrt(-2.0 * log(urand(r))) * cos(2.0 * M_PI * urand(r));
}

static void test_ml_decode(void **state)
{
    (void)state;
    uint8_t cw[51];
    float soft[51], corr;
    /* noise-free: every value decodes, correlation = n */
    for (int prn = 0; prn < 64; prn++) {
        bx_bch21_6_encode(prn, cw);
        for (int i = 0; i < 21; i++)
            soft[i] = cw[i] ? -2.0f : 2.0f;
        assert_int_equal(bx_bch21_6_decode(soft, &corr), prn);
        assert_float_equal(corr, 42.0f, 1e-4);
    }
    for (int soh = 0; soh < 256; soh++) {
        bx_bch51_8_encode(soh, cw);
        for (int i = 0; i < 51; i++)
            soft[i] = cw[i] ? -1.0f : 1.0f;
        assert_int_equal(bx_bch51_8_decode(soft, NULL), soh);
    }
    /* hard errors below half the minimum distance (8 resp. 24) are corrected */
    bx_bch21_6_encode(35, cw);
    for (int i = 0; i < 21; i++)
        soft[i] = (cw[i] ? -1.0f : 1.0f) * ((i == 3 || i == 10 || i == 17) ? -1.0f : 1.0f);
    assert_int_equal(bx_bch21_6_decode(soft, NULL), 35);
    bx_bch51_8_encode(183, cw);
    for (int i = 0; i < 51; i++)
        soft[i] = (cw[i] ? -1.0f : 1.0f) * ((i % 5 == 2 && i < 55) ? -1.0f : 1.0f); /* 10 errors */
    assert_int_equal(bx_bch51_8_decode(soft, NULL), 183);
    /* AWGN at Es/N0 = -2 dB (symbol error rate ~ 21%): BCH(51,8) ML word error rate must
     * stay well below 1 %; BCH(21,6) (d = 8) below ~10 % */
    rng_t r = {7};
    const double sigma = sqrt(1.0 / (2.0 * pow(10.0, -2.0 / 10.0)));
    int err21 = 0, err51 = 0, trials = 2000;
    for (int t = 0; t < trials; t++) {
        int prn = 1 + (int)(urand(&r) * 63), soh = (int)(urand(&r) * 200);
        bx_bch21_6_encode(prn, cw);
        for (int i = 0; i < 21; i++)
            soft[i] = (float)((cw[i] ? -1.0 : 1.0) + sigma * grand(&r));
        err21 += bx_bch21_6_decode(soft, NULL) != prn;
        bx_bch51_8_encode(soh, cw);
        for (int i = 0; i < 51; i++)
            soft[i] = (float)((cw[i] ? -1.0 : 1.0) + sigma * grand(&r));
        err51 += bx_bch51_8_decode(soft, NULL) != soh;
    }
    print_message("BCH ML at Es/N0 -2 dB: word errors (21,6) %d/%d, (51,8) %d/%d\n", err21, trials, err51,
                  trials);
    assert_true(err51 < trials / 100);
    assert_true(err21 < trials / 10);
    assert_true(err21 > 0); /* the noise really is strong: the test can fail */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prn_table),
        cmocka_unit_test(test_soh_examples),
        cmocka_unit_test(test_cyclic),
        cmocka_unit_test(test_ml_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
