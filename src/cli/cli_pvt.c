/* bdsrx pvt — single-point positions from RINEX observation + navigation
 * files: one line (text or JSON) per epoch, optional NMEA, and a summary with
 * the error against the RINEX header position. */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/output.h"
#include "bdsrx/pvt.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/time.h"
#include "bdsrx/geoid.h"
#include "cli.h"
#include "recio.h"
#include "cli_opt.h"

#define R2D (180.0 / M_PI)
#define MAX_NAV 8

typedef struct {
    int epochs, fixes, raim_excl, raim_fail;
    double sum_pos[3];
    double sum_e2, sum_n2, sum_u2;
    char last_reason[128];
    int nofix_reasons;
} summary_t;

/* A header position is usable as a reference when it lies near the Earth's surface. */
static int ref_ok(const double p[3])
{
    const double r = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    return r > 6.2e6 && r < 6.5e6;
}

/* Group delays for D1/D2 ephemerides from another file's CNAV records. */
static int borrow_tgd(bx_nav_t *nav, const char *path, char *err, size_t errlen)
{
    bx_nav_t src;
    bx_nav_init(&src);
    if (bx_rinex_nav_read(path, &src, err, errlen) != BX_OK) {
        bx_nav_destroy(&src);
        return -1;
    }
    const int count = bx_pvt_borrow_tgd(nav, &src);
    bx_nav_destroy(&src);
    return count;
}

static int fn_mode(const char *arg, void *value, char *err, size_t errlen)
{
    int *mode = value;
    if (!strcasecmp(arg, "b1c"))
        *mode = BX_PVT_B1C;
    else if (!strcasecmp(arg, "b2a"))
        *mode = BX_PVT_B2A;
    else if (!strcasecmp(arg, "if"))
        *mode = BX_PVT_IF;
    else {
        snprintf(err, errlen, "unknown mode '%s' (use b1c, b2a or if)", arg);
        return -1;
    }
    return 0;
}

int cli_pvt(int argc, char **argv)
{
    const char *obs_path = NULL, *nav_item[MAX_NAV], *nmea_path = NULL, *out_path = NULL;
    const char *tgd_path = NULL;
    cli_list_t navs = {nav_item, 0, MAX_NAV};
    const char **nav_path = nav_item;
    int json = 0, quiet = 0, summary_only = 0, no_raim = 0, no_iono = 0, no_tropo = 0;
    double elmask_deg = NAN;
    bx_pvt_config_t cfg;
    bx_pvt_config_default(&cfg);
    const cli_opt_t opts[] = {
        {"obs", 0, CLI_STRING, &obs_path, 0, 0, "FILE", "RINEX 3.0x/4.0x observation file (.rnx, .gz read through gzip)",
         NULL, 0, 0},
        {"nav", 0, CLI_LIST, &navs, 0, 0, "FILE", "RINEX 3/4 navigation file (CNV1/CNV2/CNV3, D1/D2); may be repeated",
         NULL, 0, 0},
        {"mode", 0, CLI_FN, &cfg.mode, 0, 0, "M", "b1c | b2a | if (B1C/B2a ionosphere-free, default)", fn_mode, 0, 0},
        {"elmask", 0, CLI_DOUBLE, &elmask_deg, -90, 90, "DEG", "elevation mask, default 10", NULL, 0, 0},
        {"no-raim", 0, CLI_FLAG, &no_raim, 0, 0, NULL, "no chi-square test / exclusion", NULL, 0, 0},
        {"no-iono", 0, CLI_FLAG, &no_iono, 0, 0, NULL, "no BDGIM correction (single frequency)", NULL, 0, 0},
        {"no-tropo", 0, CLI_FLAG, &no_tropo, 0, 0, NULL, "no troposphere model", NULL, 0, 0},
        {"json", 0, CLI_FLAG, &json, 0, 0, NULL, "one JSON object per epoch instead of a text line", NULL, 0, 0},
        {"nmea", 0, CLI_STRING, &nmea_path, 0, 0, "FILE", "also write NMEA GGA/RMC/GSA/GSV to FILE ('-' = stdout)",
         NULL, 0, 0},
        {"out", 0, CLI_STRING, &out_path, 0, 0, "FILE", "per-epoch output to FILE instead of stdout", NULL, 0, 0},
        {"summary-only", 0, CLI_FLAG, &summary_only, 0, 0, NULL, "no per-epoch output, only the summary", NULL, 0, 0},
        {"tgd-from", 0, CLI_STRING, &tgd_path, 0, 0, "FILE",
         "borrow B1C/B2a group delays (T_GD, ISC) per PRN from the CNV1/CNV2 records of\n"
         "another RINEX 4 nav file for ephemerides without them (legacy D1/D2)", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx pvt", "--obs FILE --nav FILE [--nav FILE ...] [options]",
        "Single-point positioning (BeiDou-3 B1C/B2a) from RINEX 3/4 observations and navigation data.",
        opts, "The summary compares with the header's APPROX POSITION XYZ when it is set.", 0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!obs_path || !navs.n)
        return cli_opt_usage_error(&cmd, "--obs and --nav are required (bdsrx pvt --help)");
    const int n_nav = navs.n;
    if (!isnan(elmask_deg))
        cfg.elmask_rad = elmask_deg / R2D;
    if (no_raim)
        cfg.raim = 0;
    if (no_iono)
        cfg.iono = 0;
    if (no_tropo)
        cfg.tropo = 0;

    char err[512];
    bx_nav_t nav;
    bx_nav_init(&nav);
    for (int i = 0; i < n_nav; i++)
        if (bx_rinex_nav_read(nav_path[i], &nav, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx pvt: %s\n", err);
            bx_nav_destroy(&nav);
            return 1;
        }
    if (tgd_path) {
        const int nb = borrow_tgd(&nav, tgd_path, err, sizeof err);
        if (nb < 0) {
            fprintf(stderr, "bdsrx pvt: %s\n", err);
            bx_nav_destroy(&nav);
            return 1;
        }
        fprintf(stderr, "bdsrx pvt: group delays of %d ephemerides taken from %s\n", nb, tgd_path);
    }
    bx_rinex_obs_reader_t *rd = NULL;
    if (bx_rinex_obs_open(obs_path, &rd, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx pvt: %s\n", err);
        bx_nav_destroy(&nav);
        return 1;
    }
    FILE *out = stdout, *nmea = NULL;
    if (out_path && !(out = fopen(out_path, "w"))) {
        fprintf(stderr, "bdsrx pvt: cannot create %s\n", out_path);
        bx_rinex_obs_destroy(rd);
        bx_nav_destroy(&nav);
        return 1;
    }
    if (nmea_path && !(nmea = strcmp(nmea_path, "-") ? fopen(nmea_path, "w") : stdout)) {
        fprintf(stderr, "bdsrx pvt: cannot create %s\n", nmea_path);
        if (out != stdout)
            fclose(out);
        bx_rinex_obs_destroy(rd);
        bx_nav_destroy(&nav);
        return 1;
    }
    const bx_rinex_obs_header_t *hdr = bx_rinex_obs_header(rd);
    const int have_ref = ref_ok(hdr->approx_pos_m);
    double ref_llh[3] = {0, 0, 0};
    if (have_ref)
        bx_ecef_to_llh(hdr->approx_pos_m, ref_llh);
    if (!json && !summary_only)
        fprintf(out, "# BDT week  sow         fix  lat_deg       lon_deg        h_m       nsat pdop  "
                     "%s\n",
                have_ref ? "dE_m    dN_m    dU_m   (vs header)" : "");

    bx_pvt_t *pvt;
    bx_geoid_t *geoid = cli_geoid("bdsrx pvt", 0);
    cfg.geoid = geoid; /* heights above MSL in NMEA / JSON */
    if (bx_pvt_create(&cfg, &pvt, NULL, 0) != BX_OK) {
        fprintf(stderr, "bdsrx pvt: out of memory\n");
        bx_rinex_obs_destroy(rd);
        bx_nav_destroy(&nav);
        return 1;
    }
    static bx_obs_t obs;
    static bx_sol_t sol;
    summary_t sm;
    memset(&sm, 0, sizeof sm);
    int st, rc = 0;
    while ((st = bx_rinex_obs_read(rd, &obs)) == BX_OK) {
        sm.epochs++;
        const int ps = bx_pvt_solve(pvt, &obs, &nav, &sol);
        double enu[3] = {0, 0, 0};
        if (ps == BX_OK) {
            sm.fixes++;
            sm.raim_excl += (sol.flags & BX_SOLF_RAIM_EXCL) != 0;
            sm.raim_fail += (sol.flags & BX_SOLF_RAIM_FAIL) != 0;
            for (int k = 0; k < 3; k++)
                sm.sum_pos[k] += sol.pos_m[k];
            if (have_ref) {
                const double d[3] = {sol.pos_m[0] - hdr->approx_pos_m[0], sol.pos_m[1] - hdr->approx_pos_m[1],
                                     sol.pos_m[2] - hdr->approx_pos_m[2]};
                bx_ecef_to_enu(ref_llh, d, enu);
                sm.sum_e2 += enu[0] * enu[0];
                sm.sum_n2 += enu[1] * enu[1];
                sm.sum_u2 += enu[2] * enu[2];
            }
        } else {
            sm.nofix_reasons++;
            snprintf(sm.last_reason, sizeof sm.last_reason, "%s", sol.reason);
        }
        /* each epoch's record is built in memory and written whole (src/io/recio.h) */
        char *rec = NULL;
        size_t rlen = 0;
        FILE *m = open_memstream(&rec, &rlen);
        if (!m) {
            fprintf(stderr, "bdsrx pvt: out of memory\n");
            rc = 1;
            break;
        }
        if (!summary_only) {
            if (json) {
                bx_sol_json_write(m, &sol);
            } else {
                int wk;
                const double sow = bx_time_to_week_sow(obs.time, &wk);
                if (ps == BX_OK) {
                    fprintf(m, "%4d %12.3f  %s %13.9f %14.9f %10.3f %3d %5.2f", wk, sow,
                            (sol.flags & BX_SOLF_RAIM_FAIL) ? "SPP?" : "SPP ", sol.llh[0] * R2D, sol.llh[1] * R2D,
                            sol.llh[2], sol.n_used, sol.pdop);
                    if (have_ref)
                        fprintf(m, " %7.2f %7.2f %7.2f", enu[0], enu[1], enu[2]);
                    if (sol.n_excl)
                        fprintf(m, "  RAIM excluded %d", sol.n_excl);
                    fputc('\n', m);
                } else {
                    fprintf(m, "%4d %12.3f  none  %s\n", wk, sow, sol.reason);
                }
            }
        }
        fclose(m);
        int we = 0;
        if (rlen && (we = bx_rec_write(out, rec, rlen)) != 0)
            fprintf(stderr, "bdsrx pvt: %s: write failed: %s; stopping\n", out_path ? out_path : "standard output",
                    strerror(we));
        free(rec);
        if (!we && nmea) {
            rec = NULL;
            rlen = 0;
            if (!(m = open_memstream(&rec, &rlen)) || bx_nmea_write(m, &sol, "GB") != BX_OK)
                we = ENOMEM;
            if (m)
                fclose(m);
            if (!we && (we = bx_rec_write(nmea, rec, rlen)) != 0)
                fprintf(stderr, "bdsrx pvt: %s: write failed: %s; stopping\n", nmea_path, strerror(we));
            free(rec);
        }
        if (we) {
            rc = 1;
            break;
        }
    }
    if (!rc && st != BX_ERR_EOF) {
        fprintf(stderr, "bdsrx pvt: %s\n", bx_rinex_obs_error(rd));
        rc = 1;
    }

    FILE *s = (json && out == stdout) ? stderr : stdout;
    fflush(out); /* keep the per-epoch lines whole when stdout and stderr share a pipe */
    const char *modes[] = {"B1C", "B2a", "B1C/B2a iono-free"};
    fprintf(s, "summary: %s, %d epochs, %d fixes (%d with RAIM exclusion, %d failing the RAIM test), %d without fix\n",
            modes[cfg.mode], sm.epochs, sm.fixes, sm.raim_excl, sm.raim_fail, sm.epochs - sm.fixes);
    if (sm.epochs > sm.fixes)
        fprintf(s, "  last no-fix reason: %s\n", sm.last_reason);
    if (sm.fixes) {
        double mean[3], llh[3];
        for (int k = 0; k < 3; k++)
            mean[k] = sm.sum_pos[k] / sm.fixes;
        bx_ecef_to_llh(mean, llh);
        fprintf(s, "  mean position: X %.3f Y %.3f Z %.3f m = %.9f %.9f %.3f m\n", mean[0], mean[1], mean[2],
                llh[0] * R2D, llh[1] * R2D, llh[2]);
        if (have_ref) {
            const double d[3] = {mean[0] - hdr->approx_pos_m[0], mean[1] - hdr->approx_pos_m[1],
                                 mean[2] - hdr->approx_pos_m[2]};
            double e[3];
            bx_ecef_to_enu(ref_llh, d, e);
            const double n = sm.fixes;
            fprintf(s,
                    "  mean error vs header APPROX POSITION: E %.2f N %.2f U %.2f m, horizontal %.2f m, 3D %.2f m\n",
                    e[0], e[1], e[2], hypot(e[0], e[1]), sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]));
            fprintf(s, "  per-epoch RMS vs header: horizontal %.2f m, vertical %.2f m, 3D %.2f m\n",
                    sqrt((sm.sum_e2 + sm.sum_n2) / n), sqrt(sm.sum_u2 / n),
                    sqrt((sm.sum_e2 + sm.sum_n2 + sm.sum_u2) / n));
        } else {
            fprintf(s, "  (header has no APPROX POSITION XYZ: no error computed)\n");
        }
    }
    bx_pvt_destroy(pvt);
    bx_geoid_destroy(geoid);
    int ce;
    if (nmea && nmea != out && (ce = bx_rec_close(nmea)) != 0 && !rc) {
        fprintf(stderr, "bdsrx pvt: %s: %s\n", nmea_path, strerror(ce));
        rc = 1;
    }
    if ((ce = bx_rec_close(out)) != 0 && !rc) {
        fprintf(stderr, "bdsrx pvt: %s: %s\n", out_path ? out_path : "standard output", strerror(ce));
        rc = 1;
    }
    if (s == stdout && out != stdout && fflush(stdout) != 0 && !rc) {
        fprintf(stderr, "bdsrx pvt: standard output: %s\n", strerror(errno));
        rc = 1;
    }
    bx_rinex_obs_destroy(rd);
    bx_nav_destroy(&nav);
    return rc ? rc : (sm.fixes ? 0 : 1);
}
