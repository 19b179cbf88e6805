/*
 * bdsrx — track files of the solutions for maps and GIS tools: KML 2.2 (Google Earth),
 * GPX 1.1 (gpsbabel, OpenStreetMap editors, most GPS software) and GeoJSON (RFC 7946).
 *
 * Only valid fixes are written (bx_sol_valid: RAIM not failed, no jump); a fix that is not
 * valid ends the current segment, so a map never draws a line through a bad stretch.
 * Coordinates are WGS 84 / CGCS2000 latitude, longitude (the two frames agree to a few cm)
 * and ellipsoidal height (KML, GeoJSON); GPX <ele> is the height above mean sea level when
 * the solution carries a geoid separation (BX_SOLF_GEOID), else the ellipsoidal height, as
 * GPX 1.1 defines <ele> as elevation in metres and most readers take it as above MSL.
 * Times are UTC.
 *
 *   bx_track_t *t;
 *   if (bx_track_create("run.kml", BX_TRACK_AUTO, &t, err, sizeof err)) ...
 *   per epoch: bx_track_add(t, &sol);
 *   if (bx_track_finish(t, err, sizeof err)) ... (writes the closing elements; reports any
 *   write error); bx_track_destroy(t);
 *
 * The file is written to PATH.tmp and renamed to PATH by bx_track_finish, so PATH is either
 * absent or a complete, well-formed document.  Thread safety: one object per thread.
 */
#ifndef BDSRX_TRACK_H
#define BDSRX_TRACK_H

#include <stddef.h>

#include "bdsrx/pvt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BX_TRACK_AUTO = 0, /* from the file name extension: .kml .gpx .geojson/.json */
    BX_TRACK_KML,
    BX_TRACK_GPX,
    BX_TRACK_GEOJSON
} bx_track_format_t;

typedef struct bx_track bx_track_t;

/* Format from a file name ("x.kml" -> BX_TRACK_KML ...); BX_TRACK_AUTO if unknown. */
bx_track_format_t bx_track_format_from_path(const char *path);

int bx_track_create(const char *path, bx_track_format_t fmt, bx_track_t **out, char *err, size_t errlen);
/* Adds one solution (ignored unless valid; an invalid one closes the segment).  BX_ERR_IO on a
 * write error (also remembered for bx_track_finish). */
int bx_track_add(bx_track_t *t, const bx_sol_t *sol);
/* Points written so far. */
long bx_track_points(const bx_track_t *t);
/* Closes the document and renames it into place; BX_ERR_IO (with err) if any write failed. */
int bx_track_finish(bx_track_t *t, char *err, size_t errlen);
/* Frees; an unfinished track's temporary file is removed. NULL-safe. */
void bx_track_destroy(bx_track_t *t);

#ifdef __cplusplus
}
#endif
#endif
