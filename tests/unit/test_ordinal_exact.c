/* Exact cases of the ordinal module (spec ../shared/specs/ordinal.md §1, §2, §8):
 * pattern coding, ties, ramp/constant, k equiprobable patterns, the
 * Bandt–Pompe worked example, Q0, H_per limits, getMaxC and the exact
 * C_min/C_max envelopes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "esuite/ordinal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b);                                                               \
        if (!(fabs(a_ - b_) <= (tol)))                                                           \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(tol));    \
    } while (0)

/* Independent argsort: stable insertion sort of positions by value. */
static void argsort_stable(const double *v, int n, int *perm)
{
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[perm[j - 1]] > v[perm[j]]; j--) {
            int t = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = t;
        }
}

/* Codes are a bijection onto [0, n!) and decode to the stable argsort. */
static void test_pattern_coding(void **state)
{
    (void)state;
    srand(12345);
    for (int n = 3; n <= 7; n++) {
        uint64_t N = es_ordinal_factorial(n);
        char *seen = calloc(N, 1);
        size_t distinct = 0;
        for (int trial = 0; trial < 40 * (int)N; trial++) {
            double v[ES_ORDINAL_MAX_ORDER * 3];
            for (int i = 0; i < 3 * n; i++)
                v[i] = (double)(rand() % 7); /* many ties */
            for (int delay = 1; delay <= 3; delay += 2) {
                double w[ES_ORDINAL_MAX_ORDER];
                for (int i = 0; i < n; i++)
                    w[i] = v[i * delay];
                int expect[ES_ORDINAL_MAX_ORDER], got[ES_ORDINAL_MAX_ORDER];
                argsort_stable(w, n, expect);
                uint32_t code = es_ordinal_pattern_index(v, n, delay);
                assert_true(code < N);
                es_ordinal_pattern_perm(code, n, got);
                assert_memory_equal(expect, got, (size_t)n * sizeof(int));
                if (!seen[code]++)
                    distinct++;
            }
        }
        /* Distinct values in random order reach every code: decode all. */
        for (uint32_t c = 0; c < N; c++) {
            int perm[ES_ORDINAL_MAX_ORDER];
            double w[ES_ORDINAL_MAX_ORDER];
            es_ordinal_pattern_perm(c, n, perm);
            for (int r = 0; r < n; r++)
                w[perm[r]] = (double)r; /* the rank-r value sits at position perm[r] */
            assert_int_equal(es_ordinal_pattern_index(w, n, 1), c);
        }
        free(seen);
        assert_true(distinct > N / 2);
    }
    assert_int_equal(es_ordinal_factorial(10), 3628800);
    assert_int_equal(es_ordinal_factorial(20), 2432902008176640000ULL);
}

/* The vectorised counting kernels (one per n) agree with the scalar
 * es_ordinal_pattern_index window by window, for every n and several delays. */
static void test_kernels_match_scalar(void **state)
{
    (void)state;
    enum { T = 3000 };
    double *x = malloc(T * sizeof *x);
    srand(777);
    for (int i = 0; i < T; i++)
        x[i] = (double)(rand() % 50) + (i % 3 ? 0.5 : 0.0); /* ties and steps */
    for (int n = 3; n <= 10; n++) {
        uint64_t N = es_ordinal_factorial(n);
        uint64_t *counts = malloc(N * sizeof *counts);
        for (int delay = 1; delay <= 5; delay += 2) {
            size_t ptot;
            assert_int_equal(
                es_ordinal_count(x, T, n, delay, ES_ORDINAL_ALLOW_SHORT, counts, &ptot), 0);
            /* Remove every window's scalar code: all counts must end at 0. */
            for (size_t i = 0; i < ptot; i++) {
                uint32_t c = es_ordinal_pattern_index(x + i, n, delay);
                assert_true(c < N);
                assert_true(counts[c] > 0);
                counts[c]--;
            }
            for (uint64_t c = 0; c < N; c++)
                assert_true(counts[c] == 0);
        }
        free(counts);
    }
    free(x);
}

/* Ties: the earlier sample counts as smaller (stable rule). */
static void test_ties(void **state)
{
    (void)state;
    int perm[5];
    const double flat[5] = {3, 3, 3, 3, 3};
    assert_int_equal(es_ordinal_pattern_index(flat, 5, 1), 0); /* identity */
    const double a[3] = {2, 1, 1};
    es_ordinal_pattern_perm(es_ordinal_pattern_index(a, 3, 1), 3, perm);
    assert_int_equal(perm[0], 1);
    assert_int_equal(perm[1], 2);
    assert_int_equal(perm[2], 0);
    const double b[3] = {1, 2, 1};
    es_ordinal_pattern_perm(es_ordinal_pattern_index(b, 3, 1), 3, perm);
    assert_int_equal(perm[0], 0);
    assert_int_equal(perm[1], 2);
    assert_int_equal(perm[2], 1);
}

/* §8 #1, #2: one pattern → H = C = +0 exactly. */
static void test_ramp_constant(void **state)
{
    (void)state;
    double *x = malloc(1000 * sizeof *x);
    es_ordinal_result r;
    for (int kind = 0; kind < 3; kind++) {
        for (int i = 0; i < 1000; i++)
            x[i] = kind == 0 ? i : kind == 1 ? 1000 - i : 2.5;
        assert_int_equal(es_ordinal_hc(x, 1000, 5, 1, 0, &r), 0);
        assert_true(r.H == 0.0); /* exactly +0 (spec §7) */
        assert_true(r.C == 0.0);
        assert_true(r.S == 0.0);
        assert_false(signbit(r.H));
        assert_false(signbit(r.C));
        assert_int_equal(r.observed, 1);
        assert_int_equal(r.forbidden, 119);
        assert_int_equal(r.ptot, 996);
    }
    /* The constant series maps every window to the identity (code 0). */
    uint64_t counts[120];
    size_t ptot;
    assert_int_equal(es_ordinal_count(x, 1000, 5, 3, 0, counts, &ptot), 0);
    assert_int_equal(ptot, 1000 - 12);
    assert_int_equal(counts[0], ptot);
    free(x);
}

/* Closed form for k equiprobable of N patterns (spec §1.5 [O]), natural logs. */
static void closed_form(double k, double N, double *H, double *C)
{
    double a = (1.0 / k + 1.0 / N) / 2.0, b = 1.0 / (2.0 * N);
    double S = log(k), SM = -k * a * log(a) - (N - k) * b * log(b);
    double J = SM - S / 2.0 - log(N) / 2.0;
    /* J_max: delta distribution vs uniform, same formula with k = 1. */
    double a1 = (1.0 + 1.0 / N) / 2.0;
    double Jmax = -a1 * log(a1) - (N - 1.0) * b * log(b) - log(N) / 2.0;
    *H = S / log(N);
    *C = J / Jmax * *H;
}

/* §8 #7: k equiprobable patterns of N = 120. */
static void test_k_equiprobable(void **state)
{
    (void)state;
    const int k[] = {2, 6, 14, 24, 60, 119, 120};
    const double H[] = {0.144783, 0.374258, 0.551240, 0.663824, 0.855217, 0.998252, 1.0};
    const double C[] = {0.140803, 0.331532, 0.417096, 0.419530, 0.275813, 0.004322, 0.0};
    for (int t = 0; t < 7; t++) {
        uint64_t counts[120] = {0};
        for (int i = 0; i < k[t]; i++)
            counts[(i * 7) % 120] = 5; /* 7 is coprime with 120: k distinct codes */
        es_ordinal_result r;
        assert_int_equal(es_ordinal_hc_from_counts(counts, 5, &r), 0);
        assert_close(r.H, H[t], 1e-6);
        assert_close(r.C, C[t], 1e-6);
        double h, c;
        closed_form(k[t], 120.0, &h, &c);
        assert_close(r.H, h, 1e-12);
        assert_close(r.C, c, 1e-12);
        assert_int_equal(r.observed, (size_t)k[t]);
        assert_int_equal(r.ptot, 5 * (size_t)k[t]);
        /* k equiprobable patterns are the end points of the C_max segments. */
        if (k[t] > 1 && k[t] < 120)
            assert_close(es_ordinal_cmax(5, r.H), r.C, 1e-9);
    }
}

/* §1.1 / §8 #8: Bandt–Pompe's example x = (4,7,9,10,6,11,3), n = 3. */
static void test_bandt_pompe(void **state)
{
    (void)state;
    const double x[7] = {4, 7, 9, 10, 6, 11, 3};
    uint64_t counts[6];
    size_t ptot;
    assert_int_equal(es_ordinal_count(x, 7, 3, 1, ES_ORDINAL_ALLOW_SHORT, counts, &ptot), 0);
    assert_int_equal(ptot, 5);
    /* Expected argsort patterns 012:2, 102:1, 201:2. */
    int found = 0;
    for (uint32_t c = 0; c < 6; c++) {
        if (!counts[c])
            continue;
        int p[3];
        es_ordinal_pattern_perm(c, 3, p);
        int name = p[0] * 100 + p[1] * 10 + p[2];
        if (name == 12)
            assert_int_equal(counts[c], 2);
        else if (name == 102)
            assert_int_equal(counts[c], 1);
        else if (name == 201)
            assert_int_equal(counts[c], 2);
        else
            fail_msg("unexpected pattern %03d", name);
        found++;
    }
    assert_int_equal(found, 3);
    es_ordinal_result r;
    assert_int_equal(es_ordinal_hc(x, 7, 3, 1, ES_ORDINAL_ALLOW_SHORT, &r), 0);
    assert_close(r.S, 1.521928, 1e-6);
    assert_close(r.S, log2(5.0) - 0.8, 1e-12); /* −(2·0.4·log2 0.4 + 0.2·log2 0.2) */
    assert_close(r.H, 0.588762, 1e-6);
    assert_close(r.C, 0.289954, 1e-6);
    assert_int_equal(r.observed, 3);
    assert_int_equal(r.forbidden, 3);
    /* S_mix and JS from their definitions (§1.4). */
    double sm = 0.0;
    const double p[6] = {0.4, 0.2, 0.4, 0, 0, 0};
    for (int i = 0; i < 6; i++) {
        double m = 0.5 * (p[i] + 1.0 / 6.0);
        sm -= m * log2(m);
    }
    assert_close(r.S_mix, sm, 1e-12);
    assert_close(r.JS, sm - r.S / 2 - log2(6.0) / 2, 1e-12);
    assert_close(r.C, es_ordinal_q0(3) * r.JS * r.H, 1e-12);
}

/* §1.5 table of Q0. */
static void test_q0(void **state)
{
    (void)state;
    const double q0[] = {1.527049671, 1.144418586, 1.036070717, 1.007652244, 1.001365159,
                         1.000207656};
    for (int n = 3; n <= 8; n++) {
        assert_close(es_ordinal_q0(n), q0[n - 3], 1e-9);
        /* Q0 = 1/J_max with J_max from a delta distribution. */
        uint64_t *counts = calloc(es_ordinal_factorial(n), sizeof *counts);
        counts[3] = 10;
        es_ordinal_result r;
        assert_int_equal(es_ordinal_hc_from_counts(counts, n, &r), 0);
        assert_close(r.JS * es_ordinal_q0(n), 1.0, 1e-12);
        /* uniform counts: H = 1 (to 1e-12), never above (rounding gave
         * 1 + 2.4e-15 at n = 5 and 1 + 1.0e-14 at n = 6), C = 0 to 1e-13 */
        for (uint64_t i = 0; i < es_ordinal_factorial(n); i++)
            counts[i] = 7;
        assert_int_equal(es_ordinal_hc_from_counts(counts, n, &r), 0);
        assert_true(r.H <= 1.0 && r.H > 1.0 - 1e-12);
        assert_true(r.C >= 0.0 && r.C < 1e-13);
        free(counts);
    }
}

/* §2.2 / §8 #34: H_min,per and H_max,per. */
static void test_hper(void **state)
{
    (void)state;
    const double lo[] = {0.386853, 0.218104, 0.144783, 0.105354, 0.081306, 0.065363};
    const double hi[] = {1.0, 0.724527, 0.551240, 0.439316, 0.362579, 0.307234};
    for (int n = 3; n <= 8; n++) {
        assert_close(es_ordinal_hmin_per(n), lo[n - 3], 1e-6);
        assert_close(es_ordinal_hmax_per(n), hi[n - 3], 1e-6);
    }
}

/* §2.1 / §8 #35: the package's getMaxC. */
static void test_max_c(void **state)
{
    (void)state;
    const double ref[] = {0.291452, 0.354090, 0.424820, 0.496700};
    for (int n = 3; n <= 6; n++)
        assert_close(es_ordinal_max_c(n, 1000), ref[n - 3], 1e-6);
    assert_close(es_ordinal_max_c(5, 1000), 0.42482041346272625, 1e-12);

    /* The discretised plane: min curve starts at the uniform point (1, 0);
     * the max curve's maximum is getMaxC; the max curve lies on the exact C_max. */
    const int ns = 1000;
    double *hmin = malloc(ns * sizeof(double)), *cmin = malloc(ns * sizeof(double));
    double *hmax = malloc(119 * ns * sizeof(double)), *cmax = malloc(119 * ns * sizeof(double));
    assert_int_equal(es_ordinal_hc_plane(5, ns, hmin, cmin, hmax, cmax), 0);
    assert_close(hmin[0], 1.0, 1e-12);
    assert_close(cmin[0], 0.0, 1e-12);
    double best = 0.0;
    for (int i = 0; i < 119 * ns; i++)
        best = cmax[i] > best ? cmax[i] : best;
    assert_close(best, es_ordinal_max_c(5, ns), 0.0);
    for (int i = 0; i < 119 * ns; i += 997)
        if (hmax[i] > 0.0)
            assert_close(es_ordinal_cmax(5, hmax[i]), cmax[i], 1e-9);
    for (int i = 1; i < ns; i += 37)
        assert_close(es_ordinal_cmin(5, hmin[i]), cmin[i], 1e-9);
    free(hmin);
    free(cmin);
    free(hmax);
    free(cmax);
}

/* §2.1: exact envelopes at given H (n = 5) and the corner points for n = 4..7. */
static void test_envelopes(void **state)
{
    (void)state;
    const double H[] = {0.10, 0.144783, 0.20, 0.30, 0.40, 0.50, 0.551240,
                        0.60, 0.70, 0.80, 0.90, 0.95, 0.99};
    const double cmin[] = {0.083841, 0.112835, 0.142463, 0.180825, 0.201682, 0.206826, 0.203768,
                           0.197404, 0.173983, 0.136378, 0.082773, 0.047875, 0.012335};
    const double cmax[] = {0.097560, 0.140803, 0.190319, 0.274751, 0.347572, 0.400545, 0.417096,
                           0.423363, 0.407406, 0.340088, 0.207295, 0.113452, 0.024129};
    for (int i = 0; i < 13; i++) {
        assert_close(es_ordinal_cmin(5, H[i]), cmin[i], 1e-6);
        assert_close(es_ordinal_cmax(5, H[i]), cmax[i], 1e-6);
    }
    /* Corners (H_min,per and H_max,per) for n = 4, 6, 7 (spec §2.3). */
    const struct {
        int n;
        double h0, lo0, hi0, h1, lo1, hi1;
    } corner[] = {{4, 0.218104, 0.155053, 0.196706, 0.724527, 0.172656, 0.315853},
                  {5, 0.144783, 0.112835, 0.140803, 0.551240, 0.203768, 0.417096},
                  {6, 0.105354, 0.086048, 0.104695, 0.439316, 0.196496, 0.405147},
                  {7, 0.081306, 0.068449, 0.081211, 0.362579, 0.181869, 0.355716}};
    for (int i = 0; i < 4; i++) {
        double h0 = es_ordinal_hmin_per(corner[i].n), h1 = es_ordinal_hmax_per(corner[i].n);
        assert_close(h0, corner[i].h0, 1e-6);
        assert_close(h1, corner[i].h1, 1e-6);
        assert_close(es_ordinal_cmin(corner[i].n, h0), corner[i].lo0, 1e-6);
        assert_close(es_ordinal_cmax(corner[i].n, h0), corner[i].hi0, 1e-6);
        assert_close(es_ordinal_cmin(corner[i].n, h1), corner[i].lo1, 1e-6);
        assert_close(es_ordinal_cmax(corner[i].n, h1), corner[i].hi1, 1e-6);
    }
    /* Chord slope of the periodic sliver, n = 5. */
    double h0 = es_ordinal_hmin_per(5), h1 = es_ordinal_hmax_per(5);
    assert_close((es_ordinal_cmax(5, h1) - es_ordinal_cmax(5, h0)) / (h1 - h0), 0.679759, 1e-6);
    /* End points: C = 0 at H = 0 and H = 1; C_min ≤ C_max everywhere. */
    assert_close(es_ordinal_cmin(5, 0.0), 0.0, 1e-12);
    assert_close(es_ordinal_cmax(5, 0.0), 0.0, 1e-12);
    assert_close(es_ordinal_cmin(5, 1.0), 0.0, 1e-12);
    assert_close(es_ordinal_cmax(5, 1.0), 0.0, 1e-12);
    for (int n = 3; n <= 10; n++)
        for (double h = 0.01; h < 1.0; h += 0.07)
            assert_true(es_ordinal_cmin(n, h) <= es_ordinal_cmax(n, h) + 1e-12);
    assert_true(isnan(es_ordinal_cmin(5, 1.5)));
    assert_true(isnan(es_ordinal_cmax(2, 0.5)));
}

/* Golden-section search for the maximum of f(n, H) on [a, b] (unimodal there). */
static double argmax_h(double (*f)(int, double), int n, double a, double b, double *fmax)
{
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double c = b - g * (b - a), d = a + g * (b - a);
    while (b - a > 1e-9) {
        if (f(n, c) > f(n, d))
            b = d;
        else
            a = c;
        c = b - g * (b - a);
        d = a + g * (b - a);
    }
    *fmax = f(n, 0.5 * (a + b));
    return 0.5 * (a + b);
}

/* §2.1: where the n = 5 envelopes peak: C_min 0.207005 at H ≈ 0.484, C_max
 * 0.42482 (getMaxC's discretised value, 0.42482041) at H ≈ 0.615. A grid
 * scan of C_min (an independent search) finds the same peak. */
static void test_envelope_peaks(void **state)
{
    (void)state;
    double cmin, cmax;
    double hmin = argmax_h(es_ordinal_cmin, 5, 0.3, 0.7, &cmin);
    double hmax = argmax_h(es_ordinal_cmax, 5, 0.45, 0.8, &cmax);
    assert_close(cmin, 0.207005, 1e-6);
    assert_close(hmin, 0.484, 5e-4);
    assert_close(cmax, 0.42482, 1e-5);
    assert_close(hmax, 0.615, 5e-4);
    /* the discretised maximum sits on a cusp of the envelope (an "m patterns
     * equally likely" point), which a search in H approaches to ~1e-7 */
    assert_close(cmax, es_ordinal_max_c(5, 1000), 1e-6);
    double best = 0.0;
    for (double h = 0.0; h <= 1.0; h += 1e-3)
        best = fmax(best, es_ordinal_cmin(5, h));
    assert_true(best <= cmin + 1e-12 && best > cmin - 1e-6);
}

/* The largest C of all 3628799·1000 max-curve points at n = 10 (full scan,
 * before es_ordinal_max_c took only the segments' end points). */
#define FULL_SCAN_N10 0.69272653643545867

/* es_ordinal_max_c evaluates only the two end points of each max-curve
 * segment; the oracle is the largest of all (n! − 1)·nsteps points that
 * es_ordinal_hc_plane returns (the old full scan), for several grids. */
static void test_max_c_end_points(void **state)
{
    (void)state;
    const int grids[] = {1, 2, 3, 10, 1000};
    for (int n = 3; n <= 6; n++) {
        const size_t segs = (size_t)es_ordinal_factorial(n) - 1;
        for (size_t g = 0; g < sizeof grids / sizeof grids[0]; g++) {
            const int ns = grids[g];
            double *hmin = malloc(ns * sizeof(double)), *cmin = malloc(ns * sizeof(double));
            double *hmax = malloc(segs * ns * sizeof(double)), *cmax = malloc(segs * ns * sizeof(double));
            assert_int_equal(es_ordinal_hc_plane(n, ns, hmin, cmin, hmax, cmax), 0);
            double best = -INFINITY;
            for (size_t k = 0; k < segs * (size_t)ns; k++)
                best = cmax[k] > best ? cmax[k] : best;
            assert_close(es_ordinal_max_c(n, ns), best, 1e-12);
            free(hmin);
            free(cmin);
            free(hmax);
            free(cmax);
        }
    }
    /* n = 9 and 10 against the full scan's values (59 s and about 10 min of
     * one core before; the same bits). How fast it is now is a benchmark
     * figure (docs/ordinal.md), not a test: timed tests fail under load. */
    assert_close(es_ordinal_max_c(9, 1000), 0.6570554689387984, 1e-12);
    assert_close(es_ordinal_max_c(10, 1000), FULL_SCAN_N10, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_coding), cmocka_unit_test(test_kernels_match_scalar),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_ramp_constant),  cmocka_unit_test(test_k_equiprobable),
        cmocka_unit_test(test_bandt_pompe),    cmocka_unit_test(test_q0),
        cmocka_unit_test(test_hper),           cmocka_unit_test(test_max_c),
        cmocka_unit_test(test_max_c_end_points),
        cmocka_unit_test(test_envelopes),      cmocka_unit_test(test_envelope_peaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
