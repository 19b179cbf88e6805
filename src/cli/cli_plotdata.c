/* Data for the pictures of tools/bdsrx-plot.py: the acquisition search grid of one PRN
 * (bdsrx acquire --grid) and the correlator shape of a tracked channel (bdsrx track --corr).
 * Both write one JSON object with jansson; formats in cli_plotdata.h. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bdsrx/code.h"
#include "bdsrx/corr.h"
#include "cli_plotdata.h"

#define CODE_LEN 10230 /* B1C / B2a / B2b-I primary codes (signals.md §1) */
#define GRID_COLS 512  /* code-phase columns of the full grid (20 chips each) */
#define GRID_ROWS 200  /* at most this many Doppler rows (more are max-pooled) */
#define ZOOM_CHIPS 5.0 /* native lag cells within +-5 chips of the peak */
#define ZOOM_ROWS 10   /* and Doppler rows either side of it */

static double chip_rate_of(int sig) { return sig == BX_SIG_B1C ? 1.023e6 : 10.23e6; } /* signals.md §1 */

static json_t *jarr_d(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

int cli_acq_grid_json(bx_acq_t *acq, int sig, double fs_hz, const bx_acq_result_t *res, uint64_t first_sample,
                      const char *path, char *err, size_t errlen)
{
    bx_acq_info_t in;
    bx_acq_get_info(acq, &in);
    const int nd = in.n_doppler, nl = (int)in.n_lag;
    const int pool = (nd + GRID_ROWS - 1) / GRID_ROWS, nrow = (nd + pool - 1) / pool;
    const double fc = bx_signal_freq_hz(sig), cr = chip_rate_of(sig), colw = (double)CODE_LEN / GRID_COLS;
    /* zoom window: native cells around the search result's code phase */
    const double cells_per_chip = fs_hz / cr / in.lag_samples;
    const int nz = 2 * (int)ceil(ZOOM_CHIPS * cells_per_chip) + 1;
    float *row = malloc((size_t)nl * sizeof *row);
    double *grid = calloc((size_t)nrow * GRID_COLS, sizeof *grid), *zoom = calloc((size_t)nrow * nz, sizeof *zoom);
    double *dop = calloc((size_t)nrow, sizeof *dop), *zcp = calloc((size_t)nz, sizeof *zcp);
    int rc = -1;
    if (!row || !grid || !zoom || !dop || !zcp) {
        snprintf(err, errlen, "out of memory for the search grid");
        goto out;
    }
    double sum = 0.0, best = -1.0, best_dop = 0.0, best_cp = 0.0;
    for (int d = 0; d < nd; d++) {
        double fd;
        const int st = bx_acq_power_row(acq, res->prn, d, row, &fd);
        if (st != BX_OK) {
            snprintf(err, errlen, "search grid of PRN %d: %s%s", res->prn, bx_strerror(st),
                     st == BX_ERR_UNSUPPORTED ? " (this search does not keep its blocks: use a smaller --noncoh)" : "");
            goto out;
        }
        const int r = d / pool;
        dop[r] += fd / (double)((r + 1) * pool <= nd ? pool : nd - r * pool); /* mean Doppler of the pooled cells */
        const double cpc = in.lag_samples / fs_hz * cr * (1.0 + fd / fc); /* chips per lag cell */
        for (int j = 0; j < nl; j++) {
            sum += row[j];
            double cp = fmod(-(double)j * cpc, (double)CODE_LEN); /* chip arriving at the first sample */
            if (cp < 0)
                cp += CODE_LEN;
            int col = (int)(cp / colw);
            if (col >= GRID_COLS)
                col = GRID_COLS - 1;
            double *g = &grid[(size_t)r * GRID_COLS + col];
            if (row[j] > *g)
                *g = row[j];
            if (row[j] > best) {
                best = row[j];
                best_dop = fd;
                best_cp = cp;
            }
            /* zoom: offset of this cell from the result's code phase, in chips, wrapped */
            double off = cp - res->code_phase_chips;
            off -= CODE_LEN * floor(off / CODE_LEN + 0.5);
            const int z = (int)lround(off * cells_per_chip) + nz / 2;
            if (z >= 0 && z < nz && row[j] > zoom[(size_t)r * nz + z])
                zoom[(size_t)r * nz + z] = row[j];
        }
    }
    const double mu = sum / ((double)nd * nl);
    if (!(mu > 0)) {
        snprintf(err, errlen, "search grid of PRN %d is all zero (no input?)", res->prn);
        goto out;
    }
    for (size_t i = 0; i < (size_t)nrow * GRID_COLS; i++)
        grid[i] /= mu;
    for (size_t i = 0; i < (size_t)nrow * nz; i++)
        zoom[i] /= mu;
    for (int z = 0; z < nz; z++)
        zcp[z] = res->code_phase_chips + (z - nz / 2) / cells_per_chip;
    json_t *o = json_object(), *pw = json_array(), *zp = json_array();
    double cols[GRID_COLS];
    for (int c = 0; c < GRID_COLS; c++)
        cols[c] = (c + 0.5) * colw;
    /* zoom rows: ZOOM_ROWS either side of the result's Doppler */
    int r0 = 0;
    for (int r = 1; r < nrow; r++)
        if (fabs(dop[r] - res->doppler_hz) < fabs(dop[r0] - res->doppler_hz))
            r0 = r;
    const int za = r0 > ZOOM_ROWS ? r0 - ZOOM_ROWS : 0, zb = r0 + ZOOM_ROWS < nrow - 1 ? r0 + ZOOM_ROWS : nrow - 1;
    for (int r = 0; r < nrow; r++) {
        json_array_append_new(pw, jarr_d(grid + (size_t)r * GRID_COLS, GRID_COLS));
        if (r >= za && r <= zb)
            json_array_append_new(zp, jarr_d(zoom + (size_t)r * nz, (size_t)nz));
    }
    const char *sn = sig == BX_SIG_B1C ? "B1C" : sig == BX_SIG_B2B ? "B2b" : "B2a";
    json_object_set_new(o, "kind", json_string("acq_grid"));
    json_object_set_new(o, "signal", json_string(sn));
    json_object_set_new(o, "prn", json_integer(res->prn));
    json_object_set_new(o, "sample", json_integer((json_int_t)first_sample));
    json_object_set_new(o, "fs_hz", json_real(fs_hz));
    json_object_set_new(o, "doppler_step_hz", json_real(in.step_hz * pool));
    json_object_set_new(o, "power_unit", json_string("S / noise floor (mean S over all cells)"));
    json_object_set_new(o, "decimation",
                        json_sprintf("maximum over the cells of each column (%.2f chips) and of %d Doppler cells "
                                     "per row; %d x %zu cells searched",
                                     colw, pool, nd, in.n_lag));
    json_object_set_new(o, "noise_floor", json_real(1.0));
    json_object_set_new(o, "noise_floor_raw", json_real(mu));
    json_object_set_new(o, "threshold", json_real(res->threshold));
    json_object_set_new(o, "doppler_hz", jarr_d(dop, (size_t)nrow));
    json_object_set_new(o, "code_phase_chips", jarr_d(cols, GRID_COLS));
    json_object_set_new(o, "power", pw);
    json_object_set_new(o, "peak", json_pack("{s:f,s:f,s:f}", "doppler_hz", best_dop, "code_phase_chips", best_cp,
                                             "power", best / mu));
    json_object_set_new(o, "result",
                        json_pack("{s:b,s:f,s:f,s:f,s:f}", "detected", res->detected, "doppler_hz", res->doppler_hz,
                                  "code_phase_chips", res->code_phase_chips, "cn0_dbhz", res->cn0_dbhz, "metric",
                                  res->metric));
    json_object_set_new(o, "zoom", json_pack("{s:o,s:o,s:o}", "doppler_hz", jarr_d(dop + za, (size_t)(zb - za + 1)),
                                          "code_phase_chips", jarr_d(zcp, (size_t)nz), "power", zp));
    rc = json_dump_file(o, path, JSON_COMPACT | JSON_REAL_PRECISION(7));
    json_decref(o);
    if (rc != 0)
        snprintf(err, errlen, "cannot write %s", path);
out:
    free(row);
    free(grid);
    free(zoom);
    free(dop);
    free(zcp);
    return rc == 0 ? 0 : -1;
}

/* ---- correlator shape ---- */

#define PAD 8 /* table entries wrapped at each end (offsets up to +-1.5 chips = 3 entries) */

struct cli_corr_shape {
    int sig, prn, spc, periods, want;
    double fs, if_hz, chip_rate, fc, settle_s, cn0_sum;
    bx_corr_t *corr;
    uint8_t *table;
    double *amp, *pw; /* per offset: sum of the prompt-projected amplitude, of |tap|^2 */
};

int cli_corr_shape_create(int sig, int prn, double fs_hz, double if_hz, int periods, double settle_s,
                          cli_corr_shape_t **out,
                          char *err, size_t errlen)
{
    *out = NULL;
    cli_corr_shape_t *c = calloc(1, sizeof *c);
    int8_t *chips = malloc(CODE_LEN);
    if (!c || !chips) {
        free(c);
        free(chips);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->sig = sig;
    c->prn = prn;
    c->spc = sig == BX_SIG_B1C ? 2 : 1; /* BOC(1,1): half chips */
    c->fs = fs_hz;
    c->if_hz = if_hz;
    c->chip_rate = chip_rate_of(sig);
    c->fc = bx_signal_freq_hz(sig);
    c->want = periods;
    c->settle_s = settle_s;
    const int n = CODE_LEN * c->spc;
    c->table = calloc((size_t)n + 2 * PAD + 16, 1);
    c->amp = calloc(CLI_CORR_NOFF, sizeof *c->amp);
    c->pw = calloc(CLI_CORR_NOFF, sizeof *c->pw);
    if (!c->table || !c->amp || !c->pw ||
        bx_code_gen(sig == BX_SIG_B1C ? BX_CODE_B1CP : BX_CODE_B2AP, prn, chips, CODE_LEN) != CODE_LEN ||
        bx_corr_create(BX_CORR_AUTO, &c->corr, err, errlen) != BX_OK) {
        if (err && !*err)
            snprintf(err, errlen, "cannot set up the correlator for PRN %d", prn);
        free(chips);
        cli_corr_shape_destroy(c);
        return -1;
    }
    /* pilot replica: B1C sine-phased BOC(1,1) = chip x [+1, -1] (signals.md §1.1), B2a BPSK */
    for (int e = -PAD; e < n + PAD; e++) {
        const int w = (e + n) % n, sc = (c->spc == 2 && (w & 1)) ? -1 : 1;
        c->table[e + PAD] = chips[w / c->spc] * sc < 0 ? BX_CORR_PILOT_NEG : 0;
    }
    free(chips);
    *out = c;
    return 0;
}

double cli_corr_offset_chips(int k) { return -1.5 + 3.0 * k / (CLI_CORR_NOFF - 1); }

int cli_corr_shape_add(cli_corr_shape_t *c, const bx_trk_t *t, const bx_cf32_t *x, size_t n, uint64_t first)
{
    if (c->periods >= c->want || bx_trk_state(t) != BX_TRK_LOCKED)
        return 0;
    bx_trk_obs_t o;
    if (bx_trk_observe(t, first, &o) != BX_OK || o.lock_s < c->settle_s)
        return 0;
    const double rate = c->chip_rate * (1.0 + o.doppler_hz / c->fc);
    const double per = CODE_LEN / rate * c->fs; /* samples per primary period */
    uint64_t e = first + (uint64_t)ceil((o.code_phase_chips > 0 ? CODE_LEN - o.code_phase_chips : 0) / rate * c->fs);
    const size_t len = (size_t)floor(per) - 1;
    while (e + len <= first + n && c->periods < c->want) {
        bx_trk_obs_t p;
        if (bx_trk_observe(t, e, &p) != BX_OK)
            break;
        double cp = p.code_phase_chips;
        if (cp > CODE_LEN / 2)
            cp -= CODE_LEN; /* just before the epoch */
        bx_corr_req_t rq;
        memset(&rq, 0, sizeof rq);
        double cyc = -p.carrier_cycles + fmod((double)e * (c->if_hz / c->fs), 1.0);
        rq.carr_cyc = cyc - floor(cyc);
        rq.carr_step_cyc = (c->if_hz + p.doppler_hz) / c->fs;
        rq.code_idx = PAD + cp * c->spc;
        rq.code_step = c->chip_rate * (1.0 + p.doppler_hz / c->fc) / c->fs * c->spc;
        rq.data_tap = 0;
        float complex pr = 0;
        double complex taps[CLI_CORR_NOFF];
        for (int k0 = 0; k0 < CLI_CORR_NOFF; k0 += BX_CORR_MAX_TAPS - 1) {
            rq.ntaps = 1;
            rq.tap_off[0] = 0.0; /* the prompt in every run */
            for (int k = k0; k < CLI_CORR_NOFF && rq.ntaps < BX_CORR_MAX_TAPS; k++)
                rq.tap_off[rq.ntaps++] = -cli_corr_offset_chips(k) * c->spc; /* + offset = late replica */
            bx_corr_out_t co;
            bx_corr_run(c->corr, x + (e - first), len, c->table, &rq, &co);
            pr = co.tap[0];
            for (int i = 1; i < rq.ntaps; i++)
                taps[k0 + i - 1] = co.tap[i];
        }
        const double ap = cabsf(pr);
        if (ap > 0) {
            for (int k = 0; k < CLI_CORR_NOFF; k++) {
                c->amp[k] += creal(taps[k] * conj(pr)) / ap;
                c->pw[k] += creal(taps[k] * conj(taps[k]));
            }
            c->cn0_sum = o.cn0_dbhz; /* the tracker's, at the last period */
            c->periods++;
        }
        e += (uint64_t)lround(per);
    }
    return 0;
}

int cli_corr_shape_periods(const cli_corr_shape_t *c) { return c->periods; }

int cli_corr_shape_write(const cli_corr_shape_t *c, const char *path, char *err, size_t errlen)
{
    if (c->periods == 0) {
        snprintf(err, errlen, "PRN %d was never locked for %.1f s: no correlator shape", c->prn, c->settle_s);
        return -1;
    }
    double off[CLI_CORR_NOFF], amp[CLI_CORR_NOFF], pw[CLI_CORR_NOFF], pn[CLI_CORR_NOFF];
    const int k0 = CLI_CORR_NOFF / 2; /* offset 0 */
    for (int k = 0; k < CLI_CORR_NOFF; k++) {
        off[k] = cli_corr_offset_chips(k);
        amp[k] = c->amp[k] / c->amp[k0];
        pw[k] = amp[k] * amp[k];
        pn[k] = c->pw[k] / c->pw[k0];
    }
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string("corr_shape"));
    json_object_set_new(o, "signal", json_string(c->sig == BX_SIG_B1C ? "B1C" : "B2a"));
    json_object_set_new(o, "prn", json_integer(c->prn));
    json_object_set_new(o, "modulation", json_string(c->sig == BX_SIG_B1C ? "BOC(1,1)" : "BPSK(10)"));
    json_object_set_new(o, "periods", json_integer(c->periods));
    json_object_set_new(o, "period_ms", json_real(CODE_LEN / c->chip_rate * 1e3));
    json_object_set_new(o, "cn0_dbhz_tracker", json_real(c->cn0_sum));
    json_object_set_new(o, "offset_unit",
                        json_string("chips; + = replica later than the tracking loop's prompt (pilot component)"));
    json_object_set_new(o, "offset_chips", jarr_d(off, CLI_CORR_NOFF));
    json_object_set_new(o, "amplitude", jarr_d(amp, CLI_CORR_NOFF));
    json_object_set_new(o, "power", jarr_d(pw, CLI_CORR_NOFF));
    json_object_set_new(o, "power_noncoherent", jarr_d(pn, CLI_CORR_NOFF));
    const int rc = json_dump_file(o, path, JSON_COMPACT | JSON_REAL_PRECISION(7));
    json_decref(o);
    if (rc != 0)
        snprintf(err, errlen, "cannot write %s", path);
    return rc == 0 ? 0 : -1;
}

void cli_corr_shape_destroy(cli_corr_shape_t *c)
{
    if (!c)
        return;
    bx_corr_destroy(c->corr);
    free(c->table);
    free(c->amp);
    free(c->pw);
    free(c);
}
