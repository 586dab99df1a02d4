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

/* case2_torus.txt → the typed values of the [school] schema. */
static void test_case2_translation(void **state)
{
    (void)state;
    assert_int_equal(es_school_flat_is_reference(ref("case2_torus.txt")), 1);
    es_warning_clear();
    char *ini = NULL;
    assert_int_equal(es_school_import_flat(ref("case2_torus.txt"), &ini), 0);
    assert_non_null(strstr(ini, "init = torus"));
    assert_non_null(strstr(ini, "init_rng = numpy"));
    assert_non_null(strstr(ini, "mode = dewi-kadita"));
    assert_int_equal(es_warning_count(), 1); /* the ignored visualisation keys, in one line */
    assert_non_null(strstr(es_warning_get(0), "animation_fps"));
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg = NULL;
    assert_int_equal(es_config_load_string(ini, "case2", schemas, NULL, 0, &cfg), 0);
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
}

static void test_bad_flat(void **state)
{
    (void)state;
    char path[] = "/tmp/esuite-flat-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("# comment\nn_fish = 120\nbox_sise = 25\n", fp);
    fclose(fp);
    char *ini = NULL;
    assert_int_equal(es_school_import_flat(path, &ini), ES_ECONFIG);
    assert_null(ini);
    assert_non_null(strstr(es_error_message(), ":3: key 'box_sise'"));
    fp = fopen(path, "w");
    fputs("n_fish = many\n", fp);
    fclose(fp);
    assert_int_equal(es_school_import_flat(path, &ini), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), ":1: key 'n_fish': expected an integer"));
    fp = fopen(path, "w");
    fputs("# N\n\nn_fish = 1\n", fp); /* range checked with the flat file's line number */
    fclose(fp);
    assert_int_equal(es_school_import_flat(path, &ini), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), ":3: key 'n_fish': value 1 is out of range"));
    fp = fopen(path, "w");
    fputs("[run]\nmodel = school\n", fp);
    fclose(fp);
    assert_int_equal(es_school_flat_is_reference(path), 0);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_name),
        cmocka_unit_test(test_case2_translation),
        cmocka_unit_test(test_bad_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
