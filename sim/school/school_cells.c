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
    c->spos = malloc((n ? n : 1) * 3 * sizeof *c->spos);
    c->sdir = malloc((n ? n : 1) * 3 * sizeof *c->sdir);
    if (!c->cell || !c->order || !c->spos || !c->sdir) {
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
    free(c->spos);
    free(c->sdir);
    free(c);
}

static int coord(const es_school_cells *c, double x, int a)
{
    double u = (x - c->lo[a]) / c->w[a];
    if (c->periodic) {
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
        nc[a] = floor(ext[a] / rc);
        if (!(nc[a] >= 1))
            nc[a] = 1;
        total *= nc[a];
    }
    /* Open space: a fragmented group must not blow up the grid. */
    double cap = 4.0 * (double)n + 64.0;
    if (!c->periodic && total > cap) {
        double f = cbrt(total / cap);
        for (int a = 0; a < 3; a++)
            nc[a] = fmax(1.0, floor(nc[a] / f));
    }
    for (int a = 0; a < 3; a++) {
        c->nc[a] = (int)nc[a];
        c->w[a] = ext[a] > 0 ? ext[a] / nc[a] : rc;
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
        for (int a = 0; a < 3; a++) {
            c->spos[3 * t + a] = pos[3 * i + a];
            c->sdir[3 * t + a] = dir[3 * i + a];
        }
    }
    return ES_OK;
}

void es_school_cells_around(const es_school_cells *c, const double *p, int list[3][3], int cnt[3])
{
    for (int a = 0; a < 3; a++) {
        int k = coord(c, p[a], a), m = 0;
        if (c->periodic && c->nc[a] < 3) {
            for (int q = 0; q < c->nc[a]; q++)
                list[a][m++] = q;
        } else {
            for (int o = -1; o <= 1; o++) {
                int q = k + o;
                if (c->periodic)
                    q = (q + c->nc[a]) % c->nc[a];
                else if (q < 0 || q >= c->nc[a])
                    continue;
                list[a][m++] = q;
            }
        }
        cnt[a] = m;
    }
}
