/*
 * bdsrx-sim: the project's own B1C / B2a signal simulator.  Writes IQ
 * captures (any bdsrx format, with SigMF sidecars) of the project's synthetic
 * constellation for a static or moving receiver, with encoded B-CNAV1 /
 * B-CNAV2 navigation messages, and a truth file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/iq.h"
#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/simsig.h"
#include "bdsrx/simscen.h"
#include "bdsrx/sink.h"
#include "bdsrx/time.h"
#include "cli_opt.h"

#define BX_SIM_SLOTS 32

typedef struct {
    int sig;
    double fs_hz;
    bx_simsig_t *gen;
    bx_sink_t *sink;
    bx_cf32_t *buf;
    size_t nms;           /* samples per millisecond */
    int slot_prn[BX_SIM_SLOTS];
    bx_simnav_t *nav[BX_SIM_SLOTS];
} band_t;

/* data symbols for src/sim/simsig.c from the slot's B-CNAV1/B-CNAV2 stream */
static int symbol_of(void *user, int slot, int sig, int prn, bx_time_t t_sym, int64_t index)
{
    band_t *b = user;
    (void)sig, (void)prn, (void)index;
    return b->nav[slot] ? bx_simnav_symbol(b->nav[slot], t_sym) : 0;
}

static int slot_of(band_t *b, int prn)
{
    int free_slot = -1;
    for (int i = 0; i < BX_SIM_SLOTS; i++) {
        if (b->slot_prn[i] == prn)
            return i;
        if (b->slot_prn[i] == 0 && free_slot < 0)
            free_slot = i;
    }
    return free_slot;
}

static int fn_seed(const char *arg, void *value, char *err, size_t errlen)
{
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (end == arg || *end || arg[0] == '-') {
        snprintf(err, errlen, "'%s' is not a whole number >= 0", arg);
        return -1;
    }
    *(uint64_t *)value = v;
    return 0;
}

static int fn_cn0_el(const char *arg, void *value, char *err, size_t errlen)
{
    double *v = value, lo, hi;
    char tail;
    if (sscanf(arg, "%lf,%lf%c", &lo, &hi, &tail) != 2 || !(lo > 0 && lo < 80) || !(hi > 0 && hi < 80)) {
        snprintf(err, errlen, "'%s': give LO,HI in dB-Hz (0 .. 80), e.g. 30,45", arg);
        return -1;
    }
    v[0] = lo, v[1] = hi;
    return 0;
}

/* "E,N" pair of numbers */
static int fn_pair(const char *arg, void *value, char *err, size_t errlen)
{
    double *v = value, a, b;
    char tail;
    if (sscanf(arg, "%lf,%lf%c", &a, &b, &tail) != 2 || !(fabs(a) <= 1e3) || !(fabs(b) <= 1e3)) {
        snprintf(err, errlen, "'%s': give EAST,NORTH (|value| <= 1000)", arg);
        return -1;
    }
    v[0] = a, v[1] = b;
    return 0;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *nav_out = NULL, *motion = NULL;
    int use[2] = {1, 0}, format = BX_IQ_CI8, quiet = 0;
    double duration_s = 40, fs[2] = {4.0e6, 12.0e6}, cn0 = 45, iono_tecu = 0;
    uint64_t seed = 1;
    int tau_phase = 0, igso = 0;
    bx_simscen_config_t sc;
    bx_simscen_config_default(&sc);
    int y = 2023, mo = 3, d = 12, h = 4, mi = 5;
    double s = 34;
    const char *start = NULL;
    double pos[3] = {NAN, NAN, NAN}, atmo_ref[3] = {NAN, NAN, NAN};
    cli_signals_t sigs = {{0, 0}, 0};
    double cn0_el[2] = {0.0, 0.0};
    const cli_opt_t opts[] = {
        {"out", 0, CLI_STRING, &out, 0, 0, "PREFIX", "output files PREFIX_b1c.<fmt>, PREFIX_b2a.<fmt>, PREFIX.truth.json",
         NULL, 0, 0},
        {"signals", 0, CLI_FN, &sigs, 0, 0, "LIST", "B1C, B2a or B1C,B2a (default B1C)", cli_fn_signals, 0, 0},
        {"duration", 0, CLI_DOUBLE, &duration_s, 1e-3, 3600, "S", "seconds to generate (default 40)", NULL, 0, 0},
        {"fs-b1c", 0, CLI_HZ, &fs[0], 2e6, 1e9, "HZ", "B1C sample rate, whole kHz (default 4000000: 4.092 = 4 samples per chip makes the\ncorrelation a staircase, metres of pseudorange bias; see tools/README.md)", NULL, 0, 0},
        {"fs-b2a", 0, CLI_HZ, &fs[1], 2e6, 1e9, "HZ", "B2a sample rate, whole kHz (default 12000000; 20.46 or 10.23 Msps make the same staircase)", NULL, 0, 0},
        {"format", 0, CLI_FN, &format, 0, 0, "F", "ci8 ci16 cf32 ci2 (default ci8)", cli_fn_format, 0, 0},
        {"pos", 0, CLI_FN, pos, 0, 0, "LAT,LON,H", "start position, degrees and metres (default 30.5,114.3,50)",
         cli_fn_llh, 0, 0},
        {"start", 0, CLI_STRING, &start, 0, 0, "DATE", "BDT start 'YYYY-MM-DD HH:MM:SS' (default 2023-03-12 04:05:34)",
         NULL, 0, 0},
        {"cn0", 0, CLI_DOUBLE, &cn0, 1e-3, 79.999, "DBHZ", "C/N0 of every satellite (default 45)", NULL, 0, 0},
        {"cn0-el", 0, CLI_FN, cn0_el, 0, 0, "LO,HI",
         "C/N0 by elevation instead: LO at the horizon to HI at the zenith, LO + (HI - LO) sin(el)\n"
         "(a realistic sky: 30,45 gives 31 dB-Hz at 5 deg, 37.5 at 30 deg, 43 at 60 deg)",
         fn_cn0_el, 0, 0},
        {"motion", 0, CLI_STRING, &motion, 0, 0, "M", "static (default) or field: back-and-forth rows with U-turns",
         NULL, 0, 0},
        {"speed", 0, CLI_DOUBLE, &sc.speed_mps, 0, 100, "MPS", "field speed (default 3 m/s)", NULL, 0, 0},
        {"row-length", 0, CLI_DOUBLE, &sc.row_length_m, 1e-3, 1e6, "M", "field row length (default 200 m)", NULL, 0, 0},
        {"row-spacing", 0, CLI_DOUBLE, &sc.row_spacing_m, 1e-3, 1e6, "M",
         "field row spacing = U-turn diameter (default 12 m)", NULL, 0, 0},
        {"iono", 0, CLI_DOUBLE, &iono_tecu, 0, 300, "TECU",
         "add an ionosphere of TECU vertical TEC (BDGIM, (0,0) term) to the\n"
         "code delay that the broadcast model (coefficients 0) does not\n"
         "describe: single-frequency fixes carry it, B1C/B2a iono-free\n"
         "removes it (default 0: the broadcast model's delay only)", NULL, 0, 0},
        {"igso", 0, CLI_FLAG, &igso, 0, 0, NULL,
         "add the 3 IGSO satellites (PRN 38-40, ground track centred on 118 E): 11 satellites on\n"
         "average above 5 deg at 30.5 N 114.3 E (at least 9) instead of 8", NULL, 0, 0},
        {"iono-grad", 0, CLI_FN, sc.iono_grad_tecu_km, 0, 0, "E,N",
         "differential ionosphere: vertical TEC gradient east, north in TECU/km about --atmo-ref\n"
         "(0.02 TECU/km = 3.2 mm/km zenith delay on B1C); with --iono-phase the carrier leads", fn_pair, 0, 0},
        {"tropo-grad", 0, CLI_FN, sc.tropo_grad_mm_km, 0, 0, "E,N",
         "differential troposphere: zenith delay gradient east, north in mm/km about --atmo-ref", fn_pair, 0, 0},
        {"iono-resid", 0, CLI_DOUBLE, &sc.iono_resid_tecu, 0, 10, "TECU",
         "plus a smooth random vertical TEC field per satellite of this amplitude (30-60 km\n"
         "wavelength, 20-40 min period; the same for every run with the same --atmo-seed)", NULL, 0, 0},
        {"atmo-ref", 0, CLI_FN, atmo_ref, 0, 0, "LAT,LON,H",
         "reference point of the gradients (default 30.5,114.3,0); give the same to base and rover",
         cli_fn_llh, 0, 0},
        {"atmo-seed", 0, CLI_FN, &sc.atmo_seed, 0, 0, "N", "seed of the --iono-resid field (default 1)", fn_seed, 0,
         0},
        {"iono-phase", 0, CLI_FLAG, &sc.iono_carrier, 0, 0, NULL,
         "the carrier leads by the ionosphere as the code lags (default: code and carrier coherent)", NULL, 0, 0},
        {"elmask", 0, CLI_DOUBLE, &sc.elmask_deg, -90, 90, "DEG", "satellites below are not simulated (default 5)", NULL,
         0, 0},
        {"seed", 0, CLI_FN, &seed, 0, 0, "N", "noise seed (default 1)", fn_seed, 0, 0},
        {"tau-phase", 0, CLI_FLAG, &tau_phase, 0, 0, NULL,
         "start each carrier at the phase of its transmit time: two receivers' captures\n"
         "(same --start, other --pos / --seed) then have whole-cycle single differences,\n"
         "as RTK needs (default: carrier phase 0 at the first sample)", NULL, 0, 0},
        {"nav-out", 0, CLI_STRING, &nav_out, 0, 0, "FILE", "also write the constellation as a RINEX 4 navigation file",
         NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx-sim", "--out PREFIX [options]",
        "Simulates BDS-3 B1C and/or B2a signals of the project's synthetic constellation\n"
        "(24 MEO satellites) received at a given place and time, with B-CNAV1/B-CNAV2\n"
        "navigation messages.  Writes PREFIX_b1c.<fmt>, PREFIX_b2a.<fmt> (with .sigmf-meta\n"
        "sidecars) and PREFIX.truth.json (receiver and satellite truth every second).",
        opts, NULL, 0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!out)
        return cli_opt_usage_error(&cmd, "--out PREFIX is required (bdsrx-sim --help)");
    if (sigs.n) {
        use[0] = use[1] = 0;
        for (int k = 0; k < sigs.n; k++)
            use[sigs.sig[k] == BX_SIG_B2A] = 1;
    }
    if (format == BX_IQ_RI8 || format == BX_IQ_RI1)
        return cli_opt_usage_error(&cmd, "--format takes ci8, ci16, cf32 or ci2");
    if (!isnan(pos[0]))
        sc.llh0[0] = pos[0] * M_PI / 180, sc.llh0[1] = pos[1] * M_PI / 180, sc.llh0[2] = pos[2];
    if (!isnan(atmo_ref[0]))
        sc.atmo_ref_llh[0] = atmo_ref[0] * M_PI / 180, sc.atmo_ref_llh[1] = atmo_ref[1] * M_PI / 180,
        sc.atmo_ref_llh[2] = atmo_ref[2];
    if (start && sscanf(start, "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
        return cli_opt_usage_error(&cmd, "--start takes 'YYYY-MM-DD HH:MM:SS' (BDT)");
    if (motion) {
        if (!strcmp(motion, "static"))
            sc.traj = BX_TRAJ_STATIC;
        else if (!strcmp(motion, "field"))
            sc.traj = BX_TRAJ_FIELD;
        else
            return cli_opt_usage_error(&cmd, "--motion takes static or field");
    }
    if (!(sc.speed_mps >= 0 && sc.speed_mps <= 100) || !(sc.row_length_m > 0) || !(sc.row_spacing_m > 0) ||
        !(iono_tecu >= 0 && iono_tecu <= 300)) {
        fprintf(stderr, "bdsrx-sim: --speed must be 0..100 m/s, --row-length/--row-spacing > 0 m, "
                        "--iono 0..300 TECu\n");
        return 2;
    }
    if (!(duration_s > 0 && duration_s <= 3600) || !(cn0 > 0 && cn0 < 80)) {
        fprintf(stderr, "bdsrx-sim: --duration must be 0..3600 s and --cn0 0..80 dB-Hz\n");
        return 2;
    }
    for (int b = 0; b < 2; b++)
        if (use[b] && (fmod(fs[b], 1000.0) != 0 || fs[b] < 2e6)) {
            fprintf(stderr, "bdsrx-sim: sample rates must be whole kHz and >= 2 MHz\n");
            return 2;
        }
    sc.start = bx_time_from_civil(y, mo, d, h, mi, s);
    sc.cn0_horizon_dbhz = cn0_el[0];
    sc.cn0_zenith_dbhz = cn0_el[1];

    bx_nav_t nav;
    bx_nav_init(&nav);
    if (bx_simscen_constellation(&nav, sc.start) != BX_OK || (igso && bx_simscen_add_igso(&nav, sc.start) != BX_OK)) {
        fprintf(stderr, "bdsrx-sim: cannot build the constellation\n");
        return 1;
    }
    /* the true ionosphere: the broadcast one, plus --iono TECu that the
     * broadcast coefficients do not carry */
    bx_bdgim_t iono_truth = nav.iono;
    iono_truth.alpha_tecu[0] += iono_tecu;
    sc.iono = &iono_truth;
    if (nav_out) {
        FILE *f = fopen(nav_out, "w");
        if (!f || bx_rinex_nav_write(f, &nav) != BX_OK) {
            fprintf(stderr, "bdsrx-sim: cannot write %s\n", nav_out);
            return 1;
        }
        fclose(f);
    }

    band_t band[2];
    memset(band, 0, sizeof band);
    char path[1024], err[512];
    for (int b = 0; b < 2; b++) {
        if (!use[b])
            continue;
        band_t *bd = &band[b];
        bd->sig = b == 0 ? BX_SIG_B1C : BX_SIG_B2A;
        bd->fs_hz = fs[b];
        bd->nms = (size_t)(fs[b] / 1000.0);
        bx_simsig_config_t gc;
        bx_simsig_config_default(&gc, fs[b]);
        gc.noise_sigma = bx_simsig_default_sigma(format);
        gc.seed = seed + (uint64_t)b * 7919;
        gc.tau_phase = tau_phase;
        gc.max_sats = BX_SIM_SLOTS;
        gc.symbol = symbol_of;
        gc.user = bd;
        bx_simsig_create(&gc, &bd->gen, NULL, 0);
        bd->buf = malloc(bd->nms * sizeof *bd->buf);
        snprintf(path, sizeof path, "%s_%s.%s", out, b == 0 ? "b1c" : "b2a", bx_iq_format_name(format));
        bx_sink_meta_t m;
        bx_sink_meta_init(&m);
        m.format = format;
        m.fs_hz = fs[b];
        m.fc_hz = b == 0 ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
        m.if_hz = 0.0;
        m.recorder = "bdsrx-sim";
        m.description = "bdsrx-sim synthetic BDS-3 capture";
        /* SigMF core:datetime = UTC of the first sample (Unix seconds; bdsrx time 0 = 2006-01-01 =
         * Unix 1136073600): what a recorder stamps, the receiver's warm-start time hint */
        {
            const bx_time_t utc = bx_time_bdt_to_utc(sc.start, bx_time_leap_bdt_utc_s(sc.start));
            m.start_time_s = (double)(utc.sec + 1136073600) + utc.frac_s;
        }
        if (!bd->gen || !bd->buf || bx_sink_create(path, &m, 1, &bd->sink, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx-sim: %s\n", bd->gen && bd->buf ? err : "out of memory");
            return 1;
        }
    }
    snprintf(path, sizeof path, "%s.truth.json", out);
    FILE *truth = fopen(path, "w");
    if (!truth) {
        fprintf(stderr, "bdsrx-sim: cannot write %s\n", path);
        return 1;
    }
    /* the generator's noise level suits the format (bx_simsig_default_sigma) */
    const float scale = 1.0f;

    long nms_total = (long)llround(duration_s * 1000.0);
    int show = !quiet && isatty(2);
    fprintf(truth, "{\"generator\":\"bdsrx-sim\",\"start_bdt\":\"");
    {
        char tb[64];
        bx_time_str(sc.start, tb, sizeof tb);
        fprintf(truth, "%s\",\"motion\":\"%s\",\"speed_mps\":%.3f,\"row_length_m\":%.3f,\"row_spacing_m\":%.3f,"
                       "\"iono_tecu\":%.2f,\"cn0_dbhz\":%.1f,\"epochs\":[\n",
                tb, sc.traj == BX_TRAJ_FIELD ? "field" : "static", sc.traj == BX_TRAJ_FIELD ? sc.speed_mps : 0.0,
                sc.row_length_m, sc.row_spacing_m, iono_tecu, cn0);
    }
    int first_epoch = 1;
    for (long ms = 0; ms < nms_total; ms++) {
        double t_rel = ms * 1e-3;
        bx_time_t t_rx = bx_time_add(sc.start, t_rel), t_rx1 = bx_time_add(t_rx, 1e-3);
        double pos[3], vel[3], pos1[3], vel1[3];
        bx_simscen_position(&sc, t_rel, pos, vel);
        bx_simscen_position(&sc, t_rel + 1e-3, pos1, vel1);
        int truth_now = ms % 1000 == 0;
        if (truth_now) {
            double llh[3];
            bx_ecef_to_llh(pos, llh);
            fprintf(truth, "%s{\"t_s\":%.3f,\"ecef_m\":[%.4f,%.4f,%.4f],\"llh\":[%.9f,%.9f,%.4f],"
                           "\"vel_mps\":[%.4f,%.4f,%.4f],\"sats\":[",
                    first_epoch ? "" : ",\n", t_rel, pos[0], pos[1], pos[2], llh[0] * 180 / M_PI,
                    llh[1] * 180 / M_PI, llh[2], vel[0], vel[1], vel[2]);
            first_epoch = 0;
        }
        int first_sat = 1;
        for (int k = 0; k < nav.n_eph; k++) {
            const bx_eph_t *e = &nav.eph[k];
            for (int b = 0; b < 2; b++) {
                if (!use[b])
                    continue;
                band_t *bd = &band[b];
                bx_simgeom_t g0, g1;
                if (bx_simscen_geometry(&sc, e, bd->sig, pos, t_rx, &g0) != BX_OK ||
                    bx_simscen_geometry(&sc, e, bd->sig, pos1, t_rx1, &g1) != BX_OK)
                    continue;
                int slot = slot_of(bd, e->prn);
                int visible = g0.el_rad * 180 / M_PI >= sc.elmask_deg;
                if (slot < 0)
                    continue;
                if (!visible) {
                    if (bd->slot_prn[slot] == e->prn) {
                        bx_simsig_remove_sat(bd->gen, slot);
                        bx_simnav_destroy(bd->nav[slot]);
                        bd->nav[slot] = NULL;
                        bd->slot_prn[slot] = 0;
                    }
                    continue;
                }
                if (bd->slot_prn[slot] != e->prn) {
                    bd->slot_prn[slot] = e->prn;
                    bx_simnav_create(&nav, e->prn, bd->sig, &bd->nav[slot], NULL, 0);
                }
                double rate = bx_time_diff(g1.t_sv, g0.t_sv) / 1e-3; /* d t_sv / dt */
                const double cn0_sat = bx_simscen_cn0_dbhz(&sc, g0.el_rad, cn0);
                bx_simsig_sat_t ss = {bd->sig, e->prn, g0.t_sv, rate, 0.0, cn0_sat, g0.carrier_adv_cyc};
                bx_simsig_set_sat(bd->gen, slot, &ss);
                if (truth_now) {
                    const double fc = bd->sig == BX_SIG_B1C ? BX_FREQ_B1C_HZ : BX_FREQ_B2A_HZ;
                    fprintf(truth, "%s{\"prn\":%d,\"signal\":\"%s\",\"el_deg\":%.3f,\"az_deg\":%.3f,"
                                   "\"pseudorange_m\":%.4f,\"range_m\":%.4f,\"tropo_m\":%.4f,\"iono_m\":%.4f,\"doppler_hz\":%.4f,"
                                   "\"cn0_dbhz\":%.2f,\"sat_ecef_m\":[%.3f,%.3f,%.3f]}",
                            first_sat ? "" : ",", e->prn, bd->sig == BX_SIG_B1C ? "B1C" : "B2a",
                            g0.el_rad * 180 / M_PI, g0.az_rad * 180 / M_PI, g0.pseudorange_m, g0.range_m,
                            g0.tropo_m, g0.iono_m, fc * (rate - 1.0), cn0_sat, g0.sat_pos_m[0], g0.sat_pos_m[1], g0.sat_pos_m[2]);
                    first_sat = 0;
                }
            }
        }
        if (truth_now)
            fprintf(truth, "]}");
        for (int b = 0; b < 2; b++) {
            if (!use[b])
                continue;
            band_t *bd = &band[b];
            bx_simsig_generate(bd->gen, bd->buf, bd->nms);
            if (bx_sink_write_cf32(bd->sink, bd->buf, bd->nms, scale) != BX_OK) {
                fprintf(stderr, "bdsrx-sim: write error\n");
                return 1;
            }
        }
        if (show && ms % 500 == 0)
            fprintf(stderr, "\rbdsrx-sim: %.1f / %.1f s", t_rel, duration_s);
    }
    if (show)
        fprintf(stderr, "\rbdsrx-sim: %.1f / %.1f s\n", duration_s, duration_s);
    fprintf(truth, "\n]}\n");
    fclose(truth);
    int ret = 0;
    for (int b = 0; b < 2; b++) {
        if (!use[b])
            continue;
        int fin = bx_sink_finish(band[b].sink, err, sizeof err);
        bx_sink_destroy(band[b].sink);
        if (fin != BX_OK) {
            fprintf(stderr, "bdsrx-sim: %s\n", err);
            ret = 1;
        }
        for (int i = 0; i < BX_SIM_SLOTS; i++)
            bx_simnav_destroy(band[b].nav[i]);
        bx_simsig_destroy(band[b].gen);
        free(band[b].buf);
    }
    bx_nav_destroy(&nav);
    return ret;
}
