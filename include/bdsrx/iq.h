/*
 * bdsrx — IQ sample input: formats, conversion, streaming capture reader,
 * SigMF / PocketSDR .tag sidecars.
 *
 * Formats (sample = one complex or one real value):
 *   ci8   interleaved I,Q int8                      2 bytes/sample
 *   ci16  interleaved I,Q int16 little endian       4 bytes/sample
 *   cf32  interleaved I,Q float32 little endian     8 bytes/sample
 *   ri8   real int8 at an IF                        1 byte/sample
 *   ci2   2-bit complex, 2 samples per byte: bits[1:0] I(n), [3:2] Q(n), [5:4] I(n+1), [7:6] Q(n+1);
 *         each field bit 1 = sign (1 = negative), bit 0 = magnitude (0 -> 1, 1 -> 3): levels +-1, +-3
 *         (shared/testdata/README.md, PocketSDR/SignalSim "INT2X2")
 *   ri1   1-bit real, 8 samples per byte, first sample in the LSB, bit 0 -> +1, bit 1 -> -1
 *         (SnapperGPS snapshot layout)
 *   int8x2  PocketSDR INT8X2: interleaved int8 I,Q as ci8, but Q is stored with the opposite sign
 *         (the MAX2771 Q polarity), so a sample is I - jQ: PocketSDR's readers negate Q
 *         (PocketSDR src/sdr_func.c sdr_read_data "flip Q-polarity", python/sdr_func.py read_data
 *         "I - j*Q"; its CS8/CS16 formats are I + jQ).  bx_iq_convert returns I - jQ, bx_iq_pack
 *         writes -Q.  Verified on the real 4 MHz PocketSDR capture (tests/test_acq.c).
 *
 * Scaling: bx_iq_convert returns the integer codes as floats without normalisation (ci8: -128..127,
 * ci16: -32768..32767, ci2: +-1/+-3, ri1: +-1, ri8: -128..127, cf32 unchanged); so one LSB in is
 * 1.0 out.  Real formats give an imaginary part 0; their signal sits at if_hz.
 *
 * Sidecars (looked for beside the data file, first found wins):
 *   NAME.sigmf-meta for NAME.sigmf-data, else DATA.sigmf-meta, else DATA.tag.
 *   SigMF: global core:datatype (ci8, ci16_le, cf32_le, ri8; "ci2"/"ri1" for the bdsrx packed formats),
 *   core:sample_rate, captures[0].core:frequency; bdsrx extension keys bdsrx:format (bdsrx format name,
 *   takes precedence over core:datatype) and bdsrx:if_hz.
 *   PocketSDR .tag: "KEY = VALUE" lines, FMT (INT8 = ri8, INT8X2 = int8x2, CS8 = ci8, CS16 = ci16,
 *   INT16X2 = ci16, INT2X2 = ci2, FLOAT32X2 = cf32, INT1 = ri1), F_S and F_LO in MHz, optional F_IF
 *   in MHz.  Exception: SignalSim's IFDataGen (PROG = IFDataGen) writes FMT = INT8X2 for plain
 *   I + jQ int8 (its signals acquire at the truth Doppler only read that way), so such a tag gives ci8.  The tag's IQ key is
 *   not used (writers disagree on its meaning); FMT decides complex vs real.
 * Effective parameters: a value from the command line wins where the sidecar lacks it; a value that
 * contradicts the sidecar is an error.  Complex formats default to IF 0; a real format needs an IF
 * (flag or sidecar).  The sample rate is required.
 *
 * Threads: a bx_iq_reader_t is used by one thread at a time; the format functions are pure.
 */
#ifndef BDSRX_IQ_H
#define BDSRX_IQ_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "bdsrx/types.h"

/* C11's CMPLXF where the C library leaves it out (glibc defines it for gcc only). */
#if !defined(CMPLXF) && !defined(__cplusplus)
#define CMPLXF(x, y) __builtin_complex((float)(x), (float)(y))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef float _Complex bx_cf32_t;

typedef enum {
    BX_IQ_CI8, BX_IQ_CI16, BX_IQ_CF32, BX_IQ_RI8, BX_IQ_CI2, BX_IQ_RI1,
    BX_IQ_INT8X2, /* PocketSDR INT8X2: ci8 bytes with Q stored negated (see above) */
    BX_IQ_FORMAT_COUNT
} bx_iq_format_t;

typedef struct {
    int format;   /* bx_iq_format_t, or -1 = unknown/not set */
    double fs_hz; /* 0 = not set */
    double fc_hz; /* centre (LO) frequency, 0 = not set */
    double if_hz; /* intermediate frequency of real formats (0 for complex baseband); NAN = not set */
} bx_iq_params_t;

void bx_iq_params_init(bx_iq_params_t *p); /* all "not set" */

typedef struct bx_iq_reader bx_iq_reader_t;

/* Opens a capture ("-" = standard input, parameters then come from flags only).  `flags` holds what
 * the user gave on the command line (may be NULL); unset fields are filled from a sidecar beside the
 * file; a contradiction is an error.  On error returns a bx_status_t and writes a full message into
 * err ("capture.bin: size 1000003 is not a multiple of 2 bytes per complex int8 sample"). */
int bx_iq_open(const char *path, const bx_iq_params_t *flags, bx_iq_reader_t **out, char *err, size_t errlen);

const bx_iq_params_t *bx_iq_params(const bx_iq_reader_t *r); /* effective parameters */

/* Where the parameters came from, e.g. "flags", "SigMF sidecar x.sigmf-meta",
 * "PocketSDR tag x.bin.tag + flags". */
const char *bx_iq_param_source(const bx_iq_reader_t *r);

/* Reads up to n samples as complex float.  Returns samples read (>0), 0 at end of file, <0 on error
 * (message via bx_iq_error; e.g. a truncated last sample of a stream).  Constant memory: a fixed
 * internal buffer, any n. */
long bx_iq_read(bx_iq_reader_t *r, bx_cf32_t *out, size_t n);

/* Reads up to n samples in the raw file format into raw (which holds bx_iq_bytes_for(format, n)
 * bytes).  Only at a position that is a multiple of the format's samples per byte (packed formats);
 * n is rounded down to such a multiple unless the file ends.  Returns samples read, 0 at end, <0 on
 * error. */
long bx_iq_read_raw(bx_iq_reader_t *r, void *raw, size_t n);

const char *bx_iq_error(const bx_iq_reader_t *r); /* last error message, "" if none */
uint64_t bx_iq_tell(const bx_iq_reader_t *r);     /* index of next sample */
/* Positions at sample_index (any sample, also inside a packed byte).  Standard input / pipes: only
 * forward (skips by reading).  BX_ERR_ARG beyond the end. */
int bx_iq_seek(bx_iq_reader_t *r, uint64_t sample_index);
int64_t bx_iq_total_samples(const bx_iq_reader_t *r); /* -1 if unknown (stream) */
void bx_iq_destroy(bx_iq_reader_t *r);

/* ---- formats and conversion ---- */

/* "ci8", "ci16", "cf32", "ri8", "ci2", "ri1" (also the SigMF names "ci16_le", "cf32_le");
 * BX_OK or BX_ERR_ARG. */
int bx_iq_format_from_name(const char *name, int *format);
const char *bx_iq_format_name(int format);        /* "ci8" ...; "?" if unknown */
const char *bx_iq_format_describe(int format);    /* "complex int8" ... (for messages) */
int bx_iq_format_is_complex(int format);          /* 1 complex, 0 real, BX_ERR_ARG unknown */
int bx_iq_samples_per_byte_group(int format);     /* samples in the smallest whole-byte unit: 1, 2 (ci2), 8 (ri1) */
int bx_iq_bytes_per_group(int format);            /* bytes of that unit: 2, 4, 8, 1, 1, 1 */

/* Converts n samples of `format` starting at sample offset 0 of `raw` into out.
 * BX_OK or BX_ERR_ARG (unknown format). */
int bx_iq_convert(int format, const void *raw, size_t n, bx_cf32_t *out);

/* The same starting at sample `first` of raw (packed formats: any sample inside a byte). */
int bx_iq_convert_from(int format, const void *raw, size_t first, size_t n, bx_cf32_t *out);

size_t bx_iq_bytes_for(int format, size_t n_samples); /* bytes holding n samples (packed formats round up) */

/* Inverse of bx_iq_convert: quantises n samples of x * scale into `format`
 *   ci8/ci16/ri8: round to nearest, clamped to the type range (ri8: real part only)
 *   cf32: x * scale
 *   ci2: per component sign, magnitude 3 where |v| >= 2 else 1 (thresholds halfway between levels)
 *   ri1: sign of the real part (>= 0 -> bit 0 = +1)
 * Packed formats: unused bits of a last partial byte are 0.  Returns bytes written or BX_ERR_ARG. */
long bx_iq_pack(int format, const bx_cf32_t *x, size_t n, float scale, void *raw);

/* ---- parameters: sidecars ---- */

/* Reads a SigMF .sigmf-meta file into p (only fields present are set).  BX_OK, BX_ERR_IO, BX_ERR_FORMAT,
 * BX_ERR_UNSUPPORTED (e.g. ci16_be); message in err. */
int bx_iq_sigmf_read(const char *meta_path, bx_iq_params_t *p, char *err, size_t errlen);

/* Reads a PocketSDR .tag file into p.  Same returns. */
int bx_iq_tag_read(const char *tag_path, bx_iq_params_t *p, char *err, size_t errlen);

/* Finds and reads the sidecar of data_path (see the top of this header).  Returns 1 if one was found
 * and read (its path in found_path), 0 if none exists, <0 on error (message in err). */
int bx_iq_sidecar_find(const char *data_path, bx_iq_params_t *p, char *found_path, size_t found_len, char *err,
                       size_t errlen);

/* Writes a SigMF sidecar for p to meta_path: core:datatype, core:sample_rate, core:version,
 * bdsrx:format, bdsrx:if_hz (when set), captures[0] with core:sample_start 0, core:frequency (when
 * set) and core:datetime (when datetime_utc is not NULL, ISO 8601 "2026-11-22T10:34:03Z").
 * extra_json_or_NULL: a JSON object whose members are added to "global" (e.g. "{\"core:hw\":\"rtl\"}").
 * BX_OK, BX_ERR_ARG (bad params or extra JSON), BX_ERR_IO. */
int bx_iq_sigmf_write(const char *meta_path, const bx_iq_params_t *p, const char *datetime_utc,
                      const char *extra_json_or_NULL);

/* One SigMF annotation ("annotations" entry, SigMF 1.0 core): core:sample_start,
 * core:sample_count, and core:label / core:comment when not NULL. */
typedef struct {
    uint64_t sample_start, sample_count;
    const char *label, *comment;
} bx_iq_annotation_t;

/* bx_iq_sigmf_write with n annotations (in the order given; ann may be NULL when n is 0), e.g.
 * one "dropped" annotation per loss of samples in a recording (bx_sink).  Same returns. */
int bx_iq_sigmf_write_annotated(const char *meta_path, const bx_iq_params_t *p, const char *datetime_utc,
                                const char *extra_json_or_NULL, const bx_iq_annotation_t *ann, size_t n);

#ifdef __cplusplus
}
#endif
#endif
