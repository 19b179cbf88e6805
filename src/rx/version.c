/* Library version (include/bdsrx/version.h); the Makefile passes the same numbers as
 * BX_VERSION_STRING, and a mismatch with the header stops the build. */
#include <string.h>

#include "bdsrx/version.h"

#define BX_STR2(x) #x
#define BX_STR(x) BX_STR2(x)
#define BX_HEADER_VERSION BX_STR(BX_VERSION_MAJOR) "." BX_STR(BX_VERSION_MINOR) "." BX_STR(BX_VERSION_PATCH)

#ifdef BX_VERSION_STRING
_Static_assert(sizeof(BX_VERSION_STRING) == sizeof(BX_HEADER_VERSION),
               "Makefile VERSION and include/bdsrx/version.h disagree");
#endif

const char *bx_version(void)
{
    return BX_HEADER_VERSION;
}

int bx_version_number(void)
{
    return BX_VERSION_NUMBER;
}
