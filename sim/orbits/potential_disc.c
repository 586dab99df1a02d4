/* Flattened logarithmic and Miyamoto–Nagai potentials (axisymmetric or
 * triaxial), with analytic accelerations and Hessians. */
#include "orbits/potential_internal.h"

#include <math.h>

double es_orb_pot_logarithmic(const es_orb_term *t, const double x[3], double acc[3],
                              double hess[9], int want_phi)
{
    double w[3] = {1.0, 1.0 / (t->qy * t->qy), 1.0 / (t->qz * t->qz)};
    double Q = t->a * t->a;
    for (int i = 0; i < 3; i++)
        Q += w[i] * x[i] * x[i];
    double v2 = t->gm; /* v0² */
    double gx[3];
    for (int i = 0; i < 3; i++)
        gx[i] = w[i] * x[i] / Q; /* ∂ᵢΦ / v0² */
    if (acc)
        for (int i = 0; i < 3; i++)
            acc[i] = -v2 * gx[i];
    if (hess)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                hess[3 * i + j] = v2 * ((i == j ? w[i] / Q : 0.0) - 2.0 * gx[i] * gx[j]);
    return want_phi ? 0.5 * v2 * log(Q) : 0.0; /* the log is most of the cost */
}

double es_orb_pot_miyamoto_nagai(const es_orb_term *t, const double x[3], double acc[3],
                                 double hess[9], int want_phi)
{
    (void)want_phi;
    double z = x[2];
    double zeta = sqrt(z * z + t->b * t->b);
    double az = t->a + zeta;
    double D2 = x[0] * x[0] + x[1] * x[1] + az * az;
    double D = sqrt(D2);
    double g = t->gm / (D2 * D);          /* GM/D³ */
    double h = 3.0 * t->gm / (D2 * D2 * D); /* 3GM/D⁵ */
    /* ∂Φ/∂xᵢ = g·eᵢ with e = (x, y, (a+ζ)z/ζ) */
    double e[3] = {x[0], x[1], az * z / zeta};
    if (acc)
        for (int i = 0; i < 3; i++)
            acc[i] = -g * e[i];
    if (hess) {
        /* ∂ⱼg = −h·eⱼ;  ∂ⱼeᵢ = δᵢⱼ except ∂z e_z = 1 + a b²/ζ³ */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                hess[3 * i + j] = -h * e[i] * e[j] + (i == j ? g : 0.0);
        hess[8] = -h * e[2] * e[2] + g * (1.0 + t->a * t->b * t->b / (zeta * zeta * zeta));
    }
    return -t->gm / D;
}
