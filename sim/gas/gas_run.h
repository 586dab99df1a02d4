/* gas/gas_run.h — free-expansion experiment: R independent realizations
 * (OpenMP across realizations), entropies of several cell sets sampled at
 * given times, per realization and pooled. Independent of the output layer
 * (the model adapter gas_model.c maps config keys onto it); the config is
 * only used to identify checkpoints.
 *
 * Reproducibility: realization r uses rng stream r of the seed; samples are
 * taken in lockstep and every reduction runs in realization order, so the
 * results are bit-identical for any thread count. */
#ifndef ESUITE_GAS_RUN_H
#define ESUITE_GAS_RUN_H

#include <stddef.h>

#include "core/config.h"
#include "esuite/boltzmann.h"
#include "gas/gas.h"

typedef struct {
    es_gas_params gas;            /* .stream is set per realization */
    double equilibration;         /* collisions per particle with the partition in place */
    size_t n_sets;
    const es_bz_grid *sets;       /* cell sets; lx, ly are overwritten with the box */
    size_t n_times;
    const double *times;          /* sampling times after the partition is removed, increasing */
    int realizations;
    size_t profile_bins;          /* x-profile bins (0: none) */
    int threads;                  /* OpenMP threads (<= 0: runtime default) */
    /* Optional progress report between samples: done in [0, 1]. */
    void (*progress)(void *ctx, double done);
    /* Optional report during the equilibration (same ctx): the fraction in
     * [0, 1] of all realizations' equilibration collisions done; called from
     * the worker threads, one at a time. */
    void (*prep_progress)(void *ctx, double done);
    void *progress_ctx;
    /* Checkpoint/restart (core/checkpoint.h), all optional. With ck_dir set,
     * es_checkpoint_install_signals() is called and, at the boundary after a
     * sample, a checkpoint (ck_dir/checkpoint.esck, identified by ck_cfg's
     * hash) is written every ck_interval wall seconds (<= 0: only on signals)
     * and on SIGTERM/SIGINT/SIGUSR1, after which the run returns ES_EINTR.
     * stop_after_samples > 0 acts like a SIGUSR1 once that many samples are
     * taken (a testing aid). resume: a checkpoint file to continue from (its
     * config hash must be ck_cfg's); the result is bit-identical to an
     * uninterrupted run, for any thread count on either side. */
    const es_config *ck_cfg;
    const char *ck_dir;
    double ck_interval;
    size_t stop_after_samples;
    const char *resume;
} es_gas_run_spec;

/* Index helpers: sample k (time), set c, realization r. */
#define ES_GAS_RKC(res, r, k, c) (((size_t)(r) * (res)->n_times + (k)) * (res)->n_sets + (c))
#define ES_GAS_RK(res, r, k) ((size_t)(r) * (res)->n_times + (k))
#define ES_GAS_KC(res, k, c) ((size_t)(k) * (res)->n_sets + (c))

typedef struct {
    size_t n_sets, n_times, bins;
    int realizations;
    es_gas_scales scales;         /* initial-region η, λ, τ_c, Kn, ν (theory) */
    /* per realization [r] */
    double *Z_eq, *nu_eq;         /* measured during the second half of equilibration */
    double *energy_drift;         /* max |E(t)/E(0) − 1| over the samples */
    /* per realization and sample [r][k] */
    double *n_right;              /* N_R/N */
    double *energy;               /* E/N */
    double *collisions;           /* collisions since t = 0 */
    double *virial_P;             /* P·A/(N·T) from collisions since t = 0 (time average) */
    /* per realization, sample and set [r][k][c] */
    es_bz_result *full, *position, *velocity;
    /* pooled over realizations [k][c] (N_eff = R·N) */
    es_bz_result *pooled;
    /* profiles averaged over realizations [k][bin] */
    double *density, *ux, *temperature;
} es_gas_run_result;

int es_gas_run(const es_gas_run_spec *spec, es_gas_run_result **out);
void es_gas_run_result_free(es_gas_run_result *res);

#endif
