/* NMEA sentences and JSON lines against hand-written expected text.  The
 * checksums in the expected strings were computed separately (XOR of the
 * bytes between '$' and '*', done by hand with a Python one-liner), and the
 * classic NMEA GGA example "...*47" checks the checksum routine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/output.h"
#include "bdsrx/time.h"

#define D2R (M_PI / 180.0)

static void test_checksum(void **state)
{
    (void)state;
    assert_int_equal(bx_nmea_checksum("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"), 0x47);
    assert_int_equal(bx_nmea_checksum("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"), 0x47);
}

static void make_sol(bx_sol_t *s)
{
    memset(s, 0, sizeof *s);
    /* BDT 2022-06-08 09:59:46 = UTC 09:59:42 (BDT - UTC = 4 s) */
    s->time = s->rx_time = bx_time_from_civil(2022, 6, 8, 9, 59, 46.0);
    s->leap_s = 4;
    s->fix = BX_FIX_SPP;
    s->mode = BX_PVT_IF;
    s->llh[0] = (55.0 + 42.3456 / 60.0) * D2R;
    s->llh[1] = -(12.0 + 32.1 / 60.0) * D2R;
    s->llh[2] = 98.765;
    s->n_used = 9;
    s->hdop = 0.87;
    s->pdop = 2.06;
    s->vdop = 1.84;
    s->flags = BX_SOLF_VEL | BX_SOLF_RAIM_OK | BX_SOLF_IONO_FREE;
    s->vel_enu_mps[0] = 1.0;
    s->n_sat = 4;
    const int prn[4] = {20, 26, 29, 33};
    const float el[4] = {45.2f, 10.4f, 77.0f, 0.0f}, az[4] = {123.4f, 359.4f, 1.0f, 0.0f}, cn0[4] = {41.2f, 0, 37.6f, 0};
    for (int i = 0; i < 4; i++) {
        s->sat[i].prn = (uint8_t)prn[i];
        s->sat[i].status = i < 3 ? BX_SAT_USED : BX_SAT_NOEPH;
        s->sat[i].el_deg = el[i];
        s->sat[i].az_deg = az[i];
        s->sat[i].cn0_dbhz = cn0[i];
    }
}

static void test_sentences(void **state)
{
    (void)state;
    bx_sol_t s;
    make_sol(&s);
    char b[1024];
    assert_true(bx_nmea_gga(&s, NULL, b, sizeof b) > 0);
    /* no geoid: ellipsoidal height, separation left empty */
    assert_string_equal(b, "$GBGGA,095942.00,5542.34560,N,01232.10000,W,1,09,0.9,98.765,M,,M,,*45\r\n");
    /* with a geoid separation N = 56.5 m: altitude above MSL = 98.765 - 56.5 */
    s.geoid_sep_m = 56.5;
    s.flags |= BX_SOLF_GEOID;
    assert_true(bx_nmea_gga(&s, "GB", b, sizeof b) > 0);
    assert_string_equal(b, "$GBGGA,095942.00,5542.34560,N,01232.10000,W,1,09,0.9,42.265,M,56.500,M,,*5F\r\n");
    s.flags &= ~(uint32_t)BX_SOLF_GEOID;
    assert_true(bx_nmea_rmc(&s, "GB", b, sizeof b) > 0);
    assert_string_equal(b, "$GBRMC,095942.00,A,5542.34560,N,01232.10000,W,1.944,90.00,080622,,,A*53\r\n");
    assert_true(bx_nmea_gsa(&s, "GB", b, sizeof b) > 0);
    assert_string_equal(b, "$GBGSA,A,3,20,26,29,,,,,,,,,,2.1,0.9,1.8,4*36\r\n");
    assert_true(bx_nmea_gsv(&s, b, sizeof b) > 0);
    assert_string_equal(b, "$GBGSV,1,1,03,20,45,123,41,26,10,359,,29,77,001,38*55\r\n");
    /* GN talker changes only the talker and the checksum */
    assert_true(bx_nmea_gga(&s, "GN", b, sizeof b) > 0);
    assert_int_equal(strncmp(b, "$GNGGA,095942.00,5542.34560,N", 29), 0);
    const char *star = strchr(b, '*');
    assert_non_null(star);
    assert_int_equal(strtol(star + 1, NULL, 16), 0x45 ^ 'G' ^ 'B' ^ 'G' ^ 'N');
    /* no fix */
    s.fix = BX_FIX_NONE;
    assert_true(bx_nmea_gga(&s, NULL, b, sizeof b) > 0);
    assert_string_equal(b, "$GBGGA,095942.00,,,,,0,00,,,M,,M,,*59\r\n");
    /* too small a buffer is an error, not a truncated sentence */
    s.fix = BX_FIX_SPP;
    assert_int_equal(bx_nmea_gga(&s, NULL, b, 20), BX_ERR_ARG);
}

static void test_gsv_paging_and_rounding(void **state)
{
    (void)state;
    bx_sol_t s;
    make_sol(&s);
    s.n_sat = 9;
    for (int i = 0; i < 9; i++) {
        s.sat[i].prn = (uint8_t)(19 + i);
        s.sat[i].status = BX_SAT_USED;
        s.sat[i].el_deg = 10.0f + i;
        s.sat[i].az_deg = 40.0f * i;
        s.sat[i].cn0_dbhz = 40.0f;
    }
    char b[2048];
    assert_true(bx_nmea_gsv(&s, b, sizeof b) > 0);
    int lines = 0;
    for (char *p = b; (p = strstr(p, "$GBGSV,3,")); p++) {
        lines++;
        const char *star = strchr(p, '*');
        char body[128];
        memcpy(body, p, (size_t)(star - p));
        body[star - p] = '\0';
        assert_int_equal(strtol(star + 1, NULL, 16), (long)bx_nmea_checksum(body));
    }
    assert_int_equal(lines, 3);
    assert_non_null(strstr(b, "$GBGSV,3,3,09,27,18,320,40*"));
    /* 59.999 s rounds into the next hour, never "60.00" */
    s.time = bx_time_from_civil(2022, 6, 8, 10, 0, 3.999); /* UTC 09:59:59.999 */
    assert_true(bx_nmea_gga(&s, NULL, b, sizeof b) > 0);
    assert_int_equal(strncmp(b, "$GBGGA,100000.00,", 17), 0);
}

static void test_json(void **state)
{
    (void)state;
    bx_sol_t s;
    make_sol(&s);
    s.pos_m[0] = 3516213.4380;
    snprintf(s.reason, sizeof s.reason, "say \"hi\"");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(bx_sol_json_write(f, &s), BX_OK);
    fclose(f);
    assert_non_null(strstr(buf, "\"utc\":\"2022-06-08T09:59:42.000Z\""));
    assert_non_null(strstr(buf, "\"bdt_week\":857,\"bdt_sow\":295186.000"));
    assert_non_null(strstr(buf, "\"lat_deg\":55.705760000"));
    assert_non_null(strstr(buf, "\"ecef_m\":[3516213.438,"));
    assert_non_null(strstr(buf, "\"reason\":\"say \\\"hi\\\"\""));
    assert_non_null(strstr(buf, "{\"prn\":33,\"status\":\"noeph\",\"el_deg\":null"));
    assert_non_null(strstr(buf, "\"raim\":\"ok\""));
    assert_int_equal(buf[len - 1], '\n');
    assert_null(strchr(buf, '\n') + 1 < buf + len ? strchr(strchr(buf, '\n') + 1, '\n') : NULL);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_gsv_paging_and_rounding),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
