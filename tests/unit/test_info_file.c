/* esuite info FILE on attributes the suite does not write itself but another
 * tool may add (h5py, ncatted): several strings in one attribute (HDF5 arrays
 * of variable- and fixed-length strings, NetCDF-4 NC_STRING of length > 1)
 * print as a comma-separated list, and numeric arrays print every value. The
 * shell cannot write such a file here (no ncgen, no h5py), so this test writes
 * it with the HDF5/NetCDF C API and calls es_info_print_file. A summary.json's
 * arrays print the same way. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hdf5.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/info_file.h"

#define TEST_TMPDIR_NAME "esuite-info-file"
#include "test_tmpdir.h"

/* es_info_print_file(path) with stdout captured into out. */
static int info_capture(const char *path, char *out, size_t len)
{
    char cap[300];
    snprintf(cap, sizeof cap, "%s/stdout.txt", dir);
    FILE *f = fopen(cap, "w+");
    assert_non_null(f);
    fflush(stdout);
    int saved = dup(1);
    dup2(fileno(f), 1);
    int rc = es_info_print_file(path);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(f);
    size_t n = fread(out, 1, len - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(cap);
    return rc;
}

/* The line of `out` for attribute `name` (name, blanks, value), or fail. */
static void expect_line(const char *out, const char *name, const char *value)
{
    char want[512];
    snprintf(want, sizeof want, "\n%-18s %s\n", name, value);
    if (!strstr(out, want))
        fail_msg("no line '%-18s %s' in:\n%s", name, value, out);
}

static void h5_attr(hid_t f, const char *name, hid_t type, hsize_t n, const void *data)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, type, data) >= 0);
    H5Aclose(a);
    H5Sclose(sp);
}

static void test_hdf5_string_and_number_arrays(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/lists.h5", dir);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t vt = H5Tcopy(H5T_C_S1);
    H5Tset_size(vt, H5T_VARIABLE);
    const char *tags[3] = {"alpha", "b, c", ""};
    h5_attr(f, "tags", vt, 3, tags);
    const char *quoted[2] = {"say \"hi\"", " padded"};
    h5_attr(f, "quoted", vt, 2, quoted);
    const char *one[1] = {"just one, with a comma"};
    h5_attr(f, "single", vt, 1, one);
    hid_t ft = H5Tcopy(H5T_C_S1);
    H5Tset_size(ft, 6);
    char fixed[18] = "one\0\0\0two\0\0\0three";
    h5_attr(f, "fixed", ft, 3, fixed);
    double d[3] = {1.5, 0.1, -3};
    h5_attr(f, "weights", H5T_NATIVE_DOUBLE, 3, d);
    int iv[4] = {1, -2, 3, 2147483647};
    h5_attr(f, "counts", H5T_NATIVE_INT, 4, iv);
    long long big[2] = {9007199254740993LL, -5};
    h5_attr(f, "bigs", H5T_NATIVE_LLONG, 2, big);
    H5Tclose(vt);
    H5Tclose(ft);
    H5Fclose(f);

    char out[8192];
    assert_int_equal(info_capture(path, out, sizeof out), 0);
    expect_line(out, "tags", "alpha, \"b, c\", \"\"");
    expect_line(out, "quoted", "\"say \\\"hi\\\"\", \" padded\"");
    expect_line(out, "single", "just one, with a comma"); /* one value: as it is */
    expect_line(out, "fixed", "one, two, three");
    expect_line(out, "weights", "1.5 0.10000000000000001 -3");
    expect_line(out, "counts", "1 -2 3 2147483647");
    expect_line(out, "bigs", "9007199254740993 -5");
}

static void test_netcdf_string_lists(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/lists.nc", dir);
    int nc;
    assert_int_equal(nc_create(path, NC_NETCDF4 | NC_CLOBBER, &nc), NC_NOERR);
    const char *models[3] = {"gas", "school", "orbits"};
    assert_int_equal(nc_put_att_string(nc, NC_GLOBAL, "models", 3, models), NC_NOERR);
    const char *lines[2] = {"first\nsecond", "back\\slash"};
    assert_int_equal(nc_put_att_string(nc, NC_GLOBAL, "notes", 2, lines), NC_NOERR);
    const char *model[1] = {"gas"};
    assert_int_equal(nc_put_att_string(nc, NC_GLOBAL, "model", 1, model), NC_NOERR);
    const char *cfg[1] = {"[run]\nmodel = gas\n"};
    assert_int_equal(nc_put_att_string(nc, NC_GLOBAL, "config", 1, cfg), NC_NOERR);
    float fl[2] = {0.5f, 2.0f};
    assert_int_equal(nc_put_att_float(nc, NC_GLOBAL, "range", NC_FLOAT, 2, fl), NC_NOERR);
    unsigned long long seeds[3] = {1, 18446744073709551615ULL, 7};
    assert_int_equal(nc_put_att_ulonglong(nc, NC_GLOBAL, "seeds", NC_UINT64, 3, seeds), NC_NOERR);
    assert_int_equal(nc_close(nc), NC_NOERR);

    char out[8192];
    assert_int_equal(info_capture(path, out, sizeof out), 0);
    expect_line(out, "model", "gas");
    expect_line(out, "models", "gas, school, orbits");
    expect_line(out, "notes", "\"first\\nsecond\", \"back\\\\slash\"");
    expect_line(out, "range", "0.5 2");
    expect_line(out, "seeds", "1 18446744073709551615 7");
    /* provenance (model) before the file's own attributes, the config last */
    const char *m = strstr(out, "\nmodel "), *ms = strstr(out, "\nmodels ");
    const char *c = strstr(out, "\nconfig:\n[run]\nmodel = gas\n");
    assert_non_null(c);
    assert_true(m && ms && m < ms && ms < c);
}

/* summary.json's provenance prints as the attributes do: a string array one
 * per line aligned (overrides), numbers space-separated, an empty array blank,
 * anything else as compact JSON. */
static void test_json_arrays_like_attributes(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"N\": 3, \"provenance\": {\"model\": \"gas\", \"overrides\": [\"gas.N=3\", "
          "\"run.threads=1\"], \"none\": [], \"values\": [1, 2.5, -3], "
          "\"mixed\": [1, \"a\"]}}\n", f);
    fclose(f);
    char out[4096];
    assert_int_equal(info_capture(path, out, sizeof out), 0);
    expect_line(out, "model", "gas");
    expect_line(out, "overrides", "gas.N=3\n                   run.threads=1");
    expect_line(out, "none", "");
    expect_line(out, "values", "1 2.5 -3");
    expect_line(out, "mixed", "[1,\"a\"]");
}

/* es_info_print_file(path) with stderr captured into err and stdout into out. */
static int info_capture_both(const char *path, char *out, char *err, size_t len)
{
    char cap[300];
    snprintf(cap, sizeof cap, "%s/stderr.txt", dir);
    FILE *f = fopen(cap, "w+");
    assert_non_null(f);
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(f), 2);
    int rc = info_capture(path, out, len);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    size_t n = fread(err, 1, len - 1, f);
    err[n] = '\0';
    fclose(f);
    unlink(cap);
    return rc;
}

/* A directory and JSON that is not an object get their own message, not
 * "cannot read it as HDF5, NetCDF or JSON"; nothing goes to stdout. */
static void test_directory_and_json_array_refused(void **state)
{
    (void)state;
    char path[300], out[4096], err[4096], want[700];
    snprintf(path, sizeof path, "%s/rundir", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(info_capture_both(path, out, err, sizeof out), 2);
    assert_string_equal(out, "");
    snprintf(want, sizeof want, "esuite: error: info: %s: is a directory, not an output file\n", path);
    assert_string_equal(err, want);
    char summary[400];
    snprintf(summary, sizeof summary, "%s/summary.json", path);
    FILE *f = fopen(summary, "w");
    assert_non_null(f);
    fputs("{\"provenance\": {\"model\": \"gas\"}}\n", f);
    fclose(f);
    assert_int_equal(info_capture_both(path, out, err, sizeof out), 2);
    assert_string_equal(out, "");
    snprintf(want, sizeof want, "esuite: error: info: %s: is a directory, not an output file (its run's "
             "provenance: esuite info %s)\n", path, summary);
    assert_string_equal(err, want);
    unlink(summary);
    rmdir(path);
    snprintf(path, sizeof path, "%s/list.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("\n  [{\"provenance\": {\"model\": \"gas\"}}]\n", f);
    fclose(f);
    assert_int_equal(info_capture_both(path, out, err, sizeof out), 2);
    assert_string_equal(out, "");
    snprintf(want, sizeof want, "esuite: error: info: %s: is JSON but not an esuite summary (top level is an "
             "array)\n", path);
    assert_string_equal(err, want);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdf5_string_and_number_arrays),
        cmocka_unit_test(test_netcdf_string_lists),
        cmocka_unit_test(test_json_arrays_like_attributes),
        cmocka_unit_test(test_directory_and_json_array_refused),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
