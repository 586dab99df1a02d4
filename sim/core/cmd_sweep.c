/* esuite sweep FILE|DIR [--plan] [--scheduler slurm|pbs|local] [--dir D] [--submit]
 *                      [--jobs N] [--status] [--quiet]
 * (internal, used by the job scripts) esuite sweep DIR --finish-task ID --exit-code RC --log L */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/commands.h"
#include "core/progress.h"
#include "core/sweep.h"
#include "esuite/status.h"

static void sweep_usage(FILE *out)
{
    fprintf(out,
            "usage: esuite sweep SWEEP.ini --plan\n"
            "       esuite sweep SWEEP.ini --scheduler slurm|pbs|local [--dir D] [--submit] [--jobs N]\n"
            "       esuite sweep DIR --scheduler slurm|pbs|local [--submit] [--jobs N]\n"
            "       esuite sweep DIR --status\n\n"
            "Parameter sweeps over a base config (docs/hpc.md).\n\n"
            "  --plan              list the tasks (index, varied values, replica, seed); writes nothing\n"
            "  --scheduler S       write the sweep directory (one resolved config per task,\n"
            "                      manifest.json) and: slurm → job.sbatch (array job), pbs → job.pbs,\n"
            "                      local → run the tasks here\n"
            "  --dir D             sweep directory (default: ./NAME from [sweep] name)\n"
            "  --submit            slurm/pbs: submit the script (sbatch/qsub) and record the job id\n"
            "  --jobs N            local: tasks run at the same time (default 1; only with local)\n"
            "  --status            list complete, failed (exit code, log), pending tasks; exit 0\n"
            "                      only when all are complete\n"
            "  --quiet             fewer messages\n\n"
            "Finished tasks (summary.json and a matching output checksum in out/.complete) are\n"
            "skipped, so rerunning the same command resumes the sweep.\n");
}

typedef struct {
    const char *target, *scheduler, *dir;
    int plan, submit, status, quiet, jobs_given, exit_code_given;
    long long jobs, finish_task, exit_code;
    const char *log;
} sweep_opts;

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* A directory as given, less trailing slashes ("LR/" is LR; "/" stays):
 * messages named LR//tasks/0005 and LR//logs/... */
static void strip_slashes(char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
}

static void print_plan(const es_sweep *sw, FILE *out)
{
    fprintf(out, "sweep '%s': %zu tasks (%s, %zu varied key%s, %d replica%s), model %s\nbase %s\n\n",
            sw->name, sw->ntasks, sw->mode == ES_SWEEP_ZIP ? "zip" : "cartesian", sw->naxes,
            sw->naxes == 1 ? "" : "s", sw->replicas, sw->replicas == 1 ? "" : "s", sw->model, sw->base);
    int w[ES_SWEEP_MAX_AXES];
    for (size_t a = 0; a < sw->naxes; a++) {
        w[a] = (int)strlen(sw->axes[a].key);
        for (size_t v = 0; v < sw->axes[a].n; v++)
            if ((int)strlen(sw->axes[a].values[v]) > w[a])
                w[a] = (int)strlen(sw->axes[a].values[v]);
    }
    fprintf(out, "%-4s", "task");
    for (size_t a = 0; a < sw->naxes; a++)
        fprintf(out, "  %-*s", w[a], sw->axes[a].key);
    fprintf(out, "  %-7s  %s\n", "replica", "seed");
    for (size_t i = 0; i < sw->ntasks; i++) {
        fprintf(out, "%04zu", i);
        for (size_t a = 0; a < sw->naxes; a++)
            fprintf(out, "  %-*s", w[a], sw->axes[a].values[sw->tasks[i].value_index[a]]);
        fprintf(out, "  %-7d  %llu\n", sw->tasks[i].replica, sw->tasks[i].seed);
    }
}

/* Indices of tasks that are not complete; prints what is skipped. */
static size_t pending_tasks(const es_sweep *sw, const char *dir, size_t *idx, int quiet)
{
    size_t n = 0, done = 0;
    for (size_t i = 0; i < sw->ntasks; i++) {
        es_task_status st;
        if (es_sweep_task_status(dir, i, &st) == ES_OK && st.state == ES_TASK_COMPLETE) {
            done++;
            continue;
        }
        if (st.state == ES_TASK_CORRUPT)
            fprintf(stderr, "esuite: sweep: task %04zu: %s: it runs again\n", i,
                    *st.reason ? st.reason : "outputs changed since completion (checksum mismatch)");
        idx[n++] = i;
    }
    if (!quiet && done)
        fprintf(stderr, "esuite: sweep: %zu of %zu tasks already complete (skipped)\n", done, sw->ntasks);
    return n;
}

/* Seconds a scheduler command (sbatch, qsub, squeue, qstat) may take: a hung
 * controller must not hang esuite. ESUITE_SCHEDULER_TIMEOUT overrides it. */
#define SCHEDULER_TIMEOUT_MAX 86400
static long long sched_timeout = 120;

/* Read ESUITE_SCHEDULER_TIMEOUT once, before anything is written: it was
 * read with strtol when a scheduler command ran, so '10x' was 10 s, '1e9'
 * 1 s, and '', '0' or '-5' the default 120 s without a word. 1: valid or
 * unset; 0: reported. */
static int read_scheduler_timeout(void)
{
    const char *e = getenv("ESUITE_SCHEDULER_TIMEOUT");
    return !e || es_cli_parse_int("sweep: environment variable ESUITE_SCHEDULER_TIMEOUT", e, 1,
                                  SCHEDULER_TIMEOUT_MAX, &sched_timeout);
}

static unsigned scheduler_timeout(void) { return (unsigned)sched_timeout; }

#define RUN_TIMED_OUT (-2)

/* Run argv, capture its stdout; returns the exit status, -1, or
 * RUN_TIMED_OUT when it ran past scheduler_timeout() (the alarm, kept across
 * exec, ends it). */
static int run_capture(char *const argv[], char *out, size_t len)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    unsigned limit = scheduler_timeout();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        signal(SIGALRM, SIG_DFL);
        alarm(limit);
        execvp(argv[0], argv);
        fprintf(stderr, "esuite: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    /* The parent keeps its own deadline: a wrapper script's child (sleep,
     * python) outlives the alarm that ends the script and holds the pipe
     * open, so reading to EOF would wait for it. */
    size_t got = 0;
    ssize_t r;
    int timed_out = 0, reaped = 0, status;
    double deadline = es_wall_seconds() + limit;
    while (pid > 0 && got + 1 < len) {
        int ms = (int)((deadline - es_wall_seconds()) * 1000.0) + 1;
        struct pollfd pfd = {.fd = fd[0], .events = POLLIN};
        int pr = ms > 0 ? poll(&pfd, 1, ms) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) { /* it may have exited in time, a background child holding the pipe */
            reaped = waitpid(pid, &status, WNOHANG) == pid;
            timed_out = !reaped;
            if (timed_out)
                kill(pid, SIGKILL);
            break;
        }
        if (pr < 0 || (r = read(fd[0], out + got, len - got - 1)) <= 0)
            break;
        got += (size_t)r;
    }
    out[got] = '\0';
    close(fd[0]);
    if (pid < 0 || (!reaped && waitpid(pid, &status, 0) < 0))
        return -1;
    if (timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM))
        return RUN_TIMED_OUT;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The batch system's words for "is it queued" and "cancel it". */
typedef struct {
    const char *name, *query, *cancel;
} scheduler_cmds;
static const scheduler_cmds slurm_cmds = {"slurm", "squeue", "scancel"};
static const scheduler_cmds pbs_cmds = {"pbs", "qstat", "qdel"};

/* The last job of this sweep on that scheduler if its queue still lists it
 * (pending or running): submitting again, or running the tasks here, would
 * run them twice. 1 listed, 0 not (or no such command here), -1 the query
 * did not answer in time. squeue lists the job's live elements; qstat exits
 * nonzero for a job that has finished (PBS Pro, Torque). */
static int active_job(const char *dir, const scheduler_cmds *sc, char *jid, size_t len)
{
    char mpath[PATH_MAX + 32];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    json_error_t je;
    json_t *m = json_load_file(mpath, 0, &je);
    json_t *subs = json_object_get(m, "submissions");
    const char *last = NULL;
    for (size_t i = 0; i < json_array_size(subs); i++) {
        json_t *o = json_array_get(subs, i);
        const char *sch = json_string_value(json_object_get(o, "scheduler"));
        if (sch && !strcmp(sch, sc->name))
            last = json_string_value(json_object_get(o, "job_id"));
    }
    int active = 0;
    if (last) {
        snprintf(jid, len, "%s", last);
        char out[4096];
        char *sq_argv[] = {"squeue", "-h", "-o", "%i", "-j", jid, NULL};
        char *qs_argv[] = {"qstat", jid, NULL};
        int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) { /* both complain about finished job ids */
            dup2(devnull, STDERR_FILENO);
            close(devnull);
        }
        int rc = run_capture(sc == &pbs_cmds ? qs_argv : sq_argv, out, sizeof out);
        dup2(saved, STDERR_FILENO);
        close(saved);
        active = rc == RUN_TIMED_OUT ? -1 : rc == 0 && out[strspn(out, " \n")] != '\0';
    }
    json_decref(m);
    return active;
}

/* Refuse `what` (one message) while this sweep's last job on either scheduler
 * may still be queued: its tasks would run twice. Returns 1 when refused. */
static int refuse_while_queued(const char *dir, const char *what)
{
    const scheduler_cmds *all[2] = {&slurm_cmds, &pbs_cmds};
    for (int k = 0; k < 2; k++) {
        const scheduler_cmds *sc = all[k];
        char jid[256];
        int a = active_job(dir, sc, jid, sizeof jid);
        if (a > 0)
            es_cli_error("sweep: job %s of this sweep is still queued or running (%s %s%s); wait "
                         "for it or cancel it (%s %s) before %s", jid, sc->query,
                         sc == &slurm_cmds ? "-j " : "", jid, sc->cancel, jid, what);
        else if (a < 0)
            es_cli_error("sweep: %s %s%s did not answer within %u s, so whether job %s of this sweep "
                         "is still queued is unknown; retry when %s answers, or cancel it (%s %s) "
                         "before %s", sc->query, sc == &slurm_cmds ? "-j " : "", jid, scheduler_timeout(),
                         jid, sc == &slurm_cmds ? "Slurm" : "PBS", sc->cancel, jid, what);
        if (a != 0)
            return 1;
    }
    return 0;
}

static int submit(const char *dir, const char *scheduler, const char *script, const char *array)
{
    char out[4096];
    char *sb_argv[] = {"sbatch", "--parsable", (char *)script, NULL};
    char *pbs_argv[] = {"qsub", (char *)script, NULL};
    int rc = run_capture(!strcmp(scheduler, "slurm") ? sb_argv : pbs_argv, out, sizeof out);
    if (rc == RUN_TIMED_OUT) {
        es_cli_error("sweep: %s %s did not answer within %u s: nothing recorded as submitted; check "
                     "the queue (a job may have been created) before submitting again",
                     !strcmp(scheduler, "slurm") ? "sbatch" : "qsub", script, scheduler_timeout());
        return 1;
    }
    if (rc != 0) {
        es_cli_error("sweep: %s %s failed (exit status %d)%s%s", !strcmp(scheduler, "slurm") ? "sbatch" : "qsub",
                     script, rc, *out ? ": " : "", out);
        return 1;
    }
    out[strcspn(out, ";\n")] = '\0'; /* sbatch --parsable: "JOBID[;CLUSTER]" */
    if (es_sweep_record_submission(dir, scheduler, out, array)) {
        es_cli_error("%s", es_error_message());
        return 1;
    }
    printf("%s\n", out);
    char q[PATH_MAX + 64];
    int slurm = !strcmp(scheduler, "slurm"); /* a PBS job was to be watched with squeue */
    fprintf(stderr, "esuite: sweep: submitted job %s (tasks %s); monitor with '%s %s%s' and "
                    "'esuite sweep %s --status'\n", out, array, slurm ? slurm_cmds.query : pbs_cmds.query,
            slurm ? "-j " : "", out, es_cli_shell_word(dir, q, sizeof q));
    return 0;
}

static int do_status(const es_sweep *sw, const char *dir)
{
    size_t count[4] = {0};
    es_task_status *st = calloc(sw->ntasks ? sw->ntasks : 1, sizeof *st);
    for (size_t i = 0; i < sw->ntasks; i++) {
        es_sweep_task_status(dir, i, &st[i]);
        count[st[i].state]++;
    }
    printf("sweep '%s' in %s: %zu tasks: %zu complete, %zu failed, %zu pending, %zu corrupt\n",
           sw->name, dir, sw->ntasks, count[ES_TASK_COMPLETE], count[ES_TASK_FAILED],
           count[ES_TASK_PENDING], count[ES_TASK_CORRUPT]);
    for (size_t i = 0; i < sw->ntasks; i++) {
        if (st[i].state == ES_TASK_COMPLETE)
            continue;
        char label[1100];
        es_sweep_task_describe(sw, i, label, sizeof label);
        printf("  task %04zu  %-8s", i, es_task_state_name(st[i].state));
        if (st[i].state == ES_TASK_FAILED)
            printf("  exit code %d%s%s%s  log %s/%s", st[i].exit_code, *st[i].reason ? " (" : "",
                   st[i].reason, *st[i].reason ? ")" : "", dir, st[i].log);
        if (st[i].state == ES_TASK_CORRUPT && *st[i].reason)
            printf("  (%s)", st[i].reason);
        if (st[i].has_checkpoint)
            printf("  (checkpoint: resumable)");
        char cfg[PATH_MAX + 64];
        snprintf(cfg, sizeof cfg, "%s/tasks/%04zu/config.ini", dir, i);
        if (access(cfg, F_OK) != 0) /* deleted: only the sweep file can write it again */
            printf("  (config.ini missing: rerun 'esuite sweep FILE' to write it again)");
        printf("  %s\n", label);
    }
    free(st);
    return count[ES_TASK_COMPLETE] == sw->ntasks ? 0 : 1;
}

static int parse_opts(int argc, char **argv, sweep_opts *o)
{
    static const struct option opts[] = {
        {"plan", no_argument, NULL, 'p'},          {"scheduler", required_argument, NULL, 's'},
        {"dir", required_argument, NULL, 'd'},     {"submit", no_argument, NULL, 'S'},
        {"jobs", required_argument, NULL, 'j'},    {"status", no_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},         {"finish-task", required_argument, NULL, 'F'},
        {"exit-code", required_argument, NULL, 'E'}, {"log", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->jobs = 1;
    o->finish_task = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ps:d:Sj:tqh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': o->plan = 1; break;
        case 's': o->scheduler = optarg; break;
        case 'd': o->dir = optarg; break;
        case 'S': o->submit = 1; break;
        case 't': o->status = 1; break;
        case 'q': o->quiet = 1; break;
        case 'L': o->log = optarg; break;
        case 'j':
            if (!es_cli_parse_int("--jobs", optarg, 1, 4096, &o->jobs))
                return 2;
            o->jobs_given = 1;
            break;
        case 'F':
            if (!es_cli_parse_int("--finish-task", optarg, 0, 1000000, &o->finish_task))
                return 2;
            break;
        case 'E':
            if (!es_cli_parse_int("--exit-code", optarg, -1, 255, &o->exit_code))
                return 2;
            o->exit_code_given = 1;
            break;
        case 'h': sweep_usage(stdout); return -1;
        case ':': es_cli_error("sweep: option %s needs a value", argv[optind - 1]); return 2;
        default: es_cli_error("sweep: unknown option '%s' (see 'esuite sweep --help')", argv[optind - 1]); return 2;
        }
    }
    if (optind >= argc) {
        es_cli_error("sweep: missing SWEEP file or sweep DIR (see 'esuite sweep --help')");
        return 2;
    }
    if (optind != argc - 1) { /* name it, as run and info do */
        es_cli_error("sweep: expected one SWEEP file or sweep DIR, got an extra argument '%s' (see "
                     "'esuite sweep --help')", argv[optind + 1]);
        return 2;
    }
    o->target = argv[optind];
    if (!es_cli_name_given("sweep", "SWEEP file or DIR", o->target, 0) ||
        (o->dir && !es_cli_name_given("sweep", "--dir", o->dir, 1)))
        return 2;
    if (o->scheduler && strcmp(o->scheduler, "slurm") && strcmp(o->scheduler, "pbs") &&
        strcmp(o->scheduler, "local")) {
        es_cli_error("sweep: --scheduler: expected slurm, pbs or local, got '%s'", o->scheduler);
        return 2;
    }
    int modes = o->plan + (o->scheduler != NULL) + o->status + (o->finish_task >= 0);
    if (modes != 1) {
        es_cli_error("sweep: give exactly one of --plan, --scheduler, --status");
        return 2;
    }
    if (o->submit && (!o->scheduler || !strcmp(o->scheduler, "local"))) {
        es_cli_error("sweep: --submit needs --scheduler slurm or pbs");
        return 2;
    }
    /* Options of one mode given to another were dropped without a word:
     * 'esuite sweep s.ini --scheduler slurm --jobs 8' wrote an array job
     * that Slurm runs as wide as it likes, not 8 at a time. */
    if (o->jobs_given && (!o->scheduler || strcmp(o->scheduler, "local"))) {
        es_cli_error("sweep: --jobs needs --scheduler local (a Slurm array's limit is [slurm] "
                     "max_concurrent in the sweep file)");
        return 2;
    }
    if ((o->exit_code_given || o->log) && o->finish_task < 0) {
        es_cli_error("sweep: %s goes with --finish-task (what the batch script records for a task)",
                     o->exit_code_given ? "--exit-code" : "--log");
        return 2;
    }
    /* the modes that run sbatch/qsub (--submit) or squeue/qstat (--submit, local) */
    if ((o->submit || (o->scheduler && !strcmp(o->scheduler, "local"))) && !read_scheduler_timeout())
        return 2;
    return 0;
}

/* The sweep: from a sweep file (validated, written to the directory) or
 * from an existing sweep directory. */
static int open_sweep(const sweep_opts *o, es_sweep **sw, char *dir, size_t len)
{
    int st;
    if (is_dir(o->target)) {
        /* the directory is the sweep: a --dir naming another would be ignored */
        char a[PATH_MAX], b[PATH_MAX];
        if (o->dir && (!realpath(o->dir, a) || !realpath(o->target, b) || strcmp(a, b))) {
            es_cli_error("sweep: --dir %s: %s is already a sweep directory (--dir goes with a "
                         "sweep file)", o->dir, o->target);
            return 2;
        }
        snprintf(dir, len, "%s", o->target);
        strip_slashes(dir);
        st = es_sweep_load_dir(dir, sw);
    } else {
        st = es_sweep_load(o->target, sw);
        if (st)
            es_warning_clear(); /* the error message carries the hint */
        /* the warnings are printed by the caller, unless writing the directory fails */
        if (!st) {
            snprintf(dir, len, "%s", o->dir ? o->dir : (*sw)->name);
            strip_slashes(dir);
        }
    }
    if (st) {
        es_cli_error("%s", es_error_message());
        return es_cli_exit_status(st);
    }
    return 0;
}

/* The path the script will name: realpath of the part of abs that exists,
 * then the rest as given (the directory itself may not be there yet). */
static void resolved_path(const char *abs, char *out, size_t len)
{
    char head[2 * PATH_MAX + 2], tail[2 * PATH_MAX + 2] = "", real[PATH_MAX], t[2 * PATH_MAX + 2];
    snprintf(head, sizeof head, "%s", abs);
    while (!realpath(head, real)) {
        char *slash = strrchr(head, '/');
        if (!slash) {
            snprintf(out, len, "%s", abs);
            return;
        }
        snprintf(t, sizeof t, "%s%s", slash, tail);
        snprintf(tail, sizeof tail, "%s", t);
        if (slash == head) { /* nothing below / exists */
            snprintf(out, len, "%s", tail);
            return;
        }
        *slash = '\0';
    }
    snprintf(out, len, "%s%s", strcmp(real, "/") ? real : "", tail);
}

/* A batch script names the sweep directory in its #SBATCH/#PBS directives,
 * which are not shell lines: a space would split the option, and Slurm
 * expands '%' in --output. Checked before the directory is written, on the
 * path the script names: its real path (/scratch/me through a link may be
 * "/gpfs/my data/me", which passed the check and broke the directives). */
static int check_directive_path(const char *dir, const char *scheduler)
{
    if (!strcmp(scheduler, "local"))
        return ES_OK;
    char cwd[PATH_MAX] = "", abs[2 * PATH_MAX + 2], real[2 * PATH_MAX + 2], via[2 * PATH_MAX + 40] = "";
    if (dir[0] != '/' && !getcwd(cwd, sizeof cwd))
        return es_error_set(ES_EIO, "sweep: current directory: %s", strerror(errno));
    snprintf(abs, sizeof abs, "%s%s%s", cwd, cwd[0] ? "/" : "", dir);
    resolved_path(abs, real, sizeof real);
    if (strcmp(real, abs))
        snprintf(via, sizeof via, ", the real path of '%s'", abs);
    if (strpbrk(real, " \t\n\r%\"'\\"))
        return es_error_set(ES_EINVAL, "sweep: the %s script's directives cannot hold the directory '%s'%s "
                            "(a space, quote, backslash or '%%' in its path): choose a directory without "
                            "them (--dir), or --scheduler local", scheduler, real, via);
    return ES_OK;
}

/* One line naming the failed tasks of a local run (the first few, with
 * their exit codes; those whose outcome could not be recorded say so, since
 * --status cannot show them as failed). */
static void report_failures(const es_sweep_failure *f, size_t nfailed, size_t n, const char *dir)
{
    char list[2048] = "";
    size_t len = 0, shown = nfailed < 8 ? nfailed : 8;
    for (size_t i = 0; i < shown && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%04zu (exit code %d%s)",
                                i ? ", " : "", f[i].task, f[i].exit_code,
                                f[i].recorded ? "" : ", outcome not recorded");
    if (nfailed > shown && len < sizeof list)
        snprintf(list + len, sizeof list - len, " and %zu more", nfailed - shown);
    char q[PATH_MAX + 64];
    es_cli_error("sweep: %zu of %zu tasks failed: %s; logs in %s/logs/local-NNNN.log, "
                 "'esuite sweep %s --status' lists them", nfailed, n, list, dir,
                 es_cli_shell_word(dir, q, sizeof q));
}

/* --scheduler local: run the n listed tasks here; 0 when all completed. */
static int run_local(const es_sweep *sw, const sweep_opts *o, const char *abs, const char *dir,
                     const size_t *idx, size_t n)
{
    if (sw->res.cpus_per_task > 0) { /* as under Slurm, unless the caller chose */
        char nt[16];
        snprintf(nt, sizeof nt, "%d", sw->res.cpus_per_task);
        setenv("OMP_NUM_THREADS", nt, 0);
    }
    es_sweep_failure *failed = calloc(n, sizeof *failed);
    if (!failed) {
        es_cli_error("sweep: out of memory for %zu tasks", n);
        return 1;
    }
    size_t nfailed = 0;
    int rc = 0;
    if (es_sweep_run_local(abs, es_cli_self_path(), idx, n, (int)o->jobs, o->quiet, failed, &nfailed)) {
        es_cli_error("%s", es_error_message());
        rc = 1;
    } else if (nfailed) {
        report_failures(failed, nfailed, n, dir);
        rc = 1;
    } else if (!o->quiet) {
        char q[PATH_MAX + 64];
        fprintf(stderr, "esuite: sweep: %zu tasks complete; collect with 'esuite collect %s'\n", n,
                es_cli_shell_word(dir, q, sizeof q));
    }
    free(failed);
    return rc;
}

/* One local runner per sweep directory: a second one (the same command
 * started twice, in another terminal) ran the same pending tasks into the
 * same run directories at the same time. flock on DIR/.lock, released when
 * the runner exits however it exits; O_CLOEXEC keeps it out of the tasks. */
static int lock_local(const char *abs, const char *dir)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/.lock", abs);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        es_cli_error("sweep: %s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t got = pread(fd, pid, sizeof pid - 1, 0);
        pid[got > 0 ? strcspn(pid, "\n") : 0] = '\0';
        es_cli_error("sweep: %s is being run by another 'esuite sweep --scheduler local'%s%s%s; "
                     "wait for it or stop it first", dir, *pid ? " (pid " : "", pid, *pid ? ")" : "");
        close(fd);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    /* the pid only improves the message above: a failure to write it is no error */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) != len)
        pid[0] = '\0';
    return fd;
}

int es_cmd_sweep(int argc, char **argv)
{
    sweep_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (o.finish_task >= 0) {
        char target[PATH_MAX];
        snprintf(target, sizeof target, "%s", o.target);
        if (is_dir(target))
            strip_slashes(target);
        /* an index beyond the sweep (a job submitted with another --array)
         * failed naming a temporary file: tasks/0007/failed.json.part-PID */
        char td[64], tpath[PATH_MAX + 64];
        es_sweep_task_dir((size_t)o.finish_task, td, sizeof td);
        snprintf(tpath, sizeof tpath, "%s/%s", target, td);
        if (!is_dir(tpath)) {
            es_cli_error("sweep: --finish-task %lld: %s has no task %lld (no directory %s)", o.finish_task,
                         target, o.finish_task, tpath);
            return 2;
        }
        int st = es_sweep_finish_task(target, (size_t)o.finish_task, (int)o.exit_code, o.log);
        if (st)
            es_cli_error("%s", es_error_message());
        return st ? 1 : 0;
    }
    es_sweep *sw = NULL;
    char dir[PATH_MAX];
    if ((rc = open_sweep(&o, &sw, dir, sizeof dir)))
        return rc;
    if (o.plan || o.status)
        es_cli_print_warnings();
    if (o.plan) {
        print_plan(sw, stdout);
        es_sweep_free(sw);
        return 0;
    }
    if (o.status) {
        if (!is_dir(o.target) && !is_dir(dir)) {
            es_cli_error("sweep: --status: %s is not a sweep directory yet (give DIR, or --dir D with the file)",
                         dir);
            es_sweep_free(sw);
            return 2;
        }
        if (!is_dir(o.target)) { /* read what the directory holds */
            es_sweep_free(sw);
            if ((rc = es_sweep_load_dir(dir, &sw))) {
                es_cli_error("%s", es_error_message());
                return 2;
            }
        }
        rc = do_status(sw, dir);
        es_sweep_free(sw);
        return rc;
    }
    int st = check_directive_path(dir, o.scheduler);
    if (!st && !is_dir(o.target))
        st = es_sweep_write_dir(sw, dir);
    char abs[PATH_MAX];
    if (!st && !realpath(dir, abs))
        st = es_error_set(ES_EIO, "%s: %s", dir, strerror(errno));
    if (st) {
        es_warning_clear(); /* one message: the error (a refused rerun also says why) */
        es_cli_error("%s", es_error_message());
        es_sweep_free(sw);
        return es_cli_exit_status(st);
    }
    es_cli_print_warnings();
    size_t *idx = malloc((sw->ntasks ? sw->ntasks : 1) * sizeof *idx);
    if (!idx) {
        es_cli_error("sweep: out of memory for %zu tasks", sw->ntasks);
        es_sweep_free(sw);
        return 1;
    }
    int lock = -1;
    if (!strcmp(o.scheduler, "local")) {
        lock = lock_local(abs, dir);
        if (lock >= 0 && refuse_while_queued(abs, "running the sweep here")) {
            close(lock);
            lock = -1;
        }
        if (lock < 0) {
            free(idx);
            es_sweep_free(sw);
            return 1;
        }
    }
    size_t n = pending_tasks(sw, abs, idx, o.quiet);
    rc = 0;
    if (n == 0) {
        char q[PATH_MAX + 64];
        fprintf(stderr, "esuite: sweep: all %zu tasks of '%s' are complete; collect with "
                        "'esuite collect %s'\n", sw->ntasks, sw->name, es_cli_shell_word(dir, q, sizeof q));
    } else if (!strcmp(o.scheduler, "local")) {
        rc = run_local(sw, &o, abs, dir, idx, n);
    } else {
        char script[4400];
        int slurm = !strcmp(o.scheduler, "slurm"), mapped = 0;
        size_t pending = n;
        /* one array job takes at most the cluster's array size limit of tasks */
        n = slurm ? es_sweep_slurm_chunk(sw, n) : es_sweep_pbs_chunk(sw, n);
        size_t limit = slurm ? es_sweep_max_array_size(sw) : es_sweep_pbs_max_array_size(sw);
        st = slurm ? es_sweep_write_sbatch(sw, abs, es_cli_self_path(), idx, n, script, sizeof script)
                   : es_sweep_write_pbs(sw, abs, es_cli_self_path(), idx, n, script, sizeof script);
        char *array = slurm ? es_sweep_slurm_array(sw, idx, n, &mapped)
                            : es_sweep_array_spec(idx, n, 0);
        if (!st && !array)
            st = es_error_set(ES_ENOMEM, "sweep: out of memory for the task list");
        if (!st && mapped && !o.quiet)
            fprintf(stderr, "esuite: sweep: note: task indices reach %zu, beyond MaxArraySize - 1 = %zu: "
                            "array elements 0..%zu run the tasks listed in job.sbatch (logs are named by "
                            "array element)\n", idx[n - 1], es_sweep_max_array_size(sw) - 1, n - 1);
        if (!st && pending > n)
            fprintf(stderr, "esuite: sweep: note: this job takes %zu of the %zu unfinished tasks "
                            "(%s %zu, [slurm] max_array_size); when it has ended, run the same "
                            "command again for the rest\n", n, pending,
                    slurm ? "MaxArraySize" : "max_array_size", limit);
        if (!st && mapped) { /* name the tasks, not only the array elements running them */
            char *tasks = es_sweep_array_spec(idx, n, 0);
            size_t len = (tasks ? strlen(tasks) : 0) + strlen(array) + 16;
            char *label = tasks ? malloc(len) : NULL;
            if (label)
                snprintf(label, len, "%s as array %s", tasks, array);
            else
                st = es_error_set(ES_ENOMEM, "sweep: out of memory for the task list");
            free(tasks);
            free(array);
            array = label;
        }
        if (st) {
            es_cli_error("%s", es_error_message());
            rc = 1;
        } else if (o.submit && refuse_while_queued(abs, "submitting again")) {
            rc = 1;
        } else if (o.submit) {
            rc = submit(abs, o.scheduler, script, array);
        } else {
            printf("%s\n", script);
            if (!o.quiet)
                fprintf(stderr, "esuite: sweep: wrote %s for %zu tasks (%s); submit with '%s %s'\n", script,
                        n, array, slurm ? "sbatch" : "qsub", script);
        }
        free(array);
    }
    if (lock >= 0)
        close(lock); /* releases the lock */
    free(idx);
    es_sweep_free(sw);
    return rc;
}
