/* orbits/orbits_model.h — glue between the [orbits] config and the engine. */
#ifndef ES_ORBITS_MODEL_H
#define ES_ORBITS_MODEL_H

#include <stdint.h>

#include "core/config.h"
#include "core/output.h"
#include "orbits/orbits.h"

typedef enum {
    ES_ORB_MODEL_POTENTIAL = 0, ES_ORB_MODEL_HENON_HEILES, ES_ORB_MODEL_PENDULUM,
    ES_ORB_MODEL_LORENZ, ES_ORB_MODEL_LOGISTIC, ES_ORB_MODEL_HENON_MAP, ES_ORB_MODEL_TENT,
    ES_ORB_MODEL_ASYMM_TENT, ES_ORB_MODEL_NOISE
} es_orb_model_system;

typedef struct {
    es_orb_model_system system;
    int is_map;
    es_orb_system sys;
    es_orb_map_kind map;
    es_orb_map_params mp;
    size_t map_length;
    es_orb_run_params rp;
    es_orb_ic_params ic;
    es_orb_insitu_params ip;
    int plots;
} es_orbits_setup_t;

extern const es_key_spec es_orbits_schema[];
int es_orbits_setup(const es_config *cfg, uint64_t seed, es_orbits_setup_t *su);

/* Everything a run produced (orbits_model.c fills, orbits_output.c writes). */
typedef struct {
    size_t n, nout;       /* orbits, samples per series */
    double dt_out;
    double *y0;           /* n·nvar */
    es_orb_result *res;   /* n */
    double *series;       /* n·nobs·nout (orbit-major, then observable) */
    es_orb_insitu *ins;   /* n·nobs */
    double *Hc, *Cc;      /* n·nobs·curve_max_delay, or NULL */
    double *section;      /* n·2·section_max surface-of-section points, or NULL */
} es_orbits_data;

/* ES_ENOMEM, with a message naming the observable and the orbit, when the
 * in-situ analysis of an orbit i0 .. i0+m−1 ran out of memory (its status
 * ES_ENOMEM): that fails the run, it is no property of the series; else ES_OK. */
int es_orbits_insitu_check(const es_orbits_setup_t *su, const es_orbits_data *d, size_t i0, size_t m);
/* The run's warning, into buf, for `count` of `n` series of observable
 * `obs` whose in-situ status is `status` (not 0, ES_ESHORT or ES_EUNSUP,
 * which have their own wording): ES_EDATA is an escaped or lost orbit (or,
 * with tnat = radial/azimuthal, one without that period), ES_EINVAL a
 * parameter the analysis refused, any other the status's name
 * (es_status_name); -1: a status esuite does not know. */
void es_orbits_insitu_status_warning(char *buf, size_t len, int status, size_t count, size_t n,
                                     const char *obs, es_orb_tnat_source tnat);

int es_orbits_write_h5(const char *path, const es_orbits_setup_t *su, const es_orbits_data *d,
                       const es_provenance *prov, int compression);
json_t *es_orbits_summary(const es_orbits_setup_t *su, const es_orbits_data *d, double seconds);

#endif
