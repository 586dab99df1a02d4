/* Engine state in a checkpoint (see gas_checkpoint.h). */
#include "gas/gas_checkpoint.h"

#include <stdio.h>
#include <string.h>

#include "esuite/status.h"

/* Every scalar of es_gas that evolves (the rest follows from the params). */
typedef struct {
    double t, qw, qinv, virial, t_stats;
    int64_t n, ncx, ncy, qbuckets, qcur, qmin, partition_on;
    uint64_t next_sort, n_events, n_coll, n_stale, n_cross, n_wall;
} gas_scalars;

static int save_section(es_checkpoint_writer *w, const char *prefix, const char *name,
                        const void *data, size_t size)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", prefix, name);
    return es_checkpoint_write_section(w, key, data, size);
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
        st = save_section(w, prefix, "queue", g->qhead, g->qbuckets * sizeof *g->qhead);
    return st;
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
        st = load_section(c, prefix, "queue", g->qhead, g->qbuckets * sizeof *g->qhead);
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
