/* Frame-level coding of B-CNAV1 / B-CNAV2 / B-CNAV3 (navmsg.md §2-4) against the end-to-end
 * vectors TV1 (B-CNAV1), TV3 (B-CNAV2), TV4 (B-CNAV3), TV5 (real PPP-B2b) of
 * shared/icd/testvectors.md, the 310 real B2b frames of
 * ../shared/testdata/real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b, noisy and inverted
 * versions, the B1C frame collector and the streaming B2a synchroniser. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "bdsrx/navframe.h"
#include "navmsg_vectors.h"
#include "testdata.h"

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

/* logic bits -> BPSK soft symbols (+1 for 0) times `pol`, plus white Gaussian noise at the
 * given Es/N0 (dB per symbol; Eb/N0 of the rate-1/2 LDPC parts is 3 dB higher) */
static void modulate(const uint8_t *bits, int n, float pol, double es_n0_db, rng_t *r, float *soft)
{
    const double sigma = es_n0_db > 90.0 ? 0.0 : sqrt(0.5 / pow(10.0, es_n0_db / 10.0));
    for (int i = 0; i < n; i++)
        soft[i] = pol * (float)((bits[i] ? -1.0 : 1.0) + (sigma > 0.0 ? sigma * grand(r) : 0.0));
}

static int field(const uint8_t *bits, int first1, int len)
{
    int v = 0;
    for (int i = 0; i < len; i++)
        v = v << 1 | bits[first1 - 1 + i];
    return v;
}

/* ---------------- B-CNAV1 ---------------- */

static uint8_t tv1_frame[1800], tv1_sf2[600], tv1_sf3[264];

static void load_tv1(void)
{
    tv_hex_to_bits(TV1_FRAME, tv1_frame, 1800);
    tv_hex_to_bits(TV1_SF2, tv1_sf2, 600);
    tv_hex_to_bits(TV1_SF3, tv1_sf3, 264);
}

static void test_cnav1_interleaver(void **state)
{
    (void)state;
    load_tv1();
    uint8_t sf1[72], cw2[1200], cw3[528], ilv[1728];
    float soft[1728], s2[1200], s3[528];
    tv_hex_to_bits(TV1_SF1, sf1, 72);
    assert_memory_equal(tv1_frame, sf1, 72);
    tv_hex_to_bits(TV1_SF2_CW, cw2, 1200);
    tv_hex_to_bits(TV1_SF3_CW, cw3, 528);
    bx_cnav1_interleave(cw2, cw3, ilv);
    assert_memory_equal(ilv, tv1_frame + 72, 1728);
    tv_bits_to_soft(tv1_frame + 72, 1728, 1.0f, soft);
    bx_cnav1_deinterleave(soft, s2, s3);
    for (int i = 0; i < 1200; i++)
        assert_int_equal(s2[i] < 0.0f, cw2[i]);
    for (int i = 0; i < 528; i++)
        assert_int_equal(s3[i] < 0.0f, cw3[i]);
}

static void check_tv1(const bx_cnav1_frame_t *f)
{
    assert_int_equal(f->prn, 35);
    assert_int_equal(f->soh, 183);
    assert_true(f->sf1_ok);
    assert_true(f->sf2_ok);
    assert_true(f->sf3_ok);
    assert_memory_equal(f->sf2, tv1_sf2, 600);
    assert_memory_equal(f->sf3, tv1_sf3, 264);
    /* TV1 decoded SF2 fields: WN 853 (bits 1-13), HOW 137 (14-21), IODC 25 (22-31) */
    assert_int_equal(field(f->sf2, 1, 13), 853);
    assert_int_equal(field(f->sf2, 14, 8), 137);
    assert_int_equal(field(f->sf2, 22, 10), 25);
}

static void test_cnav1_tv1(void **state)
{
    (void)state;
    load_tv1();
    float soft[1800];
    bx_cnav1_frame_t f;
    uint8_t sym[1800];
    tv_bits_to_soft(tv1_frame, 1800, 1.0f, soft);
    assert_int_equal(bx_cnav1_decode(soft, &f), BX_OK);
    check_tv1(&f);
    assert_false(f.inverted);
    /* inverted polarity (PLL 180 degree ambiguity) */
    tv_bits_to_soft(tv1_frame, 1800, -0.01f, soft);
    assert_int_equal(bx_cnav1_decode(soft, &f), BX_OK);
    check_tv1(&f);
    assert_true(f.inverted);
    /* re-encode: identical 1800 symbols */
    assert_int_equal(bx_cnav1_encode(35, 183, tv1_sf2, tv1_sf3, sym), BX_OK);
    assert_memory_equal(sym, tv1_frame, 1800);
    assert_int_equal(bx_cnav1_encode(64, 0, tv1_sf2, tv1_sf3, sym), BX_ERR_ARG);
    assert_int_equal(bx_cnav1_decode(NULL, &f), BX_ERR_ARG);
}

static void test_cnav1_noisy(void **state)
{
    (void)state;
    load_tv1();
    rng_t r = {11};
    float soft[1800];
    bx_cnav1_dec_t *d = NULL;
    bx_cnav1_dec_create(&d, NULL, 0);
    assert_non_null(d);
    bx_cnav1_frame_t f;
    /* Es/N0 = 0 dB (Eb/N0 = 3 dB for the rate-1/2 LDPC parts): raw symbol error rate 8 % */
    int ok = 0, trials = 12;
    for (int t = 0; t < trials; t++) {
        modulate(tv1_frame, 1800, (t & 1) ? -1.0f : 1.0f, 0.0, &r, soft);
        if (t % 3 == 2) /* plus 8 % random erasures */
            for (int i = 0; i < 1800; i++)
                if (urand(&r) < 0.08)
                    soft[i] = 0.0f;
        int st = bx_cnav1_dec_decode(d, soft, &f);
        if (st == BX_OK && f.sf2_ok && f.sf3_ok && f.prn == 35 && f.soh == 183 && f.inverted == (t & 1) &&
            !memcmp(f.sf2, tv1_sf2, 600) && !memcmp(f.sf3, tv1_sf3, 264))
            ok++;
    }
    assert_int_equal(ok, trials);
    /* pure noise: no CRC passes */
    for (int i = 0; i < 1800; i++)
        soft[i] = (float)grand(&r);
    assert_int_equal(bx_cnav1_dec_decode(d, soft, &f), BX_ERR_CRC);
    assert_false(f.sf2_ok || f.sf3_ok);
    bx_cnav1_dec_destroy(d);
}

static void test_cnav1_collect(void **state)
{
    (void)state;
    load_tv1();
    rng_t r = {5};
    float soft[1800];
    modulate(tv1_frame, 1800, 1.0f, 3.0, &r, soft);
    bx_cnav1_collect_t *c = NULL;
    bx_cnav1_collect_create(&c, NULL, 0);
    assert_non_null(c);
    bx_cnav1_frame_t f;
    uint64_t fs = 0, samp = 1000000;
    const uint64_t per = 40000; /* samples per 10 ms symbol at 4 MHz */
    int got = 0;
    /* tail of a previous frame (too short to decode), then a full frame, then a frame with
     * index 0 and 150 symbols in the middle missing (the start sample is extrapolated) */
    for (int i = 1500; i < 1800; i++, samp += per)
        got += bx_cnav1_collect_push(c, soft[i], i, samp, &f, &fs);
    assert_int_equal(got, 0);
    uint64_t start = samp;
    for (int i = 0; i < 1800; i++, samp += per) {
        int ret = bx_cnav1_collect_push(c, soft[i], i, samp, &f, &fs);
        assert_int_equal(ret, i == 1799);
    }
    check_tv1(&f);
    assert_true(fs == start);
    start = samp;
    got = 0;
    for (int i = 0; i < 1800; i++, samp += per)
        if (i != 0 && (i < 900 || i >= 1050))
            got += bx_cnav1_collect_push(c, soft[i], i, samp, &f, &fs);
    assert_int_equal(got, 1);
    check_tv1(&f);
    assert_true(fs == start);
    /* a frame whose last 10 symbols are lost completes when the next frame's index 0 arrives */
    start = samp;
    for (int i = 0; i < 1790; i++, samp += per)
        assert_int_equal(bx_cnav1_collect_push(c, soft[i], i, samp, &f, &fs), 0);
    samp += 10 * per;
    assert_int_equal(bx_cnav1_collect_push(c, soft[0], 0, samp, &f, &fs), 1);
    check_tv1(&f);
    assert_true(fs == start);
    /* negative index (not synchronised) is ignored */
    assert_int_equal(bx_cnav1_collect_push(c, 1.0f, -1, 0, &f, &fs), 0);
    bx_cnav1_collect_destroy(c);
}

/* ---------------- B-CNAV2 ---------------- */

static void test_cnav2_tv3(void **state)
{
    (void)state;
    uint8_t frame[600], msg[288], out[288], sym[600];
    float soft[600];
    tv_hex_to_bits(TV3_FRAME, frame, 600);
    tv_hex_to_bits(TV3_MSG, msg, 288);
    assert_int_equal(bx_cnav2_encode(msg, sym), BX_OK);
    assert_memory_equal(sym, frame, 600);
    for (int pol = 0; pol < 2; pol++) {
        tv_bits_to_soft(frame, 600, pol ? -1.0f : 1.0f, soft);
        assert_int_equal(bx_cnav2_decode(soft, out), BX_OK);
        assert_memory_equal(out, msg, 288);
        assert_int_equal(field(out, 1, 6), 26);      /* PRN */
        assert_int_equal(field(out, 7, 6), 11);      /* MesType */
        assert_int_equal(field(out, 13, 18), 165537); /* SOW */
    }
    /* preamble wiped out: polarity found by trying both */
    tv_bits_to_soft(frame, 600, -1.0f, soft);
    for (int i = 0; i < 24; i++)
        soft[i] = -soft[i];
    assert_int_equal(bx_cnav2_decode(soft, out), BX_OK);
    assert_memory_equal(out, msg, 288);
    /* the real TV2 B-CNAV2 codeword with a preamble in front, noisy */
    rng_t r = {3};
    uint8_t cw[576];
    tv_hex_to_bits(TV2_B2A, cw, 576);
    memcpy(frame + 24, cw, 576);
    int ok = 0;
    for (int t = 0; t < 20; t++) {
        modulate(frame, 600, 1.0f, 0.0, &r, soft);   /* Es/N0 0 dB */
        ok += bx_cnav2_decode(soft, out) == BX_OK && !memcmp(out, cw, 288);
    }
    assert_int_equal(ok, 20);
    assert_int_equal(field(out, 1, 6), 23);
    assert_int_equal(field(out, 7, 6), 10);
    assert_int_equal(field(out, 13, 18) * 3, 451440);
}

static void test_cnav2_sync(void **state)
{
    (void)state;
    rng_t r = {99};
    uint8_t f1[600], f2[600], msg1[288], msg2[288], out[288];
    tv_hex_to_bits(TV3_FRAME, f1, 600);
    tv_hex_to_bits(TV3_MSG, msg1, 288);
    memcpy(f2, f1, 24);
    tv_hex_to_bits(TV2_B2A, f2 + 24, 576);
    memcpy(msg2, f2 + 24, 288);
    for (int pol = 0; pol < 2; pol++) {
        bx_cnav2_sync_t *s = NULL;
        bx_cnav2_sync_create(&s, NULL, 0);
        assert_non_null(s);
        float p = pol ? -1.0f : 1.0f;
        uint64_t samp = 777, fs = 0;
        /* 337 noise symbols, then frames 1 2 1 2 1 with noise (Es/N0 0 dB); frame 3 has
         * its preamble destroyed: found on the frame grid anyway */
        for (int i = 0; i < 337; i++, samp += 10)
            assert_int_equal(bx_cnav2_sync_push(s, (float)grand(&r), samp, out, &fs), 0);
        int found = 0;
        for (int k = 0; k < 5; k++) {
            const uint8_t *fr = (k & 1) ? f2 : f1;
            float soft[600];
            modulate(fr, 600, p, 0.0, &r, soft);
            if (k == 2)
                for (int i = 0; i < 24; i += 2)
                    soft[i] = -soft[i];
            uint64_t start = samp;
            for (int i = 0; i < 600; i++, samp += 10) {
                int ret = bx_cnav2_sync_push(s, soft[i], samp, out, &fs);
                if (ret) {
                    /* the frame is complete only with its last symbol */
                    assert_int_equal(i, 599);
                    assert_true(fs == start);
                    assert_memory_equal(out, (k & 1) ? msg2 : msg1, 288);
                    found++;
                }
            }
        }
        assert_int_equal(found, 5);
        bx_cnav2_sync_destroy(s);
    }
}

/* ---------------- B-CNAV3 / PPP-B2b ---------------- */

static void test_cnav3_tv4_tv5(void **state)
{
    (void)state;
    uint8_t frame[1000], msg[486], out[486], sym[1000];
    float soft[1000];
    int prn = -1;
    tv_hex_to_bits(TV4_FRAME, frame, 1000);
    tv_hex_to_bits(TV4_MSG, msg, 486);
    assert_int_equal(bx_cnav3_encode(24, msg, sym), BX_OK);
    assert_memory_equal(sym, frame, 1000);
    tv_bits_to_soft(frame, 1000, -1.0f, soft);
    assert_int_equal(bx_cnav3_decode_prn(soft, out, &prn), BX_OK);
    assert_memory_equal(out, msg, 486);
    assert_int_equal(prn, 24);
    assert_int_equal(field(out, 1, 6), 10);        /* MesType */
    assert_int_equal(field(out, 7, 20), 496746);   /* SOW */
    const char *tv5[] = {TV5_MT1, TV5_MT2, TV5_MT3, TV5_MT4, TV5_MT63};
    const int mt[] = {1, 2, 3, 4, 63};
    rng_t r = {8};
    for (int i = 0; i < 5; i++) {
        tv_hex_to_bits(tv5[i], frame, 1000);
        tv_bits_to_soft(frame, 1000, 1.0f, soft);
        assert_int_equal(bx_cnav3_decode_prn(soft, out, &prn), BX_OK);
        assert_int_equal(prn, 59); /* the PRN field is not encoded: checked without noise */
        modulate(frame, 1000, 1.0f, 0.0, &r, soft);
        assert_int_equal(bx_cnav3_decode(soft, out), BX_OK);
        assert_memory_equal(out, frame + 28, 486);
        assert_int_equal(field(out, 1, 6), mt[i]);
    }
}

static void test_cnav3_real_b2b_file(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, "real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b"))
        skip();
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t rec[125], bits[1000], out[486];
    float soft[1000];
    int n = 0, crc_ok = 0, noisy_ok = 0, parity_bad = 0, prn_hist[64] = {0};
    rng_t r = {17};
    while (fread(rec, 1, sizeof rec, fp) == sizeof rec) {
        for (int i = 0; i < 1000; i++)
            bits[i] = (uint8_t)((rec[i / 8] >> (7 - i % 8)) & 1);
        parity_bad += bx_ldpc_check(BX_LDPC_162_81, bits + 28) != 1;
        tv_bits_to_soft(bits, 1000, 1.0f, soft);
        int prn = -1;
        if (bx_cnav3_decode_prn(soft, out, &prn) == BX_OK && !memcmp(out, bits + 28, 486)) {
            crc_ok++;
            prn_hist[prn & 63]++;
        }
        if (n % 10 == 0) { /* every 10th frame again with noise, Es/N0 0 dB, inverted */
            modulate(bits, 1000, -1.0f, 0.0, &r, soft);
            noisy_ok += bx_cnav3_decode(soft, out) == BX_OK && !memcmp(out, bits + 28, 486);
        }
        n++;
    }
    fclose(fp);
    print_message("real B2b frames: %d read, %d with a parity error as received, %d pass LDPC+CRC, "
                  "%d/%d noisy pass\n", n, parity_bad, crc_ok, noisy_ok, (n + 9) / 10);
    assert_int_equal(n, 310);
    assert_int_equal(parity_bad, 1); /* testvectors.md TV5: 309/310 pass the parity checks */
    assert_int_equal(crc_ok, 310);
    assert_true(noisy_ok >= (n + 9) / 10 - 1);
    /* README: C59 C60 C62 (PPP-B2b) and C21 C22 C26 C38 C39 C42 C45, 31 frames each */
    const int prns[10] = {59, 60, 62, 21, 22, 26, 38, 39, 42, 45};
    for (int i = 0; i < 10; i++)
        assert_int_equal(prn_hist[prns[i]], 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cnav1_interleaver),
        cmocka_unit_test(test_cnav1_tv1),
        cmocka_unit_test(test_cnav1_noisy),
        cmocka_unit_test(test_cnav1_collect),
        cmocka_unit_test(test_cnav2_tv3),
        cmocka_unit_test(test_cnav2_sync),
        cmocka_unit_test(test_cnav3_tv4_tv5),
        cmocka_unit_test(test_cnav3_real_b2b_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
