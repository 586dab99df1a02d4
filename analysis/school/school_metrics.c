/* Order parameters, the seven entropies and the OSI of one school frame,
 * defined as in ../shared/specs/school.md §3 (dewi-kadita v0.0.4). */
#include "esuite/school_metrics.h"
#include "esuite/status.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const double es_school_osi_weights[ES_SCHOOL_NH] = {0.18, 0.28, 0.08, 0.08, 0.10, 0.18, 0.10};
const char *const es_school_entropy_names[ES_SCHOOL_NH] = {
    "school_cohesion_entropy",      "polarization_entropy",    "depth_stratification_entropy",
    "angular_momentum_entropy",     "nearest_neighbor_entropy", "velocity_correlation_entropy",
    "school_shape_entropy"};

/* ---------------------------------------------------------------- helpers */

double es_school_entropy_counts(const unsigned long long *counts, size_t nbins)
{
    unsigned long long total = 0;
    for (size_t b = 0; b < nbins; b++)
        total += counts[b];
    if (total == 0 || nbins < 2)
        return 0.5;
    double H = 0.0;
    for (size_t b = 0; b < nbins; b++)
        if (counts[b] > 0) {
            double p = (double)counts[b] / (double)total;
            H -= p * log(p);
        }
    return H / log((double)nbins);
}

/* numpy.linspace(lo, hi, nbins+1)[i]: i*step + lo, the last edge exactly hi. */
static double edge(double lo, double hi, size_t nbins, size_t i)
{
    return i == nbins ? hi : (double)i * ((hi - lo) / (double)nbins) + lo;
}

long es_school_bin(double x, double lo, double hi, size_t nbins)
{
    if (!(x >= lo && x <= hi))
        return -1;
    /* numpy's fast path: scaled index, then corrected against the edges. */
    long b = (long)(((x - lo) / (hi - lo)) * (double)nbins);
    if (b == (long)nbins)
        b--;
    if (x < edge(lo, hi, nbins, (size_t)b))
        b--;
    else if (b != (long)nbins - 1 && x >= edge(lo, hi, nbins, (size_t)b + 1))
        b++;
    return b;
}

/* numpy.histogramdd's rule: largest i with edge_i <= x (searchsorted right),
 * x == hi in the last bin, outside dropped. */
static long bin_dd(double x, double lo, double hi, size_t nbins)
{
    if (!(x >= lo && x <= hi))
        return -1;
    if (x == hi)
        return (long)nbins - 1;
    long b = (long)(((x - lo) / (hi - lo)) * (double)nbins);
    if (b > (long)nbins - 1)
        b = (long)nbins - 1;
    while (b > 0 && x < edge(lo, hi, nbins, (size_t)b))
        b--;
    while (b < (long)nbins - 1 && x >= edge(lo, hi, nbins, (size_t)b + 1))
        b++;
    return b;
}

void es_school_unit(const double v[3], double u[3])
{
    double nrm = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (nrm < 1e-10)
        nrm = 1.0;
    u[0] = v[0] / nrm;
    u[1] = v[1] / nrm;
    u[2] = v[2] / nrm;
}

static inline void unit(const double *v, double u[3]) { es_school_unit(v, u); }

static void cross(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static double norm3(const double a[3]) { return sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]); }

/* min(x, 1) for a rounding above 1, NaN kept: fmin(NaN, 1) is 1, which
 * made a NaN heading a perfectly ordered school (P = M = 1). */
static double clamp_one(double x) { return x > 1.0 ? 1.0 : x; }

/* Offset of p from the centroid c; minimum image when box > 0. */
static void offset(const double *p, const double c[3], double box, double r[3])
{
    for (int a = 0; a < 3; a++) {
        r[a] = p[a] - c[a];
        if (box > 0)
            r[a] -= box * nearbyint(r[a] / box);
    }
}

/* ------------------------------------------------------ order parameters */

void es_school_centroid(const double *pos, size_t n, double c[3])
{
    c[0] = c[1] = c[2] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++)
            c[a] += pos[3 * i + a];
    for (int a = 0; a < 3; a++)
        c[a] = n ? c[a] / (double)n : 0.0;
}

void es_school_centroid_periodic(const double *pos, size_t n, double box, double c[3])
{
    es_school_centroid(pos, n, c);
    if (!(box > 0) || n == 0)
        return;
    for (int a = 0; a < 3; a++) {
        double sc = 0, ss = 0;
        for (size_t i = 0; i < n; i++) {
            double th = 2.0 * M_PI * pos[3 * i + a] / box;
            sc += cos(th);
            ss += sin(th);
        }
        if (hypot(sc, ss) < 1e-12 * (double)n)
            continue; /* no preferred position on this axis: keep the plain mean */
        double m = box * atan2(ss, sc) / (2.0 * M_PI);
        c[a] = m < 0 ? m + box : m;
    }
}

/* Heading i of `src`: unit(v_i), or v_i itself when the caller passes unit
 * headings already (es_school_metrics_compute normalises once per frame;
 * unit() of a unit vector may differ in the last bit, so never twice). */
static void heading(const double *src, int is_unit, size_t i, double u[3])
{
    if (is_unit)
        memcpy(u, src + 3 * i, 3 * sizeof *u);
    else
        unit(src + 3 * i, u);
}

static double polarization_of(const double *src, int is_unit, size_t n)
{
    if (n == 0)
        return 0.0;
    double s[3] = {0, 0, 0}, u[3];
    for (size_t i = 0; i < n; i++) {
        heading(src, is_unit, i, u);
        for (int a = 0; a < 3; a++)
            s[a] += u[a];
    }
    for (int a = 0; a < 3; a++)
        s[a] /= (double)n;
    /* |mean of unit vectors| <= 1; an aligned school rounds to 1 + 1e-15,
     * past school.nc's valid_range [0, 1], which CF readers (netCDF4-python)
     * then mask as invalid */
    return clamp_one(norm3(s));
}

double es_school_polarization(const double *vel, size_t n) { return polarization_of(vel, 0, n); }

/* M and H_ang share r̂_i × v̂_i: one pass for both (either output may be
 * NULL). */
static void rotation_angular(const double *pos, const double *src, int is_unit, size_t n,
                             const double c[3], double box, double *M, double *Hang)
{
    double s[3] = {0, 0, 0}, r[3], ru[3], u[3], x[3];
    unsigned long long cnt[20] = {0};
    for (size_t i = 0; i < n; i++) {
        offset(pos + 3 * i, c, box, r);
        unit(r, ru);
        heading(src, is_unit, i, u);
        cross(ru, u, x);
        for (int a = 0; a < 3; a++)
            s[a] += x[a];
        /* |r̂ × v̂| <= 1, but rounds to 1 + 2.2e-16 for perpendicular r̂, v̂
         * (r = (2, 3, 1), v = (-3, 2, 0); ~7 % of random perpendicular
         * pairs), which the histogram dropped: clamped (NaN still dropped) */
        long b = es_school_bin(clamp_one(norm3(x)), 0.0, 1.0, 20);
        if (b >= 0)
            cnt[b]++;
    }
    if (M) {
        for (int a = 0; a < 3; a++)
            s[a] = n ? s[a] / (double)n : 0.0;
        *M = n ? clamp_one(norm3(s)) : 0.0; /* |r̂ × v̂| <= 1: as for P */
    }
    if (Hang)
        *Hang = n < 3 ? 0.5 : es_school_entropy_counts(cnt, 20);
}

double es_school_rotation(const double *pos, const double *vel, size_t n, const double c[3],
                          double box)
{
    double M;
    rotation_angular(pos, vel, 0, n, c, box, &M, NULL);
    return M;
}

double es_school_spread(const double *pos, size_t n, const double c[3], double box)
{
    if (n == 0)
        return 0.0;
    double s = 0, r[3];
    for (size_t i = 0; i < n; i++) {
        offset(pos + 3 * i, c, box, r);
        s += r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    }
    return sqrt(s / (double)n);
}

/* ------------------------------------------------------------- entropies */

double es_school_h_cohesion(const double *nnd, size_t n, double box)
{
    if (n < 2)
        return 0.5;
    unsigned long long cnt[25] = {0};
    for (size_t i = 0; i < n; i++) {
        long b = es_school_bin(nnd[i], 0.0, box / 2, 25);
        if (b >= 0)
            cnt[b]++;
    }
    return es_school_entropy_counts(cnt, 25);
}

/* The reference's (θ, φ) cell of unit heading u: acos and atan2. */
static void pol_cell_exact(const double u[3], long *bt, long *bp)
{
    double th = acos(fmax(-1.0, fmin(1.0, u[2])));
    double ph = atan2(u[1], u[0]) + M_PI;
    *bt = bin_dd(th, 0.0, M_PI, 12);
    *bp = bin_dd(ph, 0.0, 2 * M_PI, 24);
}

/* The same cell by comparisons, or 0 when u lies within 1e-9 (in angle) of
 * a cell edge: then acos/atan2 decide. Away from the edges the answer is
 * certain — acos and atan2 err by ~1e-16, the edge cosines and sines below
 * by as little — so the cell is the exact path's, bit for bit.
 * θ: θ >= e_k iff u_z <= cos e_k (acos decreases, slope <= -1).
 * φ = atan2(u_y, u_x) + π: the quadrant from the signs (edges k = 0, 6,
 * 12, 18), rotated by a multiple of π/2 (exact) into the first, then the
 * signs of y' cos(15°m) − x' sin(15°m), m = 1..5. */
typedef struct {
    double ct[13]; /* cos of the θ edges */
    double cs[6], sn[6]; /* cos, sin of 15°·m */
} pol_edges;

static void pol_edges_init(pol_edges *e)
{
    for (int k = 0; k <= 12; k++)
        e->ct[k] = cos(edge(0, M_PI, 12, (size_t)k));
    for (int m = 0; m < 6; m++) {
        e->cs[m] = cos(m * (M_PI / 12));
        e->sn[m] = sin(m * (M_PI / 12));
    }
}

static pol_edges pol_tab;
static double pol_w[12]; /* sin(θ at the centre of each row) */
static pthread_once_t pol_once = PTHREAD_ONCE_INIT;

static void pol_tables_init(void)
{
    pol_edges_init(&pol_tab);
    for (int t = 0; t < 12; t++)
        pol_w[t] = sin((edge(0, M_PI, 12, (size_t)t) + edge(0, M_PI, 12, (size_t)t + 1)) / 2);
}

static int pol_cell_fast(const pol_edges *e, const double u[3], long *bt, long *bp)
{
    const double tol = 1e-9;
    double z = u[2];
    if (!(z > -1.0 + 1e-6 && z < 1.0 - 1e-6)) /* near a pole (and NaN): exact path */
        return 0;
    long t = 0;
    for (int k = 1; k < 12; k++) {
        if (fabs(z - e->ct[k]) <= tol)
            return 0;
        t += z < e->ct[k];
    }
    double x = u[0], y = u[1], rho = fabs(x) + fabs(y);
    if (!(fabs(x) > tol * rho && fabs(y) > tol * rho)) /* on an axis, or zero */
        return 0;
    long q;
    double xr, yr;
    if (y < 0) {
        q = x < 0 ? 0 : 1;
        xr = x < 0 ? -x : -y;
        yr = x < 0 ? -y : x;
    } else {
        q = x > 0 ? 2 : 3;
        xr = x > 0 ? x : y;
        yr = x > 0 ? y : -x;
    }
    long sct = 0;
    for (int m = 1; m < 6; m++) {
        double c = yr * e->cs[m] - xr * e->sn[m]; /* rho·sin(α' − 15°m) */
        if (fabs(c) <= tol * rho)
            return 0;
        sct += c > 0;
    }
    *bt = t;
    *bp = 6 * q + sct;
    return 1;
}

static double h_polarization_of(const double *src, int is_unit, size_t n)
{
    enum { NT = 12, NP = 24 };
    unsigned long long cnt[NT][NP];
    memset(cnt, 0, sizeof cnt);
    pthread_once(&pol_once, pol_tables_init); /* the edges and weights, once per process */
    const pol_edges e = pol_tab;
    double u[3];
    for (size_t i = 0; i < n; i++) {
        heading(src, is_unit, i, u);
        long bt, bp;
        if (!pol_cell_fast(&e, u, &bt, &bp))
            pol_cell_exact(u, &bt, &bp);
        if (bt >= 0 && bp >= 0)
            cnt[bt][bp]++;
    }
    /* Rows multiplied by sin(θ at the row centre), as the reference does. */
    const double *w = pol_w;
    double total = 0.0;
    for (int t = 0; t < NT; t++) {
        for (int p = 0; p < NP; p++)
            total += (double)cnt[t][p] * w[t];
    }
    if (total == 0.0)
        return 0.5;
    double H = 0.0;
    for (int t = 0; t < NT; t++)
        for (int p = 0; p < NP; p++)
            if (cnt[t][p]) {
                double q = (double)cnt[t][p] * w[t] / total;
                H -= q * log(q);
            }
    return H / log((double)(NT * NP));
}

double es_school_h_polarization(const double *vel, size_t n)
{
    return h_polarization_of(vel, 0, n);
}

double es_school_h_depth(const double *pos, size_t n, double box)
{
    unsigned long long cnt[15] = {0};
    for (size_t i = 0; i < n; i++) {
        long b = es_school_bin(pos[3 * i + 2], 0.0, box, 15);
        if (b >= 0)
            cnt[b]++;
    }
    return es_school_entropy_counts(cnt, 15);
}

double es_school_h_angular(const double *pos, const double *vel, size_t n, const double c[3],
                           double box)
{
    if (n < 3)
        return 0.5;
    double H;
    rotation_angular(pos, vel, 0, n, c, box, NULL, &H);
    return H;
}

double es_school_h_knn(const double *knn5, size_t n)
{
    if (n < 6)
        return 0.5;
    unsigned long long cnt[20] = {0};
    for (size_t i = 0; i < n; i++) {
        const double *d = knn5 + 5 * i;
        double mean = (d[0] + d[1] + d[2] + d[3] + d[4]) / 5.0, var = 0.0;
        for (int m = 0; m < 5; m++)
            var += (d[m] - mean) * (d[m] - mean);
        double cv = sqrt(var / 5.0) / (mean + 1e-10); /* population sd, as numpy.std */
        long b = es_school_bin(cv, 0.0, 2.0, 20);
        if (b >= 0)
            cnt[b]++;
    }
    return es_school_entropy_counts(cnt, 20);
}

/* Eigenvalues of a symmetric 3×3 matrix by cyclic Jacobi rotations. */
static void eig3(double A[3][3], double ev[3])
{
    for (int sweep = 0; sweep < 50; sweep++) {
        double off = fabs(A[0][1]) + fabs(A[0][2]) + fabs(A[1][2]);
        if (off <= 1e-300 || off < 1e-17 * (fabs(A[0][0]) + fabs(A[1][1]) + fabs(A[2][2])))
            break;
        for (int p = 0; p < 2; p++)
            for (int q = p + 1; q < 3; q++) {
                if (A[p][q] == 0.0)
                    continue;
                double th = (A[q][q] - A[p][p]) / (2.0 * A[p][q]);
                double t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < 3; k++) { /* A <- A J */
                    double akp = A[k][p], akq = A[k][q];
                    A[k][p] = c * akp - s * akq;
                    A[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; k++) { /* A <- J^T A */
                    double apk = A[p][k], aqk = A[q][k];
                    A[p][k] = c * apk - s * aqk;
                    A[q][k] = s * apk + c * aqk;
                }
            }
    }
    for (int a = 0; a < 3; a++)
        ev[a] = A[a][a];
}

double es_school_h_shape(const double *pos, size_t n, const double c[3], double box)
{
    if (n < 4)
        return 0.5;
    /* Sample covariance (ddof = 1) of the offsets from their own mean. */
    double m[3] = {0, 0, 0}, r[3];
    for (size_t i = 0; i < n; i++) {
        offset(pos + 3 * i, c, box, r);
        for (int a = 0; a < 3; a++)
            m[a] += r[a];
    }
    for (int a = 0; a < 3; a++)
        m[a] /= (double)n;
    double C[3][3] = {{0}};
    for (size_t i = 0; i < n; i++) {
        offset(pos + 3 * i, c, box, r);
        for (int a = 0; a < 3; a++)
            r[a] -= m[a];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                C[a][b] += r[a] * r[b];
    }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            C[a][b] /= (double)(n - 1);
    double ev[3], sum = 0.0, H = 0.0;
    eig3(C, ev);
    for (int a = 0; a < 3; a++) {
        ev[a] = fmax(ev[a], 1e-10);
        sum += ev[a];
    }
    for (int a = 0; a < 3; a++) {
        double p = ev[a] / sum;
        H -= p * log(p);
    }
    return H / log(3.0);
}

double es_school_osi(const double h[ES_SCHOOL_NH])
{
    double s = 0.0;
    for (int k = 0; k < ES_SCHOOL_NH; k++)
        s += es_school_osi_weights[k] * h[k];
    return s;
}

const char *es_school_classify(double P, double M)
{
    if (P > 0.9)
        return "Highly Parallel";
    if (P > 0.7)
        return "Dynamic Parallel";
    if (M > 0.5)
        return "Torus";
    if (P > 0.4 || M > 0.3)
        return "Transitional";
    return "Swarm";
}

/* ------------------------------------------------------------ one frame */

/* H_vel, from the given first rows of the pair histogram where they apply. */
static double h_velcorr_part(const double *vel, size_t n, size_t exact_max,
                             const es_school_velcorr_part *part)
{
    size_t emax = exact_max ? exact_max : ES_SCHOOL_VELCORR_EXACT_MAX;
    if (!part || n < 2 || n >= ES_SCHOOL_VELCORR_TREE_MIN || n > emax)
        return es_school_h_velcorr(vel, n, exact_max);
    unsigned long long cnt[20];
    memcpy(cnt, part->cnt, sizeof cnt);
    if (es_school_velcorr_count_rows(vel, n, part->rows, n, cnt) != ES_OK)
        return NAN;
    return es_school_entropy_counts(cnt, 20);
}

int es_school_metrics_compute(const double *pos, const double *vel, size_t n, double box,
                              unsigned flags, size_t velcorr_exact_max, es_school_metrics *out)
{
    return es_school_metrics_compute_part(pos, vel, n, box, flags, velcorr_exact_max, NULL, out);
}

int es_school_metrics_compute_part(const double *pos, const double *vel, size_t n, double box,
                                   unsigned flags, size_t velcorr_exact_max,
                                   const es_school_velcorr_part *part, es_school_metrics *out)
{
    if (!(box > 0) || !isfinite(box))
        return es_error_set(ES_EINVAL, "school metrics: box size must be > 0 and finite, got %g",
                            box);
    if (n == 0)
        return es_error_set(ES_EINVAL, "school metrics: no fish");
    for (size_t i = 0; i < 3 * n; i++)
        if (!isfinite(pos[i]) || !isfinite(vel[i])) /* named by fish and axis */
            return es_error_set(ES_EDATA, "school metrics: fish %zu has a non-finite %s %c = %g",
                                i / 3, isfinite(pos[i]) ? "velocity" : "position", "xyz"[i % 3],
                                isfinite(pos[i]) ? vel[i] : pos[i]);
    double c[3], cbox = 0.0;
    if (flags & ES_SCHOOL_PERIODIC_CENTROID) {
        es_school_centroid_periodic(pos, n, box, c);
        cbox = box;
    } else {
        es_school_centroid(pos, n, c);
    }
    double *u = malloc(3 * n * sizeof *u); /* unit headings, once */
    if (!u)
        return es_error_set(ES_ENOMEM, "school metrics: out of memory for %zu fish", n);
    for (size_t i = 0; i < n; i++)
        unit(vel + 3 * i, u + 3 * i);
    out->polarization = polarization_of(u, 1, n);
    rotation_angular(pos, u, 1, n, c, cbox, &out->rotation, &out->h[ES_SCHOOL_H_ANG]);
    out->h[ES_SCHOOL_H_POL] = h_polarization_of(u, 1, n);
    free(u);
    out->spread = es_school_spread(pos, n, c, cbox);
    out->order_index = fmax(out->polarization, out->rotation);

    double knn_box = (flags & ES_SCHOOL_OPEN) ? 0.0 : box;
    out->h[ES_SCHOOL_H_COH] = 0.5;
    out->h[ES_SCHOOL_H_KNN] = 0.5;
    if (n >= 2) {
        size_t k = n >= 6 ? 5 : 1;
        double *d = malloc(n * k * sizeof *d), *nnd = calloc(n, sizeof *nnd);
        if (!d || !nnd) {
            free(d);
            free(nnd);
            return es_error_set(ES_ENOMEM, "school metrics: out of memory for %zu fish", n);
        }
        int rc = es_school_knn(pos, n, knn_box, k, d);
        if (rc != ES_OK) {
            free(d);
            free(nnd);
            return rc;
        }
        for (size_t i = 0; i < n; i++)
            nnd[i] = d[i * k];
        out->h[ES_SCHOOL_H_COH] = es_school_h_cohesion(nnd, n, box);
        if (k == 5)
            out->h[ES_SCHOOL_H_KNN] = es_school_h_knn(d, n);
        free(d);
        free(nnd);
    }
    out->h[ES_SCHOOL_H_DEPTH] = es_school_h_depth(pos, n, box);
    out->h[ES_SCHOOL_H_VEL] = h_velcorr_part(vel, n, velcorr_exact_max, part);
    if (isnan(out->h[ES_SCHOOL_H_VEL]))
        return es_error_set(ES_ENOMEM, "school metrics: out of memory for %zu fish", n);
    out->h[ES_SCHOOL_H_SHAPE] = es_school_h_shape(pos, n, c, cbox);
    out->osi = es_school_osi(out->h);
    return ES_OK;
}
