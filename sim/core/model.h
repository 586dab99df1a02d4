/* core/model.h — simulators registered with `esuite run` and `esuite bench`. */
#ifndef ESUITE_MODEL_H
#define ESUITE_MODEL_H

#include <stdbool.h>
#include <stdio.h>
#include "core/config.h"

/* Everything a model's run function needs beyond its config. */
typedef struct {
    es_config *cfg;           /* read-only but for es_config_set_derived() */
    const char *output_dir;   /* resolved run directory (exists) */
    int threads;              /* OpenMP threads in use */
    unsigned long long seed;
    bool quiet;               /* no progress output */
    bool bench_json;          /* used by bench functions */
} es_run_ctx;

typedef struct {
    const char *name;                       /* value of [run] model */
    const char *summary;                    /* one line for --help */
    const es_key_spec *schema;              /* keys of its section(s) */
    int (*run)(const es_run_ctx *ctx);      /* returns ES_OK or a status */
    /* Files it may write in the run directory besides summary.json
     * (NULL-terminated): an overwritten run removes them first, so that a
     * new run that fails leaves none of the old results behind. */
    const char *const *outputs;
    /* Optional (NULL: none): the model's checks of a loaded config that need
     * no input file and no computation (keys that must agree, ranges that
     * depend on other keys), with messages naming file, line and key.
     * `esuite run` calls it before it touches the output directory, and
     * `esuite sweep` for every task at plan time. */
    int (*check)(const es_config *cfg);
    /* Optional: what a run of this checked config will be (sizes, scales, the
     * work and memory it implies), printed by `esuite run --check`. */
    int (*describe)(const es_config *cfg, FILE *out);
} es_model;

/* Models are looked up by name (core/models.c); NULL if not compiled in.
 * Each simulator defines `const es_model es_model_<name>` in its folder. */
extern const char *const es_model_names[]; /* NULL-terminated: gas, school, orbits */
const es_model *es_model_find(const char *name);

/* Benchmarks: `esuite bench AREA [--json]`. Each area appends one JSON object
 * per measured case to `cases` (a jansson array). */
#include <jansson.h>
typedef struct {
    const char *area;
    int (*run)(json_t *cases, bool quick);
} es_bench_area;
/* Each area defines `const es_bench_area es_bench_<area>` (ordinal, gas,
 * school, orbits); NULL if not compiled in. */
const es_bench_area *es_bench_find(const char *area);

#endif
