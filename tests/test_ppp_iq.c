/* PPP from samples, end to end (issue 11 §3 (c); SLOW_TESTS): B1C + B2a + B2b-I captures made by the
 * project's simulator, `bdsrx run B1C B2A B2B --signals B1C,B2a,B2b --ppp`.
 *
 * The truth is built so that the corrections matter and the test can fail: the signals follow
 * the TRUE orbits and clocks (the synthetic constellation, bx_simscen_constellation), while the
 * B-CNAV1/B-CNAV2 messages broadcast a PERTURBED copy (per satellite: clock a0 off by -6..+6 m,
 * M0 off by -3..+3 m along track, whole ICD LSBs so the decoded ephemeris is the broadcast one).
 * The GEO C59 transmits PPP-B2b frames (MT1 mask, MT2 orbit, MT4 clock, re-encoded with our
 * LDPC encoder) whose corrections, applied to the broadcast ephemeris by the ICD rule
 * (pppb2b.md §5: r = r_brdc - (radial e_r + along e_a + cross e_c), dt = dt_brdc - C0/c), give
 * the true orbit and clock back (checked here first, to 2 cm / 2 mm).  So:
 *   - the broadcast single-point fixes are metres off (asserted > 2 m: the perturbation is real),
 *   - a PPP solution that applies the corrections lands within decimetres of the truth,
 *   - one satellite's correction names an IODN no ephemeris has and carries a wrong clock
 *     (+15 m): it must be refused (never applied to another ephemeris), or PPP is pulled off.
 * Sky: 30.5N 114.3E, static, troposphere on, C/N0 40-48 dB-Hz by elevation, 2-bit captures:
 * B1C 4.0 Msps, B2a 12 Msps, B2b 12 Msps (about 440 MB, kept in the test cache).  Cold start:
 * the B1C ephemerides (whose IODC the corrections name) decode at ~19 s, so PPP runs from then on.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/iq.h"
#include "bdsrx/navframe.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simb2b.h"
#include "bdsrx/simscen.h"
#include "bdsrx/simsig.h"
#include "bdsrx/time.h"
#include "testutil.h"

#define DUR_S 32
#define WEEK 900
#define SOW0 30004.8 /* the first B1C frame (18 s) starts ~1.27 s in: ephemeris at ~19 s */
#define GEO 59
#define GEO2 60 /* outage test: the second GEO */
#define BAD_PRN_IDX 2 /* the satellite whose correction names a wrong IODN */
#define MAXS 16

typedef struct {
    bx_nav_t truth, brdc;
    bx_simscen_config_t sc;
    double pos[3];
    int n, prn[MAXS];            /* satellites simulated (above 10 deg at the start) */
    double radial[MAXS], along[MAXS], cross[MAXS], c0[MAXS];
    int iodn[MAXS];
    int64_t s_first;             /* first B2b transmit second */
    uint8_t (*frames)[1000];     /* B2b frames per transmit second from s_first */
    int nframes;
    bx_simnav_t *nav[3][MAXS];   /* message streams (broadcast copy) per band and satellite */
    uint8_t (*frames2)[1000];    /* outage test: frames of the second GEO (GEO2) */
    uint8_t *silent, *silent2;   /* outage test: 1 = no frame that second (symbols 0) */
} scen_t;

static const bx_eph_t *eph_of(const bx_nav_t *nav, int prn)
{
    for (int i = 0; i < nav->n_eph; i++)
        if (nav->eph[i].prn == prn)
            return &nav->eph[i];
    return NULL;
}

/* the B2b frame of one transmit second: MT1 (s%4 0), MT2 x2 (1, 2), MT4 (3) */
static void make_frame(const scen_t *s, int64_t sec, uint8_t frame[1000])
{
    bx_b2b_msg_t m;
    memset(&m, 0, sizeof m);
    m.h.epoch_s = (int)(((sec % 86400) + 86400) % 86400);
    m.h.iod_ssr = 0;
    const int k = (int)(sec % 4);
    if (k == 0) {
        m.type = 1;
        m.u.mt1.iodp = 3;
        for (int i = 0; i < s->n; i++)
            m.u.mt1.mask[s->prn[i]] = 1;
    } else if (k == 1 || k == 2) {
        m.type = 2;
        for (int j = 0; j < 6; j++) {
            const int i = (k - 1) * 6 + j;
            if (i >= s->n)
                break;
            bx_b2b_orbit_t *o = &m.u.mt2.sat[j];
            o->slot = s->prn[i];
            o->iodn = s->iodn[i];
            o->iod_corr = 1;
            o->radial_m = s->radial[i];
            o->along_m = s->along[i];
            o->cross_m = s->cross[i];
            o->valid = 1;
            o->ura_class = 1;
            o->ura_value = 2;
        }
    } else {
        m.type = 4;
        m.u.mt4.iodp = 3;
        m.u.mt4.st1 = 0;
        for (int j = 0; j < 23; j++) {
            m.u.mt4.clk[j].iod_corr = 1;
            m.u.mt4.clk[j].valid = j < s->n;
            m.u.mt4.clk[j].c0_m = j < s->n ? s->c0[j] : 0.0;
        }
    }
    uint8_t bits[BX_B2B_BITS];
    assert_int_equal(bx_b2b_pack(&m, bits), BX_OK);
    assert_int_equal(bx_cnav3_encode(GEO, bits, frame), BX_OK);
}

/* ICD frame of the corrections (pppb2b.md §5) at t from the broadcast ephemeris */
static void rac_axes(const bx_eph_t *e, bx_time_t t, double er[3], double ea[3], double ec[3])
{
    double r[3], v[3], clk, dr;
    assert_int_equal(bx_satpos(e, t, r, v, &clk, &dr), BX_OK);
    const double nr = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    double c[3] = {r[1] * v[2] - r[2] * v[1], r[2] * v[0] - r[0] * v[2], r[0] * v[1] - r[1] * v[0]};
    const double nc = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
    for (int i = 0; i < 3; i++) {
        er[i] = r[i] / nr;
        ec[i] = c[i] / nc;
    }
    ea[0] = ec[1] * er[2] - ec[2] * er[1];
    ea[1] = ec[2] * er[0] - ec[0] * er[2];
    ea[2] = ec[0] * er[1] - ec[1] * er[0];
}

static void build(scen_t *s)
{
    const bx_time_t t0 = bx_time_from_week_sow(WEEK, SOW0), tmid = bx_time_add(t0, DUR_S / 2.0);
    bx_nav_init(&s->truth);
    bx_nav_init(&s->brdc);
    assert_int_equal(bx_simscen_constellation(&s->truth, t0), BX_OK);
    assert_int_equal(bx_simscen_constellation(&s->brdc, t0), BX_OK);
    bx_simscen_config_default(&s->sc);
    s->sc.start = t0;
    s->sc.tropo = 1;
    s->sc.cn0_horizon_dbhz = 40.0;
    s->sc.cn0_zenith_dbhz = 48.0;
    bx_simscen_position(&s->sc, 0.0, s->pos, (double[3]){0, 0, 0});
    s->n = 0;
    for (int i = 0; i < s->truth.n_eph && s->n < MAXS; i++) {
        bx_simgeom_t g;
        if (bx_simscen_geometry(&s->sc, &s->truth.eph[i], BX_SIG_B1C, s->pos, t0, &g) != BX_OK ||
            g.el_rad < 10.0 * M_PI / 180)
            continue;
        const int p = s->truth.eph[i].prn;
        bx_eph_t *b = &s->brdc.eph[i];
        /* whole LSBs of B-CNAV1 (M0: 2^-32 semicircles, a0: 2^-34 s): the decoded message equals b */
        const double dclk_m = ((p * 7) % 9 - 4) * 1.5, dalong_m = ((p * 5) % 7 - 3) * 1.0;
        double r0[3];
        assert_int_equal(bx_satpos(b, t0, r0, NULL, NULL, NULL), BX_OK);
        const double A = sqrt(r0[0] * r0[0] + r0[1] * r0[1] + r0[2] * r0[2]); /* orbit radius: along = A dM */
        b->a0_s += llround(dclk_m / BX_CLIGHT_MPS / ldexp(1.0, -34)) * ldexp(1.0, -34);
        b->M0_rad += llround(dalong_m / A / (M_PI * ldexp(1.0, -32))) * (M_PI * ldexp(1.0, -32));
        s->prn[s->n++] = p;
    }
    /* corrections that turn the broadcast orbit/clock into the true one (at mid-run) */
    for (int i = 0; i < s->n; i++) {
        const bx_eph_t *et = eph_of(&s->truth, s->prn[i]), *eb = eph_of(&s->brdc, s->prn[i]);
        double rt[3], rb[3], ct, cb, er[3], ea[3], ec[3];
        assert_int_equal(bx_satpos(et, tmid, rt, NULL, &ct, NULL), BX_OK);
        assert_int_equal(bx_satpos(eb, tmid, rb, NULL, &cb, NULL), BX_OK);
        rac_axes(eb, tmid, er, ea, ec);
        double d[3] = {rb[0] - rt[0], rb[1] - rt[1], rb[2] - rt[2]};
        s->radial[i] = round((d[0] * er[0] + d[1] * er[1] + d[2] * er[2]) / BX_B2B_RADIAL_LSB_M) * BX_B2B_RADIAL_LSB_M;
        s->along[i] = round((d[0] * ea[0] + d[1] * ea[1] + d[2] * ea[2]) / BX_B2B_ALONG_LSB_M) * BX_B2B_ALONG_LSB_M;
        s->cross[i] = round((d[0] * ec[0] + d[1] * ec[1] + d[2] * ec[2]) / BX_B2B_CROSS_LSB_M) * BX_B2B_CROSS_LSB_M;
        s->c0[i] = round(BX_CLIGHT_MPS * (cb - ct) / BX_B2B_C0_LSB_M) * BX_B2B_C0_LSB_M;
        s->iodn[i] = eb->iodc;
    }
    /* the construction: broadcast + corrections = truth over the whole run */
    double worst_orb = 0, worst_clk = 0;
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k <= DUR_S; k += 4) {
            const bx_time_t t = bx_time_add(t0, k);
            bx_b2b_corr_t c;
            memset(&c, 0, sizeof c);
            c.iodn = s->iodn[i];
            c.radial_m = s->radial[i], c.along_m = s->along[i], c.cross_m = s->cross[i], c.c0_m = s->c0[i];
            double pc[3], cc, pt[3], ctr;
            assert_int_equal(bx_b2b_apply(eph_of(&s->brdc, s->prn[i]), &c, t, pc, &cc, NULL, NULL), BX_OK);
            assert_int_equal(bx_satpos(eph_of(&s->truth, s->prn[i]), t, pt, NULL, &ctr, NULL), BX_OK);
            worst_orb = fmax(worst_orb, sqrt((pc[0] - pt[0]) * (pc[0] - pt[0]) + (pc[1] - pt[1]) * (pc[1] - pt[1]) +
                                             (pc[2] - pt[2]) * (pc[2] - pt[2])));
            worst_clk = fmax(worst_clk, fabs(BX_CLIGHT_MPS * (cc - ctr)));
        }
    printf("scenario: %d satellites, corrections reproduce the true orbit to %.3f m, clock to %.4f m\n", s->n,
           worst_orb, worst_clk);
    assert_true(worst_orb < 0.02);
    assert_true(worst_clk < 0.002);
    /* the bad one: an IODN no ephemeris has, and a clock 15 m off */
    s->iodn[BAD_PRN_IDX] = (s->iodn[BAD_PRN_IDX] + 5) % 1024;
    s->c0[BAD_PRN_IDX] += 15.0;
}

static scen_t *g_scen;

static int sym_cb(void *user, int slot, int sig, int prn, bx_time_t t, int64_t idx)
{
    scen_t *s = user;
    (void)t;
    if (sig == BX_SIG_B2B) {
        const int64_t f = idx / 1000 - s->s_first;
        if (f < 0 || f >= s->nframes)
            return 0;
        if (prn == GEO2 && s->frames2)
            return s->silent2 && s->silent2[f] ? 0 : s->frames2[f][idx % 1000];
        return s->silent && s->silent[f] ? 0 : s->frames[f][idx % 1000];
    }
    const int b = sig == BX_SIG_B1C ? 0 : 1;
    return s->nav[b][slot] ? bx_simnav_symbol(s->nav[b][slot], t) : 0;
}

/* 2-bit captures of the three bands into dir */
static void generate(scen_t *s, const char *dir)
{
    const double fs[3] = {4.0e6, 12e6, 12e6}; /* B1C not at 4.092 MHz: 4 samples per chip, commensurate, gives +-1 m code biases per satellite and tens of metres on a slow-Doppler one */
    const int sig[3] = {BX_SIG_B1C, BX_SIG_B2A, BX_SIG_B2B};
    const char *name[3] = {"b1c.ci2", "b2a.ci2", "b2b.ci2"};
    bx_simsig_t *g[3];
    FILE *f[3];
    bx_cf32_t *x[3];
    uint8_t *raw[3];
    size_t nms[3];
    for (int b = 0; b < 3; b++) {
        bx_simsig_config_t c;
        bx_simsig_config_default(&c, fs[b]);
        c.seed = 11 + (uint64_t)b * 7919;
        c.noise_sigma = bx_simsig_default_sigma(BX_IQ_CI2);
        c.symbol = sym_cb;
        c.user = s;
        c.max_sats = MAXS + 1;
        assert_int_equal(bx_simsig_create(&c, &g[b], NULL, 0), BX_OK);
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, name[b]);
        assert_non_null(f[b] = fopen(path, "wb"));
        nms[b] = (size_t)(fs[b] / 1000);
        x[b] = malloc(100 * nms[b] * sizeof *x[b]);
        raw[b] = malloc(bx_iq_bytes_for(BX_IQ_CI2, 100 * nms[b]));
        if (b < 2)
            for (int i = 0; i < s->n; i++)
                assert_int_equal(bx_simnav_create(&s->brdc, s->prn[i], sig[b], &s->nav[b][i], NULL, 0), BX_OK);
    }
    /* the GEO: 37 800 km, +12 Hz, 45 dB-Hz; frames for every transmit second of the run */
    const double geo_tau = 37.8e6 / BX_CLIGHT_MPS, geo_dop = 12.0;
    s->s_first = (int64_t)floor(bx_time_diff(s->sc.start, bx_time_from_week_sow(0, 0.0)) - geo_tau) - 1;
    s->nframes = DUR_S + 3;
    s->frames = malloc((size_t)s->nframes * sizeof *s->frames);
    for (int k = 0; k < s->nframes; k++)
        make_frame(s, s->s_first + k, s->frames[k]);
    const bx_simsig_sat_t geo = {BX_SIG_B2B, GEO, bx_time_add(s->sc.start, -geo_tau), 0.0, geo_dop, 45.0, 0.0};
    assert_int_equal(bx_simsig_set_sat(g[2], MAXS, &geo), BX_OK);
    for (int ms = 0; ms < DUR_S * 1000; ms += 100) {
        for (int k = 0; k < 100; k++) {
            const double t_rel = (ms + k) * 1e-3;
            const bx_time_t t_rx = bx_time_add(s->sc.start, t_rel), t_rx1 = bx_time_add(t_rx, 1e-3);
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < s->n; i++) {
                    const bx_eph_t *e = eph_of(&s->truth, s->prn[i]);
                    bx_simgeom_t g0, g1;
                    assert_int_equal(bx_simscen_geometry(&s->sc, e, sig[b], s->pos, t_rx, &g0), BX_OK);
                    assert_int_equal(bx_simscen_geometry(&s->sc, e, sig[b], s->pos, t_rx1, &g1), BX_OK);
                    const bx_simsig_sat_t ss = {sig[b], s->prn[i], g0.t_sv, bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3,
                                                0.0, bx_simscen_cn0_dbhz(&s->sc, g0.el_rad, 45.0), 0.0};
                    assert_int_equal(bx_simsig_set_sat(g[b], i, &ss), BX_OK);
                }
                assert_int_equal(bx_simsig_generate(g[b], x[b] + (size_t)k * nms[b], nms[b]), BX_OK);
            }
            assert_int_equal(bx_simsig_generate(g[2], x[2] + (size_t)k * nms[2], nms[2]), BX_OK);
        }
        for (int b = 0; b < 3; b++) {
            const long nb = bx_iq_pack(BX_IQ_CI2, x[b], 100 * nms[b], 1.0f, raw[b]);
            assert_true(nb > 0);
            assert_int_equal(fwrite(raw[b], 1, (size_t)nb, f[b]), (size_t)nb);
        }
    }
    for (int b = 0; b < 3; b++) {
        assert_int_equal(fclose(f[b]), 0);
        bx_simsig_destroy(g[b]);
        free(x[b]);
        free(raw[b]);
        for (int i = 0; i < s->n; i++)
            bx_simnav_destroy(s->nav[b][i]);
    }
    free(s->frames);
    s->frames = NULL;
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}


/* bdsrx run on the three captures (B1C 4 Msps, B2a and B2b 12 Msps, 2-bit) with the arguments
 * in extra (NULL-terminated) after the streams' formats */
static int run_3(tu_result_t *r, const char *bin, const char *f1, const char *f2, const char *f3,
                 const char *const *extra)
{
    const char *argv[64] = {bin, "run", f1, f2, f3, "--signals", "B1C,B2a,B2b", "--format", "ci2", "--fs",
                            "4000000", "--fc", "1575.42e6", "--format2", "ci2", "--fs2", "12e6", "--fc2",
                            "1176.45e6", "--format3", "ci2", "--fs3", "12e6", "--fc3", "1207.14e6"};
    int n = 25;
    for (int i = 0; extra[i] && n < 63; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return tu_run(r, argv, NULL);
}

static void test_ppp_from_iq(void **state)
{
    (void)state;
    char bin[1024];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        print_message("SKIP: bin/bdsrx not built\n");
        skip();
    }
    static scen_t sc;
    g_scen = &sc;
    build(&sc);
    char key[256], dir[1024], tmp[1024];
    snprintf(key, sizeof key, "ppp_iq gen v2: %d s, week %d sow %.1f, ci2 4.0/12/12 Msps, 40-48 dB-Hz, seed 11",
             DUR_S, WEEK, SOW0);
    const int have = tu_cache_dir("ppp_iq", key, dir, sizeof dir, tmp, sizeof tmp);
    assert_true(have >= 0);
    if (!have) {
        generate(&sc, tmp);
        assert_int_equal(tu_cache_commit(dir, tmp, key), 0);
    }
    char f1[1100], f2[1100], f3[1100], js[1100], nm[1100], ps[1100];
    snprintf(f1, sizeof f1, "%s/b1c.ci2", dir);
    snprintf(f2, sizeof f2, "%s/b2a.ci2", dir);
    snprintf(f3, sizeof f3, "%s/b2b.ci2", dir);
    snprintf(js, sizeof js, "%s/out.jsonl", dir);
    snprintf(nm, sizeof nm, "%s/out.nmea", dir);
    snprintf(ps, sizeof ps, "%s/out.pos", dir);
    char json_arg[1200];
    snprintf(json_arg, sizeof json_arg, "--json=%s", js);
    tu_result_t r;
    run_3(&r, bin, f1, f2, f3, (const char *[]){"--prn", "19-46,59", "--ppp", "--ppp-mode", "static", "--no-cache",
            json_arg, "--nmea", nm, "--pos", ps, "--ref", "30.5,114.3,50", "-q", NULL});
    printf("%s", r.out);
    if (r.status != 0)
        printf("stderr: %s\n", r.err);
    assert_int_equal(r.status, 0);
    tu_result_free(&r);

    /* JSON lines: fix "spp" (broadcast) before the B1C ephemerides, then "ppp" */
    FILE *f = fopen(js, "r");
    assert_non_null(f);
    char line[65536];
    int n_ppp = 0, n_spp = 0, bad_used = 0, refused_ok = 1;
    double spp_err_sum = 0, last_ppp_err = NAN, last_h = NAN, last_sig[3] = {NAN, NAN, NAN};
    int last_corr = 0, last_obs = 0, first_ppp_epoch = -1, epoch = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        const char *fix = json_string_value(json_object_get(o, "fix"));
        json_t *ecef = json_object_get(o, "ecef_m");
        epoch++;
        if (fix && ecef && json_array_size(ecef) == 3) {
            const double p[3] = {json_number_value(json_array_get(ecef, 0)), json_number_value(json_array_get(ecef, 1)),
                                 json_number_value(json_array_get(ecef, 2))};
            const double e = dist3(p, sc.pos);
            if (!strcmp(fix, "ppp")) {
                n_ppp++;
                if (first_ppp_epoch < 0)
                    first_ppp_epoch = epoch;
                last_ppp_err = e;
                double enu[3], d[3] = {p[0] - sc.pos[0], p[1] - sc.pos[1], p[2] - sc.pos[2]};
                bx_ecef_to_enu(sc.sc.llh0, d, enu);
                last_h = hypot(enu[0], enu[1]);
                last_corr = (int)json_integer_value(json_object_get(o, "n_corr"));
                last_obs = (int)json_integer_value(json_object_get(o, "n_ppp_obs"));
                const int used = (int)json_integer_value(json_object_get(o, "n_used"));
                bad_used += used > last_corr;
                /* the satellite with the wrong IODN is never among the corrected ones */
                refused_ok &= last_corr <= last_obs - 1;
                json_t *sg = json_object_get(o, "sigma_enu_m");
                for (int i = 0; i < 3; i++)
                    last_sig[i] = json_number_value(json_array_get(sg, (size_t)i));
            } else if (!strcmp(fix, "spp")) {
                n_spp++;
                spp_err_sum += e;
            }
        }
        json_decref(o);
    }
    fclose(f);
    const double spp_err = n_spp ? spp_err_sum / n_spp : NAN;
    printf("PPP from IQ: %d PPP epochs (from epoch %d), %d broadcast SPP epochs (mean 3D error %.2f m); last PPP: "
           "3D error %.3f m, horizontal %.3f m, %d of %d satellites corrected, sigma E %.3f N %.3f U %.3f m\n",
           n_ppp, first_ppp_epoch, n_spp, spp_err, last_ppp_err, last_h, last_corr, last_obs, last_sig[0], last_sig[1],
           last_sig[2]);
    assert_true(n_ppp >= 6);
    assert_true(n_spp >= 3);
    assert_true(spp_err > 2.0);          /* the broadcast orbits/clocks are really off */
    assert_true(last_corr >= 5);
    assert_true(refused_ok);             /* the wrong-IODN correction was never counted as usable */
    assert_int_equal(bad_used, 0);
    assert_true(last_ppp_err < 1.0);     /* corrections applied, the bad one not */
    assert_true(last_h < 0.3);

    /* NMEA: GGA quality 5 on the PPP epochs; .pos: Q 6 */
    int q5 = 0, q6 = 0;
    f = fopen(nm, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line + 3, "GGA", 3))
            continue;
        const char *p = line;
        for (int k = 0; k < 6 && p; k++)
            p = strchr(p + 1, ',');
        q5 += p && p[1] == '5';
    }
    fclose(f);
    f = fopen(ps, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        int q = 0;
        if (line[0] != '%' && sscanf(line, "%*s %*s %*f %*f %*f %d", &q) == 1)
            q6 += q == 6;
    }
    fclose(f);
    printf("NMEA GGA quality 5: %d, .pos Q 6: %d\n", q5, q6);
    assert_int_equal(q5, n_ppp);
    assert_int_equal(q6, n_ppp);

    /* The same captures through the live engine (`bdsrx live`, issue 11 §3: live ... --ppp): three
     * file sources, each through its own reader thread and a 4 MiB ring (wait=1: the reader waits
     * for room instead of dropping, so nothing is lost however slowly the receiver runs), read in
     * step, 0.1 s of each per block.  Its JSON epochs must equal the file run's line for line (the
     * live path adds nothing and loses nothing), so the PPP truth checks above hold for it too. */
    char u1[1300], u2[1300], u3[1300], ljs[1100], lnm[1100], ljson_arg[1200];
    const char *ring = "live=1&wait=1&ring=4194304";
    snprintf(u1, sizeof u1, "file:%s?format=ci2&fs=4e6&fc=1575.42e6&%s", f1, ring);
    snprintf(u2, sizeof u2, "file:%s?format=ci2&fs=12e6&fc=1176.45e6&%s", f2, ring);
    snprintf(u3, sizeof u3, "file:%s?format=ci2&fs=12e6&fc=1207.14e6&%s", f3, ring);
    snprintf(ljs, sizeof ljs, "%s/live.jsonl", dir);
    snprintf(lnm, sizeof lnm, "%s/live.nmea", dir);
    snprintf(ljson_arg, sizeof ljson_arg, "--json=%s", ljs);
    tu_runl(&r, NULL, bin, "live", "--source", u1, "--source", u2, "--source", u3, "--signals", "B1C,B2a,B2b", "--prn",
            "19-46,59", "--ppp", "--ppp-mode", "static", "--no-cache", ljson_arg, "--nmea", lnm, "--ref",
            "30.5,114.3,50", "--plain", NULL);
    printf("%s", strstr(r.out, "processed") ? strstr(r.out, "processed") : r.out);
    if (r.status != 0)
        printf("stderr: %s\n", r.err);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "3 sources, 3 streams (B1C+B2a+B2b)"));
    assert_non_null(strstr(r.out, "lost 0 samples in 0 events"));
    tu_result_free(&r);
    FILE *fr = fopen(js, "r"), *fl = fopen(ljs, "r");
    assert_non_null(fr);
    assert_non_null(fl);
    char lline[65536];
    int n_same = 0, n_diff = 0, live_ppp = 0;
    while (fgets(line, sizeof line, fr)) {
        if (!strncmp(line, "{\"b2b\"", 6)) /* run's last line: the PPP-B2b counts */
            continue;
        if (!fgets(lline, sizeof lline, fl)) {
            n_diff++;
            break;
        }
        if (strcmp(line, lline))
            n_diff++;
        else
            n_same++;
        live_ppp += strstr(lline, "\"fix\":\"ppp\"") != NULL;
    }
    n_diff += fgets(lline, sizeof lline, fl) != NULL; /* live has no more epochs */
    fclose(fr);
    fclose(fl);
    int lq5 = 0;
    f = fopen(lnm, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line + 3, "GGA", 3))
            continue;
        const char *p = line;
        for (int k = 0; k < 6 && p; k++)
            p = strchr(p + 1, ',');
        lq5 += p && p[1] == '5';
    }
    fclose(f);
    printf("live, 3 file sources: %d JSON epochs equal to the file run's, %d differ; %d PPP epochs, GGA quality 5: %d\n",
           n_same, n_diff, live_ppp, lq5);
    assert_int_equal(n_diff, 0);
    assert_true(n_same >= 20);
    assert_int_equal(live_ppp, n_ppp);
    assert_int_equal(lq5, n_ppp);

    /* A loss on one of the three sources: the B2a file drops 0.02 s at 25.03 s (gap_at/gap, reported
     * like a ring overflow).  live gives up that whole 0.1 s block on every stream and realigns them
     * on the next common block boundary (25.2 s): exactly 0.2 s = 800000 B1C samples lost, one
     * event.  Epochs before it equal the file run's; after it PPP goes on within decimetres (a
     * stream off by one sample would put its pseudoranges 25-75 m off). */
    char u2g[1400], gjs[1100], gjson_arg[1200];
    snprintf(u2g, sizeof u2g, "%s&gap_at=%.0f&gap=%.0f", u2, 25.03 * 12e6, 0.02 * 12e6);
    snprintf(gjs, sizeof gjs, "%s/live_gap.jsonl", dir);
    snprintf(gjson_arg, sizeof gjson_arg, "--json=%s", gjs);
    tu_runl(&r, NULL, bin, "live", "--source", u1, "--source", u2g, "--source", u3, "--signals", "B1C,B2a,B2b", "--prn",
            "19-46,59", "--ppp", "--ppp-mode", "static", "--no-cache", gjson_arg, "--ref", "30.5,114.3,50", "-q", NULL);
    printf("%s%s", r.out, r.err);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "lost 800000 samples in 1 events"));
    tu_result_free(&r);
    fr = fopen(js, "r");
    fl = fopen(gjs, "r");
    assert_non_null(fr);
    assert_non_null(fl);
    int g_same = 0, g_after = 0, g_fail = 0;
    double g_last_h = NAN, g_last_3d = NAN;
    while (fgets(lline, sizeof lline, fl)) {
        json_error_t je;
        json_t *o = json_loads(lline, 0, &je);
        assert_non_null(o);
        const double sow = json_number_value(json_object_get(o, "bdt_sow"));
        const char *fix = json_string_value(json_object_get(o, "fix"));
        if (sow < SOW0 + 25.0) { /* before the loss: the run's line */
            g_fail += !fgets(line, sizeof line, fr) || strcmp(line, lline);
            g_same++;
        } else if (fix && !strcmp(fix, "ppp")) {
            json_t *ecef = json_object_get(o, "ecef_m");
            const double p[3] = {json_number_value(json_array_get(ecef, 0)), json_number_value(json_array_get(ecef, 1)),
                                 json_number_value(json_array_get(ecef, 2))};
            double enu[3], d[3] = {p[0] - sc.pos[0], p[1] - sc.pos[1], p[2] - sc.pos[2]};
            bx_ecef_to_enu(sc.sc.llh0, d, enu);
            g_last_h = hypot(enu[0], enu[1]);
            g_last_3d = dist3(p, sc.pos);
            g_after++;
        }
        json_decref(o);
    }
    fclose(fr);
    fclose(fl);
    printf("live with 0.02 s lost on the B2a source at 25.03 s: %d epochs before it (%d differ from the run), %d PPP "
           "epochs after it, last PPP error horizontal %.3f m, 3D %.3f m\n",
           g_same, g_fail, g_after, g_last_h, g_last_3d);
    assert_true(g_same >= 9);
    assert_int_equal(g_fail, 0);
    assert_true(g_after >= 4);
    assert_true(g_last_h < 0.3);
    assert_true(g_last_3d < 1.0);

    /* corrections missing: the corrections of a GEO that sends nothing (C60) -> the broadcast
     * single-point fix on every epoch, with the reason, GGA quality 1, never "ppp" */
    run_3(&r, bin, f1, f2, f3, (const char *[]){"--prn", "19-46,59", "--ppp", "--ppp-geo", "60", "--seconds", "23",
            "--no-cache", json_arg, "-q", NULL});
    assert_int_equal(r.status, 0);
    tu_result_free(&r);
    f = fopen(js, "r");
    assert_non_null(f);
    int n_fb = 0, n_fb_ppp = 0, n_fb_reason = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        const char *fix = json_string_value(json_object_get(o, "fix"));
        const char *st = json_string_value(json_object_get(o, "ppp_status"));
        const char *msg = json_string_value(json_object_get(o, "ppp_msg"));
        if (fix && !strcmp(fix, "spp")) {
            n_fb++;
            n_fb_reason += st && !strcmp(st, "no_corrections") && msg && strstr(msg, "no PPP-B2b corrections");
        }
        n_fb_ppp += fix && !strcmp(fix, "ppp");
        json_decref(o);
    }
    fclose(f);
    printf("no corrections (--ppp-geo 60): %d broadcast fixes, %d with the reason, %d PPP\n", n_fb, n_fb_reason,
           n_fb_ppp);
    assert_true(n_fb >= 3);
    assert_int_equal(n_fb_reason, n_fb);
    assert_int_equal(n_fb_ppp, 0);
    bx_nav_destroy(&sc.truth);
    bx_nav_destroy(&sc.brdc);
}

/* One complex capture holding B2a and B2b (fc 1191.795 MHz, 32 Msps: the carriers at -+15.345
 * MHz), fed to two receiver streams (the same samples, IF -15.345 / +15.345 MHz): what `run`
 * (two files for three signals) and `live` (ch2 of a two-channel front end) do.  B2a C20 at
 * +1200 Hz and the GEO C59 (the PPP-B2b frames above), 45 dB-Hz, 3.2 s: both lock, C59's
 * frames decode into the store (the streams do not disturb each other). */
static void test_wideband_b2a_b2b(void **state)
{
    (void)state;
    static scen_t sc;
    build(&sc);
    const double fs = 32e6, fc = 1191.795e6, dur = 3.2;
    const double geo_tau = 37.8e6 / BX_CLIGHT_MPS;
    sc.s_first = (int64_t)floor(bx_time_diff(sc.sc.start, bx_time_from_week_sow(0, 0.0)) - geo_tau) - 1;
    sc.nframes = 8;
    sc.frames = malloc((size_t)sc.nframes * sizeof *sc.frames);
    for (int k = 0; k < sc.nframes; k++)
        make_frame(&sc, sc.s_first + k, sc.frames[k]);
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.fc_hz = fc;
    c.seed = 3;
    c.symbol = sym_cb;
    c.user = &sc;
    bx_simsig_t *g;
    assert_int_equal(bx_simsig_create(&c, &g, NULL, 0), BX_OK);
    const bx_simsig_sat_t geo = {BX_SIG_B2B, GEO, bx_time_add(sc.sc.start, -geo_tau), 0.0, 12.0, 45.0, 0.0};
    const bx_simsig_sat_t meo = {BX_SIG_B2A, 20, bx_time_add(sc.sc.start, -0.072), 0.0, 1200.0, 45.0, 0.0};
    assert_int_equal(bx_simsig_set_sat(g, MAXS, &geo), BX_OK); /* slot MAXS: sym_cb's B2b branch */
    assert_int_equal(bx_simsig_set_sat(g, 0, &meo), BX_OK);   /* no message stream: symbols 0 */
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 2;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B2A, fs, BX_FREQ_B2A_HZ - fc};
    rc.stream[1] = (bx_rx_stream_t){BX_SIG_B2B, fs, BX_FREQ_B2B_HZ - fc};
    rc.prn_mask = (1ull << 20) | (1ull << GEO);
    rc.threads = 1;
    rc.solver = BX_SOLVER_NONE;
    bx_rx_t *rx;
    char err[256];
    assert_int_equal(bx_rx_create(&rc, &rx, err, sizeof err), BX_OK);
    const size_t blk = (size_t)(0.1 * fs);
    bx_cf32_t *x = malloc(blk * sizeof *x);
    for (int b = 0; b < (int)llround(dur / 0.1); b++) {
        assert_int_equal(bx_simsig_generate(g, x, blk), BX_OK);
        const bx_cf32_t *const xs[2] = {x, x};
        const size_t ns[2] = {blk, blk};
        assert_int_equal(bx_rx_process(rx, xs, ns), BX_OK);
    }
    bx_rx_chan_status_t ch[8];
    const int nch = bx_rx_channels(rx, ch, 8);
    bx_rx_b2b_stats_t bs;
    assert_int_equal(bx_rx_b2b_stats(rx, &bs), 1);
    int b2a_locked = 0, b2b_locked = 0;
    printf("one 32 Msps capture at 1191.795 MHz, two streams:");
    for (int i = 0; i < nch; i++) {
        printf(" %s-C%02d(%.1f dB-Hz, %.1f Hz, %s)", ch[i].sig == BX_SIG_B2A ? "B2a" : "B2b", ch[i].prn, ch[i].cn0_dbhz,
               ch[i].doppler_hz, ch[i].state == 2 ? "locked" : "not locked");
        b2a_locked += ch[i].sig == BX_SIG_B2A && ch[i].prn == 20 && fabs(ch[i].doppler_hz - 1200.0) < 5.0;
        b2b_locked += ch[i].sig == BX_SIG_B2B && ch[i].prn == GEO && fabs(ch[i].doppler_hz - 12.0) < 5.0;
    }
    printf("; PPP-B2b blocks %ld (stored %ld)\n", bs.frames, bs.stored);
    assert_int_equal(b2a_locked, 1);
    assert_int_equal(b2b_locked, 1);
    assert_true(bs.frames >= 1);
    bx_rx_destroy(rx);
    bx_simsig_destroy(g);
    free(x);
    free(sc.frames);
    bx_nav_destroy(&sc.truth);
    bx_nav_destroy(&sc.brdc);
}

/* ---- Correction outage and a change of GEO, from IQ (issue 11 "Bad input": an outage of corrections:
 * clear warnings, fall back to broadcast, never apply a correction past its validity) ----
 * The B1C and B2a captures of test_ppp_from_iq (cached) with a new B2b capture of the same 32 s in
 * which two GEOs broadcast the corrections of the scenario through the simulator's PPP-B2b
 * broadcast (src/sim/simb2b.c): C59 sends null messages (MT63: the signal stays, no correction)
 * for the transmit seconds OUT_FROM..OUT_TO-1, C60 sends all the time (IOD SSR 1).  The clock age
 * limit is set to MAX_AGE_CLK (--b2b-max-age; the 4 s cycle refreshes the clocks every 4 s, so in
 * normal operation the newest is at most 5 s old at an epoch): C59's last clock before the outage
 * (transmit second OUT_FROM-1) expires at the epoch OUT_FROM+5.  Truth for every epoch: the age of
 * C59's newest clock correction received by then, from the schedule itself. */
#define OUT_FROM 30024 /* BDT seconds of week (week WEEK) */
#define OUT_TO 30031
#define MAX_AGE_CLK 5.5

/* age at receive time sow of the newest C59 clock (MT4: transmit second = 3 mod 4, received one
 * frame + the 0.126 s travel time later) that is not in the outage */
static double c59_clock_age(double sow)
{
    for (int64_t sec = (int64_t)floor(sow - 1.2); sec > (int64_t)sow - 60; sec--)
        if (sec % 4 == 3 && !(sec >= OUT_FROM && sec < OUT_TO))
            return sow - (double)sec;
    return INFINITY;
}

typedef struct {
    int n, n_ppp, n_ppp_pre, n_ppp_post, n_ppp_geo2, n_expired, n_expired_fallback, n_expired_reason, n_stale_used;
    double last_err_h, last_err_3d;
} outage_stats_t;

static void outage_analyse(const char *js, const scen_t *sc, outage_stats_t *o)
{
    memset(o, 0, sizeof *o);
    o->last_err_h = o->last_err_3d = NAN;
    FILE *f = fopen(js, "r");
    assert_non_null(f);
    char line[65536];
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        assert_non_null(j);
        const char *fix = json_string_value(json_object_get(j, "fix"));
        const char *st = json_string_value(json_object_get(j, "ppp_status"));
        const char *msg = json_string_value(json_object_get(j, "ppp_msg"));
        json_t *jsow = json_object_get(j, "bdt_sow");
        if (!fix || !jsow) {
            json_decref(j);
            continue;
        }
        const double sow = json_number_value(jsow);
        const int geo = (int)json_integer_value(json_object_get(j, "geo"));
        const int ppp = !strcmp(fix, "ppp");
        const double age = c59_clock_age(sow);
        o->n++;
        if (ppp) {
            o->n_ppp++;
            o->n_ppp_pre += sow < OUT_FROM + 5;
            o->n_ppp_post += sow > OUT_TO + 1;
            o->n_ppp_geo2 += geo == GEO2;
            o->n_stale_used += geo == GEO && age > MAX_AGE_CLK; /* C59's clock past its validity */
            json_t *ecef = json_object_get(j, "ecef_m");
            const double p[3] = {json_number_value(json_array_get(ecef, 0)), json_number_value(json_array_get(ecef, 1)),
                                 json_number_value(json_array_get(ecef, 2))};
            double enu[3], d[3] = {p[0] - sc->pos[0], p[1] - sc->pos[1], p[2] - sc->pos[2]};
            bx_ecef_to_enu(sc->sc.llh0, d, enu);
            o->last_err_h = hypot(enu[0], enu[1]);
            o->last_err_3d = dist3(p, sc->pos);
        }
        if (age > MAX_AGE_CLK && sow > OUT_FROM) {
            o->n_expired++;
            o->n_expired_fallback += !ppp || geo != GEO;
            o->n_expired_reason += !ppp && st && !strcmp(st, "few_corrected") && msg && strstr(msg, "clock correction too old");
        }
        printf("  %.1f %s geo C%02d n_corr %d  C59 clock age %.1f s  %s\n", sow, fix, geo,
               (int)json_integer_value(json_object_get(j, "n_corr")), age, msg ? msg : "");
        json_decref(j);
    }
    fclose(f);
}

static void test_ppp_outage_iq(void **state)
{
    (void)state;
    char bin[1024];
    if (!tu_bin(bin, sizeof bin, "bdsrx")) {
        print_message("SKIP: bin/bdsrx not built\n");
        skip();
    }
    static scen_t sc;
    memset(&sc, 0, sizeof sc);
    build(&sc);
    char key[256], dir[1024], tmp[1024], odir[1024];
    snprintf(key, sizeof key, "ppp_iq gen v2: %d s, week %d sow %.1f, ci2 4.0/12/12 Msps, 40-48 dB-Hz, seed 11",
             DUR_S, WEEK, SOW0);
    int have = tu_cache_dir("ppp_iq", key, dir, sizeof dir, tmp, sizeof tmp);
    assert_true(have >= 0);
    if (!have) { /* test_ppp_from_iq makes them; alone, this test makes them the same way */
        generate(&sc, tmp);
        assert_int_equal(tu_cache_commit(dir, tmp, key), 0);
    }
    /* the simulator's PPP-B2b broadcast: the same frames as make_frame outside the outage */
    bx_simb2b_t b1, b2;
    bx_simb2b_default(&b1);
    b1.geo_prn = GEO;
    b1.iodp = 3;
    b1.n = sc.n;
    for (int i = 0; i < sc.n; i++) {
        b1.prn[i] = sc.prn[i];
        b1.iodn[i] = sc.iodn[i];
        b1.iod_corr[i] = 1;
        b1.radial_m[i] = sc.radial[i], b1.along_m[i] = sc.along[i], b1.cross_m[i] = sc.cross[i];
        b1.c0_m[i] = sc.c0[i];
    }
    b2 = b1;
    b2.geo_prn = GEO2;
    b2.iod_ssr = 1;
    const int64_t week_s = (int64_t)WEEK * 604800;
    b1.n_off = 1;
    b1.off[0].from_s = week_s + OUT_FROM;
    b1.off[0].to_s = week_s + OUT_TO;
    b1.off[0].mode = BX_SIMB2B_NULL;
    const double geo_tau = 37.8e6 / BX_CLIGHT_MPS, geo2_tau = 38.1e6 / BX_CLIGHT_MPS;
    sc.s_first = (int64_t)floor(bx_time_diff(sc.sc.start, bx_time_from_week_sow(0, 0.0)) - geo2_tau) - 1;
    sc.nframes = DUR_S + 3;
    sc.frames = malloc((size_t)sc.nframes * sizeof *sc.frames);
    sc.frames2 = malloc((size_t)sc.nframes * sizeof *sc.frames2);
    int n_null = 0;
    for (int k = 0; k < sc.nframes; k++) {
        const int64_t sec = sc.s_first + k;
        uint8_t ref[1000];
        assert_int_equal(bx_simb2b_frame(&b1, sec, sc.frames[k]), 1);
        assert_int_equal(bx_simb2b_frame(&b2, sec, sc.frames2[k]), 1);
        make_frame(&sc, sec, ref);
        if (bx_simb2b_outage(&b1, sec) < 0)
            assert_memory_equal(ref, sc.frames[k], 1000); /* the library reproduces the test's frames */
        else
            n_null++;
    }
    assert_int_equal(n_null, OUT_TO - OUT_FROM);
    snprintf(key, sizeof key, "ppp_iq outage v1: C59 null %d-%d, C60 iod_ssr 1, %d s, week %d sow %.1f, ci2 12 Msps, seed 29",
             OUT_FROM, OUT_TO, DUR_S, WEEK, SOW0);
    have = tu_cache_dir("ppp_iq_outage", key, odir, sizeof odir, tmp, sizeof tmp);
    assert_true(have >= 0);
    if (!have) {
        bx_simsig_config_t c;
        bx_simsig_config_default(&c, 12e6);
        c.seed = 29;
        c.noise_sigma = bx_simsig_default_sigma(BX_IQ_CI2);
        c.symbol = sym_cb;
        c.user = &sc;
        c.max_sats = MAXS + 2;
        bx_simsig_t *g;
        assert_int_equal(bx_simsig_create(&c, &g, NULL, 0), BX_OK);
        const bx_simsig_sat_t s1 = {BX_SIG_B2B, GEO, bx_time_add(sc.sc.start, -geo_tau), 0.0, 12.0, 45.0, 0.0};
        const bx_simsig_sat_t s2 = {BX_SIG_B2B, GEO2, bx_time_add(sc.sc.start, -geo2_tau), 0.0, -25.0, 43.0, 0.0};
        assert_int_equal(bx_simsig_set_sat(g, MAXS, &s1), BX_OK);
        assert_int_equal(bx_simsig_set_sat(g, MAXS + 1, &s2), BX_OK);
        char path[1100];
        snprintf(path, sizeof path, "%s/b2b.ci2", tmp);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        const size_t blk = 1200000;
        bx_cf32_t *x = malloc(blk * sizeof *x);
        uint8_t *raw = malloc(bx_iq_bytes_for(BX_IQ_CI2, blk));
        for (int b = 0; b < DUR_S * 10; b++) {
            assert_int_equal(bx_simsig_generate(g, x, blk), BX_OK);
            const long nb = bx_iq_pack(BX_IQ_CI2, x, blk, 1.0f, raw);
            assert_true(nb > 0);
            assert_int_equal(fwrite(raw, 1, (size_t)nb, f), (size_t)nb);
        }
        assert_int_equal(fclose(f), 0);
        free(x);
        free(raw);
        bx_simsig_destroy(g);
        assert_int_equal(tu_cache_commit(odir, tmp, key), 0);
    }
    char f1[1100], f2[1100], f3[1100], js[1100], ja[1200], u1[1300], u2[1300], u3[1300];
    snprintf(f1, sizeof f1, "%s/b1c.ci2", dir);
    snprintf(f2, sizeof f2, "%s/b2a.ci2", dir);
    snprintf(f3, sizeof f3, "%s/b2b.ci2", odir);
    snprintf(js, sizeof js, "%s/pinned.jsonl", odir);
    snprintf(ja, sizeof ja, "--json=%s", js);
    char age[32];
    snprintf(age, sizeof age, "%.1f", MAX_AGE_CLK);

    /* 1. C59 pinned (--ppp-geo 59): PPP, the outage -> broadcast with the reason, PPP again */
    tu_result_t r;
    run_3(&r, bin, f1, f2, f3, (const char *[]){"--prn", "19-46,59,60", "--ppp", "--ppp-mode", "static", "--ppp-geo", "59",
            "--b2b-max-age", age, "--no-cache", ja, "--ref", "30.5,114.3,50", "-q", NULL});
    printf("%sstderr: %s", r.out, r.err);
    assert_int_equal(r.status, 0);
    outage_stats_t o;
    printf("C59 pinned, epochs:\n");
    outage_analyse(js, &sc, &o);
    printf("C59 pinned: %d epochs, PPP %d (%d before the expiry, %d after the return), %d epochs with C59's clock "
           "expired: %d broadcast fallbacks, %d with the reason; stale corrections applied: %d; last PPP error "
           "horizontal %.3f m, 3D %.3f m\n",
           o.n, o.n_ppp, o.n_ppp_pre, o.n_ppp_post, o.n_expired, o.n_expired_fallback, o.n_expired_reason,
           o.n_stale_used, o.last_err_h, o.last_err_3d);
    assert_true(o.n_ppp_pre >= 3);
    assert_true(o.n_expired >= 3);
    assert_int_equal(o.n_expired_fallback, o.n_expired);
    assert_int_equal(o.n_expired_reason, o.n_expired);
    assert_int_equal(o.n_stale_used, 0);
    assert_true(o.n_ppp_post >= 3);
    assert_non_null(strstr(r.err, "PPP: stopped at"));
    assert_non_null(strstr(r.err, "clock correction too old"));
    assert_non_null(strstr(r.err, "PPP: again at"));
    tu_result_free(&r);

    /* 2. free choice, through the live engine: C59 while it corrects, then C60 (a GEO change
     * restarts the filter: the two streams' clock datums are never mixed) */
    const char *ring = "live=1&wait=1&ring=4194304";
    snprintf(u1, sizeof u1, "file:%s?format=ci2&fs=4e6&fc=1575.42e6&%s", f1, ring);
    snprintf(u2, sizeof u2, "file:%s?format=ci2&fs=12e6&fc=1176.45e6&%s", f2, ring);
    snprintf(u3, sizeof u3, "file:%s?format=ci2&fs=12e6&fc=1207.14e6&%s", f3, ring);
    snprintf(js, sizeof js, "%s/switch.jsonl", odir);
    snprintf(ja, sizeof ja, "--json=%s", js);
    tu_runl(&r, NULL, bin, "live", "--source", u1, "--source", u2, "--source", u3, "--signals", "B1C,B2a,B2b", "--prn",
            "19-46,59,60", "--ppp", "--ppp-mode", "static", "--b2b-max-age", age, "--no-cache", ja, "--ref",
            "30.5,114.3,50", "-q", NULL);
    printf("%sstderr: %s", r.out, r.err);
    assert_int_equal(r.status, 0);
    printf("GEO free, epochs:\n");
    outage_analyse(js, &sc, &o);
    printf("GEO free (live): %d epochs, PPP %d (%d on C60), %d epochs with C59's clock expired: %d not on C59; stale "
           "corrections applied: %d; last PPP error horizontal %.3f m, 3D %.3f m\n",
           o.n, o.n_ppp, o.n_ppp_geo2, o.n_expired, o.n_expired_fallback, o.n_stale_used, o.last_err_h, o.last_err_3d);
    assert_true(o.n_ppp_pre >= 3);
    assert_true(o.n_ppp_geo2 >= 3);
    assert_int_equal(o.n_stale_used, 0);
    assert_int_equal(o.n_expired_fallback, o.n_expired);
    assert_non_null(strstr(r.err, "PPP: corrections now from C60"));
    tu_result_free(&r);
    free(sc.frames);
    free(sc.frames2);
    sc.frames = NULL;
    sc.frames2 = NULL;
    bx_nav_destroy(&sc.truth);
    bx_nav_destroy(&sc.brdc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wideband_b2a_b2b),
        cmocka_unit_test(test_ppp_from_iq),
        cmocka_unit_test(test_ppp_outage_iq),
    };
    if (getenv("BDSRX_PPP_IQ_ONLY")) /* e.g. test_ppp_outage_iq: one case of this slow test */
        cmocka_set_test_filter(getenv("BDSRX_PPP_IQ_ONLY"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
