/* Checkpoint container: bit-exact round trip, corruption and mismatch
 * detection with clear messages, the signal flag, the timer, resume config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/output.h"
#include "esuite/status.h"

static char tmpdir[256], ckpath[400];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/es_ckpt_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(ckpath, sizeof ckpath, "%s/%s", tmpdir, ES_CHECKPOINT_FILE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

#define N 1000

/* Awkward doubles: -0, subnormals, NaN with a payload, infinities. */
static void fill(double *x, uint64_t *rng)
{
    for (int i = 0; i < N; i++)
        x[i] = sin(0.1 * i) * exp(i % 50);
    x[0] = -0.0;
    x[1] = DBL_MIN / 8;
    x[2] = INFINITY;
    x[3] = -INFINITY;
    uint64_t payload = 0x7ff8000000012345ULL;
    memcpy(&x[4], &payload, 8);
    for (int i = 0; i < 4; i++)
        rng[i] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
}

static void write_ck(const double *x, const uint64_t *rng, uint64_t hash)
{
    es_checkpoint_writer *w;
    assert_int_equal(es_checkpoint_writer_alloc(ckpath, "gas", hash, &w), ES_OK);
    assert_int_equal(es_checkpoint_write_section(w, "positions", x, N * sizeof *x), ES_OK);
    assert_int_equal(es_checkpoint_write_section(w, "rng", rng, 4 * sizeof *rng), ES_OK);
    assert_int_equal(es_checkpoint_write_section(w, "empty", NULL, 0), ES_OK);
    long long step = 123456789012LL;
    assert_int_equal(es_checkpoint_write_section(w, "step", &step, sizeof step), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
}

static void test_round_trip_bit_exact(void **state)
{
    (void)state;
    double x[N], y[N];
    uint64_t rng[4], rng2[4];
    fill(x, rng);
    write_ck(x, rng, 0xabcdef0123456789ULL);
    char tmp[500];
    snprintf(tmp, sizeof tmp, "%s.part-%ld", ckpath, (long)getpid());
    assert_int_equal(access(tmp, F_OK), -1); /* the temporary name is gone */
    es_checkpoint *c;
    assert_int_equal(es_checkpoint_read(ckpath, "gas", 0xabcdef0123456789ULL, &c), ES_OK);
    assert_string_equal(es_checkpoint_model(c), "gas");
    assert_true(es_checkpoint_hash_of(c) == 0xabcdef0123456789ULL);
    assert_int_equal(es_checkpoint_read_section(c, "positions", y, sizeof y), ES_OK);
    assert_memory_equal(x, y, sizeof x); /* bit for bit, NaN payload and -0 included */
    assert_int_equal(es_checkpoint_read_section(c, "rng", rng2, sizeof rng2), ES_OK);
    assert_memory_equal(rng, rng2, sizeof rng);
    long long step;
    assert_int_equal(es_checkpoint_read_section(c, "step", &step, sizeof step), ES_OK);
    assert_int_equal(step, 123456789012LL);
    size_t n;
    assert_non_null(es_checkpoint_section(c, "empty", &n));
    assert_int_equal(n, 0);
    assert_null(es_checkpoint_section(c, "absent", &n));
    /* wrong size is an error naming both sizes */
    es_error_clear();
    assert_int_equal(es_checkpoint_read_section(c, "rng", rng2, 3 * sizeof *rng2), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "holds 32 bytes, expected 24"));
    es_checkpoint_free(c);

    /* File size = header 88 + sections (4+name+8+data each) + end 4 + checksum 8. */
    FILE *fp = fopen(ckpath, "rb");
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fclose(fp);
    long want = 88 + (4 + 9 + 8 + N * 8) + (4 + 3 + 8 + 32) + (4 + 5 + 8 + 0) + (4 + 4 + 8 + 8) + 4 + 8;
    assert_int_equal(size, want);
}

static void flip_byte(long offset)
{
    FILE *fp = fopen(ckpath, "r+b");
    fseek(fp, offset, SEEK_SET);
    int c = fgetc(fp);
    fseek(fp, offset, SEEK_SET);
    fputc(c ^ 0x01, fp);
    fclose(fp);
}

static void expect_read_error(const char *model, uint64_t hash, const char *needle)
{
    es_checkpoint *c = (es_checkpoint *)1;
    es_error_clear();
    assert_int_equal(es_checkpoint_read(ckpath, model, hash, &c), ES_EDATA);
    assert_null(c);
    if (!strstr(es_error_message(), needle) || !strstr(es_error_message(), ckpath))
        fail_msg("message '%s' lacks '%s' or the path", es_error_message(), needle);
}

static void test_corruption_and_mismatch(void **state)
{
    (void)state;
    double x[N];
    uint64_t rng[4];
    fill(x, rng);
    write_ck(x, rng, 42);
    expect_read_error("orbits", 0, "checkpoint of model 'gas', not 'orbits'");
    expect_read_error("gas", 43, "another configuration");
    /* One flipped bit in the middle of the data. */
    flip_byte(88 + 4 + 9 + 8 + 8 * 500 + 3);
    expect_read_error(NULL, 0, "checksum mismatch");
    expect_read_error(NULL, 0, "corrupt or truncated");
    /* Truncated file. */
    write_ck(x, rng, 42);
    assert_int_equal(truncate(ckpath, 1000), 0);
    expect_read_error(NULL, 0, "checksum mismatch");
    /* Not a checkpoint at all. */
    FILE *fp = fopen(ckpath, "w");
    fputs("hello, this is not a checkpoint file but long enough to pass the size check ......."
          "................................................",
          fp);
    fclose(fp);
    expect_read_error(NULL, 0, "not an esuite checkpoint");
    /* A directory where the checkpoint should be: fopen() opens it, and the
     * read failed as out of memory ("cannot read", ES_ENOMEM). */
    assert_int_equal(unlink(ckpath), 0);
    assert_int_equal(mkdir(ckpath, 0755), 0);
    char want[512];
    snprintf(want, sizeof want, "%s: is a directory, not a checkpoint", ckpath);
    expect_read_error(NULL, 0, want);
    assert_string_equal(es_error_message(), want);
    assert_int_equal(rmdir(ckpath), 0);
}

static void test_signal_sets_flag(void **state)
{
    (void)state;
    es_checkpoint_clear_request();
    assert_int_equal(es_checkpoint_install_signals(), ES_OK);
    assert_false(es_checkpoint_requested());
    raise(SIGUSR1);
    assert_true(es_checkpoint_requested());
    assert_int_equal(es_checkpoint_signal(), SIGUSR1);
    es_checkpoint_clear_request();
    raise(SIGTERM); /* handled: the process survives */
    assert_int_equal(es_checkpoint_signal(), SIGTERM);
    es_checkpoint_clear_request();
    es_checkpoint_restore_signals();

    es_checkpoint_timer t;
    es_checkpoint_timer_init(&t, 3600);
    assert_false(es_checkpoint_due(&t));
    es_checkpoint_timer_init(&t, 0.02);
    usleep(30000);
    assert_true(es_checkpoint_due(&t));
    es_checkpoint_timer_reset(&t);
    assert_false(es_checkpoint_due(&t));
    assert_int_equal(es_checkpoint_install_signals(), ES_OK);
    raise(SIGINT);
    es_checkpoint_timer_init(&t, 0); /* signals only */
    assert_true(es_checkpoint_due(&t));
    es_checkpoint_clear_request();
    assert_false(es_checkpoint_due(&t));
    es_checkpoint_restore_signals();
}

static void test_config_hash_and_resume(void **state)
{
    (void)state;
    const es_key_spec *schemas[] = {es_config_core_schema(), NULL};
    es_config *a, *b, *c;
    const char *ov[] = {"run.seed=3", "run.name=x"}; /* recorded, and handed back on resume */
    assert_int_equal(es_config_load_string("[run]\nmodel = gas\nseed = 3\nthreads = 1\nname = x\n", "a", schemas, ov, 2, &a),
                     ES_OK);
    assert_int_equal(es_config_load_string("[run]\nmodel = gas\nseed = 3\nthreads = 8\n[output]\ncompression = 9\n",
                                           "b", schemas, NULL, 0, &b), ES_OK);
    assert_int_equal(es_config_load_string("[run]\nmodel = gas\nseed = 4\n", "c", schemas, NULL, 0, &c), ES_OK);
    /* threads and [output] do not change results, the seed does */
    assert_true(es_checkpoint_config_hash(a) == es_checkpoint_config_hash(b));
    assert_true(es_checkpoint_config_hash(a) != es_checkpoint_config_hash(c));
    /* Known value: FNV-1a-64 of the kept lines with NULs, computed here. */
    const char *ini = "[run]\nseed = 3    ; comment\nthreads = 8\n";
    uint64_t h = 0xcbf29ce484222325ULL;
    const char kept[] = "[run]\0seed = 3";
    for (size_t k = 0; k < sizeof kept; k++) {
        h ^= (unsigned char)kept[k];
        h *= 0x100000001b3ULL;
    }
    assert_true(es_checkpoint_config_text_hash(ini) == h);

    es_checkpoint_writer *w;
    assert_int_equal(es_checkpoint_writer_begin(tmpdir, "gas", a, &w), ES_OK);
    double x = 1.5;
    assert_int_equal(es_checkpoint_write_section(w, "x", &x, sizeof x), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    char *cfgpath, *ovs;
    assert_int_equal(es_checkpoint_resume_config(tmpdir, &cfgpath, NULL, &ovs, NULL), ES_OK);
    assert_string_equal(ovs, "run.seed=3\nrun.name=x\n");
    free(ovs);
    es_config *r;
    assert_int_equal(es_config_load(cfgpath, schemas, NULL, 0, &r), ES_OK);
    assert_int_equal(es_config_int(r, "run", "seed"), 3);
    assert_true(es_checkpoint_config_hash(r) == es_checkpoint_config_hash(a));
    es_checkpoint *ck;
    assert_int_equal(es_checkpoint_read(ckpath, "gas", es_checkpoint_config_hash(r), &ck), ES_OK);
    es_checkpoint_free(ck);
    assert_null(es_checkpoint_resume_path());
    es_checkpoint_set_resume(tmpdir);
    assert_string_equal(es_checkpoint_resume_path(), ckpath);
    es_checkpoint_set_resume(NULL);
    assert_null(es_checkpoint_resume_path());
    free(cfgpath);
    es_config_free(a);
    es_config_free(b);
    es_config_free(c);
    es_config_free(r);
}

/* The "history" section: the history lines of the runs so far, the writing
 * run's last; a checkpoint without it (an older build's) resumes with none. */
static void test_history_section(void **state)
{
    (void)state;
    const es_key_spec *schemas[] = {es_config_core_schema(), NULL};
    es_config *a;
    assert_int_equal(es_config_load_string("[run]\nmodel = gas\nseed = 3\n", "a", schemas, NULL, 0, &a), ES_OK);
    char *argv[] = {"esuite", "run", "a.ini", "--set", "gas.stop_after_samples=5"};
    es_provenance_set_process_command(5, argv);
    es_provenance_mark_start();
    es_checkpoint_writer *w;
    assert_int_equal(es_checkpoint_writer_begin(tmpdir, "gas", a, &w), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    char *cfgpath, *hist;
    assert_int_equal(es_checkpoint_resume_config(tmpdir, &cfgpath, NULL, NULL, &hist), ES_OK);
    free(cfgpath);
    assert_non_null(hist);
    assert_null(strchr(hist, '\n')); /* one line: the first run's */
    assert_non_null(strstr(hist, "Z: esuite run a.ini --set gas.stop_after_samples=5 (esuite "));

    /* the resumed run: its checkpoint has the first run's line, then its own */
    char *argv2[] = {"esuite", "run", "--resume", "d"};
    es_provenance_set_process_command(4, argv2);
    assert_int_equal(es_provenance_set_history_before(hist), ES_OK);
    es_provenance p;
    es_provenance_init(&p, a, "gas");
    assert_string_equal(p.history_before, hist);
    es_provenance_free(&p);
    assert_int_equal(es_checkpoint_writer_begin(tmpdir, "gas", a, &w), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    char *hist2;
    assert_int_equal(es_checkpoint_resume_config(tmpdir, &cfgpath, NULL, NULL, &hist2), ES_OK);
    free(cfgpath);
    assert_non_null(hist2);
    size_t n = strlen(hist);
    assert_memory_equal(hist2, hist, n);
    assert_int_equal(hist2[n], '\n');
    assert_non_null(strstr(hist2 + n + 1, "Z: esuite run --resume d (esuite "));
    assert_null(strchr(hist2 + n + 1, '\n'));
    free(hist);
    free(hist2);

    /* an older checkpoint, without the section: no lines known */
    assert_int_equal(es_checkpoint_writer_alloc(ckpath, "gas", es_checkpoint_config_hash(a), &w), ES_OK);
    char *ini = es_config_to_ini(a);
    assert_int_equal(es_checkpoint_write_section(w, "config", ini, strlen(ini)), ES_OK);
    free(ini);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    hist = (char *)"x";
    assert_int_equal(es_checkpoint_resume_config(tmpdir, &cfgpath, NULL, NULL, &hist), ES_OK);
    free(cfgpath);
    assert_null(hist);
    assert_int_equal(es_provenance_set_history_before(NULL), ES_OK);
    es_provenance_init(&p, a, "gas");
    assert_null(p.history_before);
    es_provenance_free(&p);
    es_config_free(a);
}

/* FNV-1a-64 of lines, each with its NUL (the hash of the kept lines). */
static uint64_t fnv_lines(const char *const *lines, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k <= strlen(lines[i]); k++) {
            h ^= (unsigned char)lines[i][k];
            h *= 0x100000001b3ULL;
        }
    return h;
}

/* A testing stop knob (stop_after_*) hashes as 0: `esuite run --resume` sets
 * it to 0, and the checkpoint written with it set must still match. A
 * checkpoint of an older build, whose hash took the knob's value as
 * written, resumes too; another key's change is still refused. */
static void test_stop_knob_hash(void **state)
{
    (void)state;
    const char *stopped = "[gas]\nN = 10\nstop_after_samples = 4    ; set on the command line\n";
    const char *cleared = "[gas]\nN = 10\nstop_after_samples = 0    ; set on the command line\n";
    const char *other = "[gas]\nN = 11\nstop_after_samples = 0\n";
    const char *school = "[school]\nstop_after_steps = 60\n";
    assert_true(es_checkpoint_config_text_hash(stopped) == es_checkpoint_config_text_hash(cleared));
    assert_true(es_checkpoint_config_text_hash(stopped) != es_checkpoint_config_text_hash(other));
    const char *school0[] = {"[school]", "stop_after_steps = 0"};
    assert_true(es_checkpoint_config_text_hash(school) == fnv_lines(school0, 2));
    /* an older build's checkpoint: hash of "stop_after_samples = 4" */
    const char *old_lines[] = {"[gas]", "N = 10", "stop_after_samples = 4"};
    uint64_t old = fnv_lines(old_lines, 3);
    assert_true(old != es_checkpoint_config_text_hash(stopped));
    es_checkpoint_writer *w;
    assert_int_equal(es_checkpoint_writer_alloc(ckpath, "gas", old, &w), ES_OK);
    assert_int_equal(es_checkpoint_write_section(w, "config", stopped, strlen(stopped)), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    es_checkpoint *ck;
    assert_int_equal(es_checkpoint_read(ckpath, "gas", es_checkpoint_config_text_hash(cleared), &ck), ES_OK);
    es_checkpoint_free(ck);
    assert_int_equal(es_checkpoint_read(ckpath, "gas", es_checkpoint_config_text_hash(other), &ck), ES_EDATA);
    assert_non_null(strstr(es_error_message(), "written for another configuration"));
    /* the stored hash must be the old hash of its own config text */
    assert_int_equal(es_checkpoint_writer_alloc(ckpath, "gas", old + 1, &w), ES_OK);
    assert_int_equal(es_checkpoint_write_section(w, "config", stopped, strlen(stopped)), ES_OK);
    assert_int_equal(es_checkpoint_writer_commit(w), ES_OK);
    assert_int_equal(es_checkpoint_read(ckpath, "gas", es_checkpoint_config_text_hash(cleared), &ck), ES_EDATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_bit_exact),
        cmocka_unit_test(test_corruption_and_mismatch),
        cmocka_unit_test(test_signal_sets_flag),
        cmocka_unit_test(test_config_hash_and_resume),
        cmocka_unit_test(test_stop_knob_hash),
        cmocka_unit_test(test_history_section),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
