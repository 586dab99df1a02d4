/* esuite run CONFIG [--set section.key=value]... [--output DIR] [--threads N] [--quiet] [--check]
 *
 * config → model lookup → strict load against core + model schema →
 * output directory → model run. */
#include <errno.h>
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/model.h"
#include "core/output.h"
#include "esuite/status.h"

/* The school simulator recognises the reference library's flat
 * "key = value" files and translates them to INI text (sim/school). */
extern int es_school_import_flat(const char *path, char **ini_text, int **line_map,
                                 size_t *n_lines) __attribute__((weak));

#define MAX_OVERRIDES 256

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: esuite run CONFIG [--set section.key=value]... [--output DIR] [--threads N] [--quiet]\n"
            "       esuite run CONFIG [--set section.key=value]... --check\n"
            "       esuite run --resume DIR [--threads N] [--quiet]\n\n"
            "Run the simulator named by [run] model (gas, school or orbits) in CONFIG.\n\n"
            "  --set S.K=V   override one config key (repeatable; recorded in the output)\n"
            "  --output DIR  run directory (default: [run] output_dir / [run] name)\n"
            "  --threads N   OpenMP threads (same as --set run.threads=N; results do not depend on it)\n"
            "  --quiet       no progress bar or log lines\n"
            "  --check       check CONFIG (and the --set overrides) as a run would, then exit: 0 if it\n"
            "                is valid; writes nothing (input files and packings show only in a run);\n"
            "                also says what the run will be (gas: kinetic scales, collisions, memory;\n"
            "                school: steps, frames, trajectory size), as a run's log starts\n"
            "  --resume DIR  continue the interrupted run in DIR from DIR/checkpoint.esck; the output is\n"
            "                bit-identical to an uninterrupted run (any thread count); a stop_after_*\n"
            "                test knob is set to 0, so the output's recorded config reproduces it\n\n"
            "Checkpoints are written every [output] checkpoint_interval seconds and on SIGTERM, SIGINT\n"
            "and SIGUSR1 (what SLURM sends before a time limit); the run then exits with status 3.\n\n"
            "Keys and their ranges: docs/config.md or 'esuite info --config-doc'.\n");
}

/* A file without any [section] header is a candidate flat reference config. */
static int is_flat_config(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[4096];
    int has_section = 0, has_kv = 0, lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        const char *p = es_config_skip_bom(line, ++lineno);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[')
            has_section = 1;
        else if (*p != '#' && *p != ';' && strchr(p, '='))
            has_kv = 1;
    }
    fclose(fp);
    return has_kv && !has_section;
}

/* The model named by the last --set run.model=... into `name` (left as it
 * is when none), read as the config applies it: '--set "run.model = gas"'
 * must pick the gas schema, not the file's model. */
static int override_model(char *const *ov, int n, char *name, size_t len)
{
    for (int i = 0; i < n; i++) {
        char *o = es_config_normalise_override(ov[i]);
        if (!o)
            return es_error_set(ES_ENOMEM, "--set %s: out of memory", ov[i]);
        if (!strncmp(o, "run.model=", 10))
            snprintf(name, len, "%s", o + 10);
        free(o);
    }
    return ES_OK;
}

static int load_config(const char *path, char **overrides, int nov, es_config **cfg,
                       const es_model **model)
{
    const es_key_spec *core_only[] = {es_config_core_schema(), NULL};
    char *flat_ini = NULL;
    int *flat_lines = NULL;
    size_t n_flat = 0;
    int st;
    if (is_flat_config(path)) {
        if (!es_school_import_flat)
            return es_error_set(ES_ECONFIG, "%s: no [section] headers, and this build has no "
                                            "importer for flat reference configs", path);
        st = es_school_import_flat(path, &flat_ini, &flat_lines, &n_flat);
        if (st)
            return st;
    }
    char name[128] = "";
    if ((st = override_model(overrides, nov, name, sizeof name))) {
        free(flat_ini);
        free(flat_lines);
        return st;
    }
    if (!name[0] && flat_ini)
        snprintf(name, sizeof name, "school");
    else if (!name[0] && (st = es_config_peek_model(path, name, sizeof name)))
        return st;
    *model = es_model_find(name);
    const es_key_spec *schemas[] = {es_config_core_schema(), *model ? (*model)->schema : NULL, NULL};
    const char *const *ovc = (const char *const *)overrides;
    if (flat_ini) {
        /* messages name the flat file's lines, not the translation's */
        st = es_config_load_mapped(flat_ini, path, flat_lines, n_flat, schemas, ovc, nov, cfg);
        free(flat_ini);
        free(flat_lines);
    } else {
        /* Without a known model, load against the core schema alone: it reports
         * an invalid [run] model with file and line, or any earlier error. */
        st = es_config_load(path, *model ? schemas : core_only, ovc, nov, cfg);
    }
    if (st)
        return st;
    if (!*model) {
        es_config_free(*cfg);
        *cfg = NULL;
        return es_error_set(ES_ECONFIG, "%s: model '%s' is not available in this build "
                                        "(see 'esuite info')", path, name);
    }
    return ES_OK;
}

/* Remove the results `model` writes in `dir` (model->outputs), where present. */
static int remove_model_outputs(const es_model *model, const char *dir)
{
    for (const char *const *o = model->outputs; o && *o; o++) {
        char old[4300];
        snprintf(old, sizeof old, "%s/%s", dir, *o);
        if (unlink(old) != 0 && errno != ENOENT)
            return es_error_set(ES_EIO, "%s: cannot remove: %s", old, strerror(errno));
    }
    return ES_OK;
}

/* *created: the run directory itself did not exist before (so a failed run
 * may remove it again when it stays empty); top: the highest directory of
 * its path that did not exist either (created with it). */
static int resolve_output_dir(const es_config *cfg, const es_model *model, const char *cli_dir, char *dir,
                              size_t len, int *created, char *top, size_t top_len)
{
    if (cli_dir)
        snprintf(dir, len, "%s", cli_dir);
    else if ((size_t)snprintf(dir, len, "%s/%s", es_config_string(cfg, "run", "output_dir"),
                              es_config_string(cfg, "run", "name")) >= len)
        /* was cut to len - 1 bytes: the run went to another directory */
        return es_config_key_error(cfg, "run", "output_dir",
                                   "with [run] name, a run directory of %zu characters, longer than the "
                                   "%zu a path may have", strlen(es_config_string(cfg, "run", "output_dir")) + 1 +
                                   strlen(es_config_string(cfg, "run", "name")), len - 1);
    char summary[4300];
    snprintf(summary, sizeof summary, "%s/summary.json", dir);
    if (access(summary, F_OK) == 0) {
        if (!es_config_bool(cfg, "output", "overwrite"))
            return es_error_set(ES_EIO,
                                "%s already holds a completed run (summary.json); choose another "
                                "--output or set output.overwrite = true", dir);
        /* Remove the completion marker first: a crash while overwriting must
         * not leave a directory that looks complete. */
        if (unlink(summary) != 0)
            return es_error_set(ES_EIO, "%s: cannot remove: %s", summary, strerror(errno));
        /* then the old results: a new run that fails must not leave them */
        int st = remove_model_outputs(model, dir);
        if (st)
            return st;
    }
    /* A fresh run would delete an interrupted run's checkpoint when it ends:
     * the hours it holds must not go because --resume was forgotten. */
    char ck[4300];
    snprintf(ck, sizeof ck, "%s/%s", dir, ES_CHECKPOINT_FILE);
    char q[4400];
    if (access(ck, F_OK) == 0 && !es_config_bool(cfg, "output", "overwrite"))
        return es_error_set(ES_EIO,
                            "%s holds the checkpoint of an interrupted run; continue it with "
                            "'esuite run --resume %s', or set output.overwrite = true to start again",
                            dir, es_cli_shell_word(dir, q, sizeof q));
    *created = access(dir, F_OK) != 0;
    snprintf(top, top_len, "%s", dir);
    for (char up[4096]; *created;) { /* climb while the parent is missing too */
        snprintf(up, sizeof up, "%s", top);
        char *slash = strrchr(up, '/');
        if (!slash || slash == up)
            break;
        *slash = '\0';
        if (access(up, F_OK) == 0)
            break;
        snprintf(top, top_len, "%s", up);
    }
    return es_output_prepare_dir(dir);
}

/* Remove the directories a failed run created, from dir up to top, where
 * they are empty (rmdir refuses the others). */
static void remove_created_dirs(const char *dir, const char *top)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    while (rmdir(p) == 0 && strcmp(p, top) != 0) {
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            break;
        *slash = '\0';
    }
}

/* A resumed run sets the model's testing stop knobs (stop_after_samples,
 * stop_after_steps: every integer key named stop_after_*) to 0: they are
 * past already and would not fire again, and the output's recorded config
 * must reproduce the finished run, not stop again with status 3. The reset
 * is recorded as an override ("gas.stop_after_samples=0" after the first
 * run's "gas.stop_after_samples=4"), so the provenance keeps the
 * interruption and its overrides, applied in order, give the recorded
 * config. */
static int clear_stop_knobs(es_config *cfg, const es_model *model)
{
    for (const es_key_spec *k = model->schema; k && k->key; k++)
        if (k->type == ES_KEY_INT && !strncmp(k->key, "stop_after_", 11) &&
            es_config_int(cfg, k->section, k->key) != 0) {
            int st = es_config_set(cfg, k->section, k->key, "0", "--resume");
            if (st)
                return st;
        }
    return ES_OK;
}

/* DIR/resume.ini is written from the checkpoint on every --resume: a
 * temporary, removed however the run ends (the checkpoint is what stays). */
static void drop_resume_ini(char *path)
{
    if (!path)
        return;
    unlink(path);
    free(path);
}

int es_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"set", required_argument, NULL, 's'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"resume", required_argument, NULL, 'r'},
                                         {"check", no_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    char *overrides[MAX_OVERRIDES + 1]; /* + 1: a resumed run's --threads, recorded as an override */
    int nov = 0, quiet = 0, check_only = 0, c;
    const char *outdir = NULL, *threads = NULL, *resume = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:o:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (nov == MAX_OVERRIDES) {
                es_cli_error("too many --set options (at most %d)", MAX_OVERRIDES);
                return 2;
            }
            overrides[nov++] = optarg;
            break;
        case 'o': outdir = optarg; break;
        case 't': threads = optarg; break;
        case 'q': quiet = 1; break;
        case 'r': resume = optarg; break;
        case 'c': check_only = 1; break;
        case 'h': run_usage(stdout); return 0;
        case ':': es_cli_error("run: option %s needs a value", argv[optind - 1]); return 2;
        default: es_cli_error("run: unknown option '%s' (see 'esuite run --help')", argv[optind - 1]); return 2;
        }
    }
    char *resume_ini = NULL, *origin = NULL, *first_ovs = NULL;
    if (outdir && !es_cli_name_given("run", "--output", outdir, 1))
        return 2;
    if (resume) {
        if (!es_cli_name_given("run", "--resume", resume, 1))
            return 2;
        if (optind != argc || nov || outdir || check_only) {
            es_cli_error("run: --resume DIR takes no CONFIG, --set, --output or --check (the run's own config is used)");
            return 2;
        }
        char ck[4300], summary[4300];
        snprintf(ck, sizeof ck, "%s/%s", resume, ES_CHECKPOINT_FILE);
        snprintf(summary, sizeof summary, "%s/summary.json", resume);
        if (access(ck, F_OK) != 0 && access(summary, F_OK) == 0) {
            /* "cannot open checkpoint: No such file" read like a lost checkpoint */
            es_cli_error("run: --resume %s: the run there is complete (summary.json, no checkpoint); "
                         "nothing to resume", resume);
            return 2;
        }
        char *history = NULL;
        if (es_checkpoint_resume_config(resume, &resume_ini, &origin, &first_ovs, &history)) {
            es_cli_error("%s", es_error_message());
            return 2;
        }
        /* every output's history: the runs before this one first */
        int hst = es_provenance_set_history_before(history);
        free(history);
        if (hst) {
            es_cli_error("%s", es_error_message());
            drop_resume_ini(resume_ini);
            free(origin);
            free(first_ovs);
            return 2;
        }
        /* The first run's --set values are in resume.ini already; applying
         * them again changes no value but keeps them in the provenance. */
        for (char *line = strtok(first_ovs, "\n"); line && nov <= MAX_OVERRIDES; line = strtok(NULL, "\n"))
            overrides[nov++] = line;
    } else if (optind != argc - 1) {
        if (optind >= argc)
            es_cli_error("run: missing CONFIG file (see 'esuite run --help')");
        else
            es_cli_error("run: expected one CONFIG file, got an extra argument '%s'", argv[optind + 1]);
        return 2;
    }
    const char *path = resume ? resume_ini : argv[optind];
    es_config *cfg = NULL;
    const es_model *model = NULL;
    int st = load_config(path, overrides, nov, &cfg, &model);
    free(first_ovs); /* the config keeps copies */
    if (!st && origin) /* provenance: the original config, not the temporary resume.ini */
        st = es_config_set_origin(cfg, origin);
    free(origin);
    if (!st && resume)
        st = clear_stop_knobs(cfg, model);
    if (!st && threads)
        st = es_config_set(cfg, "run", "threads", threads, "--threads");
    /* keys that must agree: before the output directory is touched (an
     * overwrite would remove the previous results first) */
    if (!st && model->check)
        st = model->check(cfg);
    if (st) {
        es_cli_error("%s", es_error_message());
        es_config_free(cfg);
        drop_resume_ini(resume_ini);
        return 2;
    }
    if (check_only) { /* everything a run checks before it starts, nothing written */
        printf("%s: valid %s config\n", path, model->name);
        if (model->describe && model->describe(cfg, stdout)) {
            es_cli_error("%s", es_error_message());
            es_config_free(cfg);
            return 2;
        }
        es_cli_print_warnings(); /* what the run would warn about before it starts */
        es_config_free(cfg);
        return 0;
    }
    char dir[4096], top[4096] = "";
    int created = 0;
    if (resume) {
        snprintf(dir, sizeof dir, "%s", resume);
        es_checkpoint_set_resume(resume);
    } else if ((st = resolve_output_dir(cfg, model, outdir, dir, sizeof dir, &created, top, sizeof top))) {
        es_cli_error("%s", es_error_message());
        es_config_free(cfg);
        return 2;
    }
    long long nthreads = es_config_int(cfg, "run", "threads");
    if (nthreads > 0)
        omp_set_num_threads((int)nthreads);
    es_run_ctx ctx = {.cfg = cfg,
                      .output_dir = dir,
                      .threads = omp_get_max_threads(),
                      .seed = (unsigned long long)es_config_int(cfg, "run", "seed"),
                      .quiet = quiet != 0,
                      .bench_json = false};
    es_provenance_mark_start();
    st = model->run(&ctx);
    es_cli_print_warnings();
    char ck[4300];
    snprintf(ck, sizeof ck, "%s/%s", dir, ES_CHECKPOINT_FILE);
    /* interrupted with a checkpoint to resume from (every model writes one on a stop signal) */
    if (st == ES_EINTR && access(ck, F_OK) == 0) {
        /* the model's message says where it stopped (which sample, why) */
        char q[4400];
        es_cli_error("%s; continue with 'esuite run --resume %s'", es_error_message(),
                     es_cli_shell_word(dir, q, sizeof q));
        es_config_free(cfg);
        drop_resume_ini(resume_ini);
        return 3;
    }
    if (st) {
        es_cli_error("%s", es_error_message());
        /* No partial output: results written before the failure (school.nc
         * before summary.json, say) go, and so do directories left empty.
         * A checkpoint stays (it is not a result), so a failed resumed run
         * can be resumed again. */
        char done[4300];
        snprintf(done, sizeof done, "%s/summary.json", dir);
        unlink(done);
        if (remove_model_outputs(model, dir))
            es_cli_error("%s", es_error_message());
        if (created)
            remove_created_dirs(dir, top);
        es_config_free(cfg);
        drop_resume_ini(resume_ini);
        return es_cli_exit_status(st);
    }
    /* Finished: the checkpoint and the resume config are no longer needed. */
    unlink(ck);
    drop_resume_ini(resume_ini);
    if (!quiet)
        fprintf(stderr, "esuite: %s run complete: %s/summary.json\n", model->name, dir);
    es_config_free(cfg);
    return 0;
}
