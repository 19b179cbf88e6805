/* RTK against independent programs and through the command line:
 *  - simulated base + rover RINEX (written by bdsrx) and the real Nagoya pair through RTKLIB
 *    2.4.3 rnx2rtkp beside bdsrx (fixes, means, epoch-by-epoch differences);
 *  - `bdsrx rtk` outputs read back by RTKLIB pos2kml, gpsd (gpsfake) and jansson;
 *  - an RTCM 3 base (bdsrx's MSM7 + 1005 encoding of the Nagoya base) against the RINEX base,
 *    damaged, and through RTKLIB str2str as NTRIP caster; a real RTCM log as zero baseline.
 * Skips parts whose programs (Debian rtklib, gpsd-clients) are missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/rtk.h"
#include "bdsrx/time.h"
#include "rtk_sim.h"
#include "testutil.h"
#include "bdsrx/rtk_base.h"

#define D2R (M_PI / 180.0)

/* ------------------------------------------------- against RTKLIB rnx2rtkp */

/* Simulated base + rover (static rover, 4-6 km, B1I + B2I, real ephemerides)
 * written as RINEX 3.05 by bdsrx's writer, processed by RTKLIB 2.4.3
 * rnx2rtkp (Debian rtklib) and by bdsrx: both must fix, and agree with the
 * truth and with each other within centimetres. */
static int read_rtklib_pos(const char *path, double *lat, double *lon, double *h, int *q, int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        if (line[0] == '%')
            continue;
        char d[16], t[16];
        if (sscanf(line, "%15s %15s %lf %lf %lf %d", d, t, &lat[n], &lon[n], &h[n], &q[n]) == 6)
            n++;
    }
    fclose(f);
    return n;
}

static void test_vs_rnx2rtkp(void **state)
{
    (void)state;
    if (!tu_have("rnx2rtkp")) {
        printf("SKIP: rnx2rtkp (Debian package rtklib) not installed\n");
        skip();
    }
    bx_nav_t nav;
    char navp[512];
    if (load_nav(&nav) || !testdata_path(navp, sizeof navp, NAGOYA "base.nav"))
        skip();
    char dir[] = "/tmp/bdsrx_rtk_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char pb[300], pr[300], pp[300];
    snprintf(pb, sizeof pb, "%s/base.obs", dir);
    snprintf(pr, sizeof pr, "%s/rover.obs", dir);
    snprintf(pp, sizeof pp, "%s/rtklib.pos", dir);
    sim_cfg_t sc;
    sim_default(&sc, BX_SIG_B1I, BX_SIG_B2I);
    sc.baseline_enu[0] = 3000.0;
    sc.baseline_enu[1] = -4000.0;
    sc.baseline_enu[2] = 5.0;
    sim_t s;
    sim_init(&s, &sc, &nav, 4242);
    const bx_time_t t0 = bx_time_gpst_to_bdt(bx_time_from_civil(2024, 6, 24, 8, 5, 0.0));
    bx_rinex_obs_header_t hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.version = 3.05;
    snprintf(hdr.time_sys, sizeof hdr.time_sys, "GPS"); /* RTKLIB 2.4.3 reads every tag as GPST */
    static const char *const types[] = {"C2I", "L2I", "D2I", "S2I", "C7I", "L7I", "D7I", "S7I"};
    hdr.n_types = 8;
    for (int i = 0; i < 8; i++)
        snprintf(hdr.types[i], 4, "%s", types[i]);
    hdr.interval_s = 1.0;
    double truth[3], v[3];
    sim_rover(&s, 0.0, truth, v);
    FILE *fb = fopen(pb, "w"), *fr = fopen(pr, "w");
    assert_true(fb && fr);
    snprintf(hdr.marker, sizeof hdr.marker, "SIMBASE");
    memcpy(hdr.approx_pos_m, s.base, sizeof s.base);
    assert_int_equal(bx_rinex_obs_write_header(fb, &hdr, t0), 0);
    snprintf(hdr.marker, sizeof hdr.marker, "SIMROVER");
    memcpy(hdr.approx_pos_m, truth, sizeof truth);
    assert_int_equal(bx_rinex_obs_write_header(fr, &hdr, t0), 0);
    const int N = 120;
    static bx_obs_t bo, ro;
    /* bdsrx on the same epochs as written (the RINEX round trip keeps 1 mm / 0.001 cycle) */
    bx_rtk_config_t c;
    bx_rtk_config_default(&c);
    c.mode = BX_RTK_KINEMATIC;
    c.n_sig = 2;
    c.sig[0] = BX_SIG_B1I;
    c.sig[1] = BX_SIG_B2I;
    memcpy(c.base_pos_m, s.base, sizeof s.base);
    bx_rtk_t *rtk;
    assert_int_equal(bx_rtk_create(&c, &rtk, NULL, 0), 0);
    static double blat[200], blon[200];
    static int bq[200];
    for (int k = 0; k < N; k++) {
        sim_epoch(&s, t0, (double)k, &bo, &ro);
        assert_int_equal(bx_rinex_obs_write_epoch(fb, &hdr, &bo), 0);
        assert_int_equal(bx_rinex_obs_write_epoch(fr, &hdr, &ro), 0);
        bx_rtk_sol_t sol;
        assert_int_equal(bx_rtk_process(rtk, &bo, &ro, &nav, &sol), 0);
        blat[k] = sol.sol.llh[0];
        blon[k] = sol.sol.llh[1];
        bq[k] = sol.sol.fix;
    }
    fclose(fb);
    fclose(fr);
    bx_rtk_destroy(rtk);
    char rx[32], ry[32], rz[32];
    snprintf(rx, sizeof rx, "%.4f", s.base[0]);
    snprintf(ry, sizeof ry, "%.4f", s.base[1]);
    snprintf(rz, sizeof rz, "%.4f", s.base[2]);
    tu_result_t tr;
    assert_int_equal(tu_runl(&tr, NULL, "rnx2rtkp", "-p", "2", "-f", "2", "-sys", "C", "-m", "15", "-r", rx, ry, rz,
                             "-o", pp, pr, pb, navp, NULL),
                     0);
    tu_result_free(&tr);
    static double lat[400], lon[400], h[400];
    static int q[400];
    const int n = read_rtklib_pos(pp, lat, lon, h, q, 400);
    double tllh[3];
    bx_ecef_to_llh(truth, tllh);
    int rfix = 0, bfix = 0;
    double rmax = 0.0, bmax = 0.0, dmax = 0.0;
    for (int k = 0; k < n; k++) {
        if (q[k] != 1)
            continue;
        rfix++;
        const double dn = (lat[k] * D2R - tllh[0]) * 6371e3, de = (lon[k] * D2R - tllh[1]) * 6371e3 * cos(tllh[0]);
        rmax = fmax(rmax, hypot(dn, de));
    }
    for (int k = 0; k < N; k++) {
        if (bq[k] != BX_FIX_FIXED)
            continue;
        bfix++;
        const double dn = (blat[k] - tllh[0]) * 6371e3, de = (blon[k] - tllh[1]) * 6371e3 * cos(tllh[0]);
        bmax = fmax(bmax, hypot(dn, de));
        if (k < n && q[k] == 1) {
            const double ddn = (blat[k] - lat[k] * D2R) * 6371e3,
                         dde = (blon[k] - lon[k] * D2R) * 6371e3 * cos(tllh[0]);
            dmax = fmax(dmax, hypot(ddn, dde));
        }
    }
    if (getenv("RTK_KEEP"))
        printf("files kept in %s\n", dir);
    printf("NOTE: simulated 5 km static rover, B1I+B2I RINEX written by bdsrx, %d epochs: RTKLIB rnx2rtkp %d fixed "
           "(max horizontal error %.4f m), bdsrx %d fixed (max %.4f m); bdsrx - RTKLIB max %.4f m horizontally\n",
           N, rfix, rmax, bfix, bmax, dmax);
    assert_int_equal(n, N);
    assert_true(rfix >= 0.9 * N && bfix >= 0.95 * N);
    assert_true(rmax < 0.03 && bmax < 0.02 && dmax < 0.03);
    bx_nav_destroy(&nav);
    if (!getenv("RTK_KEEP"))
        assert_int_equal(tu_rmtree(dir), 0);
}

/* The real Nagoya pair through RTKLIB 2.4.3 (the command of the folder's
 * README) and through bdsrx, kinematic: fixed counts and the mean of the fixed
 * positions against the published rover position side by side, and the
 * epoch-by-epoch difference of the two programs. */
static void test_nagoya_vs_rnx2rtkp(void **state)
{
    (void)state;
    if (!tu_have("rnx2rtkp")) {
        printf("SKIP: rnx2rtkp (Debian package rtklib) not installed\n");
        skip();
    }
    char pr[512], pb[512], pn[512];
    bx_nav_t nav;
    if (load_nav(&nav) || !testdata_path(pr, sizeof pr, NAGOYA "rover.obs.gz") ||
        !testdata_path(pb, sizeof pb, NAGOYA "base.obs.gz") || !testdata_path(pn, sizeof pn, NAGOYA "base.nav"))
        skip();
    char dir[] = "/tmp/bdsrx_rtkn_XXXXXX", pp[300], rof[320], bof[320];
    assert_non_null(mkdtemp(dir));
    snprintf(pp, sizeof pp, "%s/rtklib.pos", dir);
    snprintf(rof, sizeof rof, "%s/r.obs", dir);
    snprintf(bof, sizeof bof, "%s/b.obs", dir);
    tu_result_t tr;
    const tu_opts_t to_r = {.stdout_path = rof}, to_b = {.stdout_path = bof};
    int rc = tu_runl(&tr, &to_r, "gzip", "-dc", pr, NULL);
    tu_result_free(&tr);
    if (rc == 0)
        rc = tu_runl(&tr, &to_b, "gzip", "-dc", pb, NULL), tu_result_free(&tr);
    if (rc == 0)
        rc = tu_runl(&tr, NULL, "rnx2rtkp", "-p", "2", "-f", "3", "-sys", "C", "-m", "15", "-l", "35.134707705",
                     "136.977577939", "104.853", "-o", pp, rof, bof, pn, NULL),
        tu_result_free(&tr);
    static double lat[400], lon[400], h[400];
    static int q[400];
    const int n = rc == 0 ? read_rtklib_pos(pp, lat, lon, h, q, 400) : -1;
    assert_int_equal(tu_rmtree(dir), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 301);
    const double bllh[3] = {35.134707705 * D2R, 136.977577939 * D2R, 104.853};
    const double rllh[3] = {35.13469901 * D2R, 136.97757549 * D2R, 104.8626};
    bx_rtk_config_t c;
    bx_rtk_config_default(&c);
    bx_llh_to_ecef(bllh, c.base_pos_m);
    bx_rtk_t *rtk;
    assert_int_equal(bx_rtk_create(&c, &rtk, NULL, 0), 0);
    bx_rinex_obs_reader_t *rr, *br;
    assert_int_equal(bx_rinex_obs_open(pr, &rr, NULL, 0), 0);
    assert_int_equal(bx_rinex_obs_open(pb, &br, NULL, 0), 0);
    const unsigned legacy = (1u << BX_SIG_B1I) | (1u << BX_SIG_B2I) | (1u << BX_SIG_B3I);
    bx_rinex_obs_set_signals(rr, legacy);
    bx_rinex_obs_set_signals(br, legacy);
    static bx_obs_t ro, bo;
    const double kn = 6378137.0, ke = 6378137.0 * cos(rllh[0]);
    int k = 0, bfix = 0, rfix = 0, both = 0;
    double bm[3] = {0, 0, 0}, rm[3] = {0, 0, 0}, dmax = 0.0;
    while (bx_rinex_obs_read(rr, &ro) == BX_OK && bx_rinex_obs_read(br, &bo) == BX_OK && k < n) {
        bx_rtk_sol_t sol;
        assert_int_equal(bx_rtk_process(rtk, &bo, &ro, &nav, &sol), 0);
        const double be = (sol.sol.llh[1] - rllh[1]) * ke, bn = (sol.sol.llh[0] - rllh[0]) * kn;
        const double re = (lon[k] * D2R - rllh[1]) * ke, rn = (lat[k] * D2R - rllh[0]) * kn;
        if (sol.sol.fix == BX_FIX_FIXED) {
            bfix++;
            bm[0] += be, bm[1] += bn, bm[2] += sol.sol.llh[2] - rllh[2];
        }
        if (q[k] == 1) {
            rfix++;
            rm[0] += re, rm[1] += rn, rm[2] += h[k] - rllh[2];
        }
        if (sol.sol.fix == BX_FIX_FIXED && q[k] == 1) {
            both++;
            dmax = fmax(dmax, hypot(be - re, bn - rn));
        }
        k++;
    }
    bx_rinex_obs_destroy(rr);
    bx_rinex_obs_destroy(br);
    bx_rtk_destroy(rtk);
    printf("NOTE: Nagoya, kinematic, vs the published rover position: bdsrx %d/%d fixed, mean E %.4f N %.4f U %.4f m; "
           "RTKLIB 2.4.3 rnx2rtkp -p 2 -f 3 -sys C -m 15: %d/%d fixed, mean E %.4f N %.4f U %.4f m; epochs fixed by "
           "both %d, largest horizontal difference %.4f m\n",
           bfix, k, bm[0] / bfix, bm[1] / bfix, bm[2] / bfix, rfix, k, rm[0] / rfix, rm[1] / rfix, rm[2] / rfix, both,
           dmax);
    assert_int_equal(k, 301);
    assert_true(bfix >= 0.99 * k && rfix >= 0.99 * k);
    assert_true(dmax < 0.01);
    bx_nav_destroy(&nav);
}

/* `bdsrx rtk` on the Nagoya pair with every output, read back by independent programs:
 * RTKLIB pos2kml reads the .pos (fix / float placemarks), gpsd (through gpsfake) reads the
 * NMEA and reports RTK fixed (status 3) / float (4), jansson parses every JSON line. */
static void test_cli_outputs(void **state)
{
    (void)state;
    char bin[256], pr[512], pb[512], pn[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bin/bdsrx not built\n");
        skip();
    }
    if (!testdata_path(pr, sizeof pr, NAGOYA "rover.obs.gz") || !testdata_path(pb, sizeof pb, NAGOYA "base.obs.gz") ||
        !testdata_path(pn, sizeof pn, NAGOYA "base.nav"))
        skip();
    char dir[] = "/tmp/bdsrx_rtkc_XXXXXX", fpos[300], fnmea[300], fjson[300], fkml[300], fshort[300];
    assert_non_null(mkdtemp(dir));
    snprintf(fpos, sizeof fpos, "%s/r.pos", dir);
    snprintf(fnmea, sizeof fnmea, "%s/r.nmea", dir);
    snprintf(fjson, sizeof fjson, "%s/r.json", dir);
    snprintf(fkml, sizeof fkml, "%s/r.kml", dir);
    snprintf(fshort, sizeof fshort, "%s/s.nmea", dir);
    char jarg[320];
    snprintf(jarg, sizeof jarg, "--json=%s", fjson);
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, bin, "rtk", "--rover", pr, "--base", pb, "--nav", pn, "--base-pos",
                             "35.134707705,136.977577939,104.853", "--ref", "35.13469901,136.97757549,104.8626",
                             "--pos", fpos, "--nmea", fnmea, jarg, "--summary-only", NULL),
                     0);
    printf("NOTE: bdsrx rtk: %s", r.err);
    int n_ep = 0, n_fixed = 0;
    const char *sm = strstr(r.err, "rtk: ");
    assert_non_null(sm);
    assert_int_equal(sscanf(sm, "rtk: %d epochs: %d fixed", &n_ep, &n_fixed), 2);
    assert_int_equal(n_ep, 301);
    assert_true(n_fixed >= 298);
    tu_result_free(&r);
    /* JSON lines */
    FILE *f = fopen(fjson, "r");
    assert_non_null(f);
    char line[65536];
    int nj = 0, nfix = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        assert_non_null(j);
        nj++;
        const char *fx = json_string_value(json_object_get(j, "fix"));
        assert_non_null(fx);
        if (!strcmp(fx, "fixed")) {
            nfix++;
            const double bl = json_real_value(json_object_get(j, "baseline_m"));
            assert_true(fabs(bl - 0.99) < 0.02); /* README: baseline 0.99 m */
        }
        json_decref(j);
    }
    fclose(f);
    assert_int_equal(nj, 301);
    assert_int_equal(nfix, n_fixed);
    /* .pos through RTKLIB pos2kml */
    if (tu_have("pos2kml")) {
        assert_int_equal(tu_runl(&r, NULL, "pos2kml", "-o", fkml, fpos, NULL), 0);
        tu_result_free(&r);
        f = fopen(fkml, "r");
        assert_non_null(f);
        int p1 = 0, p2 = 0;
        while (fgets(line, sizeof line, f)) {
            p1 += strstr(line, "<styleUrl>#P1<") != NULL;
            p2 += strstr(line, "<styleUrl>#P2<") != NULL;
        }
        fclose(f);
        printf("NOTE: RTKLIB pos2kml on bdsrx's .pos: %d fixed, %d float placemarks\n", p1, p2);
        assert_int_equal(p1, n_fixed);
        assert_int_equal(p2, 301 - n_fixed); /* the others are float */
    } else {
        printf("SKIP (part): pos2kml (Debian rtklib) not installed\n");
    }
    /* NMEA through gpsd (gpsfake, first 10 epochs) */
    if (tu_have("gpsfake")) {
        f = fopen(fnmea, "r");
        FILE *o = fopen(fshort, "w");
        assert_true(f && o);
        for (int i = 0; i < 20 && fgets(line, sizeof line, f); i++)
            fputs(line, o);
        fclose(f);
        fclose(o);
        const int gst = tu_runl(&r, NULL, "gpsfake", "-1", "-p", "-c", "0.005", "-q", fshort, NULL);
        if (gst != 0)
            print_error("gpsfake exit %d; output:\n%s\nstderr:\n%s\n", gst, r.out, r.err);
        assert_int_equal(gst, 0);
        int n3 = 0, n4 = 0;
        for (const char *p = r.out; (p = strstr(p, "\"status\":3")) != NULL; p++)
            n3++;
        for (const char *p = r.out; (p = strstr(p, "\"status\":4")) != NULL; p++)
            n4++;
        printf("NOTE: gpsd (gpsfake) on bdsrx's GGA/RMC (10 epochs): %d TPV reports with status 3 (RTK fixed), %d "
               "with status 4 (RTK float)\n",
               n3, n4);
        assert_true(n3 >= 7);
        tu_result_free(&r);
    } else {
        printf("SKIP (part): gpsfake (Debian gpsd-clients) not installed\n");
    }
    tu_rmtree(dir);
}

/* RTCM 3 base: the Nagoya base RINEX encoded as BDS MSM7 + 1005 by bdsrx's encoder, given to
 * `bdsrx rtk --base FILE.rtcm3` without --base-pos (the station message supplies it): the same
 * fixes and positions (within 1 mm) as with the RINEX base and the published base position. */
/* The Nagoya base RINEX as an RTCM 3 file: a 1005 every 10 s and BDS MSM7 epochs (bdsrx's
 * encoder).  With offs/noff, the byte offset where each epoch starts (a feeder paces by them);
 * extra_epoch appends the last epoch again 1 s later (it ends a stream reader's wait). */
static void write_nagoya_rtcm(const char *pb, const char *frt, long *offs, int *noff, int extra_epoch)
{
    const double bllh[3] = {35.134707705 * D2R, 136.977577939 * D2R, 104.853};
    double bpos[3];
    bx_llh_to_ecef(bllh, bpos);
    bx_rinex_obs_reader_t *br;
    assert_int_equal(bx_rinex_obs_open(pb, &br, NULL, 0), 0);
    bx_rinex_obs_set_signals(br, (1u << BX_SIG_B1I) | (1u << BX_SIG_B2I) | (1u << BX_SIG_B3I));
    FILE *f = fopen(frt, "wb");
    assert_non_null(f);
    static bx_obs_t bo, last;
    static uint8_t pay[1100], fr[1200], ep[16384];
    int k = 0;
    while (bx_rinex_obs_read(br, &bo) == BX_OK) {
        if (k % 10 == 0) { /* station message every 10 s, as casters send it */
            const int n = bx_rtcm3_encode_station(1, bpos, -1.0, pay, sizeof pay);
            assert_true(n > 0);
            const int m = bx_rtcm3_frame(pay, (size_t)n, fr, sizeof fr);
            assert_true(m > 0);
            fwrite(fr, 1, (size_t)m, f);
        }
        for (int i = 0; i < bo.n; i++)
            bo.d[i].lock_s = k + 10.0; /* continuous lock (RINEX has no lock time) */
        if (offs && k < 400)
            offs[k] = ftell(f);
        const int n = bx_rtcm3_encode_epoch_bds(&bo, 1, ep, sizeof ep);
        assert_true(n > 0);
        fwrite(ep, 1, (size_t)n, f);
        last = bo;
        k++;
    }
    if (extra_epoch) {
        if (offs && k < 400)
            offs[k++] = ftell(f);
        last.time = bx_time_add(last.time, 1.0);
        const int n = bx_rtcm3_encode_epoch_bds(&last, 1, ep, sizeof ep);
        assert_true(n > 0);
        fwrite(ep, 1, (size_t)n, f);
    }
    fclose(f);
    bx_rinex_obs_destroy(br);
    if (noff)
        *noff = k < 400 ? k : 400; /* with extra_epoch: it is the last one */
}

static double json_num(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? atof(p + strlen(key)) : NAN;
}

static void test_rtcm_base(void **state)
{
    (void)state;
    char bin[256], pr[512], pb[512], pn[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bin/bdsrx not built\n");
        skip();
    }
    if (!testdata_path(pr, sizeof pr, NAGOYA "rover.obs.gz") || !testdata_path(pb, sizeof pb, NAGOYA "base.obs.gz") ||
        !testdata_path(pn, sizeof pn, NAGOYA "base.nav"))
        skip();
    char dir[] = "/tmp/bdsrx_rtkm_XXXXXX", frt[300], j1[320], j2[320];
    assert_non_null(mkdtemp(dir));
    snprintf(frt, sizeof frt, "%s/base.rtcm3", dir);
    snprintf(j1, sizeof j1, "--json=%s/a.json", dir);
    snprintf(j2, sizeof j2, "--json=%s/b.json", dir);
    write_nagoya_rtcm(pb, frt, NULL, NULL, 0);
    FILE *f;
    tu_result_t r;
    assert_int_equal(tu_runl(&r, NULL, bin, "rtk", "--rover", pr, "--base", pb, "--nav", pn, "--base-pos",
                             "35.134707705,136.977577939,104.853", j1, "--summary-only", NULL),
                     0);
    tu_result_free(&r);
    assert_int_equal(tu_runl(&r, NULL, bin, "rtk", "--rover", pr, "--base", frt, "--nav", pn, j2, "--summary-only",
                             NULL),
                     0);
    printf("NOTE: RTCM base: %s", r.err);
    assert_non_null(strstr(r.err, "RTCM 1005/1006"));
    tu_result_free(&r);
    snprintf(frt, sizeof frt, "%s/a.json", dir);
    FILE *fa = fopen(frt, "r");
    snprintf(frt, sizeof frt, "%s/b.json", dir);
    FILE *fb = fopen(frt, "r");
    assert_true(fa && fb);
    static char la[65536], lb[65536];
    int n = 0, fixa = 0, fixb = 0;
    double dmax = 0.0;
    while (fgets(la, sizeof la, fa) && fgets(lb, sizeof lb, fb)) {
        n++;
        fixa += strstr(la, "\"fix\":\"fixed\"") != NULL;
        fixb += strstr(lb, "\"fix\":\"fixed\"") != NULL;
        const double dl = (json_num(la, "\"lat_deg\":") - json_num(lb, "\"lat_deg\":")) * D2R * 6378137.0;
        const double dn = (json_num(la, "\"lon_deg\":") - json_num(lb, "\"lon_deg\":")) * D2R * 6378137.0 * 0.818;
        dmax = fmax(dmax, hypot(dl, dn));
    }
    fclose(fa);
    fclose(fb);
    printf("NOTE: RTCM 3 base vs RINEX base: %d epochs, fixed %d / %d, largest horizontal difference %.4f m\n", n,
           fixb, fixa, dmax);
    assert_int_equal(n, 301);
    assert_int_equal(fixa, fixb);
    assert_true(dmax < 0.001);
    /* the same stream damaged (a byte flipped every 3000, cut at 60 %): frames with bad CRCs are
     * skipped, the run completes; after the cut the base is too old and the rover falls back
     * to its single-point fix with a message */
    snprintf(frt, sizeof frt, "%s/base.rtcm3", dir);
    f = fopen(frt, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    const long len = ftell(f);
    rewind(f);
    uint8_t *buf = malloc((size_t)len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    for (long i = 1500; i < len; i += 3000)
        buf[i] ^= 0x5a;
    char fbad[320];
    snprintf(fbad, sizeof fbad, "%s/bad.rtcm3", dir);
    f = fopen(fbad, "wb");
    assert_non_null(f);
    fwrite(buf, 1, (size_t)(len * 6 / 10), f);
    fclose(f);
    free(buf);
    assert_int_equal(tu_runl(&r, NULL, bin, "rtk", "--rover", pr, "--base", fbad, "--nav", pn, "--summary-only",
                             NULL),
                     0);
    int nep = 0, fx = 0, fl = 0, sp = 0;
    int got = 0;
    for (const char *sm = r.err; (sm = strstr(sm, "rtk: ")) != NULL && got != 4; sm++)
        got = sscanf(sm, "rtk: %d epochs: %d fixed (%*f %%), %d float, %d single", &nep, &fx, &fl, &sp);
    assert_int_equal(got, 4);
    printf("NOTE: damaged RTCM base (flipped bytes, cut at 60 %%): %d epochs, %d fixed, %d float, %d single\n", nep,
           fx, fl, sp);
    assert_int_equal(nep, 301);
    assert_true(fx > 100 && sp > 60);
    tu_result_free(&r);
    tu_rmtree(dir);
}

/* A real RTCM 3 stream (NovAtel OEM729 via str2str, Hiroshima 2022-12-13, BDS MSM7 B1I/B2I/B3I,
 * 1042 ephemerides, 1005 ARP) read by the base input of `bdsrx rtk` (src/io/rtk_base.c), its
 * epochs used as base AND rover (zero baseline): the ephemerides come from the stream alone,
 * every epoch after the first must be fixed at the 1005 position (DD of identical data = 0). */
static void test_rtcm_zero_baseline(void **state)
{
    (void)state;
    char path[512];
    if (!testdata_path(path, sizeof path, "real/qzsl6tool_b2b_rtcm/20221213-010900.rtcm"))
        skip();
    bx_rtk_base_t *b;
    char err[300];
    assert_int_equal(bx_rtk_base_create(path, 0xffffffffu, &b, err, sizeof err), 0);
    double arp[3];
    assert_int_equal(bx_rtk_base_position(b, arp), 0);
    bx_nav_t nav;
    bx_nav_init(&nav);
    bx_rtk_config_t c;
    bx_rtk_config_default(&c);
    memcpy(c.base_pos_m, arp, sizeof arp);
    bx_rtk_t *rtk;
    assert_int_equal(bx_rtk_create(&c, &rtk, NULL, 0), 0);
    static bx_obs_t o;
    const bx_time_t approx = bx_time_utc_to_bdt(bx_time_from_civil(2022, 12, 13, 1, 9, 0.0), 4);
    int n = 0, fixed = 0, st;
    double worst = 0.0;
    while ((st = bx_rtk_base_next(b, approx, &o, &nav)) == BX_OK) {
        bx_rtk_sol_t sol;
        const int ps = bx_rtk_process(rtk, &o, &o, &nav, &sol);
        if (getenv("RTK_DEBUG"))
            printf("  obs %d eph %d: %d %s\n", o.n, nav.n_eph, ps, sol.msg);
        if (ps != BX_OK || nav.n_eph == 0)
            continue;
        n++;
        if (sol.sol.fix == BX_FIX_FIXED) {
            fixed++;
            const double d = sqrt(sol.baseline_enu_m[0] * sol.baseline_enu_m[0] +
                                  sol.baseline_enu_m[1] * sol.baseline_enu_m[1] +
                                  sol.baseline_enu_m[2] * sol.baseline_enu_m[2]);
            worst = fmax(worst, d);
        }
    }
    printf("NOTE: real RTCM 3 stream as base and rover: %d ephemerides from 1042, %d epochs with a solution, %d "
           "fixed, largest |baseline| %.2e m\n",
           nav.n_eph, n, fixed, worst);
    assert_int_equal(st, BX_ERR_EOF);
    assert_true(nav.n_eph >= 10);
    assert_true(n >= 40 && fixed >= n - 2); /* the first epochs come before enough 1042s */
    assert_true(worst < 1e-3);
    bx_rtk_destroy(rtk);
    bx_rtk_base_destroy(b);
    bx_nav_destroy(&nav);
}

/* Through NTRIP: str2str (Debian rtklib) as the caster, fed the Nagoya base as RTCM 3 on its
 * standard input; `bdsrx rtk --base ntrip1://user:pw@127.0.0.1:PORT/BDSRTK` as the client gives
 * the same solutions as from the file.  Event driven: the feeder repeats a 1005 until the client
 * says it has the base position, then sends the epochs paced one by one (the client reads them
 * as it goes; RTKLIB's caster drops a client whose socket does not take a write). */
typedef struct {
    int fd;
    const uint8_t *data;
    const long *offs;
    int noff;
    long n;
    volatile int go, stop;
} rtk_feeder_t;

static void *rtk_feed(void *arg)
{
    rtk_feeder_t *f = arg;
    const long first = f->offs[0]; /* the leading 1005 */
    struct timespec ts = {0, 20 * 1000 * 1000};
    while (!f->go && !f->stop) {
        if (write(f->fd, f->data, (size_t)first) <= 0)
            return NULL;
        nanosleep(&ts, NULL); /* a base station's repetition, not a delay results depend on */
    }
    ts.tv_nsec = 2 * 1000 * 1000;
    for (int k = 0; k < f->noff && !f->stop; k++) {
        const long a = f->offs[k], b = k + 1 < f->noff ? f->offs[k + 1] : f->n;
        if (write(f->fd, f->data + a, (size_t)(b - a)) <= 0)
            return NULL;
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static pid_t g_caster = -1; /* killed by the teardown when an assertion ends the test early */

static int kill_caster(void **state)
{
    (void)state;
    if (g_caster > 0)
        kill(g_caster, SIGTERM);
    g_caster = -1;
    return 0;
}

static void test_ntrip_base(void **state)
{
    (void)state;
    char bin[256], pr[512], pb[512], pn[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        printf("SKIP: bin/bdsrx not built\n");
        skip();
    }
    if (!tu_have("str2str")) {
        printf("SKIP: str2str (Debian package rtklib) not installed\n");
        skip();
    }
    if (!testdata_path(pr, sizeof pr, NAGOYA "rover.obs.gz") || !testdata_path(pb, sizeof pb, NAGOYA "base.obs.gz") ||
        !testdata_path(pn, sizeof pn, NAGOYA "base.nav"))
        skip();
    char dir[] = "/tmp/bdsrx_rtkn_XXXXXX", frt[300], jfile[320], jarg[330], jref[330];
    assert_non_null(mkdtemp(dir));
    snprintf(frt, sizeof frt, "%s/base.rtcm3", dir);
    static long offs[400];
    int noff = 0;
    write_nagoya_rtcm(pb, frt, offs, &noff, 1);
    FILE *f = fopen(frt, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    const long len = ftell(f);
    rewind(f);
    uint8_t *data = malloc((size_t)len);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    /* a free port for the caster */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    const int port = ntohs(a.sin_port);
    close(s);
    char out[80], url[120];
    snprintf(out, sizeof out, "ntripc://user:pw@:%d/BDSRTK", port);
    snprintf(url, sizeof url, "ntrip1://user:pw@127.0.0.1:%d/BDSRTK", port);
    signal(SIGPIPE, SIG_IGN);
    tu_proc_t caster;
    const char *cargv[] = {"str2str", "-out", out, NULL};
    assert_int_equal(tu_spawn(&caster, cargv, TU_STDIN_PIPE | TU_OUT_NULL), 0);
    g_caster = caster.pid;
    /* the caster listens a moment after it starts: a deadline, not a delay */
    int up = 0;
    for (int i = 0; i < 200 && !up; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        up = connect(c, (struct sockaddr *)&a, sizeof a) == 0;
        close(c);
        if (!up) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(up);
    rtk_feeder_t fd = {caster.in_fd, data, offs, noff, len, 0, 0};
    pthread_t th;
    pthread_create(&th, NULL, rtk_feed, &fd);
    snprintf(jfile, sizeof jfile, "%s/ntrip.json", dir);
    snprintf(jarg, sizeof jarg, "--json=%s", jfile);
    tu_proc_t cli;
    const char *argv[] = {bin, "rtk", "--rover", pr, "--base", url, "--nav", pn, jarg, "--summary-only", NULL};
    assert_int_equal(tu_spawn(&cli, argv, TU_OUT_PIPE), 0);
    char line[512];
    const long got = tu_wait_line(&cli, "base position from the RTCM", line, sizeof line);
    fd.go = 1;
    char *rest = tu_read_rest(&cli, NULL);
    const int st = tu_wait(&cli);
    fd.stop = 1;
    pthread_join(th, NULL);
    kill(caster.pid, SIGTERM); /* str2str serves on after its input ends */
    tu_wait(&caster);
    g_caster = -1;
    printf("NOTE: bdsrx rtk through str2str's NTRIP caster: %s%s", got > 0 ? "" : "(no base position line) ",
           rest ? rest : "");
    assert_true(got > 0);
    assert_int_equal(st, 0);
    /* the same run from the file */
    tu_result_t r;
    snprintf(jref, sizeof jref, "--json=%s/file.json", dir);
    assert_int_equal(tu_runl(&r, NULL, bin, "rtk", "--rover", pr, "--base", frt, "--nav", pn, jref, "--summary-only",
                             NULL),
                     0);
    tu_result_free(&r);
    snprintf(frt, sizeof frt, "%s/file.json", dir);
    FILE *fa = fopen(frt, "r"), *fb = fopen(jfile, "r");
    assert_true(fa && fb);
    static char la[65536], lb[65536];
    int n = 0, fixa = 0, fixb = 0;
    double dmax = 0.0;
    while (fgets(la, sizeof la, fa) && fgets(lb, sizeof lb, fb)) {
        n++;
        fixa += strstr(la, "\"fix\":\"fixed\"") != NULL;
        fixb += strstr(lb, "\"fix\":\"fixed\"") != NULL;
        const double dl = (json_num(la, "\"lat_deg\":") - json_num(lb, "\"lat_deg\":")) * D2R * 6378137.0;
        const double dn = (json_num(la, "\"lon_deg\":") - json_num(lb, "\"lon_deg\":")) * D2R * 6378137.0 * 0.818;
        if (isfinite(dl) && isfinite(dn))
            dmax = fmax(dmax, hypot(dl, dn));
    }
    fclose(fa);
    fclose(fb);
    printf("NOTE: NTRIP vs file base: %d epochs, fixed %d / %d, largest horizontal difference %.4f m\n", n, fixb,
           fixa, dmax);
    free(rest);
    free(data);
    assert_int_equal(n, 301);
    assert_int_equal(fixa, fixb);
    assert_true(dmax < 0.001);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vs_rnx2rtkp),
        cmocka_unit_test(test_nagoya_vs_rnx2rtkp),
        cmocka_unit_test(test_cli_outputs),
        cmocka_unit_test(test_rtcm_base),
        cmocka_unit_test(test_rtcm_zero_baseline),
        cmocka_unit_test_teardown(test_ntrip_base, kill_caster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
