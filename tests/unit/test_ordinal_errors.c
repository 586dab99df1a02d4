/* Bad input to the ordinal module: each case returns its status and one clear
 * message naming what is wrong (where the package returns silent zeros). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "esuite/ordinal.h"
#include "esuite/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define assert_msg_has(s) assert_non_null(strstr(es_error_message(), (s)))

static void test_short_series(void **state)
{
    (void)state;
    double x[200];
    for (int i = 0; i < 200; i++)
        x[i] = sin(0.37 * i * i);
    es_ordinal_result r;
    /* Ptot = 5 − 4 = 1 (and negative): error even with ALLOW_SHORT. */
    assert_int_equal(es_ordinal_hc(x, 5, 5, 1, ES_ORDINAL_ALLOW_SHORT, &r), ES_ESHORT);
    assert_msg_has("Ptot");
    assert_int_equal(es_ordinal_hc(x, 5, 5, 3, ES_ORDINAL_ALLOW_SHORT, &r), ES_ESHORT);
    assert_msg_has("5 samples, order n = 5 with delay 3 needs at least 14"); /* (n-1)·delay + 2 */
    assert_true(es_ordinal_ptot(5, 5, 3) == -7);
    /* 1 < Ptot < n!: error unless ALLOW_SHORT. */
    assert_int_equal(es_ordinal_hc(x, 100, 5, 1, 0, &r), ES_ESHORT);
    assert_msg_has("96");
    assert_msg_has("120");
    assert_int_equal(es_ordinal_hc(x, 100, 5, 1, ES_ORDINAL_ALLOW_SHORT, &r), 0);
    assert_int_equal(r.ptot, 96);
    assert_int_equal(es_ordinal_hc(x, 6, 3, 2, 0, &r), ES_ESHORT); /* Ptot = 2 < 6 */
    /* Curves: one bad delay fails the call before any work. */
    const int delays[3] = {1, 2, 99}; /* Ptot = 200 − 198 = 2 < 3! */
    es_ordinal_result out[3];
    assert_int_equal(es_ordinal_curve(x, 200, 3, delays, 3, 0, out), ES_ESHORT);
    assert_int_equal(es_ordinal_curve(x, 200, 3, delays, 2, 0, out), 0);
    /* Sliding: window longer than the series, window too short, step 0. */
    double H[4], C[4];
    assert_int_equal(es_ordinal_sliding(x, 200, 3, 1, 300, 10, 0, H, C), ES_ESHORT);
    assert_int_equal(es_ordinal_sliding(x, 200, 5, 1, 50, 10, 0, H, C), ES_ESHORT);
    /* The message is about the window, not the 200-sample series (it said
     * "series too short: 5 samples" for a 5-sample window). */
    assert_msg_has("sliding window of 50 samples is too short: 46 patterns per window is less "
                   "than n! = 120");
    assert_msg_has("windows of at least 124 samples"); /* (n−1)·delay + n! */
    assert_int_equal(es_ordinal_sliding(x, 200, 5, 2, 9, 10, ES_ORDINAL_ALLOW_SHORT, H, C),
                     ES_ESHORT); /* Ptot = 9 − 8 = 1 */
    assert_msg_has("sliding window of 9 samples is too short: order n = 5 with delay 2 needs "
                   "windows of at least 10 samples");
    assert_null(strstr(es_error_message(), "series too short"));
    assert_int_equal(es_ordinal_sliding(x, 200, 5, 2, 10, 100, ES_ORDINAL_ALLOW_SHORT, H, C), 0); /* 2 windows */
    assert_int_equal(es_ordinal_sliding(x, 200, 3, 1, 50, 0, 0, H, C), ES_EINVAL);
}

static void test_bad_values(void **state)
{
    (void)state;
    double *x = malloc(1000 * sizeof *x);
    es_gen_colored_noise(x, 1000, 0.0, 1);
    es_ordinal_result r;
    x[17] = NAN;
    assert_int_equal(es_ordinal_hc(x, 1000, 4, 1, 0, &r), ES_EDATA);
    assert_msg_has("sample 17");
    assert_msg_has("NaN");
    x[17] = 0.0;
    x[999] = -INFINITY;
    assert_int_equal(es_ordinal_check(x, 1000, 4, 1, 0), ES_EDATA);
    assert_msg_has("sample 999");
    assert_msg_has("infinite");
    double tn;
    assert_int_equal(es_ordinal_tnat(NULL, 0.1, x, 1000, ES_TNAT_NCROSS, NULL, &tn), ES_EDATA);
    assert_msg_has("999");
    double H[10], C[10];
    assert_int_equal(es_ordinal_sliding(x, 1000, 4, 1, 500, 100, 0, H, C), ES_EDATA);
    x[999] = 0.0;
    assert_int_equal(es_ordinal_check(x, 1000, 4, 1, 0), 0);
    free(x);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    double x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = cos(1.3 * i);
    es_ordinal_result r;
    assert_int_equal(es_ordinal_hc(x, 1000, 5, 0, 0, &r), ES_EINVAL);
    assert_msg_has("delay = 0");
    assert_int_equal(es_ordinal_hc(x, 1000, 5, -3, 0, &r), ES_EINVAL);
    assert_int_equal(es_ordinal_hc(x, 1000, 2, 1, 0, &r), ES_EINVAL);
    assert_msg_has("n = 2");
    assert_msg_has("3..10");
    assert_int_equal(es_ordinal_hc(x, 1000, 11, 1, 0, &r), ES_EINVAL);
    assert_msg_has("n = 11");
    assert_null(es_ordinal_workspace_alloc(11));
    assert_null(es_ordinal_workspace_alloc(2));
    uint64_t counts[6] = {0};
    assert_int_equal(es_ordinal_hc_from_counts(counts, 3, &r), ES_EINVAL);
    assert_msg_has("zero");
    assert_int_equal(es_ordinal_hc_plane(5, 0, NULL, NULL, NULL, NULL), ES_EINVAL);
    assert_true(isnan(es_ordinal_q0(2)));
    assert_true(isnan(es_ordinal_hmin_per(11)));
    assert_true(isnan(es_ordinal_max_c(12, 1000)));
    es_tnat_method m;
    assert_int_equal(es_tnat_method_parse("zerocross", &m), ES_EINVAL);
    assert_msg_has("zerocross");
    assert_msg_has("maxavg");
    int lo, hi, id;
    assert_int_equal(es_ordinal_sampling(-1.0, 10.0, 0.1, 5, &lo, &hi, &id), ES_EINVAL);
    assert_int_equal(es_ordinal_sampling(1.0, 10.0, 0.0, 5, &lo, &hi, &id), ES_EINVAL);
    assert_int_equal(es_ordinal_sampling(1.0, 10.0, 0.1, 2, &lo, &hi, &id), ES_EINVAL);
    double tn;
    assert_int_equal(es_ordinal_tnat(NULL, 0.0, x, 1000, ES_TNAT_MAXAVG, NULL, &tn), ES_EINVAL);
    int status[1];
    const double *xs[1] = {x};
    size_t len[1] = {1000};
    es_ordinal_result out[1];
    assert_int_equal(es_ordinal_hc_batch(xs, len, 1, 5, 0, 0, out, status), ES_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_series),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
