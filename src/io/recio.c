/* Whole-record output files (recio.h). */
#define _GNU_SOURCE
#include "recio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bx_rec_write(FILE *f, const void *rec, size_t n)
{
    if (!f)
        return EINVAL;
    /* nothing of anyone else may stay in stdio's buffer: the record goes to
     * the descriptor in one write (stdio would flush a full buffer at an
     * arbitrary byte and tear the record) */
    errno = 0;
    if (fflush(f) != 0)
        return errno ? errno : EIO;
    const int fd = fileno(f);
    struct stat sb;
    const int reg = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    const off_t good = reg ? lseek(fd, 0, SEEK_CUR) : -1;
    const char *p = rec;
    size_t done = 0;
    while (done < n) {
        const ssize_t k = write(fd, p + done, n - done);
        if (k > 0) {
            done += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        const int e = k < 0 ? errno : ENOSPC; /* write() returning 0: no space */
        if (good >= 0 && ftruncate(fd, good) == 0)
            (void)lseek(fd, good, SEEK_SET);
        return e;
    }
    return 0;
}

int bx_rec_close(FILE *f)
{
    if (!f)
        return 0;
    errno = 0;
    if (f == stdout || f == stderr)
        return fflush(f) == 0 ? 0 : (errno ? errno : EIO);
    if (fflush(f) != 0) {
        const int e = errno ? errno : EIO;
        fclose(f);
        return e;
    }
    return fclose(f) == 0 ? 0 : (errno ? errno : EIO);
}

int bx_final_open(const char *path, char *tmp, size_t tmplen, FILE **f)
{
    *f = NULL;
    /* a path that exists and is not a regular file (a pipe, /dev/stdout, /dev/full) is written
     * in place: renaming over it would replace the device node */
    struct stat st;
    const int in_place = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    if ((size_t)snprintf(tmp, tmplen, in_place ? "%s" : "%s.tmp", path) >= tmplen)
        return ENAMETOOLONG;
    *f = fopen(tmp, "w");
    return *f ? 0 : errno;
}

int bx_final_commit(FILE *f, const char *tmp, const char *path, int ok)
{
    int e = 0;
    errno = 0;
    const int in_place = !strcmp(tmp, path); /* bx_final_open chose to write in place */
    if (fflush(f) != 0 || (!in_place && fsync(fileno(f)) != 0))
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (in_place)
        return e;
    if (!ok || e) {
        unlink(tmp);
        return e;
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
    }
    return e;
}
