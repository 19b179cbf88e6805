/* RTK statistics over many random trials (too long for `make check`):
 * simulated base + rover from the real broadcast ephemerides of the Nagoya
 * pair (tests/rtk_sim.h), random baselines, start times, clocks, noise,
 * ambiguities and slips.  Reports per scenario: trials without a fix, time to
 * first fix (median, 95 %, max), fixed share after the first fix, horizontal
 * error of fixed epochs, and WRONG fixes (fixed epochs where a fixed DD
 * ambiguity differs from the simulated integer).  Usage: bench_rtk [trials per scenario, default 40]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/rtk_sim.h"
#include "../tests/testdata.h"
#include "bdsrx/rinex_nav.h"

#define D2R (M_PI / 180.0)

typedef struct {
    const char *name;
    int sig1, sig2, mode /* bx_rtk_mode_t, + 10 for fix-and-hold, + 20 without Doppler */, moving, epochs;
    double bl_min, bl_max, iono_grad_ppm, tropo_m, code_m, phase_m, slip_rate;
    uint64_t prn_mask;
} scen_t;

static int cmp_d(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const int trials = argc > 1 ? atoi(argv[1]) : 40;
    char path[512];
    if (!testdata_path(path, sizeof path, "real/rtk_nagoya_static/base.nav"))
        return 0;
    bx_nav_t nav;
    bx_nav_init(&nav);
    char err[300];
    if (bx_rinex_nav_read(path, &nav, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const uint64_t bds3_meo = ((1ull << 47) - 1) & ~((1ull << 19) - 1) & ~(1ull << 31) & ~(1ull << 38) &
                              ~(1ull << 39) & ~(1ull << 40); /* C19-C46 without the IGSO C31, C38-C40 */
    const scen_t sc[] = {
        {"static B1I+B3I 2-10 km", BX_SIG_B1I, BX_SIG_B3I, BX_RTK_STATIC, 0, 120, 2e3, 10e3, 1.0, 0.003, 0.3, 0.003,
         0.0, 0},
        {"moving B1C+B2a slips 2-10 km", BX_SIG_B1C, BX_SIG_B2A, BX_RTK_KINEMATIC, 1, 150, 2e3, 10e3, 1.0, 0.003, 0.3,
         0.003, 0.002, 0},
        {"moving B1C+B2a BDS-3 MEO only, 10 km, 2 ppm iono, 1 cm tropo", BX_SIG_B1C, BX_SIG_B2A, BX_RTK_KINEMATIC, 1,
         150, 9e3, 10e3, 2.0, 0.01, 0.3, 0.003, 0.001, bds3_meo},
        {"static B1C only 5-10 km, 2 ppm iono, noisy", BX_SIG_B1C, -1, BX_RTK_STATIC, 0, 180, 5e3, 10e3, 2.0, 0.005,
         0.6, 0.005, 0.0, 0},
        {"moving B1C only slips (half without LLI) 1-5 km", BX_SIG_B1C, -1, BX_RTK_KINEMATIC, 1, 180, 1e3, 5e3, 1.0,
         0.003, 0.3, 0.003, 0.002, 0},
        {"static B1I+B3I fix-and-hold slips 2-10 km", BX_SIG_B1I, BX_SIG_B3I, BX_RTK_STATIC + 10, 0, 150, 2e3, 10e3,
         1.0, 0.003, 0.3, 0.003, 0.002, 0},
        {"moving B1I+B3I without Doppler (position re-initialised each epoch) 2-10 km", BX_SIG_B1I, BX_SIG_B3I,
         BX_RTK_KINEMATIC + 20, 1, 120, 2e3, 10e3, 1.0, 0.003, 0.3, 0.003, 0.0, 0},
        {"kinematic B1I only MEO 1-3 km", BX_SIG_B1I, -1, BX_RTK_KINEMATIC, 1, 180, 1e3, 3e3, 1.0, 0.003, 0.3, 0.003,
         0.0, bds3_meo},
    };
    sim_rng_t rng = {0xabcdef12345ull};
    for (size_t s = 0; s < sizeof sc / sizeof sc[0]; s++) {
        const scen_t *S = &sc[s];
        int nofix = 0, wrong = 0, ep = 0, fixed = 0, after = 0, nttff = 0;
        double *ttff = calloc((size_t)trials, sizeof(double)), sum2 = 0.0, maxh = 0.0;
        for (int t = 0; t < trials; t++) {
            sim_cfg_t c;
            memset(&c, 0, sizeof c);
            c.nsig = S->sig2 >= 0 ? 2 : 1;
            c.sig[0] = S->sig1;
            c.sig[1] = S->sig2;
            c.base_llh[0] = 35.1347 * D2R;
            c.base_llh[1] = 136.9776 * D2R;
            c.base_llh[2] = 105.0;
            const double bl = S->bl_min + (S->bl_max - S->bl_min) * sim_u(&rng), az = 2 * M_PI * sim_u(&rng);
            c.baseline_enu[0] = bl * sin(az);
            c.baseline_enu[1] = bl * cos(az);
            c.baseline_enu[2] = 20.0 * (sim_u(&rng) - 0.5);
            c.moving = S->moving;
            c.code_sigma_m = S->code_m;
            c.phase_sigma_m = S->phase_m;
            c.iono_vtec_tecu = 20.0;
            c.iono_grad_ppm = S->iono_grad_ppm;
            c.tropo_wet_sigma_m = S->tropo_m;
            c.slip_rate = S->slip_rate;
            c.slip_lli_frac = 0.5;
            c.elmask_deg = 10.0;
            c.prn_mask = S->prn_mask;
            c.rtk_hold = S->mode % 20 >= 10;
            c.no_doppler = S->mode >= 20;
            const bx_time_t t0 = bx_time_gpst_to_bdt(
                bx_time_add(bx_time_from_civil(2024, 6, 24, 7, 10, 0.0), floor(6000.0 * sim_u(&rng))));
            simres_t r;
            if (sim_run(&nav, &c, S->mode % 10, S->epochs, 50000 + (uint64_t)t * 104729 + s, t0, &r)) {
                fprintf(stderr, "engine error\n");
                return 1;
            }
            ep += r.epochs;
            fixed += r.fixed;
            wrong += r.wrong;
            if (r.first < 0) {
                nofix++;
                continue;
            }
            ttff[nttff++] = r.first;
            after += r.epochs - r.first;
            sum2 += r.sum2_h;
            maxh = fmax(maxh, r.max_err_h);
        }
        qsort(ttff, (size_t)nttff, sizeof(double), cmp_d);
        printf("%s: %d trials x %d s: no fix %d; time to first fix median %.0f s, 95%% %.0f s, max %.0f s; fixed "
               "%.2f %% after first fix; horizontal RMS %.4f m, max %.4f m; WRONG fixes %d of %d fixed epochs\n",
               S->name, trials, S->epochs, nofix, nttff ? ttff[nttff / 2] : -1.0,
               nttff ? ttff[(int)(0.95 * (nttff - 1))] : -1.0, nttff ? ttff[nttff - 1] : -1.0,
               after ? 100.0 * fixed / after : 0.0, fixed > wrong ? sqrt(sum2 / (fixed - wrong)) : 0.0, maxh, wrong,
               fixed);
        printf("SUMMARY rtk %s: wrong fixes %d / %d fixed epochs, no fix %d / %d trials\n", S->name, wrong, fixed, nofix,
               trials);
        free(ttff);
    }
    bx_nav_destroy(&nav);
    return 0;
}
