/* Batch scripts for a sweep directory: a Slurm array job (job.sbatch) and a
 * PBS Pro array job (job.pbs). Each array element runs one task with
 * `esuite run`, forwards the scheduler's warning signal to it (so the model
 * writes a checkpoint and stops), then records the outcome with
 * `esuite sweep DIR --finish-task ID --exit-code RC --log LOG`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkpoint.h"
#include "core/sweep.h"
#include "esuite/status.h"
#include "esuite_version.h"

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

__attribute__((format(printf, 2, 3))) static void sb(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->buf = realloc(b->buf, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *es_sweep_array_spec(const size_t *idx, size_t n, int max_concurrent)
{
    sbuf b = {0};
    sb(&b, "%s", "");
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        if (j == i)
            sb(&b, "%s%zu", i ? "," : "", idx[i]);
        else
            sb(&b, "%s%zu-%zu", i ? "," : "", idx[i], idx[j]);
        i = j + 1;
    }
    if (max_concurrent > 0)
        sb(&b, "%%%d", max_concurrent);
    return b.buf;
}

/* Single-quote a path for bash. */
static void quoted(sbuf *b, const char *s)
{
    sb(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            sb(b, "'\\''");
        else
            sb(b, "%c", *s);
    }
    sb(b, "'");
}

/* The body shared by both schedulers, after ID, LOG and the directives. */
static void task_body(sbuf *b, const char *dir, const char *esuite, const char *warn_signal)
{
    sb(b, "set -u\nESUITE=${ESUITE:-");
    quoted(b, esuite);
    sb(b, "}\nSWEEP_DIR=");
    quoted(b, dir);
    sb(b, "\ncd \"$SWEEP_DIR\" || exit 1\n"
          "T=tasks/$(printf %%04d \"$ID\")\n"
          "echo \"esuite sweep task $ID ($T) on $(hostname) at $(date -u +%%FT%%TZ)\" >&2\n"
          "rm -f \"$T/failed.json\"\n"
          "# Continue from a checkpoint left by an earlier, interrupted attempt.\n"
          "if [ -f \"$T/out/%s\" ] && \"$ESUITE\" run --help 2>/dev/null | grep -q -- --resume; then\n"
          "  \"$ESUITE\" run --resume \"$T/out\" --quiet &\n"
          "else\n"
          "  \"$ESUITE\" run \"$T/config.ini\" --output \"$T/out\" --set output.overwrite=true --quiet &\n"
          "fi\n"
          "pid=$!\n"
          "# The scheduler signals this shell before the time limit: pass it on, so\n"
          "# esuite writes a checkpoint and stops; a resubmission resumes from it.\n"
          "trap 'kill -%s $pid 2>/dev/null' %s\n"
          "trap 'kill -TERM $pid 2>/dev/null' TERM\n"
          "wait $pid; rc=$?\n"
          "while kill -0 $pid 2>/dev/null; do wait $pid; rc=$?; done\n"
          "\"$ESUITE\" sweep \"$SWEEP_DIR\" --finish-task \"$ID\" --exit-code \"$rc\" --log \"$LOG\"\n"
          "exit $rc\n",
       ES_CHECKPOINT_FILE, warn_signal, warn_signal);
}

static int write_script(const char *dir, const char *name, sbuf *b, char *script, size_t len)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int st = es_sweep_write_file_atomic(path, b->buf, b->len);
    free(b->buf);
    if (!st && script)
        snprintf(script, len, "%s", path);
    return st;
}

int es_sweep_write_sbatch(const es_sweep *sw, const char *dir, const char *esuite,
                          const size_t *idx, size_t n, char *script, size_t len)
{
    if (n == 0)
        return es_error_set(ES_EINVAL, "no task to put into a job script");
    const es_sweep_resources *r = &sw->res;
    char *array = es_sweep_array_spec(idx, n, r->max_concurrent);
    sbuf b = {0};
    sb(&b, "#!/bin/bash\n");
    sb(&b, "#SBATCH --job-name=%s\n", sw->name);
    sb(&b, "#SBATCH --array=%s\n", array);
    sb(&b, "#SBATCH --chdir=%s\n", dir);
    sb(&b, "#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n", dir);
    sb(&b, "#SBATCH --error=%s/logs/slurm-%%A_%%a.err\n", dir);
    sb(&b, "#SBATCH --ntasks=1\n");
    sb(&b, "#SBATCH --cpus-per-task=%d\n", r->cpus_per_task > 0 ? r->cpus_per_task : 1);
    if (r->time[0])
        sb(&b, "#SBATCH --time=%s\n", r->time);
    if (r->mem[0])
        sb(&b, "#SBATCH --mem=%s\n", r->mem);
    if (r->partition[0])
        sb(&b, "#SBATCH --partition=%s\n", r->partition);
    if (r->account[0])
        sb(&b, "#SBATCH --account=%s\n", r->account);
    /* B: signal the batch shell, which forwards it (a plain --signal reaches
     * only srun steps, not a program the script starts directly). */
    sb(&b, "#SBATCH --signal=B:USR1@120\n");
    for (int i = 0; i < r->nextra; i++)
        sb(&b, "#SBATCH %s\n", r->extra[i]);
    sb(&b, "# Generated by esuite %s (git %s) for sweep '%s' (%zu of %zu tasks).\n"
           "# Regenerate with 'esuite sweep DIR --scheduler slurm' rather than editing.\n",
       ESUITE_VERSION, ESUITE_GIT_REVISION, sw->name, n, sw->ntasks);
    sb(&b, "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n");
    sb(&b, "ID=${SLURM_ARRAY_TASK_ID:?job.sbatch must run as an array job}\n");
    sb(&b, "LOG=logs/slurm-${SLURM_ARRAY_JOB_ID}_${ID}.err\n");
    task_body(&b, dir, esuite, "USR1");
    free(array);
    return write_script(dir, "job.sbatch", &b, script, len);
}

/* PBS Pro arrays take only ranges (-J 0-K), so element k runs the k-th
 * pending task from pbs_tasks.txt. Walltime ends with SIGTERM, forwarded. */
int es_sweep_write_pbs(const es_sweep *sw, const char *dir, const char *esuite,
                       const size_t *idx, size_t n, char *script, size_t len)
{
    if (n == 0)
        return es_error_set(ES_EINVAL, "no task to put into a job script");
    const es_sweep_resources *r = &sw->res;
    sbuf list = {0};
    for (size_t i = 0; i < n; i++)
        sb(&list, "%zu\n", idx[i]);
    char lpath[4400];
    snprintf(lpath, sizeof lpath, "%s/pbs_tasks.txt", dir);
    int st = es_sweep_write_file_atomic(lpath, list.buf, list.len);
    free(list.buf);
    if (st)
        return st;
    sbuf b = {0};
    sb(&b, "#!/bin/bash\n#PBS -N %s\n", sw->name);
    if (n > 1)
        sb(&b, "#PBS -J 0-%zu\n", n - 1);
    sb(&b, "#PBS -l select=1:ncpus=%d%s%s\n", r->cpus_per_task > 0 ? r->cpus_per_task : 1,
       r->mem[0] ? ":mem=" : "", r->mem[0] ? r->mem : "");
    if (r->time[0])
        sb(&b, "#PBS -l walltime=%s\n", r->time);
    if (r->partition[0])
        sb(&b, "#PBS -q %s\n", r->partition);
    if (r->account[0])
        sb(&b, "#PBS -A %s\n", r->account);
    sb(&b, "#PBS -o %s/logs/\n#PBS -e %s/logs/\n", dir, dir);
    sb(&b, "# Generated by esuite %s (git %s) for sweep '%s' (%zu of %zu tasks).\n", ESUITE_VERSION,
       ESUITE_GIT_REVISION, sw->name, n, sw->ntasks);
    sb(&b, "export OMP_NUM_THREADS=${NCPUS:-%d}\n", r->cpus_per_task > 0 ? r->cpus_per_task : 1);
    sb(&b, "K=${PBS_ARRAY_INDEX:-${PBS_ARRAYID:-0}}\n");
    sb(&b, "ID=$(sed -n \"$((K + 1))p\" ");
    quoted(&b, lpath);
    sb(&b, ")\nLOG=logs/pbs-${PBS_JOBID:-local}.err\n");
    task_body(&b, dir, esuite, "TERM");
    return write_script(dir, "job.pbs", &b, script, len);
}
