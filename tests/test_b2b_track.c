/* B2b-I tracking (issue 11 §1): the project's simulator's B2b-I stream, carrying the real C60
 * PPP-B2b frames of ../shared/testdata/real/qzsl6tool_b2b_rtcm (re-encoded by our LDPC encoder),
 * goes through acquisition -> tracking (dsp/trk_b2b.c) -> frame sync (bx_cnav3_sync) and the
 * decoded 486-bit blocks must equal the blocks of the recorded frames, frame by frame at the right
 * transmit second, with the frames lost counted.  Truth: the simulator's transmit time, Doppler
 * and C/N0; the recorded frames. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bdsrx/acq.h"
#include "bdsrx/bits.h"
#include "bdsrx/iq.h"
#include "bdsrx/navframe.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/receiver.h"
#include "bdsrx/simsig.h"
#include "bdsrx/time.h"
#include "bdsrx/trk.h"
#include "testdata.h"
#include "testutil.h"
#include <unistd.h>

#define NF 31

typedef struct {
    uint8_t frames[NF][1000];
    uint8_t msg[NF][486];
    int nf;
} stream_t;

static int sym_cb(void *user, int slot, int sig, int prn, bx_time_t t, int64_t idx)
{
    (void)slot;
    (void)t;
    const stream_t *s = user;
    if (sig != BX_SIG_B2B || !s->nf)
        return 0;
    return s->frames[(prn + idx / 1000) % s->nf][idx % 1000];
}

static int load_frames(stream_t *s)
{
    char pb[512];
    if (!testdata_path(pb, sizeof pb, "real/qzsl6tool_b2b_rtcm/20230819-081730hasbds.b2b"))
        return 0;
    FILE *f = fopen(pb, "rb");
    assert_non_null(f);
    uint8_t rec[125], sym[1000];
    float soft[1000];
    int n = 0;
    while (n < NF && fread(rec, 1, 125, f) == 125) {
        bx_bits_from_bytes(rec, 1000, sym);
        if ((int)bx_bits_getu(sym, 16, 6) != 60)
            continue;
        for (int i = 0; i < 1000; i++)
            soft[i] = sym[i] ? -1.0f : 1.0f;
        int prn;
        assert_int_equal(bx_cnav3_decode_prn(soft, s->msg[n], &prn), BX_OK);
        assert_int_equal(bx_cnav3_encode(60, s->msg[n], s->frames[n]), BX_OK);
        n++;
    }
    fclose(f);
    s->nf = n;
    return n;
}

typedef struct {
    double fs, dop, cn0, dur_s, sow0;
    uint64_t seed;
    double rot_cyc; /* the input's carrier turned by this much (0.5: the Costas loop locks inverted) */
    int sweep;      /* measurement only: no assertions on the tracking quality */
    int acq_truth;  /* start tracking from the truth (+3 Hz, +0.2 chip) instead of acquisition (weak) */
} case_t;

/* Runs one case; returns frames decoded (all checked against the log) and sets *lost. */
static int run_case(const stream_t *st, const case_t *k, int *lost)
{
    const int prn = 60;
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, k->fs);
    c.symbol = sym_cb;
    c.user = (void *)st;
    c.seed = k->seed;
    bx_simsig_t *g;
    assert_int_equal(bx_simsig_create(&c, &g, NULL, 0), BX_OK);
    const bx_time_t t0 = bx_time_from_week_sow(910, k->sow0);
    bx_simsig_sat_t s = {BX_SIG_B2B, prn, t0, 0.0, k->dop, k->cn0};
    assert_int_equal(bx_simsig_set_sat(g, 0, &s), BX_OK);
    const double rate = 1.0 + k->dop / BX_FREQ_B2B_HZ;

    bx_acq_config_t ac;
    bx_acq_config_default(&ac, BX_SIG_B2B, k->fs, 0.0);
    ac.doppler_max_hz = 500.0;
    if (getenv("BDSRX_B2B_NONCOH")) ac.noncoh = atoi(getenv("BDSRX_B2B_NONCOH"));
    bx_acq_t *a;
    assert_int_equal(bx_acq_create(&ac, &a, NULL, 0), BX_OK);
    const size_t blk = (size_t)llround(0.1 * k->fs);
    const size_t nacq = bx_acq_samples_needed(a);
    assert_true(nacq <= blk);
    bx_cf32_t *x = malloc(blk * sizeof *x);
    assert_non_null(x);
    assert_int_equal(bx_simsig_generate(g, x, blk), BX_OK);
    bx_acq_result_t r;
    assert_int_equal(bx_acq_search(a, x, nacq, prn, &r), BX_OK);
    if (k->acq_truth) {
        r.doppler_hz = k->dop + 3.0;
        r.code_phase_chips = fmod(t0.frac_s * 1000.0, 1.0) * 10230.0 + 0.2;
        r.cn0_dbhz = 0.0;
    } else
        assert_true(r.detected);
    bx_acq_destroy(a);

    bx_trk_config_t tc;
    bx_trk_config_default(&tc, BX_SIG_B2B, prn, k->fs, 0.0);
    bx_trk_t *t;
    char err[200];
    assert_int_equal(bx_trk_create(&tc, &r, 0, &t, err, sizeof err), BX_OK);
    bx_cnav3_sync_t *sy;
    assert_int_equal(bx_cnav3_sync_create(prn, &sy, NULL, 0), BX_OK);

    int nblk = (int)llround(k->dur_s / 0.1), decoded = 0;
    int64_t first_sec = -1, last_sec = -1;
    double max_dop = 0, max_code = 0, cn0_sum = 0;
    int ncheck = 0;
    bx_trk_symbol_t sym[512];
    static float ring[2048];
    static uint64_t ring_s[2048];
    uint32_t rn = 0;
    int resolved = 0;
    double max_ph = -1, off = 0;
    for (int b = 0; b < nblk; b++) {
        const uint64_t first = (uint64_t)b * blk;
        if (b > 0)
            assert_int_equal(bx_simsig_generate(g, x, blk), BX_OK);
        if (k->rot_cyc != 0.0) {
            const float complex w = cexpf(2.0f * (float)M_PI * I * (float)k->rot_cyc);
            for (size_t i = 0; i < blk; i++)
                x[i] *= w;
        }
        assert_int_equal(bx_trk_process(t, x, blk, first), BX_OK);
        int n;
        while ((n = bx_trk_pop_symbols(t, sym, 512)) > 0) {
            for (int i = 0; i < n; i++) {
                ring[rn % 2048] = sym[i].soft;
                ring_s[rn++ % 2048] = sym[i].sample;
                uint8_t msg[486];
                int fprn;
                uint64_t fsamp;
                if (bx_cnav3_sync_push(sy, sym[i].soft, sym[i].sample, msg, &fprn, &fsamp) != 1)
                    continue;
                /* the transmit second of the frame from the sample its preamble arrived at */
                const double tx = k->sow0 + (double)fsamp / k->fs * rate;
                const int64_t sec = (int64_t)llround(tx);
                assert_true(fabs(tx - (double)sec) < 2.0 / k->fs);
                const int64_t abs_sec = t0.sec + (sec - (int64_t)floor(k->sow0));
                const int want = (int)((prn + abs_sec) % st->nf);
                if (!k->sweep) /* the unencoded PRN field may carry bit errors when weak */
                    assert_int_equal(fprn, prn);
                assert_memory_equal(msg, st->msg[want], 486);
                decoded++;
                if (!resolved) {
                    /* the 0xEB90 preamble (navmsg.md §4.1; soft > 0 = logic 0) of this frame tells
                     * the Costas loop's half cycle; the symbols after it flip with the loop */
                    double cp = 0;
                    for (uint32_t q = 0; q < 2048 && q < rn; q++)
                        if (ring_s[(rn - 1 - q) % 2048] == fsamp) {
                            for (int j = 0; j < 16; j++)
                                cp += ((0xEB90 >> (15 - j)) & 1 ? -1.0 : 1.0) * ring[(rn - 1 - q + (uint32_t)j) % 2048];
                            break;
                        }
                    assert_true(cp != 0.0);
                    assert_int_equal(bx_trk_set_polarity(t, cp < 0), 1);
                    for (int m = i + 1; cp < 0 && m < n; m++)
                        sym[m].soft = -sym[m].soft;
                    resolved = cp < 0 ? 2 : 1;
                }
                if (first_sec < 0)
                    first_sec = sec;
                last_sec = sec;
            }
        }
        bx_trk_obs_t o;
        const uint64_t end = first + blk;
        bx_simsig_sat_t tr;
        double ph;
        assert_int_equal(bx_simsig_get_sat(g, 0, &tr, &ph), BX_OK);
        if (k->sweep && getenv("BDSRX_B2B_DEBUG") && b % 5 == 4 && bx_trk_observe(t, end, &o) == BX_OK)
            printf("  %.1f s: %s lock %.2f C/N0 %.1f Doppler error %.2f Hz\n", (b + 1) * 0.1, bx_trk_state_name(o.state),
                   o.pll_lock, o.cn0_dbhz, o.doppler_hz - k->dop);
        if (b >= 10 && bx_trk_observe(t, end, &o) == BX_OK && (!k->sweep || o.state == BX_TRK_LOCKED)) {
            assert_int_equal(o.state, BX_TRK_LOCKED);
            double cp = fmod(tr.tx_time.frac_s * 1000.0, 1.0) * 10230.0;
            double dc = tu_chip_diff(o.code_phase_chips, cp);
            max_dop = fmax(max_dop, fabs(o.doppler_hz - k->dop));
            max_code = fmax(max_code, fabs(dc));
            if (resolved) {
                /* carrier phase: replica (= -RINEX phase) against the simulator's, modulo a whole
                 * cycle once the half cycle is resolved; the constant offset is the first one seen */
                if (!k->sweep)
                    assert_int_equal(o.half_cycle, 0);
                double d = -o.carrier_cycles - ph - k->rot_cyc;
                if (max_ph < 0)
                    off = d, max_ph = 0;
                d -= off;
                max_ph = fmax(max_ph, fabs(d - floor(d + 0.5)));
            }
            cn0_sum += o.cn0_dbhz;
            ncheck++;
        }
    }
    /* frames whose 1000 symbols all arrived after the first lock: every whole second from the
     * first decoded one to the last complete one */
    const double end_tx = k->sow0 + (double)nblk * blk / k->fs * rate;
    const int64_t last_complete = (int64_t)floor(end_tx) - 1;
    int expected = first_sec < 0 ? 0 : (int)(last_complete - first_sec + 1);
    *lost = expected - decoded;
    printf("B2b-I C60 %.0f dB-Hz Doppler %.1f Hz, %.1f s at %.2f Msps: %d frames decoded (tx seconds %lld..%lld), "
           "%d lost, all equal to the log; |Doppler error| <= %.3f Hz, |code error| <= %.4f chip, mean C/N0 %.1f "
           "dB-Hz; carrier phase after the half cycle was resolved: max |error| %.3f cycle (offset %.3f cycle, lock was %s); %ld LDPC runs\n",
           k->cn0, k->dop, k->dur_s, k->fs / 1e6, decoded, (long long)first_sec, (long long)last_sec, *lost, max_dop,
           max_code, ncheck ? cn0_sum / ncheck : 0.0, max_ph, off - floor(off + 0.5), resolved == 2 ? "inverted" : "upright", bx_cnav3_sync_attempts(sy));
    if (k->sweep)
        goto out;
    assert_true(ncheck > 0);
    /* the replica's phase is the simulator's carrier phase (symbols upright), never half a cycle off */
    assert_true(max_ph >= 0 && max_ph < 0.05);
    assert_true(fabs(off - floor(off + 0.5)) < 0.05);
    assert_true(max_dop < 0.5);
    assert_true(max_code < 0.05);
    assert_true(fabs(cn0_sum / ncheck - k->cn0) < 2.0);
out:
    bx_cnav3_sync_destroy(sy);
    bx_trk_destroy(t);
    bx_simsig_destroy(g);
    free(x);
    return decoded;
}

/* GEO case: near-zero Doppler, strong signal, a few seconds at 12 Msps: every frame after the
 * first lock decoded and equal to the log. */
static void test_track_geo_frames(void **state)
{
    (void)state;
    static stream_t st;
    if (!load_frames(&st)) {
        skip();
        return;
    }
    case_t k = {12e6, -41.3, 45.0, 3.8, 30000.2537, 11, 0.0, 0, 0};
    int lost;
    int n = run_case(&st, &k, &lost);
    assert_true(n >= 3);
    assert_int_equal(lost, 0);
    /* the same at 38 dB-Hz with the input turned by half a cycle: the loop locks inverted, the
     * preamble turns it back */
    case_t k2 = {12e6, 12.7, 38.0, 3.8, 30000.2537, 12, 0.5, 0, 0};
    n = run_case(&st, &k2, &lost);
    assert_true(n >= 3);
    assert_int_equal(lost, 0);
}

/* ---- the receiver: bx_rx with one B2b stream, then `bdsrx run --signals B2b` ---- */

typedef struct {
    uint8_t frames[2][NF][1000]; /* C59, C60: the same blocks, each with its own PRN field */
    const stream_t *st;
} geo2_t;

static int sym_cb2(void *user, int slot, int sig, int prn, bx_time_t t, int64_t idx)
{
    (void)slot;
    (void)t;
    const geo2_t *g = user;
    if (sig != BX_SIG_B2B || prn < 59 || prn > 60)
        return 0;
    return g->frames[prn - 59][(prn + idx / 1000) % g->st->nf][idx % 1000];
}

typedef struct {
    const stream_t *st;
    double fs, sow0[2], rate[2];
    int64_t sec0;
    int n[2], bad, first_sec[2], last_sec[2];
} rxcheck_t;

static void on_b2b(void *user, int geo_prn, int stream, uint64_t frame_sample, const uint8_t bits[486], const void *m)
{
    (void)stream;
    (void)m;
    rxcheck_t *c = user;
    int k = geo_prn - 59;
    if (k < 0 || k > 1) {
        c->bad++;
        return;
    }
    const double tx = c->sow0[k] + (double)frame_sample / c->fs * c->rate[k];
    const int64_t sec = (int64_t)llround(tx);
    const int64_t abs_sec = c->sec0 + (sec - (int64_t)floor(c->sow0[0]));
    const int want = (int)((geo_prn + abs_sec) % c->st->nf);
    if (fabs(tx - (double)sec) > 2.0 / c->fs || memcmp(bits, c->st->msg[want], 486)) {
        c->bad++;
        return;
    }
    if (c->n[k]++ == 0)
        c->first_sec[k] = (int)sec;
    c->last_sec[k] = (int)sec;
}

/* Two GEOs (C59 45 dB-Hz, C60 40 dB-Hz, Doppler +23 / -41 Hz, ranges 36000 / 38000 km) in a 2-bit
 * capture at 12 Msps, 3.6 s: the receiver (all 5 GEO PRNs searched) tracks both, every frame
 * after lock reaches the callback equal to the log's block for its transmit second; the store
 * and counts agree; `bdsrx run --signals B2b --json` reports the same count. */
static void test_receiver_b2b(void **state)
{
    (void)state;
    static stream_t st;
    static geo2_t g2;
    if (!load_frames(&st)) {
        skip();
        return;
    }
    g2.st = &st;
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < st.nf; f++)
            assert_int_equal(bx_cnav3_encode(59 + k, st.msg[f], g2.frames[k][f]), BX_OK);
    const double fs = 12e6, dur = 3.6;
    bx_simsig_config_t c;
    bx_simsig_config_default(&c, fs);
    c.symbol = sym_cb2;
    c.user = &g2;
    c.seed = 5;
    c.noise_sigma = bx_simsig_default_sigma(BX_IQ_CI2);
    bx_simsig_t *g;
    assert_int_equal(bx_simsig_create(&c, &g, NULL, 0), BX_OK);
    rxcheck_t ck;
    memset(&ck, 0, sizeof ck);
    ck.st = &st;
    ck.fs = fs;
    const double sow = 30000.0 + 0.6172, dop[2] = {23.0, -41.0}, *dop_true = dop, cn0[2] = {45.0, 40.0}, rng[2] = {36.0e6, 38.0e6};
    for (int k = 0; k < 2; k++) {
        ck.sow0[k] = sow - rng[k] / 299792458.0;
        ck.rate[k] = 1.0 + dop[k] / BX_FREQ_B2B_HZ;
        bx_simsig_sat_t s = {BX_SIG_B2B, 59 + k, bx_time_from_week_sow(910, ck.sow0[k]), 0.0, dop[k], cn0[k]};
        assert_int_equal(bx_simsig_set_sat(g, k, &s), BX_OK);
    }
    ck.sec0 = bx_time_from_week_sow(910, ck.sow0[0]).sec;
    char path[] = "/tmp/bdsrx_b2brx_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    const size_t blk = (size_t)llround(0.1 * fs);
    bx_cf32_t *x = malloc(blk * sizeof *x);
    uint8_t *raw = malloc(bx_iq_bytes_for(BX_IQ_CI2, blk));
    for (int b = 0; b < (int)llround(dur / 0.1); b++) {
        assert_int_equal(bx_simsig_generate(g, x, blk), BX_OK);
        long nb = bx_iq_pack(BX_IQ_CI2, x, blk, 1.0f, raw);
        assert_true(nb > 0);
        assert_int_equal(fwrite(raw, 1, (size_t)nb, f), (size_t)nb);
    }
    fclose(f);
    bx_simsig_destroy(g);

    /* the library receiver on the 2-bit file */
    bx_iq_params_t prm;
    bx_iq_params_init(&prm);
    prm.format = BX_IQ_CI2;
    prm.fs_hz = fs;
    prm.fc_hz = BX_FREQ_B2B_HZ;
    bx_iq_reader_t *rd;
    char err[300];
    assert_int_equal(bx_iq_open(path, &prm, &rd, err, sizeof err), BX_OK);
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 1;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B2B, fs, 0.0};
    rc.prn_mask = 0x1full << 59;
    rc.threads = 1;
    rc.on_b2b = on_b2b;
    rc.user = &ck;
    bx_rx_t *rx;
    assert_int_equal(bx_rx_create(&rc, &rx, err, sizeof err), BX_OK);
    long got;
    while ((got = bx_iq_read(rd, x, blk)) > 0) {
        const bx_cf32_t *const xs[1] = {x};
        const size_t ns[1] = {(size_t)got};
        assert_int_equal(bx_rx_process(rx, xs, ns), BX_OK);
    }
    bx_iq_destroy(rd);
    bx_rx_chan_status_t chs[8];
    int nch = bx_rx_channels(rx, chs, 8);
    bx_rx_b2b_stats_t bs;
    assert_int_equal(bx_rx_b2b_stats(rx, &bs), 1);
    assert_non_null(bx_rx_b2b_store(rx));
    /* frames lost: whole transmit seconds from the first decoded to the last complete one */
    int lost = 0;
    for (int k = 0; k < 2; k++) {
        const int64_t last_complete = (int64_t)floor(ck.sow0[k] + dur * ck.rate[k]) - 1;
        lost += ck.n[k] ? (int)(last_complete - ck.first_sec[k] + 1) - ck.n[k] : 99;
    }
    printf("receiver, B2b stream (ci2, 12 Msps, %.1f s): %d channels", dur, nch);
    for (int i = 0; i < nch; i++)
        printf(" C%02d(%s, %.1f dB-Hz, %d frames)", chs[i].prn, bx_trk_state_name(chs[i].state), chs[i].cn0_dbhz,
               chs[i].frames_ok);
    printf("; C59 %d frames (tx %d..%d), C60 %d frames (tx %d..%d), %d lost, %d differing from the log; "
           "stats %ld frames, %ld stored, %ld rejected (no mask yet)\n",
           ck.n[0], ck.first_sec[0], ck.last_sec[0], ck.n[1], ck.first_sec[1], ck.last_sec[1], lost, ck.bad,
           bs.frames, bs.stored, bs.rejected);
    assert_int_equal(nch, 2);
    assert_int_equal(ck.bad, 0);
    assert_true(ck.n[0] >= 2 && ck.n[1] >= 2);
    assert_int_equal(lost, 0);
    assert_int_equal(bs.frames, ck.n[0] + ck.n[1]);
    long sum = 0;
    for (int t = 0; t < 64; t++)
        sum += bs.by_type[t];
    assert_int_equal(sum, bs.frames);
    bx_rx_destroy(rx);

    /* the command line on the same file */
    char bin[512];
    if (tu_bin(bin, sizeof bin, "bdsrx")) {
        tu_result_t r;
        tu_runl(&r, NULL, bin, "run", path, "--signals", "B2b", "--format", "ci2", "--fs", "12e6", "--fc",
                "1207.14e6", "--prn", "59-63", "--threads", "1", "--json", "-q", "--no-cache", NULL);
        printf("%s", r.err);
        char want[64];
        snprintf(want, sizeof want, "{\"b2b\":{\"frames\":%ld,", bs.frames);
        assert_non_null(strstr(r.out, want));
        assert_non_null(strstr(r.err, "PPP-B2b: "));
        assert_int_equal(r.status, 0);
        tu_result_free(&r);
        /* bdsrx track --signal B2b: both GEOs locked at 2 s, Doppler within 0.5 Hz */
        tu_runl(&r, NULL, bin, "track", path, "--signal", "B2b", "--format", "ci2", "--fs", "12e6", "--prn", "59-63",
                "--seconds", "2", "--interval", "1000", "--json", "-q", NULL);
        assert_int_equal(r.status, 0);
        int locked = 0;
        for (const char *l = r.out; (l = strstr(l, "{\"t_s\":2.000000,")) != NULL; l++) {
            int prn;
            double dop;
            const char *pp = strstr(l, "\"prn\":"), *pd = strstr(l, "\"doppler_hz\":");
            assert_non_null(pp);
            assert_non_null(pd);
            prn = atoi(pp + 6);
            dop = atof(pd + 13);
            assert_true(prn == 59 || prn == 60);
            assert_true(fabs(dop - dop_true[prn - 59]) < 0.5);
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
            locked += strstr(line, "\"signal\":\"B2b\"") && strstr(line, "\"state\":\"LOCKED\"");
        }
        printf("bdsrx track --signal B2b: %d channels LOCKED at 2 s\n", locked);
        assert_int_equal(locked, 2);
        tu_result_free(&r);
    }
    if (!getenv("BDSRX_B2B_KEEP"))
        unlink(path);
    else
        printf("kept %s\n", path);
    free(x);
    free(raw);
}

/* ---- two streams: B1C (ranging) + B2b (corrections) on one sample clock ---- */

typedef struct {
    int n_obs_b1c, n_obs_other, epochs;
    rxcheck_t ck;
} dual_t;

static void on_epoch_dual(void *user, bx_rx_t *rx, const bx_rx_epoch_t *ep)
{
    (void)rx;
    dual_t *d = user;
    d->epochs++;
    for (int i = 0; i < ep->obs->n; i++) {
        if (ep->obs->d[i].sig == BX_SIG_B1C)
            d->n_obs_b1c++;
        else
            d->n_obs_other++;
    }
}

static void on_b2b_dual(void *user, int geo_prn, int stream, uint64_t fsmp, const uint8_t bits[486], const void *m)
{
    dual_t *d = user;
    on_b2b(&d->ck, geo_prn, stream, fsmp, bits, m);
}

/* B1C C19 + C20 (4.092 Msps) and B2b C60 (12 Msps), 3.2 s: the B1C channels give observations,
 * the B2b channel gives none but its PPP-B2b blocks, equal to the log. */
static void test_receiver_b1c_b2b(void **state)
{
    (void)state;
    static stream_t st;
    static geo2_t g2;
    if (!load_frames(&st)) {
        skip();
        return;
    }
    g2.st = &st;
    for (int f = 0; f < st.nf; f++)
        assert_int_equal(bx_cnav3_encode(60, st.msg[f], g2.frames[1][f]), BX_OK);
    const double fs[2] = {4.092e6, 12e6}, dur = 3.2, sow = 30000.0 + 0.4411;
    bx_simsig_t *g[2];
    static dual_t d;
    memset(&d, 0, sizeof d);
    d.ck.st = &st;
    d.ck.fs = fs[1];
    for (int k = 0; k < 2; k++) {
        bx_simsig_config_t c;
        bx_simsig_config_default(&c, fs[k]);
        c.symbol = sym_cb2;
        c.user = &g2;
        c.seed = 9 + (uint64_t)k;
        assert_int_equal(bx_simsig_create(&c, &g[k], NULL, 0), BX_OK);
    }
    /* B1C MEOs */
    const double r1[2] = {21.9e6, 23.4e6}, d1[2] = {1210.0, -830.0};
    for (int k = 0; k < 2; k++) {
        bx_simsig_sat_t s = {BX_SIG_B1C, 19 + k, bx_time_from_week_sow(910, sow - r1[k] / 299792458.0), 0.0, d1[k],
                             44.0};
        assert_int_equal(bx_simsig_set_sat(g[0], k, &s), BX_OK);
    }
    d.ck.sow0[1] = sow - 38.0e6 / 299792458.0;
    d.ck.rate[1] = 1.0 + (-17.0) / BX_FREQ_B2B_HZ;
    d.ck.sec0 = bx_time_from_week_sow(910, d.ck.sow0[1]).sec;
    d.ck.sow0[0] = d.ck.sow0[1]; /* (C59 absent) */
    bx_simsig_sat_t s = {BX_SIG_B2B, 60, bx_time_from_week_sow(910, d.ck.sow0[1]), 0.0, -17.0, 44.0};
    assert_int_equal(bx_simsig_set_sat(g[1], 0, &s), BX_OK);

    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 2;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, fs[0], 0.0};
    rc.stream[1] = (bx_rx_stream_t){BX_SIG_B2B, fs[1], 0.0};
    rc.prn_mask = 1ull << 19 | 1ull << 20 | 1ull << 60;
    rc.threads = 2;
    rc.on_epoch = on_epoch_dual;
    rc.on_b2b = on_b2b_dual;
    rc.user = &d;
    bx_rx_t *rx;
    char err[300];
    assert_int_equal(bx_rx_create(&rc, &rx, err, sizeof err), BX_OK);
    size_t blk[2] = {(size_t)llround(0.1 * fs[0]), (size_t)llround(0.1 * fs[1])};
    bx_cf32_t *x[2] = {malloc(blk[0] * sizeof(bx_cf32_t)), malloc(blk[1] * sizeof(bx_cf32_t))};
    for (int b = 0; b < (int)llround(dur / 0.1); b++) {
        for (int k = 0; k < 2; k++)
            assert_int_equal(bx_simsig_generate(g[k], x[k], blk[k]), BX_OK);
        const bx_cf32_t *const xs[2] = {x[0], x[1]};
        assert_int_equal(bx_rx_process(rx, xs, blk), BX_OK);
    }
    bx_rx_chan_status_t ch[8];
    int nch = bx_rx_channels(rx, ch, 8), locked = 0;
    for (int i = 0; i < nch; i++)
        locked += ch[i].state == BX_TRK_LOCKED;
    bx_rx_b2b_stats_t bs;
    assert_int_equal(bx_rx_b2b_stats(rx, &bs), 1);
    printf("B1C + B2b streams, %.1f s: %d channels, %d locked; %d epochs, %d B1C observations, %d others; C60 %d "
           "PPP-B2b blocks (tx %d..%d), %d differing\n",
           dur, nch, locked, d.epochs, d.n_obs_b1c, d.n_obs_other, d.ck.n[1], d.ck.first_sec[1], d.ck.last_sec[1],
           d.ck.bad);
    assert_int_equal(nch, 3);
    assert_int_equal(locked, 3);
    assert_true(d.n_obs_b1c > 0);
    assert_int_equal(d.n_obs_other, 0);
    assert_true(d.ck.n[1] >= 2);
    assert_int_equal(d.ck.bad, 0);
    assert_int_equal(bs.frames, d.ck.n[1]);
    bx_rx_destroy(rx);
    for (int k = 0; k < 2; k++) {
        bx_simsig_destroy(g[k]);
        free(x[k]);
    }
}

/* Measurement (BDSRX_B2B_SWEEP=1): weak GEO signals, tracking started from the truth (the
 * acquisition's 1 ms x 10 misses < ~36 dB-Hz), 10.8 s (10 frames) per C/N0. */
static void test_weak_sweep(void **state)
{
    (void)state;
    static stream_t st;
    if (!getenv("BDSRX_B2B_SWEEP") || !load_frames(&st)) {
        skip();
        return;
    }
    const char *lo = getenv("BDSRX_B2B_SWEEP_FROM");
    const char *hi = getenv("BDSRX_B2B_SWEEP_TO");
    for (double cn0 = lo ? atof(lo) : 26.0; cn0 <= (hi ? atof(hi) : 36.0); cn0 += 2.0) {
        case_t k = {12e6, -8.0, cn0, 10.8, 30000.2537, 21, 0.0, 1, getenv("BDSRX_B2B_NONCOH") ? 0 : 1};
        int lost;
        run_case(&st, &k, &lost);
    }
}

/* bdsrx-sim --signals B2b: the simulator's PPP-B2b broadcast (src/sim/simb2b.c) from the command line,
 * two GEOs, C59 with an outage of null messages (--b2b-outage 2,5: transmit seconds start+2 .. +4).
 * The receiver decodes from C59 exactly 3 MT63 in those seconds and MT1/MT2/MT4 outside them on
 * the 4 s cycle (MesType from the transmit second modulo 4), from C60 never an MT63. */
typedef struct {
    int n[2], n63[2], bad_cycle, in_outage_not63;
    int64_t first_null, last_null, from_s, to_s; /* seconds of day */
} simb2b_ck_t;

static void on_b2b_sim(void *user, int geo, int stream, uint64_t frame_sample, const uint8_t bits[486], const void *msg)
{
    simb2b_ck_t *ck = user;
    const bx_b2b_msg_t *m = msg;
    (void)stream, (void)bits;
    const int k = geo == 60;
    if (geo != 59 && geo != 60)
        return;
    ck->n[k]++;
    if (m->type == 63) {
        ck->n63[k]++;
        return;
    }
    const int want = m->h.epoch_s % 4 == 0 ? 1 : m->h.epoch_s % 4 == 3 ? 4 : 2;
    ck->bad_cycle += m->type != want;
    ck->in_outage_not63 += k == 0 && m->h.epoch_s >= ck->from_s && m->h.epoch_s < ck->to_s;
    (void)frame_sample;
}

static void test_sim_b2b_outage(void **state)
{
    (void)state;
    char sim[1024], dir[1100], path[1200];
    if (!tu_bin(sim, sizeof sim, "bdsrx-sim")) {
        print_message("SKIP: bin/bdsrx-sim not built\n");
        skip();
    }
    const char *args[] = {"--signals", "B2b", "--duration", "6", "--b2b-geo", "59,60", "--b2b-outage", "2,5",
                          "--format", "ci2", "--start", "2023-03-12 04:05:34", NULL};
    assert_int_equal(tu_sim_capture(sim, args, dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/s_b2b.ci2", dir);
    bx_iq_params_t prm;
    bx_iq_params_init(&prm);
    bx_iq_reader_t *rd;
    char err[300];
    assert_int_equal(bx_iq_open(path, &prm, &rd, err, sizeof err), BX_OK);
    const double fs = bx_iq_params(rd)->fs_hz;
    assert_true(fs == 12e6 && bx_iq_params(rd)->fc_hz == BX_FREQ_B2B_HZ); /* from the SigMF sidecar */
    simb2b_ck_t ck;
    memset(&ck, 0, sizeof ck);
    const int64_t sod0 = (4 * 3600 + 5 * 60 + 34) % 86400; /* BDT start, seconds of day */
    ck.from_s = sod0 + 2;
    ck.to_s = sod0 + 5;
    bx_rx_config_t rc;
    bx_rx_config_default(&rc);
    rc.n_streams = 1;
    rc.stream[0] = (bx_rx_stream_t){BX_SIG_B2B, fs, 0.0};
    rc.prn_mask = 0x1full << 59;
    rc.threads = 1;
    rc.on_b2b = on_b2b_sim;
    rc.user = &ck;
    bx_rx_t *rx;
    assert_int_equal(bx_rx_create(&rc, &rx, err, sizeof err), BX_OK);
    const size_t blk = (size_t)llround(0.1 * fs);
    bx_cf32_t *x = malloc(blk * sizeof *x);
    long got;
    while ((got = bx_iq_read(rd, x, blk)) > 0) {
        const bx_cf32_t *const xs[1] = {x};
        const size_t ns[1] = {(size_t)got};
        assert_int_equal(bx_rx_process(rx, xs, ns), BX_OK);
    }
    bx_iq_destroy(rd);
    bx_rx_destroy(rx);
    free(x);
    printf("bdsrx-sim B2b, C59 outage 2-5 s: C59 %d blocks (%d MT63), C60 %d blocks (%d MT63), %d off the 4 s "
           "cycle, %d corrections inside the outage\n",
           ck.n[0], ck.n63[0], ck.n[1], ck.n63[1], ck.bad_cycle, ck.in_outage_not63);
    assert_int_equal(ck.n63[0], 3);
    assert_int_equal(ck.n63[1], 0);
    assert_true(ck.n[0] >= 4 && ck.n[1] >= 4);
    assert_int_equal(ck.bad_cycle, 0);
    assert_int_equal(ck.in_outage_not63, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_geo_frames),
        cmocka_unit_test(test_receiver_b2b),
        cmocka_unit_test(test_receiver_b1c_b2b),
        cmocka_unit_test(test_sim_b2b_outage),
        cmocka_unit_test(test_weak_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
