/* NMEA 0183 output (GGA, RMC, GSA, GSV) for BeiDou-only solutions; field
 * layout and conventions documented in include/bdsrx/output.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bdsrx/output.h"
#include "bdsrx/pvt.h"
#include "bdsrx/time.h"

#define R2D (180.0 / M_PI)
#define MPS_TO_KNOTS (3600.0 / 1852.0) /* international nautical mile = 1852 m */

unsigned bx_nmea_checksum(const char *s)
{
    unsigned c = 0;
    if (*s == '$')
        s++;
    for (; *s && *s != '*'; s++)
        c ^= (unsigned char)*s;
    return c;
}

/* Appends "*hh\r\n" to the body in buf (which starts with '$'). */
static int finish(char *buf, size_t n, int len)
{
    if (len < 0 || (size_t)len + 6 > n)
        return BX_ERR_ARG;
    const unsigned c = bx_nmea_checksum(buf);
    return len + snprintf(buf + len, n - (size_t)len, "*%02X\r\n", c);
}

static int cat(char *buf, size_t n, int len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int cat(char *buf, size_t n, int len, const char *fmt, ...)
{
    if (len < 0 || (size_t)len >= n)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    const int k = vsnprintf(buf + len, n - (size_t)len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)(len + k) >= n)
        return -1;
    return len + k;
}

typedef struct {
    int y, mo, d, h, mi;
    double s;
} civil_t;

/* UTC of the solution rounded to 0.01 s (rounding before splitting avoids "60.00"). */
static civil_t utc_of(const bx_sol_t *sol)
{
    bx_time_t t = bx_time_bdt_to_utc(bx_sol_valid(sol) ? sol->time : sol->rx_time, sol->leap_s);
    double frac = t.frac_s;
    t.frac_s = 0.0;
    t = bx_time_add(t, floor(frac * 100.0 + 0.5) / 100.0);
    civil_t c;
    bx_time_to_civil(t, &c.y, &c.mo, &c.d, &c.h, &c.mi, &c.s);
    c.s = floor(c.s * 100.0 + 0.5) / 100.0;
    return c;
}

/* "ddmm.mmmmm,N" / "dddmm.mmmmm,E" */
/* "ddmm.mmmmm,N" / "dddmm.mmmmm,E"; RTK fixes (float/fixed) get 7 decimals of a minute
 * (0.2 mm; 5 decimals are 1.9 cm, coarser than the solution), as RTK receivers write them. */
static int latlon(char *buf, size_t n, int len, double rad, int is_lon, int fix)
{
    const int dec = fix >= BX_FIX_FLOAT ? 7 : 5;
    const double top = 60.0 - 0.5 * pow(10.0, -dec);
    double deg = fabs(rad) * R2D;
    int d = (int)deg;
    double m = (deg - d) * 60.0;
    if (m >= top) { /* would print 60.00000 */
        d++;
        m = 0.0;
    }
    const char hemi = is_lon ? (rad < 0 ? 'W' : 'E') : (rad < 0 ? 'S' : 'N');
    return is_lon ? cat(buf, n, len, ",%03d%0*.*f,%c", d, dec + 3, dec, m, hemi)
                  : cat(buf, n, len, ",%02d%0*.*f,%c", d, dec + 3, dec, m, hemi);
}

static const char *tk(const char *talker)
{
    return (talker && strlen(talker) == 2) ? talker : "GB";
}

int bx_nmea_gga(const bx_sol_t *s, const char *talker, char *buf, size_t n)
{
    const civil_t c = utc_of(s);
    int len = cat(buf, n, 0, "$%sGGA,%02d%02d%05.2f", tk(talker), c.h, c.mi, c.s);
    if (bx_sol_valid(s)) {
        len = latlon(buf, n, len, s->llh[0], 0, s->fix);
        len = latlon(buf, n, len, s->llh[1], 1, s->fix);
        /* NMEA 0183 GGA: altitude above mean sea level, then the geoid separation N (geoid above
         * the ellipsoid).  Without a geoid the altitude is the ellipsoidal height and N is left
         * empty, so a reader (gpsd) knows it is not given rather than 0. */
        /* quality (NMEA 0183 v4.11 GGA): 1 autonomous, 4 RTK fixed integers, 5 RTK float.  PPP (float
         * carrier-phase ambiguities, BX_SOLF_PPP) also gives 5: 4.11 has no PPP code; gpsd shows 5 as a
         * float carrier-phase fix, while 3 (what RTKLIB writes for its PPP, solq_nmea) means the GPS
         * military PPS service to gpsd ("P(Y)") */
        const int q = s->fix == BX_FIX_FIXED ? 4 : s->fix == BX_FIX_FLOAT ? 5 : 1;
        if (s->flags & BX_SOLF_GEOID)
            len = cat(buf, n, len, ",%d,%02d,%.1f,%.3f,M,%.3f,M,,", q, s->n_used > 99 ? 99 : s->n_used, s->hdop,
                      s->llh[2] - s->geoid_sep_m, s->geoid_sep_m);
        else
            len = cat(buf, n, len, ",%d,%02d,%.1f,%.3f,M,,M,,", q, s->n_used > 99 ? 99 : s->n_used, s->hdop,
                      s->llh[2]);
    } else {
        len = cat(buf, n, len, ",,,,,0,00,,,M,,M,,");
    }
    return finish(buf, n, len);
}

int bx_nmea_rmc(const bx_sol_t *s, const char *talker, char *buf, size_t n)
{
    const civil_t c = utc_of(s);
    const int ok = bx_sol_valid(s);
    int len = cat(buf, n, 0, "$%sRMC,%02d%02d%05.2f,%c", tk(talker), c.h, c.mi, c.s, ok ? 'A' : 'V');
    if (ok) {
        len = latlon(buf, n, len, s->llh[0], 0, s->fix);
        len = latlon(buf, n, len, s->llh[1], 1, s->fix);
        if (s->flags & BX_SOLF_VEL) {
            const double ve = s->vel_enu_mps[0], vn = s->vel_enu_mps[1];
            const double sp = sqrt(ve * ve + vn * vn);
            double course = atan2(ve, vn) * R2D;
            if (course < 0)
                course += 360.0;
            len = cat(buf, n, len, ",%.3f,%.2f", sp * MPS_TO_KNOTS, sp > 0.1 ? course : 0.0);
        } else {
            len = cat(buf, n, len, ",,");
        }
    } else {
        len = cat(buf, n, len, ",,,,,,");
    }
    /* mode indicator (NMEA 0183 v4.11): A autonomous, R RTK fixed, F RTK float, N none */
    const char mode = !ok ? 'N' : s->fix == BX_FIX_FIXED ? 'R' : s->fix == BX_FIX_FLOAT ? 'F' : 'A';
    len = cat(buf, n, len, ",%02d%02d%02d,,,%c", c.d, c.mo, c.y % 100, mode);
    return finish(buf, n, len);
}

int bx_nmea_gsa(const bx_sol_t *s, const char *talker, char *buf, size_t n)
{
    const int ok = bx_sol_valid(s);
    int len = cat(buf, n, 0, "$%sGSA,A,%d", tk(talker), ok ? 3 : 1);
    int k = 0;
    for (int i = 0; i < s->n_sat && k < 12; i++)
        if (s->sat[i].status == BX_SAT_USED && ok) {
            len = cat(buf, n, len, ",%02d", s->sat[i].prn);
            k++;
        }
    for (; k < 12; k++)
        len = cat(buf, n, len, ",");
    if (ok)
        len = cat(buf, n, len, ",%.1f,%.1f,%.1f,4", s->pdop, s->hdop, s->vdop);
    else
        len = cat(buf, n, len, ",,,,4");
    return finish(buf, n, len);
}

int bx_nmea_gsv(const bx_sol_t *s, char *buf, size_t n)
{
    /* Satellites with PRN 33..63 first.  NMEA 4.11 numbers BeiDou 1..63 under the GB talker,
     * but gpsd 3.22 (Debian 12) applies the talker only to the first sentence of a GSV set and
     * reads IDs 33..64 in later sentences as SBAS (measured in tests/test_gpsd.c); the order of
     * satellites in GSV carries no meaning, so putting those PRNs first keeps up to four of them
     * BeiDou for gpsd without leaving the standard numbering. */
    int idx[BX_SOL_MAXSAT], m = 0;
    const int ok = bx_sol_valid(s);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->n_sat && i < BX_SOL_MAXSAT; i++)
            if (ok && s->sat[i].el_deg > 0.0f && (s->sat[i].prn > 32) == (pass == 0))
                idx[m++] = i;
    const int nmsg = m ? (m + 3) / 4 : 1;
    int total = 0;
    for (int g = 0; g < nmsg; g++) {
        char *b = buf + total;
        const size_t bn = n - (size_t)total;
        int len = cat(b, bn, 0, "$GBGSV,%d,%d,%02d", nmsg, g + 1, m);
        for (int j = 4 * g; j < m && j < 4 * g + 4; j++) {
            const bx_solsat_t *t = &s->sat[idx[j]];
            int az = (int)lround(t->az_deg) % 360;
            len = cat(b, bn, len, ",%02d,%02d,%03d,", t->prn, (int)lround(t->el_deg), az);
            if (t->cn0_dbhz > 0.0f)
                len = cat(b, bn, len, "%02d", (int)lround(t->cn0_dbhz));
        }
        const int l = finish(b, bn, len);
        if (l < 0)
            return BX_ERR_ARG;
        total += l;
    }
    return total;
}

int bx_nmea_write(FILE *f, const bx_sol_t *s, const char *talker)
{
    char buf[100 * (BX_SOL_MAXSAT / 4 + 4)];
    int len;
    if ((len = bx_nmea_gga(s, talker, buf, sizeof buf)) < 0 || fputs(buf, f) < 0)
        return BX_ERR_IO;
    if ((len = bx_nmea_rmc(s, talker, buf, sizeof buf)) < 0 || fputs(buf, f) < 0)
        return BX_ERR_IO;
    if ((len = bx_nmea_gsa(s, talker, buf, sizeof buf)) < 0 || fputs(buf, f) < 0)
        return BX_ERR_IO;
    if ((len = bx_nmea_gsv(s, buf, sizeof buf)) < 0 || fputs(buf, f) < 0)
        return BX_ERR_IO;
    return BX_OK;
}
