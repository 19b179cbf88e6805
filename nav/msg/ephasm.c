/* Ephemeris assembly: collects the decoded B-CNAV1/2/3 messages of each PRN and
 * releases a complete bx_eph_t only when every part comes from the same issue of
 * data (navmsg.md §2.6, orbit.md §6).  Rules are documented in navmsg.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/navmsg.h"
#include "bdsrx/time.h"
#include "bx_err.h"

#define SOW2_PER_WEEK 201600 /* B-CNAV2 SOW field counts 3-s units */

typedef struct {
    /* shared by the sources of this PRN */
    int week;                          /* last BDT week seen, -1 unknown */
    int sisai_oe, sisai_ocb, sisai_oc1, sisai_oc2;
    /* B-CNAV1 */
    int hs1, hs1_soh;                  /* HS of the last SF3 and its frame's SOH, -1 none */
    bx_eph_t last1;                    /* last released, for "new issue" detection */
    int have_last1;
    /* B-CNAV2 */
    int have10;                        /* MT10 waiting for its MT11 */
    int wn10, iode10, sow10;
    bx_ephblk1_t eph1_10;
    int have_pair;                     /* MT10 + the MT11 of the next frame */
    int pair_wn, pair_iode, pair_sow;
    bx_ephblk1_t pair1;
    bx_ephblk2_t pair2;
    int have_clk2, clk2_iodc;          /* latest clock of MT30-34 */
    bx_clkblk_t clk2;
    int have_tgd2, tgd2_iodc;          /* group delays of the latest MT30 */
    double tgd_b2ap_s, isc_b2ad_s, tgd_b1cp_s;
    int hs2;                           /* HS of the latest MT11/30-34/40, -1 none */
    bx_eph_t last2;
    int have_last2;
    /* B-CNAV3 */
    int have_eph3, eph3_sow;
    bx_ephblk1_t eph3_1;
    bx_ephblk2_t eph3_2;
    int have_clk3, clk3_sow, clk3_wn, hs3;
    bx_clkblk_t clk3;
    double tgd_b2bi_s;
    bx_eph_t last3;
    int have_last3;
} prn_state_t;

struct bx_ephasm {
    prn_state_t s[BX_PRN_MAX + 1];
};

int bx_ephasm_create(bx_ephasm_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_ephasm_create: out is NULL");
    bx_ephasm_t *a = *out = calloc(1, sizeof *a);
    if (!a)
        return bx_err(err, errlen, BX_ERR_NOMEM, "ephemeris assembler: out of memory");
    for (int p = 0; p <= BX_PRN_MAX; p++) {
        prn_state_t *s = &a->s[p];
        s->week = -1;
        s->sisai_oe = s->sisai_ocb = s->sisai_oc1 = s->sisai_oc2 = -1;
        s->hs1 = s->hs1_soh = s->hs2 = s->hs3 = -1;
    }
    return BX_OK;
}

void bx_ephasm_destroy(bx_ephasm_t *a)
{
    free(a);
}

int bx_ephasm_week(const bx_ephasm_t *a, int prn)
{
    if (!a || prn < 1 || prn > BX_PRN_MAX)
        return -1;
    return a->s[prn].week;
}

static double tdiff(bx_time_t a, bx_time_t b)
{
    return (double)(a.sec - b.sec) + (a.frac_s - b.frac_s);
}

/* s of week near t_ref_sow -> week it belongs to (handles the week rollover) */
static int week_near(int week, double t_ref_sow, double sow)
{
    if (sow - t_ref_sow > 302400.0)
        return week - 1;
    if (sow - t_ref_sow < -302400.0)
        return week + 1;
    return week;
}

void bx_eph_from_blocks(bx_eph_t *e, int prn, int week, double t_ref_sow, const bx_ephblk1_t *b1,
                        const bx_ephblk2_t *b2, const bx_clkblk_t *c)
{
    e->prn = (uint8_t)prn;
    e->sat_type = (uint8_t)b1->sat_type;
    e->week = week_near(week, t_ref_sow, b1->toe_s);
    e->toe = bx_bdt_week_sow(e->week, b1->toe_s);
    e->toc = bx_bdt_week_sow(week_near(week, t_ref_sow, c->toc_s), c->toc_s);
    e->dA_m = b1->dA_m;
    e->Adot_mps = b1->Adot_mps;
    e->dn0_rad_s = b1->dn0_rad_s;
    e->dn0dot_rad_s2 = b1->dn0dot_rad_s2;
    e->M0_rad = b1->M0_rad;
    e->e = b1->e;
    e->omega_rad = b1->omega_rad;
    e->Omega0_rad = b2->Omega0_rad;
    e->i0_rad = b2->i0_rad;
    e->Omegadot_rad_s = b2->Omegadot_rad_s;
    e->idot_rad_s = b2->idot_rad_s;
    e->cis_rad = b2->cis_rad;
    e->cic_rad = b2->cic_rad;
    e->crs_m = b2->crs_m;
    e->crc_m = b2->crc_m;
    e->cus_rad = b2->cus_rad;
    e->cuc_rad = b2->cuc_rad;
    e->a0_s = c->a0_s;
    e->a1_s_s = c->a1_s_s;
    e->a2_s_s2 = c->a2_s_s2;
}

void bx_eph_to_blocks(const bx_eph_t *e, bx_ephblk1_t *b1, bx_ephblk2_t *b2, bx_clkblk_t *c)
{
    b1->toe_s = bx_time_to_week_sow(e->toe, NULL);
    b1->sat_type = e->sat_type;
    b1->dA_m = e->dA_m;
    b1->Adot_mps = e->Adot_mps;
    b1->dn0_rad_s = e->dn0_rad_s;
    b1->dn0dot_rad_s2 = e->dn0dot_rad_s2;
    b1->M0_rad = e->M0_rad;
    b1->e = e->e;
    b1->omega_rad = e->omega_rad;
    b2->Omega0_rad = e->Omega0_rad;
    b2->i0_rad = e->i0_rad;
    b2->Omegadot_rad_s = e->Omegadot_rad_s;
    b2->idot_rad_s = e->idot_rad_s;
    b2->cis_rad = e->cis_rad;
    b2->cic_rad = e->cic_rad;
    b2->crs_m = e->crs_m;
    b2->crc_m = e->crc_m;
    b2->cus_rad = e->cus_rad;
    b2->cuc_rad = e->cuc_rad;
    c->toc_s = bx_time_to_week_sow(e->toc, NULL);
    c->a0_s = e->a0_s;
    c->a1_s_s = e->a1_s_s;
    c->a2_s_s2 = e->a2_s_s2;
}

/* Physical sanity and age (limits in navmsg.h) */
static int eph_sane(const bx_eph_t *e, bx_time_t t_frame)
{
    if (e->sat_type < BX_SAT_GEO || e->sat_type > BX_SAT_MEO)
        return 0;
    if (!(fabs(e->dA_m) < 200e3) || !(e->e >= 0.0 && e->e < 0.1))
        return 0;
    if (fabs(tdiff(t_frame, e->toe)) > BX_EPH_MAX_AGE_S)
        return 0;
    if (fabs(tdiff(e->toc, e->toe)) > BX_EPH_MAX_AGE_S)
        return 0;
    return 1;
}

static void fill_sisai(bx_eph_t *e, const prn_state_t *s)
{
    e->sisai_oe = s->sisai_oe;
    e->sisai_ocb = s->sisai_ocb;
    e->sisai_oc1 = s->sisai_oc1;
    e->sisai_oc2 = s->sisai_oc2;
}

static void set_sisai_oc(prn_state_t *s, const bx_sisai_oc_t *oc)
{
    s->sisai_ocb = oc->sisai_ocb;
    s->sisai_oc1 = oc->sisai_oc1;
    s->sisai_oc2 = oc->sisai_oc2;
}

/* Releases e if it differs from the last one released from this source. */
static int release(const bx_eph_t *e, bx_eph_t *last, int *have_last, bx_eph_t *out)
{
    if (*have_last && memcmp(e, last, sizeof *e) == 0)
        return 0;
    *last = *e;
    *have_last = 1;
    *out = *e;
    return 1;
}

static void eph_init(bx_eph_t *e, int source)
{
    memset(e, 0, sizeof *e); /* padding zeroed too: release() compares with memcmp */
    e->source = (uint8_t)source;
    e->iode = e->iodc = -1;
}

/* ---------------- B-CNAV1 ---------------- */

int bx_ephasm_add_cnav1(bx_ephasm_t *a, int prn, int soh, const bx_cnav1_sf2_t *sf2,
                        const bx_cnav1_sf3_t *sf3, bx_eph_t *out)
{
    if (!a || !out || prn < 1 || prn > BX_PRN_MAX || soh < 0 || soh > 199)
        return BX_ERR_ARG;
    prn_state_t *s = &a->s[prn];
    if (sf3 && sf3->page >= 1 && sf3->page <= 4) {
        s->hs1 = sf3->hs;
        s->hs1_soh = soh;
        switch (sf3->page) {
        case 1:
            s->sisai_oe = sf3->u.p1.sisai_oe;
            set_sisai_oc(s, &sf3->u.p1.sisai_oc);
            break;
        case 2: set_sisai_oc(s, &sf3->u.p2.sisai_oc); break;
        case 3: s->sisai_oe = sf3->u.p3.sisai_oe; break;
        case 4: set_sisai_oc(s, &sf3->u.p4.sisai_oc); break;
        }
    }
    if (!sf2)
        return 0;
    s->week = sf2->wn;
    /* §2.6: IODE must equal the 8 LSBs of IODC; otherwise an update is under way */
    if (sf2->iode != (sf2->iodc & 0xFF))
        return 0;
    /* health from the SF3 of this or the previous frame (SOH counts frames mod 200) */
    if (s->hs1 < 0 || (soh - s->hs1_soh + 200) % 200 > 1)
        return 0;
    bx_time_t t = bx_cnav1_frame_time(sf2->wn, sf2->how, soh);
    double sow = sf2->how * 3600.0 + soh * 18.0;
    bx_eph_t e;
    eph_init(&e, BX_SIG_B1C);
    bx_eph_from_blocks(&e, prn, sf2->wn, sow, &sf2->eph1, &sf2->eph2, &sf2->clk);
    e.health = (uint8_t)s->hs1;
    e.iode = sf2->iode;
    e.iodc = sf2->iodc;
    e.tgd_b1cp_s = sf2->tgd_b1cp_s;
    e.tgd_b2ap_s = sf2->tgd_b2ap_s;
    e.isc_b1cd_s = sf2->isc_b1cd_s;
    fill_sisai(&e, s);
    if (!eph_sane(&e, t))
        return 0;
    return release(&e, &s->last1, &s->have_last1, out);
}

/* ---------------- B-CNAV2 ---------------- */

static int try_release2(prn_state_t *s, int prn, int sow_now, bx_eph_t *out)
{
    if (!s->have_pair || !s->have_clk2 || !s->have_tgd2 || s->hs2 < 0)
        return 0;
    if ((s->clk2_iodc & 0xFF) != s->pair_iode || s->tgd2_iodc != s->clk2_iodc)
        return 0;
    int week = week_near(s->pair_wn, 3.0 * s->pair_sow, 3.0 * sow_now);
    bx_time_t t = bx_cnav2_frame_time(week, sow_now);
    bx_eph_t e;
    eph_init(&e, BX_SIG_B2A);
    bx_eph_from_blocks(&e, prn, week, 3.0 * sow_now, &s->pair1, &s->pair2, &s->clk2);
    e.health = (uint8_t)s->hs2;
    e.iode = s->pair_iode;
    e.iodc = s->clk2_iodc;
    e.tgd_b2ap_s = s->tgd_b2ap_s;
    e.isc_b2ad_s = s->isc_b2ad_s;
    e.tgd_b1cp_s = s->tgd_b1cp_s;
    fill_sisai(&e, s);
    if (!eph_sane(&e, t))
        return 0;
    return release(&e, &s->last2, &s->have_last2, out);
}

static void set_clk2(prn_state_t *s, const bx_clkblk_t *c, int iodc)
{
    s->clk2 = *c;
    s->clk2_iodc = iodc;
    s->have_clk2 = 1;
}

int bx_ephasm_add_cnav2(bx_ephasm_t *a, const bx_cnav2_msg_t *m, bx_eph_t *out)
{
    if (!a || !m || !out || m->prn < 1 || m->prn > BX_PRN_MAX)
        return BX_ERR_ARG;
    prn_state_t *s = &a->s[m->prn];
    if (m->type != 10)
        s->hs2 = m->flags.hs;
    switch (m->type) {
    case 10:
        s->have10 = 1;
        s->wn10 = m->u.mt10.wn;
        s->iode10 = m->u.mt10.iode;
        s->sow10 = m->sow;
        s->eph1_10 = m->u.mt10.eph1;
        s->week = m->u.mt10.wn;
        return 0; /* nothing complete can change before the MT11 */
    case 11:
        /* §2.6: Eph II belongs to the Eph I of the immediately preceding frame (3 s) */
        if (s->have10 && (m->sow - s->sow10 + SOW2_PER_WEEK) % SOW2_PER_WEEK == 1) {
            s->have_pair = 1;
            s->pair_wn = s->wn10;
            s->pair_iode = s->iode10;
            s->pair_sow = s->sow10;
            s->pair1 = s->eph1_10;
            s->pair2 = m->u.mt11.eph2;
        }
        s->have10 = 0;
        break;
    case 30:
        set_clk2(s, &m->u.mt30.clk, m->u.mt30.iodc);
        s->have_tgd2 = 1;
        s->tgd2_iodc = m->u.mt30.iodc;
        s->tgd_b2ap_s = m->u.mt30.tgd_b2ap_s;
        s->isc_b2ad_s = m->u.mt30.isc_b2ad_s;
        s->tgd_b1cp_s = m->u.mt30.tgd_b1cp_s;
        break;
    case 31: set_clk2(s, &m->u.mt31.clk, m->u.mt31.iodc); break;
    case 32: set_clk2(s, &m->u.mt32.clk, m->u.mt32.iodc); break;
    case 33: set_clk2(s, &m->u.mt33.clk, m->u.mt33.iodc); break;
    case 34:
        set_clk2(s, &m->u.mt34.clk, m->u.mt34.iodc);
        set_sisai_oc(s, &m->u.mt34.sisai_oc);
        break;
    case 40:
        s->sisai_oe = m->u.mt40.sisai_oe;
        set_sisai_oc(s, &m->u.mt40.sisai_oc);
        break;
    default:
        return 0;
    }
    return try_release2(s, m->prn, m->sow, out);
}

/* ---------------- B-CNAV3 ---------------- */

int bx_ephasm_add_cnav3(bx_ephasm_t *a, const bx_cnav3_msg_t *m, bx_eph_t *out)
{
    if (!a || !m || !out || m->prn < 1 || m->prn > BX_PRN_MAX)
        return BX_ERR_ARG;
    prn_state_t *s = &a->s[m->prn];
    if (m->type == 10) {
        s->have_eph3 = 1;
        s->eph3_sow = m->sow;
        s->eph3_1 = m->u.mt10.eph1;
        s->eph3_2 = m->u.mt10.eph2;
    } else if (m->type == 30) {
        s->have_clk3 = 1;
        s->clk3_sow = m->sow;
        s->clk3_wn = m->u.mt30.wn;
        s->clk3 = m->u.mt30.clk;
        s->tgd_b2bi_s = m->u.mt30.tgd_b2bi_s;
        s->hs3 = m->u.mt30.hs;
        s->sisai_oe = m->u.mt30.sisai_oe;
        set_sisai_oc(s, &m->u.mt30.sisai_oc);
        s->week = m->u.mt30.wn;
    } else {
        return 0;
    }
    if (!s->have_eph3 || !s->have_clk3)
        return 0;
    /* no IODs in B-CNAV3: the clock belongs to the orbit when t_oc == t_oe and both were
     * received close together */
    if (s->clk3.toc_s != s->eph3_1.toe_s)
        return 0;
    double dsow = fabs((double)(m->sow - s->clk3_sow));
    double dsow_e = fabs((double)(m->sow - s->eph3_sow));
    if (fmin(dsow, 604800 - dsow) > BX_EPH_MAX_AGE_S || fmin(dsow_e, 604800 - dsow_e) > BX_EPH_MAX_AGE_S)
        return 0;
    int week = week_near(s->clk3_wn, s->clk3_sow, m->sow);
    bx_time_t t = bx_cnav3_frame_time(week, m->sow);
    bx_eph_t e;
    eph_init(&e, BX_SIG_B2B);
    bx_eph_from_blocks(&e, m->prn, week, m->sow, &s->eph3_1, &s->eph3_2, &s->clk3);
    e.health = (uint8_t)s->hs3;
    e.tgd_b2bi_s = s->tgd_b2bi_s;
    fill_sisai(&e, s);
    if (!eph_sane(&e, t))
        return 0;
    return release(&e, &s->last3, &s->have_last3, out);
}
