/* bdsrx — broadcast and PPP-B2b orbit/clock errors against SP3 (b2b_eval.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/b2b_eval.h"
#include "bdsrx/fec.h"
#include "bdsrx/orbit.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"

#define F_B1I_HZ 1561.098e6 /* BDS-SIS-ICD-B1I-3.0 §4.2 */
#define F_B3I_HZ 1268.52e6  /* BDS-SIS-ICD-B3I-1.0 §4.2 */

void bx_b2b_eval_cfg_default(bx_b2b_eval_cfg_t *c)
{
    c->geo_prn = 0;
    c->apply_pco = 1;
    c->known_pco_only = 0;
    c->arc_on_iodn = 0;
    c->step_s = 0.0;
    c->w_r_meo = 0.98;
    c->w_ac_meo = 1.0 / 54.0;
    c->w_r_geo = 0.99;
    c->w_ac_geo = 1.0 / 126.0;
}

/* BDS-3 satellite blocks (IGS/MGEX metadata, as used in igs14/igs20.atx) and their B3I
 * antenna offsets; values and sources in nav/README.md ("Satellite antenna offsets"). */
int bx_bds3_pco(int prn, double pco_m[3], const char **block)
{
    enum { CAST_M, SECM_M, CAST_I, NONE };
    /* known = 1: CSNO/TARC values for the block (B3I, frequency C06 of the ANTEX entry
     * "BEIDOU-3M-CAST C22 ... CSNO/TARC 28-MAY-19" in cssrlib's src/cssrlib/data/test.atx);
     * known = 0: no published B3I value at hand, the CAST z used as a stand-in */
    static const struct { const char *name; double x, y, z; int known; } tab[] = {
        [CAST_M] = {"BEIDOU-3M-CAST", -0.20, 0.00, 1.18, 1},
        [SECM_M] = {"BEIDOU-3M-SECM", 0.00, 0.00, 1.18, 0},
        [CAST_I] = {"BEIDOU-3I", 0.00, 0.00, 1.18, 0},
    };
    int k = NONE;
    if ((prn >= 19 && prn <= 24) || prn == 32 || prn == 33 || prn == 36 || prn == 37 ||
        prn == 41 || prn == 42 || prn == 45 || prn == 46)
        k = CAST_M;
    else if ((prn >= 25 && prn <= 30) || prn == 34 || prn == 35 || prn == 43 || prn == 44)
        k = SECM_M;
    else if (prn >= 38 && prn <= 40)
        k = CAST_I;
    if (k == NONE)
        return BX_ERR_UNSUPPORTED;
    if (pco_m) {
        pco_m[0] = tab[k].x;
        pco_m[1] = tab[k].y;
        pco_m[2] = tab[k].z;
    }
    if (block)
        *block = tab[k].name;
    return tab[k].known ? BX_OK : 1;
}

/* Sun direction in ECEF (unit vector), low-precision solar coordinates of the Astronomical
 * Almanac (~0.01 deg) rotated by GMST (precession, nutation, polar motion left out: < 0.5 deg,
 * irrelevant for a satellite attitude).  mjd: any time scale (seconds do not matter). */
static void sun_dir_ecef(double mjd, double u[3])
{
    const double d2r = M_PI / 180.0, n = mjd - 51544.5;
    const double L = 280.460 + 0.9856474 * n, g = (357.528 + 0.9856003 * n) * d2r;
    const double lam = (L + 1.915 * sin(g) + 0.020 * sin(2 * g)) * d2r, eps = (23.439 - 4e-7 * n) * d2r;
    const double x = cos(lam), y = cos(eps) * sin(lam), z = sin(eps) * sin(lam);
    const double th = fmod(280.46061837 + 360.98564736629 * n, 360.0) * d2r;
    u[0] = cos(th) * x + sin(th) * y;
    u[1] = -sin(th) * x + cos(th) * y;
    u[2] = z;
}

static void set_err(char *err, size_t n, const char *fmt, const char *a)
{
    if (err && n)
        snprintf(err, n, fmt, a);
}

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static void unit3(double v[3])
{
    double n = sqrt(dot3(v, v));
    for (int i = 0; i < 3; i++)
        v[i] /= n;
}

int bx_bds3_apc(int prn, bx_time_t t, const double com_m[3], double apc_m[3])
{
    double pco[3];
    const int st = bx_bds3_pco(prn, pco, NULL);
    for (int i = 0; i < 3; i++)
        apc_m[i] = com_m[i];
    if (st < 0)
        return st;
    double er[3] = {com_m[0], com_m[1], com_m[2]}, ez[3], sd[3], ey[3], ex[3];
    unit3(er);
    for (int i = 0; i < 3; i++)
        ez[i] = -er[i];
    sun_dir_ecef(bx_time_to_mjd(t), sd);
    for (int i = 0; i < 3; i++)
        sd[i] = sd[i] * 1.495978707e11 - com_m[i];
    cross3(ez, sd, ey);
    unit3(ey);
    cross3(ey, ez, ex);
    for (int i = 0; i < 3; i++)
        apc_m[i] += pco[0] * ex[i] + pco[1] * ey[i] + pco[2] * ez[i];
    return st;
}


typedef struct {
    int prn, geo, ep;      /* geo: IGSO/GEO weights; ep: epoch counter */
    int arc;               /* arc of the satellite (see ARC_GAP_S), numbered over all satellites */
    int iodn;              /* the ephemeris (B-CNAV1 IODC) both models use */
    double t_s;            /* evaluation time, s of BDT */
    double r[2], a[2], c[2], clk[2]; /* [0 broadcast, 1 +PPP-B2b]; clk: epoch datum removed */
    double raw[2];         /* clock error before any datum removal */
} sample_t;

/* A satellite's samples form one arc until it goes unevaluated (no usable correction) for
 * longer than this: the PPP-B2b service may restart a satellite's clock correction with
 * another constant after such a gap (C39 in the C59 stream of 2023-08-11: +3.9 m after a
 * 10-minute gap, on the same ephemeris), just as a PPP user restarts its ambiguity.  SP3
 * epochs are 300 s apart, so one missed SP3 epoch starts a new arc. */
#define ARC_GAP_S 330.0

typedef struct {
    sample_t *s;
    int n, cap;
} samples_t;

typedef struct {
    double s_r2, s_a2, s_c2, s_k2, s_e2, s_r, s_k, s_kd2, s_ed2;
    int n;
} acc_t;

/* kd: the clock error with the epoch datum and the arc's constant removed; ud: the
 * radial-clock range term wR R - c dt with the epoch datum and the arc's constant removed */
static void acc_add(acc_t *a, const sample_t *s, int m, double wr, double wac, double kd, double ud)
{
    const double r = s->r[m], al = s->a[m], cr = s->c[m], k = s->clk[m];
    const double h = wac * (al * al + cr * cr);
    a->s_r2 += r * r;
    a->s_a2 += al * al;
    a->s_c2 += cr * cr;
    a->s_k2 += k * k;
    a->s_kd2 += kd * kd;
    a->s_e2 += (wr * r - k) * (wr * r - k) + h;
    a->s_ed2 += ud * ud + h;
    a->s_r += r;
    a->s_k += k;
    a->n++;
}

static void acc_out(const acc_t *a, bx_b2b_eval_stat_t *s)
{
    memset(s, 0, sizeof *s);
    s->n = a->n;
    if (!a->n)
        return;
    s->radial_m = sqrt(a->s_r2 / a->n);
    s->along_m = sqrt(a->s_a2 / a->n);
    s->cross_m = sqrt(a->s_c2 / a->n);
    s->clock_m = sqrt(a->s_k2 / a->n);
    s->sisre_m = sqrt(a->s_e2 / a->n);
    s->clock_std_m = sqrt(a->s_kd2 / a->n);
    s->sisre_std_m = sqrt(a->s_ed2 / a->n);
    s->mean_radial_m = a->s_r / a->n;
    s->mean_clock_m = a->s_k / a->n;
}

/* one SP3 epoch: samples of every satellite, clock offset removed, accumulated */
/* ie >= 0: at SP3 epoch ie; ie < 0: at t, SP3 interpolated (orbit: Lagrange order 10,
 * clock: linear) */
static int eval_epoch(const bx_b2b_store_t *st, const bx_nav_t *nav, const bx_sp3_t *sp3, int ie,
                      bx_time_t t, const bx_b2b_eval_cfg_t *cfg, const double *dcb_b1i, samples_t *out,
                      bx_b2b_eval_result_t *res)
{
    if (ie >= 0)
        t = sp3->epoch[ie];
    const double alpha = F_B1I_HZ * F_B1I_HZ / (F_B1I_HZ * F_B1I_HZ - F_B3I_HZ * F_B3I_HZ);
    sample_t smp[BX_PRN_MAX + 1];
    int ns = 0;
    for (int prn = 19; prn <= BX_PRN_MAX; prn++) { /* BDS-3 */
        double xs[3], cs, pco[3];
        if ((ie >= 0 ? bx_sp3_at(sp3, prn, ie, xs, &cs) : bx_sp3_interp(sp3, prn, t, 10, xs, &cs)) != BX_OK ||
            isnan(cs))
            continue;
        const int pco_st = bx_bds3_pco(prn, pco, NULL);
        if (cfg->known_pco_only && pco_st != BX_OK)
            continue;
        bx_b2b_corr_t c;
        int r = bx_b2b_store_get(st, cfg->geo_prn, prn, t, &c);
        if (r != BX_OK) {
            if (r > 0 && r < 8)
                res->skipped[r]++;
            continue;
        }
        const bx_eph_t *e = bx_b2b_find_eph(nav, prn, c.iodn, t);
        if (!e) {
            res->skipped[BX_B2B_NO_EPH]++;
            continue;
        }
        if (isnan(dcb_b1i[prn])) {
            res->skipped[0]++;
            continue;
        }
        double pc[3], kc, pb[3], kb, v[3];
        if (bx_b2b_apply(e, &c, t, pc, &kc, pb, &kb) != BX_OK ||
            bx_satpos(e, t, NULL, v, NULL, NULL) != BX_OK)
            continue;
        /* truth frame: radial from the SP3 orbit, cross from r x v (broadcast velocity) */
        double er[3] = {xs[0], xs[1], xs[2]}, ec[3], ea[3];
        unit3(er);
        cross3(xs, v, ec);
        unit3(ec);
        cross3(ec, er, ea);
        double apc[3] = {xs[0], xs[1], xs[2]};
        if (cfg->apply_pco && pco_st >= 0) {
            /* body frame of the nominal yaw-steering attitude: z to the Earth's centre,
             * y = z x sun, x = y x z (IGS convention, x toward the Sun's side) */
            double ez[3] = {-er[0], -er[1], -er[2]}, sd[3], ey[3], ex[3];
            sun_dir_ecef(bx_time_to_mjd(t), sd);
            for (int i = 0; i < 3; i++) /* satellite -> Sun, the Sun at 1 AU */
                sd[i] = sd[i] * 1.495978707e11 - xs[i];
            cross3(ez, sd, ey);
            unit3(ey);
            cross3(ey, ez, ex);
            for (int i = 0; i < 3; i++)
                apc[i] += pco[0] * ex[i] + pco[1] * ey[i] + pco[2] * ez[i];
        }
        /* SP3 clocks leave out the periodic relativistic term that broadcast clocks include
         * (IGS convention; orbit.md §4 for the broadcast one): dt_rel = -2 r.v / c^2 */
        const double rel_m = -2.0 * dot3(xs, v) / BX_CLIGHT_MPS;
        /* Signal reference.  B-CNAV1 clocks, and so the PPP-B2b corrected ones, are B3I clocks
         * (orbit.md §4: a0..a2 refer to B3I; pppb2b.md §3 MT3: DCB(B3I) = 0 on air, §5).
         * CODE's SP3 clocks are IF(B1I,B3I) clocks (COD0MGXFIN OSB file header:
         * SATELLITE_CLOCK_REFERENCE_OBSERVABLES C C2I C6I, OSB C2I = C6I = 0, so the BIA
         * file has no B1I-B3I bias).  With code delays b_s (P_s = rho + c dt_r - c dt + b_s)
         * and the ICD's P_s - DCB(s) = rho + c dt_r - c dt_B3I: DCB(B1I) = b_1 - b_3,
         * c dt_B3I = c dt - b_3, c dt_IF = c dt - a b_1 - (1 - a) b_3, hence
         * c dt_B3I = c dt_IF + a DCB(B1I), a = f1^2 / (f1^2 - f3^2) = 2.944.  Checked on
         * doy2023-223: broadcast clock RMS 0.89 m with it, 11.7 m without, 23.2 m with the
         * opposite sign; the satellite constants that remain do not depend on a DCB(B1I)
         * (tests/test_b2b_eval.c test_doy223_clock_offsets, nav/README.md). */
        const double ck_true = cs * BX_CLIGHT_MPS + rel_m + alpha * dcb_b1i[prn];
        sample_t *s = &smp[ns++];
        s->prn = prn;
        s->ep = res->n_epochs;
        s->arc = 0;
        s->iodn = c.iodn;
        s->t_s = (double)t.sec + t.frac_s;
        s->geo = e->sat_type != BX_SAT_MEO;
        for (int m = 0; m < 2; m++) {
            const double *p = m ? pc : pb;
            double d[3] = {p[0] - apc[0], p[1] - apc[1], p[2] - apc[2]};
            s->r[m] = dot3(d, er);
            s->a[m] = dot3(d, ea);
            s->c[m] = dot3(d, ec);
            s->clk[m] = s->raw[m] = (m ? kc : kb) * BX_CLIGHT_MPS - ck_true;
        }
    }
    if (ns == 0)
        return 0;
    if (out->n + ns > out->cap) {
        int cap = out->cap ? 2 * out->cap : 1024;
        while (cap < out->n + ns)
            cap *= 2;
        sample_t *p = realloc(out->s, (size_t)cap * sizeof *p);
        if (!p)
            return BX_ERR_NOMEM;
        out->s = p;
        out->cap = cap;
    }
    for (int m = 0; m < 2; m++) { /* one common clock offset per epoch */
        double mean = 0;
        for (int k = 0; k < ns; k++)
            mean += smp[k].clk[m];
        mean /= ns;
        for (int k = 0; k < ns; k++)
            smp[k].clk[m] -= mean;
    }
    memcpy(out->s + out->n, smp, (size_t)ns * sizeof *smp);
    out->n += ns;
    return 1;
}

/* Splits a per-sample quantity v (q = 0: the clock error; q = 1: the range term
 * wR R - c dt of the SISRE) into one datum per epoch + one constant per arc + a rest, the
 * two sets of constants fitted jointly by least squares (alternating means, which converge
 * to it), so that a satellite entering or leaving does not leak its constant into the epoch
 * datum.  The rests go to out[i * 4 + 2 q + m] (m: 0 broadcast, 1 + PPP-B2b). */
static int fit_datum_arc(const sample_t *s, int n, int ne, int na, int q, const bx_b2b_eval_cfg_t *cfg, double *out)
{
    double *dep = calloc((size_t)ne * 2, sizeof *dep), *nep = calloc((size_t)ne, sizeof *nep);
    double *kb = calloc((size_t)na * 2, sizeof *kb), *kn = calloc((size_t)na, sizeof *kn);
    double *v = malloc(((size_t)n + 1) * 2 * sizeof *v);
    if (!dep || !nep || !kb || !kn || !v) {
        free(dep);
        free(nep);
        free(kb);
        free(kn);
        free(v);
        return BX_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        const double wr = s[i].geo ? cfg->w_r_geo : cfg->w_r_meo;
        for (int m = 0; m < 2; m++)
            v[i * 2 + m] = q ? wr * s[i].r[m] - s[i].raw[m] : s[i].raw[m];
        nep[s[i].ep] += 1.0;
        kn[s[i].arc] += 1.0;
    }
    for (int it = 0; it < 50; it++) {
        memset(dep, 0, (size_t)ne * 2 * sizeof *dep);
        for (int i = 0; i < n; i++)
            for (int m = 0; m < 2; m++)
                dep[s[i].ep * 2 + m] += (v[i * 2 + m] - kb[s[i].arc * 2 + m]) / nep[s[i].ep];
        memset(kb, 0, (size_t)na * 2 * sizeof *kb);
        for (int i = 0; i < n; i++)
            for (int m = 0; m < 2; m++)
                kb[s[i].arc * 2 + m] += (v[i * 2 + m] - dep[s[i].ep * 2 + m]) / kn[s[i].arc];
    }
    for (int i = 0; i < n; i++)
        for (int m = 0; m < 2; m++)
            out[i * 4 + 2 * q + m] = v[i * 2 + m] - dep[s[i].ep * 2 + m] - kb[s[i].arc * 2 + m];
    free(dep);
    free(nep);
    free(kb);
    free(kn);
    free(v);
    return BX_OK;
}

int bx_b2b_eval_run(const char *log_path, const bx_nav_t *nav, const bx_sp3_t *sp3,
                    const bx_b2b_eval_cfg_t *cfg_in, bx_b2b_eval_result_t *res, char *err, size_t errlen)
{
    if (!log_path || !nav || !sp3 || !res)
        return BX_ERR_ARG;
    bx_b2b_eval_cfg_t cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        bx_b2b_eval_cfg_default(&cfg);
    memset(res, 0, sizeof *res);
    FILE *f = fopen(log_path, "r");
    if (!f) {
        set_err(err, errlen, "cannot open %s", log_path);
        return BX_ERR_IO;
    }
    bx_b2b_store_t *st;
    int rc = bx_b2b_store_create(NULL, &st, err, errlen);
    if (rc != BX_OK) {
        fclose(f);
        return rc;
    }
    samples_t smp = {NULL, 0, 0};
    double dcb_b1i[BX_PRN_MAX + 1];
    for (int i = 0; i <= BX_PRN_MAX; i++)
        dcb_b1i[i] = NAN;
    char line[1024];
    int ie = 0, pending = 0, have_any = 0;
    bx_time_t t_next = {0, 0};
    bx_time_t t = {0, 0}, t_first = {0, 0};
    uint8_t bits[BX_B2B_BITS];
    int prn = 0;
    for (;;) {
        if (!pending) {
            if (!fgets(line, sizeof line, f))
                break;
            if (bx_b2b_log_parse(line, &t, &prn, bits) != BX_OK) {
                res->n_log_bad++;
                continue;
            }
            pending = 1;
            if (!have_any) {
                t_first = t;
                have_any = 1;
                while (ie < sp3->n_epoch && bx_time_cmp(sp3->epoch[ie], t_first) < 0)
                    ie++;
                if (cfg.step_s > 0.0) { /* first multiple of the step (in BDT) at or after t_first */
                    double k = ceil(((double)t_first.sec + t_first.frac_s) / cfg.step_s);
                    t_next = bx_time_make((int64_t)0, 0.0);
                    t_next = bx_time_add(t_next, k * cfg.step_s);
                }
            }
        }
        /* evaluate every SP3 epoch before this message's reception */
        if (cfg.step_s > 0.0 && bx_time_cmp(t_next, t) < 0) {
            int r = eval_epoch(st, nav, sp3, -1, t_next, &cfg, dcb_b1i, &smp, res);
            if (r < 0) {
                rc = r;
                break;
            }
            res->n_epochs += r;
            t_next = bx_time_add(t_next, cfg.step_s);
            continue;
        }
        if (cfg.step_s <= 0.0 && ie < sp3->n_epoch && bx_time_cmp(sp3->epoch[ie], t) < 0) {
            int r = eval_epoch(st, nav, sp3, ie, t, &cfg, dcb_b1i, &smp, res);
            if (r < 0) {
                rc = r;
                break;
            }
            res->n_epochs += r;
            ie++;
            continue;
        }
        pending = 0;
        bx_b2b_msg_t m;
        if (!bx_crc24q_check(bits, BX_B2B_BITS) || bx_b2b_parse(bits, &m) != BX_OK) {
            res->n_log_bad++;
            continue;
        }
        res->n_log_msgs++;
        if (cfg.geo_prn == 0 && m.type == 1 && prn >= BX_B2B_GEO_MIN && prn <= BX_B2B_GEO_MAX)
            cfg.geo_prn = prn; /* one GEO for the whole run: the first to send a mask */
        if (bx_b2b_store_add(st, prn, t, &m) == BX_B2B_ADD_OK && m.type == 3 &&
            (cfg.geo_prn == 0 || cfg.geo_prn == prn))
            for (int k = 0; k < m.u.mt3.n_sat; k++) {
                const bx_b2b_dcb_t *d = &m.u.mt3.sat[k];
                for (int j = 0; j < d->n; j++)
                    if (d->slot >= 1 && d->slot <= BX_PRN_MAX && d->code[j] == BX_B2B_SIG_B1I)
                        dcb_b1i[d->slot] = d->dcb_m[j];
            }
    }
    /* the last SP3 epoch at (or within 1 s after) the last message */
    if (rc == BX_OK && have_any && cfg.step_s <= 0.0 && ie < sp3->n_epoch && bx_time_diff(sp3->epoch[ie], t) <= 1.0) {
        int r = eval_epoch(st, nav, sp3, ie, t, &cfg, dcb_b1i, &smp, res);
        if (r < 0)
            rc = r;
        else
            res->n_epochs += r;
    }
    res->geo_prn = cfg.geo_prn;
    int bad_io = ferror(f);
    fclose(f);
    bx_b2b_store_destroy(st);
    /* arcs: a satellite's samples until a gap longer than ARC_GAP_S */
    int n_arcs = 0;
    {
        int last_arc[BX_PRN_MAX + 1], last_iodn[BX_PRN_MAX + 1];
        double last_t[BX_PRN_MAX + 1];
        for (int p = 0; p <= BX_PRN_MAX; p++)
            last_arc[p] = -1;
        for (int i = 0; i < smp.n; i++) {
            sample_t *x = &smp.s[i];
            if (last_arc[x->prn] < 0 || x->t_s - last_t[x->prn] > ARC_GAP_S ||
                (cfg.arc_on_iodn && x->iodn != last_iodn[x->prn]))
                last_arc[x->prn] = n_arcs++;
            x->arc = last_arc[x->prn];
            last_t[x->prn] = x->t_s;
            last_iodn[x->prn] = x->iodn;
        }
    }
    res->n_arcs = n_arcs;
    const int ne = res->n_epochs > 0 ? res->n_epochs : 1, na = n_arcs > 0 ? n_arcs : 1;
    int kn[BX_PRN_MAX + 1] = {0};
    for (int i = 0; i < smp.n; i++)
        kn[smp.s[i].prn]++;
    /* residuals [sample][0 clock, 1 range term][model] after the epoch datum and the arc
     * constants are removed (fit_datum_arc) */
    double *rk = malloc(((size_t)smp.n + 1) * 4 * sizeof *rk);
    if (!rk) {
        free(smp.s);
        return BX_ERR_NOMEM;
    }
    for (int q = 0; q < 2 && rc == BX_OK; q++)
        rc = fit_datum_arc(smp.s, smp.n, ne, na, q, &cfg, rk);
    acc_t acc[BX_PRN_MAX + 1][2];
    memset(acc, 0, sizeof acc);
    for (int i = 0; i < smp.n && rc == BX_OK; i++) {
        const sample_t *x = &smp.s[i];
        const double wr = x->geo ? cfg.w_r_geo : cfg.w_r_meo, wac = x->geo ? cfg.w_ac_geo : cfg.w_ac_meo;
        for (int m = 0; m < 2; m++) {
            const double kd = rk[i * 4 + m], ud = rk[i * 4 + 2 + m];
            acc_add(&acc[x->prn][m], x, m, wr, wac, kd, ud);
            acc_add(&acc[0][m], x, m, wr, wac, kd, ud);
        }
    }
    free(rk);
    for (int p = 0; p <= BX_PRN_MAX; p++)
        for (int m = 0; m < 2; m++)
            acc_out(&acc[p][m], p ? &res->sat[p][m] : &res->all[m]);
    for (int p = 1; p <= BX_PRN_MAX; p++)
        res->n_sats += kn[p] > 0;
    free(smp.s);
    if (rc != BX_OK)
        return rc;
    if (bad_io) {
        set_err(err, errlen, "read error on %s", log_path);
        return BX_ERR_IO;
    }
    if (!have_any) {
        set_err(err, errlen, "%s: no PPP-B2b log lines", log_path);
        return BX_ERR_FORMAT;
    }
    return BX_OK;
}
