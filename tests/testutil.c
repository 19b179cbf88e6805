/* Test helpers: process runner, background processes, capture cache (testutil.h). */
#define _GNU_SOURCE
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

const char *tu_bin(char *buf, size_t n, const char *name)
{
    const char *bd = getenv("BDSRX_BIN");
    snprintf(buf, n, "%s/%s", bd && *bd ? bd : "bin", name);
    return access(buf, X_OK) == 0 ? buf : NULL;
}

int tu_have(const char *prog)
{
    const char *path = getenv("PATH");
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *c = strchr(path, ':');
        size_t len = c ? (size_t)(c - path) : strlen(path);
        char f[4096];
        snprintf(f, sizeof f, "%.*s/%s", (int)len, len ? path : ".", prog);
        if (access(f, X_OK) == 0)
            return 1;
        path += len + (c ? 1 : 0);
        if (!c)
            break;
    }
    return 0;
}

static int wait_status(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(ws))
        return WEXITSTATUS(ws);
    if (WIFSIGNALED(ws))
        return 128 + WTERMSIG(ws);
    return -1;
}

/* in the child: put fd on target (fd may equal target) */
static void child_dup(int fd, int target)
{
    if (fd != target) {
        dup2(fd, target);
        close(fd);
    }
}

static void child_env(const char *const *env)
{
    for (; env && *env; env++) {
        char *kv = strdup(*env);
        if (kv)
            putenv(kv);
    }
}

/* appends what fd has to *s; returns 0 at end of file, 1 otherwise */
static int drain(int fd, char **s, size_t *len, size_t *cap)
{
    if (*cap - *len < 4097) {
        size_t nc = *cap ? 2 * *cap : 16384;
        while (nc - *len < 4097)
            nc *= 2;
        char *t = realloc(*s, nc);
        if (!t)
            return 0;
        *s = t, *cap = nc;
    }
    ssize_t k = read(fd, *s + *len, 4096);
    if (k < 0 && errno == EINTR)
        return 1;
    if (k <= 0)
        return 0;
    *len += (size_t)k;
    return 1;
}

int tu_run(tu_result_t *r, const char *const *argv, const tu_opts_t *opts)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    const int merge = opts && opts->merge_err;
    if (pipe2(po, O_CLOEXEC) != 0 || (!merge && pipe2(pe, O_CLOEXEC) != 0))
        goto fail;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        goto fail;
    if (pid == 0) {
        int in = open(opts && opts->stdin_path ? opts->stdin_path : "/dev/null", O_RDONLY);
        if (in < 0)
            _exit(126);
        child_dup(in, 0);
        if (opts && opts->stdout_path) {
            int out = open(opts->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out < 0)
                _exit(126);
            child_dup(out, 1);
        } else
            dup2(po[1], 1);
        dup2(merge ? po[1] : pe[1], 2);
        child_env(opts ? opts->env : NULL);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    po[1] = -1;
    if (!merge) {
        close(pe[1]);
        pe[1] = -1;
    }
    size_t ocap = 0, ecap = 0;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {merge ? -1 : pe[0], POLLIN, 0}};
    int open_n = merge ? 1 : 2;
    while (open_n > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int more = k == 0 ? drain(fds[k].fd, &r->out, &r->out_len, &ocap)
                              : drain(fds[k].fd, &r->err, &r->err_len, &ecap);
            if (!more) {
                close(fds[k].fd);
                fds[k].fd = -1;
                open_n--;
            }
        }
    }
    for (int k = 0; k < 2; k++)
        if (fds[k].fd >= 0)
            close(fds[k].fd);
    r->status = wait_status(pid);
    if (!r->out)
        r->out = calloc(1, 1);
    else
        r->out[r->out_len] = 0;
    if (!r->err)
        r->err = calloc(1, 1);
    else
        r->err[r->err_len] = 0;
    return r->status;
fail:
    for (int k = 0; k < 2; k++) {
        if (po[k] >= 0)
            close(po[k]);
        if (pe[k] >= 0)
            close(pe[k]);
    }
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    return -1;
}

int tu_runl(tu_result_t *r, const tu_opts_t *opts, const char *prog, ...)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = prog;
    va_list ap;
    va_start(ap, prog);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 63)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tu_run(r, argv, opts);
}

void tu_result_free(tu_result_t *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
    r->out_len = r->err_len = 0;
}

/* ---- background processes ---- */

int tu_spawn(tu_proc_t *p, const char *const *argv, unsigned flags)
{
    memset(p, 0, sizeof *p);
    p->in_fd = p->out_fd = -1;
    int pi[2] = {-1, -1}, po[2] = {-1, -1};
    if ((flags & TU_STDIN_PIPE) && pipe2(pi, O_CLOEXEC) != 0)
        return -1;
    if ((flags & TU_OUT_PIPE) && pipe2(po, O_CLOEXEC) != 0) {
        if (pi[0] >= 0)
            close(pi[0]), close(pi[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (flags & TU_STDIN_PIPE)
            dup2(pi[0], 0);
        else {
            int in = open("/dev/null", O_RDONLY);
            child_dup(in, 0);
        }
        if (flags & TU_OUT_PIPE) {
            dup2(po[1], 1);
            if (flags & TU_ERR_NULL) {
                int nul = open("/dev/null", O_WRONLY);
                child_dup(nul, 2);
            } else
                dup2(po[1], 2);
        } else if (flags & TU_OUT_NULL) {
            int nul = open("/dev/null", O_WRONLY);
            dup2(nul, 1);
            child_dup(nul, 2);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    p->pid = pid;
    if (flags & TU_STDIN_PIPE) {
        close(pi[0]);
        p->in_fd = pi[1];
    }
    if (flags & TU_OUT_PIPE) {
        close(po[1]);
        p->out_fd = po[0];
    }
    return 0;
}

long tu_readline(tu_proc_t *p, char *line, size_t n)
{
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl || p->len == sizeof p->buf) {
            size_t l = nl ? (size_t)(nl - p->buf) : p->len;
            size_t c = l < n - 1 ? l : n - 1;
            memcpy(line, p->buf, c);
            line[c] = 0;
            size_t used = nl ? l + 1 : l;
            memmove(p->buf, p->buf + used, p->len - used);
            p->len -= used;
            return (long)c;
        }
        if (p->out_fd < 0)
            return -1;
        ssize_t k = read(p->out_fd, p->buf + p->len, sizeof p->buf - p->len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (p->len == 0)
                return -1;
            size_t c = p->len < n - 1 ? p->len : n - 1; /* last line without newline */
            memcpy(line, p->buf, c);
            line[c] = 0;
            p->len = 0;
            return (long)c;
        }
        p->len += (size_t)k;
    }
}

long tu_wait_line(tu_proc_t *p, const char *needle, char *line, size_t n)
{
    long l;
    while ((l = tu_readline(p, line, n)) >= 0)
        if (strstr(line, needle))
            return l;
    return -1;
}

int tu_replay_server(tu_proc_t *p, const char *bin, const char *const *args, const char *capture)
{
    const char *argv[40];
    int n = 0;
    argv[n++] = bin;
    for (; args && *args && n < 35; args++)
        argv[n++] = *args;
    argv[n++] = "--rtltcp";
    argv[n++] = "0";
    argv[n++] = capture;
    argv[n] = NULL;
    if (tu_spawn(p, argv, TU_OUT_PIPE) != 0)
        return -1;
    char line[1024];
    if (tu_wait_line(p, " as rtl_tcp on ", line, sizeof line) < 0) {
        tu_wait(p);
        return -1;
    }
    const char *c = strstr(line, " as rtl_tcp on ");
    c = strchr(c + 15, ':');
    return c ? atoi(c + 1) : -1;
}

char *tu_read_rest(tu_proc_t *p, size_t *len)
{
    char *s = NULL;
    size_t l = 0, cap = 0;
    if (p->len) {
        cap = p->len + 16384;
        s = malloc(cap);
        if (!s)
            return NULL;
        memcpy(s, p->buf, p->len);
        l = p->len;
        p->len = 0;
    }
    while (p->out_fd >= 0 && drain(p->out_fd, &s, &l, &cap))
        ;
    if (!s)
        s = calloc(1, 1);
    else
        s[l] = 0;
    if (len)
        *len = l;
    return s;
}

int tu_wait(tu_proc_t *p)
{
    if (p->in_fd >= 0)
        close(p->in_fd);
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->in_fd = p->out_fd = -1;
    return p->pid > 0 ? wait_status(p->pid) : -1;
}

/* ---- capture cache ---- */

const char *tu_file_stamp(const char *path, char *buf, size_t n)
{
    struct stat st;
    if (stat(path, &st) != 0)
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "%lld-%lld", (long long)st.st_size, (long long)st.st_mtime);
    return buf;
}

int tu_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rc |= tu_rmtree(sub);
    }
    closedir(d);
    return rmdir(path) == 0 ? rc : -1;
}

static int mkdir_p(const char *path)
{
    char b[4096];
    snprintf(b, sizeof b, "%s", path);
    for (char *s = b + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(b, 0777) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(b, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

static int read_key(const char *dir, char *buf, size_t n)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/.key", dir);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = 0;
    fclose(f);
    return 0;
}

int tu_cache_dir(const char *name, const char *key, char *dir, size_t n, char *tmp, size_t tn)
{
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_' || *c == '.'))
            return -1;
    const char *root = getenv("BDSRX_TEST_CACHE");
    if (!root || !*root)
        root = "build/test-cache";
    if (mkdir_p(root) != 0)
        return -1;
    snprintf(dir, n, "%s/%s", root, name);
    char have[2048];
    if (read_key(dir, have, sizeof have) == 0 && !strcmp(have, key))
        return 1;
    snprintf(tmp, tn, "%s/.tmp-%s-XXXXXX", root, name);
    return mkdtemp(tmp) ? 0 : -1;
}

int tu_cache_commit(const char *dir, const char *tmp, const char *key)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/.key", tmp);
    FILE *f = fopen(p, "w");
    if (!f || fputs(key, f) < 0 || fclose(f) != 0) {
        tu_rmtree(tmp);
        return -1;
    }
    tu_rmtree(dir); /* an entry made with another key */
    if (rename(tmp, dir) == 0)
        return 0;
    /* another process published it first: theirs has the same key */
    tu_rmtree(tmp);
    char have[2048];
    return read_key(dir, have, sizeof have) == 0 && !strcmp(have, key) ? 0 : -1;
}

int tu_sim_capture(const char *sim, const char *const *args, char *dir, size_t n)
{
    char key[2048], stamp[64], name[64], tmp[4096];
    size_t kl = 0;
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the arguments: the entry's name */
    for (const char *const *a = args; a && *a; a++) {
        kl += (size_t)snprintf(key + kl, kl < sizeof key ? sizeof key - kl : 0, "%s ", *a);
        for (const char *c = *a; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ull;
        h = (h ^ ' ') * 1099511628211ull;
    }
    if (kl >= sizeof key - 80)
        return -1;
    snprintf(key + kl, sizeof key - kl, "| bdsrx-sim %s", tu_file_stamp(sim, stamp, sizeof stamp));
    snprintf(name, sizeof name, "sim-%016llx", (unsigned long long)h);
    const int have = tu_cache_dir(name, key, dir, n, tmp, sizeof tmp);
    if (have != 0)
        return have > 0 ? 0 : -1;
    const char *argv[64];
    char out[4200], at[16][4200];
    int na = 0, nat = 0;
    snprintf(out, sizeof out, "%s/s", tmp);
    argv[na++] = sim;
    argv[na++] = "--out";
    argv[na++] = out;
    for (const char *const *a = args; a && *a && na < 60; a++) {
        if (!strncmp(*a, "@/", 2) && nat < 16) {
            snprintf(at[nat], sizeof at[nat], "%s/%s", tmp, *a + 2);
            argv[na++] = at[nat++];
        } else
            argv[na++] = *a;
    }
    argv[na++] = "--quiet";
    argv[na] = NULL;
    tu_result_t r;
    const int st = tu_run(&r, argv, NULL);
    if (st != 0) {
        printf("bdsrx-sim %s: exit %d: %s\n", key, st, r.err);
        tu_result_free(&r);
        tu_rmtree(tmp);
        return -1;
    }
    tu_result_free(&r);
    return tu_cache_commit(dir, tmp, key);
}

int tu_truth_prns(const char *truth, int absent, char *list, size_t n)
{
    json_error_t je;
    json_t *o = json_load_file(truth, 0, &je);
    json_t *sats = json_object_get(json_array_get(json_object_get(o, "epochs"), 0), "sats");
    uint64_t mask = 0;
    for (size_t i = 0; i < json_array_size(sats); i++) {
        const json_int_t p = json_integer_value(json_object_get(json_array_get(sats, i), "prn"));
        if (p >= 1 && p <= 63)
            mask |= 1ull << p;
    }
    json_decref(o);
    if (!mask) {
        printf("tu_truth_prns: no satellites in %s\n", truth);
        return -1;
    }
    const uint64_t with_absent = tu_prn_mask_with_absent(mask, absent);
    size_t k = 0;
    list[0] = '\0';
    for (int pass = 0; pass < 2; pass++) /* the truth's PRNs, then the absent ones */
        for (int p = 1; p <= 63 && k < n; p++)
            if ((pass ? with_absent & ~mask : mask) >> p & 1u)
                k += (size_t)snprintf(list + k, n - k, "%s%d", k ? "," : "", p);
    return k < n ? 0 : -1;
}

uint64_t tu_prn_mask_with_absent(uint64_t mask, int absent)
{
    for (int p = 19; p <= 58 && absent > 0; p++)
        if (!(mask >> p & 1u)) {
            mask |= 1ull << p;
            absent--;
        }
    return mask;
}

double tu_chip_diff(double a, double b)
{
    double d = fmod(a - b, 10230.0);
    if (d > 5115.0)
        d -= 10230.0;
    if (d < -5115.0)
        d += 10230.0;
    return d;
}
