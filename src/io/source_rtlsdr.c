/* RTL-SDR source through librtlsdr.  The reader thread runs
 * rtlsdr_read_async(); its callback converts u8 -> ci8 in place (x ^ 0x80,
 * see bdsrx/rtltcp.h) and pushes into the ring.  Stop: the callback cancels
 * the async loop when the stop flag is set, close() cancels as well. */
#include "source_backend.h"

#include <libusb.h>
#include <math.h>
#include <rtl-sdr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    rtlsdr_dev_t *dev;
    int index;
} rtl_priv_t;

static void rtl_cb(unsigned char *buf, uint32_t len, void *ctx)
{
    bx_source_t *s = ctx;
    rtl_priv_t *p = bx__source_priv(s);
    if (bx__source_stopping(s)) {
        rtlsdr_cancel_async(p->dev);
        return;
    }
    for (uint32_t i = 0; i < len; i++)
        buf[i] ^= 0x80;
    bx__source_push(s, buf, len);
}

static int rtl_run(bx_source_t *s)
{
    rtl_priv_t *p = bx__source_priv(s);
    /* 0, 0: librtlsdr defaults (15 buffers of 256 KiB) */
    int r = rtlsdr_read_async(p->dev, rtl_cb, s, 0, 0);
    if (bx__source_stopping(s))
        return BX_OK;
    /* The async loop only ends by itself when the transfers fail: in practice
     * the dongle was unplugged or lost power. */
    return bx__source_fail(s, BX_ERR_DEVICE,
                           "rtlsdr: device unplugged or stopped streaming (librtlsdr status %d); "
                           "check the USB connection", r);
}

static void rtl_cancel(bx_source_t *s)
{
    rtl_priv_t *p = bx__source_priv(s);
    if (p && p->dev)
        rtlsdr_cancel_async(p->dev);
}

static void rtl_close(bx_source_t *s)
{
    rtl_priv_t *p = bx__source_priv(s);
    if (!p)
        return;
    if (p->dev)
        rtlsdr_close(p->dev);
    free(p);
}

static const bx_source_ops_t rtl_backend = {.run = rtl_run, .cancel = rtl_cancel, .close = rtl_close};

/* Message for a failed rtlsdr_open(): librtlsdr passes libusb's code through. */
static int open_error(bx_source_t *s, int idx, int r)
{
    if (r == LIBUSB_ERROR_ACCESS)
        return bx__source_fail(s, BX_ERR_DEVICE,
                               "rtlsdr: USB permission denied (udev rule?) opening device %d: install "
                               "the rtl-sdr udev rules (Debian package rtl-sdr) and re-plug, or add "
                               "your user to the plugdev group", idx);
    if (r == LIBUSB_ERROR_BUSY)
        return bx__source_fail(s, BX_ERR_DEVICE,
                               "rtlsdr: device %d is busy: another program or the kernel DVB driver "
                               "has it (blacklist dvb_usb_rtl28xxu)", idx);
    if (r == LIBUSB_ERROR_NO_DEVICE)
        return bx__source_fail(s, BX_ERR_DEVICE, "rtlsdr: device %d unplugged while opening", idx);
    return bx__source_fail(s, BX_ERR_DEVICE, "rtlsdr: cannot open device %d (librtlsdr error %d)", idx, r);
}

/* Picks the supported gain (tenths of dB) closest to the request. */
static int nearest_gain(rtlsdr_dev_t *dev, double gain_db)
{
    int n = rtlsdr_get_tuner_gains(dev, NULL);
    int want = (int)lround(gain_db * 10), best = want;
    if (n <= 0)
        return want;
    int *g = malloc((size_t)n * sizeof *g);
    if (!g)
        return want;
    n = rtlsdr_get_tuner_gains(dev, g);
    for (int i = 0; i < n; i++)
        if (i == 0 || abs(g[i] - want) < abs(best - want))
            best = g[i];
    free(g);
    return best;
}

static int rtlsdr_open_uri(bx_source_t *s, const char *where)
{
    bx_source_info_t *info = bx__source_info_w(s);
    uint32_t count = rtlsdr_get_device_count();
    if (count == 0)
        return bx__source_fail(s, BX_ERR_DEVICE,
                               "rtlsdr: no RTL-SDR found: plug in the dongle (rtl_test lists devices), "
                               "or use rtltcp://host:port for a remote one");
    int idx = 0;
    if (!strncmp(where, "serial=", 7)) {
        idx = rtlsdr_get_index_by_serial(where + 7);
        if (idx < 0)
            return bx__source_fail(s, BX_ERR_DEVICE, "rtlsdr: no RTL-SDR with serial '%s' among %u found",
                                   where + 7, count);
    } else if (*where) {
        char *end;
        long v = strtol(where, &end, 10);
        if (*end || v < 0)
            return bx__source_fail(s, BX_ERR_ARG, "rtlsdr: bad device '%s' (use rtlsdr:N or rtlsdr:serial=SN)",
                                   where);
        idx = (int)v;
        if ((uint32_t)idx >= count)
            return bx__source_fail(s, BX_ERR_DEVICE, "rtlsdr: device %d requested but only %u found", idx, count);
    }
    rtl_priv_t *p = calloc(1, sizeof *p);
    if (!p)
        return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
    p->index = idx;
    int r = rtlsdr_open(&p->dev, (uint32_t)idx);
    if (r < 0) {
        free(p);
        return open_error(s, idx, r);
    }
    const bx_source_opts_t *o = bx__source_opts(s);
    double fs = o->fs_hz > 0 ? o->fs_hz : 2.048e6;
    double fc = o->fc_hz > 0 ? o->fc_hz : BX_FREQ_B1C_HZ;
    const char *what = NULL;
    if (rtlsdr_set_sample_rate(p->dev, (uint32_t)lround(fs)) < 0)
        what = "sample rate (valid: 225001-300000 and 900001-3200000 Hz)";
    else if (rtlsdr_set_center_freq(p->dev, (uint32_t)llround(fc)) < 0)
        what = "centre frequency (outside the tuner's range?)";
    else if (o->ppm != 0 && rtlsdr_set_freq_correction(p->dev, (int)lround(o->ppm)) < 0)
        what = "ppm correction";
    else if (rtlsdr_set_tuner_gain_mode(p->dev, isnan(o->gain_db) ? 0 : 1) < 0)
        what = "gain mode";
    else if (!isnan(o->gain_db) && rtlsdr_set_tuner_gain(p->dev, nearest_gain(p->dev, o->gain_db)) < 0)
        what = "gain";
    else if (rtlsdr_set_agc_mode(p->dev, o->agc ? 1 : 0) < 0)
        what = "RTL AGC";
    else if (rtlsdr_set_bias_tee(p->dev, o->bias_tee ? 1 : 0) < 0 && o->bias_tee)
        what = "bias tee (not supported by this dongle?)";
    else if (rtlsdr_reset_buffer(p->dev) < 0)
        what = "buffer reset";
    if (what) {
        rtlsdr_close(p->dev);
        free(p);
        return bx__source_fail(s, BX_ERR_DEVICE, "rtlsdr: device %d refused the %s", idx, what);
    }
    char manu[256] = "", prod[256] = "", serial[256] = "";
    rtlsdr_get_usb_strings(p->dev, manu, prod, serial);
    bx__source_set_priv(s, p);
    bx__source_set_ops(s, &rtl_backend);
    snprintf(info->kind, sizeof info->kind, "rtlsdr");
    snprintf(info->device, sizeof info->device, "RTL-SDR #%d %.40s %.40s SN:%.32s", idx, manu, prod, serial);
    info->format = BX_IQ_CI8;
    info->fs_hz = rtlsdr_get_sample_rate(p->dev);
    info->fc_hz = rtlsdr_get_center_freq(p->dev);
    info->if_hz = 0;
    info->gain_db = isnan(o->gain_db) ? NAN : rtlsdr_get_tuner_gain(p->dev) / 10.0;
    info->agc = o->agc;
    info->bias_tee = o->bias_tee;
    return BX_OK;
}

const bx_source_kind_t bx__source_kind_rtlsdr = {"rtlsdr", 0, rtlsdr_open_uri};
