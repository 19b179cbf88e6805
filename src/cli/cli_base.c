/* Base-station input of bdsrx run / live --base (cli_base.h). */
#include "cli_base.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/output.h"
#include "bdsrx/rtk_base.h"
#include "bdsrx/time.h"

#define QN 8                /* base epochs waiting for the receiver (async; older ones dropped) */
#define BACKOFF_MAX_S 30.0  /* longest wait between reconnection attempts */

struct cli_base {
    char spec[512];
    bx_rtk_base_t *src;
    int async;
    double pos[3];
    int have_pos;          /* --base-pos or the stream's station message */
    int user_pos;          /* from --base-pos: never replaced */
    /* synchronous reading */
    bx_obs_t pending;      /* read, later than the last rover epoch */
    int have_pending, eof;
    /* asynchronous reading */
    pthread_t th;
    int th_started;
    volatile int stop;     /* set by cli_base_close; read with atomic loads (other threads) */
    pthread_mutex_t mu;
    pthread_cond_t cv;     /* wakes the reader's back-off wait on close */
    bx_obs_t q[QN];
    int qn, qhead;         /* qhead: oldest */
    bx_time_t rover_t;     /* latest rover epoch (RTCM3 week) */
    int have_rover_t;
    char lost[320];        /* set by the reader while the stream is down, reported by pull */
    int lost_reported, reconnects, reconnect_reported;
    /* statistics and messages (receiver thread) */
    long pushed;
    bx_time_t last_push;
    double age_s;
    int old_reported;
    /* network RTK: the receiver's position to an NTRIP caster (cli_base_position) */
    int ntrip;
    double gga_interval_s;
    char gga[128];         /* latest sentence (async: guarded by mu) */
    int gga_unsent;        /* it came while no connection was up */
    bx_time_t gga_last;    /* receiver time of the last sentence */
    int have_gga_last;
    long gga_queued;
};

int cli_parse_pos(const char *s, double ecef[3])
{
    double v[3];
    char tail;
    if (!s || sscanf(s, "%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &tail) != 3)
        return -1;
    if (fabs(v[0]) > 1e5 || fabs(v[1]) > 1e5 || fabs(v[2]) > 1e5) {
        memcpy(ecef, v, sizeof v);
    } else {
        if (fabs(v[0]) > 90.0 || fabs(v[1]) > 360.0)
            return -1;
        const double llh[3] = {v[0] * M_PI / 180.0, v[1] * M_PI / 180.0, v[2]};
        bx_llh_to_ecef(llh, ecef);
    }
    const double r = sqrt(ecef[0] * ecef[0] + ecef[1] * ecef[1] + ecef[2] * ecef[2]);
    return (r > 6.2e6 && r < 6.5e6) ? 0 : -1;
}

static void take_station(cli_base_t *b)
{
    double p[3];
    if (!b->user_pos && b->src && bx_rtk_base_position(b->src, p) == 0) {
        memcpy(b->pos, p, sizeof p);
        b->have_pos = 1;
    }
}

/* ---- reader thread (async) ---- */

static void wait_s(cli_base_t *b, double s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)s;
    pthread_mutex_lock(&b->mu);
    while (!b->stop && pthread_cond_timedwait(&b->cv, &b->mu, &ts) == 0) {
    }
    pthread_mutex_unlock(&b->mu);
}

static void *reader(void *arg)
{
    cli_base_t *b = arg;
    bx_obs_t *obs = malloc(sizeof *obs);
    double backoff = 1.0;
    while (obs && !__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
        if (!b->src) { /* (re)open with bounded back-off */
            char e[320];
            bx_rtk_base_t *s = NULL;
            char gga[128];
            pthread_mutex_lock(&b->mu);
            snprintf(gga, sizeof gga, "%s", b->gga); /* the latest position goes with the request */
            pthread_mutex_unlock(&b->mu);
            if (bx_rtk_base_create_gga(b->spec, ~0u, gga[0] ? gga : NULL, &s, e, sizeof e) != BX_OK) {
                pthread_mutex_lock(&b->mu);
                snprintf(b->lost, sizeof b->lost, "%.250s; retrying in %.0f s", e, backoff);
                b->lost_reported = 0;
                pthread_mutex_unlock(&b->mu);
                wait_s(b, backoff);
                backoff = fmin(2 * backoff, BACKOFF_MAX_S);
                continue;
            }
            bx_rtk_base_set_stop(s, &b->stop);
            pthread_mutex_lock(&b->mu);
            b->src = s;
            if (b->gga_unsent && strcmp(gga, b->gga)) /* came after the request was made */
                bx_rtk_base_send_gga(s, b->gga);
            b->gga_unsent = 0;
            b->lost[0] = '\0';
            b->reconnects++;
            take_station(b);
            pthread_mutex_unlock(&b->mu);
        }
        /* the RTCM3 MSM epochs carry a time of week only: their week comes from the receiver's
         * time, so decoding waits for the first rover epoch (RTK needs one anyway) */
        pthread_mutex_lock(&b->mu);
        while (!b->stop && !b->have_rover_t)
            pthread_cond_wait(&b->cv, &b->mu);
        const bx_time_t approx = b->rover_t;
        pthread_mutex_unlock(&b->mu);
        if (__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE))
            break;
        const int st = bx_rtk_base_next(b->src, approx, obs, NULL);
        pthread_mutex_lock(&b->mu);
        if (st == BX_OK) {
            backoff = 1.0;
            const int tail = (b->qhead + b->qn) % QN;
            b->q[tail] = *obs;
            if (b->qn < QN)
                b->qn++;
            else
                b->qhead = (b->qhead + 1) % QN; /* the receiver is behind: drop the oldest */
        } else {
            const char *why = bx_rtk_base_error(b->src);
            snprintf(b->lost, sizeof b->lost, "%.250s; reconnecting",
                     why && why[0] ? why : "the stream ended");
            b->lost_reported = 0;
            bx_rtk_base_destroy(b->src);
            b->src = NULL;
        }
        pthread_mutex_unlock(&b->mu);
        if (st != BX_OK && !__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
            wait_s(b, backoff);
            backoff = fmin(2 * backoff, BACKOFF_MAX_S);
        }
    }
    free(obs);
    return NULL;
}

int cli_base_open(const char *spec, const char *base_pos, int async, cli_base_t **out, char *err, size_t errlen)
{
    *out = NULL;
    cli_base_t *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(b->spec, sizeof b->spec, "%s", spec);
    b->async = async;
    b->ntrip = !strncmp(spec, "ntrip", 5);
    b->gga_interval_s = 10.0;
    if (base_pos) {
        if (cli_parse_pos(base_pos, b->pos)) {
            snprintf(err, errlen, "--base-pos %s: X,Y,Z (m) or LAT,LON,H (deg, m) near the Earth's surface", base_pos);
            free(b);
            return -1;
        }
        b->have_pos = b->user_pos = 1;
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    const int net = !strncmp(spec, "ntrip", 5) || !strncmp(spec, "tcp://", 6);
    if (!async || !net) { /* files open now: a wrong path is an error at once */
        if (bx_rtk_base_create(spec, ~0u, &b->src, err, errlen) != BX_OK) {
            cli_base_close(b);
            return -1;
        }
        take_station(b);
    }
    if (async && net) {
        if (pthread_create(&b->th, NULL, reader, b)) {
            snprintf(err, errlen, "cannot start the base reader thread");
            cli_base_close(b);
            return -1;
        }
        b->th_started = 1;
    } else if (async) {
        b->async = 0; /* a file: read in step with the receiver */
    }
    *out = b;
    return 0;
}

void cli_base_close(cli_base_t *b)
{
    if (!b)
        return;
    if (b->th_started) {
        pthread_mutex_lock(&b->mu);
        __atomic_store_n(&b->stop, 1, __ATOMIC_RELEASE); /* also read without the lock (ntrip.c, rtk_base.c) */
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
        /* a tcp:// read ends within 0.25 s, an NTRIP read within its timeout (10 s) */
        pthread_join(b->th, NULL);
    }
    bx_rtk_base_destroy(b->src);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}

static void push(cli_base_t *b, bx_rx_t *rx, const bx_obs_t *o)
{
    if (bx_rx_push_base(rx, o, b->have_pos ? b->pos : NULL) == BX_OK) {
        b->pushed++;
        b->last_push = o->time;
    }
}

void cli_base_pull(cli_base_t *b, bx_rx_t *rx, bx_time_t t)
{
    if (!b)
        return;
    if (!b->async) {
        while (!b->eof) {
            if (!b->have_pending) {
                const int st = bx_rtk_base_next(b->src, t, &b->pending, NULL);
                if (st != BX_OK) {
                    const char *why = bx_rtk_base_error(b->src);
                    fprintf(stderr, "\nbase %s: %s; the receiver goes on with single-point fixes\n", b->spec,
                            st == BX_ERR_EOF && !(why && why[0]) ? "end of the base data" : why);
                    b->eof = 1;
                    break;
                }
                take_station(b);
                b->have_pending = 1;
            }
            if (bx_time_diff(b->pending.time, t) > 5e-4)
                break;
            push(b, rx, &b->pending);
            b->have_pending = 0;
        }
    } else {
        pthread_mutex_lock(&b->mu);
        b->rover_t = t;
        if (!b->have_rover_t)
            pthread_cond_broadcast(&b->cv);
        b->have_rover_t = 1;
        while (b->qn > 0) {
            push(b, rx, &b->q[b->qhead]);
            b->qhead = (b->qhead + 1) % QN;
            b->qn--;
        }
        if (b->lost[0] && !b->lost_reported) {
            fprintf(stderr, "\nbase lost: %s\n", b->lost);
            b->lost_reported = 1;
        }
        if (b->reconnects > 1 && b->reconnect_reported != b->reconnects) {
            fprintf(stderr, "\nbase %s: connected again\n", b->spec);
            b->reconnect_reported = b->reconnects;
        }
        pthread_mutex_unlock(&b->mu);
    }
    b->age_s = b->pushed ? bx_time_diff(t, b->last_push) : NAN;
    const int old = b->pushed && b->age_s > 30.0;
    if (old && !b->old_reported)
        fprintf(stderr, "\nbase too old: the last base epoch is %.0f s behind the receiver\n", b->age_s);
    b->old_reported = old;
}

void cli_base_set_gga_interval(cli_base_t *b, double interval_s)
{
    if (b)
        b->gga_interval_s = interval_s;
}

int cli_base_online(cli_base_t *b)
{
    if (!b)
        return 0;
    pthread_mutex_lock(&b->mu);
    const int on = b->src != NULL;
    pthread_mutex_unlock(&b->mu);
    return on;
}

long cli_base_gga_count(const cli_base_t *b) { return b ? b->gga_queued : 0; }

int cli_base_connections(cli_base_t *b)
{
    if (!b)
        return 0;
    pthread_mutex_lock(&b->mu);
    const int k = b->reconnects + (b->src ? bx_rtk_base_reconnects(b->src) : 0);
    pthread_mutex_unlock(&b->mu);
    return k;
}

void cli_base_position(cli_base_t *b, const bx_sol_t *sol)
{
    if (!b || !b->ntrip || !(b->gga_interval_s > 0.0) || !sol || !bx_sol_valid(sol))
        return;
    if (b->have_gga_last && bx_time_diff(sol->rx_time, b->gga_last) < b->gga_interval_s - 1e-3)
        return;
    char g[128];
    if (bx_nmea_gga(sol, "GP", g, sizeof g) <= 0)
        return;
    b->gga_last = sol->rx_time;
    b->have_gga_last = 1;
    b->gga_queued++;
    /* the reader thread replaces b->src under mu; the send itself may run beside its read */
    pthread_mutex_lock(&b->mu);
    snprintf(b->gga, sizeof b->gga, "%s", g);
    const int st = b->src ? bx_rtk_base_send_gga(b->src, g) : BX_OK;
    b->gga_unsent = !b->src;
    pthread_mutex_unlock(&b->mu);
    if (st != BX_OK && !b->async)
        fprintf(stderr, "\nbase %s: sending the position (GGA) failed\n", b->spec);
}

void cli_base_state(const cli_base_t *b, char *buf, size_t len)
{
    if (!b) {
        snprintf(buf, len, "no base");
        return;
    }
    if (b->pushed == 0)
        snprintf(buf, len, "base: no epoch yet");
    else
        snprintf(buf, len, "base: %ld epochs, age %.1f s", b->pushed, b->age_s);
}
