/* The school model's config checks and the resolved-config round trip:
 * every bad key gives one message naming file, line and key (the line
 * asserted), and what a resolved config (sweep task, resume) runs is what
 * the original config asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_window_key),
                                       cmocka_unit_test(test_mode_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
