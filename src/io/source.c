/* Sample-source factory and the live plumbing shared by every device:
 * URI parsing, the reader thread, the SPSC ring, drop accounting, and the
 * consumer-side read that converts raw samples to complex float. */
#include "source_backend.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/ringbuf.h"

/* Drop event passed from producer to consumer through a second small ring. */
typedef struct {
    uint64_t at_sample; /* stream index of the first lost sample */
    uint64_t count;
    double time_s;      /* host UTC when detected */
} bx_drop_event_t;

struct bx_source {
    const bx_source_ops_t *be; /* the back end's operations */
    void *priv;
    bx_source_opts_t opts;
    bx_source_info_t info;
    size_t gran_samples, gran_bytes;
    char err[256];
    _Atomic int stop;

    /* live plumbing */
    bx_ringbuf_t *ring, *events;
    pthread_t thread;
    int thread_started;
    _Atomic int producer_done;
    _Atomic int producer_status;
    _Atomic double start_time_s;
    /* producer-owned */
    uint64_t produced;
    uint8_t carry[16];
    size_t carry_len;
    bx_drop_event_t pending;   /* loss not yet published (event ring full) */
    /* shared counters */
    _Atomic uint64_t st_produced, st_dropped, st_events, st_last_drop_sample;
    _Atomic double st_last_drop_time;
    _Atomic size_t st_fill_max;
    _Atomic uint64_t st_reconnects;
    /* consumer-owned */
    uint64_t next_index;
    uint64_t pending_drop;
    double pending_drop_time;
    uint64_t dropped_seen;
    uint8_t *scratch;        /* raw bytes for bx_source_read's conversion */
    size_t scratch_samples;
};

/* ---- back-end accessors (source_backend.h) ---- */

const bx_source_opts_t *bx__source_opts(const bx_source_t *s) { return &s->opts; }
bx_source_info_t *bx__source_info_w(bx_source_t *s) { return &s->info; }
void bx__source_set_ops(bx_source_t *s, const bx_source_ops_t *ops) { s->be = ops; }
void bx__source_set_priv(bx_source_t *s, void *priv) { s->priv = priv; }
void *bx__source_priv(const bx_source_t *s) { return s->priv; }
size_t bx__source_gran_samples(const bx_source_t *s) { return s->gran_samples; }
size_t bx__source_gran_bytes(const bx_source_t *s) { return s->gran_bytes; }

#define DEFAULT_RING_BYTES ((size_t)16 << 20) /* ~2 s of RTL-SDR at 2.4 Msps, 16 s of pocket ci2 */
#define EVENT_RING_BYTES (4096 * sizeof(bx_drop_event_t))
#define SCRATCH_SAMPLES ((size_t)1 << 16)     /* largest block one bx_source_read converts */

void bx_source_opts_default(bx_source_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->gain_db = NAN;
    o->format = -1;
    o->if_hz = NAN;
    o->channel = 1;
    o->pace = 0.0;
}

double bx__now_utc_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int bx__source_fail(bx_source_t *s, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return status;
}

int bx__source_stopping(const bx_source_t *s)
{
    return atomic_load_explicit(&((bx_source_t *)s)->stop, memory_order_relaxed);
}

/* ---- URI query ---------------------------------------------------------- */

static int parse_num(const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno)
        return -1;
    *out = x;
    return 0;
}

/* Applies "k=v&k=v" to opts.  Strings (conf=) point into `query`, which the
 * caller keeps alive for the open call. */
static int apply_query(char *query, bx_source_opts_t *o, char *err, size_t errlen)
{
    for (char *tok = strtok(query, "&"); tok; tok = strtok(NULL, "&")) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            snprintf(err, errlen, "source URI: option '%s' has no value (use key=value)", tok);
            return BX_ERR_ARG;
        }
        *eq = 0;
        const char *k = tok, *v = eq + 1;
        double x = 0;
        int isnum = parse_num(v, &x) == 0;
        if (!strcmp(k, "conf")) {
            o->conf_path = v;
            continue;
        }
        if (!strcmp(k, "format")) {
            int f;
            if (bx_iq_format_from_name(v, &f) != BX_OK) {
                snprintf(err, errlen, "source URI: unknown format '%s' (ci8, ci16, cf32, ri8, ci2, ri1, int8x2)", v);
                return BX_ERR_ARG;
            }
            o->format = f;
            continue;
        }
        if (!strcmp(k, "gain") && (!strcmp(v, "auto") || !strcmp(v, "agc"))) {
            o->gain_db = NAN;
            continue;
        }
        if (!strcmp(k, "ch") && (!strcmp(v, "both") || !strcmp(v, "12"))) {
            o->channel = 0;
            continue;
        }
        if (!isnum) {
            snprintf(err, errlen, "source URI: option %s=%s: not a number", k, v);
            return BX_ERR_ARG;
        }
        /* every number is range-checked before it is stored (a cast of NaN or
         * 1e300 to an integer is undefined; ring=1 would drop every block) */
        static const struct {
            const char *key;
            double lo, hi;
            int integer;
            const char *what;
        } rng[] = {
            {"freq", 0, 100e9, 0, "Hz"},      {"fc", 0, 100e9, 0, "Hz"},
            {"fs", 0, 1e9, 0, "Hz"},          {"rate", 0, 1e9, 0, "Hz"},
            {"gain", -100, 100, 0, "dB"},     {"agc", 0, 1, 1, ""},
            {"ppm", -1000, 1000, 0, "ppm"},   {"bias", 0, 1, 1, ""},
            {"if", -1e9, 1e9, 0, "Hz"},       {"ch", 1, 2, 1, "(1, 2 or both)"},
            {"pace", 0, 1000, 0, "x real time (0 = as fast as possible)"}, {"live", 0, 1, 1, ""},
            {"wait", 0, 1, 1, ""},
            {"gap_at", 0, 1e15, 1, "samples"}, {"gap", 0, 1e12, 1, "samples"},
            {"ring", 65536, (double)((size_t)1 << 34), 1, "bytes"},
            {"timeout_ms", 1, 600000, 1, "ms"},
            {"block", 16, 16 << 20, 1, "bytes"},
            {"reconnect", 0, 1000, 1, "attempts"},
            {"stall_ms", 100, 3600000, 1, "ms"},
        };
        for (size_t i = 0; i < sizeof rng / sizeof rng[0]; i++)
            if (!strcmp(k, rng[i].key) &&
                (!isfinite(x) || x < rng[i].lo || x > rng[i].hi || (rng[i].integer && x != floor(x)))) {
                if (!strcmp(k, "ch")) {
                    snprintf(err, errlen, "source URI: channel %s does not exist (ch=1, 2 or both)", v);
                    return BX_ERR_ARG;
                }
                snprintf(err, errlen, "source URI: option %s=%s outside %.15g .. %.15g%s%s", k, v, rng[i].lo,
                         rng[i].hi, rng[i].integer ? " (whole number) " : " ", rng[i].what);
                return BX_ERR_ARG;
            }
        if (!strcmp(k, "freq") || !strcmp(k, "fc"))
            o->fc_hz = x;
        else if (!strcmp(k, "fs") || !strcmp(k, "rate"))
            o->fs_hz = x;
        else if (!strcmp(k, "gain"))
            o->gain_db = x;
        else if (!strcmp(k, "agc"))
            o->agc = x != 0;
        else if (!strcmp(k, "ppm"))
            o->ppm = x;
        else if (!strcmp(k, "bias"))
            o->bias_tee = x != 0;
        else if (!strcmp(k, "if"))
            o->if_hz = x;
        else if (!strcmp(k, "ch"))
            o->channel = (int)x;
        else if (!strcmp(k, "pace"))
            o->pace = x;
        else if (!strcmp(k, "live"))
            o->live = x != 0;
        else if (!strcmp(k, "wait"))
            o->wait = x != 0;
        else if (!strcmp(k, "gap_at"))
            o->gap_at = (uint64_t)x;
        else if (!strcmp(k, "gap"))
            o->gap = (uint64_t)x;
        else if (!strcmp(k, "ring"))
            o->ring_bytes = (size_t)x;
        else if (!strcmp(k, "timeout_ms"))
            o->timeout_ms = (int)x;
        else if (!strcmp(k, "block"))
            o->block_bytes = (size_t)x;
        else if (!strcmp(k, "reconnect"))
            o->reconnect = (int)x;
        else if (!strcmp(k, "stall_ms"))
            o->stall_ms = (int)x;
        else {
            snprintf(err, errlen,
                     "source URI: unknown option '%s' (freq, fs, gain, agc, ppm, bias, format, if, "
                     "ch, conf, pace, live, wait, gap_at, gap, ring, timeout_ms, block, reconnect, stall_ms)", k);
            return BX_ERR_ARG;
        }
    }
    if (o->ring_bytes && o->block_bytes && o->block_bytes > o->ring_bytes / 4) {
        snprintf(err, errlen, "source URI: block=%zu does not fit 4 times into ring=%zu", o->block_bytes,
                 o->ring_bytes);
        return BX_ERR_ARG;
    }
    return BX_OK;
}

/* ---- reader thread ------------------------------------------------------ */

static void *reader_main(void *arg)
{
    bx_source_t *s = arg;
    int st = s->be->run(s);
    atomic_store_explicit(&s->producer_status, st, memory_order_relaxed);
    atomic_store_explicit(&s->producer_done, 1, memory_order_release);
    return NULL;
}

/* Publishes the pending loss if the event ring has room; returns 1 when
 * nothing is pending afterwards. */
static int flush_pending(bx_source_t *s)
{
    if (!s->pending.count)
        return 1;
    if (bx_ringbuf_writable(s->events) < sizeof s->pending)
        return 0;
    bx_ringbuf_write(s->events, &s->pending, sizeof s->pending);
    s->pending.count = 0;
    return 1;
}

static void record_drop(bx_source_t *s, uint64_t n)
{
    double now = bx__now_utc_s();
    if (s->pending.count) {
        /* contiguous with the unpublished loss: nothing was written in between */
        s->pending.count += n;
        s->pending.time_s = now;
    } else {
        s->pending.at_sample = s->produced;
        s->pending.count = n;
        s->pending.time_s = now;
    }
    atomic_fetch_add(&s->st_dropped, n);
    atomic_fetch_add(&s->st_events, 1);
    atomic_store(&s->st_last_drop_time, now);
    atomic_store(&s->st_last_drop_sample, s->produced);
    flush_pending(s);
}

void bx__source_count_reconnect(bx_source_t *s) { atomic_fetch_add(&s->st_reconnects, 1); }

void bx__source_gap(bx_source_t *s, uint64_t n)
{
    s->carry_len = 0;
    if (n == 0)
        return;
    record_drop(s, n);
    s->produced += n;
    atomic_store_explicit(&s->st_produced, s->produced, memory_order_relaxed);
}

int bx__source_wait_room(bx_source_t *s, size_t nbytes)
{
    /* the carry and one granule of slack: push writes at most carry_len + nbytes */
    const size_t need = nbytes + s->gran_bytes;
    while (bx_ringbuf_writable(s->ring) < need) {
        if (bx__source_stopping(s))
            return 0;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 1;
}

/* Producer: append raw bytes; whole granules only reach the ring, a partial
 * one waits in `carry`.  A block that does not fit is dropped as a whole. */
void bx__source_push(bx_source_t *s, const void *raw, size_t nbytes)
{
    const uint8_t *p = raw;
    size_t gb = s->gran_bytes, gs = s->gran_samples;
    size_t total = s->carry_len + nbytes;
    if (atomic_load_explicit(&s->start_time_s, memory_order_relaxed) == 0.0) {
        /* the first block arrives when its last sample is in: date sample 0
         * back by the block's duration on the sample clock */
        double blk_s = s->info.fs_hz > 0 ? (double)(total / gb * gs) / s->info.fs_hz : 0.0;
        atomic_store(&s->start_time_s, bx__now_utc_s() - blk_s);
    }
    size_t whole = total / gb * gb;
    if (whole) {
        uint64_t nsamp = whole / gb * gs;
        /* A loss that could not be published blocks data until it is, so the
         * consumer never sees samples from after a gap without the gap. */
        int ok = flush_pending(s) && bx_ringbuf_writable(s->ring) >= whole;
        if (ok) {
            size_t used = 0;
            if (s->carry_len) {
                used = gb - s->carry_len;
                memcpy(s->carry + s->carry_len, p, used);
                bx_ringbuf_write(s->ring, s->carry, gb);
            }
            bx_ringbuf_write(s->ring, p + used, whole - (s->carry_len ? gb : 0));
            size_t fill = bx_ringbuf_readable(s->ring);
            if (fill > atomic_load_explicit(&s->st_fill_max, memory_order_relaxed))
                atomic_store(&s->st_fill_max, fill);
        } else {
            record_drop(s, nsamp);
        }
        s->produced += nsamp;
        atomic_store_explicit(&s->st_produced, s->produced, memory_order_relaxed);
        size_t consumed = whole - s->carry_len; /* bytes of p used */
        s->carry_len = nbytes - consumed;
        memcpy(s->carry, p + consumed, s->carry_len);
    } else {
        memcpy(s->carry + s->carry_len, p, nbytes);
        s->carry_len += nbytes;
    }
}

/* ---- open / close ------------------------------------------------------- */

static void compute_granule(bx_source_t *s)
{
    if (s->info.channels > 1) {
        /* device bytes, one per sample clock; pairs so a ci2 channel splits into whole bytes */
        s->gran_samples = s->gran_bytes = 2;
        return;
    }
    s->gran_samples = (size_t)bx_iq_samples_per_byte_group(s->info.format);
    s->gran_bytes = (size_t)bx_iq_bytes_per_group(s->info.format);
    s->info.channels = 1;
    s->info.ch[0].format = s->info.format;
    s->info.ch[0].fs_hz = s->info.fs_hz;
    s->info.ch[0].fc_hz = s->info.fc_hz;
    s->info.ch[0].if_hz = s->info.if_hz;
}

static size_t raw_bytes(const bx_source_t *s, size_t n)
{
    return n / s->gran_samples * s->gran_bytes;
}

int bx_source_open(const char *uri, const bx_source_opts_t *opts, bx_source_t **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (!uri || !*uri) {
        snprintf(err, errlen, "empty source URI (use a file path, rtlsdr:0, rtltcp://host:port or pocket:)");
        return BX_ERR_ARG;
    }
    bx_source_t *s = calloc(1, sizeof *s);
    char *u = strdup(uri);
    if (!s || !u) {
        free(s);
        free(u);
        snprintf(err, errlen, "out of memory opening %s", uri);
        return BX_ERR_NOMEM;
    }
    if (opts)
        s->opts = *opts;
    else
        bx_source_opts_default(&s->opts);
    char *q = strchr(u, '?');
    int st = BX_OK;
    if (q) {
        *q++ = 0;
        st = apply_query(q, &s->opts, err, errlen);
    }
    if (s->opts.conf_path) /* may point into u; keep a private copy */
        s->opts.conf_path = strdup(s->opts.conf_path);
    atomic_init(&s->stop, 0);
    atomic_init(&s->producer_done, 0);
    atomic_init(&s->producer_status, 0);
    atomic_init(&s->start_time_s, 0.0);
    atomic_init(&s->st_last_drop_time, 0.0);
    s->info.gain_db = NAN;
    s->info.total_samples = -1;
    if (st == BX_OK) {
        /* the back end named by the scheme ("scheme:rest" or the bare scheme), else the fallback
         * (plain paths) */
        const bx_source_kind_t *kind = NULL, *fallback = NULL;
        const char *where = u;
        for (int i = 0; bx__source_kinds[i] && !kind; i++) {
            const bx_source_kind_t *k = bx__source_kinds[i];
            const size_t len = strlen(k->scheme);
            if (!strncmp(u, k->scheme, len) && (u[len] == ':' || !u[len])) {
                kind = k;
                where = u[len] ? u + len + 1 : "";
            }
            if (k->fallback)
                fallback = k;
        }
        if (!kind)
            kind = fallback;
        st = kind ? kind->open(s, where) : bx__source_fail(s, BX_ERR_UNSUPPORTED, "%s: no back end", u);
        if (st == BX_OK && !s->be)
            st = bx__source_fail(s, BX_ERR_UNSUPPORTED, "%s: the back end attached no operations", u);
        if (st != BX_OK)
            snprintf(err, errlen, "%s", s->err);
    }
    free(u);
    if (st != BX_OK) {
        free((void *)s->opts.conf_path);
        free(s);
        return st;
    }
    compute_granule(s);
    s->info.real_time = strcmp(s->info.kind, "file") != 0 || s->opts.pace > 0;
    s->scratch_samples = SCRATCH_SAMPLES;
    s->scratch = malloc(raw_bytes(s, s->scratch_samples));
    if (!s->scratch) {
        snprintf(err, errlen, "out of memory opening %s", uri);
        bx_source_destroy(s);
        return BX_ERR_NOMEM;
    }
    if (s->be->run) {
        size_t rb = s->opts.ring_bytes ? s->opts.ring_bytes : DEFAULT_RING_BYTES;
        s->info.live = 1;
        if (bx_ringbuf_create(rb, &s->ring, NULL, 0) != BX_OK ||
            bx_ringbuf_create(EVENT_RING_BYTES, &s->events, NULL, 0) != BX_OK) {
            snprintf(err, errlen, "out of memory for a %zu-byte sample ring (lower ring=)", rb);
            bx_source_destroy(s);
            return BX_ERR_NOMEM;
        }
        if (pthread_create(&s->thread, NULL, reader_main, s) != 0) {
            snprintf(err, errlen, "cannot start the reader thread for %s", uri);
            bx_source_destroy(s);
            return BX_ERR_IO;
        }
        s->thread_started = 1;
    }
    *out = s;
    return BX_OK;
}

void bx_source_stop(bx_source_t *s)
{
    if (s)
        atomic_store_explicit(&s->stop, 1, memory_order_relaxed);
}

void bx_source_destroy(bx_source_t *s)
{
    if (!s)
        return;
    bx_source_stop(s);
    if (s->thread_started) {
        if (s->be->cancel)
            s->be->cancel(s);
        pthread_join(s->thread, NULL);
    }
    if (s->be && s->be->close)
        s->be->close(s);
    bx_ringbuf_destroy(s->ring);
    bx_ringbuf_destroy(s->events);
    free(s->scratch);
    free((void *)s->opts.conf_path);
    free(s);
}

const bx_source_info_t *bx_source_info(const bx_source_t *s) { return &s->info; }
const char *bx_source_error(const bx_source_t *s) { return s->err; }
size_t bx_source_granule(const bx_source_t *s) { return s->gran_samples; }

void bx_source_stats(const bx_source_t *s, bx_source_stats_t *st)
{
    bx_source_t *m = (bx_source_t *)s;
    memset(st, 0, sizeof *st);
    st->samples_produced = s->info.live ? atomic_load(&m->st_produced) : s->next_index;
    st->dropped_samples = atomic_load(&m->st_dropped);
    st->drop_events = atomic_load(&m->st_events);
    st->last_drop_time_s = atomic_load(&m->st_last_drop_time);
    st->last_drop_sample = atomic_load(&m->st_last_drop_sample);
    st->ring_capacity = s->ring ? bx_ringbuf_capacity(s->ring) : 0;
    st->ring_fill_max = atomic_load(&m->st_fill_max);
    st->ring_fill = s->ring ? bx_ringbuf_readable(s->ring) : 0;
    st->reconnects = atomic_load(&m->st_reconnects);
}

/* ---- consumer ----------------------------------------------------------- */

static void nap_us(long us)
{
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

static void fill_info(bx_source_t *s, bx_source_block_info_t *info)
{
    if (!info)
        return;
    double t0 = atomic_load(&s->start_time_s);
    info->first_sample = s->next_index;
    info->time_s = (s->info.live ? t0 : 0.0) +
                   (s->info.fs_hz > 0 ? (double)s->next_index / s->info.fs_hz : 0.0);
    info->dropped = s->pending_drop;
    info->drop_time_s = s->pending_drop ? s->pending_drop_time : 0.0;
    s->dropped_seen += s->pending_drop;
    info->dropped_total = s->dropped_seen;
    s->pending_drop = 0;
    s->pending_drop_time = 0;
}

static long read_live(bx_source_t *s, void *raw, size_t n)
{
    size_t gs = s->gran_samples, gb = s->gran_bytes;
    for (;;) {
        int done = atomic_load_explicit(&s->producer_done, memory_order_acquire);
        /* Data first, then events: an event published before the data we see
         * is then guaranteed visible (release/acquire chain in the producer). */
        size_t avail = bx_ringbuf_readable(s->ring) / gb * gs;
        bx_drop_event_t ev;
        while (bx_ringbuf_peek(s->events, &ev, sizeof ev) == sizeof ev && ev.at_sample <= s->next_index) {
            bx_ringbuf_skip(s->events, sizeof ev);
            s->next_index += ev.count;
            s->pending_drop += ev.count;
            s->pending_drop_time = ev.time_s;
        }
        size_t lim = n;
        if (bx_ringbuf_peek(s->events, &ev, sizeof ev) == sizeof ev && ev.at_sample - s->next_index < lim)
            lim = (size_t)(ev.at_sample - s->next_index);
        if (avail > lim)
            avail = lim;
        avail = avail / gs * gs;
        if (avail) {
            bx_ringbuf_read(s->ring, raw, avail / gs * gb);
            return (long)avail;
        }
        if (done) {
            int st = atomic_load(&s->producer_status);
            return st < 0 ? st : 0;
        }
        nap_us(200);
    }
}

long bx_source_read_raw(bx_source_t *s, void *raw, size_t n_samples, bx_source_block_info_t *info)
{
    n_samples = n_samples / s->gran_samples * s->gran_samples;
    if (n_samples == 0)
        return BX_ERR_ARG;
    long got;
    if (s->info.live) {
        got = read_live(s, raw, n_samples);
    } else {
        if (bx__source_stopping(s))
            return 0;
        got = s->be->read_direct(s, raw, n_samples);
    }
    if (got > 0) {
        fill_info(s, info);
        s->next_index += (uint64_t)got;
    }
    return got;
}

long bx_source_read(bx_source_t *s, bx_cf32_t *out, size_t n, bx_source_block_info_t *info)
{
    if (s->info.channels > 1)
        return bx__source_fail(s, BX_ERR_ARG, "%s has %d channels: read it with bx_source_read_multi",
                               s->info.device, s->info.channels);
    if (n > s->scratch_samples)
        n = s->scratch_samples;
    if (n < s->gran_samples)
        return BX_ERR_ARG; /* caller must ask for at least one granule */
    long got = bx_source_read_raw(s, s->scratch, n, info);
    if (got <= 0)
        return got;
    int st = bx_iq_convert(s->info.format, s->scratch, (size_t)got, out);
    if (st != BX_OK)
        return bx__source_fail(s, st, "%s: cannot convert %s samples", s->info.kind,
                               bx_iq_format_name(s->info.format));
    return got;
}

long bx_source_read_multi(bx_source_t *s, bx_cf32_t *const out[], size_t n, bx_source_block_info_t *info)
{
    if (s->info.channels <= 1)
        return bx_source_read(s, out[0], n, info);
    if (n > s->scratch_samples)
        n = s->scratch_samples;
    long got = bx_source_read_raw(s, s->scratch, n, info);
    if (got <= 0)
        return got;
    int st = s->be->demux(s, s->scratch, (size_t)got, out);
    return st < 0 ? st : got;
}

long bx_source_split_raw(const bx_source_t *s, const void *raw, size_t n, int ch, void *out)
{
    if (ch < 0 || ch >= s->info.channels)
        return BX_ERR_ARG;
    if (s->info.channels == 1) {
        size_t nb = bx_iq_bytes_for(s->info.format, n);
        memcpy(out, raw, nb);
        return (long)nb;
    }
    return s->be->split(s, raw, n, ch, out);
}
