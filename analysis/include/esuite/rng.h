/* esuite/rng.h — seeded random numbers that do not depend on thread count.
 *
 * Two flavours:
 *  - es_rng: a small sequential generator (xoshiro256**) for one stream.
 *    Seed one stream per independent object (fish, orbit, realization) with
 *    es_rng_seed(seed, stream) and results are the same for any number of
 *    OpenMP threads.
 *  - es_counter_*: stateless counter-based draws keyed by (seed, a, b, c),
 *    e.g. (seed, fish, step, component): no state to carry or checkpoint. */
#ifndef ESUITE_RNG_H
#define ESUITE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare;       /* cached second Box–Muller deviate */
    int has_spare;
} es_rng;

void es_rng_seed(es_rng *r, uint64_t seed, uint64_t stream);
uint64_t es_rng_u64(es_rng *r);
double es_rng_uniform(es_rng *r);          /* in [0, 1), 53 random bits */
double es_rng_uniform_pos(es_rng *r);      /* in (0, 1) */
double es_rng_gauss(es_rng *r);            /* standard normal */
uint64_t es_rng_below(es_rng *r, uint64_t n); /* uniform in [0, n), unbiased */

uint64_t es_counter_u64(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
double es_counter_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c); /* (0,1) */
/* Two independent standard normals from one key. */
void es_counter_gauss2(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, double out[2]);
/* Gaussian triples for counters a0 .. a0 + n - 1 at `step`: g[3k + c] for
 * counter a0 + k. The uniforms of es_counter_gauss2(seed, a, step, 0) (c = 0,
 * 1) and (…, 1) (c = 2), turned into normals by Box-Muller with a portable
 * log and sin/cos: the same bits on every machine, for any split of the
 * counters, within a few ulp of libm (rng_batch.c). */
void es_counter_gauss3_batch(uint64_t seed, uint64_t step, uint64_t a0, size_t n, double *g);

#endif
