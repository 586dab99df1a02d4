/* The school model's config checks and the resolved-config round trip:
 * every bad key gives one message naming file, line and key (the line
 * asserted), and what a resolved config (sweep task, resume) runs is what
 * the original config asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <omp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"
#include "school_test_run.h"

extern const es_model es_model_school;

static es_config *load(const char *text)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg;
    int rc = es_config_load_string(text, "test", schemas, NULL, 0, &cfg);
    if (rc)
        fail_msg("config: %s", es_error_message());
    return cfg;
}

/* The run fails before writing anything and its message contains `want`. */
static void expect_error(const char *text, const char *want)
{
    es_config *cfg = load(text);
    es_run_ctx ctx = {.cfg = cfg, .output_dir = "/nonexistent-esuite", .threads = 1, .seed = 1,
                      .quiet = true};
    assert_int_not_equal(es_model_school.run(&ctx), 0);
    if (!strstr(es_error_message(), want))
        fail_msg("'%s' lacks '%s'", es_error_message(), want);
    es_config_free(cfg);
}

#define RAMP_HEAD "[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\nentropy = false\n" \
                  "[ramp]\nparameter = noise\nvalues = 0.1\n"

/* The empty averaging window names the key that made it: average_steps when
 * given (even where it equals hold_steps/2), else hold_steps (the default
 * window is its second half). */
static void test_window_key(void **state)
{
    (void)state;
    expect_error(RAMP_HEAD "hold_steps = 8\naverage_steps = 4\nsample_every = 5\n",
                 "test:11: key 'ramp.average_steps': the averaging window (4 steps) holds no sample");
    expect_error(RAMP_HEAD "hold_steps = 8\nsample_every = 5\n",
                 "test:10: key 'ramp.hold_steps': the averaging window (4 steps) holds no sample");
}

/* A key that the selected mode does not read is an error at its line unless
 * at its default: couzin2002-only keys in dewi-kadita mode and the reverse. */
static void test_mode_keys(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = school\n[school]\nn_fish = 10\nzone_weighting = normalised\n",
                 "test:5: key 'school.zone_weighting': zone_weighting = normalised has no effect "
                 "with mode = dewi-kadita (couzin2002 only)");
    expect_error("[run]\nmodel = school\n[school]\nmode = dewi-kadita\ninclude_self = true\n",
                 "test:5: key 'school.include_self': include_self = true has no effect with mode "
                 "= dewi-kadita");
    expect_error("[run]\nmodel = school\n[school]\nn_fish = 10\n\nfov = 300\n",
                 "test:6: key 'school.fov': fov = 300 has no effect with mode = dewi-kadita "
                 "(couzin2002 only)");
    expect_error("[run]\nmodel = school\n[school]\nmode = couzin2002\nblind_angle = 40\n",
                 "test:5: key 'school.blind_angle': blind_angle = 40 has no effect with mode = "
                 "couzin2002 (dewi-kadita only)");
    expect_error("[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\n"
                 "orientation_weight = 0.5\n",
                 "test:6: key 'school.orientation_weight': orientation_weight = 0.5 has no effect "
                 "with mode = couzin2002");
    expect_error("[run]\nmodel = school\n[school]\nperiodic_centroid = yes\nmode = couzin2002\n",
                 "test:4: key 'school.periodic_centroid': periodic_centroid = yes has no effect "
                 "with mode = couzin2002");
    /* at the default (as in a resolved config, also written differently) and in their
     * own mode: accepted, so the run gets as far as the output directory */
    expect_error("[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 1\n"
                 "zone_weighting = counts\ninclude_self = no\nfov = 270.0\n", "/nonexistent-esuite");
    expect_error("[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\nn_steps = 1\n"
                 "zone_weighting = normalised\ninclude_self = true\nfov = 200\nblind_angle = 30\n"
                 "orientation_weight = 1\nperiodic_centroid = false\n", "/nonexistent-esuite");
    expect_error("[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 1\nblind_angle = 40\n"
                 "orientation_weight = 0.5\nperiodic_centroid = true\n", "/nonexistent-esuite");
}

#define NOISE_RAMP "[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\n" \
                   "entropy = false\n[ramp]\nparameter = noise\nhold_steps = 4\nsample_every = 2\n"

/* Ramp values must lie in the range of the [school] key they set (noise:
 * 0 .. 10): the listed values, the start, the end, and the last value of
 * from/to/step, which may pass `to` by step/1000. */
static void test_ramp_range(void **state)
{
    (void)state;
    expect_error(NOISE_RAMP "values = 0.1, 12\n",
                 "test:11: key 'ramp.values': noise = 12 is outside the range of school.noise "
                 "(0 .. 10)");
    expect_error(NOISE_RAMP "from = 0\nto = 11\nstep = 1\n",
                 "test:12: key 'ramp.to': noise = 11 is outside the range of school.noise (0 .. 10)");
    expect_error(NOISE_RAMP "from = 11\nto = 12\nstep = 1\n",
                 "test:11: key 'ramp.from': noise = 11 is outside the range of school.noise");
    expect_error(NOISE_RAMP "from = 0.0001\nto = 10\nstep = 1\n",
                 "test:12: key 'ramp.to': the last value, noise = 10.0001 (within step/1000 of "
                 "ramp.to), is outside the range of school.noise (0 .. 10)");
    /* the range's ends themselves are values of the key: accepted, so the run gets as
     * far as the output directory */
    expect_error(NOISE_RAMP "from = 0\nto = 10\nstep = 5\n", "/nonexistent-esuite");
}

/* Errors that involve two keys name the later of them, with its line. */
static void test_cross_key_lines(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = school\n[school]\nr_attraction = 3\nn_fish = 10\nr_orientation = 4\n",
                 "test:6: key 'school.r_orientation': zone radii must satisfy 0 < r_r < r_o <= r_a, "
                 "got r_r = 1, r_o = 4, r_a = 3");
    expect_error("[run]\nmodel = school\n[school]\nr_repulsion = 6\nn_fish = 10\n",
                 "test:4: key 'school.r_repulsion': zone radii must satisfy");
    /* dr_orientation alone sets r_o - r_r: it is named even before r_repulsion */
    expect_error("[run]\nmodel = school\n[school]\ndr_orientation = 0\nr_repulsion = 2\n",
                 "test:4: key 'school.dr_orientation': zone radii must satisfy");
    expect_error("[run]\nmodel = school\n[school]\nr_attraction = 6\ndr_orientation = 7\n",
                 "test:5: key 'school.dr_orientation': dr_orientation = 7 puts r_o = 8 above "
                 "r_attraction = 6; set dr_attraction too");
    expect_error("[run]\nmodel = school\n[school]\nmetrics_every = 4\nn_fish = 10\nsave_interval = 3\n",
                 "test:6: key 'school.save_interval': metrics_every = 4 must be a multiple of "
                 "save_interval = 3");
}

/* Run `text` (after a round trip through its resolved INI, what sweep tasks
 * and resume run, if `resolved`) into the fresh directory dir on `threads`
 * threads; returns summary.json. */
static json_t *run_into(const char *text, bool resolved, int threads, char dir[64])
{
    es_config *cfg = load(text);
    if (resolved) {
        char *ini = es_config_to_ini(cfg);
        es_config_free(cfg);
        cfg = load(ini);
        free(ini);
    }
    snprintf(dir, 64, "/tmp/esuite-schcfg-XXXXXX");
    assert_non_null(mkdtemp(dir));
    omp_set_num_threads(threads);
    return school_test_run(cfg, dir, threads, 1);
}

static void remove_run(const char *dir) { assert_int_equal(school_test_remove_run(dir), 0); }

static int nc_open_run(const char *dir)
{
    char path[128];
    int ncid;
    snprintf(path, sizeof path, "%s/school.nc", dir);
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    return ncid;
}

/* The deflate level of school.nc's positions (0: none) of `text` run from
 * its resolved config. */
static int resolved_run_deflate(const char *text)
{
    char dir[64];
    json_decref(run_into(text, true, 1, dir));
    int ncid = nc_open_run(dir), var, shuffle = 0, deflate = 0, level = 0;
    assert_int_equal(nc_inq_varid(ncid, "positions", &var), NC_NOERR);
    assert_int_equal(nc_inq_var_deflate(ncid, var, &shuffle, &deflate, &level), NC_NOERR);
    nc_close(ncid);
    remove_run(dir);
    return deflate ? level : 0;
}

#define RAMP RAMP_HEAD "back = false\nhold_steps = 4\nsample_every = 2\nplots = false\n"
#define PLAIN "[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 4\nentropy = false\n"

/* Compression not asked for stays off through a resolved config (which lists
 * every key); an explicit level, 4 (the old default) included, stays that level. */
static void test_resolved_compression(void **state)
{
    (void)state;
    assert_int_equal(resolved_run_deflate(PLAIN), 0);
    assert_int_equal(resolved_run_deflate(PLAIN "[output]\ncompression = 4\n"), 4);
    assert_int_equal(resolved_run_deflate(PLAIN "[output]\ncompression = 1\n"), 1);
    assert_int_equal(resolved_run_deflate(PLAIN "[output]\ncompression = 0\n"), 0);
    /* ramp runs likewise (their resolved config also lists velcorr_exact_max at its default) */
    assert_int_equal(resolved_run_deflate(RAMP), 0);
    assert_int_equal(resolved_run_deflate(RAMP "[output]\ncompression = 4\n"), 4);
}

/* Keys a ramp run would ignore are errors naming file, line and key. */
static void test_ramp_ignored_keys(void **state)
{
    (void)state;
    expect_error(RAMP_HEAD "[school]\nvelcorr_exact_max = 100\n",
                 "test:11: key 'school.velcorr_exact_max': not used by a ramp run");
}

/* The provenance records the threads a ramp ran on: one below 1025 fish
 * (the ramp steps small schools on one thread), else the run's. */
static void test_ramp_threads(void **state)
{
    (void)state;
    const struct {
        int n, want;
    } cases[] = {{10, 1}, {1100, 2}};
    for (size_t k = 0; k < 2; k++) {
        char text[512], dir[64];
        snprintf(text, sizeof text,
                 "[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = %d\n"
                 "box_size = 100\nentropy = false\nsave_interval = 2\n[ramp]\nparameter = noise\n"
                 "values = 0.1\nback = false\nhold_steps = 4\nsample_every = 2\nplots = false\n",
                 cases[k].n);
        json_t *sum = run_into(text, false, 2, dir);
        json_t *th = json_object_get(json_object_get(sum, "provenance"), "threads");
        assert_non_null(th);
        assert_int_equal(json_integer_value(th), cases[k].want);
        int ncid = nc_open_run(dir), nc_threads = 0;
        assert_int_equal(nc_get_att_int(ncid, NC_GLOBAL, "threads", &nc_threads), NC_NOERR);
        assert_int_equal(nc_threads, cases[k].want);
        nc_close(ncid);
        json_decref(sum);
        remove_run(dir);
    }
}

/* A hold's sd of P and M equals the two-pass population sd of the samples
 * in its window, read back from school.nc (frames every sample here), to
 * 1e-12 relative; the means are the samples' plain mean. The state is
 * ordered (P ≈ 1), where E[x²] − mean² loses about 8 digits. */
static void test_ramp_sd(void **state)
{
    (void)state;
    enum { HOLD = 400, EVERY = 2, NH = 2 };
    char dir[64];
    json_t *sum = run_into("[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 20\n"
                           "box_size = 50\ninit = sphere\ninit_size = 2\nentropy = false\n"
                           "save_interval = 2\n[ramp]\nparameter = noise\nvalues = 0.01, 0.02\n"
                           "back = false\nhold_steps = 400\nsample_every = 2\nplots = false\n",
                           false, 1, dir);
    json_t *holds = json_object_get(json_object_get(sum, "ramp"), "holds");
    assert_int_equal(json_array_size(holds), NH);
    int ncid = nc_open_run(dir);
    const char *var[2] = {"polarization", "rotation"}, *mk[2] = {"P", "M"}, *sk[2] = {"P_sd", "M_sd"};
    for (int q = 0; q < 2; q++) {
        int v;
        double x[NH * HOLD / EVERY + 1];
        assert_int_equal(nc_inq_varid(ncid, var[q], &v), NC_NOERR);
        assert_int_equal(nc_get_var_double(ncid, v, x), NC_NOERR);
        for (size_t h = 0; h < NH; h++) {
            /* window: the second half, steps h0 + HOLD/2 + EVERY ... h0 + HOLD = frames */
            size_t f0 = (h * HOLD + HOLD / 2) / EVERY + 1, f1 = (h + 1) * HOLD / EVERY;
            double s1 = 0, s2 = 0, n = (double)(f1 - f0 + 1);
            for (size_t f = f0; f <= f1; f++)
                s1 += x[f];
            double mean = s1 / n;
            for (size_t f = f0; f <= f1; f++)
                s2 += (x[f] - mean) * (x[f] - mean);
            double sd = sqrt(s2 / n);
            json_t *ho = json_array_get(holds, h);
            assert_true(mean == json_number_value(json_object_get(ho, mk[q])));
            double got = json_number_value(json_object_get(ho, sk[q]));
            if (!(fabs(got - sd) <= 1e-12 * sd))
                fail_msg("hold %zu %s: sd %.17g, two-pass %.17g", h, sk[q], got, sd);
            if (q == 0)
                assert_true(mean > 0.99); /* ordered: the case that needs care */
        }
    }
    nc_close(ncid);
    json_decref(sum);
    remove_run(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_window_key),
                                       cmocka_unit_test(test_mode_keys),
                                       cmocka_unit_test(test_cross_key_lines),
                                       cmocka_unit_test(test_ramp_range),
                                       cmocka_unit_test(test_resolved_compression),
                                       cmocka_unit_test(test_ramp_threads),
                                       cmocka_unit_test(test_ramp_sd),
                                       cmocka_unit_test(test_ramp_ignored_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
