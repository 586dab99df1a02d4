/* The gas model adapter: config keys → run → gas.h5 and summary.json, and
 * config errors that name the key. Numbers are checked against the exact
 * finite-cell value of the collisionless expansion (spec gas.md §7.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"
#include "test_h5.h"

#define assert_close(a, b, tol)                                                                 \
    do {                                                                                        \
        double a_ = (a), b_ = (b), t_ = (tol);                                                  \
        if (!(fabs(a_ - b_) <= t_)) {                                                           \
            print_error("%s = %.10g, expected %.10g ± %.3g\n", #a, a_, b_, t_);                 \
            fail();                                                                             \
        }                                                                                       \
    } while (0)

extern const es_model es_model_gas;

static int run_text(const char *ini, const char *dir)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_gas.schema, NULL};
    es_config *cfg = NULL;
    int st = es_config_load_string(ini, "test.ini", schemas, NULL, 0, &cfg);
    if (st)
        return st;
    es_run_ctx ctx = {.cfg = cfg, .output_dir = dir, .threads = 2,
                      .seed = (unsigned long long)es_config_int(cfg, "run", "seed"), .quiet = true};
    st = es_model_gas.run(&ctx);
    es_config_free(cfg);
    return st;
}

/* Run `ini` into the fresh directory dir (a mkdtemp template) and load its
 * summary.json (the caller frees it and calls remove_dir). */
static json_t *run_summary(const char *ini, char *dir)
{
    assert_non_null(mkdtemp(dir));
    assert_int_equal(run_text(ini, dir), ES_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    json_error_t err;
    json_t *s = json_load_file(path, 0, &err);
    assert_non_null(s);
    return s;
}

static void remove_dir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Collisionless, lx = 1, strips dx = 0.1, dv = 0.5, sampled at u = 1 (t = 2):
 * exact finite-cell ΔS = 0.498718 (quadrature of §7.4 with this cell set),
 * tol 0.003 + K_occ/N; at t = 2 (t√T/lx = 2) N_R/N = 0.500000 (spec §10.3 item 9). */
static void test_collisionless_run(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite-gas-test-XXXXXX";
    const char *ini = "[run]\nmodel = gas\nseed = 3\n"
                      "[gas]\nN = 100000\ndiameter = 0\nlx = 1\nly = 1000\nsampling = list\n"
                      "times = 0.25, 1, 2\nprofile_bins = 10\nrealizations = 2\n"
                      "[entropy]\ndx = 0.1, 0.05\ndy = 0\ndv = 0.5\nv_max = 6\n";
    json_t *s = run_summary(ini, dir);
    json_t *c0 = json_array_get(json_object_get(s, "cells"), 0);
    double occ = json_real_value(json_object_get(c0, "occupied_fraction"));
    assert_true(occ < 0.03);
    assert_close(json_real_value(json_object_get(c0, "dS_MM")), 0.498718, 0.003 + occ);
    assert_close(json_real_value(json_object_get(c0, "dS_MM_pooled")), 0.498718, 0.003 + occ / 2);
    assert_close(json_real_value(json_object_get(c0, "u_end")), 1.0, 1e-12);
    /* position-only: 10 strips, lx/2 filled → uniform: exactly ln 2 up to noise
     * (the free-streaming profile's slowest mode has decayed by e^{-2π²} = 3e-9
     * at t√T/lx = 2). Noise: Miller–Madow-corrected uniform-cell entropies
     * scatter by sqrt(2(K − 1))/(2N): 2.1e-5 (K = 10) and 1.4e-5 (K = 5) per
     * realization, 1.8e-5 for ΔS over 2; measured 3.3e-5. 2e-4 is 11 σ (it
     * was 0.005, which a 35 % density gradient, ΔS deficit a²/24, would pass). */
    assert_close(json_real_value(json_object_get(c0, "dS_position_MM")), log(2.0), 2e-4);
    assert_close(json_real_value(json_object_get(s, "n_right_fraction")), 0.5, 3.0 / sqrt(2e5) + 0.002);
    assert_true(json_real_value(json_object_get(s, "energy_drift")) < 1e-12);
    json_decref(s);

    /* gas.h5: N_R/N at t = 0.25 per realization (0.199464, tol 3/√N + 0.002),
     * and the closed-form column at u = 0.5 (t = 1): 0.25. */
    char path[256];
    snprintf(path, sizeof path, "%s/gas.h5", dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    double nr[8], cf[4];
    hid_t d = H5Dopen2(f, "/n_right", H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, nr) >= 0);
    H5Dclose(d);
    assert_close(nr[1], 0.199464, 3.0 / sqrt(1e5) + 0.002);
    assert_close(nr[4 + 1], 0.199464, 3.0 / sqrt(1e5) + 0.002);
    d = H5Dopen2(f, "/cells_0/dS_collisionless_limit", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, cf) >= 0);
    H5Dclose(d);
    assert_close(cf[2], 0.25, 1e-12);
    /* each cell-set group is self-describing: /time and /profiles through soft
     * links (the same values), the config and seed as its own attributes */
    double t[4], dens_root[40], dens_link[40]; /* t = 0 and the three listed; 10 bins */
    d = H5Dopen2(f, "/cells_1/time", H5P_DEFAULT);
    assert_true(d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) >= 0);
    H5Dclose(d);
    assert_true(t[0] == 0.0 && t[1] == 0.25 && t[2] == 1.0 && t[3] == 2.0);
    d = H5Dopen2(f, "/profiles/density", H5P_DEFAULT);
    assert_true(d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dens_root) >= 0);
    H5Dclose(d);
    d = H5Dopen2(f, "/cells_0/profiles/density", H5P_DEFAULT);
    assert_true(d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dens_link) >= 0);
    H5Dclose(d);
    assert_memory_equal(dens_root, dens_link, sizeof dens_root);
    unsigned long long seed = 0;
    hid_t a = H5Aopen_by_name(f, "/cells_1", "seed", H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_ULLONG, &seed) >= 0);
    H5Aclose(a);
    assert_int_equal(seed, 3);
    /* counts are integers in the file (they were stored as doubles) */
    assert_h5_integer_attr(f, "/", "N", 100000);
    assert_h5_integer_attr(f, "/", "realizations", 2);
    assert_true(H5Aexists_by_name(f, "/cells_0", "config", H5P_DEFAULT) > 0);
    assert_true(H5Aexists_by_name(f, "/cells_0", "git_revision", H5P_DEFAULT) > 0);
    H5Fclose(f);
    remove_dir(dir);
}

/* summary.json of a collisional run at η = 0.01 carries the reference values
 * of spec §10.4 item 16: ideal ln 2, Henderson 0.703266, Z_henderson 1.020317;
 * its cells are given as dy = full (strips). */
static void test_reference_summary(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite-gas-test-XXXXXX";
    const char *ini = "[run]\nmodel = gas\nseed = 5\n"
                      "[gas]\nN = 2000\npacking_fraction = 0.01\nequilibration_collisions = 1\n"
                      "sampling = list\ntimes = 10\nprofile_bins = 0\nplots = false\n"
                      "[entropy]\ndx = 0.25\ndy = full\ndv = 1\nv_max = 6\n";
    json_t *s = run_summary(ini, dir);
    assert_close(json_real_value(json_object_get(s, "eta")), 0.01, 1e-12);
    /* dy = full: strips of the whole height */
    json_t *c0 = json_array_get(json_object_get(s, "cells"), 0);
    assert_close(json_real_value(json_object_get(c0, "dy")), json_real_value(json_object_get(s, "ly")), 0.0);
    assert_close(json_real_value(json_object_get(s, "dS_ideal")), log(2.0), 1e-15);
    assert_close(json_real_value(json_object_get(s, "dS_thermo_henderson")), 0.703266, 1e-6);
    assert_close(json_real_value(json_object_get(s, "Z_henderson")), 1.020317, 1e-6);
    json_decref(s);
    remove_dir(dir);
}

/* A periodic box does not expand: its expected dS is 0 (it said ln 2 and
 * 0.703266, and /cells_0/dS_collisionless_limit held the expansion's closed
 * form, u/2 = 0.0126 at its u_end), and the measured one is 0 within the noise. */
static void test_periodic_summary(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite-gas-test-XXXXXX";
    const char *ini = "[run]\nmodel = gas\nseed = 5\n"
                      "[gas]\nN = 2000\npacking_fraction = 0.01\nbox = periodic\n"
                      "equilibration_collisions = 1\nsampling = list\ntimes = 10\nprofile_bins = 0\n"
                      "plots = false\n[entropy]\ndx = 0.25\ndy = full\ndv = 1\nv_max = 6\n";
    json_t *s = run_summary(ini, dir);
    assert_close(json_real_value(json_object_get(s, "dS_ideal")), 0.0, 0.0);
    assert_close(json_real_value(json_object_get(s, "dS_thermo_henderson")), 0.0, 0.0);
    json_t *c0 = json_array_get(json_object_get(s, "cells"), 0);
    /* 4 strips, N = 2000: two Miller–Madow estimates, each scattering by
     * sqrt(2·3)/(2N) = 6.1e-4, differ by 8.7e-4 (1 σ); measured 5.6e-4.
     * 0.005 is 5.7 σ (it was 0.01). */
    assert_close(json_real_value(json_object_get(c0, "dS_position_MM")), 0.0, 0.005);
    double u_end = json_real_value(json_object_get(c0, "u_end")), cf[2];
    assert_true(u_end > 0.0);
    char path[256];
    snprintf(path, sizeof path, "%s/gas.h5", dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "/cells_0/dS_collisionless_limit", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, cf) >= 0);
    H5Dclose(d);
    H5Fclose(f);
    assert_close(cf[0], 0.0, 0.0);
    assert_close(cf[1], 0.0, 0.0);
    json_decref(s);
    remove_dir(dir);
}

/* One disc never collides: it has no mean free path (null in summary.json,
 * as for diameter 0), where the Enskog value of its density was reported
 * (mean_free_path 27.3, knudsen 2.18 for this box). */
static void test_one_disc_scales(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite-gas-test-XXXXXX";
    const char *ini = "[run]\nmodel = gas\n[gas]\nN = 1\nequilibration_collisions = 0\nsampling = list\n"
                      "times = 1\nprofile_bins = 0\nplots = false\n";
    json_t *s = run_summary(ini, dir);
    assert_close(json_real_value(json_object_get(s, "eta")), 0.01, 1e-12);
    assert_true(json_is_null(json_object_get(s, "mean_free_path")));
    assert_true(json_is_null(json_object_get(s, "mean_free_time")));
    assert_true(json_is_null(json_object_get(s, "knudsen")));
    assert_close(json_real_value(json_object_get(s, "collision_frequency_enskog")), 0.0, 0.0);
    json_decref(s);
    remove_dir(dir);
}

/* Dataset `name` of gas.h5 in dir, n doubles into out. */
static void read_h5(const char *dir, const char *name, double *out, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/gas.h5", dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
}

/* A periodic box has no partition, so only 1/dx must be an integer: dx = 0.2
 * (0.5/dx = 2.5, refused before) runs. Collisionless discs uniform in the
 * unit box with Maxwell velocities: s_MM = ln(lx ly) + 2 s1(dv = 0.25) =
 * 2.843072 (spec gas.md §10.1 item 1, s1 from the exact bin sum of §4.3), the
 * position part ln 1 = 0 (five equal strips), at t = 0 and t = 1 alike. */
static void test_periodic_dx(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite-gas-test-XXXXXX";
    const char *ini = "[run]\nmodel = gas\nseed = 7\n"
                      "[gas]\nN = 200000\ndiameter = 0\nlx = 1\nly = 1\nbox = periodic\n"
                      "equilibration_collisions = 0\nsampling = list\ntimes = 1\nprofile_bins = 0\n"
                      "plots = false\n[entropy]\ndx = 0.2\ndy = full\ndv = 0.25\nv_max = 6\n";
    json_t *s = run_summary(ini, dir);
    json_decref(s);
    double sm[2], sx[2], occ[2];
    read_h5(dir, "/cells_0/s_MM", sm, 2);
    read_h5(dir, "/cells_0/s_position_MM", sx, 2);
    read_h5(dir, "/cells_0/occupied", occ, 2);
    for (int k = 0; k < 2; k++) {
        assert_close(sm[k], 2.843072, 0.01 + occ[k] / 200000);
        /* 5 equal strips, N = 2·10^5: scatter sqrt(2·4)/(2N) = 7.1e-6; measured
         * −4.1e-6 and −5.8e-7. 5e-5 is 7 σ (it was 1e-3, 140 σ). */
        assert_close(sx[k], 0.0, 5e-5);
    }
    remove_dir(dir);
}

/* The sampling grids of docs/gas.md: t = 0 first, then u uniform up to u_max
 * for the smallest dv, t_end·i/m (linear), or t_min·(t_end/t_min)^(i/(m−1))
 * (log); /cells_c/u = dv·t/lx. */
static void check_times(const char *sampling, const double *want, size_t n)
{
    char dir[] = "/tmp/esuite-gas-test-XXXXXX", ini[512], path[256];
    snprintf(ini, sizeof ini,
             "[run]\nmodel = gas\nseed = 2\n[gas]\nN = 1000\ndiameter = 0\nlx = 2\nly = 10\n%s"
             "profile_bins = 0\nplots = false\n[entropy]\ndx = 0.25\ndv = 0.5, 0.25\n", sampling);
    json_t *s = run_summary(ini, dir);
    json_decref(s);
    snprintf(path, sizeof path, "%s/gas.h5", dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    double t[8], u[8];
    hid_t d = H5Dopen2(f, "/time", H5P_DEFAULT), sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    d = H5Dopen2(f, "/cells_1/u", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, u) >= 0);
    H5Dclose(d);
    H5Fclose(f);
    for (size_t k = 0; k < n; k++) {
        assert_close(t[k], want[k], 1e-12 * (1.0 + want[k]));
        assert_close(u[k], 0.25 * want[k] / 2.0, 1e-12 * (1.0 + want[k]));
    }
    remove_dir(dir);
}

/* Deflate level of a dataset: 0 without the filter, -1 when contiguous. */
static int deflate_level(hid_t f, const char *name)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t pl = H5Dget_create_plist(d);
    int level = H5Pget_layout(pl) == H5D_CHUNKED ? 0 : -1;
    for (int i = 0; i < H5Pget_nfilters(pl); i++) {
        unsigned flags, cd[4];
        size_t ncd = 4;
        if (H5Pget_filter2(pl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE)
            level = (int)cd[0];
    }
    H5Pclose(pl);
    H5Dclose(d);
    return level;
}

/* [output] compression applies to gas.h5 as docs/config.md says (it was
 * ignored: always deflate 4): -1 the default 4, 0 none (contiguous), 9. The
 * 201 × 100 profile (20100 values) is above the 4096-value chunking threshold. */
static void test_compression_level(void **state)
{
    (void)state;
    const int levels[][2] = {{-1, 4}, {0, -1}, {9, 9}};
    for (size_t k = 0; k < 3; k++) {
        char dir[] = "/tmp/esuite-gas-test-XXXXXX", ini[512], path[256];
        snprintf(ini, sizeof ini,
                 "[run]\nmodel = gas\nseed = 2\n[output]\ncompression = %d\n[gas]\nN = 200\n"
                 "diameter = 0\nlx = 2\nly = 10\nsampling = linear\nsamples = 200\nt_end = 1\n"
                 "profile_bins = 100\nplots = false\n[entropy]\ndx = 0.25\ndv = 0.5\n",
                 levels[k][0]);
        json_t *s = run_summary(ini, dir);
        json_decref(s);
        snprintf(path, sizeof path, "%s/gas.h5", dir);
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        assert_true(f >= 0);
        assert_int_equal(deflate_level(f, "/profiles/density"), levels[k][1]);
        assert_int_equal(deflate_level(f, "/time"), -1); /* 201 values: contiguous */
        H5Fclose(f);
        remove_dir(dir);
    }
}

static void test_sampling_times(void **state)
{
    (void)state;
    /* u_max = 2 for dv = 0.25 and lx = 2: t_end = 16 */
    const double tu[] = {0.0, 4.0, 8.0, 12.0, 16.0};
    check_times("sampling = u\nu_max = 2\nsamples = 4\n", tu, 5);
    const double tl[] = {0.0, 1.0, 2.0, 3.0};
    check_times("sampling = linear\nt_end = 3\nsamples = 3\n", tl, 4);
    const double tg[] = {0.0, 0.1, 1.0, 10.0};
    check_times("sampling = log\nt_min = 0.1\nt_end = 10\nsamples = 3\n", tg, 4);
    /* one log sample is t_end, also below the default t_min = 0.1 (t_min is not read) */
    const double tg1[] = {0.0, 0.05};
    check_times("sampling = log\nt_end = 0.05\nsamples = 1\n", tg1, 2);
    const double ts[] = {0.0, 0.5, 7.0};
    check_times("sampling = list\ntimes = 0.5, 7\n", ts, 3);
}

static void expect_error(const char *ini, const char *needle)
{
    char dir[] = "/tmp/esuite-gas-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int st = run_text(ini, dir);
    assert_int_not_equal(st, ES_OK);
    if (!strstr(es_error_message(), needle)) {
        print_error("message '%s' lacks '%s'\n", es_error_message(), needle);
        fail();
    }
    char path[256];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    assert_int_not_equal(access(path, F_OK), 0); /* nothing that looks finished */
    rmdir(dir);
}

static void test_config_errors(void **state)
{
    (void)state;
    /* semantic errors name the file, the line and the key */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\n[entropy]\ndx = 0.3\n",
                 "test.ini:6: key 'entropy.dx': dx = 0.3 (set 1): 0.5/dx");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\nbox = periodic\n[entropy]\ndx = 0.3\n",
                 "test.ini:7: key 'entropy.dx': dx = 0.3 (set 1): 1/dx = 3.33333 must be an integer so that "
                 "the cells tile the periodic box");
    /* parallel lists of different lengths: the one given last is named */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\n[entropy]\ndx = 0.1, 0.05\ndv = 0.1, 0.2, 0.3\n",
                 "test.ini:7: key 'entropy.dv': dx has 2 values but dv has 3");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\n[entropy]\ndv = 0.1, 0.2, 0.3\ndx = 0.1, 0.05\n",
                 "test.ini:7: key 'entropy.dx': dx has 2 values but dv has 3");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\ndiameter = 0\n",
                 "test.ini:5: key 'gas.diameter': diameter = 0 (collisionless) needs an explicit box");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\npacking_fraction = 0.1\nknudsen = 0.1\n",
                 "test.ini:6: key 'gas.knudsen': gas box: give exactly two");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 100\nlx = 50\n", "test.ini:5: key 'gas.lx': an explicit box");
    expect_error("[run]\nmodel = gas\n[gas]\nsampling = list\ntimes = 5, 1\n",
                 "test.ini:5: key 'gas.times': the list must be increasing");
    /* one disc never collides: refused instead of equilibrating for ever; the
     * default equilibration_collisions has no line, so N = 1 (line 4) is named */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 1\n",
                 "test.ini:4: key 'gas.N': equilibration_collisions = 10 needs collisions, and a single disc "
                 "(N = 1) has no other disc to collide with; give N >= 2, or equilibration_collisions = 0");
    /* nor has it a mean free path: a Knudsen number cannot set its box (it was
     * accepted with equilibration_collisions = 0, and reported a finite Kn) */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 1\npacking_fraction = 0\nknudsen = 1\n"
                 "equilibration_collisions = 0\n",
                 "test.ini:6: key 'gas.knudsen': gas box: knudsen = 1 needs N >= 2: a single disc never collides");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 0\nknudsen = 2.2\nequilibration_collisions = 0\n",
                 "test.ini:5: key 'gas.knudsen': gas box: packing_fraction 0.01 and knudsen 2.2 give 0.983 discs; "
                 "a Knudsen number needs N >= 2");
    /* a Knudsen number that asks for more discs than the limit */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 0\npacking_fraction = 0.01\nknudsen = 2e-4\n",
                 "test.ini:6: key 'gas.knudsen': packing_fraction = 0.01 and knudsen = 0.0002 give N =");
    /* 30 discs in the 2.5×5 left half: η = 1.9, more than any packing; found
     * before insertion, and the last box key is blamed */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 30\nlx = 5\nly = 5\n",
                 "test.ini:6: key 'gas.ly': gas: impossible packing: 30 discs of diameter 1 (packing fraction "
                 "1.885) would cover 1.346 of the 3.5 x 5 their bodies can reach at t = 0");
    /* 18 discs there (η = 1.131, 0.808 of the 3.5 x 5): below the densest
     * packing, but more than insertion reaches; refused before it (it used to
     * fail only in the run, after placing most of the discs) */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 18\nlx = 5\nly = 5\n",
                 "test.ini:6: key 'gas.ly': gas: impossible packing: 18 discs of diameter 1 (packing fraction "
                 "1.131) would cover 1.131 of the 2.5 x 5 their bodies can reach less sigma/2 at each wall, "
                 "more than the 0.4493 = 0.52 - 0.3/sqrt(N) that random sequential insertion reaches");
    /* below the jamming limit 0.547, but beyond what insertion reaches: the
     * schema's limit (it passed, and insertion failed in the run) */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 2000\npacking_fraction = 0.54\nequilibration_collisions = 0\n",
                 "test.ini:5: key 'gas.packing_fraction': value 0.54 is out of range (allowed range 0 .. 0.52)");
    /* boxes too small for their discs, explicit and derived */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 2\nbox = periodic\nlx = 2\nly = 10\n",
                 "test.ini:7: key 'gas.ly': gas: periodic box: lx = 2 must be at least 3 diameters (3)");
    /* 2 discs at η = 0.5: a square of area 2·(π/4)/0.5 = π, side √π = 1.77245 */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 2\npacking_fraction = 0.5\nbox = periodic\n",
                 "test.ini:5: key 'gas.packing_fraction': gas: periodic box: lx = 1.77245 must be at least 3");
    /* walls in x: only y is periodic, and only ly is named (the message gave lx = 2.5 too) */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 2\nlx = 2.5\nly = 2.5\n",
                 "test.ini:6: key 'gas.ly': gas: y_boundary = periodic: ly = 2.5 must be at least 3 diameters (3)");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 4\nlx = 10\nly = 20\nwalls = rim\ndiameter = 5\n",
                 "test.ini:8: key 'gas.diameter': gas: box too narrow for discs of diameter 5");
    /* rim walls: the packing fractions are those of the left half, as in
     * summary.json (40 discs in 5 x 10: 0.6283, not 0.7854 of the centres' 4 x 10) */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 40\nlx = 10\nly = 10\nwalls = rim\n",
                 "40 discs of diameter 1 (packing fraction 0.6283) would cover 0.7854 of the 4 x 10 their "
                 "bodies can reach less sigma/2 at each wall");
    /* reflecting rims in y with ly <= diameter: refused (the run used to hang) */
    expect_error("[run]\nmodel = gas\n[gas]\nN = 2\nlx = 10\nly = 1\ny_boundary = reflecting\nwalls = rim\n",
                 "test.ini:6: key 'gas.ly': gas: box too low (ly = 1) for discs of diameter 1 between "
                 "reflecting rim walls");
    expect_error("[run]\nmodel = gas\n[gas]\nN = 1\nlx = 10\nly = 0.5\nwalls = rim\ny_boundary = reflecting\n"
                 "equilibration_collisions = 0\n",
                 "test.ini:6: key 'gas.ly': gas: box too low (ly = 0.5)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collisionless_run),
        cmocka_unit_test(test_reference_summary),
        cmocka_unit_test(test_periodic_summary),
        cmocka_unit_test(test_sampling_times),
        cmocka_unit_test(test_one_disc_scales),
        cmocka_unit_test(test_periodic_dx),
        cmocka_unit_test(test_compression_level),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
