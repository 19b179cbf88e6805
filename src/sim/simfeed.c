/* Simulator feed: scenario geometry -> simsig generators, 1 ms steps.  See
 * include/bdsrx/simfeed.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/simfeed.h"
#include "bdsrx/simsig.h"
#include "bdsrx/time.h"

#define SLOTS 32

typedef struct {
    int sig;
    size_t nms;
    bx_simsig_t *gen;
    int slot_prn[SLOTS];
    double slot_cn0[SLOTS], slot_el[SLOTS];
    bx_simnav_t *nav[SLOTS];
} band_t;

struct bx_simfeed {
    bx_simfeed_config_t c;
    band_t band[2];
    long ms;
    double cn0_offset_db;
};

void bx_simfeed_config_default(bx_simfeed_config_t *c)
{
    memset(c, 0, sizeof *c);
    bx_simscen_config_default(&c->sc);
    c->nband = 1;
    c->sig[0] = BX_SIG_B1C;
    c->sig[1] = BX_SIG_B2A;
    c->fs_hz[0] = 4.0e6;
    c->fs_hz[1] = 12.0e6;
    c->cn0_dbhz = 45.0;
    c->elmask_deg = 10.0;
    c->seed = 1;
}

static int symbol_of(void *user, int slot, int sig, int prn, bx_time_t t_sym, int64_t index)
{
    band_t *b = user;
    (void)sig, (void)prn, (void)index;
    return b->nav[slot] ? bx_simnav_symbol(b->nav[slot], t_sym) : 0;
}

void bx_simfeed_destroy(bx_simfeed_t *f)
{
    if (!f)
        return;
    for (int b = 0; b < 2; b++) {
        for (int i = 0; i < SLOTS; i++)
            bx_simnav_destroy(f->band[b].nav[i]);
        bx_simsig_destroy(f->band[b].gen);
    }
    free(f);
}

int bx_simfeed_create(const bx_simfeed_config_t *c, bx_simfeed_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!c || !c->nav || c->nband < 1 || c->nband > 2) {
        if (err)
            snprintf(err, errlen, "simfeed: a constellation and 1 or 2 bands are needed");
        return BX_ERR_ARG;
    }
    bx_simfeed_t *f = calloc(1, sizeof *f);
    if (!f) {
        if (err)
            snprintf(err, errlen, "simfeed: out of memory");
        return BX_ERR_NOMEM;
    }
    f->c = *c;
    for (int b = 0; b < c->nband; b++) {
        band_t *bd = &f->band[b];
        if ((c->sig[b] != BX_SIG_B1C && c->sig[b] != BX_SIG_B2A) || !(c->fs_hz[b] >= 1e6) ||
            fmod(c->fs_hz[b], 1000.0) != 0.0) {
            if (err)
                snprintf(err, errlen, "simfeed: band %d: signal B1C/B2a and a whole-kHz rate >= 1 MHz needed", b);
            bx_simfeed_destroy(f);
            return BX_ERR_ARG;
        }
        bd->sig = c->sig[b];
        bd->nms = (size_t)(c->fs_hz[b] / 1000.0);
        bx_simsig_config_t gc;
        bx_simsig_config_default(&gc, c->fs_hz[b]);
        gc.seed = c->seed + (uint64_t)b * 7919;
        gc.max_sats = SLOTS;
        gc.symbol = symbol_of;
        gc.user = bd;
        const int gst = bx_simsig_create(&gc, &bd->gen, err, errlen);
        if (gst != BX_OK) {
            bx_simfeed_destroy(f);
            return gst;
        }
    }
    *out = f;
    return BX_OK;
}

static int slot_of(const band_t *b, int prn)
{
    int free_slot = -1;
    for (int i = 0; i < SLOTS; i++) {
        if (b->slot_prn[i] == prn)
            return i;
        if (b->slot_prn[i] == 0 && free_slot < 0)
            free_slot = i;
    }
    return free_slot;
}

int bx_simfeed_generate(bx_simfeed_t *f, int n_ms, bx_cf32_t *const out[2])
{
    const bx_simfeed_config_t *c = &f->c;
    for (int k = 0; k < n_ms; k++, f->ms++) {
        const double t_rel = f->ms * 1e-3;
        const bx_time_t t_rx = bx_time_add(c->sc.start, t_rel), t_rx1 = bx_time_add(t_rx, 1e-3);
        double pos[3], vel[3], pos1[3], vel1[3];
        bx_simscen_position(&c->sc, t_rel, pos, vel);
        bx_simscen_position(&c->sc, t_rel + 1e-3, pos1, vel1);
        for (int b = 0; b < c->nband; b++) {
            band_t *bd = &f->band[b];
            for (int e = 0; e < c->nav->n_eph; e++) {
                const bx_eph_t *eph = &c->nav->eph[e];
                if (c->prn_mask && !((c->prn_mask >> eph->prn) & 1u))
                    continue;
                bx_simgeom_t g0, g1;
                if (bx_simscen_geometry(&c->sc, eph, bd->sig, pos, t_rx, &g0) != BX_OK)
                    continue;
                const int slot = slot_of(bd, eph->prn);
                if (slot < 0)
                    continue;
                const double el = g0.el_rad * 180.0 / M_PI;
                if (el < c->elmask_deg) {
                    if (bd->slot_prn[slot] == eph->prn) {
                        bx_simsig_remove_sat(bd->gen, slot);
                        bx_simnav_destroy(bd->nav[slot]);
                        bd->nav[slot] = NULL;
                        bd->slot_prn[slot] = 0;
                    }
                    continue;
                }
                if (bx_simscen_geometry(&c->sc, eph, bd->sig, pos1, t_rx1, &g1) != BX_OK)
                    continue;
                if (bd->slot_prn[slot] != eph->prn) {
                    bd->slot_prn[slot] = eph->prn;
                    bx_simnav_destroy(bd->nav[slot]);
                    bd->nav[slot] = NULL;
                    bx_simnav_create(c->nav, eph->prn, bd->sig, &bd->nav[slot], NULL, 0);
                }
                const double cn0 = bx_simscen_cn0_dbhz(&c->sc, g0.el_rad, c->cn0_dbhz) + f->cn0_offset_db;
                bd->slot_cn0[slot] = cn0;
                bd->slot_el[slot] = el;
                const bx_simsig_sat_t ss = {bd->sig, eph->prn, g0.t_sv, bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3, 0.0,
                                            cn0, g0.carrier_adv_cyc};
                bx_simsig_set_sat(bd->gen, slot, &ss);
            }
            bx_simsig_generate(bd->gen, out[b] + (size_t)k * bd->nms, bd->nms);
        }
    }
    return BX_OK;
}

int bx_simfeed_sats(const bx_simfeed_t *f, int b, int *prn, double *cn0_dbhz, double *el_deg, int max)
{
    int n = 0;
    if (b < 0 || b >= f->c.nband)
        return 0;
    const band_t *bd = &f->band[b];
    for (int i = 0; i < SLOTS && n < max; i++) {
        if (!bd->slot_prn[i])
            continue;
        if (prn)
            prn[n] = bd->slot_prn[i];
        if (cn0_dbhz)
            cn0_dbhz[n] = bd->slot_cn0[i];
        if (el_deg)
            el_deg[n] = bd->slot_el[i];
        n++;
    }
    return n;
}

double bx_simfeed_elapsed_s(const bx_simfeed_t *f) { return f->ms * 1e-3; }

void bx_simfeed_set_cn0_offset(bx_simfeed_t *f, double db) { f->cn0_offset_db = db; }
