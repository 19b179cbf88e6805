/* Flag values shared by the bdsrx commands (declared in cli.h). */
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
