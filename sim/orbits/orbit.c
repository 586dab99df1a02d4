/* The per-orbit state: allocation, initial conditions, advancing to output
 * times (dispatch to the integrators), drift and escape bookkeeping. */
#include "orbits/orbits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

static const char *const integ_names[] = {"leapfrog", "rk8pd", "rkf45", "rk4"};

const char *es_orb_integrator_name(es_orb_integrator i)
{
    return (i >= 0 && i <= ES_ORB_RK4) ? integ_names[i] : "?";
}

int es_orb_integrator_parse(const char *s, es_orb_integrator *i)
{
    for (int k = 0; k <= ES_ORB_RK4; k++)
        if (strcmp(s, integ_names[k]) == 0) {
            *i = (es_orb_integrator)k;
            return ES_OK;
        }
    return es_error_set(ES_EINVAL, "unknown integrator '%s' (allowed: leapfrog, rk8pd, rkf45, rk4)", s);
}

void es_orb_params_default(es_orb_params *p)
{
    p->integrator = ES_ORB_LEAPFROG;
    p->dt = 0.01;
    p->eps_abs = 1e-12;
    p->eps_rel = 1e-12;
    p->ntangent = 2;
    p->escape_radius = 0.0;
    p->interrupted = NULL;
}


es_orbit *es_orbit_alloc(const es_orb_system *sys, const es_orb_params *par)
{
    if (es_orb_system_check(sys) != ES_OK)
        return NULL;
    if (!(par->dt > 0.0) || !isfinite(par->dt)) {
        es_error_set(ES_EINVAL, "orbits: dt = %g must be > 0", par->dt);
        return NULL;
    }
    if (par->ntangent < 0 || par->ntangent > 2) {
        es_error_set(ES_EINVAL, "orbits: %d tangent vectors (allowed 0, 1, 2)", par->ntangent);
        return NULL;
    }
    if (par->integrator == ES_ORB_LEAPFROG && !es_orb_system_separable(sys)) {
        es_error_set(ES_EINVAL, "orbits: the leapfrog integrates motion in a potential; use "
                     "integrator = rk8pd (or rk4) for the double pendulum and Lorenz");
        return NULL;
    }
    if (par->integrator != ES_ORB_LEAPFROG && par->integrator != ES_ORB_RK4 &&
        !(par->eps_abs > 0.0 && par->eps_rel >= 0.0 && isfinite(par->eps_abs + par->eps_rel))) {
        es_error_set(ES_EINVAL, "orbits: tolerances eps_abs = %g (> 0), eps_rel = %g (>= 0)",
                     par->eps_abs, par->eps_rel);
        return NULL;
    }
    es_orbit *o = calloc(1, sizeof *o);
    if (!o) {
        es_error_set(ES_ENOMEM, "orbits: out of memory");
        return NULL;
    }
    o->sys = sys;
    o->par = *par;
    o->nvar = sys->nvar;
    if (par->integrator != ES_ORB_LEAPFROG && es_orb_odeiv2_init(o) != ES_OK) {
        free(o);
        return NULL;
    }
    return o;
}

void es_orbit_free(es_orbit *o)
{
    if (!o)
        return;
    es_orb_odeiv2_free(o);
    free(o);
}

int es_orbit_set(es_orbit *o, const double *y0, double t0)
{
    for (int i = 0; i < o->nvar; i++)
        if (!isfinite(y0[i]))
            return es_error_set(ES_EINVAL, "orbits: initial condition component %d is not finite",
                                i + 1);
    memcpy(o->y, y0, (size_t)o->nvar * sizeof *y0);
    o->t0 = o->t = t0;
    es_orb_tangent_init(o->nvar, o->par.ntangent, o->w);
    o->log_growth = 0.0;
    o->sali = o->par.ntangent >= 2 ? sqrt(2.0) : NAN;
    o->e0 = es_orb_system_energy(o->sys, o->y);
    /* no conserved quantity (Lorenz): the drift is undefined, not zero */
    o->max_drift = isfinite(o->e0) ? 0.0 : NAN;
    o->escaped = 0;
    o->nsteps = 0;
    o->cache_valid = 0;
    return ES_OK;
}

static void check_state(es_orbit *o)
{
    for (int i = 0; i < o->nvar; i++)
        if (!isfinite(o->y[i])) {
            o->escaped = 2;
            return;
        }
    if (o->sys->kind == ES_ORB_SYS_POTENTIAL && o->par.escape_radius > 0.0) {
        double r2 = 0.0;
        for (int i = 0; i < o->sys->ndim; i++)
            r2 += o->y[i] * o->y[i];
        if (r2 > o->par.escape_radius * o->par.escape_radius)
            o->escaped = 1;
    }
    double e = es_orb_system_energy(o->sys, o->y);
    if (isfinite(e)) {
        double d = fabs(e - o->e0);
        if (fabs(o->e0) > 1e-12)
            d /= fabs(o->e0);
        if (d > o->max_drift)
            o->max_drift = d;
    }
}

int es_orbit_advance(es_orbit *o, double t1)
{
    if (o->escaped)
        return ES_OK;
    if (!(t1 >= o->t))
        return es_error_set(ES_EINVAL, "orbits: cannot advance from t = %g back to %g", o->t, t1);
    int rc;
    if (o->par.integrator == ES_ORB_LEAPFROG || o->par.integrator == ES_ORB_RK4) {
        double n = (t1 - o->t) / o->par.dt;
        long long steps = llround(n);
        if (fabs(n - (double)steps) > 1e-6)
            return es_error_set(ES_EINVAL, "orbits: output interval %g is not a multiple of "
                                "dt = %g", t1 - o->t, o->par.dt);
        rc = o->par.integrator == ES_ORB_LEAPFROG ? es_orb_leapfrog_steps(o, steps)
                                                  : es_orb_rk4_steps(o, steps);
        if (rc == ES_OK)
            o->t = t1;
    } else {
        rc = es_orb_odeiv2_to(o, t1);
        if (rc == ES_EDATA) {
            /* the step size collapsed (typically an orbit running away to
             * infinity): this orbit is lost, the ensemble goes on */
            o->escaped = 2;
            es_error_clear();
            return ES_OK;
        }
    }
    if (rc != ES_OK)
        return rc;
    es_orb_chaos_renormalise(o);
    check_state(o);
    return ES_OK;
}
