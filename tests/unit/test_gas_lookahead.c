/* The calendar lookahead of the hard-disc engine (gas_queue.c) prefetches the
 * next events' data and defers far appends; it must change nothing but the
 * speed. Checked against an independent computation: the same system run
 * with the lookahead switched off, which appends every event at once. Both
 * must have the same event counts and every disc's state equal to the last
 * bit; and a checkpoint taken while appends are deferred must continue the
 * run bit for bit. N = 5000 is just above ES_GAS_PF_MIN_N. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "esuite/status.h"
#include "gas/gas.h"
#include "gas_test_box.h"
#include "gas/gas_checkpoint.h"

enum { N = 5000 };

/* Event counts equal, and positions and velocities equal to the bit. */
static void assert_same_state(const es_gas *a, const es_gas *b)
{
    assert_true(a->n_events == b->n_events);
    assert_true(a->n_coll == b->n_coll);
    assert_true(a->n_stale == b->n_stale);
    assert_true(a->n_cross == b->n_cross);
    assert_memory_equal(&a->t, &b->t, sizeof a->t);
    double *sa = malloc(4 * sizeof *sa * N), *sb = malloc(4 * sizeof *sb * N);
    assert_non_null(sa);
    assert_non_null(sb);
    es_gas_snapshot(a, sa);
    es_gas_snapshot(b, sb);
    assert_memory_equal(sa, sb, 4 * sizeof *sa * N);
    free(sa);
    free(sb);
}

static void run_pair(double eta, unsigned long long ncoll)
{
    es_gas *on = gas_test_periodic_box(N, eta, 7), *off = gas_test_periodic_box(N, eta, 7);
    assert_true(on->lookahead);
    off->lookahead = 0;
    /* the same start for both: every event predicted afresh, queues rebuilt
     * (no append of the plain run's preparation is left deferred) */
    es_gas_reschedule(on);
    es_gas_reschedule(off);
    int deferred = 0;
    for (int k = 0; k < 20; k++) {
        es_gas_run_collisions(on, ncoll / 20);
        es_gas_run_collisions(off, ncoll / 20);
        deferred += on->npend > 0;
        assert_int_equal(off->npend, 0);
    }
    assert_true(deferred > 0); /* the deferred path was really taken */
    assert_true(on->n_coll >= ncoll);
    assert_same_state(on, off);
    long outside = 0;
    double min_ratio;
    assert_int_equal(es_gas_check_overlaps(on, 1e-9, &min_ratio, &outside), 0);
    es_gas_free(on);
    es_gas_free(off);
}

static void test_lookahead_changes_nothing_dense(void **state)
{
    (void)state;
    run_pair(0.2, 200000);
}

static void test_lookahead_changes_nothing_dilute(void **state)
{
    (void)state;
    run_pair(0.01, 40000); /* mostly cell crossings: 10.7 events per collision */
}

/* g saved to a checkpoint at path and read back: a new engine. */
static es_gas *checkpoint_round_trip(const es_gas *g, const char *path)
{
    es_checkpoint_writer *w;
    assert_int_equal(es_checkpoint_writer_alloc(path, "gas", 1, &w), ES_OK);
    assert_int_equal(es_gas_checkpoint_save(g, w, "g0"), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    es_checkpoint *c;
    assert_int_equal(es_checkpoint_read(path, "gas", 1, &c), ES_OK);
    es_gas *r = NULL;
    assert_int_equal(es_gas_checkpoint_load(c, "g0", &g->par, &r), ES_OK);
    es_checkpoint_free(c);
    return r;
}

static void test_checkpoint_with_deferred_appends(void **state)
{
    (void)state;
    char dir[] = "/tmp/es_lookahead_XXXXXX", path[400];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", dir, ES_CHECKPOINT_FILE);
    es_gas *g = gas_test_periodic_box(N, 0.2, 11);
    es_gas_run_collisions(g, 50000);
    assert_true(g->npend > 0);
    es_gas *r = checkpoint_round_trip(g, path);
    assert_int_equal(r->npend, g->npend);
    assert_true(r->lookahead);
    es_gas_run_collisions(g, 100000);
    es_gas_run_collisions(r, 100000);
    assert_same_state(g, r);
    es_gas_free(g);
    es_gas_free(r);
    unlink(path);
    rmdir(dir);
}

/* es_gas_run_until_bounded (how a run stops for a signal in mid-interval):
 * run to the same time in pieces of 997 events, with a checkpoint round trip
 * at an arbitrary event on the way, the state equals that of one
 * es_gas_run_until to the bit, and the number of pieces is what the event
 * count says. */
static void test_bounded_runs_change_nothing(void **state)
{
    (void)state;
    char dir[] = "/tmp/es_bounded_XXXXXX", path[400];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", dir, ES_CHECKPOINT_FILE);
    es_gas *whole = gas_test_periodic_box(N, 0.2, 5), *pieces = gas_test_periodic_box(N, 0.2, 5);
    double t_end = whole->t + 5.0;
    unsigned long long e0 = whole->n_events;
    es_gas_run_until(whole, t_end);
    unsigned long long events = whole->n_events - e0, stops = 0;
    while (!es_gas_run_until_bounded(pieces, t_end, 997)) {
        if (++stops == 40) { /* continue from a checkpoint taken here */
            es_gas *r = checkpoint_round_trip(pieces, path);
            es_gas_free(pieces);
            pieces = r;
        }
    }
    assert_true(events > 40 * 997);
    assert_true(stops == events / 997);
    assert_same_state(whole, pieces);
    assert_true(pieces->t == t_end);
    es_gas_free(whole);
    es_gas_free(pieces);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookahead_changes_nothing_dense),
        cmocka_unit_test(test_lookahead_changes_nothing_dilute),
        cmocka_unit_test(test_checkpoint_with_deferred_appends),
        cmocka_unit_test(test_bounded_runs_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
