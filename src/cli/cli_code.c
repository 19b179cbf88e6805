/* bdsrx code — print a BDS-3 ranging code (B1C/B2a primary and secondary, B2b-I primary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "cli.h"
#include "cli_opt.h"

static int fn_prn(const char *arg, void *value, char *err, size_t errlen)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || end == arg || v < 1 || v > BX_PRN_MAX) {
        snprintf(err, errlen, "'%s' is not a PRN number 1..63", arg);
        return -1;
    }
    *(int *)value = (int)v;
    return 0;
}

int cli_code(int argc, char **argv)
{
    const char *sig = NULL;
    int prn = 0, octal = 0, quiet = 0;
    const cli_opt_t opts[] = {
        {"signal", 0, CLI_STRING, &sig, 0, 0, "CODE", "B1CD B1CP B1CS B2AD B2AP B2AS B2ADS B2BI (below)", NULL, 0, 0},
        {"prn", 0, CLI_FN, &prn, 0, 0, "N", "PRN 1..63", fn_prn, 0, 0},
        {"octal", 0, CLI_FLAG, &octal, 0, 0, NULL, "octal digits instead of chips", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx code", "--signal B1CD|B1CP|B1CS|B2AD|B2AP|B2AS|B2ADS|B2BI --prn N [--octal]",
        "Prints the ranging code of PRN N (1..63): chips as 0/1 (logic values, 0 -> +1),\n"
        "64 per line.  --octal prints octal digits instead, 3 chips per digit, first chip =\n"
        "MSB of the first digit (the ICD appendix convention; a last partial digit is padded\n"
        "with zero bits on the right), 64 digits per line.",
        opts,
        "codes:\n"
        "  B1CD B1CP  B1C data/pilot primary, 10230 chips    B1CS  B1C pilot secondary, 1800\n"
        "  B2AD B2AP  B2a data/pilot primary, 10230 chips    B2AS  B2a pilot secondary, 100\n"
        "  B2ADS      B2a data secondary, 5 chips (00010, all PRNs)\n"
        "  B2BI       B2b-I primary, 10230 chips (B-CNAV3 PRN 1-58, PPP-B2b GEO PRN 59-63)",
        0, 0};
    int pr = cli_opt_parse(&cmd, argc, argv, NULL, NULL);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!sig || !prn)
        return cli_opt_usage_error(&cmd, "both --signal and --prn are required (bdsrx code --help)");
    bx_code_id_t id;
    if (bx_code_from_name(sig, &id) != BX_OK) {
        fprintf(stderr, "bdsrx code: unknown signal '%s' (use B1CD B1CP B1CS B2AD B2AP B2AS B2ADS B2BI)\n", sig);
        return 2;
    }
    static int8_t chips[BX_CODE_LEN_MAX];
    int len = bx_code_gen(id, prn, chips, BX_CODE_LEN_MAX);
    if (len < 0) {
        fprintf(stderr, "bdsrx code: cannot generate %s PRN %d\n", sig, prn);
        return 1;
    }
    int col = 0;
    if (octal) {
        for (int i = 0; i < len; i += 3) {
            int d = 0;
            for (int k = 0; k < 3; k++)
                d = (d << 1) | (i + k < len && chips[i + k] < 0);
            putchar('0' + d);
            if (++col == 64) {
                putchar('\n');
                col = 0;
            }
        }
    } else {
        for (int i = 0; i < len; i++) {
            putchar(chips[i] < 0 ? '1' : '0');
            if (++col == 64) {
                putchar('\n');
                col = 0;
            }
        }
    }
    if (col)
        putchar('\n');
    return ferror(stdout) ? 1 : 0;
}
