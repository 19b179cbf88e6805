/*
 * RTK in the receiver, end to end from IQ (SLOW_TESTS: two 30 s captures, four receiver runs):
 * bdsrx-sim makes a base and a rover capture of the same sky (same --start, B1C 4 MHz + B2a
 * 12 MHz, 2-bit, C/N0 35-48 dB-Hz by elevation, independent noise seeds, --tau-phase: carrier
 * phases that make whole-cycle single differences) at two places 1 km
 * apart; `bdsrx run BASE --rtcm-out` gives the base's RTCM3 stream; then
 *  - `bdsrx run ROVER --base that.rtcm --base-pos (the simulated base)`: RTK epochs (float or
 *    fixed) from the first epochs with ephemerides on, at least one fixed, the error against the
 *    simulated rover position (fixed epochs within 3 cm horizontally; the last float within 30 cm), baseline
 *    within the same of the simulated one, GGA quality 4/5 in the NMEA;
 *  - the same with the RTCM3 served by RTKLIB's str2str as NTRIP caster on loopback
 *    (`--base ntrip://user:pw@127.0.0.1:PORT/BDSRX`): the same solutions as from the file
 *    (skipped with a message when str2str is missing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/ntrip.h"
#include "testutil.h"

#define BASE_LLH "30.5,114.3,50"
#define ROVER_LLH "30.509,114.3,52"
#define MAXE 64

typedef struct {
    int n, rtk, fixed, flt, sow_first_rtk;
    double sow[MAXE];
    int fix[MAXE]; /* 0 none, 1 spp, 2 float, 3 fixed */
    double pos[MAXE][3], bl[MAXE][3];
} runres_t;

static char g_bin[512], g_sim[512], g_rover[2][1100], g_rtcm[700], g_dir[600];
static int g_ready;
static runres_t g_file;

static void llh_deg_to_ecef(double lat, double lon, double h, double ecef[3])
{
    const double llh[3] = {lat * M_PI / 180.0, lon * M_PI / 180.0, h};
    bx_llh_to_ecef(llh, ecef);
}

static int parse_json(const char *path, runres_t *r)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[65536];
    while (r->n < MAXE && fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o)
            continue;
        const char *fx = json_string_value(json_object_get(o, "fix"));
        const int k = r->n++;
        r->sow[k] = json_real_value(json_object_get(o, "bdt_sow"));
        r->fix[k] = !fx ? 0 : !strcmp(fx, "fixed") ? 3 : !strcmp(fx, "float") ? 2 : !strcmp(fx, "spp") ? 1 : 0;
        json_t *p = json_object_get(o, "ecef_m"), *b = json_object_get(o, "baseline_enu_m");
        for (int i = 0; i < 3; i++) {
            r->pos[k][i] = json_is_array(p) ? json_number_value(json_array_get(p, i)) : NAN;
            r->bl[k][i] = json_is_array(b) ? json_number_value(json_array_get(b, i)) : NAN;
        }
        if (r->fix[k] >= 2 && r->rtk++ == 0)
            r->sow_first_rtk = (int)r->sow[k];
        r->fixed += r->fix[k] == 3;
        r->flt += r->fix[k] == 2;
        json_decref(o);
    }
    fclose(f);
    return 0;
}

/* captures (test cache) and the base's RTCM3 */
static int setup(void **state)
{
    (void)state;
    if (!tu_bin(g_bin, sizeof g_bin, "bdsrx") || !tu_bin(g_sim, sizeof g_sim, "bdsrx-sim"))
        return 0; /* the tests skip */
    const char *common[] = {"--signals", "B1C,B2a", "--fs-b1c", "4000000", "--fs-b2a", "12000000", "--format", "ci2",
                            "--duration", "30", "--cn0-el", "35,48", "--tau-phase"};
    const char *ab[32], *ar[32];
    int n = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++, n++)
        ab[n] = ar[n] = common[i];
    ab[n] = "--seed", ar[n++] = "--seed";
    ab[n] = "5", ar[n++] = "6";
    ab[n] = "--pos", ar[n++] = "--pos";
    ab[n] = BASE_LLH, ar[n++] = ROVER_LLH;
    ab[n] = ar[n] = NULL;
    char bdir[600], rdir[600];
    if (tu_sim_capture(g_sim, ab, bdir, sizeof bdir) || tu_sim_capture(g_sim, ar, rdir, sizeof rdir))
        return -1;
    snprintf(g_rover[0], sizeof g_rover[0], "%s/s_b1c.ci2", rdir);
    snprintf(g_rover[1], sizeof g_rover[1], "%s/s_b2a.ci2", rdir);
    char b1[700], b2[700];
    snprintf(b1, sizeof b1, "%s/s_b1c.ci2", bdir);
    snprintf(b2, sizeof b2, "%s/s_b2a.ci2", bdir);
    snprintf(g_dir, sizeof g_dir, "/tmp/bdsrx_test_rtklive_XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    snprintf(g_rtcm, sizeof g_rtcm, "%s/base.rtcm3", g_dir);
    tu_result_t r;
    const int st = tu_runl(&r, NULL, g_bin, "run", b1, b2, "--rtcm-out", g_rtcm, "--no-cache", "--quiet", "--threads",
                           "2", NULL);
    if (st != 0)
        printf("base run: %s\n", r.err);
    tu_result_free(&r);
    if (st != 0)
        return -1;
    g_ready = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_dir[0])
        tu_rmtree(g_dir);
    return 0;
}

static void check_against_truth(const runres_t *r, const char *what)
{
    double base[3], rover[3], bllh[3] = {30.5 * M_PI / 180.0, 114.3 * M_PI / 180.0, 50.0};
    llh_deg_to_ecef(30.5, 114.3, 50.0, base);
    llh_deg_to_ecef(30.509, 114.3, 52.0, rover);
    double d[3], bl_true[3];
    for (int i = 0; i < 3; i++)
        d[i] = rover[i] - base[i];
    bx_ecef_to_enu(bllh, d, bl_true);
    double max_fixed_h = 0, last_h = NAN, last_bl = NAN;
    int last_kind = 0;
    for (int k = 0; k < r->n; k++) {
        if (r->fix[k] < 2)
            continue;
        double e[3], enu[3];
        for (int i = 0; i < 3; i++)
            e[i] = r->pos[k][i] - rover[i];
        bx_ecef_to_enu(bllh, e, enu);
        const double eh = hypot(enu[0], enu[1]);
        if (r->fix[k] == 3 && eh > max_fixed_h)
            max_fixed_h = eh;
        last_h = eh;
        last_kind = r->fix[k];
        last_bl = hypot(r->bl[k][0] - bl_true[0], r->bl[k][1] - bl_true[1]);
    }
    printf("%s: %d epochs, %d RTK (%d fixed, %d float) from BDT sow %d; max fixed horizontal error %.4f m; "
           "last RTK epoch (%s) horizontal error %.4f m, baseline error %.4f m (true baseline E %.3f N %.3f U %.3f)\n",
           what, r->n, r->rtk, r->fixed, r->flt, r->sow_first_rtk, max_fixed_h, last_kind == 3 ? "fixed" : "float",
           last_h, last_bl, bl_true[0], bl_true[1], bl_true[2]);
    /* from the first epochs with ephemerides (~6 s after time) to the end of the capture */
    assert_true(r->rtk >= 15);
    assert_true(max_fixed_h < 0.03);
    assert_true(last_h < (last_kind == 3 ? 0.03 : 0.30));
    assert_true(last_bl < (last_kind == 3 ? 0.03 : 0.30));
}

static void test_rtk_from_iq_file(void **state)
{
    (void)state;
    if (!g_ready) {
        printf("SKIP: bin/bdsrx or bin/bdsrx-sim not built\n");
        skip();
    }
    char json[700], nmea[700];
    snprintf(json, sizeof json, "%s/rover.json", g_dir);
    snprintf(nmea, sizeof nmea, "%s/rover.nmea", g_dir);
    char jarg[720];
    snprintf(jarg, sizeof jarg, "--json=%s", json);
    tu_result_t r;
    const int st = tu_runl(&r, NULL, g_bin, "run", g_rover[0], g_rover[1], "--base", g_rtcm, "--base-pos", BASE_LLH,
                           "--rtk-mode", "static", jarg, "--nmea", nmea, "--no-cache", "--quiet", "--threads", "2",
                           NULL);
    printf("%s", r.out);
    tu_result_free(&r);
    assert_int_equal(st, 0);
    assert_int_equal(parse_json(json, &g_file), 0);
    check_against_truth(&g_file, "RTCM3 file");
    /* measured 2026-12-06: 19 RTK epochs, 15 fixed (first fixed 15 s into the capture, 4 s after
     * the first RTK epoch; 6 satellites on both bands) */
    assert_true(g_file.fixed >= 1);
    /* NMEA GGA quality 4 (fixed) or 5 (float) on the RTK epochs */
    FILE *f = fopen(nmea, "r");
    assert_non_null(f);
    char line[512];
    int q45 = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "$GBGGA", 6))
            continue;
        const char *p = line;
        for (int c = 0; c < 6 && p; c++)
            p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        q45 += p && (*p == '4' || *p == '5');
    }
    fclose(f);
    assert_int_equal(q45, g_file.rtk);
}

/* established server-side connections on 127.0.0.1:port (/proc/net/tcp, state 01) */
static int established(int port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned la, lp, ra, rp, st;
        if (sscanf(line, " %*d: %x:%x %x:%x %x", &la, &lp, &ra, &rp, &st) == 5 && (int)lp == port && st == 1)
            n++;
    }
    fclose(f);
    return n;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &l)) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static void nap(void)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static pid_t g_caster = -1;

static void test_rtk_through_str2str(void **state)
{
    (void)state;
    if (!g_ready || !g_file.n) {
        printf("SKIP: needs the file run (programs built)\n");
        skip();
    }
    if (!tu_have("str2str")) {
        printf("SKIP: str2str (Debian package rtklib) not installed; tools/install-deps.sh installs it\n");
        skip();
    }
    signal(SIGPIPE, SIG_IGN);
    const int port = free_port();
    assert_true(port > 0);
    char out[64];
    snprintf(out, sizeof out, "ntripc://user:pw@:%d/BDSRX", port);
    const char *cargv[] = {"str2str", "-out", out, NULL};
    tu_proc_t caster;
    assert_int_equal(tu_spawn(&caster, cargv, TU_STDIN_PIPE | TU_OUT_NULL), 0);
    g_caster = caster.pid;

    /* the caster answers (a deadline, not a delay the result depends on) */
    bx_ntrip_config_t c;
    bx_ntrip_config_default(&c);
    c.host = "127.0.0.1", c.port = port, c.mount = "BDSRX", c.user = "user", c.password = "pw", c.version = 1;
    char err[300];
    bx_ntrip_t *probe = NULL;
    for (int i = 0; i < 400 && bx_ntrip_create(&c, &probe, err, sizeof err) != BX_OK; i++)
        nap();
    assert_non_null(probe);
    bx_ntrip_destroy(probe);

    char json[700], jarg[720], url[128];
    snprintf(json, sizeof json, "%s/rover_ntrip.json", g_dir);
    snprintf(jarg, sizeof jarg, "--json=%s", json);
    snprintf(url, sizeof url, "ntrip://user:pw@127.0.0.1:%d/BDSRX", port);
    const char *rargv[] = {g_bin, "run", g_rover[0], g_rover[1], "--base", url, "--base-pos", BASE_LLH, "--rtk-mode",
                           "static", jarg, "--no-cache", "--quiet", "--threads", "2", NULL};
    tu_proc_t rover;
    assert_int_equal(tu_spawn(&rover, rargv, TU_OUT_NULL), 0);
    /* the rover is the caster's client (its request answered: a second probe after it is) */
    for (int i = 0; i < 1200 && established(port) < 1; i++)
        nap();
    assert_true(established(port) >= 1);
    assert_int_equal(bx_ntrip_create(&c, &probe, err, sizeof err), BX_OK);
    bx_ntrip_destroy(probe);
    /* the base's RTCM3, all of it (a few kB: within the socket buffers) */
    FILE *f = fopen(g_rtcm, "rb");
    assert_non_null(f);
    static unsigned char buf[1 << 20];
    const size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 0);
    assert_int_equal((size_t)write(caster.in_fd, buf, n), n);
    /* the rover ends at the end of its capture (the stream's end costs it the read timeouts) */
    const int st = tu_wait(&rover);
    kill(g_caster, SIGTERM);
    close(caster.in_fd);
    waitpid(g_caster, NULL, 0);
    g_caster = -1;
    assert_int_equal(st, 0);

    runres_t r;
    assert_int_equal(parse_json(json, &r), 0);
    check_against_truth(&r, "NTRIP (str2str)");
    /* the same solutions as from the file at every epoch both solved with RTK */
    int same = 0, both = 0;
    for (int k = 0; k < r.n; k++)
        for (int j = 0; j < g_file.n; j++) {
            if (fabs(r.sow[k] - g_file.sow[j]) > 1e-3 || r.fix[k] < 2 || g_file.fix[j] < 2)
                continue;
            both++;
            const double d = sqrt(pow(r.pos[k][0] - g_file.pos[j][0], 2) + pow(r.pos[k][1] - g_file.pos[j][1], 2) +
                                  pow(r.pos[k][2] - g_file.pos[j][2], 2));
            same += d < 1e-3 && r.fix[k] == g_file.fix[j];
        }
    printf("NTRIP vs file: %d RTK epochs vs %d; %d of %d common epochs identical\n", r.rtk, g_file.rtk, same, both);
    assert_true(r.rtk >= g_file.rtk - 2);
    assert_int_equal(same, both);
}

static int stop_caster(void **state)
{
    (void)state;
    if (g_caster > 0) {
        kill(g_caster, SIGTERM);
        waitpid(g_caster, NULL, 0);
        g_caster = -1;
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtk_from_iq_file),
        cmocka_unit_test_teardown(test_rtk_through_str2str, stop_caster),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
