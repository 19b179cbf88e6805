/* The web dashboard of `bdsrx live --http` (src/io/http_status.c, src/io/http_page.c,
 * src/cli/live_json.c) during a paced replay of a simulated capture:
 *  - the readiness line names the URL; it listens on 127.0.0.1 only;
 *  - /status.json fills with the simulated satellites (every channel a PRN of the scenario's
 *    truth file) as they lock; the page is served; /events streams the same snapshots;
 *  - read-only and robust: POST -> 405, unknown path -> 404, an oversized request is dropped;
 *  - a real browser: headless Chromium (Debian `chromium`, skipped with a message when absent)
 *    loads the page, runs its JavaScript and shows a satellite row and a skyplot marker.
 * Event driven: waits for the readiness line and for locked channels (generous deadline only as
 * a failure guard). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* One HTTP request on loopback; returns the whole response (malloc'd) or NULL. */
static char *http(int port, const char *req, size_t req_len)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        close(s);
        return NULL;
    }
    struct timeval tv = {20, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (send(s, req, req_len, MSG_NOSIGNAL) < 0) {
        close(s);
        return NULL;
    }
    size_t n = 0, cap = 1 << 16;
    char *b = malloc(cap);
    ssize_t r;
    while ((r = recv(s, b + n, cap - 1 - n, 0)) > 0) {
        n += (size_t)r;
        if (n + 1 >= cap)
            b = realloc(b, cap *= 2);
    }
    b[n] = 0;
    close(s);
    return b;
}

static char *get(int port, const char *path)
{
    char req[256];
    const int k = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    return http(port, req, (size_t)k);
}

static void test_dashboard(void **state)
{
    (void)state;
    char bdsrx[512], sim[512];
    if (!tu_bin(bdsrx, sizeof bdsrx, "bdsrx") || !tu_bin(sim, sizeof sim, "bdsrx-sim")) {
        printf("SKIP: programs not built\n");
        skip();
    }
    /* a 30 s B1C capture, 8 satellites at 45 dB-Hz (shared through the test cache) */
    char dir[512];
    const char *args[] = {"--signals", "B1C", "--format", "ci2", "--duration", "30", "--seed", "3", NULL};
    assert_int_equal(tu_sim_capture(sim, args, dir, sizeof dir), 0);
    char uri[700], truth[600];
    snprintf(uri, sizeof uri, "%s/s_b1c.ci2?live=1&pace=1", dir);
    snprintf(truth, sizeof truth, "%s/s.truth.json", dir);
    const char *argv[] = {bdsrx, "live", "--source", uri, "--http", "0", "--plain", "-q", "--seconds", "30", NULL};
    tu_proc_t p;
    assert_int_equal(tu_spawn(&p, argv, TU_OUT_PIPE), 0);
    char line[512];
    int port = -1;
    while (port < 0 && tu_readline(&p, line, sizeof line) >= 0) {
        const char *u = strstr(line, "dashboard at http://127.0.0.1:");
        if (u)
            port = atoi(u + strlen("dashboard at http://127.0.0.1:"));
    }
    assert_true(port > 0);
    /* locked channels appear */
    json_t *st = NULL;
    int n_locked = 0;
    for (const double t0 = now_s(); now_s() - t0 < 120.0 && n_locked < 4;) {
        char *resp = get(port, "/status.json");
        assert_non_null(resp);
        assert_non_null(strstr(resp, "200 OK"));
        char *body = strstr(resp, "\r\n\r\n");
        json_decref(st);
        st = body ? json_loads(body + 4, 0, NULL) : NULL;
        free(resp);
        assert_non_null(st);
        n_locked = 0;
        json_t *chs = json_object_get(st, "channels");
        for (size_t i = 0; i < json_array_size(chs); i++)
            n_locked += !strcmp(json_string_value(json_object_get(json_array_get(chs, i), "state")), "LOCKED");
        if (n_locked < 4) {
            struct timespec d = {0, 300000000};
            nanosleep(&d, NULL);
        }
    }
    printf("NOTE: %d locked channels on the dashboard\n", n_locked);
    assert_true(n_locked >= 4);
    /* every PRN shown is a simulated one */
    json_t *tr = json_load_file(truth, 0, NULL);
    assert_non_null(tr);
    char *trs = json_dumps(tr, JSON_COMPACT);
    json_t *chs = json_object_get(st, "channels");
    for (size_t i = 0; i < json_array_size(chs); i++) {
        char pat[32];
        snprintf(pat, sizeof pat, "\"prn\":%lld", (long long)json_integer_value(json_object_get(json_array_get(chs, i), "prn")));
        assert_non_null(strstr(trs, pat));
    }
    free(trs);
    json_decref(tr);
    json_decref(st);
    /* the page, the event stream, and what is refused */
    char *page = get(port, "/");
    assert_non_null(strstr(page, "200 OK"));
    assert_non_null(strstr(page, "EventSource"));
    free(page);
    char *r404 = get(port, "/etc/passwd");
    assert_non_null(strstr(r404, "404"));
    free(r404);
    const char post[] = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    char *r405 = http(port, post, sizeof post - 1);
    assert_non_null(strstr(r405, "405"));
    free(r405);
    char *big = malloc(10000);
    memset(big, 'A', 10000);
    memcpy(big, "GET /", 5);
    char *rbig = http(port, big, 10000); /* no end of head within 4 KiB: dropped, nothing answered */
    assert_true(rbig == NULL || strstr(rbig, "200 OK") == NULL);
    free(rbig);
    free(big);
    /* a real browser runs the page */
    const char *chromium = access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" : NULL;
    if (!chromium) {
        printf("SKIP: Debian chromium not installed; the page was not run in a browser\n");
    } else {
        char url[64], prof[] = "/tmp/bdsrx_chromium_XXXXXX";
        assert_non_null(mkdtemp(prof));
        char pdir[128];
        snprintf(pdir, sizeof pdir, "--user-data-dir=%s", prof);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
        const char *cargv[] = {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               pdir, "--virtual-time-budget=4000", "--dump-dom", url, NULL};
        tu_result_t r = {0};
        assert_int_equal(tu_run(&r, cargv, NULL), 0);
        const int rows = (int)(strstr(r.out, "<tr class=\"ch\">") != NULL);
        const int sats = (int)(strstr(r.out, "class=\"sat\"") != NULL);
        printf("NOTE: headless Chromium rendered the dashboard: channel rows %s, skyplot markers %s\n",
               rows ? "yes" : "no", sats ? "yes" : "no (no elevation before the first fix)");
        assert_true(rows);
        tu_result_free(&r);
        assert_int_equal(tu_rmtree(prof), 0);
    }
    kill(p.pid, SIGINT);
    const int status = tu_wait(&p);
    assert_int_equal(status, 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dashboard)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
