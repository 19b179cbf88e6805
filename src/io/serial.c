/*
 * Serial port output, raw termios, non-blocking writes; see include/bdsrx/serial.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bdsrx/serial.h"
#include "bdsrx/types.h"

struct bx_serial {
    int fd;
    int baud;
    uint64_t dropped;
};

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
    int fd = open(dev, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "serial: cannot open %s: %s%s", dev, strerror(e),
                 e == EACCES ? " (add yourself to the dialout group)" : "");
        return e == EACCES ? BX_ERR_DEVICE : BX_ERR_IO;
    }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        snprintf(err, errlen, "serial: %s is not a serial port (%s)", dev, strerror(errno));
        close(fd);
        return BX_ERR_ARG;
    }
    cfmakeraw(&t);                      /* no echo, no canonical mode, no CR/LF mapping, 8 bits */
    t.c_cflag &= ~(tcflag_t)(PARENB | CSTOPB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD | CS8;  /* ignore modem lines: a bare TX/RX/GND cable works */
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    cfsetispeed(&t, sp);
    cfsetospeed(&t, sp);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        snprintf(err, errlen, "serial: cannot configure %s at %ld baud: %s", dev, baud, strerror(errno));
        close(fd);
        return BX_ERR_IO;
    }
    bx_serial_t *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        snprintf(err, errlen, "serial: out of memory");
        return BX_ERR_NOMEM;
    }
    s->fd = fd;
    s->baud = (int)baud;
    *out = s;
    return BX_OK;
}

long bx_serial_write(bx_serial_t *s, const char *data, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, data + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            s->dropped += n - done;
            return BX_ERR_IO;
        }
        done += (size_t)w;
    }
    s->dropped += n - done;
    return (long)done;
}

int bx_serial_baud(const bx_serial_t *s) { return s->baud; }
uint64_t bx_serial_dropped(const bx_serial_t *s) { return s->dropped; }

void bx_serial_destroy(bx_serial_t *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s);
}
