/* Collective memory (Couzin et al. 2002; spec §2 "hysteresis"): Δr_a = 14
 * fixed, Δr_o stepped up 0 → 5 and back down in steps of 0.5, 2000 steps
 * per value with the state carried over. In the window Δr_o ≈ 2–3 the group
 * mills when approached from below and stays parallel when approached from
 * above. couzin2002 mode, N = 100, s = 3, θτ = 4°, α = 270°, σ = 0.05;
 * means of P and M over the second half of each hold; 3 seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "esuite/school_metrics.h"
#include "school/school.h"

enum { NV = 11 }; /* Δr_o = 0, 0.5, ..., 5 */

static void hold(es_school *s, double dro, long steps, double *P, double *M)
{
    s->p.r_o = s->p.r_r + dro;
    s->p.r_a = s->p.r_o + 14.0;
    double v[300], c[3];
    long cnt = 0;
    *P = *M = 0;
    for (long t = 1; t <= steps; t++) {
        assert_int_equal(es_school_step(s, 1), 0);
        if (t > steps / 2 && t % 5 == 0) {
            es_school_velocities(s, v);
            es_school_centroid(s->pos, 100, c);
            *P += es_school_polarization(v, 100);
            *M += es_school_rotation(s->pos, v, 100, c, 0);
            cnt++;
        }
    }
    *P /= (double)cnt;
    *M /= (double)cnt;
}

static void test_collective_memory(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        es_school_params p;
        es_school_params_default(&p);
        p.mode = ES_SCHOOL_MODE_COUZIN;
        p.n = 100;
        p.box = 100;
        p.speed = 3;
        p.r_r = 1;
        p.r_o = 1;
        p.r_a = 15;
        p.max_turn = 40.0 * M_PI / 180.0 * 0.1;
        p.noise = 0.05;
        p.fov = 270;
        p.init = ES_SCHOOL_INIT_SPHERE;
        p.init_size = 5;
        p.seed = p.noise_seed = seed;
        es_school *s;
        assert_int_equal(es_school_alloc(&p, &s), 0);
        assert_int_equal(es_school_init_state(s), 0);
        double up[NV][2], down[NV][2];
        for (int k = 0; k < NV; k++)
            hold(s, 0.5 * k, 2000, &up[k][0], &up[k][1]);
        for (int k = NV - 1; k >= 0; k--)
            hold(s, 0.5 * k, 2000, &down[k][0], &down[k][1]);
        printf("  seed %d: Δr_o = 2.5 up P %.3f M %.3f, down P %.3f M %.3f\n", (int)seed, up[5][0],
               up[5][1], down[5][0], down[5][1]);
        /* Δr_o = 2.5: torus from below, parallel from above */
        assert_true(up[5][1] > 0.5);
        assert_true(up[5][0] < 0.5);
        assert_true(down[5][0] > 0.9);
        assert_true(down[5][1] < 0.2);
        /* the ends of the ramp are the same state both ways */
        assert_true(up[0][0] < 0.3 && down[0][0] < 0.3);      /* swarm at Δr_o = 0 */
        assert_true(up[10][0] > 0.99 && down[10][0] > 0.99);  /* parallel at Δr_o = 5 */
        es_school_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_collective_memory)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
