/* The test helpers themselves (tests/testutil.c), with standard programs (sh, cat, head, printf
 * from coreutils) as the children:
 *  - tu_run: exit status, 128 + signal, stdout and stderr apart or merged, megabytes on both
 *    streams at once without a pipe deadlock, arguments passed as they are (no shell: spaces,
 *    quotes, '$' and ';' arrive unchanged), stdin from a file, extra environment, stdout to a file;
 *  - tu_spawn + tu_readline/tu_wait_line + tu_wait: a readiness line, then the rest;
 *  - tu_cache_dir/tu_cache_commit: a miss, a hit with the same key, a changed key regenerates;
 *  - no test runs programs through a shell: tests/test_*.c call no popen/system/fork (the
 *    process runner is the one place that does). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

static void test_run_status_and_streams(void **state)
{
    (void)state;
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, "sh", "-c", "printf out; printf err >&2; exit 3", NULL), 3);
    assert_string_equal(r.out, "out");
    assert_string_equal(r.err, "err");
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, NULL, "sh", "-c", "kill -TERM $$", NULL), 128 + 15);
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, NULL, "/nonexistent/program", NULL), 127);
    tu_result_free(&r);
    const tu_opts_t merged = {.merge_err = 1};
    assert_int_equal(tu_runl(&r, &merged, "sh", "-c", "printf a; printf b >&2; printf c", NULL), 0);
    assert_string_equal(r.out, "abc");
    assert_int_equal(r.err_len, 0);
    tu_result_free(&r);
}

/* 4 MB on stdout and on stderr at the same time: a runner that read one stream to its end first
 * would deadlock on the other's full pipe */
static void test_run_no_deadlock(void **state)
{
    (void)state;
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, "sh", "-c",
                             "head -c 4000000 /dev/zero | tr '\\0' x & head -c 4000000 /dev/zero | tr '\\0' y >&2; wait",
                             NULL),
                     0);
    assert_int_equal(r.out_len, 4000000);
    assert_int_equal(r.err_len, 4000000);
    assert_true(r.out[0] == 'x' && r.out[3999999] == 'x' && r.out[4000000] == 0);
    assert_true(r.err[0] == 'y' && r.err[3999999] == 'y');
    tu_result_free(&r);
}

static void test_run_arguments_env_stdin_stdout(void **state)
{
    (void)state;
    tu_result_t r;
    /* arguments arrive as they are: nothing is interpreted */
    const char *odd = "a b 'c' \"d\" $HOME ; e `f` \\g";
    assert_int_equal(tu_runl(&r, NULL, "printf", "%s|", odd, "", "x", NULL), 0);
    char want[256];
    snprintf(want, sizeof want, "%s||x|", odd);
    assert_string_equal(r.out, want);
    tu_result_free(&r);
    /* environment additions */
    const char *env[] = {"TU_TEST_A=one two", "TU_TEST_B=", NULL};
    const tu_opts_t oe = {.env = env};
    assert_int_equal(tu_runl(&r, &oe, "sh", "-c", "printf '%s|%s|%s' \"$TU_TEST_A\" \"${TU_TEST_B-unset}\" \"${TU_TEST_C-unset}\"",
                             NULL),
                     0);
    assert_string_equal(r.out, "one two||unset");
    tu_result_free(&r);
    /* stdin from a file, stdout into a file */
    char in[] = "/tmp/bdsrx_tu_in_XXXXXX", out[] = "/tmp/bdsrx_tu_out_XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "line 1\nline 2\n", 14), 14);
    close(fd);
    close(mkstemp(out));
    const tu_opts_t oi = {.stdin_path = in, .stdout_path = out};
    assert_int_equal(tu_runl(&r, &oi, "cat", NULL), 0);
    assert_int_equal(r.out_len, 0); /* went to the file */
    tu_result_free(&r);
    FILE *f = fopen(out, "r");
    char buf[64] = "";
    assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 14);
    fclose(f);
    assert_string_equal(buf, "line 1\nline 2\n");
    /* no stdin given: /dev/null, so a reader of stdin ends at once */
    assert_int_equal(tu_runl(&r, NULL, "cat", NULL), 0);
    assert_int_equal(r.out_len, 0);
    tu_result_free(&r);
    unlink(in);
    unlink(out);
    assert_true(tu_have("sh"));
    assert_false(tu_have("bdsrx-no-such-program"));
}

static void test_spawn_readiness(void **state)
{
    (void)state;
    /* a "server" that announces itself, then echoes its input with a prefix until the input ends */
    const char *argv[] = {"sh", "-c", "echo 'noise'; echo 'ready on port 4242'; while read l; do echo \"got $l\"; done",
                          NULL};
    tu_proc_t p;
    assert_int_equal(tu_spawn(&p, argv, TU_STDIN_PIPE | TU_OUT_PIPE), 0);
    char line[128];
    assert_true(tu_wait_line(&p, "ready on port", line, sizeof line) > 0);
    assert_int_equal(atoi(strrchr(line, ' ') + 1), 4242);
    assert_int_equal(write(p.in_fd, "x\ny\n", 4), 4);
    assert_true(tu_readline(&p, line, sizeof line) >= 0);
    assert_string_equal(line, "got x");
    close(p.in_fd);
    p.in_fd = -1;
    size_t n;
    char *rest = tu_read_rest(&p, &n);
    assert_string_equal(rest, "got y\n");
    free(rest);
    assert_int_equal(tu_wait(&p), 0);
    /* a process that ends without the line: -1, not a hang */
    const char *argv2[] = {"sh", "-c", "echo other; exit 4", NULL};
    assert_int_equal(tu_spawn(&p, argv2, TU_OUT_PIPE), 0);
    assert_int_equal(tu_wait_line(&p, "ready", line, sizeof line), -1);
    assert_int_equal(tu_wait(&p), 4);
}

static void test_cache(void **state)
{
    (void)state;
    char root[] = "/tmp/bdsrx_tu_cache_XXXXXX";
    assert_non_null(mkdtemp(root));
    setenv("BDSRX_TEST_CACHE", root, 1);
    char dir[512], tmp[512], p[600];
    assert_int_equal(tu_cache_dir("cap", "key 1", dir, sizeof dir, tmp, sizeof tmp), 0); /* miss */
    snprintf(p, sizeof p, "%s/data", tmp);
    FILE *f = fopen(p, "w");
    fputs("one", f);
    fclose(f);
    assert_int_equal(tu_cache_commit(dir, tmp, "key 1"), 0);
    assert_int_equal(tu_cache_dir("cap", "key 1", dir, sizeof dir, tmp, sizeof tmp), 1); /* hit */
    snprintf(p, sizeof p, "%s/data", dir);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(tu_cache_dir("cap", "key 2", dir, sizeof dir, tmp, sizeof tmp), 0); /* changed key */
    assert_int_equal(tu_cache_commit(dir, tmp, "key 2"), 0);
    assert_int_not_equal(stat(p, &st), 0); /* the old entry was replaced */
    assert_int_equal(tu_cache_dir("bad/name", "k", dir, sizeof dir, tmp, sizeof tmp), -1);
    unsetenv("BDSRX_TEST_CACHE");
    assert_int_equal(tu_rmtree(root), 0);
    assert_int_not_equal(stat(root, &st), 0);
}

/* 1 when a C source line calls popen/system/fork/exec* (string literals and comments removed
 * first, so words inside them do not count). */
static int calls_banned(const char *line)
{
    char code[4096];
    size_t n = 0;
    int in_str = 0;
    for (const char *c = line; *c && n < sizeof code - 1; c++) {
        if (in_str) {
            if (*c == '\\' && c[1])
                c++;
            else if (*c == '"')
                in_str = 0;
            continue;
        }
        if (*c == '"') {
            in_str = 1;
            code[n++] = '"';
            continue;
        }
        if (c[0] == '/' && (c[1] == '/' || c[1] == '*'))
            break;
        code[n++] = *c;
    }
    code[n] = 0;
    static const char *const banned[] = {"popen(", "system(", "fork(", "execl(", "execlp(", "execv(", "execvp("};
    for (size_t k = 0; k < sizeof banned / sizeof banned[0]; k++)
        for (const char *h = strstr(code, banned[k]); h; h = strstr(h + 1, banned[k]))
            if (h == code || !((h[-1] >= 'a' && h[-1] <= 'z') || (h[-1] >= 'A' && h[-1] <= 'Z') || h[-1] == '_' ||
                               (h[-1] >= '0' && h[-1] <= '9')))
                return 1;
    return 0;
}

/* Every program a test runs goes through testutil: no popen/system/fork in tests/test_*.c. */
/* tu_chip_diff wraps across the 10230-chip code; tu_truth_prns lists a truth file's satellites
 * and then absent PRNs from 19 up */
static void test_chip_diff_truth_prns(void **state)
{
    (void)state;
    assert_float_equal(tu_chip_diff(10229.9, 0.1), -0.2, 1e-9);
    assert_float_equal(tu_chip_diff(0.1, 10229.9), 0.2, 1e-9);
    assert_float_equal(tu_chip_diff(5000.0, 100.0), 4900.0, 1e-9);
    assert_float_equal(tu_chip_diff(100.0, 5300.0), 5030.0, 1e-9);
    char path[] = "/tmp/bdsrx_tu_truth_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("{\"epochs\": [{\"t_s\": 0, \"sats\": [{\"prn\": 21}, {\"prn\": 19}, {\"prn\": 34}]},"
          " {\"t_s\": 1, \"sats\": [{\"prn\": 40}]}]}\n",
          f);
    fclose(f);
    char list[64];
    assert_int_equal(tu_truth_prns(path, 2, list, sizeof list), 0);
    assert_string_equal(list, "19,21,34,20,22");
    assert_int_equal(tu_truth_prns(path, 2, list, 8), -1); /* does not fit */
    unlink(path);
}

static void test_no_shell_in_tests(void **state)
{
    (void)state;
    /* the checker itself */
    assert_true(calls_banned("    FILE *p = popen(cmd, \"r\");"));
    assert_true(calls_banned("    assert_int_equal(system(\"rm -rf x\"), 0);"));
    assert_true(calls_banned("    pid_t pid = fork();"));
    assert_true(calls_banned("        execlp(\"str2str\", \"str2str\", NULL);"));
    assert_false(calls_banned("    /* popen( is not used */"));
    assert_false(calls_banned("    printf(\"system( and fork() in a string\");"));
    assert_false(calls_banned("    tu_run(&r, argv, NULL); // instead of system("));
    assert_false(calls_banned("    my_system(x); bx_fork(y);"));
    DIR *d = opendir("tests");
    if (!d) {
        printf("SKIP: tests/ not found (run from the repository root)\n");
        skip();
    }
    int files = 0, bad = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "test_", 5) || l < 3 || strcmp(e->d_name + l - 2, ".c") ||
            !strcmp(e->d_name, "test_testutil.c"))
            continue;
        char path[512], line[4096];
        snprintf(path, sizeof path, "tests/%s", e->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        files++;
        for (int ln = 1; fgets(line, sizeof line, f); ln++)
            if (calls_banned(line)) {
                print_error("%s:%d: %s  -> run programs with tu_run/tu_spawn (tests/testutil.h)\n", path, ln, line);
                bad++;
            }
        fclose(f);
    }
    closedir(d);
    printf("NOTE: %d test sources checked: no popen/system/fork/exec outside testutil.c\n", files);
    assert_true(files > 10);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_status_and_streams), cmocka_unit_test(test_run_no_deadlock),
        cmocka_unit_test(test_run_arguments_env_stdin_stdout), cmocka_unit_test(test_spawn_readiness),
        cmocka_unit_test(test_cache), cmocka_unit_test(test_chip_diff_truth_prns),
        cmocka_unit_test(test_no_shell_in_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
