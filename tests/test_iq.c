/* IQ input: every format against hand-decoded byte vectors (layouts from
 * iq.h, testdata/README.md and the SnapperGPS README), pack/convert round
 * trips with noise, the streaming reader against whole-buffer conversion
 * (odd chunk sizes, seeks inside packed bytes), sidecars (own SigMF, the shared
 * SignalSim .tag files) and error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bdsrx/code.h"
#include "bdsrx/iq.h"
#include "cli.h" /* the shared capture flags (command-line side) */
#include "testdata.h"
#include "testutil.h"

static char tmpdir[256];

static int setup(void **s)
{
    (void)s;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bdsrx_test_iq_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **s)
{
    (void)s;
    return tu_rmtree(tmpdir);
}

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void expect(const bx_cf32_t *got, const float *want_re_im, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (crealf(got[i]) != want_re_im[2 * i] || cimagf(got[i]) != want_re_im[2 * i + 1])
            fail_msg("sample %zu: got (%g, %g), want (%g, %g)", i, crealf(got[i]), cimagf(got[i]),
                     want_re_im[2 * i], want_re_im[2 * i + 1]);
    }
}

/* ---- byte vectors ---- */

static void test_known_vectors(void **s)
{
    (void)s;
    bx_cf32_t out[16];
    const int8_t ci8[] = {1, -2, 127, -128};
    assert_int_equal(bx_iq_convert(BX_IQ_CI8, ci8, 2, out), BX_OK);
    expect(out, (const float[]){1, -2, 127, -128}, 2);

    const uint8_t ci16[] = {0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80, 0xFF, 0x7F}; /* little endian */
    assert_int_equal(bx_iq_convert(BX_IQ_CI16, ci16, 2, out), BX_OK);
    expect(out, (const float[]){1, -1, -32768, 32767}, 2);

    const uint8_t cf32[] = {0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0}; /* 1.5f, -2.0f LE */
    assert_int_equal(bx_iq_convert(BX_IQ_CF32, cf32, 1, out), BX_OK);
    expect(out, (const float[]){1.5f, -2.0f}, 1);

    const int8_t ri8[] = {5, -7, 3};
    assert_int_equal(bx_iq_convert(BX_IQ_RI8, ri8, 3, out), BX_OK);
    expect(out, (const float[]){5, 0, -7, 0, 3, 0}, 3);

    /* ci2 (testdata/README.md): fields [1:0]=I(n) [3:2]=Q(n) [5:4]=I(n+1) [7:6]=Q(n+1);
     * field 00 -> +1, 01 -> +3, 10 -> -1, 11 -> -3.  0xE4 = 11 10 01 00, 0x1B = 00 01 10 11. */
    const uint8_t ci2[] = {0xE4, 0x1B};
    assert_int_equal(bx_iq_convert(BX_IQ_CI2, ci2, 4, out), BX_OK);
    expect(out, (const float[]){1, 3, -1, -3, -3, -1, 3, 1}, 4);
    /* starting inside the first byte */
    assert_int_equal(bx_iq_convert_from(BX_IQ_CI2, ci2, 1, 2, out), BX_OK);
    expect(out, (const float[]){-1, -3, -3, -1}, 2);

    /* ri1: the SnapperGPS README's example, 0b01100000 -> [1 1 1 1 1 -1 -1 1] */
    const uint8_t ri1[] = {0x60, 0x01};
    assert_int_equal(bx_iq_convert(BX_IQ_RI1, ri1, 9, out), BX_OK);
    expect(out, (const float[]){1, 0, 1, 0, 1, 0, 1, 0, 1, 0, -1, 0, -1, 0, 1, 0, -1, 0}, 9);
    assert_int_equal(bx_iq_convert_from(BX_IQ_RI1, ri1, 5, 3, out), BX_OK);
    expect(out, (const float[]){-1, 0, -1, 0, 1, 0}, 3);

    /* int8x2 (PocketSDR INT8X2): ci8 bytes, Q stored negated -> I - jQ (PocketSDR src/sdr_func.c
     * sdr_read_data); pack writes -Q back */
    assert_int_equal(bx_iq_convert(BX_IQ_INT8X2, ci8, 2, out), BX_OK);
    expect(out, (const float[]){1, 2, 127, 128}, 2);
    int8_t back[4];
    assert_int_equal(bx_iq_pack(BX_IQ_INT8X2, out, 2, 1.0f, back), 4);
    assert_memory_equal(back, ci8, 4); /* lossless round trip */
    int f;
    assert_int_equal(bx_iq_format_from_name("INT8X2", &f), BX_OK);
    assert_int_equal(f, BX_IQ_INT8X2);

    assert_int_equal(bx_iq_convert(99, ci8, 1, out), BX_ERR_ARG);
}

static void test_sizes_and_names(void **s)
{
    (void)s;
    assert_int_equal(bx_iq_bytes_for(BX_IQ_CI8, 3), 6);
    assert_int_equal(bx_iq_bytes_for(BX_IQ_CI16, 3), 12);
    assert_int_equal(bx_iq_bytes_for(BX_IQ_CF32, 3), 24);
    assert_int_equal(bx_iq_bytes_for(BX_IQ_RI8, 3), 3);
    assert_int_equal(bx_iq_bytes_for(BX_IQ_CI2, 3), 2);
    assert_int_equal(bx_iq_bytes_for(BX_IQ_RI1, 9), 2);
    assert_int_equal(bx_iq_bytes_for(BX_IQ_RI1, 8), 1);
    const char *names[] = {"ci8", "ci16", "cf32", "ri8", "ci2", "ri1"};
    for (int i = 0; i < 6; i++) {
        int f = -1;
        assert_int_equal(bx_iq_format_from_name(names[i], &f), BX_OK);
        assert_int_equal(f, i);
        assert_string_equal(bx_iq_format_name(i), names[i]);
    }
    int f;
    assert_int_equal(bx_iq_format_from_name("ci16_le", &f), BX_OK);
    assert_int_equal(f, BX_IQ_CI16);
    assert_int_equal(bx_iq_format_from_name("cf32_le", &f), BX_OK);
    assert_int_equal(f, BX_IQ_CF32);
    assert_int_equal(bx_iq_format_from_name("cu8", &f), BX_ERR_ARG);
    assert_string_equal(bx_iq_format_name(42), "?");
}

/* ---- pack / convert round trips ---- */

static float gauss(unsigned *st)
{
    /* Box-Muller on a small LCG: deterministic, no global state */
    double u1, u2;
    *st = *st * 1103515245u + 12345u;
    u1 = ((*st >> 8) + 1.0) / 16777217.0;
    *st = *st * 1103515245u + 12345u;
    u2 = (*st >> 8) / 16777216.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

static void test_roundtrip(void **s)
{
    (void)s;
    enum { N = 1001 }; /* odd: exercises the last partial byte of ci2 and ri1 */
    static bx_cf32_t x[N], y[N];
    static uint8_t raw[N * 8];
    unsigned st = 12345;
    for (int i = 0; i < N; i++)
        x[i] = CMPLXF(gauss(&st) * 20.0f, gauss(&st) * 20.0f);
    for (int f = 0; f < BX_IQ_FORMAT_COUNT; f++) {
        long nb = bx_iq_pack(f, x, N, 1.0f, raw);
        assert_int_equal(nb, (long)bx_iq_bytes_for(f, N));
        assert_int_equal(bx_iq_convert(f, raw, N, y), BX_OK);
        for (int i = 0; i < N; i++) {
            float re = crealf(x[i]), im = cimagf(x[i]), gr = crealf(y[i]), gi = cimagf(y[i]);
            switch (f) {
            case BX_IQ_CF32:
                assert_true(gr == re && gi == im);
                break;
            case BX_IQ_CI8:
            case BX_IQ_CI16:
                assert_true(fabsf(gr - re) <= 0.5f && fabsf(gi - im) <= 0.5f);
                break;
            case BX_IQ_RI8:
                assert_true(fabsf(gr - re) <= 0.5f && gi == 0.0f);
                break;
            case BX_IQ_CI2: {
                float wr = (re < 0 ? -1.0f : 1.0f) * (fabsf(re) >= 2.0f ? 3.0f : 1.0f);
                float wi = (im < 0 ? -1.0f : 1.0f) * (fabsf(im) >= 2.0f ? 3.0f : 1.0f);
                assert_true(gr == wr && gi == wi);
                break;
            }
            case BX_IQ_RI1:
                assert_true(gr == (re < 0 ? -1.0f : 1.0f) && gi == 0.0f);
                break;
            }
        }
    }
    /* integer-valued signals survive exactly, and re-packing the decoded bytes gives the same bytes */
    static uint8_t raw2[N * 8];
    for (int f = 0; f < BX_IQ_FORMAT_COUNT; f++) {
        long nb = bx_iq_pack(f, x, N, 1.0f, raw);
        bx_iq_convert(f, raw, N, y);
        assert_int_equal(bx_iq_pack(f, y, N, 1.0f, raw2), nb);
        assert_memory_equal(raw, raw2, (size_t)nb);
    }
    /* clamping and scale */
    bx_cf32_t big[2] = {CMPLXF(300.0f, -300.0f), CMPLXF(0.26f, -0.74f)};
    int8_t c8[4];
    bx_iq_pack(BX_IQ_CI8, big, 2, 1.0f, c8);
    assert_int_equal(c8[0], 127);
    assert_int_equal(c8[1], -128);
    assert_int_equal(c8[2], 0);
    assert_int_equal(c8[3], -1);
    bx_iq_pack(BX_IQ_CI8, big + 1, 1, 10.0f, c8);
    assert_int_equal(c8[0], 3);
    assert_int_equal(c8[1], -7);
}

/* ---- reader ---- */

static void reader_matches(const char *path, const bx_iq_params_t *fl, int format, const uint8_t *raw, size_t n)
{
    static bx_cf32_t ref[4096], got[4096];
    assert_true(n <= 4096);
    bx_iq_convert(format, raw, n, ref);
    char err[512];
    bx_iq_reader_t *r;
    assert_int_equal(bx_iq_open(path, fl, &r, err, sizeof err), BX_OK);
    assert_int_equal(bx_iq_params(r)->format, format);
    assert_int_equal(bx_iq_total_samples(r), (int64_t)n);
    size_t pos = 0;
    const size_t chunks[] = {1, 7, 3, 1000, 13};
    for (int c = 0; pos < n; c++) {
        long k = bx_iq_read(r, got + pos, chunks[c % 5]);
        assert_true(k > 0);
        pos += (size_t)k;
        assert_int_equal(bx_iq_tell(r), pos);
    }
    assert_int_equal(pos, n);
    assert_int_equal(bx_iq_read(r, got, 10), 0);
    assert_memory_equal(ref, got, n * sizeof ref[0]);
    /* seeks anywhere, including inside a packed byte */
    const uint64_t at[] = {n - 1, 3, 0, n / 2 + 1, 9};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(bx_iq_seek(r, at[i]), BX_OK);
        long k = bx_iq_read(r, got, 5);
        long want = (long)(n - at[i] < 5 ? n - at[i] : 5);
        assert_int_equal(k, want);
        assert_memory_equal(got, ref + at[i], (size_t)k * sizeof ref[0]);
    }
    assert_int_equal(bx_iq_seek(r, n + 1), BX_ERR_ARG);
    /* raw reads at a group boundary */
    static uint8_t back[4096 * 8];
    assert_int_equal(bx_iq_seek(r, 0), BX_OK);
    long k = bx_iq_read_raw(r, back, n);
    int gs = bx_iq_samples_per_byte_group(format);
    assert_int_equal(k, (long)(n / (size_t)gs * (size_t)gs));
    assert_memory_equal(back, raw, bx_iq_bytes_for(format, (size_t)k));
    bx_iq_destroy(r);
}

static void test_reader_formats(void **s)
{
    (void)s;
    static uint8_t raw[4096 * 8];
    unsigned st = 99;
    for (size_t i = 0; i < sizeof raw; i++) {
        st = st * 1103515245u + 12345u;
        raw[i] = (uint8_t)(st >> 16);
    }
    for (int f = 0; f < BX_IQ_FORMAT_COUNT; f++) {
        if (f == BX_IQ_CF32) /* random bytes include NaN patterns; use real floats */
            for (size_t i = 0; i < 4000; i++) {
                float v = (float)((int)(i % 97) - 48) * 0.25f;
                memcpy(raw + 4 * i, &v, 4);
            }
        size_t n = f == BX_IQ_RI1 ? 4000 : f == BX_IQ_CI2 ? 3000 : 1111;
        char path[400];
        tmp_path(path, sizeof path, "cap.bin");
        write_file(path, raw, bx_iq_bytes_for(f, n));
        bx_iq_params_t fl;
        bx_iq_params_init(&fl);
        fl.format = f;
        fl.fs_hz = 4.092e6;
        fl.if_hz = 0.0;
        reader_matches(path, &fl, f, raw, n);
    }
}

static void test_sigmf_roundtrip(void **s)
{
    (void)s;
    char data[400], meta[400], err[512];
    tmp_path(data, sizeof data, "rec.sigmf-data");
    tmp_path(meta, sizeof meta, "rec.sigmf-meta");
    uint8_t raw[64];
    for (int i = 0; i < 64; i++)
        raw[i] = (uint8_t)(i * 37);
    write_file(data, raw, sizeof raw);
    bx_iq_params_t p;
    bx_iq_params_init(&p);
    p.format = BX_IQ_RI8;
    p.fs_hz = 12e6;
    p.fc_hz = 1572.42e6;
    p.if_hz = 3e6;
    assert_int_equal(bx_iq_sigmf_write(meta, &p, "2026-11-22T10:34:03Z", "{\"core:hw\":\"test\"}"), BX_OK);
    bx_iq_reader_t *r;
    assert_int_equal(bx_iq_open(data, NULL, &r, err, sizeof err), BX_OK);
    const bx_iq_params_t *q = bx_iq_params(r);
    assert_int_equal(q->format, BX_IQ_RI8);
    assert_true(q->fs_hz == 12e6 && q->fc_hz == 1572.42e6 && q->if_hz == 3e6);
    assert_non_null(strstr(bx_iq_param_source(r), "SigMF"));
    assert_int_equal(bx_iq_total_samples(r), 64);
    bx_iq_destroy(r);
    /* matching flags are fine, contradicting ones are an error naming both values */
    bx_iq_params_t fl;
    bx_iq_params_init(&fl);
    fl.fs_hz = 12e6;
    assert_int_equal(bx_iq_open(data, &fl, &r, err, sizeof err), BX_OK);
    bx_iq_destroy(r);
    fl.fs_hz = 4e6;
    assert_int_equal(bx_iq_open(data, &fl, &r, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "--fs"));
    assert_non_null(strstr(err, "contradicts"));
    bx_iq_params_init(&fl);
    fl.format = BX_IQ_CI8;
    assert_int_equal(bx_iq_open(data, &fl, &r, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "--format"));
    /* the file itself: SigMF keys as written (independent read with jansson) */
    p.format = BX_IQ_CI16;
    assert_int_equal(bx_iq_sigmf_write(meta, &p, "2026-11-22T10:34:03Z", "{\"core:hw\":\"test\"}"), BX_OK);
    json_error_t je;
    json_t *root = json_load_file(meta, 0, &je);
    assert_non_null(root);
    json_t *gl = json_object_get(root, "global");
    assert_string_equal(json_string_value(json_object_get(gl, "core:datatype")), "ci16_le");
    assert_string_equal(json_string_value(json_object_get(gl, "core:version")), "1.2.0");
    assert_string_equal(json_string_value(json_object_get(gl, "core:hw")), "test");
    assert_true(json_number_value(json_object_get(gl, "core:sample_rate")) == 12e6);
    assert_true(json_number_value(json_object_get(gl, "bdsrx:if_hz")) == 3e6);
    json_t *c0 = json_array_get(json_object_get(root, "captures"), 0);
    assert_int_equal(json_integer_value(json_object_get(c0, "core:sample_start")), 0);
    assert_true(json_number_value(json_object_get(c0, "core:frequency")) == 1572.42e6);
    assert_string_equal(json_string_value(json_object_get(c0, "core:datetime")), "2026-11-22T10:34:03Z");
    assert_int_equal(json_array_size(json_object_get(root, "annotations")), 0);
    json_decref(root);
    /* annotations (as bdsrx-rec writes for lost samples): order, keys, optional comment */
    const bx_iq_annotation_t ann[2] = {{1000, 250, "dropped", "250 samples lost"}, {5000, 7, "dropped", NULL}};
    assert_int_equal(bx_iq_sigmf_write_annotated(meta, &p, NULL, NULL, ann, 2), BX_OK);
    root = json_load_file(meta, 0, &je);
    assert_non_null(root);
    json_t *an = json_object_get(root, "annotations");
    assert_int_equal(json_array_size(an), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *a = json_array_get(an, i);
        assert_int_equal(json_integer_value(json_object_get(a, "core:sample_start")), ann[i].sample_start);
        assert_int_equal(json_integer_value(json_object_get(a, "core:sample_count")), ann[i].sample_count);
        assert_string_equal(json_string_value(json_object_get(a, "core:label")), "dropped");
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(an, 0), "core:comment")), "250 samples lost");
    assert_null(json_object_get(json_array_get(an, 1), "core:comment"));
    json_decref(root);
    bx_iq_params_t ra; /* still a sidecar the reader takes */
    bx_iq_params_init(&ra);
    assert_int_equal(bx_iq_sigmf_read(meta, &ra, err, sizeof err), BX_OK);
    assert_int_equal(ra.format, BX_IQ_CI16);
    assert_int_equal(bx_iq_sigmf_write_annotated(meta, &p, NULL, NULL, NULL, 1), BX_ERR_ARG);
    /* packed formats keep their bdsrx name */
    p.format = BX_IQ_CI2;
    assert_int_equal(bx_iq_sigmf_write(meta, &p, NULL, NULL), BX_OK);
    bx_iq_params_t g;
    bx_iq_params_init(&g);
    assert_int_equal(bx_iq_sigmf_read(meta, &g, err, sizeof err), BX_OK);
    assert_int_equal(g.format, BX_IQ_CI2);
    assert_int_equal(bx_iq_sigmf_write(meta, &p, NULL, "[1,2]"), BX_ERR_ARG);
}

static void test_shared_tags(void **s)
{
    (void)s;
    static const struct {
        const char *rel;
        int format;
        double fs, fc;
        int64_t n;
    } tags[] = {
        {"signalsim/b1c_static_30s.bin", BX_IQ_CI2, 4.092e6, 1575.42e6, 122760000},
        {"signalsim/b2a_static_1s.bin", BX_IQ_CI2, 20.46e6, 1176.45e6, 20460000},
        {"signalsim/l1_mixed_1s.bin", BX_IQ_CI8, 4.092e6, 1575.42e6, 4092000},
    };
    char path[1024], err[1024];
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        if (!testdata_path(path, sizeof path, tags[i].rel))
            skip();
        bx_iq_reader_t *r;
        assert_int_equal(bx_iq_open(path, NULL, &r, err, sizeof err), BX_OK);
        const bx_iq_params_t *p = bx_iq_params(r);
        assert_int_equal(p->format, tags[i].format);
        assert_true(fabs(p->fs_hz - tags[i].fs) < 1e-3);
        assert_true(fabs(p->fc_hz - tags[i].fc) < 1e-3);
        assert_true(p->if_hz == 0.0);
        assert_int_equal(bx_iq_total_samples(r), tags[i].n);
        assert_non_null(strstr(bx_iq_param_source(r), "PocketSDR tag"));
        /* the reader's samples equal a direct conversion of the file's first bytes */
        static uint8_t raw[4096];
        static bx_cf32_t a[2048], b[2048];
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fread(raw, 1, bx_iq_bytes_for(p->format, 2048), f), bx_iq_bytes_for(p->format, 2048));
        fclose(f);
        bx_iq_convert(p->format, raw, 2048, a);
        assert_int_equal(bx_iq_read(r, b, 2048), 2048);
        assert_memory_equal(a, b, sizeof a);
        /* 2-bit levels: every decoded value is +-1 or +-3, both magnitudes occur, mean near 0 */
        if (p->format == BX_IQ_CI2) {
            int n3 = 0;
            double m = 0;
            for (int k = 0; k < 2048; k++) {
                float v = crealf(b[k]);
                assert_true(v == 1 || v == -1 || v == 3 || v == -3);
                n3 += fabsf(v) == 3;
                m += v;
            }
            assert_true(n3 > 100 && n3 < 1900);
            assert_true(fabs(m / 2048) < 0.3);
        }
        bx_iq_destroy(r);
    }
}

static void test_tag_parse(void **s)
{
    (void)s;
    char tag[400], err[512];
    tmp_path(tag, sizeof tag, "x.tag");
    const char *txt = "PROG = pocket_dump\nTIME = 2021/11/25 00:40:00\nFMT  = INT8\nF_S  = 12.000000\n"
                      "F_LO = 1572.420000\nF_IF = 3.0\nIQ   = 1\n";
    write_file(tag, txt, strlen(txt));
    bx_iq_params_t p;
    bx_iq_params_init(&p);
    assert_int_equal(bx_iq_tag_read(tag, &p, err, sizeof err), BX_OK);
    assert_int_equal(p.format, BX_IQ_RI8);
    assert_true(p.fs_hz == 12e6 && fabs(p.fc_hz - 1572.42e6) < 1e-3 && p.if_hz == 3e6);
    /* INT8X2: PocketSDR's (Q negated) unless SignalSim's IFDataGen wrote the tag (plain I + jQ) */
    const char *pk = "PROG = pocket_dump\nFMT = INT8X2\nF_S = 4\nF_LO = 1575.42\nIQ = 2\n";
    write_file(tag, pk, strlen(pk));
    bx_iq_params_init(&p);
    assert_int_equal(bx_iq_tag_read(tag, &p, err, sizeof err), BX_OK);
    assert_int_equal(p.format, BX_IQ_INT8X2);
    const char *ss = "FMT  = INT8X2\nPROG = IFDataGen\nF_S  = 4.092000\n";
    write_file(tag, ss, strlen(ss));
    bx_iq_params_init(&p);
    assert_int_equal(bx_iq_tag_read(tag, &p, err, sizeof err), BX_OK);
    assert_int_equal(p.format, BX_IQ_CI8);
    const char *cs = "FMT = CS8\nF_S = 4\n";
    write_file(tag, cs, strlen(cs));
    assert_int_equal(bx_iq_tag_read(tag, &p, err, sizeof err), BX_OK);
    assert_int_equal(p.format, BX_IQ_CI8);
    const char *bad = "FMT = INT4X2\n";
    write_file(tag, bad, strlen(bad));
    assert_int_equal(bx_iq_tag_read(tag, &p, err, sizeof err), BX_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "INT4X2"));
    const char *bad2 = "F_S = fast\n";
    write_file(tag, bad2, strlen(bad2));
    assert_int_equal(bx_iq_tag_read(tag, &p, err, sizeof err), BX_ERR_FORMAT);
}

static void test_parse_flag(void **s)
{
    (void)s;
    bx_iq_params_t p;
    bx_iq_params_init(&p);
    assert_int_equal(p.format, -1);
    assert_true(isnan(p.if_hz));
    assert_int_equal(cli_iq_parse_flag(&p, "--fs", "4.092M"), 1);
    assert_true(fabs(p.fs_hz - 4.092e6) < 1e-6);
    assert_int_equal(cli_iq_parse_flag(&p, "--fc", "1575.42e6"), 1);
    assert_true(p.fc_hz == 1575.42e6);
    assert_int_equal(cli_iq_parse_flag(&p, "--if", "-250k"), 1);
    assert_true(p.if_hz == -250e3);
    assert_int_equal(cli_iq_parse_flag(&p, "--format", "ri1"), 1);
    assert_int_equal(p.format, BX_IQ_RI1);
    assert_int_equal(cli_iq_parse_flag(&p, "--prn", "3"), 0);
    assert_int_equal(cli_iq_parse_flag(&p, "--fs", "fast"), BX_ERR_ARG);
    assert_int_equal(cli_iq_parse_flag(&p, "--fs", "-1"), BX_ERR_ARG);
    assert_int_equal(cli_iq_parse_flag(&p, "--fs", NULL), BX_ERR_ARG);
    assert_int_equal(cli_iq_parse_flag(&p, "--format", "cu8"), BX_ERR_ARG);
    assert_non_null(strstr(cli_iq_flag_help(), "--format"));
}

static void test_errors(void **s)
{
    (void)s;
    char path[400], meta[400], err[512];
    bx_iq_reader_t *r = (bx_iq_reader_t *)&r;
    bx_iq_params_t fl;
    bx_iq_params_init(&fl);
    fl.format = BX_IQ_CI8;
    fl.fs_hz = 2e6;

    /* size not a multiple of the sample size */
    static uint8_t junk[1001];
    tmp_path(path, sizeof path, "odd.bin");
    write_file(path, junk, sizeof junk);
    assert_int_equal(bx_iq_open(path, &fl, &r, err, sizeof err), BX_ERR_FORMAT);
    assert_null(r);
    assert_non_null(strstr(err, "size 1001 is not a multiple of 2 bytes per complex int8 sample"));

    /* missing file */
    tmp_path(path, sizeof path, "nope.bin");
    assert_int_equal(bx_iq_open(path, &fl, &r, err, sizeof err), BX_ERR_IO);
    assert_non_null(strstr(err, "nope.bin"));

    /* missing fs / format / IF of a real format */
    tmp_path(path, sizeof path, "ok.bin");
    write_file(path, junk, 1000);
    bx_iq_params_t f2 = fl;
    f2.fs_hz = 0;
    assert_int_equal(bx_iq_open(path, &f2, &r, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "--fs"));
    f2 = fl;
    f2.format = -1;
    assert_int_equal(bx_iq_open(path, &f2, &r, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "--format"));
    assert_int_equal(bx_iq_open(path, NULL, &r, err, sizeof err), BX_ERR_ARG);
    f2 = fl;
    f2.format = BX_IQ_RI8;
    assert_int_equal(bx_iq_open(path, &f2, &r, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "--if"));

    /* a directory */
    assert_int_equal(bx_iq_open(tmpdir, &fl, &r, err, sizeof err), BX_ERR_IO);

    /* broken and unsupported SigMF sidecars */
    tmp_path(meta, sizeof meta, "ok.bin.sigmf-meta");
    write_file(meta, "{ \"global\": ", 12);
    assert_int_equal(bx_iq_open(path, &fl, &r, err, sizeof err), BX_ERR_FORMAT);
    assert_non_null(strstr(err, "invalid JSON"));
    const char *be = "{\"global\":{\"core:datatype\":\"ci16_be\",\"core:sample_rate\":2e6},\"captures\":[]}";
    write_file(meta, be, strlen(be));
    assert_int_equal(bx_iq_open(path, NULL, &r, err, sizeof err), BX_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "ci16_be"));
    const char *neg = "{\"global\":{\"core:datatype\":\"ci8\",\"core:sample_rate\":-5},\"captures\":[]}";
    write_file(meta, neg, strlen(neg));
    assert_int_equal(bx_iq_open(path, NULL, &r, err, sizeof err), BX_ERR_FORMAT);
    unlink(meta);

    /* a stream (pipe) that ends inside a sample */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "\x01\x02\x03", 3), 3);
    close(fds[1]);
    char dev[64];
    snprintf(dev, sizeof dev, "/dev/fd/%d", fds[0]);
    assert_int_equal(bx_iq_open(dev, &fl, &r, err, sizeof err), BX_OK);
    assert_int_equal(bx_iq_total_samples(r), -1);
    bx_cf32_t out[4];
    long k = bx_iq_read(r, out, 4);
    assert_true(k < 0);
    assert_non_null(strstr(bx_iq_error(r), "truncated last sample"));
    bx_iq_destroy(r);
    close(fds[0]);

    /* a clean stream reads to its end; forward seeks work, backward ones do not */
    assert_int_equal(pipe(fds), 0);
    uint8_t six[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(write(fds[1], six, 6), 6);
    close(fds[1]);
    snprintf(dev, sizeof dev, "/dev/fd/%d", fds[0]);
    assert_int_equal(bx_iq_open(dev, &fl, &r, err, sizeof err), BX_OK);
    assert_int_equal(bx_iq_seek(r, 1), BX_OK);
    assert_int_equal(bx_iq_read(r, out, 4), 2);
    assert_true(crealf(out[0]) == 3 && cimagf(out[1]) == 6);
    assert_int_equal(bx_iq_seek(r, 0), BX_ERR_UNSUPPORTED);
    assert_int_equal(bx_iq_read(r, out, 4), 0);
    bx_iq_destroy(r);
    close(fds[0]);
}

/* ---- the shared SignalSim captures against their truth files ----
 * Independent check of the ci2 layout (and the tag): every satellite of the first truth epoch must
 * correlate at its truth code phase and Doppler, and not at the mirrored Doppler (an I/Q swap or a
 * sign error in Q conjugates the spectrum) nor one and a half chips off.  The replica follows the
 * truth's transmit time tau(k) = tx_time_tow + k (1 + doppler/f) / fs (signals.md §1.3: chip = tau x
 * chip rate, pilot secondary chip = primary period of the frame). */
typedef struct {
    int b1c;
    double fs, f_hz, chip_hz;
    int8_t cp[10230], cs[1800];
} truth_rep_t;

static double complex truth_corr(const bx_cf32_t *x, size_t n, const truth_rep_t *t, double tow, double dopp,
                                 double dopp_used, double off_chips)
{
    const int frame = t->b1c ? 18 : 3, sec_len = t->b1c ? 1800 : 100;
    const double rate = 1.0 + dopp / t->f_hz;
    const double tau0 = fmod(tow, frame);
    double complex acc = 0;
    for (size_t k = 0; k < n; k++) {
        double c = (tau0 + (double)k * rate / t->fs) * t->chip_hz - off_chips;
        long period = (long)floor(c / 10230.0);
        double cph = c - (double)period * 10230.0;
        int chip = (int)cph;
        double v = t->cs[period % sec_len] * t->cp[chip];
        if (t->b1c)
            v *= (cph - chip) < 0.5 ? 1.0 : -1.0; /* BOC(1,1) */
        acc += (double complex)x[k] * v * cexp(-2.0 * M_PI * I * dopp_used * (double)k / t->fs);
    }
    return acc;
}

static void check_truth(const char *bin_rel, const char *truth_rel, int b1c, double seconds)
{
    char bin[1024], tru[1024], err[1024];
    if (!testdata_path(bin, sizeof bin, bin_rel) || !testdata_path(tru, sizeof tru, truth_rel))
        skip();
    json_error_t je;
    json_t *root = json_load_file(tru, 0, &je);
    assert_non_null(root);
    json_t *sats = json_object_get(json_array_get(json_object_get(root, "epochs"), 0), "sats");
    assert_true(json_array_size(sats) >= 4);
    bx_iq_reader_t *r;
    assert_int_equal(bx_iq_open(bin, NULL, &r, err, sizeof err), BX_OK);
    truth_rep_t *t = malloc(sizeof *t);
    t->b1c = b1c;
    t->fs = bx_iq_params(r)->fs_hz;
    t->f_hz = b1c ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    t->chip_hz = b1c ? 1.023e6 : 10.23e6;
    size_t n = (size_t)(t->fs * seconds);
    bx_cf32_t *x = malloc(n * sizeof *x);
    assert_int_equal(bx_iq_read(r, x, n), (long)n);
    int checked = 0;
    for (size_t i = 0; i < json_array_size(sats); i++) {
        json_t *sv = json_array_get(sats, i);
        double cn0 = json_number_value(json_object_get(sv, "cn0_effective_total_dbhz"));
        if (cn0 < 40.0)
            continue;
        int prn = (int)json_integer_value(json_object_get(sv, "prn"));
        double dopp = json_number_value(json_object_get(sv, "doppler_hz"));
        double tow = json_number_value(json_object_get(sv, "tx_time_tow_s"));
        assert_int_equal(bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, prn, t->cp, 10230), 10230);
        assert_true(bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, prn, t->cs, 1800) > 0);
        double a = cabs(truth_corr(x, n, t, tow, dopp, dopp, 0.0));
        double mirror = cabs(truth_corr(x, n, t, tow, dopp, -dopp, 0.0));
        double off = cabs(truth_corr(x, n, t, tow, dopp, dopp, 1.5));
        /* noise level: complex variance per sample, measured */
        double var = 0;
        for (size_t k = 0; k < n; k++)
            var += crealf(x[k]) * crealf(x[k]) + cimagf(x[k]) * cimagf(x[k]);
        var /= (double)n;
        double snr_db = 10.0 * log10(a * a / ((double)n * var));
        printf("%s PRN %d: truth-aligned pilot SNR %.1f dB, mirrored-Doppler %.2f, 1.5-chip-off %.2f (relative)\n",
               b1c ? "B1C" : "B2a", prn, snr_db, mirror / a, off / a);
        assert_true(snr_db > 12.0);
        assert_true(mirror < 0.25 * a && off < 0.25 * a);
        checked++;
    }
    assert_true(checked >= 4);
    free(x);
    free(t);
    bx_iq_destroy(r);
    json_decref(root);
}

static void test_signalsim_truth_b1c(void **s)
{
    (void)s;
    check_truth("signalsim/b1c_static_30s.bin", "signalsim/b1c_static.truth.json", 1, 0.020);
}

static void test_signalsim_truth_b2a(void **s)
{
    (void)s;
    check_truth("signalsim/b2a_static_1s.bin", "signalsim/b2a_static.truth.json", 0, 0.010);
}

/* ---- a real 1-bit SnapperGPS snapshot (ri1 bit order) ----
 * The dataset README states C19's B1C pilot at code phase 4.576 ms with peak/mean 99.7 in its own
 * search (1-bit real, 4.092 MHz, IF = fs so the carrier lands near 0 Hz).  With the documented
 * LSB-first order the pilot must show a strong peak there; reading the bits MSB-first scrambles the
 * samples and the peak collapses (measured here: ~100 vs ~32). */
static int base64_decode(const char *s, uint8_t *out, int max)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int n = 0, bits = 0;
    unsigned v = 0;
    for (; *s && n < max; s++) {
        const char *p = strchr(tab, *s);
        if (*s == '=' || !p)
            continue;
        v = (v << 6) | (unsigned)(p - tab);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(v >> bits);
        }
    }
    return n;
}

/* sum_k xm[k] rep[(k - lag) mod n], 0 <= lag < n */
static float complex circ_dot(const float complex *xm, const float *rep, int n, int lag)
{
    float complex acc = 0;
    for (int k = 0; k < lag; k++)
        acc += xm[k] * rep[k - lag + n];
    for (int k = lag; k < n; k++)
        acc += xm[k] * rep[k - lag];
    return acc;
}

/* best |R|^2 over lags lag0-4..lag0+4 and Doppler +-6 kHz (50 Hz) divided by the mean |R|^2 at
 * 300 far lags of the best Doppler */
static double snapper_peak_ratio(const bx_cf32_t *x, const float *rep, int n, double fs, int lag0)
{
    static float complex xm[40920];
    double best = 0, best_fd = 0;
    for (double fd = -6000; fd <= 6000; fd += 50) {
        double complex w = cexp(-2.0 * M_PI * I * fd / fs), ph = 1;
        for (int k = 0; k < n; k++, ph *= w)
            xm[k] = x[k] * (float complex)ph;
        for (int lag = lag0 - 4; lag <= lag0 + 4; lag++) {
            float complex acc = circ_dot(xm, rep, n, lag);
            double p = crealf(acc) * crealf(acc) + cimagf(acc) * cimagf(acc);
            if (p > best)
                best = p, best_fd = fd;
        }
    }
    double complex w = cexp(-2.0 * M_PI * I * best_fd / fs), ph = 1;
    for (int k = 0; k < n; k++, ph *= w)
        xm[k] = x[k] * (float complex)ph;
    double noise = 0;
    for (int j = 0; j < 300; j++) {
        int lag = (lag0 + 400 + j * 131) % n;
        float complex acc = circ_dot(xm, rep, n, lag);
        noise += crealf(acc) * crealf(acc) + cimagf(acc) * cimagf(acc);
    }
    return best / (noise / 300);
}

static void test_snapper_ri1(void **s)
{
    (void)s;
    char path[1024];
    if (!testdata_path(path, sizeof path, "real/snapper_l1_snapshots/snapshots/w00.json"))
        skip();
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    const char *b64 = json_string_value(
        json_object_get(json_array_get(json_object_get(root, "snapshots"), 0), "data"));
    assert_non_null(b64);
    static uint8_t raw[6138], rev[6138];
    assert_int_equal(base64_decode(b64, raw, sizeof raw), 6138); /* 12 ms x 4.092 MHz / 8 */
    json_decref(root);
    enum { N = 40920 }; /* one 10-ms B1C primary period */
    const double fs = 4.092e6;
    static bx_cf32_t x[N];
    static float rep[N];
    static int8_t code[10230];
    assert_int_equal(bx_code_gen(BX_CODE_B1CP, 19, code, 10230), 10230);
    for (int k = 0; k < N; k++) /* 4 samples per chip: BOC(1,1) halves of 2 samples */
        rep[k] = (float)(code[k / 4] * ((k % 4) < 2 ? 1 : -1));
    const int lag = (int)lround(4.576e-3 * fs); /* README: code phase 4.576 ms */
    assert_int_equal(bx_iq_convert(BX_IQ_RI1, raw, N, x), BX_OK);
    double ratio = snapper_peak_ratio(x, rep, N, fs, lag);
    for (int i = 0; i < 6138; i++) { /* the same bytes read MSB-first */
        uint8_t b = raw[i], o = 0;
        for (int k = 0; k < 8; k++)
            o |= (uint8_t)(((b >> k) & 1u) << (7 - k));
        rev[i] = o;
    }
    assert_int_equal(bx_iq_convert(BX_IQ_RI1, rev, N, x), BX_OK);
    double ratio_rev = snapper_peak_ratio(x, rep, N, fs, lag);
    printf("SnapperGPS w00 #0 C19 B1C pilot at 4.576 ms: peak/mean %.1f (LSB-first), %.1f (MSB-first)\n", ratio,
           ratio_rev);
    assert_true(ratio > 60.0);
    assert_true(ratio > 2.0 * ratio_rev);
}

/* ---- bdsrx info (src/cli/cli_info.c), through the built binary ---- */
static void test_cli_info(void **s)
{
    (void)s;
    char bin[512], path[1024];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: %s not built; skipping the info CLI test\n", bin);
        skip();
    }
    /* own capture: 1000 ci16 samples at 2 MHz given by flags */
    char cap[400];
    tmp_path(cap, sizeof cap, "info.bin");
    static uint8_t z[4004]; /* 4000 bytes here, 4004 (not whole cf32 samples) below */
    write_file(cap, z, 4000);
    tu_opts_t merged = {.merge_err = 1};
    tu_result_t r;
    assert_int_equal(tu_runl(&r, &merged, bin, "info", cap, "--format", "ci16", "--fs", "2M", "--fc", "1176.45M", NULL), 0);
    assert_non_null(strstr(r.out, "ci16"));
    assert_non_null(strstr(r.out, "samples     1000"));
    assert_non_null(strstr(r.out, "duration    0.000500"));
    assert_non_null(strstr(r.out, "1176.450000 MHz"));
    tu_result_free(&r);
    /* wrong sample size: exit 1 and the reader's message */
    write_file(cap, z, sizeof z);
    assert_int_equal(tu_runl(&r, NULL, bin, "info", cap, "--format", "cf32", "--fs", "2M", NULL), 1);
    assert_non_null(strstr(r.err, "not a multiple of 8 bytes per complex float32"));
    tu_result_free(&r);
    /* a shared SignalSim capture through its tag */
    if (!testdata_path(path, sizeof path, "signalsim/b2a_static_1s.bin"))
        return;
    assert_int_equal(tu_runl(&r, &merged, bin, "info", path, NULL), 0);
    assert_non_null(strstr(r.out, "ci2"));
    assert_non_null(strstr(r.out, "20.460000 MHz"));
    assert_non_null(strstr(r.out, "samples     20460000"));
    assert_non_null(strstr(r.out, "PocketSDR tag"));
    tu_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors), cmocka_unit_test(test_sizes_and_names),
        cmocka_unit_test(test_roundtrip),     cmocka_unit_test(test_reader_formats),
        cmocka_unit_test(test_sigmf_roundtrip), cmocka_unit_test(test_shared_tags),
        cmocka_unit_test(test_tag_parse),     cmocka_unit_test(test_parse_flag),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_signalsim_truth_b1c),
        cmocka_unit_test(test_signalsim_truth_b2a), cmocka_unit_test(test_snapper_ri1),
        cmocka_unit_test(test_cli_info),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
