/* The school model's config checks and the resolved-config round trip:
 * every bad key gives one message naming file, line and key (the line
 * asserted), and what a resolved config (sweep task, resume) runs is what
 * the original config asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"

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

/* couzin2002-only keys are errors in dewi-kadita mode unless at their default. */
static void test_mode_keys(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = school\n[school]\nn_fish = 10\nzone_weighting = normalised\n",
                 "test:5: key 'school.zone_weighting': zone_weighting = normalised: couzin2002 only, "
                 "not used by mode = dewi-kadita");
    expect_error("[run]\nmodel = school\n[school]\nmode = dewi-kadita\ninclude_self = true\n",
                 "test:5: key 'school.include_self': include_self = true: couzin2002 only");
    /* at the default (as in a resolved config) and in couzin2002 mode: accepted, so the
     * run gets as far as the output directory */
    expect_error("[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 1\n"
                 "zone_weighting = counts\ninclude_self = false\n", "/nonexistent-esuite");
    expect_error("[run]\nmodel = school\n[school]\nmode = couzin2002\nn_fish = 10\nn_steps = 1\n"
                 "zone_weighting = normalised\ninclude_self = true\n", "/nonexistent-esuite");
}

/* Run `text` after a round trip through its resolved INI (what sweep tasks
 * and resume run) into a fresh directory; the deflate level of school.nc's
 * positions (0: none). */
static int resolved_run_deflate(const char *text, const char *removed[])
{
    es_config *cfg = load(text);
    char *ini = es_config_to_ini(cfg);
    es_config_free(cfg);
    cfg = load(ini);
    free(ini);
    char dir[64] = "/tmp/esuite-schcfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    es_run_ctx ctx = {.cfg = cfg, .output_dir = dir, .threads = 1, .seed = 1, .quiet = true};
    int rc = es_model_school.run(&ctx);
    if (rc)
        fail_msg("run: %s", es_error_message());
    es_config_free(cfg);
    char path[128];
    snprintf(path, sizeof path, "%s/school.nc", dir);
    int ncid, var, shuffle = 0, deflate = 0, level = 0;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "positions", &var), NC_NOERR);
    assert_int_equal(nc_inq_var_deflate(ncid, var, &shuffle, &deflate, &level), NC_NOERR);
    nc_close(ncid);
    for (size_t k = 0; removed[k]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, removed[k]);
        remove(path);
    }
    assert_int_equal(rmdir(dir), 0);
    return deflate ? level : 0;
}

#define PLAIN "[run]\nmodel = school\n[school]\nn_fish = 10\nn_steps = 4\nentropy = false\n"

/* Compression not asked for stays off through a resolved config (which lists
 * every key); an explicit level, 4 (the old default) included, stays that level. */
static void test_resolved_compression(void **state)
{
    (void)state;
    const char *plain_files[] = {"summary.json", "school.nc", NULL};
    assert_int_equal(resolved_run_deflate(PLAIN, plain_files), 0);
    assert_int_equal(resolved_run_deflate(PLAIN "[output]\ncompression = 4\n", plain_files), 4);
    assert_int_equal(resolved_run_deflate(PLAIN "[output]\ncompression = 1\n", plain_files), 1);
    assert_int_equal(resolved_run_deflate(PLAIN "[output]\ncompression = 0\n", plain_files), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_window_key),
                                       cmocka_unit_test(test_mode_keys),
                                       cmocka_unit_test(test_resolved_compression)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
