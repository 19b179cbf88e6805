/* Receiver autonomous integrity monitoring for SPP: the classic residual
 * (least-squares) chi-square test and exclusion of the observation with the
 * largest normalised residual (Parkinson & Axelrad 1988; Brown 1992).
 *
 * With weights W = diag(1/sigma_i^2) and v the post-fit residuals, the test
 * statistic v'Wv follows chi^2 with n - 4 degrees of freedom under H0 (no
 * fault, sigmas right).  The residual covariance is
 *   Qv = W^-1 - H (H'WH)^-1 H'
 * and w_i = |v_i| / sqrt(Qv_ii) is the normalised residual whose maximum
 * points at the faulty observation (Baarda's w-test). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>

#include "bdsrx/pvt.h"

double bx_raim_chi2_threshold(int dof, double pfa)
{
    if (dof < 1 || !(pfa > 0.0 && pfa < 1.0))
        return INFINITY;
    return gsl_cdf_chisq_Qinv(pfa, (double)dof);
}

int bx_raim_worst(const double *h, const double *v, const double *w, int n)
{
    if (n <= 4)
        return -1;
    double nm[16] = {0};
    for (int i = 0; i < n; i++)
        for (int a = 0; a < 4; a++)
            for (int c = 0; c < 4; c++)
                nm[4 * a + c] += h[4 * i + a] * w[i] * h[4 * i + c];
    gsl_matrix_view m = gsl_matrix_view_array(nm, 4, 4);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st = gsl_linalg_cholesky_decomp1(&m.matrix);
    if (!st)
        st = gsl_linalg_cholesky_invert(&m.matrix);
    gsl_set_error_handler(old);
    if (st)
        return -1;
    int worst = -1;
    double wmax = -1.0;
    for (int i = 0; i < n; i++) {
        double hqh = 0.0; /* h_i (H'WH)^-1 h_i' */
        for (int a = 0; a < 4; a++)
            for (int c = 0; c < 4; c++)
                hqh += h[4 * i + a] * nm[4 * a + c] * h[4 * i + c];
        const double qv = 1.0 / w[i] - hqh;
        if (qv <= 1e-12 / w[i])
            continue; /* observation without redundancy: cannot be tested */
        const double wi = fabs(v[i]) / sqrt(qv);
        if (wi > wmax) {
            wmax = wi;
            worst = i;
        }
    }
    return worst;
}
