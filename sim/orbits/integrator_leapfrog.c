/* Symplectic leapfrog, kick–drift–kick, for a static potential, with its
 * exact tangent map (the linearisation of the same map: δv kicked by
 * −Hess·δx, δx drifted by δv), so the Lyapunov exponent and SALI are those
 * of the symplectic map itself. The acceleration (and Hessian) at the end of
 * a step is reused for the first half-kick of the next. */
#include "orbits/orbits.h"

#include "esuite/status.h"

static void eval_cache(es_orbit *o)
{
    int d = o->sys->ndim;
    double x[3] = {o->y[0], o->y[1], d == 3 ? o->y[2] : 0.0};
    es_orb_potential_force(&o->sys->pot, x, o->acc, o->par.ntangent > 0 ? o->hess : NULL);
    o->cache_valid = 1;
}

static void kick(es_orbit *o, double h)
{
    int d = o->sys->ndim;
    for (int i = 0; i < d; i++)
        o->y[d + i] += h * o->acc[i];
    for (int k = 0; k < o->par.ntangent; k++) {
        double *w = o->w[k];
        for (int i = 0; i < d; i++) {
            double s = 0.0;
            for (int j = 0; j < d; j++)
                s += o->hess[3 * i + j] * w[j];
            w[d + i] -= h * s;
        }
    }
}

static void drift(es_orbit *o, double h)
{
    int d = o->sys->ndim;
    for (int i = 0; i < d; i++)
        o->y[i] += h * o->y[d + i];
    for (int k = 0; k < o->par.ntangent; k++)
        for (int i = 0; i < d; i++)
            o->w[k][i] += h * o->w[k][d + i];
}

int es_orb_leapfrog_steps(es_orbit *o, long long nsteps)
{
    double h = o->par.dt;
    if (!o->cache_valid)
        eval_cache(o);
    for (long long s = 0; s < nsteps; s++) {
        kick(o, 0.5 * h);
        drift(o, h);
        eval_cache(o);
        kick(o, 0.5 * h);
    }
    o->nsteps += nsteps;
    return ES_OK;
}
