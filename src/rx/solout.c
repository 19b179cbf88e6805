/* Per-epoch output of the receiver commands (src/rx/solout.h). */
#include <math.h>
#include <string.h>

#include "bdsrx/geodesy.h"
#include "bdsrx/output.h"
#include "bdsrx/rtcm3.h"
#include "solout.h"

void solout_init(solout_t *o) { memset(o, 0, sizeof *o); }

static void send_nmea(const solout_t *o, const bx_sol_t *sol)
{
    char buf[100 * (BX_SOL_MAXSAT / 4 + 8)];
    size_t len = 0;
    int k;
    if ((k = bx_nmea_gga(sol, "GB", buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if ((k = bx_nmea_rmc(sol, "GB", buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if ((k = bx_nmea_gsa(sol, "GB", buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    if ((k = bx_nmea_gsv(sol, buf + len, sizeof buf - len)) > 0)
        len += (size_t)k;
    o->nmea(o->nmea_user, buf, len);
}

int solout_epoch(solout_t *o, bx_rx_t *rx, const bx_obs_t *obs)
{
    o->nepoch++;
    /* until a decoded time of week sets the time scale, epoch times only count
     * seconds of samples: nothing time-tagged is written from them */
    if (!bx_rx_have_time(rx))
        return 0;
    if (o->rnx && obs->n > 0) {
        if (!o->rnx_started) {
            if (o->rnx_hdr.n_types == 0) {
                int sigs[BX_RX_MAX_STREAMS];
                int ns = bx_rx_signals(rx, sigs, BX_RX_MAX_STREAMS);
                bx_rinex_obs_header_for_signals(&o->rnx_hdr, sigs, ns);
            }
            bx_rinex_obs_write_header_pos(o->rnx, &o->rnx_hdr, obs->time, &o->rnx_pos_at);
            o->rnx_started = 1;
        }
        bx_rinex_obs_write_epoch(o->rnx, &o->rnx_hdr, obs);
    }
    if (o->rtcm && obs->n > 0) {
        uint8_t buf[8192];
        int n = 0;
        if (o->nfix > 0) { /* 1005: the mean of the fixes so far (a base is static) */
            uint8_t pl[32];
            double mean[3];
            for (int i = 0; i < 3; i++)
                mean[i] = o->sum_pos[i] / o->nfix;
            int len = bx_rtcm3_encode_station(o->rtcm_station, mean, -1.0, pl, sizeof pl);
            if (len > 0)
                n = bx_rtcm3_frame(pl, (size_t)len, buf, sizeof buf);
        }
        int m = bx_rtcm3_encode_epoch_bds(obs, o->rtcm_station, buf + (n > 0 ? n : 0), sizeof buf - (size_t)(n > 0 ? n : 0));
        if (n < 0)
            n = 0;
        if (m > 0)
            n += m;
        if (n > 0) {
            fwrite(buf, 1, (size_t)n, o->rtcm);
            if (o->flush)
                fflush(o->rtcm);
        }
    }
    bx_sol_t sol;
    int st = bx_pvt_solve(o->pvt, obs, bx_rx_nav(rx), &sol);
    o->last = sol;
    o->have_last = 1;
    if (o->json) {
        bx_sol_json_write(o->json, &sol);
        if (o->flush)
            fflush(o->json);
    }
    if (st != BX_OK || sol.fix == BX_FIX_NONE)
        return 0;
    if (o->nmea)
        send_nmea(o, &sol);
    if (o->nfix == 0) {
        o->ttff_s = bx_rx_elapsed_s(rx);
        memcpy(o->first_pos, sol.pos_m, sizeof o->first_pos);
        /* RINEX header: the approximate position of the first fix (best effort: a
         * pipe keeps the zeros) */
        if (o->rnx && o->rnx_started && o->rnx_pos_at >= 0)
            bx_rinex_obs_set_position(o->rnx, o->rnx_pos_at, sol.pos_m);
    }
    o->nfix++;
    bx_rx_set_position(rx, sol.pos_m);
    /* keep the receiver clock near BDT so that time tags are meaningful */
    if (fabs(sol.clk_bias_m) > 300.0)
        bx_rx_steer_clock(rx, sol.clk_bias_m / BX_CLIGHT_MPS);
    double d[3], enu[3], llh0[3];
    bx_ecef_to_llh(o->first_pos, llh0);
    for (int i = 0; i < 3; i++) {
        o->sum_pos[i] += sol.pos_m[i];
        d[i] = sol.pos_m[i] - o->first_pos[i];
    }
    bx_ecef_to_enu(llh0, d, enu);
    for (int i = 0; i < 3; i++) {
        o->enu_sum[i] += enu[i];
        o->enu_sq[i] += enu[i] * enu[i];
    }
    if (o->have_ref) {
        double ref[3], e2 = 0;
        bx_llh_to_ecef(o->ref_llh, ref);
        for (int i = 0; i < 3; i++)
            e2 += (sol.pos_m[i] - ref[i]) * (sol.pos_m[i] - ref[i]);
        o->err3d_sq_sum += e2;
    }
    return 1;
}

void solout_summary(const solout_t *o, FILE *f)
{
    if (o->nfix == 0)
        return;
    double mean[3], llh[3], sd[3];
    for (int i = 0; i < 3; i++) {
        mean[i] = o->sum_pos[i] / o->nfix;
        const double m = o->enu_sum[i] / o->nfix;
        sd[i] = sqrt(fmax(0.0, o->enu_sq[i] / o->nfix - m * m));
    }
    bx_ecef_to_llh(mean, llh);
    fprintf(f, "time to first fix: %.1f s; %d fixes in %d epochs\n", o->ttff_s, o->nfix, o->nepoch);
    fprintf(f, "mean position: lat %.7f lon %.7f h %.2f m (ECEF %.2f %.2f %.2f)\n", llh[0] * 180 / M_PI,
            llh[1] * 180 / M_PI, llh[2], mean[0], mean[1], mean[2]);
    fprintf(f, "spread (1 sigma): east %.2f north %.2f up %.2f m\n", sd[0], sd[1], sd[2]);
    if (o->have_ref) {
        double ref[3], d[3], enu[3];
        bx_llh_to_ecef(o->ref_llh, ref);
        for (int i = 0; i < 3; i++)
            d[i] = mean[i] - ref[i];
        bx_ecef_to_enu(o->ref_llh, d, enu);
        fprintf(f, "error of the mean vs reference: east %.2f north %.2f up %.2f m (3D %.2f m); "
                   "RMS 3D error per fix %.2f m\n",
                enu[0], enu[1], enu[2], sqrt(enu[0] * enu[0] + enu[1] * enu[1] + enu[2] * enu[2]),
                sqrt(o->err3d_sq_sum / o->nfix));
    }
}
