/* Integrators: leapfrog second order (energy error ∝ dt²), rk8pd accuracy on
 * Kepler (analytic period), the double pendulum converged (energy drift and
 * the spec §11 converged value x2(5 s)), the rotating frame (Jacobi integral,
 * Coriolis/centrifugal signs against an inertial integration), and the
 * tangent maps against finite differences of neighbouring orbits. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "esuite/status.h"
#include "orbits/orbits.h"

static es_orb_system kepler_sys(void)
{
    es_orb_potential p = {.nterms = 1, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_POINTMASS, 1.0, 0, 0, 1, 1};
    es_orb_system s;
    es_orb_system_potential(&s, &p, 2);
    return s;
}

/* max |E − E0| over n_orbits periods of an e = 0.5, a = 1 Kepler orbit
 * (iso = 0), or of an isochrone (GM = b = 1) orbit from (1, 0, 0.2) with
 * v = (0, 0.5, 0.1) (iso = 1); *dL = max |L − L0| (any component). */
static double leapfrog_error(double dt, int n_orbits, int iso, double *dL)
{
    es_orb_system s = kepler_sys();
    if (iso) {
        es_orb_potential p = {.nterms = 1, .omega = 0.0};
        p.term[0] = (es_orb_term){ES_ORB_ISOCHRONE, 1.0, 1.0, 0, 1, 1};
        es_orb_system_potential(&s, &p, 3);
    }
    es_orb_params par;
    es_orb_params_default(&par);
    par.dt = dt;
    par.ntangent = 0;
    es_orbit *o = es_orbit_alloc(&s, &par);
    assert_non_null(o);
    /* apocentre r = 1.5, v = sqrt((1 − e)/(a(1 + e))) */
    double kep[4] = {1.5, 0.0, 0.0, sqrt(0.5 / 1.5)};
    double isy[6] = {1.0, 0.0, 0.2, 0.0, 0.5, 0.1};
    assert_int_equal(es_orbit_set(o, iso ? isy : kep, 0.0), 0);
    double emax = 0.0, e0 = o->e0, L0[3], lmax = 0.0;
    int d = s.ndim;
    const double *y = o->y;
#define ANGMOM(L)                                                      \
    do {                                                               \
        double z = d == 3 ? y[2] : 0.0, vz = d == 3 ? y[5] : 0.0;      \
        L[0] = y[1] * vz - z * y[d + 1];                               \
        L[1] = z * y[d] - y[0] * vz;                                   \
        L[2] = y[0] * y[d + 1] - y[1] * y[d];                          \
    } while (0)
    ANGMOM(L0);
    long long nsteps = llround(n_orbits * 2 * M_PI / dt);
    for (long long i = 0; i < nsteps; i++) {
        es_orb_leapfrog_steps(o, 1);
        emax = fmax(emax, fabs(es_orbit_energy(o) - e0));
        double L[3];
        ANGMOM(L);
        for (int k = 0; k < 3; k++)
            lmax = fmax(lmax, fabs(L[k] - L0[k]));
    }
    es_orbit_free(o);
    if (dL)
        *dL = lmax;
    return emax;
}

static double leapfrog_energy_error(double dt, int n_orbits)
{
    return leapfrog_error(dt, n_orbits, 0, NULL);
}

/* Leapfrog energy error scales as dt²: halving dt divides it by 4 (±10%). */
static void test_leapfrog_order(void **state)
{
    (void)state;
    double e1 = leapfrog_energy_error(2 * M_PI / 2000, 3);
    double e2 = leapfrog_energy_error(2 * M_PI / 4000, 3);
    double ratio = e1 / e2;
    print_message("leapfrog Kepler e=0.5: dE(dt)=%.3e dE(dt/2)=%.3e ratio %.4f\n", e1, e2, ratio);
    assert_true(fabs(ratio - 4.0) < 0.4);
    /* symplectic: no secular drift — the error after 30 orbits is the same
     * bounded oscillation as after 3 (within 10%) */
    double e30 = leapfrog_energy_error(2 * M_PI / 2000, 30);
    assert_true(e30 < 1.1 * e1);
    /* isochrone (3-D orbit): the same dt² law; the leapfrog conserves the
     * angular momentum of a central force exactly (to rounding, 1e-13) */
    double dL1, dL2;
    double i1 = leapfrog_error(0.02, 5, 1, &dL1), i2 = leapfrog_error(0.01, 5, 1, &dL2);
    print_message("leapfrog isochrone: dE ratio %.4f, max dL %.1e\n", i1 / i2, fmax(dL1, dL2));
    assert_true(fabs(i1 / i2 - 4.0) < 0.4);
    assert_true(fmax(dL1, dL2) < 1e-13);
}

/* Fixed-step rk4 is fourth order: the Kepler (e = 0.5) position error after
 * one period (exactly periodic: T = 2π) falls by 2⁴ = 16 (±10%) when dt is
 * halved. */
static double rk4_error(double dt)
{
    es_orb_system s = kepler_sys();
    es_orb_params par;
    es_orb_params_default(&par);
    par.integrator = ES_ORB_RK4;
    par.dt = dt;
    par.ntangent = 1;
    es_orbit *o = es_orbit_alloc(&s, &par);
    double y0[4] = {1.5, 0.0, 0.0, sqrt(0.5 / 1.5)};
    es_orbit_set(o, y0, 0.0);
    assert_int_equal(es_orbit_advance(o, 2 * M_PI), 0);
    double e = hypot(o->y[0] - y0[0], o->y[1] - y0[1]);
    es_orbit_free(o);
    return e;
}

/* Kepler (GM = 1, planar) right-hand side and one textbook RK4 step. */
static void kepler_f(const double *y, double *d)
{
    double r = hypot(y[0], y[1]), r3 = r * r * r;
    d[0] = y[2], d[1] = y[3], d[2] = -y[0] / r3, d[3] = -y[1] / r3;
}

static void rk4_textbook(double *y, double h)
{
    double k1[4], k2[4], k3[4], k4[4], t[4];
    kepler_f(y, k1);
    for (int i = 0; i < 4; i++)
        t[i] = y[i] + 0.5 * h * k1[i];
    kepler_f(t, k2);
    for (int i = 0; i < 4; i++)
        t[i] = y[i] + 0.5 * h * k2[i];
    kepler_f(t, k3);
    for (int i = 0; i < 4; i++)
        t[i] = y[i] + h * k3[i];
    kepler_f(t, k4);
    for (int i = 0; i < 4; i++)
        y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

static void test_rk4_order(void **state)
{
    (void)state;
    double e1 = rk4_error(2 * M_PI / 1000), e2 = rk4_error(2 * M_PI / 2000);
    print_message("rk4 Kepler: error %.3e -> %.3e, ratio %.3f\n", e1, e2, e1 / e2);
    assert_true(fabs(e1 / e2 - 16.0) < 1.6);

    /* integrator = rk4 with dt is ONE classical step of dt per dt: GSL's rk4
     * stepper returned two steps of dt/2 (its step-doubling error estimate),
     * so dt = 0.1 from (1.5, 0, 0, 0.577) gave x = 1.4977775034140763, the
     * two-half-step value, instead of 1.497777503048688. */
    es_orb_system s = kepler_sys();
    es_orb_params par;
    es_orb_params_default(&par);
    par.integrator = ES_ORB_RK4;
    par.dt = 0.1;
    par.ntangent = 0;
    es_orbit *o = es_orbit_alloc(&s, &par);
    double y0[4] = {1.5, 0.0, 0.0, sqrt(0.5 / 1.5)}, y[4];
    es_orbit_set(o, y0, 0.0);
    assert_int_equal(es_orbit_advance(o, 0.3), 0);
    memcpy(y, y0, sizeof y);
    for (int k = 0; k < 3; k++)
        rk4_textbook(y, 0.1);
    for (int i = 0; i < 4; i++)
        assert_float_equal(o->y[i], y[i], 1e-15);
    assert_int_equal(o->nsteps, 3);
    es_orbit_free(o);
    memcpy(y, y0, sizeof y);
    rk4_textbook(y, 0.1);
    assert_float_equal(y[0], 1.497777503048688, 1e-15);
}

/* rk8pd: after 10 periods (T = 2π for a = 1) the Kepler orbit is back at
 * its initial point to 1e-8 and the energy to 1e-10. */
static void test_rk8pd_kepler(void **state)
{
    (void)state;
    es_orb_system s = kepler_sys();
    es_orb_params par;
    es_orb_params_default(&par);
    par.integrator = ES_ORB_RK8PD;
    par.dt = 0.01;
    par.eps_abs = par.eps_rel = 1e-13;
    par.ntangent = 0;
    es_orbit *o = es_orbit_alloc(&s, &par);
    double y0[4] = {1.5, 0.0, 0.0, sqrt(0.5 / 1.5)};
    es_orbit_set(o, y0, 0.0);
    for (int k = 1; k <= 10; k++)
        assert_int_equal(es_orbit_advance(o, k * 2 * M_PI), 0);
    for (int i = 0; i < 4; i++)
        assert_float_equal(o->y[i], y0[i], 1e-8);
    assert_true(o->max_drift < 1e-10);
    es_orbit_free(o);
}

/* Double pendulum, spec §4.2 parameters (L = M = 1, g = 9.80665, θ1 = 120°,
 * θ2 = −10°, at rest): over 100 s with rk8pd at 1e-12 the relative energy
 * drift stays below 1e-6, and x2(5 s) = 0.2572 (spec §6 item 12: the
 * converged value; the package's default RK45 gives 0.0288). */
static void test_double_pendulum(void **state)
{
    (void)state;
    es_orb_system s;
    es_orb_system_pendulum(&s, 1, 1, 1, 1, 9.80665);
    es_orb_params par;
    es_orb_params_default(&par);
    par.integrator = ES_ORB_RK8PD;
    par.dt = 1.0 / 64;
    par.eps_abs = par.eps_rel = 1e-12;
    par.ntangent = 0;
    es_orbit *o = es_orbit_alloc(&s, &par);
    double y0[4] = {120 * M_PI / 180, 0, -10 * M_PI / 180, 0};
    es_orbit_set(o, y0, 0.0);
    assert_float_equal(o->e0, 9.80665 * (1.0 - cos(10 * M_PI / 180)), 1e-14);
    for (int k = 1; k <= 320; k++) /* t = 5 s on the 2⁻⁶ grid */
        es_orbit_advance(o, k / 64.0);
    double x2 = es_orb_observable_eval(&s, ES_ORB_OBS_X2, o->y);
    print_message("double pendulum x2(5 s) = %.6f\n", x2);
    assert_float_equal(x2, 0.2572, 5e-4);
    for (int k = 321; k <= 6400; k++)
        es_orbit_advance(o, k / 64.0);
    print_message("double pendulum max relative energy drift over 100 s: %.3e\n", o->max_drift);
    assert_true(o->max_drift < 1e-6);
    es_orbit_free(o);

    /* unequal masses and lengths: the same equations conserve the general energy */
    es_orb_system_pendulum(&s, 2.0, 0.5, 1.2, 0.7, 9.81);
    o = es_orbit_alloc(&s, &par);
    es_orbit_set(o, y0, 0.0);
    for (int k = 1; k <= 1000; k++)
        es_orbit_advance(o, k * 0.02);
    assert_true(o->max_drift < 1e-6);
    es_orbit_free(o);
}

/* Rotating frame: a Plummer sphere seen from a frame rotating at Ω gives the
 * inertial orbit rotated by −Ωt (checks the Coriolis and centrifugal signs);
 * with a Dehnen bar rk8pd conserves the Jacobi integral to 1e-9, and the
 * rotating-frame leapfrog is second order in both the Jacobi error and the
 * trajectory. */
static void test_rotating_frame(void **state)
{
    (void)state;
    es_orb_potential p = {.nterms = 1, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_PLUMMER, 1.0, 0.5, 0, 1, 1};
    es_orb_system inert, rot;
    es_orb_system_potential(&inert, &p, 3);
    p.omega = 0.7;
    es_orb_system_potential(&rot, &p, 3);
    es_orb_params par;
    es_orb_params_default(&par);
    par.integrator = ES_ORB_RK8PD;
    par.eps_abs = par.eps_rel = 1e-13;
    par.ntangent = 0;
    es_orbit *a = es_orbit_alloc(&inert, &par), *b = es_orbit_alloc(&rot, &par);
    double yi[6] = {1.0, 0.2, 0.1, 0.1, 0.8, 0.05};
    /* rotating-frame velocity = inertial − Ω ẑ × x */
    double yr[6] = {1.0, 0.2, 0.1, 0.1 + 0.7 * 0.2, 0.8 - 0.7 * 1.0, 0.05};
    es_orbit_set(a, yi, 0.0);
    es_orbit_set(b, yr, 0.0);
    double T = 20.0;
    es_orbit_advance(a, T);
    es_orbit_advance(b, T);
    double c = cos(0.7 * T), sn = sin(0.7 * T);
    assert_float_equal(b->y[0], c * a->y[0] + sn * a->y[1], 1e-9);
    assert_float_equal(b->y[1], -sn * a->y[0] + c * a->y[1], 1e-9);
    assert_float_equal(b->y[2], a->y[2], 1e-9);
    /* inertial L_z from the rotating frame equals the inertial one */
    assert_float_equal(es_orb_observable_eval(&rot, ES_ORB_OBS_LZ, b->y),
                       es_orb_observable_eval(&inert, ES_ORB_OBS_LZ, a->y), 1e-9);
    es_orbit_free(a);
    es_orbit_free(b);

    es_orb_potential bar = {.nterms = 2, .omega = 0.5};
    bar.term[0] = (es_orb_term){ES_ORB_LOGARITHMIC, 1.0, 0.2, 0, 1, 0.9};
    bar.term[1] = (es_orb_term){ES_ORB_DEHNEN_BAR, -0.02, 1.2, 0, 1, 1};
    es_orb_system_potential(&rot, &bar, 3);
    par.eps_abs = par.eps_rel = 1e-11;
    b = es_orbit_alloc(&rot, &par);
    double y3[6] = {1.3, 0.1, 0.05, 0.0, 0.4, 0.02};
    es_orbit_set(b, y3, 0.0);
    for (int k = 1; k <= 100; k++)
        es_orbit_advance(b, k * 1.0);
    print_message("bar: Jacobi drift over t = 100: %.3e\n", b->max_drift);
    assert_true(b->max_drift < 1e-9);
    double ref[6];
    es_orbit_set(b, y3, 0.0);
    es_orbit_advance(b, 10.0);
    for (int i = 0; i < 6; i++)
        ref[i] = b->y[i];
    es_orbit_free(b);

    /* the rotating-frame leapfrog: Jacobi error O(dt²) (ratio 4 ± 10% when
     * dt halves, max over t ≤ 100) and the position after t = 10 converges
     * to the rk8pd reference at second order (ratio 4 ± 10%) */
    par.integrator = ES_ORB_LEAPFROG;
    par.ntangent = 0;
    double ej[2], dx[2];
    for (int r = 0; r < 2; r++) {
        par.dt = r == 0 ? 0.01 : 0.005;
        b = es_orbit_alloc(&rot, &par);
        assert_non_null(b);
        es_orbit_set(b, y3, 0.0);
        es_orbit_advance(b, 10.0);
        dx[r] = sqrt(pow(b->y[0] - ref[0], 2) + pow(b->y[1] - ref[1], 2) + pow(b->y[2] - ref[2], 2));
        es_orbit_set(b, y3, 0.0);
        for (int k = 1; k <= 1000; k++)
            es_orbit_advance(b, k * 0.1);
        ej[r] = b->max_drift;
        es_orbit_free(b);
    }
    print_message("rotating leapfrog: Jacobi drift %.3e -> %.3e (ratio %.3f), position error "
                  "%.3e -> %.3e (ratio %.3f)\n", ej[0], ej[1], ej[0] / ej[1], dx[0], dx[1],
                  dx[0] / dx[1]);
    assert_true(fabs(ej[0] / ej[1] - 4.0) < 0.4);
    assert_true(fabs(dx[0] / dx[1] - 4.0) < 0.4);
}

/* Tangent vector after time T equals (y(x0 + εw0) − y(x0 − εw0)) / 2ε
 * (independent finite differences of two trajectories), for the leapfrog
 * tangent map (Hénon–Heiles) and the rk8pd variational equations (double
 * pendulum via dual numbers, Lorenz by hand). */
static void check_tangent(const es_orb_system *s, es_orb_integrator integ, const double *y0,
                          double T, double dt, double tol)
{
    es_orb_params par;
    es_orb_params_default(&par);
    par.integrator = integ;
    par.dt = dt;
    par.eps_abs = par.eps_rel = 1e-13;
    par.ntangent = 1;
    es_orbit *o = es_orbit_alloc(s, &par);
    es_orbit_set(o, y0, 0.0);
    double w0[ES_ORB_MAXVAR];
    for (int i = 0; i < s->nvar; i++)
        w0[i] = o->w[0][i];
    es_orbit_advance(o, T);
    double growth = exp(o->log_growth);
    double eps = 1e-6;
    double yp[ES_ORB_MAXVAR], ym[ES_ORB_MAXVAR];
    par.ntangent = 0;
    es_orbit *p = es_orbit_alloc(s, &par), *m = es_orbit_alloc(s, &par);
    for (int i = 0; i < s->nvar; i++) {
        yp[i] = y0[i] + eps * w0[i];
        ym[i] = y0[i] - eps * w0[i];
    }
    es_orbit_set(p, yp, 0.0);
    es_orbit_set(m, ym, 0.0);
    es_orbit_advance(p, T);
    es_orbit_advance(m, T);
    for (int i = 0; i < s->nvar; i++) {
        double fd = (p->y[i] - m->y[i]) / (2 * eps);
        assert_float_equal(o->w[0][i] * growth, fd, tol * growth);
    }
    es_orbit_free(o);
    es_orbit_free(p);
    es_orbit_free(m);
}

static void test_tangent_maps(void **state)
{
    (void)state;
    es_orb_system s;
    es_orb_system_henon_heiles(&s);
    double hh[4] = {0.0, 0.1, 0.45, 0.05};
    check_tangent(&s, ES_ORB_LEAPFROG, hh, 10.0, 0.01, 1e-6);
    check_tangent(&s, ES_ORB_RK8PD, hh, 10.0, 0.01, 1e-6);
    es_orb_system_pendulum(&s, 1.0, 2.0, 1.5, 1.0, 9.8);
    double dp[4] = {1.0, 0.3, -0.5, 0.0};
    check_tangent(&s, ES_ORB_RK8PD, dp, 2.0, 0.01, 1e-6);
    es_orb_system_lorenz(&s, 10, 28, 8.0 / 3);
    double lz[3] = {1.0, 1.0, 20.0};
    check_tangent(&s, ES_ORB_RK8PD, lz, 1.0, 0.01, 1e-6);
    /* a 3-D potential sum with the leapfrog */
    es_orb_potential p = {.nterms = 2, .omega = 0.0};
    p.term[0] = (es_orb_term){ES_ORB_MIYAMOTO_NAGAI, 1.0, 0.65, 0.26, 1, 1};
    p.term[1] = (es_orb_term){ES_ORB_NFW, 3.0, 2.0, 0, 1, 1};
    es_orb_system_potential(&s, &p, 3);
    double y3[6] = {1.0, 0.0, 0.1, 0.0, 1.1, 0.1};
    check_tangent(&s, ES_ORB_LEAPFROG, y3, 10.0, 0.005, 1e-6);
    /* the rotating-frame leapfrog (halo + Dehnen bar at Ω = 0.5) */
    es_orb_potential bar = {.nterms = 2, .omega = 0.5};
    bar.term[0] = (es_orb_term){ES_ORB_LOGARITHMIC, 1.0, 0.2, 0, 1, 0.9};
    bar.term[1] = (es_orb_term){ES_ORB_DEHNEN_BAR, 0.02, 1.2, 0, 1, 1};
    es_orb_system_potential(&s, &bar, 3);
    double yb[6] = {1.3, 0.1, 0.05, 0.0, 0.4, 0.02};
    check_tangent(&s, ES_ORB_LEAPFROG, yb, 10.0, 0.005, 1e-6);
}

/* Stop polling: the callback runs once every ES_ORB_POLL_STEPS steps, does
 * not change the trajectory when it says "go on", and a "stop" abandons the
 * orbit with ES_EINTR (time not advanced). */
static int polls, stop_at_poll;
static int count_polls(void) { return ++polls == stop_at_poll; }

static void test_interrupt_poll(void **state)
{
    (void)state;
    es_orb_system s = kepler_sys();
    double y0[4] = {1.5, 0.0, 0.0, sqrt(0.5 / 1.5)};
    es_orb_integrator integ[3] = {ES_ORB_LEAPFROG, ES_ORB_RK4, ES_ORB_RK8PD};
    for (int k = 0; k < 3; k++) {
        es_orb_params par;
        es_orb_params_default(&par);
        par.integrator = integ[k];
        es_orbit *ref = es_orbit_alloc(&s, &par);
        par.interrupted = count_polls;
        es_orbit *o = es_orbit_alloc(&s, &par);
        assert_non_null(ref);
        assert_non_null(o);
        assert_int_equal(es_orbit_set(ref, y0, 0.0), 0);
        assert_int_equal(es_orbit_set(o, y0, 0.0), 0);
        polls = 0, stop_at_poll = -1;
        for (int j = 1; j <= 10; j++) { /* 10 outputs of 1000 steps (dt = 0.01) */
            assert_int_equal(es_orbit_advance(ref, 10.0 * j), 0);
            assert_int_equal(es_orbit_advance(o, 10.0 * j), 0);
        }
        assert_memory_equal(ref->y, o->y, sizeof o->y);
        assert_memory_equal(ref->w, o->w, sizeof o->w);
        assert_true(o->nsteps == ref->nsteps);
        /* fixed steps poll before steps 0, 4096, 8192; rk8pd after every 4096th */
        int want = k < 2 ? 3 : (int)(o->nsteps / ES_ORB_POLL_STEPS);
        assert_int_equal(polls, want);
        if (k < 2) {
            assert_true(o->nsteps == 10000);
            /* stop at the second poll (step 4096 of 10000): nothing advanced */
            polls = 0, stop_at_poll = 2;
            assert_int_equal(es_orbit_set(o, y0, 0.0), 0);
            assert_int_equal(es_orbit_advance(o, 100.0), ES_EINTR);
            assert_int_equal(polls, 2);
            assert_true(o->t == 0.0);
        }
        es_orbit_free(ref);
        es_orbit_free(o);
    }
    /* an orbit asked to stop before it starts is not started */
    es_orb_run_params rp;
    memset(&rp, 0, sizeof rp);
    es_orb_params_default(&rp.par);
    rp.par.interrupted = count_polls;
    rp.t_end = 10.0, rp.output_every = 10, rp.nobs = 1, rp.obs[0] = ES_ORB_OBS_X;
    polls = 0, stop_at_poll = 1;
    es_orb_result res;
    assert_int_equal(es_orb_run_one(&s, &rp, y0, &res, NULL), ES_EINTR);
    assert_int_equal(polls, 1);
    assert_true(res.nsteps == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leapfrog_order),
        cmocka_unit_test(test_rk4_order),
        cmocka_unit_test(test_rk8pd_kepler),
        cmocka_unit_test(test_double_pendulum),
        cmocka_unit_test(test_rotating_frame),
        cmocka_unit_test(test_tangent_maps),
        cmocka_unit_test(test_interrupt_poll),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
