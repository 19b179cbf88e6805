/* Helpers shared by the detection-probability benchmarks (bench_acq_pd.c, bench_acq_pd_ss.c):
 * their xorshift64 generator (13/7/17, Marsaglia 2003), uniform deviates in (0, 1), the
 * process CPU clock, and the difference of two B1C/B2a code phases on the 10230-chip circle. */
#ifndef BDSRX_BENCH_PD_UTIL_H
#define BDSRX_BENCH_PD_UTIL_H

#include <math.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static inline double unif(uint64_t *s) { return ((rng(s) >> 11) + 0.5) / 9007199254740992.0; }

static inline double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* a - b in chips, wrapped to [-5115, 5115] */
static inline double chip_diff(double a, double b)
{
    double d = fmod(a - b, 10230.0);
    if (d > 5115.0)
        d -= 10230.0;
    if (d < -5115.0)
        d += 10230.0;
    return d;
}

#endif
