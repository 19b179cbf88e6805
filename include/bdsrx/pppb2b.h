/*
 * bdsrx — PPP-B2b correction messages (BDS-SIS-ICD-PPP-B2b-1.0), condensed in
 * shared/icd/pppb2b.md: message types 1-7 and 63 decoded into typed structures in SI
 * units, a correction store (newest set per satellite and broadcasting GEO, with the
 * IOD SSR / IODP / IODN / IOD Corr rules and expiry), and the application of the
 * corrections to a B-CNAV1 broadcast orbit and clock.
 *
 * Bits: the 486-bit information block as delivered by bx_cnav3_decode (navframe.h),
 * one byte per bit, MesType = bits[0..5], CRC-24Q = bits[462..485].
 *
 * Confidence of the layouts (pppb2b.md §2): MT1-4 and 63 verified on real data [V];
 * MT5, MT6, MT7 follow two consistent decoders only [S] (never observed on air).
 *
 * Thread safety: the parse/format functions are pure; a bx_b2b_store_t is not
 * internally locked (one writer, or external locking); const queries on a store that
 * nobody writes may run concurrently.
 */
#ifndef BDSRX_PPPB2B_H
#define BDSRX_PPPB2B_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_B2B_BITS 486      /* MesType 6 | data 456 | CRC 24 (pppb2b.md §1) */
#define BX_B2B_NSLOT 255     /* satellite slots 1..255 (pppb2b.md §3 MT1) */
#define BX_B2B_GEO_MIN 59    /* PPP-B2b is broadcast by the BDS-3 GEOs C59..C63 (§1) */
#define BX_B2B_GEO_MAX 63

/* Scale factors (pppb2b.md §3 MT2/MT3/MT4, §6) */
#define BX_B2B_RADIAL_LSB_M 0.0016
#define BX_B2B_ALONG_LSB_M 0.0064
#define BX_B2B_CROSS_LSB_M 0.0064
#define BX_B2B_C0_LSB_M 0.0016
#define BX_B2B_DCB_LSB_M 0.017

/* GNSS of a satellite slot (pppb2b.md §3 MT1): 1-63 BDS, 64-100 GPS, 101-137 Galileo,
 * 138-174 GLONASS, 175-255 reserved. */
enum { BX_B2B_SYS_NONE = 0, BX_B2B_SYS_BDS, BX_B2B_SYS_GPS, BX_B2B_SYS_GAL, BX_B2B_SYS_GLO };
/* System and PRN of a slot; returns the system (BX_B2B_SYS_NONE for 0 / reserved). */
int bx_b2b_slot_sat(int slot, int *prn);
/* "C19", "G01", "E05", "R03", or "S175" for reserved slots; buf >= 8 chars. */
const char *bx_b2b_slot_name(int slot, char *buf, size_t n);
/* Slot of a BDS PRN (1..63) = the PRN. */
static inline int bx_b2b_bds_slot(int prn) { return prn; }
/* Signal name of a 4-bit MT3 signal code for a system (pppb2b.md §3 MT3 table), e.g.
 * "B1C(P)"; "?" for codes the table leaves undefined. */
const char *bx_b2b_signal_name(int sys, int code);
/* MT3 codes of the BDS signals (pppb2b.md §3 MT3 table [V]) */
enum { BX_B2B_SIG_B1I = 0, BX_B2B_SIG_B1CD = 1, BX_B2B_SIG_B1CP = 2, BX_B2B_SIG_B2AD = 4,
       BX_B2B_SIG_B2AP = 5, BX_B2B_SIG_B2BI = 7, BX_B2B_SIG_B2BQ = 8, BX_B2B_SIG_B3I = 12 };

/* URA from class (3 MSBs) and value (3 LSBs) of the 6-bit index (pppb2b.md §5):
 * URA <= 3^class (1 + value/4) - 1 mm.  Returns metres; NAN for index 0 (unknown),
 * 5.4665 for index 63 (URA > 5466.5 mm). */
double bx_b2b_ura_m(int ura_class, int ura_value);

/* Orbit correction of one satellite (MT2 record, MT6/MT7 orbit block; pppb2b.md §3 MT2) */
typedef struct {
    int slot;              /* 0 = empty record */
    int iodn;              /* 10 bits: IODC of the B-CNAV1 ephemeris (BDS), IODE (GPS) */
    int iod_corr;          /* 3 bits */
    double radial_m, along_m, cross_m;
    int valid;             /* 0 when a component holds the "no value" code (-2^(n-1) or
                              -(2^(n-1)-1), as cssrlib; the values are then NAN) */
    int ura_class, ura_value;
} bx_b2b_orbit_t;

/* Clock correction of one satellite (MT4 entry; MT6/MT7; pppb2b.md §3 MT4) */
typedef struct {
    int slot;              /* satellite slot (resolved through the mask for MT4/MT6; 0 unknown) */
    int iod_corr;
    double c0_m;           /* NAN when invalid */
    int raw;               /* the 15-bit field as signed integer */
    int valid;             /* 0 for raw -16383 or -16384 ("no correction", §3 MT4) */
} bx_b2b_clock_t;

#define BX_B2B_MAX_DCB 16
typedef struct {
    int slot;
    int n;                 /* number of biases */
    int code[BX_B2B_MAX_DCB];      /* 4-bit signal code (§3 MT3 table) */
    double dcb_m[BX_B2B_MAX_DCB];  /* NAN when invalid */
} bx_b2b_dcb_t;

typedef struct {
    int epoch_s;           /* seconds of the BDT day, 0..86399 (pppb2b.md §2) */
    int reserved4;         /* not zero on air (§2), kept raw */
    int iod_ssr;
} bx_b2b_head_t;

typedef struct {
    int type;              /* MesType 1..63 */
    bx_b2b_head_t h;       /* MT1-5; MT6/MT7: the clock block's header if num_c > 0, else the
                              orbit block's */
    union {
        struct { int iodp; uint8_t mask[BX_B2B_NSLOT + 1]; /* [slot], 1 = provided */
                 int n_sat; } mt1;
        struct { bx_b2b_orbit_t sat[6]; } mt2;
        struct { int n_sat; bx_b2b_dcb_t sat[31]; } mt3;
        struct { int iodp, st1; bx_b2b_clock_t clk[23]; } mt4;   /* clk[k].slot = 0 until
                                                                    resolved with a mask */
        struct { int iodp, st2; int ura_class[70], ura_value[70]; } mt5;
        struct { int num_c, num_o; bx_b2b_head_t hc, ho; int iodp, slot_s;
                 bx_b2b_clock_t clk[31]; bx_b2b_orbit_t orb[7]; } mt6;
        struct { int num_c, num_o; bx_b2b_head_t hc, ho;
                 bx_b2b_clock_t clk[31]; bx_b2b_orbit_t orb[7]; } mt7;
    } u;
} bx_b2b_msg_t;

/* Parses a 486-bit block (CRC not checked: the frame decoder or bx_crc24q_check does it).
 * Returns BX_OK; BX_ERR_FORMAT when a variable-length message (MT3, MT6, MT7) overruns the
 * 462 data bits or MT63 carries non-zero data; BX_ERR_UNSUPPORTED for reserved types
 * 8-62 (type filled); BX_ERR_ARG for NULL. */
int bx_b2b_parse(const uint8_t bits[BX_B2B_BITS], bx_b2b_msg_t *m);
/* Inverse (for simulators and round-trip tests): writes MesType..data and the CRC. */
int bx_b2b_pack(const bx_b2b_msg_t *m, uint8_t bits[BX_B2B_BITS]);
/* Mask position -> slot: the (idx+1)-th slot flagged in mask (pppb2b.md §3 MT4: entry k
 * of subtype ST1 is masked satellite 23*ST1+k).  0 when idx is past the last one. */
int bx_b2b_mask_slot(const uint8_t mask[BX_B2B_NSLOT + 1], int idx);

/* One line of a cssrlib-data PPP-B2b log (nav/fmt/b2b_log.c):
 *   "GPS_week GPS_TOW PRN src_type nbytes HEX"  (HEX = the 486-bit block, zero padded)
 * -> receive time (BDT), broadcasting PRN, bits.  CRC not checked.  BX_OK / BX_ERR_FORMAT. */
int bx_b2b_log_parse(const char *line, bx_time_t *t_rx, int *prn, uint8_t bits[BX_B2B_BITS]);

/* ---------------- correction store ---------------- */

typedef struct {
    /* largest age (t - correction epoch) accepted; pppb2b.md §4.5: the ICD's limits are
       not transcribed [U]; defaults below are cssrlib's (clock 30 s, orbit 120 s, code bias
       120 s) widened for the orbit to the observed refresh interval (see nav/README.md). */
    double max_age_clock_s, max_age_orbit_s, max_age_dcb_s;
} bx_b2b_cfg_t;
void bx_b2b_cfg_default(bx_b2b_cfg_t *c);  /* clock 30 s, orbit 180 s, DCB 180 s */

typedef struct bx_b2b_store bx_b2b_store_t;

int bx_b2b_store_create(const bx_b2b_cfg_t *cfg /* NULL = defaults */, bx_b2b_store_t **out,
                        char *err, size_t errlen);
void bx_b2b_store_destroy(bx_b2b_store_t *s);

/* Outcome of bx_b2b_store_add */
enum {
    BX_B2B_ADD_OK = 0,          /* message applied */
    BX_B2B_ADD_NOMASK = 1,      /* no MT1 yet from this GEO */
    BX_B2B_ADD_IODSSR = 2,      /* IOD SSR differs from the mask's (pppb2b.md §4.2) */
    BX_B2B_ADD_IODP = 3,        /* IODP differs from the mask's (§4.2) */
    BX_B2B_ADD_IGNORED = 4      /* MT63, reserved types */
};
/* Adds a decoded message broadcast by GEO geo_prn (59..63; state is kept per GEO,
 * pppb2b.md §4.1) and received at t_rx (BDT; resolves the day of the epoch: the epoch
 * time nearest t_rx).  MT1 with a new IODP or IOD SSR clears that GEO's corrections.
 * Returns BX_B2B_ADD_* (>= 0) or BX_ERR_ARG. */
int bx_b2b_store_add(bx_b2b_store_t *s, int geo_prn, bx_time_t t_rx, const bx_b2b_msg_t *m);
/* Fills the satellite slots of the clock entries of an MT4 / MT6 from the current mask
 * of GEO geo_prn (entry k of MT4 subtype ST1 = masked satellite 23*ST1 + k, §3 MT4;
 * MT6: masked satellite Slot_S + k [U]); slot 0 where the mask has fewer satellites.
 * Returns BX_OK (also for other types, untouched), BX_B2B_ADD_NOMASK / _IODP. */
int bx_b2b_store_resolve(const bx_b2b_store_t *s, int geo_prn, bx_b2b_msg_t *m);
/* Full BDT time of an epoch (seconds of day) received at t_rx. */
bx_time_t bx_b2b_epoch_time(int epoch_s, bx_time_t t_rx);
/* Re-dates the entries stored before the caller knew the day: a receiver without a time
 * scale adds messages at t_rx = their epoch on day 0 of bx_time_t (BDT 2006-01-01), which
 * keeps ages right within the day but makes every such entry look days old once the real
 * time is known.  Every stored time stamp on that day 0 is moved to the same second of day
 * nearest t_ref (bx_b2b_epoch_time); other time stamps are left alone.  Returns the number of
 * time stamps moved (0 when none), or BX_ERR_ARG. */
int bx_b2b_store_redate(bx_b2b_store_t *s, bx_time_t t_ref);

/* Current corrections of one satellite, as used for positioning */
typedef struct {
    int geo_prn;            /* GEO whose messages these are */
    int iod_ssr;
    int iodn, iod_corr;
    double radial_m, along_m, cross_m;   /* orbit correction (§3 MT2) */
    bx_time_t t_orbit;
    double c0_m;            /* clock correction C0 (§3 MT4) */
    bx_time_t t_clock;
    double ura_m;           /* NAN unknown */
    int have_dcb;
    bx_b2b_dcb_t dcb;
    bx_time_t t_dcb;
} bx_b2b_corr_t;

/* Reasons a satellite has no usable correction (bx_b2b_store_get) */
enum {
    BX_B2B_NO_ORBIT = 1,        /* no orbit correction (or invalid) */
    BX_B2B_NO_CLOCK = 2,        /* no valid clock correction with the orbit's IOD Corr (§4.4) */
    BX_B2B_OLD_ORBIT = 3,       /* older than max_age_orbit_s */
    BX_B2B_OLD_CLOCK = 4,       /* older than max_age_clock_s */
    BX_B2B_NO_EPH = 5,          /* no broadcast ephemeris with IODC == IODN (§4.3) */
    BX_B2B_GEO_UNKNOWN = 6      /* geo_prn given and nothing from that GEO */
};
/* Corrections of slot valid at t (BDT): the orbit and a clock with the same IOD Corr (the
 * newest clock, else the previous one of that satellite if its IOD Corr matches: §4.4),
 * each within its age limit; the code biases if within theirs (have_dcb).  geo_prn 0 =
 * any GEO (the one with the newest valid clock, chosen per satellite).  Positioning should
 * pin one GEO: the streams of different IOD SSR carry clock corrections that differ by
 * satellite-specific constants (up to 2 m on 2023-08-11, nav/README.md), so mixing GEOs
 * across satellites or epochs breaks the common clock datum.  Returns BX_OK, or a BX_B2B_NO_* /
 * BX_B2B_OLD_* reason (> 0), or BX_ERR_ARG. */
int bx_b2b_store_get(const bx_b2b_store_t *s, int geo_prn, int slot, bx_time_t t, bx_b2b_corr_t *out);
/* Text for a BX_B2B_ADD_* or BX_B2B_NO_* / OLD_* code */
const char *bx_b2b_add_str(int code);
const char *bx_b2b_reason_str(int code);

/* ---------------- application (nav/geo/pppb2b_apply.c) ---------------- */

/* The B-CNAV1 ephemeris in nav a BDS orbit correction refers to: same PRN, source B1C and
 * IODC == iodn (pppb2b.md §4.3 [V]), the nearest in t_oe to t within BX_NAV_MAX_AGE_S.
 * NULL if none. */
const bx_eph_t *bx_b2b_find_eph(const bx_nav_t *nav, int prn, int iodn, bx_time_t t);

/* Corrected satellite position (CGCS2000 ECEF, antenna phase centre like the broadcast
 * orbit) and clock (s, B3I-referenced) at transmit time t (BDT), pppb2b.md §5 [V]:
 *   e_r = r/|r|, e_c = r x v / |r x v|, e_a = e_c x e_r,
 *   r_corr = r_brdc - (radial e_r + along e_a + cross e_c),  dt_corr = dt_brdc - C0/c.
 * brdc_pos/brdc_clk (optional) receive the broadcast-only values.  BX_OK or an error of
 * bx_satpos. */
int bx_b2b_apply(const bx_eph_t *e, const bx_b2b_corr_t *c, bx_time_t t, double pos_m[3],
                 double *clk_s, double brdc_pos_m[3], double *brdc_clk_s);

/* Code bias of a BDS signal from the corrections (pppb2b.md §5: P_corrected = P - DCB);
 * NAN when not broadcast. */
double bx_b2b_dcb_m(const bx_b2b_corr_t *c, int code);

#ifdef __cplusplus
}
#endif
#endif
