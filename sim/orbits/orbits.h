/* orbits/orbits.h — tracer orbits, integrators and chaos indicators.
 *
 * One system description (es_orb_system, chosen by an enum) and one central
 * per-orbit state (es_orbit), REBOUND style:
 *   - potentials: sums of analytic terms (point mass, Plummer, Hernquist,
 *     isochrone, NFW, flattened logarithmic, Miyamoto–Nagai, Dehnen-type
 *     quadrupole bar, Hénon–Heiles), optionally seen from a frame rotating
 *     with pattern speed Omega about z (Coriolis + centrifugal, Jacobi
 *     integral); every term supplies its potential, acceleration and Hessian
 *     so the tangent (variational) equations need no finite differences;
 *   - the double pendulum (spec §4.2 equations) and the Lorenz flow;
 *   - integrators: symplectic leapfrog KDK (static potentials) with its exact
 *     tangent map, and adaptive GSL odeiv2 (rk8pd) driven to every output time;
 *   - chaos indicators: maximal Lyapunov exponent (renormalised tangent
 *     vector) and SALI (two tangent vectors).
 * Units are whatever the parameters are in (G = 1 implied by GM). */
#ifndef ES_ORBITS_H
#define ES_ORBITS_H

#include <stddef.h>
#include <stdint.h>

#define ES_ORB_MAX_TERMS 8
#define ES_ORB_MAXVAR 6 /* largest phase-space dimension */

/* ---- potentials ---- */
typedef enum {
    ES_ORB_POINTMASS = 0, /* -GM/r */
    ES_ORB_PLUMMER,       /* -GM/sqrt(r²+a²) */
    ES_ORB_HERNQUIST,     /* -GM/(r+a) */
    ES_ORB_ISOCHRONE,     /* -GM/(a+sqrt(a²+r²)) */
    ES_ORB_NFW,           /* -GM ln(1+r/a)/r */
    ES_ORB_LOGARITHMIC,   /* ½ v0² ln(a² + x² + y²/qy² + z²/qz²), gm = v0² */
    ES_ORB_MIYAMOTO_NAGAI,/* -GM/sqrt(R² + (a+sqrt(z²+b²))²) */
    ES_ORB_DEHNEN_BAR,    /* gm = A_b, a = R_b: A_b cos2φ (R/r)² U(r/R_b) */
    ES_ORB_HENON_HEILES,  /* ½(x²+y²) + x²y − y³/3 (planar) */
    ES_ORB_NTERMKINDS
} es_orb_term_kind;

typedef struct {
    es_orb_term_kind kind;
    double gm;     /* GM; v0² (logarithmic); A_b (bar); unused (Hénon–Heiles) */
    double a;      /* scale radius (b Plummer/isochrone, r_s NFW, R_c log, a MN, R_b bar) */
    double b;      /* Miyamoto–Nagai b */
    double qy, qz; /* logarithmic flattening (1 = spherical) */
} es_orb_term;

typedef struct {
    int nterms;
    es_orb_term term[ES_ORB_MAX_TERMS];
    double omega; /* pattern speed of the rotating frame about z (0 = inertial) */
} es_orb_potential;

const char *es_orb_term_name(es_orb_term_kind k);
int es_orb_term_parse(const char *s, es_orb_term_kind *k);
/* Φ at x[3]; acc = −∇Φ and hess = ∂²Φ (row-major 3×3) when non-NULL. */
double es_orb_term_eval(const es_orb_term *t, const double x[3], double acc[3], double hess[9]);
double es_orb_potential_eval(const es_orb_potential *p, const double x[3], double acc[3],
                             double hess[9]);
/* acc (and hess) only: skips Φ where it costs (the logarithm of the
 * logarithmic and NFW terms); what the integrators call. */
void es_orb_potential_force(const es_orb_potential *p, const double x[3], double acc[3],
                            double hess[9]);
/* Check parameters (positive scales, q in range, ...): ES_EINVAL naming the term. */
int es_orb_potential_check(const es_orb_potential *p);
/* Circular speed in the plane z = 0 at radius R (from the axisymmetric part
 * of the potential along +x; NaN where the force is outward). */
double es_orb_potential_vcirc(const es_orb_potential *p, double R);

/* ---- systems ---- */
typedef enum {
    ES_ORB_SYS_POTENTIAL = 0, /* motion in es_orb_potential (ndim 2 or 3) */
    ES_ORB_SYS_DOUBLE_PENDULUM,
    ES_ORB_SYS_LORENZ
} es_orb_system_kind;

typedef struct {
    es_orb_system_kind kind;
    int ndim;                  /* POTENTIAL: 2 (planar) or 3 */
    int nvar;                  /* phase-space dimension: 2·ndim, 4 (pendulum), 3 (Lorenz) */
    es_orb_potential pot;
    double m1, m2, l1, l2, g;  /* double pendulum */
    double sigma, rho, beta;   /* Lorenz */
} es_orb_system;

/* Fill the system for each kind (sets nvar). */
void es_orb_system_potential(es_orb_system *s, const es_orb_potential *p, int ndim);
void es_orb_system_henon_heiles(es_orb_system *s);
void es_orb_system_pendulum(es_orb_system *s, double m1, double m2, double l1, double l2,
                            double g);
void es_orb_system_lorenz(es_orb_system *s, double sigma, double rho, double beta);
int es_orb_system_check(const es_orb_system *s);
/* dy/dt and the tangent J(y)·w (w, jw may be NULL). y layout: POTENTIAL
 * (x[ndim], v[ndim]); pendulum (θ1, ω1, θ2, ω2); Lorenz (x, y, z). */
void es_orb_system_rhs(const es_orb_system *s, const double *y, double *dydt,
                       const double *w, double *jw);
/* Conserved quantity: energy, or the Jacobi integral in a rotating frame;
 * NaN for Lorenz (dissipative). */
double es_orb_system_energy(const es_orb_system *s, const double *y);
/* True when the leapfrog applies (motion in a potential, inertial or rotating frame). */
int es_orb_system_separable(const es_orb_system *s);
/* Is the system Hamiltonian (SALI meaningful)? */
int es_orb_system_hamiltonian(const es_orb_system *s);

/* Observables of a phase-space point. */
typedef enum {
    ES_ORB_OBS_X = 0, ES_ORB_OBS_Y, ES_ORB_OBS_Z, ES_ORB_OBS_VX, ES_ORB_OBS_VY, ES_ORB_OBS_VZ,
    ES_ORB_OBS_R,     /* cylindrical R (pendulum: x of the second bob) */
    ES_ORB_OBS_RSPH,  /* spherical r */
    ES_ORB_OBS_LZ,    /* x·vy − y·vx (inertial velocity in a rotating frame) */
    ES_ORB_OBS_E,     /* energy / Jacobi integral */
    ES_ORB_OBS_THETA1, ES_ORB_OBS_THETA2, ES_ORB_OBS_X2, ES_ORB_OBS_Y2,
    ES_ORB_NOBS
} es_orb_observable;
const char *es_orb_observable_name(es_orb_observable o);
int es_orb_observable_parse(const char *s, es_orb_observable *o);
/* Whether observable o is defined for the system (else ES_EINVAL with message). */
int es_orb_observable_check(const es_orb_system *s, es_orb_observable o);
double es_orb_observable_eval(const es_orb_system *s, es_orb_observable o, const double *y);

/* ---- per-orbit state and integrators ---- */
/* leapfrog: KDK, fixed dt; rk8pd/rkf45: adaptive (eps_abs, eps_rel); rk4:
 * classical fixed-step Runge–Kutta (dt), any system. */
typedef enum { ES_ORB_LEAPFROG = 0, ES_ORB_RK8PD, ES_ORB_RKF45, ES_ORB_RK4 } es_orb_integrator;
const char *es_orb_integrator_name(es_orb_integrator i);
int es_orb_integrator_parse(const char *s, es_orb_integrator *i);

typedef struct {
    es_orb_integrator integrator;
    double dt;       /* leapfrog step; odeiv2 initial step */
    double eps_abs;  /* odeiv2 tolerances */
    double eps_rel;
    int ntangent;    /* 0, 1 (mLCE) or 2 (mLCE + SALI) */
    double escape_radius; /* stop when |x| exceeds it (potentials; 0 = never) */
    /* Polled by the integrator loops every ES_ORB_POLL_STEPS steps, from any
     * thread; nonzero abandons the orbit with ES_EINTR (its state is then at
     * no output time and must not be continued). A stop signal thus acts
     * within milliseconds even when one orbit integrates for minutes.
     * NULL: never interrupted. */
    int (*interrupted)(void);
} es_orb_params;

#define ES_ORB_POLL_STEPS 4096 /* a power of 2: the loops test a bit mask */
void es_orb_params_default(es_orb_params *p);

typedef struct es_orbit es_orbit;
struct es_orbit {
    const es_orb_system *sys;
    es_orb_params par;
    int nvar;
    double t0, t;
    double y[ES_ORB_MAXVAR];
    double w[2][ES_ORB_MAXVAR];  /* tangent vectors, unit after each renormalisation */
    double log_growth;           /* Σ ln|w1| at renormalisations */
    double sali;                 /* SALI at the last renormalisation (1.414.. initially) */
    double e0;                   /* conserved quantity at t0 */
    double max_drift;            /* max |E − E0| / max(|E0|, tiny) at checks */
    int escaped;                 /* 1 beyond escape_radius; 2 lost (non-finite state or the
                                    adaptive step size collapsed) */
    long long nsteps;            /* steps taken */
    /* leapfrog cache: acceleration and Hessian at the current position */
    double acc[3], hess[9];
    int cache_valid;
    void *ode;                   /* odeiv2 driver workspace (integrator_odeiv2.c) */
};

es_orbit *es_orbit_alloc(const es_orb_system *sys, const es_orb_params *par);
void es_orbit_free(es_orbit *o);
/* Set the phase-space point at t0 and the initial tangent vectors (fixed,
 * generic directions, orthonormalised: the result does not depend on any rng). */
int es_orbit_set(es_orbit *o, const double *y0, double t0);
/* Integrate to time t1 (> t): leapfrog takes round((t1−t)/dt) steps (t1 must
 * be a multiple of dt from t, within 1e-9 relative); odeiv2 lands on t1.
 * Tangent vectors are renormalised at t1; the drift is checked at t1.
 * ES_EINTR when par.interrupted asked to stop on the way. */
int es_orbit_advance(es_orbit *o, double t1);

/* Is it time to poll (steps taken a multiple of ES_ORB_POLL_STEPS) and has
 * the run been asked to stop? For the stepper loops; inline so that a step
 * pays only the mask test. */
static inline int es_orbit_poll(const es_orbit *o, long long steps)
{
    return (steps & (ES_ORB_POLL_STEPS - 1)) == 0 && o->par.interrupted && o->par.interrupted();
}
/* End of the block of steps from s (of n in this call, `done` before it)
 * up to the next poll: fixed-step loops run blocks untouched by the poll. */
static inline long long es_orbit_poll_block(long long done, long long s, long long n)
{
    long long end = s + ES_ORB_POLL_STEPS - ((done + s) & (ES_ORB_POLL_STEPS - 1));
    return end < n ? end : n;
}

/* Internal steppers (one file each); ES_EINTR when es_orbit_poll says so. */
int es_orb_leapfrog_steps(es_orbit *o, long long nsteps);
int es_orb_rk4_steps(es_orbit *o, long long nsteps); /* classical RK4, step dt (odeiv2 workspace) */
int es_orb_odeiv2_init(es_orbit *o);
int es_orb_odeiv2_to(es_orbit *o, double t1);
void es_orb_odeiv2_free(es_orbit *o);

/* ---- chaos indicators (chaos.c) ---- */
void es_orb_tangent_init(int nvar, int ntangent, double w[2][ES_ORB_MAXVAR]);
/* Renormalise the tangent vectors, accumulate ln|w1|, update SALI. */
void es_orb_chaos_renormalise(es_orbit *o);
double es_orbit_mlce(const es_orbit *o);   /* log_growth / (t − t0); NaN without tangent vectors */
double es_orbit_sali(const es_orbit *o);
double es_orbit_energy(const es_orbit *o);

typedef enum {
    ES_ORB_CHAOS_REGULAR = 0,
    ES_ORB_CHAOS_CHAOTIC = 1,
    ES_ORB_CHAOS_ESCAPED = 2,
    ES_ORB_CHAOS_NONE = 3 /* no indicator (noise series) */
} es_orb_chaos_class;
typedef struct {
    double sali_threshold;  /* SALI below → chaotic (Hamiltonian systems), e.g. 1e-8 */
    double mlce_threshold;  /* mLCE above → chaotic (dissipative systems or ntangent = 1) */
} es_orb_classify_params;
es_orb_chaos_class es_orb_chaos_classify(const es_orbit *o, const es_orb_classify_params *p);
const char *es_orb_chaos_class_name(es_orb_chaos_class c);

/* ---- ensembles (ensemble.c) ---- */
typedef enum { ES_ORB_IC_GRID = 0, ES_ORB_IC_FILE, ES_ORB_IC_ENERGY, ES_ORB_IC_SECTION } es_orb_ic_kind;
const char *es_orb_ic_name(es_orb_ic_kind k);
int es_orb_ic_parse(const char *s, es_orb_ic_kind *k);

typedef struct {
    es_orb_ic_kind kind;
    size_t n;             /* number of orbits (grid: nx·nv, rounded from n) */
    uint64_t seed;
    double energy;        /* ENERGY / SECTION: energy or Jacobi integral */
    double rmax;          /* ENERGY: sample positions within |x_i| ≤ rmax */
    double x_min, x_max;  /* GRID: x range (vx = 0, y = z = 0, vz = vz0) */
    double v_min, v_max;  /* GRID: vy range */
    double z0, vz0;       /* GRID: fixed z and vz (3-D) */
    const char *path;     /* FILE: one orbit per line, nvar columns */
} es_orb_ic_params;

/* Fill y0 (n·nvar) with initial conditions; *n_out = number written.
 * Per-orbit rng streams (seed, orbit index): independent of thread count.
 * ES_EUNSUP: ic = section in a potential unbounded below on the section. */
int es_orb_ic_generate(const es_orb_system *s, const es_orb_ic_params *p, double **y0,
                       size_t *n_out);
/* The checks of es_orb_ic_generate that the config alone decides (a sampled
 * kind the system lacks, an energy below the section's potential, a section
 * through a point mass), without drawing or reading a file: `esuite run
 * --check` and a sweep's plan make them. ES_OK for grid and file. */
int es_orb_ic_check(const es_orb_system *s, const es_orb_ic_params *p);

/* Per-orbit results of an ensemble run. */
typedef struct {
    double y0[ES_ORB_MAXVAR];
    double e0, max_drift;
    double mlce, sali;
    int chaos_class;      /* es_orb_chaos_class */
    int escaped;
    long long nsteps;
    double t_end;         /* time reached (< requested if escaped) */
    double t_radial;      /* mean time between pericentres (minima of r at outputs); NaN if < 2 */
    double t_azimuthal;   /* 2π / |mean dφ/dt| in the integration frame; NaN if not a potential */
    int nsection;         /* surface-of-section points recorded */
} es_orb_result;

typedef struct {
    es_orb_params par;
    es_orb_classify_params cls;
    double t_end;
    int output_every;     /* output cadence in units of dt */
    int nobs;             /* observables recorded per output */
    es_orb_observable obs[8];
    int store_series;     /* keep the sampled observables (n·nobs·nout doubles) */
    int section_max;      /* > 0: record up to this many (y, vy) points per orbit where
                             x crosses 0 upwards (vx > 0), linearly interpolated
                             between outputs (potential systems only) */
} es_orb_run_params;

/* Number of output samples (t = 0, dt·output_every, ..., ≤ t_end). */
size_t es_orb_run_nout(const es_orb_run_params *rp);
/* Integrate orbit i from y0 (nvar values): fills res and, if series != NULL,
 * series[k·nout + j] for observable k at output j (NaN after an escape). */
int es_orb_run_one(const es_orb_system *s, const es_orb_run_params *rp, const double *y0,
                   es_orb_result *res, double *series);
/* Same, also filling section[2·k], section[2·k+1] = (y, vy) of the k-th
 * upward x = 0 crossing (section holds 2·section_max doubles; may be NULL). */
int es_orb_run_one_sos(const es_orb_system *s, const es_orb_run_params *rp, const double *y0,
                       es_orb_result *res, double *series, double *section);
/* All orbits, OpenMP over orbits (dynamic schedule; each orbit independent,
 * so results are identical for any thread count). series may be NULL. */
int es_orb_run_ensemble(const es_orb_system *s, const es_orb_run_params *rp, const double *y0,
                        size_t n, es_orb_result *res, double *series, int *status);
/* With surface-of-section points (section: n·2·section_max doubles, may be NULL). */
int es_orb_run_ensemble_sos(const es_orb_system *s, const es_orb_run_params *rp,
                            const double *y0, size_t n, es_orb_result *res, double *series,
                            double *section, int *status);

/* ---- maps and noise from the ordinal module (maps.c) ---- */
typedef enum {
    ES_ORB_MAP_LOGISTIC = 0, ES_ORB_MAP_HENON, ES_ORB_MAP_TENT, ES_ORB_MAP_ASYMM_TENT,
    ES_ORB_MAP_NOISE
} es_orb_map_kind;
typedef struct {
    double r, x0;   /* logistic r; start value (logistic, tent, skew tent) */
    double a, b;    /* Hénon map a, b; skew-tent a (in a) */
    double mu;      /* tent */
    double alpha;   /* noise colour exponent (PSD ∝ f^(2α)) */
    double dx;      /* Hénon map: start at (1 + dx, 1) (an ensemble's orbit i: dx = −i·1e-9) */
} es_orb_map_params;
const char *es_orb_map_name(es_orb_map_kind k);
/* T samples into x; *lyap = the map's Lyapunov exponent along this orbit
 * (per iteration, NaN for noise). The Hénon map ignores x0: it starts at
 * (1 + dx, 1). Returns ES_OK, ES_EINVAL (T < 2, an unknown map) or, for
 * noise, es_gen_colored_noise's error. It never returns ES_ESHORT (4): a
 * series too short to analyse is the in-situ analysis' status (below). */
int es_orb_map_generate(es_orb_map_kind k, const es_orb_map_params *p, size_t T, uint64_t seed,
                        double *x, double *lyap);

/* ---- in-situ ordinal analysis (insitu.c) ---- */
/* Where t_nat comes from: the ordinal-module estimators on the observable
 * itself, or the orbit's own radial / azimuthal period. */
typedef enum {
    ES_ORB_TNAT_NCROSS = 0, ES_ORB_TNAT_MAXAVG, ES_ORB_TNAT_MINAVG,
    ES_ORB_TNAT_RADIAL, ES_ORB_TNAT_AZIMUTHAL
} es_orb_tnat_source;
const char *es_orb_tnat_source_name(es_orb_tnat_source s);

typedef struct {
    int order;                 /* n (3..8 here) */
    es_orb_tnat_source tnat;
    int curve_max_delay;       /* > 0: also H(ℓ), C(ℓ) for ℓ = 1..curve_max_delay */
} es_orb_insitu_params;

typedef struct {
    double tnat;      /* natural timescale used */
    int delay;        /* ideal delay ℓ (t_pat = 0.4 t_nat) */
    double tpat;
    double H, C;
    int ordinal_class;/* es_ordinal_class, −1 if not analysed */
    int chaotic;      /* PECCARY verdict: 1 complex/stochastic, 0 periodic/regular/oversampled, −1 none */
    int status;       /* ES_OK (0) or why it could not be analysed (esuite/status.h):
                         ES_ESHORT (4) too short for the order and delay, or too few
                         extrema/crossings for t_nat, or t_dur < t_nat (a map with a small
                         map_length, a short t_end); ES_EDATA (5) escaped or lost, or no
                         radial/azimuthal period; ES_EUNSUP (8) constant to rounding;
                         ES_ENOMEM (3) the analysis ran out of memory, which fails the
                         run (es_orbits_insitu_check) */
    int warned;       /* t_dur < 1.5 t_nat or delay clamped */
} es_orb_insitu;

/* Analyse one sampled observable x[0..T−1] (output step dt). res gives the
 * orbital periods (for the radial/azimuthal sources). Curves, when
 * requested, go to Hc/Cc (curve_max_delay values each, NaN where too short).
 * Never fails the run: problems are recorded in out->status. */
void es_orb_insitu_one(const double *x, size_t T, double dt, const es_orb_result *res,
                       const es_orb_insitu_params *p, es_orb_insitu *out, double *Hc, double *Cc);

#endif
