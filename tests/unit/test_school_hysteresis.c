/* Collective memory (Couzin et al. 2002; spec §2 "hysteresis") through the
 * code path of `esuite run`: configs/school_couzin_hysteresis.ini (Δr_a = 14
 * fixed, Δr_o stepped 0 → 5 and back down in steps of 0.5, 2000 steps per
 * value with the state carried over, couzin2002 mode, N = 100, s = 3,
 * θτ = 4°, α = 270°, σ = 0.05) is loaded and run by the school model; its
 * summary.json and school.nc are read back.
 *
 * Asserted: at Δr_o = 2.5 the group mills on the way up (M > 0.5, P < 0.5)
 * and schools on the way down (P > 0.9, M < 0.2), for every seed; the ends
 * of the loop are the same state both ways; the per-hold means equal an
 * independent loop over the engine (same holds, same window) to 1e-12; the
 * hold variables of school.nc equal summary.json; bad [ramp] input fails
 * with FILE:LINE: key. Seeds 1-3 (seed 1 only under AddressSanitizer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/model.h"
#include "esuite/school_metrics.h"
#include "school_test_run.h"
#include "esuite/status.h"
#include "school/school.h"

extern const es_model es_model_school;

#if defined(__SANITIZE_ADDRESS__)
#define NSEEDS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NSEEDS 1
#endif
#endif
#ifndef NSEEDS
#define NSEEDS 3
#endif

enum { NV = 11, NH = 2 * NV }; /* Δr_o = 0, 0.5, ..., 5, up and down */

static const char *cfg_path(void)
{
    return ES_SOURCE_DIR "/configs/school_couzin_hysteresis.ini";
}

/* Run the config with `overrides` into a fresh directory; returns summary.json. */
static json_t *run_ramp(const char **overrides, int nov, char *dir, size_t len)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    es_config *cfg;
    assert_int_equal(es_config_load(cfg_path(), schemas, overrides, nov, &cfg), 0);
    snprintf(dir, len, "/tmp/esuite-hyst-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return school_test_run(cfg, dir, omp_get_max_threads(),
                           (unsigned long long)es_config_int(cfg, "run", "seed"));
}

static void remove_run(const char *dir) { school_test_remove_run(dir); }

static double hold_num(json_t *holds, size_t i, const char *key)
{
    json_t *v = json_object_get(json_array_get(holds, i), key);
    assert_non_null(v);
    return json_number_value(v);
}

/* The protocol written out by hand on the engine (the loop the ramp
 * replaces): hold k has value values[k], P and M sampled every 5 steps in
 * the second half. */
static void direct_loop(uint64_t seed, double up[NV][2], double down[NV][2])
{
    es_school_params p;
    es_school_params_default(&p);
    p.mode = ES_SCHOOL_MODE_COUZIN;
    p.n = 100;
    p.box = 100;
    p.speed = 3;
    p.r_r = 1;
    p.r_o = 1;
    p.r_a = 15;
    p.max_turn = 0.06981317007977318;
    p.noise = 0.05;
    p.fov = 270;
    p.init = ES_SCHOOL_INIT_SPHERE;
    p.init_size = 5;
    p.seed = p.noise_seed = seed;
    es_school *s;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0);
    double v[300], c[3];
    for (int h = 0; h < NH; h++) {
        int k = h < NV ? h : NH - 1 - h;
        s->p.r_o = s->p.r_r + 0.5 * k;
        s->p.r_a = s->p.r_o + 14.0;
        double sP = 0, sM = 0;
        long cnt = 0;
        for (long t = 1; t <= 2000; t++) {
            assert_int_equal(es_school_step(s, 1), 0);
            if (t > 1000 && t % 5 == 0) {
                es_school_velocities(s, v);
                es_school_centroid(s->pos, 100, c);
                sP += es_school_polarization(v, 100);
                sM += es_school_rotation(s->pos, v, 100, c, 0);
                cnt++;
            }
        }
        double *out = h < NV ? up[k] : down[k];
        out[0] = sP / (double)cnt;
        out[1] = sM / (double)cnt;
    }
    es_school_free(s);
}

/* school.nc's hold variables against summary.json. */
static void check_nc_holds(const char *dir, json_t *holds, const char *prov_end_time)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/school.nc", dir);
    int ncid, dim, vv, vp, vm, vd, vs;
    size_t nh;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "hold", &dim), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dim, &nh), NC_NOERR);
    assert_int_equal(nh, NH);
    assert_int_equal(nc_inq_varid(ncid, "hold_value", &vv), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "hold_polarization_mean", &vp), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "hold_rotation_mean", &vm), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "hold_direction", &vd), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "hold_state", &vs), NC_NOERR);
    double val[NH], P[NH], M[NH];
    int dir_[NH];
    signed char st[NH];
    assert_int_equal(nc_get_var_double(ncid, vv, val), NC_NOERR);
    assert_int_equal(nc_get_var_double(ncid, vp, P), NC_NOERR);
    assert_int_equal(nc_get_var_double(ncid, vm, M), NC_NOERR);
    assert_int_equal(nc_get_var_int(ncid, vd, dir_), NC_NOERR);
    assert_int_equal(nc_get_var_schar(ncid, vs, st), NC_NOERR);
    static const char *const names[] = {"Swarm", "Transitional", "Torus", "Dynamic Parallel",
                                        "Highly Parallel"};
    for (size_t i = 0; i < NH; i++) {
        assert_float_equal(val[i], 0.5 * (double)(i < NV ? i : NH - 1 - i), 1e-15);
        assert_int_equal(dir_[i], i < NV ? 1 : -1);
        assert_float_equal(P[i], hold_num(holds, i, "P"), 0);
        assert_float_equal(M[i], hold_num(holds, i, "M"), 0);
        assert_true(st[i] >= 0 && st[i] < 5);
        assert_string_equal(names[st[i]],
                            json_string_value(json_object_get(json_array_get(holds, i), "state")));
    }
    /* one frame per 100 steps over the 22 holds, t = 0 included */
    assert_int_equal(nc_inq_dimid(ncid, "time", &dim), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dim, &nh), NC_NOERR);
    assert_int_equal(nh, NH * 2000 / 100 + 1);
    /* provenance: end_time stamped when the file was finished, as in summary.json */
    char end_time[64] = {0};
    size_t len;
    assert_int_equal(nc_inq_attlen(ncid, NC_GLOBAL, "end_time", &len), NC_NOERR);
    assert_int_equal(len, 20);
    assert_int_equal(nc_get_att_text(ncid, NC_GLOBAL, "end_time", end_time), NC_NOERR);
    assert_string_equal(end_time, prov_end_time);
    /* the fish (0..99) and spatial (0, 1, 2) index coordinates of a plain run's file */
    int fish[100], spatial[3], vf, vsp;
    assert_int_equal(nc_inq_varid(ncid, "fish", &vf), NC_NOERR);
    assert_int_equal(nc_get_var_int(ncid, vf, fish), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "spatial", &vsp), NC_NOERR);
    assert_int_equal(nc_get_var_int(ncid, vsp, spatial), NC_NOERR);
    for (int i = 0; i < 100; i++)
        assert_int_equal(fish[i], i);
    assert_true(spatial[0] == 0 && spatial[1] == 1 && spatial[2] == 2);
    nc_close(ncid);
}

static void test_collective_memory(void **state)
{
    (void)state;
    for (int seed = 1; seed <= NSEEDS; seed++) {
        char ov[64], dir[256];
        snprintf(ov, sizeof ov, "run.seed=%d", seed);
        const char *overrides[] = {ov, "ramp.plots=false"};
        json_t *sum = run_ramp(overrides, 2, dir, sizeof dir);
        json_t *holds = json_object_get(json_object_get(sum, "ramp"), "holds");
        assert_int_equal(json_array_size(holds), NH);
        /* hold 5 = Δr_o 2.5 up, hold NH-1-5 = 2.5 down */
        double Pu = hold_num(holds, 5, "P"), Mu = hold_num(holds, 5, "M"),
               Pd = hold_num(holds, NH - 6, "P"), Md = hold_num(holds, NH - 6, "M");
        printf("  seed %d: Δr_o = 2.5 up P %.3f M %.3f, down P %.3f M %.3f\n", seed, Pu, Mu, Pd,
               Md);
        assert_float_equal(hold_num(holds, 5, "value"), 2.5, 1e-15);
        assert_float_equal(hold_num(holds, NH - 6, "value"), 2.5, 1e-15);
        assert_true(Mu > 0.5 && Pu < 0.5); /* torus from below */
        assert_true(Pd > 0.9 && Md < 0.2); /* parallel from above */
        assert_true(hold_num(holds, 0, "P") < 0.3 && hold_num(holds, NH - 1, "P") < 0.3);
        assert_true(hold_num(holds, NV - 1, "P") > 0.99 && hold_num(holds, NV, "P") > 0.99);
        if (seed == 1) {
            double up[NV][2], down[NV][2];
            int nt = omp_get_max_threads();
            omp_set_num_threads(1); /* N = 100: a step is too short to share (results do not change) */
            direct_loop((uint64_t)seed, up, down);
            omp_set_num_threads(nt);
            for (int k = 0; k < NV; k++) {
                assert_float_equal(hold_num(holds, (size_t)k, "P"), up[k][0], 1e-12);
                assert_float_equal(hold_num(holds, (size_t)k, "M"), up[k][1], 1e-12);
                assert_float_equal(hold_num(holds, (size_t)(NH - 1 - k), "P"), down[k][0], 1e-12);
                assert_float_equal(hold_num(holds, (size_t)(NH - 1 - k), "M"), down[k][1], 1e-12);
            }
            check_nc_holds(dir, holds,
                           json_string_value(json_object_get(json_object_get(sum, "provenance"),
                                                             "end_time")));
        }
        json_decref(sum);
        remove_run(dir);
    }
}

/* Bad [ramp] input: one message naming file, line and key; no output. */
static void test_bad_ramp(void **state)
{
    (void)state;
    static const struct {
        const char *mode, *extra, *want;
    } cases[] = {
        {"couzin2002", "values = 0, -1\n", "test:4: key 'ramp.values': value -1 is negative"},
        {"couzin2002", "values = 1\nfrom = 2\n", "test:5: key 'ramp.from': give either"},
        {"couzin2002", "from = 3\nto = 1\n", "test:5: key 'ramp.to': 1 is below ramp.from = 3"},
        {"couzin2002", "hold_steps = 10\naverage_steps = 20\n",
         "test:5: key 'ramp.average_steps': 20 exceeds"},
        /* dewi-kadita needs r_r < r_o: Δr_o = 0 is not a valid hold */
        {"dewi-kadita", "values = 1, 0\n",
         "test:4: key 'ramp.values': dr_orientation = 0: zone radii must satisfy"},
    };
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_school.schema, NULL};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "[ramp]\nparameter = dr_orientation\nback = false\n%s[run]\nmodel = school\n"
                 "[school]\nmode = %s\nn_fish = 10\nentropy = false\n"
                 "r_orientation = 2\nr_attraction = 3\n",
                 cases[k].extra, cases[k].mode);
        es_config *cfg;
        assert_int_equal(es_config_load_string(text, "test", schemas, NULL, 0, &cfg), 0);
        es_run_ctx ctx = {.cfg = cfg, .output_dir = "/nonexistent-esuite", .threads = 1,
                          .seed = 1, .quiet = true};
        assert_int_not_equal(es_model_school.run(&ctx), 0);
        if (!strstr(es_error_message(), cases[k].want))
            fail_msg("case %zu: '%s' lacks '%s'", k, es_error_message(), cases[k].want);
        es_config_free(cfg);
    }
    /* a key of a plain run that the ramp would ignore */
    es_config *cfg;
    assert_int_equal(es_config_load_string("[run]\nmodel = school\n[school]\nn_steps = 10\n"
                                           "entropy = false\n[ramp]\nparameter = noise\n",
                                           "test", schemas, NULL, 0, &cfg),
                     0);
    es_run_ctx ctx = {.cfg = cfg, .output_dir = "/nonexistent-esuite", .threads = 1, .seed = 1,
                      .quiet = true};
    assert_int_not_equal(es_model_school.run(&ctx), 0);
    assert_non_null(strstr(es_error_message(), "test:4: key 'school.n_steps': not used by a ramp"));
    es_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_ramp),
                                       cmocka_unit_test(test_collective_memory)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
