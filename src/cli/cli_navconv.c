/* bdsrx nav-convert — RINEX navigation files (3.0x/4.0x, BDS records) merged and rewritten as
 * RINEX 4 or as RINEX 3.04 legacy records for readers without RINEX 4 (RTKLIB 2.4.3, georinex):
 * B-CNAV orbits fitted to the D1/D2 parameters (bx_rinex_nav_write3, include/bdsrx/ephfit.h). */
#include <stdio.h>

#include "bdsrx/orbit.h"
#include "bdsrx/rinex_nav.h"
#include "cli.h"
#include "cli_opt.h"

int cli_nav_convert(int argc, char **argv)
{
    const char *in[16], *out = NULL;
    int nin = 0, version = 3, quiet = 0, clock_sig = BX_RINEX3_CLOCK_B3I;
    const cli_opt_t opts[] = {
        {"out", 'o', CLI_STRING, &out, 0, 0, "FILE", "the file to write (required)", NULL, 0, 0},
        {"rinex-nav-version", 0, CLI_INT, &version, 3, 4, "3|4",
         "3 (default here): RINEX 3.04 with BDS legacy (D1/D2) records, B-CNAV\n"
         "orbits least-squares fitted to them (see above); 4: RINEX 4.00", NULL, 0, 0},
        {"rinex-nav-clock", 0, CLI_FN, &clock_sig, 0, 0, "b3i|b1c|b2a", CLI_RINEX_NAV_CLOCK_HELP, cli_fn_nav_clock, 0,
         0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {
        "bdsrx nav-convert", "NAV [NAV...] -o OUT [--rinex-nav-version 3|4]",
        "Reads RINEX 3/4 navigation files (their BeiDou records) and writes them as one file.\n"
        "Version 3 is for programs that refuse RINEX 4 (Debian's RTKLIB 2.4.3, georinex): each\n"
        "B-CNAV1/2/3 ephemeris (one per satellite and toe) becomes a legacy record whose 15 orbit\n"
        "parameters are least-squares fitted to the CNAV orbit over toe +-1.5 h (CNAV has A-dot and\n"
        "dn-dot, the legacy layout has not; measured on a real day: 3-D RMS 0.04 m, max 0.18 m\n"
        "within toe +-1 h, max 0.4 m within +-1.5 h).  The clock a0-a2 is copied (B3I-referenced in\n"
        "both), AODE/AODC = IODE/IODC, TGD1/TGD2 = 0 (not in B-CNAV): B1C/B2a users lose the\n"
        "T_GD_B1Cp/T_GD_B2ap correction (up to ~8 m) that only the RINEX 4 file carries, unless\n"
        "--rinex-nav-clock b1c|b2a folds it into the clock (not standard; stated in the header).",
        opts, "The fit error of the file is printed (unless -q) and stated in its header comments.", 1, 16};
    int pr = cli_opt_parse(&cmd, argc, argv, in, &nin);
    if (pr)
        return pr == 1 ? 0 : 2;
    if (!out)
        return cli_opt_usage_error(&cmd, "--out FILE is required");
    bx_nav_t nav;
    bx_nav_init(&nav);
    char err[512];
    for (int i = 0; i < nin; i++)
        if (bx_rinex_nav_read(in[i], &nav, err, sizeof err) != BX_OK) {
            fprintf(stderr, "bdsrx nav-convert: %s\n", err);
            bx_nav_destroy(&nav);
            return 1;
        }
    bx_ephfit_stats_t w;
    int rc = cli_write_rinex_nav(out, &nav, version, clock_sig, "bdsrx nav-convert", &w);
    if (!rc && !quiet) {
        fprintf(stderr, "bdsrx nav-convert: %d ephemerides read, %s written as RINEX %s\n", nav.n_eph, out,
                version == 3 ? "3.04" : "4.00");
        if (version == 3)
            fprintf(stderr, "bdsrx nav-convert: legacy fit vs CNAV, worst ephemeris: 3-D max %.3f m within "
                            "toe +-1 h, %.3f m within +-1.5 h; clock max %.4f m\n",
                    w.max_1h_m, w.max_m, w.clk_max_m);
    }
    bx_nav_destroy(&nav);
    return rc;
}
