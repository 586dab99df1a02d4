/* Checkpoint/restart of the gas experiment (gas_run.h, gas_checkpoint.h): a
 * collisional free expansion (N = 2000, Kn = 0.1, 2 realizations) stopped
 * after k of its samples — by the stop_after_samples hook or by SIGUSR1 — and
 * resumed from its checkpoint ends with every output array bit-identical
 * (memcmp) to an uninterrupted run, with 1 thread before and 2 after the
 * resume and the other way round; periodic checkpoints do not perturb the
 * run; a checkpoint is refused for a changed config or another run shape.
 * Gas checkpoint formats (gas_checkpoint.h): a format-1 checkpoint (no
 * "gas_format" section, fabricated by rewriting one without it) resumes at
 * [gas] temperature = 1 and is refused at temperature = 4 (written before the
 * unit fix), a format-2 one resumes at temperature = 4 bit for bit, and an
 * unknown format is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/model.h"
#include "esuite/status.h"
#include "gas/gas_run.h"

extern const es_model es_model_gas;

#define NS 10 /* sampling intervals: NS + 1 samples including t = 0 */

static char tmpdir[256], ckpath[300];
static es_config *cfg, *cfg_other, *cfg_t4;
static es_gas_run_result *ref; /* the uninterrupted run, computed once */

static const char *ini = "[run]\nmodel = gas\nseed = 77\n[gas]\nN = 2000\npacking_fraction = 0\n"
                         "knudsen = 0.1\nrealizations = 2\n";

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/es_gasresume_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(ckpath, sizeof ckpath, "%s/%s", tmpdir, ES_CHECKPOINT_FILE);
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_gas.schema, NULL};
    if (es_config_load_string(ini, "gas-resume", schemas, NULL, 0, &cfg))
        return -1;
    /* the same run with another seed: a different config */
    const char *other = "[run]\nmodel = gas\nseed = 78\n[gas]\nN = 2000\npacking_fraction = 0\n"
                        "knudsen = 0.1\nrealizations = 2\n";
    if (es_config_load_string(other, "gas-resume-other", schemas, NULL, 0, &cfg_other))
        return -1;
    /* [gas] temperature = 4: since the unit fix the engine runs the T0 = 1
     * system (gas_model.c read_box), so the run spec is the same as cfg's */
    const char *t4 = "[run]\nmodel = gas\nseed = 77\n[gas]\nN = 2000\npacking_fraction = 0\n"
                     "knudsen = 0.1\nrealizations = 2\ntemperature = 4\n";
    return es_config_load_string(t4, "gas-resume-t4", schemas, NULL, 0, &cfg_t4);
}

static int teardown(void **state)
{
    (void)state;
    es_config_free(cfg);
    es_config_free(cfg_other);
    es_config_free(cfg_t4);
    es_gas_run_result_free(ref);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Progress callback: raises SIGUSR1 once `done` reaches raise_at (the run
 * stops at the next sample boundary). Every run uses it, so that all of them
 * advance the engines through the same intermediate times. */
typedef struct {
    double raise_at; /* > 1: never */
    int raised;
} prog_ctx;

static void on_progress(void *ctx, double done)
{
    prog_ctx *p = ctx;
    if (!p->raised && done >= p->raise_at) {
        p->raised = 1;
        raise(SIGUSR1);
    }
}

typedef struct {
    es_gas_run_spec s;
    es_bz_grid set;
    double times[NS + 1];
    prog_ctx prog;
} gas_case;

static void make_case(gas_case *c, int threads)
{
    memset(c, 0, sizeof *c);
    es_gas_run_spec *s = &c->s;
    es_gas_params_default(&s->gas);
    s->gas.seed = 77;
    assert_int_equal(es_gas_box_from(&s->gas, 2000, 0.0, 0.1, 1.0), ES_OK);
    s->equilibration = 2.0;
    c->set = (es_bz_grid){.dx = 0.05 * s->gas.lx, .dy = 0.0, .dv = 0.25, .v_max = 5.0};
    s->sets = &c->set;
    s->n_sets = 1;
    /* up to 3 lx/c0 (c0 = √2 for T0 = 1): the front crosses the empty half,
     * reflects and mixes, with about 14 collisions per disc (Kn = 0.1) */
    for (size_t k = 0; k <= NS; k++)
        c->times[k] = 3.0 * s->gas.lx / M_SQRT2 * k / NS;
    s->times = c->times;
    s->n_times = NS + 1;
    s->realizations = 2;
    s->profile_bins = 10;
    s->threads = threads;
    c->prog.raise_at = 2.0;
    s->progress = on_progress;
    s->progress_ctx = &c->prog;
    s->ck_cfg = cfg;
    s->ck_dir = tmpdir;
}

/* Every output array of two runs, byte for byte. */
static void assert_results_equal(const es_gas_run_result *a, const es_gas_run_result *b)
{
    assert_int_equal(a->realizations, b->realizations);
    assert_int_equal(a->n_times, b->n_times);
    size_t R = (size_t)a->realizations, K = a->n_times, C = a->n_sets, B = a->bins;
    size_t d = sizeof(double), z = sizeof(es_bz_result);
    assert_memory_equal(a->Z_eq, b->Z_eq, R * d);
    assert_memory_equal(a->nu_eq, b->nu_eq, R * d);
    assert_memory_equal(a->energy_drift, b->energy_drift, R * d);
    assert_memory_equal(a->n_right, b->n_right, R * K * d);
    assert_memory_equal(a->energy, b->energy, R * K * d);
    assert_memory_equal(a->collisions, b->collisions, R * K * d);
    assert_memory_equal(a->virial_P, b->virial_P, R * K * d);
    assert_memory_equal(a->full, b->full, R * K * C * z);
    assert_memory_equal(a->position, b->position, R * K * C * z);
    assert_memory_equal(a->velocity, b->velocity, R * K * C * z);
    assert_memory_equal(a->pooled, b->pooled, K * C * z);
    assert_memory_equal(a->density, b->density, K * B * d);
    assert_memory_equal(a->ux, b->ux, K * B * d);
    assert_memory_equal(a->temperature, b->temperature, K * B * d);
}

static es_gas_run_result *reference(void)
{
    if (ref)
        return ref;
    gas_case c;
    make_case(&c, 2);
    c.s.ck_dir = NULL; /* no checkpointing at all */
    assert_int_equal(es_gas_run(&c.s, &ref), ES_OK);
    /* a collisional expansion: the left half empties towards N_R/N = 1/2 */
    for (int r = 0; r < 2; r++) {
        size_t last = ES_GAS_RK(ref, r, NS);
        /* about 14 collisions per disc (each collision involves two) */
        assert_true(ref->collisions[last] > 5.0 * 2000);
        assert_true(fabs(ref->n_right[last] - 0.5) < 0.05);
        assert_true(ref->energy_drift[r] < 1e-12);
    }
    return ref;
}

/* Samples taken according to the checkpoint on disk. */
static uint64_t checkpoint_samples(void)
{
    es_checkpoint *ck;
    assert_int_equal(es_checkpoint_read(ckpath, "gas", es_checkpoint_config_hash(cfg), &ck), ES_OK);
    uint64_t h[6];
    assert_int_equal(es_checkpoint_read_section(ck, "gas_run", h, sizeof h), ES_OK);
    es_checkpoint_free(ck);
    return h[0];
}

/* Stop after `k` samples (hook) with `t1` threads, resume with `t2`. */
static void cut_and_resume(size_t k, int t1, int t2)
{
    reference();
    unlink(ckpath);
    gas_case c;
    make_case(&c, t1);
    c.s.stop_after_samples = k;
    es_gas_run_result *res = (es_gas_run_result *)0x1;
    assert_int_equal(es_gas_run(&c.s, &res), ES_EINTR);
    assert_null(res);
    char want[96];
    snprintf(want, sizeof want, "stop_after_samples = %zu after sample %zu of %d", k, k, NS + 1);
    assert_non_null(strstr(es_error_message(), want));
    assert_int_equal(checkpoint_samples(), k);

    gas_case d;
    make_case(&d, t2);
    d.s.stop_after_samples = k; /* as in the checkpoint's config: must not fire again */
    d.s.resume = ckpath;
    assert_int_equal(es_gas_run(&d.s, &res), ES_OK);
    assert_results_equal(res, ref);
    es_gas_run_result_free(res);
}

static void test_resume_1_to_2_threads(void **state)
{
    (void)state;
    cut_and_resume(4, 1, 2);
}

static void test_resume_2_to_1_threads_right_after_t0(void **state)
{
    (void)state;
    cut_and_resume(1, 2, 1);
}

/* SIGUSR1 raised at progress `raise_at` (2 threads) stops the run after
 * `after` samples with a checkpoint; resuming it (1 thread) gives the
 * uninterrupted run. */
static void signal_and_resume(double raise_at, int after)
{
    reference();
    unlink(ckpath);
    es_checkpoint_clear_request();
    gas_case c;
    make_case(&c, 2);
    c.prog.raise_at = raise_at;
    es_gas_run_result *res;
    assert_int_equal(es_gas_run(&c.s, &res), ES_EINTR);
    char want[96];
    snprintf(want, sizeof want, "signal %d after sample %d of %d, on the way to the next", SIGUSR1, after,
             NS + 1);
    assert_non_null(strstr(es_error_message(), want));
    assert_int_equal(checkpoint_samples(), after);
    assert_false(es_checkpoint_requested()); /* the request was consumed */

    gas_case d;
    make_case(&d, 1);
    d.s.resume = ckpath;
    assert_int_equal(es_gas_run(&d.s, &res), ES_OK);
    assert_results_equal(res, ref);
    es_gas_run_result_free(res);
}

/* Raised half-way through the interval towards sample 7 (progress 6.5/11):
 * the run stops there, not at the end of the interval, and the engines are
 * checkpointed in mid-interval. */
static void test_resume_after_sigusr1(void **state)
{
    (void)state;
    signal_and_resume(6.5 / (NS + 1), 6);
}

/* SIGUSR1 after the preparation, before the t = 0 sample (the first progress
 * report, done = 0: where a signal during a preparation without
 * equilibration lands): the checkpoint holds 0 samples and the prepared
 * engines, and resuming it gives the uninterrupted run. It was refused
 * ("... (0 taken) ... does not fit this run"), so the preparation was lost. */
static void test_resume_after_sigusr1_before_t0(void **state)
{
    (void)state;
    signal_and_resume(0.0, 0);
}

/* Equilibration reports: SIGUSR1 at the first (done = 0, before any
 * realization is prepared); every report and the last fraction are kept. */
typedef struct {
    int calls;
    double last;
} prep_ctx;

static prep_ctx prep_seen;

static void on_prep(void *ctx, double done)
{
    (void)ctx;
    if (prep_seen.calls++ == 0)
        raise(SIGUSR1);
    prep_seen.last = done;
}

/* A signal during the equilibration ends the run with nothing written; the
 * realizations not yet prepared are not inserted and equilibrated first. With
 * 4 realizations on one thread, each of them ran 2^14 events before it saw
 * the flag (4 more reports, the last at 0.45125 of all 4 equilibrations
 * done); now the one report is the opening 0. */
static void test_stop_in_equilibration_prepares_no_more(void **state)
{
    (void)state;
    unlink(ckpath);
    es_checkpoint_clear_request();
    gas_case c;
    make_case(&c, 1);
    c.s.realizations = 4;
    c.s.prep_progress = on_prep;
    memset(&prep_seen, 0, sizeof prep_seen);
    es_gas_run_result *res = (es_gas_run_result *)0x1;
    assert_int_equal(es_gas_run(&c.s, &res), ES_EINTR);
    assert_null(res);
    assert_non_null(strstr(es_error_message(), "during the equilibration, before the first checkpoint"));
    assert_int_equal(access(ckpath, F_OK), -1);
    assert_int_equal(prep_seen.calls, 1);
    assert_true(prep_seen.last == 0.0);
}

/* The request must not outlive a failed assertion into the next test. */
static int clear_request(void **state)
{
    (void)state;
    es_checkpoint_clear_request();
    return 0;
}

/* A checkpoint after every sample (interval 1 ns): the run is not perturbed
 * and the last checkpoint holds all but the final sample. */
static void test_periodic_checkpoints_do_not_perturb(void **state)
{
    (void)state;
    reference();
    unlink(ckpath);
    gas_case c;
    make_case(&c, 2);
    c.s.ck_interval = 1e-9;
    es_gas_run_result *res;
    assert_int_equal(es_gas_run(&c.s, &res), ES_OK);
    assert_results_equal(res, ref);
    es_gas_run_result_free(res);
    assert_int_equal(checkpoint_samples(), NS);
}

static void test_changed_config_refused(void **state)
{
    (void)state;
    unlink(ckpath);
    gas_case c;
    make_case(&c, 2);
    c.s.stop_after_samples = 3;
    es_gas_run_result *res;
    assert_int_equal(es_gas_run(&c.s, &res), ES_EINTR);

    /* another seed in the config: refused, naming the file and the reason */
    gas_case d;
    make_case(&d, 2);
    d.s.ck_cfg = cfg_other;
    d.s.resume = ckpath;
    assert_int_equal(es_gas_run(&d.s, &res), ES_EDATA);
    assert_null(res);
    assert_non_null(strstr(es_error_message(), ckpath));
    assert_non_null(strstr(es_error_message(), "written for another configuration"));

    /* the same config but another run shape (3 realizations): refused too */
    make_case(&d, 2);
    d.s.realizations = 3;
    d.s.resume = ckpath;
    assert_int_equal(es_gas_run(&d.s, &res), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "2 realizations x 2000 discs"));
    assert_non_null(strstr(es_error_message(), "does not fit this run"));

    /* the checkpoint itself is intact: the right config resumes it */
    make_case(&d, 1);
    d.s.stop_after_samples = 3;
    d.s.resume = ckpath;
    assert_int_equal(es_gas_run(&d.s, &res), ES_OK);
    assert_results_equal(res, reference());
    es_gas_run_result_free(res);
}

/* Rewrite the checkpoint container (core/checkpoint.h: 88-byte header,
 * sections u32 name length | name | u64 size | bytes, u32 0, FNV-1a-64 of
 * everything before) with section "gas_format" dropped (format < 0) or
 * holding `format`; the checksum is recomputed, so only the format differs. */
static void rewrite_gas_format(const char *path, long long format)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    unsigned char *in = malloc((size_t)len), *out = malloc((size_t)len + 64);
    assert_non_null(in);
    assert_non_null(out);
    assert_int_equal(fread(in, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    size_t off = 88, o = 88, found = 0;
    memcpy(out, in, 88);
    for (;;) {
        uint32_t nlen;
        memcpy(&nlen, in + off, 4); /* little-endian, as this machine */
        if (nlen == 0)
            break;
        uint64_t size;
        memcpy(&size, in + off + 4 + nlen, 8);
        size_t whole = 4 + nlen + 8 + (size_t)size;
        if (nlen == 10 && !memcmp(in + off + 4, "gas_format", 10)) {
            found++;
            assert_int_equal(size, 8);
            if (format >= 0) {
                uint64_t v = (uint64_t)format;
                memcpy(out + o, in + off, 4 + nlen + 8);
                memcpy(out + o + 4 + nlen + 8, &v, 8);
                o += whole;
            }
        } else {
            memcpy(out + o, in + off, whole);
            o += whole;
        }
        off += whole;
    }
    assert_int_equal(found, 1);
    memset(out + o, 0, 4);
    o += 4;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < o; i++) {
        h ^= out[i];
        h *= 0x100000001b3ULL;
    }
    memcpy(out + o, &h, 8);
    o += 8;
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(out, 1, o, f), o);
    fclose(f);
    free(in);
    free(out);
}

/* The gas format a checkpoint records (0: no "gas_format" section). */
static uint64_t checkpoint_gas_format(const es_config *c)
{
    es_checkpoint *ck;
    assert_int_equal(es_checkpoint_read(ckpath, "gas", es_checkpoint_config_hash(c), &ck), ES_OK);
    size_t size = 0;
    const void *p = es_checkpoint_section(ck, "gas_format", &size);
    uint64_t v = 0;
    if (p) {
        assert_int_equal(size, sizeof v);
        memcpy(&v, p, sizeof v);
    }
    es_checkpoint_free(ck);
    return v;
}

/* Stop a run with config `c` after 3 samples: its checkpoint at ckpath. */
static void cut_with(const es_config *c)
{
    unlink(ckpath);
    gas_case a;
    make_case(&a, 2);
    a.s.ck_cfg = c;
    a.s.stop_after_samples = 3;
    es_gas_run_result *res;
    assert_int_equal(es_gas_run(&a.s, &res), ES_EINTR);
    assert_int_equal(checkpoint_gas_format(c), 2);
}

/* Resume ckpath with config `c`: the status, and on success the result
 * bit-identical to the uninterrupted run. */
static int resume_with(const es_config *c)
{
    gas_case d;
    make_case(&d, 1);
    d.s.ck_cfg = c;
    d.s.stop_after_samples = 3;
    d.s.resume = ckpath;
    es_gas_run_result *res = NULL;
    int st = es_gas_run(&d.s, &res);
    if (st == ES_OK) {
        assert_results_equal(res, reference());
        es_gas_run_result_free(res);
    } else {
        assert_null(res);
    }
    return st;
}

static void test_format_2_resumes_at_temperature_4(void **state)
{
    (void)state;
    cut_with(cfg_t4);
    assert_int_equal(resume_with(cfg_t4), ES_OK);
}

static void test_format_1_resumes_at_temperature_1(void **state)
{
    (void)state;
    cut_with(cfg);
    rewrite_gas_format(ckpath, -1);
    assert_int_equal(checkpoint_gas_format(cfg), 0);
    assert_int_equal(resume_with(cfg), ES_OK);
}

static void test_format_1_refused_at_temperature_4(void **state)
{
    (void)state;
    cut_with(cfg_t4);
    rewrite_gas_format(ckpath, -1);
    assert_int_equal(resume_with(cfg_t4), ES_EDATA);
    char want[600];
    snprintf(want, sizeof want, "resume: %s: gas checkpoint format 1 with [gas] temperature = 4: it was "
             "written by an esuite build that records no gas format, which may predate the temperature "
             "unit fix", ckpath);
    if (!strstr(es_error_message(), want))
        fail_msg("'%s' lacks '%s'", es_error_message(), want);
    assert_non_null(strstr(es_error_message(), "rerun from the start without --resume"));
}

static void test_unknown_format_refused(void **state)
{
    (void)state;
    cut_with(cfg);
    rewrite_gas_format(ckpath, 3);
    assert_int_equal(resume_with(cfg), ES_EDATA);
    char want[400];
    snprintf(want, sizeof want, "%s: gas checkpoint format 3, this esuite reads 1 to 2", ckpath);
    if (!strstr(es_error_message(), want))
        fail_msg("'%s' lacks '%s'", es_error_message(), want);
    /* the same file with format 2 again resumes: only the format was refused */
    rewrite_gas_format(ckpath, 2);
    assert_int_equal(resume_with(cfg), ES_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_1_to_2_threads),
        cmocka_unit_test(test_resume_2_to_1_threads_right_after_t0),
        cmocka_unit_test(test_resume_after_sigusr1),
        cmocka_unit_test(test_resume_after_sigusr1_before_t0),
        cmocka_unit_test_teardown(test_stop_in_equilibration_prepares_no_more, clear_request),
        cmocka_unit_test(test_periodic_checkpoints_do_not_perturb),
        cmocka_unit_test(test_changed_config_refused),
        cmocka_unit_test(test_format_2_resumes_at_temperature_4),
        cmocka_unit_test(test_format_1_resumes_at_temperature_1),
        cmocka_unit_test(test_format_1_refused_at_temperature_4),
        cmocka_unit_test(test_unknown_format_refused),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    es_checkpoint_restore_signals();
    return rc;
}
