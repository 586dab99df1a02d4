/* Systems: equations of motion, tangent (variational) equations and the
 * conserved quantity for motion in a potential (inertial or rotating frame)
 * and the Lorenz flow. The double pendulum lives in system_pendulum.c. */
#include "orbits/orbits.h"

#include <math.h>
#include <string.h>

#include "esuite/status.h"

void es_orb_pendulum_rhs(const es_orb_system *s, const double *y, double *dydt, const double *w,
                         double *jw);
double es_orb_pendulum_energy(const es_orb_system *s, const double *y);

void es_orb_system_potential(es_orb_system *s, const es_orb_potential *p, int ndim)
{
    memset(s, 0, sizeof *s);
    s->kind = ES_ORB_SYS_POTENTIAL;
    s->pot = *p;
    s->ndim = ndim;
    s->nvar = 2 * ndim;
}

void es_orb_system_henon_heiles(es_orb_system *s)
{
    es_orb_potential p;
    memset(&p, 0, sizeof p);
    p.nterms = 1;
    p.term[0].kind = ES_ORB_HENON_HEILES;
    es_orb_system_potential(s, &p, 2);
}

void es_orb_system_pendulum(es_orb_system *s, double m1, double m2, double l1, double l2, double g)
{
    memset(s, 0, sizeof *s);
    s->kind = ES_ORB_SYS_DOUBLE_PENDULUM;
    s->nvar = 4;
    s->m1 = m1, s->m2 = m2, s->l1 = l1, s->l2 = l2, s->g = g;
}

void es_orb_system_lorenz(es_orb_system *s, double sigma, double rho, double beta)
{
    memset(s, 0, sizeof *s);
    s->kind = ES_ORB_SYS_LORENZ;
    s->nvar = 3;
    s->sigma = sigma, s->rho = rho, s->beta = beta;
}

int es_orb_system_check(const es_orb_system *s)
{
    switch (s->kind) {
    case ES_ORB_SYS_POTENTIAL:
        if (s->ndim != 2 && s->ndim != 3)
            return es_error_set(ES_EINVAL, "orbits: ndim = %d (allowed 2 or 3)", s->ndim);
        for (int k = 0; k < s->pot.nterms; k++)
            if (s->pot.term[k].kind == ES_ORB_HENON_HEILES && s->ndim != 2)
                return es_error_set(ES_EINVAL, "orbits: the Hénon–Heiles potential is planar "
                                    "(ndim must be 2)");
        return es_orb_potential_check(&s->pot);
    case ES_ORB_SYS_DOUBLE_PENDULUM:
        if (!(s->m1 > 0 && s->m2 > 0 && s->l1 > 0 && s->l2 > 0 && s->g > 0) ||
            !isfinite(s->m1 + s->m2 + s->l1 + s->l2 + s->g))
            return es_error_set(ES_EINVAL, "double pendulum: masses (%g, %g), lengths (%g, %g) "
                                "and g = %g must be finite and > 0", s->m1, s->m2, s->l1, s->l2,
                                s->g);
        return ES_OK;
    case ES_ORB_SYS_LORENZ:
        if (!isfinite(s->sigma + s->rho + s->beta) || s->sigma <= 0 || s->beta <= 0)
            return es_error_set(ES_EINVAL, "lorenz: sigma = %g and beta = %g must be > 0 "
                                "(rho = %g finite)", s->sigma, s->beta, s->rho);
        return ES_OK;
    }
    return es_error_set(ES_EINVAL, "orbits: unknown system kind %d", (int)s->kind);
}

int es_orb_system_separable(const es_orb_system *s)
{
    return s->kind == ES_ORB_SYS_POTENTIAL; /* rotating frames: see integrator_leapfrog.c */
}

int es_orb_system_hamiltonian(const es_orb_system *s)
{
    return s->kind != ES_ORB_SYS_LORENZ;
}

/* Potential motion in the frame rotating with Ω ẑ:
 *   ẍ = −∇Φ − 2Ω×v − Ω×(Ω×x) = −∇Φ + (2Ω v_y + Ω² x, −2Ω v_x + Ω² y, 0). */
static void potential_rhs(const es_orb_system *s, const double *y, double *dydt, const double *w,
                          double *jw)
{
    int d = s->ndim;
    double x[3] = {y[0], y[1], d == 3 ? y[2] : 0.0}, acc[3], hess[9];
    const double *v = y + d;
    double Om = s->pot.omega;
    es_orb_potential_force(&s->pot, x, acc, w ? hess : NULL);
    for (int i = 0; i < d; i++) {
        dydt[i] = v[i];
        dydt[d + i] = acc[i];
    }
    if (Om != 0.0) {
        dydt[d + 0] += 2.0 * Om * v[1] + Om * Om * x[0];
        dydt[d + 1] += -2.0 * Om * v[0] + Om * Om * x[1];
    }
    if (!w)
        return;
    const double *dx = w, *dv = w + d;
    for (int i = 0; i < d; i++) {
        jw[i] = dv[i];
        double s_ = 0.0;
        for (int j = 0; j < d; j++)
            s_ += hess[3 * i + j] * dx[j];
        jw[d + i] = -s_;
    }
    if (Om != 0.0) {
        jw[d + 0] += 2.0 * Om * dv[1] + Om * Om * dx[0];
        jw[d + 1] += -2.0 * Om * dv[0] + Om * Om * dx[1];
    }
}

static void lorenz_rhs(const es_orb_system *s, const double *y, double *dydt, const double *w,
                       double *jw)
{
    dydt[0] = s->sigma * (y[1] - y[0]);
    dydt[1] = y[0] * (s->rho - y[2]) - y[1];
    dydt[2] = y[0] * y[1] - s->beta * y[2];
    if (!w)
        return;
    jw[0] = s->sigma * (w[1] - w[0]);
    jw[1] = (s->rho - y[2]) * w[0] - w[1] - y[0] * w[2];
    jw[2] = y[1] * w[0] + y[0] * w[1] - s->beta * w[2];
}

void es_orb_system_rhs(const es_orb_system *s, const double *y, double *dydt, const double *w,
                       double *jw)
{
    switch (s->kind) {
    case ES_ORB_SYS_POTENTIAL:
        potential_rhs(s, y, dydt, w, jw);
        break;
    case ES_ORB_SYS_DOUBLE_PENDULUM:
        es_orb_pendulum_rhs(s, y, dydt, w, jw);
        break;
    case ES_ORB_SYS_LORENZ:
        lorenz_rhs(s, y, dydt, w, jw);
        break;
    }
}

double es_orb_system_energy(const es_orb_system *s, const double *y)
{
    if (s->kind == ES_ORB_SYS_DOUBLE_PENDULUM)
        return es_orb_pendulum_energy(s, y);
    if (s->kind != ES_ORB_SYS_POTENTIAL)
        return NAN;
    int d = s->ndim;
    double x[3] = {y[0], y[1], d == 3 ? y[2] : 0.0}, v2 = 0.0;
    for (int i = 0; i < d; i++)
        v2 += y[d + i] * y[d + i];
    double Om = s->pot.omega;
    return 0.5 * v2 + es_orb_potential_eval(&s->pot, x, NULL, NULL) -
           0.5 * Om * Om * (x[0] * x[0] + x[1] * x[1]);
}
