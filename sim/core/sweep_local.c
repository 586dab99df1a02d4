/* The local scheduler: run a sweep's tasks on this machine, N at a time,
 * each as a child `esuite run` (fork/exec of this executable; `esuite run
 * --resume` where an earlier attempt left a checkpoint), with its stdout and
 * stderr in logs/local-NNNN.log. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/progress.h"
#include "core/sweep.h"
#include "esuite/status.h"

typedef struct {
    pid_t pid;
    size_t task;
} slot;

static pid_t start_task(const char *dir, const char *esuite, size_t task)
{
    char td[64], cfg[128], out[128], log[128];
    es_sweep_task_dir(task, td, sizeof td);
    snprintf(cfg, sizeof cfg, "%s/config.ini", td);
    snprintf(out, sizeof out, "%s/out", td);
    snprintf(log, sizeof log, "logs/local-%04zu.log", task);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* child. If the runner dies without passing a signal on (SIGKILL, an
     * OOM kill), the task gets SIGTERM: it checkpoints and stops instead
     * of running on unrecorded, next to the same task started again by a
     * rerun. The check after prctl covers a runner that died before it. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(127);
    if (chdir(dir) != 0)
        _exit(127);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    /* not --quiet: the task's log gets the run's progress lines with an ETA */
    char *argv[] = {"esuite", "run", cfg, "--output", out, "--set", "output.overwrite=true", NULL};
    /* as the batch scripts do: continue from an interrupted attempt's checkpoint */
    char ck[192];
    snprintf(ck, sizeof ck, "%s/%s", out, ES_CHECKPOINT_FILE);
    char *resume_argv[] = {"esuite", "run", "--resume", out, NULL};
    execv(esuite, access(ck, F_OK) == 0 ? resume_argv : argv);
    fprintf(stderr, "esuite: cannot execute %s: %s\n", esuite, strerror(errno));
    _exit(127);
}

/* Record a finished child's outcome. A task whose outcome cannot be
 * recorded (its directory was deleted or made unwritable during the sweep)
 * is a failed task, not the end of the sweep: the other tasks still run. */
/* How far the runner is: each finished task's line says it, with an ETA
 * from the tasks finished so far (a batch job's log needs one). */
typedef struct {
    size_t n, finished;
    double start;
} run_progress;

static void finish(const char *dir, size_t task, int status, es_sweep_failure *failed,
                   size_t *nfailed, int quiet, run_progress *pr)
{
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    char log[128];
    snprintf(log, sizeof log, "logs/local-%04zu.log", task);
    pr->finished++;
    double elapsed = es_wall_seconds() - pr->start;
    char e1[32], e2[32];
    es_progress_format_duration(elapsed, e1, sizeof e1);
    es_progress_format_duration(elapsed * (double)(pr->n - pr->finished) / (double)pr->finished, e2,
                                sizeof e2);
    if (!quiet)
        fprintf(stderr, "esuite: sweep: task %04zu %s%.0d%s (%zu of %zu finished, elapsed %s, ETA %s)\n",
                task, rc ? "failed with exit code " : "complete", rc, rc ? ", see the log" : "",
                pr->finished, pr->n, e1, e2);
    int recorded = es_sweep_finish_task(dir, task, rc, log) == ES_OK;
    if (!recorded)
        fprintf(stderr, "esuite: sweep: task %04zu: its outcome cannot be recorded: %s\n", task,
                es_error_message());
    if (rc != 0 || !recorded) {
        failed[*nfailed].task = task;
        failed[*nfailed].exit_code = rc;
        failed[*nfailed].recorded = recorded;
        (*nfailed)++;
    }
}

/* SIGINT, SIGTERM or SIGUSR1 to this process (kill PID, or a batch system
 * signalling the job's main process): as the batch scripts do, pass it on to
 * the running tasks (they checkpoint and stop) and start no more; without
 * this the tasks ran on unrecorded and the next ones were started. */
static volatile sig_atomic_t stop_signal;
static void on_stop(int sig) { stop_signal = sig; }
static const int stop_signals[3] = {SIGINT, SIGTERM, SIGUSR1};

static void catch_stop_signals(struct sigaction saved[3])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: waitpid returns EINTR */
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    for (int i = 0; i < 3; i++)
        if (sigaction(stop_signals[i], &sa, &saved[i]) == 0 && saved[i].sa_handler == SIG_IGN)
            sigaction(stop_signals[i], &saved[i], NULL); /* e.g. SIGINT of a background job */
}

static void forward_stop(const slot *running, int jobs)
{
    for (int k = 0; k < jobs; k++)
        if (running[k].pid)
            kill(running[k].pid, stop_signal);
}

int es_sweep_run_local(const char *dir, const char *esuite, const size_t *idx, size_t n, int jobs,
                       int quiet, es_sweep_failure *failed, size_t *nfailed)
{
    *nfailed = 0;
    if (jobs < 1)
        jobs = 1;
    slot *running = calloc((size_t)jobs, sizeof *running);
    size_t next = 0, active = 0;
    int st = ES_OK, forwarded = 0;
    struct sigaction saved[3];
    catch_stop_signals(saved);
    run_progress pr = {n, 0, es_wall_seconds()};
    while (((next < n && !stop_signal) || active) && !st) {
        if (stop_signal && !forwarded) {
            forward_stop(running, jobs);
            forwarded = 1;
        }
        while (next < n && active < (size_t)jobs && !stop_signal) {
            char failed[4400], td[64];
            es_sweep_task_dir(idx[next], td, sizeof td);
            snprintf(failed, sizeof failed, "%s/%s/failed.json", dir, td);
            unlink(failed);
            pid_t pid = start_task(dir, esuite, idx[next]);
            if (pid < 0) {
                st = es_error_set(ES_EIO, "fork: %s", strerror(errno));
                break;
            }
            for (int k = 0; k < jobs; k++)
                if (!running[k].pid) {
                    running[k].pid = pid;
                    running[k].task = idx[next];
                    break;
                }
            active++;
            next++;
        }
        if (!active)
            break;
        int status;
        pid_t done = waitpid(-1, &status, 0);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            st = es_error_set(ES_EIO, "waitpid: %s", strerror(errno));
            break;
        }
        for (int k = 0; k < jobs; k++)
            if (running[k].pid == done) {
                running[k].pid = 0;
                active--;
                finish(dir, running[k].task, status, failed, nfailed, quiet, &pr);
                break;
            }
    }
    /* On an error (fork, waitpid), still reap what runs (each child finishes its own run). */
    for (int k = 0; k < jobs; k++)
        if (running[k].pid) {
            int status;
            while (waitpid(running[k].pid, &status, 0) < 0 && errno == EINTR)
                ;
            finish(dir, running[k].task, status, failed, nfailed, quiet, &pr);
        }
    for (int i = 0; i < 3; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
    if (!st && stop_signal)
        st = es_error_set(ES_EINTR, "sweep: stopped by signal %d (%zu of %zu tasks not started); "
                                    "rerun the same command to resume", (int)stop_signal, n - next, n);
    free(running);
    return st;
}
