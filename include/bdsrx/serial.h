/*
 * bdsrx — serial port output (NMEA to a USB-serial adapter, a chart plotter,
 * an autopilot): opens DEV[:BAUD] raw (termios: no echo, no line editing, no
 * CR/LF translation, 8N1, no flow control, CLOCAL) and writes without blocking:
 * what the port cannot take now is dropped and counted, so a stalled line
 * never stalls the receiver.  A port that goes away (adapter unplugged: EIO,
 * ENXIO, ENODEV on write; the master of a pseudo-terminal closed) is closed and
 * opened again by its name on later writes, with a back-off of 0.2 s doubling to
 * 10 s; bytes written while it is away are dropped and counted.
 *
 * Threads: a bx_serial_t is used by one thread at a time.
 */
#ifndef BDSRX_SERIAL_H
#define BDSRX_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BX_SERIAL_DEFAULT_BAUD 9600

typedef struct bx_serial bx_serial_t;

/* spec: "DEV" or "DEV:BAUD" (e.g. /dev/ttyUSB0:115200); baud one of 1200 .. 921600. */
int bx_serial_open(const char *spec, bx_serial_t **out, char *err, size_t errlen);
/* Writes what the port takes now; returns bytes written (the rest is dropped), <0 on an
 * error other than the port going away (a lost port is reopened, see above). */
long bx_serial_write(bx_serial_t *s, const char *data, size_t n);
int bx_serial_connected(const bx_serial_t *s);     /* 1 open, 0 lost (reopened on a later write) */
uint64_t bx_serial_losses(const bx_serial_t *s);   /* times the port went away */
uint64_t bx_serial_reopens(const bx_serial_t *s);  /* times it was opened again */
int bx_serial_last_errno(const bx_serial_t *s);    /* why it was lost / the last reopen failed */
const char *bx_serial_device(const bx_serial_t *s);
int bx_serial_baud(const bx_serial_t *s);
uint64_t bx_serial_dropped(const bx_serial_t *s); /* bytes dropped so far */
void bx_serial_destroy(bx_serial_t *s);

#ifdef __cplusplus
}
#endif
#endif
