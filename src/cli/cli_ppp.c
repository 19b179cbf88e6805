/* bdsrx ppp — float PPP from RINEX observations with broadcast B-CNAV1 + PPP-B2b corrections from
 * a log (issue 11 §3, first version).  A thin main over nav/pos/ppp.c and nav/pos/ppp_b2b.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bdsrx/fec.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/orbit.h"
#include "bdsrx/ppp.h"
#include "bdsrx/ppp_model.h"
#include "bdsrx/rinex_clk.h"
#include "bdsrx/sp3.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/time.h"
#include "cli.h"
#include "cli_opt.h"

#define D2R (M_PI / 180.0)

static int fn_mode(const char *arg, void *value, char *err, size_t errlen)
{
    if (!strcmp(arg, "static"))
        *(int *)value = 0;
    else if (!strcmp(arg, "kinematic"))
        *(int *)value = 1;
    else {
        snprintf(err, errlen, "'%s': static or kinematic", arg);
        return -1;
    }
    return 0;
}

static int fn_pair(const char *arg, void *value, char *err, size_t errlen)
{
    if (!strcasecmp(arg, "B1C,B2a"))
        *(int *)value = BX_PPP_IF_B1C_B2A;
    else if (!strcasecmp(arg, "B1I,B3I"))
        *(int *)value = BX_PPP_IF_B1I_B3I;
    else {
        snprintf(err, errlen, "'%s': B1C,B2a or B1I,B3I", arg);
        return -1;
    }
    return 0;
}

static int fn_geo(const char *arg, void *value, char *err, size_t errlen)
{
    char *end;
    long g = strtol(arg, &end, 10);
    if (*end || end == arg || g < 59 || g > 63) {
        snprintf(err, errlen, "'%s' is not a PPP-B2b GEO PRN 59..63", arg);
        return -1;
    }
    *(int *)value = (int)g;
    return 0;
}

/* the GEO of the first mask (MT1) in the log, 0 if none */
static int first_geo(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    uint8_t bits[BX_B2B_BITS];
    int geo = 0;
    while (!geo && fgets(line, sizeof line, f)) {
        bx_time_t t;
        int prn;
        bx_b2b_msg_t m;
        if (bx_b2b_log_parse(line, &t, &prn, bits) == BX_OK && bx_crc24q_check(bits, BX_B2B_BITS) &&
            bx_b2b_parse(bits, &m) == BX_OK && m.type == 1 && prn >= 59 && prn <= 63)
            geo = prn;
    }
    fclose(f);
    return geo;
}

int cli_ppp(int argc, char **argv)
{
    const char *obs_path = NULL, *nav_path = NULL, *b2b_path = NULL, *pos_path = NULL, *sp3_path = NULL,
               *clk_path = NULL;
    int json = 0, quiet = 0, geo = 0, kin = 0, brdc = 0, pair = BX_PPP_IF_B1C_B2A, no_models = 0, no_pco = 0;
    double ref_llh[3] = {NAN, NAN, NAN}, b2b_age[2] = {0, 0};
    const cli_opt_t opts[] = {
        {"obs", 0, CLI_STRING, &obs_path, 0, 0, "FILE", "RINEX 3/4 observations: B1C/B2a pilot code and phase (C1P L1P C5P L5P), or C2I L2I C6I L6I",
         NULL, 0, 0},
        {"nav", 0, CLI_STRING, &nav_path, 0, 0, "FILE", "RINEX navigation file: B-CNAV1 (CNV1) ephemerides for --b2b, D1/D2 or CNAV for --brdc", NULL, 0,
         0},
        {"b2b", 0, CLI_STRING, &b2b_path, 0, 0, "LOG",
         "PPP-B2b corrections, cssrlib-data log ('GPS_week GPS_TOW PRN src nbytes HEX')", NULL, 0, 0},
        {"sp3", 0, CLI_STRING, &sp3_path, 0, 0, "FILE",
         "precise orbits (SP3-c/d, centre of mass; clocks if no --clk); with --nav, B1C/B2a code biases from its TGDs",
         NULL, 0, 0},
        {"clk", 0, CLI_STRING, &clk_path, 0, 0, "FILE", "precise satellite clocks (RINEX clock, with --sp3)", NULL, 0, 0},
        {"brdc", 0, CLI_FLAG, &brdc, 0, 0, NULL, "broadcast orbits and clocks only (metre level; data without products)",
         NULL, 0, 0},
        {"signals", 0, CLI_FN, &pair, 0, 0, "PAIR", "B1C,B2a (default, pilots) or B1I,B3I (the pair of IGS clocks)",
         fn_pair, 0, 0},
        {"no-models", 0, CLI_FLAG, &no_models, 0, 0, NULL,
         "no wind-up, solid tide, Shapiro, mapping functions, MW or residual tests (simulated data without them)", NULL, 0, 0},
        {"no-pco", 0, CLI_FLAG, &no_pco, 0, 0, NULL, "--sp3: keep the centre of mass (no satellite antenna offset)", NULL,
         0, 0},
        {"geo", 0, CLI_FN, &geo, 0, 0, "PRN", "corrections of this GEO (59..63); default: the first with a mask", fn_geo,
         0, 0},
        {"b2b-max-age", 0, CLI_FN, b2b_age, 0, 0, "CLOCK[,ORBIT]",
         "--b2b: corrections older than this are not applied (s; default 30,180: clock, orbit and code biases)",
         cli_fn_b2b_age, 0, 0},
        {"mode", 0, CLI_FN, &kin, 0, 0, "M", "static (default) or kinematic", fn_mode, 0, 0},
        {"ref", 0, CLI_FN, ref_llh, 0, 0, "LAT,LON,H", "known position: print the east/north/up error", cli_fn_llh, 0, 0},
        {"json", 0, CLI_FLAG, &json, 0, 0, NULL, "one JSON object per epoch", NULL, 0, 0},
        {"pos", 0, CLI_STRING, &pos_path, 0, 0, "FILE", "per-epoch output to FILE instead of stdout", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx ppp", "--obs FILE (--nav FILE --b2b LOG | --sp3 SP3 [--clk CLK] | --nav FILE --brdc) [options]",
        "Precise point positioning (float, ionosphere-free code and phase of B1C/B2a pilots or B1I/B3I,\n"
        "Kalman filter)\n"
        "with broadcast B-CNAV1 orbits and clocks corrected by PPP-B2b messages from a log, with\n"
        "precise SP3 (+ RINEX clock) products, or with broadcast ephemerides only.  Models: phase\n"
        "wind-up (nominal yaw), solid Earth tide (IERS 2010 step 1), Shapiro, Sagnac, Niell wet\n"
        "mapping, antenna reference point from the RINEX header (ANTENNA: DELTA H/E/N); not: receiver\n"
        "antenna phase centre (ANTEX), ocean loading (nav/README.md \"PPP\").",
        opts, NULL, 0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    const int n_src = (b2b_path != NULL) + (sp3_path != NULL) + brdc;
    if (!obs_path || n_src != 1 || ((b2b_path || brdc) && !nav_path) || (clk_path && !sp3_path))
        return cli_opt_usage_error(&cmd, "--obs and one of --b2b LOG (with --nav), --sp3 SP3 [--clk CLK], --brdc (with "
                                         "--nav) are required (bdsrx ppp --help)");
    if (!b2b_path && b2b_age[0] > 0)
        return cli_opt_usage_error(&cmd, "--b2b-max-age needs --b2b");
    if (b2b_path && pair != BX_PPP_IF_B1C_B2A)
        return cli_opt_usage_error(&cmd, "--b2b works on B1C,B2a");
    if (b2b_path && !geo && !(geo = first_geo(b2b_path))) {
        fprintf(stderr, "bdsrx ppp: %s: no PPP-B2b mask message (MT1) found\n", b2b_path);
        return 1;
    }
    char err[512];
    bx_nav_t nav;
    bx_nav_init(&nav);
    if (nav_path && bx_rinex_nav_read(nav_path, &nav, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx ppp: %s\n", err);
        bx_nav_destroy(&nav);
        return 1;
    }
    bx_rinex_obs_reader_t *rd = NULL;
    bx_ppp_b2b_t *src = NULL;
    bx_ppp_t *pp = NULL;
    bx_sp3_t *sp3 = NULL;
    bx_rnxclk_t *clk = NULL;
    static bx_ppp_sp3_src_t sp3src;
    bx_ppp_brdc_src_t brdcsrc = {&nav, pair};
    bx_ppp_satfn satfn = bx_ppp_b2b_satfn;
    void *satuser = NULL;
    FILE *out = stdout;
    int rc = 1;
    if (bx_rinex_obs_open(obs_path, &rd, err, sizeof err) != BX_OK ||
        (b2b_path && bx_ppp_b2b_create_age(b2b_path, &nav, geo, b2b_age[0], b2b_age[1], &src, err, sizeof err) != BX_OK) ||
        (sp3_path && bx_sp3_read(sp3_path, &sp3, err, sizeof err) != BX_OK) ||
        (clk_path && bx_rnxclk_read(clk_path, &clk, err, sizeof err) != BX_OK)) {
        fprintf(stderr, "bdsrx ppp: %s\n", err);
        goto done;
    }
    if (src) {
        satuser = src;
    } else if (sp3) {
        bx_ppp_sp3_src_init(&sp3src, sp3, clk);
        sp3src.apply_pco = !no_pco;
        if (nav_path && pair == BX_PPP_IF_B1C_B2A && !quiet)
            fprintf(stderr, "bdsrx ppp: IF(B1C,B2a) code biases against the IF(B1I,B3I) clocks from %s's group delays "
                            "for %d satellites\n", nav_path, bx_ppp_sp3_bias_from_nav(&sp3src, &nav));
        else if (nav_path && pair == BX_PPP_IF_B1C_B2A)
            bx_ppp_sp3_bias_from_nav(&sp3src, &nav);
        satfn = bx_ppp_sp3_satfn;
        satuser = &sp3src;
    } else {
        satfn = bx_ppp_brdc_satfn;
        satuser = &brdcsrc;
    }
    if (pair == BX_PPP_IF_B1I_B3I)
        bx_rinex_obs_set_signals(rd, (1u << BX_SIG_B1I) | (1u << BX_SIG_B3I));
    bx_ppp_cfg_t cfg;
    bx_ppp_cfg_default(&cfg);
    cfg.kinematic = kin;
    cfg.if_pair = pair;
    cfg.models = no_models ? 0 : BX_PPP_MODEL_ALL;
    for (int i = 0; i < 3; i++)
        cfg.ant_delta_hen_m[i] = bx_rinex_obs_header(rd)->ant_delta_hen_m[i];
    if (bx_ppp_create(&cfg, &pp, err, sizeof err) != BX_OK) {
        fprintf(stderr, "bdsrx ppp: %s\n", err);
        goto done;
    }
    if (pos_path && !(out = fopen(pos_path, "w"))) {
        fprintf(stderr, "bdsrx ppp: cannot write %s\n", pos_path);
        out = stdout;
        goto done;
    }
    const int have_ref = !isnan(ref_llh[0]);
    double ref_rad[3] = {ref_llh[0] * D2R, ref_llh[1] * D2R, ref_llh[2]}, ref_xyz[3];
    if (have_ref)
        bx_llh_to_ecef(ref_rad, ref_xyz);
    static bx_obs_t obs;
    long n_ep = 0, n_fix = 0;
    double t_first = NAN, t10 = NAN, last_hor = NAN, last_up = NAN, hor30 = NAN, up30 = NAN;
    int st;
    while ((st = bx_rinex_obs_read(rd, &obs)) == BX_OK) {
        n_ep++;
        bx_ppp_sol_t sol;
        if (bx_ppp_update(pp, &obs, satfn, satuser, &sol) != BX_OK)
            continue;
        n_fix++;
        int wk;
        const double tow = bx_time_to_week_sow(sol.time, &wk);
        if (isnan(t_first))
            t_first = (double)sol.time.sec;
        double llh[3], enu[3] = {NAN, NAN, NAN};
        bx_ecef_to_llh(sol.pos_m, llh);
        if (have_ref) {
            const double d[3] = {sol.pos_m[0] - ref_xyz[0], sol.pos_m[1] - ref_xyz[1], sol.pos_m[2] - ref_xyz[2]};
            bx_ecef_to_enu(ref_rad, d, enu);
            last_hor = hypot(enu[0], enu[1]);
            last_up = enu[2];
            if (isnan(hor30) && (double)sol.time.sec - t_first >= 1800.0) {
                hor30 = last_hor;
                up30 = last_up;
            }
            if (last_hor < 0.10 && isnan(t10))
                t10 = (double)sol.time.sec - t_first;
            else if (last_hor >= 0.10)
                t10 = NAN;
        }
        char ts[64];
        bx_time_str(sol.time, ts, sizeof ts);
        if (json) {
            fprintf(out, "{\"time\":\"%s\",\"week\":%d,\"tow_s\":%.3f,\"lat_deg\":%.9f,\"lon_deg\":%.9f,\"h_m\":%.4f,"
                         "\"x_m\":%.4f,\"y_m\":%.4f,\"z_m\":%.4f,\"zwd_m\":%.4f,\"n_sat\":%d,\"sigma_m\":[%.4f,%.4f,%.4f]",
                    ts, wk, tow, llh[0] / D2R, llh[1] / D2R, llh[2], sol.pos_m[0], sol.pos_m[1], sol.pos_m[2], sol.zwd_m,
                    sol.n_sat, sol.sigma_pos_m[0], sol.sigma_pos_m[1], sol.sigma_pos_m[2]);
            if (have_ref)
                fprintf(out, ",\"e_m\":%.4f,\"n_m\":%.4f,\"u_m\":%.4f", enu[0], enu[1], enu[2]);
            fprintf(out, "}\n");
        } else {
            fprintf(out, "%s %14.9f %14.9f %10.4f %2d %7.4f", ts, llh[0] / D2R, llh[1] / D2R, llh[2], sol.n_sat,
                    sol.zwd_m);
            if (have_ref)
                fprintf(out, "  E %+.3f N %+.3f U %+.3f", enu[0], enu[1], enu[2]);
            fprintf(out, "\n");
        }
    }
    if (st != BX_ERR_EOF) {
        fprintf(stderr, "bdsrx ppp: %s\n", bx_rinex_obs_error(rd));
        goto done;
    }
    if (!quiet) {
        if (src)
            fprintf(stderr, "bdsrx ppp: %ld epochs, %ld solutions (corrections of C%02d)", n_ep, n_fix, geo);
        else
            fprintf(stderr, "bdsrx ppp: %ld epochs, %ld solutions (%s)", n_ep, n_fix,
                    sp3 ? (clk ? "SP3 + CLK" : "SP3") : "broadcast only");
        if (have_ref && n_fix) {
            fprintf(stderr, "; last: horizontal %.3f m, up %+.3f m; 10 cm horizontal ", last_hor, last_up);
            if (isnan(t10))
                fprintf(stderr, "not reached (to stay)");
            else
                fprintf(stderr, "after %.0f s (and staying)", t10);
            if (!isnan(hor30))
                fprintf(stderr, "; after 30 min: horizontal %.3f m, up %+.3f m", hor30, up30);
        }
        fprintf(stderr, "\n");
    }
    bx_ppp_b2b_stats_t bs;
    memset(&bs, 0, sizeof bs);
    bx_ppp_b2b_stats(src, &bs);
    /* warnings about the correction stream (pppb2b.md §4) */
    if (bs.crc_errors || bs.bad_layout || bs.bad_lines)
        fprintf(stderr, "bdsrx ppp: warning: %ld PPP-B2b messages of C%02d failed the CRC, %ld had a bad layout, "
                        "%ld log lines were unreadable; they were skipped\n", bs.crc_errors, geo, bs.bad_layout,
                bs.bad_lines);
    if (bs.no_mask || bs.iod_mismatch)
        fprintf(stderr, "bdsrx ppp: warning: %ld messages before the first mask and %ld with another IOD SSR/IODP than "
                        "the mask were not used\n", bs.no_mask, bs.iod_mismatch);
    if (bs.refused[BX_B2B_NO_EPH])
        fprintf(stderr, "bdsrx ppp: warning: %ld satellite-epochs had a correction for an ephemeris (IODN) that %s "
                        "does not hold: those satellites were left out, not corrected with another ephemeris\n",
                bs.refused[BX_B2B_NO_EPH], nav_path);
    if (bs.refused[BX_B2B_OLD_ORBIT] || bs.refused[BX_B2B_OLD_CLOCK])
        fprintf(stderr, "bdsrx ppp: warning: corrections too old (outage) for %ld satellite-epochs: left out\n",
                bs.refused[BX_B2B_OLD_ORBIT] + bs.refused[BX_B2B_OLD_CLOCK]);
    rc = n_fix ? 0 : 1;
done:
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "bdsrx ppp: error writing %s\n", pos_path);
        rc = 1;
    }
    bx_ppp_destroy(pp);
    bx_ppp_b2b_destroy(src);
    bx_sp3_destroy(sp3);
    bx_rnxclk_destroy(clk);
    bx_rinex_obs_destroy(rd);
    bx_nav_destroy(&nav);
    return rc;
}
