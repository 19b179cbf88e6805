/* Whole-record outputs and write errors (src/io/recio.c, bdsrx pvt/run):
 * a file that reaches its size limit (RLIMIT_FSIZE stands in for a full disk:
 * the same partial write, then an error) ends on the last whole record;
 * /dev/full gives a clear message and a non-zero exit status; a final file is
 * either complete or absent. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recio.h"
#include "testdata.h"
#include "testutil.h"

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Records of 70 bytes into a file limited to 1000 bytes: 14 fit (980 bytes),
 * the 15th is cut by the limit and must be removed again.  The soft file size
 * limit is lowered for this process only while the records are written (no
 * output meanwhile: the test's own log is a file too) and restored after. */
static void test_torn_record(void **state)
{
    (void)state;
    char path[] = "/tmp/bdsrx_recio_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    char rec[70];
    memset(rec, 'x', sizeof rec);
    rec[69] = '\n';
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < 1000) {
        fclose(f);
        unlink(path);
        skip();
    }
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    fflush(stdout);
    fflush(stderr);
    struct rlimit lim = {1000, old.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int k = 0, e = 0;
    while (k < 100 && (e = bx_rec_write(f, rec, sizeof rec)) == 0)
        k++;
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    fclose(f);
    assert_int_equal(k, 14);
    assert_int_equal(e, EFBIG);
    assert_int_equal(file_size(path), 14 * 70);
    unlink(path);
}

static void test_dev_full(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    assert_int_equal(bx_rec_write(f, "abc\n", 4), ENOSPC);
    assert_int_equal(bx_rec_write(f, "abc\n", 4), ENOSPC); /* and again, not a silent success */
    fclose(f);
}

static void test_final_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/bdsrx_final_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], tmp[300];
    snprintf(path, sizeof path, "%s/nav.rnx", dir);
    FILE *f;
    assert_int_equal(bx_final_open(path, tmp, sizeof tmp, &f), 0);
    fputs("complete\n", f);
    assert_int_equal(file_size(path), -1); /* not there until committed */
    assert_int_equal(bx_final_commit(f, tmp, path, 1), 0);
    assert_int_equal(file_size(path), 9);
    assert_int_equal(file_size(tmp), -1);
    /* a failed producer leaves the previous file alone and no temporary */
    assert_int_equal(bx_final_open(path, tmp, sizeof tmp, &f), 0);
    fputs("half", f);
    assert_int_equal(bx_final_commit(f, tmp, path, 0), 0);
    assert_int_equal(file_size(path), 9);
    assert_int_equal(file_size(tmp), -1);
    /* a directory that does not exist: an error, not a crash */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/dir.rnx", dir);
    assert_int_equal(bx_final_open(bad, tmp, sizeof tmp, &f), ENOENT);
    assert_null(f);
    unlink(path);
    rmdir(dir);
}

/* bdsrx pvt on the KMS3 RINEX files with every output on /dev/full. */
static void test_pvt_dev_full(void **state)
{
    (void)state;
    char bin[512], obs[512], nav[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bdsrx not built\n");
        skip();
    }
    if (!testdata_path(obs, sizeof obs, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_30S_MO.rnx") ||
        !testdata_path(nav, sizeof nav, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_MN.rnx.gz"))
        skip();
    const char *outs[][3] = {{"--json", "--out", "/dev/full"}, {"--out", "/dev/full", NULL}, {"--nmea", "/dev/full", NULL}};
    for (int i = 0; i < 3; i++) {
        const char *argv[] = {bin, "pvt", "--obs", obs, "--nav", nav, outs[i][0], outs[i][1], outs[i][2], NULL};
        tu_result_t r;
        const int rc = tu_run(&r, argv, NULL);
        printf("NOTE: pvt %s %s: exit %d, %s", outs[i][0], outs[i][1], rc, r.err);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(r.err, "/dev/full: write failed: No space left on device"));
        tu_result_free(&r);
    }
    /* standard output full (the text lines) */
    tu_opts_t o = {.stdout_path = "/dev/full"};
    tu_result_t r;
    const int rc = tu_runl(&r, &o, bin, "pvt", "--obs", obs, "--nav", nav, NULL);
    printf("NOTE: pvt > /dev/full: exit %d, %s", rc, r.err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(r.err, "standard output: write failed"));
    tu_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torn_record),
        cmocka_unit_test(test_dev_full),
        cmocka_unit_test(test_final_file),
        cmocka_unit_test(test_pvt_dev_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
