/* `esuite bench gas`: collisions per second of the event-driven engine on one
 * thread, equilibrium periodic box, timed after preparation (insertion and
 * one collision per particle of relaxation), for N = 10^4, 10^5, 10^6 at
 * packing fractions 0.01, 0.05, 0.2 (quick: N = 10^4 only); and the cost of
 * the entropy of 10 cell sets per sample against the run (bench_entropy). */
#include <math.h>
#include <time.h>

#include <stdlib.h>

#include "core/model.h"
#include "esuite/boltzmann.h"
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

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Cost of the entropy of 10 mixed cell sets (full, position and velocity
 * marginals) per sample against the engine time of the sampling interval in
 * a "typical run": the free expansion of N = 10^6 discs (quick: 10^5) at
 * packing fraction 0.01, aspect 2 (docs/gas.md's example config scaled up),
 * sampled once per initial mean free time tau_c (about one collision per
 * particle; sampling in u as in the example is sparser still). Three
 * samples after the partition removal; means over them, one thread;
 * fraction_of_run is the ratio of CPU times (wall times as well). */
static int bench_entropy(json_t *cases, bool quick)
{
    enum { SETS = 10, SAMPLES = 3 };
    long n = quick ? 100000 : 1000000;
    es_gas_params par;
    es_gas_params_default(&par);
    par.seed = 12345;
    int st = es_gas_box_from(&par, n, 0.01, 0.0, 2.0);
    es_gas *g = NULL;
    if (!st)
        st = es_gas_alloc(&par, &g);
    if (st)
        return st;
    double *pv = malloc((size_t)n * 4 * sizeof *pv);
    es_bz_workspace *w = es_bz_workspace_alloc((size_t)n);
    if (!pv || !w) {
        free(pv);
        es_bz_workspace_free(w);
        es_gas_free(g);
        return es_error_set(ES_ENOMEM, "bench gas: out of memory for the entropy case");
    }
    /* Cells: dx = 0.01..0.25 lx, strips and squares, dv = 0.05..1, v_max = 6. */
    const double fx[SETS] = {0.01, 0.01, 0.02, 0.02, 0.05, 0.05, 0.1, 0.1, 0.25, 0.25};
    const double dv[SETS] = {0.05, 0.1, 0.1, 0.25, 0.25, 0.5, 0.5, 1.0, 1.0, 0.05};
    es_bz_grid grid[SETS];
    for (int c = 0; c < SETS; c++)
        grid[c] = (es_bz_grid){.lx = par.lx, .ly = par.ly, .dx = fx[c] * par.lx,
                               .dy = c % 2 ? fx[c] * par.lx : 0.0, .dv = dv[c], .v_max = 6.0};
    es_gas_run_collisions(g, (unsigned long long)n / 2); /* leave the insertion state */
    es_gas_scales sc;
    es_gas_initial_scales(&par, &sc);
    es_gas_reset_clock(g);
    es_gas_remove_partition(g);
    es_gas_reset_stats(g);
    double run = 0.0, run_cpu = 0.0, ent = 0.0, ent_cpu = 0.0;
    es_bz_result full[SETS], pos[SETS], vel[SETS];
    for (int k = 1; k <= SAMPLES && !st; k++) {
        double t0 = now_seconds(), c0 = cpu_seconds();
        es_gas_run_until(g, k * sc.tau_c);
        run += now_seconds() - t0;
        run_cpu += cpu_seconds() - c0;
        es_gas_snapshot(g, pv);
        double t1 = now_seconds(), c1 = cpu_seconds();
        st = es_bz_entropy_sets(grid, SETS, pv, (size_t)n, w, full, pos, vel);
        ent += now_seconds() - t1;
        ent_cpu += cpu_seconds() - c1;
    }
    if (!st) {
        json_t *c = json_object();
        json_object_set_new(c, "area", json_string("gas"));
        json_object_set_new(c, "case", json_string("entropy_cell_sets"));
        json_object_set_new(c, "N", json_integer(n));
        json_object_set_new(c, "packing_fraction", json_real(0.01));
        json_object_set_new(c, "aspect", json_real(2.0));
        json_object_set_new(c, "cell_sets", json_integer(SETS));
        json_object_set_new(c, "samples", json_integer(SAMPLES));
        json_object_set_new(c, "sample_interval", json_real(sc.tau_c));
        json_object_set_new(c, "collisions_per_sample", json_real((double)g->n_coll / SAMPLES));
        json_object_set_new(c, "events_per_sample", json_real((double)g->n_events / SAMPLES));
        json_object_set_new(c, "seconds_per_sample", json_real(ent / SAMPLES));
        json_object_set_new(c, "cpu_seconds_per_sample", json_real(ent_cpu / SAMPLES));
        json_object_set_new(c, "run_seconds_per_sample", json_real(run / SAMPLES));
        json_object_set_new(c, "run_cpu_seconds_per_sample", json_real(run_cpu / SAMPLES));
        /* CPU time: less sensitive to a loaded machine than wall time. */
        json_object_set_new(c, "fraction_of_run", json_real(ent_cpu / run_cpu));
        json_object_set_new(c, "fraction_of_run_wall", json_real(ent / run));
        json_object_set_new(c, "occupied_fraction_max", json_real((double)full[0].occupied / n));
        json_object_set_new(c, "threads", json_integer(1));
        json_array_append_new(cases, c);
    }
    free(pv);
    es_bz_workspace_free(w);
    es_gas_free(g);
    return st;
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
    return bench_entropy(cases, quick);
}

const es_bench_area es_bench_gas = {"gas", bench_gas};
