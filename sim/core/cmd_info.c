/* esuite info — version, build, models; --config-doc prints the key reference;
 * esuite info FILE prints the provenance an output carries (info_file.c). */
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <jansson.h>
#include <netcdf.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/commands.h"
#include "core/config.h"
#include "core/info_file.h"
#include "core/model.h"
#include "esuite_version.h"

/* Every schema compiled in: core first, then models in documentation order. */
static size_t all_schemas(const es_key_spec **out, size_t max)
{
    size_t n = 0;
    out[n++] = es_config_core_schema();
    for (size_t i = 0; es_model_names[i] && n < max - 1; i++) {
        const es_model *m = es_model_find(es_model_names[i]);
        if (m && m->schema)
            out[n++] = m->schema;
    }
    out[n] = NULL;
    return n;
}

static int print_config_doc(void)
{
    const es_key_spec *schemas[16];
    all_schemas(schemas, 16);
    char *md = es_config_schema_markdown((const es_key_spec *const *)schemas);
    if (!md) {
        es_cli_error("info: out of memory");
        return 1;
    }
    fputs(md, stdout);
    free(md);
    return 0;
}

#define INFO_USAGE "usage: esuite info [--config-doc | FILE]"

int es_cmd_info(int argc, char **argv)
{
    const char *file = NULL, *extra = NULL;
    int config_doc = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            printf(INFO_USAGE "\n\n"
                   "Print version, git revision, build type, flags and options, compiler, library\n"
                   "versions, OpenMP threads and the models compiled in. --config-doc prints the\n"
                   "Markdown reference of every config key (the generated part of docs/config.md).\n"
                   "FILE (gas.h5, orbits.h5, school.nc, summary.json, an ordinal or collect output):\n"
                   "the provenance it records (esuite version, git revision, model, seed, threads,\n"
                   "host, times, command line) and, last, the config it was run with. A collect\n"
                   "table.csv: its '#' provenance lines (named as in table.nc), column and row counts.\n");
            return 0;
        }
        if (!strcmp(argv[i], "--config-doc"))
            config_doc = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            es_cli_error("info: unknown option '%s' (see 'esuite info --help')", argv[i]);
            return 2;
        } else if (!file)
            file = argv[i];
        else if (!extra)
            extra = argv[i];
    }
    /* usage errors, exit status 2 as for every command's */
    if (config_doc && file) {
        es_cli_error("info: --config-doc takes no FILE, got '%s' (" INFO_USAGE ")", file);
        return 2;
    }
    if (extra) {
        es_cli_error("info: expected one FILE, got an extra argument '%s' (" INFO_USAGE ")", extra);
        return 2;
    }
    if (config_doc)
        return print_config_doc();
    if (file)
        return es_info_print_file(file);
    unsigned h5maj, h5min, h5rel;
    H5get_libversion(&h5maj, &h5min, &h5rel);
    printf("esuite %s (git %s)\n", ESUITE_VERSION, ESUITE_GIT_REVISION);
    printf("build: %s (%s), %s\n", ESUITE_BUILD_TYPE, ESUITE_BUILD_FLAGS, ESUITE_BUILD_OPTIONS);
    printf("compiler: %s, C standard %ld\n", __VERSION__, (long)__STDC_VERSION__);
    printf("libraries: GSL %s, HDF5 %u.%u.%u, NetCDF %.20s, jansson %s\n", GSL_VERSION, h5maj,
           h5min, h5rel, nc_inq_libvers(), JANSSON_VERSION);
    printf("OpenMP: %d threads available\n", omp_get_max_threads());
    printf("models:");
    for (size_t i = 0; es_model_names[i]; i++)
        printf(" %s%s", es_model_names[i], es_model_find(es_model_names[i]) ? "" : " (not built)");
    printf("\nbench areas:");
    const char *areas[] = {"ordinal", "gas", "school", "orbits"};
    for (size_t i = 0; i < 4; i++)
        if (es_bench_find(areas[i]))
            printf(" %s", areas[i]);
    printf("\n");
    return 0;
}
