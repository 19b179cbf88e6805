/*
 * RTCM 3.3 decoding and encoding (nav/fmt/rtcm3*.c).
 *
 * Truth:
 *  - the real log ../shared/testdata/real/qzsl6tool_b2b_rtcm/20221213-010900.rtcm
 *    (NovAtel OEM729 via str2str) and qzsl6tool's decode of it (.txt): message
 *    sequence, satellite and signal lists of every GPS/BDS MSM7, 1005 position,
 *    1033 strings, 1042/1019 satellite / week / IODE.  qzsl6tool's per-cell
 *    values are right only for the first cell of each message (the others are
 *    read from shifted positions: e.g. its C02 B3I pseudorange is 247 m away
 *    from the B1I one); the first cell's pseudorange is compared.
 *  - RTKLIB (Debian rtklib 2.4.3) convbin's decode of the same file: every GPS
 *    and BDS code, phase, Doppler and C/N0 value and the 1042 ephemerides
 *    (through its RINEX nav file); skipped with a message when convbin is missing.
 *  - round trips: our MSM7 encoder -> our decoder (real values and synthetic
 *    ones with noise), and our encoder -> convbin -> RINEX against our own
 *    RINEX writer on the same epochs.
 *  - corrupt and truncated streams: clean counts, no crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/fec.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"

#define LOG_REL "real/qzsl6tool_b2b_rtcm/20221213-010900.rtcm"
#define MAXMSG 1000
#define MAXEP 64

typedef struct {
    int type;
    char sys;
    int nsat, nsig;
    uint8_t prn[64];
    char sig[32][3];
    double first_pr_m;
    int ncell;
    char cell_key[64][8]; /* "C02 2I" */
} msginfo_t;

typedef struct {
    msginfo_t msg[MAXMSG];
    int nmsg;
    bx_obs_t ep[MAXEP];
    int nep;
    bx_eph_t bds[64];
    int nbds;
    bx_gps_eph_t gps[32];
    int ngps;
    bx_rtcm3_station_t sta;
    bx_rtcm3_antinfo_t ant;
    int nsta;
    bx_rtcm3_stats_t st;
} decoded_t;

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    rewind(f);
    uint8_t *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static void add_epoch(decoded_t *d, const bx_obs_t *o)
{
    if (d->nep < MAXEP)
        d->ep[d->nep++] = *o;
}

/* decodes a buffer fed in chunks of `chunk` bytes */
static void decode_buf(const uint8_t *buf, size_t n, size_t chunk, decoded_t *d)
{
    bx_rtcm3_dec_config_t cfg = {bx_time_from_civil(2022, 12, 13, 0, 0, 0)};
    bx_rtcm3_dec_t *dec;
    assert_int_equal(bx_rtcm3_dec_create(&cfg, &dec, NULL, 0), BX_OK);
    bx_rtcm3_msg_t *m = malloc(sizeof *m);
    for (size_t off0 = 0; off0 < n; off0 += chunk) {
        size_t len = n - off0 < chunk ? n - off0 : chunk, off = 0, used;
        while (off < len && bx_rtcm3_dec_input(dec, buf + off0 + off, len - off, &used, m) == 1) {
            off += used;
            if (m->epoch_done)
                add_epoch(d, bx_rtcm3_dec_obs(dec));
            if (d->nmsg < MAXMSG && m->status == BX_OK) {
                msginfo_t *mi = &d->msg[d->nmsg++];
                memset(mi, 0, sizeof *mi);
                mi->type = m->type;
                if (m->type == 1077 || m->type == 1127) {
                    const bx_rtcm3_msm_t *s = &m->u.msm;
                    mi->sys = s->sys;
                    mi->nsat = s->nsat;
                    mi->nsig = s->nsig;
                    memcpy(mi->prn, s->prn, sizeof mi->prn);
                    for (int g = 0; g < s->nsig; g++) {
                        const char *r = bx_rtcm3_sig_rinex(s->sys, s->sig_id[g]);
                        snprintf(mi->sig[g], 3, "%s", r ? r : "??");
                    }
                    mi->first_pr_m = s->ncell ? s->cell[0].pseudorange_m : NAN;
                    mi->ncell = s->ncell;
                    for (int c = 0; c < s->ncell; c++)
                        snprintf(mi->cell_key[c], 8, "%c%02d %s", s->sys, s->cell[c].prn, s->cell[c].rnx);
                }
            }
            if (m->status == BX_OK && (m->type == 1005 || m->type == 1006)) {
                d->sta = m->u.sta;
                d->nsta++;
            }
            if (m->status == BX_OK && m->type == 1033)
                d->ant = m->u.ant;
            if (m->status == BX_OK && m->type == 1042 && d->nbds < 64)
                d->bds[d->nbds++] = m->u.bds;
            if (m->status == BX_OK && m->type == 1019 && d->ngps < 32)
                d->gps[d->ngps++] = m->u.gps;
        }
    }
    while (bx_rtcm3_dec_flush(dec))
        add_epoch(d, bx_rtcm3_dec_obs(dec));
    bx_rtcm3_dec_stats(dec, &d->st);
    free(m);
    bx_rtcm3_dec_destroy(dec);
}

/* qzsl6tool signal names -> RINEX */
static const char *qzs_sig(const char *name)
{
    static const struct {
        const char *n, *r;
    } t[] = {{"B1 I", "2I"}, {"B3 I", "6I"}, {"B2 I", "7I"}, {"L1 C/A", "1C"},
             {"L2 Z-tracking", "2W"}, {"L2C(M)", "2S"}, {"L5 Q", "5Q"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(name, t[i].n))
            return t[i].r;
    return "??";
}

static void test_real_log_vs_qzsl6tool(void **state)
{
    (void)state;
    char path[512], tpath[520];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    snprintf(tpath, sizeof tpath, "%s.txt", path);
    size_t n;
    uint8_t *buf = read_all(path, &n);
    assert_non_null(buf);
    decoded_t *d = calloc(1, sizeof *d);
    decode_buf(buf, n, n, d);
    /* every frame of the log passes the CRC; counts of qzsl6tool's text */
    assert_int_equal(d->st.crc_errors, 0);
    assert_int_equal(d->st.frames, 769);
    int nmsm = 0, n1042 = 0, n1019 = 0, n1005 = 0, n1033 = 0;
    for (int i = 0; i < d->nmsg; i++) {
        nmsm += d->msg[i].type == 1077 || d->msg[i].type == 1127;
        n1042 += d->msg[i].type == 1042;
        n1019 += d->msg[i].type == 1019;
        n1005 += d->msg[i].type == 1005;
        n1033 += d->msg[i].type == 1033;
    }
    assert_int_equal(nmsm, 59 + 180);
    assert_int_equal(n1042, 41);
    assert_int_equal(n1019, 22);
    assert_int_equal(n1005, 54);
    assert_int_equal(n1033, 54);

    FILE *f = fopen(tpath, "r");
    assert_non_null(f);
    char line[512];
    int mi = -1, cell = 0, checked_msm = 0, checked_cells = 0, e42 = 0, e19 = 0;
    const msginfo_t *cur = NULL;
    double max_first_pr_err = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        int type;
        char sys;
        if (sscanf(line, "RTCM %d %c MSM7", &type, &sys) == 2 && (type == 1077 || type == 1127)) {
            /* next decoded MSM of our sequence */
            do
                mi++;
            while (mi < d->nmsg && d->msg[mi].type != 1077 && d->msg[mi].type != 1127);
            assert_true(mi < d->nmsg);
            cur = &d->msg[mi];
            assert_int_equal(cur->type, type);
            /* satellite list */
            const char *p = line + 26;
            int k = 0;
            char s;
            int prn, adv;
            while (sscanf(p, " %c%d%n", &s, &prn, &adv) == 2) {
                assert_true(k < cur->nsat);
                assert_int_equal(s, sys);
                assert_int_equal(cur->prn[k], prn);
                k++;
                p += adv;
            }
            assert_int_equal(k, cur->nsat);
            cell = 0;
            checked_msm++;
            continue;
        }
        if (!strncmp(line, "RTCM", 4)) {
            cur = NULL;
            if (sscanf(line, "RTCM %d", &type) == 1 && type == 1005) {
                double lat, lon, h, llh[3];
                assert_int_equal(sscanf(line + 26, "%lf %lf %lf", &lat, &lon, &h), 3);
                bx_ecef_to_llh(d->sta.arp_ecef_m, llh);
                assert_true(fabs(llh[0] * 180 / M_PI - lat) < 1e-7);
                assert_true(fabs(llh[1] * 180 / M_PI - lon) < 1e-7);
                assert_true(fabs(llh[2] - h) < 1e-3);
            } else if (type == 1033) {
                assert_non_null(strstr(line, d->ant.antenna));
                char rcv[80];
                snprintf(rcv, sizeof rcv, "rcv \"%s\" ver %s", d->ant.receiver, d->ant.firmware);
                assert_non_null(strstr(line, rcv));
            } else if (type == 1042) {
                int prn, wn, aode;
                assert_int_equal(sscanf(line, "RTCM 1042 C NAV C%d WN=%d AODE=%d", &prn, &wn, &aode), 3);
                assert_true(e42 < d->nbds);
                assert_int_equal(d->bds[e42].prn, prn);
                assert_int_equal(d->bds[e42].week, wn);
                assert_int_equal(d->bds[e42].iode, aode);
                e42++;
            } else if (type == 1019) {
                int prn, wn, iode, iodc;
                assert_int_equal(sscanf(line, "RTCM 1019 G NAV G%d WN=%d IODE=%d IODC=%d", &prn, &wn, &iode, &iodc),
                                 4);
                assert_true(e19 < d->ngps);
                assert_int_equal(d->gps[e19].prn, prn);
                assert_int_equal(d->gps[e19].week % 1024, wn);
                assert_int_equal(d->gps[e19].week, 2240); /* 2022-12-13 */
                assert_int_equal(d->gps[e19].iode, iode);
                assert_int_equal(d->gps[e19].iodc, iodc);
                e19++;
            }
            continue;
        }
        if (cur && (line[0] == 'G' || line[0] == 'C') && line[1] >= '0' && line[1] <= '9') {
            /* "C02 B1 I          38914323.306 ..." : signal name in columns 4-17 */
            char name[20], key[8];
            int prn = atoi(line + 1);
            snprintf(name, sizeof name, "%.14s", line + 4);
            for (int q = (int)strlen(name) - 1; q >= 0 && name[q] == ' '; q--)
                name[q] = 0;
            snprintf(key, sizeof key, "%c%02d %s", line[0], prn, qzs_sig(name));
            assert_true(cell < cur->ncell);
            assert_string_equal(cur->cell_key[cell], key);
            if (cell == 0) {
                double pr = atof(line + 18);
                double e = fabs(pr - cur->first_pr_m);
                if (e > max_first_pr_err)
                    max_first_pr_err = e;
            }
            cell++;
            checked_cells++;
        }
    }
    fclose(f);
    printf("NOTE: %d MSM7 messages, %d cells, %d 1042, %d 1019 compared with qzsl6tool; first-cell pseudorange "
           "max |diff| %.4f m\n",
           checked_msm, checked_cells, e42, e19, max_first_pr_err);
    assert_int_equal(checked_msm, 239);
    assert_int_equal(e42, 41);
    assert_int_equal(e19, 22);
    assert_true(max_first_pr_err <= 0.0005 + 1e-9); /* the text has 3 decimals */
    free(d);
    free(buf);
}

/* ------------------------------------------------------- RINEX comparison */

typedef struct {
    double t;     /* GPST seconds (since 2006) */
    char sys;
    int prn;
    char type[4];
    double v;
    int lli;
} rval_t;

static int rval_cmp(const void *a, const void *b)
{
    const rval_t *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->sys != y->sys)
        return x->sys - y->sys;
    if (x->prn != y->prn)
        return x->prn - y->prn;
    return strcmp(x->type, y->type);
}

/* Minimal RINEX 3 observation parser (values with their type, GPST keys). */
static rval_t *parse_rinex(const char *path, int *nout)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[1024], types[8][40][4], tsys[4] = "GPS";
    int ntypes[8] = {0};
    const char *syss = "GCERJIS";
    int cap = 100000, n = 0;
    rval_t *v = malloc(sizeof *v * (size_t)cap);
    char cursys = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "SYS / # / OBS TYPES")) {
            if (line[0] != ' ')
                cursys = line[0];
            const char *p = strchr(syss, cursys);
            int si = p ? (int)(p - syss) : 7;
            for (int k = 0; k < 13; k++) {
                char t[4] = {0};
                if (7 + 4 * k + 3 > 60)
                    break;
                memcpy(t, line + 7 + 4 * k, 3);
                if (t[0] == ' ' || t[0] == 0)
                    break;
                memcpy(types[si][ntypes[si]++], t, 4);
            }
        }
        if (strstr(line, "TIME OF FIRST OBS"))
            memcpy(tsys, line + 48, 3);
        if (strstr(line, "END OF HEADER"))
            break;
    }
    double t = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '>') {
            int y, mo, d, h, mi;
            double s;
            sscanf(line + 2, "%d %d %d %d %d %lf", &y, &mo, &d, &h, &mi, &s);
            bx_time_t tt = bx_time_from_civil(y, mo, d, h, mi, s);
            if (!strncmp(tsys, "BDT", 3))
                tt = bx_time_bdt_to_gpst(tt);
            t = (double)tt.sec + tt.frac_s;
            continue;
        }
        const char *p = strchr(syss, line[0]);
        if (!p || line[0] == ' ')
            continue;
        int si = (int)(p - syss), prn = atoi(line + 1);
        size_t len = strlen(line);
        for (int k = 0; k < ntypes[si]; k++) {
            size_t c0 = 3 + 16 * (size_t)k;
            if (c0 + 14 > len)
                break;
            char fld[15] = {0};
            memcpy(fld, line + c0, 14);
            int blank = 1;
            for (int q = 0; q < 14; q++)
                blank &= fld[q] == ' ';
            if (blank)
                continue;
            if (n == cap)
                v = realloc(v, sizeof *v * (size_t)(cap *= 2));
            rval_t *r = &v[n++];
            r->t = t;
            r->sys = line[0];
            r->prn = prn;
            memcpy(r->type, types[si][k], 4);
            r->v = atof(fld);
            r->lli = c0 + 14 < len && line[c0 + 14] >= '0' && line[c0 + 14] <= '9' ? line[c0 + 14] - '0' : 0;
        }
    }
    fclose(f);
    qsort(v, (size_t)n, sizeof *v, rval_cmp);
    *nout = n;
    return v;
}

static int have_convbin(void) { return tu_have("convbin"); }

/* Runs a program (argument list, NULL-terminated; no shell), output discarded; its exit status. */
#define RUN_QUIET(...) run_quiet((const char *const[]){__VA_ARGS__, NULL})
static int run_quiet(const char *const *argv)
{
    tu_result_t r;
    const int st = tu_run(&r, argv, NULL);
    tu_result_free(&r);
    return st;
}

/* our decoded epochs -> rval_t list (types C/L/D/S + band + attribute) */
static rval_t *obs_to_rvals(const decoded_t *d, int *nout)
{
    int cap = 100000, n = 0;
    rval_t *v = malloc(sizeof *v * (size_t)cap);
    for (int e = 0; e < d->nep; e++) {
        const bx_obs_t *o = &d->ep[e];
        bx_time_t tg = bx_time_bdt_to_gpst(o->time);
        for (int i = 0; i < o->n; i++) {
            const bx_obsd_t *x = &o->d[i];
            const char kinds[4] = {'C', 'L', 'D', 'S'};
            const unsigned fl[4] = {BX_OBS_PR, BX_OBS_CP, BX_OBS_DOP, BX_OBS_CN0};
            const double val[4] = {x->pseudorange_m, x->carrier_cycles, x->doppler_hz, x->cn0_dbhz};
            for (int k = 0; k < 4; k++) {
                if (!(x->flags & fl[k]))
                    continue;
                rval_t *r = &v[n++];
                r->t = (double)tg.sec + tg.frac_s;
                r->sys = bx_signal_sys(x->sig);
                r->prn = x->prn;
                snprintf(r->type, 4, "%c%c%c", kinds[k], bx_signal_band(x->sig), x->code ? x->code : '?');
                r->v = val[k];
                r->lli = k == 1 ? ((x->flags & BX_OBS_SLIP) ? 1 : 0) | ((x->flags & BX_OBS_HALF) ? 2 : 0) : 0;
            }
        }
    }
    qsort(v, (size_t)n, sizeof *v, rval_cmp);
    *nout = n;
    return v;
}

/* compares every value of `a` present in `b`: returns how many matched, the
 * max differences by kind; counts values of a missing from b */
typedef struct {
    int matched, missing;
    double dmax[4]; /* C L D S */
} cmp_t;

static void compare_rvals(const rval_t *a, int na, const rval_t *b, int nb, char only_sys, cmp_t *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < na; i++) {
        if (only_sys && a[i].sys != only_sys)
            continue;
        const rval_t *r = bsearch(&a[i], b, (size_t)nb, sizeof *b, rval_cmp);
        if (!r) {
            c->missing++;
            continue;
        }
        c->matched++;
        int k = a[i].type[0] == 'C' ? 0 : a[i].type[0] == 'L' ? 1 : a[i].type[0] == 'D' ? 2 : 3;
        double dd = fabs(a[i].v - r->v);
        if (dd > c->dmax[k])
            c->dmax[k] = dd;
    }
}

static void test_real_log_vs_convbin(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    if (!have_convbin()) {
        printf("SKIP: convbin (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    char dir[] = "/tmp/bdsrx_rtcm3_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char obs[64], nav[64];
    snprintf(obs, sizeof obs, "%s/rtklib.obs", dir);
    snprintf(nav, sizeof nav, "%s/rtklib.nav", dir);
    assert_int_equal(RUN_QUIET("convbin", "-r", "rtcm3", "-tr", "2022/12/13", "01:09:00", "-v", "3.04", "-od", "-os",
                               "-o", obs, "-n", nav, path),
                     0);
    size_t n;
    uint8_t *buf = read_all(path, &n);
    decoded_t *d = calloc(1, sizeof *d);
    decode_buf(buf, n, 1000, d); /* chunks that cut frames */
    int na, nb;
    rval_t *a = obs_to_rvals(d, &na);
    rval_t *b = parse_rinex(obs, &nb);
    assert_non_null(b);
    cmp_t cg, cc;
    compare_rvals(a, na, b, nb, 'G', &cg);
    compare_rvals(a, na, b, nb, 'C', &cc);
    printf("NOTE: vs RTKLIB convbin: %d epochs; BDS %d values matched (%d not in its file), max |diff| C %.4f m "
           "L %.5f cyc D %.5f Hz S %.4f dB-Hz; GPS %d matched (%d not in its file), C %.4f L %.5f D %.5f S %.4f\n",
           d->nep, cc.matched, cc.missing, cc.dmax[0], cc.dmax[1], cc.dmax[2], cc.dmax[3], cg.matched, cg.missing,
           cg.dmax[0], cg.dmax[1], cg.dmax[2], cg.dmax[3]);
    /* RTKLIB writes F14.3 values: 0.5e-3 plus rounding */
    assert_true(cc.matched > 5000);
    assert_true(cg.matched > 5000);
    assert_true(cc.dmax[0] < 0.0011 && cc.dmax[1] < 0.0011 && cc.dmax[2] < 0.0011 && cc.dmax[3] < 0.0011);
    assert_true(cg.dmax[0] < 0.0011 && cg.dmax[1] < 0.0011 && cg.dmax[2] < 0.0011 && cg.dmax[3] < 0.0011);
    /* convbin starts its file ~4 s after the first MSM (it waits for its own time fix): those epochs and
     * nothing else may be missing */
    assert_true(cc.missing < 4 * 5 * 12 * 4 + 100);

    /* 1042 against RTKLIB's RINEX navigation output, read with our RINEX reader */
    bx_nav_t rn;
    bx_nav_init(&rn);
    char err[256];
    assert_int_equal(bx_rinex_nav_read(nav, &rn, err, sizeof err), BX_OK);
    int ncmp = 0;
    double dmax_orbit = 0, dmax_clk = 0;
    for (int i = 0; i < d->nbds; i++) {
        const bx_eph_t *x = &d->bds[i];
        for (int j = 0; j < rn.n_eph; j++) {
            const bx_eph_t *y = &rn.eph[j];
            if (y->prn != x->prn || bx_time_diff(y->toe, x->toe) != 0)
                continue;
            const double rel[] = {x->e - y->e, x->M0_rad - y->M0_rad, x->omega_rad - y->omega_rad,
                                  x->Omega0_rad - y->Omega0_rad, x->i0_rad - y->i0_rad, x->idot_rad_s - y->idot_rad_s};
            for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++)
                dmax_orbit = fmax(dmax_orbit, fabs(rel[k]));
            /* sqrtA printed with 12 digits (D19.12): A to ~1e-4 m */
            assert_true(fabs(x->dA_m - y->dA_m) < 1e-3);
            dmax_clk = fmax(dmax_clk, fabs(x->a0_s - y->a0_s));
            dmax_clk = fmax(dmax_clk, fabs(x->tgd_b1i_s - y->tgd_b1i_s));
            assert_int_equal(x->iode, y->iode);
            assert_int_equal(x->source, y->source);
            assert_true(bx_time_diff(x->toc, y->toc) == 0);
            ncmp++;
            break;
        }
    }
    printf("NOTE: %d BDS ephemerides (1042) vs RTKLIB's RINEX nav: max |diff| orbit %.3g (rad, e), clock/TGD "
           "%.3g s\n",
           ncmp, dmax_orbit, dmax_clk);
    assert_true(ncmp >= 10);
    assert_true(dmax_orbit < 1e-11); /* D19.12 printing */
    assert_true(dmax_clk < 1e-15);
    bx_nav_destroy(&rn);
    free(a);
    free(b);
    free(d);
    free(buf);
    unlink(obs);
    unlink(nav);
    rmdir(dir);
}

/* ------------------------------------------------------- encoder round trips */

static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xFFFFFF) / 16777216.0;
}

static void test_msm7_roundtrip_synthetic(void **state)
{
    (void)state;
    unsigned seed = 99;
    bx_rtcm3_dec_config_t cfg = {bx_time_from_civil(2024, 7, 27, 0, 0, 0)};
    bx_rtcm3_dec_t *dec;
    assert_int_equal(bx_rtcm3_dec_create(&cfg, &dec, NULL, 0), BX_OK);
    static const int sigs[] = {BX_SIG_B1C, BX_SIG_B2A, BX_SIG_B1I, BX_SIG_B3I};
    bx_obs_t o;
    double lock[64] = {0};
    int worst_ep = 0;
    double dmax[4] = {0};
    int slips_sent = 0, slips_seen = 0;
    for (int ep = 0; ep < 20; ep++) {
        memset(&o, 0, sizeof o);
        o.time = bx_time_add(bx_time_from_civil(2024, 7, 27, 3, 0, 0), ep * 1.0 + 0.5);
        for (int s = 0; s < 10; s++) {
            const int prn = 19 + 2 * s;
            const double rho = 2.0e7 + 1.7e6 * s + 321.0 * ep * (s - 4);
            if (ep == 0 || (ep == 9 && s == 3))
                lock[prn] = 0;
            else
                lock[prn] += 1.0;
            for (int g = 0; g < 4; g++) {
                bx_obsd_t *x = &o.d[o.n++];
                const double lam = BX_CLIGHT_MPS / bx_signal_freq_hz(sigs[g]);
                x->prn = (uint8_t)prn;
                x->sig = (uint8_t)sigs[g];
                x->pilot = g < 2;
                x->pseudorange_m = rho + 3.0 * (urand(&seed) - 0.5);
                x->carrier_cycles = (rho + 0.01 * (urand(&seed) - 0.5)) / lam + 1000.0 * g;
                x->doppler_hz = -321.0 * (s - 4) / lam + 0.1 * (urand(&seed) - 0.5);
                x->cn0_dbhz = 30 + 20 * urand(&seed);
                x->lock_s = lock[prn];
                x->flags = BX_OBS_PR | BX_OBS_CP | BX_OBS_DOP | BX_OBS_CN0;
                if (lock[prn] == 0 && ep > 0) {
                    x->flags |= BX_OBS_SLIP;
                    slips_sent++;
                }
            }
        }
        /* the 40 cells of 10 x 4 fit one message */
        uint8_t pl[BX_RTCM3_MAXLEN], fr[BX_RTCM3_MAXLEN + 6];
        int len = bx_rtcm3_encode_msm7_bds(&o, 7, 0, pl, sizeof pl);
        assert_true(len > 0);
        int fl = bx_rtcm3_frame(pl, (size_t)len, fr, sizeof fr);
        assert_int_equal(fl, len + 6);
        size_t used;
        bx_rtcm3_msg_t m;
        assert_int_equal(bx_rtcm3_dec_input(dec, fr, (size_t)fl, &used, &m), 1);
        assert_int_equal(used, (size_t)fl);
        assert_int_equal(m.type, 1127);
        assert_int_equal(m.station_id, 7);
        assert_true(m.epoch_done);
        const bx_obs_t *r = bx_rtcm3_dec_obs(dec);
        assert_int_equal(r->n, o.n);
        assert_true(fabs(bx_time_diff(r->time, o.time)) < 1e-9);
        for (int i = 0; i < o.n; i++) {
            const bx_obsd_t *x = &o.d[i], *y = NULL;
            for (int j = 0; j < r->n; j++)
                if (r->d[j].prn == x->prn && r->d[j].sig == x->sig)
                    y = &r->d[j];
            assert_non_null(y);
            const double lam = BX_CLIGHT_MPS / bx_signal_freq_hz(x->sig);
            const double e[4] = {fabs(y->pseudorange_m - x->pseudorange_m),
                                 fabs(y->carrier_cycles - x->carrier_cycles) * lam,
                                 fabs(y->doppler_hz - x->doppler_hz) * lam, fabs(y->cn0_dbhz - x->cn0_dbhz)};
            for (int k = 0; k < 4; k++)
                dmax[k] = fmax(dmax[k], e[k]);
            assert_int_equal(y->pilot, x->pilot);
            if (ep > 0 && (x->flags & BX_OBS_SLIP)) {
                assert_true(y->flags & BX_OBS_SLIP);
                slips_seen++;
            } else if (ep > 0) {
                assert_false(y->flags & BX_OBS_SLIP);
            }
        }
        worst_ep = ep;
    }
    printf("NOTE: synthetic MSM7 round trip, %d epochs x 40 cells: max |diff| P %.5f m, phase %.6f m, rate %.6f m/s, "
           "C/N0 %.4f dB-Hz; %d/%d slips seen\n",
           worst_ep + 1, dmax[0], dmax[1], dmax[2], dmax[3], slips_seen, slips_sent);
    /* resolutions (RTCM 10403.3 DF405, DF406, DF404, DF408): half an LSB */
    assert_true(dmax[0] <= 0.5 * 299792.458 * ldexp(1, -29) + 1e-9);
    assert_true(dmax[1] <= 0.5 * 299792.458 * ldexp(1, -31) + 1e-9);
    assert_true(dmax[2] <= 0.5e-4 + 1e-9);
    assert_true(dmax[3] <= 0.5 / 16 + 1e-9);
    assert_int_equal(slips_seen, slips_sent);
    assert_int_equal(slips_sent, 4);
    bx_rtcm3_dec_destroy(dec);
}

/* BDS epochs of the real log -> our encoder -> our decoder, and -> convbin vs our RINEX writer */
static void test_encoder_real_values_and_convbin(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    size_t n;
    uint8_t *buf = read_all(path, &n);
    decoded_t *d = calloc(1, sizeof *d);
    decode_buf(buf, n, n, d);
    assert_true(d->nep > 50);
    char dir[] = "/tmp/bdsrx_rtcm3e_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char rtcm[64], ours[64], theirs[64];
    snprintf(rtcm, sizeof rtcm, "%s/bdsrx.rtcm3", dir);
    snprintf(ours, sizeof ours, "%s/bdsrx.obs", dir);
    snprintf(theirs, sizeof theirs, "%s/convbin.obs", dir);
    FILE *fr = fopen(rtcm, "wb"), *fo = fopen(ours, "w");
    assert_non_null(fr);
    assert_non_null(fo);
    bx_rinex_obs_header_t hdr;
    bx_rinex_obs_header_default(&hdr);
    const int sigs[3] = {BX_SIG_B1I, BX_SIG_B2I, BX_SIG_B3I};
    assert_int_equal(bx_rinex_obs_header_for_signals(&hdr, sigs, 3), BX_OK);
    bx_rtcm3_dec_config_t cfg = {bx_time_from_civil(2022, 12, 13, 0, 0, 0)};
    bx_rtcm3_dec_t *dec;
    assert_int_equal(bx_rtcm3_dec_create(&cfg, &dec, NULL, 0), BX_OK);
    int nbds_epochs = 0;
    double dmax = 0;
    for (int e = 0; e < d->nep; e++) {
        /* BDS only, split into messages of <= 64 cells (sync flag on all but the last) */
        bx_obs_t b;
        memset(&b, 0, sizeof b);
        b.time = d->ep[e].time;
        for (int i = 0; i < d->ep[e].n; i++)
            if (bx_signal_sys(d->ep[e].d[i].sig) == 'C')
                b.d[b.n++] = d->ep[e].d[i];
        if (b.n == 0)
            continue;
        if (nbds_epochs == 0) {
            uint8_t pl[32], f[40];
            int len = bx_rtcm3_encode_station(5, d->sta.arp_ecef_m, 0.0, pl, sizeof pl);
            assert_int_equal(len, 21);
            int fl = bx_rtcm3_frame(pl, (size_t)len, f, sizeof f);
            fwrite(f, 1, (size_t)fl, fr);
            assert_int_equal(bx_rinex_obs_write_header(fo, &hdr, b.time), BX_OK);
        }
        assert_int_equal(bx_rinex_obs_write_epoch(fo, &hdr, &b), BX_OK);
        nbds_epochs++;
        /* 21 satellites x 3 signals: 63 cells, but satellites x signals must be <= 64: split by satellites */
        int prns[64], np = 0;
        for (int i = 0; i < b.n; i++) {
            int k;
            for (k = 0; k < np && prns[k] != b.d[i].prn; k++)
                ;
            if (k == np)
                prns[np++] = b.d[i].prn;
        }
        const int per = 20;
        bx_obs_t back;
        memset(&back, 0, sizeof back);
        for (int p0 = 0; p0 < np; p0 += per) {
            bx_obs_t part;
            memset(&part, 0, sizeof part);
            part.time = b.time;
            for (int i = 0; i < b.n; i++)
                for (int k = p0; k < p0 + per && k < np; k++)
                    if (b.d[i].prn == prns[k])
                        part.d[part.n++] = b.d[i];
            uint8_t pl[BX_RTCM3_MAXLEN], f[BX_RTCM3_MAXLEN + 6];
            int len = bx_rtcm3_encode_msm7_bds(&part, 5, p0 + per < np, pl, sizeof pl);
            assert_true(len > 0);
            int fl = bx_rtcm3_frame(pl, (size_t)len, f, sizeof f);
            fwrite(f, 1, (size_t)fl, fr);
            size_t used;
            bx_rtcm3_msg_t m;
            assert_int_equal(bx_rtcm3_dec_input(dec, f, (size_t)fl, &used, &m), 1);
            if (m.epoch_done)
                back = *bx_rtcm3_dec_obs(dec);
        }
        /* our decoder gives back the same values (within the MSM7 resolution) */
        assert_int_equal(back.n, b.n);
        for (int i = 0; i < b.n; i++)
            for (int j = 0; j < back.n; j++)
                if (back.d[j].prn == b.d[i].prn && back.d[j].sig == b.d[i].sig) {
                    dmax = fmax(dmax, fabs(back.d[j].pseudorange_m - b.d[i].pseudorange_m));
                    assert_int_equal(back.d[j].code, b.d[i].code);
                }
    }
    fclose(fr);
    fclose(fo);
    printf("NOTE: %d BDS epochs of the real log re-encoded (1006 + MSM7): our decoder max |dP| %.5f m\n", nbds_epochs,
           dmax);
    assert_true(dmax < 0.0006);
    if (!have_convbin()) {
        printf("SKIP: convbin (Debian package rtklib) not installed: encoder -> convbin check not run\n");
    } else {
        assert_int_equal(RUN_QUIET("convbin", "-r", "rtcm3", "-tr", "2022/12/13", "01:09:00", "-v", "3.04", "-od",
                                   "-os", "-o", theirs, rtcm),
                         0);
        int na, nb;
        rval_t *a = parse_rinex(ours, &na), *b = parse_rinex(theirs, &nb);
        assert_non_null(a);
        assert_non_null(b);
        cmp_t c;
        compare_rvals(b, nb, a, na, 'C', &c);
        printf("NOTE: convbin's decode of bdsrx MSM7 vs bdsrx's RINEX of the same epochs: %d values matched, %d "
               "missing, max |diff| C %.4f m L %.4f cyc D %.4f Hz S %.4f dB-Hz\n",
               c.matched, c.missing, c.dmax[0], c.dmax[1], c.dmax[2], c.dmax[3]);
        assert_true(c.matched > 5000);
        assert_int_equal(c.missing, 0);
        /* both print F14.3 of values that differ by < the MSM7 resolution */
        assert_true(c.dmax[0] < 0.0016 && c.dmax[1] < 0.0016 && c.dmax[2] < 0.0016 && c.dmax[3] < 0.0016);
        free(a);
        free(b);
        unlink(theirs);
    }
    bx_rtcm3_dec_destroy(dec);
    unlink(rtcm);
    unlink(ours);
    rmdir(dir);
    free(d);
    free(buf);
}


/* RTKLIB reads bdsrx's RINEX observations as it reads its own: rnx2rtkp SPP
 * (BDS only) on our RINEX of the decoded log and on convbin's RINEX of the
 * same log gives the same positions */
static int read_pos(const char *path, double (*llh)[3], int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        int w, q;
        double tow;
        if (line[0] == '%' || sscanf(line, "%d %lf %lf %lf %lf %d", &w, &tow, &llh[n][0], &llh[n][1], &llh[n][2], &q) != 6)
            continue;
        n++;
    }
    fclose(f);
    return n;
}

static void test_rnx2rtkp_reads_our_rinex(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    if (!have_convbin() || !tu_have("rnx2rtkp")) {
        printf("SKIP: convbin/rnx2rtkp (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    size_t n;
    uint8_t *buf = read_all(path, &n);
    decoded_t *d = calloc(1, sizeof *d);
    decode_buf(buf, n, n, d);
    char dir[] = "/tmp/bdsrx_rtcm3r_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ours[64], theirs[64], nav[64], p1[64], p2[64];
    snprintf(ours, sizeof ours, "%s/bdsrx.obs", dir);
    snprintf(theirs, sizeof theirs, "%s/rtklib.obs", dir);
    snprintf(nav, sizeof nav, "%s/rtklib.nav", dir);
    snprintf(p1, sizeof p1, "%s/bdsrx.pos", dir);
    snprintf(p2, sizeof p2, "%s/rtklib.pos", dir);
    FILE *fo = fopen(ours, "w");
    bx_rinex_obs_header_t hdr;
    bx_rinex_obs_header_default(&hdr);
    const int sigs[3] = {BX_SIG_B1I, BX_SIG_B3I, BX_SIG_B2I};
    assert_int_equal(bx_rinex_obs_header_for_signals(&hdr, sigs, 3), BX_OK);
    memcpy(hdr.approx_pos_m, d->sta.arp_ecef_m, sizeof hdr.approx_pos_m);
    for (int e = 0; e < d->nep; e++) {
        if (e == 0)
            assert_int_equal(bx_rinex_obs_write_header(fo, &hdr, d->ep[e].time), BX_OK);
        assert_int_equal(bx_rinex_obs_write_epoch(fo, &hdr, &d->ep[e]), BX_OK);
    }
    fclose(fo);
    assert_int_equal(RUN_QUIET("convbin", "-r", "rtcm3", "-tr", "2022/12/13", "01:09:00", "-v", "3.04", "-od", "-os",
                               "-o", theirs, "-n", nav, path),
                     0);
    assert_int_equal(RUN_QUIET("rnx2rtkp", "-p", "0", "-sys", "C", "-o", p1, ours, nav), 0);
    assert_int_equal(RUN_QUIET("rnx2rtkp", "-p", "0", "-sys", "C", "-o", p2, theirs, nav), 0);
    double (*a)[3] = calloc(100, sizeof *a), (*b)[3] = calloc(100, sizeof *b);
    int na = read_pos(p1, a, 100), nb = read_pos(p2, b, 100);
    double dmax = 0;
    for (int i = 0; i < na && i < nb; i++)
        for (int k = 0; k < 3; k++)
            dmax = fmax(dmax, fabs(a[i][k] - b[i][k]) * (k < 2 ? 111e3 : 1.0));
    printf("NOTE: rnx2rtkp SPP (BDS B1I): %d solutions from bdsrx's RINEX, %d from convbin's; max |diff| %.4f m\n", na,
           nb, dmax);
    assert_int_equal(na, d->nep);
    assert_int_equal(na, nb);
    assert_true(dmax < 0.01);
    free(a);
    free(b);
    unlink(ours), unlink(theirs), unlink(nav), unlink(p1), unlink(p2);
    rmdir(dir);
    free(d);
    free(buf);
}

static void test_corrupt_and_truncated(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, LOG_REL))
        skip();
    size_t n;
    uint8_t *buf = read_all(path, &n);
    decoded_t *ref = calloc(1, sizeof *ref), *d = calloc(1, sizeof *d);
    decode_buf(buf, n, n, ref);
    /* one flipped bit in the middle: exactly one frame lost, the rest intact */
    buf[n / 2] ^= 0x10;
    decode_buf(buf, n, 333, d);
    printf("NOTE: one bit flipped: %llu frames (of %llu), %llu CRC errors\n", (unsigned long long)d->st.frames,
           (unsigned long long)ref->st.frames, (unsigned long long)d->st.crc_errors);
    assert_int_equal(d->st.crc_errors, 1);
    assert_int_equal(d->st.frames, ref->st.frames - 1);
    buf[n / 2] ^= 0x10;
    /* a stream cut in the middle of a frame, then 100 bytes dropped: resynchronises */
    memset(d, 0, sizeof *d);
    uint8_t *cut = malloc(n);
    size_t k = n / 3;
    memcpy(cut, buf, k);
    memcpy(cut + k, buf + k + 100, n - k - 100);
    decode_buf(cut, n - 100, 4096, d);
    printf("NOTE: 100 bytes dropped at %zu: %llu frames, %llu CRC errors, %llu bytes skipped\n", k,
           (unsigned long long)d->st.frames, (unsigned long long)d->st.crc_errors,
           (unsigned long long)d->st.skipped_bytes);
    /* lost: the frames the cut touches (1-2) and at most the one the corrupted length swallowed */
    assert_true(d->st.frames >= ref->st.frames - 3);
    assert_true(d->st.frames < ref->st.frames);
    /* truncated file: no crash, everything before the cut decoded */
    memset(d, 0, sizeof *d);
    decode_buf(buf, n / 2, 777, d);
    assert_true(d->st.frames > ref->st.frames / 2 - 5);
    /* valid frames with random contents of every decoded type and any length: statuses, no crash
     * (make check-asan runs this under AddressSanitizer) */
    {
        static const int types[] = {1005, 1006, 1019, 1033, 1042, 1074, 1075, 1076, 1077,
                                    1124, 1125, 1126, 1127, 1087, 1097};
        bx_rtcm3_dec_config_t cfg = {bx_time_from_civil(2022, 12, 13, 0, 0, 0)};
        bx_rtcm3_dec_t *fz;
        assert_int_equal(bx_rtcm3_dec_create(&cfg, &fz, NULL, 0), BX_OK);
        unsigned seed = 12345;
        int ok = 0, bad = 0;
        for (int i = 0; i < 3000; i++) {
            uint8_t pl[BX_RTCM3_MAXLEN], fr[BX_RTCM3_MAXLEN + 6];
            seed = seed * 1103515245u + 12345u;
            size_t len = 2 + (seed >> 8) % (i % 3 == 0 ? 1020 : 120);
            for (size_t k = 0; k < len; k++) {
                seed = seed * 1103515245u + 12345u;
                pl[k] = (uint8_t)(seed >> 16);
            }
            const int t = types[i % (int)(sizeof types / sizeof types[0])];
            pl[0] = (uint8_t)(t >> 4);
            pl[1] = (uint8_t)((pl[1] & 0x0F) | ((t & 0xF) << 4));
            int fl = bx_rtcm3_frame(pl, len, fr, sizeof fr);
            size_t used;
            bx_rtcm3_msg_t m;
            assert_int_equal(bx_rtcm3_dec_input(fz, fr, (size_t)fl, &used, &m), 1);
            assert_int_equal(m.type, t);
            ok += m.status == BX_OK;
            bad += m.status != BX_OK;
            if (m.epoch_done)
                assert_true(bx_rtcm3_dec_obs(fz)->n <= BX_OBS_MAX);
        }
        printf("NOTE: 3000 random frames: %d decoded, %d rejected (too short / bad fields)\n", ok, bad);
        assert_true(bad > 0);
        bx_rtcm3_dec_destroy(fz);
    }
    /* garbage only */
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < 5000; i++)
        cut[i] = (uint8_t)(i * 131 + 7);
    decode_buf(cut, 5000, 5000, d);
    assert_int_equal(d->st.frames, 0);
    free(cut);
    free(ref);
    free(d);
    free(buf);
}

/* an epoch whose last message (DF393 = 0) is lost: it completes when the next epoch
 * starts; that message then completes two epochs, and both are delivered in order */
static void test_epoch_assembly(void **state)
{
    (void)state;
    bx_rtcm3_dec_config_t cfg = {bx_time_from_civil(2024, 7, 27, 0, 0, 0)};
    bx_rtcm3_dec_t *dec;
    assert_int_equal(bx_rtcm3_dec_create(&cfg, &dec, NULL, 0), BX_OK);
    bx_obs_t o;
    memset(&o, 0, sizeof o);
    o.n = 1;
    o.d[0] = (bx_obsd_t){.prn = 30, .sig = BX_SIG_B1I, .code = 'I', .pseudorange_m = 2.2e7,
                         .flags = BX_OBS_PR};
    uint8_t pl[256], fr[300];
    bx_time_t t0 = bx_time_from_civil(2024, 7, 27, 3, 0, 0);
    bx_time_t got_t[8];
    int ngot = 0;
    /* epoch 0: one message with sync = 1 and its last one lost; epoch 1: a last message; epoch 2 */
    for (int e = 0; e < 3; e++) {
        o.time = bx_time_add(t0, e);
        int len = bx_rtcm3_encode_msm7_bds(&o, 1, e == 0, pl, sizeof pl);
        int fl = bx_rtcm3_frame(pl, (size_t)len, fr, sizeof fr);
        size_t used;
        bx_rtcm3_msg_t m;
        assert_int_equal(bx_rtcm3_dec_input(dec, fr, (size_t)fl, &used, &m), 1);
        if (m.epoch_done)
            got_t[ngot++] = bx_rtcm3_dec_obs(dec)->time;
    }
    while (bx_rtcm3_dec_flush(dec))
        got_t[ngot++] = bx_rtcm3_dec_obs(dec)->time;
    assert_int_equal(ngot, 3);
    for (int e = 0; e < 3; e++)
        assert_true(fabs(bx_time_diff(got_t[e], bx_time_add(t0, e))) < 1e-9);
    bx_rtcm3_dec_destroy(dec);
}

static void test_tables(void **state)
{
    (void)state;
    /* RTCM 10403.3 Table 3.5-108 / 3.5-91 spot checks, both directions */
    assert_string_equal(bx_rtcm3_sig_rinex('C', 2), "2I");
    assert_string_equal(bx_rtcm3_sig_rinex('C', 8), "6I");
    assert_string_equal(bx_rtcm3_sig_rinex('C', 14), "7I");
    assert_string_equal(bx_rtcm3_sig_rinex('C', 23), "5P");
    assert_string_equal(bx_rtcm3_sig_rinex('C', 31), "1P");
    assert_string_equal(bx_rtcm3_sig_rinex('G', 2), "1C");
    assert_string_equal(bx_rtcm3_sig_rinex('G', 10), "2W");
    assert_string_equal(bx_rtcm3_sig_rinex('G', 23), "5Q");
    assert_null(bx_rtcm3_sig_rinex('C', 1));
    for (int id = 1; id <= 32; id++) {
        const char *r = bx_rtcm3_sig_rinex('C', id);
        if (r)
            assert_int_equal(bx_rtcm3_sig_id('C', r), id);
    }
    /* CRC-24Q over bytes equals the bit-serial one */
    uint8_t by[5] = {0xD3, 0x00, 0x13, 0x3E, 0xD7}, bits[40];
    for (int i = 0; i < 40; i++)
        bits[i] = (by[i / 8] >> (7 - i % 8)) & 1;
    assert_int_equal(bx_crc24q_bytes(by, 5), bx_crc24q(bits, 40));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_epoch_assembly),
        cmocka_unit_test(test_real_log_vs_qzsl6tool),
        cmocka_unit_test(test_real_log_vs_convbin),
        cmocka_unit_test(test_msm7_roundtrip_synthetic),
        cmocka_unit_test(test_encoder_real_values_and_convbin),
        cmocka_unit_test(test_rnx2rtkp_reads_our_rinex),
        cmocka_unit_test(test_corrupt_and_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
