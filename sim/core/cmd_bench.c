/* esuite bench AREA [--json] [--quick] — performance figures: one line per record, or JSON.
 *
 * Each area appends one object per measured case; docs/performance.md keeps
 * the table. Outside checks read the JSON keys, so keep them stable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/commands.h"
#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"
#include "esuite_version.h"
#include "esuite/ordinal.h"
#include "esuite/status.h"

/* The whole `esuite ordinal --json FILE` process on a 10^5-line text file:
 * start-up, reading and parsing the text, counting, JSON. The target
 * compares it with the reference package's computation alone (0.21 s). */
static int bench_ordinal_process(json_t *cases, bool quick)
{
    const size_t n = 100000;
    char path[] = "/tmp/esuite-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return es_error_set(ES_EIO, "cannot create a temporary file");
    double *x = malloc(n * sizeof *x);
    es_gen_colored_noise(x, n, 0.0, 12345);
    FILE *fp = fdopen(fd, "w");
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.17g\n", x[i]);
    fclose(fp);
    free(x);
    int reps = quick ? 5 : 30;
    double best = 1e30, total = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = es_wall_seconds();
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, STDOUT_FILENO);
            execl(es_cli_self_path(), "esuite", "ordinal", "--json", path, (char *)NULL);
            _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        double dt = es_wall_seconds() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            unlink(path);
            return es_error_set(ES_EIO, "esuite ordinal --json %s failed", path);
        }
        total += dt;
        if (dt < best)
            best = dt;
    }
    unlink(path);
    json_t *c = json_object();
    json_object_set_new(c, "area", json_string("ordinal"));
    json_object_set_new(c, "case", json_string("process_text_file"));
    json_object_set_new(c, "order", json_integer(5));
    json_object_set_new(c, "delay", json_integer(1));
    json_object_set_new(c, "samples", json_integer((json_int_t)n));
    json_object_set_new(c, "seconds", es_json_real(best));
    json_object_set_new(c, "mean_seconds", es_json_real(total / reps));
    json_object_set_new(c, "samples_per_second", es_json_real((double)n / best));
    json_object_set_new(c, "speedup_vs_reference_0.21s", es_json_real(0.21 / best));
    json_array_append_new(cases, c);
    return ES_OK;
}

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
    es_provenance prov;
    es_provenance_init(&prov, NULL, "bench");
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
        if (!st && !strcmp(areas[i], "ordinal"))
            st = bench_ordinal_process(cases, quick);
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
        es_provenance_add_to_records(cases, &prov);
        char *txt = json_dumps(cases, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        puts(txt);
        free(txt);
    } else {
        print_text(cases);
    }
    json_decref(cases);
    return 0;
}
