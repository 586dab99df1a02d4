/* `[run] model = school`: config → engine → in-situ metrics → school.nc
 * (NetCDF-4, CF-1.8, the reference library's variable names) and
 * summary.json (second-half mean and sd, final values, classified state). */
#include "school/school.h"
#include "school/school_io.h"

#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"
#include "esuite/school_metrics.h"
#include "esuite/status.h"

#include <math.h>
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
    {S, "n_steps", ES_KEY_INT, "1000", 0, 1e12, NULL, "steps", "Number of time steps."},
    {S, "dt", ES_KEY_DOUBLE, "0.1", 1e-9, 1e6, NULL, "time", "Time step τ."},
    {S, "speed", ES_KEY_DOUBLE, "1", 1e-12, 1e12, NULL, "length/time", "Constant swimming speed s."},
    {S, "r_repulsion", ES_KEY_DOUBLE, "1", 1e-12, 1e12, NULL, "length",
     "Zone of repulsion radius r_r (r_r < r_o <= r_a)."},
    {S, "r_orientation", ES_KEY_DOUBLE, "5", 1e-12, 1e12, NULL, "length",
     "Zone of orientation outer radius r_o."},
    {S, "r_attraction", ES_KEY_DOUBLE, "10", 1e-12, 1e12, NULL, "length",
     "Zone of attraction outer radius r_a."},
    {S, "dr_orientation", ES_KEY_DOUBLE, "-1", -1, 1e12, NULL, "length",
     "Zone-of-orientation width Δr_o = r_o − r_r; >= 0 overrides r_orientation (phase-diagram sweeps)."},
    {S, "dr_attraction", ES_KEY_DOUBLE, "-1", -1, 1e12, NULL, "length",
     "Zone-of-attraction width Δr_a = r_a − r_o; >= 0 overrides r_attraction."},
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
    {S, "init", ES_KEY_ENUM, "box", 0, 0, "box|sphere|cube|torus", "",
     "Initial positions: uniform in the box, a ball or cube about the box centre, or the "
     "reference's torus ring with tangential headings."},
    {S, "init_size", ES_KEY_DOUBLE, "0", 0, 1e12, NULL, "length",
     "Ball radius / cube side / ring radius; 0: L/4, L/2, L/4."},
    {S, "init_rng", ES_KEY_ENUM, "counter", 0, 0, "counter|numpy", "",
     "Initial-state generator: counter-based (thread independent), or NumPy's legacy MT19937 "
     "(the reference's exact t = 0 state for the same seed)."},
    {S, "noise_seed", ES_KEY_INT, "-1", -1, 9.2e18, NULL, "",
     "Seed of the noise stream; -1: the [run] seed (set it to run replicas from one initial state)."},
    {S, "save_interval", ES_KEY_INT, "1", 1, 1e12, NULL, "steps",
     "Steps between saved frames (t = 0 always saved)."},
    {S, "metrics_every", ES_KEY_INT, "1", 1, 1e12, NULL, "steps",
     "Steps between entropy/OSI evaluations; a multiple of save_interval."},
    {S, "entropy", ES_KEY_BOOL, "true", 0, 0, NULL, "",
     "Compute the seven entropies and OSI (false: P, M, spread and order index only)."},
    {S, "metrics_only", ES_KEY_BOOL, "false", 0, 0, NULL, "",
     "Write no positions/velocities (large N): only the metric time series."},
    {S, "periodic_centroid", ES_KEY_BOOL, "false", 0, 0, NULL, "",
     "Use a periodic-aware (circular-mean) centroid for M, spread, H_ang, H_shape instead of the "
     "reference's naive mean."},
    {S, "velcorr_exact_max", ES_KEY_INT, "32768", 2, 1e9, NULL, "fish",
     "Largest N for the exact velocity-correlation histogram (all pairs, or a dual tree from 2048 fish; above: 2^22 sampled pairs)."},
    {S, "stop_after_steps", ES_KEY_INT, "0", 0, 1e12, NULL, "steps",
     "Testing: write a checkpoint and stop (exit status 3, as after SIGUSR1) once the run passes "
     "this step; 0: never. A run resumed from there continues to the end."},
    ES_KEY_END};
#undef S

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
    if (dro >= 0)
        p->r_o = p->r_r + dro;
    if (dra >= 0)
        p->r_a = p->r_o + dra;
    else if (dro >= 0 && p->r_a < p->r_o)
        return es_error_set(ES_ECONFIG, "%s: [school] dr_orientation = %g puts r_o = %g above "
                                        "r_attraction = %g; set dr_attraction too",
                            es_config_path(cfg), dro, p->r_o, p->r_a);
    p->max_turn = es_config_double(cfg, "school", "max_turn");
    p->noise = es_config_double(cfg, "school", "noise");
    p->blind_angle = es_config_double(cfg, "school", "blind_angle");
    p->fov = es_config_double(cfg, "school", "fov");
    p->orientation_weight = es_config_double(cfg, "school", "orientation_weight");
    p->include_self = es_config_bool(cfg, "school", "include_self");
    p->init = (es_school_init)es_config_enum(cfg, "school", "init");
    p->init_size = es_config_double(cfg, "school", "init_size");
    p->init_rng = (es_school_init_rng)es_config_enum(cfg, "school", "init_rng");
    p->seed = seed;
    long long ns = es_config_int(cfg, "school", "noise_seed");
    p->noise_seed = ns < 0 ? seed : (uint64_t)ns;
    int rc = es_school_params_check(p);
    if (rc != ES_OK) {
        char msg[512]; /* copy: es_error_set writes the buffer es_error_message reads */
        const char *m = es_error_message();
        snprintf(msg, sizeof msg, "%s", strncmp(m, "school: ", 8) ? m : m + 8);
        return es_error_set(ES_ECONFIG, "%s: [school] %s", es_config_path(cfg), msg);
    }
    long long si = es_config_int(cfg, "school", "save_interval"),
              me = es_config_int(cfg, "school", "metrics_every");
    if (me % si != 0)
        return es_error_set(ES_ECONFIG,
                            "%s: [school] metrics_every = %lld must be a multiple of save_interval "
                            "= %lld",
                            es_config_path(cfg), me, si);
    return ES_OK;
}

static int school_run(const es_run_ctx *ctx)
{
    const es_config *cfg = ctx->cfg;
    es_school_params p;
    int rc = params_from_config(cfg, ctx->seed, &p);
    if (rc != ES_OK)
        return rc;
    es_school_run_opts o = {
        .n_steps = es_config_int(cfg, "school", "n_steps"),
        .save_interval = es_config_int(cfg, "school", "save_interval"),
        .metrics_every = es_config_int(cfg, "school", "metrics_every"),
        .entropy = es_config_bool(cfg, "school", "entropy"),
        .metrics_only = es_config_bool(cfg, "school", "metrics_only"),
        .periodic_centroid = es_config_bool(cfg, "school", "periodic_centroid"),
        .velcorr_exact_max = (size_t)es_config_int(cfg, "school", "velcorr_exact_max"),
        /* Trajectories of doubles deflate by only ~7 % and deflate dominated
         * the run time: uncompressed unless [output] compression is set. */
        .compression = es_config_was_set(cfg, "output", "compression")
                           ? (int)es_config_int(cfg, "output", "compression")
                           : 0,
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

const es_model es_model_school = {
    .name = "school",
    .summary = "3D Couzin fish school (dewi-kadita or couzin2002 mode) with the seven entropies and OSI",
    .schema = school_schema,
    .run = school_run,
};
