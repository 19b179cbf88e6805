/* Locating ../shared/testdata for tests.  The directory is optional: a fresh
 * clone has none, so tests that need it call skip() with a clear message. */
#ifndef BDSRX_TESTDATA_H
#define BDSRX_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Returns the test-data root (env BDSRX_TESTDATA, default ../shared/testdata
 * relative to the repository root where tests run) or NULL if missing. */
static inline const char *testdata_dir(void)
{
    const char *d = getenv("BDSRX_TESTDATA");
    if (!d || !*d)
        d = "../shared/testdata";
    struct stat st;
    return (stat(d, &st) == 0 && S_ISDIR(st.st_mode)) ? d : NULL;
}

/* Builds "<root>/<rel>" into buf; returns buf, or NULL (and prints a SKIP
 * line) when the root or the file is missing. */
static inline const char *testdata_path(char *buf, size_t n, const char *rel)
{
    const char *d = testdata_dir();
    struct stat st;
    if (!d) {
        printf("SKIP: ../shared/testdata not found (set BDSRX_TESTDATA); skipping %s\n", rel);
        return NULL;
    }
    snprintf(buf, n, "%s/%s", d, rel);
    if (stat(buf, &st) != 0) {
        printf("SKIP: %s missing\n", buf);
        return NULL;
    }
    return buf;
}

#endif
