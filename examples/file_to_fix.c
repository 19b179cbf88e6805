/*
 * Samples from a file -> positions: the library opens the capture (format, rate
 * and centre frequency from its .sigmf-meta / .tag sidecar), runs acquisition,
 * tracking, decoding and positioning, and calls back once per epoch.
 *   file_to_fix CAPTURE [NAV.rnx]     (NAV: ephemerides known beforehand, optional)
 * Exits 0 when at least one epoch gave a valid position.
 */
#define _POSIX_C_SOURCE 200809L /* access() under -std=c11 */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <bdsrx/bdsrx.h>

#define PI 3.14159265358979323846

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    int *nfix = user;
    if (!ep->valid) /* no fix yet (ep->sol->reason says why) or one that failed RAIM */
        return;
    const bx_sol_t *s = ep->sol;
    printf("%.1f s: lat %.7f lon %.7f h %.2f m, %d satellites, clock %.1f m\n", bx_rx_elapsed_s(rx),
           s->llh[0] * 180 / PI, s->llh[1] * 180 / PI, s->llh[2], s->n_used, s->clk_bias_m);
    ++*nfix;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAPTURE [NAV.rnx]\n", argv[0]);
        return 2;
    }
    if (access(argv[1], R_OK) != 0 || (argc > 2 && access(argv[2], R_OK) != 0)) {
        printf("SKIP: input %s missing\n", access(argv[1], R_OK) != 0 ? argv[1] : argv[2]);
        return 0;
    }
    int nfix = 0;
    char err[256];
    bx_live_config_t c;
    bx_live_config_default(&c); /* mode from the signal(s): one band -> that band, B1C+B2a -> iono-free */
    c.uri = argv[1];
    c.rx.on_epoch = on_epoch;
    c.rx.user = &nfix;
    bx_live_t *lv = NULL;
    if (bx_live_create(&c, &lv, err, sizeof err) != BX_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    bx_nav_t nav;
    bx_nav_init(&nav);
    if (argc > 2 && (bx_rinex_nav_read(argv[2], &nav, err, sizeof err) != BX_OK ||
                     bx_rx_add_nav(bx_live_rx(lv), &nav) != BX_OK))
        fprintf(stderr, "%s: %s (decoding the ephemerides from the signal instead)\n", argv[2], err);
    int st;
    while ((st = bx_live_step(lv)) > 0)
        ;
    if (st < 0)
        fprintf(stderr, "%s\n", bx_live_error(lv));
    bx_nav_destroy(&nav);
    bx_live_destroy(lv);
    printf("%d positions\n", nfix);
    return nfix > 0 ? 0 : 1;
}
