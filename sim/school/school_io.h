/* school/school_io.h — one school run written to a run directory. */
#ifndef ESUITE_SCHOOL_IO_H
#define ESUITE_SCHOOL_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/output.h"
#include "school/school.h"

typedef struct {
    long long n_steps;
    long long save_interval;   /* steps between frames */
    long long metrics_every;   /* steps between entropy evaluations (multiple of save_interval) */
    bool entropy;              /* seven entropies + OSI */
    bool metrics_only;         /* no positions/velocities */
    bool periodic_centroid;
    size_t velcorr_exact_max;
    int compression;           /* deflate level 0..9 */
    bool quiet;
    double log_interval;       /* seconds between batch progress lines */
} es_school_run_opts;

/* Run the simulation and write DIR/school.nc and DIR/summary.json (last).
 * `mode_name` is recorded as the global attribute `mode`. */
int es_school_run_to_dir(const es_school_params *p, const es_school_run_opts *o, const char *dir,
                         es_provenance *prov, const char *mode_name);

#endif
