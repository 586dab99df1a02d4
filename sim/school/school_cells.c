/* Cell list for the zone search: counting sort by cell, O(N) per build. */
#include "school/school_cells.h"

#include "esuite/status.h"

#include <math.h>
#include <stdlib.h>

es_school_cells *es_school_cells_alloc(size_t n)
{
    es_school_cells *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->n = n;
    c->cell = malloc((n ? n : 1) * sizeof *c->cell);
    c->order = malloc((n ? n : 1) * sizeof *c->order);
    size_t m = n + ES_SCHOOL_CELL_PAD;
    c->sx = calloc(m, sizeof(double));
    c->sy = calloc(m, sizeof(double));
    c->sz = calloc(m, sizeof(double));
    c->sux = calloc(m, sizeof(double));
    c->suy = calloc(m, sizeof(double));
    c->suz = calloc(m, sizeof(double));
    if (!c->cell || !c->order || !c->sx || !c->sy || !c->sz || !c->sux || !c->suy || !c->suz) {
        es_school_cells_free(c);
        return NULL;
    }
    return c;
}

void es_school_cells_free(es_school_cells *c)
{
    if (!c)
        return;
    free(c->start);
    free(c->fill);
    free(c->cell);
    free(c->order);
    free(c->sx);
    free(c->sy);
    free(c->sz);
    free(c->sux);
    free(c->suy);
    free(c->suz);
    free(c);
}

static int coord(const es_school_cells *c, double x, int a)
{
    double u = (x - c->lo[a]) / c->w[a];
    if (c->periodic && !(u >= 0 && u < (double)c->nc[a])) { /* fmod(u, nc) == u inside */
        u = fmod(u, (double)c->nc[a]);
        if (u < 0)
            u += c->nc[a];
    }
    int k = (u >= 0) ? (int)u : 0;
    return k >= c->nc[a] ? c->nc[a] - 1 : k;
}

static void shape(es_school_cells *c, const double *pos, size_t n, double box, double rc)
{
    c->periodic = box > 0;
    c->box = box;
    double ext[3];
    if (c->periodic) {
        for (int a = 0; a < 3; a++) {
            c->lo[a] = 0.0;
            ext[a] = box;
        }
    } else {
        double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
        for (size_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) {
                lo[a] = fmin(lo[a], pos[3 * i + a]);
                hi[a] = fmax(hi[a], pos[3 * i + a]);
            }
        for (int a = 0; a < 3; a++) {
            c->lo[a] = lo[a];
            ext[a] = fmax(hi[a] - lo[a], 0.0);
        }
    }
    double nc[3], total = 1.0;
    for (int a = 0; a < 3; a++) {
        nc[a] = floor(ext[a] * ES_SCHOOL_CELL_SUB / rc);
        if (!(nc[a] >= 1))
            nc[a] = 1;
        total *= nc[a];
    }
    /* Open space: a fragmented group must not blow up the grid. A sparse
     * periodic box neither (L = 10^4, r_a = 10: 8·10^9 cells, out of memory):
     * coarser cells stay at least r_a/2 wide, and up to 2^20 cells the grid,
     * hence every result, is what it always was. */
    double cap = 4.0 * (double)n + 64.0;
    if (c->periodic)
        cap = fmax(cap, 1048576.0);
    if (total > cap) {
        double f = cbrt(total / cap);
        for (int a = 0; a < 3; a++)
            nc[a] = fmax(1.0, floor(nc[a] / f));
    }
    for (int a = 0; a < 3; a++) {
        c->nc[a] = (int)nc[a];
        c->w[a] = ext[a] > 0 ? ext[a] / nc[a] : rc / ES_SCHOOL_CELL_SUB;
        if (!c->periodic)
            c->w[a] *= 1.0 + 1e-12; /* the extreme fish falls in the last cell */
    }
    c->ncell = (size_t)c->nc[0] * (size_t)c->nc[1] * (size_t)c->nc[2];
}

int es_school_cells_build(es_school_cells *c, const double *pos, const double *dir, size_t n,
                          double box, double rc)
{
    shape(c, pos, n, box, rc);
    if (c->ncell > c->cap_cells) {
        free(c->start);
        free(c->fill);
        c->start = malloc((c->ncell + 1) * sizeof *c->start);
        c->fill = malloc(c->ncell * sizeof *c->fill);
        if (!c->start || !c->fill) {
            c->cap_cells = 0;
            return es_error_set(ES_ENOMEM, "school: out of memory for %zu cells", c->ncell);
        }
        c->cap_cells = c->ncell;
    }
    for (size_t k = 0; k <= c->ncell; k++)
        c->start[k] = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = pos + 3 * i;
        c->cell[i] = ((size_t)coord(c, p[2], 2) * (size_t)c->nc[1] + (size_t)coord(c, p[1], 1)) *
                         (size_t)c->nc[0] +
                     (size_t)coord(c, p[0], 0);
        c->start[c->cell[i] + 1]++;
    }
    for (size_t k = 0; k < c->ncell; k++) {
        c->start[k + 1] += c->start[k];
        c->fill[k] = c->start[k];
    }
    for (size_t i = 0; i < n; i++) {
        size_t t = c->fill[c->cell[i]]++;
        c->order[t] = i;
        c->sx[t] = pos[3 * i];
        c->sy[t] = pos[3 * i + 1];
        c->sz[t] = pos[3 * i + 2];
        c->sux[t] = dir[3 * i];
        c->suy[t] = dir[3 * i + 1];
        c->suz[t] = dir[3 * i + 2];
    }
    return ES_OK;
}

/* Cell coordinates to scan on one axis (ascending when contiguous). */
static int axis_list(const es_school_cells *c, double x, int a, int list[ES_SCHOOL_CELL_SPAN])
{
    int k = coord(c, x, a), m = 0;
    if (c->periodic && c->nc[a] < ES_SCHOOL_CELL_SPAN) {
        for (int q = 0; q < c->nc[a]; q++)
            list[m++] = q; /* the whole axis, each cell once */
        return m;
    }
    for (int o = -ES_SCHOOL_CELL_SUB; o <= ES_SCHOOL_CELL_SUB; o++) {
        int q = k + o;
        if (c->periodic)
            q = q < 0 ? q + c->nc[a] : (q >= c->nc[a] ? q - c->nc[a] : q);
        else if (q < 0 || q >= c->nc[a])
            continue;
        list[m++] = q;
    }
    return m;
}

static void sort_small(int *v, int m)
{
    for (int i = 1; i < m; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* Append [a, b) to the run list, merging with the previous run when they
 * touch in memory (consecutive cells, consecutive rows). */
static void push_run(size_t *lo, size_t *hi, int *nr, size_t a, size_t b)
{
    if (a == b)
        return;
    if (*nr > 0 && hi[*nr - 1] == a) {
        hi[*nr - 1] = b;
        return;
    }
    lo[*nr] = a;
    hi[*nr] = b;
    (*nr)++;
}

int es_school_cells_runs(const es_school_cells *c, const double *p, size_t *lo, size_t *hi)
{
    if (c->periodic && c->nc[0] < ES_SCHOOL_CELL_SPAN && c->nc[1] < ES_SCHOOL_CELL_SPAN &&
        c->nc[2] < ES_SCHOOL_CELL_SPAN) {
        /* Every axis is scanned whole: all cells in ascending order, which
         * merge into the single run of every slot. */
        lo[0] = 0;
        hi[0] = c->start[c->ncell];
        return c->start[c->ncell] > 0;
    }
    int lx[ES_SCHOOL_CELL_SPAN], ly[ES_SCHOOL_CELL_SPAN], lz[ES_SCHOOL_CELL_SPAN];
    int mx = axis_list(c, p[0], 0, lx), my = axis_list(c, p[1], 1, ly), mz = axis_list(c, p[2], 2, lz);
    /* Ascending cell order: memory order, so wrapped neighbours form at most
     * two runs per row and whole rows/planes merge into one run. */
    sort_small(lx, mx);
    sort_small(ly, my);
    sort_small(lz, mz);
    int nr = 0;
    for (int iz = 0; iz < mz; iz++)
        for (int iy = 0; iy < my; iy++) {
            size_t row = ((size_t)lz[iz] * (size_t)c->nc[1] + (size_t)ly[iy]) * (size_t)c->nc[0];
            for (int ix = 0; ix < mx;) {
                int jx = ix;
                while (jx + 1 < mx && lx[jx + 1] == lx[jx] + 1)
                    jx++;
                push_run(lo, hi, &nr, c->start[row + (size_t)lx[ix]],
                         c->start[row + (size_t)lx[jx] + 1]);
                ix = jx + 1;
            }
        }
    return nr;
}
