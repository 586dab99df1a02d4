/* Region classifier for a point (H, C) of the HC plane — a HEURISTIC.
 *
 * Neither the PECCARY paper (as far as it could be read) nor its package
 * gives a numeric boundary between "complex" and "stochastic"; the rule
 * below is our own operational proposal (spec §2.3 [O]):
 *
 *  1. H < H_min,per = log 2 / log n!                → OVERSAMPLED
 *     (fewer patterns than even a finely sampled periodic signal shows: the
 *     window is short compared with the dynamics, or the series is a trend).
 *  2. H_min,per ≤ H ≤ H_max,per = log(4n−6)/log n!  → REGULAR, and PERIODIC if
 *     C ≥ chord(H), the straight line joining the exact C_max envelope at
 *     H_min,per and at H_max,per (pure sines fall between the chord and C_max).
 *  3. H > H_max,per → COMPLEX if C > C_div(H), else STOCHASTIC, with the
 *     divide halfway between the correlated-noise locus and the upper bound,
 *         C_div(H) = C_locus(H) + ½·(C_max(H) − C_locus(H)).
 *     Why halfway: correlated noise lies ON its locus (a 10^5-point pink or
 *     red noise falls above or below it at random), while chaotic maps lie
 *     near C_max (Rosso et al. 2007); the midpoint separates the two with a
 *     margin on both sides. C_locus is the curve traced by Gaussian f^−k
 *     noise, k = 3, 2.5, …, 0,
 *     interpolated piecewise linearly in H, with the end point (1, 0):
 *       n = 5: the spec's tabulated locus (§2.3: 2^17 points, delay 1, mean
 *       of 4 seeds, computed with the reference package).
 *       n = 4, 6, 7, 8, 9: loci computed ONCE offline with this library, the
 *       same way: es_gen_colored_noise(x, T, alpha = −k/2, seed = 1000..1003)
 *       (PSD ∝ f^−k), es_ordinal_hc(x, T, n, delay 1), mean of the 4 seeds,
 *       T = 2^17 for n ≤ 7, 2^21 for n = 8 and 2^23 for n = 9 (so that
 *       Ptot/n! ≥ 23 and the white-noise bias 1 − H stays ≤ 0.002). The same
 *       recipe at n = 5 reproduces the spec's table to ≤ 0.0015 in H and
 *       ≤ 0.0007 in C (single-seed sd up to 0.014 in H at k = 3), which
 *       checks our generator against the package's.
 *       n = 10: no locus (10! = 3.6 M patterns would need ~10^8 points).
 *       FALLBACK, not measured noise data: the locus keeps the relative
 *       height within the envelopes of the n = 9 locus at the same H,
 *         λ(H) = (C9_locus(H) − C9_min(H)) / (C9_max(H) − C9_min(H)),
 *         C_locus,10(H) = C10_min(H) + λ(H)·(C10_max(H) − C10_min(H)),
 *       with λ taken at the nearest end of the n = 9 table outside its range.
 *     For n = 3, H_max,per = 1 and rule 3 never applies.
 * The boundaries are exact (closed-form envelopes, bisection); only the
 * choice of the noise locus as the complex/stochastic divide is a convention.
 *     Refinement near H = 1: for nearly uniform distributions every point,
 *     whatever its origin, lies on the same line C ≈ κ_n·(1 − H) to first
 *     order (the C_min and C_max envelopes themselves converge there, e.g.
 *     n = 4 at H = 0.9999: C/(1 − H) = 1.29 and 1.34), so white noise
 *     would fall on either side of its own locus point at random. Points
 *     with H ≥ H_w, the H of the k = 0.5 (nearly white) locus point, are
 *     therefore "stochastic" whatever their C (n = 10: the n = 9 value).
 * A point exactly on the divide is "stochastic". The loci hold for long
 * series (Ptot ≥ ~20·n!); shorter ones bias noise towards lower H and higher
 * C, i.e. towards "complex" (white noise at n = 8 with 10^5 points has
 * H = 0.979, C = 0.088, above the locus). */
#include "ordinal_internal.h"

#include <math.h>

/* (H, C) of f^−k noise for k = 3, 2.5, 2, 1.5, 1, 0.5, 0, then (1, 0). */
typedef double es_locus[8][2];
static const es_locus locus_tab[] = {
    /* n = 4 */ {{0.5558, 0.2625}, {0.8016, 0.1799}, {0.9063, 0.1027}, {0.9570, 0.0519},
                 {0.9836, 0.0209}, {0.9963, 0.0048}, {1.0000, 0.0000}, {1.0, 0.0}},
    /* n = 5 (spec) */
                {{0.4883, 0.2807}, {0.7580, 0.2460}, {0.8797, 0.1623}, {0.9426, 0.0895},
                 {0.9772, 0.0384}, {0.9948, 0.0091}, {0.9999, 0.0002}, {1.0, 0.0}},
    /* n = 6 */ {{0.4478, 0.2969}, {0.7264, 0.3112}, {0.8585, 0.2291}, {0.9299, 0.1373},
                 {0.9715, 0.0625}, {0.9931, 0.0160}, {0.9996, 0.0010}, {1.0, 0.0}},
    /* n = 7 */ {{0.4171, 0.3122}, {0.7007, 0.3750}, {0.8401, 0.3021}, {0.9182, 0.1947},
                 {0.9652, 0.0957}, {0.9902, 0.0294}, {0.9977, 0.0070}, {1.0, 0.0}},
    /* n = 8 */ {{0.3606, 0.2963}, {0.6822, 0.4207}, {0.8280, 0.3601}, {0.9114, 0.2429},
                 {0.9628, 0.1216}, {0.9907, 0.0341}, {0.9991, 0.0035}, {1.0, 0.0}},
    /* n = 9 */ {{0.3346, 0.2922}, {0.6660, 0.4637}, {0.8157, 0.4215}, {0.9036, 0.2995},
                 {0.9588, 0.1575}, {0.9892, 0.0477}, {0.9983, 0.0079}, {1.0, 0.0}},
};
#define NLOCUS 8

static double locus_at(const es_locus L, double H)
{
    if (H <= L[0][0])
        return L[0][1];
    for (int i = 1; i < NLOCUS; i++)
        if (H <= L[i][0]) {
            double f = (H - L[i - 1][0]) / (L[i][0] - L[i - 1][0]);
            return L[i - 1][1] + f * (L[i][1] - L[i - 1][1]);
        }
    return 0.0;
}

/* C of the complex/stochastic divide at H (> H_max,per) for order n. */
static double locus_c(int n, double H)
{
    if (n >= 4 && n <= 9)
        return locus_at(locus_tab[n - 4], H);
    /* n = 10: relative height of the n = 9 locus (see above). */
    const es_locus *L9 = &locus_tab[9 - 4];
    double h9 = H;
    if (h9 < (*L9)[0][0])
        h9 = (*L9)[0][0];
    if (h9 > (*L9)[NLOCUS - 2][0])
        h9 = (*L9)[NLOCUS - 2][0];
    double lo9 = es_ordinal_cmin(9, h9), hi9 = es_ordinal_cmax(9, h9);
    double lambda = (locus_at(*L9, h9) - lo9) / (hi9 - lo9);
    double lo = es_ordinal_cmin(n, H), hi = es_ordinal_cmax(n, H);
    return lo + lambda * (hi - lo);
}

/* The periodic band's corners are attained: two (or 4n−6) equally likely
 * patterns — a period-2 series — give exactly H_min,per (H_max,per) and C on
 * C_max. H, C (from counts) and the bounds (closed form, bisection) come by
 * different roundings, so the corners are compared with this slack; a
 * period-2 series at n = 5 fell 1.4e-16 below C_max and read "regular". */
#define CORNER_SLACK 1e-12

es_ordinal_class es_ordinal_classify(int n, double H, double C)
{
    double hmin = es_ordinal_hmin_per(n), hmax = es_ordinal_hmax_per(n);
    if (H > 1.0) /* rounding above the uniform value */
        H = 1.0;
    if (H < hmin - CORNER_SLACK)
        return ES_ORDINAL_OVERSAMPLED;
    if (H <= hmax + CORNER_SLACK) {
        double c0 = es_ordinal_cmax(n, hmin), c1 = es_ordinal_cmax(n, hmax);
        double chord = c0 + (c1 - c0) * (H - hmin) / (hmax - hmin);
        return C >= chord - CORNER_SLACK ? ES_ORDINAL_PERIODIC : ES_ORDINAL_REGULAR;
    }
    const es_locus *L = &locus_tab[(n >= 4 && n <= 9 ? n : 9) - 4];
    if (H >= (*L)[5][0]) /* at or beyond the k = 0.5 noise point */
        return ES_ORDINAL_STOCHASTIC;
    double locus = locus_c(n, H);
    double divide = locus + 0.5 * (es_ordinal_cmax(n, H) - locus);
    return C > divide ? ES_ORDINAL_COMPLEX : ES_ORDINAL_STOCHASTIC;
}

const char *es_ordinal_class_name(es_ordinal_class c)
{
    switch (c) {
    case ES_ORDINAL_OVERSAMPLED:
        return "oversampled";
    case ES_ORDINAL_PERIODIC:
        return "periodic";
    case ES_ORDINAL_REGULAR:
        return "regular";
    case ES_ORDINAL_COMPLEX:
        return "complex";
    case ES_ORDINAL_STOCHASTIC:
        return "stochastic";
    }
    return "unknown";
}
