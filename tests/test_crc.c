/* CRC-24Q (navmsg.md §1.1) against the check values of shared/icd/testvectors.md and
 * the real over-the-air codewords of TV2 / real PPP-B2b frames of TV5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bdsrx/fec.h"
#include "navmsg_vectors.h"

static uint8_t bits[1200];

static uint32_t crc_of(const char *hex, int first, int ndata)
{
    tv_hex_to_bits(hex, bits, 1200);
    return bx_crc24q(bits + first, ndata);
}

static void test_icd_check_values(void **state)
{
    (void)state;
    /* navmsg.md §1.1: "the 576 SF2 bits of TV1 give CRC 0x78BBA7" */
    assert_int_equal(crc_of(TV1_SF2, 0, 576), 0x78BBA7);
    assert_int_equal(crc_of(TV1_SF3, 0, 240), 0x7452D1);
    assert_int_equal(crc_of(TV3_MSG, 0, 264), 0x57F010);
    assert_int_equal(crc_of(TV4_MSG, 0, 462), 0x1C3DF5);
}

static void test_real_codewords(void **state)
{
    (void)state;
    /* real TV2 codewords: CRC over the information part incl. its 24 CRC bits */
    tv_hex_to_bits(TV2_B1C_SF2, bits, 1200);
    assert_true(bx_crc24q_check(bits, 600));
    tv_hex_to_bits(TV2_B1C_SF3, bits, 528);
    assert_true(bx_crc24q_check(bits, 264));
    tv_hex_to_bits(TV2_B2A, bits, 576);
    assert_true(bx_crc24q_check(bits, 288));
    tv_hex_to_bits(TV2_B2B, bits, 972);
    assert_true(bx_crc24q_check(bits, 486));
    /* TV5 PPP-B2b frames: 28 header bits, then the 486-bit block */
    const char *tv5[] = {TV5_MT1, TV5_MT2, TV5_MT3, TV5_MT4, TV5_MT63};
    for (int i = 0; i < 5; i++) {
        tv_hex_to_bits(tv5[i], bits, 1000);
        assert_true(bx_crc24q_check(bits + 28, 486));
        bits[28 + 100] ^= 1; /* any single error is detected */
        assert_false(bx_crc24q_check(bits + 28, 486));
    }
}

static void test_append_and_properties(void **state)
{
    (void)state;
    uint64_t x = 12345;
    for (int trial = 0; trial < 50; trial++) {
        int n = 24 + trial * 11;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            bits[i] = (uint8_t)(x >> 63);
        }
        bx_crc24q_append(bits, n);
        assert_true(bx_crc24q_check(bits, n + 24));
        /* leading zeros do not change the CRC (init 0, navmsg.md §1.1) */
        uint8_t pad[1200] = {0};
        memcpy(pad + 5, bits, (size_t)n);
        assert_int_equal(bx_crc24q(pad, n + 5), bx_crc24q(bits, n));
        /* burst errors up to 24 bits are always detected */
        for (int b = 0; b < 24; b++)
            bits[(trial + b) % n] ^= (uint8_t)(b == 0 || b == 23 || (b * 7 % 3 == 0));
        assert_false(bx_crc24q_check(bits, n + 24));
    }
    /* all-zero message has CRC 0 */
    memset(bits, 0, 100);
    assert_int_equal(bx_crc24q(bits, 100), 0);
    assert_false(bx_crc24q_check(bits, 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icd_check_values),
        cmocka_unit_test(test_real_codewords),
        cmocka_unit_test(test_append_and_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
