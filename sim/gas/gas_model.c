/* `[run] model = gas`: free expansion of a hard-disc gas and its coarse-grained
 * Boltzmann entropy (docs/gas.md). Maps the [gas] and [entropy] keys onto
 * es_gas_run (gas_run.h) and writes gas.h5 and summary.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"
#include "esuite/status.h"
#include "gas/gas_plots.h"
#include "gas/gas_run.h"

/* The largest N: the schema's limit of the N key and of a derived N. */
#define GAS_N_MAX 50000000L
/* The largest box side: the schema's limit of lx and ly and of a derived box
 * (squares of positions beyond ~1e150 overflow, and the run never ends). */
#define GAS_L_MAX 1e12
/* The smallest positive diameter. Pair prediction works with squares of
 * lengths of order sigma: below ~1e-154 sigma^2 is subnormal (diameter 1e-160
 * drifted the energy by 1e-3, 1e-300 never finished the equilibration); 1e-100
 * keeps every such square a full-precision double. */
#define GAS_SIGMA_MIN 1e-100
/* The smallest explicit box side: cell widths are fractions of it and their
 * reciprocals must stay finite (lx = 1e-310 gave infinite densities and a
 * position entropy 2.3 off ln(lx ly / 2)); the same bound as the diameter. */
#define GAS_L_MIN GAS_SIGMA_MIN
/* The largest sampling time (the schema's limit of t_end and times), also of
 * the t_end that sampling = u derives. */
#define GAS_T_MAX 1e15

static const es_key_spec gas_schema[] = {
    {"gas", "N", ES_KEY_INT, "2000", 0, GAS_N_MAX, NULL, "1",
     "Number of discs; 0 derives it from packing_fraction and knudsen (an explicit box, lx and ly, needs N >= 1; equilibration_collisions > 0 with diameter > 0, and knudsen, need N >= 2: one disc never collides)."},
    {"gas", "packing_fraction", ES_KEY_DOUBLE, "0.01", 0, ES_GAS_ETA_MAX, NULL, "1",
     "Packing fraction eta of the initial region (left half, or the whole periodic box); 0 = not given. At most 0.52, and 0.52 - 0.3/sqrt(N) of the region the discs' bodies reach less diameter/2 at each wall: what random sequential insertion reaches (it jams at 0.547, and its 100000 tries a disc gave out at 0.526 for N = 10^6; docs/gas.md)."},
    {"gas", "knudsen", ES_KEY_DOUBLE, "0", 0, 1e12, NULL, "1",
     "Knudsen number lambda/lx of the initial state (Enskog mean free path); 0 = not given. Exactly two of N, packing_fraction, knudsen must be nonzero unless lx and ly are given."},
    {"gas", "aspect", ES_KEY_DOUBLE, "1", 1e-3, 1e3, NULL, "1",
     "Box aspect ratio lx/ly when the box is derived from N, packing_fraction, knudsen."},
    {"gas", "lx", ES_KEY_DOUBLE, "0", 0, GAS_L_MAX, NULL, "sigma",
     "Explicit box length (with ly; then N is used, and packing_fraction, knudsen, aspect are errors), at least 1e-100; 0 = derive."},
    {"gas", "ly", ES_KEY_DOUBLE, "0", 0, GAS_L_MAX, NULL, "sigma", "Explicit box height (with lx), at least 1e-100."},
    {"gas", "diameter", ES_KEY_DOUBLE, "1", 0, 1e6, NULL, "sigma",
     "Disc diameter; 0 = collisionless gas (needs lx and ly); a positive diameter is at least 1e-100 (squares of smaller lengths lose precision)."},
    {"gas", "temperature", ES_KEY_DOUBLE, "1", 1e-12, 1e12, NULL, "m=kB=1",
     "Initial temperature T0, the unit of the run: times are in sigma/sqrt(T0), velocities (dv, v_max, flows) in sqrt(T0), energies in T0; hard discs have no energy scale, so in these units no result depends on it."},
    {"gas", "box", ES_KEY_ENUM, "expansion", 0, 0, "expansion|periodic", "",
     "expansion: walls in x and a partition at lx/2 removed at t = 0; periodic: equilibrium box (EOS checks)."},
    {"gas", "y_boundary", ES_KEY_ENUM, "periodic", 0, 0, "periodic|reflecting", "",
     "Boundary in y for the expansion box."},
    {"gas", "walls", ES_KEY_ENUM, "centre", 0, 0, "centre|rim", "",
     "Walls (and partition) act on disc centres, or on rims (centres stay diameter/2 away)."},
    {"gas", "equilibration_collisions", ES_KEY_DOUBLE, "10", 0, 1e6, NULL, "1",
     "Collisions per particle run with the partition in place before t = 0 (> 0 needs N >= 2 discs of diameter > 0)."},
    {"gas", "sampling", ES_KEY_ENUM, "u", 0, 0, "linear|log|list|u", "",
     "Sampling times: linear or log in [t_min, t_end], an explicit list, or u = dv*t/lx uniform in [0, u_max] for the smallest dv."},
    {"gas", "samples", ES_KEY_INT, "41", 1, 1e6, NULL, "1", "Number of sampling times after t = 0, which is always sampled first (linear, log, u); times that round to the same double are an error, not merged."},
    {"gas", "t_end", ES_KEY_DOUBLE, "100", 1e-12, GAS_T_MAX, NULL, "sigma/sqrt(T0)", "Last sampling time (linear, log)."},
    {"gas", "t_min", ES_KEY_DOUBLE, "0.1", 1e-12, GAS_T_MAX, NULL, "sigma/sqrt(T0)",
     "First positive sampling time for log sampling (< t_end); with samples = 1 the one time is t_end and t_min is not read."},
    {"gas", "times", ES_KEY_LIST, "1", 0, GAS_T_MAX, NULL, "sigma/sqrt(T0)", "Sampling times for sampling = list, increasing; t = 0 is always sampled and may only open the list."},
    {"gas", "u_max", ES_KEY_DOUBLE, "4", 1e-6, 1e6, NULL, "1", "Largest u = dv*t/lx for sampling = u; the t_end = u_max*lx/dv it gives (smallest dv) has the limit of t_end."},
    {"gas", "realizations", ES_KEY_INT, "1", 1, 100000, NULL, "1",
     "Independent runs (rng stream r of the seed), parallel over OpenMP threads; entropies per run and pooled."},
    {"gas", "profile_bins", ES_KEY_INT, "40", 0, 1e6, NULL, "1", "Bins of the x-profiles (density, flow, temperature); 0 = none."},
    {"gas", "plots", ES_KEY_BOOL, "true", 0, 0, NULL, "",
     "Draw entropy.png (dS/N against u per cell set, with the collisionless limit) and profiles.png with gnuplot; a failure is a warning."},
    {"gas", "cell_occupancy", ES_KEY_DOUBLE, "0", 0, 100, NULL, "1",
     "Performance: target mean discs per cell of the event-driven cell list; 0 = automatic (cell width max(σ, σ·(λ/σ)^0.6), λ the Enskog mean free path)."},
    {"gas", "stop_after_samples", ES_KEY_INT, "0", 0, 1e6, NULL, "1",
     "Testing aid: after this many samples (t = 0 included; fewer than the run takes) write a checkpoint and stop as if SIGUSR1 came (exit 3; continue with esuite run --resume DIR, which sets it to 0 (recorded as an override), so that the output's recorded config reproduces the finished run); 0 = never."},
    {"entropy", "dx", ES_KEY_LIST, "0.05", 1e-9, 0.5, NULL, "lx",
     "Position cell widths as fractions of lx, one per cell set (0.5/dx must be an integer, so that lx/2 lies on a cell boundary; with box = periodic, which has no partition, 1/dx); dx, dy, dv, v_max are parallel lists, a single value applies to every set."},
    {"entropy", "dy", ES_KEY_LIST, "0", 0, 1, "full=0", "ly",
     "Position cell heights as fractions of ly (1/dy must be an integer); full (or 0) = strips of the full height."},
    {"entropy", "dv", ES_KEY_LIST, "0.1", 1e-9, 1e6, NULL, "sqrt(T0)", "Velocity cell sides."},
    {"entropy", "v_max", ES_KEY_LIST, "6", 1e-9, 1e6, NULL, "sqrt(T0)",
     "Velocity grid half-width (components beyond are counted and clamped)."},
    ES_KEY_END};

/* ---- config → run spec -------------------------------------------------- */

typedef struct {
    es_gas_run_spec spec;
    es_bz_grid *sets;
    double *times;
    double *frac_dx, *frac_dy; /* as configured, for the output */
    int compression;           /* [output] compression: deflate level of gas.h5, -1 default (4) */
} gas_setup;

static void setup_free(gas_setup *s)
{
    free(s->sets);
    free(s->times);
    free(s->frac_dx);
    free(s->frac_dy);
}

/* The key a box or packing error points at: of the keys that fix the box
 * (N, lx, ly, diameter for an explicit box; else N, packing_fraction,
 * knudsen), the one es_config_blame picks. */
static const char *box_key(const es_config *cfg)
{
    static const es_config_keyref explicit_keys[] = {
        {"gas", "N"}, {"gas", "lx"}, {"gas", "ly"}, {"gas", "diameter"}};
    static const es_config_keyref derived_keys[] = {
        {"gas", "N"}, {"gas", "packing_fraction"}, {"gas", "knudsen"}};
    if (es_config_double(cfg, "gas", "lx") > 0.0 || es_config_double(cfg, "gas", "ly") > 0.0)
        return es_config_blame(cfg, explicit_keys, 4).key;
    return es_config_blame(cfg, derived_keys, 3).key;
}

/* Re-raise the pending error as a config error naming box_key (the message
 * may not be formatted into itself, so it is copied first). */
static int blame_box(const es_config *cfg)
{
    char msg[ES_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", es_error_message());
    return es_config_key_error(cfg, "gas", box_key(cfg), "%s", msg);
}

/* blame_box, and where all three of N, packing_fraction and knudsen are
 * nonzero because N or packing_fraction was not written (both have nonzero
 * defaults), say so: "give exactly two of N (500), packing_fraction (0.01)
 * and knudsen (0.5)" left the reader to find that 0.01 is in no file. */
static int blame_box_default(const es_config *cfg, long n, double eta, double kn)
{
    const char *unwritten = !es_config_was_set(cfg, "gas", "packing_fraction") ? "packing_fraction"
                            : !es_config_was_set(cfg, "gas", "N")              ? "N"
                                                                               : NULL;
    if (!(n > 0 && eta > 0.0 && kn > 0.0) || !unwritten)
        return blame_box(cfg);
    char msg[ES_MSG_LEN];
    snprintf(msg, sizeof msg, "%s (%s is %s by default: set %s = 0 to give the box by the other two)",
             es_error_message(), unwritten, es_config_string(cfg, "gas", unwritten), unwritten);
    return es_config_key_error(cfg, "gas", box_key(cfg), "%s", msg);
}

static int read_box(const es_config *cfg, es_gas_params *par)
{
    es_gas_params_default(par);
    par->sigma = es_config_double(cfg, "gas", "diameter");
    if (par->sigma > 0.0 && par->sigma < GAS_SIGMA_MIN)
        return es_config_key_error(cfg, "gas", "diameter", "diameter = %g is below %g: squares of lengths "
                                   "this small underflow double precision, and collisions are missed; "
                                   "give diameter >= %g (diameter 1 in a box scaled to match is the same "
                                   "gas in other units), or 0 for a collisionless gas", par->sigma, GAS_SIGMA_MIN, GAS_SIGMA_MIN);
    /* Times, cells and every output are in units of T0 (σ/√T0, √T0, T0), and
     * hard discs have no energy scale: in those units the run is the T0 = 1
     * run. Passing T0 itself made the engine's times raw (t = 0.25 at T0 = 4
     * was u·lx/dv = 0.5 in σ/√T0) while the labels said σ/√T0. */
    par->temperature = 1.0;
    par->box = es_config_enum(cfg, "gas", "box") == 1 ? ES_GAS_BOX_PERIODIC : ES_GAS_BOX_WALLS;
    par->partition = par->box == ES_GAS_BOX_WALLS;
    par->ybc = es_config_enum(cfg, "gas", "y_boundary") == 1 ? ES_GAS_Y_REFLECT : ES_GAS_Y_PERIODIC;
    par->rim = es_config_enum(cfg, "gas", "walls") == 1;
    par->cell_occupancy = es_config_double(cfg, "gas", "cell_occupancy");
    long n = (long)es_config_int(cfg, "gas", "N");
    double lx = es_config_double(cfg, "gas", "lx"), ly = es_config_double(cfg, "gas", "ly");
    if (lx > 0.0 || ly > 0.0) {
        if (!(lx > 0.0 && ly > 0.0) || n < 1)
            return es_config_key_error(cfg, "gas", lx > 0.0 ? "lx" : "ly",
                                       "an explicit box needs lx > 0, ly > 0 and N >= 1 "
                                       "(got lx = %g, ly = %g, N = %ld)", lx, ly, n);
        if (lx < GAS_L_MIN || ly < GAS_L_MIN)
            return es_config_key_error(cfg, "gas", lx < GAS_L_MIN ? "lx" : "ly", "%s = %g is below %g: "
                                       "cells of such a box have widths whose reciprocals overflow double "
                                       "precision; give lx, ly >= %g (and lengths in larger units)",
                                       lx < GAS_L_MIN ? "lx" : "ly", lx < GAS_L_MIN ? lx : ly, GAS_L_MIN,
                                       GAS_L_MIN);
        par->n = n;
        par->lx = lx;
        par->ly = ly;
        return es_gas_params_check(par) ? blame_box(cfg) : ES_OK;
    }
    if (par->sigma <= 0.0)
        return es_config_key_error(cfg, "gas", "diameter", "diameter = 0 (collisionless) needs an "
                                                           "explicit box (lx and ly)");
    double eta = es_config_double(cfg, "gas", "packing_fraction"), kn = es_config_double(cfg, "gas", "knudsen");
    if (es_gas_box_from(par, n, eta, kn, es_config_double(cfg, "gas", "aspect")))
        return blame_box_default(cfg, n, eta, kn);
    if (n <= 0 && par->n > GAS_N_MAX)
        return es_config_key_error(cfg, "gas", box_key(cfg), "packing_fraction = %g and knudsen = %g give "
                                   "N = %ld discs, above the limit of %ld", eta, kn, par->n, GAS_N_MAX);
    if (par->lx > GAS_L_MAX || par->ly > GAS_L_MAX)
        return es_config_key_error(cfg, "gas", box_key(cfg), "the derived box lx = %.3g, ly = %.3g is "
                                   "larger than the %g sigma an explicit box may have", par->lx, par->ly,
                                   GAS_L_MAX);
    /* a derived box can still be too small for its discs (periodic sides) */
    return es_gas_params_check(par) ? blame_box(cfg) : ES_OK;
}

/* The cells must tile the box (1/dx an integer); an expansion's must also have
 * lx/2, the initial density step, on a cell boundary (0.5/dx an integer). A
 * periodic box has no partition: the stricter rule refused dx = 0.2 there. */
static int check_dx(const es_config *cfg, const es_gas_params *par, double fx, size_t c)
{
    int periodic = par->box == ES_GAS_BOX_PERIODIC;
    double cells = (periodic ? 1.0 : 0.5) / fx;
    if (fabs(cells - round(cells)) <= 1e-9 * cells)
        return ES_OK;
    if (periodic)
        return es_config_key_error(cfg, "entropy", "dx", "dx = %g (set %zu): 1/dx = %g must be an integer "
                                   "so that the cells tile the periodic box", fx, c + 1, cells);
    return es_config_key_error(cfg, "entropy", "dx", "dx = %g (set %zu): 0.5/dx = %g must be an "
                               "integer so that lx/2 lies on a cell boundary", fx, c + 1, cells);
}

/* Parallel lists: each of length n_sets or 1. */
static int read_sets(const es_config *cfg, gas_setup *s)
{
    const char *keys[4] = {"dx", "dy", "dv", "v_max"};
    const double *v[4];
    size_t len[4], n = 1;
    for (int k = 0; k < 4; k++) {
        len[k] = es_config_list(cfg, "entropy", keys[k], &v[k]);
        if (len[k] > n)
            n = len[k];
    }
    int longest = 0;
    for (int k = 0; k < 4; k++)
        longest = len[k] > len[longest] ? k : longest;
    for (int k = 0; k < 4; k++)
        if (len[k] != n && len[k] != 1) {
            /* either list may be the wrong one: name the one given last */
            es_config_keyref pair[2] = {{"entropy", keys[k]}, {"entropy", keys[longest]}};
            return es_config_blame_error(cfg, pair, 2, "%s has %zu values but %s has %zu; give one "
                                         "value or one per cell set", keys[k], len[k], keys[longest], n);
        }
    s->sets = calloc(n, sizeof *s->sets);
    s->frac_dx = calloc(n, sizeof(double));
    s->frac_dy = calloc(n, sizeof(double));
    if (!s->sets || !s->frac_dx || !s->frac_dy)
        return es_error_set(ES_ENOMEM, "out of memory");
    const es_gas_params *par = &s->spec.gas;
    int st;
    for (size_t c = 0; c < n; c++) {
        double fx = v[0][len[0] == 1 ? 0 : c], fy = v[1][len[1] == 1 ? 0 : c];
        s->frac_dx[c] = fx;
        s->frac_dy[c] = fy;
        if ((st = check_dx(cfg, par, fx, c)))
            return st;
        if (fy > 0.0 && fabs(1.0 / fy - round(1.0 / fy)) > 1e-9 / fy)
            return es_config_key_error(cfg, "entropy", "dy", "dy = %g (set %zu): 1/dy must be an integer",
                                       fy, c + 1);
        s->sets[c] = (es_bz_grid){.lx = par->lx, .ly = par->ly, .dx = fx * par->lx,
                                  .dy = fy > 0.0 ? fy * par->ly : 0.0,
                                  .dv = v[2][len[2] == 1 ? 0 : c],
                                  .v_max = v[3][len[3] == 1 ? 0 : c]};
        /* es_gas_run finds a grid too large for its cell keys too, but only in
         * a run (not --check) and without file, line or key */
        if (es_bz_grid_check(&s->sets[c])) {
            char msg[ES_MSG_LEN];
            snprintf(msg, sizeof msg, "%s", es_error_message());
            es_config_keyref all[4] = {{"entropy", "dx"}, {"entropy", "dy"}, {"entropy", "dv"},
                                       {"entropy", "v_max"}};
            return es_config_blame_error(cfg, all, 4, "set %zu: %s", c + 1, msg);
        }
    }
    s->spec.sets = s->sets;
    s->spec.n_sets = n;
    return ES_OK;
}

/* Grid times (linear, log, u) that round to the same double as the one before
 * were dropped, so gas.h5 had fewer samples than `samples` asked for: an
 * error instead, naming the key given last of those that made the grid. */
static int merged_times_error(const es_config *cfg, int mode, size_t m, size_t distinct, double t_lo,
                              double t_end)
{
    static const es_config_keyref grid_keys[][3] = {
        {{"gas", "samples"}, {"gas", "t_end"}, {"gas", "t_end"}},
        {{"gas", "samples"}, {"gas", "t_min"}, {"gas", "t_end"}},
        {{"gas", "samples"}, {"gas", "samples"}, {"gas", "samples"}}, /* list: not a grid */
        {{"gas", "samples"}, {"gas", "u_max"}, {"entropy", "dv"}},
    };
    return es_config_blame_error(cfg, grid_keys[mode], 3,
                                 "sampling = %s: the %zu times in %s%.16g, %.16g] are only %zu distinct "
                                 "doubles after t = 0 (%zu would be merged, and gas.h5 would have fewer "
                                 "samples than asked for); give fewer samples or a wider range",
                                 es_config_string(cfg, "gas", "sampling"), m, mode == 1 ? "[" : "(", t_lo,
                                 t_end, distinct, m - distinct);
}

static int read_times(const es_config *cfg, gas_setup *s)
{
    int mode = es_config_enum(cfg, "gas", "sampling"); /* linear|log|list|u */
    size_t m = (size_t)es_config_int(cfg, "gas", "samples");
    const double *list = NULL;
    size_t nl = es_config_list(cfg, "gas", "times", &list);
    size_t cap = (mode == 2 ? nl : m) + 1;
    s->times = calloc(cap, sizeof(double));
    if (!s->times)
        return es_error_set(ES_ENOMEM, "out of memory");
    size_t k = 0;
    s->times[k++] = 0.0; /* ΔS needs the initial state */
    double t_end = es_config_double(cfg, "gas", "t_end"), t_min = es_config_double(cfg, "gas", "t_min");
    if (mode == 3) {
        double dv = INFINITY;
        for (size_t c = 0; c < s->spec.n_sets; c++)
            dv = fmin(dv, s->sets[c].dv);
        t_end = es_config_double(cfg, "gas", "u_max") * s->spec.gas.lx / dv;
        if (t_end > GAS_T_MAX) { /* the limit of a t_end given as such */
            static const es_config_keyref u_keys[] = {{"gas", "u_max"}, {"entropy", "dv"}};
            return es_config_blame_error(cfg, u_keys, 2, "sampling = u: u_max = %g, lx = %g and the smallest "
                                         "dv = %g give t_end = u_max lx/dv = %g, beyond the %g that t_end "
                                         "may have", es_config_double(cfg, "gas", "u_max"),
                                         s->spec.gas.lx, dv, t_end, GAS_T_MAX);
        }
    }
    /* one log sample is t_end alone (check_unused_keys refuses a t_min given for it) */
    if (mode == 1 && m > 1 && !(t_min < t_end))
        return es_config_key_error(cfg, "gas", "t_min", "log sampling needs t_min (%g) < t_end (%g)", t_min,
                                   t_end);
    for (size_t i = 0; i < (mode == 2 ? nl : m); i++) {
        double t;
        if (mode == 2)
            t = list[i];
        else if (mode == 1)
            t = m == 1 ? t_end : t_min * pow(t_end / t_min, (double)i / (m - 1));
        else
            t = t_end * (i + 1.0) / m;
        if (t > s->times[k - 1])
            s->times[k++] = t;
        else if (mode == 2 && (t > 0.0 || i > 0)) /* t = 0 is always sampled; only first may name it */
            return es_config_key_error(cfg, "gas", "times", "the list must be increasing (%g after %g)", t,
                                       s->times[k - 1]);
    }
    if (mode != 2 && k < m + 1)
        return merged_times_error(cfg, mode, m, k - 1, mode == 1 && m > 1 ? t_min : 0.0, t_end);
    s->spec.times = s->times;
    s->spec.n_times = k;
    return ES_OK;
}

/* The sampling modes (linear|log|list|u) that read each timing key. */
static const struct {
    const char *key;
    unsigned modes; /* bit m: sampling mode m reads the key */
} SAMPLING_KEYS[] = {
    {"samples", 1u | 2u | 8u}, {"t_end", 1u | 2u}, {"t_min", 2u}, {"times", 4u}, {"u_max", 8u},
};

static int unused_key(const es_config *cfg, const char *key, const char *why)
{
    return es_config_key_error(cfg, "gas", key, "%s = %s has no effect %s", key,
                               es_config_string(cfg, "gas", key), why);
}

/* A key the run would not read, given a value other than its default, is an
 * error (docs/config.md): whoever set times with sampling = u, or a packing
 * fraction next to an explicit box, believes it shapes the run. */
static int check_unused_keys(const es_config *cfg)
{
    int mode = es_config_enum(cfg, "gas", "sampling");
    char why[128];
    snprintf(why, sizeof why, "with sampling = %s", es_config_string(cfg, "gas", "sampling"));
    for (size_t i = 0; i < sizeof SAMPLING_KEYS / sizeof SAMPLING_KEYS[0]; i++)
        if (!(SAMPLING_KEYS[i].modes & (1u << mode)) && es_config_given(cfg, "gas", SAMPLING_KEYS[i].key))
            return unused_key(cfg, SAMPLING_KEYS[i].key, why);
    /* one log-spaced time after t = 0 is t_end: t_min would place nothing */
    if (mode == 1 && es_config_int(cfg, "gas", "samples") == 1 && es_config_given(cfg, "gas", "t_min"))
        return unused_key(cfg, "t_min", "with sampling = log and samples = 1 (the one sample after "
                                        "t = 0 is at t_end)");
    if (es_config_double(cfg, "gas", "lx") > 0.0 || es_config_double(cfg, "gas", "ly") > 0.0) {
        const char *derived[3] = {"packing_fraction", "knudsen", "aspect"};
        for (int k = 0; k < 3; k++) /* 0 means "not given" for the first two */
            if (es_config_given(cfg, "gas", derived[k]) &&
                (k == 2 || es_config_double(cfg, "gas", derived[k]) > 0.0))
                return unused_key(cfg, derived[k], "with an explicit box (lx, ly, N fix it)");
    }
    if (es_config_enum(cfg, "gas", "box") == 1)
        for (int k = 0; k < 2; k++) {
            const char *key = k ? "walls" : "y_boundary";
            if (es_config_given(cfg, "gas", key))
                return unused_key(cfg, key, "with box = periodic (no walls)");
        }
    if (es_config_double(cfg, "gas", "diameter") <= 0.0) {
        /* 0 is what a collisionless gas gets anyway */
        if (es_config_given(cfg, "gas", "equilibration_collisions") &&
            es_config_double(cfg, "gas", "equilibration_collisions") > 0.0)
            return unused_key(cfg, "equilibration_collisions", "with diameter = 0 (no collisions)");
        /* rims of diameter 0 are the centres; points need no cell list (one cell) */
        if (es_config_given(cfg, "gas", "walls"))
            return unused_key(cfg, "walls", "with diameter = 0 (a point's rim is its centre)");
        if (es_config_given(cfg, "gas", "cell_occupancy"))
            return unused_key(cfg, "cell_occupancy", "with diameter = 0 (no collisions to find)");
    }
    return ES_OK;
}

/* Bytes per disc and realization that a run holds at least (docs/gas.md,
 * Memory): particle and event records 128, calendar buckets >= 128, overflow
 * list 4; the snapshot and the entropy workspace come on top. */
#define GAS_ENGINE_BYTES_MIN 260.0

/* The run keeps its engines, and every sample's results and profiles, in
 * memory until the end: a size beyond this machine's memory is a config error
 * found by --check, not an "out of memory" (or an OOM kill) after the
 * equilibration. The engines were left out: 2 x 5e7 discs passed on a 23 GB
 * machine and needed some 30 GB. */
static double disc_bytes(const gas_setup *s)
{
    return GAS_ENGINE_BYTES_MIN + 4.0 * sizeof(double) + 4.0 * (fmin((double)s->spec.n_sets, 10.0) + 1.0);
}

/* The least memory the run holds at its peak (engines, samples, profiles). */
static double run_bytes(const gas_setup *s)
{
    double R = s->spec.realizations, K = (double)s->spec.n_times, C = (double)s->spec.n_sets;
    double B = (double)s->spec.profile_bins, n = (double)s->spec.gas.n;
    return K * 3.0 * B * sizeof(double) + (3.0 * R + 1.0) * K * C * sizeof(es_bz_result) +
           4.0 * R * K * sizeof(double) + R * n * disc_bytes(s);
}

static int check_memory(const es_config *cfg, const gas_setup *s)
{
    double R = s->spec.realizations, K = (double)s->spec.n_times, C = (double)s->spec.n_sets;
    double B = (double)s->spec.profile_bins, n = (double)s->spec.gas.n;
    double per_disc = disc_bytes(s), bytes = run_bytes(s);
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (!(phys > 0.0) || bytes <= phys)
        return ES_OK;
    static const es_config_keyref keys[] = {{"gas", "samples"}, {"gas", "times"}, {"gas", "profile_bins"},
                                            {"gas", "realizations"}, {"gas", "N"}};
    return es_config_blame_error(cfg, keys, sizeof keys / sizeof keys[0],
                                 "%.0f realizations of %.0f discs (at least %.0f bytes each) and the "
                                 "results of %.0f sampling times x (%.0f profile bins, %.0f cell sets) "
                                 "need %.3g GB, more than this machine's %.3g GB of memory", R, n,
                                 per_disc, K, B, C, bytes / 1e9, phys / 1e9);
}

/* equilibration_collisions > 0 with one disc would wait for ever for a
 * collision. The key to name is the one given last of N (or the box keys
 * that derived it) and equilibration_collisions: a default
 * equilibration_collisions has no line, the N = 1 that made it fail has. */
static int one_disc_error(const es_config *cfg, double collisions)
{
    es_config_keyref keys[2] = {{"gas", "N"}, {"gas", "equilibration_collisions"}};
    if (es_config_int(cfg, "gas", "N") <= 0)
        keys[0].key = box_key(cfg);
    return es_config_blame_error(cfg, keys, 2, "equilibration_collisions = %g needs collisions, and a "
                                 "single disc (N = 1) has no other disc to collide with; give N >= 2, or "
                                 "equilibration_collisions = 0", collisions);
}

static int setup(const es_run_ctx *ctx, gas_setup *s)
{
    memset(s, 0, sizeof *s);
    const es_config *cfg = ctx->cfg;
    int st = check_unused_keys(cfg);
    if (!st)
        st = read_box(cfg, &s->spec.gas);
    if (st)
        return st;
    s->spec.gas.seed = ctx->seed;
    s->spec.equilibration = es_config_double(cfg, "gas", "equilibration_collisions");
    if (s->spec.gas.sigma > 0.0 && s->spec.gas.n < 2 && s->spec.equilibration > 0.0)
        return one_disc_error(cfg, s->spec.equilibration);
    s->compression = (int)es_config_int(cfg, "output", "compression");
    s->spec.realizations = (int)es_config_int(cfg, "gas", "realizations");
    s->spec.profile_bins = (size_t)es_config_int(cfg, "gas", "profile_bins");
    s->spec.threads = ctx->threads;
    s->spec.ck_cfg = cfg;
    s->spec.ck_dir = ctx->output_dir;
    s->spec.ck_interval = es_config_double(cfg, "output", "checkpoint_interval");
    s->spec.stop_after_samples = (size_t)es_config_int(cfg, "gas", "stop_after_samples");
    s->spec.resume = es_checkpoint_resume_path();
    if ((st = read_sets(cfg, s)))
        return st;
    if ((st = read_times(cfg, s)))
        return st;
    /* the hook fires after sample k only while samples remain: a larger k did nothing */
    if (s->spec.stop_after_samples >= s->spec.n_times)
        return es_config_key_error(cfg, "gas", "stop_after_samples", "stop_after_samples = %zu would "
                                   "never stop this run of %zu samples (t = 0 included): give 1 .. %zu, "
                                   "or 0 for none", s->spec.stop_after_samples, s->spec.n_times,
                                   s->spec.n_times - 1);
    return check_memory(cfg, s);
}

/* ---- output ----------------------------------------------------------------- */

typedef double (*res_field)(const es_bz_result *r);
static double f_SB(const es_bz_result *r) { return r->S_B; }
static double f_sG(const es_bz_result *r) { return r->s_G; }
static double f_sMM(const es_bz_result *r) { return r->s_MM; }
static double f_occ(const es_bz_result *r) { return (double)r->occupied; }
static double f_out(const es_bz_result *r) { return (double)r->out_of_range; }

/* A dataset of gas.h5 at the configured deflate level (s: the gas_setup in scope). */
#define gas_h5_write(loc, name, rank, dims, data, units, long_name)                                \
    es_h5_write_double_level(loc, name, rank, dims, data, units, long_name, s->compression)

/* [R][K] dataset of one field of one cell set; `minus0` subtracts the t = 0 value. */
static int write_field(hid_t grp, const char *name, const es_gas_run_result *res, const es_bz_result *arr,
                       size_t c, res_field f, int minus0, const char *units, const char *long_name,
                       int level)
{
    size_t R = (size_t)res->realizations, K = res->n_times;
    double *buf = malloc(R * K * sizeof *buf);
    if (!buf)
        return es_error_set(ES_ENOMEM, "out of memory");
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < K; k++)
            buf[r * K + k] = f(&arr[ES_GAS_RKC(res, r, k, c)]) -
                             (minus0 ? f(&arr[ES_GAS_RKC(res, r, 0, c)]) : 0.0);
    unsigned long long dims[2] = {R, K};
    int st = es_h5_write_double_level(grp, name, 2, dims, buf, units, long_name, level);
    free(buf);
    return st;
}

/* A cell-set group is complete on its own: it carries the provenance and
 * config, and soft links to the shared /time and /profiles (stored once). */
static int link_shared(hid_t f, hid_t g, const es_provenance *p)
{
    int st = es_output_h5_provenance(g, p);
    if (!st && H5Lcreate_soft("/time", g, "time", H5P_DEFAULT, H5P_DEFAULT) < 0)
        st = es_error_set(ES_EIO, "HDF5: cannot link /time");
    if (!st && H5Lexists(f, "/profiles", H5P_DEFAULT) > 0 &&
        H5Lcreate_soft("/profiles", g, "profiles", H5P_DEFAULT, H5P_DEFAULT) < 0)
        st = es_error_set(ES_EIO, "HDF5: cannot link /profiles");
    return st;
}

static int write_set_group(hid_t f, const gas_setup *s, const es_gas_run_result *res, size_t c,
                           const es_provenance *prov)
{
    char name[32];
    snprintf(name, sizeof name, "cells_%zu", c);
    hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return es_error_set(ES_EIO, "HDF5: cannot create group %s", name);
    if (link_shared(f, g, prov)) {
        H5Gclose(g);
        return ES_EIO;
    }
    const es_bz_grid *gr = &s->sets[c];
    /* a failed attribute fails the file, as a failed dataset does */
    int st = es_h5_write_attr_double(g, "dx", gr->dx);
    if (!st)
        st = es_h5_write_attr_double(g, "dy", gr->dy > 0.0 ? gr->dy : gr->ly);
    if (!st)
        st = es_h5_write_attr_double(g, "dx_fraction_of_lx", s->frac_dx[c]);
    if (!st)
        st = es_h5_write_attr_double(g, "dy_fraction_of_ly", s->frac_dy[c]);
    if (!st)
        st = es_h5_write_attr_double(g, "dv", gr->dv);
    if (!st)
        st = es_h5_write_attr_double(g, "v_max", gr->v_max);
    if (!st)
        st = es_h5_write_attr_string(g, "strips", gr->dy > 0.0 ? "no" : "yes");
    size_t K = res->n_times;
    unsigned long long dk = K;
    /* The closed form is the expansion's; a periodic box stays in equilibrium (0). */
    int expansion = s->spec.gas.box != ES_GAS_BOX_PERIODIC;
    double *u = malloc(K * sizeof *u), *cf = malloc(K * sizeof *cf), *pool = malloc(3 * K * sizeof *pool);
    if (!st && (!u || !cf || !pool))
        st = es_error_set(ES_ENOMEM, "out of memory");
    if (!st) {
        for (size_t k = 0; k < K; k++) {
            u[k] = gr->dv * s->times[k] / gr->lx;
            cf[k] = expansion ? es_bz_collisionless_dS(u[k]) : 0.0;
            const es_bz_result *p = &res->pooled[ES_GAS_KC(res, k, c)];
            pool[k] = p->s_MM;
            pool[K + k] = p->s_MM - res->pooled[ES_GAS_KC(res, 0, c)].s_MM;
            pool[2 * K + k] = (double)p->occupied;
        }
        st = gas_h5_write(g, "u", 1, &dk, u, "1", "u = dv*t/lx");
    }
    if (!st)
        st = gas_h5_write(g, "dS_collisionless_limit", 1, &dk, cf, "kB",
                          expansion ? "closed-form collisionless dS/N(u) for dx, dv -> 0 (spec 7.3)"
                                    : "collisionless dS/N: 0 (periodic box, no expansion)");
    if (!st)
        st = gas_h5_write(g, "pooled_s_MM", 1, &dk, pool, "kB", "Miller-Madow s per particle, counts pooled over realizations");
    if (!st)
        st = gas_h5_write(g, "pooled_dS_MM", 1, &dk, pool + K, "kB", "pooled s_MM(t) - s_MM(0)");
    if (!st)
        st = gas_h5_write(g, "pooled_occupied", 1, &dk, pool + 2 * K, "1", "occupied cells, pooled");
    struct {
        const char *name;
        const es_bz_result *arr;
        res_field f;
        int minus0;
        const char *units, *doc;
    } fields[] = {
        {"S_B", res->full, f_SB, 0, "kB", "exact log phase-space volume sum[n ln|D| - ln n!]"},
        {"s_G", res->full, f_sG, 0, "kB", "plug-in Gibbs entropy per particle"},
        {"s_MM", res->full, f_sMM, 0, "kB", "Miller-Madow entropy per particle"},
        {"dS_MM", res->full, f_sMM, 1, "kB", "s_MM(t) - s_MM(0) per particle"},
        {"occupied", res->full, f_occ, 0, "1", "occupied cells K_occ"},
        {"out_of_range", res->full, f_out, 0, "1", "particles beyond the velocity grid"},
        {"s_position_MM", res->position, f_sMM, 0, "kB", "position-only Miller-Madow entropy per particle"},
        {"s_velocity_MM", res->velocity, f_sMM, 0, "kB", "velocity-only Miller-Madow entropy per particle"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !st; i++)
        st = write_field(g, fields[i].name, res, fields[i].arr, c, fields[i].f, fields[i].minus0,
                         fields[i].units, fields[i].doc, s->compression);
    free(u);
    free(cf);
    free(pool);
    H5Gclose(g);
    return st;
}

/* gas.h5 at `path`, built in memory and written out when complete. */
static int write_h5(const char *path, const gas_setup *s, const es_gas_run_result *res, const es_provenance *p)
{
    hid_t f = es_h5_create_in_memory(path);
    if (f < 0)
        return ES_EIO;
    int st = es_output_h5_provenance(f, p);
    const es_gas_params *par = &s->spec.gas;
    const struct {
        const char *name;
        double value;
    } attrs[] = {
        {"lx", par->lx},
        {"ly", par->ly},
        {"diameter", par->sigma},
        {"packing_fraction", res->scales.eta},
        {"mean_free_path", res->scales.lambda},
        {"mean_free_time", res->scales.tau_c},
        {"knudsen", res->scales.kn},
    };
    if (!st)
        st = es_h5_write_attr_long(f, "N", par->n);
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] && !st; i++)
        st = es_h5_write_attr_double(f, attrs[i].name, attrs[i].value);
    if (!st)
        st = es_h5_write_attr_long(f, "realizations", res->realizations);
    size_t R = (size_t)res->realizations, K = res->n_times, B = res->bins;
    unsigned long long dk = K, drk[2] = {R, K}, dr = R;
    /* t = 0: the partition removed, or (periodic box, no partition) the equilibrated state */
    const char *time_doc = par->box == ES_GAS_BOX_PERIODIC
                               ? "sampling time after the equilibration (periodic box, no partition)"
                               : "sampling time after the partition removal";
    if (!st)
        st = gas_h5_write(f, "time", 1, &dk, s->times, "sigma/sqrt(T0)", time_doc);
    if (!st)
        st = gas_h5_write(f, "n_right", 2, drk, res->n_right, "1", "fraction of discs with x > lx/2");
    if (!st)
        st = gas_h5_write(f, "energy", 2, drk, res->energy, "T0", "kinetic energy per particle");
    if (!st)
        st = gas_h5_write(f, "collisions", 2, drk, res->collisions, "1", "collisions since t = 0");
    if (!st)
        st = gas_h5_write(f, "virial_Z", 2, drk, res->virial_P, "1",
                                "1 + sum|r.v|/(2 t E): PA/(NT) from collisions averaged over [0, t]");
    if (!st)
        st = gas_h5_write(f, "Z_equilibration", 1, &dr, res->Z_eq, "1", "PA/(NT) during equilibration");
    if (!st)
        st = gas_h5_write(f, "collision_frequency_equilibration", 1, &dr, res->nu_eq, "sqrt(T0)/sigma",
                                "collisions per particle per unit time during equilibration");
    if (!st && B > 0) {
        hid_t g = H5Gcreate2(f, "profiles", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        double *x = g < 0 ? NULL : malloc(B * sizeof *x);
        for (size_t b = 0; x && b < B; b++)
            x[b] = (b + 0.5) * par->lx / B;
        unsigned long long db = B, dkb[2] = {K, B};
        if (g < 0)
            st = es_error_set(ES_EIO, "HDF5: cannot create group profiles");
        else if (!x)
            st = es_error_set(ES_ENOMEM, "out of memory");
        else
            st = gas_h5_write(g, "x", 1, &db, x, "sigma", "bin centre");
        if (!st)
            st = gas_h5_write(g, "density", 2, dkb, res->density, "1/sigma^2", "number density, realization mean");
        if (!st)
            st = gas_h5_write(g, "ux", 2, dkb, res->ux, "sqrt(T0)", "flow velocity <vx>");
        if (!st)
            st = gas_h5_write(g, "temperature", 2, dkb, res->temperature, "T0", "temperature 0.5<|v-u|^2>");
        free(x);
        if (g >= 0)
            H5Gclose(g);
    }
    for (size_t c = 0; c < s->spec.n_sets && !st; c++)
        st = write_set_group(f, s, res, c, p);
    if (st) {
        H5Fclose(f);
        return st;
    }
    return es_h5_commit_memory(f, path);
}

/* Largest fraction of the discs beyond the velocity grid (counted in its edge cells) over
 * every realization and sample of cell set c. */
static double out_of_range_fraction(const gas_setup *s, const es_gas_run_result *res, size_t c)
{
    double worst = 0.0;
    for (size_t r = 0; r < (size_t)res->realizations; r++)
        for (size_t k = 0; k < res->n_times; k++)
            worst = fmax(worst, (double)res->full[ES_GAS_RKC(res, r, k, c)].out_of_range / s->spec.gas.n);
    return worst;
}

/* Edge cells that hold more than a few discs beyond ±v_max bias S_B (the
 * clamped discs all share them): say so, the run itself is still valid. The
 * set is numbered as the config errors number it (1 = the first value of the
 * [entropy] lists), with its 0-based gas.h5 group. */
enum { OUT_OF_RANGE_WARN_PPM = 1000 };
static void warn_out_of_range(const gas_setup *s, const es_gas_run_result *res)
{
    for (size_t c = 0; c < s->spec.n_sets; c++) {
        double f = out_of_range_fraction(s, res, c);
        /* the grid's edge K dv as the entropy has it: K = ceil(v_max/dv) less a
         * rounding guard (v_max = 2.1, dv = 0.3: K = 7, where ceil(2.1/0.3) is 8) */
        size_t nx, ny, nv;
        es_bz_grid_shape(&s->sets[c], &nx, &ny, &nv);
        if (f > OUT_OF_RANGE_WARN_PPM * 1e-6)
            es_warning_add("gas: cell set %zu (dv = %g, v_max = %g; /cells_%zu in gas.h5): up to "
                           "%.3g %% of the discs have a velocity component beyond the grid's +-%g and "
                           "are counted in its edge cells, which biases S_B; raise [entropy] v_max (at "
                           "v_max = 6, ~4e-9 of them are beyond)", c + 1, s->sets[c].dv,
                           s->sets[c].v_max, c, 100.0 * f, (double)(nv / 2) * s->sets[c].dv);
    }
}

static json_t *summary_json(const gas_setup *s, const es_gas_run_result *res)
{
    const es_gas_params *par = &s->spec.gas;
    size_t R = (size_t)res->realizations, K = res->n_times, last = K - 1;
    json_t *j = json_object();
    json_object_set_new(j, "model", json_string("gas"));
    json_object_set_new(j, "N", json_integer(par->n));
    json_object_set_new(j, "realizations", json_integer((json_int_t)R));
    json_object_set_new(j, "lx", es_json_real(par->lx));
    json_object_set_new(j, "ly", es_json_real(par->ly));
    json_object_set_new(j, "eta", es_json_real(res->scales.eta));
    json_object_set_new(j, "knudsen", es_json_real(res->scales.kn));
    json_object_set_new(j, "mean_free_path", es_json_real(res->scales.lambda));
    json_object_set_new(j, "mean_free_time", es_json_real(res->scales.tau_c));
    json_object_set_new(j, "t_end", es_json_real(s->times[last]));
    double Z = 0.0, nu = 0.0, drift = 0.0, nr = 0.0;
    int periodic = par->box == ES_GAS_BOX_PERIODIC;
    for (size_t r = 0; r < R; r++) {
        size_t rk = ES_GAS_RK(res, r, last);
        /* periodic box: measured over the run; expansion: during equilibration */
        Z += (periodic ? res->virial_P[rk] : res->Z_eq[r]) / R;
        nu += (periodic ? 2.0 * res->collisions[rk] / (par->n * s->times[last]) : res->nu_eq[r]) / R;
        drift = fmax(drift, res->energy_drift[r]);
        nr += res->n_right[rk] / R;
    }
    json_object_set_new(j, "Z", es_json_real(Z));
    json_object_set_new(j, "Z_henderson", es_json_real(es_gas_henderson_Z(res->scales.eta)));
    json_object_set_new(j, "collision_frequency", es_json_real(nu));
    json_object_set_new(j, "collision_frequency_enskog", es_json_real(res->scales.nu));
    json_object_set_new(j, "energy_drift", es_json_real(drift));
    json_object_set_new(j, "n_right_fraction", es_json_real(nr));
    /* The end points expected of this run: V -> 2V for an expansion; a periodic
     * box has no partition and stays in equilibrium (volume ratio 1, dS = 0),
     * where ln 2 was reported next to a measured dS of 0. */
    double ratio = periodic ? 1.0 : 2.0;
    json_object_set_new(j, "dS_ideal", es_json_real(es_bz_expansion_dS_ideal(ratio)));
    json_object_set_new(j, "dS_thermo_henderson",
                        es_json_real(es_bz_expansion_dS_henderson(res->scales.eta, ratio)));
    json_t *cells = json_array();
    for (size_t c = 0; c < s->spec.n_sets; c++) {
        const es_bz_grid *g = &s->sets[c];
        json_t *o = json_object();
        double ds = 0.0, dsg = 0.0, occ = 0.0, dsx = 0.0;
        for (size_t r = 0; r < R; r++) {
            const es_bz_result *a = &res->full[ES_GAS_RKC(res, r, last, c)];
            const es_bz_result *z = &res->full[ES_GAS_RKC(res, r, 0, c)];
            ds += (a->s_MM - z->s_MM) / R;
            dsg += (a->s_G - z->s_G) / R;
            dsx += (res->position[ES_GAS_RKC(res, r, last, c)].s_MM -
                    res->position[ES_GAS_RKC(res, r, 0, c)].s_MM) / R;
            occ = fmax(occ, (double)a->occupied / par->n);
        }
        json_object_set_new(o, "dx", es_json_real(g->dx));
        json_object_set_new(o, "dy", es_json_real(g->dy > 0.0 ? g->dy : g->ly));
        json_object_set_new(o, "dv", es_json_real(g->dv));
        json_object_set_new(o, "v_max", es_json_real(g->v_max));
        json_object_set_new(o, "u_end", es_json_real(g->dv * s->times[last] / g->lx));
        json_object_set_new(o, "dS_MM", es_json_real(ds));
        json_object_set_new(o, "dS_G", es_json_real(dsg));
        json_object_set_new(o, "dS_MM_pooled",
                            es_json_real(res->pooled[ES_GAS_KC(res, last, c)].s_MM -
                                         res->pooled[ES_GAS_KC(res, 0, c)].s_MM));
        json_object_set_new(o, "dS_position_MM", es_json_real(dsx));
        json_object_set_new(o, "occupied_fraction", es_json_real(occ));
        json_object_set_new(o, "out_of_range_fraction", es_json_real(out_of_range_fraction(s, res, c)));
        json_array_append_new(cells, o);
    }
    json_object_set_new(j, "cells", cells);
    return j;
}

/* ---- run ------------------------------------------------------------------------ */

/* Two bars, one after the other: the equilibration (its own ETA: it may be
 * most of a run's time, and its collisions are not the run's), then the run;
 * and how far the current one got: an interrupted run's last line says that. */
typedef struct {
    es_progress prep, bar;
    int phase; /* 0 none yet, 1 equilibrating, 2 running */
    double done, log_interval;
    bool quiet;
} gas_progress;

static void progress_phase(gas_progress *g, int phase, double done)
{
    if (g->phase == phase)
        return;
    if (g->phase == 1)
        es_progress_finish(&g->prep);
    es_progress *p = phase == 1 ? &g->prep : &g->bar;
    p->log_interval = g->log_interval;
    es_progress_start(p, phase == 1 ? "gas equilibration" : "gas", 1.0, g->quiet);
    es_progress_resume_from(p, done); /* the run's first report: k0 / K, nonzero when resumed */
    g->phase = phase;
}

static void prep_progress_cb(void *ctx, double done)
{
    gas_progress *g = ctx;
    progress_phase(g, 1, 0.0);
    g->done = done;
    if (done < 1.0) /* the 100 % line is the finish's */
        es_progress_update(&g->prep, done);
}

static void progress_cb(void *ctx, double done)
{
    gas_progress *g = ctx;
    progress_phase(g, 2, done);
    g->done = done;
    if (done < 1.0)
        es_progress_update(&g->bar, done);
}

/* The last line of whichever bar is on: at 100 % after a complete run. */
static void progress_end(gas_progress *g, int complete)
{
    es_progress *p = g->phase == 1 ? &g->prep : &g->bar;
    if (g->phase == 0)
        return;
    if (complete)
        es_progress_finish(p);
    else /* stopped: the log must not claim 100% before the 'interrupted' line */
        es_progress_finish_at(p, g->done);
}

/* Collisions per realization of the run after the partition is removed, at
 * the Enskog rate N nu / 2: at the initial region's density (an upper bound
 * for an expansion, the rate of a periodic box) and at half of it (the
 * expanded gas; n^2 g(n) is convex, so the rate of a spreading gas lies
 * between the two). */
static void run_collisions(const es_gas_params *par, const es_gas_scales *sc, double t_end, double *lo,
                           double *hi)
{
    *hi = 0.5 * (double)par->n * sc->nu * t_end;
    *lo = *hi;
    if (par->box == ES_GAS_BOX_WALLS && par->partition && par->n >= 2)
        *lo = 0.5 * (double)par->n * es_gas_enskog_nu(0.5 * sc->n_density, par->sigma, par->temperature) *
              t_end;
}

/* What a run of this setup will be: the box, the initial region's kinetic
 * scales, the sampling and the work and memory they imply, so that a job
 * script can be sized (SLURM --time, --mem) from `esuite run --check`. */
static void describe_setup(const gas_setup *s, FILE *out)
{
    const es_gas_params *par = &s->spec.gas;
    es_gas_scales sc;
    es_gas_initial_scales(par, &sc);
    double t_end = s->spec.n_times ? s->spec.times[s->spec.n_times - 1] : 0.0, lo, hi;
    run_collisions(par, &sc, t_end, &lo, &hi);
    fprintf(out, "gas: %ld discs of diameter %g in a %g x %g box (%s), %d realization%s\n", par->n,
            par->sigma, par->lx, par->ly, par->box == ES_GAS_BOX_PERIODIC ? "periodic" : "expansion",
            s->spec.realizations, s->spec.realizations == 1 ? "" : "s");
    if (isfinite(sc.tau_c)) {
        fprintf(out, "gas: initial region eta = %.6g, Kn = %.6g, mean free path %.6g, mean free time %.6g\n",
                sc.eta, sc.kn, sc.lambda, sc.tau_c);
        fprintf(out, "gas: %zu samples up to t_end = %.6g (%.4g mean free times), %zu cell sets\n",
                s->spec.n_times, t_end, t_end / sc.tau_c, s->spec.n_sets);
    } else {
        fprintf(out, "gas: no collisions (%s)\n", par->sigma > 0.0 ? "a single disc" : "diameter 0");
        fprintf(out, "gas: %zu samples up to t_end = %.6g (%.4g crossings of lx at the thermal speed), "
                "%zu cell sets\n", s->spec.n_times, t_end, t_end * sqrt(par->temperature) / par->lx,
                s->spec.n_sets);
    }
    double eq = par->sigma > 0.0 ? 0.5 * s->spec.equilibration * (double)par->n : 0.0;
    double mb = run_bytes(s) / 1e6;
    char run[64];
    if (lo < hi)
        snprintf(run, sizeof run, "%.4g .. %.4g", lo, hi);
    else
        snprintf(run, sizeof run, "%.4g", hi);
    fprintf(out, "gas: per realization %.4g equilibration and %s run collisions; memory at least %.3g %s\n",
            eq, run, mb < 1e3 ? mb : mb / 1e3, mb < 1e3 ? "MB" : "GB");
}

static int gas_run(const es_run_ctx *ctx)
{
    gas_setup s;
    int st = setup(ctx, &s);
    if (st) {
        setup_free(&s);
        return st;
    }
    if (!ctx->quiet) /* the batch log says what the run is before it starts */
        describe_setup(&s, stderr);
    gas_progress prog = {0};
    prog.log_interval = es_config_double(ctx->cfg, "output", "log_interval");
    prog.quiet = ctx->quiet;
    s.spec.progress = progress_cb;
    s.spec.prep_progress = prep_progress_cb;
    s.spec.progress_ctx = &prog;
    es_gas_run_result *res = NULL;
    st = es_gas_run(&s.spec, &res);
    progress_end(&prog, st == ES_OK);
    /* Random insertion that finds no room is a config error too (too many
     * discs for the box): name the key, as for every other bad input. */
    if (st == ES_EDATA && strstr(es_error_message(), "impossible packing"))
        st = blame_box(ctx->cfg);
    es_provenance p;
    es_provenance_init(&p, ctx->cfg, "gas");
    p.seed = ctx->seed;
    p.threads = ctx->threads;
    if (!st) {
        es_provenance_finish(&p);
        char path[4200];
        snprintf(path, sizeof path, "%s/gas.h5", ctx->output_dir);
        st = write_h5(path, &s, res, &p);
    }
    bool h5_done = !st;
    if (!st)
        warn_out_of_range(&s, res);
    if (!st && es_config_bool(ctx->cfg, "gas", "plots") &&
        es_gas_plots(res, s.sets, s.times, s.spec.gas.lx, s.spec.gas.box != ES_GAS_BOX_PERIODIC,
                     ctx->output_dir))
        es_warning_add("gas: figures not drawn: %s", es_error_message());
    if (!st) {
        json_t *sum = summary_json(&s, res);
        st = sum ? es_output_write_summary(ctx->output_dir, sum, &p)
                 : es_error_set(ES_ENOMEM, "out of memory for summary.json");
        json_decref(sum);
    }
    if (st && h5_done) { /* no summary: leave nothing that looks like a result */
        char path[4200];
        snprintf(path, sizeof path, "%s/gas.h5", ctx->output_dir);
        unlink(path);
    }
    es_provenance_free(&p);
    es_gas_run_result_free(res);
    setup_free(&s);
    return st;
}

/* The box, cell-set and sampling checks of gas_run (es_model.check); of the
 * impossible packings only those denser than any packing can be are found
 * here, the others when the discs are inserted. */
static int gas_check(const es_config *cfg)
{
    es_run_ctx ctx = {.cfg = (es_config *)cfg, .output_dir = "", .threads = 1,
                      .seed = (unsigned long long)es_config_int(cfg, "run", "seed")};
    gas_setup s;
    int st = setup(&ctx, &s);
    setup_free(&s);
    return st;
}

static int gas_describe(const es_config *cfg, FILE *out)
{
    es_run_ctx ctx = {.cfg = (es_config *)cfg, .output_dir = "", .threads = 1,
                      .seed = (unsigned long long)es_config_int(cfg, "run", "seed")};
    gas_setup s;
    int st = setup(&ctx, &s);
    if (!st)
        describe_setup(&s, out);
    setup_free(&s);
    return st;
}

static const char *const gas_outputs[] = {"gas.h5", "entropy.png", "profiles.png", NULL};

const es_model es_model_gas = {"gas", "free expansion of a hard-disc gas and its Boltzmann entropy",
                               gas_schema, gas_run, gas_outputs, gas_check, gas_describe};
