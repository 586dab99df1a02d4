/* Observables of a phase-space point (the series handed to the ordinal analysis). */
#include "orbits/orbits.h"

#include <math.h>
#include <string.h>

#include "esuite/status.h"

static const char *const obs_names[ES_ORB_NOBS] = {
    "x", "y", "z", "vx", "vy", "vz", "R", "r", "Lz", "E", "theta1", "theta2", "x2", "y2"};

const char *es_orb_observable_name(es_orb_observable o)
{
    return (o >= 0 && o < ES_ORB_NOBS) ? obs_names[o] : "?";
}

int es_orb_observable_parse(const char *s, es_orb_observable *o)
{
    for (int i = 0; i < ES_ORB_NOBS; i++)
        if (strcmp(s, obs_names[i]) == 0) {
            *o = (es_orb_observable)i;
            return ES_OK;
        }
    return es_error_set(ES_EINVAL, "unknown observable '%s' (allowed: x, y, z, vx, vy, vz, R, r, "
                        "Lz, E, theta1, theta2, x2, y2)", s);
}

int es_orb_observable_check(const es_orb_system *s, es_orb_observable o)
{
    int ok;
    switch (s->kind) {
    case ES_ORB_SYS_POTENTIAL:
        ok = o <= ES_ORB_OBS_E && !(s->ndim == 2 && (o == ES_ORB_OBS_Z || o == ES_ORB_OBS_VZ));
        break;
    case ES_ORB_SYS_DOUBLE_PENDULUM:
        ok = o == ES_ORB_OBS_X || o == ES_ORB_OBS_Y || o == ES_ORB_OBS_E || o >= ES_ORB_OBS_THETA1;
        break;
    default: /* Lorenz */
        ok = o <= ES_ORB_OBS_Z;
        break;
    }
    if (!ok)
        return es_error_set(ES_EINVAL, "observable '%s' is not defined for this system",
                            es_orb_observable_name(o));
    return ES_OK;
}

static double pendulum_obs(const es_orb_system *s, es_orb_observable o, const double *y)
{
    double x1 = s->l1 * sin(y[0]), y1 = -s->l1 * cos(y[0]);
    switch (o) {
    case ES_ORB_OBS_X: return x1;
    case ES_ORB_OBS_Y: return y1;
    case ES_ORB_OBS_THETA1: return y[0];
    case ES_ORB_OBS_THETA2: return y[2];
    case ES_ORB_OBS_X2: return x1 + s->l2 * sin(y[2]);
    case ES_ORB_OBS_Y2: return y1 - s->l2 * cos(y[2]);
    case ES_ORB_OBS_E: return es_orb_system_energy(s, y);
    default: return NAN;
    }
}

double es_orb_observable_eval(const es_orb_system *s, es_orb_observable o, const double *y)
{
    if (s->kind == ES_ORB_SYS_DOUBLE_PENDULUM)
        return pendulum_obs(s, o, y);
    if (s->kind == ES_ORB_SYS_LORENZ)
        return o <= ES_ORB_OBS_Z ? y[o] : NAN;
    int d = s->ndim;
    double x = y[0], yy = y[1], z = d == 3 ? y[2] : 0.0;
    const double *v = y + d;
    double Om = s->pot.omega;
    switch (o) {
    case ES_ORB_OBS_X: return x;
    case ES_ORB_OBS_Y: return yy;
    case ES_ORB_OBS_Z: return z;
    case ES_ORB_OBS_VX: return v[0];
    case ES_ORB_OBS_VY: return v[1];
    case ES_ORB_OBS_VZ: return d == 3 ? v[2] : 0.0;
    case ES_ORB_OBS_R: return sqrt(x * x + yy * yy);
    case ES_ORB_OBS_RSPH: return sqrt(x * x + yy * yy + z * z);
    /* inertial L_z: v_inertial = v + Ω ẑ × x */
    case ES_ORB_OBS_LZ: return x * v[1] - yy * v[0] + Om * (x * x + yy * yy);
    case ES_ORB_OBS_E: return es_orb_system_energy(s, y);
    default: return NAN;
    }
}
