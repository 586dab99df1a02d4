/* Integrating one orbit and an ensemble to t_end with output at a fixed
 * cadence; observables recorded per output time. */
#include "orbits/orbits.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "esuite/status.h"

size_t es_orb_run_nout(const es_orb_run_params *rp)
{
    double dto = rp->par.dt * rp->output_every;
    if (!(dto > 0.0) || !(rp->t_end >= 0.0))
        return 0;
    double q = rp->t_end / dto, k = floor(q + 1e-9);
    /* t_end a multiple of dto whose quotient rounds a few ulps low: 1e-9 is
     * less than one ulp above 10^7 (t_end = 7e6, dt = 0.01, output_every = 7
     * gives q = 99999999.99999999 and lost the last sample at t_end). */
    if (k + 1.0 - q <= 8.0 * DBL_EPSILON * q)
        k += 1.0;
    /* t_end = 1e12 with dt = 1e-12 gives 1e24: converting that to size_t is
     * undefined (it gave 0, "fewer than 2 samples"); 2^53 is refused as too
     * large by the callers' memory checks instead. */
    if (!(k < 9007199254740992.0))
        return (size_t)9007199254740992ULL;
    return (size_t)k + 1;
}

/* Orbital periods measured on the fly at the output times: pericentres are
 * strict local minima of r; φ is unwrapped between outputs (the output step
 * must be shorter than half an azimuthal period). An orbit whose r varies
 * by less than 1e-8 relative is circular: no radial period. */
typedef struct {
    double r1, r2;  /* r at the two previous outputs */
    double t_first, t_last;
    long n_peri;
    double phi_prev, phi_total;
    double rmin, rmax;
} period_tracker;

static void track(const es_orb_system *s, period_tracker *p, const double *y, double t, double dto,
                  size_t j)
{
    if (s->kind != ES_ORB_SYS_POTENTIAL)
        return;
    double r = es_orb_observable_eval(s, ES_ORB_OBS_RSPH, y);
    double phi = atan2(y[1], y[0]);
    if (j == 0 || r < p->rmin)
        p->rmin = r;
    if (j == 0 || r > p->rmax)
        p->rmax = r;
    if (j >= 2 && p->r1 < p->r2 && p->r1 < r) {
        double tp = t - dto;
        if (p->n_peri == 0)
            p->t_first = tp;
        p->t_last = tp;
        p->n_peri++;
    }
    if (j >= 1) {
        double d = phi - p->phi_prev;
        d -= 2 * M_PI * floor((d + M_PI) / (2 * M_PI));
        p->phi_total += d;
    }
    p->phi_prev = phi;
    p->r2 = p->r1;
    p->r1 = r;
}

static void record(const es_orb_system *s, const es_orb_run_params *rp, const double *y,
                   double *series, size_t nout, size_t j)
{
    for (int k = 0; k < rp->nobs; k++)
        series[(size_t)k * nout + j] = es_orb_observable_eval(s, rp->obs[k], y);
}

/* Upward crossing of x = 0 between outputs (prev → cur): linear interpolation. */
static void section_point(const es_orb_system *s, const es_orb_run_params *rp, const double *prev,
                          const double *cur, es_orb_result *res, double *section)
{
    int d = s->ndim;
    if (!section || res->nsection >= rp->section_max || !(prev[0] < 0.0 && cur[0] >= 0.0))
        return;
    double f = -prev[0] / (cur[0] - prev[0]);
    if (!((1 - f) * prev[d] + f * cur[d] > 0.0))
        return;
    section[2 * res->nsection] = (1 - f) * prev[1] + f * cur[1];
    section[2 * res->nsection + 1] = (1 - f) * prev[d + 1] + f * cur[d + 1];
    res->nsection++;
}

int es_orb_run_one(const es_orb_system *s, const es_orb_run_params *rp, const double *y0,
                   es_orb_result *res, double *series)
{
    return es_orb_run_one_sos(s, rp, y0, res, series, NULL);
}

int es_orb_run_one_sos(const es_orb_system *s, const es_orb_run_params *rp, const double *y0,
                       es_orb_result *res, double *series, double *section)
{
    memset(res, 0, sizeof *res);
    if (rp->output_every < 1)
        return es_error_set(ES_EINVAL, "orbits: output_every = %d must be >= 1", rp->output_every);
    size_t nout = es_orb_run_nout(rp);
    if (nout < 1)
        return es_error_set(ES_EINVAL, "orbits: t_end = %g and dt = %g give no output", rp->t_end,
                            rp->par.dt);
    /* orbits not yet begun when a stop is requested are not begun at all */
    if (rp->par.interrupted && rp->par.interrupted())
        return es_error_set(ES_EINTR, "orbits: stopped on request before the orbit started");
    es_orbit *o = es_orbit_alloc(s, &rp->par);
    if (!o)
        return ES_EINVAL;
    int rc = es_orbit_set(o, y0, 0.0);
    double dto = rp->par.dt * rp->output_every;
    period_tracker pt;
    memset(&pt, 0, sizeof pt);
    if (rc == ES_OK) {
        track(s, &pt, o->y, 0.0, dto, 0);
        if (series)
            record(s, rp, o->y, series, nout, 0);
    }
    if (s->kind != ES_ORB_SYS_POTENTIAL || rp->section_max <= 0)
        section = NULL;
    double prev[ES_ORB_MAXVAR];
    for (size_t j = 1; rc == ES_OK && j < nout; j++) {
        memcpy(prev, o->y, sizeof prev);
        rc = es_orbit_advance(o, (double)j * dto);
        if (rc != ES_OK)
            break;
        if (!o->escaped) {
            track(s, &pt, o->y, o->t, dto, j);
            section_point(s, rp, prev, o->y, res, section);
        }
        if (series) {
            if (o->escaped)
                for (int k = 0; k < rp->nobs; k++)
                    series[(size_t)k * nout + j] = NAN;
            else
                record(s, rp, o->y, series, nout, j);
        }
    }
    memcpy(res->y0, y0, (size_t)s->nvar * sizeof *y0);
    res->e0 = o->e0;
    res->max_drift = o->max_drift;
    res->mlce = es_orbit_mlce(o);
    res->sali = o->sali;
    res->escaped = o->escaped;
    res->chaos_class = (int)es_orb_chaos_classify(o, &rp->cls);
    res->nsteps = o->nsteps;
    res->t_end = o->t;
    /* a circular orbit has no radial period (its r minima are rounding noise) */
    res->t_radial = pt.n_peri >= 2 && pt.rmax - pt.rmin > 1e-8 * pt.rmax ? (pt.t_last - pt.t_first) / (double)(pt.n_peri - 1) : NAN;
    res->t_azimuthal = (s->kind == ES_ORB_SYS_POTENTIAL && pt.phi_total != 0.0 && o->t > 0)
                           ? 2 * M_PI * o->t / fabs(pt.phi_total)
                           : NAN;
    es_orbit_free(o);
    return rc;
}

int es_orb_run_ensemble(const es_orb_system *s, const es_orb_run_params *rp, const double *y0,
                        size_t n, es_orb_result *res, double *series, int *status)
{
    return es_orb_run_ensemble_sos(s, rp, y0, n, res, series, NULL, status);
}

int es_orb_run_ensemble_sos(const es_orb_system *s, const es_orb_run_params *rp,
                            const double *y0, size_t n, es_orb_result *res, double *series,
                            double *section, int *status)
{
    size_t per = es_orb_run_nout(rp) * (size_t)rp->nobs;
    size_t sper = 2 * (size_t)(rp->section_max > 0 ? rp->section_max : 0);
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < n; i++)
        status[i] = es_orb_run_one_sos(s, rp, y0 + i * (size_t)s->nvar, &res[i],
                                       series ? series + i * per : NULL,
                                       section ? section + i * sper : NULL);
    for (size_t i = 0; i < n; i++)
        if (status[i] != ES_OK)
            return status[i];
    return ES_OK;
}
