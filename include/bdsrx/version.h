/*
 * bdsrx — library version.  The macros give the version the program was compiled
 * against; bx_version() / bx_version_number() the version of the library it runs with
 * (they differ when a shared libbdsrx.so was upgraded underneath).
 * Thread-safe (constants).
 */
#ifndef BDSRX_VERSION_H
#define BDSRX_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define BX_VERSION_MAJOR 0
#define BX_VERSION_MINOR 3
#define BX_VERSION_PATCH 0
/* one integer that compares: 0x00MMmmpp */
#define BX_VERSION_NUMBER ((BX_VERSION_MAJOR << 16) | (BX_VERSION_MINOR << 8) | BX_VERSION_PATCH)

/* "MAJOR.MINOR.PATCH" of the running library */
const char *bx_version(void);
/* BX_VERSION_NUMBER of the running library */
int bx_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
