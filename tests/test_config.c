/* Config files (src/cli/cli_config.c, libinih): keys = long option names, sections per program,
 * command line over config, clear errors with file:line; the example configs in data/config are
 * accepted by `bdsrx live`; `bdsrx code` configured from a file prints the ICD's first chips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_opt.h"
#include "testutil.h"

typedef struct {
    int quiet, n;
    double fs;
    const char *out;
} vals_t;

static int parse(const char *ini, char **args, int nargs, vals_t *v)
{
    char path[] = "/tmp/bdsrx_cfg_XXXXXX";
    FILE *f = fdopen(mkstemp(path), "w");
    fputs(ini, f);
    fclose(f);
    memset(v, 0, sizeof *v);
    const cli_opt_t opts[] = {
        {"quiet", 'q', CLI_FLAG, &v->quiet, 0, 0, NULL, "quiet", NULL, 0, 0},
        {"count", 'n', CLI_INT, &v->n, 0, 100, "N", "a count", NULL, 0, 0},
        {"fs", 0, CLI_HZ, &v->fs, 1, 1e9, "HZ", "rate", NULL, 0, 0},
        {"out", 'o', CLI_STRING, &v->out, 0, 0, "FILE", "output", NULL, 0, 0},
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {"bdsrx demo", "[options]", NULL, opts, NULL, 0, 0};
    char *argv[16] = {"demo", "--config", path};
    int argc = 3;
    for (int i = 0; i < nargs; i++)
        argv[argc++] = args[i];
    const int r = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    remove(path);
    return r;
}

static void test_keys_sections_override(void **state)
{
    (void)state;
    vals_t v;
    /* global keys apply when the program has them (unknown global keys are other programs') */
    assert_int_equal(parse("fs = 4.092M\nelmask = 5\n[demo]\ncount = 7\nout = a.txt\nquiet = yes\n"
                           "[other]\ncount = 99\nnonsense = 1\n",
                           NULL, 0, &v),
                     0);
    assert_float_equal(v.fs, 4.092e6, 1e-6);
    assert_int_equal(v.n, 7);
    assert_string_equal(v.out, "a.txt");
    assert_int_equal(v.quiet, 1);
    /* the command line overrides the file */
    char *args[] = {"--count=3", "-o", "b.txt"};
    assert_int_equal(parse("[demo]\ncount = 7\nout = a.txt\nquiet = false\n", args, 3, &v), 0);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.out, "b.txt");
    assert_int_equal(v.quiet, 0);
}

static void test_errors(void **state)
{
    (void)state;
    vals_t v;
    assert_int_equal(parse("[demo]\ncont = 7\n", NULL, 0, &v), 2);       /* unknown key in own section */
    assert_int_equal(parse("[demo]\ncount = 700\n", NULL, 0, &v), 2);    /* out of range */
    assert_int_equal(parse("[demo]\nfs = nan\n", NULL, 0, &v), 2);       /* not finite */
    assert_int_equal(parse("[demo]\nquiet = maybe\n", NULL, 0, &v), 2);  /* flag value */
    assert_int_equal(parse("[demo]\njust words\n", NULL, 0, &v), 2);     /* not key = value */
    char *missing[] = {"--config", "/nonexistent/x.ini"};
    assert_int_equal(parse("", missing, 2, &v), 2);
}

static void test_programs(void **state)
{
    (void)state;
    char bin[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bin/bdsrx not built\n");
        skip();
    }
    tu_result_t r = {0};
    /* the shipped examples are valid for `bdsrx live` */
    const char *ex[] = {"data/config/rtlsdr-rover.ini", "data/config/pocket-base.ini"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(tu_runl(&r, NULL, bin, "live", "--config", ex[i], "--help", NULL), 0);
        tu_result_free(&r);
    }
    /* a real command configured from a file: B1C pilot PRN 1 starts 71676756 in octal (ICD B1C
     * Table 5-2, shared/icd/signals.md) */
    char path[] = "/tmp/bdsrx_cfg_XXXXXX";
    FILE *f = fdopen(mkstemp(path), "w");
    fputs("[code]\nsignal = B1CP\nprn = 1\noctal = true\n", f);
    fclose(f);
    assert_int_equal(tu_runl(&r, NULL, bin, "code", "--config", path, NULL), 0);
    assert_int_equal(strncmp(r.out, "71676756", 8), 0);
    tu_result_free(&r);
    /* $BDSRX_CONFIG works the same way */
    char envv[600];
    snprintf(envv, sizeof envv, "BDSRX_CONFIG=%s", path);
    const char *env[] = {envv, NULL};
    tu_opts_t o = {.env = env};
    assert_int_equal(tu_runl(&r, &o, bin, "code", NULL), 0);
    assert_int_equal(strncmp(r.out, "71676756", 8), 0);
    tu_result_free(&r);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_sections_override),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_programs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
