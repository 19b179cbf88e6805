/*
 * Capture parameters from outside the samples: SigMF .sigmf-meta sidecars
 * (jansson) and PocketSDR-style .tag files (the --format/--fs/--fc/--if flags
 * are parsed on the command-line side, src/cli/cli_iqflags.c).  Key conventions: include/bdsrx/iq.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "bdsrx/iq.h"

/* ---- SigMF ---- */

static int json_num(json_t *o, const char *key, double *v)
{
    json_t *j = json_object_get(o, key);
    if (!j)
        return 0;
    if (!json_is_number(j))
        return -1;
    *v = json_number_value(j);
    return 1;
}

int bx_iq_sigmf_read(const char *meta_path, bx_iq_params_t *p, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(meta_path, 0, &je);
    if (!root) {
        struct stat st;
        if (stat(meta_path, &st) != 0) {
            snprintf(err, errlen, "%s: cannot read SigMF metadata: %s", meta_path, strerror(errno));
            return BX_ERR_IO;
        }
        snprintf(err, errlen, "%s:%d: invalid JSON in SigMF metadata: %s", meta_path, je.line, je.text);
        return BX_ERR_FORMAT;
    }
    int rc = BX_ERR_FORMAT;
    json_t *global = json_object_get(root, "global");
    if (!json_is_object(global)) {
        snprintf(err, errlen, "%s: SigMF metadata has no \"global\" object", meta_path);
        goto out;
    }
    const char *dt = json_string_value(json_object_get(global, "core:datatype"));
    const char *bf = json_string_value(json_object_get(global, "bdsrx:format"));
    int f = -1;
    if (bf) {
        if (bx_iq_format_from_name(bf, &f) != BX_OK) {
            snprintf(err, errlen, "%s: unknown bdsrx:format \"%s\" (use ci8 ci16 cf32 ri8 ci2 ri1 int8x2)", meta_path, bf);
            rc = BX_ERR_UNSUPPORTED;
            goto out;
        }
    } else if (dt) {
        if (bx_iq_format_from_name(dt, &f) != BX_OK) {
            snprintf(err, errlen,
                     "%s: SigMF datatype \"%s\" is not supported (supported: ci8, ci16_le, cf32_le, ri8; convert "
                     "the capture or give --format with a matching raw layout)",
                     meta_path, dt);
            rc = BX_ERR_UNSUPPORTED;
            goto out;
        }
    }
    if (f >= 0)
        p->format = f;
    double v;
    int k = json_num(global, "core:sample_rate", &v);
    if (k < 0 || (k > 0 && !(v > 0.0))) {
        snprintf(err, errlen, "%s: core:sample_rate must be a positive number", meta_path);
        goto out;
    }
    if (k > 0)
        p->fs_hz = v;
    k = json_num(global, "bdsrx:if_hz", &v);
    if (k < 0) {
        snprintf(err, errlen, "%s: bdsrx:if_hz must be a number", meta_path);
        goto out;
    }
    if (k > 0)
        p->if_hz = v;
    json_t *caps = json_object_get(root, "captures");
    json_t *c0 = json_is_array(caps) ? json_array_get(caps, 0) : NULL;
    if (c0) {
        k = json_num(c0, "core:frequency", &v);
        if (k < 0) {
            snprintf(err, errlen, "%s: captures[0].core:frequency must be a number", meta_path);
            goto out;
        }
        if (k > 0)
            p->fc_hz = v;
    }
    rc = BX_OK;
out:
    json_decref(root);
    return rc;
}

int bx_iq_sigmf_write(const char *meta_path, const bx_iq_params_t *p, const char *datetime_utc,
                      const char *extra_json_or_NULL)
{
    return bx_iq_sigmf_write_annotated(meta_path, p, datetime_utc, extra_json_or_NULL, NULL, 0);
}

/* SigMF 1.0 "annotations" array: one object per entry, keys in the order of the spec. */
static json_t *annotations_json(const bx_iq_annotation_t *ann, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "core:sample_start", json_integer((json_int_t)ann[i].sample_start));
        json_object_set_new(a, "core:sample_count", json_integer((json_int_t)ann[i].sample_count));
        if (ann[i].label)
            json_object_set_new(a, "core:label", json_string(ann[i].label));
        if (ann[i].comment)
            json_object_set_new(a, "core:comment", json_string(ann[i].comment));
        json_array_append_new(arr, a);
    }
    return arr;
}

int bx_iq_sigmf_write_annotated(const char *meta_path, const bx_iq_params_t *p, const char *datetime_utc,
                                const char *extra_json_or_NULL, const bx_iq_annotation_t *ann, size_t n)
{
    if (!meta_path || !p || p->format < 0 || p->format >= BX_IQ_FORMAT_COUNT || !(p->fs_hz > 0.0) ||
        (n && !ann))
        return BX_ERR_ARG;
    /* SigMF core:datatype (SigMF 1.2 §"Dataset Format": (c|r)(f32|f64|i32|i16|u32|u16|i8|u8)
     * with _le/_be for multi-byte types).  The packed formats have no SigMF type: their bytes
     * are declared "ru8" and the bdsrx extension (data/bdsrx.sigmf-ext.md) says how each byte
     * packs samples; the extension is then marked required ("optional": false), as it is for
     * int8x2, whose ci8 bytes carry Q with the opposite sign.  bdsrx-convert turns any of them
     * into a plain ci8/ci16/cf32 capture that every SigMF reader understands. */
    static const char *const sigmf_name[BX_IQ_FORMAT_COUNT] = {
        [BX_IQ_CI8] = "ci8", [BX_IQ_CI16] = "ci16_le", [BX_IQ_CF32] = "cf32_le",
        [BX_IQ_RI8] = "ri8", [BX_IQ_CI2] = "ru8",      [BX_IQ_RI1] = "ru8",
        [BX_IQ_INT8X2] = "ci8",
    };
    const int ext_required = p->format == BX_IQ_CI2 || p->format == BX_IQ_RI1 || p->format == BX_IQ_INT8X2;
    json_t *root = json_object(), *global = json_object(), *caps = json_array(), *c0 = json_object();
    int rc = BX_ERR_ARG;
    json_object_set_new(global, "core:datatype", json_string(sigmf_name[p->format]));
    json_object_set_new(global, "core:sample_rate", json_real(p->fs_hz));
    json_object_set_new(global, "core:version", json_string("1.2.0"));
    json_t *exts = json_array(), *ext = json_object();
    json_object_set_new(ext, "name", json_string("bdsrx"));
    json_object_set_new(ext, "version", json_string("1.0.0"));
    json_object_set_new(ext, "optional", json_boolean(!ext_required));
    json_array_append_new(exts, ext);
    json_object_set_new(global, "core:extensions", exts);
    /* a dataset not named NAME.sigmf-data (ours: OUT.ci8 beside OUT.ci8.sigmf-meta) is a SigMF
     * "non-conforming dataset", named by core:dataset */
    const char *base = strrchr(meta_path, '/') ? strrchr(meta_path, '/') + 1 : meta_path;
    const size_t bl = strlen(base), sl = strlen(".sigmf-meta");
    if (bl > sl && !strcmp(base + bl - sl, ".sigmf-meta")) {
        char data[512];
        snprintf(data, sizeof data, "%.*s", (int)(bl - sl), base);
        if (strchr(data, '.'))
            json_object_set_new(global, "core:dataset", json_string(data));
    }
    json_object_set_new(global, "bdsrx:format", json_string(bx_iq_format_name(p->format)));
    if (!isnan(p->if_hz))
        json_object_set_new(global, "bdsrx:if_hz", json_real(p->if_hz));
    if (extra_json_or_NULL) {
        json_error_t je;
        json_t *extra = json_loads(extra_json_or_NULL, 0, &je);
        if (!json_is_object(extra)) {
            json_decref(extra);
            goto out;
        }
        json_object_update(global, extra);
        json_decref(extra);
    }
    json_object_set_new(c0, "core:sample_start", json_integer(0));
    if (p->fc_hz > 0.0)
        json_object_set_new(c0, "core:frequency", json_real(p->fc_hz));
    if (datetime_utc)
        json_object_set_new(c0, "core:datetime", json_string(datetime_utc));
    json_array_append(caps, c0);
    json_object_set(root, "global", global);
    json_object_set(root, "captures", caps);
    json_object_set_new(root, "annotations", annotations_json(ann, n));
    rc = json_dump_file(root, meta_path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) == 0
             ? BX_OK
             : BX_ERR_IO;
out:
    json_decref(c0);
    json_decref(caps);
    json_decref(global);
    json_decref(root);
    return rc;
}

/* ---- PocketSDR .tag ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

int bx_iq_tag_read(const char *tag_path, bx_iq_params_t *p, char *err, size_t errlen)
{
    /* FMT values: PocketSDR (INT8, INT8X2 with Q negated, CS8, CS16: src/sdr_func.c fmt_str and
     * sdr_read_data, src/sdr_rcv.c write_buff) and SignalSim IFDataGen (INT2X2, INT8X2 with plain
     * Q, ...); iq.h tells the Q conventions. */
    static const struct {
        const char *fmt;
        int f;
    } fmts[] = {{"INT8", BX_IQ_RI8},   {"INT8X2", BX_IQ_INT8X2},   {"INT16X2", BX_IQ_CI16},
                {"INT2X2", BX_IQ_CI2}, {"FLOAT32X2", BX_IQ_CF32}, {"INT1", BX_IQ_RI1},
                {"CS8", BX_IQ_CI8},    {"CS16", BX_IQ_CI16}};
    int ifdatagen = 0, fmt_line = 0;
    FILE *fp = fopen(tag_path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot read tag file: %s", tag_path, strerror(errno));
        return BX_ERR_IO;
    }
    char line[256];
    int lineno = 0, rc = BX_OK;
    while (rc == BX_OK && fgets(line, sizeof line, fp)) {
        lineno++;
        char *eq = strchr(line, '=');
        char *key = trim(line);
        if (!*key || *key == '#')
            continue;
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected KEY = VALUE", tag_path, lineno);
            rc = BX_ERR_FORMAT;
            break;
        }
        *eq = 0;
        key = trim(line);
        char *val = trim(eq + 1);
        double mhz;
        char *end;
        if (!strcmp(key, "FMT")) {
            int f = -1;
            for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
                if (!strcasecmp(val, fmts[i].fmt))
                    f = fmts[i].f;
            if (f < 0) {
                snprintf(err, errlen,
                         "%s:%d: FMT \"%s\" is not supported (INT8 INT8X2 CS8 CS16 INT16X2 INT2X2 FLOAT32X2 INT1)",
                         tag_path, lineno, val);
                rc = BX_ERR_UNSUPPORTED;
            } else {
                p->format = f;
                fmt_line = 1;
            }
        } else if (!strcmp(key, "PROG")) {
            ifdatagen = !strcasecmp(val, "IFDataGen");
        } else if (!strcmp(key, "F_S") || !strcmp(key, "F_LO") || !strcmp(key, "F_IF")) {
            mhz = strtod(val, &end);
            if (end == val || *trim(end) || !isfinite(mhz) || (strcmp(key, "F_IF") && mhz <= 0.0)) {
                snprintf(err, errlen, "%s:%d: %s = \"%s\" is not a frequency in MHz", tag_path, lineno, key, val);
                rc = BX_ERR_FORMAT;
            } else if (!strcmp(key, "F_S")) {
                p->fs_hz = mhz * 1e6;
            } else if (!strcmp(key, "F_LO")) {
                p->fc_hz = mhz * 1e6;
            } else {
                p->if_hz = mhz * 1e6;
            }
        }
        /* other keys (TIME, IQ, BITS, SCALE) carry nothing the reader needs */
    }
    fclose(fp);
    if (rc == BX_OK && fmt_line && ifdatagen && p->format == BX_IQ_INT8X2)
        p->format = BX_IQ_CI8; /* SignalSim's INT8X2 is plain I + jQ (iq.h) */
    return rc;
}

/* ---- discovery ---- */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int bx_iq_sidecar_find(const char *data_path, bx_iq_params_t *p, char *found_path, size_t found_len, char *err,
                       size_t errlen)
{
    char cand[3][4096];
    int nc = 0;
    size_t n = strlen(data_path);
    static const char data_ext[] = ".sigmf-data";
    const size_t de = sizeof data_ext - 1;
    if (n > de && !strcmp(data_path + n - de, data_ext))
        snprintf(cand[nc++], sizeof cand[0], "%.*s.sigmf-meta", (int)(n - de), data_path);
    snprintf(cand[nc++], sizeof cand[0], "%s.sigmf-meta", data_path);
    snprintf(cand[nc++], sizeof cand[0], "%s.tag", data_path);
    for (int i = 0; i < nc; i++) {
        if (!exists(cand[i]))
            continue;
        if (found_path)
            snprintf(found_path, found_len, "%s", cand[i]);
        int is_tag = i == nc - 1;
        int rc = is_tag ? bx_iq_tag_read(cand[i], p, err, errlen) : bx_iq_sigmf_read(cand[i], p, err, errlen);
        return rc < 0 ? rc : 1;
    }
    return 0;
}
