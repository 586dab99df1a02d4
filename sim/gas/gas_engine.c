/* Event prediction and processing for the hard-disc engine (see gas.h). */
#include "gas/gas.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- cell list ---------------------------------------------------------- */

void es_gas_cell_insert(es_gas *g, int32_t i, int32_t c);
void es_gas_cell_remove(es_gas *g, int32_t i);

/* Put particle i at the head of cell c = cy·ncx + cx. */
static inline void cell_link(es_gas *g, int32_t i, int32_t c, int32_t cx, int32_t cy)
{
    es_gas_particle *p = g->p;
    p[i].cell = c;
    p[i].cx = cx;
    p[i].cy = cy;
    p[i].prev = -1;
    p[i].next = g->head[c];
    if (g->head[c] >= 0)
        p[g->head[c]].prev = i;
    g->head[c] = i;
}

void es_gas_cell_insert(es_gas *g, int32_t i, int32_t c)
{
    cell_link(g, i, c, c % g->ncx, c / g->ncx);
}

void es_gas_cell_remove(es_gas *g, int32_t i)
{
    es_gas_particle *p = g->p;
    if (p[i].prev >= 0)
        p[p[i].prev].next = p[i].next;
    else
        g->head[p[i].cell] = p[i].next;
    if (p[i].next >= 0)
        p[p[i].next].prev = p[i].prev;
}

/* ---- prediction --------------------------------------------------------- */

static inline void advance(es_gas_particle *q, double t)
{
    double dt = t - q->t;
    q->x += q->vx * dt;
    q->y += q->vy * dt;
    q->t = t;
}

static inline double nonneg(double x) { return x > 0.0 ? x : 0.0; }

/* Time until the x boundary event of a particle at (x, vx) in cell column cx:
 * the cell face, or a wall if it comes first. Sets *type. */
static inline double boundary_x(const es_gas *g, double x, double vx, int cx, int *type)
{
    if (vx > 0.0) {
        double face = (cx + 1 == g->ncx) ? g->par.lx : (cx + 1) * g->cwx;
        if (g->par.box == ES_GAS_BOX_WALLS) {
            double wall = g->partition_on ? g->xmid : g->xhi;
            if (wall <= face) {
                *type = ES_GAS_EV_WALL_X;
                return nonneg((wall - x) / vx);
            }
        }
        *type = ES_GAS_EV_CROSS_X;
        return nonneg((face - x) / vx);
    } else if (vx < 0.0) {
        double face = cx * g->cwx;
        if (g->par.box == ES_GAS_BOX_WALLS && g->xlo >= face) {
            *type = ES_GAS_EV_WALL_X;
            return nonneg((g->xlo - x) / vx);
        }
        *type = ES_GAS_EV_CROSS_X;
        return nonneg((face - x) / vx);
    }
    *type = ES_GAS_EV_NONE;
    return INFINITY;
}

static inline double boundary_y(const es_gas *g, double y, double vy, int cy, int *type)
{
    int walls = g->par.box == ES_GAS_BOX_WALLS && g->par.ybc == ES_GAS_Y_REFLECT;
    if (vy > 0.0) {
        double face = (cy + 1 == g->ncy) ? g->par.ly : (cy + 1) * g->cwy;
        if (walls && g->yhi <= face) {
            *type = ES_GAS_EV_WALL_Y;
            return nonneg((g->yhi - y) / vy);
        }
        *type = ES_GAS_EV_CROSS_Y;
        return nonneg((face - y) / vy);
    } else if (vy < 0.0) {
        double face = cy * g->cwy;
        if (walls && g->ylo >= face) {
            *type = ES_GAS_EV_WALL_Y;
            return nonneg((g->ylo - y) / vy);
        }
        *type = ES_GAS_EV_CROSS_Y;
        return nonneg((face - y) / vy);
    }
    *type = ES_GAS_EV_NONE;
    return INFINITY;
}

/* Time until a periodic-box particle at x with velocity v in cell column
 * (or row) c of n, width w, side l, leaves its cell: the same faces as
 * boundary_x, without branches (the sign of v is a coin toss). */
static inline double face_time(double x, double v, int c, int n, double w, double l)
{
    int up = v > 0.0;
    double face = c + up == n ? l : (c + up) * w;
    double t = nonneg((face - x) / v);
    return v != 0.0 ? t : INFINITY;
}

/* Earliest boundary event of particle i (at tnow): stored in ev/btype. */
static inline void predict_boundary(es_gas *g, int32_t i, double tnow)
{
    es_gas_particle *a = &g->p[i];
    int cx = a->cx, cy = a->cy;
    int tx, ty;
    double t_x, t_y;
    if (g->par.box == ES_GAS_BOX_PERIODIC) {
        t_x = face_time(a->x, a->vx, cx, g->ncx, g->cwx, g->par.lx);
        t_y = face_time(a->y, a->vy, cy, g->ncy, g->cwy, g->par.ly);
        tx = a->vx != 0.0 ? ES_GAS_EV_CROSS_X : ES_GAS_EV_NONE;
        ty = a->vy != 0.0 ? ES_GAS_EV_CROSS_Y : ES_GAS_EV_NONE;
    } else {
        t_x = boundary_x(g, a->x, a->vx, cx, &tx);
        t_y = boundary_y(g, a->y, a->vy, cy, &ty);
    }
    if (t_x <= t_y) {
        g->ev[i].tb = tnow + t_x;
        g->ev[i].btype = tx;
    } else {
        g->ev[i].tb = tnow + t_y;
        g->ev[i].btype = ty;
    }
}

/* A neighbour cell to scan: its first disc and the periodic image shift. */
typedef struct {
    int32_t first;
    double sx, sy;
} nb_cell;

/* Resolve cell (nx, ny) (raw indices, possibly outside the grid: wrapped with
 * an image shift when periodic, skipped otherwise) into out[k]; prefetch its
 * first disc so that the misses of all cells of a scan overlap instead of
 * following one another. Returns the new count. */
static inline int add_cell(const es_gas *g, int nx, int ny, nb_cell *out, int k)
{
    double sx = 0.0, sy = 0.0;
    if (nx < 0 || nx >= g->ncx) {
        if (g->par.box != ES_GAS_BOX_PERIODIC)
            return k;
        sx = nx < 0 ? -g->par.lx : g->par.lx;
        nx = nx < 0 ? nx + g->ncx : nx - g->ncx;
    }
    if (ny < 0 || ny >= g->ncy) {
        if (g->par.box != ES_GAS_BOX_PERIODIC && g->par.ybc != ES_GAS_Y_PERIODIC)
            return k;
        sy = ny < 0 ? -g->par.ly : g->par.ly;
        ny = ny < 0 ? ny + g->ncy : ny - g->ncy;
    }
    int32_t f = g->head[ny * g->ncx + nx];
    if (f < 0)
        return k;
    __builtin_prefetch(&g->p[f]);
    out[k].first = f;
    out[k].sx = sx;
    out[k].sy = sy;
    return k + 1;
}

/* Scan the discs of the given cells for a collision with particle i at tnow
 * earlier than i's candidate. */
static void scan_cells(es_gas *g, int32_t i, const nb_cell *cells, int k, double tnow)
{
    const es_gas_particle *p = g->p;
    const es_gas_particle *a = &p[i];
    es_gas_event *e = &g->ev[i];
    double s2 = g->par.sigma * g->par.sigma;
    for (int q = 0; q < k; q++) {
        double ax = a->x - cells[q].sx, ay = a->y - cells[q].sy;
        for (int32_t j = cells[q].first; j >= 0; j = p[j].next) {
            /* Branch free: whether a pair approaches and meets is a coin
             * toss for the branch predictor. j == i gives bb = 0: no event. */
            const es_gas_particle *b = &p[j];
            double dtj = tnow - b->t;
            double rx = ax - (b->x + b->vx * dtj);
            double ry = ay - (b->y + b->vy * dtj);
            double wx = a->vx - b->vx, wy = a->vy - b->vy;
            double bb = rx * wx + ry * wy;
            double w2 = wx * wx + wy * wy;
            double c = rx * rx + ry * ry - s2;
            double d = bb * bb - w2 * c;
            int hit = (bb < 0.0) & (d > 0.0);
            /* cancellation-free root; touching within rounding and approaching: now */
            double tc = tnow + nonneg(c / (-bb + sqrt(hit ? d : 1.0)));
            tc = hit ? tc : INFINITY;
            if (tc < e->tc) {
                e->tc = tc;
                e->partner = j;
                e->pcount = b->count;
            }
        }
    }
}

static inline void schedule(es_gas *g, int32_t i)
{
    const es_gas_event *e = &g->ev[i];
    es_gas_queue_update(g, i, e->tc <= e->tb ? e->tc : e->tb);
}

/* The 3×3 neighbourhood of cell (cx, cy): away from the grid edges (nearly
 * always) no wrapping or image shift is needed. */
static inline int neighbourhood(const es_gas *g, int cx, int cy, nb_cell *cells)
{
    int k = 0;
    if (cx > 0 && cx < g->ncx - 1 && cy > 0 && cy < g->ncy - 1) {
        const int32_t *row = g->head + (ptrdiff_t)(cy - 1) * g->ncx + (cx - 1);
        for (int dy = 0; dy < 3; dy++, row += g->ncx)
            for (int dx = 0; dx < 3; dx++) {
                int32_t f = row[dx];
                cells[k].first = f; /* kept only if not empty (branch free) */
                cells[k].sx = cells[k].sy = 0.0;
                k += f >= 0;
            }
        return k;
    }
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            k = add_cell(g, cx + dx, cy + dy, cells, k);
    return k;
}

/* Bring particle i to tnow and predict everything from scratch. */
static void predict(es_gas *g, int32_t i, double tnow)
{
    es_gas_particle *a = &g->p[i];
    advance(a, tnow);
    predict_boundary(g, i, tnow);
    g->ev[i].tc = INFINITY;
    g->ev[i].partner = -1;
    if (g->par.sigma > 0.0) {
        nb_cell cells[9];
        int k = neighbourhood(g, a->cx, a->cy, cells);
        scan_cells(g, i, cells, k, tnow);
    }
    schedule(g, i);
}

/* ---- processing --------------------------------------------------------- */

static void do_collision(es_gas *g, int32_t i, int32_t j, double t)
{
    es_gas_particle *a = &g->p[i], *b = &g->p[j];
    advance(a, t);
    advance(b, t);
    double rx = a->x - b->x, ry = a->y - b->y;
    /* Minimum image: the partner may have wrapped since prediction; contact
     * distance sigma is below half of any periodic length (>= 3 cells). */
    if (g->par.box == ES_GAS_BOX_PERIODIC) {
        if (rx > 0.5 * g->par.lx)
            rx -= g->par.lx;
        else if (rx < -0.5 * g->par.lx)
            rx += g->par.lx;
    }
    if (g->par.box == ES_GAS_BOX_PERIODIC || g->par.ybc == ES_GAS_Y_PERIODIC) {
        if (ry > 0.5 * g->par.ly)
            ry -= g->par.ly;
        else if (ry < -0.5 * g->par.ly)
            ry += g->par.ly;
    }
    double wx = a->vx - b->vx, wy = a->vy - b->vy;
    double bb = rx * wx + ry * wy;
    double f = bb / (rx * rx + ry * ry);
    a->vx -= f * rx;
    a->vy -= f * ry;
    b->vx += f * rx;
    b->vy += f * ry;
    a->count++;
    b->count++;
    g->virial -= bb;
    g->n_coll++;
    predict(g, i, t);
    predict(g, j, t);
}

/* Move particle i into the next cell along x (axis 0) or y (axis 1), then
 * scan only the row/column of cells that just became adjacent. */
static void do_cross(es_gas *g, int32_t i, double t, int axis)
{
    es_gas_particle *a = &g->p[i];
    advance(a, t);
    int cx = a->cx, cy = a->cy, step;
    if (axis == 0) {
        step = a->vx > 0.0 ? 1 : -1;
        cx += step;
        if (cx == g->ncx) { /* periodic wrap */
            cx = 0;
            a->x -= g->par.lx;
        } else if (cx < 0) {
            cx = g->ncx - 1;
            a->x += g->par.lx;
        }
    } else {
        step = a->vy > 0.0 ? 1 : -1;
        cy += step;
        if (cy == g->ncy) {
            cy = 0;
            a->y -= g->par.ly;
        } else if (cy < 0) {
            cy = g->ncy - 1;
            a->y += g->par.ly;
        }
    }
    es_gas_cell_remove(g, i);
    cell_link(g, i, cy * g->ncx + cx, cx, cy); /* no division on the hot path */
    g->n_cross++;
    predict_boundary(g, i, t);
    if (g->par.sigma > 0.0) {
        nb_cell cells[3];
        int k = 0;
        /* the new row or column: (nx, ny) ± one cell along the face */
        int nx = axis == 0 ? cx + step : cx, ny = axis == 0 ? cy : cy + step;
        if (nx > 0 && nx < g->ncx - 1 && ny > 0 && ny < g->ncy - 1) {
            ptrdiff_t c = (ptrdiff_t)ny * g->ncx + nx, d = axis == 0 ? g->ncx : 1;
            for (ptrdiff_t q = c - d; q <= c + d; q += d) {
                int32_t f = g->head[q];
                cells[k].first = f;
                cells[k].sx = cells[k].sy = 0.0;
                k += f >= 0;
            }
        } else {
            for (int d = -1; d <= 1; d++)
                k = axis == 0 ? add_cell(g, nx, ny + d, cells, k) : add_cell(g, nx + d, ny, cells, k);
        }
        scan_cells(g, i, cells, k, t);
    }
    schedule(g, i);
}

static void do_wall(es_gas *g, int32_t i, double t, int axis)
{
    es_gas_particle *a = &g->p[i];
    advance(a, t);
    if (axis == 0) {
        /* Pin the centre on the wall line so rounding never leaks it out. */
        a->x = a->vx > 0.0 ? (g->partition_on ? g->xmid : g->xhi) : g->xlo;
        a->vx = -a->vx;
    } else {
        a->y = a->vy > 0.0 ? g->yhi : g->ylo;
        a->vy = -a->vy;
    }
    a->count++;
    g->n_wall++;
    predict(g, i, t);
}

/* Interleave the bits of x and y (Morton code). */
static uint64_t morton(uint32_t x, uint32_t y)
{
    uint64_t m = 0;
    for (int b = 0; b < 32; b++)
        m |= ((uint64_t)((x >> b) & 1u) << (2 * b)) | ((uint64_t)((y >> b) & 1u) << (2 * b + 1));
    return m;
}

static int cmp_u64_pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Cells in Z order: a 3×3 neighbourhood then mostly lies in a short stretch
 * of the renumbered particle array. NULL without memory. */
static int32_t *zorder_cells(int ncx, int ncy)
{
    size_t nc = (size_t)ncx * ncy;
    uint64_t *kv = malloc(2 * nc * sizeof *kv);
    int32_t *order = malloc(nc * sizeof *order);
    if (!kv || !order) {
        free(kv);
        free(order);
        return NULL;
    }
    for (size_t c = 0; c < nc; c++) {
        kv[2 * c] = morton((uint32_t)(c % (size_t)ncx), (uint32_t)(c / (size_t)ncx));
        kv[2 * c + 1] = c;
    }
    qsort(kv, nc, 2 * sizeof *kv, cmp_u64_pair);
    for (size_t q = 0; q < nc; q++)
        order[q] = (int32_t)kv[2 * q + 1];
    free(kv);
    return order;
}

/* Events per particle between renumberings. */
#ifndef ES_GAS_SORT_EVENTS
#define ES_GAS_SORT_EVENTS 8
#endif

/* Renumber particles in cell order (row-major) for locality: particle data,
 * event slots, partner references, cell lists and the event queue are permuted;
 * ids keep the snapshot order. The dynamics is unchanged. */
void es_gas_renumber(es_gas *g)
{
    long n = g->n;
    g->next_sort = g->n_events + (unsigned long long)(ES_GAS_SORT_EVENTS * n) + 1000;
    if (n < 2048) {
        es_gas_queue_rebuild(g); /* recalibrate the bucket width */
        return;                  /* everything fits in cache anyway */
    }
    if (!g->sort_p) {
        g->sort_p = es_gas_alloc_lines((size_t)n * sizeof *g->sort_p);
        g->sort_ev = es_gas_alloc_lines((size_t)n * sizeof *g->sort_ev);
        g->sort_map = malloc((size_t)n * sizeof *g->sort_map);
        if (!g->sort_p || !g->sort_ev || !g->sort_map) {
            /* renumbering is an optimisation only: skip it without memory */
            free(g->sort_p);
            free(g->sort_ev);
            free(g->sort_map);
            g->sort_p = NULL;
            g->sort_ev = NULL;
            g->sort_map = NULL;
            return;
        }
    }
    long nc = (long)g->ncx * g->ncy, k = 0;
    if (!g->zorder && !(g->zorder = zorder_cells(g->ncx, g->ncy)))
        return;
    for (long q = 0; q < nc; q++)
        for (int32_t j = g->head[g->zorder[q]]; j >= 0; j = g->p[j].next)
            g->sort_map[j] = (int32_t)k++;
    for (long i = 0; i < n; i++) {
        int32_t m = g->sort_map[i];
        g->sort_p[m] = g->p[i];
        g->sort_ev[m] = g->ev[i];
        if (g->sort_ev[m].partner >= 0)
            g->sort_ev[m].partner = g->sort_map[g->sort_ev[m].partner];
    }
    es_gas_particle *tp = g->p;
    g->p = g->sort_p;
    g->sort_p = tp;
    es_gas_event *te = g->ev;
    g->ev = g->sort_ev;
    g->sort_ev = te;
    for (long c = 0; c < nc; c++)
        g->head[c] = -1;
    for (long i = n - 1; i >= 0; i--) /* reverse so each list runs in index order */
        es_gas_cell_insert(g, (int32_t)i, g->p[i].cell);
    /* queue nodes follow their particles; the lists are rebuilt */
    es_gas_queue_rebuild(g);
}

int es_gas_step(es_gas *g)
{
    if (g->n_events >= g->next_sort)
        es_gas_renumber(g);
    int32_t i = es_gas_queue_min(g);
    if (i < 0)
        return ES_GAS_EV_NONE;
    es_gas_queue_pop(g);
    double te = g->ev[i].t;
    g->t = te;
    g->n_events++;
    const es_gas_event *e = &g->ev[i];
    if (e->tc <= e->tb) {
        int32_t j = e->partner;
        if (g->p[j].count == e->pcount)
            do_collision(g, i, j, te);
        else {
            g->n_stale++;
            predict(g, i, te);
        }
        return j;
    }
    int type = e->btype;
    if (type == ES_GAS_EV_CROSS_X)
        do_cross(g, i, te, 0);
    else if (type == ES_GAS_EV_CROSS_Y)
        do_cross(g, i, te, 1);
    else if (type == ES_GAS_EV_WALL_X)
        do_wall(g, i, te, 0);
    else if (type == ES_GAS_EV_WALL_Y)
        do_wall(g, i, te, 1);
    return type;
}

void es_gas_run_until(es_gas *g, double t_end) { es_gas_run_until_bounded(g, t_end, ULLONG_MAX); }

int es_gas_run_until_bounded(es_gas *g, double t_end, unsigned long long max_events)
{
    for (unsigned long long k = 0; k < max_events; k++) {
        int32_t i = es_gas_queue_min(g);
        if (i < 0 || g->ev[i].t > t_end) {
            if (t_end > g->t)
                g->t = t_end;
            return 1;
        }
        es_gas_step(g);
    }
    return 0;
}

void es_gas_run_collisions(es_gas *g, unsigned long long ncoll)
{
    unsigned long long target = g->n_coll + ncoll;
    while (g->n_coll < target)
        if (es_gas_step(g) == ES_GAS_EV_NONE)
            break;
}

void es_gas_reschedule(es_gas *g)
{
    /* Times may move backwards (reset_clock): start from an empty queue. */
    for (long i = 0; i < g->n; i++)
        g->ev[i].t = INFINITY;
    es_gas_queue_rebuild(g);
    for (long i = 0; i < g->n; i++)
        predict(g, (int32_t)i, g->t);
    es_gas_queue_rebuild(g); /* calibrate the bucket width on the new times */
}

void es_gas_remove_partition(es_gas *g)
{
    g->partition_on = 0;
    es_gas_reschedule(g);
}

void es_gas_reverse(es_gas *g)
{
    for (long i = 0; i < g->n; i++) {
        advance(&g->p[i], g->t);
        g->p[i].vx = -g->p[i].vx;
        g->p[i].vy = -g->p[i].vy;
        g->p[i].count++;
    }
    es_gas_reschedule(g);
}

void es_gas_reset_stats(es_gas *g)
{
    g->n_events = g->n_coll = g->n_stale = g->n_cross = g->n_wall = 0;
    g->virial = 0.0;
    g->t_stats = g->t;
}

void es_gas_reset_clock(es_gas *g)
{
    for (long i = 0; i < g->n; i++) {
        advance(&g->p[i], g->t);
        g->p[i].t = 0.0;
    }
    g->t = 0.0;
    es_gas_reschedule(g);
    es_gas_reset_stats(g);
}

void es_gas_equilibrate(es_gas *g, double collisions_per_particle)
{
    if (g->par.sigma > 0.0 && collisions_per_particle > 0.0)
        es_gas_run_collisions(g, (unsigned long long)ceil(collisions_per_particle * g->n / 2.0));
    es_gas_reset_clock(g);
}
