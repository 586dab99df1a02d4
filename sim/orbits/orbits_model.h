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

int es_orbits_write_h5(const char *path, const es_orbits_setup_t *su, const es_orbits_data *d,
                       const es_provenance *prov, int compression);
json_t *es_orbits_summary(const es_orbits_setup_t *su, const es_orbits_data *d, double seconds);

#endif
