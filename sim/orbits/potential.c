/* Potential sums: dispatch over terms, names, parameter checks, v_circ,
 * and the Hénon–Heiles term. */
#include "orbits/potential_internal.h"

#include <math.h>
#include <string.h>

#include "esuite/status.h"

static const char *const term_names[ES_ORB_NTERMKINDS] = {
    "pointmass", "plummer", "hernquist", "isochrone", "nfw",
    "logarithmic", "miyamoto_nagai", "dehnen_bar", "henon_heiles"};

const char *es_orb_term_name(es_orb_term_kind k)
{
    return (k >= 0 && k < ES_ORB_NTERMKINDS) ? term_names[k] : "?";
}

int es_orb_term_parse(const char *s, es_orb_term_kind *k)
{
    for (int i = 0; i < ES_ORB_NTERMKINDS; i++)
        if (strcmp(s, term_names[i]) == 0) {
            *k = (es_orb_term_kind)i;
            return ES_OK;
        }
    return es_error_set(ES_EINVAL,
                        "unknown potential term '%s' (allowed: pointmass, plummer, hernquist, "
                        "isochrone, nfw, logarithmic, miyamoto_nagai, dehnen_bar, henon_heiles)",
                        s);
}

/* Hénon & Heiles (1964): V = ½(x² + y²) + x²y − y³/3, planar (z ignored). */
double es_orb_pot_henon_heiles(const es_orb_term *t, const double x[3], double acc[3],
                               double hess[9], int want_phi)
{
    (void)t;
    (void)want_phi;
    double X = x[0], Y = x[1];
    if (acc) {
        acc[0] = -(X + 2.0 * X * Y);
        acc[1] = -(Y + X * X - Y * Y);
        acc[2] = 0.0;
    }
    if (hess) {
        for (int i = 0; i < 9; i++)
            hess[i] = 0.0;
        hess[0] = 1.0 + 2.0 * Y;
        hess[1] = hess[3] = 2.0 * X;
        hess[4] = 1.0 - 2.0 * Y;
    }
    return 0.5 * (X * X + Y * Y) + X * X * Y - Y * Y * Y / 3.0;
}

typedef double (*term_fn)(const es_orb_term *, const double *, double *, double *, int);
static const term_fn term_fns[ES_ORB_NTERMKINDS] = {
    es_orb_pot_pointmass, es_orb_pot_plummer, es_orb_pot_hernquist,
    es_orb_pot_isochrone, es_orb_pot_nfw, es_orb_pot_logarithmic,
    es_orb_pot_miyamoto_nagai, es_orb_pot_dehnen_bar, es_orb_pot_henon_heiles};

double es_orb_term_eval(const es_orb_term *t, const double x[3], double acc[3], double hess[9])
{
    return term_fns[t->kind](t, x, acc, hess, 1);
}

static double potential_sum(const es_orb_potential *p, const double x[3], double acc[3],
                            double hess[9], int want_phi)
{
    double phi = 0.0, a[3], h[9];
    if (acc)
        acc[0] = acc[1] = acc[2] = 0.0;
    if (hess)
        memset(hess, 0, 9 * sizeof *hess);
    for (int k = 0; k < p->nterms; k++) {
        phi += term_fns[p->term[k].kind](&p->term[k], x, acc ? a : NULL, hess ? h : NULL,
                                         want_phi);
        if (acc)
            for (int i = 0; i < 3; i++)
                acc[i] += a[i];
        if (hess)
            for (int i = 0; i < 9; i++)
                hess[i] += h[i];
    }
    return phi;
}

double es_orb_potential_eval(const es_orb_potential *p, const double x[3], double acc[3],
                             double hess[9])
{
    return potential_sum(p, x, acc, hess, 1);
}

void es_orb_potential_force(const es_orb_potential *p, const double x[3], double acc[3],
                            double hess[9])
{
    potential_sum(p, x, acc, hess, 0);
}

int es_orb_potential_check(const es_orb_potential *p)
{
    if (p->nterms < 1 || p->nterms > ES_ORB_MAX_TERMS)
        return es_error_set(ES_EINVAL, "potential: %d terms (allowed 1..%d)", p->nterms,
                            ES_ORB_MAX_TERMS);
    if (!isfinite(p->omega))
        return es_error_set(ES_EINVAL, "potential: pattern speed is not finite");
    for (int k = 0; k < p->nterms; k++) {
        const es_orb_term *t = &p->term[k];
        const char *nm = es_orb_term_name(t->kind);
        if (t->kind < 0 || t->kind >= ES_ORB_NTERMKINDS)
            return es_error_set(ES_EINVAL, "potential term %d: unknown kind", k + 1);
        if (t->kind == ES_ORB_HENON_HEILES)
            continue;
        if (!(isfinite(t->gm) && (t->gm > 0.0 || (t->kind == ES_ORB_DEHNEN_BAR && t->gm != 0.0))))
            return es_error_set(ES_EINVAL, "potential term %d (%s): strength %g must be > 0",
                                k + 1, nm, t->gm);
        int needs_a = t->kind != ES_ORB_POINTMASS;
        if (needs_a && !(t->a > 0.0 && isfinite(t->a)) &&
            !(t->kind == ES_ORB_MIYAMOTO_NAGAI && t->a == 0.0))
            return es_error_set(ES_EINVAL, "potential term %d (%s): scale a = %g must be > 0",
                                k + 1, nm, t->a);
        if (t->kind == ES_ORB_MIYAMOTO_NAGAI && !(t->b > 0.0 && isfinite(t->b)))
            return es_error_set(ES_EINVAL, "potential term %d (%s): b = %g must be > 0", k + 1,
                                nm, t->b);
        if (t->kind == ES_ORB_LOGARITHMIC &&
            !(t->qy > 0.0 && t->qz > 0.0 && isfinite(t->qy) && isfinite(t->qz)))
            return es_error_set(ES_EINVAL, "potential term %d (%s): flattening q_y = %g, "
                                "q_z = %g must be > 0", k + 1, nm, t->qy, t->qz);
    }
    return ES_OK;
}

double es_orb_potential_vcirc(const es_orb_potential *p, double R)
{
    double x[3] = {R, 0.0, 0.0}, acc[3], sum = 0.0;
    for (int k = 0; k < p->nterms; k++) {
        if (p->term[k].kind == ES_ORB_DEHNEN_BAR || p->term[k].kind == ES_ORB_HENON_HEILES)
            continue;
        es_orb_term_eval(&p->term[k], x, acc, NULL);
        sum += acc[0];
    }
    return sum <= 0.0 ? sqrt(-R * sum) : NAN;
}
