/*
 * Streaming capture reader: parameters from flags + sidecar, size checks,
 * constant-memory reads through one fixed raw buffer, seeking to any sample
 * (also inside a packed byte).  Formats: dsp/iq_convert.c.
 *
 * Position model: `pos` is the next sample; the raw buffer always starts at a
 * whole byte group (1 sample for ci8/ci16/cf32/ri8, 2 for ci2, 8 for ri1) and
 * `sub` counts the samples of the current group already consumed.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bdsrx/iq.h"

#define RAW_BUF_BYTES (64 * 1024) /* multiple of every group size (1, 2, 4, 8) */
/* bx_iq_param_source(): "<sidecar kind> <sidecar path>[ + flags]" or "flags"; sized for the
 * longest kind and a path of PATH_MAX, so the description is never truncated. */
#define SIDECAR_KIND_SIGMF "SigMF sidecar"
#define SIDECAR_KIND_TAG "PocketSDR tag"
#define SOURCE_DESC_LEN (sizeof SIDECAR_KIND_SIGMF " " + PATH_MAX + sizeof " + flags")

struct bx_iq_reader {
    FILE *fp;
    int is_stream; /* stdin or a pipe: no size, forward-only seeks */
    int own_fp;
    bx_iq_params_t p;
    int group_samples, group_bytes;
    int64_t total; /* samples, -1 for streams */
    uint64_t pos;  /* next sample */
    size_t buf_len, buf_off; /* valid bytes in buf, bytes of whole groups consumed */
    int sub;                 /* samples consumed within the group at buf_off */
    char path[PATH_MAX];
    char source[SOURCE_DESC_LEN];
    char err[PATH_MAX + 384]; /* the path + a message (at most ~120 chars + strerror) */
    uint8_t buf[RAW_BUF_BYTES];
};

static int differ(double a, double b)
{
    return fabs(a - b) > 1e-3 + 1e-9 * fmax(fabs(a), fabs(b));
}

static void fmt_hz(char *s, size_t n, double hz)
{
    snprintf(s, n, "%.9g Hz", hz);
}

/* Merges flags (f) and sidecar values (s) into out; a contradiction is an error. */
static int merge_params(const char *path, const char *side_path, const bx_iq_params_t *f, const bx_iq_params_t *s,
                        bx_iq_params_t *out, int *flags_used, char *err, size_t errlen)
{
    char a[64], b[64];
    *out = *s;
    *flags_used = 0;
    if (f->format >= 0) {
        if (s->format >= 0 && s->format != f->format) {
            snprintf(err, errlen, "%s: --format %s contradicts format %s in %s; drop the flag or fix the sidecar",
                     path, bx_iq_format_name(f->format), bx_iq_format_name(s->format), side_path);
            return BX_ERR_ARG;
        }
        *flags_used |= s->format < 0;
        out->format = f->format;
    }
    const struct {
        const char *flag;
        double fv, sv;
        int set_f, set_s;
        double *dst;
    } num[] = {
        {"--fs", f->fs_hz, s->fs_hz, f->fs_hz > 0, s->fs_hz > 0, &out->fs_hz},
        {"--fc", f->fc_hz, s->fc_hz, f->fc_hz > 0, s->fc_hz > 0, &out->fc_hz},
        {"--if", f->if_hz, s->if_hz, !isnan(f->if_hz), !isnan(s->if_hz), &out->if_hz},
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
        if (!num[i].set_f)
            continue;
        if (num[i].set_s && differ(num[i].fv, num[i].sv)) {
            fmt_hz(a, sizeof a, num[i].fv);
            fmt_hz(b, sizeof b, num[i].sv);
            snprintf(err, errlen, "%s: %s %s contradicts %s in %s; drop the flag or fix the sidecar", path,
                     num[i].flag, a, b, side_path);
            return BX_ERR_ARG;
        }
        *flags_used |= !num[i].set_s;
        *num[i].dst = num[i].fv;
    }
    return BX_OK;
}

int bx_iq_open(const char *path, const bx_iq_params_t *flags, bx_iq_reader_t **out, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = 0;
    if (!path || !out) {
        snprintf(err, errlen, "bx_iq_open: no path given");
        return BX_ERR_ARG;
    }
    *out = NULL;
    bx_iq_params_t f, side, p;
    if (flags)
        f = *flags;
    else
        bx_iq_params_init(&f);
    bx_iq_params_init(&side);
    int is_stdin = !strcmp(path, "-");
    char side_path[PATH_MAX] = "";
    const char *kind = NULL; /* sidecar kind, NULL: parameters from flags only */
    int found = 0, flags_used = 0;
    if (!is_stdin && access(path, R_OK) != 0) { /* before any talk of formats and sidecars */
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return BX_ERR_IO;
    }
    if (!is_stdin) {
        found = bx_iq_sidecar_find(path, &side, side_path, sizeof side_path, err, errlen);
        if (found < 0)
            return found;
    }
    if (found) {
        int rc = merge_params(path, side_path, &f, &side, &p, &flags_used, err, errlen);
        if (rc < 0)
            return rc;
        kind = strstr(side_path, ".sigmf-meta") ? SIDECAR_KIND_SIGMF : SIDECAR_KIND_TAG;
    } else {
        p = f;
    }
    if (p.format < 0 || p.format >= BX_IQ_FORMAT_COUNT) {
        snprintf(err, errlen,
                 "%s: sample format unknown: give --format (ci8 ci16 cf32 ri8 ci2 ri1 int8x2) or put a .sigmf-meta / "
                 ".tag sidecar beside the file",
                 path);
        return BX_ERR_ARG;
    }
    if (!(p.fs_hz > 0.0)) {
        snprintf(err, errlen, "%s: sample rate unknown: give --fs HZ (e.g. --fs 4.092M) or a sidecar", path);
        return BX_ERR_ARG;
    }
    if (isnan(p.if_hz)) {
        if (bx_iq_format_is_complex(p.format)) {
            p.if_hz = 0.0; /* complex baseband unless told otherwise */
        } else {
            snprintf(err, errlen,
                     "%s: %s samples carry the signal at an IF: give --if HZ (e.g. --if 3M; 0 if the "
                     "carrier is at DC)",
                     path, bx_iq_format_describe(p.format));
            return BX_ERR_ARG;
        }
    }

    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return BX_ERR_IO;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        if (!is_stdin)
            fclose(fp);
        return BX_ERR_IO;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory, not a capture file", path);
        fclose(fp);
        return BX_ERR_IO;
    }
    const int gs = bx_iq_samples_per_byte_group(p.format), gb = bx_iq_bytes_per_group(p.format);
    int64_t total = -1;
    int stream = !S_ISREG(st.st_mode);
    if (!stream) {
        if (st.st_size % gb != 0) {
            snprintf(err, errlen, "%s: size %lld is not a multiple of %d bytes per %s sample (wrong --format?)", path,
                     (long long)st.st_size, gb, bx_iq_format_describe(p.format));
            if (!is_stdin)
                fclose(fp);
            return BX_ERR_FORMAT;
        }
        total = (int64_t)(st.st_size / gb) * gs;
    }
    bx_iq_reader_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        if (!is_stdin)
            fclose(fp);
        return BX_ERR_NOMEM;
    }
    r->fp = fp;
    r->own_fp = !is_stdin;
    r->is_stream = stream;
    r->p = p;
    r->group_samples = gs;
    r->group_bytes = gb;
    r->total = total;
    snprintf(r->path, sizeof r->path, "%s", is_stdin ? "<stdin>" : path);
    if (kind)
        snprintf(r->source, sizeof r->source, "%s %s%s", kind, side_path, flags_used ? " + flags" : "");
    else
        snprintf(r->source, sizeof r->source, "flags");
    *out = r;
    return BX_OK;
}

const bx_iq_params_t *bx_iq_params(const bx_iq_reader_t *r)
{
    return &r->p;
}

const char *bx_iq_param_source(const bx_iq_reader_t *r)
{
    return r->source;
}

const char *bx_iq_error(const bx_iq_reader_t *r)
{
    return r ? r->err : "no reader";
}

uint64_t bx_iq_tell(const bx_iq_reader_t *r)
{
    return r->pos;
}

int64_t bx_iq_total_samples(const bx_iq_reader_t *r)
{
    return r->total;
}

/* Refills the buffer when all its groups are consumed.  Returns 1 if data is available, 0 at the
 * end, <0 on error. */
static int refill(bx_iq_reader_t *r)
{
    if (r->buf_off < r->buf_len)
        return 1;
    size_t got = fread(r->buf, 1, sizeof r->buf, r->fp);
    if (got == 0) {
        if (ferror(r->fp)) {
            snprintf(r->err, sizeof r->err, "%s: read error: %s", r->path, strerror(errno));
            return BX_ERR_IO;
        }
        return 0;
    }
    /* a short read from a pipe can end inside a group: complete it or report the truncation */
    while (got % (size_t)r->group_bytes) {
        size_t more = fread(r->buf + got, 1, (size_t)r->group_bytes - got % (size_t)r->group_bytes, r->fp);
        if (more == 0) {
            snprintf(r->err, sizeof r->err,
                     "%s: truncated last sample: the data ends %zu byte(s) into a %d-byte %s sample", r->path,
                     got % (size_t)r->group_bytes, r->group_bytes, bx_iq_format_describe(r->p.format));
            return BX_ERR_FORMAT;
        }
        got += more;
    }
    r->buf_len = got;
    r->buf_off = 0;
    return 1;
}

/* Consumes up to n samples from the buffer, converting into out when out != NULL. */
static long consume(bx_iq_reader_t *r, bx_cf32_t *out, size_t n)
{
    size_t done = 0;
    while (done < n) {
        if (r->total >= 0 && r->pos >= (uint64_t)r->total)
            break;
        int rc = refill(r);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        size_t groups = (r->buf_len - r->buf_off) / (size_t)r->group_bytes;
        size_t avail = groups * (size_t)r->group_samples - (size_t)r->sub;
        size_t take = n - done < avail ? n - done : avail;
        if (out)
            bx_iq_convert_from(r->p.format, r->buf + r->buf_off, (size_t)r->sub, take, out + done);
        size_t s = (size_t)r->sub + take;
        r->buf_off += s / (size_t)r->group_samples * (size_t)r->group_bytes;
        r->sub = (int)(s % (size_t)r->group_samples);
        r->pos += take;
        done += take;
    }
    return (long)done;
}

long bx_iq_read(bx_iq_reader_t *r, bx_cf32_t *out, size_t n)
{
    if (!r || (!out && n))
        return BX_ERR_ARG;
    if (n > (size_t)0x7fffffff)
        n = 0x7fffffff;
    return consume(r, out, n);
}

long bx_iq_read_raw(bx_iq_reader_t *r, void *raw, size_t n)
{
    if (!r || !raw)
        return BX_ERR_ARG;
    if (r->sub) {
        snprintf(r->err, sizeof r->err, "%s: raw read at sample %llu, inside a packed %s byte", r->path,
                 (unsigned long long)r->pos, bx_iq_format_name(r->p.format));
        return BX_ERR_ARG;
    }
    size_t gs = (size_t)r->group_samples, gb = (size_t)r->group_bytes;
    if (n > (size_t)0x7fffffff)
        n = 0x7fffffff;
    size_t groups = n / gs;
    if (r->total >= 0) {
        uint64_t left = (uint64_t)r->total - r->pos;
        if (groups > left / gs)
            groups = (size_t)(left / gs);
    }
    if (groups == 0)
        return n < gs ? BX_ERR_ARG : 0;
    uint8_t *dst = raw;
    size_t done = 0; /* groups */
    /* drain the buffer first, then read straight into the caller's memory */
    size_t inbuf = (r->buf_len - r->buf_off) / gb;
    if (inbuf) {
        size_t t = inbuf < groups ? inbuf : groups;
        memcpy(dst, r->buf + r->buf_off, t * gb);
        r->buf_off += t * gb;
        done = t;
    }
    while (done < groups) {
        size_t got = fread(dst + done * gb, 1, (groups - done) * gb, r->fp);
        if (got == 0) {
            if (ferror(r->fp)) {
                snprintf(r->err, sizeof r->err, "%s: read error: %s", r->path, strerror(errno));
                return BX_ERR_IO;
            }
            break;
        }
        size_t part = got % gb;
        if (part) { /* complete a split group from a pipe */
            size_t more = fread(dst + done * gb + got, 1, gb - part, r->fp);
            if (more != gb - part) {
                snprintf(r->err, sizeof r->err, "%s: truncated last sample (%zu of %zu bytes)", r->path, part, gb);
                return BX_ERR_FORMAT;
            }
            got += more;
        }
        done += got / gb;
    }
    r->pos += done * gs;
    return (long)(done * gs);
}

int bx_iq_seek(bx_iq_reader_t *r, uint64_t sample_index)
{
    if (!r)
        return BX_ERR_ARG;
    if (r->total >= 0 && sample_index > (uint64_t)r->total) {
        snprintf(r->err, sizeof r->err, "%s: seek to sample %llu beyond the end (%lld samples)", r->path,
                 (unsigned long long)sample_index, (long long)r->total);
        return BX_ERR_ARG;
    }
    if (r->is_stream) {
        if (sample_index < r->pos) {
            snprintf(r->err, sizeof r->err, "%s: cannot seek backwards in a stream", r->path);
            return BX_ERR_UNSUPPORTED;
        }
        while (r->pos < sample_index) {
            uint64_t left = sample_index - r->pos;
            long k = consume(r, NULL, left > (1u << 30) ? (1u << 30) : (size_t)left);
            if (k < 0)
                return (int)k;
            if (k == 0) {
                snprintf(r->err, sizeof r->err, "%s: stream ended before sample %llu", r->path,
                         (unsigned long long)sample_index);
                return BX_ERR_EOF;
            }
        }
        return BX_OK;
    }
    uint64_t group = sample_index / (uint64_t)r->group_samples;
    if (fseeko(r->fp, (off_t)(group * (uint64_t)r->group_bytes), SEEK_SET) != 0) {
        snprintf(r->err, sizeof r->err, "%s: seek failed: %s", r->path, strerror(errno));
        return BX_ERR_IO;
    }
    r->buf_len = r->buf_off = 0;
    r->sub = (int)(sample_index % (uint64_t)r->group_samples);
    r->pos = sample_index;
    return BX_OK;
}

void bx_iq_destroy(bx_iq_reader_t *r)
{
    if (!r)
        return;
    if (r->own_fp && r->fp)
        fclose(r->fp);
    free(r);
}
