/* bdsrx — PPP-B2b messages as JSON (pppb2b_json.h); field names follow
 * shared/icd/pppb2b.md §3. */
#include <math.h>
#include <stdio.h>

#include "pppb2b_json.h"

#define SETI(o, k, v) json_object_set_new((o), (k), json_integer(v))

static json_t *jreal(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}
#define SETR(o, k, v) json_object_set_new((o), (k), jreal(v))

static void set_sat(json_t *o, int slot)
{
    char name[16];
    if (slot > 0) {
        json_object_set_new(o, "sat", json_string(bx_b2b_slot_name(slot, name, sizeof name)));
        SETI(o, "slot", slot);
    } else {
        json_object_set_new(o, "sat", json_null());
    }
}

static void head(json_t *o, const bx_b2b_head_t *h)
{
    SETI(o, "epoch_s", h->epoch_s);
    SETI(o, "reserved4", h->reserved4);
    SETI(o, "iod_ssr", h->iod_ssr);
}

static json_t *orbit(const bx_b2b_orbit_t *r, int n)
{
    json_t *a = json_array();
    for (int k = 0; k < n; k++) {
        if (!r[k].slot)
            continue;
        json_t *o = json_object();
        set_sat(o, r[k].slot);
        SETI(o, "iodn", r[k].iodn);
        SETI(o, "iod_corr", r[k].iod_corr);
        SETR(o, "radial_m", r[k].radial_m);
        SETR(o, "along_m", r[k].along_m);
        SETR(o, "cross_m", r[k].cross_m);
        SETI(o, "ura_class", r[k].ura_class);
        SETI(o, "ura_value", r[k].ura_value);
        SETR(o, "ura_m", bx_b2b_ura_m(r[k].ura_class, r[k].ura_value));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *clock(const bx_b2b_clock_t *c, int n, int slot_field)
{
    json_t *a = json_array();
    for (int k = 0; k < n; k++) {
        if (slot_field && !c[k].slot)
            continue;
        json_t *o = json_object();
        set_sat(o, c[k].slot);
        SETI(o, "iod_corr", c[k].iod_corr);
        SETR(o, "c0_m", c[k].c0_m);
        json_array_append_new(a, o);
    }
    return a;
}

json_t *bx_navmsg_json_b2b(int prn, const bx_b2b_msg_t *m)
{
    char name[16];
    json_t *o = json_object();
    SETI(o, "prn", prn);
    json_object_set_new(o, "sig", json_string("B2B-PPP"));
    snprintf(name, sizeof name, "MT%d", m->type);
    json_object_set_new(o, "msg", json_string(name));
    switch (m->type) {
    case 1: {
        head(o, &m->h);
        SETI(o, "iodp", m->u.mt1.iodp);
        SETI(o, "n_sat", m->u.mt1.n_sat);
        json_t *a = json_array();
        for (int s = 1; s <= BX_B2B_NSLOT; s++)
            if (m->u.mt1.mask[s])
                json_array_append_new(a, json_string(bx_b2b_slot_name(s, name, sizeof name)));
        json_object_set_new(o, "sats", a);
        break;
    }
    case 2:
        head(o, &m->h);
        json_object_set_new(o, "orbit", orbit(m->u.mt2.sat, 6));
        break;
    case 3: {
        head(o, &m->h);
        SETI(o, "n_sat", m->u.mt3.n_sat);
        json_t *a = json_array();
        for (int k = 0; k < m->u.mt3.n_sat; k++) {
            const bx_b2b_dcb_t *d = &m->u.mt3.sat[k];
            int p, sys = bx_b2b_slot_sat(d->slot, &p);
            json_t *s = json_object(), *b = json_array();
            set_sat(s, d->slot);
            for (int j = 0; j < d->n; j++) {
                json_t *x = json_object();
                SETI(x, "code", d->code[j]);
                json_object_set_new(x, "signal", json_string(bx_b2b_signal_name(sys, d->code[j])));
                SETR(x, "dcb_m", d->dcb_m[j]);
                json_array_append_new(b, x);
            }
            json_object_set_new(s, "dcb", b);
            json_array_append_new(a, s);
        }
        json_object_set_new(o, "sats", a);
        break;
    }
    case 4:
        head(o, &m->h);
        SETI(o, "iodp", m->u.mt4.iodp);
        SETI(o, "st1", m->u.mt4.st1);
        json_object_set_new(o, "clock", clock(m->u.mt4.clk, 23, 0));
        break;
    case 5: {
        head(o, &m->h);
        SETI(o, "iodp", m->u.mt5.iodp);
        SETI(o, "st2", m->u.mt5.st2);
        json_t *a = json_array();
        for (int k = 0; k < 70; k++) {
            json_t *x = json_object();
            SETI(x, "ura_class", m->u.mt5.ura_class[k]);
            SETI(x, "ura_value", m->u.mt5.ura_value[k]);
            SETR(x, "ura_m", bx_b2b_ura_m(m->u.mt5.ura_class[k], m->u.mt5.ura_value[k]));
            json_array_append_new(a, x);
        }
        json_object_set_new(o, "ura", a);
        break;
    }
    case 6:
    case 7: {
        const int six = m->type == 6;
        const int nc = six ? m->u.mt6.num_c : m->u.mt7.num_c, no = six ? m->u.mt6.num_o : m->u.mt7.num_o;
        SETI(o, "num_c", nc);
        SETI(o, "num_o", no);
        if (nc > 0) {
            json_t *c = json_object();
            head(c, six ? &m->u.mt6.hc : &m->u.mt7.hc);
            if (six) {
                SETI(c, "iodp", m->u.mt6.iodp);
                SETI(c, "slot_s", m->u.mt6.slot_s);
            }
            json_object_set_new(c, "clock", clock(six ? m->u.mt6.clk : m->u.mt7.clk, nc, 0));
            json_object_set_new(o, "clock_block", c);
        }
        if (no > 0) {
            json_t *b = json_object();
            head(b, six ? &m->u.mt6.ho : &m->u.mt7.ho);
            json_object_set_new(b, "orbit", orbit(six ? m->u.mt6.orb : m->u.mt7.orb, no));
            json_object_set_new(o, "orbit_block", b);
        }
        break;
    }
    case 63:
        json_object_set_new(o, "note", json_string("null message"));
        break;
    default:
        json_object_set_new(o, "note", json_string("reserved message type"));
    }
    return o;
}
