/* `bdsrx nav-decode` on a file (src/cli/cli_nav_decode.c): the text format
 * (PRN + hex items, Markdown fences, cssrlib PPP-B2b log lines) and the
 * qzsl6tool .b2b binary records, through the B-CNAV1/2/3 frame decoders
 * (deinterleaving, LDPC, CRC) and message parsers and PPP-B2b. */
#include <stdio.h>

#include "cli.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the program's output: run.sh gives -close_fd_mask=3 */
    /* binary .b2b records when the first byte says so, else text */
    const int bin = size > 0 && data[0] == 0xEB;
    char *argv[] = {"nav-decode", (char *)fuzz_file(data, size, bin ? ".b2b" : ".txt"), NULL};
    cli_nav_decode(2, argv);
    return 0;
}
