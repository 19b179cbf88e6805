/* bdsrx — PPP-B2b message logs as distributed with cssrlib-data (shared/testdata/real/
 * cssrlib_pppb2b/README.txt): one line per message,
 *   GPS_week  GPS_TOW[s]  PRN  src_type  nbytes  HEX
 * HEX = the 486-bit information block (MesType .. CRC), zero padded to nbytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/bits.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"

int bx_b2b_log_parse(const char *line, bx_time_t *t_rx, int *prn, uint8_t bits[BX_B2B_BITS])
{
    if (!line || !bits)
        return BX_ERR_ARG;
    int week, p, src, nbytes, off = 0;
    double tow;
    if (sscanf(line, "%d %lf %d %d %d %n", &week, &tow, &p, &src, &nbytes, &off) != 5 || off <= 0)
        return BX_ERR_FORMAT;
    if (week < 0 || week > 100000 || !(tow >= 0.0 && tow < 604800.0) || p < 1 || p > BX_PRN_MAX ||
        nbytes * 8 < BX_B2B_BITS || nbytes > 1024)
        return BX_ERR_FORMAT;
    const char *h = line + off;
    size_t nh = strspn(h, "0123456789abcdefABCDEF");
    if (nh < (size_t)(BX_B2B_BITS + 3) / 4)
        return BX_ERR_FORMAT;
    /* only the first 486 bits are needed: decode the leading hex digits (no allocation) */
    char hex[(BX_B2B_BITS + 3) / 4 + 1];
    memcpy(hex, h, sizeof hex - 1);
    hex[sizeof hex - 1] = '\0';
    uint8_t tmp[((BX_B2B_BITS + 3) / 4) * 4];
    if (bx_bits_from_hex(hex, tmp, (int)sizeof tmp) < BX_B2B_BITS)
        return BX_ERR_FORMAT;
    memcpy(bits, tmp, BX_B2B_BITS);
    if (t_rx) /* receive time GPST -> BDT (BDT = GPST - 14 s) */
        *t_rx = bx_time_gpst_to_bdt(bx_time_from_gps_week_tow(week, tow));
    if (prn)
        *prn = p;
    return BX_OK;
}
