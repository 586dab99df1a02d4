/* Ensembles: initial conditions on the Hénon–Heiles surface of section and
 * on energy surfaces (energy exact, section centroid against quadrature),
 * grid and file ICs, thread-count independence, and the Hénon–Heiles
 * regular fraction at E = 1/12, 1/8, 1/6 (Hénon & Heiles 1964, AJ 69, 73:
 * essentially all regular at 1/12, about half at 1/8, mostly chaotic at 1/6). */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "esuite/status.h"
#include "orbits/orbits.h"

static double hh_v0(double y) { return 0.5 * y * y - y * y * y / 3.0; }

/* Section x = 0 at E = 1/8: every IC has H = E to 1e-14, x = 0, px ≥ 0,
 * and the mean of y over 4000 samples equals the centroid of the accessible
 * area ∫ y·2√(2(E−V)) dy / ∫ 2√(2(E−V)) dy (trapezoid quadrature here)
 * within 4 standard errors. */
static void test_section_ics(void **state)
{
    (void)state;
    es_orb_system s;
    es_orb_system_henon_heiles(&s);
    es_orb_ic_params ic = {0};
    ic.kind = ES_ORB_IC_SECTION;
    ic.n = 4000;
    ic.seed = 7;
    ic.energy = 0.125;
    ic.rmax = 1.0;
    double *y0;
    size_t n;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    assert_int_equal(n, 4000);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        double *q = y0 + 4 * i;
        assert_float_equal(es_orb_system_energy(&s, q), 0.125, 1e-14);
        assert_true(q[0] == 0.0 && q[2] >= 0.0);
        sum += q[1];
        sum2 += q[1] * q[1];
    }
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    double A = 0, M = 0;
    const int K = 200000;
    for (int k = 0; k <= K; k++) {
        double y = -1.0 + 2.0 * k / K, w = (k == 0 || k == K) ? 0.5 : 1.0;
        double g = 2 * (0.125 - hh_v0(y));
        double len = g > 0 ? 2 * sqrt(g) : 0.0;
        A += w * len;
        M += w * len * y;
    }
    print_message("section centroid: samples %.4f, quadrature %.4f (se %.4f)\n", mean, M / A,
                  sd / sqrt(n));
    assert_float_equal(mean, M / A, 4 * sd / sqrt(n));
    free(y0);
}

/* Energy-surface ICs in a 3-D potential have the requested energy; grid ICs
 * are the requested lattice; file ICs are read and errors name the line. */
static void test_energy_grid_file(void **state)
{
    (void)state;
    es_orb_potential p = {.nterms = 1, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_LOGARITHMIC, 1.0, 0.3, 0, 0.9, 0.7};
    es_orb_system s;
    es_orb_system_potential(&s, &p, 3);
    es_orb_ic_params ic = {0};
    ic.kind = ES_ORB_IC_ENERGY;
    ic.n = 100;
    ic.seed = 3;
    ic.energy = 0.5;
    ic.rmax = 2.0;
    double *y0;
    size_t n;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    for (size_t i = 0; i < n; i++)
        assert_float_equal(es_orb_system_energy(&s, y0 + 6 * i), 0.5, 1e-14);
    free(y0);
    /* pendulum energy surface */
    es_orb_system pd;
    es_orb_system_pendulum(&pd, 1, 1, 1, 1, 9.80665);
    ic.energy = 5.0;
    assert_int_equal(es_orb_ic_generate(&pd, &ic, &y0, &n), 0);
    for (size_t i = 0; i < n; i++)
        assert_float_equal(es_orb_system_energy(&pd, y0 + 4 * i), 5.0, 1e-12);
    free(y0);
    /* grid 3 × 3 over x ∈ [1, 2], vy ∈ [0.5, 1.5] */
    ic.kind = ES_ORB_IC_GRID;
    ic.n = 9;
    ic.x_min = 1, ic.x_max = 2, ic.v_min = 0.5, ic.v_max = 1.5;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    assert_int_equal(n, 9);
    assert_float_equal(y0[6 * 4 + 0], 1.5, 1e-15); /* centre point */
    assert_float_equal(y0[6 * 4 + 4], 1.0, 1e-15);
    assert_float_equal(y0[6 * 8 + 0], 2.0, 1e-15);
    free(y0);
    /* one x, a range of vy: 5 orbits at vy = 0.5, 0.75, ..., 1.5 (they were
     * 5 copies of vy = 1); one vy, a range of x: x = 1, 1.25, ..., 2 */
    ic.n = 5;
    ic.x_max = 1;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_float_equal(y0[6 * i + 0], 1.0, 0);
        assert_float_equal(y0[6 * i + 4], 0.5 + 0.25 * (double)i, 1e-15);
    }
    free(y0);
    ic.x_max = 2, ic.v_max = 0.5;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_float_equal(y0[6 * i + 0], 1.0 + 0.25 * (double)i, 1e-15);
        assert_float_equal(y0[6 * i + 4], 0.5, 0);
    }
    free(y0);
    ic.v_max = 1.5;
    /* file */
    char path[] = "/tmp/esuite_orbits_icXXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# x y vx vy\n0 0.1 0.3 0\n0.0, -0.1, 0.2, 0.05\n");
    fclose(f);
    es_orb_system hh;
    es_orb_system_henon_heiles(&hh);
    ic.kind = ES_ORB_IC_FILE;
    ic.path = path;
    assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), 0);
    assert_int_equal(n, 2);
    assert_float_equal(y0[6], 0.2, 0);
    assert_float_equal(y0[7], 0.05, 0);
    free(y0);
    f = fopen(path, "w");
    fprintf(f, "0 0.1 0.3 0\n0 0.1 zz 0\n");
    fclose(f);
    assert_int_not_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), 0);
    /* a fifth number is not dropped: the row belongs to another phase space */
    f = fopen(path, "w");
    fprintf(f, "0 0.1 0.3 0 # comment\n0 0.1 0.3 0 7\n");
    fclose(f);
    assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), ES_EDATA);
    assert_non_null(strstr(es_error_message(), ":2: column 5: unexpected '7' after the 4 numbers"));
    /* an empty field is an error naming file, line and column: ',,' was
     * read as one separator and a trailing ',' or ';' was dropped */
    static const struct { const char *row, *msg; } empty[] = {
        {"0.1,0.2,0.3,0.4,\n", ":2: column 5 is empty (a trailing ',' after the 4 numbers of the phase-space point)"},
        {"0.1;0.2;0.3;0.4 ; # c\n", ":2: column 5 is empty (a trailing ';' after the 4 numbers of the phase-space point)"},
        {"0.1,,0.3,0.4\n", ":2: column 2 is empty (expected 4 numbers separated by blanks, ',' or ';')"},
        {"0.1,,0.2,0.3,0.4\n", ":2: column 2 is empty (expected 4 numbers separated by blanks, ',' or ';')"},
        {"0.1 , , 0.3 0.4\n", ":2: column 2 is empty (expected 4 numbers separated by blanks, ',' or ';')"},
        {",0.1,0.2,0.3,0.4\n", ":2: column 1 is empty (expected 4 numbers separated by blanks, ',' or ';')"},
        /* two separators after the last number: column 5 is empty, not "unexpected ''" */
        {"0.1,0.2,0.3,0.4,,\n", ":2: column 5 is empty (expected 4 numbers separated by blanks, ',' or ';')"},
        {"0.1 0.2 0.3 0.4 , ;\n", ":2: column 5 is empty (expected 4 numbers separated by blanks, ',' or ';')"},
        {"0.1,0.2,0.3\n", ":2: column 4: expected 4 finite numbers per line"},
        {"0.1,0.2,0.3,\n", ":2: column 4: expected 4 finite numbers per line"},
        {"0.1,0.2,0.3,0.4,0.5\n", ":2: column 5: unexpected '0.5' after the 4 numbers"},
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        f = fopen(path, "w");
        fprintf(f, "0 0.1 0.3 0\n%s", empty[i].row);
        fclose(f);
        assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), ES_EDATA);
        if (!strstr(es_error_message(), empty[i].msg))
            print_error("row '%s': message '%s'\n", empty[i].row, es_error_message());
        assert_non_null(strstr(es_error_message(), empty[i].msg));
    }
    /* one separator with blanks around it, blanks alone, a comment */
    f = fopen(path, "w");
    fprintf(f, "0.1 , 0.2;0.3\t0.4 # c\n0.5,0.6, 0.7 ;0.8\r\n");
    fclose(f);
    assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), 0);
    assert_int_equal(n, 2);
    assert_float_equal(y0[3], 0.4, 0);
    assert_float_equal(y0[7], 0.8, 0);
    free(y0);
    /* a '#' header longer than 4095 characters is one line: a fixed buffer
     * split it and read its rest as row 2 ("...:2: column 1: expected 4
     * finite numbers"); an error after it names its own line */
    f = fopen(path, "w");
    fputs("# ", f);
    for (int i = 0; i < 5000; i++)
        fputc('x', f);
    fprintf(f, "\r\n0 0.1 0.3 0\r\n0 0.2 0.3 0.1\n");
    fclose(f);
    assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), 0);
    assert_int_equal(n, 2);
    assert_float_equal(y0[5], 0.2, 0);
    assert_float_equal(y0[7], 0.1, 0);
    free(y0);
    f = fopen(path, "a");
    fprintf(f, "0 0.3\n");
    fclose(f);
    assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), ES_EDATA);
    assert_non_null(strstr(es_error_message(), ":4: column 3: expected 4 finite numbers per line"));
    /* a UTF-8 byte-order mark before the first row is skipped (it was
     * ':1: column 1: expected 4 finite numbers per line') */
    f = fopen(path, "w");
    fputs("\xEF\xBB\xBF" "0 0.1 0.3 0.05\n", f);
    fclose(f);
    assert_int_equal(es_orb_ic_generate(&hh, &ic, &y0, &n), 0);
    assert_int_equal(n, 1);
    assert_float_equal(y0[0], 0.0, 0);
    assert_float_equal(y0[3], 0.05, 0);
    free(y0);
    remove(path);
    /* ic = section with a point mass: Φ(0, 0) = −∞, refused at once (ES_EUNSUP) */
    es_orb_potential pm = {.nterms = 1, .omega = 0.0};
    pm.term[0] = (es_orb_term){ES_ORB_POINTMASS, 1.0, 0, 0, 0, 0};
    es_orb_system_potential(&s, &pm, 2);
    ic.kind = ES_ORB_IC_SECTION;
    ic.n = 4;
    ic.energy = -0.5;
    ic.rmax = 1.0;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), ES_EUNSUP);
}

/* Output counts: t_end/(dt·output_every) + 1, and a count beyond 2^53 is
 * capped there (1e24 converted to size_t was undefined and gave 1). */
static void test_nout(void **state)
{
    (void)state;
    es_orb_run_params rp;
    memset(&rp, 0, sizeof rp);
    rp.par.dt = 0.01;
    rp.output_every = 5;
    rp.t_end = 1000;
    assert_int_equal(es_orb_run_nout(&rp), 20001);
    /* 7e6 / (0.01·7) = 99999999.99999999 in doubles: still 10^8 intervals,
     * the last output at t_end (the 1e-9 slack alone gave 99999999 + 1) */
    rp.output_every = 7;
    rp.t_end = 7e6;
    assert_int_equal(es_orb_run_nout(&rp), 100000001);
    rp.t_end = 7e6 - 0.035; /* half an interval short: the last full one */
    assert_int_equal(es_orb_run_nout(&rp), 100000000);
    rp.output_every = 5;
    rp.t_end = 1000 - 1e-7; /* just short of a multiple: not rounded up */
    assert_int_equal(es_orb_run_nout(&rp), 20000);
    rp.par.dt = 1e-12;
    rp.output_every = 1;
    rp.t_end = 1e12;
    assert_true(es_orb_run_nout(&rp) == (size_t)1 << 53);
}

typedef struct {
    double regular, agree;          /* SALI; SALI vs mLCE agreement */
    double peccary_regular, peccary_agree; /* PECCARY on x; PECCARY vs SALI agreement */
} hh_frac;

static hh_frac hh_fraction(double E, size_t N, double T, int threads, es_orb_result **keep)
{
    es_orb_system s;
    es_orb_system_henon_heiles(&s);
    es_orb_run_params rp;
    memset(&rp, 0, sizeof rp);
    es_orb_params_default(&rp.par);
    rp.cls.sali_threshold = 1e-8;
    rp.cls.mlce_threshold = 0.02;
    rp.t_end = T;
    rp.output_every = keep ? 100 : 5; /* 5: Δt = 0.05 ≈ t_nat/130 for the ordinal analysis */
    rp.nobs = 1;
    rp.obs[0] = ES_ORB_OBS_X;
    es_orb_ic_params ic = {0};
    ic.kind = ES_ORB_IC_SECTION;
    ic.n = N;
    ic.seed = 42;
    ic.energy = E;
    ic.rmax = 1.0;
    double *y0;
    size_t n;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    es_orb_result *res = calloc(n, sizeof *res);
    int *st = calloc(n, sizeof *st);
    size_t nout = es_orb_run_nout(&rp);
    double *series = keep ? NULL : malloc(n * nout * sizeof *series);
    omp_set_num_threads(threads);
    assert_int_equal(es_orb_run_ensemble(&s, &rp, y0, n, res, series, st), 0);
    size_t reg = 0, agree = 0, preg = 0, pagree = 0;
    es_orb_insitu_params ip = {5, ES_ORB_TNAT_MAXAVG, 0};
    for (size_t i = 0; series && i < n; i++) {
        es_orb_insitu a;
        es_orb_insitu_one(series + i * nout, nout, 0.05, &res[i], &ip, &a, NULL, NULL);
        assert_int_equal(a.status, 0);
        preg += a.chaotic == 0;
        pagree += (a.chaotic == 1) == (res[i].chaos_class == ES_ORB_CHAOS_CHAOTIC);
    }
    free(series);
    for (size_t i = 0; i < n; i++) {
        int by_sali = res[i].chaos_class == ES_ORB_CHAOS_REGULAR;
        int by_mlce = res[i].mlce < rp.cls.mlce_threshold;
        reg += by_sali;
        agree += by_sali == by_mlce;
        assert_int_equal(res[i].escaped, 0);
    }
    hh_frac f = {(double)reg / n, (double)agree / n, (double)preg / n, (double)pagree / n};
    free(y0);
    free(st);
    if (keep)
        *keep = res;
    else
        free(res);
    return f;
}

/* The same ensemble on 1 and 2 threads gives bit-identical results. */
static void test_thread_independence(void **state)
{
    (void)state;
    es_orb_result *a, *b;
    hh_frac fa = hh_fraction(0.125, 40, 200.0, 1, &a);
    hh_frac fb = hh_fraction(0.125, 40, 200.0, 2, &b);
    assert_memory_equal(a, b, 40 * sizeof *a);
    assert_float_equal(fa.regular, fb.regular, 0);
    free(a);
    free(b);
}

/* Regular fraction from SALI (< 1e-8 → chaotic) at t = 1000, 200 orbits per
 * energy uniform on the section: ≥ 0.95 at 1/12, in [0.3, 0.7] at 1/8,
 * ≤ 0.15 at 1/6, decreasing; SALI and mLCE (< 0.02) agree on ≥ 90%.
 * PECCARY on x (n = 5, maxavg t_nat, ideal delay) follows the same published
 * trend at the ends — regular ≥ 0.9 at 1/12, ≤ 0.3 at 1/6, decreasing — and
 * agrees with SALI orbit by orbit on ≥ 85% there; at 1/8 it calls most
 * chaotic orbits regular (measured agreement 0.575, docs/orbits.md). */
static void test_henon_heiles_fractions(void **state)
{
    (void)state;
    const double E[3] = {1.0 / 12, 1.0 / 8, 1.0 / 6};
    hh_frac f[3];
    for (int k = 0; k < 3; k++) {
        f[k] = hh_fraction(E[k], 200, 1000.0, 2, NULL);
        print_message("HH E = %.4f: regular fraction %.3f, SALI/mLCE agreement %.3f; PECCARY "
                      "regular %.3f, PECCARY/SALI agreement %.3f\n", E[k], f[k].regular,
                      f[k].agree, f[k].peccary_regular, f[k].peccary_agree);
        assert_true(f[k].agree >= 0.9);
    }
    assert_true(f[0].peccary_regular >= 0.9 && f[2].peccary_regular <= 0.3);
    assert_true(f[0].peccary_regular > f[1].peccary_regular &&
                f[1].peccary_regular > f[2].peccary_regular);
    assert_true(f[0].peccary_agree >= 0.85 && f[2].peccary_agree >= 0.85);
    assert_true(f[0].regular >= 0.95);
    assert_true(f[1].regular >= 0.3 && f[1].regular <= 0.7);
    assert_true(f[2].regular <= 0.15);
    assert_true(f[0].regular > f[1].regular && f[1].regular > f[2].regular);
}

/* Above the escape energy (E = 1/4 > 1/6) every orbit leaves through the
 * open channels: with escape_radius = 10 each one is flagged escaped (1) at
 * r > 10, without it the runaway is flagged lost (2) — for the leapfrog (a
 * non-finite state) and for rk8pd (step-size collapse) — and the ensemble run
 * itself succeeds. */
static void test_escapes(void **state)
{
    (void)state;
    es_orb_system s;
    es_orb_system_henon_heiles(&s);
    es_orb_ic_params ic = {0};
    ic.kind = ES_ORB_IC_SECTION, ic.n = 30, ic.seed = 5, ic.energy = 0.25, ic.rmax = 1.5;
    double *y0;
    size_t n;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    es_orb_result res[30];
    int st[30];
    for (int c = 0; c < 3; c++) {
        es_orb_run_params rp;
        memset(&rp, 0, sizeof rp);
        es_orb_params_default(&rp.par);
        rp.par.integrator = c == 2 ? ES_ORB_RK8PD : ES_ORB_LEAPFROG;
        rp.par.escape_radius = c == 0 ? 10.0 : 0.0;
        rp.cls.sali_threshold = 1e-8;
        rp.t_end = 500;
        rp.output_every = 10;
        assert_int_equal(es_orb_run_ensemble(&s, &rp, y0, n, res, NULL, st), 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(res[i].escaped, c == 0 ? 1 : 2);
            assert_int_equal(res[i].chaos_class, ES_ORB_CHAOS_ESCAPED);
            assert_true(res[i].t_end < 500);
        }
    }
    free(y0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_section_ics),
        cmocka_unit_test(test_nout),
        cmocka_unit_test(test_energy_grid_file),
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_henon_heiles_fractions),
        cmocka_unit_test(test_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
