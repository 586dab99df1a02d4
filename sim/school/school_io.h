/* school/school_io.h — one school run written to a run directory. */
#ifndef ESUITE_SCHOOL_IO_H
#define ESUITE_SCHOOL_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/checkpoint.h"
#include "core/config.h"
#include "core/output.h"
#include "school/school.h"

/* Return an ES_EIO error "school.nc: <NetCDF's reason> (in <function>)" (needs
 * <netcdf.h>, <string.h> and esuite/status.h where it is used); the run names
 * the full path of school.nc in it (es_school_run_to_dir). */
#define NC_TRY(call)                                                                               \
    do {                                                                                           \
        int nc_rc_ = (call);                                                                       \
        if (nc_rc_ != NC_NOERR)                                                                    \
            return es_error_set(ES_EIO, "school.nc: %s (in %.*s)", nc_strerror(nc_rc_),          \
                                (int)strcspn(#call, "("), #call);                                  \
    } while (0)

/* school.nc's fish and spatial index coordinate variables, shared by plain
 * and ramp runs: defined in define mode, filled (0..n-1; 0, 1, 2) after it. */
int es_school_nc_def_index_coords(int ncid, int dim_fish, int dim_spatial);
int es_school_nc_put_index_coords(int ncid, size_t n);

/* The model parameters as global attributes, each mode's own (dewi-kadita:
 * blind_angle, orientation_weight; couzin2002: fov, include_self,
 * zone_weighting) and the common ones, less those a ramp changes per hold
 * (omit: ES_SCHOOL_ATT_* bits; a ramp of Δr_o records the Δr_a it holds,
 * dr_attraction). */
enum { ES_SCHOOL_ATT_NO_R_O = 1u, ES_SCHOOL_ATT_NO_R_A = 2u, ES_SCHOOL_ATT_NO_NOISE = 4u };
int es_school_nc_put_model_attrs(int ncid, const es_school_params *p, unsigned omit);

/* The partial school.nc that checkpoint c (read from ckpt) names in its
 * section "nc_partial", found in the resumed run's directory (school_io.c,
 * adopt_partial, says why) and opened for writing (*ncid; -1 when it cannot
 * be opened). The plain run and the ramp both resume so. */
int es_school_reopen_partial(const char *ckpt, const es_checkpoint *c, char *tmp, size_t len, int *ncid);

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
    /* Checkpoint/restart (NULL cfg: none, as in benchmarks): the run's
     * config (its text and hash go into DIR/checkpoint.esck), the wall-clock
     * interval between checkpoints (<= 0: only on SIGTERM/SIGINT/SIGUSR1),
     * and a test hook: checkpoint and stop with ES_EINTR when the run
     * crosses this step (0: never; a resumed run starting there goes on). */
    const es_config *cfg;
    double checkpoint_interval;
    long long stop_after_steps;
} es_school_run_opts;

/* Run the simulation and write DIR/school.nc and DIR/summary.json (last).
 * `mode_name` is recorded as the global attribute `mode`. With o->cfg set,
 * a run started by `esuite run --resume DIR` (es_checkpoint_resume_path())
 * continues from DIR/checkpoint.esck, and a checkpoint requested by a
 * signal ends the run with ES_EINTR, the partial school.nc kept for it. */
int es_school_run_to_dir(const es_school_params *p, const es_school_run_opts *o, const char *dir,
                         es_provenance *prov, const char *mode_name);

#endif
