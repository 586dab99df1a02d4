/* es_parse_double against glibc strtod, bit for bit, on 10^6 random
 * decimal strings of many shapes plus hand-picked edge cases (rounding
 * boundaries, subnormals, overflow, ties to even, specials, partial tokens). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/series_io.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned below(unsigned n) { return (unsigned)(next_u64() % n); }

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static long mismatches;

/* Compare against strtod; returns 1 on agreement. Prints the first few
 * disagreements so a failure is diagnosable. */
static int check_one(const char *s)
{
    char *stop;
    double want = strtod(s, &stop);
    size_t want_len = (size_t)(stop - s);
    double got = 12345.0;
    size_t got_len = es_parse_double(s, s + strlen(s), &got);
    int same_len = got_len == want_len;
    int same_val = want_len == 0 || bits_of(got) == bits_of(want) || (isnan(got) && isnan(want));
    if (same_len && same_val)
        return 1;
    if (mismatches++ < 10)
        fprintf(stderr, "mismatch on '%s': strtod %.17g (%zu chars), es_parse_double %.17g (%zu chars)\n",
                s, want, want_len, got, got_len);
    return 0;
}

static void random_digits(char *p, int n, int allow_leading_zero)
{
    for (int i = 0; i < n; i++)
        p[i] = (char)('0' + ((i == 0 && !allow_leading_zero) ? 1 + below(9) : below(10)));
    p[n] = '\0';
}

/* sign? digits with a point somewhere (or none) and an optional exponent */
static void shape_decimal(char *buf)
{
    char digits[40];
    int n = 1 + (int)below(22);
    random_digits(digits, n, below(4) == 0);
    char *p = buf;
    unsigned sign = below(4);
    if (sign == 1)
        *p++ = '-';
    else if (sign == 2)
        *p++ = '+';
    int point = below(3) == 0 ? -1 : (int)below((unsigned)n + 1); /* -1: no point */
    for (int i = 0; i <= n; i++) {
        if (i == point)
            *p++ = '.';
        if (i < n)
            *p++ = digits[i];
    }
    if (below(2)) {
        *p++ = below(2) ? 'e' : 'E';
        unsigned es = below(3);
        if (es == 1)
            *p++ = '-';
        else if (es == 2)
            *p++ = '+';
        unsigned range = below(4) == 0 ? 400 : 30;
        p += sprintf(p, "%u", below(range));
    }
    *p = '\0';
}

/* A random finite double (any bit pattern) printed with 1..17 digits. */
static void shape_printed(char *buf)
{
    double d;
    do {
        uint64_t b = next_u64();
        memcpy(&d, &b, sizeof d);
    } while (!isfinite(d));
    int prec = 1 + (int)below(17);
    sprintf(buf, below(2) ? "%.*g" : "%.*e", prec, d);
}

/* Values near typical data: uniform in a few decades, %.17g / %.18e (numpy). */
static void shape_data(char *buf)
{
    double u = (double)(next_u64() >> 11) * 0x1.0p-53;
    double scale = pow(10.0, (double)below(12) - 6.0);
    double d = (u - 0.5) * scale;
    sprintf(buf, below(2) ? "%.17g" : "%.18e", d);
}

/* 1..19 significant digits scaled into the subnormal range, the normal /
 * subnormal boundary, or next to overflow: the hard ends of the exponent range. */
static void shape_extreme(char *buf)
{
    char digits[24];
    int n = 1 + (int)below(19);
    random_digits(digits, n, 0);
    int e;
    switch (below(3)) {
    case 0: e = -345 + (int)below(25); break; /* subnormal .. rounds to zero */
    case 1: e = -312 + (int)below(8); break;  /* around 2.2e-308 */
    default: e = 290 + (int)below(20); break; /* around 1.8e308 */
    }
    sprintf(buf, "%s%.1s.%se%d", below(2) ? "-" : "", digits, digits + 1, e);
}

/* Exact midpoints between neighbouring doubles that fit in <= 19 digits:
 * integers in [2^53, 10^19), optionally written with a shifted point. */
static void shape_tie(char *buf)
{
    int k = 53 + (int)below(10); /* 2^62 < 10^19 */
    uint64_t lo = ((uint64_t)1 << k) | (next_u64() & (((uint64_t)1 << k) - 1));
    int drop = k - 52;           /* low bits below the ulp */
    lo &= ~(((uint64_t)1 << drop) - 1);
    uint64_t mid = lo + ((uint64_t)1 << (drop - 1)) + (below(4) == 0 ? (below(2) ? 1 : -1) : 0);
    char digits[32];
    int n = sprintf(digits, "%llu", (unsigned long long)mid);
    int shift = (int)below(4);
    if (shift == 0 || shift >= n)
        sprintf(buf, "%s", digits);
    else
        sprintf(buf, "%.*s.%se%d", n - shift, digits, digits + n - shift, shift);
}

static void test_random_strings(void **state)
{
    (void)state;
    char buf[128];
    long ok = 0, total = 0;
    const long per_shape = 200000;
    for (long i = 0; i < per_shape; i++) {
        shape_decimal(buf);
        ok += check_one(buf);
        shape_printed(buf);
        ok += check_one(buf);
        shape_data(buf);
        ok += check_one(buf);
        shape_tie(buf);
        ok += check_one(buf);
        shape_extreme(buf);
        ok += check_one(buf);
        total += 5;
    }
    assert_int_equal(total, 5 * per_shape);
    assert_int_equal(ok, total);
}

static void test_edge_cases(void **state)
{
    (void)state;
    static const char *cases[] = {
        "0", "-0", "+0", "0.0", "-0.0e0", "0e999999", "00000000000000000000000001", "1", "-1",
        "0.1", "0.2", "0.30000000000000004", ".5", "5.", "-.5e-1", "+5.e+1", "1e22", "1e23",
        "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
        "18446744073709551615", "18446744073709551616", "1844674407370955161500",
        "12345678901234567890123456789", "0.000000000000000000000000000001234567890123456789012",
        "1e-300", "1e300", "1e308", "1e309", "1e-400", "1e-323", "1e-324", "3e-324",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "-1.7976931348623157e308", "7.2057594037927933e16", "9214843084008499",
        "30078505129381147446200", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "1e", "1e+", "1e-", "1.5e+x", "1.5E-3", "1.5E+3x", ".", "-", "+", "-.", "e5", "", "abc",
        "inf", "-inf", "+INF", "Infinity", "-infinity", "infin", "nan", "NaN", "-nan", "nan(123)",
        "nan(", "nanx", "0x1p3", "-0x1.8p1", "0x", "0x.8", "1,5", "1 2", "12abc", "1e99999999999999",
        "1e-99999999999999", "123456789012345678e-5", "1234567890123456789e-340",
        "1234567890123456789e290", "8.98846567431158e307", "4.4501477170144023e-308",
        "0.0000000000000000000000000000000000001", "100000000000000000000000000000000000e-20",
    };
    size_t n = sizeof cases / sizeof cases[0];
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += (size_t)check_one(cases[i]);
    assert_int_equal(ok, n);

    /* The end pointer bounds the scan: "1.25" seen through a 3-char window is 1.2. */
    double v = 0;
    assert_int_equal(es_parse_double("1.25", "1.25" + 3, &v), 3);
    assert_true(v == 1.2);
    assert_int_equal(es_parse_double("7e5", "7e5" + 2, &v), 1);
    assert_true(v == 7.0);
    assert_int_equal(es_parse_double("x", "x", &v), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_random_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
