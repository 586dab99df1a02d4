/* In-situ analysis: the orbital period trackers against closed forms
 * (Kepler: T = 2π a^{3/2}; isochrone: T_r = 2πGM/(−2E)^{3/2} and
 * Ω_φ/Ω_r = ½(1 + L/√(L² + 4GMb)), Binney & Tremaine 2008 eqs 3.225–3.226),
 * and a circular orbit's x(t) = sin t through the ideal sampling rule
 * against the spec §3.3 table (t_pat/t_nat = 0.4: ℓ = 63, H = 0.5104,
 * C = 0.3925 at dt = 0.01, T = 10⁴, n = 5). Also maps: the logistic map at
 * r = 4 has Lyapunov exponent ln 2. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "esuite/ordinal.h"
#include "esuite/status.h"
#include "orbits/orbits.h"

static es_orb_run_params run_params(double dt, int every, double t_end)
{
    es_orb_run_params rp;
    memset(&rp, 0, sizeof rp);
    es_orb_params_default(&rp.par);
    rp.par.integrator = ES_ORB_RK8PD;
    rp.par.dt = dt;
    rp.par.eps_abs = rp.par.eps_rel = 1e-12;
    rp.par.ntangent = 0;
    rp.cls.sali_threshold = 1e-8;
    rp.cls.mlce_threshold = 0.01;
    rp.t_end = t_end;
    rp.output_every = every;
    rp.nobs = 1;
    rp.obs[0] = ES_ORB_OBS_X;
    return rp;
}

static void test_periods(void **state)
{
    (void)state;
    es_orb_potential p = {.nterms = 1, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_POINTMASS, 1.0, 0, 0, 1, 1};
    es_orb_system s;
    es_orb_system_potential(&s, &p, 3);
    es_orb_run_params rp = run_params(0.001, 1, 200.0);
    es_orb_result r;
    /* e = 0.5, a = 1 */
    double kep[6] = {1.5, 0, 0, 0, sqrt(0.5 / 1.5), 0};
    assert_int_equal(es_orb_run_one(&s, &rp, kep, &r, NULL), 0);
    assert_float_equal(r.t_radial, 2 * M_PI, 2e-3);
    assert_float_equal(r.t_azimuthal, 2 * M_PI, 0.05); /* 200/2π ≈ 31.8 turns: phase end effect */
    /* isochrone GM = 1, b = 1 */
    p.term[0] = (es_orb_term){ES_ORB_ISOCHRONE, 1.0, 1.0, 0, 1, 1};
    es_orb_system_potential(&s, &p, 3);
    rp = run_params(0.001, 1, 500.0);
    double iso[6] = {1.0, 0, 0, 0, 0.45, 0};
    assert_int_equal(es_orb_run_one(&s, &rp, iso, &r, NULL), 0);
    double E = r.e0, L = 0.45;
    double Tr = 2 * M_PI / pow(-2 * E, 1.5);
    double ratio = 0.5 * (1 + L / sqrt(L * L + 4.0));
    print_message("isochrone: T_r %.5f (theory %.5f), T_phi %.4f (theory %.4f)\n", r.t_radial, Tr,
                  r.t_azimuthal, Tr / ratio);
    assert_float_equal(r.t_radial, Tr, 2e-3);
    assert_float_equal(r.t_azimuthal, Tr / ratio, 0.01 * Tr / ratio);
}

/* Bandt–Pompe H and C (order 5, natural logs) of x[0], x[d], ... counted here
 * by brute force, independently of the ordinal library: each window's rank
 * vector (ties by position) as a base-5 code, S = −Σ p ln p, H = S/ln 120,
 * C = H·J/J_max with J the Jensen–Shannon divergence to the uniform law. */
static void brute_hc(const double *x, size_t n, int d, double *H, double *C)
{
    enum { ORD = 5, NP = 120, NC = 3125 };
    static unsigned counts[NC];
    memset(counts, 0, sizeof counts);
    size_t ptot = n - (size_t)(ORD - 1) * d;
    for (size_t i = 0; i < ptot; i++) {
        int code = 0;
        for (int k = ORD - 1; k >= 0; k--) {
            int r = 0;
            for (int j = 0; j < ORD; j++) {
                double a = x[i + (size_t)j * d], b = x[i + (size_t)k * d];
                r += a < b || (a == b && j < k);
            }
            code = code * ORD + r;
        }
        counts[code]++;
    }
    double S = 0.0, SM = 0.0, b = 1.0 / (2.0 * NP);
    int seen = 0;
    for (int c = 0; c < NC; c++) {
        if (!counts[c])
            continue;
        double pc = (double)counts[c] / (double)ptot, m = (pc + 1.0 / NP) / 2.0;
        S -= pc * log(pc);
        SM -= m * log(m);
        seen++;
    }
    SM -= (NP - seen) * b * log(b);
    double J = SM - S / 2.0 - log((double)NP) / 2.0;
    double a1 = (1.0 + 1.0 / NP) / 2.0;
    double Jmax = -a1 * log(a1) - (NP - 1.0) * b * log(b) - log((double)NP) / 2.0;
    *H = S / log((double)NP);
    *C = J / Jmax * *H;
}

static void test_circular_ideal_sampling(void **state)
{
    (void)state;
    es_orb_potential p = {.nterms = 1, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_POINTMASS, 1.0, 0, 0, 1, 1};
    es_orb_system s;
    es_orb_system_potential(&s, &p, 2);
    es_orb_run_params rp = run_params(0.01, 1, 99.99);
    size_t nout = es_orb_run_nout(&rp);
    assert_int_equal(nout, 10000);
    double *x = malloc(nout * sizeof *x);
    es_orb_result r;
    double y0[4] = {0.0, -1.0, 1.0, 0.0}; /* x(t) = sin t */
    assert_int_equal(es_orb_run_one(&s, &rp, y0, &r, x), 0);
    assert_float_equal(x[157], sin(1.57), 1e-9);
    es_orb_insitu_params ip = {5, ES_ORB_TNAT_MAXAVG, 3};
    es_orb_insitu a;
    double Hc[3], Cc[3];
    es_orb_insitu_one(x, nout, 0.01, &r, &ip, &a, Hc, Cc);
    assert_int_equal(a.status, 0);
    print_message("circular: tnat %.5f delay %d H %.4f C %.4f class %s\n", a.tnat, a.delay, a.H,
                  a.C, es_ordinal_class_name(a.ordinal_class));
    assert_float_equal(a.tnat, 6.28333, 1e-4); /* spec §3.2: maxavg on sin t */
    assert_int_equal(a.delay, 63);
    assert_float_equal(a.H, 0.5104, 1e-4);
    assert_float_equal(a.C, 0.3925, 1e-4);
    assert_int_equal(a.chaotic, 0);
    /* spec §2.3: ℓ = 1 on sin t gives (0.1597, 0.1514) */
    assert_float_equal(Hc[0], 0.1597, 1e-4);
    assert_float_equal(Cc[0], 0.1514, 1e-4);
    /* the same from the brute-force count above on the same series, to 1e-12
     * (the 4-digit spec values allow 1e-4; measured apart by ≤ 5.6e-17) */
    double bh, bc;
    brute_hc(x, nout, 63, &bh, &bc);
    assert_float_equal(a.H, bh, 1e-12);
    assert_float_equal(a.C, bc, 1e-12);
    brute_hc(x, nout, 1, &bh, &bc);
    assert_float_equal(Hc[0], bh, 1e-12);
    assert_float_equal(Cc[0], bc, 1e-12);
    /* the curve is NaN where Ptot = 10000 − 4ℓ < 5! = 120 (ℓ ≥ 2471), as documented */
    {
        enum { L = 2471 };
        double *Hl = malloc(L * sizeof *Hl), *Cl = malloc(L * sizeof *Cl);
        es_orb_insitu_params ipl = {5, ES_ORB_TNAT_MAXAVG, L};
        es_orb_insitu_one(x, nout, 0.01, &r, &ipl, &a, Hl, Cl);
        assert_int_equal(a.status, 0);
        assert_true(isfinite(Hl[L - 2]) && isfinite(Cl[L - 2])); /* ℓ = 2470: Ptot = 120 */
        assert_true(isnan(Hl[L - 1]) && isnan(Cl[L - 1]));       /* ℓ = 2471: Ptot = 116 */
        assert_float_equal(Hl[62], a.H, 0.0);                   /* ℓ = 63, the ideal delay */
        free(Hl);
        free(Cl);
    }
    /* 900 samples (t_dur/t_nat = 8.99/6.28 < 1.5) warn: the call reports it in
     * `warned` and removes its own warnings, also when an older warning is
     * on the list. Only an empty list was cleared before, so after one older
     * warning they piled up (printed once per orbit) and from the 32nd call
     * on (the list full) warned read 0. */
    {
        es_orb_insitu_params ipw = {5, ES_ORB_TNAT_MAXAVG, 0};
        es_warning_clear();
        es_warning_add("an older warning");
        for (int k = 0; k < 40; k++) {
            es_orb_insitu_one(x, 900, 0.01, &r, &ipw, &a, NULL, NULL);
            assert_int_equal(a.status, 0);
            assert_int_equal(a.warned, 1);
        }
        assert_int_equal(es_warning_count(), 1);
        assert_string_equal(es_warning_get(0), "an older warning");
        es_orb_insitu_one(x, nout, 0.01, &r, &ipw, &a, NULL, NULL); /* 10^4 samples: none */
        assert_int_equal(a.warned, 0);
        assert_int_equal(es_warning_count(), 1);
        es_warning_clear();
    }
    /* A series constant to rounding (a conserved quantity) is not analysed:
     * L_z = 0.15 plus rounding-level wiggles (1e-16 relative) read H = 0.81,
     * "stochastic" (chaotic) for regular Plummer orbits; exactly constant
     * too. A real signal of small relative size (1e-9) is analysed. */
    {
        es_orb_insitu_params ipc = {5, ES_ORB_TNAT_MAXAVG, 2};
        double *c = malloc(nout * sizeof *c), Hc2[2], Cc2[2];
        for (size_t i = 0; i < nout; i++)
            c[i] = 0.15 + 1.5e-17 * x[i] * (double)(i % 7);
        es_orb_insitu_one(c, nout, 0.01, &r, &ipc, &a, Hc2, Cc2);
        assert_int_equal(a.status, ES_EUNSUP);
        assert_int_equal(a.ordinal_class, -1);
        assert_int_equal(a.chaotic, -1);
        assert_true(isnan(a.H) && isnan(a.C) && isnan(Hc2[0]) && isnan(Cc2[1]));
        for (size_t i = 0; i < nout; i++)
            c[i] = 0.0; /* z of a planar orbit */
        es_orb_insitu_one(c, nout, 0.01, &r, &ipc, &a, Hc2, Cc2);
        assert_int_equal(a.status, ES_EUNSUP);
        for (size_t i = 0; i < nout; i++)
            c[i] = 0.15 + 1.5e-10 * x[i]; /* a sine 1e-9 of the mean: analysed as one */
        es_orb_insitu_one(c, nout, 0.01, &r, &ipc, &a, Hc2, Cc2);
        assert_int_equal(a.status, 0);
        assert_int_equal(a.delay, 63);
        assert_float_equal(a.H, 0.5104, 1e-4);
        free(c);
    }
    /* the radial-period source on a circular orbit has no pericentres */
    ip.tnat = ES_ORB_TNAT_RADIAL;
    ip.curve_max_delay = 0;
    es_orb_insitu_one(x, nout, 0.01, &r, &ip, &a, NULL, NULL);
    assert_int_not_equal(a.status, 0);
    assert_int_equal(a.ordinal_class, -1);
    /* the azimuthal period (2π) through the sampling rule gives the same ℓ = 63 */
    ip.tnat = ES_ORB_TNAT_AZIMUTHAL;
    es_orb_insitu_one(x, nout, 0.01, &r, &ip, &a, NULL, NULL);
    assert_int_equal(a.status, 0);
    assert_int_equal(a.delay, 63);
    free(x);
}

static void test_maps(void **state)
{
    (void)state;
    es_orb_map_params mp = {4.0, 0.1, 1.4, 0.3, 1.99, 0.0, 0.0};
    size_t T = 100000;
    double *x = malloc(T * sizeof *x), lyap;
    assert_int_equal(es_orb_map_generate(ES_ORB_MAP_LOGISTIC, &mp, T, 1, x, &lyap), 0);
    assert_float_equal(x[3], 0.28901376, 1e-8); /* spec §4.2 first values */
    assert_float_equal(lyap, log(2.0), 0.01);
    assert_int_equal(es_orb_map_generate(ES_ORB_MAP_TENT, &mp, T, 1, x, &lyap), 0);
    assert_float_equal(lyap, log(1.99), 1e-12);
    /* Hénon map a = 1.4, b = 0.3: λ1 = 0.419 (Sprott 2003, Table A.1) */
    assert_int_equal(es_orb_map_generate(ES_ORB_MAP_HENON, &mp, T, 1, x, &lyap), 0);
    assert_float_equal(x[2], 0.796, 1e-12);
    assert_float_equal(lyap, 0.419, 0.005);
    /* The generator takes any length >= 2; 5 samples are too short for the
     * analysis at order 5 (6 needed), whose status is ES_ESHORT = 4, the
     * /insitu/<obs>/status value documented in orbits.h and docs/orbits.md */
    assert_int_equal(es_orb_map_generate(ES_ORB_MAP_LOGISTIC, &mp, 1, 1, x, &lyap), ES_EINVAL);
    assert_int_equal(es_orb_map_generate(ES_ORB_MAP_LOGISTIC, &mp, 5, 1, x, &lyap), ES_OK);
    es_orb_result r;
    memset(&r, 0, sizeof r);
    es_orb_insitu_params ip = {.order = 5, .tnat = ES_ORB_TNAT_MAXAVG, .curve_max_delay = 0};
    es_orb_insitu a;
    es_orb_insitu_one(x, 5, 1.0, &r, &ip, &a, NULL, NULL);
    assert_int_equal(a.status, ES_ESHORT);
    assert_int_equal(ES_ESHORT, 4);
    assert_int_equal(a.ordinal_class, -1);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_circular_ideal_sampling),
        cmocka_unit_test(test_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
