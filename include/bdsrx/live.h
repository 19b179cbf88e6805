/*
 * bdsrx — live engine: a sample source (bdsrx/source.h: RTL-SDR, rtl_tcp,
 * Pocket SDR, or a file replayed through the same reader thread and ring)
 * driving the receiver engine (bdsrx/receiver.h) block by block.
 *
 * Per step: read up to block_s seconds of samples (complex float, one array per
 * stream; a Pocket SDR with both MAX2771 channels gives two streams on one
 * sample clock via bx_source_read_multi), hand them to bx_rx_process (tracking
 * on the receiver's worker threads), and when the source reports a loss
 * (bx_source_block_info_t.dropped: the ring overflowed because processing fell
 * behind) feed what came before it, then bx_rx_skip() the lost span so the
 * channels bridge the gap on the device's sample clock and keep tracking.
 *
 * Blocks are whole block_s spans (default 0.1 s, as `bdsrx run` feeds files)
 * except before a loss and at the end, so a loss-free live run over a capture
 * gives the same observations as the file run of that capture.
 *
 * Usage (one thread; bx_live_stop from any thread or a signal-waiting thread):
 *   bx_live_config_t c;  bx_live_config_default(&c);
 *   c.uri = "rtltcp://127.0.0.1:1234";  c.rx.on_epoch = fn;  c.rx.user = me;  (fn gets ep->sol)
 *   if (bx_live_create(&c, &lv, err, sizeof err)) die(err);
 *   while ((st = bx_live_step(lv)) > 0)  show(bx_live_rx(lv));
 *   if (st < 0) report(bx_live_error(lv));
 *   bx_live_destroy(lv);
 */
#ifndef BDSRX_LIVE_H
#define BDSRX_LIVE_H

#include <stdint.h>

#include "bdsrx/receiver.h"
#include "bdsrx/source.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *uri;        /* source URI (bx_source_open grammar) */
    bx_source_opts_t src;   /* source options (fc, fs, gain, ppm, bias tee, ring size ...) */
    int n_signals;          /* 0 = one per source channel, signal from its centre frequency */
    int sig[BX_RX_MAX_STREAMS]; /* BX_SIG_* of receiver stream i (when n_signals > 0): with as many
                               signals as channels, one per channel in order; with more (e.g.
                               B1C,B2a,B2b on a two-channel front end), each signal is fed from the
                               complex channel whose band (fc +- fs/2) holds its carrier, at
                               IF = f_signal - fc (B2a + B2b: one channel at 1191.795 MHz) */
    double block_s;         /* seconds of samples per bx_rx_process call, default 0.1 */
    double max_s;           /* stop after this much of the sample clock (0 = until the source ends) */
    bx_rx_config_t rx;      /* receiver settings; n_streams and stream[] are filled in by create */
    /* appended: several single-channel sources, one per receiver stream (e.g. three capture
       files B1C 4 Msps, B2a 12 Msps, B2b 12 Msps of the same time span, or three pipes):
       n_sources 2..BX_RX_MAX_STREAMS, uris[k] feeds stream k (uri is then ignored), each with its
       own reader thread and ring (src options shared, the URI's keys per source).  The sources
       are read in step, block_s seconds of each per step (fs_k * block_s must be whole samples).
       A loss on any of them drops that whole step on all (the sources are realigned on the next
       block boundary, bx_rx_skip for the span): the streams stay on one time line. */
    int n_sources;
    const char *uris[BX_RX_MAX_STREAMS];
} bx_live_config_t;

void bx_live_config_default(bx_live_config_t *c);

typedef struct {
    double clock_s;          /* position on the sample clock (processed + lost), stream 0 */
    double processed_s;      /* samples handed to the receiver, seconds */
    uint64_t dropped_samples;/* samples lost (source ring overflow), stream 0 */
    uint64_t drop_events;    /* losses reported by the source */
    double wall_s;           /* wall time since create */
    double busy_s;           /* wall time spent in bx_rx_process */
    double speed_x;          /* processed_s / busy_s: how many times real time the engine can run */
    double ring_fill;        /* 0..1 of the source ring (0 for sources without a ring) */
    double ring_fill_max;
    double lag_s;            /* samples waiting in the ring, seconds */
} bx_live_stats_t;

typedef struct bx_live bx_live_t;

/* Opens the source and creates the receiver.  Errors (device missing, permission,
 * connection refused, signal/channel mismatch) return a bx_status_t with a message in err. */
int bx_live_create(const bx_live_config_t *c, bx_live_t **out, char *err, size_t errlen);

/* One block: returns 1 after processing, 0 at the end (source ended or stopped and drained,
 * or max_s reached), <0 on a read error (bx_live_error: e.g. the device was unplugged). */
int bx_live_step(bx_live_t *lv);

/* Asks the source to stop; the next steps drain it and return 0.  Async-signal-safe. */
void bx_live_stop(bx_live_t *lv);

bx_rx_t *bx_live_rx(const bx_live_t *lv);
bx_source_t *bx_live_source(const bx_live_t *lv); /* the first source */
/* Sources (1, or n_sources) and source k (NULL past the last). */
int bx_live_sources(const bx_live_t *lv);
bx_source_t *bx_live_source_n(const bx_live_t *lv, int k);
/* Streams fed to the receiver (1 to 3) and the signal of stream i. */
int bx_live_streams(const bx_live_t *lv);
int bx_live_signal(const bx_live_t *lv, int stream);
void bx_live_stats(const bx_live_t *lv, bx_live_stats_t *st);
const char *bx_live_error(const bx_live_t *lv);

void bx_live_destroy(bx_live_t *lv);

#ifdef __cplusplus
}
#endif
#endif
