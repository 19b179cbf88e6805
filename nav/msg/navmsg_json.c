/* JSON objects of decoded B-CNAV1/2/3 messages and ephemerides (nav/msg/navmsg_json.h).
 * Keys are the struct field names, which carry their units. */
#include <stdio.h>

#include "navmsg_json.h"


#define SETI(o, k, v) json_object_set_new((o), (k), json_integer(v))
#define SETR(o, k, v) json_object_set_new((o), (k), json_real(v))

static json_t *head(int prn, const char *sig, const char *msg)
{
    json_t *o = json_object();
    SETI(o, "prn", prn);
    json_object_set_new(o, "sig", json_string(sig));
    json_object_set_new(o, "msg", json_string(msg));
    return o;
}

static json_t *j_flags2(const bx_cnav2_flags_t *f)
{
    json_t *o = json_object();
    if (f->hs >= 0)
        SETI(o, "hs", f->hs);
    SETI(o, "dif_b2a", f->dif_b2a);
    SETI(o, "sif_b2a", f->sif_b2a);
    SETI(o, "aif_b2a", f->aif_b2a);
    SETI(o, "sismai", f->sismai);
    SETI(o, "dif_b1c", f->dif_b1c);
    SETI(o, "sif_b1c", f->sif_b1c);
    SETI(o, "aif_b1c", f->aif_b1c);
    return o;
}



static json_t *j_eph1(const bx_ephblk1_t *b)
{
    json_t *o = json_object();
    SETR(o, "toe_s", b->toe_s);
    SETI(o, "sat_type", b->sat_type);
    SETR(o, "dA_m", b->dA_m);
    double aref = b->sat_type == BX_SAT_MEO ? BX_AREF_MEO_M : BX_AREF_IGSO_GEO_M;
    SETR(o, "A_m", aref + b->dA_m);
    SETR(o, "Adot_mps", b->Adot_mps);
    SETR(o, "dn0_rad_s", b->dn0_rad_s);
    SETR(o, "dn0dot_rad_s2", b->dn0dot_rad_s2);
    SETR(o, "M0_rad", b->M0_rad);
    SETR(o, "e", b->e);
    SETR(o, "omega_rad", b->omega_rad);
    return o;
}

static json_t *j_eph2(const bx_ephblk2_t *b)
{
    json_t *o = json_object();
    SETR(o, "Omega0_rad", b->Omega0_rad);
    SETR(o, "i0_rad", b->i0_rad);
    SETR(o, "Omegadot_rad_s", b->Omegadot_rad_s);
    SETR(o, "idot_rad_s", b->idot_rad_s);
    SETR(o, "cis_rad", b->cis_rad);
    SETR(o, "cic_rad", b->cic_rad);
    SETR(o, "crs_m", b->crs_m);
    SETR(o, "crc_m", b->crc_m);
    SETR(o, "cus_rad", b->cus_rad);
    SETR(o, "cuc_rad", b->cuc_rad);
    return o;
}

static json_t *j_clk(const bx_clkblk_t *b)
{
    json_t *o = json_object();
    SETR(o, "toc_s", b->toc_s);
    SETR(o, "a0_s", b->a0_s);
    SETR(o, "a1_s_s", b->a1_s_s);
    SETR(o, "a2_s_s2", b->a2_s_s2);
    return o;
}

static json_t *j_sisai_oc(const bx_sisai_oc_t *b)
{
    json_t *o = json_object();
    SETR(o, "top_s", b->top_s);
    SETI(o, "sisai_ocb", b->sisai_ocb);
    SETI(o, "sisai_oc1", b->sisai_oc1);
    SETI(o, "sisai_oc2", b->sisai_oc2);
    return o;
}

static json_t *j_bdgim(const bx_bdgim_t *b)
{
    json_t *a = json_array();
    for (int k = 0; k < 9; k++)
        json_array_append_new(a, json_real(b->alpha_tecu[k]));
    json_t *o = json_object();
    json_object_set_new(o, "alpha_tecu", a);
    return o;
}

static json_t *j_utc(const bx_utc_t *b)
{
    json_t *o = json_object();
    SETR(o, "a0_utc_s", b->a0_utc_s);
    SETR(o, "a1_utc_s_s", b->a1_utc_s_s);
    SETR(o, "a2_utc_s_s2", b->a2_utc_s_s2);
    SETI(o, "dt_ls_s", b->dt_ls_s);
    SETI(o, "t_ot_s", b->t_ot_s);
    SETI(o, "wn_ot", b->wn_ot);
    SETI(o, "wn_lsf", b->wn_lsf);
    SETI(o, "dn", b->dn);
    SETI(o, "dt_lsf_s", b->dt_lsf_s);
    return o;
}

static json_t *j_eop(const bx_eop_t *b)
{
    json_t *o = json_object();
    SETR(o, "t_eop_s", b->t_eop_s);
    SETR(o, "pm_x_as", b->pm_x_as);
    SETR(o, "pm_x_dot_as_d", b->pm_x_dot_as_d);
    SETR(o, "pm_y_as", b->pm_y_as);
    SETR(o, "pm_y_dot_as_d", b->pm_y_dot_as_d);
    SETR(o, "dut1_s", b->dut1_s);
    SETR(o, "dut1_dot_s_d", b->dut1_dot_s_d);
    return o;
}

static json_t *j_bgto(const bx_bgto_t *b)
{
    json_t *o = json_object();
    SETI(o, "gnss_id", b->gnss_id);
    SETI(o, "wn0", b->wn0);
    SETR(o, "t0_s", b->t0_s);
    SETR(o, "a0_s", b->a0_s);
    SETR(o, "a1_s_s", b->a1_s_s);
    SETR(o, "a2_s_s2", b->a2_s_s2);
    return o;
}

static json_t *j_alm_reduced(const bx_alm_reduced_t *b, int n)
{
    json_t *a = json_array();
    for (int k = 0; k < n; k++) {
        json_t *o = json_object();
        SETI(o, "prn", b[k].prn);
        SETI(o, "sat_type", b[k].sat_type);
        SETR(o, "dA_m", b[k].dA_m);
        SETR(o, "Omega0_rad", b[k].Omega0_rad);
        SETR(o, "Phi0_rad", b[k].Phi0_rad);
        SETI(o, "health", b[k].health);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *j_alm_midi(const bx_alm_midi_t *b)
{
    json_t *o = json_object();
    SETI(o, "prn", b->prn);
    SETI(o, "sat_type", b->sat_type);
    SETI(o, "wn", b->wn);
    SETR(o, "toa_s", b->toa_s);
    SETR(o, "e", b->e);
    SETR(o, "di_rad", b->di_rad);
    SETR(o, "sqrtA_sqrtm", b->sqrtA_sqrtm);
    SETR(o, "Omega0_rad", b->Omega0_rad);
    SETR(o, "Omegadot_rad_s", b->Omegadot_rad_s);
    SETR(o, "omega_rad", b->omega_rad);
    SETR(o, "M0_rad", b->M0_rad);
    SETR(o, "af0_s", b->af0_s);
    SETR(o, "af1_s_s", b->af1_s_s);
    SETI(o, "health", b->health);
    return o;
}

static json_t *j_time(bx_time_t t)
{
    json_t *o = json_object();
    SETI(o, "week", t.sec / 604800);
    SETR(o, "tow_s", (double)(t.sec % 604800) + t.frac_s);
    return o;
}

json_t *bx_navmsg_json_eph(const bx_eph_t *e)
{
    static const char *sig[] = {"B1C", "B2A", "B2B"};
    json_t *o = json_object();
    SETI(o, "prn", e->prn);
    json_object_set_new(o, "sig", json_string(e->source < 3 ? sig[e->source] : "?"));
    json_object_set_new(o, "msg", json_string("EPH"));
    SETI(o, "sat_type", e->sat_type);
    SETI(o, "health", e->health);
    SETI(o, "iode", e->iode);
    SETI(o, "iodc", e->iodc);
    SETI(o, "week", e->week);
    json_object_set_new(o, "toe", j_time(e->toe));
    json_object_set_new(o, "toc", j_time(e->toc));
    SETR(o, "dA_m", e->dA_m);
    SETR(o, "Adot_mps", e->Adot_mps);
    SETR(o, "dn0_rad_s", e->dn0_rad_s);
    SETR(o, "dn0dot_rad_s2", e->dn0dot_rad_s2);
    SETR(o, "M0_rad", e->M0_rad);
    SETR(o, "e", e->e);
    SETR(o, "omega_rad", e->omega_rad);
    SETR(o, "Omega0_rad", e->Omega0_rad);
    SETR(o, "i0_rad", e->i0_rad);
    SETR(o, "Omegadot_rad_s", e->Omegadot_rad_s);
    SETR(o, "idot_rad_s", e->idot_rad_s);
    SETR(o, "cis_rad", e->cis_rad);
    SETR(o, "cic_rad", e->cic_rad);
    SETR(o, "crs_m", e->crs_m);
    SETR(o, "crc_m", e->crc_m);
    SETR(o, "cus_rad", e->cus_rad);
    SETR(o, "cuc_rad", e->cuc_rad);
    SETR(o, "a0_s", e->a0_s);
    SETR(o, "a1_s_s", e->a1_s_s);
    SETR(o, "a2_s_s2", e->a2_s_s2);
    SETR(o, "tgd_b1cp_s", e->tgd_b1cp_s);
    SETR(o, "tgd_b2ap_s", e->tgd_b2ap_s);
    SETR(o, "isc_b1cd_s", e->isc_b1cd_s);
    SETR(o, "isc_b2ad_s", e->isc_b2ad_s);
    SETR(o, "tgd_b2bi_s", e->tgd_b2bi_s);
    SETI(o, "sisai_oe", e->sisai_oe);
    SETI(o, "sisai_ocb", e->sisai_ocb);
    SETI(o, "sisai_oc1", e->sisai_oc1);
    SETI(o, "sisai_oc2", e->sisai_oc2);
    return o;
}

/* ---------------- messages ---------------- */

json_t *bx_navmsg_json_sf2(int prn, int soh, const bx_cnav1_sf2_t *m)
{
    json_t *o = head(prn, "B1C", "SF2");
    if (soh >= 0) {
        SETI(o, "soh", soh);
        json_object_set_new(o, "t_frame", j_time(bx_cnav1_frame_time(m->wn, m->how, soh)));
    }
    SETI(o, "wn", m->wn);
    SETI(o, "how", m->how);
    SETI(o, "iodc", m->iodc);
    SETI(o, "iode", m->iode);
    json_object_set_new(o, "eph1", j_eph1(&m->eph1));
    json_object_set_new(o, "eph2", j_eph2(&m->eph2));
    json_object_set_new(o, "clk", j_clk(&m->clk));
    SETR(o, "tgd_b2ap_s", m->tgd_b2ap_s);
    SETR(o, "isc_b1cd_s", m->isc_b1cd_s);
    SETR(o, "tgd_b1cp_s", m->tgd_b1cp_s);
    SETI(o, "reserved", m->reserved);
    return o;
}

json_t *bx_navmsg_json_sf3(int prn, const bx_cnav1_sf3_t *m)
{
    json_t *o = head(prn, "B1C", "SF3");
    SETI(o, "page", m->page);
    if (m->page < 1 || m->page > 4) {
        json_object_set_new(o, "note", json_string("page type not defined in ICD 1.0"));
        return o;
    }
    SETI(o, "hs", m->hs);
    SETI(o, "dif", m->dif);
    SETI(o, "sif", m->sif);
    SETI(o, "aif", m->aif);
    SETI(o, "sismai", m->sismai);
    switch (m->page) {
    case 1:
        SETI(o, "sisai_oe", m->u.p1.sisai_oe);
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m->u.p1.sisai_oc));
        json_object_set_new(o, "bdgim", j_bdgim(&m->u.p1.iono));
        json_object_set_new(o, "utc", j_utc(&m->u.p1.utc));
        break;
    case 2:
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m->u.p2.sisai_oc));
        SETI(o, "wn_a", m->u.p2.wn_a);
        SETR(o, "toa_s", m->u.p2.toa_s);
        json_object_set_new(o, "alm", j_alm_reduced(m->u.p2.alm, 4));
        break;
    case 3:
        SETI(o, "sisai_oe", m->u.p3.sisai_oe);
        json_object_set_new(o, "eop", j_eop(&m->u.p3.eop));
        json_object_set_new(o, "bgto", j_bgto(&m->u.p3.bgto));
        break;
    case 4:
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m->u.p4.sisai_oc));
        json_object_set_new(o, "midi_alm", j_alm_midi(&m->u.p4.alm));
        break;
    }
    return o;
}

json_t *bx_navmsg_json_cnav2(const bx_cnav2_msg_t *m, int week)
{
    char name[16];
    snprintf(name, sizeof name, "MT%d", m->type);
    json_t *o = head(m->prn, "B2A", name);
    SETI(o, "sow", m->sow);
    SETI(o, "tow_s", 3 * m->sow);
    if (m->type == 10)
        week = m->u.mt10.wn;
    if (week >= 0)
        json_object_set_new(o, "t_frame", j_time(bx_cnav2_frame_time(week, m->sow)));
    static const int known[] = {10, 11, 30, 31, 32, 33, 34, 40};
    int ok = 0;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        ok |= m->type == known[k];
    if (!ok) {
        json_object_set_new(o, "note", json_string("message type not decoded"));
        return o;
    }
    json_object_set_new(o, "flags", j_flags2(&m->flags));
    switch (m->type) {
    case 10:
        SETI(o, "wn", m->u.mt10.wn);
        SETI(o, "iode", m->u.mt10.iode);
        json_object_set_new(o, "eph1", j_eph1(&m->u.mt10.eph1));
        break;
    case 11: json_object_set_new(o, "eph2", j_eph2(&m->u.mt11.eph2)); break;
    case 30:
        json_object_set_new(o, "clk", j_clk(&m->u.mt30.clk));
        SETI(o, "iodc", m->u.mt30.iodc);
        SETR(o, "tgd_b2ap_s", m->u.mt30.tgd_b2ap_s);
        SETR(o, "isc_b2ad_s", m->u.mt30.isc_b2ad_s);
        json_object_set_new(o, "bdgim", j_bdgim(&m->u.mt30.iono));
        SETR(o, "tgd_b1cp_s", m->u.mt30.tgd_b1cp_s);
        break;
    case 31:
        json_object_set_new(o, "clk", j_clk(&m->u.mt31.clk));
        SETI(o, "iodc", m->u.mt31.iodc);
        SETI(o, "wn_a", m->u.mt31.wn_a);
        SETR(o, "toa_s", m->u.mt31.toa_s);
        json_object_set_new(o, "alm", j_alm_reduced(m->u.mt31.alm, 3));
        break;
    case 32:
        json_object_set_new(o, "clk", j_clk(&m->u.mt32.clk));
        SETI(o, "iodc", m->u.mt32.iodc);
        json_object_set_new(o, "eop", j_eop(&m->u.mt32.eop));
        break;
    case 33:
        json_object_set_new(o, "clk", j_clk(&m->u.mt33.clk));
        json_object_set_new(o, "bgto", j_bgto(&m->u.mt33.bgto));
        json_object_set_new(o, "alm", j_alm_reduced(&m->u.mt33.alm, 1));
        SETI(o, "iodc", m->u.mt33.iodc);
        SETI(o, "wn_a", m->u.mt33.wn_a);
        SETR(o, "toa_s", m->u.mt33.toa_s);
        break;
    case 34:
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m->u.mt34.sisai_oc));
        json_object_set_new(o, "clk", j_clk(&m->u.mt34.clk));
        SETI(o, "iodc", m->u.mt34.iodc);
        json_object_set_new(o, "utc", j_utc(&m->u.mt34.utc));
        break;
    case 40:
        SETI(o, "sisai_oe", m->u.mt40.sisai_oe);
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m->u.mt40.sisai_oc));
        json_object_set_new(o, "midi_alm", j_alm_midi(&m->u.mt40.alm));
        break;
    }
    return o;
}

json_t *bx_navmsg_json_cnav3(const bx_cnav3_msg_t *m, int week)
{
    char name[16];
    snprintf(name, sizeof name, "MT%d", m->type);
    int ppp = m->prn >= 59; /* GEO PPP-B2b (navmsg.md §4.1) */
    json_t *o = head(m->prn, ppp ? "B2B-PPP" : "B2B", name);
    if (ppp || (m->type != 10 && m->type != 30 && m->type != 40)) {
        json_object_set_new(o, "note", json_string(ppp ? "PPP-B2b message (not decoded here)"
                                                        : "message type not decoded"));
        return o;
    }
    SETI(o, "sow", m->sow);
    if (m->type == 30)
        week = m->u.mt30.wn;
    if (week >= 0)
        json_object_set_new(o, "t_frame", j_time(bx_cnav3_frame_time(week, m->sow)));
    switch (m->type) {
    case 10:
        SETI(o, "reserved4", m->u.mt10.reserved4);
        json_object_set_new(o, "eph1", j_eph1(&m->u.mt10.eph1));
        json_object_set_new(o, "eph2", j_eph2(&m->u.mt10.eph2));
        SETI(o, "dif", m->u.mt10.dif);
        SETI(o, "sif", m->u.mt10.sif);
        SETI(o, "aif", m->u.mt10.aif);
        SETI(o, "sismai", m->u.mt10.sismai);
        break;
    case 30:
        SETI(o, "wn", m->u.mt30.wn);
        SETI(o, "reserved4", m->u.mt30.reserved4);
        json_object_set_new(o, "clk", j_clk(&m->u.mt30.clk));
        SETR(o, "tgd_b2bi_s", m->u.mt30.tgd_b2bi_s);
        json_object_set_new(o, "bdgim", j_bdgim(&m->u.mt30.iono));
        json_object_set_new(o, "utc", j_utc(&m->u.mt30.utc));
        json_object_set_new(o, "eop", j_eop(&m->u.mt30.eop));
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m->u.mt30.sisai_oc));
        SETI(o, "sisai_oe", m->u.mt30.sisai_oe);
        SETI(o, "hs", m->u.mt30.hs);
        break;
    case 40:
        json_object_set_new(o, "bgto", j_bgto(&m->u.mt40.bgto));
        json_object_set_new(o, "midi_alm", j_alm_midi(&m->u.mt40.midi));
        SETI(o, "wn_a", m->u.mt40.wn_a);
        SETR(o, "toa_s", m->u.mt40.toa_s);
        json_object_set_new(o, "alm", j_alm_reduced(m->u.mt40.alm, 5));
        break;
    }
    return o;
}
