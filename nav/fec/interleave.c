/* B-CNAV1 block interleaver of subframes 2 and 3 (shared/icd/navmsg.md §2.3, ICD B1C §6.2.3):
 * 36 rows x 48 columns, written by rows, read by columns.  Rows (0-based) 3i, 3i+1 hold
 * SF2 codeword symbols [96i, 96i+48) and [96i+48, 96i+96), row 3i+2 holds SF3 symbols
 * [48i, 48i+48) for i = 0..10; rows 33, 34, 35 hold SF2 symbols 1056..1199.
 * Transmitted symbol t (0-based after the 72 SF1 symbols) = row r + 36 * column c. */
#include "bdsrx/fec.h"

#define ROWS 36
#define COLS 48

/* Where row r of the matrix comes from: sf = 2 or 3, and the first symbol index. */
static void row_source(int r, int *sf, int *first)
{
    if (r < 33) {
        int i = r / 3, j = r % 3;
        *sf = j == 2 ? 3 : 2;
        *first = j == 2 ? 48 * i : 96 * i + 48 * j;
    } else {
        *sf = 2;
        *first = 1056 + 48 * (r - 33);
    }
}

void bx_cnav1_interleave(const uint8_t sf2cw[BX_CNAV1_SF2_CW], const uint8_t sf3cw[BX_CNAV1_SF3_CW],
                         uint8_t out[BX_CNAV1_ILV])
{
    for (int r = 0; r < ROWS; r++) {
        int sf, first;
        row_source(r, &sf, &first);
        const uint8_t *src = (sf == 2 ? sf2cw : sf3cw) + first;
        for (int c = 0; c < COLS; c++)
            out[r + ROWS * c] = src[c];
    }
}

void bx_cnav1_deinterleave(const float in[BX_CNAV1_ILV], float sf2cw[BX_CNAV1_SF2_CW],
                           float sf3cw[BX_CNAV1_SF3_CW])
{
    for (int r = 0; r < ROWS; r++) {
        int sf, first;
        row_source(r, &sf, &first);
        float *dst = (sf == 2 ? sf2cw : sf3cw) + first;
        for (int c = 0; c < COLS; c++)
            dst[c] = in[r + ROWS * c];
    }
}
