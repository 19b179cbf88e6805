/*
 * Receiver channel: tracking + navigation frames + transmit-time anchor.
 *
 * Transmit time.  Tracking measures the transmit time modulo the pilot
 * secondary-code period P (B1C: 18 s = one B-CNAV1 frame; B2a: 100 ms), see
 * signals.md §1.3.  A decoded frame gives the absolute BDT of its first
 * symbol (navmsg.md §2.1 B-CNAV1: HOW*3600 + SOH*18; §3.1 B-CNAV2: SOW*3),
 * which is a multiple of P, and the sample at which that symbol arrived: the
 * anchor.  At any later sample S the transmit time is the anchor time plus the
 * multiple of P nearest to (S - anchor)/fs, plus the in-period time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "bdsrx/navmsg.h"
#include "bdsrx/orbit.h"
#include "bdsrx/time.h"

#define B1C_PERIOD_S 18.0 /* B1C pilot secondary code, signals.md §1 */
#define B2A_PERIOD_S 0.1  /* B2a pilot secondary code */

bx_channel_t *bx_channel_create(int stream, int sig, int prn, double fs_hz, double if_hz,
                                const bx_acq_result_t *acq, uint64_t acq_sample)
{
    bx_channel_t *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->stream = stream;
    ch->sig = sig;
    ch->prn = prn;
    ch->fs_hz = fs_hz;
    bx_trk_config_t tc;
    bx_trk_config_default(&tc, sig, prn, fs_hz, if_hz);
    if (bx_trk_create(&tc, acq, acq_sample, &ch->trk, NULL, 0) != BX_OK)
        goto fail;
    if (sig == BX_SIG_B1C ? bx_cnav1_collect_create(&ch->collect, NULL, 0) : bx_cnav2_sync_create(&ch->sync, NULL, 0))
        goto fail;
    return ch;
fail:
    bx_channel_destroy(ch);
    return NULL;
}

void bx_channel_destroy(bx_channel_t *ch)
{
    if (!ch)
        return;
    if (ch->trk)
        bx_trk_destroy(ch->trk);
    if (ch->collect)
        bx_cnav1_collect_destroy(ch->collect);
    if (ch->sync)
        bx_cnav2_sync_destroy(ch->sync);
    free(ch);
}

int bx_channel_track(bx_channel_t *ch, const bx_cf32_t *x, size_t n, uint64_t first_sample)
{
    int st = bx_trk_process(ch->trk, x, n, first_sample);
    return st;
}

static void set_anchor(bx_channel_t *ch, uint64_t sample, bx_time_t tx, int week, int decoded)
{
    ch->anchor_new = decoded;
    ch->have_time = 1;
    ch->time_from_rx = 0;
    ch->anchor_sample = sample;
    ch->anchor_tx = tx;
    ch->week = week;
}

/* B-CNAV1: subframe 2 gives WN/HOW (hence the frame time) and the ephemeris,
 * subframe 3 the paged data (page 1: ionosphere and BDT-UTC). */
static int decode_b1c_frame(bx_channel_t *ch, const bx_cnav1_frame_t *f, uint64_t frame_sample,
                            bx_ephasm_t *asm_, bx_nav_t *nav)
{
    if (!f->sf1_ok || f->prn != ch->prn) {
        ch->frames_bad++;
        return 0;
    }
    bx_cnav1_sf2_t sf2;
    bx_cnav1_sf3_t sf3;
    int have2 = f->sf2_ok && bx_cnav1_sf2_parse(f->sf2, &sf2) == BX_OK;
    int have3 = f->sf3_ok && bx_cnav1_sf3_parse(f->sf3, &sf3) == BX_OK;
    if (!have2 && !have3) {
        ch->frames_bad++;
        return 0;
    }
    ch->frames_ok++;
    if (have2)
        set_anchor(ch, frame_sample, bx_cnav1_frame_time(sf2.wn, sf2.how, f->soh), sf2.wn, 1);
    else if (ch->week > 0 && ch->have_time) {
        /* SF2 lost: the frame follows the anchored one by a whole number of frames */
        double dt = ((double)frame_sample - (double)ch->anchor_sample) / ch->fs_hz;
        double k = floor(dt / 18.0 + 0.5);
        set_anchor(ch, frame_sample, bx_time_add(ch->anchor_tx, 18.0 * k), ch->week, 0);
    }
    if (have3 && sf3.page == 1) {
        if (sf3.u.p1.iono.valid)
            nav->iono = sf3.u.p1.iono;
        if (sf3.u.p1.utc.valid)
            nav->utc = sf3.u.p1.utc;
    }
    bx_eph_t e;
    if (bx_ephasm_add_cnav1(asm_, ch->prn, f->soh, have2 ? &sf2 : NULL, have3 ? &sf3 : NULL, &e) == 1) {
        e.source = BX_SIG_B1C;
        bx_nav_add(nav, &e);
    }
    return 1;
}

static int decode_b2a_msg(bx_channel_t *ch, const uint8_t msg[288], uint64_t frame_sample,
                          bx_ephasm_t *asm_, bx_nav_t *nav)
{
    bx_cnav2_msg_t m;
    int st = bx_cnav2_parse(msg, &m);
    if (m.prn != ch->prn) {
        ch->frames_bad++;
        return 0;
    }
    ch->frames_ok++;
    bx_eph_t e;
    if (st == BX_OK && bx_ephasm_add_cnav2(asm_, &m, &e) == 1) {
        e.source = BX_SIG_B2A;
        bx_nav_add(nav, &e);
    }
    /* The week number is only in MT10 (kept by the assembler). */
    int week = bx_ephasm_week(asm_, ch->prn);
    if (week >= 0)
        set_anchor(ch, frame_sample, bx_cnav2_frame_time(week, m.sow), week, 1);
    if (st != BX_OK)
        return 1;
    if (m.type == 30 && m.u.mt30.iono.valid)
        nav->iono = m.u.mt30.iono;
    if (m.type == 34 && m.u.mt34.utc.valid)
        nav->utc = m.u.mt34.utc;
    return 1;
}

int bx_channel_decode(bx_channel_t *ch, bx_ephasm_t *asm_, bx_nav_t *nav)
{
    bx_trk_symbol_t sym[256];
    int decoded = 0, n;
    while ((n = bx_trk_pop_symbols(ch->trk, sym, 256)) > 0) {
        for (int i = 0; i < n; i++) {
            if (ch->sig == BX_SIG_B1C) {
                bx_cnav1_frame_t f;
                uint64_t fs0;
                if (bx_cnav1_collect_push(ch->collect, sym[i].soft, sym[i].index, sym[i].sample, &f, &fs0) == 1)
                    decoded += decode_b1c_frame(ch, &f, fs0, asm_, nav);
            } else {
                uint8_t msg[288];
                uint64_t fs0;
                if (bx_cnav2_sync_push(ch->sync, sym[i].soft, sym[i].sample, msg, &fs0) == 1)
                    decoded += decode_b2a_msg(ch, msg, fs0, asm_, nav);
            }
        }
        if (n < 256)
            break;
    }
    return decoded;
}

double bx_channel_period_s(const bx_channel_t *ch)
{
    return ch->sig == BX_SIG_B1C ? B1C_PERIOD_S : B2A_PERIOD_S;
}

int bx_channel_set_tx(bx_channel_t *ch, uint64_t sample, const bx_trk_obs_t *o, bx_time_t tx_approx)
{
    if (!o->sec_sync)
        return 0;
    const double P = bx_channel_period_s(ch);
    /* the period start (a multiple of P) nearest to tx_approx - tx_in_period */
    const bx_time_t base = bx_time_add(tx_approx, -o->tx_in_period_s);
    const double kf = floor(((double)base.sec + base.frac_s) / P + 0.5);
    /* the next period start, (k + 1) P, arrives P - tx_in_period_s after
     * `sample` (an anchor ahead of the sample keeps the index unsigned);
     * Doppler compression over one period (< 0.1 ms in 18 s) does not matter
     * to bx_channel_tx_time, which rounds to whole periods */
    const int64_t per_ms = (int64_t)llround(P * 1000.0);
    const int64_t next_ms = ((int64_t)kf + 1) * per_ms;
    const bx_time_t next = bx_time_make(next_ms / 1000, (double)(next_ms % 1000) * 1e-3);
    const uint64_t ahead = (uint64_t)llround((P - o->tx_in_period_s) * ch->fs_hz);
    int week;
    bx_time_to_week_sow(next, &week);
    set_anchor(ch, sample + ahead, next, week, 0);
    ch->time_from_rx = 1;
    return 1;
}

int bx_channel_time_from_rx(bx_channel_t *ch, uint64_t sample, const bx_trk_obs_t *o, bx_time_t t_rx)
{
    if (ch->have_time || ch->sig != BX_SIG_B1C || !o->sec_sync)
        return 0;
    /* nominal travel time: the error (< 0.1 s with the receiver clock) is far
     * below the half period of 9 s */
    return bx_channel_set_tx(ch, sample, o, bx_time_add(t_rx, -0.075));
}

int bx_channel_tx_time(const bx_channel_t *ch, uint64_t sample, const bx_trk_obs_t *o, bx_time_t *tx)
{
    if (!ch->have_time || !o->sec_sync)
        return 0;
    const double period_s = ch->sig == BX_SIG_B1C ? B1C_PERIOD_S : B2A_PERIOD_S;
    /* transmit-time span since the anchor, approximated by the receive span:
     * the two differ by the Doppler compression (< 4e-6 relative), far less
     * than half a period for any realistic gap */
    double approx_s = ((double)sample - (double)ch->anchor_sample) / ch->fs_hz;
    double k = floor((approx_s - o->tx_in_period_s) / period_s + 0.5);
    *tx = bx_time_add(ch->anchor_tx, k * period_s + o->tx_in_period_s);
    return 1;
}
