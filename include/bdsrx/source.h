/*
 * bdsrx — sample sources: one interface over capture files and live front
 * ends (RTL-SDR via librtlsdr, an rtl_tcp server, a Pocket SDR class
 * MAX2771 USB front end driven through libusb).
 *
 * URI grammar (bx_source_open):
 *   PATH | file:PATH                 capture file (format/fs/fc from a SigMF or .tag sidecar;
 *                                    file:- reads standard input)
 *   rtlsdr: | rtlsdr:N | rtlsdr:serial=SN   RTL-SDR dongle by index (default 0) or serial
 *   rtltcp://HOST:PORT               rtl_tcp server (default port 1234)
 *   pocket: | pocket:N               Pocket SDR front end (N = 0-based device among those found)
 *   pocketfile:PATH?conf=FILE        raw Pocket SDR dump (device bytes, both channels) + its .conf
 * followed by an optional query "?key=value&key=value" that overrides the opts:
 *   freq|fc=Hz  fs|rate=Hz  gain=dB|auto  agc=0|1  ppm=N  bias=0|1  format=ci8|...  if=Hz
 *   ch=1|2|both (pocket channel)  conf=PATH (pocket MAX2771 .conf)  pace=X (file: X times real time,
 *   0 = flat out)  live=0|1 (file: through the reader thread and ring, like a device)
 *   wait=0|1 (file with live=1: the reader waits for ring space instead of dropping, a lossless
 *   replay through the ring at the consumer's speed)  gap_at=N&gap=N (file with live=1: N samples
 *   from sample gap_at are reported lost, a deterministic loss for tests)
 *   ring=BYTES  timeout_ms=N
 *
 * Live sources (and file:...?live=1) run a reader thread that pushes raw samples into a
 * lock-free SPSC ring (bdsrx/ringbuf.h).  When the consumer falls behind and the ring is
 * full, the reader drops whole device blocks, counts them and keeps going; the next block
 * read reports the loss (bx_source_block_info_t.dropped) and first_sample jumps by the same
 * amount, so sample indices stay on the device's sample clock.
 *
 * Threading: one consumer thread calls read/read_raw; bx_source_stop may be called from any
 * thread or from a signal handler (it only stores an atomic flag).
 *
 * Typical live loop (a SIGINT handler calls bx_source_stop(src)):
 *     bx_source_opts_t o;  bx_source_opts_default(&o);  o.fs_hz = 2.048e6;
 *     if (bx_source_open("rtltcp://127.0.0.1:1234", &o, &src, err, sizeof err)) die(err);
 *     const bx_source_info_t *in = bx_source_info(src);     // fs_hz, fc_hz, if_hz, channels
 *     while ((n = bx_source_read(src, buf, 65536, &bi)) > 0) {
 *         if (bi.dropped) ...  // bi.dropped samples lost before buf[0]; bi.first_sample jumped
 *         process(buf, n, bi.first_sample);
 *     }
 *     if (n < 0) report(bx_source_error(src));
 *     bx_source_destroy(src);
 */
#ifndef BDSRX_SOURCE_H
#define BDSRX_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/iq.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double fc_hz;        /* centre/LO frequency; 0 = default (file: sidecar; devices 1575.42e6) */
    double fs_hz;        /* sample rate; 0 = default (file: sidecar; rtlsdr/rtltcp 2.048e6) */
    double gain_db;      /* tuner gain; NAN = automatic gain */
    int agc;             /* RTL2832 digital AGC on (rtlsdr, rtltcp) */
    double ppm;          /* frequency correction, ppm (rtlsdr, rtltcp) */
    int bias_tee;        /* 1 = power the antenna through the coax */
    int format;          /* file: raw format override (bx_iq_format_t), -1 = from sidecar */
    double if_hz;        /* file: IF override; NAN = from sidecar */
    int channel;         /* pocket: MAX2771 channel 1 or 2; 0 = both (see bx_source_read_multi) */
    const char *conf_path; /* pocket: PocketSDR-style .conf to program, NULL = leave as is */
    double pace;         /* file: playback speed, 1.0 = real time, 0 = as fast as possible */
    int live;            /* file: run through the reader thread + ring like a device */
    size_t ring_bytes;   /* ring capacity for live sources; 0 = default (16 MiB) */
    int timeout_ms;      /* network connect/handshake timeout; 0 = 3000 */
    size_t block_bytes;  /* producer block size (file live mode, pocket bulk size); 0 = default */
    int reconnect;       /* rtltcp: connection attempts after the server went away (URI reconnect=N,
                            0 = end of stream there); back-off 0.1 s doubling to 5 s between tries; the
                            outage is reported as lost samples (its duration x fs) */
    int stall_ms;        /* rtltcp: an open connection without data this long is lost (then reconnect, or
                            an error "no samples for N s"); 0 = 10000 (URI stall_ms=N) */
    int wait;            /* appended; file with live=1: the reader thread waits for room in the ring
                            instead of dropping a block (URI wait=1): every sample arrives, at the speed
                            the consumer takes them (a capture through the live path without loss) */
    uint64_t gap_at, gap;  /* appended; file with live=1, for tests: gap > 0 samples of the file from
                            sample gap_at on are not delivered and reported as one loss there, like a
                            ring overflow (URI gap_at=N&gap=N; whole granules of the format) */
} bx_source_opts_t;

void bx_source_opts_default(bx_source_opts_t *o);

typedef struct {
    char kind[16];          /* "file", "rtlsdr", "rtltcp", "pocket" */
    char device[160];       /* human-readable device description */
    int format;             /* raw format of bx_source_read_raw (bx_iq_format_t) */
    double fs_hz, fc_hz, if_hz; /* if_hz: 0 for complex baseband */
    double gain_db;         /* NAN = automatic / unknown */
    int agc, bias_tee;
    int64_t total_samples;  /* -1 = unbounded stream */
    int live;               /* samples come through the reader thread and ring */
    int real_time;          /* samples arrive on a clock (devices, network, paced files), not as
                               fast as they are read (files without pace) */
    /* Channels sampled on one clock (pocket:?ch=both gives 2).  ch[c] describes channel c in
     * its own raw format (what bx_source_split_raw produces); for 1 channel ch[0] repeats the
     * fields above.  With 2 channels `format` is -1: raw reads return the device's bytes. */
    int channels;
    struct {
        int format;
        double fs_hz, fc_hz, if_hz;
    } ch[2];
} bx_source_info_t;

typedef struct {
    uint64_t first_sample;  /* stream index of the block's first sample (dropped samples count) */
    double time_s;          /* host time (UTC, Unix seconds) of that sample, on the sample clock:
                               start_time + first_sample / fs_hz; file sources without live mode: 0-based */
    uint64_t dropped;       /* samples lost immediately before this block (0 = contiguous) */
    double drop_time_s;     /* host time (UTC) at which that loss was detected, 0 if none */
    uint64_t dropped_total; /* all samples lost so far */
} bx_source_block_info_t;

typedef struct {
    uint64_t samples_produced;  /* samples seen by the reader (delivered + dropped) */
    uint64_t dropped_samples;
    uint64_t drop_events;
    double last_drop_time_s;    /* host UTC of the last loss, 0 if none */
    uint64_t last_drop_sample;  /* stream index of the first sample of the last loss */
    size_t ring_capacity, ring_fill_max; /* bytes */
    size_t ring_fill;           /* bytes waiting now (call from the consumer thread) */
    uint64_t reconnects;        /* rtltcp: connections re-established after a loss */
} bx_source_stats_t;

typedef struct bx_source bx_source_t;

/* Opens a source.  opts may be NULL (defaults); URI query keys override opts.  On error
 * returns a bx_status_t (BX_ERR_DEVICE for device problems) and writes a message that names
 * the problem and what to do into err: e.g. "no RTL-SDR found", "USB permission denied (udev
 * rule?)", "rtl_tcp: connection refused at 127.0.0.1:1234". */
int bx_source_open(const char *uri, const bx_source_opts_t *opts, bx_source_t **out, char *err,
                   size_t errlen);

const bx_source_info_t *bx_source_info(const bx_source_t *s);

/* Reads up to n samples as complex float (real formats: imaginary 0, signal at if_hz).
 * Single-channel sources only (a 2-channel source returns BX_ERR_ARG: use read_multi).
 * Blocks until at least one sample is available.  Returns the count (>0), 0 at the end
 * (file end, server closed, or stopped and drained), <0 on error (bx_source_error).
 * A block never spans a loss: samples in one block are contiguous. */
long bx_source_read(bx_source_t *s, bx_cf32_t *out, size_t n, bx_source_block_info_t *info);

/* The same in the source's raw format (info->format) for bit-exact recording.  n_samples
 * is rounded down to a multiple of bx_source_granule(); raw must hold
 * bx_iq_bytes_for(format, n_samples) bytes (2-channel sources: n_samples device bytes). */
long bx_source_read_raw(bx_source_t *s, void *raw, size_t n_samples, bx_source_block_info_t *info);

/* All channels at once: out[c] receives channel c's samples (the same count and stream
 * indices for every channel).  Works for 1-channel sources too (out[0] only). */
long bx_source_read_multi(bx_source_t *s, bx_cf32_t *const out[], size_t n, bx_source_block_info_t *info);

/* Extracts channel ch of n raw samples (from bx_source_read_raw) into ch[ch].format; returns
 * the bytes written to out (bx_iq_bytes_for(ch[ch].format, n)) or BX_ERR_ARG. */
long bx_source_split_raw(const bx_source_t *s, const void *raw, size_t n, int ch, void *out);

/* Samples per whole byte group of the raw format (1 for ci8/ci16/cf32/ri8, 2 ci2, 8 ri1). */
size_t bx_source_granule(const bx_source_t *s);

/* Last error message ("" if none). */
const char *bx_source_error(const bx_source_t *s);

/* Asks the reader to stop; reads then drain what is buffered and return 0.
 * Async-signal-safe (atomic store only). */
void bx_source_stop(bx_source_t *s);

void bx_source_stats(const bx_source_t *s, bx_source_stats_t *st);

void bx_source_destroy(bx_source_t *s);

#ifdef __cplusplus
}
#endif
#endif
