/* k nearest-neighbour distances on a uniform cell grid (periodic or open).
 *
 * Points are bucketed by a counting sort into cells of ~2 points; each query
 * scans Chebyshev shells of cells around its own until the k-th best
 * distance is no larger than the distance to any unscanned cell. Queries run
 * in parallel and write only their own row, so the result does not depend
 * on the thread count. */
#include "esuite/school_metrics.h"
#include "esuite/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KNN_MAX_K 32

typedef struct {
    size_t n;
    int nc[3];        /* cells per axis */
    double lo[3];     /* grid origin */
    double w[3];      /* cell width per axis */
    double box;       /* > 0: periodic */
    size_t *start;    /* ncell + 1 offsets into idx */
    size_t *idx;      /* point indices sorted by cell, ascending within a cell */
} knn_grid;

/* Minimum image for |d| < box (coordinates in [0, box)); equal to
 * d - box*rint(d/box) there, without the division. */
static double min_image(double d, double box)
{
    if (box > 0) {
        if (fabs(d) >= box) /* coordinates outside [0, box): the general rule */
            return d - box * nearbyint(d / box);
        /* branch-free: half the pairs of a random cloud wrap */
        d = d - (d > 0.5 * box ? box : 0.0) + (d < -0.5 * box ? box : 0.0);
    }
    return d;
}

static int cell_coord(double x, const knn_grid *g, int a)
{
    double u = (x - g->lo[a]) / g->w[a];
    if (g->box > 0) {
        u = fmod(u, (double)g->nc[a]);
        if (u < 0)
            u += g->nc[a];
    }
    int c = (int)u;
    if (c < 0 || u != u)
        c = 0;
    if (c >= g->nc[a])
        c = g->nc[a] - 1;
    return c;
}

static size_t cell_of(const double *p, const knn_grid *g)
{
    return ((size_t)cell_coord(p[2], g, 2) * (size_t)g->nc[1] + (size_t)cell_coord(p[1], g, 1)) *
               (size_t)g->nc[0] +
           (size_t)cell_coord(p[0], g, 0);
}

static void grid_shape(const double *pos, size_t n, double box, knn_grid *g)
{
    g->n = n;
    g->box = box;
    double ext[3];
    if (box > 0) {
        for (int a = 0; a < 3; a++) {
            g->lo[a] = 0;
            ext[a] = box;
        }
    } else {
        double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
        for (size_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) {
                lo[a] = fmin(lo[a], pos[3 * i + a]);
                hi[a] = fmax(hi[a], pos[3 * i + a]);
            }
        for (int a = 0; a < 3; a++) {
            g->lo[a] = lo[a];
            ext[a] = hi[a] - lo[a];
            if (!(ext[a] > 0))
                ext[a] = 1.0;
        }
    }
    /* About three points per cell, at most ~n/3 cells in total. */
    double vol = ext[0] * ext[1] * ext[2];
    double h = cbrt(3.0 * vol / (double)n);
    for (int a = 0; a < 3; a++) {
        double c = floor(ext[a] / h);
        if (!(c >= 1))
            c = 1;
        if (c > 1024)
            c = 1024;
        g->nc[a] = (int)c;
        g->w[a] = ext[a] / c;
        if (box <= 0)
            g->w[a] *= 1.0 + 1e-12; /* the max point falls inside the last cell */
    }
}

static int grid_build(const double *pos, size_t n, double box, knn_grid *g)
{
    grid_shape(pos, n, box, g);
    size_t ncell = (size_t)g->nc[0] * (size_t)g->nc[1] * (size_t)g->nc[2];
    g->start = calloc(ncell + 1, sizeof *g->start);
    g->idx = malloc(n * sizeof *g->idx);
    size_t *cell = malloc(n * sizeof *cell);
    if (!g->start || !g->idx || !cell) {
        free(cell);
        return es_error_set(ES_ENOMEM, "school k-NN: out of memory for %zu points", n);
    }
    for (size_t i = 0; i < n; i++) {
        cell[i] = cell_of(pos + 3 * i, g);
        g->start[cell[i] + 1]++;
    }
    for (size_t c = 0; c < ncell; c++)
        g->start[c + 1] += g->start[c];
    size_t *fill = malloc(ncell * sizeof *fill);
    if (!fill) {
        free(cell);
        return es_error_set(ES_ENOMEM, "school k-NN: out of memory");
    }
    for (size_t c = 0; c < ncell; c++)
        fill[c] = g->start[c];
    for (size_t i = 0; i < n; i++)
        g->idx[fill[cell[i]]++] = i;
    free(fill);
    free(cell);
    return ES_OK;
}

/* Insert d into the ascending top-k list best[0..*m). */
static void topk_insert(double *best, size_t *m, size_t k, double d)
{
    if (*m == k && d >= best[k - 1])
        return;
    size_t j = (*m < k) ? (*m)++ : k - 1;
    while (j > 0 && best[j - 1] > d) {
        best[j] = best[j - 1];
        j--;
    }
    best[j] = d;
}

static double dist2(const double *p, const double *q, double box)
{
    double dx = min_image(q[0] - p[0], box), dy = min_image(q[1] - p[1], box),
           dz = min_image(q[2] - p[2], box);
    return dx * dx + dy * dy + dz * dz;
}

static void scan_cell(const knn_grid *g, const double *pos, size_t i, size_t c, double *best,
                      size_t *m, size_t k)
{
    for (size_t t = g->start[c]; t < g->start[c + 1]; t++) {
        size_t j = g->idx[t];
        if (j != i)
            topk_insert(best, m, k, dist2(pos + 3 * i, pos + 3 * j, g->box));
    }
}

/* Offsets per axis that reach every cell exactly once: [-(nc-1)/2, nc/2]
 * when periodic, the grid bounds otherwise. */
static void offset_range(const knn_grid *g, const int cc[3], int omin[3], int omax[3])
{
    for (int a = 0; a < 3; a++) {
        if (g->box > 0) {
            omin[a] = -(g->nc[a] - 1) / 2;
            omax[a] = g->nc[a] / 2;
        } else {
            omin[a] = -cc[a];
            omax[a] = g->nc[a] - 1 - cc[a];
        }
    }
}

static int clampi(int x, int lo, int hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* Visit the cells whose offset (within the ranges) has Chebyshev norm s. */
static void scan_shell(const knn_grid *g, const double *pos, size_t i, const int cc[3],
                       const int omin[3], const int omax[3], int s, double *best, size_t *m,
                       size_t k)
{
    int z0 = clampi(-s, omin[2], omax[2]), z1 = clampi(s, omin[2], omax[2]);
    int y0 = clampi(-s, omin[1], omax[1]), y1 = clampi(s, omin[1], omax[1]);
    int x0 = clampi(-s, omin[0], omax[0]), x1 = clampi(s, omin[0], omax[0]);
    for (int oz = z0; oz <= z1; oz++)
        for (int oy = y0; oy <= y1; oy++)
            for (int ox = x0; ox <= x1; ox++) {
                if (abs(ox) != s && abs(oy) != s && abs(oz) != s)
                    continue;
                int c3[3] = {cc[0] + ox, cc[1] + oy, cc[2] + oz};
                if (g->box > 0) /* |offset| < nc: one conditional wrap */
                    for (int a = 0; a < 3; a++)
                        c3[a] = c3[a] < 0 ? c3[a] + g->nc[a]
                                          : (c3[a] >= g->nc[a] ? c3[a] - g->nc[a] : c3[a]);
                scan_cell(g, pos, i,
                          ((size_t)c3[2] * (size_t)g->nc[1] + (size_t)c3[1]) * (size_t)g->nc[0] +
                              (size_t)c3[0],
                          best, m, k);
            }
}

static void query(const knn_grid *g, const double *pos, size_t i, size_t k, double *out)
{
    double best[KNN_MAX_K];
    size_t m = 0;
    int cc[3], omin[3], omax[3], smax = 0;
    for (int a = 0; a < 3; a++)
        cc[a] = cell_coord(pos[3 * i + a], g, a);
    offset_range(g, cc, omin, omax);
    for (int a = 0; a < 3; a++)
        smax = abs(omin[a]) > smax ? abs(omin[a]) : (omax[a] > smax ? omax[a] : smax);
    /* Distance from the point to its own cell's faces: unscanned cells after
     * shell s are at least s·w + this away. */
    double margin = INFINITY;
    for (int a = 0; a < 3; a++) {
        double x = pos[3 * i + a] - g->lo[a];
        if (g->box > 0)
            x = x - g->box * floor(x / g->box);
        double f = x / g->w[a] - cc[a];
        f = f < 0 ? 0 : (f > 1 ? 1 : f);
        margin = fmin(margin, g->w[a] * fmin(f, 1.0 - f));
    }
    double wmin = fmin(g->w[0], fmin(g->w[1], g->w[2]));
    for (int s = 0; s <= smax; s++) {
        scan_shell(g, pos, i, cc, omin, omax, s, best, &m, k);
        double bound = s * wmin + margin;
        if (m == k && best[k - 1] <= bound * bound)
            break;
    }
    for (size_t t = 0; t < k; t++)
        out[t] = sqrt(best[t]);
}

/* Small N: coordinates wrapped into [0, box) once (structure of arrays),
 * then four query points at a time, one per lane of a GCC vector of four
 * doubles: each candidate j is broadcast, its squared distance to the four
 * queries computed, and inserted into each lane's ascending top-k list by a
 * branch-free min/max network (b_m <- min(b_m, max(b_{m-1}, d))). The same
 * distances and the same selection as a scalar loop, so the result is
 * identical for any SIMD width; square roots only at the end. Serial. */
#define KNN_SMALL_N 256
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
#define V4(x) ((v4d){(x), (x), (x), (x)})
#define VMIN(a, b) ((v4d)((((a) < (b)) & (v4l)(a)) | (~((a) < (b)) & (v4l)(b))))
#define VMAX(a, b) ((v4d)((((a) > (b)) & (v4l)(a)) | (~((a) > (b)) & (v4l)(b))))

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KNN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KNN_CLONES
#endif

static double wrap_coord(double x, double box)
{
    if (!(box > 0) || (x >= 0 && x < box)) /* open, or already inside (the simulators' frames) */
        return x;
    double y = x - box * floor(x / box);
    return y >= box ? 0.0 : y;
}

/* Top-k of four queries i0..i0+3 (lanes past n are computed and dropped).
 * `k` is a compile-time constant at the hot call sites. */
static inline __attribute__((always_inline)) void
knn_small_block(const double *X, const double *Y, const double *Z, size_t n, double box, size_t k,
                size_t i0, double *dist)
{
    const double L = box > 0 ? box : 0.0, hh = box > 0 ? 0.5 * box : INFINITY;
    const v4d Lv = V4(L), h = V4(hh), mh = V4(-hh), inf = V4(INFINITY);
    v4d px, py, pz, best[KNN_MAX_K];
    memcpy(&px, X + i0, sizeof px);
    memcpy(&py, Y + i0, sizeof py);
    memcpy(&pz, Z + i0, sizeof pz);
    const v4l self = {(long long)i0, (long long)i0 + 1, (long long)i0 + 2, (long long)i0 + 3};
    for (size_t m = 0; m < k; m++)
        best[m] = inf;
    for (size_t j = 0; j < n; j++) {
        v4d dx = V4(X[j]) - px, dy = V4(Y[j]) - py, dz = V4(Z[j]) - pz;
        dx = dx - (v4d)((dx > h) & (v4l)Lv) + (v4d)((dx < mh) & (v4l)Lv);
        dy = dy - (v4d)((dy > h) & (v4l)Lv) + (v4d)((dy < mh) & (v4l)Lv);
        dz = dz - (v4d)((dz > h) & (v4l)Lv) + (v4d)((dz < mh) & (v4l)Lv);
        v4d d2 = dx * dx + dy * dy + dz * dz;
        const v4l jj = {(long long)j, (long long)j, (long long)j, (long long)j};
        const v4l me = jj == self;
        d2 = (v4d)((me & (v4l)inf) | (~me & (v4l)d2));
        for (size_t m = k - 1; m > 0; m--)
            best[m] = VMIN(best[m], VMAX(best[m - 1], d2));
        best[0] = VMIN(best[0], d2);
    }
    for (size_t l = 0; l < 4 && i0 + l < n; l++)
        for (size_t m = 0; m < k; m++)
            dist[(i0 + l) * k + m] = sqrt(best[m][l]);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define KNN_HAVE_AVX2 1
/* The same block with AVX2 intrinsics: vminpd/vmaxpd for the network (the
 * generic vector code needs a compare and a blend per min). Identical
 * results: the same IEEE operations in the same order, and min/max are
 * exact on the non-negative, non-NaN squared distances. */
static inline __attribute__((always_inline, target("avx2"))) void
knn_small_block_avx2(const double *X, const double *Y, const double *Z, size_t n, double box,
                     size_t k, size_t i0, double *dist)
{
    const double hh = box > 0 ? 0.5 * box : INFINITY;
    const __m256d Lv = _mm256_set1_pd(box > 0 ? box : 0.0), h = _mm256_set1_pd(hh),
                  mh = _mm256_set1_pd(-hh), inf = _mm256_set1_pd(INFINITY),
                  lanes = _mm256_setr_pd(0, 1, 2, 3);
    const __m256d px = _mm256_loadu_pd(X + i0), py = _mm256_loadu_pd(Y + i0),
                  pz = _mm256_loadu_pd(Z + i0);
    __m256d best[KNN_MAX_K];
    for (size_t m = 0; m < k; m++)
        best[m] = inf;
    for (size_t j = 0; j < n; j++) {
        __m256d dx = _mm256_sub_pd(_mm256_set1_pd(X[j]), px),
                dy = _mm256_sub_pd(_mm256_set1_pd(Y[j]), py),
                dz = _mm256_sub_pd(_mm256_set1_pd(Z[j]), pz);
#define KNN_MI(d)                                                                                  \
    d = _mm256_add_pd(_mm256_sub_pd(d, _mm256_and_pd(_mm256_cmp_pd(d, h, _CMP_GT_OQ), Lv)),      \
                      _mm256_and_pd(_mm256_cmp_pd(d, mh, _CMP_LT_OQ), Lv))
        KNN_MI(dx);
        KNN_MI(dy);
        KNN_MI(dz);
#undef KNN_MI
        __m256d d2 = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy)),
                                   _mm256_mul_pd(dz, dz));
        if (j - i0 < 4) /* the query itself is one of the lanes */
            d2 = _mm256_blendv_pd(
                d2, inf, _mm256_cmp_pd(lanes, _mm256_set1_pd((double)(j - i0)), _CMP_EQ_OQ));
        for (size_t m = k - 1; m > 0; m--)
            best[m] = _mm256_min_pd(best[m], _mm256_max_pd(best[m - 1], d2));
        best[0] = _mm256_min_pd(best[0], d2);
    }
    double out[KNN_MAX_K][4];
    for (size_t m = 0; m < k; m++)
        _mm256_storeu_pd(out[m], best[m]);
    for (size_t l = 0; l < 4 && i0 + l < n; l++)
        for (size_t m = 0; m < k; m++)
            dist[(i0 + l) * k + m] = sqrt(out[m][l]);
}

/* Eight queries per vector with AVX-512. The minimum image as
 * min(|d|, L - |d|) (L = ∞ when open): for |d| < L the same magnitude as
 * the compare-and-shift of the AVX2 block (L - |d| is exact where |d| > L/2
 * and rounds to >= L/2 elsewhere), and the sign vanishes in the square, so
 * the squared distances, the network and the roots are the same bits.
 * (Skipping the network when no lane improves on its k-th best was ≈ 20 %
 * slower in the case-1 run: unpredictable branches.) */
static inline __attribute__((always_inline, target("avx512f"))) void
knn_small_block_avx512(const double *X, const double *Y, const double *Z, size_t n, double box,
                       size_t k, size_t i0, double *dist)
{
    const __m512d Lv = _mm512_set1_pd(box > 0 ? box : INFINITY), inf = _mm512_set1_pd(INFINITY),
                  lanes = _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512d px = _mm512_loadu_pd(X + i0), py = _mm512_loadu_pd(Y + i0),
                  pz = _mm512_loadu_pd(Z + i0);
    __m512d best[KNN_MAX_K];
    for (size_t m = 0; m < k; m++)
        best[m] = inf;
    for (size_t j = 0; j < n; j++) {
        __m512d dx = _mm512_abs_pd(_mm512_sub_pd(_mm512_set1_pd(X[j]), px)),
                dy = _mm512_abs_pd(_mm512_sub_pd(_mm512_set1_pd(Y[j]), py)),
                dz = _mm512_abs_pd(_mm512_sub_pd(_mm512_set1_pd(Z[j]), pz));
        dx = _mm512_min_pd(dx, _mm512_sub_pd(Lv, dx));
        dy = _mm512_min_pd(dy, _mm512_sub_pd(Lv, dy));
        dz = _mm512_min_pd(dz, _mm512_sub_pd(Lv, dz));
        __m512d d2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                                   _mm512_mul_pd(dz, dz));
        if (j - i0 < 8) /* the query itself is one of the lanes */
            d2 = _mm512_mask_mov_pd(
                d2, _mm512_cmp_pd_mask(lanes, _mm512_set1_pd((double)(j - i0)), _CMP_EQ_OQ), inf);
        for (size_t m = k - 1; m > 0; m--)
            best[m] = _mm512_min_pd(best[m], _mm512_max_pd(best[m - 1], d2));
        best[0] = _mm512_min_pd(best[0], d2);
    }
    double out[KNN_MAX_K][8];
    for (size_t m = 0; m < k; m++)
        _mm512_storeu_pd(out[m], best[m]);
    for (size_t l = 0; l < 8 && i0 + l < n; l++)
        for (size_t m = 0; m < k; m++)
            dist[(i0 + l) * k + m] = sqrt(out[m][l]);
}

static __attribute__((target("avx512f"))) void knn_small_run_avx512(const double *X,
                                                                    const double *Y,
                                                                    const double *Z, size_t n,
                                                                    double box, size_t k,
                                                                    double *dist)
{
    long long nb = (long long)((n + 7) / 8);
#pragma omp parallel for schedule(static) if (n >= 96)
    for (long long b = 0; b < nb; b++) {
        size_t i0 = 8 * (size_t)b;
        if (k == 5)
            knn_small_block_avx512(X, Y, Z, n, box, 5, i0, dist);
        else if (k == 1)
            knn_small_block_avx512(X, Y, Z, n, box, 1, i0, dist);
        else
            knn_small_block_avx512(X, Y, Z, n, box, k, i0, dist);
    }
}

static __attribute__((target("avx2"))) void knn_small_run_avx2(const double *X, const double *Y,
                                                                const double *Z, size_t n,
                                                                double box, size_t k, double *dist)
{
    /* Queries write only their own rows: any thread count gives the same. */
    long long nb = (long long)((n + 3) / 4);
#pragma omp parallel for schedule(static) if (n >= 96)
    for (long long b = 0; b < nb; b++) {
        size_t i0 = 4 * (size_t)b;
        if (k == 5)
            knn_small_block_avx2(X, Y, Z, n, box, 5, i0, dist);
        else if (k == 1)
            knn_small_block_avx2(X, Y, Z, n, box, 1, i0, dist);
        else
            knn_small_block_avx2(X, Y, Z, n, box, k, i0, dist);
    }
}
#endif

KNN_CLONES static void knn_small_run(const double *X, const double *Y, const double *Z, size_t n,
                                     double box, size_t k, double *dist)
{
#ifdef KNN_HAVE_AVX2
    if (__builtin_cpu_supports("avx512f")) {
        knn_small_run_avx512(X, Y, Z, n, box, k, dist);
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        knn_small_run_avx2(X, Y, Z, n, box, k, dist);
        return;
    }
#endif
    long long nb = (long long)((n + 3) / 4);
#pragma omp parallel for schedule(static) if (n >= 96)
    for (long long b = 0; b < nb; b++) {
        size_t i0 = 4 * (size_t)b;
        if (k == 5)
            knn_small_block(X, Y, Z, n, box, 5, i0, dist);
        else if (k == 1)
            knn_small_block(X, Y, Z, n, box, 1, i0, dist);
        else
            knn_small_block(X, Y, Z, n, box, k, i0, dist);
    }
}

static int knn_small(const double *pos, size_t n, double box, size_t k, double *dist)
{
    /* + 8: the last block of queries reads whole vectors */
    double X[KNN_SMALL_N + 8] = {0}, Y[KNN_SMALL_N + 8] = {0}, Z[KNN_SMALL_N + 8] = {0};
    for (size_t i = 0; i < n; i++) {
        X[i] = wrap_coord(pos[3 * i], box);
        Y[i] = wrap_coord(pos[3 * i + 1], box);
        Z[i] = wrap_coord(pos[3 * i + 2], box);
    }
    knn_small_run(X, Y, Z, n, box, k, dist);
    return ES_OK;
}

int es_school_knn(const double *pos, size_t n, double box, size_t k, double *dist)
{
    if (k < 1 || k > KNN_MAX_K)
        return es_error_set(ES_EINVAL, "school k-NN: k = %zu outside [1, %d]", k, KNN_MAX_K);
    if (n <= k)
        return es_error_set(ES_EINVAL, "school k-NN: need more than k = %zu points, got %zu", k, n);
    if (box > 0 && !isfinite(box))
        return es_error_set(ES_EINVAL, "school k-NN: box size %g is not finite", box);
    for (size_t i = 0; i < 3 * n; i++)
        if (!isfinite(pos[i]))
            return es_error_set(ES_EDATA, "school k-NN: position %c of fish %zu is not finite",
                                "xyz"[i % 3], i / 3);
    if (n <= KNN_SMALL_N)
        return knn_small(pos, n, box, k, dist);
    knn_grid g = {0};
    int rc = grid_build(pos, n, box, &g);
    if (rc == ES_OK) {
#pragma omp parallel for schedule(static) if (n >= 2048)
        for (size_t i = 0; i < n; i++)
            query(&g, pos, i, k, dist + i * k);
    }
    free(g.start);
    free(g.idx);
    return rc;
}
