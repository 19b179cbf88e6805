/* Internal to tracking (dsp/trk*.c): loop filters and discriminators
 * (trk_loops.c) and the C/N0 estimator (trk_cn0.c). */
#ifndef BDSRX_TRK_IMPL_H
#define BDSRX_TRK_IMPL_H

#include <complex.h>

/* ---- trk_loops.c ---- */

/* Carrier loop: 2nd-order PLL with 1st-order FLL assist (Kaplan & Hegarty,
 * "Understanding GPS/GNSS", 3rd ed., §8.4 loop filter form):
 *   vel += T (wp^2 dphi + wf df),   f_nco = vel + a2 wp dphi,
 *   wp = Bn_pll / 0.53, wf = Bn_fll / 0.25, a2 = sqrt(2).
 * Bandwidth 0 switches a part off. */
typedef struct {
    double vel_hz; /* integrator (frequency estimate) */
} bx_trk_carr_loop_t;

double bx_trk_carr_loop_update(bx_trk_carr_loop_t *l, double dphi_cyc, double df_hz, double T_s,
                               double pll_bw_hz, double fll_bw_hz);

/* PLL phase discriminator in cycles: costas = 1 -> atan(Q/I) (insensitive to a
 * data/secondary-chip sign, +-1/4 cycle), 0 -> atan2(Q, I) (+-1/2 cycle). */
double bx_trk_pll_disc(double complex p, int costas);

/* FLL discriminator in Hz from z = sum conj(p[k-1]) p[k] over partials spaced
 * dt_s apart: atan2(Im z, Re z) / (2 pi dt). */
double bx_trk_fll_disc(double complex z, double dt_s);

/* Normalised early-minus-late envelope DLL discriminator: returns the code
 * correction in chips (+ = advance the replica) for early-late spacing d
 * (chips, E to L) on a BPSK (boc = 0, slope 1) or BOC(1,1) (boc = 1, slope 3)
 * correlation peak. */
double bx_trk_dll_disc(double e_abs, double l_abs, double d_chips, int boc);

/* ---- trk_cn0.c ---- */

/* Moments (M2M4) C/N0 estimator (Pauluzzi & Beaulieu, IEEE Trans. Commun.
 * 2000) on complex correlator outputs of coherent length T, with exponential
 * averaging of the moments (insensitive to data/secondary-chip signs and to
 * the carrier phase):  M2 = <|z|^2>, M4 = <|z|^4>,
 *   Ps = sqrt(max(2 M2^2 - M4, 0)),  Pn = M2 - Ps,  C/N0 = Ps / (Pn T). */
typedef struct {
    double m2, m4;
    long n;
} bx_trk_cn0_t;

void bx_trk_cn0_reset(bx_trk_cn0_t *e);
/* alpha: averaging weight of a new value once warmed up (T / tau). */
void bx_trk_cn0_push(bx_trk_cn0_t *e, double complex z, double alpha);
/* dB-Hz; -INFINITY-safe floor of 0 dB-Hz when no signal power is seen. */
double bx_trk_cn0_dbhz(const bx_trk_cn0_t *e, double T_s);
/* Noise power of one correlator output (complex, both components). */
double bx_trk_cn0_noise(const bx_trk_cn0_t *e);

/* Phase-locked estimator used once the PLL is locked: the prompt projected
 * on the pilot phase gives I (signal + noise) and Q (noise only), so
 *   Ps = <|I|>^2,  Pn = 2 <Q^2>,  C/N0 = Ps / (Pn T).
 * Unlike M2M4 (which needs E|z|^4 and is pulled down hard by a few weak
 * periods, e.g. when a sampling-commensurate code replica slips to a
 * neighbouring correlation plateau) it is biased only by the mean amplitude.
 * <|I|> also serves the data component (|data projection|) with the pilot's
 * noise estimate. */
typedef struct {
    double mi, q2;
    long n;
} bx_trk_cn0iq_t;

void bx_trk_cn0iq_reset(bx_trk_cn0iq_t *e);
void bx_trk_cn0iq_push(bx_trk_cn0iq_t *e, double i, double q, double alpha);
/* Signal power <|I|>^2 and noise power 2<Q^2> of one correlator output. */
double bx_trk_cn0iq_signal(const bx_trk_cn0iq_t *e);
double bx_trk_cn0iq_noise(const bx_trk_cn0iq_t *e);
/* C/N0 in dB-Hz from a signal power and a noise power of outputs of length T. */
double bx_trk_cn0_from(double ps, double pn, double T_s);

#endif
