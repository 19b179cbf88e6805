/* bdsrx b2b-eval: broadcast and PPP-B2b corrected BDS-3 orbits and clocks against a precise
 * SP3 product.  A thin main over nav/geo/b2b_eval.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/b2b_eval.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/sp3.h"
#include "cli.h"
#include "cli_opt.h"

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

static int fn_weights(const char *arg, void *value, char *err, size_t errlen)
{
    bx_b2b_eval_cfg_t *c = value;
    if (!strcmp(arg, "issue11")) {
        c->w_r_meo = c->w_r_geo = 0.99;
        c->w_ac_meo = c->w_ac_geo = 1.0 / 127.0;
    } else if (strcmp(arg, "montenbruck")) {
        snprintf(err, errlen, "'%s': montenbruck or issue11", arg);
        return -1;
    }
    return 0;
}

static json_t *jstat(const bx_b2b_eval_stat_t *s, int n_sats, int n_epochs)
{
    json_t *o = json_object();
    json_object_set_new(o, "sisre_m", json_real(s->sisre_m));
    json_object_set_new(o, "radial_m", json_real(s->radial_m));
    json_object_set_new(o, "along_m", json_real(s->along_m));
    json_object_set_new(o, "cross_m", json_real(s->cross_m));
    json_object_set_new(o, "clock_m", json_real(s->clock_m));
    json_object_set_new(o, "clock_std_m", json_real(s->clock_std_m));
    json_object_set_new(o, "sisre_std_m", json_real(s->sisre_std_m));
    json_object_set_new(o, "mean_radial_m", json_real(s->mean_radial_m));
    json_object_set_new(o, "mean_clock_m", json_real(s->mean_clock_m));
    json_object_set_new(o, "n", json_integer(s->n));
    if (n_sats >= 0) {
        json_object_set_new(o, "n_sats", json_integer(n_sats));
        json_object_set_new(o, "n_epochs", json_integer(n_epochs));
    }
    return o;
}

static const char *row(const bx_b2b_eval_stat_t *s, char *buf, size_t n)
{
    snprintf(buf, n, "%6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f", s->sisre_m, s->radial_m, s->along_m, s->cross_m,
             s->clock_m, s->clock_std_m, s->sisre_std_m);
    return buf;
}

static void put(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    if (s)
        puts(s);
    free(s);
    json_decref(o);
}

int cli_b2b_eval(int argc, char **argv)
{
    const char *log = NULL, *navp = NULL, *sp3p = NULL;
    int json = 0, quiet = 0, no_pco = 0;
    bx_b2b_eval_cfg_t cfg;
    bx_b2b_eval_cfg_default(&cfg);
    const cli_opt_t opts[] = {
        {"b2b", 0, CLI_STRING, &log, 0, 0, "LOG", "PPP-B2b log, cssrlib-data format: 'GPS_week GPS_TOW PRN src nbytes HEX'",
         NULL, 0, 0},
        {"nav", 0, CLI_STRING, &navp, 0, 0, "NAV", "RINEX 4 navigation file with the B-CNAV1 (CNV1) ephemerides", NULL, 0, 0},
        {"sp3", 0, CLI_STRING, &sp3p, 0, 0, "SP3", "precise orbits and clocks (SP3-c/d)", NULL, 0, 0},
        {"json", 0, CLI_FLAG, &json, 0, 0, NULL,
         "one JSON object per satellite, then {\"summary\": {\"broadcast\": {...}, \"b2b\": {...}}}\n"
         "with sisre_m radial_m along_m cross_m clock_m n_sats n_epochs (and more)", NULL, 0, 0},
        {"step", 0, CLI_DOUBLE, &cfg.step_s, 1, 3600, "S",
         "evaluate every S s (SP3 interpolated: orbit Lagrange order 10, clock linear)\ninstead of at the SP3 epochs",
         NULL, 0, 0},
        {"geo", 0, CLI_FN, &cfg.geo_prn, 0, 0, "PRN",
         "corrections of this PPP-B2b GEO (59..63); default: the first GEO that sends\na mask (streams are never mixed)",
         fn_geo, 0, 0},
        {"known-pco-only", 0, CLI_FLAG, &cfg.known_pco_only, 0, 0, NULL,
         "only satellites whose antenna offset has a published value here\n(BEIDOU-3M-CAST); others use a stand-in",
         NULL, 0, 0},
        {"no-pco", 0, CLI_FLAG, &no_pco, 0, 0, NULL, "compare with the SP3 centre of mass", NULL, 0, 0},
        {"arc-iodn", 0, CLI_FLAG, &cfg.arc_on_iodn, 0, 0, NULL,
         "a new ephemeris (IODN) starts a new arc too, for clkstd/SISREstd (default: only\n"
         "gaps > 330 s do; the broadcast clock jumps at an ephemeris change)", NULL, 0, 0},
        {"weights", 0, CLI_FN, &cfg, 0, 0, "W",
         "SISRE weights: montenbruck (default; MEO wR 0.98 wAC 1/54, IGSO/GEO 0.99 1/126,\n"
         "Montenbruck et al. 2018) or issue11 (0.99 and 1/127 for every orbit)", fn_weights, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx b2b-eval", "--b2b LOG --nav NAV --sp3 SP3 [options]",
        "Replays a PPP-B2b log and evaluates, at every SP3 epoch inside the log, each BDS-3\n"
        "satellite that has a usable correction and the B-CNAV1 ephemeris its IODN names,\n"
        "broadcast only and broadcast + PPP-B2b, against the SP3 orbit and clock: RMS radial,\n"
        "along, cross, clock (one common offset per epoch removed) and\n"
        "SISRE = sqrt((wR R - c dt)^2 + wAC (A^2 + C^2)); also the clock and SISRE with each\n"
        "satellite's constant clock bias removed (PPP-B2b clocks carry such biases).\n"
        "Truth: SP3 centre of mass moved to the B3I antenna phase centre in the nominal\n"
        "yaw-steering attitude; SP3 clock (B1I/B3I ionosphere-free, without the periodic\n"
        "relativistic term) moved to B3I with the log's DCB(B1I) plus -2 r.v/c^2.",
        opts, NULL, 0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!log || !navp || !sp3p)
        return cli_opt_usage_error(&cmd, "--b2b, --nav and --sp3 are required (bdsrx b2b-eval --help)");
    if (no_pco)
        cfg.apply_pco = 0;
    char err[512];
    bx_nav_t nav;
    bx_nav_init(&nav);
    if (bx_rinex_nav_read(navp, &nav, err, sizeof err) != BX_OK) {
        fprintf(stderr, "b2b-eval: %s\n", err);
        bx_nav_destroy(&nav);
        return 1;
    }
    bx_sp3_t *sp3 = NULL;
    if (bx_sp3_read(sp3p, &sp3, err, sizeof err) != BX_OK) {
        fprintf(stderr, "b2b-eval: %s\n", err);
        bx_nav_destroy(&nav);
        return 1;
    }
    bx_b2b_eval_result_t *r = malloc(sizeof *r);
    int rc = r ? bx_b2b_eval_run(log, &nav, sp3, &cfg, r, err, sizeof err) : BX_ERR_NOMEM;
    if (rc != BX_OK) {
        fprintf(stderr, "b2b-eval: %s\n", rc == BX_ERR_NOMEM ? "out of memory" : err);
        free(r);
        bx_sp3_destroy(sp3);
        bx_nav_destroy(&nav);
        return 1;
    }
    if (!json) {
        printf("# PPP-B2b evaluation: %s vs %s (%d log messages, %d unusable lines), corrections of C%02d\n",
               log, sp3p, r->n_log_msgs, r->n_log_bad, r->geo_prn);
        printf("# RMS in m; clock: one common offset per epoch removed; brdc = B-CNAV1 of the IODN\n");
        printf("# clkstd: each satellite arc's constant clock offset removed as well; SISREstd: the same for\n"
               "# the range term wR R - c dt (the SISRE STD of published assessments); arcs break at gaps > 330 s\n");
        printf("# sat  block              n  | brdc: SISRE radial along cross  clock clkstd SISREstd | +B2b: SISRE radial along cross  clock clkstd SISREstd\n");
    }
    char r1[128], r2[128];
    for (int p = 1; p <= BX_PRN_MAX; p++) {
        const bx_b2b_eval_stat_t *b = &r->sat[p][0], *c = &r->sat[p][1];
        if (!b->n)
            continue;
        const char *block = "?";
        int pst = bx_bds3_pco(p, NULL, &block);
        if (json) {
            json_t *o = json_object();
            char name[8];
            snprintf(name, sizeof name, "C%02d", p);
            json_object_set_new(o, "sat", json_string(name));
            json_object_set_new(o, "prn", json_integer(p));
            json_object_set_new(o, "block", json_string(block));
            json_object_set_new(o, "pco", json_string(!cfg.apply_pco ? "none" : pst == BX_OK ? "CSNO" : "stand-in"));
            json_object_set_new(o, "broadcast", jstat(b, -1, 0));
            json_object_set_new(o, "b2b", jstat(c, -1, 0));
            put(o);
        } else {
            printf("C%02d  %-16s%s %4d  | %s | %s\n", p, block, pst == BX_OK ? " " : "*", b->n, row(b, r1, sizeof r1),
                   row(c, r2, sizeof r2));
        }
    }
    if (json) {
        json_t *s = json_object(), *o = json_object();
        json_object_set_new(s, "broadcast", jstat(&r->all[0], r->n_sats, r->n_epochs));
        json_object_set_new(s, "b2b", jstat(&r->all[1], r->n_sats, r->n_epochs));
        json_object_set_new(s, "geo_prn", json_integer(r->geo_prn));
        json_object_set_new(s, "n_arcs", json_integer(r->n_arcs));
        json_object_set_new(o, "summary", s);
        put(o);
    } else {
        const bx_b2b_eval_stat_t *b = &r->all[0], *c = &r->all[1];
        printf("ALL  %-16s  %4d  | %s | %s\n", "", b->n, row(b, r1, sizeof r1), row(c, r2, sizeof r2));
        printf("# %d satellites (%d arcs), %d epochs; skipped satellite-epochs: no orbit corr %d, no clock with the "
               "orbit's IOD Corr %d, orbit too old %d, clock too old %d, no ephemeris with IODC = IODN %d, "
               "no DCB(B1I) %d\n", r->n_sats, r->n_arcs, r->n_epochs, r->skipped[1], r->skipped[2], r->skipped[3],
               r->skipped[4], r->skipped[5], r->skipped[0]);
        printf("# * antenna offset: stand-in (no published B3I value for the block at hand)\n");
    }
    free(r);
    bx_sp3_destroy(sp3);
    bx_nav_destroy(&nav);
    return 0;
}
