/* Config files for every program (--config FILE or $BDSRX_CONFIG): INI parsed by Debian's
 * libinih.  Keys are the long option names; they are applied before the command line, which
 * overrides them.  Sections pick the program: [run], [live], [bdsrx-sim] ... (the last word of
 * the program's name); keys before any section apply to every program that has that option
 * (others ignore them), keys in the program's own section must be options of the program.
 * Flags take true/yes/on/1 or false/no/off/0.  Example configs: data/config/.
 *
 * The option table stores string values by pointer, so the values read from the file must live
 * as long as the program: they are kept in one block per file, freed at exit. */
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_opt.h"

typedef struct keep {
    struct keep *next;
    char s[];
} keep_t;

static keep_t *g_keep; /* process-lifetime config strings (CLI only, not the library) */

static void free_keep(void)
{
    while (g_keep) {
        keep_t *k = g_keep->next;
        free(g_keep);
        g_keep = k;
    }
}

static const char *keep_str(const char *s)
{
    static int registered;
    const size_t n = strlen(s) + 1;
    keep_t *k = malloc(sizeof *k + n);
    if (!k)
        return NULL;
    memcpy(k->s, s, n);
    k->next = g_keep;
    g_keep = k;
    if (!registered) {
        atexit(free_keep);
        registered = 1;
    }
    return k->s;
}

typedef struct {
    const cli_cmd_t *cmd;
    const char *section; /* this program's section name */
    char err[300];
    int status;          /* 0 ok, 2 usage error */
} ctx_t;

static int handler(void *user, const char *section, const char *name, const char *value)
{
    ctx_t *c = user;
    const int global = !section || !section[0];
    if (!global && strcasecmp(section, c->section) != 0)
        return 1; /* another program's section */
    const cli_opt_t *o = NULL;
    for (const cli_opt_t *p = c->cmd->opts; p && p->name; p++)
        if (!strcmp(p->name, name))
            o = p;
    if (!o) {
        if (global)
            return 1;
        snprintf(c->err, sizeof c->err, "[%s] %s: not an option of %s", section, name, c->cmd->prog);
        c->status = 2;
        return 0;
    }
    if (o->kind == CLI_FLAG) {
        if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") || !strcasecmp(value, "on") || !strcmp(value, "1"))
            value = NULL;
        else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") || !strcasecmp(value, "off") ||
                 !strcmp(value, "0"))
            return 1;
        else {
            snprintf(c->err, sizeof c->err, "%s = %s: a flag takes true or false", name, value);
            c->status = 2;
            return 0;
        }
    } else if (!(value = keep_str(value))) {
        snprintf(c->err, sizeof c->err, "out of memory");
        c->status = 2;
        return 0;
    }
    if (cli_opt_set(c->cmd, o, value) != 0) {
        c->status = 2; /* the parser printed what was wrong with the value */
        c->err[0] = 0;
        return 0;
    }
    return 1;
}

int cli_config_apply(const cli_cmd_t *cmd, const char *path)
{
    ctx_t c = {.cmd = cmd, .section = strrchr(cmd->prog, ' ') ? strrchr(cmd->prog, ' ') + 1 : cmd->prog};
    const int line = ini_parse(path, handler, &c);
    if (line < 0) {
        fprintf(stderr, "%s: config %s: cannot open it\n", cmd->prog, path);
        return 2;
    }
    if (line > 0) {
        if (c.err[0] || !c.status)
            fprintf(stderr, "%s: config %s:%d: %s\n", cmd->prog, path, line,
                    c.err[0] ? c.err : "not a 'key = value' line");
        else
            fprintf(stderr, "%s: (in config %s:%d)\n", cmd->prog, path, line);
        return 2;
    }
    return 0;
}
