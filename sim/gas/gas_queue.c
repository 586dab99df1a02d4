/* Calendar event queue for the hard-disc engine (see gas.h).
 *
 * Each particle has exactly one pending event time. Times map to virtual
 * buckets vb = floor(t / qw); bucket vb lives in list (vb mod B), B a power of
 * two >= 2N, so one "year" B·qw holds the whole near future. The earliest
 * event is found by scanning lists from qcur (no finite event has a smaller
 * virtual bucket) and taking the minimum over the nodes whose vb equals the
 * bucket being scanned; nodes of later years are skipped. The width is
 * recalibrated on rebuild to about two events per bucket at the front, so
 * insert, remove and find-min cost O(1) on average and touch few cache lines,
 * where a heap costs O(log N) misses at large N. Ties are broken by list order,
 * which depends only on the sequence of operations: runs stay deterministic. */
#include <math.h>
#include <stdlib.h>

#include "gas/gas.h"

static inline void unlink_node(es_gas *g, int32_t i)
{
    es_gas_event *q = &g->ev[i];
    if (q->prev >= 0)
        g->ev[q->prev].next = q->next;
    else
        g->qhead[(size_t)q->vb & (g->qbuckets - 1)] = q->next;
    if (q->next >= 0)
        g->ev[q->next].prev = q->prev;
}

static inline void link_node(es_gas *g, int32_t i, double t)
{
    es_gas_event *q = &g->ev[i];
    q->t = t;
    if (!isfinite(t))
        return; /* never happens: not queued */
    double v = floor(t * g->qinv);
    q->vb = v < (double)g->qcur ? g->qcur : (int64_t)v; /* rounding guard */
    size_t b = (size_t)q->vb & (g->qbuckets - 1);
    q->prev = -1;
    q->next = g->qhead[b];
    if (q->next >= 0)
        g->ev[q->next].prev = i;
    g->qhead[b] = i;
}

void es_gas_queue_update(es_gas *g, int32_t i, double t)
{
    if (isfinite(g->ev[i].t))
        unlink_node(g, i);
    link_node(g, i, t);
    if (g->qmin == i)
        g->qmin = -1; /* moved: unknown again (it may still be the earliest) */
    else if (g->qmin >= 0 && t < g->ev[g->qmin].t)
        g->qmin = i;
}

/* Earliest over all nodes by brute force (after a full empty year). */
static int32_t scan_all(es_gas *g)
{
    int32_t best = -1;
    for (long i = 0; i < g->n; i++)
        if (isfinite(g->ev[i].t) && (best < 0 || g->ev[i].t < g->ev[best].t))
            best = (int32_t)i;
    if (best >= 0)
        g->qcur = g->ev[best].vb;
    return best;
}

int32_t es_gas_queue_min(es_gas *g)
{
    if (g->qmin >= 0)
        return g->qmin;
    size_t mask = g->qbuckets - 1;
    for (size_t step = 0; step < g->qbuckets; step++) {
        int32_t best = -1;
        for (int32_t i = g->qhead[(size_t)g->qcur & mask]; i >= 0; i = g->ev[i].next)
            if (g->ev[i].vb == g->qcur && (best < 0 || g->ev[i].t < g->ev[best].t))
                best = i;
        if (best >= 0)
            return g->qmin = best;
        g->qcur++;
    }
    return g->qmin = scan_all(g);
}

int es_gas_queue_rebuild(es_gas *g)
{
    /* Width: about two events per bucket at the front. A particle's next
     * event lies on average m ahead, so events arrive at rate N/m. */
    double sum = 0.0, tmin = INFINITY;
    long cnt = 0;
    for (long i = 0; i < g->n; i++)
        if (isfinite(g->ev[i].t)) {
            sum += g->ev[i].t - g->t;
            cnt++;
            if (g->ev[i].t < tmin)
                tmin = g->ev[i].t;
        }
    double w = cnt > 0 && sum > 0.0 ? 2.0 * (sum / cnt) / cnt : 0.0;
    if (!(w > 0.0) || !isfinite(w))
        w = g->qw > 0.0 ? g->qw : 1.0;
    /* keep virtual bucket numbers far from int64 overflow */
    double tref = isfinite(tmin) ? tmin : g->t;
    if (fabs(tref) / w > 1e15)
        w = fabs(tref) / 1e15;
    g->qw = w;
    g->qinv = 1.0 / w;
    for (size_t b = 0; b < g->qbuckets; b++)
        g->qhead[b] = -1;
    g->qcur = (int64_t)floor((isfinite(tmin) ? fmin(tmin, g->t) : g->t) * g->qinv);
    for (long i = 0; i < g->n; i++)
        link_node(g, (int32_t)i, g->ev[i].t);
    g->qmin = -1;
    return 0;
}
