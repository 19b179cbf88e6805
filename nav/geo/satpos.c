/* Satellite position, velocity and clock from a BDS ephemeris: orbit.md §3
 * (CNAV MEO/IGSO user algorithm), §3.1 (GEO rotation), §4 (clock and
 * relativistic correction), §5 (group delays, ionosphere-free combination).
 * Velocities are analytic time derivatives of the same expressions. */
#include <math.h>
#include <stddef.h>

#include "bdsrx/orbit.h"

double bx_eph_aref_m(int sat_type)
{
    switch (sat_type) {
    case BX_SAT_MEO:
        return BX_AREF_MEO_M;
    case BX_SAT_IGSO:
    case BX_SAT_GEO:
        return BX_AREF_IGSO_GEO_M;
    default:
        return 0.0;
    }
}

/* Orbit-plane state: position/velocity in the (not yet Earth-rotated) frame
 * given by Ω_k, and the eccentric anomaly for the relativistic term. */
typedef struct {
    double xp, yp, xpd, ypd; /* in-plane coordinates and rates */
    double ik, ikd;          /* inclination and rate */
    double Ek, Ekd;          /* eccentric anomaly and rate */
    double A0;
} plane_t;

static int orbit_plane(const bx_eph_t *e, double tk, plane_t *p)
{
    const double aref = bx_eph_aref_m(e->sat_type);
    const double A0 = (aref > 0.0 ? aref : BX_AREF_MEO_M) + e->dA_m;
    if (!(A0 > 1e6) || !(e->e >= 0.0 && e->e < 1.0))
        return BX_ERR_ARG;
    const double Ak = A0 + e->Adot_mps * tk;
    const double n0 = sqrt(BX_GM_BDS_M3_S2 / (A0 * A0 * A0));
    const double nA = n0 + e->dn0_rad_s + 0.5 * e->dn0dot_rad_s2 * tk;
    const double nAd = n0 + e->dn0_rad_s + e->dn0dot_rad_s2 * tk; /* dM_k/dt */
    const double Mk = e->M0_rad + nA * tk;

    /* Kepler's equation by Newton iteration, |ΔE| < 1e-13 (orbit.md §3) */
    double E = Mk;
    int it;
    for (it = 0; it < 30; it++) {
        const double dE = (E - e->e * sin(E) - Mk) / (1.0 - e->e * cos(E));
        E -= dE;
        if (fabs(dE) < 1e-13)
            break;
    }
    if (it == 30)
        return BX_ERR_ARG;
    const double sE = sin(E), cE = cos(E);
    const double den = 1.0 - e->e * cE;
    const double Ed = nAd / den;
    const double sq = sqrt(1.0 - e->e * e->e);
    const double nu = atan2(sq * sE, cE - e->e);
    const double nud = sq * Ed / den; /* dν/dE = sqrt(1-e²)/(1-e cos E) */

    const double phi = nu + e->omega_rad;
    const double s2 = sin(2.0 * phi), c2 = cos(2.0 * phi);
    const double du = e->cus_rad * s2 + e->cuc_rad * c2;
    const double dr = e->crs_m * s2 + e->crc_m * c2;
    const double di = e->cis_rad * s2 + e->cic_rad * c2;
    const double dud = 2.0 * (e->cus_rad * c2 - e->cuc_rad * s2) * nud;
    const double drd = 2.0 * (e->crs_m * c2 - e->crc_m * s2) * nud;
    const double did = 2.0 * (e->cis_rad * c2 - e->cic_rad * s2) * nud;

    const double u = phi + du, ud = nud + dud;
    const double r = Ak * den + dr;
    const double rd = e->Adot_mps * den + Ak * e->e * sE * Ed + drd;
    p->ik = e->i0_rad + e->idot_rad_s * tk + di;
    p->ikd = e->idot_rad_s + did;
    const double su = sin(u), cu = cos(u);
    p->xp = r * cu;
    p->yp = r * su;
    p->xpd = rd * cu - r * su * ud;
    p->ypd = rd * su + r * cu * ud;
    p->Ek = E;
    p->Ekd = Ed;
    p->A0 = A0;
    return BX_OK;
}

/* Rotates the orbit plane by inclination i and node Ω (with rate Ωd) into
 * the frame in which Ω is measured. */
static void plane_to_frame(const plane_t *p, double Om, double Omd, double x[3], double v[3])
{
    const double sO = sin(Om), cO = cos(Om), si = sin(p->ik), ci = cos(p->ik);
    x[0] = p->xp * cO - p->yp * ci * sO;
    x[1] = p->xp * sO + p->yp * ci * cO;
    x[2] = p->yp * si;
    v[0] = p->xpd * cO - p->ypd * ci * sO + p->yp * si * sO * p->ikd - x[1] * Omd;
    v[1] = p->xpd * sO + p->ypd * ci * cO - p->yp * si * cO * p->ikd + x[0] * Omd;
    v[2] = p->ypd * si + p->yp * ci * p->ikd;
}

int bx_satpos(const bx_eph_t *e, bx_time_t t, double pos_m[3], double vel_mps[3], double *clk_s,
              double *clkdrift_s_s)
{
    if (!e)
        return BX_ERR_ARG;
    const double tk = bx_time_diff(t, e->toe); /* full times: no week wrap needed */
    const double toe_sow = bx_time_to_week_sow(e->toe, NULL);
    plane_t p;
    const int st = orbit_plane(e, tk, &p);
    if (st != BX_OK)
        return st;

    double x[3], v[3];
    const double we = BX_OMEGA_E_BDS_RAD_S;
    if (e->sat_type != BX_SAT_GEO) {
        /* orbit.md §3: Ω_k = Ω0 + (Ω̇ − Ω̇_e) t_k − Ω̇_e t_oe */
        const double Omd = e->Omegadot_rad_s - we;
        plane_to_frame(&p, e->Omega0_rad + Omd * tk - we * toe_sow, Omd, x, v);
    } else {
        /* orbit.md §3.1: inertial-like node, then R_Z(Ω̇_e t_k) R_X(−5°) */
        double g[3], gd[3];
        plane_to_frame(&p, e->Omega0_rad + e->Omegadot_rad_s * tk - we * toe_sow, e->Omegadot_rad_s, g, gd);
        const double f = -5.0 * BX_PI_ICD / 180.0, cf = cos(f), sf = sin(f);
        /* R_X(φ) = [[1,0,0],[0,cosφ,sinφ],[0,−sinφ,cosφ]] */
        const double h[3] = {g[0], cf * g[1] + sf * g[2], -sf * g[1] + cf * g[2]};
        const double hd[3] = {gd[0], cf * gd[1] + sf * gd[2], -sf * gd[1] + cf * gd[2]};
        /* R_Z(φ) = [[cosφ,sinφ,0],[−sinφ,cosφ,0],[0,0,1]], φ = Ω̇_e t_k, dφ/dt = Ω̇_e */
        const double a = we * tk, ca = cos(a), sa = sin(a);
        x[0] = ca * h[0] + sa * h[1];
        x[1] = -sa * h[0] + ca * h[1];
        x[2] = h[2];
        v[0] = ca * hd[0] + sa * hd[1] + we * (-sa * h[0] + ca * h[1]);
        v[1] = -sa * hd[0] + ca * hd[1] + we * (-ca * h[0] - sa * h[1]);
        v[2] = hd[2];
    }
    for (int k = 0; k < 3; k++) {
        if (pos_m)
            pos_m[k] = x[k];
        if (vel_mps)
            vel_mps[k] = v[k];
    }

    /* orbit.md §4: Δt_SV = a0 + a1 dt + a2 dt² + F e sqrt(A) sin E_k (A = A0 as CSSR) */
    const double dt = bx_time_diff(t, e->toc);
    const double fr = BX_REL_F_S_SQRTM * e->e * sqrt(p.A0);
    if (clk_s)
        *clk_s = e->a0_s + e->a1_s_s * dt + e->a2_s_s2 * dt * dt + fr * sin(p.Ek);
    if (clkdrift_s_s)
        *clkdrift_s_s = e->a1_s_s + 2.0 * e->a2_s_s2 * dt + fr * cos(p.Ek) * p.Ekd;
    return BX_OK;
}

double bx_tgd_s(const bx_eph_t *e, int sig, int pilot)
{
    if (!e)
        return 0.0;
    switch (sig) { /* orbit.md §5 table, T_GD(data) = T_GD(pilot) + ISC */
    case BX_SIG_B1C:
        return pilot ? e->tgd_b1cp_s : e->tgd_b1cp_s + e->isc_b1cd_s;
    case BX_SIG_B2A:
        return pilot ? e->tgd_b2ap_s : e->tgd_b2ap_s + e->isc_b2ad_s;
    case BX_SIG_B2B:
        return e->tgd_b2bi_s;
    default:
        return 0.0;
    }
}

void bx_iflc_coef(double f1_hz, double f2_hz, double *c1, double *c2)
{
    const double k = (f1_hz / f2_hz) * (f1_hz / f2_hz);
    if (c1)
        *c1 = k / (k - 1.0);
    if (c2)
        *c2 = -1.0 / (k - 1.0);
}

double bx_iflc_b1c_b2a_tgd_s(const bx_eph_t *e, int pilot_b1c, int pilot_b2a)
{
    double c1, c2;
    bx_iflc_coef(BX_FREQ_B1C_HZ, BX_FREQ_B2A_HZ, &c1, &c2);
    return c1 * bx_tgd_s(e, BX_SIG_B1C, pilot_b1c) + c2 * bx_tgd_s(e, BX_SIG_B2A, pilot_b2a);
}
