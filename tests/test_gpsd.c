/* gpsd reads bdsrx's NMEA: the library's NMEA TCP server (src/io/nmea_tcp.c) serves the
 * sentences nav/fmt/nmea.c makes of a BeiDou-only fix; Debian's gpsd, started by the test on
 * loopback, connects to it, and `gpspipe -w` must report every satellite as BeiDou (gnssid 3,
 * svid = our PRN, including PRNs above 32 that gpsd could take for SBAS), the used count of
 * GSA, a 3D fix at our position, and the height above MSL and geoid separation we sent.
 * gpsd is the independent reader here; skips with a message when gpsd/gpspipe are missing
 * (Debian packages gpsd, gpsd-clients).  Event driven: waits for gpsd's connection and for the
 * reports, pumping one epoch per 0.2 s, with a generous deadline only as a failure guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/nmea_tcp.h"
#include "bdsrx/output.h"
#include "bdsrx/time.h"
#include "testutil.h"

#define D2R (M_PI / 180.0)
#define NSAT 6
static const int prn[NSAT] = {19, 34, 46, 59, 62, 23};
static const int used[NSAT] = {1, 1, 1, 1, 1, 0};

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &l)) {
        if (s >= 0)
            close(s);
        return -1;
    }
    close(s);
    return ntohs(a.sin_port);
}

/* argv[0] from PATH; stdout into *out_fd (non-blocking) when out_fd, else /dev/null; stderr
 * to /dev/null.  Returns the pid or -1. */
static pid_t spawn(char *const argv[], int *out_fd)
{
    tu_proc_t p;
    if (tu_spawn(&p, (const char *const *)argv, out_fd ? TU_OUT_PIPE | TU_ERR_NULL : TU_OUT_NULL) != 0)
        return -1;
    if (out_fd) {
        fcntl(p.out_fd, F_SETFL, O_NONBLOCK);
        *out_fd = p.out_fd;
    }
    return p.pid;
}

static void make_sol(bx_sol_t *s, int k)
{
    memset(s, 0, sizeof *s);
    s->time = s->rx_time = bx_time_from_civil(2026, 3, 1, 12, 0, 4.0 + k);
    s->leap_s = 4;
    s->fix = BX_FIX_SPP;
    s->mode = BX_PVT_B1C;
    s->llh[0] = 30.5 * D2R;
    s->llh[1] = 114.3 * D2R;
    s->llh[2] = 50.0;
    s->geoid_sep_m = -14.608;
    s->flags = BX_SOLF_RAIM_OK | BX_SOLF_GEOID;
    s->n_used = 5;
    s->hdop = 0.9;
    s->pdop = 1.6;
    s->vdop = 1.3;
    s->n_sat = NSAT;
    for (int i = 0; i < NSAT; i++) {
        s->sat[i].prn = (uint8_t)prn[i];
        s->sat[i].status = used[i] ? BX_SAT_USED : BX_SAT_ELMASK;
        s->sat[i].el_deg = 15.0f + 10.0f * i;
        s->sat[i].az_deg = 30.0f + 50.0f * i;
        s->sat[i].cn0_dbhz = 35.0f + i;
    }
}

static int sentences(const bx_sol_t *s, char *b, size_t n)
{
    int len = 0, l;
    if ((l = bx_nmea_gga(s, "GB", b + len, n - len)) < 0)
        return -1;
    len += l;
    if ((l = bx_nmea_rmc(s, "GB", b + len, n - len)) < 0)
        return -1;
    len += l;
    if ((l = bx_nmea_gsa(s, "GB", b + len, n - len)) < 0)
        return -1;
    len += l;
    if ((l = bx_nmea_gsv(s, b + len, n - len)) < 0)
        return -1;
    return len + l;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void test_gpsd_reads_beidou(void **state)
{
    (void)state;
    if (!tu_have("gpsd") || !tu_have("gpspipe")) {
        printf("SKIP: gpsd/gpspipe not installed (Debian gpsd, gpsd-clients); gpsd test not run\n");
        skip();
    }
    char err[256];
    bx_nmea_tcp_t *srv = NULL;
    assert_int_equal(bx_nmea_tcp_create("127.0.0.1", 0, &srv, err, sizeof err), 0);
    char src[64], gport[16];
    snprintf(src, sizeof src, "tcp://127.0.0.1:%d", bx_nmea_tcp_port(srv));
    const int gp = free_port();
    assert_true(gp > 0);
    snprintf(gport, sizeof gport, "%d", gp);
    char *gargv[] = {"gpsd", "-N", "-n", "-G", "-S", gport, src, NULL};
    pid_t gpsd = spawn(gargv, NULL);
    assert_true(gpsd > 0);
    /* gpsd connects to our server on its own (-n); pump epochs until gpspipe reports */
    char host[32];
    snprintf(host, sizeof host, "127.0.0.1:%s", gport);
    char *pargv[] = {"gpspipe", "-w", "-n", "60", host, NULL};
    pid_t pipe_pid = -1;
    int fd = -1;
    char acc[1 << 16];
    size_t acc_n = 0;
    json_t *sky = NULL, *tpv = NULL;
    const double t0 = now_s();
    for (int k = 0; now_s() - t0 < 120.0 && !(sky && tpv); k++) {
        bx_sol_t s;
        make_sol(&s, k);
        char b[2048];
        const int n = sentences(&s, b, sizeof b);
        assert_true(n > 0);
        bx_nmea_tcp_send(srv, b, (size_t)n);
        bx_nmea_tcp_stats_t st;
        bx_nmea_tcp_stats(srv, &st);
        if (pipe_pid < 0 && st.clients > 0)
            pipe_pid = spawn(pargv, &fd);
        if (fd >= 0) {
            ssize_t r;
            while ((r = read(fd, acc + acc_n, sizeof acc - 1 - acc_n)) > 0)
                acc_n += (size_t)r;
            acc[acc_n] = 0;
            char *line = acc, *nl;
            while ((nl = strchr(line, '\n'))) {
                *nl = 0;
                json_t *j = json_loads(line, 0, NULL);
                const char *cls = j ? json_string_value(json_object_get(j, "class")) : NULL;
                json_t *sats = j ? json_object_get(j, "satellites") : NULL;
                if (cls && !strcmp(cls, "SKY") && json_array_size(sats) == NSAT && !sky)
                    sky = json_incref(j);
                if (cls && !strcmp(cls, "TPV") && json_integer_value(json_object_get(j, "mode")) == 3 && !tpv)
                    tpv = json_incref(j);
                json_decref(j);
                line = nl + 1;
            }
            memmove(acc, line, acc_n - (size_t)(line - acc) + 1);
            acc_n -= (size_t)(line - acc);
        }
        /* one epoch per 0.2 s at most (gpsd groups sentences into cycles by their time tags),
         * woken at once by gpspipe's output */
        if (fd >= 0) {
            struct pollfd pf = {fd, POLLIN, 0};
            poll(&pf, 1, 200);
        } else {
            poll(NULL, 0, 200);
        }
    }
    if (pipe_pid > 0)
        kill(pipe_pid, SIGTERM), waitpid(pipe_pid, NULL, 0);
    kill(gpsd, SIGTERM);
    waitpid(gpsd, NULL, 0);
    if (fd >= 0)
        close(fd);
    bx_nmea_tcp_destroy(srv);
    assert_non_null(sky);
    assert_non_null(tpv);
    /* every satellite BeiDou, with our PRN as svid; used flags as in GSA */
    json_t *sats = json_object_get(sky, "satellites");
    int n_used = 0;
    for (size_t i = 0; i < json_array_size(sats); i++) {
        json_t *o = json_array_get(sats, i);
        const int gnss = (int)json_integer_value(json_object_get(o, "gnssid"));
        const int svid = (int)json_integer_value(json_object_get(o, "svid"));
        const int u = json_is_true(json_object_get(o, "used"));
        int k = -1;
        for (int m = 0; m < NSAT; m++)
            if (prn[m] == svid)
                k = m;
        printf("NOTE: gpsd satellite PRN %lld gnssid %d svid %d used %d\n",
               (long long)json_integer_value(json_object_get(o, "PRN")), gnss, svid, u);
        assert_int_equal(gnss, 3);
        assert_true(k >= 0);
        assert_int_equal(u, used[k]);
        n_used += u;
    }
    assert_int_equal(n_used, 5);
    assert_float_equal(json_real_value(json_object_get(tpv, "lat")), 30.5, 1e-6);
    assert_float_equal(json_real_value(json_object_get(tpv, "lon")), 114.3, 1e-6);
    assert_float_equal(json_number_value(json_object_get(tpv, "altMSL")), 50.0 + 14.608, 0.002);
    assert_float_equal(json_number_value(json_object_get(tpv, "altHAE")), 50.0, 0.002);
    assert_float_equal(json_number_value(json_object_get(tpv, "geoidSep")), -14.608, 0.002);
    json_decref(sky);
    json_decref(tpv);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_gpsd_reads_beidou)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
