/* bdsrx-plot (tools/bdsrx-plot.py, Debian's python3-matplotlib) on JSON lines written by the
 * library's own writer (bx_sol_json_write): every picture exists in PNG and SVG and is a real
 * image, and the numbers it plotted (--data) are the input's: east/north/up against the
 * reference computed here with the library's geodesy, satellites per epoch, C/N0 per PRN, first
 * fix.  Bad input gives a clear error.  Skips when matplotlib is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/output.h"
#include "bdsrx/time.h"
#include "testutil.h"

#define D2R (M_PI / 180.0)
#define NEP 12

static const double ref[3] = {30.5, 114.3, 50.0};

static void make_sol(bx_sol_t *s, int k)
{
    memset(s, 0, sizeof *s);
    s->time = s->rx_time = bx_time_from_civil(2026, 3, 1, 12, 0, 4.0 + k);
    s->leap_s = 4;
    s->n_sat = 3;
    for (int i = 0; i < 3; i++) {
        s->sat[i].prn = (uint8_t)(20 + 7 * i);
        s->sat[i].el_deg = 20.0f + 15.0f * i + 0.1f * k;
        s->sat[i].az_deg = 40.0f + 100.0f * i;
        s->sat[i].cn0_dbhz = 35.0f + 4.0f * i + 0.25f * k;
        s->sat[i].status = k >= 2 ? BX_SAT_USED : BX_SAT_NOEPH;
    }
    if (k < 2) { /* no fix in the first two epochs */
        snprintf(s->reason, sizeof s->reason, "no ephemeris yet");
        return;
    }
    s->fix = BX_FIX_SPP;
    s->flags = BX_SOLF_RAIM_NA;
    s->n_used = 4 + (k % 2);
    /* a position wandering around the reference by metres */
    const double llh[3] = {ref[0] * D2R + 1e-7 * sin(k), ref[1] * D2R + 1.5e-7 * cos(k), ref[2] + 0.5 * k};
    memcpy(s->llh, llh, sizeof llh);
    bx_llh_to_ecef(llh, s->pos_m);
    s->hdop = 1.0;
}

static int have_matplotlib(void)
{
    tu_result_t r = {0};
    const int st = access("/usr/bin/python3", X_OK) == 0
                       ? tu_runl(&r, NULL, "/usr/bin/python3", "-c", "import matplotlib", NULL)
                       : -1;
    tu_result_free(&r);
    if (st != 0)
        printf("SKIP: Debian python3-matplotlib not installed; bdsrx-plot not tested\n");
    return st == 0;
}

static void test_plots(void **state)
{
    (void)state;
    char bin[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx-plot")) {
        printf("SKIP: bin/bdsrx-plot not built\n");
        skip();
    }
    if (!have_matplotlib())
        skip();
    char dir[] = "/tmp/bdsrx_plot_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char in[300], data[300];
    snprintf(in, sizeof in, "%s/fix.jsonl", dir);
    snprintf(data, sizeof data, "%s/plot.json", dir);
    FILE *f = fopen(in, "w");
    for (int k = 0; k < NEP; k++) {
        bx_sol_t s;
        make_sol(&s, k);
        assert_int_equal(bx_sol_json_write(f, &s), 0);
    }
    fclose(f);
    tu_result_t r = {0};
    assert_int_equal(tu_runl(&r, NULL, bin, in, "--ref", "30.5,114.3,50", "--format", "png,svg", "--out", dir, "--data",
                             data, NULL),
                     0);
    const char *names[] = {"skyplot", "cn0", "enu", "sats"};
    for (int i = 0; i < 4; i++)
        for (int svg = 0; svg < 2; svg++) {
            char p[400];
            snprintf(p, sizeof p, "%s/%s.%s", dir, names[i], svg ? "svg" : "png");
            assert_non_null(strstr(r.out, p)); /* the paths are listed */
            FILE *g = fopen(p, "rb");
            assert_non_null(g);
            char head[512] = {0};
            const size_t n = fread(head, 1, sizeof head - 1, g);
            fseek(g, 0, SEEK_END);
            const long size = ftell(g);
            fclose(g);
            assert_true(size > 5000);
            if (svg)
                assert_non_null(strstr(head, "<svg"));
            else
                assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
            (void)n;
            remove(p);
        }
    tu_result_free(&r);
    /* the plotted numbers are the input's */
    json_error_t je;
    json_t *d = json_load_file(data, 0, &je);
    assert_non_null(d);
    json_t *enu = json_object_get(d, "enu");
    assert_int_equal(json_array_size(enu), NEP - 2);
    double r0[3];
    const double rl[3] = {ref[0] * D2R, ref[1] * D2R, ref[2]};
    bx_llh_to_ecef(rl, r0);
    for (int k = 2; k < NEP; k++) {
        bx_sol_t s;
        make_sol(&s, k);
        const double dx[3] = {s.pos_m[0] - r0[0], s.pos_m[1] - r0[1], s.pos_m[2] - r0[2]};
        double e[3];
        bx_ecef_to_enu(rl, dx, e);
        json_t *row = json_array_get(enu, (size_t)(k - 2));
        assert_float_equal(json_real_value(json_array_get(row, 0)), (double)k, 1e-3); /* time */
        for (int j = 0; j < 3; j++)
            assert_float_equal(json_real_value(json_array_get(row, (size_t)j + 1)), e[j], 2e-3);
    }
    assert_float_equal(json_real_value(json_object_get(d, "first_fix_s")), 2.0, 1e-3);
    json_t *cn0 = json_object_get(json_object_get(d, "cn0"), "27");
    assert_int_equal(json_array_size(cn0), NEP);
    assert_float_equal(json_real_value(json_array_get(json_array_get(cn0, 5), 1)), 39.0 + 0.25 * 5, 0.05);
    json_t *used = json_object_get(d, "n_used");
    assert_int_equal(json_integer_value(json_array_get(json_array_get(used, 0), 1)), 0);
    assert_int_equal(json_integer_value(json_array_get(json_array_get(used, 3), 1)), 5);
    json_decref(d);
    /* bad input: a clear message, exit 1; a bad --ref: usage error 2 */
    f = fopen(in, "w");
    fputs("garbage\n", f);
    fclose(f);
    assert_int_equal(tu_runl(&r, NULL, bin, in, "--out", dir, NULL), 1);
    assert_non_null(strstr(r.err, "no solution lines"));
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, NULL, bin, in, "--ref", "north", NULL), 2);
    tu_result_free(&r);
    remove(in);
    remove(data);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_plots)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
