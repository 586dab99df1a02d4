/* Sweep directories and collect, on fabricated task outputs: completion
 * checksums (against an FNV-1a computed here), failed/pending/corrupt
 * states, and the NetCDF/CSV table values read back independently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/collect.h"
#include "core/model.h"
#include "core/sweep.h"
#include "esuite/status.h"
#include "esuite_version.h"

static char tmpdir[256], sweepdir[400];

static const char *test_model(void)
{
    for (int i = 0; es_model_names[i]; i++)
        if (!es_model_find(es_model_names[i]))
            return es_model_names[i];
    return es_model_names[0];
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* 2 (compression) x 3 (log_interval) x 2 replicas = 12 tasks. */
static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/es_sweep_collect_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char path[512], text[256];
    snprintf(path, sizeof path, "%s/base.ini", tmpdir);
    snprintf(text, sizeof text, "[run]\nmodel = %s\nseed = 5\n", test_model());
    write_file(path, text);
    snprintf(path, sizeof path, "%s/s.ini", tmpdir);
    write_file(path, "[sweep]\nbase = base.ini\nname = t\nreplicas = 2\n"
                     "vary output.compression = 1,4\nvary output.log_interval = 0.5:1.5:0.5\n");
    es_sweep *sw;
    if (es_sweep_load(path, &sw))
        return -1;
    snprintf(sweepdir, sizeof sweepdir, "%s/sweep", tmpdir);
    int st = es_sweep_write_dir(sw, sweepdir);
    es_sweep_free(sw);
    return st ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Summary of task i: P = 10*c + li + 0.25*r from its own parameters, so
 * the table can be checked against the coordinates. */
static double expected_P(double c, double li, int r) { return 10 * c + li + 0.25 * r; }

static void fabricate(size_t i, double c, double li, int r)
{
    char out[600], path[700], text[512];
    snprintf(out, sizeof out, "%s/tasks/%04zu/out", sweepdir, i);
    assert_int_equal(es_sweep_mkdir_p(out), ES_OK);
    snprintf(path, sizeof path, "%s/summary.json", out);
    snprintf(text, sizeof text,
             "{\"P\": %.17g, \"final\": {\"H\": %zu, \"C\": null}, \"label\": \"x\", \"list\": [1, 2],"
             " \"provenance\": {\"seed\": 3}}\n",
             expected_P(c, li, r), i);
    write_file(path, text);
}

static void test_status_and_checksum(void **state)
{
    (void)state;
    es_sweep *sw;
    assert_int_equal(es_sweep_load_dir(sweepdir, &sw), ES_OK);
    assert_int_equal(sw->ntasks, 12);
    es_task_status st;
    assert_int_equal(es_sweep_task_status(sweepdir, 0, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_PENDING);
    for (size_t i = 0; i < 12; i++) {
        if (i == 5 || i == 9)
            continue; /* 5 fails, 9 never runs */
        double c = strtod(sw->axes[0].values[sw->tasks[i].value_index[0]], NULL);
        double li = strtod(sw->axes[1].values[sw->tasks[i].value_index[1]], NULL);
        fabricate(i, c, li, sw->tasks[i].replica);
        assert_int_equal(es_sweep_finish_task(sweepdir, i, 0, "logs/x.err"), ES_OK);
    }
    assert_int_equal(es_sweep_finish_task(sweepdir, 5, 3, "logs/slurm-7_5.err"), ES_OK);
    assert_int_equal(es_sweep_task_status(sweepdir, 5, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_FAILED);
    assert_int_equal(st.exit_code, 3);
    assert_string_equal(st.log, "logs/slurm-7_5.err");
    assert_int_equal(es_sweep_task_status(sweepdir, 9, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_PENDING);
    assert_int_equal(es_sweep_task_status(sweepdir, 4, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_COMPLETE);

    /* The checksum of an output dir with just summary.json, computed here. */
    char out[600], path[700];
    snprintf(out, sizeof out, "%s/tasks/0004/out", sweepdir);
    snprintf(path, sizeof path, "%s/summary.json", out);
    FILE *fp = fopen(path, "rb");
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned char bytes[64 + 1024];
    size_t len = 0;
    memcpy(bytes, "summary.json", 13); /* with its NUL */
    len = 13;
    for (int k = 0; k < 8; k++)
        bytes[len++] = (unsigned char)((uint64_t)n >> (8 * k));
    memcpy(bytes + len, buf, n);
    len += n;
    for (size_t k = 0; k < len; k++) {
        h ^= bytes[k];
        h *= 0x100000001b3ULL;
    }
    uint64_t got;
    size_t nfiles;
    uint64_t nbytes;
    assert_int_equal(es_sweep_output_hash(out, &got, &nfiles, &nbytes), ES_OK);
    assert_true(got == h);
    assert_int_equal(nfiles, 1);
    assert_int_equal(nbytes, n);

    /* A changed output is caught: task 4 becomes corrupt; restored, complete again. */
    FILE *ap = fopen(path, "a");
    fputs(" ", ap);
    fclose(ap);
    assert_int_equal(es_sweep_task_status(sweepdir, 4, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_CORRUPT);
    fp = fopen(path, "wb");
    fwrite(buf, 1, n, fp);
    fclose(fp);
    assert_int_equal(es_sweep_task_status(sweepdir, 4, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_COMPLETE);
    /* A zero exit without summary.json is a failure, not a completion. */
    assert_int_equal(es_sweep_finish_task(sweepdir, 9, 0, "logs/y.err"), ES_OK);
    assert_int_equal(es_sweep_task_status(sweepdir, 9, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_FAILED);
    assert_int_equal(st.exit_code, -1);
    char failed[700];
    snprintf(failed, sizeof failed, "%s/tasks/0009/failed.json", sweepdir);
    /* A failed.json cut short is corrupt, with why: it read as pending. */
    FILE *fj = fopen(failed, "wb");
    fputs("{\"exit_code\": 2, \"lo", fj);
    fclose(fj);
    assert_int_equal(es_sweep_task_status(sweepdir, 9, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_CORRUPT);
    assert_string_equal(st.reason, "failed.json does not read as JSON (line 1: premature end of input near '\"lo')");
    unlink(failed); /* back to pending for the collect test */
    es_sweep_free(sw);
}

static void test_collect_table(void **state)
{
    (void)state;
    es_collect_table *t;
    assert_int_equal(es_collect_load(sweepdir, &t), ES_OK);
    assert_int_equal(t->ncomplete, 10);
    assert_int_equal(t->nfailed, 1);
    assert_int_equal(t->npending, 1);
    /* numeric fields only, flattened (short arrays by index), provenance and text left out */
    assert_int_equal(t->nfields, 5);
    assert_string_equal(t->fields[0], "P");
    assert_string_equal(t->fields[1], "final.H");
    assert_string_equal(t->fields[2], "final.C");
    assert_string_equal(t->fields[3], "list[0]");
    assert_string_equal(t->fields[4], "list[1]");
    const es_sweep *sw = t->sw;
    for (size_t i = 0; i < 12; i++) {
        double p = t->values[i * 5 + 0];
        if (i == 5 || i == 9) {
            assert_true(isnan(p));
            continue;
        }
        double c = strtod(sw->axes[0].values[sw->tasks[i].value_index[0]], NULL);
        double li = strtod(sw->axes[1].values[sw->tasks[i].value_index[1]], NULL);
        assert_true(p == expected_P(c, li, sw->tasks[i].replica));
        assert_true(t->values[i * 5 + 1] == (double)i);
        assert_true(isnan(t->values[i * 5 + 2])); /* null → NaN */
        assert_true(t->values[i * 5 + 3] == 1.0 && t->values[i * 5 + 4] == 2.0);
    }

    char nc[600], csv[600];
    snprintf(nc, sizeof nc, "%s/t.nc", tmpdir);
    snprintf(csv, sizeof csv, "%s/t.csv", tmpdir);
    assert_int_equal(es_collect_write_nc(t, nc, NULL), ES_OK);
    assert_int_equal(es_collect_write_csv(t, csv, NULL), ES_OK);
    es_collect_free(t);

    /* NetCDF read back: P(compression, log_interval, replica). */
    int ncid, varid, dimids[3], nd;
    assert_int_equal(nc_open(nc, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "P", &varid), NC_NOERR);
    assert_int_equal(nc_inq_varndims(ncid, varid, &nd), NC_NOERR);
    assert_int_equal(nd, 3);
    nc_inq_vardimid(ncid, varid, dimids);
    size_t len[3];
    for (int k = 0; k < 3; k++)
        nc_inq_dimlen(ncid, dimids[k], &len[k]);
    assert_int_equal(len[0], 2);
    assert_int_equal(len[1], 3);
    assert_int_equal(len[2], 2);
    double cc[2], ll[3], P[12];
    int cv, lv;
    assert_int_equal(nc_inq_varid(ncid, "output_compression", &cv), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "output_log_interval", &lv), NC_NOERR);
    nc_get_var_double(ncid, cv, cc);
    nc_get_var_double(ncid, lv, ll);
    assert_true(cc[0] == 1 && cc[1] == 4);
    assert_true(ll[0] == 0.5 && ll[1] == 1.0 && ll[2] == 1.5);
    nc_get_var_double(ncid, varid, P);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int r = 0; r < 2; r++) {
                int i = (a * 3 + b) * 2 + r;
                if (i == 5 || i == 9)
                    assert_true(isnan(P[i]));
                else
                    assert_true(P[i] == expected_P(cc[a], ll[b], r));
            }
    char att[256] = "";
    size_t alen;
    nc_inq_attlen(ncid, NC_GLOBAL, "missing_tasks", &alen);
    nc_get_att_text(ncid, NC_GLOBAL, "missing_tasks", att);
    att[alen] = '\0';
    assert_string_equal(att, "9");
    nc_inq_attlen(ncid, NC_GLOBAL, "failed_tasks", &alen);
    nc_get_att_text(ncid, NC_GLOBAL, "failed_tasks", att);
    att[alen] = '\0';
    assert_string_equal(att, "5 (exit 3, log logs/slurm-7_5.err)");
    signed char status[12];
    int sv;
    nc_inq_varid(ncid, "task_status", &sv);
    nc_get_var_schar(ncid, sv, status);
    assert_int_equal(status[5], ES_TASK_FAILED);
    assert_int_equal(status[9], ES_TASK_PENDING);
    assert_int_equal(status[0], ES_TASK_COMPLETE);
    /* provenance like every other output: version, git revision, the seed of
     * task 0 (5, the base config's), and the config (the sweep, then task 0's
     * resolved config); the table had none of these but the version */
    unsigned long long seed = 0;
    assert_int_equal(nc_get_att_ulonglong(ncid, NC_GLOBAL, "seed", &seed), NC_NOERR);
    assert_int_equal(seed, 5);
    static char cfgtxt[65536];
    assert_int_equal(nc_inq_attlen(ncid, NC_GLOBAL, "config", &alen), NC_NOERR);
    assert_true(alen < sizeof cfgtxt);
    assert_int_equal(nc_get_att_text(ncid, NC_GLOBAL, "config", cfgtxt), NC_NOERR);
    cfgtxt[alen] = '\0';
    char want_head[512];
    snprintf(want_head, sizeof want_head,
             "; esuite sweep 't' (model %s, cartesian, 12 tasks, 2 replicas), base config ",
             test_model());
    assert_memory_equal(cfgtxt, want_head, strlen(want_head));
    assert_non_null(strstr(cfgtxt, "\n; vary output.compression = 1, 4\n"
                                   "; vary output.log_interval = 0.5, 1, 1.5\n"));
    assert_non_null(strstr(cfgtxt, "; resolved config of task 0000 (tasks/0000/config.ini):\n"));
    assert_non_null(strstr(cfgtxt, "\n[run]\n"));
    nc_inq_attlen(ncid, NC_GLOBAL, "git_revision", &alen);
    nc_get_att_text(ncid, NC_GLOBAL, "git_revision", att);
    att[alen] = '\0';
    assert_string_equal(att, ESUITE_GIT_REVISION);
    nc_inq_attlen(ncid, NC_GLOBAL, "title", &alen);
    nc_get_att_text(ncid, NC_GLOBAL, "title", att);
    att[alen] = '\0';
    assert_string_equal(att, "esuite sweep summary table");
    nc_close(ncid);

    /* CSV: the provenance as '#' lines first (the same config), then the
     * header, and row of task 7 (c=4, li=0.5, r=1) and the failed task 5. */
    FILE *fp = fopen(csv, "r");
    char line[1024], want_line[1024];
    assert_non_null(fgets(line, sizeof line, fp));
    snprintf(want_line, sizeof want_line, "# esuite sweep summary table of 't' (%s), collected from %s\n",
             test_model(), sweepdir);
    assert_string_equal(line, want_line);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "# esuite_version = " ESUITE_VERSION "\n");
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "# git_revision = " ESUITE_GIT_REVISION "\n");
    int comments = 3, config_lines = 0;
    while (fgets(line, sizeof line, fp) && line[0] == '#') {
        comments++;
        if (!strcmp(line, "# seed = 5 (task 0000; every task's in the seed column)\n"))
            config_lines += 100;
        if (!strncmp(line, "#   ", 4) || !strcmp(line, "#\n"))
            config_lines++;
    }
    assert_true(config_lines > 100 + 10); /* the seed line and the config */
    assert_true(comments > 10);
    assert_string_equal(line, "task,replica,seed,status,exit_code,output.compression,output.log_interval,"
                              "P,final.H,final.C,list[0],list[1]\n");
    int row = 0;
    while (fgets(line, sizeof line, fp)) {
        if (row == 5)
            assert_string_equal(line, "5,1,6,failed,3,1,1.5,,,,,\n");
        if (row == 7) {
            char want[256];
            snprintf(want, sizeof want, "7,1,6,complete,,4,0.5,%.17g,7,,1,2\n", expected_P(4, 0.5, 1));
            assert_string_equal(line, want);
        }
        row++;
    }
    fclose(fp);
    assert_int_equal(row, 12);
}

static void test_rewrite_same_sweep_keeps_state_other_sweep_refused(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/s.ini", tmpdir);
    es_sweep *sw;
    assert_int_equal(es_sweep_load(path, &sw), ES_OK);
    assert_int_equal(es_sweep_write_dir(sw, sweepdir), ES_OK); /* idempotent */
    es_task_status st;
    assert_int_equal(es_sweep_task_status(sweepdir, 0, &st), ES_OK);
    assert_int_equal(st.state, ES_TASK_COMPLETE);
    es_sweep_free(sw);
    write_file(path, "[sweep]\nbase = base.ini\nname = t\nreplicas = 2\n"
                     "vary output.compression = 1,5\nvary output.log_interval = 0.5:1.5:0.5\n");
    assert_int_equal(es_sweep_load(path, &sw), ES_OK);
    es_error_clear();
    assert_int_equal(es_sweep_write_dir(sw, sweepdir), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), "holds a different sweep"));
    /* the first line that differs, in the first task that differs (6: compression 4 → 5) */
    assert_non_null(strstr(es_error_message(), "/tasks/0006/config.ini:12 is 'compression = 4', task 6 of "));
    assert_non_null(strstr(es_error_message(), "s.ini gives 'compression = 5'); choose another --dir"));
    es_sweep_free(sw);
}


/* zip mode with a word-valued key: dims (point, replica), the word axis as a
 * string coordinate over point, values in task order. */
static void test_zip_table(void **state)
{
    (void)state;
    char path[512], dir[512], nc[600];
    snprintf(path, sizeof path, "%s/z.ini", tmpdir);
    write_file(path, "[sweep]\nbase = base.ini\nmode = zip\nreplicas = 2\n"
                     "vary run.name = alpha, beta, gamma\nvary output.compression = 1, 2, 9\n");
    es_sweep *sw;
    assert_int_equal(es_sweep_load(path, &sw), ES_OK);
    assert_int_equal(sw->ntasks, 6);
    assert_false(sw->axes[0].numeric);
    snprintf(dir, sizeof dir, "%s/zip", tmpdir);
    assert_int_equal(es_sweep_write_dir(sw, dir), ES_OK);
    es_sweep_free(sw);
    for (size_t i = 0; i < 6; i++) {
        char out[600], f[700], text[64];
        snprintf(out, sizeof out, "%s/tasks/%04zu/out", dir, i);
        es_sweep_mkdir_p(out);
        snprintf(f, sizeof f, "%s/summary.json", out);
        snprintf(text, sizeof text, "{\"E\": %zu.5}", 3 * i);
        write_file(f, text);
        assert_int_equal(es_sweep_finish_task(dir, i, 0, "l"), ES_OK);
    }
    es_collect_table *t;
    assert_int_equal(es_collect_load(dir, &t), ES_OK);
    snprintf(nc, sizeof nc, "%s/z.nc", tmpdir);
    assert_int_equal(es_collect_write_nc(t, nc, NULL), ES_OK);
    es_collect_free(t);
    int ncid, v, nd, dimids[2];
    size_t len;
    char name[NC_MAX_NAME + 1];
    assert_int_equal(nc_open(nc, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "E", &v), NC_NOERR);
    nc_inq_varndims(ncid, v, &nd);
    assert_int_equal(nd, 2);
    nc_inq_vardimid(ncid, v, dimids);
    nc_inq_dim(ncid, dimids[0], name, &len);
    assert_string_equal(name, "point");
    assert_int_equal(len, 3);
    nc_inq_dim(ncid, dimids[1], name, &len);
    assert_string_equal(name, "replica");
    assert_int_equal(len, 2);
    double E[6];
    nc_get_var_double(ncid, v, E);
    for (int i = 0; i < 6; i++)
        assert_true(E[i] == 3 * i + 0.5);
    int nv, cv;
    assert_int_equal(nc_inq_varid(ncid, "run_name", &nv), NC_NOERR);
    char *names[3];
    assert_int_equal(nc_get_var_string(ncid, nv, names), NC_NOERR);
    assert_string_equal(names[0], "alpha");
    assert_string_equal(names[2], "gamma");
    nc_free_string(3, names);
    assert_int_equal(nc_inq_varid(ncid, "output_compression", &cv), NC_NOERR);
    double c[3];
    nc_get_var_double(ncid, cv, c);
    assert_true(c[0] == 1 && c[1] == 2 && c[2] == 9);
    nc_close(ncid);
}

/* A manifest whose task list does not fill the axes in index order (a task
 * removed or two swapped by hand) is refused naming it: collect read past its
 * task arrays (a garbage seed in the last cell) or put values into the cells
 * of other tasks. */
static void edit_manifest(const char *dir, int drop_last, int swap)
{
    char path[600];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    json_error_t je;
    json_t *m = json_load_file(path, JSON_PRESERVE_ORDER, &je);
    assert_non_null(m);
    json_t *tasks = json_object_get(m, "tasks");
    if (drop_last)
        assert_int_equal(json_array_remove(tasks, json_array_size(tasks) - 1), 0);
    if (swap) { /* tasks 0 and 2 exchange their points (log_interval 0.5 and 1 at compression 1) */
        json_t *a = json_object_get(json_array_get(tasks, 0), "value_index"),
               *b = json_object_get(json_array_get(tasks, 2), "value_index");
        json_t *ca = json_deep_copy(a);
        json_object_set(json_array_get(tasks, 0), "value_index", b);
        json_object_set_new(json_array_get(tasks, 2), "value_index", ca);
    }
    assert_int_equal(json_dump_file(m, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(m);
}

static void test_malformed_manifest_refused(void **state)
{
    (void)state;
    char path[512], dir[512], want[900];
    snprintf(path, sizeof path, "%s/s.ini", tmpdir);
    write_file(path, "[sweep]\nbase = base.ini\nname = t\nreplicas = 2\n"
                     "vary output.compression = 1,4\nvary output.log_interval = 0.5:1.5:0.5\n");
    const char *what[2] = {"dropped", "swapped"};
    for (int k = 0; k < 2; k++) {
        es_sweep *sw;
        assert_int_equal(es_sweep_load(path, &sw), ES_OK);
        snprintf(dir, sizeof dir, "%s/%s", tmpdir, what[k]);
        assert_int_equal(es_sweep_write_dir(sw, dir), ES_OK);
        es_sweep_free(sw);
        edit_manifest(dir, k == 0, k == 1);
        if (k == 0)
            snprintf(want, sizeof want, "%s/manifest.json: malformed manifest: 11 tasks, but its axes and "
                     "2 replicas give 12", dir);
        else
            snprintf(want, sizeof want, "%s/manifest.json: malformed manifest: task 0 has value_index or "
                     "replica of another task (the tasks are in the order of their index: replica fastest, "
                     "then the last axis)", dir);
        es_error_clear();
        assert_int_equal(es_sweep_load_dir(dir, &sw), ES_EDATA);
        assert_null(sw);
        assert_string_equal(es_error_message(), want);
        es_collect_table *t;
        es_error_clear();
        assert_int_equal(es_collect_load(dir, &t), ES_EDATA);
        assert_null(t);
        assert_string_equal(es_error_message(), want);
    }
}

static char *slurp(const char *path)
{
    static char buf[256];
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

/* Entries of dir other than the given ones (a backup or staging file left behind). */
static int others_in(const char *dir, const char *const *keep, size_t nkeep)
{
    char cmd[700], line[512];
    snprintf(cmd, sizeof cmd, "ls -A '%s'", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int others = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        int kept = 0;
        for (size_t i = 0; i < nkeep; i++)
            kept |= !strcmp(line, keep[i]);
        if (!kept) {
            print_message("left in %s: %s\n", dir, line);
            others++;
        }
    }
    pclose(p);
    return others;
}

/* The two tables are committed together: when the CSV cannot be moved into
 * place, the NetCDF table already renamed over the old one is put back (it
 * was replaced, next to the old CSV), or removed when there was none. */
static void test_commit_both_or_neither(void **state)
{
    (void)state;
    char d[400], nc[500], csv[500], ncs[500], csvs[500], inner[600];
    snprintf(d, sizeof d, "%s/commit", tmpdir);
    assert_int_equal(mkdir(d, 0777), 0);
    snprintf(nc, sizeof nc, "%s/table.nc", d);
    snprintf(csv, sizeof csv, "%s/table.csv", d);
    snprintf(ncs, sizeof ncs, "%s/.table.nc.part-1", d);
    snprintf(csvs, sizeof csvs, "%s/.table.csv.part-1", d);
    /* a non-empty directory where the CSV goes: its rename fails */
    assert_int_equal(mkdir(csv, 0777), 0);
    snprintf(inner, sizeof inner, "%s/x", csv);
    write_file(inner, "x");
    write_file(nc, "old table");
    write_file(ncs, "new table");
    write_file(csvs, "new csv");
    es_error_clear();
    assert_int_equal(es_collect_commit(ncs, nc, csvs, csv), ES_EIO);
    const char *msg = es_error_message();
    if (!strstr(msg, "cannot write '") || !strstr(msg, "table.csv': ") || !strstr(msg, "table.nc left as it was"))
        fail_msg("message '%s'", msg);
    assert_string_equal(slurp(nc), "old table");
    const char *keep[] = {"table.nc", "table.csv", ".table.csv.part-1"};
    assert_int_equal(others_in(d, keep, 3), 0); /* no backup left; the CSV stage is the caller's */
    /* no table before: none after */
    unlink(nc);
    write_file(ncs, "new table");
    assert_int_equal(es_collect_commit(ncs, nc, csvs, csv), ES_EIO);
    if (!strstr(es_error_message(), "table.nc not written either"))
        fail_msg("message '%s'", es_error_message());
    assert_int_equal(access(nc, F_OK), -1);
    assert_int_equal(others_in(d, keep + 1, 2), 0);
    /* both can go in: both new, the old table's backup gone */
    unlink(inner);
    assert_int_equal(rmdir(csv), 0);
    write_file(nc, "old table");
    write_file(ncs, "new table");
    assert_int_equal(es_collect_commit(ncs, nc, csvs, csv), ES_OK);
    assert_string_equal(slurp(nc), "new table");
    assert_string_equal(slurp(csv), "new csv");
    assert_int_equal(others_in(d, keep, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_checksum),
        cmocka_unit_test(test_collect_table),
        cmocka_unit_test(test_rewrite_same_sweep_keeps_state_other_sweep_refused),
        cmocka_unit_test(test_zip_table),
        cmocka_unit_test(test_malformed_manifest_refused),
        cmocka_unit_test(test_commit_both_or_neither),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
