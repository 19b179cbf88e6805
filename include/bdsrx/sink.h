/*
 * bdsrx — capture sink: writes raw samples in any bx_iq format to a file (or
 * stdout / a pipe) and, for files, a SigMF sidecar (DATA.sigmf-meta beside
 * DATA, or NAME.sigmf-meta for NAME.sigmf-data) with sample rate, centre
 * frequency, format, start time, device, gain, bias tee, and one annotation per
 * loss of samples.  Used by bdsrx-rec, bdsrx-convert and bdsrx-replay.
 *
 * The sidecar is written by bx_iq_sigmf_write_annotated (core:datatype, core:sample_rate, core:version,
 * bdsrx:format, bdsrx:if_hz, captures[0]) plus, in "global": core:num_channels, core:recorder,
 * core:hw, core:description, bdsrx:gain_db, bdsrx:agc, bdsrx:bias_tee, bdsrx:source,
 * bdsrx:dropped_samples;
 * captures[0]: core:sample_start 0, core:frequency, core:datetime (UTC, ISO 8601);
 * annotations: core:sample_start, core:sample_count, core:label "dropped", core:comment.
 *
 * Losses: bx_sink_gap() writes a filler of the lost length so file sample n stays at
 * stream sample n (time alignment for the receiver): zeros where the format has a zero
 * (ci8, ci16, cf32, ri8), a zero-mean +-1 pattern for ci2 and ri1.
 *
 * Threads: a bx_sink_t is used by one thread at a time.
 */
#ifndef BDSRX_SINK_H
#define BDSRX_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/iq.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int format;             /* bx_iq_format_t of the data written */
    double fs_hz, fc_hz;    /* 0 = unknown (omitted) */
    double if_hz;           /* NAN = omit */
    double start_time_s;    /* UTC Unix seconds of sample 0; 0 = omit */
    double gain_db;         /* NAN = automatic / unknown */
    int agc, bias_tee;      /* -1 = unknown (omitted) */
    const char *hw;         /* device description, NULL = omit */
    const char *recorder;   /* program name */
    const char *source;     /* source URI or input file */
    const char *description;
} bx_sink_meta_t;

void bx_sink_meta_init(bx_sink_meta_t *m);

typedef struct bx_sink bx_sink_t;

/* path "-" writes to stdout (no sidecar); no sidecar either for a character device
 * (/dev/null).  sidecar = 0 suppresses the sidecar. */
int bx_sink_create(const char *path, const bx_sink_meta_t *m, int sidecar, bx_sink_t **out, char *err,
                   size_t errlen);

/* Raw samples already in the sink's format; n_samples a multiple of the format's samples per
 * byte except in the last call. */
int bx_sink_write_raw(bx_sink_t *k, const void *raw, size_t n_samples);

/* Complex float samples, encoded with bx_iq_pack(format, x, n, scale) (round and clamp for
 * integer formats, sign/magnitude for ci2, sign for ri1, x * scale for cf32). */
int bx_sink_write_cf32(bx_sink_t *k, const bx_cf32_t *x, size_t n, float scale);

/* Records n_samples lost at the current position (filler + annotation). */
int bx_sink_gap(bx_sink_t *k, uint64_t n_samples, double detected_utc_s);

/* Sets the sidecar's start time (UTC Unix seconds of sample 0) before close; 0 = omit. */
void bx_sink_set_start_time(bx_sink_t *k, double utc_s);

uint64_t bx_sink_samples(const bx_sink_t *k);  /* samples written (fillers included) */
uint64_t bx_sink_bytes(const bx_sink_t *k);
uint64_t bx_sink_dropped(const bx_sink_t *k);

/* Flushes, closes the file and writes the sidecar; returns the first error met in any call so
 * far (message in err).  Further writes fail; then bx_sink_destroy. */
int bx_sink_finish(bx_sink_t *k, char *err, size_t errlen);
/* Frees the sink, finishing it first (errors ignored) if bx_sink_finish was not called.  NULL-safe. */
void bx_sink_destroy(bx_sink_t *k);

/* Scale for bx_sink_write_cf32 that keeps sample values in units of the input format's
 * integer code (one LSB in -> one LSB out, whatever normalisation bx_iq_convert applies);
 * 1/(value of code 1).  Lossless between formats whose code ranges hold the values
 * (ci2 <-> ci8/ci16/cf32, ci8 <-> ci16/cf32, ri8 <-> ...); values outside the output's
 * range are clamped, so pass an explicit scale to narrow (e.g. ci16 -> ci8). */
float bx_sink_lsb_scale(int in_format);

#ifdef __cplusplus
}
#endif
#endif
