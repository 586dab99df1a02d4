/* gas/gas.h — event-driven molecular dynamics of 2-D equal-mass hard discs.
 *
 * One central state struct (es_gas) holds the box, the particles, the cell
 * list and the event queue. Units: m = k_B = 1, lengths in the disc diameter
 * when sigma = 1 (any sigma > 0 works; sigma = 0 is the collisionless mode).
 *
 * Algorithm (spec ../shared/specs/gas.md §3.4):
 *  - a cell list with cell-crossing events (cells are >= sigma wide, so the
 *    3×3 neighbourhood holds every possible partner);
 *  - per particle one collision candidate (time, partner, partner's counter)
 *    and one boundary event (cell face or wall); the earlier is the
 *    particle's key in a calendar queue (buckets of about two events, each a
 *    cache line of particle indices with lazy deletion, recalibrated every
 *    8 N events): O(1) per event on average; at large N the records and
 *    neighbourhoods of the next events in the calendar are prefetched while
 *    the current one is processed (gas_queue.c);
 *  - particles are renumbered in cell order every few events per particle,
 *    so that neighbour scans stay cache friendly at large N;
 *  - per-particle counters bumped at every velocity change: a predicted
 *    collision is stale when the partner's counter moved since prediction
 *    (checked when it comes due, then the particle is re-predicted);
 *  - a cell crossing scans only the newly adjacent row or column of cells and
 *    keeps the collision candidate: every collision the particle's last full
 *    scan dominated is later than that candidate, and partners that changed
 *    since scanned the particle themselves;
 *  - lazy particles: each stores (x, y) at its own time t;
 *  - collision time in the cancellation-free form t* = (r²−σ²)/(−b+√d),
 *    b = Δr·Δv, d = b² − v²(r²−σ²); the impulse uses |Δr|² at contact so
 *    that kinetic energy is conserved to rounding for any Δr.
 * Boundaries: specular x walls (on centres, or on rims at σ/2), optional
 * partition at x = Lx/2, y periodic or reflecting, or a fully periodic box. */
#ifndef ESUITE_GAS_H
#define ESUITE_GAS_H

/* The largest [gas] packing_fraction accepted (the schema's limit), also the
 * top of the (N, knudsen) bisection: every (N, eta) box can be asked for as
 * (N, Kn), and the most that the preparation's random sequential insertion
 * is trusted to reach (check_insertion_reach in gas_prepare.c: it jams at
 * 0.547, and its 100000 tries a disc stopped at 0.526 for N = 10^6; 0.54
 * passed --check and then failed in insertion). */
#define ES_GAS_ETA_MAX 0.52

#include <stddef.h>
#include <stdint.h>

/* Hot particle data: one 64-byte cache line per particle. */
typedef struct {
    double x, y;      /* centre at local time t */
    double vx, vy;
    double t;         /* local time */
    uint32_t count;   /* bumped at every velocity change */
    int32_t cell;     /* index cy·ncx + cx into the cell grid */
    int32_t cx, cy;   /* its column and row (no division in the hot path) */
    int32_t next;     /* cell list: next particle in the same cell, -1 at end */
    int32_t prev;     /* previous particle in the cell, -1 if head */
} es_gas_particle;

/* A particle's pending events, its queue key and cold data: one 64-byte line. */
typedef struct {
    double tc;        /* collision candidate time (INFINITY if none) */
    double tb;        /* boundary event time (cell face or wall) */
    int32_t partner;  /* collision candidate, -1 if none */
    uint32_t pcount;  /* partner's counter when the candidate was predicted */
    /* calendar queue (gas_queue.c) */
    double t;         /* queued event time min(tc, tb) (INFINITY: not queued) */
    int64_t vb;       /* virtual bucket floor(t / width); INT64_MIN when not queued */
    int32_t btype;    /* boundary event kind: an ES_GAS_EV_* */
    int32_t id;       /* original index of the particle: snapshots are in this order */
    double pad_[2];
} es_gas_event;

/* A calendar bucket: the particles whose event falls in it, unsorted, in one
 * cache line (more than ES_GAS_BUCKET_CAP go to the overflow list). Entries
 * of particles rescheduled elsewhere are dropped when the bucket is scanned. */
#define ES_GAS_BUCKET_CAP 15
/* Mean events per bucket at the front of the calendar; the bucket count is
 * the power of two >= 4N / ES_GAS_BUCKET_EVENTS, so a year holds about four
 * mean event intervals. Fewer events per bucket mean shorter scans but more
 * buckets (memory the appends miss in). */
#ifndef ES_GAS_BUCKET_EVENTS
#define ES_GAS_BUCKET_EVENTS 2
#endif
typedef struct {
    int32_t n;
    int32_t e[ES_GAS_BUCKET_CAP];
} es_gas_bucket;

enum {
    ES_GAS_EV_NONE = -1,    /* nothing will happen (at rest) */
    ES_GAS_EV_CROSS_X = -2, /* leaves its cell through an x face */
    ES_GAS_EV_CROSS_Y = -3,
    ES_GAS_EV_WALL_X = -4,  /* specular reflection, vx → −vx */
    ES_GAS_EV_WALL_Y = -5
};

_Static_assert(sizeof(es_gas_particle) == 64, "particle record must be one cache line");
_Static_assert(sizeof(es_gas_event) == 64, "event record must be one cache line");
_Static_assert(sizeof(es_gas_bucket) == 64, "calendar bucket must be one cache line");

typedef enum { ES_GAS_BOX_WALLS = 0, ES_GAS_BOX_PERIODIC = 1 } es_gas_box_kind;
typedef enum { ES_GAS_Y_PERIODIC = 0, ES_GAS_Y_REFLECT = 1 } es_gas_ybc;

/* Everything that defines a simulation (plain struct, no config dependency). */
typedef struct {
    long n;                 /* number of discs */
    double sigma;           /* disc diameter; 0 = collisionless (no pair events) */
    double lx, ly;          /* box [0,lx]×[0,ly] */
    es_gas_box_kind box;    /* walls in x (expansion) or fully periodic (equilibrium) */
    es_gas_ybc ybc;         /* y boundary when box = WALLS */
    int rim;                /* walls (and partition) act on rims: centres stay sigma/2 away */
    int partition;          /* start confined to the left half x < lx/2 (WALLS only) */
    double temperature;     /* T0: E = N·T0 exactly (2-D, kinetic only) */
    unsigned long long seed;
    unsigned long long stream; /* realization index: independent rng stream */
    double cell_occupancy;  /* target mean discs per cell (<= 0: automatic, from the mean free path) */
    long max_tries;         /* insertion attempts per disc (<= 0: default 100000) */
} es_gas_params;



/* The calendar lookahead (prefetching the next events' data, deferring far
 * appends: gas_queue.c) is on from this N. Below it the hot arrays (discs,
 * events, calendar: about 1 MB at N = 4096) stay in a core's L2 and it is
 * only overhead. Above it it pays even where everything would fit an L3: on
 * the AMD EPYC VMs of the performance anchors a dependent load over 2–4 MB
 * already costs 140–180 ns (the L3 is shared with other guests), and it
 * doubles the rate at N = 10^4 (docs/gas.md, "On the anchors' machine type"). */
#ifndef ES_GAS_PF_MIN_N
#define ES_GAS_PF_MIN_N 4096
#endif

/* A deferred calendar append (gas_queue.c); a power of two (ring index masks). */
#define ES_GAS_QDEFER 8
_Static_assert((ES_GAS_QDEFER & (ES_GAS_QDEFER - 1)) == 0, "deferral ring size must be a power of two");
typedef struct {
    int64_t vb;
    int32_t i, pad_;
} es_gas_pending;

typedef struct {
    es_gas_params par;
    long n;
    double t;                 /* time of the last processed event */
    es_gas_particle *p;
    es_gas_event *ev;
    /* cell grid */
    int ncx, ncy;
    double cwx, cwy;          /* cell widths */
    int32_t *head;            /* first particle of each cell, -1 if empty */
    /* event queue: a calendar of buckets of width qw (a power-of-two count,
     * wrapping every "year"), each a compact array of particle indices, so
     * that the next few events can be read (and their data prefetched) cheaply */
    es_gas_bucket *qb;        /* per bucket */
    size_t qbuckets;
    int32_t *qover;           /* overflow of full buckets (normally empty) */
    size_t nover;             /* entries in qover (capacity n) */
    double qw, qinv;          /* bucket width and its inverse */
    int64_t qcur;             /* virtual bucket of the earliest event (lower bound) */
    int32_t qmin;             /* particle with the earliest event, −1 if unknown */
    int32_t qslot;            /* its entry: slot in bucket qcur, or −1 − index in qover */
    int64_t qpf, qpf2, qpf3;  /* prefetch cursors (no effect on results, not checkpointed) */
    int lookahead;            /* N >= ES_GAS_PF_MIN_N; changes speed only (tests switch it) */
    /* appends to buckets far ahead wait in a short FIFO while their bucket
     * line is prefetched (at large N it is a DRAM miss) */
    es_gas_pending qpend[ES_GAS_QDEFER];
    int32_t npend, pend0;     /* entries, index of the oldest */
    int64_t pend_min;         /* smallest vb waiting (INT64_MAX if none) */
    unsigned long long next_sort; /* event count of the next renumbering */
    es_gas_particle *sort_p;  /* scratch for renumbering */
    es_gas_event *sort_ev;
    int32_t *sort_map;
    int32_t *zorder;          /* cells in Z (Morton) order, for renumbering */
    /* walls (centre positions reachable) */
    double xlo, xhi, ylo, yhi;
    double xmid;              /* partition position for centres (right limit of left half) */
    int partition_on;
    /* statistics since the last es_gas_reset_stats */
    unsigned long long n_events, n_coll, n_stale, n_cross, n_wall;
    double virial;            /* Σ over collisions of |Δr·Δv| (= σ|Δp| at contact) */
    double t_stats;           /* time when stats were reset */
} es_gas;

/* Default parameters: sigma 1, T0 1, walls, periodic y, centre walls, partition. */
void es_gas_params_default(es_gas_params *par);

/* Derive the box from two of (n, eta, kn) plus the aspect ratio lx/ly
 * (the unused one is <= 0). eta is the packing fraction of the initial region
 * (the left half when `partition`, else the whole box); kn = λ/lx with the
 * Enskog mean free path. Fills par->n, lx, ly. */
int es_gas_box_from(es_gas_params *par, long n, double eta, double kn, double aspect);

/* Check N, diameter, box and temperature (ES_EINVAL with the reason), as
 * es_gas_alloc does first: the model adapter calls it to name the config key. */
int es_gas_params_check(const es_gas_params *par);

/* Allocate and prepare: random sequential insertion (ES_EDATA "impossible
 * packing" if it cannot be done), Maxwell velocities with zero total momentum
 * rescaled to E = N·T0, events scheduled at t = 0. */
int es_gas_alloc(const es_gas_params *par, es_gas **out);
void es_gas_free(es_gas *g);
/* Allocate size bytes on 64-byte lines (huge pages for large arrays); free(). */
void *es_gas_alloc_lines(size_t size);
/* Allocate the box, cell grid and queue for `par` with no particles placed
 * (heads empty, records zeroed): for restoring a checkpoint (gas_checkpoint.h). */
int es_gas_alloc_bare(const es_gas_params *par, es_gas **out);

/* Process the next event. Returns its type (>= 0: a collision, else ES_GAS_EV_*),
 * or ES_GAS_EV_NONE if nothing can happen. */
int es_gas_step(es_gas *g);
/* Process every event with time <= t_end, then set the clock to t_end. */
void es_gas_run_until(es_gas *g, double t_end);
/* As es_gas_run_until, but stop after at most max_events events: returns 1
 * when t_end was reached, 0 when the budget ran out first (the state is then
 * that after an event, from which es_gas_run_until continues as if it had
 * never stopped). */
int es_gas_run_until_bounded(es_gas *g, double t_end, unsigned long long max_events);
/* Process events until `ncoll` more collisions have happened. */
void es_gas_run_collisions(es_gas *g, unsigned long long ncoll);
/* Equilibrate: run collisions_per_particle·N/2 collisions (each involves two
 * discs), then restart the clock at t = 0 and reset the statistics. */
void es_gas_equilibrate(es_gas *g, double collisions_per_particle);

/* Remove the partition at the current time (events recomputed). */
void es_gas_remove_partition(es_gas *g);
/* Reverse every velocity at the current time (Loschmidt). */
void es_gas_reverse(es_gas *g);
/* Recompute every event at the current time, after velocities or positions
 * were edited by hand (tests). Positions must be at time g->t. */
void es_gas_reschedule(es_gas *g);
/* Renumber particles in cell order (done automatically every 8 N events). */
void es_gas_renumber(es_gas *g);

/* Event queue (gas_queue.c): set particle i's event time; the particle with
 * the earliest event (−1 if none); take that particle's entry out of the
 * queue (right after es_gas_queue_min, before it is rescheduled); rebuild all
 * (after times moved backwards, or to recalibrate the bucket width). */
void es_gas_queue_update(es_gas *g, int32_t i, double t);
int32_t es_gas_queue_min(es_gas *g);
void es_gas_queue_pop(es_gas *g);
int es_gas_queue_rebuild(es_gas *g);
/* Bring every particle to time g->t and set the clock and local times to 0. */
void es_gas_reset_clock(es_gas *g);
void es_gas_reset_stats(es_gas *g);

/* Snapshot at g->t: out[4i..4i+3] = x, y, vx, vy. */
void es_gas_snapshot(const es_gas *g, double *out);
double es_gas_energy(const es_gas *g);
void es_gas_momentum(const es_gas *g, double P[2]);

/* Every pair within the 3×3 cell neighbourhood at g->t: returns the number of
 * pairs closer than sigma·(1 − rel_tol) and stores the smallest distance/sigma;
 * also counts centres outside the box in *outside (if not NULL). */
long es_gas_check_overlaps(const es_gas *g, double rel_tol, double *min_ratio, long *outside);

/* Measured since es_gas_reset_stats: Z = PA/(NT) with T = E/N (virial),
 * collision frequency per particle ν = 2·n_coll/(N·Δt). */
double es_gas_measured_Z(const es_gas *g);
double es_gas_measured_nu(const es_gas *g);

/* Kinetic theory (spec §5–6), sigma = diameter, n = number density. */
double es_gas_eta(double n, double sigma);            /* n π σ²/4 */
double es_gas_henderson_Z(double eta);                /* (1+η²/8)/(1−η)² */
double es_gas_contact_g(double eta);                  /* (1−7η/16)/(1−η)² */
double es_gas_enskog_nu(double n, double sigma, double T); /* 2σ n √(πT) g(σ) */
double es_gas_mean_free_path(double n, double sigma); /* 1/(2√2 n σ g(σ)) */

/* Initial-region kinetic scales of a prepared box. */
typedef struct {
    double eta, n_density, lambda, tau_c, kn, nu;
} es_gas_scales;
void es_gas_initial_scales(const es_gas_params *par, es_gas_scales *s);

#endif
