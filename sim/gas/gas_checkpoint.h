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

int es_gas_checkpoint_save(const es_gas *g, es_checkpoint_writer *w, const char *prefix);
/* Rebuild an engine for `par` from the sections under `prefix`; ES_EDATA
 * (naming the section) if a section is missing or its size does not fit. */
int es_gas_checkpoint_load(const es_checkpoint *c, const char *prefix, const es_gas_params *par,
                           es_gas **out);

#endif
