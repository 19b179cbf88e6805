/*
 * bdsrx — RINEX 3.0x / 4.0x observation files: reader (BeiDou records only,
 * other systems are skipped) and writer (the receiver's own output).
 *
 * Signals read (RINEX 3.05 §5.1 / RINEX 4.00 Table A-8, BDS):
 *   band 1 (B1C, 1575.42 MHz): attributes P (pilot), D (data), X (D+P)
 *   band 5 (B2a, 1176.45 MHz): attributes P, D, X
 *   band 7 attributes D/P/Z (B2b on BDS-3) -> BX_SIG_B2B
 * Observation types C (code, m), L (phase, cycles), D (Doppler, Hz), S (C/N0,
 * dB-Hz).  When a file has several attributes for one band the pilot (P) is
 * kept, else X, else D.  X is treated as pilot (its group delay is the
 * pilot's, orbit.md §5).  Legacy B1I/B2I/B3I (2I/7I/6I, attributes I > X > Q) are
 * read as BX_SIG_B1I/B2I/B3I only when bx_rinex_obs_set_signals asks for them.
 *
 * Time: epochs are converted to BDT (GPST - 14 s, orbit.md §1) according
 * to the header's TIME OF FIRST OBS time system (GPS when absent in a mixed
 * file, BDT in a BDS-only file, per RINEX 3.05 §5.9).  Gzip-compressed files
 * (*.gz) are read through `gzip -dc`.
 *
 * Threads: a bx_rinex_obs_reader_t is used by one thread at a time; the writer functions are
 * reentrant.
 */
#ifndef BDSRX_RINEX_OBS_H
#define BDSRX_RINEX_OBS_H

#include <stdio.h>

#include "bdsrx/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BX_RNX_MAXTYPES 40

typedef struct {
    double version;           /* 3.05, 4.00 ... */
    char marker[61];
    char receiver[41];        /* REC # / TYPE / VERS: type */
    char antenna[41];
    double approx_pos_m[3];   /* APPROX POSITION XYZ, 0 if absent */
    double ant_delta_hen_m[3];
    double interval_s;        /* 0 if absent */
    char time_sys[4];         /* "GPS", "BDS" ... of the epoch tags */
    int leap_s;               /* LEAP SECONDS, -1 if absent */
    int n_types;              /* BDS (system 'C') observation types */
    char types[BX_RNX_MAXTYPES][4];
    /* appended (writer) */
    int pilot_aligned;        /* 1: B1C/B2a/B2b pilot phases carry the +1/4 cycle that aligns them
                                 with the data (reference) signal: SYS / PHASE SHIFT 0.25000 (bdsrx's
                                 receiver, the default); 0: not known, correction left blank */
} bx_rinex_obs_header_t;

typedef struct bx_rinex_obs_reader bx_rinex_obs_reader_t;

/* Opens a file and reads its header.  On error returns a status and writes a
 * message naming the file and the problem into err. */
int bx_rinex_obs_open(const char *path, bx_rinex_obs_reader_t **out, char *err, size_t errlen);
const bx_rinex_obs_header_t *bx_rinex_obs_header(const bx_rinex_obs_reader_t *r);

/* Reads the next observation epoch (epoch flag 0 or 1) into obs; BDS
 * satellites only, one bx_obsd_t per satellite and band with at least one
 * value.  Event records (flags 2-5) are skipped, flag 6 (cycle-slip records)
 * too.  Returns BX_OK, BX_ERR_EOF at the end, BX_ERR_FORMAT on a malformed
 * record (message via bx_rinex_obs_error). */
int bx_rinex_obs_read(bx_rinex_obs_reader_t *r, bx_obs_t *obs);
const char *bx_rinex_obs_error(const bx_rinex_obs_reader_t *r);
/* Signals delivered by bx_rinex_obs_read: bit (1u << sig) per BDS signal (bx_signal_t).
 * Default after open: B1C, B2a, B2b (the receiver's own); add BX_SIG_B1I/B2I/B3I for the
 * legacy signals of base stations and public data. */
void bx_rinex_obs_set_signals(bx_rinex_obs_reader_t *r, unsigned sig_mask);
void bx_rinex_obs_destroy(bx_rinex_obs_reader_t *r);

/* Writer: a BDS-only RINEX 3.05 file with time tags in GPST (hdr->time_sys "GPS", the
 * default, readable by RTKLIB 2.4.3, which ignores the time system of the tags) or BDT
 * (time_sys "BDT"); bx_obs_t times are BDT either way.  hdr gives the
 * observation types (n_types 0: the receiver's default C1P L1P D1P S1P C5P
 * L5P D5P S5P; bx_rinex_obs_header_default fills that), marker, receiver,
 * antenna, approximate position and interval; version is written as 3.05
 * whatever hdr says.  Pass the same hdr to every
 * bx_rinex_obs_write_epoch (it selects the values per type: attribute P or X
 * takes pilot observations, D data ones; an observation with a `code` goes to the type with
 * that attribute).  BDS observations only (B1C B2a B2b B1I B2I B3I); LLI bit 0 = BX_OBS_SLIP,
 * bit 1 = BX_OBS_HALF on the phase.  Return BX_OK or BX_ERR_IO. */
void bx_rinex_obs_header_default(bx_rinex_obs_header_t *hdr);
int bx_rinex_obs_write_header(FILE *f, const bx_rinex_obs_header_t *hdr, bx_time_t first_bdt);
/* Observation types C L D S for exactly these BDS signals (B1C/B2a/B2b: pilot
 * attribute P; B1I/B2I/B3I: I), so that the file lists only what is present.
 * BX_ERR_ARG for a GPS or unknown signal. */
int bx_rinex_obs_header_for_signals(bx_rinex_obs_header_t *hdr, const int *sigs, int n);
/* As bx_rinex_obs_write_header, and *pos_at = file offset of the APPROX
 * POSITION XYZ body (-1 if the stream cannot tell) for
 * bx_rinex_obs_set_position, which overwrites it in place once a position is
 * known (seekable files only; BX_ERR_IO on a pipe).
 * Header records (RINEX 3.05 Table A2): VERSION / TYPE, PGM / RUN BY / DATE,
 * MARKER NAME / TYPE, OBSERVER / AGENCY, REC #, ANT #, APPROX POSITION XYZ,
 * ANTENNA: DELTA H/E/N, SYS / # / OBS TYPES, SIGNAL STRENGTH UNIT, INTERVAL,
 * TIME OF FIRST OBS (BDT), RCV CLOCK OFFS APPL (0), SYS / PHASE SHIFT (one per
 * phase type, correction blank: phases of the tracked component, not aligned). */
int bx_rinex_obs_write_header_pos(FILE *f, const bx_rinex_obs_header_t *hdr, bx_time_t first_bdt, long *pos_at);
int bx_rinex_obs_set_position(FILE *f, long pos_at, const double pos_m[3]);
int bx_rinex_obs_write_epoch(FILE *f, const bx_rinex_obs_header_t *hdr, const bx_obs_t *obs);

#ifdef __cplusplus
}
#endif
#endif
