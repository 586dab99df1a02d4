/* HDF5 and NetCDF outputs read back with the plain HDF5 / NetCDF APIs:
 * es_h5_write_double data bit for bit, its units/long_name attributes,
 * chunking + shuffle + deflate(4) above 4096 elements and contiguous below;
 * every provenance attribute's text, the 64-bit seed and thread count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hdf5.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/output.h"
#include "esuite/series_io.h"
#include "esuite/status.h"
#include "esuite_version.h"

#define TEST_TMPDIR_NAME "esuite_test_output_prov"
#include "test_tmpdir.h"

#define SEED 18446744073709551557ULL /* largest 64-bit prime: needs all 64 bits */

static void fill_provenance(es_provenance *p)
{
    memset(p, 0, sizeof *p);
    p->model = "school";
    p->run_name = "torus";
    p->seed = SEED;
    p->threads = 7;
    p->config_path = "cases/torus.ini";
    p->config_ini = strdup("[run]\nmodel = school\nname = torus\n");
    p->overrides = strdup("school.N=200\n");
    snprintf(p->host, sizeof p->host, "node42");
    snprintf(p->start_time, sizeof p->start_time, "2026-11-23T10:00:00Z");
    snprintf(p->end_time, sizeof p->end_time, "2026-11-23T10:05:00Z");
    snprintf(p->command_line, sizeof p->command_line, "esuite run cases/torus.ini");
}

/* The expected text attributes (name, value), shared by both formats. */
static const char *const expected_text[][2] = {
    {"title", "esuite school run 'torus'"},
    {"source", "esuite " ESUITE_VERSION},
    {"esuite_version", ESUITE_VERSION},
    {"git_revision", ESUITE_GIT_REVISION},
    {"model", "school"},
    {"run_name", "torus"},
    {"host", "node42"},
    {"start_time", "2026-11-23T10:00:00Z"},
    {"end_time", "2026-11-23T10:05:00Z"},
    {"config_path", "cases/torus.ini"},
    {"config", "[run]\nmodel = school\nname = torus\n"},
    {"overrides", "school.N=200\n"},
    {"command_line", "esuite run cases/torus.ini"},
    {"history", "2026-11-23T10:00:00Z: esuite run cases/torus.ini (esuite " ESUITE_VERSION
                ", git " ESUITE_GIT_REVISION ")"},
};
#define N_TEXT (sizeof expected_text / sizeof expected_text[0])

/* Read a scalar string attribute (variable or fixed length) into buf. */
static void h5_attr_text(hid_t obj, const char *name, char *buf, size_t len)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t ft = H5Aget_type(a);
    assert_int_equal(H5Tget_class(ft), H5T_STRING);
    assert_true(H5Tis_variable_str(ft) > 0);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(a, mt, &s) >= 0);
    snprintf(buf, len, "%s", s);
    H5free_memory(s);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Aclose(a);
}

static void test_h5_datasets_and_provenance(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.h5", dir);
    enum { BIG = 10000, SMALL = 100, ROWS = 300, COLS = 50 };
    static double big[BIG], small[SMALL], grid[ROWS * COLS];
    for (int i = 0; i < BIG; i++)
        big[i] = sin(0.001 * i) / 3.0;
    for (int i = 0; i < SMALL; i++)
        small[i] = 0.1 * i;
    for (int i = 0; i < ROWS * COLS; i++)
        grid[i] = (double)i / 7.0;

    es_provenance p;
    fill_provenance(&p);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(es_output_h5_provenance(f, &p), ES_OK);
    assert_int_equal(es_output_h5_provenance(f, &p), ES_OK); /* rewriting replaces */
    unsigned long long nb = BIG, ns = SMALL, ng[2] = {ROWS, COLS};
    assert_int_equal(es_h5_write_double(f, "big", 1, &nb, big, "m", "a long series"), ES_OK);
    assert_int_equal(es_h5_write_double(f, "small", 1, &ns, small, "s", "a short one"), ES_OK);
    assert_int_equal(es_h5_write_double(f, "grid", 2, ng, grid, "1", "a matrix"), ES_OK);
    assert_int_equal(es_h5_write_attr_double(f, "dt", 0.01), ES_OK);
    H5Fclose(f);
    es_provenance_free(&p);

    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    /* data, bit for bit */
    static double back[ROWS * COLS];
    struct {
        const char *name;
        const double *want;
        size_t n;
        int chunked;
        const char *units, *long_name;
    } ds[] = {{"big", big, BIG, 1, "m", "a long series"},
              {"small", small, SMALL, 0, "s", "a short one"},
              {"grid", grid, ROWS * COLS, 1, "1", "a matrix"}};
    for (int k = 0; k < 3; k++) {
        hid_t d = H5Dopen2(f, ds[k].name, H5P_DEFAULT);
        assert_true(d >= 0);
        assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
        assert_memory_equal(back, ds[k].want, ds[k].n * sizeof(double));
        hid_t t = H5Dget_type(d);
        assert_true(H5Tequal(t, H5T_IEEE_F64LE) > 0);
        H5Tclose(t);
        char text[256];
        h5_attr_text(d, "units", text, sizeof text);
        assert_string_equal(text, ds[k].units);
        h5_attr_text(d, "long_name", text, sizeof text);
        assert_string_equal(text, ds[k].long_name);
        hid_t dcpl = H5Dget_create_plist(d);
        if (ds[k].chunked) {
            assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
            hsize_t chunk[2] = {0, 0};
            int rank = H5Pget_chunk(dcpl, 2, chunk);
            if (k == 0) {
                assert_int_equal(rank, 1);
                assert_true(chunk[0] == BIG); /* whole series fits one 65536 chunk */
            } else {
                assert_int_equal(rank, 2);
                assert_true(chunk[1] == COLS && chunk[0] == ROWS); /* 15000 <= 65536 */
            }
            assert_int_equal(H5Pget_nfilters(dcpl), 2);
            unsigned flags, cd[4];
            size_t ncd = 4;
            assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL),
                             H5Z_FILTER_SHUFFLE);
            ncd = 4;
            assert_int_equal(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL),
                             H5Z_FILTER_DEFLATE);
            assert_int_equal(cd[0], 4); /* deflate level */
        } else {
            assert_int_equal(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
            assert_int_equal(H5Pget_nfilters(dcpl), 0);
        }
        H5Pclose(dcpl);
        H5Dclose(d);
    }
    /* provenance on the root group */
    for (size_t i = 0; i < N_TEXT; i++) {
        char text[512];
        h5_attr_text(f, expected_text[i][0], text, sizeof text);
        assert_string_equal(text, expected_text[i][1]);
    }
    unsigned long long seed = 0;
    hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
    hid_t at = H5Aget_type(a);
    assert_true(H5Tequal(at, H5T_STD_U64LE) > 0);
    assert_true(H5Aread(a, H5T_NATIVE_ULLONG, &seed) >= 0);
    H5Tclose(at);
    H5Aclose(a);
    assert_true(seed == SEED);
    int threads = 0;
    a = H5Aopen(f, "threads", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_INT, &threads) >= 0);
    H5Aclose(a);
    assert_int_equal(threads, 7);
    double dt = 0;
    a = H5Aopen(f, "dt", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &dt) >= 0);
    H5Aclose(a);
    assert_true(dt == 0.01);
    H5Fclose(f);

    /* and the series reader agrees */
    char spec[600];
    es_series s;
    snprintf(spec, sizeof spec, "%s:/big", path);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == BIG);
    assert_memory_equal(s.x, big, sizeof big);
    es_series_free(&s);
}

static void nc_text(int nc, const char *name, char *buf, size_t len)
{
    size_t n = 0;
    nc_type t;
    assert_int_equal(nc_inq_att(nc, NC_GLOBAL, name, &t, &n), NC_NOERR);
    assert_int_equal(t, NC_CHAR);
    assert_true(n < len);
    assert_int_equal(nc_get_att_text(nc, NC_GLOBAL, name, buf), NC_NOERR);
    buf[n] = '\0';
}

static void test_nc_provenance(void **state)
{
    (void)state;
    es_provenance p;
    fill_provenance(&p);
    const int modes[2] = {NC_NETCDF4, NC_64BIT_OFFSET};
    for (int m = 0; m < 2; m++) {
        char path[512];
        snprintf(path, sizeof path, "%s/out%d.nc", dir, m);
        int nc, dim, var;
        assert_int_equal(nc_create(path, NC_CLOBBER | modes[m], &nc), NC_NOERR);
        assert_int_equal(nc_def_dim(nc, "time", 3, &dim), NC_NOERR);
        assert_int_equal(nc_def_var(nc, "x", NC_DOUBLE, 1, &dim, &var), NC_NOERR);
        if (m == 1) /* called in data mode: it re-enters define mode itself */
            assert_int_equal(nc_enddef(nc), NC_NOERR);
        assert_int_equal(es_output_nc_provenance(nc, &p), ES_OK);
        if (m == 0)
            assert_int_equal(nc_enddef(nc), NC_NOERR);
        const double x[3] = {0.1, 0.2, 0.30000000000000004};
        assert_int_equal(nc_put_var_double(nc, var, x), NC_NOERR);
        assert_int_equal(nc_close(nc), NC_NOERR);

        assert_int_equal(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
        char text[512];
        nc_text(nc, "Conventions", text, sizeof text);
        assert_string_equal(text, "CF-1.8");
        for (size_t i = 0; i < N_TEXT; i++) {
            nc_text(nc, expected_text[i][0], text, sizeof text);
            assert_string_equal(text, expected_text[i][1]);
        }
        if (m == 0) { /* NetCDF-4: a real unsigned 64-bit attribute */
            unsigned long long seed = 0;
            nc_type t;
            assert_int_equal(nc_inq_atttype(nc, NC_GLOBAL, "seed", &t), NC_NOERR);
            assert_int_equal(t, NC_UINT64);
            assert_int_equal(nc_get_att_ulonglong(nc, NC_GLOBAL, "seed", &seed), NC_NOERR);
            assert_true(seed == SEED);
        } else { /* classic: exact decimal text */
            nc_text(nc, "seed", text, sizeof text);
            assert_string_equal(text, "18446744073709551557");
        }
        int threads = 0;
        assert_int_equal(nc_get_att_int(nc, NC_GLOBAL, "threads", &threads), NC_NOERR);
        assert_int_equal(threads, 7);
        double back[3];
        assert_int_equal(nc_get_var_double(nc, var, back), NC_NOERR);
        assert_memory_equal(back, x, sizeof x);
        nc_close(nc);
    }
    es_provenance_free(&p);
}

/* A long history (about 60 earlier runs, 12 KB) is written whole: a fixed
 * 8 KiB buffer cut its end, this run's own line, off. */
static void test_long_history(void **state)
{
    (void)state;
    es_provenance p;
    fill_provenance(&p);
    size_t nlines = 60, linelen = 200, blen = nlines * linelen;
    char *before = malloc(blen + 1);
    assert_non_null(before);
    for (size_t i = 0; i < nlines; i++) {
        memset(before + i * linelen, 'a' + (int)(i % 26), linelen - 1);
        before[i * linelen + linelen - 1] = '\n';
    }
    before[blen - 1] = '\0'; /* the last line without its newline */
    p.history_before = before;
    const char *own = expected_text[N_TEXT - 1][1];
    size_t want = strlen(before) + 1 + strlen(own);
    char path[512];
    snprintf(path, sizeof path, "%s/long.h5", dir);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(es_output_h5_provenance(f, &p), ES_OK);
    H5Fclose(f);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char *text = malloc(want + 64);
    assert_non_null(text);
    h5_attr_text(f, "history", text, want + 64);
    H5Fclose(f);
    assert_int_equal(strlen(text), want);
    assert_memory_equal(text, before, strlen(before));
    assert_string_equal(text + strlen(before) + 1, own);
    snprintf(path, sizeof path, "%s/long.nc", dir);
    int nc;
    assert_int_equal(nc_create(path, NC_CLOBBER | NC_NETCDF4, &nc), NC_NOERR);
    assert_int_equal(es_output_nc_provenance(nc, &p), ES_OK);
    assert_int_equal(nc_close(nc), NC_NOERR);
    assert_int_equal(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
    nc_text(nc, "history", text, want + 64);
    nc_close(nc);
    assert_int_equal(strlen(text), want);
    assert_string_equal(text + strlen(before) + 1, own);
    free(text);
    es_provenance_free(&p); /* frees history_before */
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h5_datasets_and_provenance),
        cmocka_unit_test(test_nc_provenance),
        cmocka_unit_test(test_long_history),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
