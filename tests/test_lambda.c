/* LAMBDA integer least squares (nav/pos/lambda.c) against independent truth:
 * brute-force enumeration of every integer vector in a box that provably holds
 * the two best (random well- and ill-conditioned covariances), the
 * decorrelation invariants (Z integer unimodular, Z'QZ = L'DL), and the
 * empirical success rate on simulated floats with known integers against the
 * bootstrapped lower bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/lambda.h"

/* xorshift64* + Box-Muller: deterministic, independent of libc rand() */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double urand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double nrand(void)
{
    double u = urand(), v = urand();
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Q = A A' scaled + eps I: A with `spread` between its singular values
 * (ill-conditioned when large: the GNSS case of ambiguities tied together by a
 * few position unknowns). */
static void make_q(int n, int ill, double *Q)
{
    double A[16 * 16];
    for (int i = 0; i < n * n; i++)
        A[i] = nrand();
    memset(Q, 0, sizeof(double) * n * n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double t = 0.0;
            for (int k = 0; k < n; k++) {
                /* ill: column weights 1 .. 1e-3, so that a few directions dominate */
                const double w = ill ? pow(10.0, -3.0 * k / (n - 1)) : 1.0;
                t += A[i * n + k] * A[j * n + k] * w * w;
            }
            Q[i * n + j] = (ill ? 4.0 : 0.3) * t + (i == j ? (ill ? 1e-4 : 0.05) : 0.0);
        }
}

static int inv_spd(int n, const double *Q, double *Qi)
{
    /* Gauss-Jordan on a copy (test-side, independent of the code under test) */
    double M[16 * 32];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            M[i * 2 * n + j] = j < n ? Q[i * n + j] : (j - n == i);
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(M[r * 2 * n + c]) > fabs(M[p * 2 * n + c]))
                p = r;
        if (fabs(M[p * 2 * n + c]) < 1e-300)
            return -1;
        for (int j = 0; j < 2 * n; j++) {
            double t = M[c * 2 * n + j];
            M[c * 2 * n + j] = M[p * 2 * n + j];
            M[p * 2 * n + j] = t;
        }
        const double d = M[c * 2 * n + c];
        for (int j = 0; j < 2 * n; j++)
            M[c * 2 * n + j] /= d;
        for (int r = 0; r < n; r++)
            if (r != c) {
                const double f = M[r * 2 * n + c];
                for (int j = 0; j < 2 * n; j++)
                    M[r * 2 * n + j] -= f * M[c * 2 * n + j];
            }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            Qi[i * n + j] = M[i * 2 * n + n + j];
    return 0;
}

static double qform(int n, const double *Qi, const double *a, const double *z)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            s += (z[i] - a[i]) * Qi[i * n + j] * (z[j] - a[j]);
    return s;
}

/* Brute force over the box |z_i - a_i| <= sqrt(chi2 Q_ii) (holds every z with
 * norm <= chi2).  Returns the two smallest norms. */
static long brute(int n, const double *a, const double *Q, const double *Qi, double chi2, double best[2],
                  double *zbest)
{
    int lo[16], hi[16], z[16];
    long count = 1;
    for (int i = 0; i < n; i++) {
        const double r = sqrt(chi2 * Q[i * n + i]);
        lo[i] = (int)ceil(a[i] - r);
        hi[i] = (int)floor(a[i] + r);
        if (hi[i] < lo[i])
            hi[i] = lo[i];
        count *= hi[i] - lo[i] + 1;
        z[i] = lo[i];
    }
    if (count > 3000000)
        return -count;
    best[0] = best[1] = INFINITY;
    double zd[16];
    for (long c = 0; c < count; c++) {
        for (int i = 0; i < n; i++)
            zd[i] = z[i];
        const double s = qform(n, Qi, a, zd);
        if (s < best[0]) {
            best[1] = best[0];
            best[0] = s;
            memcpy(zbest, zd, sizeof(double) * n);
        } else if (s < best[1]) {
            best[1] = s;
        }
        for (int i = 0; i < n; i++) { /* odometer */
            if (++z[i] <= hi[i])
                break;
            z[i] = lo[i];
        }
    }
    return count;
}

static void run_brute(int ill, int nmin, int nmax, int trials)
{
    int done = 0, skipped = 0;
    for (int t = 0; t < trials; t++) {
        const int n = nmin + t % (nmax - nmin + 1);
        double Q[256], Qi[256], a[16], fix[2 * 16];
        make_q(n, ill, Q);
        assert_int_equal(inv_spd(n, Q, Qi), 0);
        for (int i = 0; i < n; i++)
            a[i] = 20.0 * (urand() - 0.5);
        bx_lambda_info_t info;
        assert_int_equal(bx_lambda(n, 2, a, Q, fix, &info), 0);
        for (int i = 0; i < 2 * n; i++)
            assert_true(fix[i] == floor(fix[i]));
        const double s0 = qform(n, Qi, a, fix), s1 = qform(n, Qi, a, fix + n);
        assert_true(fabs(s0 - info.sqnorm[0]) < 1e-6 * (1.0 + s0));
        assert_true(fabs(s1 - info.sqnorm[1]) < 1e-6 * (1.0 + s1));
        double best[2], zb[16];
        const long cnt = brute(n, a, Q, Qi, s1 * (1.0 + 1e-9) + 1e-12, best, zb);
        if (cnt < 0) {
            skipped++;
            continue;
        }
        done++;
        assert_true(fabs(best[0] - s0) < 1e-7 * (1.0 + s0));
        assert_true(fabs(best[1] - s1) < 1e-7 * (1.0 + s1));
        for (int i = 0; i < n; i++)
            assert_true(zb[i] == fix[i] || fabs(best[0] - best[1]) < 1e-9);
    }
    printf("NOTE: lambda vs brute force (%s, n %d-%d): %d problems agree, %d boxes too large to enumerate\n",
           ill ? "ill-conditioned" : "well-conditioned", nmin, nmax, done, skipped);
    assert_true(done >= trials * 3 / 4);
}

static void test_brute_well(void **state)
{
    (void)state;
    run_brute(0, 2, 6, 200);
}

static void test_brute_ill(void **state)
{
    (void)state;
    run_brute(1, 2, 5, 200);
}

/* Z integer with |det| = 1 and Z'QZ = L'DL. */
static void test_reduce_invariants(void **state)
{
    (void)state;
    for (int t = 0; t < 50; t++) {
        const int n = 3 + t % 10;
        double Q[256], Z[256], L[256], D[16];
        make_q(n, t & 1, Q);
        assert_int_equal(bx_lambda_reduce(n, Q, Z, L, D), 0);
        double M[256];
        for (int i = 0; i < n * n; i++)
            assert_true(Z[i] == floor(Z[i]));
        /* det by Gaussian elimination with pivoting */
        memcpy(M, Z, sizeof(double) * n * n);
        double det = 1.0;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++)
                if (fabs(M[r * n + c]) > fabs(M[p * n + c]))
                    p = r;
            if (p != c) {
                det = -det;
                for (int j = 0; j < n; j++) {
                    double x = M[c * n + j];
                    M[c * n + j] = M[p * n + j];
                    M[p * n + j] = x;
                }
            }
            det *= M[c * n + c];
            for (int r = c + 1; r < n; r++) {
                const double f = M[r * n + c] / M[c * n + c];
                for (int j = c; j < n; j++)
                    M[r * n + j] -= f * M[c * n + j];
            }
        }
        assert_true(fabs(fabs(det) - 1.0) < 1e-6);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double zq = 0.0, ld = 0.0;
                for (int k = 0; k < n; k++)
                    for (int l = 0; l < n; l++)
                        zq += Z[k * n + i] * Q[k * n + l] * Z[l * n + j];
                for (int k = 0; k < n; k++)
                    ld += L[k * n + i] * D[k] * L[k * n + j];
                assert_true(fabs(zq - ld) < 1e-8 * (1.0 + fabs(zq)));
                if (i > j)
                    assert_true(fabs(L[i * n + j]) <= 0.5 + 1e-9);
            }
    }
}

/* GNSS-like problem: double-differenced ambiguities of n satellites x 2
 * frequencies whose float values share 3 position unknowns.  True integers
 * known; floats = truth + correlated noise with covariance Q.  The empirical
 * ILS success rate must not fall below the bootstrapped bound (lower bound by
 * theory), and the ratio-validated fixes must be right. */
static void test_success_rate(void **state)
{
    (void)state;
    const int n = 10, trials = 1500;
    double Q[BX_LAMBDA_MAXN * 16], Lc[256];
    /* Q = sigma_amb^2 (B B' * 30 + I 0.02): B = n x 3 geometry-like */
    double B[30];
    for (int i = 0; i < 3 * n; i++)
        B[i] = nrand();
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double t = 0.0;
            for (int k = 0; k < 3; k++)
                t += B[i * 3 + k] * B[j * 3 + k];
            Q[i * n + j] = 0.02 * t + (i == j ? 0.004 : 0.0) + 0.002;
        }
    /* Cholesky for sampling */
    memset(Lc, 0, sizeof Lc);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double s = Q[i * n + j];
            for (int k = 0; k < j; k++)
                s -= Lc[i * n + k] * Lc[j * n + k];
            Lc[i * n + j] = i == j ? sqrt(s) : s / Lc[j * n + j];
        }
    int ok = 0, accepted = 0, wrong_accepted = 0, pfixed = 0, pwrong = 0;
    double pb = 0.0;
    for (int t = 0; t < trials; t++) {
        double truth[16], a[16], e[16], fix[32];
        for (int i = 0; i < n; i++) {
            truth[i] = floor(200.0 * (urand() - 0.5));
            e[i] = nrand();
        }
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (int k = 0; k <= i; k++)
                s += Lc[i * n + k] * e[k];
            a[i] = truth[i] + s;
        }
        bx_lambda_info_t info;
        assert_int_equal(bx_lambda(n, 2, a, Q, fix, &info), 0);
        pb = info.p_boot;
        int right = 1;
        for (int i = 0; i < n; i++)
            right &= fix[i] == truth[i];
        ok += right;
        if (info.ratio >= 3.0) {
            accepted++;
            wrong_accepted += !right;
        }
        /* partial: what it fixes must be right whenever its own bound is high */
        double C[16 * 16], c[16];
        bx_lambda_info_t pi;
        assert_int_equal(bx_lambda_partial(n, a, Q, 0.999, 1, C, c, &pi), 0);
        for (int i = 0; i < pi.n_fixed; i++) {
            double s = 0.0;
            for (int r = 0; r < n; r++) {
                assert_true(C[i * n + r] == floor(C[i * n + r]));
                s += C[i * n + r] * truth[r];
            }
            pwrong += fabs(s - c[i]) > 1e-9;
            pfixed++;
        }
    }
    const double rate = (double)ok / trials;
    const double sd = sqrt(pb * (1.0 - pb) / trials) + 1e-3;
    printf("NOTE: ILS success %.4f vs bootstrapped bound %.4f (n %d, %d trials); ratio>=3 accepted %d, wrong %d; "
           "partial (P0 0.999) fixed %d combinations, %d wrong\n",
           rate, pb, n, trials, accepted, wrong_accepted, pfixed, pwrong);
    assert_true(pwrong <= pfixed / 200 + 1);
    assert_true(pb > 0.5 && pb < 0.9999); /* the problem is neither trivial nor hopeless */
    assert_true(rate >= pb - 4.0 * sd);
    assert_true(wrong_accepted <= accepted / 100);
}

/* Partial resolution: the fixed combinations are integer rows, right on
 * precise problems, and absent on hopeless ones. */
static void test_partial(void **state)
{
    (void)state;
    const int n = 8;
    int fixed_right = 0, fixed_wrong = 0, subsets = 0;
    for (int t = 0; t < 300; t++) {
        double Q[64], truth[8], a[8], C[64], c[8];
        /* half precise, half poor ambiguities, correlated */
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Q[i * n + j] = (i == j ? (i < n / 2 ? 0.002 : 4.0) : 0.0) + 0.001;
        for (int i = 0; i < n; i++) {
            truth[i] = floor(100.0 * (urand() - 0.5));
            a[i] = truth[i] + sqrt(Q[i * n + i] - 0.001) * nrand();
        }
        bx_lambda_info_t info;
        assert_int_equal(bx_lambda_partial(n, a, Q, 0.999, 2, C, c, &info), 0);
        assert_true(info.n_fixed <= n);
        if (info.n_fixed > 0 && info.n_fixed < n)
            subsets++;
        for (int i = 0; i < info.n_fixed; i++) {
            double s = 0.0;
            for (int r = 0; r < n; r++)
                s += C[i * n + r] * truth[r];
            if (fabs(s - c[i]) < 1e-9)
                fixed_right++;
            else
                fixed_wrong++;
        }
    }
    printf("NOTE: partial AR: %d subsets (of 300), %d combinations right, %d wrong\n", subsets, fixed_right,
           fixed_wrong);
    assert_true(subsets > 250);
    assert_true(fixed_wrong <= fixed_right / 200);
}

static void test_args(void **state)
{
    (void)state;
    double Q[4] = {1, 2, 2, 1}, a[2] = {0.3, 0.4}, fix[4];
    assert_int_not_equal(bx_lambda(2, 2, a, Q, fix, NULL), 0); /* not positive definite */
    assert_int_not_equal(bx_lambda(0, 2, a, Q, fix, NULL), 0);
    assert_int_not_equal(bx_lambda(2, 0, a, Q, fix, NULL), 0);
    double Q1[1] = {0.01}, a1[1] = {2.4}, f1[2];
    bx_lambda_info_t info;
    assert_int_equal(bx_lambda(1, 2, a1, Q1, f1, &info), 0);
    assert_true(f1[0] == 2.0 && f1[1] == 3.0);
    assert_true(fabs(info.ratio - (0.36 / 0.16)) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_reduce_invariants),
        cmocka_unit_test(test_brute_well),
        cmocka_unit_test(test_brute_ill),
        cmocka_unit_test(test_success_rate),
        cmocka_unit_test(test_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
