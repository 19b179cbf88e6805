/* Internal: generated LDPC tables (nav/fec/ldpc_tables.c, tools/gen_ldpc_tables.py). */
#ifndef BDSRX_LDPC_TABLES_H
#define BDSRX_LDPC_TABLES_H

#include <stdint.h>

#define BX_LDPC_NCODES 4

typedef struct {
    int n, k;                  /* code length / information length in GF(64) symbols */
    const uint8_t (*col)[4];   /* [k][4] 0-based columns of the 4 non-zero entries of each H row */
    const uint8_t (*ele)[4];   /* [k][4] the GF(64) elements (vector form) */
    const uint8_t *p;          /* [k*k] encoder: parity_i = sum_j p[i*k+j] * info_j */
} bx_ldpc_table_t;

/* Index order = bx_ldpc_code_t (fec.h): 200/100, 88/44, 96/48, 162/81. */
extern const bx_ldpc_table_t bx_ldpc_tables[BX_LDPC_NCODES];

#endif
