/*
 * Reading files that may be gzip-compressed (src/io/gzfile.c): a stdio FILE
 * over zlib (fopencookie), so the text readers (RINEX obs/nav, SP3) keep
 * their fgets loops and no shell or external program ever sees the path.
 * A plain file is read through unchanged (zlib's transparent mode).
 * Close with fclose(): it returns EOF when the compressed data were corrupt
 * or cut short.  Internal to the library; one FILE per thread.
 */
#ifndef BDSRX_GZFILE_H
#define BDSRX_GZFILE_H

#include <stdio.h>

/* Opens path for reading; NULL with errno set when it cannot be opened. */
FILE *bx_gz_open(const char *path);

#endif
