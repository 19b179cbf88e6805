/* Capture start time from sidecars, and UTC date strings (include/bdsrx/starthint.h). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "bdsrx/starthint.h"
#include "bdsrx/time.h"

int bx_hint_parse_utc(const char *s, bx_time_t *bdt)
{
    int y, mo, d, h, mi, n = 0;
    double sec;
    char sep1, sep2;
    if (!s || sscanf(s, "%d%c%d%c%d%*[ T]%d:%d:%lf%n", &y, &sep1, &mo, &sep2, &d, &h, &mi, &sec, &n) != 8 ||
        sep1 != sep2 || (sep1 != '-' && sep1 != '/'))
        return BX_ERR_ARG;
    const char *rest = s + n;
    if (*rest == 'Z')
        rest++;
    if (*rest || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || !(sec >= 0) ||
        !(sec < 61) || y < 2006 || y > 2200)
        return BX_ERR_ARG;
    const bx_time_t utc = bx_time_from_civil(y, mo, d, h, mi, sec);
    *bdt = bx_time_utc_to_bdt(utc, bx_time_leap_bdt_utc_s(utc));
    return BX_OK;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* captures[0]["core:datetime"] of a SigMF metadata file */
static int sigmf_time(const char *meta, bx_time_t *bdt, char *source, size_t slen, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(meta, 0, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", meta, je.line, je.text);
        return BX_ERR_IO;
    }
    const char *dt = json_string_value(json_object_get(json_array_get(json_object_get(root, "captures"), 0),
                                                       "core:datetime"));
    int rc = 0;
    if (dt) {
        if (bx_hint_parse_utc(dt, bdt) != BX_OK) {
            snprintf(err, errlen, "%s: core:datetime '%s' is not an ISO 8601 UTC time", meta, dt);
            rc = BX_ERR_ARG;
        } else {
            snprintf(source, slen, "SigMF core:datetime %s", dt);
            rc = 1;
        }
    }
    json_decref(root);
    return rc;
}

/* "TIME = 2021/12/02 08:47:00.000" of a PocketSDR .tag file (UTC) */
static int tag_time(const char *tag, bx_time_t *bdt, char *source, size_t slen, char *err, size_t errlen)
{
    FILE *f = fopen(tag, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s", tag);
        return BX_ERR_IO;
    }
    char line[256];
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        char key[16], val[128];
        if (sscanf(line, " %15[A-Z_] = %127[^\r\n]", key, val) != 2 || strcmp(key, "TIME"))
            continue;
        if (bx_hint_parse_utc(val, bdt) != BX_OK) {
            snprintf(err, errlen, "%s: TIME '%s' is not YYYY/MM/DD HH:MM:SS", tag, val);
            rc = BX_ERR_ARG;
        } else {
            snprintf(source, slen, ".tag TIME %s", val);
            rc = 1;
        }
        break;
    }
    fclose(f);
    return rc;
}

int bx_hint_capture_time(const char *data_path, bx_time_t *bdt, char *source, size_t source_len, char *err,
                         size_t errlen)
{
    char cand[4096];
    static const char ext[] = ".sigmf-data";
    const size_t n = strlen(data_path), ne = sizeof ext - 1;
    if (n > ne && !strcmp(data_path + n - ne, ext)) {
        snprintf(cand, sizeof cand, "%.*s.sigmf-meta", (int)(n - ne), data_path);
        if (exists(cand))
            return sigmf_time(cand, bdt, source, source_len, err, errlen);
    }
    snprintf(cand, sizeof cand, "%s.sigmf-meta", data_path);
    if (exists(cand))
        return sigmf_time(cand, bdt, source, source_len, err, errlen);
    snprintf(cand, sizeof cand, "%s.tag", data_path);
    if (exists(cand))
        return tag_time(cand, bdt, source, source_len, err, errlen);
    return 0;
}
