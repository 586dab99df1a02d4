/* The reference's flat config files: recognition, translation, the values
 * that reach the [school] schema, and errors naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"
#include "school/school_flat.h"

extern const es_model es_model_school;

static const char *ref(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/configs/school_reference/%s", ES_SOURCE_DIR, name);
    return path;
}

static void test_run_name(void **state)
{
    (void)state;
    char out[64];
    es_school_flat_run_name("Case 1 - Swarm", out, sizeof out);
    assert_string_equal(out, "case1_swarm");
    es_school_flat_run_name("Case 3 - Dynamic Parallel", out, sizeof out);
    assert_string_equal(out, "case3_dynamic_parallel");
    es_school_flat_run_name("  ", out, sizeof out);
    assert_string_equal(out, "run");
}

/* Lines of configs/school_reference/case2_torus.txt. */
enum { CASE2_N_FISH_LINE = 4, CASE2_TORUS_INIT_LINE = 14 };

/* case2_torus.txt → the typed values of the [school] schema. */
static void test_case2_translation(void **state)
{
    (void)state;
    assert_int_equal(es_school_flat_is_reference(ref("case2_torus.txt")), 1);
    es_warning_clear();
    char *ini = NULL;
    int *lines = NULL;
    size_t nl = 0;
    assert_int_equal(es_school_import_flat(ref("case2_torus.txt"), &ini, &lines, &nl), 0);
    assert_non_null(strstr(ini, "init = torus"));
    assert_non_null(strstr(ini, "init_rng = numpy"));
    assert_non_null(strstr(ini, "mode = dewi-kadita"));
    assert_int_equal(es_warning_count(), 1); /* the ignored visualisation keys, in one line */
    assert_non_null(strstr(es_warning_get(0), "animation_fps"));
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg = NULL;
    assert_int_equal(es_config_load_mapped(ini, "case2", lines, nl, schemas, NULL, 0, &cfg), 0);
    /* each key keeps the line of the flat file that gave it; generated ones have none */
    assert_int_equal(es_config_line(cfg, "school", "n_fish"), CASE2_N_FISH_LINE);
    assert_int_equal(es_config_line(cfg, "school", "init"), CASE2_TORUS_INIT_LINE);
    assert_int_equal(es_config_line(cfg, "school", "mode"), 0);
    assert_int_equal(es_config_int(cfg, "school", "n_fish"), 200);
    assert_float_equal(es_config_double(cfg, "school", "box_size"), 25.0, 0);
    assert_float_equal(es_config_double(cfg, "school", "orientation_weight"), 0.1, 0);
    assert_float_equal(es_config_double(cfg, "school", "blind_angle"), 150.0, 0);
    assert_float_equal(es_config_double(cfg, "school", "init_size"), 6.0, 0);
    assert_int_equal(es_config_int(cfg, "school", "n_steps"), 2000);
    assert_int_equal(es_config_int(cfg, "run", "seed"), 42);
    assert_string_equal(es_config_string(cfg, "run", "name"), "case2_torus");
    /* keys absent from the file keep the reference's defaults */
    assert_int_equal(es_config_int(cfg, "school", "save_interval"), 1);
    es_config_free(cfg);
    free(ini);
    free(lines);
}

/* Write `text` to a fresh flat file; the caller unlinks `path`. */
static void write_flat(char path[32], const char *text)
{
    snprintf(path, 32, "/tmp/esuite-flat-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Importing `text` fails with ES_ECONFIG, no text, and a message holding
 * "PATH" followed by `want` (":LINE: ..."). */
static void expect_flat_error(const char *text, const char *want)
{
    char path[32], needle[512];
    write_flat(path, text);
    char *ini = NULL;
    int *lines = NULL;
    size_t nl = 0;
    assert_int_equal(es_school_import_flat(path, &ini, &lines, &nl), ES_ECONFIG);
    assert_null(ini);
    assert_null(lines);
    snprintf(needle, sizeof needle, "%s%s", path, want);
    if (!strstr(es_error_message(), needle))
        fail_msg("'%s' lacks '%s'", es_error_message(), needle);
    unlink(path);
}

static void test_bad_flat(void **state)
{
    (void)state;
    expect_flat_error("# comment\nn_fish = 120\nbox_sise = 25\n", ":3: key 'box_sise'");
    expect_flat_error("n_fish = many\n", ":1: key 'n_fish': expected an integer");
    /* range checked with the flat file's line number */
    expect_flat_error("# N\n\nn_fish = 1\n", ":3: key 'n_fish': value 1 is out of range");
    char path[32];
    write_flat(path, "[run]\nmodel = school\n");
    assert_int_equal(es_school_flat_is_reference(path), 0);
    unlink(path);
}

/* A line that is neither `key = value`, a comment nor blank is an error at
 * its own line (the reference skips it: a typo would run the default). */
/* torus_radius = 0 (the reference's ring of radius 0: every fish at one
 * point) ran the init_size default, L/4, without a word: an error at the
 * flat file's line, in either order of the two keys. torus_radius = 0
 * without torus_init stays ignored (a warning). */
static void test_torus_radius_zero(void **state)
{
    (void)state;
    expect_flat_error("n_fish = 20\ntorus_init = true\ntorus_radius = 0\n",
                      ":3: key 'torus_radius': 0 puts every fish at the centre of the ring (the "
                      "reference's torus start with R = 0); give R > 0, or leave the key out for L/4");
    expect_flat_error("torus_radius = 0.0 # none\n\ntorus_init = true\n",
                      ":1: key 'torus_radius': 0.0 puts every fish at the centre of the ring");
    char path[32];
    write_flat(path, "torus_radius = 0\ntorus_init = false\n");
    char *ini = NULL;
    int *lines = NULL;
    size_t nl = 0;
    es_warning_clear();
    assert_int_equal(es_school_import_flat(path, &ini, &lines, &nl), ES_OK);
    assert_null(strstr(ini, "init_size"));
    assert_int_equal(es_warning_count(), 1);
    assert_non_null(strstr(es_warning_get(0), ":1: torus_radius ignored without torus_init = true"));
    es_warning_clear();
    free(ini);
    free(lines);
    unlink(path);
}

static void test_garbage_line(void **state)
{
    (void)state;
    expect_flat_error("# N\nn_fish = 120\n\nbox_size 25\nspeed = 1\n",
                      ":4: malformed line 'box_size 25' (expected 'key = value'");
    expect_flat_error("n_fish = 120\n= 3\n", ":2: malformed line '= 3'");
}

/* A key given twice names both lines, for mapped keys, the specially
 * translated ones and the ignored ones alike. */
static void test_duplicate_key(void **state)
{
    (void)state;
    expect_flat_error("n_fish = 120\n# again\nspeed = 1\nn_fish = 130\n",
                      ":4: key 'n_fish' is given twice (first at line 1)");
    expect_flat_error("torus_init = true\n\ntorus_init = false\n",
                      ":3: key 'torus_init' is given twice (first at line 1)");
    expect_flat_error("save_png = true\nn_fish = 12\nsave_png = false\n",
                      ":3: key 'save_png' is given twice (first at line 1)");
}

/* Errors found on the translated INI text name the flat file's line. */
static void test_mapped_lines(void **state)
{
    (void)state;
    char path[32], needle[64];
    write_flat(path, "# a comment\nn_fish = 12\nscenario_name = x\n\noutput_dir =\n");
    char *ini = NULL;
    int *lines = NULL;
    size_t nl = 0;
    assert_int_equal(es_school_import_flat(path, &ini, &lines, &nl), 0);
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg = NULL;
    assert_int_equal(es_config_load_mapped(ini, path, lines, nl, schemas, NULL, 0, &cfg),
                     ES_ECONFIG);
    assert_null(cfg);
    snprintf(needle, sizeof needle, "%s:5: key 'run.output_dir': expected a non-empty", path);
    if (!strstr(es_error_message(), needle))
        fail_msg("'%s' lacks '%s'", es_error_message(), needle);
    free(ini);
    free(lines);
    unlink(path);
}

/* Integral-valued reals are integers, as in INI configs ("n_fish = 150.0",
 * "n_steps = 1e3" from scripts that print floats); a fraction is refused
 * with the INI message, range included. */
static void test_integral_reals(void **state)
{
    (void)state;
    char path[32];
    write_flat(path, "n_fish = 150.0\nn_steps = 1e3\nseed = 42.0\n");
    char *ini = NULL;
    int *lines = NULL;
    size_t nl = 0;
    assert_int_equal(es_school_import_flat(path, &ini, &lines, &nl), 0);
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg = NULL;
    assert_int_equal(es_config_load_mapped(ini, path, lines, nl, schemas, NULL, 0, &cfg), 0);
    assert_int_equal(es_config_int(cfg, "school", "n_fish"), 150);
    assert_int_equal(es_config_int(cfg, "school", "n_steps"), 1000);
    assert_int_equal(es_config_int(cfg, "run", "seed"), 42);
    es_config_free(cfg);
    free(ini);
    free(lines);
    unlink(path);
    expect_flat_error("n_fish = 150.5\n", ":1: key 'n_fish': expected an integer, got '150.5' "
                                          "(allowed range 2 .. 100000000)");
    expect_flat_error("speed = nan\n", ":1: key 'speed': expected a number, got 'nan'");
    expect_flat_error("n_fish = 1e9\n", ":1: key 'n_fish': value 1e9 is out of range "
                                        "(allowed range 2 .. 100000000)");
    /* 64-bit seeds print exactly (they printed as 9.223372037e+18) */
    expect_flat_error("seed = -3\n", ":1: key 'seed': value -3 is out of range "
                                     "(allowed range 0 .. 9223372036854775807)");
    expect_flat_error("seed = 1.5\n", ":1: key 'seed': expected an integer, got '1.5' "
                                      "(allowed range 0 .. 9223372036854775807)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_name),
        cmocka_unit_test(test_case2_translation),
        cmocka_unit_test(test_bad_flat),
        cmocka_unit_test(test_garbage_line),
        cmocka_unit_test(test_torus_radius_zero),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_mapped_lines),
        cmocka_unit_test(test_integral_reals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
