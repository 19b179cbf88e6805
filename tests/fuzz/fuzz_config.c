/* INI config files (src/cli/cli_config.c over libinih, src/cli/cli_opt.c
 * value parsers): sections, keys, every option kind with ranges. */
#include "cli_opt.h"
#include "fuzz_util.h"

static int fn_any(const char *arg, void *value, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    *(int *)value = arg ? (int)strlen(arg) : 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int flag = 0, i = 0, f = 0;
    double d = 0, hz = 0;
    const char *str = NULL, *items[4];
    cli_list_t list = {items, 0, 4};
    const cli_opt_t opts[] = {
        {"quiet", 'q', CLI_FLAG, &flag, 0, 0, NULL, "", NULL, 0, 0},
        {"threads", 0, CLI_INT, &i, 1, 64, "N", "", NULL, 0, 0},
        {"elmask", 0, CLI_DOUBLE, &d, 0, 90, "DEG", "", NULL, 0, 0},
        {"fs", 0, CLI_HZ, &hz, 1e5, 1e9, "HZ", "", NULL, 0, 0},
        {"nmea", 0, CLI_STRING, &str, 0, 0, "FILE", "", NULL, 0, 0},
        {"nav", 0, CLI_LIST, &list, 0, 0, "FILE", "", NULL, 0, 0},
        {"json", 0, CLI_FN, &f, 0, 0, "FILE", "", fn_any, CLI_OPTIONAL, 0},
        {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd_t cmd = {"bdsrx run", "FILE", NULL, opts, NULL, 0, 1};
    /* messages about bad values go to stderr: run.sh closes it (-close_fd_mask) */
    cli_config_apply(&cmd, fuzz_file(data, size, ".ini"));
    return 0;
}
