/* Navigation-data store: every ephemeris seen, any order (eph.h bx_nav_t). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/orbit.h"

void bx_nav_init(bx_nav_t *n)
{
    memset(n, 0, sizeof *n);
}

void bx_nav_destroy(bx_nav_t *n)
{
    if (!n)
        return;
    free(n->eph);
    bx_nav_init(n); /* empty again, may be reused */
}

int bx_nav_add(bx_nav_t *n, const bx_eph_t *e)
{
    if (!n || !e || e->prn < 1 || e->prn > BX_PRN_MAX)
        return BX_ERR_ARG;
    for (int i = 0; i < n->n_eph; i++) {
        bx_eph_t *o = &n->eph[i];
        if (o->prn == e->prn && o->iode == e->iode && o->source == e->source && bx_time_cmp(o->toe, e->toe) == 0) {
            *o = *e;
            return BX_OK;
        }
    }
    if (n->n_eph == n->cap_eph) {
        const int cap = n->cap_eph ? 2 * n->cap_eph : 64;
        bx_eph_t *p = realloc(n->eph, (size_t)cap * sizeof *p);
        if (!p)
            return BX_ERR_NOMEM;
        n->eph = p;
        n->cap_eph = cap;
    }
    n->eph[n->n_eph++] = *e;
    return BX_OK;
}

static int is_legacy(int source)
{
    return source == BX_EPH_SRC_D1 || source == BX_EPH_SRC_D2;
}

const bx_eph_t *bx_nav_select_src(const bx_nav_t *n, int prn, bx_time_t t, int source)
{
    if (!n)
        return NULL;
    const bx_eph_t *best = NULL;
    double best_d = 0.0;
    for (int i = 0; i < n->n_eph; i++) {
        const bx_eph_t *e = &n->eph[i];
        if (e->prn != prn || e->health != 0 || (source >= 0 && e->source != source))
            continue;
        const double d = fabs(bx_time_diff(t, e->toe));
        if (d > BX_NAV_MAX_AGE_S)
            continue;
        /* nearest first; at equal distance CNAV beats D1/D2, then the later-added copy */
        if (!best || d < best_d || (d == best_d && is_legacy(best->source) >= is_legacy(e->source))) {
            best = e;
            best_d = d;
        }
    }
    return best;
}

const bx_eph_t *bx_nav_select(const bx_nav_t *n, int prn, bx_time_t t)
{
    return bx_nav_select_src(n, prn, t, -1);
}
