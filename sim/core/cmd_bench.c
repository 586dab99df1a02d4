/* esuite bench AREA [--json] [--quick] — performance figures as JSON.
 *
 * Each area appends one object per measured case; docs/performance.md keeps
 * the table. Outside checks read the JSON keys, so keep them stable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/commands.h"
#include "core/model.h"
#include "esuite/status.h"

static const char *const areas[] = {"ordinal", "gas", "school", "orbits"};

static void bench_usage(FILE *out)
{
    fprintf(out, "usage: esuite bench AREA [--json] [--quick]\n\n"
                 "AREA: ordinal, gas, school, orbits, or all. Prints one record per measured case;\n"
                 "--json prints a JSON array of objects (keys documented in docs/performance.md).\n"
                 "--quick measures the small cases only (for smoke checks).\n");
}

static void print_text(json_t *cases)
{
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *k;
        json_t *v;
        json_object_foreach(c, k, v) {
            if (json_is_string(v)) printf("%s=%s ", k, json_string_value(v));
            else if (json_is_integer(v)) printf("%s=%lld ", k, (long long)json_integer_value(v));
            else if (json_is_real(v)) printf("%s=%.4g ", k, json_real_value(v));
        }
        printf("\n");
    }
}

int es_cmd_bench(int argc, char **argv)
{
    int json = 0, quick = 0;
    const char *area = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--help")) { bench_usage(stdout); return 0; }
        else if (argv[i][0] == '-') { es_cli_error("bench: unknown option '%s'", argv[i]); return 2; }
        else if (area) { es_cli_error("bench: only one AREA, got '%s' and '%s'", area, argv[i]); return 2; }
        else area = argv[i];
    }
    if (!area) {
        es_cli_error("bench: missing AREA (ordinal, gas, school, orbits or all)");
        return 2;
    }
    json_t *cases = json_array();
    int st = ES_OK, found = 0;
    for (size_t i = 0; i < sizeof areas / sizeof areas[0] && !st; i++) {
        if (strcmp(area, "all") && strcmp(area, areas[i]))
            continue;
        const es_bench_area *b = es_bench_find(areas[i]);
        if (!b) {
            if (strcmp(area, "all")) {
                es_cli_error("bench: area '%s' is not available in this build", area);
                json_decref(cases);
                return 2;
            }
            continue;
        }
        found = 1;
        st = b->run(cases, quick);
    }
    if (!found && !st) {
        es_cli_error("bench: unknown area '%s' (ordinal, gas, school, orbits or all)", area);
        json_decref(cases);
        return 2;
    }
    if (st) {
        es_cli_error("bench %s: %s", area, es_error_message());
        json_decref(cases);
        return 1;
    }
    if (json) {
        char *txt = json_dumps(cases, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        puts(txt);
        free(txt);
    } else {
        print_text(cases);
    }
    json_decref(cases);
    return 0;
}
