/* RINEX observation reader (real KMS3 RINEX 4 file) and writer round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/rinex_obs.h"
#include "bdsrx/time.h"
#include "testdata.h"

#define KMS3_OBS "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_30S_MO.rnx"

static const bx_obsd_t *find(const bx_obs_t *o, int prn, int sig)
{
    for (int i = 0; i < o->n; i++)
        if (o->d[i].prn == prn && o->d[i].sig == sig)
            return &o->d[i];
    return NULL;
}

/* Values below were read by eye from the file (first epoch, satellite lines
 * C20 and C45; types C1P C2I C5P C6I C7D C7I L1P L2I L5P L6I L7D L7I). */
static void test_kms3(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, KMS3_OBS))
        skip();
    bx_rinex_obs_reader_t *r = NULL;
    char err[256];
    assert_int_equal(bx_rinex_obs_open(path, &r, err, sizeof err), BX_OK);
    const bx_rinex_obs_header_t *h = bx_rinex_obs_header(r);
    assert_true(fabs(h->version - 4.00) < 1e-9);
    assert_string_equal(h->marker, "KMS3");
    assert_string_equal(h->time_sys, "GPS");
    assert_int_equal(h->n_types, 12);
    assert_string_equal(h->types[0], "C1P");
    assert_string_equal(h->types[11], "L7I");
    assert_true(fabs(h->approx_pos_m[0] - 3516213.4380) < 1e-6);
    assert_true(fabs(h->approx_pos_m[2] - 5246037.9660) < 1e-6);
    static bx_obs_t obs;
    int n = 0, st;
    while ((st = bx_rinex_obs_read(r, &obs)) == BX_OK) {
        if (n == 0) {
            /* 2022-06-08 10:00:00 GPST = GPS week 2213 SOW 295200 = BDT week 857 SOW 295186 */
            int wk;
            double sow = bx_time_to_week_sow(obs.time, &wk);
            assert_int_equal(wk, 857);
            assert_true(fabs(sow - 295186.0) < 1e-9);
            int nb1c = 0, nb2a = 0;
            for (int i = 0; i < obs.n; i++) {
                nb1c += obs.d[i].sig == BX_SIG_B1C;
                nb2a += obs.d[i].sig == BX_SIG_B2A;
            }
            assert_int_equal(nb1c, 10); /* C20 C26 C29 C30 C32 C35 C36 C38 C41 C45 */
            assert_int_equal(nb2a, 10);
            const bx_obsd_t *d = find(&obs, 20, BX_SIG_B1C);
            assert_non_null(d);
            assert_int_equal(d->pilot, 1);
            assert_true(d->flags & BX_OBS_PR);
            assert_true(d->flags & BX_OBS_CP);
            assert_false(d->flags & (BX_OBS_DOP | BX_OBS_CN0 | BX_OBS_SLIP));
            assert_true(fabs(d->pseudorange_m - 27181208.963) < 1e-6);
            assert_true(fabs(d->carrier_cycles - 142838227.183) < 1e-6);
            d = find(&obs, 20, BX_SIG_B2A);
            assert_non_null(d);
            assert_true(fabs(d->pseudorange_m - 27181211.044) < 1e-6);
            assert_true(fabs(d->carrier_cycles - 106664914.500) < 1e-6);
            d = find(&obs, 20, BX_SIG_B2B); /* C7D / L7D */
            assert_non_null(d);
            assert_int_equal(d->pilot, 0);
            assert_true(fabs(d->pseudorange_m - 27181213.615) < 1e-6);
            d = find(&obs, 45, BX_SIG_B1C);
            assert_non_null(d);
            assert_true(fabs(d->pseudorange_m - 22794226.150) < 1e-6);
            assert_null(find(&obs, 5, BX_SIG_B1C)); /* GEO: B1I only */
        }
        n++;
    }
    assert_int_equal(st, BX_ERR_EOF);
    assert_int_equal(n, 19); /* README: truncated to 19 epochs 10:00:00-10:09:00 */
    int wk;
    double sow = bx_time_to_week_sow(obs.time, &wk);
    assert_true(fabs(sow - (295186.0 + 540.0)) < 1e-9);
    bx_rinex_obs_destroy(r);
}

/* Gzip-compressed IGS file with Doppler and C/N0 and a continued OBS TYPES line;
 * values of the first epoch, satellite C21, read by eye
 * (C1P L1P D1P S1P C2I L2I D2I S2I C5P L5P D5P S5P C6I L6I D6I S6I C7I L7I D7I S7I). */
static void test_ajac_gz(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, "real/rinex_bds3_obs/AJAC00FRA_R_20242090000_01D_30S_MO.rnx.gz"))
        skip();
    bx_rinex_obs_reader_t *r = NULL;
    char err[256];
    assert_int_equal(bx_rinex_obs_open(path, &r, err, sizeof err), BX_OK);
    assert_int_equal(bx_rinex_obs_header(r)->n_types, 20);
    assert_string_equal(bx_rinex_obs_header(r)->types[19], "S7I");
    static bx_obs_t obs;
    assert_int_equal(bx_rinex_obs_read(r, &obs), BX_OK);
    const bx_obsd_t *d = find(&obs, 21, BX_SIG_B1C);
    assert_non_null(d);
    assert_int_equal(d->flags, BX_OBS_PR | BX_OBS_CP | BX_OBS_DOP | BX_OBS_CN0);
    assert_true(fabs(d->pseudorange_m - 25397860.780) < 1e-6);
    assert_true(fabs(d->carrier_cycles - 133466666.640) < 1e-6);
    assert_true(fabs(d->doppler_hz + 2414.176) < 1e-6);
    assert_true(fabs(d->cn0_dbhz - 43.750) < 1e-6);
    d = find(&obs, 21, BX_SIG_B2A);
    assert_non_null(d);
    assert_true(fabs(d->pseudorange_m - 25397860.624) < 1e-6);
    assert_true(fabs(d->doppler_hz + 1802.782) < 1e-6);
    assert_true(fabs(d->cn0_dbhz - 45.700) < 1e-6);
    assert_null(find(&obs, 5, BX_SIG_B1C));
    assert_int_equal(bx_rinex_obs_read(r, &obs), BX_OK);
    int wk;
    assert_true(fabs(bx_time_to_week_sow(obs.time, &wk) - (6 * 86400.0 + 30.0 - 14.0)) < 1e-9);
    bx_rinex_obs_destroy(r);
}

static double urand(void)
{
    return (double)rand() / RAND_MAX;
}

static void test_round_trip(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bdsrx_rnxobs_XXXXXX";
    const int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    bx_rinex_obs_header_t h;
    bx_rinex_obs_header_default(&h);
    snprintf(h.marker, sizeof h.marker, "TEST");
    h.approx_pos_m[0] = -2148744.3;
    h.approx_pos_m[1] = 4426641.2;
    h.approx_pos_m[2] = 4044655.9;
    h.interval_s = 1.0;
    static bx_obs_t in[5], out;
    srand(11);
    bx_time_t t0 = bx_time_from_week_sow(897, 14734.5);
    for (int e = 0; e < 5; e++) {
        bx_obs_t *o = &in[e];
        o->time = bx_time_add(t0, e * 1.0 + (e == 3 ? 0.25 : 0.0));
        o->n = 0;
        for (int prn = 19; prn <= 46; prn += 3) {
            for (int sig = 0; sig < 2; sig++) {
                if (sig == 1 && prn % 2)
                    continue; /* some satellites with B1C only */
                bx_obsd_t *d = &o->d[o->n++];
                memset(d, 0, sizeof *d);
                d->prn = (uint8_t)prn;
                d->sig = (uint8_t)sig;
                d->pilot = 1;
                d->flags = BX_OBS_PR | BX_OBS_CP | BX_OBS_DOP | BX_OBS_CN0;
                d->pseudorange_m = 2.0e7 + 2e7 * urand();
                d->carrier_cycles = d->pseudorange_m / 0.19 + urand();
                d->doppler_hz = -4000 + 8000 * urand();
                d->cn0_dbhz = 30 + 20 * urand();
                if (e == 2 && prn == 22)
                    d->flags |= BX_OBS_SLIP;
                if (e == 4 && prn == 25 && sig == 0)
                    d->flags &= (uint8_t)~BX_OBS_DOP;
            }
        }
        if (e == 0)
            assert_int_equal(bx_rinex_obs_write_header(f, &h, o->time), BX_OK);
        assert_int_equal(bx_rinex_obs_write_epoch(f, &h, o), BX_OK);
    }
    fclose(f);

    bx_rinex_obs_reader_t *r = NULL;
    char err[256];
    assert_int_equal(bx_rinex_obs_open(tmpl, &r, err, sizeof err), BX_OK);
    const bx_rinex_obs_header_t *rh = bx_rinex_obs_header(r);
    assert_string_equal(rh->marker, "TEST");
    assert_string_equal(rh->time_sys, "GPS"); /* the writer's default tags (RTKLIB reads them right) */
    assert_true(fabs(rh->approx_pos_m[1] - 4426641.2) < 1e-4);
    assert_true(fabs(rh->interval_s - 1.0) < 1e-9);
    for (int e = 0; e < 5; e++) {
        assert_int_equal(bx_rinex_obs_read(r, &out), BX_OK);
        assert_true(fabs(bx_time_diff(out.time, in[e].time)) < 1e-7);
        assert_int_equal(out.n, in[e].n);
        for (int i = 0; i < in[e].n; i++) {
            const bx_obsd_t *a = &in[e].d[i], *b = find(&out, a->prn, a->sig);
            assert_non_null(b);
            assert_int_equal(a->flags, b->flags);
            assert_int_equal(b->pilot, 1);
            assert_true(fabs(a->pseudorange_m - b->pseudorange_m) <= 0.0005 + 1e-9);
            assert_true(fabs(a->carrier_cycles - b->carrier_cycles) <= 0.0005 + 1e-9);
            if (a->flags & BX_OBS_DOP)
                assert_true(fabs(a->doppler_hz - b->doppler_hz) <= 0.0005 + 1e-9);
            assert_true(fabs(a->cn0_dbhz - b->cn0_dbhz) <= 0.0005 + 1e-9);
        }
    }
    assert_int_equal(bx_rinex_obs_read(r, &out), BX_ERR_EOF);
    bx_rinex_obs_destroy(r);
    remove(tmpl);
}

static void test_errors(void **state)
{
    (void)state;
    bx_rinex_obs_reader_t *r = NULL;
    char err[256] = "";
    assert_int_equal(bx_rinex_obs_open("/nonexistent/x.rnx", &r, err, sizeof err), BX_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/x.rnx"));
    assert_null(r);
    char tmpl[] = "/tmp/bdsrx_rnxbad_XXXXXX";
    const int fd = mkstemp(tmpl);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "     2.11           OBSERVATION DATA    G (GPS)             RINEX VERSION / TYPE\n"
               "                                                            END OF HEADER\n");
    fclose(f);
    assert_int_equal(bx_rinex_obs_open(tmpl, &r, err, sizeof err), BX_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "2.11"));
    remove(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kms3),
        cmocka_unit_test(test_ajac_gz),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
