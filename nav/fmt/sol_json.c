/* JSON-lines solution output (format in include/bdsrx/output.h).  Written
 * with fprintf: a fixed schema with controlled number formats (mm for
 * positions, 1e-9 deg for latitude/longitude) needs no JSON library. */
#include <math.h>
#include <stdio.h>

#include "bdsrx/output.h"
#include "bdsrx/pvt.h"
#include "bdsrx/time.h"

#define R2D (180.0 / M_PI)

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static const char *sat_status(int st)
{
    static const char *const names[] = {"used", "noeph", "noobs", "elmask", "raim", "badpos"};
    return st >= 0 && st <= 5 ? names[st] : "?";
}

static const char *raim_str(uint32_t fl)
{
    if (fl & BX_SOLF_RAIM_FAIL)
        return "failed";
    if (fl & BX_SOLF_RAIM_EXCL)
        return "excluded";
    if (fl & BX_SOLF_RAIM_OK)
        return "ok";
    if (fl & BX_SOLF_RAIM_NA)
        return "n/a";
    return "off";
}

int bx_sol_json_write(FILE *f, const bx_sol_t *s)
{
    int wk;
    const int ok = bx_sol_valid(s);
    const bx_time_t t = ok ? s->time : s->rx_time;
    const double sow = bx_time_to_week_sow(t, &wk);
    bx_time_t u = bx_time_bdt_to_utc(t, s->leap_s);
    /* millisecond rounding before splitting into civil fields */
    const double fr = u.frac_s;
    u.frac_s = 0.0;
    u = bx_time_add(u, floor(fr * 1000.0 + 0.5) / 1000.0);
    int y, mo, d, h, mi;
    double sec;
    bx_time_to_civil(u, &y, &mo, &d, &h, &mi, &sec);
    fprintf(f, "{\"bdt_week\":%d,\"bdt_sow\":%.3f,\"utc\":\"%04d-%02d-%02dT%02d:%02d:%06.3fZ\",\"fix\":\"%s\",",
            wk, sow, y, mo, d, h, mi, floor(sec * 1000.0 + 0.5) / 1000.0,
            !ok ? "none" : s->fix == BX_FIX_FIXED ? "fixed" : (s->flags & BX_SOLF_PPP) ? "ppp" : s->fix == BX_FIX_FLOAT ? "float" : "spp");
    fputs("\"reason\":", f);
    /* a fix withheld by the integrity checks always says why */
    json_str(f, !ok && s->fix && !s->reason[0] ? "integrity check failed (too few satellites or non-finite position)" : s->reason);
    fprintf(f, ",\"mode\":\"%s\",",
            (s->flags & BX_SOLF_PPP) && s->fix >= BX_FIX_FLOAT ? "ppp" : s->fix >= BX_FIX_FLOAT ? "rtk" : s->mode == BX_PVT_B1C ? "b1c" : s->mode == BX_PVT_B2A ? "b2a" : "if");
    if (ok) {
        fprintf(f, "\"lat_deg\":%.9f,\"lon_deg\":%.9f,\"h_m\":%.3f,\"ecef_m\":[%.3f,%.3f,%.3f],", s->llh[0] * R2D,
                s->llh[1] * R2D, s->llh[2], s->pos_m[0], s->pos_m[1], s->pos_m[2]);
        if (s->flags & BX_SOLF_GEOID)
            fprintf(f, "\"h_msl_m\":%.3f,\"geoid_sep_m\":%.3f,", s->llh[2] - s->geoid_sep_m, s->geoid_sep_m);
        if (s->flags & BX_SOLF_VEL)
            fprintf(f, "\"vel_ecef_mps\":[%.4f,%.4f,%.4f],\"vel_enu_mps\":[%.4f,%.4f,%.4f],", s->vel_mps[0],
                    s->vel_mps[1], s->vel_mps[2], s->vel_enu_mps[0], s->vel_enu_mps[1], s->vel_enu_mps[2]);
        else
            fputs("\"vel_ecef_mps\":null,\"vel_enu_mps\":null,", f);
        fprintf(f, "\"clk_bias_m\":%.3f,", s->clk_bias_m);
        if (s->flags & BX_SOLF_VEL)
            fprintf(f, "\"clk_drift_mps\":%.4f,", s->clk_drift_mps);
        else
            fputs("\"clk_drift_mps\":null,", f);
        fprintf(f, "\"gdop\":%.2f,\"pdop\":%.2f,\"hdop\":%.2f,\"vdop\":%.2f,\"tdop\":%.2f,", s->gdop, s->pdop,
                s->hdop, s->vdop, s->tdop);
    } else {
        fputs("\"lat_deg\":null,\"lon_deg\":null,\"h_m\":null,\"ecef_m\":null,\"vel_ecef_mps\":null,"
              "\"vel_enu_mps\":null,\"clk_bias_m\":null,\"clk_drift_mps\":null,\"gdop\":null,\"pdop\":null,"
              "\"hdop\":null,\"vdop\":null,\"tdop\":null,",
              f);
    }
    fprintf(f, "\"n_used\":%d,\"n_excl\":%d,\"raim\":\"%s\",\"chi2\":%.2f,", s->n_used, s->n_excl,
            raim_str(s->flags), s->chi2);
    if (isfinite(s->chi2_thres) && s->chi2_thres > 0.0)
        fprintf(f, "\"chi2_thres\":%.2f,", s->chi2_thres);
    else
        fputs("\"chi2_thres\":null,", f);
    fprintf(f, "\"sigma0\":%.3f,\"flags\":[", s->sigma0);
    static const char *const fl[] = {"iono_bdgim", "iono_none", "iono_free", "tropo", "vel",
                                     "raim_ok",    "raim_excl", "raim_fail", "raim_na", "no_tgd", "jump"};
    int first = 1;
    for (int i = 0; i < 11; i++)
        if (s->flags & (1u << i)) {
            fprintf(f, "%s\"%s\"", first ? "" : ",", fl[i]);
            first = 0;
        }
    fputs("],\"sats\":[", f);
    for (int i = 0; i < s->n_sat && i < BX_SOL_MAXSAT; i++) {
        const bx_solsat_t *t = &s->sat[i];
        fprintf(f, "%s{\"prn\":%d,\"status\":\"%s\",", i ? "," : "", t->prn, sat_status(t->status));
        const int geo = ok && (t->status == BX_SAT_USED || t->status == BX_SAT_ELMASK || t->status == BX_SAT_RAIM);
        if (geo)
            fprintf(f, "\"el_deg\":%.1f,\"az_deg\":%.1f,", t->el_deg, t->az_deg);
        else
            fputs("\"el_deg\":null,\"az_deg\":null,", f);
        if (t->cn0_dbhz > 0.0f)
            fprintf(f, "\"cn0_dbhz\":%.1f,", t->cn0_dbhz);
        else
            fputs("\"cn0_dbhz\":null,", f);
        if (geo)
            fprintf(f, "\"res_m\":%.3f,", t->resid_m);
        else
            fputs("\"res_m\":null,", f);
        if (geo && t->status == BX_SAT_USED)
            fprintf(f, "\"sigma_m\":%.3f,", t->sigma_m);
        else
            fputs("\"sigma_m\":null,", f);
        if (geo && t->status == BX_SAT_USED && (s->flags & BX_SOLF_VEL))
            fprintf(f, "\"res_mps\":%.4f}", t->resid_mps);
        else
            fputs("\"res_mps\":null}", f);
    }
    return fputs("]}\n", f) < 0 ? BX_ERR_IO : BX_OK;
}
