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

static void usage(FILE *f)
{
    fprintf(f,
        "usage: bdsrx b2b-eval --b2b LOG --nav NAV --sp3 SP3 [--json] [--geo PRN] [--no-pco]\n"
        "                      [--step S] [--known-pco-only] [--weights montenbruck|issue11]\n"
        "\n"
        "Replays a PPP-B2b log (cssrlib-data format: 'GPS_week GPS_TOW PRN src nbytes HEX')\n"
        "and evaluates, at every SP3 epoch inside the log, each BDS-3 satellite that has a\n"
        "usable correction and the B-CNAV1 ephemeris its IODN names (NAV: RINEX 4 with CNV1),\n"
        "broadcast only and broadcast + PPP-B2b, against the SP3 orbit and clock:\n"
        "RMS radial / along / cross, clock (one common offset per epoch removed) and\n"
        "SISRE = sqrt((wR R - c dt)^2 + wAC (A^2 + C^2)).\n"
        "Truth: SP3 centre of mass moved to the B3I antenna phase centre in the nominal\n"
        "yaw-steering attitude (--no-pco: not); SP3 clock (B1I/B3I ionosphere-free, without\n"
        "the periodic relativistic term) moved to B3I with the log's DCB(B1I) plus -2 r.v/c^2.\n"
        "Also printed: the clock and SISRE with each satellite's constant clock bias removed\n"
        "as well (clock_std_m, sisre_std_m): PPP-B2b clocks carry such biases (nav/README.md).\n"
        "\n"
        "options:\n"
        "  --json        one JSON object per satellite, then {\"summary\": {\"broadcast\": {...},\n"
        "                \"b2b\": {...}}} with sisre_m radial_m along_m cross_m clock_m n_sats n_epochs\n"
        "  --geo PRN     use the corrections of this PPP-B2b GEO (59..63); default: the first\n"
        "                GEO that sends a mask (streams are never mixed)\n"
        "  --step S      evaluate every S s (SP3 interpolated: orbit Lagrange order 10, clock\n"
        "                linear) instead of at the SP3 epochs\n"
        "  --known-pco-only  only satellites whose antenna offset has a published value here\n"
        "                (BEIDOU-3M-CAST); SECM MEO and IGSO use a stand-in otherwise\n"
        "  --no-pco      compare with the SP3 centre of mass\n"
        "  --weights W   montenbruck (default): MEO wR 0.98 wAC 1/54, IGSO/GEO 0.99 1/126\n"
        "                (Montenbruck et al. 2015); issue11: 0.99 and 1/127 for every orbit\n"
        "  -h, --help\n");
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
    int json = 0;
    bx_b2b_eval_cfg_t cfg;
    bx_b2b_eval_cfg_default(&cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--no-pco")) {
            cfg.apply_pco = 0;
        } else if (!strcmp(a, "--known-pco-only")) {
            cfg.known_pco_only = 1;
        } else if (i + 1 < argc && !strcmp(a, "--b2b")) {
            log = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--nav")) {
            navp = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--sp3")) {
            sp3p = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--step")) {
            char *end;
            double v = strtod(argv[++i], &end);
            if (*end || !(v >= 1.0 && v <= 3600.0)) {
                fprintf(stderr, "b2b-eval: --step wants 1..3600 s\n");
                return 2;
            }
            cfg.step_s = v;
        } else if (i + 1 < argc && !strcmp(a, "--geo")) {
            char *end;
            long g = strtol(argv[++i], &end, 10);
            if (*end || g < 59 || g > 63) {
                fprintf(stderr, "b2b-eval: --geo wants a PRN 59..63\n");
                return 2;
            }
            cfg.geo_prn = (int)g;
        } else if (i + 1 < argc && !strcmp(a, "--weights")) {
            const char *w = argv[++i];
            if (!strcmp(w, "issue11")) {
                cfg.w_r_meo = cfg.w_r_geo = 0.99;
                cfg.w_ac_meo = cfg.w_ac_geo = 1.0 / 127.0;
            } else if (strcmp(w, "montenbruck")) {
                fprintf(stderr, "b2b-eval: --weights montenbruck|issue11\n");
                return 2;
            }
        } else {
            fprintf(stderr, "b2b-eval: unknown or incomplete option %s (see --help)\n", a);
            return 2;
        }
    }
    if (!log || !navp || !sp3p) {
        usage(stderr);
        return 2;
    }
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
        printf("# clkstd / SISREstd: each satellite's constant clock bias removed as well\n");
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
        json_object_set_new(o, "summary", s);
        put(o);
    } else {
        const bx_b2b_eval_stat_t *b = &r->all[0], *c = &r->all[1];
        printf("ALL  %-16s  %4d  | %s | %s\n", "", b->n, row(b, r1, sizeof r1), row(c, r2, sizeof r2));
        printf("# %d satellites, %d epochs; skipped satellite-epochs: no orbit corr %d, no clock with the "
               "orbit's IOD Corr %d, orbit too old %d, clock too old %d, no ephemeris with IODC = IODN %d, "
               "no DCB(B1I) %d\n", r->n_sats, r->n_epochs, r->skipped[1], r->skipped[2], r->skipped[3],
               r->skipped[4], r->skipped[5], r->skipped[0]);
        printf("# * antenna offset: stand-in (no published B3I value for the block at hand)\n");
    }
    free(r);
    bx_sp3_destroy(sp3);
    bx_nav_destroy(&nav);
    return 0;
}
