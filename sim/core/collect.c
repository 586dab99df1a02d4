/* esuite collect: summary.json of every task → NetCDF table + CSV. */
#include "core/collect.h"
#include "core/output.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esuite/status.h"
#include "esuite_version.h"

static long find_field(const es_collect_table *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (!strcmp(t->fields[i], name))
            return (long)i;
    return -1;
}

long es_collect_field_index(const es_collect_table *t, const char *field) { return find_field(t, field); }

/* Column of `name`, added (NaN for every task) if new; −1 when out of memory. */
static long add_field(es_collect_table *t, const char *name)
{
    long k = find_field(t, name);
    if (k >= 0)
        return k;
    size_t nt = t->sw->ntasks, nf = t->nfields + 1;
    char **names = realloc(t->fields, nf * sizeof *names);
    if (!names)
        return -1;
    t->fields = names; /* one slot more than nfields: harmless if the rest fails */
    char *copy = strdup(name);
    /* Re-layout values with one more column, NaN filled. */
    double *v = malloc((nt ? nt : 1) * nf * sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        return -1;
    }
    t->fields[t->nfields] = copy;
    for (size_t i = 0; i < nt; i++) {
        for (size_t j = 0; j < t->nfields; j++)
            v[i * nf + j] = t->values[i * t->nfields + j];
        v[i * nf + t->nfields] = NAN;
    }
    free(t->values);
    t->values = v;
    t->nfields = nf;
    return (long)(nf - 1);
}

/* Arrays longer than this (per-sample series, per-orbit lists) stay out of the
 * table: one column per element would swamp it. */
#define ES_COLLECT_ARRAY_MAX 64

static int flatten(es_collect_table *t, size_t task, const char *prefix, json_t *obj);

/* One value under its flattened name: objects recurse with '.', short arrays
 * with "[i]" (gas's cells[0].dS_MM, a ramp's ramp.holds[3].M), numbers and
 * null (NaN) become columns; strings and booleans are left out. */
static int flatten_value(es_collect_table *t, size_t task, const char *name, json_t *val)
{
    if (json_is_object(val))
        return flatten(t, task, name, val);
    if (json_is_array(val)) {
        if (json_array_size(val) > ES_COLLECT_ARRAY_MAX)
            return ES_OK;
        size_t i;
        json_t *el;
        json_array_foreach(val, i, el)
        {
            char elname[512];
            snprintf(elname, sizeof elname, "%s[%zu]", name, i);
            int st = flatten_value(t, task, elname, el);
            if (st)
                return st;
        }
        return ES_OK;
    }
    if (!json_is_number(val) && !json_is_null(val))
        return ES_OK;
    long k = add_field(t, name);
    if (k < 0)
        return es_error_set(ES_ENOMEM, "collect: out of memory for field %s", name);
    t->values[task * t->nfields + (size_t)k] = json_is_null(val) ? NAN : json_number_value(val);
    return ES_OK;
}

static int flatten(es_collect_table *t, size_t task, const char *prefix, json_t *obj)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (!*prefix && !strcmp(key, "provenance"))
            continue;
        char name[512];
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", key);
        int st = flatten_value(t, task, name, val);
        if (st)
            return st;
    }
    return ES_OK;
}

static void nc_name(const char *in, char *out, size_t len, char taken[][256], size_t ntaken);

/* A name collect gives a column or variable of its own: the CSV's task,
 * replica, seed, status and exit_code, the NetCDF file's task_index,
 * task_seed, task_status and (zip) point, and every swept key, as it is
 * (CSV) and spelt for NetCDF (gas.N, gas_N). `name` matches when it or its
 * NetCDF spelling is one of them. */
static bool is_own_column(const es_collect_table *t, const char *name)
{
    static const char *const own[] = {"task",       "replica",   "seed",      "status",
                                      "exit_code", "task_index", "task_seed", "task_status"};
    char nc[256], key_nc[256];
    nc_name(name, nc, sizeof nc, NULL, 0);
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (!strcmp(name, own[i]) || !strcmp(nc, own[i]))
            return true;
    if (t->sw->mode == ES_SWEEP_ZIP && (!strcmp(name, "point") || !strcmp(nc, "point")))
        return true;
    for (size_t a = 0; a < t->sw->naxes; a++) {
        nc_name(t->sw->axes[a].key, key_nc, sizeof key_nc, NULL, 0);
        if (!strcmp(name, t->sw->axes[a].key) || !strcmp(nc, key_nc))
            return true;
    }
    return false;
}

static bool is_other_field(const es_collect_table *t, size_t self, const char *name)
{
    for (size_t j = 0; j < t->nfields; j++)
        if (j != self && !strcmp(t->fields[j], name))
            return true;
    return false;
}

/* A summary field named like one of collect's own columns (a summary.json
 * key "seed", "replica" or "gas": {"N": ...} in a sweep of gas.N) gave the
 * CSV two columns of that name, which pandas reads as "seed" and "seed.1"
 * (and a script picking "seed" got the first), while the NetCDF file named
 * it "seed" or "replica_2". It is prefixed with "summary." in both, again
 * while that name is taken ("summary.seed" in the summary itself): the same
 * unique name for the same summaries, whatever order the tasks finished in. */
static int rename_clashing_fields(es_collect_table *t)
{
    for (size_t i = 0; i < t->nfields; i++)
        while (is_own_column(t, t->fields[i]) || is_other_field(t, i, t->fields[i])) {
            size_t n = strlen(t->fields[i]) + sizeof "summary.";
            char *name = malloc(n);
            if (!name)
                return es_error_set(ES_ENOMEM, "collect: out of memory for field %s", t->fields[i]);
            snprintf(name, n, "summary.%s", t->fields[i]);
            free(t->fields[i]);
            t->fields[i] = name;
        }
    return ES_OK;
}

int es_collect_load(const char *dir, es_collect_table **out)
{
    *out = NULL;
    es_collect_table *t = calloc(1, sizeof *t);
    if (!t)
        return es_error_set(ES_ENOMEM, "%s: out of memory", dir);
    snprintf(t->dir, sizeof t->dir, "%s", dir);
    int st = es_sweep_load_dir(dir, &t->sw);
    if (st) {
        free(t);
        return st;
    }
    size_t nt = t->sw->ntasks;
    t->status = calloc(nt ? nt : 1, sizeof *t->status);
    if (!t->status)
        st = es_error_set(ES_ENOMEM, "%s: out of memory for %zu tasks", dir, nt);
    for (size_t i = 0; i < nt && !st; i++) {
        if ((st = es_sweep_task_status(dir, i, &t->status[i])))
            break;
        switch (t->status[i].state) {
        case ES_TASK_PENDING: t->npending++; continue;
        case ES_TASK_FAILED: t->nfailed++; continue;
        case ES_TASK_CORRUPT: t->ncorrupt++; continue;
        case ES_TASK_COMPLETE: t->ncomplete++; break;
        }
        char td[64], path[4400];
        es_sweep_task_dir(i, td, sizeof td);
        snprintf(path, sizeof path, "%s/%s/out/summary.json", dir, td);
        json_error_t je;
        json_t *s = json_load_file(path, JSON_PRESERVE_ORDER | JSON_DECODE_ANY, &je);
        if (!s || !json_is_object(s))
            st = es_error_set(ES_EDATA, "%s:%d: %s", path, je.line, s ? "not a JSON object" : je.text);
        else
            st = flatten(t, i, "", s);
        json_decref(s);
    }
    /* checked here, before anything is written: the writer's message named
     * its temporary file ("T/.table.nc.part-PID: more than 1000 summary
     * fields"), which is gone when the user reads it */
    if (!st && t->nfields > ES_COLLECT_MAX_FIELDS)
        st = es_error_set(ES_EDATA, "collect: %s: the summaries have %zu numeric fields, more than the %d "
                          "a table holds (field %d is '%s'); nothing written", dir, t->nfields,
                          ES_COLLECT_MAX_FIELDS, ES_COLLECT_MAX_FIELDS + 1, t->fields[ES_COLLECT_MAX_FIELDS]);
    if (!st)
        st = rename_clashing_fields(t);
    if (st) {
        es_collect_free(t);
        return st;
    }
    *out = t;
    return ES_OK;
}

void es_collect_free(es_collect_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nfields; i++)
        free(t->fields[i]);
    free(t->fields);
    free(t->values);
    free(t->status);
    es_sweep_free(t->sw);
    free(t);
}

/* ---- provenance ---- */

/* The configuration behind the table: the sweep (name, model, mode, base
 * config, axes, replicas) and the resolved config of the first task as its
 * config.ini holds it (every key; the swept keys and the seed change from task
 * to task, as the table's columns say). Caller frees; NULL when out of memory. */
static char *collect_config(const es_collect_table *t)
{
    const es_sweep *sw = t->sw;
    es_strbuf b = {0};
    es_strbuf_printf(&b, "; esuite sweep '%s' (model %s, %s, %zu tasks, %d replica%s), base config %s\n",
                     sw->name, sw->model, sw->mode == ES_SWEEP_ZIP ? "zip" : "cartesian", sw->ntasks,
                     sw->replicas, sw->replicas == 1 ? "" : "s", sw->base);
    for (size_t a = 0; a < sw->naxes; a++) {
        es_strbuf_printf(&b, "; vary %s = ", sw->axes[a].key);
        for (size_t v = 0; v < sw->axes[a].n; v++)
            es_strbuf_printf(&b, "%s%s", v ? ", " : "", sw->axes[a].values[v]);
        es_strbuf_printf(&b, "\n");
    }
    es_strbuf_printf(&b, "; every task's seed: task_seed / the seed column\n");
    char path[4400];
    snprintf(path, sizeof path, "%s/tasks/0000/config.ini", t->dir);
    FILE *fp = sw->ntasks ? fopen(path, "r") : NULL;
    if (fp) {
        es_strbuf_printf(&b, "; resolved config of task 0000 (tasks/0000/config.ini):\n");
        char line[4096];
        while (fgets(line, sizeof line, fp))
            es_strbuf_printf(&b, "%s", line);
        fclose(fp);
    } else {
        es_strbuf_printf(&b, "; tasks/0000/config.ini could not be read\n");
    }
    return es_strbuf_take(&b);
}

/* The provenance of a table (caller calls es_provenance_free): the command
 * that collected it, the sweep's model and name, task 0's seed, the config
 * above, and the sweep file as config_path. */
static int collect_provenance(const es_collect_table *t, es_provenance *p)
{
    es_provenance_init(p, NULL, t->sw->model);
    p->run_name = t->sw->name;
    p->seed = t->sw->ntasks ? t->sw->tasks[0].seed : 0;
    p->config_path = t->sw->path;
    p->config_ini = collect_config(t);
    es_provenance_finish(p);
    if (!p->config_ini)
        return es_error_set(ES_ENOMEM, "out of memory");
    return ES_OK;
}

/* ---- NetCDF ---- */

#define NCCHK(call)                                                                                \
    do {                                                                                           \
        int _r = (call);                                                                           \
        if (_r != NC_NOERR) {                                                                      \
            st = es_error_set(ES_EIO, "cannot write '%s': %s", shown, nc_strerror(_r));            \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* NetCDF names: '.', '[' and other punctuation → '_', ']' dropped
 * (cells[0].dS_MM → cells_0_dS_MM), unique among `taken`. */
static void nc_name(const char *in, char *out, size_t len, char taken[][256], size_t ntaken)
{
    char base[200];
    size_t k = 0;
    for (const char *p = in; *p && k + 1 < sizeof base; p++)
        if (*p != ']')
            base[k++] = (isalnum((unsigned char)*p) || *p == '_' || *p == '-') ? *p : '_';
    base[k] = '\0';
    if (!k || !(isalpha((unsigned char)base[0]) || base[0] == '_'))
        snprintf(out, len, "v_%s", base);
    else
        snprintf(out, len, "%s", base);
    char cand[256];
    snprintf(cand, sizeof cand, "%s", out);
    for (int n = 2;; n++) {
        size_t i = 0;
        while (i < ntaken && strcmp(taken[i], cand))
            i++;
        if (i == ntaken)
            break;
        snprintf(cand, sizeof cand, "%.200s_%d", out, n);
    }
    snprintf(out, len, "%s", cand);
}

/* The indices of the tasks in state `want` as one line ("none" if there are none). */
static char *task_list(const es_collect_table *t, es_task_state want)
{
    es_strbuf b = {0};
    for (size_t i = 0; i < t->sw->ntasks; i++) {
        if (t->status[i].state != want)
            continue;
        if (want == ES_TASK_FAILED)
            es_strbuf_printf(&b, "%s%zu (exit %d, log %s)", b.len ? "; " : "", i,
                             t->status[i].exit_code, t->status[i].log);
        else
            es_strbuf_printf(&b, "%s%zu", b.len ? ", " : "", i);
    }
    if (!b.len && !b.failed)
        es_strbuf_printf(&b, "none");
    return es_strbuf_take(&b);
}

static int put_att_text(int ncid, int var, const char *name, const char *value)
{
    return nc_put_att_text(ncid, var, name, strlen(value), value);
}

int es_collect_write_nc(const es_collect_table *t, const char *path, const char *shown)
{
    const es_sweep *sw = t->sw;
    shown = shown ? shown : path;
    char tmp[4400];
    es_output_tmp_path(path, tmp, sizeof tmp);
    int ncid = -1, st = ES_OK;
    int dims[ES_SWEEP_MAX_AXES + 1], ndims = 0;
    char taken[ES_SWEEP_MAX_AXES * 2 + 8 + 1024][256];
    size_t ntaken = 0;
    int *fieldvar = calloc(t->nfields ? t->nfields : 1, sizeof *fieldvar);
    int axvar[ES_SWEEP_MAX_AXES], v_index, v_seed, v_status;
    char *missing = task_list(t, ES_TASK_PENDING), *failed = task_list(t, ES_TASK_FAILED),
         *corrupt = task_list(t, ES_TASK_CORRUPT);
    if (!fieldvar || !missing || !failed || !corrupt) {
        st = es_error_set(ES_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (t->nfields > ES_COLLECT_MAX_FIELDS) { /* es_collect_load refuses them */
        st = es_error_set(ES_EDATA, "%s: more than %d summary fields", path, ES_COLLECT_MAX_FIELDS);
        goto done;
    }
    NCCHK(nc_create(tmp, NC_NETCDF4 | NC_CLOBBER, &ncid));
    /* Dimensions and coordinate variables. */
    if (sw->mode == ES_SWEEP_ZIP && sw->naxes) {
        snprintf(taken[ntaken++], 256, "point");
        NCCHK(nc_def_dim(ncid, "point", sw->axes[0].n, &dims[ndims++]));
    }
    for (size_t a = 0; a < sw->naxes; a++) {
        char name[256];
        nc_name(sw->axes[a].key, name, sizeof name, taken, ntaken);
        snprintf(taken[ntaken++], 256, "%s", name);
        int d;
        if (sw->mode == ES_SWEEP_CARTESIAN) {
            NCCHK(nc_def_dim(ncid, name, sw->axes[a].n, &d));
            dims[ndims++] = d;
        } else {
            d = dims[0];
        }
        NCCHK(nc_def_var(ncid, name, sw->axes[a].numeric ? NC_DOUBLE : NC_STRING, 1, &d, &axvar[a]));
        NCCHK(put_att_text(ncid, axvar[a], "sweep_key", sw->axes[a].key));
        NCCHK(put_att_text(ncid, axvar[a], "long_name", sw->axes[a].key));
    }
    snprintf(taken[ntaken++], 256, "replica");
    NCCHK(nc_def_dim(ncid, "replica", (size_t)sw->replicas, &dims[ndims++]));
    int v_rep;
    NCCHK(nc_def_var(ncid, "replica", NC_INT, 1, &dims[ndims - 1], &v_rep));
    snprintf(taken[ntaken++], 256, "task_index");
    snprintf(taken[ntaken++], 256, "task_seed");
    snprintf(taken[ntaken++], 256, "task_status");
    NCCHK(nc_def_var(ncid, "task_index", NC_INT, ndims, dims, &v_index));
    NCCHK(nc_def_var(ncid, "task_seed", NC_UINT64, ndims, dims, &v_seed));
    NCCHK(nc_def_var(ncid, "task_status", NC_BYTE, ndims, dims, &v_status));
    NCCHK(put_att_text(ncid, v_status, "flag_meanings", "pending complete failed corrupt"));
    signed char flags[4] = {0, 1, 2, 3};
    NCCHK(nc_put_att_schar(ncid, v_status, "flag_values", NC_BYTE, 4, flags));
    double fill = NAN;
    for (size_t f = 0; f < t->nfields; f++) {
        char name[256];
        nc_name(t->fields[f], name, sizeof name, taken, ntaken);
        snprintf(taken[ntaken++], 256, "%s", name);
        NCCHK(nc_def_var(ncid, name, NC_DOUBLE, ndims, dims, &fieldvar[f]));
        NCCHK(nc_def_var_fill(ncid, fieldvar[f], 0, &fill));
        NCCHK(put_att_text(ncid, fieldvar[f], "long_name", t->fields[f]));
        NCCHK(put_att_text(ncid, fieldvar[f], "source", "summary.json"));
    }
    char now[32], ntxt[64];
    time_t tt = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    es_provenance prov;
    st = collect_provenance(t, &prov);
    if (!st)
        st = es_output_nc_provenance(ncid, &prov);
    es_provenance_free(&prov);
    if (st)
        goto done;
    NCCHK(put_att_text(ncid, NC_GLOBAL, "title", "esuite sweep summary table"));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "sweep_name", sw->name));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "sweep_dir", t->dir));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "sweep_mode", sw->mode == ES_SWEEP_ZIP ? "zip" : "cartesian"));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "base_config", sw->base));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "model", sw->model));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "esuite_version", ESUITE_VERSION));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "git_revision", ESUITE_GIT_REVISION));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "created", now));
    snprintf(ntxt, sizeof ntxt, "%zu of %zu", t->ncomplete, sw->ntasks);
    NCCHK(put_att_text(ncid, NC_GLOBAL, "complete_tasks", ntxt));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "missing_tasks", missing));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "failed_tasks", failed));
    NCCHK(put_att_text(ncid, NC_GLOBAL, "corrupt_tasks", corrupt));
    NCCHK(nc_enddef(ncid));
    /* Coordinates. */
    for (size_t a = 0; a < sw->naxes; a++) {
        if (sw->axes[a].numeric) {
            double *v = malloc(sw->axes[a].n * sizeof *v);
            for (size_t i = 0; i < sw->axes[a].n; i++)
                v[i] = strtod(sw->axes[a].values[i], NULL);
            int r = nc_put_var_double(ncid, axvar[a], v);
            free(v);
            NCCHK(r);
        } else {
            NCCHK(nc_put_var_string(ncid, axvar[a], (const char **)sw->axes[a].values));
        }
    }
    int *reps = malloc((size_t)sw->replicas * sizeof *reps);
    for (int r = 0; r < sw->replicas; r++)
        reps[r] = r;
    int rr = nc_put_var_int(ncid, v_rep, reps);
    free(reps);
    NCCHK(rr);
    /* Task order is the C order of the dimensions (see sweep.h). */
    size_t nt = sw->ntasks;
    int *idx = malloc(nt * sizeof *idx);
    unsigned long long *seeds = malloc(nt * sizeof *seeds);
    signed char *stat = malloc(nt);
    double *col = malloc(nt * sizeof *col);
    for (size_t i = 0; i < nt; i++) {
        idx[i] = (int)i;
        seeds[i] = sw->tasks[i].seed;
        stat[i] = (signed char)t->status[i].state;
    }
    int r1 = nc_put_var_int(ncid, v_index, idx), r2 = nc_put_var_ulonglong(ncid, v_seed, seeds),
        r3 = nc_put_var_schar(ncid, v_status, stat);
    int r4 = NC_NOERR;
    for (size_t f = 0; f < t->nfields && r4 == NC_NOERR; f++) {
        for (size_t i = 0; i < nt; i++)
            col[i] = t->values[i * t->nfields + f];
        r4 = nc_put_var_double(ncid, fieldvar[f], col);
    }
    free(idx);
    free(seeds);
    free(stat);
    free(col);
    NCCHK(r1);
    NCCHK(r2);
    NCCHK(r3);
    NCCHK(r4);
    int rc = nc_close(ncid);
    ncid = -1;
    NCCHK(rc);
    st = es_output_commit(tmp, path); /* NetCDF does not fsync on close */
done:
    if (ncid >= 0) {
        /* nc_close writes what HDF5 still buffers: its failure is a table
         * cut short, and HDF5 may still hold the broken file, which its
         * exit handler then crashes on (a sanitizer build's exit) */
        int rc = nc_close(ncid);
        if (st == ES_EIO || rc != NC_NOERR)
            es_output_hdf5_failed();
        if (!st && rc != NC_NOERR)
            st = es_error_set(ES_EIO, "cannot write '%s': %s (in nc_close)", shown, nc_strerror(rc));
    }
    if (st)
        unlink(tmp);
    free(fieldvar);
    free(missing);
    free(failed);
    free(corrupt);
    return st;
}

/* ---- CSV ---- */

static void csv_text(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

int es_collect_write_csv(const es_collect_table *t, const char *path, const char *shown)
{
    const es_sweep *sw = t->sw;
    shown = shown ? shown : path;
    char tmp[4400];
    es_output_tmp_path(path, tmp, sizeof tmp);
    FILE *fp = fopen(tmp, "w");
    if (!fp)
        return es_error_set(ES_EIO, "cannot write '%s': %s", shown, strerror(errno));
    /* provenance first, as '#' comment lines (read_csv(..., comment="#")) */
    es_provenance prov;
    int pst = collect_provenance(t, &prov);
    if (pst) {
        fclose(fp);
        unlink(tmp);
        return pst;
    }
    fprintf(fp, "# esuite sweep summary table of '%s' (%s), collected from %s\n", sw->name,
            sw->model, t->dir);
    fprintf(fp, "# esuite_version = %s\n# git_revision = %s\n# created = %s\n# command_line = %s\n",
            ESUITE_VERSION, ESUITE_GIT_REVISION, prov.end_time, prov.command_line);
    fprintf(fp, "# seed = %llu (task 0000; every task's in the seed column)\n# config:\n", prov.seed);
    for (const char *l = prov.config_ini; *l;) {
        size_t n = strcspn(l, "\n");
        fprintf(fp, n ? "#   %.*s\n" : "#\n", (int)n, l);
        l += n + (l[n] == '\n');
    }
    es_provenance_free(&prov);
    fputs("task,replica,seed,status,exit_code", fp);
    for (size_t a = 0; a < sw->naxes; a++) {
        fputc(',', fp);
        csv_text(fp, sw->axes[a].key);
    }
    for (size_t f = 0; f < t->nfields; f++) {
        fputc(',', fp);
        csv_text(fp, t->fields[f]);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < sw->ntasks; i++) {
        const es_task_status *s = &t->status[i];
        fprintf(fp, "%zu,%d,%llu,%s,", i, sw->tasks[i].replica, sw->tasks[i].seed,
                es_task_state_name(s->state));
        if (s->state == ES_TASK_FAILED)
            fprintf(fp, "%d", s->exit_code);
        for (size_t a = 0; a < sw->naxes; a++) {
            fputc(',', fp);
            csv_text(fp, sw->axes[a].values[sw->tasks[i].value_index[a]]);
        }
        for (size_t f = 0; f < t->nfields; f++) {
            double v = t->values[i * t->nfields + f];
            fputc(',', fp);
            if (!isnan(v))
                fprintf(fp, "%.17g", v);
        }
        fputc('\n', fp);
    }
    int bad = ferror(fp) != 0;
    bad |= fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    bad |= fclose(fp) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return es_error_set(ES_EIO, "cannot write '%s': %s", shown, strerror(errno));
    }
    return es_output_sync_parent(path);
}

/* ---- committing both ---- */

int es_collect_commit(const char *nc_stage, const char *nc_path, const char *csv_stage,
                      const char *csv_path)
{
    char bak[4400];
    const char *slash = strrchr(nc_path, '/');
    int dirlen = slash ? (int)(slash - nc_path + 1) : 0;
    snprintf(bak, sizeof bak, "%.*s.%s.bak-%ld", dirlen, nc_path, slash ? slash + 1 : nc_path,
             (long)getpid());
    unlink(bak); /* one left by a collect of this pid that was killed */
    /* no link (a file system without hard links): committed as before, without the way back */
    int backed_up = link(nc_path, bak) == 0, existed = backed_up || access(nc_path, F_OK) == 0;
    int st = es_output_commit(nc_stage, nc_path);
    int nc_in = access(nc_stage, F_OK) != 0; /* renamed into place, even if a flush failed after */
    if (!st)
        st = es_output_commit(csv_stage, csv_path);
    if (st && nc_in && access(csv_stage, F_OK) == 0) { /* the new table without its CSV */
        char msg[ES_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", es_error_message());
        if (backed_up && rename(bak, nc_path) == 0)
            es_error_set(ES_EIO, "%s; %s left as it was", msg, nc_path);
        else if (!existed && unlink(nc_path) == 0)
            es_error_set(ES_EIO, "%s; %s not written either", msg, nc_path);
        else if (!backed_up)
            es_error_set(ES_EIO, "%s; %s holds the new table without its CSV", msg, nc_path);
        else { /* the earlier table stays where it is */
            es_error_set(ES_EIO, "%s; %s holds the new table without its CSV, the earlier one is %s "
                         "(putting it back failed: %s)", msg, nc_path, bak, strerror(errno));
            backed_up = 0;
        }
    }
    if (backed_up)
        unlink(bak);
    return st;
}
