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

void es_gen_henon(double *x, double *y, size_t T, double a, double b)
{
    double xp = 1.0, yp = 1.0;
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

int es_gen_colored_noise(double *x, size_t T, double alpha, uint64_t seed)
{
    if (!isfinite(alpha) || alpha < -4.0 || alpha > 4.0)
        return es_error_set(ES_EINVAL, "noise: spectral exponent alpha = %g out of range [-4, 4]",
                            alpha);
    if (T == 0)
        return ES_OK;
    es_rng r;
    es_rng_seed(&r, seed, 0);
    for (size_t i = 0; i < T; i++)
        x[i] = es_rng_gauss(&r);
    if (alpha == 0.0 || T < 2) /* white: all weights are 1, the filter is the identity */
        return ES_OK;

    size_t nb = T / 2 + 1;
    double *w = malloc(nb * sizeof *w);
    gsl_fft_real_wavetable *rt = gsl_fft_real_wavetable_alloc(T);
    gsl_fft_halfcomplex_wavetable *ht = gsl_fft_halfcomplex_wavetable_alloc(T);
    gsl_fft_real_workspace *ws = gsl_fft_real_workspace_alloc(T);
    int rc = ES_OK;
    if (!w || !rt || !ht || !ws) {
        rc = es_error_set(ES_ENOMEM, "noise: cannot allocate an FFT of length %zu", T);
        goto out;
    }
    noise_weights(w, nb, T, alpha);
    if (gsl_fft_real_transform(x, 1, T, rt, ws)) {
        rc = es_error_set(ES_EINVAL, "noise: FFT of length %zu failed", T);
        goto out;
    }
    /* Half-complex layout: x[0] = Re(0); x[2k−1], x[2k] = Re, Im of bin k;
     * for even T, x[T−1] = Re(T/2). */
    x[0] *= w[0];
    for (size_t k = 1; 2 * k - 1 < T; k++) {
        x[2 * k - 1] *= w[k];
        if (2 * k < T)
            x[2 * k] *= w[k];
    }
    if (gsl_fft_halfcomplex_inverse(x, 1, T, ht, ws))
        rc = es_error_set(ES_EINVAL, "noise: inverse FFT of length %zu failed", T);
out:
    free(w);
    gsl_fft_real_wavetable_free(rt);
    gsl_fft_halfcomplex_wavetable_free(ht);
    gsl_fft_real_workspace_free(ws);
    return rc;
}
