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
#include <sys/wait.h>
#include <unistd.h>

#include "recio.h"
#include "testdata.h"

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Records of 70 bytes into a file limited to 1000 bytes: 14 fit (980 bytes),
 * the 15th is cut by the limit and must be removed again. */
static void test_torn_record(void **state)
{
    (void)state;
    char path[] = "/tmp/bdsrx_recio_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {1000, 1000};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
        FILE *f = fopen(path, "w");
        if (!f)
            _exit(11);
        char rec[70];
        memset(rec, 'x', sizeof rec);
        rec[69] = '\n';
        int k = 0, e = 0;
        while (k < 100 && (e = bx_rec_write(f, rec, sizeof rec)) == 0)
            k++;
        fclose(f);
        _exit(k == 14 && e == EFBIG ? 0 : 12);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
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

/* Runs cmd through the shell; returns its exit status and its stderr in err. */
static int run_cmd(const char *cmd, char *err, size_t errlen)
{
    char full[4096];
    snprintf(full, sizeof full, "%s 2>&1 >/dev/null", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(err, 1, errlen - 1, p);
    err[n] = '\0';
    const int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* bdsrx pvt on the KMS3 RINEX files with every output on /dev/full. */
static void test_pvt_dev_full(void **state)
{
    (void)state;
    const char *bindir = getenv("BDSRX_BIN");
    char bin[512], obs[512], nav[512], cmd[2048], err[4096];
    snprintf(bin, sizeof bin, "%s/bdsrx", bindir && *bindir ? bindir : "bin");
    if (access(bin, X_OK) != 0) {
        printf("SKIP: %s not built\n", bin);
        skip();
    }
    if (!testdata_path(obs, sizeof obs, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_30S_MO.rnx") ||
        !testdata_path(nav, sizeof nav, "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_MN.rnx.gz"))
        skip();
    const char *outs[] = {"--json --out /dev/full", "--out /dev/full", "--nmea /dev/full"};
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "'%s' pvt --obs '%s' --nav '%s' %s", bin, obs, nav, outs[i]);
        const int rc = run_cmd(cmd, err, sizeof err);
        printf("NOTE: pvt %s: exit %d, %s", outs[i], rc, strstr(err, "bdsrx pvt: /dev/full") ? strstr(err, "bdsrx pvt: /dev/full") : err);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(err, "/dev/full: write failed: No space left on device"));
    }
    /* standard output full (the text lines) */
    snprintf(cmd, sizeof cmd, "'%s' pvt --obs '%s' --nav '%s' 2>&1 >/dev/full", bin, obs, nav);
    FILE *p = popen(cmd, "r");
    size_t n = fread(err, 1, sizeof err - 1, p);
    err[n] = '\0';
    const int st = pclose(p);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
    assert_non_null(strstr(err, "standard output: write failed"));
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
