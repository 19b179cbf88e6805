/* bdsrx — command dispatcher.  Subcommands are defined in src/cli/cli_*.c (declared in cli.h). */
#include <stdio.h>
#include <string.h>

#include "bdsrx/version.h"
#include "cli.h"

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} command_t;

static void usage(FILE *f, const command_t *cmds, size_t n)
{
    fprintf(f, "bdsrx — BeiDou-3 B1C/B2a software GNSS receiver\n\n"
               "usage: bdsrx <command> [options]   (bdsrx <command> --help or bdsrx help <command> for details)\n"
               "       bdsrx --version\n\n"
               "commands:\n");
    for (size_t i = 0; i < n; i++)
        if (cmds[i].fn)
            fprintf(f, "  %-11s %s\n", cmds[i].name, cmds[i].help);
}

int main(int argc, char **argv)
{
    const command_t cmds[] = {
        {"run", cli_run, "IQ capture -> acquisition, tracking, navigation data, position"},
        {"live", cli_live, "run on a live front end (RTL-SDR, rtl_tcp, Pocket SDR)"},
        {"acquire", cli_acquire, "search a capture for B1C/B2a satellites (FFT acquisition)"},
        {"track", cli_track, "acquire and track; print raw observables per channel"},
        {"nav-decode", cli_nav_decode, "decode B-CNAV1/B-CNAV2/B-CNAV3 and PPP-B2b messages"},
        {"b2b-eval", cli_b2b_eval, "PPP-B2b corrected orbits/clocks vs precise SP3 (SISRE)"},
        {"ppp", cli_ppp, "precise point positioning from RINEX obs + B-CNAV1 + PPP-B2b log"},
        {"nav-convert", cli_nav_convert, "RINEX navigation 4 -> 3.04 (legacy records for RTKLIB 2.4.3, georinex)"},
        {"pvt", cli_pvt, "position from RINEX observation + navigation files"},
        {"rtk", cli_rtk, "RTK (carrier phase, LAMBDA) from rover + base RINEX observations"},
        {"code", cli_code, "print a ranging code (B1CD B1CP B1CS B2AD B2AP B2AS B2BI)"},
        {"info", cli_info, "describe a capture file (format, rate, length)"},
        {"rtcm-decode", cli_rtcm_decode, "decode an RTCM 3.3 stream (MSM, 1005/1006, 1033, 1042, 1019)"},
    };
    const size_t n = sizeof cmds / sizeof cmds[0];
    if (argc >= 3 && !strcmp(argv[1], "help")) { /* bdsrx help CMD = bdsrx CMD --help */
        for (size_t i = 0; i < n; i++)
            if (!strcmp(argv[2], cmds[i].name) && cmds[i].fn) {
                char *av[] = {argv[2], "--help", NULL};
                return cmds[i].fn(2, av);
            }
        fprintf(stderr, "bdsrx: unknown command '%s'\n\n", argv[2]);
        usage(stderr, cmds, n);
        return 2;
    }
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout, cmds, n);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--list-commands")) { /* for shell completion */
        for (size_t i = 0; i < n; i++)
            if (cmds[i].fn)
                printf("%s\n", cmds[i].name);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("bdsrx %s\n", bx_version());
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        if (!cmds[i].fn) {
            fprintf(stderr, "bdsrx: command '%s' is not available in this build\n", argv[1]);
            return 2;
        }
        return cmds[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "bdsrx: unknown command '%s'\n\n", argv[1]);
    usage(stderr, cmds, n);
    return 2;
}
