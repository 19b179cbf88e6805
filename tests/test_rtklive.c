/*
 * RTK inside the receiver (src/rx/rx_solve.c, BX_SOLVER_RTK; bx_rx_push_base): the solver
 * row driven like the receiver drives it, with base and rover observations from
 * tests/rtk_sim.h (real broadcast ephemerides of the Nagoya pair, independent clocks,
 * ionosphere gradient, C/N0 by elevation, random integers; truth known):
 *  - no base yet: the receiver's single-point fix with the reason;
 *  - B1C+B2a static 3 km: fixed within 30 s, the fixed positions within 2 cm horizontally of
 *    the simulated rover, the baseline within 3 cm of the simulated one, every fixed DD
 *    ambiguity equal to the simulated integer; GGA quality 4;
 *  - the base epoch used is the latest at or before the rover epoch, also when the base runs
 *    ahead (age 0, never a future epoch);
 *  - the base stops: after max_age_s the single-point fallback with "too old";
 *  - the epoch callback layout: ep->rtk set, ep->sol its solution;
 *  - the live base input (src/cli/cli_base.c, reader thread) on a tcp:// RTCM3 stream served
 *    here: every epoch reaches the receiver (the newest with age 0), and when the server
 *    closes the connection the reader connects again by itself (a second accept).
 * The end-to-end run from IQ (bdsrx-sim -> bdsrx run --rtcm-out -> bdsrx run --base, also
 * through str2str as NTRIP caster) is tests/test_rtklive_iq.c (SLOW_TESTS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/output.h"
#include "bdsrx/rtcm3.h"
#include "cli_base.h"
#include "bdsrx/receiver.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rtk.h"
#include "rtk_sim.h"
#include "rx_solve.h"
#include "testdata.h"

static bx_obs_t g_bo, g_ro, g_bo2, g_ro2;

typedef struct {
    bx_nav_t nav;
    sim_cfg_t sc;
    sim_t s;
    rx_solve_t *rs;
    bx_time_t t0;
} fx_t;

static int fx_setup(fx_t *f, double max_age_s)
{
    memset(f, 0, sizeof *f);
    if (load_nav(&f->nav))
        return -1;
    sim_default(&f->sc, BX_SIG_B1C, BX_SIG_B2A);
    f->sc.baseline_enu[0] = 2000.0;
    f->sc.baseline_enu[1] = 2236.0; /* 3 km */
    f->sc.baseline_enu[2] = 15.0;
    sim_init(&f->s, &f->sc, &f->nav, 4242);
    f->t0 = bx_time_gpst_to_bdt(bx_time_from_civil(2024, 6, 24, 7, 40, 0.0));
    bx_rx_config_t c;
    bx_rx_config_default(&c);
    c.solver = BX_SOLVER_RTK;
    c.rtk.mode = BX_RTK_STATIC;
    c.rtk.max_age_s = max_age_s;
    const int sigs[2] = {BX_SIG_B1C, BX_SIG_B2A};
    char err[256];
    const int st = rx_solve_create(&c, sigs, 2, &f->rs, err, sizeof err);
    if (st != BX_OK)
        printf("rx_solve_create: %s\n", err);
    assert_int_equal(st, BX_OK);
    return 0;
}

static void fx_teardown(fx_t *f)
{
    rx_solve_destroy(f->rs);
    bx_nav_destroy(&f->nav);
}

static void solve(fx_t *f, const bx_obs_t *rover, bx_rx_epoch_t *ep)
{
    memset(ep, 0, sizeof *ep);
    ep->obs = rover;
    ep->have_time = 1;
    ep->nav = &f->nav;
    rx_solve_epoch(f->rs, ep);
    assert_non_null(ep->sol);
    assert_non_null(ep->rtk);
    assert_ptr_not_equal(ep->rtk, NULL);
    assert_int_equal(ep->rtk->sol.fix, ep->sol->fix); /* one solution, two views */
}

/* horizontal error (m) of a position against the simulated rover at epoch k */
static double err_h(const fx_t *f, int k, const double pos[3], double enu[3])
{
    double truth[3], v[3], d[3];
    sim_rover(&f->s, (double)k - (f->s.clk0[1] + f->s.drift[1] * k), truth, v);
    for (int i = 0; i < 3; i++)
        d[i] = pos[i] - truth[i];
    bx_ecef_to_enu(f->sc.base_llh, d, enu);
    return hypot(enu[0], enu[1]);
}

/* every fixed DD ambiguity equals the simulated integer (tests/rtk_sim.h sim_run) */
static int wrong_fix(const fx_t *f, const bx_rtk_sol_t *sol)
{
    for (int fq = 0; fq < sol->n_sig; fq++) {
        int ref = 0;
        for (int i = 0; i < sol->n_rsat; i++)
            if (sol->rsat[i].ref >> fq & 1)
                ref = sol->rsat[i].prn;
        for (int i = 0; i < sol->n_rsat && ref; i++) {
            if (!(sol->rsat[i].fixed >> fq & 1))
                continue;
            const int p = sol->rsat[i].prn;
            const sim_t *s = &f->s;
            const double sd_s = s->amb[1][p][fq] + s->slip_total[1][p][fq] - s->amb[0][p][fq] - s->slip_total[0][p][fq];
            const double sd_r =
                s->amb[1][ref][fq] + s->slip_total[1][ref][fq] - s->amb[0][ref][fq] - s->slip_total[0][ref][fq];
            if (fabs(sol->rsat[i].amb_dd_cyc[fq] - (sd_s - sd_r)) > 0.5)
                return 1;
        }
    }
    return 0;
}

static void test_fix_and_fallbacks(void **state)
{
    (void)state;
    fx_t f;
    if (fx_setup(&f, 5.0)) {
        printf("SKIP: ../shared/testdata real/rtk_nagoya_static/base.nav missing\n");
        skip();
    }
    double base_ecef[3];
    memcpy(base_ecef, f.s.base, sizeof base_ecef);
    bx_rx_epoch_t ep;

    /* 1: no base yet -> single-point fix with the reason */
    sim_epoch(&f.s, f.t0, 0.0, &g_bo, &g_ro);
    solve(&f, &g_ro, &ep);
    assert_int_equal(ep.status, BX_OK);
    assert_int_equal(ep.sol->fix, BX_FIX_SPP);
    assert_non_null(strstr(ep.rtk->msg, "no base epoch"));
    /* a push with another solver kind is refused */
    assert_int_equal(rx_solve_push_base(NULL, &g_bo, base_ecef), BX_ERR_ARG);

    /* 2: base and rover every second; the base sent one epoch ahead from k = 20 on (it runs
     * ahead of the rover: the epoch at the rover's time must be used, not the future one) */
    int first = -1, fixed = 0, after = 0, wrong = 0, ahead_ok = 0, ahead_n = 0;
    double max_eh = 0, bl_err = 0;
    sim_epoch(&f.s, f.t0, 1.0, &g_bo, &g_ro);
    for (int k = 1; k <= 60; k++) {
        if (k < 20) {
            assert_int_equal(rx_solve_push_base(f.rs, &g_bo, base_ecef), BX_OK);
        } else {
            if (k == 20)
                assert_int_equal(rx_solve_push_base(f.rs, &g_bo, base_ecef), BX_OK);
            sim_epoch(&f.s, f.t0, k + 1.0, &g_bo2, &g_ro2); /* the next epoch's base, pushed now */
            assert_int_equal(rx_solve_push_base(f.rs, &g_bo2, base_ecef), BX_OK);
        }
        solve(&f, &g_ro, &ep);
        if (k >= 20) {
            ahead_n++;
            ahead_ok += fabs(ep.rtk->age_s) < 1e-3; /* the base epoch of this rover epoch */
        }
        if (ep.sol->fix == BX_FIX_FIXED) {
            if (first < 0)
                first = k;
            fixed++;
            double enu[3];
            const double eh = err_h(&f, k, ep.sol->pos_m, enu);
            if (eh > max_eh)
                max_eh = eh;
            wrong += wrong_fix(&f, ep.rtk);
            const double *b = ep.rtk->baseline_enu_m, *t = f.sc.baseline_enu;
            const double e = sqrt((b[0] - t[0]) * (b[0] - t[0]) + (b[1] - t[1]) * (b[1] - t[1]) +
                                  (b[2] - t[2]) * (b[2] - t[2]));
            if (e > bl_err)
                bl_err = e;
            char gga[200];
            assert_true(bx_nmea_gga(ep.sol, "GB", gga, sizeof gga) > 0);
            int q = -1;
            const char *p = gga;
            for (int comma = 0; comma < 6 && p; comma++)
                p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
            assert_non_null(p);
            q = atoi(p);
            assert_int_equal(q, 4);
        }
        if (first >= 0)
            after++;
        if (k >= 20) {
            g_bo = g_bo2;
            g_ro = g_ro2;
        } else {
            sim_epoch(&f.s, f.t0, k + 1.0, &g_bo, &g_ro);
        }
    }
    printf("in-receiver RTK, B1C+B2a static 3 km: first fix at %d s, %d/%d fixed after it, max horizontal "
           "error %.4f m, max baseline error %.4f m, wrong %d, base-ahead epochs with age 0: %d/%d\n",
           first, fixed, after, max_eh, bl_err, wrong, ahead_ok, ahead_n);
    assert_true(first >= 1 && first <= 30);
    assert_true(fixed >= 0.95 * after);
    assert_true(max_eh < 0.02);
    assert_true(bl_err < 0.03);
    assert_int_equal(wrong, 0);
    assert_int_equal(ahead_ok, ahead_n);

    /* 3: the base stops; the rover goes on: fixed/float while the last base epoch is younger
     * than max_age_s (5 s), then the single-point fallback "too old" */
    int spp_old = 0;
    for (int k = 61; k <= 70; k++) {
        sim_epoch(&f.s, f.t0, (double)k, &g_bo, &g_ro);
        solve(&f, &g_ro, &ep);
        if (k - 61 > 6) {
            assert_int_equal(ep.sol->fix, BX_FIX_SPP);
            assert_non_null(strstr(ep.rtk->msg, "too old"));
            spp_old++;
        }
    }
    assert_int_equal(spp_old, 3);
    fx_teardown(&f);
}

/* ---- the live base input: reader thread, tcp://, reconnection ---- */

typedef struct {
    int lfd;
    const uint8_t *data;
    size_t n;
    pthread_mutex_t mu;
    int accepts;
} server_t;

static void *serve(void *arg)
{
    server_t *sv = arg;
    for (int k = 0; k < 2; k++) {
        const int fd = accept(sv->lfd, NULL, NULL);
        if (fd < 0)
            break;
        pthread_mutex_lock(&sv->mu);
        sv->accepts++;
        pthread_mutex_unlock(&sv->mu);
        if (k == 0 && write(fd, sv->data, sv->n) != (ssize_t)sv->n)
            fprintf(stderr, "serve: short write\n");
        close(fd); /* the stream ends: the reader must come back */
    }
    return NULL;
}

static int accepts(server_t *sv)
{
    pthread_mutex_lock(&sv->mu);
    const int n = sv->accepts;
    pthread_mutex_unlock(&sv->mu);
    return n;
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_live_base_tcp(void **state)
{
    (void)state;
    fx_t f;
    if (fx_setup(&f, 30.0)) {
        printf("SKIP: ../shared/testdata real/rtk_nagoya_static/base.nav missing\n");
        skip();
    }
    /* 5 base epochs as BDS MSM7 */
    static uint8_t rtcm[5 * 8192];
    size_t n = 0;
    bx_time_t last = {0, 0};
    for (int k = 0; k < 5; k++) {
        sim_epoch(&f.s, f.t0, (double)k, &g_bo, &g_ro);
        const int m = bx_rtcm3_encode_epoch_bds(&g_bo, 7, rtcm + n, sizeof rtcm - n);
        assert_true(m > 0);
        n += (size_t)m;
        last = g_bo.time;
    }
    server_t sv;
    memset(&sv, 0, sizeof sv);
    pthread_mutex_init(&sv.mu, NULL);
    sv.data = rtcm, sv.n = n;
    sv.lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(sv.lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(sv.lfd, 4), 0);
    assert_int_equal(getsockname(sv.lfd, (struct sockaddr *)&a, &al), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, serve, &sv), 0);

    bx_rx_config_t c;
    bx_rx_config_default(&c);
    c.n_streams = 1;
    c.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, 4.092e6, 0.0};
    c.threads = 1;
    c.solver = BX_SOLVER_RTK;
    bx_rx_t *rx;
    char err[300];
    assert_int_equal(bx_rx_create(&c, &rx, err, sizeof err), BX_OK);
    char url[64];
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    cli_base_t *b;
    assert_int_equal(cli_base_open(url, "35.1347,136.9776,105", 1, &b, err, sizeof err), 0);
    /* the receiver's hook, called as epochs go by (a deadline, not a delay the result depends on) */
    char st[128] = "";
    for (int i = 0; i < 400 && !strstr(st, "age 0.0 s"); i++) {
        cli_base_pull(b, rx, last);
        cli_base_state(b, st, sizeof st);
        if (!strstr(st, "age 0.0 s"))
            nap_ms(50);
    }
    printf("live base over tcp://: %s\n", st);
    assert_non_null(strstr(st, "age 0.0 s")); /* the newest epoch arrived */
    /* the server closed the first connection: the reader connects again (back-off 1 s) */
    for (int i = 0; i < 400 && accepts(&sv) < 2; i++) {
        cli_base_pull(b, rx, last);
        nap_ms(50);
    }
    assert_int_equal(accepts(&sv), 2);
    pthread_join(th, NULL);
    close(sv.lfd);
    cli_base_close(b);
    bx_rx_destroy(rx);
    pthread_mutex_destroy(&sv.mu);
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fix_and_fallbacks),
        cmocka_unit_test(test_live_base_tcp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
