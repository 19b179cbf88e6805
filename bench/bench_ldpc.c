/* LDPC frame-error-rate benchmark: random information -> systematic encoder -> BPSK ->
 * AWGN -> decoder, for each of the four BDS-3 64-ary LDPC codes, with the soft-decision
 * decoder and with the same decoder fed hard decisions only.  Prints FER vs Eb/N0 and the
 * mean decode time per frame, and a SUMMARY line per code (collected by bench/run.sh).
 * A point stops after `max_err` frame errors or `max_frames` frames, so the whole run
 * stays around half a minute on one core.
 *   usage: bench_ldpc [max_frames [max_err]]      defaults 400, 40 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bdsrx/fec.h"

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static double rng_unif(rng_t *r)
{
    return ((rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double rng_gauss(rng_t *r)
{
    return sqrt(-2.0 * log(rng_unif(r))) * cos(2.0 * M_PI * rng_unif(r));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct {
    double fer, t_ms, iters;
    int frames, errors;
} point_t;

/* Eb/N0 where the FER curve crosses `target` (log-linear interpolation; a point without
 * errors counts as FER 0.5/frames, so the result is then an upper bound). NAN if never. */
static double crossing_db(const double *eb, const point_t *p, int n, double target)
{
    for (int i = 0; i + 1 < n; i++) {
        double f0 = p[i].fer, f1 = p[i + 1].errors ? p[i + 1].fer : 0.5 / p[i + 1].frames;
        if (f0 >= target && f1 < target)
            return eb[i] + (eb[i + 1] - eb[i]) * (log(f0) - log(target)) / (log(f0) - log(f1));
    }
    return NAN;
}

static point_t run_point(bx_ldpc_t *dec, bx_ldpc_code_t code, double ebn0_db, int max_frames,
                         int max_err, rng_t *rng)
{
    const int kb = bx_ldpc_info_bits(code), nb = bx_ldpc_code_bits(code);
    uint8_t info[600], cw[1200], out[1200];
    float soft[1200];
    const double rate = (double)kb / nb;
    const double sigma = sqrt(1.0 / (2.0 * rate * pow(10.0, ebn0_db / 10.0)));
    point_t p = {0};
    double t = 0.0, it_sum = 0.0;
    while (p.frames < max_frames && p.errors < max_err) {
        for (int i = 0; i < kb; i++)
            info[i] = (uint8_t)(rng_next(rng) & 1);
        bx_ldpc_encode(code, info, cw);
        for (int i = 0; i < nb; i++)
            soft[i] = (float)((cw[i] ? -1.0 : 1.0) + sigma * rng_gauss(rng));
        int it = 0;
        double t0 = now_s();
        bx_ldpc_decode(dec, soft, out, &it);
        t += now_s() - t0;
        it_sum += it;
        p.frames++;
        if (memcmp(out, cw, (size_t)kb) != 0)
            p.errors++;
    }
    p.fer = (double)p.errors / p.frames;
    p.t_ms = 1e3 * t / p.frames;
    p.iters = it_sum / p.frames;
    return p;
}

int main(int argc, char **argv)
{
    int max_frames = argc > 1 ? atoi(argv[1]) : 400;
    int max_err = argc > 2 ? atoi(argv[2]) : 40;
    static const char *names[4] = {"LDPC(200,100) B-CNAV1 SF2", "LDPC(88,44) B-CNAV1 SF3",
                                   "LDPC(96,48) B-CNAV2", "LDPC(162,81) B-CNAV3/PPP-B2b"};
    rng_t rng = {0x9E3779B97F4A7C15ull};
    double t_start = now_s();
    printf("FER vs Eb/N0 (BPSK, AWGN), soft = min-sum over GF(64) from soft bits, hard = same decoder\n"
           "fed hard decisions; <= %d frames or %d frame errors per point; t = mean decode time/frame\n",
           max_frames, max_err);
    for (int code = 0; code < 4; code++) {
        bx_ldpc_config_t cs, ch;
        bx_ldpc_config_default(&cs);
        bx_ldpc_config_default(&ch);
        ch.hard = 1;
        bx_ldpc_t *ds = NULL;
        bx_ldpc_create((bx_ldpc_code_t)code, &cs, &ds, NULL, 0);
        bx_ldpc_t *dh = NULL;
        bx_ldpc_create((bx_ldpc_code_t)code, &ch, &dh, NULL, 0);
        if (!ds || !dh) {
            fprintf(stderr, "bench_ldpc: decoder creation failed (out of memory?)\n");
            return 1;
        }
        printf("\n%s\n Eb/N0   soft FER  (frames)  t_ms  iter |  hard FER  (frames)  t_ms  iter\n",
               names[code]);
        int soft_done = 0, hard_done = 0, ns = 0, nh = 0;
        double ebs[16], ebh[16];
        point_t pts[16], pth[16];
        for (double eb = 0.5; eb <= 7.01 && !(soft_done && hard_done); eb += 0.5) {
            point_t ps = {0}, ph = {0};
            if (!soft_done) {
                ps = run_point(ds, (bx_ldpc_code_t)code, eb, max_frames, max_err, &rng);
                ebs[ns] = eb;
                pts[ns++] = ps;
            }
            if (!hard_done) {
                ph = run_point(dh, (bx_ldpc_code_t)code, eb, max_frames, max_err, &rng);
                ebh[nh] = eb;
                pth[nh++] = ph;
            }
            printf(" %4.1f ", eb);
            if (!soft_done)
                printf("  %8.2e  (%5d)  %5.2f %5.1f |", ps.fer, ps.frames, ps.t_ms, ps.iters);
            else
                printf("  %8s  %7s  %5s %5s |", "-", "", "", "");
            if (!hard_done)
                printf("  %8.2e  (%5d)  %5.2f %5.1f\n", ph.fer, ph.frames, ph.t_ms, ph.iters);
            else
                printf("  %8s\n", "-");
            /* stop a decoder's curve once it has no error in a full point */
            if (!soft_done && ps.errors == 0)
                soft_done = 1;
            if (!hard_done && ph.errors == 0)
                hard_done = 1;
        }
        double xs = crossing_db(ebs, pts, ns, 1e-2), xh = crossing_db(ebh, pth, nh, 1e-2);
        printf(" Eb/N0 at FER 1e-2: soft %.2f dB, hard %.2f dB -> soft-decision gain %.2f dB\n", xs, xh, xh - xs);
        printf("SUMMARY ldpc %s: Eb/N0 at FER 1e-2 soft %.2f dB, hard %.2f dB (soft-decision gain %.2f dB); "
               "soft decode %.2f ms per frame at the lowest Eb/N0 without errors\n",
               names[code], xs, xh, xh - xs, pts[ns - 1].t_ms);
        bx_ldpc_destroy(ds);
        bx_ldpc_destroy(dh);
    }
    printf("\ntotal %.1f s\n", now_s() - t_start);
    return 0;
}
