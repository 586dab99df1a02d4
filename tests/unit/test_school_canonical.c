/* The reference library's four canonical cases in dewi-kadita mode, and
 * the four Couzin (2002) collective states in couzin2002 mode.
 *
 * dewi-kadita: each case starts from the reference's own initial state
 * (init_rng = numpy, the published seed: spec §3 reproduces its t = 0
 * numbers) and runs 5 independent noise realisations (noise_seed 1..5) with
 * the real step counts; second-half means (frames [n//2:], n = steps + 1)
 * are averaged over the replicas and compared with the published values of
 * spec §4: P ±0.02, OSI ±0.05. The published noise stream is not
 * reproducible (numba's per-thread RNG, spec §5.10), so only statistics can
 * agree. Case 2's mill is not stable (spec §4): asserted qualitatively.
 *
 * couzin2002: N = 100, s = 3, τ = 0.1, θ = 40°/s, α = 270°, σ = 0.05,
 * r_r = 1, start in a ball of radius 5; second-half means over 3000 steps
 * and 3 seeds at representative (Δr_o, Δr_a) (spec §2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "esuite/school_metrics.h"
#include "school/school.h"

#ifdef __SANITIZE_ADDRESS__
#define OSI_EVERY 10 /* OSI averaged over every 10th frame under ASan (time) */
#else
#define OSI_EVERY 1
#endif

typedef struct {
    size_t n;
    double L, v0, rr, ro, ra, max_turn, noise, blind, w;
    int torus;
    long steps;
    unsigned seed;
} dk_case;

static const dk_case CASES[4] = {
    {150, 25, 1.0, 2, 3, 15, 0.4, 0.2, 30, 1.0, 0, 1000, 42},
    {200, 25, 1.0, 1, 3, 10, 0.2, 0.05, 150, 0.1, 1, 2000, 42},
    {180, 28, 1.2, 1, 10, 18, 0.35, 0.12, 25, 1.0, 0, 1500, 456},
    {250, 35, 1.5, 1, 12, 20, 0.2, 0.05, 20, 1.0, 0, 1000, 789},
};

typedef struct {
    double P, M, osi; /* second-half means */
} half_means;

static half_means run_dewi(const dk_case *c, uint64_t noise_seed, double *M0)
{
    es_school_params p;
    es_school_params_default(&p);
    p.n = c->n;
    p.box = c->L;
    p.speed = c->v0;
    p.r_r = c->rr;
    p.r_o = c->ro;
    p.r_a = c->ra;
    p.max_turn = c->max_turn;
    p.noise = c->noise;
    p.blind_angle = c->blind;
    p.orientation_weight = c->w;
    p.init = c->torus ? ES_SCHOOL_INIT_TORUS : ES_SCHOOL_INIT_BOX;
    p.init_size = 6.0;
    p.init_rng = ES_SCHOOL_RNG_NUMPY;
    p.seed = c->seed;
    p.noise_seed = noise_seed;
    es_school *s;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0);
    double *vel = malloc(3 * p.n * sizeof *vel), cen[3];
    long nframes = c->steps + 1, half = nframes / 2;
    half_means h = {0, 0, 0};
    long nosi = 0;
    for (long t = 0; t <= c->steps; t++) {
        if (t)
            assert_int_equal(es_school_step(s, 1), 0);
        es_school_velocities(s, vel);
        if (t == 0) {
            es_school_centroid(s->pos, p.n, cen);
            *M0 = es_school_rotation(s->pos, vel, p.n, cen, 0);
        }
        if (t < half)
            continue;
        es_school_centroid(s->pos, p.n, cen);
        h.P += es_school_polarization(vel, p.n);
        h.M += es_school_rotation(s->pos, vel, p.n, cen, 0);
        if ((t - half) % OSI_EVERY == 0) {
            es_school_metrics m;
            assert_int_equal(es_school_metrics_compute(s->pos, vel, p.n, p.box, 0, 0, &m), 0);
            h.osi += m.osi;
            nosi++;
        }
    }
    h.P /= (double)(nframes - half);
    h.M /= (double)(nframes - half);
    h.osi /= (double)nosi;
    free(vel);
    es_school_free(s);
    return h;
}

#define NREP 5

static half_means replicas(int k, half_means *sd, double *M0)
{
    half_means r[NREP], mean = {0, 0, 0};
    for (int i = 0; i < NREP; i++) {
        r[i] = run_dewi(&CASES[k], (uint64_t)(i + 1), M0);
        mean.P += r[i].P / NREP;
        mean.M += r[i].M / NREP;
        mean.osi += r[i].osi / NREP;
    }
    *sd = (half_means){0, 0, 0};
    for (int i = 0; i < NREP; i++) {
        sd->P += (r[i].P - mean.P) * (r[i].P - mean.P) / (NREP - 1);
        sd->M += (r[i].M - mean.M) * (r[i].M - mean.M) / (NREP - 1);
        sd->osi += (r[i].osi - mean.osi) * (r[i].osi - mean.osi) / (NREP - 1);
    }
    sd->P = sqrt(sd->P);
    sd->M = sqrt(sd->M);
    sd->osi = sqrt(sd->osi);
    printf("  case %d: P2 = %.4f ± %.4f, M2 = %.4f ± %.4f, OSI2 = %.4f ± %.4f (%d replicas)\n",
           k + 1, mean.P, sd->P, mean.M, sd->M, mean.osi, sd->osi, NREP);
    return mean;
}

/* Case 1 swarm: published P2 0.0804 (suppl report), OSI ≈ 0.71 (abstract). */
static void test_case1_swarm(void **state)
{
    (void)state;
    half_means sd, m;
    double M0;
    m = replicas(0, &sd, &M0);
    assert_float_equal(m.P, 0.0804, 0.02);
    /* OSI2: replica scatter 0.0024 (mean 0.7092), vs one published run σ =
     * 0.0026; 0.02 = the 2-digit rounding 0.005 + 5.7 σ (it was 0.05, 19 σ) */
    assert_float_equal(m.osi, 0.71, 0.02);
}

/* Case 2 torus: the ring starts as a mill (M = 0.9519 at t = 0, published)
 * and decays (published second-half M 0.2758, P 0.7430): M2 < 0.5, P2 > 0.5. */
static void test_case2_torus(void **state)
{
    (void)state;
    half_means sd, m;
    double M0;
    m = replicas(1, &sd, &M0);
    assert_float_equal(M0, 0.9519, 5e-5);
    assert_true(m.M < 0.5);
    assert_true(m.P > 0.5);
}

/* Case 3 dynamic parallel: published P2 0.9838; OSI2 0.30 (spec §4 re-runs
 * of the reference code from the same initial state: 0.299, 0.305). */
static void test_case3_dynamic_parallel(void **state)
{
    (void)state;
    half_means sd, m;
    double M0;
    m = replicas(2, &sd, &M0);
    assert_float_equal(m.P, 0.9838, 0.02);
    assert_float_equal(m.osi, 0.30, 0.05);
}

/* Case 4 highly parallel: published P2 0.9972; OSI 0.24 (abstract, final
 * value of the published run; re-runs: 0.284, 0.283 second-half means). */
static void test_case4_highly_parallel(void **state)
{
    (void)state;
    half_means sd, m;
    double M0;
    m = replicas(3, &sd, &M0);
    /* P2 is 0.9972 ± 0.02 only in name (P ≤ 1): the replicas scatter by 2.7e-5
     * (mean 0.997213), so our 5-replica mean vs one published run differs by
     * σ = 3e-5; 2e-4 = the 4-digit rounding 5e-5 + 5 σ (it was 0.02) */
    assert_float_equal(m.P, 0.9972, 2e-4);
    assert_float_equal(m.osi, 0.24, 0.05);
}

/* ------------------------------------------------------------ couzin2002 */

static void couzin_state(double dro, double dra, double *P, double *M)
{
    *P = *M = 0;
    const int nseed = 3;
    for (int sd = 1; sd <= nseed; sd++) {
        es_school_params p;
        es_school_params_default(&p);
        p.mode = ES_SCHOOL_MODE_COUZIN;
        p.n = 100;
        p.box = 100;
        p.speed = 3;
        p.r_r = 1;
        p.r_o = 1 + dro;
        p.r_a = 1 + dro + dra;
        p.max_turn = 40.0 * M_PI / 180.0 * 0.1;
        p.noise = 0.05;
        p.fov = 270;
        p.init = ES_SCHOOL_INIT_SPHERE;
        p.init_size = 5;
        p.seed = p.noise_seed = (uint64_t)sd;
        es_school *s;
        assert_int_equal(es_school_alloc(&p, &s), 0);
        assert_int_equal(es_school_init_state(s), 0);
        double vel[300], c[3], sP = 0, sM = 0;
        long steps = 3000, cnt = 0;
        for (long t = 0; t <= steps; t++) {
            if (t)
                assert_int_equal(es_school_step(s, 1), 0);
            if (t < (steps + 1) / 2)
                continue;
            es_school_velocities(s, vel);
            es_school_centroid(s->pos, p.n, c);
            sP += es_school_polarization(vel, p.n);
            sM += es_school_rotation(s->pos, vel, p.n, c, 0);
            cnt++;
        }
        es_school_free(s);
        *P += sP / (double)cnt / nseed;
        *M += sM / (double)cnt / nseed;
    }
    printf("  couzin2002 (dro %.1f, dra %.1f): P2 = %.3f, M2 = %.3f\n", dro, dra, *P, *M);
}

/* Swarm: Δr_o ≈ 0 → low P and low M. */
static void test_couzin_swarm(void **state)
{
    (void)state;
    double P, M;
    couzin_state(0.5, 12, &P, &M);
    assert_true(P < 0.3);
    assert_true(M < 0.35);
}

/* Torus: small non-zero Δr_o with large Δr_a → M > 0.5 with low P. */
static void test_couzin_torus(void **state)
{
    (void)state;
    double P, M;
    couzin_state(2, 12, &P, &M);
    assert_true(M > 0.5);
    assert_true(P < 0.4);
}

/* Parallel groups at intermediate and large Δr_o: high P, low M. */
static void test_couzin_parallel(void **state)
{
    (void)state;
    double P, M;
    couzin_state(5, 12, &P, &M);
    assert_true(P > 0.9);
    assert_true(M < 0.2);
    couzin_state(13, 12, &P, &M);
    assert_true(P > 0.99);
    assert_true(M < 0.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case1_swarm),
        cmocka_unit_test(test_case2_torus),
        cmocka_unit_test(test_case3_dynamic_parallel),
        cmocka_unit_test(test_case4_highly_parallel),
        cmocka_unit_test(test_couzin_swarm),
        cmocka_unit_test(test_couzin_torus),
        cmocka_unit_test(test_couzin_parallel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
