/*
 * Pocket SDR class front end (two MAX2771 channels behind a Cypress FX2LP USB
 * controller): the pure, testable parts of the protocol.  src/io/source_pocket.c
 * does the USB I/O with libusb.  Internal to the library (not public API).
 *
 * USB (FX2LP firmware of the Pocket SDR FE, as implemented here):
 *   VID:PID 04b4:1004, interface 0, samples on bulk IN endpoint 0x86.
 *   Vendor control requests (bmRequestType 0xC0 IN / 0x40 OUT, wIndex 0):
 *     0x40 STAT      read status
 *     0x41 REG_READ  wValue = (channel << 8) | address, 4 data bytes IN, MSB first
 *     0x42 REG_WRITE wValue = (channel << 8) | address, 4 data bytes OUT, MSB first
 *     0x47 SAVE      store the current registers in the FX2 EEPROM (loaded at reset)
 *   channel 0 = CH1, 1 = CH2; MAX2771 addresses 0x0..0xA (0x6, 0x8, 0x9 are reserved/test
 *   and never written).
 *
 * Sample stream: one byte per sample clock, both channels at once:
 *     bits 1:0 CH1 I   bits 3:2 CH1 Q   bits 5:4 CH2 I   bits 7:6 CH2 Q
 *   each 2-bit field in MAX2771 sign/magnitude (register FORMAT=1, BITS=2):
 *     bit 1 = sign (1 = negative), bit 0 = magnitude -> 0:+1 1:+3 2:-1 3:-3
 *   A channel with IQEN=0 (I only, real sampling at an IF) uses only its I field.
 *   The Q field has the opposite polarity: the complex sample is level(I) - j level(Q), as
 *   PocketSDR reads it (src/sdr_rcv.c gen_LUTC: valI_2b {1,3,-1,-3}, valQ_2b {-1,-3,1,3}; its
 *   pocket_dump files keep the codes as INT8X2 and its readers negate Q).  Read straight, every
 *   Doppler on the real 4 MHz IQ capture has the wrong sign (tests/test_acq.c).  This is the same
 *   2-bit coding as the bdsrx ci2 file format (testdata/README.md) up to that sign, so the
 *   CH1/CH2 nibbles of two consecutive bytes pack losslessly into one ci2 byte with the Q sign
 *   bits flipped (XOR 0x88); all unpackers below return I - jQ.
 *
 * MAX2771 register fields (name, address, width, LSB position) are from the MAX2771 data
 * sheet (Maxim, "MAX2771 Multiband Universal GNSS Receiver", 2018), register map §; the
 * configuration text format is PocketSDR's pocket_conf "[CHn] FIELD = value" (and the
 * hexadecimal "CH ADDR VALUE" lines), so its .conf files can be used unchanged.
 *   F_LO  = F_TCXO / RDIV * (NDIV + FDIV / 2^20)   (integer-N: FDIV ignored)
 *   F_ADC = F_TCXO * [PREFRACDIV_SEL: L/(4096 - M + L)] * [!ADCCLK: REFDIV ratio]
 *                  * [FCLKIN: ADC_L/(4096 - ADC_M + ADC_L)], 0 when EXTADCCLK=1
 *   REFDIV ratio: 0 x2, 1 x1/4, 2 x1/2, 3 x1, 4 x4;   F_TCXO = 24 MHz on the Pocket SDR FE.
 */
#ifndef BDSRX_POCKET_PROTO_H
#define BDSRX_POCKET_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define BX_POCKET_VID 0x04B4
#define BX_POCKET_PID 0x1004
#define BX_POCKET_IFACE 0
#define BX_POCKET_EP_IN 0x86
#define BX_POCKET_VR_STAT 0x40
#define BX_POCKET_VR_REG_READ 0x41
#define BX_POCKET_VR_REG_WRITE 0x42
#define BX_POCKET_VR_SAVE 0x47
#define BX_POCKET_NCH 2
#define BX_POCKET_NREG 11
#define BX_POCKET_TCXO_HZ 24.0e6

typedef struct {
    const char *name;
    uint8_t addr, nbit, pos;
} bx_max2771_field_t;

/* Field by name (NULL if unknown); the table ends with a NULL name. */
const bx_max2771_field_t *bx_max2771_field(const char *name);
const bx_max2771_field_t *bx_max2771_fields(void);
/* Sets a field in a register image; BX_ERR_ARG if unknown name or value too wide. */
int bx_max2771_set(uint32_t regs[BX_POCKET_NREG], const char *name, uint32_t value);
uint32_t bx_max2771_get(const uint32_t regs[BX_POCKET_NREG], const char *name);

double bx_max2771_flo_hz(const uint32_t regs[BX_POCKET_NREG], double tcxo_hz);
double bx_max2771_fadc_hz(const uint32_t regs[BX_POCKET_NREG], double tcxo_hz);
/* IF filter centre (0 for the lowpass setting), Hz. */
double bx_max2771_filter_centre_hz(const uint32_t regs[BX_POCKET_NREG]);

/* IF of the GNSS signal in a channel's samples: 0 for IQ (complex baseband, LO on the carrier);
 * for I-only (real) sampling the carrier among the GNSS bands (1575.42, 1561.098, 1278.75,
 * 1268.52, 1227.60, 1207.14, 1176.45 MHz) nearest to LO + filter centre, minus the LO: the
 * filter centre alone is only a coarse step (6.035 MHz for an IF of 6.000 MHz). */
double bx_max2771_if_hz(const uint32_t regs[BX_POCKET_NREG], double tcxo_hz);

/* Applies a PocketSDR-style configuration text to register images of both channels.
 * touched[ch][addr] is set to 1 for every register the text changes.  Returns BX_OK or
 * BX_ERR_FORMAT with "line N: ..." in err. */
int bx_pocket_conf_apply(const char *text, uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG],
                         uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG], char *err, size_t errlen);

/* Reads a configuration file and applies it as bx_pocket_conf_apply does; err names the file. */
int bx_pocket_conf_load(const char *path, uint32_t regs[BX_POCKET_NCH][BX_POCKET_NREG],
                        uint8_t touched[BX_POCKET_NCH][BX_POCKET_NREG], char *err, size_t errlen);

/* Control-transfer encoding of a register access. */
uint16_t bx_pocket_reg_wvalue(int ch, int addr);
void bx_pocket_reg_pack(uint32_t value, uint8_t out[4]);
uint32_t bx_pocket_reg_unpack(const uint8_t in[4]);

/* Sample unpacking.  ch is 0 (CH1) or 1 (CH2). */
int bx_pocket_level(unsigned code2);   /* 2-bit sign/magnitude code -> +-1, +-3 */
/* n stream bytes -> n complex int8 samples (2n bytes, I,Q interleaved). */
void bx_pocket_unpack_ci8(const uint8_t *in, size_t n, int ch, int8_t *out);
/* n stream bytes -> n real int8 samples (the channel's I field). */
void bx_pocket_unpack_ri8(const uint8_t *in, size_t n, int ch, int8_t *out);
/* n stream bytes -> n complex float samples of channel ch (iq = 0: real, imaginary 0). */
void bx_pocket_unpack_cf32(const uint8_t *in, size_t n, int ch, int iq, float _Complex *out);
/* n stream bytes (n even) -> n/2 bytes of ci2 (two complex samples per byte). */
void bx_pocket_pack_ci2(const uint8_t *in, size_t n, int ch, uint8_t *out);

/* The same across USB transfers of any length: a stream byte left over from an odd-length
 * transfer waits in *pending (*has_pending = 1) and pairs with the next transfer's first byte.
 * Returns the ci2 bytes written to out (at most (n + 1) / 2). */
size_t bx_pocket_stream_ci2(uint8_t *pending, int *has_pending, const uint8_t *in, size_t n, int ch,
                            uint8_t *out);

#endif
