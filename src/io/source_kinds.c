/* The sample-source back ends (source_backend.h): the only place that lists them.  A new
 * back end adds its file src/io/source_<kind>.c with one bx_source_kind_t and a row here. */
#include "source_backend.h"

extern const bx_source_kind_t bx__source_kind_rtlsdr, bx__source_kind_rtltcp, bx__source_kind_pocket,
    bx__source_kind_pocketfile, bx__source_kind_file;

const bx_source_kind_t *const bx__source_kinds[] = {
    &bx__source_kind_rtlsdr, &bx__source_kind_rtltcp, &bx__source_kind_pocketfile,
    &bx__source_kind_pocket, &bx__source_kind_file, NULL,
};
