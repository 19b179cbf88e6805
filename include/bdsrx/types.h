/*
 * bdsrx — common vocabulary shared by the signal path, the navigation code,
 * the file readers and the solvers (RTKLIB-style plain data types).
 *
 * Stable public API: fields may be appended, never reordered or removed.
 *
 * Threads: plain data types; bx_strerror is pure.
 */
#ifndef BDSRX_TYPES_H
#define BDSRX_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: every fallible function returns one of these (0 = success,
 * negative = error).  bx_strerror() gives a short English text; functions
 * that can say more print or return a detailed message themselves. */
typedef enum {
    BX_OK = 0,
    BX_ERR_ARG = -1,         /* invalid argument */
    BX_ERR_IO = -2,          /* read/write/open failure */
    BX_ERR_FORMAT = -3,      /* malformed input (file, message, sidecar) */
    BX_ERR_NOMEM = -4,       /* allocation failed */
    BX_ERR_EOF = -5,         /* end of input */
    BX_ERR_CRC = -6,         /* CRC / parity check failed */
    BX_ERR_DECODE = -7,      /* FEC decoding failed */
    BX_ERR_NOFIX = -8,       /* no position solution */
    BX_ERR_DEVICE = -9,      /* front-end device error */
    BX_ERR_UNSUPPORTED = -10 /* feature or format not supported */
} bx_status_t;

const char *bx_strerror(int status);

/* Signals: those the receiver tracks (B1C, B2a), B2b, and the ones that
 * base stations and public data carry (read from RINEX / RTCM3, written to
 * RTCM3): BDS legacy B1I/B2I/B3I (BDS-SIS-ICD-B1I-3.0 / B3I-1.0) and GPS.
 * The satellite system follows from the signal (bx_signal_sys).  Values
 * stay below 16 (bx_eph_t.source shares the numbering). */
typedef enum {
    BX_SIG_B1C = 0, /* 1575.42 MHz, B-CNAV1 (RINEX band 1) */
    BX_SIG_B2A = 1, /* 1176.45 MHz, B-CNAV2 (band 5) */
    BX_SIG_B2B = 2, /* 1207.14 MHz, B-CNAV3 / PPP-B2b (band 7, BDS-3) */
    BX_SIG_B1I = 3, /* 1561.098 MHz, D1/D2 (band 2) */
    BX_SIG_B2I = 4, /* 1207.14 MHz, D1/D2 (band 7, BDS-2) */
    BX_SIG_B3I = 5, /* 1268.52 MHz, D1/D2 (band 6) */
    BX_SIG_GPS_L1 = 6, /* GPS 1575.42 MHz (C/A, L1C; RINEX band 1, attribute in bx_obsd_t.code) */
    BX_SIG_GPS_L2 = 7, /* GPS 1227.60 MHz (band 2) */
    BX_SIG_GPS_L5 = 8, /* GPS 1176.45 MHz (band 5) */
    BX_SIG_COUNT
} bx_signal_t;

#define BX_PRN_MAX 63 /* BDS PRN 1..63 */

/* Carrier frequencies (ICD B1C/B2a/B2b §4, shared/icd/signals.md §1). */
#define BX_FREQ_B1C_HZ 1575.42e6
#define BX_FREQ_B2A_HZ 1176.45e6
#define BX_FREQ_B2B_HZ 1207.14e6
/* BDS-SIS-ICD-B1I-3.0 §4.2 / B3I-1.0 §4.2; IS-GPS-200 §3.3.1.1, IS-GPS-705 §3.3.1.1 */
#define BX_FREQ_B1I_HZ 1561.098e6
#define BX_FREQ_B2I_HZ 1207.14e6
#define BX_FREQ_B3I_HZ 1268.52e6
#define BX_FREQ_L1_HZ 1575.42e6
#define BX_FREQ_L2_HZ 1227.60e6
#define BX_FREQ_L5_HZ 1176.45e6
#define BX_CLIGHT_MPS 299792458.0

/* Time: whole seconds since the BDT epoch (2006-01-01 00:00:00 UTC, BDT week 0)
 * plus a fraction 0 <= frac_s < 1.  Sub-ns precision over any span.  The time
 * system (BDT, GPST, UTC) is the caller's contract; nav/geo/time.c converts. */
typedef struct {
    int64_t sec;
    double frac_s;
} bx_time_t;

/* One observation of one signal of one satellite at one epoch. */
enum {
    BX_OBS_PR = 1u << 0,   /* pseudorange_m valid */
    BX_OBS_CP = 1u << 1,   /* carrier_cycles valid */
    BX_OBS_DOP = 1u << 2,  /* doppler_hz valid */
    BX_OBS_CN0 = 1u << 3,  /* cn0_dbhz valid */
    BX_OBS_HALF = 1u << 4, /* half-cycle ambiguity unresolved */
    BX_OBS_SLIP = 1u << 5  /* loss of lock / cycle slip since last epoch */
};

typedef struct {
    uint8_t prn;          /* 1..63 */
    uint8_t sig;          /* bx_signal_t */
    uint8_t pilot;        /* 1 = pilot component (RINEX 'P'), 0 = data ('D') */
    uint8_t flags;        /* BX_OBS_* */
    double pseudorange_m;
    double carrier_cycles; /* accumulated carrier phase, cycles, RINEX sign */
    double doppler_hz;     /* RINEX sign: positive for approaching satellite */
    double cn0_dbhz;
    double lock_s;         /* time since carrier lock */
    /* appended */
    char code;             /* RINEX 3 attribute of the tracked signal ('P', 'D', 'X', 'I', 'Q',
                              'C', 'W', 'L', 'S' ...); 0 = from `pilot` (P / D) */
    double arc_s;          /* age of the continuous carrier-phase arc (since the last LLI / slip):
                              what RTCM lock-time indicators carry; <= lock_s.  0 with no phase */
} bx_obsd_t;

#define BX_OBS_MAX 128

/* Satellite system of a signal: 'C' (BDS) or 'G' (GPS); RINEX band digit
 * ('1', '2', '5', '6', '7'); carrier frequency in Hz (0 for an unknown
 * signal); RINEX attribute of an observation (code, or P/D from pilot). */
static inline char bx_signal_sys(int sig)
{
    return sig >= BX_SIG_GPS_L1 && sig <= BX_SIG_GPS_L5 ? 'G' : 'C';
}
static inline char bx_signal_band(int sig)
{
    static const char b[BX_SIG_COUNT] = {'1', '5', '7', '2', '7', '6', '1', '2', '5'};
    return sig >= 0 && sig < BX_SIG_COUNT ? b[sig] : '?';
}
static inline double bx_signal_freq_hz(int sig)
{
    static const double f[BX_SIG_COUNT] = {BX_FREQ_B1C_HZ, BX_FREQ_B2A_HZ, BX_FREQ_B2B_HZ, BX_FREQ_B1I_HZ,
                                           BX_FREQ_B2I_HZ, BX_FREQ_B3I_HZ, BX_FREQ_L1_HZ,  BX_FREQ_L2_HZ,
                                           BX_FREQ_L5_HZ};
    return sig >= 0 && sig < BX_SIG_COUNT ? f[sig] : 0.0;
}

/* All observations of one receiver epoch. */
typedef struct {
    bx_time_t time; /* receiver time of the epoch, BDT */
    int n;
    bx_obsd_t d[BX_OBS_MAX];
} bx_obs_t;

#ifdef __cplusplus
}
#endif
#endif
