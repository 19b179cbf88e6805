/*
 * Simulator scenario: constellation, trajectory, geometry, message streams.
 * See include/bdsrx/simscen.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/iono.h"
#include "bdsrx/navframe.h"
#include "bdsrx/navmsg.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pvt.h"
#include "bdsrx/simscen.h"
#include "bdsrx/time.h"
#include "bx_err.h"

#define OMGE_RAD_S BX_OMEGA_E_RAD_S
#define DEG (M_PI / 180.0)

void bx_simscen_config_default(bx_simscen_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->llh0[0] = 30.5 * DEG;
    c->llh0[1] = 114.3 * DEG;
    c->llh0[2] = 50.0;
    c->speed_mps = 3.0;
    c->row_length_m = 200.0;
    c->row_spacing_m = 12.0;
    c->elmask_deg = 5.0;
    c->tropo = 1;
    c->atmo_ref_llh[0] = 30.5 * DEG;
    c->atmo_ref_llh[1] = 114.3 * DEG;
    c->atmo_seed = 1;
}

/* ---------------- constellation ---------------- */

static const int meo_prn[24] = {19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46};

/* Builds the B-CNAV1 subframe 2 carrying e (frame at week/how). */
static void eph_to_sf2(const bx_eph_t *e, int week, int how, bx_cnav1_sf2_t *m)
{
    memset(m, 0, sizeof *m);
    m->wn = week;
    m->how = how;
    m->iodc = e->iodc;
    m->iode = e->iode;
    bx_eph_to_blocks(e, &m->eph1, &m->eph2, &m->clk);
    m->tgd_b2ap_s = e->tgd_b2ap_s;
    m->isc_b1cd_s = e->isc_b1cd_s;
    m->tgd_b1cp_s = e->tgd_b1cp_s;
}

/* Quantises e to the broadcast resolution: pack into subframe 2 and parse back. */
static int quantise(bx_eph_t *e)
{
    int week;
    double sow = bx_time_to_week_sow(e->toe, &week);
    bx_cnav1_sf2_t m, q;
    uint8_t bits[600];
    eph_to_sf2(e, week, (int)(sow / 3600.0), &m);
    if (bx_cnav1_sf2_pack(&m, bits) != BX_OK || bx_cnav1_sf2_parse(bits, &q) != BX_OK)
        return BX_ERR_ARG;
    bx_eph_t out = *e;
    bx_eph_from_blocks(&out, e->prn, week, sow, &q.eph1, &q.eph2, &q.clk);
    out.tgd_b1cp_s = q.tgd_b1cp_s;
    out.tgd_b2ap_s = q.tgd_b2ap_s;
    out.isc_b1cd_s = q.isc_b1cd_s;
    out.iode = q.iode;
    out.iodc = q.iodc;
    *e = out;
    return BX_OK;
}

/* angle into [-pi, pi): the CNAV angle fields are s33 x 2^-32 semicircles */
static double wrap_rad(double a)
{
    a = remainder(a, 2 * M_PI);
    return a >= M_PI - 1e-9 ? a - 2 * M_PI : a;
}

int bx_simscen_constellation(bx_nav_t *nav, bx_time_t t)
{
    int week;
    double sow = bx_time_to_week_sow(t, &week);
    double toe_sow = floor(sow / 3600.0) * 3600.0;
    bx_time_t toe = bx_time_from_week_sow(week, toe_sow);
    for (int k = 0; k < 24; k++) {
        int plane = k / 8, slot = k % 8, prn = meo_prn[k];
        bx_eph_t e;
        memset(&e, 0, sizeof e);
        e.prn = (uint8_t)prn;
        e.sat_type = BX_SAT_MEO;
        e.source = BX_SIG_B1C;
        e.week = week;
        e.toe = e.toc = toe;
        e.iode = (int)(toe_sow / 3600.0) % 256;
        e.iodc = e.iode;
        /* Walker 24/3/1: planes 120 deg apart, 45 deg in plane, 15 deg phasing */
        e.dA_m = 120.0 * ((prn * 37) % 11 - 5);
        e.e = 0.0004 + 0.0001 * (prn % 5);
        e.i0_rad = 55.0 * DEG;
        e.Omega0_rad = wrap_rad((plane * 120.0 + 20.0) * DEG);
        e.M0_rad = wrap_rad((slot * 45.0 + plane * 15.0 + 1.0) * DEG);
        e.omega_rad = wrap_rad((10.0 * (prn % 7)) * DEG);
        e.Omegadot_rad_s = -6.8e-9;
        e.idot_rad_s = 1.0e-11 * ((prn % 3) - 1);
        e.a0_s = ((prn * 7919) % 100 - 50) * 1e-6;
        e.a1_s_s = ((prn * 31) % 21 - 10) * 1e-12;
        e.tgd_b1cp_s = ((prn * 13) % 11 - 5) * 2e-9;
        e.tgd_b2ap_s = ((prn * 17) % 11 - 5) * 2e-9;
        e.isc_b1cd_s = ((prn * 19) % 5 - 2) * 1e-10;
        e.isc_b2ad_s = ((prn * 23) % 5 - 2) * 1e-10;
        e.sisai_oe = e.sisai_ocb = e.sisai_oc1 = e.sisai_oc2 = 0;
        int st = quantise(&e);
        if (st != BX_OK)
            return st;
        st = bx_nav_add(nav, &e);
        if (st != BX_OK)
            return st;
    }
    /* Broadcast ionosphere: BDGIM with all nine broadcast coefficients zero
     * (the model's non-broadcast part still applies); UTC: 4 s leap seconds. */
    memset(&nav->iono, 0, sizeof nav->iono);
    nav->iono.valid = 1;
    memset(&nav->utc, 0, sizeof nav->utc);
    nav->utc.valid = 1;
    nav->utc.dt_ls_s = 4;
    nav->utc.dt_lsf_s = 4;
    nav->utc.wn_ot = week;
    nav->utc.wn_lsf = week;
    return BX_OK;
}

int bx_simscen_add_igso(bx_nav_t *nav, bx_time_t t)
{
    int week;
    double sow = bx_time_to_week_sow(t, &week);
    double toe_sow = floor(sow / 3600.0) * 3600.0;
    bx_time_t toe = bx_time_from_week_sow(week, toe_sow);
    /* 3 IGSO (PRN 38-40): a = 42162 km, 55 deg, one ground track (figure eight) with its node
     * at 118 E: satellite j crosses the node j x 8 h after the others, when the node (inertial
     * Omega0 + Omegadot tk - omega_e t) is at 118 E */
    for (int j = 0; j < 3; j++) {
        bx_eph_t e;
        memset(&e, 0, sizeof e);
        e.prn = (uint8_t)(38 + j);
        e.sat_type = BX_SAT_IGSO;
        e.source = BX_SIG_B1C;
        e.week = week;
        e.toe = e.toc = toe;
        e.iode = (int)(toe_sow / 3600.0) % 256;
        e.iodc = e.iode;
        e.dA_m = 0.0; /* A_ref of IGSO = 42162200 m, geosynchronous */
        const double a = bx_eph_aref_m(BX_SAT_IGSO), n = sqrt(3.986004418e14 / (a * a * a));
        e.e = 0.0008 + 0.0002 * j;
        e.i0_rad = 55.0 * DEG;
        e.omega_rad = 0.0;
        /* argument of latitude at toe: -(j x 120 deg + 35 deg): node crossing dt_c after toe */
        const double u0 = -(j * 120.0 + 35.0) * DEG, dt_c = -u0 / n;
        e.M0_rad = wrap_rad(u0);
        e.Omegadot_rad_s = -6.8e-9;
        e.Omega0_rad = wrap_rad(118.0 * DEG + OMGE_RAD_S * (toe_sow + dt_c) - e.Omegadot_rad_s * dt_c);
        e.a0_s = ((e.prn * 7919) % 100 - 50) * 1e-6;
        e.a1_s_s = ((e.prn * 31) % 21 - 10) * 1e-12;
        e.tgd_b1cp_s = ((e.prn * 13) % 11 - 5) * 2e-9;
        e.tgd_b2ap_s = ((e.prn * 17) % 11 - 5) * 2e-9;
        e.isc_b1cd_s = ((e.prn * 19) % 5 - 2) * 1e-10;
        e.isc_b2ad_s = ((e.prn * 23) % 5 - 2) * 1e-10;
        int st = quantise(&e);
        if (st != BX_OK)
            return st;
        if ((st = bx_nav_add(nav, &e)) != BX_OK)
            return st;
    }
    return BX_OK;
}

double bx_simscen_cn0_dbhz(const bx_simscen_config_t *c, double el_rad, double dflt)
{
    if (c->cn0_horizon_dbhz == 0.0 && c->cn0_zenith_dbhz == 0.0)
        return dflt;
    const double s = el_rad > 0.0 ? sin(el_rad) : 0.0;
    return c->cn0_horizon_dbhz + (c->cn0_zenith_dbhz - c->cn0_horizon_dbhz) * s;
}

/* ---------------- trajectory ---------------- */

/* FIELD: back-and-forth rows along north, U-turns (half circles) at the ends. */
static void field_enu(const bx_simscen_config_t *c, double t, double enu[3], double venu[3])
{
    const double L = c->row_length_m, r = c->row_spacing_m / 2.0, v = c->speed_mps;
    const double lap = 2.0 * L + 2.0 * M_PI * r; /* two rows + two U-turns */
    double s = fmod(v * t, lap);
    int lapn = (int)floor(v * t / lap);
    double e0 = lapn * 4.0 * r; /* each lap moves two rows east */
    double e, n, ve, vn;
    if (s < L) { /* row north */
        e = e0, n = s, ve = 0, vn = v;
    } else if (s < L + M_PI * r) { /* U-turn at north end, to the east */
        double a = (s - L) / r;
        e = e0 + r - r * cos(a), n = L + r * sin(a);
        ve = v * sin(a), vn = v * cos(a);
    } else if (s < 2 * L + M_PI * r) { /* row south */
        e = e0 + 2 * r, n = L - (s - L - M_PI * r), ve = 0, vn = -v;
    } else { /* U-turn at south end */
        double a = (s - 2 * L - M_PI * r) / r;
        e = e0 + 3 * r - r * cos(a), n = -r * sin(a);
        ve = v * sin(a), vn = -v * cos(a);
    }
    enu[0] = e, enu[1] = n, enu[2] = 0;
    venu[0] = ve, venu[1] = vn, venu[2] = 0;
}

void bx_simscen_position(const bx_simscen_config_t *c, double t_rel_s, double pos_m[3], double vel_mps[3])
{
    double p0[3];
    bx_llh_to_ecef(c->llh0, p0);
    if (c->traj != BX_TRAJ_FIELD) {
        memcpy(pos_m, p0, sizeof p0);
        vel_mps[0] = vel_mps[1] = vel_mps[2] = 0;
        return;
    }
    double enu[3], venu[3], d[3];
    field_enu(c, t_rel_s, enu, venu);
    bx_enu_to_ecef(c->llh0, enu, d);
    bx_enu_to_ecef(c->llh0, venu, vel_mps);
    for (int i = 0; i < 3; i++)
        pos_m[i] = p0[i] + d[i];
}

/* ---------------- differential atmosphere ---------------- */

static double unit_hash(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
}

/* extra vertical TEC (TECU) and zenith troposphere (m) at llh, time t_s, for one satellite */
static void atmo_extra(const bx_simscen_config_t *c, int prn, const double llh[3], double t_s, double *vtec,
                       double *ztd_m)
{
    double p0[3], p[3], d[3], enu[3];
    bx_llh_to_ecef(c->atmo_ref_llh, p0);
    bx_llh_to_ecef(llh, p);
    for (int i = 0; i < 3; i++)
        d[i] = p[i] - p0[i];
    bx_ecef_to_enu(c->atmo_ref_llh, d, enu);
    const double ekm = enu[0] / 1e3, nkm = enu[1] / 1e3;
    *vtec = c->iono_grad_tecu_km[0] * ekm + c->iono_grad_tecu_km[1] * nkm;
    *ztd_m = (c->tropo_grad_mm_km[0] * ekm + c->tropo_grad_mm_km[1] * nkm) * 1e-3;
    if (c->iono_resid_tecu > 0.0)
        for (int w = 0; w < 2; w++) {
            const uint64_t k = c->atmo_seed * 1000003ull + (uint64_t)prn * 17ull + (uint64_t)w;
            const double dir = 2 * M_PI * unit_hash(k), lam_km = 30.0 + 30.0 * unit_hash(k + 101),
                         per_s = 1200.0 + 1200.0 * unit_hash(k + 202), ph = 2 * M_PI * unit_hash(k + 303);
            const double x = (ekm * cos(dir) + nkm * sin(dir)) / lam_km;
            *vtec += c->iono_resid_tecu / M_SQRT2 * sin(2 * M_PI * (x + t_s / per_s) + ph);
        }
}

/* ---------------- geometry ---------------- */

int bx_simscen_geometry(const bx_simscen_config_t *c, const bx_eph_t *e, int sig, const double pos_m[3],
                        bx_time_t t_rx, bx_simgeom_t *g)
{
    double llh[3];
    bx_ecef_to_llh(pos_m, llh);
    double tau = 0.075, clk = 0, p[3], rot[3];
    double delay_m = 0;
    memset(g, 0, sizeof *g);
    for (int it = 0; it < 4; it++) {
        bx_time_t t_tx = bx_time_add(t_rx, -tau);
        double vel[3], drift;
        int st = bx_satpos(e, t_tx, p, vel, &clk, &drift);
        if (st != BX_OK)
            return st;
        double th = OMGE_RAD_S * tau; /* Earth rotation during the travel time */
        rot[0] = cos(th) * p[0] + sin(th) * p[1];
        rot[1] = -sin(th) * p[0] + cos(th) * p[1];
        rot[2] = p[2];
        double d[3] = {rot[0] - pos_m[0], rot[1] - pos_m[1], rot[2] - pos_m[2]};
        g->range_m = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        bx_azel(pos_m, llh, rot, &g->az_rad, &g->el_rad);
        g->tropo_m = c->tropo ? bx_tropo_delay_m(llh, g->el_rad) : 0.0;
        g->iono_m = c->iono ? bx_bdgim_delay_m(c->iono, t_rx, llh, g->az_rad, g->el_rad,
                                               sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ)
                            : 0.0;
        if (c->iono_grad_tecu_km[0] != 0.0 || c->iono_grad_tecu_km[1] != 0.0 || c->tropo_grad_mm_km[0] != 0.0 ||
            c->tropo_grad_mm_km[1] != 0.0 || c->iono_resid_tecu > 0.0) {
            double vtec, ztd;
            atmo_extra(c, e->prn, llh, bx_time_diff(t_rx, c->start), &vtec, &ztd);
            const double f = sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
            const double re = 6371e3, hs = 350e3, ce = cos(g->el_rad) * re / (re + hs);
            g->iono_m += 40.3e16 * vtec / (f * f) / sqrt(1.0 - ce * ce);
            g->tropo_m += ztd / sin(fmax(g->el_rad, 3.0 * DEG));
        }
        delay_m = g->tropo_m + g->iono_m;
        tau = (g->range_m + delay_m) / BX_CLIGHT_MPS;
    }
    if (c->iono_carrier) {
        const double f = sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
        g->carrier_adv_cyc = 2.0 * g->iono_m * f / BX_CLIGHT_MPS;
    }
    memcpy(g->sat_pos_m, rot, sizeof rot);
    /* the signal leaves at true time t_rx - tau carrying the satellite's time
     * stamp t + dt_sv(sig), dt_sv(sig) = clock - group delay (orbit.md §4-5) */
    double dt_sv = clk - bx_tgd_s(e, sig, 1);
    g->t_sv = bx_time_add(t_rx, -tau + dt_sv);
    g->pseudorange_m = (tau - dt_sv) * BX_CLIGHT_MPS;
    return BX_OK;
}

/* ---------------- navigation message streams ---------------- */

struct bx_simnav {
    const bx_nav_t *nav;
    int prn, sig;
    int64_t frame;           /* index of the cached frame (-1 none) */
    uint8_t sym[BX_CNAV1_SYMS];
};

int bx_simnav_create(const bx_nav_t *nav, int prn, int sig, bx_simnav_t **out, char *err, size_t errlen)
{
    if (!out)
        return bx_err(err, errlen, BX_ERR_ARG, "bx_simnav_create: out is NULL");
    *out = NULL;
    if (!nav || prn < 1 || prn > BX_PRN_MAX || (sig != BX_SIG_B1C && sig != BX_SIG_B2A))
        return bx_err(err, errlen, BX_ERR_ARG, "simulated navigation data: bad arguments (PRN %d, signal %d)", prn,
                      sig);
    bx_simnav_t *s = calloc(1, sizeof *s);
    if (!s)
        return bx_err(err, errlen, BX_ERR_NOMEM, "simulated navigation data: out of memory");
    s->nav = nav;
    s->prn = prn;
    s->sig = sig;
    s->frame = -1;
    *out = s;
    return BX_OK;
}

void bx_simnav_destroy(bx_simnav_t *s) { free(s); }

static void cnav2_flags(bx_cnav2_flags_t *f, int with_hs)
{
    memset(f, 0, sizeof *f);
    f->hs = with_hs ? 0 : -1;
}

static int build_b1c_frame(bx_simnav_t *s, int64_t k)
{
    bx_time_t t0 = {k * 18, 0.0};
    int week;
    double sow = bx_time_to_week_sow(t0, &week);
    const bx_eph_t *e = bx_nav_select(s->nav, s->prn, t0);
    if (!e)
        return BX_ERR_ARG;
    int how = (int)(sow / 3600.0), soh = (int)((sow - how * 3600.0) / 18.0);
    bx_cnav1_sf2_t sf2;
    eph_to_sf2(e, week, how, &sf2);
    bx_cnav1_sf3_t sf3;
    memset(&sf3, 0, sizeof sf3);
    sf3.page = (int)(k % 2) == 0 ? 1 : 3; /* ionosphere/UTC and EOP/BGTO pages */
    if (sf3.page == 1) {
        sf3.u.p1.iono = s->nav->iono;
        sf3.u.p1.utc = s->nav->utc;
    }
    uint8_t b2[600], b3[264];
    if (bx_cnav1_sf2_pack(&sf2, b2) != BX_OK || bx_cnav1_sf3_pack(&sf3, b3) != BX_OK)
        return BX_ERR_ARG;
    return bx_cnav1_encode(s->prn, soh, b2, b3, s->sym);
}

static int build_b2a_frame(bx_simnav_t *s, int64_t k)
{
    bx_time_t t0 = {k * 3, 0.0};
    int week;
    double sow = bx_time_to_week_sow(t0, &week);
    const bx_eph_t *e = bx_nav_select(s->nav, s->prn, t0);
    if (!e)
        return BX_ERR_ARG;
    bx_cnav2_msg_t m;
    memset(&m, 0, sizeof m);
    m.prn = s->prn;
    m.sow = (int)(sow / 3.0);
    bx_ephblk1_t b1;
    bx_ephblk2_t b2;
    bx_clkblk_t c;
    bx_eph_to_blocks(e, &b1, &b2, &c);
    static const int types[4] = {10, 11, 30, 34};
    m.type = types[k % 4];
    cnav2_flags(&m.flags, m.type != 10);
    switch (m.type) {
    case 10:
        m.u.mt10.wn = week;
        m.u.mt10.iode = e->iode;
        m.u.mt10.eph1 = b1;
        break;
    case 11:
        m.u.mt11.eph2 = b2;
        break;
    case 30:
        m.u.mt30.clk = c;
        m.u.mt30.iodc = e->iodc;
        m.u.mt30.tgd_b2ap_s = e->tgd_b2ap_s;
        m.u.mt30.isc_b2ad_s = e->isc_b2ad_s;
        m.u.mt30.iono = s->nav->iono;
        m.u.mt30.tgd_b1cp_s = e->tgd_b1cp_s;
        break;
    default:
        m.u.mt34.clk = c;
        m.u.mt34.iodc = e->iodc;
        m.u.mt34.utc = s->nav->utc;
        break;
    }
    uint8_t msg[288];
    if (bx_cnav2_pack(&m, msg) != BX_OK)
        return BX_ERR_ARG;
    return bx_cnav2_encode(msg, s->sym);
}

int bx_simnav_symbol(bx_simnav_t *s, bx_time_t t_sv)
{
    const double frame_s = s->sig == BX_SIG_B1C ? 18.0 : 3.0;
    const double sym_s = s->sig == BX_SIG_B1C ? 0.01 : 0.005;
    const int nsym = s->sig == BX_SIG_B1C ? BX_CNAV1_SYMS : BX_CNAV2_SYMS;
    double t = (double)t_sv.sec + t_sv.frac_s;
    int64_t k = (int64_t)floor(t / frame_s);
    if (k != s->frame) {
        int st = s->sig == BX_SIG_B1C ? build_b1c_frame(s, k) : build_b2a_frame(s, k);
        if (st < 0) {
            memset(s->sym, 0, sizeof s->sym);
        }
        s->frame = k;
    }
    double in = ((double)(t_sv.sec - (int64_t)(k * frame_s)) + t_sv.frac_s);
    int i = (int)floor(in / sym_s);
    if (i < 0)
        i = 0;
    if (i >= nsym)
        i = nsym - 1;
    return s->sym[i];
}
