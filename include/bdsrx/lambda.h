/*
 * bdsrx — integer least squares for carrier-phase ambiguity resolution
 * (LAMBDA: Teunissen 1995 "The least-squares ambiguity decorrelation
 * adjustment", J. Geodesy 70; search as in MLAMBDA: Chang, Yang, Zhou 2005
 * "MLAMBDA: a modified LAMBDA method for integer least-squares estimation",
 * J. Geodesy 79).  nav/pos/lambda.c.
 *
 * Given float ambiguities a (n) with covariance Q (n x n, row-major,
 * symmetric positive definite), finds the m integer vectors z minimising
 * (z - a)' Q^-1 (z - a), best first:
 *   1. Q = L' D L (L unit lower triangular, D diagonal);
 *   2. decorrelation by integer Gauss transforms and permutations (Z
 *      unimodular, Q_z = Z' Q Z, entries of L within +-1/2, D ordered as far
 *      as the Lovasz-like condition allows);
 *   3. depth-first search with shrinking ellipsoid and zig-zag enumeration
 *      around the conditional estimates, keeping the m best;
 *   4. back-transformation a_fix = Z'^-1 z (exact: Z is integer unimodular).
 * The bootstrapped success rate (Teunissen 1998) of the decorrelated problem,
 * P = prod_i (2 Phi(1 / (2 sqrt(D_i))) - 1), is a lower bound of the
 * integer-least-squares success rate; the partial variant fixes the largest
 * subset of decorrelated ambiguities whose bootstrapped rate reaches p0
 * (Teunissen, Joosten, Tiberius 1999 partial ambiguity resolution).
 *
 * Pure functions, no global state: thread-safe.  Work memory is allocated
 * per call (n is small: tens).
 */
#ifndef BDSRX_LAMBDA_H
#define BDSRX_LAMBDA_H

#ifdef __cplusplus
extern "C" {
#endif

#define BX_LAMBDA_MAXN 128 /* ambiguities per problem */
#define BX_LAMBDA_MAXM 8   /* candidates kept */

typedef struct {
    int n_fixed;        /* ambiguities (decorrelated combinations) fixed: n, or the subset size */
    double ratio;       /* sqnorm(second) / sqnorm(best), 0 if undefined */
    double sqnorm[BX_LAMBDA_MAXM]; /* squared norms of the candidates found, best first */
    double p_boot;      /* bootstrapped success rate of what was fixed */
    double p_boot_full; /* bootstrapped success rate of the full set */
} bx_lambda_info_t;

/* Full integer least squares: m candidates (1 <= m <= BX_LAMBDA_MAXM) into
 * fix (m x n, row-major: candidate k at fix + k*n), squared norms in
 * info->sqnorm (info may be NULL).  Returns BX_OK; BX_ERR_ARG for bad sizes
 * or a Q that is not positive definite; BX_ERR_NOMEM. */
int bx_lambda(int n, int m, const double *a, const double *Q, double *fix, bx_lambda_info_t *info);

/* Decorrelation only: Z (n x n, row-major, integer-valued), L and D of
 * Q_z = Z' Q Z = L' D L.  Exposed for tests. */
int bx_lambda_reduce(int n, const double *Q, double *Z, double *L, double *D);

/* Partial resolution: decorrelates, then fixes the largest tail of the
 * decorrelated vector (most precise combinations) whose bootstrapped success
 * rate is >= p0, with at least min_fix combinations.  On success (return 0,
 * info->n_fixed = k > 0) the k fixed combinations are returned as
 * C (k x n, row-major, integer rows) and c (k) with C a_true = c expected,
 * together with the ratio of the subset search in info->ratio; a
 * subset is k == n only when the full set qualifies (then C = Z'-rows and the
 * caller may equally use bx_lambda).  info->n_fixed = 0 when no subset
 * qualifies. */
int bx_lambda_partial(int n, const double *a, const double *Q, double p0, int min_fix, double *C, double *c,
                      bx_lambda_info_t *info);

#ifdef __cplusplus
}
#endif
#endif
