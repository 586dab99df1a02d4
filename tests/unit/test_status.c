/* Status/error messages: prefixing context onto the current message works. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <string.h>

#include "esuite/status.h"

static void test_prefix_current_message(void **state)
{
    (void)state;
    assert_int_equal(es_error_set(ES_EDATA, "NaN at index %d", 17), ES_EDATA);
    assert_int_equal(es_error_set(ES_EIO, "data.txt: %s", es_error_message()), ES_EIO);
    assert_string_equal(es_error_message(), "data.txt: NaN at index 17");
    es_error_set(ES_EIO, "%s%s", es_error_message(), es_error_message());
    assert_string_equal(es_error_message(), "data.txt: NaN at index 17data.txt: NaN at index 17");
}

/* Two paths as long as a path may be (4095 bytes) and the text around them,
 * prefixed once more: the reason at the end is kept (1024 bytes cut it). */
static void test_two_long_paths(void **state)
{
    (void)state;
    static char a[4096], b[4096], want[ES_MSG_LEN];
    memset(a, 'a', 4095);
    memset(b, 'b', 4095);
    es_error_set(ES_EIO, "cannot create '%s': '%s' exists and is not a directory", a, b);
    es_error_set(ES_EIO, "%s:%d: base config: %s", a, 2, es_error_message());
    snprintf(want, sizeof want, "%s:2: base config: cannot create '%s': '%s' exists and is not a directory", a,
             a, b);
    assert_int_equal(strlen(es_error_message()), strlen(want));
    assert_string_equal(es_error_message(), want);
}

static void test_warnings_and_names(void **state)
{
    (void)state;
    es_warning_clear();
    es_warning_add("t_dur/t_nat = %.2f < 1.5", 1.25);
    assert_int_equal(es_warning_count(), 1);
    assert_string_equal(es_warning_get(0), "t_dur/t_nat = 1.25 < 1.5");
    es_warning_clear();
    assert_int_equal(es_warning_count(), 0);
    /* The list keeps 32; the serial counts every call; truncate drops the tail only. */
    unsigned long s0 = es_warning_serial();
    for (int i = 0; i < 40; i++)
        es_warning_add("w%d", i);
    assert_int_equal(es_warning_count(), 32);
    assert_true(es_warning_serial() - s0 == 40);
    assert_int_equal(es_warning_dropped(), 8); /* counted, for the CLI's "8 more" */
    assert_string_equal(es_warning_get(32), "");
    es_warning_truncate(34); /* a caller dropping what it added after the 34th */
    assert_int_equal(es_warning_count(), 32);
    assert_int_equal(es_warning_dropped(), 2);
    es_warning_truncate(5);
    assert_int_equal(es_warning_count(), 5);
    assert_string_equal(es_warning_get(4), "w4");
    es_warning_truncate(10); /* not beyond what is there */
    assert_int_equal(es_warning_count(), 5);
    es_warning_truncate(-1);
    assert_int_equal(es_warning_count(), 5);
    assert_int_equal(es_warning_dropped(), 0);
    es_warning_clear();
    assert_string_equal(es_status_name(ES_ESHORT), "series too short");
    assert_string_equal(es_status_name(99), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_prefix_current_message),
                                       cmocka_unit_test(test_two_long_paths),
                                       cmocka_unit_test(test_warnings_and_names)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
