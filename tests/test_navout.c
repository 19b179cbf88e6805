/* --rinex-nav of `bdsrx live` (and `run`): the ephemerides decoded from the signal, written as
 * RINEX 4 when the receiver stops, equal to the simulator's own navigation file (bdsrx-sim
 * --nav-out, the truth the signal was made from) field by field within the B-CNAV2 scale
 * factors; a failed write (/dev/full) is reported with exit status 1 and leaves no torn file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/eph.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "testutil.h"

static void test_live_rinex_nav(void **state)
{
    (void)state;
    char bdsrx[512], sim[512];
    if (!tu_bin(bdsrx, sizeof bdsrx, "bdsrx") || !tu_bin(sim, sizeof sim, "bdsrx-sim")) {
        printf("SKIP: programs not built\n");
        skip();
    }
    char dir[512];
    const char *args[] = {"--signals", "B2a", "--fs-b2a", "12000000", "--format", "ci2", "--duration", "13",
                          "--seed", "5", "--nav-out", "@/truth.rnx", NULL};
    assert_int_equal(tu_sim_capture(sim, args, dir, sizeof dir), 0); /* made once, from the test cache after */
    char cap[700], truth[700], out[] = "/tmp/bdsrx_navout_XXXXXX";
    snprintf(cap, sizeof cap, "%s/s_b2a.ci2", dir);
    snprintf(truth, sizeof truth, "%s/truth.rnx", dir);
    close(mkstemp(out));
    tu_result_t r = {0};
    /* the simulated satellites and 4 absent PRNs (the RINEX output is the subject, not the cold search) */
    char truthj[700], prns[256];
    snprintf(truthj, sizeof truthj, "%s/s.truth.json", dir);
    assert_int_equal(tu_truth_prns(truthj, 4, prns, sizeof prns), 0);
    const int st = tu_runl(&r, NULL, bdsrx, "live", "--source", cap, "--signals", "B2a", "--rinex-nav", out, "--plain",
                           "-q", "--threads", "2", "--prn", prns, NULL);
    if (st != 0)
        print_error("%s\n%s\n", r.out, r.err);
    assert_int_equal(st, 0);
    tu_result_free(&r);
    bx_nav_t got, want;
    bx_nav_init(&got);
    bx_nav_init(&want);
    char err[256];
    assert_int_equal(bx_rinex_nav_read(out, &got, err, sizeof err), 0);
    assert_int_equal(bx_rinex_nav_read(truth, &want, err, sizeof err), 0);
    printf("NOTE: live wrote %d ephemerides; the simulator's file has %d\n", got.n_eph, want.n_eph);
    assert_true(got.n_eph >= 4);
    for (int i = 0; i < got.n_eph; i++) {
        const bx_eph_t *a = &got.eph[i];
        const bx_eph_t *b = NULL;
        for (int k = 0; k < want.n_eph; k++)
            if (want.eph[k].prn == a->prn && want.eph[k].toe.sec == a->toe.sec)
                b = &want.eph[k];
        assert_non_null(b);
        /* B-CNAV2 scale factors (ICD B2a §7.2.x, shared/icd/navmsg.md): dA 2^-9 m, e 2^-34,
         * angles 2^-32 semicircles, a0 2^-34 s; the truth file has the same quantised values
         * up to RINEX's printed digits */
        assert_float_equal(a->dA_m, b->dA_m, 1e-3);
        assert_float_equal(a->e, b->e, 1e-10);
        assert_float_equal(a->M0_rad, b->M0_rad, 1e-9);
        assert_float_equal(a->Omega0_rad, b->Omega0_rad, 1e-9);
        assert_float_equal(a->i0_rad, b->i0_rad, 1e-9);
        assert_float_equal(a->a0_s, b->a0_s, 1e-12);
    }
    bx_nav_destroy(&got);
    bx_nav_destroy(&want);
    remove(out);
    /* a write that fails: error and exit 1, no torn file left */
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(tu_runl(&r, NULL, bdsrx, "run", cap, "--signals", "B2a", "--seconds", "1", "--prn", "21",
                                 "--rinex-nav", "/dev/full", "-q", NULL),
                         1);
        printf("NOTE: %s", r.err);
        assert_non_null(strstr(r.err, "/dev/full"));
        tu_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_live_rinex_nav)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
