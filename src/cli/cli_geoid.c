/* The geoid the commands give their solutions (heights above mean sea level in NMEA/JSON):
 * EGM96 from Debian's proj-data grid; without it a note, and ellipsoidal heights. */
#include <stdio.h>

#include "bdsrx/geoid.h"
#include "cli.h"

bx_geoid_t *cli_geoid(const char *prog, int quiet)
{
    char err[300];
    bx_geoid_t *g = NULL;
    if (bx_geoid_create(NULL, &g, err, sizeof err) != BX_OK && !quiet)
        fprintf(stderr, "%s: note: %s; NMEA altitudes are ellipsoidal heights\n", prog, err);
    return g;
}
