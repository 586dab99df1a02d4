/* The ordinal module's map and noise generators as orbit "systems", with
 * the maps' Lyapunov exponents computed along the generated orbit
 * (1-D maps: mean ln|f'(x)|; Hénon map: renormalised tangent vector). */
#include "orbits/orbits.h"

#include <math.h>
#include <stdlib.h>

#include "esuite/ordinal.h"
#include "esuite/status.h"

static const char *const map_names[] = {"logistic", "henon_map", "tent", "asymm_tent", "noise"};

const char *es_orb_map_name(es_orb_map_kind k)
{
    return (k >= 0 && k <= ES_ORB_MAP_NOISE) ? map_names[k] : "?";
}

static double lyap_1d(es_orb_map_kind k, const es_orb_map_params *p, const double *x, size_t T)
{
    double s = 0.0;
    for (size_t i = 0; i + 1 < T; i++) {
        double d;
        if (k == ES_ORB_MAP_LOGISTIC)
            d = p->r * (1.0 - 2.0 * x[i]);
        else if (k == ES_ORB_MAP_TENT)
            d = p->mu;
        else
            d = x[i] < p->a ? 1.0 / p->a : 1.0 / (1.0 - p->a);
        s += log(fabs(d));
    }
    return s / (double)(T - 1);
}

/* Hénon map x' = 1 − a x² + y, y' = b x: Jacobian [[−2ax, 1], [b, 0]]. */
static double lyap_henon(const es_orb_map_params *p, const double *x, size_t T)
{
    double u = 1.0, v = 0.0, s = 0.0;
    for (size_t i = 0; i + 1 < T; i++) {
        double nu = -2.0 * p->a * x[i] * u + v, nv = p->b * u;
        double n = sqrt(nu * nu + nv * nv);
        s += log(n);
        u = nu / n, v = nv / n;
    }
    return s / (double)(T - 1);
}

int es_orb_map_generate(es_orb_map_kind k, const es_orb_map_params *p, size_t T, uint64_t seed,
                        double *x, double *lyap)
{
    if (T < 2)
        return es_error_set(ES_EINVAL, "orbits: map_length = %zu must be >= 2", T);
    *lyap = NAN;
    switch (k) {
    case ES_ORB_MAP_LOGISTIC:
        es_gen_logistic(x, T, p->r, p->x0);
        *lyap = lyap_1d(k, p, x, T);
        return ES_OK;
    case ES_ORB_MAP_HENON:
        es_gen_henon_from(x, NULL, T, p->a, p->b, 1.0 + p->dx, 1.0); /* orbits start apart */
        *lyap = lyap_henon(p, x, T);
        return ES_OK;
    case ES_ORB_MAP_TENT:
        es_gen_tent(x, T, p->mu, p->x0);
        *lyap = lyap_1d(k, p, x, T);
        return ES_OK;
    case ES_ORB_MAP_ASYMM_TENT:
        es_gen_asymm_tent(x, T, p->a, p->x0);
        *lyap = lyap_1d(k, p, x, T);
        return ES_OK;
    case ES_ORB_MAP_NOISE:
        return es_gen_colored_noise(x, T, p->alpha, seed);
    }
    return es_error_set(ES_EINVAL, "orbits: unknown map %d", (int)k);
}
