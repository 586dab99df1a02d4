/* `esuite bench orbits`: leapfrog throughput in a 3-D flattened logarithmic
 * potential (10⁴ orbits on all threads; orbit-steps per second), with and
 * without the two tangent vectors of the chaos indicator, and the in-situ
 * ordinal analysis throughput (series per second). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"
#include "orbits/orbits.h"
#include "esuite/status.h"

static void setup(es_orb_system *s, es_orb_run_params *rp, long steps, int ntangent)
{
    es_orb_potential p = {.nterms = 1, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_LOGARITHMIC, 1.0, 0.1, 0, 0.9, 0.8};
    es_orb_system_potential(s, &p, 3);
    memset(rp, 0, sizeof *rp);
    es_orb_params_default(&rp->par);
    rp->par.dt = 0.01;
    rp->par.ntangent = ntangent;
    rp->cls.sali_threshold = 1e-8;
    rp->cls.mlce_threshold = 0.01;
    rp->t_end = 0.01 * (double)steps;
    rp->output_every = 5;
    rp->nobs = 1;
    rp->obs[0] = ES_ORB_OBS_X;
}

static json_t *case_json(const char *what, size_t n, long steps, double sec, int ntangent)
{
    json_t *c = json_object();
    json_object_set_new(c, "area", json_string("orbits"));
    json_object_set_new(c, "case", json_string(what));
    json_object_set_new(c, "integrator", json_string("leapfrog"));
    json_object_set_new(c, "potential", json_string("logarithmic"));
    json_object_set_new(c, "tangent_vectors", json_integer(ntangent));
    json_object_set_new(c, "orbits", json_integer((json_int_t)n));
    json_object_set_new(c, "steps", json_integer(steps));
    json_object_set_new(c, "threads", json_integer(omp_get_max_threads()));
    json_object_set_new(c, "seconds", es_json_real(sec));
    json_object_set_new(c, "orbit_steps_per_second", es_json_real((double)n * steps / sec));
    return c;
}

static int bench_orbits(json_t *cases, bool quick)
{
    size_t n = quick ? 1000 : 10000;
    long steps = quick ? 4000 : 10000; /* quick: still long enough (t = 40) for t_nat */
    es_orb_system s;
    es_orb_run_params rp;
    setup(&s, &rp, steps, 0);
    es_orb_ic_params ic = {0};
    ic.kind = ES_ORB_IC_ENERGY;
    ic.n = n;
    ic.seed = 1;
    ic.energy = 0.5;
    ic.rmax = 2.0;
    double *y0;
    size_t m;
    int st = es_orb_ic_generate(&s, &ic, &y0, &m);
    if (st)
        return st;
    size_t nout = es_orb_run_nout(&rp);
    es_orb_result *res = calloc(n, sizeof *res);
    int *status = calloc(n, sizeof *status);
    double *series = malloc(n * nout * sizeof *series);
    if (!res || !status || !series) {
        st = es_error_set(ES_ENOMEM, "bench orbits: out of memory");
        goto done;
    }
    for (int ntan = 0; ntan <= 2 && st == ES_OK; ntan += 2) {
        setup(&s, &rp, ntan ? steps / 4 : steps, ntan);
        long st_steps = ntan ? steps / 4 : steps;
        double t0 = es_wall_seconds();
        st = es_orb_run_ensemble(&s, &rp, y0, n, res, ntan ? NULL : series, status);
        double sec = es_wall_seconds() - t0;
        if (st == ES_OK)
            json_array_append_new(cases, case_json(ntan ? "leapfrog+sali" : "leapfrog", n,
                                                   st_steps, sec, ntan));
    }
    if (st == ES_OK) {
        /* in-situ ordinal analysis of the x series just produced (ntan = 0 run) */
        setup(&s, &rp, steps, 0);
        es_orb_insitu_params ip = {5, ES_ORB_TNAT_MAXAVG, 0};
        es_orb_insitu *ins = calloc(n, sizeof *ins);
        es_orb_result *r0 = calloc(n, sizeof *r0);
        double t0 = es_wall_seconds();
#pragma omp parallel for schedule(dynamic, 16)
        for (size_t i = 0; i < n; i++)
            es_orb_insitu_one(series + i * nout, nout, rp.par.dt * rp.output_every, &r0[i], &ip,
                              &ins[i], NULL, NULL);
        double sec = es_wall_seconds() - t0;
        size_t ok = 0;
        for (size_t i = 0; i < n; i++)
            ok += ins[i].status == ES_OK;
        json_t *c = json_object();
        json_object_set_new(c, "area", json_string("orbits"));
        json_object_set_new(c, "case", json_string("insitu_ordinal"));
        json_object_set_new(c, "series", json_integer((json_int_t)n));
        json_object_set_new(c, "series_length", json_integer((json_int_t)nout));
        json_object_set_new(c, "order", json_integer(5));
        json_object_set_new(c, "analysed", json_integer((json_int_t)ok));
        json_object_set_new(c, "threads", json_integer(omp_get_max_threads()));
        json_object_set_new(c, "seconds", es_json_real(sec));
        json_object_set_new(c, "series_per_second", es_json_real((double)n / sec));
        json_array_append_new(cases, c);
        free(ins);
        free(r0);
    }
done:
    free(y0);
    free(res);
    free(status);
    free(series);
    return st;
}

const es_bench_area es_bench_orbits = {"orbits", bench_orbits};
