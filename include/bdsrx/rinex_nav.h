/*
 * bdsrx — RINEX navigation files, BeiDou records only (other systems are
 * skipped).
 *
 * Read:  RINEX 4.0x  "> EPH Cnn CNV1|CNV2|CNV3" (B-CNAV1/2/3), "> EPH Cnn D1|D2"
 *                    (legacy B1I/B3I), "> ION Cnn CNVX" (BDGIM α1..α9 -> nav->iono),
 *                    "> STO Cnn ... BDUT" (BDT-UTC -> nav->utc), EOP and ION D1D2
 *                    (Klobuchar) records are checked for form and dropped;
 *        RINEX 3.0x  BDS records (D1, or D2 for PRN 1-5 / 59-63), header
 *                    TIME SYSTEM CORR BDUT;
 *        both        header LEAP SECONDS -> nav->utc.dt_ls_s (BDT - UTC).
 * Layouts: RINEX 4.00 Appendix A (BDS D1/D2, CNAV1/2/3 record tables) as in the
 * DLR/IGS BRD400DLR and cssrlib files of shared/testdata; RINEX 3.05 appendix (BDS).
 * CNAV records give sqrt(A); it is stored as dA = A - A_ref (orbit.md §1).
 * sat_type is re-derived (GEO by PRN 1-5/59-63, else MEO or IGSO by which
 * reference axis A fits within the ±65536 m ΔA range) because some files
 * carry a wrong SatType column (DLR merged file: 289 of 1560 CNAV records).  D1/D2 are stored with
 * source BX_EPH_SRC_D1/_D2 (eph.h), Adot = dn0dot = 0, TGD1/TGD2 in tgd_b1i_s/tgd_b2i_s (and written
 * back there).
 * Epochs of BDS records are BDT.  Files ending in ".gz" are read through
 * `gzip -dc`.
 *
 * Write: RINEX 4.00 with ION CNVX, STO BDUT, then every ephemeris as CNV1 /
 * CNV2 / CNV3 / D1 / D2 according to its source.  Fields that bx_eph_t does
 * not hold are written as: t_op, SISMAI, integrity flags 0; transmission time
 * 0.999999999999E+09 ("unknown", RINEX 3.05 convention); D1/D2 TGD1/TGD2 and
 * accuracy 0.  ION/STO records are tagged with the first ephemeris' PRN.
 *
 * Write 3: bx_rinex_nav_write3 below (RINEX 3.04, legacy records fitted to CNAV).
 *
 * Threads: reentrant: each call works on its own file and caller-owned bx_nav_t.
 */
#ifndef BDSRX_RINEX_NAV_H
#define BDSRX_RINEX_NAV_H

#include <stdio.h>

#include "bdsrx/eph.h"
#include "bdsrx/ephfit.h"
#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a RINEX 3/4 navigation file (or .gz) and adds its BDS ephemerides to
 * n (bx_nav_add; n must be initialised).  On error returns BX_ERR_IO or
 * BX_ERR_FORMAT and writes "path:line: what" into err. */
int bx_rinex_nav_read(const char *path, bx_nav_t *n, char *err, size_t errlen);

/* Same from an open stream; `name` is used in messages. */
int bx_rinex_nav_read_stream(FILE *f, const char *name, bx_nav_t *n, char *err, size_t errlen);

/* Writes n as RINEX 4.00 (see above).  Returns BX_OK or BX_ERR_IO. */
int bx_rinex_nav_write(FILE *f, const bx_nav_t *n);

/* Writes n as RINEX 3.04 BDS navigation data for readers without RINEX 4 (RTKLIB 2.4.3,
 * georinex): every ephemeris as a legacy record (RINEX 3.04 Table A14: AODE, Crs, Δn, M0 /
 * Cuc, e, Cus, √A / toe, Cic, Ω0, Cis / i0, Crc, ω, Ω̇ / IDOT, -, BDT week, - / accuracy 0,
 * SatH1, TGD1, TGD2 / t_tm 0.999999999999E+09 (unknown), AODC).  CNAV ephemerides (one per
 * PRN and t_oe, B-CNAV1 first) are converted by bx_eph_fit_legacy (ephfit.h): the orbit fitted
 * over t_oe ± 1.5 h, clock copied, AODE/AODC = IODE/IODC, TGD1 = TGD2 = 0 (not in B-CNAV; the
 * B1C/B2a group delays have no RINEX 3 field); D1/D2 ephemerides are written as they are.
 * Header: TIME SYSTEM CORR BDUT, LEAP SECONDS as GPS-UTC, and COMMENT records stating the
 * conversion and this file's measured fit error; no ionosphere (BDGIM has no RINEX 3 record).
 * clock_sig BX_RINEX3_CLOCK_B3I writes the broadcast clock (B3I-referenced, the RINEX meaning);
 * BX_SIG_B1C or BX_SIG_B2A writes a0 - T_GD(signal pilot) instead, a clock for that signal's
 * pilot, for B1C/B2a users of readers that cannot apply T_GD_B1Cp/T_GD_B2ap from a RINEX 3 file
 * (RTKLIB 2.4.3 applies no group delay to C1P then): stated in a header COMMENT; wrong for
 * B1I/B3I users; D1/D2 records are not changed (no B1C/B2a group delay known for them).
 * worst (may be NULL) receives the largest fit errors over the fitted ephemerides.
 * Returns BX_OK, BX_ERR_NOMEM or BX_ERR_IO. */
int bx_rinex_nav_write3(FILE *f, const bx_nav_t *n, int clock_sig, bx_ephfit_stats_t *worst);
#define BX_RINEX3_CLOCK_B3I (-1) /* clock_sig: the broadcast B3I-referenced clock (standard) */

#ifdef __cplusplus
}
#endif
#endif
