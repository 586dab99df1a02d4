/* Hydrodynamic x-profiles and simple moments (see esuite/boltzmann.h). */
#include "esuite/boltzmann.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

/* Bin of position x in nbins bins of width w (clamped into [0, nbins − 1]). */
static size_t profile_bin(double x, double w, size_t nbins)
{
    double f = floor(x / w);
    return f < 0.0 ? 0 : (f >= (double)nbins ? nbins - 1 : (size_t)f);
}

int es_bz_profiles(const double *pv, size_t n, double lx, double ly, size_t nbins,
                   double *density, double *ux, double *temperature)
{
    if (nbins < 1 || !(lx > 0.0) || !(ly > 0.0))
        return es_error_set(ES_EINVAL, "profiles: need nbins >= 1 (got %zu) and a positive box "
                                       "(lx = %g, ly = %g)", nbins, lx, ly);
    /* per bin: count, Σvx and Σvy (then the means ux, uy), Σ|v − u|² */
    double *acc = calloc(4 * nbins, sizeof *acc);
    if (!acc)
        return es_error_set(ES_ENOMEM, "profiles: out of memory for %zu bins", nbins);
    double w = lx / nbins;
    for (size_t i = 0; i < n; i++) {
        const double *q = pv + 4 * i;
        double *a = acc + 4 * profile_bin(q[0], w, nbins);
        a[0] += 1.0;
        a[1] += q[2];
        a[2] += q[3];
    }
    for (size_t b = 0; b < nbins; b++) {
        double *a = acc + 4 * b;
        a[1] = a[0] > 0 ? a[1] / a[0] : NAN;
        a[2] = a[0] > 0 ? a[2] / a[0] : NAN;
    }
    /* Deviations from the bin's mean in a second pass: ⟨|v|²⟩ − |u|² cancels,
     * and gave negative temperatures (a lone disc with v = (0.3, 0.7):
     * −2.8e-17) where the spread is 0. */
    for (size_t i = 0; i < n; i++) {
        const double *q = pv + 4 * i;
        double *a = acc + 4 * profile_bin(q[0], w, nbins);
        double ex = q[2] - a[1], ey = q[3] - a[2];
        a[3] += ex * ex + ey * ey;
    }
    for (size_t b = 0; b < nbins; b++) {
        const double *a = acc + 4 * b;
        double c = a[0];
        if (density)
            density[b] = c / (w * ly);
        if (ux)
            ux[b] = a[1];
        if (temperature)
            temperature[b] = c > 0 ? 0.5 * (a[3] / c) : NAN;
    }
    free(acc);
    return ES_OK;
}

size_t es_bz_count_right(const double *pv, size_t n, double xcut)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += pv[4 * i] > xcut;
    return k;
}

double es_bz_kinetic_energy(const double *pv, size_t n)
{
    double e = 0.0;
    for (size_t i = 0; i < n; i++)
        e += 0.5 * (pv[4 * i + 2] * pv[4 * i + 2] + pv[4 * i + 3] * pv[4 * i + 3]);
    return e;
}

/* ---- reference values ---------------------------------------------------- */

static double normal_cdf(double z) { return 0.5 * erfc(-z / M_SQRT2); }

double es_bz_maxwell_s1(double dv, double T, double v_max)
{
    /* K as es_bz_grid_shape has it: ceil(v_max/dv), within 1e-12 (relative) of an integer that integer */
    double r = v_max / dv, near = round(r);
    long K = (long)(fabs(r - near) <= 1e-12 * r ? near : ceil(r));
    double s = 0.0, sd = sqrt(T);
    for (long k = -K; k < K; k++) {
        double lo = k == -K ? -INFINITY : k * dv, hi = k == K - 1 ? INFINITY : (k + 1) * dv;
        /* Tail bins from the upper side to avoid cancellation in 1 − Φ. */
        double P = hi <= 0.0 ? normal_cdf(hi / sd) - normal_cdf(lo / sd)
                             : normal_cdf(-lo / sd) - normal_cdf(-hi / sd);
        if (P > 0.0)
            s -= P * log(P / dv);
    }
    return s;
}

static double xlogx(double z) { return z > 0.0 ? z * log(z) : 0.0; }

/* G(b) − G(a) for G(z) = ½z² ln z − ¼z², b = a + d, 0 <= a < b: from d, not
 * from G(b) − G(a), which cancels when d is small (d <= 1/u, multiplied by
 * 2u: ΔS/N(u) came out above its maximum ln 2 for u >~ 1e6, by 7.6e-5 at
 * u = 1e12 + 1, and 0.027 below it at u = 1e15 + 1). Uses b² − a² = d(a + b)
 * and ln b − ln a = log1p(d/a). */
static double G_diff(double a, double d)
{
    double b = a + d, lin = d * (a + b) * (0.5 * log(b) - 0.25);
    return a > 0.0 ? lin + 0.5 * a * a * log1p(d / a) : lin;
}

double es_bz_collisionless_dS(double u)
{
    if (!(u > 0.0))
        return 0.0;
    double k = floor(u / 2.0), rho = u - 2.0 * k, a, d, P;
    if (rho <= 1.0) {
        a = k / u;
        d = rho / u; /* b = (k + rho)/u */
        P = 1.0 - rho;
    } else {
        a = (k + rho - 1.0) / u;
        d = (2.0 - rho) / u; /* b = (k + 1)/u */
        P = rho - 1.0;
    }
    return -P * (xlogx(a) + xlogx(a + d)) - 2.0 * u * G_diff(a, d);
}

double es_bz_henderson_excess_entropy(double eta)
{
    return -(9.0 / 8.0) * eta / (1.0 - eta) + (7.0 / 8.0) * log(1.0 - eta);
}

double es_bz_expansion_dS_ideal(double r) { return log(r); }

double es_bz_expansion_dS_henderson(double eta, double r)
{
    return log(r) + es_bz_henderson_excess_entropy(eta / r) - es_bz_henderson_excess_entropy(eta);
}
