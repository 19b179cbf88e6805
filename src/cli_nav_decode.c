/* bdsrx nav-decode: decode B-CNAV1/B-CNAV2/B-CNAV3 frames or messages from files
 * (qzsl6tool binary .b2b records, or hex text) and print every field with units;
 * --eph also runs the ephemeris assembler.  A thin main over nav/cnav*_msg.c,
 * nav/cnav*_frame.c and nav/ephasm.c. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/bits.h"
#include "bdsrx/fec.h"
#include "bdsrx/navframe.h"
#include "bdsrx/navmsg.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: bdsrx nav-decode [--json] [--eph] FILE...   (FILE '-' = stdin, text format)\n"
        "\n"
        "Decodes BDS-3 navigation data and prints one message per line (--json: one JSON\n"
        "object per line; every field is named with its unit suffix: _s, _m, _rad, _rad_s,\n"
        "_mps, _tecu, _as (arcsec), _d (per day); raw indices carry no suffix).\n"
        "\n"
        "Inputs (detected per file):\n"
        "  binary  qzsl6tool .b2b: 125-byte records, each a 1000-symbol B2b frame\n"
        "          (EB90 | PRN | 6 reserved | 972 LDPC symbols); GEO PRNs (>= 59, PPP-B2b) are\n"
        "          listed with their message type only.\n"
        "  text    one item per line, '#' starts a comment:  [PRN] HEX\n"
        "          HEX = first transmitted bit first, zero padded at the end to 4 bits; the\n"
        "          kind follows from its length:\n"
        "            1800 bits  B-CNAV1 frame (SF1 + interleaved SF2/SF3 symbols, as logic bits)\n"
        "             600 bits  B-CNAV2 frame if it starts with the preamble E24DE8,\n"
        "                       else B-CNAV1 subframe 2 (576 data + CRC)\n"
        "            1000 bits  B-CNAV3 frame (starts with EB90)\n"
        "             264 bits  B-CNAV1 subframe 3     288 bits  B-CNAV2 message\n"
        "             486 bits  B-CNAV3 block (MesType..CRC)\n"
        "            1200 / 528 / 576 / 972 bits  LDPC codewords of SF2 / SF3 / B-CNAV2 /\n"
        "                       B-CNAV3 (the systematic part is used)\n"
        "          Markdown ``` blocks are joined into one item, so shared/icd/testvectors.md\n"
        "          can be given directly.  PRN is needed only where the bits do not carry it.\n"
        "Frames go through the channel decoders (LDPC + CRC); bare messages must pass their\n"
        "CRC-24Q.  Times: tow_s / t_frame = BDT transmission time of the first symbol of the\n"
        "frame (B-CNAV1: HOW*3600 + SOH*18, B-CNAV2: 3*SOW, B-CNAV3: SOW).\n"
        "\n"
        "options:\n"
        "  --json   JSON lines instead of key=value text\n"
        "  --eph    also print every complete ephemeris released by the assembler (\"EPH\")\n"
        "  -h, --help\n");
}

typedef struct {
    int json, eph;
    bx_ephasm_t *as;
    long n_msg, n_bad;
} ctx_t;

/* ---------------- JSON builders (one per struct) ---------------- */

#define SETI(o, k, v) json_object_set_new((o), (k), json_integer(v))
#define SETR(o, k, v) json_object_set_new((o), (k), json_real(v))

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

static json_t *j_eph(const bx_eph_t *e)
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

/* ---------------- output ---------------- */

static void print_flat(const char *prefix, json_t *v, int *first)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            char p[256];
            snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", k);
            print_flat(p, x, first);
        }
        return;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            char p[256];
            snprintf(p, sizeof p, "%s[%zu]", prefix, i);
            print_flat(p, x, first);
        }
        return;
    }
    printf("%s%s=", *first ? "" : " ", prefix);
    *first = 0;
    if (json_is_integer(v))
        printf("%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        printf("%.12g", json_real_value(v));
    else if (json_is_string(v))
        printf("%s", json_string_value(v));
    else if (json_is_boolean(v))
        printf("%s", json_is_true(v) ? "true" : "false");
}

static void emit(ctx_t *c, json_t *o)
{
    if (c->json) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        if (s)
            puts(s);
        free(s);
    } else {
        int first = 1;
        print_flat("", o, &first);
        putchar('\n');
    }
    json_decref(o);
}

static json_t *head(int prn, const char *sig, const char *msg)
{
    json_t *o = json_object();
    SETI(o, "prn", prn);
    json_object_set_new(o, "sig", json_string(sig));
    json_object_set_new(o, "msg", json_string(msg));
    return o;
}

static void bad(ctx_t *c, int prn, const char *sig, const char *what, int status)
{
    json_t *o = head(prn, sig, "ERROR");
    json_object_set_new(o, "error", json_string(what));
    json_object_set_new(o, "status", json_string(bx_strerror(status)));
    c->n_bad++;
    emit(c, o);
}

static void released(ctx_t *c, int r, const bx_eph_t *e)
{
    if (c->eph && r == 1)
        emit(c, j_eph(e));
}

/* ---------------- messages ---------------- */

/* soh < 0: unknown (bare subframes) */
static void do_cnav1(ctx_t *c, int prn, int soh, const uint8_t *sf2, const uint8_t *sf3)
{
    bx_cnav1_sf2_t m2;
    bx_cnav1_sf3_t m3;
    int have2 = 0, have3 = 0;
    if (sf2) {
        if (bx_cnav1_sf2_parse(sf2, &m2) == BX_OK) {
            have2 = 1;
            json_t *o = head(prn, "B1C", "SF2");
            if (soh >= 0) {
                SETI(o, "soh", soh);
                json_object_set_new(o, "t_frame", j_time(bx_cnav1_frame_time(m2.wn, m2.how, soh)));
            }
            SETI(o, "wn", m2.wn);
            SETI(o, "how", m2.how);
            SETI(o, "iodc", m2.iodc);
            SETI(o, "iode", m2.iode);
            json_object_set_new(o, "eph1", j_eph1(&m2.eph1));
            json_object_set_new(o, "eph2", j_eph2(&m2.eph2));
            json_object_set_new(o, "clk", j_clk(&m2.clk));
            SETR(o, "tgd_b2ap_s", m2.tgd_b2ap_s);
            SETR(o, "isc_b1cd_s", m2.isc_b1cd_s);
            SETR(o, "tgd_b1cp_s", m2.tgd_b1cp_s);
            SETI(o, "reserved", m2.reserved);
            c->n_msg++;
            emit(c, o);
        }
    }
    if (sf3) {
        int st = bx_cnav1_sf3_parse(sf3, &m3);
        json_t *o = head(prn, "B1C", "SF3");
        SETI(o, "page", m3.page);
        if (st == BX_OK) {
            have3 = 1;
            SETI(o, "hs", m3.hs);
            SETI(o, "dif", m3.dif);
            SETI(o, "sif", m3.sif);
            SETI(o, "aif", m3.aif);
            SETI(o, "sismai", m3.sismai);
            switch (m3.page) {
            case 1:
                SETI(o, "sisai_oe", m3.u.p1.sisai_oe);
                json_object_set_new(o, "sisai_oc", j_sisai_oc(&m3.u.p1.sisai_oc));
                json_object_set_new(o, "bdgim", j_bdgim(&m3.u.p1.iono));
                json_object_set_new(o, "utc", j_utc(&m3.u.p1.utc));
                break;
            case 2:
                json_object_set_new(o, "sisai_oc", j_sisai_oc(&m3.u.p2.sisai_oc));
                SETI(o, "wn_a", m3.u.p2.wn_a);
                SETR(o, "toa_s", m3.u.p2.toa_s);
                json_object_set_new(o, "alm", j_alm_reduced(m3.u.p2.alm, 4));
                break;
            case 3:
                SETI(o, "sisai_oe", m3.u.p3.sisai_oe);
                json_object_set_new(o, "eop", j_eop(&m3.u.p3.eop));
                json_object_set_new(o, "bgto", j_bgto(&m3.u.p3.bgto));
                break;
            case 4:
                json_object_set_new(o, "sisai_oc", j_sisai_oc(&m3.u.p4.sisai_oc));
                json_object_set_new(o, "midi_alm", j_alm_midi(&m3.u.p4.alm));
                break;
            }
        } else {
            json_object_set_new(o, "note", json_string("page type not defined in ICD 1.0"));
        }
        c->n_msg++;
        emit(c, o);
    }
    if (prn >= 1 && soh >= 0 && (have2 || have3)) {
        bx_eph_t e;
        released(c, bx_ephasm_add_cnav1(c->as, prn, soh, have2 ? &m2 : NULL, have3 ? &m3 : NULL, &e), &e);
    }
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

static void do_cnav2(ctx_t *c, const uint8_t msg[288])
{
    bx_cnav2_msg_t m;
    int st = bx_cnav2_parse(msg, &m);
    char name[8];
    snprintf(name, sizeof name, "MT%d", m.type);
    json_t *o = head(m.prn, "B2A", name);
    SETI(o, "sow", m.sow);
    SETI(o, "tow_s", 3 * m.sow);
    int week = m.type == 10 ? m.u.mt10.wn : (m.prn >= 1 && m.prn <= BX_PRN_MAX ? bx_ephasm_week(c->as, m.prn) : -1);
    if (week >= 0)
        json_object_set_new(o, "t_frame", j_time(bx_cnav2_frame_time(week, m.sow)));
    if (st != BX_OK) {
        json_object_set_new(o, "note", json_string("message type not decoded"));
        c->n_msg++;
        emit(c, o);
        return;
    }
    json_object_set_new(o, "flags", j_flags2(&m.flags));
    switch (m.type) {
    case 10:
        SETI(o, "wn", m.u.mt10.wn);
        SETI(o, "iode", m.u.mt10.iode);
        json_object_set_new(o, "eph1", j_eph1(&m.u.mt10.eph1));
        break;
    case 11: json_object_set_new(o, "eph2", j_eph2(&m.u.mt11.eph2)); break;
    case 30:
        json_object_set_new(o, "clk", j_clk(&m.u.mt30.clk));
        SETI(o, "iodc", m.u.mt30.iodc);
        SETR(o, "tgd_b2ap_s", m.u.mt30.tgd_b2ap_s);
        SETR(o, "isc_b2ad_s", m.u.mt30.isc_b2ad_s);
        json_object_set_new(o, "bdgim", j_bdgim(&m.u.mt30.iono));
        SETR(o, "tgd_b1cp_s", m.u.mt30.tgd_b1cp_s);
        break;
    case 31:
        json_object_set_new(o, "clk", j_clk(&m.u.mt31.clk));
        SETI(o, "iodc", m.u.mt31.iodc);
        SETI(o, "wn_a", m.u.mt31.wn_a);
        SETR(o, "toa_s", m.u.mt31.toa_s);
        json_object_set_new(o, "alm", j_alm_reduced(m.u.mt31.alm, 3));
        break;
    case 32:
        json_object_set_new(o, "clk", j_clk(&m.u.mt32.clk));
        SETI(o, "iodc", m.u.mt32.iodc);
        json_object_set_new(o, "eop", j_eop(&m.u.mt32.eop));
        break;
    case 33:
        json_object_set_new(o, "clk", j_clk(&m.u.mt33.clk));
        json_object_set_new(o, "bgto", j_bgto(&m.u.mt33.bgto));
        json_object_set_new(o, "alm", j_alm_reduced(&m.u.mt33.alm, 1));
        SETI(o, "iodc", m.u.mt33.iodc);
        SETI(o, "wn_a", m.u.mt33.wn_a);
        SETR(o, "toa_s", m.u.mt33.toa_s);
        break;
    case 34:
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m.u.mt34.sisai_oc));
        json_object_set_new(o, "clk", j_clk(&m.u.mt34.clk));
        SETI(o, "iodc", m.u.mt34.iodc);
        json_object_set_new(o, "utc", j_utc(&m.u.mt34.utc));
        break;
    case 40:
        SETI(o, "sisai_oe", m.u.mt40.sisai_oe);
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m.u.mt40.sisai_oc));
        json_object_set_new(o, "midi_alm", j_alm_midi(&m.u.mt40.alm));
        break;
    }
    c->n_msg++;
    emit(c, o);
    if (m.prn >= 1 && m.prn <= BX_PRN_MAX) {
        bx_eph_t e;
        released(c, bx_ephasm_add_cnav2(c->as, &m, &e), &e);
    }
}

static void do_cnav3(ctx_t *c, int prn, const uint8_t msg[486])
{
    bx_cnav3_msg_t m;
    int st = bx_cnav3_parse(msg, prn, &m);
    char name[8];
    snprintf(name, sizeof name, "MT%d", m.type);
    int ppp = prn >= 59; /* GEO PPP-B2b (navmsg.md §4.1) */
    json_t *o = head(prn, ppp ? "B2B-PPP" : "B2B", name);
    if (ppp || st != BX_OK) {
        json_object_set_new(o, "note", json_string(ppp ? "PPP-B2b message (not decoded here)"
                                                        : "message type not decoded"));
        c->n_msg++;
        emit(c, o);
        return;
    }
    SETI(o, "sow", m.sow);
    int week = m.type == 30 ? m.u.mt30.wn : (prn >= 1 && prn <= BX_PRN_MAX ? bx_ephasm_week(c->as, prn) : -1);
    if (week >= 0)
        json_object_set_new(o, "t_frame", j_time(bx_cnav3_frame_time(week, m.sow)));
    switch (m.type) {
    case 10:
        SETI(o, "reserved4", m.u.mt10.reserved4);
        json_object_set_new(o, "eph1", j_eph1(&m.u.mt10.eph1));
        json_object_set_new(o, "eph2", j_eph2(&m.u.mt10.eph2));
        SETI(o, "dif", m.u.mt10.dif);
        SETI(o, "sif", m.u.mt10.sif);
        SETI(o, "aif", m.u.mt10.aif);
        SETI(o, "sismai", m.u.mt10.sismai);
        break;
    case 30:
        SETI(o, "wn", m.u.mt30.wn);
        SETI(o, "reserved4", m.u.mt30.reserved4);
        json_object_set_new(o, "clk", j_clk(&m.u.mt30.clk));
        SETR(o, "tgd_b2bi_s", m.u.mt30.tgd_b2bi_s);
        json_object_set_new(o, "bdgim", j_bdgim(&m.u.mt30.iono));
        json_object_set_new(o, "utc", j_utc(&m.u.mt30.utc));
        json_object_set_new(o, "eop", j_eop(&m.u.mt30.eop));
        json_object_set_new(o, "sisai_oc", j_sisai_oc(&m.u.mt30.sisai_oc));
        SETI(o, "sisai_oe", m.u.mt30.sisai_oe);
        SETI(o, "hs", m.u.mt30.hs);
        break;
    case 40:
        json_object_set_new(o, "bgto", j_bgto(&m.u.mt40.bgto));
        json_object_set_new(o, "midi_alm", j_alm_midi(&m.u.mt40.midi));
        SETI(o, "wn_a", m.u.mt40.wn_a);
        SETR(o, "toa_s", m.u.mt40.toa_s);
        json_object_set_new(o, "alm", j_alm_reduced(m.u.mt40.alm, 5));
        break;
    }
    c->n_msg++;
    emit(c, o);
    if (prn >= 1 && prn <= BX_PRN_MAX) {
        bx_eph_t e;
        released(c, bx_ephasm_add_cnav3(c->as, &m, &e), &e);
    }
}

/* ---------------- frames and items ---------------- */

static void to_soft(const uint8_t *bits, int n, float *soft)
{
    for (int i = 0; i < n; i++)
        soft[i] = bits[i] ? -1.0f : 1.0f; /* logic 0 -> +1 */
}

static void do_b1c_frame(ctx_t *c, const uint8_t sym[1800])
{
    float soft[1800];
    bx_cnav1_frame_t f;
    to_soft(sym, 1800, soft);
    int st = bx_cnav1_decode(soft, &f);
    if (st != BX_OK || !f.sf1_ok) {
        bad(c, f.prn, "B1C", "frame: SF1/SF2/SF3 not decoded", st);
        return;
    }
    if (!f.sf2_ok)
        bad(c, f.prn, "B1C", "subframe 2: LDPC/CRC failed", BX_ERR_CRC);
    if (!f.sf3_ok)
        bad(c, f.prn, "B1C", "subframe 3: LDPC/CRC failed", BX_ERR_CRC);
    do_cnav1(c, f.prn, f.soh, f.sf2_ok ? f.sf2 : NULL, f.sf3_ok ? f.sf3 : NULL);
}

static void do_b2a_frame(ctx_t *c, const uint8_t sym[600])
{
    float soft[600];
    uint8_t msg[288];
    to_soft(sym, 600, soft);
    int st = bx_cnav2_decode(soft, msg);
    if (st != BX_OK) {
        bad(c, 0, "B2A", "frame: LDPC/CRC failed", st);
        return;
    }
    do_cnav2(c, msg);
}

static void do_b2b_frame(ctx_t *c, const uint8_t sym[1000])
{
    float soft[1000];
    uint8_t msg[486];
    int prn = (int)bx_bits_getu(sym, 16, 6);
    to_soft(sym, 1000, soft);
    int st = bx_cnav3_decode_prn(soft, msg, &prn);
    if (st != BX_OK) {
        bad(c, prn, "B2B", "frame: LDPC/CRC failed", st);
        return;
    }
    do_cnav3(c, prn, msg);
}

/* CRC-protected bare message of n bits */
static int crc_ok(ctx_t *c, int prn, const char *sig, const uint8_t *b, int n)
{
    if (bx_crc24q_check(b, n))
        return 1;
    bad(c, prn, sig, "CRC-24Q mismatch", BX_ERR_CRC);
    return 0;
}

static void do_item(ctx_t *c, int prn, const uint8_t *b, int n, const char *where)
{
    switch (n) {
    case 1800: do_b1c_frame(c, b); return;
    case 1000: do_b2b_frame(c, b); return;
    case 600:
        if (bx_bits_getu(b, 0, 24) == BX_CNAV2_PREAMBLE)
            do_b2a_frame(c, b);
        else if (crc_ok(c, prn, "B1C", b, 600))
            do_cnav1(c, prn, -1, b, NULL);
        return;
    case 1200:
        if (crc_ok(c, prn, "B1C", b, 600))
            do_cnav1(c, prn, -1, b, NULL);
        return;
    case 264:
    case 528:
        if (crc_ok(c, prn, "B1C", b, 264))
            do_cnav1(c, prn, -1, NULL, b);
        return;
    case 288:
    case 576:
        if (crc_ok(c, prn, "B2A", b, 288))
            do_cnav2(c, b);
        return;
    case 486:
    case 488: /* 486 bits written as 122 hex digits */
    case 972:
        if (crc_ok(c, prn, "B2B", b, 486))
            do_cnav3(c, prn, b);
        return;
    default:
        fprintf(stderr, "nav-decode: %s: %d bits is no known frame or message length (see --help); skipped\n",
                where, n);
    }
}

/* one text item: "[PRN] HEX" */
static void do_text_item(ctx_t *c, char *s, const char *where)
{
    static uint8_t bits[4 * 4096];
    int prn = 0;
    char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    char *sp = strpbrk(p, " \t");
    if (sp) { /* a leading decimal PRN */
        char *end;
        long v = strtol(p, &end, 10);
        if (end == sp && v >= 0 && v <= 63) {
            prn = (int)v;
            p = sp;
        }
    }
    int n = bx_bits_from_hex(p, bits, (int)sizeof bits);
    if (n <= 0) {
        fprintf(stderr, "nav-decode: %s: no hex digits; skipped\n", where);
        return;
    }
    /* 1000-bit frames are 250 digits; 486-bit blocks 122 digits (2 padding bits) */
    do_item(c, prn, bits, n, where);
}

static int run_text(ctx_t *c, FILE *f, const char *name)
{
    char line[8192];
    static char block[65536];
    int in_fence = 0;
    size_t blen = 0;
    long ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", name, ln);
        line[strcspn(line, "\r\n")] = '\0';
        if (!strncmp(line, "```", 3)) {
            if (in_fence && blen > 0)
                do_text_item(c, block, where);
            in_fence = !in_fence;
            blen = 0;
            block[0] = '\0';
            continue;
        }
        if (in_fence) {
            size_t l = strlen(line);
            if (blen + l + 1 < sizeof block) {
                memcpy(block + blen, line, l + 1);
                blen += l;
            }
            continue;
        }
        char *h = strchr(line, '#');
        if (h)
            *h = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        /* outside fences only lines made of [PRN] + hex are items (Markdown prose is not) */
        if (!*p || strspn(p, "0123456789abcdefABCDEF \t") != strlen(p))
            continue;
        do_text_item(c, p, where);
    }
    return ferror(f) ? 1 : 0;
}

static int run_b2b_binary(ctx_t *c, FILE *f, const char *name)
{
    uint8_t rec[125], sym[1000];
    long k = 0;
    size_t got;
    while ((got = fread(rec, 1, sizeof rec, f)) == sizeof rec) {
        k++;
        if (rec[0] != 0xEB || rec[1] != 0x90) {
            fprintf(stderr, "nav-decode: %s: record %ld has no EB90 preamble; skipped\n", name, k);
            continue;
        }
        bx_bits_from_bytes(rec, 1000, sym);
        do_b2b_frame(c, sym);
    }
    if (got != 0)
        fprintf(stderr, "nav-decode: %s: %zu trailing bytes (not a whole 125-byte record) ignored\n", name, got);
    return ferror(f) ? 1 : 0;
}

static int run_file(ctx_t *c, const char *path)
{
    if (!strcmp(path, "-")) /* stdin: text only (cannot peek and rewind a pipe) */
        return run_text(c, stdin, "stdin");
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "nav-decode: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    uint8_t pre[2] = {0, 0};
    size_t n = fread(pre, 1, 2, f);
    rewind(f);
    int rc = (n == 2 && pre[0] == 0xEB && pre[1] == 0x90) ? run_b2b_binary(c, f, path)
                                                          : run_text(c, f, path);
    fclose(f);
    return rc;
}

int cli_nav_decode(int argc, char **argv)
{
    ctx_t c = {0};
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            c.json = 1;
        } else if (!strcmp(argv[i], "--eph")) {
            c.eph = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "nav-decode: unknown option %s (see --help)\n", argv[i]);
            return 2;
        } else {
            nfiles++;
        }
    }
    if (!nfiles) {
        usage(stderr);
        return 2;
    }
    c.as = bx_ephasm_create();
    if (!c.as) {
        fprintf(stderr, "nav-decode: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' || !argv[i][1])
            rc |= run_file(&c, argv[i]);
    bx_ephasm_destroy(c.as);
    fprintf(stderr, "nav-decode: %ld messages decoded, %ld errors\n", c.n_msg, c.n_bad);
    return rc;
}
