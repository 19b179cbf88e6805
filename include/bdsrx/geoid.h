/*
 * bdsrx — geoid undulation (height of the geoid above the ellipsoid) for heights above mean
 * sea level, e.g. the NMEA GGA altitude and geoid-separation fields.
 *
 * Model: EGM96 on a regular latitude/longitude grid read from a GTX file (NOAA VDatum grid
 * format: a 40-byte big-endian header - lower-left latitude and longitude, latitude and
 * longitude spacing in degrees as doubles, rows and columns as int32 - then rows x columns
 * big-endian float32 undulations in metres, southernmost row first).  Debian's proj-data
 * package ships EGM96 on a 15' grid as /usr/share/proj/egm96_15.gtx (public domain, NGA/NASA
 * EGM96; tools/install-deps.sh installs it).  Undulations are interpolated bilinearly; the
 * grid's own accuracy is about 1 m (EGM96 commission error), interpolation adds < 0.1 m on
 * the 15' grid.
 *
 *   bx_geoid_t *g;
 *   if (bx_geoid_create(NULL, &g, err, sizeof err)) ... (no grid: heights stay ellipsoidal)
 *   double n_m = bx_geoid_undulation_m(g, lat_rad, lon_rad);  h_msl = h_ell - n_m
 *   bx_geoid_destroy(g);
 *
 * Thread safety: a created object is read-only; any number of threads may query it.
 */
#ifndef BDSRX_GEOID_H
#define BDSRX_GEOID_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bx_geoid bx_geoid_t;

/* The default grid path: $BDSRX_GEOID if set, else the first of
 * /usr/share/proj/egm96_15.gtx, /usr/local/share/proj/egm96_15.gtx that exists (NULL if none). */
const char *bx_geoid_default_path(void);

/* Loads a GTX grid (path NULL: bx_geoid_default_path()).  BX_ERR_IO when the file is missing
 * or unreadable, BX_ERR_FORMAT when its header or size is not a GTX grid; err says which. */
int bx_geoid_create(const char *path, bx_geoid_t **out, char *err, size_t errlen);

/* Geoid undulation N in metres at a geodetic latitude/longitude (radians): h_msl = h - N. */
double bx_geoid_undulation_m(const bx_geoid_t *g, double lat_rad, double lon_rad);

void bx_geoid_destroy(bx_geoid_t *g);

#ifdef __cplusplus
}
#endif
#endif
