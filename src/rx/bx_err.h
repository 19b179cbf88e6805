/* Library-internal: error reporting for the bx_<obj>_create(..., &out, err, errlen) convention
 * (include/README.md).  Not installed. */
#ifndef BDSRX_BX_ERR_H
#define BDSRX_BX_ERR_H

#include <stddef.h>

/* Writes the printf-style message into err (when err != NULL and errlen > 0) and returns status. */
int bx_err(char *err, size_t errlen, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
