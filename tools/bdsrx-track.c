/* bdsrx-track: turns the JSON solution lines of `bdsrx run/live --json` into track files for
 * maps: KML (Google Earth), GPX (gpsbabel, OSM editors), GeoJSON (web maps, QGIS).
 * Only valid fixes are drawn; an invalid epoch breaks the line (include/bdsrx/track.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/time.h"
#include "bdsrx/track.h"
#include "cli_opt.h"

#define D2R (M_PI / 180.0)
#define MAX_OUT 8

/* One JSON line (nav/fmt/sol_json.c layout) back into the fields a track needs. */
static int sol_from_json(json_t *j, bx_sol_t *s)
{
    memset(s, 0, sizeof *s);
    json_t *wk = json_object_get(j, "bdt_week"), *sow = json_object_get(j, "bdt_sow");
    const char *fix = json_string_value(json_object_get(j, "fix"));
    const char *utc = json_string_value(json_object_get(j, "utc"));
    if (!json_is_integer(wk) || !json_is_number(sow) || !fix || !utc)
        return -1;
    s->time = s->rx_time = bx_time_from_week_sow((int)json_integer_value(wk), json_number_value(sow));
    /* leap seconds: BDT - UTC, from the two times the line carries */
    int y, mo, d, h, mi;
    double sec;
    if (sscanf(utc, "%d-%d-%dT%d:%d:%lfZ", &y, &mo, &d, &h, &mi, &sec) != 6)
        return -1;
    s->leap_s = (int)lround(bx_time_diff(s->time, bx_time_from_civil(y, mo, d, h, mi, sec)));
    if (strcmp(fix, "none") != 0) {
        json_t *lat = json_object_get(j, "lat_deg"), *lon = json_object_get(j, "lon_deg"),
               *hh = json_object_get(j, "h_m");
        if (!json_is_number(lat) || !json_is_number(lon) || !json_is_number(hh))
            return -1;
        s->fix = BX_FIX_SPP;
        s->llh[0] = json_number_value(lat) * D2R;
        s->llh[1] = json_number_value(lon) * D2R;
        s->llh[2] = json_number_value(hh);
        json_t *n = json_object_get(j, "geoid_sep_m");
        if (json_is_number(n)) {
            s->geoid_sep_m = json_number_value(n);
            s->flags |= BX_SOLF_GEOID;
        }
        s->n_used = (int)json_integer_value(json_object_get(j, "n_used"));
        s->hdop = json_number_value(json_object_get(j, "hdop"));
        s->flags |= BX_SOLF_RAIM_OK;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *outs[MAX_OUT];
    cli_list_t out_list = {outs, 0, MAX_OUT};
    int quiet = 0;
    const char *operand[1];
    int nop = 0;
    const cli_opt_t opts[] = {
        {"out", 'o', CLI_LIST, &out_list, 0, 0, "FILE",
         "track file to write; the format follows the extension: .kml .gpx .geojson\n"
         "(repeat for several formats)", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {"bdsrx-track", "FIXES.jsonl -o TRACK.kml [-o TRACK.gpx ...]",
                           "Reads the JSON solution lines of `bdsrx run --json=FILE` (or `-` for standard input)\n"
                           "and writes the valid fixes as KML, GPX and/or GeoJSON tracks.",
                           opts, "Example: bdsrx run cap.ci2 --json=fix.jsonl && bdsrx-track fix.jsonl -o fix.kml -o fix.gpx",
                           1, 1};
    int pr = cli_opt_parse(&cmd, argc, argv, operand, &nop);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (out_list.n == 0)
        return cli_opt_usage_error(&cmd, "say where to write the track with -o FILE.kml|.gpx|.geojson");
    FILE *in = strcmp(operand[0], "-") ? fopen(operand[0], "r") : stdin;
    if (!in) {
        perror(operand[0]);
        return 1;
    }
    bx_track_t *trk[MAX_OUT] = {0};
    char err[300];
    int rc = 0;
    for (int i = 0; i < out_list.n; i++)
        if (bx_track_create(outs[i], BX_TRACK_AUTO, &trk[i], err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx-track: %s\n", err);
            rc = bx_track_format_from_path(outs[i]) == BX_TRACK_AUTO ? 2 : 1;
            goto done;
        }
    char line[1 << 16];
    long n_line = 0, n_bad = 0;
    while (fgets(line, sizeof line, in)) {
        n_line++;
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        bx_sol_t s;
        if (!j || sol_from_json(j, &s) != 0) {
            if (n_bad++ < 3)
                fprintf(stderr, "bdsrx-track: %s:%ld: not a bdsrx solution line, skipped\n", operand[0], n_line);
            json_decref(j);
            continue;
        }
        json_decref(j);
        for (int i = 0; i < out_list.n; i++)
            if (bx_track_add(trk[i], &s) != BX_OK) {
                fprintf(stderr, "bdsrx-track: %s: write failed\n", outs[i]);
                rc = 1;
                goto done;
            }
    }
    if (ferror(in)) {
        fprintf(stderr, "bdsrx-track: %s: read error\n", operand[0]);
        rc = 1;
        goto done;
    }
    for (int i = 0; i < out_list.n; i++) {
        if (bx_track_finish(trk[i], err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx-track: %s\n", err);
            rc = 1;
        } else if (!quiet) {
            fprintf(stderr, "bdsrx-track: %s: %ld points\n", outs[i], bx_track_points(trk[i]));
        }
    }
    if (n_bad && !quiet)
        fprintf(stderr, "bdsrx-track: %ld of %ld lines were not solutions\n", n_bad, n_line);
done:
    for (int i = 0; i < out_list.n; i++)
        bx_track_destroy(trk[i]);
    if (in != stdin)
        fclose(in);
    return rc;
}
