/* RINEX navigation: real RINEX 3/4 files, field values typed from the files,
 * write -> read round trips, malformed lines with line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/time.h"
#include "testdata.h"

static int rel_eq(double a, double b)
{
    return a == b || fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

static const bx_eph_t *find(const bx_nav_t *n, int prn, int source, bx_time_t toe)
{
    for (int i = 0; i < n->n_eph; i++)
        if (n->eph[i].prn == prn && n->eph[i].source == source && bx_time_cmp(n->eph[i].toe, toe) == 0)
            return &n->eph[i];
    return NULL;
}

/* NAV223.23p (cssrlib-data, RINEX 4.00 from a JAVAD log) lines 103-113:
 * C28 CNV1 of 2023-08-11 19:00 BDT, values typed from the file. */
static void test_cnv1_fields(void **state)
{
    (void)state;
    char p[512], err[256];
    if (!testdata_path(p, sizeof p, "real/cssrlib_pppb2b/doy2023-223/NAV223.23p"))
        skip();
    bx_nav_t n;
    bx_nav_init(&n);
    assert_int_equal(bx_rinex_nav_read(p, &n, err, sizeof err), BX_OK);
    const bx_time_t toe = bx_time_from_civil(2023, 8, 11, 19, 0, 0.0);
    const bx_eph_t *e = find(&n, 28, BX_SIG_B1C, toe);
    assert_non_null(e);
    int wk;
    assert_true(bx_time_to_week_sow(e->toe, &wk) == 500400.0);
    assert_int_equal(wk, 2274 - 1356);
    assert_int_equal(e->week, 918);
    assert_true(e->a0_s == 1.368034281768e-04 && e->a1_s_s == 4.330757974458e-12);
    assert_true(e->Adot_mps == -4.026889801025e-03 && e->crs_m == 1.121328125000e+02);
    assert_true(e->dn0_rad_s == 3.718369170715e-09 && e->M0_rad == -2.250664899124e+00);
    assert_true(e->e == 1.925661345012e-04 && e->cus_rad == 2.757646143436e-06);
    /* A = sqrtA^2 = 5282.638304951^2 ; MEO A_ref 27906100 m (orbit.md §1) */
    assert_true(fabs(e->dA_m - (5.282638304951e+03 * 5.282638304951e+03 - 27906100.0)) < 1e-6);
    assert_true(e->i0_rad == 9.623295192186e-01 && e->Omegadot_rad_s == -6.968325973033e-09);
    assert_true(e->idot_rad_s == 2.362598411707e-10 && e->dn0dot_rad_s2 == 2.541784167924e-14);
    assert_int_equal(e->sat_type, BX_SAT_MEO);
    assert_int_equal(e->sisai_ocb, 27);
    assert_int_equal(e->sisai_oc2, 7);
    assert_true(e->isc_b1cd_s == -6.984919309616e-10 && e->isc_b2ad_s == 0.0);
    assert_true(e->tgd_b1cp_s == -3.143213689327e-09 && e->tgd_b2ap_s == -1.676380634308e-08);
    assert_int_equal(e->iodc, 27);
    assert_int_equal(e->iode, 27);
    assert_int_equal(e->health, 0);
    /* 70 CNV1 records, duplicates (same PRN, t_oe, IODE) merged: 48 distinct
     * (counted with: grep -A9 CNV1 | awk over PRN/toc/IODE) */
    assert_int_equal(n.n_eph, 48);
    assert_int_equal(n.utc.dt_ls_s, 18 - 14); /* header LEAP SECONDS 18 (GPS) */
    bx_nav_destroy(&n);
}

/* Largest position / clock difference between records of different sources
 * (CNV1/CNV2/CNV3/D1) with the same PRN and t_oe, over ±30 min. */
static int cross_check(const bx_nav_t *n, const char *label, double max_pos_m, double max_clk_s)
{
    double worst_pos = 0.0, worst_clk = 0.0;
    int pairs = 0;
    for (int i = 0; i < n->n_eph; i++)
        for (int j = i + 1; j < n->n_eph; j++) {
            const bx_eph_t *a = &n->eph[i], *b = &n->eph[j];
            if (a->prn != b->prn || a->source == BX_EPH_SRC_D2 || b->source == BX_EPH_SRC_D2 ||
                bx_time_cmp(a->toe, b->toe) != 0 || a->source == b->source)
                continue;
            for (double dt = -1800.0; dt <= 1800.0; dt += 900.0) {
                double x[3], y[3], ca, cb;
                const bx_time_t t = bx_time_add(a->toe, dt);
                assert_int_equal(bx_satpos(a, t, x, NULL, &ca, NULL), BX_OK);
                assert_int_equal(bx_satpos(b, t, y, NULL, &cb, NULL), BX_OK);
                worst_pos = fmax(worst_pos, sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) +
                                                 (x[2] - y[2]) * (x[2] - y[2])));
                worst_clk = fmax(worst_clk, fabs(ca - cb));
                pairs++;
            }
        }
    printf("%s: %d cross-source comparisons, max position difference %.3f m, clock %.3f ns\n", label, pairs,
           worst_pos, worst_clk * 1e9);
    assert_true(worst_pos < max_pos_m && worst_clk < max_clk_s);
    return pairs;
}

/* DLR merged RINEX 4.00 of 2023-03-12: CNV2 + D1/D2 + ION/STO records. */
static void test_dlr_brdc(void **state)
{
    (void)state;
    char p[512], err[256];
    if (!testdata_path(p, sizeof p, "real/rinex_bds3_obs/BRD400DLR_S_20230710000_01D_MN.rnx.gz"))
        skip();
    bx_nav_t n;
    bx_nav_init(&n);
    assert_int_equal(bx_rinex_nav_read(p, &n, err, sizeof err), BX_OK);
    int cnt[32] = {0};
    for (int i = 0; i < n.n_eph; i++)
        cnt[n.eph[i].source]++;
    assert_true(cnt[BX_SIG_B1C] > 500 && cnt[BX_SIG_B2A] > 500);
    assert_true(cnt[BX_EPH_SRC_D1] > 500 && cnt[BX_EPH_SRC_D2] > 100);
    /* "> EPH C20 CNV2" 2023-03-12 01:00 (file lines 118198-118208) */
    const bx_eph_t *e = find(&n, 20, BX_SIG_B2A, bx_time_from_civil(2023, 3, 12, 1, 0, 0.0));
    assert_non_null(e);
    assert_true(e->isc_b2ad_s == -2.677552402020e-09 && e->isc_b1cd_s == 0.0);
    assert_true(e->tgd_b1cp_s == 1.961598172784e-08 && e->tgd_b2ap_s == -6.926711648703e-09);
    assert_int_equal(e->iodc, 1);
    assert_int_equal(e->iode, 1);
    assert_true(bx_time_to_week_sow(e->toe, NULL) == 3600.0);
    /* "> EPH C01 D2" 2023-03-12 00:00: AODE 1, week 897, GEO */
    e = find(&n, 1, BX_EPH_SRC_D2, bx_time_from_week_sow(897, 0.0));
    assert_non_null(e);
    assert_int_equal(e->sat_type, BX_SAT_GEO);
    assert_int_equal(e->iode, 1);
    assert_true(e->crs_m == -3.022187500000e+02 && e->Adot_mps == 0.0 && e->dn0dot_rad_s2 == 0.0);
    assert_true(bx_eph_is_legacy(e));
    /* BROADCAST ORBIT 6: TGD1 B1/B3 -5.4 ns, TGD2 B2/B3 -9.7 ns (file line 113593) */
    assert_true(e->tgd_b1i_s == -5.4e-09 && e->tgd_b2i_s == -9.7e-09);
    assert_true(e->tgd_b1cp_s == 0.0 && e->tgd_b2ap_s == 0.0);
    assert_true(fabs(e->dA_m + 42162200.0 - 6.493325918198e+03 * 6.493325918198e+03) < 1e-6);
    /* ION CNVX: the last (latest epoch) record is kept; all alpha1 in the
     * file are 30..40 TECu */
    assert_true(n.iono.valid);
    assert_true(n.iono.alpha_tecu[0] > 30.0 && n.iono.alpha_tecu[0] < 40.0);
    assert_true(n.utc.valid);
    assert_int_equal(n.utc.dt_ls_s, 4);
    assert_true(fabs(n.utc.a0_utc_s) < 1e-7);

    /* every CNV1, CNV2 and D1 record of one PRN and t_oe gives the same orbit
     * (within 0.3 m: D1 vs CNAV) and clock (0.2 ns) over ±30 min, including
     * the records whose SatType column wrongly says GEO */
    int pairs = cross_check(&n, "DLR 2023-03-12", 0.5, 0.3e-9);
    assert_true(pairs > 1000);

    /* selection: nearest healthy, CNAV before D1/D2 */
    const bx_time_t t = bx_time_from_civil(2023, 3, 12, 1, 20, 0.0);
    const bx_eph_t *s = bx_nav_select(&n, 20, t);
    assert_non_null(s);
    assert_true(s->source == BX_SIG_B1C || s->source == BX_SIG_B2A);
    assert_true(bx_time_diff(t, s->toe) == 1200.0);
    s = bx_nav_select_src(&n, 10, t, BX_EPH_SRC_D1);
    assert_non_null(s);
    assert_true(fabs(bx_time_diff(t, s->toe)) <= 1800.0);
    assert_null(bx_nav_select(&n, 20, bx_time_from_civil(2023, 3, 20, 0, 0, 0.0)));
    bx_nav_destroy(&n);
}

/* cssrlib RINEX 4.02 of 2025-08-21: B-CNAV1, B-CNAV2 and B-CNAV3 of the same
 * satellite and t_oe describe the same orbit and clock. */
static void test_cnv123_agree(void **state)
{
    (void)state;
    char p[512], err[256];
    if (!testdata_path(p, sizeof p, "real/cssrlib_pppb2b/doy2025-233/233h_rnx.nav"))
        skip();
    bx_nav_t n;
    bx_nav_init(&n);
    assert_int_equal(bx_rinex_nav_read(p, &n, err, sizeof err), BX_OK);
    int cnt[3] = {0};
    for (int i = 0; i < n.n_eph; i++)
        if (n.eph[i].source < 3)
            cnt[n.eph[i].source]++;
    assert_true(cnt[0] > 10 && cnt[1] > 10 && cnt[2] > 10);
    assert_true(cross_check(&n, "cssrlib 2025-08-21 CNV1/2/3", 0.01, 1e-12) > 100);
    bx_nav_destroy(&n);
}

/* RINEX 3.04 (Septentrio) D1/D2 and RINEX 4 D1/D2 only files. */
static void test_legacy_files(void **state)
{
    (void)state;
    const char *files[] = {"real/cssrlib_pppb2b/doy2023-189/SEPT1890.23P",
                           "real/rinex_bds3_obs/KMS300DNK_R_20221591000_01H_MN.rnx.gz"};
    for (int k = 0; k < 2; k++) {
        char p[512], err[256];
        if (!testdata_path(p, sizeof p, files[k]))
            skip();
        bx_nav_t n;
        bx_nav_init(&n);
        assert_int_equal(bx_rinex_nav_read(p, &n, err, sizeof err), BX_OK);
        int d1 = 0, d2 = 0;
        for (int i = 0; i < n.n_eph; i++) {
            const bx_eph_t *e = &n.eph[i];
            d1 += e->source == BX_EPH_SRC_D1;
            d2 += e->source == BX_EPH_SRC_D2;
            assert_true(e->source != BX_EPH_SRC_D2 || e->prn <= 5 || e->prn >= 59);
            /* every legacy orbit gives a radius of a BDS orbit (MEO 27.9 Mm, GEO/IGSO 42.2 Mm) */
            double x[3];
            assert_int_equal(bx_satpos(e, e->toe, x, NULL, NULL, NULL), BX_OK);
            const double r = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
            assert_true((r > 27.7e6 && r < 28.1e6) || (r > 41.9e6 && r < 42.4e6));
        }
        assert_true(d1 > 20 && d2 > 2);
        bx_nav_destroy(&n);
    }
}

static void assert_eph_equal(const bx_eph_t *a, const bx_eph_t *b)
{
    assert_int_equal(a->prn, b->prn);
    assert_int_equal(a->sat_type, b->sat_type);
    assert_int_equal(a->source, b->source);
    assert_int_equal(a->health, b->health);
    assert_int_equal(a->iode, b->iode);
    assert_int_equal(a->iodc, b->iodc);
    assert_int_equal(a->week, b->week);
    assert_true(bx_time_cmp(a->toe, b->toe) == 0 && bx_time_cmp(a->toc, b->toc) == 0);
    const double va[] = {a->dA_m, a->Adot_mps, a->dn0_rad_s, a->dn0dot_rad_s2, a->M0_rad, a->e, a->omega_rad,
                         a->Omega0_rad, a->i0_rad, a->Omegadot_rad_s, a->idot_rad_s, a->cis_rad, a->cic_rad,
                         a->crs_m, a->crc_m, a->cus_rad, a->cuc_rad, a->a0_s, a->a1_s_s, a->a2_s_s2,
                         a->tgd_b1cp_s, a->tgd_b2ap_s, a->isc_b1cd_s, a->isc_b2ad_s, a->tgd_b2bi_s,
                         a->tgd_b1i_s, a->tgd_b2i_s};
    const double vb[] = {b->dA_m, b->Adot_mps, b->dn0_rad_s, b->dn0dot_rad_s2, b->M0_rad, b->e, b->omega_rad,
                         b->Omega0_rad, b->i0_rad, b->Omegadot_rad_s, b->idot_rad_s, b->cis_rad, b->cic_rad,
                         b->crs_m, b->crc_m, b->cus_rad, b->cuc_rad, b->a0_s, b->a1_s_s, b->a2_s_s2,
                         b->tgd_b1cp_s, b->tgd_b2ap_s, b->isc_b1cd_s, b->isc_b2ad_s, b->tgd_b2bi_s,
                         b->tgd_b1i_s, b->tgd_b2i_s};
    for (size_t k = 0; k < sizeof va / sizeof va[0]; k++) {
        if (k == 0) { /* dA via sqrt(A): absolute 1e-5 m */
            assert_true(fabs(va[0] - vb[0]) < 1e-5);
            continue;
        }
        if (!rel_eq(va[k], vb[k]))
            fail_msg("PRN %d field %zu: %.15g != %.15g", a->prn, k, va[k], vb[k]);
    }
    if (a->source <= BX_SIG_B2B) {
        assert_int_equal(a->sisai_oe, b->sisai_oe);
        assert_int_equal(a->sisai_ocb, b->sisai_ocb);
        assert_int_equal(a->sisai_oc1, b->sisai_oc1);
        assert_int_equal(a->sisai_oc2, b->sisai_oc2);
    }
}

static void round_trip(const bx_nav_t *in)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(bx_rinex_nav_write(f, in), BX_OK);
    rewind(f);
    bx_nav_t out;
    bx_nav_init(&out);
    char err[256] = "";
    const int st = bx_rinex_nav_read_stream(f, "roundtrip", &out, err, sizeof err);
    if (st)
        fail_msg("%s", err);
    fclose(f);
    assert_int_equal(out.n_eph, in->n_eph);
    for (int i = 0; i < in->n_eph; i++)
        assert_eph_equal(&in->eph[i], &out.eph[i]);
    assert_int_equal(out.iono.valid, in->iono.valid);
    for (int k = 0; in->iono.valid && k < 9; k++)
        assert_true(rel_eq(out.iono.alpha_tecu[k], in->iono.alpha_tecu[k]));
    assert_int_equal(out.utc.valid, in->utc.valid);
    assert_int_equal(out.utc.dt_ls_s, in->utc.dt_ls_s);
    if (in->utc.valid) {
        assert_true(rel_eq(out.utc.a0_utc_s, in->utc.a0_utc_s) && rel_eq(out.utc.a1_utc_s_s, in->utc.a1_utc_s_s));
        assert_int_equal(out.utc.t_ot_s, in->utc.t_ot_s);
        assert_int_equal(out.utc.wn_ot, in->utc.wn_ot);
    }
    bx_nav_destroy(&out);
}

/* Real files (CNV1/2/3, D1/D2, ION, STO) read -> write -> read. */
static void test_round_trip_real(void **state)
{
    (void)state;
    const char *files[] = {"real/rinex_bds3_obs/BRD400DLR_S_20230710000_01D_MN.rnx.gz",
                           "real/cssrlib_pppb2b/doy2025-233/233h_rnx.nav",
                           "real/cssrlib_pppb2b/doy2025-178/178a_rnx.nav"};
    for (int k = 0; k < 3; k++) {
        char p[512], err[256];
        if (!testdata_path(p, sizeof p, files[k]))
            skip();
        bx_nav_t n;
        bx_nav_init(&n);
        assert_int_equal(bx_rinex_nav_read(p, &n, err, sizeof err), BX_OK);
        assert_true(n.n_eph > 40);
        round_trip(&n);
        bx_nav_destroy(&n);
    }
}

static double urand(double a, double b)
{
    return a + (b - a) * ((double)rand() / RAND_MAX);
}

/* Random ephemerides with full-precision values: the written file keeps 13
 * significant digits, so read-back must agree to 1e-12 relative. */
static void test_round_trip_random(void **state)
{
    (void)state;
    srand(7);
    bx_nav_t n;
    bx_nav_init(&n);
    for (int i = 0; i < 200; i++) {
        bx_eph_t e;
        memset(&e, 0, sizeof e);
        const int kind = i % 5;
        /* GEO PRNs (1-5, 59-63) only in D2 records: the reader derives GEO from the PRN */
        e.prn = (uint8_t)(kind == 4 ? 1 + i % 5 : 6 + i % 53);
        e.source = kind < 3 ? (uint8_t)kind : (kind == 3 ? BX_EPH_SRC_D1 : BX_EPH_SRC_D2);
        e.sat_type = kind == 4 ? BX_SAT_GEO : (uint8_t)(2 + i % 2);
        e.health = (uint8_t)(i % 7 == 0);
        e.iode = kind == 2 ? -1 : i % 256;
        e.iodc = kind == 2 ? -1 : (kind < 3 ? i % 1024 : i % 32);
        e.toe = bx_time_from_week_sow(900 + i % 3, 300.0 * (rand() % 2016));
        e.toc = e.toe;
        bx_time_to_week_sow(e.toe, &e.week);
        e.dA_m = urand(-2e4, 2e4);
        if (kind < 3) {
            e.Adot_mps = urand(-1, 1) * 1e-2;
            e.dn0dot_rad_s2 = urand(-1, 1) * 1e-13;
            e.sisai_oe = i % 32;
            e.sisai_ocb = (i + 3) % 32;
            e.sisai_oc1 = i % 8;
            e.sisai_oc2 = (i + 1) % 8;
        } else {
            e.sisai_oe = e.sisai_ocb = e.sisai_oc1 = e.sisai_oc2 = -1;
        }
        e.dn0_rad_s = urand(-1, 1) * 5e-9;
        e.M0_rad = urand(-M_PI, M_PI);
        e.e = urand(0, 0.01);
        e.omega_rad = urand(-M_PI, M_PI);
        e.Omega0_rad = urand(-M_PI, M_PI);
        e.i0_rad = urand(0, 1);
        e.Omegadot_rad_s = urand(-1, 1) * 1e-8;
        e.idot_rad_s = urand(-1, 1) * 1e-9;
        e.cis_rad = urand(-1, 1) * 1e-7;
        e.cic_rad = urand(-1, 1) * 1e-7;
        e.crs_m = urand(-500, 500);
        e.crc_m = urand(-500, 500);
        e.cus_rad = urand(-1, 1) * 1e-5;
        e.cuc_rad = urand(-1, 1) * 1e-5;
        e.a0_s = urand(-1, 1) * 1e-3;
        e.a1_s_s = urand(-1, 1) * 1e-10;
        e.a2_s_s2 = urand(-1, 1) * 1e-19;
        if (kind == 0) {
            e.isc_b1cd_s = urand(-1, 1) * 1e-9;
        } else if (kind == 1) {
            e.isc_b2ad_s = urand(-1, 1) * 1e-9;
        }
        if (kind < 2) {
            e.tgd_b1cp_s = urand(-1, 1) * 1e-8;
            e.tgd_b2ap_s = urand(-1, 1) * 1e-8;
        } else if (kind == 2) {
            e.tgd_b2bi_s = urand(-1, 1) * 1e-8;
        } else { /* D1/D2: TGD1, TGD2 */
            e.tgd_b1i_s = urand(-1, 1) * 1e-8;
            e.tgd_b2i_s = urand(-1, 1) * 1e-8;
        }
        assert_int_equal(bx_nav_add(&n, &e), BX_OK);
    }
    n.iono.valid = 1;
    for (int k = 0; k < 9; k++)
        n.iono.alpha_tecu[k] = urand(-20, 40);
    n.utc.valid = 1;
    n.utc.dt_ls_s = 4;
    n.utc.a0_utc_s = 1.2345678901e-9;
    n.utc.a1_utc_s_s = -3.1e-15;
    n.utc.wn_ot = 901;
    n.utc.t_ot_s = 14 * 16 * 1000;
    round_trip(&n);
    bx_nav_destroy(&n);
}

/* Malformed input: the error names the file and the line. */
static void expect_error(const char *text, const char *needle)
{
    FILE *f = tmpfile();
    fputs(text, f);
    rewind(f);
    bx_nav_t n;
    bx_nav_init(&n);
    char err[256] = "";
    const int st = bx_rinex_nav_read_stream(f, "bad.rnx", &n, err, sizeof err);
    fclose(f);
    bx_nav_destroy(&n);
    if (st != BX_ERR_FORMAT || !strstr(err, needle))
        fail_msg("status %d, message '%s', expected '%s'", st, err, needle);
}

#define HDR4                                                                                                   \
    "     4.00           NAVIGATION DATA     M                   RINEX VERSION / TYPE\n"                        \
    "                                                            END OF HEADER\n"

#define CNV1_OK                                                                                                \
    "> EPH C28 CNV1\n"                                                                                         \
    "C28 2023  8 11 19  0  0 1.368034281768e-04 4.330757974458e-12 0.000000000000e+00\n"                      \
    "    -4.026889801025e-03 1.121328125000e+02 3.718369170715e-09-2.250664899124e+00\n"                      \
    "     5.438923835754e-06 1.925661345012e-04 2.757646143436e-06 5.282638304951e+03\n"                      \
    "     5.004000000000e+05-3.445893526077e-08 4.189444567068e-01-5.029141902924e-08\n"                      \
    "     9.623295192186e-01 3.064765625000e+02-2.722251632707e+00-6.968325973033e-09\n"                      \
    "     2.362598411707e-10 2.541784167924e-14 3.000000000000e+00 0.000000000000e+00\n"                      \
    "     0.000000000000e+00 2.700000000000e+01 0.000000000000e+00 7.000000000000e+00\n"                      \
    "    -6.984919309616e-10                   -3.143213689327e-09-1.676380634308e-08\n"                      \
    "     1.000000000000e+00 0.000000000000e+00 0.000000000000e+00 2.700000000000e+01\n"                      \
    "     5.039820000000e+05                                       2.700000000000e+01\n"

static void test_malformed(void **state)
{
    (void)state;
    /* sanity: the good record parses */
    FILE *f = tmpfile();
    fputs(HDR4 CNV1_OK, f);
    rewind(f);
    bx_nav_t n;
    bx_nav_init(&n);
    char err[256];
    assert_int_equal(bx_rinex_nav_read_stream(f, "ok.rnx", &n, err, sizeof err), BX_OK);
    assert_int_equal(n.n_eph, 1);
    bx_nav_destroy(&n);
    fclose(f);

    expect_error("garbage\n", "bad.rnx:1: not a RINEX file");
    expect_error("     2.11           N: GPS NAV DATA                         RINEX VERSION / TYPE\n", "bad.rnx:1:");
    expect_error(HDR4 "> EPH C28 CNV1\n"
                      "C28 2023  8 11 19  0  0 1.368034281768e-04 4.3307579x4458e-12 0.000000000000e+00\n",
                 "bad.rnx:4: columns 43-61");
    expect_error(HDR4 "> EPH C28 CNV1\n"
                      "C28 2023 13 11 19  0  0 1.368034281768e-04 4.330757974458e-12 0.000000000000e+00\n",
                 "bad.rnx:4: bad epoch");
    /* record cut after orbit line 5 (file line 9) */
    char cut[4096];
    snprintf(cut, sizeof cut, "%s%.*s", HDR4, 15 + 6 * 81, CNV1_OK);
    expect_error(cut, "bad.rnx:9: record ends after 6 lines");
    /* SatType 5 on orbit line 5 = file line 9 */
    char bad[4096];
    snprintf(bad, sizeof bad, "%s%s", HDR4, CNV1_OK);
    char *p = strstr(bad, " 3.000000000000e+00 0.0");
    p[1] = '5';
    expect_error(bad, "bad.rnx:9: SatType 5");
    /* eccentricity out of range */
    snprintf(bad, sizeof bad, "%s%s", HDR4, CNV1_OK);
    p = strstr(bad, " 1.925661345012e-04");
    memcpy(p, " 1.925661345012e+04", 19);
    expect_error(bad, "bad.rnx:6: implausible orbit");
    /* sqrtA fitting neither reference axis within the ΔA range */
    snprintf(bad, sizeof bad, "%s%s", HDR4, CNV1_OK);
    p = strstr(bad, " 5.282638304951e+03");
    memcpy(p, " 5.182638304951e+03", 19);
    expect_error(bad, "bad.rnx:6: A = sqrtA^2 = 26859740 m");
    expect_error(HDR4 "     1.0 2.0\n", "bad.rnx:3: continuation line outside a record");
    expect_error("     4.00           NAVIGATION DATA     M                   RINEX VERSION / TYPE\n",
                 "end of file before END OF HEADER");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cnv1_fields),     cmocka_unit_test(test_dlr_brdc),
        cmocka_unit_test(test_legacy_files),    cmocka_unit_test(test_round_trip_real),
        cmocka_unit_test(test_cnv123_agree),
        cmocka_unit_test(test_round_trip_random), cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
