/* `esuite bench gas`: collisions per second of the event-driven engine on one
 * thread, equilibrium periodic box, timed after preparation (insertion and
 * one collision per particle of relaxation), for N = 10^4, 10^5, 10^6 at
 * packing fractions 0.01, 0.05, 0.2 (quick: N = 10^4 only). */
#include <math.h>
#include <time.h>

#include "core/model.h"
#include "esuite/status.h"
#include "gas/gas.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int bench_case(json_t *cases, long n, double eta)
{
    es_gas_params par;
    es_gas_params_default(&par);
    par.box = ES_GAS_BOX_PERIODIC;
    par.partition = 0;
    par.seed = 12345;
    int st = es_gas_box_from(&par, n, eta, 0.0, 1.0);
    es_gas *g = NULL;
    if (!st)
        st = es_gas_alloc(&par, &g);
    if (st)
        return st;
    es_gas_run_collisions(g, (unsigned long long)n / 2); /* leave the insertion state */
    es_gas_reset_stats(g);
    /* Enough collisions for ~1 s or more at 10^6/s, at least 2 per particle. */
    unsigned long long ncoll = (unsigned long long)fmax(2e6, 2.0 * n);
    double t0 = now_seconds();
    es_gas_run_collisions(g, ncoll);
    double sec = now_seconds() - t0;
    json_t *c = json_object();
    json_object_set_new(c, "area", json_string("gas"));
    json_object_set_new(c, "N", json_integer(n));
    json_object_set_new(c, "packing_fraction", json_real(eta));
    json_object_set_new(c, "collisions", json_integer((json_int_t)g->n_coll));
    json_object_set_new(c, "events", json_integer((json_int_t)g->n_events));
    json_object_set_new(c, "seconds", json_real(sec));
    json_object_set_new(c, "collisions_per_second", json_real(g->n_coll / sec));
    json_object_set_new(c, "events_per_second", json_real(g->n_events / sec));
    json_object_set_new(c, "Z", json_real(es_gas_measured_Z(g)));
    json_object_set_new(c, "Z_henderson", json_real(es_gas_henderson_Z(eta)));
    json_object_set_new(c, "threads", json_integer(1));
    json_array_append_new(cases, c);
    es_gas_free(g);
    return ES_OK;
}

static int bench_gas(json_t *cases, bool quick)
{
    const long ns[] = {10000, 100000, 1000000};
    const double etas[] = {0.01, 0.05, 0.2};
    int nn = quick ? 1 : 3;
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < 3; j++) {
            int st = bench_case(cases, ns[i], etas[j]);
            if (st)
                return st;
        }
    return ES_OK;
}

const es_bench_area es_bench_gas = {"gas", bench_gas};
