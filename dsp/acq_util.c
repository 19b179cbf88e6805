/* Acquisition helpers without state: fast FFT sizes and the CFAR detection threshold
 * (formula documented in include/bdsrx/acq.h). */
#include <math.h>

#include "bdsrx/acq.h"

size_t bx_acq_fast_size(size_t min_n)
{
    /* FFTW is fastest for sizes with small prime factors; 7 is still cheap (codelets up to 7),
     * 11 and 31 (20460 = 2^2 3 5 11 31) are not. */
    if (min_n < 2)
        return 2;
    for (size_t n = min_n;; n++) {
        size_t r = n;
        static const unsigned primes[] = {2, 3, 5, 7};
        for (unsigned i = 0; i < 4; i++)
            while (r % primes[i] == 0)
                r /= primes[i];
        if (r == 1)
            return n;
    }
}

/* log of the upper tail of the Gamma(K, 1) distribution at x:
 * Q_K(x) = exp(-x) sum_{i<K} x^i / i!  (sum evaluated in log space to stay finite). */
static double log_gamma_tail(int k, double x)
{
    double term = 0.0, acc = 0.0; /* log of x^i/i!, running log-sum */
    for (int i = 0; i < k; i++) {
        term = (i == 0) ? 0.0 : term + log(x) - log((double)i);
        acc = (i == 0) ? term : fmax(acc, term) + log1p(exp(-fabs(acc - term)));
    }
    return acc - x;
}

double bx_acq_threshold(int noncoh, double ncells, double pfa)
{
    if (noncoh < 1 || !(ncells >= 1.0) || !(pfa > 0.0 && pfa < 1.0))
        return NAN;
    /* per-cell probability q with 1 - (1 - q)^Nc = pfa, computed without cancellation */
    const double log_q = log(-expm1(log1p(-pfa) / ncells));
    double lo = 0.0, hi = 1.0;
    while (log_gamma_tail(noncoh, hi) > log_q)
        hi *= 2.0;
    for (int it = 0; it < 200 && hi - lo > 1e-9 * hi; it++) {
        const double mid = 0.5 * (lo + hi);
        if (log_gamma_tail(noncoh, mid) > log_q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi) / noncoh; /* threshold on S/mu, where S/mu ~ Gamma(K, 1/K) */
}

int bx_acq_default_prn(int sig, int prn)
{
    if (sig == BX_SIG_B2B) /* B-CNAV3 from MEO/IGSO, PPP-B2b from the GEOs 59-63 (pppb2b.md) */
        return prn >= 1 && prn <= 63;
    if (sig != BX_SIG_B1C && sig != BX_SIG_B2A)
        return 0;
    return prn >= 6 && prn <= 58; /* not the GEOs 1-5, 59-63 (acq.h) */
}
