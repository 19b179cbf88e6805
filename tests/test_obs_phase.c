/*
 * Carrier-phase observables on the project's simulator (B2a + B1C static,
 * B2a on a field path; 6 satellites at 35-50 dB-Hz): the receiver's phase
 * against the truth of the scenario geometry.
 *
 * Truth: the simulator's sample clock is ideal, so the true time of an epoch
 * is start + sample / fs (bx_rx_epoch_sample).  An ideal receiver with the
 * receiver's clock would measure P = c (t_rx - t_sv) with t_sv from the
 * geometry at the true time, and (no ionosphere, code and carrier coherent in
 * bx_simsig) the phase L = P / lambda + N, one constant N per arc.  The test
 * steps the receiver clock by 1.17 ms in the middle (what the first fix does
 * in `bdsrx run`): code and phase must both move with it (RINEX 3.05 §3.3).
 * Also: Doppler sign (RINEX: positive approaching = -dP/dt / lambda), phase
 * rate = dP/dt / lambda, loss-of-lock indicator on the first epoch of each
 * arc and none inside, and the RINEX writer's header records.  Code minus
 * carrier must not jump at the step (< 0.5 m) and the code must meet the truth
 * (< 1 m), also with B1C samples between those of stream 0 (4.13 vs 12 Msps,
 * issue 10).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/orbit.h"
#include "bdsrx/receiver.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/simscen.h"
#include "bdsrx/simsig.h"
#include "bdsrx/time.h"
#include "testutil.h"

#define FS_HZ 12.0e6     /* B2a, stream 0 (sets the epoch samples) */
#define FS_B1C_HZ 4.0e6  /* B1C, stream 1 */
#define FS_B1C_FRAC_HZ 4.13e6 /* B1C, stream 1: 413 samples per 1200 of stream 0, not a multiple of 1.023 MHz */
#define NSAT 6
#define NOBS (2 * NSAT)  /* satellite x band: k + NSAT * band, band 0 = B2a, 1 = B1C */
#define DURATION_S 9.0
#define STEER_S 1.17e-3 /* the first fix's clock correction in a real run */
#define MAXEP 64

static const double cn0_of[NSAT] = {35, 38, 41, 44, 47, 50};
/* every satellite starts at 47 dB-Hz (acquisition, secondary-code sync and the B2a MT10 of the
 * first seconds do not wait for a weak signal) and drops to its C/N0 above at 4 s, before the first
 * phase is reported; the phase statistics are taken from 5 s on */
#define CN0_START_DBHZ 47.0
#define CN0_SWITCH_S 4.0
#define STATS_FROM_S 5.0
/* field run: 0.2 s of samples lost at 8.2 s (bx_rx_skip, as a live source's overflow): every
 * phase after the gap must start a new arc (the loops settle again afterwards: the statistics
 * stop at the gap) */
#define GAP_FROM_MS 8200
#define GAP_CHUNKS 2

typedef struct {
    bx_simnav_t *nav[NSAT];
} navset_t;

static const int band_sig[2] = {BX_SIG_B2A, BX_SIG_B1C};
static const char *const band_name[2] = {"B2a", "B1C"};

static int symbol_of(void *user, int slot, int sig, int prn, bx_time_t t_sym, int64_t index)
{
    navset_t *ns = user;
    (void)sig, (void)prn, (void)index;
    return ns->nav[slot] ? bx_simnav_symbol(ns->nav[slot], t_sym) : 0;
}

typedef struct {
    bx_simscen_config_t *sc;
    const bx_eph_t *eph[NSAT];
    int prn[NSAT];
    double pos[3];
    int nep, steered, epochs_with_pr;
    /* per satellite x band and epoch */
    double res_cyc[NOBS][MAXEP];   /* L - P_true / lambda */
    double cmc_m[NOBS][MAXEP];     /* P - lambda L */
    double t_s[NOBS][MAXEP];
    double dop_err[NOBS][MAXEP];   /* D + dP_true/dt / lambda, Hz */
    int after_steer[NOBS][MAXEP];  /* taken after the clock step */
    double code_err_m[NOBS][MAXEP]; /* P - P_true */
    int lli[NOBS][MAXEP];
    int n[NOBS];
    int arcs[NOBS];
    int seen[NOBS], first_lli[NOBS]; /* the first phase of each arc carries the LLI */
    int gap;                         /* samples were skipped (field run) */
    int after_gap[NOBS], gap_lli[NOBS]; /* first phase after the gap seen / with LLI */
    int nbands;
    FILE *rnx;
    bx_rinex_obs_header_t hdr;
    /* the same epochs through the RTCM3 base-station path (MSM7 -> decoder) */
    bx_rtcm3_dec_t *dec;
    int rtcm_epochs, rtcm_lli_mismatch;
    double rtcm_dmax_m;
} ctx_t;

static void on_epoch(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    ctx_t *c = user;
    const bx_obs_t *obs = ep->obs;
    if (!bx_rx_have_time(rx))
        return;
    const double t_rel = (double)bx_rx_epoch_sample(rx) / FS_HZ;
    const bx_time_t t_true = bx_time_add(c->sc->start, t_rel);
    int npr = 0;
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *d = &obs->d[i];
        int k = -1, sat = -1;
        const int band = d->sig == BX_SIG_B1C;
        const double lambda = BX_CLIGHT_MPS / bx_signal_freq_hz(d->sig);
        for (int j = 0; j < NSAT; j++)
            if (c->prn[j] == d->prn)
                sat = j, k = j + NSAT * band;
        if (k >= 0 && (d->flags & BX_OBS_CP) && !c->seen[k]) {
            c->seen[k] = 1;
            c->first_lli[k] = (d->flags & BX_OBS_SLIP) != 0;
        }
        if (k >= 0 && (d->flags & BX_OBS_CP) && c->gap && t_rel > GAP_FROM_MS * 1e-3 && !c->after_gap[k]) {
            c->after_gap[k] = 1;
            c->gap_lli[k] = (d->flags & BX_OBS_SLIP) != 0;
        }
        if (k < 0 || !(d->flags & BX_OBS_PR) || !(d->flags & BX_OBS_CP) || c->n[k] >= MAXEP || t_rel < STATS_FROM_S ||
            c->gap)
            continue;
        npr++;
        bx_simgeom_t g, g1;
        double p0[3], p1[3], v[3];
        bx_simscen_position(c->sc, t_rel, p0, v);
        bx_simscen_position(c->sc, t_rel + 1e-3, p1, v);
        assert_int_equal(bx_simscen_geometry(c->sc, c->eph[sat], d->sig, p0, t_true, &g), BX_OK);
        assert_int_equal(bx_simscen_geometry(c->sc, c->eph[sat], d->sig, p1, bx_time_add(t_true, 1e-3), &g1),
                         BX_OK);
        const double p_true = bx_time_diff(obs->time, g.t_sv) * BX_CLIGHT_MPS;
        const double rate = (1.0 - bx_time_diff(g1.t_sv, g.t_sv) / 1e-3) * BX_CLIGHT_MPS; /* dP/dt, m/s */
        const int m = c->n[k]++;
        c->res_cyc[k][m] = d->carrier_cycles - p_true / lambda;
        c->cmc_m[k][m] = d->pseudorange_m - lambda * d->carrier_cycles;
        c->t_s[k][m] = t_rel;
        c->dop_err[k][m] = d->doppler_hz + rate / lambda;
        c->lli[k][m] = d->flags & (BX_OBS_SLIP | BX_OBS_HALF);
        c->after_steer[k][m] = c->steered;
        c->code_err_m[k][m] = d->pseudorange_m - p_true;
        c->arcs[k] += m > 0 && (d->flags & BX_OBS_SLIP); /* new arcs after the first window epoch */
    }
    if (npr > 0) {
        uint8_t fr[8192];
        int nf = bx_rtcm3_encode_epoch_bds(obs, 1, fr, sizeof fr);
        assert_true(nf > 0);
        size_t off = 0, used;
        bx_rtcm3_msg_t m;
        int done = 0;
        while (off < (size_t)nf && bx_rtcm3_dec_input(c->dec, fr + off, (size_t)nf - off, &used, &m) == 1) {
            off += used;
            done |= m.epoch_done;
        }
        assert_true(done);
        const bx_obs_t *r = bx_rtcm3_dec_obs(c->dec);
        for (int i = 0; i < obs->n; i++) {
            const bx_obsd_t *a = &obs->d[i];
            if (!(a->flags & BX_OBS_PR))
                continue;
            const bx_obsd_t *b = NULL;
            for (int j = 0; j < r->n; j++)
                if (r->d[j].prn == a->prn && r->d[j].sig == a->sig)
                    b = &r->d[j];
            assert_non_null(b);
            const double lam = BX_CLIGHT_MPS / bx_signal_freq_hz(a->sig);
            c->rtcm_dmax_m = fmax(c->rtcm_dmax_m, fabs(a->pseudorange_m - b->pseudorange_m));
            c->rtcm_dmax_m = fmax(c->rtcm_dmax_m, fabs(a->carrier_cycles - b->carrier_cycles) * lam);
            c->rtcm_lli_mismatch += ((a->flags ^ b->flags) & BX_OBS_SLIP) != 0;
        }
        c->rtcm_epochs++;
        if (c->rnx) {
            if (c->epochs_with_pr == 0) {
                bx_rinex_obs_header_default(&c->hdr);
                assert_int_equal(bx_rinex_obs_header_for_signals(&c->hdr, band_sig, c->nbands), BX_OK);
                assert_int_equal(bx_rinex_obs_write_header(c->rnx, &c->hdr, obs->time), BX_OK);
            }
            assert_int_equal(bx_rinex_obs_write_epoch(c->rnx, &c->hdr, obs), BX_OK);
        }
        c->epochs_with_pr++;
    }
    /* step the clock once phases have run a while (as solout does at the first fix) */
    if (c->epochs_with_pr == 8 && !c->steered) {
        bx_rx_steer_clock(rx, STEER_S);
        c->steered = 1;
    }
}

static void fit_line(const double *t, const double *y, int n, double *slope, double *rms)
{
    double st = 0, sy = 0;
    for (int i = 0; i < n; i++)
        st += t[i], sy += y[i];
    st /= n, sy /= n;
    double stt = 0, sty = 0;
    for (int i = 0; i < n; i++)
        stt += (t[i] - st) * (t[i] - st), sty += (t[i] - st) * (y[i] - sy);
    *slope = stt > 0 ? sty / stt : 0;
    double ss = 0;
    for (int i = 0; i < n; i++) {
        double r = y[i] - sy - *slope * (t[i] - st);
        ss += r * r;
    }
    *rms = sqrt(ss / n);
}

static void run_phase(int traj, int nbands, double fs_b1c_hz)
{
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    sc.traj = traj;
    sc.speed_mps = 4.0;      /* field: 4 m/s rows of 20 m, U-turns of 6 m radius (2.7 m/s^2) */
    sc.row_length_m = 20.0;
    /* a B-CNAV2 MT10 (week number) starts 2 s after the start: the time scale
     * is set ~5 s in (tests/test_receiver_dual.c start_before_mt10) */
    bx_time_t t = bx_time_from_civil(2023, 3, 12, 4, 5, 0);
    while (!((t.sec + 2) % 3 == 0 && ((t.sec + 2) / 3) % 4 == 0))
        t.sec++;
    sc.start = t;
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_simscen_constellation(&nav, sc.start), BX_OK);

    ctx_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->sc = &sc;
    c->nbands = nbands;
    double vel[3];
    bx_simscen_position(&sc, 0, c->pos, vel);
    int nvis = 0;
    for (int k = 0; k < nav.n_eph && nvis < NSAT; k++) {
        bx_simgeom_t g;
        assert_int_equal(bx_simscen_geometry(&sc, &nav.eph[k], BX_SIG_B2A, c->pos, sc.start, &g), BX_OK);
        if (g.el_rad >= 15.0 * M_PI / 180) {
            c->eph[nvis] = &nav.eph[k];
            c->prn[nvis++] = nav.eph[k].prn;
        }
    }
    assert_int_equal(nvis, NSAT);

    navset_t ns[2];
    bx_simsig_t *gen[2] = {NULL, NULL};
    const double fs[2] = {FS_HZ, fs_b1c_hz};
    for (int b = 0; b < nbands; b++) {
        for (int v = 0; v < NSAT; v++)
            bx_simnav_create(&nav, c->prn[v], band_sig[b], &ns[b].nav[v], NULL, 0);
        bx_simsig_config_t gc;
        bx_simsig_config_default(&gc, fs[b]);
        gc.seed = 11 + 7u * (unsigned)b;
        gc.max_sats = NSAT;
        gc.symbol = symbol_of;
        gc.user = &ns[b];
        bx_simsig_create(&gc, &gen[b], NULL, 0);
        assert_non_null(gen[b]);
    }

    char path[] = "/tmp/bdsrx_test_obs_phase_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    c->rnx = fdopen(fd, "w+");
    assert_non_null(c->rnx);

    bx_rtcm3_dec_config_t dc = {sc.start};
    assert_int_equal(bx_rtcm3_dec_create(&dc, &c->dec, NULL, 0), BX_OK);
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = nbands;
    for (int b = 0; b < nbands; b++)
        rc.stream[b] = (bx_rx_stream_t){band_sig[b], fs[b], 0.0};
    rc.threads = 2;
    rc.epoch_interval_s = 0.2;
    rc.on_epoch = on_epoch;
    rc.solver = BX_SOLVER_NONE; /* observations only: the clock steps are this test's own */
    rc.user = c;
    /* the simulated satellites and 4 absent PRNs: the phase is the subject here, the cold
     * whole-list search (most of a run's cost) has tests of its own */
    for (int v = 0; v < NSAT; v++)
        rc.prn_mask |= 1ull << c->prn[v];
    rc.prn_mask = tu_prn_mask_with_absent(rc.prn_mask, 4);
    char err[256];
    bx_rx_t *rx = NULL;
    bx_rx_create(&rc, &rx, err, sizeof err);
    assert_non_null(rx);

    const size_t chunk_ms = 100;
    size_t nms[2];
    bx_cf32_t *buf[2] = {NULL, NULL};
    for (int b = 0; b < nbands; b++) {
        nms[b] = (size_t)(fs[b] / 1000);
        buf[b] = malloc(chunk_ms * nms[b] * sizeof *buf[b]);
        assert_non_null(buf[b]);
    }
    for (long ms = 0; ms < (long)(DURATION_S * 1000); ms++) {
        bx_time_t t0 = bx_time_add(sc.start, ms * 1e-3), t1 = bx_time_add(t0, 1e-3);
        double p0[3], p1[3], vv[3];
        bx_simscen_position(&sc, ms * 1e-3, p0, vv);
        bx_simscen_position(&sc, ms * 1e-3 + 1e-3, p1, vv);
        for (int b = 0; b < nbands; b++) {
            for (int v = 0; v < NSAT; v++) {
                bx_simgeom_t g0, g1;
                assert_int_equal(bx_simscen_geometry(&sc, c->eph[v], band_sig[b], p0, t0, &g0), BX_OK);
                assert_int_equal(bx_simscen_geometry(&sc, c->eph[v], band_sig[b], p1, t1, &g1), BX_OK);
                bx_simsig_sat_t ss = {band_sig[b], c->prn[v], g0.t_sv, bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3, 0.0,
                                      ms < (long)(CN0_SWITCH_S * 1000) ? CN0_START_DBHZ : cn0_of[v], 0.0};
                bx_simsig_set_sat(gen[b], v, &ss);
            }
            bx_simsig_generate(gen[b], buf[b] + (size_t)(ms % (long)chunk_ms) * nms[b], nms[b]);
        }
        const long chunk_no = ms / (long)chunk_ms;
        if (traj == BX_TRAJ_FIELD && ms % (long)chunk_ms == (long)chunk_ms - 1 && chunk_no >= GAP_FROM_MS / (long)chunk_ms &&
            chunk_no < GAP_FROM_MS / (long)chunk_ms + GAP_CHUNKS) {
            assert_int_equal(bx_rx_skip(rx, (int64_t)(chunk_ms * nms[0])), BX_OK);
            c->gap = 1;
        } else if (ms % (long)chunk_ms == (long)chunk_ms - 1) {
            const bx_cf32_t *const xs[2] = {buf[0], buf[1]};
            const size_t n[2] = {chunk_ms * nms[0], nbands > 1 ? chunk_ms * nms[1] : 0};
            assert_int_equal(bx_rx_process(rx, xs, n), BX_OK);
        }
    }
    assert_true(c->steered);
    int checked[2] = {0, 0}, total_missed = 0, total_detected = 0, jumps_checked = 0;
    for (int k = 0; k < NSAT * nbands; k++) {
        const int n = c->n[k], sat = k % NSAT, band = k / NSAT;
        if (n < 12) {
            printf("NOTE: %s C%02d (%.0f dB-Hz): only %d epochs with phase\n", band_name[band], c->prn[sat],
                   cn0_of[sat], n);
            continue;
        }
        checked[band]++;
        /* static: one arc (LLI on its first epoch, before the statistics window) with the clock
         * step inside it */
        assert_true(c->first_lli[k]);
        if (traj == BX_TRAJ_STATIC)
            assert_int_equal(c->arcs[k], 0);
        int missed = 0;
        for (int m = 1; m < n; m++)
            if (!(c->lli[k][m] & BX_OBS_SLIP) && fabs(c->res_cyc[k][m] - c->res_cyc[k][m - 1]) > 0.25)
                missed++;
        total_missed += missed;
        total_detected += c->arcs[k];
        /* one constant per arc (arcs start at an LLI) */
        double ss = 0, dmax = 0;
        int nss = 0;
        for (int a0 = 0; a0 < n;) {
            int a1 = a0 + 1;
            while (a1 < n && !(c->lli[k][a1] & BX_OBS_SLIP))
                a1++;
            double mean = 0;
            for (int m = a0; m < a1; m++)
                mean += c->res_cyc[k][m];
            mean /= a1 - a0;
            for (int m = a0; m < a1; m++)
                ss += (c->res_cyc[k][m] - mean) * (c->res_cyc[k][m] - mean);
            nss += a1 - a0 - 1; /* one constant fitted per arc */
            a0 = a1;
        }
        for (int m = 0; m < n; m++)
            if (fabs(c->dop_err[k][m]) > dmax)
                dmax = fabs(c->dop_err[k][m]);
        const double lambda = BX_CLIGHT_MPS / bx_signal_freq_hz(band_sig[band]);
        const double rms_mm = sqrt(ss / (nss > 0 ? nss : 1)) * lambda * 1e3;
        double drift, cmc_rms;
        int n0 = 0; /* code - carrier over the last arc */
        for (int m = 1; m < n; m++)
            if (c->lli[k][m] & BX_OBS_SLIP)
                n0 = m;
        fit_line(c->t_s[k] + n0, c->cmc_m[k] + n0, n - n0, &drift, &cmc_rms);
        /* code - carrier across the clock step (issue 10): mean after minus mean before, in the
         * last arc; both move by the same c * step, so no jump beyond the code noise */
        double sb = 0, sa = 0;
        int nb = 0, na = 0;
        for (int m = n0; m < n; m++) {
            if (c->after_steer[k][m])
                sa += c->cmc_m[k][m], na++;
            else
                sb += c->cmc_m[k][m], nb++;
        }
        const double jump_m = nb >= 3 && na >= 3 ? sa / na - sb / nb : NAN;
        /* the pseudorange itself: the simulator's code has no bias, so P - P_true is code noise
         * (measured |mean| <= 0.33 m); a receive time off by a fraction of a sample is metres */
        double code_mean_m = 0;
        for (int m = 0; m < n; m++)
            code_mean_m += c->code_err_m[k][m] / n;
        printf("NOTE: %s %s C%02d %.0f dB-Hz (%.3f Msps): %d epochs, phase - truth (one constant per arc) RMS %.2f mm; "
               "code - truth mean %+.3f m, code - carrier drift %+.3f m/s, RMS about the line %.3f m, jump at the "
               "clock step %+.3f m (%d/%d epochs); |Doppler error| max %.3f Hz\n",
               traj == BX_TRAJ_FIELD ? "field" : "static", band_name[band], c->prn[sat], cn0_of[sat],
               fs[band] * 1e-6, n, rms_mm, code_mean_m, drift, cmc_rms, jump_m, nb, na, dmax);
        if (!isnan(jump_m))
            jumps_checked++;
        assert_true(isnan(jump_m) || fabs(jump_m) < 0.5);
        assert_true(fabs(code_mean_m) < 1.0);
        assert_true(rms_mm < 5.0);
        assert_true(fabs(drift) < 0.2);
        assert_true(dmax < 5.0); /* sign: a wrong sign errs by 2 |D| (hundreds of Hz) */
    }
    assert_int_equal(checked[0], NSAT);
    /* the clock step fell inside the statistics window of (nearly) every channel */
    assert_true(jumps_checked >= NSAT * nbands - 1);
    /* B1C channels take their transmit time from the receiver time scale (set by B2a): all of them */
    if (nbands > 1) {
        printf("NOTE: B1C channels with phase: %d of %d\n", checked[1], NSAT);
        assert_int_equal(checked[1], NSAT);
    }
    if (c->gap) {
        int after = 0, flagged = 0;
        for (int k = 0; k < NSAT * nbands; k++) {
            after += c->after_gap[k];
            flagged += c->after_gap[k] && c->gap_lli[k];
        }
        printf("NOTE: 0.2 s of samples lost: %d of %d channels flag loss of lock on their next phase\n", flagged, after);
        assert_true(after >= NSAT - 1);
        assert_int_equal(flagged, after);
    }
    /* slips: a jump of the phase against the truth inside an arc is a slip the LLI missed */
    printf("NOTE: %s: slips flagged inside arcs %d, missed (phase - truth jumps > 0.25 cycle without LLI) %d\n",
           traj == BX_TRAJ_FIELD ? "field" : "static", total_detected, total_missed);
    assert_int_equal(total_missed, 0);
    /* base-station path: MSM7 carries the same code and phase (resolution 0.6 / 0.14 mm) and the same
     * loss-of-lock indicators */
    printf("NOTE: RTCM3 MSM7 of %d epochs decoded back: max |diff| %.5f m, LLI mismatches %d\n", c->rtcm_epochs,
           c->rtcm_dmax_m, c->rtcm_lli_mismatch);
    assert_true(c->rtcm_epochs > 8);
    assert_true(c->rtcm_dmax_m < 6e-4);
    assert_int_equal(c->rtcm_lli_mismatch, 0);
    bx_rtcm3_dec_destroy(c->dec);

    /* the RINEX file: BDS 3.05 header with the records RINEX 3.05 requires, only the types received */
    fflush(c->rnx);
    rewind(c->rnx);
    char line[256];
    int have_shift = 0, have_types = 0, have_marker_type = 0, have_b1 = 0;
    while (fgets(line, sizeof line, c->rnx)) {
        if (strstr(line, "SYS / PHASE SHIFT") && !strncmp(line, "C L5P  0.25000", 14))
            have_shift = 1;
        if (strstr(line, "SYS / # / OBS TYPES")) {
            have_types = !strncmp(line, nbands > 1 ? "C    8 C5P L5P D5P S5P C1P L1P D1P S1P" : "C    4 C5P L5P D5P S5P",
                                  nbands > 1 ? 38 : 22);
            have_b1 = strstr(line, "1P") != NULL;
        }
        if (strstr(line, "MARKER TYPE"))
            have_marker_type = 1;
    }
    assert_true(have_shift);
    assert_true(have_types);
    assert_int_equal(have_b1, nbands > 1);
    assert_true(have_marker_type);
    fclose(c->rnx);
    unlink(path);

    for (int b = 0; b < nbands; b++) {
        for (int v = 0; v < NSAT; v++)
            bx_simnav_destroy(ns[b].nav[v]);
        free(buf[b]);
        bx_simsig_destroy(gen[b]);
    }
    bx_rx_destroy(rx);
    bx_nav_destroy(&nav);
    free(c);
}

static void test_phase_vs_truth(void **state)
{
    (void)state;
    run_phase(BX_TRAJ_STATIC, 2, FS_B1C_HZ);
}

/* B1C samples that fall between those of stream 0 (4.092 vs 12 Msps: 341 B1C samples per 1000):
 * the receive time of a stream-1 sample is t0 (~6.5e15 samples of 12 Msps since the BDT epoch)
 * plus a fraction, which a double sum rounded to a whole sample of stream 0 (83 ns): a bias on
 * every B1C pseudorange that changed with each clock step (issue 10: 4.092 + 12 Msps in `bdsrx
 * run`, B2a code - carrier jumped 6.8 m at the first fix) */
static void test_phase_steer_fractional_rate(void **state)
{
    (void)state;
    run_phase(BX_TRAJ_STATIC, 2, FS_B1C_FRAC_HZ);
}

/* rows with U-turns: the phase still follows the truth; no slip goes unflagged */
static void test_phase_field_motion(void **state)
{
    (void)state;
    run_phase(BX_TRAJ_FIELD, 1, FS_B1C_HZ);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_phase_vs_truth), cmocka_unit_test(test_phase_steer_fractional_rate),
                                       cmocka_unit_test(test_phase_field_motion)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
