/* `[run] model = school`: config → engine → in-situ metrics → school.nc
 * (NetCDF-4, CF-1.8, the reference library's variable names) and
 * summary.json (second-half mean and sd, final values, classified state). */
#include "school/school.h"
#include "school/school_io.h"
#include "school/school_ramp.h"

#include "core/checkpoint.h"
#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"
#include "esuite/school_metrics.h"
#include "esuite/series_io.h"
#include "esuite/status.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S "school"
static const es_key_spec school_schema[] = {
    {S, "mode", ES_KEY_ENUM, "dewi-kadita", 0, 0, "dewi-kadita|couzin2002", "",
     "dewi-kadita: periodic cube, NLERP turn, additive noise after the turn, rear blind cone on all "
     "zones (the reference library); couzin2002: open space, true rotation, noise before the turn."},
    {S, "n_fish", ES_KEY_INT, "150", 2, 1e8, NULL, "1", "Number of fish N."},
    {S, "box_size", ES_KEY_DOUBLE, "25", 1e-6, 1e9, NULL, "length",
     "Periodic cube side L (dewi-kadita); centre 0.5·L of the start region and histogram scale "
     "of the metrics (couzin2002)."},
    {S, "n_steps", ES_KEY_INT, "1000", 0, 1e12, NULL, "steps", "Number of time steps (not with a [ramp]: its length is holds × hold_steps)."},
    {S, "dt", ES_KEY_DOUBLE, "0.1", 1e-9, 1e6, NULL, "time", "Time step τ."},
    {S, "speed", ES_KEY_DOUBLE, "1", 1e-12, 1e12, NULL, "length/time", "Constant swimming speed s."},
    {S, "r_repulsion", ES_KEY_DOUBLE, "1", 1e-12, 1e12, NULL, "length",
     "Zone of repulsion radius r_r (r_r < r_o <= r_a; couzin2002: r_r <= r_o, so Δr_o = 0 is allowed)."},
    {S, "r_orientation", ES_KEY_DOUBLE, "5", 1e-12, 1e12, NULL, "length",
     "Zone of orientation outer radius r_o."},
    {S, "r_attraction", ES_KEY_DOUBLE, "10", 1e-12, 1e12, NULL, "length",
     "Zone of attraction outer radius r_a."},
    {S, "dr_orientation", ES_KEY_DOUBLE, "-1", -1, 1e12, NULL, "length",
     "Zone-of-orientation width Δr_o = r_o − r_r; >= 0 overrides r_orientation (phase-diagram sweeps); -1: not set (another negative value is an error)."},
    {S, "dr_attraction", ES_KEY_DOUBLE, "-1", -1, 1e12, NULL, "length",
     "Zone-of-attraction width Δr_a = r_a − r_o; >= 0 overrides r_attraction; -1: not set (another negative value is an error)."},
    {S, "max_turn", ES_KEY_DOUBLE, "0.3", 1e-12, 3.141592653589793, NULL, "rad/step",
     "Maximum turn per step (θ_max; couzin2002: θ·τ, e.g. 40°/s·0.1 s = 0.0698)."},
    {S, "noise", ES_KEY_DOUBLE, "0.1", 0, 10, NULL, "rad",
     "Noise σ: additive σ·N(0,I3) on the heading (dewi-kadita) or an N(0,σ) deflection angle (couzin2002)."},
    {S, "blind_angle", ES_KEY_DOUBLE, "30", -360, 180, NULL, "deg",
     "dewi-kadita: rear blind-cone half-angle β on all zones (<= 0: none; Couzin α = 360 − 2β)."},
    {S, "fov", ES_KEY_DOUBLE, "270", 1e-9, 360, NULL, "deg",
     "couzin2002: field of perception α for orientation and attraction (360: no blind volume)."},
    {S, "orientation_weight", ES_KEY_DOUBLE, "1", 0, 1, NULL, "1",
     "dewi-kadita: w in desired = normalise(w·d_o + d_a)."},
    {S, "include_self", ES_KEY_BOOL, "false", 0, 0, NULL, "",
     "couzin2002: add the fish's own heading to d_o when its zone of orientation is occupied."},
    {S, "zone_weighting", ES_KEY_ENUM, "counts", 0, 0, "counts|normalised", "",
     "couzin2002: counts: d = ½(d_o + d_a) of the raw sums, so each zone pulls in proportion to "
     "its neighbour count (the spec's reading of Couzin 2002); normalised: d_o and d_a made unit "
     "vectors first (Couzin 2005 and many re-implementations): gives the dynamic-parallel band."},
    {S, "init", ES_KEY_ENUM, "box", 0, 0, "box|sphere|cube|torus|file", "",
     "Initial positions: uniform in the box, a ball or cube about the box centre, the "
     "reference's torus ring with tangential headings, or the last frame of init_file."},
    {S, "init_file", ES_KEY_STRING, "", 0, 0, NULL, "path",
     "init = file (required there, an error otherwise): a school.nc (esuite's or the reference's layout: positions and velocities "
     "(time, fish, spatial)) whose last frame starts the run (chained runs); relative to the "
     "working directory; its fish count must equal n_fish."},
    {S, "init_size", ES_KEY_DOUBLE, "0", 0, 1e12, NULL, "length",
     "init = sphere, cube, torus: ball radius / cube side / ring radius; 0: L/4, L/2, L/4 (an error with init = box)."},
    {S, "init_rng", ES_KEY_ENUM, "counter", 0, 0, "counter|numpy", "",
     "Initial-state generator: counter-based (thread independent), or NumPy's legacy MT19937 "
     "(the reference's exact t = 0 state for the same seed; needs a [run] seed <= 2^32 - 1)."},
    {S, "noise_seed", ES_KEY_INT, "-1", -1, ES_KEY_INT_MAX, NULL, "",
     "Seed of the noise stream; -1: the [run] seed (set it to run replicas from one initial state)."},
    {S, "save_interval", ES_KEY_INT, "1", 1, 1e12, NULL, "steps",
     "Steps between saved frames (t = 0 always saved); at most n_steps when n_steps > 0; with a [ramp], a divisor of holds × hold_steps (its last frame is the final state)."},
    {S, "metrics_every", ES_KEY_INT, "1", 1, 1e12, NULL, "steps",
     "Steps between entropy/OSI evaluations; a multiple of save_interval, and with entropy = true at most n_steps when n_steps > 0. With entropy = false only save_interval (or the default). Not with a [ramp]."},
    {S, "entropy", ES_KEY_BOOL, "true", 0, 0, NULL, "",
     "Compute the seven entropies and OSI (false: P, M, spread and order index only); a [ramp] run records P and M only and does not read it."},
    {S, "metrics_only", ES_KEY_BOOL, "false", 0, 0, NULL, "",
     "Write no positions/velocities (large N): only the metric time series."},
    {S, "periodic_centroid", ES_KEY_BOOL, "false", 0, 0, NULL, "",
     "dewi-kadita: use a periodic-aware (circular-mean) centroid for M, spread, H_ang, H_shape instead of the "
     "reference's naive mean."},
    {S, "velcorr_exact_max", ES_KEY_INT, "32768", 2, 1e9, NULL, "fish",
     "Largest N for the exact velocity-correlation histogram (all pairs, or a dual tree from 2048 fish; above: 2^22 sampled pairs). Not with a [ramp]."},
    {S, "stop_after_steps", ES_KEY_INT, "0", 0, 1e12, NULL, "steps",
     "Testing: write a checkpoint and stop (exit status 3, as after SIGUSR1) once the run passes "
     "this step (a [ramp]: at this step exactly, counting the steps of all holds); 0: never. A run "
     "resumed from there continues to the end and sets it to 0 (recorded as an override), so that "
     "the output's recorded config reproduces the finished run."},
#undef S
#define R "ramp"
    {R, "parameter", ES_KEY_ENUM, "none", 0, 0, "none|dr_orientation|dr_attraction|noise", "",
     "Ramp (collective-memory protocol): the parameter changed hold by hold with the state carried "
     "over; none: a plain run (the other [ramp] keys given then are an error). dr_orientation keeps Δr_a fixed."},
    {R, "values", ES_KEY_LIST, "0", -1e12, 1e12, NULL, "",
     "The values of the way up, in order (instead of from/to/step); each >= 0 and within the range of the [school] key it sets."},
    {R, "from", ES_KEY_DOUBLE, "0", -1e12, 1e12, NULL, "", "First value of an evenly spaced ramp."},
    {R, "to", ES_KEY_DOUBLE, "0", -1e12, 1e12, NULL, "",
     "Last value of an evenly spaced ramp, >= from (included when reached within step/1000)."},
    {R, "step", ES_KEY_DOUBLE, "0.5", 1e-12, 1e12, NULL, "", "Spacing of an evenly spaced ramp (> 0; at most 100000 values)."},
    {R, "back", ES_KEY_BOOL, "true", 0, 0, NULL, "",
     "After the way up, visit the same values in reverse order (the way down of a hysteresis loop)."},
    {R, "hold_steps", ES_KEY_INT, "2000", 1, 1e12, NULL, "steps", "Steps per value."},
    {R, "average_steps", ES_KEY_INT, "0", 0, 1e12, NULL, "steps",
     "The last steps of each hold over which P and M are averaged (at most hold_steps, at least sample_every); 0: the second half."},
    {R, "sample_every", ES_KEY_INT, "5", 1, 1e12, NULL, "steps",
     "Steps between the samples of P and M inside the averaging window."},
    {R, "plots", ES_KEY_BOOL, "true", 0, 0, NULL, "",
     "Draw hysteresis.png (P and M per hold, up and down; needs gnuplot)."},
#undef R
    ES_KEY_END};

/* 0 < r_r < r_o <= r_a (couzin2002: r_r <= r_o, its phase diagram starts at
 * Δr_o = 0), checked here rather than by es_school_params_check so that the
 * message names the key, and the line, that broke the order. */
static int check_zones(const es_config *cfg, const es_school_params *p, double dro)
{
    const int couzin = p->mode == ES_SCHOOL_MODE_COUZIN;
    const es_config_keyref rr = {"school", "r_repulsion"}, ra = {"school", "r_attraction"},
                  ro = {"school", dro >= 0 ? "dr_orientation" : "r_orientation"};
    const char *order = couzin ? "<=" : "<";
    if (couzin ? p->r_r > p->r_o : p->r_r >= p->r_o) {
        /* with dr_orientation, r_o - r_r is that width alone */
        const es_config_keyref k[2] = {dro >= 0 ? ro : rr, ro};
        return es_config_blame_error(cfg, k, 2, "zone radii must satisfy 0 < r_r %s r_o <= r_a, got r_r = %g, "
                           "r_o = %g, r_a = %g", order, p->r_r, p->r_o, p->r_a);
    }
    if (p->r_o > p->r_a && dro >= 0) { /* not with dr_attraction: r_a = r_o + Δr_a */
        const es_config_keyref k[2] = {ro, ra};
        return es_config_blame_error(cfg, k, 2, "dr_orientation = %g puts r_o = %g above r_attraction = %g; "
                           "set dr_attraction too", dro, p->r_o, p->r_a);
    }
    if (p->r_o > p->r_a) {
        const es_config_keyref k[2] = {ro, ra};
        return es_config_blame_error(cfg, k, 2, "zone radii must satisfy 0 < r_r %s r_o <= r_a, got r_r = %g, "
                           "r_o = %g, r_a = %g", order, p->r_r, p->r_o, p->r_a);
    }
    return ES_OK;
}

/* Without entropies a plain run computes P and M at every saved frame and
 * never reads metrics_every: another cadence than save_interval would
 * silently do nothing. Equal to save_interval it says what happens (the
 * configs/school_couzin_*.ini keep it so, ready for entropy = true); at its
 * default it is not given (resolved configs list every key). A ramp refuses
 * the key itself (ramp_from_config). */
static int check_metrics_every_read(const es_config *cfg, long long me, long long si)
{
    if (es_config_enum(cfg, "ramp", "parameter") != 0 || es_config_bool(cfg, "school", "entropy") ||
        !es_config_given(cfg, "school", "metrics_every") || me == si)
        return ES_OK;
    const es_config_keyref k[2] = {{"school", "metrics_every"}, {"school", "entropy"}};
    return es_config_blame_error(cfg, k, 2, "metrics_every = %lld has no effect with entropy = false "
                                 "(it sets the cadence of the entropies and OSI; P and M are "
                                 "recorded at every saved frame, save_interval = %lld)", me, si);
}

static int params_from_config(const es_config *cfg, unsigned long long seed, es_school_params *p)
{
    es_school_params_default(p);
    p->mode = es_config_enum(cfg, "school", "mode") == 0 ? ES_SCHOOL_MODE_DEWI
                                                          : ES_SCHOOL_MODE_COUZIN;
    p->n = (size_t)es_config_int(cfg, "school", "n_fish");
    p->box = es_config_double(cfg, "school", "box_size");
    p->dt = es_config_double(cfg, "school", "dt");
    p->speed = es_config_double(cfg, "school", "speed");
    p->r_r = es_config_double(cfg, "school", "r_repulsion");
    p->r_o = es_config_double(cfg, "school", "r_orientation");
    p->r_a = es_config_double(cfg, "school", "r_attraction");
    double dro = es_config_double(cfg, "school", "dr_orientation"),
           dra = es_config_double(cfg, "school", "dr_attraction");
    /* -1 is the "not set" of the schema; any other negative width would
     * silently leave r_orientation / r_attraction in force */
    const char *const drk[2] = {"dr_orientation", "dr_attraction"};
    const double drv[2] = {dro, dra};
    for (int k = 0; k < 2; k++)
        if (drv[k] < 0 && drv[k] != -1)
            return es_config_key_error(cfg, "school", drk[k], "%s = %g: a zone width must be >= 0 "
                                       "(-1: not set, r_%s is used)", drk[k], drv[k],
                                       k ? "attraction" : "orientation");
    if (dro >= 0)
        p->r_o = p->r_r + dro;
    if (dra >= 0)
        p->r_a = p->r_o + dra;
    int rc = check_zones(cfg, p, dro);
    if (rc)
        return rc;
    p->max_turn = es_config_double(cfg, "school", "max_turn");
    p->noise = es_config_double(cfg, "school", "noise");
    p->blind_angle = es_config_double(cfg, "school", "blind_angle");
    p->fov = es_config_double(cfg, "school", "fov");
    p->orientation_weight = es_config_double(cfg, "school", "orientation_weight");
    p->include_self = es_config_bool(cfg, "school", "include_self");
    p->zone_normalise = es_config_enum(cfg, "school", "zone_weighting") == 1;
    p->init = (es_school_init)es_config_enum(cfg, "school", "init");
    p->init_size = es_config_double(cfg, "school", "init_size");
    p->init_rng = (es_school_init_rng)es_config_enum(cfg, "school", "init_rng");
    p->seed = seed;
    long long ns = es_config_int(cfg, "school", "noise_seed");
    p->noise_seed = ns < 0 ? seed : (uint64_t)ns;
    /* NumPy's RandomState takes a 32-bit seed; found here, not when the
     * state is drawn, so that nothing is written */
    if (p->init_rng == ES_SCHOOL_RNG_NUMPY && seed > UINT32_MAX) {
        const es_config_keyref k[2] = {{"run", "seed"}, {"school", "init_rng"}};
        return es_config_blame_error(cfg, k, 2, "init_rng = numpy needs a seed in [0, 2^32-1], got %llu", seed);
    }
    rc = es_school_params_check(p);
    if (rc != ES_OK) { /* the schema's ranges and check_zones leave nothing for this */
        char msg[512]; /* copy: es_error_set writes the buffer es_error_message reads */
        const char *m = es_error_message();
        snprintf(msg, sizeof msg, "%s", strncmp(m, "school: ", 8) ? m : m + 8);
        return es_error_set(ES_ECONFIG, "%s: [school] %s", es_config_path(cfg), msg);
    }
    long long si = es_config_int(cfg, "school", "save_interval"),
              me = es_config_int(cfg, "school", "metrics_every");
    /* a ramp has no metrics_every; without entropies it is not read */
    if (me % si != 0 && es_config_enum(cfg, "ramp", "parameter") == 0 &&
        es_config_bool(cfg, "school", "entropy")) {
        const es_config_keyref k[2] = {{"school", "metrics_every"}, {"school", "save_interval"}};
        return es_config_blame_error(cfg, k, 2, "metrics_every = %lld must be a multiple of save_interval = %lld",
                           me, si);
    }
    if ((rc = check_metrics_every_read(cfg, me, si)))
        return rc;
    /* A cadence beyond the run leaves only the frame at step 0, whose values
     * summary.json would report as the "final" and second-half "mean" of a
     * run that went on (n_steps = 0 asks for step 0 alone). */
    long long nst = es_config_int(cfg, "school", "n_steps");
    if (es_config_enum(cfg, "ramp", "parameter") == 0 && nst > 0) {
        const es_config_keyref ks[2] = {{"school", "save_interval"}, {"school", "n_steps"}};
        const es_config_keyref km[2] = {{"school", "metrics_every"}, {"school", "n_steps"}};
        if (si > nst)
            return es_config_blame_error(cfg, ks, 2, "save_interval = %lld exceeds n_steps = %lld: "
                                         "only the frame at step 0 would be recorded", si, nst);
        if (me > nst && es_config_bool(cfg, "school", "entropy"))
            return es_config_blame_error(cfg, km, 2, "metrics_every = %lld exceeds n_steps = %lld: "
                                         "the entropies and OSI would be computed at step 0 only",
                                         me, nst);
    }
    return ES_OK;
}

/* Keys that only one mode reads; the other would ignore them silently,
 * though whoever set one believes it matters. */
static const struct {
    const char *key;
    es_school_mode mode; /* the mode that reads it */
} MODE_ONLY[] = {
    {"fov", ES_SCHOOL_MODE_COUZIN},         {"include_self", ES_SCHOOL_MODE_COUZIN},
    {"zone_weighting", ES_SCHOOL_MODE_COUZIN}, {"blind_angle", ES_SCHOOL_MODE_DEWI},
    {"orientation_weight", ES_SCHOOL_MODE_DEWI}, {"periodic_centroid", ES_SCHOOL_MODE_DEWI},
};

/* A key of the other mode given a value is an error at its line. At its
 * default it is accepted: a resolved config lists every key, and the
 * default changes nothing. */
static int check_mode_keys(const es_config *cfg, const es_school_params *p)
{
    for (size_t i = 0; i < sizeof MODE_ONLY / sizeof MODE_ONLY[0]; i++) {
        const char *key = MODE_ONLY[i].key;
        if (MODE_ONLY[i].mode == p->mode || !es_config_given(cfg, "school", key))
            continue;
        return es_config_key_error(cfg, "school", key, "%s = %s has no effect with mode = %s "
                                   "(%s only)", key, es_config_string(cfg, "school", key),
                                   es_config_string(cfg, "school", "mode"),
                                   MODE_ONLY[i].mode == ES_SCHOOL_MODE_DEWI ? "dewi-kadita"
                                                                            : "couzin2002");
    }
    /* init_size shapes the sphere, cube and torus starts only (init = file
     * may keep it: a chained run sets init = file on a sphere config) */
    if (p->init == ES_SCHOOL_INIT_BOX && es_config_given(cfg, "school", "init_size"))
        return es_config_key_error(cfg, "school", "init_size", "init_size = %s has no effect with "
                                   "init = box (sphere, cube and torus only)",
                                   es_config_string(cfg, "school", "init_size"));
    return ES_OK;
}

/* Trajectories of doubles deflate by only ~7 % and deflate dominated the
 * run time: uncompressed unless [output] compression asks for a level. The
 * default, -1, is what a resolved config (sweep task, resume) then lists,
 * so it runs uncompressed too, and an explicit 4 stays 4. */
static int school_compression(const es_config *cfg)
{
    long long level = es_config_int(cfg, "output", "compression");
    return level < 0 ? 0 : (int)level;
}

enum { RAMP_MAX_VALUES = 100000 };

/* The way-up values: `values`, or from, from + step, ... <= to. */
static int ramp_values(const es_config *cfg, double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *range[3] = {"from", "to", "step"};
    if (es_config_given(cfg, "ramp", "values")) {
        for (int k = 0; k < 3; k++)
            if (es_config_given(cfg, "ramp", range[k]))
                return es_config_key_error(cfg, "ramp", range[k], "give either ramp.values or "
                                                        "ramp.from/to/step, not both");
        const double *v;
        size_t m = es_config_list(cfg, "ramp", "values", &v);
        *out = malloc((m ? m : 1) * sizeof **out);
        if (!*out)
            return es_error_set(ES_ENOMEM, "school: out of memory");
        memcpy(*out, v, m * sizeof *v);
        *n = m;
        return ES_OK;
    }
    double a = es_config_double(cfg, "ramp", "from"), b = es_config_double(cfg, "ramp", "to"),
           h = es_config_double(cfg, "ramp", "step");
    if (b < a)
        return es_config_key_error(cfg, "ramp", "to", "%g is below ramp.from = %g (the way up ascends; "
                                            "list descending values in ramp.values)", b, a);
    double m = floor((b - a) / h + 1e-3) + 1;
    if (m > RAMP_MAX_VALUES)
        return es_config_key_error(cfg, "ramp", "step", "%g gives %.0f values (at most %d)", h, m,
                         RAMP_MAX_VALUES);
    *n = (size_t)m;
    *out = malloc(*n * sizeof **out);
    if (!*out)
        return es_error_set(ES_ENOMEM, "school: out of memory");
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = a + (double)i * h; /* no accumulated rounding */
    return ES_OK;
}

/* The range of the [school] key a ramp sets: a hold is a run with that key
 * at the ramp value, so it must be a value the key itself accepts (noise
 * 12 would otherwise run, though [school] noise = 12 is refused). */
static int ramp_range_error(const es_config *cfg, const es_school_ramp_opts *o, bool listed)
{
    const es_key_spec *k = school_schema;
    while (k->key && strcmp(k->key, o->param_name))
        k++;
    if (!k->key)
        return ES_OK;
    if (!listed) {
        /* start and end first: the message then names the key to change */
        const char *ends[2] = {"from", "to"};
        for (int e = 0; e < 2; e++) {
            double v = es_config_double(cfg, "ramp", ends[e]);
            if (v < k->min || v > k->max)
                return es_config_key_error(cfg, "ramp", ends[e], "%s = %g is outside the range of "
                                           "school.%s (%g .. %g)", o->param_name, v, k->key,
                                           k->min, k->max);
        }
    }
    /* every value: a listed one, or the last of from/to/step, which may pass
     * `to` by up to step/1000 */
    for (size_t i = 0; i < o->nvalues; i++) {
        double v = o->values[i];
        if (listed && (v < k->min || v > k->max))
            return es_config_key_error(cfg, "ramp", "values", "%s = %g is outside the range of "
                                       "school.%s (%g .. %g)", o->param_name, v, k->key, k->min,
                                       k->max);
        if (v < k->min || v > k->max)
            return es_config_key_error(cfg, "ramp", "to", "the last value, %s = %g (within "
                                       "step/1000 of ramp.to), is outside the range of school.%s "
                                       "(%g .. %g)", o->param_name, v, k->key, k->min, k->max);
    }
    return ES_OK;
}

/* A plain run ends at its last saved frame, so school.nc always holds its
 * final state (init = file chains start from it). A ramp cannot end early
 * without cutting its last hold, so its length must be a whole number of
 * frames: else the steps after the last frame were made and then lost. */
static int ramp_final_frame_error(const es_config *cfg, const es_school_ramp_opts *o,
                                  long long total)
{
    if (total % o->save_interval == 0)
        return ES_OK;
    long long holds = total / o->hold_steps;
    const es_config_keyref ks[2] = {{"school", "save_interval"}, {"ramp", "hold_steps"}};
    return es_config_blame_error(cfg, ks, 2, "save_interval = %lld does not divide the ramp's %lld "
                                 "steps (%lld holds × ramp.hold_steps = %lld): its last frame "
                                 "would be step %lld, and the final state (step %lld) would not "
                                 "be in school.nc; make ramp.hold_steps a multiple of "
                                 "save_interval", o->save_interval, total, holds, o->hold_steps,
                                 total - total % o->save_interval, total);
}

/* [ramp] → options, every value checked against the model (each hold must
 * be a valid parameter set) and against the keys a ramp run does not use. */
static int ramp_from_config(const es_config *cfg, const es_school_params *p,
                            es_school_ramp_opts *o, double **values)
{
    int param = es_config_enum(cfg, "ramp", "parameter");
    memset(o, 0, sizeof *o);
    *values = NULL;
    /* keys of a plain run that a ramp run would silently ignore */
    const char *const plain[][2] = {{"school", "n_steps"}, {"school", "metrics_every"}};
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++)
        if (es_config_given(cfg, plain[k][0], plain[k][1]))
            return es_config_key_error(cfg, plain[k][0], plain[k][1],
                             "not used by a ramp run (ramp.parameter = %s): its length is the "
                             "number of holds × ramp.hold_steps, and it records P and M only",
                             es_config_string(cfg, "ramp", "parameter"));
    /* `entropy` is not read (a ramp records P and M only) and not refused:
     * its default, true, is what the resolved configs of a resume or a sweep
     * task list, and refusing `entropy = true` made every ramp config without
     * `entropy = false` fail there */
    if (es_config_given(cfg, "school", "velcorr_exact_max"))
        return es_config_key_error(cfg, "school", "velcorr_exact_max",
                         "not used by a ramp run: it records P and M only (no velocity "
                         "correlation)");
    o->param = (es_school_ramp_param)param;
    o->param_name = es_config_string(cfg, "ramp", "parameter");
    o->back = es_config_bool(cfg, "ramp", "back");
    o->hold_steps = es_config_int(cfg, "ramp", "hold_steps");
    o->average_steps = es_config_int(cfg, "ramp", "average_steps");
    if (o->average_steps == 0)
        o->average_steps = o->hold_steps / 2;
    o->sample_every = es_config_int(cfg, "ramp", "sample_every");
    o->save_interval = es_config_int(cfg, "school", "save_interval");
    o->metrics_only = es_config_bool(cfg, "school", "metrics_only");
    o->periodic_centroid = es_config_bool(cfg, "school", "periodic_centroid");
    o->plots = es_config_bool(cfg, "ramp", "plots");
    o->log_interval = es_config_double(cfg, "output", "log_interval");
    o->compression = school_compression(cfg);
    if (o->average_steps > o->hold_steps)
        return es_config_key_error(cfg, "ramp", "average_steps", "%lld exceeds ramp.hold_steps = %lld",
                         o->average_steps, o->hold_steps);
    if (o->average_steps < o->sample_every)
        return es_config_key_error(cfg, "ramp", es_config_given(cfg, "ramp", "average_steps") ? "average_steps"
                                                                               : "hold_steps",
                         "the averaging window (%lld steps) holds no sample (ramp.sample_every "
                         "= %lld)", o->average_steps, o->sample_every);
    int rc = ramp_values(cfg, values, &o->nvalues);
    if (rc)
        return rc;
    o->values = *values;
    const bool listed = es_config_given(cfg, "ramp", "values");
    const char *vkey = listed ? "values" : "from";
    /* negative first: the dr_* keys accept -1, their "not set" */
    for (size_t i = 0; i < o->nvalues; i++)
        if (o->values[i] < 0)
            return es_config_key_error(cfg, "ramp", vkey, "value %g is negative (%s >= 0)",
                                       o->values[i], o->param_name);
    if ((rc = ramp_range_error(cfg, o, listed)))
        return rc;
    for (size_t i = 0; i < o->nvalues; i++) {
        double v = o->values[i];
        es_school_params q;
        if (es_school_ramp_apply(p, o->param, v, &q) != ES_OK) {
            char msg[300];
            const char *m = es_error_message();
            snprintf(msg, sizeof msg, "%s", strncmp(m, "school: ", 8) ? m : m + 8);
            return es_config_key_error(cfg, "ramp", vkey, "%s = %g: %s", o->param_name, v, msg);
        }
    }
    /* as in a plain run: frames beyond the last step would leave school.nc
     * with the t = 0 state only, which init = file would then start from */
    long long total = (long long)o->nvalues * (o->back ? 2 : 1) * o->hold_steps;
    if (o->save_interval > total) {
        const es_config_keyref ks[2] = {{"school", "save_interval"}, {"ramp", "hold_steps"}};
        return es_config_blame_error(cfg, ks, 2, "save_interval = %lld exceeds the ramp's %lld "
                                     "steps (holds × ramp.hold_steps): only the frame at step 0 "
                                     "would be recorded", o->save_interval, total);
    }
    if ((rc = ramp_final_frame_error(cfg, o, total)))
        return rc;
    o->cfg = cfg;
    o->checkpoint_interval = es_config_double(cfg, "output", "checkpoint_interval");
    o->stop_after_steps = es_config_int(cfg, "school", "stop_after_steps");
    return ES_OK;
}

/* init = file and init_file go together: a config check (--check, sweep
 * plans), unlike reading the file, which only a run does. */
static int check_init_keys(const es_config *cfg)
{
    const char *path = es_config_string(cfg, "school", "init_file");
    if (es_config_enum(cfg, "school", "init") != ES_SCHOOL_INIT_FILE)
        return *path ? es_config_key_error(cfg, "school", "init_file", "needs init = file") : ES_OK;
    if (!*path)
        return es_config_key_error(cfg, "school", "init", "init = file needs [school] init_file");
    return ES_OK;
}

/* init = file: the last frame of positions and velocities of [school] init_file. */
static int load_init_file(const es_config *cfg, size_t n, double **pos, double **vel)
{
    *pos = *vel = NULL;
    const char *path = es_config_string(cfg, "school", "init_file");
    int rc0 = check_init_keys(cfg);
    if (rc0 || es_config_enum(cfg, "school", "init") != ES_SCHOOL_INIT_FILE)
        return rc0;
    int ncid, vp, vv, dims[3], nd;
    size_t len[3];
    int nrc = nc_open(path, NC_NOWRITE, &ncid);
    if (nrc != NC_NOERR)
        return es_config_key_error(cfg, "school", "init_file", "cannot open '%s': %s", path,
                         nc_strerror(nrc));
    nrc = nc_inq_varid(ncid, "positions", &vp);
    if (nrc == NC_NOERR)
        nrc = nc_inq_varid(ncid, "velocities", &vv);
    if (nrc == NC_NOERR)
        nrc = nc_inq_varndims(ncid, vp, &nd);
    if (nrc == NC_NOERR && nd == 3)
        nrc = nc_inq_vardimid(ncid, vp, dims);
    for (int k = 0; k < 3 && nrc == NC_NOERR && nd == 3; k++)
        nrc = nc_inq_dimlen(ncid, dims[k], &len[k]);
    /* velocities on the same dimensions, so that the same frame is read */
    int vnd = 0, vdims[3];
    if (nrc == NC_NOERR && nd == 3)
        nrc = nc_inq_varndims(ncid, vv, &vnd);
    if (nrc == NC_NOERR && nd == 3 && vnd == 3)
        nrc = nc_inq_vardimid(ncid, vv, vdims);
    if (nrc == NC_NOERR && nd == 3 &&
        (vnd != 3 || vdims[0] != dims[0] || vdims[1] != dims[1] || vdims[2] != dims[2]))
        nd = 0;
    int rc = ES_OK;
    if (nrc != NC_NOERR || nd != 3 || len[2] != 3 || len[0] == 0)
        rc = es_config_key_error(cfg, "school", "init_file",
                       "'%s' has no positions/velocities (time, fish, spatial) frame%s%s", path,
                       nrc != NC_NOERR ? ": " : "", nrc != NC_NOERR ? nc_strerror(nrc) : "");
    else if (es_netcdf_check_frame_dims(path, ncid, vp, "positions") != ES_OK)
        rc = es_config_key_error(cfg, "school", "init_file", "%s", es_error_message());
    else if (len[1] != n)
        rc = es_config_key_error(cfg, "school", "init_file", "'%s' has %zu fish, [school] n_fish = %zu",
                       path, len[1], n);
    else if (es_netcdf_check_extent(path, ncid) != ES_OK)
        rc = es_config_key_error(cfg, "school", "init_file", "%s", es_error_message());
    if (!rc) {
        *pos = malloc(3 * n * sizeof **pos);
        *vel = malloc(3 * n * sizeof **vel);
        size_t st[3] = {len[0] - 1, 0, 0}, ct[3] = {1, n, 3};
        if (!*pos || !*vel)
            rc = es_error_set(ES_ENOMEM, "school: out of memory for the initial state");
        else if (nc_get_vara_double(ncid, vp, st, ct, *pos) != NC_NOERR ||
                 nc_get_vara_double(ncid, vv, st, ct, *vel) != NC_NOERR)
            rc = es_config_key_error(cfg, "school", "init_file", "cannot read the last frame of '%s'",
                           path);
        /* a last frame never written (a partial file) reads as fill values */
        double fp, fv;
        int hp = !rc && es_netcdf_fill_value(ncid, vp, &fp), hv = !rc && es_netcdf_fill_value(ncid, vv, &fv);
        for (size_t i = 0; i < 3 * n && !rc; i++)
            if ((hp && (*pos)[i] == fp) || (hv && (*vel)[i] == fv))
                rc = es_config_key_error(cfg, "school", "init_file",
                               "'%s', last frame, fish %zu: the fill value (frame never written: "
                               "a partial file?)", path, i / 3);
        /* CF packing after the fill check: packed integers are not coordinates */
        double sc[2], off[2];
        if (!rc && (es_netcdf_packing(path, ncid, vp, "positions", &sc[0], &off[0]) ||
                    es_netcdf_packing(path, ncid, vv, "velocities", &sc[1], &off[1])))
            rc = es_config_key_error(cfg, "school", "init_file", "%s", es_error_message());
        /* missing_value / valid_range as in school-metrics and the series reader */
        for (int pass = 0; pass < 2 && !rc; pass++) {
            if (es_netcdf_check_xyz(ncid, vp, *pos, n, pass, "last frame: positions") ||
                es_netcdf_check_xyz(ncid, vv, *vel, n, pass, "last frame: velocities")) {
                rc = es_config_key_error(cfg, "school", "init_file", "'%s', %s", path, es_error_message());
                break;
            }
            for (size_t i = 0; i < 3 * n && pass == 0; i++) {
                (*pos)[i] = (*pos)[i] * sc[0] + off[0];
                (*vel)[i] = (*vel)[i] * sc[1] + off[1];
            }
        }
        /* a NaN or a zero velocity would silently become a NaN or an arbitrary heading */
        for (size_t i = 0; i < n && !rc; i++) {
            const double *x = *pos + 3 * i, *v = *vel + 3 * i;
            int finite = isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]) && isfinite(v[0]) &&
                         isfinite(v[1]) && isfinite(v[2]);
            if (!finite || v[0] * v[0] + v[1] * v[1] + v[2] * v[2] == 0.0)
                rc = es_config_key_error(cfg, "school", "init_file",
                               "'%s', last frame, fish %zu: %s", path, i,
                               finite ? "zero velocity (no heading)"
                                      : "non-finite position or velocity");
        }
    }
    nc_close(ncid);
    if (rc) {
        free(*pos);
        free(*vel);
        *pos = *vel = NULL;
    }
    return rc;
}

static int school_run_with(const es_run_ctx *ctx, es_school_params *p);
static int school_describe(const es_config *cfg, FILE *out);

/* [ramp] keys without ramp.parameter would be silently ignored by a plain run */
static int check_ramp_keys_unused(const es_config *cfg)
{
    static const char *const ramp_keys[] = {"values", "from", "to", "step", "back",
                                            "hold_steps", "average_steps", "sample_every", "plots"};
    for (size_t k = 0; k < sizeof ramp_keys / sizeof ramp_keys[0]; k++)
        if (es_config_given(cfg, "ramp", ramp_keys[k]))
            return es_config_key_error(cfg, "ramp", ramp_keys[k],
                             "set, but ramp.parameter = none (a plain run); name the parameter "
                             "to ramp");
    return ES_OK;
}

/* The [school] value of the ramped key is replaced by the ramp's values
 * from the first hold on. Given explicitly (not at its default: resolved
 * configs list every key) and different from the first value, the user
 * may believe it matters (e.g. as the start): say that it is replaced. A
 * warning, not an error: the run is what the [ramp] describes. One effect
 * remains: without dr_attraction, a dr_orientation ramp keeps the Δr_a of
 * the [school] values, r_attraction − (r_r + dr_orientation). */
static void warn_ramp_overrides(const es_config *cfg, const es_school_params *p,
                                const es_school_ramp_opts *o)
{
    const char *key = o->param_name; /* the [school] key of the same name */
    if (o->nvalues == 0 || !es_config_given(cfg, "school", key))
        return;
    double v = es_config_double(cfg, "school", key);
    if (v == o->values[0])
        return;
    char still[200] = "";
    if (o->param == ES_SCHOOL_RAMP_DR_ORIENTATION && !es_config_given(cfg, "school", "dr_attraction"))
        snprintf(still, sizeof still, "; it only sets the Δr_a the ramp keeps, r_attraction − r_r − "
                 "dr_orientation = %g (give dr_attraction to set Δr_a)", p->r_a - p->r_o);
    /* the message of a key error (file:line, or the --set), as a warning */
    es_config_key_error(cfg, "school", key, "%s = %s is replaced by the [ramp] values hold by hold "
                        "(first value %g)%s", key, es_config_string(cfg, "school", key), o->values[0],
                        still);
    es_warning_add("%s", es_error_message());
    es_error_clear();
}

/* Every check of school_run that reads no file (es_model.check). */
static int school_check(const es_config *cfg)
{
    es_school_params p;
    int rc = params_from_config(cfg, (unsigned long long)es_config_int(cfg, "run", "seed"), &p);
    if (!rc)
        rc = check_mode_keys(cfg, &p);
    if (!rc)
        rc = check_init_keys(cfg);
    if (!rc && es_config_enum(cfg, "ramp", "parameter") != ES_SCHOOL_RAMP_NONE) {
        es_school_ramp_opts ro;
        double *values = NULL;
        rc = ramp_from_config(cfg, &p, &ro, &values);
        if (!rc) /* here, not in the run: --check says it too, and a run says it once */
            warn_ramp_overrides(cfg, &p, &ro);
        free(values);
    } else if (!rc) {
        rc = check_ramp_keys_unused(cfg);
    }
    return rc;
}

static int school_run(const es_run_ctx *ctx)
{
    es_school_params p;
    int rc = params_from_config(ctx->cfg, ctx->seed, &p);
    if (!rc)
        rc = check_mode_keys(ctx->cfg, &p);
    double *pos = NULL, *vel = NULL;
    /* a resumed run restores its state from the checkpoint */
    if (!rc && !es_checkpoint_resume_path())
        rc = load_init_file(ctx->cfg, p.n, &pos, &vel);
    p.init_pos = pos;
    p.init_vel = vel;
    if (!rc && !ctx->quiet) /* the batch log says what the run is before it starts */
        rc = school_describe(ctx->cfg, stderr);
    if (!rc)
        rc = school_run_with(ctx, &p);
    free(pos);
    free(vel);
    return rc;
}

static int school_run_with(const es_run_ctx *ctx, es_school_params *pp)
{
    const es_config *cfg = ctx->cfg;
    const es_school_params p = *pp;
    int rc;
    if (es_config_enum(cfg, "ramp", "parameter") != ES_SCHOOL_RAMP_NONE) {
        es_school_ramp_opts ro;
        double *values = NULL;
        rc = ramp_from_config(cfg, &p, &ro, &values);
        if (rc == ES_OK) {
            ro.quiet = ctx->quiet;
            es_provenance prov;
            es_provenance_init(&prov, cfg, "school");
            prov.seed = ctx->seed;
            prov.threads = ctx->threads;
            rc = es_school_ramp_run(&p, &ro, ctx->output_dir, &prov,
                                    es_config_string(cfg, "school", "mode"));
            es_provenance_free(&prov);
        }
        free(values);
        return rc;
    }
    if ((rc = check_ramp_keys_unused(cfg)))
        return rc;
    es_school_run_opts o = {
        .n_steps = es_config_int(cfg, "school", "n_steps"),
        .save_interval = es_config_int(cfg, "school", "save_interval"),
        .metrics_every = es_config_int(cfg, "school", "metrics_every"),
        .entropy = es_config_bool(cfg, "school", "entropy"),
        .metrics_only = es_config_bool(cfg, "school", "metrics_only"),
        .periodic_centroid = es_config_bool(cfg, "school", "periodic_centroid"),
        .velcorr_exact_max = (size_t)es_config_int(cfg, "school", "velcorr_exact_max"),
        .compression = school_compression(cfg),
        .quiet = ctx->quiet,
        .log_interval = es_config_double(cfg, "output", "log_interval"),
        .cfg = cfg,
        .checkpoint_interval = es_config_double(cfg, "output", "checkpoint_interval"),
        .stop_after_steps = es_config_int(cfg, "school", "stop_after_steps"),
    };
    es_provenance prov;
    es_provenance_init(&prov, cfg, "school");
    prov.seed = ctx->seed;
    prov.threads = ctx->threads;
    rc = es_school_run_to_dir(&p, &o, ctx->output_dir, &prov, es_config_string(cfg, "school", "mode"));
    es_provenance_free(&prov);
    return rc;
}

/* What a run of this config will be: fish, steps, the frames school.nc
 * gets and their uncompressed size (positions and velocities, doubles), so
 * that a job's --time and its disc quota can be sized from --check. */
static void describe_run(FILE *out, const es_school_params *p, const char *mode, long long steps,
                         long long save_interval, bool metrics_only, bool ramp)
{
    /* a plain run ends at its last saved frame; a ramp makes every step (its
     * length is a multiple of save_interval: ramp_final_frame_error) */
    long long made = ramp ? steps : steps - steps % save_interval;
    double t_end = (double)made * p->dt;
    fprintf(out, "school: %zu fish, mode %s, %lld steps of dt = %g (t = 0 .. %g), %.4g fish-steps", p->n,
            mode, made, p->dt, t_end, (double)made * (double)p->n);
    if (made != steps)
        fprintf(out, " (n_steps = %lld: the run ends at the last saved frame)", steps);
    fputc('\n', out);
    long long frames = steps / save_interval + 1;
    if (metrics_only) {
        fprintf(out, "school: %lld frames of metrics (every %lld steps), no positions or velocities\n",
                frames, save_interval);
        return;
    }
    double mb = (double)frames * (double)p->n * 6.0 * sizeof(double) / 1e6;
    fprintf(out, "school: %lld frames (every %lld steps); positions and velocities %.4g %s uncompressed\n",
            frames, save_interval, mb < 1e3 ? mb : mb / 1e3, mb < 1e3 ? "MB" : "GB");
}

static int school_describe(const es_config *cfg, FILE *out)
{
    es_school_params p;
    int rc = params_from_config(cfg, (unsigned long long)es_config_int(cfg, "run", "seed"), &p);
    if (rc)
        return rc;
    const char *mode = es_config_string(cfg, "school", "mode");
    if (es_config_enum(cfg, "ramp", "parameter") == ES_SCHOOL_RAMP_NONE) {
        describe_run(out, &p, mode, es_config_int(cfg, "school", "n_steps"),
                     es_config_int(cfg, "school", "save_interval"), es_config_bool(cfg, "school", "metrics_only"), false);
        return ES_OK;
    }
    es_school_ramp_opts ro;
    double *values = NULL;
    rc = ramp_from_config(cfg, &p, &ro, &values);
    if (!rc) {
        long long holds = (long long)ro.nvalues * (ro.back ? 2 : 1);
        fprintf(out, "school: ramp of %s over %lld holds of %lld steps\n", ro.param_name, holds, ro.hold_steps);
        describe_run(out, &p, mode, holds * ro.hold_steps, ro.save_interval, ro.metrics_only, true);
    }
    free(values);
    return rc;
}

static const char *const school_outputs[] = {"school.nc", "hysteresis.png", NULL};

const es_model es_model_school = {
    .name = "school",
    .summary = "3D Couzin fish school (dewi-kadita or couzin2002 mode) with the seven entropies and OSI",
    .schema = school_schema,
    .run = school_run,
    .outputs = school_outputs,
    .check = school_check,
    .describe = school_describe,
};
