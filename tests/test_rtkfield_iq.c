/*
 * RTK on a field path, end to end from IQ (E2E_TESTS, `make check-e2e`: two 75 s captures of
 * 600 MB each, two receiver runs; minutes on 2 cores).  Issue 10's proof:
 *   bdsrx-sim makes a base and a rover capture of the same sky at the same time (same --start,
 *   B1C 4 MHz + B2a 12 MHz, 2-bit, C/N0 30-45 dB-Hz by elevation, the 24 MEO + 3 IGSO: 10
 *   satellites above 5 deg), independent noise seeds, whole-cycle single differences
 *   (--tau-phase), and an atmosphere that differs between the two places: a vertical TEC
 *   gradient of 0.02 / 0.01 TECU/km east / north (3.2 / 1.6 mm/km zenith on B1C), a zenith
 *   troposphere gradient of 1 / 0.5 mm/km, a smooth random TEC field of 0.02 TECU per satellite,
 *   the carrier advanced by the ionosphere as the code is delayed (--iono-phase).
 *   The base is static at 30.5 N 114.3 E; the rover starts 4.4 km north and 1.9 km east of it
 *   (4.8 km baseline) and drives 100 m rows at 3 m/s with 12 m U-turns.
 *   `bdsrx run BASE --rtcm-out` gives the base's RTCM3; `bdsrx run ROVER --base that --base-pos`
 *   (kinematic; the engine's atmosphere states switch on beyond 1.5 km) gives the rover's RTK
 *   solutions, compared here with the simulated path (bx_simscen_position with the same
 *   scenario) at each epoch.
 * Asserted: first fixed epoch <= 30 s into the capture (and after the first RTK epoch), > 99 % of the epochs fixed from
 * then on, horizontal error of the fixed epochs < 2 cm RMS, no fixed epoch off by more than
 * 10 cm (a wrong fix accepted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "testutil.h"

#define BASE_LLH "30.5,114.3,50"
#define ROVER_LLH "30.54,114.32,52"

static void test_rtk_field_path(void **state)
{
    (void)state;
    char bin[512], sim[512];
    if (!tu_bin(bin, sizeof bin, "bdsrx") || !tu_bin(sim, sizeof sim, "bdsrx-sim")) {
        printf("SKIP: bin/bdsrx or bin/bdsrx-sim not built\n");
        skip();
    }
    const char *common[] = {"--signals", "B1C,B2a", "--fs-b1c", "4000000", "--fs-b2a", "12000000", "--format", "ci2",
                            "--duration", "75", "--cn0-el", "30,45", "--tau-phase", "--igso", "--iono-grad",
                            "0.02,0.01", "--tropo-grad", "1,0.5", "--iono-resid", "0.02", "--iono-phase"};
    const size_t nc = sizeof common / sizeof common[0];
    const char *ab[40], *ar[48];
    size_t n = 0;
    for (size_t i = 0; i < nc; i++, n++)
        ab[n] = ar[n] = common[i];
    size_t nb = n, nr = n;
    ab[nb++] = "--seed", ab[nb++] = "5", ab[nb++] = "--pos", ab[nb++] = BASE_LLH, ab[nb] = NULL;
    const char *rextra[] = {"--seed", "6", "--pos", ROVER_LLH, "--motion", "field", "--speed", "3", "--row-length",
                            "100", "--row-spacing", "12"};
    for (size_t i = 0; i < sizeof rextra / sizeof rextra[0]; i++)
        ar[nr++] = rextra[i];
    ar[nr] = NULL;
    char bdir[600], rdir[600];
    assert_int_equal(tu_sim_capture(sim, ab, bdir, sizeof bdir), 0);
    assert_int_equal(tu_sim_capture(sim, ar, rdir, sizeof rdir), 0);

    char dir[] = "/tmp/bdsrx_test_rtkfield_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char b1[700], b2[700], r1[700], r2[700], rtcm[700], json[700], jarg[720];
    snprintf(b1, sizeof b1, "%s/s_b1c.ci2", bdir);
    snprintf(b2, sizeof b2, "%s/s_b2a.ci2", bdir);
    snprintf(r1, sizeof r1, "%s/s_b1c.ci2", rdir);
    snprintf(r2, sizeof r2, "%s/s_b2a.ci2", rdir);
    snprintf(rtcm, sizeof rtcm, "%s/base.rtcm3", dir);
    snprintf(json, sizeof json, "%s/rover.json", dir);
    snprintf(jarg, sizeof jarg, "--json=%s", json);
    tu_result_t r;
    int st = tu_runl(&r, NULL, bin, "run", b1, b2, "--rtcm-out", rtcm, "--no-cache", "--quiet", "--threads", "2", NULL);
    if (st)
        printf("base run: %s\n", r.err);
    tu_result_free(&r);
    assert_int_equal(st, 0);
    st = tu_runl(&r, NULL, bin, "run", r1, r2, "--base", rtcm, "--base-pos", BASE_LLH, jarg, "--no-cache", "--quiet",
                 "--threads", "2", NULL);
    printf("%s", r.out);
    if (st)
        printf("rover run: %s\n", r.err);
    tu_result_free(&r);
    assert_int_equal(st, 0);

    /* the simulated rover path: the scenario bdsrx-sim ran */
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    sc.start = bx_time_from_civil(2023, 3, 12, 4, 5, 34.0); /* bdsrx-sim's default --start (BDT) */
    sc.llh0[0] = 30.54 * M_PI / 180.0, sc.llh0[1] = 114.32 * M_PI / 180.0, sc.llh0[2] = 52.0;
    sc.traj = BX_TRAJ_FIELD;
    sc.speed_mps = 3.0, sc.row_length_m = 100.0, sc.row_spacing_m = 12.0;

    FILE *f = fopen(json, "r");
    assert_non_null(f);
    static char line[1 << 16];
    int n_ep = 0, n_rtk = 0, after = 0, fixed_after = 0, wrong = 0;
    double t_rtk = NAN, t_fix = NAN, sum2 = 0.0, max_h = 0.0, bl_km = NAN;
    while (fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o)
            continue;
        n_ep++;
        const char *fx = json_string_value(json_object_get(o, "fix"));
        const int fixed = fx && !strcmp(fx, "fixed"), flt = fx && !strcmp(fx, "float");
        json_t *p = json_object_get(o, "ecef_m");
        const int week = (int)json_integer_value(json_object_get(o, "bdt_week"));
        const double sow = json_real_value(json_object_get(o, "bdt_sow"));
        if ((fixed || flt) && json_is_array(p)) {
            const double t_rel = bx_time_diff(bx_time_from_week_sow(week, sow), sc.start);
            double truth[3], vel[3], d[3], enu[3];
            bx_simscen_position(&sc, t_rel, truth, vel);
            for (int i = 0; i < 3; i++)
                d[i] = json_number_value(json_array_get(p, i)) - truth[i];
            bx_ecef_to_enu(sc.llh0, d, enu);
            const double eh = hypot(enu[0], enu[1]);
            json_t *bl = json_object_get(o, "baseline_m");
            if (json_is_number(bl))
                bl_km = json_number_value(bl) / 1e3;
            if (n_rtk++ == 0)
                t_rtk = t_rel;
            if (fixed && isnan(t_fix))
                t_fix = t_rel;
            if (!isnan(t_fix)) {
                after++;
                if (fixed) {
                    fixed_after++;
                    sum2 += eh * eh;
                    max_h = fmax(max_h, eh);
                    wrong += eh > 0.10;
                }
            }
        }
        json_decref(o);
    }
    fclose(f);
    tu_rmtree(dir);
    const double rate = after ? (double)fixed_after / after : 0.0, rms = fixed_after ? sqrt(sum2 / fixed_after) : NAN;
    printf("NOTE: field path, %.1f km baseline: %d epochs, %d RTK from %.0f s of the capture, first fix at %.0f s (%.0f s "
           "after the first RTK epoch); %d/%d fixed from then on (%.1f %%); horizontal error of fixed epochs RMS "
           "%.4f m, max %.4f m; %d fixed epochs off by > 10 cm\n",
           bl_km, n_ep, n_rtk, t_rtk, t_fix, t_fix - t_rtk, fixed_after, after, 100.0 * rate, rms, max_h, wrong);
    assert_true(n_rtk > 0 && !isnan(t_fix));
    assert_true(bl_km > 1.0 && bl_km < 10.0);
    assert_true(t_fix <= 30.0); /* from the start of the capture (cold: ephemerides from the signal) */
    assert_true(t_fix - t_rtk <= 30.0);
    assert_true(rate > 0.99);
    assert_true(rms < 0.02);
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtk_field_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
