/* Sample sources without hardware: the file source (direct and through the
 * reader thread + ring), overflow accounting under an injected consumer stall,
 * URI options, and the device back ends' errors when no device is present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <rtl-sdr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bdsrx/sink.h"
#include "bdsrx/source.h"
#include "testdata.h"
#include "testutil.h"

#define NBYTES (1 << 20) /* 512 Ki ci8 samples */

static char g_path[64];
static uint8_t *g_data;

static int setup(void **state)
{
    (void)state;
    snprintf(g_path, sizeof g_path, "/tmp/bdsrx_test_source_XXXXXX");
    int fd = mkstemp(g_path);
    if (fd < 0)
        return -1;
    g_data = malloc(NBYTES);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < NBYTES; i++) { /* xorshift: full-range int8 values */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        g_data[i] = (uint8_t)(x >> 24);
    }
    int ok = write(fd, g_data, NBYTES) == NBYTES;
    close(fd);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(g_path);
    free(g_data);
    return 0;
}

static bx_source_t *open_uri(const char *fmt, ...)
{
    char uri[512], err[256] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(uri, sizeof uri, fmt, ap);
    va_end(ap);
    bx_source_t *s = NULL;
    int st = bx_source_open(uri, NULL, &s, err, sizeof err);
    if (st != BX_OK)
        print_error("open %s: %s\n", uri, err);
    assert_int_equal(st, BX_OK);
    return s;
}

/* Raw reads return the file bytes exactly; float reads are the int8 values
 * times one common scale (whatever normalisation bx_iq_convert uses). */
static void test_file_direct(void **state)
{
    (void)state;
    bx_source_t *s = open_uri("file:%s?format=ci8&fs=2e6&fc=1575.42e6", g_path);
    const bx_source_info_t *in = bx_source_info(s);
    assert_string_equal(in->kind, "file");
    assert_int_equal(in->format, BX_IQ_CI8);
    assert_true(in->fs_hz == 2e6 && in->fc_hz == 1575.42e6);
    assert_int_equal(in->total_samples, NBYTES / 2);
    assert_int_equal(in->live, 0);
    uint8_t *buf = malloc(NBYTES);
    size_t got = 0;
    bx_source_block_info_t bi;
    long n;
    while ((n = bx_source_read_raw(s, buf + got, 7777, &bi)) > 0) {
        assert_int_equal(bi.first_sample, got / 2);
        assert_int_equal(bi.dropped, 0);
        got += 2 * (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(got, NBYTES);
    assert_memory_equal(buf, g_data, NBYTES);
    bx_source_destroy(s);
    free(buf);

    s = open_uri("%s?format=ci8&fs=2e6", g_path); /* bare path works too */
    bx_cf32_t x[1000];
    n = bx_source_read(s, x, 1000, &bi);
    assert_int_equal(n, 1000);
    float k = 0;
    for (int i = 0; i < 1000 && k == 0; i++)
        if ((int8_t)g_data[2 * i])
            k = crealf(x[i]) / (int8_t)g_data[2 * i];
    assert_true(k > 0);
    for (int i = 0; i < 1000; i++) {
        assert_true(fabsf(crealf(x[i]) - k * (int8_t)g_data[2 * i]) <= 1e-6f * fabsf(k) * 128);
        assert_true(fabsf(cimagf(x[i]) - k * (int8_t)g_data[2 * i + 1]) <= 1e-6f * fabsf(k) * 128);
    }
    bx_source_destroy(s);
}

/* Through the reader thread and a ring big enough for the whole file: no loss. */
static void test_file_live_no_loss(void **state)
{
    (void)state;
    bx_source_t *s = open_uri("file:%s?format=ci8&fs=2e6&live=1&ring=4194304&block=3000", g_path);
    assert_int_equal(bx_source_info(s)->live, 1);
    uint8_t *buf = malloc(NBYTES);
    size_t got = 0;
    bx_source_block_info_t bi;
    long n;
    while ((n = bx_source_read_raw(s, buf + got, 5001, &bi)) > 0) {
        assert_int_equal(bi.first_sample, got / 2);
        assert_int_equal(bi.dropped, 0);
        assert_true(bi.time_s > 1.6e9); /* host UTC */
        got += 2 * (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(got, NBYTES);
    assert_memory_equal(buf, g_data, NBYTES);
    bx_source_stats_t st;
    bx_source_stats(s, &st);
    assert_int_equal(st.dropped_samples, 0);
    assert_int_equal(st.samples_produced, NBYTES / 2);
    bx_source_destroy(s);
    free(buf);
}

/* Polls the source's loss counter (polling interval 5 ms) until it reaches `want`; 0 if the
 * generous deadline passed first. */
static int wait_dropped(bx_source_t *s, uint64_t want)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        bx_source_stats_t st;
        bx_source_stats(s, &st);
        if (st.dropped_samples >= want)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 120)
            return 0;
        poll(NULL, 0, 5);
    }
}

/* Polls /proc/PID/fd{,info} (interval 5 ms) until the process's descriptor on `path` is at
 * offset `size` (the file read to its end); 0 if the generous deadline passed first. */
static int wait_file_read(pid_t pid, const char *path, long size)
{
    char real[4096];
    if (!realpath(path, real))
        return 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        for (int fd = 0; fd < 256; fd++) {
            char l[64], target[4096];
            snprintf(l, sizeof l, "/proc/%d/fd/%d", (int)pid, fd);
            ssize_t n = readlink(l, target, sizeof target - 1);
            if (n <= 0)
                continue;
            target[n] = 0;
            if (strcmp(target, real))
                continue;
            snprintf(l, sizeof l, "/proc/%d/fdinfo/%d", (int)pid, fd);
            FILE *fi = fopen(l, "r");
            long pos = -1;
            if (fi) {
                if (fscanf(fi, "pos: %ld", &pos) != 1)
                    pos = -1;
                fclose(fi);
            }
            if (pos >= size)
                return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 120)
            return 0;
        poll(NULL, 0, 5);
    }
}

/* Injected stall: a 64 KiB ring, the producer runs flat out while the consumer
 * sleeps.  Losses must be counted, reported at the right stream position, and
 * every delivered sample must still be the file's sample at first_sample. */
static void test_stall_counts_drops(void **state)
{
    (void)state;
    bx_source_t *s = open_uri("file:%s?format=ci8&fs=2e6&live=1&ring=65536&block=4096&pace=4", g_path);
    uint8_t buf[2 * 4096];
    bx_source_block_info_t bi;
    long n;
    uint64_t delivered = 0, dropped = 0, gaps = 0, expect = 0;
    int stalled = 0;
    while ((n = bx_source_read_raw(s, buf, 4096, &bi)) > 0) {
        if (bi.dropped) {
            gaps++;
            assert_true(bi.drop_time_s > 1.6e9);
        }
        assert_int_equal(bi.first_sample, expect + bi.dropped);
        assert_memory_equal(buf, g_data + 2 * bi.first_sample, 2 * (size_t)n);
        dropped += bi.dropped;
        assert_int_equal(bi.dropped_total, dropped);
        delivered += (uint64_t)n;
        expect = bi.first_sample + (uint64_t)n;
        if (!stalled && delivered > 20000) {
            /* the consumer stalls until the producer has counted a loss (an event: the rest of
             * the file is 8 times the ring, so it must come; the deadline only bounds a failure) */
            assert_true(wait_dropped(s, 1));
            stalled = 1;
        }
    }
    assert_int_equal(n, 0);
    bx_source_stats_t st;
    bx_source_stats(s, &st);
    print_message("stall: delivered %llu, dropped %llu in %llu gaps, ring fill max %zu of %zu\n",
                  (unsigned long long)delivered, (unsigned long long)dropped, (unsigned long long)gaps,
                  st.ring_fill_max, st.ring_capacity);
    assert_true(dropped > 0);
    assert_true(gaps >= 1);
    assert_int_equal(st.dropped_samples, dropped);
    assert_int_equal(delivered + dropped, NBYTES / 2);
    assert_true(st.drop_events >= gaps);
    assert_true(st.last_drop_time_s > 1.6e9);
    bx_source_destroy(s);
}

/* wait=1: a 64 KiB ring and a consumer that stalls until the ring has been full: the reader
 * waits instead of dropping, every sample arrives in order (bdsrx live with several file
 * sources).  gap_at/gap: exactly one loss of `gap` samples at sample gap_at, reported like an
 * overflow, and every delivered sample still the file's sample at first_sample. */
static void test_file_live_wait_and_gap(void **state)
{
    (void)state;
    bx_source_t *s = open_uri("file:%s?format=ci8&fs=2e6&live=1&wait=1&ring=65536&block=4096", g_path);
    uint8_t *buf = malloc(NBYTES);
    size_t got = 0;
    bx_source_block_info_t bi;
    long n;
    int stalled = 0;
    while ((n = bx_source_read_raw(s, buf + got, 3000, &bi)) > 0) {
        assert_int_equal(bi.first_sample, got / 2);
        assert_int_equal(bi.dropped, 0);
        got += 2 * (size_t)n;
        if (!stalled) { /* until the ring has been (nearly) full: the reader had to wait */
            struct timespec t0, t;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (;;) {
                bx_source_stats_t st;
                bx_source_stats(s, &st);
                if (st.ring_fill_max + 8192 >= st.ring_capacity)
                    break;
                clock_gettime(CLOCK_MONOTONIC, &t);
                assert_true(t.tv_sec - t0.tv_sec < 120);
                poll(NULL, 0, 5);
            }
            stalled = 1;
        }
    }
    assert_int_equal(n, 0);
    assert_int_equal(got, NBYTES);
    assert_memory_equal(buf, g_data, NBYTES);
    bx_source_stats_t st;
    bx_source_stats(s, &st);
    assert_int_equal(st.dropped_samples, 0);
    bx_source_destroy(s);

    s = open_uri("file:%s?format=ci8&fs=2e6&live=1&wait=1&ring=65536&block=4096&gap_at=100000&gap=5000", g_path);
    uint64_t delivered = 0, dropped = 0, expect = 0, at = 0;
    int gaps = 0;
    while ((n = bx_source_read_raw(s, buf, 3000, &bi)) > 0) {
        if (bi.dropped) {
            gaps++;
            at = bi.first_sample;
        }
        assert_int_equal(bi.first_sample, expect + bi.dropped);
        assert_memory_equal(buf, g_data + 2 * bi.first_sample, 2 * (size_t)n);
        dropped += bi.dropped;
        delivered += (uint64_t)n;
        expect = bi.first_sample + (uint64_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(gaps, 1);
    assert_int_equal(dropped, 5000);
    assert_int_equal(at, 105000);
    assert_int_equal(delivered + dropped, NBYTES / 2);
    bx_source_destroy(s);
    free(buf);
}

/* Stop from another context ends a live read cleanly. */
static void test_stop(void **state)
{
    (void)state;
    bx_source_t *s = open_uri("file:%s?format=ci8&fs=1e6&live=1&pace=1", g_path); /* 0.5 s */
    bx_cf32_t x[1024];
    bx_source_block_info_t bi;
    assert_true(bx_source_read(s, x, 1024, &bi) > 0);
    bx_source_stop(s);
    long n, total = 0;
    while ((n = bx_source_read(s, x, 1024, &bi)) > 0)
        total += n;
    assert_int_equal(n, 0);
    assert_true(total < NBYTES / 2);
    bx_source_destroy(s);
}

static void expect_open_error(const char *uri, int status, const char *needle)
{
    char err[256] = "";
    bx_source_t *s = NULL;
    int st = bx_source_open(uri, NULL, &s, err, sizeof err);
    print_message("%s -> %d \"%s\"\n", uri, st, err);
    assert_int_equal(st, status);
    assert_null(s);
    assert_non_null(strstr(err, needle));
}

static void test_uri_errors(void **state)
{
    (void)state;
    char uri[256];
    snprintf(uri, sizeof uri, "%s?format=ci8&bogus=1", g_path);
    expect_open_error(uri, BX_ERR_ARG, "unknown option 'bogus'");
    snprintf(uri, sizeof uri, "%s?format=ci9", g_path);
    expect_open_error(uri, BX_ERR_ARG, "unknown format 'ci9'");
    snprintf(uri, sizeof uri, "%s?format=ci8&fs=fast", g_path);
    expect_open_error(uri, BX_ERR_ARG, "not a number");
    expect_open_error("", BX_ERR_ARG, "empty source URI");
}

static void test_rtlsdr_no_device(void **state)
{
    (void)state;
    if (rtlsdr_get_device_count() > 0) {
        printf("SKIP: an RTL-SDR is attached; the no-device error cannot be checked\n");
        skip();
    }
    expect_open_error("rtlsdr:0?freq=1575.42e6&fs=2.048e6", BX_ERR_DEVICE, "no RTL-SDR found");
    expect_open_error("rtlsdr:serial=00000001", BX_ERR_DEVICE, "no RTL-SDR found");
}

static void test_pocket_no_device(void **state)
{
    (void)state;
    char err[256] = "";
    bx_source_t *s = NULL;
    int st = bx_source_open("pocket:?ch=1", NULL, &s, err, sizeof err);
    if (st == BX_OK) {
        printf("SKIP: a Pocket SDR front end is attached\n");
        bx_source_destroy(s);
        skip();
    }
    print_message("pocket -> %d \"%s\"\n", st, err);
    assert_int_equal(st, BX_ERR_DEVICE);
    assert_true(strstr(err, "no Pocket SDR front end found") || strstr(err, "libusb"));
    expect_open_error("pocket:?ch=3", BX_ERR_ARG, "channel 3");
}

/* Real PocketSDR capture (int8 IQ, +-1/+-3): bytes through the live path unchanged. */
static void test_real_capture(void **state)
{
    (void)state;
    char path[512], uri[600];
    if (!testdata_path(path, sizeof path, "real/pocketsdr_l1_iq/L1_20211202_084700_4MHz_IQ.bin"))
        skip();
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t want[4000000], got[4000000];
    size_t nw = fread(want, 1, sizeof want, f);
    fclose(f);
    assert_int_equal(nw, 4000000);
    snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=4e6&fc=1575.42e6&live=1", path);
    bx_source_t *s = open_uri("%s", uri);
    size_t off = 0;
    long n;
    bx_source_block_info_t bi;
    while ((n = bx_source_read_raw(s, got + off, 65536, &bi)) > 0)
        off += 2 * (size_t)n;
    assert_int_equal(off, nw);
    assert_memory_equal(got, want, nw);
    bx_source_destroy(s);
}


/* ---- capture sink and the tools ----------------------------------------- */

/* Sink writes of complex float into ci2, split across calls so a partial
 * byte is carried; the bytes are checked against the testdata/README.md
 * layout (bits 1:0 I(n), 3:2 Q(n), 5:4 I(n+1), 7:6 Q(n+1); bit 1 sign,
 * bit 0 magnitude) computed by hand. */
static void test_sink_ci2(void **state)
{
    (void)state;
    char out[96], meta[128], err[256];
    snprintf(out, sizeof out, "%s.sink", g_path);
    snprintf(meta, sizeof meta, "%s.sigmf-meta", out);
    bx_sink_meta_t m;
    bx_sink_meta_init(&m);
    m.format = BX_IQ_CI2;
    m.fs_hz = 4.092e6;
    m.fc_hz = 1575.42e6;
    bx_sink_t *k = NULL;
    assert_int_equal(bx_sink_create(out, &m, 1, &k, err, sizeof err), BX_OK);
    bx_cf32_t x[5] = {1 + 3 * I, -1 - 3 * I, -3 + 1 * I, 3 - 1 * I, -1 + 1 * I};
    assert_int_equal(bx_sink_write_cf32(k, x, 3, 1.0f), BX_OK);
    assert_int_equal(bx_sink_write_cf32(k, x + 3, 2, 1.0f), BX_OK);
    assert_int_equal(bx_sink_finish(k, err, sizeof err), BX_OK);
    bx_sink_destroy(k);
    size_t n = 0;
    FILE *f = fopen(out, "rb");
    uint8_t b[8];
    n = fread(b, 1, sizeof b, f);
    fclose(f);
    /* 11 10 01 00 = 0xE4; 10 01 00 11 = 0x93; last: I=-1:10 Q=+1:00, unused bits 0 -> 0x02 */
    assert_int_equal(n, 3);
    assert_int_equal(b[0], 0xE4);
    assert_int_equal(b[1], 0x93);
    assert_int_equal(b[2], 0x02);
    json_error_t je;
    json_t *r = json_load_file(meta, 0, &je);
    assert_non_null(r);
    json_t *g = json_object_get(r, "global");
    assert_string_equal(json_string_value(json_object_get(g, "bdsrx:format")), "ci2");
    assert_true(json_number_value(json_object_get(g, "core:sample_rate")) == 4.092e6);
    json_decref(r);
    unlink(out);
    unlink(meta);
}

/* Runs bin/<prog> with args (NULL-terminated); returns the exit status, -1000 when not built.
 * Its messages go to the test's output. */
static int run_tool(const char *prog, ...)
{
    char path[256];
    if (!tu_bin(path, sizeof path, prog)) {
        printf("SKIP: %s not built (run make all first)\n", path);
        return -1000;
    }
    const char *argv[16] = {path};
    va_list ap;
    va_start(ap, prog);
    int n = 1;
    while (n < 15 && (argv[n] = va_arg(ap, const char *)))
        n++;
    va_end(ap);
    argv[n] = NULL;
    tu_result_t r;
    int st = tu_run(&r, argv, NULL);
    fputs(r.out, stdout);
    fputs(r.err, stdout);
    tu_result_free(&r);
    return st;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    *n = 0; /* also on failure: callers compare sizes before checking the pointer */
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(sz > 0 ? (size_t)sz : 1);
    if (!b || sz < 0) {
        free(b);
        fclose(f);
        return NULL;
    }
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

/* Checks a SigMF sidecar's required fields; returns the parsed root. */
static json_t *check_sigmf(const char *meta, const char *datatype, double fs, double fc)
{
    json_error_t je;
    json_t *r = json_load_file(meta, 0, &je);
    if (!r)
        print_error("%s: %s (line %d)\n", meta, je.text, je.line);
    assert_non_null(r);
    json_t *g = json_object_get(r, "global");
    assert_non_null(g);
    assert_string_equal(json_string_value(json_object_get(g, "core:datatype")), datatype);
    assert_non_null(json_string_value(json_object_get(g, "core:version")));
    assert_true(json_number_value(json_object_get(g, "core:sample_rate")) == fs);
    json_t *caps = json_object_get(r, "captures");
    assert_true(json_is_array(caps) && json_array_size(caps) == 1);
    json_t *c0 = json_array_get(caps, 0);
    assert_int_equal(json_integer_value(json_object_get(c0, "core:sample_start")), 0);
    if (fc > 0)
        assert_true(json_number_value(json_object_get(c0, "core:frequency")) == fc);
    assert_true(json_is_array(json_object_get(r, "annotations")));
    return r;
}

/* Record from a file source: same bytes, valid sidecar, and the sidecar is
 * enough for the file source to reopen the recording without options. */
static void test_rec_roundtrip(void **state)
{
    (void)state;
    char uri[256], out[96], meta[128];
    snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=2e6&fc=1575.42e6", g_path);
    snprintf(out, sizeof out, "%s.rec.sigmf-data", g_path);
    snprintf(meta, sizeof meta, "%s.rec.sigmf-meta", g_path);
    int rc = run_tool("bdsrx-rec", "-q", uri, out, (char *)NULL);
    if (rc == -1000)
        skip();
    assert_int_equal(rc, 0);
    size_t n;
    uint8_t *b = slurp(out, &n);
    assert_non_null(b);
    assert_int_equal(n, NBYTES);
    assert_memory_equal(b, g_data, NBYTES);
    free(b);
    json_t *r = check_sigmf(meta, "ci8", 2e6, 1575.42e6);
    json_decref(r);
    /* reopen through the sidecar alone */
    char err[256];
    bx_source_t *s = NULL;
    int st = bx_source_open(out, NULL, &s, err, sizeof err);
    if (st)
        print_error("%s\n", err);
    assert_int_equal(st, BX_OK);
    assert_int_equal(bx_source_info(s)->format, BX_IQ_CI8);
    assert_true(bx_source_info(s)->fs_hz == 2e6);
    assert_true(bx_source_info(s)->fc_hz == 1575.42e6);
    bx_source_destroy(s);
    /* --max-bytes and --duration limits */
    rc = run_tool("bdsrx-rec", "-q", "--max-bytes", "1000", uri, out, (char *)NULL);
    assert_int_equal(rc, 0);
    b = slurp(out, &n);
    assert_int_equal(n, 1000);
    assert_memory_equal(b, g_data, 1000);
    free(b);
    rc = run_tool("bdsrx-rec", "-q", "-d", "0.01", uri, out, (char *)NULL);
    assert_int_equal(rc, 0);
    b = slurp(out, &n);
    assert_int_equal(n, 2 * 20000);
    free(b);
    /* clear errors */
    assert_int_equal(run_tool("bdsrx-rec", "-q", "rtlsdr:0", out, (char *)NULL), 1);
    assert_int_equal(run_tool("bdsrx-rec", "-q", uri, (char *)NULL), 2);
    assert_int_equal(run_tool("bdsrx-rec", "--help", (char *)NULL), 0);
    unlink(out);
    unlink(meta);
}

/* Convert round trips on the real 2-bit-valued PocketSDR capture (int8 +-1/+-3):
 * ci8 -> ci2 -> ci8 and ci8 -> cf32 -> ci16 -> ci8 are lossless. */
static void test_convert_roundtrips(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, "real/pocketsdr_l1_iq/L1_20211202_084700_4MHz_IQ.bin"))
        skip();
    char a[96], b2[96], c[96], d[96];
    snprintf(a, sizeof a, "%s.c2", g_path);
    snprintf(b2, sizeof b2, "%s.c8", g_path);
    snprintf(c, sizeof c, "%s.cf", g_path);
    snprintf(d, sizeof d, "%s.c16", g_path);
    int rc = run_tool("bdsrx-convert", "-q", "--format", "ci8", "--fs", "4e6", "--fc", "1575.42e6", path, a,
                      "--to", "ci2", (char *)NULL);
    if (rc == -1000)
        skip();
    assert_int_equal(rc, 0);
    size_t n0, n1, n2;
    uint8_t *orig = slurp(path, &n0), *x2 = slurp(a, &n1);
    assert_int_equal(n1, n0 / 4); /* 2 bytes per ci8 sample, 2 ci2 samples per byte */
    /* independent check of the ci2 bytes: decode by the README layout */
    for (size_t i = 0; i < 1000; i++) {
        unsigned nib = (x2[i / 2] >> (4 * (i & 1))) & 0xF;
        int vi = (nib & 1 ? 3 : 1) * (nib & 2 ? -1 : 1), vq = (nib & 4 ? 3 : 1) * (nib & 8 ? -1 : 1);
        assert_int_equal(vi, (int8_t)orig[2 * i]);
        assert_int_equal(vq, (int8_t)orig[2 * i + 1]);
    }
    free(x2);
    char meta[128];
    snprintf(meta, sizeof meta, "%s.sigmf-meta", a);
    json_decref(check_sigmf(meta, "ru8", 4e6, 1575.42e6)); /* packed: bytes + the bdsrx extension */
    /* back to ci8 using only the sidecar */
    assert_int_equal(run_tool("bdsrx-convert", "-q", a, b2, "--to", "ci8", (char *)NULL), 0);
    uint8_t *back = slurp(b2, &n2);
    assert_int_equal(n2, n0);
    assert_memory_equal(back, orig, n0);
    free(back);
    assert_int_equal(run_tool("bdsrx-convert", "-q", b2, c, "--to", "cf32", (char *)NULL), 0);
    assert_int_equal(run_tool("bdsrx-convert", "-q", c, d, "--to", "ci16", (char *)NULL), 0);
    assert_int_equal(run_tool("bdsrx-convert", "-q", d, b2, "--to", "ci8", (char *)NULL), 0);
    back = slurp(b2, &n2);
    assert_int_equal(n2, n0);
    assert_memory_equal(back, orig, n0);
    free(back);
    free(orig);
    assert_int_equal(run_tool("bdsrx-convert", "-q", path, b2, (char *)NULL), 2); /* no --to */
    const char *fs[] = {a, b2, c, d};
    for (int i = 0; i < 4; i++) {
        char m[128];
        snprintf(m, sizeof m, "%s.sigmf-meta", fs[i]);
        unlink(fs[i]);
        unlink(m);
    }
}

/* Replay flat out to a file equals the capture; at --rate 1 it takes the
 * capture's duration. */
static void test_replay(void **state)
{
    (void)state;
    char out[96], meta[128];
    snprintf(out, sizeof out, "%s.rep", g_path);
    snprintf(meta, sizeof meta, "%s.sigmf-meta", out);
    int rc = run_tool("bdsrx-replay", "-q", "--rate", "0", "--format", "ci8", "--fs", "2e6", "-o", out, g_path,
                      (char *)NULL);
    if (rc == -1000)
        skip();
    assert_int_equal(rc, 0);
    size_t n;
    uint8_t *b = slurp(out, &n);
    assert_int_equal(n, NBYTES);
    assert_memory_equal(b, g_data, NBYTES);
    free(b);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* 512 Ki samples at 2 Msps x rate 2 = 0.131 s */
    rc = run_tool("bdsrx-replay", "-q", "--rate", "2", "--format", "ci8", "--fs", "2e6", "-o", out, g_path,
                  (char *)NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    print_message("replay at rate 2: %.3f s (capture 0.262 s)\n", dt);
    assert_int_equal(rc, 0);
    assert_true(dt > 0.125 && dt < 1.0);
    unlink(out);
    unlink(meta);
}

/* Recorder under an injected stall: it writes into a FIFO that the test does
 * not read for 80 ms, so the recorder blocks, its ring overflows and samples
 * are dropped.  The file must keep its length (filler), the sidecar must
 * annotate every loss, and all other bytes must be the source's. */
static void test_rec_stall_annotated(void **state)
{
    (void)state;
    char path[256], fifo[96], meta[128], uri[256];
    if (!tu_bin(path, sizeof path, "bdsrx-rec")) {
        printf("SKIP: %s not built\n", path);
        skip();
    }
    snprintf(fifo, sizeof fifo, "%s.fifo", g_path);
    snprintf(meta, sizeof meta, "%s.sigmf-meta", fifo);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(uri, sizeof uri, "file:%s?format=ci8&fs=2e6&live=1&ring=65536&block=4096&pace=1", g_path);
    tu_proc_t rec;
    const char *argv[] = {path, "-q", uri, fifo, NULL};
    assert_int_equal(tu_spawn(&rec, argv, 0), 0);
    FILE *f = fopen(fifo, "rb");
    assert_non_null(f);
    /* nothing is read from the FIFO until bdsrx-rec's reader has read the whole input file
     * (its position in /proc/PID/fdinfo; an event, not a time): meanwhile the FIFO (64 KiB)
     * and the ring (64 KiB) fill up and the rest of the 1 MiB file must be dropped */
    assert_true(wait_file_read(rec.pid, g_path, NBYTES));
    uint8_t *got = malloc(2 * NBYTES);
    size_t n = fread(got, 1, 2 * NBYTES, f);
    fclose(f);
    assert_int_equal(tu_wait(&rec), 0);
    assert_int_equal(n, NBYTES);
    json_error_t je;
    json_t *r = json_load_file(meta, 0, &je);
    assert_non_null(r);
    json_t *ann = json_object_get(r, "annotations");
    size_t na = json_array_size(ann);
    uint64_t total = 0, prev_end = 0;
    for (size_t i = 0; i < na; i++) {
        json_t *a = json_array_get(ann, i);
        uint64_t s0 = (uint64_t)json_integer_value(json_object_get(a, "core:sample_start"));
        uint64_t c = (uint64_t)json_integer_value(json_object_get(a, "core:sample_count"));
        assert_string_equal(json_string_value(json_object_get(a, "core:label")), "dropped");
        assert_true(s0 >= prev_end && c > 0);
        /* kept samples before the gap are the source's, the gap is zero filler */
        assert_memory_equal(got + 2 * prev_end, g_data + 2 * prev_end, 2 * (s0 - prev_end));
        for (uint64_t j = 2 * s0; j < 2 * (s0 + c); j++)
            assert_int_equal(got[j], 0);
        total += c;
        prev_end = s0 + c;
    }
    assert_memory_equal(got + 2 * prev_end, g_data + 2 * prev_end, NBYTES - 2 * prev_end);
    uint64_t meta_dropped =
        (uint64_t)json_integer_value(json_object_get(json_object_get(r, "global"), "bdsrx:dropped_samples"));
    print_message("rec stall: %zu annotations, %llu samples dropped\n", na, (unsigned long long)total);
    assert_true(na >= 1);
    assert_int_equal(meta_dropped, total);
    json_decref(r);
    free(got);
    unlink(fifo);
    unlink(meta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_direct),      cmocka_unit_test(test_file_live_no_loss),
        cmocka_unit_test(test_stall_counts_drops),
        cmocka_unit_test(test_file_live_wait_and_gap), cmocka_unit_test(test_stop),
        cmocka_unit_test(test_uri_errors),       cmocka_unit_test(test_rtlsdr_no_device),
        cmocka_unit_test(test_pocket_no_device), cmocka_unit_test(test_real_capture),
        cmocka_unit_test(test_sink_ci2),  cmocka_unit_test(test_rec_roundtrip),
        cmocka_unit_test(test_convert_roundtrips), cmocka_unit_test(test_replay),
        cmocka_unit_test(test_rec_stall_annotated),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
