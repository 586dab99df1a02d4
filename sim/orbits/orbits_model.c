/* `[run] model = orbits`: ensembles of orbits (or map/noise series) with a
 * chaos indicator per orbit and in-situ ordinal analysis, written to
 * orbits.h5 and summary.json (plus hc_plane.png with plots = true). */
#include "orbits/orbits_model.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/model.h"
#include "core/plot.h"
#include "core/progress.h"
#include "esuite/rng.h"
#include "esuite/status.h"

static void data_free(es_orbits_data *d)
{
    free(d->y0);
    free(d->res);
    free(d->series);
    free(d->ins);
    free(d->Hc);
    free(d->Cc);
    free(d->section);
}

#define ORB_CHUNK 64

/* With store_series = false the series of one chunk of orbits at a time are
 * kept (analysed right after the chunk), so memory does not grow with n. */
static int keep_series(const es_orbits_setup_t *su)
{
    return su->rp.store_series || su->is_map;
}

/* The series that are held at once are too large: an error naming the config
 * key that sets their length (maps keep every series, whatever store_series). */
static int data_too_large(const es_config *cfg, const es_orbits_setup_t *su, double bytes)
{
    static const es_config_keyref orbit_keys[] = {
        {"orbits", "n_orbits"}, {"orbits", "t_end"}, {"orbits", "dt"}, {"orbits", "output_every"}};
    static const es_config_keyref map_keys[] = {{"orbits", "n_orbits"}, {"orbits", "map_length"}};
    if (su->is_map)
        return es_config_blame_error(cfg, map_keys, 2, "n_orbits × map_length = %.3g doubles "
                                     "(%.3g GB) is too large; reduce n_orbits or map_length",
                                     bytes / 8, bytes / 1e9);
    return es_config_blame_error(cfg, orbit_keys, 4, "n_orbits × observables × samples = %.3g "
                                 "doubles (%.3g GB) is too large; reduce n_orbits, t_end, raise "
                                 "output_every or set store_series = false", bytes / 8, bytes / 1e9);
}

static int data_alloc(es_orbits_data *d, const es_orbits_setup_t *su, const es_config *cfg)
{
    size_t nobs = (size_t)su->rp.nobs, L = (size_t)su->ip.curve_max_delay;
    size_t nser = keep_series(su) || d->n < ORB_CHUNK ? d->n : ORB_CHUNK;
    double bytes = (double)nser * nobs * d->nout * 8.0;
    if (bytes > 64e9)
        return data_too_large(cfg, su, bytes);
    d->res = calloc(d->n, sizeof *d->res);
    d->series = malloc(nser * nobs * d->nout * sizeof *d->series);
    d->ins = calloc(d->n * nobs, sizeof *d->ins);
    if (L) {
        d->Hc = malloc(d->n * nobs * L * sizeof *d->Hc);
        d->Cc = malloc(d->n * nobs * L * sizeof *d->Cc);
    }
    size_t S2 = 2 * (size_t)su->rp.section_max;
    if (S2)
        d->section = calloc(d->n * S2, sizeof *d->section);
    if (!d->res || !d->series || !d->ins || (L && (!d->Hc || !d->Cc)) || (S2 && !d->section))
        return es_error_set(ES_ENOMEM, "orbits: out of memory for %zu orbits × %zu samples",
                            d->n, d->nout);
    return ES_OK;
}

/* In-situ analysis of orbits i0 .. i0+m−1 whose series start at `series`. */
static void analyse_range(const es_orbits_setup_t *su, es_orbits_data *d, size_t i0, size_t m,
                          const double *series)
{
    int nobs = su->rp.nobs, L = su->ip.curve_max_delay;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t j = 0; j < m; j++)
        for (int k = 0; k < nobs; k++) {
            size_t ik = (i0 + j) * (size_t)nobs + (size_t)k;
            size_t jk = j * (size_t)nobs + (size_t)k;
            es_orb_insitu_one(series + jk * d->nout, d->nout, d->dt_out, &d->res[i0 + j], &su->ip,
                              &d->ins[ik], L ? d->Hc + ik * (size_t)L : NULL,
                              L ? d->Cc + ik * (size_t)L : NULL);
        }
}

int es_orbits_insitu_check(const es_orbits_setup_t *su, const es_orbits_data *d, size_t i0, size_t m)
{
    size_t nobs = (size_t)su->rp.nobs;
    for (size_t i = i0; i < i0 + m; i++)
        for (size_t k = 0; k < nobs; k++)
            if (d->ins[i * nobs + k].status == ES_ENOMEM)
                return es_error_set(ES_ENOMEM, "orbits: out of memory in the in-situ analysis of "
                                    "the '%s' series of orbit %zu of %zu (order %d)",
                                    su->is_map ? "x" : es_orb_observable_name(su->rp.obs[k]), i + 1,
                                    d->n, su->ip.order);
    return ES_OK;
}

void es_orbits_insitu_status_warning(char *buf, size_t len, int status, size_t count, size_t n,
                                     const char *obs, es_orb_tnat_source tnat)
{
    const char *why = es_status_name(status);
    if (status == ES_EDATA)
        why = tnat == ES_ORB_TNAT_RADIAL || tnat == ES_ORB_TNAT_AZIMUTHAL
                  ? "escaped or lost, or no radial/azimuthal period"
                  : "escaped or lost";
    else if (status == ES_EINVAL)
        why = "invalid argument: t_nat, dt or the delay not positive";
    snprintf(buf, len, "orbits: %zu of %zu '%s' series could not be analysed (%s); see "
             "/insitu/%s/status = %d", count, n, obs, why, obs, status);
}

/* Checkpoint after `done` orbits: the per-orbit results, their series and
 * section points (orbits are independent, so continuing from `done`
 * reproduces an uninterrupted run bit for bit). */
static int write_checkpoint(const es_run_ctx *ctx, const es_orbits_setup_t *su,
                            const es_orbits_data *d, size_t done)
{
    es_checkpoint_writer *w;
    int st = es_checkpoint_writer_begin(ctx->output_dir, "orbits", ctx->cfg, &w);
    if (st)
        return st;
    uint64_t n64[2] = {(uint64_t)d->n, (uint64_t)done};
    size_t per = d->nout * (size_t)su->rp.nobs, sper = 2 * (size_t)su->rp.section_max;
    size_t nobs = (size_t)su->rp.nobs, L = (size_t)su->ip.curve_max_delay;
    st = es_checkpoint_write_section(w, "orbits_done", n64, sizeof n64);
    if (!st)
        st = es_checkpoint_write_section(w, "results", d->res, done * sizeof *d->res);
    if (!st && keep_series(su))
        st = es_checkpoint_write_section(w, "series", d->series, done * per * sizeof *d->series);
    if (!st && !keep_series(su))
        st = es_checkpoint_write_section(w, "insitu", d->ins, done * nobs * sizeof *d->ins);
    if (!st && !keep_series(su) && L) {
        st = es_checkpoint_write_section(w, "H_curve", d->Hc, done * nobs * L * sizeof *d->Hc);
        if (!st)
            st = es_checkpoint_write_section(w, "C_curve", d->Cc, done * nobs * L * sizeof *d->Cc);
    }
    if (!st && sper)
        st = es_checkpoint_write_section(w, "section", d->section,
                                         done * sper * sizeof *d->section);
    if (st) {
        es_checkpoint_writer_free(w);
        return st;
    }
    return es_checkpoint_writer_commit(w);
}

/* The ICs are regenerated on resume (the config hash covers ic_file's name,
 * not its contents): the checkpointed orbits must have started from the same
 * points, or the output would mix two ensembles. */
static int check_resumed_ics(const char *path, const es_orbits_setup_t *su,
                             const es_orbits_data *d, size_t k)
{
    size_t nvar = (size_t)su->sys.nvar;
    for (size_t i = 0; i < k; i++)
        if (memcmp(d->res[i].y0, d->y0 + i * nvar, nvar * sizeof *d->y0) != 0) {
            if (su->ic.kind == ES_ORB_IC_FILE)
                return es_error_set(ES_EDATA, "%s: orbit %zu of ic_file %s differs from the "
                                    "interrupted run's (the file changed since the checkpoint)",
                                    path, i + 1, su->ic.path);
            return es_error_set(ES_EDATA, "%s: orbit %zu's initial condition differs from the "
                                "interrupted run's", path, i + 1);
        }
    return ES_OK;
}

static int read_checkpoint(const char *path, const es_run_ctx *ctx, const es_orbits_setup_t *su,
                           es_orbits_data *d, size_t *done)
{
    es_checkpoint *c;
    int st = es_checkpoint_read(path, "orbits", es_checkpoint_config_hash(ctx->cfg), &c);
    if (st)
        return st;
    uint64_t n64[2];
    size_t per = d->nout * (size_t)su->rp.nobs, sper = 2 * (size_t)su->rp.section_max;
    st = es_checkpoint_read_section(c, "orbits_done", n64, sizeof n64);
    if (!st && (n64[0] != d->n || n64[1] > d->n))
        st = es_error_set(ES_EDATA, "%s: holds %llu of %llu orbits, this run has %zu", path,
                          (unsigned long long)n64[1], (unsigned long long)n64[0], d->n);
    size_t k = st ? 0 : (size_t)n64[1];
    if (!st)
        st = es_checkpoint_read_section(c, "results", d->res, k * sizeof *d->res);
    if (!st && !su->is_map) /* maps have no initial conditions besides the config */
        st = check_resumed_ics(path, su, d, k);
    size_t nobs = (size_t)su->rp.nobs, L = (size_t)su->ip.curve_max_delay;
    if (!st && keep_series(su))
        st = es_checkpoint_read_section(c, "series", d->series, k * per * sizeof *d->series);
    if (!st && !keep_series(su))
        st = es_checkpoint_read_section(c, "insitu", d->ins, k * nobs * sizeof *d->ins);
    if (!st && !keep_series(su) && L) {
        st = es_checkpoint_read_section(c, "H_curve", d->Hc, k * nobs * L * sizeof *d->Hc);
        if (!st)
            st = es_checkpoint_read_section(c, "C_curve", d->Cc, k * nobs * L * sizeof *d->Cc);
    }
    if (!st && sper)
        st = es_checkpoint_read_section(c, "section", d->section, k * sper * sizeof *d->section);
    es_checkpoint_free(c);
    *done = k;
    return st;
}

static int stop_requested(void) { return es_checkpoint_should_stop(); }

/* Checkpoint the first `done` orbits and stop with ES_EINTR. */
static int stop_with_checkpoint(const es_run_ctx *ctx, const es_orbits_setup_t *su,
                                const es_orbits_data *d, size_t done)
{
    int st = write_checkpoint(ctx, su, d, done);
    if (st)
        return st;
    return es_error_set(ES_EINTR, "orbits: interrupted by signal %d after %zu of %zu orbits "
                        "(checkpoint written)", es_checkpoint_signal(), done, d->n);
}

/* A stop requested once every orbit is integrated: checkpoint all of them
 * (a resumed run skips the integration and analyses the series again). */
static int stop_after_integration(const es_run_ctx *ctx, const es_orbits_setup_t *su,
                                  const es_orbits_data *d)
{
    int st = write_checkpoint(ctx, su, d, d->n);
    if (st)
        return st;
    return es_error_set(ES_EINTR, "orbits: interrupted by signal %d in the analysis, after all %zu "
                        "orbits were integrated (checkpoint written)", es_checkpoint_signal(), d->n);
}

/* The in-situ analysis of a run that keeps its series, in chunks of
 * ORB_CHUNK orbits with a stop check between them and before the output is
 * written: long curves (curve_max_delay) over many orbits can take minutes,
 * longer than the warning a batch system gives before its time limit.
 * Writing the output, once begun, is finished: it costs about what a
 * checkpoint of the same series would. */
static int analyse_all(const es_run_ctx *ctx, const es_orbits_setup_t *su, es_orbits_data *d)
{
    size_t per = d->nout * (size_t)su->rp.nobs;
    for (size_t i0 = 0; keep_series(su) && i0 < d->n; i0 += ORB_CHUNK) {
        if (es_checkpoint_should_stop())
            return stop_after_integration(ctx, su, d);
        size_t m = d->n - i0 < ORB_CHUNK ? d->n - i0 : ORB_CHUNK;
        analyse_range(su, d, i0, m, d->series + i0 * per);
        int st = es_orbits_insitu_check(su, d, i0, m);
        if (st)
            return st;
    }
    return es_checkpoint_should_stop() ? stop_after_integration(ctx, su, d) : ES_OK;
}

/* Integrate in chunks of ORB_CHUNK orbits: the progress line is updated and a
 * checkpoint written (every [output] checkpoint_interval s) between them.
 * SIGTERM, SIGINT and SIGUSR1 are also polled inside every orbit's step loop
 * (es_orb_params.interrupted), since one chunk of long orbits may take
 * minutes: the unfinished chunk is abandoned, the orbits before it are
 * checkpointed, and a resumed run recomputes the chunk whole (each orbit is
 * independent and starts afresh, so the result stays bit-identical). */
static int integrate(const es_run_ctx *ctx, const es_orbits_setup_t *su, es_orbits_data *d)
{
    size_t i0 = 0;
    int st = ES_OK;
    const char *resume = es_checkpoint_resume_path();
    if (resume && (st = read_checkpoint(resume, ctx, su, d, &i0)))
        return st;
    int *status = calloc(d->n, sizeof *status);
    if (!status)
        return es_error_set(ES_ENOMEM, "orbits: out of memory");
    es_checkpoint_install_signals();
    es_checkpoint_timer timer;
    es_checkpoint_timer_init(&timer, es_config_double(ctx->cfg, "output", "checkpoint_interval"));
    /* log_interval set, as gas and school do: left uninitialised, the batch
     * log ignored [output] log_interval (an 11 s run logged only its end) */
    es_progress pr = {.log_interval = es_config_double(ctx->cfg, "output", "log_interval")};
    es_progress_start(&pr, "orbits", (double)d->n, ctx->quiet);
    es_progress_resume_from(&pr, (double)i0); /* 0 unless resumed */
    size_t per = d->nout * (size_t)su->rp.nobs, sper = 2 * (size_t)su->rp.section_max;
    int keep = keep_series(su);
    es_orb_run_params rp = su->rp;
    rp.par.interrupted = stop_requested;
    while (i0 < d->n && st == ES_OK) {
        size_t m = d->n - i0 < ORB_CHUNK ? d->n - i0 : ORB_CHUNK;
        double *ser = d->series + (keep ? i0 * per : 0);
        st = es_orb_run_ensemble_sos(&su->sys, &rp, d->y0 + i0 * (size_t)su->sys.nvar, m,
                                     d->res + i0, ser,
                                     d->section ? d->section + i0 * sper : NULL, status + i0);
        if (st == ES_EINTR) {
            st = stop_with_checkpoint(ctx, su, d, i0); /* the chunk is dropped */
            break;
        }
        if (st == ES_OK && !keep) {
            analyse_range(su, d, i0, m, ser);
            st = es_orbits_insitu_check(su, d, i0, m); /* before a checkpoint keeps it */
        }
        i0 += m;
        es_progress_update(&pr, (double)i0);
        if (st == ES_OK && i0 < d->n && es_checkpoint_due(&timer)) {
            if (es_checkpoint_should_stop()) {
                st = stop_with_checkpoint(ctx, su, d, i0);
                break;
            }
            st = write_checkpoint(ctx, su, d, i0);
            es_checkpoint_timer_reset(&timer);
        }
    }
    if (st == ES_OK)
        es_progress_finish(&pr);
    else /* stopped: the log must not claim 100% before the 'interrupted' line */
        es_progress_finish_at(&pr, (double)i0);
    free(status);
    return st;
}

/* Start of orbit i of n for the maps on [0, 1]: x0 + i·1e-9, or x0 − i·1e-9
 * when the last start would pass 1 (map_x0 = 1 made every later orbit start
 * outside the map's domain). n ≤ 5·10^8 always fits one way. */
static double map_start(double x0, size_t i, size_t n)
{
    const double step = 1e-9;
    return x0 + step * (double)(n - 1) <= 1.0 ? x0 + step * (double)i : x0 - step * (double)i;
}

/* A map orbit that ran away (the Hénon map outside its basin, e.g. a = 2)
 * is lost like a runaway integrated orbit (escaped = 2, NaN from the first
 * non-finite sample, t_end the last finite one); its NaN exponent made it
 * chaos class 'none', the class of noise. */
static void map_runaway(es_orb_result *r, double *x, size_t T)
{
    size_t j = 0;
    while (j < T && isfinite(x[j]))
        j++;
    if (j == T)
        return;
    for (size_t k = j; k < T; k++)
        x[k] = NAN;
    r->escaped = 2;
    r->chaos_class = ES_ORB_CHAOS_ESCAPED;
    r->t_end = j > 0 ? (double)(j - 1) : 0.0;
}

/* Maps and noise: one series per "orbit"; orbit i starts at map_start
 * (the Hénon map at (1 − i·1e-9, 1); noise: its own counter-derived seed). The map's Lyapunov exponent is the
 * chaos indicator (chaotic above mlce_threshold; noise: no indicator). */
static int map_one(const es_orbits_setup_t *su, es_orbits_data *d, uint64_t seed, size_t i)
{
    es_orb_map_params mp = su->mp;
    mp.x0 = map_start(su->mp.x0, i, d->n);
    mp.dx = -1e-9 * (double)i; /* the Hénon map has no x0: all its orbits were one */
    double lyap;
    int s = es_orb_map_generate(su->map, &mp, d->nout, es_counter_u64(seed, i, 0, 0),
                                d->series + i * d->nout, &lyap);
    es_orb_result *r = &d->res[i];
    memset(r, 0, sizeof *r);
    r->mlce = lyap;
    r->sali = r->e0 = r->max_drift = r->t_radial = r->t_azimuthal = NAN;
    r->chaos_class = !isfinite(lyap)                     ? ES_ORB_CHAOS_NONE
                     : lyap > su->rp.cls.mlce_threshold ? ES_ORB_CHAOS_CHAOTIC
                                                        : ES_ORB_CHAOS_REGULAR;
    r->t_end = (double)(d->nout - 1);
    r->nsteps = (long long)d->nout - 1;
    map_runaway(r, d->series + i * d->nout, d->nout);
    return s;
}

/* In chunks of ORB_CHUNK series, like integrate(): a long noise or map run
 * (minutes for 10^6-sample noise series) honours SIGTERM/SIGINT/SIGUSR1 with
 * a checkpoint and --resume instead of dying on SIGUSR1's default action.
 * Series not begun when a stop is requested are not begun; the chunk is
 * dropped and regenerated whole on resume (each series is independent). */
static int generate_maps(const es_run_ctx *ctx, const es_orbits_setup_t *su, es_orbits_data *d)
{
    size_t i0 = 0;
    int st = ES_OK;
    const char *resume = es_checkpoint_resume_path();
    if (resume && (st = read_checkpoint(resume, ctx, su, d, &i0)))
        return st;
    int *status = calloc(d->n, sizeof *status);
    if (!status)
        return es_error_set(ES_ENOMEM, "orbits: out of memory");
    es_checkpoint_install_signals();
    es_checkpoint_timer timer;
    es_checkpoint_timer_init(&timer, es_config_double(ctx->cfg, "output", "checkpoint_interval"));
    while (i0 < d->n && st == ES_OK) {
        size_t m = d->n - i0 < ORB_CHUNK ? d->n - i0 : ORB_CHUNK;
#pragma omp parallel for schedule(dynamic, 1)
        for (size_t i = i0; i < i0 + m; i++)
            status[i] = es_checkpoint_should_stop() ? ES_EINTR : map_one(su, d, ctx->seed, i);
        for (size_t i = i0; i < i0 + m && st == ES_OK; i++)
            st = status[i]; /* the first failure in orbit order (thread-count independent) */
        if (st == ES_EINTR) {
            st = stop_with_checkpoint(ctx, su, d, i0); /* the chunk is dropped */
            break;
        }
        i0 += st == ES_OK ? m : 0;
        if (st == ES_OK && i0 < d->n && es_checkpoint_due(&timer)) {
            st = write_checkpoint(ctx, su, d, i0);
            es_checkpoint_timer_reset(&timer);
        }
    }
    free(status);
    return st;
}

/* One line per observable instead of one warning per series. */
static void summarise_warnings(const es_orbits_setup_t *su, const es_orbits_data *d)
{
    /* escaped = 2 also covers an adaptive step that collapsed: with tolerances
     * no step can meet, every orbit was "escaped" and nothing said why */
    size_t lost = 0;
    for (size_t i = 0; i < d->n; i++)
        lost += d->res[i].escaped == 2;
    if (lost && su->is_map)
        es_warning_add("orbits: %zu of %zu map series ran away to infinity (escaped = 2); see "
                       "/orbits/escaped and /orbits/t_end", lost, d->n);
    else if (lost)
        es_warning_add("orbits: %zu of %zu orbits stopped on a non-finite state or a collapsed "
                       "integrator step (escaped = 2: a runaway orbit, or eps_abs/eps_rel too "
                       "strict); see /orbits/escaped and /orbits/t_end", lost, d->n);
    for (int k = 0; k < su->rp.nobs; k++) {
        /* statuses 0 .. ES_EUNSUP, and one more for any other */
        size_t w = 0, by[ES_EUNSUP + 2] = {0};
        for (size_t i = 0; i < d->n; i++) {
            const es_orb_insitu *a = &d->ins[i * (size_t)su->rp.nobs + (size_t)k];
            w += a->warned != 0;
            by[a->status >= 0 && a->status <= ES_EUNSUP ? a->status : ES_EUNSUP + 1]++;
        }
        size_t flat = by[ES_EUNSUP], shortn = by[ES_ESHORT];
        const char *on = su->is_map ? "x" : es_orb_observable_name(su->rp.obs[k]);
        if (w)
            es_warning_add("orbits: %zu of %zu '%s' series broke the sampling rule (t_dur < 1.5 "
                           "t_nat, or the ideal delay rounds below 1 sample); see "
                           "/insitu/%s/warned", w, d->n, on, on);
        /* status 4 was one "could not be analysed" with escaped orbits, and
         * the file's status 4 was documented nowhere: say what it means and
         * which key gives more samples */
        if (shortn)
            es_warning_add("orbits: %zu of %zu '%s' series were not analysed (/insitu/%s/status "
                           "= %d, series too short): too few samples for order %d, or too few "
                           "extrema or crossings for tnat = %s; %s helps a series that is "
                           "merely short", shortn, d->n, on, on, ES_ESHORT, su->ip.order,
                           es_orb_tnat_source_name(su->ip.tnat),
                           su->is_map ? "a longer map_length" : "a longer t_end or a smaller output_every");
        /* the others by what they are: an escaped orbit (ES_EDATA) is not an
         * invalid parameter; out of memory has failed the run already
         * (es_orbits_insitu_check) */
        for (int s = 0; s <= ES_EUNSUP + 1; s++)
            if (by[s] && s != ES_OK && s != ES_ESHORT && s != ES_EUNSUP) {
                char msg[512];
                es_orbits_insitu_status_warning(msg, sizeof msg, s <= ES_EUNSUP ? s : -1, by[s],
                                                d->n, on, su->ip.tnat);
                es_warning_add("%s", msg);
            }
        if (flat)
            es_warning_add("orbits: %zu of %zu '%s' series are constant to rounding (a conserved "
                           "quantity) and were not analysed (/insitu/%s/status = %d)",
                           flat, d->n, on, on, ES_EUNSUP);
    }
}

/* Without gnuplot a figure is a warning, as in gas and school runs (the
 * computed orbits.h5 is kept); a figure that fails to draw or to be written
 * (a full disc) still fails the run. */
static int figure_status(int st, const char *name)
{
    if (st != ES_EUNSUP)
        return st;
    es_warning_add("orbits: %s not drawn: %s", name, es_error_message());
    return ES_OK;
}

static int plot_hc(const char *dir, const es_orbits_setup_t *su, const es_orbits_data *d)
{
    double *H = malloc(d->n * sizeof *H), *C = malloc(d->n * sizeof *C),
           *col = malloc(d->n * sizeof *col);
    size_t m = 0;
    int nobs = su->rp.nobs;
    for (size_t i = 0; H && C && col && i < d->n; i++) {
        const es_orb_insitu *a = &d->ins[i * (size_t)nobs];
        if (a->status != ES_OK)
            continue;
        H[m] = a->H, C[m] = a->C;
        col[m] = log10(fmax(fabs(d->res[i].mlce), 1e-6));
        m++;
    }
    int st = ES_OK;
    if (m > 0) {
        char png[4200], title[256];
        snprintf(png, sizeof png, "%s/hc_plane.png", dir);
        snprintf(title, sizeof title, "orbits: %s at the ideal delay, coloured by mLCE",
                 su->is_map ? "x" : es_orb_observable_name(su->rp.obs[0]));
        es_hc_points pts = {H, C, NULL, col, "log10 mLCE", m, 0};
        st = es_plot_hc(png, su->ip.order, &pts, title);
    } else {
        es_warning_add("orbits: no '%s' series could be analysed: hc_plane.png (which shows the "
                       "first observable) not drawn",
                       su->is_map ? "x" : es_orb_observable_name(su->rp.obs[0]));
    }
    free(H);
    free(C);
    free(col);
    return st;
}

/* Surface of section: every orbit's (y, vy) crossings, regular orbits
 * (chaos indicator) in blue, chaotic in red. */
static int plot_section(const char *dir, const es_orbits_setup_t *su, const es_orbits_data *d)
{
    size_t npts = 0;
    for (size_t i = 0; i < d->n; i++)
        npts += (size_t)d->res[i].nsection;
    if (npts == 0) { /* gnuplot fails on an empty file ("x range is invalid") and so did the run */
        es_warning_add("orbits: no orbit crossed x = 0 upwards: section.png not drawn");
        return ES_OK;
    }
    char tdir[] = "/tmp/esuite-sos-XXXXXX";
    if (!mkdtemp(tdir))
        return es_error_set(ES_EIO, "cannot create a temporary directory");
    char dat[64], png[4200], tmp_png[4300];
    snprintf(dat, sizeof dat, "%s/sos.dat", tdir);
    FILE *fp = fopen(dat, "w");
    if (!fp) {
        rmdir(tdir);
        return es_error_set(ES_EIO, "%s: cannot write", dat);
    }
    size_t S2 = 2 * (size_t)su->rp.section_max;
    for (size_t i = 0; i < d->n; i++)
        for (int k = 0; k < d->res[i].nsection; k++)
            fprintf(fp, "%.9g %.9g %d\n", d->section[i * S2 + 2 * k],
                    d->section[i * S2 + 2 * k + 1], d->res[i].chaos_class);
    fclose(fp);
    snprintf(png, sizeof png, "%s/section.png", dir);
    es_output_tmp_path(png, tmp_png, sizeof tmp_png);
    char script[9000];
    snprintf(script, sizeof script,
             "set terminal pngcairo size 1000,900 font ',11'\nset output '%s'\n"
             "set xlabel 'y'\nset ylabel 'v_y'\nset title 'surface of section x = 0, v_x > 0 "
             "(E = %g): blue regular, red chaotic (chaos indicator)'\n"
             "set palette defined (0 '#1f4e9c', 1 '#d62728', 2 '#999999')\nset cbrange [0:2]\n"
             "unset colorbox\nplot '%s' using 1:2:3 with dots lc palette notitle\n",
             tmp_png, su->ic.energy, dat);
    int st = es_plot_run_script(script, tmp_png, png);
    unlink(dat);
    rmdir(tdir);
    return st;
}

/* ic = file: the file's rows are the orbits. An n_orbits given anyway must
 * agree (a user who wrote it expects that many); left out, the resolved
 * config (provenance, checkpoint) records the file's count instead of the
 * default, which the run never used. */
static int check_file_count(es_config *cfg, const es_orbits_setup_t *su, size_t n)
{
    if (es_config_was_set(cfg, "orbits", "n_orbits")) {
        long long want = es_config_int(cfg, "orbits", "n_orbits");
        if ((size_t)want == n)
            return ES_OK;
        return es_config_key_error(cfg, "orbits", "n_orbits", "n_orbits = %lld, but ic_file %s holds %zu "
                                   "initial condition%s; leave n_orbits out with ic = file (the "
                                   "file decides) or make it %zu", want, su->ic.path, n,
                                   n == 1 ? "" : "s", n);
    }
    char v[32];
    snprintf(v, sizeof v, "%zu", n);
    return es_config_set_derived(cfg, "orbits", "n_orbits", v, "the rows of ic_file");
}

/* ic = grid rounds n_orbits to nx·nv (nx = round(√n)): the resolved config
 * (provenance, checkpoint) records the count integrated, with a warning, so
 * that it and summary.json agree and the config repeats the run. */
static int record_grid_count(es_config *cfg, const es_orbits_setup_t *su, size_t n)
{
    if (n == su->ic.n)
        return ES_OK;
    es_warning_add("orbits: ic = grid: n_orbits = %zu rounded to %zu (a %zu × %zu grid of x and vy)",
                   su->ic.n, n, (size_t)llround(sqrt((double)su->ic.n)),
                   n / (size_t)llround(sqrt((double)su->ic.n)));
    char v[32];
    snprintf(v, sizeof v, "%zu", n);
    return es_config_set_derived(cfg, "orbits", "n_orbits", v, "ic = grid: rounded to nx × nv");
}

/* An error st of es_orb_ic_generate or es_orb_ic_check as a config error
 * naming the key to change: the file, the energy, or ic itself (grid, or a
 * sampled kind the system lacks: ensemble.c, ic_sampled_check). */
static int ic_error(const es_config *cfg, const es_orbits_setup_t *su, int st)
{
    char msg[ES_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", es_error_message());
    int no_sampling = su->sys.kind == ES_ORB_SYS_LORENZ ||
                      (su->ic.kind == ES_ORB_IC_SECTION && su->sys.kind != ES_ORB_SYS_POTENTIAL);
    const char *key = su->ic.kind == ES_ORB_IC_FILE                        ? "ic_file"
                      : su->ic.kind == ES_ORB_IC_GRID || st == ES_EUNSUP ? "ic"
                      : !no_sampling                 ? "energy"
                      : es_config_line(cfg, "orbits", "ic") ? "ic" : "system";
    if (st == ES_ENOMEM)
        return es_error_set(st, "%s", msg);
    return es_config_key_error(cfg, "orbits", key, "initial conditions (ic = %s): %s",
                               es_orb_ic_name(su->ic.kind), msg);
}

static int orbits_run(const es_run_ctx *ctx)
{
    es_orbits_setup_t su;
    int st = es_orbits_setup(ctx->cfg, ctx->seed, &su);
    if (st)
        return st;
    es_orbits_data d;
    memset(&d, 0, sizeof d);
    double t0 = es_wall_seconds();
    if (su.is_map) {
        d.n = su.ic.n;
        d.nout = su.map_length;
        d.dt_out = 1.0;
    } else {
        if ((st = es_orb_ic_generate(&su.sys, &su.ic, &d.y0, &d.n)))
            return ic_error(ctx->cfg, &su, st);
        if (su.ic.kind == ES_ORB_IC_GRID && (st = record_grid_count(ctx->cfg, &su, d.n))) {
            free(d.y0);
            return st;
        }
        if (su.ic.kind == ES_ORB_IC_FILE && (st = check_file_count(ctx->cfg, &su, d.n))) {
            free(d.y0);
            return st;
        }
        d.nout = es_orb_run_nout(&su.rp);
        d.dt_out = su.rp.par.dt * su.rp.output_every;
    }
    if ((st = data_alloc(&d, &su, ctx->cfg)) == ES_OK)
        st = su.is_map ? generate_maps(ctx, &su, &d) : integrate(ctx, &su, &d);
    if (st == ES_OK)
        st = analyse_all(ctx, &su, &d);
    if (st == ES_OK)
        summarise_warnings(&su, &d);
    double seconds = es_wall_seconds() - t0;
    es_provenance prov;
    es_provenance_init(&prov, ctx->cfg, "orbits");
    es_provenance_finish(&prov);
    char path[4200];
    snprintf(path, sizeof path, "%s/orbits.h5", ctx->output_dir);
    long long level = es_config_int(ctx->cfg, "output", "compression"); /* -1: default, 4 */
    if (st == ES_OK)
        st = es_orbits_write_h5(path, &su, &d, &prov, level < 0 ? 4 : (int)level);
    if (st == ES_OK && su.plots)
        st = figure_status(plot_hc(ctx->output_dir, &su, &d), "hc_plane.png");
    if (st == ES_OK && su.plots && d.section)
        st = figure_status(plot_section(ctx->output_dir, &su, &d), "section.png");
    if (st == ES_OK) {
        json_t *sum = es_orbits_summary(&su, &d, seconds);
        st = es_output_write_summary(ctx->output_dir, sum, &prov);
        json_decref(sum);
    }
    es_provenance_free(&prov);
    data_free(&d);
    return st;
}

/* The key checks of es_orbits_setup (es_model.check) and what the config
 * alone decides about the initial conditions (es_orb_ic_check: ic = energy
 * or section for a system without it, a section through a point mass or
 * above the energy); the draws and ic_file are made when the run starts. */
static int orbits_check(const es_config *cfg)
{
    es_orbits_setup_t su;
    int st = es_orbits_setup(cfg, (uint64_t)es_config_int(cfg, "run", "seed"), &su);
    if (st == ES_OK && !su.is_map && (st = es_orb_ic_check(&su.sys, &su.ic)))
        return ic_error(cfg, &su, st);
    return st;
}

static const char *const orbits_outputs[] = {"orbits.h5", "hc_plane.png", "section.png", NULL};

const es_model es_model_orbits = {
    "orbits",
    "tracer orbits, Hénon–Heiles, double pendulum, Lorenz, maps: chaos indicators + in-situ PECCARY",
    es_orbits_schema, orbits_run, orbits_outputs, orbits_check, NULL};
