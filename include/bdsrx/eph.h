/*
 * bdsrx — broadcast ephemeris and navigation-data store (CNAV: B-CNAV1 SF2,
 * B-CNAV2 MT10/11/30-34, B-CNAV3 MT10/30).  Parameters are stored in SI
 * units: angles in radians (semicircles already multiplied by pi), rates in
 * rad/s, lengths in metres, times in seconds.  See shared/icd/orbit.md §2.
 *
 * Stable public API: fields may be appended, never reordered or removed.
 *
 * Threads: plain data types; a bx_nav_t may be read by several threads while nobody modifies it.
 */
#ifndef BDSRX_EPH_H
#define BDSRX_EPH_H

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { BX_SAT_GEO = 1, BX_SAT_IGSO = 2, BX_SAT_MEO = 3 }; /* orbit.md §2 SatType */

/* Ephemeris type, held in bx_eph_t.source: a bx_signal_t (0..BX_SIG_COUNT-1) for a
 * B-CNAV1/2/3 ephemeris decoded from (or written for) that signal, or one of these for the
 * legacy B1I/B3I navigation messages (read from RINEX "D1"/"D2" records; BDS-SIS-ICD-B1I-3.0
 * §5.2 D1 = MEO/IGSO, §5.3 D2 = GEO).  Only legacy ephemerides carry TGD1/TGD2
 * (tgd_b1i_s, tgd_b2i_s); only CNAV ones carry the B1C/B2a/B2b group delays. */
enum { BX_EPH_SRC_D1 = 16, BX_EPH_SRC_D2 = 17 };

typedef struct {
    uint8_t prn;
    uint8_t sat_type;     /* BX_SAT_* */
    uint8_t source;       /* ephemeris type: bx_signal_t it was decoded from, or BX_EPH_SRC_D1/D2
                             (legacy B1I/B3I message); see bx_eph_is_legacy() */
    uint8_t health;       /* 0 = healthy */
    int iode;             /* -1 where the message has none (B-CNAV3) */
    int iodc;
    int week;             /* BDT week of t_oe (full, not mod 8192) */
    bx_time_t toe;        /* ephemeris reference time, BDT */
    bx_time_t toc;        /* clock reference time, BDT */
    /* orbit (orbit.md §2) */
    double dA_m;          /* A = A_ref + dA */
    double Adot_mps;
    double dn0_rad_s;
    double dn0dot_rad_s2;
    double M0_rad;
    double e;
    double omega_rad;
    double Omega0_rad;
    double i0_rad;
    double Omegadot_rad_s;
    double idot_rad_s;
    double cis_rad, cic_rad, crs_m, crc_m, cus_rad, cuc_rad;
    /* clock (orbit.md §4), B3I-referenced */
    double a0_s, a1_s_s, a2_s_s2;
    /* group delays (orbit.md §5) */
    double tgd_b1cp_s, tgd_b2ap_s, isc_b1cd_s, isc_b2ad_s, tgd_b2bi_s;
    int sisai_oe, sisai_ocb, sisai_oc1, sisai_oc2; /* raw indices, -1 unknown */
    /* legacy D1/D2 group delays (BDS-SIS-ICD-B1I-3.0 §5.2.4.8; RINEX BROADCAST ORBIT 6 TGD1,
     * TGD2), B3I-referenced like the CNAV ones: TGD1 = B1I, TGD2 = B2I.  0 for CNAV. */
    double tgd_b1i_s, tgd_b2i_s;
} bx_eph_t;

/* 1 for an ephemeris from the legacy D1/D2 messages (source BX_EPH_SRC_D1/D2), else 0. */
static inline int bx_eph_is_legacy(const bx_eph_t *e)
{
    return e->source == BX_EPH_SRC_D1 || e->source == BX_EPH_SRC_D2;
}

/* GPS LNAV ephemeris (IS-GPS-200 §20.3.3.3-4; decoded from RTCM 1019,
 * nav/fmt/rtcm3_eph.c).  Angles in rad
 * (semicircles x pi), times GPST. */
typedef struct {
    uint8_t prn;
    int week;              /* full GPS week (the message's 10-bit week unrolled) */
    int iode, iodc, ura, health, code_l2, l2p_flag, fit;
    bx_time_t toe, toc;    /* GPST */
    double sqrtA, e, i0_rad, Omega0_rad, omega_rad, M0_rad, dn_rad_s, Omegadot_rad_s, idot_rad_s;
    double cuc_rad, cus_rad, crc_m, crs_m, cic_rad, cis_rad;
    double af0_s, af1_s_s, af2_s_s2, tgd_s;
} bx_gps_eph_t;

/* BDGIM broadcast ionosphere (B-CNAV1 SF3 page 1 / B-CNAV2 MT30), alpha1..9 in TECu */
typedef struct {
    int valid;
    double alpha_tecu[9];
} bx_bdgim_t;

/* BDT-UTC parameters (B-CNAV1 SF3 page 3 / B-CNAV2 MT32/33) */
typedef struct {
    int valid;
    double a0_utc_s, a1_utc_s_s, a2_utc_s_s2;
    int dt_ls_s, t_ot_s, wn_ot, wn_lsf, dn, dt_lsf_s;
} bx_utc_t;

/* Navigation-data store: every ephemeris seen (any order, several per PRN
 * over a day) and the global parameters.  Managed by nav/msg/navstore.c:
 *   bx_nav_init(&nav); bx_nav_add(&nav, &eph); e = bx_nav_select(&nav, prn, t);
 *   bx_nav_destroy(&nav);
 * bx_nav_add replaces an entry with the same PRN, t_oe and IODE. */
typedef struct {
    bx_eph_t *eph;
    int n_eph, cap_eph;
    bx_bdgim_t iono;
    bx_utc_t utc;
} bx_nav_t;

#ifdef __cplusplus
}
#endif
#endif
