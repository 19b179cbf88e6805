/* RTCM 3.3 Multiple Signal Messages: decoding of MSM4-7 (GPS, BDS) and
 * encoding of BDS MSM7.  RTCM 10403.3 §3.5.12 (MSM header Table 3.5-78,
 * satellite data Tables 3.5-80..-84, signal data Tables 3.5-85..-90, lock
 * time Tables 3.5-74 / 3.5-75); data fields DF393-DF420, DF427 (BDT epoch). */
#include <math.h>
#include <string.h>

#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "rtcm3_impl.h"

#define P2_10 9.765625e-4
#define P2_24 5.960464477539063e-08
#define P2_29 1.862645149230957e-09
#define P2_31 4.656612873077393e-10

/* Table 3.5-75 (DF407): lock time in ms from the 10-bit indicator, piecewise
 * linear with the resolution doubling every 32 steps above 64. */
double bx_rtcm3__lock_ms(int ind, int ext)
{
    if (!ext) /* Table 3.5-74 (DF402) */
        return ind <= 0 ? 0.0 : ldexp(1.0, ind + 4);
    if (ind < 64)
        return ind;
    if (ind >= 704)
        return 67108864.0;
    const int k = (ind - 64) / 32 + 1;   /* resolution 2^k ms */
    const double base = ldexp(1.0, k) * ind; /* 2^k i - offset */
    static const double off[20] = {64,       256,      768,       2048,      5120,      12288,     28672,
                                   65536,    147456,   327680,    720896,    1572864,   3407872,   7340032,
                                   15728640, 33554432, 71303168,  150994944, 318767104, 671088640};
    return base - off[k - 1];
}

int bx_rtcm3__lock_ind_ext(double lock_ms)
{
    if (!(lock_ms > 0))
        return 0;
    int lo = 0, hi = 704;
    while (lo < hi) { /* largest indicator whose minimum lock time <= lock_ms */
        int mid = (lo + hi + 1) / 2;
        if (bx_rtcm3__lock_ms(mid, 1) <= lock_ms)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int bx_rtcm3__decode_msm(const uint8_t *p, int len, int type, bx_rtcm3_msm_t *m)
{
    const int nbits = len * 8;
    memset(m, 0, sizeof *m);
    m->sys = type < 1100 ? 'G' : 'C';
    m->msm = type % 10;
    if (nbits < 169)
        return BX_ERR_FORMAT;
    int i = 24;
    m->tow_ms = (uint32_t)rtcm_getu(p, i, 30), i += 30;
    m->sync = (int)rtcm_getu(p, i, 1), i += 1;
    m->iods = (int)rtcm_getu(p, i, 3), i += 3;
    i += 7; /* DF001 reserved */
    m->clk_steer = (int)rtcm_getu(p, i, 2), i += 2;
    m->ext_clk = (int)rtcm_getu(p, i, 2), i += 2;
    m->smooth = (int)rtcm_getu(p, i, 1), i += 1;
    m->smooth_int = (int)rtcm_getu(p, i, 3), i += 3;
    for (int k = 0; k < 64; k++)
        if (rtcm_getu(p, i + k, 1))
            m->prn[m->nsat++] = (uint8_t)(k + 1);
    i += 64;
    for (int k = 0; k < 32; k++)
        if (rtcm_getu(p, i + k, 1))
            m->sig_id[m->nsig++] = (uint8_t)(k + 1);
    i += 32;
    if (m->nsat * m->nsig > 64 || i + m->nsat * m->nsig > nbits)
        return BX_ERR_FORMAT;
    int cellsat[64], cellsig[64];
    for (int s = 0; s < m->nsat; s++)
        for (int g = 0; g < m->nsig; g++)
            if (rtcm_getu(p, i++, 1)) {
                cellsat[m->ncell] = s;
                cellsig[m->ncell++] = g;
            }
    const int ms = m->msm, nsat = m->nsat, nc = m->ncell;
    if (ms < 4 || ms > 7)
        return BX_ERR_UNSUPPORTED;
    const int ext = ms >= 6, rate = ms == 5 || ms == 7;
    const int satbits = 8 + 10 + (rate ? 4 + 14 : 0);
    const int cellbits = ext ? 20 + 24 + 10 + 1 + 10 : 15 + 22 + 4 + 1 + 6;
    if (i + nsat * satbits + nc * (cellbits + (rate ? 15 : 0)) > nbits)
        return BX_ERR_FORMAT;
    double rough[64], rrate[64];
    for (int s = 0; s < nsat; s++) {
        uint32_t v = (uint32_t)rtcm_getu(p, i, 8);
        i += 8;
        rough[s] = v == 255 ? NAN : v;
    }
    if (rate)
        i += 4 * nsat; /* DF419 extended satellite information (BDS: reserved) */
    for (int s = 0; s < nsat; s++, i += 10)
        if (!isnan(rough[s]))
            rough[s] += (double)rtcm_getu(p, i, 10) * P2_10;
    for (int s = 0; s < nsat; s++) {
        rrate[s] = NAN;
        if (rate) {
            int64_t v = rtcm_gets(p, i, 14);
            i += 14;
            rrate[s] = v == -8192 ? NAN : (double)v;
        }
    }
    for (int c = 0; c < nc; c++) {
        bx_rtcm3_cell_t *cl = &m->cell[c];
        cl->prn = m->prn[cellsat[c]];
        cl->sig_id = m->sig_id[cellsig[c]];
        const char *r = bx_rtcm3_sig_rinex(m->sys, cl->sig_id);
        if (r)
            memcpy(cl->rnx, r, 2);
        cl->phaserate_mps = NAN;
    }
    for (int c = 0; c < nc; c++) { /* DF400 / DF405 fine pseudorange */
        const double r = rough[cellsat[c]];
        int64_t v = ext ? rtcm_gets(p, i, 20) : rtcm_gets(p, i, 15);
        i += ext ? 20 : 15;
        const int bad = ext ? v == -524288 : v == -16384;
        m->cell[c].pseudorange_m = bad || isnan(r) ? NAN : (r + (double)v * (ext ? P2_29 : P2_24)) * RTCM_C_MS;
    }
    for (int c = 0; c < nc; c++) { /* DF401 / DF406 fine phase range */
        const double r = rough[cellsat[c]];
        int64_t v = ext ? rtcm_gets(p, i, 24) : rtcm_gets(p, i, 22);
        i += ext ? 24 : 22;
        const int bad = ext ? v == -8388608 : v == -2097152;
        m->cell[c].phaserange_m = bad || isnan(r) ? NAN : (r + (double)v * (ext ? P2_31 : P2_29)) * RTCM_C_MS;
    }
    for (int c = 0; c < nc; c++) { /* DF402 / DF407 lock time indicator */
        int v = (int)rtcm_getu(p, i, ext ? 10 : 4);
        i += ext ? 10 : 4;
        m->cell[c].lock_ms = bx_rtcm3__lock_ms(v, ext);
    }
    for (int c = 0; c < nc; c++) /* DF420 half-cycle ambiguity */
        m->cell[c].half_cycle = (int)rtcm_getu(p, i++, 1);
    for (int c = 0; c < nc; c++) { /* DF403 / DF408 CNR */
        uint32_t v = (uint32_t)rtcm_getu(p, i, ext ? 10 : 6);
        i += ext ? 10 : 6;
        m->cell[c].cnr_dbhz = v == 0 ? NAN : ext ? v * 0.0625 : (double)v;
    }
    if (rate)
        for (int c = 0; c < nc; c++) { /* DF404 fine phase range rate */
            int64_t v = rtcm_gets(p, i, 15);
            i += 15;
            const double rr = rrate[cellsat[c]];
            m->cell[c].phaserate_mps = v == -16384 || isnan(rr) ? NAN : rr + (double)v * 1e-4;
        }
    return BX_OK;
}

/* ---------------------------------------------------------------- encoder */

static char attr_of(const bx_obsd_t *o)
{
    if (o->code)
        return o->code;
    if (o->sig == BX_SIG_B1C || o->sig == BX_SIG_B2A || o->sig == BX_SIG_B2B)
        return o->pilot ? 'P' : 'D';
    return 'I';
}

int bx_rtcm3_encode_msm7_bds(const bx_obs_t *obs, int station_id, int sync, uint8_t *out, size_t outlen)
{
    if (!obs || !out)
        return BX_ERR_ARG;
    /* cells: BDS observations whose signal has an MSM id */
    int sat_used[64] = {0}, sig_used[33] = {0};
    int cell_obs[64][33];
    memset(cell_obs, -1, sizeof cell_obs);
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *o = &obs->d[i];
        if (bx_signal_sys(o->sig) != 'C' || o->prn < 1 || o->prn > 64 || !(o->flags & (BX_OBS_PR | BX_OBS_CP)))
            continue;
        char rnx[3] = {bx_signal_band(o->sig), attr_of(o), 0};
        int id = bx_rtcm3_sig_id('C', rnx);
        if (id < 0)
            continue;
        sat_used[o->prn - 1] = 1;
        sig_used[id] = 1;
        cell_obs[o->prn - 1][id] = i;
    }
    int prn[64], nsat = 0, sid[32], nsig = 0;
    for (int k = 0; k < 64; k++)
        if (sat_used[k])
            prn[nsat++] = k + 1;
    for (int k = 1; k <= 32; k++)
        if (sig_used[k])
            sid[nsig++] = k;
    if (nsat * nsig > 64)
        return BX_ERR_ARG;
    int ncell = 0;
    for (int s = 0; s < nsat; s++)
        for (int g = 0; g < nsig; g++)
            ncell += cell_obs[prn[s] - 1][sid[g]] >= 0;
    const int nbits = 169 + nsat * nsig + nsat * 36 + ncell * 80;
    const size_t nbytes = (size_t)(nbits + 7) / 8;
    if (nbytes > BX_RTCM3_MAXLEN || outlen < nbytes)
        return BX_ERR_ARG;
    memset(out, 0, nbytes);
    int week;
    const double sow = bx_time_to_week_sow(obs->time, &week);
    uint32_t tow_ms = (uint32_t)llround(sow * 1000.0) % 604800000u;
    int i = 0;
    rtcm_setu(out, i, 12, 1127), i += 12;
    rtcm_setu(out, i, 12, (uint64_t)station_id & 0xFFF), i += 12;
    rtcm_setu(out, i, 30, tow_ms), i += 30;      /* DF427 BDT time of week, ms */
    rtcm_setu(out, i, 1, sync ? 1 : 0), i += 1;  /* DF393 */
    rtcm_setu(out, i, 3, 0), i += 3;             /* DF409 IODS */
    rtcm_setu(out, i, 7, 0), i += 7;             /* DF001 reserved */
    rtcm_setu(out, i, 2, 1), i += 2;             /* DF411: clock steering applied (bdsrx steers to BDT) */
    rtcm_setu(out, i, 2, 0), i += 2;             /* DF412: internal clock */
    rtcm_setu(out, i, 1, 0), i += 1;             /* DF417: no divergence-free smoothing */
    rtcm_setu(out, i, 3, 0), i += 3;             /* DF418 */
    for (int s = 0; s < nsat; s++)
        rtcm_setu(out, i + prn[s] - 1, 1, 1);
    i += 64;
    for (int g = 0; g < nsig; g++)
        rtcm_setu(out, i + sid[g] - 1, 1, 1);
    i += 32;
    for (int s = 0; s < nsat; s++)
        for (int g = 0; g < nsig; g++)
            rtcm_setu(out, i++, 1, cell_obs[prn[s] - 1][sid[g]] >= 0);
    /* satellite data: rough range (1/1024 ms) and rate (m/s) from the first signal with a value */
    double rough_ms[64], rrate[64];
    int rough_ok[64], rate_ok[64];
    for (int s = 0; s < nsat; s++) {
        rough_ok[s] = rate_ok[s] = 0;
        rough_ms[s] = rrate[s] = 0;
        for (int g = 0; g < nsig; g++) {
            int k = cell_obs[prn[s] - 1][sid[g]];
            if (k < 0)
                continue;
            const bx_obsd_t *o = &obs->d[k];
            const double lambda = BX_CLIGHT_MPS / bx_signal_freq_hz(o->sig);
            if (!rough_ok[s] && (o->flags & BX_OBS_PR) && o->pseudorange_m > 0) {
                rough_ms[s] = floor(o->pseudorange_m / RTCM_C_MS * 1024.0 + 0.5) / 1024.0;
                rough_ok[s] = rough_ms[s] < 255.0;
            }
            if (!rate_ok[s] && (o->flags & BX_OBS_DOP)) {
                rrate[s] = floor(-o->doppler_hz * lambda + 0.5);
                rate_ok[s] = fabs(rrate[s]) < 8191.0;
            }
        }
    }
    for (int s = 0; s < nsat; s++)
        rtcm_setu(out, i, 8, rough_ok[s] ? (uint64_t)floor(rough_ms[s]) : 255), i += 8;
    for (int s = 0; s < nsat; s++)
        rtcm_setu(out, i, 4, 0), i += 4; /* DF419: reserved for BDS */
    for (int s = 0; s < nsat; s++) {
        const double frac = rough_ok[s] ? rough_ms[s] - floor(rough_ms[s]) : 0.0;
        rtcm_setu(out, i, 10, (uint64_t)llround(frac * 1024.0) & 1023u), i += 10;
    }
    for (int s = 0; s < nsat; s++)
        rtcm_sets(out, i, 14, rate_ok[s] ? (int64_t)rrate[s] : -8192), i += 14;
    /* signal data, field by field over the cells in mask order */
    const bx_obsd_t *co[64];
    int cs[64], nc = 0;
    for (int s = 0; s < nsat; s++)
        for (int g = 0; g < nsig; g++) {
            int k = cell_obs[prn[s] - 1][sid[g]];
            if (k >= 0) {
                co[nc] = &obs->d[k];
                cs[nc++] = s;
            }
        }
    for (int c = 0; c < nc; c++) { /* DF405 fine pseudorange, 2^-29 ms */
        int64_t v = -524288;
        if (rough_ok[cs[c]] && (co[c]->flags & BX_OBS_PR)) {
            double f = (co[c]->pseudorange_m / RTCM_C_MS - rough_ms[cs[c]]) / P2_29;
            if (fabs(f) < 524287.0)
                v = (int64_t)llround(f);
        }
        rtcm_sets(out, i, 20, v), i += 20;
    }
    for (int c = 0; c < nc; c++) { /* DF406 fine phase range, 2^-31 ms */
        int64_t v = -8388608;
        if (rough_ok[cs[c]] && (co[c]->flags & BX_OBS_CP)) {
            const double lambda = BX_CLIGHT_MPS / bx_signal_freq_hz(co[c]->sig);
            double f = (co[c]->carrier_cycles * lambda / RTCM_C_MS - rough_ms[cs[c]]) / P2_31;
            if (fabs(f) < 8388607.0)
                v = (int64_t)llround(f);
        }
        rtcm_sets(out, i, 24, v), i += 24;
    }
    for (int c = 0; c < nc; c++) { /* DF407 lock time: 0 on a slip */
        const int ind = (co[c]->flags & BX_OBS_SLIP) ? 0 : bx_rtcm3__lock_ind_ext((co[c]->arc_s > 0 ? co[c]->arc_s : co[c]->lock_s) * 1e3);
        rtcm_setu(out, i, 10, (uint64_t)ind), i += 10;
    }
    for (int c = 0; c < nc; c++) /* DF420 */
        rtcm_setu(out, i++, 1, (co[c]->flags & BX_OBS_HALF) ? 1 : 0);
    for (int c = 0; c < nc; c++) { /* DF408 CNR, 2^-4 dB-Hz */
        double v = (co[c]->flags & BX_OBS_CN0) ? co[c]->cn0_dbhz * 16.0 : 0.0;
        rtcm_setu(out, i, 10, v > 1023 ? 1023 : v < 0 ? 0 : (uint64_t)llround(v)), i += 10;
    }
    for (int c = 0; c < nc; c++) { /* DF404 fine phase range rate, 0.0001 m/s */
        int64_t v = -16384;
        if (rate_ok[cs[c]] && (co[c]->flags & BX_OBS_DOP)) {
            const double lambda = BX_CLIGHT_MPS / bx_signal_freq_hz(co[c]->sig);
            double f = (-co[c]->doppler_hz * lambda - rrate[cs[c]]) / 1e-4;
            if (fabs(f) < 16383.0)
                v = (int64_t)llround(f);
        }
        rtcm_sets(out, i, 15, v), i += 15;
    }
    return (int)nbytes;
}

int bx_rtcm3_encode_station(int station_id, const double arp[3], double ant_height_m, uint8_t *out, size_t outlen)
{
    const int h = ant_height_m >= 0;
    const size_t n = h ? 21 : 19;
    if (!arp || !out || outlen < n)
        return BX_ERR_ARG;
    memset(out, 0, n);
    int i = 0;
    rtcm_setu(out, i, 12, h ? 1006 : 1005), i += 12;
    rtcm_setu(out, i, 12, (uint64_t)station_id & 0xFFF), i += 12;
    rtcm_setu(out, i, 6, 0), i += 6;   /* DF021 ITRF realisation year: not specified */
    rtcm_setu(out, i, 3, 0), i += 3;   /* DF022-024: no GPS/GLONASS/Galileo service */
    rtcm_setu(out, i, 1, 0), i += 1;   /* DF141: physical reference station */
    rtcm_sets(out, i, 38, llround(arp[0] * 1e4)), i += 38;
    rtcm_setu(out, i, 1, 1), i += 1;   /* DF142: one oscillator for all signals */
    rtcm_setu(out, i, 1, 0), i += 1;   /* reserved */
    rtcm_sets(out, i, 38, llround(arp[1] * 1e4)), i += 38;
    rtcm_setu(out, i, 2, 0), i += 2;   /* DF364: quarter-cycle correction unspecified */
    rtcm_sets(out, i, 38, llround(arp[2] * 1e4)), i += 38;
    if (h)
        rtcm_setu(out, i, 16, (uint64_t)llround(ant_height_m * 1e4) & 0xFFFF), i += 16;
    return (int)n;
}

int bx_rtcm3_encode_epoch_bds(const bx_obs_t *obs, int station_id, uint8_t *out, size_t outlen)
{
    if (!obs || !out)
        return BX_ERR_ARG;
    /* signals present (their ids) and the satellites with a cell */
    int sig_used[33] = {0}, nsig = 0, prns[64], np = 0;
    for (int i = 0; i < obs->n; i++) {
        const bx_obsd_t *o = &obs->d[i];
        if (bx_signal_sys(o->sig) != 'C' || o->prn < 1 || o->prn > 64 || !(o->flags & (BX_OBS_PR | BX_OBS_CP)))
            continue;
        char rnx[3] = {bx_signal_band(o->sig), attr_of(o), 0};
        int id = bx_rtcm3_sig_id('C', rnx);
        if (id < 0)
            continue;
        nsig += !sig_used[id];
        sig_used[id] = 1;
        int k;
        for (k = 0; k < np && prns[k] != o->prn; k++)
            ;
        if (k == np)
            prns[np++] = o->prn;
    }
    if (np == 0)
        return 0;
    /* at most 64 cells (satellites x signals) per message (DF396) */
    const int per = 64 / nsig;
    size_t total = 0;
    static const size_t maxmsg = BX_RTCM3_MAXLEN;
    uint8_t pl[BX_RTCM3_MAXLEN];
    for (int p0 = 0; p0 < np; p0 += per) {
        bx_obs_t tmp; /* on the stack: no allocation per epoch */
        bx_obs_t *part = &tmp;
        part->time = obs->time;
        part->n = 0;
        for (int i = 0; i < obs->n; i++)
            for (int k = p0; k < p0 + per && k < np; k++)
                if (obs->d[i].prn == prns[k] && bx_signal_sys(obs->d[i].sig) == 'C')
                    part->d[part->n++] = obs->d[i];
        int len = bx_rtcm3_encode_msm7_bds(part, station_id, p0 + per < np, pl, maxmsg);
        if (len < 0)
            return len;
        int fl = bx_rtcm3_frame(pl, (size_t)len, out + total, outlen - total);
        if (fl < 0)
            return BX_ERR_ARG;
        total += (size_t)fl;
    }
    return (int)total;
}
