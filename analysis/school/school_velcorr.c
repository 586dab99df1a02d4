/* The pairwise velocity-correlation histogram of H_vel: counts of
 * c_ij = v̂_i·v̂_j over all pairs i < j in 20 bins of (c + 1)/2 on [0, 1]
 * (numpy's rules: last bin closed; c clamped to [-1, 1], NaN dropped).
 *
 * Three ways to the counts, the first two exact and identical pair by pair:
 *  - pairs: every pair, vectorised (O(N²); small N);
 *  - tree:  a k-d tree over the unit headings (points on the sphere) and a
 *           dual-tree walk: a node pair whose chord-distance range puts
 *           every pair's dot product strictly inside one bin (by a margin far
 *           above rounding) adds nA·nB at once; only the other node pairs
 *           are resolved pair by pair, with the same arithmetic as `pairs`.
 *           Aligned or clustered schools cost ~O(N log N + N·leaf); isotropic
 *           headings still resolve a large fraction of the pairs one by one;
 *  - sampled: a fixed counter-based sample of pairs (an estimate).
 * The counts are integers, so the sum over threads is exact in any order:
 * every method gives the same answer for any thread count. */
#include "esuite/school_metrics.h"
#include "esuite/rng.h"
#include "esuite/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NB 20

static inline void unit(const double *v, double u[3]) { es_school_unit(v, u); }

/* The bin of one dot product (-1 when dropped: NaN only). A dot product of
 * unit vectors is in [-1, 1], but rounds up to two ulps past it: identical
 * headings (1, 13, 13) give c = 1 + 4.4e-16, opposite (1, 1, 1) ones
 * c = -1 - 2.2e-16, so (c + 1)/2 fell outside [0, 1] and the pair was
 * dropped: an aligned school had H_vel = 0.5 ("no pair in range"), not 0.
 * Clamped, as H_pol clips v̂_z before acos. */
static long dot_bin(double c)
{
    if (c > 1.0)
        c = 1.0;
    else if (c < -1.0)
        c = -1.0;
    return es_school_bin((c + 1.0) / 2.0, 0.0, 1.0, NB);
}

static void velcorr_bin(const double *a, const double *b, unsigned long long *cnt)
{
    double c = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    long k = dot_bin(c);
    if (k >= 0)
        cnt[k]++;
}

/* ------------------------------------------------ vectorised pair counts
 *
 * Four pairs at a time in GCC vectors of four doubles; the bin index is
 * es_school_bin's rule for [0, 1] in 20 bins computed without branches
 * (scaled index, clamped, then corrected against the edges k·(1/20)), so
 * the counts equal velcorr_bin's exactly. Dropped values and padding lanes
 * go to slot 20. Four interleaved sub-histograms avoid a store-to-load
 * chain. */
typedef double vc_v4d __attribute__((vector_size(32)));
typedef long long vc_v4l __attribute__((vector_size(32)));
typedef int vc_v4i __attribute__((vector_size(16)));
#define VC4(x) ((vc_v4d){(x), (x), (x), (x)})

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VC_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VC_CLONES
#endif

typedef unsigned long long vc_sub[4][24];

static inline __attribute__((always_inline)) vc_v4i vc_bins(vc_v4d c, vc_v4l valid)
{
    const vc_v4d one = VC4(1.0), half = VC4(0.5), twenty = VC4(20.0), step = VC4(1.0 / 20.0),
                 zero = VC4(0.0), nineteen = VC4(19.0);
    const vc_v4d x0 = (c + one) * half; /* == (c + 1) / 2 exactly: a power of two */
    /* clamped into [0, 1] as dot_bin clamps c (NaN stays NaN: dropped) */
    const vc_v4l above = x0 > one, below = x0 < zero;
    const vc_v4d x = (vc_v4d)((above & (vc_v4l)one) | (~(above | below) & (vc_v4l)x0));
    const vc_v4l inside = (x >= zero) & (x <= one);
    /* (long)(x·20) of an in-range x (0 elsewhere, masked), kept as a
     * double: small integers are exact, and int32 conversions are single
     * instructions where int64 ones are not. */
    vc_v4d b = __builtin_convertvector(
        __builtin_convertvector((vc_v4d)(inside & (vc_v4l)(x * twenty)), vc_v4i), vc_v4d);
    b -= (vc_v4d)((b == twenty) & (vc_v4l)one); /* b == 20 → 19 */
    const vc_v4d e0 = b * step, e1 = (b + one) * step;
    const vc_v4l lower = x < e0, higher = ~lower & (b != nineteen) & (x >= e1);
    b = b - (vc_v4d)(lower & (vc_v4l)one) + (vc_v4d)(higher & (vc_v4l)one);
    valid &= inside;
    b = (vc_v4d)((valid & (vc_v4l)b) | (~valid & (vc_v4l)twenty));
    return __builtin_convertvector(b, vc_v4i);
}

/* Pairs (i, j), i in [i0, i1), j in [max(j0, i + 1 if tri), j1), from SoA
 * unit headings readable 3 past j1; counts into sub. */
static inline __attribute__((always_inline)) void
vc_pairs(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1, size_t j0,
         size_t j1, int tri, vc_sub sub)
{
    const vc_v4l lane = {0, 1, 2, 3};
    enum { SEG = 512 };
    int bins[SEG + 4];
    for (size_t i = i0; i < i1; i++) {
        const vc_v4d ax = VC4(ux[i]), ay = VC4(uy[i]), az = VC4(uz[i]);
        for (size_t s0 = tri && i + 1 > j0 ? i + 1 : j0; s0 < j1; s0 += SEG) {
            const size_t s1 = j1 - s0 < SEG ? j1 : s0 + SEG;
            for (size_t j = s0; j < s1; j += 4) {
                vc_v4d bx, by, bz;
                memcpy(&bx, ux + j, sizeof bx);
                memcpy(&by, uy + j, sizeof by);
                memcpy(&bz, uz + j, sizeof bz);
                const vc_v4i bi = vc_bins(ax * bx + ay * by + az * bz, lane < (long long)(s1 - j));
                memcpy(bins + (j - s0), &bi, sizeof bi);
            }
            /* Counted by a scalar loop: extracting lanes one by one is
             * slower than a store and reload. */
            const size_t m = s1 - s0;
            size_t q = 0;
            for (; q + 4 <= m; q += 4) {
                sub[0][bins[q]]++;
                sub[1][bins[q + 1]]++;
                sub[2][bins[q + 2]]++;
                sub[3][bins[q + 3]]++;
            }
            for (; q < m; q++)
                sub[0][bins[q]]++;
        }
    }
}

static void sub_add(vc_sub sub, unsigned long long *cnt)
{
    for (int k = 0; k < NB; k++)
        cnt[k] += sub[0][k] + sub[1][k] + sub[2][k] + sub[3][k];
}

VC_CLONES static void vc_block_generic(const double *ux, const double *uy, const double *uz,
                                       size_t i0, size_t i1, size_t j0, size_t j1, int tri,
                                       unsigned long long *cnt)
{
    vc_sub sub;
    memset(sub, 0, sizeof sub);
    vc_pairs(ux, uy, uz, i0, i1, j0, j1, tri, sub);
    sub_add(sub, cnt);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define VC_HAVE_AVX512 1
/* The same bins with AVX-512, eight pairs per vector: the same IEEE dot
 * product and x = (c + 1)/2, the scaled index truncated (vrndscalepd; x >= 0
 * where it is used), clamped to 19 (x <= 1, so only x = 1 reaches 20), then
 * corrected against the same edges b·(1/20), (b + 1)·(1/20) by masked adds:
 * es_school_bin's rule exactly, about a quarter of the generic operations
 * per pair. Counted into eight interleaved sub-histograms, summed at the
 * end: consecutive pairs of a popular bin do not wait on each other's
 * increments. */
typedef unsigned long long vc_sub8[8][24];

static inline __attribute__((always_inline, target("avx512f"))) __m256i vc_bins512(__m512d c,
                                                                                   __mmask8 valid)
{
    const __m512d one = _mm512_set1_pd(1.0), half = _mm512_set1_pd(0.5),
                  twenty = _mm512_set1_pd(20.0), step = _mm512_set1_pd(1.0 / 20.0),
                  nineteen = _mm512_set1_pd(19.0);
    /* clamped into [0, 1] as dot_bin clamps c; vminpd / vmaxpd return the
     * second operand when one is NaN, so NaN stays NaN (dropped) */
    const __m512d x = _mm512_max_pd(_mm512_setzero_pd(),
                                    _mm512_min_pd(one, _mm512_mul_pd(_mm512_add_pd(c, one), half)));
    /* x >= 0 && x <= 1, false for NaN */
    const __mmask8 inside = _mm512_mask_cmp_pd_mask(
        _mm512_mask_cmp_pd_mask(valid, x, _mm512_setzero_pd(), _CMP_GE_OQ), x, one, _CMP_LE_OQ);
    __m512d b = _mm512_roundscale_pd(_mm512_mul_pd(x, twenty), _MM_FROUND_TO_ZERO);
    b = _mm512_min_pd(b, nineteen);
    const __m512d e0 = _mm512_mul_pd(b, step), e1 = _mm512_mul_pd(_mm512_add_pd(b, one), step);
    const __mmask8 lower = _mm512_mask_cmp_pd_mask(inside, x, e0, _CMP_LT_OQ);
    const __mmask8 higher = _mm512_mask_cmp_pd_mask(
        _mm512_mask_cmp_pd_mask((__mmask8)(inside & ~lower), b, nineteen, _CMP_NEQ_OQ), x, e1,
        _CMP_GE_OQ);
    b = _mm512_mask_sub_pd(b, lower, b, one);
    b = _mm512_mask_add_pd(b, higher, b, one);
    b = _mm512_mask_mov_pd(twenty, inside, b); /* dropped and padding lanes: slot 20 */
    return _mm512_cvttpd_epi32(b);
}

static __attribute__((target("avx512f"))) void
vc_block_avx512(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1,
                size_t j0, size_t j1, int tri, unsigned long long *cnt)
{
    enum { SEG = 512 };
    int bins[SEG + 8];
    vc_sub8 sub;
    memset(sub, 0, sizeof sub);
    for (size_t i = i0; i < i1; i++) {
        const __m512d ax = _mm512_set1_pd(ux[i]), ay = _mm512_set1_pd(uy[i]),
                      az = _mm512_set1_pd(uz[i]);
        for (size_t s0 = tri && i + 1 > j0 ? i + 1 : j0; s0 < j1; s0 += SEG) {
            const size_t s1 = j1 - s0 < SEG ? j1 : s0 + SEG;
            const size_t m = s1 - s0;
            for (size_t q = 0; q < m; q += 8) {
                const size_t j = s0 + q;
                const __mmask8 valid =
                    m - q >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (m - q)) - 1u);
                const __m512d c = _mm512_add_pd(
                    _mm512_add_pd(_mm512_mul_pd(ax, _mm512_maskz_loadu_pd(valid, ux + j)),
                                  _mm512_mul_pd(ay, _mm512_maskz_loadu_pd(valid, uy + j))),
                    _mm512_mul_pd(az, _mm512_maskz_loadu_pd(valid, uz + j)));
                _mm256_storeu_si256((__m256i *)(bins + q), vc_bins512(c, valid));
            }
            size_t q = 0;
            for (; q + 8 <= m; q += 8)
                for (int l = 0; l < 8; l++)
                    sub[l][bins[q + l]]++;
            for (; q < m; q++)
                sub[q & 7][bins[q]]++;
        }
    }
    for (int k = 0; k < NB; k++) {
        unsigned long long t = 0;
        for (int l = 0; l < 8; l++)
            t += sub[l][k];
        cnt[k] += t;
    }
}
#endif

/* Block [i0, i1) × [j0, j1) (tri: only j > i). */
static void vc_block(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1,
                     size_t j0, size_t j1, int tri, unsigned long long *cnt)
{
#ifdef VC_HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        vc_block_avx512(ux, uy, uz, i0, i1, j0, j1, tri, cnt);
        return;
    }
#endif
    vc_block_generic(ux, uy, uz, i0, i1, j0, j1, tri, cnt);
}

/* Rows [i0, i1) against all j > i (n points). */
static void vc_rows(const double *ux, const double *uy, const double *uz, size_t n, size_t i0,
                    size_t i1, unsigned long long *cnt)
{
    vc_block(ux, uy, uz, i0, i1, 0, n, 1, cnt);
}

/* Unit headings as SoA (m = n + 4 per axis, zero padded). */
static double *unit_soa(const double *vel, size_t n, size_t *m_out)
{
    size_t m = n + 4;
    double *soa = calloc(3 * m, sizeof *soa);
    if (!soa)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double u[3];
        unit(vel + 3 * i, u);
        for (int a = 0; a < 3; a++)
            soa[a * m + i] = u[a];
    }
    *m_out = m;
    return soa;
}

static int counts_pairs(const double *vel, size_t n, unsigned long long *cnt)
{
    size_t m;
    double *soa = unit_soa(vel, n, &m);
    if (!soa)
        return es_error_set(ES_ENOMEM, "school velocity correlation: out of memory");
    /* Rows in blocks of 16; blocks handed out dynamically (row i has n-1-i pairs). */
    long long nb = (long long)((n + 15) / 16);
#pragma omp parallel if (n >= 96)
    {
        unsigned long long loc[NB] = {0};
#pragma omp for schedule(dynamic, 1)
        for (long long bk = 0; bk < nb; bk++) {
            size_t i0 = (size_t)bk * 16, i1 = i0 + 16 < n ? i0 + 16 : n;
            vc_rows(soa, soa + m, soa + 2 * m, n, i0, i1, loc);
        }
#pragma omp critical
        for (int b = 0; b < NB; b++)
            cnt[b] += loc[b];
    }
    free(soa);
    return ES_OK;
}

/* ------------------------------------------------ threshold counts
 *
 * Extended bins of a dot product: 0 dropped below the range, 1 + k for bin
 * k, NB + 1 dropped above it (empty for finite c since dot_bin clamps c
 * into [-1, 1]: E[1] = -inf, E[NB + 1] = +inf). ebin is
 * non-decreasing in c (x = (c + 1)/2 rounds monotonically and es_school_bin
 * is numpy's searchsorted), so extended bin e starts at one double E[e]:
 * ebin(c) >= e iff c >= E[e], found once by bisection over the doubles.
 * Where a node pair's dot products provably span extended bins e0..e1
 * only, counting c >= E[e] for e = e0+1..e1 gives the same histogram as
 * binning every pair: a compare per threshold instead of the bin arithmetic
 * and a scattered increment. */
enum { NE = NB + 2 };
static double ethr[NE]; /* ethr[0] unused */
static int ethr_ready;

static int ebin_exact(double c)
{
    long k = dot_bin(c);
    return k >= 0 ? (int)k + 1 : (c < 0 ? 0 : NB + 1);
}

/* ebin from the thresholds (any finite c). */
static int ebin(double c)
{
    double g = (c + 1.0) * 10.0 + 1.0;
    int e = g < 0 ? 0 : (g > NB + 1 ? NB + 1 : (int)g);
    while (e < NB + 1 && c >= ethr[e + 1])
        e++;
    while (e > 0 && c < ethr[e])
        e--;
    return e;
}

/* Doubles ordered as integers (finite values). */
static long long ord_of(double x)
{
    long long i;
    memcpy(&i, &x, sizeof i);
    return i < 0 ? (long long)(0x8000000000000000ULL - (unsigned long long)i) : i;
}

static double of_ord(long long i)
{
    unsigned long long u = i < 0 ? 0x8000000000000000ULL - (unsigned long long)i
                                 : (unsigned long long)i;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void thresholds_init(void)
{
    ethr[1] = -INFINITY; /* every finite c is in a bin (clamped) */
    ethr[NE - 1] = INFINITY;
    for (int e = 2; e < NE - 1; e++) {
        long long lo = ord_of(-1.5), hi = ord_of(1.5); /* ebin(lo) < e <= ebin(hi) */
        while (hi - lo > 1) {
            long long mid = lo + (hi - lo) / 2;
            if (ebin_exact(of_ord(mid)) >= e)
                hi = mid;
            else
                lo = mid;
        }
        ethr[e] = of_ord(hi);
    }
}

enum { VC_MAXT = 8 };

/* ge[k] += #{(i, j): c_ij >= T[k]} over i in [i0, i1), j in [j0, j1)
 * (SoA readable 7 past j1), for the nt <= VC_MAXT thresholds T (compile-time nt
 * at the call sites). Four lanes per vector: generic GCC vectors. */
static inline __attribute__((always_inline)) void
vc_ge_core(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1, size_t j0,
           size_t j1, const double *T, const int nt, long long *ge)
{
    const vc_v4l lane = {0, 1, 2, 3};
    vc_v4d tv[VC_MAXT];
    vc_v4l acc[VC_MAXT];
    for (int k = 0; k < nt; k++) {
        tv[k] = VC4(T[k]);
        acc[k] = (vc_v4l){0, 0, 0, 0};
    }
    for (size_t i = i0; i < i1; i++) {
        const vc_v4d ax = VC4(ux[i]), ay = VC4(uy[i]), az = VC4(uz[i]);
        for (size_t j = j0; j < j1; j += 4) {
            vc_v4d bx, by, bz;
            memcpy(&bx, ux + j, sizeof bx);
            memcpy(&by, uy + j, sizeof by);
            memcpy(&bz, uz + j, sizeof bz);
            const vc_v4d c = ax * bx + ay * by + az * bz;
            const vc_v4l valid = lane < (long long)(j1 - j);
            for (int k = 0; k < nt; k++)
                acc[k] += (c >= tv[k]) & valid; /* -1 per counted pair */
        }
    }
    for (int k = 0; k < nt; k++)
        ge[k] -= acc[k][0] + acc[k][1] + acc[k][2] + acc[k][3];
}

VC_CLONES static void vc_ge_generic(const double *ux, const double *uy, const double *uz,
                                    size_t i0, size_t i1, size_t j0, size_t j1, const double *T,
                                    int nt, long long *ge)
{
    switch (nt) {
    case 1: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 1, ge); break;
    case 2: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 2, ge); break;
    case 3: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 3, ge); break;
    case 4: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 4, ge); break;
    case 5: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 5, ge); break;
    case 6: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 6, ge); break;
    case 7: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 7, ge); break;
    default: vc_ge_core(ux, uy, uz, i0, i1, j0, j1, T, 8, ge); break;
    }
}

#ifdef VC_HAVE_AVX512
/* The same counts with AVX-512: eight pairs per vector, compares into mask
 * registers, counted by masked adds (GCC's generic 8-lane compares do not
 * map onto mask registers). Identical IEEE products and sums. */
static inline __attribute__((always_inline, target("avx512f"))) void
vc_ge_core512(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1,
              size_t j0, size_t j1, const double *T, const int nt, long long *ge)
{
    __m512d tv[VC_MAXT];
    __m512i acc[VC_MAXT];
    const __m512i one = _mm512_set1_epi64(1);
    for (int k = 0; k < nt; k++) {
        tv[k] = _mm512_set1_pd(T[k]);
        acc[k] = _mm512_setzero_si512();
    }
    const size_t w = j1 - j0, full = w & ~(size_t)7;
    const __mmask8 tail = (__mmask8)((1u << (w & 7)) - 1u);
    for (size_t i = i0; i < i1; i++) {
        const __m512d ax = _mm512_set1_pd(ux[i]), ay = _mm512_set1_pd(uy[i]),
                      az = _mm512_set1_pd(uz[i]);
        for (size_t q = 0; q <= full; q += 8) {
            if (q == full && tail == 0)
                break;
            const size_t j = j0 + q;
            const __m512d c = _mm512_add_pd(
                _mm512_add_pd(_mm512_mul_pd(ax, _mm512_loadu_pd(ux + j)),
                              _mm512_mul_pd(ay, _mm512_loadu_pd(uy + j))),
                _mm512_mul_pd(az, _mm512_loadu_pd(uz + j)));
            const __mmask8 valid = q == full ? tail : (__mmask8)0xff;
            for (int k = 0; k < nt; k++)
                acc[k] = _mm512_mask_add_epi64(
                    acc[k], _mm512_mask_cmp_pd_mask(valid, c, tv[k], _CMP_GE_OQ), acc[k], one);
        }
    }
    for (int k = 0; k < nt; k++)
        ge[k] += _mm512_reduce_add_epi64(acc[k]);
}

static __attribute__((target("avx512f"))) void
vc_ge_avx512(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1,
             size_t j0, size_t j1, const double *T, int nt, long long *ge)
{
    switch (nt) {
    case 1: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 1, ge); break;
    case 2: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 2, ge); break;
    case 3: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 3, ge); break;
    case 4: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 4, ge); break;
    case 5: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 5, ge); break;
    case 6: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 6, ge); break;
    case 7: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 7, ge); break;
    default: vc_ge_core512(ux, uy, uz, i0, i1, j0, j1, T, 8, ge); break;
    }
}
#endif

static void vc_ge(const double *ux, const double *uy, const double *uz, size_t i0, size_t i1,
                  size_t j0, size_t j1, const double *T, int nt, long long *ge)
{
#ifdef VC_HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        vc_ge_avx512(ux, uy, uz, i0, i1, j0, j1, T, nt, ge);
        return;
    }
#endif
    vc_ge_generic(ux, uy, uz, i0, i1, j0, j1, T, nt, ge);
}

/* Block [i0, i1) × [j0, j1) whose dot products all lie in extended bins
 * e0..e1 (1 <= e1 - e0 <= VC_MAXT): counted by thresholds into ec. */
static void vc_block_span(const double *ux, const double *uy, const double *uz, size_t i0,
                          size_t i1, size_t j0, size_t j1, int e0, int e1, unsigned long long *ec)
{
    long long ge[VC_MAXT] = {0};
    int nt = e1 - e0;
    vc_ge(ux, uy, uz, i0, i1, j0, j1, ethr + e0 + 1, nt, ge);
    unsigned long long total = (unsigned long long)(i1 - i0) * (unsigned long long)(j1 - j0);
    /* ge[0] >= ge[1] >= ...: extended bin e0 + k holds ge[k-1] - ge[k] */
    ec[e0] += total - (unsigned long long)ge[0];
    for (int k = 1; k < nt; k++)
        ec[e0 + k] += (unsigned long long)(ge[k - 1] - ge[k]);
    ec[e1] += (unsigned long long)ge[nt - 1];
}

/* ------------------------------------------------------------- the tree */

enum { LEAF = 32 };

typedef struct {
    double c[3]; /* centre of the bounding box */
    double r;    /* >= the distance of every member from c */
    size_t lo, hi;
    int left, right; /* -1: leaf */
    int depth;
} vc_node;

typedef struct {
    double *x, *y, *z; /* unit headings in tree order (SoA, padded by 8) */
    size_t n;          /* points in the tree */
    size_t nodd;       /* near-zero headings after them: not on the sphere */
    vc_node *node;
    int nnode;
} vc_tree;

/* Quickselect: reorder [lo, hi) so that position k holds the element of
 * rank k along axis a, smaller ones before, larger after (three-way
 * partitions: progress even with many equal values). */
static void swap3(double *P[3], size_t i, size_t j)
{
    for (int b = 0; b < 3; b++) {
        double t = P[b][i];
        P[b][i] = P[b][j];
        P[b][j] = t;
    }
}

static void select_axis(double *P[3], size_t lo, size_t hi, size_t k, int a)
{
    double *v = P[a];
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        double x0 = v[lo], x1 = v[mid], x2 = v[hi - 1];
        double piv = x0 < x1 ? (x1 < x2 ? x1 : (x0 < x2 ? x2 : x0))
                             : (x0 < x2 ? x0 : (x1 < x2 ? x2 : x1));
        /* [lo, lt) < piv, [lt, i) == piv, [gt, hi) > piv */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (v[i] < piv)
                swap3(P, lt++, i++);
            else if (v[i] > piv)
                swap3(P, i, --gt);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
}

static int tree_build_node(vc_tree *t, size_t lo, size_t hi, int depth)
{
    int id = t->nnode++;
    vc_node *nd = &t->node[id];
    double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
    double *P[3] = {t->x, t->y, t->z};
    for (size_t i = lo; i < hi; i++)
        for (int a = 0; a < 3; a++) {
            mn[a] = fmin(mn[a], P[a][i]);
            mx[a] = fmax(mx[a], P[a][i]);
        }
    double r2 = 0;
    for (int a = 0; a < 3; a++)
        nd->c[a] = 0.5 * (mn[a] + mx[a]);
    for (size_t i = lo; i < hi; i++) {
        double dx = P[0][i] - nd->c[0], dy = P[1][i] - nd->c[1], dz = P[2][i] - nd->c[2];
        r2 = fmax(r2, dx * dx + dy * dy + dz * dz);
    }
    nd->r = sqrt(r2) * (1.0 + 1e-12) + 1e-15; /* rounding margin: a true upper bound */
    nd->lo = lo;
    nd->hi = hi;
    nd->depth = depth;
    nd->left = nd->right = -1;
    if (hi - lo <= LEAF)
        return id;
    int a = 0;
    for (int b = 1; b < 3; b++)
        if (mx[b] - mn[b] > mx[a] - mn[a])
            a = b;
    size_t mid = lo + (hi - lo) / 2;
    select_axis(P, lo, hi, mid, a);
    int l = tree_build_node(t, lo, mid, depth + 1);
    int r = tree_build_node(t, mid, hi, depth + 1);
    t->node[id].left = l; /* t->node is not reallocated: sized up front */
    t->node[id].right = r;
    return id;
}

static void tree_free(vc_tree *t)
{
    free(t->x);
    free(t->node);
}

/* Headings with |û|² within 1e-12 of 1 go into the tree (the chord bounds
 * below assume unit vectors); the others (zero velocities, divided by 1)
 * after them, resolved pair by pair. */
static int tree_build(const double *vel, size_t n, vc_tree *t)
{
    memset(t, 0, sizeof *t);
    size_t m = n + 8;
    t->x = calloc(3 * m, sizeof *t->x);
    size_t maxnodes = n / 4 + 8; /* leaves hold > LEAF/2 points: <= n/8 + 2 nodes */
    t->node = malloc(maxnodes * sizeof *t->node);
    if (!t->x || !t->node) {
        tree_free(t);
        return es_error_set(ES_ENOMEM, "school velocity correlation: out of memory");
    }
    t->y = t->x + m;
    t->z = t->x + 2 * m;
    size_t front = 0, back = n;
    for (size_t i = 0; i < n; i++) {
        double u[3];
        unit(vel + 3 * i, u);
        double q = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
        size_t s = fabs(q - 1.0) <= 1e-12 ? front++ : --back;
        t->x[s] = u[0];
        t->y[s] = u[1];
        t->z[s] = u[2];
    }
    t->n = front;
    t->nodd = n - front;
    if (t->n > 0)
        tree_build_node(t, 0, t->n, 0);
    return ES_OK;
}

/* Margin on the bounds of a node pair's dot products: far above the
 * rounding error of a dot product of unit vectors (~1e-15) and of the
 * bounds themselves, far below the bin width 0.1. */
#define VC_EPS 1e-9

/* The extended bins e0 <= e1 that every pair of nodes a, b provably falls
 * in. For unit vectors a·b = 1 - |a - b|²/2, and |a - b| lies within
 * |c_a - c_b| ± (r_a + r_b). */
static void pair_bins(const vc_node *a, const vc_node *b, int *e0, int *e1)
{
    double dx = a->c[0] - b->c[0], dy = a->c[1] - b->c[1], dz = a->c[2] - b->c[2];
    double d = sqrt(dx * dx + dy * dy + dz * dz), rr = a->r + b->r;
    double dmin = fmax(d - rr, 0.0), dmax = fmin(d + rr, 2.0);
    *e0 = ebin(1.0 - 0.5 * dmax * dmax - VC_EPS);
    *e1 = ebin(1.0 - 0.5 * dmin * dmin + VC_EPS);
}

/* Pairs of tree nodes ia, ib (ia == ib: the pairs within it) into the
 * extended histogram ec. */
static void tree_pairs(const vc_tree *t, int ia, int ib, unsigned long long *ec)
{
    const vc_node *a = &t->node[ia], *b = &t->node[ib];
    if (ia == ib) {
        if (a->left < 0) {
            vc_block(t->x, t->y, t->z, a->lo, a->hi, a->lo, a->hi, 1, ec + 1);
            return;
        }
        tree_pairs(t, a->left, a->left, ec);
        tree_pairs(t, a->left, a->right, ec);
        tree_pairs(t, a->right, a->right, ec);
        return;
    }
    int e0, e1;
    pair_bins(a, b, &e0, &e1);
    size_t na = a->hi - a->lo, nb = b->hi - b->lo;
    if (e0 == e1) {
        ec[e0] += (unsigned long long)na * (unsigned long long)nb;
        return;
    }
    int leaves = a->left < 0 && b->left < 0;
    /* Thresholds cost one compare per pair each: used on leaf pairs, and on
     * small node pairs that splitting would hardly narrow. */
    if (leaves ? e1 - e0 <= VC_MAXT : e1 - e0 <= 2 && na * nb <= 4 * LEAF * LEAF) {
        vc_block_span(t->x, t->y, t->z, a->lo, a->hi, b->lo, b->hi, e0, e1, ec);
        return;
    }
    if (leaves) {
        vc_block(t->x, t->y, t->z, a->lo, a->hi, b->lo, b->hi, 0, ec + 1);
        return;
    }
    /* Split the wider node (a leaf never). */
    if (b->left < 0 || (a->left >= 0 && a->r >= b->r)) {
        tree_pairs(t, a->left, ib, ec);
        tree_pairs(t, a->right, ib, ec);
    } else {
        tree_pairs(t, ia, b->left, ec);
        tree_pairs(t, ia, b->right, ec);
    }
}

/* The nodes at depth `depth` (and shallower leaves), in tree order. */
static int frontier(const vc_tree *t, int id, int depth, int *out, int m)
{
    const vc_node *nd = &t->node[id];
    if (nd->depth == depth || nd->left < 0) {
        out[m] = id;
        return m + 1;
    }
    m = frontier(t, nd->left, depth, out, m);
    return frontier(t, nd->right, depth, out, m);
}

static int counts_tree(const double *vel, size_t n, unsigned long long *cnt)
{
#pragma omp critical(es_school_velcorr_init)
    if (!ethr_ready) {
        thresholds_init();
        ethr_ready = 1;
    }
    vc_tree t;
    int rc = tree_build(vel, n, &t);
    if (rc)
        return rc;
    /* Tasks: every pair of frontier nodes (up to 64 of them) with a <= b:
     * together they cover every pair of tree points exactly once. */
    enum { DEPTH = 6 };
    int fr[1 << DEPTH], nf = t.n > 0 ? frontier(&t, 0, DEPTH, fr, 0) : 0;
    long long ntask = (long long)nf * (nf + 1) / 2;
#pragma omp parallel if (n >= 2048)
    {
        unsigned long long ec[NE] = {0};
#pragma omp for schedule(dynamic, 1)
        for (long long q = 0; q < ntask; q++) {
            /* q -> (a, b), a <= b, row by row */
            long long a = 0, rem = q;
            while (rem >= nf - a) {
                rem -= nf - a;
                a++;
            }
            tree_pairs(&t, fr[a], fr[a + rem], ec);
        }
        /* Near-zero headings against everything after them in memory
         * (tree points come first): each such pair once. */
#pragma omp for schedule(dynamic, 1)
        for (long long i = (long long)t.n; i < (long long)n; i++)
            vc_block(t.x, t.y, t.z, 0, t.n, (size_t)i, (size_t)i + 1, 0, ec + 1);
#pragma omp single
        if (t.nodd > 1)
            vc_block(t.x, t.y, t.z, t.n, n, t.n, n, 1, ec + 1);
#pragma omp critical
        for (int b = 0; b < NB; b++)
            cnt[b] += ec[b + 1];
    }
    tree_free(&t);
    return ES_OK;
}

/* Uniform pairs i != j from a fixed hash: a deterministic estimate. */
static int counts_sampled(const double *vel, size_t n, unsigned long long *cnt)
{
    double *u = malloc(3 * n * sizeof *u);
    if (!u)
        return es_error_set(ES_ENOMEM, "school velocity correlation: out of memory");
    for (size_t i = 0; i < n; i++)
        unit(vel + 3 * i, u + 3 * i);
    const uint64_t key = 0x5c4001c0440ULL;
#pragma omp parallel
    {
        unsigned long long loc[NB] = {0};
#pragma omp for schedule(static)
        for (size_t s = 0; s < ES_SCHOOL_VELCORR_SAMPLES; s++) {
            uint64_t h = es_counter_u64(key, n, s, 0);
            size_t i = (size_t)((h >> 32) % n), j = (size_t)((h & 0xffffffffu) % (n - 1));
            if (j >= i)
                j++;
            velcorr_bin(u + 3 * i, u + 3 * j, loc);
        }
#pragma omp critical
        for (int b = 0; b < NB; b++)
            cnt[b] += loc[b];
    }
    free(u);
    return ES_OK;
}

int es_school_velcorr_count_rows(const double *vel, size_t n, size_t i0, size_t i1,
                                 unsigned long long *cnt)
{
    if (i1 > n)
        i1 = n;
    if (i0 >= i1)
        return ES_OK;
    size_t m;
    double *soa = unit_soa(vel, n, &m);
    if (!soa)
        return es_error_set(ES_ENOMEM, "school velocity correlation: out of memory");
    vc_rows(soa, soa + m, soa + 2 * m, n, i0, i1, cnt);
    free(soa);
    return ES_OK;
}

int es_school_velcorr_counts(const double *vel, size_t n, int method, unsigned long long *cnt)
{
    memset(cnt, 0, NB * sizeof *cnt);
    if (n < 2)
        return ES_OK;
    if (method == ES_SCHOOL_VELCORR_AUTO)
        method = n < ES_SCHOOL_VELCORR_TREE_MIN ? ES_SCHOOL_VELCORR_PAIRS : ES_SCHOOL_VELCORR_TREE;
    switch (method) {
    case ES_SCHOOL_VELCORR_PAIRS:
        return counts_pairs(vel, n, cnt);
    case ES_SCHOOL_VELCORR_TREE:
        return counts_tree(vel, n, cnt);
    case ES_SCHOOL_VELCORR_SAMPLED:
        return counts_sampled(vel, n, cnt);
    default:
        return es_error_set(ES_EINVAL, "school velocity correlation: unknown method %d", method);
    }
}

double es_school_h_velcorr(const double *vel, size_t n, size_t exact_max)
{
    if (n < 2)
        return 0.5;
    if (exact_max == 0)
        exact_max = ES_SCHOOL_VELCORR_EXACT_MAX;
    unsigned long long cnt[NB];
    int rc = es_school_velcorr_counts(
        vel, n, n <= exact_max ? ES_SCHOOL_VELCORR_AUTO : ES_SCHOOL_VELCORR_SAMPLED, cnt);
    return rc == ES_OK ? es_school_entropy_counts(cnt, NB) : NAN;
}
