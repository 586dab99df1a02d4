/* Sweep directories: manifest.json, task configs, completion markers.
 *
 * A task is complete when tasks/NNNN/out/summary.json exists and
 * tasks/NNNN/out/.complete records the checksum of the outputs as they were
 * when the run finished; a rerun skips exactly those tasks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/output.h"
#include "core/sweep.h"
#include "esuite/status.h"
#include "esuite_version.h"

uint64_t es_fnv1a64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* One directory of a path: created, or there already as a directory. A
 * file of that name was taken for one (mkdir's EEXIST), and the message
 * came from below it: "F/logs: cannot create directory: Not a directory". */
static int mkdir_one(const char *b)
{
    struct stat sb;
    if (mkdir(b, 0777) == 0)
        return ES_OK;
    if (errno != EEXIST)
        return es_error_set(ES_EIO, "%s: cannot create directory: %s", b, strerror(errno));
    if (stat(b, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return es_error_set(ES_EIO, "cannot create directory '%s': it exists and is not a directory", b);
    return ES_OK;
}

int es_sweep_mkdir_p(const char *dir)
{
    char b[4096];
    snprintf(b, sizeof b, "%s", dir);
    for (char *p = b + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            int st = mkdir_one(b);
            if (st)
                return st;
            *p = '/';
        }
    return mkdir_one(b);
}

/* Temp name + fsync + rename: readers never see half a file. */
int es_sweep_write_file_atomic(const char *path, const char *text, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.part-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return es_error_set(ES_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            close(fd);
            unlink(tmp);
            return es_error_set(ES_EIO, "%s: write failed: %s", tmp, strerror(errno));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return es_error_set(ES_EIO, "%s: cannot commit: %s", path, strerror(errno));
    }
    return es_output_sync_parent(path);
}

void es_sweep_task_dir(size_t index, char *buf, size_t len) { snprintf(buf, len, "tasks/%04zu", index); }

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    buf[got] = '\0';
    fclose(fp);
    return buf;
}

static int json_write(const char *path, json_t *root)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return es_error_set(ES_ENOMEM, "out of memory");
    size_t n = strlen(text);
    char *t2 = realloc(text, n + 2);
    if (!t2) {
        free(text);
        return es_error_set(ES_ENOMEM, "%s: out of memory", path);
    }
    t2[n] = '\n';
    t2[n + 1] = '\0';
    int st = es_sweep_write_file_atomic(path, t2, n + 1);
    free(t2);
    return st;
}

static json_t *value_json(const char *text, int numeric)
{
    if (numeric)
        return json_real(strtod(text, NULL));
    return json_string(text);
}

static json_t *manifest_json(const es_sweep *sw)
{
    json_t *m = json_object();
    char now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    json_object_set_new(m, "format", json_string("esuite-sweep-1"));
    json_object_set_new(m, "name", json_string(sw->name));
    json_object_set_new(m, "sweep_file", json_string(sw->path));
    json_object_set_new(m, "base_config", json_string(sw->base));
    json_object_set_new(m, "model", json_string(sw->model));
    json_object_set_new(m, "mode", json_string(sw->mode == ES_SWEEP_ZIP ? "zip" : "cartesian"));
    json_object_set_new(m, "replicas", json_integer(sw->replicas));
    json_object_set_new(m, "esuite_version", json_string(ESUITE_VERSION));
    json_object_set_new(m, "git_revision", json_string(ESUITE_GIT_REVISION));
    json_object_set_new(m, "created", json_string(now));
    json_t *axes = json_array();
    for (size_t a = 0; a < sw->naxes; a++) {
        json_t *ax = json_object(), *vals = json_array();
        json_object_set_new(ax, "key", json_string(sw->axes[a].key));
        json_object_set_new(ax, "numeric", json_boolean(sw->axes[a].numeric));
        for (size_t v = 0; v < sw->axes[a].n; v++)
            json_array_append_new(vals, json_string(sw->axes[a].values[v]));
        json_object_set_new(ax, "values", vals);
        json_array_append_new(axes, ax);
    }
    json_object_set_new(m, "axes", axes);
    const es_sweep_resources *r = &sw->res;
    json_t *res = json_object(), *extra = json_array();
    json_object_set_new(res, "time", json_string(r->time));
    json_object_set_new(res, "cpus_per_task", json_integer(r->cpus_per_task));
    json_object_set_new(res, "mem", json_string(r->mem));
    json_object_set_new(res, "partition", json_string(r->partition));
    json_object_set_new(res, "account", json_string(r->account));
    json_object_set_new(res, "max_concurrent", json_integer(r->max_concurrent));
    json_object_set_new(res, "max_array_size", json_integer(r->max_array_size));
    for (int i = 0; i < r->nextra; i++)
        json_array_append_new(extra, json_string(r->extra[i]));
    json_object_set_new(res, "extra", extra);
    json_object_set_new(m, "resources", res);
    json_t *tasks = json_array();
    for (size_t i = 0; i < sw->ntasks; i++) {
        const es_sweep_task *tk = &sw->tasks[i];
        json_t *o = json_object(), *params = json_object(), *vi = json_array();
        char d[64];
        es_sweep_task_dir(i, d, sizeof d);
        json_object_set_new(o, "index", json_integer((json_int_t)i));
        json_object_set_new(o, "dir", json_string(d));
        for (size_t a = 0; a < sw->naxes; a++) {
            json_object_set_new(params, sw->axes[a].key,
                                value_json(sw->axes[a].values[tk->value_index[a]], sw->axes[a].numeric));
            json_array_append_new(vi, json_integer((json_int_t)tk->value_index[a]));
        }
        json_object_set_new(o, "params", params);
        json_object_set_new(o, "value_index", vi);
        json_object_set_new(o, "replica", json_integer(tk->replica));
        json_object_set_new(o, "seed", json_integer((json_int_t)tk->seed));
        json_array_append_new(tasks, o);
    }
    json_object_set_new(m, "tasks", tasks);
    json_object_set_new(m, "submissions", json_array());
    return m;
}

/* The error for a task config on disk (old, at path) that is not the one the
 * sweep file gives now (new): the first line that differs, and, when that is
 * a relative file path of the base config (made absolute from the working
 * directory, so a rerun from another directory gives another file), why. */
static int different_sweep(const es_sweep *sw, const char *dir, const char *path, size_t i,
                           const char *old, const char *new)
{
    const char *a = old, *b = new;
    int line = 1;
    char section[128] = "";
    for (;;) {
        size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
        if (na != nb || memcmp(a, b, na))
            break;
        if (a[0] == '[' && na > 2 && a[na - 1] == ']' && na - 2 < sizeof section)
            snprintf(section, sizeof section, "%.*s", (int)(na - 2), a + 1);
        if (!a[na] || !b[nb]) /* one ends here: the other has more */
            break;
        a += na + 1;
        b += nb + 1;
        line++;
    }
    int na = (int)strcspn(a, "\n"), nb = (int)strcspn(b, "\n");
    /* the values without the "    ; set by the sweep" comment */
    const char *ca = strstr(a, "    ;"), *cb = strstr(b, "    ;");
    int va = ca && ca - a < na ? (int)(ca - a) : na, vb = cb && cb - b < nb ? (int)(cb - b) : nb;
    char key[128] = "", rel[1024];
    size_t kl = strcspn(b, " =\n");
    if (kl < sizeof key && b[kl] == ' ' && !strncmp(b + kl, " = ", 3) && !strncmp(a, b, kl + 3))
        snprintf(key, sizeof key, "%.*s", (int)kl, b);
    if (*section && *key && es_sweep_task_relative_path(sw, i, section, key, rel, sizeof rel)) {
        char cwd[4096] = "?", first[4096] = "the directory it was first run in";
        if (!getcwd(cwd, sizeof cwd))
            snprintf(cwd, sizeof cwd, "?");
        const char *oldv = a + kl + 3;
        int ol = va - (int)kl - 3, rl = (int)strlen(rel);
        if (ol > rl + 1 && oldv[ol - rl - 1] == '/' && !strncmp(oldv + ol - rl, rel, (size_t)rl))
            snprintf(first, sizeof first, "%.*s", ol - rl - 1, oldv);
        char full[300];
        const char *from = "the base config";
        snprintf(full, sizeof full, "%s.%s", section, key);
        for (size_t ax = 0; ax < sw->naxes; ax++)
            if (!strcmp(sw->axes[ax].key, full))
                from = "its vary line";
        return es_error_set(ES_ECONFIG, "%s holds this sweep with %s.%s = %.*s (%s:%d), but from the "
                            "working directory %s the relative '%s' of %s is %.*s (a "
                            "relative path in a config is read from the working directory, not from "
                            "the config's directory): run 'esuite sweep' from %s, continue from the "
                            "directory alone ('esuite sweep %s --scheduler ...'), or give an absolute path",
                            dir, section, key, ol, oldv, path, line, cwd, rel, from, vb - (int)kl - 3,
                            b + kl + 3, first, dir);
    }
    return es_error_set(ES_ECONFIG, "%s holds a different sweep (%s:%d is '%.*s', task %zu of %s gives "
                        "'%.*s'); choose another --dir", dir, path, line, va, a, i, sw->path, vb, b);
}

int es_sweep_write_dir(const es_sweep *sw, const char *dir)
{
    int st;
    char path[4400];
    snprintf(path, sizeof path, "%s/logs", dir);
    if ((st = es_sweep_mkdir_p(path)))
        return st;
    /* First pass: compare with what is there, so a clash changes nothing. */
    char **texts = calloc(sw->ntasks ? sw->ntasks : 1, sizeof *texts);
    if (!texts)
        return es_error_set(ES_ENOMEM, "%s: out of memory for %zu task configs", dir, sw->ntasks);
    for (size_t i = 0; i < sw->ntasks && !st; i++) {
        char td[64];
        es_sweep_task_dir(i, td, sizeof td);
        if ((st = es_sweep_task_config(sw, i, &texts[i])))
            break;
        snprintf(path, sizeof path, "%s/%s/config.ini", dir, td);
        char *old = read_text(path);
        if (old && strcmp(old, texts[i]) != 0)
            st = different_sweep(sw, dir, path, i, old, texts[i]);
        free(old);
    }
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    json_t *old_manifest = NULL;
    if (!st && access(mpath, F_OK) == 0) {
        json_error_t je;
        old_manifest = json_load_file(mpath, 0, &je);
        if (!old_manifest ||
            json_array_size(json_object_get(old_manifest, "tasks")) != sw->ntasks)
            st = es_error_set(ES_ECONFIG, "%s holds a different sweep (%s: task count differs or "
                                          "unreadable); choose another --dir", dir, mpath);
    }
    for (size_t i = 0; i < sw->ntasks && !st; i++) {
        char td[64];
        es_sweep_task_dir(i, td, sizeof td);
        snprintf(path, sizeof path, "%s/%s", dir, td);
        if ((st = es_sweep_mkdir_p(path)))
            break;
        snprintf(path, sizeof path, "%s/%s/config.ini", dir, td);
        if (access(path, F_OK) != 0)
            st = es_sweep_write_file_atomic(path, texts[i], strlen(texts[i]));
    }
    for (size_t i = 0; i < sw->ntasks; i++)
        free(texts[i]);
    free(texts);
    if (!st) {
        json_t *m = manifest_json(sw);
        if (old_manifest) { /* keep the history of submissions and the creation time */
            json_object_set(m, "submissions", json_object_get(old_manifest, "submissions"));
            json_object_set(m, "created", json_object_get(old_manifest, "created"));
        }
        st = json_write(mpath, m);
        json_decref(m);
    }
    json_decref(old_manifest);
    return st;
}

/* collect writes task i at position i of the table (replica fastest, the
 * last axis next, as sweep.c expands them) and each task's values from its
 * value_index: a manifest whose task list does not fill the axes exactly (a
 * task removed or reordered by hand) gave a table that read past its task
 * arrays, or values in the wrong cells. */
static int check_task_count(const es_sweep *sw, const char *mpath)
{
    size_t points = 1;
    for (size_t a = 0; a < sw->naxes; a++) {
        size_t n = sw->axes[a].n;
        if (sw->mode == ES_SWEEP_ZIP)
            points = a == 0 || n == points ? n : 0;
        else
            points = n && points <= 1000000 / n ? points * n : 0;
    }
    if (points && points <= 1000000 / (size_t)sw->replicas && sw->ntasks == points * (size_t)sw->replicas)
        return ES_OK;
    return es_error_set(ES_EDATA, "%s: malformed manifest: %zu tasks, but its axes and %d replica%s "
                        "give %zu", mpath, sw->ntasks, sw->replicas, sw->replicas == 1 ? "" : "s",
                        points * (size_t)sw->replicas);
}

static int check_task_point(const es_sweep *sw, const es_sweep_task *tk, const char *mpath)
{
    size_t p = tk->index / (size_t)sw->replicas;
    int ok = tk->replica == (int)(tk->index % (size_t)sw->replicas);
    for (size_t a = sw->naxes; a-- > 0 && ok;) {
        size_t want = sw->mode == ES_SWEEP_ZIP ? p : p % sw->axes[a].n;
        ok = tk->value_index[a] == want;
        if (sw->mode == ES_SWEEP_CARTESIAN)
            p /= sw->axes[a].n;
    }
    if (ok)
        return ES_OK;
    return es_error_set(ES_EDATA, "%s: malformed manifest: task %zu has value_index or replica of "
                        "another task (the tasks are in the order of their index: replica fastest, "
                        "then the last axis)", mpath, tk->index);
}

int es_sweep_load_dir(const char *dir, es_sweep **out)
{
    *out = NULL;
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    json_error_t je;
    json_t *m = json_load_file(mpath, 0, &je);
    struct stat sb;
    /* a mistyped path or a file (the sweep's .ini given for its directory)
     * got "no manifest.json; 'esuite sweep FILE --scheduler ...' writes one" */
    if (!m && stat(dir, &sb) != 0)
        return es_error_set(ES_EIO, "%s: no such sweep directory: %s", dir, strerror(errno));
    if (!m && !S_ISDIR(sb.st_mode))
        return es_error_set(ES_EIO, "%s is a file, not a sweep directory (the directory that 'esuite "
                                    "sweep FILE --scheduler ...' wrote)", dir);
    if (!m && access(mpath, F_OK) != 0)
        return es_error_set(ES_EIO, "%s is not a sweep directory (no manifest.json; 'esuite sweep FILE "
                                    "--scheduler ...' writes one)", dir);
    if (!m)
        return es_error_set(ES_EIO, "%s:%d: %s: not a sweep manifest", mpath, je.line, je.text);
    es_sweep *sw = calloc(1, sizeof *sw);
    int st = ES_OK;
    const char *s;
#define GETS(field, key)                                                                           \
    if ((s = json_string_value(json_object_get(m, key))))                                          \
        snprintf(sw->field, sizeof sw->field, "%s", s);
    GETS(path, "sweep_file")
    GETS(base, "base_config")
    GETS(name, "name")
    GETS(model, "model")
    s = json_string_value(json_object_get(m, "mode"));
    sw->mode = s && !strcmp(s, "zip") ? ES_SWEEP_ZIP : ES_SWEEP_CARTESIAN;
    sw->replicas = (int)json_integer_value(json_object_get(m, "replicas"));
    json_t *axes = json_object_get(m, "axes");
    sw->naxes = json_array_size(axes);
    if (sw->naxes > ES_SWEEP_MAX_AXES || sw->replicas < 1)
        st = es_error_set(ES_EDATA, "%s: malformed manifest", mpath);
    for (size_t a = 0; a < sw->naxes && !st; a++) {
        json_t *ax = json_array_get(axes, a), *vals = json_object_get(ax, "values");
        snprintf(sw->axes[a].key, sizeof sw->axes[a].key, "%s",
                 json_string_value(json_object_get(ax, "key")) ? json_string_value(json_object_get(ax, "key")) : "?");
        sw->axes[a].numeric = json_is_true(json_object_get(ax, "numeric"));
        sw->axes[a].n = json_array_size(vals);
        sw->axes[a].values = calloc(sw->axes[a].n ? sw->axes[a].n : 1, sizeof(char *));
        for (size_t v = 0; v < sw->axes[a].n; v++) {
            const char *t = json_string_value(json_array_get(vals, v));
            sw->axes[a].values[v] = strdup(t ? t : "");
        }
    }
    json_t *res = json_object_get(m, "resources");
    es_sweep_resources *r = &sw->res;
#define GETR(field)                                                                                \
    if ((s = json_string_value(json_object_get(res, #field))))                                     \
        snprintf(r->field, sizeof r->field, "%s", s);
    GETR(time)
    GETR(mem)
    GETR(partition)
    GETR(account)
    r->cpus_per_task = (int)json_integer_value(json_object_get(res, "cpus_per_task"));
    r->max_concurrent = (int)json_integer_value(json_object_get(res, "max_concurrent"));
    r->max_array_size = (int)json_integer_value(json_object_get(res, "max_array_size")); /* 0 if absent */
    json_t *extra = json_object_get(res, "extra");
    for (size_t i = 0; i < json_array_size(extra) && i < ES_SWEEP_MAX_EXTRA; i++)
        snprintf(r->extra[r->nextra++], sizeof r->extra[0], "%s",
                 json_string_value(json_array_get(extra, i)) ? json_string_value(json_array_get(extra, i)) : "");
    json_t *tasks = json_object_get(m, "tasks");
    sw->ntasks = json_array_size(tasks);
    if (!st)
        st = check_task_count(sw, mpath);
    sw->tasks = calloc(sw->ntasks ? sw->ntasks : 1, sizeof *sw->tasks);
    for (size_t i = 0; i < sw->ntasks && !st; i++) {
        json_t *o = json_array_get(tasks, i), *vi = json_object_get(o, "value_index");
        es_sweep_task *tk = &sw->tasks[i];
        tk->index = i;
        tk->replica = (int)json_integer_value(json_object_get(o, "replica"));
        tk->seed = (unsigned long long)json_integer_value(json_object_get(o, "seed"));
        if (json_array_size(vi) != sw->naxes)
            st = es_error_set(ES_EDATA, "%s: task %zu: malformed value_index", mpath, i);
        for (size_t a = 0; a < sw->naxes && !st; a++) {
            tk->value_index[a] = (size_t)json_integer_value(json_array_get(vi, a));
            if (tk->value_index[a] >= sw->axes[a].n)
                st = es_error_set(ES_EDATA, "%s: task %zu: value index out of range", mpath, i);
        }
        if (tk->replica < 0 || tk->replica >= sw->replicas)
            st = es_error_set(ES_EDATA, "%s: task %zu: replica out of range", mpath, i);
        if (!st)
            st = check_task_point(sw, tk, mpath);
    }
    json_decref(m);
    if (st) {
        es_sweep_free(sw);
        return st;
    }
    *out = sw;
    return ES_OK;
}

int es_sweep_record_submission(const char *dir, const char *scheduler, const char *job_id,
                               const char *array_spec)
{
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    json_error_t je;
    json_t *m = json_load_file(mpath, JSON_PRESERVE_ORDER, &je);
    if (!m)
        return es_error_set(ES_EIO, "%s: %s", mpath, je.text);
    json_t *subs = json_object_get(m, "submissions");
    if (!json_is_array(subs)) {
        subs = json_array();
        json_object_set_new(m, "submissions", subs);
    }
    char now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    json_t *o = json_object();
    json_object_set_new(o, "scheduler", json_string(scheduler));
    json_object_set_new(o, "job_id", json_string(job_id));
    json_object_set_new(o, "tasks", json_string(array_spec));
    json_object_set_new(o, "time", json_string(now));
    json_array_append_new(subs, o);
    int st = json_write(mpath, m);
    json_decref(m);
    return st;
}

/* ---- output checksum ---- */

typedef struct {
    char **names;
    size_t n, cap;
} name_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int skipped(const char *name)
{
    return !strcmp(name, ".complete") || !strcmp(name, ES_CHECKPOINT_FILE) ||
           strstr(name, ".part-") != NULL;
}

static int list_files(const char *root, const char *rel, name_list *l)
{
    char path[4400];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d)
        return es_error_set(ES_EIO, "%s: cannot list: %s", path, strerror(errno));
    struct dirent *e;
    int st = ES_OK;
    while ((e = readdir(d)) && !st) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || skipped(e->d_name))
            continue;
        char r[4400], full[8800];
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, r);
        struct stat sb;
        if (stat(full, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            st = list_files(root, r, l);
        } else if (S_ISREG(sb.st_mode)) {
            if (l->n == l->cap) {
                size_t cap = l->cap ? 2 * l->cap : 16;
                char **grown = realloc(l->names, cap * sizeof *l->names);
                if (!grown) {
                    st = es_error_set(ES_ENOMEM, "%s: out of memory listing files", root);
                    break;
                }
                l->names = grown;
                l->cap = cap;
            }
            if (!(l->names[l->n] = strdup(r))) {
                st = es_error_set(ES_ENOMEM, "%s: out of memory listing files", root);
                break;
            }
            l->n++;
        }
    }
    closedir(d);
    return st;
}

int es_sweep_output_hash(const char *out, uint64_t *hash, size_t *nfiles, uint64_t *nbytes)
{
    name_list l = {0};
    int st = list_files(out, "", &l);
    uint64_t h = ES_FNV1A64_INIT, total = 0;
    if (!st && l.n) /* qsort(NULL, 0, …) is undefined */
        qsort(l.names, l.n, sizeof *l.names, cmp_str);
    static unsigned char buf[1 << 16];
    for (size_t i = 0; i < l.n && !st; i++) {
        char full[8800];
        snprintf(full, sizeof full, "%s/%s", out, l.names[i]);
        FILE *fp = fopen(full, "rb");
        if (!fp) {
            st = es_error_set(ES_EIO, "%s: cannot read: %s", full, strerror(errno));
            break;
        }
        struct stat sb;
        fstat(fileno(fp), &sb);
        unsigned char size[8];
        for (int k = 0; k < 8; k++)
            size[k] = (unsigned char)((uint64_t)sb.st_size >> (8 * k));
        h = es_fnv1a64(h, l.names[i], strlen(l.names[i]) + 1);
        h = es_fnv1a64(h, size, 8);
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, fp)) > 0) {
            h = es_fnv1a64(h, buf, got);
            total += got;
        }
        fclose(fp);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.names[i]);
    free(l.names);
    if (st)
        return st;
    *hash = h;
    if (nfiles)
        *nfiles = l.n;
    if (nbytes)
        *nbytes = total;
    return ES_OK;
}

const char *es_task_state_name(es_task_state s)
{
    static const char *names[] = {"pending", "complete", "failed", "corrupt"};
    return names[s];
}

/* A failed.json that is there but is not the record es_sweep_finish_task
 * writes (a JSON object with an integer exit_code): why, in `why`. */
static int damaged_failure_record(const json_t *f, const char *path, const json_error_t *je, char *why,
                                  size_t len)
{
    if (!f && access(path, F_OK) != 0)
        return 0; /* none: the task has not failed */
    if (!f)
        snprintf(why, len, "failed.json does not read as JSON (line %d: %.200s)", je->line, je->text);
    else if (!json_is_object(f) || !json_is_integer(json_object_get(f, "exit_code")))
        snprintf(why, len, "failed.json is not a failure record (a JSON object with an integer exit_code)");
    else
        return 0;
    return 1;
}

int es_sweep_task_status(const char *dir, size_t index, es_task_status *st)
{
    memset(st, 0, sizeof *st);
    char td[64], path[4400], out[4400];
    es_sweep_task_dir(index, td, sizeof td);
    snprintf(out, sizeof out, "%s/%s/out", dir, td);
    snprintf(path, sizeof path, "%s/%s", out, ES_CHECKPOINT_FILE);
    st->has_checkpoint = access(path, F_OK) == 0;
    snprintf(path, sizeof path, "%s/.complete", out);
    json_error_t je;
    json_t *c = json_load_file(path, 0, &je);
    if (!c && access(path, F_OK) == 0) {
        /* damaged (a copy cut short by a quota): the outputs cannot be
         * checked; it counted as pending, "no out/.complete" */
        st->state = ES_TASK_CORRUPT;
        snprintf(st->reason, sizeof st->reason, "out/.complete does not read as JSON (line %d: %.200s)",
                 je.line, je.text);
        return ES_OK;
    }
    if (c) {
        const char *want = json_string_value(json_object_get(c, "fnv1a64"));
        char summary[4500];
        snprintf(summary, sizeof summary, "%s/summary.json", out);
        uint64_t h;
        char got[32];
        if (access(summary, F_OK) == 0 && es_sweep_output_hash(out, &h, NULL, NULL) == ES_OK) {
            snprintf(got, sizeof got, "%016llx", (unsigned long long)h);
            st->state = want && !strcmp(want, got) ? ES_TASK_COMPLETE : ES_TASK_CORRUPT;
        } else {
            st->state = ES_TASK_CORRUPT;
        }
        json_decref(c);
        return ES_OK;
    }
    snprintf(path, sizeof path, "%s/%s/failed.json", dir, td);
    json_t *f = json_load_file(path, 0, &je);
    if (damaged_failure_record(f, path, &je, st->reason, sizeof st->reason)) {
        /* a copy cut short, a disk that filled while it was written by hand: it
         * counted as pending, as if the task had never run, and its exit code and
         * log were lost without a word */
        json_decref(f);
        st->state = ES_TASK_CORRUPT;
        return ES_OK;
    }
    if (f) {
        st->state = ES_TASK_FAILED;
        st->exit_code = (int)json_integer_value(json_object_get(f, "exit_code"));
        const char *log = json_string_value(json_object_get(f, "log"));
        snprintf(st->log, sizeof st->log, "%s", log ? log : "");
        const char *why = json_string_value(json_object_get(f, "reason"));
        snprintf(st->reason, sizeof st->reason, "%s", why ? why : "");
        json_decref(f);
        return ES_OK;
    }
    st->state = ES_TASK_PENDING;
    return ES_OK;
}

int es_sweep_finish_task(const char *dir, size_t index, int exit_code, const char *log)
{
    char td[64], out[4400], path[4500], failed[4500];
    es_sweep_task_dir(index, td, sizeof td);
    snprintf(out, sizeof out, "%s/%s/out", dir, td);
    snprintf(failed, sizeof failed, "%s/%s/failed.json", dir, td);
    snprintf(path, sizeof path, "%s/summary.json", out);
    char reason[300] = "exit status 0 but no summary.json";
    if (exit_code == 0 && access(path, F_OK) != 0)
        exit_code = -1; /* "success" without a summary is a failure */
    if (exit_code == 0) {
        /* nor is one that collect cannot read: it stopped the whole table */
        json_error_t je;
        json_t *sum = json_load_file(path, 0, &je);
        if (!json_is_object(sum)) {
            snprintf(reason, sizeof reason, "exit status 0 but summary.json is not a JSON object (line %d: %s)",
                     je.line, sum ? "not an object" : je.text);
            exit_code = -1;
        }
        json_decref(sum);
    }
    json_t *o = json_object();
    int st;
    if (exit_code == 0) {
        uint64_t h, bytes;
        size_t nfiles;
        if ((st = es_sweep_output_hash(out, &h, &nfiles, &bytes))) {
            json_decref(o);
            return st;
        }
        char hex[32], now[32];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
        time_t t = time(NULL);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        json_object_set_new(o, "fnv1a64", json_string(hex));
        json_object_set_new(o, "files", json_integer((json_int_t)nfiles));
        json_object_set_new(o, "bytes", json_integer((json_int_t)bytes));
        json_object_set_new(o, "completed", json_string(now));
        snprintf(path, sizeof path, "%s/.complete", out);
        st = json_write(path, o);
        if (!st)
            unlink(failed);
    } else {
        snprintf(path, sizeof path, "%s/.complete", out);
        unlink(path);
        json_object_set_new(o, "exit_code", json_integer(exit_code));
        json_object_set_new(o, "log", json_string(log ? log : ""));
        if (exit_code == -1)
            json_object_set_new(o, "reason", json_string(reason));
        st = json_write(failed, o);
    }
    json_decref(o);
    return st;
}
