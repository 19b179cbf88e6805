/* bdsrx rtk — carrier-phase relative positioning (RTK) of a rover against a
 * base from RINEX observation files and navigation data: RTKLIB-style .pos,
 * NMEA GGA/RMC (quality 4/5), JSON lines, and a summary (fix rate, time to
 * first fix, error against --ref).  The engine is include/bdsrx/rtk.h. */
#include <getopt.h>
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

#define D2R (M_PI / 180.0)
#define MAX_NAV 8

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bdsrx rtk --rover OBS --base OBS --nav NAV [--nav NAV ...] [options]\n"
            "RTK (double-differenced carrier phase, Kalman filter, LAMBDA) from RINEX 3/4 observations.\n\n"
            "  --rover FILE        rover RINEX observations (.gz read through gzip)\n"
            "  --base FILE         base RINEX observations\n"
            "  --nav FILE          RINEX 3/4 navigation (D1/D2, CNV1/2/3); may be repeated\n"
            "  --base-pos P        base antenna: X,Y,Z (ECEF m) or LAT,LON,H (deg, deg, m ellipsoidal);\n"
            "                      default: the base's first single-point fix (metres off: the rover is\n"
            "                      shifted by as much) -- the header APPROX POSITION with --base-pos header\n"
            "  --mode M            kinematic (default) | static\n"
            "  --signals LIST      e.g. B1I,B3I  (B1C B2a B2b B1I B2I B3I; default: the up to 3 signals with\n"
            "                      the most satellites carrying phase at both receivers)\n"
            "  --elmask DEG        elevation mask, default 15\n"
            "  --ratio R           ratio-test threshold, default 3\n"
            "  --hold              fix-and-hold\n"
            "  --no-par            no partial ambiguity resolution\n"
            "  --pos FILE          RTKLIB .pos solution file\n"
            "  --nmea FILE         NMEA GGA + RMC ('-' = stdout)\n"
            "  --json[=FILE]       JSON lines (stdout without FILE)\n"
            "  --ref P             reference rover position (as --base-pos) for the summary\n"
            "  --quiet             summary only\n");
}

/* "X,Y,Z" (ECEF, metres) or "LAT,LON,H" (degrees, metres) -> ECEF. */
static int parse_pos(const char *s, double ecef[3])
{
    double v[3];
    if (sscanf(s, "%lf,%lf,%lf", &v[0], &v[1], &v[2]) != 3)
        return -1;
    if (fabs(v[0]) > 1e5 || fabs(v[1]) > 1e5 || fabs(v[2]) > 1e5) {
        memcpy(ecef, v, sizeof v);
    } else {
        if (fabs(v[0]) > 90.0 || fabs(v[1]) > 360.0)
            return -1;
        const double llh[3] = {v[0] * D2R, v[1] * D2R, v[2]};
        bx_llh_to_ecef(llh, ecef);
    }
    const double r = sqrt(ecef[0] * ecef[0] + ecef[1] * ecef[1] + ecef[2] * ecef[2]);
    return (r > 6.2e6 && r < 6.5e6) ? 0 : -1;
}

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

int cli_rtk(int argc, char **argv)
{
    const char *rover_path = NULL, *base_path = NULL, *nav_path[MAX_NAV], *pos_path = NULL, *nmea_path = NULL;
    const char *json_path = NULL, *base_pos = NULL, *ref_pos = NULL;
    int n_nav = 0, json = 0, quiet = 0;
    bx_rtk_config_t cfg;
    bx_rtk_config_default(&cfg);
    static const struct option opts[] = {
        {"rover", required_argument, 0, 'r'},   {"base", required_argument, 0, 'b'},
        {"nav", required_argument, 0, 'n'},     {"base-pos", required_argument, 0, 'B'},
        {"mode", required_argument, 0, 'm'},    {"signals", required_argument, 0, 's'},
        {"elmask", required_argument, 0, 'e'},  {"ratio", required_argument, 0, 'R'},
        {"hold", no_argument, 0, 'H'},          {"no-par", no_argument, 0, 'P'},
        {"pos", required_argument, 0, 'p'},     {"nmea", required_argument, 0, 'N'},
        {"json", optional_argument, 0, 'j'},    {"ref", required_argument, 0, 'f'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rover_path = optarg; break;
        case 'b': base_path = optarg; break;
        case 'n':
            if (n_nav >= MAX_NAV) {
                fprintf(stderr, "bdsrx rtk: at most %d --nav files\n", MAX_NAV);
                return 2;
            }
            nav_path[n_nav++] = optarg;
            break;
        case 'B': base_pos = optarg; break;
        case 'm':
            if (!strcmp(optarg, "static"))
                cfg.mode = BX_RTK_STATIC;
            else if (!strcmp(optarg, "kinematic"))
                cfg.mode = BX_RTK_KINEMATIC;
            else {
                fprintf(stderr, "bdsrx rtk: --mode %s: static or kinematic\n", optarg);
                return 2;
            }
            break;
        case 's':
            if (parse_signals(optarg, &cfg)) {
                fprintf(stderr, "bdsrx rtk: --signals %s: up to %d of B1C B2a B2b B1I B2I B3I\n", optarg,
                        BX_RTK_MAXF);
                return 2;
            }
            break;
        case 'e': cfg.elmask_rad = cfg.elmask_ar_rad = atof(optarg) * D2R; break;
        case 'R': cfg.ratio_min = atof(optarg); break;
        case 'H': cfg.hold = 1; break;
        case 'P': cfg.par = 0; break;
        case 'p': pos_path = optarg; break;
        case 'N': nmea_path = optarg; break;
        case 'j':
            json = 1;
            json_path = optarg;
            break;
        case 'f': ref_pos = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!rover_path || !base_path || !n_nav) {
        fprintf(stderr, "bdsrx rtk: --rover, --base and --nav are required\n");
        usage(stderr);
        return 2;
    }
    char err[400];
    bx_rinex_obs_reader_t *rr = NULL, *br = NULL;
    if (bx_rinex_obs_open(rover_path, &rr, err, sizeof err) || bx_rinex_obs_open(base_path, &br, err, sizeof err)) {
        fprintf(stderr, "bdsrx rtk: %s\n", err);
        bx_rinex_obs_destroy(rr);
        return 1;
    }
    const unsigned all = (1u << BX_SIG_B1C) | (1u << BX_SIG_B2A) | (1u << BX_SIG_B2B) | (1u << BX_SIG_B1I) |
                         (1u << BX_SIG_B2I) | (1u << BX_SIG_B3I);
    bx_rinex_obs_set_signals(rr, all);
    bx_rinex_obs_set_signals(br, all);
    double ref[3];
    int rc = 1, have_ref = 0;
    if (base_pos && !strcmp(base_pos, "header")) {
        memcpy(cfg.base_pos_m, bx_rinex_obs_header(br)->approx_pos_m, sizeof cfg.base_pos_m);
    } else if (base_pos && parse_pos(base_pos, cfg.base_pos_m)) {
        fprintf(stderr, "bdsrx rtk: --base-pos %s: X,Y,Z (m) or LAT,LON,H (deg, m) near the Earth's surface\n",
                base_pos);
        rc = 2;
        goto out_obs;
    }
    if (ref_pos) {
        if (parse_pos(ref_pos, ref)) {
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
    static bx_obs_t rov, bas[2];
    int have_b = 0, bnext = 0, beof = 0, st;
    summary_t sm;
    memset(&sm, 0, sizeof sm);
    int header_done = 0;
    while ((st = bx_rinex_obs_read(rr, &rov)) == BX_OK) {
        /* base epoch: the latest at or before the rover epoch (+0.5 ms) */
        while (!beof) {
            if (!bnext) {
                const int bs = bx_rinex_obs_read(br, &bas[1]);
                if (bs == BX_ERR_EOF) {
                    beof = 1;
                    break;
                }
                if (bs != BX_OK) {
                    fprintf(stderr, "bdsrx rtk: %s\n", bx_rinex_obs_error(br));
                    goto out_files;
                }
                bnext = 1;
            }
            if (bx_time_diff(bas[1].time, rov.time) > 5e-4)
                break;
            bas[0] = bas[1];
            have_b = 1;
            bnext = 0;
        }
        bx_rtk_sol_t sol;
        const int ps = bx_rtk_process(rtk, have_b ? &bas[0] : NULL, &rov, &nav, &sol);
        sm.epochs++;
        if (!sm.have_t0) {
            sm.t0 = rov.time;
            sm.have_t0 = 1;
        }
        if (ps != BX_OK || !sol.sol.fix) {
            sm.none++;
        } else if (sol.sol.fix == BX_FIX_FIXED) {
            if (!sm.fixed)
                sm.ttff_s = bx_time_diff(rov.time, sm.t0);
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
        if (!quiet && !fjson) {
            char tb[40];
            static const char *const fx[] = {"none", "spp", "float", "fixed"};
            printf("%s %-5s ratio %6.1f sats %2d amb %2d/%2d  E %9.4f N %9.4f U %9.4f  %s\n",
                   bx_time_str(rov.time, tb, sizeof tb), fx[sol.sol.fix & 3], sol.ratio, sol.n_sat, sol.n_fixed,
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
    bx_rinex_obs_destroy(br);
    return rc;
}
