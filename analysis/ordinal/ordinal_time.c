/* Timescales: pattern time t_pat ↔ delay, natural timescale t_nat, the
 * ideal-sampling rule (0.3 ≤ t_pat/t_nat ≤ 0.5, t_dur ≥ 1.5 t_nat) and the
 * automatic analysis at t_pat = 0.4 t_nat. */
#include "ordinal_internal.h"

#include "esuite/status.h"

#include <math.h>
#include <string.h>

double es_ordinal_tpat(int delay, double dt, int n) { return delay * dt * (n - 1.0); }

long long es_ordinal_delay_from_tpat(double tpat, double dt, int n)
{
    /* nearbyint rounds half to even in the default rounding mode (numpy's
     * np.round); no clamping here: 0 means t_pat < dt(n−1)/2. */
    return (long long)nearbyint(tpat / (dt * (n - 1.0)));
}

static const char *const tnat_names[] = {"ncross", "maxavg", "minavg"};

const char *es_tnat_method_name(es_tnat_method m)
{
    return (m >= ES_TNAT_NCROSS && m <= ES_TNAT_MINAVG) ? tnat_names[m] : "unknown";
}

int es_tnat_method_parse(const char *s, es_tnat_method *m)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, tnat_names[i]) == 0) {
            *m = (es_tnat_method)i;
            return ES_OK;
        }
    return es_error_set(ES_EINVAL, "ordinal: unknown t_nat method '%s' (allowed: ncross, maxavg, minavg)",
                        s ? s : "(null)");
}

static double tstamp(const double *t, double dt, size_t i) { return t ? t[i] : (double)i * dt; }

/* Sign changes of x − c, ignoring samples exactly equal to c: a pass through
 * c via an exact hit (+, 0, −) is one crossing; a touch (+, 0, +) is none. */
static size_t count_crossings(const double *x, size_t T, double c)
{
    size_t count = 0;
    int last = 0;
    for (size_t i = 0; i < T; i++) {
        double d = x[i] - c;
        int s = (d > 0.0) - (d < 0.0);
        if (s == 0)
            continue;
        if (last != 0 && s != last)
            count++;
        last = s;
    }
    return count;
}

/* Mean spacing of the time stamps of strict local extrema (sign +1: maxima). */
static int extrema_spacing(const double *t, double dt, const double *x, size_t T, int sign,
                           double *out)
{
    size_t count = 0, first = 0, last = 0;
    for (size_t i = 1; i + 1 < T; i++) {
        double a = sign * x[i - 1], b = sign * x[i], c = sign * x[i + 1];
        if (b > a && b > c) {
            if (count == 0)
                first = i;
            last = i;
            count++;
        }
    }
    if (count < 2)
        return es_error_set(ES_ESHORT, "ordinal: t_nat (%s) needs at least 2 strict local %s, "
                                       "found %zu",
                            sign > 0 ? "maxavg" : "minavg", sign > 0 ? "maxima" : "minima", count);
    /* Mean of consecutive differences = (last − first)/(count − 1). */
    *out = (tstamp(t, dt, last) - tstamp(t, dt, first)) / (double)(count - 1);
    return ES_OK;
}

/* Mean of finite samples.  The plain sum overflows to ±inf for values near
 * DBL_MAX (a sine of amplitude 1.7e308 has mean ~0 but its sum was inf, so
 * ncross reported "0 crossings of inf"); then the sum is taken again scaled
 * by 2^-64, exact for all but values below 2^-958, which cannot matter next
 * to ones that overflow, so ordinary series keep the plain sum bit for bit. */
static double series_mean(const double *x, size_t T)
{
    double sum = 0.0;
    for (size_t i = 0; i < T; i++)
        sum += x[i];
    if (isfinite(sum))
        return sum / (double)T;
    sum = 0.0;
    for (size_t i = 0; i < T; i++)
        sum += ldexp(x[i], -64);
    return ldexp(sum / (double)T, 64);
}

int es_ordinal_tnat(const double *t, double dt, const double *x, size_t T, es_tnat_method m,
                    const double *cross, double *tnat)
{
    if (!x || T < 3)
        return es_error_set(ES_ESHORT, "ordinal: t_nat needs at least 3 samples, got %zu", T);
    if (!t && !(dt > 0.0 && isfinite(dt)))
        return es_error_set(ES_EINVAL, "ordinal: time step dt = %g must be positive and finite", dt);
    for (size_t i = 0; i < T; i++)
        if (!isfinite(x[i]))
            return es_error_set(ES_EDATA, "ordinal: sample %zu (0-based) is %s", i,
                                isnan(x[i]) ? "NaN" : "infinite");
    switch (m) {
    case ES_TNAT_NCROSS: {
        double c;
        if (cross) {
            c = *cross;
        } else {
            c = series_mean(x, T);
        }
        size_t k = count_crossings(x, T, c);
        if (k < 2)
            return es_error_set(ES_ESHORT, "ordinal: t_nat (ncross) needs at least 2 crossings of "
                                           "%g, found %zu",
                                c, k);
        double dur = tstamp(t, dt, T - 1) - tstamp(t, dt, 0);
        *tnat = dur / ((double)k / 2.0);
        return ES_OK;
    }
    case ES_TNAT_MAXAVG:
        return extrema_spacing(t, dt, x, T, +1, tnat);
    case ES_TNAT_MINAVG:
        return extrema_spacing(t, dt, x, T, -1, tnat);
    }
    return es_error_set(ES_EINVAL, "ordinal: unknown t_nat method %d", (int)m);
}

static int round_delay(double v, const char *what)
{
    double r = nearbyint(v);
    if (r < 1.0) {
        es_warning_add("ordinal: %s delay %.3g rounds to %.0f; using 1 (sampling too coarse for "
                       "this t_nat)",
                       what, v, r);
        return 1;
    }
    if (r > 2147483647.0)
        return 2147483647;
    return (int)r;
}

int es_ordinal_sampling(double tnat, double tdur, double dt, int n, int *delay_lo, int *delay_hi,
                        int *delay_ideal)
{
    if (n < ES_ORDINAL_MIN_ORDER || n > ES_ORDINAL_MAX_ORDER)
        return es_ord_check_params(n, 1);
    if (!(tnat > 0.0 && isfinite(tnat)))
        return es_error_set(ES_EINVAL, "ordinal: t_nat = %g must be positive and finite", tnat);
    if (!(dt > 0.0 && isfinite(dt)))
        return es_error_set(ES_EINVAL, "ordinal: dt = %g must be positive and finite", dt);
    if (!(tdur >= tnat))
        return es_error_set(ES_ESHORT, "ordinal: series duration t_dur = %g is shorter than one "
                                       "natural timescale t_nat = %g (need t_dur >= 1.5 t_nat)",
                            tdur, tnat);
    if (tdur < 1.5 * tnat)
        es_warning_add("ordinal: t_dur/t_nat = %.3g is below the recommended 1.5", tdur / tnat);
    double v = tnat / (dt * (n - 1.0));
    if (delay_lo)
        *delay_lo = round_delay(0.3 * v, "0.3 t_nat");
    if (delay_hi)
        *delay_hi = round_delay(0.5 * v, "0.5 t_nat");
    if (delay_ideal)
        *delay_ideal = round_delay(0.4 * v, "0.4 t_nat (ideal)");
    return ES_OK;
}

int es_ordinal_auto(const double *t, double dt, const double *x, size_t T, int n,
                    es_tnat_method m, unsigned flags, es_ordinal_auto_result *out)
{
    if (T < 3 || !x)
        return es_error_set(ES_ESHORT, "ordinal: automatic analysis needs at least 3 samples");
    if (t && !(dt > 0.0)) /* dt from the time stamps: mean spacing */
        dt = (t[T - 1] - t[0]) / (double)(T - 1);
    int rc = es_ordinal_tnat(t, dt, x, T, m, NULL, &out->tnat);
    if (rc)
        return rc;
    out->dt = dt;
    out->tdur = tstamp(t, dt, T - 1) - tstamp(t, dt, 0);
    rc = es_ordinal_sampling(out->tnat, out->tdur, dt, n, &out->delay_lo, &out->delay_hi,
                             &out->delay);
    if (rc)
        return rc;
    out->tpat = es_ordinal_tpat(out->delay, dt, n);
    return es_ordinal_hc(x, T, n, out->delay, flags, &out->result);
}
