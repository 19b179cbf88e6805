/* Pocket SDR FE protocol without a device: register field encoding against
 * hand-computed words, control-transfer byte order, 2-bit sample unpacking
 * on fixed byte vectors, and the PocketSDR .conf files from testdata whose
 * LO / ADC frequencies are stated independently in their headers and the
 * capture readme. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bdsrx/iq.h"
#include "bdsrx/source.h"
#include "bdsrx/types.h"
#include "pocket_proto.h"
#include "testdata.h"
#include "testutil.h"

static void test_field_encoding(void **state)
{
    (void)state;
    uint32_t r[BX_POCKET_NREG] = {0};
    /* NDIV 15 bits at 13, RDIV 10 bits at 3 (MAX2771 reg 4):
     * 26257 << 13 = 0x0CD22000... computed by hand: 26257 = 0x6691 -> 0x6691 << 13 = 0xCD22000;
     * 400 = 0x190 -> << 3 = 0xC80.  Sum 0x0CD22C80. */
    assert_int_equal(bx_max2771_set(r, "NDIV", 26257), BX_OK);
    assert_int_equal(bx_max2771_set(r, "RDIV", 400), BX_OK);
    assert_int_equal(r[4], 0x0CD22C80u);
    /* Over-wide value and unknown name are rejected, register untouched. */
    assert_int_equal(bx_max2771_set(r, "RDIV", 1024), BX_ERR_ARG);
    assert_int_equal(bx_max2771_set(r, "NOSUCH", 1), BX_ERR_ARG);
    assert_int_equal(r[4], 0x0CD22C80u);
    /* IQEN bit 27 of reg 1, FORMAT bits 10:9, BITS 8:6: 1<<27 | 1<<9 | 2<<6 = 0x08000280 */
    assert_int_equal(bx_max2771_set(r, "IQEN", 1), BX_OK);
    assert_int_equal(bx_max2771_set(r, "FORMAT", 1), BX_OK);
    assert_int_equal(bx_max2771_set(r, "BITS", 2), BX_OK);
    assert_int_equal(r[1], 0x08000280u);
    assert_int_equal(bx_max2771_get(r, "BITS"), 2);
    /* CHIPEN is the top bit: field masks must work at bit 31. */
    assert_int_equal(bx_max2771_set(r, "CHIPEN", 1), BX_OK);
    assert_int_equal(r[0], 0x80000000u);
    /* Every field lies inside 32 bits and inside the register file. */
    for (const bx_max2771_field_t *f = bx_max2771_fields(); f->name; f++) {
        assert_true(f->pos + f->nbit <= 32);
        assert_true(f->addr < BX_POCKET_NREG);
    }
}

static void test_control_encoding(void **state)
{
    (void)state;
    assert_int_equal(bx_pocket_reg_wvalue(1, 0x4), 0x0104);
    assert_int_equal(bx_pocket_reg_wvalue(0, 0xA), 0x000A);
    uint8_t b[4];
    bx_pocket_reg_pack(0xA2241C17u, b);
    const uint8_t want[4] = {0xA2, 0x24, 0x1C, 0x17}; /* MSB first */
    assert_memory_equal(b, want, 4);
    assert_int_equal(bx_pocket_reg_unpack(want), 0xA2241C17u);
}

static void test_unpack_vectors(void **state)
{
    (void)state;
    /* byte = CH2Q CH2I CH1Q CH1I (2 bits each); code 0:+1 1:+3 2:-1 3:-3 */
    const uint8_t in[4] = {
        0x00,                       /* all +1 */
        0xE4,                       /* 11 10 01 00: CH1 I=+1 Q=+3, CH2 I=-1 Q=-3 */
        0x1B,                       /* 00 01 10 11: CH1 I=-3 Q=-1, CH2 I=+3 Q=+1 */
        0xFF};                      /* all -3 */
    int8_t c1[8], c2[8], r1[4], r2[4];
    bx_pocket_unpack_ci8(in, 4, 0, c1);
    bx_pocket_unpack_ci8(in, 4, 1, c2);
    bx_pocket_unpack_ri8(in, 4, 0, r1);
    bx_pocket_unpack_ri8(in, 4, 1, r2);
    /* Q is the negated level (PocketSDR src/sdr_rcv.c gen_LUTC valQ_2b = {-1, -3, 1, 3}) */
    const int8_t w1[8] = {1, -1, 1, -3, -3, 1, -3, 3};
    const int8_t w2[8] = {1, -1, -1, 3, 3, -1, -3, 3};
    const int8_t wr1[4] = {1, 1, -3, -3}, wr2[4] = {1, -1, 3, -3};
    assert_memory_equal(c1, w1, 8);
    assert_memory_equal(c2, w2, 8);
    assert_memory_equal(r1, wr1, 4);
    assert_memory_equal(r2, wr2, 4);
    /* complex float unpacking agrees with the int8 one; real mode has Q = 0 */
    float _Complex f[4];
    bx_pocket_unpack_cf32(in, 4, 1, 1, f);
    for (int i = 0; i < 4; i++) {
        assert_true(crealf(f[i]) == w2[2 * i] && cimagf(f[i]) == w2[2 * i + 1]);
    }
    bx_pocket_unpack_cf32(in, 4, 0, 0, f);
    for (int i = 0; i < 4; i++)
        assert_true(crealf(f[i]) == wr1[i] && cimagf(f[i]) == 0.0f);
    uint8_t p1[2], p2[2];
    bx_pocket_pack_ci2(in, 4, 0, p1);
    bx_pocket_pack_ci2(in, 4, 1, p2);
    /* ci2 repacking: the channel's nibbles with the Q sign bit (bit 3) flipped */
    assert_int_equal(p1[0], 0xC8);  /* nibble(0x00)^8=8 | (nibble(0xE4)=4)^8 << 4 */
    assert_int_equal(p1[1], 0x73);  /* 0xB^8 | 0xF^8 << 4 */
    assert_int_equal(p2[0], 0x68);
    assert_int_equal(p2[1], 0x79);
    /* ci2 decoded with the testdata/README.md layout gives the ci8 values back. */
    for (int i = 0; i < 4; i++) {
        unsigned nib = (p1[i / 2] >> (4 * (i & 1))) & 0xF;
        assert_int_equal(bx_pocket_level(nib & 3), w1[2 * i]);
        assert_int_equal(bx_pocket_level(nib >> 2), w1[2 * i + 1]);
    }
}

/* Transfers of odd and even lengths repack exactly like one long transfer. */
static void test_stream_ci2_split(void **state)
{
    (void)state;
    enum { N = 10001 };
    static uint8_t in[N], whole[N / 2 + 1], split[N / 2 + 1];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (uint8_t)(x >> 16);
    }
    for (int ch = 0; ch < 2; ch++) {
        bx_pocket_pack_ci2(in, N - 1, ch, whole); /* even prefix: (N-1)/2 bytes */
        uint8_t pend = 0;
        int has = 0;
        size_t k = 0, off = 0, len = 1;
        while (off < N) {
            size_t n = off + len <= N ? len : N - off;
            k += bx_pocket_stream_ci2(&pend, &has, in + off, n, ch, split + k);
            off += n;
            len = len * 3 % 517 + 1; /* odd and even lengths, 1..517 */
        }
        assert_int_equal(k, (N - 1) / 2);
        assert_int_equal(has, 1);          /* N odd: the last byte waits */
        assert_int_equal(pend, in[N - 1]);
        assert_memory_equal(split, whole, k);
    }
}

/* The live path reads the device the way PocketSDR's files are read: pocket_dump writes the
 * 2-bit codes of I and Q with the same level table into INT8X2 files (app/pocket_dump write_file),
 * so device bytes rebuilt from the real 4 MHz capture must unpack (cf32, ci8, ci2) to exactly what
 * the int8x2 file format gives, whose Doppler signs tests/test_acq.c checks against code drift. */
static unsigned code_of_level(int v)
{
    return (v < 0 ? 2u : 0u) | ((v == 3 || v == -3) ? 1u : 0u);
}

static void test_live_matches_int8x2_file(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, "real/pocketsdr_l1_iq/L1_20211202_084700_4MHz_IQ.bin"))
        skip();
    enum { N = 4096 };
    int8_t raw[2 * N];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(raw, 1, sizeof raw, f), sizeof raw);
    fclose(f);
    static uint8_t dev[N], ci2[N / 2];
    for (int i = 0; i < N; i++) { /* CH2 = CH1 with I and Q swapped, to test both nibbles */
        unsigned ci = code_of_level(raw[2 * i]), cq = code_of_level(raw[2 * i + 1]);
        dev[i] = (uint8_t)(ci | cq << 2 | cq << 4 | ci << 6);
    }
    static bx_cf32_t want[N], got[N], swapped[N], from_ci2[N];
    assert_int_equal(bx_iq_convert(BX_IQ_INT8X2, raw, N, want), BX_OK);
    bx_pocket_unpack_cf32(dev, N, 0, 1, got);
    bx_pocket_unpack_cf32(dev, N, 1, 1, swapped);
    bx_pocket_pack_ci2(dev, N, 0, ci2);
    assert_int_equal(bx_iq_convert(BX_IQ_CI2, ci2, N, from_ci2), BX_OK);
    int8_t c8[2 * N];
    bx_pocket_unpack_ci8(dev, N, 0, c8);
    for (int i = 0; i < N; i++) {
        assert_true(got[i] == want[i]);
        assert_true(from_ci2[i] == want[i]);
        assert_true(c8[2 * i] == crealf(want[i]) && c8[2 * i + 1] == cimagf(want[i]));
        assert_true(crealf(swapped[i]) == raw[2 * i + 1] && cimagf(swapped[i]) == -raw[2 * i]);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = calloc(1, 1 << 16);
    if (b)
        fread(b, 1, (1 << 16) - 1, f);
    fclose(f);
    return b;
}

static void check_conf(const char *rel, double flo1, double fadc1, int iq1, double flo2, double fcen1)
{
    char path[512];
    if (!testdata_path(path, sizeof path, rel))
        skip();
    char *text = slurp(path);
    assert_non_null(text);
    uint32_t regs[2][BX_POCKET_NREG] = {{0}};
    uint8_t touched[2][BX_POCKET_NREG] = {{0}};
    char err[200] = "";
    assert_int_equal(bx_pocket_conf_apply(text, regs, touched, err, sizeof err), BX_OK);
    free(text);
    assert_true(fabs(bx_max2771_flo_hz(regs[0], BX_POCKET_TCXO_HZ) - flo1) < 1.0);
    assert_true(fabs(bx_max2771_fadc_hz(regs[0], BX_POCKET_TCXO_HZ) - fadc1) < 1.0);
    assert_int_equal(bx_max2771_get(regs[0], "IQEN"), iq1);
    assert_true(fabs(bx_max2771_flo_hz(regs[1], BX_POCKET_TCXO_HZ) - flo2) < 1.0);
    assert_true(fabs(bx_max2771_filter_centre_hz(regs[0]) - fcen1) < 0.05e6);
    /* IF of the signal (readme.txt: F_IF 0.0 / 6.0 MHz) */
    assert_true(fabs(bx_max2771_if_hz(regs[0], BX_POCKET_TCXO_HZ) - fcen1) < 1.0);
    assert_true(touched[0][4] && touched[1][4]);
    assert_false(touched[0][6]);
}

/* Truth: the header comments of each .conf (written by pocket_conf from the
 * device) and testdata/real/pocketsdr_l1_iq/readme.txt. */
static void test_conf_4mhz(void **state)
{
    (void)state;
    check_conf("real/pocketsdr_l1_iq/pocket_L1L2_4MHz.conf", 1575.42e6, 4.0e6, 1, 1227.6e6, 0.0);
}

static void test_conf_24mhz(void **state)
{
    (void)state;
    check_conf("real/pocketsdr_l1_iq/pocket_L1L5_24MHz.conf", 1569.42e6, 24.0e6, 0, 1176.45e6, 6.0e6);
}

static void test_conf_12mhz(void **state)
{
    (void)state;
    check_conf("real/pocketsdr_l1_iq/pocket_L1L6_12MHz.conf", 1572.42e6, 12.0e6, 0, 1278.75e6, 3.0e6);
}

static void test_conf_errors(void **state)
{
    (void)state;
    uint32_t regs[2][BX_POCKET_NREG] = {{0}};
    uint8_t touched[2][BX_POCKET_NREG] = {{0}};
    char err[200];
    assert_int_equal(bx_pocket_conf_apply("[CH1]\nNDIV = 99999\n", regs, touched, err, sizeof err),
                     BX_ERR_FORMAT);
    assert_non_null(strstr(err, "line 2"));
    assert_int_equal(bx_pocket_conf_apply("[CH1]\nBOGUS = 1\n", regs, touched, err, sizeof err), BX_ERR_FORMAT);
    assert_non_null(strstr(err, "BOGUS"));
    assert_int_equal(bx_pocket_conf_apply("[CH3]\n", regs, touched, err, sizeof err), BX_ERR_FORMAT);
    /* hexadecimal lines */
    assert_int_equal(bx_pocket_conf_apply("# hex\n2 0x04 0x0CD22C80\n", regs, touched, err, sizeof err), BX_OK);
    assert_int_equal(regs[1][4], 0x0CD22C80u);
    assert_true(touched[1][4]);
}

/* ---- raw dumps through the source interface (both channels) ------------- */

static const int LEVEL[4] = {1, 3, -1, -3}; /* sign/magnitude code -> level (testdata/README.md) */

static const char *conf24(char *buf, size_t n)
{
    return testdata_path(buf, n, "real/pocketsdr_l1_iq/pocket_L1L5_24MHz.conf");
}

static int make_dump(char *path, size_t pl, uint8_t *bytes, size_t n)
{
    snprintf(path, pl, "/tmp/bdsrx_test_pocket_XXXXXX");
    int fd = mkstemp(path);
    uint32_t x = 987654321u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = (uint8_t)x;
    }
    int ok = fd >= 0 && write(fd, bytes, n) == (ssize_t)n;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* L1L5 24 MHz configuration: CH1 I-only at 1569.42 MHz LO (IF 6 MHz), CH2 IQ at 1176.45 MHz. */
static void test_pocketfile_multi(void **state)
{
    (void)state;
    char conf[512], path[64], uri[700], err[300];
    if (!conf24(conf, sizeof conf))
        skip();
    enum { N = 100000 };
    static uint8_t bytes[N];
    assert_int_equal(make_dump(path, sizeof path, bytes, N), 0);
    snprintf(uri, sizeof uri, "pocketfile:%s?conf=%s", path, conf);
    bx_source_t *s = NULL;
    int st = bx_source_open(uri, NULL, &s, err, sizeof err);
    if (st)
        print_error("%s\n", err);
    assert_int_equal(st, BX_OK);
    const bx_source_info_t *in = bx_source_info(s);
    assert_int_equal(in->channels, 2);
    assert_int_equal(in->ch[0].format, BX_IQ_RI8);
    assert_int_equal(in->ch[1].format, BX_IQ_CI2);
    assert_true(fabs(in->ch[0].fc_hz - 1569.42e6) < 1 && fabs(in->ch[1].fc_hz - 1176.45e6) < 1);
    assert_true(fabs(in->ch[0].fs_hz - 24e6) < 1 && in->ch[1].fs_hz == in->ch[0].fs_hz);
    assert_true(fabs(in->ch[0].if_hz - 6.0e6) < 1.0 && in->ch[1].if_hz == 0.0);
    assert_int_equal(in->total_samples, N);
    static bx_cf32_t c1[N], c2[N];
    assert_true(bx_source_read(s, c1, 100, NULL) == BX_ERR_ARG); /* 2 channels: read_multi */
    size_t got = 0;
    long n;
    bx_source_block_info_t bi;
    while (got < N) {
        bx_cf32_t *out[2] = {c1 + got, c2 + got};
        n = bx_source_read_multi(s, out, 7001, &bi);
        assert_true(n > 0);
        assert_int_equal(bi.first_sample, got);
        got += (size_t)n;
    }
    assert_int_equal(bx_source_read_multi(s, (bx_cf32_t *[]){c1, c2}, 16, &bi), 0);
    for (size_t i = 0; i < N; i++) {
        assert_true(crealf(c1[i]) == LEVEL[bytes[i] & 3] && cimagf(c1[i]) == 0.0f);
        /* I - jQ: the Q field has the opposite polarity (pocket_proto.h) */
        assert_true(crealf(c2[i]) == LEVEL[(bytes[i] >> 4) & 3] && cimagf(c2[i]) == -LEVEL[bytes[i] >> 6]);
    }
    bx_source_destroy(s);

    snprintf(uri, sizeof uri, "pocketfile:%s", path);
    assert_int_equal(bx_source_open(uri, NULL, &s, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "conf=FILE"));
    unlink(path);
}

/* bdsrx-rec splits a 2-channel source into one file per channel in each
 * channel's own format, with its own sidecar frequency. */
static void test_rec_two_channels(void **state)
{
    (void)state;
    char conf[512], path[64], uri[700], out[96], bin[256];
    if (!conf24(conf, sizeof conf))
        skip();
    if (!tu_bin(bin, sizeof bin, "bdsrx-rec")) {
        printf("SKIP: %s not built\n", bin);
        skip();
    }
    enum { N = 50000 };
    static uint8_t bytes[N];
    assert_int_equal(make_dump(path, sizeof path, bytes, N), 0);
    snprintf(uri, sizeof uri, "pocketfile:%s?conf=%s", path, conf);
    snprintf(out, sizeof out, "%s.sigmf-data", path);
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, bin, "-q", uri, out, NULL), 0);
    tu_result_free(&r);
    char f1[128], f2[128], m1[128], m2[128];
    snprintf(f1, sizeof f1, "%s.ch1.sigmf-data", path);
    snprintf(f2, sizeof f2, "%s.ch2.sigmf-data", path);
    snprintf(m1, sizeof m1, "%s.ch1.sigmf-meta", path);
    snprintf(m2, sizeof m2, "%s.ch2.sigmf-meta", path);
    static uint8_t d1[N], d2[N];
    FILE *f = fopen(f1, "rb");
    assert_non_null(f);
    assert_int_equal(fread(d1, 1, N, f), N); /* ri8: one byte per sample */
    fclose(f);
    f = fopen(f2, "rb");
    assert_non_null(f);
    assert_int_equal(fread(d2, 1, N, f), N / 2); /* ci2: two samples per byte */
    fclose(f);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal((int8_t)d1[i], LEVEL[bytes[i] & 3]);
        unsigned nib = (d2[i / 2] >> (4 * (i & 1))) & 0xF;
        assert_int_equal(LEVEL[nib & 3], LEVEL[(bytes[i] >> 4) & 3]);
        assert_int_equal(LEVEL[nib >> 2], -LEVEL[bytes[i] >> 6]); /* Q polarity (pocket_proto.h) */
    }
    json_error_t je;
    json_t *r1 = json_load_file(m1, 0, &je), *r2 = json_load_file(m2, 0, &je);
    assert_non_null(r1);
    assert_non_null(r2);
    double fc1 = json_number_value(json_object_get(json_array_get(json_object_get(r1, "captures"), 0), "core:frequency"));
    double fc2 = json_number_value(json_object_get(json_array_get(json_object_get(r2, "captures"), 0), "core:frequency"));
    assert_true(fabs(fc1 - 1569.42e6) < 1 && fabs(fc2 - 1176.45e6) < 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r1, "global"), "bdsrx:format")), "ri8");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r2, "global"), "bdsrx:format")), "ci2");
    json_decref(r1);
    json_decref(r2);
    unlink(f1), unlink(f2), unlink(m1), unlink(m2), unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_encoding), cmocka_unit_test(test_control_encoding),
        cmocka_unit_test(test_unpack_vectors), cmocka_unit_test(test_stream_ci2_split),
        cmocka_unit_test(test_live_matches_int8x2_file),
        cmocka_unit_test(test_conf_4mhz),
        cmocka_unit_test(test_conf_24mhz),     cmocka_unit_test(test_conf_12mhz),
        cmocka_unit_test(test_conf_errors),
        cmocka_unit_test(test_pocketfile_multi), cmocka_unit_test(test_rec_two_channels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
