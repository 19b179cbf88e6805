/*
 * Samples pushed in blocks from memory -> positions: the program owns the
 * samples (here read from a capture with the IQ reader, standing in for a
 * front-end driver's buffers) and hands them to the receiver engine block by
 * block; each epoch's solution comes back through the callback.
 *   blocks_to_fix CAPTURE [NAV.rnx]     Exits 0 when a valid position was found.
 */
#define _POSIX_C_SOURCE 200809L /* access() under -std=c11 */
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>

#include <bdsrx/bdsrx.h>

#define PI 3.14159265358979323846

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    if (!ep->valid) /* no fix (ep->sol->reason says why), or RAIM failed */
        return;
    *(int *)user += 1;
    printf("sample %llu: lat %.7f lon %.7f h %.2f m (mode %d)\n", (unsigned long long)ep->sample,
           ep->sol->llh[0] * 180 / PI, ep->sol->llh[1] * 180 / PI, ep->sol->llh[2], ep->mode);
}

int main(int argc, char **argv)
{
    if (argc < 2 || access(argv[1], R_OK) != 0 || (argc > 2 && access(argv[2], R_OK) != 0)) {
        printf("SKIP: usage: %s CAPTURE [NAV.rnx] (inputs must exist)\n", argv[0]);
        return 0;
    }
    char err[256];
    int nfix = 0;
    bx_iq_reader_t *in = NULL; /* the IQ reader: format, rate, frequencies from the sidecar */
    bx_rx_t *rx = NULL;
    bx_cf32_t *buf = NULL;
    bx_nav_t nav;
    bx_nav_init(&nav);
    if (bx_iq_open(argv[1], NULL, &in, err, sizeof err) != BX_OK ||
        (argc > 2 && bx_rinex_nav_read(argv[2], &nav, err, sizeof err) != BX_OK))
        return fprintf(stderr, "%s\n", err), bx_iq_destroy(in), 1;
    const bx_iq_params_t *p = bx_iq_params(in);
    bx_rx_config_t c;
    bx_rx_config_default(&c);
    c.n_streams = 1;
    c.stream[0].sig = fabs(p->fc_hz - BX_FREQ_B2A_HZ) < 20e6 ? BX_SIG_B2A : BX_SIG_B1C;
    c.stream[0].fs_hz = p->fs_hz;
    c.stream[0].if_hz = isnan(p->if_hz) ? 0.0 : p->if_hz;
    c.on_epoch = on_epoch;
    c.user = &nfix;
    const size_t block = (size_t)(p->fs_hz / 10); /* 100 ms: any length works */
    if ((buf = malloc(block * sizeof *buf)) && bx_rx_create(&c, &rx, err, sizeof err) == BX_OK) {
        bx_rx_add_nav(rx, &nav); /* ephemerides known beforehand (none: decoded from the signal) */
        long n;
        while ((n = bx_iq_read(in, buf, block)) > 0) {
            const bx_cf32_t *const x[1] = {buf};
            const size_t len[1] = {(size_t)n};
            bx_rx_process(rx, x, len);
        }
    } else
        fprintf(stderr, "%s\n", buf ? err : "out of memory");
    printf("%d positions\n", nfix);
    bx_rx_destroy(rx);
    free(buf);
    bx_iq_destroy(in);
    bx_nav_destroy(&nav);
    return nfix > 0 ? 0 : 1;
}
