/*
 * Tracking channel (method in include/bdsrx/trk.h): code/carrier NCOs over
 * primary-code periods, the fused correlator, loop updates, pilot
 * secondary-code sync, data symbols and raw observables.
 *
 * Time base: every primary-code period ("block") starts at the first sample
 * whose prompt code phase has wrapped to [0, step); the NCO is linear inside a
 * block (code0, step, carr0, carr_hz fixed) and the loops change the rates at
 * block edges only, so the code and carrier phases at any sample follow from
 * the block that contains it (kept in a short history for bx_trk_observe).
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "bdsrx/corr.h"
#include "bdsrx/trk.h"
#include "trk_impl.h"
#include "trk_b2b.h"
#include "bx_err.h"

#define HIST 16       /* code periods kept for bx_trk_observe */
#define SYMQ 4096     /* queued data symbols */
#define MAXPART 10    /* partial sums per block (FLL) */
#define PAD 32        /* table entries of wrap-around padding at each end */
#define PRIM_CHIPS 10230.0
#define FALSE_LOCK_MIN_DBHZ 30.0 /* pilot C/N0 below which the false-lock check is off */
#define NOISE_FLOOR_1MS_DBHZ 29.0 /* loss threshold of the biased estimators with 1 ms periods */
#define WIDE_FLL_MIN_DBHZ 35.0   /* acquisition C/N0 below which pull-in skips the partial-based FLL */
#define PRESYNC 2048  /* periods kept before secondary sync (B1C 20 s, B2a 2 s) */
#define B2A_PULLIN_10MS_HZ 10.0 /* PLL pull-in bandwidth on 10 ms periods */
#define B2A_HOLD_DOPPLER_DBHZ 36.0 /* acquisition C/N0 below which B2a holds its Doppler until sync */
#define DSYNC_M 800   /* B2a differential sync window, periods (0.8 s: pull-in from 30 dB-Hz, bench_weak;
                         1.5 s did not reach 28) */
#define B1C_HOLD_DOPPLER_DBHZ 30.0 /* acquisition C/N0 below which B1C holds its Doppler until sync */
#define DSYNC_M_B1C 200 /* B1C differential sync window, periods (2 s: z ~ 9 at 25 dB-Hz, dsync_collect) */
#define DSYNC_F_B1C 50  /* its newest products that give the carrier frequency at the sync (0.5 s) */

typedef struct {
    uint64_t start;
    uint32_t len;
    double code0, step, carr0, carr_hz;
    int sec_pos; /* -1 if not synced */
} seg_t;

struct bx_trk {
    bx_trk_b2b_t *b2b;    /* B2b-I: the whole channel lives in trk_b2b.c (the functions below dispatch) */
    bx_trk_config_t c;
    bx_corr_t *corr;
    uint8_t *table_mem;
    int spc;              /* table entries per chip: 2 (BOC(1,1) half chips) or 1 */
    int boc;
    int8_t sec[1800];     /* pilot secondary code */
    int sec_len;
    double chip_rate, fc, t_prim; /* chips/s, carrier Hz, primary period s */
    int npart;            /* partials per block */

    int state, started;
    /* NCO of the current block */
    uint64_t blk_start, pos;
    uint32_t blk_len, part_end[MAXPART];
    double code0, step, carr0, carr_hz, code_rate;
    double dll_rate;      /* DLL integrator: code rate beyond carrier aiding, chips/s */
    double spacing;       /* E-L spacing used in the current block, chips */
    int ntaps;
    int part;
    double complex part_p[MAXPART];
    double complex acc[BX_CORR_MAX_TAPS], accd;

    /* loop period (B2a after sync: several blocks) */
    int per_blocks, per_count, per_npart;
    double complex per_tap[BX_CORR_MAX_TAPS], per_part[MAXPART * 20];
    double complex last_part, last_per; /* last partial / whole period of the previous period */
    double fl_lp;                       /* low-passed partial-based frequency error, Hz */
    int wide_ok;                        /* pull-in may start with the partial-based FLL */
    double acq_cn0;                     /* C/N0 from acquisition (0 unknown) */
    int have_last;
    bx_trk_carr_loop_t carr;
    double lpi_num, lpi_den, lpi;
    double t_state, t_total;
    double t_unlocked;    /* time since the channel was last LOCKED (or since it started) */
    uint64_t lock_start;
    int slip;
    uint32_t slip_count;  /* carrier-phase discontinuities so far (see bx_trk_obs_t) */

    /* secondary code */
    int sec_sync, sec_pos;
    long sec_periods;
    float sync_buf[2048];
    float dsync_buf[DSYNC_M];  /* B2a differential products (dsync_collect) */
    float complex dsync_c[DSYNC_M_B1C]; /* B1C: complex products ... */
    float dsync_f[DSYNC_M_B1C];         /* ... and the carrier NCO frequency of each product's period */
    int dsync_n, dsync_wait, have_dprev;
    double complex dprev;
    int8_t dsec[1800];         /* sec[j] sec[j-1] */
    int sync_n, sync_wait;
    int chk_neg, chk_n;

    /* prompts of the periods before secondary sync (first-frame decoding):
     * data and pilot prompt of each period, placed in the frame when the
     * sync resolves; prim counts primary periods since the start (gaps too) */
    struct {
        float complex d, p;
        uint64_t sample;
        int64_t prim;
    } pre[PRESYNC];
    int pre_head, pre_n;
    int64_t prim, emitted_prim;

    /* data symbols */
    double complex sym_d, sym_p;
    int sym_n;
    int64_t sym_next;     /* B2a: primary period the open symbol expects next */
    uint64_t sym_sample;
    int32_t sym_index;
    bx_trk_symbol_t symq[SYMQ];
    int sq_head, sq_n;

    /* C/N0 */
    bx_trk_cn0_t cn0p, cn0d;      /* pilot / data prompts since the start (M2M4 in pull-in) */
    bx_trk_cn0_t lkp, lkd;        /* the same since carrier lock (I/Q estimator) */
    bx_trk_qn_t lkq;              /* quadrature noise of the pair since carrier lock */
    bx_trk_en_t env;              /* envelope estimate of the pair since the start (reported in pull-in) */
    double cn0_pilot, cn0_total, low_s;
    double cn0_data;      /* the data component's estimate (0 none) */
    double cn0_pilot_rep; /* the pilot's as reported: cn0_pilot plus the PLL jitter loss once synchronised */
    double cn0_judge;     /* C/N0 compared with cn0_lost_dbhz ... */
    double cn0_floor;     /* ... or with this floor of a biased estimator, the higher */
    int ever_locked;      /* reached LOCKED once */
    double lk_cp, lk_cd;  /* last in-phase estimates (pilot, data) of this lock, 0 none */
    double rep_last, rep_last_pilot; /* the last non-zero C/N0 reported (total, pilot) */
    double pn_blk;        /* noise power of one pilot prompt (one block), 0 unknown: lock indicator */
    int repull;           /* back in pull-in after a lock, synchronised: PLL only (no FLL-alone stages) */
    int lk_signed;        /* lkp holds secondary-wiped pilot prompts only (since sync and lock) */

    /* bump-jump */
    double bj_ve, bj_vl, bj_p;
    int bj_n;

    seg_t hist[HIST];
    int hist_n, hist_head;
};

void bx_trk_config_default(bx_trk_config_t *c, int sig, int prn, double fs_hz, double if_hz)
{
    memset(c, 0, sizeof *c);
    c->sig = sig;
    c->prn = prn;
    c->fs_hz = fs_hz;
    c->if_hz = if_hz;
    int b1c = sig == BX_SIG_B1C;
    c->fll_bw_hz = b1c ? 8.0 : 5.0;
    c->pll_bw_pullin_hz = b1c ? 10.0 : 25.0;
    /* 2nd-order PLL: steady phase error = LOS acceleration / (lambda wn^2),
     * wn = B / 0.53.  A vehicle turning at 2.7 m/s^2 (4 m/s on a 6 m radius,
     * tests/test_receiver_dual.c) costs B1C 57 deg at 5 Hz (lock lost in every
     * U-turn) and 22 deg at 8 Hz; 10 Hz would double the Doppler noise of 5 Hz. */
    c->pll_bw_hz = 8.0;
    c->dll_bw_pullin_hz = 1.0;
    c->dll_bw_hz = b1c ? 0.1 : 0.5;
    c->dll_bw_min_hz = b1c ? 0.02 : 0.0;
    c->el_spacing_pullin_chips = b1c ? 0.5 : 1.0;
    c->el_spacing_chips = b1c ? 0.25 : 0.5;
    c->fll_only_s = 0.1;
    c->lock_min_s = 0.3;
    c->pullin_timeout_s = 4.0;
    /* judged on the unbiased pilot estimate once synchronised and locked (else
     * at least NOISE_FLOOR_1MS_DBHZ with 1 ms periods): 20 holds lock to ~25 dB-Hz
     * (bench/bench_weak.c) and a removed signal is LOST within ~2 s (test_trk) */
    c->cn0_lost_dbhz = 20.0;
    c->lost_after_s = 1.0;
    c->coh_ms_b2a = 10;
    c->sec_sync_chips = b1c ? 100 : 200; /* wrong-sync probability: bench/bench_sync.c */
    c->bump_jump = 1;
    c->corr_impl = 0;
}

const char *bx_trk_state_name(int state)
{
    switch (state) {
    case BX_TRK_LOST: return "LOST";
    case BX_TRK_PULLIN: return "PULLIN";
    case BX_TRK_LOCKED: return "LOCKED";
    default: return "?";
    }
}

int bx_trk_state(const bx_trk_t *t) { return t->b2b ? bx__trk_b2b_state(t->b2b) : t->state; }
uint64_t bx_trk_position(const bx_trk_t *t) { return t->b2b ? bx__trk_b2b_position(t->b2b) : t->pos; }

int bx_trk_set_polarity(bx_trk_t *t, int inverted) { return t->b2b ? bx__trk_b2b_set_polarity(t->b2b, inverted) : 0; }

/* Code table: entry spc*c + h of chip c, with PAD entries wrapped around at
 * both ends and 16 readable bytes after (corr.h).  B1C: sine-phased BOC(1,1),
 * each chip = [+1, -1] half chips (signals.md §1.1); the pilot is correlated
 * with BOC(1,1) only (the BOC(6,1) quarter of the QMBOC pilot is ignored). */
static int build_table(bx_trk_t *t)
{
    int b1c = t->c.sig == BX_SIG_B1C;
    int8_t *cp = malloc(10230), *cd = malloc(10230);
    int n = 10230 * t->spc;
    t->table_mem = calloc((size_t)n + 2 * PAD + 16, 1);
    int ok = cp && cd && t->table_mem &&
             bx_code_gen(b1c ? BX_CODE_B1CP : BX_CODE_B2AP, t->c.prn, cp, 10230) == 10230 &&
             bx_code_gen(b1c ? BX_CODE_B1CD : BX_CODE_B2AD, t->c.prn, cd, 10230) == 10230;
    if (ok) {
        for (int e = -PAD; e < n + PAD; e++) {
            int w = (e + n) % n, chip = w / t->spc;
            int sc = (t->spc == 2 && (w & 1)) ? -1 : 1;
            uint8_t v = 0;
            if (cp[chip] * sc < 0)
                v |= BX_CORR_PILOT_NEG;
            if (cd[chip] * sc < 0)
                v |= BX_CORR_DATA_NEG;
            t->table_mem[e + PAD] = v;
        }
        t->sec_len = bx_code_length(b1c ? BX_CODE_B1CS : BX_CODE_B2AS);
        ok = bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, t->c.prn, t->sec, 1800) == t->sec_len;
        for (int j = 0; ok && j < t->sec_len; j++)
            t->dsec[j] = (int8_t)(t->sec[j] * t->sec[(j + t->sec_len - 1) % t->sec_len]);
    }
    free(cp);
    free(cd);
    return ok;
}

static double step_for(const bx_trk_t *t, double code_rate) { return code_rate / t->c.fs_hz; }

static double aided_rate(const bx_trk_t *t, double carr_hz)
{
    return t->chip_rate * (1.0 + carr_hz / t->fc);
}

/* Block geometry from code0/step: length and partial boundaries. */
static void layout_block(bx_trk_t *t)
{
    double n = ceil((PRIM_CHIPS - t->code0) / t->step);
    t->blk_len = (uint32_t)(n < 1 ? 1 : n);
    for (int j = 0; j < t->npart; j++)
        t->part_end[j] = (uint32_t)llround((double)(j + 1) * t->blk_len / t->npart);
    t->part_end[t->npart - 1] = t->blk_len;
    t->part = 0;
    memset(t->part_p, 0, sizeof t->part_p);
    memset(t->acc, 0, sizeof t->acc);
    t->accd = 0;
    t->pos = t->blk_start;
}

/* Appends one pilot prompt (0 = a period without data) to the sliding sync window. */
static void sync_push(bx_trk_t *t, float v)
{
    int m = t->c.sec_sync_chips;
    if (t->sync_n == m) { /* slide */
        memmove(t->sync_buf, t->sync_buf + 1, (size_t)(m - 1) * sizeof *t->sync_buf);
        t->sync_n--;
    }
    t->sync_buf[t->sync_n++] = v;
}

/* Re-anchors the NCO at sample s (start or gap): propagates code and carrier
 * from the current block's linear model and starts a block at the next code
 * epoch at or after s.  The running partial block is dropped. */
static void anchor(bx_trk_t *t, uint64_t s)
{
    double dt = (double)((int64_t)(s - t->blk_start));
    double cp = t->code0 + dt * t->step;
    double wraps = floor(cp / PRIM_CHIPS);
    cp -= wraps * PRIM_CHIPS;
    double k = ceil((PRIM_CHIPS - cp) / t->step);
    if (cp < t->step) /* s itself is the first sample of a period */
        k = 0, wraps -= 1;
    t->carr0 += t->carr_hz * (dt + k) / t->c.fs_hz;
    t->code0 = cp + k * t->step - (k > 0 ? PRIM_CHIPS : 0.0);
    t->blk_start = s + (uint64_t)k;
    long w = (long)wraps + 1; /* periods from the current block to the new one */
    t->prim += w;
    if (t->sec_sync) {
        t->sec_pos = (int)(((t->sec_pos + w) % t->sec_len + t->sec_len) % t->sec_len);
    } else if (t->sync_n > 0) {
        /* keep the sync window aligned: the dropped block and the periods of the gap count
         * as empty chips (no information), so the search goes on across short gaps */
        if (w >= t->c.sec_sync_chips || w < 0)
            t->sync_n = 0;
        else
            for (long i = 0; i < w; i++)
                sync_push(t, 0.0f);
    }
    t->have_last = 0;
    t->per_count = 0;
    t->per_npart = 0;
    memset(t->per_tap, 0, sizeof t->per_tap);
    t->sym_n = 0;
    t->sym_next = -1;
    t->dsync_n = 0;
    t->have_dprev = 0;
    layout_block(t);
}

static void set_taps(bx_trk_t *t, bx_corr_req_t *r)
{
    double h = 0.5 * t->spacing * t->spc;
    r->ntaps = t->ntaps;
    r->tap_off[0] = 0.0;
    r->tap_off[1] = h;  /* early: replica ahead */
    r->tap_off[2] = -h; /* late */
    if (t->ntaps > 3) {
        r->tap_off[3] = 0.5 * t->spc;  /* very early, +0.5 chip */
        r->tap_off[4] = -0.5 * t->spc; /* very late */
    }
    r->data_tap = 0;
}

int bx_trk_create(const bx_trk_config_t *c, const bx_acq_result_t *init, uint64_t acq_sample, bx_trk_t **out,
                  char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_trk_create: out is NULL");
    *out = NULL;
    if (c && init && c->sig == BX_SIG_B2B && c->prn >= 1 && c->prn <= 63) { /* B2b-I: dsp/trk_b2b.c */
        bx_trk_t *t = calloc(1, sizeof *t);
        if (!t)
            return bx_err(err, errlen, BX_ERR_NOMEM, "tracking: out of memory");
        int st = bx__trk_b2b_create(c, init, acq_sample, &t->b2b, err, errlen);
        if (st != BX_OK) {
            free(t);
            return st;
        }
        t->c = *c;
        *out = t;
        return BX_OK;
    }
    if (!c || !init || (c->sig != BX_SIG_B1C && c->sig != BX_SIG_B2A) || c->prn < 1 || c->prn > 63 ||
        !(c->fs_hz > 0) || !(init->code_phase_chips >= 0 && init->code_phase_chips < PRIM_CHIPS))
        return bx_err(err, errlen, BX_ERR_ARG,
                      "tracking: invalid configuration (signal must be B1C or B2a, PRN 1..63, fs > 0, code "
                      "phase 0..10230)");
    int coh = c->coh_ms_b2a;
    if (c->sig == BX_SIG_B2A && coh != 1 && coh != 2 && coh != 5 && coh != 10 && coh != 20)
        return bx_err(err, errlen, BX_ERR_ARG, "tracking: coh_ms_b2a must be 1, 2, 5, 10 or 20 (got %d)", coh);
    bx_trk_t *t = calloc(1, sizeof *t);
    if (!t)
        return bx_err(err, errlen, BX_ERR_NOMEM, "tracking: out of memory");
    t->c = *c;
    if (t->c.sec_sync_chips < 20)
        t->c.sec_sync_chips = 20;
    if (t->c.sec_sync_chips > 2048)
        t->c.sec_sync_chips = 2048;
    int b1c = c->sig == BX_SIG_B1C;
    t->spc = b1c ? 2 : 1;
    t->boc = b1c;
    t->chip_rate = b1c ? 1.023e6 : 10.23e6;   /* signals.md §1 */
    t->fc = b1c ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
    t->t_prim = b1c ? 0.010 : 0.001;
    t->npart = b1c ? 10 : 1;                  /* B1C: 1 ms partials of the 10 ms period */
    t->ntaps = (b1c && c->bump_jump) ? 5 : 3;
    int st = bx_corr_create(c->corr_impl, &t->corr, err, errlen);
    if (st != BX_OK || !build_table(t)) {
        bx_trk_destroy(t);
        return st != BX_OK ? st : bx_err(err, errlen, BX_ERR_NOMEM, "tracking: no memory for the code tables");
    }
    if (t->c.sec_sync_chips > t->sec_len * 3)
        t->c.sec_sync_chips = t->sec_len * 3;
    t->state = BX_TRK_PULLIN;
    t->carr_hz = init->doppler_hz;
    t->wide_ok = !(init->cn0_dbhz > 0.0 && init->cn0_dbhz < WIDE_FLL_MIN_DBHZ);
    t->acq_cn0 = init->cn0_dbhz > 0.0 ? init->cn0_dbhz : 0.0;
    if (getenv("TRK_DEBUG"))
        fprintf(stderr, "trk PRN %d: start Doppler %.1f Hz, code %.3f chips, acquisition C/N0 %.1f dB-Hz\n", c->prn,
                init->doppler_hz, init->code_phase_chips, init->cn0_dbhz);
    t->carr.vel_hz = init->doppler_hz;
    t->code_rate = aided_rate(t, t->carr_hz);
    t->step = step_for(t, t->code_rate);
    t->code0 = init->code_phase_chips;
    t->blk_start = acq_sample;
    t->spacing = c->el_spacing_pullin_chips;
    t->per_blocks = 1;
    t->emitted_prim = INT64_MIN;
    t->sym_next = -1;
    int win = b1c ? 50 : 250; /* C/N0 windows: 0.5 s / 0.25 s */
    bx_trk_cn0_init(&t->cn0p, win);
    bx_trk_cn0_init(&t->cn0d, win);
    bx_trk_cn0_init(&t->lkp, win);
    bx_trk_cn0_init(&t->lkd, win);
    bx_trk_qn_init(&t->lkq, win, b1c ? 1.0 / 3.0 : 1.0); /* data / pilot power, signals.md §1.1/1.2 */
    bx_trk_en_init(&t->env, win, b1c ? 1.0 / 3.0 : 1.0);
    *out = t;
    return BX_OK;
}

void bx_trk_destroy(bx_trk_t *t)
{
    if (!t)
        return;
    bx__trk_b2b_destroy(t->b2b);
    bx_corr_destroy(t->corr);
    free(t->table_mem);
    free(t);
}

/* ---- per block ---- */

static void push_symbol(bx_trk_t *t, float soft, int32_t index, uint64_t sample)
{
    if (t->sq_n == SYMQ) { /* full: drop the oldest */
        t->sq_head = (t->sq_head + 1) % SYMQ;
        t->sq_n--;
    }
    bx_trk_symbol_t *s = &t->symq[(t->sq_head + t->sq_n) % SYMQ];
    s->soft = soft;
    s->index = index;
    s->sample = sample;
    t->sq_n++;
}

int bx_trk_pop_symbols(bx_trk_t *t, bx_trk_symbol_t *out, int max)
{
    if (t->b2b)
        return bx__trk_b2b_pop_symbols(t->b2b, out, max);
    int n = 0;
    while (n < max && t->sq_n > 0) {
        out[n++] = t->symq[t->sq_head];
        t->sq_head = (t->sq_head + 1) % SYMQ;
        t->sq_n--;
    }
    return n;
}

/* Data symbol from a data prompt d and the (secondary-wiped) pilot prompt p of
 * the same interval: the pilot PLL keeps p real positive, and the data
 * component is -j D relative to the pilot (signals.md §1.1/1.2: s = data + j
 * pilot), so D = -Im(d conj(p)/|p|).  Scaled by the noise sigma of n blocks. */
static float data_soft(const bx_trk_t *t, double complex d, double complex p, int nblk)
{
    double ap = cabs(p);
    double complex r = ap > 0 ? d * conj(p) / ap : d;
    double pn = bx_trk_cn0_windows(&t->lkp) ? bx_trk_cn0_pn(&t->lkp, 1) : bx_trk_cn0_pn(&t->cn0p, 0);
    double sig = sqrt(0.5 * nblk * pn);
    return (float)(-cimag(r) / (sig > 0 ? sig : 1.0));
}

/* Data symbol(s) of one primary period at secondary-code position pos
 * (periods = whole secondary periods since sync, may be negative for periods
 * placed after the fact), starting at `sample`, primary period count prim. */
static void data_block_at(bx_trk_t *t, double complex d, double complex p, int pos, long periods, uint64_t sample,
                          int64_t prim)
{
    if (prim <= t->emitted_prim)
        return; /* already emitted (re-sync after a sync loss) */
    t->emitted_prim = prim;
    if (t->c.sig == BX_SIG_B1C) {
        push_symbol(t, data_soft(t, d, p, 1), pos, sample);
        return;
    }
    /* B2a: 5 ms symbols aligned with the 100 ms pilot secondary period, data
     * secondary code 00010 (signals.md §1.2) */
    static const int ds[5] = {1, 1, 1, -1, 1};
    int k = pos % 5;
    if (t->sym_next != prim)
        t->sym_n = -1; /* a gap: wait for the next symbol start */
    t->sym_next = prim + 1;
    if (k == 0) {
        t->sym_d = t->sym_p = 0;
        t->sym_n = 0;
        t->sym_sample = sample;
        t->sym_index = (int32_t)(20 * periods + pos / 5);
    }
    if (t->sym_n != k)
        return; /* started mid-symbol */
    t->sym_d += d * ds[k];
    t->sym_p += p;
    if (++t->sym_n == 5)
        push_symbol(t, data_soft(t, t->sym_d, t->sym_p, 5), t->sym_index, t->sym_sample);
}

static void data_block(bx_trk_t *t, double complex d, double complex p)
{
    data_block_at(t, d, p, t->sec_pos, t->sec_periods, t->blk_start, t->prim);
}

/* Keeps the current period's prompts until the secondary code is synchronised. */
static void presync_push(bx_trk_t *t, double complex d, double complex p)
{
    int i = (t->pre_head + t->pre_n) % PRESYNC;
    if (t->pre_n == PRESYNC)
        t->pre_head = (t->pre_head + 1) % PRESYNC;
    else
        t->pre_n++;
    t->pre[i].d = (float complex)d;
    t->pre[i].p = (float complex)p;
    t->pre[i].sample = t->blk_start;
    t->pre[i].prim = t->prim;
}

/* Sync found (sec_pos = position of the period after the current one): the
 * kept periods get their positions and their data symbols are emitted, so a
 * frame that began before the sync is complete.  d conj(p) does not depend on
 * the Costas half-cycle ambiguity (both flip), only p's secondary chip is
 * wiped here. */
static void presync_flush(bx_trk_t *t)
{
    const int64_t next = t->prim + 1;
    const int L = t->sec_len;
    t->sym_next = -1;
    for (int n = 0; n < t->pre_n; n++) {
        const int i = (t->pre_head + n) % PRESYNC;
        const int64_t a = (int64_t)t->sec_pos + (t->pre[i].prim - next);
        const long periods = (long)(a >= 0 ? a / L : -((-a + L - 1) / L));
        const int pos = (int)(a - (int64_t)periods * L);
        data_block_at(t, t->pre[i].d, t->sec[pos] * (double complex)t->pre[i].p, pos, t->sec_periods + periods,
                      t->pre[i].sample, t->pre[i].prim);
    }
    t->pre_n = t->pre_head = 0;
}

/* Secondary-code search over the last sec_sync_chips prompt signs; returns 1
 * on a unique match and sets sec_pos for the block after the newest value. */
static int try_sec_sync(bx_trk_t *t)
{
    int m = t->c.sec_sync_chips, L = t->sec_len, bo, neg;
    if (!bx_trk_sec_search(t->sync_buf, m, t->sec, L, &bo, &neg))
        return 0;
    t->sec_pos = (bo + m) % L; /* position of the next block */
    /* periods counted so that the kept periods (presync_flush) have indices >= 0 */
    t->sec_periods = PRESYNC / L + 1;
    if (neg) { /* Costas settled 180 degrees off: flip the replica phase */
        t->carr0 += 0.5;
        t->slip_count++;
    }
    return 1;
}

/* Sync found: the channel from now on wipes the secondary code. */
static void sync_found(bx_trk_t *t, const char *how)
{
    t->sec_sync = 1;
    bx_trk_cn0_reset(&t->lkp); /* from now on with known signs */
    t->lk_signed = 1;
    if (getenv("TRK_DEBUG"))
        fprintf(stderr, "trk PRN %d: %s sync at %.2f s (%d kept periods)\n", t->c.prn, how, t->t_total, t->pre_n);
    presync_flush(t);
    t->chk_n = t->chk_neg = 0;
    t->have_last = 0;
    t->dsync_n = 0;
}

/* B2a before phase lock (weak signals: a 1 ms Costas loop does not lock below
 * ~35 dB-Hz): the secondary code from differential products
 * Re(p_k conj(p_k-1)) ~ |A|^2 s_k s_k-1, which need only the FLL's frequency,
 * correlated with the code's differential sequence over DSYNC_M periods.  No
 * sign ambiguity; the pure PLL then pulls the wiped 10 ms prompts in. */
static void dsync_collect_b1c(bx_trk_t *t, double complex p, double f_used);

static void dsync_collect(bx_trk_t *t, double complex p, double f_used)
{
    if ((t->c.sig != BX_SIG_B2A && t->c.sig != BX_SIG_B1C) ||
        (t->state == BX_TRK_PULLIN && t->t_state < 3.0 * t->c.fll_only_s)) {
        t->dsync_n = 0;
        t->have_dprev = 0;
        return;
    }
    if (t->c.sig == BX_SIG_B1C) {
        dsync_collect_b1c(t, p, f_used);
        return;
    }
    if (t->have_dprev) {
        if (t->dsync_n == DSYNC_M) {
            memmove(t->dsync_buf, t->dsync_buf + 1, (DSYNC_M - 1) * sizeof *t->dsync_buf);
            t->dsync_n--;
        }
        t->dsync_buf[t->dsync_n++] = (float)creal(p * conj(t->dprev));
    }
    t->dprev = p;
    t->have_dprev = 1;
    if (t->dsync_n < DSYNC_M || --t->dsync_wait > 0)
        return;
    t->dsync_wait = 50;
    int bo, neg;
    /* buf[i] = product of chips (j, j-1) = dsec[j], j = bo + i: the newest is the current period */
    if (!bx_trk_sec_search(t->dsync_buf, DSYNC_M, t->dsec, t->sec_len, &bo, &neg) || neg)
        return;
    t->sec_pos = (bo + DSYNC_M) % t->sec_len; /* the next period */
    t->sec_periods = PRESYNC / t->sec_len + 1;
    sync_found(t, "differential");
    t->chk_n = -50; /* the PLL is still pulling in: judge the alignment from 0.5 s on */
}

/* B1C before the coherent sync (weak signals: the 10 ms Costas loop wanders at 25 dB-Hz
 * before its lock indicator lets the coherent search run): the same differential
 * search, on complex products z_k = p_k conj(p_k-1) ~ |A|^2 s_k s_k-1 e^(j 2 pi df T).
 * |sum dsec z| / sqrt(sum |z|^2) is blind to the common phase, so a carrier df Hz off
 * (up to 1/(2T) = 50 Hz) still syncs, and the phase of the newest products' sum gives df:
 * at the sync the carrier is set to their NCO frequency + df and the pure PLL pulls in
 * on wiped prompts.  z ~ sqrt(M) rho / (rho + 1) with rho = the pilot's BOC(1,1) SNR per
 * period (2.1 at 25 dB-Hz): ~9 over 200 periods. */
static void dsync_collect_b1c(bx_trk_t *t, double complex p, double f_used)
{
    if (t->have_dprev) {
        if (t->dsync_n == DSYNC_M_B1C) {
            memmove(t->dsync_c, t->dsync_c + 1, (DSYNC_M_B1C - 1) * sizeof *t->dsync_c);
            memmove(t->dsync_f, t->dsync_f + 1, (DSYNC_M_B1C - 1) * sizeof *t->dsync_f);
            t->dsync_n--;
        }
        t->dsync_c[t->dsync_n] = (float complex)(p * conj(t->dprev));
        t->dsync_f[t->dsync_n++] = (float)f_used;
    }
    t->dprev = p;
    t->have_dprev = 1;
    if (t->dsync_n < DSYNC_M_B1C || --t->dsync_wait > 0)
        return;
    t->dsync_wait = 25;
    int bo;
    if (!bx_trk_sec_search_c(t->dsync_c, DSYNC_M_B1C, t->dsec, t->sec_len, &bo))
        return;
    double complex zf = 0.0;
    double f_nco = 0.0;
    for (int i = DSYNC_M_B1C - DSYNC_F_B1C; i < DSYNC_M_B1C; i++) {
        zf += t->dsec[(bo + i) % t->sec_len] * t->dsync_c[i];
        f_nco += t->dsync_f[i];
    }
    const double df = bx_trk_fll_disc(zf, t->t_prim);
    t->sec_pos = (bo + DSYNC_M_B1C) % t->sec_len; /* the next period */
    t->sec_periods = PRESYNC / t->sec_len + 1;
    sync_found(t, "differential");
    t->carr.vel_hz = f_nco / DSYNC_F_B1C + df;
    t->carr_hz = t->carr.vel_hz;
    if (getenv("TRK_DEBUG"))
        fprintf(stderr, "trk PRN %d: differential sync: carrier %+.1f Hz from the products\n", t->c.prn, df);
    t->chk_n = -50; /* the PLL is still pulling in: judge the alignment from 0.5 s on */
    /* the frequency is known now: a fresh pull-in with the PLL and its assist (no FLL-alone
     * stages), with its own timeout (the 2 x timeout rule still bounds the whole) */
    if (t->state == BX_TRK_PULLIN) {
        t->repull = 1;
        t->t_state = 0.0;
    }
}

static void sync_collect(bx_trk_t *t, double complex p, double f_used)
{
    int m = t->c.sec_sync_chips;
    dsync_collect(t, p, f_used);
    if (t->sec_sync)
        return;
    if (t->state == BX_TRK_PULLIN && t->t_state < 3.0 * t->c.fll_only_s) {
        t->sync_n = 0;
        return;
    }
    if (t->lpi < 0.6) {
        t->sync_n = 0;
        return;
    }
    sync_push(t, (float)creal(p));
    if (t->sync_n == m && --t->sync_wait <= 0) {
        if (try_sec_sync(t)) {
            sync_found(t, "coherent");
        } else {
            t->sync_wait = t->c.sig == BX_SIG_B1C ? 10 : 20;
        }
    }
}

static void set_state(bx_trk_t *t, int s)
{
    if (s == t->state)
        return;
    if (t->state == BX_TRK_LOCKED && s != BX_TRK_LOCKED) {
        t->slip = 1;
        t->slip_count++;
    }
    /* a phase lock lost after secondary sync: the frequency is still known
     * (a pure PLL on wiped prompts has no 1/(2T) false lock), so pull in again
     * with the PLL and its FLL assist, not the FLL-alone stages whose 1 ms
     * partial discriminator walked a 25 dB-Hz channel 140 Hz off (bench_weak) */
    t->repull = s == BX_TRK_PULLIN && t->state == BX_TRK_LOCKED && t->sec_sync;
    t->state = s;
    t->t_state = 0;
    if (s == BX_TRK_LOCKED) {
        t->lock_start = t->blk_start + t->blk_len;
        t->lk_cp = t->lk_cd = 0.0;
        /* the I/Q estimator needs a locked phase: restart it (M2M4 serves meanwhile) */
        bx_trk_cn0_reset(&t->lkp);
        bx_trk_cn0_reset(&t->lkd);
        bx_trk_qn_reset(&t->lkq);
    }
}

static void loop_update(bx_trk_t *t)
{
    const double T = t->per_blocks * t->t_prim;
    const double complex P = t->per_tap[0];
    const int pullin = t->state == BX_TRK_PULLIN;

    /* FLL.  Alone (start of pull-in): products of consecutive partials (B1C
     * 1 ms inside the 10 ms period: +-500 Hz range); the product that spans
     * two periods is sign-safe only after secondary sync, else folded to
     * |arg| < 90 degrees like atan(cross/dot).  As an assist (range no longer
     * needed): one product of consecutive whole periods, far less noisy. */
    /* pull-in stages: A (fll_only_s) FLL alone on partials (wide range, noisy);
     * B (2 fll_only_s) FLL alone on whole periods (+-1/(4T), quiet) so the PLL
     * starts within a few Hz, far from the 1/(2T) Costas false lock;
     * C: PLL with a weak FLL assist */
    const int fll_only = pullin && !t->repull && t->t_state < 3.0 * t->c.fll_only_s;
    /* the wide stage only for strong signals: on 1 ms partials below ~35 dB-Hz
     * its discriminator is noise that walked the loop hundreds of Hz off an
     * acquisition Doppler good to a few Hz (bench/bench_weak.c) */
    const int fll_wide = fll_only && t->t_state < t->c.fll_only_s && t->wide_ok;
    double complex zp = 0, z = 0;
    const double dtp = t->t_prim / t->npart;
    for (int k = 1; k < t->per_npart; k++)
        zp += conj(t->per_part[k - 1]) * t->per_part[k];
    if (t->have_last) {
        double complex zc = conj(t->last_part) * t->per_part[0];
        if (!t->sec_sync && creal(zc) < 0)
            zc = -zc;
        zp += zc;
        z = conj(t->last_per) * P;
        if (!t->sec_sync && creal(z) < 0)
            z = -z;
    }
    t->last_part = t->per_part[t->per_npart - 1];
    t->last_per = P;
    t->have_last = 1;
    const double df_part = bx_trk_fll_disc(zp, dtp);
    double df = fll_wide ? df_part : bx_trk_fll_disc(z, T);

    /* False-lock check: a Costas PLL (and the folded period-to-period FLL)
     * also settles 1/(2T) off (50 Hz with 10 ms).  The partials see that
     * offset; averaged over ~0.3 s it is trustworthy even at low C/N0. */
    if (t->per_npart > 1) {
        double a = T / 0.3 > 1.0 ? 1.0 : T / 0.3;
        t->fl_lp += a * (df_part - t->fl_lp);
        /* only where the 1 ms partials carry the signal: below ~30 dB-Hz their
         * frequency estimate is noise and the check itself threw the loop off */
        /* Only before secondary sync: after it a pure PLL runs on wiped prompts,
         * which has no Costas 1/(2T) false lock, and a sudden fade (40 -> 25
         * dB-Hz) made the 1 ms partials' noise set the check off before the
         * C/N0 windows followed.  Strong by the tracked C/N0 or by acquisition's
         * (a pull-in that wandered off reads low on M2M4: the check must still
         * bring it back, seen 112 Hz off in test_receiver).  Not gated on the lock
         * indicator for the same reason. */
        if (!fll_only && !t->sec_sync && t->t_state > 0.5 && fabs(t->fl_lp) > 0.25 / T &&
            (t->cn0_pilot >= FALSE_LOCK_MIN_DBHZ || t->acq_cn0 >= WIDE_FLL_MIN_DBHZ)) {
            t->carr.vel_hz += t->fl_lp;
            t->fl_lp = 0;
            set_state(t, BX_TRK_PULLIN); /* FLL alone again */
            t->t_state = 0;
            t->slip = 1;
            t->slip_count++;
            t->carr_hz = t->carr.vel_hz;
            t->sync_n = 0;
            return;
        }
    }
    double dphi = bx_trk_pll_disc(P, !t->sec_sync);

    /* phase lock indicator: low-passed (I^2 - Q^2) / (I^2 + Q^2) */
    /* averaged over 0.2 s, 0.8 s for weak signals (below 30 dB-Hz the indicator
     * of 0.2 s dipped under the loss threshold on noise alone) */
    const double lpi_tau = t->cn0_pilot > 0.0 && t->cn0_pilot < FALSE_LOCK_MIN_DBHZ ? 0.8 : 0.2;
    double a = T / lpi_tau > 0.5 ? 0.5 : T / lpi_tau;
    double i2 = creal(P) * creal(P), q2 = cimag(P) * cimag(P);
    t->lpi_num += a * ((i2 - q2) - t->lpi_num);
    t->lpi_den += a * ((i2 + q2) - t->lpi_den);
    t->lpi = t->lpi_den > 0 ? t->lpi_num / t->lpi_den : 0;
    /* noise alone keeps E[cos 2phi] at snr / (snr + 1) even with a perfect
     * lock (snr = C/N0 T of the pilot): undo that so one threshold serves
     * 1 ms B2a (snr ~ 3..20) and 10 ms periods (snr ~ 30..300).  With I = A cos phi + n_I,
     * Q = A sin phi + n_Q: E[I^2 - Q^2] = A^2 cos 2phi, E[I^2 + Q^2] = A^2 + Pn, so
     * the signal power is the denominator less the noise power of the period
     * (per_blocks blocks).  The noise floor does not move when the signal fades,
     * while a C/N0 estimate follows a fade only after its windows (2 s): with
     * the stale 37 dB-Hz the indicator of a 25 dB-Hz channel read 0.6 and the
     * channel fell out of lock (bench_weak, hold 25 dB-Hz). */
    const double pn_per = t->pn_blk * t->per_blocks;
    if (pn_per > 0.0) {
        const double ps = t->lpi_den - pn_per;
        t->lpi = ps > 0.05 * t->lpi_den ? t->lpi_num / ps : 0.0; /* no signal power left: no lock */
        if (t->lpi > 1.0)
            t->lpi = 1.0;
    } else {
        double snr = pow(10.0, t->cn0_pilot / 10.0) * T;
        if (snr > 0.5) {
            t->lpi *= 1.0 + 1.0 / snr;
            if (t->lpi > 1.0)
                t->lpi = 1.0;
        }
    }

    double pll_bw, fll_bw;
    if (pullin) {
        /* FLL alone first; then the FLL only assists (a quarter of its
         * bandwidth: its discriminator is noisier than the PLL's) */
        pll_bw = fll_only ? 0.0 : t->c.pll_bw_pullin_hz;
        /* B2a synchronised before lock (differential sync) pulls in on 10 ms
         * periods: 25 Hz (made for 1 ms updates) is near the loop's stability limit */
        if (t->per_blocks > 1 && pll_bw > B2A_PULLIN_10MS_HZ)
            pll_bw = B2A_PULLIN_10MS_HZ;
        fll_bw = fll_wide ? t->c.fll_bw_hz : fll_only ? 0.5 * t->c.fll_bw_hz : 0.25 * t->c.fll_bw_hz;
        /* weak B2a before secondary sync: on 1 ms periods (pilot SNR ~0.3 at 28 dB-Hz)
         * Costas PLL and FLL are noise that walked the carrier 20-40 Hz off and the
         * carrier-aided code with it (0.3 chip/s) before the differential sync
         * could complete; hold acquisition's Doppler (good to a few Hz, and 15 Hz
         * cost 5 degrees per differential product) until the sync, then pull in
         * on 10 ms wiped periods.  bench_weak, 10 seeds: B2a static 28 dB-Hz 10/10 pull in
         * (was 7/10), static 33 10/10 (9/10), static 35 10/10 locked throughout (8/10). */
        if (t->c.sig == BX_SIG_B2A && !t->sec_sync && t->acq_cn0 > 0.0 && t->acq_cn0 < B2A_HOLD_DOPPLER_DBHZ)
            pll_bw = fll_bw = 0.0;
        /* weak B1C (pilot < 30 dB-Hz): half the FLL assist (1 Hz).  Its folded
         * period-to-period discriminator is noise at 25-28 dB-Hz and walked the
         * pulling-in PLL 40-60 Hz off; none at all lost the dynamics (bench_weak,
         * 20 seeds, seeds 20-39: static 25 dB-Hz 13/20 pulled in and held (7/20),
         * field 25 10/20 (2/20), field 28 19/20 (18/20); PLL 6-8 Hz without FLL: worse) */
        if (t->c.sig == BX_SIG_B1C && !fll_only && t->cn0_pilot > 0.0 && t->cn0_pilot < FALSE_LOCK_MIN_DBHZ)
            fll_bw = 0.125 * t->c.fll_bw_hz;
        /* weak B1C (acquisition < 30 dB-Hz) likewise holds acquisition's Doppler until the
         * differential sync (dsync_collect_b1c) sets the carrier from its products: the
         * Costas PLL wandered 17-39 Hz off before it in the runs that never locked
         * (bench_weak 5 s, seeds 0-39, 25 dB-Hz field: 25/40 pulled in and held -> 33/40) */
        if (t->c.sig == BX_SIG_B1C && !t->sec_sync && t->acq_cn0 > 0.0 && t->acq_cn0 < B1C_HOLD_DOPPLER_DBHZ)
            pll_bw = fll_bw = 0.0;
    } else {
        pll_bw = t->c.pll_bw_hz;
        fll_bw = 0.0;
    }
    t->carr_hz = bx_trk_carr_loop_update(&t->carr, pll_bw > 0 ? dphi : 0.0, fll_bw > 0 ? df : 0.0, T,
                                         pll_bw, fll_bw);

    /* DLL (carrier aided) */
    double tau = bx_trk_dll_disc(cabs(t->per_tap[1]), cabs(t->per_tap[2]), t->spacing, t->boc);
    double dll_bw = pullin ? t->c.dll_bw_pullin_hz : t->c.dll_bw_hz;
    if (!pullin && t->c.dll_bw_min_hz > 0.0 && t->c.dll_bw_min_hz < t->c.dll_bw_hz) {
        /* narrowing first-order loop (B1C default): the bandwidth follows
         * 1/(4 t_lock) from dll_bw_hz down to dll_bw_min_hz, a growing
         * averaging window like a Hatch filter, so the staircase saw-tooth (see
         * trk.h) averages out even where the code Doppler sweeps the sample
         * grid slowly.  No integrator: it would keep whatever rate the
         * saw-tooth taught it; carrier aiding carries the dynamics. */
        /* from the pull-in bandwidth at lock (the pull-in leaves a few
         * hundredths of a chip, 0.4-1 dB of correlation loss on the BOC(1,1)
         * peak, that 0.1 Hz took seconds to remove) */
        dll_bw = t->t_state > 0.0 ? 0.25 / t->t_state : t->c.dll_bw_pullin_hz;
        if (dll_bw > t->c.dll_bw_pullin_hz)
            dll_bw = t->c.dll_bw_pullin_hz;
        if (dll_bw < t->c.dll_bw_min_hz)
            dll_bw = t->c.dll_bw_min_hz;
        t->code_rate = aided_rate(t, t->carr_hz) + 4.0 * dll_bw * tau;
    } else if (pullin) { /* 1st order while pulling in: an integrator would keep the transient */
        t->code_rate = aided_rate(t, t->carr_hz) + t->dll_rate + 4.0 * dll_bw * tau;
    } else {
        /* 2nd-order DLL (B2a default): the integrator learns a code-carrier
         * rate difference (ionospheric divergence, a code/carrier clock mismatch) */
        double wd = dll_bw / 0.53;
        t->dll_rate += T * wd * wd * tau;
        t->code_rate = aided_rate(t, t->carr_hz) + t->dll_rate + M_SQRT2 * wd * tau;
    }

    /* BOC(1,1) bump-jump: a side peak shows as |VE| or |VL| above |P| */
    if (t->ntaps > 3) {
        t->bj_ve += cabs(t->per_tap[3]);
        t->bj_vl += cabs(t->per_tap[4]);
        t->bj_p += cabs(P);
        if (++t->bj_n == 50) {
            if (t->bj_ve > 1.1 * t->bj_p)
                t->code0 += 0.5; /* main peak is ahead */
            else if (t->bj_vl > 1.1 * t->bj_p)
                t->code0 -= 0.5;
            t->bj_ve = t->bj_vl = t->bj_p = 0;
            t->bj_n = 0;
        }
    }

    /* secondary-sync sanity: the wiped prompt must stay positive */
    if (t->sec_sync) {
        t->chk_n++;
        if (creal(P) < 0 && t->chk_n > 0) /* chk_n < 0: a grace period after a differential sync */
            t->chk_neg++;
        if (t->chk_n == 100) {
            if (t->chk_neg > 30) { /* lost the secondary-code / half-cycle alignment */
                if (getenv("TRK_DEBUG"))
                    fprintf(stderr, "trk PRN %d: sync lost at %.2f s\n", t->c.prn, t->t_total);
                t->sec_sync = 0;
                t->repull = 0;
                t->sync_n = 0;
                t->slip = 1;
                t->lk_signed = 0;
                t->slip_count++;
            }
            t->chk_n = t->chk_neg = 0;
        }
    }

    /* state machine.  Weak (indicator averaged over 0.8 s): lock only once the
     * PLL has run that long, else the indicator still holds the FLL stage's
     * few samples (a 25 dB-Hz channel was declared locked 0.02 s after the PLL
     * started and lost 0.2 s later) */
    const double pll_s = t->t_state - (t->repull ? 0.0 : 3.0 * t->c.fll_only_s);
    if (pullin && t->t_state >= t->c.lock_min_s && t->lpi > 0.75 && (lpi_tau < 0.5 || pll_s >= lpi_tau))
        set_state(t, BX_TRK_LOCKED);
    else if (!pullin && t->lpi < 0.4)
        set_state(t, BX_TRK_PULLIN);
    t->spacing = t->state == BX_TRK_LOCKED ? t->c.el_spacing_chips : t->c.el_spacing_pullin_chips;
}

static void push_hist(bx_trk_t *t)
{
    seg_t *s = &t->hist[(t->hist_head + t->hist_n) % HIST];
    if (t->hist_n == HIST)
        t->hist_head = (t->hist_head + 1) % HIST;
    else
        t->hist_n++;
    s->start = t->blk_start;
    s->len = t->blk_len;
    s->code0 = t->code0;
    s->step = t->step;
    s->carr0 = t->carr0;
    s->carr_hz = t->carr_hz;
    s->sec_pos = t->sec_sync ? t->sec_pos : -1;
}

static void finish_block(bx_trk_t *t)
{
    /* pilot prompt kept real by the PLL; data in quadrature (signals.md §1.1) */
    const double pi_ = creal(t->acc[0]), pq = cimag(t->acc[0]), di = cimag(t->accd), dq = creal(t->accd);
    /* the pilot with its secondary chip wiped once synchronised: a known sign */
    const double sw = t->sec_sync ? t->sec[t->sec_pos] : 1.0;
    bx_trk_cn0_push(&t->cn0p, pi_, pq);
    bx_trk_cn0_push(&t->cn0d, di, dq);
    bx_trk_en_push(&t->env, pi_, pq, di, dq);
    if (t->state == BX_TRK_LOCKED) {
        bx_trk_cn0_push(&t->lkp, sw * pi_, sw * pq);
        bx_trk_cn0_push(&t->lkd, di, dq);
        bx_trk_qn_push(&t->lkq, pi_, pq, di, dq);
    }
    double cp = t->cn0_pilot, cd = 0.0, psl, pnl;
    int from_pilot = 0; /* cp from the wiped pilot: the total is cp times the ICD power split */
    double rep_t = 0.0; /* pull-in: the pair's envelope estimate (total), reported, not used by the loops */
    if (t->state == BX_TRK_LOCKED && bx_trk_cn0_windows(&t->lkp)) {
        from_pilot = t->lk_signed;
        /* noise from the quadrature components of pilot and data together,
         * blind to the phase error and to the code cross-correlation (trk_impl.h:
         * var(Q) alone read 56.5 dB-Hz at 90 and -1.7 dB at 50 on the field
         * trajectory, B1C) */
        const double bt2 = 2.0 * t->c.pll_bw_hz * t->t_prim;
        const double d_over_p = t->c.sig == BX_SIG_B1C ? 1.0 / 3.0 : 1.0; /* signals.md §1.1/1.2 powers */
        /* var(Q) each, less the PLL's thermal jitter, which moves A^2 sigma^2 of each
         * component into Q (1 + 2 B_L T on the pilot, 1 + 2 B_L T C_d/C_p on the
         * data; B1C at 8 Hz, 10 ms: 0.64 dB): the lock indicator's noise floor and
         * the fallback should the pair estimate be empty */
        const double pnq =
            0.5 * (bx_trk_cn0_pn(&t->lkp, 1) / (1.0 + bt2) + bx_trk_cn0_pn(&t->lkd, 1) / (1.0 + bt2 * d_over_p));
        const double pn = bx_trk_qn_pn(&t->lkq) > 0.0 ? bx_trk_qn_pn(&t->lkq) : pnq;
        /* synchronised: the signed pilot mean, whose floor on noise is ~0 (that
         * of <|I|>^2 is ~15 dB-Hz at 10 ms, ~25 at 1 ms and kept a lost B2a
         * channel "locked" on noise) */
        cp = bx_trk_cn0_from(bx_trk_cn0_ps(&t->lkp, t->lk_signed ? 2 : 1), pn, t->t_prim);
        cd = bx_trk_cn0_from(bx_trk_cn0_ps(&t->lkd, 1), pn, t->t_prim);
        t->pn_blk = pnq; /* kept after a loss: the noise floor does not move (M2M4's below
                            ~10 dB per-period SNR is too rough: early false locks on B2a) */
        t->lk_cp = cp;
        t->lk_cd = cd;
    } else if (t->state == BX_TRK_LOCKED && t->lk_cp > 0.0) {
        /* the pilot windows restart at secondary sync (known signs from then
         * on): the last estimate of this lock until the first window is in
         * (M2M4 pooled over windows that still held the pull-in read 36
         * instead of 50 dB-Hz for the 0.5 s after sync, bench_weak) */
        cp = t->lk_cp;
        cd = t->lk_cd;
    } else if (t->state == BX_TRK_LOCKED && (pnl = bx_trk_qn_partial(&t->lkq)) > 0.0 &&
               (psl = bx_trk_cn0_partial_ps(&t->lkp, t->lk_signed, pnl)) > 0.0) {
        /* locked, first window not complete: the same estimator on what it has
         * (>= 20 outputs; <|I|> only where it stands clear of the noise) */
        from_pilot = t->lk_signed;
        cp = bx_trk_cn0_from(psl, pnl, t->t_prim);
        cd = bx_trk_cn0_from(bx_trk_cn0_partial_ps(&t->lkd, 0, pnl), pnl, t->t_prim);
    } else if (bx_trk_cn0_windows(&t->cn0p)) {
        if (bx_trk_en_get(&t->env, 0, &psl, &pnl))
            rep_t = bx_trk_cn0_from(psl, pnl, t->t_prim);
        cp = bx_trk_cn0_from(bx_trk_cn0_ps(&t->cn0p, 0), bx_trk_cn0_pn(&t->cn0p, 0), t->t_prim);
        cd = bx_trk_cn0_from(bx_trk_cn0_ps(&t->cn0d, 0), bx_trk_cn0_pn(&t->cn0d, 0), t->t_prim);
        if (!(cp > 0.0) && (bx_trk_cn0_windows(&t->cn0p) < BX_TRK_CN0_WINS || !t->ever_locked) &&
            t->acq_cn0 > 0.0) {
            /* too few outputs yet for M2M4 to see a weak signal that acquisition
             * found (22-25 dB-Hz: 2 M2^2 < M4 in a 0.5 s window; B2a's 1 ms
             * outputs below ~30 dB-Hz even over 1 s): its estimate until all
             * windows are in or, before the first lock, until the channel's own
             * estimate sees the signal.  Loss of lock is not judged on it (a
             * channel that never locked is judged by the pull-in timeout; after
             * a lock all windows are in). */
            cp = t->acq_cn0 - 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 / 3.0 : 2.0);
            cd = t->acq_cn0 - 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 : 2.0);
        }
        if (!(cp > 0.0) && t->state == BX_TRK_LOCKED && t->cn0_pilot > 0.0) {
            /* just locked, the locked estimator has fewer than 20 outputs (B2a: 50)
             * and M2M4 over the pull-in reads 0: the last estimate (B2a 30 dB-Hz
             * reported 0 for 5-25 ms after lock, bench_weak) */
            cp = t->cn0_pilot;
            cd = t->cn0_data;
        }
    } else {
        /* before the first window: the window being filled (from 8 periods),
         * else the acquisition's estimate, so the channel never reports 0 */
        double ps, pn, psd, pnd;
        /* (acquisition's estimate is within ~1 dB: keep it until 25 outputs are in;
         * 8-9 outputs gave M2M4 estimates 4-6 dB low at 40 dB-Hz, test_trkweak) */
        const long pmin = t->acq_cn0 > 0.0 ? 25 : 8;
        if (t->cn0p.n >= pmin && bx_trk_en_get(&t->env, 1, &ps, &pn))
            rep_t = bx_trk_cn0_from(ps, pn, t->t_prim);
        if (t->cn0p.n >= pmin && bx_trk_cn0_partial(&t->cn0p, &ps, &pn)) {
            cp = bx_trk_cn0_from(ps, pn, t->t_prim);
            if (bx_trk_cn0_partial(&t->cn0d, &psd, &pnd))
                cd = bx_trk_cn0_from(psd, pnd, t->t_prim);
        } else if (t->acq_cn0 > 0.0) {
            /* acquisition C/N0 counts the searched pilot (+ data): take it as total */
            cp = t->acq_cn0 - 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 / 3.0 : 2.0);
            cd = t->acq_cn0 - 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 : 2.0);
        }
    }
    t->cn0_pilot = cp;
    t->cn0_pilot_rep = cp;
    t->cn0_data = cd;
    t->cn0_total = cp > 0 ? 10.0 * log10(pow(10.0, cp / 10.0) + (cd > 0 ? pow(10.0, cd / 10.0) : 0.0)) : 0.0;
    /* loss of lock is judged on the pilot where its estimate is unbiased (as a
     * total C/N0: pilot share 3/4 B1C, 1/2 B2a, signals.md §1.1/1.2) */
    if (from_pilot) {
        /* the total from the unbiased pilot and the ICD power split; the data
         * estimate (<|I|>^2, unknown symbols) read up to +2 dB at 25 dB-Hz on B2a */
        t->cn0_judge = cp > 0 ? cp + 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 / 3.0 : 2.0) : 0.0;
        t->cn0_floor = 0.0;
        /* reported: less the PLL's thermal jitter, which costs the coherent pilot
         * mean E[cos e]^2 ~ 1 - s2, s2 = B_L / (C_p/N0) rad^2 (linear PLL theory;
         * measured at B2a 25 dB-Hz, bench_weak hold: 0.075-0.10 rad^2 against 0.05,
         * so the correction is short of the whole loss: B1C +0.15 dB at 25 dB-Hz,
         * B2a +0.22).  Not in the loss-of-lock judgement. */
        const double s2 = cp > 0 ? t->c.pll_bw_hz / pow(10.0, cp / 10.0) : 1.0;
        const double jit_db = s2 < 0.3 ? -10.0 * log10(1.0 - s2) : 0.0;
        t->cn0_total = t->cn0_judge > 0 ? t->cn0_judge + jit_db : 0.0;
        t->cn0_pilot_rep = cp > 0 ? cp + jit_db : 0.0;
    } else {
        /* biased estimators: M2M4 and <|I|>^2 read ~15 dB-Hz on noise with 10 ms
         * periods and 24-28 with 1 ms (B2a before sync, measured in test_trk) */
        t->cn0_judge = t->cn0_total;
        t->cn0_floor = t->t_prim < 0.005 ? NOISE_FLOOR_1MS_DBHZ : 0.0;
        if (rep_t > 0.0) {
            /* a strong signal before the locked estimator: report the envelope
             * estimate; the loops and the loss-of-lock judgement keep M2M4, with
             * which they were tuned */
            t->cn0_total = rep_t;
            t->cn0_pilot_rep = rep_t - 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 / 3.0 : 2.0);
        }
        if (!t->ever_locked && t->acq_cn0 > 0.0 && t->cn0_total < t->acq_cn0) {
            /* before the first lock a weak signal reads low while the loops pull in
             * (B1C at 30 dB-Hz: 20.5-22.2 from 0.3 s to the lock at 1.1 s, bench_weak):
             * report the larger of acquisition's estimate (within ~1 dB, usually
             * below: dsp/README.md) and its own until it locks.  Reported only: the
             * loops and the loss-of-lock judgement keep their M2M4 (cn0_judge). */
            t->cn0_total = t->acq_cn0;
            t->cn0_pilot_rep = t->acq_cn0 - 10.0 * log10(t->c.sig == BX_SIG_B1C ? 4.0 / 3.0 : 2.0);
        }
    }
    if (t->ever_locked && !(t->cn0_total > 0.0) && t->rep_last > 0.0) {
        /* pulling in again after a loss of lock, M2M4 blind on a weak signal: it
         * reported 0 (B2a field, fade to 25 dB-Hz, bench_weak seed 3: 32 readings);
         * the last non-zero report instead until M2M4 sees the signal, the channel
         * locks again or is LOST (state PULLIN says it is not locked).  Reported
         * only, as above. */
        t->cn0_total = t->rep_last;
        t->cn0_pilot_rep = t->rep_last_pilot;
    }
    if (t->cn0_total > 0.0) {
        t->rep_last = t->cn0_total;
        t->rep_last_pilot = t->cn0_pilot_rep;
    }

    push_hist(t); /* the block as processed, before the loops change anything */

    const int synced = t->sec_sync;
    const double s = synced ? t->sec[t->sec_pos] : 1.0;
    for (int k = 0; k < t->ntaps; k++)
        t->per_tap[k] += s * t->acc[k];
    for (int j = 0; j < t->npart; j++)
        t->per_part[t->per_npart++] = s * t->part_p[j];
    if (synced)
        data_block(t, t->accd, s * t->acc[0]);

    uint32_t n = t->blk_len;
    double carr_hz_used = t->carr_hz;
    if (++t->per_count >= t->per_blocks) {
        loop_update(t);
        t->per_count = 0;
        t->per_npart = 0;
        memset(t->per_tap, 0, sizeof t->per_tap);
    }
    if (!synced) {
        presync_push(t, t->accd, t->acc[0]);
        sync_collect(t, t->acc[0], carr_hz_used);
    }

    /* advance the NCO to the next block */
    t->prim++;
    t->t_state += t->t_prim;
    t->t_total += t->t_prim;
    t->t_unlocked = t->state == BX_TRK_LOCKED ? 0.0 : t->t_unlocked + t->t_prim;
    t->code0 = t->code0 + n * t->step - PRIM_CHIPS;
    t->carr0 += carr_hz_used * n / t->c.fs_hz;
    t->blk_start += n;
    t->step = step_for(t, t->code_rate);
    if (synced && t->sec_sync) {
        if (++t->sec_pos == t->sec_len) {
            t->sec_pos = 0;
            t->sec_periods++;
        }
    }
    /* B2a after sync: coherent periods aligned with the secondary code */
    if (t->c.sig == BX_SIG_B2A && t->per_count == 0)
        t->per_blocks = (t->sec_sync && t->sec_pos % t->c.coh_ms_b2a == 0) ? t->c.coh_ms_b2a : 1;

    /* loss of lock */
    /* a channel that never locked is judged by the pull-in timeout alone: the
     * biased estimates of a weak B2a signal before lock sit at their floor */
    if (t->state == BX_TRK_LOCKED)
        t->ever_locked = 1;
    if (bx_trk_cn0_windows(&t->cn0p) && t->ever_locked &&
        t->cn0_judge < (t->c.cn0_lost_dbhz > t->cn0_floor ? t->c.cn0_lost_dbhz : t->cn0_floor))
        t->low_s += t->t_prim;
    else
        t->low_s = 0;
    /* t_unlocked: the false-lock check restarts the pull-in (t_state = 0) each time it fires;
     * a channel on no signal (after a sample discontinuity) could go on firing it every
     * 0.5 s for ever, its Doppler walking off by tens of kHz (the soak, tests/soak.sh) */
    if (t->low_s >= t->c.lost_after_s ||
        (t->state == BX_TRK_PULLIN && t->t_state > t->c.pullin_timeout_s) ||
        (t->state == BX_TRK_PULLIN && t->t_unlocked > 2.0 * t->c.pullin_timeout_s)) {
        if (getenv("TRK_DEBUG"))
            fprintf(stderr, "trk PRN %d: LOST at %.2f s (C/N0 %.1f, low %.2f s, state time %.2f s, Doppler %.1f)\n",
                    t->c.prn, t->t_total, t->cn0_total, t->low_s, t->t_state, t->carr_hz);
        t->state = BX_TRK_LOST;
    }
    layout_block(t);
}

int bx_trk_process(bx_trk_t *t, const bx_cf32_t *x, size_t n, uint64_t first_sample)
{
    if (t->b2b)
        return bx__trk_b2b_process(t->b2b, x, n, first_sample);
    if (t->state == BX_TRK_LOST || n == 0)
        return BX_OK;
    const uint64_t end = first_sample + n;
    if (!t->started) {
        anchor(t, first_sample);
        t->started = 1;
    } else if (first_sample > t->pos) {
        anchor(t, first_sample);
        t->slip_count++; /* the phase across the gap is extrapolated, not tracked */
    }
    bx_corr_req_t req;
    memset(&req, 0, sizeof req);
    const double fs = t->c.fs_hz, ifr = t->c.if_hz / fs;
    while (t->state != BX_TRK_LOST) {
        uint64_t a = t->pos > first_sample ? t->pos : first_sample;
        if (a >= end)
            break;
        uint64_t pend = t->blk_start + t->part_end[t->part];
        uint64_t b = pend < end ? pend : end;
        double o = (double)(a - t->blk_start);
        set_taps(t, &req);
        double cyc = t->carr0 + t->carr_hz * o / fs;
        if (ifr != 0.0)
            cyc += (double)fmodl((long double)a * (long double)ifr, 1.0L);
        req.carr_cyc = cyc - floor(cyc);
        req.carr_step_cyc = ifr + t->carr_hz / fs;
        req.code_idx = PAD + (t->code0 + o * t->step) * t->spc;
        req.code_step = t->step * t->spc;
        bx_corr_out_t out;
        bx_corr_run(t->corr, x + (a - first_sample), (size_t)(b - a), t->table_mem, &req, &out);
        for (int k = 0; k < t->ntaps; k++)
            t->acc[k] += out.tap[k];
        t->accd += out.data;
        t->part_p[t->part] += out.tap[0];
        t->pos = b;
        if (b == pend) {
            if (++t->part == t->npart)
                finish_block(t);
        }
    }
    return BX_OK;
}

/* ---- observables ---- */

static int obs_from_seg(const bx_trk_t *t, const seg_t *s, uint64_t sample, bx_trk_obs_t *o)
{
    double dt = (double)((int64_t)(sample - s->start));
    double cp = s->code0 + dt * s->step;
    int sec = s->sec_pos;
    while (cp >= PRIM_CHIPS) {
        cp -= PRIM_CHIPS;
        if (sec >= 0)
            sec = (sec + 1) % t->sec_len;
    }
    while (cp < 0) {
        cp += PRIM_CHIPS;
        if (sec >= 0)
            sec = (sec + t->sec_len - 1) % t->sec_len;
    }
    o->code_phase_chips = cp;
    /* the replica phase advances with the Doppler; RINEX phase moves with the
     * pseudorange (RINEX 3.05 §3.3), i.e. the other way */
    o->carrier_cycles = -(s->carr0 + s->carr_hz * dt / t->c.fs_hz);
    o->sec_sync = sec >= 0;
    o->tx_in_period_s = sec >= 0 ? ((double)sec * PRIM_CHIPS + cp) / t->chip_rate : 0.0;
    return BX_OK;
}

int bx_trk_observe(const bx_trk_t *t, uint64_t sample, bx_trk_obs_t *o)
{
    if (t->b2b)
        return bx__trk_b2b_observe(t->b2b, sample, o);
    memset(o, 0, sizeof *o);
    o->prn = t->c.prn;
    o->sig = t->c.sig;
    o->state = t->state;
    o->doppler_hz = t->carr_hz;
    o->cn0_dbhz = t->cn0_total;
    o->cn0_pilot_dbhz = t->cn0_pilot_rep;
    o->pll_lock = t->lpi;
    o->slip = t->slip;
    o->slip_count = t->slip_count;
    o->half_cycle = !t->sec_sync;
    o->lock_s = (t->state == BX_TRK_LOCKED && sample > t->lock_start)
                    ? (double)(sample - t->lock_start) / t->c.fs_hz : 0.0;
    if (!t->started)
        return BX_ERR_ARG;
    seg_t cur = {t->blk_start, t->blk_len, t->code0, t->step, t->carr0, t->carr_hz,
                 t->sec_sync ? t->sec_pos : -1};
    if (sample >= cur.start) {
        if (sample > cur.start + 2ull * cur.len)
            return BX_ERR_ARG;
        return obs_from_seg(t, &cur, sample, o);
    }
    for (int i = t->hist_n - 1; i >= 0; i--) {
        const seg_t *s = &t->hist[(t->hist_head + i) % HIST];
        if (sample >= s->start && sample < s->start + s->len) {
            obs_from_seg(t, s, sample, o);
            if (s->sec_pos < 0 && t->sec_sync) {
                /* sync found after this block: its secondary position follows from the
                 * current block (whole periods back) */
                bx_trk_obs_t tmp = *o;
                obs_from_seg(t, &cur, sample, &tmp);
                o->sec_sync = 1;
                o->tx_in_period_s = tmp.tx_in_period_s;
            }
            return BX_OK;
        }
    }
    return BX_ERR_ARG;
}
