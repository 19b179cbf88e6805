/* Parameter blocks shared by B-CNAV1 SF2/SF3, B-CNAV2 and B-CNAV3 messages:
 * field widths, signs and scale factors of navmsg.md Tables N2-N4 and N9-N15
 * (orbit.md §2).  One function per block serves both parse and pack (bits.h). */
#include "navblocks.h"

#include <math.h>

#define P2(n) ldexp(1.0, (n))
#define SC(n) ldexp(BX_SC2RAD, (n)) /* 2^n semicircles in rad */

/* Table N2 */
void bx_blk_eph1(bx_bitio_t *io, bx_ephblk1_t *b)
{
    bx_blk_time(io, 11, 300.0, &b->toe_s);
    bx_bitio_uint(io, 2, &b->sat_type);
    bx_bitio_sf(io, 26, P2(-9), &b->dA_m);
    bx_bitio_sf(io, 25, P2(-21), &b->Adot_mps);
    bx_bitio_sf(io, 17, SC(-44), &b->dn0_rad_s);
    bx_bitio_sf(io, 23, SC(-57), &b->dn0dot_rad_s2);
    bx_bitio_sf(io, 33, SC(-32), &b->M0_rad);
    bx_bitio_uf(io, 33, P2(-34), &b->e);
    bx_bitio_sf(io, 33, SC(-32), &b->omega_rad);
}

/* Table N3 */
void bx_blk_eph2(bx_bitio_t *io, bx_ephblk2_t *b)
{
    bx_bitio_sf(io, 33, SC(-32), &b->Omega0_rad);
    bx_bitio_sf(io, 33, SC(-32), &b->i0_rad);
    bx_bitio_sf(io, 19, SC(-44), &b->Omegadot_rad_s);
    bx_bitio_sf(io, 15, SC(-44), &b->idot_rad_s);
    bx_bitio_sf(io, 16, P2(-30), &b->cis_rad);
    bx_bitio_sf(io, 16, P2(-30), &b->cic_rad);
    bx_bitio_sf(io, 24, P2(-8), &b->crs_m);
    bx_bitio_sf(io, 24, P2(-8), &b->crc_m);
    bx_bitio_sf(io, 21, P2(-30), &b->cus_rad);
    bx_bitio_sf(io, 21, P2(-30), &b->cuc_rad);
}

/* Table N4 */
void bx_blk_clk(bx_bitio_t *io, bx_clkblk_t *b)
{
    bx_blk_time(io, 11, 300.0, &b->toc_s);
    bx_bitio_sf(io, 25, P2(-34), &b->a0_s);
    bx_bitio_sf(io, 22, P2(-50), &b->a1_s_s);
    bx_bitio_sf(io, 11, P2(-66), &b->a2_s_s2);
}

/* Table N9 (t_op scale 300 s [S]) */
void bx_blk_sisai_oc(bx_bitio_t *io, bx_sisai_oc_t *b)
{
    bx_blk_time(io, 11, 300.0, &b->top_s);
    bx_bitio_uint(io, 5, &b->sisai_ocb);
    bx_bitio_uint(io, 3, &b->sisai_oc1);
    bx_bitio_uint(io, 3, &b->sisai_oc2);
}

/* Table N10: alpha1 u10, alpha2 s8, alpha3/4 u8, alpha5 u8 with NEGATIVE scale -2^-3,
 * alpha6..9 s8; all 2^-3 TECu. */
void bx_blk_bdgim(bx_bitio_t *io, bx_bdgim_t *b)
{
    const double s = 0.125;
    bx_bitio_uf(io, 10, s, &b->alpha_tecu[0]);
    bx_bitio_sf(io, 8, s, &b->alpha_tecu[1]);
    bx_bitio_uf(io, 8, s, &b->alpha_tecu[2]);
    bx_bitio_uf(io, 8, s, &b->alpha_tecu[3]);
    bx_bitio_uf(io, 8, -s, &b->alpha_tecu[4]);
    for (int k = 5; k < 9; k++)
        bx_bitio_sf(io, 8, s, &b->alpha_tecu[k]);
    if (!io->write)
        b->valid = 1;
}

void bx_blk_uint_scaled(bx_bitio_t *io, int len, int scale, int *v)
{
    int raw = 0;
    if (io->write) {
        if (*v % scale != 0)
            io->err = BX_ERR_ARG;
        raw = *v / scale;
    }
    bx_bitio_uint(io, len, &raw);
    if (!io->write)
        *v = raw * scale;
}

/* Table N11 */
void bx_blk_utc(bx_bitio_t *io, bx_utc_t *b)
{
    bx_bitio_sf(io, 16, P2(-35), &b->a0_utc_s);
    bx_bitio_sf(io, 13, P2(-51), &b->a1_utc_s_s);
    bx_bitio_sf(io, 7, P2(-68), &b->a2_utc_s_s2);
    bx_bitio_sint(io, 8, &b->dt_ls_s);
    bx_blk_uint_scaled(io, 16, 16, &b->t_ot_s);
    bx_bitio_uint(io, 13, &b->wn_ot);
    bx_bitio_uint(io, 13, &b->wn_lsf);
    bx_bitio_uint(io, 3, &b->dn);
    bx_bitio_sint(io, 8, &b->dt_lsf_s);
    if (!io->write)
        b->valid = 1;
}

/* Table N12 */
void bx_blk_eop(bx_bitio_t *io, bx_eop_t *b)
{
    bx_blk_time(io, 16, 16.0, &b->t_eop_s);
    bx_bitio_sf(io, 21, P2(-20), &b->pm_x_as);
    bx_bitio_sf(io, 15, P2(-21), &b->pm_x_dot_as_d);
    bx_bitio_sf(io, 21, P2(-20), &b->pm_y_as);
    bx_bitio_sf(io, 15, P2(-21), &b->pm_y_dot_as_d);
    bx_bitio_sf(io, 31, P2(-24), &b->dut1_s);
    bx_bitio_sf(io, 19, P2(-25), &b->dut1_dot_s_d);
}

/* Table N13 */
void bx_blk_alm_reduced(bx_bitio_t *io, bx_alm_reduced_t *b)
{
    bx_bitio_uint(io, 6, &b->prn);
    bx_bitio_uint(io, 2, &b->sat_type);
    bx_bitio_sf(io, 8, P2(9), &b->dA_m);
    bx_bitio_sf(io, 7, SC(-6), &b->Omega0_rad);
    bx_bitio_sf(io, 7, SC(-6), &b->Phi0_rad);
    bx_bitio_uint(io, 8, &b->health);
}

/* Table N14 */
void bx_blk_bgto(bx_bitio_t *io, bx_bgto_t *b)
{
    bx_bitio_uint(io, 3, &b->gnss_id);
    bx_bitio_uint(io, 13, &b->wn0);
    bx_blk_time(io, 16, 16.0, &b->t0_s);
    bx_bitio_sf(io, 16, P2(-35), &b->a0_s);
    bx_bitio_sf(io, 13, P2(-51), &b->a1_s_s);
    bx_bitio_sf(io, 7, P2(-68), &b->a2_s_s2);
}

/* Table N15 */
void bx_blk_alm_midi(bx_bitio_t *io, bx_alm_midi_t *b)
{
    bx_bitio_uint(io, 6, &b->prn);
    bx_bitio_uint(io, 2, &b->sat_type);
    bx_bitio_uint(io, 13, &b->wn);
    bx_blk_time(io, 8, 4096.0, &b->toa_s);
    bx_bitio_uf(io, 11, P2(-16), &b->e);
    bx_bitio_sf(io, 11, SC(-14), &b->di_rad);
    bx_bitio_uf(io, 17, P2(-4), &b->sqrtA_sqrtm);
    bx_bitio_sf(io, 16, SC(-15), &b->Omega0_rad);
    bx_bitio_sf(io, 11, SC(-33), &b->Omegadot_rad_s);
    bx_bitio_sf(io, 16, SC(-15), &b->omega_rad);
    bx_bitio_sf(io, 16, SC(-15), &b->M0_rad);
    bx_bitio_sf(io, 11, P2(-20), &b->af0_s);
    bx_bitio_sf(io, 10, P2(-37), &b->af1_s_s);
    bx_bitio_uint(io, 8, &b->health);
}
