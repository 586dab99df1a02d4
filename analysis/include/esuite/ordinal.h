/* esuite/ordinal.h — ordinal-pattern (Bandt–Pompe / PECCARY) analysis.
 *
 * Permutation entropy H, Jensen–Shannon statistical complexity C, the HC
 * plane bounds, timescales (t_pat, t_nat, the ideal sampling rule), a region
 * classifier, sliding windows, batch mode and test-signal generators.
 * Definitions: docs/ordinal.md and ../shared/specs/ordinal.md.
 *
 * Conventions: n = order (pattern length, 3..10), delay = ℓ ≥ 1 (samples),
 * Ptot = T − (n−1)ℓ windows. Ties: the earlier sample counts as smaller
 * (stable rule, identical to the reference package). Patterns are Lehmer
 * coded in [0, n!). Entropies are in bits; H and C are base independent. */
#ifndef ESUITE_ORDINAL_H
#define ESUITE_ORDINAL_H

#include <stddef.h>
#include <stdint.h>

#define ES_ORDINAL_MIN_ORDER 3
#define ES_ORDINAL_MAX_ORDER 10

/* Flags for the analysis calls. */
enum {
    ES_ORDINAL_ALLOW_SHORT = 1u << 0 /* accept 1 < Ptot < n! (H cannot reach 1) */
};

typedef struct {
    int order;            /* n */
    int delay;            /* ℓ */
    size_t ptot;          /* number of windows */
    size_t observed;      /* distinct patterns seen, k */
    size_t forbidden;     /* n! − k */
    double S;             /* Shannon entropy of P, bits */
    double S_mix;         /* entropy of the mixture (P + P_e)/2, bits (the package's "Se") */
    double JS;            /* Jensen–Shannon divergence J[P, P_e], bits */
    double H;             /* normalised permutation entropy S / log2 n! */
    double C;             /* statistical complexity Q0 · JS · H */
} es_ordinal_result;

/* n! for 0 <= n <= 20. */
uint64_t es_ordinal_factorial(int n);
/* Ptot = T − (n−1)·delay, or a negative number when the series is too short. */
long long es_ordinal_ptot(size_t T, int n, int delay);
/* Check n, delay, T (Ptot > 1, and Ptot >= n! unless ALLOW_SHORT) and that
 * x has no NaN/Inf (the message names the first bad index). */
int es_ordinal_check(const double *x, size_t T, int n, int delay, unsigned flags);

/* Lehmer code of the stable argsort of the n values x[0], x[delay], ... */
uint32_t es_ordinal_pattern_index(const double *x, int n, int delay);
/* Inverse: the argsort permutation (perm[0..n-1]) of Lehmer code `code`. */
void es_ordinal_pattern_perm(uint32_t code, int n, int *perm);

/* Reusable workspace holding an n!-sized count array. */
typedef struct es_ordinal_workspace es_ordinal_workspace;
es_ordinal_workspace *es_ordinal_workspace_alloc(int n);
void es_ordinal_workspace_free(es_ordinal_workspace *w);
/* Counts of the last es_ordinal_hc_ws() call (n! entries). */
const uint64_t *es_ordinal_workspace_counts(const es_ordinal_workspace *w);

/* Count patterns into counts[0..n!-1] (zeroed first). */
int es_ordinal_count(const double *x, size_t T, int n, int delay, unsigned flags,
                     uint64_t *counts, size_t *ptot);
/* H, C and friends from a count array. ptot = Σ counts must be > 0. */
int es_ordinal_hc_from_counts(const uint64_t *counts, int n, es_ordinal_result *res);
int es_ordinal_hc(const double *x, size_t T, int n, int delay, unsigned flags,
                  es_ordinal_result *res);
int es_ordinal_hc_ws(es_ordinal_workspace *w, const double *x, size_t T, int delay,
                     unsigned flags, es_ordinal_result *res);

/* H(ℓ), C(ℓ) for ndelays delays (one result per delay). Delays with too few
 * windows are an error unless ALLOW_SHORT. */
int es_ordinal_curve(const double *x, size_t T, int n, const int *delays, size_t ndelays,
                     unsigned flags, es_ordinal_result *out);

/* Many series at once, OpenMP over series; status[i] per series, returns the
 * first nonzero status (or ES_OK). Results do not depend on the thread count. */
int es_ordinal_hc_batch(const double *const *series, const size_t *lengths, size_t nseries,
                        int n, int delay, unsigned flags, es_ordinal_result *out, int *status);

/* Sliding window H(t), C(t): windows of `window` samples every `step`
 * samples, counts updated incrementally. Writes nout = (T − window)/step + 1
 * values to H and C (each array must hold that many). */
size_t es_ordinal_sliding_count(size_t T, size_t window, size_t step);
int es_ordinal_sliding(const double *x, size_t T, int n, int delay, size_t window, size_t step,
                       unsigned flags, double *H, double *C);

/* ---- HC plane ---- */
double es_ordinal_q0(int n);            /* 1 / J_max, bits */
double es_ordinal_hmin_per(int n);      /* log 2 / log n! */
double es_ordinal_hmax_per(int n);      /* log(4n−6) / log n! */
/* Exact envelopes at a given H in [0,1] (bisection on the Martin–Plastino–Rosso families). */
double es_ordinal_cmin(int n, double H);
double es_ordinal_cmax(int n, double H);
/* The reference package's discretisation (calcHCplane): Hmin/Cmin hold
 * nsteps points, Hmax/Cmax (n!−1)·nsteps points (segment-major). */
int es_ordinal_hc_plane(int n, int nsteps, double *Hmin, double *Cmin, double *Hmax,
                        double *Cmax);
/* The package's getMaxC: the largest C of es_ordinal_hc_plane's max curve,
 * found from the two end points of each of its n! − 1 segments (the largest
 * point of a segment is one of them), 2·(n! − 1) evaluations; es_ordinal_cmax
 * is the exact envelope at one H. */
double es_ordinal_max_c(int n, int nsteps);

/* ---- timescales ---- */
double es_ordinal_tpat(int delay, double dt, int n);             /* ℓ·dt·(n−1) */
long long es_ordinal_delay_from_tpat(double tpat, double dt, int n); /* round half to even */

typedef enum { ES_TNAT_NCROSS = 0, ES_TNAT_MAXAVG, ES_TNAT_MINAVG } es_tnat_method;
const char *es_tnat_method_name(es_tnat_method m);
int es_tnat_method_parse(const char *s, es_tnat_method *m);
/* Natural timescale of x. Time stamps t (may be NULL: t_i = i·dt). ncross
 * uses the duration t[T−1] − t[0] and the mean (or *cross if non-NULL); an
 * exact hit counts once. Errors: fewer than 2 crossings/extrema. */
int es_ordinal_tnat(const double *t, double dt, const double *x, size_t T, es_tnat_method m,
                    const double *cross, double *tnat);

/* Ideal sampling (paper Sec. 3.2): 0.3 ≤ t_pat/t_nat ≤ 0.5, t_dur/t_nat ≥ 1.5.
 * Error (ES_ESHORT) when t_dur < t_nat, a warning (es_warning_add) below 1.5.
 * Delays are rounded half to even and clamped to ≥ 1 (with a warning). */
typedef struct {
    double tnat, tdur, dt;
    double tpat;          /* of the chosen delay */
    int delay_lo, delay_hi, delay;  /* 0.3, 0.5 and 0.4 t_nat */
    es_ordinal_result result;       /* H, C at `delay` */
} es_ordinal_auto_result;
int es_ordinal_sampling(double tnat, double tdur, double dt, int n, int *delay_lo,
                        int *delay_hi, int *delay_ideal);
int es_ordinal_auto(const double *t, double dt, const double *x, size_t T, int n,
                    es_tnat_method m, unsigned flags, es_ordinal_auto_result *out);

/* ---- classification (heuristic, documented in docs/ordinal.md) ---- */
typedef enum {
    ES_ORDINAL_OVERSAMPLED = 0, /* H < H_min,per */
    ES_ORDINAL_PERIODIC,        /* regular band, C ≥ chord(H) */
    ES_ORDINAL_REGULAR,         /* H_min,per ≤ H ≤ H_max,per */
    ES_ORDINAL_COMPLEX,         /* H > H_max,per, C above the correlated-noise locus */
    ES_ORDINAL_STOCHASTIC       /* H > H_max,per, C at or below it */
} es_ordinal_class;
es_ordinal_class es_ordinal_classify(int n, double H, double C);
const char *es_ordinal_class_name(es_ordinal_class c);

/* ---- generators (same arithmetic order as the reference package) ---- */
void es_gen_logistic(double *x, size_t T, double r, double x0);          /* x0 = 0.1, r = 4 */
void es_gen_henon(double *x, double *y, size_t T, double a, double b);   /* (1,1), a=1.4, b=0.3; y may be NULL */
/* the same from (x0, y0): orbits of an ensemble that start apart */
void es_gen_henon_from(double *x, double *y, size_t T, double a, double b, double x0, double y0);
void es_gen_tent(double *x, size_t T, double mu, double x0);             /* x0 = 0.1 */
void es_gen_asymm_tent(double *x, size_t T, double a, double x0);        /* x0 = 0.1, a = 0.1847 */
/* The package's Lorenz example: explicit Euler from init (package defaults
 * sigma = 10, rho = 20, beta = 2.667, init (0, 1, 1.05), dt = 0.01); T
 * samples = T − 1 steps; any of x, y, z may be NULL. */
void es_gen_lorenz(double *x, double *y, double *z, size_t T, double dt, double sigma, double rho,
                   double beta, const double init[3]);
void es_gen_sine(double *x, size_t T, double dt, double omega, double phase);
/* Seeded Gaussian noise with power spectrum ∝ f^(2·alpha) (alpha = 0 white,
 * −1 Brownian/red, −0.5 pink, 0.5 blue, 1 violet), zero mean except white,
 * unit RMS filter; exactly T samples. */
int es_gen_colored_noise(double *x, size_t T, double alpha, uint64_t seed);

#endif
