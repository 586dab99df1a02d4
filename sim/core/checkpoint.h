/* core/checkpoint.h — checkpoint/restart for long runs.
 *
 * Three pieces:
 *  1. Signals: es_checkpoint_install_signals() makes SIGTERM, SIGINT and
 *     SIGUSR1 (what Slurm sends before a time limit with --signal) only set
 *     a flag; the model polls es_checkpoint_requested() at a safe point.
 *  2. Timing: es_checkpoint_timer says when a periodic checkpoint is due
 *     (wall-clock interval) or requested by a signal.
 *  3. The container: a bit-exact binary file
 *       "ESUITECK" | u32 format version | u32 flags(0) | char model[32] |
 *       char esuite_version[32] | u64 config hash |
 *       sections: u32 name length (>0) | name | u64 size | raw bytes |
 *       u32 0 (end of sections) | u64 FNV-1a-64 of every byte before it
 *     (integers little-endian), written to a temporary name, fsynced and
 *     renamed, so a crash mid-write leaves the previous checkpoint intact.
 *     Section bytes are stored exactly as given (doubles bit for bit), so a
 *     restored state continues bit-identically.
 *
 * A run keeps its checkpoint as OUTPUT_DIR/checkpoint.esck, next to the
 * resolved config (section "config", written by es_checkpoint_writer_begin). */
#ifndef ESUITE_CHECKPOINT_H
#define ESUITE_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

#define ES_CHECKPOINT_FILE "checkpoint.esck"
#define ES_CHECKPOINT_FORMAT_VERSION 1u

/* ---- signals ---- */

/* Install flag-setting handlers for SIGTERM, SIGINT, SIGUSR1 (SA_RESTART).
 * Idempotent. es_checkpoint_restore_signals() puts the previous ones back. */
int es_checkpoint_install_signals(void);
void es_checkpoint_restore_signals(void);
/* True once one of the signals arrived (async-signal-safe flag). */
bool es_checkpoint_requested(void);
/* The last signal received (0 if none). */
int es_checkpoint_signal(void);
/* True if the signal asks the run to stop after checkpointing (SIGTERM,
 * SIGINT, SIGUSR1 all do: Slurm kills the job shortly after USR1). */
bool es_checkpoint_should_stop(void);
void es_checkpoint_clear_request(void);

/* ---- timing ---- */

typedef struct {
    double interval_s;  /* <= 0: only on signals */
    double last;        /* monotonic seconds of the last checkpoint (or start) */
} es_checkpoint_timer;

void es_checkpoint_timer_init(es_checkpoint_timer *t, double interval_s);
/* A checkpoint is due: the interval elapsed or a signal was received. */
bool es_checkpoint_due(const es_checkpoint_timer *t);
/* Call after writing a checkpoint. */
void es_checkpoint_timer_reset(es_checkpoint_timer *t);

/* ---- config identity ---- */

/* FNV-1a-64 of the resolved config text without the keys that do not change
 * results ([run] threads, [run] output_dir, [run] name, the whole [output]
 * section), so a resubmission with other thread counts may resume; a
 * testing stop knob (a key named stop_after_*) counts as 0, since a resumed
 * run sets it to 0 (es_checkpoint_read also accepts an older build's hash of
 * its value as written). */
uint64_t es_checkpoint_config_hash(const es_config *cfg);
/* The same over INI text as produced by es_config_to_ini(). */
uint64_t es_checkpoint_config_text_hash(const char *ini);

/* ---- writing ---- */

typedef struct es_checkpoint_writer es_checkpoint_writer;

/* Start a checkpoint at `path` (written to path.part-PID until committed). */
int es_checkpoint_writer_alloc(const char *path, const char *model, uint64_t config_hash,
                               es_checkpoint_writer **w);
/* Convenience: writer for DIR/checkpoint.esck with the config's hash and a
 * "config" section holding its resolved INI text (used by resume), with
 * "config_origin", "config_overrides" and "history" (es_provenance_history_so_far). */
int es_checkpoint_writer_begin(const char *dir, const char *model, const es_config *cfg,
                               es_checkpoint_writer **w);
int es_checkpoint_write_section(es_checkpoint_writer *w, const char *name, const void *data,
                                size_t size);
/* Finish, fsync and rename into place; frees w in every case. */
int es_checkpoint_writer_commit(es_checkpoint_writer *w);
/* Abandon: removes the temporary file; frees w. */
void es_checkpoint_writer_free(es_checkpoint_writer *w);

/* ---- reading ---- */

typedef struct es_checkpoint es_checkpoint;

/* Read and verify `path`: magic, format version, checksum; then, when
 * `model` is non-NULL, the model name, and when config_hash is nonzero, the
 * config hash. Each failure is ES_EDATA with a message naming the file and
 * what does not match (a corrupt file: "checksum mismatch ... (stored X,
 * computed Y): the file is corrupt or truncated"). */
int es_checkpoint_read(const char *path, const char *model, uint64_t config_hash,
                       es_checkpoint **out);
/* Copy section `name` into data; its stored size must be exactly `size`. */
int es_checkpoint_read_section(const es_checkpoint *c, const char *name, void *data, size_t size);
/* Pointer to a section's bytes (owned by c) and its size; NULL if absent. */
const void *es_checkpoint_section(const es_checkpoint *c, const char *name, size_t *size);
const char *es_checkpoint_model(const es_checkpoint *c);
const char *es_checkpoint_esuite_version(const es_checkpoint *c);
uint64_t es_checkpoint_hash_of(const es_checkpoint *c);
void es_checkpoint_free(es_checkpoint *c);

/* ---- resume ---- */

/* For `esuite run --resume DIR`: verify DIR/checkpoint.esck and write its
 * "config" section to DIR/resume.ini (atomically); *config_path (malloc'd)
 * names that file. Load it like any config, then call
 * es_checkpoint_set_resume(DIR) before running the model. If origin is not
 * NULL, *origin (malloc'd) is the config file the run first came from (the
 * checkpoint's "config_origin"; the checkpoint's own path for older ones),
 * for the provenance (es_config_set_origin). If overrides is not NULL,
 * *overrides (malloc'd) is the first run's --set options, one per line (empty
 * for checkpoints that did not record them), to be applied again so that the
 * resumed run's provenance lists them. If history is not NULL, *history
 * (malloc'd) is the checkpoint's "history" section: the history lines of
 * the runs so far, one per run, the one that wrote the checkpoint last
 * (NULL for checkpoints that did not record them), for
 * es_provenance_set_history_before. */
int es_checkpoint_resume_config(const char *dir, char **config_path, char **origin, char **overrides,
                                char **history);
/* The run command tells models that this run continues a checkpoint;
 * NULL clears it. */
void es_checkpoint_set_resume(const char *dir);
/* Path of the checkpoint to resume from (DIR/checkpoint.esck), or NULL for
 * a fresh run. Models call this once at start. */
const char *es_checkpoint_resume_path(void);

#endif
