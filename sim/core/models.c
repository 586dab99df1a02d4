/* The registry of models and benchmark areas.
 *
 * Each simulator defines `const es_model es_model_<name>` and
 * `const es_bench_area es_bench_<name>` in its own folder. The references
 * here are weak so that the tree builds while a simulator is absent; the
 * objects are always linked (esuite-core is an OBJECT library). */
#include "core/model.h"

#include <stddef.h>
#include <string.h>

extern const es_model es_model_gas __attribute__((weak));
extern const es_model es_model_school __attribute__((weak));
extern const es_model es_model_orbits __attribute__((weak));

extern const es_bench_area es_bench_ordinal __attribute__((weak));
extern const es_bench_area es_bench_gas __attribute__((weak));
extern const es_bench_area es_bench_school __attribute__((weak));
extern const es_bench_area es_bench_orbits __attribute__((weak));

/* Names accepted by `[run] model`, in documentation order. */
const char *const es_model_names[] = {"gas", "school", "orbits", NULL};

const es_model *es_model_find(const char *name)
{
    const es_model *all[] = {&es_model_gas, &es_model_school, &es_model_orbits};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i] && all[i]->name && strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

const es_bench_area *es_bench_find(const char *area)
{
    const es_bench_area *all[] = {&es_bench_ordinal, &es_bench_gas, &es_bench_school,
                                  &es_bench_orbits};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i] && all[i]->area && strcmp(all[i]->area, area) == 0)
            return all[i];
    return NULL;
}
