/*
 * Live engine: source -> receiver, block by block, with sample losses turned
 * into bx_rx_skip() so the receiver stays on the device's sample clock.
 * See include/bdsrx/live.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/live.h"

struct bx_live {
    bx_live_config_t cfg;
    bx_source_t *src;                  /* = srcs[0] */
    bx_source_t *srcs[BX_RX_MAX_STREAMS];
    int n_src;                         /* sources: 1, or one per stream (cfg.n_sources) */
    size_t caps[BX_RX_MAX_STREAMS];    /* several sources: samples per block of each */
    double fss[BX_RX_MAX_STREAMS];     /* several sources: sample rate of each */
    uint64_t clk[BX_RX_MAX_STREAMS];   /* several sources: samples read + lost of each */
    bx_rx_t *rx;
    int n_streams;                     /* receiver streams (one per signal) */
    int n_ch;                          /* source channels */
    int chan[BX_RX_MAX_STREAMS];       /* source channel that feeds each stream */
    double fs_hz;                      /* stream 0 (all streams share the sample clock) */
    size_t cap;                        /* samples per block */
    bx_cf32_t *buf[BX_RX_MAX_STREAMS]; /* per source channel */
    uint64_t max_samples;              /* 0 = unbounded */
    uint64_t dropped, fed;
    double t_start, busy_s;
    int ended;
    char err[256];
};

void bx_live_config_default(bx_live_config_t *c)
{
    memset(c, 0, sizeof *c);
    bx_source_opts_default(&c->src);
    c->block_s = 0.1;
    bx_rx_config_default(&c->rx);
    c->rx.acq_async = 1; /* searches must not stall the stream */
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Signal of a channel from its centre frequency: B2a within 20 MHz of 1176.45 MHz, B2b within
 * 10 MHz of 1207.14 MHz, else B1C. */
static int signal_from_fc(double fc_hz)
{
    if (fc_hz > 0 && fabs(fc_hz - BX_FREQ_B2B_HZ) < 10e6)
        return BX_SIG_B2B;
    return fc_hz > 0 && fabs(fc_hz - BX_FREQ_B2A_HZ) < 20e6 ? BX_SIG_B2A : BX_SIG_B1C;
}

/* Where the band centre sits in the samples: the source's IF for real channels (and complex
 * ones that declare one), else the tuning offset f_signal - fc of a complex baseband channel. */
static double stream_if_hz(int format, double fs_hz, double fc_hz, double if_hz, int sig)
{
    if (!isnan(if_hz) && (if_hz != 0.0 || format == BX_IQ_RI8 || format == BX_IQ_RI1))
        return if_hz;
    double f_sig = bx_signal_freq_hz(sig);
    if (fc_hz > 0 && fabs(f_sig - fc_hz) < fs_hz / 2)
        return f_sig - fc_hz;
    return 0.0;
}

static const char *sig_name(int sig) { return sig == BX_SIG_B1C ? "B1C" : sig == BX_SIG_B2B ? "B2b" : "B2a"; }

/* Several single-channel sources, source k -> stream k (bx_live_config_t.n_sources). */
static int create_multi(bx_live_t *lv, const bx_live_config_t *c, char *err, size_t errlen)
{
    if (c->n_sources > BX_RX_MAX_STREAMS) {
        snprintf(err, errlen, "live: %d sources given, at most %d (one per signal)", c->n_sources, BX_RX_MAX_STREAMS);
        return BX_ERR_ARG;
    }
    if (c->n_signals > 0 && c->n_signals != c->n_sources) {
        snprintf(err, errlen, "live: %d sources but %d signals: give one signal per source, in order", c->n_sources,
                 c->n_signals);
        return BX_ERR_ARG;
    }
    lv->n_src = c->n_sources;
    lv->n_ch = 1;
    lv->n_streams = c->n_sources;
    bx_rx_config_t rc = c->rx;
    rc.n_streams = lv->n_streams;
    int real_time = 1;
    for (int k = 0; k < lv->n_src; k++) {
        int st = bx_source_open(c->uris[k], &c->src, &lv->srcs[k], err, errlen);
        if (st != BX_OK)
            return st;
        const bx_source_info_t *in = bx_source_info(lv->srcs[k]);
        if (in->channels > 1) {
            snprintf(err, errlen, "%s: %d channels; with several sources each must deliver one channel",
                     in->device, in->channels);
            return BX_ERR_UNSUPPORTED;
        }
        if (!(in->ch[0].fs_hz > 0)) {
            snprintf(err, errlen, "%s: sample rate unknown (give fs= in the URI)", in->device);
            return BX_ERR_ARG;
        }
        const double fs = in->ch[0].fs_hz, n = fs * c->block_s;
        if (fabs(n - llround(n)) > 1e-6 || llround(n) < 8) {
            snprintf(err, errlen, "%s: %.0f Hz: a block of %.3g s is not a whole number of samples", in->device, fs,
                     c->block_s);
            return BX_ERR_ARG;
        }
        lv->fss[k] = fs;
        lv->caps[k] = (size_t)llround(n);
        const int sig = c->n_signals > 0 ? c->sig[k] : signal_from_fc(in->ch[0].fc_hz);
        rc.stream[k].sig = sig;
        rc.stream[k].fs_hz = fs;
        rc.stream[k].if_hz = stream_if_hz(in->ch[0].format, fs, in->ch[0].fc_hz, in->ch[0].if_hz, sig);
        for (int q = 0; q < k; q++)
            if (rc.stream[q].sig == sig) {
                snprintf(err, errlen, "live: two sources carry %s; give --signals with one signal per source",
                         sig_name(sig));
                return BX_ERR_ARG;
            }
        real_time &= in->real_time;
        lv->buf[k] = malloc(lv->caps[k] * sizeof *lv->buf[k]);
        if (!lv->buf[k]) {
            snprintf(err, errlen, "live: out of memory for %.1f s blocks", c->block_s);
            return BX_ERR_NOMEM;
        }
        lv->chan[k] = k;
    }
    lv->src = lv->srcs[0];
    if (!real_time)
        rc.acq_async = 0;
    int st = bx_rx_create(&rc, &lv->rx, err, errlen);
    if (st != BX_OK)
        return st;
    lv->fs_hz = lv->fss[0];
    lv->cap = lv->caps[0];
    lv->max_samples = c->max_s > 0 ? (uint64_t)llround(c->max_s * lv->fs_hz) : 0;
    lv->t_start = mono_s();
    return BX_OK;
}

int bx_live_create(const bx_live_config_t *c, bx_live_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!(c->block_s > 0 && c->block_s <= 1.0)) {
        snprintf(err, errlen, "live: block length %.3g s outside (0, 1]", c->block_s);
        return BX_ERR_ARG;
    }
    if (c->n_signals < 0 || c->n_signals > BX_RX_MAX_STREAMS) {
        snprintf(err, errlen, "live: %d signals given, 1 to %d supported", c->n_signals, BX_RX_MAX_STREAMS);
        return BX_ERR_ARG;
    }
    bx_live_t *lv = calloc(1, sizeof *lv);
    if (!lv) {
        snprintf(err, errlen, "live: out of memory");
        return BX_ERR_NOMEM;
    }
    lv->cfg = *c;
    lv->n_src = 1;
    int st;
    if (c->n_sources > 1) {
        st = create_multi(lv, c, err, errlen);
        if (st != BX_OK)
            goto fail;
        *out = lv;
        return BX_OK;
    }
    st = bx_source_open(c->uri, &c->src, &lv->src, err, errlen);
    if (st != BX_OK)
        goto fail;
    lv->srcs[0] = lv->src;
    const bx_source_info_t *in = bx_source_info(lv->src);
    lv->n_ch = in->channels < 1 ? 1 : in->channels;
    if (lv->n_ch > BX_RX_MAX_STREAMS) {
        snprintf(err, errlen, "%s: %d channels, at most %d supported", in->device, lv->n_ch, BX_RX_MAX_STREAMS);
        st = BX_ERR_UNSUPPORTED;
        goto fail;
    }
    /* one stream per channel; more signals than channels: a signal goes to the channel whose
     * band (fc +- fs/2) holds its carrier, e.g. B1C on channel 1 and B2a + B2b both on a
     * complex channel 2 tuned between them (1191.795 MHz) */
    lv->n_streams = c->n_signals > 0 ? c->n_signals : lv->n_ch;
    if (c->n_signals > 0 && c->n_signals < lv->n_ch) {
        snprintf(err, errlen, "%s delivers %d channels but %d signal%s asked for", in->device, lv->n_ch,
                 c->n_signals, c->n_signals == 1 ? " was" : "s were");
        st = BX_ERR_ARG;
        goto fail;
    }
    if (!(in->ch[0].fs_hz > 0)) {
        snprintf(err, errlen, "%s: sample rate unknown (give --fs or fs= in the URI)", in->device);
        st = BX_ERR_ARG;
        goto fail;
    }
    for (int k = 0; k < lv->n_ch; k++)
        if (in->ch[k].fs_hz != in->ch[0].fs_hz) {
            snprintf(err, errlen, "%s: channels at different sample rates (%.0f, %.0f Hz) are not supported",
                     in->device, in->ch[0].fs_hz, in->ch[k].fs_hz);
            st = BX_ERR_UNSUPPORTED;
            goto fail;
        }
    bx_rx_config_t rc = c->rx;
    rc.n_streams = lv->n_streams;
    for (int k = 0; k < lv->n_streams; k++) {
        int sig = c->n_signals > 0 ? c->sig[k] : signal_from_fc(in->ch[k].fc_hz);
        int ch = -1;
        if (lv->n_streams == lv->n_ch)
            ch = k;
        else
            for (int q = 0; q < lv->n_ch && ch < 0; q++) {
                const int fmt = in->ch[q].format;
                if (fmt != BX_IQ_RI8 && fmt != BX_IQ_RI1 && in->ch[q].fc_hz > 0 &&
                    fabs(bx_signal_freq_hz(sig) - in->ch[q].fc_hz) < in->ch[q].fs_hz / 2)
                    ch = q;
            }
        if (ch < 0) {
            snprintf(err, errlen,
                     "%s: no channel's band holds %s (%d signals on %d channels: a channel shared by two signals "
                     "must be complex and cover both, e.g. fc 1191.795 MHz for B2a + B2b)",
                     in->device, sig == BX_SIG_B1C ? "B1C" : sig == BX_SIG_B2B ? "B2b" : "B2a", lv->n_streams,
                     lv->n_ch);
            st = BX_ERR_ARG;
            goto fail;
        }
        lv->chan[k] = ch;
        rc.stream[k].sig = sig;
        rc.stream[k].fs_hz = in->ch[ch].fs_hz;
        rc.stream[k].if_hz = stream_if_hz(in->ch[ch].format, in->ch[ch].fs_hz, in->ch[ch].fc_hz, in->ch[ch].if_hz,
                                          sig);
    }
    for (int a = 0; a < lv->n_streams; a++)
        for (int b = a + 1; b < lv->n_streams; b++)
            if (rc.stream[a].sig == rc.stream[b].sig) {
                if (lv->n_streams == 2)
                    snprintf(err, errlen, "%s: both channels carry %s; give --signals B1C,B2a (one per channel)",
                             in->device,
                             rc.stream[a].sig == BX_SIG_B1C ? "B1C" : rc.stream[a].sig == BX_SIG_B2B ? "B2b" : "B2a");
                else
                    snprintf(err, errlen, "%s: a signal is named twice; give each of B1C, B2a, B2b at most once",
                             in->device);
                st = BX_ERR_ARG;
                goto fail;
            }
    /* background searches only where samples keep arriving meanwhile; a flat-out file
     * would run past the search and lose its start */
    if (!in->real_time)
        rc.acq_async = 0;
    st = bx_rx_create(&rc, &lv->rx, err, errlen);
    if (st != BX_OK)
        goto fail;
    lv->fs_hz = rc.stream[0].fs_hz;
    lv->cap = (size_t)llround(lv->fs_hz * c->block_s);
    lv->cap = lv->cap / 8 * 8; /* whole granules of any raw format */
    for (int k = 0; k < lv->n_ch; k++) {
        lv->buf[k] = malloc(lv->cap * sizeof *lv->buf[k]);
        if (!lv->buf[k]) {
            snprintf(err, errlen, "live: out of memory for %.1f s blocks", c->block_s);
            st = BX_ERR_NOMEM;
            goto fail;
        }
    }
    lv->max_samples = c->max_s > 0 ? (uint64_t)llround(c->max_s * lv->fs_hz) : 0;
    lv->t_start = mono_s();
    *out = lv;
    return BX_OK;
fail:
    bx_live_destroy(lv);
    return st;
}

/* n[k] samples of stream k (one source: all equal; several: the same time span) */
static void feed_n(bx_live_t *lv, const size_t n[])
{
    const bx_cf32_t *x[BX_RX_MAX_STREAMS];
    for (int k = 0; k < lv->n_streams; k++)
        x[k] = lv->buf[lv->chan[k]];
    double t0 = mono_s();
    bx_rx_process(lv->rx, x, n);
    lv->busy_s += mono_s() - t0;
    lv->fed += n[0];
}

static void feed(bx_live_t *lv, size_t n)
{
    size_t ns[BX_RX_MAX_STREAMS];
    for (int k = 0; k < lv->n_streams; k++)
        ns[k] = n;
    feed_n(lv, ns);
}

/* Position on the sample clock in samples of stream 0 (fed + skipped). */
static uint64_t clock_samples(const bx_live_t *lv) { return lv->fed + lv->dropped; }

/* Reads up to want samples of source k into buf[k] + at; counts losses.  >0 read, 0 end, <0 error. */
static long read_src(bx_live_t *lv, int k, size_t at, size_t want, int *lossy)
{
    bx_cf32_t *dst[BX_RX_MAX_STREAMS] = {lv->buf[k] + at};
    bx_source_block_info_t bi;
    long m = bx_source_read_multi(lv->srcs[k], dst, want, &bi);
    if (m < 0) {
        snprintf(lv->err, sizeof lv->err, "%s", bx_source_error(lv->srcs[k])[0] ? bx_source_error(lv->srcs[k])
                                                                                 : bx_strerror((int)m));
        return m;
    }
    if (m > 0 && bi.dropped) {
        *lossy = 1;
        lv->clk[k] += bi.dropped;
    }
    lv->clk[k] += (uint64_t)(m > 0 ? m : 0);
    return m;
}

/* Several sources: after a loss on any of them, every source reads (and throws away) up to the
 * next common block boundary at or after the furthest one; the receiver skips that span. */
static int realign(bx_live_t *lv)
{
    for (;;) {
        uint64_t b = 0;
        for (int k = 0; k < lv->n_src; k++) {
            const uint64_t bk = (lv->clk[k] + lv->caps[k] - 1) / lv->caps[k];
            if (bk > b)
                b = bk;
        }
        int lossy = 0, done = 1;
        for (int k = 0; k < lv->n_src; k++)
            while (lv->clk[k] < b * lv->caps[k]) {
                uint64_t want = b * lv->caps[k] - lv->clk[k];
                long m = read_src(lv, k, 0, want < lv->caps[k] ? (size_t)want : lv->caps[k], &lossy);
                if (m <= 0) {
                    lv->ended = 1;
                    return m < 0 ? (int)m : 0;
                }
            }
        for (int k = 0; k < lv->n_src; k++)
            done &= lv->clk[k] == b * lv->caps[k];
        if (done && !lossy) {
            const uint64_t at = clock_samples(lv), to = b * lv->caps[0];
            if (to > at) {
                bx_rx_skip(lv->rx, (int64_t)(to - at));
                lv->dropped += to - at;
            }
            return 1;
        }
    }
}

static int step_multi(bx_live_t *lv)
{
    size_t want[BX_RX_MAX_STREAMS], got[BX_RX_MAX_STREAMS] = {0};
    for (int k = 0; k < lv->n_src; k++)
        want[k] = lv->caps[k];
    if (lv->max_samples) { /* --seconds: the rest of the span in every stream */
        const uint64_t at = clock_samples(lv);
        if (at >= lv->max_samples) {
            lv->ended = 1;
            return 0;
        }
        if (lv->max_samples - at < want[0])
            for (int k = 0; k < lv->n_src; k++)
                want[k] = (size_t)floor((double)(lv->max_samples - at) * lv->fss[k] / lv->fss[0] + 1e-6);
    }
    int lossy = 0;
    for (int k = 0; k < lv->n_src; k++)
        while (got[k] < want[k]) {
            long m = read_src(lv, k, got[k], want[k] - got[k], &lossy);
            if (m < 0) {
                lv->ended = 1;
                return (int)m;
            }
            if (m == 0) {
                lv->ended = 1;
                break;
            }
            got[k] += (size_t)m;
        }
    if (lossy) { /* this block on every stream is given up: one time line for all streams */
        const int r = realign(lv);
        return r < 0 ? r : !lv->ended;
    }
    /* the common span (all full, or the shortest one at the end) */
    double t = INFINITY;
    for (int k = 0; k < lv->n_src; k++)
        t = fmin(t, (double)got[k] / lv->fss[k]);
    size_t n[BX_RX_MAX_STREAMS];
    for (int k = 0; k < lv->n_src; k++)
        n[k] = got[k] == want[k] && !lv->ended ? got[k] : (size_t)floor(t * lv->fss[k] + 1e-6);
    if (n[0])
        feed_n(lv, n);
    if (lv->max_samples && clock_samples(lv) >= lv->max_samples)
        lv->ended = 1;
    return n[0] || !lv->ended ? 1 : 0;
}

int bx_live_step(bx_live_t *lv)
{
    if (lv->ended)
        return 0;
    if (lv->n_src > 1)
        return step_multi(lv);
    size_t got = 0;
    int status = 1;
    while (got < lv->cap) {
        size_t want = lv->cap - got;
        if (lv->max_samples) {
            uint64_t at = clock_samples(lv) + got;
            if (at >= lv->max_samples) {
                lv->ended = 1;
                break;
            }
            if (lv->max_samples - at < want)
                want = (size_t)(lv->max_samples - at);
        }
        bx_cf32_t *dst[BX_RX_MAX_STREAMS] = {NULL};
        for (int k = 0; k < lv->n_ch; k++)
            dst[k] = lv->buf[k] + got;
        bx_source_block_info_t bi;
        long m = bx_source_read_multi(lv->src, dst, want, &bi);
        if (m < 0) {
            snprintf(lv->err, sizeof lv->err, "%s", bx_source_error(lv->src)[0] ? bx_source_error(lv->src)
                                                                                 : bx_strerror((int)m));
            lv->ended = 1;
            status = (int)m;
            break;
        }
        if (m == 0) {
            lv->ended = 1;
            break;
        }
        if (bi.dropped) {
            /* samples before the loss first, then the gap, then this block */
            if (got) {
                feed(lv, got);
                for (int k = 0; k < lv->n_ch; k++)
                    memmove(lv->buf[k], lv->buf[k] + got, (size_t)m * sizeof *lv->buf[k]);
                got = 0;
            }
            bx_rx_skip(lv->rx, (int64_t)bi.dropped);
            lv->dropped += bi.dropped;
        }
        got += (size_t)m;
    }
    if (got)
        feed(lv, got);
    if (status < 0)
        return status;
    return got || !lv->ended ? 1 : 0;
}

void bx_live_stop(bx_live_t *lv)
{
    if (!lv)
        return;
    for (int k = 0; k < lv->n_src; k++)
        if (lv->srcs[k])
            bx_source_stop(lv->srcs[k]);
}

bx_rx_t *bx_live_rx(const bx_live_t *lv) { return lv->rx; }
bx_source_t *bx_live_source(const bx_live_t *lv) { return lv->src; }
int bx_live_sources(const bx_live_t *lv) { return lv->n_src; }
bx_source_t *bx_live_source_n(const bx_live_t *lv, int k) { return k >= 0 && k < lv->n_src ? lv->srcs[k] : NULL; }
int bx_live_streams(const bx_live_t *lv) { return lv->n_streams; }
const char *bx_live_error(const bx_live_t *lv) { return lv->err; }

int bx_live_signal(const bx_live_t *lv, int stream)
{
    if (stream < 0 || stream >= lv->n_streams)
        return -1;
    if (lv->cfg.n_signals > 0)
        return lv->cfg.sig[stream];
    if (lv->n_src > 1)
        return signal_from_fc(bx_source_info(lv->srcs[stream])->ch[0].fc_hz);
    return signal_from_fc(bx_source_info(lv->src)->ch[lv->chan[stream]].fc_hz);
}

void bx_live_stats(const bx_live_t *lv, bx_live_stats_t *st)
{
    memset(st, 0, sizeof *st);
    bx_source_stats_t ss;
    bx_source_stats(lv->src, &ss);
    for (int k = 1; k < lv->n_src; k++) { /* several sources: losses summed, the fullest ring */
        bx_source_stats_t sk;
        bx_source_stats(lv->srcs[k], &sk);
        ss.drop_events += sk.drop_events;
        if (sk.ring_capacity && ss.ring_capacity &&
            (double)sk.ring_fill / (double)sk.ring_capacity > (double)ss.ring_fill / (double)ss.ring_capacity) {
            ss.ring_fill = sk.ring_fill;
            ss.ring_capacity = sk.ring_capacity;
            ss.ring_fill_max = sk.ring_fill_max;
        }
    }
    st->clock_s = (double)clock_samples(lv) / lv->fs_hz;
    st->processed_s = (double)lv->fed / lv->fs_hz;
    st->dropped_samples = lv->dropped;
    st->drop_events = ss.drop_events;
    st->wall_s = mono_s() - lv->t_start;
    st->busy_s = lv->busy_s;
    st->speed_x = lv->busy_s > 0 ? st->processed_s / lv->busy_s : 0.0;
    if (ss.ring_capacity) {
        st->ring_fill = (double)ss.ring_fill / (double)ss.ring_capacity;
        st->ring_fill_max = (double)ss.ring_fill_max / (double)ss.ring_capacity;
    }
    uint64_t at = clock_samples(lv);
    if (bx_source_info(lv->src)->live && ss.samples_produced > at)
        st->lag_s = (double)(ss.samples_produced - at) / lv->fs_hz;
}

void bx_live_destroy(bx_live_t *lv)
{
    if (!lv)
        return;
    bx_rx_destroy(lv->rx);
    for (int k = 0; k < BX_RX_MAX_STREAMS; k++)
        if (lv->srcs[k])
            bx_source_destroy(lv->srcs[k]);
        else if (k == 0 && lv->src)
            bx_source_destroy(lv->src);
    for (int k = 0; k < BX_RX_MAX_STREAMS; k++)
        free(lv->buf[k]);
    free(lv);
}
