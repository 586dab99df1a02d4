/* Run directories and atomic files: mkdir -p with clear errors, the temp
 * name, commit (temp gone, final present, same bytes), discard, and
 * summary.json (17-digit reals bit for bit, NaN as null, provenance block,
 * caller's object untouched, nothing left under a temp name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/output.h"
#include "esuite/status.h"
#include "esuite_version.h"

#define TEST_TMPDIR_NAME "esuite_test_output_files"
#include "test_tmpdir.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Number of entries in `d` whose name contains ".part-". */
static int count_temp_files(const char *d)
{
    DIR *dp = opendir(d);
    assert_non_null(dp);
    int n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        n += strstr(e->d_name, ".part-") != NULL;
    closedir(dp);
    return n;
}

static void test_prepare_dir(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(es_output_prepare_dir(path), ES_OK);
    assert_true(is_dir(path));
    assert_int_equal(es_output_prepare_dir(path), ES_OK); /* already there: fine */
    snprintf(path, sizeof path, "%s/a/b/c/", dir);          /* trailing slash */
    assert_int_equal(es_output_prepare_dir(path), ES_OK);

    /* a regular file in the way is named in the message */
    char file[512], want[1200];
    snprintf(file, sizeof file, "%s/plainfile", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/plainfile/sub", dir);
    es_error_clear();
    assert_int_equal(es_output_prepare_dir(path), ES_EIO);
    snprintf(want, sizeof want, "'%s' exists and is not a directory", file);
    assert_non_null(strstr(es_error_message(), want));
    assert_int_equal(es_output_prepare_dir(""), ES_EINVAL);
}

static void test_tmp_path(void **state)
{
    (void)state;
    char tmp[4200], want[4200];
    es_output_tmp_path("out/run1/gas.h5", tmp, sizeof tmp);
    snprintf(want, sizeof want, "out/run1/.gas.h5.part-%ld", (long)getpid());
    assert_string_equal(tmp, want);
    es_output_tmp_path("summary.json", tmp, sizeof tmp);
    snprintf(want, sizeof want, ".summary.json.part-%ld", (long)getpid());
    assert_string_equal(tmp, want);
    es_output_tmp_path("/abs/x.nc", tmp, sizeof tmp);
    snprintf(want, sizeof want, "/abs/.x.nc.part-%ld", (long)getpid());
    assert_string_equal(tmp, want);
}

static void test_commit_and_discard(void **state)
{
    (void)state;
    char final[512], tmp[4200];
    snprintf(final, sizeof final, "%s/data.bin", dir);
    es_output_tmp_path(final, tmp, sizeof tmp);
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    const char payload[] = "0123456789abcdef";
    fwrite(payload, 1, 16, f);
    fclose(f);
    /* before commit: only the temp exists */
    assert_true(exists(tmp));
    assert_false(exists(final));
    assert_int_equal(es_output_commit(tmp, final), ES_OK);
    /* after: the reverse, with the same 16 bytes */
    assert_false(exists(tmp));
    assert_true(exists(final));
    char back[32] = {0};
    f = fopen(final, "rb");
    assert_int_equal(fread(back, 1, sizeof back, f), 16);
    fclose(f);
    assert_memory_equal(back, payload, 16);

    /* discard removes the temp and leaves no final file */
    char final2[512];
    snprintf(final2, sizeof final2, "%s/never.bin", dir);
    es_output_tmp_path(final2, tmp, sizeof tmp);
    f = fopen(tmp, "wb");
    fputs("partial", f);
    fclose(f);
    assert_true(exists(tmp));
    es_output_discard(tmp);
    assert_false(exists(tmp));
    assert_false(exists(final2));

    /* committing a temp that does not exist fails with its name */
    es_error_clear();
    assert_int_equal(es_output_commit(tmp, final2), ES_EIO);
    assert_non_null(strstr(es_error_message(), tmp));
    assert_int_equal(count_temp_files(dir), 0);
}

static uint64_t bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static void test_summary_round_trip(void **state)
{
    (void)state;
    char run[512];
    snprintf(run, sizeof run, "%s/run", dir);
    assert_int_equal(es_output_prepare_dir(run), ES_OK);

    const double x = 0.1 + 0.2; /* 0.30000000000000004: needs 17 digits */
    const double tiny = 4.9406564584124654e-324, third = 1.0 / 3.0;
    json_t *summary = json_object();
    json_object_set_new(summary, "x", es_json_real(x));
    json_object_set_new(summary, "tiny", es_json_real(tiny));
    json_object_set_new(summary, "third", es_json_real(third));
    json_object_set_new(summary, "bad", es_json_real(NAN));
    json_object_set_new(summary, "inf", es_json_real(-INFINITY));
    json_t *nested = json_pack("{s:[i,i]}", "counts", 3, 4);
    json_object_set_new(summary, "final", nested);

    es_provenance p;
    memset(&p, 0, sizeof p);
    p.model = "gas";
    p.run_name = "demo";
    p.seed = 9000000000000000001ULL;
    p.threads = 3;
    p.config_path = "runs/demo.ini";
    p.overrides = strdup("run.seed=9000000000000000001\ngas.N=100\n");
    snprintf(p.host, sizeof p.host, "node17");
    snprintf(p.start_time, sizeof p.start_time, "2026-01-02T03:04:05Z");
    snprintf(p.end_time, sizeof p.end_time, "2026-01-02T03:04:06Z");

    assert_int_equal(es_output_write_summary(run, summary, &p), ES_OK);
    /* the caller's object is not modified */
    assert_null(json_object_get(summary, "provenance"));
    assert_int_equal(summary->refcount, 1);

    char path[600];
    snprintf(path, sizeof path, "%s/summary.json", run);
    json_error_t err;
    json_t *back = json_load_file(path, 0, &err);
    assert_non_null(back);
    assert_true(bits(json_real_value(json_object_get(back, "x"))) == bits(x));
    assert_true(bits(json_real_value(json_object_get(back, "tiny"))) == bits(tiny));
    assert_true(bits(json_real_value(json_object_get(back, "third"))) == bits(third));
    assert_true(json_is_null(json_object_get(back, "bad")));
    assert_true(json_is_null(json_object_get(back, "inf")));
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(json_object_get(back, "final"), "counts"), 1)),
                     4);
    json_t *prov = json_object_get(back, "provenance");
    assert_non_null(prov);
    assert_string_equal(json_string_value(json_object_get(prov, "esuite_version")), ESUITE_VERSION);
    assert_string_equal(json_string_value(json_object_get(prov, "git_revision")),
                        ESUITE_GIT_REVISION);
    assert_string_equal(json_string_value(json_object_get(prov, "model")), "gas");
    assert_string_equal(json_string_value(json_object_get(prov, "run_name")), "demo");
    assert_true(json_integer_value(json_object_get(prov, "seed")) == 9000000000000000001LL);
    assert_int_equal(json_integer_value(json_object_get(prov, "threads")), 3);
    assert_string_equal(json_string_value(json_object_get(prov, "host")), "node17");
    assert_string_equal(json_string_value(json_object_get(prov, "start_time")),
                        "2026-01-02T03:04:05Z");
    assert_string_equal(json_string_value(json_object_get(prov, "end_time")),
                        "2026-01-02T03:04:06Z");
    assert_string_equal(json_string_value(json_object_get(prov, "config_path")), "runs/demo.ini");
    json_t *ov = json_object_get(prov, "overrides");
    assert_int_equal(json_array_size(ov), 2);
    assert_string_equal(json_string_value(json_array_get(ov, 1)), "gas.N=100");
    json_decref(back);

    /* written with 2-space indentation */
    FILE *f = fopen(path, "r");
    char line1[16] = {0}, line2[16] = {0};
    assert_non_null(fgets(line1, sizeof line1, f));
    assert_non_null(fgets(line2, sizeof line2, f));
    fclose(f);
    assert_string_equal(line1, "{\n");
    assert_true(line2[0] == ' ' && line2[1] == ' ' && line2[2] == '"');
    assert_int_equal(count_temp_files(run), 0);

    /* a summary that is not an object is refused */
    json_t *arr = json_array();
    assert_int_equal(es_output_write_summary(run, arr, &p), ES_EINVAL);
    json_decref(arr);
    json_decref(summary);
    free(p.overrides);
}

static void test_provenance_from_config(void **state)
{
    (void)state;
    const es_key_spec *schemas[] = {es_config_core_schema(), NULL};
    const char *ov[] = {"run.seed=7"};
    es_config *cfg = NULL;
    const char *ini = "[run]\nmodel = gas\nname = demo\nseed = 42\nthreads = 3\n";
    int rc = es_config_load_string(ini, "demo.ini", schemas, ov, 1, &cfg);
    if (rc)
        fprintf(stderr, "%s\n", es_error_message());
    assert_int_equal(rc, ES_OK);
    es_provenance p;
    es_provenance_init(&p, cfg, "gas");
    assert_string_equal(p.model, "gas");
    assert_string_equal(p.run_name, "demo");
    assert_true(p.seed == 7); /* the override wins */
    assert_int_equal(p.threads, 3);
    assert_non_null(strstr(p.config_ini, "seed = 7"));
    assert_non_null(strstr(p.config_ini, "name = demo"));
    assert_string_equal(p.overrides, "run.seed=7\n");
    char host[256];
    gethostname(host, sizeof host);
    assert_string_equal(p.host, host);
    /* ISO 8601 UTC: YYYY-MM-DDThh:mm:ssZ */
    assert_int_equal(strlen(p.start_time), 20);
    assert_true(p.start_time[4] == '-' && p.start_time[10] == 'T' && p.start_time[19] == 'Z');
    assert_string_equal(p.end_time, "");
    es_provenance_finish(&p);
    assert_int_equal(strlen(p.end_time), 20);
    assert_true(strcmp(p.end_time, p.start_time) >= 0);

    char *argv[] = {"esuite", "run", "--set", "run.name=my run", "it's.ini", NULL};
    es_provenance_set_command(&p, 5, argv);
    assert_string_equal(p.command_line, "esuite run --set 'run.name=my run' 'it'\\''s.ini'");
    /* too long for the 1024-byte field: cut at a word, marked with "..." */
    char long_arg[700];
    memset(long_arg, 'a', sizeof long_arg - 1);
    long_arg[sizeof long_arg - 1] = '\0';
    char *argv2[] = {"esuite", long_arg, long_arg, NULL};
    es_provenance_set_command(&p, 3, argv2);
    assert_int_equal(strlen(p.command_line), strlen("esuite ") + 699 + 3);
    assert_string_equal(p.command_line + strlen(p.command_line) - 4, "a...");
    es_provenance_free(&p);
    es_config_free(cfg);

    /* no config (esuite ordinal): threads from OpenMP, config fields empty */
    es_provenance_init(&p, NULL, "ordinal");
    assert_string_equal(p.model, "ordinal");
    assert_string_equal(p.run_name, "");
    assert_true(p.seed == 0);
    assert_true(p.threads >= 1);
    assert_null(p.config_ini);
    es_provenance_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_dir),
        cmocka_unit_test(test_tmp_path),
        cmocka_unit_test(test_commit_and_discard),
        cmocka_unit_test(test_summary_round_trip),
        cmocka_unit_test(test_provenance_from_config),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
