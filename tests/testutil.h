/*
 * Test helpers shared by tests/test_*.c (tests/testutil.c, linked into every test):
 *
 *  - one process runner: run a program with an argument vector (no shell, so no quoting
 *    problems), capture its standard output and error completely (no pipe deadlock), get the
 *    exit status;
 *  - background processes with pipes (servers, a receiver to interrupt), line reading with
 *    readiness lines instead of sleeps;
 *  - where the programs are (bin/ or $BDSRX_BIN);
 *  - a per-run cache of generated captures under build/ (tu_cache_dir), so slow tests that
 *    need the same simulated capture generate it once.
 *
 * Not thread-safe unless stated; no global state.
 */
#ifndef BDSRX_TESTUTIL_H
#define BDSRX_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Path of program `name` ($BDSRX_BIN/name, default bin/name relative to the repository root where
 * tests run) in buf; returns buf when it is executable, else NULL. */
const char *tu_bin(char *buf, size_t n, const char *name);

typedef struct {
    int status;     /* exit code; 128 + signal number when killed by a signal; -1 when it could not start */
    char *out, *err; /* everything written to stdout / stderr, NUL-terminated (never NULL after tu_run) */
    size_t out_len, err_len;
} tu_result_t;

/* Options of one run (all may be 0/NULL). */
typedef struct {
    const char *stdin_path;   /* file on standard input; NULL: /dev/null */
    const char *const *env;   /* extra "NAME=value" settings (NULL-terminated), added to the environment */
    int merge_err;            /* 1: stderr goes into out as well (one stream, in order) */
} tu_opts_t;

/* Runs argv[0] (a path) with argv (NULL-terminated) and waits for it.  Returns r->status. */
int tu_run(tu_result_t *r, const char *const *argv, const tu_opts_t *opts);
/* The same with the arguments as a NULL-terminated list: tu_runl(&r, NULL, bin, "run", f, NULL). */
int tu_runl(tu_result_t *r, const tu_opts_t *opts, const char *prog, ...) __attribute__((sentinel));
/* Frees out/err (r may be reused afterwards). */
void tu_result_free(tu_result_t *r);

/* ---- background processes ---- */

#define TU_STDIN_PIPE 1u /* in_fd: write end of the child's standard input (else /dev/null) */
#define TU_OUT_PIPE 2u   /* out_fd: read end of the child's stdout + stderr (else they stay the test's) */
#define TU_OUT_NULL 4u   /* stdout + stderr to /dev/null */

typedef struct {
    pid_t pid;
    int in_fd, out_fd;   /* -1 when not piped */
    char buf[4096];      /* tu_readline's buffer */
    size_t len;
} tu_proc_t;

/* Starts argv[0] with argv; 0 on success, -1 (with errno) on failure. */
int tu_spawn(tu_proc_t *p, const char *const *argv, unsigned flags);
/* Reads one line (without its newline) from out_fd into line; returns its length, or -1 at end of
 * output.  Lines longer than n-1 are cut. Blocks until a line or the end arrives. */
long tu_readline(tu_proc_t *p, char *line, size_t n);
/* Reads the rest of the output (after the buffered part) into a malloc'd NUL-terminated string. */
char *tu_read_rest(tu_proc_t *p, size_t *len);
/* Closes the pipes (the child sees end of input) and waits; returns the status as tu_result_t. */
int tu_wait(tu_proc_t *p);

/* ---- capture cache ---- */

/* A directory for generated test inputs identified by key (letters, digits, '-', '_', '.'):
 * $BDSRX_TEST_CACHE/key, default build/test-cache/key.  Returns 1 when it already holds a
 * complete result (made earlier in this run or by an earlier run with the same key), 0 when the
 * caller must generate into tmp (an empty fresh directory given in tmp) and then call
 * tu_cache_commit(dir, tmp), -1 on error.  The key should name every parameter of the capture and
 * the generator (e.g. the simulator binary's size and time, tu_file_stamp). */
int tu_cache_dir(const char *key, char *dir, size_t n, char *tmp, size_t tn);
/* Publishes tmp as dir (atomic rename; when another process got there first, tmp is removed). */
int tu_cache_commit(const char *dir, const char *tmp);
/* "SIZE-MTIME" of a file for cache keys ("none" when missing). */
const char *tu_file_stamp(const char *path, char *buf, size_t n);
/* Removes a directory tree (rm -r without a shell); 0 on success. */
int tu_rmtree(const char *path);

#endif
