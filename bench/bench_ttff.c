/* Time to first fix (issue 14 §3-4) on the project's simulator with a
 * realistic sky (C/N0 30-45 dB-Hz by elevation, src/sim/simfeed.c), for
 * cold / warm / hot starts x B1C / B2a / both bands x static / field vehicle
 * (4 m/s, 20 m rows, U-turns of 6 m radius), one run per cell (same start
 * time and noise seed for every cell, mid-frame: the next B-CNAV1 frame
 * starts ~7 s in).
 *   cold: nothing known;
 *   warm: ephemerides (as from --nav) and a time hint 2 min off (an unset
 *         clock), no position: coarse-time fix from the satellites'
 *         footprint, the hint corrected;
 *   hot:  ephemerides, a time hint 1.5 s off and a position 40 km off (the
 *         cache of the last run).
 * TTFF = seconds of samples to the first position fix (1 Hz epochs), capped
 * at 45 s.  Also: 3D error of that fix and the channels tracked then.
 * Usage: bench_ttff [cold|warm|hot B1C|B2a|both static|field [strong]]  (no arguments: all 18 cells;
 * "strong": every satellite at 45 dB-Hz, where acquisition finds them all) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simfeed.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"

#define CAP_S 45.0

typedef struct {
    const bx_simscen_config_t *sc;
    double ttff_s, err_m;
    int nch;
} ctx_t;

/* The receiver's own solution (SPP inside bx_rx_process, position/clock feedback on). */
static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    ctx_t *c = user;
    if (!ep->have_time || ep->status != BX_OK || c->ttff_s >= 0)
        return;
    const bx_sol_t *sol = ep->sol;
    const double t_rel = bx_time_diff(ep->obs->time, c->sc->start) - sol->clk_bias_m / BX_CLIGHT_MPS;
    double pos[3], vel[3];
    bx_simscen_position(c->sc, t_rel, pos, vel);
    c->err_m = sqrt((sol->pos_m[0] - pos[0]) * (sol->pos_m[0] - pos[0]) +
                    (sol->pos_m[1] - pos[1]) * (sol->pos_m[1] - pos[1]) +
                    (sol->pos_m[2] - pos[2]) * (sol->pos_m[2] - pos[2]));
    c->ttff_s = bx_rx_elapsed_s(rx);
    bx_rx_chan_status_t ch[2 * BX_RX_MAX_CHANNELS];
    c->nch = bx_rx_channels(rx, ch, 2 * BX_RX_MAX_CHANNELS);
}

static int g_strong; /* 45 dB-Hz everywhere instead of the elevation model */

static void run_cell(int start_kind, int bands, int field)
{
    static const char *const kind_name[3] = {"cold", "warm", "hot"};
    static const char *const band_name[3] = {"B1C", "B2a", "both"};
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    sc.start = bx_time_from_civil(2023, 3, 12, 4, 7, 3.37);
    sc.traj = field ? BX_TRAJ_FIELD : BX_TRAJ_STATIC;
    sc.speed_mps = 4.0;
    sc.row_length_m = 20.0;
    sc.row_spacing_m = 12.0;
    sc.cn0_horizon_dbhz = g_strong ? 0.0 : 30.0;
    sc.cn0_zenith_dbhz = g_strong ? 0.0 : 45.0;
    bx_nav_t nav;
    bx_nav_init(&nav);
    bx_simscen_constellation(&nav, sc.start);
    sc.iono = &nav.iono;

    bx_simfeed_config_t fc;
    bx_simfeed_config_default(&fc);
    fc.sc = sc;
    fc.nav = &nav;
    fc.nband = bands == 2 ? 2 : 1;
    fc.sig[0] = bands == 1 ? BX_SIG_B2A : BX_SIG_B1C;
    fc.fs_hz[0] = bands == 1 ? 12.0e6 : 4.0e6;
    fc.sig[1] = BX_SIG_B2A;
    fc.fs_hz[1] = 12.0e6;
    fc.seed = 3;
    fc.cn0_dbhz = 45.0;
    bx_simfeed_t *f = NULL;
    char err[256];
    if (bx_simfeed_create(&fc, &f, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    ctx_t c = {&sc, -1.0, 0.0, 0};
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = fc.nband;
    for (int b = 0; b < fc.nband; b++)
        rc.stream[b] = (bx_rx_stream_t){fc.sig[b], fc.fs_hz[b], 0.0};
    rc.threads = 1;
    rc.on_epoch = on_epoch;
    rc.user = &c;
    rc.pvt_mode = bands == 2 ? BX_PVT_IF : bands == 1 ? BX_PVT_B2A : BX_PVT_B1C;
    bx_rx_t *rx = NULL;
    if (bx_rx_create(&rc, &rx, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    if (start_kind >= 1) {
        bx_rx_add_nav(rx, &nav);
        bx_rx_set_time_hint(rx, bx_time_add(sc.start, start_kind == 1 ? 120.0 : 1.5), 2.0);
    }
    if (start_kind == 2) {
        const double llh[3] = {sc.llh0[0] + 0.25 * M_PI / 180, sc.llh0[1] + 0.25 * M_PI / 180, 0.0};
        double apr[3];
        bx_llh_to_ecef(llh, apr);
        bx_rx_set_approx_position(rx, apr);
    }
    bx_cf32_t *buf[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    for (int b = 0; b < fc.nband; b++) {
        n[b] = (size_t)(fc.fs_hz[b] / 10.0);
        buf[b] = malloc(n[b] * sizeof *buf[b]);
    }
    for (int k = 0; k < (int)(CAP_S * 10) && c.ttff_s < 0; k++) {
        bx_simfeed_generate(f, 100, buf);
        const bx_cf32_t *const xs[2] = {buf[0], buf[1]};
        bx_rx_process(rx, xs, n);
    }
    int nsat = bx_simfeed_sats(f, 0, NULL, NULL, NULL, 32);
    char msg[200];
    bx_rx_start_info(rx, NULL, msg, sizeof msg);
    if (c.ttff_s >= 0)
        printf("| %-4s | %-4s | %-6s | %5.1f s | %5.1f m | %2d of %2d | %s |\n", kind_name[start_kind],
               band_name[bands], field ? "field" : "static", c.ttff_s, c.err_m, c.nch, nsat * fc.nband, msg);
    else
        printf("| %-4s | %-4s | %-6s | > %.0f s | - | - of %2d | %s |\n", kind_name[start_kind], band_name[bands],
               field ? "field" : "static", CAP_S, nsat * fc.nband, msg);
    fflush(stdout);
    free(buf[0]);
    free(buf[1]);
    bx_rx_destroy(rx);
    bx_simfeed_destroy(f);
    bx_nav_destroy(&nav);
}

int main(int argc, char **argv)
{
    static const char *const kinds[3] = {"cold", "warm", "hot"}, *const bands[3] = {"B1C", "B2a", "both"};
    if (argc == 5 && !strcmp(argv[4], "strong")) {
        g_strong = 1;
        argc = 4;
    }
    if (argc == 4) {
        int k = -1, b = -1;
        for (int i = 0; i < 3; i++) {
            if (!strcmp(argv[1], kinds[i]))
                k = i;
            if (!strcmp(argv[2], bands[i]))
                b = i;
        }
        if (k < 0 || b < 0) {
            fprintf(stderr, "usage: bench_ttff [cold|warm|hot B1C|B2a|both static|field [strong]]\n");
            return 2;
        }
        run_cell(k, b, !strcmp(argv[3], "field"));
        return 0;
    }
    printf("TTFF on the simulator, C/N0 30-45 dB-Hz by elevation (satellites above 10 deg), one run per cell:\n");
    printf("| start | bands | motion | TTFF | 3D error | channels | how the time was found |\n|---|---|---|---|---|---|---|\n");
    for (int k = 2; k >= 0; k--)
        for (int b = 0; b < 3; b++)
            for (int m = 0; m < 2; m++)
                run_cell(k, b, m);
    return 0;
}
