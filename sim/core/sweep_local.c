/* The local scheduler: run a sweep's tasks on this machine, N at a time,
 * each as a child `esuite run` (fork/exec of this executable; `esuite run
 * --resume` where an earlier attempt left a checkpoint), with its stdout and
 * stderr appended to logs/local-NNNN.log. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

/* The runner's signal state while it runs tasks: SIGINT, SIGTERM, SIGUSR1
 * and SIGCHLD caught and blocked, except while it waits in sigsuspend. */
typedef struct {
    struct sigaction saved[4]; /* the caller's actions: stop_signals, then SIGCHLD */
    sigset_t orig;             /* the caller's mask */
    sigset_t wait;             /* orig less the four: what sigsuspend waits with */
    sigset_t block;            /* the four */
} runner_signals;

static void restore_signals(const runner_signals *rs);

/* Open a task's log for appending (stdout and stderr of its run). An
 * earlier attempt of the task (interrupted, failed, or stopped with a
 * checkpoint) left its log there: O_TRUNC threw it away when the task ran
 * again, and with it the reason it stopped. As Slurm's --open-mode=append
 * would, the new attempt goes below it, after one line that says when and
 * how it was started. `now` is formatted by the parent (no time zone code
 * between fork and exec). */
static int open_task_log(const char *log, size_t task, const char *now, int resume, const char *cfg,
                         const char *out)
{
    int fd = open(log, O_RDWR | O_CREAT | O_APPEND, 0666); /* read: its last byte */
    if (fd < 0)
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666); /* a log we may only write */
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size == 0)
        return fd;
    char last = '\n', line[512];
    if (pread(fd, &last, 1, sb.st_size - 1) != 1) /* a log cut short mid-line gets its newline */
        last = '\n';
    int n = snprintf(line, sizeof line, "%s--- esuite sweep: task %04zu run again at %s, %s%s); the "
                     "earlier attempts' output is above ---\n", last == '\n' ? "" : "\n", task, now,
                     resume ? "resumed from its checkpoint (esuite run --resume "
                            : "started afresh (esuite run ",
                     resume ? out : cfg);
    /* a header that cannot be written (a full disk) does not keep the task from running */
    ssize_t w = n > 0 ? write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) : 0;
    (void)w;
    return fd;
}

static pid_t start_task(const char *dir, const char *esuite, size_t task, const runner_signals *rs)
{
    char td[64], cfg[128], out[128], log[128], now[32];
    es_sweep_task_dir(task, td, sizeof td);
    snprintf(cfg, sizeof cfg, "%s/config.ini", td);
    snprintf(out, sizeof out, "%s/out", td);
    snprintf(log, sizeof log, "logs/local-%04zu.log", task);
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* child: it starts with the caller's signal handlers and mask, not the
     * runner's (a mask is kept across exec: the task never saw the signals) */
    restore_signals(rs);
    /* If the runner dies without passing a signal on (SIGKILL, an
     * OOM kill), the task gets SIGTERM: it checkpoints and stops instead
     * of running on unrecorded, next to the same task started again by a
     * rerun. The check after prctl covers a runner that died before it. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(127);
    if (chdir(dir) != 0)
        _exit(127);
    /* as the batch scripts do: continue from an interrupted attempt's checkpoint */
    char ck[192];
    snprintf(ck, sizeof ck, "%s/%s", out, ES_CHECKPOINT_FILE);
    int resume = access(ck, F_OK) == 0;
    int fd = open_task_log(log, task, now, resume, cfg, out);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    /* not --quiet: the task's log gets the run's progress lines with an ETA */
    char *argv[] = {"esuite", "run", cfg, "--output", out, "--set", "output.overwrite=true", NULL};
    char *resume_argv[] = {"esuite", "run", "--resume", out, NULL};
    execv(esuite, resume ? resume_argv : argv);
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
static void on_child(int sig) { (void)sig; } /* only ends sigsuspend */
static const int stop_signals[3] = {SIGINT, SIGTERM, SIGUSR1};

/* The signals are blocked while the runner decides (a stop signal between
 * the check of stop_signal and a blocking waitpid was not passed on until
 * some task ended by itself) and arrive only in sigsuspend, which a finished
 * task ends through SIGCHLD. */
static void catch_signals(runner_signals *rs)
{
    sigemptyset(&rs->block);
    for (int i = 0; i < 3; i++)
        sigaddset(&rs->block, stop_signals[i]);
    sigaddset(&rs->block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &rs->block, &rs->orig);
    rs->wait = rs->orig;
    for (int i = 0; i < 3; i++)
        sigdelset(&rs->wait, stop_signals[i]);
    sigdelset(&rs->wait, SIGCHLD);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    for (int i = 0; i < 3; i++)
        if (sigaction(stop_signals[i], &sa, &rs->saved[i]) == 0 && rs->saved[i].sa_handler == SIG_IGN)
            sigaction(stop_signals[i], &rs->saved[i], NULL); /* e.g. SIGINT of a background job */
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &rs->saved[3]);
}

/* Take a signal that arrived while the runner was busy (recording a task,
 * starting one), as before: no task starts after a stop signal came. */
static void poll_signals(const runner_signals *rs)
{
    sigset_t pending;
    if (sigpending(&pending) != 0)
        return;
    for (int i = 0; i < 3; i++)
        if (sigismember(&pending, stop_signals[i])) {
            sigprocmask(SIG_SETMASK, &rs->wait, NULL); /* delivered before it returns */
            sigprocmask(SIG_BLOCK, &rs->block, NULL);
            return;
        }
}

/* Handlers first: a stop signal still pending when the mask is restored
 * goes to on_stop in the runner, or to the caller's action in a task. */
static void restore_signals(const runner_signals *rs)
{
    for (int i = 0; i < 3; i++)
        sigaction(stop_signals[i], &rs->saved[i], NULL);
    sigaction(SIGCHLD, &rs->saved[3], NULL);
    sigprocmask(SIG_SETMASK, &rs->orig, NULL);
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
    runner_signals rs;
    catch_signals(&rs);
    run_progress pr = {n, 0, es_wall_seconds()};
    while (((next < n && !stop_signal) || active) && !st) {
        poll_signals(&rs);
        if (stop_signal && !forwarded) {
            forward_stop(running, jobs);
            forwarded = 1;
        }
        while (next < n && active < (size_t)jobs && !stop_signal) {
            char failed[4400], td[64];
            es_sweep_task_dir(idx[next], td, sizeof td);
            snprintf(failed, sizeof failed, "%s/%s/failed.json", dir, td);
            unlink(failed);
            pid_t pid = start_task(dir, esuite, idx[next], &rs);
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
            poll_signals(&rs);
        }
        if (!active)
            break;
        int status;
        pid_t done = waitpid(-1, &status, WNOHANG);
        if (done == 0) { /* none finished: wait for SIGCHLD or a stop signal */
            if (!stop_signal || forwarded) /* else one came while tasks started: pass it on */
                sigsuspend(&rs.wait);
            continue;
        }
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
    /* The runner's handlers stay while the mask is restored: a stop signal
     * that arrived since the last wait is counted below. */
    sigprocmask(SIG_SETMASK, &rs.orig, NULL);
    /* On an error (fork, waitpid), still reap what runs (each child finishes its own run). */
    for (int k = 0; k < jobs; k++)
        if (running[k].pid) {
            int status;
            while (waitpid(running[k].pid, &status, 0) < 0 && errno == EINTR)
                ;
            finish(dir, running[k].task, status, failed, nfailed, quiet, &pr);
        }
    restore_signals(&rs);
    if (!st && stop_signal)
        st = es_error_set(ES_EINTR, "sweep: stopped by signal %d (%zu of %zu tasks not started); "
                                    "rerun the same command to resume", (int)stop_signal, n - next, n);
    free(running);
    return st;
}
