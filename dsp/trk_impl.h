/* Internal to tracking (dsp/trk*.c): loop filters and discriminators
 * (trk_loops.c) and the C/N0 estimator (trk_cn0.c). */
#ifndef BDSRX_TRK_IMPL_H
#define BDSRX_TRK_IMPL_H

#include <complex.h>

/* ---- trk_loops.c ---- */

/* Carrier loop: 2nd-order PLL with 1st-order FLL assist (Kaplan & Hegarty,
 * "Understanding GPS/GNSS", 3rd ed., loop-filter chapter):
 *   vel += T (wp^2 dphi + wf df),   f_nco = vel + a2 wp dphi,
 *   wp = Bn_pll / 0.53, a2 = sqrt(2), wf = 4 Bn_fll.
 * A Doppler ramp a leaves a static phase error a / wp^2 (0.8 Hz/s at 5 Hz:
 * 0.05 rad).  A 3rd-order PLL was tried: with the one-period update delay and
 * BnT ~ 0.05 it rings for seconds after pull-in (simulated and seen on data).
 * Bandwidth 0 switches a part off. */
typedef struct {
    double vel_hz; /* frequency estimate */
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

/* C/N0 estimation from one correlator output per coherent period T, in
 * non-overlapping windows of `win` outputs, averaged over the last
 * BX_TRK_CN0_WINS windows (a loop transient spoils one window only; an
 * exponential average kept it for seconds).  Two estimators per window:
 *  - moments (M2M4, Pauluzzi & Beaulieu, IEEE Trans. Commun. 2000): with
 *    M2 = <|z|^2>, M4 = <|z|^4>:  Ps = sqrt(max(2 M2^2 - M4, 0)), Pn = M2 - Ps.
 *    Needs no phase lock and is blind to data/secondary-chip signs (pull-in).
 *  - phase-locked I/Q: with z projected on the tracked phase (I = signal +
 *    noise, Q = noise + a static phase-error share):  Ps = <|I|>^2 (or, for
 *    the wiped pilot, |<I> + j<Q>|^2 less its noise share), Pn = 2 var(Q).
 *    Robust to short amplitude dips, which pull M2M4 down hard (e.g. a
 *    sampling-commensurate code replica briefly on a neighbouring correlation
 *    plateau).  This Pn, one prompt's var(Q), also holds phase error and code
 *    cross-correlation: the tracker keeps it for the lock indicator only and
 *    reports C/N0 with the noise of the pilot/data pair (bx_trk_qn_t below).
 * C/N0 = Ps / (Pn T). */
#define BX_TRK_CN0_WINS 4

typedef struct {
    int win;
    long n;
    double si, si_s, sq, sq2, s2, s4;
    double ps_iq[BX_TRK_CN0_WINS], pn_iq[BX_TRK_CN0_WINS];
    double ps_sg[BX_TRK_CN0_WINS];
    double m2[BX_TRK_CN0_WINS], m4[BX_TRK_CN0_WINS]; /* M2M4 moments per window (pooled) */
    int nw, head;
} bx_trk_cn0_t;

void bx_trk_cn0_init(bx_trk_cn0_t *e, int win);
void bx_trk_cn0_reset(bx_trk_cn0_t *e); /* drops all windows */
void bx_trk_cn0_push(bx_trk_cn0_t *e, double i, double q);
int bx_trk_cn0_windows(const bx_trk_cn0_t *e); /* completed windows held */
/* Signal and noise power of one output averaged over the held windows
 * (iq = 1: I/Q estimator, 0: M2M4 from the moments pooled over the windows, 2: I/Q with I of known sign: <I>^2 -
 * var(Q)/n, unbiased on noise, for the secondary-wiped pilot); 0 when no
 * window is complete. */
double bx_trk_cn0_ps(const bx_trk_cn0_t *e, int iq);
double bx_trk_cn0_pn(const bx_trk_cn0_t *e, int iq);
/* M2M4 signal and noise power of the window being filled (>= 8 outputs: a B1C
 * channel has 9 periods complete at 0.1 s whatever its code phase): a
 * first estimate before the first window completes.  0 if not available. */
int bx_trk_cn0_partial(const bx_trk_cn0_t *e, double *ps, double *pn);
/* Signal power of one output from the window being filled (>= 20 outputs),
 * given the noise power pn of one output: <I>^2 - pn / 2n (known_sign, the
 * wiped pilot) or <|I|>^2 where <|I|> >= 3 sigma; else 0. */
double bx_trk_cn0_partial_ps(const bx_trk_cn0_t *e, int known_sign, double pn);
/* C/N0 in dB-Hz from a signal power and a noise power of outputs of length T
 * (0 when there is no signal power). */
double bx_trk_cn0_from(double ps, double pn, double T_s);

/* Noise power of one output from the quadrature components of the pilot and
 * data prompts together, blind to the carrier phase error.  Each Q (flipped
 * by the sign of its I, Qp' = sgn(Ip) Qp, Qd' = sgn(Id) Qd) holds, besides
 * thermal noise:
 *  - the phase error e, the same on both: Qp' = Ap sin e, Qd' = -Ad sin e
 *    (the data is -j D relative to the pilot).  PLL jitter and dynamics: the
 *    pilot's var(Q) read +1.2 dB over the simulated thermal noise at 50
 *    dB-Hz static and +2.3 dB on the field trajectory (B1C, bench_weak);
 *  - the other component's code cross-correlation, whose sign is the data
 *    symbol times the pilot's secondary chip, s = sgn(Ip) sgn(Id): B1C ~1e-4
 *    of the pilot power in the pilot Q, ~6e-4 of the data power in the
 *    data Q (the ~56.5 dB-Hz ceiling of var(Q), -1 dB at 50 dB-Hz).
 * So, per window of `win` outputs: Qp' and Qd' are regressed on [1, s] (mean
 * = static phase error, slope = cross-correlation) and the residuals combined
 * as w = a Qd' + b Qp', a = sqrt(Cp / C), b = sqrt(Cd / C) (ICD power split):
 * the phase error cancels, thermal noise keeps its variance (independent, equal
 * on both).  Pn = 2 var(w), averaged over the last BX_TRK_CN0_WINS windows.
 * The in-phase variance is no alternative: a sampling-commensurate code
 * replica (4.092 Msps) moves the prompt's amplitude period to period (var(I)
 * 5-12 dB over thermal at 40-50 dB-Hz). */
typedef struct {
    int win;
    long n;
    double a, b;
    double m[9]; /* sums: p, d, s, s^2, p^2, d^2, pd, ps, ds */
    double pn[BX_TRK_CN0_WINS];
    int nw, head;
} bx_trk_qn_t;

void bx_trk_qn_init(bx_trk_qn_t *e, int win, double cd_over_cp);
void bx_trk_qn_reset(bx_trk_qn_t *e);
/* one pilot prompt (ip, qp: pilot on I) and the data prompt of the same
 * period (id: the data axis, qd: the pilot axis) */
void bx_trk_qn_push(bx_trk_qn_t *e, double ip, double qp, double id, double qd);
int bx_trk_qn_windows(const bx_trk_qn_t *e);
double bx_trk_qn_pn(const bx_trk_qn_t *e);      /* 0 before the first window */
double bx_trk_qn_partial(const bx_trk_qn_t *e); /* the window being filled (>= 20 outputs and a fifth of it), else 0 */

/* Envelope estimate of a strong signal before lock (pull-in), from the pilot
 * and data prompts of each period: x = a |zd| - b |zp| (a, b as above) cancels
 * the amplitude the two share - the DLL pulling in from 0.15 chip on the sharp
 * BOC(1,1) peak, its jitter, a frequency error - and keeps the noise along
 * each envelope: var(x) = sigma^2 at high SNR, Pn = 2 var(x); blind to phase,
 * frequency and signs.  Ps (total) = M2p + M2d - 2 Pn.  M2M4, which counts the
 * envelope's spread as noise, read B1C 50 dB-Hz as 36-38 in pull-in.  Valid
 * where both M2 stand >= 5 Pn clear of the noise (Rice bias of |z|: -2.5 % of
 * sigma^2 there): B1C above ~33 dB-Hz, B2a (1 ms) above ~40. */
typedef struct {
    int win;
    long n;
    double a, b;
    double m[4]; /* sums: x, x^2, |zp|^2, |zd|^2 */
    double ps[BX_TRK_CN0_WINS], pn[BX_TRK_CN0_WINS];
    int ok[BX_TRK_CN0_WINS];
    int nw, head;
} bx_trk_en_t;

void bx_trk_en_init(bx_trk_en_t *e, int win, double cd_over_cp);
void bx_trk_en_push(bx_trk_en_t *e, double ip, double qp, double id, double qd);
/* total signal and noise power of one output over the held windows (all valid)
 * or, partial, the window being filled (>= 20 outputs); 0 if not available */
int bx_trk_en_get(const bx_trk_en_t *e, int partial, double *ps, double *pn);

/* ---- trk_sync.c ---- */

/* Pilot secondary-code search: correlates the m newest pilot prompts buf[0..m)
 * (real parts, 0 = a period without information, e.g. a gap) with every
 * cyclic offset of the L-chip secondary code sec.  With z = |correlation| /
 * sqrt(sum buf^2) (standard normal at a wrong offset when buf is noise, and
 * about the same when it is signal: the code's partial cross-correlation), a
 * match is accepted when the best z reaches BX_TRK_SYNC_Z (a noise-only false
 * match then has probability ~2 L Q(6) = 4e-6 per B1C search) and leads the
 * runner-up by BX_TRK_SYNC_MARGIN (unique).  Returns 1 with *offset = code chip of buf[0] and *negative = 1
 * when the prompts are inverted (Costas 180-degree ambiguity); 0 otherwise.
 * Wrong-sync probability vs m and C/N0: bench/bench_sync.c. */
#define BX_TRK_SYNC_Z 6.0
#define BX_TRK_SYNC_MARGIN 2.0
#include <stdint.h>
int bx_trk_sec_search(const float *buf, int m, const int8_t *sec, int L, int *offset, int *negative);
/* The same on complex products (B1C differential sync): z = |sum buf[i] sec[o + i]| /
 * sqrt(sum |buf|^2), blind to a common phase; the same thresholds.  1 and *offset when found. */
int bx_trk_sec_search_c(const float complex *buf, int m, const int8_t *sec, int L, int *offset);

#endif
