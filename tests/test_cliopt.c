/* The command-line option parser (src/cli/cli_opt.c) and the programs' common command line:
 * --opt value / --opt=value, messages for unknown options and missing or bad values, numbers
 * checked for NaN/inf/range, operands in any order, generated --help, --version everywhere,
 * `bdsrx help CMD`, the signal from the sidecar's centre frequency. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bdsrx/iq.h"
#include "bdsrx/types.h"
#include "bdsrx/version.h"
#include "cli.h"
#include "cli_opt.h"
#include "testutil.h"

typedef struct {
    int flag, n, quiet, sig;
    double x, hz;
    const char *s, *opt;
    const char *item[3];
    cli_list_t list;
    uint64_t prns;
    bx_iq_params_t iq;
} vals_t;

static int fn_opt(const char *arg, void *value, char *err, size_t errlen)
{
    *(const char **)value = arg ? arg : "(none)";
    return 0;
}

/* Parses the words of `line` (split at spaces) against a fixed table; stderr to a temp file
 * whose text is returned in msg.  Returns the parser's result. */
static int parse(vals_t *v, const char *line, const char **ops, int *nops, char *msg, size_t msglen)
{
    memset(v, 0, sizeof *v);
    v->x = -1;
    v->sig = -1;
    v->list = (cli_list_t){v->item, 0, 3};
    bx_iq_params_init(&v->iq);
    const cli_opt_t opts[] = {
        {"flag", 'f', CLI_FLAG, &v->flag, 0, 0, NULL, "a flag", NULL, 0, 0},
        {"num", 'n', CLI_INT, &v->n, 1, 10, "N", "an integer 1..10", NULL, 0, 0},
        {"x", 0, CLI_DOUBLE, &v->x, 0, 100, "X", "a number 0..100", NULL, 0, 0},
        {"hz", 0, CLI_HZ, &v->hz, 0, 0, "HZ", "a frequency", NULL, 0, 0},
        {"str", 's', CLI_STRING, &v->s, 0, 0, "S", "a string\nsecond help line", NULL, 0, 0},
        {"item", 0, CLI_LIST, &v->list, 0, 0, "FILE", "repeatable", NULL, 0, 0},
        {"opt", 0, CLI_FN, &v->opt, 0, 0, "V", "optional value", fn_opt, CLI_OPTIONAL, 0},
        {"signal", 0, CLI_FN, &v->sig, 0, 0, "SIG", "B1C or B2a", cli_fn_signal, 0, 0},
        {"prn", 0, CLI_FN, &v->prns, 0, 0, "LIST", "PRNs", cli_fn_prns, 0, 0},
        CLI_IQ_OPTS(&v->iq, "", "FILE"),
        CLI_QUIET_OPT(&v->quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {"prog", "[options] A [B]", "About text.", opts, "Footer text.", 1, 2};
    char buf[512], *argv[32];
    int argc = 0;
    argv[argc++] = "prog";
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    /* stderr and stdout into files for the messages */
    fflush(stderr);
    fflush(stdout);
    FILE *ef = tmpfile(), *of = tmpfile();
    int save_err = dup(2), save_out = dup(1);
    dup2(fileno(ef), 2);
    dup2(fileno(of), 1);
    int r = cli_opt_parse(&cmd, argc, argv, ops, nops);
    fflush(stderr);
    fflush(stdout);
    dup2(save_err, 2);
    dup2(save_out, 1);
    close(save_err);
    close(save_out);
    rewind(ef);
    rewind(of);
    size_t k = fread(msg, 1, msglen - 1, ef);
    k += fread(msg + k, 1, msglen - 1 - k, of);
    msg[k] = 0;
    fclose(ef);
    fclose(of);
    /* pointers into buf die here: keep copies of what the tests look at */
    static char keep[8][128];
    if (v->s)
        v->s = strcpy(keep[0], v->s);
    if (v->opt)
        v->opt = strcpy(keep[1], v->opt);
    for (int i = 0; i < v->list.n; i++)
        v->item[i] = strcpy(keep[2 + i], v->item[i]);
    for (int i = 0; ops && nops && i < *nops; i++)
        ops[i] = strcpy(keep[5 + i], ops[i]);
    return r;
}

static void test_values(void **state)
{
    (void)state;
    vals_t v;
    const char *ops[2];
    int nop;
    char msg[4096];
    assert_int_equal(parse(&v, "A --flag --num 3 --x=2.5 --hz 4.092M -s hello B --item a --item=b", ops, &nop, msg,
                           sizeof msg), 0);
    assert_int_equal(v.flag, 1);
    assert_int_equal(v.n, 3);
    assert_true(v.x == 2.5);
    assert_true(fabs(v.hz - 4.092e6) < 1e-6);
    assert_string_equal(v.s, "hello");
    assert_int_equal(nop, 2);
    assert_string_equal(ops[0], "A");
    assert_string_equal(ops[1], "B");
    assert_int_equal(v.list.n, 2);
    assert_string_equal(v.item[0], "a");
    assert_string_equal(v.item[1], "b");
    assert_null(v.opt);
    assert_string_equal(msg, "");

    /* short forms: grouped flags, attached value; optional value only with '=' */
    assert_int_equal(parse(&v, "-fqn7 A --opt", ops, &nop, msg, sizeof msg), 0);
    assert_true(v.flag && v.quiet && v.n == 7);
    assert_string_equal(v.opt, "(none)");
    assert_int_equal(parse(&v, "A --opt=val -s -x", ops, &nop, msg, sizeof msg), 0);
    assert_string_equal(v.opt, "val");
    assert_string_equal(v.s, "-x"); /* a value may start with '-' */
    /* unambiguous prefixes (getopt_long's rule); --s is ambiguous (--str, --signal) */
    assert_int_equal(parse(&v, "A --fla --nu 4 --it=q", ops, &nop, msg, sizeof msg), 0);
    assert_true(v.flag == 1 && v.n == 4 && v.list.n == 1);
    assert_int_equal(parse(&v, "A --s x", ops, &nop, msg, sizeof msg), 2);
    assert_non_null(strstr(msg, "prog: option --s is ambiguous (prog --help)"));
    /* "--" ends the options, "-" is an operand */
    assert_int_equal(parse(&v, "-- --flag -", ops, &nop, msg, sizeof msg), 0);
    assert_int_equal(v.flag, 0);
    assert_int_equal(nop, 2);
    assert_string_equal(ops[0], "--flag");
    assert_string_equal(ops[1], "-");
    /* shared value parsers */
    assert_int_equal(parse(&v, "A --signal b2a --prn 19-21,30 --format ci2 --fs 20.46M --fc 1176.45e6 --if -250k",
                           ops, &nop, msg, sizeof msg), 0);
    assert_int_equal(v.sig, BX_SIG_B2A);
    assert_true(v.prns == ((1ull << 19) | (1ull << 20) | (1ull << 21) | (1ull << 30)));
    assert_int_equal(v.iq.format, BX_IQ_CI2);
    assert_true(v.iq.fs_hz == 20.46e6 && v.iq.fc_hz == 1176.45e6 && v.iq.if_hz == -250e3);
}

static void test_errors(void **state)
{
    (void)state;
    vals_t v;
    const char *ops[2];
    int nop;
    char msg[4096];
    static const struct {
        const char *line, *want;
    } bad[] = {
        {"A --quite", "prog: unknown option --quite (did you mean --quiet?) (prog --help)"},
        {"A --zzzzzzzz", "prog: unknown option --zzzzzzzz (prog --help)"},
        {"A -z", "prog: unknown option -z (prog --help)"},
        {"A --num", "prog: --num needs a value (prog --help)"},
        {"A -n", "prog: -n (--num) needs a value (prog --help)"},
        {"A --num 11", "prog: --num: '11' is not a whole number in 1 .. 10"},
        {"A --num 2.5", "prog: --num: '2.5' is not a whole number in 1 .. 10"},
        {"A --x nan", "prog: --x: 'nan' is not a finite number in 0 .. 100"},
        {"A --x inf", "prog: --x: 'inf' is not a finite number in 0 .. 100"},
        {"A --x -1", "prog: --x: '-1' is not a finite number in 0 .. 100"},
        {"A --x 1e400", "prog: --x: '1e400' is not a finite number in 0 .. 100"},
        {"A --hz 4.092X", "prog: --hz: '4.092X' is not a frequency (e.g. 4.092M)"},
        {"A --hz nan", "prog: --hz: 'nan' is not a frequency (e.g. 4.092M)"},
        {"A --fs -1", "prog: --fs: '-1' is not a frequency (e.g. 4.092M) in 1 .. 1e+12"},
        {"A --flag=1", "prog: --flag takes no value"},
        {"A --item a --item b --item c --item d", "prog: --item given more than 3 times"},
        {"A --signal B3I", "prog: --signal: unknown signal 'B3I' (use B1C, B2a or B2b)"},
        {"A --prn 0-3", "prog: --prn: bad PRN list '0-3' (e.g. 1-63, 19,20 or 19-46,59)"},
        {"A --format cu8", "prog: --format: unknown sample format 'cu8' (ci8 ci16 cf32 ri8 ci2 ri1 int8x2)"},
        {"A B C", "prog: too many arguments: 'C' (at most 2; prog --help)"},
        {"--flag", "prog: missing argument"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = parse(&v, bad[i].line, ops, &nop, msg, sizeof msg);
        if (r != 2 || !strstr(msg, bad[i].want))
            print_error("'%s': result %d, message '%s', expected '%s'\n", bad[i].line, r, msg, bad[i].want);
        assert_int_equal(r, 2);
        assert_non_null(strstr(msg, bad[i].want));
    }
}

static void test_help_version(void **state)
{
    (void)state;
    vals_t v;
    const char *ops[2];
    int nop;
    char msg[4096];
    assert_int_equal(parse(&v, "--help", ops, &nop, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "usage: prog [options] A [B]\n\nAbout text.\n"));
    /* every option of the table is listed, with its value name, and the continuation line indented */
    static const char *const want[] = {"  -f, --flag ", "  -n, --num N ", "      --x X ", "      --hz HZ ",
                                       "  -s, --str S ", "      --item FILE ", "      --opt[=V] ",
                                       "      --signal SIG ", "      --format F ", "      --if HZ ",
                                       "  -q, --quiet ", "  -h, --help ", "      --version ",
                                       "\n                          second help line\n", "\nFooter text.\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(msg, want[i]))
            print_error("help lacks '%s':\n%s\n", want[i], msg);
        assert_non_null(strstr(msg, want[i]));
    }
    assert_int_equal(parse(&v, "-h", ops, &nop, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "usage: prog"));
    assert_int_equal(parse(&v, "--version", ops, &nop, msg, sizeof msg), 1);
    char ver[64];
    snprintf(ver, sizeof ver, "prog (bdsrx) %s\n", bx_version());
    assert_string_equal(msg, ver);
}

static void test_signal_from_fc(void **state)
{
    (void)state;
    int sig = -1;
    assert_int_equal(cli_signal_from_fc(1575.42e6, &sig), 0);
    assert_int_equal(sig, BX_SIG_B1C);
    assert_int_equal(cli_signal_from_fc(1176.45e6 + 4e6, &sig), 0); /* low-IF LO */
    assert_int_equal(sig, BX_SIG_B2A);
    assert_int_equal(cli_signal_from_fc(1207.14e6, &sig), 0); /* B2b-I, B2b ICD sec. 4.2 */
    assert_int_equal(sig, BX_SIG_B2B);
    assert_int_equal(cli_signal_from_fc(1268.52e6, &sig), -1); /* B3I: neither */
    assert_int_equal(cli_signal_from_fc(0, &sig), -1);
    assert_int_equal(cli_signal_from_fc(NAN, &sig), -1);
}

/* ---- the programs ---- */

static const char *const g_cmds[] = {"run", "live", "acquire", "track", "nav-decode", "b2b-eval", "ppp", "pvt", "code", "info"};

static void test_programs_common(void **state)
{
    (void)state;
    char bin[256];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bin/bdsrx not built\n");
        skip();
    }
    tu_result_t r;
    char want[64];
    snprintf(want, sizeof want, "%s\n", bx_version());
    /* every program in the bin directory */
    char bindir[256];
    snprintf(bindir, sizeof bindir, "%s", bin);
    *strrchr(bindir, '/') = 0;
    const char *progs[32];
    char names[32][256];
    int nprog = 0;
    DIR *d = opendir(bindir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL && nprog < 32;)
        if (!strcmp(e->d_name, "bdsrx") || !strncmp(e->d_name, "bdsrx-", 6)) {
            snprintf(names[nprog], sizeof names[nprog], "%s", e->d_name);
            progs[nprog] = names[nprog];
            nprog++;
        }
    closedir(d);
    assert_true(nprog >= 5);
    for (int i = 0; i < nprog; i++) {
        char p[256];
        assert_non_null(tu_bin(p, sizeof p, progs[i]));
        assert_int_equal(tu_runl(&r, NULL, p, "--version", NULL), 0);
        assert_true(r.out_len > strlen(want) && !strcmp(r.out + r.out_len - strlen(want), want));
        tu_result_free(&r);
        if (!strcmp(progs[i], "bdsrx"))
            continue; /* bdsrx itself: per command below */
        char magic[4] = {0};
        FILE *pf = fopen(p, "rb");
        assert_non_null(pf);
        const int elf = fread(magic, 1, 4, pf) == 4 && !memcmp(magic, "\177ELF", 4);
        fclose(pf);
        assert_int_equal(tu_runl(&r, NULL, p, "--help", NULL), 0);
        assert_non_null(strstr(r.out, "usage: "));
        assert_non_null(strstr(r.out, "  -q, --quiet "));
        assert_null(strstr(r.out, ".h)")); /* no pointers to source files */
        assert_null(strstr(r.out, "include/"));
        assert_null(strstr(r.out, "src/"));
        tu_result_free(&r);
        assert_int_equal(tu_runl(&r, NULL, p, "--quite", NULL), 2);
        if (!elf) { /* a script (bdsrx-plot: Python's argparse) names the option in its own words */
            tu_result_free(&r);
            assert_int_equal(tu_runl(&r, NULL, p, "x.jsonl", "--quite", NULL), 2);
            assert_non_null(strstr(r.err, "--quite"));
            tu_result_free(&r);
            continue;
        }
        char m[128];
        snprintf(m, sizeof m, "%s: unknown option --quite (did you mean --quiet?) (%s --help)", progs[i], progs[i]);
        assert_non_null(strstr(r.err, m));
        tu_result_free(&r);
    }
    for (size_t i = 0; i < sizeof g_cmds / sizeof g_cmds[0]; i++) {
        tu_result_t h1, h2;
        assert_int_equal(tu_runl(&h1, NULL, bin, g_cmds[i], "--help", NULL), 0);
        assert_int_equal(tu_runl(&h2, NULL, bin, "help", g_cmds[i], NULL), 0);
        char u[64];
        snprintf(u, sizeof u, "usage: bdsrx %s ", g_cmds[i]);
        assert_non_null(strstr(h1.out, u));
        assert_string_equal(h1.out, h2.out); /* bdsrx help CMD = bdsrx CMD --help */
        assert_non_null(strstr(h1.out, "  -q, --quiet "));
        assert_null(strstr(h1.out, "include/"));
        assert_null(strstr(h1.out, "src/"));
        assert_null(strstr(h1.out, ".h)"));
        /* the completion list and the help come from the same table */
        assert_int_equal(tu_runl(&r, NULL, bin, g_cmds[i], "--list-options", NULL), 0);
        int nopt = 0;
        for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n"), nopt++) {
            char w[96];
            snprintf(w, sizeof w, "%s ", l);
            if (!strstr(h1.out, w) && !strstr(h1.out, l))
                fail_msg("bdsrx %s: %s listed for completion but not in --help", g_cmds[i], l);
        }
        assert_true(nopt >= 4);
        tu_result_free(&r);
        tu_result_free(&h1);
        tu_result_free(&h2);
        assert_int_equal(tu_runl(&r, NULL, bin, g_cmds[i], "--version", NULL), 0);
        assert_non_null(strstr(r.out, bx_version()));
        tu_result_free(&r);
        assert_int_equal(tu_runl(&r, NULL, bin, g_cmds[i], "--no-such-flag", NULL), 2);
        char m[128];
        snprintf(m, sizeof m, "bdsrx %s: unknown option --no-such-flag", g_cmds[i]);
        assert_non_null(strstr(r.err, m));
        tu_result_free(&r);
    }
    /* a number that is not one, and a missing value, in a command that used to take atof() */
    assert_int_equal(tu_runl(&r, NULL, bin, "run", "x.bin", "--seconds", "nan", NULL), 2);
    assert_non_null(strstr(r.err, "bdsrx run: --seconds: 'nan' is not a finite number"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, NULL, bin, "run", "x.bin", "--elmask", NULL), 2);
    assert_non_null(strstr(r.err, "bdsrx run: --elmask needs a value"));
    tu_result_free(&r);
}

/* tools/bdsrx.bash-completion in bash, with the programs' own option lists */
static void test_bash_completion(void **state)
{
    (void)state;
    char bin[256], dir[300], script[1024];
    if (!tu_bin(bin, sizeof bin, "bdsrx") || !tu_have("bash")) {
        printf("SKIP: bin/bdsrx or bash missing\n");
        skip();
    }
    snprintf(dir, sizeof dir, "%s", bin);
    *strrchr(dir, '/') = 0;
    snprintf(script, sizeof script,
             "source tools/bdsrx.bash-completion; PATH=%s:$PATH; "
             "COMP_WORDS=(bdsrx run --ra); COMP_CWORD=2; _bdsrx_complete; echo \"1:${COMPREPLY[*]}\"; "
             "COMP_WORDS=(bdsrx-sim --fs); COMP_CWORD=1; _bdsrx_complete; echo \"2:${COMPREPLY[*]}\"; "
             "COMP_WORDS=(bdsrx help ac); COMP_CWORD=2; _bdsrx_complete; echo \"3:${COMPREPLY[*]}\"",
             dir);
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, "bash", "--norc", "-c", script, NULL), 0);
    assert_non_null(strstr(r.out, "1:--rate\n"));
    assert_non_null(strstr(r.out, "2:--fs-b1c --fs-b2a --fs-b2b\n"));
    assert_non_null(strstr(r.out, "3:acquire\n"));
    tu_result_free(&r);
}

/* acquire / track without --signal: the signal comes from the sidecar's centre frequency; the
 * same capture without a frequency asks for --signal.  --opt=value is the same as --opt value. */
static void test_signal_from_sidecar(void **state)
{
    (void)state;
    char bin[256];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bin/bdsrx not built\n");
        skip();
    }
    char dir[] = "/tmp/bdsrx_test_cliopt_XXXXXX", path[128], meta[160];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cap.ci8", dir);
    snprintf(meta, sizeof meta, "%s/cap.ci8.sigmf-meta", dir);
    /* 20 ms of zeros: nothing is detected, but the search runs for the signal chosen */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static int8_t zeros[2 * 81840];
    assert_int_equal(fwrite(zeros, 1, sizeof zeros, f), sizeof zeros);
    fclose(f);
    bx_iq_params_t p;
    bx_iq_params_init(&p);
    p.format = BX_IQ_CI8, p.fs_hz = 4.092e6, p.fc_hz = 1176.45e6;
    assert_int_equal(bx_iq_sigmf_write(meta, &p, NULL, NULL), BX_OK);
    const char *env[] = {"BDSRX_WISDOM=off", NULL};
    tu_opts_t o = {.env = env};
    tu_result_t r;
    assert_int_equal(tu_runl(&r, &o, bin, "acquire", path, "--prn=19", "--all", NULL), 0);
    assert_non_null(strstr(r.out, " B2a pilot")); /* the header line names the signal */
    assert_non_null(strstr(r.out, "\n  19   no"));
    tu_result_free(&r);
    /* the configuration's own Doppler step (B2a default and --weak: 333 Hz, acq.c) unless --step
     * is given: acquire used to overwrite it with the automatic 666 Hz */
    assert_int_equal(tu_runl(&r, &o, bin, "acquire", path, "--prn=19", "--weak", NULL), 0);
    assert_non_null(strstr(r.out, "step 333.01 Hz (31 bins)"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, &o, bin, "acquire", path, "--prn=19", "--step", "500", NULL), 0);
    assert_non_null(strstr(r.out, "step 499.51 Hz (21 bins)"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, &o, bin, "acquire", path, "--prn=19", NULL), 0);
    assert_non_null(strstr(r.out, "step 333.01 Hz (31 bins)"));
    tu_result_free(&r);
    /* the sidecar's frequency removed: --signal is needed, and given it works */
    p.fc_hz = 0;
    assert_int_equal(bx_iq_sigmf_write(meta, &p, NULL, NULL), BX_OK);
    assert_int_equal(tu_runl(&r, &o, bin, "acquire", path, "--prn", "19", NULL), 2);
    assert_non_null(strstr(r.err, "give --signal B1C, B2a or B2b"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, &o, bin, "acquire", "--signal=b1c", path, "--prn", "19", "--all", NULL), 0);
    assert_non_null(strstr(r.out, " B1C pilot"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, &o, bin, "track", path, "--prn", "19", NULL), 2);
    assert_non_null(strstr(r.err, "give --signal B1C, B2a or B2b"));
    tu_result_free(&r);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),         cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help_version),   cmocka_unit_test(test_signal_from_fc),
        cmocka_unit_test(test_programs_common), cmocka_unit_test(test_signal_from_sidecar),
        cmocka_unit_test(test_bash_completion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
