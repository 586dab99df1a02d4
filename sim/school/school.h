/* school/school.h — the 3D Couzin fish-school engine (one central state).
 *
 * Two modes (../shared/specs/school.md §1 and §5):
 *  - ES_SCHOOL_DEWI: the dewi-kadita library's model — periodic cube of side
 *    L, NLERP turning limited to max_turn per step, additive Gaussian noise
 *    σ·N(0, I₃) after the turn, desired = normalise(w·d_o + d_a), a rear blind
 *    cone of half-angle β applied to all three zones.
 *  - ES_SCHOOL_COUZIN: Couzin et al. (2002) — open space, true rotation by at
 *    most θτ, the desired direction deflected by an N(0, σ) angle about a
 *    random perpendicular axis before the turn limit, field of perception α
 *    for orientation/attraction only (repulsion sees all round),
 *    d = ½(d_o + d_a), optional self term in d_o.
 * Updates are synchronous (double-buffered headings), neighbours come from a
 * cell list (O(N) per step), noise from es_counter_gauss2(seed, fish, step, k):
 * the trajectory is bit-identical for any number of OpenMP threads. */
#ifndef ESUITE_SCHOOL_H
#define ESUITE_SCHOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { ES_SCHOOL_MODE_DEWI = 0, ES_SCHOOL_MODE_COUZIN = 1 } es_school_mode;

typedef enum {
    ES_SCHOOL_INIT_BOX = 0,    /* uniform in [0, L)^3, isotropic headings */
    ES_SCHOOL_INIT_SPHERE = 1, /* uniform in a ball of radius init_size about the box centre */
    ES_SCHOOL_INIT_CUBE = 2,   /* uniform in a cube of side init_size about the box centre */
    ES_SCHOOL_INIT_TORUS = 3,  /* the reference's ring (radius init_size, tangential headings) */
    ES_SCHOOL_INIT_FILE = 4    /* given positions and velocities (init_pos, init_vel) */
} es_school_init;

typedef enum {
    ES_SCHOOL_RNG_COUNTER = 0, /* es_counter_* keyed by (seed, fish, ·): thread independent */
    ES_SCHOOL_RNG_NUMPY = 1    /* NumPy legacy MT19937 (np.random.seed): the reference's t = 0 */
} es_school_init_rng;

typedef struct {
    es_school_mode mode;
    size_t n;                  /* number of fish */
    double box;                /* L: periodic side (dewi); centre/scale of the start region (couzin) */
    double dt;                 /* time step τ */
    double speed;              /* s (v0) */
    double r_r, r_o, r_a;      /* zone radii, r_r < r_o <= r_a */
    double max_turn;           /* rad per step (θ_max, or θτ in couzin mode) */
    double noise;              /* σ (rad) */
    double blind_angle;        /* dewi: rear blind half-angle β in degrees (<= 0: none) */
    double fov;                /* couzin: field of perception α in degrees (360: none) */
    double orientation_weight; /* dewi: w in [0, 1] */
    int include_self;          /* couzin: add v_i to d_o when the zoo is occupied */
    int zone_normalise;        /* couzin: d_o and d_a made unit vectors before ½(d_o + d_a)
                                  (the Couzin 2005 reading; 0: raw sums, spec §1) */
    es_school_init init;
    double init_size;          /* sphere radius / cube side / torus radius (<= 0: default) */
    es_school_init_rng init_rng;
    const double *init_pos;    /* init = file: n×3 start positions and velocities (borrowed; */
    const double *init_vel;    /*   headings are the normalised velocities) */
    uint64_t seed;             /* initial state */
    uint64_t noise_seed;       /* noise stream es_counter_gauss2(noise_seed, fish, step, k);
                                  separate so that replicas can share one initial state */
} es_school_params;

/* Defaults of the reference library (N 150, L 25, v0 1, r 1/5/10, ...). */
void es_school_params_default(es_school_params *p);
/* Checks ranges and r_r < r_o <= r_a; message names the offending parameter. */
int es_school_params_check(const es_school_params *p);

typedef struct es_school_cells es_school_cells;

typedef struct {
    es_school_params p;
    size_t n;
    long long step;    /* steps taken */
    double *pos;       /* n×3 positions (wrapped into [0, L) in dewi mode) */
    double *dir;       /* n×3 unit headings; velocity = speed·dir */
    double *dir_new;   /* double buffer for the synchronous update */
    es_school_cells *cells;
    double *noise; /* 3n: the normals of the step being taken (keyed by seed, fish, step) */
    /* Small N with every fish in every fish's view (the cell list covers
     * the whole periodic box): zone sums per unordered pair, accumulated
     * into both fish (ES_SCHOOL_PAIR_ACC arrays of n + pad slots). */
    double *pair_acc;
} es_school;

/* Up to this N (chosen by N and geometry only, never by the thread count)
 * an all-pairs step evaluates each pair once, on one thread. */
#define ES_SCHOOL_PAIRS_MAX 1024

int es_school_alloc(const es_school_params *p, es_school **out);
void es_school_free(es_school *s);
/* Initial positions and headings from p.init / p.seed; step = 0. */
int es_school_init_state(es_school *s);
/* Advance `nsteps` steps. */
int es_school_step(es_school *s, long long nsteps);
/* true: es_school_step uses its portable kernels even where AVX-512 is
 * available. The two give the same bits; tests compare them. */
extern bool es_school_portable_kernels;
/* velocities = speed·dir into vel (n×3). */
void es_school_velocities(const es_school *s, double *vel);

/* The desired direction and neighbour counts of fish i (before turning and
 * noise): used by tests to compare the cell list with brute force (counts
 * -1 if the brute-force copy cannot be allocated). */
void es_school_desired(const es_school *s, size_t i, int brute_force, double d[3],
                       int counts[3]);

/* The two turning laws, exposed for tests: NLERP (dewi) and true rotation
 * (couzin) of unit vector u toward unit vector d by at most max_turn. */
void es_school_turn_nlerp(const double u[3], const double d[3], double max_turn, double out[3]);
void es_school_turn_rotate(const double u[3], const double d[3], double max_turn, double out[3]);

/* NumPy legacy RandomState (MT19937), for the reference's initial state. */
typedef struct {
    uint32_t mt[624];
    int mti;
    int has_gauss;
    double gauss;
} es_np_random;
void es_np_random_seed(es_np_random *r, uint32_t seed);
double es_np_random_rand(es_np_random *r);  /* random_sample() */
double es_np_random_randn(es_np_random *r); /* legacy gauss (polar method, cached pair) */

#endif
