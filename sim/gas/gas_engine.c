/* Event prediction and processing for the hard-disc engine (see gas.h). */
#include "gas/gas.h"

#include <math.h>

/* ---- indexed binary heap ------------------------------------------------ */

static inline void heap_place(es_gas *g, long k, es_gas_heap_entry e)
{
    g->heap[k] = e;
    g->hpos[e.i] = (int32_t)k;
}

static void heap_sift_up(es_gas *g, long k)
{
    es_gas_heap_entry e = g->heap[k];
    while (k > 0) {
        long parent = (k - 1) >> 1;
        if (g->heap[parent].t <= e.t)
            break;
        heap_place(g, k, g->heap[parent]);
        k = parent;
    }
    heap_place(g, k, e);
}

static void heap_sift_down(es_gas *g, long k)
{
    long n = g->n;
    es_gas_heap_entry e = g->heap[k];
    for (;;) {
        long c = 2 * k + 1;
        if (c >= n)
            break;
        if (c + 1 < n && g->heap[c + 1].t < g->heap[c].t)
            c++;
        if (e.t <= g->heap[c].t)
            break;
        heap_place(g, k, g->heap[c]);
        k = c;
    }
    heap_place(g, k, e);
}

/* Change the event time of particle i. */
static void heap_update(es_gas *g, int32_t i, double t)
{
    long k = g->hpos[i];
    double old = g->heap[k].t;
    g->heap[k].t = t;
    if (t < old)
        heap_sift_up(g, k);
    else
        heap_sift_down(g, k);
}

/* ---- cell list ---------------------------------------------------------- */

void es_gas_cell_insert(es_gas *g, int32_t i, int32_t c);
void es_gas_cell_remove(es_gas *g, int32_t i);

void es_gas_cell_insert(es_gas *g, int32_t i, int32_t c)
{
    es_gas_particle *p = g->p;
    p[i].cell = c;
    p[i].prev = -1;
    p[i].next = g->head[c];
    if (g->head[c] >= 0)
        p[g->head[c]].prev = i;
    g->head[c] = i;
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
                return fmax(0.0, (wall - x) / vx);
            }
        }
        *type = ES_GAS_EV_CROSS_X;
        return fmax(0.0, (face - x) / vx);
    } else if (vx < 0.0) {
        double face = cx * g->cwx;
        if (g->par.box == ES_GAS_BOX_WALLS && g->xlo >= face) {
            *type = ES_GAS_EV_WALL_X;
            return fmax(0.0, (g->xlo - x) / vx);
        }
        *type = ES_GAS_EV_CROSS_X;
        return fmax(0.0, (face - x) / vx);
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
            return fmax(0.0, (g->yhi - y) / vy);
        }
        *type = ES_GAS_EV_CROSS_Y;
        return fmax(0.0, (face - y) / vy);
    } else if (vy < 0.0) {
        double face = cy * g->cwy;
        if (walls && g->ylo >= face) {
            *type = ES_GAS_EV_WALL_Y;
            return fmax(0.0, (g->ylo - y) / vy);
        }
        *type = ES_GAS_EV_CROSS_Y;
        return fmax(0.0, (face - y) / vy);
    }
    *type = ES_GAS_EV_NONE;
    return INFINITY;
}

/* Earliest collision of particle i (already at time tnow) with the discs of
 * its 3×3 cell neighbourhood; returns the absolute time or INFINITY. */
static double predict_collisions(const es_gas *g, int32_t i, double tnow, int32_t *partner)
{
    const es_gas_particle *p = g->p;
    const es_gas_particle *a = &p[i];
    double s2 = g->par.sigma * g->par.sigma;
    int periodic_x = g->par.box == ES_GAS_BOX_PERIODIC;
    int periodic_y = periodic_x || g->par.ybc == ES_GAS_Y_PERIODIC;
    int cx = a->cell % g->ncx, cy = a->cell / g->ncx;
    double best = INFINITY;
    *partner = -1;
    for (int dy = -1; dy <= 1; dy++) {
        int ny = cy + dy;
        double sy = 0.0;
        if (ny < 0) {
            if (!periodic_y)
                continue;
            ny += g->ncy;
            sy = -g->par.ly;
        } else if (ny >= g->ncy) {
            if (!periodic_y)
                continue;
            ny -= g->ncy;
            sy = g->par.ly;
        }
        for (int dx = -1; dx <= 1; dx++) {
            int nx = cx + dx;
            double sx = 0.0;
            if (nx < 0) {
                if (!periodic_x)
                    continue;
                nx += g->ncx;
                sx = -g->par.lx;
            } else if (nx >= g->ncx) {
                if (!periodic_x)
                    continue;
                nx -= g->ncx;
                sx = g->par.lx;
            }
            for (int32_t j = g->head[ny * g->ncx + nx]; j >= 0; j = p[j].next) {
                if (j == i)
                    continue;
                const es_gas_particle *b = &p[j];
                double dtj = tnow - b->t;
                double rx = a->x - (b->x + b->vx * dtj + sx);
                double ry = a->y - (b->y + b->vy * dtj + sy);
                double wx = a->vx - b->vx, wy = a->vy - b->vy;
                double bb = rx * wx + ry * wy;
                if (bb >= 0.0)
                    continue;
                double w2 = wx * wx + wy * wy;
                double c = rx * rx + ry * ry - s2;
                double d = bb * bb - w2 * c;
                if (d <= 0.0)
                    continue;
                double tc = c / (-bb + sqrt(d));
                if (tc < 0.0)
                    tc = 0.0; /* touching within rounding and approaching: now */
                if (tnow + tc < best) {
                    best = tnow + tc;
                    *partner = j;
                }
            }
        }
    }
    return best;
}

/* Bring particle i to tnow and schedule its earliest event. */
static void predict(es_gas *g, int32_t i, double tnow)
{
    es_gas_particle *a = &g->p[i];
    advance(a, tnow);
    int cx = a->cell % g->ncx, cy = a->cell / g->ncx;
    int tx, ty;
    double t_x = boundary_x(g, a->x, a->vx, cx, &tx);
    double t_y = boundary_y(g, a->y, a->vy, cy, &ty);
    double best;
    int type;
    if (t_x <= t_y) {
        best = tnow + t_x;
        type = tx;
    } else {
        best = tnow + t_y;
        type = ty;
    }
    if (g->par.sigma > 0.0) {
        int32_t j;
        double tc = predict_collisions(g, i, tnow, &j);
        if (tc < best) {
            best = tc;
            type = j;
            a->pcount = g->p[j].count;
        }
    }
    a->partner = type;
    heap_update(g, i, best);
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

static void do_cross_x(es_gas *g, int32_t i, double t)
{
    es_gas_particle *a = &g->p[i];
    advance(a, t);
    int cx = a->cell % g->ncx, cy = a->cell / g->ncx;
    if (a->vx > 0.0) {
        if (++cx == g->ncx) { /* periodic wrap */
            cx = 0;
            a->x -= g->par.lx;
        }
    } else {
        if (--cx < 0) {
            cx = g->ncx - 1;
            a->x += g->par.lx;
        }
    }
    es_gas_cell_remove(g, i);
    es_gas_cell_insert(g, i, cy * g->ncx + cx);
    g->n_cross++;
    predict(g, i, t);
}

static void do_cross_y(es_gas *g, int32_t i, double t)
{
    es_gas_particle *a = &g->p[i];
    advance(a, t);
    int cx = a->cell % g->ncx, cy = a->cell / g->ncx;
    if (a->vy > 0.0) {
        if (++cy == g->ncy) {
            cy = 0;
            a->y -= g->par.ly;
        }
    } else {
        if (--cy < 0) {
            cy = g->ncy - 1;
            a->y += g->par.ly;
        }
    }
    es_gas_cell_remove(g, i);
    es_gas_cell_insert(g, i, cy * g->ncx + cx);
    g->n_cross++;
    predict(g, i, t);
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

int es_gas_step(es_gas *g)
{
    es_gas_heap_entry top = g->heap[0];
    if (!isfinite(top.t))
        return ES_GAS_EV_NONE;
    int32_t i = top.i;
    g->t = top.t;
    g->n_events++;
    int type = g->p[i].partner;
    if (type >= 0) {
        if (g->p[type].count == g->p[i].pcount)
            do_collision(g, i, type, top.t);
        else {
            g->n_stale++;
            predict(g, i, top.t);
        }
    } else if (type == ES_GAS_EV_CROSS_X)
        do_cross_x(g, i, top.t);
    else if (type == ES_GAS_EV_CROSS_Y)
        do_cross_y(g, i, top.t);
    else if (type == ES_GAS_EV_WALL_X)
        do_wall(g, i, top.t, 0);
    else if (type == ES_GAS_EV_WALL_Y)
        do_wall(g, i, top.t, 1);
    return type;
}

void es_gas_run_until(es_gas *g, double t_end)
{
    while (g->heap[0].t <= t_end)
        es_gas_step(g);
    if (t_end > g->t)
        g->t = t_end;
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
    for (long i = 0; i < g->n; i++) {
        g->heap[i].t = INFINITY;
        g->heap[i].i = (int32_t)i;
        g->hpos[i] = (int32_t)i;
    }
    /* All keys equal: the heap is valid; each predict() sifts one entry. */
    for (long i = 0; i < g->n; i++)
        predict(g, (int32_t)i, g->t);
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
