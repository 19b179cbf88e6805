/*
 * bdsrx — the rtl_tcp protocol (osmocom rtl-sdr's rtl_tcp), client helpers
 * and a small server that streams any bx_source as an rtl_tcp dongle.
 *
 * Wire format (TCP, network byte order):
 *   server -> client, once: 12-byte dongle info  "RTL0" | tuner type u32 BE | gain count u32 BE
 *   server -> client, then: interleaved unsigned 8-bit I,Q samples, zero at 127.5
 *   client -> server, any time: 5-byte commands  [cmd u8][param u32 BE]
 *     0x01 centre frequency Hz   0x02 sample rate Hz     0x03 gain mode (0 auto, 1 manual)
 *     0x04 gain (tenths of dB)   0x05 frequency correction ppm   0x06 IF gain (stage<<16 | gain)
 *     0x07 test mode             0x08 RTL AGC on/off     0x09 direct sampling
 *     0x0a offset tuning         0x0b RTL xtal Hz        0x0c tuner xtal Hz
 *     0x0d gain by index         0x0e bias tee on/off
 *
 * bdsrx maps u8 <-> signed int8 by flipping the top bit (x ^ 0x80, i.e. an offset of 128,
 * not 127.5): the mapping is a bijection, so a ci8 capture served as rtl_tcp and received
 * again is bit-exact, and an RTL-SDR recording stored as SigMF ci8 keeps every ADC code.
 * The 0.5 LSB DC offset this leaves is below one quantisation step and is removed by the
 * zero-mean spreading codes in correlation.
 *
 * Threads: the protocol codecs are pure; a server is driven by one thread, bx_rtltcp_server_stop
 * may be called from any thread or a signal handler.
 */
#ifndef BDSRX_RTLTCP_H
#define BDSRX_RTLTCP_H

#include <stddef.h>
#include <stdint.h>

#include "bdsrx/source.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    BX_RTLTCP_SET_FREQ = 0x01,
    BX_RTLTCP_SET_RATE = 0x02,
    BX_RTLTCP_SET_GAIN_MODE = 0x03,
    BX_RTLTCP_SET_GAIN = 0x04,
    BX_RTLTCP_SET_PPM = 0x05,
    BX_RTLTCP_SET_IF_GAIN = 0x06,
    BX_RTLTCP_SET_TEST_MODE = 0x07,
    BX_RTLTCP_SET_AGC = 0x08,
    BX_RTLTCP_SET_DIRECT_SAMPLING = 0x09,
    BX_RTLTCP_SET_OFFSET_TUNING = 0x0a,
    BX_RTLTCP_SET_RTL_XTAL = 0x0b,
    BX_RTLTCP_SET_TUNER_XTAL = 0x0c,
    BX_RTLTCP_SET_GAIN_INDEX = 0x0d,
    BX_RTLTCP_SET_BIAS_TEE = 0x0e
};

#define BX_RTLTCP_HEADER_BYTES 12
#define BX_RTLTCP_CMD_BYTES 5

/* Encodes one command; decodes one (returns the command byte). */
void bx_rtltcp_cmd_encode(uint8_t out[BX_RTLTCP_CMD_BYTES], int cmd, uint32_t param);
int bx_rtltcp_cmd_decode(const uint8_t in[BX_RTLTCP_CMD_BYTES], uint32_t *param);

/* Dongle info header; parse returns BX_ERR_FORMAT if the magic is not "RTL0". */
void bx_rtltcp_header_encode(uint8_t out[BX_RTLTCP_HEADER_BYTES], uint32_t tuner_type, uint32_t gain_count);
int bx_rtltcp_header_parse(const uint8_t in[BX_RTLTCP_HEADER_BYTES], uint32_t *tuner_type,
                           uint32_t *gain_count);
const char *bx_rtltcp_tuner_name(uint32_t tuner_type);

/* Quantises complex float samples to rtl_tcp u8 IQ: u8 = clamp(round(x * scale), -128, 127) ^ 0x80. */
void bx_rtltcp_quantise(const bx_cf32_t *x, size_t n, float scale, uint8_t *restrict out);

/* Scale that maps one LSB of an integer capture format to one LSB of u8 (ci16: its top
 * byte), so integer captures are served exactly; 1.0 for cf32/ri1. */
float bx_rtltcp_default_scale(int format);

/* ---- server: serves one bx_source to rtl_tcp clients -------------------- */
typedef struct bx_rtltcp_server bx_rtltcp_server_t;

typedef struct {
    uint32_t freq_hz, rate_hz;  /* last values the client asked for (0 = never) */
    int gain_mode, agc, bias_tee;
    int32_t gain_tenth_db, ppm;
    uint64_t commands, bytes_sent;
    uint32_t refused_rate_hz;   /* the client asked for this rate, which the source cannot give: the
                                   connection was closed (BX_ERR_UNSUPPORTED from serve); 0 = none */
} bx_rtltcp_client_state_t;

/* Binds and listens on bind_addr:port (port 0 = any free port; see _port()).  bind_addr
 * NULL means 127.0.0.1: loopback only unless the caller asks for more. */
int bx_rtltcp_server_create(const char *bind_addr, int port, bx_rtltcp_server_t **out, char *err,
                            size_t errlen);
int bx_rtltcp_server_port(const bx_rtltcp_server_t *srv);

/* Waits for one client, sends the dongle header and streams src (quantised with `scale`)
 * until the source ends, the client disconnects or _stop() is called; client commands are
 * decoded into *state (may be NULL).  A sample rate the source does not have (more than 1 Hz
 * off; nothing is resampled) ends the connection at once: BX_ERR_UNSUPPORTED, with
 * state->refused_rate_hz and a message in err, so the client notices instead of decoding
 * samples at the wrong rate.  Returns BX_OK, or an error with a message in err. */
int bx_rtltcp_server_serve(bx_rtltcp_server_t *srv, bx_source_t *src, float scale,
                           bx_rtltcp_client_state_t *state, char *err, size_t errlen);

/* Async-signal-safe: makes serve() return soon. */
void bx_rtltcp_server_stop(bx_rtltcp_server_t *srv);
void bx_rtltcp_server_destroy(bx_rtltcp_server_t *srv);

#ifdef __cplusplus
}
#endif
#endif
