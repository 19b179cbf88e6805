/*
 * Serial port output, raw termios, non-blocking writes; see include/bdsrx/serial.h.
 * A port that goes away (USB adapter unplugged: EIO/ENXIO/ENODEV on write, or the
 * other end of a pseudo-terminal closed) is closed and opened again by name on later
 * writes with a back-off of 0.2 s doubling to 10 s; what is written meanwhile is dropped
 * and counted.  A udev name (/dev/serial/by-id/...) finds the adapter again under a new
 * ttyUSBn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bdsrx/serial.h"
#include "bdsrx/types.h"

#define REOPEN_FIRST_S 0.2 /* back-off between attempts to open a lost port again ... */
#define REOPEN_MAX_S 10.0  /* ... doubling up to this */

struct bx_serial {
    int fd;          /* -1 while the port is lost */
    int baud;
    speed_t speed;
    char dev[256];
    uint64_t dropped;
    uint64_t losses, reopens;
    int last_errno;  /* why the port was lost last (errno) */
    double next_try_s, backoff_s;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static speed_t speed_of(long baud)
{
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

/* Opens and configures dev; returns the fd or -1 (errno set, err filled). */
static int open_port(const char *dev, speed_t sp, long baud, int *status, char *err, size_t errlen)
{
    int fd = open(dev, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "serial: cannot open %s: %s%s", dev, strerror(e),
                 e == EACCES ? " (add yourself to the dialout group)" : "");
        *status = e == EACCES ? BX_ERR_DEVICE : BX_ERR_IO;
        errno = e;
        return -1;
    }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        int e = errno;
        snprintf(err, errlen, "serial: %s is not a serial port (%s)", dev, strerror(e));
        close(fd);
        *status = BX_ERR_ARG;
        errno = e;
        return -1;
    }
    cfmakeraw(&t);                      /* no echo, no canonical mode, no CR/LF mapping, 8 bits */
    t.c_cflag &= ~(tcflag_t)(PARENB | CSTOPB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD | CS8;  /* ignore modem lines: a bare TX/RX/GND cable works */
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    cfsetispeed(&t, sp);
    cfsetospeed(&t, sp);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        int e = errno;
        snprintf(err, errlen, "serial: cannot configure %s at %ld baud: %s", dev, baud, strerror(e));
        close(fd);
        *status = BX_ERR_IO;
        errno = e;
        return -1;
    }
    return fd;
}

int bx_serial_open(const char *spec, bx_serial_t **out, char *err, size_t errlen)
{
    *out = NULL;
    char dev[256];
    long baud = BX_SERIAL_DEFAULT_BAUD;
    snprintf(dev, sizeof dev, "%s", spec ? spec : "");
    char *colon = strrchr(dev, ':');
    if (colon) {
        char *end;
        baud = strtol(colon + 1, &end, 10);
        if (*end || colon[1] == 0) {
            snprintf(err, errlen, "serial: '%s' is not DEV[:BAUD] (e.g. /dev/ttyUSB0:115200)", spec);
            return BX_ERR_ARG;
        }
        *colon = 0;
    }
    speed_t sp = speed_of(baud);
    if (!dev[0] || !sp) {
        snprintf(err, errlen, "serial: %s: baud %ld not supported (1200 2400 4800 9600 19200 38400 57600 115200 "
                              "230400 460800 921600)", dev[0] ? dev : "(no device)", baud);
        return BX_ERR_ARG;
    }
    int status = BX_OK;
    int fd = open_port(dev, sp, baud, &status, err, errlen);
    if (fd < 0)
        return status;
    bx_serial_t *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        snprintf(err, errlen, "serial: out of memory");
        return BX_ERR_NOMEM;
    }
    s->fd = fd;
    s->baud = (int)baud;
    s->speed = sp;
    snprintf(s->dev, sizeof s->dev, "%s", dev);
    s->backoff_s = REOPEN_FIRST_S;
    *out = s;
    return BX_OK;
}

/* errors that mean the port itself is gone (unplugged adapter, closed pty master) */
static int port_gone(int e) { return e == EIO || e == ENXIO || e == ENODEV || e == EBADF || e == EPIPE; }

/* A lost port: one attempt to open it again when the back-off has passed. */
static void try_reopen(bx_serial_t *s)
{
    const double now = mono_s();
    if (now < s->next_try_s)
        return;
    char err[320];
    int status;
    int fd = open_port(s->dev, s->speed, s->baud, &status, err, sizeof err);
    if (fd < 0) {
        s->last_errno = errno;
        s->next_try_s = now + s->backoff_s;
        s->backoff_s = s->backoff_s * 2 < REOPEN_MAX_S ? s->backoff_s * 2 : REOPEN_MAX_S;
        return;
    }
    s->fd = fd;
    s->reopens++;
    s->backoff_s = REOPEN_FIRST_S;
}

long bx_serial_write(bx_serial_t *s, const char *data, size_t n)
{
    if (s->fd < 0)
        try_reopen(s);
    if (s->fd < 0) {
        s->dropped += n;
        return 0;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, data + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            const int e = errno;
            s->dropped += n - done;
            if (!port_gone(e))
                return BX_ERR_IO;
            /* the port went away: close it, try again after the back-off */
            close(s->fd);
            s->fd = -1;
            s->losses++;
            s->last_errno = e;
            s->backoff_s = REOPEN_FIRST_S;
            s->next_try_s = mono_s() + s->backoff_s;
            return (long)done;
        }
        done += (size_t)w;
    }
    s->dropped += n - done;
    return (long)done;
}

int bx_serial_connected(const bx_serial_t *s) { return s->fd >= 0; }
uint64_t bx_serial_losses(const bx_serial_t *s) { return s->losses; }
uint64_t bx_serial_reopens(const bx_serial_t *s) { return s->reopens; }
int bx_serial_last_errno(const bx_serial_t *s) { return s->last_errno; }
const char *bx_serial_device(const bx_serial_t *s) { return s->dev; }

int bx_serial_baud(const bx_serial_t *s) { return s->baud; }
uint64_t bx_serial_dropped(const bx_serial_t *s) { return s->dropped; }

void bx_serial_destroy(bx_serial_t *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}
