/*
 * Ranging-code dispatch: lengths, names, chip rates and the fixed B2a data
 * secondary code.  Generators: dsp/code_weil.c (Weil), dsp/code_gold.c (Gold).
 */
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "bdsrx/code.h"
#include "code_impl.h"

typedef struct {
    const char *name;
    int length_chips;
    double rate_chips_s;
} code_info_t;

/* Lengths and chip rates: ICD B1C §5.2 (10230 chips / 10 ms, secondary 1800 x 10 ms),
 * ICD B2a §5.2 (10230 chips / 1 ms, pilot secondary 100 x 1 ms, data secondary 5 x 1 ms);
 * signals.md §1. Indexed by bx_code_id_t. */
static const code_info_t code_info[BX_CODE_COUNT] = {
    [BX_CODE_B1CD] = {"B1CD", 10230, 1.023e6},
    [BX_CODE_B1CP] = {"B1CP", 10230, 1.023e6},
    [BX_CODE_B1CS] = {"B1CS", 1800, 100.0},
    [BX_CODE_B2AD] = {"B2AD", 10230, 10.23e6},
    [BX_CODE_B2AP] = {"B2AP", 10230, 10.23e6},
    [BX_CODE_B2AS] = {"B2AS", 100, 1000.0},
    [BX_CODE_B2ADS] = {"B2ADS", 5, 1000.0},
    [BX_CODE_B2BI] = {"B2BI", 10230, 10.23e6}, /* ICD B2b §3: 10230 chips / 1 ms */
};

/* B2a data secondary code 00010, the same for all PRNs (ICD B2a §5.2; signals.md §1). */
static const uint8_t b2a_data_secondary[5] = {0, 0, 0, 1, 0};

static int valid_id(bx_code_id_t id)
{
    return (int)id >= 0 && id < BX_CODE_COUNT;
}

int bx_code_length(bx_code_id_t id)
{
    return valid_id(id) ? code_info[id].length_chips : BX_ERR_ARG;
}

const char *bx_code_name(bx_code_id_t id)
{
    return valid_id(id) ? code_info[id].name : "?";
}

double bx_code_rate_chips_s(bx_code_id_t id)
{
    return valid_id(id) ? code_info[id].rate_chips_s : 0.0;
}

int bx_code_from_name(const char *name, bx_code_id_t *id)
{
    if (!name || !id)
        return BX_ERR_ARG;
    for (int i = 0; i < BX_CODE_COUNT; i++)
        if (strcasecmp(name, code_info[i].name) == 0) {
            *id = (bx_code_id_t)i;
            return BX_OK;
        }
    return BX_ERR_ARG;
}

int bx_code_gen(bx_code_id_t id, int prn, int8_t *chips, int n)
{
    if (!valid_id(id) || prn < 1 || prn > BX_PRN_MAX || !chips || n < code_info[id].length_chips)
        return BX_ERR_ARG;
    switch (id) {
    case BX_CODE_B1CD:
    case BX_CODE_B1CP:
    case BX_CODE_B1CS:
    case BX_CODE_B2AS:
        return bx_code_weil_prn(id, prn, chips);
    case BX_CODE_B2AD:
    case BX_CODE_B2AP:
    case BX_CODE_B2BI:
        return bx_code_gold_prn(id, prn, chips);
    case BX_CODE_B2ADS:
        for (int i = 0; i < 5; i++)
            chips[i] = b2a_data_secondary[i] ? -1 : 1;
        return 5;
    default:
        return BX_ERR_ARG;
    }
}
