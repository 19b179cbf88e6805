/*
 * B2b-I tracking channel (issue 11 §1): BPSK(10), 10230-chip Gold primary code of 1 ms
 * (signals.md Table S5), data only, one 1000 sps symbol per code period, no pilot and no
 * secondary code.  Reached through the public bx_trk_* API (include/bdsrx/trk.h): dsp/trk.c
 * hands a configuration with sig = BX_SIG_B2B to this file.
 *
 * Method (one update per 1 ms code period, T = 1 ms):
 *  - Correlation: the fused correlator (bdsrx/corr.h) with prompt, early and late taps on the
 *    B2b-I code (pilot and data bits of the table both carry it).
 *  - Carrier: the loop filter of trk_loops.c (2nd-order PLL + 1st-order FLL assist).  Since
 *    every period carries a data symbol the phase detector is Costas (atan(Q/I), +-1/4 cycle)
 *    and the FLL is decision-directed: z = conj(p[k-1]) p[k], negated when Re z < 0 (a symbol
 *    change), atan2(Im z, Re z) / (2 pi T): +-250 Hz.  Pull-in: FLL alone for 3 fll_only_s,
 *    then PLL (pll_bw_pullin_hz) + FLL assist, LOCKED once the lock indicator exceeds 0.75
 *    after lock_min_s; then PLL alone (pll_bw_hz).  Back to pull-in below 0.4.  Below 35 dB-Hz
 *    the FLL runs at 0.4 fll_bw_hz and the PLL pulls in without FLL assist (the 1 ms
 *    discriminator's noise walked the loop 20-40 Hz off at 32 dB-Hz).  Lock indicator: ratio
 *    of 20 ms sums of I^2 - Q^2 and I^2 + Q^2, corrected for the noise share, low-passed 0.2 s.
 *  - Half-cycle ambiguity: the Costas loop locks with either sign.  The symbols are emitted as
 *    tracked (the frame synchroniser, nav/fec/cnav3_frame.c, accepts either polarity) and the
 *    receiver, which knows the polarity of the 0xEB90 preamble of a decoded frame, calls
 *    bx_trk_set_polarity: an inverted lock is turned by half a cycle (counted as a slip) and
 *    half_cycle cleared until the next loss of lock.
 *  - Code: carrier-aided first-order DLL, normalised early-minus-late envelope (dll_bw_pullin_hz
 *    / el_spacing_pullin_chips in pull-in, dll_bw_hz / el_spacing_chips when locked).
 *  - C/N0: trk_cn0.c over 250-period windows: M2M4 in pull-in, I/Q once locked (both blind to
 *    the data sign); acquisition's value until 10 periods are in.
 *  - Symbols: soft = Re(prompt) / noise sigma, one per period from the first lock on; index =
 *    periods since the channel started (no frame position: the synchroniser finds it), sample =
 *    first sample of the period.
 *  - Loss: LOST when C/N0 < max(cn0_lost_dbhz, 29) (biased 1 ms estimators) for lost_after_s,
 *    or no lock within pullin_timeout_s.
 * Threads: one thread at a time per channel (as bx_trk_t).
 */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "bdsrx/corr.h"
#include "bx_err.h"
#include "trk_b2b.h"
#include "trk_impl.h"

#define CHIPS 10230.0       /* B2b-I primary code length, signals.md §3 / Table S5 */
#define CHIP_RATE 10.23e6   /* chips/s */
#define T_S 0.001           /* code period = symbol, 1000 sps */
#define PAD 32
#define HIST 16
#define SYMQ 4096
#define CN0_WIN 250
#define NOISE_FLOOR_DBHZ 29.0
#define LOCK_TAU_S 0.2
#define WEAK_DBHZ 35.0     /* below: narrow FLL in pull-in, then PLL without FLL assist */
#define WEAK_FLL_SHARE 0.4
#define LOCK_WIN 20    /* periods per lock-indicator ratio */

typedef struct {
    uint64_t start;
    uint32_t len;
    double code0, step, carr0, carr_hz;
} seg_t;

struct bx_trk_b2b {
    bx_trk_config_t c;
    bx_corr_t *corr;
    uint8_t *table;
    int state, started, ever_locked, half_cycle, slip;
    uint32_t slip_count;
    uint64_t blk_start, pos, lock_start;
    uint32_t blk_len;
    double code0, step, carr0, carr_hz, code_rate, spacing;
    bx_trk_carr_loop_t carr;
    double complex acc[3], last;
    int have_last;
    long nblk;              /* periods processed */
    double pullin_s;        /* time spent in the current pull-in */
    double low_s;           /* time with C/N0 below the loss threshold */
    double lpi, cn0, acq_cn0;
    double lk_d, lk_p;      /* lock indicator sums of the window being filled */
    int lk_n;
    bx_trk_cn0_t est;
    int64_t nsym;
    bx_trk_symbol_t q[SYMQ];
    int qh, qn;
    seg_t hist[HIST];
    int hist_n, hist_head;
};

static double aided_rate(double carr_hz) { return CHIP_RATE * (1.0 + carr_hz / BX_FREQ_B2B_HZ); }

static void layout(bx_trk_b2b_t *t)
{
    double n = ceil((CHIPS - t->code0) / t->step);
    t->blk_len = (uint32_t)(n < 1 ? 1 : n);
    memset(t->acc, 0, sizeof t->acc);
    t->pos = t->blk_start;
}

/* Moves the NCO to the first code epoch at or after sample s (start or gap). */
static void anchor(bx_trk_b2b_t *t, uint64_t s)
{
    double dt = (double)((int64_t)(s - t->blk_start));
    double cp = t->code0 + dt * t->step;
    cp -= floor(cp / CHIPS) * CHIPS;
    double k = cp < t->step ? 0.0 : ceil((CHIPS - cp) / t->step);
    t->carr0 += t->carr_hz * (dt + k) / t->c.fs_hz;
    t->carr0 -= floor(t->carr0);
    t->code0 = cp + k * t->step - (k > 0 ? CHIPS : 0.0);
    t->blk_start = s + (uint64_t)k;
    t->have_last = 0;
    layout(t);
}

int bx__trk_b2b_create(const bx_trk_config_t *c, const bx_acq_result_t *init, uint64_t acq_sample,
                       bx_trk_b2b_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!(init->code_phase_chips >= 0 && init->code_phase_chips < CHIPS) || !(c->fs_hz > 1e6))
        return bx_err(err, errlen, BX_ERR_ARG, "B2b tracking: code phase must be 0..10230 and fs > 1 MHz");
    bx_trk_b2b_t *t = calloc(1, sizeof *t);
    int8_t *code = malloc((size_t)CHIPS);
    if (!t || !code) {
        free(t);
        free(code);
        return bx_err(err, errlen, BX_ERR_NOMEM, "B2b tracking: out of memory");
    }
    t->c = *c;
    int st = bx_corr_create(c->corr_impl, &t->corr, err, errlen);
    const int n = (int)CHIPS;
    t->table = calloc((size_t)n + 2 * PAD + 16, 1);
    if (st != BX_OK || !t->table || bx_code_gen(BX_CODE_B2BI, c->prn, code, n) != n) {
        free(code);
        bx__trk_b2b_destroy(t);
        return st != BX_OK ? st : bx_err(err, errlen, BX_ERR_NOMEM, "B2b tracking: no code table");
    }
    for (int e = -PAD; e < n + PAD; e++)
        t->table[e + PAD] = code[(e + n) % n] < 0 ? (BX_CORR_PILOT_NEG | BX_CORR_DATA_NEG) : 0;
    free(code);
    t->state = BX_TRK_PULLIN;
    t->half_cycle = 1;
    t->carr_hz = t->carr.vel_hz = init->doppler_hz;
    t->code_rate = aided_rate(t->carr_hz);
    t->step = t->code_rate / c->fs_hz;
    t->code0 = init->code_phase_chips;
    t->blk_start = acq_sample;
    t->spacing = c->el_spacing_pullin_chips;
    t->acq_cn0 = init->cn0_dbhz > 0 ? init->cn0_dbhz : 0.0;
    t->cn0 = t->acq_cn0;
    bx_trk_cn0_init(&t->est, CN0_WIN);
    layout(t);
    *out = t;
    return BX_OK;
}

void bx__trk_b2b_destroy(bx_trk_b2b_t *t)
{
    if (!t)
        return;
    bx_corr_destroy(t->corr);
    free(t->table);
    free(t);
}

int bx__trk_b2b_state(const bx_trk_b2b_t *t) { return t->state; }
uint64_t bx__trk_b2b_position(const bx_trk_b2b_t *t) { return t->pos; }

int bx__trk_b2b_pop_symbols(bx_trk_b2b_t *t, bx_trk_symbol_t *out, int max)
{
    int k = 0;
    while (k < max && t->qn > 0) {
        out[k++] = t->q[t->qh];
        t->qh = (t->qh + 1) % SYMQ;
        t->qn--;
    }
    return k;
}

int bx__trk_b2b_set_polarity(bx_trk_b2b_t *t, int inverted)
{
    if (t->state != BX_TRK_LOCKED)
        return 0;
    if (inverted) { /* turn the replica by half a cycle: the prompt (and the symbols) flip */
        t->carr0 += 0.5;
        t->slip_count++;
        for (int k = 0; k < 3; k++) /* the period being accumulated continues with the new phase */
            t->acc[k] = -t->acc[k];
        t->last = -t->last;
        for (int k = 0; k < t->qn; k++) /* symbols of the periods before the turn */
            t->q[(t->qh + k) % SYMQ].soft = -t->q[(t->qh + k) % SYMQ].soft;
    }
    t->half_cycle = 0;
    return 1;
}

static void push_symbol(bx_trk_b2b_t *t, double re, uint64_t sample)
{
    double pn = 0.0, ps;
    if (bx_trk_cn0_windows(&t->est))
        pn = bx_trk_cn0_pn(&t->est, 1);
    else
        bx_trk_cn0_partial(&t->est, &ps, &pn);
    double sig = sqrt(0.5 * pn);
    bx_trk_symbol_t s = {(float)(re / (sig > 0 ? sig : 1.0)), (int32_t)(t->nsym++ & 0x7fffffff), sample};
    if (t->qn == SYMQ) { /* nobody drains: drop the oldest */
        t->qh = (t->qh + 1) % SYMQ;
        t->qn--;
    }
    t->q[(t->qh + t->qn++) % SYMQ] = s;
}

static void set_locked(bx_trk_b2b_t *t, int locked)
{
    if (locked) {
        t->state = BX_TRK_LOCKED;
        t->ever_locked = 1;
        t->lock_start = t->blk_start;
        t->spacing = t->c.el_spacing_chips;
    } else {
        t->state = BX_TRK_PULLIN;
        t->slip = 1;
        t->slip_count++;
        t->half_cycle = 1;
        t->pullin_s = 0.0;
        t->spacing = t->c.el_spacing_pullin_chips;
    }
}

static void finish_block(bx_trk_b2b_t *t)
{
    const double complex p = t->acc[0];
    const double fs = t->c.fs_hz;
    t->nblk++;
    t->pullin_s += t->state == BX_TRK_PULLIN ? T_S : 0.0;

    /* C/N0 (both estimators blind to the data sign) */
    bx_trk_cn0_push(&t->est, creal(p), cimag(p));
    double ps = 0, pn = 0;
    if (bx_trk_cn0_windows(&t->est)) {
        int iq = t->state == BX_TRK_LOCKED;
        ps = bx_trk_cn0_ps(&t->est, iq);
        pn = bx_trk_cn0_pn(&t->est, iq);
        t->cn0 = bx_trk_cn0_from(ps, pn, T_S);
    } else if (bx_trk_cn0_partial(&t->est, &ps, &pn)) {
        t->cn0 = bx_trk_cn0_from(ps, pn, T_S);
    }

    /* lock indicator: cos(2 phase error) = sum(I^2 - Q^2) / sum(I^2 + Q^2) over LOCK_WIN periods
     * times (1 + 1/snr): the ratio of sums is unbiased up to that factor (E[I^2 - Q^2] = A^2 cos 2phi,
     * E[I^2 + Q^2] = A^2 (1 + 1/snr)); the mean of 1 ms ratios is not at low SNR and kept the
     * indicator below the threshold at 32 dB-Hz */
    t->lk_d += creal(p) * creal(p) - cimag(p) * cimag(p);
    t->lk_p += creal(p) * creal(p) + cimag(p) * cimag(p);
    if (++t->lk_n == LOCK_WIN) {
        double snr = pow(10.0, t->cn0 / 10.0) * T_S;
        double c2 = t->lk_p > 0 ? t->lk_d / t->lk_p * (snr > 0 ? 1.0 + 1.0 / snr : 1.0) : 0.0;
        t->lpi += (LOCK_WIN * T_S / LOCK_TAU_S) * (c2 - t->lpi);
        t->lk_d = t->lk_p = 0.0;
        t->lk_n = 0;
    }

    /* carrier */
    double df = 0.0;
    if (t->have_last) {
        double complex z = conj(t->last) * p;
        if (creal(z) < 0)
            z = -z;
        df = bx_trk_fll_disc(z, T_S);
    }
    t->last = p;
    t->have_last = 1;
    double dphi = bx_trk_pll_disc(p, 1);
    const int weak = t->cn0 > 0.0 && t->cn0 < WEAK_DBHZ;
    double f;
    if (t->state == BX_TRK_LOCKED)
        f = bx_trk_carr_loop_update(&t->carr, dphi, 0.0, T_S, t->c.pll_bw_hz, 0.0);
    else if (t->pullin_s < 3.0 * t->c.fll_only_s)
        f = bx_trk_carr_loop_update(&t->carr, 0.0, df, T_S, 0.0, weak ? WEAK_FLL_SHARE * t->c.fll_bw_hz : t->c.fll_bw_hz);
    else /* weak: no FLL assist, its 1 ms discriminator walked the loop +-20-40 Hz at 32 dB-Hz */
        f = bx_trk_carr_loop_update(&t->carr, dphi, weak ? 0.0 : df, T_S, t->c.pll_bw_pullin_hz,
                                    weak ? 0.0 : t->c.fll_bw_hz);

    /* code */
    double e = bx_trk_dll_disc(cabs(t->acc[1]), cabs(t->acc[2]), t->spacing, 0);
    double bw = t->state == BX_TRK_LOCKED ? t->c.dll_bw_hz : t->c.dll_bw_pullin_hz;

    /* symbol of this period */
    if (t->ever_locked)
        push_symbol(t, creal(p), t->blk_start);

    /* history for bx_trk_observe */
    seg_t sg = {t->blk_start, t->blk_len, t->code0, t->step, t->carr0, t->carr_hz};
    if (t->hist_n < HIST)
        t->hist[(t->hist_head + t->hist_n++) % HIST] = sg;
    else {
        t->hist[t->hist_head] = sg;
        t->hist_head = (t->hist_head + 1) % HIST;
    }

    /* next period */
    t->carr0 += t->carr_hz * t->blk_len / fs;
    t->carr0 -= floor(t->carr0);
    t->code0 += t->blk_len * t->step - CHIPS;
    t->blk_start += t->blk_len;
    t->carr_hz = f;
    t->code_rate = aided_rate(f) + 4.0 * bw * e;
    t->step = t->code_rate / fs;

    /* state */
    if (t->state == BX_TRK_PULLIN) {
        if (t->pullin_s >= 3.0 * t->c.fll_only_s + t->c.lock_min_s && t->lpi > 0.75)
            set_locked(t, 1);
        else if (t->pullin_s > t->c.pullin_timeout_s)
            t->state = BX_TRK_LOST;
    } else if (t->lpi < 0.4)
        set_locked(t, 0);
    double floor_db = t->c.cn0_lost_dbhz > NOISE_FLOOR_DBHZ ? t->c.cn0_lost_dbhz : NOISE_FLOOR_DBHZ;
    if (t->ever_locked && bx_trk_cn0_windows(&t->est)) {
        t->low_s = t->cn0 < floor_db ? t->low_s + T_S : 0.0;
        if (t->low_s > t->c.lost_after_s)
            t->state = BX_TRK_LOST;
    }
    layout(t);
}

int bx__trk_b2b_process(bx_trk_b2b_t *t, const bx_cf32_t *x, size_t n, uint64_t first_sample)
{
    if (t->state == BX_TRK_LOST || n == 0)
        return BX_OK;
    const uint64_t end = first_sample + n;
    if (!t->started) {
        anchor(t, first_sample);
        t->started = 1;
    } else if (first_sample > t->pos) {
        anchor(t, first_sample);
        t->slip_count++;
        t->half_cycle = 1;
    }
    bx_corr_req_t req;
    memset(&req, 0, sizeof req);
    const double fs = t->c.fs_hz, ifr = t->c.if_hz / fs;
    while (t->state != BX_TRK_LOST) {
        uint64_t a = t->pos > first_sample ? t->pos : first_sample;
        if (a >= end)
            break;
        uint64_t pend = t->blk_start + t->blk_len;
        uint64_t b = pend < end ? pend : end;
        double o = (double)(a - t->blk_start);
        double h = 0.5 * t->spacing;
        req.ntaps = 3;
        req.tap_off[0] = 0.0;
        req.tap_off[1] = h;
        req.tap_off[2] = -h;
        req.data_tap = 0;
        double cyc = t->carr0 + t->carr_hz * o / fs;
        if (ifr != 0.0)
            cyc += (double)fmodl((long double)a * (long double)ifr, 1.0L);
        req.carr_cyc = cyc - floor(cyc);
        req.carr_step_cyc = ifr + t->carr_hz / fs;
        req.code_idx = PAD + t->code0 + o * t->step;
        req.code_step = t->step;
        bx_corr_out_t r;
        bx_corr_run(t->corr, x + (a - first_sample), (size_t)(b - a), t->table, &req, &r);
        for (int k = 0; k < 3; k++)
            t->acc[k] += r.tap[k];
        t->pos = b;
        if (b == pend)
            finish_block(t);
    }
    return BX_OK;
}

static void obs_seg(const bx_trk_b2b_t *t, const seg_t *s, uint64_t sample, bx_trk_obs_t *o)
{
    double dt = (double)((int64_t)(sample - s->start));
    double cp = s->code0 + dt * s->step;
    cp -= floor(cp / CHIPS) * CHIPS;
    o->code_phase_chips = cp;
    o->carrier_cycles = -(s->carr0 + s->carr_hz * dt / t->c.fs_hz); /* RINEX sign, as trk.c */
}

int bx__trk_b2b_observe(const bx_trk_b2b_t *t, uint64_t sample, bx_trk_obs_t *o)
{
    memset(o, 0, sizeof *o);
    o->prn = t->c.prn;
    o->sig = t->c.sig;
    o->state = t->state;
    o->doppler_hz = t->carr.vel_hz; /* the loop integrator: the NCO rate adds the noisy proportional term */
    o->cn0_dbhz = o->cn0_pilot_dbhz = t->cn0;
    o->pll_lock = t->lpi;
    o->slip = t->slip;
    o->slip_count = t->slip_count;
    o->half_cycle = t->half_cycle;
    o->sec_sync = 0; /* no secondary code: the transmit time comes from the frames only */
    o->lock_s = (t->state == BX_TRK_LOCKED && sample > t->lock_start)
                    ? (double)(sample - t->lock_start) / t->c.fs_hz : 0.0;
    if (!t->started)
        return BX_ERR_ARG;
    seg_t cur = {t->blk_start, t->blk_len, t->code0, t->step, t->carr0, t->carr_hz};
    if (sample >= cur.start) {
        if (sample > cur.start + 2ull * cur.len)
            return BX_ERR_ARG;
        obs_seg(t, &cur, sample, o);
        return BX_OK;
    }
    for (int i = t->hist_n - 1; i >= 0; i--) {
        const seg_t *s = &t->hist[(t->hist_head + i) % HIST];
        if (sample >= s->start && sample < s->start + s->len) {
            obs_seg(t, s, sample, o);
            return BX_OK;
        }
    }
    return BX_ERR_ARG;
}
