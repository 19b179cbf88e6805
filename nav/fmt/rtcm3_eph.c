/* RTCM 3.3 broadcast ephemerides: message 1042 (BDS D1/D2 satellite
 * ephemeris data, RTCM 10403.3 DF488-DF515) and 1019 (GPS LNAV ephemeris,
 * DF009 DF071 DF076-DF103 DF137).  Scale factors are those of the
 * data fields, which repeat the ICD ones (BDS-SIS-ICD-B1I-3.0 §5.2.4,
 * IS-GPS-200 Table 20-III). */
#include <math.h>
#include <string.h>

#include "bdsrx/orbit.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/time.h"
#include "rtcm3_impl.h"

#define SC2RAD 3.1415926535898 /* semicircle, as the ICDs define pi */

int bx_rtcm3__decode_1042(const uint8_t *p, int len, bx_eph_t *e, int *week)
{
    if (len * 8 < 12 + 499)
        return BX_ERR_FORMAT;
    memset(e, 0, sizeof *e);
    int i = 12;
    const int prn = (int)rtcm_getu(p, i, 6);
    i += 6;
    const int wk = (int)rtcm_getu(p, i, 13);
    i += 13;
    const int urai = (int)rtcm_getu(p, i, 4);
    i += 4;
    (void)urai;
    e->idot_rad_s = (double)rtcm_gets(p, i, 14) * ldexp(1, -43) * SC2RAD, i += 14;
    e->iode = (int)rtcm_getu(p, i, 5), i += 5; /* AODE */
    const double toc = (double)rtcm_getu(p, i, 17) * 8.0;
    i += 17;
    e->a2_s_s2 = (double)rtcm_gets(p, i, 11) * ldexp(1, -66), i += 11;
    e->a1_s_s = (double)rtcm_gets(p, i, 22) * ldexp(1, -50), i += 22;
    e->a0_s = (double)rtcm_gets(p, i, 24) * ldexp(1, -33), i += 24;
    e->iodc = (int)rtcm_getu(p, i, 5), i += 5; /* AODC */
    e->crs_m = (double)rtcm_gets(p, i, 18) * ldexp(1, -6), i += 18;
    e->dn0_rad_s = (double)rtcm_gets(p, i, 16) * ldexp(1, -43) * SC2RAD, i += 16;
    e->M0_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->cuc_rad = (double)rtcm_gets(p, i, 18) * ldexp(1, -31), i += 18;
    e->e = (double)rtcm_getu(p, i, 32) * ldexp(1, -33), i += 32;
    e->cus_rad = (double)rtcm_gets(p, i, 18) * ldexp(1, -31), i += 18;
    const double sqrtA = (double)rtcm_getu(p, i, 32) * ldexp(1, -19);
    i += 32;
    const double toe = (double)rtcm_getu(p, i, 17) * 8.0;
    i += 17;
    e->cic_rad = (double)rtcm_gets(p, i, 18) * ldexp(1, -31), i += 18;
    e->Omega0_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->cis_rad = (double)rtcm_gets(p, i, 18) * ldexp(1, -31), i += 18;
    e->i0_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->crc_m = (double)rtcm_gets(p, i, 18) * ldexp(1, -6), i += 18;
    e->omega_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->Omegadot_rad_s = (double)rtcm_gets(p, i, 24) * ldexp(1, -43) * SC2RAD, i += 24;
    e->tgd_b1i_s = (double)rtcm_gets(p, i, 10) * 1e-10, i += 10;
    e->tgd_b2i_s = (double)rtcm_gets(p, i, 10) * 1e-10, i += 10;
    e->health = (uint8_t)rtcm_getu(p, i, 1), i += 1;
    if (prn < 1 || !(sqrtA > 1000.0))
        return BX_ERR_FORMAT;
    e->prn = (uint8_t)prn;
    /* D2 = GEO (C01-C05, C59-C63, orbit.md §3.1); D1 = IGSO (A near 42 Mm) or MEO */
    const int geo = prn <= 5 || prn >= 59;
    const double A = sqrtA * sqrtA;
    e->sat_type = geo ? BX_SAT_GEO : (A > 35e6 ? BX_SAT_IGSO : BX_SAT_MEO);
    e->dA_m = A - bx_eph_aref_m(e->sat_type);
    e->source = geo ? BX_EPH_SRC_D2 : BX_EPH_SRC_D1;
    e->sisai_oe = e->sisai_ocb = e->sisai_oc1 = e->sisai_oc2 = -1;
    e->week = wk;
    e->toe = bx_time_from_week_sow(wk, toe);
    /* toc in the week of toe, within half a week */
    double dt = toc - toe;
    e->toc = bx_time_from_week_sow(wk + (dt > 302400 ? -1 : dt < -302400 ? 1 : 0), toc);
    *week = wk;
    return BX_OK;
}

int bx_rtcm3__decode_1019(const uint8_t *p, int len, bx_gps_eph_t *e, int week_near)
{
    if (len * 8 < 12 + 476)
        return BX_ERR_FORMAT;
    memset(e, 0, sizeof *e);
    int i = 12;
    e->prn = (uint8_t)rtcm_getu(p, i, 6), i += 6;
    int w10 = (int)rtcm_getu(p, i, 10);
    i += 10;
    e->ura = (int)rtcm_getu(p, i, 4), i += 4;
    e->code_l2 = (int)rtcm_getu(p, i, 2), i += 2;
    e->idot_rad_s = (double)rtcm_gets(p, i, 14) * ldexp(1, -43) * SC2RAD, i += 14;
    e->iode = (int)rtcm_getu(p, i, 8), i += 8;
    const double toc = (double)rtcm_getu(p, i, 16) * 16.0;
    i += 16;
    e->af2_s_s2 = (double)rtcm_gets(p, i, 8) * ldexp(1, -55), i += 8;
    e->af1_s_s = (double)rtcm_gets(p, i, 16) * ldexp(1, -43), i += 16;
    e->af0_s = (double)rtcm_gets(p, i, 22) * ldexp(1, -31), i += 22;
    e->iodc = (int)rtcm_getu(p, i, 10), i += 10;
    e->crs_m = (double)rtcm_gets(p, i, 16) * ldexp(1, -5), i += 16;
    e->dn_rad_s = (double)rtcm_gets(p, i, 16) * ldexp(1, -43) * SC2RAD, i += 16;
    e->M0_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->cuc_rad = (double)rtcm_gets(p, i, 16) * ldexp(1, -29), i += 16;
    e->e = (double)rtcm_getu(p, i, 32) * ldexp(1, -33), i += 32;
    e->cus_rad = (double)rtcm_gets(p, i, 16) * ldexp(1, -29), i += 16;
    e->sqrtA = (double)rtcm_getu(p, i, 32) * ldexp(1, -19), i += 32;
    const double toe = (double)rtcm_getu(p, i, 16) * 16.0;
    i += 16;
    e->cic_rad = (double)rtcm_gets(p, i, 16) * ldexp(1, -29), i += 16;
    e->Omega0_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->cis_rad = (double)rtcm_gets(p, i, 16) * ldexp(1, -29), i += 16;
    e->i0_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->crc_m = (double)rtcm_gets(p, i, 16) * ldexp(1, -5), i += 16;
    e->omega_rad = (double)rtcm_gets(p, i, 32) * ldexp(1, -31) * SC2RAD, i += 32;
    e->Omegadot_rad_s = (double)rtcm_gets(p, i, 24) * ldexp(1, -43) * SC2RAD, i += 24;
    e->tgd_s = (double)rtcm_gets(p, i, 8) * ldexp(1, -31), i += 8;
    e->health = (int)rtcm_getu(p, i, 6), i += 6;
    e->l2p_flag = (int)rtcm_getu(p, i, 1), i += 1;
    e->fit = (int)rtcm_getu(p, i, 1), i += 1;
    if (e->prn < 1 || e->prn > 32 || !(e->sqrtA > 1000.0))
        return BX_ERR_FORMAT;
    /* 10-bit week (DF076, mod 1024) unrolled near the decoder's time */
    int w = week_near - ((week_near - w10) % 1024 + 1024) % 1024;
    if (week_near - w > 512)
        w += 1024;
    e->week = w;
    e->toe = bx_time_from_gps_week_tow(w, toe);
    double dt = toc - toe;
    e->toc = bx_time_from_gps_week_tow(w + (dt > 302400 ? -1 : dt < -302400 ? 1 : 0), toc);
    return BX_OK;
}
