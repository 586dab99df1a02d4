/* A school run: simulation loop, in-situ metrics, school.nc, summary.json.
 *
 * school.nc (NetCDF-4, CF-1.8) uses the reference library's layout and
 * names: dimensions time, fish, spatial; positions and velocities
 * (time, fish, spatial); polarization, rotation, spread, order_index (time);
 * the seven entropies and oceanic_schooling_index on `time` when
 * metrics_every == save_interval (the reference's case), otherwise on their
 * own dimension `metrics_time`. Global attributes: box_size, mode, the
 * model parameters and the provenance (config, seed, version, ...). */
#define _GNU_SOURCE /* sync_file_range */
#include "school/school_io.h"

#include "core/checkpoint.h"
#include "core/progress.h"
#include "esuite/school_metrics.h"
#include "esuite/status.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <netcdf.h>
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { SM_P, SM_M, SM_SPREAD, SM_ORDER, SM_NBASIC };
static const char *const basic_names[SM_NBASIC] = {"polarization", "rotation", "spread",
                                                   "order_index"};
static const char *const basic_long[SM_NBASIC] = {
    "school_polarization_order_parameter", "school_rotation_order_parameter", "school_spread_rms",
    "order_index"};

typedef struct {
    int ncid;
    int v_time, v_mtime, v_pos, v_vel;
    int v_basic[SM_NBASIC];
    int v_h[ES_SCHOOL_NH], v_osi;
    int separate_mtime;
} nc_handles;

static int put_text(int ncid, int var, const char *name, const char *text)
{
    NC_TRY(nc_put_att_text(ncid, var, name, strlen(text), text));
    return ES_OK;
}

int es_school_nc_def_index_coords(int ncid, int dim_fish, int dim_spatial)
{
    int v, rc;
    NC_TRY(nc_def_var(ncid, "fish", NC_INT, 1, &dim_fish, &v));
    if ((rc = put_text(ncid, v, "long_name", "fish_index")))
        return rc;
    NC_TRY(nc_def_var(ncid, "spatial", NC_INT, 1, &dim_spatial, &v));
    return put_text(ncid, v, "comment", "0=x, 1=y, 2=z (depth)");
}

int es_school_nc_put_index_coords(int ncid, size_t n)
{
    int *idx = malloc((n + 3) * sizeof *idx), fv, sv, rc = ES_OK;
    if (!idx)
        return es_error_set(ES_ENOMEM, "school: out of memory");
    for (size_t i = 0; i < n + 3; i++)
        idx[i] = (int)i;
    if (nc_inq_varid(ncid, "fish", &fv) || nc_put_var_int(ncid, fv, idx) ||
        nc_inq_varid(ncid, "spatial", &sv) || nc_put_var_int(ncid, sv, idx))
        rc = es_error_set(ES_EIO, "school.nc: cannot write the fish/spatial coordinates");
    free(idx);
    return rc;
}

static int def_series(nc_handles *h, const char *name, int dim, const char *units,
                      const char *long_name, int bounded, size_t chunk, int *var)
{
    NC_TRY(nc_def_var(h->ncid, name, NC_DOUBLE, 1, &dim, var));
    NC_TRY(nc_def_var_chunking(h->ncid, *var, NC_CHUNKED, &chunk));
    int rc = put_text(h->ncid, *var, "units", units);
    if (!rc)
        rc = put_text(h->ncid, *var, "long_name", long_name);
    if (!rc && bounded) {
        double vr[2] = {0.0, 1.0};
        NC_TRY(nc_put_att_double(h->ncid, *var, "valid_range", NC_DOUBLE, 2, vr));
    }
    return rc;
}

/* A couzin2002 file carried dewi-kadita's blind_angle and orientation_weight
 * (no effect there) but not include_self or zone_weighting, which decide
 * its states (docs/school.md, Validation); a dewi-kadita file carried fov. */
int es_school_nc_put_model_attrs(int ncid, const es_school_params *p, unsigned omit)
{
    const int dewi = p->mode == ES_SCHOOL_MODE_DEWI;
    struct {
        const char *name;
        double v;
        int put;
    } d[] = {{"box_size", p->box, 1},
             {"speed", p->speed, 1},
             {"r_repulsion", p->r_r, 1},
             {"r_orientation", p->r_o, !(omit & ES_SCHOOL_ATT_NO_R_O)},
             {"r_attraction", p->r_a, !(omit & ES_SCHOOL_ATT_NO_R_A)},
             {"dr_attraction", p->r_a - p->r_o,
              (omit & ES_SCHOOL_ATT_NO_R_O) && (omit & ES_SCHOOL_ATT_NO_R_A)},
             {"max_turn", p->max_turn, 1},
             {"noise", p->noise, !(omit & ES_SCHOOL_ATT_NO_NOISE)},
             {"blind_angle", p->blind_angle, dewi},
             {"orientation_weight", p->orientation_weight, dewi},
             {"fov", p->fov, !dewi},
             {"dt", p->dt, 1}};
    for (size_t k = 0; k < sizeof d / sizeof d[0]; k++)
        if (d[k].put)
            NC_TRY(nc_put_att_double(ncid, NC_GLOBAL, d[k].name, NC_DOUBLE, 1, &d[k].v));
    if (dewi)
        return ES_OK;
    int rc = put_text(ncid, NC_GLOBAL, "include_self", p->include_self ? "true" : "false");
    return rc ? rc
              : put_text(ncid, NC_GLOBAL, "zone_weighting", p->zone_normalise ? "normalised" : "counts");
}

static int put_param_attrs(int ncid, const es_school_params *p, const es_school_run_opts *o,
                           const char *mode_name)
{
    int rc = es_school_nc_put_model_attrs(ncid, p, 0);
    if (rc)
        return rc;
    int n_fish = (int)(p->n > 2147483647u ? 2147483647u : p->n);
    long long steps = o->n_steps, si = o->save_interval, me = o->metrics_every;
    NC_TRY(nc_put_att_int(ncid, NC_GLOBAL, "n_fish", NC_INT, 1, &n_fish));
    NC_TRY(nc_put_att_longlong(ncid, NC_GLOBAL, "n_steps", NC_INT64, 1, &steps));
    NC_TRY(nc_put_att_longlong(ncid, NC_GLOBAL, "save_interval", NC_INT64, 1, &si));
    NC_TRY(nc_put_att_longlong(ncid, NC_GLOBAL, "metrics_every", NC_INT64, 1, &me));
    rc = put_text(ncid, NC_GLOBAL, "mode", mode_name);
    if (!rc)
        rc = put_text(ncid, NC_GLOBAL, "title", "3D Couzin Model Fish Schooling Simulation");
    if (!rc)
        rc = put_text(ncid, NC_GLOBAL, "centroid",
                      o->periodic_centroid ? "periodic (circular mean)" : "naive (reference)");
    return rc;
}

/* Frames per trajectory chunk (and per write): about 1 MiB, at least one
 * frame. Few, large HDF5 writes instead of one per frame. */
static size_t traj_block_frames(size_t n, size_t nframes)
{
    size_t f = (size_t)1 << 20;
    f /= 24 * (n ? n : 1);
    if (f < 1)
        f = 1;
    if (f > nframes)
        f = nframes ? nframes : 1;
    return f;
}

/* Trajectories are written a whole chunk at a time: with no chunk cache
 * HDF5 writes each block to the file at once (on the pipelined worker,
 * while the other thread steps) instead of holding all of them until
 * nc_close, in the serial end of the run. */
static int traj_no_cache(nc_handles *h)
{
    NC_TRY(nc_set_var_chunk_cache(h->ncid, h->v_pos, 1, 1, 0.0f));
    NC_TRY(nc_set_var_chunk_cache(h->ncid, h->v_vel, 1, 1, 0.0f));
    return ES_OK;
}

static int nc_define(nc_handles *h, const es_school_params *p, const es_school_run_opts *o,
                     size_t nframes, size_t nmframes, const char *mode_name,
                     const es_provenance *prov)
{
    int dt, df, ds, dm;
    NC_TRY(nc_def_dim(h->ncid, "time", nframes, &dt));
    NC_TRY(nc_def_dim(h->ncid, "fish", p->n, &df));
    NC_TRY(nc_def_dim(h->ncid, "spatial", 3, &ds));
    h->separate_mtime = o->entropy && o->metrics_every != o->save_interval;
    dm = dt;
    if (h->separate_mtime)
        NC_TRY(nc_def_dim(h->ncid, "metrics_time", nmframes, &dm));
    size_t ch = nframes < 4096 ? nframes : 4096, mch = nmframes < 4096 ? nmframes : 4096;
    if (ch == 0)
        ch = 1;
    if (mch == 0)
        mch = 1;
    int rc = def_series(h, "time", dt, "simulation_time_units", "simulation_time", 0, ch, &h->v_time);
    if (!rc)
        rc = put_text(h->ncid, h->v_time, "axis", "T");
    if (!rc && h->separate_mtime)
        rc = def_series(h, "metrics_time", dm, "simulation_time_units", "simulation_time", 0, mch,
                        &h->v_mtime);
    if (rc)
        return rc;
    if ((rc = es_school_nc_def_index_coords(h->ncid, df, ds)))
        return rc;
    if (!o->metrics_only) {
        int dims[3] = {dt, df, ds};
        size_t chunk[3] = {traj_block_frames(p->n, nframes), p->n, 3};
        NC_TRY(nc_def_var(h->ncid, "positions", NC_DOUBLE, 3, dims, &h->v_pos));
        NC_TRY(nc_def_var(h->ncid, "velocities", NC_DOUBLE, 3, dims, &h->v_vel));
        int vs[2] = {h->v_pos, h->v_vel};
        for (int k = 0; k < 2; k++) {
            NC_TRY(nc_def_var_chunking(h->ncid, vs[k], NC_CHUNKED, chunk));
            if (o->compression > 0)
                NC_TRY(nc_def_var_deflate(h->ncid, vs[k], 1, 1, o->compression)); /* + shuffle */
        }
        if ((rc = traj_no_cache(h)))
            return rc;
        rc = put_text(h->ncid, h->v_pos, "units", "simulation_length_units");
        if (!rc)
            rc = put_text(h->ncid, h->v_pos, "long_name", "fish_positions");
        if (!rc)
            rc = put_text(h->ncid, h->v_vel, "units", "simulation_velocity_units");
        if (!rc)
            rc = put_text(h->ncid, h->v_vel, "long_name", "fish_velocities");
        if (rc)
            return rc;
    }
    for (int k = 0; k < SM_NBASIC && !rc; k++)
        rc = def_series(h, basic_names[k], dt,
                        k == SM_SPREAD ? "simulation_length_units" : "dimensionless",
                        basic_long[k], k != SM_SPREAD, ch, &h->v_basic[k]);
    if (o->entropy) {
        for (int k = 0; k < ES_SCHOOL_NH && !rc; k++)
            rc = def_series(h, es_school_entropy_names[k], dm, "dimensionless",
                            es_school_entropy_names[k], 1, mch, &h->v_h[k]);
        if (!rc)
            rc = def_series(h, "oceanic_schooling_index", dm, "dimensionless",
                            "oceanic_schooling_index", 1, mch, &h->v_osi);
    }
    if (!rc)
        rc = put_param_attrs(h->ncid, p, o, mode_name);
    if (!rc)
        rc = es_output_nc_provenance(h->ncid, prov);
    if (rc)
        return rc;
    NC_TRY(nc_enddef(h->ncid));
    return ES_OK;
}

/* The time series kept in memory for summary.json. */
typedef struct {
    double *basic[SM_NBASIC];
    double *h[ES_SCHOOL_NH + 1]; /* last: OSI */
    size_t nframes, nmframes;
} series;

static void series_free(series *s)
{
    for (int k = 0; k < SM_NBASIC; k++)
        free(s->basic[k]);
    for (int k = 0; k <= ES_SCHOOL_NH; k++)
        free(s->h[k]);
}

/* Order parameters and (optionally) entropies of the current frame. */
static int frame_metrics(const es_school *s, const double *pos, const double *vel,
                         const es_school_run_opts *o, const es_school_velcorr_part *part,
                         int with_entropy, double basic[SM_NBASIC], double hs[ES_SCHOOL_NH + 1])
{
    /* Open space has no images: periodic_centroid only applies to dewi-kadita. */
    const int open = s->p.mode == ES_SCHOOL_MODE_COUZIN;
    unsigned flags = (open ? ES_SCHOOL_OPEN : 0u) |
                     (o->periodic_centroid && !open ? ES_SCHOOL_PERIODIC_CENTROID : 0u);
    double cbox = (o->periodic_centroid && !open) ? s->p.box : 0.0;
    if (with_entropy) {
        es_school_metrics m;
        int rc = es_school_metrics_compute_part(pos, vel, s->n, s->p.box, flags,
                                                o->velcorr_exact_max, part, &m);
        if (rc != ES_OK)
            return rc;
        basic[SM_P] = m.polarization;
        basic[SM_M] = m.rotation;
        basic[SM_SPREAD] = m.spread;
        basic[SM_ORDER] = m.order_index;
        memcpy(hs, m.h, sizeof m.h);
        hs[ES_SCHOOL_NH] = m.osi;
        return ES_OK;
    }
    double c[3];
    if (cbox > 0)
        es_school_centroid_periodic(pos, s->n, cbox, c);
    else
        es_school_centroid(pos, s->n, c);
    basic[SM_P] = es_school_polarization(vel, s->n);
    basic[SM_M] = es_school_rotation(pos, vel, s->n, c, cbox);
    basic[SM_SPREAD] = es_school_spread(pos, s->n, c, cbox);
    basic[SM_ORDER] = fmax(basic[SM_P], basic[SM_M]);
    return ES_OK;
}

static json_t *stats_json(const double *x, size_t n, double *mean_out)
{
    size_t half = n / 2;
    double mean = 0, sd = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = half; i < n; i++)
        mean += x[i];
    mean /= (double)(n - half);
    for (size_t i = half; i < n; i++)
        sd += (x[i] - mean) * (x[i] - mean);
    sd = sqrt(sd / (double)(n - half)); /* population sd, as numpy.std */
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
    }
    if (mean_out)
        *mean_out = mean;
    json_t *o = json_object();
    json_object_set_new(o, "mean", es_json_real(mean));
    json_object_set_new(o, "sd", es_json_real(sd));
    json_object_set_new(o, "final", es_json_real(x[n - 1]));
    json_object_set_new(o, "min", es_json_real(lo));
    json_object_set_new(o, "max", es_json_real(hi));
    return o;
}

static json_t *summary_json(const series *ts, const es_school_params *p,
                            const es_school_run_opts *o, const char *mode_name, double wall)
{
    json_t *root = json_object(), *metrics = json_object(), *mean = json_object(),
           *fin = json_object();
    json_object_set_new(root, "model", json_string("school"));
    json_object_set_new(root, "mode", json_string(mode_name));
    json_object_set_new(root, "n_fish", json_integer((json_int_t)p->n));
    json_object_set_new(root, "n_steps", json_integer(o->n_steps));
    json_object_set_new(root, "frames", json_integer((json_int_t)ts->nframes));
    double m[SM_NBASIC], mosi = NAN;
    for (int k = 0; k < SM_NBASIC; k++)
        json_object_set_new(metrics, basic_names[k], stats_json(ts->basic[k], ts->nframes, &m[k]));
    if (o->entropy) {
        for (int k = 0; k <= ES_SCHOOL_NH; k++)
            json_object_set_new(metrics,
                                k < ES_SCHOOL_NH ? es_school_entropy_names[k]
                                                 : "oceanic_schooling_index",
                                stats_json(ts->h[k], ts->nmframes, k == ES_SCHOOL_NH ? &mosi : NULL));
    }
    json_object_set_new(root, "metrics", metrics);
    double Pf = ts->basic[SM_P][ts->nframes - 1], Mf = ts->basic[SM_M][ts->nframes - 1];
    /* Short keys for validation cases: mean.P, final.OSI, ... (second-half means). */
    json_object_set_new(mean, "P", es_json_real(m[SM_P]));
    json_object_set_new(mean, "M", es_json_real(m[SM_M]));
    json_object_set_new(fin, "P", es_json_real(Pf));
    json_object_set_new(fin, "M", es_json_real(Mf));
    if (o->entropy) {
        json_object_set_new(mean, "OSI", es_json_real(mosi));
        json_object_set_new(fin, "OSI", es_json_real(ts->h[ES_SCHOOL_NH][ts->nmframes - 1]));
    }
    json_object_set_new(root, "mean", mean);
    json_object_set_new(root, "final", fin);
    /* The reference CLI classifies the final frame; the second-half means too. */
    json_object_set_new(root, "state", json_string(es_school_classify(Pf, Mf)));
    json_object_set_new(root, "state_second_half", json_string(es_school_classify(m[SM_P], m[SM_M])));
    json_object_set_new(root, "wall_seconds", es_json_real(wall));
    return root;
}

/* ------------------------------------------------------------ the run */

/* Everything a run carries from frame to frame, and across a checkpoint. */
typedef struct {
    const es_school_params *p;
    const es_school_run_opts *o;
    es_school *s;
    series ts;
    double *times, *mtimes; /* nframes, nmframes */
    double *vel;            /* 3n scratch */
    size_t f, mf;           /* frames and metric frames recorded so far */
    size_t blk;             /* frames per trajectory write (= chunk) */
    double *bpos, *bvel;    /* blk buffered frames: f - nbuf .. f - 1 */
    size_t nbuf;
    /* pipelined mode: a ring of ring_k frames handed to the worker */
    size_t ring_k;
    double *ring_pos, *ring_vel; /* ring_k × 3n each */
    long long *ring_step;
    es_school_velcorr_part *ring_vc; /* rows of H_vel's counts done by the stepping thread */
    size_t vc_share;        /* how many rows it takes (adapted to balance the threads) */
    size_t fpost;           /* frames posted to the worker (it owns f until drained) */
    int pipelined;
    int setup_on_worker;    /* the worker creates school.nc before its first frame */
    const char *mode_name;
    es_provenance *prov;
    struct pipe_worker *pw; /* pipelined mode: the thread that records frames */
    int wb_fd;              /* read-only descriptor of the partial file (write-back hints), or -1 */
    nc_handles h;
    char tmp[4300];
} school_run;

/* Write the buffered trajectory frames in one call per variable. */
static int flush_traj(school_run *r)
{
    if (r->nbuf == 0 || r->o->metrics_only)
        return ES_OK;
    size_t st[3] = {r->f - r->nbuf, 0, 0}, cnt[3] = {r->nbuf, r->p->n, 3};
    NC_TRY(nc_put_vara_double(r->h.ncid, r->h.v_pos, st, cnt, r->bpos));
    NC_TRY(nc_put_vara_double(r->h.ncid, r->h.v_vel, st, cnt, r->bvel));
    r->nbuf = 0;
#ifdef __linux__
    /* Start the write-back now: the fsync before the final rename then
     * finds little left to write. Only a hint: errors are ignored. */
    if (r->wb_fd >= 0)
        (void)sync_file_range(r->wb_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    return ES_OK;
}

/* Whether the frame at `step` gets the entropies (and OSI). */
static int frame_has_entropy(const es_school_run_opts *o, long long step)
{
    return o->entropy && step % o->metrics_every == 0;
}

/* Metrics of frame f (positions pos, velocities vel at `step`; part: the
 * first rows of H_vel's pair counts, or NULL), its trajectory buffered. */
static int record_frame_of(school_run *r, const double *pos, const double *vel,
                           const es_school_velcorr_part *part, long long step)
{
    const es_school *s = r->s;
    const es_school_run_opts *o = r->o;
    int with_h = frame_has_entropy(o, step);
    double basic[SM_NBASIC], hs[ES_SCHOOL_NH + 1];
    int rc = frame_metrics(s, pos, vel, o, part, with_h, basic, hs);
    if (rc)
        return rc;
    for (int k = 0; k < SM_NBASIC; k++)
        r->ts.basic[k][r->f] = basic[k];
    r->times[r->f] = (double)step * s->p.dt;
    if (with_h) {
        for (int k = 0; k <= ES_SCHOOL_NH; k++)
            r->ts.h[k][r->mf] = hs[k];
        r->mtimes[r->mf++] = (double)step * s->p.dt;
    }
    if (!o->metrics_only) {
        size_t m = 3 * s->n;
        memcpy(r->bpos + r->nbuf * m, pos, m * sizeof(double));
        memcpy(r->bvel + r->nbuf * m, vel, m * sizeof(double));
        r->nbuf++;
    }
    r->f++;
    return r->nbuf == r->blk ? flush_traj(r) : ES_OK;
}

/* The engine's current state as frame f. */
static int record_frame(school_run *r)
{
    es_school_velocities(r->s, r->vel);
    return record_frame_of(r, r->s->pos, r->vel, NULL, r->s->step);
}

/* ------------------------------------------------- pipelined frames
 *
 * Two threads, small N: a worker computes the metrics and output of the
 * frames that the calling thread posts into a ring of snapshots (positions,
 * velocities, step; 64-256 frames, ≈ 4 MB at most) while that thread steps
 * the engine on (both run their inner loops single-threaded). The stepping thread waits only
 * when the ring is full, so it can run ahead while the worker creates and
 * defines school.nc (≈ 4 ms, the worker's first job in a fresh run). The
 * same functions on the same data as the sequential order: identical
 * results. The series and r->f belong to the worker until pw_drain.
 *
 * The worker lives for the whole run and the two threads hand frames over
 * through two counters: a waiter spins briefly (one frame's work is
 * ~0.05 ms, so on a quiet machine the other side is nearly always done
 * within the spin) and then sleeps on a condition variable, so that a
 * descheduled partner on a loaded machine costs a sleep, not a spinning
 * core (an OpenMP region per frame spun in libgomp for milliseconds per
 * frame under load: 0.6 s instead of 0.13 s with one core busy). */
typedef struct pipe_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_long posted, done; /* frames handed to the worker / recorded by it */
    atomic_int sleepers;      /* threads asleep (or about to be) in pw_wait */
    atomic_long quit_job;     /* the job that tells the worker to leave (0: none yet) */
    atomic_int rc;            /* the worker's first error (later frames are then skipped) */
    double spin_main, spin_worker; /* pw_wait's spin budgets (seconds) */
    char msg[ES_MSG_LEN];           /* written before rc */
} pipe_worker;

static double mono_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Publish *ctr = v; wake the partner only if it went to sleep (the seq_cst
 * store and load pair with pw_wait's: one side always sees the other). */
static void pw_post(pipe_worker *w, atomic_long *ctr, long v)
{
    atomic_store(ctr, v);
    if (atomic_load(&w->sleepers) > 0) {
        pthread_mutex_lock(&w->mu);
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
}

/* Wait until *ctr >= v: spin up to *budget seconds, then sleep. The
 * budget adapts: doubled (up to 100 us) when the spin caught the partner,
 * halved (down to 2 us) when it had to sleep: on a quiet machine the
 * spin almost always succeeds (waking a sleeping thread costs tens of
 * microseconds), on a loaded one, where the partner is often descheduled,
 * each wasted spin shrinks the next. */
static void pw_wait(pipe_worker *w, atomic_long *ctr, long v, double *budget)
{
    enum { SPIN_CHECK = 64 };
    double t0 = 0;
    for (unsigned k = 1; atomic_load(ctr) < v; k++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (k % SPIN_CHECK == 0) {
            double t = mono_seconds();
            if (t0 == 0)
                t0 = t;
            else if (t - t0 > *budget)
                break;
        }
    }
    if (atomic_load(ctr) >= v) {
        *budget = fmin(2 * *budget, 1e-4);
        return;
    }
    *budget = fmax(0.5 * *budget, 2e-6);
    pthread_mutex_lock(&w->mu);
    atomic_fetch_add(&w->sleepers, 1);
    while (atomic_load(ctr) < v)
        pthread_cond_wait(&w->cv, &w->mu);
    atomic_fetch_sub(&w->sleepers, 1);
    pthread_mutex_unlock(&w->mu);
}

static int setup_output(school_run *r);

static void pw_fail(pipe_worker *w, int rc)
{
    snprintf(w->msg, sizeof w->msg, "%s", es_error_message());
    atomic_store(&w->rc, rc);
}

/* The worker's error as this thread's (ES_OK if none). */
static int pw_error(pipe_worker *w)
{
    int rc = atomic_load(&w->rc);
    return rc ? es_error_set(rc, "%s", w->msg) : ES_OK;
}

static void *pw_main(void *arg)
{
    school_run *r = arg;
    pipe_worker *w = r->pw;
    omp_set_num_threads(1); /* the metrics' own parallel loops stay on this thread */
    /* HDF5 (thread-safe build) keeps its error printing per thread: main()
     * switched it off for the main thread only, so reopening school.nc here
     * on resume printed netCDF's probes for absent _Quantize* attributes */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (r->setup_on_worker) {
        int rc = setup_output(r);
        if (rc)
            pw_fail(w, rc);
    }
    const size_t n3 = 3 * r->p->n;
    for (long job = 1;; job++) {
        pw_wait(w, &w->posted, job, &w->spin_worker);
        if (job == atomic_load(&w->quit_job))
            break;
        const size_t slot = (size_t)(job - 1) % r->ring_k;
        if (!atomic_load(&w->rc)) {
            int rc = record_frame_of(r, r->ring_pos + slot * n3, r->ring_vel + slot * n3,
                                     r->ring_vc + slot, r->ring_step[slot]);
            if (rc)
                pw_fail(w, rc);
        }
        pw_post(w, &w->done, job);
    }
    return NULL;
}

/* Start the worker (no worker: the run is not pipelined). */
static void pw_start(school_run *r)
{
    pipe_worker *w = calloc(1, sizeof *w);
    if (!w) {
        r->pipelined = 0;
        return;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    atomic_init(&w->posted, 0);
    atomic_init(&w->done, 0);
    atomic_init(&w->sleepers, 0);
    atomic_init(&w->quit_job, 0);
    atomic_init(&w->rc, ES_OK);
    w->spin_main = w->spin_worker = 5e-5;
    r->pw = w;
    r->fpost = r->f;
    if (pthread_create(&w->thread, NULL, pw_main, r) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        r->pw = NULL;
        r->pipelined = 0;
    }
}

/* Wait until the worker has recorded every posted frame; its error, if any. */
static int pw_drain(school_run *r)
{
    pipe_worker *w = r->pw;
    pw_wait(w, &w->done, atomic_load(&w->posted), &w->spin_main);
    return pw_error(w);
}

/* Drain, stop and join the worker; its error, if any. */
static int pw_stop(school_run *r)
{
    pipe_worker *w = r->pw;
    if (!w)
        return ES_OK;
    const long quit = atomic_load(&w->posted) + 1;
    atomic_store(&w->quit_job, quit);
    pw_post(w, &w->posted, quit);
    pthread_join(w->thread, NULL);
    int rc = pw_error(w);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    r->pw = NULL;
    return rc;
}

/* Post the engine's current state as frame fpost and step on to the next
 * frame's step (none after the last). */
static int pipelined_frame(school_run *r)
{
    es_school *s = r->s;
    pipe_worker *w = r->pw;
    const long job = atomic_load(&w->posted) + 1;
    const long ring = (long)r->ring_k;
    if (job > ring) /* its slot is free once job - ring is recorded */
        pw_wait(w, &w->done, job - ring, &w->spin_main);
    int rc = pw_error(w);
    if (rc)
        return rc;
    const size_t n3 = 3 * s->n, slot = (size_t)(job - 1) % r->ring_k;
    memcpy(r->ring_pos + slot * n3, s->pos, n3 * sizeof *r->ring_pos);
    es_school_velocities(s, r->ring_vel + slot * n3);
    r->ring_step[slot] = s->step;
    /* Balance: this thread counts the first rows of the pair histogram. A
     * worker more than 32 frames behind gets fewer rows to count, one less
     * than 16 behind more (integer counts: the split changes nothing); the
     * backlog left after the last step stays short. */
    enum { LAG_HIGH = 32, LAG_LOW = 16 }; /* frames; well inside the smallest ring (64) */
    const long behind = job - 1 - atomic_load(&w->done);
    const size_t d = s->n / 64 + 1;
    if (behind > LAG_HIGH)
        r->vc_share = r->vc_share + d < s->n ? r->vc_share + d : s->n;
    else if (behind < LAG_LOW)
        r->vc_share = r->vc_share > d ? r->vc_share - d : 0;
    es_school_velcorr_part *vc = r->ring_vc + slot;
    vc->rows = frame_has_entropy(r->o, s->step) ? r->vc_share : 0;
    memset(vc->cnt, 0, sizeof vc->cnt);
    if (vc->rows && (rc = es_school_velcorr_count_rows(r->ring_vel + slot * n3, s->n, 0, vc->rows,
                                                       vc->cnt)) != ES_OK)
        return rc;
    pw_post(w, &w->posted, job);
    r->fpost++;
    long long target = (long long)r->fpost * r->o->save_interval;
    return r->fpost < r->ts.nframes ? es_school_step(s, target - s->step) : ES_OK;
}

static int put_series(school_run *r)
{
    nc_handles *h = &r->h;
    const series *ts = &r->ts;
    size_t st[1] = {0}, cnt[1] = {ts->nframes}, mcnt[1] = {ts->nmframes};
    NC_TRY(nc_put_vara_double(h->ncid, h->v_time, st, cnt, r->times));
    for (int k = 0; k < SM_NBASIC; k++)
        NC_TRY(nc_put_vara_double(h->ncid, h->v_basic[k], st, cnt, ts->basic[k]));
    if (r->o->entropy) {
        for (int k = 0; k < ES_SCHOOL_NH; k++)
            NC_TRY(nc_put_vara_double(h->ncid, h->v_h[k], st, mcnt, ts->h[k]));
        NC_TRY(nc_put_vara_double(h->ncid, h->v_osi, st, mcnt, ts->h[ES_SCHOOL_NH]));
        if (h->separate_mtime)
            NC_TRY(nc_put_vara_double(h->ncid, h->v_mtime, st, mcnt, r->mtimes));
    }
    return ES_OK;
}

/* ------------------------------------------------------- checkpointing
 *
 * A checkpoint holds the engine state (step, positions, headings: the
 * noise is keyed by step, so nothing else), the metric series recorded so
 * far, and the name of the partial school.nc. The buffered trajectory
 * frames are written and the file synced first, so the file holds exactly
 * frames 0 .. f-1; the resumed run reopens it under that name
 * (adopt_partial) and continues at frame f. */

static int write_checkpoint(school_run *r, const char *dir)
{
    int rc = flush_traj(r);
    if (rc)
        return rc;
    NC_TRY(nc_sync(r->h.ncid));
    size_t f = r->f, mf = r->mf, n3 = 3 * r->p->n;
    int64_t st[4] = {r->s->step, (int64_t)f, (int64_t)mf, (int64_t)r->p->n};
    double *fr = malloc((5 * f + (ES_SCHOOL_NH + 2) * mf + 1) * sizeof *fr);
    if (!fr)
        return es_error_set(ES_ENOMEM, "school: out of memory for a checkpoint");
    double *q = fr;
    for (int k = 0; k < SM_NBASIC; k++, q += f)
        memcpy(q, r->ts.basic[k], f * sizeof *q);
    memcpy(q, r->times, f * sizeof *q);
    q += f;
    for (int k = 0; k <= ES_SCHOOL_NH && r->o->entropy; k++, q += mf)
        memcpy(q, r->ts.h[k], mf * sizeof *q);
    if (r->o->entropy) {
        memcpy(q, r->mtimes, mf * sizeof *q);
        q += mf;
    }
    es_checkpoint_writer *w = NULL;
    rc = es_checkpoint_writer_begin(dir, "school", r->o->cfg, &w);
    if (!rc)
        rc = es_checkpoint_write_section(w, "school_state", st, sizeof st);
    if (!rc)
        rc = es_checkpoint_write_section(w, "pos", r->s->pos, n3 * sizeof(double));
    if (!rc)
        rc = es_checkpoint_write_section(w, "dir", r->s->dir, n3 * sizeof(double));
    if (!rc)
        rc = es_checkpoint_write_section(w, "series", fr, (size_t)(q - fr) * sizeof *fr);
    if (!rc)
        rc = es_checkpoint_write_section(w, "nc_partial", r->tmp, strlen(r->tmp));
    free(fr);
    if (rc) {
        if (w)
            es_checkpoint_writer_free(w);
        return rc;
    }
    return es_checkpoint_writer_commit(w);
}

/* A resumed run takes over the partial school.nc that checkpoint `ckpt`
 * names (`stored`, as the interrupted run wrote it: relative to that run's
 * working directory): the file of that name in the resumed run's directory,
 * the directory of `tmp` (its own temporary name, len bytes), which then
 * becomes that path. Found from any working directory (an absolute DIR, a
 * requeued job), and kept under its name rather than renamed to this
 * process's: a resumed run killed without a signal (SIGKILL, a node
 * failure) before its own first checkpoint leaves the checkpoint naming it,
 * and a renamed file could not be found by the next resume. */
static int adopt_partial(const char *ckpt, const char *stored, char *tmp, size_t len)
{
    const char *base = strrchr(stored, '/'), *dir_end = strrchr(tmp, '/');
    base = base ? base + 1 : stored;
    int dlen = dir_end ? (int)(dir_end - tmp) + 1 : 0; /* with the '/' */
    char found[8704];
    int n = snprintf(found, sizeof found, "%.*s%s", dlen, tmp, base);
    if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof found)
        return es_error_set(ES_EIO, "%s: the partial output's path is too long", ckpt);
    if (access(found, F_OK) != 0)
        return es_error_set(ES_EIO, "%s: cannot take over the partial output %s: %s", ckpt, found,
                            strerror(errno));
    memcpy(tmp, found, (size_t)n + 1);
    return ES_OK;
}

int es_school_reopen_partial(const char *ckpt, const es_checkpoint *c, char *tmp, size_t len, int *ncid)
{
    size_t size;
    char old[4300] = "";
    const char *name = es_checkpoint_section(c, "nc_partial", &size);
    if (!name || size == 0 || size >= sizeof old)
        return es_error_set(ES_EDATA, "%s: section 'nc_partial' missing", ckpt);
    memcpy(old, name, size);
    int rc = adopt_partial(ckpt, old, tmp, len);
    if (rc)
        return rc;
    int nrc = nc_open(tmp, NC_WRITE, ncid);
    if (nrc != NC_NOERR) {
        *ncid = -1;
        return es_error_set(ES_EDATA, "%s: cannot reopen the partial output (%s): %s", ckpt, tmp,
                            nc_strerror(nrc));
    }
    return ES_OK;
}

/* Restore the state from `path` and reopen the partial school.nc. */
static int read_checkpoint(school_run *r, const char *path)
{
    es_checkpoint *c;
    int rc = es_checkpoint_read(path, "school", es_checkpoint_config_hash(r->o->cfg), &c);
    if (rc)
        return rc;
    int64_t st[4];
    size_t n3 = 3 * r->p->n;
    rc = es_checkpoint_read_section(c, "school_state", st, sizeof st);
    if (!rc && (st[3] != (int64_t)r->p->n || st[1] < 1 || (size_t)st[1] > r->ts.nframes ||
                (size_t)st[2] > r->ts.nmframes || st[0] < 0 || st[0] > r->o->n_steps))
        rc = es_error_set(ES_EDATA, "%s: school state does not fit this run's configuration", path);
    if (!rc)
        rc = es_checkpoint_read_section(c, "pos", r->s->pos, n3 * sizeof(double));
    if (!rc)
        rc = es_checkpoint_read_section(c, "dir", r->s->dir, n3 * sizeof(double));
    size_t f = rc ? 0 : (size_t)st[1], mf = rc ? 0 : (size_t)st[2], size = 0;
    const double *q = rc ? NULL : es_checkpoint_section(c, "series", &size);
    size_t want = (5 * f + (r->o->entropy ? (ES_SCHOOL_NH + 2) * mf : 0)) * sizeof(double);
    if (!rc && (!q || size != want))
        rc = es_error_set(ES_EDATA, "%s: section 'series' missing or of the wrong size", path);
    if (!rc) {
        r->s->step = st[0];
        r->f = f;
        r->mf = mf;
        for (int k = 0; k < SM_NBASIC; k++, q += f)
            memcpy(r->ts.basic[k], q, f * sizeof *q);
        memcpy(r->times, q, f * sizeof *q);
        q += f;
        for (int k = 0; k <= ES_SCHOOL_NH && r->o->entropy; k++, q += mf)
            memcpy(r->ts.h[k], q, mf * sizeof *q);
        if (r->o->entropy)
            memcpy(r->mtimes, q, mf * sizeof *q);
    }
    if (!rc)
        rc = es_school_reopen_partial(path, c, r->tmp, sizeof r->tmp, &r->h.ncid);
    es_checkpoint_free(c);
    if (rc)
        return rc;
    nc_handles *h = &r->h;
    h->separate_mtime = r->o->entropy && r->o->metrics_every != r->o->save_interval;
    NC_TRY(nc_inq_varid(h->ncid, "time", &h->v_time));
    if (h->separate_mtime)
        NC_TRY(nc_inq_varid(h->ncid, "metrics_time", &h->v_mtime));
    if (!r->o->metrics_only) {
        NC_TRY(nc_inq_varid(h->ncid, "positions", &h->v_pos));
        NC_TRY(nc_inq_varid(h->ncid, "velocities", &h->v_vel));
        int rc2 = traj_no_cache(h);
        if (rc2)
            return rc2;
    }
    for (int k = 0; k < SM_NBASIC; k++)
        NC_TRY(nc_inq_varid(h->ncid, basic_names[k], &h->v_basic[k]));
    if (r->o->entropy) {
        for (int k = 0; k < ES_SCHOOL_NH; k++)
            NC_TRY(nc_inq_varid(h->ncid, es_school_entropy_names[k], &h->v_h[k]));
        NC_TRY(nc_inq_varid(h->ncid, "oceanic_schooling_index", &h->v_osi));
    }
    return ES_OK;
}

/* Frames f .. nframes-1, with checkpoints between frames. Returns
 * ES_EINTR after the checkpoint a signal (or the test hook) asked for. */
static int simulate(school_run *r, const char *dir)
{
    const es_school_run_opts *o = r->o;
    es_progress pg;
    memset(&pg, 0, sizeof pg);
    pg.log_interval = o->log_interval;
    es_progress_start(&pg, "school", (double)o->n_steps, o->quiet);
    es_progress_resume_from(&pg, (double)r->s->step); /* 0 unless resumed */
    es_checkpoint_timer timer;
    const int ckpt = o->cfg != NULL;
    if (ckpt) {
        es_checkpoint_install_signals();
        es_checkpoint_timer_init(&timer, o->checkpoint_interval);
    }
    int rc = ES_OK, threads = omp_get_max_threads();
    if (r->pipelined) {
        pw_start(r);
        if (r->pipelined)
            omp_set_num_threads(1); /* the engine's loops stay on this thread */
    }
    if (!r->pipelined && r->setup_on_worker) { /* no worker after all */
        r->setup_on_worker = 0;
        rc = setup_output(r);
    }
    /* frames done by this thread: recorded (sequential) or posted (pipelined) */
    size_t *fr = r->pipelined ? &r->fpost : &r->f;
    while (*fr < r->ts.nframes && rc == ES_OK) {
        long long target = (long long)*fr * o->save_interval, from = r->s->step;
        if (target > from)
            rc = es_school_step(r->s, target - from);
        if (!rc && r->pipelined) {
            from = r->s->step;
            rc = pipelined_frame(r); /* frame posted, engine at the next frame's step */
        } else if (!rc) {
            rc = record_frame(r);
        }
        es_progress_update(&pg, (double)r->s->step);
        int hook = o->stop_after_steps > 0 && from < o->stop_after_steps &&
                   r->s->step >= o->stop_after_steps;
        /* Pipelined, the engine is already at the next frame's step: once it
         * has made the last step only the last frame is left to post, as
         * when the last frame is recorded sequentially, and neither stops to
         * checkpoint (stop_after_steps = n_steps exited 3 with two threads
         * and 0 with one). */
        size_t left = r->ts.nframes - *fr - (r->pipelined && *fr < r->ts.nframes);
        if (rc || !ckpt || left == 0 || !(hook || es_checkpoint_due(&timer)))
            continue;
        if (r->pw && (rc = pw_drain(r)) != ES_OK)
            break;
        rc = write_checkpoint(r, dir);
        es_checkpoint_timer_reset(&timer);
        if (!rc && (hook || es_checkpoint_should_stop())) {
            int sig = hook ? 0 : es_checkpoint_signal();
            es_checkpoint_clear_request();
            rc = es_error_set(ES_EINTR,
                              "school: interrupted %s%d at step %lld of %lld (checkpoint written)",
                              hook ? "by stop_after_steps = " : "by signal ",
                              hook ? (int)o->stop_after_steps : sig, r->s->step, o->n_steps);
        }
    }
    if (r->pw) {
        int src = pw_stop(r);
        rc = rc ? rc : src;
        omp_set_num_threads(threads);
    }
    if (rc == ES_OK)
        es_progress_finish(&pg);
    else /* stopped: the log must not claim 100% before the 'interrupted' line */
        es_progress_finish_at(&pg, (double)r->s->step);
    return rc;
}

static void run_free(school_run *r)
{
    series_free(&r->ts);
    free(r->times);
    free(r->mtimes);
    free(r->vel);
    free(r->bpos);
    free(r->bvel);
    free(r->ring_pos);
    free(r->ring_vel);
    free(r->ring_step);
    free(r->ring_vc);
    es_school_free(r->s);
}

static int run_alloc(school_run *r, const es_school_params *p, const es_school_run_opts *o)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->o = o;
    r->h.ncid = -1;
    r->wb_fd = -1;
    size_t nframes = (size_t)(o->n_steps / o->save_interval) + 1;
    size_t nmframes = o->entropy ? (size_t)(o->n_steps / o->metrics_every) + 1 : 0;
    r->ts.nframes = nframes;
    r->ts.nmframes = nmframes;
    int rc = es_school_alloc(p, &r->s);
    if (rc)
        return rc;
    r->blk = traj_block_frames(p->n, nframes);
    size_t m = o->metrics_only ? 0 : r->blk * 3 * p->n;
    r->vel = malloc(3 * p->n * sizeof *r->vel);
    r->times = malloc(nframes * sizeof *r->times);
    r->mtimes = malloc((nmframes + 1) * sizeof *r->mtimes);
    r->bpos = malloc((m + 1) * sizeof *r->bpos);
    r->bvel = malloc((m + 1) * sizeof *r->bvel);
    /* Below ~1000 fish one step is too short to share among threads well:
     * overlap the step with the previous frame's metrics instead. */
    r->pipelined = omp_get_max_threads() >= 2 && p->n <= 1024;
    int ok = r->vel && r->times && r->mtimes && r->bpos && r->bvel;
    if (r->pipelined) {
        /* room to step ahead while the worker starts and defines the file
         * (a late thread start on a busy host costs milliseconds) */
        size_t k = ((size_t)1 << 22) / (2 * 3 * sizeof(double) * p->n); /* 4 MB of frames */
        r->ring_k = k < 64 ? 64 : k > 256 ? 256 : k;
        r->ring_pos = malloc(r->ring_k * 3 * p->n * sizeof *r->ring_pos);
        r->ring_vel = malloc(r->ring_k * 3 * p->n * sizeof *r->ring_vel);
        r->ring_step = malloc(r->ring_k * sizeof *r->ring_step);
        r->ring_vc = malloc(r->ring_k * sizeof *r->ring_vc);
        ok &= r->ring_pos && r->ring_vel && r->ring_step && r->ring_vc;
    }
    for (int k = 0; k < SM_NBASIC; k++)
        ok &= (r->ts.basic[k] = malloc(nframes * sizeof(double))) != NULL;
    for (int k = 0; k <= ES_SCHOOL_NH && o->entropy; k++)
        ok &= (r->ts.h[k] = malloc(nmframes * sizeof(double))) != NULL;
    if (!ok)
        return es_error_set(ES_ENOMEM, "school: out of memory for %zu frames of %zu fish", nframes,
                            p->n);
    return ES_OK;
}

/* Create and define school.nc (the temporary name) for a fresh run. */
static int setup_output(school_run *r)
{
    int nrc = nc_create(r->tmp, NC_NETCDF4 | NC_CLOBBER, &r->h.ncid);
    if (nrc != NC_NOERR) {
        r->h.ncid = -1;
        return es_error_set(ES_EIO, "school.nc: cannot create: %s", nc_strerror(nrc));
    }
    int rc = nc_define(&r->h, r->p, r->o, r->ts.nframes, r->ts.nmframes, r->mode_name, r->prov);
    if (!rc)
        rc = es_school_nc_put_index_coords(r->h.ncid, r->p->n);
    if (!rc)
        r->wb_fd = open(r->tmp, O_RDONLY | O_CLOEXEC);
    return rc;
}

/* Errors of school.nc name the path the user will look for (not the
 * temporary name it is written under). */
static int name_output(const char *final_path)
{
    const char *msg = es_error_message();
    if (strncmp(msg, "school.nc: ", 11) != 0)
        return ES_EIO;
    char reason[ES_MSG_LEN];
    snprintf(reason, sizeof reason, "%s", msg + 11);
    return es_error_set(ES_EIO, "cannot write '%s': %s", final_path, reason);
}

int es_school_run_to_dir(const es_school_params *p, const es_school_run_opts *o, const char *dir,
                         es_provenance *prov, const char *mode_name)
{
    double t0 = es_wall_seconds();
    school_run r;
    int rc = run_alloc(&r, p, o);
    char final_path[4200];
    snprintf(final_path, sizeof final_path, "%s/school.nc", dir);
    es_output_tmp_path(final_path, r.tmp, sizeof r.tmp);
    r.mode_name = mode_name;
    r.prov = prov;
    const char *resume = o->cfg ? es_checkpoint_resume_path() : NULL;
    if (!rc && resume) {
        rc = read_checkpoint(&r, resume);
        if (!rc) /* this run's history line, kept if it is interrupted again */
            rc = es_output_nc_resume_history(r.h.ncid, prov);
        if (!rc)
            r.wb_fd = open(r.tmp, O_RDONLY | O_CLOEXEC);
    } else if (!rc) {
        rc = es_school_init_state(r.s);
        /* pipelined: the worker creates the file while this thread steps ahead */
        r.setup_on_worker = r.pipelined;
        if (!rc && !r.setup_on_worker)
            rc = setup_output(&r);
    }
    if (!rc)
        rc = simulate(&r, dir);
    if (!rc)
        rc = flush_traj(&r);
    if (!rc)
        rc = put_series(&r);
    if (!rc && r.h.ncid >= 0)
        rc = resume ? es_output_nc_finish_resumed(r.h.ncid, prov) /* this run's provenance */
                    : es_output_nc_finish(r.h.ncid, prov); /* end_time, also in summary.json */
    if (r.wb_fd >= 0)
        close(r.wb_fd);
    if (r.h.ncid >= 0) {
        int nrc = nc_close(r.h.ncid);
        if (rc == ES_EIO || nrc != NC_NOERR)
            es_output_hdf5_failed(); /* HDF5 may still hold the broken file */
        if (!rc && nrc != NC_NOERR)
            rc = es_error_set(ES_EIO, "school.nc: %s (in nc_close)", nc_strerror(nrc));
    }
    if (rc == ES_EIO)
        rc = name_output(final_path);
    if (!rc)
        rc = es_output_commit(r.tmp, final_path);
    else if (rc != ES_EINTR && !resume)
        es_output_discard(r.tmp); /* interrupted or resumed: the checkpoint refers to it */
    if (!rc) {
        if (!*prov->end_time) /* stamped by es_output_nc_finish */
            es_provenance_finish(prov);
        json_t *sum = summary_json(&r.ts, p, o, mode_name, es_wall_seconds() - t0);
        rc = es_output_write_summary(dir, sum, prov);
        json_decref(sum);
    }
    run_free(&r);
    return rc;
}
