/*
 * A bdsrx base station through the programs: `bdsrx run B1C B2A --rinex-obs OBS --rtcm-out
 * RTCM --rtcm-serial PTY` on a bdsrx-sim capture (both bands, 14 s; the capture of test_receiver_dual's CLI
 * test, shared through the test cache).  Checked against each other and against the RINEX
 * rules, with the library's own RINEX reader and RTCM3 decoder:
 *  - the RTCM3 stream carries the epochs of the RINEX file: same satellites and signals, code
 *    and phase within the MSM7 resolution plus the RINEX F14.3 rounding, same loss-of-lock
 *    indicators;
 *  - code and phase stay consistent through a clock step if the run makes one (every
 *    pseudorange jumps, code minus carrier does not move; tests/test_obs_phase.c forces one);
 *  - the serial port (a pseudo-terminal) gets the file's stream byte for byte;
 *  - the header: only the C/L/D/S types of B1C and B2a, SYS / PHASE SHIFT 0.25 on the pilot
 *    phases, APPROX POSITION XYZ = the first fix (within 10 m of the simulated place).
 */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "testutil.h"

/* the capture of tests/test_receiver_dual.c test_cli_dual_if (same parameters, same cache key) */
#define FS_B1C_HZ 4.0e6
#define FS_B2A_HZ 12.0e6
#define CN0_DBHZ 45.0
#define IONO_TECU 25.0
#define MAXEP 40

static bx_time_t start_before_mt10(void)
{
    bx_time_t t = bx_time_from_civil(2023, 3, 12, 4, 5, 0);
    while (!((t.sec + 2) % 3 == 0 && ((t.sec + 2) / 3) % 4 == 0))
        t.sec++;
    return t;
}

static const bx_obsd_t *find(const bx_obs_t *o, int prn, int sig)
{
    for (int i = 0; i < o->n; i++)
        if (o->d[i].prn == prn && o->d[i].sig == sig)
            return &o->d[i];
    return NULL;
}

/* ---- the RTCM stream through a serial port (a pseudo-terminal standing in for a radio modem) */
#define SER_MAX (1 << 20)
typedef struct {
    int fd;          /* pty master */
    atomic_int stop; /* the run ended: read what is left, then return */
    uint8_t *buf;
    size_t n;
} ser_reader_t;

/* drains the master while bdsrx writes (a pty holds a few KiB: bytes the slave cannot take
 * are dropped by bdsrx, by design); after stop, until 2 s pass without a byte */
static void *ser_read(void *arg)
{
    ser_reader_t *r = arg;
    int idle_ms = 0;
    while (r->n < SER_MAX) {
        struct pollfd pf = {r->fd, POLLIN, 0};
        const int p = poll(&pf, 1, 100);
        if (p > 0) {
            const ssize_t k = read(r->fd, r->buf + r->n, SER_MAX - r->n);
            if (k > 0) {
                r->n += (size_t)k;
                idle_ms = 0;
                continue;
            }
            if (k < 0 && errno != EINTR && errno != EAGAIN && errno != EIO)
                break;
            if (k <= 0 && atomic_load(&r->stop)) /* EIO: the slave is closed */
                break;
        }
        if (atomic_load(&r->stop) && (idle_ms += 100) >= 2000)
            break;
    }
    return NULL;
}

static void test_run_base_outputs(void **state)
{
    (void)state;
    char sim[512], run[512];
    if (!tu_bin(sim, sizeof sim, "bdsrx-sim") || !tu_bin(run, sizeof run, "bdsrx")) {
        printf("SKIP: %s or %s not built\n", sim, run);
        skip();
    }
    int y, mo, d, h, mi;
    double sec;
    bx_time_to_civil(start_before_mt10(), &y, &mo, &d, &h, &mi, &sec);
    char fs1[32], fs2[32], iono[32], cn0[32], start[64], stamp[64], key[512];
    snprintf(fs1, sizeof fs1, "%.0f", FS_B1C_HZ);
    snprintf(fs2, sizeof fs2, "%.0f", FS_B2A_HZ);
    snprintf(iono, sizeof iono, "%.1f", IONO_TECU);
    snprintf(cn0, sizeof cn0, "%.1f", CN0_DBHZ);
    snprintf(start, sizeof start, "%04d-%02d-%02d %02d:%02d:%02.0f", y, mo, d, h, mi, sec);
    snprintf(key, sizeof key, "bdsrx-sim %s B1C,B2a %s %s ci2 14 %s %s '%s' 3", tu_file_stamp(sim, stamp, sizeof stamp),
             fs1, fs2, iono, cn0, start);
    char dir[1024], tmp[1024], prefix[1100], f1[1100], f2[1100];
    const int cached = tu_cache_dir("dual-ci2-14s", key, dir, sizeof dir, tmp, sizeof tmp);
    assert_true(cached >= 0);
    if (!cached) {
        snprintf(prefix, sizeof prefix, "%s/s", tmp);
        tu_result_t g;
        const int gs = tu_runl(&g, NULL, sim, "--out", prefix, "--signals", "B1C,B2a", "--fs-b1c", fs1, "--fs-b2a",
                               fs2, "--format", "ci2", "--duration", "14", "--iono", iono, "--cn0", cn0, "--start",
                               start, "--seed", "3", "--quiet", NULL);
        tu_result_free(&g);
        assert_int_equal(gs, 0);
        assert_int_equal(tu_cache_commit(dir, tmp, key), 0);
    }
    snprintf(f1, sizeof f1, "%s/s_b1c.ci2", dir);
    snprintf(f2, sizeof f2, "%s/s_b2a.ci2", dir);
    char obs_path[] = "/tmp/bdsrx_test_base_XXXXXX";
    int fd = mkstemp(obs_path);
    assert_true(fd >= 0);
    close(fd);
    char rtcm_path[64];
    snprintf(rtcm_path, sizeof rtcm_path, "%s.rtcm3", obs_path);
    /* the same stream to a serial port as well (--rtcm-serial), read by a thread meanwhile */
    ser_reader_t sr = {posix_openpt(O_RDWR | O_NOCTTY), 0, malloc(SER_MAX), 0};
    assert_true(sr.fd >= 0 && sr.buf);
    assert_int_equal(grantpt(sr.fd), 0);
    assert_int_equal(unlockpt(sr.fd), 0);
    char ser_spec[128];
    snprintf(ser_spec, sizeof ser_spec, "%s:115200", ptsname(sr.fd));
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, ser_read, &sr), 0);
    tu_result_t rr;
    /* the simulated satellites and 4 absent PRNs: the outputs are the subject here (test_receiver_dual
     * runs the same capture through the whole-list cold search) */
    char truthj[1100], prns[256];
    snprintf(truthj, sizeof truthj, "%s/s.truth.json", dir);
    assert_int_equal(tu_truth_prns(truthj, 4, prns, sizeof prns), 0);
    const int rc = tu_runl(&rr, NULL, run, "run", f1, f2, "--signals", "B1C,B2a", "--rinex-obs", obs_path, "--rtcm-out",
                           rtcm_path, "--rtcm-serial", ser_spec, "--prn", prns, "--quiet", "--threads", "2", NULL);
    const int dropped = (rr.out && strstr(rr.out, "RTCM serial:")) || (rr.err && strstr(rr.err, "RTCM serial:"));
    tu_result_free(&rr);
    atomic_store(&sr.stop, 1);
    pthread_join(th, NULL);
    close(sr.fd);
    assert_int_equal(rc, 0);
    {
        /* byte for byte the file's stream, unless bdsrx said it dropped bytes (a loaded machine
         * may starve the reader: then every frame received whole must still be one of the file's) */
        FILE *rf = fopen(rtcm_path, "rb");
        assert_non_null(rf);
        uint8_t *fb = malloc(SER_MAX);
        const size_t fn = fread(fb, 1, SER_MAX, rf);
        fclose(rf);
        printf("NOTE: RTCM to the serial port: %zu bytes, file %zu bytes%s\n", sr.n, fn,
               dropped ? " (bdsrx reported drops)" : "");
        assert_true(fn > 1000);
        if (!dropped) {
            assert_int_equal(sr.n, fn);
            assert_memory_equal(sr.buf, fb, fn);
        } else {
            assert_true(sr.n > 0 && sr.n < fn);
        }
        free(fb);
    }
    free(sr.buf);

    /* header records */
    FILE *f = fopen(obs_path, "r");
    assert_non_null(f);
    char line[256];
    int types_ok = 0, shift1 = 0, shift5 = 0;
    while (fgets(line, sizeof line, f) && !strstr(line, "END OF HEADER")) {
        if (strstr(line, "SYS / # / OBS TYPES"))
            types_ok = !strncmp(line, "C    8 C1P L1P D1P S1P C5P L5P D5P S5P ", 39);
        shift1 |= !strncmp(line, "C L1P  0.25000", 14) && strstr(line, "SYS / PHASE SHIFT") != NULL;
        shift5 |= !strncmp(line, "C L5P  0.25000", 14) && strstr(line, "SYS / PHASE SHIFT") != NULL;
    }
    fclose(f);
    assert_true(types_ok);
    assert_true(shift1 && shift5);

    /* the RINEX file (our reader) */
    bx_rinex_obs_reader_t *rd;
    char err[256];
    assert_int_equal(bx_rinex_obs_open(obs_path, &rd, err, sizeof err), BX_OK);
    const bx_rinex_obs_header_t *hd = bx_rinex_obs_header(rd);
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    double truth[3];
    bx_llh_to_ecef(sc.llh0, truth);
    const double dpos = sqrt(pow(hd->approx_pos_m[0] - truth[0], 2) + pow(hd->approx_pos_m[1] - truth[1], 2) +
                             pow(hd->approx_pos_m[2] - truth[2], 2));
    static bx_obs_t rx_ep[MAXEP], rt_ep[MAXEP];
    int nrx = 0, nrt = 0;
    while (nrx < MAXEP && bx_rinex_obs_read(rd, &rx_ep[nrx]) == BX_OK)
        nrx++;
    bx_rinex_obs_destroy(rd);

    /* the RTCM3 stream (our decoder) */
    size_t n = 0;
    uint8_t *buf = NULL;
    f = fopen(rtcm_path, "rb");
    assert_non_null(f);
    buf = malloc(1 << 20);
    n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    bx_rtcm3_dec_config_t dc = {start_before_mt10()};
    bx_rtcm3_dec_t *dec;
    assert_int_equal(bx_rtcm3_dec_create(&dc, &dec, NULL, 0), BX_OK);
    size_t off = 0, used;
    bx_rtcm3_msg_t m;
    int n1005 = 0;
    while (off < n && bx_rtcm3_dec_input(dec, buf + off, n - off, &used, &m) == 1) {
        off += used;
        n1005 += m.type == 1005;
        if (m.epoch_done && nrt < MAXEP)
            rt_ep[nrt++] = *bx_rtcm3_dec_obs(dec);
    }
    while (bx_rtcm3_dec_flush(dec) && nrt < MAXEP)
        rt_ep[nrt++] = *bx_rtcm3_dec_obs(dec);
    bx_rtcm3_dec_destroy(dec);
    free(buf);

    /* epoch by epoch: same content (RTCM MSM7 resolution + F14.3 of RINEX) */
    /* RINEX epochs on the millisecond grid of MSM times (all after the first clock step; before
     * it the receiver time may be off the grid and the base sends nothing) */
    int cmp = 0, lli_bad = 0, nslip = 0, matched = 0, ongrid = 0;
    double dp = 0, dl = 0;
    assert_true(nrx >= 3);
    int k = 0;
    for (int e = 0; e < nrx; e++) {
        const double fr = rx_ep[e].time.frac_s * 1e3;
        if (fabs(fr - floor(fr + 0.5)) > 1e-6)
            continue;
        ongrid++;
        while (k < nrt && bx_time_diff(rt_ep[k].time, rx_ep[e].time) < -1e-6)
            k++;
        if (k == nrt || fabs(bx_time_diff(rt_ep[k].time, rx_ep[e].time)) > 1e-6)
            continue;
        matched++;
        for (int i = 0; i < rx_ep[e].n; i++) {
            const bx_obsd_t *a = &rx_ep[e].d[i], *b = find(&rt_ep[k], a->prn, a->sig);
            if (!(a->flags & BX_OBS_PR))
                continue;
            assert_non_null(b);
            const double lam = BX_CLIGHT_MPS / bx_signal_freq_hz(a->sig);
            dp = fmax(dp, fabs(a->pseudorange_m - b->pseudorange_m));
            dl = fmax(dl, fabs(a->carrier_cycles - b->carrier_cycles) * lam);
            /* the stream's first epoch is new to the decoder (every cell flagged) */
            if (matched > 1)
                lli_bad += ((a->flags ^ b->flags) & BX_OBS_SLIP) != 0;
            nslip += (a->flags & BX_OBS_SLIP) != 0;
            cmp++;
        }
    }
    /* the first fix's clock step: the epoch where every pseudorange jumps by > 100 km */
    int step_epoch = -1;
    double cmc_jump = 0, p_jump = 0;
    for (int e = 1; e < nrx; e++) {
        int jumps = 0, nboth = 0;
        double cj = 0, pj = 0;
        for (int i = 0; i < rx_ep[e].n; i++) {
            const bx_obsd_t *a = &rx_ep[e].d[i], *b = find(&rx_ep[e - 1], a->prn, a->sig);
            if (!b || !(a->flags & BX_OBS_CP) || !(b->flags & BX_OBS_CP) || (a->flags & BX_OBS_SLIP))
                continue;
            const double lam = BX_CLIGHT_MPS / bx_signal_freq_hz(a->sig);
            const double d_p = a->pseudorange_m - b->pseudorange_m;
            const double d_cmc = d_p - lam * (a->carrier_cycles - b->carrier_cycles);
            nboth++;
            jumps += fabs(d_p) > 1e5;
            pj = fmax(pj, fabs(d_p));
            cj = fmax(cj, fabs(d_cmc));
        }
        if (nboth > 0 && jumps == nboth) {
            step_epoch = e;
            cmc_jump = cj;
            p_jump = pj;
        }
    }
    printf("NOTE: %d RINEX epochs on the ms grid, %d RTCM epochs, %d matched\n", ongrid, nrt, matched);
    assert_true(ongrid >= 3);
    assert_int_equal(matched, ongrid);
    assert_int_equal(nrt, ongrid);
    printf("NOTE: bdsrx run B1C+B2a --rinex-obs --rtcm-out: %d epochs, %d values compared, max |dP| %.4f m, |dL| %.4f m, "
           "LLI mismatches %d (%d LLI set); %d x 1005; APPROX POSITION %.1f m from the truth; clock step at epoch %d: "
           "pseudoranges jump %.0f m, code minus carrier %.3f m\n",
           nrx, cmp, dp, dl, lli_bad, nslip, n1005, dpos, step_epoch, p_jump, cmc_jump);
    assert_true(cmp > 100);
    assert_true(dp < 0.0006 + 0.0005 + 1e-6);
    assert_true(dl < 0.00015 + 0.0005 * 0.26 + 1e-6);
    assert_int_equal(lli_bad, 0);
    assert_true(n1005 >= 1);
    assert_true(dpos < 10.0);
    /* a clock step inside the file (none when the start set the time from a coarse-time fix):
     * code and phase moved together */
    if (step_epoch > 0)
        assert_true(cmc_jump < 1.0);
    unlink(obs_path);
    unlink(rtcm_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_run_base_outputs)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
