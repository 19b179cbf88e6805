/*
 * bdsrx — RTCM 3.3 (RTCM 10403.3) messages: frame sync and CRC-24Q, decoding
 * of the observation and station messages a base station sends, encoding of
 * what a bdsrx base sends.
 *
 * Decoded: MSM4-MSM7 for GPS (1074-1077) and BDS (1124-1127) -> bx_obs_t
 * epochs; 1005/1006 (station ARP, antenna height); 1033 (antenna and
 * receiver descriptors); 1042 (BDS D1/D2 ephemeris -> bx_eph_t) and 1019
 * (GPS LNAV ephemeris -> bx_gps_eph_t).  Other messages are framed, checked
 * and reported by number only.
 * Encoded: BDS MSM7 (1127) from a bx_obs_t (B1I B2I B3I B1C B2a B2b), 1005 /
 * 1006.  Frames: preamble 0xD3, 6 reserved bits, 10-bit length, payload,
 * CRC-24Q (RTCM 10403.3 §4.2; the CRC of nav/fec/crc24q.c).
 *
 * MSM signal ids (DF395, 1-based bit position in the signal mask) follow RTCM
 * 10403.3 Table 3.5-91 (GPS) and Table 3.5-108 (BDS, with the BDS-3 entries
 * of its amendments): GPS 2 1C, 3 1P, 4 1W, 8 2C, 9 2P, 10 2W, 15 2S, 16 2L,
 * 17 2X, 22 5I, 23 5Q, 24 5X, 30 1S, 31 1L, 32 1X; BDS 2 2I, 3 2Q, 4 2X, 8 6I,
 * 9 6Q, 10 6X, 14 7I, 15 7Q, 16 7X, 22 5D, 23 5P, 24 5X, 25 7D, 26 7P, 27 7Z,
 * 30 1D, 31 1P, 32 1X.  (Cross-checked against the tables of RTKLIB 2.5
 * rtcm3.c msm_sig_gps / msm_sig_cmp and PocketSDR's reading of 3.5-108 for
 * 25-27, as secondary sources.)  Debian's RTKLIB 2.4.3 knows only the BDS-2
 * ids 2-16.
 *
 * Times: bx_obs_t.time is BDT (GPS MSM epochs are GPST - 14 s).  MSMs carry the
 * time of week only: the week comes from an approximate time (config, else
 * the first ephemeris, else the host clock) and follows the data.
 *
 * Thread safety: a decoder or encoder object is used by one thread at a
 * time; different objects are independent.  No global state.
 */
#ifndef BDSRX_RTCM3_H
#define BDSRX_RTCM3_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_RTCM3_MAXLEN 1023 /* payload bytes (10-bit length) */
#define BX_RTCM3_MAXSAT 64
#define BX_RTCM3_MAXCELL 64

/* One MSM cell (satellite x signal) as decoded, SI units; NaN where the
 * message marks a value invalid or the MSM type does not carry it. */
typedef struct {
    uint8_t prn;           /* satellite id 1..64 (GPS PRN, BDS PRN) */
    uint8_t sig_id;        /* DF395 signal id 1..32 */
    char rnx[3];           /* RINEX band + attribute ("2I", "1C"), "" if the id is not assigned */
    double pseudorange_m;
    double phaserange_m;   /* carrier phase range, m (cycles = this / lambda) */
    double phaserate_mps;  /* MSM5/7 only */
    double lock_ms;        /* minimum lock time (DF402 / DF407 table) */
    int half_cycle;        /* DF420: half-cycle ambiguity */
    double cnr_dbhz;
} bx_rtcm3_cell_t;

typedef struct {
    char sys;              /* 'G' or 'C' */
    int msm;               /* 4..7 */
    uint32_t tow_ms;       /* DF004 (GPS, GPST) / DF427 (BDS, BDT) */
    int sync;              /* DF393: more MSMs of this epoch follow */
    int iods, clk_steer, ext_clk, smooth, smooth_int;
    int nsat, nsig, ncell;
    uint8_t prn[BX_RTCM3_MAXSAT];
    uint8_t sig_id[32];
    bx_rtcm3_cell_t cell[BX_RTCM3_MAXCELL];
} bx_rtcm3_msm_t;

typedef struct {
    int itrf_year;         /* DF021 */
    int gps, glo, gal;     /* DF022-024 service indicators */
    int ref_station;       /* DF141: 1 = physical reference station */
    int single_osc;        /* DF142 */
    int quarter_cycle;     /* DF364 */
    double arp_ecef_m[3];  /* DF025-027 */
    double ant_height_m;   /* DF028 (1006), 0 for 1005 */
} bx_rtcm3_station_t;

typedef struct {
    char antenna[32], ant_serial[32], receiver[32], firmware[32], rcv_serial[32];
    int setup_id;
} bx_rtcm3_antinfo_t;

typedef struct {
    int type;              /* message number (DF002) */
    int station_id;        /* DF003 where the message has it, else -1 */
    int len;               /* payload bytes */
    int status;            /* BX_OK, BX_ERR_FORMAT (too short / bad field), BX_ERR_UNSUPPORTED */
    int epoch_done;        /* an observation epoch is complete: take it with bx_rtcm3_dec_obs */
    union {
        bx_rtcm3_msm_t msm;         /* 1074-1077, 1124-1127 */
        bx_rtcm3_station_t sta;     /* 1005, 1006 */
        bx_rtcm3_antinfo_t ant;     /* 1033 */
        bx_eph_t bds;               /* 1042 */
        bx_gps_eph_t gps;           /* 1019 */
    } u;
} bx_rtcm3_msg_t;

/* ---- frames ---- */
/* Payload (without header/CRC) -> frame; returns the frame length or BX_ERR_ARG. */
int bx_rtcm3_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t outlen);

/* ---- decoder ---- */
typedef struct {
    bx_time_t approx_bdt;  /* approximate time for the week of MSM epochs; {0,0}: the first
                              ephemeris' week, else the host clock */
} bx_rtcm3_dec_config_t;

typedef struct {
    uint64_t bytes, frames, crc_errors, skipped_bytes, unknown, bad;
} bx_rtcm3_stats_t;

typedef struct bx_rtcm3_dec bx_rtcm3_dec_t;

int bx_rtcm3_dec_create(const bx_rtcm3_dec_config_t *cfg, bx_rtcm3_dec_t **out, char *err, size_t errlen);
void bx_rtcm3_dec_destroy(bx_rtcm3_dec_t *d);

/* Feeds bytes.  Consumes input until a frame with a valid CRC is complete:
 * returns 1 with *used = bytes consumed and msg filled (msg->status says
 * whether its content decoded), or 0 when all n bytes were consumed without a
 * complete frame.  Bytes that are not part of a valid frame are skipped
 * (resynchronisation on the next 0xD3 after a CRC error). */
int bx_rtcm3_dec_input(bx_rtcm3_dec_t *d, const uint8_t *buf, size_t n, size_t *used, bx_rtcm3_msg_t *msg);

/* Decodes one payload (no framing) into msg; the decoder's epoch assembly and
 * week tracking are updated as for a framed message. */
int bx_rtcm3_dec_payload(bx_rtcm3_dec_t *d, const uint8_t *payload, size_t len, bx_rtcm3_msg_t *msg);

/* The completed epoch to take (valid after a message with epoch_done = 1,
 * until the next message is decoded; when one message completes two epochs,
 * the second is shown after the next message, which then has epoch_done = 1
 * too): every GPS and BDS cell whose signal maps to a bx_signal_t, with code =
 * RINEX attribute, pilot = 1 for B1C/B2a/B2b P or X, phase in cycles, Doppler
 * = -rate / lambda, LLI: BX_OBS_SLIP when the lock time went down (or the cell
 * is new), BX_OBS_HALF from DF420. */
const bx_obs_t *bx_rtcm3_dec_obs(const bx_rtcm3_dec_t *d);
/* End of input: completes the epoch being assembled; 1 while an epoch is
 * shown by bx_rtcm3_dec_obs (call it until it returns 0 to take them all). */
int bx_rtcm3_dec_flush(bx_rtcm3_dec_t *d);
void bx_rtcm3_dec_stats(const bx_rtcm3_dec_t *d, bx_rtcm3_stats_t *st);

/* Signal id <-> RINEX band/attribute for 'G' / 'C' (tables above); NULL / -1 if none. */
const char *bx_rtcm3_sig_rinex(char sys, int sig_id);
int bx_rtcm3_sig_id(char sys, const char *rnx);

/* ---- encoder (payloads; frame them with bx_rtcm3_frame) ---- */
/* BDS MSM7 (1127) of the BDS observations in obs (B1I B2I B3I B1C B2a B2b;
 * attribute from `code`, else P/D from `pilot`).  sync = 1 if another MSM of
 * the same epoch follows.  lock times: obs lock_s (a slip restarts it; an
 * observation with BX_OBS_SLIP is sent with lock time 0).  Returns the
 * payload length or a negative status (BX_ERR_ARG: more than 64 cells). */
int bx_rtcm3_encode_msm7_bds(const bx_obs_t *obs, int station_id, int sync, uint8_t *out, size_t outlen);
/* A whole epoch as framed BDS MSM7 messages (split by satellites so that each has at
 * most 64 cells; DF393 set on all but the last).  Returns the bytes written to out
 * (0 without BDS observations) or BX_ERR_ARG when out is too small (8 KiB is enough). */
int bx_rtcm3_encode_epoch_bds(const bx_obs_t *obs, int station_id, uint8_t *out, size_t outlen);
/* 1005 (ant_height_m < 0) or 1006 from an ECEF antenna reference point. */
int bx_rtcm3_encode_station(int station_id, const double arp_ecef_m[3], double ant_height_m, uint8_t *out,
                            size_t outlen);

#ifdef __cplusplus
}
#endif
#endif
