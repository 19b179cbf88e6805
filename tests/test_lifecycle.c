/*
 * The lifecycle convention (include/README.md) and the receiver's positioning
 * settings (receiver.h), checked against what the headers promise:
 *   - every bx_<obj>_destroy accepts NULL;
 *   - a failing create returns a negative status, leaves *out NULL, explains
 *     itself in err and tolerates err = NULL;
 *   - the positioning mode follows the streams (one band: that band, B1C + B2a:
 *     ionosphere-free) unless overridden; bad solver settings are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "bdsrx/bdsrx.h"

static void test_destroy_null(void **state)
{
    (void)state;
    bx_acq_destroy(NULL);
    bx_corr_destroy(NULL);
    bx_trk_destroy(NULL);
    bx_ldpc_destroy(NULL);
    bx_cnav1_dec_destroy(NULL);
    bx_cnav1_collect_destroy(NULL);
    bx_cnav2_sync_destroy(NULL);
    bx_ephasm_destroy(NULL);
    bx_pvt_destroy(NULL);
    bx_rx_destroy(NULL);
    bx_live_destroy(NULL);
    bx_ringbuf_destroy(NULL);
    bx_simsig_destroy(NULL);
    bx_simnav_destroy(NULL);
    bx_source_destroy(NULL);
    bx_iq_destroy(NULL);
    bx_sink_destroy(NULL);
    bx_rinex_obs_destroy(NULL);
    bx_serial_destroy(NULL);
    bx_sp3_destroy(NULL);
    bx_nmea_tcp_destroy(NULL);
    bx_rtltcp_server_destroy(NULL);
    bx_nav_destroy(NULL);
}

/* A failing create: negative status, *out NULL, a message (and none needed). */
static void test_create_errors(void **state)
{
    (void)state;
    char err[256];
    bx_acq_config_t ac;
    bx_acq_config_default(&ac, BX_SIG_B1C, 4.092e6, 0.0);
    ac.fs_hz = 10.0; /* outside 1..200 MHz */
    bx_acq_t *a = (bx_acq_t *)&ac; /* not NULL: create must clear it */
    err[0] = 0;
    assert_int_equal(bx_acq_create(&ac, &a, err, sizeof err), BX_ERR_ARG);
    assert_null(a);
    assert_non_null(strstr(err, "sample rate"));
    assert_int_equal(bx_acq_create(&ac, &a, NULL, 0), BX_ERR_ARG);
    assert_int_equal(bx_acq_create(&ac, NULL, err, sizeof err), BX_ERR_ARG);

    bx_ringbuf_t *rb = (bx_ringbuf_t *)err;
    assert_int_equal(bx_ringbuf_create(0, &rb, err, sizeof err), BX_ERR_ARG);
    assert_null(rb);
    bx_ldpc_t *l = (bx_ldpc_t *)err;
    assert_int_equal(bx_ldpc_create((bx_ldpc_code_t)99, NULL, &l, err, sizeof err), BX_ERR_ARG);
    assert_null(l);
    bx_simnav_t *sn = (bx_simnav_t *)err;
    bx_nav_t nav;
    bx_nav_init(&nav);
    assert_int_equal(bx_simnav_create(&nav, 64, BX_SIG_B1C, &sn, err, sizeof err), BX_ERR_ARG);
    assert_null(sn);
    bx_source_t *src = (bx_source_t *)err;
    assert_true(bx_source_open("/nonexistent/capture.ci8", NULL, &src, err, sizeof err) < 0);
    assert_null(src);
    assert_true(strlen(err) > 0);

    /* sink: finish reports, destroy frees (and finishes a sink never finished) */
    bx_sink_meta_t m;
    bx_sink_meta_init(&m);
    m.format = BX_IQ_CI8;
    m.fs_hz = 4e6;
    bx_sink_t *k = NULL;
    assert_int_equal(bx_sink_create("/dev/null", &m, 0, &k, err, sizeof err), BX_OK);
    const int8_t raw[4] = {1, -1, 2, -2};
    assert_int_equal(bx_sink_write_raw(k, raw, 2), BX_OK);
    assert_int_equal(bx_sink_finish(k, err, sizeof err), BX_OK);
    assert_true(bx_sink_write_raw(k, raw, 2) < 0); /* finished: no more writes */
    bx_sink_destroy(k);
    assert_int_equal(bx_sink_create("/dev/null", &m, 0, &k, err, sizeof err), BX_OK);
    bx_sink_destroy(k);
}

typedef struct {
    int n_streams, sig[3], pvt_mode, solver;
    int want_status, want_mode;
} mode_case_t;

static void test_rx_mode_from_streams(void **state)
{
    (void)state;
    const mode_case_t cases[] = {
        {1, {BX_SIG_B1C, 0}, BX_RX_PVT_AUTO, BX_SOLVER_SPP, BX_OK, BX_PVT_B1C},
        {1, {BX_SIG_B2A, 0}, BX_RX_PVT_AUTO, BX_SOLVER_SPP, BX_OK, BX_PVT_B2A},
        {2, {BX_SIG_B1C, BX_SIG_B2A}, BX_RX_PVT_AUTO, BX_SOLVER_SPP, BX_OK, BX_PVT_IF},
        {2, {BX_SIG_B2A, BX_SIG_B1C}, BX_RX_PVT_AUTO, BX_SOLVER_SPP, BX_OK, BX_PVT_IF},
        {2, {BX_SIG_B1C, BX_SIG_B2A}, BX_PVT_B2A, BX_SOLVER_SPP, BX_OK, BX_PVT_B2A}, /* override */
        {1, {BX_SIG_B1C, 0}, BX_RX_PVT_AUTO, BX_SOLVER_NONE, BX_OK, -1},
        {1, {BX_SIG_B1C, 0}, BX_RX_PVT_AUTO, 77, BX_ERR_ARG, -1},
        {1, {BX_SIG_B1C, 0}, 9, BX_SOLVER_SPP, BX_ERR_ARG, -1},
        /* three streams (BX_RX_MAX_STREAMS 3); PPP needs B1C + B2a (iono-free) and a B2b stream */
        {3, {BX_SIG_B1C, BX_SIG_B2A, BX_SIG_B2B}, BX_RX_PVT_AUTO, BX_SOLVER_SPP, BX_OK, BX_PVT_IF},
        {3, {BX_SIG_B2B, BX_SIG_B1C, BX_SIG_B2A}, BX_RX_PVT_AUTO, BX_SOLVER_PPP, BX_OK, BX_PVT_IF},
        {2, {BX_SIG_B1C, BX_SIG_B2A}, BX_RX_PVT_AUTO, BX_SOLVER_PPP, BX_ERR_ARG, -1},
        {2, {BX_SIG_B1C, BX_SIG_B2B}, BX_RX_PVT_AUTO, BX_SOLVER_PPP, BX_ERR_ARG, -1},
        {3, {BX_SIG_B1C, BX_SIG_B2A, BX_SIG_B2B}, BX_PVT_B1C, BX_SOLVER_PPP, BX_ERR_ARG, -1},
        {4, {BX_SIG_B1C, BX_SIG_B2A, BX_SIG_B2B}, BX_RX_PVT_AUTO, BX_SOLVER_SPP, BX_ERR_ARG, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const mode_case_t *t = &cases[i];
        bx_rx_config_t c;
        bx_rx_config_default(&c);
        assert_int_equal(c.solver, BX_SOLVER_SPP);
        assert_int_equal(c.pvt_mode, BX_RX_PVT_AUTO);
        assert_int_equal(c.feedback, 1);
        assert_true(c.steer_threshold_m == 300.0);
        c.n_streams = t->n_streams;
        for (int s = 0; s < t->n_streams && s < 3; s++)
            c.stream[s] = (bx_rx_stream_t){t->sig[s], t->sig[s] == BX_SIG_B1C ? 2.046e6 : 12e6, 0.0};
        c.pvt_mode = t->pvt_mode;
        c.solver = t->solver;
        c.threads = 1;
        char err[256] = "";
        bx_rx_t *rx = NULL;
        assert_int_equal(bx_rx_create(&c, &rx, err, sizeof err), t->want_status);
        if (t->want_status != BX_OK) {
            assert_null(rx);
            assert_true(strlen(err) > 0);
            continue;
        }
        assert_int_equal(bx_rx_pvt_mode(rx), t->want_mode);
        assert_null(bx_rx_solution(rx)); /* no epoch yet */
        bx_rx_destroy(rx);
    }
    bx_rx_config_t c;
    bx_rx_config_default(&c);
    c.n_streams = 3; /* a PPP-B2b GEO PRN outside 59..63 */
    c.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, 2.046e6, 0.0};
    c.stream[1] = (bx_rx_stream_t){BX_SIG_B2A, 12e6, 0.0};
    c.stream[2] = (bx_rx_stream_t){BX_SIG_B2B, 12e6, 0.0};
    c.solver = BX_SOLVER_PPP;
    c.ppp_geo = 58;
    c.threads = 1;
    bx_rx_t *rp = NULL;
    assert_int_equal(bx_rx_create(&c, &rp, NULL, 0), BX_ERR_ARG);
    assert_null(rp);
    bx_rx_config_default(&c);
    c.n_streams = 1;
    c.stream[0] = (bx_rx_stream_t){BX_SIG_B1C, 2.046e6, 0.0};
    c.steer_threshold_m = 0.0;
    bx_rx_t *rx = NULL;
    assert_int_equal(bx_rx_create(&c, &rx, NULL, 0), BX_ERR_ARG);
    assert_null(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destroy_null),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_rx_mode_from_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
