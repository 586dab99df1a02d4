/* `esuite bench ordinal`: H, C at n = 5, delay 1 on 10^5 and 10^7 points of
 * seeded white noise, and the delay = 1..99 curve on 10^4 points (issue 2
 * targets: 10^5 points < 0.42 ms, curve < 1.6 ms), and PECCARY's getMaxC
 * (es_ordinal_max_c, 1000 steps a segment) at n = 9 and 10 (a figure, not a
 * timed test). Each figure is the best of several repetitions on a
 * monotonic clock. */
#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"

#include "esuite/ordinal.h"
#include "esuite/status.h"

#include <stdlib.h>

/* Best wall time of `reps` H, C computations on x[0..T−1]. */
static int time_hc(const double *x, size_t T, int reps, double *best)
{
    es_ordinal_workspace *w = es_ordinal_workspace_alloc(5);
    if (!w)
        return ES_ENOMEM;
    es_ordinal_result r;
    *best = 1e300;
    int rc = ES_OK;
    for (int k = 0; k < reps && rc == ES_OK; k++) {
        double t0 = es_wall_seconds();
        rc = es_ordinal_hc_ws(w, x, T, 1, 0, &r);
        double t = es_wall_seconds() - t0;
        if (t < *best)
            *best = t;
    }
    es_ordinal_workspace_free(w);
    return rc;
}

static int bench_points(json_t *cases, size_t T, int reps)
{
    double *x = malloc(T * sizeof *x);
    if (!x)
        return es_error_set(ES_ENOMEM, "bench ordinal: cannot allocate %zu samples", T);
    int rc = es_gen_colored_noise(x, T, 0.0, 12345);
    double s = 0.0;
    if (rc == ES_OK)
        rc = time_hc(x, T, reps, &s);
    free(x);
    if (rc)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "area", json_string("ordinal"));
    json_object_set_new(o, "order", json_integer(5));
    json_object_set_new(o, "delay", json_integer(1));
    json_object_set_new(o, "samples", json_integer((json_int_t)T));
    json_object_set_new(o, "seconds", es_json_real(s));
    json_object_set_new(o, "samples_per_second", es_json_real((double)T / s));
    json_array_append_new(cases, o);
    return ES_OK;
}

static int bench_curve(json_t *cases, int reps)
{
    enum { T = 10000, ND = 99 };
    double *x = malloc(T * sizeof *x);
    es_ordinal_result *res = malloc(ND * sizeof *res);
    int delays[ND];
    for (int d = 0; d < ND; d++)
        delays[d] = d + 1;
    int rc = (x && res) ? es_gen_colored_noise(x, T, 0.0, 12345) : ES_ENOMEM;
    double best = 1e300;
    for (int k = 0; k < reps && rc == ES_OK; k++) {
        double t0 = es_wall_seconds();
        rc = es_ordinal_curve(x, T, 5, delays, ND, 0, res);
        double t = es_wall_seconds() - t0;
        if (t < best)
            best = t;
    }
    free(x);
    free(res);
    if (rc)
        return rc == ES_ENOMEM ? es_error_set(rc, "bench ordinal: out of memory") : rc;
    json_t *o = json_object();
    json_object_set_new(o, "area", json_string("ordinal"));
    json_object_set_new(o, "order", json_integer(5));
    json_object_set_new(o, "delays", json_string("1:99"));
    json_object_set_new(o, "samples", json_integer(T));
    json_object_set_new(o, "curve_seconds", es_json_real(best));
    json_array_append_new(cases, o);
    return ES_OK;
}

/* The largest C of the max curve, whose n! − 1 segments made n = 9 take
 * 13–16 s before only the segments' end points were evaluated. */
static void bench_max_c(json_t *cases, int n, int reps)
{
    double best = 1e300, c = 0.0;
    for (int k = 0; k < reps; k++) {
        double t0 = es_wall_seconds();
        c = es_ordinal_max_c(n, 1000);
        double t = es_wall_seconds() - t0;
        if (t < best)
            best = t;
    }
    json_t *o = json_object();
    json_object_set_new(o, "area", json_string("ordinal"));
    json_object_set_new(o, "max_c_order", json_integer(n));
    json_object_set_new(o, "max_c", es_json_real(c));
    json_object_set_new(o, "max_c_seconds", es_json_real(best));
    json_array_append_new(cases, o);
}

static int bench_ordinal_run(json_t *cases, bool quick)
{
    int rc = bench_points(cases, 100000, quick ? 20 : 200);
    if (rc == ES_OK)
        rc = bench_points(cases, 10000000, quick ? 2 : 5);
    if (rc == ES_OK)
        rc = bench_curve(cases, quick ? 20 : 200);
    if (rc == ES_OK) {
        bench_max_c(cases, 9, quick ? 1 : 3);
        if (!quick)
            bench_max_c(cases, 10, 2);
    }
    return rc;
}

const es_bench_area es_bench_ordinal = {"ordinal", bench_ordinal_run};
