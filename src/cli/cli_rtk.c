/* bdsrx rtk — carrier-phase relative positioning (RTK) of a rover against a
 * base from RINEX observation files and navigation data: RTKLIB-style .pos,
 * NMEA GGA/RMC (quality 4/5), JSON lines, and a summary (fix rate, time to
 * first fix, error against --ref).  The engine is include/bdsrx/rtk.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/rtk.h"
#include "bdsrx/time.h"
#include "cli.h"
#include "cli_opt.h"
#include "bdsrx/rtk_base.h"
#include "cli_base.h"

#define D2R (M_PI / 180.0)
#define MAX_NAV 8

static int parse_signals(const char *s, bx_rtk_config_t *c)
{
    static const struct {
        const char *name;
        int sig;
    } tab[] = {{"B1C", BX_SIG_B1C}, {"B2A", BX_SIG_B2A}, {"B2B", BX_SIG_B2B},
               {"B1I", BX_SIG_B1I}, {"B2I", BX_SIG_B2I}, {"B3I", BX_SIG_B3I}};
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    c->n_sig = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int found = -1;
        for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
            if (!strcasecmp(tok, tab[i].name))
                found = tab[i].sig;
        if (found < 0 || c->n_sig >= BX_RTK_MAXF)
            return -1;
        c->sig[c->n_sig++] = found;
    }
    return c->n_sig > 0 ? 0 : -1;
}

static FILE *open_out(const char *path, FILE **owned)
{
    *owned = NULL;
    if (!path || !strcmp(path, "-"))
        return stdout;
    *owned = fopen(path, "w");
    return *owned;
}

typedef struct {
    int epochs, fixed, flt, spp, none;
    double ttff_s;
    bx_time_t t0;
    int have_t0;
    int n_ref;
    double sum_enu[3], sum2_h, sum2_u;
    int within2cm;
} summary_t;

/* CLI_FN parsers */
static int fn_mode(const char *arg, void *value, char *err, size_t errlen)
{
    int *m = value;
    if (!strcmp(arg, "static"))
        *m = BX_RTK_STATIC;
    else if (!strcmp(arg, "kinematic"))
        *m = BX_RTK_KINEMATIC;
    else {
        snprintf(err, errlen, "'%s': static or kinematic", arg);
        return -1;
    }
    return 0;
}

static int fn_signals(const char *arg, void *value, char *err, size_t errlen)
{
    if (parse_signals(arg, value)) {
        snprintf(err, errlen, "'%s': up to %d of B1C B2a B2b B1I B2I B3I, comma-separated", arg, BX_RTK_MAXF);
        return -1;
    }
    return 0;
}

typedef struct {
    int on;
    const char *path;
} json_opt_t;

static int fn_json(const char *arg, void *value, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    json_opt_t *j = value;
    j->on = 1;
    j->path = arg;
    return 0;
}

static int fn_atmo(const char *arg, void *value, char *err, size_t errlen)
{
    int *v = value;
    if (!strcmp(arg, "off"))
        *v = -1;
    else if (!strcmp(arg, "auto"))
        *v = 0;
    else if (!strcmp(arg, "on"))
        *v = 1;
    else {
        snprintf(err, errlen, "'%s': give on, off or auto", arg);
        return -1;
    }
    return 0;
}

int cli_rtk(int argc, char **argv)
{
    const char *rover_path = NULL, *base_path = NULL, *nav_item[MAX_NAV], *pos_path = NULL, *nmea_path = NULL;
    const char *base_pos = NULL, *ref_pos = NULL;
    cli_list_t navs = {nav_item, 0, MAX_NAV};
    const char **nav_path = nav_item;
    json_opt_t jo = {0, NULL};
    int quiet = 0, hold = 0, no_par = 0, summary_only = 0;
    double elmask_deg = NAN, ratio = NAN;
    bx_rtk_config_t cfg;
    bx_rtk_config_default(&cfg);
    const cli_opt_t opts[] = {
        {"rover", 0, CLI_STRING, &rover_path, 0, 0, "FILE", "rover RINEX 3/4 observations (.gz read through gzip)",
         NULL, 0, 0},
        {"base", 0, CLI_STRING, &base_path, 0, 0, "FILE",
         "base observations: RINEX 3/4, an RTCM 3 log (MSM4-7, 1005/1006, 1042;\n"
         "recognised by its CRC-checked frames) or an NTRIP stream\n"
         "ntrip://[user[:password]@]host[:port]/MOUNT (ntrip1:// for NTRIP 1)", NULL, 0, 0},
        {"nav", 0, CLI_LIST, &navs, 0, 0, "FILE", "RINEX 3/4 navigation (D1/D2, CNV1/2/3); may be repeated", NULL, 0,
         0},
        {"base-pos", 0, CLI_STRING, &base_pos, 0, 0, "P",
         "base antenna: X,Y,Z (ECEF m) or LAT,LON,H (deg, deg, m ellipsoidal), or 'header'\n"
         "(RINEX APPROX POSITION XYZ / RTCM 1005-1006); default: an RTCM base's\n"
         "station message, else the base's first single-point fix (metres off:\n"
         "the rover comes out shifted by as much)", NULL, 0, 0},
        {"mode", 0, CLI_FN, &cfg.mode, 0, 0, "M", "kinematic (default) | static", fn_mode, 0, 0},
        {"signals", 0, CLI_FN, &cfg, 0, 0, "LIST",
         "e.g. B1I,B3I (of B1C B2a B2b B1I B2I B3I; default: the up to 3 signals\n"
         "with the most satellites carrying phase at both receivers)", fn_signals, 0, 0},
        {"atmo", 0, CLI_FN, &cfg.atmo_est, 0, 0, "on|off|auto",
         "ionosphere/troposphere states in the filter (auto, the default: beyond 1.5 km)", fn_atmo, 0, 0},
        {"iono-prior", 0, CLI_DOUBLE, &cfg.iono_init_ppm, 0, 1000, "PPM",
         "with the atmosphere states: a-priori ionosphere sigma per baseline length (zenith), default 1",
         NULL, 0, 0},
        {"elmask", 0, CLI_DOUBLE, &elmask_deg, 0, 90, "DEG", "elevation mask, default 15", NULL, 0, 0},
        {"ratio", 0, CLI_DOUBLE, &ratio, 1, 1000, "R", "ratio-test threshold, default 3", NULL, 0, 0},
        {"hold", 0, CLI_FLAG, &hold, 0, 0, NULL, "fix-and-hold", NULL, 0, 0},
        {"no-par", 0, CLI_FLAG, &no_par, 0, 0, NULL, "no partial ambiguity resolution", NULL, 0, 0},
        {"pos", 0, CLI_STRING, &pos_path, 0, 0, "FILE", "RTKLIB .pos solution file", NULL, 0, 0},
        {"nmea", 0, CLI_STRING, &nmea_path, 0, 0, "FILE", "NMEA GGA (quality 4 fixed / 5 float) + RMC ('-' = stdout)",
         NULL, 0, 0},
        {"json", 0, CLI_FN, &jo, 0, 0, "FILE", "JSON lines (--json alone: stdout)", fn_json, CLI_OPTIONAL, 0},
        {"ref", 0, CLI_STRING, &ref_pos, 0, 0, "P", "reference rover position (as --base-pos) for the summary", NULL, 0,
         0},
        {"summary-only", 0, CLI_FLAG, &summary_only, 0, 0, NULL, "no per-epoch text lines, only the summary", NULL, 0,
         0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx rtk", "--rover FILE --base FILE --nav FILE [--nav FILE ...] [options]",
        "RTK: double-differenced carrier phase of a rover against a base (Kalman filter, LAMBDA integer\n"
        "ambiguities with ratio and success-rate validation), BeiDou B1C B2a B2b B1I B2I B3I.",
        opts, "The summary (stderr) gives the fix rate, the time to the first fix and, with --ref, the error.", 0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!rover_path || !base_path || !navs.n)
        return cli_opt_usage_error(&cmd, "--rover, --base and --nav are required (bdsrx rtk --help)");
    const int n_nav = navs.n, json = jo.on;
    const char *json_path = jo.path;
    if (!isnan(elmask_deg))
        cfg.elmask_rad = cfg.elmask_ar_rad = elmask_deg * D2R;
    if (!isnan(ratio))
        cfg.ratio_min = ratio;
    cfg.hold = hold;
    cfg.par = !no_par;
    char err[400];
    bx_rinex_obs_reader_t *rr = NULL;
    bx_rtk_base_t *br = NULL;
    bx_obs_t *ob = NULL;
    const unsigned all = (1u << BX_SIG_B1C) | (1u << BX_SIG_B2A) | (1u << BX_SIG_B2B) | (1u << BX_SIG_B1I) |
                         (1u << BX_SIG_B2I) | (1u << BX_SIG_B3I);
    if (bx_rinex_obs_open(rover_path, &rr, err, sizeof err) ||
        bx_rtk_base_create(base_path, all, &br, err, sizeof err)) {
        fprintf(stderr, "bdsrx rtk: %s\n", err);
        bx_rinex_obs_destroy(rr);
        return 1;
    }
    bx_rinex_obs_set_signals(rr, all);
    double ref[3];
    int rc = 1, have_ref = 0;
    if (base_pos && !strcmp(base_pos, "header")) {
        if (bx_rtk_base_position(br, cfg.base_pos_m)) {
            fprintf(stderr, "bdsrx rtk: --base-pos header: %s carries no station coordinates\n", base_path);
            rc = 2;
            goto out_obs;
        }
    } else if (!base_pos && strcmp(bx_rtk_base_kind(br), "RINEX") && !bx_rtk_base_position(br, cfg.base_pos_m)) {
        fprintf(stderr, "rtk: base position from the RTCM 1005/1006 station message: %.4f %.4f %.4f m (ECEF)\n",
                cfg.base_pos_m[0], cfg.base_pos_m[1], cfg.base_pos_m[2]);
    } else if (base_pos && cli_parse_pos(base_pos, cfg.base_pos_m)) {
        fprintf(stderr, "bdsrx rtk: --base-pos %s: X,Y,Z (m) or LAT,LON,H (deg, m) near the Earth's surface\n",
                base_pos);
        rc = 2;
        goto out_obs;
    }
    if (ref_pos) {
        if (cli_parse_pos(ref_pos, ref)) {
            fprintf(stderr, "bdsrx rtk: --ref %s: X,Y,Z (m) or LAT,LON,H (deg, m)\n", ref_pos);
            rc = 2;
            goto out_obs;
        }
        have_ref = 1;
    }
    bx_nav_t nav;
    bx_nav_init(&nav);
    for (int i = 0; i < n_nav; i++)
        if (bx_rinex_nav_read(nav_path[i], &nav, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx rtk: %s\n", err);
            goto out_nav;
        }
    bx_rtk_t *rtk = NULL;
    if (bx_rtk_create(&cfg, &rtk, err, sizeof err)) {
        fprintf(stderr, "bdsrx rtk: %s\n", err);
        goto out_nav;
    }
    FILE *fpos_o = NULL, *fnmea_o = NULL, *fjson_o = NULL;
    FILE *fpos = pos_path ? open_out(pos_path, &fpos_o) : NULL;
    FILE *fnmea = nmea_path ? open_out(nmea_path, &fnmea_o) : NULL;
    FILE *fjson = json ? open_out(json_path, &fjson_o) : NULL;
    if ((pos_path && !fpos) || (nmea_path && !fnmea) || (json && !fjson)) {
        fprintf(stderr, "bdsrx rtk: cannot create an output file\n");
        goto out_files;
    }
    ob = calloc(3, sizeof *ob); /* rover, base, next base (7 KiB each) */
    if (!ob) {
        fprintf(stderr, "bdsrx rtk: out of memory\n");
        goto out_files;
    }
    bx_obs_t *const rov = ob, *const bas = ob + 1;
    int have_b = 0, bnext = 0, beof = 0, st;
    summary_t sm;
    memset(&sm, 0, sizeof sm);
    int header_done = 0;
    while ((st = bx_rinex_obs_read(rr, rov)) == BX_OK) {
        /* base epoch: the latest at or before the rover epoch (+0.5 ms) */
        while (!beof) {
            if (!bnext) {
                const int bs = bx_rtk_base_next(br, rov->time, &bas[1], &nav);
                if (bs == BX_ERR_EOF) {
                    if (bx_rtk_base_error(br)[0])
                        fprintf(stderr, "rtk: base stream: %s\n", bx_rtk_base_error(br));
                    beof = 1;
                    break;
                }
                if (bs != BX_OK) {
                    fprintf(stderr, "bdsrx rtk: %s\n", bx_rtk_base_error(br));
                    goto out_files;
                }
                bnext = 1;
            }
            if (bx_time_diff(bas[1].time, rov->time) > 5e-4)
                break;
            bas[0] = bas[1];
            have_b = 1;
            bnext = 0;
        }
        bx_rtk_sol_t sol;
        const int ps = bx_rtk_process(rtk, have_b ? &bas[0] : NULL, rov, &nav, &sol);
        sm.epochs++;
        if (!sm.have_t0) {
            sm.t0 = rov->time;
            sm.have_t0 = 1;
        }
        if (ps != BX_OK || !sol.sol.fix) {
            sm.none++;
        } else if (sol.sol.fix == BX_FIX_FIXED) {
            if (!sm.fixed)
                sm.ttff_s = bx_time_diff(rov->time, sm.t0);
            sm.fixed++;
        } else if (sol.sol.fix == BX_FIX_FLOAT) {
            sm.flt++;
        } else {
            sm.spp++;
        }
        if (have_ref && sol.sol.fix == BX_FIX_FIXED) {
            double d[3], enu[3], llh[3];
            for (int i = 0; i < 3; i++)
                d[i] = sol.sol.pos_m[i] - ref[i];
            bx_ecef_to_llh(ref, llh);
            bx_ecef_to_enu(llh, d, enu);
            for (int i = 0; i < 3; i++)
                sm.sum_enu[i] += enu[i];
            sm.sum2_h += enu[0] * enu[0] + enu[1] * enu[1];
            sm.sum2_u += enu[2] * enu[2];
            sm.within2cm += hypot(enu[0], enu[1]) <= 0.02;
            sm.n_ref++;
        }
        if (fpos && !header_done) {
            bx_rtk_pos_header(fpos, "bdsrx rtk", rover_path, base_path, &sol);
            header_done = 1;
        }
        if (fpos && sol.sol.fix)
            bx_rtk_pos_write(fpos, &sol);
        if (fnmea)
            bx_rtk_nmea_write(fnmea, &sol);
        if (fjson)
            bx_rtk_json_write(fjson, &sol);
        if (!summary_only && !(fjson == stdout) && !(fnmea == stdout)) {
            char tb[40];
            static const char *const fx[] = {"none", "spp", "float", "fixed"};
            printf("%.23s BDT %-5s ratio %6.1f sats %2d amb %2d/%2d  E %9.4f N %9.4f U %9.4f  %s\n",
                   bx_time_str(rov->time, tb, sizeof tb), fx[sol.sol.fix & 3], sol.ratio, sol.n_sat, sol.n_fixed,
                   sol.n_amb, sol.baseline_enu_m[0], sol.baseline_enu_m[1], sol.baseline_enu_m[2], sol.msg);
        }
    }
    if (st != BX_ERR_EOF) {
        fprintf(stderr, "bdsrx rtk: %s\n", bx_rinex_obs_error(rr));
        goto out_files;
    }
    fprintf(stderr, "rtk: %d epochs: %d fixed (%.1f %%), %d float, %d single, %d none", sm.epochs, sm.fixed,
            sm.epochs ? 100.0 * sm.fixed / sm.epochs : 0.0, sm.flt, sm.spp, sm.none);
    if (sm.fixed)
        fprintf(stderr, "; first fix after %.0f s", sm.ttff_s);
    fputc('\n', stderr);
    if (sm.n_ref)
        fprintf(stderr,
                "rtk: fixed epochs vs --ref: mean E %.4f N %.4f U %.4f m, RMS horizontal %.4f m, vertical %.4f m, "
                "%.1f %% within 2 cm horizontally\n",
                sm.sum_enu[0] / sm.n_ref, sm.sum_enu[1] / sm.n_ref, sm.sum_enu[2] / sm.n_ref,
                sqrt(sm.sum2_h / sm.n_ref), sqrt(sm.sum2_u / sm.n_ref), 100.0 * sm.within2cm / sm.n_ref);
    rc = 0;
out_files:
    free(ob);
    if (fpos_o)
        fclose(fpos_o);
    if (fnmea_o)
        fclose(fnmea_o);
    if (fjson_o)
        fclose(fjson_o);
    bx_rtk_destroy(rtk);
out_nav:
    bx_nav_destroy(&nav);
out_obs:
    bx_rinex_obs_destroy(rr);
    bx_rtk_base_destroy(br);
    return rc;
}
