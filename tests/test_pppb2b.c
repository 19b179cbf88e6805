/* PPP-B2b messages, store and application (include/bdsrx/pppb2b.h):
 *  - field by field against qzsl6tool's expected decode of 31 s of real frames
 *    (../shared/testdata/real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b.txt);
 *  - every message of the one-hour real log doy2023-223 against cssrlib's decoder when
 *    python3 + numpy/bitstruct/yaml + a cssrlib checkout are present (tools/b2b_cssrlib_ref.py;
 *    BDSRX_CSSRLIB = cssrlib checkout or git dir), skipped with a message otherwise;
 *  - independent checks that always run on the real logs: message counts of the data README,
 *    parse/pack round trip bit-exact (reserved/fill bits zero), MT4 IOD Corr of a
 *    mask-resolved satellite = MT2 IOD Corr of the same satellite, IODN = B-CNAV1 IODC;
 *  - store rules (IOD SSR, IODP, IOD Corr, ages, day roll-over) and the correction frame
 *    and signs (pppb2b.md §4, §5) on synthetic messages. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bdsrx/bits.h"
#include "bdsrx/fec.h"
#include "bdsrx/navframe.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/time.h"
#include "testdata.h"
#include "testutil.h"

#define LOG223 "real/cssrlib_pppb2b/doy2023-223/223v_bdsb2b.txt"
#define NAV223 "real/cssrlib_pppb2b/doy2023-223/NAV223.23p"

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd_u(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 32);
}
static int rnd(int n)
{
    return (int)(rnd_u() % (uint32_t)n);
}

/* ---------------- qzsl6tool expected decode ---------------- */

typedef struct {
    FILE *f;
    char line[4096];
    int have;
} rd_t;

/* /usr/bin/python3 imports numpy, bitstruct and yaml (the cssrlib reference needs them) */
static int py_modules_ok(void)
{
    tu_result_t r;
    const int st = tu_runl(&r, NULL, "/usr/bin/python3", "-c", "import numpy, bitstruct, yaml", NULL);
    tu_result_free(&r);
    return st == 0;
}

static char *rd_peek(rd_t *r)
{
    if (!r->have) {
        if (!fgets(r->line, sizeof r->line, r->f))
            return NULL;
        r->line[strcspn(r->line, "\r\n")] = 0;
        r->have = 1;
    }
    return r->line;
}
static char *rd_next(rd_t *r)
{
    char *l = rd_peek(r);
    r->have = 0;
    return l;
}

static void hms(int sod, char *buf, size_t n)
{
    snprintf(buf, n, "%02d:%02d:%02d", sod / 3600, sod % 3600 / 60, sod % 60);
}

/* qzsl6tool's ura2dist() (python/libssr.py) reads "class" from bits 4..5 and "value" from
 * bits 0..3 of the 6-bit index; pppb2b.md §5 (and cssrlib) use class = 3 MSBs, value =
 * 3 LSBs.  For the classes on air in this file both give 73.25 mm for index 0b011111 but
 * differ for 0b100111 (221.75 mm per the ICD, 86.75 mm printed).  The test reproduces
 * qzsl6tool's formula from our raw bits so that the raw decode is still checked. */
static double qzsl6_ura_mm(int cls, int val)
{
    int idx = cls << 3 | val;
    if (idx == 0)
        return -1;
    if (idx == 63)
        return 5466.5;
    int c = idx & 3, v = idx >> 2;
    return pow(3.0, c) * (1.0 + v / 4.0) - 1.0;
}

static const char *qzsl6_sig(int code)
{
    switch (code) { /* qzsl6tool's names of the BDS codes (same table as pppb2b.md §3 MT3) */
    case 0: return "B1I";
    case 1: return "B1C(D)";
    case 2: return "B1C(P)";
    case 4: return "B2a(D)";
    case 5: return "B2a(P)";
    case 7: return "B2bI";
    case 8: return "B2bQ";
    case 12: return "B3I";
    }
    return "?";
}

static void test_qzsl6tool_expected(void **state)
{
    (void)state;
    char pb[512], pt[512];
    if (!testdata_path(pb, sizeof pb, "real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b") ||
        !testdata_path(pt, sizeof pt, "real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b.txt")) {
        skip();
        return;
    }
    FILE *fb = fopen(pb, "rb");
    rd_t rt = {fopen(pt, "r"), {0}, 0};
    assert_non_null(fb);
    assert_non_null(rt.f);
    bx_b2b_store_t *st;
    assert_int_equal(bx_b2b_store_create(NULL, &st, NULL, 0), BX_OK);
    uint8_t rec[125], sym[1000], msg[486];
    float soft[1000];
    int n_msg = 0, n_rows = 0, n_mt[64] = {0};
    uint8_t mask[BX_B2B_NSLOT + 1] = {0};
    while (fread(rec, 1, 125, fb) == 125) {
        bx_bits_from_bytes(rec, 1000, sym);
        int prn = (int)bx_bits_getu(sym, 16, 6);
        if (prn != 60) /* the expected file is `bdsb2read.py -p 60` */
            continue;
        for (int i = 0; i < 1000; i++)
            soft[i] = sym[i] ? -1.0f : 1.0f;
        assert_int_equal(bx_cnav3_decode_prn(soft, msg, &prn), BX_OK);
        bx_b2b_msg_t m;
        assert_int_equal(bx_b2b_parse(msg, &m), BX_OK);
        int add = bx_b2b_store_add(st, 60, bx_time_make(m.h.epoch_s, 0), &m);
        n_msg++;
        n_mt[m.type]++;
        char *h = rd_next(&rt), exp[128], tbuf[16], name[16];
        assert_non_null(h);
        snprintf(exp, sizeof exp, "C60 MT%-2d ", m.type);
        assert_memory_equal(h, exp, strlen(exp));
        hms(m.h.epoch_s, tbuf, sizeof tbuf);
        switch (m.type) {
        case 63:
            assert_string_equal(h, "C60 MT63 NULL");
            break;
        case 1: {
            snprintf(exp, sizeof exp, "C60 MT1  MASK  %s IODSSR=%d IODP=%d", tbuf, m.h.iod_ssr, m.u.mt1.iodp);
            assert_memory_equal(h, exp, strlen(exp));
            char sats[1024], bitsl[1024], list[1024] = "";
            snprintf(sats, sizeof sats, "%s", rd_next(&rt));
            snprintf(bitsl, sizeof bitsl, "%s", rd_next(&rt));
            for (int s = 1; s <= 174; s++)
                if (m.u.mt1.mask[s]) {
                    strcat(list, " ");
                    strcat(list, bx_b2b_slot_name(s, name, sizeof name));
                }
            assert_string_equal(sats, list);
            assert_memory_equal(bitsl, "Mask: ", 6);
            assert_int_equal(strlen(bitsl + 6), 255);
            for (int s = 1; s <= 255; s++)
                assert_int_equal(bitsl[5 + s] - '0', m.u.mt1.mask[s]);
            memcpy(mask, m.u.mt1.mask, sizeof mask);
            break;
        }
        case 2: {
            snprintf(exp, sizeof exp, "C60 MT2  ORBIT %s IODSSR=%d", tbuf, m.h.iod_ssr);
            assert_string_equal(h, exp);
            assert_int_equal(add, BX_B2B_ADD_OK);
            assert_string_equal(rd_next(&rt), "SAT IODN IODCorr radial[m] along[m] cross[m] URA[mm]");
            for (int k = 0; k < 6; k++) {
                const bx_b2b_orbit_t *o = &m.u.mt2.sat[k];
                if (!o->slot)
                    continue;
                char sat[8];
                int iodn, iodc;
                double r, a, c, u;
                assert_int_equal(sscanf(rd_next(&rt), "%7s %d %d %lf %lf %lf %lf", sat, &iodn, &iodc, &r, &a, &c, &u), 7);
                assert_string_equal(sat, bx_b2b_slot_name(o->slot, name, sizeof name));
                assert_int_equal(iodn, o->iodn);
                assert_int_equal(iodc, o->iod_corr);
                assert_true(fabs(r - o->radial_m) < 0.6e-4);
                assert_true(fabs(a - o->along_m) < 0.6e-4);
                assert_true(fabs(c - o->cross_m) < 0.6e-4);
                assert_true(fabs(u - qzsl6_ura_mm(o->ura_class, o->ura_value)) < 0.006);
                n_rows++;
            }
            break;
        }
        case 3: {
            snprintf(exp, sizeof exp, "C60 MT3  CODE  %s IODSSR=%d numsat=%d", tbuf, m.h.iod_ssr, m.u.mt3.n_sat);
            assert_string_equal(h, exp);
            assert_string_equal(rd_next(&rt), "SAT Signal Code   Code Bias[m]");
            for (int k = 0; k < m.u.mt3.n_sat; k++)
                for (int j = 0; j < m.u.mt3.sat[k].n; j++) {
                    char sat[8], sig[16];
                    double v;
                    assert_int_equal(sscanf(rd_next(&rt), "%7s %15s %lf", sat, sig, &v), 3);
                    assert_string_equal(sat, bx_b2b_slot_name(m.u.mt3.sat[k].slot, name, sizeof name));
                    assert_string_equal(sig, qzsl6_sig(m.u.mt3.sat[k].code[j]));
                    assert_true(fabs(v - m.u.mt3.sat[k].dcb_m[j]) < 0.6e-3);
                    n_rows++;
                }
            break;
        }
        case 4: {
            snprintf(exp, sizeof exp, "C60 MT4  CLOCK %s IODSSR=%d IODP=%d", tbuf, m.h.iod_ssr, m.u.mt4.iodp);
            if (add == BX_B2B_ADD_NOMASK) { /* qzsl6tool: no mask yet -> "IODSSR mismatch" */
                strcat(exp, " IODSSR mismatch");
                assert_string_equal(h, exp);
                break;
            }
            assert_string_equal(h, exp);
            assert_string_equal(rd_next(&rt), "SAT IODCorr   c0[m]");
            /* qzsl6tool names entry k after raw slot 23*ST1+k+1 (pppb2b.md §3 MT4: wrong, the
             * entry belongs to the (23*ST1+k+1)-th MASKED satellite); the raw fields are
             * compared here, the satellite assignment in test_real_consistency. */
            for (int k = 0; k < 23; k++) {
                int slot = 23 * m.u.mt4.st1 + k + 1;
                const bx_b2b_clock_t *c = &m.u.mt4.clk[k];
                if (!mask[slot] || c->raw == -16383)
                    continue;
                char sat[8];
                int iodc;
                double v;
                assert_int_equal(sscanf(rd_next(&rt), "%7s %d %lf", sat, &iodc, &v), 3);
                assert_string_equal(sat, bx_b2b_slot_name(slot, name, sizeof name));
                assert_int_equal(iodc, c->iod_corr);
                assert_true(fabs(v - c->raw * BX_B2B_C0_LSB_M) < 0.6e-3);
                n_rows++;
            }
            break;
        }
        default:
            fail_msg("unexpected message type %d", m.type);
        }
    }
    assert_null(rd_next(&rt)); /* every expected line consumed */
    printf("qzsl6tool expected decode: %d messages, %d value rows equal (MT1 %d, MT2 %d, MT3 %d, MT4 %d, MT63 %d)\n",
           n_msg, n_rows, n_mt[1], n_mt[2], n_mt[3], n_mt[4], n_mt[63]);
    assert_int_equal(n_msg, 31);
    assert_true(n_rows > 150);
    bx_b2b_store_destroy(st);
    fclose(fb);
    fclose(rt.f);
}

/* ---------------- real log: independent checks ---------------- */

static void test_real_consistency(void **state)
{
    (void)state;
    char pl[512], pn[512];
    if (!testdata_path(pl, sizeof pl, LOG223) || !testdata_path(pn, sizeof pn, NAV223)) {
        skip();
        return;
    }
    bx_nav_t nav;
    char err[256];
    bx_nav_init(&nav);
    assert_int_equal(bx_rinex_nav_read(pn, &nav, err, sizeof err), BX_OK);
    FILE *f = fopen(pl, "r");
    assert_non_null(f);
    bx_b2b_store_t *st;
    assert_int_equal(bx_b2b_store_create(NULL, &st, NULL, 0), BX_OK);
    char line[1024];
    uint8_t b[486], b2[486];
    int cnt[64] = {0}, n_rt = 0, iod_same = 0, iod_diff = 0, eph_ok = 0, eph_no = 0;
    /* last MT2 IOD Corr per GEO and slot */
    static int orb_iod[5][256];
    memset(orb_iod, -1, sizeof orb_iod);
    while (fgets(line, sizeof line, f)) {
        bx_time_t t;
        int prn;
        bx_b2b_msg_t m;
        assert_int_equal(bx_b2b_log_parse(line, &t, &prn, b), BX_OK);
        assert_true(bx_crc24q_check(b, 486));
        assert_int_equal(bx_b2b_parse(b, &m), BX_OK);
        cnt[m.type]++;
        assert_int_equal(bx_b2b_pack(&m, b2), BX_OK);
        assert_memory_equal(b, b2, 486); /* layout consistent, reserved/fill bits zero */
        n_rt++;
        bx_b2b_store_resolve(st, prn, &m);
        int add = bx_b2b_store_add(st, prn, t, &m);
        int g = prn - 59;
        if (m.type == 2 && add == BX_B2B_ADD_OK)
            for (int k = 0; k < 6; k++) {
                const bx_b2b_orbit_t *o = &m.u.mt2.sat[k];
                if (!o->slot)
                    continue;
                orb_iod[g][o->slot] = o->iod_corr;
                if (o->slot <= 63) {
                    if (bx_b2b_find_eph(&nav, o->slot, o->iodn, t))
                        eph_ok++;
                    else
                        eph_no++;
                }
            }
        if (m.type == 4 && add == BX_B2B_ADD_OK)
            for (int k = 0; k < 23; k++) {
                const bx_b2b_clock_t *c = &m.u.mt4.clk[k];
                if (c->slot && c->valid && orb_iod[g][c->slot] >= 0)
                {
                    if (c->iod_corr == orb_iod[g][c->slot])
                        iod_same++;
                    else
                        iod_diff++;
                }
            }
    }
    fclose(f);
    printf("doy2023-223: MT1 %d MT2 %d MT3 %d MT4 %d MT63 %d; %d round trips bit-exact; "
           "MT4 IOD Corr = last MT2 IOD Corr for %d of %d clock entries; IODN = B-CNAV1 IODC "
           "for %d of %d BDS orbit records\n", cnt[1], cnt[2], cnt[3], cnt[4], cnt[63], n_rt, iod_same,
           iod_same + iod_diff, eph_ok, eph_ok + eph_no);
    /* counts of the data README (shared/testdata/real/cssrlib_pppb2b/README.txt) */
    assert_int_equal(cnt[1], 300);
    assert_int_equal(cnt[2], 1040);
    assert_int_equal(cnt[3], 1085);
    assert_int_equal(cnt[4], 7183);
    assert_int_equal(cnt[63], 4761);
    /* with the mask-order mapping of MT4 (§3 MT4) the clock's IOD Corr follows the orbit's;
     * with the raw-slot mapping it would agree only by chance (1 in 8) */
    assert_true(iod_same > 0.97 * (iod_same + iod_diff));
    assert_true(eph_ok > 0.8 * (eph_ok + eph_no));
    bx_b2b_store_destroy(st);
    bx_nav_destroy(&nav);
}

/* ---------------- cssrlib ---------------- */

static const char *find_cssrlib(char *buf, size_t n)
{
    /* BDSRX_CSSRLIB when set (only that), else a checkout beside the repository, else the
     * place where this project's sessions keep fetched repositories */
    const char *env = getenv("BDSRX_CSSRLIB");
    const char *cands[] = {env && *env ? env : "../cssrlib", env && *env ? NULL : "/work/.mirror/hirokawa+cssrlib/repo"};
    struct stat sb;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i] || !*cands[i] || stat(cands[i], &sb) != 0)
            continue;
        snprintf(buf, n, "%s", cands[i]);
        return buf;
    }
    return NULL;
}

static int same(double a, double b, double tol)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= tol;
}

/* RINEX 3.05 Table 4 codes of the BDS signals of the MT3 table (pppb2b.md §3): B1I 2I,
 * B1C data/pilot 1D/1P, B2a 5D/5P, B2b-I/Q 7D/7P (as cssrlib names them), B3I 6I */
static const char *rnx_code(int code)
{
    switch (code) {
    case 0: return "C2I";
    case 1: return "C1D";
    case 2: return "C1P";
    case 4: return "C5D";
    case 5: return "C5P";
    case 7: return "C7D";
    case 8: return "C7P";
    case 12: return "C6I";
    }
    return "?";
}

static void test_cssrlib_hour(void **state)
{
    (void)state;
    char pl[512], cs[512];
    /* BDSRX_B2B_LOG=real/cssrlib_pppb2b/... compares another log (recorded in nav/README.md) */
    const char *other = getenv("BDSRX_B2B_LOG");
    if (!testdata_path(pl, sizeof pl, other && *other ? other : LOG223)) {
        skip();
        return;
    }
    if (!find_cssrlib(cs, sizeof cs) || access("/usr/bin/python3", X_OK) != 0 ||
        !py_modules_ok()) {
        printf("SKIP: cssrlib comparison needs /usr/bin/python3 with numpy, bitstruct, yaml "
               "(apt-get install python3-numpy python3-bitstruct python3-yaml) and a cssrlib "
               "checkout (BDSRX_CSSRLIB=DIR or ../cssrlib); the independent checks still ran\n");
        skip();
        return;
    }
    tu_result_t rr;
    const int ref_status = tu_runl(&rr, NULL, "/usr/bin/python3", "tools/b2b_cssrlib_ref.py", cs, pl, NULL);
    FILE *ref = fmemopen(rr.out_len ? rr.out : (char *)"\n", rr.out_len ? rr.out_len : 1, "r");
    assert_non_null(ref);
    FILE *f = fopen(pl, "r");
    assert_non_null(f);
    bx_b2b_store_t *st;
    assert_int_equal(bx_b2b_store_create(NULL, &st, NULL, 0), BX_OK);
    char line[1024], r[4096];
    long ln = 0, n_ref = 0, n_orb = 0, n_clk = 0, n_cb = 0, n_mask = 0, n_ours = 0;
    bx_b2b_msg_t m;
    int have_r = fgets(r, sizeof r, ref) != NULL;
    while (fgets(line, sizeof line, f)) {
        ln++;
        bx_time_t t;
        int prn;
        uint8_t b[486];
        assert_int_equal(bx_b2b_log_parse(line, &t, &prn, b), BX_OK);
        assert_int_equal(bx_b2b_parse(b, &m), BX_OK);
        bx_b2b_store_resolve(st, prn, &m);
        int add = bx_b2b_store_add(st, prn, t, &m);
        /* what we would hand on from this message */
        int ours = 0;
        if (add == BX_B2B_ADD_OK) {
            if (m.type == 2)
                for (int k = 0; k < 6; k++)
                    ours += m.u.mt2.sat[k].slot > 0 && m.u.mt2.sat[k].slot <= 174;
            if (m.type == 4)
                for (int k = 0; k < 23; k++)
                    ours += m.u.mt4.clk[k].slot > 0;
            if (m.type == 3)
                for (int k = 0; k < m.u.mt3.n_sat; k++)
                    ours += m.u.mt3.sat[k].n;
        }
        n_ours += ours;
        int seen = 0;
        while (have_r && atol(r) == ln) {
            char kind[8], sat[8], name[16];
            int rp, off = 0;
            assert_int_equal(sscanf(r, "%*d %7s %d %n", kind, &rp, &off), 2);
            assert_int_equal(rp, prn);
            const char *p = r + off;
            n_ref++;
            if (!strcmp(kind, "MASK")) {
                int iodssr, iodp, n;
                assert_int_equal(m.type, 1);
                assert_int_equal(sscanf(p, "%d %d %d %n", &iodssr, &iodp, &n, &off), 3);
                assert_int_equal(iodssr, m.h.iod_ssr);
                assert_int_equal(iodp, m.u.mt1.iodp);
                char list[2048] = "";
                for (int s = 1; s <= 174; s++)
                    if (m.u.mt1.mask[s]) {
                        strcat(list, list[0] ? " " : "");
                        strcat(list, bx_b2b_slot_name(s, name, sizeof name));
                    }
                char *e = (char *)p + off;
                e[strcspn(e, "\n")] = 0;
                assert_string_equal(e, list);
                n_mask++;
            } else if (!strcmp(kind, "ORB")) {
                int iode, iodc;
                double dx, dy, dz, ura;
                assert_int_equal(m.type, 2);
                assert_int_equal(sscanf(p, "%7s %d %d %lf %lf %lf %lf", sat, &iode, &iodc, &dx, &dy, &dz, &ura), 7);
                int k;
                for (k = 0; k < 6; k++)
                    if (m.u.mt2.sat[k].slot &&
                        !strcmp(sat, bx_b2b_slot_name(m.u.mt2.sat[k].slot, name, sizeof name)))
                        break;
                assert_true(k < 6);
                const bx_b2b_orbit_t *o = &m.u.mt2.sat[k];
                assert_int_equal(iode, o->slot <= 100 ? (o->iodn & 0xff) : o->iodn);
                assert_int_equal(iodc, o->iod_corr);
                assert_true(same(dx, o->radial_m, 1e-9) && same(dy, o->along_m, 1e-9) && same(dz, o->cross_m, 1e-9));
                assert_true(same(ura, bx_b2b_ura_m(o->ura_class, o->ura_value), 1e-12));
                n_orb++;
                seen++;
            } else if (!strcmp(kind, "CLK")) {
                int iodc;
                double dclk;
                assert_int_equal(m.type, 4);
                assert_int_equal(sscanf(p, "%7s %d %lf", sat, &iodc, &dclk), 3);
                int k;
                for (k = 0; k < 23; k++)
                    if (m.u.mt4.clk[k].slot && !strcmp(sat, bx_b2b_slot_name(m.u.mt4.clk[k].slot, name, sizeof name)))
                        break;
                assert_true(k < 23);
                assert_int_equal(iodc, m.u.mt4.clk[k].iod_corr);
                assert_true(same(dclk, -m.u.mt4.clk[k].c0_m, 1e-9)); /* cssrlib stores -C0 */
                n_clk++;
                seen++;
            } else if (!strcmp(kind, "CB")) {
                char sig[8];
                double v;
                assert_int_equal(m.type, 3);
                assert_int_equal(sscanf(p, "%7s %7s %lf", sat, sig, &v), 3);
                int found = 0;
                for (int k = 0; k < m.u.mt3.n_sat && !found; k++) {
                    const bx_b2b_dcb_t *d = &m.u.mt3.sat[k];
                    if (strcmp(sat, bx_b2b_slot_name(d->slot, name, sizeof name)))
                        continue;
                    for (int j = 0; j < d->n; j++)
                        if (!strcmp(sig, rnx_code(d->code[j]))) {
                            assert_true(same(v, d->dcb_m[j], 1e-9));
                            found = 1;
                        }
                }
                assert_true(found);
                n_cb++;
                seen++;
            } else {
                fail_msg("unknown reference line: %s", r);
            }
            have_r = fgets(r, sizeof r, ref) != NULL;
        }
        if (seen != ours)
            fail_msg("log line %ld (MT%d from C%02d): cssrlib stored %d values, we %d", ln, m.type, prn, seen, ours);
    }
    assert_false(have_r);
    fclose(ref);
    tu_result_free(&rr);
    int rc = ref_status;
    fclose(f);
    bx_b2b_store_destroy(st);
    printf("cssrlib (%s) vs bdsrx on %s, %ld messages: %ld values equal "
           "(%ld masks, %ld orbit, %ld clock, %ld code-bias records)\n", cs, pl, ln, n_ref, n_mask, n_orb,
           n_clk, n_cb);
    assert_int_equal(rc, 0);
    if (!(other && *other))
        assert_true(n_orb > 4000 && n_clk > 100000 && n_cb > 20000);
    assert_int_equal(n_ours, n_orb + n_clk + n_cb);
}

/* ---------------- B2b-I symbol stream -> frames -> messages ---------------- */

static double gauss(void)
{
    double u1 = (rnd_u() + 0.5) / 4294967296.0, u2 = (rnd_u() + 0.5) / 4294967296.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* The 31 real C60 frames of the qzsl6tool file as one continuous 1000 sps symbol stream
 * (inverted polarity, noise at Es/N0 1 dB, 413 noise symbols before): the streaming
 * synchroniser must find the frame grid and return the same blocks as the clean frames,
 * at the right symbols; pure noise must give nothing. */
static void test_b2b_stream_sync(void **state)
{
    (void)state;
    char pb[512];
    if (!testdata_path(pb, sizeof pb, "real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b")) {
        skip();
        return;
    }
    FILE *fb = fopen(pb, "rb");
    assert_non_null(fb);
    static uint8_t frames[31][1000], clean[31][486];
    int nf = 0;
    uint8_t rec[125];
    float soft[1000];
    while (fread(rec, 1, 125, fb) == 125 && nf < 31) {
        bx_bits_from_bytes(rec, 1000, frames[nf]);
        if ((int)bx_bits_getu(frames[nf], 16, 6) != 60)
            continue;
        for (int i = 0; i < 1000; i++)
            soft[i] = frames[nf][i] ? -1.0f : 1.0f;
        int prn;
        assert_int_equal(bx_cnav3_decode_prn(soft, clean[nf], &prn), BX_OK);
        nf++;
    }
    fclose(fb);
    assert_int_equal(nf, 31);
    bx_cnav3_sync_t *sy;
    assert_int_equal(bx_cnav3_sync_create(60, &sy, NULL, 0), BX_OK);
    const double sigma = sqrt(0.5 / pow(10.0, 1.0 / 10.0));
    const int lead = 413;
    uint8_t msg[486];
    int got = 0, match = 0, prn = 0, prn60 = 0;
    uint64_t fs = 0;
    for (int k = 0; k < lead + 31 * 1000; k++) {
        float v;
        if (k < lead) {
            v = (float)(((rnd_u() & 1) ? 1.0 : -1.0) + sigma * gauss());
        } else {
            const int f = (k - lead) / 1000, i = (k - lead) % 1000;
            v = (float)(-(frames[f][i] ? -1.0 : 1.0) + sigma * gauss()); /* inverted */
        }
        if (bx_cnav3_sync_push(sy, v, (uint64_t)k * 20460u, msg, &prn, &fs)) {
            const int f = (int)((fs / 20460u - lead) / 1000);
            assert_int_equal((int)(fs / 20460u - lead) % 1000, 0);
            got++; /* the PRN field is not encoded: ~6 % symbol errors at this Es/N0 */
            prn60 += prn == 60;
            match += memcmp(msg, clean[f], 486) == 0;
            bx_b2b_msg_t m;
            assert_int_equal(bx_b2b_parse(msg, &m) == BX_OK || m.type >= 10, 1);
        }
    }
    printf("B2b-I stream at Es/N0 1 dB: %d of 31 frames found, %d equal to the clean decode, %ld LDPC runs\n",
           got, match, bx_cnav3_sync_attempts(sy));
    assert_true(got >= 30);
    assert_int_equal(match, got);
    assert_true(prn60 >= got / 2);
    bx_cnav3_sync_destroy(sy);
    /* noise only, any PRN: no frame, few LDPC attempts */
    assert_int_equal(bx_cnav3_sync_create(0, &sy, NULL, 0), BX_OK);
    got = 0;
    for (int k = 0; k < 30000; k++)
        got += bx_cnav3_sync_push(sy, (float)gauss(), (uint64_t)k, msg, &prn, &fs);
    printf("30000 noise symbols: %d frames, %ld LDPC runs\n", got, bx_cnav3_sync_attempts(sy));
    assert_int_equal(got, 0);
    assert_true(bx_cnav3_sync_attempts(sy) < 60);
    bx_cnav3_sync_destroy(sy);
    assert_int_equal(bx_cnav3_sync_create(64, &sy, NULL, 0), BX_ERR_ARG);
}

/* ---------------- synthetic: codec, store rules, application ---------------- */


static void test_roundtrip_all_types(void **state)
{
    (void)state;
    /* random messages of every type: pack -> parse -> pack is bit-exact, CRC ok */
    for (int it = 0; it < 2000; it++) {
        static const int types[] = {1, 2, 3, 4, 5, 6, 7, 63};
        bx_b2b_msg_t m, p;
        uint8_t b[486], b2[486];
        memset(&m, 0, sizeof m);
        m.type = types[it % 8];
        m.h.epoch_s = rnd(86400);
        m.h.reserved4 = rnd(16);
        m.h.iod_ssr = rnd(4);
        bx_b2b_orbit_t *orb = NULL;
        bx_b2b_clock_t *clk = NULL;
        int no = 0, nc = 0;
        switch (m.type) {
        case 1:
            m.u.mt1.iodp = rnd(16);
            for (int s = 1; s <= 255; s++)
                m.u.mt1.mask[s] = (uint8_t)rnd(2);
            break;
        case 2: orb = m.u.mt2.sat; no = 6; break;
        case 3:
            m.u.mt3.n_sat = rnd(4);
            for (int k = 0; k < m.u.mt3.n_sat; k++) {
                m.u.mt3.sat[k].slot = 1 + rnd(255);
                m.u.mt3.sat[k].n = rnd(8);
                for (int j = 0; j < m.u.mt3.sat[k].n; j++) {
                    m.u.mt3.sat[k].code[j] = rnd(16);
                    m.u.mt3.sat[k].dcb_m[j] = (rnd(4093) - 2046) * BX_B2B_DCB_LSB_M;
                }
            }
            break;
        case 4: m.u.mt4.iodp = rnd(16); m.u.mt4.st1 = rnd(32); clk = m.u.mt4.clk; nc = 23; break;
        case 5:
            m.u.mt5.iodp = rnd(16);
            m.u.mt5.st2 = rnd(8);
            for (int k = 0; k < 70; k++) {
                m.u.mt5.ura_class[k] = rnd(8);
                m.u.mt5.ura_value[k] = rnd(8);
            }
            break;
        case 6:
            m.u.mt6.num_c = rnd(10);
            m.u.mt6.num_o = rnd(4);
            m.u.mt6.hc = m.u.mt6.ho = m.h;
            m.u.mt6.iodp = rnd(16);
            m.u.mt6.slot_s = rnd(100);
            clk = m.u.mt6.clk; nc = m.u.mt6.num_c; orb = m.u.mt6.orb; no = m.u.mt6.num_o;
            break;
        case 7:
            m.u.mt7.num_c = rnd(8);
            m.u.mt7.num_o = rnd(3);
            m.u.mt7.hc = m.u.mt7.ho = m.h;
            clk = m.u.mt7.clk; nc = m.u.mt7.num_c; orb = m.u.mt7.orb; no = m.u.mt7.num_o;
            for (int k = 0; k < nc; k++)
                clk[k].slot = 1 + rnd(255);
            break;
        }
        for (int k = 0; k < no; k++) {
            orb[k] = (bx_b2b_orbit_t){1 + rnd(255), rnd(1024), rnd(8), (rnd(32000) - 16000) * 0.0016,
                                      (rnd(8000) - 4000) * 0.0064, (rnd(8000) - 4000) * 0.0064, 1, rnd(8), rnd(8)};
        }
        for (int k = 0; k < nc; k++) {
            clk[k].iod_corr = rnd(8);
            clk[k].valid = rnd(5) > 0;
            clk[k].c0_m = (rnd(32000) - 16000) * 0.0016;
        }
        assert_int_equal(bx_b2b_pack(&m, b), BX_OK);
        assert_true(bx_crc24q_check(b, 486));
        assert_int_equal(bx_b2b_parse(b, &p), BX_OK);
        assert_int_equal(p.type, m.type);
        assert_int_equal(bx_b2b_pack(&p, b2), BX_OK);
        assert_memory_equal(b, b2, 486);
        if (m.type == 2) {
            assert_int_equal(p.u.mt2.sat[3].iodn, m.u.mt2.sat[3].iodn);
            assert_true(fabs(p.u.mt2.sat[3].radial_m - m.u.mt2.sat[3].radial_m) < 1e-9);
            assert_true(fabs(p.u.mt2.sat[3].cross_m - m.u.mt2.sat[3].cross_m) < 1e-9);
        }
        if (m.type == 4)
            for (int k = 0; k < 23; k++) {
                assert_int_equal(p.u.mt4.clk[k].valid, m.u.mt4.clk[k].valid);
                if (m.u.mt4.clk[k].valid)
                    assert_true(fabs(p.u.mt4.clk[k].c0_m - m.u.mt4.clk[k].c0_m) < 1e-9);
            }
    }
    /* a MT3 longer than the 456 data bits is refused, MT63 must be all zero */
    uint8_t b[486] = {0};
    bx_b2b_msg_t m;
    bx_bits_setu(b, 0, 6, 3);
    bx_bits_setu(b, 29, 5, 31);           /* NumSat 31 */
    for (int k = 0; k < 31; k++)
        bx_bits_setu(b, 34 + k * 13 + 9, 4, 15); /* way past the end */
    assert_int_equal(bx_b2b_parse(b, &m), BX_ERR_FORMAT);
    memset(b, 0, sizeof b);
    bx_bits_setu(b, 0, 6, 63);
    assert_int_equal(bx_b2b_parse(b, &m), BX_OK);
    b[100] = 1;
    assert_int_equal(bx_b2b_parse(b, &m), BX_ERR_FORMAT);
    /* URA (pppb2b.md §5) */
    assert_true(isnan(bx_b2b_ura_m(0, 0)));
    assert_true(fabs(bx_b2b_ura_m(4, 7) - 0.22175) < 1e-12);
    assert_true(fabs(bx_b2b_ura_m(7, 7) - 5.4665) < 1e-12);
}

static bx_b2b_msg_t mk_mask(int iod_ssr, int iodp, int epoch)
{
    bx_b2b_msg_t m;
    memset(&m, 0, sizeof m);
    m.type = 1;
    m.h = (bx_b2b_head_t){epoch, 2, iod_ssr};
    m.u.mt1.iodp = iodp;
    for (int s = 19; s <= 46; s++)
        m.u.mt1.mask[s] = s != 31;
    m.u.mt1.n_sat = 27;
    return m;
}

static void test_store_rules(void **state)
{
    (void)state;
    bx_b2b_store_t *s;
    bx_b2b_cfg_t bad = {0, 1, 1};
    char err[100];
    assert_int_equal(bx_b2b_store_create(&bad, &s, err, sizeof err), BX_ERR_ARG);
    assert_true(strlen(err) > 0);
    assert_int_equal(bx_b2b_store_create(NULL, &s, err, sizeof err), BX_OK);
    bx_b2b_store_destroy(NULL);
    const bx_time_t t0 = bx_time_from_week_sow(910, 86400.0 * 3 + 3600.0); /* sod 3600 */
    bx_b2b_msg_t o;
    memset(&o, 0, sizeof o);
    o.type = 2;
    o.h = (bx_b2b_head_t){3600, 2, 1};
    o.u.mt2.sat[0] = (bx_b2b_orbit_t){25, 7, 3, 0.5, -0.25, 0.125, 1, 3, 2};
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &o), BX_B2B_ADD_NOMASK);
    bx_b2b_msg_t mk = mk_mask(1, 5, 3599);
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &mk), BX_B2B_ADD_OK);
    o.h.iod_ssr = 2;
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &o), BX_B2B_ADD_IODSSR);
    o.h.iod_ssr = 1;
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &o), BX_B2B_ADD_OK);
    bx_b2b_corr_t c;
    assert_int_equal(bx_b2b_store_get(s, 0, 25, t0, &c), BX_B2B_NO_CLOCK);
    assert_int_equal(bx_b2b_store_get(s, 60, 25, t0, &c), BX_B2B_GEO_UNKNOWN);
    /* clock: C25 is the 7th masked satellite (19..24 before it) */
    bx_b2b_msg_t k;
    memset(&k, 0, sizeof k);
    k.type = 4;
    k.h = (bx_b2b_head_t){3602, 2, 1};
    k.u.mt4.iodp = 4;
    k.u.mt4.clk[6] = (bx_b2b_clock_t){0, 3, 0.8, 500, 1};
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &k), BX_B2B_ADD_IODP);
    k.u.mt4.iodp = 5;
    assert_int_equal(bx_b2b_store_resolve(s, 59, &k), BX_OK);
    assert_int_equal(k.u.mt4.clk[6].slot, 25);
    assert_int_equal(k.u.mt4.clk[0].slot, 19);
    assert_int_equal(k.u.mt4.clk[12].slot, 32); /* C31 is not in the mask */
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &k), BX_B2B_ADD_OK);
    const bx_time_t t1 = bx_time_add(t0, 10.0);
    assert_int_equal(bx_b2b_store_get(s, 0, 25, t1, &c), BX_OK);
    assert_int_equal(c.geo_prn, 59);
    assert_int_equal(c.iodn, 7);
    assert_true(c.radial_m == 0.5 && c.along_m == -0.25 && c.cross_m == 0.125 && c.c0_m == 0.8);
    assert_true(bx_time_diff(c.t_clock, t0) == 2.0);
    assert_true(fabs(c.ura_m - (27 * 1.5 - 1) * 1e-3) < 1e-12);
    /* a new clock with another IOD Corr: the previous one (same IOD Corr as the orbit) is used */
    k.h.epoch_s = 3608;
    k.u.mt4.clk[6] = (bx_b2b_clock_t){0, 4, 0.9, 0, 1};
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &k), BX_B2B_ADD_OK);
    assert_int_equal(bx_b2b_store_get(s, 0, 25, t1, &c), BX_OK);
    assert_true(c.c0_m == 0.8);
    /* the orbit with IOD Corr 4 arrives: now the new clock */
    o.h.epoch_s = 3609;
    o.u.mt2.sat[0].iod_corr = 4;
    o.u.mt2.sat[0].radial_m = 0.6;
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &o), BX_B2B_ADD_OK);
    assert_int_equal(bx_b2b_store_get(s, 0, 25, t1, &c), BX_OK);
    assert_true(c.c0_m == 0.9 && c.radial_m == 0.6);
    /* ages: clock 30 s, orbit 180 s (defaults) */
    assert_int_equal(bx_b2b_store_get(s, 0, 25, bx_time_add(t0, 3608 - 3600 + 30.5), &c), BX_B2B_OLD_CLOCK);
    k.h.epoch_s = 3780;
    assert_int_equal(bx_b2b_store_add(s, 59, bx_time_add(t0, 180), &k), BX_B2B_ADD_OK);
    assert_int_equal(bx_b2b_store_get(s, 0, 25, bx_time_add(t0, 9 + 180.5), &c), BX_B2B_OLD_ORBIT);
    /* a new IODP clears the set */
    bx_b2b_msg_t mk2 = mk_mask(1, 6, 3700);
    assert_int_equal(bx_b2b_store_add(s, 59, t0, &mk2), BX_B2B_ADD_OK);
    assert_int_equal(bx_b2b_store_get(s, 0, 25, t1, &c), BX_B2B_NO_ORBIT);
    /* day of the epoch: received just after midnight, epoch 86399 belongs to the day before */
    bx_time_t tm = bx_time_from_week_sow(910, 86400.0 * 4 + 1.0);
    assert_true(bx_time_diff(bx_b2b_epoch_time(86399, tm), tm) == -2.0);
    assert_true(bx_time_diff(bx_b2b_epoch_time(3, tm), tm) == 2.0);
    bx_b2b_store_destroy(s);
}

/* A receiver without a time scale stores messages on day 0 (their epoch of day); once the
 * time is known bx_b2b_store_redate moves them to the real day and they are usable at once
 * (without it the orbit counts as days old until the satellite's next MT2). */
static void test_store_redate(void **state)
{
    (void)state;
    bx_b2b_store_t *s;
    assert_int_equal(bx_b2b_store_create(NULL, &s, NULL, 0), BX_OK);
    bx_b2b_msg_t mk = mk_mask(1, 5, 86390);
    assert_int_equal(bx_b2b_store_add(s, 59, bx_time_make(86390, 0.0), &mk), BX_B2B_ADD_OK);
    bx_b2b_msg_t o;
    memset(&o, 0, sizeof o);
    o.type = 2;
    o.h = (bx_b2b_head_t){86392, 2, 1};
    o.u.mt2.sat[0] = (bx_b2b_orbit_t){25, 7, 3, 0.5, -0.25, 0.125, 1, 3, 2};
    assert_int_equal(bx_b2b_store_add(s, 59, bx_time_make(86392, 0.0), &o), BX_B2B_ADD_OK);
    bx_b2b_msg_t k;
    memset(&k, 0, sizeof k);
    k.type = 4;
    k.h = (bx_b2b_head_t){86398, 2, 1};
    k.u.mt4.iodp = 5;
    k.u.mt4.clk[6] = (bx_b2b_clock_t){0, 3, 0.8, 500, 1};
    assert_int_equal(bx_b2b_store_resolve(s, 59, &k), BX_OK);
    assert_int_equal(bx_b2b_store_add(s, 59, bx_time_make(86398, 0.0), &k), BX_B2B_ADD_OK);
    /* the real time: 2 s after the next midnight (the epochs belong to the day before) */
    const bx_time_t t = bx_time_from_week_sow(910, 86400.0 * 4 + 2.0);
    bx_b2b_corr_t c;
    assert_int_equal(bx_b2b_store_get(s, 59, 25, t, &c), BX_B2B_OLD_ORBIT);
    assert_int_equal(bx_b2b_store_redate(NULL, t), BX_ERR_ARG);
    assert_int_equal(bx_b2b_store_redate(s, bx_time_make(100, 0.0)), BX_ERR_ARG); /* not a real time */
    assert_int_equal(bx_b2b_store_redate(s, t), 24); /* the orbit + the MT4's 23 clock entries */
    assert_int_equal(bx_b2b_store_get(s, 59, 25, t, &c), BX_OK);
    assert_true(bx_time_diff(c.t_orbit, t) == -10.0);
    assert_true(bx_time_diff(c.t_clock, t) == -4.0);
    assert_true(c.c0_m == 0.8 && c.radial_m == 0.5);
    assert_int_equal(bx_b2b_store_redate(s, t), 0); /* real time stamps stay */
    assert_int_equal(bx_b2b_store_get(s, 59, 25, bx_time_add(t, 26.5), &c), BX_B2B_OLD_CLOCK);
    bx_b2b_store_destroy(s);
}

static void test_apply_frame_and_signs(void **state)
{
    (void)state;
    char pn[512];
    if (!testdata_path(pn, sizeof pn, NAV223)) {
        skip();
        return;
    }
    bx_nav_t nav;
    char err[256];
    bx_nav_init(&nav);
    assert_int_equal(bx_rinex_nav_read(pn, &nav, err, sizeof err), BX_OK);
    const bx_eph_t *e = NULL;
    for (int i = 0; i < nav.n_eph && !e; i++)
        if (nav.eph[i].prn == 30 && nav.eph[i].source == BX_SIG_B1C)
            e = &nav.eph[i];
    assert_non_null(e);
    assert_ptr_equal(bx_b2b_find_eph(&nav, 30, e->iodc, e->toe), e);
    assert_null(bx_b2b_find_eph(&nav, 30, (e->iodc + 517) % 1024, e->toe));
    const bx_time_t t = bx_time_add(e->toe, 600.0);
    double r[3], v[3], dt, p[3], dtc;
    assert_int_equal(bx_satpos(e, t, r, v, &dt, NULL), BX_OK);
    bx_b2b_corr_t c;
    memset(&c, 0, sizeof c);
    /* radial +1 m: the corrected position is 1 m closer to the Earth's centre */
    c.radial_m = 1.0;
    c.c0_m = 3.0;
    assert_int_equal(bx_b2b_apply(e, &c, t, p, &dtc, NULL, NULL), BX_OK);
    double rn = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]), pn2 = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    assert_true(fabs((rn - pn2) - 1.0) < 1e-6);
    assert_true(fabs((dt - dtc) * BX_CLIGHT_MPS - 3.0) < 1e-9); /* dt - C0/c */
    /* along +1 m: moves against the velocity (perpendicular to r), cross +1 m: against r x v */
    c = (bx_b2b_corr_t){0};
    c.along_m = 1.0;
    assert_int_equal(bx_b2b_apply(e, &c, t, p, NULL, NULL, NULL), BX_OK);
    double d[3] = {p[0] - r[0], p[1] - r[1], p[2] - r[2]};
    double vn = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    double dv = (d[0] * v[0] + d[1] * v[1] + d[2] * v[2]) / vn;
    assert_true(dv < -0.99 && dv > -1.0 - 1e-9);
    c = (bx_b2b_corr_t){0};
    c.cross_m = 1.0;
    assert_int_equal(bx_b2b_apply(e, &c, t, p, NULL, NULL, NULL), BX_OK);
    double h[3] = {r[1] * v[2] - r[2] * v[1], r[2] * v[0] - r[0] * v[2], r[0] * v[1] - r[1] * v[0]};
    double hn = sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
    double dc = ((p[0] - r[0]) * h[0] + (p[1] - r[1]) * h[1] + (p[2] - r[2]) * h[2]) / hn;
    assert_true(fabs(dc + 1.0) < 1e-9);
    /* code bias lookup */
    c.have_dcb = 1;
    c.dcb.n = 2;
    c.dcb.code[0] = BX_B2B_SIG_B1CP;
    c.dcb.dcb_m[0] = 1.25;
    c.dcb.code[1] = BX_B2B_SIG_B3I;
    c.dcb.dcb_m[1] = 0.0;
    assert_true(bx_b2b_dcb_m(&c, BX_B2B_SIG_B1CP) == 1.25);
    assert_true(isnan(bx_b2b_dcb_m(&c, BX_B2B_SIG_B2AP)));
    bx_nav_destroy(&nav);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all_types),
        cmocka_unit_test(test_store_rules),
        cmocka_unit_test(test_store_redate),
        cmocka_unit_test(test_apply_frame_and_signs),
        cmocka_unit_test(test_qzsl6tool_expected),
        cmocka_unit_test(test_b2b_stream_sync),
        cmocka_unit_test(test_real_consistency),
        cmocka_unit_test(test_cssrlib_hour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
