/* gas/gas_checkpoint.h — the hard-disc engine's state in a checkpoint
 * (core/checkpoint.h).
 *
 * The event-driven dynamics depends on more than positions and velocities:
 * collision candidates kept across cell crossings, stale predictions, the
 * calendar queue's list order (which breaks ties) and bucket width, and the
 * event count of the next renumbering. Recomputing the queue from the state
 * would give a different (equally valid) trajectory, so the particle and event
 * records, cell heads, queue heads and every engine scalar are stored verbatim;
 * a restored engine continues bit for bit. Sections: PREFIX.state, PREFIX.p,
 * PREFIX.ev, PREFIX.head, PREFIX.queue. */
#ifndef ESUITE_GAS_CHECKPOINT_H
#define ESUITE_GAS_CHECKPOINT_H

#include "core/checkpoint.h"
#include "gas/gas.h"

/* The gas checkpoint format, in section "gas_format" (a uint64). Format 1 had
 * no such section: every build before it, including those before 277827e,
 * which ran a [gas] temperature T0 != 1 with raw engine times and velocities
 * while labelling them sigma/sqrt(T0) and sqrt(T0); its engines and samples
 * cannot be continued in the fixed units. Format 2 (the same sections plus
 * "gas_format") is written by builds with the fix. */
#define ES_GAS_CHECKPOINT_FORMAT 2u

int es_gas_checkpoint_save_format(es_checkpoint_writer *w);
/* Refuse (ES_EDATA, naming `path`) a checkpoint of a newer format, and one of
 * format 1 when the run's config has [gas] temperature `temperature` != 1
 * (written before the unit fix: it must be rerun). A format-1 checkpoint with
 * temperature 1 is the same as a format-2 one and resumes. */
int es_gas_checkpoint_check_format(const es_checkpoint *c, const char *path, double temperature);

int es_gas_checkpoint_save(const es_gas *g, es_checkpoint_writer *w, const char *prefix);
/* Rebuild an engine for `par` from the sections under `prefix`; ES_EDATA
 * (naming the section) if a section is missing or its size does not fit. */
int es_gas_checkpoint_load(const es_checkpoint *c, const char *prefix, const es_gas_params *par,
                           es_gas **out);

#endif
