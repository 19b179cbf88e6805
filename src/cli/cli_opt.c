/* The table-driven option parser of every bdsrx program (cli_opt.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/iq.h"
#include "bdsrx/types.h"
#include "bdsrx/version.h"
#include "cli.h"
#include "cli_opt.h"

#define HELP_COL 26 /* column of the help text in --help */

int cli_opt_usage_error(const cli_cmd_t *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cmd->prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

/* ---- help ---- */

static int kind_has_value(const cli_opt_t *o) { return o->kind != CLI_FLAG; }

void cli_opt_help(const cli_cmd_t *cmd, FILE *f)
{
    fprintf(f, "usage: %s %s\n", cmd->prog, cmd->usage ? cmd->usage : "[options]");
    if (cmd->about)
        fprintf(f, "\n%s%s", cmd->about, cmd->about[strlen(cmd->about) - 1] == '\n' ? "" : "\n");
    fprintf(f, "\noptions:\n");
    for (const cli_opt_t *o = cmd->opts; o && o->name; o++) {
        if (o->flags & CLI_HIDDEN)
            continue;
        char lhs[96];
        int n;
        if (o->short_name)
            n = snprintf(lhs, sizeof lhs, "  -%c, --%s", o->short_name, o->name);
        else
            n = snprintf(lhs, sizeof lhs, "      --%s", o->name);
        if (kind_has_value(o))
            snprintf(lhs + n, sizeof lhs - (size_t)n, (o->flags & CLI_OPTIONAL) ? "[=%s]" : " %s", o->arg ? o->arg : "VALUE");
        fputs(lhs, f);
        int col = (int)strlen(lhs);
        const char *h = o->help ? o->help : "";
        if (col + 2 > HELP_COL) {
            fputc('\n', f);
            col = 0;
        }
        for (int first = 1; *h || first; first = 0) {
            const char *nl = strchr(h, '\n');
            int len = nl ? (int)(nl - h) : (int)strlen(h);
            fprintf(f, "%*s%.*s\n", HELP_COL - col, "", len, h);
            col = 0;
            h += len + (nl ? 1 : 0);
            if (!nl)
                break;
        }
    }
    fprintf(f, "      --config FILE       options from an INI file (keys = long option names, section\n"
               "                          [%s]); the command line overrides it; also $BDSRX_CONFIG\n"
               "  -h, --help              this help\n"
               "      --version           print the version and exit\n",
            strrchr(cmd->prog, ' ') ? strrchr(cmd->prog, ' ') + 1 : cmd->prog);
    if (cmd->footer)
        fprintf(f, "\n%s%s", cmd->footer, cmd->footer[0] && cmd->footer[strlen(cmd->footer) - 1] == '\n' ? "" : "\n");
}

/* ---- value parsers ---- */

int cli_parse_hz(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return -1;
    double mul = 1.0;
    if (*end == 'k' || *end == 'K')
        mul = 1e3, end++;
    else if (*end == 'M')
        mul = 1e6, end++;
    else if (*end == 'G')
        mul = 1e9, end++;
    if (!strcasecmp(end, "hz"))
        end += 2;
    if (*end)
        return -1;
    *out = v * mul;
    return 0;
}

int cli_fn_format(const char *arg, void *value, char *err, size_t errlen)
{
    if (bx_iq_format_from_name(arg, (int *)value) != BX_OK) {
        /* the list comes from the library's format table, so it never lags behind it */
        char list[128] = "";
        for (int f = 0; f < BX_IQ_FORMAT_COUNT; f++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", f ? " " : "", bx_iq_format_name(f));
        snprintf(err, errlen, "unknown sample format '%s' (%s)", arg, list);
        return -1;
    }
    return 0;
}

int cli_fn_signal(const char *arg, void *value, char *err, size_t errlen)
{
    if (cli_parse_signal(arg, (int *)value) < 0) {
        snprintf(err, errlen, "unknown signal '%s' (use B1C, B2a or B2b)", arg);
        return -1;
    }
    return 0;
}

int cli_fn_signals(const char *arg, void *value, char *err, size_t errlen)
{
    cli_signals_t *s = value;
    s->n = 0;
    const char *p = arg;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char one[16];
        if (s->n == CLI_MAX_SIGNALS || len >= sizeof one)
            goto bad;
        memcpy(one, p, len);
        one[len] = 0;
        if (cli_parse_signal(one, &s->sig[s->n]) < 0)
            goto bad;
        s->n++;
        p += len + (c ? 1 : 0);
        if (c && !*p)
            goto bad;
    }
    if (s->n == 0)
        goto bad;
    return 0;
bad:
    snprintf(err, errlen, "'%s': give B1C, B2a, B2b or a list of them (B1C,B2a or B1C,B2a,B2b)", arg);
    return -1;
}

int cli_fn_b2b_age(const char *arg, void *value, char *err, size_t errlen)
{
    double *a = value, x[2] = {NAN, NAN};
    char *end;
    errno = 0;
    x[0] = strtod(arg, &end);
    if (*end == ',')
        x[1] = strtod(end + 1, &end);
    if (*end || errno || !(x[0] >= 1 && x[0] <= 86400) || (!isnan(x[1]) && !(x[1] >= 1 && x[1] <= 86400))) {
        snprintf(err, errlen, "'%s': give CLOCK or CLOCK,ORBIT in seconds, 1 .. 86400", arg);
        return -1;
    }
    a[0] = x[0];
    a[1] = x[1];
    return 0;
}

int cli_fn_prns(const char *arg, void *value, char *err, size_t errlen)
{
    if (cli_parse_prns(arg, (uint64_t *)value) < 0) {
        snprintf(err, errlen, "bad PRN list '%s' (e.g. 1-63, 19,20 or 19-46,59)", arg);
        return -1;
    }
    return 0;
}

int cli_fn_llh(const char *arg, void *value, char *err, size_t errlen)
{
    double *llh = value, la, lo, h;
    char tail;
    if (sscanf(arg, "%lf,%lf,%lf%c", &la, &lo, &h, &tail) != 3 || !isfinite(la) || !isfinite(lo) || !isfinite(h) ||
        fabs(la) > 90 || fabs(lo) > 360) {
        snprintf(err, errlen, "'%s': give LAT,LON,H (degrees, degrees, metres)", arg);
        return -1;
    }
    llh[0] = la, llh[1] = lo, llh[2] = h;
    return 0;
}

static void range_text(const cli_opt_t *o, char *buf, size_t n)
{
    if (o->min < o->max)
        snprintf(buf, n, " in %g .. %g", o->min, o->max);
    else
        buf[0] = 0;
}

/* Stores arg (NULL: flag or optional value left out) into o.  0 ok, 2 error (printed). */
static int store(const cli_cmd_t *cmd, const cli_opt_t *o, const char *arg)
{
    char err[256], rng[64];
    switch (o->kind) {
    case CLI_FLAG:
        *(int *)o->value = o->val ? o->val : 1;
        return 0;
    case CLI_INT: {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (end == arg || *end || errno == ERANGE || v < INT32_MIN || v > INT32_MAX ||
            (o->min < o->max && (v < o->min || v > o->max))) {
            range_text(o, rng, sizeof rng);
            return cli_opt_usage_error(cmd, "--%s: '%s' is not a whole number%s", o->name, arg, rng);
        }
        *(int *)o->value = (int)v;
        return 0;
    }
    case CLI_DOUBLE:
    case CLI_HZ: {
        double v;
        int bad;
        if (o->kind == CLI_HZ)
            bad = cli_parse_hz(arg, &v);
        else {
            char *end;
            errno = 0;
            v = strtod(arg, &end);
            bad = end == arg || *end || errno == ERANGE;
        }
        if (bad || !isfinite(v) || (o->min < o->max && !(v >= o->min && v <= o->max))) {
            range_text(o, rng, sizeof rng);
            return cli_opt_usage_error(cmd, "--%s: '%s' is not a %s%s", o->name, arg,
                                       o->kind == CLI_HZ ? "frequency (e.g. 4.092M)" : "finite number", rng);
        }
        *(double *)o->value = v;
        return 0;
    }
    case CLI_STRING:
        *(const char **)o->value = arg;
        return 0;
    case CLI_LIST: {
        cli_list_t *l = o->value;
        if (l->n >= l->max)
            return cli_opt_usage_error(cmd, "--%s given more than %d times", o->name, l->max);
        l->item[l->n++] = arg;
        return 0;
    }
    case CLI_FN:
        err[0] = 0;
        if (o->fn(arg, o->value, err, sizeof err) != 0)
            return cli_opt_usage_error(cmd, "--%s: %s", o->name, err[0] ? err : "bad value");
        return 0;
    }
    return 2;
}

int cli_opt_set(const cli_cmd_t *cmd, const cli_opt_t *o, const char *value)
{
    return store(cmd, o, value);
}

/* ---- "did you mean" ---- */

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static int unknown(const cli_cmd_t *cmd, const char *given, size_t len)
{
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), given);
    const char *best = NULL;
    int bd = 3;
    const char *builtin[] = {"help", "version", "config"};
    for (const cli_opt_t *o = cmd->opts; o && o->name; o++) {
        int d = edit_distance(name, o->name);
        if (d < bd || (d == bd && !best && strlen(o->name) > 3))
            bd = d, best = o->name;
    }
    for (int k = 0; k < 3; k++) {
        int d = edit_distance(name, builtin[k]);
        if (d < bd)
            bd = d, best = builtin[k];
    }
    if (best && bd <= 2)
        fprintf(stderr, "%s: unknown option --%s (did you mean --%s?) (%s --help)\n", cmd->prog, name, best, cmd->prog);
    else
        fprintf(stderr, "%s: unknown option --%s (%s --help)\n", cmd->prog, name, cmd->prog);
    return 2;
}

/* ---- parser ---- */

static int add_operand(const cli_cmd_t *cmd, const char *a, const char **operand, int *n)
{
    if (cmd->max_operands >= 0 && *n >= cmd->max_operands) {
        if (cmd->max_operands == 0)
            return cli_opt_usage_error(cmd, "unexpected argument '%s' (%s --help)", a, cmd->prog);
        return cli_opt_usage_error(cmd, "too many arguments: '%s' (at most %d; %s --help)", a, cmd->max_operands,
                                   cmd->prog);
    }
    operand[(*n)++] = a;
    return 0;
}

int cli_opt_parse(const cli_cmd_t *cmd, int argc, char **argv, const char **operand, int *n_operands)
{
    int nop = 0, only_operands = 0;
    if (n_operands)
        *n_operands = 0;
    /* --config FILE (or $BDSRX_CONFIG) first, so the command line overrides it */
    const char *config = getenv("BDSRX_CONFIG");
    if (config && !*config)
        config = NULL;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                return cli_opt_usage_error(cmd, "--config needs a value (%s --help)", cmd->prog);
            config = argv[i + 1];
        } else if (!strncmp(argv[i], "--config=", 9)) {
            config = argv[i] + 9;
        }
    }
    if (config) {
        int r = cli_config_apply(cmd, config);
        if (r)
            return r;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (!only_operands && !strcmp(a, "--config")) {
            i++;
            continue;
        }
        if (!only_operands && !strncmp(a, "--config=", 9))
            continue;
        if (only_operands || a[0] != '-' || a[1] == 0) {
            if ((r = add_operand(cmd, a, operand, &nop)))
                return r;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_operands = 1;
            continue;
        }
        if (a[1] == '-') { /* --name, --name=value */
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const cli_opt_t *o = NULL;
            for (const cli_opt_t *p = cmd->opts; p && p->name; p++)
                if (strlen(p->name) == len && !strncmp(p->name, name, len)) {
                    o = p;
                    break;
                }
            if (!o && len >= 1) { /* an unambiguous prefix, as getopt_long takes it ("--elm" = "--elmask") */
                int hits = 0;
                for (const cli_opt_t *p = cmd->opts; p && p->name; p++)
                    if (strlen(p->name) > len && !strncmp(p->name, name, len) && !(p->flags & CLI_HIDDEN)) {
                        if (!o || o->value != p->value)
                            hits++;
                        o = p;
                    }
                if (hits > 1)
                    return cli_opt_usage_error(cmd, "option --%.*s is ambiguous (%s --help)", (int)len, name, cmd->prog);
            }
            if (!o) {
                if (len == 4 && !strncmp(name, "help", 4) && !eq) {
                    cli_opt_help(cmd, stdout);
                    return 1;
                }
                if (len == 12 && !strncmp(name, "list-options", 12) && !eq) { /* for shell completion */
                    for (const cli_opt_t *p = cmd->opts; p && p->name; p++)
                        if (!(p->flags & CLI_HIDDEN))
                            printf("--%s\n", p->name);
                    printf("--config\n--help\n--version\n");
                    return 1;
                }
                if (len == 7 && !strncmp(name, "version", 7) && !eq) {
                    printf("%s (bdsrx) %s\n", cmd->prog, bx_version());
                    return 1;
                }
                return unknown(cmd, name, len);
            }
            const char *v = eq ? eq + 1 : NULL;
            if (!kind_has_value(o)) {
                if (eq)
                    return cli_opt_usage_error(cmd, "--%s takes no value", o->name);
            } else if (!v && !(o->flags & CLI_OPTIONAL)) {
                if (i + 1 >= argc)
                    return cli_opt_usage_error(cmd, "--%s needs a value (%s --help)", o->name, cmd->prog);
                v = argv[++i];
            }
            if (!v && kind_has_value(o)) { /* optional value left out */
                if (o->kind == CLI_FN) {
                    char err[256] = "";
                    if (o->fn(NULL, o->value, err, sizeof err) != 0)
                        return cli_opt_usage_error(cmd, "--%s: %s", o->name, err[0] ? err : "needs a value");
                } else if (o->kind == CLI_STRING)
                    *(const char **)o->value = NULL;
                continue;
            }
            if ((r = store(cmd, o, v)))
                return r;
            continue;
        }
        /* -x, -xVALUE, -abc */
        for (const char *s = a + 1; *s; s++) {
            const cli_opt_t *o = NULL;
            for (const cli_opt_t *p = cmd->opts; p && p->name; p++)
                if (p->short_name && p->short_name == *s) {
                    o = p;
                    break;
                }
            if (!o) {
                if (*s == 'h') {
                    cli_opt_help(cmd, stdout);
                    return 1;
                }
                fprintf(stderr, "%s: unknown option -%c (%s --help)\n", cmd->prog, *s, cmd->prog);
                return 2;
            }
            if (!kind_has_value(o)) {
                if ((r = store(cmd, o, NULL)))
                    return r;
                continue;
            }
            const char *v = s[1] ? s + 1 : NULL;
            if (!v) {
                if (i + 1 >= argc)
                    return cli_opt_usage_error(cmd, "-%c (--%s) needs a value (%s --help)", *s, o->name, cmd->prog);
                v = argv[++i];
            }
            if ((r = store(cmd, o, v)))
                return r;
            break;
        }
    }
    if (nop < cmd->min_operands) {
        fprintf(stderr, "%s: missing argument%s\n", cmd->prog, cmd->min_operands - nop > 1 ? "s" : "");
        fprintf(stderr, "usage: %s %s   (%s --help)\n", cmd->prog, cmd->usage ? cmd->usage : "[options]", cmd->prog);
        return 2;
    }
    if (n_operands)
        *n_operands = nop;
    return 0;
}
