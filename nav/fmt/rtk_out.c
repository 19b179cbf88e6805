/* RTK solution outputs: RTKLIB .pos lines, NMEA GGA/RMC with the RTK
 * quality, JSON lines extending bx_sol_json_write (include/bdsrx/rtk.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/output.h"
#include "bdsrx/rtk.h"
#include "bdsrx/time.h"

#define R2D (180.0 / M_PI)

const char *bx_rtk_sig_name(int sig)
{
    switch (sig) {
    case BX_SIG_B1C: return "B1C";
    case BX_SIG_B2A: return "B2a";
    case BX_SIG_B2B: return "B2b";
    case BX_SIG_B1I: return "B1I";
    case BX_SIG_B2I: return "B2I";
    case BX_SIG_B3I: return "B3I";
    default: return "?";
    }
}

/* RTKLIB's signed square root of a covariance (sdne, sdeu, sdun columns) */
static double sqvar(double c)
{
    return c < 0.0 ? -sqrt(-c) : sqrt(c);
}

int bx_rtk_pos_header(FILE *f, const char *program, const char *rover, const char *base, const bx_rtk_sol_t *s)
{
    double llh[3] = {0, 0, 0};
    if (s) {
        bx_ecef_to_llh(s->base_pos_m, llh);
    }
    int st = 0;
    st |= fprintf(f, "%% program   : %s\n", program ? program : "bdsrx") < 0;
    if (rover)
        st |= fprintf(f, "%% inp file  : %s\n", rover) < 0;
    if (base)
        st |= fprintf(f, "%% inp file  : %s\n", base) < 0;
    st |= fprintf(f, "%% pos mode  : kinematic/static relative (RTK), BeiDou\n") < 0;
    if (s && s->n_sig) {
        st |= fprintf(f, "%% signals   :") < 0;
        for (int i = 0; i < s->n_sig; i++)
            fprintf(f, " %s", bx_rtk_sig_name(s->sig[i]));
        fputc('\n', f);
    }
    st |= fprintf(f, "%% ref pos   :%14.9f %14.9f %10.4f\n", llh[0] * R2D, llh[1] * R2D, llh[2]) < 0;
    st |= fprintf(f, "%%\n%% (lat/lon/height=CGCS2000/ellipsoidal,Q=1:fix,2:float,3:sbas,4:dgps,5:single,6:ppp,"
                     "ns=# of satellites)\n") < 0;
    st |= fprintf(f, "%%  GPST                  latitude(deg) longitude(deg)  height(m)   Q  ns   sdn(m)   sde(m)   "
                     "sdu(m)  sdne(m)  sdeu(m)  sdun(m) age(s)  ratio\n") < 0;
    return st ? BX_ERR_IO : BX_OK;
}

int bx_rtk_pos_write(FILE *f, const bx_rtk_sol_t *s)
{
    const bx_sol_t *p = &s->sol;
    if (!p->fix)
        return BX_OK;
    bx_time_t t = bx_time_bdt_to_gpst(p->rx_time);
    const double fr = t.frac_s; /* millisecond rounding before the civil split */
    t.frac_s = 0.0;
    t = bx_time_add(t, floor(fr * 1000.0 + 0.5) / 1000.0);
    int y, mo, d, h, mi;
    double sec;
    bx_time_to_civil(t, &y, &mo, &d, &h, &mi, &sec);
    const int q = p->fix == BX_FIX_FIXED ? 1 : p->fix == BX_FIX_FLOAT ? 2 : 5;
    const double *c = s->cov_enu_m2; /* ee nn uu en nu ue */
    const int r = fprintf(f,
                          "%04d/%02d/%02d %02d:%02d:%06.3f %14.9f %14.9f %10.4f %3d %3d %8.4f %8.4f %8.4f %8.4f %8.4f "
                          "%8.4f %6.2f %6.1f\n",
                          y, mo, d, h, mi, floor(sec * 1000.0 + 0.5) / 1000.0, p->llh[0] * R2D, p->llh[1] * R2D,
                          p->llh[2], q, p->n_used, sqrt(c[1]), sqrt(c[0]), sqrt(c[2]), sqvar(c[3]), sqvar(c[5]),
                          sqvar(c[4]), s->age_s, s->ratio > 999.9 ? 999.9 : s->ratio);
    return r < 0 ? BX_ERR_IO : BX_OK;
}

int bx_rtk_nmea_write(FILE *f, const bx_rtk_sol_t *s)
{
    char buf[128];
    int st = 0;
    if (bx_nmea_gga(&s->sol, NULL, buf, sizeof buf) > 0)
        st |= fputs(buf, f) < 0;
    if (bx_nmea_rmc(&s->sol, NULL, buf, sizeof buf) > 0)
        st |= fputs(buf, f) < 0;
    return st ? BX_ERR_IO : BX_OK;
}

int bx_rtk_json_write(FILE *f, const bx_rtk_sol_t *s)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&mem, &len);
    if (!m)
        return BX_ERR_NOMEM;
    bx_sol_json_write(m, &s->sol);
    fclose(m);
    /* strip the closing "}\n" and append the RTK members */
    while (len > 0 && (mem[len - 1] == '\n' || mem[len - 1] == '}'))
        len--;
    int st = fwrite(mem, 1, len, f) != len;
    free(mem);
    st |= fprintf(f, ",\"ratio\":%.2f,\"p_boot\":%.6f,\"n_amb\":%d,\"n_fixed\":%d,\"n_sat_dd\":%d,\"age_s\":%.3f,"
                     "\"signals\":[",
                  s->ratio, s->p_boot, s->n_amb, s->n_fixed, s->n_sat, s->age_s) < 0;
    for (int i = 0; i < s->n_sig; i++)
        fprintf(f, "%s\"%s\"", i ? "," : "", bx_rtk_sig_name(s->sig[i]));
    const int pos = s->sol.fix != BX_FIX_NONE;
    st |= fprintf(f, "],\"base_ecef_m\":[%.4f,%.4f,%.4f],", s->base_pos_m[0], s->base_pos_m[1],
                  s->base_pos_m[2]) < 0;
    if (pos)
        st |= fprintf(f,
                      "\"baseline_enu_m\":[%.4f,%.4f,%.4f],\"baseline_m\":%.4f,\"sigma_enu_m\":[%.4f,%.4f,%.4f],",
                      s->baseline_enu_m[0], s->baseline_enu_m[1], s->baseline_enu_m[2],
                      sqrt(s->baseline_enu_m[0] * s->baseline_enu_m[0] + s->baseline_enu_m[1] * s->baseline_enu_m[1] +
                           s->baseline_enu_m[2] * s->baseline_enu_m[2]),
                      s->sigma_enu_m[0], s->sigma_enu_m[1], s->sigma_enu_m[2]) < 0;
    else
        st |= fputs("\"baseline_enu_m\":null,\"baseline_m\":null,\"sigma_enu_m\":null,", f) < 0;
    st |= fputs("\"rtk_msg\":\"", f) < 0;
    for (const char *p = s->msg; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if ((unsigned char)*p >= 0x20)
            fputc(*p, f);
    st |= fputs("\"}\n", f) < 0;
    return st ? BX_ERR_IO : BX_OK;
}
