/* esuite/school_metrics.h — order parameters, the seven dewi-kadita
 * entropies, the Oceanic Schooling Index (OSI) and a state classifier for
 * one frame of a fish school.
 *
 * Definitions follow ../shared/specs/school.md §3 exactly (bins, ranges,
 * normalisation, the 0.5 guards, periodic k-NN distances): the numbers are
 * comparable with the reference library (dewi-kadita v0.0.4). Pure functions
 * on arrays; positions and velocities are row-major n×3 doubles.
 *
 * Histograms use the reference's rule (numpy.histogram): `nbins` equal bins
 * over [lo, hi], the last bin includes hi, values outside are dropped.
 * Unit vectors: a vector with norm < 1e-10 is divided by 1 (stays ~0).
 *
 * Box: `box` > 0 means a periodic cube [0, box)^3 (minimum-image k-NN);
 * with ES_SCHOOL_OPEN the k-NN distances are Euclidean (open space) while
 * `box` still sets the histogram ranges of H_coh and H_depth. */
#ifndef ESUITE_SCHOOL_METRICS_H
#define ESUITE_SCHOOL_METRICS_H

#include <stddef.h>

enum {
    ES_SCHOOL_OPEN = 1u << 0,              /* k-NN without periodic images */
    ES_SCHOOL_PERIODIC_CENTROID = 1u << 1  /* circular-mean centroid and minimum-image
                                              offsets for M, spread, H_ang, H_shape */
};

/* Default size above which H_vel samples pairs instead of using all N(N-1)/2. */
#define ES_SCHOOL_VELCORR_EXACT_MAX 32768
/* Number of sampled pairs used above that size. */
#define ES_SCHOOL_VELCORR_SAMPLES (1u << 22)

/* Entropy indices in es_school_metrics.h[] and the OSI weights. */
enum {
    ES_SCHOOL_H_COH = 0, ES_SCHOOL_H_POL, ES_SCHOOL_H_DEPTH, ES_SCHOOL_H_ANG,
    ES_SCHOOL_H_KNN, ES_SCHOOL_H_VEL, ES_SCHOOL_H_SHAPE, ES_SCHOOL_NH
};
extern const double es_school_osi_weights[ES_SCHOOL_NH]; /* .18 .28 .08 .08 .10 .18 .10 */
extern const char *const es_school_entropy_names[ES_SCHOOL_NH]; /* reference variable names */

typedef struct {
    double polarization;  /* P = |mean v̂|, at most 1 (rounding above it clamped; NaN stays NaN) */
    double rotation;      /* M = |mean r̂ × v̂|, likewise */
    double spread;        /* sqrt(mean |p - centroid|²) */
    double order_index;   /* max(P, M) */
    double h[ES_SCHOOL_NH];
    double osi;
} es_school_metrics;

/* ---- building blocks ---- */
/* Common recipe: p = counts/Σcounts, H = -Σ p ln p / ln nbins; 0.5 when the
 * total is 0 or nbins < 2. */
double es_school_entropy_counts(const unsigned long long *counts, size_t nbins);
/* Bin index of x for `nbins` equal bins on [lo, hi] with numpy's edge rules,
 * or -1 when x is outside (or NaN). */
long es_school_bin(double x, double lo, double hi, size_t nbins);

/* The reference's unit vector: v/|v|, or v itself when |v| < 1e-10 (a zero
 * velocity stays zero instead of becoming NaN). */
void es_school_unit(const double v[3], double u[3]);
void es_school_centroid(const double *pos, size_t n, double c[3]);
/* Per-axis circular mean on [0, box); falls back to the plain mean on an
 * axis whose resultant vanishes. */
void es_school_centroid_periodic(const double *pos, size_t n, double box, double c[3]);
double es_school_polarization(const double *vel, size_t n);
/* M about centroid c; box > 0 uses minimum-image offsets from c. */
double es_school_rotation(const double *pos, const double *vel, size_t n, const double c[3],
                          double box);
double es_school_spread(const double *pos, size_t n, const double c[3], double box);

/* k nearest-neighbour distances (self excluded) of every point, ascending,
 * into dist[i*k + m]. box > 0: periodic minimum image (all coordinates must
 * lie in [0, box)); box <= 0: open space. Cell grid, O(N k) for reasonable
 * densities; deterministic for any thread count. Needs n > k. */
int es_school_knn(const double *pos, size_t n, double box, size_t k, double *dist);

double es_school_h_cohesion(const double *nnd, size_t n, double box); /* 25 bins [0, L/2] */
double es_school_h_polarization(const double *vel, size_t n);          /* 12×24, sinθ-weighted */
double es_school_h_depth(const double *pos, size_t n, double box);     /* 15 bins z ∈ [0, L] */
double es_school_h_angular(const double *pos, const double *vel, size_t n, const double c[3],
                           double box); /* 20 bins of |r̂×v̂| (rounding above 1 clamped) */
double es_school_h_knn(const double *knn5, size_t n);                  /* CV of 5-NN, 20 bins [0,2] */
/* Pairwise v̂_i·v̂_j histogram (20 bins of (c+1)/2; c clamped to [-1, 1]:
 * it rounds up to 2 ulps past ±1, which dropped the pairs of identical or
 * opposite headings). Exact over all pairs
 * when n <= exact_max (ES_SCHOOL_VELCORR_AUTO); above it
 * ES_SCHOOL_VELCORR_SAMPLES pairs drawn by a fixed counter-based hash
 * (deterministic, statistical error of each bin probability <= 2.5e-4).
 * exact_max = 0 selects the default. */
double es_school_h_velcorr(const double *vel, size_t n, size_t exact_max);
/* The pair counts themselves, cnt[20] (NaN pairs not counted):
 * PAIRS every pair (O(N²)); TREE a k-d tree over the headings on the unit
 * sphere with a dual-tree walk that counts whole node pairs lying
 * provably inside one bin and resolves the others pair by pair — the same
 * counts as PAIRS, bin by bin; SAMPLED the estimate above; AUTO PAIRS below
 * ES_SCHOOL_VELCORR_TREE_MIN fish, TREE from there. Any thread count gives
 * the same counts. Returns ES_OK, ES_ENOMEM or ES_EINVAL (unknown method). */
enum {
    ES_SCHOOL_VELCORR_AUTO = 0,
    ES_SCHOOL_VELCORR_PAIRS = 1,
    ES_SCHOOL_VELCORR_TREE = 2,
    ES_SCHOOL_VELCORR_SAMPLED = 3
};
#define ES_SCHOOL_VELCORR_TREE_MIN 2048
int es_school_velcorr_counts(const double *vel, size_t n, int method, unsigned long long *cnt);
double es_school_h_shape(const double *pos, size_t n, const double c[3], double box);
double es_school_osi(const double h[ES_SCHOOL_NH]);

/* Adds to cnt (20 bins) the pairs (i, j) with i in [i0, i1) and i < j < n: rows of the
 * all-pairs histogram, so that rows counted in several places (e.g. threads) add up to
 * ES_SCHOOL_VELCORR_PAIRS's counts exactly. Returns ES_OK or ES_ENOMEM. */
int es_school_velcorr_count_rows(const double *vel, size_t n, size_t i0, size_t i1,
                                 unsigned long long *cnt);
/* The first `rows` rows of a frame's pair histogram, counted elsewhere. */
typedef struct {
    size_t rows;
    unsigned long long cnt[20];
} es_school_velcorr_part;

/* Everything for one frame. flags: ES_SCHOOL_OPEN, ES_SCHOOL_PERIODIC_CENTROID.
 * velcorr_exact_max as above (0 = default). Returns ES_OK, ES_EINVAL, ES_ENOMEM. */
int es_school_metrics_compute(const double *pos, const double *vel, size_t n, double box,
                              unsigned flags, size_t velcorr_exact_max, es_school_metrics *out);
/* The same, with the first part->rows rows of H_vel's all-pairs histogram given (part may
 * be NULL; it is used only where the histogram is exact all pairs: n below
 * ES_SCHOOL_VELCORR_TREE_MIN and not above velcorr_exact_max). Same results. */
int es_school_metrics_compute_part(const double *pos, const double *vel, size_t n, double box,
                                   unsigned flags, size_t velcorr_exact_max,
                                   const es_school_velcorr_part *part, es_school_metrics *out);

/* The reference CLI's classifier: P > 0.9 "Highly Parallel"; P > 0.7
 * "Dynamic Parallel"; M > 0.5 "Torus"; P > 0.4 or M > 0.3 "Transitional";
 * else "Swarm". */
const char *es_school_classify(double P, double M);

#endif
