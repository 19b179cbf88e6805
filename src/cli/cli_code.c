/* bdsrx code — print a BDS-3 ranging code (B1C/B2a primary and secondary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/code.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: bdsrx code --signal B1CD|B1CP|B1CS|B2AD|B2AP|B2AS|B2ADS --prn N [--octal]\n\n"
               "Prints the ranging code of PRN N (1..63): chips as 0/1 (logic values, 0 -> +1),\n"
               "64 per line.  --octal prints octal digits instead, 3 chips per digit, first chip =\n"
               "MSB of the first digit (the ICD appendix convention; a last partial digit is padded\n"
               "with zero bits on the right), 64 digits per line.\n\n"
               "  B1CD B1CP  B1C data/pilot primary, 10230 chips    B1CS  B1C pilot secondary, 1800\n"
               "  B2AD B2AP  B2a data/pilot primary, 10230 chips    B2AS  B2a pilot secondary, 100\n"
               "  B2ADS      B2a data secondary, 5 chips (00010, all PRNs)\n");
}

int cli_code(int argc, char **argv)
{
    const char *sig = NULL;
    int prn = 0, octal = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--octal")) {
            octal = 1;
        } else if ((!strcmp(a, "--signal") || !strcmp(a, "--prn")) && i + 1 >= argc) {
            fprintf(stderr, "bdsrx code: %s needs a value\n", a);
            return 2;
        } else if (!strcmp(a, "--signal")) {
            sig = argv[++i];
        } else if (!strcmp(a, "--prn")) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || v < 1 || v > BX_PRN_MAX) {
                fprintf(stderr, "bdsrx code: --prn '%s' is not a PRN number 1..63\n", argv[i]);
                return 2;
            }
            prn = (int)v;
        } else {
            fprintf(stderr, "bdsrx code: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!sig || !prn) {
        fprintf(stderr, "bdsrx code: both --signal and --prn are required\n");
        usage(stderr);
        return 2;
    }
    bx_code_id_t id;
    if (bx_code_from_name(sig, &id) != BX_OK) {
        fprintf(stderr, "bdsrx code: unknown signal '%s' (use B1CD B1CP B1CS B2AD B2AP B2AS B2ADS)\n", sig);
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
