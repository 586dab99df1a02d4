/* Coarse-grained Boltzmann entropy estimators (esuite/boltzmann.h) against
 * hand-computed values and the oracles of spec gas.md §10.1 and §7.3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "esuite/boltzmann.h"
#include "esuite/rng.h"
#include "esuite/status.h"

/* |a − b| <= tol, printing both numbers on failure. */
#define assert_close(a, b, tol)                                                                 \
    do {                                                                                        \
        double a_ = (a), b_ = (b), t_ = (tol);                                                  \
        if (!(fabs(a_ - b_) <= t_)) {                                                           \
            print_error("%s = %.10g, expected %.10g ± %.3g\n", #a, a_, b_, t_);                \
            fail();                                                                             \
        }                                                                                       \
    } while (0)

static void set(double *pv, size_t i, double x, double y, double vx, double vy)
{
    pv[4 * i] = x;
    pv[4 * i + 1] = y;
    pv[4 * i + 2] = vx;
    pv[4 * i + 3] = vy;
}

/* Five particles by hand on a 2×2 box, dx = dy = 1, dv = 0.5, v_max = 1:
 * occupations {3, 1, 1} in cells of volume |Δ| = 1·1·0.25. */
static void test_hand_made_exact(void **state)
{
    (void)state;
    double pv[20];
    set(pv, 0, 0.2, 0.3, 0.1, 0.1);  /* cell A: x∈[0,1), y∈[0,1), v∈[0,.5)² */
    set(pv, 1, 0.9, 0.1, 0.4, 0.2);  /* A */
    set(pv, 2, 0.5, 0.99, 0.0, 0.49); /* A */
    set(pv, 3, 1.5, 0.5, 0.1, 0.1);  /* B: other x cell */
    set(pv, 4, 0.2, 0.3, -0.1, 0.1); /* C: other vx cell */
    es_bz_grid g = {.lx = 2, .ly = 2, .dx = 1, .dy = 1, .dv = 0.5, .v_max = 1};
    es_bz_workspace *w = es_bz_workspace_alloc(2);
    es_bz_result r;
    assert_int_equal(es_bz_entropy(&g, ES_BZ_FULL, pv, 5, w, &r), ES_OK);
    double V = 0.25;
    assert_int_equal(r.occupied, 3);
    assert_int_equal(r.out_of_range, 0);
    assert_close(r.cell_volume, V, 1e-15);
    /* S_B = 5 ln V − ln 3! − ln 1! − ln 1! */
    assert_close(r.S_B, 5 * log(V) - log(6.0), 1e-12);
    /* s_G = −Σ p ln(p/V) with p = 3/5, 1/5, 1/5 */
    double sG = -(0.6 * log(0.6 / V) + 2 * 0.2 * log(0.2 / V));
    assert_close(r.s_G, sG, 1e-12);
    assert_close(r.s_MM, sG + 2.0 / 10.0, 1e-12);

    /* Position-only: cells {A,C} merge (x∈[0,1),y∈[0,1)) = 4, B = 1, |Δ| = 1. */
    assert_int_equal(es_bz_entropy(&g, ES_BZ_POSITION, pv, 5, w, &r), ES_OK);
    assert_int_equal(r.occupied, 2);
    assert_close(r.S_B, -log(24.0), 1e-12);
    assert_close(r.s_G, -(0.8 * log(0.8) + 0.2 * log(0.2)), 1e-12);
    /* Velocity-only: v cells [0,.5)²: 4 particles, [-.5,0)×[0,.5): 1, |Δ| = 0.25. */
    assert_int_equal(es_bz_entropy(&g, ES_BZ_VELOCITY, pv, 5, w, &r), ES_OK);
    assert_int_equal(r.occupied, 2);
    assert_close(r.S_B, 5 * log(V) - log(24.0), 1e-12);

    /* Strips (dy <= 0): y ignored, |Δ| = 1·2·0.25; same occupations as FULL. */
    g.dy = 0.0;
    assert_int_equal(es_bz_entropy(&g, ES_BZ_FULL, pv, 5, w, &r), ES_OK);
    assert_int_equal(r.occupied, 3);
    assert_close(r.cell_volume, 0.5, 1e-15);
    assert_close(r.s_G, -(0.6 * log(0.6 / 0.5) + 2 * 0.2 * log(0.2 / 0.5)), 1e-12);

    /* A velocity beyond v_max is clamped into the edge cell and counted. */
    set(pv, 4, 0.2, 0.3, 7.0, 0.1); /* joins vx cell [0.5, 1) */
    assert_int_equal(es_bz_entropy(&g, ES_BZ_FULL, pv, 5, w, &r), ES_OK);
    assert_int_equal(r.out_of_range, 1);
    assert_int_equal(r.occupied, 3);

    /* Same estimators from counts. */
    uint64_t counts[5] = {3, 0, 1, 1, 0};
    assert_int_equal(es_bz_from_counts(counts, 5, V, &r), ES_OK);
    assert_close(r.S_B, 5 * log(V) - log(6.0), 1e-12);
    assert_close(r.s_G, sG, 1e-12);
    es_bz_workspace_free(w);
}

static void test_bad_grid(void **state)
{
    (void)state;
    es_bz_grid g = {.lx = 1, .ly = 1, .dx = 0.3, .dy = 0, .dv = 0.1, .v_max = 5};
    assert_int_equal(es_bz_grid_check(&g), ES_EINVAL); /* 1/0.3 is not an integer */
    g.dx = 0.25;
    assert_int_equal(es_bz_grid_check(&g), ES_OK);
    g.dv = 0;
    assert_int_equal(es_bz_grid_check(&g), ES_EINVAL);
}

/* §4.3 / §10.1 item 2: exact 1-D velocity-bin entropy, table to 1e-5. */
static void test_maxwell_s1_table(void **state)
{
    (void)state;
    const double dv[] = {0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0};
    const double s1[] = {1.418943, 1.419043, 1.419355, 1.420602, 1.421536,
                         1.422675, 1.425561, 1.429248, 1.441843, 1.458959};
    for (int i = 0; i < 10; i++)
        assert_close(es_bz_maxwell_s1(dv[i], 1.0, 12.0), s1[i], 1e-5);
    /* Δv → 0 limit ½ ln(2πeT) and its T scaling. */
    assert_close(es_bz_maxwell_s1(0.002, 1.0, 12.0), 0.5 * log(2 * M_PI * M_E), 1e-6);
    assert_close(es_bz_maxwell_s1(0.004, 4.0, 24.0), 0.5 * log(2 * M_PI * M_E * 4), 1e-6);
}

/* §10.3 item 10: the closed form ΔS/N(u) table (values given to 1e-6). */
static void test_collisionless_closed_form(void **state)
{
    (void)state;
    const double u[] = {0.25, 0.5, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 2.874, 3.0, 3.5, 4.0, 5.0};
    const double s[] = {0.125000, 0.250000, 0.500000, 0.598144, 0.655465, 0.684616, 0.693147,
                        0.679733, 0.673628, 0.674416, 0.686323, 0.693147, 0.686454};
    for (int i = 0; i < 13; i++)
        assert_close(es_bz_collisionless_dS(u[i]), s[i], 1e-6);
    assert_close(es_bz_collisionless_dS(0.0), 0.0, 0.0);
    /* minimum on [4, 6] (§7.3): 0.686359 at u = 4.9285 */
    assert_close(es_bz_collisionless_dS(4.9285), 0.686359, 2e-6);
}

/* §10.1 item 1: uniform positions, Maxwell velocities, N = 10^6, Δx = 0.1,
 * Δv = 0.25, V_max = 5.5: s_MM = ln A + 2 s1(0.25) within 0.01 + K_occ/N. */
static void test_equilibrium_value(void **state)
{
    (void)state;
    size_t n = 1000000;
    double *pv = malloc(4 * n * sizeof *pv);
    es_rng r;
    es_rng_seed(&r, 7, 0);
    for (size_t i = 0; i < n; i++)
        set(pv, i, es_rng_uniform(&r), es_rng_uniform(&r), es_rng_gauss(&r), es_rng_gauss(&r));
    es_bz_grid g = {.lx = 1, .ly = 1, .dx = 0.1, .dy = 0.1, .dv = 0.25, .v_max = 5.5};
    es_bz_workspace *w = es_bz_workspace_alloc(n);
    es_bz_result res;
    assert_int_equal(es_bz_entropy(&g, ES_BZ_FULL, pv, n, w, &res), ES_OK);
    double tol = 0.01 + (double)res.occupied / n;
    assert_close(res.s_MM, 2.843072, tol);
    /* The same in the left half only: 2.149925. */
    for (size_t i = 0; i < n; i++)
        pv[4 * i] *= 0.5;
    assert_int_equal(es_bz_entropy(&g, ES_BZ_FULL, pv, n, w, &res), ES_OK);
    assert_close(res.s_MM, 2.149925, 0.01 + (double)res.occupied / n);
    /* Velocity marginal alone: 2 s1(0.25) = 2.843072 − ln 1. */
    assert_int_equal(es_bz_entropy(&g, ES_BZ_VELOCITY, pv, n, w, &res), ES_OK);
    assert_close(res.s_MM, 2 * 1.421536, 0.002);
    /* Position marginal: ln(A/2) = −ln 2 (cells of the left half only). */
    assert_int_equal(es_bz_entropy(&g, ES_BZ_POSITION, pv, n, w, &res), ES_OK);
    assert_close(res.s_MM, -log(2.0), 1e-3);
    es_bz_workspace_free(w);
    free(pv);
}

/* §10.1 item 3: N = 10^4 uniform over K = 1000 cells, 100 draws: the mean of
 * (s_true − s_plugin) is (K − 1)/(2N) = 0.04995 within 0.005 (the spread of
 * the bias over draws is ~ sqrt(2K)/(2N)/10 ≈ 2e-4, far below). */
static void test_bias_law(void **state)
{
    (void)state;
    size_t n = 10000, K = 1000;
    double *pv = calloc(4 * n, sizeof *pv);
    es_bz_grid g = {.lx = 1, .ly = 1, .dx = 1.0 / K, .dy = 0, .dv = 1, .v_max = 1};
    es_bz_workspace *w = es_bz_workspace_alloc(n);
    es_rng r;
    es_rng_seed(&r, 11, 0);
    double sum_bias = 0.0, sum_mm = 0.0;
    for (int d = 0; d < 100; d++) {
        for (size_t i = 0; i < n; i++)
            pv[4 * i] = es_rng_uniform(&r);
        es_bz_result res;
        assert_int_equal(es_bz_entropy(&g, ES_BZ_POSITION, pv, n, w, &res), ES_OK);
        sum_bias += 0.0 - res.s_G; /* s_true = ln(area) = 0 */
        sum_mm += 0.0 - res.s_MM;
    }
    assert_close(sum_bias / 100, (K - 1.0) / (2.0 * n), 0.005);
    /* Miller–Madow removes the leading bias. */
    assert_close(sum_mm / 100, 0.0, 0.002);
    es_bz_workspace_free(w);
    free(pv);
}

/* Profiles: two-bin hand-made configuration. */
static void test_profiles(void **state)
{
    (void)state;
    double pv[16];
    set(pv, 0, 0.1, 0.5, 1.0, 0.0);
    set(pv, 1, 0.2, 0.5, 3.0, 2.0);
    set(pv, 2, 0.3, 0.5, -1.0, 1.0);
    set(pv, 3, 1.5, 0.5, 0.0, 0.0);
    double n[2], u[2], T[2];
    assert_int_equal(es_bz_profiles(pv, 4, 2.0, 2.0, 2, n, u, T), ES_OK);
    assert_close(n[0], 3.0 / 2.0, 1e-15); /* 3 particles in a 1×2 bin */
    assert_close(n[1], 0.5, 1e-15);
    assert_close(u[0], 1.0, 1e-15);
    /* T = ½(⟨|v|²⟩ − |u|²): ⟨|v|²⟩ = (1 + 13 + 2)/3, u = (1, 1) */
    assert_close(T[0], 0.5 * (16.0 / 3.0 - 2.0), 1e-14);
    assert_close(T[1], 0.0, 1e-15);
    assert_int_equal(es_bz_count_right(pv, 4, 1.0), 1);
    assert_close(es_bz_kinetic_energy(pv, 4), 0.5 + 6.5 + 1.0, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_exact),    cmocka_unit_test(test_bad_grid),
        cmocka_unit_test(test_maxwell_s1_table),   cmocka_unit_test(test_collisionless_closed_form),
        cmocka_unit_test(test_equilibrium_value),  cmocka_unit_test(test_bias_law),
        cmocka_unit_test(test_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
