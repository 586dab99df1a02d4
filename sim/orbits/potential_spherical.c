/* Spherical potential terms: point mass, Plummer, Hernquist, isochrone, NFW.
 *
 * Each term is written through k1 = Φ'(r)/r and k2 = (Φ'' − Φ'/r)/r², so
 * that acc = −k1·x and ∂ᵢ∂ⱼΦ = k2·xᵢxⱼ + k1·δᵢⱼ with no division by r for
 * the cored profiles (Plummer, isochrone). */
#include "orbits/potential_internal.h"

#include <math.h>

static double spherical_fill(double phi, double k1, double k2, const double x[3], double acc[3],
                             double hess[9])
{
    if (acc)
        for (int i = 0; i < 3; i++)
            acc[i] = -k1 * x[i];
    if (hess)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                hess[3 * i + j] = k2 * x[i] * x[j] + (i == j ? k1 : 0.0);
    return phi;
}

static double radius(const double x[3])
{
    return sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
}

double es_orb_pot_pointmass(const es_orb_term *t, const double x[3], double acc[3],
                            double hess[9], int want_phi)
{
    (void)want_phi;
    double r = radius(x);
    double r3 = r * r * r;
    return spherical_fill(-t->gm / r, t->gm / r3, -3.0 * t->gm / (r3 * r * r), x, acc, hess);
}

double es_orb_pot_plummer(const es_orb_term *t, const double x[3], double acc[3],
                          double hess[9], int want_phi)
{
    (void)want_phi;
    double r = radius(x);
    double s = sqrt(r * r + t->a * t->a);
    double s3 = s * s * s;
    return spherical_fill(-t->gm / s, t->gm / s3, -3.0 * t->gm / (s3 * s * s), x, acc, hess);
}

/* The cusps (Hernquist, NFW) have |Φ'(0)| > 0: the force has no direction at
 * r = 0 exactly and k1 = Φ'/r is infinite there, so acc = −k1·x was NaN and an
 * orbit started at the centre (ic = grid with x_min = 0) was lost at once. By
 * symmetry the force averaged over directions is zero: the centre itself gets
 * zero force and zero curvature; every r > 0 keeps the exact terms. */
static double cusp_centre(double phi0, double acc[3], double hess[9])
{
    const double x0[3] = {0.0, 0.0, 0.0};
    return spherical_fill(phi0, 0.0, 0.0, x0, acc, hess);
}

double es_orb_pot_hernquist(const es_orb_term *t, const double x[3], double acc[3],
                            double hess[9], int want_phi)
{
    (void)want_phi;
    double r = radius(x);
    if (r == 0.0)
        return cusp_centre(-t->gm / t->a, acc, hess);
    double ra = r + t->a;
    double k1 = t->gm / (r * ra * ra);
    double k2 = -t->gm * (3.0 * r + t->a) / (r * r * r * ra * ra * ra);
    return spherical_fill(-t->gm / ra, k1, k2, x, acc, hess);
}

double es_orb_pot_isochrone(const es_orb_term *t, const double x[3], double acc[3],
                            double hess[9], int want_phi)
{
    (void)want_phi;
    double r = radius(x);
    double b = t->a;
    double s = sqrt(b * b + r * r);
    double bs = b + s;
    double k1 = t->gm / (s * bs * bs);
    double k2 = -t->gm * (b + 3.0 * s) / (s * s * s * bs * bs * bs);
    return spherical_fill(-t->gm / bs, k1, k2, x, acc, hess);
}

/* f(u) = ln(1+u) − u/(1+u) and g(u) = −3f(u) + u²/(1+u)², by series for
 * small u where the closed forms cancel catastrophically:
 * f = Σ_{k≥2} (−1)^k (k−1)/k u^k, g = Σ_{k≥2} (−1)^k (k−1)(k−3)/k u^k. */
static void nfw_fg(double u, double *f, double *g)
{
    if (u < 1e-2) {
        double uk = u * u, sf = 0.0, sg = 0.0;
        for (int k = 2; k <= 10; k++) {
            double sgn = (k % 2 == 0) ? 1.0 : -1.0;
            sf += sgn * (k - 1.0) / k * uk;
            sg += sgn * (k - 1.0) * (k - 3.0) / k * uk;
            uk *= u;
        }
        *f = sf;
        *g = sg;
        return;
    }
    double q = u / (1.0 + u);
    *f = log1p(u) - q;
    *g = -3.0 * (*f) + q * q;
}

double es_orb_pot_nfw(const es_orb_term *t, const double x[3], double acc[3],
                      double hess[9], int want_phi)
{
    double r = radius(x);
    if (r == 0.0)
        return cusp_centre(-t->gm / t->a, acc, hess);
    double u = r / t->a;
    double f, g;
    nfw_fg(u, &f, &g);
    double r3 = r * r * r;
    double phi = !want_phi ? 0.0 : (u < 1e-12) ? -t->gm / t->a : -t->gm * log1p(u) / r;
    /* Φ' = GM f / r², Φ'' = GM(−2f + u²/(1+u)²)/r³ */
    return spherical_fill(phi, t->gm * f / r3, t->gm * g / (r3 * r * r), x, acc, hess);
}
