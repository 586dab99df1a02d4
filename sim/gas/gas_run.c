/* Free-expansion experiment over realizations (see gas_run.h). */
#include "gas/gas_run.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

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
        if (st)
            return es_error_set(st, "cell set %zu: %s", c + 1, es_error_message());
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

/* Prepare realization r: insert, equilibrate (Z, ν measured over the second
 * half), remove the partition at t = 0. */
static int prepare(const es_gas_run_spec *s, int r, es_gas **out, double *Z, double *nu)
{
    es_gas_params par = s->gas;
    par.stream = (unsigned long long)r;
    int st = es_gas_alloc(&par, out);
    if (st)
        return st;
    es_gas *g = *out;
    *Z = *nu = NAN;
    if (par.sigma > 0.0 && s->equilibration > 0.0) {
        es_gas_run_collisions(g, (unsigned long long)ceil(0.25 * s->equilibration * g->n));
        es_gas_reset_stats(g);
        es_gas_run_collisions(g, (unsigned long long)ceil(0.25 * s->equilibration * g->n));
        *Z = es_gas_measured_Z(g);
        *nu = es_gas_measured_nu(g);
    }
    es_gas_reset_clock(g);
    if (g->partition_on)
        es_gas_remove_partition(g);
    return ES_OK;
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
    for (size_t c = 0; c < s->n_sets; c++) {
        es_bz_grid grid = s->sets[c];
        grid.lx = s->gas.lx;
        grid.ly = s->gas.ly;
        size_t i = ES_GAS_RKC(res, r, k, c);
        int st = es_bz_entropy(&grid, ES_BZ_FULL, snap, n, w, &res->full[i]);
        if (!st)
            st = es_bz_entropy(&grid, ES_BZ_POSITION, snap, n, w, &res->position[i]);
        if (!st)
            st = es_bz_entropy(&grid, ES_BZ_VELOCITY, snap, n, w, &res->velocity[i]);
        if (st)
            return st;
    }
    return ES_OK;
}

/* Pooled entropies and realization-averaged profiles, in realization order. */
static int reduce(const es_gas_run_spec *s, es_gas_run_result *res, size_t k, const double *snaps,
                  size_t n, es_bz_workspace *wp, double *prof)
{
    size_t R = (size_t)s->realizations;
    for (size_t c = 0; c < s->n_sets; c++) {
        es_bz_grid grid = s->sets[c];
        grid.lx = s->gas.lx;
        grid.ly = s->gas.ly;
        int st = es_bz_entropy(&grid, ES_BZ_FULL, snaps, R * n, wp, &res->pooled[ES_GAS_KC(res, k, c)]);
        if (st)
            return st;
    }
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
    es_bz_workspace *wp = es_bz_workspace_alloc(R * n);
    if (!res || !gs || !ws || !snaps || !E0 || !prof || !status || !wp) {
        st = es_error_set(ES_ENOMEM, "gas run: out of memory for %zu realizations of %zu discs", R, n);
        goto done;
    }
    es_gas_initial_scales(&s->gas, &res->scales);
    int threads = s->threads > 0 ? s->threads : omp_get_max_threads();
    char msg[512] = "";

#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (size_t r = 0; r < R; r++) {
        status[r] = prepare(s, (int)r, &gs[r], &res->Z_eq[r], &res->nu_eq[r]);
        if (!status[r]) {
            ws[r] = es_bz_workspace_alloc(n);
            if (!ws[r])
                status[r] = ES_ENOMEM;
            else
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

    for (size_t k = 0; k < s->n_times && !st; k++) {
        /* Long intervals are run in PROGRESS_STEPS pieces so that progress is
         * reported inside them; stopping at intermediate times changes nothing. */
        enum { PROGRESS_STEPS = 16 };
        double t0 = k > 0 ? s->times[k - 1] : 0.0;
        for (int q = 1; s->progress && q < PROGRESS_STEPS; q++) {
            double tq = t0 + (s->times[k] - t0) * q / PROGRESS_STEPS;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
            for (size_t r = 0; r < R; r++)
                es_gas_run_until(gs[r], tq);
            s->progress(s->progress_ctx, (k + (double)q / PROGRESS_STEPS) / s->n_times);
        }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (size_t r = 0; r < R; r++) {
            es_gas_run_until(gs[r], s->times[k]);
            es_gas_snapshot(gs[r], snaps + r * n * 4);
            status[r] = measure(s, res, gs[r], (int)r, k, snaps + r * n * 4, ws[r], E0[r]);
        }
        for (size_t r = 0; r < R && !st; r++)
            if (status[r])
                st = es_error_set(status[r], "gas run: entropy at sample %zu failed", k);
        if (!st)
            st = reduce(s, res, k, snaps, n, wp, prof);
        if (s->progress)
            s->progress(s->progress_ctx, (k + 1.0) / s->n_times);
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
    es_bz_workspace_free(wp);
    if (st) {
        es_gas_run_result_free(res);
        return st;
    }
    *out = res;
    return ES_OK;
}
