/* Counter-based Gaussian triples in blocks of eight, for per-step noise.
 *
 * Box-Muller as es_counter_gauss2 on the same counters, but with a log and
 * a sin/cos of our own: plain IEEE operations (+ - * / sqrt, integer bit
 * manipulation, exact conversions), no comparisons and no libm, in a fixed
 * order. The block is written with GCC vector types of eight lanes, so
 * every clone (AVX-512, AVX2, baseline) and every lane computes the same
 * bits, and a fish's numbers do not depend on the block it falls in: the
 * noise stays identical for any thread count, split or instruction set.
 * (libm's scalar log and sincos were ≈ 100 ns of each fish's step.)
 *
 * Accuracy: the log by the atanh series of s = (m - 1)/(m + 1),
 * |s| <= 0.172, to s^23; sin and cos by their Taylor series on
 * |x| <= π/4 to x^19 and x^20. Both within a few ulp of libm (tested).
 * Built with -fno-math-errno so that sqrt is one instruction. */
#include "esuite/rng.h"

#include <math.h>

typedef double vd8 __attribute__((vector_size(64)));
typedef uint64_t vu8 __attribute__((vector_size(64)));
typedef int64_t vi8 __attribute__((vector_size(64)));

#define VD(x) ((vd8){(x), (x), (x), (x), (x), (x), (x), (x)})
#define VU(x) ((vu8){(x), (x), (x), (x), (x), (x), (x), (x)})

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GB_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define GB_CLONES
#endif

static inline __attribute__((always_inline)) void mix8(vu8 *z)
{
    vu8 x = *z + VU(0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * VU(0xbf58476d1ce4e5b9ULL);
    x = (x ^ (x >> 27)) * VU(0x94d049bb133111ebULL);
    *z = x ^ (x >> 31);
}

/* ((h >> 11) + 0.5)·2^-53: the uniform of es_counter_uniform, in (0, 1). */
static inline __attribute__((always_inline)) void uniform8(const vu8 *h, vd8 *u)
{
    *u = (__builtin_convertvector(*h >> 11, vd8) + VD(0.5)) * VD(0x1.0p-53);
}

/* log(u) for u in (0, 1): u = 2^k·m with m in [√2/2, √2) by integer steps
 * on the bit pattern (the offset moves the mantissa range), then
 * log(m) = 2s(1 + s²/3 + s⁴/5 + ...). */
static inline __attribute__((always_inline)) void log8(const vd8 *u, vd8 *out)
{
    const uint64_t sqrt_half = 0x3fe6a09e667f3bcdULL; /* bits of √2/2 */
    vu8 hx = (vu8)*u + VU(0x3ff0000000000000ULL - sqrt_half);
    const vi8 k = (vi8)(hx >> 52) - (vi8)VU(0x3ff);
    hx = (hx & VU(0x000fffffffffffffULL)) + VU(sqrt_half);
    const vd8 f = (vd8)hx - VD(1.0); /* exact: m in [0.5, 2] */
    const vd8 s = f / (VD(2.0) + f), z = s * s;
    static const double c[] = {0x1.642c8590b2164p-5, 0x1.8618618618618p-5, 0x1.af286bca1af28p-5,
                               0x1.e1e1e1e1e1e1ep-5, 0x1.1111111111111p-4, 0x1.3b13b13b13b14p-4,
                               0x1.745d1745d1746p-4, 0x1.c71c71c71c71cp-4, 0x1.2492492492492p-3,
                               0x1.999999999999ap-3, 0x1.5555555555555p-2}; /* 1/23 .. 1/3 */
    vd8 p = VD(c[0]);
    for (int j = 1; j < 11; j++)
        p = p * z + VD(c[j]);
    const vd8 two_s = VD(2.0) * s;
    *out = __builtin_convertvector(k, vd8) * VD(M_LN2) + (two_s + two_s * (p * z));
}

/* a where m is all ones, b where m is zero */
#define SEL8(m, a, b) (((a) & (m)) | ((b) & ~(m)))

/* cos and sin of 2π·v, v in (0, 1): v = q/4 + r with q = round(4v) and
 * |r| <= 1/8 (exact subtraction), x = 2πr, then the quadrant q mod 4. */
static inline __attribute__((always_inline)) void cossin8(const vd8 *v, vd8 *cs, vd8 *sn)
{
    const vi8 q = __builtin_convertvector(*v * VD(4.0) + VD(0.5), vi8); /* v > 0: truncation */
    const vd8 r = *v - __builtin_convertvector(q, vd8) * VD(0.25);
    const vd8 x = r * VD(2.0 * M_PI), z = x * x;
    static const double sc[] = {-0x1.2f49b46814157p-57, 0x1.952c77030ad4ap-49,
                                -0x1.ae7f3e733b81fp-41, 0x1.6124613a86d09p-33,
                                -0x1.ae64567f544e4p-26, 0x1.71de3a556c734p-19,
                                -0x1.a01a01a01a01ap-13, 0x1.1111111111111p-7,
                                -0x1.5555555555555p-3}; /* (-1)^k/(2k+1)!, k = 9 .. 1 */
    static const double cc[] = {0x1.e542ba4020225p-62,  -0x1.6827863b97d97p-53,
                                0x1.ae7f3e733b81fp-45,  -0x1.93974a8c07c9dp-37,
                                0x1.1eed8eff8d898p-29,  -0x1.27e4fb7789f5cp-22,
                                0x1.a01a01a01a01ap-16,  -0x1.6c16c16c16c17p-10,
                                0x1.5555555555555p-5,   -0x1.0000000000000p-1}; /* k = 10 .. 1 */
    vd8 ps = VD(sc[0]), pc = VD(cc[0]);
    for (int j = 1; j < 9; j++)
        ps = ps * z + VD(sc[j]);
    for (int j = 1; j < 10; j++)
        pc = pc * z + VD(cc[j]);
    const vd8 s = x + x * (z * ps), c = VD(1.0) + z * pc;
    const vu8 uq = (vu8)q, swap = VU(0) - (uq & VU(1));
    const vu8 neg_c = (((uq + VU(1)) >> 1) & VU(1)) << 63, neg_s = ((uq >> 1) & VU(1)) << 63;
    *cs = (vd8)(SEL8(swap, (vu8)s, (vu8)c) ^ neg_c);
    *sn = (vd8)(SEL8(swap, (vu8)c, (vu8)s) ^ neg_s);
}

/* Both Box-Muller outputs of the counters h1 (radius) and mix(h1 ^ K) (angle). */
static inline __attribute__((always_inline)) void box_muller8(const vu8 *h, vd8 *g0, vd8 *g1)
{
    const vu8 h1 = *h;
    vu8 h2 = h1 ^ VU(0x082efa98ec4e6c89ULL);
    mix8(&h2);
    vd8 u1, u2, l, c, s;
    uniform8(&h1, &u1);
    uniform8(&h2, &u2);
    log8(&u1, &l);
    const vd8 m = VD(-2.0) * l;
    const vd8 rad = {sqrt(m[0]), sqrt(m[1]), sqrt(m[2]), sqrt(m[3]),
                     sqrt(m[4]), sqrt(m[5]), sqrt(m[6]), sqrt(m[7])};
    cossin8(&u2, &c, &s);
    *g0 = rad * c;
    *g1 = rad * s;
}

/* Eight fish a0 .. a0 + 7: es_counter_u64's chain on (seed, fish, step, 0)
 * and (…, 1), lanes past `count` dropped. */
static inline __attribute__((always_inline)) void gauss3_block(uint64_t seed, uint64_t step,
                                                              uint64_t a0, size_t count,
                                                              double *g)
{
    uint64_t z0 = seed ^ 0x243f6a8885a308d3ULL;
    vu8 z = VU(z0);
    mix8(&z);
    z ^= VU(a0) + (vu8){0, 1, 2, 3, 4, 5, 6, 7};
    mix8(&z);
    z ^= VU(step + 0x13198a2e03707344ULL);
    mix8(&z);
    vu8 h0 = z ^ VU(0xa4093822299f31d0ULL), h1 = z ^ VU(1 + 0xa4093822299f31d0ULL);
    mix8(&h0);
    mix8(&h1);
    vd8 a, b, c, d;
    box_muller8(&h0, &a, &b);
    box_muller8(&h1, &c, &d);
    for (size_t l = 0; l < count; l++) {
        g[3 * l] = a[l];
        g[3 * l + 1] = b[l];
        g[3 * l + 2] = c[l];
    }
}

GB_CLONES void es_counter_gauss3_batch(uint64_t seed, uint64_t step, uint64_t a0, size_t n,
                                       double *g)
{
    for (size_t i = 0; i < n; i += 8)
        gauss3_block(seed, step, a0 + i, n - i < 8 ? n - i : 8, g + 3 * i);
}
