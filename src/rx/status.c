/* Status code texts (include/bdsrx/types.h) and the internal error-buffer helper (bx_err.h). */
#include <stdarg.h>
#include <stdio.h>

#include "bdsrx/types.h"
#include "bx_err.h"

const char *bx_strerror(int status)
{
    switch (status) {
    case BX_OK: return "ok";
    case BX_ERR_ARG: return "invalid argument";
    case BX_ERR_IO: return "input/output error";
    case BX_ERR_FORMAT: return "malformed input";
    case BX_ERR_NOMEM: return "out of memory";
    case BX_ERR_EOF: return "end of input";
    case BX_ERR_CRC: return "CRC check failed";
    case BX_ERR_DECODE: return "decoding failed";
    case BX_ERR_NOFIX: return "no position fix";
    case BX_ERR_DEVICE: return "device error";
    case BX_ERR_UNSUPPORTED: return "not supported";
    default: return "unknown error";
    }
}

int bx_err(char *err, size_t errlen, int status, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}
