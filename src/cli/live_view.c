/*
 * Live status view (ANSI screen and plain line), see src/cli/live_view.h.
 */
#include <math.h>
#include <string.h>

#include "live_view.h"
#include "bdsrx/trk.h"

#define BAR_W 16
#define BAR_MIN_DBHZ 20.0 /* empty bar: below any tracking threshold */
#define BAR_MAX_DBHZ 52.0 /* full bar: a strong open-sky signal */
#define EOL "\033[K\n"    /* clear the rest of the line, then newline */

static const char *sig_name(int sig) { return sig == BX_SIG_B2A ? "B2a" : sig == BX_SIG_B2B ? "B2b" : "B1C"; }

static void cn0_bar(char *out, double cn0_dbhz)
{
    int k = (int)lround((cn0_dbhz - BAR_MIN_DBHZ) / (BAR_MAX_DBHZ - BAR_MIN_DBHZ) * BAR_W);
    k = k < 0 ? 0 : k > BAR_W ? BAR_W : k;
    memset(out, '#', (size_t)k);
    memset(out + k, '.', (size_t)(BAR_W - k));
    out[BAR_W] = 0;
}

static int locked_count(const bx_live_view_t *v)
{
    int n = 0;
    for (int i = 0; i < v->n_ch; i++)
        n += v->ch[i].state == BX_TRK_LOCKED;
    return n;
}

static void stats_text(FILE *f, const bx_live_stats_t *s)
{
    fprintf(f, "t %.1f s  lost %llu samples (%llu events)  speed %.2fx real time  ring %.0f%% (max %.0f%%)",
            s->clock_s, (unsigned long long)s->dropped_samples, (unsigned long long)s->drop_events, s->speed_x,
            100 * s->ring_fill, 100 * s->ring_fill_max);
}

void bx_live_view_draw(FILE *f, const bx_live_view_t *v)
{
    fputs("\033[H", f); /* cursor home; every line clears its own rest */
    fprintf(f, "bdsrx live  %s" EOL, v->device ? v->device : "");
    fprintf(f, EOL "sig  PRN  C/N0 dB-Hz            Doppler Hz  state   lock s  sync frames time eph" EOL);
    for (int i = 0; i < v->n_ch; i++) {
        const bx_rx_chan_status_t *c = &v->ch[i];
        char bar[BAR_W + 1];
        cn0_bar(bar, c->cn0_dbhz);
        fprintf(f, "%s  C%02d  %4.1f %s %10.1f  %-7s %7.1f  %-4s %3d/%-2d %-4s %-3s" EOL, sig_name(c->sig), c->prn,
                c->cn0_dbhz, bar, c->doppler_hz, bx_trk_state_name(c->state), c->lock_s, c->sec_sync ? "yes" : "-",
                c->frames_ok, c->frames_bad, c->have_time ? "yes" : "-", c->have_eph ? "yes" : "-");
    }
    if (v->n_ch == 0)
        fprintf(f, "(searching ...)" EOL);
    fprintf(f, EOL);
    const bx_sol_t *s = v->sol;
    if (s && s->fix != BX_FIX_NONE) {
        fprintf(f, "position  lat %11.7f  lon %12.7f  h %8.2f m   fixes %d" EOL, s->llh[0] * 180 / M_PI,
                s->llh[1] * 180 / M_PI, s->llh[2], v->n_fix);
        if (v->rtk)
            fprintf(f, "rtk       %s  ratio %.1f  baseline %.3f m  age %.1f s  %s  %s" EOL,
                    s->fix == BX_FIX_FIXED ? "fixed" : s->fix == BX_FIX_FLOAT ? "float" : "single-point", v->ratio,
                    v->baseline_m, v->age_s, v->rtk_msg ? v->rtk_msg : "", v->base ? v->base : "");
        if (v->ppp)
            fprintf(f, "ppp       %s" EOL, v->ppp->status == BX_RX_PPP_OK ? "PPP-B2b corrections applied" : v->ppp->msg);
        fprintf(f, "sats used %d (excluded %d)  GDOP %.1f PDOP %.1f HDOP %.1f VDOP %.1f TDOP %.1f" EOL, s->n_used,
                s->n_excl, s->gdop, s->pdop, s->hdop, s->vdop, s->tdop);
    } else {
        fprintf(f, "position  no fix%s%s" EOL, s && s->reason[0] ? ": " : "", s ? s->reason : "");
        fprintf(f, "channels %d, locked %d" EOL, v->n_ch, locked_count(v));
    }
    stats_text(f, &v->stats);
    fputs(EOL "\033[J", f); /* clear whatever the previous, longer screen left below */
    fflush(f);
}

void bx_live_view_line(FILE *f, const bx_live_view_t *v)
{
    int timed = 0, eph = 0;
    for (int i = 0; i < v->n_ch; i++) {
        timed += v->ch[i].have_time;
        eph += v->ch[i].have_eph;
    }
    fprintf(f, "ch %d locked %d time %d eph %d  ", v->n_ch, locked_count(v), timed, eph);
    const bx_sol_t *s = v->sol;
    if (s && s->fix != BX_FIX_NONE)
        fprintf(f, "%s %.7f %.7f %.1f m  sats %d HDOP %.1f  ",
                s->fix == BX_FIX_FIXED ? "RTK-FIXED" : (s->flags & BX_SOLF_PPP) ? "PPP" :
                s->fix == BX_FIX_FLOAT ? "RTK-FLOAT" : "FIX",
                s->llh[0] * 180 / M_PI, s->llh[1] * 180 / M_PI, s->llh[2], s->n_used, s->hdop);
    else
        fprintf(f, "no fix  ");
    if (v->rtk) {
        if (s && s->fix >= BX_FIX_FLOAT)
            fprintf(f, "ratio %.1f baseline %.3f m age %.1f s  ", v->ratio, v->baseline_m, v->age_s);
        else
            fprintf(f, "rtk: %s  ", v->rtk_msg && v->rtk_msg[0] ? v->rtk_msg : "-");
        fprintf(f, "%s  ", v->base ? v->base : "");
    }
    if (v->ppp) {
        if (v->ppp->status == BX_RX_PPP_OK)
            fprintf(f, "C%02d corrects %d  sigma E %.2f N %.2f U %.2f m  ", v->ppp->geo_prn, v->ppp->n_corr,
                    v->ppp->sigma_enu_m[0], v->ppp->sigma_enu_m[1], v->ppp->sigma_enu_m[2]);
        else
            fprintf(f, "ppp: %s  ", v->ppp->msg[0] ? v->ppp->msg : "-");
    }
    stats_text(f, &v->stats);
    fputc('\n', f);
    fflush(f);
}
