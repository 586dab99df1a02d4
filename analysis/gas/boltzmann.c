/* Coarse-grained Boltzmann entropy by sorting 64-bit cell keys (see esuite/boltzmann.h). */
#include "esuite/boltzmann.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

struct es_bz_workspace {
    size_t cap;
    uint64_t *key, *tmp;
    uint32_t *hist;   /* marginal histograms (few cells) */
    size_t hist_cap;
};

es_bz_workspace *es_bz_workspace_alloc(size_t n)
{
    es_bz_workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (n < 1)
        n = 1;
    w->key = malloc(n * sizeof *w->key);
    w->tmp = malloc(n * sizeof *w->tmp);
    if (!w->key || !w->tmp) {
        es_bz_workspace_free(w);
        return NULL;
    }
    w->cap = n;
    return w;
}

void es_bz_workspace_free(es_bz_workspace *w)
{
    if (!w)
        return;
    free(w->key);
    free(w->tmp);
    free(w->hist);
    free(w);
}

static int reserve(es_bz_workspace *w, size_t n)
{
    if (n <= w->cap)
        return ES_OK;
    uint64_t *k = realloc(w->key, n * sizeof *k);
    if (!k)
        return es_error_set(ES_ENOMEM, "entropy: out of memory for %zu keys", n);
    w->key = k;
    uint64_t *t = realloc(w->tmp, n * sizeof *t);
    if (!t)
        return es_error_set(ES_ENOMEM, "entropy: out of memory for %zu keys", n);
    w->tmp = t;
    w->cap = n;
    return ES_OK;
}

/* Cells along a side of length `len` for width `d`; 0 if not an integer count. */
static size_t cells_along(double len, double d)
{
    double c = round(len / d);
    if (c < 1.0 || fabs(c * d - len) > 1e-9 * len)
        return 0;
    return (size_t)c;
}

void es_bz_grid_shape(const es_bz_grid *g, size_t *nx, size_t *ny, size_t *nv)
{
    *nx = cells_along(g->lx, g->dx);
    *ny = g->dy <= 0.0 ? 1 : cells_along(g->ly, g->dy);
    *nv = 2 * (size_t)ceil(g->v_max / g->dv - 1e-12);
}

int es_bz_grid_check(const es_bz_grid *g)
{
    if (!(g->lx > 0.0) || !(g->ly > 0.0))
        return es_error_set(ES_EINVAL, "entropy cells: domain lx = %g, ly = %g must be positive",
                            g->lx, g->ly);
    if (!(g->dx > 0.0) || !(g->dv > 0.0) || !(g->v_max > 0.0))
        return es_error_set(ES_EINVAL, "entropy cells: dx = %g, dv = %g and v_max = %g must be > 0",
                            g->dx, g->dv, g->v_max);
    size_t nx, ny, nv;
    es_bz_grid_shape(g, &nx, &ny, &nv);
    if (nx == 0)
        return es_error_set(ES_EINVAL, "entropy cells: lx/dx = %g/%g = %.6g must be an integer",
                            g->lx, g->dx, g->lx / g->dx);
    if (ny == 0)
        return es_error_set(ES_EINVAL, "entropy cells: ly/dy = %g/%g = %.6g must be an integer "
                                       "(or dy = full for strips)", g->ly, g->dy, g->ly / g->dy);
    if ((double)nx * ny * nv * nv > 1.8e19)
        return es_error_set(ES_EINVAL, "entropy cells: %zu×%zu×%zu² cells do not fit a 64-bit key",
                            nx, ny, nv);
    return ES_OK;
}

/* floor(q) clamped to [0, n − 1]; q may be negative or huge. */
static inline int64_t clamp64(double q, int64_t n)
{
    if (!(q >= 0.0))
        return 0;
    if (q >= (double)n)
        return n - 1;
    return (int64_t)q;
}

/* LSD radix sort of keys below `bound` with 11-bit digits. */
static void radix_sort(uint64_t *a, uint64_t *tmp, size_t n, uint64_t bound)
{
    enum { BITS = 11, B = 1 << BITS };
    size_t count[B];
    for (int shift = 0; shift < 64 && (bound - 1) >> shift; shift += BITS) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(a[i] >> shift) & (B - 1)]++;
        size_t s = 0;
        for (size_t d = 0; d < B; d++) {
            size_t c = count[d];
            count[d] = s;
            s += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & (B - 1)]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Accumulate the estimators over the runs of equal keys in a sorted array. */
static void from_sorted(const uint64_t *key, size_t n, double vol, es_bz_result *r)
{
    double lnv = log(vol), sum_nlnn = 0.0, SB = 0.0;
    size_t occ = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && key[j] == key[i])
            j++;
        double c = (double)(j - i);
        sum_nlnn += c * log(c);
        SB += c * lnv - lgamma(c + 1.0);
        occ++;
        i = j;
    }
    r->n = n;
    r->occupied = occ;
    r->cell_volume = vol;
    r->S_B = SB;
    /* s_G = ln|Δ| − Σ p ln p = ln|Δ| + ln N − Σ n ln n / N */
    r->s_G = n ? lnv + log((double)n) - sum_nlnn / n : NAN;
    r->s_MM = n ? r->s_G + (occ - 1.0) / (2.0 * n) : NAN;
}

/* Estimators from a histogram of the keys (all below `bound`). */
static int hist_entropy(es_bz_workspace *w, uint64_t bound, size_t n, double vol, es_bz_result *r)
{
    if (bound > w->hist_cap) {
        uint32_t *h = realloc(w->hist, bound * sizeof *h);
        if (!h)
            return es_error_set(ES_ENOMEM, "entropy: out of memory for %llu cells",
                                (unsigned long long)bound);
        w->hist = h;
        w->hist_cap = bound;
    }
    memset(w->hist, 0, bound * sizeof *w->hist);
    for (size_t i = 0; i < n; i++)
        w->hist[w->key[i]]++;
    double lnv = log(vol), sum_nlnn = 0.0, SB = 0.0;
    size_t occ = 0;
    for (uint64_t k = 0; k < bound; k++) {
        if (!w->hist[k])
            continue;
        double c = (double)w->hist[k];
        sum_nlnn += c * log(c);
        SB += c * lnv - lgamma(c + 1.0);
        occ++;
    }
    r->n = n;
    r->occupied = occ;
    r->cell_volume = vol;
    r->S_B = SB;
    r->s_G = n ? lnv + log((double)n) - sum_nlnn / n : NAN;
    r->s_MM = n ? r->s_G + (occ - 1.0) / (2.0 * n) : NAN;
    return ES_OK;
}

int es_bz_entropy(const es_bz_grid *g, es_bz_marginal m, const double *pv, size_t n,
                  es_bz_workspace *w, es_bz_result *r)
{
    memset(r, 0, sizeof *r);
    int st = es_bz_grid_check(g);
    if (st)
        return st;
    if ((st = reserve(w, n)))
        return st;
    size_t nx, ny, nv;
    es_bz_grid_shape(g, &nx, &ny, &nv);
    double dy = g->dy <= 0.0 ? g->ly : g->dy;
    uint64_t bound = 1;
    if (m != ES_BZ_VELOCITY)
        bound *= (uint64_t)nx * ny;
    if (m != ES_BZ_POSITION)
        bound *= (uint64_t)nv * nv;
    size_t out = 0;
    /* Multiplying by precomputed inverses and working in int64 keeps this
     * loop cheap; it dominates the cost of an entropy evaluation. */
    const double idx = 1.0 / g->dx, idy = 1.0 / dy, idv = 1.0 / g->dv;
    const int64_t inx = (int64_t)nx, iny = (int64_t)ny, inv = (int64_t)nv, ik0 = (int64_t)(nv / 2);
    for (size_t i = 0; i < n; i++) {
        const double *q = pv + 4 * i;
        uint64_t key = 0;
        if (m != ES_BZ_VELOCITY) {
            int64_t ix = clamp64(q[0] * idx, inx), iy = clamp64(q[1] * idy, iny);
            key = (uint64_t)(ix * iny + iy);
        }
        if (m != ES_BZ_POSITION) {
            double fx = floor(q[2] * idv) + (double)ik0, fy = floor(q[3] * idv) + (double)ik0;
            int clamped = fx < 0.0 || fy < 0.0 || fx >= (double)inv || fy >= (double)inv;
            int64_t jx = clamp64(fx, inv), jy = clamp64(fy, inv);
            key = (key * (uint64_t)inv + (uint64_t)jx) * (uint64_t)inv + (uint64_t)jy;
            out += (size_t)clamped;
        }
        w->key[i] = key;
    }
    double vol = 1.0;
    if (m != ES_BZ_VELOCITY)
        vol *= g->dx * dy;
    if (m != ES_BZ_POSITION)
        vol *= g->dv * g->dv;
    if (m != ES_BZ_FULL && bound <= (uint64_t)(n > (1u << 20) ? n : (1u << 20))) {
        /* A marginal has few cells (at most max(N, 2^20) here): a histogram
         * is cheaper than sorting. The full phase space is always sorted. */
        if ((st = hist_entropy(w, bound, n, vol, r)))
            return st;
    } else {
        radix_sort(w->key, w->tmp, n, bound);
        from_sorted(w->key, n, vol, r);
    }
    r->out_of_range = out;
    return ES_OK;
}

int es_bz_from_counts(const uint64_t *counts, size_t k, double cell_volume, es_bz_result *r)
{
    memset(r, 0, sizeof *r);
    if (!(cell_volume > 0.0))
        return es_error_set(ES_EINVAL, "entropy: cell volume %g must be > 0", cell_volume);
    double lnv = log(cell_volume), sum_nlnn = 0.0, SB = 0.0, n = 0.0;
    size_t occ = 0;
    for (size_t a = 0; a < k; a++) {
        if (!counts[a])
            continue;
        double c = (double)counts[a];
        n += c;
        sum_nlnn += c * log(c);
        SB += c * lnv - lgamma(c + 1.0);
        occ++;
    }
    r->n = (size_t)n;
    r->occupied = occ;
    r->cell_volume = cell_volume;
    r->S_B = SB;
    r->s_G = n > 0 ? lnv + log(n) - sum_nlnn / n : NAN;
    r->s_MM = n > 0 ? r->s_G + (occ - 1.0) / (2.0 * n) : NAN;
    return ES_OK;
}
