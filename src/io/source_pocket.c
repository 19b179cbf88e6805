/* Pocket SDR class MAX2771 dual-channel USB front end, driven with libusb
 * directly (wire format and registers: src/io/pocket_proto.h).  At open the
 * MAX2771 registers of both channels are read (and, with conf=, programmed
 * first); the selected channel's LO, ADC clock and I/IQ mode give fc, fs and
 * the raw format: ci2 for IQ (lossless repacking of the 2-bit fields), ri8
 * for I-only.  The reader thread runs synchronous bulk reads with a short
 * time-out so a stop request is noticed within ~0.5 s. */
#include "source_backend.h"

#include "pocket_proto.h"

#include <errno.h>
#include <libusb.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL_TIMEOUT_MS 1000
#define BULK_TIMEOUT_MS 500
#define BULK_BYTES_DEFAULT (1 << 18)

typedef struct {
    libusb_context *ctx;
    libusb_device_handle *h;
    int claimed;
    int ch;        /* 0 or 1; -1 = both channels (raw device bytes) */
    int iq;        /* selected channel samples I and Q */
    int iq_ch[BX_POCKET_NCH];
    uint8_t *bulk; /* device bytes */
    uint8_t pending; /* IQ mode: device byte left over from an odd-length transfer */
    int has_pending;
    uint8_t *out;  /* converted raw samples */
    size_t bulk_bytes;
} pocket_priv_t;

static int reg_read(pocket_priv_t *p, int ch, int addr, uint32_t *v)
{
    uint8_t b[4];
    int r = libusb_control_transfer(p->h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR,
                                    BX_POCKET_VR_REG_READ, bx_pocket_reg_wvalue(ch, addr), 0, b, 4,
                                    CTRL_TIMEOUT_MS);
    if (r != 4)
        return r < 0 ? r : LIBUSB_ERROR_IO;
    *v = bx_pocket_reg_unpack(b);
    return 0;
}

static int reg_write(pocket_priv_t *p, int ch, int addr, uint32_t v)
{
    uint8_t b[4];
    bx_pocket_reg_pack(v, b);
    int r = libusb_control_transfer(p->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_VENDOR,
                                    BX_POCKET_VR_REG_WRITE, bx_pocket_reg_wvalue(ch, addr), 0, b, 4,
                                    CTRL_TIMEOUT_MS);
    return r == 4 ? 0 : (r < 0 ? r : LIBUSB_ERROR_IO);
}

static int pocket_run(bx_source_t *s)
{
    pocket_priv_t *p = bx__source_priv(s);
    while (!bx__source_stopping(s)) {
        int got = 0;
        int r = libusb_bulk_transfer(p->h, BX_POCKET_EP_IN, p->bulk, (int)p->bulk_bytes, &got, BULK_TIMEOUT_MS);
        if (r == LIBUSB_ERROR_NO_DEVICE)
            return bx__source_fail(s, BX_ERR_DEVICE, "pocket: device unplugged (USB bulk read: no device)");
        if (r != 0 && r != LIBUSB_ERROR_TIMEOUT && r != LIBUSB_ERROR_INTERRUPTED)
            return bx__source_fail(s, BX_ERR_DEVICE, "pocket: USB bulk read failed: %s", libusb_error_name(r));
        if (got <= 0)
            continue;
        size_t n = (size_t)got;
        if (p->ch < 0) {
            bx__source_push(s, p->bulk, n); /* both channels: demux/split on the consumer side */
        } else if (p->iq) {
            /* ci2 holds two samples per byte; an odd transfer leaves one device
             * byte for the next (the push carry works on output bytes) */
            size_t k = bx_pocket_stream_ci2(&p->pending, &p->has_pending, p->bulk, n, p->ch, p->out);
            bx__source_push(s, p->out, k);
        } else {
            bx_pocket_unpack_ri8(p->bulk, n, p->ch, (int8_t *)p->out);
            bx__source_push(s, p->out, n);
        }
    }
    return BX_OK;
}

static void pocket_close(bx_source_t *s)
{
    pocket_priv_t *p = bx__source_priv(s);
    if (!p)
        return;
    if (p->claimed)
        libusb_release_interface(p->h, BX_POCKET_IFACE);
    if (p->h)
        libusb_close(p->h);
    if (p->ctx)
        libusb_exit(p->ctx);
    free(p->bulk);
    free(p->out);
    free(p);
}

static int pocket_demux(const bx_source_t *s, const void *raw, size_t n, bx_cf32_t *const out[])
{
    for (int c = 0; c < BX_POCKET_NCH; c++)
        bx_pocket_unpack_cf32(raw, n, c, bx_source_info(s)->ch[c].format == BX_IQ_CI2, out[c]);
    return BX_OK;
}

static long pocket_split(const bx_source_t *s, const void *raw, size_t n, int ch, void *out)
{
    if (bx_source_info(s)->ch[ch].format == BX_IQ_CI2) {
        if (n % 2)
            return BX_ERR_ARG;
        bx_pocket_pack_ci2(raw, n, ch, out);
        return (long)(n / 2);
    }
    bx_pocket_unpack_ri8(raw, n, ch, out);
    return (long)n;
}

static const bx_source_ops_t pocket_backend = {
    .run = pocket_run, .close = pocket_close, .demux = pocket_demux, .split = pocket_split};

static int usb_fail(bx_source_t *s, pocket_priv_t *p, int r, const char *what)
{
    int st;
    if (r == LIBUSB_ERROR_ACCESS)
        st = bx__source_fail(s, BX_ERR_DEVICE,
                             "pocket: USB permission denied (udev rule?) %s: add a udev rule for "
                             "04b4:1004 (e.g. MODE=\"0666\" or GROUP=\"plugdev\") and re-plug", what);
    else if (r == LIBUSB_ERROR_NO_DEVICE)
        st = bx__source_fail(s, BX_ERR_DEVICE, "pocket: device unplugged %s", what);
    else if (r == LIBUSB_ERROR_BUSY)
        st = bx__source_fail(s, BX_ERR_DEVICE, "pocket: device busy %s (another program has it open)", what);
    else
        st = bx__source_fail(s, BX_ERR_DEVICE, "pocket: %s failed: %s", what, libusb_error_name(r));
    bx__source_set_priv(s, p);
    pocket_close(s);
    bx__source_set_priv(s, NULL);
    return st;
}

static int pocket_open(bx_source_t *s, const char *where)
{
    const bx_source_opts_t *opts = bx__source_opts(s);
    bx_source_info_t *info = bx__source_info_w(s);
    int want = *where ? atoi(where) : 0;
    if (opts->channel < 0 || opts->channel > 2)
        return bx__source_fail(s, BX_ERR_ARG, "pocket: channel %d does not exist (ch=1, ch=2 or ch=both)",
                               opts->channel);
    pocket_priv_t *p = calloc(1, sizeof *p);
    if (!p)
        return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
    p->ch = opts->channel - 1;
    int r = libusb_init(&p->ctx);
    if (r != 0)
        return usb_fail(s, p, r, "initialising libusb");
    libusb_device **list = NULL;
    ssize_t nd = libusb_get_device_list(p->ctx, &list);
    libusb_device *dev = NULL;
    int seen = 0;
    for (ssize_t i = 0; i < nd; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) == 0 && d.idVendor == BX_POCKET_VID &&
            d.idProduct == BX_POCKET_PID && seen++ == want) {
            dev = list[i];
            break;
        }
    }
    if (!dev) {
        if (list)
            libusb_free_device_list(list, 1);
        bx__source_set_priv(s, p);
        pocket_close(s);
        bx__source_set_priv(s, NULL);
        return bx__source_fail(s, BX_ERR_DEVICE,
                               "pocket: no Pocket SDR front end found (USB 04b4:1004%s); plug it in "
                               "(lsusb shows it) or check the cable", want ? ", that index" : "");
    }
    r = libusb_open(dev, &p->h);
    libusb_free_device_list(list, 1);
    if (r != 0)
        return usb_fail(s, p, r, "opening the device");
    r = libusb_claim_interface(p->h, BX_POCKET_IFACE);
    if (r != 0)
        return usb_fail(s, p, r, "claiming interface 0");
    p->claimed = 1;

    uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG] = {{0}};
    for (int c = 0; c < BX_POCKET_NCH; c++)
        for (int a = 0; a < BX_POCKET_NREG; a++)
            if ((r = reg_read(p, c, a, &regs[c][a])) != 0)
                return usb_fail(s, p, r, "reading MAX2771 registers");
    if (opts->conf_path) {
        uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG] = {{0}};
        char msg[240];
        if (bx_pocket_conf_load(opts->conf_path, regs, touched, msg, sizeof msg) != BX_OK) {
            bx__source_set_priv(s, p);
            pocket_close(s);
            bx__source_set_priv(s, NULL);
            return bx__source_fail(s, BX_ERR_FORMAT, "pocket: %s", msg);
        }
        /* The unpacker needs 2-bit sign/magnitude output. */
        for (int c = 0; c < BX_POCKET_NCH; c++) {
            bx_max2771_set(regs[c], "FORMAT", 1);
            bx_max2771_set(regs[c], "BITS", 2);
            touched[c][1] = 1;
        }
        for (int c = 0; c < BX_POCKET_NCH; c++)
            for (int a = 0; a < BX_POCKET_NREG; a++)
                if (touched[c][a] && a != 6 && a != 8 && a != 9 && (r = reg_write(p, c, a, regs[c][a])) != 0)
                    return usb_fail(s, p, r, "writing MAX2771 registers");
    }
    for (int c = 0; c < BX_POCKET_NCH; c++) {
        const uint32_t *rg = regs[c];
        if (p->ch >= 0 && c != p->ch)
            continue;
        if (bx_max2771_get(rg, "FORMAT") != 1 || bx_max2771_get(rg, "BITS") != 2) {
            bx__source_set_priv(s, p);
            pocket_close(s);
            bx__source_set_priv(s, NULL);
            return bx__source_fail(s, BX_ERR_UNSUPPORTED,
                                   "pocket: CH%d outputs FORMAT=%u BITS=%u; bdsrx unpacks 2-bit sign/magnitude "
                                   "only (program FORMAT=1 BITS=2 with conf=)", c + 1,
                                   bx_max2771_get(rg, "FORMAT"), bx_max2771_get(rg, "BITS"));
        }
    }
    /* One sample clock for both channels (a channel with EXTADCCLK=1 takes the other's). */
    double fs = bx_max2771_fadc_hz(regs[0], BX_POCKET_TCXO_HZ);
    if (!(fs > 0))
        fs = bx_max2771_fadc_hz(regs[1], BX_POCKET_TCXO_HZ);
    for (int c = 0; c < BX_POCKET_NCH; c++) {
        p->iq_ch[c] = (int)bx_max2771_get(regs[c], "IQEN");
        info->ch[c].format = p->iq_ch[c] ? BX_IQ_CI2 : BX_IQ_RI8;
        info->ch[c].fs_hz = fs;
        info->ch[c].fc_hz = bx_max2771_flo_hz(regs[c], BX_POCKET_TCXO_HZ);
        info->ch[c].if_hz = bx_max2771_if_hz(regs[c], BX_POCKET_TCXO_HZ);
    }
    const uint32_t *rg = regs[p->ch >= 0 ? p->ch : 0];
    p->iq = p->ch >= 0 ? p->iq_ch[p->ch] : 0;
    p->bulk_bytes = opts->block_bytes ? opts->block_bytes : BULK_BYTES_DEFAULT;
    p->bulk_bytes = (p->bulk_bytes + 511) / 512 * 512; /* whole USB 2.0 bulk packets */
    p->bulk = malloc(p->bulk_bytes);
    p->out = malloc(p->bulk_bytes);
    if (!p->bulk || !p->out)
        return usb_fail(s, p, LIBUSB_ERROR_NO_MEM, "allocating transfer buffers");
    bx__source_set_priv(s, p);
    bx__source_set_ops(s, &pocket_backend);
    snprintf(info->kind, sizeof info->kind, "pocket");
    if (p->ch < 0) {
        snprintf(info->device, sizeof info->device, "Pocket SDR FE #%d CH1+CH2 (MAX2771, %s + %s)", want,
                 p->iq_ch[0] ? "IQ" : "I", p->iq_ch[1] ? "IQ" : "I");
        info->channels = 2;
        info->format = -1; /* device bytes: bx_source_split_raw / read_multi */
        info->fs_hz = fs;
        info->fc_hz = info->ch[0].fc_hz;
        info->if_hz = info->ch[0].if_hz;
    } else {
        snprintf(info->device, sizeof info->device, "Pocket SDR FE #%d CH%d (MAX2771, %s)", want, p->ch + 1,
                 p->iq ? "IQ" : "I");
        info->format = p->iq ? BX_IQ_CI2 : BX_IQ_RI8;
        info->fs_hz = fs;
        info->fc_hz = info->ch[p->ch].fc_hz;
        info->if_hz = info->ch[p->ch].if_hz;
    }
    info->gain_db = bx_max2771_get(rg, "AGCMODE") == 2 ? (double)bx_max2771_get(rg, "GAININ") : NAN;
    info->agc = bx_max2771_get(rg, "AGCMODE") != 2;
    return BX_OK;
}

/* ---- raw Pocket SDR dumps --------------------------------------------------
 * "pocketfile:PATH?conf=FILE": a file of the device's own byte stream (both
 * channels, one byte per sample clock, as the bulk endpoint delivers it; what
 * PocketSDR's raw dump writes) replayed as a 2-channel source.  The .conf the
 * front end ran with says which channel is I or IQ and gives F_LO / F_ADC. */

typedef struct {
    FILE *f;
    char path[200];
} pfile_priv_t;

static long pfile_read(bx_source_t *s, void *raw, size_t n)
{
    pfile_priv_t *p = bx__source_priv(s);
    size_t got = fread(raw, 1, n / 2 * 2, p->f);
    if (got < n / 2 * 2 && ferror(p->f))
        return bx__source_fail(s, BX_ERR_IO, "%s: read error: %s", p->path, strerror(errno));
    return (long)(got / 2 * 2); /* a trailing odd byte (truncated dump) is ignored */
}

static void pfile_close(bx_source_t *s)
{
    pfile_priv_t *p = bx__source_priv(s);
    if (!p)
        return;
    if (p->f)
        fclose(p->f);
    free(p);
}

static const bx_source_ops_t pfile_backend = {
    .read_direct = pfile_read, .close = pfile_close, .demux = pocket_demux, .split = pocket_split};

static int pocketfile_open(bx_source_t *s, const char *path)
{
    const bx_source_opts_t *opts = bx__source_opts(s);
    bx_source_info_t *info = bx__source_info_w(s);
    if (!opts->conf_path)
        return bx__source_fail(s, BX_ERR_ARG,
                               "pocketfile: %s: give the front end's configuration with ?conf=FILE (PocketSDR "
                               ".conf): it says which channel is I or IQ and the LO/ADC frequencies", path);
    uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG] = {{0}};
    uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG] = {{0}};
    char msg[240];
    if (bx_pocket_conf_load(opts->conf_path, regs, touched, msg, sizeof msg) != BX_OK)
        return bx__source_fail(s, BX_ERR_FORMAT, "pocketfile: %s", msg);
    double fs = opts->fs_hz > 0 ? opts->fs_hz : bx_max2771_fadc_hz(regs[0], BX_POCKET_TCXO_HZ);
    if (!(fs > 0))
        fs = bx_max2771_fadc_hz(regs[1], BX_POCKET_TCXO_HZ);
    pfile_priv_t *p = calloc(1, sizeof *p);
    if (!p)
        return bx__source_fail(s, BX_ERR_NOMEM, "out of memory");
    p->f = fopen(path, "rb");
    if (!p->f) {
        int e = errno;
        free(p);
        return bx__source_fail(s, BX_ERR_IO, "pocketfile: %s: cannot open: %s", path, strerror(e));
    }
    snprintf(p->path, sizeof p->path, "%s", path);
    fseek(p->f, 0, SEEK_END);
    long size = ftell(p->f);
    fseek(p->f, 0, SEEK_SET);
    bx__source_set_priv(s, p);
    bx__source_set_ops(s, &pfile_backend);
    snprintf(info->kind, sizeof info->kind, "pocketfile");
    for (int c = 0; c < BX_POCKET_NCH; c++) {
        int iq = (int)bx_max2771_get(regs[c], "IQEN");
        info->ch[c].format = iq ? BX_IQ_CI2 : BX_IQ_RI8;
        info->ch[c].fs_hz = fs;
        info->ch[c].fc_hz = bx_max2771_flo_hz(regs[c], BX_POCKET_TCXO_HZ);
        info->ch[c].if_hz = bx_max2771_if_hz(regs[c], BX_POCKET_TCXO_HZ);
    }
    snprintf(info->device, sizeof info->device, "Pocket SDR raw dump %.120s (CH1 %s, CH2 %s)", path,
             info->ch[0].format == BX_IQ_CI2 ? "IQ" : "I", info->ch[1].format == BX_IQ_CI2 ? "IQ" : "I");
    info->channels = 2;
    info->format = -1;
    info->fs_hz = fs;
    info->fc_hz = info->ch[0].fc_hz;
    info->if_hz = info->ch[0].if_hz;
    info->total_samples = size >= 0 ? size / 2 * 2 : -1;
    return BX_OK;
}

const bx_source_kind_t bx__source_kind_pocket = {"pocket", 0, pocket_open};

const bx_source_kind_t bx__source_kind_pocketfile = {"pocketfile", 0, pocketfile_open};
