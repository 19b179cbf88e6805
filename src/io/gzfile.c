/* gzip-transparent reading through zlib (gzfile.h). */
#define _GNU_SOURCE /* fopencookie */
#include "gzfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

typedef struct {
    gzFile gz;
    int bad; /* a read failed: corrupt or truncated data */
} gzc_t;

static ssize_t gz_read_fn(void *c, char *buf, size_t n)
{
    gzc_t *g = c;
    if (n > (1u << 30))
        n = 1u << 30;
    const int k = gzread(g->gz, buf, (unsigned)n);
    int zerr = Z_OK;
    gzerror(g->gz, &zerr);
    /* Z_BUF_ERROR at the end of the input: the file was cut short */
    if (k < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
        g->bad = 1;
        if (k <= 0) {
            errno = EIO;
            return -1;
        }
    }
    return k;
}

static int gz_close_fn(void *c)
{
    gzc_t *g = c;
    const int bad = gzclose(g->gz) != Z_OK || g->bad;
    free(g);
    return bad ? -1 : 0;
}

FILE *bx_gz_open(const char *path)
{
    gzc_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    errno = 0;
    g->gz = gzopen(path, "rb");
    if (!g->gz) {
        const int e = errno ? errno : ENOMEM;
        free(g);
        errno = e;
        return NULL;
    }
    gzbuffer(g->gz, 1 << 16);
    cookie_io_functions_t io = {.read = gz_read_fn, .write = NULL, .seek = NULL, .close = gz_close_fn};
    FILE *f = fopencookie(g, "r", io);
    if (!f) {
        gzclose(g->gz);
        free(g);
        errno = ENOMEM;
    }
    return f;
}
