/* bdsrx nav-decode: decode B-CNAV1/B-CNAV2/B-CNAV3 frames or messages from files
 * (qzsl6tool binary .b2b records, or hex text) and print every field with units;
 * --eph also runs the ephemeris assembler.  A thin main over nav/cnav*_msg.c,
 * nav/cnav*_frame.c and nav/msg/ephasm.c. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bdsrx/bits.h"
#include "bdsrx/fec.h"
#include "bdsrx/navframe.h"
#include "bdsrx/navmsg.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/time.h"
#include "navmsg_json.h"
#include "pppb2b_json.h"
#include "cli.h"
#include "cli_opt.h"

typedef struct {
    int json, eph;
    bx_ephasm_t *as;
    bx_b2b_store_t *b2b; /* PPP-B2b mask state per GEO (MT4 satellites, IOD checks) */
    long n_msg, n_bad;
} ctx_t;

/* ---------------- output ---------------- */

static void print_flat(const char *prefix, json_t *v, int *first)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            char p[256];
            snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", k);
            print_flat(p, x, first);
        }
        return;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            char p[256];
            snprintf(p, sizeof p, "%s[%zu]", prefix, i);
            print_flat(p, x, first);
        }
        return;
    }
    printf("%s%s=", *first ? "" : " ", prefix);
    *first = 0;
    if (json_is_integer(v))
        printf("%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        printf("%.12g", json_real_value(v));
    else if (json_is_string(v))
        printf("%s", json_string_value(v));
    else if (json_is_boolean(v))
        printf("%s", json_is_true(v) ? "true" : "false");
    else if (json_is_null(v))
        printf("null");
}

static void emit(ctx_t *c, json_t *o)
{
    if (c->json) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        if (s)
            puts(s);
        free(s);
    } else {
        int first = 1;
        print_flat("", o, &first);
        putchar('\n');
    }
    json_decref(o);
}


static void bad(ctx_t *c, int prn, const char *sig, const char *what, int status)
{
    json_t *o = json_object();
    json_object_set_new(o, "prn", json_integer(prn));
    json_object_set_new(o, "sig", json_string(sig));
    json_object_set_new(o, "msg", json_string("ERROR"));
    json_object_set_new(o, "error", json_string(what));
    json_object_set_new(o, "status", json_string(bx_strerror(status)));
    c->n_bad++;
    emit(c, o);
}

static void released(ctx_t *c, int r, const bx_eph_t *e)
{
    if (c->eph && r == 1)
        emit(c, bx_navmsg_json_eph(e));
}

/* ---------------- messages ---------------- */

/* soh < 0: unknown (bare subframes) */
static void do_cnav1(ctx_t *c, int prn, int soh, const uint8_t *sf2, const uint8_t *sf3)
{
    bx_cnav1_sf2_t m2;
    bx_cnav1_sf3_t m3;
    int have2 = sf2 && bx_cnav1_sf2_parse(sf2, &m2) == BX_OK;
    int have3 = sf3 && bx_cnav1_sf3_parse(sf3, &m3) == BX_OK;
    if (have2) {
        c->n_msg++;
        emit(c, bx_navmsg_json_sf2(prn, soh, &m2));
    }
    if (sf3) {
        c->n_msg++;
        emit(c, bx_navmsg_json_sf3(prn, &m3));
    }
    if (prn >= 1 && soh >= 0 && (have2 || have3)) {
        bx_eph_t e;
        released(c, bx_ephasm_add_cnav1(c->as, prn, soh, have2 ? &m2 : NULL, have3 ? &m3 : NULL, &e), &e);
    }
}

static void do_cnav2(ctx_t *c, const uint8_t msg[288])
{
    bx_cnav2_msg_t m;
    int st = bx_cnav2_parse(msg, &m);
    int valid_prn = m.prn >= 1 && m.prn <= BX_PRN_MAX;
    c->n_msg++;
    emit(c, bx_navmsg_json_cnav2(&m, valid_prn ? bx_ephasm_week(c->as, m.prn) : -1));
    if (st == BX_OK && valid_prn) {
        bx_eph_t e;
        released(c, bx_ephasm_add_cnav2(c->as, &m, &e), &e);
    }
}

/* PPP-B2b block from GEO prn; t_rx = BDT receive time, NULL when unknown */
static void do_pppb2b(ctx_t *c, int prn, const uint8_t msg[486], const bx_time_t *t_rx)
{
    bx_b2b_msg_t m;
    int st = bx_b2b_parse(msg, &m);
    if (st != BX_OK && st != BX_ERR_UNSUPPORTED) {
        bad(c, prn, "B2B-PPP", "PPP-B2b message: bad layout", st);
        return;
    }
    /* without a receive time the day is unknown: day 0 (only the time of day is printed) */
    bx_time_t t = t_rx ? *t_rx : bx_time_make(m.h.epoch_s, 0.0);
    bx_b2b_store_resolve(c->b2b, prn, &m);
    int r = bx_b2b_store_add(c->b2b, prn, t, &m);
    c->n_msg++;
    json_t *o = bx_navmsg_json_b2b(prn, &m);
    if (t_rx) {
        int wk;
        double sow = bx_time_to_week_sow(*t_rx, &wk);
        json_t *tr = json_object();
        json_object_set_new(tr, "week", json_integer(wk));
        json_object_set_new(tr, "tow_s", json_real(sow));
        json_object_set_new(o, "t_rx", tr);
    }
    if (m.type >= 2 && m.type <= 7)
        json_object_set_new(o, "store", json_string(bx_b2b_add_str(r)));
    emit(c, o);
}

static void do_cnav3(ctx_t *c, int prn, const uint8_t msg[486])
{
    if (prn >= BX_B2B_GEO_MIN) { /* GEO: PPP-B2b (pppb2b.md §1) */
        do_pppb2b(c, prn, msg, NULL);
        return;
    }
    bx_cnav3_msg_t m;
    int st = bx_cnav3_parse(msg, prn, &m);
    int valid_prn = prn >= 1 && prn <= BX_PRN_MAX;
    c->n_msg++;
    emit(c, bx_navmsg_json_cnav3(&m, valid_prn ? bx_ephasm_week(c->as, prn) : -1));
    if (st == BX_OK && valid_prn && prn < 59) {
        bx_eph_t e;
        released(c, bx_ephasm_add_cnav3(c->as, &m, &e), &e);
    }
}

/* ---------------- frames and items ---------------- */

static void to_soft(const uint8_t *bits, int n, float *soft)
{
    for (int i = 0; i < n; i++)
        soft[i] = bits[i] ? -1.0f : 1.0f; /* logic 0 -> +1 */
}

static void do_b1c_frame(ctx_t *c, const uint8_t sym[1800])
{
    float soft[1800];
    bx_cnav1_frame_t f;
    to_soft(sym, 1800, soft);
    int st = bx_cnav1_decode(soft, &f);
    if (st != BX_OK || !f.sf1_ok) {
        bad(c, f.prn, "B1C", "frame: SF1/SF2/SF3 not decoded", st);
        return;
    }
    if (!f.sf2_ok)
        bad(c, f.prn, "B1C", "subframe 2: LDPC/CRC failed", BX_ERR_CRC);
    if (!f.sf3_ok)
        bad(c, f.prn, "B1C", "subframe 3: LDPC/CRC failed", BX_ERR_CRC);
    do_cnav1(c, f.prn, f.soh, f.sf2_ok ? f.sf2 : NULL, f.sf3_ok ? f.sf3 : NULL);
}

static void do_b2a_frame(ctx_t *c, const uint8_t sym[600])
{
    float soft[600];
    uint8_t msg[288];
    to_soft(sym, 600, soft);
    int st = bx_cnav2_decode(soft, msg);
    if (st != BX_OK) {
        bad(c, 0, "B2A", "frame: LDPC/CRC failed", st);
        return;
    }
    do_cnav2(c, msg);
}

static void do_b2b_frame(ctx_t *c, const uint8_t sym[1000])
{
    float soft[1000];
    uint8_t msg[486];
    int prn = (int)bx_bits_getu(sym, 16, 6);
    to_soft(sym, 1000, soft);
    int st = bx_cnav3_decode_prn(soft, msg, &prn);
    if (st != BX_OK) {
        bad(c, prn, "B2B", "frame: LDPC/CRC failed", st);
        return;
    }
    do_cnav3(c, prn, msg);
}

/* CRC-protected bare message of n bits */
static int crc_ok(ctx_t *c, int prn, const char *sig, const uint8_t *b, int n)
{
    if (bx_crc24q_check(b, n))
        return 1;
    bad(c, prn, sig, "CRC-24Q mismatch", BX_ERR_CRC);
    return 0;
}

static void do_item(ctx_t *c, int prn, const uint8_t *b, int n, const char *where)
{
    switch (n) {
    case 1800: do_b1c_frame(c, b); return;
    case 1000: do_b2b_frame(c, b); return;
    case 600:
        if (bx_bits_getu(b, 0, 24) == BX_CNAV2_PREAMBLE)
            do_b2a_frame(c, b);
        else if (crc_ok(c, prn, "B1C", b, 600))
            do_cnav1(c, prn, -1, b, NULL);
        return;
    case 1200:
        if (crc_ok(c, prn, "B1C", b, 600))
            do_cnav1(c, prn, -1, b, NULL);
        return;
    case 264:
    case 528:
        if (crc_ok(c, prn, "B1C", b, 264))
            do_cnav1(c, prn, -1, NULL, b);
        return;
    case 288:
    case 576:
        if (crc_ok(c, prn, "B2A", b, 288))
            do_cnav2(c, b);
        return;
    case 486:
    case 488: /* 486 bits written as 122 hex digits */
    case 972:
        if (crc_ok(c, prn, "B2B", b, 486))
            do_cnav3(c, prn, b);
        return;
    default:
        fprintf(stderr, "nav-decode: %s: %d bits is no known frame or message length (see --help); skipped\n",
                where, n);
    }
}

/* one text item: "[PRN] HEX" */
static void do_text_item(ctx_t *c, char *s, const char *where)
{
    static uint8_t bits[4 * 4096];
    int prn = 0;
    char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    char *sp = strpbrk(p, " \t");
    if (sp) { /* a leading decimal PRN */
        char *end;
        long v = strtol(p, &end, 10);
        if (end == sp && v >= 0 && v <= 63) {
            prn = (int)v;
            p = sp;
        }
    }
    int n = bx_bits_from_hex(p, bits, (int)sizeof bits);
    if (n <= 0) {
        fprintf(stderr, "nav-decode: %s: no hex digits; skipped\n", where);
        return;
    }
    /* 1000-bit frames are 250 digits; 486-bit blocks 122 digits (2 padding bits) */
    do_item(c, prn, bits, n, where);
}

static int run_text(ctx_t *c, FILE *f, const char *name)
{
    char line[8192];
    static char block[65536];
    int in_fence = 0;
    size_t blen = 0;
    long ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", name, ln);
        line[strcspn(line, "\r\n")] = '\0';
        if (!strncmp(line, "```", 3)) {
            if (in_fence && blen > 0)
                do_text_item(c, block, where);
            in_fence = !in_fence;
            blen = 0;
            block[0] = '\0';
            continue;
        }
        if (in_fence) {
            size_t l = strlen(line);
            if (blen + l + 1 < sizeof block) {
                memcpy(block + blen, line, l + 1);
                blen += l;
            }
            continue;
        }
        char *h = strchr(line, '#');
        if (h)
            *h = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        /* a cssrlib-data PPP-B2b log line: week tow prn src nbytes hex */
        {
            uint8_t b[486];
            bx_time_t t;
            int prn;
            if (bx_b2b_log_parse(p, &t, &prn, b) == BX_OK) {
                if (crc_ok(c, prn, "B2B-PPP", b, 486))
                    do_pppb2b(c, prn, b, &t);
                continue;
            }
        }
        /* outside fences only lines made of [PRN] + hex are items (Markdown prose is not) */
        if (!*p || strspn(p, "0123456789abcdefABCDEF \t") != strlen(p))
            continue;
        do_text_item(c, p, where);
    }
    return ferror(f) ? 1 : 0;
}

static int run_b2b_binary(ctx_t *c, FILE *f, const char *name)
{
    uint8_t rec[125], sym[1000];
    long k = 0;
    size_t got;
    while ((got = fread(rec, 1, sizeof rec, f)) == sizeof rec) {
        k++;
        if (rec[0] != 0xEB || rec[1] != 0x90) {
            fprintf(stderr, "nav-decode: %s: record %ld has no EB90 preamble; skipped\n", name, k);
            continue;
        }
        bx_bits_from_bytes(rec, 1000, sym);
        do_b2b_frame(c, sym);
    }
    if (got != 0)
        fprintf(stderr, "nav-decode: %s: %zu trailing bytes (not a whole 125-byte record) ignored\n", name, got);
    return ferror(f) ? 1 : 0;
}

static int run_file(ctx_t *c, const char *path)
{
    if (!strcmp(path, "-")) /* stdin: text only (cannot peek and rewind a pipe) */
        return run_text(c, stdin, "stdin");
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "nav-decode: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    uint8_t pre[2] = {0, 0};
    size_t n = fread(pre, 1, 2, f);
    rewind(f);
    int rc = (n == 2 && pre[0] == 0xEB && pre[1] == 0x90) ? run_b2b_binary(c, f, path)
                                                          : run_text(c, f, path);
    fclose(f);
    return rc;
}

static const char NAV_ABOUT[] =
    "Decodes BDS-3 navigation data and prints one message per line (--json: one JSON\n"
    "object per line; every field is named with its unit suffix: _s, _m, _rad, _rad_s,\n"
    "_mps, _tecu, _as (arcsec), _d (per day); raw indices carry no suffix).  FILE '-' = stdin\n"
    "(text format).\n"
    "\n"
    "Inputs (detected per file):\n"
    "  binary  qzsl6tool .b2b: 125-byte records, each a 1000-symbol B2b frame\n"
    "          (EB90 | PRN | 6 reserved | 972 LDPC symbols); GEO PRNs (>= 59) carry PPP-B2b\n"
    "          (message types 1-7, 63; shared/icd/pppb2b.md), decoded with SI units.\n"
    "  text    one item per line, '#' starts a comment:  [PRN] HEX\n"
    "          HEX = first transmitted bit first, zero padded at the end to 4 bits; the\n"
    "          kind follows from its length:\n"
    "            1800 bits  B-CNAV1 frame (SF1 + interleaved SF2/SF3 symbols, as logic bits)\n"
    "             600 bits  B-CNAV2 frame if it starts with the preamble E24DE8,\n"
    "                       else B-CNAV1 subframe 2 (576 data + CRC)\n"
    "            1000 bits  B-CNAV3 frame (starts with EB90)\n"
    "             264 bits  B-CNAV1 subframe 3     288 bits  B-CNAV2 message\n"
    "             486 bits  B-CNAV3 block (MesType..CRC)\n"
    "            1200 / 528 / 576 / 972 bits  LDPC codewords of SF2 / SF3 / B-CNAV2 /\n"
    "                       B-CNAV3 (the systematic part is used)\n"
    "          Markdown ``` blocks are joined into one item, so shared/icd/testvectors.md\n"
    "          can be given directly.  PRN is needed only where the bits do not carry it.\n"
    "          cssrlib-data PPP-B2b logs: 'GPS_week GPS_TOW PRN src nbytes HEX' lines.\n"
    "PPP-B2b: the MT1 mask of each GEO is kept to name the satellites of MT4 clock\n"
    "entries; \"store\" says whether the message passes the IOD SSR / IODP checks.\n"
    "Frames go through the channel decoders (LDPC + CRC); bare messages must pass their\n"
    "CRC-24Q.  Times: tow_s / t_frame = BDT transmission time of the first symbol of the\n"
    "frame (B-CNAV1: HOW*3600 + SOH*18, B-CNAV2: 3*SOW, B-CNAV3: SOW).";

int cli_nav_decode(int argc, char **argv)
{
    ctx_t c = {0};
    int nfiles = 0, quiet = 0;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return 1;
    const cli_opt_t opts[] = {
        {"json", 0, CLI_FLAG, &c.json, 0, 0, NULL, "JSON lines instead of key=value text", NULL, 0, 0},
        {"eph", 0, CLI_FLAG, &c.eph, 0, 0, NULL,
         "also print every complete ephemeris released by the assembler (\"EPH\")", NULL, 0, 0},
        CLI_QUIET_OPT(&quiet),
        CLI_OPT_END,
    };
    const cli_cmd_t cmd = {"bdsrx nav-decode", "[--json] [--eph] FILE...", NAV_ABOUT, opts, NULL, 1, -1};
    int pr = cli_opt_parse(&cmd, argc, argv, files, &nfiles);
    if (pr) {
        free(files);
        return pr == 1 ? 0 : 2;
    }
    bx_ephasm_create(&c.as, NULL, 0);
    char err[200];
    if (bx_b2b_store_create(NULL, &c.b2b, err, sizeof err) != BX_OK) {
        bx_ephasm_destroy(c.as);
        fprintf(stderr, "nav-decode: %s\n", err);
        free(files);
        return 1;
    }
    if (!c.as) {
        fprintf(stderr, "nav-decode: out of memory\n");
        bx_b2b_store_destroy(c.b2b);
        free(files);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++)
        rc |= run_file(&c, files[i]);
    bx_ephasm_destroy(c.as);
    bx_b2b_store_destroy(c.b2b);
    free(files);
    if (!quiet)
        fprintf(stderr, "nav-decode: %ld messages decoded, %ld errors\n", c.n_msg, c.n_bad);
    return rc;
}
