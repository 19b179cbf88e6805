/*
 * bdsrx — B-CNAV1 / B-CNAV2 / B-CNAV3 message fields (shared/icd/navmsg.md §2.4-2.5,
 * §3.2, §4.2, §5): decoded message structs, parse (bits -> struct) and pack
 * (struct -> bits, for the simulator; bit-exact inverse of parse), ephemeris
 * assembly into bx_eph_t (nav/msg/ephasm.c), frame start times.
 *
 * Bits: one byte per bit, first transmitted first, as in navframe.h:
 *   B-CNAV1 SF2: 600 bits (576 data + CRC), SF3: 264 bits (240 + CRC);
 *   B-CNAV2: 288 bits PRN|MesType|SOW|data|CRC (no preamble);
 *   B-CNAV3: 486 bits MesType|data|CRC (the unencoded PRN travels beside it).
 * Parse does NOT check the CRC (the frame decoder did; see bx_crc24q_check);
 * pack writes the CRC (bx_crc24q_append).
 *
 * Units: every value is already scaled (ICD scale factor applied), in SI units:
 * semicircles are converted to radians (x pi, pi = 3.1415926535898, orbit.md §1),
 * times in s, lengths in m.  Raw indices (IODs, SISAI, flags) stay integers.
 * Reserved fields are kept raw so that pack(parse(bits)) == bits exactly.
 *
 * Threads: the message parsers and packers are pure; a bx_ephasm_t is used by one thread at a time.
 */
#ifndef BDSRX_NAVMSG_H
#define BDSRX_NAVMSG_H

#include <stdint.h>

#include "bdsrx/eph.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_SC2RAD 3.1415926535898 /* semicircle -> rad, orbit.md §1 */
#ifndef BX_AREF_MEO_M /* same values as orbit.h (orbit.md §1) */
#define BX_AREF_MEO_M 27906100.0
#define BX_AREF_IGSO_GEO_M 42162200.0
#endif

/* ---------------- shared parameter blocks (navmsg.md Tables N2-N4, N9-N15) ---------------- */

/* Ephemeris I, 203 bits (Table N2) */
typedef struct {
    double toe_s;          /* t_oe, s of BDT week (u11 x 300 s) */
    int sat_type;          /* 1 GEO, 2 IGSO, 3 MEO, 0 reserved */
    double dA_m;           /* A = A_ref(sat_type) + dA */
    double Adot_mps;
    double dn0_rad_s;
    double dn0dot_rad_s2;
    double M0_rad;
    double e;
    double omega_rad;
} bx_ephblk1_t;

/* Ephemeris II, 222 bits (Table N3) */
typedef struct {
    double Omega0_rad, i0_rad, Omegadot_rad_s, idot_rad_s;
    double cis_rad, cic_rad, crs_m, crc_m, cus_rad, cuc_rad;
} bx_ephblk2_t;

/* Clock correction, 69 bits (Table N4); B3I-referenced (orbit.md §4) */
typedef struct {
    double toc_s;          /* s of BDT week (u11 x 300 s) */
    double a0_s, a1_s_s, a2_s_s2;
} bx_clkblk_t;

/* SISAI_oc, 22 bits (Table N9): raw indices, t_op scaled */
typedef struct {
    double top_s;          /* u11 x 300 s [S] */
    int sisai_ocb, sisai_oc1, sisai_oc2;
} bx_sisai_oc_t;

/* BDGIM block, 74 bits (Table N10) -> bx_bdgim_t (eph.h), valid = 1 after parsing */
/* BDT-UTC block, 97 bits (Table N11) -> bx_utc_t (eph.h), valid = 1 after parsing */

/* EOP block, 138 bits (Table N12) */
typedef struct {
    double t_eop_s;        /* u16 x 16 s */
    double pm_x_as, pm_x_dot_as_d, pm_y_as, pm_y_dot_as_d; /* arcsec, arcsec/day */
    double dut1_s, dut1_dot_s_d;                          /* s, s/day */
} bx_eop_t;

/* BGTO block, 68 bits (Table N14): t_BDT - t_GNSS = a0 + a1 dt + a2 dt^2 */
typedef struct {
    int gnss_id;           /* 0 n/a, 1 GPS, 2 Galileo, 3 GLONASS [S] */
    int wn0;               /* WN_0BGTO */
    double t0_s;           /* t_0BGTO, u16 x 16 s */
    double a0_s, a1_s_s, a2_s_s2;
} bx_bgto_t;

/* Reduced almanac, 38 bits (Table N13) */
typedef struct {
    int prn;               /* 0 = empty slot */
    int sat_type;
    double dA_m;           /* s8 x 512 m */
    double Omega0_rad;     /* s7 x 2^-6 semicircles */
    double Phi0_rad;       /* s7 x 2^-6 semicircles (M0 + omega at t_oa) */
    int health;
} bx_alm_reduced_t;

/* Midi almanac, 156 bits (Table N15) */
typedef struct {
    int prn, sat_type, wn;
    double toa_s;          /* u8 x 4096 s */
    double e;
    double di_rad;         /* w.r.t. reference inclination [U] */
    double sqrtA_sqrtm;
    double Omega0_rad, Omegadot_rad_s, omega_rad, M0_rad;
    double af0_s, af1_s_s;
    int health;
} bx_alm_midi_t;

/* ---------------- B-CNAV1 (B1C), navmsg.md §2 ---------------- */

typedef struct {
    int wn;                /* BDT week (13 bits) */
    int how;               /* hours of week 0..167: frame start = how*3600 + soh*18 s */
    int iodc, iode;
    bx_ephblk1_t eph1;
    bx_ephblk2_t eph2;
    bx_clkblk_t clk;
    double tgd_b2ap_s, isc_b1cd_s, tgd_b1cp_s;
    int reserved;          /* 7 bits */
} bx_cnav1_sf2_t;

typedef struct {
    int page;              /* PageID 1..4 (others: parse returns BX_ERR_UNSUPPORTED) */
    int hs, dif, sif, aif, sismai; /* B1C health/integrity flags, bits 7-15 */
    union {
        struct { int sisai_oe; bx_sisai_oc_t sisai_oc; bx_bdgim_t iono; bx_utc_t utc;
                 uint32_t reserved; /* 27 bits */ } p1;
        struct { bx_sisai_oc_t sisai_oc; int wn_a; double toa_s; bx_alm_reduced_t alm[4];
                 uint32_t reserved; /* 30 bits */ } p2;
        struct { int sisai_oe; bx_eop_t eop; bx_bgto_t bgto; uint32_t reserved; /* 14 */ } p3;
        struct { bx_sisai_oc_t sisai_oc; bx_alm_midi_t alm; uint64_t reserved; /* 47 */ } p4;
    } u;
} bx_cnav1_sf3_t;

int bx_cnav1_sf2_parse(const uint8_t sf2[600], bx_cnav1_sf2_t *m);
int bx_cnav1_sf2_pack(const bx_cnav1_sf2_t *m, uint8_t sf2[600]);   /* BX_ERR_ARG if out of range */
int bx_cnav1_sf3_parse(const uint8_t sf3[264], bx_cnav1_sf3_t *m);
int bx_cnav1_sf3_pack(const bx_cnav1_sf3_t *m, uint8_t sf3[264]);

/* ---------------- B-CNAV2 (B2a), navmsg.md §3 ---------------- */

typedef struct {
    int hs;                /* -1 in MT10 (no HS there) */
    int dif_b2a, sif_b2a, aif_b2a, sismai, dif_b1c, sif_b1c, aif_b1c;
} bx_cnav2_flags_t;

typedef struct {
    int prn, type;
    int sow;               /* SOW field (18 bits, 3-s units): frame start = 3*sow s of BDT week */
    bx_cnav2_flags_t flags;
    union {
        struct { int wn, iode; bx_ephblk1_t eph1; } mt10;
        struct { bx_ephblk2_t eph2; } mt11;
        struct { bx_clkblk_t clk; int iodc; double tgd_b2ap_s, isc_b2ad_s; bx_bdgim_t iono;
                 double tgd_b1cp_s; uint64_t reserved; /* 33 */ } mt30;
        struct { bx_clkblk_t clk; int iodc, wn_a; double toa_s; bx_alm_reduced_t alm[3];
                 uint32_t reserved; /* 8 */ } mt31;
        struct { bx_clkblk_t clk; int iodc; bx_eop_t eop; uint32_t reserved; /* 5 */ } mt32;
        struct { bx_clkblk_t clk; bx_bgto_t bgto; bx_alm_reduced_t alm; int iodc, wn_a;
                 double toa_s; uint32_t reserved; /* 16 */ } mt33;
        struct { bx_sisai_oc_t sisai_oc; bx_clkblk_t clk; int iodc; bx_utc_t utc;
                 uint32_t reserved; /* 24 */ } mt34;
        struct { int sisai_oe; bx_sisai_oc_t sisai_oc; bx_alm_midi_t alm;
                 uint64_t reserved; /* 39 */ } mt40;
    } u;
} bx_cnav2_msg_t;

/* Types 10, 11, 30-34, 40; others: BX_ERR_UNSUPPORTED (prn/type/sow still filled). */
int bx_cnav2_parse(const uint8_t msg[288], bx_cnav2_msg_t *m);
int bx_cnav2_pack(const bx_cnav2_msg_t *m, uint8_t msg[288]);

/* ---------------- B-CNAV3 (B2b-I), navmsg.md §4 ---------------- */

typedef struct {
    int prn;               /* from the unencoded frame header; not part of the 486 bits */
    int type;
    int sow;               /* s of BDT week (20 bits, 1 s) */
    union {
        struct { int reserved4; bx_ephblk1_t eph1; bx_ephblk2_t eph2; int dif, sif, aif, sismai; } mt10;
        struct { int wn, reserved4; bx_clkblk_t clk; double tgd_b2bi_s; bx_bdgim_t iono; bx_utc_t utc;
                 bx_eop_t eop; bx_sisai_oc_t sisai_oc; int sisai_oe, hs; } mt30;
        struct { bx_bgto_t bgto; bx_alm_midi_t midi; int wn_a; double toa_s; bx_alm_reduced_t alm[5];
                 int reserved; /* 1 */ } mt40;
    } u;
} bx_cnav3_msg_t;

/* Types 10, 30, 40; others BX_ERR_UNSUPPORTED (type/sow filled; sow = bits 7-26, which is
 * not a SOW in PPP-B2b types 1-63 — those are decoded by the PPP-B2b module). */
int bx_cnav3_parse(const uint8_t msg[486], int prn, bx_cnav3_msg_t *m);
int bx_cnav3_pack(const bx_cnav3_msg_t *m, uint8_t msg[486]);

/* ---------------- times ---------------- */
/* Frame start = BDT transmission time of the first symbol of the frame (the leading
 * edge of B-CNAV1 SF1 symbol 1 / the first B-CNAV2 preamble symbol / the first
 * B-CNAV3 preamble symbol).  wn = full BDT week (13-bit WN, no rollover before 2163). */
bx_time_t bx_cnav1_frame_time(int wn, int how, int soh);   /* how*3600 + soh*18 */
bx_time_t bx_cnav2_frame_time(int wn, int sow_field);      /* 3*sow_field */
bx_time_t bx_cnav3_frame_time(int wn, int sow_s);          /* sow_s */
bx_time_t bx_bdt_week_sow(int wn, double sow_s);           /* helper, no normalisation */

/* ---------------- ephemeris conversion and assembly (nav/msg/ephasm.c) ---------------- */

/* Orbit/clock blocks -> bx_eph_t fields (orbit, clock, toe/toc, week, sat_type).
 * week = BDT week of the message that carried t_oe (wn); t_oe/t_oc that lie more
 * than half a week from t_ref_sow are moved into the adjacent week. */
void bx_eph_from_blocks(bx_eph_t *e, int prn, int week, double t_ref_sow, const bx_ephblk1_t *b1,
                        const bx_ephblk2_t *b2, const bx_clkblk_t *c);

/* Inverse for simulators: bx_eph_t -> blocks (t_oe/t_oc as seconds of their BDT week);
 * pack the blocks with bx_cnav1_sf2_pack / bx_cnav2_pack / bx_cnav3_pack. */
void bx_eph_to_blocks(const bx_eph_t *e, bx_ephblk1_t *b1, bx_ephblk2_t *b2, bx_clkblk_t *c);

/* Validity limits applied before an ephemeris is released (orbit.md §6 leaves them open):
 * |t_frame - t_oe| <= BX_EPH_MAX_AGE_S, SatType 1..3, |A - A_ref| < 200 km, e < 0.1. */
#define BX_EPH_MAX_AGE_S 7200.0

/* Assembler: one object per receiver, state per PRN 1..63.
 * Each add call returns 1 and fills *out when a NEW complete ephemeris is released
 * (first time for this issue of data), 0 when nothing new, < 0 on bad arguments.
 * Rules (navmsg.md §2.6):
 *  B-CNAV1: SF2 is complete; released when IODE == IODC & 0xFF and the checks pass.
 *    health = HS and SISAI from SF3 pages of the same PRN (SF3 may be NULL; SF2 is only
 *    released when an SF3 of this PRN gave HS in the same or the previous frame, judged by
 *    SOH).  soh = SOH of the frame (from SF1, bx_cnav1_frame_t.soh).
 *  B-CNAV2: MT10 (Eph I, IODE, WN) + MT11 (Eph II) of the NEXT frame (SOW + 1, i.e. 3 s)
 *    + clock (MT30-34) whose IODC & 0xFF == IODE + group delays from an MT30 with the same
 *    IODC; health = HS of the MT11/MT30.  Halves of different issues are never combined.
 *  B-CNAV3: MT10 (Eph I + II) + MT30 (clock, T_GD_B2bI, HS, WN) with t_oc == t_oe
 *    (no IODs in B-CNAV3: iode = iodc = -1), both received within BX_EPH_MAX_AGE_S.
 * t_frame = frame start time from bx_cnav*_frame_time (for B-CNAV2 the WN comes from the
 * latest MT10 of the PRN, which is why the assembler keeps it). */
typedef struct bx_ephasm bx_ephasm_t;
int bx_ephasm_create(bx_ephasm_t **out, char *err, size_t errlen); /* BX_OK or BX_ERR_NOMEM */
int bx_ephasm_add_cnav1(bx_ephasm_t *a, int prn, int soh, const bx_cnav1_sf2_t *sf2,
                        const bx_cnav1_sf3_t *sf3, bx_eph_t *out);
int bx_ephasm_add_cnav2(bx_ephasm_t *a, const bx_cnav2_msg_t *m, bx_eph_t *out);
int bx_ephasm_add_cnav3(bx_ephasm_t *a, const bx_cnav3_msg_t *m, bx_eph_t *out);
/* BDT week last seen for prn (B-CNAV1 SF2 / B-CNAV2 MT10 / B-CNAV3 MT30), -1 if none. */
int bx_ephasm_week(const bx_ephasm_t *a, int prn);
void bx_ephasm_destroy(bx_ephasm_t *a); /* NULL-safe */

#ifdef __cplusplus
}
#endif
#endif
