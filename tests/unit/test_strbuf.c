/* The growing text buffer (core/strbuf.h) and the provenance check built on it:
 * exact text across many reallocations, "" for an empty buffer, a failed
 * buffer refusing appends, and an output without its config text refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/output.h"
#include "core/strbuf.h"
#include "esuite/status.h"

static void test_many_appends_exact(void **state)
{
    (void)state;
    static char want[200000];
    size_t wl = 0;
    es_strbuf b = {0};
    for (int i = 0; i < 20000; i++) { /* 2^k growth from 256 bytes: ~10 reallocations */
        assert_int_equal(es_strbuf_printf(&b, "%d,", i), ES_OK);
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "%d,", i);
    }
    assert_int_equal(b.len, wl);
    assert_true(b.cap > b.len);
    char *s = es_strbuf_take(&b);
    assert_int_equal(strlen(s), wl);
    assert_string_equal(s, want);
    assert_null(b.s);
    assert_int_equal(b.len, 0);
    free(s);
    /* one piece longer than the doubled capacity */
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    assert_int_equal(es_strbuf_printf(&b, "%s|", big), ES_OK);
    assert_int_equal(b.len, sizeof big);
    assert_int_equal(b.s[sizeof big - 1], '|');
    es_strbuf_free(&b);
}

static void test_empty_and_failed(void **state)
{
    (void)state;
    es_strbuf b = {0};
    char *s = es_strbuf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(es_strbuf_printf(&b, "abc"), ES_OK);
    b.failed = 1; /* as after a failed realloc */
    assert_int_equal(es_strbuf_printf(&b, "def"), ES_ENOMEM);
    assert_int_equal(b.len, 3);
    assert_null(es_strbuf_take(&b));
    assert_null(b.s);
}

static void test_incomplete_provenance_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite-strbuf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    es_provenance p;
    es_provenance_init(&p, NULL, "gas");
    assert_int_equal(p.incomplete, 0);
    p.incomplete = 1; /* es_provenance_init when the config text could not be allocated */
    assert_int_equal(es_output_write_summary(dir, NULL, &p), ES_ENOMEM);
    char path[256];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    p.incomplete = 0;
    assert_int_equal(es_output_write_summary(dir, NULL, &p), ES_OK);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    rmdir(dir);
    es_provenance_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_many_appends_exact),
                                       cmocka_unit_test(test_empty_and_failed),
                                       cmocka_unit_test(test_incomplete_provenance_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
