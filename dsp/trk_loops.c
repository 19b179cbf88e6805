/* Tracking loop filters and discriminators (see trk_impl.h for the forms). */
#include <math.h>

#include "trk_impl.h"

double bx_trk_carr_loop_update(bx_trk_carr_loop_t *l, double dphi_cyc, double df_hz, double T_s,
                               double pll_bw_hz, double fll_bw_hz)
{
    const double wp = pll_bw_hz / 0.53, wf = 4.0 * fll_bw_hz;
    l->vel_hz += T_s * (wp * wp * dphi_cyc + wf * df_hz);
    return l->vel_hz + M_SQRT2 * wp * dphi_cyc;
}

double bx_trk_pll_disc(double complex p, int costas)
{
    double i = creal(p), q = cimag(p);
    if (costas)
        return i == 0.0 ? 0.0 : atan(q / i) / (2.0 * M_PI);
    return atan2(q, i) / (2.0 * M_PI);
}

double bx_trk_fll_disc(double complex z, double dt_s)
{
    if (z == 0.0)
        return 0.0;
    return atan2(cimag(z), creal(z)) / (2.0 * M_PI * dt_s);
}

/* Triangle-like peak R(tau) = 1 - k|tau| (k = 1 BPSK, 3 BOC(1,1) main peak):
 * with E = R(tau + d/2), L = R(tau - d/2) and |tau| < d/2,
 * (E - L) / (E + L) = -2 k tau / (2 - k d)  =>  tau = -D (2 - k d) / (2 k).
 * The replica must move by -tau. */
double bx_trk_dll_disc(double e_abs, double l_abs, double d_chips, int boc)
{
    double s = e_abs + l_abs;
    if (s <= 0.0)
        return 0.0;
    double D = (e_abs - l_abs) / s, k = boc ? 3.0 : 1.0;
    double g = (2.0 - k * d_chips) / (2.0 * k);
    if (g < 0.05)
        g = 0.05;
    return D * g;
}
