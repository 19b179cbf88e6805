/* KML / GPX / GeoJSON track writers (include/bdsrx/track.h).
 * KML 2.2: one Placemark with a MultiGeometry of LineStrings (one per segment).  KML's
 * altitudeMode "absolute" means above sea level, so it is used when the solution has a geoid
 * (heights above MSL); without one the line is clamped to the ground (an ellipsoidal height
 * drawn as absolute would float tens of metres off).
 * GPX 1.1: <trk> with one <trkseg> per segment, <trkpt lat lon><ele><time><sat><hdop>.
 * GeoJSON (RFC 7946): a FeatureCollection with one MultiLineString feature whose
 * properties hold the UTC time of every position, in the same nesting. */
#include <errno.h>
#include <stdarg.h>
#include <strings.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/time.h"
#include "bdsrx/track.h"
#include "bdsrx/types.h"
#include "recio.h"

#define R2D (180.0 / M_PI)

struct bx_track {
    FILE *f;
    bx_track_format_t fmt;
    char *path, *tmp;
    int in_seg;     /* a segment is open */
    long n_pts, n_seg;
    int io_err;
    /* GeoJSON keeps times until the end (written as a property array after the geometry) */
    char *times;
    size_t times_len, times_cap;
};

bx_track_format_t bx_track_format_from_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot)
        return BX_TRACK_AUTO;
    if (!strcasecmp(dot, ".kml"))
        return BX_TRACK_KML;
    if (!strcasecmp(dot, ".gpx"))
        return BX_TRACK_GPX;
    if (!strcasecmp(dot, ".geojson") || !strcasecmp(dot, ".json"))
        return BX_TRACK_GEOJSON;
    return BX_TRACK_AUTO;
}

static void put(bx_track_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(bx_track_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(t->f, fmt, ap) < 0)
        t->io_err = 1;
    va_end(ap);
}

static int utc_str(const bx_sol_t *s, char *b, size_t n)
{
    /* UTC = BDT - leap seconds; milliseconds */
    bx_time_t u = bx_time_add(s->time, -(double)s->leap_s);
    int y, mo, d, h, mi;
    double sec;
    bx_time_to_civil(u, &y, &mo, &d, &h, &mi, &sec);
    sec = floor(sec * 1000.0 + 0.5) / 1000.0;
    if (sec >= 60.0)
        sec = 59.999; /* rounding never spills into the next minute */
    return snprintf(b, n, "%04d-%02d-%02dT%02d:%02d:%06.3fZ", y, mo, d, h, mi, sec);
}

int bx_track_create(const char *path, bx_track_format_t fmt, bx_track_t **out, char *err, size_t errlen)
{
    if (!out || !path)
        return BX_ERR_ARG;
    *out = NULL;
    if (fmt == BX_TRACK_AUTO)
        fmt = bx_track_format_from_path(path);
    if (fmt == BX_TRACK_AUTO) {
        if (err)
            snprintf(err, errlen, "%s: say the track format with the extension .kml, .gpx or .geojson", path);
        return BX_ERR_ARG;
    }
    bx_track_t *t = calloc(1, sizeof *t);
    if (!t)
        return BX_ERR_NOMEM;
    t->fmt = fmt;
    t->path = strdup(path);
    const size_t tmplen = strlen(path) + 5;
    t->tmp = malloc(tmplen);
    if (!t->path || !t->tmp) {
        bx_track_destroy(t);
        return BX_ERR_NOMEM;
    }
    /* a final file (src/io/recio.h): PATH.tmp + rename, devices and pipes in place */
    const int oe = bx_final_open(path, t->tmp, tmplen, &t->f);
    if (oe) {
        if (err)
            snprintf(err, errlen, "%s: %s", t->tmp, strerror(oe));
        bx_track_destroy(t);
        return BX_ERR_IO;
    }
    switch (fmt) {
    case BX_TRACK_KML:
        put(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n<name>bdsrx track</name>\n"
               "<Style id=\"trk\"><LineStyle><color>ff0000ff</color><width>3</width></LineStyle></Style>\n"
               "<Placemark>\n<name>bdsrx</name>\n<styleUrl>#trk</styleUrl>\n<MultiGeometry>\n");
        break;
    case BX_TRACK_GPX:
        put(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<gpx version=\"1.1\" creator=\"bdsrx\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n"
               "<trk>\n<name>bdsrx track</name>\n");
        break;
    default:
        put(t, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
               "\"geometry\":{\"type\":\"MultiLineString\",\"coordinates\":[");
        break;
    }
    *out = t;
    return t->io_err ? BX_ERR_IO : BX_OK;
}

static void end_segment(bx_track_t *t)
{
    if (!t->in_seg)
        return;
    switch (t->fmt) {
    case BX_TRACK_KML: put(t, "</coordinates>\n</LineString>\n"); break;
    case BX_TRACK_GPX: put(t, "</trkseg>\n"); break;
    default:
        put(t, "]");
        break;
    }
    t->in_seg = 0;
}

static int times_add(bx_track_t *t, const char *s)
{
    const size_t n = strlen(s);
    if (t->times_len + n + 1 > t->times_cap) {
        size_t cap = t->times_cap ? 2 * t->times_cap : 4096;
        while (cap < t->times_len + n + 1)
            cap *= 2;
        char *p = realloc(t->times, cap);
        if (!p)
            return BX_ERR_NOMEM;
        t->times = p;
        t->times_cap = cap;
    }
    memcpy(t->times + t->times_len, s, n + 1);
    t->times_len += n;
    return BX_OK;
}

int bx_track_add(bx_track_t *t, const bx_sol_t *s)
{
    if (!t || !s)
        return BX_ERR_ARG;
    if (!bx_sol_valid(s)) {
        end_segment(t);
        return t->io_err ? BX_ERR_IO : BX_OK;
    }
    char utc[40];
    utc_str(s, utc, sizeof utc);
    const double lat = s->llh[0] * R2D, lon = s->llh[1] * R2D, h = s->llh[2];
    const int msl = (s->flags & BX_SOLF_GEOID) != 0;
    const double ele = msl ? h - s->geoid_sep_m : h;
    if (!t->in_seg) {
        switch (t->fmt) {
        case BX_TRACK_KML:
            put(t, "<LineString>\n<altitudeMode>%s</altitudeMode>\n<coordinates>\n",
                msl ? "absolute" : "clampToGround");
            break;
        case BX_TRACK_GPX: put(t, "<trkseg>\n"); break;
        default:
            put(t, "%s[", t->n_seg ? "," : "");
            if (times_add(t, t->n_seg ? "],[" : "") != BX_OK)
                return BX_ERR_NOMEM;
            break;
        }
        t->in_seg = 1;
        t->n_seg++;
    }
    switch (t->fmt) {
    case BX_TRACK_KML:
        /* KML "absolute" altitude is above sea level */
        put(t, "%.9f,%.9f,%.3f\n", lon, lat, msl ? ele : h);
        break;
    case BX_TRACK_GPX:
        put(t, "<trkpt lat=\"%.9f\" lon=\"%.9f\"><ele>%.3f</ele><time>%s</time><sat>%d</sat><hdop>%.1f</hdop></trkpt>\n",
            lat, lon, ele, utc, s->n_used, s->hdop);
        break;
    default: {
        /* RFC 7946 §3.1.1: longitude, latitude, height above the ellipsoid */
        const int first = t->times_len == 0 || t->times[t->times_len - 1] == '[';
        put(t, "%s[%.9f,%.9f,%.3f]", first ? "" : ",", lon, lat, h);
        char q[48];
        snprintf(q, sizeof q, "%s\"%s\"", first ? "" : ",", utc);
        if (times_add(t, q) != BX_OK)
            return BX_ERR_NOMEM;
        break;
    }
    }
    t->n_pts++;
    return t->io_err ? BX_ERR_IO : BX_OK;
}

long bx_track_points(const bx_track_t *t)
{
    return t ? t->n_pts : 0;
}

int bx_track_finish(bx_track_t *t, char *err, size_t errlen)
{
    if (!t || !t->f)
        return BX_ERR_ARG;
    end_segment(t);
    switch (t->fmt) {
    case BX_TRACK_KML: put(t, "</MultiGeometry>\n</Placemark>\n</Document>\n</kml>\n"); break;
    case BX_TRACK_GPX: put(t, "</trk>\n</gpx>\n"); break;
    default:
        put(t, "]},\"properties\":{\"name\":\"bdsrx track\",\"time_utc\":[%s%s%s]}}]}\n", t->n_seg ? "[" : "",
            t->times ? t->times : "", t->n_seg ? "]" : "");
        break;
    }
    const int e = bx_final_commit(t->f, t->tmp, t->path, !t->io_err);
    t->f = NULL;
    if (t->io_err || e) {
        if (err)
            snprintf(err, errlen, "%s: write failed (%s); the track was not written", t->path,
                     e ? strerror(e) : "disk full?");
        return BX_ERR_IO;
    }
    return BX_OK;
}

void bx_track_destroy(bx_track_t *t)
{
    if (!t)
        return;
    if (t->f)
        bx_final_commit(t->f, t->tmp, t->path, 0); /* unfinished: no file left behind */
    free(t->times);
    free(t->path);
    free(t->tmp);
    free(t);
}
