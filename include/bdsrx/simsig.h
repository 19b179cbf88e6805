/*
 * bdsrx — signal-level simulator core: B1C / B2a satellite signals plus AWGN
 * as complex float samples (pack them into any capture format with
 * bx_iq_pack, iq.h).
 *
 * Usage:
 *   bx_simsig_config_t c;  bx_simsig_config_default(&c, 4.092e6);  c.seed = 7;
 *   bx_simsig_t *g; if (bx_simsig_create(&c, &g, err, sizeof err) != BX_OK) fail(err);
 *   for each block (e.g. every millisecond):
 *       for each satellite slot i: bx_simsig_set_sat(g, i, &sat)   (sat.tx_time = transmit time of
 *                                  the signal arriving with the block's first sample, sat.tx_rate)
 *       bx_simsig_generate(g, buf, n);   bx_iq_pack(format, buf, n, 1.0f, raw);
 *   bx_simsig_destroy(g);
 *
 * Signal model (shared/icd/signals.md §1):
 *   B1C: s = 1/2 D C_d sc_a + j (sqrt(3)/2) C_s C_p sc_p,  sc_a = sine BOC(1,1), sc_p = sc_a (BOC(1,1)
 *        only) or the QMBOC form sqrt(29/33) sc_a - j sqrt(4/33) sc_b (sc_b = sine BOC(6,1)), D = data
 *        symbol (100 sps, one per 10-ms primary period), C_s = 1800-chip pilot secondary code.
 *   B2a: s = (D S_d C_d + j C_s C_p) / sqrt(2), BPSK(10); D = 200 sps symbol, S_d = 5-chip data
 *        secondary code 00010 (one chip per 1-ms period), C_s = 100-chip pilot secondary code.
 *   All codes, secondary codes and symbols follow from the transmit time tau(t) of the received
 *   signal: chip = tau * chip rate, secondary chip n = n-th primary period since the frame start,
 *   B1C frames start at multiples of 18 s, B2a frames at multiples of 3 s of tau (signals.md §1.3).
 *   The carrier is coherent with the code: phase = f_sig (tau(t) - t) + (f_sig - fc + if) t cycles, so
 *   Doppler = f_sig (dtau/dt - 1); tau jumps between set_sat calls move the carrier phase by f_sig * jump.
 *   Samples are ideal (infinite bandwidth, no front-end filter).
 *
 * Levels: complex noise with sigma = noise_sigma per component (E|n|^2 = 2 sigma^2); a signal of
 * C/N0 has power C = 10^(cn0/10) * 2 sigma^2 / fs.  Real output (real_output = 1, for ri8 / ri1):
 * the real part of the complex signal at `if_hz`; its amplitude is raised by sqrt(2) so that C/N0
 * after a receiver's complex mix-down is the requested value; noise sigma is noise_sigma.
 * The signal amplitudes are the same with noise off (noise = 0), so C/N0 keeps its meaning.
 *
 * Threads: a bx_simsig_t is used by one thread at a time; distinct generators run concurrently.
 */
#ifndef BDSRX_SIMSIG_H
#define BDSRX_SIMSIG_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/iq.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Data symbol source: returns the logic value (0 or 1) of the data symbol that starts at transmit
 * time t_sym (an exact multiple of 10 ms for B1C, 5 ms for B2a); symbol_index = symbols since the
 * BDT epoch (t_sym / symbol period).  Called once per symbol and satellite. */
typedef int (*bx_simsig_symbol_fn)(void *user, int slot, int sig, int prn, bx_time_t t_sym, int64_t symbol_index);

typedef struct {
    double fs_hz;        /* sample rate */
    double fc_hz;        /* receiver centre (LO) frequency; 0 = each signal at its own nominal carrier */
    double if_hz;        /* added carrier offset of the output (real output: the IF) */
    int real_output;     /* 1: real samples (imaginary part 0), 0: complex */
    double noise_sigma;  /* noise RMS per component in output units (see bx_simsig_default_sigma) */
    int noise;           /* 1: add AWGN (default), 0: signals only */
    uint64_t seed;       /* noise seed; the same seed gives the same noise */
    int max_sats;        /* slots, default 32 */
    int b1c_qmboc;       /* 1: B1C pilot with its BOC(6,1) part (QMBOC), 0: BOC(1,1) only (default) */
    bx_simsig_symbol_fn symbol; /* NULL: all data symbols logic 0 */
    void *user;
    int tau_phase;       /* 1: each carrier starts at the phase of its transmit time, f tau - (f_LO - f_IF) t,
                            so captures of two receivers started together have whole-cycle single
                            differences (RTK); 0 (default): carrier phase 0 at the first sample */
} bx_simsig_config_t;

/* Defaults: fs_hz as given, fc_hz 0, if_hz 0, complex, noise_sigma 1, noise on, seed 1, 32 slots,
 * BOC(1,1)-only B1C pilot, no symbol source. */
void bx_simsig_config_default(bx_simsig_config_t *c, double fs_hz);

/* Noise sigma that suits a capture format when packing with scale 1: ci8/ri8 20, ci16 2000,
 * cf32 1, ci2 2 (quantiser thresholds at +-1 sigma), ri1 1. */
float bx_simsig_default_sigma(int format);

typedef struct bx_simsig bx_simsig_t;

/* BX_ERR_ARG on bad configuration (fs_hz <= 0, noise_sigma <= 0, max_sats < 1), BX_ERR_NOMEM;
 * *out = NULL then.  All memory is allocated here. */
int bx_simsig_create(const bx_simsig_config_t *c, bx_simsig_t **out, char *err, size_t errlen);

typedef struct {
    int sig;            /* BX_SIG_B1C, BX_SIG_B2A or BX_SIG_B2B (B2b-I: data only, BPSK(10),
                           1000 sps, 1 s frames; no B2b-Q) */
    int prn;            /* 1..63 */
    bx_time_t tx_time;  /* transmit time (signal time, BDT scale) of the signal arriving with the next
                           sample bx_simsig_generate produces */
    double tx_rate;     /* d tx_time / d receiver time (1 - range rate / c, clock drift included);
                           0 = take it from doppler_hz */
    double doppler_hz;  /* used only when tx_rate == 0: tx_rate = 1 + doppler_hz / f_sig */
    double cn0_dbhz;    /* carrier-to-noise density of the whole signal (data + pilot) */
    double carrier_adv_cyc; /* appended: carrier phase ahead of the code-coherent phase (cycles), e.g.
                               2 f I / c for a code delay I of the ionosphere; changes between calls
                               move the carrier by the difference */
} bx_simsig_sat_t;

/* Sets slot i (0..max_sats-1) for the samples from now on.  Calling it again for the same signal
 * and PRN keeps the carrier continuous (corrected by any jump in tx_time against the extrapolated
 * value); a new signal/PRN starts with carrier phase 0.  Without further calls the slot keeps
 * running at tx_rate.  BX_ERR_ARG for a bad slot, signal or PRN. */
int bx_simsig_set_sat(bx_simsig_t *g, int i, const bx_simsig_sat_t *sat);

/* Clears slot i. */
int bx_simsig_remove_sat(bx_simsig_t *g, int i);

/* Current (extrapolated) state of slot i: tx_time of the next sample and the carrier phase
 * (cycles, in [0,1)) of that sample.  BX_ERR_ARG if the slot is empty. */
int bx_simsig_get_sat(const bx_simsig_t *g, int i, bx_simsig_sat_t *sat, double *carrier_phase_cycles);

/* Generates the next n samples into out (overwritten).  Any n; no allocation. */
int bx_simsig_generate(bx_simsig_t *g, bx_cf32_t *out, size_t n);

/* Samples generated so far. */
uint64_t bx_simsig_sample_index(const bx_simsig_t *g);

void bx_simsig_destroy(bx_simsig_t *g); /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
