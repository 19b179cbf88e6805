/* Smoke test of the status texts: every code has a distinct text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "bdsrx/types.h"

static void test_strerror_distinct(void **state)
{
    (void)state;
    for (int a = BX_ERR_UNSUPPORTED; a <= BX_OK; a++)
        for (int b = a + 1; b <= BX_OK; b++)
            assert_string_not_equal(bx_strerror(a), bx_strerror(b));
    assert_string_equal(bx_strerror(12345), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_strerror_distinct)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
