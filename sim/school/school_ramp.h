/* school/school_ramp.h — a parameter ramp (the collective-memory protocol).
 *
 * Couzin et al. (2002) probe hysteresis by changing one parameter in small
 * steps, holding each value for a fixed number of steps with the state
 * carried over, first up through a list of values and then back down
 * (spec ../shared/specs/school.md §2). A ramp run does exactly that with
 * one engine: per hold it averages P and M over the last `average_steps`
 * steps (every `sample_every` steps) and classifies the state; school.nc
 * gets the per-hold means on a `hold` dimension next to the usual time
 * series, summary.json a `ramp` object, and hysteresis.png the loop. */
#ifndef ESUITE_SCHOOL_RAMP_H
#define ESUITE_SCHOOL_RAMP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/output.h"
#include "school/school.h"

typedef enum {
    ES_SCHOOL_RAMP_NONE = 0,
    ES_SCHOOL_RAMP_DR_ORIENTATION = 1, /* Δr_o (r_o = r_r + v), Δr_a held */
    ES_SCHOOL_RAMP_DR_ATTRACTION = 2,  /* Δr_a (r_a = r_o + v) */
    ES_SCHOOL_RAMP_NOISE = 3           /* σ */
} es_school_ramp_param;

typedef struct {
    es_school_ramp_param param;
    const char *param_name;  /* as in the config: recorded in the outputs */
    const double *values;    /* the values of the way up, in order */
    size_t nvalues;
    bool back;               /* then the same values in reverse order (way down) */
    long long hold_steps;    /* steps per value */
    long long average_steps; /* last steps of a hold averaged (<= hold_steps) */
    long long sample_every;  /* steps between samples inside the window */
    long long save_interval; /* steps between frames of the time series */
    bool metrics_only;       /* no positions/velocities */
    int compression;         /* deflate level of positions/velocities, 0: none */
    bool periodic_centroid;  /* dewi-kadita only, as in a plain run */
    bool plots;              /* draw hysteresis.png */
    bool quiet;
    double log_interval;
    /* Checkpoint/restart (as a plain run's): the resolved config (its hash
     * and text go into the checkpoint; NULL: no checkpoints, signals not
     * polled), the [output] checkpoint_interval in seconds (<= 0: on signals
     * only) and the stop_after_steps test hook (0: never), which counts the
     * steps of the whole ramp. */
    const es_config *cfg;
    double checkpoint_interval;
    long long stop_after_steps;
} es_school_ramp_opts;

/* The parameters with ramp value v applied to `base` (checked). */
int es_school_ramp_apply(const es_school_params *base, es_school_ramp_param param, double v,
                         es_school_params *out);

/* Run the whole ramp from p's initial state (or, when
 * es_checkpoint_resume_path() is set, from that checkpoint); write
 * DIR/school.nc, DIR/summary.json (last) and DIR/hysteresis.png (o->plots).
 * ES_EINTR after writing DIR/checkpoint.esck on a signal or at
 * o->stop_after_steps. */
int es_school_ramp_run(const es_school_params *p, const es_school_ramp_opts *o, const char *dir,
                       es_provenance *prov, const char *mode_name);

#endif
