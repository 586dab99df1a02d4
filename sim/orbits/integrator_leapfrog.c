/* Symplectic leapfrog, kick–drift–kick, with its exact tangent map (the
 * linearisation of the same map: δp kicked by −Hess·δx, δx drifted by δp),
 * so the Lyapunov exponent and SALI are those of the symplectic map itself.
 * The acceleration (and Hessian) at the end of a step is reused for the first
 * half-kick of the next.
 *
 * In a frame rotating at Ω about z the Hamiltonian is
 *   H = p²/2 − Ω (x p_y − y p_x) + Φ(x),   p = v + Ω ẑ × x (inertial momentum),
 * split into the kick Φ and a drift H_A = p²/2 − Ω L_z whose flow is exact:
 * free inertial motion seen from the rotating axes,
 *   x ← R(−Ωh)(x + h p),  p ← R(−Ωh) p.
 * Both pieces are exact flows, so the map stays symplectic and the Jacobi
 * integral has a bounded O(dt²) error. The state keeps the rotating-frame
 * velocity v; p is formed on entry and v restored on exit. */
#include "orbits/orbits.h"

#include <math.h>

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

/* Rotate the (x, y) components of a position and a momentum by angle a. */
static void rotate_xy(double *q, double *p, double c, double s)
{
    double x = q[0], y = q[1];
    q[0] = c * x - s * y;
    q[1] = s * x + c * y;
    x = p[0], y = p[1];
    p[0] = c * x - s * y;
    p[1] = s * x + c * y;
}

/* Drift of H_A: straight inertial motion, then the axes turn by Ωh. */
static void drift_rotating(es_orbit *o, double h, double c, double s)
{
    int d = o->sys->ndim;
    drift(o, h);
    rotate_xy(o->y, o->y + d, c, s);
    for (int k = 0; k < o->par.ntangent; k++)
        rotate_xy(o->w[k], o->w[k] + d, c, s);
}

/* v ↔ p = v + Ω ẑ × x (sign = +1) and back (sign = −1), for the state and
 * the tangent vectors (the transformation is linear). */
static void momentum(es_orbit *o, double Om)
{
    int d = o->sys->ndim;
    o->y[d] -= Om * o->y[1];
    o->y[d + 1] += Om * o->y[0];
    for (int k = 0; k < o->par.ntangent; k++) {
        o->w[k][d] -= Om * o->w[k][1];
        o->w[k][d + 1] += Om * o->w[k][0];
    }
}

static int interrupted(const es_orbit *o)
{
    return es_error_set(ES_EINTR, "orbits: integration stopped at t = %g on request", o->t);
}

int es_orb_leapfrog_steps(es_orbit *o, long long nsteps)
{
    double h = o->par.dt, Om = o->sys->pot.omega;
    if (!o->cache_valid)
        eval_cache(o);
    if (Om == 0.0) {
        for (long long s = 0; s < nsteps;) {
            if (es_orbit_poll(o, o->nsteps + s))
                return interrupted(o);
            for (long long end = es_orbit_poll_block(o->nsteps, s, nsteps); s < end; s++) {
                kick(o, 0.5 * h);
                drift(o, h);
                eval_cache(o);
                kick(o, 0.5 * h);
            }
        }
    } else {
        /* rotation of the axes by −Ωh: R(−Ωh) */
        double c = cos(Om * h), sn = -sin(Om * h);
        momentum(o, Om);
        for (long long s = 0; s < nsteps;) {
            if (es_orbit_poll(o, o->nsteps + s))
                return interrupted(o); /* v is left as p: the orbit is abandoned */
            for (long long end = es_orbit_poll_block(o->nsteps, s, nsteps); s < end; s++) {
                kick(o, 0.5 * h);
                drift_rotating(o, h, c, sn);
                eval_cache(o);
                kick(o, 0.5 * h);
            }
        }
        momentum(o, -Om);
    }
    o->nsteps += nsteps;
    return ES_OK;
}
