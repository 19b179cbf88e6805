/* bdsrx — PPP-B2b correction store: the newest orbit, clock, code-bias and URA set per
 * satellite slot, kept per broadcasting GEO, with the issue-of-data rules of
 * shared/icd/pppb2b.md §4 and the age limits of §4.5. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"

#define NGEO (BX_B2B_GEO_MAX - BX_B2B_GEO_MIN + 1)
#define NS (BX_B2B_NSLOT + 1)

typedef struct {
    int have;
    bx_time_t t;
    bx_b2b_orbit_t o;
} orb_t;

typedef struct {
    int have, have_prev;
    bx_time_t t, t_prev;
    bx_b2b_clock_t c, prev; /* newest, and the one before it with another IOD Corr (§4.4) */
} clk_t;

typedef struct {
    int have;
    bx_time_t t;
    bx_b2b_dcb_t d;
} dcb_t;

typedef struct {
    int have_mask, iod_ssr, iodp;
    uint8_t mask[NS];
    int n_masked;
    orb_t orb[NS];
    clk_t clk[NS];
    dcb_t dcb[NS];
    int ura_class[NS], ura_value[NS], have_ura[NS];
} geo_t;

struct bx_b2b_store {
    bx_b2b_cfg_t cfg;
    geo_t g[NGEO];
};

void bx_b2b_cfg_default(bx_b2b_cfg_t *c)
{
    /* pppb2b.md §4.5: no ICD limit transcribed [U].  cssrlib: clock 30 s, orbit and code
     * bias 120 s.  On air each orbit is refreshed every ~96-110 s (MT2 every ~12 s, 6
     * satellites each, ~45-59 masked; nav/README.md), so 120 s would drop corrections
     * whenever one MT2 is lost; 180 s leaves room for one lost message. */
    c->max_age_clock_s = 30.0;
    c->max_age_orbit_s = 180.0;
    c->max_age_dcb_s = 180.0;
}

static void set_err(char *err, size_t n, const char *msg)
{
    if (err && n)
        snprintf(err, n, "%s", msg);
}

int bx_b2b_store_create(const bx_b2b_cfg_t *cfg, bx_b2b_store_t **out, char *err, size_t errlen)
{
    if (!out) {
        set_err(err, errlen, "b2b store: NULL output pointer");
        return BX_ERR_ARG;
    }
    *out = NULL;
    bx_b2b_cfg_t c;
    if (cfg)
        c = *cfg;
    else
        bx_b2b_cfg_default(&c);
    if (!(c.max_age_clock_s > 0.0) || !(c.max_age_orbit_s > 0.0) || !(c.max_age_dcb_s > 0.0)) {
        set_err(err, errlen, "b2b store: age limits must be > 0 s");
        return BX_ERR_ARG;
    }
    bx_b2b_store_t *s = calloc(1, sizeof *s);
    if (!s) {
        set_err(err, errlen, "b2b store: out of memory");
        return BX_ERR_NOMEM;
    }
    s->cfg = c;
    *out = s;
    return BX_OK;
}

void bx_b2b_store_destroy(bx_b2b_store_t *s)
{
    free(s);
}

bx_time_t bx_b2b_epoch_time(int epoch_s, bx_time_t t_rx)
{
    /* bx_time_t counts from a BDT day boundary (2006-01-01 00:00), so the day is sec/86400 */
    int64_t day = t_rx.sec >= 0 ? t_rx.sec / 86400 : -((-t_rx.sec + 86399) / 86400);
    bx_time_t t = bx_time_make(day * 86400 + epoch_s, 0.0);
    double d = bx_time_diff(t, t_rx);
    if (d > 43200.0)
        t = bx_time_add(t, -86400.0);
    else if (d < -43200.0)
        t = bx_time_add(t, 86400.0);
    return t;
}

/* One provisional (day-0) time stamp moved next to t_ref; 1 if moved. */
static int redate_one(bx_time_t *t, bx_time_t t_ref)
{
    if (t->sec < 0 || t->sec >= 86400)
        return 0;
    *t = bx_time_add(bx_b2b_epoch_time((int)t->sec, t_ref), t->frac_s);
    return 1;
}

int bx_b2b_store_redate(bx_b2b_store_t *s, bx_time_t t_ref)
{
    if (!s || t_ref.sec < 86400)
        return BX_ERR_ARG;
    int n = 0;
    for (int k = 0; k < NGEO; k++) {
        geo_t *g = &s->g[k];
        for (int i = 0; i < NS; i++) {
            if (g->orb[i].have)
                n += redate_one(&g->orb[i].t, t_ref);
            if (g->clk[i].have)
                n += redate_one(&g->clk[i].t, t_ref);
            if (g->clk[i].have_prev)
                n += redate_one(&g->clk[i].t_prev, t_ref);
            if (g->dcb[i].have)
                n += redate_one(&g->dcb[i].t, t_ref);
        }
    }
    return n;
}

static void clear_corr(geo_t *g)
{
    memset(g->orb, 0, sizeof g->orb);
    memset(g->clk, 0, sizeof g->clk);
    memset(g->dcb, 0, sizeof g->dcb);
    memset(g->have_ura, 0, sizeof g->have_ura);
}

static void put_orbit(geo_t *g, const bx_b2b_orbit_t *o, bx_time_t t)
{
    if (o->slot < 1 || o->slot > BX_B2B_NSLOT || !g->mask[o->slot])
        return;
    orb_t *e = &g->orb[o->slot];
    e->have = 1;
    e->t = t;
    e->o = *o;
    g->ura_class[o->slot] = o->ura_class;
    g->ura_value[o->slot] = o->ura_value;
    g->have_ura[o->slot] = 1;
}

static void put_clock(geo_t *g, const bx_b2b_clock_t *c, int slot, bx_time_t t)
{
    if (slot < 1 || slot > BX_B2B_NSLOT || !g->mask[slot])
        return;
    clk_t *e = &g->clk[slot];
    if (e->have && e->c.iod_corr != c->iod_corr) { /* keep the previous IOD Corr (§4.4) */
        e->prev = e->c;
        e->t_prev = e->t;
        e->have_prev = 1;
    }
    e->have = 1;
    e->t = t;
    e->c = *c;
    e->c.slot = slot;
}

int bx_b2b_store_add(bx_b2b_store_t *s, int geo_prn, bx_time_t t_rx, const bx_b2b_msg_t *m)
{
    if (!s || !m || geo_prn < BX_B2B_GEO_MIN || geo_prn > BX_B2B_GEO_MAX)
        return BX_ERR_ARG;
    geo_t *g = &s->g[geo_prn - BX_B2B_GEO_MIN];
    if (m->type == 1) { /* §2, §4.2: a new IODP / IOD SSR starts a new correction set */
        if (!g->have_mask || g->iodp != m->u.mt1.iodp || g->iod_ssr != m->h.iod_ssr)
            clear_corr(g);
        g->have_mask = 1;
        g->iod_ssr = m->h.iod_ssr;
        g->iodp = m->u.mt1.iodp;
        memcpy(g->mask, m->u.mt1.mask, sizeof g->mask);
        g->mask[0] = 0;
        g->n_masked = m->u.mt1.n_sat;
        return BX_B2B_ADD_OK;
    }
    if (m->type < 2 || m->type > 7)
        return BX_B2B_ADD_IGNORED;
    if (!g->have_mask)
        return BX_B2B_ADD_NOMASK;
    /* §4.2: IOD SSR of every correction message = the mask's; IODP for MT4/MT5/MT6 */
    const bx_b2b_head_t *hc = m->type == 6 ? &m->u.mt6.hc : m->type == 7 ? &m->u.mt7.hc : &m->h;
    const bx_b2b_head_t *ho = m->type == 6 ? &m->u.mt6.ho : m->type == 7 ? &m->u.mt7.ho : &m->h;
    int has_c = m->type == 6 ? m->u.mt6.num_c > 0 : m->type == 7 ? m->u.mt7.num_c > 0 : 1;
    int has_o = m->type == 6 ? m->u.mt6.num_o > 0 : m->type == 7 ? m->u.mt7.num_o > 0 : 1;
    if ((has_c && hc->iod_ssr != g->iod_ssr) || (has_o && ho->iod_ssr != g->iod_ssr))
        return BX_B2B_ADD_IODSSR;
    int iodp = m->type == 4 ? m->u.mt4.iodp : m->type == 5 ? m->u.mt5.iodp
             : m->type == 6 && has_c ? m->u.mt6.iodp : g->iodp;
    if (iodp != g->iodp)
        return BX_B2B_ADD_IODP;
    const bx_time_t tc = bx_b2b_epoch_time(hc->epoch_s, t_rx), to = bx_b2b_epoch_time(ho->epoch_s, t_rx);
    switch (m->type) {
    case 2:
        for (int k = 0; k < 6; k++)
            put_orbit(g, &m->u.mt2.sat[k], to);
        break;
    case 3:
        for (int k = 0; k < m->u.mt3.n_sat; k++) {
            const bx_b2b_dcb_t *d = &m->u.mt3.sat[k];
            if (d->slot < 1 || d->slot > BX_B2B_NSLOT || !g->mask[d->slot])
                continue;
            g->dcb[d->slot].have = 1;
            g->dcb[d->slot].t = tc;
            g->dcb[d->slot].d = *d;
        }
        break;
    case 4:
        for (int k = 0; k < 23; k++)
            put_clock(g, &m->u.mt4.clk[k], bx_b2b_mask_slot(g->mask, 23 * m->u.mt4.st1 + k), tc);
        break;
    case 5:
        for (int k = 0; k < 70; k++) {
            int slot = bx_b2b_mask_slot(g->mask, 70 * m->u.mt5.st2 + k);
            if (!slot)
                break;
            g->ura_class[slot] = m->u.mt5.ura_class[k];
            g->ura_value[slot] = m->u.mt5.ura_value[k];
            g->have_ura[slot] = 1;
        }
        break;
    case 6: /* Slot_S = index into the masked satellites (cssrlib's reading, §3 MT6 [U]) */
        for (int k = 0; k < m->u.mt6.num_c; k++)
            put_clock(g, &m->u.mt6.clk[k], bx_b2b_mask_slot(g->mask, m->u.mt6.slot_s + k), tc);
        for (int k = 0; k < m->u.mt6.num_o; k++)
            put_orbit(g, &m->u.mt6.orb[k], to);
        break;
    case 7:
        for (int k = 0; k < m->u.mt7.num_c; k++)
            put_clock(g, &m->u.mt7.clk[k], m->u.mt7.clk[k].slot, tc);
        for (int k = 0; k < m->u.mt7.num_o; k++)
            put_orbit(g, &m->u.mt7.orb[k], to);
        break;
    }
    return BX_B2B_ADD_OK;
}

static int get_geo(const bx_b2b_store_t *s, const geo_t *g, int geo_prn, int slot, bx_time_t t,
                   bx_b2b_corr_t *out)
{
    const orb_t *o = &g->orb[slot];
    const clk_t *c = &g->clk[slot];
    if (!o->have || !o->o.valid)
        return BX_B2B_NO_ORBIT;
    if (bx_time_diff(t, o->t) > s->cfg.max_age_orbit_s)
        return BX_B2B_OLD_ORBIT;
    const bx_b2b_clock_t *cc = NULL;
    bx_time_t tc = {0, 0};
    if (c->have && c->c.valid && c->c.iod_corr == o->o.iod_corr) {
        cc = &c->c;
        tc = c->t;
    } else if (c->have_prev && c->prev.valid && c->prev.iod_corr == o->o.iod_corr) {
        cc = &c->prev;
        tc = c->t_prev;
    }
    if (!cc)
        return BX_B2B_NO_CLOCK;
    if (bx_time_diff(t, tc) > s->cfg.max_age_clock_s)
        return BX_B2B_OLD_CLOCK;
    memset(out, 0, sizeof *out);
    out->geo_prn = geo_prn;
    out->iod_ssr = g->iod_ssr;
    out->iodn = o->o.iodn;
    out->iod_corr = o->o.iod_corr;
    out->radial_m = o->o.radial_m;
    out->along_m = o->o.along_m;
    out->cross_m = o->o.cross_m;
    out->t_orbit = o->t;
    out->c0_m = cc->c0_m;
    out->t_clock = tc;
    out->ura_m = g->have_ura[slot] ? bx_b2b_ura_m(g->ura_class[slot], g->ura_value[slot]) : NAN;
    if (g->dcb[slot].have && bx_time_diff(t, g->dcb[slot].t) <= s->cfg.max_age_dcb_s) {
        out->have_dcb = 1;
        out->dcb = g->dcb[slot].d;
        out->t_dcb = g->dcb[slot].t;
    }
    return BX_OK;
}

int bx_b2b_store_get(const bx_b2b_store_t *s, int geo_prn, int slot, bx_time_t t, bx_b2b_corr_t *out)
{
    if (!s || !out || slot < 1 || slot > BX_B2B_NSLOT ||
        (geo_prn != 0 && (geo_prn < BX_B2B_GEO_MIN || geo_prn > BX_B2B_GEO_MAX)))
        return BX_ERR_ARG;
    if (geo_prn) {
        const geo_t *g = &s->g[geo_prn - BX_B2B_GEO_MIN];
        if (!g->have_mask)
            return BX_B2B_GEO_UNKNOWN;
        return get_geo(s, g, geo_prn, slot, t, out);
    }
    int best = BX_B2B_GEO_UNKNOWN, found = 0;
    for (int k = 0; k < NGEO; k++) {
        const geo_t *g = &s->g[k];
        if (!g->have_mask)
            continue;
        bx_b2b_corr_t c;
        int r = get_geo(s, g, BX_B2B_GEO_MIN + k, slot, t, &c);
        if (r == BX_OK) {
            if (!found || bx_time_cmp(c.t_clock, out->t_clock) > 0)
                *out = c;
            found = 1;
        } else if (best == BX_B2B_GEO_UNKNOWN || r > best) {
            best = r; /* report the most advanced failure (old > missing) */
        }
    }
    return found ? BX_OK : best;
}

const char *bx_b2b_add_str(int code)
{
    switch (code) {
    case BX_B2B_ADD_OK: return "applied";
    case BX_B2B_ADD_NOMASK: return "no mask (MT1) yet from this GEO";
    case BX_B2B_ADD_IODSSR: return "IOD SSR differs from the mask's";
    case BX_B2B_ADD_IODP: return "IODP differs from the mask's";
    case BX_B2B_ADD_IGNORED: return "no corrections in this message type";
    }
    return code < 0 ? "invalid argument" : "?";
}

const char *bx_b2b_reason_str(int code)
{
    switch (code) {
    case BX_OK: return "ok";
    case BX_B2B_NO_ORBIT: return "no orbit correction";
    case BX_B2B_NO_CLOCK: return "no clock correction with the orbit's IOD Corr";
    case BX_B2B_OLD_ORBIT: return "orbit correction too old";
    case BX_B2B_OLD_CLOCK: return "clock correction too old";
    case BX_B2B_NO_EPH: return "no broadcast ephemeris with IODC = IODN";
    case BX_B2B_GEO_UNKNOWN: return "no mask from the PPP-B2b satellite(s)";
    }
    return code < 0 ? "invalid argument" : "?";
}

int bx_b2b_store_resolve(const bx_b2b_store_t *s, int geo_prn, bx_b2b_msg_t *m)
{
    if (!s || !m || geo_prn < BX_B2B_GEO_MIN || geo_prn > BX_B2B_GEO_MAX)
        return BX_ERR_ARG;
    if (m->type != 4 && m->type != 6)
        return BX_OK;
    const geo_t *g = &s->g[geo_prn - BX_B2B_GEO_MIN];
    if (!g->have_mask)
        return BX_B2B_ADD_NOMASK;
    int iodp = m->type == 4 ? m->u.mt4.iodp : m->u.mt6.iodp;
    if (iodp != g->iodp)
        return BX_B2B_ADD_IODP;
    if (m->type == 4)
        for (int k = 0; k < 23; k++)
            m->u.mt4.clk[k].slot = bx_b2b_mask_slot(g->mask, 23 * m->u.mt4.st1 + k);
    else
        for (int k = 0; k < m->u.mt6.num_c; k++)
            m->u.mt6.clk[k].slot = bx_b2b_mask_slot(g->mask, m->u.mt6.slot_s + k);
    return BX_OK;
}
