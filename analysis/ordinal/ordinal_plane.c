/* The HC plane: normaliser Q0, periodic-signal entropy limits, the exact
 * C_min / C_max envelopes (Martin, Plastino & Rosso 2006) and the reference
 * package's discretisation of them (calcHCplane / getMaxC). */
#include "ordinal_internal.h"

#include "esuite/status.h"

#include <math.h>

/* Denominator of the package's C formula, = −2 / Q0 (bits). */
static double c_denom(double N)
{
    return (1.0 + 1.0 / N) * log2(N + 1.0) - 2.0 * log2(2.0 * N) + log2(N);
}

double es_ordinal_q0(int n)
{
    if (n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER)
        return NAN;
    return -2.0 / c_denom((double)es_ordinal_factorial(n));
}

double es_ordinal_hmin_per(int n)
{
    if (n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER)
        return NAN;
    return log(2.0) / log((double)es_ordinal_factorial(n));
}

double es_ordinal_hmax_per(int n)
{
    if (n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER)
        return NAN;
    double Nper = 2.0 * (2.0 * (n - 2.0) + 1.0);
    return log(Nper) / log((double)es_ordinal_factorial(n));
}

/* H and C of a distribution with one probability pk, `m` probabilities pj
 * and `z` zeros (N = 1 + m + z), in the package's arithmetic order. */
static void hc_family(double N, double pk, double pj, double m, double z, double *H, double *C)
{
    const double log2N = log2(N);
    double S = (pk == 0.0 ? 0.0 : -pk * log2(pk)) - (pj == 0.0 ? 0.0 : m * pj * log2(pj));
    double qk = pk / 2.0 + 1.0 / (2.0 * N);
    double qj = pj / 2.0 + 1.0 / (2.0 * N);
    double Scom = -qk * log2(qk) - m * qj * log2(qj) - z * (1.0 / (2.0 * N)) * log2(1.0 / (2.0 * N));
    *H = S / log2N;
    *C = -2.0 * (S / log2N) * (Scom - 0.5 * S - 0.5 * log2N) / c_denom(N) + 0.0;
}

/* C_min family: pk ∈ [1/N, 1], N−1 equal rest; H falls from 1 to 0 as pk rises. */
static void cmin_point(double N, double pk, double *H, double *C)
{
    hc_family(N, pk, (1.0 - pk) / (N - 1.0), N - 1.0, 0.0, H, C);
}

/* C_max segment i (1..N−1): i−1 zeros, pk ∈ [0, 1/(N−i+1)], N−i equal rest;
 * H rises from log(N−i)/log N to log(N−i+1)/log N as pk rises. */
static void cmax_point(double N, double i, double pk, double *H, double *C)
{
    hc_family(N, pk, (1.0 - pk) / (N - i), N - i, i - 1.0, H, C);
}

static int bad_h(int n, double H)
{
    return n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER || !(H >= 0.0 && H <= 1.0);
}

double es_ordinal_cmin(int n, double H)
{
    if (bad_h(n, H))
        return NAN;
    const double N = (double)es_ordinal_factorial(n);
    double lo = 1.0 / N, hi = 1.0, h, c; /* H(lo) = 1, H(hi) = 0 */
    for (int it = 0; it < 200 && hi - lo > 1e-17; it++) {
        double mid = 0.5 * (lo + hi);
        cmin_point(N, mid, &h, &c);
        if (h > H)
            lo = mid;
        else
            hi = mid;
    }
    cmin_point(N, 0.5 * (lo + hi), &h, &c);
    return c;
}

double es_ordinal_cmax(int n, double H)
{
    if (bad_h(n, H))
        return NAN;
    const double N = (double)es_ordinal_factorial(n);
    if (H >= 1.0)
        return 0.0;
    /* Segment with log(N−i) <= H log N <= log(N−i+1): m = N−i = floor(N^H). */
    double m = floor(exp(H * log(N)));
    if (m < 1.0)
        m = 1.0;
    while (m > 1.0 && log(m) / log(N) > H)
        m -= 1.0;
    while (m + 1.0 < N && log(m + 1.0) / log(N) < H)
        m += 1.0;
    const double i = N - m;
    double lo = 0.0, hi = 1.0 / (m + 1.0), h, c;
    for (int it = 0; it < 200 && hi - lo > 1e-18; it++) {
        double mid = 0.5 * (lo + hi);
        cmax_point(N, i, mid, &h, &c);
        if (h < H)
            lo = mid;
        else
            hi = mid;
    }
    cmax_point(N, i, 0.5 * (lo + hi), &h, &c);
    return c;
}

int es_ordinal_hc_plane(int n, int nsteps, double *Hmin, double *Cmin, double *Hmax, double *Cmax)
{
    int rc = es_ord_check_params(n, 1);
    if (rc)
        return rc;
    if (nsteps < 1)
        return es_error_set(ES_EINVAL, "ordinal: nsteps = %d must be >= 1", nsteps);
    const uint64_t Nu = es_ordinal_factorial(n);
    const double N = (double)Nu, invN = 1.0 / N;
    for (int j = 0; j < nsteps; j++)
        cmin_point(N, invN + j * (1.0 - invN) / nsteps, &Hmin[j], &Cmin[j]);
    for (uint64_t i = 1; i < Nu; i++) {
        double di = (double)i;
        for (int j = 0; j < nsteps; j++) {
            size_t at = (size_t)(i - 1) * (size_t)nsteps + (size_t)j;
            cmax_point(N, di, j * (1.0 / (N - di + 1.0)) / nsteps, &Hmax[at], &Cmax[at]);
        }
    }
    return ES_OK;
}

/* The package's getMaxC is the largest C over the (n! − 1)·nsteps points of
 * es_ordinal_hc_plane's max curve; each point is O(1) already (closed form
 * in the multiplicities), so the cost was the n!·nsteps points themselves
 * (13 s at n = 9, 10 times that at n = 10). Along every segment C is
 * monotone or falls and then rises again (the C_max pieces between two
 * "k patterns equally likely" points bulge downwards), never higher inside
 * than at both ends: on the full grid of nsteps = 1000, for every segment of
 * every n = 3..10, the largest point was the first (j = 0, k = n! − i equal
 * patterns) or the last (j = nsteps − 1). So only those two points of each
 * segment are evaluated, with the same arithmetic: the same value, bit for
 * bit (tests/unit/test_ordinal_exact.c compares with the full grid). */
double es_ordinal_max_c(int n, int nsteps)
{
    if (n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER || nsteps < 1)
        return NAN;
    const uint64_t Nu = es_ordinal_factorial(n);
    const double N = (double)Nu;
    double best = -INFINITY, h, c;
    for (uint64_t i = 1; i < Nu; i++) {
        double di = (double)i;
        int ends[2] = {0, nsteps - 1};
        for (int e = 0; e < (nsteps > 1 ? 2 : 1); e++) {
            cmax_point(N, di, ends[e] * (1.0 / (N - di + 1.0)) / nsteps, &h, &c);
            if (c > best)
                best = c;
        }
    }
    return best;
}
