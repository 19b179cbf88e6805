/* Status snapshot of `bdsrx live` as JSON (src/cli/live_json.h), built with jansson. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "bdsrx/time.h"
#include "bdsrx/trk.h"
#include "live_json.h"

#define R2D (180.0 / M_PI)

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

char *live_json_snapshot(const bx_live_view_t *v, double elapsed_s, double ttff_s)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "device", json_string(v->device ? v->device : ""));
    const bx_sol_t *s = v->sol;
    if (s && s->time.sec > 0) {
        char utc[40];
        int y, mo, d, h, mi;
        double sec;
        bx_time_to_civil(bx_time_add(s->time, -(double)s->leap_s), &y, &mo, &d, &h, &mi, &sec);
        snprintf(utc, sizeof utc, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, (int)sec);
        json_object_set_new(o, "time_utc", json_string(utc));
    } else {
        json_object_set_new(o, "time_utc", json_null());
    }
    json_object_set_new(o, "elapsed_s", num(elapsed_s));
    json_object_set_new(o, "ttff_s", ttff_s >= 0 ? json_real(ttff_s) : json_null());
    json_object_set_new(o, "n_fix", json_integer(v->n_fix));
    json_t *chs = json_array();
    for (int i = 0; i < v->n_ch; i++) {
        const bx_rx_chan_status_t *c = &v->ch[i];
        json_t *j = json_object();
        json_object_set_new(j, "sig", json_string(c->sig == BX_SIG_B2A ? "B2a" : c->sig == BX_SIG_B2B ? "B2b" : "B1C"));
        json_object_set_new(j, "prn", json_integer(c->prn));
        json_object_set_new(j, "state", json_string(bx_trk_state_name(c->state)));
        json_object_set_new(j, "cn0_dbhz", num(c->cn0_dbhz));
        json_object_set_new(j, "doppler_hz", num(c->doppler_hz));
        json_object_set_new(j, "lock_s", num(c->lock_s));
        json_object_set_new(j, "sec_sync", json_integer(c->sec_sync));
        json_object_set_new(j, "frames_ok", json_integer(c->frames_ok));
        json_object_set_new(j, "frames_bad", json_integer(c->frames_bad));
        json_object_set_new(j, "have_time", json_integer(c->have_time));
        json_object_set_new(j, "have_eph", json_integer(c->have_eph));
        double el = c->el_deg, az = c->az_deg;
        for (int k = 0; s && !isfinite(el) && k < s->n_sat; k++) /* the latest solution knows them */
            if (s->sat[k].prn == c->prn && s->sat[k].el_deg != 0.0f) {
                el = s->sat[k].el_deg;
                az = s->sat[k].az_deg;
            }
        json_object_set_new(j, "el_deg", num(el));
        json_object_set_new(j, "az_deg", num(az));
        json_array_append_new(chs, j);
    }
    json_object_set_new(o, "channels", chs);
    if (s) {
        json_t *f = json_object();
        const int ok = bx_sol_valid(s);
        json_object_set_new(f, "valid", json_boolean(ok));
        /* the kind of fix, as "fix" in the JSON lines of bdsrx run/rtk --json */
        json_object_set_new(f, "kind", json_string(!ok || s->fix == BX_FIX_NONE ? "none"
                                                  : s->fix == BX_FIX_FIXED      ? "fixed"
                                                  : (s->flags & BX_SOLF_PPP)   ? "ppp"
                                                  : s->fix == BX_FIX_FLOAT      ? "float"
                                                                                : "spp"));
        if (v->rtk) {
            json_object_set_new(f, "ratio", num(v->ratio));
            json_object_set_new(f, "baseline_m", num(v->baseline_m));
            json_object_set_new(f, "age_s", num(v->age_s));
            json_object_set_new(f, "rtk_msg", json_string(v->rtk_msg ? v->rtk_msg : ""));
            json_object_set_new(f, "base", json_string(v->base ? v->base : ""));
        }
        json_object_set_new(f, "reason", json_string(s->reason));
        json_object_set_new(f, "lat_deg", ok ? num(s->llh[0] * R2D) : json_null());
        json_object_set_new(f, "lon_deg", ok ? num(s->llh[1] * R2D) : json_null());
        json_object_set_new(f, "h_m", ok ? num(s->llh[2]) : json_null());
        json_object_set_new(f, "n_used", json_integer(s->n_used));
        json_object_set_new(f, "hdop", ok ? num(s->hdop) : json_null());
        json_object_set_new(f, "pdop", ok ? num(s->pdop) : json_null());
        json_object_set_new(o, "fix", f);
    } else {
        json_object_set_new(o, "fix", json_null());
    }
    json_t *st = json_object();
    json_object_set_new(st, "processed_s", num(v->stats.processed_s));
    json_object_set_new(st, "speed_x", num(v->stats.speed_x));
    json_object_set_new(st, "dropped_samples", json_integer((json_int_t)v->stats.dropped_samples));
    json_object_set_new(st, "drop_events", json_integer((json_int_t)v->stats.drop_events));
    json_object_set_new(st, "ring_fill", num(v->stats.ring_fill));
    json_object_set_new(st, "lag_s", num(v->stats.lag_s));
    json_object_set_new(o, "stats", st);
    char *txt = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(o);
    return txt;
}
