/*
 * One table-driven option parser for `bdsrx <command>` and every tool in tools/.
 *
 * A program describes its options in a table of cli_opt_t (long name, short letter, kind,
 * pointer to the value, accepted range, help text) and calls cli_opt_parse().  The parser
 * gives every program the same command line:
 *   --opt value   --opt=value   -x value   -xVALUE   -abc (short flags grouped)
 *   -- ends the options; a lone "-" is an operand (standard input/output)
 *   options and operands in any order (operands are collected in order)
 *   -h, --help      help generated from the table (usage line, description, options, footer)
 *   --version       "<prog> (bdsrx) <bx_version()>"
 *   --list-options  the long option names, one per line (bash completion: tools/bdsrx.bash-completion)
 *   --config FILE   options from an INI file first (src/cli/cli_config.c; also $BDSRX_CONFIG)
 * and the same messages (all on stderr, exit status 2):
 *   bdsrx run: unknown option --quite (did you mean --quiet?) (bdsrx run --help)
 *   bdsrx run: --seconds needs a value
 *   bdsrx run: --seconds: 'nan' is not a number in 0 .. 1e+09
 *   bdsrx run: --quiet takes no value
 * Numbers (CLI_INT, CLI_DOUBLE, CLI_HZ) must parse completely, be finite, and lie in
 * [min, max] when min < max.  CLI_HZ takes an SI suffix: 4.092M, 250k, 1.57542G.
 *
 * Conventions for every program: -q/--quiet = no progress or status display on stderr (errors,
 * warnings that change the result, and the results themselves are still printed); exit status
 * 0 success, 1 runtime error, 2 usage error.
 *
 * Not thread-safe (parses one argv at a time, writes through the table's pointers); no global state.
 */
#ifndef BDSRX_CLI_OPT_H
#define BDSRX_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
    CLI_FLAG,   /* no value: *(int *)value = 1 (or val when val != 0) */
    CLI_INT,    /* *(int *)value; range [min, max] */
    CLI_DOUBLE, /* *(double *)value; finite; range [min, max] */
    CLI_HZ,     /* *(double *)value with k/M/G suffix; finite; range [min, max] */
    CLI_STRING, /* *(const char **)value = the argument (points into argv) */
    CLI_LIST,   /* cli_list_t *value: each occurrence appends one string */
    CLI_FN,     /* fn(value_string, value, err, errlen) parses; returns 0 ok, -1 bad (message in err) */
} cli_kind_t;

typedef struct {
    const char **item; /* caller's array of max entries */
    int n, max;
} cli_list_t;

typedef int (*cli_opt_fn)(const char *arg, void *value, char *err, size_t errlen);

#define CLI_OPTIONAL 1u /* the value may be left out (only --opt=value gives one); CLI_FN gets arg NULL */
#define CLI_HIDDEN 2u   /* accepted but not listed in --help (old spellings) */

typedef struct {
    const char *name;  /* long name without "--"; NULL ends the table */
    char short_name;   /* 'q' for -q, 0 for none */
    cli_kind_t kind;
    void *value;
    double min, max;   /* numbers: accepted range when min < max */
    const char *arg;   /* the value's name in the help ("HZ", "FILE"); NULL: "VALUE" */
    const char *help;  /* may hold '\n': continuation lines are indented under the first */
    cli_opt_fn fn;     /* CLI_FN */
    unsigned flags;    /* CLI_OPTIONAL, CLI_HIDDEN */
    int val;           /* CLI_FLAG: the value stored (0 means 1) */
} cli_opt_t;

typedef struct {
    const char *prog;        /* "bdsrx run", "bdsrx-sim": prefix of messages and --version */
    const char *usage;       /* operands and options after prog: "FILE [FILE2] [options]" */
    const char *about;       /* paragraph(s) after the usage line; may be NULL */
    const cli_opt_t *opts;   /* the table, ended by an entry with name NULL */
    const char *footer;      /* text after the options; may be NULL */
    int min_operands, max_operands; /* max < 0: any number */
} cli_cmd_t;

/* Parses argv[1..argc-1] against cmd.  Operands go to operand[0..*n_operands-1] (pointers into argv;
 * operand may be NULL when max_operands is 0).  Returns
 *   0   parsed: run the program
 *   1   --help or --version was printed on stdout: exit 0
 *   2   usage error, message printed on stderr: exit 2
 * So `int r = cli_opt_parse(...); if (r) return r == 1 ? 0 : 2;`. */
int cli_opt_parse(const cli_cmd_t *cmd, int argc, char **argv, const char **operand, int *n_operands);

/* Stores one value into option o as if given on the command line (config files); 0 ok, 2 error
 * (printed).  The value must stay valid as long as the program (strings are kept by pointer). */
int cli_opt_set(const cli_cmd_t *cmd, const cli_opt_t *o, const char *value);
/* Applies the INI file path to cmd's options (src/cli/cli_config.c); 0 ok, 2 error (printed). */
int cli_config_apply(const cli_cmd_t *cmd, const char *path);

/* The generated help (what --help prints) to f. */
void cli_opt_help(const cli_cmd_t *cmd, FILE *f);

/* Prints "<prog>: <message>\n" to stderr and returns 2 (for the checks after parsing). */
int cli_opt_usage_error(const cli_cmd_t *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- common value parsers (CLI_FN) and table entries ---- */

/* Frequency with an optional k/M/G suffix ("4.092M", "1575.42e6", "-250k") into *out; 0 ok, -1 bad
 * (not a finite number).  Used by CLI_HZ. */
int cli_parse_hz(const char *s, double *out);
/* --format: "ci8" ... into *(int *)value (BX_IQ_*). */
int cli_fn_format(const char *arg, void *value, char *err, size_t errlen);
/* --signal: "B1C" / "B2a" (any case) into *(int *)value (BX_SIG_*). */
int cli_fn_signal(const char *arg, void *value, char *err, size_t errlen);
/* --signals: "B1C", "B2a", "B1C,B2a", "B1C,B2a,B2b" into cli_signals_t. */
#define CLI_MAX_SIGNALS 3 /* = BX_RX_MAX_STREAMS (receiver.h) */
typedef struct {
    int sig[CLI_MAX_SIGNALS], n;
} cli_signals_t;
int cli_fn_signals(const char *arg, void *value, char *err, size_t errlen);
/* --b2b-max-age: "CLOCK[,ORBIT]" seconds into double[2] (ORBIT NAN when not given). */
int cli_fn_b2b_age(const char *arg, void *value, char *err, size_t errlen);
/* --prn: "1-63", "19,20", "19-46,59" into *(uint64_t *)value (bit p = PRN p). */
int cli_fn_prns(const char *arg, void *value, char *err, size_t errlen);
/* --ref / --pos: "LAT,LON,H" (degrees, degrees, metres) into double[3] in the same units. */
int cli_fn_llh(const char *arg, void *value, char *err, size_t errlen);

/* The sample-format options of a capture (replaces the old bx_iq_parse_flag for the programs):
 * --format F, --fs HZ, --fc HZ, --if HZ into a bx_iq_params_t.  SUFFIX "" or "2" (run's FILE2). */
#define CLI_IQ_OPTS(p, suffix, which)                                                                        \
    {"format" suffix, 0, CLI_FN, &(p)->format, 0, 0, "F",                                                    \
     "sample format of " which ": ci8 ci16 cf32 ri8 ci2 ri1 int8x2\n(default: from its .sigmf-meta / .tag sidecar)", \
     cli_fn_format, 0, 0},                                                                                   \
    {"fs" suffix, 0, CLI_HZ, &(p)->fs_hz, 1.0, 1e12, "HZ", "sample rate of " which ", e.g. 4.092M", NULL, 0, 0}, \
    {"fc" suffix, 0, CLI_HZ, &(p)->fc_hz, 1.0, 1e12, "HZ", "centre (LO) frequency of " which ", e.g. 1575.42M", \
     NULL, 0, 0},                                                                                            \
    {"if" suffix, 0, CLI_HZ, &(p)->if_hz, -1e12, 1e12, "HZ",                                                 \
     "IF of the signal in " which " (real formats; complex default 0)", NULL, 0, 0}

/* -q/--quiet with the common meaning */
#define CLI_QUIET_OPT(q) \
    {"quiet", 'q', CLI_FLAG, (q), 0, 0, NULL, "no progress or status display (results and errors still printed)", NULL, 0, 0}

#define CLI_OPT_END {NULL, 0, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL, 0, 0}

#endif
