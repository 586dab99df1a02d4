/* Sliding-window H(t), C(t) with incremental counts, and batch mode over
 * many series (OpenMP, one workspace per thread, results per series, so the
 * output does not depend on the thread count). */
#include "ordinal_internal.h"

#include "esuite/status.h"

#include <stdlib.h>
#include <string.h>

size_t es_ordinal_sliding_count(size_t T, size_t window, size_t step)
{
    if (window == 0 || step == 0 || T < window)
        return 0;
    return (T - window) / step + 1;
}

/* Add (sign +1) or remove (−1) the patterns of windows [i0, i1). */
static void update(uint64_t *counts, const double *x, size_t i0, size_t i1, int n, int delay,
                   int sign, uint64_t *code)
{
    for (size_t s = i0; s < i1; s += ES_ORD_CHUNK) {
        size_t m = i1 - s < ES_ORD_CHUNK ? i1 - s : ES_ORD_CHUNK;
        es_ord_codes(x, s, m, n, delay, code);
        if (sign > 0)
            for (size_t i = 0; i < m; i++)
                counts[code[i]]++;
        else
            for (size_t i = 0; i < m; i++)
                counts[code[i]]--;
    }
}

/* The window must hold what a whole series needs (es_ord_check_length),
 * said of the window: the series itself may be long enough (a 5-sample
 * window of a 1000-sample series read "series too short: 5 samples"). */
static int check_window(size_t window, int n, int delay, unsigned flags)
{
    long long ptot = es_ordinal_ptot(window, n, delay);
    long long span = (long long)(n - 1) * delay;
    unsigned long long N = es_ordinal_factorial(n);
    if (ptot <= 1)
        return es_error_set(ES_ESHORT, "ordinal: sliding window of %zu samples is too short: "
                                       "order n = %d with delay %d needs windows of at least "
                                       "%lld samples (2 patterns each)",
                            window, n, delay, span + 2);
    if (!(flags & ES_ORDINAL_ALLOW_SHORT) && (unsigned long long)ptot < N)
        return es_error_set(ES_ESHORT, "ordinal: sliding window of %zu samples is too short: "
                                       "%lld patterns per window is less than n! = %llu for n = "
                                       "%d, delay = %d, so H cannot reach 1 (windows of at "
                                       "least %lld samples, or esuite ordinal --allow-short)",
                            window, ptot, N, n, delay, span + (long long)N);
    return ES_OK;
}

int es_ordinal_sliding(const double *x, size_t T, int n, int delay, size_t window, size_t step,
                       unsigned flags, double *H, double *C)
{
    int rc = es_ord_check_params(n, delay);
    if (rc)
        return rc;
    if (step == 0)
        return es_error_set(ES_EINVAL, "ordinal: sliding step must be >= 1");
    if (window > T)
        return es_error_set(ES_ESHORT, "ordinal: sliding window of %zu samples is longer than the "
                                       "series (%zu samples)",
                            window, T);
    if ((rc = check_window(window, n, delay, flags)) || (rc = es_ord_check_finite(x, T)))
        return rc;
    const size_t N = (size_t)es_ordinal_factorial(n);
    const size_t P = (size_t)es_ordinal_ptot(window, n, delay);
    const size_t nout = es_ordinal_sliding_count(T, window, step);
    uint64_t *counts = calloc(N, sizeof *counts);
    uint64_t *code = malloc(ES_ORD_CHUNK * sizeof *code);
    if (!counts || !code) {
        free(counts);
        free(code);
        return es_error_set(ES_ENOMEM, "ordinal: cannot allocate sliding-window counts");
    }
    /* Window o covers pattern starts [o·step, o·step + P). Each output scans
     * the n! counts in index order (so it equals es_ordinal_hc on that window
     * bit for bit): cheap for n ≤ 7, O(n!) per output beyond. */
    update(counts, x, 0, P, n, delay, +1, code);
    for (size_t o = 0;; o++) {
        es_ordinal_result r;
        es_ord_result_counts(counts, n, P, &r);
        H[o] = r.H;
        C[o] = r.C;
        if (o + 1 == nout)
            break;
        size_t s = o * step, s1 = s + step;
        if (step < P) {
            update(counts, x, s, s1, n, delay, -1, code);
            update(counts, x, s + P, s1 + P, n, delay, +1, code);
        } else { /* no overlap: start afresh */
            memset(counts, 0, N * sizeof *counts);
            update(counts, x, s1, s1 + P, n, delay, +1, code);
        }
    }
    free(counts);
    free(code);
    return ES_OK;
}

int es_ordinal_hc_batch(const double *const *series, const size_t *lengths, size_t nseries, int n,
                        int delay, unsigned flags, es_ordinal_result *out, int *status)
{
    int rc = es_ord_check_params(n, delay);
    if (rc)
        return rc;
    int nomem = 0;
#pragma omp parallel reduction(| : nomem)
    {
        es_ordinal_workspace *w = es_ordinal_workspace_alloc(n);
        nomem |= !w;
#pragma omp for schedule(dynamic, 1)
        for (long long i = 0; i < (long long)nseries; i++) {
            status[i] = w ? es_ordinal_hc_ws(w, series[i], lengths[i], delay, flags, &out[i])
                          : ES_ENOMEM;
            if (status[i])
                memset(&out[i], 0, sizeof out[i]);
        }
        es_ordinal_workspace_free(w);
    }
    (void)nomem;
    /* Error messages are per thread: rebuild the first one here. */
    for (size_t i = 0; i < nseries; i++) {
        if (status[i] == ES_OK)
            continue;
        if (status[i] == ES_ENOMEM)
            return es_error_set(ES_ENOMEM, "ordinal: series %zu: out of memory", i);
        es_ordinal_check(series[i], lengths[i], n, delay, flags);
        char msg[ES_MSG_LEN];
        strncpy(msg, es_error_message(), sizeof msg - 1);
        msg[sizeof msg - 1] = '\0';
        return es_error_set(status[i], "series %zu: %s", i, msg);
    }
    return ES_OK;
}
