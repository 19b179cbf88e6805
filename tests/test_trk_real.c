/*
 * Tracking C/N0 on a real capture (issue 14 §5: "not 0 after the first 100 ms"): the PocketSDR
 * 4 MHz IQ file (../shared/testdata/real/pocketsdr_l1_iq, 0.5 s, INT8X2, 2-bit values), its ten
 * B1C satellites started from the independent survey in survey_acq_results_B1CP.txt (not from our
 * acquisition): Doppler sign corrected as its README says, code phase 10 ms - codephase.
 *
 * Reference C/N0: the survey's peak-to-mean ratio R of a PocketSDR-style search (pilot BOC(1,1)
 * replica, 10 ms coherent, 50 Hz bins, sample-spaced lags); PocketSDR defines C/N0 from that ratio
 * as 10 log10(R / T) with T the coherent time (python/sdr_func.py corr_max: P_max / P_ave / T).
 * It sees the pilot's BOC(1,1) part only, 3/4 x 29/33 of the B1C power (shared/icd/signals.md
 * §1.1: -1.81 dB), and loses up to 0.9 dB to a Doppler half-bin (sinc^2(25 Hz x 10 ms)) and
 * several dB to a half-sample code offset (0.13 chip on the BOC(1,1) peak, rounded by the 2.5 MHz
 * front-end filter).  So our total C/N0 should read 1.8 dB plus a 0-5 dB straddle loss above it,
 * less what our own pull-in loses in the 0.5 s (the channels are still pulling in: M2M4 on a
 * correlator that is not yet on the peak, dsp/README.md).  Measured: offsets from (PocketSDR + 1.81) -2.3 .. +4.0 dB,
 * mean +0.45; bounds: each within [-3, +5.5] dB, the mean within [-1.5, +3] dB.
 *
 * Checked: every channel reports C/N0 > 0 at every 10 ms from 0.1 s on (the tracker's own
 * estimate: no acquisition C/N0 is given) and stays out of LOST; the mean over 0.2-0.5 s against
 * the reference.  Skips without the shared data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/iq.h"
#include "bdsrx/trk.h"
#include "testdata.h"

#define FS 4.0e6
#define NMAX 16
#define PILOT_BOC11_DB 1.8124 /* -10 log10(3/4 x 29/33), shared/icd/signals.md §1.1 */

typedef struct {
    int prn;
    double dop_hz, code_chips, ratio;
} survey_t;

/* the 4 MHz IQ section of the survey: entries with a peak-to-mean ratio > 20 (the noise median is
 * ~7; the ten satellites the README lists) */
static int read_survey(const char *path, survey_t *s, int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    int in = 0, n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, ".bin B1CP")) {
            in = strstr(line, "4MHz_IQ") != NULL;
            continue;
        }
        int prn;
        double dop, cp_ms, ratio;
        if (in && n < max && sscanf(line, " C%d dop= %lf Hz codephase=%lf ms ratio=%lf", &prn, &dop, &cp_ms, &ratio) == 4 &&
            ratio > 20.0) {
            s[n].prn = prn;
            s[n].dop_hz = -dop;                          /* the survey read Q with the wrong sign */
            s[n].code_chips = (10.0 - cp_ms) * 1023.0;   /* code phase at sample 0, chips */
            s[n].ratio = ratio;
            n++;
        }
    }
    fclose(f);
    return n;
}

static void test_pocketsdr_cn0(void **state)
{
    (void)state;
    char pbin[512], psur[512];
    if (!testdata_path(pbin, sizeof pbin, "real/pocketsdr_l1_iq/L1_20211202_084700_4MHz_IQ.bin") ||
        !testdata_path(psur, sizeof psur, "real/pocketsdr_l1_iq/survey_acq_results_B1CP.txt"))
        skip();
    survey_t sv[NMAX];
    const int n = read_survey(psur, sv, NMAX);
    assert_int_equal(n, 10);
    bx_trk_t *t[NMAX] = {0};
    char err[256];
    for (int i = 0; i < n; i++) {
        bx_trk_config_t tc;
        bx_trk_config_default(&tc, BX_SIG_B1C, sv[i].prn, FS, 0.0);
        bx_acq_result_t a;
        memset(&a, 0, sizeof a);
        a.prn = sv[i].prn;
        a.detected = 1;
        a.doppler_hz = sv[i].dop_hz;
        a.code_phase_chips = sv[i].code_chips;
        a.cn0_dbhz = 0.0; /* unknown: the tracker's own estimate from 0.1 s */
        assert_int_equal(bx_trk_create(&tc, &a, 0, &t[i], err, sizeof err), BX_OK);
    }
    FILE *f = fopen(pbin, "rb");
    assert_non_null(f);
    enum { BLK = 40000 }; /* 10 ms */
    static int8_t raw[2 * BLK];
    static bx_cf32_t x[BLK];
    double sum[NMAX] = {0};
    int cnt[NMAX] = {0}, zero = 0, lost = 0;
    uint64_t s0 = 0;
    for (int k = 0; fread(raw, 2, BLK, f) == BLK; k++, s0 += BLK) {
        assert_int_equal(bx_iq_convert(BX_IQ_INT8X2, raw, BLK, x), BX_OK);
        for (int i = 0; i < n; i++) {
            assert_int_equal(bx_trk_process(t[i], x, BLK, s0), BX_OK);
            bx_trk_obs_t o;
            assert_int_equal(bx_trk_observe(t[i], s0 + BLK - 1, &o), BX_OK);
            if (k < 9) /* before 0.1 s */
                continue;
            lost += o.state == BX_TRK_LOST;
            if (!(o.cn0_dbhz > 0.0)) {
                zero++;
                printf("NOTE: C%02d reports C/N0 %.2f at %.2f s\n", sv[i].prn, o.cn0_dbhz, (k + 1) * 0.01);
            }
            if (getenv("TRK_REAL_VERBOSE") && k % 10 == 9)
                printf("    %.2f s C%02d %s C/N0 %.1f Doppler %.1f code %.3f\n", (k + 1) * 0.01, sv[i].prn,
                       bx_trk_state_name(o.state), o.cn0_dbhz, o.doppler_hz, o.code_phase_chips);
            if (k >= 19) {
                sum[i] += o.cn0_dbhz;
                cnt[i]++;
            }
        }
    }
    fclose(f);
    double dsum = 0, dmin = 1e9, dmax = -1e9;
    for (int i = 0; i < n; i++) {
        assert_true(cnt[i] > 0);
        const double ours = sum[i] / cnt[i], ref = 10.0 * log10(sv[i].ratio / 0.010);
        const double d = ours - (ref + PILOT_BOC11_DB);
        printf("NOTE: C%02d C/N0 %.1f dB-Hz (mean 0.2-0.5 s), PocketSDR-style 10 log10(R/T) %.1f (pilot BOC(1,1)), "
               "offset from ref + %.2f dB: %+.1f dB\n",
               sv[i].prn, ours, ref, PILOT_BOC11_DB, d);
        dsum += d;
        dmin = fmin(dmin, d);
        dmax = fmax(dmax, d);
        bx_trk_destroy(t[i]);
    }
    printf("NOTE: %d satellites, offsets %+.1f .. %+.1f dB, mean %+.2f dB; C/N0 0 in %d, LOST in %d observations "
           "after 0.1 s\n",
           n, dmin, dmax, dsum / n, zero, lost);
    assert_int_equal(zero, 0);
    assert_int_equal(lost, 0);
    assert_true(dmin > -3.0 && dmax < 5.5);
    assert_true(dsum / n > -1.5 && dsum / n < 3.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pocketsdr_cn0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
