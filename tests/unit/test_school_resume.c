/* School checkpoint/restart: a run stopped at a checkpoint (the
 * [school] stop_after_steps hook, which takes the same path as SIGUSR1) and
 * resumed from it — with another thread count, as `esuite run --resume`
 * allows — ends with every school.nc variable and every summary.json
 * statistic bit-identical to an uninterrupted run; so does a run writing a
 * checkpoint after every frame. Both modes; the stop falls inside a
 * trajectory write block and between two metric frames. Ramp runs too:
 * stopped inside a hold's averaging window and at a hold boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <netcdf.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"

extern const es_model es_model_school;

/* N = 600: 72 frames per trajectory write, so the stop at step 37 leaves a
 * partial block that the checkpoint must flush. */
static const char *BASE = "[run]\nmodel = school\nname = t\nseed = 7\n"
                          "[school]\nn_fish = 600\nbox_size = 40\nr_repulsion = 1\n"
                          "r_orientation = 4\nr_attraction = 9\nn_steps = 100\n";

static const char *VARS[] = {"time", "positions", "velocities", "polarization", "rotation",
                             "spread", "order_index", "school_cohesion_entropy",
                             "polarization_entropy", "depth_stratification_entropy",
                             "angular_momentum_entropy", "nearest_neighbor_entropy",
                             "velocity_correlation_entropy", "school_shape_entropy",
                             "oceanic_schooling_index", "metrics_time", "fish", "spatial",
                             /* a ramp run's */
                             "ramp_value", "hold_value", "hold_direction", "hold_start_step",
                             "hold_polarization_mean", "hold_polarization_sd",
                             "hold_rotation_mean", "hold_rotation_sd", "hold_state"};

static es_config *load(const char *text)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg = NULL;
    assert_int_equal(es_config_load_string(text, "test", schemas, NULL, 0, &cfg), 0);
    return cfg;
}

static int run(es_config *cfg, const char *dir, int threads)
{
    omp_set_num_threads(threads);
    es_run_ctx ctx = {.cfg = cfg, .output_dir = dir, .threads = threads, .seed = 7, .quiet = true};
    return es_model_school.run(&ctx);
}

static void make_dir(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/esuite-school-resume-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int file_exists(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* Every variable of a/school.nc equals b/school.nc's bit for bit; returns
 * how many were compared. */
static int compare_nc(const char *da, const char *db)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/school.nc", da);
    snprintf(pb, sizeof pb, "%s/school.nc", db);
    int a, b, compared = 0;
    assert_int_equal(nc_open(pa, NC_NOWRITE, &a), NC_NOERR);
    assert_int_equal(nc_open(pb, NC_NOWRITE, &b), NC_NOERR);
    for (size_t k = 0; k < sizeof VARS / sizeof VARS[0]; k++) {
        int va, vb, nd, dims[NC_MAX_VAR_DIMS];
        int has_a = nc_inq_varid(a, VARS[k], &va) == NC_NOERR;
        int has_b = nc_inq_varid(b, VARS[k], &vb) == NC_NOERR;
        assert_int_equal(has_a, has_b);
        if (!has_a)
            continue;
        assert_int_equal(nc_inq_varndims(a, va, &nd), NC_NOERR);
        assert_int_equal(nc_inq_vardimid(a, va, dims), NC_NOERR);
        size_t total = 1;
        for (int d = 0; d < nd; d++) {
            size_t len;
            nc_inq_dimlen(a, dims[d], &len);
            total *= len;
        }
        double *xa = malloc(total * sizeof *xa), *xb = malloc(total * sizeof *xb);
        assert_non_null(xa);
        assert_non_null(xb);
        assert_int_equal(nc_get_var_double(a, va, xa), NC_NOERR);
        assert_int_equal(nc_get_var_double(b, vb, xb), NC_NOERR);
        if (memcmp(xa, xb, total * sizeof *xa) != 0)
            fail_msg("variable %s differs between %s and %s", VARS[k], pa, pb);
        free(xa);
        free(xb);
        compared++;
    }
    nc_close(a);
    nc_close(b);
    return compared;
}

/* The statistics of summary.json (every number is printed to full double
 * precision) are identical; wall time and provenance are not compared. */
static void compare_summary_keys(const char *da, const char *db, const char *const *keys,
                                 size_t nkeys)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/summary.json", da);
    snprintf(pb, sizeof pb, "%s/summary.json", db);
    json_t *a = json_load_file(pa, 0, NULL), *b = json_load_file(pb, 0, NULL);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t k = 0; k < nkeys; k++) {
        json_t *x = json_object_get(a, keys[k]), *y = json_object_get(b, keys[k]);
        assert_non_null(x);
        if (!json_equal(x, y))
            fail_msg("summary.json '%s' differs between %s and %s", keys[k], da, db);
    }
    json_decref(a);
    json_decref(b);
}

static void compare_summary(const char *da, const char *db)
{
    const char *const keys[] = {"metrics", "mean", "final", "state", "state_second_half", "frames"};
    compare_summary_keys(da, db, keys, sizeof keys / sizeof keys[0]);
}

/* Uninterrupted with `t_ref` threads; stopped at step 37 with `t_stop`;
 * resumed with `t_resume`. */
static void kill_and_resume(const char *mode_keys, int t_ref, int t_stop, int t_resume,
                            int want_vars)
{
    char text[2048], ref[128], cut[128];
    snprintf(text, sizeof text, "%s%s", BASE, mode_keys);
    make_dir(ref, sizeof ref, "ref");
    make_dir(cut, sizeof cut, "cut");

    es_config *cfg = load(text);
    assert_int_equal(run(cfg, ref, t_ref), ES_OK);
    es_config_free(cfg);

    snprintf(text, sizeof text, "%s%sstop_after_steps = 37\n", BASE, mode_keys);
    cfg = load(text);
    assert_int_equal(run(cfg, cut, t_stop), ES_EINTR);
    es_config_free(cfg);
    assert_true(file_exists(cut, ES_CHECKPOINT_FILE));
    assert_false(file_exists(cut, "summary.json"));
    assert_false(file_exists(cut, "school.nc"));

    /* What `esuite run --resume DIR` does: the checkpoint's own config. */
    char *resume_ini = NULL;
    assert_int_equal(es_checkpoint_resume_config(cut, &resume_ini, NULL, NULL, NULL), ES_OK);
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    assert_int_equal(es_config_load(resume_ini, schemas, NULL, 0, &cfg), ES_OK);
    es_checkpoint_set_resume(cut);
    int rc = run(cfg, cut, t_resume);
    es_checkpoint_set_resume(NULL);
    es_config_free(cfg);
    free(resume_ini);
    assert_int_equal(rc, ES_OK);

    assert_int_equal(compare_nc(ref, cut), want_vars);
    compare_summary(ref, cut);
    remove_dir(ref);
    remove_dir(cut);
}

static void test_resume_dewi(void **state)
{
    (void)state;
    /* metrics on `time` (metrics_every = save_interval): 17 variables */
    kill_and_resume("max_turn = 0.4\nnoise = 0.2\n", 1, 1, 2, 17);
}

static void test_resume_couzin(void **state)
{
    (void)state;
    /* metrics on their own `metrics_time` dimension (every 2 frames), so
     * the stop at step 37 falls between two metric frames: 18 variables */
    kill_and_resume("mode = couzin2002\nmax_turn = 0.07\ninit = sphere\nmetrics_every = 2\n", 2,
                    2, 1, 18);
}

/* A checkpoint after every frame (interval 1 µs) changes nothing. */
static void test_periodic_checkpoints(void **state)
{
    (void)state;
    char text[2048], ref[128], per[128];
    make_dir(ref, sizeof ref, "ref");
    make_dir(per, sizeof per, "per");
    es_config *cfg = load(BASE);
    assert_int_equal(run(cfg, ref, 2), ES_OK);
    es_config_free(cfg);
    snprintf(text, sizeof text, "%s[output]\ncheckpoint_interval = 1e-6\n", BASE);
    cfg = load(text);
    assert_int_equal(run(cfg, per, 2), ES_OK);
    es_config_free(cfg);
    assert_true(file_exists(per, ES_CHECKPOINT_FILE)); /* `esuite run` removes it on success */
    assert_int_equal(compare_nc(ref, per), 17);
    compare_summary(ref, per);
    remove_dir(ref);
    remove_dir(per);
}

/* A checkpoint of another configuration is refused with a message. */
static void test_resume_wrong_config(void **state)
{
    (void)state;
    char text[2048], cut[128];
    make_dir(cut, sizeof cut, "bad");
    snprintf(text, sizeof text, "%sstop_after_steps = 10\n", BASE);
    es_config *cfg = load(text);
    assert_int_equal(run(cfg, cut, 1), ES_EINTR);
    es_config_free(cfg);
    snprintf(text, sizeof text, "%sstop_after_steps = 10\nnoise = 0.25\n", BASE);
    cfg = load(text);
    es_checkpoint_set_resume(cut);
    int rc = run(cfg, cut, 1);
    es_checkpoint_set_resume(NULL);
    es_config_free(cfg);
    assert_int_equal(rc, ES_EDATA);
    assert_non_null(strstr(es_error_message(), "config"));
    remove_dir(cut);
}

/* ---- ramp runs ----
 *
 * couzin2002, 40 fish, Δr_o ramped 1 → 2 and back: 4 holds of 60 steps
 * (0-60, 60-120, 120-180, 180-240), P and M sampled every 5 steps over the
 * last 30 of each, a frame every 10 steps. */
static const char *RAMP = "[run]\nmodel = school\nname = t\nseed = 7\n"
                          "[school]\nmode = couzin2002\nn_fish = 40\nbox_size = 100\nspeed = 3\n"
                          "r_repulsion = 1\ndr_orientation = 0\ndr_attraction = 14\n"
                          "max_turn = 0.0698\nnoise = 0.05\ninit = sphere\ninit_size = 5\n"
                          "entropy = false\nsave_interval = 10\n%s"
                          "[ramp]\nparameter = dr_orientation\nvalues = 1, 2\nhold_steps = 60\n"
                          "average_steps = 30\nsample_every = 5\nplots = false\n";

/* 18 variables: time, ramp_value, the 4 metrics, positions, velocities,
 * fish, spatial and the 8 hold variables */
enum { RAMP_VARS = 18 };

static es_config *load_ramp(const char *school_keys)
{
    char text[2048];
    snprintf(text, sizeof text, RAMP, school_keys);
    return load(text);
}

static void compare_ramp_summary(const char *da, const char *db)
{
    const char *const keys[] = {"ramp", "mean", "state", "n_steps"};
    compare_summary_keys(da, db, keys, sizeof keys / sizeof keys[0]);
}

/* Uninterrupted on `t_ref` threads; stopped at `stop` on `t_stop`; resumed on `t_resume`. */
static void ramp_kill_and_resume(long long stop, int t_ref, int t_stop, int t_resume,
                                 const char *want_hold)
{
    char ref[128], cut[128], keys[64];
    make_dir(ref, sizeof ref, "rref");
    make_dir(cut, sizeof cut, "rcut");
    es_config *cfg = load_ramp("");
    assert_int_equal(run(cfg, ref, t_ref), ES_OK);
    es_config_free(cfg);

    snprintf(keys, sizeof keys, "stop_after_steps = %lld\n", stop);
    cfg = load_ramp(keys);
    assert_int_equal(run(cfg, cut, t_stop), ES_EINTR);
    es_config_free(cfg);
    char msg[160];
    snprintf(msg, sizeof msg, "at step %lld of 240, %s of 4 (checkpoint written)", stop, want_hold);
    if (!strstr(es_error_message(), msg))
        fail_msg("message '%s' lacks '%s'", es_error_message(), msg);
    assert_true(file_exists(cut, ES_CHECKPOINT_FILE));
    assert_false(file_exists(cut, "summary.json"));
    assert_false(file_exists(cut, "school.nc"));

    char *resume_ini = NULL;
    assert_int_equal(es_checkpoint_resume_config(cut, &resume_ini, NULL, NULL, NULL), ES_OK);
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    assert_int_equal(es_config_load(resume_ini, schemas, NULL, 0, &cfg), ES_OK);
    es_checkpoint_set_resume(cut);
    int rc = run(cfg, cut, t_resume);
    es_checkpoint_set_resume(NULL);
    es_config_free(cfg);
    free(resume_ini);
    if (rc)
        fail_msg("resume: %s", es_error_message());

    assert_int_equal(compare_nc(ref, cut), RAMP_VARS);
    compare_ramp_summary(ref, cut);
    remove_dir(ref);
    remove_dir(cut);
}

/* Step 103: hold 2, inside its averaging window (90-120), on neither a frame
 * nor a sample step: the hold's partial sums travel in the checkpoint. */
static void test_ramp_resume_mid_hold(void **state)
{
    (void)state;
    ramp_kill_and_resume(103, 1, 1, 2, "hold 2");
}

/* Step 120: the end of hold 2, its sums complete and its results not yet taken. */
static void test_ramp_resume_hold_boundary(void **state)
{
    (void)state;
    ramp_kill_and_resume(120, 2, 2, 1, "hold 2");
}

/* A checkpoint after every piece of a hold changes nothing; a stop at the
 * last step leaves nothing to resume: the run finishes. */
static void test_ramp_periodic_and_last_step(void **state)
{
    (void)state;
    char ref[128], per[128], last[128];
    make_dir(ref, sizeof ref, "rref");
    make_dir(per, sizeof per, "rper");
    make_dir(last, sizeof last, "rlast");
    es_config *cfg = load_ramp("");
    assert_int_equal(run(cfg, ref, 1), ES_OK);
    es_config_free(cfg);
    char text[2048];
    snprintf(text, sizeof text, RAMP, "");
    strcat(text, "[output]\ncheckpoint_interval = 1e-6\n");
    cfg = load(text);
    assert_int_equal(run(cfg, per, 2), ES_OK);
    es_config_free(cfg);
    assert_true(file_exists(per, ES_CHECKPOINT_FILE)); /* `esuite run` removes it on success */
    assert_int_equal(compare_nc(ref, per), RAMP_VARS);
    compare_ramp_summary(ref, per);
    cfg = load_ramp("stop_after_steps = 240\n");
    assert_int_equal(run(cfg, last, 1), ES_OK);
    es_config_free(cfg);
    assert_false(file_exists(last, ES_CHECKPOINT_FILE));
    assert_int_equal(compare_nc(ref, last), RAMP_VARS);
    compare_ramp_summary(ref, last);
    remove_dir(ref);
    remove_dir(per);
    remove_dir(last);
}

/* A ramp checkpoint resumed with a changed config is refused, and nothing is written. */
static void test_ramp_resume_wrong_config(void **state)
{
    (void)state;
    char cut[128];
    make_dir(cut, sizeof cut, "rbad");
    es_config *cfg = load_ramp("stop_after_steps = 50\n");
    assert_int_equal(run(cfg, cut, 1), ES_EINTR);
    es_config_free(cfg);
    cfg = load_ramp("stop_after_steps = 50\nfov = 300\n");
    es_checkpoint_set_resume(cut);
    int rc = run(cfg, cut, 1);
    es_checkpoint_set_resume(NULL);
    es_config_free(cfg);
    assert_int_equal(rc, ES_EDATA);
    assert_non_null(strstr(es_error_message(), "written for another configuration"));
    assert_false(file_exists(cut, "school.nc"));
    assert_false(file_exists(cut, "summary.json"));
    assert_true(file_exists(cut, ES_CHECKPOINT_FILE)); /* kept: the right config may resume */
    remove_dir(cut);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_dewi),
        cmocka_unit_test(test_resume_couzin),
        cmocka_unit_test(test_periodic_checkpoints),
        cmocka_unit_test(test_resume_wrong_config),
        cmocka_unit_test(test_ramp_resume_mid_hold),
        cmocka_unit_test(test_ramp_resume_hold_boundary),
        cmocka_unit_test(test_ramp_periodic_and_last_step),
        cmocka_unit_test(test_ramp_resume_wrong_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
