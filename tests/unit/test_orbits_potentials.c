/* Potentials: accelerations and Hessians against central differences of the
 * potential, circular speeds and Poisson's equation (∇²Φ = 4πGρ) against the
 * textbook densities (Binney & Tremaine 2008, §2.2–2.3; Dehnen 2000). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "orbits/orbits.h"

static es_orb_term mk(es_orb_term_kind k, double gm, double a, double b, double qy, double qz)
{
    es_orb_term t = {k, gm, a, b, qy, qz};
    return t;
}

static es_orb_term all_terms[9];
static void init_terms(void)
{
    all_terms[0] = mk(ES_ORB_POINTMASS, 1.3, 0, 0, 1, 1);
    all_terms[1] = mk(ES_ORB_PLUMMER, 1.1, 0.7, 0, 1, 1);
    all_terms[2] = mk(ES_ORB_HERNQUIST, 2.0, 0.5, 0, 1, 1);
    all_terms[3] = mk(ES_ORB_ISOCHRONE, 0.9, 0.8, 0, 1, 1);
    all_terms[4] = mk(ES_ORB_NFW, 3.0, 2.0, 0, 1, 1);
    all_terms[5] = mk(ES_ORB_LOGARITHMIC, 1.0, 0.3, 0, 0.8, 0.6);
    all_terms[6] = mk(ES_ORB_MIYAMOTO_NAGAI, 1.0, 0.65, 0.26, 1, 1);
    all_terms[7] = mk(ES_ORB_DEHNEN_BAR, 0.02, 1.5, 0, 1, 1);
    all_terms[8] = mk(ES_ORB_HENON_HEILES, 0, 0, 0, 1, 1);
}

static const double pts[4][3] = {
    {0.9, 0.4, -0.3}, {-1.7, 0.2, 0.8}, {0.3, -2.5, 1.1}, {0.05, 0.02, 0.01}};

/* acc = −∇Φ and the Hessian agree with fourth-order central differences of Φ
 * (resp. of acc) to 1e-7 relative. */
static void test_gradients_hessians(void **state)
{
    (void)state;
    init_terms();
    for (int k = 0; k < 9; k++)
        for (int p = 0; p < 4; p++) {
            const double *x = pts[p];
            double acc[3], hess[9];
            es_orb_term_eval(&all_terms[k], x, acc, hess);
            double h = 1e-4 * (1.0 + sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]));
            if (p == 3)
                h = 1e-5;
            double scale = 0.0;
            for (int i = 0; i < 9; i++)
                scale = fmax(scale, fabs(hess[i]));
            for (int i = 0; i < 3; i++) {
                double xp[3] = {x[0], x[1], x[2]}, f[4], a[4][3];
                const double off[4] = {-2, -1, 1, 2};
                for (int s = 0; s < 4; s++) {
                    xp[i] = x[i] + off[s] * h;
                    f[s] = es_orb_term_eval(&all_terms[k], xp, a[s], NULL);
                }
                double dphi = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
                assert_true(fabs(-acc[i] - dphi) <= 1e-7 * (fabs(dphi) + scale + 1e-3));
                for (int j = 0; j < 3; j++) {
                    double dacc = (a[0][j] - 8 * a[1][j] + 8 * a[2][j] - a[3][j]) / (12 * h);
                    double err = fabs(hess[3 * j + i] + dacc);
                    if (!(err <= 1e-6 * (scale + 1e-3)))
                        print_error("term %s point %d H[%d][%d] = %g, fd %g\n",
                                    es_orb_term_name(all_terms[k].kind), p, j, i, hess[3 * j + i],
                                    -dacc);
                    assert_true(err <= 1e-6 * (scale + 1e-3));
                }
            }
        }
}

/* At r = 0 exactly every spherical term gives a finite state: the cored ones
 * their limits (acc 0, Hessian k1(0) δ), the cusps (Hernquist, NFW: force of
 * magnitude GM/a² resp. GM/(2a²) but no direction) zero force and curvature,
 * and Φ(0) = −GM/a for both. Before, the cusps' acc was NaN (0·∞). */
static void test_centre(void **state)
{
    (void)state;
    init_terms();
    const double o[3] = {0, 0, 0};
    for (int k = 1; k <= 4; k++) {
        double acc[3], hess[9];
        double phi = es_orb_term_eval(&all_terms[k], o, acc, hess);
        for (int i = 0; i < 3; i++)
            assert_true(acc[i] == 0.0);
        for (int i = 0; i < 9; i++)
            assert_true(isfinite(hess[i]));
        assert_true(isfinite(phi));
    }
    double acc[3], hess[9];
    assert_float_equal(es_orb_term_eval(&all_terms[2], o, acc, hess), -2.0 / 0.5, 1e-15);
    assert_float_equal(es_orb_term_eval(&all_terms[4], o, acc, hess), -3.0 / 2.0, 1e-15);
    /* Plummer's Hessian at the centre: GM/a³ δ (k1(0) = GM/a³) */
    es_orb_term_eval(&all_terms[1], o, acc, hess);
    assert_float_equal(hess[0], 1.1 / (0.7 * 0.7 * 0.7), 1e-14);
}

/* Circular speeds in closed form (Binney & Tremaine 2008 eqs 2.34, 2.44d,
 * 2.49, 2.67, 2.73; MN eq. 2.69a at z = 0). */
static void test_vcirc(void **state)
{
    (void)state;
    init_terms();
    const double R = 1.7;
    double expect[7];
    expect[0] = sqrt(1.3 / R);
    expect[1] = sqrt(1.1 * R * R / pow(R * R + 0.49, 1.5));
    expect[2] = sqrt(2.0 * R) / (R + 0.5);
    double s = sqrt(0.64 + R * R);
    expect[3] = sqrt(0.9 * R * R / ((0.8 + s) * (0.8 + s) * s));
    double u = R / 2.0;
    expect[4] = sqrt(3.0 * (log(1 + u) - u / (1 + u)) / R);
    expect[5] = 1.0 * R / sqrt(0.09 + R * R);
    expect[6] = sqrt(1.0 * R * R / pow(R * R + (0.65 + 0.26) * (0.65 + 0.26), 1.5));
    for (int k = 0; k < 7; k++) {
        es_orb_potential p = {.nterms = 1, .omega = 0.0};
        p.term[0] = all_terms[k];
        assert_float_equal(es_orb_potential_vcirc(&p, R), expect[k], 1e-13);
    }
}

static double laplacian(const es_orb_term *t, const double x[3])
{
    double acc[3], h[9];
    es_orb_term_eval(t, x, acc, h);
    return h[0] + h[4] + h[8];
}

/* ∇²Φ = 4πGρ with the published densities (G = 1, M ≡ gm). */
static void test_poisson(void **state)
{
    (void)state;
    init_terms();
    const double x[3] = {0.9, -0.6, 0.45};
    double r = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    double R2 = x[0] * x[0] + x[1] * x[1];
    double fourpi = 4.0 * M_PI;
    /* point mass: harmonic */
    assert_float_equal(laplacian(&all_terms[0], x), 0.0, 1e-13);
    /* Plummer: ρ = 3M/(4πb³) (1 + r²/b²)^(−5/2) */
    double b = 0.7;
    assert_float_equal(laplacian(&all_terms[1], x),
                       fourpi * 3 * 1.1 / (fourpi * b * b * b) * pow(1 + r * r / (b * b), -2.5),
                       1e-12);
    /* Hernquist: ρ = M a / (2π r (r+a)³) */
    assert_float_equal(laplacian(&all_terms[2], x),
                       fourpi * 2.0 * 0.5 / (2 * M_PI * r * pow(r + 0.5, 3)), 1e-12);
    /* isochrone: ρ = M [3(b+s)s² − r²(b+3s)] / (4π (b+s)³ s³) */
    double bi = 0.8, s = sqrt(bi * bi + r * r);
    assert_float_equal(laplacian(&all_terms[3], x),
                       0.9 * (3 * (bi + s) * s * s - r * r * (bi + 3 * s)) /
                           (pow(bi + s, 3) * s * s * s),
                       1e-12);
    /* NFW: 4πGρ = GM / (a³ u (1+u)²) */
    double u = r / 2.0;
    assert_float_equal(laplacian(&all_terms[4], x), 3.0 / (8.0 * u * (1 + u) * (1 + u)), 1e-12);
    /* Miyamoto–Nagai: ρ = b²M/(4π) [aR² + (a+3ζ)(a+ζ)²] / ([R² + (a+ζ)²]^(5/2) ζ³) */
    double a = 0.65, bm = 0.26, z = sqrt(x[2] * x[2] + bm * bm);
    assert_float_equal(laplacian(&all_terms[6], x),
                       bm * bm * (a * R2 + (a + 3 * z) * (a + z) * (a + z)) /
                           (pow(R2 + (a + z) * (a + z), 2.5) * z * z * z),
                       1e-12);
    /* Dehnen bar outside R_b: (x² − y²) r⁻⁵ is a solid harmonic → ∇²Φ = 0 */
    const double xo[3] = {1.9, 0.7, -0.5};
    assert_float_equal(laplacian(&all_terms[7], xo), 0.0, 1e-14);
}

/* A sum of terms is the sum of the terms. */
static void test_sum(void **state)
{
    (void)state;
    init_terms();
    es_orb_potential p = {.nterms = 3, .omega = 0.0};
    p.term[0] = all_terms[1];
    p.term[1] = all_terms[5];
    p.term[2] = all_terms[6];
    const double x[3] = {0.4, 1.2, -0.2};
    double acc[3], h[9], sum_phi = 0.0, sum_acc0 = 0.0, sum_h8 = 0.0;
    double phi = es_orb_potential_eval(&p, x, acc, h);
    for (int k = 0; k < 3; k++) {
        double a[3], hh[9];
        sum_phi += es_orb_term_eval(&p.term[k], x, a, hh);
        sum_acc0 += a[0];
        sum_h8 += hh[8];
    }
    assert_float_equal(phi, sum_phi, 1e-15);
    assert_float_equal(acc[0], sum_acc0, 1e-15);
    assert_float_equal(h[8], sum_h8, 1e-15);
    /* bad parameters are rejected */
    p.term[0].a = -1.0;
    assert_int_not_equal(es_orb_potential_check(&p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients_hessians),
        cmocka_unit_test(test_vcirc),
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_sum),
        cmocka_unit_test(test_centre),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
