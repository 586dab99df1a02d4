/* Test-signal generators. The maps evaluate in the reference package's order
 * (and the build uses -ffp-contract=off) so that their first ~50 values are
 * bit-identical to numpy's; the noise is our own seeded Gaussian version. */
#include "esuite/ordinal.h"

#include "esuite/rng.h"
#include "esuite/status.h"

#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <stdlib.h>

void es_gen_logistic(double *x, size_t T, double r, double x0)
{
    if (T == 0)
        return;
    x[0] = x0;
    for (size_t i = 1; i < T; i++)
        x[i] = (r * x[i - 1]) * (1.0 - x[i - 1]);
}

void es_gen_henon_from(double *x, double *y, size_t T, double a, double b, double x0, double y0)
{
    double xp = x0, yp = y0;
    for (size_t i = 0; i < T; i++) {
        if (i > 0) {
            double xn = 1.0 - a * (xp * xp) + yp;
            yp = b * xp;
            xp = xn;
        }
        x[i] = xp;
        if (y)
            y[i] = yp;
    }
}

void es_gen_henon(double *x, double *y, size_t T, double a, double b)
{
    es_gen_henon_from(x, y, T, a, b, 1.0, 1.0);
}

void es_gen_tent(double *x, size_t T, double mu, double x0)
{
    if (T == 0)
        return;
    x[0] = x0;
    for (size_t i = 1; i < T; i++) {
        double v = x[i - 1];
        x[i] = v < 0.5 ? mu * v : mu * (1.0 - v);
    }
}

void es_gen_asymm_tent(double *x, size_t T, double a, double x0)
{
    if (T == 0)
        return;
    x[0] = x0;
    for (size_t i = 1; i < T; i++) {
        double v = x[i - 1];
        x[i] = v < a ? v / a : (1.0 - v) / (1.0 - a);
    }
}

void es_gen_lorenz(double *x, double *y, double *z, size_t T, double dt, double sigma, double rho,
                   double beta, const double init[3])
{
    /* Explicit Euler, component by component as the package's vector update
     * state + f(state)·dt: T samples are T − 1 steps (its nsteps + 1). */
    double a = init[0], b = init[1], c = init[2];
    for (size_t i = 0; i < T; i++) {
        if (i > 0) {
            double fa = sigma * (b - a);
            double fb = rho * a - b - a * c;
            double fc = a * b - beta * c;
            a = a + fa * dt;
            b = b + fb * dt;
            c = c + fc * dt;
        }
        if (x)
            x[i] = a;
        if (y)
            y[i] = b;
        if (z)
            z[i] = c;
    }
}

void es_gen_sine(double *x, size_t T, double dt, double omega, double phase)
{
    for (size_t i = 0; i < T; i++)
        x[i] = sin(omega * ((double)i * dt) + phase);
}

/* Filter f^alpha on the real-FFT bins k = 0..T/2 (f = k/T), zero mean term
 * for alpha != 0, rescaled so the mean of w² over those bins is 1. */
static void noise_weights(double *w, size_t nb, size_t T, double alpha)
{
    double s2 = 0.0;
    w[0] = 0.0;
    for (size_t k = 1; k < nb; k++) {
        w[k] = pow((double)k / (double)T, alpha);
        s2 += w[k] * w[k];
    }
    double scale = 1.0 / sqrt(s2 / (double)nb);
    for (size_t k = 1; k < nb; k++)
        w[k] *= scale;
}

/* Largest prime factor of M (trial division; M is a series length). */
static size_t largest_prime_factor(size_t M)
{
    size_t best = 1;
    for (size_t p = 2; p * p <= M; p++)
        while (M % p == 0) {
            best = p;
            M /= p;
        }
    return M > 1 ? M : best;
}

/* GSL's mixed-radix FFT costs O(T·p) for a prime factor p: lengths whose
 * largest prime factor exceeds 97 are generated at the smallest longer
 * length without one (≤ 1 % longer in practice) and truncated. */
static size_t fft_length(size_t T)
{
    size_t M = T;
    while (largest_prime_factor(M) > 97)
        M++;
    return M;
}

/* Coloured noise: Gaussian white noise (es_rng stream 0 of `seed`), real
 * FFT, amplitude filter f^alpha on bins k = 1..M/2 (zero mean term), inverse
 * FFT. The transform runs at length T when T's prime factors are all ≤ 97
 * (the spectrum is then exact); otherwise at the next length M > T that has
 * no larger prime factor, keeping the first T samples and subtracting their
 * mean (truncation leaks some power into the lowest frequencies, visible
 * only for blue/violet noise). */
int es_gen_colored_noise(double *x, size_t T, double alpha, uint64_t seed)
{
    if (!isfinite(alpha) || alpha < -4.0 || alpha > 4.0)
        return es_error_set(ES_EINVAL, "noise: spectral exponent alpha = %g out of range [-4, 4]",
                            alpha);
    if (T == 0)
        return ES_OK;
    es_rng r;
    es_rng_seed(&r, seed, 0);
    if (alpha == 0.0 || T < 2) { /* white: all weights are 1, the filter is the identity */
        for (size_t i = 0; i < T; i++)
            x[i] = es_rng_gauss(&r);
        return ES_OK;
    }
    const size_t M = fft_length(T);
    const size_t nb = M / 2 + 1;
    double *y = M == T ? x : malloc(M * sizeof *y);
    double *w = malloc(nb * sizeof *w);
    gsl_fft_real_wavetable *rt = gsl_fft_real_wavetable_alloc(M);
    gsl_fft_halfcomplex_wavetable *ht = gsl_fft_halfcomplex_wavetable_alloc(M);
    gsl_fft_real_workspace *ws = gsl_fft_real_workspace_alloc(M);
    int rc = ES_OK;
    if (!y || !w || !rt || !ht || !ws) {
        rc = es_error_set(ES_ENOMEM, "noise: cannot allocate an FFT of length %zu", M);
        goto out;
    }
    for (size_t i = 0; i < M; i++)
        y[i] = es_rng_gauss(&r);
    noise_weights(w, nb, M, alpha);
    if (gsl_fft_real_transform(y, 1, M, rt, ws)) {
        rc = es_error_set(ES_EINVAL, "noise: FFT of length %zu failed", M);
        goto out;
    }
    /* Half-complex layout: y[0] = Re(0); y[2k−1], y[2k] = Re, Im of bin k;
     * for even M, y[M−1] = Re(M/2). */
    y[0] *= w[0];
    for (size_t k = 1; 2 * k - 1 < M; k++) {
        y[2 * k - 1] *= w[k];
        if (2 * k < M)
            y[2 * k] *= w[k];
    }
    if (gsl_fft_halfcomplex_inverse(y, 1, M, ht, ws)) {
        rc = es_error_set(ES_EINVAL, "noise: inverse FFT of length %zu failed", M);
        goto out;
    }
    if (M != T) {
        double mean = 0.0;
        for (size_t i = 0; i < T; i++)
            mean += y[i];
        mean /= (double)T;
        for (size_t i = 0; i < T; i++)
            x[i] = y[i] - mean;
    }
out:
    if (y != x)
        free(y);
    free(w);
    gsl_fft_real_wavetable_free(rt);
    gsl_fft_halfcomplex_wavetable_free(ht);
    gsl_fft_real_workspace_free(ws);
    return rc;
}
