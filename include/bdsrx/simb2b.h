/*
 * bdsrx simulator: a PPP-B2b broadcast (BDS-SIS-ICD-PPP-B2b-1.0, ../shared/icd/pppb2b.md) for the
 * B2b-I signal of a simulated GEO: one 1000-symbol frame per transmit second (bx_cnav3_encode over
 * the 486-bit block of bx_b2b_pack), cycling MT1 (mask) / MT2 / MT2 (orbits, 6 satellites each) /
 * MT4 (clocks) on the transmit second modulo 4, with constant corrections per satellite, and
 * outages: seconds in which the GEO sends null messages (MT63, pppb2b.md §3 "fills remaining
 * seconds": the signal stays, no correction arrives) or nothing at all (the caller turns the
 * signal off or sends no frame: bx_simb2b_frame returns 0).  What an outage of corrections and a
 * change of the broadcasting GEO look like from the signal (issue 11, "Bad input").
 *
 * Threads: a bx_simb2b_t is plain data; bx_simb2b_frame only reads it.
 */
#ifndef BDSRX_SIMB2B_H
#define BDSRX_SIMB2B_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BX_SIMB2B_MAX_SAT 12 /* two MT2 of 6 orbit records (§3 MT2) in the 4 s cycle */
#define BX_SIMB2B_MAX_OFF 4

enum {
    BX_SIMB2B_NULL = 0,  /* outage: MT63 null messages (frames keep coming, no correction) */
    BX_SIMB2B_SILENT = 1 /* outage: no frame at all (bx_simb2b_frame returns 0) */
};

typedef struct {
    int geo_prn;           /* broadcasting GEO, 59..63 */
    int iod_ssr, iodp;     /* of every message (MT1 mask IODP; §4.2) */
    int n;                 /* satellites in the mask, 1..BX_SIMB2B_MAX_SAT */
    int prn[BX_SIMB2B_MAX_SAT];       /* BDS PRNs (mask slots 1..63) */
    int iodn[BX_SIMB2B_MAX_SAT];      /* IODC of the B-CNAV1 ephemeris the orbit corrects (§4.3) */
    int iod_corr[BX_SIMB2B_MAX_SAT];  /* orbit and clock of a satellite share it (§4.4) */
    double radial_m[BX_SIMB2B_MAX_SAT], along_m[BX_SIMB2B_MAX_SAT], cross_m[BX_SIMB2B_MAX_SAT];
    double c0_m[BX_SIMB2B_MAX_SAT];   /* clock correction C0 (§3 MT4) */
    int n_off;             /* outages: transmit seconds [from_s, to_s) (BDT seconds since the BDT epoch) */
    struct {
        int64_t from_s, to_s;
        int mode;          /* BX_SIMB2B_NULL or BX_SIMB2B_SILENT */
    } off[BX_SIMB2B_MAX_OFF];
} bx_simb2b_t;

/* Zero corrections, GEO 59, IOD SSR 0, IODP 3, no satellite, no outage. */
void bx_simb2b_default(bx_simb2b_t *c);

/* The frame the GEO transmits in second sec (BDT seconds since the BDT epoch; the message epoch
 * is sec modulo one day): 1 with frame[] filled (symbols 0/1), 0 when the GEO is silent then
 * (an outage of mode SILENT), BX_ERR_ARG for a bad configuration. */
int bx_simb2b_frame(const bx_simb2b_t *c, int64_t sec, uint8_t frame[1000]);

/* BX_SIMB2B_NULL / _SILENT when sec lies in an outage, -1 otherwise. */
int bx_simb2b_outage(const bx_simb2b_t *c, int64_t sec);

#ifdef __cplusplus
}
#endif
#endif
