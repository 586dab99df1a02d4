/* Coarse-grained Boltzmann entropy (see esuite/boltzmann.h).
 *
 * Counting is exact and never allocates a dense array over the full phase
 * space. The position and velocity marginals have few cells and are dense
 * histograms. The full phase space is counted in two passes over the
 * particles: the first histograms the position cells p, the second scatters
 * every particle's velocity cell v into the group of its position cell (a
 * counting sort by p); each group is then counted in cache, by a dense count
 * over the velocity cells when the group is large and by a small radix sort
 * otherwise. Occupied cells are so visited in ascending order of the key
 * p·V + v, the order of a full sort of the keys: every sum is formed in the
 * same order whatever the path (the sorted-key path is kept for grids too
 * fine for dense marginals), and results do not depend on the path. Several
 * cell sets share the passes over the particles, which are read chunk by
 * chunk from cache for every set (re-reading a 32 MB snapshot per set and
 * marginal was the main cost of a sort per marginal at N = 10^6). Velocity
 * bins avoid libm's floor, a call on baseline x86-64. ln n! and n ln n come
 * from tables filled by lgamma_r and log, so they are bit-identical to calling
 * them. lgamma_r, not lgamma: lgamma writes the global signgam, a data race
 * when workspaces are filled and used on several OpenMP threads at once. */
#include "esuite/boltzmann.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

/* ln Γ(x) without touching signgam (glibc's lgamma_r; _DEFAULT_SOURCE). */
static inline double ln_gamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

enum {
    BZ_TAB = 4096,  /* table of n ln n and ln n! for n < BZ_TAB */
    BZ_GROUP = 10,  /* cell sets sharing the passes over the particles */
    BZ_CHUNK = 1024 /* particles per chunk (32 KiB, stays in L1 across the sets) */
};

/* Per cell set of a group: velocity cells grouped by position cell, the
 * position counts (then offsets) and the velocity histogram. */
typedef struct {
    uint32_t *u;
    size_t u_cap;
    size_t *poff;
    size_t poff_cap;
    uint32_t *vhist;
    size_t vhist_cap;
} bz_slot;

struct es_bz_workspace {
    uint64_t *a, *b;      /* sorted-key path: keys and radix scratch */
    size_t a_cap, b_cap;
    uint32_t *s;          /* scratch of the small sorts */
    size_t s_cap;
    uint32_t *cnt;        /* dense velocity counts of one group, kept zero */
    size_t cnt_cap;
    uint32_t *hist;       /* marginal histogram (single-marginal path) */
    size_t hist_cap;
    bz_slot slot[BZ_GROUP];
    double nlnn[BZ_TAB], lnfact[BZ_TAB];
};

es_bz_workspace *es_bz_workspace_alloc(size_t n)
{
    (void)n; /* everything grows on demand */
    es_bz_workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    /* The same expressions as a direct evaluation, so values are bit-identical. */
    for (int k = 0; k < BZ_TAB; k++) {
        double c = (double)k;
        w->nlnn[k] = k ? c * log(c) : 0.0;
        w->lnfact[k] = ln_gamma(c + 1.0);
    }
    return w;
}

void es_bz_workspace_free(es_bz_workspace *w)
{
    if (!w)
        return;
    free(w->a);
    free(w->b);
    free(w->s);
    free(w->cnt);
    free(w->hist);
    for (int j = 0; j < BZ_GROUP; j++) {
        free(w->slot[j].u);
        free(w->slot[j].poff);
        free(w->slot[j].vhist);
    }
    free(w);
}

/* At least n elements of `size` bytes in *p (capacity *cap); zeroed if asked. */
static int grow(void **p, size_t *cap, size_t n, size_t size, int zero)
{
    if (n < 1)
        n = 1;
    if (n > *cap) {
        void *q = realloc(*p, n * size);
        if (!q)
            return es_error_set(ES_ENOMEM, "entropy: out of memory for %zu cells or keys", n);
        *p = q;
        *cap = n;
    }
    if (zero)
        memset(*p, 0, n * size);
    return ES_OK;
}

/* Counts above this have no 64-bit key (and no size_t beyond 2^64: the
 * conversion is undefined), so they are never converted. */
#define BZ_COUNT_MAX 0x1p62

/* Cells along a side of length `len` for width `d`; 0 if not an integer count
 * (or above BZ_COUNT_MAX). */
static size_t cells_along(double len, double d)
{
    double c = round(len / d);
    if (!(c >= 1.0 && c <= BZ_COUNT_MAX) || fabs(c * d - len) > 1e-9 * len)
        return 0;
    return (size_t)c;
}

/* K = ceil(v_max/dv) as a double, a ratio within 1e-12 (relative) of an
 * integer being that integer. The guard was an absolute 1e-12, below the
 * rounding of ratios above ~4500: v_max = 7, dv = 7e-5 gave 100000.00000000001
 * and K = 100001, a grid beyond v_max whose discs were not counted. */
static double half_velocity_cells(const es_bz_grid *g)
{
    double r = g->v_max / g->dv, k = round(r);
    return fabs(r - k) <= 1e-12 * r ? k : ceil(r);
}

void es_bz_grid_shape(const es_bz_grid *g, size_t *nx, size_t *ny, size_t *nv)
{
    *nx = cells_along(g->lx, g->dx);
    *ny = g->dy <= 0.0 ? 1 : cells_along(g->ly, g->dy);
    double k = half_velocity_cells(g);
    *nv = k <= 0.5 * BZ_COUNT_MAX ? 2 * (size_t)k : 0;
}

int es_bz_grid_check(const es_bz_grid *g)
{
    if (!(g->lx > 0.0) || !(g->ly > 0.0))
        return es_error_set(ES_EINVAL, "entropy cells: domain lx = %g, ly = %g must be positive",
                            g->lx, g->ly);
    if (!(g->dx > 0.0) || !(g->dv > 0.0) || !(g->v_max > 0.0))
        return es_error_set(ES_EINVAL, "entropy cells: dx = %g, dv = %g and v_max = %g must be > 0",
                            g->dx, g->dv, g->v_max);
    /* Counts too large for any key are refused before they are converted:
     * v_max/dv >= 2^63 made nv = 2K wrap to 0, which passed this check and
     * crashed the counting (dv = 1e-30, v_max = 1). */
    double cx = g->lx / g->dx, cy = g->dy <= 0.0 ? 1.0 : g->ly / g->dy;
    double cv = 2.0 * half_velocity_cells(g);
    if (!(cx <= BZ_COUNT_MAX && cy <= BZ_COUNT_MAX && cv <= BZ_COUNT_MAX))
        return es_error_set(ES_EINVAL, "entropy cells: %.6g×%.6g×%.6g² cells do not fit a 64-bit key",
                            cx, cy, cv);
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

/* ---- cell indices ----------------------------------------------------------- */

/* Everything needed to map a particle to its cells, precomputed per grid. */
typedef struct {
    double idx, idy, idv, k0d;     /* inverse widths; K = nv/2 as a double */
    int64_t nx, ny, nv, k0;
    uint64_t P, V;                 /* position cells nx·ny, velocity cells nv² */
    double vol_full, vol_pos, vol_vel;
} cells;

static void cells_init(const es_bz_grid *g, cells *c)
{
    size_t nx, ny, nv;
    es_bz_grid_shape(g, &nx, &ny, &nv);
    double dy = g->dy <= 0.0 ? g->ly : g->dy;
    c->idx = 1.0 / g->dx;
    c->idy = 1.0 / dy;
    c->idv = 1.0 / g->dv;
    c->nx = (int64_t)nx;
    c->ny = (int64_t)ny;
    c->nv = (int64_t)nv;
    c->k0 = (int64_t)(nv / 2);
    c->k0d = (double)c->k0;
    c->P = (uint64_t)nx * ny;
    c->V = (uint64_t)nv * nv;
    /* Formed as 1·(dx·dy)·(dv·dv), the order of earlier versions. */
    c->vol_pos = 1.0 * (g->dx * dy);
    c->vol_vel = 1.0 * (g->dv * g->dv);
    c->vol_full = c->vol_pos * (g->dv * g->dv);
}

/* floor(q) clamped to [0, n − 1]; q may be negative, huge or NaN (→ 0). */
static inline int64_t clamp64(double q, int64_t n)
{
    if (!(q >= 0.0))
        return 0;
    if (q >= (double)n)
        return n - 1;
    return (int64_t)q;
}

/* Position cell ix·ny + iy (positions outside the box go to edge cells). */
static inline uint64_t pos_cell(const cells *c, const double *q)
{
    int64_t ix = clamp64(q[0] * c->idx, c->nx), iy = clamp64(q[1] * c->idy, c->ny);
    return (uint64_t)(ix * c->ny + iy);
}

/* Velocity bin floor(a) + K of a = v/dv clamped to [0, nv − 1], *out set when
 * clamped (a NaN goes to bin 0 unflagged). Without libm's floor (a call
 * unless SSE4.1 is enabled): floor(a) + K < 0 ⟺ a < −K and floor(a) + K >=
 * 2K ⟺ a >= K, and inside that range truncation corrected by one is floor. */
static inline int64_t vel_bin(const cells *c, double a, int *out)
{
    if (a >= -c->k0d && a < c->k0d) {
        int64_t t = (int64_t)a;
        t -= (double)t > a;
        return t + c->k0;
    }
    if (a >= c->k0d) {
        *out = 1;
        return c->nv - 1;
    }
    if (a < -c->k0d)
        *out = 1;
    return 0;
}

/* Velocity cell jx·nv + jy; *out set when a component was clamped. Unsigned:
 * nv² may exceed INT64_MAX (up to 1.8e19 cells with one position cell), and
 * the signed product overflowed (undefined; UBSan stopped there). */
static inline uint64_t vel_cell(const cells *c, const double *q, int *out)
{
    int64_t jx = vel_bin(c, q[2] * c->idv, out), jy = vel_bin(c, q[3] * c->idv, out);
    return (uint64_t)jx * (uint64_t)c->nv + (uint64_t)jy;
}

/* ---- accumulating the estimators ------------------------------------------ */

typedef struct {
    double lnv, sum_nlnn, SB;
    size_t occ;
} accum;

static inline void acc_add(const es_bz_workspace *w, accum *a, size_t count)
{
    double c = (double)count;
    if (count < BZ_TAB) {
        a->sum_nlnn += w->nlnn[count];
        a->SB += c * a->lnv - w->lnfact[count];
    } else {
        a->sum_nlnn += c * log(c);
        a->SB += c * a->lnv - ln_gamma(c + 1.0);
    }
    a->occ++;
}

static void acc_finish(const accum *a, size_t n, double vol, size_t out, es_bz_result *r)
{
    r->n = n;
    r->occupied = a->occ;
    r->out_of_range = out;
    r->cell_volume = vol;
    r->S_B = a->SB;
    /* s_G = ln|Δ| − Σ p ln p = ln|Δ| + ln N − Σ n ln n / N */
    r->s_G = n ? a->lnv + log((double)n) - a->sum_nlnn / n : NAN;
    r->s_MM = n ? r->s_G + (a->occ - 1.0) / (2.0 * n) : NAN;
}

/* ---- sorting ----------------------------------------------------------------- */

/* LSD radix sort of n keys below `bound` with digits of at most 11 bits,
 * as few passes as the bound needs; the result is in *a (swapped with *tmp). */
static void radix_sort64(uint64_t **a, uint64_t **tmp, size_t n, uint64_t bound)
{
    int bits = 0;
    while (bits < 64 && (bound - 1) >> bits)
        bits++;
    int passes = (bits + 10) / 11, shift = 0;
    for (int p = 0; p < passes; p++) {
        int width = (bits - shift + (passes - p) - 1) / (passes - p);
        uint64_t mask = ((uint64_t)1 << width) - 1;
        size_t count[1 << 11] = {0};
        uint64_t *src = *a, *dst = *tmp;
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & mask]++;
        size_t s = 0;
        for (uint64_t d = 0; d <= mask; d++) {
            size_t c = count[d];
            count[d] = s;
            s += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & mask]++] = src[i];
        *a = dst;
        *tmp = src;
        shift += width;
    }
}

/* Sort m 32-bit values below 2^bits, in place in v with scratch s. */
static void small_sort32(uint32_t *v, uint32_t *s, size_t m, int bits)
{
    if (m <= 24) {
        for (size_t i = 1; i < m; i++) {
            uint32_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    uint32_t *src = v, *dst = s;
    for (int shift = 0; shift < bits; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < m; i++)
            count[(src[i] >> shift) & 255]++;
        size_t t = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = t;
            t += c;
        }
        for (size_t i = 0; i < m; i++)
            dst[count[(src[i] >> shift) & 255]++] = src[i];
        uint32_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != v)
        memcpy(v, src, m * sizeof *v);
}

/* ---- the sorted-key path (grids too fine for dense marginals) -------------- */

/* Any marginal by sorting 64-bit keys p·V + v, p or v. */
static int sorted_entropy(const cells *c, es_bz_marginal m, const double *pv, size_t n,
                          es_bz_workspace *w, es_bz_result *r)
{
    int st = grow((void **)&w->a, &w->a_cap, n, sizeof *w->a, 0);
    if (!st)
        st = grow((void **)&w->b, &w->b_cap, n, sizeof *w->b, 0);
    if (st)
        return st;
    uint64_t *key = w->a, *tmp = w->b, bound = 1;
    if (m != ES_BZ_VELOCITY)
        bound *= c->P;
    if (m != ES_BZ_POSITION)
        bound *= c->V;
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        const double *q = pv + 4 * i;
        uint64_t k = 0;
        if (m != ES_BZ_VELOCITY)
            k = pos_cell(c, q);
        if (m != ES_BZ_POSITION) {
            int o = 0;
            k = k * c->V + vel_cell(c, q, &o);
            out += (size_t)o;
        }
        key[i] = k;
    }
    radix_sort64(&key, &tmp, n, bound);
    double vol = m == ES_BZ_FULL ? c->vol_full : m == ES_BZ_POSITION ? c->vol_pos : c->vol_vel;
    accum a = {log(vol), 0.0, 0.0, 0};
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && key[j] == key[i])
            j++;
        acc_add(w, &a, j - i);
        i = j;
    }
    acc_finish(&a, n, vol, m == ES_BZ_POSITION ? 0 : out, r);
    return ES_OK;
}

/* ---- dense marginals --------------------------------------------------------- */

/* Estimators over a histogram, in ascending cell order. */
static void hist_accum(const es_bz_workspace *w, const uint32_t *h, uint64_t k, accum *a)
{
    for (uint64_t i = 0; i < k; i++)
        if (h[i])
            acc_add(w, a, h[i]);
}

/* The position or velocity marginal alone, by a dense histogram. */
static int marginal_hist(const cells *c, es_bz_marginal m, const double *pv, size_t n,
                         es_bz_workspace *w, es_bz_result *r)
{
    uint64_t k = m == ES_BZ_POSITION ? c->P : c->V;
    int st = grow((void **)&w->hist, &w->hist_cap, (size_t)k, sizeof *w->hist, 1);
    if (st)
        return st;
    uint32_t *h = w->hist;
    size_t out = 0;
    if (m == ES_BZ_POSITION)
        for (size_t i = 0; i < n; i++)
            h[pos_cell(c, pv + 4 * i)]++;
    else
        for (size_t i = 0; i < n; i++) {
            int o = 0;
            h[vel_cell(c, pv + 4 * i, &o)]++;
            out += (size_t)o;
        }
    double vol = m == ES_BZ_POSITION ? c->vol_pos : c->vol_vel;
    accum a = {log(vol), 0.0, 0.0, 0};
    hist_accum(w, h, k, &a);
    acc_finish(&a, n, vol, out, r);
    return ES_OK;
}

/* ---- the full phase space grouped by position cell ------------------------- */

/* Occupied full cells of one position cell, ascending: its m velocity cells
 * u[0..m) by a dense count (w->cnt, kept zero) when m is not much smaller
 * than V, else by sorting them. Adds them to the histogram vh if given. */
static void group_accum(es_bz_workspace *w, const cells *c, uint32_t *u, size_t m, int vbits,
                        uint32_t *vh, accum *a)
{
    if (vh) /* the velocity marginal, while the group is in cache */
        for (size_t i = 0; i < m; i++)
            vh[u[i]]++;
    if (c->V <= 2 * m + 64) {
        uint32_t *cnt = w->cnt;
        for (size_t i = 0; i < m; i++)
            cnt[u[i]]++;
        for (uint64_t v = 0; v < c->V; v++)
            if (cnt[v]) {
                acc_add(w, a, cnt[v]);
                cnt[v] = 0;
            }
        return;
    }
    small_sort32(u, w->s, m, vbits);
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && u[j] == u[i])
            j++;
        acc_add(w, a, j - i);
        i = j;
    }
}

/* Room for k cell sets of the grouped path. */
static int grouped_reserve(es_bz_workspace *w, const cells *cs, size_t k, size_t n,
                           es_bz_result *const *rv)
{
    int st = grow((void **)&w->s, &w->s_cap, n, sizeof *w->s, 0);
    for (size_t j = 0; j < k && !st; j++) {
        bz_slot *sl = &w->slot[j];
        st = grow((void **)&sl->u, &sl->u_cap, n, sizeof *sl->u, 0);
        if (!st)
            st = grow((void **)&sl->poff, &sl->poff_cap, (size_t)cs[j].P + 1, sizeof *sl->poff, 1);
        if (!st && rv[j])
            st = grow((void **)&sl->vhist, &sl->vhist_cap, (size_t)cs[j].V, sizeof *sl->vhist, 1);
        /* Dense group counts are used only when V <= 2m + 64 for a group of m <= n. */
        if (!st && cs[j].V > w->cnt_cap && cs[j].V <= 2 * (uint64_t)n + 64) {
            free(w->cnt);
            w->cnt = NULL;
            w->cnt_cap = 0;
            st = grow((void **)&w->cnt, &w->cnt_cap, (size_t)cs[j].V, sizeof *w->cnt, 1);
        }
    }
    return st;
}

/* Pass 1 over chunk [i0, i1) for one set: position counts (stored at poff + 1). */
static void pass_count(const cells *c, const double *pv, size_t i0, size_t i1, size_t *cnt)
{
    for (size_t i = i0; i < i1; i++)
        cnt[pos_cell(c, pv + 4 * i)]++;
}

/* Pass 2 over chunk [i0, i1): scatter velocity cells to their groups;
 * returns the particles with a clamped velocity. */
static size_t pass_scatter(const cells *c, const double *pv, size_t i0, size_t i1, size_t *off,
                           uint32_t *u)
{
    size_t out = 0;
    for (size_t i = i0; i < i1; i++) {
        int o = 0;
        const double *q = pv + 4 * i;
        uint64_t p = pos_cell(c, q);
        u[off[p]++] = (uint32_t)vel_cell(c, q, &o);
        out += (size_t)o;
    }
    return out;
}

/* Full (and position, velocity where asked) entropies of k <= BZ_GROUP cell
 * sets with dense marginals, sharing two passes over the particles. */
static int grouped_sets(const cells *cs, size_t k, const double *pv, size_t n, es_bz_workspace *w,
                        es_bz_result **rf, es_bz_result **rp, es_bz_result **rv)
{
    int st = grouped_reserve(w, cs, k, n, rv);
    if (st)
        return st;
    for (size_t i0 = 0; i0 < n; i0 += BZ_CHUNK) {
        size_t i1 = n - i0 > BZ_CHUNK ? i0 + BZ_CHUNK : n;
        for (size_t j = 0; j < k; j++)
            pass_count(&cs[j], pv, i0, i1, w->slot[j].poff + 1);
    }
    for (size_t j = 0; j < k; j++) {
        size_t P = (size_t)cs[j].P, *off = w->slot[j].poff;
        if (rp[j]) {
            accum a = {log(cs[j].vol_pos), 0.0, 0.0, 0};
            for (size_t p = 0; p < P; p++)
                if (off[p + 1])
                    acc_add(w, &a, off[p + 1]);
            acc_finish(&a, n, cs[j].vol_pos, 0, rp[j]);
        }
        /* Counting sort by position cell: off[p] becomes the start of group p. */
        for (size_t p = 0, s = 0; p <= P; p++) {
            size_t m = p < P ? off[p + 1] : 0;
            off[p] = s;
            s += m;
        }
    }
    size_t out[BZ_GROUP] = {0};
    for (size_t i0 = 0; i0 < n; i0 += BZ_CHUNK) {
        size_t i1 = n - i0 > BZ_CHUNK ? i0 + BZ_CHUNK : n;
        for (size_t j = 0; j < k; j++)
            out[j] += pass_scatter(&cs[j], pv, i0, i1, w->slot[j].poff, w->slot[j].u);
    }
    for (size_t j = 0; j < k; j++) {
        const cells *c = &cs[j];
        uint32_t *vh = rv[j] ? w->slot[j].vhist : NULL;
        /* After the scatter off[p] is the end of group p. */
        int vbits = 0;
        while (vbits < 32 && (c->V - 1) >> vbits)
            vbits++;
        accum a = {log(c->vol_full), 0.0, 0.0, 0};
        const size_t *off = w->slot[j].poff;
        for (size_t p = 0, s = 0; p < (size_t)c->P; p++) {
            size_t e = off[p];
            if (e > s)
                group_accum(w, c, w->slot[j].u + s, e - s, vbits, vh, &a);
            s = e;
        }
        if (vh) {
            accum b = {log(c->vol_vel), 0.0, 0.0, 0};
            hist_accum(w, vh, c->V, &b);
            acc_finish(&b, n, c->vol_vel, out[j], rv[j]);
        }
        acc_finish(&a, n, c->vol_full, out[j], rf[j]);
    }
    return ES_OK;
}

/* ---- public entry points --------------------------------------------------- */

/* One set outside the grouped path: each marginal on its own. */
static int single_set(const cells *c, int dense_p, int dense_v, const double *pv, size_t n,
                      es_bz_workspace *w, es_bz_result *rf, es_bz_result *rp, es_bz_result *rv)
{
    int st = ES_OK;
    if (rf)
        st = sorted_entropy(c, ES_BZ_FULL, pv, n, w, rf);
    if (rp && !st)
        st = dense_p ? marginal_hist(c, ES_BZ_POSITION, pv, n, w, rp)
                     : sorted_entropy(c, ES_BZ_POSITION, pv, n, w, rp);
    if (rv && !st)
        st = dense_v ? marginal_hist(c, ES_BZ_VELOCITY, pv, n, w, rv)
                     : sorted_entropy(c, ES_BZ_VELOCITY, pv, n, w, rv);
    return st;
}

int es_bz_entropy_sets(const es_bz_grid *g, size_t k, const double *pv, size_t n,
                       es_bz_workspace *w, es_bz_result *full, es_bz_result *position,
                       es_bz_result *velocity)
{
    for (size_t j = 0; j < k; j++) {
        if (full)
            memset(&full[j], 0, sizeof *full);
        if (position)
            memset(&position[j], 0, sizeof *position);
        if (velocity)
            memset(&velocity[j], 0, sizeof *velocity);
    }
    for (size_t j = 0; j < k; j++) {
        int st = es_bz_grid_check(&g[j]);
        if (st)
            return st;
    }
    /* Dense histograms (4 bytes a cell) only for marginals with at most
     * max(N, 2^20) cells; 32-bit counts need N < 2^32. */
    uint64_t dense = n > (1u << 20) ? n : (1u << 20);
    int fits = n <= UINT32_MAX;
    cells gc[BZ_GROUP];
    es_bz_result *rf[BZ_GROUP], *rp[BZ_GROUP], *rv[BZ_GROUP];
    size_t ng = 0;
    for (size_t j = 0; j <= k; j++) {
        int st = ES_OK;
        if (ng == BZ_GROUP || (j == k && ng > 0)) {
            st = grouped_sets(gc, ng, pv, n, w, rf, rp, rv);
            ng = 0;
        }
        if (st)
            return st;
        if (j == k)
            break;
        cells c;
        cells_init(&g[j], &c);
        int dense_p = fits && c.P <= dense, dense_v = fits && c.V <= dense;
        es_bz_result *f = full ? &full[j] : NULL, *p = position ? &position[j] : NULL,
                     *v = velocity ? &velocity[j] : NULL;
        if (f && dense_p && c.V <= UINT32_MAX) {
            gc[ng] = c;
            rf[ng] = f;
            rp[ng] = p;
            if (v && !dense_v) {
                st = sorted_entropy(&c, ES_BZ_VELOCITY, pv, n, w, v);
                v = NULL;
            }
            rv[ng++] = v;
        } else {
            st = single_set(&c, dense_p, dense_v, pv, n, w, f, p, v);
        }
        if (st)
            return st;
    }
    return ES_OK;
}

int es_bz_entropy_all(const es_bz_grid *g, const double *pv, size_t n, es_bz_workspace *w,
                      es_bz_result *full, es_bz_result *position, es_bz_result *velocity)
{
    return es_bz_entropy_sets(g, 1, pv, n, w, full, position, velocity);
}

int es_bz_entropy(const es_bz_grid *g, es_bz_marginal m, const double *pv, size_t n,
                  es_bz_workspace *w, es_bz_result *r)
{
    return es_bz_entropy_all(g, pv, n, w, m == ES_BZ_FULL ? r : NULL,
                             m == ES_BZ_POSITION ? r : NULL, m == ES_BZ_VELOCITY ? r : NULL);
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
        SB += c * lnv - ln_gamma(c + 1.0);
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
