/* tests/unit/school_test_run.h — run a school config through the model's run
 * entry (the path `esuite run` takes) into a directory, read summary.json back,
 * and clean up. Include after <cmocka.h> and <jansson.h>. */
#ifndef ESUITE_SCHOOL_TEST_RUN_H
#define ESUITE_SCHOOL_TEST_RUN_H

#include <stdio.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"

extern const es_model es_model_school;

/* Runs `cfg` (freed here) into `dir` on `threads` threads; fails the test with
 * the run's message on error; returns the parsed summary.json. */
static json_t *school_test_run(es_config *cfg, const char *dir, int threads,
                               unsigned long long seed)
{
    es_run_ctx ctx = {.cfg = cfg, .output_dir = dir, .threads = threads, .seed = seed,
                      .quiet = true};
    int rc = es_model_school.run(&ctx);
    if (rc)
        fail_msg("run: %s", es_error_message());
    es_config_free(cfg);
    char path[4200];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    json_error_t err;
    json_t *sum = json_load_file(path, 0, &err);
    assert_non_null(sum);
    return sum;
}

/* Removes the files a school run writes and the directory; returns rmdir's status. */
static int school_test_remove_run(const char *dir)
{
    const char *files[] = {"summary.json", "school.nc", "hysteresis.png"};
    char path[4200];
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        remove(path);
    }
    return rmdir(dir);
}

#endif
