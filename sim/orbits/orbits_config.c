/* The [orbits] key schema and its translation into the engine's plain
 * parameter structs (system, integrator, ICs, analysis). */
#include "orbits/orbits_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

#define S "orbits"
#define BIG 1e30

/* Keep the enum order in sync with es_orb_model_system. */
const es_key_spec es_orbits_schema[] = {
    {S, "system", ES_KEY_ENUM, "henon_heiles", 0, 0,
     "potential|henon_heiles|double_pendulum|lorenz|logistic|henon_map|tent|asymm_tent|noise", "",
     "What to integrate: a (sum of) potential(s), Hénon–Heiles, the double pendulum, Lorenz, or a map/noise generator of the ordinal module."},
    {S, "potential", ES_KEY_STRING, "logarithmic", 0, 0, NULL, "",
     "system = potential: '+'- or ','-separated terms from pointmass, plummer, hernquist, isochrone, nfw, logarithmic, miyamoto_nagai, dehnen_bar (each at most once; an empty term, as in 'plummer++nfw', is an error)."},
    {S, "ndim", ES_KEY_INT, "3", 2, 3, NULL, "", "system = potential: 2 (planar, z = 0) or 3 dimensions."},
    {S, "pattern_speed", ES_KEY_DOUBLE, "0", -BIG, BIG, NULL, "1/time",
     "Angular speed Ω of the frame about z (the bar's pattern speed); ≠ 0 adds Coriolis and centrifugal forces and conserves the Jacobi integral."},
    {S, "pointmass_gm", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length³/time²", "G·M of the point mass."},
    {S, "plummer_gm", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length³/time²", "G·M of the Plummer sphere."},
    {S, "plummer_a", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length", "Plummer scale radius."},
    {S, "hernquist_gm", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length³/time²", "G·M of the Hernquist sphere."},
    {S, "hernquist_a", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length", "Hernquist scale radius."},
    {S, "isochrone_gm", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length³/time²", "G·M of the isochrone."},
    {S, "isochrone_b", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length", "Isochrone scale b."},
    {S, "nfw_gm", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length³/time²", "NFW G·M_s = 4πGρ0 r_s³ (Φ = −GM_s ln(1+r/r_s)/r)."},
    {S, "nfw_rs", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length", "NFW scale radius r_s."},
    {S, "log_v0", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length/time", "Logarithmic potential asymptotic circular speed v0."},
    {S, "log_rc", ES_KEY_DOUBLE, "0.1", 1e-300, BIG, NULL, "length", "Logarithmic potential core radius R_c."},
    {S, "log_qy", ES_KEY_DOUBLE, "0.9", 0.05, 20, NULL, "", "Logarithmic potential axis ratio q_y (y/x)."},
    {S, "log_qz", ES_KEY_DOUBLE, "0.8", 0.05, 20, NULL, "", "Logarithmic potential axis ratio q_z (z/x)."},
    {S, "mn_gm", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length³/time²", "G·M of the Miyamoto–Nagai disc."},
    {S, "mn_a", ES_KEY_DOUBLE, "0.65", 0, BIG, NULL, "length", "Miyamoto–Nagai radial scale a."},
    {S, "mn_b", ES_KEY_DOUBLE, "0.26", 1e-300, BIG, NULL, "length", "Miyamoto–Nagai vertical scale b."},
    {S, "bar_amp", ES_KEY_DOUBLE, "0.02", -BIG, BIG, NULL, "length²/time²", "Dehnen bar amplitude A_b (≠ 0); A_b > 0 puts the bar (the potential trough) along x."},
    {S, "bar_rb", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length", "Dehnen bar radius R_b."},
    {S, "m1", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "kg", "Double pendulum: mass of bob 1."},
    {S, "m2", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "kg", "Double pendulum: mass of bob 2."},
    {S, "l1", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "m", "Double pendulum: length of rod 1."},
    {S, "l2", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "m", "Double pendulum: length of rod 2."},
    {S, "g", ES_KEY_DOUBLE, "9.80665", 1e-300, BIG, NULL, "m/s²", "Double pendulum: gravitational acceleration."},
    {S, "sigma", ES_KEY_DOUBLE, "10", 1e-300, BIG, NULL, "", "Lorenz σ."},
    {S, "rho", ES_KEY_DOUBLE, "28", -BIG, BIG, NULL, "", "Lorenz ρ."},
    {S, "beta", ES_KEY_DOUBLE, "2.6666666666666665", 1e-300, BIG, NULL, "", "Lorenz β."},
    {S, "map_length", ES_KEY_INT, "10000", 2, 1e9, NULL, "samples", "Maps and noise: series length."},
    {S, "map_r", ES_KEY_DOUBLE, "4", 0, 4, NULL, "", "Logistic map r."},
    {S, "map_x0", ES_KEY_DOUBLE, "0.1", 0, 1, NULL, "", "Logistic/tent/skew-tent start value: orbit i starts at map_x0 + i·1e-9, or map_x0 − i·1e-9 when the last start would pass 1 (every start lies in [0, 1])."},
    {S, "henon_a", ES_KEY_DOUBLE, "1.4", -BIG, BIG, NULL, "", "Hénon map a."},
    {S, "henon_b", ES_KEY_DOUBLE, "0.3", -BIG, BIG, NULL, "", "Hénon map b."},
    {S, "tent_mu", ES_KEY_DOUBLE, "1.99", 0, 2, NULL, "", "Tent map μ (2 collapses to 0 in binary floating point)."},
    {S, "skew_a", ES_KEY_DOUBLE, "0.1847", 1e-6, 0.999999, NULL, "", "Skew tent map break point a."},
    {S, "noise_alpha", ES_KEY_DOUBLE, "0", -2, 2, NULL, "", "Noise: PSD ∝ f^(2α) (0 white, −1 red, −0.5 pink, 0.5 blue, 1 violet)."},
    {S, "integrator", ES_KEY_ENUM, "leapfrog", 0, 0, "leapfrog|rk8pd|rkf45|rk4", "",
     "leapfrog (KDK, symplectic; potentials only, also in a rotating frame), adaptive GSL odeiv2 rk8pd/rkf45 landing on every output time, or fixed-step rk4 (dt)."},
    {S, "dt", ES_KEY_DOUBLE, "0.01", 1e-12, 1e6, NULL, "time", "Leapfrog step (odeiv2: initial step); outputs every output_every·dt."},
    {S, "eps_abs", ES_KEY_DOUBLE, "1e-12", 1e-300, 1, NULL, "", "odeiv2 absolute tolerance."},
    {S, "eps_rel", ES_KEY_DOUBLE, "1e-12", 0, 1, NULL, "", "odeiv2 relative tolerance."},
    {S, "t_end", ES_KEY_DOUBLE, "1000", 0, 1e12, NULL, "time", "Integration time of every orbit; it ends at the last output time ≤ t_end (a multiple of dt·output_every), which /orbits/t_end records. t_end, dt and output_every must give at least 2 output samples."},
    {S, "output_every", ES_KEY_INT, "5", 1, 1e9, NULL, "steps", "Output cadence in units of dt (the ordinal analysis wants dt·output_every ≤ t_nat/100)."},
    {S, "escape_radius", ES_KEY_DOUBLE, "0", 0, BIG, NULL, "length", "Stop and flag an orbit beyond this radius (0 = never)."},
    {S, "chaos_indicator", ES_KEY_ENUM, "sali", 0, 0, "sali|mlce|none", "",
     "sali: two tangent vectors (mLCE and SALI, class by SALI for Hamiltonian systems); mlce: one; none: no tangent vectors."},
    {S, "sali_threshold", ES_KEY_DOUBLE, "1e-8", 1e-300, 1, NULL, "", "SALI below this → chaotic (Skokos 2001)."},
    {S, "mlce_threshold", ES_KEY_DOUBLE, "0.01", 0, BIG, NULL, "1/time", "mLCE above this → chaotic (used without SALI, e.g. Lorenz)."},
    {S, "n_orbits", ES_KEY_INT, "100", 1, 1e9, NULL, "", "Number of orbits (grid: rounded to nx·nv, nx = round(√n), with a warning; the resolved config records the rounded count). ic = file: the file's rows decide; a value given must equal them."},
    {S, "ic", ES_KEY_ENUM, "section", 0, 0, "grid|file|energy|section", "",
     "Initial conditions: grid over (x, vy), a file (one phase-space point per line), uniform on an energy surface, or uniform on the x = 0 surface of section (px ≥ 0)."},
    {S, "ic_file", ES_KEY_STRING, "", 0, 0, NULL, "path", "ic = file (required there): text file (path relative to the working directory), one orbit per line, nvar columns."},
    {S, "energy", ES_KEY_DOUBLE, "0.125", -BIG, BIG, NULL, "energy", "ic = energy/section: energy (Jacobi integral in a rotating frame)."},
    {S, "rmax", ES_KEY_DOUBLE, "1", 1e-300, BIG, NULL, "length", "ic = energy/section: positions sampled within |x_i| ≤ rmax."},
    {S, "x_min", ES_KEY_DOUBLE, "0.5", -BIG, BIG, NULL, "length", "ic = grid: first coordinate (x; pendulum θ1 in rad; Lorenz x) from."},
    {S, "x_max", ES_KEY_DOUBLE, "1.5", -BIG, BIG, NULL, "length", "ic = grid: first coordinate to."},
    {S, "v_min", ES_KEY_DOUBLE, "0.5", -BIG, BIG, NULL, "length/time", "ic = grid: second coordinate (vy; pendulum θ2 in rad; Lorenz y) from."},
    {S, "v_max", ES_KEY_DOUBLE, "1", -BIG, BIG, NULL, "length/time", "ic = grid: second coordinate to."},
    {S, "z0", ES_KEY_DOUBLE, "0", -BIG, BIG, NULL, "length", "ic = grid: z (3-D; Lorenz z)."},
    {S, "vz0", ES_KEY_DOUBLE, "0", -BIG, BIG, NULL, "length/time", "ic = grid: vz (3-D)."},
    {S, "observables", ES_KEY_STRING, "x", 0, 0, NULL, "",
     "Comma-separated series recorded and analysed: x, y, z, vx, vy, vz, R, r, Lz, E (potentials); x, y, x2, y2, theta1, theta2, E (pendulum); x, y, z (Lorenz); at most 8, each once, none empty ('x,,z' is an error). Maps/noise: ignored."},
    {S, "order", ES_KEY_INT, "5", 3, 8, NULL, "", "Ordinal pattern order n."},
    {S, "tnat", ES_KEY_ENUM, "maxavg", 0, 0, "ncross|maxavg|minavg|radial|azimuthal", "",
     "Natural timescale: an ordinal-module estimator on the observable, or the orbit's radial/azimuthal period (potential systems only)."},
    {S, "curve_max_delay", ES_KEY_INT, "0", 0, 10000, NULL, "samples", "Also store H(ℓ), C(ℓ) for ℓ = 1..this (0 = off)."},
    {S, "store_series", ES_KEY_BOOL, "true", 0, 0, NULL, "", "Write the sampled observables to orbits.h5; false analyses each chunk of 64 orbits as it finishes and keeps no series (memory independent of n_orbits)."},
    {S, "section_points", ES_KEY_INT, "0", 0, 1e6, NULL, "",
     "Potentials: record up to this many (y, vy) points per orbit where x crosses 0 upwards (surface of section; 0 = off); drawn in section.png with plots = true."},
    {S, "plots", ES_KEY_BOOL, "false", 0, 0, NULL, "", "Write hc_plane.png (orbits coloured by log10 mLCE) with gnuplot."},
    ES_KEY_END};

/* keys that together make an error: es_config_blame names one */
static const es_config_keyref sampling_keys[] = {{S, "t_end"}, {S, "dt"}, {S, "output_every"}};
static const es_config_keyref integrator_keys[] = {{S, "integrator"}, {S, "system"}};
static const es_config_keyref tnat_keys[] = {{S, "tnat"}, {S, "system"}};
static const es_config_keyref x_range_keys[] = {{S, "x_min"}, {S, "x_max"}};
static const es_config_keyref v_range_keys[] = {{S, "v_min"}, {S, "v_max"}};

/* A grid's range given upside down is a typo far more often than a wish for
 * the lattice in reverse order: say so rather than run it. */
static int check_grid_ranges(const es_config *cfg, const es_orb_ic_params *ic)
{
    if (ic->kind != ES_ORB_IC_GRID)
        return ES_OK;
    if (ic->x_min > ic->x_max)
        return es_config_blame_error(cfg, x_range_keys, 2, "ic = grid: x_min = %g exceeds x_max = %g",
                                     ic->x_min, ic->x_max);
    if (ic->v_min > ic->v_max)
        return es_config_blame_error(cfg, v_range_keys, 2, "ic = grid: v_min = %g exceeds v_max = %g",
                                     ic->v_min, ic->v_max);
    return ES_OK;
}

/* 1-based number of the first empty element of a list split at any of seps
 * (blanks around elements allowed), 0 if there is none.  strtok_r, which the
 * parsers below use, merges runs of separators, so "x,,z" or "x," would
 * otherwise pass silently with an element lost (the numeric lists refuse an
 * empty element the same way, sim/core/config.c). */
static int empty_list_element(const char *s, const char *seps)
{
    int element = 1, blank = 1;
    for (; *s; s++) {
        if (strchr(seps, *s)) {
            if (blank)
                return element;
            element++;
            blank = 1;
        } else if (*s != ' ' && *s != '\t') {
            blank = 0;
        }
    }
    return blank && element > 1 ? element : 0;
}

/* A writable copy of a list-valued key for strtok_r, as long as the value:
 * a fixed 512-byte copy cut longer values short without a word (the terms
 * or observables past byte 511 were dropped, or one was cut in half). */
static char *list_copy(const es_config *cfg, const char *key)
{
    const char *v = es_config_string(cfg, S, key);
    size_t n = strlen(v) + 1;
    char *out = malloc(n);
    return out ? memcpy(out, v, n) : NULL;
}

static int parse_potential_terms(const es_config *cfg, char *buf, es_orb_potential *p)
{
    int empty = empty_list_element(buf, "+,");
    if (empty)
        return es_config_key_error(cfg, S, "potential", "term %d of '%s' is empty", empty, buf);
    unsigned seen = 0;
    for (char *save = NULL, *tok = strtok_r(buf, "+, \t", &save); tok;
         tok = strtok_r(NULL, "+, \t", &save)) {
        es_orb_term_kind k;
        if (es_orb_term_parse(tok, &k) != ES_OK || k == ES_ORB_HENON_HEILES)
            return es_config_key_error(cfg, S, "potential", "unknown term '%s' (allowed: "
                                       "pointmass, plummer, hernquist, isochrone, nfw, logarithmic, "
                                       "miyamoto_nagai, dehnen_bar)", tok);
        if (seen & (1u << k))
            return es_config_key_error(cfg, S, "potential", "term '%s' given twice", tok);
        seen |= 1u << k;
        es_orb_term *t = &p->term[p->nterms++];
        t->kind = k;
        t->qy = t->qz = 1.0;
        switch (k) {
        case ES_ORB_POINTMASS: t->gm = es_config_double(cfg, S, "pointmass_gm"); break;
        case ES_ORB_PLUMMER:
            t->gm = es_config_double(cfg, S, "plummer_gm");
            t->a = es_config_double(cfg, S, "plummer_a");
            break;
        case ES_ORB_HERNQUIST:
            t->gm = es_config_double(cfg, S, "hernquist_gm");
            t->a = es_config_double(cfg, S, "hernquist_a");
            break;
        case ES_ORB_ISOCHRONE:
            t->gm = es_config_double(cfg, S, "isochrone_gm");
            t->a = es_config_double(cfg, S, "isochrone_b");
            break;
        case ES_ORB_NFW:
            t->gm = es_config_double(cfg, S, "nfw_gm");
            t->a = es_config_double(cfg, S, "nfw_rs");
            break;
        case ES_ORB_LOGARITHMIC: {
            double v0 = es_config_double(cfg, S, "log_v0");
            t->gm = v0 * v0;
            t->a = es_config_double(cfg, S, "log_rc");
            t->qy = es_config_double(cfg, S, "log_qy");
            t->qz = es_config_double(cfg, S, "log_qz");
            break;
        }
        case ES_ORB_MIYAMOTO_NAGAI:
            t->gm = es_config_double(cfg, S, "mn_gm");
            t->a = es_config_double(cfg, S, "mn_a");
            t->b = es_config_double(cfg, S, "mn_b");
            break;
        case ES_ORB_DEHNEN_BAR:
            t->gm = es_config_double(cfg, S, "bar_amp");
            t->a = es_config_double(cfg, S, "bar_rb");
            if (t->gm == 0.0)
                return es_config_key_error(cfg, S, "bar_amp", "must be nonzero");
            break;
        default: break;
        }
    }
    if (p->nterms == 0)
        return es_config_key_error(cfg, S, "potential", "no terms given");
    return ES_OK;
}

static int parse_potential(const es_config *cfg, es_orb_potential *p)
{
    memset(p, 0, sizeof *p);
    p->omega = es_config_double(cfg, S, "pattern_speed");
    char *buf = list_copy(cfg, "potential");
    if (!buf)
        return es_error_set(ES_ENOMEM, "orbits: out of memory for the potential list");
    int st = parse_potential_terms(cfg, buf, p);
    free(buf);
    return st;
}

static int parse_observable_list(const es_config *cfg, const es_orb_system *sys, char *buf,
                                 es_orb_run_params *rp)
{
    int empty = empty_list_element(buf, ",");
    if (empty)
        return es_config_key_error(cfg, S, "observables", "element %d of '%s' is empty", empty,
                                   buf);
    rp->nobs = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ", \t", &save); tok;
         tok = strtok_r(NULL, ", \t", &save)) {
        es_orb_observable o;
        if (rp->nobs == 8)
            return es_config_key_error(cfg, S, "observables", "at most 8 observables");
        if (es_orb_observable_parse(tok, &o) != ES_OK || es_orb_observable_check(sys, o) != ES_OK) {
            char msg[ES_MSG_LEN]; /* copy: the message buffer is rewritten by es_error_set */
            snprintf(msg, sizeof msg, "%s", es_error_message());
            return es_config_key_error(cfg, S, "observables", "%s", msg);
        }
        /* each observable names an output dataset, /series/<obs> and /insitu/<obs> */
        for (int k = 0; k < rp->nobs; k++)
            if (rp->obs[k] == o)
                return es_config_key_error(cfg, S, "observables", "observable '%s' given twice",
                                           tok);
        rp->obs[rp->nobs++] = o;
    }
    if (rp->nobs == 0)
        return es_config_key_error(cfg, S, "observables", "give at least one observable");
    return ES_OK;
}

static int parse_observables(const es_config *cfg, const es_orb_system *sys, es_orb_run_params *rp)
{
    char *buf = list_copy(cfg, "observables");
    if (!buf)
        return es_error_set(ES_ENOMEM, "orbits: out of memory for the observables list");
    int st = parse_observable_list(cfg, sys, buf, rp);
    free(buf);
    return st;
}

int es_orbits_setup(const es_config *cfg, uint64_t seed, es_orbits_setup_t *su)
{
    memset(su, 0, sizeof *su);
    su->system = (es_orb_model_system)es_config_enum(cfg, S, "system");
    int st = ES_OK;
    switch (su->system) {
    case ES_ORB_MODEL_POTENTIAL: {
        es_orb_potential p;
        if ((st = parse_potential(cfg, &p)))
            return st;
        es_orb_system_potential(&su->sys, &p, (int)es_config_int(cfg, S, "ndim"));
        break;
    }
    case ES_ORB_MODEL_HENON_HEILES: es_orb_system_henon_heiles(&su->sys); break;
    case ES_ORB_MODEL_PENDULUM:
        es_orb_system_pendulum(&su->sys, es_config_double(cfg, S, "m1"),
                               es_config_double(cfg, S, "m2"), es_config_double(cfg, S, "l1"),
                               es_config_double(cfg, S, "l2"), es_config_double(cfg, S, "g"));
        break;
    case ES_ORB_MODEL_LORENZ:
        es_orb_system_lorenz(&su->sys, es_config_double(cfg, S, "sigma"),
                             es_config_double(cfg, S, "rho"), es_config_double(cfg, S, "beta"));
        break;
    default: /* maps and noise */
        su->map = (es_orb_map_kind)(su->system - ES_ORB_MODEL_LOGISTIC);
        su->mp.r = es_config_double(cfg, S, "map_r");
        su->mp.x0 = es_config_double(cfg, S, "map_x0");
        su->mp.a = su->map == ES_ORB_MAP_HENON ? es_config_double(cfg, S, "henon_a")
                                               : es_config_double(cfg, S, "skew_a");
        su->mp.b = es_config_double(cfg, S, "henon_b");
        su->mp.mu = es_config_double(cfg, S, "tent_mu");
        su->mp.alpha = es_config_double(cfg, S, "noise_alpha");
        su->map_length = (size_t)es_config_int(cfg, S, "map_length");
        break;
    }
    su->is_map = su->system >= ES_ORB_MODEL_LOGISTIC;
    if (!su->is_map && es_orb_system_check(&su->sys) != ES_OK) {
        char msg[ES_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", es_error_message());
        return es_config_key_error(cfg, S, su->system == ES_ORB_MODEL_POTENTIAL ? "potential" : "system",
                                   "%s", msg);
    }

    es_orb_run_params *rp = &su->rp;
    es_orb_params_default(&rp->par);
    rp->par.integrator = (es_orb_integrator)es_config_enum(cfg, S, "integrator");
    rp->par.dt = es_config_double(cfg, S, "dt");
    rp->par.eps_abs = es_config_double(cfg, S, "eps_abs");
    rp->par.eps_rel = es_config_double(cfg, S, "eps_rel");
    rp->par.escape_radius = es_config_double(cfg, S, "escape_radius");
    int ci = es_config_enum(cfg, S, "chaos_indicator");
    rp->par.ntangent = ci == 0 ? 2 : ci == 1 ? 1 : 0;
    rp->cls.sali_threshold = es_config_double(cfg, S, "sali_threshold");
    rp->cls.mlce_threshold = es_config_double(cfg, S, "mlce_threshold");
    rp->t_end = es_config_double(cfg, S, "t_end");
    rp->output_every = (int)es_config_int(cfg, S, "output_every");
    if (!su->is_map) {
        if (rp->par.integrator == ES_ORB_LEAPFROG && !es_orb_system_separable(&su->sys))
            return es_config_blame_error(cfg, integrator_keys, 2,
                                       "integrator = leapfrog%s integrates motion in a "
                                       "potential; set integrator = rk8pd or rk4 for the double "
                                       "pendulum and Lorenz",
                                       es_config_was_set(cfg, S, "integrator") ? "" : " (the default)");
        if ((st = parse_observables(cfg, &su->sys, rp)))
            return st;
        if (es_orb_run_nout(rp) < 2)
            return es_config_blame_error(cfg, sampling_keys, 3,
                                       "t_end = %g, dt = %g and output_every = %d give fewer than 2 "
                                       "output samples", rp->t_end, rp->par.dt, rp->output_every);
        double want = rp->t_end / (rp->par.dt * rp->output_every); /* es_orb_run_nout caps it */
        if (want >= 9007199254740992.0)
            return es_config_blame_error(cfg, sampling_keys, 3,
                                       "t_end = %g, dt = %g and output_every = %d give %.3g output "
                                       "samples per orbit (at most 2^53)", rp->t_end, rp->par.dt,
                                       rp->output_every, want);
    } else {
        rp->nobs = 1;
        rp->obs[0] = ES_ORB_OBS_X;
    }
    rp->store_series = es_config_bool(cfg, S, "store_series");
    rp->section_max = su->sys.kind == ES_ORB_SYS_POTENTIAL && !su->is_map
                          ? (int)es_config_int(cfg, S, "section_points")
                          : 0;

    es_orb_ic_params *ic = &su->ic;
    ic->kind = (es_orb_ic_kind)es_config_enum(cfg, S, "ic");
    ic->n = (size_t)es_config_int(cfg, S, "n_orbits");
    ic->seed = seed;
    ic->energy = es_config_double(cfg, S, "energy");
    ic->rmax = es_config_double(cfg, S, "rmax");
    ic->x_min = es_config_double(cfg, S, "x_min");
    ic->x_max = es_config_double(cfg, S, "x_max");
    ic->v_min = es_config_double(cfg, S, "v_min");
    ic->v_max = es_config_double(cfg, S, "v_max");
    ic->z0 = es_config_double(cfg, S, "z0");
    ic->vz0 = es_config_double(cfg, S, "vz0");
    ic->path = es_config_string(cfg, S, "ic_file");
    if (ic->kind == ES_ORB_IC_FILE && !*ic->path)
        return es_config_key_error(cfg, S, "ic", "ic = file needs [orbits] ic_file");
    if ((st = check_grid_ranges(cfg, ic)))
        return st;

    su->ip.order = (int)es_config_int(cfg, S, "order");
    su->ip.tnat = (es_orb_tnat_source)es_config_enum(cfg, S, "tnat");
    su->ip.curve_max_delay = (int)es_config_int(cfg, S, "curve_max_delay");
    /* maps leave su->sys zeroed, whose kind reads as a potential: test is_map too */
    if (su->ip.tnat >= ES_ORB_TNAT_RADIAL && (su->is_map || su->sys.kind != ES_ORB_SYS_POTENTIAL))
        return es_config_blame_error(cfg, tnat_keys, 2, "radial/azimuthal periods need a potential "
                                   "system; use ncross, maxavg or minavg");
    su->plots = es_config_bool(cfg, S, "plots");
    return ES_OK;
}
