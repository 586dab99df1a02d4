#include "esuite/rng.h"

#include <math.h>

/* splitmix64 finaliser: a bijective 64-bit mixer with full avalanche. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void es_rng_seed(es_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t z = mix64(seed) ^ mix64(stream ^ 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++) {
        z = mix64(z + (uint64_t)i);
        r->s[i] = z;
    }
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* xoshiro must not start from the all-zero state */
    r->has_spare = 0;
    r->spare = 0.0;
}

uint64_t es_rng_u64(es_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double es_rng_uniform(es_rng *r) { return (double)(es_rng_u64(r) >> 11) * 0x1.0p-53; }

double es_rng_uniform_pos(es_rng *r)
{
    return ((double)(es_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t es_rng_below(es_rng *r, uint64_t n)
{
    /* Rejection keeps the draw unbiased for any n. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = es_rng_u64(r);
    } while (x >= limit);
    return x % n;
}

static void box_muller(double u1, double u2, double out[2])
{
    double rad = sqrt(-2.0 * log(u1));
    double ang = 2.0 * M_PI * u2;
    out[0] = rad * cos(ang);
    out[1] = rad * sin(ang);
}

double es_rng_gauss(es_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double g[2];
    box_muller(es_rng_uniform_pos(r), es_rng_uniform_pos(r), g);
    r->spare = g[1];
    r->has_spare = 1;
    return g[0];
}

uint64_t es_counter_u64(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t z = mix64(seed ^ 0x243f6a8885a308d3ULL);
    z = mix64(z ^ a);
    z = mix64(z ^ (b + 0x13198a2e03707344ULL));
    return mix64(z ^ (c + 0xa4093822299f31d0ULL));
}

double es_counter_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return ((double)(es_counter_u64(seed, a, b, c) >> 11) + 0.5) * 0x1.0p-53;
}

void es_counter_gauss2(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, double out[2])
{
    uint64_t h1 = es_counter_u64(seed, a, b, c);
    uint64_t h2 = mix64(h1 ^ 0x082efa98ec4e6c89ULL);
    box_muller(((double)(h1 >> 11) + 0.5) * 0x1.0p-53, ((double)(h2 >> 11) + 0.5) * 0x1.0p-53, out);
}
