/*
 * Whole-record output files (src/io/recio.c): every record (an NMEA epoch,
 * a JSON line, a RINEX epoch) is handed to the file in one piece and flushed;
 * when the write or the flush fails (disk full, /dev/full, EIO) a regular
 * file is cut back to the end of the last complete record, so a reader never
 * finds a torn one, and the errno is returned for the caller to report.
 * Final files (written once at the end: RINEX navigation, summaries) go to
 * PATH.tmp and are renamed over PATH only when complete.
 * Internal to the library and the command line; stateless, thread-safe as
 * far as each FILE is used by one thread.
 */
#ifndef BDSRX_RECIO_H
#define BDSRX_RECIO_H

#include <stddef.h>
#include <stdio.h>

/* Writes rec[0..n) and flushes.  Returns 0, or the errno of the failure
 * (the file then ends on the previous record when it is a regular file). */
int bx_rec_write(FILE *f, const void *rec, size_t n);

/* Closes an output (stdout is flushed, not closed).  Returns 0 or an errno. */
int bx_rec_close(FILE *f);

/* Final files.  bx_final_open creates PATH.tmp (tmp receives its name, at
 * least strlen(path) + 5 bytes); bx_final_commit flushes, syncs, closes and
 * renames it over PATH, or removes it when `ok` is 0 or anything failed.
 * A path that exists and is not a regular file (pipe, device) is written in place instead.
 * Both return 0 or an errno (bx_final_open: NULL *f on failure). */
int bx_final_open(const char *path, char *tmp, size_t tmplen, FILE **f);
int bx_final_commit(FILE *f, const char *tmp, const char *path, int ok);

#endif
