/* core/output.h — run directories, atomic files, provenance, summary.json.
 *
 * Every file a run writes is first created under a temporary name
 * ("<name>.part-<pid>") and renamed into place by es_output_commit() only
 * when complete, so an interrupted run leaves nothing that looks finished.
 * summary.json is written last: its presence marks a completed run. */
#ifndef ESUITE_OUTPUT_H
#define ESUITE_OUTPUT_H

#include <hdf5.h>
#include <jansson.h>
#include <time.h>

#include "core/config.h"

/* What every output records about the run that made it. */
typedef struct {
    const char *model;       /* "gas", "school", "orbits", "ordinal" */
    const char *run_name;
    unsigned long long seed;
    int threads;
    char *config_ini;        /* resolved config (owned) */
    char *overrides;         /* --set lines (owned, may be empty) */
    const char *config_path;
    char host[256];
    char start_time[32];     /* ISO 8601 UTC */
    char end_time[32];
    char command_line[1024];
    char *history_before;    /* a resumed run: the history lines of the runs before (owned; from
                              * the checkpoint, for school.nc from the reopened file) */
    int incomplete;          /* a text could not be allocated: the writers refuse it */
} es_provenance;

void es_provenance_init(es_provenance *p, const es_config *cfg, const char *model);
/* cfg may be NULL (e.g. `esuite ordinal`): then config fields stay empty. */
void es_provenance_set_command(es_provenance *p, int argc, char **argv);
/* Record argv (shell-quoted) as the command line of every later
 * es_provenance_init; main() calls it once, before options are parsed. */
void es_provenance_set_process_command(int argc, char **argv);
/* Stamp now as the start_time of every later es_provenance_init: a model
 * whose provenance is made after its computation (with the counts it derived)
 * still records when the run began. `esuite run` calls it before the run. */
void es_provenance_mark_start(void);
/* A resumed run: the history lines of the runs before it (its checkpoint's
 * "history" section; NULL for a fresh run or an older checkpoint without
 * one), copied into every later es_provenance_init, so that the output's
 * `history` has one line per run, the earlier ones first. */
int es_provenance_set_history_before(const char *lines);
/* The history lines so far (those of the runs before, then this run's line
 * from the start time and command line), malloc'd (NULL: out of memory):
 * what a checkpoint records for the run that resumes it. */
char *es_provenance_history_so_far(void);
void es_provenance_finish(es_provenance *p); /* stamps end_time */
/* Stamp end_time and add esuite_version, git_revision, host, start_time and
 * end_time to every object of the JSON array `records` (bench and validate
 * --json: a figure is only comparable with the revision, host and time it
 * came from; the records' own keys come first and are unchanged). */
void es_provenance_add_to_records(json_t *records, es_provenance *p);
void es_provenance_free(es_provenance *p);

/* A run's output directory. */
typedef struct {
    char dir[4096];
    es_provenance prov;
    int quiet;
} es_run_output;

int es_output_prepare_dir(const char *dir); /* mkdir -p */

/* Atomic file: fill `tmp` (size >= 4200) with the temporary path for `final_path`. */
void es_output_tmp_path(const char *final_path, char *tmp, size_t len);
int es_output_commit(const char *tmp_path, const char *final_path); /* fsync + rename */
int es_output_sync_parent(const char *path); /* fsync the directory holding path */
void es_output_discard(const char *tmp_path);                      /* unlink */
/* A file written through HDF5 (NetCDF-4) failed to write or close: HDF5 may
 * keep it half open and crash on it in its exit handler, which main() then
 * skips (it already does outside sanitizer builds). */
void es_output_hdf5_failed(void);
int es_output_hdf5_has_failed(void);

/* Provenance attributes: esuite_version, git_revision, config, overrides,
 * seed, threads, host, start_time, end_time, model, Conventions=CF-1.8 (NetCDF),
 * history, source. */
int es_output_h5_provenance(hid_t file, const es_provenance *p);
int es_output_nc_provenance(int ncid, const es_provenance *p);
/* A NetCDF file defined at the start of a run and filled as it goes (school.nc)
 * is finished here, before nc_close: stamps p's end_time and writes it over
 * the attribute, which es_output_nc_provenance could only leave empty. */
int es_output_nc_finish(int ncid, es_provenance *p);
/* The same for a file a resumed run reopened (written by the run it
 * continues): every provenance attribute is written again as this run's
 * (its config, with a stop_after_* knob reset to 0, overrides, command line,
 * start and end time), and `history` keeps the lines of the runs before it,
 * this run's line last. */
int es_output_nc_finish_resumed(int ncid, es_provenance *p);
/* Called when a resumed run has reopened the file: its history gets this
 * run's line at once, so that a resumed run interrupted again (a checkpoint,
 * exit 3) keeps its line too; es_output_nc_finish_resumed then reuses the
 * lines read here. */
int es_output_nc_resume_history(int ncid, es_provenance *p);

/* An HDF5 file built in memory and written out only when complete: HDF5 then
 * never meets a full disk itself (a failed H5Fclose leaves the library in a
 * state that crashes at exit), and es_h5_commit_memory reports the failure
 * as one message naming final_path, leaving neither a part file nor a
 * truncated final file. For outputs of moderate size (it holds the whole
 * file in memory). create returns < 0 with the error set; commit always
 * closes `file`. */
hid_t es_h5_create_in_memory(const char *final_path);
int es_h5_commit_memory(hid_t file, const char *final_path);

/* HDF5 helpers: 1-D/2-D double datasets with units and long_name attributes,
 * chunked and deflate-compressed when large. */
int es_h5_write_double(hid_t loc, const char *name, int rank, const unsigned long long *dims,
                       const double *data, const char *units, const char *long_name);
/* The same at deflate `level` ([output] compression): -1 the default (4), 0 no
 * filter (the dataset stays contiguous), 1..9 that level. */
int es_h5_write_double_level(hid_t loc, const char *name, int rank, const unsigned long long *dims,
                             const double *data, const char *units, const char *long_name,
                             int level);
int es_h5_write_attr_string(hid_t obj, const char *name, const char *value);
int es_h5_write_attr_double(hid_t obj, const char *name, double value);
/* Counts (N, realizations, pattern order, samples) as 64-bit integers, not floats. */
int es_h5_write_attr_long(hid_t obj, const char *name, long long value);

/* summary.json: adds a "provenance" object to `summary` and writes it
 * atomically as DIR/summary.json. Steals nothing: caller keeps `summary`. */
int es_output_write_summary(const char *dir, json_t *summary, const es_provenance *p);

/* Print a JSON number with full double precision ("%.17g"); NaN/Inf as null. */
json_t *es_json_real(double x);
/* A JSON string of s, bytes that are not UTF-8 written as the text \xHH
 * (json_string() gives NULL for them, and the key was dropped); NULL s is "". */
json_t *es_json_text(const char *s);
/* 1 if s is valid UTF-8 text (NULL: ""), 0 if not. */
int es_utf8_valid(const char *s);

#endif
