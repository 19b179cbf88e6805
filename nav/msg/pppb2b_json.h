/*
 * bdsrx — PPP-B2b messages (pppb2b.h) as JSON objects (jansson) for `bdsrx nav-decode`,
 * in the style of navmsg_json.h: "prn" (broadcasting GEO), "sig":"B2B-PPP", "msg":"MT<n>",
 * unit-suffixed keys (_m, _s), raw indices without suffix, JSON null for "no value".
 * Satellites are named "C19"/"G01"/... with their slot; MT4/MT6 clock entries carry
 * the slot resolved through the mask (bx_b2b_store_resolve) or null when unknown.
 * The caller owns the returned object; NULL only when out of memory.
 */
#ifndef BDSRX_PPPB2B_JSON_H
#define BDSRX_PPPB2B_JSON_H

#include <jansson.h>

#include "bdsrx/pppb2b.h"

#ifdef __cplusplus
extern "C" {
#endif

json_t *bx_navmsg_json_b2b(int prn, const bx_b2b_msg_t *m);

#ifdef __cplusplus
}
#endif
#endif
