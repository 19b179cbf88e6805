/*
 * bdsrx — decoded navigation messages and ephemerides as JSON objects (jansson), for
 * `bdsrx nav-decode --json` and the receiver's live output.  Every value is named with
 * its unit suffix (_s, _m, _rad, _rad_s, _mps, _tecu, _as = arcsec, _d = per day); raw
 * indices carry none.  Common keys: "prn", "sig" ("B1C", "B2A", "B2B", "B2B-PPP"), "msg"
 * ("SF2", "SF3", "MT<n>", "EPH"); "t_frame": {"week", "tow_s"} = BDT transmission time of
 * the first symbol of the frame, where the week is known.  The caller owns the returned
 * object (json_decref); NULL only when out of memory.
 */
#ifndef BDSRX_NAVMSG_JSON_H
#define BDSRX_NAVMSG_JSON_H

#include <jansson.h>

#include "bdsrx/navmsg.h"

#ifdef __cplusplus
extern "C" {
#endif

json_t *bx_navmsg_json_sf2(int prn, int soh /* < 0: unknown */, const bx_cnav1_sf2_t *m);
/* m as filled by bx_cnav1_sf3_parse; page types other than 1-4 give the header only */
json_t *bx_navmsg_json_sf3(int prn, const bx_cnav1_sf3_t *m);
/* week = BDT week of the frame (MT10 carries its own), < 0 unknown; types that
 * bx_cnav2_parse does not decode give prn/type/SOW and a "note" */
json_t *bx_navmsg_json_cnav2(const bx_cnav2_msg_t *m, int week);
/* m->prn >= 59 (PPP-B2b GEO) or an undecoded type: prn/type and a "note" */
json_t *bx_navmsg_json_cnav3(const bx_cnav3_msg_t *m, int week);
json_t *bx_navmsg_json_eph(const bx_eph_t *e);

#ifdef __cplusplus
}
#endif
#endif
