/* core/collect.h — gather a sweep's summary.json files into one table.
 *
 * Every numeric field of every complete task's summary.json (nested objects
 * flattened with ".", e.g. "final.P", arrays of up to 64 elements by index,
 * e.g. "cells[1].dS_MM"; "provenance" and longer arrays left out; null read
 * as NaN) becomes a column; one named like a column collect adds itself
 * (seed, replica, a swept key, ...) is prefixed with "summary.". Tasks that are not complete (pending,
 * failed, or whose outputs changed after completion) keep NaN in every
 * column and are listed, never dropped.
 *
 * NetCDF (netCDF-4): for a cartesian sweep one dimension per varied key
 * (named like the key with '.' → '_', coordinate variable of the values,
 * attribute sweep_key with the real name) plus "replica"; for a zip sweep a
 * "point" dimension with one coordinate variable per key, plus "replica".
 * Each field is a double variable over those dimensions with _FillValue NaN;
 * task_index, task_seed and task_status (0 pending, 1 complete, 2 failed,
 * 3 corrupt) share them. Global attributes: the provenance of every output
 * (es_output_nc_provenance: version, git revision, seed of task 0, config =
 * the sweep and task 0's resolved config) and the missing and failed tasks.
 * The CSV starts with the same provenance as '#' lines, then one row per
 * task. Both files are written atomically. */
#ifndef ESUITE_COLLECT_H
#define ESUITE_COLLECT_H

#include <stddef.h>

#include "core/sweep.h"

/* Columns a table holds (the NetCDF writer's name list is sized for them). */
#define ES_COLLECT_MAX_FIELDS 1000

typedef struct {
    es_sweep *sw;            /* from the sweep directory's manifest */
    char dir[4096];
    size_t nfields;
    char **fields;           /* flattened summary names, first-seen order */
    double *values;          /* ntasks × nfields, row-major; NaN where missing */
    es_task_status *status;  /* per task */
    size_t ncomplete, npending, nfailed, ncorrupt;
} es_collect_table;

int es_collect_load(const char *sweep_dir, es_collect_table **out);
void es_collect_free(es_collect_table *t);

/* Value of `field` for task i (NaN if absent); -1 index if no such field. */
long es_collect_field_index(const es_collect_table *t, const char *field);

/* Write to `path`; messages name `shown` (NULL: path), the file the user
 * asked for when `path` is its staging name: "cannot write 'S/table.nc':
 * NetCDF: HDF error" past a file-size limit named S/.table.nc.part-PID,
 * removed by the time it was read. */
int es_collect_write_nc(const es_collect_table *t, const char *path, const char *shown);
int es_collect_write_csv(const es_collect_table *t, const char *path, const char *shown);

/* Move the staged NetCDF table and CSV onto nc_path and csv_path, together:
 * an existing table at nc_path is kept under a hard link (.NAME.bak-PID)
 * until the CSV is in place, and put back when the CSV cannot be (a table
 * that was not there is removed again), so a failure leaves the old pair. */
int es_collect_commit(const char *nc_stage, const char *nc_path, const char *csv_stage,
                      const char *csv_path);

#endif
