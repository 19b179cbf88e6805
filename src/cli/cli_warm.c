/* Warm / hot start on the command line: cache, time and position hints (cli_warm.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/starthint.h"
#include "bdsrx/time.h"
#include "cli_warm.h"

#define HINT_SIGMA_S 2.0 /* a hand-set or host clock time, and a recorder's start stamp */

void cli_warm_init(cli_warm_t *w)
{
    memset(w, 0, sizeof *w);
    w->apr_llh[0] = w->apr_llh[1] = w->apr_llh[2] = NAN;
}

int cli_warm_setup(cli_warm_t *w, bx_rx_t *rx, const char *capture, int quiet, const char *prog)
{
    char err[512], src[160] = "";
    double pos[3];
    int have_pos = 0;
    if (!w->no_cache && bx_navcache_dir(w->cache_dir, sizeof w->cache_dir) == BX_OK) {
        bx_nav_t nav;
        bx_nav_init(&nav);
        int n = bx_navcache_load(w->cache_dir, &nav, pos, &have_pos, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "%s: navigation cache ignored: %s\n", prog, err);
            have_pos = 0;
        } else if (n > 0) {
            bx_rx_add_nav(rx, &nav);
        }
        if (!quiet && (n > 0 || have_pos))
            fprintf(stderr, "%s: cache %s: %d ephemerides%s\n", prog, w->cache_dir, n > 0 ? n : 0,
                    have_pos ? ", last position" : "");
        bx_nav_destroy(&nav);
    } else {
        w->cache_dir[0] = 0;
    }
    if (!isnan(w->apr_llh[0])) {
        const double llh[3] = {w->apr_llh[0] * M_PI / 180.0, w->apr_llh[1] * M_PI / 180.0, w->apr_llh[2]};
        bx_llh_to_ecef(llh, pos);
        have_pos = 1;
    }
    if (have_pos)
        bx_rx_set_approx_position(rx, pos);

    bx_time_t t;
    int have_t = 0;
    if (w->time) {
        if (bx_hint_parse_utc(w->time, &t) != BX_OK) {
            fprintf(stderr, "%s: --time '%s': give UTC as 'YYYY-MM-DD HH:MM:SS'\n", prog, w->time);
            return -1;
        }
        snprintf(src, sizeof src, "--time %s UTC", w->time);
        have_t = 1;
    } else if (capture) {
        int rc = bx_hint_capture_time(capture, &t, src, sizeof src, err, sizeof err);
        if (rc < 0)
            fprintf(stderr, "%s: no time hint from the sidecar: %s\n", prog, err);
        have_t = rc == 1;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        /* Unix time -> UTC on bdsrx's scale (2006-01-01 = 1136073600 Unix) */
        const bx_time_t utc = bx_time_make((int64_t)ts.tv_sec - 1136073600, 1e-9 * (double)ts.tv_nsec);
        t = bx_time_utc_to_bdt(utc, bx_time_leap_bdt_utc_s(utc));
        snprintf(src, sizeof src, "system clock");
        have_t = 1;
    }
    if (have_t) {
        bx_rx_set_time_hint(rx, t, HINT_SIGMA_S);
        w->hinted = 1;
        if (!quiet)
            fprintf(stderr, "%s: time hint from %s%s\n", prog, src,
                    bx_rx_nav(rx)->n_eph ? "" : " (no ephemerides yet: no hot start)");
    }
    return 0;
}

void cli_warm_finish(cli_warm_t *w, bx_rx_t *rx, const solout_t *out, FILE *o, const char *prog)
{
    char msg[200], err[512];
    double herr;
    int kind = bx_rx_start_info(rx, &herr, msg, sizeof msg);
    if (kind > 0 || w->hinted)
        fprintf(o, "start: %s\n", kind > 0 ? msg : "no time found (no frame decoded, no coarse-time fix)");
    if (!w->cache_dir[0] || w->no_cache)
        return;
    const double *pos = out && out->have_last && out->last.fix != BX_FIX_NONE ? out->last.pos_m : NULL;
    if (bx_rx_nav(rx)->n_eph == 0 && !pos)
        return;
    if (bx_navcache_save(w->cache_dir, bx_rx_nav(rx), pos, err, sizeof err) != BX_OK)
        fprintf(stderr, "%s: navigation cache not updated: %s\n", prog, err);
}
