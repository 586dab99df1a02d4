/* esuite validate — run every validation/<case>.ini and compare the quantity
 * it names with the published value within its tolerance.
 *
 * A case runs either `esuite ARGS` (JSON on stdout) or `esuite run CONFIG`
 * (summary.json), in the case file's directory, as a child process of this
 * same executable, so a case exercises exactly what a user runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/commands.h"
#include "core/config.h"
#include "core/output.h"
#include "esuite/status.h"
#include "esuite_version.h"


typedef struct {
    /* a case file's name and directory as long as a path may be (PATH_MAX):
     * 1024 bytes cut a deeper case file's directory short, and its case ran in
     * a directory above it, on that directory's input files */
    char file[4096], dir[4096];
    char description[512], source[512], args[2048], config[1024], quantity[256];
    double expected, tolerance;
} vcase;

/* A case file is one [case] section, read with the config module: errors name
 * the file, the line and the key like those of a run config. */
static const es_key_spec case_schema[] = {
    {"case", "description", ES_KEY_STRING, "", 0, 0, NULL, "", "What is checked."},
    {"case", "source", ES_KEY_STRING, NULL, 0, 0, NULL, "", "Where the expected value comes from."},
    {"case", "args", ES_KEY_STRING, "", 0, 0, NULL, "", "esuite arguments of a JSON command (or config)."},
    {"case", "config", ES_KEY_STRING, "", 0, 0, NULL, "", "Run config, relative to the case file (or args)."},
    {"case", "quantity", ES_KEY_STRING, NULL, 0, 0, NULL, "", "JSON path of the checked number."},
    {"case", "expected", ES_KEY_DOUBLE, NULL, -1e300, 1e300, NULL, "", "Published value."},
    {"case", "tolerance", ES_KEY_DOUBLE, NULL, 0, 1e300, NULL, "", "Allowed |got - expected|."},
    ES_KEY_END,
};

#define MAX_ARGS 61 /* words of 'args' after "esuite" (argv holds 64 with the NULL) */

/* Words of an args line, split as evaluate() splits it. */
static size_t count_words(const char *s)
{
    size_t n = 0;
    for (;;) {
        s += strspn(s, " \t");
        if (!*s)
            return n;
        n++;
        s += strcspn(s, " \t");
    }
}

/* args and quantity are copied into fixed buffers and args split into a
 * fixed argv: beyond either, the case ran another command than the file
 * says (the words past the 61st were dropped without a word). */
static int check_lengths(const es_config *cfg, const vcase *c)
{
    const char *args = es_config_string(cfg, "case", "args");
    if (strlen(args) >= sizeof c->args)
        return es_config_key_error(cfg, "case", "args", "longer than %zu characters", sizeof c->args - 1);
    size_t words = count_words(args);
    if (words > MAX_ARGS)
        return es_config_key_error(cfg, "case", "args", "%zu words, more than the %d a case may give",
                                   words, MAX_ARGS);
    if (strlen(es_config_string(cfg, "case", "config")) >= sizeof c->config)
        return es_config_key_error(cfg, "case", "config", "longer than %zu characters", sizeof c->config - 1);
    if (strlen(es_config_string(cfg, "case", "quantity")) >= sizeof c->quantity)
        return es_config_key_error(cfg, "case", "quantity", "longer than %zu characters",
                                   sizeof c->quantity - 1);
    return ES_OK;
}

/* The quantity path's syntax (see json_path), or NULL when it is good; *at is
 * the character (from 1) where it goes wrong. json_path read an index with
 * strtol, so 'series[]' was series[0] and '[ 1]' was [1], and it skipped dots,
 * so 'a..b' was a.b: a mistyped path checked another number than it says. */
static const char *quantity_syntax(const char *q, size_t *at)
{
    const char *p = q;
    int need_key = 0; /* after a '.' */
    for (;;) {
        *at = (size_t)(p - q) + 1;
        if (*p == '[' && !need_key) {
            size_t nd = strspn(p + 1, "0123456789");
            if (p[1] == ']')
                return "empty index '[]' (an array element is [N], N = 0, 1, ...)";
            if (p[1 + nd] != ']')
                return p[1 + nd] ? "an index is [N], N digits 0-9 only" : "'[' without ']'";
            if (nd > 9)
                return "an index of more than 9 digits";
            p += nd + 2;
        } else {
            size_t n = strcspn(p, ".[]");
            if (n == 0)
                return *p == ']' ? "']' without '['" : "empty key (a key comes first and after each '.')";
            if (n >= 128)
                return "a key longer than 127 characters";
            p += n;
        }
        need_key = 0;
        *at = (size_t)(p - q) + 1;
        if (!*p)
            return NULL;
        if (*p == '.')
            p++, need_key = 1;
        else if (*p != '[')
            return p[-1] == ']' ? "after ']' comes '.', '[' or the end" : "']' without '['";
    }
}

static int check_quantity(const es_config *cfg, const char *q)
{
    size_t at;
    const char *why = quantity_syntax(q, &at);
    if (why)
        return es_config_key_error(cfg, "case", "quantity", "'%s', character %zu: %s", q, at, why);
    return ES_OK;
}

/* The run config a case names, opened as the child will open it (relative
 * to the case file's directory, where the child runs): a missing one was
 * found only when the case ran, as a failed comparison (exit 1, 'esuite run
 * exited with status 2: ... cannot open config file'), not as bad input of
 * the case file. */
static int check_config(const es_config *cfg, const vcase *c)
{
    char path[sizeof c->dir + sizeof c->config + 2];
    int rel = c->config[0] != '/';
    if (rel && strcmp(c->dir, ".") != 0)
        snprintf(path, sizeof path, "%s/%s", c->dir, c->config);
    else
        snprintf(path, sizeof path, "%s", c->config);
    const char *how = rel ? " (a relative config is read from the case file's directory)" : "";
    FILE *fp = fopen(path, "r");
    struct stat st;
    int err = fp ? (fstat(fileno(fp), &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0) : errno;
    if (fp)
        fclose(fp);
    if (err)
        return es_config_key_error(cfg, "case", "config", "cannot open run config %s%s: %s", path, how,
                                   strerror(err));
    return ES_OK;
}

/* The input files of an args line, checked as check_config checks a run
 * config: 'args = ordinal --json data/nope.txt' ran, and the command failing
 * on the missing file was a failed comparison (exit 1), not bad input of the
 * case file. Only the positional inputs of the commands that read files
 * (ordinal's INPUT..., school-metrics' FILE.nc) are checked; option values
 * (--output, --plot, --column, ...) are not. Options are matched as
 * getopt_long matches them (a unique prefix of a long one, --opt=value,
 * clusters of short ones); a word that cannot be told apart for sure (an
 * unknown or ambiguous option) ends the check, the command itself then
 * reports it. */
typedef struct {
    const char *command;
    const char *const *with_value; /* long options that take a value */
    const char *const *flags;      /* long options that do not */
    const char *short_value;       /* short options that take a value */
    int stdin_dash;                /* '-' is standard input */
    int series_spec;               /* FILE:VARIABLE and gen:NAME inputs */
} input_cmd;

static const char *const ordinal_value[] = {"order", "delay", "delays", "column", "plot", "output",
                                            "window", "step", "dt", "tnat-method", "seed", NULL};
static const char *const ordinal_flags[] = {"auto", "json", "allow-short", "help", NULL};
static const char *const metrics_value[] = {"box", NULL};
static const char *const metrics_flags[] = {"json", "periodic-centroid", "open", "help", NULL};
static const input_cmd input_cmds[] = {
    {"ordinal", ordinal_value, ordinal_flags, "nlc", 1, 1},
    {"school-metrics", metrics_value, metrics_flags, "b", 0, 0},
};

/* 1: --NAME takes a value, 0: it does not, -1: unknown or ambiguous. */
static int long_takes_value(const input_cmd *ic, const char *name, size_t len)
{
    int found = -1, matches = 0;
    for (int k = 0; k < 2; k++)
        for (const char *const *o = k ? ic->flags : ic->with_value; *o; o++) {
            if (strncmp(*o, name, len) != 0)
                continue;
            if ((*o)[len] == '\0')
                return !k; /* an exact match wins */
            found = !k;
            matches++;
        }
    return matches == 1 ? found : -1;
}

static int check_input(const es_config *cfg, const vcase *c, const input_cmd *ic, const char *word)
{
    if (ic->stdin_dash && strcmp(word, "-") == 0)
        return ES_OK;
    if (ic->series_spec && strncmp(word, "gen:", 4) == 0)
        return ES_OK;
    char path[sizeof c->dir + sizeof c->args + 2];
    const int rel = word[0] != '/';
    if (rel && strcmp(c->dir, ".") != 0)
        snprintf(path, sizeof path, "%s/%s", c->dir, word);
    else
        snprintf(path, sizeof path, "%s", word);
    struct stat st;
    /* FILE:VARIABLE, split at the last ':' unless the whole word is a file (as es_series_read does) */
    const char *colon = strrchr(word, ':');
    if (ic->series_spec && colon && colon != word && stat(path, &st) != 0)
        path[strlen(path) - strlen(colon)] = '\0';
    const char *how = rel ? " (a relative input is read from the case file's directory)" : "";
    FILE *fp = fopen(path, "r");
    int err = fp ? (fstat(fileno(fp), &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0) : errno;
    if (fp)
        fclose(fp);
    if (err)
        return es_config_key_error(cfg, "case", "args", "cannot open input file %s of '%s'%s: %s", path,
                                   ic->command, how, strerror(err));
    return ES_OK;
}

static int check_args_inputs(const es_config *cfg, const vcase *c)
{
    char buf[sizeof c->args];
    snprintf(buf, sizeof buf, "%s", c->args);
    char *save = NULL, *w = strtok_r(buf, " \t", &save);
    const input_cmd *ic = NULL;
    for (size_t k = 0; w && k < sizeof input_cmds / sizeof input_cmds[0]; k++)
        if (strcmp(w, input_cmds[k].command) == 0)
            ic = &input_cmds[k];
    if (!ic)
        return ES_OK;
    int options = 1;
    while ((w = strtok_r(NULL, " \t", &save))) {
        if (options && strcmp(w, "--") == 0) {
            options = 0;
        } else if (options && strncmp(w, "--", 2) == 0) {
            const char *eq = strchr(w, '=');
            int v = long_takes_value(ic, w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
            if (v < 0)
                return ES_OK; /* the command reports it */
            if (v && !eq)
                w = strtok_r(NULL, " \t", &save); /* its value */
        } else if (options && w[0] == '-' && w[1]) {
            for (const char *p = w + 1; *p; p++)
                if (strchr(ic->short_value, *p)) {
                    if (!p[1])
                        w = strtok_r(NULL, " \t", &save); /* -n 5; -n5 is its own value */
                    break;
                }
        } else {
            int st = check_input(cfg, c, ic, w);
            if (st)
                return st;
        }
        if (!w)
            break;
    }
    return ES_OK;
}

static int load_case(const char *path, vcase *c)
{
    memset(c, 0, sizeof *c);
    if (strlen(path) >= sizeof c->file)
        return es_error_set(ES_EINVAL, "case file name of %zu characters, longer than the %zu a path may have: "
                            "'%.64s...'", strlen(path), sizeof c->file - 1, path);
    snprintf(c->file, sizeof c->file, "%s", path);
    char tmp[sizeof c->file];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(c->dir, sizeof c->dir, "%s", dirname(tmp));
    const es_key_spec *schemas[] = {case_schema, NULL};
    es_config *cfg = NULL;
    int st = es_config_load(path, schemas, NULL, 0, &cfg);
    if (st)
        return st;
    snprintf(c->description, sizeof c->description, "%s", es_config_string(cfg, "case", "description"));
    snprintf(c->source, sizeof c->source, "%s", es_config_string(cfg, "case", "source"));
    snprintf(c->args, sizeof c->args, "%s", es_config_string(cfg, "case", "args"));
    snprintf(c->config, sizeof c->config, "%s", es_config_string(cfg, "case", "config"));
    snprintf(c->quantity, sizeof c->quantity, "%s", es_config_string(cfg, "case", "quantity"));
    c->expected = es_config_double(cfg, "case", "expected");
    c->tolerance = es_config_double(cfg, "case", "tolerance");
    if ((st = check_lengths(cfg, c)))
        ;
    else if (!*c->args == !*c->config)
        st = es_config_key_error(cfg, "case", *c->args ? "args" : "config", "give exactly one of 'args' or 'config'");
    else if (!*c->quantity || !*c->source)
        st = es_config_key_error(cfg, "case", *c->quantity ? "source" : "quantity", "must not be empty");
    else if (!(st = check_quantity(cfg, c->quantity)))
        st = *c->config ? check_config(cfg, c) : check_args_inputs(cfg, c);
    es_config_free(cfg);
    return st;
}

/* The child's stderr, kept in `errf`: passed on when the child succeeds (its
 * warnings, each naming the case file `label`: with the report on stdout
 * redirected, a warning was not attributable to any case), and its last line
 * put into the failure message when it does not, so that a FAIL line (and the
 * --json "error") says why the run failed. */
static void child_stderr_finish(FILE *errf, int failed, char *last, size_t len, const char *label)
{
    static const char warn[] = "esuite: warning: ";
    /* whole lines (getline): a fixed buffer split an error longer than it,
     * and `last` got only its final piece, without the start of the message */
    char *line = NULL;
    size_t cap = 0;
    last[0] = '\0';
    rewind(errf);
    while (getline(&line, &cap, errf) != -1) {
        if (!failed) {
            if (strncmp(line, warn, sizeof warn - 1) == 0)
                fprintf(stderr, "%svalidate: %s: %s", warn, label, line + sizeof warn - 1);
            else
                fputs(line, stderr);
            continue;
        }
        line[strcspn(line, "\n")] = '\0';
        const char *text = line;
        if (strncmp(text, "esuite: ", 8) == 0)
            text += 8;
        if (*text)
            snprintf(last, len, "%s", text);
    }
    free(line);
    fclose(errf);
}

/* Run self with argv in directory dir; capture stdout (caller frees).
 * label: the case file's name, for the child's warnings. */
static int run_child(const char *label, const char *dir, char **argv, char **out)
{
    int pipefd[2];
    FILE *errf = tmpfile();
    if (!errf)
        return es_error_set(ES_EIO, "tmpfile: %s", strerror(errno));
    if (pipe(pipefd)) {
        fclose(errf);
        return es_error_set(ES_EIO, "pipe: %s", strerror(errno));
    }
    fflush(stdout); /* the report so far first: a child's warnings then precede its own case's line */
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        fclose(errf);
        return es_error_set(ES_EIO, "fork: %s", strerror(err));
    }
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(fileno(errf), STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        if (chdir(dir) != 0)
            _exit(127);
        execv(es_cli_self_path(), argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ssize_t n;
    while (buf && (n = read(pipefd[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    close(pipefd[0]); /* a child still writing gets SIGPIPE */
    int status;
    waitpid(pid, &status, 0);
    int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    char why[ES_MSG_LEN];
    child_stderr_finish(errf, failed, why, sizeof why, label);
    if (!buf)
        return es_error_set(ES_ENOMEM, "esuite %s: out of memory for its output", argv[1]);
    buf[len] = '\0';
    *out = buf;
    if (failed)
        return es_error_set(ES_EIO, "esuite %s exited with status %d%s%s", argv[1],
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1, *why ? ": " : "", why);
    return ES_OK;
}

/* Follow a path like "final.P", "[0].C" or "cases[2].value" (its syntax
 * checked by quantity_syntax when the case was read). */
static json_t *json_path(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    while (cur && *p) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            char *end;
            long idx = strtol(p + 1, &end, 10);
            if (*end != ']')
                return NULL;
            cur = json_array_get(cur, (size_t)idx);
            p = end + 1;
        } else {
            char key[128];
            size_t n = strcspn(p, ".[");
            if (n >= sizeof key)
                return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            cur = json_object_get(cur, key);
            p += n;
        }
    }
    return cur;
}

static int evaluate(const vcase *c, double *got)
{
    const char *slash = strrchr(c->file, '/'), *label = slash ? slash + 1 : c->file;
    char *out = NULL, *argv[64];
    int argc = 0, st;
    char buf[2048], tmpdir[] = "/tmp/esuite-validate-XXXXXX";
    argv[argc++] = "esuite";
    if (*c->args) {
        snprintf(buf, sizeof buf, "%s", c->args);
        for (char *t = strtok(buf, " \t"); t && argc <= MAX_ARGS; t = strtok(NULL, " \t"))
            argv[argc++] = t;
        argv[argc] = NULL;
        st = run_child(label, c->dir, argv, &out);
    } else {
        if (!mkdtemp(tmpdir))
            return es_error_set(ES_EIO, "mkdtemp: %s", strerror(errno));
        char *rargv[] = {"esuite", "run", (char *)c->config, "--output", tmpdir, "--quiet", NULL};
        st = run_child(label, c->dir, rargv, &out);
        if (!st) {
            char sp[1100];
            snprintf(sp, sizeof sp, "%s/summary.json", tmpdir);
            FILE *fp = fopen(sp, "r");
            free(out);
            out = NULL;
            if (fp) {
                fseek(fp, 0, SEEK_END);
                long len = ftell(fp);
                rewind(fp);
                out = calloc((size_t)len + 1, 1);
                if (fread(out, 1, (size_t)len, fp) != (size_t)len) {}
                fclose(fp);
            } else {
                st = es_error_set(ES_EIO, "%s: run wrote no summary.json", c->config);
            }
        }
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd)) {}
    }
    if (st) {
        free(out);
        return st;
    }
    json_error_t jerr;
    json_t *root = json_loads(out ? out : "", 0, &jerr);
    free(out);
    if (!root)
        return es_error_set(ES_EDATA, "output is not JSON: %s", jerr.text);
    json_t *v = json_path(root, c->quantity);
    if (!v || !json_is_number(v)) {
        json_decref(root);
        return es_error_set(ES_EDATA, "quantity '%s' not found (or not a number) in the output", c->quantity);
    }
    *got = json_number_value(v);
    json_decref(root);
    return ES_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per case. Expected value and tolerance are printed as the case file
 * gives them (%.10g): rounded, a case failing by less than the rounding would
 * seem to lie within its tolerance. */
static void print_case(const char *name, const vcase *c, double got, int pass, int st)
{
    if (st) {
        printf("FAIL  %-40s %s\n", name, es_error_message());
        return;
    }
    printf("%s  %-40s %s = %.6g (expected %.10g ± %.10g, |got - expected| = %.2g; %s)\n",
           pass ? "pass" : "FAIL", name, c->quantity, got, c->expected, c->tolerance,
           fabs(got - c->expected), c->source);
}

/* A case as a JSON record: what is compared with what, and where the expected
 * value comes from. */
static json_t *case_json(const char *name, const vcase *c, double got, int pass, int st)
{
    json_t *o = json_object();
    json_object_set_new(o, "case", json_string(name));
    json_object_set_new(o, "quantity", json_string(c->quantity));
    json_object_set_new(o, "expected", json_real(c->expected));
    json_object_set_new(o, "got", isfinite(got) ? json_real(got) : json_null());
    json_object_set_new(o, "tolerance", json_real(c->tolerance));
    json_object_set_new(o, "pass", json_boolean(pass));
    json_object_set_new(o, "source", json_string(c->source));
    if (st)
        json_object_set_new(o, "error", json_string(es_error_message()));
    return o;
}

/* The case files named on the command line (FILE.ini ...), or every
 * DIR/NAME.ini whose NAME contains `only`, as paths in `paths` (strdup'd,
 * sorted; the files in the order given). Returns their count, 0 with the error printed when there is none. */
/* Append a copy of s to the growing list *paths (capacity *cap). */
static int push_name(char ***paths, size_t *n, size_t *cap, const char *a, const char *b)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        char **p = realloc(*paths, nc * sizeof *p);
        if (!p)
            return -1;
        *paths = p, *cap = nc;
    }
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *s = malloc(la + lb + 2);
    if (!s)
        return -1;
    memcpy(s, a, la);
    if (b) {
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    } else
        s[la] = '\0';
    (*paths)[(*n)++] = s;
    return 0;
}

/* The case files to run (malloc'ed list in *paths; no limit on their number:
 * a fixed table of 1024 dropped the rest of a larger directory unsaid). */
static size_t collect_cases(const char *dir, const char *only, char **files, size_t nfiles, char ***paths)
{
    size_t n = 0, cap = 0;
    *paths = NULL;
    for (size_t i = 0; i < nfiles; i++)
        if (push_name(paths, &n, &cap, files[i], NULL))
            goto oom;
    if (nfiles)
        return n;
    DIR *d = opendir(dir);
    if (!d) {
        es_cli_error("validate: cannot open directory %s: %s", dir, strerror(errno));
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".ini") && (!only || strstr(e->d_name, only)) &&
            push_name(paths, &n, &cap, dir, e->d_name)) {
            closedir(d);
            goto oom;
        }
    }
    closedir(d);
    if (n == 0 && only) /* a misspelt --case must not pass as "0 failed" */
        es_cli_error("validate: no case in %s matches '%s'", dir, only);
    else if (n == 0)
        es_cli_error("validate: no validation case (*.ini) in %s", dir);
    if (n)
        qsort(*paths, n, sizeof **paths, cmp_names);
    return n;
oom:
    es_cli_error("validate: out of memory for the list of case files");
    for (size_t i = 0; i < n; i++)
        free((*paths)[i]);
    free(*paths);
    *paths = NULL;
    return 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Every case file read before any case runs (malloc'ed array, NULL when one
 * is not valid): a missing or malformed case file is bad input (exit 2, like
 * 'esuite run' of a missing config), not a failed comparison (exit 1), and is
 * reported at once, not after the other cases' runs; each such file gets its
 * own line so that all can be fixed before the next try. */
static vcase *load_cases(char **names, size_t n)
{
    vcase *cases = malloc(n * sizeof *cases);
    if (!cases) {
        es_cli_error("validate: out of memory for %zu cases", n);
        return NULL;
    }
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (load_case(names[i], &cases[i])) {
            es_cli_error("validate: %s", es_error_message());
            bad++;
        }
    if (bad && n > 1)
        es_cli_error("validate: %zu of %zu case files %s not valid; no case was run", bad, n,
                     bad == 1 ? "is" : "are");
    if (bad) {
        free(cases);
        return NULL;
    }
    return cases;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int es_cmd_validate(int argc, char **argv)
{
    const char *dir = "validation", *only = NULL;
    char **files = malloc((size_t)argc * sizeof *files); /* the CASE.ini arguments */
    size_t nfiles = 0;
    if (!files) {
        es_cli_error("validate: out of memory");
        return 2;
    }
    int json = 0, dir_given = 0, rc = -1; /* rc >= 0: stop with it */
    for (int i = 1; i < argc && rc < 0; i++) {
        size_t l = strlen(argv[i]);
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i], dir_given = 1;
        else if (!strcmp(argv[i], "--case") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: esuite validate [--dir DIR] [--case NAME] [--json] [CASE.ini ...]\n\n"
                   "Run every DIR/*.ini validation case (default DIR: validation), or the case\n"
                   "files given, and compare its quantity with the published value. Exit status 1\n"
                   "if any case fails; 2 if a case file is missing or not valid, or its run config\n"
                   "or an input file of its ordinal or school-metrics args (relative to the case\n"
                   "file) cannot be opened (each such file is named on stderr with its line and\n"
                   "key, and no case runs).\n\n"
                   "  --dir DIR    directory of the case files\n"
                   "  --case NAME  only the cases whose file name contains NAME\n"
                   "  --json       one JSON array: case, quantity, expected, got (null when the case\n"
                   "               could not be evaluated, with its error), tolerance, pass, source,\n"
                   "               and esuite_version, git_revision, host, start_time, end_time\n"
                   "  CASE.ini     run these case files only (not with --dir or --case)\n");
            rc = 0;
        } else if (!strcmp(argv[i], "--dir") || !strcmp(argv[i], "--case")) {
            es_cli_error("validate: option %s needs a value", argv[i]);
            rc = 2;
        } else if (argv[i][0] != '-' && l > 4 && !strcmp(argv[i] + l - 4, ".ini")) {
            files[nfiles++] = argv[i];
        } else {
            es_cli_error("validate: unknown argument '%s' (a case file ends in .ini; --case NAME "
                         "selects cases by name; see 'esuite validate --help')", argv[i]);
            rc = 2;
        }
    }
    if (rc < 0 && dir_given && !es_cli_name_given("validate", "--dir", dir, 1))
        rc = 2;
    if (rc < 0 && nfiles && (dir_given || only)) {
        es_cli_error("validate: case files (%s) and %s both choose the cases: give one of them", files[0],
                     dir_given ? "--dir" : "--case");
        rc = 2;
    }
    if (rc >= 0) {
        free(files);
        return rc;
    }
    char **names;
    size_t n = collect_cases(dir, only, files, nfiles, &names);
    free(files);
    if (n == 0)
        return 2;
    vcase *cases = load_cases(names, n);
    if (!cases) {
        free_names(names, n);
        return 2;
    }
    es_provenance prov;
    es_provenance_init(&prov, NULL, "validate");
    int failed = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const vcase *c = &cases[i];
        double got = NAN;
        int st = evaluate(c, &got);
        int pass = !st && fabs(got - c->expected) <= c->tolerance;
        failed += !pass;
        if (json)
            json_array_append_new(arr, case_json(base_name(names[i]), c, got, pass, st));
        else
            print_case(base_name(names[i]), c, got, pass, st);
    }
    free(cases);
    free_names(names, n);
    if (json) {
        es_provenance_add_to_records(arr, &prov);
        char *t = json_dumps(arr, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        puts(t);
        free(t);
    } else {
        printf("%zu passed, %d failed (esuite %s, git %s)\n", n - (size_t)failed, failed, ESUITE_VERSION,
               ESUITE_GIT_REVISION);
    }
    es_provenance_free(&prov);
    json_decref(arr);
    return failed ? 1 : 0;
}
