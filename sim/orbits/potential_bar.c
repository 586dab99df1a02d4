/* Dehnen-type quadrupole bar (Dehnen 2000, AJ 119, 800; the 3-D form used by
 * galpy's DehnenBarPotential without growth), in the bar frame with the bar
 * along x:
 *   Φ = A_b cos 2φ (R/r)² U(r),  U = −(R_b/r)³ (r ≥ R_b),  (r/R_b)³ − 2 (r < R_b).
 * Since cos 2φ R² = x² − y², Φ = A_b f(x) W(r) with f = x² − y², W = U/r².
 * W is C¹ at R_b (Hessian jumps there, as in the original). The inner branch
 * makes Φ direction dependent at r → 0 (bounded Φ, |∇Φ| ∝ 1/r). */
#include "orbits/potential_internal.h"

#include <math.h>

static void bar_w(double r, double Rb, double *W, double *W1, double *W2)
{
    double Rb3 = Rb * Rb * Rb;
    if (r >= Rb) {
        double r2 = r * r, r5 = r2 * r2 * r;
        *W = -Rb3 / r5;
        *W1 = 5.0 * Rb3 / (r5 * r);
        *W2 = -30.0 * Rb3 / (r5 * r2);
    } else {
        double r2 = r * r;
        *W = r / Rb3 - 2.0 / r2;
        *W1 = 1.0 / Rb3 + 4.0 / (r2 * r);
        *W2 = -12.0 / (r2 * r2);
    }
}

double es_orb_pot_dehnen_bar(const es_orb_term *t, const double x[3], double acc[3],
                             double hess[9], int want_phi)
{
    (void)want_phi;
    double r = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    double W, W1, W2;
    bar_w(r, t->a, &W, &W1, &W2);
    double A = t->gm;
    double f = x[0] * x[0] - x[1] * x[1];
    double fi[3] = {2.0 * x[0], -2.0 * x[1], 0.0};
    double fii[3] = {2.0, -2.0, 0.0};
    double Wi[3];
    for (int i = 0; i < 3; i++)
        Wi[i] = W1 * x[i] / r;
    if (acc)
        for (int i = 0; i < 3; i++)
            acc[i] = -A * (fi[i] * W + f * Wi[i]);
    if (hess) {
        double c = (W2 - W1 / r) / (r * r);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double Wij = c * x[i] * x[j] + (i == j ? W1 / r : 0.0);
                hess[3 * i + j] =
                    A * ((i == j ? fii[i] * W : 0.0) + fi[i] * Wi[j] + fi[j] * Wi[i] + f * Wij);
            }
    }
    return A * f * W;
}
