/* School metrics on hand-computed configurations (spec §3 definitions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/rng.h"
#include "esuite/school_metrics.h"

/* numpy.histogram edge rules: last bin closed, outside dropped. */
static void test_bin_edges(void **state)
{
    (void)state;
    assert_int_equal(es_school_bin(0.0, 0.0, 1.0, 20), 0);
    assert_int_equal(es_school_bin(0.05, 0.0, 1.0, 20), 1);   /* on an inner edge: upper bin */
    assert_int_equal(es_school_bin(0.0499, 0.0, 1.0, 20), 0);
    assert_int_equal(es_school_bin(1.0, 0.0, 1.0, 20), 19);   /* right edge included */
    assert_int_equal(es_school_bin(1.0 + 1e-15, 0.0, 1.0, 20), -1);
    assert_int_equal(es_school_bin(-1e-300, 0.0, 1.0, 20), -1);
    assert_int_equal(es_school_bin(12.5, 0.0, 12.5, 25), 24);
    assert_int_equal(es_school_bin(NAN, 0.0, 1.0, 20), -1);
}

/* An aligned school: P = 1, H_vel = 0 (all pairs in the top bin), H_pol = 0. */
static void test_aligned_school(void **state)
{
    (void)state;
    enum { N = 50 };
    double vel[3 * N];
    for (int i = 0; i < N; i++) {
        vel[3 * i] = 0.0;
        vel[3 * i + 1] = 0.0;
        vel[3 * i + 2] = 1.5;
    }
    assert_float_equal(es_school_polarization(vel, N), 1.0, 1e-15);
    assert_float_equal(es_school_h_velcorr(vel, N, 0), 0.0, 1e-15);
    assert_float_equal(es_school_h_polarization(vel, N), 0.0, 1e-15);
}

/* 150 fish along (0.3, 0.5, 0.8): the mean of the unit headings rounds to
 * |s| = 1.0000000000000013, past school.nc's valid_range [0, 1] (CF readers
 * mask it); P, order index and M stay in [0, 1]. */
static void test_aligned_not_above_one(void **state)
{
    (void)state;
    enum { N = 150 };
    double pos[3 * N], vel[3 * N];
    for (int i = 0; i < N; i++) {
        vel[3 * i] = 0.3;
        vel[3 * i + 1] = 0.5;
        vel[3 * i + 2] = 0.8;
        pos[3 * i] = 1.0 + 0.05 * i;
        pos[3 * i + 1] = 2.0 + 0.03 * (i % 7);
        pos[3 * i + 2] = 3.0 + 0.02 * (i % 11);
    }
    assert_true(es_school_polarization(vel, N) == 1.0);
    es_school_metrics m;
    assert_int_equal(es_school_metrics_compute(pos, vel, N, 20.0, 0, 0, &m), 0);
    assert_true(m.polarization == 1.0 && m.order_index == 1.0);
    assert_true(m.rotation >= 0.0 && m.rotation <= 1.0);
}

/* P and M are clamped to 1 against rounding, but a NaN heading must stay
 * NaN: fmin(NaN, 1) = 1 gave P = M = 1, a perfectly ordered school. */
static void test_nan_heading_not_ordered(void **state)
{
    (void)state;
    double vel[6] = {NAN, 0, 0, 1, 0, 0}, pos[6] = {0, 0, 0, 1, 1, 1}, c[3] = {0.5, 0.5, 0.5};
    assert_true(isnan(es_school_polarization(vel, 2)));
    assert_true(isnan(es_school_rotation(pos, vel, 2, c, 0)));
    double ok[6] = {1, 0, 0, 1, 0, 0};
    assert_true(es_school_polarization(ok, 2) == 1.0); /* two fish along +x */
}

/* The 0.5 guards of spec §3. */
static void test_guards(void **state)
{
    (void)state;
    double pos[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1, 2, 2, 2, 3, 3, 3};
    double vel[18] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1};
    double c[3] = {0, 0, 0}, nnd[1] = {1.0}, knn[25] = {0};
    assert_float_equal(es_school_h_cohesion(nnd, 1, 10.0), 0.5, 0);
    assert_float_equal(es_school_h_velcorr(vel, 1, 0), 0.5, 0);
    assert_float_equal(es_school_h_angular(pos, vel, 2, c, 0), 0.5, 0);
    assert_float_equal(es_school_h_shape(pos, 3, c, 0), 0.5, 0);
    assert_float_equal(es_school_h_knn(knn, 5), 0.5, 0);
    /* No value in range: all depths above L. */
    assert_float_equal(es_school_h_depth(pos, 3, 0.5), 0.5, 0);
    /* Nearest-neighbour distances all beyond L/2 are dropped. */
    double far[3] = {6.0, 7.0, 8.0};
    assert_float_equal(es_school_h_cohesion(far, 3, 10.0), 0.5, 0);
    unsigned long long zero[4] = {0};
    assert_float_equal(es_school_entropy_counts(zero, 4), 0.5, 0);
}

/* Uniform occupancy of the 12×24 (θ, φ) grid: one heading at each cell
 * centre. P vanishes and H_pol follows from the sin θ row weights. */
static void test_uniform_headings(void **state)
{
    (void)state;
    enum { NT = 12, NP = 24, N = NT * NP };
    double *vel = malloc(3 * N * sizeof *vel);
    double w[NT], W = 0;
    for (int t = 0; t < NT; t++) {
        double th = (t + 0.5) * M_PI / NT;
        w[t] = sin(th);
        W += NP * w[t];
        for (int p = 0; p < NP; p++) {
            double ph = (p + 0.5) * 2 * M_PI / NP - M_PI; /* atan2 range */
            double *v = vel + 3 * (t * NP + p);
            v[0] = sin(th) * cos(ph);
            v[1] = sin(th) * sin(ph);
            v[2] = cos(th);
        }
    }
    double H = 0;
    for (int t = 0; t < NT; t++) {
        double q = w[t] / W;
        H -= NP * q * log(q);
    }
    H /= log((double)N);
    assert_float_equal(es_school_h_polarization(vel, N), H, 1e-13);
    assert_float_equal(H, 0.9761171278247959, 1e-13); /* independent: python3 */
    assert_float_equal(es_school_polarization(vel, N), 0.0, 1e-14);
    free(vel);
}

/* Points (±a,0,0), (0,±b,0), (0,0,±c): covariance diag(2a², 2b², 2c²)/5,
 * so p = (a², b², c²)/(a²+b²+c²). */
static void test_shape_entropy(void **state)
{
    (void)state;
    double a = 1, b = 2, cc = 3;
    double pos[18] = {a, 0, 0, -a, 0, 0, 0, b, 0, 0, -b, 0, 0, 0, cc, 0, 0, -cc};
    double c[3];
    es_school_centroid(pos, 6, c);
    double s = a * a + b * b + cc * cc, p[3] = {a * a / s, b * b / s, cc * cc / s}, H = 0;
    for (int k = 0; k < 3; k++)
        H -= p[k] * log(p[k]);
    assert_float_equal(es_school_h_shape(pos, 6, c, 0), H / log(3.0), 1e-13);
    /* Isotropic: H = 1. Rotated copy of the isotropic cross still gives 1. */
    double iso[18] = {2, 0, 0, -2, 0, 0, 0, 2, 0, 0, -2, 0, 0, 0, 2, 0, 0, -2};
    es_school_centroid(iso, 6, c);
    assert_float_equal(es_school_h_shape(iso, 6, c, 0), 1.0, 1e-13);
    /* A line: two eigenvalues floored at 1e-10. */
    double line[12] = {0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0};
    es_school_centroid(line, 4, c);
    double lam = 5.0 / 3.0, q0 = lam / (lam + 2e-10), q1 = 1e-10 / (lam + 2e-10);
    double Hl = -(q0 * log(q0) + 2 * q1 * log(q1)) / log(3.0);
    assert_float_equal(es_school_h_shape(line, 4, c, 0), Hl, 1e-15);
}

/* A ring with tangential headings: M = 1, P = 0, spread = R; radial
 * headings: M = 0; all headings +x: P = 1, M = 0. */
static void test_order_parameters(void **state)
{
    (void)state;
    enum { N = 36 };
    double pos[3 * N], vel[3 * N], c[3], R = 4.0;
    for (int i = 0; i < N; i++) {
        double th = 2 * M_PI * i / N;
        pos[3 * i] = 10 + R * cos(th);
        pos[3 * i + 1] = 10 + R * sin(th);
        pos[3 * i + 2] = 10;
        vel[3 * i] = -sin(th);
        vel[3 * i + 1] = cos(th);
        vel[3 * i + 2] = 0;
    }
    es_school_centroid(pos, N, c);
    assert_float_equal(es_school_rotation(pos, vel, N, c, 0), 1.0, 1e-14);
    assert_float_equal(es_school_polarization(vel, N), 0.0, 1e-14);
    assert_float_equal(es_school_spread(pos, N, c, 0), R, 1e-13);
    for (int i = 0; i < N; i++) {
        vel[3 * i] = 1;
        vel[3 * i + 1] = 0;
    }
    assert_float_equal(es_school_polarization(vel, N), 1.0, 1e-15);
    assert_float_equal(es_school_rotation(pos, vel, N, c, 0), 0.0, 1e-14);
    /* H_ang: |r̂ × x̂| = |sin θ| over the ring, binned by hand. */
    unsigned long long cnt[20] = {0};
    for (int i = 0; i < N; i++)
        cnt[es_school_bin(fabs(sin(2 * M_PI * i / N)), 0, 1, 20)]++;
    assert_float_equal(es_school_h_angular(pos, vel, N, c, 0), es_school_entropy_counts(cnt, 20),
                       1e-15);
}

/* H_ang with r̂ ⟂ v̂: ℓ = |r̂ × v̂| is 1 but rounds to 1 + 2.2e-16 for the
 * offset (2, 3, 1) and heading (-3, 2, 0), past the histogram's [0, 1]: the
 * fish was dropped. Two such fish (offsets ±(2, 3, 1)) and two with headings
 * along their offsets (ℓ = 0) about the centroid (10, 10, 10): ℓ = 1, 1, 0,
 * 0, bins 19 and 0 half each, H_ang = ln 2 / ln 20 = 0.23137821315975918
 * by hand; it was 0 (only the ℓ = 0 fish counted). */
static void test_angular_perpendicular(void **state)
{
    (void)state;
    double pos[12] = {12, 13, 11, 8, 7, 9, 10, 10, 15, 10, 10, 5};
    double vel[12] = {-3, 2, 0, -3, 2, 0, 0, 0, 1, 0, 0, 1}, c[3];
    es_school_centroid(pos, 4, c);
    assert_true(c[0] == 10 && c[1] == 10 && c[2] == 10);
    assert_float_equal(es_school_h_angular(pos, vel, 4, c, 0), log(2.0) / log(20.0), 1e-15);
    assert_float_equal(es_school_h_angular(pos, vel, 4, c, 0), 0.23137821315975918, 1e-15);
    es_school_metrics m;
    assert_int_equal(es_school_metrics_compute(pos, vel, 4, 20.0, 0, 0, &m), 0);
    assert_float_equal(m.h[ES_SCHOOL_H_ANG], 0.23137821315975918, 1e-15);
    double nanv[12] = {NAN, 2, 0, -3, 2, 0, 0, 0, 1, 0, 0, 1};
    unsigned long long cnt[20] = {0}; /* a NaN ℓ is still dropped: ℓ = 1, 0, 0 */
    cnt[19] = 1;
    cnt[0] = 2;
    assert_float_equal(es_school_h_angular(pos, nanv, 4, c, 0), es_school_entropy_counts(cnt, 20),
                       1e-15);
}

/* A school straddling the periodic face: the naive centroid is off by
 * ~L/2, the periodic-aware one is not. */
static void test_periodic_centroid(void **state)
{
    (void)state;
    enum { N = 20 };
    double L = 20.0, pos[3 * N], c[3];
    for (int i = 0; i < N; i++) {
        double x = -1.0 + 2.0 * i / (N - 1); /* [-1, 1] wrapped */
        pos[3 * i] = x < 0 ? x + L : x;
        pos[3 * i + 1] = 5;
        pos[3 * i + 2] = 5;
    }
    es_school_centroid_periodic(pos, N, L, c);
    double cx = c[0] > L / 2 ? c[0] - L : c[0];
    assert_float_equal(cx, 0.0, 1e-12);
    double rms = 0;
    for (int i = 0; i < N; i++) {
        double x = -1.0 + 2.0 * i / (N - 1);
        rms += x * x;
    }
    assert_float_equal(es_school_spread(pos, N, c, L), sqrt(rms / N), 1e-12);
    es_school_centroid(pos, N, c);
    assert_float_equal(c[0], L / 2, 1e-12); /* the reference's naive centroid */
}

static double brute_min_image(double d, double L) { return L > 0 ? d - L * nearbyint(d / L) : d; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check_knn(size_t n, double L, double spread, size_t k)
{
    double *pos = malloc(3 * n * sizeof *pos), *d = malloc(n * k * sizeof *d),
           *all = malloc(n * sizeof *all);
    for (size_t i = 0; i < 3 * n; i++)
        pos[i] = es_counter_uniform(7, i, n, 0) * (L > 0 ? L : spread);
    assert_int_equal(es_school_knn(pos, n, L, k, d), 0);
    for (size_t i = 0; i < n; i++) {
        size_t m = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double dx = brute_min_image(pos[3 * j] - pos[3 * i], L),
                   dy = brute_min_image(pos[3 * j + 1] - pos[3 * i + 1], L),
                   dz = brute_min_image(pos[3 * j + 2] - pos[3 * i + 2], L);
            all[m++] = sqrt(dx * dx + dy * dy + dz * dz);
        }
        qsort(all, m, sizeof *all, cmp_double);
        for (size_t t = 0; t < k; t++)
            assert_float_equal(d[i * k + t], all[t], 1e-12);
    }
    free(pos);
    free(d);
    free(all);
}

/* Cell-grid k-NN equals brute force (periodic and open, several sizes). */
static void test_knn_brute_force(void **state)
{
    (void)state;
    check_knn(7, 10.0, 0, 5);
    check_knn(150, 25.0, 0, 5);
    check_knn(1000, 10.0, 0, 5);
    check_knn(777, 3.0, 0, 1);
    check_knn(600, 0.0, 30.0, 5);
    check_knn(64, 0.0, 5.0, 5);
}

/* H_coh and H_knn from hand-made distance sets. */
static void test_cohesion_knn(void **state)
{
    (void)state;
    double nnd[4] = {1.0, 1.0, 3.0, 3.0}; /* two bins of width 0.5 (L = 25) */
    assert_float_equal(es_school_h_cohesion(nnd, 4, 25.0), log(2.0) / log(25.0), 1e-15);
    double knn[30];
    for (int i = 0; i < 6; i++)
        for (int m = 0; m < 5; m++)
            knn[5 * i + m] = (i < 3) ? 2.0 : 1.0 + m; /* CV 0 and CV sqrt(2)/3 */
    double cv = sqrt(2.0) / (3.0 + 1e-10);
    assert_int_equal(es_school_bin(cv, 0, 2, 20), 4);
    assert_float_equal(es_school_h_knn(knn, 6), log(2.0) / log(20.0), 1e-15);
}


/* Three standard normals for point i: es_counter_gauss2's pair (seed, i,
 * stream, 0) and the first of (…, 1). */
static void gauss3_of(uint64_t seed, size_t i, uint64_t stream, double g[3])
{
    double h[2];
    es_counter_gauss2(seed, i, stream, 0, g);
    es_counter_gauss2(seed, i, stream, 1, h);
    g[2] = h[0];
}

/* Sampled pair histogram above the threshold agrees with the exact one. */
static void test_velcorr_sampled(void **state)
{
    (void)state;
    size_t n = 5000;
    double *vel = malloc(3 * n * sizeof *vel);
    for (size_t i = 0; i < n; i++) {
        double g[3];
        gauss3_of(3, i, 0, g);
        vel[3 * i] = g[0];
        vel[3 * i + 1] = g[1];
        vel[3 * i + 2] = g[2] + (i % 3 == 0 ? 2.0 : 0.0);
    }
    double exact = es_school_h_velcorr(vel, n, 10000), sampled = es_school_h_velcorr(vel, n, 1000);
    assert_float_equal(sampled, exact, 2e-3);
    assert_true(exact > 0.8 && exact < 1.0);
    free(vel);
}

/* Headings for the pair-histogram tests: kind 0 isotropic, 1 an aligned
 * school (spread ~0.15 rad about +z), 2 two opposite schools plus an
 * isotropic third; every kind also holds exact duplicates, exact
 * opposites (c = -|u|², rounding may put it below -1: clamped) and zero
 * velocities (unit vector ~0: c ~ 0). */
static void velcorr_headings(double *vel, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        double g[3];
        gauss3_of(11, i, (uint64_t)kind, g);
        double s = kind == 0 ? 1.0 : (kind == 1 ? 0.15 : (i % 3 == 0 ? 1.0 : 0.1));
        double z = kind == 0 ? 0.0 : (kind == 1 ? 1.0 : (i % 2 ? 1.0 : -1.0));
        vel[3 * i] = s * g[0];
        vel[3 * i + 1] = s * g[1];
        vel[3 * i + 2] = s * g[2] + z;
    }
    for (size_t i = 0; i + 1 < n; i += 97) { /* duplicates and opposites */
        for (int a = 0; a < 3; a++)
            vel[3 * (i + 1) + a] = (i % 2 ? -2.5 : 0.5) * vel[3 * i + a];
    }
    for (size_t i = 5; i < n; i += 1009) /* zero velocity */
        vel[3 * i] = vel[3 * i + 1] = vel[3 * i + 2] = 0.0;
}

/* The independent reference: every pair, the scalar definition. */
static void velcorr_reference(const double *vel, size_t n, unsigned long long *cnt)
{
    double *u = malloc(3 * n * sizeof *u);
    assert_non_null(u);
    for (size_t i = 0; i < n; i++) {
        const double *v = vel + 3 * i;
        double nrm = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (nrm < 1e-10)
            nrm = 1.0;
        for (int a = 0; a < 3; a++)
            u[3 * i + a] = v[a] / nrm;
    }
    memset(cnt, 0, 20 * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const double *a = u + 3 * i, *b = u + 3 * j;
            double c = fmax(-1.0, fmin(1.0, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
            long k = es_school_bin((c + 1.0) / 2.0, 0, 1, 20);
            if (k >= 0)
                cnt[k]++;
        }
    free(u);
}

/* The dual-tree counts equal the all-pairs counts bin by bin (aligned,
 * isotropic and mixed headings, N in the thousands), and both equal the
 * scalar definition; c rounding outside [-1, 1] is clamped by both. */
/* Rows of the pair histogram counted in pieces (as the pipelined run splits
 * them between its threads) add up to the all-pairs counts, and a frame's
 * metrics with the first rows given equal those computed in one piece. */
static void test_velcorr_rows(void **state)
{
    (void)state;
    enum { N = 150 };
    double pos[3 * N], vel[3 * N];
    for (size_t i = 0; i < N; i++) {
        double g[3];
        gauss3_of(5, i, 0, g);
        vel[3 * i] = g[0] + 0.8; /* a loose school: many bins used */
        vel[3 * i + 1] = g[1];
        vel[3 * i + 2] = g[2];
        for (int a = 0; a < 3; a++)
            pos[3 * i + a] = 25.0 * es_counter_uniform(6, i, (uint64_t)a, 0);
    }
    unsigned long long all[20], sum = 0;
    assert_int_equal(es_school_velcorr_counts(vel, N, ES_SCHOOL_VELCORR_PAIRS, all), 0);
    for (int b = 0; b < 20; b++)
        sum += all[b];
    assert_true(sum == N * (N - 1) / 2);
    es_school_metrics whole;
    assert_int_equal(es_school_metrics_compute(pos, vel, N, 25.0, 0, 0, &whole), 0);
    const size_t cuts[] = {0, 1, 7, 64, 149, 150};
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
        es_school_velcorr_part part = {.rows = cuts[c]};
        unsigned long long rest[20] = {0};
        assert_int_equal(es_school_velcorr_count_rows(vel, N, 0, cuts[c], part.cnt), 0);
        assert_int_equal(es_school_velcorr_count_rows(vel, N, cuts[c], N, rest), 0);
        for (int b = 0; b < 20; b++)
            assert_true(part.cnt[b] + rest[b] == all[b]);
        es_school_metrics m;
        assert_int_equal(es_school_metrics_compute_part(pos, vel, N, 25.0, 0, 0, &part, &m), 0);
        assert_memory_equal(&m, &whole, sizeof m);
    }
}

static void test_velcorr_tree_exact(void **state)
{
    (void)state;
    const size_t sizes[3] = {3000, 4500, 2600};
    for (int kind = 0; kind < 3; kind++) {
        size_t n = sizes[kind];
        double *vel = malloc(3 * n * sizeof *vel);
        assert_non_null(vel);
        velcorr_headings(vel, n, kind);
        unsigned long long pairs[20], tree[20], ref[20], total = 0;
        assert_int_equal(es_school_velcorr_counts(vel, n, ES_SCHOOL_VELCORR_PAIRS, pairs), 0);
        assert_int_equal(es_school_velcorr_counts(vel, n, ES_SCHOOL_VELCORR_TREE, tree), 0);
        for (int k = 0; k < 20; k++) {
            assert_int_equal(tree[k], pairs[k]);
            total += tree[k];
        }
        assert_true(total <= (unsigned long long)n * (n - 1) / 2);
        if (kind == 1) { /* aligned: almost every pair in the top bin */
            assert_true(tree[19] > total * 3 / 4);
        }
        if (kind == 2) {
            velcorr_reference(vel, n, ref);
            for (int k = 0; k < 20; k++)
                assert_int_equal(tree[k], ref[k]);
            /* the H_vel of the two paths: the same double */
            assert_true(es_school_h_velcorr(vel, n, n) ==
                        es_school_entropy_counts(pairs, 20));
        }
        free(vel);
    }
    /* All headings equal (every node pair touches c = 1): still exact. */
    size_t n = 2500;
    double *vel = malloc(3 * n * sizeof *vel);
    assert_non_null(vel);
    for (size_t i = 0; i < n; i++) {
        vel[3 * i] = 0.3;
        vel[3 * i + 1] = -0.4;
        vel[3 * i + 2] = 1.2;
    }
    unsigned long long pairs[20], tree[20];
    assert_int_equal(es_school_velcorr_counts(vel, n, ES_SCHOOL_VELCORR_PAIRS, pairs), 0);
    assert_int_equal(es_school_velcorr_counts(vel, n, ES_SCHOOL_VELCORR_TREE, tree), 0);
    for (int k = 0; k < 20; k++)
        assert_int_equal(tree[k], pairs[k]);
    free(vel);
}

/* Identical and opposite headings: c = ±|û|² rounds up to 2 ulps past ±1
 * ((1, 13, 13): û·û = 1 + 4.4e-16, so (c + 1)/2 > 1; (1, 1, 1):
 * -û·û = -1 - 2.2e-16, so (c + 1)/2 < 0). Such pairs were dropped: an
 * aligned school of (1, 13, 13) had H_vel = 0.5 (no pair in range), two fish
 * swimming exactly apart 0.5, and 2 + 2 opposite fish 0 (only the two
 * same-heading pairs counted). Now c is clamped to [-1, 1]: by hand, H = 0,
 * 0, and the four cross pairs in bin 0 with the two others in bin 19,
 * H = -(2/3 ln 2/3 + 1/3 ln 1/3) / ln 20 = 0.21247364923557852. */
static void test_velcorr_parallel_opposite(void **state)
{
    (void)state;
    enum { N = 2500 };
    double *vel = malloc(3 * N * sizeof *vel);
    assert_non_null(vel);
    for (size_t i = 0; i < N; i++) {
        vel[3 * i] = 1.0;
        vel[3 * i + 1] = 13.0;
        vel[3 * i + 2] = 13.0;
    }
    assert_true(es_school_h_velcorr(vel, 10, 0) == 0.0);
    unsigned long long pairs[20], tree[20];
    assert_int_equal(es_school_velcorr_counts(vel, N, ES_SCHOOL_VELCORR_PAIRS, pairs), 0);
    assert_int_equal(es_school_velcorr_counts(vel, N, ES_SCHOOL_VELCORR_TREE, tree), 0);
    assert_true(pairs[19] == (unsigned long long)N * (N - 1) / 2);
    assert_true(tree[19] == pairs[19]);
    assert_true(es_school_h_velcorr(vel, N, 0) == 0.0);
    free(vel);
    double apart[6] = {1, 1, 1, -1, -1, -1};
    assert_true(es_school_h_velcorr(apart, 2, 0) == 0.0);
    double two_two[12] = {1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1};
    assert_float_equal(es_school_h_velcorr(two_two, 4, 0),
                       -(2.0 / 3 * log(2.0 / 3) + 1.0 / 3 * log(1.0 / 3)) / log(20.0), 1e-15);
    assert_float_equal(es_school_h_velcorr(two_two, 4, 0), 0.21247364923557852, 1e-15);
}

/* H_pol against an independent binning (acos, atan2 and a linear search of
 * numpy.histogramdd's edges) for isotropic headings and for headings placed
 * exactly on cell edges, 1e-12 … 1e-8 off them, at the poles and at zero: the fast
 * comparison path must give every fish the reference's cell. */
static double edge_ref(double hi, int nb, int k) { return k == nb ? hi : k * (hi / nb); }

static long bin_ref(double x, double hi, int nb)
{
    if (!(x >= 0 && x <= hi))
        return -1;
    long b = 0;
    for (int k = 1; k < nb; k++)
        if (edge_ref(hi, nb, k) <= x)
            b = k;
    return b;
}

static double h_pol_ref(const double *vel, size_t n)
{
    static unsigned long long cnt[12][24];
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < n; i++) {
        const double *v = vel + 3 * i;
        double nrm = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (nrm < 1e-10)
            nrm = 1.0;
        double ux = v[0] / nrm, uy = v[1] / nrm, uz = v[2] / nrm;
        long bt = bin_ref(acos(fmax(-1.0, fmin(1.0, uz))), M_PI, 12),
             bp = bin_ref(atan2(uy, ux) + M_PI, 2 * M_PI, 24);
        if (bt >= 0 && bp >= 0)
            cnt[bt][bp]++;
    }
    double w[12], total = 0, H = 0;
    for (int t = 0; t < 12; t++) {
        w[t] = sin((edge_ref(M_PI, 12, t) + edge_ref(M_PI, 12, t + 1)) / 2);
        for (int p = 0; p < 24; p++)
            total += (double)cnt[t][p] * w[t];
    }
    for (int t = 0; t < 12; t++)
        for (int p = 0; p < 24; p++)
            if (cnt[t][p]) {
                double q = (double)cnt[t][p] * w[t] / total;
                H -= q * log(q);
            }
    return H / log(288.0);
}

static void test_polarization_bins(void **state)
{
    (void)state;
    size_t n = 20000;
    double *vel = malloc(3 * n * sizeof *vel);
    assert_non_null(vel);
    for (size_t i = 0; i < n; i++) {
        double g[3];
        gauss3_of(5, i, 0, g);
        vel[3 * i] = g[0];
        vel[3 * i + 1] = g[1];
        vel[3 * i + 2] = g[2];
    }
    assert_float_equal(es_school_h_polarization(vel, n), h_pol_ref(vel, n), 1e-14);
    /* On and next to every edge: θ = e_t (+-1e-12, +-1e-8), φ = f_p - π likewise. */
    size_t m = 0;
    const double off[9] = {0, 1e-12, -1e-12, 1e-8, -1e-8, 2e-9, -2e-9, 4e-9, -4e-9};
    for (int t = 0; t <= 12; t++)
        for (int p = 0; p <= 24; p++)
            for (int o = 0; o < 9 && m + 1 < n; o++, m++) {
                double th = edge_ref(M_PI, 12, t) + off[o],
                       ph = edge_ref(2 * M_PI, 24, p) - M_PI + off[(o + p) % 9];
                vel[3 * m] = 2.0 * sin(th) * cos(ph);
                vel[3 * m + 1] = 2.0 * sin(th) * sin(ph);
                vel[3 * m + 2] = 2.0 * cos(th);
            }
    for (int k = 0; k < 6; k++, m++) { /* zero, signed zeros, axes */
        const double z[6][3] = {{0, 0, 0}, {-0.0, -0.0, 1}, {-1, -0.0, 0},
                                {-1, 0.0, 0}, {0, 1, 0}, {1e-12, -1e-12, 0}};
        memcpy(vel + 3 * m, z[k], sizeof z[k]);
    }
    assert_float_equal(es_school_h_polarization(vel, m), h_pol_ref(vel, m), 1e-14);
    assert_float_equal(es_school_h_polarization(vel, n), h_pol_ref(vel, n), 1e-14);
    free(vel);
}

/* Classifier thresholds and the OSI weights (sum 1). */
static void test_classify_osi(void **state)
{
    (void)state;
    assert_string_equal(es_school_classify(0.95, 0.0), "Highly Parallel");
    assert_string_equal(es_school_classify(0.9, 0.0), "Dynamic Parallel");
    assert_string_equal(es_school_classify(0.72, 0.32), "Dynamic Parallel");
    assert_string_equal(es_school_classify(0.1, 0.8), "Torus");
    assert_string_equal(es_school_classify(0.5, 0.1), "Transitional");
    assert_string_equal(es_school_classify(0.1, 0.31), "Transitional");
    assert_string_equal(es_school_classify(0.08, 0.06), "Swarm");
    double ones[ES_SCHOOL_NH] = {1, 1, 1, 1, 1, 1, 1};
    assert_float_equal(es_school_osi(ones), 1.0, 1e-15);
    double h[ES_SCHOOL_NH] = {0.347, 0.814, 0.744, 0.805, 0.324, 1.000, 0.953};
    /* Spec §4 re-run table, case 1 rep 0: OSI 0.722. */
    assert_float_equal(es_school_osi(h), 0.722, 5e-4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bin_edges),        cmocka_unit_test(test_aligned_school), cmocka_unit_test(test_aligned_not_above_one),
        cmocka_unit_test(test_guards),           cmocka_unit_test(test_uniform_headings),
        cmocka_unit_test(test_nan_heading_not_ordered),
        cmocka_unit_test(test_shape_entropy),    cmocka_unit_test(test_order_parameters),
        cmocka_unit_test(test_angular_perpendicular),
        cmocka_unit_test(test_periodic_centroid), cmocka_unit_test(test_knn_brute_force),
        cmocka_unit_test(test_cohesion_knn),     cmocka_unit_test(test_velcorr_sampled),
        cmocka_unit_test(test_velcorr_tree_exact), cmocka_unit_test(test_velcorr_parallel_opposite),
        cmocka_unit_test(test_polarization_bins),
        cmocka_unit_test(test_classify_osi),       cmocka_unit_test(test_velcorr_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
