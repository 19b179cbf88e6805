/* RINEX 3/4 navigation reader and RINEX 4 writer, BeiDou records (see
 * include/bdsrx/rinex_nav.h for what is read and written). */
#include "bdsrx/rinex_nav.h"
#include "gzfile.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/orbit.h"
#include "bdsrx/time.h"

#define MAXLINE 512
#define MAXREC 12     /* lines of one record (CNV1/CNV2: 10) */
#define TTM_UNKNOWN 0.999999999999e9

typedef struct {
    const char *name;
    bx_nav_t *nav;
    char *err;
    size_t errlen;
    double version;
    long line_no;
    char rec[MAXREC][MAXLINE];
    long rec_line0;
    int nrec;
    bx_time_t iono_epoch, sto_epoch;
    int have_iono, have_sto;
} rd_t;

static int fail(rd_t *r, long line, const char *fmt, ...)
{
    if (r->err && r->errlen) {
        int k = snprintf(r->err, r->errlen, "%s:%ld: ", r->name, line);
        if (k < 0)
            k = 0;
        if ((size_t)k < r->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return BX_ERR_FORMAT;
}

/* Number in columns [c0, c0+19) of record line li (RINEX D19.12; 'D'
 * exponents accepted).  Blank -> 0.  Returns BX_OK or a format error. */
static int num(rd_t *r, int li, int c0, double *v)
{
    char b[20];
    const char *s = r->rec[li];
    const int len = (int)strlen(s);
    int k = 0;
    for (int i = c0; i < c0 + 19; i++) {
        char c = i < len ? s[i] : ' ';
        b[k++] = (c == 'D' || c == 'd') ? 'E' : c;
    }
    b[k] = '\0';
    char *p = b;
    while (*p == ' ')
        p++;
    if (!*p) {
        *v = 0.0;
        return BX_OK;
    }
    char *end;
    *v = strtod(p, &end);
    while (*end == ' ')
        end++;
    if (*end || end == p || !isfinite(*v))
        return fail(r, r->rec_line0 + li, "columns %d-%d: '%s' is not a number (RINEX D19.12 field expected)",
                    c0 + 1, c0 + 19, p);
    return BX_OK;
}

/* The 4 values of orbit line li (1-based after the SV/epoch line) -> v[4]. */
static int orbit_line(rd_t *r, int li, double v[4])
{
    if (li >= r->nrec)
        return fail(r, r->rec_line0 + r->nrec - 1, "record ends after %d lines, broadcast orbit line %d missing",
                    r->nrec, li);
    for (int k = 0; k < 4; k++) {
        const int st = num(r, li, 4 + 19 * k, &v[k]);
        if (st)
            return st;
    }
    return BX_OK;
}

/* An integer code stored in a floating-point field (SISAI, IODE, IODC):
 * (int) of a non-finite or huge file value is undefined behaviour in C, so
 * anything not a finite number within +-1e6 becomes -1 (unknown). */
static int code_int(double v)
{
    return isfinite(v) && fabs(v) <= 1e6 ? (int)v : -1;
}

/* "yyyy mm dd hh mm ss" at column c0 of record line li. */
static int epoch_at(rd_t *r, int li, int c0, bx_time_t *t)
{
    const char *s = r->rec[li];
    int y, mo, d, h, mi, sec, n = 0;
    if ((int)strlen(s) < c0 + 19 || sscanf(s + c0, "%4d %2d %2d %2d %2d %2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1980)
        return fail(r, r->rec_line0 + li, "bad epoch at columns %d-%d (expected 'yyyy mm dd hh mm ss')", c0 + 1,
                    c0 + 19);
    *t = bx_time_from_civil(y, mo, d, h, mi, (double)sec);
    return BX_OK;
}

/* SV/epoch/clock line: "Cnn yyyy mm dd hh mm ss" + a0 a1 a2. */
static int sv_clock(rd_t *r, int *prn, bx_time_t *toc, double a[3])
{
    const char *s = r->rec[0];
    *prn = 0; /* defined on every path (fail() is not known to return non-zero) */
    if (s[0] != 'C' || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
        return fail(r, r->rec_line0, "expected 'Cnn' satellite at column 1");
    *prn = (s[1] - '0') * 10 + (s[2] - '0');
    if (*prn < 1 || *prn > BX_PRN_MAX)
        return fail(r, r->rec_line0, "PRN %d out of range 1..%d", *prn, BX_PRN_MAX);
    int st = epoch_at(r, 0, 4, toc);
    for (int k = 0; !st && k < 3; k++)
        st = num(r, 0, 23 + 19 * k, &a[k]);
    return st;
}

static bx_time_t toe_near(bx_time_t toc, double toe_sow)
{
    int wk;
    const double toc_sow = bx_time_to_week_sow(toc, &wk);
    if (toe_sow - toc_sow > 302400.0)
        wk--;
    else if (toe_sow - toc_sow < -302400.0)
        wk++;
    return bx_time_from_week_sow(wk, toe_sow);
}

static int sat_type_ok(rd_t *r, int li, double v)
{
    if (v != 1.0 && v != 2.0 && v != 3.0)
        return fail(r, r->rec_line0 + li, "SatType %g is not 1 (GEO), 2 (IGSO) or 3 (MEO)", v);
    return BX_OK;
}

/* Orbit lines 1-4, common to CNAV and D1/D2. */
static int kepler_lines(rd_t *r, bx_eph_t *e, double *v1_0, double *sqrtA, double *toe_sow)
{
    double v[4];
    int st;
    if ((st = orbit_line(r, 1, v)))
        return st;
    *v1_0 = v[0];
    e->crs_m = v[1];
    e->dn0_rad_s = v[2];
    e->M0_rad = v[3];
    if ((st = orbit_line(r, 2, v)))
        return st;
    e->cuc_rad = v[0];
    e->e = v[1];
    e->cus_rad = v[2];
    *sqrtA = v[3];
    if ((st = orbit_line(r, 3, v)))
        return st;
    *toe_sow = v[0];
    e->cic_rad = v[1];
    e->Omega0_rad = v[2];
    e->cis_rad = v[3];
    if ((st = orbit_line(r, 4, v)))
        return st;
    e->i0_rad = v[0];
    e->crc_m = v[1];
    e->omega_rad = v[2];
    e->Omegadot_rad_s = v[3];
    if (!(*sqrtA > 1000.0) || !(e->e >= 0.0 && e->e < 1.0) || !(*toe_sow >= 0.0 && *toe_sow < 604800.0))
        return fail(r, r->rec_line0 + 2, "implausible orbit (sqrtA %g, e %g, toe %g s)", *sqrtA, e->e, *toe_sow);
    return BX_OK;
}

static int is_geo_prn(int prn)
{
    return prn <= 5 || prn >= 59; /* orbit.md §3.1: C01-C05, C59-C63 */
}

/* kind: 1/2/3 = CNV1/CNV2/CNV3 */
static int parse_cnav(rd_t *r, int kind)
{
    bx_eph_t e;
    memset(&e, 0, sizeof e);
    int prn, st;
    double a[3], v[4], sqrtA, toe_sow;
    if ((st = sv_clock(r, &prn, &e.toc, a)) || (st = kepler_lines(r, &e, &e.Adot_mps, &sqrtA, &toe_sow)) ||
        (st = orbit_line(r, 5, v)) || (st = sat_type_ok(r, 5, v[2])))
        return st;
    e.prn = (uint8_t)prn;
    e.a0_s = a[0];
    e.a1_s_s = a[1];
    e.a2_s_s2 = a[2];
    e.idot_rad_s = v[0];
    e.dn0dot_rad_s2 = v[1];
    /* The SatType column is not trusted: in the DLR merged file 289 of 1560
     * CNAV records say GEO (1) for MEO/IGSO satellites.  The orbit branch
     * follows the PRN for GEOs (orbit.md §3.1, as RTKLIB/CSSR) and otherwise
     * the reference axis that A = sqrtA² fits within the ΔA field range
     * (s26 × 2^-9 m = ±65536 m, orbit.md §2). */
    const double A = sqrtA * sqrtA;
    if (is_geo_prn(prn))
        e.sat_type = BX_SAT_GEO;
    else if (fabs(A - BX_AREF_MEO_M) < 65536.0)
        e.sat_type = BX_SAT_MEO;
    else if (fabs(A - BX_AREF_IGSO_GEO_M) < 65536.0)
        e.sat_type = BX_SAT_IGSO;
    else
        return fail(r, r->rec_line0 + 2, "A = sqrtA^2 = %.0f m is not within 65536 m (the ΔA range) of a BDS "
                    "reference semi-major axis (orbit.md §1-2)", A);
    e.dA_m = A - bx_eph_aref_m(e.sat_type);
    if ((st = orbit_line(r, 6, v)))
        return st;
    e.sisai_oe = code_int(v[0]);
    e.sisai_ocb = code_int(v[1]);
    e.sisai_oc1 = code_int(v[2]);
    e.sisai_oc2 = code_int(v[3]);
    if ((st = orbit_line(r, 7, v)))
        return st;
    if (kind == 3) {
        e.health = (uint8_t)(v[1] != 0.0);
        e.tgd_b2bi_s = v[3];
        e.iode = e.iodc = -1;
        e.source = BX_SIG_B2B;
    } else {
        e.isc_b1cd_s = v[0];
        e.isc_b2ad_s = v[1];
        e.tgd_b1cp_s = v[2];
        e.tgd_b2ap_s = v[3];
        if ((st = orbit_line(r, 8, v)))
            return st;
        e.health = (uint8_t)(v[1] != 0.0);
        e.iodc = code_int(v[3]);
        if ((st = orbit_line(r, 9, v)))
            return st;
        e.iode = code_int(v[3]);
        e.source = kind == 1 ? BX_SIG_B1C : BX_SIG_B2A;
    }
    e.toe = toe_near(e.toc, toe_sow);
    bx_time_to_week_sow(e.toe, &e.week);
    return bx_nav_add(r->nav, &e);
}

/* Legacy D1/D2 (RINEX 3.05 / 4.00 appendix, BDS navigation message record). */
static int parse_d1d2(rd_t *r, int d2)
{
    bx_eph_t e;
    memset(&e, 0, sizeof e);
    int prn, st;
    double a[3], v[4], sqrtA, toe_sow, aode;
    if ((st = sv_clock(r, &prn, &e.toc, a)) || (st = kepler_lines(r, &e, &aode, &sqrtA, &toe_sow)) ||
        (st = orbit_line(r, 5, v)))
        return st;
    e.prn = (uint8_t)prn;
    e.a0_s = a[0];
    e.a1_s_s = a[1];
    e.a2_s_s2 = a[2];
    e.idot_rad_s = v[0];
    const double week = v[2];
    const double A = sqrtA * sqrtA;
    /* D2 = GEO; D1 = IGSO (A near 42 Mm) or MEO.  A_ref only shifts dA, the
     * algorithm is the same with Adot = dn0dot = 0. */
    e.sat_type = d2 ? BX_SAT_GEO : (A > 35e6 ? BX_SAT_IGSO : BX_SAT_MEO);
    e.dA_m = A - bx_eph_aref_m(e.sat_type);
    if ((st = orbit_line(r, 6, v)))
        return st;
    e.health = (uint8_t)(v[1] != 0.0);
    e.tgd_b1i_s = v[2]; /* TGD1 B1/B3, TGD2 B2/B3 (RINEX 3.05 Table A14 BROADCAST ORBIT - 6) */
    e.tgd_b2i_s = v[3];
    if ((st = orbit_line(r, 7, v)))
        return st;
    e.iode = code_int(aode);
    e.iodc = code_int(v[1]);
    e.sisai_oe = e.sisai_ocb = e.sisai_oc1 = e.sisai_oc2 = -1;
    e.source = d2 ? BX_EPH_SRC_D2 : BX_EPH_SRC_D1;
    if (!(week >= 0.0 && week < 8192.0) || week != floor(week))
        return fail(r, r->rec_line0 + 5, "BDT week %g is not an integer in 0..8191", week);
    e.week = (int)week;
    e.toe = bx_time_from_week_sow(e.week, toe_sow);
    return bx_nav_add(r->nav, &e);
}

/* "> ION Cnn CNVX": epoch + alpha1..9 (TECu); "ION Cnn D1D2": Klobuchar (dropped). */
static int parse_ion(rd_t *r, int cnvx)
{
    bx_time_t t;
    int st = epoch_at(r, 1, 4, &t);
    const int nval = cnvx ? 9 : 8;
    double v[9];
    for (int k = 0; !st && k < nval; k++) {
        const int li = 1 + (k + 1) / 4, col = 4 + 19 * ((k + 1) % 4);
        if (li >= r->nrec)
            return fail(r, r->rec_line0 + r->nrec - 1, "ION record has %d lines, %d values expected", r->nrec, nval);
        st = num(r, li, col, &v[k]);
    }
    if (st || !cnvx)
        return st;
    if (!r->have_iono || bx_time_cmp(t, r->iono_epoch) >= 0) {
        r->nav->iono.valid = 1;
        memcpy(r->nav->iono.alpha_tecu, v, sizeof r->nav->iono.alpha_tecu);
        r->iono_epoch = t;
        r->have_iono = 1;
    }
    return BX_OK;
}

/* "> STO Cnn ...": epoch, time-offset code; then t_tm a0 a1 a2. */
static int parse_sto(rd_t *r)
{
    bx_time_t t;
    double v[4];
    int st = epoch_at(r, 1, 4, &t);
    if (st || (st = orbit_line(r, 2, v)))
        return st;
    if (strlen(r->rec[1]) < 28 || strncmp(r->rec[1] + 24, "BDUT", 4) != 0)
        return BX_OK; /* BDT-GPS/GAL/GLO offsets: no home in bx_nav_t */
    if (!r->have_sto || bx_time_cmp(t, r->sto_epoch) >= 0) {
        bx_utc_t *u = &r->nav->utc;
        u->valid = 1;
        u->a0_utc_s = v[1];
        u->a1_utc_s_s = v[2];
        u->a2_utc_s_s2 = v[3];
        u->t_ot_s = (int)lround(bx_time_to_week_sow(t, &u->wn_ot));
        r->sto_epoch = t;
        r->have_sto = 1;
    }
    return BX_OK;
}

static int parse_eop(rd_t *r)
{
    bx_time_t t;
    double v[4];
    int st = epoch_at(r, 1, 4, &t);
    for (int li = 2; !st && li <= 3; li++)
        st = orbit_line(r, li, v);
    return st;
}

/* One complete record in r->rec (v4: r->rec[0] is the "> " line). */
static int parse_record(rd_t *r)
{
    if (r->version >= 4.0) {
        char type[8] = "", sv[8] = "", msg[8] = "";
        if (sscanf(r->rec[0], "> %7s %7s %7s", type, sv, msg) < 2)
            return fail(r, r->rec_line0, "record header '> TYPE SV MSG' expected");
        if (sv[0] != 'C')
            return BX_OK;
        /* drop the "> " line so that the SV/epoch line is rec[0] for EPH */
        if (!strcmp(type, "EPH")) {
            const int kind = !strcmp(msg, "CNV1") ? 1 : !strcmp(msg, "CNV2") ? 2 : !strcmp(msg, "CNV3") ? 3
                           : !strcmp(msg, "D1") ? 4 : !strcmp(msg, "D2") ? 5 : 0;
            if (!kind)
                return BX_OK; /* unknown BDS message type: skipped */
            if (r->nrec < 2)
                return fail(r, r->rec_line0, "EPH record without data lines");
            memmove(r->rec[0], r->rec[1], (size_t)(r->nrec - 1) * sizeof r->rec[0]);
            r->nrec--;
            r->rec_line0++;
            if (strncmp(r->rec[0], sv, 3) != 0)
                return fail(r, r->rec_line0, "satellite '%.3s' differs from the record header's %s", r->rec[0], sv);
            return kind <= 3 ? parse_cnav(r, kind) : parse_d1d2(r, kind == 5);
        }
        if (r->nrec < 2)
            return fail(r, r->rec_line0, "%s record without data lines", type);
        if (!strcmp(type, "ION"))
            return !strcmp(msg, "CNVX") ? parse_ion(r, 1) : !strcmp(msg, "D1D2") ? parse_ion(r, 0) : BX_OK;
        if (!strcmp(type, "STO"))
            return parse_sto(r);
        if (!strcmp(type, "EOP"))
            return parse_eop(r);
        return BX_OK;
    }
    if (r->rec[0][0] != 'C')
        return BX_OK;
    const int prn = atoi(r->rec[0] + 1);
    return parse_d1d2(r, is_geo_prn(prn));
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static int read_header(rd_t *r, FILE *f)
{
    char line[MAXLINE];
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        r->line_no++;
        chomp(line);
        const char *label = strlen(line) > 60 ? line + 60 : "";
        if (first) {
            first = 0;
            if (!strstr(label, "RINEX VERSION / TYPE"))
                return fail(r, r->line_no, "not a RINEX file (first line lacks 'RINEX VERSION / TYPE')");
            r->version = atof(line);
            if (line[20] != 'N')
                return fail(r, r->line_no, "file type '%c' is not N (navigation)", line[20]);
            if (r->version < 3.0)
                return fail(r, r->line_no, "RINEX %.2f navigation is not supported (3.0x or 4.0x needed)", r->version);
            continue;
        }
        if (strstr(label, "END OF HEADER"))
            return BX_OK;
        if (strstr(label, "LEAP SECONDS")) {
            int ls = 0;
            if (sscanf(line, "%6d", &ls) != 1)
                return fail(r, r->line_no, "LEAP SECONDS without a number in columns 1-6");
            /* RINEX 3.04+: system in columns 25-27, blank = GPS (GPS - UTC) */
            r->nav->utc.dt_ls_s = strncmp(line + 24, "BDS", 3) == 0 ? ls : ls - BX_GPST_MINUS_BDT_S;
        } else if (strstr(label, "TIME SYSTEM CORR") && !strncmp(line, "BDUT", 4)) {
            char b[64];
            double a0, a1;
            int tot, wn;
            snprintf(b, sizeof b, "%.33s", line + 5);
            for (char *p = b; *p; p++)
                if (*p == 'D' || *p == 'd')
                    *p = 'E';
            if (sscanf(b, "%17lf%16lf", &a0, &a1) != 2 || sscanf(line + 38, "%7d%5d", &tot, &wn) != 2)
                return fail(r, r->line_no, "TIME SYSTEM CORR BDUT: a0 (D17.10), a1 (D16.9), T (I7), W (I5) expected");
            bx_utc_t *u = &r->nav->utc;
            u->valid = 1;
            u->a0_utc_s = a0;
            u->a1_utc_s_s = a1;
            u->a2_utc_s_s2 = 0.0;
            u->t_ot_s = tot;
            u->wn_ot = wn;
        }
    }
    return fail(r, r->line_no, "end of file before END OF HEADER");
}

int bx_rinex_nav_read_stream(FILE *f, const char *name, bx_nav_t *n, char *err, size_t errlen)
{
    rd_t *r = calloc(1, sizeof *r);
    if (!r)
        return BX_ERR_NOMEM;
    r->name = name ? name : "(stream)";
    r->nav = n;
    r->err = err;
    r->errlen = errlen;
    int st = read_header(r, f);
    char line[MAXLINE];
    while (!st && fgets(line, sizeof line, f)) {
        r->line_no++;
        chomp(line);
        if (!line[0] || strspn(line, " ") == strlen(line))
            continue;
        const int start = r->version >= 4.0 ? line[0] == '>' : line[0] != ' ';
        if (start) {
            if (r->nrec)
                st = parse_record(r);
            r->nrec = 0;
            r->rec_line0 = r->line_no;
        } else if (!r->nrec) {
            st = fail(r, r->line_no, "continuation line outside a record");
            break;
        }
        if (!st) {
            if (r->nrec == MAXREC) {
                st = fail(r, r->line_no, "record longer than %d lines", MAXREC);
                break;
            }
            snprintf(r->rec[r->nrec++], MAXLINE, "%s", line);
        }
    }
    if (!st && r->nrec)
        st = parse_record(r);
    if (!st && ferror(f)) {
        snprintf(err, errlen, "%s: read error", r->name);
        st = BX_ERR_IO;
    }
    free(r);
    return st;
}

int bx_rinex_nav_read(const char *path, bx_nav_t *n, char *err, size_t errlen)
{
    FILE *f = bx_gz_open(path); /* plain or gzip (zlib: no shell, any file name) */
    if (!f) {
        snprintf(err, errlen, "%s: cannot open (check the path and permissions)", path);
        return BX_ERR_IO;
    }
    int st = bx_rinex_nav_read_stream(f, path, n, err, errlen);
    if (fclose(f) != 0 && st == BX_OK) {
        snprintf(err, errlen, "%s: corrupt or truncated gzip data", path);
        st = BX_ERR_IO;
    }
    return st;
}

/* ---------------- writer ---------------- */

static void put(FILE *f, double v)
{
    if (v != 0.0 && fabs(v) < 1e-99)
        v = 0.0; /* keep the exponent to two digits (19 columns) */
    fprintf(f, "%19.12E", v);
}

static void blank(FILE *f)
{
    fputs("                   ", f);
}

static void line4(FILE *f, double a, double b, double c, double d)
{
    fputs("    ", f);
    put(f, a);
    put(f, b);
    put(f, c);
    put(f, d);
    fputc('\n', f);
}

static void epoch(FILE *f, bx_time_t t)
{
    int y, mo, d, h, mi;
    double s;
    bx_time_to_civil(bx_time_add(t, 0.5), &y, &mo, &d, &h, &mi, &s); /* whole seconds */
    fprintf(f, "%04d %02d %02d %02d %02d %02d", y, mo, d, h, mi, (int)s);
}

static void write_eph(FILE *f, const bx_eph_t *e, int v3)
{
    static const char *names[] = {"CNV1", "CNV2", "CNV3"};
    const int legacy = bx_eph_is_legacy(e);
    const char *msg = legacy ? (e->source == BX_EPH_SRC_D2 ? "D2  " : "D1  ") : names[e->source < 3 ? e->source : 0];
    const double sqrtA = sqrt(bx_eph_aref_m(e->sat_type) + e->dA_m);
    if (!v3)
        fprintf(f, "> EPH C%02d %s\n", e->prn, msg);
    fprintf(f, "C%02d ", e->prn);
    epoch(f, e->toc);
    put(f, e->a0_s);
    put(f, e->a1_s_s);
    put(f, e->a2_s_s2);
    fputc('\n', f);
    line4(f, legacy ? e->iode : e->Adot_mps, e->crs_m, e->dn0_rad_s, e->M0_rad);
    line4(f, e->cuc_rad, e->e, e->cus_rad, sqrtA);
    line4(f, bx_time_to_week_sow(e->toe, NULL), e->cic_rad, e->Omega0_rad, e->cis_rad);
    line4(f, e->i0_rad, e->crc_m, e->omega_rad, e->Omegadot_rad_s);
    if (legacy) {
        int wk;
        bx_time_to_week_sow(e->toe, &wk);
        fputs("    ", f);
        put(f, e->idot_rad_s);
        blank(f);
        put(f, wk);
        fputc('\n', f);
        line4(f, 0.0, e->health, e->tgd_b1i_s, e->tgd_b2i_s);
        fputs("    ", f);
        put(f, TTM_UNKNOWN);
        put(f, e->iodc);
        fputc('\n', f);
        return;
    }
    line4(f, e->idot_rad_s, e->dn0dot_rad_s2, e->sat_type, 0.0);
    line4(f, e->sisai_oe, e->sisai_ocb, e->sisai_oc1, e->sisai_oc2);
    if (e->source == BX_SIG_B2B) {
        line4(f, 0.0, e->health, 0.0, e->tgd_b2bi_s);
        fputs("    ", f);
        put(f, TTM_UNKNOWN);
        fputc('\n', f);
        return;
    }
    fputs("    ", f);
    if (e->source == BX_SIG_B1C)
        put(f, e->isc_b1cd_s), blank(f);
    else
        blank(f), put(f, e->isc_b2ad_s);
    put(f, e->tgd_b1cp_s);
    put(f, e->tgd_b2ap_s);
    fputc('\n', f);
    line4(f, 0.0, e->health, 0.0, e->iodc);
    fputs("    ", f);
    put(f, TTM_UNKNOWN);
    blank(f);
    blank(f);
    put(f, e->iode);
    fputc('\n', f);
}

static void hdr(FILE *f, const char *text, const char *label)
{
    fprintf(f, "%-60.60s%-20s\n", text, label);
}

int bx_rinex_nav_write(FILE *f, const bx_nav_t *n)
{
    char b[96], date[32];
    const time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(date, sizeof date, "%Y%m%d %H%M%S UTC", &tmv);
    hdr(f, "     4.00           NAVIGATION DATA     C", "RINEX VERSION / TYPE");
    snprintf(b, sizeof b, "%-20s%-20s%-20s", "bdsrx", "", date);
    hdr(f, b, "PGM / RUN BY / DATE");
    if (n->utc.dt_ls_s != 0) {
        snprintf(b, sizeof b, "%6d%18s%-3s", n->utc.dt_ls_s, "", "BDS");
        hdr(f, b, "LEAP SECONDS");
    }
    hdr(f, "", "END OF HEADER");
    const int prn = n->n_eph ? n->eph[0].prn : 1;
    const bx_time_t t0 = n->n_eph ? n->eph[0].toc : bx_time_make(0, 0.0);
    if (n->iono.valid) {
        const double *a = n->iono.alpha_tecu;
        fprintf(f, "> ION C%02d CNVX\n    ", prn);
        epoch(f, t0);
        put(f, a[0]), put(f, a[1]), put(f, a[2]);
        fputc('\n', f);
        line4(f, a[3], a[4], a[5], a[6]);
        fputs("    ", f);
        put(f, a[7]), put(f, a[8]);
        fputc('\n', f);
    }
    if (n->utc.valid) {
        fprintf(f, "> STO C%02d CNVX\n    ", prn);
        epoch(f, bx_time_from_week_sow(n->utc.wn_ot, n->utc.t_ot_s));
        fprintf(f, " BDUT%34s%-18s\n", "", "UTC(NTSC)");
        line4(f, TTM_UNKNOWN, n->utc.a0_utc_s, n->utc.a1_utc_s_s, n->utc.a2_utc_s_s2);
    }
    for (int i = 0; i < n->n_eph; i++)
        write_eph(f, &n->eph[i], 0);
    return ferror(f) ? BX_ERR_IO : BX_OK;
}

/* ---------------- RINEX 3.04 writer (legacy BDS records) ---------------- */

/* The ephemerides to write: legacy ones as they are, one CNAV ephemeris per PRN and t_oe
 * (B-CNAV1 before B-CNAV2 before B-CNAV3: the same broadcast orbit and B3I clock) fitted to the
 * legacy parameter set. */
static int pick3(const bx_nav_t *n, int i)
{
    const bx_eph_t *e = &n->eph[i];
    if (bx_eph_is_legacy(e))
        return 1;
    for (int k = 0; k < n->n_eph; k++) {
        const bx_eph_t *o = &n->eph[k];
        if (k == i || bx_eph_is_legacy(o) || o->prn != e->prn || o->toe.sec != e->toe.sec)
            continue;
        if (o->source < e->source || (o->source == e->source && k < i))
            return 0;
    }
    return 1;
}

int bx_rinex_nav_write3(FILE *f, const bx_nav_t *n, int clock_sig, bx_ephfit_stats_t *worst)
{
    bx_eph_t *out = calloc((size_t)(n->n_eph ? n->n_eph : 1), sizeof *out);
    if (!out)
        return BX_ERR_NOMEM;
    bx_ephfit_stats_t w;
    memset(&w, 0, sizeof w);
    int nout = 0, nfit = 0;
    for (int i = 0; i < n->n_eph; i++) {
        if (!pick3(n, i))
            continue;
        bx_ephfit_stats_t s;
        const int st = bx_eph_fit_legacy(&n->eph[i], 0.0, &out[nout], &s);
        if (st != BX_OK)
            continue; /* implausible ephemeris: not written */
        if (!bx_eph_is_legacy(&n->eph[i])) {
            if (clock_sig == BX_SIG_B1C || clock_sig == BX_SIG_B2A)
                out[nout].a0_s -= bx_tgd_s(&n->eph[i], clock_sig, 1); /* orbit.md §5: clock of the pilot */
            nfit++;
            w.rms_1h_m = fmax(w.rms_1h_m, s.rms_1h_m);
            w.max_1h_m = fmax(w.max_1h_m, s.max_1h_m);
            w.rms_m = fmax(w.rms_m, s.rms_m);
            w.max_m = fmax(w.max_m, s.max_m);
            w.clk_max_m = fmax(w.clk_max_m, s.clk_max_m);
            w.copy_max_1h_m = fmax(w.copy_max_1h_m, s.copy_max_1h_m);
            w.iterations = s.iterations > w.iterations ? s.iterations : w.iterations;
        }
        nout++;
    }
    if (worst)
        *worst = w;

    char b[96], date[32];
    const time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(date, sizeof date, "%Y%m%d %H%M%S UTC", &tmv);
    snprintf(b, sizeof b, "%9.2f%11s%-20s%-20s", 3.04, "", "N: GNSS NAV DATA", "C: BEIDOU");
    hdr(f, b, "RINEX VERSION / TYPE");
    snprintf(b, sizeof b, "%-20s%-20s%-20s", "bdsrx", "", date);
    hdr(f, b, "PGM / RUN BY / DATE");
    if (nfit) {
        hdr(f, "B-CNAV1/2/3 ephemerides as BDS legacy (D1/D2) records: the", "COMMENT");
        hdr(f, "15 legacy orbit parameters are least-squares fitted to the", "COMMENT");
        hdr(f, "CNAV orbit and clock (CNAV has A-dot, dn-dot) over toe", "COMMENT");
        snprintf(b, sizeof b, "+-1.5 h. Fit error, worst of %d: 3-D max %.3f m", nfit, w.max_1h_m);
        hdr(f, b, "COMMENT");
        snprintf(b, sizeof b, "within toe +-1 h, %.3f m within +-1.5 h (CNAV evaluated", w.max_m);
        hdr(f, b, "COMMENT");
        hdr(f, "with the ICD algorithm vs the record with the legacy one).", "COMMENT");
        if (clock_sig == BX_SIG_B1C || clock_sig == BX_SIG_B2A) {
            snprintf(b, sizeof b, "NOT STANDARD: a0 = a0(B3I) - T_GD_%s: a clock for", clock_sig == BX_SIG_B1C ? "B1Cp" : "B2ap");
            hdr(f, b, "COMMENT");
            snprintf(b, sizeof b, "%s pilot users (no TGD to apply); wrong for B1I/B3I.", clock_sig == BX_SIG_B1C ? "B1C" : "B2a");
            hdr(f, b, "COMMENT");
        } else
            hdr(f, "Clock a0-a2 copied (B3I-referenced in both messages).", "COMMENT");
        hdr(f, "AODE/AODC = CNAV IODE/IODC. TGD1/TGD2 (B1I/B2I) are not", "COMMENT");
        hdr(f, "in B-CNAV: written 0. B1C/B2a users must apply T_GD_B1Cp,", "COMMENT");
        hdr(f, "T_GD_B2ap, ISC from the RINEX 4 file (bdsrx default).", "COMMENT");
    }
    hdr(f, "BDGIM ionosphere has no RINEX 3 record: not written.", "COMMENT");
    if (n->utc.valid) { /* RINEX 3.04 Table A5: A4,1X,D17.10,D16.9,I7,I5 */
        snprintf(b, sizeof b, "BDUT %17.10E%16.9E%7d%5d", n->utc.a0_utc_s, n->utc.a1_utc_s_s, n->utc.t_ot_s,
                 n->utc.wn_ot);
        hdr(f, b, "TIME SYSTEM CORR");
    }
    if (n->utc.dt_ls_s != 0) { /* system blank = GPS - UTC (RINEX 3.04 Table A5), read by every reader */
        snprintf(b, sizeof b, "%6d", n->utc.dt_ls_s + BX_GPST_MINUS_BDT_S);
        hdr(f, b, "LEAP SECONDS");
    }
    hdr(f, "", "END OF HEADER");
    for (int i = 0; i < nout; i++)
        write_eph(f, &out[i], 1);
    free(out);
    return ferror(f) ? BX_ERR_IO : BX_OK;
}
