/* Engine state in a checkpoint (see gas_checkpoint.h). */
#include "gas/gas_checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

/* Every scalar of es_gas that evolves (the rest follows from the params). */
typedef struct {
    double t, qw, qinv, virial, t_stats;
    int64_t n, ncx, ncy, qbuckets, qcur, qmin, qslot, partition_on, nover, nentries, npend;
    uint64_t next_sort, n_events, n_coll, n_stale, n_cross, n_wall;
} gas_scalars;

static int save_section(es_checkpoint_writer *w, const char *prefix, const char *name,
                        const void *data, size_t size)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", prefix, name);
    return es_checkpoint_write_section(w, key, data, size);
}

/* The calendar buckets packed: their fill counts, then their entries in order
 * (verbatim content, without the unused slots). */
static size_t queue_entries(const es_gas *g)
{
    size_t k = 0;
    for (size_t b = 0; b < g->qbuckets; b++)
        k += (size_t)g->qb[b].n;
    return k;
}

static int save_queue(const es_gas *g, es_checkpoint_writer *w, const char *prefix, size_t nent)
{
    unsigned char *cnt = malloc(g->qbuckets);
    int32_t *ent = malloc((nent + 1) * sizeof *ent);
    int st = ES_OK;
    if (!cnt || !ent)
        st = es_error_set(ES_ENOMEM, "gas checkpoint: out of memory packing the event queue");
    size_t k = 0;
    for (size_t b = 0; !st && b < g->qbuckets; b++) {
        cnt[b] = (unsigned char)g->qb[b].n;
        for (int s = 0; s < g->qb[b].n; s++)
            ent[k++] = g->qb[b].e[s];
    }
    if (!st)
        st = save_section(w, prefix, "queue_fill", cnt, g->qbuckets);
    if (!st)
        st = save_section(w, prefix, "queue", ent, nent * sizeof *ent);
    if (!st)
        st = save_section(w, prefix, "queue_overflow", g->qover, g->nover * sizeof *g->qover);
    es_gas_pending pend[ES_GAS_QDEFER]; /* deferred appends, oldest first */
    memset(pend, 0, sizeof pend);
    for (int q = 0; q < g->npend; q++)
        pend[q] = g->qpend[(g->pend0 + q) % ES_GAS_QDEFER];
    if (!st)
        st = save_section(w, prefix, "queue_pending", pend, (size_t)g->npend * sizeof *pend);
    free(cnt);
    free(ent);
    return st;
}

int es_gas_checkpoint_save(const es_gas *g, es_checkpoint_writer *w, const char *prefix)
{
    gas_scalars s;
    memset(&s, 0, sizeof s);
    s.t = g->t;
    s.qw = g->qw;
    s.qinv = g->qinv;
    s.virial = g->virial;
    s.t_stats = g->t_stats;
    s.n = g->n;
    s.ncx = g->ncx;
    s.ncy = g->ncy;
    s.qbuckets = (int64_t)g->qbuckets;
    s.qcur = g->qcur;
    s.qmin = g->qmin;
    s.qslot = g->qslot;
    s.nover = (int64_t)g->nover;
    s.nentries = (int64_t)queue_entries(g);
    s.npend = g->npend;
    s.partition_on = g->partition_on;
    s.next_sort = g->next_sort;
    s.n_events = g->n_events;
    s.n_coll = g->n_coll;
    s.n_stale = g->n_stale;
    s.n_cross = g->n_cross;
    s.n_wall = g->n_wall;
    size_t n = (size_t)g->n, nc = (size_t)g->ncx * g->ncy;
    int st = save_section(w, prefix, "state", &s, sizeof s);
    if (!st)
        st = save_section(w, prefix, "p", g->p, n * sizeof *g->p);
    if (!st)
        st = save_section(w, prefix, "ev", g->ev, n * sizeof *g->ev);
    if (!st)
        st = save_section(w, prefix, "head", g->head, nc * sizeof *g->head);
    if (!st)
        st = save_queue(g, w, prefix, (size_t)s.nentries);
    return st;
}

int es_gas_checkpoint_save_format(es_checkpoint_writer *w)
{
    uint64_t v = ES_GAS_CHECKPOINT_FORMAT;
    return es_checkpoint_write_section(w, "gas_format", &v, sizeof v);
}

int es_gas_checkpoint_check_format(const es_checkpoint *c, const char *path, double temperature)
{
    size_t size = 0;
    const void *src = es_checkpoint_section(c, "gas_format", &size);
    uint64_t v = 1; /* no section: format 1 */
    if (src && size != sizeof v)
        return es_error_set(ES_EDATA, "%s: gas checkpoint section 'gas_format' holds %zu bytes, not %zu",
                            path, size, sizeof v);
    if (src)
        memcpy(&v, src, sizeof v);
    if (v < 1 || v > ES_GAS_CHECKPOINT_FORMAT)
        return es_error_set(ES_EDATA, "%s: gas checkpoint format %llu, this esuite reads 1 to %u",
                            path, (unsigned long long)v, ES_GAS_CHECKPOINT_FORMAT);
    if (v == 1 && temperature != 1.0)
        return es_error_set(ES_EDATA, "%s: gas checkpoint format 1 with [gas] temperature = %g: it was "
                                      "written by an esuite build that records no gas format, which "
                                      "may predate the temperature unit fix (its times and velocities "
                                      "would be raw, not in sigma/sqrt(T0) and sqrt(T0)), so it is "
                                      "not continued; rerun from the start without --resume", path, temperature);
    return ES_OK;
}

static int load_section(const es_checkpoint *c, const char *prefix, const char *name, void *data,
                        size_t size)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", prefix, name);
    size_t have = 0;
    const void *src = es_checkpoint_section(c, key, &have);
    if (!src)
        return es_error_set(ES_EDATA, "gas checkpoint: section '%s' is missing", key);
    if (have != size)
        return es_error_set(ES_EDATA, "gas checkpoint: section '%s' holds %zu bytes, this run needs "
                                      "%zu", key, have, size);
    memcpy(data, src, size);
    return ES_OK;
}

static int load_queue(const es_checkpoint *c, const char *prefix, es_gas *g, const gas_scalars *s)
{
    if (s->nover < 0 || s->nover > g->n || s->nentries < 0 || s->npend < 0 || s->npend > ES_GAS_QDEFER ||
        s->nentries > (int64_t)g->qbuckets * ES_GAS_BUCKET_CAP)
        return es_error_set(ES_EDATA, "gas checkpoint: %s holds an inconsistent event queue", prefix);
    size_t nent = (size_t)s->nentries;
    unsigned char *cnt = malloc(g->qbuckets);
    int32_t *ent = malloc((nent + 1) * sizeof *ent);
    int st = ES_OK;
    if (!cnt || !ent)
        st = es_error_set(ES_ENOMEM, "gas checkpoint: out of memory unpacking the event queue");
    if (!st)
        st = load_section(c, prefix, "queue_fill", cnt, g->qbuckets);
    if (!st)
        st = load_section(c, prefix, "queue", ent, nent * sizeof *ent);
    if (!st)
        st = load_section(c, prefix, "queue_overflow", g->qover, (size_t)s->nover * sizeof *g->qover);
    if (!st)
        st = load_section(c, prefix, "queue_pending", g->qpend, (size_t)s->npend * sizeof *g->qpend);
    g->npend = (int32_t)s->npend;
    g->pend0 = 0;
    g->pend_min = INT64_MAX;
    for (int q = 0; !st && q < g->npend; q++) {
        if (g->qpend[q].i < 0 || g->qpend[q].i >= g->n)
            st = es_error_set(ES_EDATA, "gas checkpoint: %s holds an inconsistent event queue", prefix);
        g->pend_min = g->qpend[q].vb < g->pend_min ? g->qpend[q].vb : g->pend_min;
    }
    size_t k = 0;
    for (size_t b = 0; !st && b < g->qbuckets; b++) {
        if (cnt[b] > ES_GAS_BUCKET_CAP || k + cnt[b] > nent) {
            st = es_error_set(ES_EDATA, "gas checkpoint: %s holds an inconsistent event queue", prefix);
            break;
        }
        g->qb[b].n = cnt[b];
        for (int q = 0; q < cnt[b]; q++)
            g->qb[b].e[q] = ent[k++];
    }
    for (size_t q = 0; !st && q < nent; q++)
        if (ent[q] < 0 || ent[q] >= g->n)
            st = es_error_set(ES_EDATA, "gas checkpoint: %s holds an inconsistent event queue", prefix);
    g->nover = (size_t)s->nover;
    free(cnt);
    free(ent);
    return st;
}

int es_gas_checkpoint_load(const es_checkpoint *c, const char *prefix, const es_gas_params *par,
                           es_gas **out)
{
    *out = NULL;
    es_gas *g;
    int st = es_gas_alloc_bare(par, &g);
    if (st)
        return st;
    gas_scalars s;
    st = load_section(c, prefix, "state", &s, sizeof s);
    if (!st && (s.n != g->n || s.ncx != g->ncx || s.ncy != g->ncy || s.qbuckets != (int64_t)g->qbuckets))
        st = es_error_set(ES_EDATA, "gas checkpoint: %s holds %lld discs on %lldx%lld cells with %lld "
                                    "buckets; this run has %ld on %dx%d with %zu",
                          prefix, (long long)s.n, (long long)s.ncx, (long long)s.ncy,
                          (long long)s.qbuckets, g->n, g->ncx, g->ncy, g->qbuckets);
    size_t n = (size_t)g->n, nc = (size_t)g->ncx * g->ncy;
    if (!st)
        st = load_section(c, prefix, "p", g->p, n * sizeof *g->p);
    if (!st)
        st = load_section(c, prefix, "ev", g->ev, n * sizeof *g->ev);
    if (!st)
        st = load_section(c, prefix, "head", g->head, nc * sizeof *g->head);
    if (!st)
        st = load_queue(c, prefix, g, &s);
    if (st) {
        es_gas_free(g);
        return st;
    }
    g->t = s.t;
    g->qw = s.qw;
    g->qinv = s.qinv;
    g->virial = s.virial;
    g->t_stats = s.t_stats;
    g->qcur = s.qcur;
    g->qmin = (int32_t)s.qmin;
    g->qslot = (int32_t)s.qslot;
    g->qpf = g->qpf2 = g->qpf3 = g->qcur;
    g->partition_on = (int)s.partition_on;
    g->next_sort = s.next_sort;
    g->n_events = s.n_events;
    g->n_coll = s.n_coll;
    g->n_stale = s.n_stale;
    g->n_cross = s.n_cross;
    g->n_wall = s.n_wall;
    *out = g;
    return ES_OK;
}
