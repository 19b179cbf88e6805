/* B2b-I signal (issue 11 §1, first steps): the project's simulator carries B2b-I (data only,
 * BPSK(10), 1000 sps) with a real PPP-B2b message stream, and the FFT acquisition finds the GEO
 * PPP-B2b satellites in it.  Truth: the simulator's transmit times and Doppler; the symbols of
 * the real C60 frames of ../shared/testdata/real/qzsl6tool_b2b_rtcm (re-encoded with our LDPC
 * encoder from their decoded blocks, which must reproduce the recorded symbols). */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bdsrx/acq.h"
#include "bdsrx/bits.h"
#include "bdsrx/code.h"
#include "bdsrx/navframe.h"
#include "bdsrx/simsig.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"
#include <unistd.h>

/* symbol source: frames[k] at second k of the stream (symbol index / 1000 modulo nf) */
typedef struct {
    uint8_t (*frames)[1000];
    int nf;
} stream_t;

static int sym_cb(void *user, int slot, int sig, int prn, bx_time_t t, int64_t idx)
{
    (void)slot;
    (void)t;
    const stream_t *s = user;
    if (sig != BX_SIG_B2B || !s->nf)
        return 0;
    const int64_t sec = idx / 1000;
    return s->frames[(prn + sec) % s->nf][idx % 1000];
}

/* the real C60 frames, re-encoded from their decoded blocks */
static int load_frames(uint8_t (*frames)[1000], int max)
{
    char pb[512];
    if (!testdata_path(pb, sizeof pb, "real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b"))
        return 0;
    FILE *f = fopen(pb, "rb");
    assert_non_null(f);
    uint8_t rec[125], sym[1000], msg[486];
    float soft[1000];
    int n = 0, same = 0;
    while (n < max && fread(rec, 1, 125, f) == 125) {
        bx_bits_from_bytes(rec, 1000, sym);
        if ((int)bx_bits_getu(sym, 16, 6) != 60)
            continue;
        for (int i = 0; i < 1000; i++)
            soft[i] = sym[i] ? -1.0f : 1.0f;
        int prn;
        assert_int_equal(bx_cnav3_decode_prn(soft, msg, &prn), BX_OK);
        assert_int_equal(bx_cnav3_encode(60, msg, frames[n]), BX_OK);
        same += memcmp(frames[n] + 28, sym + 28, 972) == 0;
        n++;
    }
    fclose(f);
    assert_true(same >= n - 1); /* our encoder reproduces the recorded LDPC symbols */
    return n;
}

/* Noise-free, zero Doppler: the prompt of each 1 ms code period against the local B2b-I code
 * gives back the frame symbols in order, starting at the frame boundary of the transmit time. */
static void test_sim_symbols(void **state)
{
    (void)state;
    static uint8_t frames[31][1000];
    stream_t st = {frames, load_frames(frames, 31)};
    if (!st.nf) {
        skip();
        return;
    }
    const double fs = 20.46e6;
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.noise = 0;
    c.symbol = sym_cb;
    c.user = &st;
    bx_simsig_t *g;
    assert_int_equal(bx_simsig_create(&c, &g, NULL, 0), BX_OK);
    const bx_time_t t0 = bx_time_from_week_sow(910, 30000.0); /* a whole second */
    bx_simsig_sat_t s = {BX_SIG_B2B, 60, t0, 1.0, 0.0, 50.0, 0.0};
    assert_int_equal(bx_simsig_set_sat(g, 0, &s), BX_OK);
    int8_t code[10230];
    assert_int_equal(bx_code_gen(BX_CODE_B2BI, 60, code, 10230), 10230);
    const size_t per = 20460; /* one code period */
    bx_cf32_t *x = malloc(per * sizeof *x);
    int ok = 0, first = -1;
    const int64_t sec0 = t0.sec;
    for (int k = 0; k < 1000; k++) {
        assert_int_equal(bx_simsig_generate(g, x, per), BX_OK);
        double acc = 0;
        for (size_t i = 0; i < per; i++)
            acc += crealf(x[i]) * code[i / 2];
        const int bit = acc < 0;
        const int want = frames[(60 + sec0) % st.nf][k];
        ok += bit == want;
        if (first < 0 && bit != want)
            first = k;
    }
    printf("simulated B2b-I C60, first 1000 symbols: %d equal to the frame (first difference at %d)\n", ok, first);
    assert_int_equal(ok, 1000);
    free(x);
    bx_simsig_destroy(g);
}

/* Two GEOs (C59 at 43 dB-Hz, C60 at 38 dB-Hz, small Dopplers as for geostationary satellites)
 * carrying the real PPP-B2b stream in noise: acquisition with 1 ms x 10 finds both, their Doppler
 * and code phase, and nothing on C61-C63. */
static void test_acquire_geo(void **state)
{
    (void)state;
    static uint8_t frames[31][1000];
    stream_t st = {frames, load_frames(frames, 31)};
    const double fs = 25e6; /* not a multiple of the chip rate: sub-sample code phases */
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.symbol = sym_cb;
    c.user = &st; /* without test data: all symbols 0 */
    c.seed = 7;
    bx_simsig_t *g;
    assert_int_equal(bx_simsig_create(&c, &g, NULL, 0), BX_OK);
    const bx_time_t t0 = bx_time_from_week_sow(910, 30000.000123456);
    const struct { int prn; double dop, cn0, dt_s; } sats[2] = {{59, 87.5, 43.0, 0.0}, {60, -41.0, 38.0, 0.000345678}};
    for (int k = 0; k < 2; k++) {
        bx_simsig_sat_t s = {BX_SIG_B2B, sats[k].prn, bx_time_add(t0, sats[k].dt_s), 0.0, sats[k].dop, sats[k].cn0, 0.0};
        assert_int_equal(bx_simsig_set_sat(g, k, &s), BX_OK);
    }
    bx_acq_config_t ac;
    bx_acq_config_default(&ac, BX_SIG_B2B, fs, 0.0);
    ac.doppler_max_hz = 500.0; /* GEO: a few hundred Hz with a good oscillator */
    bx_acq_t *a;
    char err[200];
    assert_int_equal(bx_acq_create(&ac, &a, err, sizeof err), BX_OK);
    const size_t n = bx_acq_samples_needed(a);
    bx_cf32_t *x = malloc(n * sizeof *x);
    assert_int_equal(bx_simsig_generate(g, x, n), BX_OK);
    for (int k = 0; k < 2; k++) {
        bx_acq_result_t r;
        assert_int_equal(bx_acq_search(a, x, n, sats[k].prn, &r), BX_OK);
        /* code phase at the first sample: the chip of the transmit time in its 1 ms period */
        const bx_time_t tt = bx_time_add(t0, sats[k].dt_s);
        const double cp = fmod(tt.frac_s * 1000.0, 1.0) * 10230.0;
        printf("B2b-I C%d: detected %d Doppler %.1f Hz (true %.1f) code %.3f chips (true %.3f) C/N0 %.1f (true %.1f)\n",
               sats[k].prn, r.detected, r.doppler_hz, sats[k].dop, r.code_phase_chips, cp, r.cn0_dbhz, sats[k].cn0);
        assert_true(r.detected);
        assert_true(fabs(r.doppler_hz - sats[k].dop) < 50.0);
        assert_true(fabs(tu_chip_diff(r.code_phase_chips, cp)) < 0.2);
        assert_true(fabs(r.cn0_dbhz - sats[k].cn0) < 2.0);
    }
    for (int prn = 61; prn <= 63; prn++) {
        bx_acq_result_t r;
        assert_int_equal(bx_acq_search(a, x, n, prn, &r), BX_OK);
        assert_false(r.detected);
    }
    /* B2b-I has a data symbol per code period: longer coherent integration is refused */
    bx_acq_t *b = NULL;
    ac.coh_ms = 2;
    assert_int_equal(bx_acq_create(&ac, &b, err, sizeof err), BX_ERR_ARG);
    assert_non_null(strstr(err, "B2b"));
    /* the command line on the same samples, as an int8 capture (ci8, noise sigma 20) */
    char bin[512];
    if (tu_bin(bin, sizeof bin, "bdsrx")) {
        char path[] = "/tmp/bdsrx_b2b_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "wb");
        for (size_t i = 0; i < n; i++) {
            int8_t v[2] = {(int8_t)fmax(-127, fmin(127, lrint(20.0 * crealf(x[i])))),
                           (int8_t)fmax(-127, fmin(127, lrint(20.0 * cimagf(x[i]))))};
            fwrite(v, 1, 2, f);
        }
        fclose(f);
        tu_result_t r;
        assert_int_equal(tu_runl(&r, NULL, bin, "acquire", path, "--signal", "B2b", "--format", "ci8", "--fs", "25e6",
                                 "--fc", "1207.14e6", "--prn", "59-63", "--doppler", "500", "--json", "-q", NULL), 0);
        unlink(path);
        printf("%s", r.out);
        assert_non_null(strstr(r.out, "{\"signal\":\"B2b\",\"prn\":59,\"detected\":true"));
        assert_non_null(strstr(r.out, "{\"signal\":\"B2b\",\"prn\":60,\"detected\":true"));
        assert_null(strstr(r.out, "\"prn\":61,\"detected\":true"));
        tu_result_free(&r);
    }
    free(x);
    bx_acq_destroy(a);
    bx_simsig_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_symbols),
        cmocka_unit_test(test_acquire_geo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
