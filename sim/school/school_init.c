/* Initial conditions: uniform box, ball, cube, the reference's torus ring.
 *
 * Draws come either from the counter-based generator keyed by (seed, fish,
 * INIT, k) — independent of threads and of N's order — or from a port of
 * NumPy's legacy MT19937 RandomState so that `init_rng = numpy` reproduces
 * the reference library's t = 0 state for the same seed (spec §3). */
#include "school/school.h"

#include "esuite/rng.h"
#include "esuite/status.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------- NumPy legacy MT19937 */

void es_np_random_seed(es_np_random *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (int i = 1; i < 624; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = 624;
    r->has_gauss = 0;
    r->gauss = 0.0;
}

static uint32_t mt_next(es_np_random *r)
{
    if (r->mti >= 624) {
        for (int k = 0; k < 624; k++) {
            uint32_t y = (r->mt[k] & 0x80000000u) | (r->mt[(k + 1) % 624] & 0x7fffffffu);
            r->mt[k] = r->mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        r->mti = 0;
    }
    uint32_t y = r->mt[r->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double es_np_random_rand(es_np_random *r)
{
    uint32_t a = mt_next(r) >> 5, b = mt_next(r) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double es_np_random_randn(es_np_random *r)
{
    if (r->has_gauss) {
        r->has_gauss = 0;
        return r->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * es_np_random_rand(r) - 1.0;
        x2 = 2.0 * es_np_random_rand(r) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    r->gauss = f * x1;
    r->has_gauss = 1;
    return f * x2;
}

/* ------------------------------------------------------------- sources */

#define INIT_STEP UINT64_MAX /* step key reserved for the initial state */

typedef struct {
    const es_school_params *p;
    es_np_random np;
} draws;

static double uni(draws *d, size_t i, int k)
{
    if (d->p->init_rng == ES_SCHOOL_RNG_NUMPY)
        return es_np_random_rand(&d->np);
    return es_counter_uniform(d->p->seed, i, INIT_STEP, 100 + (uint64_t)k);
}

static double gau(draws *d, size_t i, int k)
{
    if (d->p->init_rng == ES_SCHOOL_RNG_NUMPY)
        return es_np_random_randn(&d->np);
    double g[2];
    es_counter_gauss2(d->p->seed, i, INIT_STEP, (uint64_t)(k / 2), g);
    return g[k % 2];
}

static void normalise(double *v)
{
    double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (n == 0.0) {
        v[0] = 1.0; /* a zero draw (probability 0) gets a fixed heading */
        return;
    }
    for (int a = 0; a < 3; a++)
        v[a] /= n;
}

static double wrap(double x, double L)
{
    double y = fmod(x, L);
    if (y < 0)
        y += L;
    return y >= L ? 0.0 : y;
}

/* Isotropic headings from three normals per fish (the reference's randn(N,3)). */
static void random_headings(es_school *s, draws *d)
{
    for (size_t i = 0; i < s->n; i++) {
        double *u = s->dir + 3 * i;
        for (int a = 0; a < 3; a++)
            u[a] = gau(d, i, a);
        normalise(u);
    }
}

static void init_region(es_school *s, draws *d)
{
    const es_school_params *p = s->p.init == ES_SCHOOL_INIT_BOX ? NULL : &s->p;
    double L = s->p.box, c = 0.5 * L;
    for (size_t i = 0; i < s->n; i++) {
        double *x = s->pos + 3 * i;
        if (!p) { /* rand(N,3)·L, row by row */
            for (int a = 0; a < 3; a++)
                x[a] = uni(d, i, a) * L;
        } else if (p->init == ES_SCHOOL_INIT_CUBE) {
            double a0 = p->init_size > 0 ? p->init_size : 0.5 * L;
            for (int a = 0; a < 3; a++)
                x[a] = c + (uni(d, i, a) - 0.5) * a0;
        } else { /* ball: rejection from the enclosing cube */
            double R = p->init_size > 0 ? p->init_size : 0.25 * L, q[3];
            for (int t = 0;; t += 3) {
                for (int a = 0; a < 3; a++)
                    q[a] = 2.0 * uni(d, i, t + a) - 1.0;
                if (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] <= 1.0)
                    break;
            }
            for (int a = 0; a < 3; a++)
                x[a] = c + R * q[a];
        }
    }
    random_headings(s, d);
}

/* The reference's ring: θ = 2πi/N + 0.1 g1, r = R + 0.15R g2,
 * z = L/2 + 0.3R g3, heading (−sin θ, cos θ, 0.1 g4). */
static void init_torus(es_school *s, draws *d)
{
    double L = s->p.box, c = 0.5 * L;
    double R = s->p.init_size > 0 ? s->p.init_size : 0.25 * L;
    for (size_t i = 0; i < s->n; i++) {
        double g1 = gau(d, i, 0), g2 = gau(d, i, 1), g3 = gau(d, i, 2), g4 = gau(d, i, 3);
        double th = 2.0 * M_PI * (double)i / (double)s->n + 0.1 * g1;
        double r = R + 0.15 * R * g2, z = c + 0.3 * R * g3;
        double *x = s->pos + 3 * i, *u = s->dir + 3 * i;
        x[0] = c + r * cos(th);
        x[1] = c + r * sin(th);
        x[2] = z;
        u[0] = -sin(th);
        u[1] = cos(th);
        u[2] = 0.1 * g4;
        normalise(u);
    }
}

int es_school_init_state(es_school *s)
{
    draws d = {.p = &s->p};
    if (s->p.init_rng == ES_SCHOOL_RNG_NUMPY) {
        if (s->p.seed > UINT32_MAX)
            return es_error_set(ES_EINVAL,
                                "school: init_rng = numpy needs a seed in [0, 2^32-1], got %llu",
                                (unsigned long long)s->p.seed);
        es_np_random_seed(&d.np, (uint32_t)s->p.seed);
    }
    if (s->p.init == ES_SCHOOL_INIT_FILE) {
        if (!s->p.init_pos || !s->p.init_vel)
            return es_error_set(ES_EINVAL, "school: init = file without positions/velocities");
        memcpy(s->pos, s->p.init_pos, 3 * s->n * sizeof *s->pos);
        memcpy(s->dir, s->p.init_vel, 3 * s->n * sizeof *s->dir);
        for (size_t i = 0; i < s->n; i++)
            normalise(s->dir + 3 * i);
    } else if (s->p.init == ES_SCHOOL_INIT_TORUS) {
        init_torus(s, &d);
    } else {
        init_region(s, &d);
    }
    if (s->p.mode == ES_SCHOOL_MODE_DEWI)
        for (size_t k = 0; k < 3 * s->n; k++)
            s->pos[k] = wrap(s->pos[k], s->p.box);
    s->step = 0;
    return ES_OK;
}
