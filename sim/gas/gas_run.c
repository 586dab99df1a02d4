/* Free-expansion experiment over realizations (see gas_run.h). */
#include "gas/gas_run.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"
#include "gas/gas_checkpoint.h"

void es_gas_run_result_free(es_gas_run_result *res)
{
    if (!res)
        return;
    free(res->Z_eq);
    free(res->nu_eq);
    free(res->energy_drift);
    free(res->n_right);
    free(res->energy);
    free(res->collisions);
    free(res->virial_P);
    free(res->full);
    free(res->position);
    free(res->velocity);
    free(res->pooled);
    free(res->density);
    free(res->ux);
    free(res->temperature);
    free(res);
}

static es_gas_run_result *result_alloc(size_t R, size_t K, size_t C, size_t B)
{
    es_gas_run_result *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->realizations = (int)R;
    res->n_times = K;
    res->n_sets = C;
    res->bins = B;
    res->Z_eq = calloc(R, sizeof(double));
    res->nu_eq = calloc(R, sizeof(double));
    res->energy_drift = calloc(R, sizeof(double));
    res->n_right = calloc(R * K, sizeof(double));
    res->energy = calloc(R * K, sizeof(double));
    res->collisions = calloc(R * K, sizeof(double));
    res->virial_P = calloc(R * K, sizeof(double));
    res->full = calloc(R * K * C + 1, sizeof(es_bz_result));
    res->position = calloc(R * K * C + 1, sizeof(es_bz_result));
    res->velocity = calloc(R * K * C + 1, sizeof(es_bz_result));
    res->pooled = calloc(K * C + 1, sizeof(es_bz_result));
    res->density = calloc(K * B + 1, sizeof(double));
    res->ux = calloc(K * B + 1, sizeof(double));
    res->temperature = calloc(K * B + 1, sizeof(double));
    if (!res->Z_eq || !res->nu_eq || !res->energy_drift || !res->n_right || !res->energy ||
        !res->collisions || !res->virial_P || !res->full || !res->position || !res->velocity ||
        !res->pooled || !res->density || !res->ux || !res->temperature) {
        es_gas_run_result_free(res);
        return NULL;
    }
    return res;
}

static int check_spec(const es_gas_run_spec *s)
{
    if (s->realizations < 1)
        return es_error_set(ES_EINVAL, "gas run: realizations = %d must be >= 1", s->realizations);
    if (s->n_times < 1)
        return es_error_set(ES_EINVAL, "gas run: at least one sampling time is needed");
    for (size_t k = 0; k < s->n_times; k++)
        if (!(s->times[k] >= 0.0) || (k > 0 && !(s->times[k] > s->times[k - 1])))
            return es_error_set(ES_EINVAL, "gas run: sampling times must be >= 0 and increasing "
                                           "(time %zu = %g)", k, s->times[k]);
    for (size_t c = 0; c < s->n_sets; c++) {
        es_bz_grid g = s->sets[c];
        g.lx = s->gas.lx;
        g.ly = s->gas.ly;
        int st = es_bz_grid_check(&g);
        if (st) {
            char msg[ES_MSG_LEN]; /* the message may not be formatted into itself */
            snprintf(msg, sizeof msg, "%s", es_error_message());
            return es_error_set(st, "cell set %zu: %s", c + 1, msg);
        }
        if (s->gas.box == ES_GAS_BOX_WALLS && s->gas.partition) {
            double half = 0.5 * s->gas.lx / g.dx;
            if (fabs(half - round(half)) > 1e-9 * half)
                return es_error_set(ES_EINVAL, "cell set %zu: lx/2 = %g must be a multiple of dx = "
                                               "%g (the initial density step must lie on a cell "
                                               "boundary)", c + 1, 0.5 * s->gas.lx, g.dx);
        }
    }
    return ES_OK;
}

/* Events between two progress reports (well under a second on a quiet
 * machine) and between two looks at the stop flag (a volatile read: often,
 * so that a stop is prompt on a loaded node too, where 2^20 events took 4-5 s). */
#define PROGRESS_EVENTS (1u << 20)
#define STOP_CHECK_EVENTS (1u << 14)
#define STOP_CHECK_MASK (STOP_CHECK_EVENTS - 1)

/* Equilibration collisions of all realizations, done and in all, for the
 * progress report (shared by the worker threads). */
typedef struct {
    unsigned long long done, total;
} prep_tally;

static void prep_report(const es_gas_run_spec *s, prep_tally *tally, unsigned long long ncoll)
{
    if (!s->prep_progress)
        return;
    /* one section for the count and its report: reports never go backwards */
#pragma omp critical(gas_prep_progress)
    {
        tally->done += ncoll;
        s->prep_progress(s->progress_ctx, (double)tally->done / (double)tally->total);
    }
}

/* ncoll collisions, looking at the stop flag every 2^14 events (ES_EINTR
 * when a signal asks the run to stop): a long equilibration has no
 * checkpoint yet, and the signal must not wait for its end. Counting events,
 * not collisions: a very dilute gas has many wall and cell events per
 * collision, and a piece of N/2 collisions ignored SIGTERM for minutes (for
 * ever at packing_fraction = 1e-300). Progress is reported every 2^20 events. */
static int stopped_in_equilibration(void)
{
    return es_error_set(ES_EINTR, "stopped by signal %d during the equilibration, before the first "
                                  "checkpoint: nothing written", es_checkpoint_signal());
}

static int equilibrate(const es_gas_run_spec *s, prep_tally *tally, es_gas *g, unsigned long long ncoll)
{
    unsigned long long target = g->n_coll + ncoll;
    while (g->n_coll < target) {
        unsigned long long before = g->n_coll;
        for (unsigned long k = 0; k < PROGRESS_EVENTS && g->n_coll < target; k++) {
            if (es_gas_step(g) == ES_GAS_EV_NONE)
                return ES_OK;
            if ((k & STOP_CHECK_MASK) == STOP_CHECK_MASK && es_checkpoint_should_stop())
                break;
        }
        prep_report(s, tally, g->n_coll - before);
        if (es_checkpoint_should_stop())
            return stopped_in_equilibration();
    }
    return ES_OK;
}

/* Collisions of each half of the equilibration (Z and ν are measured over the second). */
static unsigned long long equilibration_half(const es_gas_run_spec *s, size_t n)
{
    return (unsigned long long)ceil(0.25 * s->equilibration * (double)n);
}

/* Prepare realization r: insert, equilibrate (Z, ν measured over the second
 * half), remove the partition at t = 0. */
static int prepare(const es_gas_run_spec *s, prep_tally *tally, int r, es_gas **out, double *Z, double *nu)
{
    es_gas_params par = s->gas;
    par.stream = (unsigned long long)r;
    int equilibrating = par.sigma > 0.0 && s->equilibration > 0.0;
    /* Stopped during another realization's equilibration: this one would
     * stop in its own after 2^14 events, so do not insert its discs first
     * (R = 200 of 20000 discs took 6.7 s to stop, each inserted and run).
     * Without an equilibration the preparation goes on: its engines are
     * checkpointed before the t = 0 sample. */
    if (equilibrating && es_checkpoint_should_stop())
        return stopped_in_equilibration();
    int st = es_gas_alloc(&par, out);
    if (st)
        return st;
    es_gas *g = *out;
    *Z = *nu = NAN;
    if (equilibrating) {
        unsigned long long half = equilibration_half(s, g->n);
        if ((st = equilibrate(s, tally, g, half)) == ES_OK) {
            es_gas_reset_stats(g);
            st = equilibrate(s, tally, g, half);
        }
        if (st)
            return st;
        *Z = es_gas_measured_Z(g);
        *nu = es_gas_measured_nu(g);
    }
    es_gas_reset_clock(g);
    if (g->partition_on)
        es_gas_remove_partition(g);
    return ES_OK;
}

enum { SETS_PER_CALL = 16 };

/* Cell sets c0, c0 + 1, … (at most SETS_PER_CALL) on the box; returns how many. */
static size_t set_grids(const es_gas_run_spec *s, size_t c0, es_bz_grid *grid)
{
    size_t m = s->n_sets - c0 < SETS_PER_CALL ? s->n_sets - c0 : SETS_PER_CALL;
    for (size_t c = 0; c < m; c++) {
        grid[c] = s->sets[c0 + c];
        grid[c].lx = s->gas.lx;
        grid[c].ly = s->gas.ly;
    }
    return m;
}

/* Everything measured on realization r at sample k from its snapshot. */
static int measure(const es_gas_run_spec *s, es_gas_run_result *res, const es_gas *g, int r,
                   size_t k, const double *snap, es_bz_workspace *w, double E0)
{
    size_t n = (size_t)g->n;
    size_t rk = ES_GAS_RK(res, r, k);
    res->n_right[rk] = (double)es_bz_count_right(snap, n, 0.5 * s->gas.lx) / n;
    double E = es_gas_energy(g);
    res->energy[rk] = E / n;
    res->collisions[rk] = (double)g->n_coll;
    res->virial_P[rk] = g->t > 0.0 ? 1.0 + g->virial / (2.0 * g->t * E) : NAN;
    double drift = fabs(E / E0 - 1.0);
    if (drift > res->energy_drift[r])
        res->energy_drift[r] = drift;
    /* Every sampled state is checked: an overlap or a centre outside the box
     * would make every number of the run meaningless. */
    double closest = INFINITY;
    long outside = 0, bad = es_gas_check_overlaps(g, 1e-9, &closest, &outside);
    if (bad > 0 || outside > 0)
        return es_error_set(ES_EDATA, "the engine broke the hard-disc constraint at t = %.17g: %ld "
                                      "overlapping pairs (closest %.17g diameters), %ld centres outside "
                                      "the box; please report this with the config", g->t, bad, closest,
                            outside);
    /* All cell sets in one call: they share the passes over the snapshot. */
    for (size_t c0 = 0; c0 < s->n_sets; c0 += SETS_PER_CALL) {
        es_bz_grid grid[SETS_PER_CALL];
        size_t m = set_grids(s, c0, grid);
        size_t i = ES_GAS_RKC(res, r, k, c0);
        int st = es_bz_entropy_sets(grid, m, snap, n, w, &res->full[i], &res->position[i],
                                    &res->velocity[i]);
        if (st)
            return st;
    }
    return ES_OK;
}

/* Pooled full-phase-space entropies of all R·N particles at sample k. With
 * one realization they are its own (the same counts, bit for bit). Else the
 * cell sets are split into T contiguous blocks, evaluated in parallel; a
 * set's result does not depend on its block or its workspace. Each block
 * gets a workspace of its own for this sample only, freed at the end: the
 * realizations' workspaces would grow to R·N particles per set and keep
 * that for the whole run (4·R·N·(C + T) bytes on top of theirs). */
static int pooled_entropy(const es_gas_run_spec *s, es_gas_run_result *res, size_t k,
                          const double *snaps, size_t n, int threads, int *status)
{
    size_t R = (size_t)s->realizations, C = s->n_sets;
    if (R == 1) {
        for (size_t c = 0; c < C; c++)
            res->pooled[ES_GAS_KC(res, k, c)] = res->full[ES_GAS_RKC(res, 0, k, c)];
        return ES_OK;
    }
    size_t T = R < (size_t)threads ? R : (size_t)threads;
    T = T < C ? T : C;
    if (T == 0) /* no cell sets (num_threads(0) is not allowed) */
        return ES_OK;
    char msg[ES_MSG_LEN] = ""; /* the failing thread's message (messages are thread-local) */
#pragma omp parallel for schedule(static, 1) num_threads((int)T)
    for (size_t t = 0; t < T; t++) {
        es_bz_workspace *w = es_bz_workspace_alloc(R * n);
        status[t] = w ? ES_OK : es_error_set(ES_ENOMEM, "out of memory for the entropy workspace");
        for (size_t c0 = t * C / T, c1 = (t + 1) * C / T; c0 < c1 && !status[t];) {
            es_bz_grid grid[SETS_PER_CALL];
            size_t m = set_grids(s, c0, grid);
            m = m < c1 - c0 ? m : c1 - c0;
            status[t] = es_bz_entropy_sets(grid, m, snaps, R * n, w,
                                           &res->pooled[ES_GAS_KC(res, k, c0)], NULL, NULL);
            c0 += m;
        }
        es_bz_workspace_free(w);
        if (status[t]) {
#pragma omp critical(gas_pooled_msg)
            if (!msg[0])
                snprintf(msg, sizeof msg, "%s", es_error_message());
        }
    }
    for (size_t t = 0; t < T; t++)
        if (status[t])
            return es_error_set(status[t], "gas run: pooled entropy at sample %zu failed: %s", k,
                                msg);
    return ES_OK;
}

/* Realization-averaged profiles, in realization order. */
static int reduce(const es_gas_run_spec *s, es_gas_run_result *res, size_t k, const double *snaps,
                  size_t n, double *prof)
{
    size_t R = (size_t)s->realizations;
    size_t B = s->profile_bins;
    if (B == 0)
        return ES_OK;
    /* Pool the samples: profiles of all R·N particles (counts per bin / R). */
    int st = es_bz_profiles(snaps, R * n, s->gas.lx, s->gas.ly, B, prof, prof + B, prof + 2 * B);
    if (st)
        return st;
    for (size_t b = 0; b < B; b++) {
        res->density[k * B + b] = prof[b] / R;
        res->ux[k * B + b] = prof[B + b];
        res->temperature[k * B + b] = prof[2 * B + b];
    }
    return ES_OK;
}

/* ---- checkpoint/restart ------------------------------------------------- */

/* Run-level arrays of a checkpoint: everything collected so far (the future
 * samples' slots are still zero and are stored too, which keeps this simple). */
typedef struct {
    const char *name;
    void *data;
    size_t size;
} run_section;

static size_t run_sections(es_gas_run_result *res, double *E0, run_section *out)
{
    size_t R = (size_t)res->realizations, K = res->n_times, C = res->n_sets, B = res->bins;
    size_t d = sizeof(double), b = sizeof(es_bz_result), k = 0;
    out[k++] = (run_section){"E0", E0, R * d};
    out[k++] = (run_section){"Z_eq", res->Z_eq, R * d};
    out[k++] = (run_section){"nu_eq", res->nu_eq, R * d};
    out[k++] = (run_section){"energy_drift", res->energy_drift, R * d};
    out[k++] = (run_section){"n_right", res->n_right, R * K * d};
    out[k++] = (run_section){"energy", res->energy, R * K * d};
    out[k++] = (run_section){"collisions", res->collisions, R * K * d};
    out[k++] = (run_section){"virial_P", res->virial_P, R * K * d};
    out[k++] = (run_section){"full", res->full, R * K * C * b};
    out[k++] = (run_section){"position", res->position, R * K * C * b};
    out[k++] = (run_section){"velocity", res->velocity, R * K * C * b};
    out[k++] = (run_section){"pooled", res->pooled, K * C * b};
    out[k++] = (run_section){"density", res->density, K * B * d};
    out[k++] = (run_section){"ux", res->ux, K * B * d};
    out[k++] = (run_section){"temperature", res->temperature, K * B * d};
    return k;
}

enum { RUN_SECTIONS_MAX = 16 };

/* Shape and progress: samples taken, R, N, K, C, B. */
static void run_header(const es_gas_run_result *res, size_t n, size_t done, uint64_t h[6])
{
    h[0] = done;
    h[1] = (uint64_t)res->realizations;
    h[2] = n;
    h[3] = res->n_times;
    h[4] = res->n_sets;
    h[5] = res->bins;
}

static int save_checkpoint(const es_gas_run_spec *s, es_gas_run_result *res, es_gas **gs, double *E0,
                           size_t done)
{
    es_checkpoint_writer *w;
    int st = es_checkpoint_writer_begin(s->ck_dir, "gas", s->ck_cfg, &w);
    if (st)
        return st;
    uint64_t h[6];
    run_header(res, (size_t)s->gas.n, done, h);
    st = es_gas_checkpoint_save_format(w);
    if (!st)
        st = es_checkpoint_write_section(w, "gas_run", h, sizeof h);
    run_section sec[RUN_SECTIONS_MAX];
    size_t ns = run_sections(res, E0, sec);
    for (size_t i = 0; i < ns && !st; i++)
        st = es_checkpoint_write_section(w, sec[i].name, sec[i].data, sec[i].size);
    for (int r = 0; r < res->realizations && !st; r++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "r%d", r);
        st = es_gas_checkpoint_save(gs[r], w, prefix);
    }
    if (st) {
        es_checkpoint_writer_free(w);
        return st;
    }
    return es_checkpoint_writer_commit(w);
}

/* Restore engines, E0 and results; *done: samples already taken. */
static int load_checkpoint(const es_gas_run_spec *s, es_gas_run_result *res, es_gas **gs, double *E0,
                           size_t *done)
{
    es_checkpoint *c;
    uint64_t config_hash = s->ck_cfg ? es_checkpoint_config_hash(s->ck_cfg) : 0;
    int st = es_checkpoint_read(s->resume, "gas", config_hash, &c);
    if (st)
        return st;
    /* [gas] temperature of the config (the engine itself always runs T0 = 1
     * since the unit fix); without a config, the parameters are the caller's
     * and their meaning did not change */
    double t0 = s->ck_cfg ? es_config_double(s->ck_cfg, "gas", "temperature") : 1.0;
    st = es_gas_checkpoint_check_format(c, s->resume, t0);
    uint64_t h[6] = {0}, want[6];
    if (!st)
        st = es_checkpoint_read_section(c, "gas_run", h, sizeof h);
    run_header(res, (size_t)s->gas.n, (size_t)h[0], want);
    /* 0 samples taken is a valid checkpoint: a signal during a preparation
     * without equilibration (diameter 0, equilibration_collisions = 0) or
     * after its last check stops the run before the t = 0 sample, with the
     * prepared engines saved (stop_between_samples); refusing it left a
     * checkpoint that could not be resumed */
    if (!st && (memcmp(h + 1, want + 1, 5 * sizeof *h) != 0 || h[0] >= res->n_times))
        st = es_error_set(ES_EDATA, "%s: gas checkpoint of %llu realizations x %llu discs, %llu samples "
                                    "(%llu taken), %llu cell sets, %llu bins does not fit this run",
                          s->resume, (unsigned long long)h[1], (unsigned long long)h[2],
                          (unsigned long long)h[3], (unsigned long long)h[0],
                          (unsigned long long)h[4], (unsigned long long)h[5]);
    run_section sec[RUN_SECTIONS_MAX];
    size_t ns = run_sections(res, E0, sec);
    for (size_t i = 0; i < ns && !st; i++)
        st = es_checkpoint_read_section(c, sec[i].name, sec[i].data, sec[i].size);
    for (int r = 0; r < res->realizations && !st; r++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "r%d", r);
        es_gas_params par = s->gas;
        par.stream = (unsigned long long)r;
        st = es_gas_checkpoint_load(c, prefix, &par, &gs[r]);
    }
    es_checkpoint_free(c);
    if (st) {
        char msg[ES_MSG_LEN]; /* the message may not be formatted into itself; it names the file */
        snprintf(msg, sizeof msg, "%s", es_error_message());
        return es_error_set(st, "resume: %s", msg);
    }
    *done = (size_t)h[0];
    return ES_OK;
}

/* After `done` samples: checkpoint when due, the test hook fires or a signal
 * came; ES_EINTR when the run must stop. */
static int maybe_checkpoint(const es_gas_run_spec *s, es_gas_run_result *res, es_gas **gs, double *E0,
                            size_t done, es_checkpoint_timer *timer)
{
    int hook = s->stop_after_samples > 0 && done == s->stop_after_samples;
    if (!s->ck_dir || done >= res->n_times || !(hook || es_checkpoint_due(timer)))
        return ES_OK;
    int st = save_checkpoint(s, res, gs, E0, done);
    es_checkpoint_timer_reset(timer);
    if (st || !(hook || es_checkpoint_should_stop()))
        return st;
    int sig = hook ? 0 : es_checkpoint_signal();
    es_checkpoint_clear_request();
    if (hook)
        return es_error_set(ES_EINTR, "gas: interrupted by stop_after_samples = %zu after sample %zu "
                                      "of %zu (checkpoint written)", s->stop_after_samples, done,
                            res->n_times);
    return es_error_set(ES_EINTR, "gas: interrupted by signal %d after sample %zu of %zu (checkpoint "
                                  "written)", sig, done, res->n_times);
}

/* Advance realization g to time t. With checkpoints on, in pieces of
 * STOP_CHECK_EVENTS (2^14) events, returning 0 as soon as a signal asks the run to
 * stop: one sampling interval may last longer than the warning a batch
 * system gives before its time limit (Slurm's --signal). Where it stops
 * changes nothing: the engine continues from there as if it had not. */
static int advance_to(const es_gas_run_spec *s, es_gas *g, double t)
{
    if (!s->ck_dir) {
        es_gas_run_until(g, t);
        return 1;
    }
    while (!es_checkpoint_should_stop())
        if (es_gas_run_until_bounded(g, t, STOP_CHECK_EVENTS))
            return 1;
    return 0;
}

/* A signal came between samples `done` and done + 1: checkpoint the engines
 * where they stopped (each realization at its own time) and stop. */
static int stop_between_samples(const es_gas_run_spec *s, es_gas_run_result *res, es_gas **gs,
                                double *E0, size_t done)
{
    int sig = es_checkpoint_signal();
    int st = save_checkpoint(s, res, gs, E0, done);
    es_checkpoint_clear_request();
    if (st)
        return st;
    return es_error_set(ES_EINTR, "gas: interrupted by signal %d after sample %zu of %zu, on the "
                                  "way to the next (checkpoint written)", sig, done, res->n_times);
}

int es_gas_run(const es_gas_run_spec *s, es_gas_run_result **out)
{
    *out = NULL;
    int st = check_spec(s);
    if (st)
        return st;
    size_t R = (size_t)s->realizations, n = (size_t)s->gas.n;
    es_gas_run_result *res = result_alloc(R, s->n_times, s->n_sets, s->profile_bins);
    es_gas **gs = calloc(R, sizeof *gs);
    es_bz_workspace **ws = calloc(R, sizeof *ws);
    double *snaps = malloc(R * n * 4 * sizeof *snaps);
    double *E0 = calloc(R, sizeof *E0);
    double *prof = malloc((3 * s->profile_bins + 1) * sizeof *prof);
    int *status = calloc(R, sizeof *status);
    if (!res || !gs || !ws || !snaps || !E0 || !prof || !status) {
        st = es_error_set(ES_ENOMEM, "gas run: out of memory for %zu realizations of %zu discs", R, n);
        goto done;
    }
    es_gas_initial_scales(&s->gas, &res->scales);
    int threads = s->threads > 0 ? s->threads : omp_get_max_threads();
    char msg[ES_MSG_LEN] = "";
    size_t k0 = 0; /* samples already taken (resume) */
    es_checkpoint_timer timer = {0};
    if (s->ck_dir) {
        es_checkpoint_install_signals();
        es_checkpoint_timer_init(&timer, s->ck_interval);
    }
    if (s->resume)
        st = load_checkpoint(s, res, gs, E0, &k0);
    prep_tally tally = {0, 2 * equilibration_half(s, n) * R};
    /* the equilibration's clock starts now, not at its first report 2^20 events
     * in (which said "0.2% done, elapsed 0s, ETA 0s") */
    if (!st && !s->resume && s->gas.sigma > 0.0 && s->equilibration > 0.0 && s->prep_progress)
        s->prep_progress(s->progress_ctx, 0.0);

#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (size_t r = 0; r < R; r++) {
        if (st)
            continue;
        status[r] = s->resume ? ES_OK : prepare(s, &tally, (int)r, &gs[r], &res->Z_eq[r], &res->nu_eq[r]);
        if (!status[r]) {
            ws[r] = es_bz_workspace_alloc(n);
            if (!ws[r])
                status[r] = es_error_set(ES_ENOMEM, "out of memory for the entropy workspace");
            else if (!s->resume)
                E0[r] = es_gas_energy(gs[r]);
        }
        if (status[r]) {
#pragma omp critical(gas_run_msg)
            if (!msg[0])
                snprintf(msg, sizeof msg, "realization %zu: %s", r, es_error_message());
        }
    }
    for (size_t r = 0; r < R && !st; r++)
        if (status[r])
            st = es_error_set(status[r], "%s", msg);
    if (!st && s->progress) /* the run's own clock starts here, after the preparation */
        s->progress(s->progress_ctx, (double)k0 / s->n_times);

    for (size_t k = k0; k < s->n_times && !st; k++) {
        /* Long intervals are run in PROGRESS_STEPS pieces so that progress is
         * reported inside them; stopping at intermediate times changes nothing. */
        enum { PROGRESS_STEPS = 16 };
        double t0 = k > 0 ? s->times[k - 1] : 0.0;
        int stopped = 0;
        for (int q = 1; s->progress && q <= PROGRESS_STEPS && !stopped; q++) {
            double tq = q < PROGRESS_STEPS ? t0 + (s->times[k] - t0) * q / PROGRESS_STEPS : s->times[k];
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(| : stopped)
            for (size_t r = 0; r < R; r++)
                stopped |= !advance_to(s, gs[r], tq);
            if (!stopped && q < PROGRESS_STEPS)
                s->progress(s->progress_ctx, (k + (double)q / PROGRESS_STEPS) / s->n_times);
        }
        if (!s->progress) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(| : stopped)
            for (size_t r = 0; r < R; r++)
                stopped |= !advance_to(s, gs[r], s->times[k]);
        }
        if (stopped) {
            st = stop_between_samples(s, res, gs, E0, k);
            break;
        }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (size_t r = 0; r < R; r++) {
            es_gas_snapshot(gs[r], snaps + r * n * 4);
            status[r] = measure(s, res, gs[r], (int)r, k, snaps + r * n * 4, ws[r], E0[r]);
            if (status[r]) {
#pragma omp critical(gas_run_msg)
                if (!msg[0])
                    snprintf(msg, sizeof msg, "realization %zu: %s", r, es_error_message());
            }
        }
        for (size_t r = 0; r < R && !st; r++)
            if (status[r])
                st = es_error_set(status[r], "gas run: entropy at sample %zu failed: %s", k, msg);
        if (!st)
            st = pooled_entropy(s, res, k, snaps, n, threads, status);
        if (!st)
            st = reduce(s, res, k, snaps, n, prof);
        if (s->progress)
            s->progress(s->progress_ctx, (k + 1.0) / s->n_times);
        if (!st)
            st = maybe_checkpoint(s, res, gs, E0, k + 1, &timer);
    }
done:
    if (gs)
        for (size_t r = 0; r < R; r++)
            es_gas_free(gs[r]);
    if (ws)
        for (size_t r = 0; r < R; r++)
            es_bz_workspace_free(ws[r]);
    free(gs);
    free(ws);
    free(snaps);
    free(E0);
    free(prof);
    free(status);
    if (st) {
        es_gas_run_result_free(res);
        return st;
    }
    *out = res;
    return ES_OK;
}
