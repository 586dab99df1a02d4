/* `init = file`: a run starts from the last frame of another run's school.nc
 * (chained runs in job scripts). Run A (couzin2002, 200 steps) then run B
 * with init_file = A/school.nc and n_steps = 0: B's frame 0 must be A's
 * last frame (positions bit-identical, velocities to rounding: the heading
 * is re-normalised), hence the same P, M and spread. Then B with 100 steps
 * more keeps the state it started from (a torus stays a torus: M > 0.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"

extern const es_model es_model_school;

enum { N = 100 };

static void run(const char **ov, int nov, char *dir)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg;
    assert_int_equal(es_config_load(ES_SOURCE_DIR "/configs/school_couzin_torus.ini", schemas, ov,
                                    nov, &cfg),
                     0);
    strcpy(dir, "/tmp/esuite-initf-XXXXXX");
    assert_non_null(mkdtemp(dir));
    es_run_ctx ctx = {.cfg = cfg, .output_dir = dir, .threads = 1, .seed = 1, .quiet = true};
    int rc = es_model_school.run(&ctx);
    if (rc)
        fprintf(stderr, "%s\n", es_error_message());
    assert_int_equal(rc, 0);
    es_config_free(cfg);
}

/* frame `f` (-1: last) of positions and velocities */
static void frame(const char *dir, long f, double *pos, double *vel)
{
    char path[300];
    snprintf(path, sizeof path, "%s/school.nc", dir);
    int ncid, vp, vv, dt;
    size_t nt;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "time", &dt), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dt, &nt), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "positions", &vp), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "velocities", &vv), NC_NOERR);
    size_t st[3] = {f < 0 ? nt - 1 : (size_t)f, 0, 0}, ct[3] = {1, N, 3};
    assert_int_equal(nc_get_vara_double(ncid, vp, st, ct, pos), NC_NOERR);
    assert_int_equal(nc_get_vara_double(ncid, vv, st, ct, vel), NC_NOERR);
    nc_close(ncid);
}

static double summary_num(const char *dir, const char *a, const char *b)
{
    char path[300];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    json_error_t err;
    json_t *s = json_load_file(path, 0, &err);
    assert_non_null(s);
    double v = json_number_value(json_object_get(json_object_get(s, a), b));
    json_decref(s);
    return v;
}

static void cleanup(const char *dir)
{
    char path[300];
    snprintf(path, sizeof path, "%s/school.nc", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    remove(path);
    remove(dir);
}

static void test_chain(void **state)
{
    (void)state;
    char a[64], b[64], c[64], ov[128];
    const char *ova[] = {"school.n_steps=200"};
    run(ova, 1, a);
    snprintf(ov, sizeof ov, "school.init_file=%s/school.nc", a);
    const char *ovb[] = {"school.init=file", ov, "school.n_steps=0"};
    run(ovb, 3, b);
    double pa[3 * N], va[3 * N], pb[3 * N], vb[3 * N];
    frame(a, -1, pa, va);
    frame(b, 0, pb, vb);
    for (int k = 0; k < 3 * N; k++) {
        assert_true(pa[k] == pb[k]);
        assert_float_equal(va[k], vb[k], 4e-15 * 3.0); /* speed 3, one rounding of |v| */
    }
    assert_float_equal(summary_num(a, "final", "P"), summary_num(b, "final", "P"), 1e-14);
    assert_float_equal(summary_num(a, "final", "M"), summary_num(b, "final", "M"), 1e-14);
    double M0 = summary_num(a, "final", "M");
    const char *ovc[] = {"school.init=file", ov, "school.n_steps=100"};
    run(ovc, 3, c);
    printf("  M at the end of A %.3f, after 100 more steps from it %.3f\n", M0,
           summary_num(c, "final", "M"));
    assert_true(M0 > 0.5 && summary_num(c, "mean", "M") > 0.5);
    cleanup(a);
    cleanup(b);
    cleanup(c);
}

/* A one-frame school.nc with every fish heading +x, except fish 7: velocity v7. */
static void write_frame(const char *path, const double v7[3])
{
    int ncid, d[3], vp, vv;
    assert_int_equal(nc_create(path, NC_NETCDF4 | NC_CLOBBER, &ncid), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "time", 1, &d[0]), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "fish", N, &d[1]), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "spatial", 3, &d[2]), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "positions", NC_DOUBLE, 3, d, &vp), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "velocities", NC_DOUBLE, 3, d, &vv), NC_NOERR);
    assert_int_equal(nc_enddef(ncid), NC_NOERR);
    double pos[3 * N], vel[3 * N];
    for (int i = 0; i < N; i++)
        for (int a = 0; a < 3; a++) {
            pos[3 * i + a] = 50.0 + 0.1 * i + a;
            vel[3 * i + a] = i == 7 ? v7[a] : (a == 0 ? 3.0 : 0.0);
        }
    assert_int_equal(nc_put_var_double(ncid, vp, pos), NC_NOERR);
    assert_int_equal(nc_put_var_double(ncid, vv, vel), NC_NOERR);
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

/* A NaN or a zero velocity in the file: one message naming the key, the
 * file and the fish, and no run. */
static void test_bad_frame(void **state)
{
    (void)state;
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    const double bad[2][3] = {{3.0, NAN, 0.0}, {0.0, 0.0, 0.0}};
    const char *want[2] = {"fish 7: non-finite position or velocity", "fish 7: zero velocity"};
    char file[64] = "/tmp/esuite-initf-bad-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    for (int k = 0; k < 2; k++) {
        write_frame(file, bad[k]);
        char ov[128];
        snprintf(ov, sizeof ov, "school.init_file=%s", file);
        const char *o[] = {"school.init=file", ov, "school.n_steps=0"};
        es_config *cfg;
        assert_int_equal(es_config_load(ES_SOURCE_DIR "/configs/school_couzin_torus.ini", schemas,
                                        o, 3, &cfg),
                         0);
        es_run_ctx ctx = {.cfg = cfg, .output_dir = "/nonexistent-esuite", .threads = 1,
                          .seed = 1, .quiet = true};
        assert_int_not_equal(es_model_school.run(&ctx), 0);
        const char *m = es_error_message();
        if (!strstr(m, "key 'school.init_file'") || !strstr(m, file) || !strstr(m, want[k]))
            fail_msg("case %d: '%s' lacks the key, the file or '%s'", k, m, want[k]);
        es_config_free(cfg);
    }
    remove(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_chain),
                                       cmocka_unit_test(test_bad_frame)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
