/* RINEX 3.0x / 4.0x observation reader and writer (BeiDou only).
 * Record layout: RINEX 3.05 §5 and Table A2/A3 (epoch record "> yyyy mm dd hh
 * mm ss.sssssss f nnn", one line per satellite: "Cnn" then 16 columns per
 * type = F14.3 value, I1 LLI, I1 signal strength); RINEX 4.00 keeps it. */
#include "bdsrx/rinex_obs.h"
#include "gzfile.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "bdsrx/time.h"

#define LINE_MAX_CH 4096

struct bx_rinex_obs_reader {
    FILE *f;
    int is_pipe;
    int tsys_bdt;          /* epoch tags already BDT */
    unsigned sig_mask;     /* 1u << sig for every signal delivered */
    long line_no;
    bx_rinex_obs_header_t hdr;
    /* per BDS type: band signal (-1 ignored), kind 'C','L','D','S', attribute */
    int type_sig[BX_RNX_MAXTYPES];
    char type_kind[BX_RNX_MAXTYPES];
    char type_attr[BX_RNX_MAXTYPES];
    char line[LINE_MAX_CH];
    char path[256];
    char err[320];
};

static void set_err(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* Copies columns [c0, c0+w) of s (shorter lines: blanks) into out. */
static void field(const char *s, int c0, int w, char *out)
{
    const int len = (int)strlen(s);
    int k = 0;
    for (int i = c0; i < c0 + w; i++)
        out[k++] = (i < len && s[i] != '\n' && s[i] != '\r') ? s[i] : ' ';
    out[k] = '\0';
}

static double fnum(const char *s, int c0, int w, int *blank)
{
    char b[64];
    if (w > 63)
        w = 63;
    field(s, c0, w, b);
    char *p = b;
    while (*p == ' ')
        p++;
    if (blank)
        *blank = (*p == '\0');
    return *p ? strtod(p, NULL) : 0.0;
}

/* An integer field: (int) of a non-finite or huge value ("1e99", "nan" in a
 * damaged file) is undefined behaviour; such fields read as `bad_value`. */
static int inum(const char *s, int c0, int w, int *blank, int bad_value)
{
    const double v = fnum(s, c0, w, blank);
    if (!isfinite(v) || fabs(v) > 1e6 || v != floor(v)) {
        if (blank)
            *blank = 1;
        return bad_value;
    }
    return (int)v;
}

static void trim_copy(char *dst, size_t n, const char *src, int c0, int w)
{
    char b[128];
    field(src, c0, w < 127 ? w : 127, b);
    char *p = b;
    while (*p == ' ')
        p++;
    size_t l = strlen(p);
    while (l && p[l - 1] == ' ')
        p[--l] = '\0';
    snprintf(dst, n, "%s", p);
}

/* RINEX 3.05 §5.1 BDS bands: 1 = B1C, 5 = B2a, 7 = B2b (BDS-3 attributes D/P/Z;
 * BDS-2 B2I is 7I and is ignored). */
static void classify_type(const char *t, int *sig, char *kind, char *attr)
{
    *sig = -1;
    *kind = t[0];
    *attr = t[2];
    if (!strchr("CLDS", t[0]))
        return;
    if (t[1] == '1' && strchr("PDX", t[2]))
        *sig = BX_SIG_B1C;
    else if (t[1] == '5' && strchr("PDX", t[2]))
        *sig = BX_SIG_B2A;
    else if (t[1] == '7' && strchr("PDZ", t[2]))
        *sig = BX_SIG_B2B;
    else if (t[1] == '7' && strchr("IQX", t[2]))
        *sig = BX_SIG_B2I;
    else if (t[1] == '2' && strchr("IQX", t[2]))
        *sig = BX_SIG_B1I;
    else if (t[1] == '6' && strchr("IQX", t[2]))
        *sig = BX_SIG_B3I;
}

/* Preference among the attributes of one band: pilot > D+P > data for the BDS-3 signals;
 * for the legacy ones I (the open-service component every receiver tracks) > X > Q. */
static int attr_rank(char a)
{
    switch (a) {
    case 'P': case 'I': return 3;
    case 'X': case 'Z': return 2;
    case 'D': case 'Q': return 1;
    default: return 0;
    }
}

static int read_line(bx_rinex_obs_reader_t *r)
{
    if (!fgets(r->line, sizeof r->line, r->f))
        return 0;
    r->line_no++;
    return 1;
}

static int parse_header(bx_rinex_obs_reader_t *r)
{
    bx_rinex_obs_header_t *h = &r->hdr;
    int pending_types = 0, file_sys = 'M';
    char tsys[4] = "";
    while (read_line(r)) {
        const char *s = r->line;
        char label[21];
        field(s, 60, 20, label);
        if (!strncmp(label, "RINEX VERSION / TYPE", 20)) {
            h->version = fnum(s, 0, 9, NULL);
            if (strlen(s) > 20 && s[20] != 'O') {
                set_err(r->err, sizeof r->err, "%s: not an observation file (type '%c' in RINEX VERSION / TYPE)",
                        r->path, s[20]);
                return BX_ERR_FORMAT;
            }
            if (h->version < 3.0 || h->version >= 5.0) {
                set_err(r->err, sizeof r->err,
                        "%s: RINEX version %.2f not supported (3.0x or 4.0x needed; convert RINEX 2 with gfzrnx)",
                        r->path, h->version);
                return BX_ERR_UNSUPPORTED;
            }
            file_sys = (strlen(s) > 40 && s[40] != ' ') ? s[40] : 'G';
        } else if (!strncmp(label, "MARKER NAME", 11)) {
            trim_copy(h->marker, sizeof h->marker, s, 0, 60);
        } else if (!strncmp(label, "REC # / TYPE / VERS", 19)) {
            trim_copy(h->receiver, sizeof h->receiver, s, 20, 20);
        } else if (!strncmp(label, "ANT # / TYPE", 12)) {
            trim_copy(h->antenna, sizeof h->antenna, s, 20, 20);
        } else if (!strncmp(label, "APPROX POSITION XYZ", 19)) {
            for (int i = 0; i < 3; i++)
                h->approx_pos_m[i] = fnum(s, 14 * i, 14, NULL);
        } else if (!strncmp(label, "ANTENNA: DELTA H/E/N", 20)) {
            for (int i = 0; i < 3; i++)
                h->ant_delta_hen_m[i] = fnum(s, 14 * i, 14, NULL);
        } else if (!strncmp(label, "INTERVAL", 8)) {
            h->interval_s = fnum(s, 0, 10, NULL);
        } else if (!strncmp(label, "LEAP SECONDS", 12)) {
            h->leap_s = inum(s, 0, 6, NULL, -1);
        } else if (!strncmp(label, "TIME OF FIRST OBS", 17)) {
            trim_copy(tsys, sizeof tsys, s, 48, 3);
        } else if (!strncmp(label, "SYS / # / OBS TYPES", 19)) {
            if (s[0] != ' ') {
                pending_types = (s[0] == 'C') ? inum(s, 3, 3, NULL, 0) : 0;
                if (s[0] == 'C') {
                    if (pending_types > BX_RNX_MAXTYPES) {
                        set_err(r->err, sizeof r->err, "%s: %d BDS observation types, at most %d supported",
                                r->path, pending_types, BX_RNX_MAXTYPES);
                        return BX_ERR_UNSUPPORTED;
                    }
                    h->n_types = 0;
                }
            }
            for (int i = 0; i < 13 && pending_types > 0; i++) {
                char t[4];
                field(s, 7 + 4 * i, 3, t);
                if (t[0] == ' ')
                    break;
                memcpy(h->types[h->n_types], t, sizeof t);
                h->n_types++;
                pending_types--;
            }
        } else if (!strncmp(label, "END OF HEADER", 13)) {
            if (h->version == 0.0) {
                set_err(r->err, sizeof r->err, "%s: no RINEX VERSION / TYPE line: not a RINEX file", r->path);
                return BX_ERR_FORMAT;
            }
            if (tsys[0])
                snprintf(h->time_sys, sizeof h->time_sys, "%s", tsys);
            else /* RINEX 3.05 §5.9: default = the file's system; mixed -> GPS */
                snprintf(h->time_sys, sizeof h->time_sys, "%s", file_sys == 'C' ? "BDT" : "GPS");
            if (!strcmp(h->time_sys, "BDT"))
                r->tsys_bdt = 1;
            else if (strcmp(h->time_sys, "GPS") && strcmp(h->time_sys, "GAL")) {
                set_err(r->err, sizeof r->err, "%s: epoch time system %s not supported (GPS, GAL or BDT needed)",
                        r->path, h->time_sys);
                return BX_ERR_UNSUPPORTED;
            }
            for (int i = 0; i < h->n_types; i++)
                classify_type(h->types[i], &r->type_sig[i], &r->type_kind[i], &r->type_attr[i]);
            return BX_OK;
        }
    }
    set_err(r->err, sizeof r->err, "%s: end of file before END OF HEADER", r->path);
    return BX_ERR_FORMAT;
}

int bx_rinex_obs_open(const char *path, bx_rinex_obs_reader_t **out, char *err, size_t errlen)
{
    if (!path || !out)
        return BX_ERR_ARG;
    *out = NULL;
    bx_rinex_obs_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return BX_ERR_NOMEM;
    snprintf(r->path, sizeof r->path, "%s", path);
    r->hdr.leap_s = -1;
    r->sig_mask = (1u << BX_SIG_B1C) | (1u << BX_SIG_B2A) | (1u << BX_SIG_B2B);
    r->f = bx_gz_open(path); /* plain or gzip (zlib: no shell, any file name) */
    if (!r->f) {
        set_err(err, errlen, "%s: cannot open (check the path)", path);
        free(r);
        return BX_ERR_IO;
    }
    const int st = parse_header(r);
    if (st != BX_OK) {
        set_err(err, errlen, "%s", r->err);
        bx_rinex_obs_destroy(r);
        return st;
    }
    *out = r;
    return BX_OK;
}

const bx_rinex_obs_header_t *bx_rinex_obs_header(const bx_rinex_obs_reader_t *r)
{
    return &r->hdr;
}

void bx_rinex_obs_set_signals(bx_rinex_obs_reader_t *r, unsigned sig_mask)
{
    if (r)
        r->sig_mask = sig_mask;
}

const char *bx_rinex_obs_error(const bx_rinex_obs_reader_t *r)
{
    return r->err;
}

void bx_rinex_obs_destroy(bx_rinex_obs_reader_t *r)
{
    if (!r)
        return;
    if (r->f) {
        fclose(r->f);
    }
    free(r);
}

/* One BDS satellite line -> up to three bx_obsd_t (one per band). */
static void parse_sat(bx_rinex_obs_reader_t *r, const char *s, bx_obs_t *obs)
{
    const int prn = inum(s, 1, 2, NULL, 0);
    if (prn < 1 || prn > BX_PRN_MAX)
        return;
    double val[BX_RNX_MAXTYPES];
    int has[BX_RNX_MAXTYPES], lli[BX_RNX_MAXTYPES];
    int best[BX_SIG_COUNT] = {0};
    for (int i = 0; i < r->hdr.n_types; i++) {
        int blank;
        val[i] = fnum(s, 3 + 16 * i, 14, &blank);
        has[i] = !blank && val[i] != 0.0 && isfinite(val[i]) && fabs(val[i]) < 1e12;
        char c[2];
        field(s, 3 + 16 * i + 14, 1, c);
        lli[i] = isdigit((unsigned char)c[0]) ? c[0] - '0' : 0;
        const int sig = r->type_sig[i];
        if (has[i] && sig >= 0 && (r->sig_mask >> sig & 1u) && (r->type_kind[i] == 'C' || r->type_kind[i] == 'L')) {
            const int rk = attr_rank(r->type_attr[i]);
            if (rk > best[sig])
                best[sig] = rk;
        }
    }
    for (int sig = 0; sig < BX_SIG_COUNT; sig++) {
        if (!best[sig] || obs->n >= BX_OBS_MAX)
            continue;
        bx_obsd_t d;
        memset(&d, 0, sizeof d);
        d.prn = (uint8_t)prn;
        d.sig = (uint8_t)sig;
        for (int i = 0; i < r->hdr.n_types; i++) {
            if (r->type_sig[i] != sig || attr_rank(r->type_attr[i]) != best[sig] || !has[i])
                continue;
            d.pilot = sig <= BX_SIG_B2B && r->type_attr[i] != 'D';
            d.code = r->type_attr[i];
            switch (r->type_kind[i]) {
            case 'C':
                d.pseudorange_m = val[i];
                d.flags |= BX_OBS_PR;
                break;
            case 'L':
                d.carrier_cycles = val[i];
                d.flags |= BX_OBS_CP;
                if (lli[i] & 1)
                    d.flags |= BX_OBS_SLIP;
                if (lli[i] & 2)
                    d.flags |= BX_OBS_HALF;
                break;
            case 'D':
                d.doppler_hz = val[i];
                d.flags |= BX_OBS_DOP;
                break;
            case 'S':
                d.cn0_dbhz = val[i];
                d.flags |= BX_OBS_CN0;
                break;
            }
        }
        obs->d[obs->n++] = d;
    }
}

int bx_rinex_obs_read(bx_rinex_obs_reader_t *r, bx_obs_t *obs)
{
    obs->n = 0;
    while (read_line(r)) {
        const char *s = r->line;
        if (s[0] != '>')
            continue; /* stray line between epochs: resynchronise on '>' */
        int bad = 0, b;
        const int y = inum(s, 2, 4, &b, 0);
        bad |= b;
        const int mo = inum(s, 7, 2, &b, 0);
        bad |= b;
        const int d = inum(s, 10, 2, &b, 0);
        bad |= b;
        const int hh = inum(s, 13, 2, &b, 0);
        bad |= b;
        const int mi = inum(s, 16, 2, &b, 0);
        bad |= b;
        const double sec = fnum(s, 18, 11, &b);
        bad |= b;
        const int flag = inum(s, 31, 1, NULL, 0);
        const int nsat = inum(s, 32, 3, NULL, -1);
        if (flag >= 2 && flag <= 5) { /* event: nsat = number of special records following */
            for (int i = 0; i < nsat && read_line(r); i++)
                ;
            continue;
        }
        if (bad || y < 1980 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mi < 0 ||
            mi > 59 || !(sec >= 0.0 && sec < 61.0) || nsat < 0) {
            set_err(r->err, sizeof r->err, "%s:%ld: malformed epoch record '%.35s'", r->path, r->line_no, s);
            return BX_ERR_FORMAT;
        }
        bx_time_t t = bx_time_from_civil(y, mo, d, hh, mi, sec);
        obs->time = r->tsys_bdt ? t : bx_time_gpst_to_bdt(t);
        obs->n = 0;
        for (int i = 0; i < nsat; i++) {
            if (!read_line(r)) {
                set_err(r->err, sizeof r->err, "%s:%ld: file ends inside an epoch (%d of %d satellites)", r->path,
                        r->line_no, i, nsat);
                return BX_ERR_FORMAT;
            }
            if (flag == 6)
                continue;
            if (r->line[0] == 'C')
                parse_sat(r, r->line, obs);
        }
        if (flag == 6)
            continue;
        return BX_OK;
    }
    if (ferror(r->f)) {
        set_err(r->err, sizeof r->err, "%s:%ld: read error (corrupt or truncated gzip data?)", r->path, r->line_no);
        return BX_ERR_IO;
    }
    return BX_ERR_EOF;
}

/* ---------------------------------------------------------------- writer */

void bx_rinex_obs_header_default(bx_rinex_obs_header_t *hdr)
{
    static const char *const def[] = {"C1P", "L1P", "D1P", "S1P", "C5P", "L5P", "D5P", "S5P"};
    memset(hdr, 0, sizeof *hdr);
    hdr->version = 3.05;
    snprintf(hdr->marker, sizeof hdr->marker, "BDSRX");
    snprintf(hdr->receiver, sizeof hdr->receiver, "bdsrx");
    hdr->pilot_aligned = 1;
    /* GPS time tags by default: RTKLIB 2.4.3 (Debian) reads epoch tags as GPST whatever TIME OF
     * FIRST OBS says, so BDT tags put every epoch 14 s off there */
    snprintf(hdr->time_sys, sizeof hdr->time_sys, "GPS");
    hdr->leap_s = -1;
    hdr->n_types = 8;
    for (int i = 0; i < 8; i++)
        snprintf(hdr->types[i], 4, "%s", def[i]);
}

static int hline(FILE *f, const char *label, const char *fmt, ...)
{
    char body[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return fprintf(f, "%-60.60s%-20s\n", body, label) < 0 ? BX_ERR_IO : BX_OK;
}

/* Writer's view of an observation type: signal and attribute (BDS, RINEX
 * 3.05 Table 9 / §5.1: 1D/1P/1X B1C, 5D/5P/5X B2a, 7D/7P/7Z B2b, 2I/2Q/2X B1I,
 * 7I/7Q/7X B2I, 6I/6Q/6X B3I). */
static void writer_type(const char *t, int *sig, char *kind, char *attr)
{
    *sig = -1;
    *kind = t[0];
    *attr = t[2];
    if (!strchr("CLDS", t[0]) || !t[1] || !t[2])
        return;
    const int legacy = strchr("IQX", t[2]) != NULL;
    switch (t[1]) {
    case '1': *sig = strchr("PDX", t[2]) ? BX_SIG_B1C : -1; break;
    case '5': *sig = strchr("PDX", t[2]) ? BX_SIG_B2A : -1; break;
    case '2': *sig = legacy ? BX_SIG_B1I : -1; break;
    case '6': *sig = legacy ? BX_SIG_B3I : -1; break;
    case '7': *sig = strchr("PDZ", t[2]) ? BX_SIG_B2B : legacy ? BX_SIG_B2I : -1; break;
    }
}

static int type_takes(int sig, char attr, const bx_obsd_t *o)
{
    if (sig < 0 || o->sig != sig)
        return 0;
    if (o->code)
        return o->code == attr;
    return o->pilot ? attr != 'D' : attr == 'D'; /* P or X take the pilot */
}

int bx_rinex_obs_header_for_signals(bx_rinex_obs_header_t *hdr, const int *sigs, int n)
{
    if (!hdr || (n > 0 && !sigs))
        return BX_ERR_ARG;
    hdr->n_types = 0;
    for (int i = 0; i < n; i++) {
        char band = bx_signal_band(sigs[i]);
        char attr = sigs[i] == BX_SIG_B1C || sigs[i] == BX_SIG_B2A || sigs[i] == BX_SIG_B2B ? 'P' : 'I';
        if (bx_signal_sys(sigs[i]) != 'C' || band == '?' || hdr->n_types + 4 > BX_RNX_MAXTYPES)
            return BX_ERR_ARG;
        int dup = 0;
        for (int j = 0; j < hdr->n_types; j++)
            dup |= hdr->types[j][1] == band && hdr->types[j][2] == attr;
        if (dup)
            continue;
        static const char kinds[4] = {'C', 'L', 'D', 'S'};
        for (int k = 0; k < 4; k++)
            snprintf(hdr->types[hdr->n_types++], 4, "%c%c%c", kinds[k], band, attr);
    }
    return BX_OK;
}

int bx_rinex_obs_write_header(FILE *f, const bx_rinex_obs_header_t *hdr, bx_time_t first_bdt)
{
    return bx_rinex_obs_write_header_pos(f, hdr, first_bdt, NULL);
}

/* the body of APPROX POSITION XYZ: 3F14.4 in a 60-character field */
static void pos_body(char body[61], const double p[3])
{
    char b[64];
    snprintf(b, sizeof b, "%14.4f%14.4f%14.4f", p[0], p[1], p[2]);
    snprintf(body, 61, "%-60.60s", b);
}

int bx_rinex_obs_write_header_pos(FILE *f, const bx_rinex_obs_header_t *hdr, bx_time_t first_bdt, long *pos_at)
{
    bx_rinex_obs_header_t def;
    if (pos_at)
        *pos_at = -1;
    if (!hdr || hdr->n_types == 0) {
        bx_rinex_obs_header_default(&def);
        if (hdr) { /* keep the caller's identity fields */
            memcpy(def.marker, hdr->marker, sizeof def.marker);
            memcpy(def.receiver, hdr->receiver, sizeof def.receiver);
            memcpy(def.antenna, hdr->antenna, sizeof def.antenna);
            memcpy(def.approx_pos_m, hdr->approx_pos_m, sizeof def.approx_pos_m);
            memcpy(def.ant_delta_hen_m, hdr->ant_delta_hen_m, sizeof def.ant_delta_hen_m);
            def.interval_s = hdr->interval_s;
            memcpy(def.time_sys, hdr->time_sys, sizeof def.time_sys);
            def.pilot_aligned = hdr->pilot_aligned;
        }
        hdr = &def;
    }
    int y, mo, d, hh, mi;
    double s;
    const int gpst = !strcmp(hdr->time_sys, "GPS");
    bx_time_to_civil(gpst ? bx_time_bdt_to_gpst(first_bdt) : first_bdt, &y, &mo, &d, &hh, &mi, &s);
    /* RINEX 3.05 §5.8: file creation date "yyyymmdd hhmmss zone" */
    char date[21] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y%m%d %H%M%S UTC", &tm);
    int st = 0;
    st |= hline(f, "RINEX VERSION / TYPE", "%9.2f%11s%-20s%-20s", 3.05, "", "OBSERVATION DATA", "C: BDS");
    st |= hline(f, "PGM / RUN BY / DATE", "%-20s%-20s%-20s", "bdsrx", "", date);
    st |= hline(f, "COMMENT", "%s", "receiver clock steered in steps applied to code and");
    st |= hline(f, "COMMENT", "%s", "carrier phase alike (RCV CLOCK OFFS APPL 0)");
    st |= hline(f, "MARKER NAME", "%s", hdr->marker[0] ? hdr->marker : "BDSRX");
    st |= hline(f, "MARKER TYPE", "%s", "NON_GEODETIC");
    st |= hline(f, "OBSERVER / AGENCY", "%-20s%-40s", "unknown", "unknown");
    st |= hline(f, "REC # / TYPE / VERS", "%-20s%-20.20s%-20s", "0", hdr->receiver[0] ? hdr->receiver : "bdsrx",
                "");
    st |= hline(f, "ANT # / TYPE", "%-20s%-20.20s", "0", hdr->antenna[0] ? hdr->antenna : "unknown");
    char body[61];
    pos_body(body, hdr->approx_pos_m);
    if (pos_at)
        *pos_at = ftell(f);
    st |= hline(f, "APPROX POSITION XYZ", "%s", body);
    st |= hline(f, "ANTENNA: DELTA H/E/N", "%14.4f%14.4f%14.4f", hdr->ant_delta_hen_m[0], hdr->ant_delta_hen_m[1],
                hdr->ant_delta_hen_m[2]);
    for (int i = 0; i < hdr->n_types; i += 13) {
        char b[80];
        int k = i == 0 ? snprintf(b, sizeof b, "C  %3d", hdr->n_types) : snprintf(b, sizeof b, "      ");
        for (int j = i; j < hdr->n_types && j < i + 13; j++)
            k += snprintf(b + k, sizeof b - (size_t)k, " %-3.3s", hdr->types[j]);
        st |= hline(f, "SYS / # / OBS TYPES", "%s", b);
    }
    st |= hline(f, "SIGNAL STRENGTH UNIT", "%-20s", "DBHZ");
    if (hdr->interval_s > 0)
        st |= hline(f, "INTERVAL", "%10.3f", hdr->interval_s);
    st |= hline(f, "TIME OF FIRST OBS", "%6d%6d%6d%6d%6d%13.7f%5s%3s", y, mo, d, hh, mi, s, "", gpst ? "GPS" : "BDT");
    /* epochs, code and phase are not corrected by a receiver clock estimate */
    st |= hline(f, "RCV CLOCK OFFS APPL", "%6d", 0);
    /* "SYS / PHASE SHIFT": one record per phase type.  Reference signals (B1I 2I, B3I 6I,
     * B2I 7I, the data components 1D/5D/7D) need none: blank.  Pilot phases (1P 5P 7P) of
     * bdsrx's receiver carry +1/4 cycle (pilot in quadrature ahead of the data, s = D + j P);
     * when their alignment is not known (pilot_aligned 0) the correction is left blank */
    int nl = 0;
    for (int i = 0; i < hdr->n_types; i++)
        if (hdr->types[i][0] == 'L') {
            const int pilot = hdr->types[i][2] == 'P' && strchr("157", hdr->types[i][1]);
            if (pilot && hdr->pilot_aligned)
                st |= hline(f, "SYS / PHASE SHIFT", "C %-3.3s %8.5f", hdr->types[i], 0.25);
            else
                st |= hline(f, "SYS / PHASE SHIFT", "C %-3.3s", hdr->types[i]);
            nl++;
        }
    if (nl == 0)
        st |= hline(f, "SYS / PHASE SHIFT", "%s", "C");
    st |= hline(f, "END OF HEADER", "%s", "");
    return st ? BX_ERR_IO : BX_OK;
}

int bx_rinex_obs_set_position(FILE *f, long pos_at, const double pos_m[3])
{
    if (!f || pos_at < 0 || !pos_m)
        return BX_ERR_ARG;
    if (fflush(f) != 0)
        return BX_ERR_IO;
    char body[61];
    pos_body(body, pos_m);
    /* pwrite: the file offset (and any writer of whole records at the end,
     * src/io/recio.c) is left alone; a pipe refuses (ESPIPE) */
    return pwrite(fileno(f), body, 60, (off_t)pos_at) == 60 ? BX_OK : BX_ERR_IO;
}

int bx_rinex_obs_write_epoch(FILE *f, const bx_rinex_obs_header_t *hdr, const bx_obs_t *obs)
{
    bx_rinex_obs_header_t def;
    if (!hdr || hdr->n_types == 0) {
        bx_rinex_obs_header_default(&def);
        hdr = &def;
    }
    int sig[BX_RNX_MAXTYPES];
    char kind[BX_RNX_MAXTYPES], attr[BX_RNX_MAXTYPES];
    for (int i = 0; i < hdr->n_types; i++)
        writer_type(hdr->types[i], &sig[i], &kind[i], &attr[i]);
    /* BDS satellites present, ascending PRN */
    int prns[BX_PRN_MAX + 1] = {0}, nsat = 0;
    for (int i = 0; i < obs->n; i++)
        if (bx_signal_sys(obs->d[i].sig) == 'C' && obs->d[i].prn >= 1 && obs->d[i].prn <= BX_PRN_MAX &&
            !prns[obs->d[i].prn]) {
            prns[obs->d[i].prn] = 1;
            nsat++;
        }
    int y, mo, d, hh, mi;
    double s;
    const bx_time_t tag = !strcmp(hdr->time_sys, "GPS") ? bx_time_bdt_to_gpst(obs->time) : obs->time;
    bx_time_to_civil(tag, &y, &mo, &d, &hh, &mi, &s);
    if (s >= 59.99999995) { /* keep "%010.7f" from printing 60.0000000 */
        bx_time_to_civil(bx_time_add(tag, 1e-7), &y, &mo, &d, &hh, &mi, &s);
        s = 0.0;
    }
    if (fprintf(f, "> %4d %02d %02d %02d %02d %010.7f  0%3d\n", y, mo, d, hh, mi, s, nsat) < 0)
        return BX_ERR_IO;
    for (int prn = 1; prn <= BX_PRN_MAX; prn++) {
        if (!prns[prn])
            continue;
        char line[16 * BX_RNX_MAXTYPES + 8];
        int k = snprintf(line, sizeof line, "C%02d", prn);
        for (int i = 0; i < hdr->n_types; i++) {
            const bx_obsd_t *o = NULL;
            for (int j = 0; j < obs->n && sig[i] >= 0; j++) {
                const bx_obsd_t *c = &obs->d[j];
                if (c->prn == prn && type_takes(sig[i], attr[i], c))
                    o = c;
            }
            double v = 0.0;
            int ok = 0, lli = 0;
            if (o) {
                switch (kind[i]) {
                case 'C':
                    ok = o->flags & BX_OBS_PR, v = o->pseudorange_m;
                    break;
                case 'L':
                    ok = o->flags & BX_OBS_CP, v = o->carrier_cycles;
                    lli = ((o->flags & BX_OBS_SLIP) ? 1 : 0) | ((o->flags & BX_OBS_HALF) ? 2 : 0);
                    break;
                case 'D':
                    ok = o->flags & BX_OBS_DOP, v = o->doppler_hz;
                    break;
                case 'S':
                    ok = o->flags & BX_OBS_CN0, v = o->cn0_dbhz;
                    break;
                }
            }
            if (ok && fabs(v) < 1e9)
                k += snprintf(line + k, sizeof line - (size_t)k, "%14.3f%c ", v, lli ? '0' + lli : ' ');
            else
                k += snprintf(line + k, sizeof line - (size_t)k, "%16s", "");
        }
        while (k > 3 && line[k - 1] == ' ')
            line[--k] = '\0';
        if (fprintf(f, "%s\n", line) < 0)
            return BX_ERR_IO;
    }
    return BX_OK;
}
