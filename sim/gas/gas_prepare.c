/* Box set-up, random sequential insertion, Maxwell velocities (see gas.h). */
#include "gas/gas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "esuite/rng.h"
#include "esuite/status.h"

void es_gas_cell_insert(es_gas *g, int32_t i, int32_t c);
void es_gas_cell_remove(es_gas *g, int32_t i);


void es_gas_params_default(es_gas_params *par)
{
    memset(par, 0, sizeof *par);
    par->n = 1000;
    par->sigma = 1.0;
    par->lx = 100.0;
    par->ly = 100.0;
    par->box = ES_GAS_BOX_WALLS;
    par->ybc = ES_GAS_Y_PERIODIC;
    par->partition = 1;
    par->temperature = 1.0;
    par->seed = 1;
}

/* ---- kinetic theory ------------------------------------------------------ */

double es_gas_eta(double n, double sigma) { return n * M_PI * sigma * sigma / 4.0; }

double es_gas_henderson_Z(double eta)
{
    return (1.0 + eta * eta / 8.0) / ((1.0 - eta) * (1.0 - eta));
}

double es_gas_contact_g(double eta) { return (1.0 - 7.0 * eta / 16.0) / ((1.0 - eta) * (1.0 - eta)); }

double es_gas_enskog_nu(double n, double sigma, double T)
{
    return 2.0 * sigma * n * sqrt(M_PI * T) * es_gas_contact_g(es_gas_eta(n, sigma));
}

double es_gas_mean_free_path(double n, double sigma)
{
    if (sigma <= 0.0 || n <= 0.0)
        return INFINITY;
    return 1.0 / (2.0 * M_SQRT2 * n * sigma * es_gas_contact_g(es_gas_eta(n, sigma)));
}


static double initial_area(const es_gas_params *par)
{
    int half = par->box == ES_GAS_BOX_WALLS && par->partition;
    return par->lx * par->ly * (half ? 0.5 : 1.0);
}

void es_gas_initial_scales(const es_gas_params *par, es_gas_scales *s)
{
    s->n_density = par->n / initial_area(par);
    s->eta = es_gas_eta(s->n_density, par->sigma);
    /* one disc never collides: no mean free path, as for diameter 0 (the
     * density-based Enskog values were reported for it) */
    int alone = par->n < 2;
    s->lambda = alone ? INFINITY : es_gas_mean_free_path(s->n_density, par->sigma);
    s->nu = alone ? 0.0 : es_gas_enskog_nu(s->n_density, par->sigma, par->temperature);
    s->tau_c = s->nu > 0.0 ? 1.0 / s->nu : INFINITY;
    s->kn = s->lambda / par->lx;
}

/* ---- box from (n, eta, kn, aspect) ----------------------------------------- */

static void box_from_n_eta(es_gas_params *par, long n, double eta, double aspect)
{
    double area = n * M_PI * par->sigma * par->sigma / (4.0 * eta);
    if (par->box == ES_GAS_BOX_WALLS && par->partition)
        area *= 2.0;
    par->n = n;
    par->lx = sqrt(area * aspect);
    par->ly = par->lx / aspect;
}

int es_gas_box_from(es_gas_params *par, long n, double eta, double kn, double aspect)
{
    int given = (n > 0) + (eta > 0.0) + (kn > 0.0);
    if (given != 2)
        return es_error_set(ES_EINVAL, "gas box: give exactly two of N (%ld), packing_fraction "
                                       "(%g) and knudsen (%g); the others must be 0",
                            n, eta, kn);
    if (!(aspect > 0.0))
        return es_error_set(ES_EINVAL, "gas box: aspect = lx/ly must be > 0 (got %g)", aspect);
    if (!(par->sigma > 0.0))
        return es_error_set(ES_EINVAL, "gas box: packing_fraction and knudsen need diameter > 0; "
                                       "give lx and ly for the collisionless mode");
    if (eta > ES_GAS_ETA_MAX)
        return es_error_set(ES_EDATA, "impossible packing: packing_fraction %g is above %g, the most "
                                      "that random sequential insertion reaches (docs/gas.md)",
                            eta, ES_GAS_ETA_MAX);
    /* λ is the mean distance between collisions with other discs: a single
     * disc has none (λ infinite), so no box gives it a Knudsen number */
    if (kn > 0.0 && n == 1)
        return es_error_set(ES_EINVAL, "gas box: knudsen = %g needs N >= 2: a single disc never "
                                       "collides, so it has no mean free path and no box gives it a "
                                       "Knudsen number; give N >= 2, or packing_fraction instead of "
                                       "knudsen", kn);
    if (n > 0 && eta > 0.0) {
        box_from_n_eta(par, n, eta, aspect);
        return ES_OK;
    }
    if (eta > 0.0) { /* eta and kn: lambda fixes lx */
        double lambda = es_gas_mean_free_path(4.0 * eta / (M_PI * par->sigma * par->sigma), par->sigma);
        par->lx = lambda / kn;
        par->ly = par->lx / aspect;
        double area = initial_area(par);
        double nd = eta * area * 4.0 / (M_PI * par->sigma * par->sigma);
        if (!(nd >= 1.5)) /* rounds to one disc or none, which have no mean free path */
            return es_error_set(ES_EINVAL, "gas box: packing_fraction %g and knudsen %g give %.3g "
                                           "discs; a Knudsen number needs N >= 2 (a single disc never "
                                           "collides, so it has no mean free path)", eta, kn, nd);
        if (nd > INT32_MAX / 2) /* also keeps lround defined */
            return es_error_set(ES_EINVAL, "gas box: packing_fraction %g and knudsen %g give %.3g discs, "
                                           "more than the engine holds (%d)", eta, kn, nd, INT32_MAX / 2);
        par->n = lround(nd);
        return ES_OK;
    }
    /* n and kn: lambda/lx falls monotonically with eta; bisect up to the
     * largest packing_fraction the config accepts (ES_GAS_ETA_MAX), so that
     * every (N, eta) box can also be asked for as (N, Kn). */
    double lo = 1e-12, hi = ES_GAS_ETA_MAX;
    for (int it = 0; it < 200; it++) {
        double mid = sqrt(lo * hi);
        box_from_n_eta(par, n, mid, aspect);
        es_gas_scales s;
        es_gas_initial_scales(par, &s);
        if (s.kn > kn)
            lo = mid;
        else
            hi = mid;
    }
    box_from_n_eta(par, n, sqrt(lo * hi), aspect);
    if (hi >= ES_GAS_ETA_MAX * (1 - 1e-9) || lo <= 1e-12 * (1 + 1e-9))
        return es_error_set(ES_EINVAL, "gas box: N = %ld and knudsen = %g need a packing fraction "
                                       "outside [1e-12, %g]", n, kn, ES_GAS_ETA_MAX);
    return ES_OK;
}

/* ---- allocation and insertion ------------------------------------------- */

/* The densest packing of equal discs in the plane, pi/(2 sqrt 3): no
 * container holds more. */
#define ES_GAS_HEX_PACKING 0.9068996821171089

/* Random sequential insertion (insert_positions) cannot place every
 * packing that exists. Discs jam at a coverage of 0.547 in the plane
 * (Hinrichsen, Feder & Jossang 1986), and its 100000 tries a disc give out
 * before that: in periodic boxes (5 seeds each) it stopped at 0.534 on
 * average for N = 10^3, 0.532 (10^4), 0.527 (10^5), 0.526 (10^6); the gap to
 * 0.547 grows as (ln N)^(1/3) (the free area shrinks as the gap cubed), so
 * about 0.524 at the largest N, 5·10^7. Few discs jam anywhere within
 * ~0.1/sqrt(N) of that (periodic, at 0.52: 7 of 40 seeds failed for N = 10,
 * 1 of 40 for N = 100). A wall costs more: beside it discs park less densely,
 * as if a layer about sigma/5 thick were missing (reflecting rims in x and
 * y: 0.50 at N = 30 and 100, 0.524 at 1000). So the coverage of the bodies'
 * region, less a layer sigma/2 thick at each wall, may be at most
 * ES_GAS_ETA_MAX - 0.3/sqrt(N); above that it is refused here, by --check as
 * by the run, and not by insertion after it has placed most of the discs. */
static double insertion_limit(long n) { return ES_GAS_ETA_MAX - 0.3 / sqrt((double)n); }

static int check_insertion_reach(const es_gas_params *par, double discs, double w, double h)
{
    double limit = insertion_limit(par->n);
    if (discs <= limit * w * h)
        return ES_OK;
    int walls = par->box == ES_GAS_BOX_WALLS;
    return es_error_set(ES_EDATA, "gas: impossible packing: %ld discs of diameter %g (packing fraction "
                                  "%.4g) would cover %.4g of the %g x %g %s, more than the %.4g = %g - "
                                  "0.3/sqrt(N) that random sequential insertion reaches (discs jam at "
                                  "0.547, and its 100000 tries a disc gave out at 0.526 for N = 10^6; "
                                  "docs/gas.md)",
                        par->n, par->sigma, discs / initial_area(par), discs / (w * h), w, h,
                        walls ? "their bodies can reach less sigma/2 at each wall" : "periodic box",
                        limit, ES_GAS_ETA_MAX);
}

/* Discs whose total area exceeds the hexagonal packing of the region their
 * bodies can reach (a wall direction: the centres' extent plus sigma, as
 * centres may touch a centre wall; a periodic one: its length) cannot be
 * placed by any method. Found here, so that --check says so; insertion would
 * say it only after its 100000 tries for a disc. Fewer, but more than
 * insertion reaches, are refused by check_insertion_reach. */
static int check_room(const es_gas_params *par)
{
    int periodic_x = par->box == ES_GAS_BOX_PERIODIC;
    int periodic_y = periodic_x || par->ybc == ES_GAS_Y_PERIODIC;
    double rim = par->rim ? par->sigma : 0.0;
    double cx = (!periodic_x && par->partition ? 0.5 * par->lx : par->lx) - rim;
    double w = periodic_x ? par->lx : cx + par->sigma;
    double h = periodic_y ? par->ly : par->ly - rim + par->sigma;
    double discs = par->n * M_PI * par->sigma * par->sigma / 4.0;
    if (discs > ES_GAS_HEX_PACKING * w * h)
        return es_error_set(ES_EDATA, "gas: impossible packing: %ld discs of diameter %g (packing "
                                      "fraction %.4g) would cover %.4g of the %g x %g their bodies can "
                                      "reach at t = 0, more than the densest packing pi/(2 sqrt 3) = "
                                      "0.9069 allows",
                            par->n, par->sigma, discs / initial_area(par), discs / (w * h), w, h);
    return check_insertion_reach(par, discs, periodic_x ? w : w - par->sigma,
                                 periodic_y ? h : h - par->sigma);
}

int es_gas_params_check(const es_gas_params *par)
{
    if (par->n < 1 || par->n > INT32_MAX / 2)
        return es_error_set(ES_EINVAL, "gas: N = %ld out of range [1, %d]", par->n, INT32_MAX / 2);
    if (!(par->sigma >= 0.0) || !isfinite(par->sigma))
        return es_error_set(ES_EINVAL, "gas: diameter = %g must be >= 0", par->sigma);
    if (!(par->lx > 0.0) || !(par->ly > 0.0) || !isfinite(par->lx) || !isfinite(par->ly))
        return es_error_set(ES_EINVAL, "gas: box lx = %g, ly = %g must be positive", par->lx, par->ly);
    if (!(par->temperature > 0.0))
        return es_error_set(ES_EINVAL, "gas: temperature = %g must be > 0", par->temperature);
    if (par->sigma > 0.0) {
        int periodic_x = par->box == ES_GAS_BOX_PERIODIC;
        int periodic_y = periodic_x || par->ybc == ES_GAS_Y_PERIODIC;
        /* Periodic directions need 3 cells of width >= sigma (no double images). */
        if (periodic_x && par->lx < 3.0 * par->sigma)
            return es_error_set(ES_EINVAL, "gas: periodic box: lx = %g must be at least 3 diameters "
                                           "(%g)", par->lx, 3 * par->sigma);
        if (periodic_y && par->ly < 3.0 * par->sigma)
            return es_error_set(ES_EINVAL, "gas: %s: ly = %g must be at least 3 diameters (%g)",
                                periodic_x ? "periodic box" : "y_boundary = periodic", par->ly,
                                3 * par->sigma);
        double rim = par->rim ? par->sigma : 0.0;
        double w = (par->box == ES_GAS_BOX_WALLS && par->partition ? 0.5 * par->lx : par->lx);
        if (par->box == ES_GAS_BOX_WALLS && w - rim <= 0.0)
            return es_error_set(ES_EINVAL, "gas: box too narrow for discs of diameter %g", par->sigma);
        /* Reflecting rims in y leave the centres ly - sigma of height: at or
         * below 0 there is no room, and the engine would loop for ever on
         * wall events it cannot order. */
        if (par->box == ES_GAS_BOX_WALLS && !periodic_y && par->ly - rim <= 0.0)
            return es_error_set(ES_EINVAL, "gas: box too low (ly = %g) for discs of diameter %g between "
                                           "reflecting rim walls", par->ly, par->sigma);
        return check_room(par);
    }
    return ES_OK;
}

void *es_gas_alloc_lines(size_t size)
{
    /* Large arrays are read at random (one event here, the next far away):
     * on 4 KiB pages nearly every access would also miss the TLB, so ask for
     * transparent huge pages (a hint; ignored where unsupported). */
    const size_t huge = (size_t)2 << 20;
    if (size < 2 * huge)
        return aligned_alloc(64, (size + 63) / 64 * 64);
    size = (size + huge - 1) / huge * huge;
    void *ptr = aligned_alloc(huge, size);
#ifdef MADV_HUGEPAGE
    if (ptr)
        (void)madvise(ptr, size, MADV_HUGEPAGE);
#endif
    return ptr;
}

/* Cells: at least sigma wide, about `occupancy` discs each in the initial region. */
static void choose_grid(es_gas *g)
{
    const es_gas_params *par = &g->par;
    if (par->sigma <= 0.0) {
        g->ncx = g->ncy = 1;
    } else {
        double n0 = par->n / initial_area(par), w;
        if (par->cell_occupancy > 0.0) {
            w = fmax(par->sigma, sqrt(par->cell_occupancy / n0));
        } else {
            /* Automatic: wider cells mean fewer crossing events but more
             * pairs per scan; with the Enskog mean free path λ the best width
             * measured (bench gas, N = 10^4..10^6) is close to σ·(λ/σ)^0.6:
             * 7σ at φ = 0.01 (0.55 discs per cell), 2.7σ at 0.05, σ at 0.2. */
            double lam = es_gas_mean_free_path(n0, par->sigma);
            w = isfinite(lam) ? fmax(par->sigma, par->sigma * pow(lam / par->sigma, 0.6)) : par->sigma;
        }
        g->ncx = (int)fmax(1.0, floor(par->lx / w));
        g->ncy = (int)fmax(1.0, floor(par->ly / w));
        /* keep the cell count addressable */
        while ((double)g->ncx * g->ncy > 1.5e9 / 8) {
            g->ncx = (g->ncx + 1) / 2;
            g->ncy = (g->ncy + 1) / 2;
        }
    }
    g->cwx = par->lx / g->ncx;
    g->cwy = par->ly / g->ncy;
}

static inline int cell_of(const es_gas *g, double x, double y)
{
    int cx = (int)(x / g->cwx), cy = (int)(y / g->cwy);
    if (cx >= g->ncx)
        cx = g->ncx - 1;
    if (cy >= g->ncy)
        cy = g->ncy - 1;
    if (cx < 0)
        cx = 0;
    if (cy < 0)
        cy = 0;
    return cy * g->ncx + cx;
}

/* Does a disc at (x, y) overlap any disc already in the cell list? */
static int overlaps(const es_gas *g, double x, double y)
{
    double s2 = g->par.sigma * g->par.sigma;
    int periodic_x = g->par.box == ES_GAS_BOX_PERIODIC;
    int periodic_y = periodic_x || g->par.ybc == ES_GAS_Y_PERIODIC;
    int c = cell_of(g, x, y), cx = c % g->ncx, cy = c / g->ncx;
    for (int dy = -1; dy <= 1; dy++) {
        int ny = cy + dy;
        double sy = 0.0;
        /* Wrapped also with fewer than 3 rows (then a row is its own
         * neighbour, through the boundary), as the engine's neighbourhood
         * does: skipping them placed overlapping discs across it (ly = 4,
         * 2 rows: 6 pairs of 400 discs). */
        if (ny < 0 || ny >= g->ncy) {
            if (!periodic_y)
                continue;
            sy = ny < 0 ? -g->par.ly : g->par.ly;
            ny = ny < 0 ? ny + g->ncy : ny - g->ncy;
        }
        for (int dx = -1; dx <= 1; dx++) {
            int nx = cx + dx;
            double sx = 0.0;
            if (nx < 0 || nx >= g->ncx) {
                if (!periodic_x)
                    continue;
                sx = nx < 0 ? -g->par.lx : g->par.lx;
                nx = nx < 0 ? nx + g->ncx : nx - g->ncx;
            }
            for (int32_t j = g->head[ny * g->ncx + nx]; j >= 0; j = g->p[j].next) {
                double rx = x - g->p[j].x - sx, ry = y - g->p[j].y - sy;
                if (rx * rx + ry * ry < s2)
                    return 1;
            }
        }
    }
    return 0;
}

static int insert_positions(es_gas *g, es_rng *r)
{
    const es_gas_params *par = &g->par;
    long max_tries = par->max_tries > 0 ? par->max_tries : 100000;
    double x0 = g->xlo, x1 = g->partition_on ? g->xmid : g->xhi;
    double y0 = g->ylo, y1 = g->yhi;
    if (par->box == ES_GAS_BOX_PERIODIC || par->ybc == ES_GAS_Y_PERIODIC) {
        y0 = 0.0;
        y1 = par->ly;
    }
    if (par->box == ES_GAS_BOX_PERIODIC) {
        x0 = 0.0;
        x1 = par->lx;
    }
    for (long i = 0; i < g->n; i++) {
        long tries = 0;
        double x, y;
        do {
            if (++tries > max_tries) {
                /* the area that defines eta everywhere else (summary.json, the
                 * request): with rim walls the centres' region is smaller */
                double area = initial_area(par);
                double disc = M_PI * par->sigma * par->sigma / 4.0;
                return es_error_set(ES_EDATA, "impossible packing: placed %ld of %ld discs "
                                              "(packing fraction %.4g of the requested %.4g) and "
                                              "%ld random tries found no room for the next one",
                                    i, g->n, i * disc / area, g->n * disc / area, max_tries);
            }
            x = x0 + (x1 - x0) * es_rng_uniform(r);
            y = y0 + (y1 - y0) * es_rng_uniform(r);
        } while (par->sigma > 0.0 && overlaps(g, x, y));
        es_gas_particle *q = &g->p[i];
        memset(q, 0, sizeof *q);
        q->x = x;
        q->y = y;
        es_gas_cell_insert(g, (int32_t)i, cell_of(g, x, y));
    }
    return ES_OK;
}

/* Renumber particles in cell order so that neighbours are close in memory. */
static int sort_by_cell(es_gas *g)
{
    long nc = (long)g->ncx * g->ncy;
    es_gas_particle *sorted = es_gas_alloc_lines((size_t)g->n * sizeof *sorted);
    if (!sorted)
        return es_error_set(ES_ENOMEM, "gas: out of memory sorting %ld discs", g->n);
    long k = 0;
    for (long c = 0; c < nc; c++) {
        for (int32_t j = g->head[c]; j >= 0; j = g->p[j].next)
            sorted[k++] = g->p[j];
        g->head[c] = -1;
    }
    memcpy(g->p, sorted, (size_t)g->n * sizeof *sorted);
    free(sorted);
    for (long i = 0; i < g->n; i++) {
        g->ev[i].id = (int32_t)i;
        es_gas_cell_insert(g, (int32_t)i, g->p[i].cell);
    }
    return ES_OK;
}

static void maxwell_velocities(es_gas *g, es_rng *r)
{
    double T = g->par.temperature, px = 0.0, py = 0.0;
    for (long i = 0; i < g->n; i++) {
        g->p[i].vx = sqrt(T) * es_rng_gauss(r);
        g->p[i].vy = sqrt(T) * es_rng_gauss(r);
    }
    for (long i = 0; i < g->n; i++) {
        px += g->p[i].vx;
        py += g->p[i].vy;
    }
    if (g->n > 1) {
        px /= g->n;
        py /= g->n;
    } else {
        px = py = 0.0;
    }
    double e = 0.0;
    for (long i = 0; i < g->n; i++) {
        g->p[i].vx -= px;
        g->p[i].vy -= py;
        e += 0.5 * (g->p[i].vx * g->p[i].vx + g->p[i].vy * g->p[i].vy);
    }
    double scale = e > 0.0 ? sqrt(g->n * T / e) : 0.0;
    for (long i = 0; i < g->n; i++) {
        g->p[i].vx *= scale;
        g->p[i].vy *= scale;
    }
}

int es_gas_alloc_bare(const es_gas_params *par, es_gas **out)
{
    *out = NULL;
    int st = es_gas_params_check(par);
    if (st)
        return st;
    es_gas *g = calloc(1, sizeof *g);
    if (!g)
        return es_error_set(ES_ENOMEM, "gas: out of memory");
    g->par = *par;
    g->n = par->n;
    double rim = par->rim ? 0.5 * par->sigma : 0.0;
    g->xlo = rim;
    g->xhi = par->lx - rim;
    g->xmid = 0.5 * par->lx - rim;
    g->ylo = rim;
    g->yhi = par->ly - rim;
    g->partition_on = par->box == ES_GAS_BOX_WALLS && par->partition;
    choose_grid(g);
    size_t nc = (size_t)g->ncx * g->ncy;
    g->p = es_gas_alloc_lines((size_t)g->n * sizeof *g->p); /* one cache line each */
    g->ev = es_gas_alloc_lines((size_t)g->n * sizeof *g->ev); /* 64-byte records */
    g->head = es_gas_alloc_lines(nc * sizeof *g->head);
    g->qbuckets = 1024;
    while (g->qbuckets < 4 * (size_t)g->n / ES_GAS_BUCKET_EVENTS)
        g->qbuckets *= 2;
    g->qb = es_gas_alloc_lines(g->qbuckets * sizeof *g->qb); /* one line per bucket */
    g->lookahead = g->n >= ES_GAS_PF_MIN_N;
    g->qover = malloc(((size_t)g->n + 1) * sizeof *g->qover);
    if (!g->p || !g->ev || !g->head || !g->qb || !g->qover) {
        es_gas_free(g);
        return es_error_set(ES_ENOMEM, "gas: out of memory for %ld discs and %zu cells", par->n, nc);
    }
    /* padding bytes defined: a checkpoint stores the records verbatim */
    memset(g->ev, 0, (size_t)g->n * sizeof *g->ev);
    for (size_t c = 0; c < nc; c++)
        g->head[c] = -1;
    for (size_t b = 0; b < g->qbuckets; b++)
        g->qb[b].n = 0;
    for (long i = 0; i < g->n; i++)
        g->ev[i].vb = INT64_MIN; /* not queued */
    g->pend_min = INT64_MAX;
    *out = g;
    return ES_OK;
}

int es_gas_alloc(const es_gas_params *par, es_gas **out)
{
    es_gas *g;
    int st = es_gas_alloc_bare(par, &g);
    if (st)
        return st;
    es_rng r;
    es_rng_seed(&r, par->seed, par->stream);
    st = insert_positions(g, &r);
    if (!st)
        st = sort_by_cell(g);
    if (st) {
        es_gas_free(g);
        return st;
    }
    maxwell_velocities(g, &r);
    g->t = 0.0;
    es_gas_reschedule(g);
    es_gas_reset_stats(g);
    *out = g;
    return ES_OK;
}

void es_gas_free(es_gas *g)
{
    if (!g)
        return;
    free(g->p);
    free(g->ev);
    free(g->head);
    free(g->qb);
    free(g->qover);
    free(g->sort_p);
    free(g->sort_ev);
    free(g->sort_map);
    free(g->zorder);
    free(g);
}

/* ---- observables ---------------------------------------------------------- */

void es_gas_snapshot(const es_gas *g, double *out)
{
    for (long i = 0; i < g->n; i++) {
        const es_gas_particle *q = &g->p[i];
        double dt = g->t - q->t;
        size_t k = 4 * (size_t)g->ev[i].id;
        out[k] = q->x + q->vx * dt;
        out[k + 1] = q->y + q->vy * dt;
        out[k + 2] = q->vx;
        out[k + 3] = q->vy;
    }
}

double es_gas_energy(const es_gas *g)
{
    double e = 0.0;
    for (long i = 0; i < g->n; i++)
        e += 0.5 * (g->p[i].vx * g->p[i].vx + g->p[i].vy * g->p[i].vy);
    return e;
}

void es_gas_momentum(const es_gas *g, double P[2])
{
    P[0] = P[1] = 0.0;
    for (long i = 0; i < g->n; i++) {
        P[0] += g->p[i].vx;
        P[1] += g->p[i].vy;
    }
}

double es_gas_measured_Z(const es_gas *g)
{
    double e = es_gas_energy(g), dt = g->t - g->t_stats;
    if (!(dt > 0.0) || !(e > 0.0))
        return NAN;
    /* PA = E + Σ|b|/(2Δt) (2-D virial theorem); N·T = E. */
    return 1.0 + g->virial / (2.0 * dt * e);
}

double es_gas_measured_nu(const es_gas *g)
{
    double dt = g->t - g->t_stats;
    return dt > 0.0 ? 2.0 * (double)g->n_coll / (g->n * dt) : NAN;
}

long es_gas_check_overlaps(const es_gas *g, double rel_tol, double *min_ratio, long *outside)
{
    long bad = 0, out = 0;
    double s = g->par.sigma, dmin2 = INFINITY;
    int periodic_x = g->par.box == ES_GAS_BOX_PERIODIC;
    int periodic_y = periodic_x || g->par.ybc == ES_GAS_Y_PERIODIC;
    for (long i = 0; i < g->n; i++) {
        const es_gas_particle *a = &g->p[i];
        double xa = a->x + a->vx * (g->t - a->t), ya = a->y + a->vy * (g->t - a->t);
        double tol = 1e-9 * (g->par.lx + g->par.ly);
        if (xa < -tol || xa > g->par.lx + tol || ya < -tol || ya > g->par.ly + tol)
            out++;
        if (s <= 0.0)
            continue;
        int cx = a->cx, cy = a->cy;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int nx = cx + dx, ny = cy + dy;
                double sx = 0.0, sy = 0.0;
                if (nx < 0 || nx >= g->ncx) {
                    if (!periodic_x)
                        continue;
                    sx = nx < 0 ? -g->par.lx : g->par.lx;
                    nx = (nx + g->ncx) % g->ncx;
                }
                if (ny < 0 || ny >= g->ncy) {
                    if (!periodic_y)
                        continue;
                    sy = ny < 0 ? -g->par.ly : g->par.ly;
                    ny = (ny + g->ncy) % g->ncy;
                }
                for (int32_t j = g->head[ny * g->ncx + nx]; j >= 0; j = g->p[j].next) {
                    if (j <= i)
                        continue;
                    const es_gas_particle *b = &g->p[j];
                    double rx = xa - (b->x + b->vx * (g->t - b->t) + sx);
                    double ry = ya - (b->y + b->vy * (g->t - b->t) + sy);
                    double d2 = rx * rx + ry * ry;
                    if (d2 < dmin2)
                        dmin2 = d2;
                    if (d2 < s * s * (1.0 - rel_tol) * (1.0 - rel_tol))
                        bad++;
                }
            }
    }
    if (min_ratio)
        *min_ratio = s > 0.0 ? sqrt(dmin2) / s : INFINITY;
    if (outside)
        *outside = out;
    return bad;
}
