/* esuite school-metrics [--json] [--box L] [--periodic-centroid] [--open] FILE.nc
 *
 * Per-frame order parameters, the seven entropies and the OSI of a NetCDF
 * file holding positions(time, fish, spatial) and velocities(time, fish,
 * spatial) — the layout esuite and the reference library both write. The
 * box side comes from the global attribute box_size or --box. */
#include "core/commands.h"
#include "core/info_file.h"
#include "core/output.h"
#include "core/strbuf.h"
#include "esuite/school_metrics.h"
#include "esuite/series_io.h"
#include "esuite/status.h"
#include "esuite_version.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int es_school_metrics_main(int argc, char **argv);

#define NCOLS (4 + ES_SCHOOL_NH + 1)
static const char *const col_names[NCOLS] = {
    "polarization", "rotation", "spread", "order_index", "school_cohesion_entropy",
    "polarization_entropy", "depth_stratification_entropy", "angular_momentum_entropy",
    "nearest_neighbor_entropy", "velocity_correlation_entropy", "school_shape_entropy",
    "oceanic_schooling_index"};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: esuite school-metrics [--json] [--box L] [--periodic-centroid] [--open] FILE.nc\n\n"
            "Order parameters P, M, spread, order index, the seven dewi-kadita entropies and the\n"
            "Oceanic Schooling Index of every frame of FILE.nc (variables positions and velocities,\n"
            "dimensions (time, fish, spatial)). Definitions: docs/school.md.\n\n"
            "  --json               one JSON object with an array per metric (and time), %%.17g\n"
            "  --box L              periodic box side (default: global attribute box_size)\n"
            "  --periodic-centroid  circular-mean centroid for M, spread, H_ang, H_shape\n"
            "                       (default: the reference's naive centroid)\n"
            "  --open               open-space k-NN distances (couzin2002 runs)\n");
}

typedef struct {
    int ncid, vpos, vvel, vtime;
    size_t nt, nf;
    double box;
    int box_given;   /* --box, not the file's box_size */
    int has_fill[3]; /* frames never written read as the fill value (positions, velocities, time) */
    double fill[3];
    double scale[2], offset[2]; /* CF packing of positions, velocities (1, 0: none) */
} nc_in;

/* The global attribute box_size as one number: NC_NOERR, NC_ENOTATT, NC_ECHAR
 * (text) or NC_EINVAL (not one value; *len says how many). nc_get_att_double
 * writes every value of an attribute: box_size = 10, 20, 30 (a box that is
 * not a cube) overran the one double it was read into and was taken for a
 * cube of side 10. */
static int box_attribute(int ncid, double *box, size_t *len)
{
    nc_type t;
    int rc = nc_inq_att(ncid, NC_GLOBAL, "box_size", &t, len);
    if (rc != NC_NOERR)
        return rc;
    if (t == NC_CHAR || t == NC_STRING)
        return NC_ECHAR;
    if (*len != 1)
        return NC_EINVAL;
    return nc_get_att_double(ncid, NC_GLOBAL, "box_size", box);
}

/* A `time` variable gives the frames' times: it must be numeric and lie on
 * the frames' time dimension. One on another dimension gave the times of
 * its own entries and, past its end, frame indices, silently. */
static int check_time_var(const char *path, nc_in *in)
{
    int nd = 0, dim = -1, pdims[NC_MAX_VAR_DIMS];
    nc_type t = NC_NAT;
    nc_inq_varndims(in->ncid, in->vtime, &nd);
    nc_inq_vartype(in->ncid, in->vtime, &t);
    nc_inq_vardimid(in->ncid, in->vpos, pdims);
    if (nd == 1)
        nc_inq_vardimid(in->ncid, in->vtime, &dim);
    if (nd != 1 || dim != pdims[0] || t == NC_CHAR || t == NC_STRING)
        return es_error_set(ES_EDATA, "%s: variable 'time' is not a number per frame (expected "
                                      "numbers on the dimension 'time' of positions)", path);
    in->has_fill[2] = es_netcdf_fill_value(in->ncid, in->vtime, &in->fill[2]);
    return ES_OK;
}

/* A run's directory (esuite school-metrics out) got NetCDF's "Unknown file
 * format": say what it is, and name its school.nc when it has one. */
static int refuse_directory(const char *path)
{
    char nc[4200];
    if (es_info_file_in_dir(path, "school.nc", nc, sizeof nc))
        return es_error_set(ES_EIO, "%s: is a directory, not a NetCDF file (its run's output: "
                                    "esuite school-metrics %s)", path, nc);
    return es_error_set(ES_EIO, "%s: is a directory, not a NetCDF file", path);
}

static int open_input(const char *path, double box_opt, nc_in *in)
{
    struct stat st;
    /* '' read "cannot open as NetCDF: NetCDF: Malformed URL", an empty file
     * (a copy that never started) "NetCDF: Unknown file format" */
    if (!*path)
        return es_error_set(ES_EINVAL, "school-metrics: empty FILE.nc name");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return refuse_directory(path);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return es_error_set(ES_EDATA, "%s: empty file (0 bytes), not a NetCDF file", path);
    int rc = nc_open(path, NC_NOWRITE, &in->ncid);
    /* a school.nc cut short (an interrupted copy) read "NetCDF: HDF error" only */
    if (rc != NC_NOERR && es_info_binary_kind(path))
        return es_error_set(ES_EIO, "%s: cannot open as NetCDF (corrupt or truncated %s file?): %s",
                            path, es_info_binary_kind(path), nc_strerror(rc));
    if (rc != NC_NOERR)
        return es_error_set(ES_EIO, "%s: cannot open as NetCDF: %s", path, nc_strerror(rc));
    if (es_netcdf_check_extent(path, in->ncid) != ES_OK)
        return ES_EDATA;
    const char *names[2] = {"positions", "velocities"};
    int *vars[2] = {&in->vpos, &in->vvel};
    size_t shape[2][3];
    for (int k = 0; k < 2; k++) {
        int nd, dims[NC_MAX_VAR_DIMS];
        if (nc_inq_varid(in->ncid, names[k], vars[k]) != NC_NOERR)
            return es_error_set(ES_EDATA, "%s: no variable '%s' (need positions and velocities "
                                          "with dimensions (time, fish, spatial))", path, names[k]);
        nc_inq_varndims(in->ncid, *vars[k], &nd);
        if (nd != 3)
            return es_error_set(ES_EDATA, "%s: variable '%s' has %d dimensions, expected 3 "
                                          "(time, fish, spatial)", path, names[k], nd);
        nc_inq_vardimid(in->ncid, *vars[k], dims);
        /* a transposed (fish, time, spatial) file has the right rank and
         * spatial size but would be read as frames of the wrong fish */
        if (es_netcdf_check_frame_dims(path, in->ncid, *vars[k], names[k]) != ES_OK)
            return ES_EDATA;
        in->has_fill[k] = es_netcdf_fill_value(in->ncid, *vars[k], &in->fill[k]);
        if (es_netcdf_packing(path, in->ncid, *vars[k], names[k], &in->scale[k], &in->offset[k]))
            return ES_EDATA;
        for (int a = 0; a < 3; a++)
            nc_inq_dimlen(in->ncid, dims[a], &shape[k][a]);
        if (shape[k][2] != 3)
            return es_error_set(ES_EDATA, "%s: variable '%s' has spatial size %zu, expected 3",
                                path, names[k], shape[k][2]);
    }
    if (shape[0][0] != shape[1][0] || shape[0][1] != shape[1][1])
        return es_error_set(ES_EDATA, "%s: positions (%zu×%zu) and velocities (%zu×%zu) differ "
                                      "in shape", path, shape[0][0], shape[0][1], shape[1][0],
                            shape[1][1]);
    in->nt = shape[0][0];
    in->nf = shape[0][1];
    if (in->nt == 0 || in->nf == 0)
        return es_error_set(ES_EDATA, "%s: no frames or no fish", path);
    if (nc_inq_varid(in->ncid, "time", &in->vtime) != NC_NOERR)
        in->vtime = -1;
    else if (check_time_var(path, in) != ES_OK)
        return ES_EDATA;
    in->box = box_opt;
    in->box_given = box_opt > 0;
    double file_box;
    size_t nbox = 0;
    if (in->box_given && box_attribute(in->ncid, &file_box, &nbox) == NC_NOERR && file_box != box_opt)
        /* positions inside a larger --box pass the check in frame_row */
        es_warning_add("%s: --box %.10g differs from the file's box_size = %.10g", path, box_opt,
                       file_box);
    if (!(in->box > 0)) {
        int arc = box_attribute(in->ncid, &in->box, &nbox);
        if (arc == NC_ECHAR)
            return es_error_set(ES_EDATA, "%s: global attribute box_size is text, not a number; "
                                          "pass --box L", path);
        if (arc == NC_EINVAL)
            return es_error_set(ES_EDATA, "%s: global attribute box_size has %zu values, expected "
                                          "one number (the side of the periodic cube); pass --box L",
                                path, nbox);
        if (arc != NC_NOERR)
            return es_error_set(ES_EDATA, "%s: no global attribute box_size; pass --box L", path);
        if (!(in->box > 0) || !isfinite(in->box))
            return es_error_set(ES_EDATA, "%s: global attribute box_size = %g is not a positive "
                                          "number; pass --box L", path, in->box);
    }
    return ES_OK;
}

static int frame_row(const nc_in *in, size_t t, unsigned flags, double *pos, double *vel,
                     double *time, double row[NCOLS])
{
    size_t st[3] = {t, 0, 0}, cnt[3] = {1, in->nf, 3};
    if (nc_get_vara_double(in->ncid, in->vpos, st, cnt, pos) != NC_NOERR ||
        nc_get_vara_double(in->ncid, in->vvel, st, cnt, vel) != NC_NOERR)
        return es_error_set(ES_EIO, "frame %zu: cannot read positions/velocities", t);
    for (int k = 0; k < 2; k++) {
        const double *x = k ? vel : pos;
        for (size_t i = 0; in->has_fill[k] && i < 3 * in->nf; i++)
            if (x[i] == in->fill[k])
                return es_error_set(ES_EDATA, "frame %zu: %s of fish %zu hold the fill value "
                                              "(never written: a partial file?)", t,
                                    k ? "velocities" : "positions", i / 3);
    }
    /* CF packing (scale_factor, add_offset), after the fill check: packed
     * integers were taken for coordinates in box units. missing_value and
     * valid_range are checked as the series reader checks them: they were
     * analysed as coordinates. */
    for (int k = 0; k < 2; k++) {
        double *x = k ? vel : pos;
        char what[96];
        snprintf(what, sizeof what, "frame %zu: %s", t, k ? "velocities" : "positions");
        const int var = k ? in->vvel : in->vpos;
        /* the message names the fish and the axis, not the flat index 3·fish + axis */
        if (es_netcdf_check_xyz(in->ncid, var, x, in->nf, 0, what) != ES_OK)
            return ES_EDATA;
        for (size_t i = 0; (in->scale[k] != 1.0 || in->offset[k] != 0.0) && i < 3 * in->nf; i++)
            x[i] = x[i] * in->scale[k] + in->offset[k];
        if (es_netcdf_check_xyz(in->ncid, var, x, in->nf, 1, what) != ES_OK)
            return ES_EDATA;
    }
    /* Periodic metrics take every coordinate in [0, L): a wrong --box, or an
     * open-space (couzin2002) file without --open, gave other numbers
     * silently (k-NN images, depth histogram). A rounding-size margin is
     * allowed: a wrapped coordinate may come out as L. Non-finite values
     * get the metrics' own message. */
    for (size_t i = 0; !(flags & ES_SCHOOL_OPEN) && i < 3 * in->nf; i++)
        if (isfinite(pos[i]) && (pos[i] < -1e-9 * in->box || pos[i] > in->box * (1 + 1e-9)))
            return es_error_set(ES_EDATA, "frame %zu: fish %zu has %c = %.10g, outside the periodic box "
                                          "[0, %.10g] of %s", t, i / 3, "xyz"[i % 3], pos[i], in->box,
                                in->box_given ? "--box (pass the file's box, or --open for open space)"
                                              : "box_size (an open-space couzin2002 file needs --open)");
    *time = (double)t;
    if (in->vtime >= 0) {
        /* a NaN time was dropped from the JSON array (json_real(NaN) is
         * NULL), which then paired every later time with the frame before */
        size_t s1[1] = {t}, c1[1] = {1};
        if (nc_get_vara_double(in->ncid, in->vtime, s1, c1, time) != NC_NOERR)
            return es_error_set(ES_EIO, "frame %zu: cannot read time", t);
        if (in->has_fill[2] && *time == in->fill[2])
            return es_error_set(ES_EDATA, "frame %zu: time holds the fill value (never written: a "
                                          "partial file?)", t);
        if (!isfinite(*time))
            return es_error_set(ES_EDATA, "frame %zu: time = %g is not a finite number", t, *time);
    }
    es_school_metrics m;
    int rc = es_school_metrics_compute(pos, vel, in->nf, in->box, flags, 0, &m);
    if (rc)
        return es_error_set(rc, "frame %zu: %s", t, es_error_message());
    row[0] = m.polarization;
    row[1] = m.rotation;
    row[2] = m.spread;
    row[3] = m.order_index;
    for (int k = 0; k < ES_SCHOOL_NH; k++)
        row[4 + k] = m.h[k];
    row[NCOLS - 1] = m.osi;
    return ES_OK;
}

/* The text table is built in memory and printed only when every frame was
 * read: a bad frame gives one error and no partial table on stdout. */
/* A global text attribute of the input (short, for the table's header), or "". */
static void src_text(int ncid, const char *name, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    nc_type t;
    if (nc_inq_att(ncid, NC_GLOBAL, name, &t, &n) != NC_NOERR || t != NC_CHAR || n >= len)
        return;
    if (nc_get_att_text(ncid, NC_GLOBAL, name, buf) != NC_NOERR)
        n = 0;
    buf[n] = '\0';
}

/* The input's seed attribute if it is one integer (a seed of several values
 * overran the one it was read into and crashed the command). */
static int seed_attribute(int ncid, unsigned long long *seed)
{
    nc_type t;
    size_t len = 0;
    return nc_inq_att(ncid, NC_GLOBAL, "seed", &t, &len) == NC_NOERR && len == 1 && t != NC_CHAR &&
           t != NC_STRING && nc_get_att_ulonglong(ncid, NC_GLOBAL, "seed", seed) == NC_NOERR;
}

/* The table's provenance line: this esuite, and the one that wrote the input
 * with its model, run and seed (the input's config stays in its attributes). */
static void provenance_line(es_strbuf *b, int ncid)
{
    char ver[64], rev[64], model[64], name[256], seedtxt[32] = "";
    src_text(ncid, "esuite_version", ver, sizeof ver);
    src_text(ncid, "git_revision", rev, sizeof rev);
    src_text(ncid, "model", model, sizeof model);
    src_text(ncid, "run_name", name, sizeof name);
    unsigned long long seed;
    if (seed_attribute(ncid, &seed))
        snprintf(seedtxt, sizeof seedtxt, "%llu", seed);
    else
        src_text(ncid, "seed", seedtxt, sizeof seedtxt); /* classic files: decimal text */
    es_strbuf_printf(b, "# esuite school-metrics %s (git %s); ", ESUITE_VERSION, ESUITE_GIT_REVISION);
    if (*ver)
        es_strbuf_printf(b, "input written by esuite %s (git %s), model %s, run '%s', seed %s; its "
                            "config: the input's attribute 'config'\n",
                         ver, *rev ? rev : "unknown", *model ? model : "?", name,
                         *seedtxt ? seedtxt : "?");
    else
        es_strbuf_printf(b, "input without esuite provenance attributes\n");
}

/* The JSON form's "provenance" object: the same facts as the table's line. */
static json_t *provenance_json(int ncid, const char *path)
{
    static const char *const names[] = {"esuite_version", "git_revision", "model", "run_name", "seed"};
    json_t *p = json_object();
    json_object_set_new(p, "esuite_version", json_string(ESUITE_VERSION));
    json_object_set_new(p, "git_revision", json_string(ESUITE_GIT_REVISION));
    json_object_set_new(p, "input", es_json_text(path));
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char buf[256], key[64];
        unsigned long long seed;
        snprintf(key, sizeof key, "input_%s", names[k]);
        if (k == 4 && seed_attribute(ncid, &seed)) {
            /* json_int_t is signed 64-bit; larger seeds as decimal text */
            snprintf(buf, sizeof buf, "%llu", seed);
            json_object_set_new(p, key, seed <= (unsigned long long)LLONG_MAX
                                            ? json_integer((json_int_t)seed)
                                            : json_string(buf));
            continue;
        }
        src_text(ncid, names[k], buf, sizeof buf);
        json_object_set_new(p, key, *buf ? es_json_text(buf) : json_null());
    }
    return p;
}

static int run(const char *path, double box, unsigned flags, int as_json)
{
    nc_in in = {.ncid = -1};
    int rc = open_input(path, box, &in);
    double *pos = NULL, *vel = NULL;
    json_t *root = NULL, *arr[NCOLS + 1] = {NULL};
    es_strbuf tab = {0};
    if (!rc) {
        pos = malloc(3 * in.nf * sizeof *pos);
        vel = malloc(3 * in.nf * sizeof *vel);
        if (!pos || !vel)
            rc = es_error_set(ES_ENOMEM, "out of memory for %zu fish", in.nf);
    }
    if (!rc && as_json) {
        root = json_object();
        for (int k = 0; k <= NCOLS; k++) {
            arr[k] = json_array();
            json_object_set_new(root, k == 0 ? "time" : col_names[k - 1], arr[k]);
        }
    } else if (!rc) {
        es_strbuf_printf(&tab, "# %s: %zu frames, %zu fish, box %.17g\n", path, in.nt, in.nf, in.box);
        provenance_line(&tab, in.ncid);
        es_strbuf_printf(&tab, "# time");
        for (int k = 0; k < NCOLS; k++)
            es_strbuf_printf(&tab, " %s", col_names[k]);
        es_strbuf_printf(&tab, "\n");
    }
    for (size_t t = 0; !rc && t < in.nt; t++) {
        double row[NCOLS], time;
        rc = frame_row(&in, t, flags, pos, vel, &time, row);
        if (rc) {
            char msg[ES_MSG_LEN];
            snprintf(msg, sizeof msg, "%s", es_error_message());
            rc = es_error_set(rc, "%s: %s", path, msg);
            break;
        }
        if (as_json) {
            json_array_append_new(arr[0], json_real(time));
            for (int k = 0; k < NCOLS; k++)
                json_array_append_new(arr[k + 1], json_real(row[k]));
        } else {
            es_strbuf_printf(&tab, "%.10g", time);
            for (int k = 0; k < NCOLS; k++)
                es_strbuf_printf(&tab, " %.10g", row[k]);
            es_strbuf_printf(&tab, "\n");
        }
    }
    char *text = NULL;
    if (!rc && as_json)
        json_object_set_new(root, "provenance", provenance_json(in.ncid, path));
    if (!rc) {
        text = as_json ? json_dumps(root, JSON_REAL_PRECISION(17) | JSON_COMPACT) : es_strbuf_take(&tab);
        if (!text)
            rc = es_error_set(ES_ENOMEM, "out of memory for the output");
        else if (printf("%s%s", text, as_json ? "\n" : "") < 0 || fflush(stdout) != 0)
            /* a full disc or a closed pipe: the table is not all there (exit 0 said it was) */
            rc = es_error_set(ES_EIO, "%s: cannot write its %s to standard output: %s", path,
                              as_json ? "JSON" : "table", strerror(errno));
    }
    free(text);
    es_strbuf_free(&tab);
    json_decref(root);
    free(pos);
    free(vel);
    if (in.ncid >= 0)
        nc_close(in.ncid);
    return rc;
}

int es_school_metrics_main(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"box", required_argument, NULL, 'b'},
                                         {"periodic-centroid", no_argument, NULL, 'p'},
                                         {"open", no_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int as_json = 0, c;
    unsigned flags = 0;
    double box = 0.0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":jb:poh", opts, NULL)) != -1) {
        switch (c) {
        case 'j': as_json = 1; break;
        case 'b':
            if (!es_cli_parse_double("--box", optarg, 1e-300, 1e300, &box))
                return 2;
            break;
        case 'p': flags |= ES_SCHOOL_PERIODIC_CENTROID; break;
        case 'o': flags |= ES_SCHOOL_OPEN; break;
        case 'h': usage(stdout); return 0;
        case ':': es_cli_error("school-metrics: option %s needs a value", argv[optind - 1]); return 2;
        default:
            es_cli_error("school-metrics: unknown option '%s' (see 'esuite school-metrics --help')",
                         argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) { /* an extra argument is named, as run and info do */
        if (optind >= argc)
            es_cli_error("school-metrics: missing FILE.nc");
        else
            es_cli_error("school-metrics: expected one FILE.nc, got an extra argument '%s'", argv[optind + 1]);
        return 2;
    }
    if ((flags & ES_SCHOOL_OPEN) && (flags & ES_SCHOOL_PERIODIC_CENTROID)) {
        /* as a run refuses periodic_centroid = true with mode = couzin2002 */
        es_cli_error("school-metrics: --periodic-centroid (a circular mean over the periodic box) has no "
                     "meaning with --open (open space)");
        return 2;
    }
    es_warning_clear();
    int rc = run(argv[optind], box, flags, as_json);
    if (rc) {
        es_warning_clear(); /* one message: the error */
        es_cli_error("%s", es_error_message());
        return es_cli_exit_status(rc);
    }
    es_cli_print_warnings();
    return 0;
}
