/* NetCDF frames from outside: esuite school-metrics and [school] init = file
 * on files they must refuse, with one error naming the file (school-metrics:
 * exit status 2 and nothing on stdout). A bad frame after good ones (NaN)
 * used to leave the header and the good rows on stdout; a transposed file
 * (fish, time, spatial) was read as frames of the wrong fish; frames never
 * written (NetCDF fill values) were taken for positions, also as the initial
 * state of a run. A good file gives P = 1 for an aligned school. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite_version.h"
#include "esuite/status.h"

extern const es_model es_model_school;

int es_school_metrics_main(int argc, char **argv);

enum { T = 4, F = 10 };

typedef enum { GOOD, NAN_FRAME, SWAPPED, UNWRITTEN, TEXT_BOX, BOX3, SEEDS, NAN_TIME, SHORT_TIME,
               PACKED, BAD_PACKING, MISSING, OUT_OF_RANGE, PACKED_ABOVE_MAX } kind;

/* A small school.nc-like file: aligned headings along x, positions on a line. */
static void write_file(const char *path, kind k)
{
    int nc, dt, df, ds, vp, vv;
    assert_int_equal(nc_create(path, NC_NETCDF4 | NC_CLOBBER, &nc), NC_NOERR);
    assert_int_equal(nc_def_dim(nc, "time", k == UNWRITTEN ? NC_UNLIMITED : T, &dt), NC_NOERR);
    assert_int_equal(nc_def_dim(nc, "fish", F, &df), NC_NOERR);
    assert_int_equal(nc_def_dim(nc, "spatial", 3, &ds), NC_NOERR);
    int d[3] = {dt, df, ds}, sw[3] = {df, dt, ds};
    /* PACKED: GOOD's values as integers in units of 0.01 (CF scale_factor) */
    const int packed = k == PACKED || k == BAD_PACKING || k == PACKED_ABOVE_MAX;
    const nc_type vtype = packed ? NC_INT : NC_DOUBLE;
    assert_int_equal(nc_def_var(nc, "positions", vtype, 3, k == SWAPPED ? sw : d, &vp), NC_NOERR);
    assert_int_equal(nc_def_var(nc, "velocities", vtype, 3, k == SWAPPED ? sw : d, &vv), NC_NOERR);
    const double unit = 0.01, zero = 0.0;
    for (int j = 0; j < 2 && packed; j++)
        assert_int_equal(nc_put_att_double(nc, j ? vv : vp, "scale_factor", NC_DOUBLE, 1,
                                           k == BAD_PACKING && j ? &zero : &unit), NC_NOERR);
    /* CF missing-data attributes: a missing_value marker among the positions,
     * a velocity outside valid_range, and packed positions above a valid_max
     * given in unpacked units (a double attribute of an integer variable) */
    const double missing = -999.0, vrange[2] = {-5.0, 5.0}, vmax = 8.0;
    if (k == MISSING)
        assert_int_equal(nc_put_att_double(nc, vp, "missing_value", NC_DOUBLE, 1, &missing), NC_NOERR);
    if (k == OUT_OF_RANGE)
        assert_int_equal(nc_put_att_double(nc, vv, "valid_range", NC_DOUBLE, 2, vrange), NC_NOERR);
    if (k == PACKED_ABOVE_MAX)
        assert_int_equal(nc_put_att_double(nc, vp, "valid_max", NC_DOUBLE, 1, &vmax), NC_NOERR);
    /* a time with a NaN, or on a dimension of its own (2 entries for 4 frames) */
    int vt, d2;
    if (k == SHORT_TIME)
        assert_int_equal(nc_def_dim(nc, "t2", 2, &d2), NC_NOERR);
    if (k == NAN_TIME || k == SHORT_TIME)
        assert_int_equal(nc_def_var(nc, "time", NC_DOUBLE, 1, k == SHORT_TIME ? &d2 : &dt, &vt),
                         NC_NOERR);
    double box = 10.0;
    /* several values: box_size of a box that is not a cube, a list of seeds */
    double box3[3] = {10.0, 20.0, 30.0};
    unsigned long long seeds[8] = {5, 6, 7, 8, 9, 10, 11, 12};
    if (k == TEXT_BOX)
        assert_int_equal(nc_put_att_text(nc, NC_GLOBAL, "box_size", 2, "10"), NC_NOERR);
    else if (k == BOX3)
        assert_int_equal(nc_put_att_double(nc, NC_GLOBAL, "box_size", NC_DOUBLE, 3, box3), NC_NOERR);
    else
        assert_int_equal(nc_put_att_double(nc, NC_GLOBAL, "box_size", NC_DOUBLE, 1, &box), NC_NOERR);
    if (k == SEEDS) {
        assert_int_equal(nc_put_att_text(nc, NC_GLOBAL, "esuite_version", 5, "0.0.9"), NC_NOERR);
        assert_int_equal(nc_put_att_ulonglong(nc, NC_GLOBAL, "seed", NC_UINT64, 8, seeds), NC_NOERR);
    }
    assert_int_equal(nc_enddef(nc), NC_NOERR);
    static double p[T * F * 3], v[T * F * 3];
    for (size_t i = 0; i < T * F * 3; i++) {
        p[i] = (double)(i % 29) * 0.3;
        v[i] = i % 3 == 0 ? 1.0 : 0.0;
    }
    if (k == NAN_FRAME)
        p[2 * F * 3 + 4] = NAN;
    if (k == MISSING) /* last frame, fish 3, y */
        p[3 * F * 3 + 10] = missing;
    if (k == OUT_OF_RANGE) /* last frame, fish 2, x */
        v[3 * F * 3 + 6] = 1e30;
    for (size_t i = 0; i < T * F * 3 && packed; i++) { /* exact in units of 0.01 */
        p[i] = (double)(i % 29) * 30.0;
        v[i] *= 100.0;
    }
    size_t st[3] = {0, 0, 0}, cnt[3] = {k == UNWRITTEN ? 2 : T, F, 3};
    if (k == SWAPPED) {
        cnt[0] = F;
        cnt[1] = T;
    }
    assert_int_equal(nc_put_vara_double(nc, vp, st, cnt, p), NC_NOERR);
    if (k == UNWRITTEN) { /* velocities of all 4 frames, positions of 2 */
        cnt[0] = T;
    }
    assert_int_equal(nc_put_vara_double(nc, vv, st, cnt, v), NC_NOERR);
    const double times[T] = {0.0, NAN, 0.2, 0.3};
    if (k == NAN_TIME || k == SHORT_TIME)
        assert_int_equal(nc_put_var_double(nc, vt, times), NC_NOERR);
    assert_int_equal(nc_close(nc), NC_NOERR);
}

/* Run school-metrics [--json] FILE with stdout captured; returns the exit status. */
static int run_cli(const char *path, int json, char *out, size_t len)
{
    char cap[] = "/tmp/esuite-smcli-XXXXXX";
    int fd = mkstemp(cap);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    char *argv[] = {"school-metrics", json ? "--json" : (char *)path, (char *)path, NULL};
    int argc = json ? 3 : 2;
    int rc = es_school_metrics_main(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, len - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(cap);
    return rc;
}

static void expect_refused(kind k, const char *needle)
{
    char path[] = "/tmp/esuite-smcli-in-XXXXXX", out[4096];
    int fd = mkstemp(path);
    close(fd);
    write_file(path, k);
    for (int json = 0; json < 2; json++) {
        assert_int_equal(run_cli(path, json, out, sizeof out), 2);
        assert_string_equal(out, "");
        assert_non_null(strstr(es_error_message(), path));
        if (!strstr(es_error_message(), needle))
            fail_msg("'%s' lacks '%s'", es_error_message(), needle);
    }
    unlink(path);
}

static void test_good_file(void **state)
{
    (void)state;
    char path[] = "/tmp/esuite-smcli-in-XXXXXX", out[8192];
    close(mkstemp(path));
    write_file(path, GOOD);
    assert_int_equal(run_cli(path, 0, out, sizeof out), 0);
    /* header (3 lines: the file, the provenance, the columns) and 4 rows, each with
     * P = 1 (aligned along x); the file has no esuite provenance attributes */
    int lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 3 + T);
    assert_non_null(strstr(out, "\n# esuite school-metrics " ESUITE_VERSION " (git " ESUITE_GIT_REVISION
                                "); input without esuite provenance attributes\n# time "));
    const char *row = strstr(out, "\n0 ");
    assert_non_null(row);
    assert_true(strncmp(row, "\n0 1 ", 5) == 0);
    unlink(path);
}

static void test_nan_frame(void **state)
{
    (void)state;
    expect_refused(NAN_FRAME, "frame 2: school metrics: fish 1 has a non-finite position y = nan");
}

static void test_swapped(void **state)
{
    (void)state;
    expect_refused(SWAPPED, "variable 'positions' has dimensions (fish, time, spatial), expected "
                            "(time, fish, spatial)");
}

static void test_unwritten(void **state)
{
    (void)state;
    expect_refused(UNWRITTEN, "frame 2: positions of fish 0 hold the fill value");
}

static void test_text_box(void **state)
{
    (void)state;
    expect_refused(TEXT_BOX, "global attribute box_size is text, not a number; pass --box L");
}

/* box_size = 10, 20, 30 was read into one double (the other two written past
 * it) and taken for a cube of side 10 */
static void test_box_of_three_values(void **state)
{
    (void)state;
    expect_refused(BOX3, "global attribute box_size has 3 values, expected one number (the side of "
                         "the periodic cube); pass --box L");
}

/* a seed attribute of 8 values crashed the provenance line (written past one
 * unsigned long long); it is not one seed, so it is shown as unknown */
static void test_seed_of_several_values(void **state)
{
    (void)state;
    char path[] = "/tmp/esuite-smcli-in-XXXXXX", out[8192];
    close(mkstemp(path));
    write_file(path, SEEDS);
    assert_int_equal(run_cli(path, 0, out, sizeof out), 0);
    assert_non_null(strstr(out, "; input written by esuite 0.0.9 (git unknown), model ?, run '', seed ?;"));
    assert_int_equal(run_cli(path, 1, out, sizeof out), 0);
    assert_non_null(strstr(out, "\"input_esuite_version\":\"0.0.9\""));
    assert_non_null(strstr(out, "\"input_seed\":null}"));
    unlink(path);
}

/* a NaN time was left out of the JSON array (json_real(NaN) is NULL): 3
 * times for 4 frames, each after the first paired with the frame before */
static void test_nan_time(void **state)
{
    (void)state;
    expect_refused(NAN_TIME, ": frame 1: time = nan is not a finite number");
}

/* a time on its own dimension gave its 2 values, then frame indices 2, 3 */
static void test_time_of_another_dimension(void **state)
{
    (void)state;
    expect_refused(SHORT_TIME, ": variable 'time' is not a number per frame (expected numbers on "
                               "the dimension 'time' of positions)");
}

/* The spread (3rd column) of the first row of a school-metrics table. */
static double first_spread(const char *out)
{
    const char *row = strstr(out, "\n0 ");
    assert_non_null(row);
    double t, P, M, sp;
    assert_int_equal(sscanf(row, "%lf %lf %lf %lf", &t, &P, &M, &sp), 4);
    return sp;
}

/* CF-packed positions (integers with scale_factor 0.01) were read as
 * coordinates of 0..840 in a box of 10: "fish 0 has y = 30, outside the
 * periodic box", and with --open wrong numbers. They are unpacked now, as
 * for init = file; a zero scale_factor is refused. */
static void test_packed(void **state)
{
    (void)state;
    char path[] = "/tmp/esuite-smcli-in-XXXXXX", out[8192];
    close(mkstemp(path));
    write_file(path, GOOD);
    assert_int_equal(run_cli(path, 0, out, sizeof out), 0);
    double want = first_spread(out);
    write_file(path, PACKED);
    assert_int_equal(run_cli(path, 0, out, sizeof out), 0);
    assert_true(strstr(out, "\n0 1 ") != NULL); /* P = 1: aligned along x */
    assert_float_equal(first_spread(out), want, 1e-12);
    unlink(path);
    expect_refused(BAD_PACKING, ": variable 'velocities': unusable packing (scale_factor 0, "
                                "add_offset 0)");
}

/* missing_value and valid_range on positions / velocities were ignored:
 * -999 and 1e30 were analysed as coordinates ("fish 3 has y = -999,
 * outside the periodic box", or with --open a spread of 300), and so were
 * packed positions up to 8.4 past a valid_max of 8 (in unpacked units, as
 * a double attribute of an integer variable is). The series reader's checks
 * apply now, naming frame, variable and index. */
static void test_missing_and_valid_range(void **state)
{
    (void)state;
    /* named by frame, fish and axis (flat index 10 = 3·3 + 1, 6 = 3·2 + 0, 27 = 3·9 + 0) */
    expect_refused(MISSING, "frame 3: positions: missing value (missing_value -999) at fish 3, "
                            "axis y");
    expect_refused(OUT_OF_RANGE, "frame 3: velocities: value 1e+30 at fish 2, axis x is outside "
                                 "valid_range [-5, 5] (missing or invalid data)");
    expect_refused(PACKED_ABOVE_MAX, "frame 0: positions: value 8.1 at fish 9, axis x is above "
                                     "valid_max 8 (missing or invalid data)");
}

/* metrics.NAME.final of a summary.json. */
static double summary_final(const char *path, const char *name)
{
    json_t *root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    json_t *v = json_object_get(json_object_get(json_object_get(root, "metrics"), name), "final");
    assert_true(json_is_real(v));
    double x = json_real_value(v);
    json_decref(root);
    return x;
}

/* init = file from the last frame of PATH, n_steps = 0: the run's status */
static int run_from(const char *path, const char *outdir)
{
    char text[600];
    snprintf(text, sizeof text, "[run]\nmodel = school\n[school]\nn_fish = %d\nbox_size = 10\n"
                                "n_steps = 0\ninit = file\ninit_file = %s\n", F, path);
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg = NULL;
    assert_int_equal(es_config_load_string(text, "init.ini", schemas, NULL, 0, &cfg), 0);
    es_run_ctx ctx = {.cfg = cfg, .output_dir = outdir, .threads = 1, .seed = 1, .quiet = true};
    int rc = es_model_school.run(&ctx);
    es_config_free(cfg);
    return rc;
}

static void test_init_file(void **state)
{
    (void)state;
    char path[] = "/tmp/esuite-smcli-in-XXXXXX", out[] = "/tmp/esuite-smcli-out-XXXXXX";
    close(mkstemp(path));
    assert_non_null(mkdtemp(out));
    const struct {
        kind k;
        const char *needle;
    } bad[] = {{SWAPPED, "variable 'positions' has dimensions (fish, time, spatial), expected"},
               {UNWRITTEN, "last frame, fish 0: the fill value (frame never written"},
               {BAD_PACKING, "variable 'velocities': unusable packing (scale_factor 0, add_offset 0)"},
               {MISSING, "last frame: positions: missing value (missing_value -999) at fish 3, "
                         "axis y"},
               {OUT_OF_RANGE, "last frame: velocities: value 1e+30 at fish 2, axis x is outside "
                              "valid_range [-5, 5]"},
               {PACKED_ABOVE_MAX, "last frame: positions: value 8.1 at fish 8, axis x is above "
                                  "valid_max 8"}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        write_file(path, bad[c].k);
        assert_int_equal(run_from(path, out), ES_ECONFIG);
        if (!strstr(es_error_message(), bad[c].needle) ||
            !strstr(es_error_message(), "key 'school.init_file'"))
            fail_msg("'%s' lacks '%s'", es_error_message(), bad[c].needle);
        char sum[300];
        snprintf(sum, sizeof sum, "%s/summary.json", out);
        assert_int_equal(access(sum, F_OK), -1); /* nothing written */
    }
    write_file(path, GOOD);
    assert_int_equal(run_from(path, out), 0);
    /* packed, the same state (to rounding): the same P and spread */
    char f[300];
    snprintf(f, sizeof f, "%s/summary.json", out);
    double P = summary_final(f, "polarization"), sp = summary_final(f, "spread");
    write_file(path, PACKED);
    assert_int_equal(run_from(path, out), 0);
    assert_float_equal(summary_final(f, "polarization"), P, 1e-12);
    assert_float_equal(summary_final(f, "spread"), sp, 1e-12);
    assert_true(sp > 1.0);
    snprintf(f, sizeof f, "%s/summary.json", out);
    unlink(f);
    snprintf(f, sizeof f, "%s/school.nc", out);
    unlink(f);
    rmdir(out);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file), cmocka_unit_test(test_nan_frame),
        cmocka_unit_test(test_swapped), cmocka_unit_test(test_unwritten),
        cmocka_unit_test(test_text_box),  cmocka_unit_test(test_init_file),
        cmocka_unit_test(test_box_of_three_values), cmocka_unit_test(test_seed_of_several_values),
        cmocka_unit_test(test_nan_time), cmocka_unit_test(test_time_of_another_dimension),
        cmocka_unit_test(test_packed), cmocka_unit_test(test_missing_and_valid_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
