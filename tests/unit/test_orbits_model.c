/* The orbits model end to end: config → run → orbits.h5 + summary.json.
 * Values read back equal an independent direct computation with the
 * engine (same ICs, same integrator), summary fractions equal the per-orbit
 * table, the double pendulum conserves energy to 1e-6 over 100 s, and bad
 * configs fail with a message naming the key. */
#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/checkpoint.h"
#include "core/config.h"
#include "core/model.h"
#include "esuite/status.h"
#include "orbits/orbits_model.h"

extern const es_model es_model_orbits;

static int run_text(const char *text, const char *dir)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_orbits.schema, NULL};
    es_config *cfg = NULL;
    int st = es_config_load_string(text, "test.ini", schemas, NULL, 0, &cfg);
    if (st)
        return st;
    es_run_ctx ctx = {cfg, dir, 2, 1, true, false};
    st = es_model_orbits.run(&ctx);
    es_config_free(cfg);
    return st;
}

static void read_h5(const char *file, const char *name, void *buf, hid_t type)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(d);
    H5Fclose(f);
}

/* The units attribute of a dataset (docs/output-format.md: "1" when
 * dimensionless; it was empty for every dimensionless dataset and the series). */
static void assert_units(const char *file, const char *name, const char *want)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t a = H5Aopen(d, "units", H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    char *s = NULL;
    assert_true(H5Tis_variable_str(t) > 0);
    assert_true(H5Aread(a, t, &s) >= 0);
    if (strcmp(s, want) != 0)
        fail_msg("%s units '%s', expected '%s'", name, s, want);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    H5Dclose(d);
    H5Fclose(f);
}

static const char *hh_ini = "[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\n"
                            "n_orbits = 24\nic = section\nenergy = 0.125\nt_end = 300\n"
                            "output_every = 5\nobservables = x, y\ncurve_max_delay = 4\n";

static void test_henon_heiles_run(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite_orbits_modelXXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(run_text(hh_ini, dir), 0);
    char h5[4200], js[4200];
    snprintf(h5, sizeof h5, "%s/orbits.h5", dir);
    snprintf(js, sizeof js, "%s/summary.json", dir);
    double H[24], mlce[24], xs[6001];
    int cls[24], chaotic[24];
    read_h5(h5, "/insitu/x/H", H, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/orbits/mlce", mlce, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/orbits/chaos_class", cls, H5T_NATIVE_INT);
    read_h5(h5, "/insitu/x/chaotic", chaotic, H5T_NATIVE_INT);
    double *series = malloc(24 * 2 * 6001 * sizeof *series);
    read_h5(h5, "/series/x", series, H5T_NATIVE_DOUBLE);

    /* independent: same ICs (seed 1), same integration, same analysis */
    es_orb_system s;
    es_orb_system_henon_heiles(&s);
    es_orb_ic_params ic = {0};
    ic.kind = ES_ORB_IC_SECTION, ic.n = 24, ic.seed = 1, ic.energy = 0.125, ic.rmax = 1.0;
    double *y0;
    size_t n;
    assert_int_equal(es_orb_ic_generate(&s, &ic, &y0, &n), 0);
    es_orb_run_params rp;
    memset(&rp, 0, sizeof rp);
    es_orb_params_default(&rp.par);
    rp.cls.sali_threshold = 1e-8, rp.cls.mlce_threshold = 0.01;
    rp.t_end = 300, rp.output_every = 5, rp.nobs = 1, rp.obs[0] = ES_ORB_OBS_X;
    assert_int_equal(es_orb_run_nout(&rp), 6001);
    es_orb_result r;
    assert_int_equal(es_orb_run_one(&s, &rp, y0 + 4 * 5, &r, xs), 0);
    es_orb_insitu_params ip = {5, ES_ORB_TNAT_MAXAVG, 0};
    es_orb_insitu a;
    es_orb_insitu_one(xs, 6001, 0.05, &r, &ip, &a, NULL, NULL);
    assert_float_equal(mlce[5], r.mlce, 0);
    assert_float_equal(H[5], a.H, 0);
    assert_memory_equal(series + 5 * 6001, xs, 6001 * sizeof *xs);
    free(y0);
    free(series);
    assert_units(h5, "/series/x", "length");
    assert_units(h5, "/orbits/y0", "length (x[ndim]), length/time (v[ndim])");
    assert_units(h5, "/orbits/sali", "1");
    assert_units(h5, "/orbits/chaos_class", "1");
    assert_units(h5, "/insitu/x/H", "1");
    assert_units(h5, "/insitu/y/C_curve", "1");
    assert_units(h5, "/insitu/x/tnat", "time");

    /* summary fractions and agreement from the table */
    json_error_t err;
    json_t *sum = json_load_file(js, 0, &err);
    assert_non_null(sum);
    int reg = 0, agree = 0;
    for (int i = 0; i < 24; i++) {
        reg += cls[i] == 0;
        agree += (chaotic[i] == 1) == (cls[i] == 1);
    }
    double sreg = json_real_value(json_object_get(json_object_get(sum, "chaos_indicator"), "regular"));
    double sag = json_real_value(json_object_get(
        json_object_get(json_object_get(sum, "peccary"), "x"), "agreement"));
    print_message("HH run: regular %.3f, PECCARY agreement (x) %.3f\n", sreg, sag);
    assert_float_equal(sreg, reg / 24.0, 1e-15);
    assert_float_equal(sag, agree / 24.0, 1e-15);
    json_decref(sum);
    unlink(h5);
    unlink(js);
    rmdir(dir);
}

/* An independent double pendulum (unit masses and rods, g = 9.80665): the
 * Lagrangian's mass-matrix form A(θ)·α = b(θ, ω), solved as a 2×2 system at
 * each stage (not the engine's closed-form D1, D2 expressions), classical RK4
 * with a fixed step; returns x2 = sin θ1 + sin θ2 at t_end. */
static void dp_rhs(const double *y, double *f)
{
    const double g = 9.80665;
    double d = y[0] - y[2], c = cos(d), sn = sin(d);
    double a11 = 2.0, a12 = c, a22 = 1.0;
    double b1 = -y[3] * y[3] * sn - 2.0 * g * sin(y[0]);
    double b2 = y[1] * y[1] * sn - g * sin(y[2]);
    double det = a11 * a22 - a12 * a12;
    f[0] = y[1];
    f[1] = (b1 * a22 - a12 * b2) / det;
    f[2] = y[3];
    f[3] = (a11 * b2 - a12 * b1) / det;
}

static double dp_x2_rk4(double th1, double th2, double t_end, int nsteps)
{
    double y[4] = {th1, 0.0, th2, 0.0}, k[4][4], t[4], h = t_end / nsteps;
    for (int n = 0; n < nsteps; n++) {
        dp_rhs(y, k[0]);
        for (int i = 0; i < 4; i++)
            t[i] = y[i] + 0.5 * h * k[0][i];
        dp_rhs(t, k[1]);
        for (int i = 0; i < 4; i++)
            t[i] = y[i] + 0.5 * h * k[1][i];
        dp_rhs(t, k[2]);
        for (int i = 0; i < 4; i++)
            t[i] = y[i] + h * k[2][i];
        dp_rhs(t, k[3]);
        for (int i = 0; i < 4; i++)
            y[i] += h / 6.0 * (k[0][i] + 2.0 * k[1][i] + 2.0 * k[2][i] + k[3][i]);
    }
    return sin(y[0]) + sin(y[2]);
}

/* Double pendulum (spec §4.2 ICs θ1 = 120°, θ2 = −10°, at rest), rk8pd 1e-12,
 * 100 s: energy drift < 1e-6; the x2 series at 5 s equals the converged 0.2572;
 * the x2 series is classified complex (spec §2.3). */
static void test_double_pendulum_run(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite_orbits_modelXXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *ini = "[run]\nmodel = orbits\n[orbits]\nsystem = double_pendulum\n"
                      "integrator = rk8pd\ndt = 0.015625\noutput_every = 1\nt_end = 100\n"
                      "n_orbits = 1\nic = grid\nx_min = 2.0943951023931953\n"
                      "x_max = 2.0943951023931953\nv_min = -0.17453292519943295\n"
                      "v_max = -0.17453292519943295\nobservables = x2, theta1\n"
                      "chaos_indicator = mlce\n";
    assert_int_equal(run_text(ini, dir), 0);
    char h5[4200], js[4200];
    snprintf(h5, sizeof h5, "%s/orbits.h5", dir);
    snprintf(js, sizeof js, "%s/summary.json", dir);
    double *x2 = malloc(6401 * sizeof *x2), drift, H, C, mlce;
    read_h5(h5, "/series/x2", x2, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/orbits/max_drift", &drift, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/insitu/x2/H", &H, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/insitu/x2/C", &C, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/orbits/mlce", &mlce, H5T_NATIVE_DOUBLE);
    print_message("pendulum: x2(5) %.5f drift %.2e H %.4f C %.4f mLCE %.3f\n", x2[320], drift, H,
                  C, mlce);
    assert_float_equal(x2[320], 0.2572, 5e-4);
    /* and equals the independent RK4 integration above to 1e-10: measured
     * 3.6e-14 apart; RK4's own step error (h = 1e-4 vs 5e-5) is 1.2e-13. The
     * 4-digit 0.2572 ± 5e-4 alone lets an x2 off by up to 5e-4 pass. */
    double x2_ref = dp_x2_rk4(2.0943951023931953, -0.17453292519943295, 5.0, 50000);
    print_message("pendulum: x2(5) - RK4(h=1e-4) %.2e\n", x2[320] - x2_ref);
    assert_float_equal(x2[320], x2_ref, 1e-10);
    assert_true(drift < 1e-6);
    assert_true(mlce > 0.5); /* chaotic at this energy */
    /* spec §2.3: the docs' double-pendulum point ≈ (0.565, 0.38) is "indeed
     * complex": ours (converged, x2, ideal delay) lies right of H_max,per = 0.5512
     * and is classified complex */
    int cls;
    read_h5(h5, "/insitu/x2/class", &cls, H5T_NATIVE_INT);
    assert_int_equal(cls, 3 /* ES_ORDINAL_COMPLEX */);
    assert_true(H > 0.551240 && H < 0.6);
    assert_units(h5, "/series/x2", "m");
    assert_units(h5, "/series/theta1", "rad");
    assert_units(h5, "/orbits/max_drift", "1");
    free(x2);
    unlink(h5);
    unlink(js);
    rmdir(dir);
}

/* Interrupted after the first chunk of 64 orbits (SIGUSR1), then resumed
 * from checkpoint.esck: the per-orbit table and the series equal an
 * uninterrupted run bit for bit. */
static void test_checkpoint_resume(void **state)
{
    (void)state;
    const char *ini = "[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\n"
                      "n_orbits = 150\nic = section\nenergy = 0.125\nt_end = 100\n"
                      "output_every = 5\nobservables = y\nsection_points = 20\n";
    char a[] = "/tmp/esuite_orbits_ckaXXXXXX", b[] = "/tmp/esuite_orbits_ckbXXXXXX";
    assert_non_null(mkdtemp(a));
    assert_non_null(mkdtemp(b));
    assert_int_equal(run_text(ini, a), 0);
    es_checkpoint_install_signals();
    raise(SIGUSR1);
    assert_int_equal(run_text(ini, b), ES_EINTR);
    es_checkpoint_clear_request();
    char ck[4300];
    snprintf(ck, sizeof ck, "%s/%s", b, ES_CHECKPOINT_FILE);
    assert_int_equal(access(ck, F_OK), 0);
    es_checkpoint_set_resume(b);
    assert_int_equal(run_text(ini, b), 0);
    es_checkpoint_set_resume(NULL);
    char ha[4200], hb[4200];
    snprintf(ha, sizeof ha, "%s/orbits.h5", a);
    snprintf(hb, sizeof hb, "%s/orbits.h5", b);
    double *sa = malloc(150 * 2001 * sizeof *sa), *sb = malloc(150 * 2001 * sizeof *sb);
    double ma[150], mb[150], pa[150 * 20 * 2], pb[150 * 20 * 2];
    read_h5(ha, "/series/y", sa, H5T_NATIVE_DOUBLE);
    read_h5(hb, "/series/y", sb, H5T_NATIVE_DOUBLE);
    read_h5(ha, "/orbits/sali", ma, H5T_NATIVE_DOUBLE);
    read_h5(hb, "/orbits/sali", mb, H5T_NATIVE_DOUBLE);
    read_h5(ha, "/orbits/section", pa, H5T_NATIVE_DOUBLE);
    read_h5(hb, "/orbits/section", pb, H5T_NATIVE_DOUBLE);
    assert_memory_equal(sa, sb, 150 * 2001 * sizeof *sa);
    assert_memory_equal(ma, mb, sizeof ma);
    assert_memory_equal(pa, pb, sizeof pa);
    free(sa);
    free(sb);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
    assert_int_equal(system(cmd), 0);
}

/* store_series = false analyses each chunk of 64 orbits right after it is
 * integrated (memory independent of n_orbits): the per-orbit H, C, t_nat and
 * curves equal those of a run that keeps every series, also across an
 * interruption and resume. */
static void test_streaming_analysis(void **state)
{
    (void)state;
    const char *keep = "[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\n"
                       "n_orbits = 150\nic = section\nenergy = 0.14\nt_end = 200\n"
                       "output_every = 5\nobservables = x, y\ncurve_max_delay = 3\n";
    char stream[512];
    snprintf(stream, sizeof stream, "%sstore_series = false\n", keep);
    char a[] = "/tmp/esuite_orbits_staXXXXXX", b[] = "/tmp/esuite_orbits_stbXXXXXX";
    assert_non_null(mkdtemp(a));
    assert_non_null(mkdtemp(b));
    assert_int_equal(run_text(keep, a), 0);
    es_checkpoint_install_signals();
    raise(SIGUSR1);
    assert_int_equal(run_text(stream, b), ES_EINTR);
    es_checkpoint_clear_request();
    es_checkpoint_set_resume(b);
    assert_int_equal(run_text(stream, b), 0);
    es_checkpoint_set_resume(NULL);
    char ha[4200], hb[4200];
    snprintf(ha, sizeof ha, "%s/orbits.h5", a);
    snprintf(hb, sizeof hb, "%s/orbits.h5", b);
    const char *names[] = {"/insitu/x/H", "/insitu/y/C", "/insitu/y/tnat", "/insitu/x/C_curve"};
    const size_t counts[] = {150, 150, 150, 450};
    double va[450], vb[450];
    for (int k = 0; k < 4; k++) {
        read_h5(ha, names[k], va, H5T_NATIVE_DOUBLE);
        read_h5(hb, names[k], vb, H5T_NATIVE_DOUBLE);
        assert_memory_equal(va, vb, counts[k] * sizeof *va);
    }
    /* no series stored */
    hid_t f = H5Fopen(hb, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(H5Lexists(f, "/series", H5P_DEFAULT) <= 0);
    H5Fclose(f);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
    assert_int_equal(system(cmd), 0);
}

/* The whole run (integration, maps, in-situ analysis, summary) gives
 * bit-identical per-orbit tables on 1 and 2 threads. */
static void test_thread_count(void **state)
{
    (void)state;
    const char *inis[2] = {
        "[run]\nmodel = orbits\n[orbits]\nsystem = potential\npotential = logarithmic + "
        "plummer\nn_orbits = 40\nic = energy\nenergy = 0.3\nrmax = 1.5\nt_end = 100\n"
        "output_every = 2\nobservables = R, Lz\nchaos_indicator = sali\n",
        "[run]\nmodel = orbits\n[orbits]\nsystem = noise\nnoise_alpha = -0.5\n"
        "n_orbits = 12\nmap_length = 5000\n"};
    const char *dsets[2][2] = {{"/orbits/sali", "/insitu/Lz/C"}, {"/insitu/x/H", "/insitu/x/C"}};
    const size_t counts[2] = {40, 12};
    for (int c = 0; c < 2; c++) {
        char a[] = "/tmp/esuite_orbits_t1XXXXXX", b[] = "/tmp/esuite_orbits_t2XXXXXX";
        assert_non_null(mkdtemp(a));
        assert_non_null(mkdtemp(b));
        omp_set_num_threads(1);
        assert_int_equal(run_text(inis[c], a), 0);
        omp_set_num_threads(2);
        assert_int_equal(run_text(inis[c], b), 0);
        char ha[4200], hb[4200];
        snprintf(ha, sizeof ha, "%s/orbits.h5", a);
        snprintf(hb, sizeof hb, "%s/orbits.h5", b);
        for (int k = 0; k < 2; k++) {
            double va[40], vb[40];
            read_h5(ha, dsets[c][k], va, H5T_NATIVE_DOUBLE);
            read_h5(hb, dsets[c][k], vb, H5T_NATIVE_DOUBLE);
            assert_memory_equal(va, vb, counts[c] * sizeof *va);
        }
        char cmd[9000];
        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
        assert_int_equal(system(cmd), 0);
    }
}

static void expect_error(const char *ini, const char *needle)
{
    int st = run_text(ini, "/tmp");
    assert_int_not_equal(st, 0);
    if (!strstr(es_error_message(), needle))
        print_error("message '%s' lacks '%s'\n", es_error_message(), needle);
    assert_non_null(strstr(es_error_message(), needle));
}

static void test_bad_configs(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\nobservables = z\n",
                 "observables");
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = lorenz\nintegrator = leapfrog\n"
                 "ic = grid\n", "integrator");
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = potential\npotential = plummer+foo\n",
                 "foo");
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = lorenz\nintegrator = rk8pd\n"
                 "tnat = radial\nic = grid\n", "tnat");
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = potential\nic = file\n", "ic_file");
    /* a grid range upside down, against a default and against a given bound */
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\nic = grid\nv_max = 0.2\n",
                 "test.ini:6: key 'orbits.v_max': ic = grid: v_min = 0.5 exceeds v_max = 0.2");
    expect_error("[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\nic = grid\nx_max = 0.1\n"
                 "x_min = 0.3\n", "test.ini:7: key 'orbits.x_min': ic = grid: x_min = 0.3 exceeds x_max = 0.1");
}

/* es_orbits_setup on config text (no run). */
static int setup_text(const char *text, es_orbits_setup_t *su)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), es_model_orbits.schema, NULL};
    es_config *cfg = NULL;
    int st = es_config_load_string(text, "test.ini", schemas, NULL, 0, &cfg);
    if (st == ES_OK)
        st = es_orbits_setup(cfg, 1, su);
    es_config_free(cfg);
    return st;
}

/* A potential or observables list longer than 512 bytes reads like its
 * short form: it was copied into a 512-byte buffer, so a term or an
 * observable past byte 511 was dropped without a word ('plummer <600
 * blanks> + nfw' ran the Plummer sphere alone, 'x <600 blanks>, y' only x). */
static void test_long_lists(void **state)
{
    (void)state;
    char pad[601], ini[2000];
    memset(pad, ' ', 600);
    pad[600] = '\0';
    const char *head = "[run]\nmodel = orbits\n[orbits]\nsystem = potential\n";
    es_orbits_setup_t su;
    snprintf(ini, sizeof ini, "%spotential = plummer%s+ nfw\nobservables = x%s, y\n", head, pad, pad);
    assert_int_equal(setup_text(ini, &su), ES_OK);
    assert_int_equal(su.sys.pot.nterms, 2);
    assert_int_equal(su.sys.pot.term[0].kind, ES_ORB_PLUMMER);
    assert_int_equal(su.sys.pot.term[1].kind, ES_ORB_NFW);
    assert_int_equal(su.rp.nobs, 2);
    assert_int_equal(su.rp.obs[0], ES_ORB_OBS_X);
    assert_int_equal(su.rp.obs[1], ES_ORB_OBS_Y);
    /* an error past byte 511 is reported, not cut off */
    snprintf(ini, sizeof ini, "%spotential = plummer%s+ nfw + foo\n", head, pad);
    assert_int_equal(setup_text(ini, &su), ES_ECONFIG);
    assert_string_equal(es_error_message(), "test.ini:5: key 'orbits.potential': unknown term 'foo' "
                        "(allowed: pointmass, plummer, hernquist, isochrone, nfw, logarithmic, "
                        "miyamoto_nagai, dehnen_bar)");
    snprintf(ini, sizeof ini, "%sobservables = x,y%s,\n", head, pad);
    assert_int_equal(setup_text(ini, &su), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), "test.ini:5: key 'orbits.observables': element 3 of 'x,y "));
}

/* The "config" attribute of orbits.h5 (the resolved config) into buf. */
static void read_config_attr(const char *file, char *buf, size_t len)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, "config", H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    char *s = NULL;
    if (H5Tis_variable_str(t) > 0) {
        assert_true(H5Aread(a, t, &s) >= 0);
        snprintf(buf, len, "%s", s);
        H5free_memory(s);
    } else {
        size_t n = H5Tget_size(t);
        assert_true(n < len);
        assert_true(H5Aread(a, t, buf) >= 0);
        buf[n] = '\0';
    }
    H5Tclose(t);
    H5Aclose(a);
    H5Fclose(f);
}

/* ic = file: the file's 3 rows are the orbits. Without n_orbits the
 * resolved config records 3 (not the default 100); n_orbits = 3 is
 * accepted; n_orbits = 5 is an error naming the config line and the key. */
static void test_ic_file_count(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite_orbits_icfileXXXXXX";
    assert_non_null(mkdtemp(dir));
    char ic[4200], ini[8000], h5[4200], js[4200], cmd[9000];
    snprintf(ic, sizeof ic, "%s/ic.txt", dir);
    FILE *fp = fopen(ic, "w");
    assert_non_null(fp);
    fprintf(fp, "# x y vx vy\n0 0.1 0.3 0\n0 0.2 0.25 0\n\n0 -0.1 0.3 0\n");
    fclose(fp);
    const char *head = "[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\n"
                       "ic = file\nt_end = 50\nobservables = x\n";
    snprintf(ini, sizeof ini, "%sic_file = %s\n", head, ic);
    assert_int_equal(run_text(ini, dir), 0);
    snprintf(h5, sizeof h5, "%s/orbits.h5", dir);
    snprintf(js, sizeof js, "%s/summary.json", dir);
    char *conf = malloc(1 << 20);
    assert_non_null(conf);
    read_config_attr(h5, conf, 1 << 20);
    assert_non_null(strstr(conf, "\nn_orbits = 3    ; the rows of ic_file\n"));
    free(conf);
    json_error_t jerr;
    json_t *sum = json_load_file(js, 0, &jerr);
    assert_non_null(sum);
    assert_int_equal(json_integer_value(json_object_get(sum, "n_orbits")), 3);
    json_decref(sum);

    unlink(h5), unlink(js);
    snprintf(ini, sizeof ini, "%sic_file = %s\nn_orbits = 3\n", head, ic);
    assert_int_equal(run_text(ini, dir), 0);

    unlink(h5), unlink(js);
    snprintf(ini, sizeof ini, "%sic_file = %s\nn_orbits = 5\n", head, ic);
    assert_int_equal(run_text(ini, dir), ES_ECONFIG);
    char want[9000];
    snprintf(want, sizeof want, "test.ini:9: key 'orbits.n_orbits': n_orbits = 5, but ic_file %s holds 3 "
             "initial conditions; leave n_orbits out with ic = file (the file decides) or make "
             "it 3", ic);
    assert_string_equal(es_error_message(), want);
    assert_int_equal(access(h5, F_OK), -1);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ic = grid rounds n_orbits = 10 to a 3 × 4 grid: summary.json and the
 * resolved config both say 12 (the config said 10), and the grid's x and vy
 * values are the 3 × 4 points of the ranges; n_orbits = 12 has no note. */
static void test_grid_count(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite_orbits_gridXXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *head = "[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\nic = grid\n"
                       "energy = 0.05\nx_min = -0.1\nx_max = 0.1\nv_min = -0.05\nv_max = 0.05\n"
                       "t_end = 20\nobservables = x\n";
    char ini[4000], h5[4200], js[4200];
    snprintf(h5, sizeof h5, "%s/orbits.h5", dir);
    snprintf(js, sizeof js, "%s/summary.json", dir);
    for (int k = 0; k < 2; k++) {
        snprintf(ini, sizeof ini, "%sn_orbits = %d\n", head, k ? 12 : 10);
        assert_int_equal(run_text(ini, dir), 0);
        char *conf = malloc(1 << 20);
        assert_non_null(conf);
        read_config_attr(h5, conf, 1 << 20);
        assert_non_null(strstr(conf, k ? "\nn_orbits = 12\n"
                                       : "\nn_orbits = 12    ; ic = grid: rounded to nx × nv\n"));
        free(conf);
        json_error_t jerr;
        json_t *sum = json_load_file(js, 0, &jerr);
        assert_non_null(sum);
        assert_int_equal(json_integer_value(json_object_get(sum, "n_orbits")), 12);
        json_decref(sum);
        unlink(h5), unlink(js);
    }
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Maps on [0, 1]: with map_x0 = 1 the three orbits start at 1, 1 − 1e-9 and
 * 1 − 2e-9 (they started at 1 + i·1e-9, outside the logistic map's domain);
 * with map_x0 = 0.5 at 0.5 + i·1e-9. The series' first value is the start. */
static void test_map_starts(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite_orbits_mapXXXXXX";
    assert_non_null(mkdtemp(dir));
    char ini[2000], h5[4200], js[4200];
    snprintf(h5, sizeof h5, "%s/orbits.h5", dir);
    snprintf(js, sizeof js, "%s/summary.json", dir);
    const double x0[2] = {1.0, 0.5}, sign[2] = {-1.0, 1.0};
    for (int k = 0; k < 2; k++) {
        snprintf(ini, sizeof ini, "[run]\nmodel = orbits\n[orbits]\nsystem = logistic\nmap_r = 3.5\n"
                 "map_x0 = %.17g\nmap_length = 100\nn_orbits = 3\n", x0[k]);
        assert_int_equal(run_text(ini, dir), 0);
        double x[300];
        read_h5(h5, "/series/x", x, H5T_NATIVE_DOUBLE);
        for (int i = 0; i < 3; i++) {
            assert_true(x[100 * i] == x0[k] + sign[k] * 1e-9 * i);
            assert_true(x[100 * i] >= 0.0 && x[100 * i] <= 1.0);
            /* the logistic map from there: x1 = r x0 (1 − x0) */
            assert_true(x[100 * i + 1] == 3.5 * x[100 * i] * (1.0 - x[100 * i]));
        }
        unlink(h5), unlink(js);
    }
    /* The Hénon map has no x0: orbit i starts at (1 − i·1e-9, 1), orbit 0 at
     * es_gen_henon's (1, 1) (all three were the same series) */
    snprintf(ini, sizeof ini, "[run]\nmodel = orbits\n[orbits]\nsystem = henon_map\n"
             "map_length = 100\nn_orbits = 3\n");
    assert_int_equal(run_text(ini, dir), 0);
    double x[300];
    read_h5(h5, "/series/x", x, H5T_NATIVE_DOUBLE);
    for (int i = 0; i < 3; i++) {
        double x0 = 1.0 - 1e-9 * i;
        assert_true(x[100 * i] == x0);
        assert_true(x[100 * i + 1] == 1.0 - 1.4 * (x0 * x0) + 1.0); /* y0 = 1 */
    }
    assert_float_equal(x[2], 0.796, 1e-12); /* (1, 1) → (0.6, 0.3) → 0.796 */
    assert_true(x[299] != x[199] && x[199] != x[99]);
    unlink(h5), unlink(js);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A Hénon map outside its basin (a = 2 from (1, 1): x = 1, 0, 1.3, −2.38,
 * …, −7.1e165, then −inf) is a lost orbit like a runaway integrated one:
 * escaped = 2, chaos class 2 (was 3, the class of noise), t_end = 11 (the
 * last finite sample), NaN from the first non-finite sample on. */
static void test_map_runaway(void **state)
{
    (void)state;
    char dir[] = "/tmp/esuite_orbits_runXXXXXX";
    assert_non_null(mkdtemp(dir));
    char h5[4200], js[4200];
    snprintf(h5, sizeof h5, "%s/orbits.h5", dir);
    snprintf(js, sizeof js, "%s/summary.json", dir);
    assert_int_equal(run_text("[run]\nmodel = orbits\n[orbits]\nsystem = henon_map\nhenon_a = 2\n"
                              "map_length = 200\nn_orbits = 1\n", dir), 0);
    double x[200], t_end;
    int escaped, cls;
    read_h5(h5, "/series/x", x, H5T_NATIVE_DOUBLE);
    read_h5(h5, "/orbits/escaped", &escaped, H5T_NATIVE_INT);
    read_h5(h5, "/orbits/chaos_class", &cls, H5T_NATIVE_INT);
    read_h5(h5, "/orbits/t_end", &t_end, H5T_NATIVE_DOUBLE);
    assert_true(x[0] == 1.0 && x[1] == 0.0);
    assert_float_equal(x[2], 1.3, 1e-15);
    assert_float_equal(x[3], -2.38, 1e-14);
    assert_true(isfinite(x[11]) && x[11] < -1e165);
    for (int i = 12; i < 200; i++)
        assert_true(isnan(x[i]));
    assert_int_equal(escaped, 2);
    assert_int_equal(cls, 2);
    assert_true(t_end == 11.0);
    json_error_t err;
    json_t *sum = json_load_file(js, 0, &err);
    assert_non_null(sum);
    json_t *ci = json_object_get(sum, "chaos_indicator");
    assert_true(json_real_value(json_object_get(ci, "escaped")) == 1.0);
    assert_true(json_real_value(json_object_get(ci, "none")) == 0.0);
    json_decref(sum);
    unlink(h5), unlink(js);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* An in-situ status other than 0, 4 and 8 is named by what it is: every one
 * read "could not be analysed (escaped, or no radial/azimuthal period)", an
 * out of memory (from es_ordinal_auto's workspace) too, which now fails the
 * run naming the series instead of being recorded as the series' status. */
static void test_insitu_status_messages(void **state)
{
    (void)state;
    char msg[512];
    es_orbits_insitu_status_warning(msg, sizeof msg, ES_EDATA, 2, 10, "x", ES_ORB_TNAT_MAXAVG);
    assert_string_equal(msg, "orbits: 2 of 10 'x' series could not be analysed (escaped or lost); "
                             "see /insitu/x/status = 5");
    es_orbits_insitu_status_warning(msg, sizeof msg, ES_EDATA, 1, 4, "R", ES_ORB_TNAT_RADIAL);
    assert_string_equal(msg, "orbits: 1 of 4 'R' series could not be analysed (escaped or lost, or "
                             "no radial/azimuthal period); see /insitu/R/status = 5");
    es_orbits_insitu_status_warning(msg, sizeof msg, ES_EINVAL, 3, 4, "R", ES_ORB_TNAT_AZIMUTHAL);
    assert_string_equal(msg, "orbits: 3 of 4 'R' series could not be analysed (invalid argument: "
                             "t_nat, dt or the delay not positive); see /insitu/R/status = 1");
    es_orbits_insitu_status_warning(msg, sizeof msg, ES_ENOMEM, 1, 4, "x", ES_ORB_TNAT_RADIAL);
    assert_string_equal(msg, "orbits: 1 of 4 'x' series could not be analysed (out of memory); "
                             "see /insitu/x/status = 3");
    es_orbits_insitu_status_warning(msg, sizeof msg, -1, 1, 4, "x", ES_ORB_TNAT_MAXAVG);
    assert_string_equal(msg, "orbits: 1 of 4 'x' series could not be analysed (unknown status); "
                             "see /insitu/x/status = -1");

    es_orbits_setup_t su;
    assert_int_equal(setup_text("[run]\nmodel = orbits\n[orbits]\nsystem = henon_heiles\n"
                                "observables = x, y\n", &su), ES_OK);
    es_orb_insitu ins[3 * 2];
    memset(ins, 0, sizeof ins);
    ins[1].status = ES_EDATA; /* a per-series status: the run goes on */
    ins[2].status = ES_ESHORT;
    es_orbits_data d = {.n = 3, .ins = ins};
    assert_int_equal(es_orbits_insitu_check(&su, &d, 0, 3), ES_OK);
    ins[2 * 2 + 1].status = ES_ENOMEM; /* the third orbit, observable y */
    assert_int_equal(es_orbits_insitu_check(&su, &d, 0, 2), ES_OK); /* not in orbits 0, 1 */
    assert_int_equal(es_orbits_insitu_check(&su, &d, 0, 3), ES_ENOMEM);
    assert_string_equal(es_error_message(), "orbits: out of memory in the in-situ analysis of the 'y' "
                                            "series of orbit 3 of 3 (order 5)"); /* counted from 1, as elsewhere */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insitu_status_messages),
        cmocka_unit_test(test_map_starts),
        cmocka_unit_test(test_map_runaway),
        cmocka_unit_test(test_grid_count),
        cmocka_unit_test(test_henon_heiles_run),
        cmocka_unit_test(test_double_pendulum_run),
        cmocka_unit_test(test_checkpoint_resume),
        cmocka_unit_test(test_streaming_analysis),
        cmocka_unit_test(test_thread_count),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_long_lists),
        cmocka_unit_test(test_ic_file_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
