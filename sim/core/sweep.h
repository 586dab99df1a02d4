/* core/sweep.h — parameter sweeps: sweep files, task expansion, sweep directories.
 *
 * A sweep file is INI read by a small line parser of our own (so that every
 * error names file and line):
 *
 *   [sweep]
 *   base = school.ini            ; relative to the sweep file
 *   name = phase                 ; sweep directory name and job name
 *   mode = cartesian             ; cartesian | zip
 *   replicas = 3                 ; seeds: base seed + replica index ...
 *   seeds = 11, 12, 13           ; ... or an explicit list (one per replica)
 *   vary school.r_o = 1:3:1      ; A:B:STEP (inclusive)
 *   vary school.r_a = 2,4,8      ; explicit list
 *   vary gas.T = logspace(-1,1,5); 10^-1 .. 10^1, 5 values (numpy convention)
 *   [vary]                       ; optional: the same as "vary KEY = SPEC" lines
 *   gas.N = 64,128
 *   [slurm]
 *   time = 01:00:00
 *   cpus_per_task = 4            ; = OMP_NUM_THREADS of each task
 *   mem = 4G
 *   partition = debug
 *   account = proj42
 *   max_concurrent = 8
 *   max_array_size = 1001        ; the cluster's MaxArraySize (default 1001)
 *   extra = --qos=normal         ; repeatable: one more "#SBATCH" line each
 *
 * Task order: the replica index runs fastest, then the last vary line, ...,
 * the first vary line slowest (cartesian); zip pairs the i-th values of all
 * axes (all lists must have the same length). A sweep directory holds
 * manifest.json, tasks/NNNN/config.ini (resolved), tasks/NNNN/out (the run),
 * logs/, and job.sbatch / job.pbs. */
#ifndef ESUITE_SWEEP_H
#define ESUITE_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

#define ES_SWEEP_MAX_AXES 16
#define ES_SWEEP_MAX_EXTRA 32
/* Slurm's default MaxArraySize: array indices 0 .. 1000. */
#define ES_SLURM_MAX_ARRAY_SIZE 1001
/* PBS Pro's default server max_array_size. */
#define ES_PBS_MAX_ARRAY_SIZE 10000

typedef enum { ES_SWEEP_CARTESIAN = 0, ES_SWEEP_ZIP = 1 } es_sweep_mode;

typedef struct {
    char key[256];    /* "section.key" */
    int line;         /* line of its vary in the sweep file */
    size_t n;
    char **values;    /* text form, as written into the task configs */
    int numeric;      /* every value parses as a finite number */
} es_sweep_axis;

typedef struct {
    char time[64], mem[64], partition[128], account[128];
    int cpus_per_task;   /* 0: not given (1 is used) */
    int max_concurrent;  /* 0: unlimited */
    int max_array_size;  /* 0: not given (ES_SLURM_MAX_ARRAY_SIZE, ES_PBS_MAX_ARRAY_SIZE) */
    int nextra;
    char extra[ES_SWEEP_MAX_EXTRA][512];
} es_sweep_resources;

typedef struct {
    size_t index;
    size_t value_index[ES_SWEEP_MAX_AXES];
    int replica;
    unsigned long long seed;
} es_sweep_task;

typedef struct {
    char path[4096];       /* sweep file ("" when read back from a manifest) */
    char base[4096];       /* base config, absolute or as resolved */
    char name[128];
    char model[64];
    es_sweep_mode mode;
    int replicas;
    int nseeds;
    unsigned long long *seeds; /* explicit seeds, NULL if none */
    unsigned long long base_seed;
    size_t naxes;
    es_sweep_axis axes[ES_SWEEP_MAX_AXES];
    es_sweep_resources res;
    size_t ntasks;
    es_sweep_task *tasks;
} es_sweep;

/* Parse a value spec ("A:B:STEP", "v1,v2,...", "logspace(A,B,N)") into
 * newly allocated strings. Numbers are printed with %.15g so that 0.1:0.3:0.1
 * gives 0.1, 0.2, 0.3 exactly as written. */
int es_sweep_parse_values(const char *spec, char ***values, size_t *n);
void es_sweep_free_values(char **values, size_t n);

/* Read a sweep file, expand its tasks and validate every task's config
 * against the real schema (core + the base config's model). Errors name the
 * sweep file and line ("sweep.ini:7: vary gas.Nx: ..."). */
int es_sweep_load(const char *path, es_sweep **out);
void es_sweep_free(es_sweep *sw);

/* The resolved config of task i as INI text (caller frees). */
int es_sweep_task_config(const es_sweep *sw, size_t i, char **ini);
/* 1 when [section] key of task i is a file path (unit "path") that the base
 * config or a vary line gives as a relative path (copied to value), which the
 * task's config holds made absolute from the working directory of
 * `esuite sweep`; 0 otherwise. */
int es_sweep_task_relative_path(const es_sweep *sw, size_t i, const char *section, const char *key,
                                char *value, size_t len);
/* "gas.N=64 school.r_o=2" style description of task i (buffer). */
void es_sweep_task_label(const es_sweep *sw, size_t i, char *buf, size_t len);
/* The label and the replica: "gas.N=64 replica 1", or "replica 1" for a sweep
 * without vary lines (so no message reads "( replica 1)"). */
void es_sweep_task_describe(const es_sweep *sw, size_t i, char *buf, size_t len);

/* ---- sweep directories (sweep_dir.c) ---- */

/* Task directory name relative to the sweep directory: "tasks/0007". */
void es_sweep_task_dir(size_t index, char *buf, size_t len);

/* Write DIR/manifest.json and DIR/tasks/NNNN/config.ini for every task.
 * If DIR already holds a sweep, every task config must be identical to the
 * one on disk (otherwise ES_ECONFIG: a different sweep): nothing is lost. */
int es_sweep_write_dir(const es_sweep *sw, const char *dir);
/* Read a sweep back from DIR/manifest.json (axes, tasks, resources). */
int es_sweep_load_dir(const char *dir, es_sweep **out);
/* Record a key (e.g. "slurm_job_ids") in the manifest: appends `value` to the
 * array named `key` under "submissions". */
int es_sweep_record_submission(const char *dir, const char *scheduler, const char *job_id,
                               const char *array_spec);

typedef enum {
    ES_TASK_PENDING = 0,   /* no output yet, or interrupted without a result */
    ES_TASK_COMPLETE = 1,  /* summary.json + .complete whose checksum matches */
    ES_TASK_FAILED = 2,    /* the run exited nonzero (tasks/NNNN/failed.json) */
    ES_TASK_CORRUPT = 3    /* .complete present but the outputs changed or vanished, or it is damaged;
                            * or failed.json is damaged */
} es_task_state;

typedef struct {
    es_task_state state;
    int exit_code;         /* FAILED */
    char log[1024];        /* FAILED: the log path recorded by the runner */
    char reason[320];      /* FAILED with exit code -1, CORRUPT with an unreadable .complete or
                            * failed.json: why ("" otherwise) */
    int has_checkpoint;    /* out/checkpoint.esck exists (resumable) */
} es_task_status;

int es_sweep_task_status(const char *dir, size_t index, es_task_status *st);
const char *es_task_state_name(es_task_state s);

/* Output checksum: 64-bit FNV-1a over every regular file under `out`
 * (recursively, in byte order of the relative paths), hashing for each file
 * its relative path, a NUL, its size as 8 little-endian bytes and its
 * contents. .complete itself, checkpoint.esck and *.part-* files are left
 * out. */
int es_sweep_output_hash(const char *out, uint64_t *hash, size_t *nfiles, uint64_t *nbytes);

/* Called when a task's run has ended: exit 0 with summary.json → write
 * out/.complete (checksum) and remove failed.json; otherwise write
 * failed.json {exit_code, log}. */
int es_sweep_finish_task(const char *dir, size_t index, int exit_code, const char *log);

/* ---- job scripts (sweep_script.c) ---- */

/* Array spec for the pending tasks, e.g. "0-3,7,9-11%4" (max_concurrent); "" for none,
 * NULL when out of memory. */
char *es_sweep_array_spec(const size_t *indices, size_t n, int max_concurrent);
/* Seconds before the [slurm] time limit (as sbatch takes it; "" or UNLIMITED:
 * unknown) at which the job is warned: 120, or a fifth of a limit under 10 minutes. */
int es_sweep_warn_seconds(const char *time);
/* The cluster's MaxArraySize: [slurm] max_array_size, or Slurm's default. */
size_t es_sweep_max_array_size(const es_sweep *sw);
/* How many of the n pending tasks one Slurm array job takes: at most
 * MaxArraySize ([slurm] max_array_size); the rest wait for a resubmission. */
size_t es_sweep_slurm_chunk(const es_sweep *sw, size_t n);
/* The same for a PBS array job ([slurm] max_array_size, or PBS Pro's default). */
size_t es_sweep_pbs_max_array_size(const es_sweep *sw);
size_t es_sweep_pbs_chunk(const es_sweep *sw, size_t n);
/* The --array value of job.sbatch for these tasks: their indices, or, when
 * one is beyond MaxArraySize - 1, 0 .. n-1 mapped through a list in the
 * script (*mapped = 1). NULL when out of memory. */
char *es_sweep_slurm_array(const es_sweep *sw, const size_t *indices, size_t n, int *mapped);
/* Write DIR/job.sbatch (or job.pbs) for the listed tasks. `esuite` is the
 * absolute path of the executable the jobs run. */
int es_sweep_write_sbatch(const es_sweep *sw, const char *dir, const char *esuite,
                          const size_t *indices, size_t n, char *script, size_t len);
int es_sweep_write_pbs(const es_sweep *sw, const char *dir, const char *esuite,
                       const size_t *indices, size_t n, char *script, size_t len);

/* ---- local runner (sweep_local.c) ---- */

typedef struct {
    size_t task;
    int exit_code;  /* of its run (0: it succeeded, but the outcome was not recorded) */
    int recorded;   /* failed.json (or .complete) could be written */
} es_sweep_failure;

/* Run the listed tasks with `esuite run`, `jobs` at a time, each as a child
 * of this process; records the outcome with es_sweep_finish_task. A task
 * that fails, or whose outcome cannot be recorded, goes into failed[] (room
 * for n entries), counted by *nfailed; the other tasks still run. Errors
 * are only what stops the runner itself (fork, waitpid, a signal). */
int es_sweep_run_local(const char *dir, const char *esuite, const size_t *indices, size_t n,
                       int jobs, int quiet, es_sweep_failure *failed, size_t *nfailed);

/* Small helpers shared by sweep and collect. */
uint64_t es_fnv1a64(uint64_t h, const void *data, size_t n);
#define ES_FNV1A64_INIT 0xcbf29ce484222325ULL
int es_sweep_write_file_atomic(const char *path, const char *text, size_t len);
int es_sweep_mkdir_p(const char *dir);

#endif
