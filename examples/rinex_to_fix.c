/*
 * RINEX observations + navigation data -> positions: the library's single-point
 * solver on another receiver's measurements (no signal processing).
 *   rinex_to_fix OBS.rnx NAV.rnx[.gz]
 * Prints one line per epoch; exits 0 when at least one epoch gave a position.
 */
#define _POSIX_C_SOURCE 200809L /* access() under -std=c11 */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <bdsrx/bdsrx.h>

#define PI 3.14159265358979323846

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OBS.rnx NAV.rnx\n", argv[0]);
        return 2;
    }
    if (access(argv[1], R_OK) != 0 || access(argv[2], R_OK) != 0) {
        printf("SKIP: %s or %s not found\n", argv[1], argv[2]);
        return 0;
    }
    char err[256];
    bx_nav_t nav;
    bx_nav_init(&nav);
    bx_rinex_obs_reader_t *rd = NULL;
    bx_pvt_t *pvt = NULL;
    bx_pvt_config_t pc;
    bx_pvt_config_default(&pc); /* B1C/B2a ionosphere-free, RAIM on */
    int nfix = 0;
    if (bx_rinex_nav_read(argv[2], &nav, err, sizeof err) != BX_OK ||
        bx_rinex_obs_open(argv[1], &rd, err, sizeof err) != BX_OK ||
        bx_pvt_create(&pc, &pvt, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
    } else {
        static bx_obs_t obs; /* large: not on the stack */
        static bx_sol_t sol;
        while (bx_rinex_obs_read(rd, &obs) == BX_OK) {
            if (bx_pvt_solve(pvt, &obs, &nav, &sol) != BX_OK || !bx_sol_valid(&sol)) {
                printf("no fix: %s\n", sol.reason);
                continue;
            }
            int week;
            double sow = bx_time_to_week_sow(sol.time, &week);
            printf("BDT %d %.1f  lat %.7f lon %.7f h %.2f m  %d satellites  PDOP %.1f\n", week, sow,
                   sol.llh[0] * 180 / PI, sol.llh[1] * 180 / PI, sol.llh[2], sol.n_used, sol.pdop);
            nfix++;
        }
    }
    bx_pvt_destroy(pvt);
    bx_rinex_obs_destroy(rd);
    bx_nav_destroy(&nav);
    printf("%d positions\n", nfix);
    return nfix > 0 ? 0 : 1;
}
