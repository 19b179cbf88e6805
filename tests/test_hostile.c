/* Damaged and hostile input files: each case was a crash, an out-of-bounds
 * read or undefined behaviour (float to int of a file value) before; now a
 * clear error or a defined value.  Run under `make check-asan` these also
 * prove the absence of the memory errors.  gzip input through zlib: any file
 * name works (no shell), a truncated .gz is an error, not a short file. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bdsrx/eph.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/source.h"
#include "bdsrx/sp3.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/bdsrx_hostile_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmtree(g_dir) == 0 ? 0 : -1;
}

/* dst = the first `limit` bytes of src (all with limit 0); 0 ok */
static int copy_file(const char *src, const char *dst, size_t limit)
{
    FILE *i = fopen(src, "rb"), *o = fopen(dst, "wb");
    int bad = !i || !o;
    char buf[65536];
    size_t done = 0, k;
    while (!bad && (!limit || done < limit) &&
           (k = fread(buf, 1, limit && limit - done < sizeof buf ? limit - done : sizeof buf, i)) > 0) {
        bad |= fwrite(buf, 1, k, o) != k;
        done += k;
    }
    if (i)
        fclose(i);
    if (o)
        bad |= fclose(o) != 0;
    return bad ? -1 : 0;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define SP3_HEAD "#dP2023  8 11  0  0  0.00000000      96 ORBIT IGS20 FIT  WHU\n%c C  cc BDT ccc cccc cccc cccc cccc ccccc ccccc ccccc ccccc\n"
#define SP3_REC "PC19  -9392.345678  21678.123456  11234.567890     12.345678\n"

/* Two identical epochs made bx_sp3_interp divide by a zero step: NaN ->
 * INT_MIN index -> segfault (sp3.c).  Now the reader refuses the file. */
static void test_sp3_equal_epochs(void **state)
{
    (void)state;
    char err[256];
    bx_sp3_t *s = NULL;
    const char *p = write_file("eq.sp3", SP3_HEAD "*  2023  8 11  0  0  0.00000000\n" SP3_REC
                                        "*  2023  8 11  0  0  0.00000000\n" SP3_REC "EOF\n");
    assert_int_equal(bx_sp3_read(p, &s, err, sizeof err), BX_ERR_FORMAT);
    assert_null(s);
    assert_non_null(strstr(err, "epoch not after the previous one"));
    /* a table built by hand with equal epochs: an error from the interpolator, no crash */
    bx_sp3_t t;
    memset(&t, 0, sizeof t);
    bx_time_t ep[3];
    double pos[3 * (BX_PRN_MAX + 1)][3], clk[3 * (BX_PRN_MAX + 1)];
    for (int i = 0; i < 3 * (BX_PRN_MAX + 1); i++) {
        pos[i][0] = pos[i][1] = pos[i][2] = 2e7;
        clk[i] = 0;
    }
    ep[0] = ep[1] = ep[2] = bx_time_from_civil(2023, 8, 11, 0, 0, 0.0);
    t.n_epoch = 3;
    t.epoch = ep;
    t.pos_m = pos;
    t.clk_s = clk;
    double x[3], c;
    assert_int_not_equal(bx_sp3_interp(&t, 19, ep[0], 2, x, &c), BX_OK);
    /* and a huge order is an argument error, not an overflow */
    assert_int_equal(bx_sp3_interp(&t, 19, ep[0], 0x7fffffff, x, &c), BX_ERR_ARG);
}

/* A first line shorter than 46 characters: sscanf(line + 46) read beyond the
 * string into uninitialised stack.  Also short '%c' and 'PC' lines. */
static void test_sp3_short_lines(void **state)
{
    (void)state;
    char err[256];
    bx_sp3_t *s = NULL;
    const char *p = write_file("short.sp3", "#d\n%c C\n*  2023  8 11  0  0  0.00000000\nPC1\nEOF\n");
    assert_int_not_equal(bx_sp3_read(p, &s, err, sizeof err), BX_OK);
    assert_null(s);
    /* unequal spacing is fine: located by bisection */
    p = write_file("uneq.sp3", SP3_HEAD "*  2023  8 11  0  0  0.00000000\n" SP3_REC "*  2023  8 11  0  5  0.00000000\n"
                               SP3_REC "*  2023  8 11  0 15  0.00000000\n" SP3_REC "EOF\n");
    assert_int_equal(bx_sp3_read(p, &s, err, sizeof err), BX_OK);
    double x[3], c;
    assert_int_equal(bx_sp3_interp(s, 19, bx_time_from_civil(2023, 8, 11, 0, 12, 0.0), 2, x, &c), BX_OK);
    assert_true(fabs(x[0] + 9392345.678) < 1e-3);
    assert_true(fabs(c - 12.345678e-6) < 1e-12);
    bx_sp3_destroy(s);
    /* seconds beyond 60, NaN coordinates: errors */
    p = write_file("sec.sp3", SP3_HEAD "*  2023  8 11  0  0 1e300\n" SP3_REC "EOF\n");
    assert_int_equal(bx_sp3_read(p, &s, err, sizeof err), BX_ERR_FORMAT);
    p = write_file("nan.sp3", SP3_HEAD "*  2023  8 11  0  0  0.00000000\nPC19           nan  21678.123456  11234.567890     12.345678\nEOF\n");
    assert_int_equal(bx_sp3_read(p, &s, err, sizeof err), BX_ERR_FORMAT);
}

/* Times from damaged values: (int64_t) of NaN/inf/1e300 was undefined (time.c). */
static void test_time_nonfinite(void **state)
{
    (void)state;
    const bx_time_t t0 = bx_time_from_civil(2023, 3, 12, 4, 5, 34.0);
    const double bad[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300};
    for (int i = 0; i < 5; i++) {
        bx_time_t t = bx_time_make(1000, bad[i]);
        assert_int_equal(t.sec, 1000);
        assert_true(t.frac_s == 0.0);
        t = bx_time_add(t0, bad[i]);
        assert_int_equal(bx_time_cmp(t, t0), 0);
    }
}

#define OBS_HEAD                                                                                                       \
    "     3.05           OBSERVATION DATA    C                   RINEX VERSION / TYPE\n"                               \
    "C    2 C1P C5P                                              SYS / # / OBS TYPES\n"                                \
    "                                                            END OF HEADER\n"

/* RINEX obs epoch fields: a year "1e99" or seconds "nan" were converted to int
 * (undefined); now a malformed-epoch error.  An observation "nan" is no value. */
static void test_rinex_obs_fields(void **state)
{
    (void)state;
    const char *cases[] = {
        OBS_HEAD "> 1e99 03 12 04 05 34.0000000  0  1\nC19  21000000.000    21000000.000\n",
        OBS_HEAD "> 2023 03 12 04 05        nan  0  1\nC19  21000000.000    21000000.000\n",
        OBS_HEAD "> 2023 03 12 04 05 34.0000000  01e9\nC19  21000000.000    21000000.000\n",
    };
    char err[256], name[32];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "o%d.rnx", i);
        const char *p = write_file(name, cases[i]);
        bx_rinex_obs_reader_t *r = NULL;
        assert_int_equal(bx_rinex_obs_open(p, &r, err, sizeof err), BX_OK);
        static bx_obs_t obs;
        const int st = bx_rinex_obs_read(r, &obs);
        printf("NOTE: obs case %d: %d %s\n", i, st, bx_rinex_obs_error(r));
        assert_int_not_equal(st, BX_OK);
        bx_rinex_obs_destroy(r);
    }
    const char *p = write_file("onan.rnx", OBS_HEAD "> 2023 03 12 04 05 34.0000000  0  1\nC19            nan    21000000.000\n");
    bx_rinex_obs_reader_t *r = NULL;
    assert_int_equal(bx_rinex_obs_open(p, &r, err, sizeof err), BX_OK);
    static bx_obs_t obs;
    assert_int_equal(bx_rinex_obs_read(r, &obs), BX_OK);
    for (int i = 0; i < obs.n; i++)
        assert_true(isfinite(obs.d[i].pseudorange_m));
    bx_rinex_obs_destroy(r);
}

/* .gz through zlib: a name with a quote (refused before: it went through a
 * shell), and a truncated file is an error. */
static void test_gzip(void **state)
{
    (void)state;
    char src[512], err[512];
    if (!testdata_path(src, sizeof src, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_MN.rnx.gz"))
        skip();
    char path[256], cut[256];
    snprintf(path, sizeof path, "%s/it's $(x).rnx.gz", g_dir);
    snprintf(cut, sizeof cut, "%s/cut.rnx.gz", g_dir);
    assert_int_equal(copy_file(src, path, 0), 0);
    assert_int_equal(copy_file(src, cut, 20000), 0);
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_rinex_nav_read(path, &nav, err, sizeof err), BX_OK);
    assert_true(nav.n_eph > 10);
    const int full = nav.n_eph;
    bx_nav_destroy(&nav);
    snprintf(path, sizeof path, "%s/cut.rnx.gz", g_dir);
    bx_nav_init(&nav);
    const int st = bx_rinex_nav_read(path, &nav, err, sizeof err);
    printf("NOTE: truncated .gz: %d (%s), %d of %d ephemerides\n", st, err, nav.n_eph, full);
    assert_int_not_equal(st, BX_OK);
    bx_nav_destroy(&nav);
}

/* RINEX nav integer codes stored as floats: a SISAI of 6.67e18 was converted
 * to int (undefined; found by fuzz_rinex_nav on the old reader).  A real CNV1
 * record of the DLR merged file, read at run time, with its SISAI_oe replaced:
 * the record is still read, the code becomes -1 (unknown). */
static void test_rinex_nav_codes(void **state)
{
    (void)state;
    char src[512];
    if (!testdata_path(src, sizeof src, "real/rinex_bds3_obs/BRD400DLR_S_20230710000_01D_MN.rnx.gz"))
        skip();
    gzFile gz = gzopen(src, "rb");
    assert_non_null(gz);
    char path[256];
    snprintf(path, sizeof path, "%s/sisai.rnx", g_dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    char line[512];
    int in_hdr = 1, rec = -1;
    while (gzgets(gz, line, sizeof line)) {
        if (in_hdr) {
            fputs(line, out);
            in_hdr = strstr(line, "END OF HEADER") == NULL;
            continue;
        }
        if (rec < 0 && !strncmp(line, "> EPH C19 CNV1", 14))
            rec = 0;
        if (rec < 0)
            continue;
        if (rec == 7) /* BROADCAST ORBIT line with SISAI_oe SISAI_ocb SISAI_oc1 SISAI_oc2 */
            memcpy(line + 4, " 6.666666666667e+18", 19);
        fputs(line, out);
        if (++rec == 11)
            break;
    }
    gzclose(gz);
    fclose(out);
    assert_int_equal(rec, 11);
    bx_nav_t nav;
    bx_nav_init(&nav);
    char err[512];
    assert_int_equal(bx_rinex_nav_read(path, &nav, err, sizeof err), BX_OK);
    assert_int_equal(nav.n_eph, 1);
    assert_int_equal(nav.eph[0].prn, 19);
    assert_int_equal(nav.eph[0].sisai_oe, -1);
    bx_nav_destroy(&nav);
}

/* URI keys: every number range-checked before conversion (ch=nan, ring=1e300,
 * timeout_ms=-1 ... were cast to integers; ring=1 dropped every sample). */
static void test_uri_ranges(void **state)
{
    (void)state;
    char data[4096] = {0};
    const char *p = write_file("cap.ci8", "");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(data, 1, sizeof data, f);
    fclose(f);
    const char *bad[] = {"ring=1", "ring=1e300", "ring=nan", "ch=nan", "ch=3", "ch=1.5", "timeout_ms=-1",
                         "timeout_ms=1e12", "block=0", "block=inf", "pace=-1", "pace=nan", "fs=-5", "gain=1e9",
                         "ring=65536&block=32768"};
    char uri[512], err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=2e6&live=1&%s", p, bad[i]);
        bx_source_t *src = NULL;
        err[0] = '\0';
        const int st = bx_source_open(uri, NULL, &src, err, sizeof err);
        if (st == BX_OK)
            bx_source_destroy(src);
        printf("NOTE: %s -> %s\n", bad[i], err);
        assert_int_equal(st, BX_ERR_ARG);
        assert_non_null(strstr(err, "source URI: "));
    }
    /* and the good values still open */
    snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=2e6&live=1&ring=65536&block=4096&pace=0&timeout_ms=500&ch=1", p);
    bx_source_t *src = NULL;
    assert_int_equal(bx_source_open(uri, NULL, &src, err, sizeof err), BX_OK);
    bx_source_destroy(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sp3_equal_epochs), cmocka_unit_test(test_sp3_short_lines),
        cmocka_unit_test(test_time_nonfinite),   cmocka_unit_test(test_rinex_obs_fields),
        cmocka_unit_test(test_gzip), cmocka_unit_test(test_uri_ranges),
        cmocka_unit_test(test_rinex_nav_codes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
