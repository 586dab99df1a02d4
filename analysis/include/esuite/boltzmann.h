/* esuite/boltzmann.h — coarse-grained (Boltzmann) entropy of a 2-D particle
 * configuration, and reference values for the free expansion of a gas.
 *
 * Pure functions on arrays, used in-situ by the gas simulator and offline.
 * Particles are passed as `pv`, n records of 4 doubles: x, y, vx, vy.
 * Definitions (../shared/specs/gas.md §4, docs/gas.md): one-particle phase
 * space [0,lx]×[0,ly]×R² is cut into cells Δ_α of equal volume |Δ| =
 * dx·dy·dv² (position squares or full-height strips, velocity squares with
 * edges at integer multiples of dv). With occupation numbers n_α:
 *   S_B  = Σ_α [n_α ln|Δ| − ln n_α!]       exact log phase-space volume (lgamma)
 *   s_G  = −Σ_α p_α ln(p_α/|Δ|), p = n/N   plug-in Gibbs entropy per particle
 *   s_MM = s_G + (K_occ − 1)/(2N)           Miller–Madow bias correction
 * S_B/N ≈ s_G + 1 − ln N (Stirling); all three are biased low at finite N by
 * an amount that grows with the occupied-cell count K_occ, so ΔS comparisons
 * should use s_MM with K_occ/N small. Counting is O(N) and exact: dense
 * histograms for the position and velocity marginals (few cells), and for
 * the full phase space a counting sort by position cell followed by small
 * per-cell counts of the velocity cells (or a radix sort of 64-bit keys for
 * very fine grids); no dense array over the full phase space is allocated. */
#ifndef ESUITE_BOLTZMANN_H
#define ESUITE_BOLTZMANN_H

#include <stddef.h>
#include <stdint.h>

/* A cell set. lx/dx and ly/dy must be integers (to 1e-9 relative). A
 * particle's cells are floor(x·(1/dx)), floor(y·(1/dy)) clamped to the box
 * and floor(v·(1/dv)) + K per velocity component (clamped, see v_max). */
typedef struct {
    double lx, ly;   /* position domain [0,lx]×[0,ly] */
    double dx;       /* position cell width in x */
    double dy;       /* position cell height; <= 0 means strips (dy = ly) */
    double dv;       /* velocity cell side */
    double v_max;    /* velocity grid covers [−K dv, K dv]², K = ceil(v_max/dv) (a
                        ratio within 1e-12, relative, of an integer is that integer);
                        components beyond are clamped into edge cells and counted */
} es_bz_grid;

/* Which coarse-graining: full one-particle phase space, positions only
 * (cells dx×dy, |Δ| = dx·dy) or velocities only (|Δ| = dv²). */
typedef enum { ES_BZ_FULL = 0, ES_BZ_POSITION = 1, ES_BZ_VELOCITY = 2 } es_bz_marginal;

typedef struct {
    size_t n;             /* particles counted */
    size_t occupied;      /* K_occ: cells with n_α > 0 */
    size_t out_of_range;  /* particles with a velocity component beyond the grid */
    double cell_volume;   /* |Δ| */
    double S_B;           /* Σ [n ln|Δ| − ln n!] */
    double s_G;           /* per particle */
    double s_MM;          /* per particle */
} es_bz_result;

typedef struct es_bz_workspace es_bz_workspace;

/* Workspace for the entropy calls (buffers grow on demand, so `n`, the
 * expected number of particles, is only a hint). NULL on failure. A
 * workspace serves one thread at a time. */
es_bz_workspace *es_bz_workspace_alloc(size_t n);
void es_bz_workspace_free(es_bz_workspace *w);

/* Validate a cell set (positive sizes, integer cell counts, key fits in 64 bits). */
int es_bz_grid_check(const es_bz_grid *g);
/* Number of position cells in x and y, velocity cells per component. */
void es_bz_grid_shape(const es_bz_grid *g, size_t *nx, size_t *ny, size_t *nv);

/* Entropy of n particles for one cell set and marginal. */
int es_bz_entropy(const es_bz_grid *g, es_bz_marginal m, const double *pv, size_t n,
                  es_bz_workspace *w, es_bz_result *r);

/* All three marginals of one cell set at once (cheaper than three calls);
 * any result pointer may be NULL. Bit-identical to es_bz_entropy. */
int es_bz_entropy_all(const es_bz_grid *g, const double *pv, size_t n, es_bz_workspace *w,
                      es_bz_result *full, es_bz_result *position, es_bz_result *velocity);

/* Every marginal asked for (arrays of k results; any array may be NULL) of
 * k cell sets; sets share the passes over the particles, which makes this
 * much cheaper at large N than one call per set. Bit-identical to
 * es_bz_entropy set by set. */
int es_bz_entropy_sets(const es_bz_grid *g, size_t k, const double *pv, size_t n,
                       es_bz_workspace *w, es_bz_result *full, es_bz_result *position,
                       es_bz_result *velocity);

/* Same estimators from occupation numbers (zeros allowed) with cell volume |Δ|. */
int es_bz_from_counts(const uint64_t *counts, size_t k, double cell_volume, es_bz_result *r);

/* x-profiles in nbins equal bins of [0,lx]: number density (per unit area,
 * height ly), flow velocity ⟨vx⟩ and temperature ½⟨|v − u|²⟩ (NaN where a bin
 * is empty). Any output pointer may be NULL. */
int es_bz_profiles(const double *pv, size_t n, double lx, double ly, size_t nbins,
                   double *density, double *ux, double *temperature);

/* Particles with x > xcut (N_R for xcut = lx/2). */
size_t es_bz_count_right(const double *pv, size_t n, double xcut);
/* Σ ½|v|². */
double es_bz_kinetic_energy(const double *pv, size_t n);

/* Reference values. */
/* Exact 1-D velocity-bin entropy −Σ_k P_k ln(P_k/dv) of a Maxwellian of
 * temperature T on the grid of es_bz_grid (tails clamped into edge bins). */
double es_bz_maxwell_s1(double dv, double T, double v_max);
/* Collisionless free expansion into twice the volume, Δx, Δv → 0 at fixed
 * u = Δv·t/Lx: ΔS/N(u) (spec §7.3). u/2 for u <= 1, ln 2 at even u. */
double es_bz_collisionless_dS(double u);
/* Reference values of ΔS/N for the free expansion of a hard-disc gas into
 * r times its area (r = 2 when the partition at Lx/2 is removed), spec §5:
 * the ideal-gas value ln r, which the one-particle S_B counts, and the
 * thermodynamic value with Henderson's excess entropy,
 * ln r + s_ex(η/r) − s_ex(η), for the initial packing fraction η. */
double es_bz_expansion_dS_ideal(double r);
double es_bz_expansion_dS_henderson(double eta, double r);
/* Henderson's excess entropy per disc over the ideal gas at the same density,
 * from Z = (1 + η²/8)/(1 − η)²: −(9/8)η/(1 − η) + (7/8)ln(1 − η). */
double es_bz_henderson_excess_entropy(double eta);

#endif
