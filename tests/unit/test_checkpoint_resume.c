/* Kill-and-resume with the checkpoint API on a toy model (noisy logistic
 * maps, one es_rng stream each): a run stopped by SIGUSR1 at a checkpoint and
 * resumed from it ends bit-identical to an uninterrupted run. This is the
 * pattern each simulator follows (docs/hpc.md, section 8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "esuite/rng.h"
#include "esuite/status.h"

#define NP 64
#define STEPS 2000

typedef struct {
    long long step;
    double x[NP];
    es_rng rng[NP];
} toy_state;

static char tmpdir[256];
static es_config *cfg;

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/es_ckresume_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    const es_key_spec *schemas[] = {es_config_core_schema(), NULL};
    return es_config_load_string("[run]\nmodel = gas\nseed = 77\n", "toy", schemas, NULL, 0, &cfg);
}

static int teardown(void **state)
{
    (void)state;
    es_config_free(cfg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void toy_init(toy_state *s, uint64_t seed)
{
    s->step = 0;
    for (int i = 0; i < NP; i++) {
        es_rng_seed(&s->rng[i], seed, (uint64_t)i);
        s->x[i] = 0.05 + 0.9 * es_rng_uniform(&s->rng[i]);
    }
}

static void toy_step(toy_state *s)
{
    for (int i = 0; i < NP; i++) {
        double x = 3.9 * s->x[i] * (1 - s->x[i]) + 1e-3 * es_rng_gauss(&s->rng[i]);
        s->x[i] = x < 0 ? -x : (x > 1 ? 2 - x : x);
    }
    s->step++;
}

static int toy_save(const toy_state *s)
{
    es_checkpoint_writer *w;
    int st = es_checkpoint_writer_begin(tmpdir, "gas", cfg, &w);
    if (st)
        return st;
    es_checkpoint_write_section(w, "step", &s->step, sizeof s->step);
    es_checkpoint_write_section(w, "x", s->x, sizeof s->x);
    es_checkpoint_write_section(w, "rng", s->rng, sizeof s->rng);
    return es_checkpoint_writer_commit(w);
}

static int toy_restore(toy_state *s, const char *path)
{
    es_checkpoint *c;
    int st = es_checkpoint_read(path, "gas", es_checkpoint_config_hash(cfg), &c);
    if (st)
        return st;
    if (!(st = es_checkpoint_read_section(c, "step", &s->step, sizeof s->step)) &&
        !(st = es_checkpoint_read_section(c, "x", s->x, sizeof s->x)))
        st = es_checkpoint_read_section(c, "rng", s->rng, sizeof s->rng);
    es_checkpoint_free(c);
    return st;
}

/* The model's run loop: resume if asked, checkpoint when due, stop on a
 * signal with ES_EINTR. `kill_at` raises SIGUSR1 at that step (-1: never). */
static int toy_run(toy_state *s, long long kill_at, int *checkpoints)
{
    es_checkpoint_install_signals();
    const char *resume = es_checkpoint_resume_path();
    int st = resume ? toy_restore(s, resume) : (toy_init(s, 77), ES_OK);
    if (st)
        return st;
    es_checkpoint_timer t;
    es_checkpoint_timer_init(&t, 3600); /* periodic: never within this test */
    while (s->step < STEPS) {
        toy_step(s);
        if (s->step == kill_at)
            raise(SIGUSR1);
        if (es_checkpoint_due(&t)) {
            if ((st = toy_save(s)))
                return st;
            (*checkpoints)++;
            es_checkpoint_timer_reset(&t);
            if (es_checkpoint_should_stop())
                return es_error_set(ES_EINTR, "interrupted by signal %d at step %lld; checkpoint "
                                              "written", es_checkpoint_signal(), s->step);
        }
    }
    return ES_OK;
}

static void test_kill_and_resume_bit_identical(void **state)
{
    (void)state;
    toy_state ref, run;
    int nck = 0;
    es_checkpoint_set_resume(NULL);
    es_checkpoint_clear_request();
    assert_int_equal(toy_run(&ref, -1, &nck), ES_OK);
    assert_int_equal(nck, 0);
    assert_int_equal(ref.step, STEPS);

    /* Interrupted at step 777: a checkpoint, then ES_EINTR. */
    memset(&run, 0, sizeof run);
    assert_int_equal(toy_run(&run, 777, &nck), ES_EINTR);
    assert_int_equal(nck, 1);
    assert_int_equal(run.step, 777);
    char want[64];
    snprintf(want, sizeof want, "signal %d at step 777", SIGUSR1);
    assert_non_null(strstr(es_error_message(), want));
    es_checkpoint_clear_request();

    /* `esuite run --resume DIR`: config from the checkpoint, then the model. */
    char *ini;
    assert_int_equal(es_checkpoint_resume_config(tmpdir, &ini, NULL, NULL, NULL), ES_OK);
    free(ini);
    es_checkpoint_set_resume(tmpdir);
    toy_state resumed;
    memset(&resumed, 0xff, sizeof resumed); /* nothing carried over in memory */
    assert_int_equal(toy_run(&resumed, -1, &nck), ES_OK);
    es_checkpoint_set_resume(NULL);
    assert_int_equal(resumed.step, STEPS);
    assert_memory_equal(resumed.x, ref.x, sizeof ref.x);
    /* and the run really moved on from 777: differs from the interrupted state */
    assert_true(memcmp(resumed.x, run.x, sizeof run.x) != 0);
    es_checkpoint_restore_signals();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_and_resume_bit_identical),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
