/* Capture sink: raw sample file + SigMF sidecar with loss annotations
 * (contract in include/bdsrx/sink.h). */
#include "bdsrx/sink.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
    uint64_t start, count;
    double time_s;
} gap_t;

struct bx_sink {
    FILE *f;
    int is_stdout, sidecar;
    char *path;
    bx_sink_meta_t m;
    char *hw, *recorder, *source, *description; /* owned copies of the meta strings */
    uint64_t samples, bytes, dropped;
    bx_cf32_t carry[8]; /* packed formats: scaled samples short of a whole byte */
    size_t ncarry;
    gap_t *gaps;
    size_t ngaps, capgaps;
    int err, finished;
    char msg[256];
};

void bx_sink_meta_init(bx_sink_meta_t *m)
{
    memset(m, 0, sizeof *m);
    m->format = -1;
    m->if_hz = NAN;
    m->gain_db = NAN;
    m->agc = -1;
    m->bias_tee = -1;
}

static size_t per_byte(int format) { return (size_t)bx_iq_samples_per_byte_group(format); }

float bx_sink_lsb_scale(int in_format)
{
    uint8_t raw[8] = {0};
    if (in_format == BX_IQ_CI8 || in_format == BX_IQ_INT8X2 || in_format == BX_IQ_RI8 || in_format == BX_IQ_CI16)
        raw[0] = 1; /* code 1 */
    else if (in_format == BX_IQ_CF32) {
        float one = 1.0f;
        memcpy(raw, &one, sizeof one);
    } /* ci2: byte 0 = level +1; ri1: one bit = +-1 */
    bx_cf32_t x[8];
    if (bx_iq_convert(in_format, raw, 1, x) != BX_OK || crealf(x[0]) == 0.0f)
        return 1.0f;
    return 1.0f / fabsf(crealf(x[0]));
}

static char *dupnull(const char *s) { return s ? strdup(s) : NULL; }

int bx_sink_create(const char *path, const bx_sink_meta_t *m, int sidecar, bx_sink_t **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (m->format < 0 || m->format >= BX_IQ_FORMAT_COUNT) {
        snprintf(err, errlen, "%s: no output format given (ci8, ci16, cf32, ri8, ci2, ri1, int8x2)", path);
        return BX_ERR_ARG;
    }
    bx_sink_t *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return BX_ERR_NOMEM;
    }
    k->m = *m;
    k->hw = dupnull(m->hw);
    k->recorder = dupnull(m->recorder);
    k->source = dupnull(m->source);
    k->description = dupnull(m->description);
    k->path = strdup(path);
    if (!strcmp(path, "-")) {
        k->f = stdout;
        k->is_stdout = 1;
        k->sidecar = 0;
    } else {
        k->f = fopen(path, "wb");
        k->sidecar = sidecar;
        if (!k->f) {
            snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
            free(k->hw), free(k->recorder), free(k->source), free(k->description), free(k->path), free(k);
            return BX_ERR_IO;
        }
        setvbuf(k->f, NULL, _IOFBF, 1 << 20);
        struct stat st;
        if (fstat(fileno(k->f), &st) == 0 && S_ISCHR(st.st_mode))
            k->sidecar = 0; /* /dev/null and the like: no sidecar beside a device node */
    }
    *out = k;
    return BX_OK;
}

static int put(bx_sink_t *k, const void *p, size_t nbytes, uint64_t nsamp)
{
    if (k->err || k->finished)
        return k->err ? k->err : BX_ERR_ARG;
    if (nbytes && fwrite(p, 1, nbytes, k->f) != nbytes) {
        snprintf(k->msg, sizeof k->msg, "%s: write failed: %s%s", k->path, strerror(errno),
                 errno == ENOSPC ? " (disk full)" : errno == EPIPE ? " (reader closed the pipe)" : "");
        return k->err = BX_ERR_IO;
    }
    k->bytes += nbytes;
    k->samples += nsamp;
    return BX_OK;
}

int bx_sink_write_raw(bx_sink_t *k, const void *raw, size_t n)
{
    return put(k, raw, bx_iq_bytes_for(k->m.format, n), n);
}

int bx_sink_write_cf32(bx_sink_t *k, const bx_cf32_t *x, size_t n, float scale)
{
    size_t g = per_byte(k->m.format);
    uint8_t buf[8192];
    /* complete a pending partial byte first */
    while (k->ncarry && n) {
        k->carry[k->ncarry++] = *x++ * scale; /* stored scaled: see bx_sink_finish */
        n--;
        if (k->ncarry == g) {
            long nb = bx_iq_pack(k->m.format, k->carry, g, 1.0f, buf);
            k->ncarry = 0;
            int st = put(k, buf, (size_t)nb, g);
            if (st)
                return st;
        }
    }
    size_t chunk = sizeof buf / 8 / g * g; /* cf32: 8 bytes per sample, the widest */
    while (n >= g) {
        size_t m = n / g * g < chunk ? n / g * g : chunk;
        long nb = bx_iq_pack(k->m.format, x, m, scale, buf);
        int st = put(k, buf, (size_t)nb, m);
        if (st)
            return st;
        x += m;
        n -= m;
    }
    for (size_t i = 0; i < n; i++)
        k->carry[k->ncarry++] = x[i] * scale;
    return BX_OK;
}

int bx_sink_gap(bx_sink_t *k, uint64_t n, double detected_utc_s)
{
    if (k->ngaps == k->capgaps) {
        size_t c = k->capgaps ? 2 * k->capgaps : 16;
        gap_t *g = realloc(k->gaps, c * sizeof *g);
        if (!g)
            return BX_ERR_NOMEM;
        k->gaps = g;
        k->capgaps = c;
    }
    k->gaps[k->ngaps++] = (gap_t){k->samples, n, detected_utc_s};
    k->dropped += n;
    /* filler: zero-mean pattern of lowest levels where no zero exists */
    uint8_t fill[4096];
    memset(fill, k->m.format == BX_IQ_CI2 ? 0xA0 /* (+1,+1),(-1,-1) */ : k->m.format == BX_IQ_RI1 ? 0x55 : 0,
           sizeof fill);
    size_t g = per_byte(k->m.format);
    uint64_t per = bx_iq_bytes_for(k->m.format, g) ? sizeof fill / bx_iq_bytes_for(k->m.format, g) * g : 0;
    while (n) {
        uint64_t m = n < per ? n : per;
        int st = put(k, fill, bx_iq_bytes_for(k->m.format, (size_t)m), m);
        if (st)
            return st;
        n -= m;
    }
    return BX_OK;
}

void bx_sink_set_start_time(bx_sink_t *k, double utc_s) { k->m.start_time_s = utc_s; }

uint64_t bx_sink_samples(const bx_sink_t *k) { return k->samples; }
uint64_t bx_sink_bytes(const bx_sink_t *k) { return k->bytes; }
uint64_t bx_sink_dropped(const bx_sink_t *k) { return k->dropped; }

static void iso_time(double t, char *buf, size_t n)
{
    time_t s = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%06dZ", base, (int)((t - floor(t)) * 1e6));
}

static char *meta_path(const char *data)
{
    size_t n = strlen(data);
    const char *ext = ".sigmf-data";
    size_t el = strlen(ext);
    char *p = malloc(n + 16);
    if (!p)
        return NULL;
    if (n > el && !strcmp(data + n - el, ext))
        snprintf(p, n + 16, "%.*s.sigmf-meta", (int)(n - el), data);
    else
        snprintf(p, n + 16, "%s.sigmf-meta", data);
    return p;
}

/* The sidecar comes from bx_iq_sigmf_write_annotated (one writer for the format the
 * reader understands) in one write: recorder metadata goes into "global" through its
 * extra-JSON argument, every loss becomes a "dropped" annotation. */
static int write_sidecar(bx_sink_t *k)
{
    const bx_sink_meta_t *m = &k->m;
    json_t *g = json_object();
    json_object_set_new(g, "core:num_channels", json_integer(1));
    if (k->recorder)
        json_object_set_new(g, "core:recorder", json_string(k->recorder));
    if (k->hw)
        json_object_set_new(g, "core:hw", json_string(k->hw));
    if (k->description)
        json_object_set_new(g, "core:description", json_string(k->description));
    if (!isnan(m->gain_db))
        json_object_set_new(g, "bdsrx:gain_db", json_real(m->gain_db));
    else if (m->agc >= 0) /* a device with automatic gain */
        json_object_set_new(g, "bdsrx:gain_db", json_string("auto"));
    if (m->agc >= 0)
        json_object_set_new(g, "bdsrx:agc", json_boolean(m->agc));
    if (m->bias_tee >= 0)
        json_object_set_new(g, "bdsrx:bias_tee", json_boolean(m->bias_tee));
    if (k->source)
        json_object_set_new(g, "bdsrx:source", json_string(k->source));
    json_object_set_new(g, "bdsrx:dropped_samples", json_integer((json_int_t)k->dropped));
    char *extra = json_dumps(g, JSON_COMPACT);
    json_decref(g);

    bx_iq_params_t p;
    bx_iq_params_init(&p);
    p.format = m->format;
    p.fs_hz = m->fs_hz;
    p.fc_hz = m->fc_hz;
    p.if_hz = m->if_hz;
    char t[48] = "";
    if (m->start_time_s > 0)
        iso_time(m->start_time_s, t, sizeof t);
    char *mp = meta_path(k->path);
    bx_iq_annotation_t *ann = k->ngaps ? calloc(k->ngaps, sizeof *ann) : NULL;
    char(*comment)[160] = k->ngaps ? calloc(k->ngaps, sizeof *comment) : NULL;
    int st = BX_ERR_NOMEM;
    if (mp && extra && (!k->ngaps || (ann && comment))) {
        for (size_t i = 0; i < k->ngaps; i++) {
            char tt[48] = "unknown time";
            if (k->gaps[i].time_s > 0)
                iso_time(k->gaps[i].time_s, tt, sizeof tt);
            snprintf(comment[i], sizeof comment[i],
                     "%llu samples lost (reader overflow or device), detected %s; filled",
                     (unsigned long long)k->gaps[i].count, tt);
            ann[i] = (bx_iq_annotation_t){k->gaps[i].start, k->gaps[i].count, "dropped", comment[i]};
        }
        st = bx_iq_sigmf_write_annotated(mp, &p, *t ? t : NULL, extra, ann, k->ngaps);
    }
    free(extra);
    free(ann);
    free(comment);
    if (st != BX_OK)
        snprintf(k->msg, sizeof k->msg, "%s: cannot write the SigMF sidecar", mp ? mp : k->path);
    free(mp);
    return st;
}

int bx_sink_finish(bx_sink_t *k, char *err, size_t errlen)
{
    if (!k)
        return BX_ERR_ARG;
    if (k->finished)
        return k->err;
    int st = k->err;
    if (k->ncarry && !st) {
        /* last partial byte of a packed format: bx_iq_pack leaves unused bits 0 */
        uint8_t b[8];
        long nb = bx_iq_pack(k->m.format, k->carry, k->ncarry, 1.0f, b);
        st = put(k, b, (size_t)nb, k->ncarry);
    }
    if (k->is_stdout) {
        if (fflush(k->f) != 0 && !st) {
            snprintf(k->msg, sizeof k->msg, "stdout: write failed: %s", strerror(errno));
            st = BX_ERR_IO;
        }
    } else if (fclose(k->f) != 0 && !st) {
        snprintf(k->msg, sizeof k->msg, "%s: close failed: %s", k->path, strerror(errno));
        st = BX_ERR_IO;
    }
    k->f = NULL;
    k->finished = 1;
    if (!st && k->sidecar)
        st = write_sidecar(k);
    if (st && err)
        snprintf(err, errlen, "%s", k->msg);
    k->err = st;
    return st;
}

void bx_sink_destroy(bx_sink_t *k)
{
    if (!k)
        return;
    if (!k->finished)
        bx_sink_finish(k, NULL, 0);
    free(k->gaps);
    free(k->hw), free(k->recorder), free(k->source), free(k->description), free(k->path);
    free(k);
}
