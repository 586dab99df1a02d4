/* esuite collect SWEEPDIR [--output table.nc] [--csv table.csv] [--strict] */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/collect.h"
#include "core/commands.h"
#include "core/output.h"
#include "esuite/status.h"

static void collect_usage(FILE *out)
{
    fprintf(out,
            "usage: esuite collect SWEEPDIR [--output table.nc] [--csv table.csv] [--strict] [--quiet]\n\n"
            "Gather every task's summary.json into one NetCDF table whose dimensions are the swept\n"
            "keys (cartesian: one per key, plus replica; zip: point, plus replica) and a CSV with\n"
            "one row per task. Pending, failed or corrupt tasks are NaN (_FillValue) in the table,\n"
            "listed on stderr and in the global attributes missing_tasks, failed_tasks and\n"
            "corrupt_tasks (complete_tasks: the count of complete ones).\n\n"
            "  --output F  NetCDF file (default SWEEPDIR/table.nc)\n"
            "  --csv F     CSV file (default SWEEPDIR/table.csv)\n"
            "  --strict    every task must be complete: otherwise write nothing (an existing table\n"
            "              is left as it was), name the incomplete tasks and exit with status 1\n"
            "  --quiet     no per-task lines on stderr (the summary line stays)\n");
}

/* Whether two output paths name one file: the same existing file (also
 * through a link or another spelling), or, for a file not there yet, the
 * same name in the same directory ("t.nc" and "./t.nc"). Both are written
 * under the same staging name, and the CSV replaced the NetCDF table. */
static int same_file(const char *a, const char *b)
{
    if (!strcmp(a, b))
        return 1;
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea || eb)
        return ea && eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char da[4400], db[4400], ra[PATH_MAX], rb[PATH_MAX];
    const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
    snprintf(da, sizeof da, "%.*s", na ? (int)(na - a) + (na == a) : 1, na ? a : ".");
    snprintf(db, sizeof db, "%.*s", nb ? (int)(nb - b) + (nb == b) : 1, nb ? b : ".");
    na = na ? na + 1 : a;
    nb = nb ? nb + 1 : b;
    return !strcmp(na, nb) && realpath(da, ra) && realpath(db, rb) && !strcmp(ra, rb);
}

/* Whether output f would replace a file of the sweep itself: its manifest,
 * job scripts or lock, or anything under tasks/ or logs/. '--output
 * S/manifest.json' wrote the table over the manifest, and S was no sweep
 * directory any more. Returns what it would replace, or NULL. */
static const char *sweep_own_file(const char *dir, const char *f)
{
    static const char *const files[] = {"manifest.json", "job.sbatch", "job.pbs", ".lock"};
    char own[4400];
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        snprintf(own, sizeof own, "%s/%s", dir, files[k]);
        if (same_file(f, own))
            return files[k];
    }
    char parent[4400], real_parent[PATH_MAX], real_sub[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", f);
    char *slash = strrchr(parent, '/');
    if (slash)
        *(slash == parent ? slash + 1 : slash) = '\0';
    if (!realpath(slash ? parent : ".", real_parent))
        return NULL; /* a missing directory: the write check says so */
    static const char *const subdirs[] = {"tasks", "logs"};
    for (size_t k = 0; k < sizeof subdirs / sizeof subdirs[0]; k++) {
        snprintf(own, sizeof own, "%s/%s", dir, subdirs[k]);
        size_t n;
        if (realpath(own, real_sub) && !strncmp(real_parent, real_sub, n = strlen(real_sub)) &&
            (real_parent[n] == '\0' || real_parent[n] == '/'))
            return subdirs[k];
    }
    return NULL;
}

/* Why task i is not complete, in a few words ("no summary.json", "failed
 * with exit code 2 (log DIR/logs/x.err)", ...); exit code -1 with its reason
 * in the words of 'esuite sweep DIR --status': "failed with exit code -1
 * (exit status 0 but no summary.json) (log ...)". */
static void incomplete_reason(const es_collect_table *t, size_t i, char *buf, size_t len)
{
    const es_task_status *s = &t->status[i];
    char td[64], path[4500];
    es_sweep_task_dir(i, td, sizeof td);
    switch (s->state) {
    case ES_TASK_FAILED:
        snprintf(buf, len, "failed with exit code %d%s%s%s (log %s/%s)", s->exit_code,
                 *s->reason ? " (" : "", s->reason, *s->reason ? ")" : "", t->dir, s->log);
        return;
    case ES_TASK_CORRUPT:
        snprintf(buf, len, "%s", *s->reason ? s->reason : "outputs changed since completion (checksum mismatch)");
        return;
    default:
        snprintf(path, sizeof path, "%s/%s/out/summary.json", t->dir, td);
        snprintf(buf, len, "%s%s", access(path, F_OK) == 0
                                       ? "summary.json but not finished (no out/.complete: still running?)"
                                       : "no summary.json",
                 s->has_checkpoint ? " (a checkpoint exists)" : "");
    }
}

/* --strict with tasks that are not complete: one message naming how many
 * and the first few, before anything is written. */
static void strict_refusal(const es_collect_table *t)
{
    const es_sweep *sw = t->sw;
    size_t incomplete = sw->ntasks - t->ncomplete, shown = 0, max_shown = 5;
    char list[4096] = "";
    size_t len = 0;
    for (size_t i = 0; i < sw->ntasks && shown < max_shown && len < sizeof list; i++) {
        if (t->status[i].state == ES_TASK_COMPLETE)
            continue;
        char td[64], why[1600];
        es_sweep_task_dir(i, td, sizeof td);
        incomplete_reason(t, i, why, sizeof why);
        len += (size_t)snprintf(list + len, sizeof list - len, "%stask %zu (%s/%s): %s",
                                shown ? "; " : "", i, t->dir, td, why);
        shown++;
    }
    if (incomplete > shown && len < sizeof list)
        snprintf(list + len, sizeof list - len, "; and %zu more", incomplete - shown);
    es_cli_error("collect: --strict: %zu of %zu tasks are not complete (%zu failed, %zu pending, %zu "
                 "corrupt), nothing written: %s",
                 incomplete, sw->ntasks, t->nfailed, t->npending, t->ncorrupt, list);
}

int es_cmd_collect(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"csv", required_argument, NULL, 'c'},
                                         {"strict", no_argument, NULL, 's'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *nc = NULL, *csv = NULL;
    int strict = 0, quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:c:sqh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': nc = optarg; break;
        case 'c': csv = optarg; break;
        case 's': strict = 1; break;
        case 'q': quiet = 1; break;
        case 'h': collect_usage(stdout); return 0;
        case ':': es_cli_error("collect: option %s needs a value", argv[optind - 1]); return 2;
        default: es_cli_error("collect: unknown option '%s' (see 'esuite collect --help')", argv[optind - 1]); return 2;
        }
    }
    if (optind >= argc) {
        es_cli_error("collect: missing SWEEPDIR (see 'esuite collect --help')");
        return 2;
    }
    if (optind != argc - 1) { /* name it, as run and info do: "expected one SWEEPDIR" left it to guess */
        es_cli_error("collect: expected one SWEEPDIR, got an extra argument '%s' (see 'esuite collect --help')",
                     argv[optind + 1]);
        return 2;
    }
    if (!es_cli_name_given("collect", "SWEEPDIR", argv[optind], 1) ||
        (nc && !es_cli_name_given("collect", "--output", nc, 0)) ||
        (csv && !es_cli_name_given("collect", "--csv", csv, 0)))
        return 2;
    char dir[PATH_MAX]; /* less trailing slashes: "LR/" named LR//tasks/0005 and LR//table.nc */
    snprintf(dir, sizeof dir, "%s", argv[optind]);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/';)
        dir[--n] = '\0';
    char ncpath[4400], csvpath[4400];
    snprintf(ncpath, sizeof ncpath, "%s", nc ? nc : "");
    snprintf(csvpath, sizeof csvpath, "%s", csv ? csv : "");
    if (!nc)
        snprintf(ncpath, sizeof ncpath, "%s/table.nc", dir);
    if (!csv)
        snprintf(csvpath, sizeof csvpath, "%s/table.csv", dir);
    if (same_file(ncpath, csvpath)) { /* the CSV would replace the NetCDF file */
        if (nc && csv)
            es_cli_error("collect: --output and --csv name the same file '%s'", nc);
        else
            es_cli_error("collect: %s '%s' names the file the %s table goes to (%s, the default of %s): "
                         "the CSV would replace the NetCDF table; give %s too", nc ? "--output" : "--csv",
                         nc ? nc : csv, nc ? "CSV" : "NetCDF", nc ? csvpath : ncpath,
                         nc ? "--csv" : "--output", nc ? "--csv" : "--output");
        return 2;
    }
    for (int k = 0; k < 2; k++) { /* before anything is read: the sweep itself must stay intact */
        const char *f = k ? csvpath : ncpath, *own = sweep_own_file(dir, f);
        int in_dir = own && (!strcmp(own, "tasks") || !strcmp(own, "logs"));
        if (own) {
            es_cli_error("collect: %s '%s' %s the sweep's own %s%s: nothing written", k ? "--csv" : "--output",
                         f, in_dir ? "lies in" : "would replace", own, in_dir ? "/ directory" : "");
            return 2;
        }
    }
    es_collect_table *t;
    int st = es_collect_load(dir, &t);
    if (st) {
        es_cli_error("%s", es_error_message());
        return es_cli_exit_status(st);
    }
    if (strict && t->ncomplete < t->sw->ntasks) { /* no table at all, not a partial one */
        strict_refusal(t);
        es_collect_free(t);
        return 1;
    }
    const es_sweep *sw = t->sw;
    for (size_t i = 0; i < sw->ntasks && !quiet; i++) {
        const es_task_status *s = &t->status[i];
        if (s->state == ES_TASK_COMPLETE)
            continue;
        char label[1100];
        es_sweep_task_describe(sw, i, label, sizeof label);
        if (s->state == ES_TASK_FAILED) { /* as --strict says it: the reason of exit code -1 too */
            char why[1600];
            incomplete_reason(t, i, why, sizeof why);
            fprintf(stderr, "esuite: collect: task %04zu (%s) %s\n", i, label, why);
        } else if (s->state == ES_TASK_CORRUPT) {
            char why[1600];
            incomplete_reason(t, i, why, sizeof why);
            fprintf(stderr, "esuite: collect: task %04zu (%s): %s; left out\n", i, label, why);
        }
        else
            fprintf(stderr, "esuite: collect: task %04zu (%s) has no result yet%s\n", i, label,
                    s->has_checkpoint ? " (a checkpoint exists)" : "");
    }
    for (int k = 0; k < 2 && !st; k++) { /* name the file the user gave, not a temporary one */
        const char *f = k ? csvpath : ncpath;
        char parent[4400];
        snprintf(parent, sizeof parent, "%s", f);
        char *slash = strrchr(parent, '/');
        if (slash)
            *(slash == parent ? slash + 1 : slash) = '\0';
        struct stat sb;
        if (access(slash ? parent : ".", W_OK) != 0)
            st = es_error_set(ES_EIO, "%s: cannot write: %s", f, strerror(errno));
        /* found only when the second rename failed (the first table put back since) */
        else if (stat(f, &sb) == 0 && !S_ISREG(sb.st_mode))
            st = es_error_set(ES_EIO, "collect: %s%s '%s' is %s: nothing written", k ? "--csv" : "--output",
                              (k ? csv : nc) ? "" : " (default)", f,
                              S_ISDIR(sb.st_mode) ? "a directory, not a file" : "not a regular file");
    }
    /* Both files are written under hidden staging names (as run outputs are)
     * and committed (flushed, renamed, directory flushed) only when both are
     * complete: a CSV that could not be written left a new table.nc. */
    char ncstage[4500], csvstage[4500];
    es_output_tmp_path(ncpath, ncstage, sizeof ncstage);
    es_output_tmp_path(csvpath, csvstage, sizeof csvstage);
    if (!st && !(st = es_collect_write_nc(t, ncstage, ncpath)))
        st = es_collect_write_csv(t, csvstage, csvpath);
    if (!st)
        st = es_collect_commit(ncstage, ncpath, csvstage, csvpath);
    unlink(ncstage);
    unlink(csvstage);
    if (st) { /* an output that cannot be written: status 2, as 'esuite --help' says */
        es_cli_error("%s", es_error_message());
        es_collect_free(t);
        return es_cli_exit_status(st);
    }
    fprintf(stderr, "esuite: collect: %zu of %zu tasks complete (%zu failed, %zu pending, %zu corrupt), "
                    "%zu fields → %s, %s\n", t->ncomplete, sw->ntasks, t->nfailed, t->npending, t->ncorrupt,
            t->nfields, ncpath, csvpath);
    es_collect_free(t);
    return 0;
}
