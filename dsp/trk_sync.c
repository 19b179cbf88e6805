/* Pilot secondary-code synchronisation search (method in trk_impl.h). */
#include <complex.h>
#include <math.h>

#include "trk_impl.h"

int bx_trk_sec_search(const float *buf, int m, const int8_t *sec, int L, int *offset, int *negative)
{
    double norm = 0;
    for (int i = 0; i < m; i++)
        norm += (double)buf[i] * buf[i];
    norm = sqrt(norm);
    if (norm <= 0 || L < 1)
        return 0;
    double best = 0, second = 0;
    int bo = -1;
    for (int o = 0; o < L; o++) {
        double s = 0;
        for (int i = 0, j = o; i < m; i++, j = (j + 1 == L) ? 0 : j + 1)
            s += buf[i] * sec[j];
        double a = fabs(s);
        if (a > fabs(best)) {
            second = fabs(best);
            best = s;
            bo = o;
        } else if (a > second) {
            second = a;
        }
    }
    /* z = |correlation| / sqrt(sum buf^2): N(0, 1) at a wrong offset on noise */
    const double zb = fabs(best) / norm, z2 = second / norm;
    if (bo < 0 || zb < BX_TRK_SYNC_Z || zb - z2 < BX_TRK_SYNC_MARGIN)
        return 0;
    *offset = bo;
    *negative = best < 0;
    return 1;
}

int bx_trk_sec_search_c(const float complex *buf, int m, const int8_t *dsec, int L, int *offset)
{
    double norm = 0;
    for (int i = 0; i < m; i++)
        norm += (double)crealf(buf[i]) * crealf(buf[i]) + (double)cimagf(buf[i]) * cimagf(buf[i]);
    norm = sqrt(norm);
    if (norm <= 0 || L < 1)
        return 0;
    double best = 0, second = 0;
    int bo = -1;
    for (int o = 0; o < L; o++) {
        double re = 0, im = 0;
        for (int i = 0, j = o; i < m; i++, j = (j + 1 == L) ? 0 : j + 1) {
            re += crealf(buf[i]) * dsec[j];
            im += cimagf(buf[i]) * dsec[j];
        }
        const double a = sqrt(re * re + im * im);
        if (a > best) {
            second = best;
            best = a;
            bo = o;
        } else if (a > second) {
            second = a;
        }
    }
    /* z = |correlation| / sqrt(sum |buf|^2): Rayleigh (E z^2 = 1) at a wrong offset on noise */
    const double zb = best / norm, z2 = second / norm;
    if (bo < 0 || zb < BX_TRK_SYNC_Z || zb - z2 < BX_TRK_SYNC_MARGIN)
        return 0;
    *offset = bo;
    return 1;
}
