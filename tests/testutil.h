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
#include <stdint.h>
#include <sys/types.h>

/* Path of program `name` ($BDSRX_BIN/name, default bin/name relative to the repository root where
 * tests run) in buf; returns buf when it is executable, else NULL. */
const char *tu_bin(char *buf, size_t n, const char *name);

/* 1 when prog (a name looked up in PATH, or a path) is an executable program (no shell). */
int tu_have(const char *prog);

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
    const char *stdout_path;  /* standard output into this file (created/truncated) instead of out */
} tu_opts_t;

/* Runs argv[0] (a path, or a name looked up in PATH) with argv (NULL-terminated) and waits for it.  Returns r->status. */
int tu_run(tu_result_t *r, const char *const *argv, const tu_opts_t *opts);
/* The same with the arguments as a NULL-terminated list: tu_runl(&r, NULL, bin, "run", f, NULL). */
int tu_runl(tu_result_t *r, const tu_opts_t *opts, const char *prog, ...) __attribute__((sentinel));
/* Frees out/err (r may be reused afterwards). */
void tu_result_free(tu_result_t *r);

/* ---- background processes ---- */

#define TU_STDIN_PIPE 1u /* in_fd: write end of the child's standard input (else /dev/null) */
#define TU_OUT_PIPE 2u   /* out_fd: read end of the child's stdout + stderr (else they stay the test's) */
#define TU_OUT_NULL 4u   /* stdout + stderr to /dev/null */
#define TU_ERR_NULL 8u   /* with TU_OUT_PIPE: only stdout in out_fd, stderr to /dev/null */

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
/* Reads lines until one contains needle (that line in line); its length, or -1 when the output
 * ended first (the process exited or closed its output).  The readiness signal of a server. */
long tu_wait_line(tu_proc_t *p, const char *needle, char *line, size_t n);
/* Starts `bdsrx-replay ARGS... --rtltcp 0 CAPTURE` (args: NULL-terminated, without --rtltcp and the
 * capture) and waits for its "serving ... on ADDR:PORT" line; returns the port the kernel gave it,
 * -1 on failure (the process is then waited for).  Stop it with tu_wait (it ends after its client). */
int tu_replay_server(tu_proc_t *p, const char *bin, const char *const *args, const char *capture);
/* Reads the rest of the output (after the buffered part) into a malloc'd NUL-terminated string. */
char *tu_read_rest(tu_proc_t *p, size_t *len);
/* Closes the pipes (the child sees end of input) and waits; returns the status as tu_result_t. */
int tu_wait(tu_proc_t *p);

/* ---- capture cache ---- */

/* A directory for generated test inputs: $BDSRX_TEST_CACHE/name, default build/test-cache/name
 * (name: letters, digits, '-', '_', '.').  key names every parameter of the content and the
 * generator (e.g. the simulator binary's size and time, tu_file_stamp), so a capture is made once
 * and reused by every test and every run until a parameter or the generator changes; one entry
 * per name is kept.  Returns 1 when dir holds a complete result made with this key; 0 when the
 * caller must generate into tmp (a fresh empty directory) and then call tu_cache_commit; -1 on
 * error. */
int tu_cache_dir(const char *name, const char *key, char *dir, size_t n, char *tmp, size_t tn);
/* Publishes tmp (with its key) as dir, replacing an older entry; 0 on success. */
int tu_cache_commit(const char *dir, const char *tmp, const char *key);
/* A simulator capture through the cache: runs `SIM --out DIR/s ARGS... --quiet` (args
 * NULL-terminated; an argument "@/NAME" stands for DIR/NAME, e.g. "--nav-out", "@/truth.rnx")
 * unless a capture made with the same arguments by the same simulator binary is there.  The
 * files are DIR/s_b1c.FMT, DIR/s_b2a.FMT (with sidecars) and DIR/s.truth.json.  Tests that ask
 * for the same arguments share one capture.  0 on success (dir set), -1 (message printed). */
int tu_sim_capture(const char *sim, const char *const *args, char *dir, size_t n);
/* A --prn list for a bdsrx run on a simulator capture: the PRNs of the truth file's first epoch
 * (TRUTH: a bdsrx-sim .truth.json) and `absent` PRNs from 19 up that it does not have (a channel
 * on one of those is a false detection), e.g. "20,21,22,23,27,28,34,19,24".  For the tests whose
 * subject is not the cold whole-list search (most of a cold run's CPU is spent on absent PRNs;
 * the whole-list search has tests of its own).  0 on success, -1 (message printed). */
int tu_truth_prns(const char *truth, int absent, char *list, size_t n);
/* mask (bit p = PRN p) plus `absent` PRNs from 19 up that it does not have: what tu_truth_prns
 * lists, as a prn_mask for library runs */
uint64_t tu_prn_mask_with_absent(uint64_t mask, int absent);
/* a - b for code phases of a 10230-chip code, wrapped into [-5115, 5115] chips */
double tu_chip_diff(double a, double b);
/* "SIZE-MTIME" of a file for cache keys ("none" when missing). */
const char *tu_file_stamp(const char *path, char *buf, size_t n);
/* Removes a directory tree (rm -r without a shell); 0 on success. */
int tu_rmtree(const char *path);

#endif
