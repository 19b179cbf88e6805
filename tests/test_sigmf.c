/* SigMF sidecars checked by sigmf-python, the SigMF project's own library (tests/sigmf_check.py):
 * every format bdsrx writes validates against the SigMF 1.2 schema and opens with its data file;
 * for the standard datatypes sigmf-python reads the same samples we wrote (up to its integer
 * scaling); the packed formats declare the bdsrx extension as required.  Recordings come from
 * the library's sink (what bdsrx-rec/-convert write) and from bdsrx-sim.  Needs Debian's
 * python3-numpy and python3-jsonschema and sigmf-python on PYTHONPATH (BDSRX_SIGMF_PYTHONPATH
 * = a sigmf-python checkout); skips with a message otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/iq.h"
#include "bdsrx/sink.h"
#include "testutil.h"

#define N 64

static int run_check(const char *data, tu_result_t *r)
{
    const char *py = "/usr/bin/python3";
    char env_pp[1024] = "PYTHONPATH=";
    const char *pp = getenv("BDSRX_SIGMF_PYTHONPATH");
    if (pp)
        snprintf(env_pp, sizeof env_pp, "PYTHONPATH=%s", pp);
    const char *env[] = {env_pp, NULL};
    tu_opts_t o = {.env = pp ? env : NULL};
    return tu_runl(r, &o, py, "tests/sigmf_check.py", data, "8", NULL);
}

static int available(void)
{
    if (access("/usr/bin/python3", X_OK) != 0) {
        printf("SKIP: no /usr/bin/python3; SigMF sidecars not checked with sigmf-python\n");
        return 0;
    }
    tu_result_t r = {0};
    const int st = run_check("/nonexistent", &r);
    if (st == 3) {
        printf("SKIP: %s(set BDSRX_SIGMF_PYTHONPATH to a sigmf-python checkout, with Debian's "
               "python3-numpy and python3-jsonschema)\n",
               r.out);
        tu_result_free(&r);
        return 0;
    }
    tu_result_free(&r);
    return 1;
}

static void test_every_format(void **state)
{
    (void)state;
    if (!available())
        skip();
    bx_cf32_t x[N];
    float xr[N], xi[N];
    for (int i = 0; i < N; i++) {
        xr[i] = (float)((i % 7) - 3);       /* -3 .. 3 */
        xi[i] = (float)(((i * 5) % 9) - 4); /* -4 .. 4 */
        x[i] = xr[i] + I * xi[i];
    }
    for (int f = 0; f < BX_IQ_FORMAT_COUNT; f++) {
        char path[96];
        snprintf(path, sizeof path, "/tmp/bdsrx_sigmf_%d_%d.%s", (int)getpid(), f, bx_iq_format_name(f));
        bx_sink_meta_t m;
        bx_sink_meta_init(&m);
        m.format = f;
        m.fs_hz = 4.092e6;
        m.fc_hz = 1575.42e6;
        m.start_time_s = 1.7e9;
        m.recorder = "test_sigmf";
        char err[256];
        bx_sink_t *k = NULL;
        assert_int_equal(bx_sink_create(path, &m, 1, &k, err, sizeof err), 0);
        assert_int_equal(bx_sink_write_cf32(k, x, N, 1.0f), 0);
        assert_int_equal(bx_sink_gap(k, 16, 1.7e9 + 1), 0); /* a loss: one annotation */
        assert_int_equal(bx_sink_finish(k, err, sizeof err), 0);
        bx_sink_destroy(k);
        tu_result_t r = {0};
        const int st = run_check(path, &r);
        printf("NOTE: %s: %s", bx_iq_format_name(f), r.out);
        if (st != 0)
            print_error("%s\n", r.err);
        assert_int_equal(st, 0);
        assert_non_null(strstr(r.out, "valid"));
        const int packed = f == BX_IQ_CI2 || f == BX_IQ_RI1 || f == BX_IQ_INT8X2;
        if (packed) {
            assert_non_null(strstr(r.out, "packed"));
        } else {
            /* sigmf-python scales integers to [-1, 1): compare shapes through the ratio to the
             * first sample with a nonzero value */
            const int cplx = f != BX_IQ_RI8;
            double scale = 0;
            int n = 0;
            for (char *ln = strstr(r.out, "sample "); ln; ln = strstr(ln + 1, "sample ")) {
                int i;
                double re, im;
                assert_int_equal(sscanf(ln, "sample %d %lf %lf", &i, &re, &im), 3);
                if (scale == 0 && xr[i] != 0)
                    scale = re / xr[i];
                assert_true(scale != 0);
                assert_float_equal(re, xr[i] * scale, 1e-6);
                assert_float_equal(im, cplx ? xi[i] * scale : 0.0, 1e-6);
                n++;
            }
            assert_int_equal(n, 8);
        }
        tu_result_free(&r);
        char meta[128];
        snprintf(meta, sizeof meta, "%s.sigmf-meta", path);
        remove(path);
        remove(meta);
    }
}

static void test_simulator_sidecar(void **state)
{
    (void)state;
    char bin[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx-sim")) {
        printf("SKIP: bin/bdsrx-sim not built\n");
        skip();
    }
    if (!available())
        skip();
    char out[64];
    snprintf(out, sizeof out, "/tmp/bdsrx_sigmf_sim_%d", (int)getpid());
    tu_result_t r = {0};
    assert_int_equal(tu_runl(&r, NULL, bin, "--out", out, "--signals", "B1C", "--format", "ci2", "--duration", "0.02",
                             "--quiet", NULL),
                     0);
    tu_result_free(&r);
    char data[128];
    snprintf(data, sizeof data, "%s_b1c.ci2", out);
    assert_int_equal(run_check(data, &r), 0);
    assert_non_null(strstr(r.out, "packed ci2"));
    tu_result_free(&r);
    char p[160];
    remove(data);
    snprintf(p, sizeof p, "%s.sigmf-meta", data);
    remove(p);
    snprintf(p, sizeof p, "%s.truth.json", out);
    remove(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_format),
        cmocka_unit_test(test_simulator_sidecar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
