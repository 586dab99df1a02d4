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
 *  3. H > H_max,per → COMPLEX if C > C_locus(H), else STOCHASTIC, where
 *     C_locus is the curve traced by Gaussian f^−k noise, k = 0..3:
 *       n = 5: the spec's tabulated locus (2^17 points, delay 1, mean of 4
 *       seeds, computed with the reference package), interpolated piecewise
 *       linearly in H, with the end point (H, C) = (1, 0) appended.
 *       n ≠ 5: no tabulated locus. FALLBACK (not measured noise data): the
 *       locus keeps the same relative height within the envelopes as for
 *       n = 5 at the same H, i.e.
 *         λ(H) = (C5_locus(H) − C5_min(H)) / (C5_max(H) − C5_min(H)),
 *         C_locus,n(H) = C_min,n(H) + λ(H)·(C_max,n(H) − C_min,n(H)),
 *       with λ taken at the nearest end of the n = 5 table outside its range.
 *     For n = 3, H_max,per = 1 and rule 3 never applies.
 * The boundaries are exact (closed-form envelopes, bisection); only the
 * choice of the noise locus as the complex/stochastic divide is a convention. */
#include "ordinal_internal.h"

#include <math.h>

/* (H, C) of f^−k noise, k = 3, 2.5, 2, 1.5, 1, 0.5, 0, then (1, 0); n = 5. */
static const double locus5[][2] = {{0.4883, 0.2807}, {0.7580, 0.2460}, {0.8797, 0.1623},
                                   {0.9426, 0.0895}, {0.9772, 0.0384}, {0.9948, 0.0091},
                                   {0.9999, 0.0002}, {1.0, 0.0}};
#define NLOCUS5 (sizeof locus5 / sizeof locus5[0])

static double locus5_at(double H)
{
    if (H <= locus5[0][0])
        return locus5[0][1];
    for (size_t i = 1; i < NLOCUS5; i++)
        if (H <= locus5[i][0]) {
            double f = (H - locus5[i - 1][0]) / (locus5[i][0] - locus5[i - 1][0]);
            return locus5[i - 1][1] + f * (locus5[i][1] - locus5[i - 1][1]);
        }
    return 0.0;
}

/* C of the complex/stochastic divide at H (> H_max,per) for order n. */
static double locus_c(int n, double H)
{
    if (n == 5)
        return locus5_at(H);
    double h5 = H;
    if (h5 < locus5[0][0])
        h5 = locus5[0][0];
    if (h5 > locus5[NLOCUS5 - 2][0])
        h5 = locus5[NLOCUS5 - 2][0];
    double lo5 = es_ordinal_cmin(5, h5), hi5 = es_ordinal_cmax(5, h5);
    double lambda = (locus5_at(h5) - lo5) / (hi5 - lo5);
    double lo = es_ordinal_cmin(n, H), hi = es_ordinal_cmax(n, H);
    return lo + lambda * (hi - lo);
}

es_ordinal_class es_ordinal_classify(int n, double H, double C)
{
    double hmin = es_ordinal_hmin_per(n), hmax = es_ordinal_hmax_per(n);
    if (H < hmin)
        return ES_ORDINAL_OVERSAMPLED;
    if (H <= hmax) {
        double c0 = es_ordinal_cmax(n, hmin), c1 = es_ordinal_cmax(n, hmax);
        double chord = c0 + (c1 - c0) * (H - hmin) / (hmax - hmin);
        return C >= chord ? ES_ORDINAL_PERIODIC : ES_ORDINAL_REGULAR;
    }
    return C > locus_c(n, H) ? ES_ORDINAL_COMPLEX : ES_ORDINAL_STOCHASTIC;
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
