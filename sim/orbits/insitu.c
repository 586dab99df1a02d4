/* In-situ ordinal (PECCARY) analysis of orbit observables: t_nat, the ideal
 * delay (t_pat = 0.4 t_nat, spec §3.3), H, C, the HC-plane class, and the
 * verdict compared with the chaos indicator (complex or stochastic =
 * chaotic; periodic, regular or oversampled = regular). */
#include "orbits/orbits.h"

#include <math.h>

#include "esuite/ordinal.h"
#include "esuite/status.h"

static const char *const tnat_names[] = {"ncross", "maxavg", "minavg", "radial", "azimuthal"};

const char *es_orb_tnat_source_name(es_orb_tnat_source s)
{
    return (s >= 0 && s <= ES_ORB_TNAT_AZIMUTHAL) ? tnat_names[s] : "?";
}

static int verdict(es_ordinal_class c)
{
    return c == ES_ORDINAL_COMPLEX || c == ES_ORDINAL_STOCHASTIC;
}

/* A series whose spread is at the level of rounding (≤ 1e-12 of its largest
 * magnitude; exactly constant included) holds no dynamics: a conserved
 * quantity, such as L_z in a spherical potential under the leapfrog (exact
 * to rounding), or z ≡ 0 of a planar orbit. Its ordinal patterns are those
 * of the rounding errors: L_z of regular Plummer orbits read H = 0.81,
 * "stochastic", i.e. chaotic. */
static int constant_to_rounding(const double *x, size_t T)
{
    double lo = x[0], hi = x[0], big = fabs(x[0]);
    for (size_t i = 1; i < T; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
        big = fabs(x[i]) > big ? fabs(x[i]) : big;
    }
    return hi - lo <= 1e-12 * big;
}

void es_orb_insitu_one(const double *x, size_t T, double dt, const es_orb_result *res,
                       const es_orb_insitu_params *p, es_orb_insitu *out, double *Hc, double *Cc)
{
    *out = (es_orb_insitu){NAN, 0, NAN, NAN, NAN, -1, -1, ES_OK, 0};
    for (int k = 0; k < p->curve_max_delay; k++)
        Hc[k] = Cc[k] = NAN;
    if (res->escaped) {
        out->status = ES_EDATA;
        return;
    }
    if (T > 0 && constant_to_rounding(x, T)) {
        out->status = ES_EUNSUP;
        return;
    }
    int nw = es_warning_count() + es_warning_dropped(); /* the whole list, also past 32 */
    unsigned long serial = es_warning_serial();
    int st;
    if (p->tnat <= ES_ORB_TNAT_MINAVG) {
        es_ordinal_auto_result a;
        st = es_ordinal_auto(NULL, dt, x, T, p->order, (es_tnat_method)p->tnat, 0, &a);
        if (st == ES_OK) {
            out->tnat = a.tnat, out->delay = a.delay, out->tpat = a.tpat;
            out->H = a.result.H, out->C = a.result.C;
        }
    } else {
        double tnat = p->tnat == ES_ORB_TNAT_RADIAL ? res->t_radial : res->t_azimuthal;
        int lo, hi, ideal;
        es_ordinal_result r;
        st = isfinite(tnat) ? es_ordinal_sampling(tnat, dt * (double)(T - 1), dt, p->order, &lo,
                                                  &hi, &ideal)
                            : ES_EDATA;
        if (st == ES_OK)
            st = es_ordinal_hc(x, T, p->order, ideal, 0, &r);
        if (st == ES_OK) {
            out->tnat = tnat, out->delay = ideal;
            out->tpat = es_ordinal_tpat(ideal, dt, p->order);
            out->H = r.H, out->C = r.C;
        }
    }
    out->status = st;
    /* Per-series warnings are summarised by the caller (one line per
     * observable): drop the ones this call added, keep older ones. They
     * were dropped only from an empty list, so after an earlier warning
     * (ic = grid rounding n_orbits) they piled up on the main thread, were
     * printed one per orbit, and once the list was full the later orbits
     * read warned = 0 and the run's own summary warnings were lost. */
    out->warned = es_warning_serial() != serial;
    es_warning_truncate(nw);
    if (st == ES_OK) {
        es_ordinal_class c = es_ordinal_classify(p->order, out->H, out->C);
        out->ordinal_class = (int)c;
        out->chaotic = verdict(c);
    }
    for (int k = 0; k < p->curve_max_delay; k++) {
        es_ordinal_result r;
        int cst = es_ordinal_hc(x, T, p->order, k + 1, 0, &r);
        if (cst == ES_OK)
            Hc[k] = r.H, Cc[k] = r.C;
        else if (cst == ES_ENOMEM) /* not a short series: the run fails (es_orbits_insitu_check) */
            out->status = ES_ENOMEM;
    }
    es_error_clear();
}
