/* bdsrx — satellite orbits and clocks for PPP from broadcast B-CNAV1 + a PPP-B2b log
 * (include/bdsrx/ppp.h, bx_ppp_b2b_*): the log is replayed up to each requested time into a
 * correction store; orbit and clock per pppb2b.md §5, the clock moved from B3I to the
 * IF(B1C pilot, B2a pilot) code with the PPP-B2b code biases (P - DCB, §5), or with the
 * broadcast T_GD_B1Cp / T_GD_B2ap when the log has none for the satellite. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/fec.h"
#include "bdsrx/orbit.h"
#include "bdsrx/ppp.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"

struct bx_ppp_b2b {
    FILE *f;
    const bx_nav_t *nav;
    int geo;
    bx_b2b_store_t *st;         /* the log's store (owned); NULL with an external store */
    const bx_b2b_store_t *rd;   /* the store corrections are read from (st or the caller's) */
    int pending, eof;
    bx_time_t t_line;
    int prn_line;
    uint8_t bits[BX_B2B_BITS];
    bx_ppp_b2b_stats_t stats;
};

int bx_ppp_b2b_create(const char *log_path, const bx_nav_t *nav, int geo_prn, bx_ppp_b2b_t **out, char *err,
                      size_t errlen)
{
    return bx_ppp_b2b_create_age(log_path, nav, geo_prn, 0.0, 0.0, out, err, errlen);
}

int bx_ppp_b2b_create_age(const char *log_path, const bx_nav_t *nav, int geo_prn, double max_age_clock_s,
                          double max_age_orbit_s, bx_ppp_b2b_t **out, char *err, size_t errlen)
{
    bx_b2b_cfg_t cfg;
    bx_b2b_cfg_default(&cfg);
    if (max_age_clock_s > 0.0)
        cfg.max_age_clock_s = max_age_clock_s;
    if (max_age_orbit_s > 0.0)
        cfg.max_age_orbit_s = cfg.max_age_dcb_s = max_age_orbit_s;
    if (!out || !log_path || !nav || geo_prn < BX_B2B_GEO_MIN || geo_prn > BX_B2B_GEO_MAX) {
        if (err && errlen)
            snprintf(err, errlen, "bx_ppp_b2b_create: bad arguments (GEO PRN 59..63)");
        return BX_ERR_ARG;
    }
    *out = NULL;
    bx_ppp_b2b_t *s = calloc(1, sizeof *s);
    if (!s) {
        if (err && errlen)
            snprintf(err, errlen, "PPP-B2b source: out of memory");
        return BX_ERR_NOMEM;
    }
    s->f = fopen(log_path, "r");
    if (!s->f) {
        free(s);
        if (err && errlen)
            snprintf(err, errlen, "cannot open %s", log_path);
        return BX_ERR_IO;
    }
    int rc = bx_b2b_store_create(&cfg, &s->st, err, errlen);
    if (rc != BX_OK) {
        fclose(s->f);
        free(s);
        return rc;
    }
    s->nav = nav;
    s->geo = geo_prn;
    s->rd = s->st;
    *out = s;
    return BX_OK;
}

int bx_ppp_b2b_create_store(const bx_b2b_store_t *store, const bx_nav_t *nav, int geo_prn, bx_ppp_b2b_t **out,
                            char *err, size_t errlen)
{
    if (!out || !store || !nav || geo_prn < BX_B2B_GEO_MIN || geo_prn > BX_B2B_GEO_MAX) {
        if (err && errlen)
            snprintf(err, errlen, "bx_ppp_b2b_create_store: bad arguments (GEO PRN 59..63)");
        return BX_ERR_ARG;
    }
    bx_ppp_b2b_t *s = calloc(1, sizeof *s);
    if (!s) {
        if (err && errlen)
            snprintf(err, errlen, "PPP-B2b source: out of memory");
        return BX_ERR_NOMEM;
    }
    s->rd = store;
    s->nav = nav;
    s->geo = geo_prn;
    s->eof = 1; /* no log to replay */
    *out = s;
    return BX_OK;
}

void bx_ppp_b2b_destroy(bx_ppp_b2b_t *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    bx_b2b_store_destroy(s->st);
    free(s);
}

/* feeds every message of the GEO received at or before t */
static void advance(bx_ppp_b2b_t *s, bx_time_t t)
{
    char line[1024];
    if (!s->f)
        return; /* external store: filled by its owner */
    for (;;) {
        if (!s->pending) {
            if (s->eof || !fgets(line, sizeof line, s->f)) {
                s->eof = 1;
                return;
            }
            if (bx_b2b_log_parse(line, &s->t_line, &s->prn_line, s->bits) != BX_OK) {
                s->stats.bad_lines++;
                continue;
            }
            s->pending = 1;
        }
        if (bx_time_cmp(s->t_line, t) > 0)
            return;
        s->pending = 0;
        bx_b2b_msg_t m;
        if (s->prn_line != s->geo)
            continue;
        if (!bx_crc24q_check(s->bits, BX_B2B_BITS)) {
            s->stats.crc_errors++;
            continue;
        }
        if (bx_b2b_parse(s->bits, &m) != BX_OK) {
            s->stats.bad_layout++;
            continue;
        }
        const int r = bx_b2b_store_add(s->st, s->geo, s->t_line, &m);
        if (r == BX_B2B_ADD_OK)
            s->stats.used++;
        else if (r == BX_B2B_ADD_NOMASK)
            s->stats.no_mask++;
        else if (r == BX_B2B_ADD_IODSSR || r == BX_B2B_ADD_IODP)
            s->stats.iod_mismatch++;
    }
}

int bx_ppp_b2b_satfn(void *user, int prn, bx_time_t t, double pos_m[3], double *clk_s)
{
    bx_ppp_b2b_t *s = user;
    if (!s || prn < 1 || prn > BX_PRN_MAX)
        return -1;
    advance(s, t);
    bx_b2b_corr_t c;
    const int r = bx_b2b_store_get(s->rd, s->geo, prn, t, &c);
    if (r != BX_OK) {
        if (r > 0 && r < 8)
            s->stats.refused[r]++;
        return -1;
    }
    /* never a correction on another ephemeris than the one its IODN names (§4.3) */
    const bx_eph_t *e = bx_b2b_find_eph(s->nav, prn, c.iodn, t);
    if (!e) {
        s->stats.refused[BX_B2B_NO_EPH]++;
        return -1;
    }
    s->stats.served++;
    double dt;
    if (bx_b2b_apply(e, &c, t, pos_m, &dt, NULL, NULL) != BX_OK)
        return -1;
    double c1, c2;
    bx_iflc_coef(BX_FREQ_B1C_HZ, BX_FREQ_B2A_HZ, &c1, &c2);
    double d1 = bx_b2b_dcb_m(&c, BX_B2B_SIG_B1CP), d2 = bx_b2b_dcb_m(&c, BX_B2B_SIG_B2AP);
    if (isnan(d1) || isnan(d2)) { /* broadcast group delays play the same role (§5) */
        d1 = e->tgd_b1cp_s * BX_CLIGHT_MPS;
        d2 = e->tgd_b2ap_s * BX_CLIGHT_MPS;
    }
    *clk_s = dt - (c1 * d1 + c2 * d2) / BX_CLIGHT_MPS;
    return 0;
}

void bx_ppp_b2b_stats(const bx_ppp_b2b_t *s, bx_ppp_b2b_stats_t *out)
{
    if (s && out)
        *out = s->stats;
}
