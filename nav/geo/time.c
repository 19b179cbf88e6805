/* Time scales, weeks and civil dates on bx_time_t (see include/bdsrx/time.h).
 * Constants: orbit.md §1 (BDT epoch 2006-01-01 UTC, GPST - BDT = 14 s, GPS
 * week 1356 at the BDT epoch). */
#include "bdsrx/time.h"

#include <math.h>
#include <stdio.h>

/* Floor division for possibly negative numerators. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date: shift the year so it
 * starts in March (the leap day is then the last day of the year), count
 * 400-year eras of 146097 days, then days in the era. */
static int64_t days_from_civil(int64_t y, int mo, int d)
{
    y -= (mo <= 2);
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;                         /* 0..399 */
    const int64_t mp = (mo + 9) % 12;                          /* March = 0 */
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;            /* 0..365 */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
    return era * 146097 + doe - 719468;                        /* 719468: 0000-03-01 .. 1970-01-01 */
}

static void civil_from_days(int64_t z, int *y, int *mo, int *d)
{
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
}

#define DAYS_1970_TO_2006 13149 /* 36 * 365 + 9 leap days */

bx_time_t bx_time_make(int64_t sec, double frac_s)
{
    /* (int64_t) of a NaN, an infinity or a value beyond +-2^63 is undefined
     * behaviour; such a fraction (from a damaged file or a failed computation)
     * is dropped: the time stays at `sec` */
    if (!(fabs(frac_s) < 4e15))
        frac_s = 0.0;
    const double w = floor(frac_s);
    bx_time_t t = {sec + (int64_t)w, frac_s - w};
    if (t.frac_s >= 1.0) { /* frac_s - w can round up to 1.0 for tiny negative inputs */
        t.sec += 1;
        t.frac_s = 0.0;
    }
    return t;
}

bx_time_t bx_time_from_week_sow(int week, double sow_s)
{
    return bx_time_make((int64_t)week * BX_SEC_PER_WEEK, sow_s);
}

double bx_time_to_week_sow(bx_time_t t, int *week)
{
    const int64_t w = floor_div(t.sec, BX_SEC_PER_WEEK);
    if (week)
        *week = (int)w;
    return (double)(t.sec - w * BX_SEC_PER_WEEK) + t.frac_s;
}

bx_time_t bx_time_from_gps_week_tow(int gps_week, double tow_s)
{
    return bx_time_from_week_sow(gps_week - BX_GPS_WEEK_AT_BDT0, tow_s);
}

double bx_time_to_gps_week_tow(bx_time_t gpst, int *gps_week)
{
    int w;
    const double tow = bx_time_to_week_sow(gpst, &w);
    if (gps_week)
        *gps_week = w + BX_GPS_WEEK_AT_BDT0;
    return tow;
}

bx_time_t bx_time_add(bx_time_t t, double dt_s)
{
    if (!(fabs(dt_s) < 4e15)) /* NaN / huge: undefined as int64_t; the time is kept */
        dt_s = 0.0;
    const double w = floor(dt_s);
    return bx_time_make(t.sec + (int64_t)w, t.frac_s + (dt_s - w));
}

double bx_time_diff(bx_time_t a, bx_time_t b)
{
    return (double)(a.sec - b.sec) + (a.frac_s - b.frac_s);
}

int bx_time_cmp(bx_time_t a, bx_time_t b)
{
    if (a.sec != b.sec)
        return a.sec < b.sec ? -1 : 1;
    if (a.frac_s != b.frac_s)
        return a.frac_s < b.frac_s ? -1 : 1;
    return 0;
}

bx_time_t bx_time_gpst_to_bdt(bx_time_t gpst)
{
    gpst.sec -= BX_GPST_MINUS_BDT_S;
    return gpst;
}

bx_time_t bx_time_bdt_to_gpst(bx_time_t bdt)
{
    bdt.sec += BX_GPST_MINUS_BDT_S;
    return bdt;
}

bx_time_t bx_time_bdt_to_utc(bx_time_t bdt, int leap_s)
{
    bdt.sec -= leap_s;
    return bdt;
}

bx_time_t bx_time_utc_to_bdt(bx_time_t utc, int leap_s)
{
    utc.sec += leap_s;
    return utc;
}

int bx_time_leap_bdt_utc_s(bx_time_t utc)
{
    /* UTC dates from which BDT - UTC increased by one second (leap second
     * inserted at the end of the previous day; IERS Bulletin C 36, 43, 49,
     * 52).  BDT - UTC was 0 at the BDT epoch (orbit.md §1). */
    static const int steps[][3] = {{2009, 1, 1}, {2012, 7, 1}, {2015, 7, 1}, {2017, 1, 1}};
    int n = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (bx_time_cmp(utc, bx_time_from_civil(steps[i][0], steps[i][1], steps[i][2], 0, 0, 0.0)) >= 0)
            n++;
    return n;
}

bx_time_t bx_time_from_civil(int y, int mo, int d, int h, int mi, double s)
{
    /* carry months outside 1..12 into the year */
    int64_t yy = y + floor_div(mo - 1, 12);
    int m = (int)((mo - 1) - 12 * floor_div(mo - 1, 12)) + 1;
    const int64_t days = days_from_civil(yy, m, 1) + (d - 1) - DAYS_1970_TO_2006;
    return bx_time_make(days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60, s);
}

void bx_time_to_civil(bx_time_t t, int *y, int *mo, int *d, int *h, int *mi, double *s)
{
    const int64_t days = floor_div(t.sec, 86400);
    const int64_t sod = t.sec - days * 86400;
    int yy, mm, dd;
    civil_from_days(days + DAYS_1970_TO_2006, &yy, &mm, &dd);
    if (y)
        *y = yy;
    if (mo)
        *mo = mm;
    if (d)
        *d = dd;
    if (h)
        *h = (int)(sod / 3600);
    if (mi)
        *mi = (int)(sod % 3600 / 60);
    if (s)
        *s = (double)(sod % 60) + t.frac_s;
}

int bx_time_doy(bx_time_t t, double *sod_s)
{
    int y;
    bx_time_to_civil(t, &y, NULL, NULL, NULL, NULL, NULL);
    const bx_time_t jan1 = bx_time_from_civil(y, 1, 1, 0, 0, 0.0);
    const int64_t dsec = t.sec - jan1.sec;
    if (sod_s)
        *sod_s = (double)(dsec % 86400) + t.frac_s;
    return (int)(dsec / 86400) + 1;
}

double bx_time_to_mjd(bx_time_t t)
{
    /* MJD 53736 = 2006-01-01 */
    return 53736.0 + ((double)t.sec + t.frac_s) / 86400.0;
}

char *bx_time_str(bx_time_t t, char *buf, size_t n)
{
    /* round to the nanosecond first so that 59.9999999999 prints as the next minute */
    int64_t ns = (int64_t)floor(t.frac_s * 1e9 + 0.5);
    bx_time_t r = {t.sec, 0.0};
    if (ns >= 1000000000) {
        r.sec += 1;
        ns -= 1000000000;
    }
    int y, mo, d, h, mi;
    double s;
    bx_time_to_civil(r, &y, &mo, &d, &h, &mi, &s);
    snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%09lld", y, mo, d, h, mi, (int)s, (long long)ns);
    return buf;
}
