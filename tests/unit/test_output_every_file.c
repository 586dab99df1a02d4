/* Every output file carries its provenance — config, seed, version and git
 * revision — also those written outside `esuite run`: the HDF5 and NetCDF
 * files of `esuite ordinal --output` (whose options are its config, and whose
 * --seed drives generated noise). Read back with the plain HDF5 / NetCDF APIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <getopt.h>
#include <hdf5.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/commands.h"
#include "esuite_version.h"

#define TEST_TMPDIR_NAME "esuite_test_every_file"
#include "test_tmpdir.h"
#include "test_h5.h"

/* Runs an esuite subcommand in this process (getopt rescans from the start). */
static int run_cmd(int (*cmd)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    optind = 0;
    return cmd(argc, argv);
}

/* A variable-length UTF-8 string attribute of the HDF5 root group (caller frees). */
static char *h5_text(hid_t f, const char *name)
{
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *v = NULL;
    assert_true(H5Aread(a, t, &v) >= 0);
    char *copy = strdup(v);
    H5free_memory(v);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

/* A NetCDF global text attribute (caller frees). */
static char *nc_text(int nc, const char *name)
{
    size_t len;
    assert_int_equal(nc_inq_attlen(nc, NC_GLOBAL, name, &len), NC_NOERR);
    char *v = calloc(len + 1, 1);
    assert_int_equal(nc_get_att_text(nc, NC_GLOBAL, name, v), NC_NOERR);
    return v;
}

static const char ORDINAL_CONFIG[] = "; esuite ordinal options (resolved, defaults included)\n"
                                     "[ordinal]\norder = 4\ndelays = 1:3:1\ndt = 0.5\nseed = 7\n"
                                     "allow_short = false\n";

/* esuite ordinal --output: the seed given (it was recorded as 0) and the
 * options as the config (it was empty), in both formats. */
static void test_ordinal_output(void **state)
{
    (void)state;
    char h5[300], nc[300];
    snprintf(h5, sizeof h5, "%s/curve.h5", dir);
    snprintf(nc, sizeof nc, "%s/curve.nc", dir);
    for (int k = 0; k < 2; k++) {
        char *argv[] = {"ordinal", "--order", "4", "--delays", "1:3", "--dt", "0.5", "--seed", "7",
                        "--json", "--output", k ? nc : h5, "gen:white:3000", NULL};
        assert_int_equal(run_cmd(es_cmd_ordinal, argv), 0);
    }
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    unsigned long long seed = 0;
    hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_ULLONG, &seed) >= 0);
    H5Aclose(a);
    assert_int_equal(seed, 7);
    char *s = h5_text(f, "config");
    assert_string_equal(s, ORDINAL_CONFIG);
    free(s);
    s = h5_text(f, "esuite_version");
    assert_string_equal(s, ESUITE_VERSION);
    free(s);
    s = h5_text(f, "git_revision");
    assert_string_equal(s, ESUITE_GIT_REVISION);
    free(s);
    /* the series' order and length are integers, as in the NetCDF file */
    assert_h5_integer_attr(f, "/series_0", "order", 4);
    assert_h5_integer_attr(f, "/series_0", "samples", 3000);
    H5Fclose(f);

    int ncid;
    assert_int_equal(nc_open(nc, NC_NOWRITE, &ncid), NC_NOERR);
    seed = 0;
    assert_int_equal(nc_get_att_ulonglong(ncid, NC_GLOBAL, "seed", &seed), NC_NOERR);
    assert_int_equal(seed, 7);
    s = nc_text(ncid, "config");
    assert_string_equal(s, ORDINAL_CONFIG);
    free(s);
    s = nc_text(ncid, "git_revision");
    assert_string_equal(s, ESUITE_GIT_REVISION);
    free(s);
    /* the group's order and length, as in the HDF5 file (samples was missing) */
    int grp, order = 0;
    long long samples = 0;
    nc_type type;
    assert_int_equal(nc_inq_grp_ncid(ncid, "series_0", &grp), NC_NOERR);
    assert_int_equal(nc_get_att_int(grp, NC_GLOBAL, "order", &order), NC_NOERR);
    assert_int_equal(order, 4);
    assert_int_equal(nc_inq_atttype(grp, NC_GLOBAL, "samples", &type), NC_NOERR);
    assert_int_equal(type, NC_INT64);
    assert_int_equal(nc_get_att_longlong(grp, NC_GLOBAL, "samples", &samples), NC_NOERR);
    assert_int_equal(samples, 3000);
    nc_close(ncid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinal_output),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
