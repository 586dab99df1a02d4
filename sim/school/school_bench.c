/* `esuite bench school`: steps per second of the engine with in-situ
 * metrics, N = 150 … 10^5 at the reference case 1's density, metrics every
 * step and every 10 steps; and the whole `esuite run` process on the
 * reference's case1_swarm.txt (N = 150, 1000 steps, metrics every step,
 * NetCDF written), the issue's ≥100× target against ≈ 8 s. */
#include "school/school.h"

#include "core/commands.h"
#include "core/model.h"
#include "core/output.h"
#include "core/progress.h"
#include "esuite/school_metrics.h"
#include "esuite/status.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void case1_params(es_school_params *p, size_t n)
{
    es_school_params_default(p);
    p->n = n;
    p->box = 25.0 * cbrt((double)n / 150.0); /* case 1 density N/L^3 */
    p->r_r = 2;
    p->r_o = 3;
    p->r_a = 15;
    p->max_turn = 0.4;
    p->noise = 0.2;
    p->blind_angle = 30;
    p->seed = p->noise_seed = 42;
}

static int bench_engine(json_t *cases, size_t n, long long steps, long long every)
{
    es_school_params p;
    case1_params(&p, n);
    es_school *s;
    int rc = es_school_alloc(&p, &s);
    if (rc)
        return rc;
    double *vel = malloc(3 * n * sizeof *vel);
    if (!vel) {
        es_school_free(s);
        return es_error_set(ES_ENOMEM, "bench school: out of memory");
    }
    es_school_init_state(s);
    es_school_step(s, 2); /* warm caches and the cell list */
    double t0 = es_wall_seconds();
    for (long long k = 1; k <= steps && rc == ES_OK; k++) {
        rc = es_school_step(s, 1);
        if (rc == ES_OK && k % every == 0) {
            es_school_metrics m;
            es_school_velocities(s, vel);
            rc = es_school_metrics_compute(s->pos, vel, n, p.box, 0, 0, &m);
        }
    }
    double dt = es_wall_seconds() - t0;
    free(vel);
    es_school_free(s);
    if (rc)
        return rc;
    json_t *c = json_object();
    json_object_set_new(c, "area", json_string("school"));
    json_object_set_new(c, "mode", json_string("dewi-kadita"));
    json_object_set_new(c, "N", json_integer((json_int_t)n));
    json_object_set_new(c, "metrics_every", json_integer(every));
    json_object_set_new(c, "steps", json_integer(steps));
    json_object_set_new(c, "seconds", es_json_real(dt));
    json_object_set_new(c, "steps_per_second", es_json_real((double)steps / dt));
    json_object_set_new(c, "box_size", es_json_real(p.box));
    json_array_append_new(cases, c);
    return ES_OK;
}

static const char case1_flat[] =
    "scenario_name = Case 1 - Swarm\nn_fish = 150\nbox_size = 25.0\nspeed = 1.0\n"
    "r_repulsion = 2.0\nr_orientation = 3.0\nr_attraction = 15.0\nmax_turn = 0.4\nnoise = 0.2\n"
    "blind_angle = 30.0\ndt = 0.1\nn_steps = 1000\nseed = 42\nuse_numba = true\n"
    "compute_entropy = true\nsave_csv = true\nsave_netcdf = true\nsave_png = true\n"
    "save_gif = true\noutput_dir = outputs\nanimation_fps = 30\nanimation_dpi = 100\n"
    "animation_skip = 5\nanimation_duration = 18.0\n";

/* The whole `esuite run case1_swarm.txt` process, best of `reps`; with
 * `level` >= 0 also `--set output.compression=LEVEL`. */
static int bench_process(json_t *cases, int reps, int level)
{
    char dir[] = "/tmp/esuite-bench-school-XXXXXX";
    if (!mkdtemp(dir))
        return es_error_set(ES_EIO, "bench school: cannot create a temporary directory");
    char cfg[4200], out[4200];
    snprintf(cfg, sizeof cfg, "%s/case1_swarm.txt", dir);
    FILE *fp = fopen(cfg, "w");
    if (!fp)
        return es_error_set(ES_EIO, "bench school: cannot write %s", cfg);
    fputs(case1_flat, fp);
    fclose(fp);
    double best = 1e30, total = 0;
    int rc = ES_OK;
    for (int r = 0; r < reps && rc == ES_OK; r++) {
        snprintf(out, sizeof out, "%s/run%d", dir, r);
        double t0 = es_wall_seconds();
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
            char set[64];
            snprintf(set, sizeof set, "output.compression=%d", level);
            if (level >= 0)
                execl(es_cli_self_path(), "esuite", "run", cfg, "--output", out, "--quiet", "--set",
                      set, (char *)NULL);
            else
                execl(es_cli_self_path(), "esuite", "run", cfg, "--output", out, "--quiet",
                      (char *)NULL);
            _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        double dt = es_wall_seconds() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = es_error_set(ES_EIO, "bench school: esuite run %s failed", cfg);
        total += dt;
        if (dt < best)
            best = dt;
        char cmd[8600];
        snprintf(cmd, sizeof cmd, "%s/school.nc", out);
        unlink(cmd);
        snprintf(cmd, sizeof cmd, "%s/summary.json", out);
        unlink(cmd);
        rmdir(out);
    }
    unlink(cfg);
    rmdir(dir);
    if (rc)
        return rc;
    json_t *c = json_object();
    json_object_set_new(c, "area", json_string("school"));
    json_object_set_new(c, "case", json_string(level >= 0 ? "process_case1_swarm_compression0"
                                                          : "process_case1_swarm"));
    json_object_set_new(c, "mode", json_string("dewi-kadita"));
    json_object_set_new(c, "N", json_integer(150));
    json_object_set_new(c, "metrics_every", json_integer(1));
    json_object_set_new(c, "steps", json_integer(1000));
    json_object_set_new(c, "seconds", es_json_real(best));
    json_object_set_new(c, "mean_seconds", es_json_real(total / reps));
    json_object_set_new(c, "steps_per_second", es_json_real(1000.0 / best));
    json_object_set_new(c, "speedup_vs_reference_8s", es_json_real(8.0 / best));
    json_array_append_new(cases, c);
    return ES_OK;
}

static int bench_school(json_t *cases, bool quick)
{
    static const struct {
        size_t n;
        long long steps;
    } sizes[] = {{150, 1000}, {1000, 200}, {10000, 30}, {100000, 10}};
    int ns = quick ? 2 : 4;
    for (int k = 0; k < ns; k++)
        for (int e = 0; e < 2; e++) {
            int rc = bench_engine(cases, sizes[k].n, sizes[k].steps, e == 0 ? 1 : 10);
            if (rc)
                return rc;
        }
    int rc = bench_process(cases, quick ? 3 : 10, -1);
    return rc ? rc : bench_process(cases, quick ? 3 : 10, 0);
}

const es_bench_area es_bench_school = {.area = "school", .run = bench_school};
