/* Sweep value specs: A:B:STEP, lists, logspace; and the Slurm array spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sweep.h"
#include "esuite/status.h"

static void expect_values(const char *spec, size_t n, const char *const *want)
{
    char **v;
    size_t got;
    assert_int_equal(es_sweep_parse_values(spec, &v, &got), ES_OK);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i], want[i]);
    es_sweep_free_values(v, got);
}

static void test_integer_range(void **state)
{
    (void)state;
    /* 1 + 3k <= 10: k = 0..3 */
    expect_values("1:10:3", 4, (const char *[]){"1", "4", "7", "10"});
    expect_values("10:1:-4", 3, (const char *[]){"10", "6", "2"});
    expect_values("5:5:1", 1, (const char *[]){"5"});
}

/* Integer ranges are exact beyond a double's 2^53 (seeds): through a double
 * the first gave 9007199254740992, ...994, ...996. */
static void test_integer_range_exact(void **state)
{
    (void)state;
    expect_values("9007199254740993:9007199254740997:2", 3,
                  (const char *[]){"9007199254740993", "9007199254740995", "9007199254740997"});
    expect_values("9223372036854775805:9223372036854775807:1", 3,
                  (const char *[]){"9223372036854775805", "9223372036854775806", "9223372036854775807"});
    expect_values("-9223372036854775806:-9223372036854775808:-1", 3,
                  (const char *[]){"-9223372036854775806", "-9223372036854775807", "-9223372036854775808"});
    expect_values("+10:-10:-10", 3, (const char *[]){"10", "0", "-10"});
}

static void test_float_range_prints_as_written(void **state)
{
    (void)state;
    /* 0.1 + 2*0.1 = 0.30000000000000004 in binary: %.15g gives 0.3, and the
     * endpoint is included despite the rounding. */
    expect_values("0.1:0.3:0.1", 3, (const char *[]){"0.1", "0.2", "0.3"});
    expect_values("0:1:0.25", 5, (const char *[]){"0", "0.25", "0.5", "0.75", "1"});
    /* a step finer than 15 digits resolve (2^-48 at 1): at %.15g the four values
     * read 1, 1, 1.00000000000001, 1.00000000000001 and the vary line was refused
     * as repeating a value; the fewest digits that keep them apart (16) */
    expect_values("1:1.0000000000000107:3.552713678800501e-15", 4,
                  (const char *[]){"1", "1.000000000000004", "1.000000000000007", "1.000000000000011"});
}

static void test_list(void **state)
{
    (void)state;
    expect_values(" 64, 128 ,256", 3, (const char *[]){"64", "128", "256"});
    expect_values("centre,rim", 2, (const char *[]){"centre", "rim"});
    expect_values("0.5", 1, (const char *[]){"0.5"});
}

/* A quoted element is what its quotes enclose, commas and inner blanks included. */
static void test_quoted_list(void **state)
{
    (void)state;
    expect_values("a, \"b,c\"", 2, (const char *[]){"a", "b,c"});
    expect_values("'x, y' ,\"1:2:3\", z", 3, (const char *[]){"x, y", "1:2:3", "z"});
    expect_values("\"0.1\",'it\"s'", 2, (const char *[]){"0.1", "it\"s"});
    expect_values("\"a,b\"", 1, (const char *[]){"a,b"});
    expect_values("it's, x", 2, (const char *[]){"it's", "x"}); /* a quote inside an element is text */
}

static void test_logspace_numpy_convention(void **state)
{
    (void)state;
    /* numpy.logspace(-1, 1, 3) = [0.1, 1, 10]; (-2, 1, 4) = [0.01, 0.1, 1, 10] */
    expect_values("logspace(-1,1,3)", 3, (const char *[]){"0.1", "1", "10"});
    expect_values("logspace(-2, 1, 4)", 4, (const char *[]){"0.01", "0.1", "1", "10"});
    char **v;
    size_t n;
    /* 10^(0 + 1*k/4): compare with pow() directly */
    assert_int_equal(es_sweep_parse_values("logspace(0,1,5)", &v, &n), ES_OK);
    assert_int_equal(n, 5);
    for (size_t k = 0; k < n; k++)
        assert_true(fabs(strtod(v[k], NULL) - pow(10.0, (double)k / 4.0)) < 1e-14 * pow(10.0, (double)k / 4.0));
    es_sweep_free_values(v, n);
}

static void expect_bad(const char *spec, const char *needle)
{
    char **v = (char **)1;
    size_t n = 99;
    es_error_clear();
    assert_int_equal(es_sweep_parse_values(spec, &v, &n), ES_ECONFIG);
    assert_null(v);
    assert_int_equal(n, 0);
    if (!strstr(es_error_message(), needle))
        fail_msg("message '%s' lacks '%s'", es_error_message(), needle);
}

static void test_bad_specs(void **state)
{
    (void)state;
    expect_bad("1:2", "A:B:STEP");
    /* a count beyond the limit says so (it read "a count N >= 1"; "inf values") */
    expect_bad("logspace(-1,1,100000000)", "'logspace(-1,1,100000000)': 100000000 values (at most 100000)");
    expect_bad("0:1e300:1e-300", "'0:1e300:1e-300': too many values (at most 100000)");
    /* a huge finite count was printed with %.0f, 301 digits of it */
    expect_bad("1:3:1e-300", "'1:3:1e-300': 2e+300 values (at most 100000)");
    expect_bad("logspace(0,1,1e300)", "'logspace(0,1,1e300)': 1e+300 values (at most 100000)");
    expect_bad("1:x:1", "three numbers");
    expect_bad("1:5:-1", "STEP");
    expect_bad("1:5:0", "STEP");
    expect_bad("0:9223372036854775807:1", "'0:9223372036854775807:1': 9223372036854775808 values (at most 100000)");
    expect_bad("-9223372036854775808:9223372036854775807:-1", "STEP must be nonzero and lead from A to B");
    expect_bad("logspace(1,2)", "logspace(A,B,N)");
    expect_bad("logspace(1,2,2.5)", "logspace(A,B,N)");
    expect_bad("1,,2", "empty element");
    expect_bad("  ", "empty value list");
    expect_bad("a, \"b,c", "'a, \"b,c': element 2 opens a quote \" that is not closed");
    expect_bad("'a'b, c", "'a'b, c': element 1 has text after its closing quote");
    expect_bad("a, \"\"", "empty element");
}

static void test_array_spec(void **state)
{
    (void)state;
    size_t idx[] = {0, 1, 2, 3, 7, 9, 10, 11};
    char *s = es_sweep_array_spec(idx, 8, 4);
    assert_string_equal(s, "0-3,7,9-11%4");
    free(s);
    size_t one[] = {5};
    s = es_sweep_array_spec(one, 1, 0);
    assert_string_equal(s, "5");
    free(s);
    s = es_sweep_array_spec(one, 0, 0); /* no task: an empty spec, not NULL */
    assert_string_equal(s, "");
    free(s);
}

/* Slurm warns as soon as less than the --signal time is left: a short limit
 * must get a shorter warning, or every task stops right after it starts. */
static void test_warn_seconds(void **state)
{
    (void)state;
    assert_int_equal(es_sweep_warn_seconds(""), 120);
    assert_int_equal(es_sweep_warn_seconds("UNLIMITED"), 120);
    assert_int_equal(es_sweep_warn_seconds("00:10:00"), 120);
    assert_int_equal(es_sweep_warn_seconds("1-00"), 120);
    assert_int_equal(es_sweep_warn_seconds("0-0:5"), 60);  /* D-H:M: 5 minutes */
    assert_int_equal(es_sweep_warn_seconds("2"), 24);      /* minutes */
    assert_int_equal(es_sweep_warn_seconds("00:02:00"), 24);
    assert_int_equal(es_sweep_warn_seconds("1:30"), 18);   /* M:S */
    assert_int_equal(es_sweep_warn_seconds("0:03"), 1);
    /* time = 0 is no limit, as UNLIMITED (docs/hpc.md): not a limit under 10 minutes (gave 1) */
    assert_int_equal(es_sweep_warn_seconds("0"), 120);
    assert_int_equal(es_sweep_warn_seconds("0:00:00"), 120);
}

static void test_fnv1a64_reference(void **state)
{
    (void)state;
    /* Published FNV-1a 64 test vectors (Fowler/Noll/Vo): "" and "a", "foobar". */
    assert_true(es_fnv1a64(ES_FNV1A64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(es_fnv1a64(ES_FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(es_fnv1a64(ES_FNV1A64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_range),
        cmocka_unit_test(test_integer_range_exact),
        cmocka_unit_test(test_float_range_prints_as_written),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_quoted_list),
        cmocka_unit_test(test_logspace_numpy_convention),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_array_spec),
        cmocka_unit_test(test_warn_seconds),
        cmocka_unit_test(test_fnv1a64_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
