/* Sliding windows, batch mode, curves and workspaces: each fast path must give
 * exactly (bit for bit) what a from-scratch computation gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "esuite/ordinal.h"
#include "esuite/status.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static double *noise(size_t T, double alpha, uint64_t seed)
{
    double *x = malloc(T * sizeof *x);
    assert_int_equal(es_gen_colored_noise(x, T, alpha, seed), 0);
    return x;
}

/* Incremental sliding window == es_ordinal_hc on each window. */
static void test_sliding(void **state)
{
    (void)state;
    enum { T = 6000 };
    double *x = noise(T, -0.5, 3);
    const struct {
        int n, delay;
        size_t window, step;
        unsigned flags;
    } cfg[] = {{4, 1, 500, 1, 0},    {5, 2, 1000, 7, 0},   {5, 1, 800, 900, 0},
               {3, 5, 200, 33, 0},   {7, 1, 2000, 250, ES_ORDINAL_ALLOW_SHORT}};
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
        size_t nout = es_ordinal_sliding_count(T, cfg[c].window, cfg[c].step);
        assert_int_equal(nout, (T - cfg[c].window) / cfg[c].step + 1);
        double *H = malloc(nout * sizeof *H), *C = malloc(nout * sizeof *C);
        assert_int_equal(es_ordinal_sliding(x, T, cfg[c].n, cfg[c].delay, cfg[c].window,
                                            cfg[c].step, cfg[c].flags, H, C),
                         0);
        for (size_t o = 0; o < nout; o++) {
            es_ordinal_result r;
            assert_int_equal(es_ordinal_hc(x + o * cfg[c].step, cfg[c].window, cfg[c].n,
                                           cfg[c].delay, cfg[c].flags, &r),
                             0);
            assert_true(H[o] == r.H);
            assert_true(C[o] == r.C);
        }
        free(H);
        free(C);
    }
    assert_int_equal(es_ordinal_sliding_count(100, 101, 1), 0);
    assert_int_equal(es_ordinal_sliding_count(100, 100, 1), 1);
    free(x);
}

/* Batch over series == serial calls, for 1 and 2 threads. */
static void test_batch(void **state)
{
    (void)state;
    enum { NS = 9 };
    double *xs[NS];
    size_t len[NS];
    for (int i = 0; i < NS; i++) {
        len[i] = 2000 + 517 * (size_t)i;
        xs[i] = noise(len[i], -0.25 * i, 100 + (uint64_t)i);
    }
    es_ordinal_result serial[NS], out[NS];
    int status[NS];
    for (int i = 0; i < NS; i++)
        assert_int_equal(es_ordinal_hc(xs[i], len[i], 5, 2, 0, &serial[i]), 0);
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        memset(out, 0xff, sizeof out);
        assert_int_equal(
            es_ordinal_hc_batch((const double *const *)xs, len, NS, 5, 2, 0, out, status), 0);
        for (int i = 0; i < NS; i++) {
            assert_int_equal(status[i], 0);
            assert_memory_equal(&out[i], &serial[i], sizeof out[i]);
        }
    }
    /* A bad series: its own status, the others still computed, message names it. */
    xs[4][123] = NAN;
    len[6] = 10;
    omp_set_num_threads(2);
    int rc = es_ordinal_hc_batch((const double *const *)xs, len, NS, 5, 2, 0, out, status);
    assert_int_equal(rc, ES_EDATA);
    assert_int_equal(status[4], ES_EDATA);
    assert_int_equal(status[6], ES_ESHORT);
    assert_non_null(strstr(es_error_message(), "series 4"));
    assert_non_null(strstr(es_error_message(), "123"));
    for (int i = 0; i < NS; i++)
        if (i != 4 && i != 6)
            assert_memory_equal(&out[i], &serial[i], sizeof out[i]);
    for (int i = 0; i < NS; i++)
        free(xs[i]);
}

/* Curve == per-delay calls; counts + hc_from_counts == hc; workspace reuse. */
static void test_curve_and_workspace(void **state)
{
    (void)state;
    enum { T = 10000, ND = 99 };
    double *x = noise(T, -1.0, 9);
    int delays[ND];
    for (int d = 0; d < ND; d++)
        delays[d] = d + 1;
    es_ordinal_result curve[ND];
    assert_int_equal(es_ordinal_curve(x, T, 5, delays, ND, 0, curve), 0);
    uint64_t counts[120];
    for (int d = 0; d < ND; d++) {
        es_ordinal_result r, rc;
        assert_int_equal(es_ordinal_hc(x, T, 5, delays[d], 0, &r), 0);
        assert_memory_equal(&curve[d], &r, sizeof r);
        size_t ptot;
        assert_int_equal(es_ordinal_count(x, T, 5, delays[d], 0, counts, &ptot), 0);
        assert_int_equal(es_ordinal_hc_from_counts(counts, 5, &rc), 0);
        assert_int_equal(ptot, T - 4 * delays[d]);
        assert_true(rc.H == r.H && rc.C == r.C && rc.S_mix == r.S_mix);
    }
    /* Large n (touched-list path): a reused workspace, long then short
     * series, equals fresh computations and the full count array. */
    es_ordinal_workspace *w = es_ordinal_workspace_alloc(8);
    assert_non_null(w);
    const size_t Ts[] = {T, 50000, 3000, T};
    double *y = noise(50000, 0.0, 4);
    uint64_t *full = malloc(40320 * sizeof *full);
    for (int k = 0; k < 4; k++) {
        const double *s = (k == 1) ? y : x;
        es_ordinal_result a, b, c;
        assert_int_equal(es_ordinal_hc_ws(w, s, Ts[k], 2, ES_ORDINAL_ALLOW_SHORT, &a), 0);
        assert_int_equal(es_ordinal_hc(s, Ts[k], 8, 2, ES_ORDINAL_ALLOW_SHORT, &b), 0);
        assert_memory_equal(&a, &b, sizeof a);
        assert_int_equal(es_ordinal_count(s, Ts[k], 8, 2, ES_ORDINAL_ALLOW_SHORT, full, NULL), 0);
        assert_memory_equal(es_ordinal_workspace_counts(w), full, 40320 * sizeof *full);
        assert_int_equal(es_ordinal_hc_from_counts(full, 8, &c), 0);
        assert_true(c.H == a.H && c.C == a.C);
        uint64_t sum = 0;
        for (int i = 0; i < 40320; i++)
            sum += full[i];
        assert_int_equal(sum, Ts[k] - 14);
    }
    es_ordinal_workspace_free(w);
    free(full);
    free(y);
    free(x);
}

/* Long series take the threaded counting path: same result for 1 and 2
 * threads and as the plain serial count; the first bad sample is named. */
static void test_long_series_threads(void **state)
{
    (void)state;
    const size_t T = ((size_t)1 << 21) + 77;
    double *x = noise(T, -0.5, 21);
    uint64_t *full = malloc(5040 * sizeof *full);
    for (int n = 5; n <= 7; n += 2) {
        es_ordinal_result r1, r2, ref;
        omp_set_num_threads(1);
        assert_int_equal(es_ordinal_hc(x, T, n, 3, 0, &r1), 0);
        omp_set_num_threads(2);
        assert_int_equal(es_ordinal_hc(x, T, n, 3, 0, &r2), 0);
        assert_memory_equal(&r1, &r2, sizeof r1);
        assert_int_equal(es_ordinal_count(x, T, n, 3, 0, full, NULL), 0);
        assert_int_equal(es_ordinal_hc_from_counts(full, n, &ref), 0);
        assert_true(ref.H == r2.H && ref.C == r2.C);
        assert_int_equal(r2.ptot, T - (size_t)(n - 1) * 3);
    }
    /* Two bad samples in different threads' blocks: the earlier one is named. */
    x[T - 5] = NAN;
    x[1500000] = INFINITY;
    es_ordinal_result r;
    assert_int_equal(es_ordinal_hc(x, T, 5, 1, 0, &r), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "sample 1500000 "));
    x[1500000] = 0.0;
    assert_int_equal(es_ordinal_hc(x, T, 5, 1, 0, &r), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "sample 2097224 "));
    x[3] = NAN; /* in the head, checked before the blocks */
    assert_int_equal(es_ordinal_hc(x, T, 5, 2, 0, &r), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "sample 3 "));
    x[3] = 0.0;

    /* A workspace reused after a failed threaded count (n = 7: touched-list
     * path) counts the next series from zero. The partial counts of the
     * failed call were left in place: a 20000-point logistic series then
     * read H = 0, C = 0, observed = 0 (every one of its codes was already
     * nonzero, so none was listed); fresh, it has 178 patterns. */
    es_ordinal_workspace *w = es_ordinal_workspace_alloc(7);
    assert_non_null(w);
    assert_int_equal(es_ordinal_hc_ws(w, x, T, 1, 0, &r), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "sample 2097224 "));
    enum { TL = 20000 };
    double *y = malloc(TL * sizeof *y);
    es_gen_logistic(y, TL, 4.0, 0.1);
    es_ordinal_result a, b;
    assert_int_equal(es_ordinal_hc_ws(w, y, TL, 1, ES_ORDINAL_ALLOW_SHORT, &a), 0);
    assert_int_equal(es_ordinal_hc(y, TL, 7, 1, ES_ORDINAL_ALLOW_SHORT, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(a.observed, 178);
    assert_true(a.H > 0.58 && a.H < 0.59);
    uint64_t *c7 = malloc(5040 * sizeof *c7);
    assert_int_equal(es_ordinal_count(y, TL, 7, 1, ES_ORDINAL_ALLOW_SHORT, c7, NULL), 0);
    assert_memory_equal(es_ordinal_workspace_counts(w), c7, 5040 * sizeof *c7);
    free(c7);
    free(y);
    es_ordinal_workspace_free(w);
    free(full);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sliding),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_curve_and_workspace),
        cmocka_unit_test(test_long_series_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
