/* Chaos indicators from tangent vectors.
 *
 * mLCE: w1 is renormalised to unit length at every output time and
 * λ(t) = Σ ln|w1| / (t − t0) (Benettin et al. 1980). For regular orbits
 * λ(t) → 0 like ln t / t; for chaotic ones it saturates at λ_max.
 * SALI (Skokos 2001): with two unit tangent vectors, SALI =
 * min(|w1 + w2|, |w1 − w2|); it tends to 0 exponentially (as
 * e^{−(λ1−λ2)t}) for chaotic orbits and stays finite for regular orbits
 * of two-degree-of-freedom systems. */
#include "orbits/orbits.h"

#include <math.h>

/* Fixed generic directions (no rng: the indicator of an orbit depends only
 * on its initial condition), orthonormalised. */
void es_orb_tangent_init(int nvar, int ntangent, double w[2][ES_ORB_MAXVAR])
{
    for (int i = 0; i < ES_ORB_MAXVAR; i++) {
        w[0][i] = i < nvar ? cos(1.3 * i + 0.4) : 0.0;
        w[1][i] = i < nvar ? sin(2.1 * i + 1.1) : 0.0;
    }
    double n0 = 0.0;
    for (int i = 0; i < nvar; i++)
        n0 += w[0][i] * w[0][i];
    n0 = sqrt(n0);
    for (int i = 0; i < nvar; i++)
        w[0][i] /= n0;
    if (ntangent < 2)
        return;
    double dot = 0.0;
    for (int i = 0; i < nvar; i++)
        dot += w[0][i] * w[1][i];
    double n1 = 0.0;
    for (int i = 0; i < nvar; i++) {
        w[1][i] -= dot * w[0][i];
        n1 += w[1][i] * w[1][i];
    }
    n1 = sqrt(n1);
    for (int i = 0; i < nvar; i++)
        w[1][i] /= n1;
}

static double normalise(double *w, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += w[i] * w[i];
    s = sqrt(s);
    if (s > 0.0)
        for (int i = 0; i < n; i++)
            w[i] /= s;
    return s;
}

void es_orb_chaos_renormalise(es_orbit *o)
{
    int n = o->nvar;
    if (o->par.ntangent < 1)
        return;
    double s = normalise(o->w[0], n);
    if (s > 0.0)
        o->log_growth += log(s);
    if (o->par.ntangent < 2)
        return;
    normalise(o->w[1], n);
    double p = 0.0, m = 0.0;
    for (int i = 0; i < n; i++) {
        double a = o->w[0][i] + o->w[1][i], b = o->w[0][i] - o->w[1][i];
        p += a * a;
        m += b * b;
    }
    o->sali = sqrt(p < m ? p : m);
}

double es_orbit_mlce(const es_orbit *o)
{
    if (o->par.ntangent < 1) /* chaos_indicator = none: no exponent, as SALI is NaN without it */
        return NAN;
    return o->t > o->t0 ? o->log_growth / (o->t - o->t0) : 0.0;
}

double es_orbit_sali(const es_orbit *o) { return o->sali; }

double es_orbit_energy(const es_orbit *o) { return es_orb_system_energy(o->sys, o->y); }

es_orb_chaos_class es_orb_chaos_classify(const es_orbit *o, const es_orb_classify_params *p)
{
    if (o->escaped)
        return ES_ORB_CHAOS_ESCAPED;
    if (o->par.ntangent < 1) /* no tangent vector: no verdict (it read mLCE 0 as "regular") */
        return ES_ORB_CHAOS_NONE;
    if (o->par.ntangent >= 2 && es_orb_system_hamiltonian(o->sys))
        return o->sali < p->sali_threshold ? ES_ORB_CHAOS_CHAOTIC : ES_ORB_CHAOS_REGULAR;
    return es_orbit_mlce(o) > p->mlce_threshold ? ES_ORB_CHAOS_CHAOTIC : ES_ORB_CHAOS_REGULAR;
}

const char *es_orb_chaos_class_name(es_orb_chaos_class c)
{
    switch (c) {
    case ES_ORB_CHAOS_REGULAR: return "regular";
    case ES_ORB_CHAOS_CHAOTIC: return "chaotic";
    case ES_ORB_CHAOS_ESCAPED: return "escaped";
    case ES_ORB_CHAOS_NONE: return "none";
    }
    return "?";
}
