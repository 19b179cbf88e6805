/* Flag values shared by the bdsrx commands (declared in cli.h). */
#include <math.h>
#include <stdlib.h>
#include <strings.h>

#include "bdsrx/types.h"
#include "cli.h"

int cli_parse_signal(const char *s, int *sig)
{
    if (!strcasecmp(s, "B1C"))
        *sig = BX_SIG_B1C;
    else if (!strcasecmp(s, "B2a"))
        *sig = BX_SIG_B2A;
    else
        return -1;
    return 0;
}

int cli_parse_prns(const char *s, uint64_t *mask)
{
    *mask = 0;
    if (!*s)
        return -1;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s)
            return -1;
        if (*end == '-') {
            s = end + 1;
            b = strtol(s, &end, 10);
            if (end == s)
                return -1;
        }
        if (a < 1 || b > BX_PRN_MAX || a > b || (*end && *end != ','))
            return -1;
        for (long p = a; p <= b; p++)
            *mask |= 1ull << p;
        s = *end == ',' ? end + 1 : end;
    }
    return 0;
}

int cli_signal_from_fc(double fc_hz, int *sig)
{
    /* B1C 1575.42 MHz, B2a 1176.45 MHz (BDS-SIS-ICD-B1C-1.0 sec. 4.2, B2a-1.0 sec. 4.2); a front end's
     * LO may sit some MHz off the carrier (low-IF designs), 20 MHz tells the two bands apart */
    if (!(fc_hz > 0))
        return -1;
    if (fabs(fc_hz - BX_FREQ_B1C_HZ) < 20e6)
        *sig = BX_SIG_B1C;
    else if (fabs(fc_hz - BX_FREQ_B2A_HZ) < 20e6)
        *sig = BX_SIG_B2A;
    else
        return -1;
    return 0;
}
