/* Ordinal patterns: Lehmer coding, counting and the H, C estimators.
 *
 * Pattern code. For a window v[0..n−1] = x[i], x[i+ℓ], …, the stable rule
 * says v[a] is "smaller" than v[b] iff v[a] < v[b], or v[a] == v[b] and a < b.
 * With c_j = #{k > j : v[k] < v[j]} (the later samples strictly smaller than
 * v[j]) the code Σ_j c_j·(n−1−j)! is the Lehmer code of the rank vector, a
 * bijection onto [0, n!). The identity (ascending, or constant) window has
 * code 0. This costs n(n−1)/2 comparisons per window and no sorting.
 *
 * Speed. Codes are computed for a block of ES_ORD_CHUNK windows at once, one
 * (j, k) comparison pair at a time, so the inner loop is a straight,
 * vectorisable compare-and-add over contiguous memory (any delay). Counting
 * for small n goes to 4 interleaved histograms so that runs of the same
 * pattern (smooth signals) do not serialise on one counter. */
#include "ordinal_internal.h"

#include "esuite/status.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Hot loops are cloned for AVX2 (picked at load time) where the compiler
 * supports function multiversioning. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ES_ORD_CLONES_DECL __attribute__((target_clones("avx2", "default")))
#else
#define ES_ORD_CLONES_DECL
#endif

static const uint32_t es_fact32[11] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800};

uint64_t es_ordinal_factorial(int n)
{
    if (n < 0 || n > 20)
        return 0;
    uint64_t f = 1;
    for (int i = 2; i <= n; i++)
        f *= (uint64_t)i;
    return f;
}

long long es_ordinal_ptot(size_t T, int n, int delay)
{
    return (long long)T - (long long)(n - 1) * (long long)delay;
}

int es_ord_check_params(int n, int delay)
{
    if (n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER)
        return es_error_set(ES_EINVAL, "ordinal: order n = %d is out of range (allowed %d..%d)", n,
                            ES_ORDINAL_MIN_ORDER, ES_ORDINAL_MAX_ORDER);
    if (delay < 1)
        return es_error_set(ES_EINVAL, "ordinal: delay = %d is out of range (must be >= 1)", delay);
    return ES_OK;
}

/* Length check only: Ptot > 1, and Ptot >= n! unless ALLOW_SHORT. */
int es_ord_check_length(size_t T, int n, int delay, unsigned flags)
{
    long long ptot = es_ordinal_ptot(T, n, delay);
    if (ptot <= 1)
        return es_error_set(ES_ESHORT,
                            "series too short: %zu sample%s, order n = %d with delay %d needs at "
                            "least %lld (Ptot = T - (n-1)·delay >= 2 windows)",
                            T, T == 1 ? "" : "s", n, delay, (long long)(n - 1) * delay + 2);
    uint64_t N = es_ordinal_factorial(n);
    if (!(flags & ES_ORDINAL_ALLOW_SHORT) && (uint64_t)ptot < N)
        return es_error_set(ES_ESHORT,
                            "series too short: Ptot = %lld windows is less than n! = %llu for "
                            "n = %d, delay = %d, so H cannot reach 1 (use a longer series, a "
                            "smaller n or delay, or esuite ordinal --allow-short)",
                            ptot, (unsigned long long)N, n, delay);
    return ES_OK;
}

/* Nonzero if x[0..T) holds a NaN or Inf: a branch-free vectorisable scan. */
ES_ORD_CLONES_DECL __attribute__((noinline)) static int any_nonfinite(const double *x, size_t T)
{
    int bad = 0;
    for (size_t i = 0; i < T; i++)
        bad |= !(fabs(x[i]) <= 1.79769313486231570815e308);
    return bad;
}

/* ES_EDATA naming the first non-finite sample of x[a..b) (global index). */
static int check_range(const double *x, size_t a, size_t b)
{
    if (!any_nonfinite(x + a, b - a))
        return ES_OK;
    for (size_t i = a; i < b; i++)
        if (!isfinite(x[i]))
            return es_error_set(ES_EDATA, "ordinal: sample %zu (0-based) is %s", i,
                                isnan(x[i]) ? "NaN" : "infinite");
    return ES_OK;
}

int es_ord_check_finite(const double *x, size_t T) { return check_range(x, 0, T); }

int es_ordinal_check(const double *x, size_t T, int n, int delay, unsigned flags)
{
    int rc = es_ord_check_params(n, delay);
    if (rc)
        return rc;
    if (!x && T > 0)
        return es_error_set(ES_EINVAL, "ordinal: series pointer is NULL");
    rc = es_ord_check_length(T, n, delay, flags);
    if (rc)
        return rc;
    return es_ord_check_finite(x, T);
}

uint32_t es_ordinal_pattern_index(const double *x, int n, int delay)
{
    uint32_t code = 0;
    for (int j = 0; j < n - 1; j++) {
        uint32_t c = 0;
        double vj = x[(size_t)j * (size_t)delay];
        for (int k = j + 1; k < n; k++)
            c += x[(size_t)k * (size_t)delay] < vj;
        code += c * es_fact32[n - 1 - j];
    }
    return code;
}

void es_ordinal_pattern_perm(uint32_t code, int n, int *perm)
{
    /* Decode the rank vector r (Lehmer digits count the smaller later ranks),
     * then invert it: perm[r[j]] = j is the argsort. */
    int r[ES_ORDINAL_MAX_ORDER];
    int used[ES_ORDINAL_MAX_ORDER] = {0};
    for (int j = 0; j < n; j++) {
        uint32_t f = es_fact32[n - 1 - j];
        int c = (int)(code / f);
        code %= f;
        /* r[j] is the (c+1)-th smallest rank not used yet. */
        int v = 0;
        for (;; v++)
            if (!used[v] && c-- == 0)
                break;
        used[v] = 1;
        r[j] = v;
    }
    for (int j = 0; j < n; j++)
        perm[r[j]] = j;
}

/* Codes of m consecutive windows for a compile-time n: per window, c_j
 * counts the later samples below v[j] and the code is accumulated in Horner
 * form, Σ c_j (n−1−j)! = ((c_0·(n−1) + c_1)·(n−2) + c_2)… . Everything stays
 * in 64-bit lanes (the width of a double comparison mask), so the loop over
 * windows vectorises without any packing. */
static inline __attribute__((always_inline)) void codes_fixed(const double *restrict x, size_t m,
                                                              size_t L, uint64_t *restrict code,
                                                              const int n)
{
    for (size_t i = 0; i < m; i++) {
        int64_t c = 0;
#pragma GCC unroll 10
        for (int j = 0; j < n - 1; j++) {
            const double vj = x[i + (size_t)j * L];
            int64_t cj = 0;
#pragma GCC unroll 10
            for (int k = j + 1; k < n; k++)
                cj += (int64_t)(x[i + (size_t)k * L] < vj);
            c = c * (n - j) + cj;
        }
        code[i] = (uint64_t)c;
    }
}

/* One out-of-line kernel per order (so each vectorises on its own). */
#define ES_ORD_KERNEL(N)                                                                         \
    ES_ORD_CLONES_DECL __attribute__((noinline)) static void codes_n##N(                              \
        const double *restrict x, size_t m, size_t L, uint64_t *restrict code)                   \
    {                                                                                            \
        codes_fixed(x, m, L, code, N);                                                           \
    }
ES_ORD_KERNEL(3)
ES_ORD_KERNEL(4)
ES_ORD_KERNEL(5)
ES_ORD_KERNEL(6)
ES_ORD_KERNEL(7)
ES_ORD_KERNEL(8)
ES_ORD_KERNEL(9)
ES_ORD_KERNEL(10)

void es_ord_codes(const double *x, size_t i0, size_t m, int n, int delay, uint64_t *code)
{
    const double *xi = x + i0;
    const size_t L = (size_t)delay;
    switch (n) {
    case 3: codes_n3(xi, m, L, code); break;
    case 4: codes_n4(xi, m, L, code); break;
    case 5: codes_n5(xi, m, L, code); break;
    case 6: codes_n6(xi, m, L, code); break;
    case 7: codes_n7(xi, m, L, code); break;
    case 8: codes_n8(xi, m, L, code); break;
    case 9: codes_n9(xi, m, L, code); break;
    default: codes_n10(xi, m, L, code); break;
    }
}

/* ---- workspace ---- */

es_ordinal_workspace *es_ordinal_workspace_alloc(int n)
{
    if (es_ord_check_params(n, 1))
        return NULL;
    es_ordinal_workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->n = n;
    w->N = (size_t)es_ordinal_factorial(n);
    w->counts = calloc(w->N, sizeof *w->counts);
    if (n <= ES_ORD_SMALL_N)
        w->sub = calloc(ES_ORD_NHIST * w->N, sizeof *w->sub);
    else
        w->touched = malloc(w->N * sizeof *w->touched);
    if (!w->counts || (n <= ES_ORD_SMALL_N ? !w->sub : !w->touched)) {
        es_ordinal_workspace_free(w);
        es_error_set(ES_ENOMEM, "ordinal: cannot allocate a workspace for n = %d", n);
        return NULL;
    }
    return w;
}

void es_ordinal_workspace_free(es_ordinal_workspace *w)
{
    if (!w)
        return;
    free(w->counts);
    free(w->sub);
    free(w->touched);
    free(w);
}

const uint64_t *es_ordinal_workspace_counts(const es_ordinal_workspace *w) { return w->counts; }

/* The finite check is fused into the counting pass: chunk [i0, i0+m) reads
 * samples up to i0+m−1+(n−1)ℓ, so checking the head [0, (n−1)ℓ) once and
 * each chunk's new samples [i0+(n−1)ℓ, i0+m+(n−1)ℓ) covers the series in
 * order (the first bad index is reported) while the data are in cache. */
static int check_head(const double *x, int n, int delay, int check)
{
    return check ? check_range(x, 0, (size_t)(n - 1) * (size_t)delay) : ES_OK;
}

static int check_chunk(const double *x, size_t i0, size_t m, int n, int delay, int check)
{
    size_t a = i0 + (size_t)(n - 1) * (size_t)delay;
    return check ? check_range(x, a, a + m) : ES_OK;
}

static int count_small(es_ordinal_workspace *w, const double *x, size_t ptot, int delay, int check)
{
    const size_t N = w->N;
    uint64_t *h0 = w->sub, *h1 = h0 + N, *h2 = h1 + N, *h3 = h2 + N;
    memset(w->sub, 0, ES_ORD_NHIST * N * sizeof *w->sub);
    memset(w->counts, 0, N * sizeof *w->counts);
    int rc = check_head(x, w->n, delay, check);
    for (size_t i0 = 0; i0 < ptot && rc == ES_OK; i0 += ES_ORD_CHUNK) {
        size_t m = ptot - i0 < ES_ORD_CHUNK ? ptot - i0 : ES_ORD_CHUNK;
        if ((rc = check_chunk(x, i0, m, w->n, delay, check)))
            break;
        es_ord_codes(x, i0, m, w->n, delay, w->code);
        size_t i = 0;
        for (; i + 4 <= m; i += 4) {
            h0[w->code[i]]++;
            h1[w->code[i + 1]]++;
            h2[w->code[i + 2]]++;
            h3[w->code[i + 3]]++;
        }
        for (; i < m; i++)
            h0[w->code[i]]++;
    }
    if (rc)
        return rc;
    for (size_t c = 0; c < N; c++)
        w->counts[c] = h0[c] + h1[c] + h2[c] + h3[c];
    return ES_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int count_large(es_ordinal_workspace *w, const double *x, size_t ptot, int delay, int check)
{
    /* Clear only what the previous call touched (n! can be 3.6 M). */
    for (size_t t = 0; t < w->ntouched; t++)
        w->counts[w->touched[t]] = 0;
    size_t nt = 0;
    int rc = check_head(x, w->n, delay, check);
    for (size_t i0 = 0; i0 < ptot && rc == ES_OK; i0 += ES_ORD_CHUNK) {
        size_t m = ptot - i0 < ES_ORD_CHUNK ? ptot - i0 : ES_ORD_CHUNK;
        if ((rc = check_chunk(x, i0, m, w->n, delay, check)))
            break;
        es_ord_codes(x, i0, m, w->n, delay, w->code);
        for (size_t i = 0; i < m; i++) {
            uint64_t c = w->code[i];
            if (w->counts[c]++ == 0)
                w->touched[nt++] = (uint32_t)c;
        }
    }
    w->ntouched = nt;
    if (rc)
        return rc;
    /* Index order makes the entropy sums identical to a scan of the array. */
    qsort(w->touched, nt, sizeof *w->touched, cmp_u32);
    return ES_OK;
}

/* Long series: OpenMP over contiguous blocks of chunks, one histogram per
 * thread, summed at the end. Counts are integers, so the result does not
 * depend on the number of threads. Used outside parallel regions only (the
 * batch mode parallelises over series instead) and for n ≤ 8 (≤ 320 kB of
 * counts per thread). */
#define ES_ORD_PAR_MIN ((size_t)1 << 20)

static int count_parallel(es_ordinal_workspace *w, const double *x, size_t ptot, int delay,
                          int check)
{
    const size_t N = w->N;
    const int n = w->n;
    const size_t nchunks = (ptot + ES_ORD_CHUNK - 1) / ES_ORD_CHUNK;
    size_t first_bad = SIZE_MAX;
    int nomem = 0;
    memset(w->counts, 0, N * sizeof *w->counts);
    int rc = check_head(x, n, delay, check);
    if (rc)
        return rc;
#pragma omp parallel reduction(min : first_bad) reduction(| : nomem)
    {
        uint64_t *h = calloc(N, sizeof *h);
        uint64_t *code = malloc(ES_ORD_CHUNK * sizeof *code);
        nomem = !h || !code;
#pragma omp for schedule(static)
        for (size_t k = 0; k < nchunks; k++) {
            if (nomem || first_bad != SIZE_MAX)
                continue; /* this thread already failed: skip the rest of its block */
            size_t i0 = k * ES_ORD_CHUNK;
            size_t m = ptot - i0 < ES_ORD_CHUNK ? ptot - i0 : ES_ORD_CHUNK;
            if (check) {
                size_t a = i0 + (size_t)(n - 1) * (size_t)delay;
                if (any_nonfinite(x + a, m)) {
                    for (size_t i = a; i < a + m; i++)
                        if (!isfinite(x[i])) {
                            first_bad = i;
                            break;
                        }
                    continue;
                }
            }
            es_ord_codes(x, i0, m, n, delay, code);
            for (size_t i = 0; i < m; i++)
                h[code[i]]++;
        }
#pragma omp critical(es_ordinal_merge)
        if (h)
            for (size_t c = 0; c < N; c++)
                w->counts[c] += h[c];
        free(h);
        free(code);
    }
    if (nomem || first_bad != SIZE_MAX) {
        /* The threads merged partial counts: leave none behind, or the next
         * count_large on this workspace (which clears only its touched list
         * and lists a code only when its count rises from 0) sees them. */
        memset(w->counts, 0, N * sizeof *w->counts);
        w->ntouched = 0;
    }
    if (nomem)
        return es_error_set(ES_ENOMEM, "ordinal: cannot allocate per-thread counts");
    if (first_bad != SIZE_MAX)
        return check_range(x, first_bad, first_bad + 1);
    if (w->touched) { /* rebuild the touched list, already in index order */
        size_t nt = 0;
        for (size_t c = 0; c < N; c++)
            if (w->counts[c])
                w->touched[nt++] = (uint32_t)c;
        w->ntouched = nt;
    }
    return ES_OK;
}

int es_ord_count_ws(es_ordinal_workspace *w, const double *x, size_t ptot, int delay, int check)
{
    if (ptot >= ES_ORD_PAR_MIN && w->n <= 8 && !omp_in_parallel() && omp_get_max_threads() > 1)
        return count_parallel(w, x, ptot, delay, check);
    if (w->n <= ES_ORD_SMALL_N)
        return count_small(w, x, ptot, delay, check);
    return count_large(w, x, ptot, delay, check);
}

/* ---- entropies ---- */

void es_ord_finish(int n, double S, double Se, es_ordinal_result *res)
{
    const double N = (double)es_ordinal_factorial(n);
    const double log2N = log2(N);
    const double denom = (1.0 + 1.0 / N) * log2(N + 1.0) - 2.0 * log2(2.0 * N) + log2N;
    S = S + 0.0; /* −0.0 (a single pattern) becomes +0.0 */
    /* rounding of the sum lifts a uniform distribution's H above 1 (n = 5:
     * 1 + 2.4e-15, n = 6: 1 + 1.0e-14); H is a normalised entropy, at most 1 */
    double H = fmin(S / log2N, 1.0);
    double JS = Se - 0.5 * S - 0.5 * log2N;
    if (JS < 0.0)
        JS = 0.0; /* rounding below the true minimum 0 (uniform P) */
    res->order = n;
    res->S = S;
    res->S_mix = Se;
    res->JS = JS;
    res->H = H;
    res->C = -2.0 * (JS / denom * H) + 0.0;
}

/* Accumulates the two entropy sums over observed codes in index order. */
typedef struct {
    double P, invN, S, Se;
    size_t k;
} es_ord_acc;

static inline void acc_add(es_ord_acc *a, uint64_t c)
{
    /* c / P, not c · (1/P) as the package does: a single pattern then has
     * p = 1 exactly and H = +0 (the two differ by at most one ulp). */
    double p = (double)c / a->P;
    double m = 0.5 * (p + a->invN);
    a->S += p * log2(p);
    a->Se += m * log2(m);
    a->k++;
}

static void acc_finish(const es_ord_acc *a, int n, uint64_t ptot, es_ordinal_result *res)
{
    const uint64_t N = es_ordinal_factorial(n);
    double Se = -a->Se + 0.5 * (double)(N - a->k) * a->invN * (1.0 + log2((double)N));
    es_ord_finish(n, -a->S, Se, res);
    res->ptot = (size_t)ptot;
    res->observed = a->k;
    res->forbidden = (size_t)(N - a->k);
}

static es_ord_acc acc_init(int n, uint64_t ptot)
{
    es_ord_acc a = {(double)ptot, 1.0 / (double)es_ordinal_factorial(n), 0.0, 0.0, 0};
    return a;
}

void es_ord_result_ws(const es_ordinal_workspace *w, uint64_t ptot, es_ordinal_result *res)
{
    es_ord_acc a = acc_init(w->n, ptot);
    if (w->n <= ES_ORD_SMALL_N) {
        for (size_t c = 0; c < w->N; c++)
            if (w->counts[c])
                acc_add(&a, w->counts[c]);
    } else {
        for (size_t t = 0; t < w->ntouched; t++)
            acc_add(&a, w->counts[w->touched[t]]);
    }
    acc_finish(&a, w->n, ptot, res);
}

int es_ordinal_hc_from_counts(const uint64_t *counts, int n, es_ordinal_result *res)
{
    int rc = es_ord_check_params(n, 1);
    if (rc)
        return rc;
    const uint64_t N = es_ordinal_factorial(n);
    uint64_t ptot = 0;
    for (uint64_t c = 0; c < N; c++)
        ptot += counts[c];
    if (ptot == 0)
        return es_error_set(ES_EINVAL, "ordinal: all %llu pattern counts are zero",
                            (unsigned long long)N);
    es_ord_result_counts(counts, n, ptot, res);
    res->delay = 0;
    return ES_OK;
}

void es_ord_result_counts(const uint64_t *counts, int n, uint64_t ptot, es_ordinal_result *res)
{
    const uint64_t N = es_ordinal_factorial(n);
    es_ord_acc a = acc_init(n, ptot);
    for (uint64_t c = 0; c < N; c++)
        if (counts[c])
            acc_add(&a, counts[c]);
    acc_finish(&a, n, ptot, res);
}

int es_ordinal_count(const double *x, size_t T, int n, int delay, unsigned flags, uint64_t *counts,
                     size_t *ptot)
{
    int rc = es_ordinal_check(x, T, n, delay, flags);
    if (rc)
        return rc;
    size_t P = (size_t)es_ordinal_ptot(T, n, delay);
    memset(counts, 0, (size_t)es_ordinal_factorial(n) * sizeof *counts);
    uint64_t code[ES_ORD_CHUNK];
    for (size_t i0 = 0; i0 < P; i0 += ES_ORD_CHUNK) {
        size_t m = P - i0 < ES_ORD_CHUNK ? P - i0 : ES_ORD_CHUNK;
        es_ord_codes(x, i0, m, n, delay, code);
        for (size_t i = 0; i < m; i++)
            counts[code[i]]++;
    }
    if (ptot)
        *ptot = P;
    return ES_OK;
}

int es_ordinal_hc_ws(es_ordinal_workspace *w, const double *x, size_t T, int delay,
                     unsigned flags, es_ordinal_result *res)
{
    if (!w)
        return es_error_set(ES_EINVAL, "ordinal: workspace is NULL");
    int rc = es_ord_check_params(w->n, delay);
    if (rc || (rc = es_ord_check_length(T, w->n, delay, flags)))
        return rc;
    if (!x)
        return es_error_set(ES_EINVAL, "ordinal: series pointer is NULL");
    size_t P = (size_t)es_ordinal_ptot(T, w->n, delay);
    if ((rc = es_ord_count_ws(w, x, P, delay, 1)))
        return rc;
    es_ord_result_ws(w, P, res);
    res->delay = delay;
    return ES_OK;
}

int es_ordinal_hc(const double *x, size_t T, int n, int delay, unsigned flags,
                  es_ordinal_result *res)
{
    int rc = es_ord_check_params(n, delay);
    if (rc)
        return rc;
    es_ordinal_workspace *w = es_ordinal_workspace_alloc(n);
    if (!w)
        return ES_ENOMEM;
    rc = es_ordinal_hc_ws(w, x, T, delay, flags, res);
    es_ordinal_workspace_free(w);
    return rc;
}

int es_ordinal_curve(const double *x, size_t T, int n, const int *delays, size_t ndelays,
                     unsigned flags, es_ordinal_result *out)
{
    int rc = es_ord_check_params(n, 1);
    if (rc)
        return rc;
    /* Check every delay and the data once, before any work. */
    for (size_t d = 0; d < ndelays; d++) {
        if ((rc = es_ord_check_params(n, delays[d])) || (rc = es_ord_check_length(T, n, delays[d], flags)))
            return rc;
    }
    if (ndelays == 0)
        return ES_OK;
    if ((rc = es_ord_check_finite(x, T)))
        return rc;
    es_ordinal_workspace *w = es_ordinal_workspace_alloc(n);
    if (!w)
        return ES_ENOMEM;
    for (size_t d = 0; d < ndelays; d++) {
        size_t P = (size_t)es_ordinal_ptot(T, n, delays[d]);
        es_ord_count_ws(w, x, P, delays[d], 0); /* data checked above */
        es_ord_result_ws(w, P, &out[d]);
        out[d].delay = delays[d];
    }
    es_ordinal_workspace_free(w);
    return ES_OK;
}
