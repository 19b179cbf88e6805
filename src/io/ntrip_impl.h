/* NTRIP internals shared by src/io/ntrip.c (client) and src/io/ntrip_server.c. */
#ifndef BDSRX_NTRIP_IMPL_H
#define BDSRX_NTRIP_IMPL_H

#include <stddef.h>

/* TCP connection to host:port within timeout_ms; the socket (blocking) or -1 with a message. */
int bx_ntrip__connect(const char *host, int port, int timeout_ms, char *err, size_t errlen);

#endif
