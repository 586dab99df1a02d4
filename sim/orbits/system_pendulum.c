/* The double pendulum (spec §4.2 equations, general masses and lengths).
 *
 * The tangent equations J(y)·w are obtained without finite differences by
 * evaluating the same right-hand side on dual numbers a + ε a' (forward-mode
 * differentiation along w): one code path, exact to rounding. */
#include "orbits/orbits.h"

#include <math.h>

typedef struct {
    double v, d; /* value, derivative along w */
} dual;

static dual dc(double v) { return (dual){v, 0.0}; }
static dual dadd(dual a, dual b) { return (dual){a.v + b.v, a.d + b.d}; }
static dual dsub(dual a, dual b) { return (dual){a.v - b.v, a.d - b.d}; }
static dual dmul(dual a, dual b) { return (dual){a.v * b.v, a.d * b.v + a.v * b.d}; }
static dual ddiv(dual a, dual b)
{
    return (dual){a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)};
}
static dual dsin(dual a) { return (dual){sin(a.v), cos(a.v) * a.d}; }
static dual dcos(dual a) { return (dual){cos(a.v), -sin(a.v) * a.d}; }
static dual dscale(double c, dual a) { return (dual){c * a.v, c * a.d}; }

/* State (θ1, ω1, θ2, ω2); δ = θ2 − θ1; D1 = (M1+M2)L1 − M2 L1 cos²δ; D2 = (L2/L1) D1. */
static void pendulum_dual(const es_orb_system *s, const dual *y, dual *f)
{
    double M1 = s->m1, M2 = s->m2, L1 = s->l1, L2 = s->l2, g = s->g, M = M1 + M2;
    dual th1 = y[0], w1 = y[1], th2 = y[2], w2 = y[3];
    dual del = dsub(th2, th1);
    dual sd = dsin(del), cd = dcos(del);
    dual s1 = dsin(th1), s2 = dsin(th2);
    dual D1 = dsub(dc(M * L1), dscale(M2 * L1, dmul(cd, cd)));
    dual D2 = dscale(L2 / L1, D1);
    dual w1s = dmul(w1, w1), w2s = dmul(w2, w2);
    dual n1 = dscale(M2 * L1, dmul(w1s, dmul(sd, cd)));
    n1 = dadd(n1, dscale(M2 * g, dmul(s2, cd)));
    n1 = dadd(n1, dscale(M2 * L2, dmul(w2s, sd)));
    n1 = dsub(n1, dscale(M * g, s1));
    dual n2 = dscale(-M2 * L2, dmul(w2s, dmul(sd, cd)));
    n2 = dadd(n2, dscale(M * g, dmul(s1, cd)));
    n2 = dsub(n2, dscale(M * L1, dmul(w1s, sd)));
    n2 = dsub(n2, dscale(M * g, s2));
    f[0] = w1;
    f[1] = ddiv(n1, D1);
    f[2] = w2;
    f[3] = ddiv(n2, D2);
}

void es_orb_pendulum_rhs(const es_orb_system *s, const double *y, double *dydt, const double *w,
                         double *jw)
{
    dual yy[4], f[4];
    for (int i = 0; i < 4; i++)
        yy[i] = (dual){y[i], w ? w[i] : 0.0};
    pendulum_dual(s, yy, f);
    for (int i = 0; i < 4; i++) {
        dydt[i] = f[i].v;
        if (w)
            jw[i] = f[i].d;
    }
}

/* E = ½(M1+M2)L1²ω1² + ½M2L2²ω2² + M2L1L2ω1ω2cos(θ1−θ2) − (M1+M2)gL1cosθ1 − M2gL2cosθ2 */
double es_orb_pendulum_energy(const es_orb_system *s, const double *y)
{
    double M = s->m1 + s->m2, L1 = s->l1, L2 = s->l2;
    double T = 0.5 * M * L1 * L1 * y[1] * y[1] + 0.5 * s->m2 * L2 * L2 * y[3] * y[3] +
               s->m2 * L1 * L2 * y[1] * y[3] * cos(y[0] - y[2]);
    double V = -M * s->g * L1 * cos(y[0]) - s->m2 * s->g * L2 * cos(y[2]);
    return T + V;
}
