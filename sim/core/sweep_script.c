/* Batch scripts for a sweep directory: a Slurm array job (job.sbatch) and a
 * PBS Pro array job (job.pbs). Each array element runs one task with
 * `esuite run`, forwards the scheduler's warning signal to it (so the model
 * writes a checkpoint and stops), then records the outcome with
 * `esuite sweep DIR --finish-task ID --exit-code RC --log LOG`. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkpoint.h"
#include "core/strbuf.h"
#include "core/sweep.h"
#include "esuite/status.h"
#include "esuite_version.h"

char *es_sweep_array_spec(const size_t *idx, size_t n, int max_concurrent)
{
    es_strbuf b = {0};
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        if (j == i)
            es_strbuf_printf(&b, "%s%zu", i ? "," : "", idx[i]);
        else
            es_strbuf_printf(&b, "%s%zu-%zu", i ? "," : "", idx[i], idx[j]);
        i = j + 1;
    }
    if (max_concurrent > 0)
        es_strbuf_printf(&b, "%%%d", max_concurrent);
    return es_strbuf_take(&b); /* NULL when out of memory */
}

size_t es_sweep_max_array_size(const es_sweep *sw)
{
    return sw->res.max_array_size > 0 ? (size_t)sw->res.max_array_size : ES_SLURM_MAX_ARRAY_SIZE;
}

size_t es_sweep_pbs_max_array_size(const es_sweep *sw)
{
    return sw->res.max_array_size > 0 ? (size_t)sw->res.max_array_size : ES_PBS_MAX_ARRAY_SIZE;
}

size_t es_sweep_pbs_chunk(const es_sweep *sw, size_t n)
{
    return n < es_sweep_pbs_max_array_size(sw) ? n : es_sweep_pbs_max_array_size(sw);
}

size_t es_sweep_slurm_chunk(const es_sweep *sw, size_t n)
{
    return n < es_sweep_max_array_size(sw) ? n : es_sweep_max_array_size(sw);
}

/* sbatch refuses an array with an index >= MaxArraySize (the example phase
 * sweep, 1280 tasks, could not be submitted at all): such tasks are reached
 * through array elements 0 .. n-1 and a list of task indices in the script. */
char *es_sweep_slurm_array(const es_sweep *sw, const size_t *idx, size_t n, int *mapped)
{
    *mapped = n > 0 && idx[n - 1] >= es_sweep_max_array_size(sw);
    if (!*mapped)
        return es_sweep_array_spec(idx, n, sw->res.max_concurrent);
    size_t *seq = malloc(n * sizeof *seq);
    if (!seq)
        return NULL;
    for (size_t k = 0; k < n; k++)
        seq[k] = k;
    char *spec = es_sweep_array_spec(seq, n, sw->res.max_concurrent);
    free(seq);
    return spec;
}

/* "TASKS=(5 6 ...)": the task of each array element, 16 a line. */
static void task_list(es_strbuf *b, const size_t *idx, size_t n)
{
    es_strbuf_printf(b, "TASKS=(");
    for (size_t i = 0; i < n; i++)
        es_strbuf_printf(b, "%s%zu", i ? (i % 16 ? " " : "\n") : "", idx[i]);
    es_strbuf_printf(b, ")\n");
}

/* Single-quote a path for bash. */
static void quoted(es_strbuf *b, const char *s)
{
    es_strbuf_printf(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            es_strbuf_printf(b, "'\\''");
        else
            es_strbuf_printf(b, "%c", *s);
    }
    es_strbuf_printf(b, "'");
}

/* The body shared by both schedulers, after ID, LOG and the directives. */
static void task_body(es_strbuf *b, const char *dir, const char *esuite, const char *warn_signal)
{
    es_strbuf_printf(b, "set -u\nESUITE=${ESUITE:-");
    quoted(b, esuite);
    es_strbuf_printf(b, "}\nSWEEP_DIR=");
    quoted(b, dir);
    es_strbuf_printf(b, "\ncd \"$SWEEP_DIR\" || exit 1\n"
          "T=tasks/$(printf %%04d \"$ID\")\n"
          "# an element beyond the sweep (a job submitted with another --array)\n"
          "[ -d \"$T\" ] || { echo \"esuite: $SWEEP_DIR has no task $ID (no directory $T)\" >&2; exit 1; }\n"
          "echo \"esuite sweep task $ID ($T) on $(hostname) at $(date -u +%%FT%%TZ)\" >&2\n"
          "rm -f \"$T/failed.json\"\n"
          "# Continue from a checkpoint left by an earlier, interrupted attempt.\n"
          "if [ -f \"$T/out/%s\" ] && \"$ESUITE\" run --help 2>/dev/null | grep -q -- --resume; then\n"
          "  \"$ESUITE\" run --resume \"$T/out\" &\n"
          "else\n"
          "  \"$ESUITE\" run \"$T/config.ini\" --output \"$T/out\" --set output.overwrite=true &\n"
          "fi\n"
          "pid=$!\n"
          "# The scheduler signals this shell before the time limit: pass it on, so\n"
          "# esuite writes a checkpoint and stops; a resubmission resumes from it.\n"
          "# A trap interrupts 'wait' (status 128 + signal): wait again for esuite's\n"
          "# own status, which bash keeps even if esuite has exited meanwhile.\n"
          "sig=0\n"
          "trap 'sig=1; kill -%s $pid 2>/dev/null' %s\n"
          "trap 'sig=1; kill -TERM $pid 2>/dev/null' TERM\n"
          "wait $pid; rc=$?\n"
          "while [ $sig -eq 1 ]; do sig=0; wait $pid; r=$?; [ $r -eq 127 ] || rc=$r; done\n"
          "\"$ESUITE\" sweep \"$SWEEP_DIR\" --finish-task \"$ID\" --exit-code \"$rc\" --log \"$LOG\"\n"
          "exit $rc\n",
       ES_CHECKPOINT_FILE, warn_signal, warn_signal);
}

/* Write the text of b (freed here) to DIR/NAME atomically. */
static int write_text(const char *dir, const char *name, es_strbuf *b, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    int st = b->failed ? es_error_set(ES_ENOMEM, "%s: out of memory", path)
                       : es_sweep_write_file_atomic(path, b->s ? b->s : "", b->len);
    es_strbuf_free(b);
    return st;
}

static int write_script(const char *dir, const char *name, es_strbuf *b, char *script, size_t len)
{
    char path[4400];
    int st = write_text(dir, name, b, path, sizeof path);
    if (!st && script)
        snprintf(script, len, "%s", path);
    return st;
}

/* Seconds of a time limit as slurm.time accepts it ([D-]N[:N[:N]]: minutes,
 * M:S, H:M:S; D-H, D-H:M, D-H:M:S); -1 for none or UNLIMITED. */
static long long time_limit_seconds(const char *t)
{
    long long f[4] = {0};
    int n = 0, days = 0;
    const char *s = t;
    if (!isdigit((unsigned char)*s))
        return -1;
    while (*s && n < 4) {
        char *end;
        f[n++] = strtoll(s, &end, 10);
        if (*end == '-' && n == 1)
            days = 1;
        s = *end ? end + 1 : end;
    }
    if (days) /* D-H, D-H:M, D-H:M:S */
        return f[0] * 86400 + f[1] * 3600 + (n > 2 ? f[2] * 60 : 0) + (n > 3 ? f[3] : 0);
    if (n == 1)
        return f[0] * 60;
    return n == 2 ? f[0] * 60 + f[1] : f[0] * 3600 + f[1] * 60 + f[2];
}

/* Seconds before the limit at which Slurm warns the job. Slurm sends the
 * warning as soon as less than this is left, so a fixed 120 s would stop
 * every task of a short test sweep (time = 2) right after it started, and
 * each resubmission again: below 10 minutes warn at a fifth of the limit. */
int es_sweep_warn_seconds(const char *time)
{
    long long lim = time_limit_seconds(time);
    /* 0 (any spelling), like UNLIMITED, is Slurm's "no limit" */
    if (lim <= 0 || lim >= 600)
        return 120;
    return lim >= 5 ? (int)(lim / 5) : 1;
}

int es_sweep_write_sbatch(const es_sweep *sw, const char *dir, const char *esuite,
                          const size_t *idx, size_t n, char *script, size_t len)
{
    if (n == 0)
        return es_error_set(ES_EINVAL, "no task to put into a job script");
    const es_sweep_resources *r = &sw->res;
    int mapped;
    char *array = es_sweep_slurm_array(sw, idx, n, &mapped);
    if (!array)
        return es_error_set(ES_ENOMEM, "%s: out of memory for the task list", dir);
    es_strbuf b = {0};
    es_strbuf_printf(&b, "#!/bin/bash\n");
    es_strbuf_printf(&b, "#SBATCH --job-name=%s\n", sw->name);
    es_strbuf_printf(&b, "#SBATCH --array=%s\n", array);
    es_strbuf_printf(&b, "#SBATCH --chdir=%s\n", dir);
    es_strbuf_printf(&b, "#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n", dir);
    es_strbuf_printf(&b, "#SBATCH --error=%s/logs/slurm-%%A_%%a.err\n", dir);
    /* A requeued job (node failure, preemption, scontrol requeue) keeps its
     * job ID and so its log names: appending keeps the earlier attempt's
     * lines (why it stopped) instead of the default truncation. */
    es_strbuf_printf(&b, "#SBATCH --open-mode=append\n");
    es_strbuf_printf(&b, "#SBATCH --ntasks=1\n");
    es_strbuf_printf(&b, "#SBATCH --cpus-per-task=%d\n", r->cpus_per_task > 0 ? r->cpus_per_task : 1);
    if (r->time[0])
        es_strbuf_printf(&b, "#SBATCH --time=%s\n", r->time);
    if (r->mem[0])
        es_strbuf_printf(&b, "#SBATCH --mem=%s\n", r->mem);
    if (r->partition[0])
        es_strbuf_printf(&b, "#SBATCH --partition=%s\n", r->partition);
    if (r->account[0])
        es_strbuf_printf(&b, "#SBATCH --account=%s\n", r->account);
    /* B: signal the batch shell, which forwards it (a plain --signal reaches
     * only srun steps, not a program the script starts directly). */
    es_strbuf_printf(&b, "#SBATCH --signal=B:USR1@%d\n", es_sweep_warn_seconds(r->time));
    for (int i = 0; i < r->nextra; i++)
        es_strbuf_printf(&b, "#SBATCH %s\n", r->extra[i]);
    es_strbuf_printf(&b, "# Generated by esuite %s (git %s) for sweep '%s' (%zu of %zu tasks).\n"
           "# Regenerate with 'esuite sweep DIR --scheduler slurm' rather than editing.\n",
       ESUITE_VERSION, ESUITE_GIT_REVISION, sw->name, n, sw->ntasks);
    es_strbuf_printf(&b, "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n");
    if (mapped) {
        /* Array element K runs task TASKS[K]; its log is named by K. The list
         * is in the script, which sbatch copies: a later regeneration cannot
         * change what a queued job runs. */
        task_list(&b, idx, n);
        es_strbuf_printf(&b, "K=${SLURM_ARRAY_TASK_ID:?job.sbatch must run as an array job}\n"
                             "ID=${TASKS[$K]:-}\n"
                             "[ -n \"$ID\" ] || { echo \"esuite: no task for array element $K\" >&2; exit 1; }\n"
                             "LOG=logs/slurm-${SLURM_ARRAY_JOB_ID}_${K}.err\n");
    } else {
        es_strbuf_printf(&b, "ID=${SLURM_ARRAY_TASK_ID:?job.sbatch must run as an array job}\n");
        es_strbuf_printf(&b, "LOG=logs/slurm-${SLURM_ARRAY_JOB_ID}_${ID}.err\n");
    }
    es_strbuf_printf(&b, "# A requeued job writes below the lines of its earlier attempt (--open-mode=append).\n"
                         "if [ \"${SLURM_RESTART_COUNT:-0}\" -gt 0 ] 2>/dev/null; then\n"
                         "  H=\"--- esuite sweep: job ${SLURM_JOB_ID:-?} requeued (restart $SLURM_RESTART_COUNT) at "
                         "$(date -u +%%FT%%TZ); the earlier attempts' output is above ---\"\n"
                         "  echo \"$H\"; echo \"$H\" >&2\n"
                         "fi\n");
    task_body(&b, dir, esuite, "USR1");
    free(array);
    return write_script(dir, "job.sbatch", &b, script, len);
}

/* PBS Pro arrays take only ranges (-J 0-K), so element k runs the k-th
 * pending task of a list in the script (qsub copies it: regenerating the
 * script while a job waits cannot change what it runs, as the list in
 * pbs_tasks.txt, read when each element started, could). Walltime ends
 * with SIGTERM, forwarded. */
int es_sweep_write_pbs(const es_sweep *sw, const char *dir, const char *esuite,
                       const size_t *idx, size_t n, char *script, size_t len)
{
    if (n == 0)
        return es_error_set(ES_EINVAL, "no task to put into a job script");
    const es_sweep_resources *r = &sw->res;
    es_strbuf b = {0};
    es_strbuf_printf(&b, "#!/bin/bash\n#PBS -N %s\n", sw->name);
    if (n > 1)
        es_strbuf_printf(&b, "#PBS -J 0-%zu\n", n - 1);
    es_strbuf_printf(&b, "#PBS -l select=1:ncpus=%d%s%s\n", r->cpus_per_task > 0 ? r->cpus_per_task : 1,
       r->mem[0] ? ":mem=" : "", r->mem[0] ? r->mem : "");
    /* PBS reads walltime as [[H:]M:]S, so slurm.time's forms are converted:
     * "30" (Slurm: minutes) was 30 seconds, "1-12:00:00" was rejected. */
    long long wall = r->time[0] ? time_limit_seconds(r->time) : -1;
    if (wall > 0) /* 0 is Slurm's "no limit", not a walltime of zero */
        es_strbuf_printf(&b, "#PBS -l walltime=%lld:%02lld:%02lld\n", wall / 3600, wall / 60 % 60,
                         wall % 60);
    if (r->partition[0])
        es_strbuf_printf(&b, "#PBS -q %s\n", r->partition);
    if (r->account[0])
        es_strbuf_printf(&b, "#PBS -A %s\n", r->account);
    es_strbuf_printf(&b, "#PBS -o %s/logs/\n#PBS -e %s/logs/\n", dir, dir);
    es_strbuf_printf(&b, "# Generated by esuite %s (git %s) for sweep '%s' (%zu of %zu tasks).\n", ESUITE_VERSION,
       ESUITE_GIT_REVISION, sw->name, n, sw->ntasks);
    es_strbuf_printf(&b, "export OMP_NUM_THREADS=${NCPUS:-%d}\n", r->cpus_per_task > 0 ? r->cpus_per_task : 1);
    task_list(&b, idx, n);
    es_strbuf_printf(&b, "K=${PBS_ARRAY_INDEX:-${PBS_ARRAYID:-0}}\n"
                         "ID=${TASKS[$K]:-}\n"
                         "[ -n \"$ID\" ] || { echo \"esuite: no task for array element $K\" >&2; exit 1; }\n"
                         "LOG=logs/pbs-${PBS_JOBID:-local}.err\n");
    task_body(&b, dir, esuite, "TERM");
    return write_script(dir, "job.pbs", &b, script, len);
}
