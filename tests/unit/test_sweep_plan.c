/* Sweep files: task expansion (order, seeds, zip), resolved task configs, and
 * errors that name the sweep file's line. Only [run]/[output] keys are
 * varied, so no simulator is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model.h"
#include "core/sweep.h"
#include "esuite/status.h"

static char tmpdir[256];

/* A model name for the base config: one absent from this build keeps the
 * test independent of any simulator's required keys. */
static const char *test_model(void)
{
    for (int i = 0; es_model_names[i]; i++)
        if (!es_model_find(es_model_names[i]))
            return es_model_names[i];
    return es_model_names[0];
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/es_sweep_plan_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char base[256];
    snprintf(base, sizeof base, "[run]\nmodel = %s\nseed = 100\n", test_model());
    write_file("base.ini", base);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int load(const char *text, es_sweep **sw)
{
    write_file("s.ini", text);
    char path[512];
    snprintf(path, sizeof path, "%s/s.ini", tmpdir);
    es_error_clear();
    es_warning_clear();
    return es_sweep_load(path, sw);
}

static void test_cartesian_order_and_seeds(void **state)
{
    (void)state;
    es_sweep *sw;
    assert_int_equal(load("[sweep]\nbase = base.ini\nname = c\nreplicas = 2\n"
                          "vary output.compression = 1:3:1\nvary output.log_interval = 0.5, 2\n",
                          &sw),
                     ES_OK);
    assert_int_equal(sw->ntasks, 3 * 2 * 2);
    assert_int_equal(sw->naxes, 2);
    assert_true(sw->axes[0].numeric);
    /* replica fastest, then the last axis: task 7 = (i0=1, i1=1, r=1) */
    assert_int_equal(sw->tasks[7].value_index[0], 1);
    assert_int_equal(sw->tasks[7].value_index[1], 1);
    assert_int_equal(sw->tasks[7].replica, 1);
    assert_int_equal(sw->tasks[7].seed, 101); /* base seed 100 + replica */
    assert_int_equal(sw->tasks[10].seed, 100);
    char label[256];
    es_sweep_task_label(sw, 7, label, sizeof label);
    assert_string_equal(label, "output.compression=2 output.log_interval=2");
    /* The resolved config of task 7 holds the values, as an independent parse shows. */
    char *ini;
    assert_int_equal(es_sweep_task_config(sw, 7, &ini), ES_OK);
    assert_non_null(strstr(ini, "compression = 2 "));
    assert_non_null(strstr(ini, "log_interval = 2 "));
    assert_non_null(strstr(ini, "seed = 101 "));
    /* Load against the model's schema too when that model is compiled in. */
    const es_model *m = es_model_find(test_model());
    const es_key_spec *schemas[] = {es_config_core_schema(), m ? m->schema : NULL, NULL};
    es_config *cfg;
    assert_int_equal(es_config_load_string(ini, "task7", schemas, NULL, 0, &cfg), ES_OK);
    assert_int_equal(es_config_int(cfg, "output", "compression"), 2);
    assert_true(es_config_double(cfg, "output", "log_interval") == 2.0);
    assert_int_equal(es_config_int(cfg, "run", "seed"), 101);
    es_config_free(cfg);
    free(ini);
    es_sweep_free(sw);
}

static void test_zip_explicit_seeds_and_vary_section(void **state)
{
    (void)state;
    es_sweep *sw;
    assert_int_equal(load("[sweep]\nbase = base.ini\nmode = zip\nseeds = 7, 9, 11\n"
                          "[vary]\noutput.compression = 1,5\noutput.log_interval = 1:2:1\n",
                          &sw),
                     ES_OK);
    assert_string_equal(sw->name, "s"); /* from the file name */
    assert_int_equal(sw->replicas, 3);
    assert_int_equal(sw->ntasks, 2 * 3);
    assert_int_equal(sw->tasks[4].value_index[0], 1);
    assert_int_equal(sw->tasks[4].value_index[1], 1);
    assert_int_equal(sw->tasks[4].seed, 9);
    assert_int_equal(sw->tasks[5].seed, 11);
    es_sweep_free(sw);
    /* seeds written as integral reals go up to INT64_MAX like digits (9.22e18
     * was refused: real forms were capped at 9.2e18) */
    assert_int_equal(load("[sweep]\nbase = base.ini\nseeds = 9.22e18, 9223372036854775807\n", &sw), ES_OK);
    assert_true(sw->tasks[0].seed == 9220000000000000000ull);
    assert_true(sw->tasks[1].seed == 9223372036854775807ull);
    es_sweep_free(sw);
}

static void test_varied_seed_plus_replica(void **state)
{
    (void)state;
    es_sweep *sw;
    assert_int_equal(load("[sweep]\nbase = base.ini\nreplicas = 2\nvary run.seed = 10,20\n", &sw), ES_OK);
    assert_int_equal(sw->ntasks, 4);
    unsigned long long want[] = {10, 11, 20, 21};
    for (int i = 0; i < 4; i++)
        assert_int_equal(sw->tasks[i].seed, want[i]);
    es_sweep_free(sw);
}

static void test_slurm_section(void **state)
{
    (void)state;
    es_sweep *sw;
    assert_int_equal(load("[sweep]\nbase = base.ini\nvary run.seed = 1:4:1\n[slurm]\ntime = 02:00:00\n"
                          "cpus_per_task = 8\nmem = 4G\npartition = p\naccount = a\nmax_concurrent = 2\n"
                          "extra = --qos=low\nextra = --constraint=x\n",
                          &sw),
                     ES_OK);
    assert_string_equal(sw->res.time, "02:00:00");
    assert_int_equal(sw->res.cpus_per_task, 8);
    assert_int_equal(sw->res.max_concurrent, 2);
    assert_int_equal(sw->res.nextra, 2);
    assert_string_equal(sw->res.extra[1], "--constraint=x");
    es_sweep_free(sw);
    /* every time-limit form sbatch takes, and memory sizes with or without a unit */
    const char *times[] = {"30", "30:00", "02:00:00", "1-12", "1-12:30", "1-12:30:00", "UNLIMITED"};
    const char *mems[] = {"2048", "4G", "500M", "1gb", "2T"};
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        char text[256];
        snprintf(text, sizeof text, "[sweep]\nbase = base.ini\nvary run.seed = 1,2\n[slurm]\ntime = %s\nmem = %s\n",
                 times[i], mems[i % 5]);
        assert_int_equal(load(text, &sw), ES_OK);
        assert_string_equal(sw->res.time, times[i]);
        assert_string_equal(sw->res.mem, mems[i % 5]);
        es_sweep_free(sw);
    }
}

/* A quoted value keeps its commas (a, "b,c" was split into a, "b and c"), and the
 * task config holds it so that it reads back as the same string. */
static void test_quoted_value_with_comma(void **state)
{
    (void)state;
    es_sweep *sw;
    assert_int_equal(load("[sweep]\nbase = base.ini\nvary run.name = a, \"b,c\", ' d , e '\n", &sw), ES_OK);
    assert_int_equal(sw->ntasks, 3);
    assert_int_equal(sw->axes[0].n, 3);
    assert_false(sw->axes[0].numeric);
    assert_string_equal(sw->axes[0].values[0], "a");
    assert_string_equal(sw->axes[0].values[1], "b,c");
    assert_string_equal(sw->axes[0].values[2], "d , e");
    char label[256];
    es_sweep_task_label(sw, 1, label, sizeof label);
    assert_string_equal(label, "run.name=b,c");
    const es_model *m = es_model_find(test_model());
    const es_key_spec *schemas[] = {es_config_core_schema(), m ? m->schema : NULL, NULL};
    const char *want[] = {"a", "b,c", "d , e"};
    for (size_t i = 0; i < 3; i++) {
        char *ini;
        assert_int_equal(es_sweep_task_config(sw, i, &ini), ES_OK);
        es_config *cfg;
        assert_int_equal(es_config_load_string(ini, "task", schemas, NULL, 0, &cfg), ES_OK);
        assert_string_equal(es_config_string(cfg, "run", "name"), want[i]);
        es_config_free(cfg);
        free(ini);
    }
    es_sweep_free(sw);
}

static void expect_error(const char *text, const char *where, const char *what)
{
    es_sweep *sw = (es_sweep *)1;
    int st = load(text, &sw);
    assert_int_equal(st, ES_ECONFIG);
    assert_null(sw);
    const char *msg = es_error_message();
    if (!strstr(msg, where) || !strstr(msg, what))
        fail_msg("message '%s' lacks '%s' / '%s'", msg, where, what);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    /* A typo in a vary key is caught by the real schema, on its line. */
    expect_error("[sweep]\nbase = base.ini\n\nvary output.compresion = 1,2\n", "s.ini:4:", "unknown key");
    /* A value outside the key's range (compression is 0..9). */
    expect_error("[sweep]\nbase = base.ini\nvary output.compression = 5:12:1\n", "s.ini:3:", "compression");
    expect_error("[sweep]\nbase = base.ini\nvary output.compression = 1:2\n", "s.ini:3:", "A:B:STEP");
    expect_error("[sweep]\nbase = base.ini\nmode = zip\nvary run.seed = 1,2\nvary output.compression = 1,2,3\n",
                 "s.ini:5:", "equal length");
    expect_error("[sweep]\nbase = base.ini\nreplicas = 2\nseeds = 1,2,3\nvary run.seed = 1,2\n", "s.ini:4:",
                 "3 seeds for replicas = 2");
    expect_error("[sweep]\nbase = base.ini\nbogus = 1\n", "s.ini:3:", "unknown key 'sweep.bogus'");
    expect_error("[slurm]\ncpus_per_task = 0\n", "s.ini:2:", "1 .. 4096");
    /* sbatch would refuse these only after the sweep directory is written */
    expect_error("[slurm]\ntime = 2h\n", "s.ini:2:", "key 'slurm.time': expected minutes, H:M:S or D-H:M:S");
    expect_error("[slurm]\n\ntime = 1:2:3:4\n", "s.ini:3:", "got '1:2:3:4'");
    expect_error("[slurm]\ntime = 1-\n", "s.ini:2:", "slurm.time");
    expect_error("[slurm]\nmem = 4 GB\n", "s.ini:2:", "key 'slurm.mem': expected a size such as 4G");
    expect_error("[slurm]\nmem = G\n", "s.ini:2:", "got 'G'");
    expect_error("[sweep]\nbase = base.ini\n[gas]\n", "s.ini:3:", "unknown section [gas]");
    expect_error("[sweep]\nbase = base.ini\nvary run.seed = 1,2\nvary run.seed = 3\n", "s.ini:4:",
                 "first on line 3");
    expect_error("[sweep]\nbase = base.ini\n", "s.ini", "nothing to sweep");
    /* a value that a task config would not give back as written: its quotes dropped, or
     * "name = ;x" read as a comment */
    expect_error("[sweep]\nbase = base.ini\nvary run.name = '\"x\"', y\n", "s.ini:3:",
                 "vary run.name: value '\"x\"' would read back from the task config as 'x'");
    expect_error("[sweep]\nbase = base.ini\n\nvary run.name = y, ';x'\n", "s.ini:4:",
                 "vary run.name: --set run.name=;x: key 'run.name': ';x' has a ';' at its start, which "
                 "a config file reads as the start of a comment");
    expect_error("[sweep]\nbase = base.ini\nvary run.name = a, \"b\n", "s.ini:3:",
                 "vary run.name: 'a, \"b': element 2 opens a quote \" that is not closed");
    /* [sweep] name is the default sweep directory: not the current or parent one */
    expect_error("[sweep]\nbase = base.ini\nname = .\nreplicas = 2\n", "s.ini:3:",
                 "key 'sweep.name': '.' names the current directory");
    expect_error("[sweep]\nbase = base.ini\nreplicas = 2\nname = ..\n", "s.ini:4:",
                 "key 'sweep.name': '..' names the parent directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cartesian_order_and_seeds),
        cmocka_unit_test(test_zip_explicit_seeds_and_vary_section),
        cmocka_unit_test(test_varied_seed_plus_replica),
        cmocka_unit_test(test_slurm_section),
        cmocka_unit_test(test_quoted_value_with_comma),
        cmocka_unit_test(test_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
