/* School engine: turning laws, cell list vs brute force, thread
 * independence, symmetry, and the reference's t = 0 state (spec §3, §5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/school_metrics.h"
#include "esuite/rng.h"
#include "school/school.h"

static double angle(const double *a, const double *b)
{
    double c = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) /
               (sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]) *
                sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]));
    return acos(fmax(-1.0, fmin(1.0, c)));
}

/* True rotation: exactly θτ per step, for any desired direction. */
static void test_turn_rotate(void **state)
{
    (void)state;
    double u[3] = {1, 0, 0}, out[3];
    double phis[] = {0.3, 1.0, M_PI / 2, 2.0, 3.0, M_PI - 1e-9};
    for (size_t k = 0; k < sizeof phis / sizeof phis[0]; k++) {
        double d[3] = {cos(phis[k]), sin(phis[k]) * 0.6, sin(phis[k]) * 0.8};
        es_school_turn_rotate(u, d, 0.0698, out);
        assert_float_equal(angle(u, out), 0.0698, 1e-12);
        /* out stays in the plane of u and d */
        double n[3] = {u[1] * d[2] - u[2] * d[1], u[2] * d[0] - u[0] * d[2], u[0] * d[1] - u[1] * d[0]};
        assert_float_equal(n[0] * out[0] + n[1] * out[1] + n[2] * out[2], 0.0, 1e-12);
    }
    double d[3] = {-1, 0, 0}; /* anti-parallel: still exactly θτ */
    es_school_turn_rotate(u, d, 0.2, out);
    assert_float_equal(angle(u, out), 0.2, 1e-12);
    double near[3] = {cos(0.05), sin(0.05), 0}; /* within reach: lands on d */
    es_school_turn_rotate(u, near, 0.2, out);
    assert_float_equal(angle(near, out), 0.0, 1e-7);
    /* Nearly anti-parallel (|d + u| = ε) off the axes: still θτ to rounding.
     * The plane vector d − (u·d)u kept a rounding part along u, which made
     * the turn 0.0698 + 5.6e-11 at ε = 1e-8 and 0.0698 + 8.0e-7 at 1e-12. */
    const double w[3] = {0.48, 0.6, 0.64}, q[3] = {0.8, 0.0, -0.6}; /* unit, w·q = 0 */
    for (double eps = 1e-4; eps > 5e-13; eps /= 100) {
        double da[3], cr[3];
        for (int a = 0; a < 3; a++)
            da[a] = -cos(eps) * w[a] + sin(eps) * q[a];
        es_school_turn_rotate(w, da, 0.0698, out);
        cr[0] = w[1] * out[2] - w[2] * out[1]; /* atan2 angle: exact near 0 and π */
        cr[1] = w[2] * out[0] - w[0] * out[2];
        cr[2] = w[0] * out[1] - w[1] * out[0];
        double turn = atan2(sqrt(cr[0] * cr[0] + cr[1] * cr[1] + cr[2] * cr[2]),
                            w[0] * out[0] + w[1] * out[1] + w[2] * out[2]);
        assert_float_equal(turn, 0.0698, 1e-15);
        /* towards q, the side d leans to: out = cos θτ w + sin θτ q */
        for (int a = 0; a < 3; a++)
            assert_float_equal(out[a], cos(0.0698) * w[a] + sin(0.0698) * q[a], 1e-5);
    }
    /* no desired direction: the heading is kept (it turned by θτ towards an
     * arbitrary perpendicular) */
    const double zero[3] = {0, 0, 0};
    es_school_turn_rotate(w, zero, 0.0698, out);
    assert_memory_equal(out, w, sizeof w);
}

/* NLERP (reference): effective turn for θ_max = 0.2 from spec §5:
 * φ = 0.3 → 0.2003; 1.0 → 0.183; π/2 → 0.145; 2.0 → 0.106; 2.5 → 0.056; 3.0 → 0.011. */
static void test_turn_nlerp(void **state)
{
    (void)state;
    double phis[] = {0.3, 1.0, M_PI / 2, 2.0, 2.5, 3.0};
    double want[] = {0.2003, 0.183, 0.145, 0.106, 0.056, 0.011};
    double u[3] = {1, 0, 0}, out[3];
    for (int k = 0; k < 6; k++) {
        double d[3] = {cos(phis[k]), sin(phis[k]), 0};
        es_school_turn_nlerp(u, d, 0.2, out);
        assert_float_equal(angle(u, out), want[k], k == 0 ? 5e-5 : 5e-4);
    }
    /* closed-form check: tan(turn) = t sin φ / (1 − t + t cos φ), t = θ/φ */
    double phi = 1.3, t = 0.2 / phi, d[3] = {cos(phi), sin(phi), 0};
    es_school_turn_nlerp(u, d, 0.2, out);
    assert_float_equal(angle(u, out), atan2(t * sin(phi), 1 - t + t * cos(phi)), 1e-14);
}

/* A single fish with one neighbour far behind it, noise off: each step it
 * turns by exactly θτ (couzin mode) until it faces the neighbour. */
static void test_single_fish_max_turn(void **state)
{
    (void)state;
    es_school_params p;
    es_school_params_default(&p);
    p.mode = ES_SCHOOL_MODE_COUZIN;
    p.n = 2;
    p.noise = 0.0;
    p.fov = 360.0;
    p.r_r = 1;
    p.r_o = 2;
    p.r_a = 50;
    p.speed = 0.01;
    p.max_turn = 0.0698;
    es_school *s;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    double pos[6] = {0, 0, 0, -20, 0.5, 0}, dir[6] = {1, 0, 0, -1, 0, 0};
    memcpy(s->pos, pos, sizeof pos);
    memcpy(s->dir, dir, sizeof dir);
    for (int k = 0; k < 10; k++) {
        double before[3] = {s->dir[0], s->dir[1], s->dir[2]};
        assert_int_equal(es_school_step(s, 1), 0);
        assert_float_equal(angle(before, s->dir), 0.0698, 1e-12);
    }
    es_school_free(s);
}

/* Spec school.md §5.3: dewi-kadita adds σ·N(0, I₃) to the unit heading after
 * the turn and renormalises; the heading then moves by a mean / rms angle of
 * 0.063 / 0.071 rad at σ = 0.05 and 0.251 / 0.285 at σ = 0.2 (rms ≈ √2 σ).
 * Fish far apart (zones 100x smaller than their spacing) have no neighbours,
 * so the turn keeps the heading and each step's change is the noise alone.
 * 500 fish x 100 steps: the standard error of the mean angle is 0.33 σ/√5e4
 * (3e-4 at σ = 0.2); the tolerance adds the spec's last-digit rounding. */
static void noise_angles(double sigma, double *mean, double *rms)
{
    es_school_params p;
    es_school_params_default(&p);
    p.n = 500;
    p.box = 1000.0;
    p.r_r = 0.01;
    p.r_o = 0.02;
    p.r_a = 0.03;
    p.noise = sigma;
    p.seed = 7;
    es_school *s;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0); /* uniform over the box */
    double sum = 0.0, sum2 = 0.0, *before = malloc(3 * p.n * sizeof *before);
    assert_non_null(before);
    const int steps = 100;
    for (int k = 0; k < steps; k++) {
        memcpy(before, s->dir, 3 * p.n * sizeof *before);
        assert_int_equal(es_school_step(s, 1), 0);
        for (size_t i = 0; i < p.n; i++) {
            double a = angle(before + 3 * i, s->dir + 3 * i);
            sum += a;
            sum2 += a * a;
        }
    }
    *mean = sum / (steps * (double)p.n);
    *rms = sqrt(sum2 / (steps * (double)p.n));
    free(before);
    es_school_free(s);
}

static void test_noise_magnitude(void **state)
{
    (void)state;
    double mean, rms;
    noise_angles(0.05, &mean, &rms);
    assert_float_equal(mean, 0.063, 0.0012);
    assert_float_equal(rms, 0.071, 0.0012);
    noise_angles(0.2, &mean, &rms);
    assert_float_equal(mean, 0.251, 0.002);
    assert_float_equal(rms, 0.285, 0.002);
}

static void set_case1(es_school_params *p, size_t n)
{
    es_school_params_default(p);
    p->n = n;
    p->box = 25.0 * cbrt((double)n / 150.0); /* case-1 density */
    p->r_r = 2;
    p->r_o = 3;
    p->r_a = 15;
    p->max_turn = 0.4;
    p->noise = 0.2;
    p->blind_angle = 30;
    p->seed = 42;
}

/* Cell list gives the same zone counts and desired direction as a plain
 * loop over all fish: periodic with many cells, periodic with r_a > L/2
 * (one or two cells per axis), and open space (couzin mode, α = 270°). */
static void compare_cells(es_school_params *p)
{
    es_school *s;
    assert_int_equal(es_school_alloc(p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0);
    assert_int_equal(es_school_step(s, 5), 0);
    for (size_t i = 0; i < s->n; i++) {
        double a[3], b[3];
        int ca[3], cb[3];
        es_school_desired(s, i, 1, a, ca);
        es_school_desired(s, i, 0, b, cb);
        for (int k = 0; k < 3; k++) {
            assert_int_equal(ca[k], cb[k]);
            assert_float_equal(a[k], b[k], 1e-12);
        }
    }
    es_school_free(s);
}

static void test_cells_vs_brute_force(void **state)
{
    (void)state;
    es_school_params p;
    set_case1(&p, 400);
    p.r_r = 0.5;
    p.r_o = 1.5;
    p.r_a = 4.0; /* L ≈ 35: 8 cells per axis */
    compare_cells(&p);
    set_case1(&p, 300); /* r_a = 15 > L/2 ≈ 15.7·… : 1–2 cells per axis */
    p.box = 20.0;
    p.r_a = 9.0; /* 2 cells per axis: each scanned once */
    compare_cells(&p);
    set_case1(&p, 150);
    compare_cells(&p);
    /* a sparse periodic box: 160 cells of r_a/2 per axis (4·10^6) would be
     * capped to ~2^20 coarser cells (a box of 10^4 used to run out of
     * memory); the fish start in a dense cube, so the zones are occupied */
    set_case1(&p, 600);
    p.r_r = 0.1;
    p.r_o = 0.2;
    p.r_a = 0.5;
    p.box = 40.0;
    p.init = ES_SCHOOL_INIT_CUBE;
    p.init_size = 3.0;
    compare_cells(&p);
    es_school *sp;
    assert_int_equal(es_school_alloc(&p, &sp), 0);
    assert_int_equal(es_school_init_state(sp), 0);
    int seen = 0;
    for (size_t i = 0; i < sp->n; i++) {
        double d[3];
        int cnt[3];
        es_school_desired(sp, i, 1, d, cnt);
        seen += cnt[0] + cnt[1] + cnt[2];
    }
    assert_true(seen > 1000); /* > 1.7 neighbours per fish */
    es_school_free(sp);
    es_school_params_default(&p);
    p.mode = ES_SCHOOL_MODE_COUZIN;
    p.n = 300;
    p.r_r = 1;
    p.r_o = 3;
    p.r_a = 6;
    p.fov = 270;
    p.init = ES_SCHOOL_INIT_SPHERE;
    p.init_size = 12;
    p.box = 30;
    compare_cells(&p);
}

/* Same trajectory bit for bit with 1 and 2 threads (N above the
 * parallel thresholds), both modes. */
static void run_threads(es_school_params *p, int threads, double *pos, double *dir)
{
    omp_set_num_threads(threads);
    es_school *s;
    assert_int_equal(es_school_alloc(p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0);
    assert_int_equal(es_school_step(s, 8), 0);
    memcpy(pos, s->pos, 3 * p->n * sizeof *pos);
    memcpy(dir, s->dir, 3 * p->n * sizeof *dir);
    es_school_free(s);
}

static void test_thread_independence(void **state)
{
    (void)state;
    es_school_params p;
    for (int mode = 0; mode < 2; mode++) {
        set_case1(&p, 3000);
        p.r_a = 6;
        if (mode) {
            p.mode = ES_SCHOOL_MODE_COUZIN;
            p.init = ES_SCHOOL_INIT_SPHERE;
            p.init_size = 20;
        }
        size_t m = 3 * p.n;
        double *a = malloc(m * sizeof *a), *b = malloc(m * sizeof *b), *ua = malloc(m * sizeof *ua),
               *ub = malloc(m * sizeof *ub);
        run_threads(&p, 1, a, ua);
        run_threads(&p, 2, b, ub);
        assert_memory_equal(a, b, m * sizeof *a);
        assert_memory_equal(ua, ub, m * sizeof *ua);
        /* the portable cell-list kernel gives the AVX-512 one's bits */
        es_school_portable_kernels = true;
        run_threads(&p, 2, b, ub);
        es_school_portable_kernels = false;
        assert_memory_equal(a, b, m * sizeof *a);
        assert_memory_equal(ua, ub, m * sizeof *ua);
        /* metrics too (parallel k-NN and pair histogram) */
        es_school_metrics m1, m2;
        omp_set_num_threads(1);
        assert_int_equal(es_school_metrics_compute(a, ua, p.n, p.box, 0, 0, &m1), 0);
        omp_set_num_threads(2);
        assert_int_equal(es_school_metrics_compute(a, ua, p.n, p.box, 0, 0, &m2), 0);
        assert_memory_equal(&m1, &m2, sizeof m1);
        free(a);
        free(b);
        free(ua);
        free(ub);
    }
}

/* Eight steps with the AVX-512 kernels (where the machine has them) and with
 * the portable ones: the same positions and headings bit for bit. */
static void check_portable_kernels(es_school_params *p, int threads)
{
    size_t m = 3 * p->n;
    double *a = malloc(m * sizeof *a), *b = malloc(m * sizeof *b), *ua = malloc(m * sizeof *ua),
           *ub = malloc(m * sizeof *ub);
    run_threads(p, threads, a, ua);
    es_school_portable_kernels = true;
    run_threads(p, threads, b, ub);
    es_school_portable_kernels = false;
    assert_memory_equal(a, b, m * sizeof *a);
    assert_memory_equal(ua, ub, m * sizeof *ua);
    free(a);
    free(b);
    free(ua);
    free(ub);
}

/* The cell-list kernel: portable and AVX-512 give the same bits in the two
 * variants test_thread_independence does not take (dewi-kadita without the
 * blind cone, couzin2002 with a 270° field of perception). */
static void test_cell_kernels(void **state)
{
    (void)state;
    for (int v = 0; v < 2; v++) {
        es_school_params p;
        set_case1(&p, 3000);
        p.r_a = 6;
        if (v == 0) {
            p.blind_angle = 0;
        } else {
            p.mode = ES_SCHOOL_MODE_COUZIN;
            p.init = ES_SCHOOL_INIT_SPHERE;
            p.init_size = 20;
            p.fov = 270;
        }
        check_portable_kernels(&p, 2);
    }
}

/* A lattice filling the periodic box, all headings +x, no noise: every
 * zone sum is symmetric about the heading, so P stays 1 (dewi mode, with a
 * 30° blind cone). */
/* The all-pairs step (every fish within r_a of every other: case 1's
 * r_a = 15 > L/2) evaluates each pair once and adds its terms to both
 * fish. Without noise one step must equal the NLERP turn towards the
 * brute-force desired direction of every fish (the sums differ only in
 * their order: 1e-12), with and without the blind zone (N = 301: 4 cells
 * per axis, r_a < L/2); and it must give
 * the same trajectory bit for bit with 1 and 2 threads. */
static void check_pairs_step(es_school_params *p)
{
    es_school *s;
    assert_int_equal(es_school_alloc(p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0);
    assert_int_equal(es_school_step(s, 3), 0);
    size_t m = 3 * p->n;
    double *want = malloc(m * sizeof *want);
    int nseen = 0;
    for (size_t i = 0; i < p->n; i++) {
        double d[3];
        int cnt[3];
        es_school_desired(s, i, 1, d, cnt);
        nseen += cnt[0] + cnt[1] + cnt[2];
        es_school_turn_nlerp(s->dir + 3 * i, d, p->max_turn, want + 3 * i);
    }
    /* a real test: a good part of all pairs interact */
    assert_true(nseen > 0.3 * (double)(p->n * (p->n - 1)));
    assert_int_equal(es_school_step(s, 1), 0);
    for (size_t k = 0; k < m; k++)
        assert_float_equal(s->dir[k], want[k], 1e-12);
    free(want);
    es_school_free(s);
}

static void test_pairs_step(void **state)
{
    (void)state;
    es_school_params p;
    set_case1(&p, 150);
    p.noise = 0;
    check_pairs_step(&p);
    p.blind_angle = 0;
    check_pairs_step(&p);
    p.blind_angle = 60;
    p.n = 301; /* not a multiple of 4 */
    p.box = 25.0 * cbrt(301 / 150.0);
    check_pairs_step(&p);
    set_case1(&p, 150);
    double a[450], b[450], ua[450], ub[450];
    run_threads(&p, 1, a, ua);
    run_threads(&p, 2, b, ub);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_equal(ua, ub, sizeof ua);
    /* The portable kernel gives the AVX-512 kernel's bits (where the
     * machine has AVX-512; elsewhere both runs take the portable kernel),
     * with and without the blind zone, for N = 150 and 301 (partial last
     * blocks). */
    for (int k = 0; k < 3; k++) {
        set_case1(&p, k == 2 ? 301 : 150);
        p.blind_angle = k == 1 ? 0 : 30;
        if (k == 2)
            p.box = 25.0 * cbrt(301 / 150.0);
        check_portable_kernels(&p, 1);
    }
}

/* The per-step noise, es_counter_gauss3_batch: the uniforms of
 * es_counter_gauss2 on the same counters, so each value within 1e-14 of the
 * libm-based Box-Muller (an independent log and sin/cos); the same bits
 * whether a fish is drawn alone or at any place in a block; and standard
 * normal: mean within 4 standard errors of 0, variance within 4 of 1. */
static void test_noise_batch(void **state)
{
    (void)state;
    enum { N = 40000 };
    double *g = malloc(3 * N * sizeof *g);
    es_counter_gauss3_batch(7, 3, 0, N, g);
    double sum = 0, sum2 = 0, worst = 0;
    for (int i = 0; i < N; i++) {
        double a[2], b[2];
        es_counter_gauss2(7, (uint64_t)i, 3, 0, a);
        es_counter_gauss2(7, (uint64_t)i, 3, 1, b);
        const double want[3] = {a[0], a[1], b[0]};
        for (int c = 0; c < 3; c++) {
            double e = fabs(g[3 * i + c] - want[c]) / (1.0 + fabs(want[c]));
            worst = e > worst ? e : worst;
            sum += g[3 * i + c];
            sum2 += g[3 * i + c] * g[3 * i + c];
        }
    }
    assert_true(worst < 1e-14);
    for (int i = 0; i < 40; i++) { /* alone, and in a block starting at i */
        double one[3], blk[3 * 11];
        es_counter_gauss3_batch(7, 3, (uint64_t)i * 97, 1, one);
        assert_memory_equal(one, g + 3 * i * 97, sizeof one);
        es_counter_gauss3_batch(7, 3, (uint64_t)i, 11, blk);
        assert_memory_equal(blk, g + 3 * i, sizeof blk);
    }
    const double m = 3.0 * N, mean = sum / m, var = sum2 / m - mean * mean;
    assert_true(fabs(mean) < 4.0 / sqrt(m));
    assert_true(fabs(var - 1.0) < 4.0 * sqrt(2.0 / m));
    free(g);
}

static void test_aligned_stays_aligned(void **state)
{
    (void)state;
    es_school_params p;
    es_school_params_default(&p);
    p.n = 64;
    p.box = 10.0;
    p.r_r = 1;
    p.r_o = 3;
    p.r_a = 4.9;
    p.noise = 0;
    p.blind_angle = 30;
    es_school *s;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    for (int i = 0; i < 64; i++) {
        s->pos[3 * i] = 1.25 + 2.5 * (i % 4);
        s->pos[3 * i + 1] = 1.25 + 2.5 * ((i / 4) % 4);
        s->pos[3 * i + 2] = 1.25 + 2.5 * (i / 16);
        s->dir[3 * i] = 1;
        s->dir[3 * i + 1] = 0;
        s->dir[3 * i + 2] = 0;
    }
    assert_int_equal(es_school_step(s, 500), 0);
    double vel[3 * 64];
    es_school_velocities(s, vel);
    assert_float_equal(es_school_polarization(vel, 64), 1.0, 1e-12);
    es_school_free(s);
}

/* init_rng = numpy reproduces the reference's t = 0 state: spec §3 fish-0
 * values and the published t = 0 P, M, spread and NND statistics (§4). */
static void test_reference_initial_state(void **state)
{
    (void)state;
    es_np_random r;
    es_np_random_seed(&r, 42);
    assert_float_equal(es_np_random_rand(&r), 0.37454012, 5e-9);
    assert_float_equal(es_np_random_rand(&r), 0.95071431, 5e-9);
    assert_float_equal(es_np_random_rand(&r), 0.73199394, 5e-9);
    struct {
        size_t n;
        double L, v0;
        int torus;
        unsigned seed;
        double P, M, spread, nnd_mean, nnd_sd, nnd_min, nnd_max;
    } c[4] = {{150, 25, 1.0, 0, 42, 0.0638, 0.0724, 12.785, 2.663, 0.914, 0.589, 4.929},
              {200, 25, 1.0, 1, 42, 0.0081, 0.9519, 6.349, 1.041, 0.495, 0.131, 3.602},
              {180, 28, 1.2, 0, 456, 0.0303, 0.0781, 13.851, 2.801, 1.020, 0.595, 5.635},
              {250, 35, 1.5, 0, 789, 0.0166, 0.0377, 17.194, 3.049, 1.106, 0.606, 6.162}};
    for (int k = 0; k < 4; k++) {
        es_school_params p;
        es_school_params_default(&p);
        p.n = c[k].n;
        p.box = c[k].L;
        p.speed = c[k].v0;
        p.init = c[k].torus ? ES_SCHOOL_INIT_TORUS : ES_SCHOOL_INIT_BOX;
        p.init_size = 6.0;
        p.init_rng = ES_SCHOOL_RNG_NUMPY;
        p.seed = c[k].seed;
        es_school *s;
        assert_int_equal(es_school_alloc(&p, &s), 0);
        assert_int_equal(es_school_init_state(s), 0);
        double *vel = malloc(3 * p.n * sizeof *vel), *nnd = malloc(p.n * sizeof *nnd);
        es_school_velocities(s, vel);
        if (k == 0) {
            double x0[6] = {9.363503, 23.767858, 18.299849, 0.179236, 0.850534, 0.494436};
            for (int a = 0; a < 3; a++) {
                assert_float_equal(s->pos[a], x0[a], 5e-7);
                assert_float_equal(vel[a], x0[3 + a], 5e-7);
            }
        }
        if (k == 2) {
            double x0[6] = {6.965165, 4.565870, 21.942011, -0.114243, -0.191653, -1.179075};
            for (int a = 0; a < 3; a++) {
                assert_float_equal(s->pos[a], x0[a], 5e-7);
                assert_float_equal(vel[a], x0[3 + a], 5e-7);
            }
        }
        es_school_metrics m;
        assert_int_equal(es_school_metrics_compute(s->pos, vel, p.n, p.box, 0, 0, &m), 0);
        assert_float_equal(m.polarization, c[k].P, 5e-5);
        assert_float_equal(m.rotation, c[k].M, 5e-5);
        assert_float_equal(m.spread, c[k].spread, 5e-4);
        assert_int_equal(es_school_knn(s->pos, p.n, p.box, 1, nnd), 0);
        double mu = 0, sd = 0, lo = INFINITY, hi = 0;
        for (size_t i = 0; i < p.n; i++) {
            mu += nnd[i];
            lo = fmin(lo, nnd[i]);
            hi = fmax(hi, nnd[i]);
        }
        mu /= (double)p.n;
        for (size_t i = 0; i < p.n; i++)
            sd += (nnd[i] - mu) * (nnd[i] - mu);
        sd = sqrt(sd / (double)p.n);
        assert_float_equal(mu, c[k].nnd_mean, 5e-4);
        assert_float_equal(sd, c[k].nnd_sd, 5e-4);
        assert_float_equal(lo, c[k].nnd_min, 5e-4);
        assert_float_equal(hi, c[k].nnd_max, 5e-4);
        free(vel);
        free(nnd);
        es_school_free(s);
    }
}

/* Zone rules on hand-placed pairs: the desired direction of fish 0. */
static void place2(es_school *s, const double *x1, const double *u1)
{
    double pos[6] = {10, 10, 10, x1[0], x1[1], x1[2]}, dir[6] = {1, 0, 0, u1[0], u1[1], u1[2]};
    memcpy(s->pos, pos, sizeof pos);
    memcpy(s->dir, dir, sizeof dir);
}

static void test_zone_rules(void **state)
{
    (void)state;
    es_school_params p;
    es_school_params_default(&p);
    p.n = 2;
    p.box = 40;
    p.r_r = 1;
    p.r_o = 3;
    p.r_a = 6;
    p.blind_angle = 30;
    es_school *s;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    double d[3];
    int cnt[3];
    /* dewi: neighbour straight behind at 0.5 (repulsion zone) is in the rear cone: unseen */
    place2(s, (double[]){9.5, 10, 10}, (double[]){0, 1, 0});
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[0] + cnt[1] + cnt[2], 0);
    assert_float_equal(d[0], 1.0, 0); /* keeps its heading */
    /* dewi: neighbour ahead in the zone of orientation heading +y: d = +y */
    place2(s, (double[]){12, 10, 10}, (double[]){0, 1, 0});
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[1], 1);
    assert_float_equal(d[1], 1.0, 1e-15);
    /* periodic: a neighbour 0.5 ahead through the face is in the repulsion zone */
    s->pos[0] = 39.8;
    s->pos[3] = 0.3;
    s->pos[4] = 10;
    s->pos[5] = 10;
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[0], 1);
    assert_float_equal(d[0], -1.0, 1e-15);
    es_school_free(s);

    p.mode = ES_SCHOOL_MODE_COUZIN;
    p.fov = 270;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    /* couzin: repulsion sees all round (behind at 0.5 → move forward, away) */
    place2(s, (double[]){9.5, 10, 10}, (double[]){0, 1, 0});
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[0], 1);
    assert_float_equal(d[0], 1.0, 1e-15);
    /* couzin: attraction zone straight behind is in the blind volume (α = 270°) */
    place2(s, (double[]){5, 10, 10}, (double[]){0, 1, 0});
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[2], 0);
    /* couzin: orientation neighbour heading +y; include_self adds the own heading */
    place2(s, (double[]){12, 10, 10}, (double[]){0, 1, 0});
    es_school_desired(s, 0, 1, d, cnt);
    assert_float_equal(d[1], 1.0, 1e-15);
    s->p.include_self = 1;
    es_school_desired(s, 0, 1, d, cnt);
    assert_float_equal(d[0], M_SQRT1_2, 1e-15);
    assert_float_equal(d[1], M_SQRT1_2, 1e-15);
    /* couzin: one zoo (+y) and one zoa neighbour: d = ½(d_o + d_a), unnormalised sums */
    es_school_free(s);
    p.n = 3;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    double pos3[9] = {10, 10, 10, 12, 10, 10, 10, 10, 15}, dir3[9] = {1, 0, 0, 0, 1, 0, 1, 0, 0};
    memcpy(s->pos, pos3, sizeof pos3);
    memcpy(s->dir, dir3, sizeof dir3);
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[1], 1);
    assert_int_equal(cnt[2], 1);
    assert_float_equal(d[1], M_SQRT1_2, 1e-15); /* ½((0,1,0) + (0,0,1)) normalised */
    assert_float_equal(d[2], M_SQRT1_2, 1e-15);
    es_school_free(s);
}

/* The blind-zone boundary at a bearing of exactly 90° (a neighbour abeam:
 * bearing cosine exactly 0, as on a lattice or in a plane). Couzin sees j
 * iff angle ≤ α/2: at fov = 180° abeam is seen (the threshold was
 * cos(90·π/180) = 6.1e-17 > 0, which hid it). dewi-kadita keeps the
 * reference's arithmetic, cos > -cos(radians(β)) = -6.1e-17 at β = 90°:
 * abeam is seen there too, by the per-fish kernel (es_school_desired) and
 * the all-pairs step (box 10 < 2.5 r_a) alike. */
static void test_blind_boundary(void **state)
{
    (void)state;
    es_school_params p;
    es_school_params_default(&p);
    p.n = 2;
    p.box = 40;
    p.r_r = 1;
    p.r_o = 3;
    p.r_a = 6;
    p.noise = 0;
    p.mode = ES_SCHOOL_MODE_COUZIN;
    p.fov = 180; /* α/2 = 90°: abeam is seen, anything behind it not */
    es_school *s;
    double d[3];
    int cnt[3];
    assert_int_equal(es_school_alloc(&p, &s), 0);
    const double ahead = 1e-9; /* 1e-9 rad off the beam: 90° ∓ 5.7e-8° */
    const struct {
        double x1[3];
        int seen;
    } cz[] = {{{10, 12, 10}, 1},              /* abeam, zone of orientation */
              {{10, 10, 5}, 1},               /* abeam, zone of attraction */
              {{10 + 2 * ahead, 12, 10}, 1},
              {{10 - 2 * ahead, 12, 10}, 0},
              {{10 - 4, 10, 10}, 0},
              {{10 - 0.5, 10, 10}, 1}}; /* repulsion sees all round */
    for (size_t k = 0; k < sizeof cz / sizeof cz[0]; k++) {
        place2(s, cz[k].x1, (double[]){0, 0, 1});
        es_school_desired(s, 0, 1, d, cnt);
        assert_int_equal(cnt[0] + cnt[1] + cnt[2], cz[k].seen);
    }
    /* the abeam neighbour in the zone of orientation sets d: its heading +z */
    place2(s, (double[]){10, 12, 10}, (double[]){0, 0, 1});
    es_school_desired(s, 0, 1, d, cnt);
    assert_int_equal(cnt[1], 1);
    assert_float_equal(d[2], 1.0, 0);
    es_school_free(s);

    p.mode = ES_SCHOOL_MODE_DEWI;
    p.blind_angle = 90;
    assert_int_equal(es_school_alloc(&p, &s), 0);
    const struct {
        double x1[3];
        int seen;
    } dk[] = {{{10, 12, 10}, 1}, {{10, 10.5, 10}, 1}, {{10 + 2 * ahead, 12, 10}, 1},
              {{10 - 2 * ahead, 12, 10}, 0}, {{10 - 0.5, 10, 10}, 0}};
    for (size_t k = 0; k < sizeof dk / sizeof dk[0]; k++) {
        place2(s, dk[k].x1, (double[]){0, 0, 1});
        es_school_desired(s, 0, 1, d, cnt);
        assert_int_equal(cnt[0] + cnt[1] + cnt[2], dk[k].seen);
    }
    es_school_free(s);
    /* the all-pairs step agrees: fish 0 (+x) sees fish 1 abeam in its zone
     * of orientation and turns by the NLERP step towards +y (φ = π/2,
     * t = 0.3/φ: tan(turn) = t/(1 − t)); fish 1 (+y) has fish 0 dead astern,
     * blind, and keeps its heading */
    p.box = 10;
    const double t = 0.3 / (M_PI / 2), turn = atan2(t, 1 - t);
    for (int portable = 0; portable < 2; portable++) {
        es_school_portable_kernels = portable;
        assert_int_equal(es_school_alloc(&p, &s), 0);
        place2(s, (double[]){10, 12, 10}, (double[]){0, 1, 0});
        for (int k = 0; k < 6; k++)
            s->pos[k] -= 5; /* inside [0, 10) */
        assert_int_equal(es_school_step(s, 1), 0);
        assert_float_equal(s->dir[0], cos(turn), 1e-15);
        assert_float_equal(s->dir[1], sin(turn), 1e-15);
        assert_memory_equal(s->dir + 3, ((double[]){0, 1, 0}), 3 * sizeof(double));
        es_school_free(s);
    }
    es_school_portable_kernels = false;
}

/* Zone boundaries as the spec has them: repulsion d < r_r, orientation
 * r_r <= d < r_o, attraction r_o <= d < r_a (a neighbour at exactly r_a is
 * not seen), in both modes; the neighbour dead ahead, at exact distances
 * (r² exact too) and one ulp inside. */
static void test_zone_boundaries(void **state)
{
    (void)state;
    for (int mode = 0; mode < 2; mode++) {
        es_school_params p;
        es_school_params_default(&p);
        p.mode = mode ? ES_SCHOOL_MODE_COUZIN : ES_SCHOOL_MODE_DEWI;
        p.n = 2;
        p.box = 40;
        p.r_r = 1;
        p.r_o = 3;
        p.r_a = 6;
        es_school *s;
        assert_int_equal(es_school_alloc(&p, &s), 0);
        const struct {
            double dist;
            int zone; /* 0 repulsion, 1 orientation, 2 attraction, -1 none */
        } c[] = {{nextafter(1.0, 0.0), 0}, {1.0, 1}, {nextafter(3.0, 0.0), 1}, {3.0, 2},
                 {nextafter(6.0, 0.0), 2}, {6.0, -1}};
        for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
            double d[3];
            int cnt[3];
            place2(s, (double[]){c[k].dist, 10, 10}, (double[]){0, 1, 0});
            s->pos[0] = 0.0; /* the displacement is then dist exactly */
            es_school_desired(s, 0, 1, d, cnt);
            for (int z = 0; z < 3; z++)
                assert_int_equal(cnt[z], z == c[k].zone);
        }
        es_school_free(s);
    }
}

/* ---- one whole step against a direct computation written from the spec
 * (not from the kernels): all pairs, minimum image by rounding (dewi), the
 * bearing as an angle in degrees, repulsion priority, the two desired-
 * direction rules, NLERP (dewi) / Rodrigues rotation (couzin), the noise of
 * es_counter_gauss3_batch (additive after the turn / an N(0, σ) deflection
 * before it), then c += s·τ·v(t+τ) from the old positions (synchronous). */
static double dot3t(const double *a, const double *b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void unit3(double *v)
{
    double n = sqrt(dot3t(v, v));
    for (int a = 0; a < 3; a++)
        v[a] /= n;
}

static void cross3(const double *a, const double *b, double *c)
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static int direct_seen(const es_school_params *p, int zone, double bearing_deg)
{
    if (p->mode == ES_SCHOOL_MODE_DEWI)
        return !(p->blind_angle > 0) || bearing_deg < 180.0 - p->blind_angle;
    return zone == 0 || bearing_deg <= 0.5 * p->fov;
}

static void direct_desired(const es_school *s, size_t i, double d[3])
{
    const es_school_params *p = &s->p;
    const int dewi = p->mode == ES_SCHOOL_MODE_DEWI;
    double sum[3][3] = {{0}};
    int cnt[3] = {0, 0, 0};
    const double *ci = s->pos + 3 * i, *vi = s->dir + 3 * i;
    for (size_t j = 0; j < s->n; j++) {
        double r[3];
        for (int a = 0; a < 3; a++) {
            r[a] = s->pos[3 * j + a] - ci[a];
            if (dewi)
                r[a] -= p->box * round(r[a] / p->box);
        }
        double dist = sqrt(dot3t(r, r));
        if (j == i || dist < 1e-10 || dist >= p->r_a)
            continue;
        int zone = dist < p->r_r ? 0 : dist < p->r_o ? 1 : 2;
        double e[3] = {r[0] / dist, r[1] / dist, r[2] / dist};
        if (!direct_seen(p, zone, acos(fmax(-1, fmin(1, dot3t(e, vi)))) * 180 / M_PI))
            continue;
        cnt[zone]++;
        for (int a = 0; a < 3; a++)
            sum[zone][a] += zone == 0 ? -e[a] : zone == 1 ? s->dir[3 * j + a] : e[a];
    }
    double v[3];
    for (int a = 0; a < 3; a++) {
        double o = sum[1][a] + (p->include_self && cnt[1] ? vi[a] : 0.0), at = sum[2][a];
        if (cnt[0])
            v[a] = sum[0][a];
        else if (dewi)
            v[a] = p->orientation_weight * o + at;
        else
            v[a] = cnt[1] && cnt[2] ? 0.5 * (o + at) : cnt[1] ? o : at;
    }
    if (!dewi && !cnt[0] && p->zone_normalise && cnt[1] && cnt[2]) {
        double o[3], at[3];
        for (int a = 0; a < 3; a++) {
            o[a] = sum[1][a] + (p->include_self ? vi[a] : 0.0);
            at[a] = sum[2][a];
        }
        unit3(o);
        unit3(at);
        for (int a = 0; a < 3; a++)
            v[a] = 0.5 * (o[a] + at[a]);
    }
    memcpy(d, vi, 3 * sizeof *d);
    if (sqrt(dot3t(v, v)) >= 1e-10) {
        memcpy(d, v, 3 * sizeof *d);
        unit3(d);
    }
}

static void direct_turn(const es_school_params *p, const double *u, const double *d,
                        const double *g, double *out)
{
    double phi = acos(fmax(-1, fmin(1, dot3t(u, d)))), th = p->max_turn;
    if (p->mode == ES_SCHOOL_MODE_DEWI) {
        if (phi < 1e-10)
            memcpy(out, u, 3 * sizeof *out);
        else if (phi <= th)
            memcpy(out, d, 3 * sizeof *out);
        else {
            for (int a = 0; a < 3; a++)
                out[a] = u[a] * (1 - th / phi) + d[a] * (th / phi);
            unit3(out);
        }
        for (int a = 0; a < 3 && p->noise > 0; a++)
            out[a] += p->noise * g[a];
        unit3(out);
        return;
    }
    double dn[3]; /* d deflected by ψ = σ g0 towards (g1 e1 + g2 e2)/|·|, e1 ⟂ d from
                     the axis of d's smallest component, e2 = d × e1 */
    memcpy(dn, d, sizeof dn);
    if (p->noise > 0) {
        int m = 0;
        for (int a = 1; a < 3; a++)
            if (fabs(d[a]) < fabs(d[m]))
                m = a;
        double e1[3] = {-d[m] * d[0], -d[m] * d[1], -d[m] * d[2]}, e2[3];
        e1[m] += 1.0;
        unit3(e1);
        cross3(d, e1, e2);
        double h = hypot(g[1], g[2]), psi = p->noise * g[0];
        for (int a = 0; a < 3; a++)
            dn[a] = cos(psi) * d[a] + sin(psi) * (g[1] * e1[a] + g[2] * e2[a]) / h;
        unit3(dn);
    }
    phi = acos(fmax(-1, fmin(1, dot3t(u, dn))));
    if (phi <= th) {
        memcpy(out, dn, 3 * sizeof *out);
        return;
    }
    double k[3], kxu[3]; /* Rodrigues about k = u × d / |u × d| */
    cross3(u, dn, k);
    unit3(k);
    cross3(k, u, kxu);
    for (int a = 0; a < 3; a++)
        out[a] = u[a] * cos(th) + kxu[a] * sin(th);
}

static void check_step_direct(es_school_params *p, int warm)
{
    es_school *s;
    assert_int_equal(es_school_alloc(p, &s), 0);
    assert_int_equal(es_school_init_state(s), 0);
    assert_int_equal(es_school_step(s, warm), 0);
    const size_t n = p->n;
    double *dir = malloc(3 * n * sizeof *dir), *pos = malloc(3 * n * sizeof *pos),
           *g = malloc(3 * n * sizeof *g);
    es_counter_gauss3_batch(p->noise_seed, (uint64_t)s->step + 1, 0, n, g);
    for (size_t i = 0; i < n; i++) {
        double d[3];
        direct_desired(s, i, d);
        direct_turn(p, s->dir + 3 * i, d, g + 3 * i, dir + 3 * i);
        for (int a = 0; a < 3; a++) {
            double x = s->pos[3 * i + a] + p->speed * p->dt * dir[3 * i + a];
            pos[3 * i + a] = p->mode == ES_SCHOOL_MODE_DEWI ? x - p->box * floor(x / p->box) : x;
        }
    }
    assert_int_equal(es_school_step(s, 1), 0);
    for (size_t k = 0; k < 3 * n; k++) {
        assert_float_equal(s->dir[k], dir[k], 1e-12);
        double dx = fabs(s->pos[k] - pos[k]);
        assert_true(fmin(dx, p->mode == ES_SCHOOL_MODE_DEWI ? p->box - dx : dx) < 1e-12);
    }
    free(dir);
    free(pos);
    free(g);
    es_school_free(s);
}

static void test_step_vs_direct(void **state)
{
    (void)state;
    es_school_params p;
    set_case1(&p, 150); /* all-pairs kernel, blind cone 30°, noise 0.2 */
    check_step_direct(&p, 5);
    set_case1(&p, 200); /* case 2: torus start, β = 150°, w = 0.1, cell list (5 cells) */
    p.r_r = 1;
    p.r_o = 3;
    p.r_a = 10;
    p.box = 25;
    p.max_turn = 0.2;
    p.noise = 0.05;
    p.blind_angle = 150;
    p.orientation_weight = 0.1;
    p.init = ES_SCHOOL_INIT_TORUS;
    p.init_size = 6;
    check_step_direct(&p, 5);
    set_case1(&p, 1500); /* cell list, 20 cells per axis */
    p.box = 40;
    p.r_r = 0.5;
    p.r_o = 1.5;
    p.r_a = 4;
    p.blind_angle = 60;
    p.noise = 0.1;
    check_step_direct(&p, 3);
    for (int k = 0; k < 4; k++) { /* couzin: counts / normalised, with / without self */
        es_school_params_default(&p);
        p.mode = ES_SCHOOL_MODE_COUZIN;
        p.n = 100;
        p.speed = 3;
        p.max_turn = 0.0698;
        p.noise = 0.05;
        p.fov = 270;
        p.r_r = 1;
        p.r_o = 3;
        p.r_a = 15;
        p.init = ES_SCHOOL_INIT_SPHERE;
        p.init_size = 5;
        p.zone_normalise = k & 1;
        p.include_self = k >> 1;
        check_step_direct(&p, 20);
    }
    p.n = 1000; /* Δr_o = 0 (no zone of orientation), α = 200°, cell list */
    p.r_o = 1;
    p.r_a = 4;
    p.fov = 200;
    p.noise = 0.1;
    p.init_size = 10;
    check_step_direct(&p, 10);
}

/* Bad parameters are rejected with a status. */
static void test_bad_params(void **state)
{
    (void)state;
    es_school_params p;
    es_school_params_default(&p);
    p.r_o = 0.5; /* r_r = 1 > r_o */
    assert_int_not_equal(es_school_params_check(&p), 0);
    es_school_params_default(&p);
    p.orientation_weight = 1.5;
    assert_int_not_equal(es_school_params_check(&p), 0);
    es_school_params_default(&p);
    p.n = 1;
    assert_int_not_equal(es_school_params_check(&p), 0);
    es_school_params_default(&p);
    assert_int_equal(es_school_params_check(&p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_turn_rotate),
        cmocka_unit_test(test_turn_nlerp),
        cmocka_unit_test(test_single_fish_max_turn), cmocka_unit_test(test_noise_magnitude),
        cmocka_unit_test(test_cells_vs_brute_force),
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_cell_kernels),
        cmocka_unit_test(test_pairs_step),
        cmocka_unit_test(test_noise_batch),
        cmocka_unit_test(test_aligned_stays_aligned),
        cmocka_unit_test(test_reference_initial_state),
        cmocka_unit_test(test_zone_rules),
        cmocka_unit_test(test_blind_boundary),
        cmocka_unit_test(test_zone_boundaries),
        cmocka_unit_test(test_step_vs_direct),
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
