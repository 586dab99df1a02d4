/* school/school_flat.h — the reference library's flat config files. */
#ifndef ESUITE_SCHOOL_FLAT_H
#define ESUITE_SCHOOL_FLAT_H

#include <stddef.h>

/* 1 if `path` holds "key = value" lines and no [section] header. */
int es_school_flat_is_reference(const char *path);
/* Translate a flat dewi-kadita config into esuite INI text ([run] model =
 * school, [school] mode = dewi-kadita, init_rng = numpy, the file's keys).
 * *ini_text and *line_map (the flat file's line of each of its *n_lines
 * lines, 0 for generated ones: for es_config_load_mapped) are malloc'ed
 * (caller frees). Ignored visualisation-only keys are reported with
 * es_warning_add. Errors name file, line and key. */
int es_school_import_flat(const char *path, char **ini_text, int **line_map, size_t *n_lines);
/* The reference's scenario_name → file-name rule ("Case 1 - Swarm" → "case1_swarm"). */
void es_school_flat_run_name(const char *scenario, char *out, size_t len);

#endif
