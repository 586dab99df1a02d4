/* A ramp run: one engine, a parameter changed hold by hold, per-hold means
 * of P and M (the collective-memory protocol of Couzin et al. 2002).
 *
 * school.nc: dimensions hold, time, fish, spatial. On `hold`: hold_value,
 * hold_direction (+1 up, -1 down), hold_start_step, hold_polarization_mean
 * / _sd, hold_rotation_mean / _sd, hold_state (CF flags). On `time` (every
 * save_interval steps, t = 0 included): time, ramp_value, polarization,
 * rotation, spread, order_index, and positions/velocities unless
 * metrics_only. summary.json: `ramp` with one object per hold.
 *
 * Checkpointed like a plain run (signals, [output] checkpoint_interval,
 * stop_after_steps over the steps of all holds; `esuite run --resume`):
 * frames go to the temporary school.nc as they are made, the hold variables
 * at the end. */
#include "school/school_ramp.h"
#include "school/school_io.h"

#include "core/checkpoint.h"
#include "core/plot.h"
#include "core/progress.h"
#include "esuite/school_metrics.h"
#include "esuite/status.h"

#include <errno.h>
#include <math.h>
#include <netcdf.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The classifier's states as CF flag values (order of increasing order). */
static const char *const state_names[] = {"Swarm", "Transitional", "Torus", "Dynamic Parallel",
                                          "Highly Parallel"};
static const char state_flags[] = "swarm transitional torus dynamic_parallel highly_parallel";
enum { NSTATES = 5 };

static signed char state_code(const char *s)
{
    for (int k = 0; k < NSTATES; k++)
        if (!strcmp(s, state_names[k]))
            return (signed char)k;
    return -1;
}

int es_school_ramp_apply(const es_school_params *base, es_school_ramp_param param, double v,
                         es_school_params *out)
{
    *out = *base;
    switch (param) {
    case ES_SCHOOL_RAMP_DR_ORIENTATION: {
        double dra = base->r_a - base->r_o; /* Δr_a is held while Δr_o moves */
        out->r_o = base->r_r + v;
        out->r_a = out->r_o + dra;
        break;
    }
    case ES_SCHOOL_RAMP_DR_ATTRACTION:
        out->r_a = base->r_o + v;
        break;
    case ES_SCHOOL_RAMP_NOISE:
        out->noise = v;
        break;
    case ES_SCHOOL_RAMP_NONE:
        break;
    }
    return es_school_params_check(out);
}

/* One hold's result. */
typedef struct {
    double value;
    int direction; /* +1 up, -1 down */
    long long start_step;
    double P, P_sd, M, M_sd;
    const char *state;
} hold_result;

typedef struct {
    int ncid;
    int v_time, v_val, v_basic[4], v_pos, v_vel;
    size_t frame;
} ramp_nc;

static int put_text(int ncid, int var, const char *name, const char *text)
{
    NC_TRY(nc_put_att_text(ncid, var, name, strlen(text), text));
    return ES_OK;
}

static int def_var(int ncid, const char *name, nc_type type, int ndims, const int *dims,
                   const char *units, const char *long_name, int *var)
{
    NC_TRY(nc_def_var(ncid, name, type, ndims, dims, var));
    int rc = put_text(ncid, *var, "units", units);
    return rc ? rc : put_text(ncid, *var, "long_name", long_name);
}

static const char *value_label(es_school_ramp_param param)
{
    return param == ES_SCHOOL_RAMP_DR_ORIENTATION  ? "Δr_o = r_o − r_r"
           : param == ES_SCHOOL_RAMP_DR_ATTRACTION ? "Δr_a = r_a − r_o"
                                                   : "noise σ (rad)";
}

static const char *value_units(es_school_ramp_param param)
{
    return param == ES_SCHOOL_RAMP_NOISE ? "rad" : "simulation_length_units";
}

static int nc_define_ramp(ramp_nc *h, const es_school_params *p, const es_school_ramp_opts *o,
                          size_t nholds, size_t nframes, const char *mode_name,
                          const es_provenance *prov)
{
    int dh, dt, df, ds, v;
    NC_TRY(nc_def_dim(h->ncid, "hold", nholds, &dh));
    NC_TRY(nc_def_dim(h->ncid, "time", nframes, &dt));
    NC_TRY(nc_def_dim(h->ncid, "fish", p->n, &df));
    NC_TRY(nc_def_dim(h->ncid, "spatial", 3, &ds));
    const char *vu = value_units(o->param);
    int rc = def_var(h->ncid, "time", NC_DOUBLE, 1, &dt, "simulation_time_units",
                     "simulation_time", &h->v_time);
    if (!rc)
        rc = put_text(h->ncid, h->v_time, "axis", "T");
    if (!rc)
        rc = def_var(h->ncid, "ramp_value", NC_DOUBLE, 1, &dt, vu, o->param_name, &h->v_val);
    static const char *const bn[4] = {"polarization", "rotation", "spread", "order_index"};
    static const char *const bl[4] = {"school_polarization_order_parameter",
                                      "school_rotation_order_parameter", "school_spread_rms",
                                      "order_index"};
    for (int k = 0; k < 4 && !rc; k++)
        rc = def_var(h->ncid, bn[k], NC_DOUBLE, 1, &dt,
                     k == 2 ? "simulation_length_units" : "dimensionless", bl[k], &h->v_basic[k]);
    struct {
        const char *name, *units, *long_name;
        nc_type type;
    } hv[] = {{"hold_value", vu, "value of the ramped parameter in the hold", NC_DOUBLE},
              {"hold_direction", "1", "+1: way up, -1: way down", NC_INT},
              {"hold_start_step", "steps", "first step of the hold", NC_INT64},
              {"hold_polarization_mean", "dimensionless", "mean P over the averaging window",
               NC_DOUBLE},
              {"hold_polarization_sd", "dimensionless", "population sd of P over the window",
               NC_DOUBLE},
              {"hold_rotation_mean", "dimensionless", "mean M over the averaging window",
               NC_DOUBLE},
              {"hold_rotation_sd", "dimensionless", "population sd of M over the window",
               NC_DOUBLE},
              {"hold_state", "1", "state of the window means (reference classifier)", NC_BYTE}};
    for (size_t k = 0; k < sizeof hv / sizeof hv[0] && !rc; k++)
        rc = def_var(h->ncid, hv[k].name, hv[k].type, 1, &dh, hv[k].units, hv[k].long_name, &v);
    if (rc)
        return rc;
    /* the fish and spatial index coordinates, as a plain run's school.nc has */
    if ((rc = es_school_nc_def_index_coords(h->ncid, df, ds)))
        return rc;
    signed char fv[NSTATES] = {0, 1, 2, 3, 4};
    NC_TRY(nc_put_att_schar(h->ncid, v, "flag_values", NC_BYTE, NSTATES, fv));
    if ((rc = put_text(h->ncid, v, "flag_meanings", state_flags)))
        return rc;
    if (!o->metrics_only) {
        int dims[3] = {dt, df, ds};
        size_t chunk[3] = {1, p->n, 3};
        rc = def_var(h->ncid, "positions", NC_DOUBLE, 3, dims, "simulation_length_units",
                     "fish_positions", &h->v_pos);
        if (!rc)
            rc = def_var(h->ncid, "velocities", NC_DOUBLE, 3, dims, "simulation_velocity_units",
                         "fish_velocities", &h->v_vel);
        if (rc)
            return rc;
        NC_TRY(nc_def_var_chunking(h->ncid, h->v_pos, NC_CHUNKED, chunk));
        NC_TRY(nc_def_var_chunking(h->ncid, h->v_vel, NC_CHUNKED, chunk));
        if (o->compression > 0) { /* deflate with shuffle, as in a plain run */
            NC_TRY(nc_def_var_deflate(h->ncid, h->v_pos, 1, 1, o->compression));
            NC_TRY(nc_def_var_deflate(h->ncid, h->v_vel, 1, 1, o->compression));
        }
    }
    /* the parameters held fixed (a dewi-kadita ramp had fov but not blind_angle,
     * a noise ramp neither r_orientation nor r_attraction); the ramped one is hold_value */
    static const unsigned omit[] = {
        [ES_SCHOOL_RAMP_NONE] = 0,
        [ES_SCHOOL_RAMP_DR_ORIENTATION] = ES_SCHOOL_ATT_NO_R_O | ES_SCHOOL_ATT_NO_R_A,
        [ES_SCHOOL_RAMP_DR_ATTRACTION] = ES_SCHOOL_ATT_NO_R_A,
        [ES_SCHOOL_RAMP_NOISE] = ES_SCHOOL_ATT_NO_NOISE};
    if ((rc = es_school_nc_put_model_attrs(h->ncid, p, omit[o->param])))
        return rc;
    int n_fish = (int)(p->n > 2147483647u ? 2147483647u : p->n);
    long long ll[] = {o->hold_steps, o->average_steps, o->sample_every, o->save_interval};
    const char *lln[] = {"ramp_hold_steps", "ramp_average_steps", "ramp_sample_every",
                         "save_interval"};
    NC_TRY(nc_put_att_int(h->ncid, NC_GLOBAL, "n_fish", NC_INT, 1, &n_fish));
    for (int k = 0; k < 4; k++)
        NC_TRY(nc_put_att_longlong(h->ncid, NC_GLOBAL, lln[k], NC_INT64, 1, &ll[k]));
    rc = put_text(h->ncid, NC_GLOBAL, "mode", mode_name);
    if (!rc)
        rc = put_text(h->ncid, NC_GLOBAL, "ramp_parameter", o->param_name);
    if (!rc)
        rc = put_text(h->ncid, NC_GLOBAL, "title", "3D Couzin model: parameter ramp (hysteresis)");
    if (!rc)
        rc = es_output_nc_provenance(h->ncid, prov);
    if (rc)
        return rc;
    NC_TRY(nc_enddef(h->ncid));
    return es_school_nc_put_index_coords(h->ncid, p->n);
}

/* P and M of the engine's current state (velocities into vel). */
static void order_params(const es_school *s, const es_school_ramp_opts *o, double *vel,
                         double out[4])
{
    const int periodic = o->periodic_centroid && s->p.mode == ES_SCHOOL_MODE_DEWI;
    double c[3], box = periodic ? s->p.box : 0.0;
    es_school_velocities(s, vel);
    if (periodic)
        es_school_centroid_periodic(s->pos, s->n, box, c);
    else
        es_school_centroid(s->pos, s->n, c);
    out[0] = es_school_polarization(vel, s->n);
    out[1] = es_school_rotation(s->pos, vel, s->n, c, box);
    out[2] = es_school_spread(s->pos, s->n, c, box);
    out[3] = fmax(out[0], out[1]);
}

static int put_frame(ramp_nc *h, const es_school *s, const es_school_ramp_opts *o, double *vel,
                     double value)
{
    double m[4];
    order_params(s, o, vel, m);
    size_t st[3] = {h->frame, 0, 0}, cnt[3] = {1, s->n, 3};
    double t = (double)s->step * s->p.dt;
    NC_TRY(nc_put_var1_double(h->ncid, h->v_time, st, &t));
    NC_TRY(nc_put_var1_double(h->ncid, h->v_val, st, &value));
    for (int k = 0; k < 4; k++)
        NC_TRY(nc_put_var1_double(h->ncid, h->v_basic[k], st, &m[k]));
    if (!o->metrics_only) {
        NC_TRY(nc_put_vara_double(h->ncid, h->v_pos, st, cnt, s->pos));
        NC_TRY(nc_put_vara_double(h->ncid, h->v_vel, st, cnt, vel));
    }
    h->frame++;
    return ES_OK;
}

/* Running mean and sum of squared deviations (Welford 1962). */
typedef struct {
    double mean, m2;
} welford;

static void welford_add(welford *w, double x, long long count)
{
    double d = x - w->mean;
    w->mean += d / (double)count;
    w->m2 += d * (x - w->mean);
}

/* The sums of the hold in progress. Means as plain sums; sds by Welford's
 * update (E[x²] − mean² cancels catastrophically for an ordered state,
 * P ≈ 1 with a tiny sd). */
typedef struct {
    double sP, sM;
    welford wP, wM;
    long long cnt;
} hold_acc;

/* Everything a ramp carries from step to step, and across a checkpoint:
 * the engine (step, positions, headings: the noise is keyed by step, so
 * nothing else), the hold in progress and its sums, the results of the
 * holds done, and the frames written to the partial school.nc. The value
 * and direction of each hold come from the plan (the config). */
typedef struct {
    const es_school_params *p;
    const es_school_ramp_opts *o;
    es_school *s;
    ramp_nc h;
    hold_result *hr;
    size_t nh, hold; /* holds; the hold in progress */
    hold_acc acc;
    double *vel;     /* 3n scratch */
    long long total; /* steps of the whole ramp */
    const char *dir;
    int ckpt;        /* checkpoints (o->cfg set) */
    int ckpt_written;
    es_checkpoint_timer timer;
    char tmp[4300];  /* the temporary school.nc */
} ramp_run;

/* The results of a hold from its sums. */
static void hold_finish(hold_result *r, long long h0, const hold_acc *a)
{
    double n = a->cnt > 0 ? (double)a->cnt : NAN;
    r->start_step = h0;
    r->P = a->sP / n;
    r->M = a->sM / n;
    r->P_sd = sqrt(a->wP.m2 / n);
    r->M_sd = sqrt(a->wM.m2 / n);
    r->state = es_school_classify(r->P, r->M);
}

/* ------------------------------------------------------- checkpointing
 *
 * Sections (besides the config ones of es_checkpoint_writer_begin):
 * "ramp_state" int64 {step, frames written, hold in progress, n_fish,
 * samples of the hold, holds}; "ramp_acc" the hold's sums {ΣP, ΣM, Welford
 * mean and m2 of P, of M}; "ramp_holds" {P, P_sd, M, M_sd} of each hold
 * done; "pos", "dir" (n×3); "nc_partial", the name of the partial
 * school.nc, synced first so that it holds exactly the frames written. The
 * resumed run reopens it under that name (es_school_reopen_partial) and
 * continues. */

static int write_checkpoint(ramp_run *r)
{
    NC_TRY(nc_sync(r->h.ncid));
    size_t n3 = 3 * r->p->n;
    int64_t st[6] = {r->s->step,      (int64_t)r->h.frame, (int64_t)r->hold,
                     (int64_t)r->p->n, r->acc.cnt,          (int64_t)r->nh};
    double acc[6] = {r->acc.sP,     r->acc.sM,      r->acc.wP.mean,
                     r->acc.wP.m2,  r->acc.wM.mean, r->acc.wM.m2};
    double *done = malloc((4 * r->hold + 1) * sizeof *done);
    if (!done)
        return es_error_set(ES_ENOMEM, "school: out of memory for a checkpoint");
    for (size_t i = 0; i < r->hold; i++) {
        done[4 * i] = r->hr[i].P;
        done[4 * i + 1] = r->hr[i].P_sd;
        done[4 * i + 2] = r->hr[i].M;
        done[4 * i + 3] = r->hr[i].M_sd;
    }
    es_checkpoint_writer *w = NULL;
    int rc = es_checkpoint_writer_begin(r->dir, "school", r->o->cfg, &w);
    if (!rc)
        rc = es_checkpoint_write_section(w, "ramp_state", st, sizeof st);
    if (!rc)
        rc = es_checkpoint_write_section(w, "ramp_acc", acc, sizeof acc);
    if (!rc)
        rc = es_checkpoint_write_section(w, "ramp_holds", done, 4 * r->hold * sizeof *done);
    if (!rc)
        rc = es_checkpoint_write_section(w, "pos", r->s->pos, n3 * sizeof(double));
    if (!rc)
        rc = es_checkpoint_write_section(w, "dir", r->s->dir, n3 * sizeof(double));
    if (!rc)
        rc = es_checkpoint_write_section(w, "nc_partial", r->tmp, strlen(r->tmp));
    free(done);
    if (rc) {
        if (w)
            es_checkpoint_writer_free(w);
        return rc;
    }
    rc = es_checkpoint_writer_commit(w);
    if (!rc)
        r->ckpt_written = 1;
    return rc;
}

/* Restore the state from `path` and reopen the partial school.nc. */
static int read_checkpoint(ramp_run *r, const char *path)
{
    es_checkpoint *c;
    int rc = es_checkpoint_read(path, "school", es_checkpoint_config_hash(r->o->cfg), &c);
    if (rc)
        return rc;
    const es_school_ramp_opts *o = r->o;
    int64_t st[6];
    double acc[6];
    size_t n3 = 3 * r->p->n, size = 0;
    if (!es_checkpoint_section(c, "ramp_state", NULL))
        rc = es_error_set(ES_EDATA, "%s: not a checkpoint of a ramp run (no section "
                                    "'ramp_state')", path);
    if (!rc)
        rc = es_checkpoint_read_section(c, "ramp_state", st, sizeof st);
    /* the hold in progress holds the step; frames are saved at steps 0,
     * save_interval, ... up to it */
    if (!rc && (st[3] != (int64_t)r->p->n || st[5] != (int64_t)r->nh || st[2] < 0 ||
                (size_t)st[2] >= r->nh || st[0] < st[2] * o->hold_steps ||
                st[0] > (st[2] + 1) * o->hold_steps || st[0] > r->total ||
                st[1] != st[0] / o->save_interval + 1 || st[4] < 0))
        rc = es_error_set(ES_EDATA, "%s: ramp state does not fit this run's configuration", path);
    if (!rc)
        rc = es_checkpoint_read_section(c, "ramp_acc", acc, sizeof acc);
    const void *done = rc ? NULL : es_checkpoint_section(c, "ramp_holds", &size);
    if (!rc && (!done || size != 4 * (size_t)st[2] * sizeof(double)))
        rc = es_error_set(ES_EDATA, "%s: section 'ramp_holds' missing or of the wrong size", path);
    if (!rc)
        rc = es_checkpoint_read_section(c, "pos", r->s->pos, n3 * sizeof(double));
    if (!rc)
        rc = es_checkpoint_read_section(c, "dir", r->s->dir, n3 * sizeof(double));
    if (!rc) {
        r->s->step = st[0];
        r->h.frame = (size_t)st[1];
        r->hold = (size_t)st[2];
        r->acc = (hold_acc){.sP = acc[0], .sM = acc[1], .wP = {acc[2], acc[3]},
                            .wM = {acc[4], acc[5]}, .cnt = st[4]};
        for (size_t i = 0; i < r->hold; i++) {
            hold_result *hr = &r->hr[i];
            hr->start_step = (long long)i * o->hold_steps;
            double v[4]; /* section bytes need not be aligned for doubles */
            memcpy(v, (const unsigned char *)done + 4 * i * sizeof v[0], sizeof v);
            hr->P = v[0];
            hr->P_sd = v[1];
            hr->M = v[2];
            hr->M_sd = v[3];
            hr->state = es_school_classify(hr->P, hr->M);
        }
    }
    if (!rc)
        rc = es_school_reopen_partial(path, c, r->tmp, sizeof r->tmp, &r->h.ncid);
    es_checkpoint_free(c);
    if (rc)
        return rc;
    static const char *const bn[4] = {"polarization", "rotation", "spread", "order_index"};
    ramp_nc *h = &r->h;
    NC_TRY(nc_inq_varid(h->ncid, "time", &h->v_time));
    NC_TRY(nc_inq_varid(h->ncid, "ramp_value", &h->v_val));
    for (int k = 0; k < 4; k++)
        NC_TRY(nc_inq_varid(h->ncid, bn[k], &h->v_basic[k]));
    if (!o->metrics_only) {
        NC_TRY(nc_inq_varid(h->ncid, "positions", &h->v_pos));
        NC_TRY(nc_inq_varid(h->ncid, "velocities", &h->v_vel));
    }
    return ES_OK;
}

/* After a piece of a hold (from → s->step): write a checkpoint when one is
 * due (the interval, a signal, or the stop_after_steps hook passed) and
 * stop the run (ES_EINTR) when a signal or the hook asked for it. Once the
 * last step is made nothing is left to resume: the run finishes. */
static int maybe_checkpoint(ramp_run *r, long long from)
{
    const es_school_ramp_opts *o = r->o;
    long long step = r->s->step;
    int hook = o->stop_after_steps > 0 && from < o->stop_after_steps && step >= o->stop_after_steps;
    if (!r->ckpt || step >= r->total || !(hook || es_checkpoint_due(&r->timer)))
        return ES_OK;
    int rc = write_checkpoint(r);
    es_checkpoint_timer_reset(&r->timer);
    if (!rc && (hook || es_checkpoint_should_stop())) {
        int sig = hook ? 0 : es_checkpoint_signal();
        es_checkpoint_clear_request();
        char why[64];
        if (hook)
            snprintf(why, sizeof why, "by stop_after_steps = %lld", o->stop_after_steps);
        else
            snprintf(why, sizeof why, "by signal %d", sig);
        rc = es_error_set(ES_EINTR, "school ramp: interrupted %s at step %lld of %lld, hold %zu "
                                    "of %zu (checkpoint written)",
                          why, step, r->total, r->hold + 1, r->nh);
    }
    return rc;
}

/* The rest of hold r->hold (from the engine's step), one piece at a time:
 * up to the next step at which a frame or a sample falls due, or the
 * stop_after_steps hook. */
static int run_hold(ramp_run *r, es_progress *pg)
{
    es_school *s = r->s;
    const es_school_ramp_opts *o = r->o;
    hold_result *res = &r->hr[r->hold];
    hold_acc *a = &r->acc;
    long long h0 = (long long)r->hold * o->hold_steps, end = h0 + o->hold_steps,
              w0 = end - o->average_steps;
    while (s->step < end) {
        /* next step at which something is recorded */
        long long nf = (s->step / o->save_interval + 1) * o->save_interval;
        long long ns = s->step < w0 ? w0 : s->step;
        ns = ns - (ns - h0) % o->sample_every + o->sample_every;
        long long next = nf < ns ? nf : ns;
        if (next > end)
            next = end;
        /* the hook stops at its step exactly (the pieces change no bit) */
        if (o->stop_after_steps > s->step && o->stop_after_steps < next)
            next = o->stop_after_steps;
        long long from = s->step;
        int rc = es_school_step(s, next - from);
        if (rc)
            return rc;
        if (s->step > w0 && (s->step - h0) % o->sample_every == 0) {
            double m[4];
            order_params(s, o, r->vel, m);
            a->sP += m[0];
            a->sM += m[1];
            a->cnt++;
            welford_add(&a->wP, m[0], a->cnt);
            welford_add(&a->wM, m[1], a->cnt);
        }
        if (s->step % o->save_interval == 0 && (rc = put_frame(&r->h, s, o, r->vel, res->value)))
            return rc;
        es_progress_update(pg, (double)s->step);
        if ((rc = maybe_checkpoint(r, from)))
            return rc;
    }
    hold_finish(res, h0, a);
    memset(a, 0, sizeof *a);
    return ES_OK;
}

static int put_holds(ramp_nc *h, const hold_result *hr, size_t nh)
{
    static const char *const names[] = {"hold_value",         "hold_direction",
                                        "hold_start_step",    "hold_polarization_mean",
                                        "hold_polarization_sd", "hold_rotation_mean",
                                        "hold_rotation_sd",   "hold_state"};
    int var[8];
    for (int k = 0; k < 8; k++)
        NC_TRY(nc_inq_varid(h->ncid, names[k], &var[k]));
    for (size_t i = 0; i < nh; i++) {
        size_t st[1] = {i};
        double dv[5] = {hr[i].value, hr[i].P, hr[i].P_sd, hr[i].M, hr[i].M_sd};
        int dvar[5] = {var[0], var[3], var[4], var[5], var[6]};
        for (int k = 0; k < 5; k++)
            NC_TRY(nc_put_var1_double(h->ncid, dvar[k], st, &dv[k]));
        long long s0 = hr[i].start_step;
        signed char sc = state_code(hr[i].state);
        NC_TRY(nc_put_var1_int(h->ncid, var[1], st, &hr[i].direction));
        NC_TRY(nc_put_var1_longlong(h->ncid, var[2], st, &s0));
        NC_TRY(nc_put_var1_schar(h->ncid, var[7], st, &sc));
    }
    return ES_OK;
}

static json_t *ramp_json(const es_school_params *p, const es_school_ramp_opts *o,
                         const hold_result *hr, size_t nh, const char *mode_name, double wall)
{
    json_t *root = json_object(), *ramp = json_object(), *holds = json_array();
    for (size_t i = 0; i < nh; i++) {
        json_t *h = json_object();
        json_object_set_new(h, "value", es_json_real(hr[i].value));
        json_object_set_new(h, "direction", json_string(hr[i].direction > 0 ? "up" : "down"));
        json_object_set_new(h, "start_step", json_integer(hr[i].start_step));
        json_object_set_new(h, "P", es_json_real(hr[i].P));
        json_object_set_new(h, "P_sd", es_json_real(hr[i].P_sd));
        json_object_set_new(h, "M", es_json_real(hr[i].M));
        json_object_set_new(h, "M_sd", es_json_real(hr[i].M_sd));
        json_object_set_new(h, "state", json_string(hr[i].state));
        json_array_append_new(holds, h);
    }
    json_object_set_new(ramp, "parameter", json_string(o->param_name));
    json_object_set_new(ramp, "hold_steps", json_integer(o->hold_steps));
    json_object_set_new(ramp, "average_steps", json_integer(o->average_steps));
    json_object_set_new(ramp, "sample_every", json_integer(o->sample_every));
    json_object_set_new(ramp, "back", json_boolean(o->back));
    json_object_set_new(ramp, "holds", holds);
    json_object_set_new(root, "model", json_string("school"));
    json_object_set_new(root, "mode", json_string(mode_name));
    json_object_set_new(root, "n_fish", json_integer((json_int_t)p->n));
    json_object_set_new(root, "n_steps", json_integer((json_int_t)nh * o->hold_steps));
    json_object_set_new(root, "ramp", ramp);
    /* the last hold, under the keys of a plain run */
    json_t *mean = json_object();
    json_object_set_new(mean, "P", es_json_real(hr[nh - 1].P));
    json_object_set_new(mean, "M", es_json_real(hr[nh - 1].M));
    json_object_set_new(root, "mean", mean);
    json_object_set_new(root, "state", json_string(hr[nh - 1].state));
    json_object_set_new(root, "wall_seconds", es_json_real(wall));
    return root;
}

/* hysteresis.png: P and M per hold against the value, up (solid) and down (dashed). */
static int ramp_plot(const char *dir, const es_school_ramp_opts *o, const hold_result *hr,
                     size_t nh)
{
    /* fixed text (< 2 KB), the paths (tmp < 4300 bytes) and one < 160-byte line per hold:
     * n must stay below cap, or cap - n would wrap */
    size_t cap = 16384 + 160 * nh;
    char *sc = malloc(cap), png[4200], tmp[4300];
    if (!sc)
        return es_error_set(ES_ENOMEM, "school: out of memory for the figure");
    snprintf(png, sizeof png, "%s/hysteresis.png", dir);
    es_output_tmp_path(png, tmp, sizeof tmp);
    size_t n = (size_t)snprintf(sc, cap,
                                "set terminal pngcairo noenhanced size 900,420 font 'sans,11'\n"
                                "set output '%s'\n", tmp);
    for (int dir_ = 1; dir_ >= -1; dir_ -= 2) {
        n += (size_t)snprintf(sc + n, cap - n, "$%s << EOD\n", dir_ > 0 ? "up" : "down");
        for (size_t i = 0; i < nh; i++)
            if (hr[i].direction == dir_)
                n += (size_t)snprintf(sc + n, cap - n, "%.17g %.17g %.17g %.17g %.17g\n",
                                      hr[i].value, hr[i].P, hr[i].P_sd, hr[i].M, hr[i].M_sd);
        n += (size_t)snprintf(sc + n, cap - n, "EOD\n");
    }
    snprintf(sc + n, cap - n,
             "set multiplot layout 1,2 title 'ramp of %s: %lld steps per value, means over the last "
             "%lld (bars: sd)'\n"
             "set xlabel '%s'\nset yrange [0:1.05]\nset key bottom right\nset grid\n"
             "set ylabel 'polarisation P'\n"
             "plot $up u 1:2:3 w yerrorlines lw 2 pt 7 lc rgb '#1f77b4' t 'up', "
             "$down u 1:2:3 w yerrorlines lw 2 dt 2 pt 6 lc rgb '#d62728' t 'down'\n"
             "set ylabel 'rotation M'\nset key top right\n"
             "plot $up u 1:4:5 w yerrorlines lw 2 pt 7 lc rgb '#1f77b4' t 'up', "
             "$down u 1:4:5 w yerrorlines lw 2 dt 2 pt 6 lc rgb '#d62728' t 'down'\n"
             "unset multiplot\n",
             o->param_name, o->hold_steps, o->average_steps, value_label(o->param));
    int rc = es_plot_run_script(sc, tmp, png);
    free(sc);
    return rc;
}

/* The hold sequence: values up, then (back) the same values down. */
static size_t hold_plan(const es_school_ramp_opts *o, hold_result *hr)
{
    size_t nh = 0;
    for (size_t i = 0; i < o->nvalues; i++, nh++) {
        hr[nh].value = o->values[i];
        hr[nh].direction = 1;
    }
    for (size_t i = o->nvalues; o->back && i-- > 0; nh++) {
        hr[nh].value = o->values[i];
        hr[nh].direction = -1;
    }
    return nh;
}

/* The holds from r->hold on (t = 0 and hold 0 for a fresh run). */
static int ramp_simulate(ramp_run *r, int resumed)
{
    const es_school_ramp_opts *o = r->o;
    es_progress pg;
    memset(&pg, 0, sizeof pg);
    pg.log_interval = o->log_interval;
    es_progress_start(&pg, "school ramp", (double)r->total, o->quiet);
    es_progress_resume_from(&pg, (double)r->s->step); /* 0 unless resumed */
    if (r->ckpt)
        es_checkpoint_timer_init(&r->timer, o->checkpoint_interval);
    es_school_params q;
    int rc = ES_OK;
    if (!resumed) {
        rc = es_school_ramp_apply(r->p, o->param, r->hr[0].value, &q);
        if (!rc) {
            r->s->p = q;
            rc = put_frame(&r->h, r->s, o, r->vel, r->hr[0].value); /* t = 0 */
        }
    }
    for (; r->hold < r->nh && !rc; r->hold++) {
        /* The engine reads its parameters at every step: change them, keep the state. */
        rc = es_school_ramp_apply(r->p, o->param, r->hr[r->hold].value, &q);
        if (!rc) {
            r->s->p = q;
            rc = run_hold(r, &pg);
        }
        if (rc)
            break;
    }
    if (rc == ES_OK)
        es_progress_finish(&pg);
    else /* stopped: the log must not claim 100% before the 'interrupted' line */
        es_progress_finish_at(&pg, (double)r->s->step);
    return rc;
}

int es_school_ramp_run(const es_school_params *p, const es_school_ramp_opts *o, const char *dir,
                       es_provenance *prov, const char *mode_name)
{
    double t0 = es_wall_seconds();
    ramp_run r;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.o = o;
    r.dir = dir;
    r.h.ncid = -1;
    r.ckpt = o->cfg != NULL;
    const char *resume = r.ckpt ? es_checkpoint_resume_path() : NULL;
    if (r.ckpt)
        es_checkpoint_install_signals(); /* before the temporary school.nc exists */
    r.nh = o->nvalues * (o->back ? 2 : 1);
    r.total = (long long)r.nh * o->hold_steps;
    size_t nframes = (size_t)(r.total / o->save_interval) + 1;
    r.hr = calloc(r.nh ? r.nh : 1, sizeof *r.hr);
    r.vel = malloc(3 * p->n * sizeof *r.vel);
    int rc = (!r.hr || !r.vel) ? es_error_set(ES_ENOMEM, "school: out of memory") : ES_OK;
    if (!rc && r.nh == 0)
        rc = es_error_set(ES_ECONFIG, "school ramp: no values");
    if (!rc)
        rc = es_school_alloc(p, &r.s);
    if (!rc)
        hold_plan(o, r.hr);
    char final_path[4200];
    snprintf(final_path, sizeof final_path, "%s/school.nc", dir);
    es_output_tmp_path(final_path, r.tmp, sizeof r.tmp);
    if (!rc && resume) {
        rc = read_checkpoint(&r, resume);
        if (!rc) /* this run's history line, kept if it is interrupted again */
            rc = es_output_nc_resume_history(r.h.ncid, prov);
    } else if (!rc) {
        rc = es_school_init_state(r.s);
        if (!rc) {
            int nrc = nc_create(r.tmp, NC_NETCDF4 | NC_CLOBBER, &r.h.ncid);
            if (nrc != NC_NOERR) {
                r.h.ncid = -1;
                rc = es_error_set(ES_EIO, "%s: cannot create: %s", r.tmp, nc_strerror(nrc));
            }
        }
    }
    /* Below ~1000 fish a step is too short to share among threads (the
     * team's barriers cost more than the work, and far more on a busy
     * machine): step on one thread, and record that thread count in the
     * provenance. Results do not depend on it. */
    int threads = omp_get_max_threads();
    if (p->n <= 1024) {
        omp_set_num_threads(1);
        prov->threads = 1;
    }
    if (!rc && !resume)
        rc = nc_define_ramp(&r.h, p, o, r.nh, nframes, mode_name, prov);
    if (!rc)
        rc = ramp_simulate(&r, resume != NULL);
    omp_set_num_threads(threads);
    if (!rc)
        rc = put_holds(&r.h, r.hr, r.nh);
    if (!rc && r.h.ncid >= 0)
        rc = resume ? es_output_nc_finish_resumed(r.h.ncid, prov) /* this run's provenance */
                    : es_output_nc_finish(r.h.ncid, prov); /* end_time, also in summary.json */
    if (r.h.ncid >= 0) {
        int nrc = nc_close(r.h.ncid);
        if (rc == ES_EIO || nrc != NC_NOERR)
            es_output_hdf5_failed(); /* HDF5 may still hold the broken file */
        if (!rc && nrc != NC_NOERR)
            rc = es_error_set(ES_EIO, "cannot write '%s': %s (in nc_close)", final_path,
                              nc_strerror(nrc));
    }
    if (!rc)
        rc = es_output_commit(r.tmp, final_path);
    else if (!resume && !(rc == ES_EINTR && r.ckpt_written))
        es_output_discard(r.tmp); /* kept when stopped at or resumed from a checkpoint: it refers to it */
    if (!rc && o->plots && ramp_plot(dir, o, r.hr, r.nh))
        es_warning_add("school: hysteresis.png not drawn: %s", es_error_message());
    if (!rc) {
        if (!*prov->end_time) /* stamped by es_output_nc_finish */
            es_provenance_finish(prov);
        json_t *sum = ramp_json(p, o, r.hr, r.nh, mode_name, es_wall_seconds() - t0);
        rc = es_output_write_summary(dir, sum, prov);
        json_decref(sum);
    }
    es_school_free(r.s);
    free(r.vel);
    free(r.hr);
    return rc;
}
