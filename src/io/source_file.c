/* File source: a capture in any bx_iq format ("-" = standard input).
 * Parameters (format, fs, fc, IF) come from bx_iq_open (URI options, SigMF or
 * PocketSDR .tag sidecar); samples are read raw (bx_iq_read_raw) so a
 * recorder sees them bit-exactly.  With pace > 0 blocks are released on the capture's own sample
 * clock (pace 1 = real time); with live=1 a reader thread pushes them through
 * the ring exactly like a device, which is how overflow handling is tested
 * without hardware. */
#include "source_backend.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    bx_iq_reader_t *r;
    char path[200];
    double t0_mono;   /* monotonic time of the first read (pacing) */
    uint64_t index;   /* samples read so far */
    uint8_t *block;   /* live mode producer buffer */
    size_t block_bytes;
} file_priv_t;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Sleeps until the samples up to `index_end` are "due" at the pace. */
static void pace_wait(bx_source_t *s, file_priv_t *p, uint64_t index_end)
{
    if (bx__source_opts(s)->pace <= 0 || bx__source_info_w(s)->fs_hz <= 0)
        return;
    if (p->t0_mono == 0)
        p->t0_mono = mono_s();
    double due = p->t0_mono + (double)index_end / bx__source_info_w(s)->fs_hz / bx__source_opts(s)->pace;
    struct timespec ts = {(time_t)due, (long)((due - floor(due)) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        if (bx__source_stopping(s))
            break;
}

static long file_read_bytes(bx_source_t *s, file_priv_t *p, void *raw, size_t n_samples)
{
    long got = bx_iq_read_raw(p->r, raw, n_samples / bx__source_gran_samples(s) * bx__source_gran_samples(s));
    if (got < 0)
        return bx__source_fail(s, (int)got, "%s", bx_iq_error(p->r));
    return got;
}

static long file_read_direct(bx_source_t *s, void *raw, size_t n_samples)
{
    file_priv_t *p = bx__source_priv(s);
    long got = file_read_bytes(s, p, raw, n_samples);
    if (got > 0) {
        pace_wait(s, p, p->index + (uint64_t)got);
        p->index += (uint64_t)got;
    }
    return got;
}

static int file_run(bx_source_t *s)
{
    file_priv_t *p = bx__source_priv(s);
    size_t ns = p->block_bytes / bx__source_gran_bytes(s) * bx__source_gran_samples(s);
    const bx_source_opts_t *o = bx__source_opts(s);
    const uint64_t gs = bx__source_gran_samples(s);
    uint64_t gap_at = o->gap_at / gs * gs, gap = o->gap / gs * gs; /* whole granules */
    while (!bx__source_stopping(s)) {
        if (gap && p->index == gap_at) { /* the test loss: samples read and thrown away, one loss */
            uint64_t left = gap;
            while (left) {
                long g = file_read_bytes(s, p, p->block, left < ns ? (size_t)left : ns);
                if (g <= 0)
                    return g < 0 ? (int)g : BX_OK;
                left -= (uint64_t)g;
                p->index += (uint64_t)g;
            }
            bx__source_gap(s, gap);
            gap = 0;
        }
        size_t want = ns;
        if (gap && p->index < gap_at && gap_at - p->index < want)
            want = (size_t)(gap_at - p->index);
        long got = file_read_bytes(s, p, p->block, want);
        if (got < 0)
            return (int)got;
        if (got == 0)
            return BX_OK;
        pace_wait(s, p, p->index + (uint64_t)got);
        p->index += (uint64_t)got;
        const size_t nb = (size_t)got / bx__source_gran_samples(s) * bx__source_gran_bytes(s);
        if (bx__source_opts(s)->wait && !bx__source_wait_room(s, nb))
            return BX_OK;
        bx__source_push(s, p->block, nb);
    }
    return BX_OK;
}

static void file_close(bx_source_t *s)
{
    file_priv_t *p = bx__source_priv(s);
    if (!p)
        return;
    if (p->r)
        bx_iq_destroy(p->r);
    free(p->block);
    free(p);
}

static const bx_source_ops_t file_direct = {.read_direct = file_read_direct, .close = file_close};
static const bx_source_ops_t file_live = {.run = file_run, .close = file_close};

static int file_open(bx_source_t *s, const char *path)
{
    const bx_source_opts_t *opts = bx__source_opts(s);
    bx_source_info_t *info = bx__source_info_w(s);
    bx_iq_params_t flags;
    bx_iq_params_init(&flags);
    flags.format = opts->format;
    flags.fs_hz = opts->fs_hz;
    flags.fc_hz = opts->fc_hz;
    flags.if_hz = opts->if_hz;
    bx_iq_reader_t *r = NULL;
    char msg[256];
    int st = bx_iq_open(path, &flags, &r, msg, sizeof msg);
    if (st != BX_OK)
        return bx__source_fail(s, st, "%s", msg);
    const bx_iq_params_t *eff = bx_iq_params(r);
    info->format = eff->format;
    info->fs_hz = eff->fs_hz;
    info->fc_hz = eff->fc_hz;
    info->if_hz = isnan(eff->if_hz) ? 0.0 : eff->if_hz;
    info->total_samples = bx_iq_total_samples(r);
    if (opts->pace > 0 && !(info->fs_hz > 0)) {
        bx_iq_destroy(r);
        return bx__source_fail(s, BX_ERR_ARG,
                               "%s: sample rate unknown, cannot pace playback (give fs= or a sidecar)", path);
    }
    snprintf(info->kind, sizeof info->kind, "file");
    snprintf(info->device, sizeof info->device, "file %.150s", path);

    file_priv_t *p = calloc(1, sizeof *p);
    if (!p) {
        bx_iq_destroy(r);
        return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
    }
    snprintf(p->path, sizeof p->path, "%s", path);
    p->r = r;
    bx__source_set_priv(s, p);
    if (opts->live) {
        p->block_bytes = opts->block_bytes ? opts->block_bytes : 65536;
        if (p->block_bytes < 16)
            p->block_bytes = 16;
        p->block = malloc(p->block_bytes);
        if (!p->block) {
            file_close(s);
            bx__source_set_priv(s, NULL);
            return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
        }
        bx__source_set_ops(s, &file_live);
    } else {
        bx__source_set_ops(s, &file_direct);
    }
    return BX_OK;
}

const bx_source_kind_t bx__source_kind_file = {"file", 1, file_open};
