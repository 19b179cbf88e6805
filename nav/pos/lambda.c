/* Integer least squares for ambiguity resolution: L'DL factorisation,
 * decorrelation (integer Gauss transforms + permutations), shrinking-
 * ellipsoid search for the m best candidates, bootstrapped success rate and
 * partial resolution.  Method: include/bdsrx/lambda.h (Teunissen 1995,
 * de Jonge & Tiberius 1996 LGR12, Chang et al. 2005). */
#include "bdsrx/lambda.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/types.h"

#define IX(i, j) ((i) * n + (j))

static double rnd(double x)
{
    return floor(x + 0.5);
}

static double sgn(double x)
{
    return x <= 0.0 ? -1.0 : 1.0;
}

/* Q = L' D L, L unit lower triangular (row i holds columns 0..i).  Returns 0
 * or -1 when Q is not positive definite. */
static int ltdl(int n, const double *Q, double *L, double *D)
{
    double *A = malloc(sizeof(double) * n * n);
    if (!A)
        return -2;
    memcpy(A, Q, sizeof(double) * n * n);
    memset(L, 0, sizeof(double) * n * n);
    int st = 0;
    for (int i = n - 1; i >= 0; i--) {
        D[i] = A[IX(i, i)];
        if (!(D[i] > 0.0)) {
            st = -1;
            break;
        }
        const double a = sqrt(D[i]);
        for (int j = 0; j <= i; j++)
            L[IX(i, j)] = A[IX(i, j)] / a;
        for (int j = 0; j < i; j++)
            for (int k = 0; k <= j; k++)
                A[IX(j, k)] -= L[IX(i, k)] * L[IX(i, j)];
        for (int j = 0; j <= i; j++)
            L[IX(i, j)] /= L[IX(i, i)];
    }
    free(A);
    return st;
}

/* Integer Gauss transform making |L[i][j]| <= 1/2: column j -= mu column i in
 * L and Z, row i += mu row j in Zi = Z^-1. */
static void gauss(int n, double *L, double *Z, double *Zi, int i, int j)
{
    const double mu = rnd(L[IX(i, j)]);
    if (mu == 0.0)
        return;
    for (int k = i; k < n; k++)
        L[IX(k, j)] -= mu * L[IX(k, i)];
    for (int k = 0; k < n; k++) {
        Z[IX(k, j)] -= mu * Z[IX(k, i)];
        Zi[IX(i, k)] += mu * Zi[IX(j, k)];
    }
}

/* Swaps entries j and j+1 of the conditional ordering (del = new D[j+1]). */
static void permute(int n, double *L, double *D, double *Z, double *Zi, int j, double del)
{
    const double l = L[IX(j + 1, j)];
    const double eta = D[j] / del, lam = D[j + 1] * l / del;
    D[j] = eta * D[j + 1];
    D[j + 1] = del;
    for (int k = 0; k < j; k++) {
        const double a0 = L[IX(j, k)], a1 = L[IX(j + 1, k)];
        L[IX(j, k)] = -l * a0 + a1;
        L[IX(j + 1, k)] = eta * a0 + lam * a1;
    }
    L[IX(j + 1, j)] = lam;
    for (int k = j + 2; k < n; k++) {
        const double t = L[IX(k, j)];
        L[IX(k, j)] = L[IX(k, j + 1)];
        L[IX(k, j + 1)] = t;
    }
    for (int k = 0; k < n; k++) {
        double t = Z[IX(k, j)];
        Z[IX(k, j)] = Z[IX(k, j + 1)];
        Z[IX(k, j + 1)] = t;
        t = Zi[IX(j, k)];
        Zi[IX(j, k)] = Zi[IX(j + 1, k)];
        Zi[IX(j + 1, k)] = t;
    }
}

/* Decorrelation in place on L, D (from ltdl); Z, Zi start as identity. */
static void reduce(int n, double *L, double *D, double *Z, double *Zi)
{
    int j = n - 2, k = n - 2;
    while (j >= 0) {
        if (j <= k)
            for (int i = j + 1; i < n; i++)
                gauss(n, L, Z, Zi, i, j);
        const double l = L[IX(j + 1, j)];
        const double del = D[j] + l * l * D[j + 1];
        if (del + 1e-6 < D[j + 1]) { /* swap when it lowers the later conditional variance */
            permute(n, L, D, Z, Zi, j, del);
            k = j;
            j = n - 2;
        } else {
            j--;
        }
    }
}

static void eye(int n, double *M)
{
    memset(M, 0, sizeof(double) * n * n);
    for (int i = 0; i < n; i++)
        M[IX(i, i)] = 1.0;
}

/* Search for the m integer vectors closest to zs in the metric of L'DL.
 * zn: m x n candidates, s: their squared norms, sorted ascending.  Returns the
 * number found. */
static int search(int n, int m, const double *L, const double *D, const double *zs, double *zn, double *s)
{
    double *S = calloc((size_t)n * n + 5 * (size_t)n, sizeof(double));
    if (!S)
        return -1;
    double *dist = S + n * n, *zb = dist + n, *z = zb + n, *step = z + n;
    int nn = 0, imax = 0;
    double maxdist = INFINITY;
    int k = n - 1;
    dist[k] = 0.0;
    zb[k] = zs[k];
    z[k] = rnd(zb[k]);
    double y = zb[k] - z[k];
    step[k] = sgn(y);
    for (int guard = 0; guard < 100000000; guard++) {
        const double newdist = dist[k] + y * y / D[k];
        if (newdist < maxdist) {
            if (k != 0) {
                k--;
                dist[k] = newdist;
                for (int i = 0; i <= k; i++)
                    S[IX(k, i)] = S[IX(k + 1, i)] + (z[k + 1] - zb[k + 1]) * L[IX(k + 1, i)];
                zb[k] = zs[k] + S[IX(k, k)];
                z[k] = rnd(zb[k]);
                y = zb[k] - z[k];
                step[k] = sgn(y);
            } else {
                if (nn < m) {
                    if (nn == 0 || newdist > s[imax])
                        imax = nn;
                    memcpy(zn + nn * n, z, sizeof(double) * n);
                    s[nn++] = newdist;
                } else {
                    if (newdist < s[imax]) {
                        memcpy(zn + imax * n, z, sizeof(double) * n);
                        s[imax] = newdist;
                        for (int i = imax = 0; i < m; i++)
                            if (s[imax] < s[i])
                                imax = i;
                    }
                    maxdist = s[imax];
                }
                if (nn == m)
                    maxdist = s[imax];
                z[0] += step[0];
                y = zb[0] - z[0];
                step[0] = -step[0] - sgn(step[0]);
            }
        } else {
            if (k == n - 1)
                break;
            k++;
            z[k] += step[k];
            y = zb[k] - z[k];
            step[k] = -step[k] - sgn(step[k]);
        }
    }
    /* sort ascending (m is small) */
    for (int i = 0; i < nn; i++)
        for (int j = i + 1; j < nn; j++)
            if (s[j] < s[i]) {
                double t = s[i];
                s[i] = s[j];
                s[j] = t;
                for (int c = 0; c < n; c++) {
                    t = zn[i * n + c];
                    zn[i * n + c] = zn[j * n + c];
                    zn[j * n + c] = t;
                }
            }
    free(S);
    return nn;
}

/* 2 Phi(1 / (2 sigma)) - 1 = erf(1 / (2 sqrt(2) sigma)) */
static double p_round(double var)
{
    return erf(1.0 / (2.0 * sqrt(2.0 * var)));
}

/* Work memory: L, D, Z, Zi, zs */
typedef struct {
    double *L, *D, *Z, *Zi, *zs;
} work_t;

static int prepare(int n, const double *a, const double *Q, work_t *w)
{
    double *m = malloc(sizeof(double) * (3 * (size_t)n * n + 2 * (size_t)n));
    if (!m)
        return BX_ERR_NOMEM;
    w->L = m;
    w->Z = m + n * n;
    w->Zi = m + 2 * n * n;
    w->D = m + 3 * n * n;
    w->zs = w->D + n;
    const int st = ltdl(n, Q, w->L, w->D);
    if (st) {
        free(m);
        return st == -2 ? BX_ERR_NOMEM : BX_ERR_ARG;
    }
    eye(n, w->Z);
    eye(n, w->Zi);
    reduce(n, w->L, w->D, w->Z, w->Zi);
    for (int i = 0; i < n; i++) { /* zs = Z' a */
        double t = 0.0;
        for (int r = 0; r < n; r++)
            t += w->Z[IX(r, i)] * a[r];
        w->zs[i] = t;
    }
    return BX_OK;
}

int bx_lambda_reduce(int n, const double *Q, double *Z, double *L, double *D)
{
    if (n < 1 || n > BX_LAMBDA_MAXN || !Q || !Z || !L || !D)
        return BX_ERR_ARG;
    double *Zi = malloc(sizeof(double) * n * n);
    if (!Zi)
        return BX_ERR_NOMEM;
    const int st = ltdl(n, Q, L, D);
    if (st) {
        free(Zi);
        return st == -2 ? BX_ERR_NOMEM : BX_ERR_ARG;
    }
    eye(n, Z);
    eye(n, Zi);
    reduce(n, L, D, Z, Zi);
    free(Zi);
    return BX_OK;
}

int bx_lambda(int n, int m, const double *a, const double *Q, double *fix, bx_lambda_info_t *info)
{
    if (n < 1 || n > BX_LAMBDA_MAXN || m < 1 || m > BX_LAMBDA_MAXM || !a || !Q || !fix)
        return BX_ERR_ARG;
    work_t w;
    int st = prepare(n, a, Q, &w);
    if (st)
        return st;
    double zn[BX_LAMBDA_MAXM * BX_LAMBDA_MAXN], s[BX_LAMBDA_MAXM];
    const int nn = search(n, m, w.L, w.D, w.zs, zn, s);
    if (nn < 0) {
        free(w.L);
        return BX_ERR_NOMEM;
    }
    for (int k = 0; k < nn; k++) /* a = Z'^-1 z = Zi' z */
        for (int r = 0; r < n; r++) {
            double t = 0.0;
            for (int i = 0; i < n; i++)
                t += w.Zi[IX(i, r)] * zn[k * n + i];
            fix[k * n + r] = rnd(t);
        }
    if (info) {
        memset(info, 0, sizeof *info);
        info->n_fixed = n;
        for (int k = 0; k < nn; k++)
            info->sqnorm[k] = s[k];
        info->ratio = nn >= 2 && s[0] > 0.0 ? s[1] / s[0] : 0.0;
        double p = 1.0;
        for (int i = 0; i < n; i++)
            p *= p_round(w.D[i]);
        info->p_boot = info->p_boot_full = p;
    }
    free(w.L);
    return BX_OK;
}

int bx_lambda_partial(int n, const double *a, const double *Q, double p0, int min_fix, double *C, double *c,
                      bx_lambda_info_t *info)
{
    if (n < 1 || n > BX_LAMBDA_MAXN || !a || !Q || !C || !c || !info)
        return BX_ERR_ARG;
    memset(info, 0, sizeof *info);
    work_t w;
    int st = prepare(n, a, Q, &w);
    if (st)
        return st;
    /* largest tail (most precise conditional variances come last) with P >= p0 */
    double p = 1.0, pk = 1.0;
    int k = 0;
    for (int i = n - 1; i >= 0; i--) {
        p *= p_round(w.D[i]);
        if (p >= p0) {
            k = n - i;
            pk = p;
        }
    }
    info->p_boot_full = p;
    if (min_fix < 1)
        min_fix = 1;
    if (k < min_fix) {
        free(w.L);
        return BX_OK;
    }
    /* The marginal of the tail z[n-k..n-1] is L_tail' D_tail L_tail. */
    const int o = n - k;
    double *Lt = malloc(sizeof(double) * (size_t)k * k);
    if (!Lt) {
        free(w.L);
        return BX_ERR_NOMEM;
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            Lt[i * k + j] = w.L[IX(o + i, o + j)];
    double zn[2 * BX_LAMBDA_MAXN], s[2];
    const int nn = search(k, 2, Lt, w.D + o, w.zs + o, zn, s);
    free(Lt);
    if (nn < 1) {
        free(w.L);
        return nn < 0 ? BX_ERR_NOMEM : BX_OK;
    }
    for (int i = 0; i < k; i++) {
        for (int r = 0; r < n; r++)
            C[i * n + r] = w.Z[IX(r, o + i)];
        c[i] = zn[i];
    }
    info->n_fixed = k;
    info->p_boot = pk;
    info->sqnorm[0] = s[0];
    info->sqnorm[1] = nn > 1 ? s[1] : 0.0;
    info->ratio = nn > 1 && s[0] > 0.0 ? s[1] / s[0] : 0.0;
    free(w.L);
    return BX_OK;
}
