/* Time: known dates, scale offsets, week/SOW, round trips with sub-ns fractions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/time.h"

/* shared/testdata/README.md (SignalSim set): start 2023-03-12 04:05:30 UTC is
 * BDT week 897, SOW 14734 (BDT - UTC = 4 s in 2023, orbit.md §1). */
static void test_signalsim_epoch(void **state)
{
    (void)state;
    const bx_time_t utc = bx_time_from_civil(2023, 3, 12, 4, 5, 30.0);
    assert_int_equal(bx_time_leap_bdt_utc_s(utc), 4);
    const bx_time_t bdt = bx_time_utc_to_bdt(utc, 4);
    int wk;
    const double sow = bx_time_to_week_sow(bdt, &wk);
    assert_int_equal(wk, 897);
    assert_true(sow == 14734.0);
    const bx_time_t back = bx_time_bdt_to_utc(bx_time_from_week_sow(897, 14734.0), 4);
    assert_true(bx_time_diff(back, utc) == 0.0);
}

/* Independent facts: 2006-01-01 is BDT week 0 / GPS week 1356 (orbit.md §1);
 * GPS week 2274 TOW 507600 = 2023-08-11 21:00:00 GPST (cssrlib-data README,
 * 223v set); GPS week 2209 = BDT week 853 (orbit.md §1, NovAtel example);
 * MJD 60000 = 2023-02-25; 2024 is a leap year (Feb 29 = DOY 60, Dec 31 = 366). */
static void test_known_dates(void **state)
{
    (void)state;
    int y, mo, d, h, mi, wk;
    double s;
    bx_time_t t0 = bx_time_from_civil(2006, 1, 1, 0, 0, 0.0);
    assert_true(t0.sec == 0 && t0.frac_s == 0.0);
    bx_time_to_gps_week_tow(bx_time_bdt_to_gpst(t0), &wk);
    assert_int_equal(wk, 1356);

    const bx_time_t g = bx_time_from_gps_week_tow(2274, 507600.0);
    bx_time_to_civil(g, &y, &mo, &d, &h, &mi, &s);
    assert_int_equal(y, 2023);
    assert_int_equal(mo, 8);
    assert_int_equal(d, 11);
    assert_int_equal(h, 21);
    assert_int_equal(mi, 0);
    assert_true(s == 0.0);
    /* same instant in BDT: 20:59:46, BDT week 918 */
    const bx_time_t b = bx_time_gpst_to_bdt(g);
    bx_time_to_civil(b, &y, &mo, &d, &h, &mi, &s);
    assert_int_equal(h, 20);
    assert_int_equal(mi, 59);
    assert_true(s == 46.0);
    assert_true(bx_time_to_week_sow(b, &wk) == 507586.0);
    assert_int_equal(wk, 2274 - 1356);

    bx_time_to_gps_week_tow(bx_time_bdt_to_gpst(bx_time_from_week_sow(853, 0.0)), &wk);
    assert_int_equal(wk, 2209);

    assert_true(fabs(bx_time_to_mjd(bx_time_from_civil(2023, 2, 25, 0, 0, 0.0)) - 60000.0) < 1e-9);
    assert_int_equal(bx_time_doy(bx_time_from_civil(2024, 2, 29, 12, 0, 0.0), &s), 60);
    assert_true(s == 43200.0);
    assert_int_equal(bx_time_doy(bx_time_from_civil(2024, 12, 31, 0, 0, 0.0), NULL), 366);
    assert_int_equal(bx_time_doy(bx_time_from_civil(2023, 8, 11, 0, 0, 0.0), NULL), 223);
    /* carries: 2023-12-31 23:59:60 = 2024-01-01 00:00:00; month 13 = January next year */
    assert_true(bx_time_diff(bx_time_from_civil(2023, 12, 31, 23, 59, 60.0),
                             bx_time_from_civil(2024, 1, 1, 0, 0, 0.0)) == 0.0);
    assert_true(bx_time_diff(bx_time_from_civil(2023, 13, 1, 0, 0, 0.0),
                             bx_time_from_civil(2024, 1, 1, 0, 0, 0.0)) == 0.0);
    /* before the epoch: 2005-12-31 23:59:59.25 */
    const bx_time_t neg = bx_time_from_civil(2005, 12, 31, 23, 59, 59.25);
    assert_true(neg.sec == -1 && neg.frac_s == 0.25);
    bx_time_to_civil(neg, &y, &mo, &d, &h, &mi, &s);
    assert_int_equal(y, 2005);
    assert_int_equal(d, 31);
    assert_true(s == 59.25);
    assert_true(bx_time_to_week_sow(neg, &wk) == 604799.25);
    assert_int_equal(wk, -1);
    char buf[40];
    assert_string_equal(bx_time_str(bx_time_from_civil(2023, 3, 12, 4, 5, 59.9999999999), buf, sizeof buf),
                        "2023-03-12 04:06:00.000000000");
}

/* Leap-second table against the UTC-GPS offsets known at each date. */
static void test_leap_table(void **state)
{
    (void)state;
    assert_int_equal(bx_time_leap_bdt_utc_s(bx_time_from_civil(2008, 12, 31, 23, 59, 59.0)), 0);
    assert_int_equal(bx_time_leap_bdt_utc_s(bx_time_from_civil(2009, 1, 1, 0, 0, 0.0)), 1);
    assert_int_equal(bx_time_leap_bdt_utc_s(bx_time_from_civil(2013, 1, 1, 0, 0, 0.0)), 2);
    assert_int_equal(bx_time_leap_bdt_utc_s(bx_time_from_civil(2016, 1, 1, 0, 0, 0.0)), 3);
    assert_int_equal(bx_time_leap_bdt_utc_s(bx_time_from_civil(2024, 7, 27, 0, 0, 0.0)), 4);
}

/* Random round trips: civil <-> time, week/SOW <-> time, add/diff, at sub-ns. */
static void test_round_trips(void **state)
{
    (void)state;
    srand(12345);
    for (int k = 0; k < 200000; k++) {
        const int64_t sec = (int64_t)(rand() % 2000000000) - 300000000;
        const double frac = (double)rand() / ((double)RAND_MAX + 1.0);
        const bx_time_t t = bx_time_make(sec, frac);
        int y, mo, d, h, mi, wk;
        double s;
        bx_time_to_civil(t, &y, &mo, &d, &h, &mi, &s);
        assert_true(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 60.0);
        const bx_time_t c = bx_time_from_civil(y, mo, d, h, mi, s);
        assert_true(c.sec == t.sec);
        assert_true(fabs(c.frac_s - t.frac_s) < 1e-12);
        const double sow = bx_time_to_week_sow(t, &wk);
        assert_true(sow >= 0.0 && sow < 604800.0);
        const bx_time_t w = bx_time_from_week_sow(wk, sow);
        assert_true(w.sec == t.sec && fabs(w.frac_s - t.frac_s) < 1e-9 * 1e-1);
        /* add/diff with a step carrying a sub-ns part */
        const double dt = ((double)rand() / RAND_MAX - 0.5) * 2e6 + 3.7e-10;
        const bx_time_t u = bx_time_add(t, dt);
        assert_true(u.frac_s >= 0.0 && u.frac_s < 1.0);
        assert_true(fabs(bx_time_diff(u, t) - dt) < 1e-9 * 1e-1);
        const bx_time_t g = bx_time_gpst_to_bdt(bx_time_bdt_to_gpst(t));
        assert_true(bx_time_cmp(g, t) == 0);
        assert_true(bx_time_diff(bx_time_bdt_to_gpst(t), t) == 14.0);
    }
}

/* Sub-nanosecond increments accumulate exactly over long spans (a plain
 * double of seconds since 2006 would lose ~30 ns per step here). */
static void test_subns(void **state)
{
    (void)state;
    bx_time_t t = bx_time_from_week_sow(1000, 345678.0); /* ~6e8 s after the epoch */
    for (int i = 0; i < 1000000; i++)
        t = bx_time_add(t, 1e-3 + 1e-12);
    /* 1e6 * (1 ms + 1 ps) = 1000 s + 1 us */
    const double d = bx_time_diff(t, bx_time_from_week_sow(1000, 345678.0));
    assert_true(fabs(d - (1000.0 + 1e-6)) < 1e-9);
    /* a time built from week + fractional SOW keeps 0.1 ps */
    const bx_time_t a = bx_time_from_week_sow(897, 14734.0000000000001 + 1e-10);
    assert_true(fabs(bx_time_diff(a, bx_time_from_week_sow(897, 14734.0)) - 1e-10) < 1e-11);
    const bx_time_t b = bx_time_add(bx_time_from_week_sow(897, 14734.0), -2.5e-10);
    assert_true(b.frac_s > 0.999999999 && b.frac_s < 1.0);
    assert_true(fabs(bx_time_diff(b, bx_time_from_week_sow(897, 14734.0)) + 2.5e-10) < 1e-16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signalsim_epoch), cmocka_unit_test(test_known_dates),
        cmocka_unit_test(test_leap_table),      cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_subns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
