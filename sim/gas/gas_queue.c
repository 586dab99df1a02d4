/* Calendar event queue for the hard-disc engine (see gas.h).
 *
 * Each particle has exactly one pending event time. Times map to virtual
 * buckets vb = floor(t / qw); bucket vb lives in slot (vb mod B), B a power of
 * two >= N, so one "year" B·qw holds the whole near future. The earliest
 * event is found by scanning slots from qcur (no finite event has a smaller
 * virtual bucket) and taking the minimum over the entries whose particle's
 * current vb equals the bucket being scanned; entries of later years are
 * kept, entries of particles rescheduled since (stale) are dropped there.
 * Rescheduling therefore only appends (no unlinking through other particles'
 * records), and a bucket is one cache line of particle indices: the events
 * of the next few buckets are known without chasing pointers, so their
 * records and neighbourhoods are prefetched while the current event is
 * processed (at large N every event otherwise waits for several DRAM misses
 * one after another). The width is recalibrated on rebuild to a few
 * events per bucket at the front (gas.h): insert, find-min and pop cost O(1) on
 * average. Ties are broken by entry order, which depends only on the sequence
 * of operations: runs stay deterministic. */
#include <math.h>
#include <stdlib.h>

#include "gas/gas.h"

/* Lookahead in buckets (about two events each): the particle and event
 * records of the events PF_FAR buckets ahead are prefetched, and PF_NEAR
 * buckets ahead (once those have arrived) their partner and the cell heads
 * of their neighbourhood, PF_CELLS ahead the first disc of each of those
 * cells. A cell crossing scans only the row of cells beyond the one entered
 * and relinks its cell-list neighbours: just those are fetched for it. Tuned
 * with `esuite bench gas`. */
#ifndef ES_GAS_PF_FAR
#define ES_GAS_PF_FAR 8
#endif
#ifndef ES_GAS_PF_NEAR
#define ES_GAS_PF_NEAR 4
#endif
#ifndef ES_GAS_PF_CELLS
#define ES_GAS_PF_CELLS 2
#endif

/* Add particle i to bucket vb, or to the overflow list. */
static void append(es_gas *g, int32_t i, int64_t vb)
{
    es_gas_bucket *b = &g->qb[(size_t)vb & (g->qbuckets - 1)];
    if (b->n < ES_GAS_BUCKET_CAP) {
        b->e[b->n++] = i;
        return;
    }
    if (g->nover == (size_t)g->n) {
        /* only stale duplicates can fill it: start afresh (appends i too) */
        es_gas_queue_rebuild(g);
        return;
    }
    g->qover[g->nover++] = i;
}

/* Append the oldest deferred entry. */
static void flush_one(es_gas *g)
{
    es_gas_pending q = g->qpend[g->pend0];
    g->pend0 = (g->pend0 + 1) & (ES_GAS_QDEFER - 1);
    g->npend--;
    if (q.vb == g->pend_min) { /* else the minimum is still waiting */
        g->pend_min = INT64_MAX;
        for (int k = 0; k < g->npend; k++) {
            int64_t v = g->qpend[(g->pend0 + k) & (ES_GAS_QDEFER - 1)].vb;
            g->pend_min = v < g->pend_min ? v : g->pend_min;
        }
    }
    append(g, q.i, q.vb); /* last: a rebuild there empties the FIFO */
}

static inline void set_vb(es_gas *g, int32_t i)
{
    es_gas_event *q = &g->ev[i];
    if (!isfinite(q->t)) {
        q->vb = INT64_MIN; /* not queued: every entry of i is stale */
        return;
    }
    /* floor by truncation (baseline x86-64 has no rounding instruction for
     * floor()); an event too far ahead for int64 waits in the last bucket
     * number, which only a full empty year (a brute-force search) reaches */
    double x = q->t * g->qinv;
    x = x < 0x1p62 ? x : 0x1p62;
    int64_t v = (int64_t)x;
    v -= x < (double)v;
    q->vb = v < g->qcur ? g->qcur : v; /* rounding guard */
}

void es_gas_queue_update(es_gas *g, int32_t i, double t)
{
    g->ev[i].t = t;
    set_vb(g, i);
    g->qmin = -1;
    int64_t vb = g->ev[i].vb;
    if (vb == INT64_MIN)
        return;
    if (!g->lookahead || vb <= g->qcur + ES_GAS_PF_FAR) {
        append(g, i, vb);
        return;
    }
    /* Far ahead (nearly always): fetch the bucket line now, append later.
     * The entry is the same as an immediate append would make; it is
     * flushed before the scan or the prefetch comes near its bucket. */
    __builtin_prefetch(&g->qb[(size_t)vb & (g->qbuckets - 1)], 1);
    if (g->npend == ES_GAS_QDEFER)
        flush_one(g);
    es_gas_pending *q = &g->qpend[(g->pend0 + g->npend) & (ES_GAS_QDEFER - 1)];
    q->vb = vb;
    q->i = i;
    q->pad_ = 0;
    g->npend++;
    g->pend_min = vb < g->pend_min ? vb : g->pend_min;
}

static inline void prefetch_heads(const es_gas *g, int32_t c, int rad)
{
    /* rows cy-rad..cy+rad of columns cx-rad..cx+rad (clamped: only a hint) */
    long nc = (long)g->ncx * g->ncy;
    for (int d = -rad; d <= rad; d++) {
        long r = (long)c + (long)d * g->ncx - rad;
        r = r < 0 ? 0 : r >= nc ? nc - 1 : r;
        __builtin_prefetch(&g->head[r]);
        __builtin_prefetch(&g->head[r + 2 * rad < nc ? r + 2 * rad : r]);
    }
}

/* A crossing particle enters the next cell along `axis` and scans the row
 * (or column) of three cells beyond it, which lies outside its present 3×3
 * neighbourhood: prefetch their heads (discs = 0) or their first discs
 * (discs = 1, once the heads have arrived). Cells off the grid wrap (right in
 * the periodic box, a harmless hint otherwise). */
static inline void prefetch_cross(const es_gas *g, const es_gas_particle *a, int axis, int discs)
{
    int s = (axis == 0 ? a->vx : a->vy) > 0.0 ? 1 : -1;
    for (int d = -1; d <= 2; d++) {
        int x = a->cx, y = a->cy;
        if (d == 2) { /* the cell entered: its first disc is relinked */
            x += axis == 0 ? s : 0;
            y += axis == 0 ? 0 : s;
        } else {
            x += axis == 0 ? 2 * s : d;
            y += axis == 0 ? d : 2 * s;
        }
        x = x < 0 ? x + g->ncx : x >= g->ncx ? x - g->ncx : x;
        y = y < 0 ? y + g->ncy : y >= g->ncy ? y - g->ncy : y;
        if (x < 0 || x >= g->ncx || y < 0 || y >= g->ncy)
            continue;
        const int32_t *h = &g->head[(ptrdiff_t)y * g->ncx + x];
        if (!discs)
            __builtin_prefetch(h);
        else if (*h >= 0)
            __builtin_prefetch(&g->p[*h], 1);
    }
}

static inline int is_cross(const es_gas_event *e)
{
    return e->tb < e->tc && (e->btype == ES_GAS_EV_CROSS_X || e->btype == ES_GAS_EV_CROSS_Y);
}

static inline void prefetch_cells(const es_gas *g, int cx, int cy)
{
    /* first disc of each cell of the 3×3 neighbourhood (edges: only a hint) */
    for (int dy = -1; dy <= 1; dy++) {
        int y = cy + dy;
        if (y < 0 || y >= g->ncy)
            continue;
        for (int dx = -1; dx <= 1; dx++) {
            int x = cx + dx;
            if (x < 0 || x >= g->ncx)
                continue;
            int32_t f = g->head[y * g->ncx + x];
            if (f >= 0)
                __builtin_prefetch(&g->p[f]);
        }
    }
}

/* Prefetch the first disc of each cell that the events of the buckets up to
 * ES_GAS_PF_CELLS ahead of the front will scan (their heads have arrived). */
static inline void prefetch_discs(es_gas *g)
{
    int64_t *cur = &g->qpf3;
    size_t mask = g->qbuckets - 1;
    if (*cur < g->qcur)
        *cur = g->qcur;
    for (int64_t end = g->qcur + ES_GAS_PF_CELLS; *cur < end; (*cur)++) {
        const es_gas_bucket *b = &g->qb[(size_t)*cur & mask];
        for (int s = 0; s < b->n; s++) {
            int32_t k = b->e[s];
            const es_gas_event *e = &g->ev[k];
            if (e->vb != *cur)
                continue;
            if (is_cross(e)) {
                prefetch_cross(g, &g->p[k], e->btype == ES_GAS_EV_CROSS_Y, 1);
                continue;
            }
            prefetch_cells(g, g->p[k].cx, g->p[k].cy);
            if (e->tc <= e->tb && e->partner >= 0) { /* the partner is re-predicted too */
                const es_gas_particle *q = &g->p[e->partner];
                if (q->cell != g->p[k].cell)
                    prefetch_cells(g, q->cx, q->cy);
            }
        }
    }
}

/* Prefetch for the events a few buckets ahead (no effect on results). */
static inline void prefetch_ahead(es_gas *g)
{
    if (!g->lookahead)
        return; /* everything stays in cache: only overhead */
    size_t mask = g->qbuckets - 1;
    if (g->qpf < g->qcur)
        g->qpf = g->qcur;
    for (int64_t end = g->qcur + ES_GAS_PF_FAR; g->qpf < end; g->qpf++) {
        const es_gas_bucket *b = &g->qb[(size_t)g->qpf & mask];
        __builtin_prefetch(&g->qb[(size_t)(g->qpf + ES_GAS_PF_FAR) & mask]);
        for (int s = 0; s < b->n; s++) {
            __builtin_prefetch(&g->ev[b->e[s]]);
            __builtin_prefetch(&g->p[b->e[s]]);
        }
    }
    if (g->qpf2 < g->qcur)
        g->qpf2 = g->qcur;
    for (int64_t end = g->qcur + ES_GAS_PF_NEAR; g->qpf2 < end; g->qpf2++) {
        const es_gas_bucket *b = &g->qb[(size_t)g->qpf2 & mask];
        for (int s = 0; s < b->n; s++) {
            int32_t k = b->e[s];
            const es_gas_event *e = &g->ev[k];
            if (e->vb != g->qpf2)
                continue; /* stale or a later year */
            const es_gas_particle *a = &g->p[k];
            if (is_cross(e)) {
                /* only the new row is scanned; the particle's cell-list
                 * neighbours (or its cell's head) are relinked */
                prefetch_cross(g, a, e->btype == ES_GAS_EV_CROSS_Y, 0);
                __builtin_prefetch(&g->head[a->cell], 1);
                if (a->next >= 0)
                    __builtin_prefetch(&g->p[a->next], 1);
                if (a->prev >= 0)
                    __builtin_prefetch(&g->p[a->prev], 1);
                continue;
            }
            if (e->tc <= e->tb && e->partner >= 0) {
                /* the partner (not yet here) lies in an adjacent cell: its
                 * 3×3 is within this 5×5 */
                prefetch_heads(g, a->cell, 2);
                __builtin_prefetch(&g->p[e->partner]);
                __builtin_prefetch(&g->ev[e->partner]);
            } else {
                prefetch_heads(g, a->cell, 1);
            }
        }
    }
#if ES_GAS_PF_CELLS > 0
    prefetch_discs(g);
#endif
}

/* Earliest entry of bucket qcur (and of the overflow list), dropping stale
 * entries on the way. Sets g->qslot; returns −1 if none. */
static int32_t scan_bucket(es_gas *g)
{
    size_t mask = g->qbuckets - 1;
    int64_t cur = g->qcur;
    es_gas_bucket *b = &g->qb[(size_t)cur & mask];
    int32_t best = -1;
    double tbest = INFINITY;
    for (int s = 0; s < b->n;) {
        int32_t k = b->e[s];
        int64_t v = g->ev[k].vb;
        if (v == cur) {
            if (best < 0 || g->ev[k].t < tbest) {
                best = k;
                tbest = g->ev[k].t;
                g->qslot = s;
            }
            s++;
        } else if (v > cur && (((uint64_t)v - (uint64_t)cur) & mask) == 0) {
            s++; /* a later year */
        } else {
            b->e[s] = b->e[--b->n]; /* stale */
        }
    }
    for (size_t s = 0; s < g->nover;) {
        int32_t k = g->qover[s];
        int64_t v = g->ev[k].vb;
        if (v == cur) {
            /* on a tie the overflow entry goes first: a stale duplicate
             * there then leaves instead of staying for good */
            if (best < 0 || g->ev[k].t <= tbest) {
                best = k;
                tbest = g->ev[k].t;
                g->qslot = -1 - (int32_t)s;
            }
            s++;
        } else if (v > cur) {
            s++;
        } else {
            g->qover[s] = g->qover[--g->nover];
        }
    }
    return best;
}

/* Earliest queued particle by brute force (after a full empty year). */
static int32_t earliest(const es_gas *g)
{
    int32_t best = -1;
    for (long i = 0; i < g->n; i++)
        if (g->ev[i].vb != INT64_MIN && (best < 0 || g->ev[i].t < g->ev[best].t))
            best = (int32_t)i;
    return best;
}

int32_t es_gas_queue_min(es_gas *g)
{
    if (g->qmin >= 0)
        return g->qmin;
    for (;;) {
        for (size_t step = 0; step < g->qbuckets; step++) {
            while (g->npend > 0 && g->pend_min <= g->qcur + ES_GAS_PF_FAR)
                flush_one(g);
            prefetch_ahead(g);
            int32_t best = scan_bucket(g);
            if (best >= 0)
                return g->qmin = best;
            g->qcur++;
        }
        int32_t k = earliest(g);
        if (k < 0)
            return -1;
        g->qcur = g->ev[k].vb; /* found in the first bucket scanned next */
    }
}

void es_gas_queue_pop(es_gas *g)
{
    if (g->qmin < 0 && es_gas_queue_min(g) < 0)
        return;
    if (g->qslot >= 0) {
        es_gas_bucket *b = &g->qb[(size_t)g->qcur & (g->qbuckets - 1)];
        b->e[g->qslot] = b->e[--b->n];
    } else {
        size_t s = (size_t)(-1 - g->qslot);
        g->qover[s] = g->qover[--g->nover];
    }
    g->qmin = -1;
}

int es_gas_queue_rebuild(es_gas *g)
{
    /* Width: about ES_GAS_BUCKET_EVENTS events per bucket at the front. A
     * particle's next event lies on average m ahead, so events arrive at
     * rate N/m. */
    double sum = 0.0, tmin = INFINITY;
    long cnt = 0;
    for (long i = 0; i < g->n; i++)
        if (isfinite(g->ev[i].t)) {
            sum += g->ev[i].t - g->t;
            cnt++;
            if (g->ev[i].t < tmin)
                tmin = g->ev[i].t;
        }
    double w = cnt > 0 && sum > 0.0 ? ES_GAS_BUCKET_EVENTS * (sum / cnt) / cnt : 0.0;
    if (!(w > 0.0) || !isfinite(w))
        w = g->qw > 0.0 ? g->qw : 1.0;
    /* keep virtual bucket numbers far from int64 overflow */
    double tref = isfinite(tmin) ? tmin : g->t;
    if (fabs(tref) / w > 1e15)
        w = fabs(tref) / 1e15;
    g->qw = w;
    g->qinv = 1.0 / w;
    for (size_t b = 0; b < g->qbuckets; b++)
        g->qb[b].n = 0;
    g->nover = 0;
    g->npend = g->pend0 = 0;
    g->pend_min = INT64_MAX;
    g->qcur = (int64_t)floor((isfinite(tmin) ? fmin(tmin, g->t) : g->t) * g->qinv);
    for (long i = 0; i < g->n; i++) {
        set_vb(g, (int32_t)i);
        if (g->ev[i].vb != INT64_MIN)
            append(g, (int32_t)i, g->ev[i].vb);
    }
    g->qmin = -1;
    g->qpf = g->qpf2 = g->qpf3 = g->qcur;
    return 0;
}
