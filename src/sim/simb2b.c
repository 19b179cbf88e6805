/* PPP-B2b broadcast of a simulated GEO with outages (include/bdsrx/simb2b.h).  Message layouts
 * and the 4 s cycle as in tests/test_ppp_iq.c's first scenario; pppb2b.md §3 for the fields. */
#include <string.h>

#include "bdsrx/navframe.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/simb2b.h"
#include "bdsrx/types.h"

void bx_simb2b_default(bx_simb2b_t *c)
{
    memset(c, 0, sizeof *c);
    c->geo_prn = 59;
    c->iodp = 3;
}

int bx_simb2b_outage(const bx_simb2b_t *c, int64_t sec)
{
    for (int i = 0; i < c->n_off && i < BX_SIMB2B_MAX_OFF; i++)
        if (sec >= c->off[i].from_s && sec < c->off[i].to_s)
            return c->off[i].mode;
    return -1;
}

int bx_simb2b_frame(const bx_simb2b_t *c, int64_t sec, uint8_t frame[1000])
{
    if (!c || !frame || c->geo_prn < BX_B2B_GEO_MIN || c->geo_prn > BX_B2B_GEO_MAX || c->n < 1 ||
        c->n > BX_SIMB2B_MAX_SAT || sec < 0)
        return BX_ERR_ARG;
    for (int i = 0; i < c->n; i++)
        if (c->prn[i] < 1 || c->prn[i] > 63)
            return BX_ERR_ARG;
    const int out = bx_simb2b_outage(c, sec);
    if (out == BX_SIMB2B_SILENT)
        return 0;
    bx_b2b_msg_t m;
    memset(&m, 0, sizeof m);
    m.h.epoch_s = (int)(sec % 86400);
    m.h.iod_ssr = c->iod_ssr;
    const int k = (int)(sec % 4);
    if (out == BX_SIMB2B_NULL) {
        m.type = 63; /* §3 MT63: all data bits 0 */
        m.h.epoch_s = 0;
        m.h.iod_ssr = 0;
    } else if (k == 0) {
        m.type = 1;
        m.u.mt1.iodp = c->iodp;
        for (int i = 0; i < c->n; i++)
            m.u.mt1.mask[c->prn[i]] = 1;
    } else if (k == 1 || k == 2) {
        m.type = 2;
        for (int j = 0; j < 6; j++) {
            const int i = (k - 1) * 6 + j;
            if (i >= c->n)
                break;
            bx_b2b_orbit_t *o = &m.u.mt2.sat[j];
            o->slot = c->prn[i];
            o->iodn = c->iodn[i];
            o->iod_corr = c->iod_corr[i];
            o->radial_m = c->radial_m[i];
            o->along_m = c->along_m[i];
            o->cross_m = c->cross_m[i];
            o->valid = 1;
            o->ura_class = 1;
            o->ura_value = 2;
        }
    } else {
        m.type = 4;
        m.u.mt4.iodp = c->iodp;
        m.u.mt4.st1 = 0;
        /* entry j = masked satellite j (§3 MT4): the mask lists the PRNs in increasing order */
        int order[BX_SIMB2B_MAX_SAT], no = 0;
        for (int p = 1; p <= 63; p++)
            for (int i = 0; i < c->n; i++)
                if (c->prn[i] == p)
                    order[no++] = i;
        for (int j = 0; j < 23; j++) {
            m.u.mt4.clk[j].iod_corr = j < no ? c->iod_corr[order[j]] : 1; /* past the mask: invalid C0, IOD Corr 1 */
            m.u.mt4.clk[j].valid = j < no;
            m.u.mt4.clk[j].c0_m = j < no ? c->c0_m[order[j]] : 0.0;
        }
    }
    uint8_t bits[BX_B2B_BITS];
    int st = bx_b2b_pack(&m, bits);
    if (st != BX_OK)
        return st;
    st = bx_cnav3_encode(c->geo_prn, bits, frame);
    return st != BX_OK ? st : 1;
}
