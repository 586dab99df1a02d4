/* Adaptive integration with GSL odeiv2 (rk8pd: Prince–Dormand 8(7); rkf45
 * for quick looks), and the fixed-step classical rk4 sharing its state
 * packing. The phase-space point and the tangent vectors form one
 * ODE system (error control on both). The evolver is driven to each output
 * time in turn, so samples land exactly on the output grid (equivalent to
 * dense output). The last step before an output is shortened to land on it;
 * the step size carried to the next interval is the natural one, not the
 * shortened one (gsl_odeiv2_driver_apply would restart from the shortened
 * step and regrow it by ≤ 5× per step, costing ~20× more steps when outputs
 * are frequent). */
#include "orbits/orbits.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

#define NV (3 * ES_ORB_MAXVAR)

typedef struct {
    gsl_odeiv2_system gsys;
    gsl_odeiv2_step *step;
    gsl_odeiv2_control *ctrl;
    gsl_odeiv2_evolve *evo;
    double h; /* natural step size carried between outputs */
    const es_orb_system *sys;
    int nvar, ntan;
    double Y[NV];
} ode_ws;

static int ode_func(double t, const double Y[], double F[], void *params)
{
    (void)t;
    const ode_ws *ws = params;
    int n = ws->nvar;
    if (ws->ntan == 0) {
        es_orb_system_rhs(ws->sys, Y, F, NULL, NULL);
        return GSL_SUCCESS;
    }
    es_orb_system_rhs(ws->sys, Y, F, Y + n, F + n);
    if (ws->ntan == 2) {
        double scratch[ES_ORB_MAXVAR];
        es_orb_system_rhs(ws->sys, Y, scratch, Y + 2 * n, F + 2 * n);
    }
    return GSL_SUCCESS;
}

int es_orb_odeiv2_init(es_orbit *o)
{
    ode_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return es_error_set(ES_ENOMEM, "orbits: out of memory");
    ws->sys = o->sys;
    ws->nvar = o->nvar;
    ws->ntan = o->par.ntangent;
    ws->gsys = (gsl_odeiv2_system){ode_func, NULL, (size_t)(o->nvar * (1 + ws->ntan)), ws};
    ws->h = o->par.dt;
    if (o->par.integrator == ES_ORB_RK4) { /* es_orb_rk4_steps: no GSL stepper */
        o->ode = ws;
        return ES_OK;
    }
    const gsl_odeiv2_step_type *T = o->par.integrator == ES_ORB_RKF45 ? gsl_odeiv2_step_rkf45
                                                                      : gsl_odeiv2_step_rk8pd;
    size_t dim = ws->gsys.dimension;
    ws->step = gsl_odeiv2_step_alloc(T, dim);
    ws->ctrl = gsl_odeiv2_control_y_new(o->par.eps_abs, o->par.eps_rel);
    ws->evo = gsl_odeiv2_evolve_alloc(dim);
    if (!ws->step || !ws->ctrl || !ws->evo) {
        o->ode = ws;
        es_orb_odeiv2_free(o);
        return es_error_set(ES_ENOMEM, "orbits: cannot allocate the GSL stepper");
    }
    o->ode = ws;
    return ES_OK;
}

void es_orb_odeiv2_free(es_orbit *o)
{
    ode_ws *ws = o->ode;
    if (!ws)
        return;
    if (ws->evo)
        gsl_odeiv2_evolve_free(ws->evo);
    if (ws->ctrl)
        gsl_odeiv2_control_free(ws->ctrl);
    if (ws->step)
        gsl_odeiv2_step_free(ws->step);
    free(ws);
    o->ode = NULL;
}

static void pack(const es_orbit *o, ode_ws *ws)
{
    int n = o->nvar;
    memcpy(ws->Y, o->y, (size_t)n * sizeof(double));
    for (int k = 0; k < ws->ntan; k++)
        memcpy(ws->Y + (k + 1) * n, o->w[k], (size_t)n * sizeof(double));
}

static void unpack(es_orbit *o, const ode_ws *ws)
{
    int n = o->nvar;
    memcpy(o->y, ws->Y, (size_t)n * sizeof(double));
    for (int k = 0; k < ws->ntan; k++)
        memcpy(o->w[k], ws->Y + (k + 1) * n, (size_t)n * sizeof(double));
}

/* One classical RK4 step of size h on the packed state (point and tangent
 * vectors), four right-hand-side evaluations. */
static void rk4_step(ode_ws *ws, double h)
{
    const size_t dim = ws->gsys.dimension;
    double k[NV], sum[NV], tmp[NV];
    ode_func(0.0, ws->Y, k, ws);
    for (size_t i = 0; i < dim; i++) {
        sum[i] = k[i];
        tmp[i] = ws->Y[i] + 0.5 * h * k[i];
    }
    ode_func(0.0, tmp, k, ws);
    for (size_t i = 0; i < dim; i++) {
        sum[i] += 2.0 * k[i];
        tmp[i] = ws->Y[i] + 0.5 * h * k[i];
    }
    ode_func(0.0, tmp, k, ws);
    for (size_t i = 0; i < dim; i++) {
        sum[i] += 2.0 * k[i];
        tmp[i] = ws->Y[i] + h * k[i];
    }
    ode_func(0.0, tmp, k, ws);
    for (size_t i = 0; i < dim; i++)
        ws->Y[i] += h / 6.0 * (sum[i] + k[i]);
}

/* Classical RK4 with the fixed step dt (no error control): a reference
 * fourth-order method for convergence studies. Written out rather than
 * GSL's rk4 stepper, whose apply() estimates its error by step doubling and
 * returns the two half steps: integrator = rk4 with dt took two steps of
 * dt/2, at 11 evaluations instead of 4. */
int es_orb_rk4_steps(es_orbit *o, long long nsteps)
{
    ode_ws *ws = o->ode;
    double h = o->par.dt, t = o->t;
    pack(o, ws);
    for (long long i = 0; i < nsteps; i++) {
        if (es_orbit_poll(o, o->nsteps + i))
            return es_error_set(ES_EINTR, "orbits: rk4 stopped at t = %g on request", t);
        rk4_step(ws, h);
        t += h;
    }
    unpack(o, ws);
    o->nsteps += nsteps;
    return ES_OK;
}

int es_orb_odeiv2_to(es_orbit *o, double t1)
{
    ode_ws *ws = o->ode;
    pack(o, ws);
    double t = o->t;
    int rc = GSL_SUCCESS;
    /* the evolver reuses the derivative at the end of its last step; the
     * tangent vectors were renormalised since, so it must be recomputed */
    gsl_odeiv2_evolve_reset(ws->evo);
    while (t < t1) {
        double h_before = ws->h;
        rc = gsl_odeiv2_evolve_apply(ws->evo, ws->ctrl, ws->step, &ws->gsys, &t, t1, &ws->h,
                                     ws->Y);
        if (rc != GSL_SUCCESS)
            break;
        o->nsteps++;
        if (es_orbit_poll(o, o->nsteps))
            return es_error_set(ES_EINTR, "orbits: odeiv2 stopped at t = %g on request", t);
        /* landed on t1 with a shortened step: keep the natural size */
        if (t >= t1 && ws->h < h_before)
            ws->h = h_before;
        if (ws->h < 1e-14 * (fabs(t) + 1.0)) {
            rc = GSL_EFAILED;
            break;
        }
    }
    if (rc != GSL_SUCCESS)
        return es_error_set(ES_EDATA, "orbits: GSL odeiv2 failed at t = %g (%s)", t,
                            rc == GSL_EFAILED ? "step size underflow" : gsl_strerror(rc));
    unpack(o, ws);
    o->t = t1;
    return ES_OK;
}
