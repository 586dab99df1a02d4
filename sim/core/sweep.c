/* Sweep files: parsing, value specs, task expansion and validation.
 *
 * The file is read line by line here (not with inih) so that "vary KEY"
 * lines and every error carry the file's line number. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model.h"
#include "core/output.h"
#include "core/sweep.h"
#include "esuite/status.h"

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int parse_double(const char *text, double *out)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", text);
    char *s = trim(buf), *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int is_integer_text(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

void es_sweep_free_values(char **values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(values[i]);
    free(values);
}

static int push_value(char ***values, size_t *n, const char *text)
{
    char **v = realloc(*values, (*n + 1) * sizeof *v);
    if (!v)
        return es_error_set(ES_ENOMEM, "out of memory");
    *values = v;
    if (!(v[*n] = xstrdup(text)))
        return es_error_set(ES_ENOMEM, "out of memory");
    (*n)++;
    return ES_OK;
}

static void fmt_number(double x, int digits, char *buf, size_t len)
{
    if (x == 0)
        x = 0; /* no "-0" */
    snprintf(buf, len, "%.*g", digits, x);
}

/* Push the generated numbers x[0..count-1] as text: with 15 significant
 * digits (0.1 + 2 * 0.1 reads 0.3, as written), or, when that prints two
 * neighbours as one number, with the fewest digits up to 17 that keep them
 * apart: a range finer than 15 digits (1:1.0000000000000107:2^-48) was
 * refused as values repeated on its vary line. */
static int push_numbers(const double *x, size_t count, char ***values, size_t *n)
{
    int digits = 15;
    for (; digits < 17; digits++) {
        int apart = 1;
        double prev = 0;
        for (size_t k = 0; k < count && apart; k++) {
            char buf[64];
            fmt_number(x[k], digits, buf, sizeof buf);
            double v = strtod(buf, NULL);
            apart = k == 0 || v != prev || x[k] == x[k - 1];
            prev = v;
        }
        if (apart)
            break;
    }
    for (size_t k = 0; k < count; k++) {
        char buf[64];
        fmt_number(x[k], digits, buf, sizeof buf);
        int st = push_value(values, n, buf);
        if (st)
            return st;
    }
    return ES_OK;
}

/* A:B:STEP of integers, in integer arithmetic: through a double,
 * 9007199254740993:9007199254740997:2 (seeds beyond 2^53) gave ...992,
 * ...994, ...996, none of them listed. 0 when a part is no integer a long
 * long holds (the real-valued range then takes it). */
static int parse_int_range(const char *spec, char *parts[3], char ***values, size_t *n, int *done)
{
    long long x[3];
    *done = 0;
    for (int k = 0; k < 3; k++) {
        const char *t = trim(parts[k]);
        char *end;
        errno = 0;
        x[k] = strtoll(t, &end, 10);
        if (!is_integer_text(t) || *end || errno == ERANGE)
            return ES_OK;
    }
    *done = 1;
    long long a = x[0], b = x[1], step = x[2];
    if (step == 0 || (step > 0 ? b < a : b > a))
        return es_error_set(ES_ECONFIG, "'%s': STEP must be nonzero and lead from A to B", spec);
    /* |b - a| and |step| as unsigned: exact over the whole long long range */
    unsigned long long span = step > 0 ? (unsigned long long)b - (unsigned long long)a
                                       : (unsigned long long)a - (unsigned long long)b,
                       ustep = step > 0 ? (unsigned long long)step : 0ULL - (unsigned long long)step;
    unsigned long long count = span / ustep + 1;
    if (count > 100000)
        return es_error_set(ES_ECONFIG, "'%s': %llu values (at most 100000)", spec, count);
    for (unsigned long long k = 0; k < count; k++) {
        char buf[32];
        unsigned long long off = k * ustep; /* <= span: a + off stays between a and b */
        snprintf(buf, sizeof buf, "%lld",
                 step > 0 ? (long long)((unsigned long long)a + off) : (long long)((unsigned long long)a - off));
        int st = push_value(values, n, buf);
        if (st)
            return st;
    }
    return ES_OK;
}

/* A:B:STEP, inclusive of B within a relative 1e-9 of a step. */
static int parse_range(const char *spec, char *parts[3], char ***values, size_t *n)
{
    int ints, st = parse_int_range(spec, parts, values, n, &ints);
    if (ints)
        return st;
    double a, b, step;
    if (!parse_double(parts[0], &a) || !parse_double(parts[1], &b) || !parse_double(parts[2], &step))
        return es_error_set(ES_ECONFIG, "'%s': expected A:B:STEP with three numbers", spec);
    if (step == 0 || (b - a) / step < 0)
        return es_error_set(ES_ECONFIG, "'%s': STEP must be nonzero and lead from A to B", spec);
    double count = floor((b - a) / step + 1e-9) + 1;
    if (count > 100000)
        return es_error_set(ES_ECONFIG, isfinite(count) ? "'%s': %.15g values (at most 100000)"
                                                        : "'%s': too many values (at most 100000)",
                            spec, count);
    double *x = malloc((size_t)count * sizeof *x);
    if (!x)
        return es_error_set(ES_ENOMEM, "out of memory");
    for (long k = 0; k < (long)count; k++)
        x[k] = a + (double)k * step;
    st = push_numbers(x, (size_t)count, values, n);
    free(x);
    return st;
}

static int parse_logspace(const char *spec, char ***values, size_t *n)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec + strlen("logspace("));
    char *close = strrchr(buf, ')');
    if (!close || *trim(close + 1))
        return es_error_set(ES_ECONFIG, "'%s': expected logspace(A,B,N)", spec);
    *close = '\0';
    char *p[3], *save = NULL, *tok = strtok_r(buf, ",", &save);
    int k = 0;
    while (tok && k < 3) {
        p[k++] = tok;
        tok = strtok_r(NULL, ",", &save);
    }
    double a, b, cnt;
    if (k != 3 || tok || !parse_double(p[0], &a) || !parse_double(p[1], &b) ||
        !parse_double(p[2], &cnt) || cnt != floor(cnt) || cnt < 1)
        return es_error_set(ES_ECONFIG,
                            "'%s': expected logspace(A,B,N): exponents A, B and a count N >= 1", spec);
    if (cnt > 100000) /* the message above said N >= 1, which N = 1e8 is */
        return es_error_set(ES_ECONFIG, "'%s': %.15g values (at most 100000)", spec, cnt);
    double *x = malloc((size_t)cnt * sizeof *x);
    if (!x)
        return es_error_set(ES_ENOMEM, "out of memory");
    for (long i = 0; i < (long)cnt; i++)
        x[i] = pow(10.0, cnt == 1 ? a : a + (b - a) * (double)i / (cnt - 1));
    int st = push_numbers(x, (size_t)cnt, values, n);
    free(x);
    return st;
}

/* "A:B:STEP" (or a mistyped "1:10", "1:x:1") starts with a number; a path
 * such as /data/a:b/x.nc, or anything quoted, is one value of a list. */
static int looks_like_range(const char *s)
{
    if (*s == '"' || *s == '\'')
        return 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", s);
    buf[strcspn(buf, ":")] = '\0';
    double d;
    return parse_double(buf, &d);
}

int es_sweep_parse_values(const char *spec, char ***values, size_t *n)
{
    *values = NULL;
    *n = 0;
    char buf[4096];
    if (strlen(spec) >= sizeof buf)
        return es_error_set(ES_ECONFIG, "value list longer than %zu characters", sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", spec);
    char *s = trim(buf);
    int st;
    if (!*s)
        return es_error_set(ES_ECONFIG, "empty value list");
    if (!strncmp(s, "logspace(", 9)) {
        st = parse_logspace(s, values, n);
    } else if (strchr(s, ':') && !strchr(s, ',') && looks_like_range(s)) {
        char *parts[4] = {0};
        int k = 0;
        for (char *p = s, *q; k < 4 && p; p = q) {
            q = strchr(p, ':');
            if (q)
                *q++ = '\0';
            parts[k++] = p;
        }
        if (k != 3) {
            st = es_error_set(ES_ECONFIG, "'%s': expected A:B:STEP", spec);
        } else {
            st = parse_range(spec, parts, values, n);
        }
    } else {
        st = ES_OK;
        /* An element in one pair of matching quotes is what they enclose, as a
         * config value drops them ("0.1" is the number 0.1: a numeric axis, and
         * equal to 0.1 below), commas included: a, "b,c" is two values. */
        for (char *p = s, *next; p && !st; p = next) {
            while (isspace((unsigned char)*p))
                p++;
            char *v = p, *end;
            if (*p == '"' || *p == '\'') {
                char *close = strchr(p + 1, *p);
                if (!close) {
                    st = es_error_set(ES_ECONFIG, "'%s': element %zu opens a quote %c that is not closed "
                                      "(a ';' or '#' after a blank starts a comment)", spec, *n + 1, *p);
                    break;
                }
                *close = '\0';
                v = p + 1;
                end = close + 1;
                while (isspace((unsigned char)*end))
                    end++;
                if (*end && *end != ',') {
                    st = es_error_set(ES_ECONFIG, "'%s': element %zu has text after its closing quote "
                                      "(quote the whole element)", spec, *n + 1);
                    break;
                }
            } else {
                end = p + strcspn(p, ",");
            }
            next = *end == ',' ? end + 1 : NULL;
            *end = '\0';
            v = trim(v);
            if (!*v)
                st = es_error_set(ES_ECONFIG, "'%s': empty element in the list", spec);
            else
                st = push_value(values, n, v);
        }
    }
    if (st) {
        es_sweep_free_values(*values, *n);
        *values = NULL;
        *n = 0;
    }
    return st;
}

/* ---- the file ---- */

typedef struct {
    es_sweep *sw;
    const char *file;
    int line;
    int seeds_line, replicas_line, mode_line, base_line;
} parse_ctx;

static int perr(const parse_ctx *c, const char *fmt, const char *a, const char *b)
{
    char msg[ES_MSG_LEN];
    snprintf(msg, sizeof msg, fmt, a, b);
    return es_error_set(ES_ECONFIG, "%s:%d: %s", c->file, c->line, msg);
}

static int add_axis(parse_ctx *c, const char *key, const char *spec)
{
    es_sweep *sw = c->sw;
    const char *dot = strchr(key, '.');
    if (!dot || dot == key || !dot[1] || strchr(key, ' '))
        return perr(c, "vary '%s': expected 'vary section.key = values'%s", key, "");
    for (size_t i = 0; i < sw->naxes; i++)
        if (!strcmp(sw->axes[i].key, key)) {
            char first[16];
            snprintf(first, sizeof first, "%d", sw->axes[i].line);
            return perr(c, "vary '%s' is given twice (first on line %s)", key, first);
        }
    if (sw->naxes == ES_SWEEP_MAX_AXES)
        return perr(c, "too many vary lines (at most 16)%s%s", "", "");
    es_sweep_axis *ax = &sw->axes[sw->naxes];
    snprintf(ax->key, sizeof ax->key, "%s", key);
    ax->line = c->line;
    if (es_sweep_parse_values(spec, &ax->values, &ax->n)) {
        char msg[ES_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", es_error_message());
        return perr(c, "vary %s: %s", key, msg);
    }
    ax->numeric = 1;
    for (size_t i = 0; i < ax->n; i++) {
        double d;
        if (!parse_double(ax->values[i], &d))
            ax->numeric = 0;
    }
    sw->naxes++;
    return ES_OK;
}

static int parse_int_value(parse_ctx *c, const char *key, const char *v, long long min,
                           long long max, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end != v && *end && errno == 0) { /* "2.0", "1e3": integers, as in configs */
        double d = strtod(v, &end);
        if (!*end && d == floor(d) && d >= -0x1p63 && d < 0x1p63) /* the cast stays defined */
            x = (long long)d;
        else
            end = (char *)v;
    }
    if (end == v || errno == ERANGE || x < min || x > max) {
        char range[96];
        snprintf(range, sizeof range, "an integer in %lld .. %lld", min, max);
        char msg[700];
        snprintf(msg, sizeof msg, "key '%s': expected %s, got '%s'", key, range, v);
        return es_error_set(ES_ECONFIG, "%s:%d: %s", c->file, c->line, msg);
    }
    *out = x;
    return ES_OK;
}

/* The first character a sweep name may not have (letters, digits, '_', '-',
 * '.' only: it names the directory and the job, and '%' is a pattern in
 * #SBATCH --output), or NULL. */
static const char *sweep_name_bad_char(const char *name)
{
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return p;
    return NULL;
}

static int sweep_key(parse_ctx *c, char *key, char *val)
{
    es_sweep *sw = c->sw;
    long long x = 0;
    int st;
    if (!strncmp(key, "vary", 4) && isspace((unsigned char)key[4]))
        return add_axis(c, trim(key + 4), val);
    if (!strcmp(key, "base")) {
        c->base_line = c->line;
        snprintf(sw->base, sizeof sw->base, "%s", val);
    } else if (!strcmp(key, "name")) {
        if (sweep_name_bad_char(val))
            return perr(c, "key 'sweep.name': '%s' may use only letters, digits, '_', '-', '.'%s",
                        val, "");
        if (!*val || strlen(val) >= sizeof sw->name)
            return perr(c, "key 'sweep.name': 1 to 127 characters%s%s", "", "");
        /* the name is the default sweep directory: "." or ".." wrote the task
         * directories and manifest into the current or parent directory */
        if (!strcmp(val, ".") || !strcmp(val, ".."))
            return perr(c, "key 'sweep.name': '%s' names the %s directory, not a sweep directory of "
                           "its own", val, val[1] ? "parent" : "current");
        snprintf(sw->name, sizeof sw->name, "%s", val);
    } else if (!strcmp(key, "mode")) {
        c->mode_line = c->line;
        if (!strcmp(val, "cartesian"))
            sw->mode = ES_SWEEP_CARTESIAN;
        else if (!strcmp(val, "zip"))
            sw->mode = ES_SWEEP_ZIP;
        else
            return perr(c, "key 'sweep.mode': expected cartesian or zip, got '%s'%s", val, "");
    } else if (!strcmp(key, "replicas")) {
        c->replicas_line = c->line;
        if ((st = parse_int_value(c, "sweep.replicas", val, 1, 100000, &x)))
            return st;
        sw->replicas = (int)x;
    } else if (!strcmp(key, "seeds")) {
        c->seeds_line = c->line;
        char **v;
        size_t n;
        if (es_sweep_parse_values(val, &v, &n)) {
            char msg[ES_MSG_LEN];
            snprintf(msg, sizeof msg, "%s", es_error_message());
            return perr(c, "key 'sweep.seeds': %s%s", msg, "");
        }
        free(sw->seeds);
        sw->seeds = calloc(n, sizeof *sw->seeds);
        if (!sw->seeds) {
            es_sweep_free_values(v, n);
            return es_error_set(ES_ENOMEM, "out of memory");
        }
        sw->nseeds = (int)n;
        for (size_t i = 0; i < n; i++) {
            if ((st = parse_int_value(c, "sweep.seeds", v[i], 0, LLONG_MAX, &x))) {
                es_sweep_free_values(v, n);
                return st;
            }
            sw->seeds[i] = (unsigned long long)x;
        }
        es_sweep_free_values(v, n);
    } else {
        return perr(c, "unknown key 'sweep.%s' (keys: base, name, mode, replicas, seeds, "
                       "vary SECTION.KEY)%s", key, "");
    }
    return ES_OK;
}

/* Digits from *s on (at least one); advances *s. */
static int skip_digits(const char **s)
{
    const char *p = *s;
    while (isdigit((unsigned char)**s))
        (*s)++;
    return *s > p;
}

/* A time limit as sbatch and qsub take it: [D-]N[:N[:N]] (minutes, M:S,
 * H:M:S; with days D-H, D-H:M, D-H:M:S), or UNLIMITED/INFINITE. */
static int valid_time_limit(const char *v)
{
    if (!strcmp(v, "UNLIMITED") || !strcmp(v, "INFINITE"))
        return 1;
    const char *s = v;
    if (!skip_digits(&s))
        return 0;
    if (*s == '-' && (s++, !skip_digits(&s)))
        return 0;
    for (int groups = 0; *s == ':' && groups < 2; groups++)
        if (s++, !skip_digits(&s))
            return 0;
    return *s == '\0';
}

/* A memory size: digits and an optional unit (4G, 500M, 1gb, 2048). */
static int valid_mem(const char *v)
{
    const char *s = v;
    if (!skip_digits(&s))
        return 0;
    if (*s && strchr("KMGTkmgt", *s)) {
        s++;
        s += *s == 'b' || *s == 'B';
    }
    return *s == '\0';
}

/* An extra #SBATCH line may not set what job.sbatch writes itself: sbatch
 * keeps one of two --array or --output lines, so other tasks than the
 * manifest's could run or the logs go where --status does not look. NULL:
 * fine; else what to use instead. */
static const char *extra_conflict(const char *val)
{
    static const struct {
        const char *opt, *use;
    } own[] = {{"--array", "esuite writes the unfinished tasks"}, {"-a", "esuite writes the unfinished tasks"},
               {"--output", "esuite writes logs/slurm-%A_%a.out"}, {"-o", "esuite writes logs/slurm-%A_%a.out"},
               {"--error", "esuite writes logs/slurm-%A_%a.err"}, {"-e", "esuite writes logs/slurm-%A_%a.err"},
               {"--chdir", "esuite writes the sweep directory"}, {"-D", "esuite writes the sweep directory"},
               {"--signal", "esuite writes the time-limit warning"},
               {"--open-mode", "esuite appends, so a requeued job keeps the earlier attempt's log"}, {"--job-name", "use [sweep] name"},
               {"-J", "use [sweep] name"}, {"--time", "use [slurm] time"}, {"-t", "use [slurm] time"},
               {"--mem", "use [slurm] mem"}, {"--cpus-per-task", "use [slurm] cpus_per_task"},
               {"-c", "use [slurm] cpus_per_task"}, {"--partition", "use [slurm] partition"},
               {"-p", "use [slurm] partition"}, {"--account", "use [slurm] account"},
               {"-A", "use [slurm] account"}};
    for (const char *p = val; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, "= \t");
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
            if (len && strlen(own[i].opt) == len && !strncmp(p, own[i].opt, len))
                return own[i].use;
        p += strcspn(p, " \t");
    }
    return NULL;
}

/* Room for a [slurm] value (its field in es_sweep_resources, less the NUL);
 * 0 for the integer keys. A longer one was cut silently: a 600-character
 * extra line went into job.sbatch as its first 511 characters. */
static size_t slurm_room(const es_sweep_resources *r, const char *key)
{
    if (!strcmp(key, "time") || !strcmp(key, "mem"))
        return sizeof r->time - 1;
    if (!strcmp(key, "partition") || !strcmp(key, "account"))
        return sizeof r->partition - 1;
    return !strcmp(key, "extra") ? sizeof r->extra[0] - 1 : 0;
}

static int slurm_key(parse_ctx *c, const char *key, const char *val)
{
    es_sweep_resources *r = &c->sw->res;
    long long x = 0;
    int st;
    size_t room = slurm_room(r, key);
    if (room && strlen(val) > room) {
        char n[32];
        snprintf(n, sizeof n, "%zu", room);
        return perr(c, !strcmp(key, "extra") ? "key 'slurm.%s': longer than %s characters (split it "
                                               "into several extra lines)"
                                             : "key 'slurm.%s': longer than %s characters", key, n);
    }
    if (!strcmp(key, "time")) {
        if (!valid_time_limit(val))
            return perr(c, "key 'slurm.time': expected minutes, H:M:S or D-H:M:S (e.g. 02:00:00, 1-12:00:00), "
                           "got '%s'%s", val, "");
        snprintf(r->time, sizeof r->time, "%s", val);
    } else if (!strcmp(key, "mem")) {
        if (!valid_mem(val))
            return perr(c, "key 'slurm.mem': expected a size such as 4G, 500M or 2048 (MB), got '%s'%s", val, "");
        snprintf(r->mem, sizeof r->mem, "%s", val);
    }
    else if ((!strcmp(key, "partition") || !strcmp(key, "account")) && strpbrk(val, " \t"))
        /* "#SBATCH --partition=gpu short" gives sbatch a stray word "short" */
        return perr(c, !strcmp(key, "partition")
                           ? "key 'slurm.%s': '%s' holds a blank (several partitions are separated "
                             "by commas, e.g. gpu,short)"
                           : "key 'slurm.%s': '%s' holds a blank",
                    key, val);
    else if (!strcmp(key, "partition"))
        snprintf(r->partition, sizeof r->partition, "%s", val);
    else if (!strcmp(key, "account"))
        snprintf(r->account, sizeof r->account, "%s", val);
    else if (!strcmp(key, "cpus_per_task")) {
        if ((st = parse_int_value(c, "slurm.cpus_per_task", val, 1, 4096, &x)))
            return st;
        r->cpus_per_task = (int)x;
    } else if (!strcmp(key, "max_concurrent")) {
        if ((st = parse_int_value(c, "slurm.max_concurrent", val, 1, 1000000, &x)))
            return st;
        r->max_concurrent = (int)x;
    } else if (!strcmp(key, "max_array_size")) {
        if ((st = parse_int_value(c, "slurm.max_array_size", val, 1, 4000001, &x)))
            return st;
        r->max_array_size = (int)x;
    } else if (!strcmp(key, "extra")) {
        const char *own = extra_conflict(val);
        if (own)
            return perr(c, "key 'slurm.extra': '%s' sets an option of job.sbatch's own (%s)", val, own);
        if (r->nextra == ES_SWEEP_MAX_EXTRA)
            return perr(c, "too many 'extra' lines (at most 32)%s%s", "", "");
        snprintf(r->extra[r->nextra++], sizeof r->extra[0], "%s", val);
    } else {
        return perr(c, "unknown key 'slurm.%s' (keys: time, cpus_per_task, mem, partition, "
                       "account, max_concurrent, max_array_size, extra)%s", key, "");
    }
    if (strchr(val, '\n') || strchr(val, '\''))
        return perr(c, "key 'slurm.%s': quotes are not allowed in '%s'", key, val);
    return ES_OK;
}

/* A key given twice is an error, as in configs (the second "time =" won,
 * silently); `extra` is repeatable and vary lines check their own keys. */
static int check_once(parse_ctx *c, const char *section, const char *key, char seen[][96],
                      int *seen_line, int *nseen)
{
    if (!strcmp(section, "vary") || (!strncmp(key, "vary", 4) && isspace((unsigned char)key[4])) ||
        !strcmp(key, "extra"))
        return ES_OK;
    char name[96];
    snprintf(name, sizeof name, "%s.%s", section, key);
    for (int i = 0; i < *nseen; i++)
        if (!strcmp(seen[i], name)) {
            char first[16];
            snprintf(first, sizeof first, "%d", seen_line[i]);
            return perr(c, "key '%s' is given twice (first on line %s)", name, first);
        }
    if (*nseen < 64) {
        snprintf(seen[*nseen], sizeof seen[0], "%s", name);
        seen_line[(*nseen)++] = c->line;
    }
    return ES_OK;
}

static int parse_file(parse_ctx *c, FILE *fp)
{
    char raw[8192], section[64] = "", seen[64][96];
    int st, seen_line[64], nseen = 0;
    while (fgets(raw, sizeof raw, fp)) {
        c->line++;
        if (!strchr(raw, '\n') && !feof(fp))
            return perr(c, "line longer than %s characters%s", "8190", "");
        /* A comment starts at ';' or '#' at the line start or after a blank. */
        for (char *p = raw; *p; p++)
            if ((*p == ';' || *p == '#') && (p == raw || isspace((unsigned char)p[-1]))) {
                *p = '\0';
                break;
            }
        char *s = trim(es_config_skip_bom(raw, c->line));
        if (!*s)
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || *trim(e + 1))
                return perr(c, "malformed section header '%s'%s", s, "");
            *e = '\0';
            snprintf(section, sizeof section, "%s", trim(s + 1));
            if (strcmp(section, "sweep") && strcmp(section, "slurm") && strcmp(section, "vary"))
                return perr(c, "unknown section [%s] (sections: [sweep], [vary], [slurm])%s", section, "");
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq)
            return perr(c, "malformed line '%s' (expected 'key = value')%s", s, "");
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (!*section)
            return perr(c, "key '%s' outside a section (start with [sweep])%s", key, "");
        if (!*val)
            return perr(c, "key '%s' has no value%s", key, "");
        if ((st = check_once(c, section, key, seen, seen_line, &nseen)))
            return st;
        if (!strcmp(section, "sweep"))
            st = sweep_key(c, key, val);
        else if (!strcmp(section, "vary"))
            st = add_axis(c, key, val);
        else
            st = slurm_key(c, key, val);
        if (st)
            return st;
    }
    return ES_OK;
}

/* ---- expansion ---- */

/* Order of two values of an axis; 0 when they set the key alike ("0.1,
 * 0.1", or "0.1, 1e-1" for a number; digits compared exactly, for seeds
 * beyond 2^53). */
static int cmp_value(const es_sweep_axis *ax, size_t i, size_t j)
{
    const char *u = ax->values[i], *v = ax->values[j];
    double a, b;
    if (ax->numeric && parse_double(u, &a) && parse_double(v, &b)) {
        if (a != b)
            return a < b ? -1 : 1;
        if (strspn(u, "0123456789") != strlen(u) || strspn(v, "0123456789") != strlen(v))
            return 0;
        unsigned long long x = strtoull(u, NULL, 10), y = strtoull(v, NULL, 10);
        return x < y ? -1 : x > y;
    }
    return strcmp(u, v);
}

static const es_sweep_axis *cmp_axis;
static int cmp_value_index(const void *pa, const void *pb)
{
    size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
    int c = cmp_value(cmp_axis, i, j);
    return c ? c : (i < j ? -1 : i > j);
}

/* canon[j]: the first element equal to element j (j itself if none), by
 * sorting: O(n log n), for lists of up to 100000 values. NULL: no memory. */
static size_t *axis_canon(const es_sweep_axis *ax)
{
    size_t n = ax->n ? ax->n : 1, *ord = malloc(n * sizeof *ord), *canon = malloc(n * sizeof *canon);
    if (!ord || !canon) {
        free(ord);
        free(canon);
        return NULL;
    }
    for (size_t j = 0; j < ax->n; j++)
        ord[j] = j;
    cmp_axis = ax;
    if (ax->n)
        qsort(ord, ax->n, sizeof *ord, cmp_value_index);
    for (size_t k = 0; k < ax->n; k++) /* ties are in index order: the run starts at the first */
        canon[ord[k]] = k && !cmp_value(ax, ord[k - 1], ord[k]) ? canon[ord[k - 1]] : ord[k];
    free(ord);
    return canon;
}

/* Cartesian: a value listed twice makes every task with it run twice. */
static int check_axis_distinct(parse_ctx *c, const es_sweep_axis *ax)
{
    size_t *canon = axis_canon(ax);
    if (!canon)
        return es_error_set(ES_ENOMEM, "out of memory");
    int st = ES_OK;
    for (size_t j = 0; j < ax->n && !st; j++)
        if (canon[j] != j) {
            c->line = ax->line;
            char what[600];
            snprintf(what, sizeof what, "value '%.200s' (element %zu) repeats '%.200s' (element %zu)",
                     ax->values[j], j + 1, ax->values[canon[j]], canon[j] + 1);
            st = perr(c, "vary %s: %s: its tasks would be the same runs twice", ax->key, what);
        }
    free(canon);
    return st;
}

static int expand(parse_ctx *c)
{
    es_sweep *sw = c->sw;
    int st;
    if (sw->seeds && sw->replicas && sw->replicas != sw->nseeds) {
        c->line = c->seeds_line;
        char a[32], b[32];
        snprintf(a, sizeof a, "%d", sw->nseeds);
        snprintf(b, sizeof b, "%d", sw->replicas);
        return perr(c, "key 'sweep.seeds': %s seeds for replicas = %s", a, b);
    }
    if (!sw->replicas)
        sw->replicas = sw->seeds ? sw->nseeds : 1;
    size_t points = 1;
    if (sw->mode == ES_SWEEP_ZIP) {
        points = sw->naxes ? sw->axes[0].n : 1;
        for (size_t a = 1; a < sw->naxes; a++)
            if (sw->axes[a].n != points) {
                c->line = sw->axes[a].line;
                char n1[32], n2[32];
                snprintf(n1, sizeof n1, "%zu", sw->axes[a].n);
                snprintf(n2, sizeof n2, "%zu", points);
                return perr(c, "mode = zip needs lists of equal length: %s values here, %s on the "
                               "first vary line", n1, n2);
            }
    } else {
        for (size_t a = 0; a < sw->naxes; a++)
            if ((st = check_axis_distinct(c, &sw->axes[a])))
                return st;
        for (size_t a = 0; a < sw->naxes; a++) {
            if (points > 1000000 / sw->axes[a].n)
                return es_error_set(ES_ECONFIG, "%s: more than 1000000 tasks", c->file);
            points *= sw->axes[a].n;
        }
    }
    if (points * (size_t)sw->replicas > 1000000)
        return es_error_set(ES_ECONFIG, "%s: more than 1000000 tasks", c->file);
    sw->ntasks = points * (size_t)sw->replicas;
    sw->tasks = calloc(sw->ntasks, sizeof *sw->tasks);
    if (!sw->tasks)
        return es_error_set(ES_ENOMEM, "out of memory");
    for (size_t t = 0; t < sw->ntasks; t++) {
        es_sweep_task *tk = &sw->tasks[t];
        tk->index = t;
        tk->replica = (int)(t % (size_t)sw->replicas);
        size_t p = t / (size_t)sw->replicas;
        for (size_t a = sw->naxes; a-- > 0;) {
            if (sw->mode == ES_SWEEP_ZIP) {
                tk->value_index[a] = p;
            } else {
                tk->value_index[a] = p % sw->axes[a].n;
                p /= sw->axes[a].n;
            }
        }
    }
    return ES_OK;
}

/* A varied run.seed as the schema reads it (already checked there): "1e3"
 * is 1000 (strtoull stopped at the 'e': seeds 1e3, 2e3 ran as 1 and 2);
 * digits are taken exactly, beyond a double's 2^53. */
static unsigned long long seed_value(const char *v)
{
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    return *end ? (unsigned long long)strtod(v, NULL) : x;
}

/* One "section.key=value" override: a key (< 256) and a value of a list
 * (< 4096). 512 cut a value of 540 characters (a long path) to 502 in the
 * task config, while the plan, the manifest and the table showed it whole. */
#define OV_LEN (256 + 4096 + 8)

/* Overrides of task i: every axis, then run.seed. */
static int task_overrides(const es_sweep *sw, size_t i, char ov[][OV_LEN], int *nov)
{
    const es_sweep_task *tk = &sw->tasks[i];
    unsigned long long seed_base = sw->base_seed;
    int k = 0;
    for (size_t a = 0; a < sw->naxes; a++) {
        const char *v = sw->axes[a].values[tk->value_index[a]];
        if (!strcmp(sw->axes[a].key, "run.seed"))
            seed_base = seed_value(v);
        snprintf(ov[k++], OV_LEN, "%s=%s", sw->axes[a].key, v);
    }
    unsigned long long seed =
        sw->seeds ? sw->seeds[tk->replica] : seed_base + (unsigned long long)tk->replica;
    snprintf(ov[k++], OV_LEN, "run.seed=%llu", seed);
    *nov = k;
    return ES_OK;
}

#define MAX_PATH_KEYS 8

/* Keys with unit "path" name a file relative to the working directory, but
 * tasks run in the sweep directory: init_file = seed/school.nc ran with
 * `esuite run` and failed in every task. A relative one becomes absolute
 * from the directory `esuite sweep` runs in (one --set each, in ov). */
#define PATH_OV_LEN (OV_LEN + 4096) /* and the working directory before the value */

static int absolute_paths(const es_key_spec *const *schemas, const es_config *cfg,
                          char ov[][PATH_OV_LEN], int *n)
{
    char cwd[4096];
    *n = 0;
    for (int l = 0; schemas[l]; l++)
        for (const es_key_spec *k = schemas[l]; k->key; k++) {
            if (!k->unit || strcmp(k->unit, "path") || *n == MAX_PATH_KEYS)
                continue;
            const char *v = es_config_string(cfg, k->section, k->key);
            if (!v || !*v || v[0] == '/')
                continue;
            if (!getcwd(cwd, sizeof cwd))
                return es_error_set(ES_EIO, "current directory: %s", strerror(errno));
            snprintf(ov[(*n)++], PATH_OV_LEN, "%s.%s=%s/%s", k->section, k->key, cwd, v);
        }
    return ES_OK;
}

static int load_task(const es_sweep *sw, size_t i, es_config **cfg)
{
    char ov[ES_SWEEP_MAX_AXES + 1][OV_LEN], paths[MAX_PATH_KEYS][PATH_OV_LEN];
    const char *ovp[ES_SWEEP_MAX_AXES + 1 + MAX_PATH_KEYS];
    int nov, npaths;
    task_overrides(sw, i, ov, &nov);
    for (int k = 0; k < nov; k++)
        ovp[k] = ov[k];
    const es_model *m = es_model_find(sw->model);
    const es_key_spec *schemas[] = {es_config_core_schema(), m ? m->schema : NULL, NULL};
    int st = es_config_load(sw->base, schemas, ovp, nov, cfg);
    if (st)
        return st;
    if ((st = absolute_paths(schemas, *cfg, paths, &npaths)) || !npaths) {
        if (st) {
            es_config_free(*cfg);
            *cfg = NULL;
        }
        return st;
    }
    for (int k = 0; k < npaths; k++)
        ovp[nov + k] = paths[k];
    es_config_free(*cfg);
    return es_config_load(sw->base, schemas, ovp, nov + npaths, cfg);
}

int es_sweep_task_relative_path(const es_sweep *sw, size_t i, const char *section, const char *key,
                                char *value, size_t len)
{
    const es_model *m = es_model_find(sw->model);
    const es_key_spec *schemas[] = {es_config_core_schema(), m ? m->schema : NULL, NULL};
    const es_key_spec *spec = NULL;
    for (int l = 0; schemas[l] && !spec; l++)
        for (const es_key_spec *k = schemas[l]; k->key && !spec; k++)
            if (!strcmp(k->section, section) && !strcmp(k->key, key))
                spec = k;
    if (!spec || !spec->unit || strcmp(spec->unit, "path") || i >= sw->ntasks)
        return 0;
    char ov[ES_SWEEP_MAX_AXES + 1][OV_LEN];
    const char *ovp[ES_SWEEP_MAX_AXES + 1];
    int nov;
    task_overrides(sw, i, ov, &nov);
    for (int k = 0; k < nov; k++)
        ovp[k] = ov[k];
    es_config *cfg;
    if (es_config_load(sw->base, schemas, ovp, nov, &cfg)) {
        es_error_clear();
        return 0;
    }
    const char *v = es_config_string(cfg, section, key);
    int rel = v && *v && v[0] != '/';
    if (rel)
        snprintf(value, len, "%s", v);
    es_config_free(cfg);
    return rel;
}

int es_sweep_task_config(const es_sweep *sw, size_t i, char **ini)
{
    es_config *cfg;
    int st = load_task(sw, i, &cfg);
    if (st)
        return st;
    char *text = es_config_to_ini(cfg);
    es_config_free(cfg);
    if (!text)
        return es_error_set(ES_ENOMEM, "out of memory");
    /* Say where the values come from in the task's own terms. */
    const char *from = "    ; set on the command line", *to = "    ; set by the sweep";
    for (char *p = strstr(text, from); p; p = strstr(p, from)) {
        memmove(p + strlen(to), p + strlen(from), strlen(p + strlen(from)) + 1);
        memcpy(p, to, strlen(to));
    }
    char hdr[4600];
    snprintf(hdr, sizeof hdr, "; task %zu of sweep '%s' (base config %s)\n", i, sw->name, sw->base);
    *ini = malloc(strlen(hdr) + strlen(text) + 1);
    if (!*ini) {
        free(text);
        return es_error_set(ES_ENOMEM, "out of memory");
    }
    strcpy(*ini, hdr);
    strcat(*ini, text);
    free(text);
    return ES_OK;
}

void es_sweep_task_label(const es_sweep *sw, size_t i, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < sw->naxes && off < len; a++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", a ? " " : "", sw->axes[a].key,
                                sw->axes[a].values[sw->tasks[i].value_index[a]]);
}

void es_sweep_task_describe(const es_sweep *sw, size_t i, char *buf, size_t len)
{
    char label[1024];
    es_sweep_task_label(sw, i, label, sizeof label);
    snprintf(buf, len, "%s%sreplica %d", label, *label ? " " : "", sw->tasks[i].replica);
}

/* The sweep-file line for a task's model error: the vary line of a key the
 * message names, else the first vary line, else seeds/replicas, else base. */
static int task_error_line(const parse_ctx *c, const char *msg)
{
    const es_sweep *sw = c->sw;
    for (size_t a = 0; a < sw->naxes; a++) {
        char quoted[sizeof sw->axes[a].key + 2];
        snprintf(quoted, sizeof quoted, "'%s'", sw->axes[a].key);
        if (strstr(msg, quoted))
            return sw->axes[a].line;
    }
    if (sw->naxes)
        return sw->axes[0].line;
    if (c->seeds_line || c->replicas_line)
        return c->seeds_line ? c->seeds_line : c->replicas_line;
    return c->base_line;
}

/* Tasks ordered by their values (the run.seed axis left out) and seed. A
 * value is compared by its canonical index (the first element equal to it),
 * so zip lists that repeat a point ("0.1, 0.1" on every line) are caught. */
static const es_sweep *cmp_sweep;
static size_t *cmp_canon[ES_SWEEP_MAX_AXES];
static size_t canon(size_t k, const es_sweep_task *t) { return cmp_canon[k][t->value_index[k]]; }
static int cmp_tasks(const void *pa, const void *pb)
{
    const es_sweep_task *a = &cmp_sweep->tasks[*(const size_t *)pa],
                        *b = &cmp_sweep->tasks[*(const size_t *)pb];
    for (size_t k = 0; k < cmp_sweep->naxes; k++)
        if (strcmp(cmp_sweep->axes[k].key, "run.seed") && canon(k, a) != canon(k, b))
            return canon(k, a) < canon(k, b) ? -1 : 1;
    if (a->seed != b->seed)
        return a->seed < b->seed ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Two tasks with the same values and seed are one run counted twice as
 * replicas (seeds = 7, 7; or run.seed = 1, 2 with 2 replicas: 1 + 1 = 2). */
static int check_distinct_runs(parse_ctx *c)
{
    es_sweep *sw = c->sw;
    size_t *ord = malloc((sw->ntasks ? sw->ntasks : 1) * sizeof *ord);
    if (!ord)
        return es_error_set(ES_ENOMEM, "out of memory");
    for (size_t i = 0; i < sw->ntasks; i++)
        ord[i] = i;
    int st = ES_OK;
    for (size_t k = 0; k < sw->naxes && !st; k++)
        if (!(cmp_canon[k] = axis_canon(&sw->axes[k])))
            st = es_error_set(ES_ENOMEM, "out of memory");
    cmp_sweep = sw;
    if (!st)
        qsort(ord, sw->ntasks, sizeof *ord, cmp_tasks);
    for (size_t i = 1; i < sw->ntasks && !st; i++) {
        const es_sweep_task *a = &sw->tasks[ord[i - 1]], *b = &sw->tasks[ord[i]];
        int same = a->seed == b->seed;
        for (size_t k = 0; k < sw->naxes && same; k++)
            same = !strcmp(sw->axes[k].key, "run.seed") || canon(k, a) == canon(k, b);
        if (!same)
            continue;
        if (a->replica == b->replica) { /* zip: the lists repeat a point */
            c->line = sw->naxes ? sw->axes[0].line : c->line;
            char what[160];
            snprintf(what, sizeof what, "tasks %zu and %zu are the same run (same values, seed %llu)",
                     a->index < b->index ? a->index : b->index,
                     a->index < b->index ? b->index : a->index, a->seed);
            st = perr(c, "%s: the zip lists repeat a point%s", what, "");
            break;
        }
        c->line = c->seeds_line ? c->seeds_line : c->replicas_line;
        for (size_t k = 0; k < sw->naxes && !c->seeds_line; k++)
            if (!strcmp(sw->axes[k].key, "run.seed"))
                c->line = sw->axes[k].line;
        char what[160];
        snprintf(what, sizeof what, "tasks %zu and %zu are the same run (same values, seed %llu)",
                 a->index < b->index ? a->index : b->index, a->index < b->index ? b->index : a->index,
                 a->seed);
        st = perr(c, "%s: replicas need distinct seeds%s", what,
                  c->seeds_line ? "" : " (a varied run.seed gets + replica: space its values "
                                       "by at least replicas)");
    }
    free(ord);
    for (size_t k = 0; k < sw->naxes; k++) {
        free(cmp_canon[k]);
        cmp_canon[k] = NULL;
    }
    return st;
}

/* A relative path is read from the working directory (as `esuite run`
 * reads it), not from the base config's directory. When it names no file
 * there but one next to the base config, that is almost surely what was
 * meant: a warning (files may exist only on the cluster), not an error. */
static void warn_relative_path(const parse_ctx *c, const char *section, const char *key, const char *v)
{
    if (!v || !*v || v[0] == '/' || access(v, F_OK) == 0)
        return;
    char dir[4096], there[8400], cwd[4096];
    snprintf(dir, sizeof dir, "%s", c->sw->base);
    char *slash = strrchr(dir, '/');
    if (!slash || !getcwd(cwd, sizeof cwd))
        return;
    *slash = '\0';
    snprintf(there, sizeof there, "%s/%s", dir, v);
    if (access(there, F_OK) != 0)
        return;
    es_warning_add("%s: %s.%s = %s is read from the working directory (%s/%s does not exist), not "
                   "from the base config's directory (%s exists): run 'esuite sweep' from %s, or "
                   "give the path from here or an absolute one",
                   c->file, section, key, v, cwd, v, there, dir);
}

static void warn_relative_paths(const parse_ctx *c, const es_key_spec *const *schemas, const es_config *cfg)
{
    for (int l = 0; schemas[l]; l++)
        for (const es_key_spec *k = schemas[l]; k->key; k++) {
            if (!k->unit || strcmp(k->unit, "path"))
                continue;
            char full[300];
            snprintf(full, sizeof full, "%s.%s", k->section, k->key);
            int varied = 0;
            for (size_t a = 0; a < c->sw->naxes; a++)
                if (!strcmp(c->sw->axes[a].key, full)) {
                    varied = 1;
                    for (size_t v = 0; v < c->sw->axes[a].n; v++)
                        warn_relative_path(c, k->section, k->key, c->sw->axes[a].values[v]);
                }
            if (!varied)
                warn_relative_path(c, k->section, k->key, es_config_string(cfg, k->section, k->key));
        }
}

/* A value of a vary line must read back from a task config as the sweep
 * gives it (the plan, manifest and table show that value): a config value
 * drops one pair of enclosing quotes ('"x"' ran as x), and "key = ;x" reads
 * as an empty value. cfg is the base config with this value set. */
static int check_read_back(parse_ctx *c, const es_sweep_axis *ax, const char *v, const es_config *cfg,
                           const es_key_spec *const *schemas)
{
    char section[128];
    const char *dot = strchr(ax->key, '.');
    snprintf(section, sizeof section, "%.*s", (int)(dot - ax->key), ax->key);
    const char *set = es_config_string(cfg, section, dot + 1);
    char *ini = es_config_to_ini(cfg);
    if (!ini)
        return es_error_set(ES_ENOMEM, "out of memory");
    es_config *back = NULL;
    int st = es_config_load_string(ini, "task config", schemas, NULL, 0, &back);
    free(ini);
    char got[ES_MSG_LEN];
    if (st) {
        snprintf(got, sizeof got, "would not read back from the task config (%s)", es_error_message());
    } else {
        const char *t = es_config_string(back, section, dot + 1);
        snprintf(got, sizeof got, "would read back from the task config as '%s'", t ? t : "");
        st = !set || !t || strcmp(set, v) || strcmp(t, v);
    }
    es_config_free(back);
    if (!st)
        return ES_OK;
    c->line = ax->line;
    char what[ES_MSG_LEN];
    snprintf(what, sizeof what, "value '%.200s' %s (a config value "
             "drops one pair of enclosing quotes, and a ';' after the '=' starts a comment)", v, got);
    return perr(c, "vary %s: %s", ax->key, what);
}

/* Keys that every task's command line sets itself (--output tasks/NNNN/out,
 * --set output.overwrite=true, in job.sbatch, job.pbs and the local runner):
 * a vary line over one of them was accepted and then had no effect, so its
 * tasks were one run counted several times. */
static int refuse_runner_keys(parse_ctx *c)
{
    static const char *const keys[][2] = {
        {"run.output_dir", "each task writes to tasks/NNNN/out of the sweep directory (--output)"},
        {"output.overwrite", "each task runs with --set output.overwrite=true"},
    };
    const es_sweep *sw = c->sw;
    for (size_t a = 0; a < sw->naxes; a++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (!strcmp(sw->axes[a].key, keys[k][0])) {
                c->line = sw->axes[a].line;
                return perr(c, "vary %s: the sweep sets this key for every task (%s), so the values "
                               "would make no difference",
                            keys[k][0], keys[k][1]);
            }
    return ES_OK;
}

/* With a seeds list every replica gets its listed seed and a varied run.seed
 * is dropped: 'seeds = 1, 2' with 'vary run.seed = 5, 10' made every pair of
 * tasks one run, refused as "the zip lists repeat a point" in cartesian mode. */
static int refuse_seed_axis_with_seeds(parse_ctx *c)
{
    const es_sweep *sw = c->sw;
    for (size_t a = 0; a < sw->naxes && c->seeds_line; a++)
        if (!strcmp(sw->axes[a].key, "run.seed")) {
            char line[32];
            snprintf(line, sizeof line, "%d", c->seeds_line);
            c->line = sw->axes[a].line;
            return perr(c, "vary run.seed: the seeds line (line %s) gives every replica its seed, so the "
                           "varied values would make no difference; give one of them%s",
                        line, "");
        }
    return ES_OK;
}

/* The model's check runs once per task, and a warning about the base
 * config (a [school] value its [ramp] replaces) came once per task: six
 * identical lines for 2 points x 3 replicas, 1280 for a phase sweep, which
 * also filled the 32 kept warnings. Keep the first of each text; the
 * warnings added since `since` that repeat an earlier one are dropped. */
static void drop_repeated_warnings(int since)
{
    int n = es_warning_count();
    if (es_warning_dropped() > 0 || n <= since)
        return; /* a full list: the texts beyond it cannot be compared */
    char **fresh = calloc((size_t)(n - since), sizeof *fresh);
    if (!fresh)
        return;
    for (int i = since; i < n; i++)
        fresh[i - since] = strdup(es_warning_get(i));
    es_warning_truncate(since);
    for (int i = 0; i < n - since; i++) {
        int seen = !fresh[i];
        for (int j = 0; !seen && j < es_warning_count(); j++)
            seen = !strcmp(es_warning_get(j), fresh[i]);
        if (!seen)
            es_warning_add("%s", fresh[i]);
        free(fresh[i]);
    }
    free(fresh);
}

/* Every value alone, then every task: a bad value names its vary line. */
static int validate(parse_ctx *c)
{
    es_sweep *sw = c->sw;
    char model[64] = "";
    int st = es_config_peek_model(sw->base, model, sizeof model);
    if (st) {
        c->line = c->base_line;
        char msg[ES_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", es_error_message());
        return perr(c, "base config: %s%s", msg, "");
    }
    snprintf(sw->model, sizeof sw->model, "%s", model);
    /* Without the model in this build only [run] and [output] can be checked
     * (enough to plan and write scripts on a login node with a small build). */
    const es_model *m = es_model_find(model);
    const es_key_spec *schemas[] = {es_config_core_schema(), m ? m->schema : NULL, NULL};
    const char *hint = m ? "" : " (model not in this build: only [run] and [output] keys can be checked)";
    if (!m)
        es_warning_add("%s: model '%s' is not in this build: only [run] and [output] keys are "
                       "checked, and its tasks cannot run here", c->file, model);
    es_config *cfg;
    if ((st = es_config_load(sw->base, schemas, NULL, 0, &cfg))) {
        c->line = c->base_line;
        char msg[ES_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", es_error_message());
        return perr(c, "base config: %s%s", msg, hint);
    }
    sw->base_seed = (unsigned long long)es_config_int(cfg, "run", "seed");
    /* run.threads wins over OMP_NUM_THREADS, which the job sets from
     * cpus_per_task: 8 threads on a 1-CPU allocation, silently */
    long long threads = es_config_int(cfg, "run", "threads");
    int cpus = sw->res.cpus_per_task > 0 ? sw->res.cpus_per_task : 1;
    if (threads > 0 && threads != cpus)
        es_warning_add("%s: run.threads = %lld in the base config overrides [slurm] cpus_per_task = %d "
                       "(each task's OMP_NUM_THREADS); set run.threads = 0 to use the allocation",
                       c->file, threads, cpus);
    warn_relative_paths(c, schemas, cfg);
    es_config_free(cfg);
    if ((st = refuse_runner_keys(c)) || (st = refuse_seed_axis_with_seeds(c)))
        return st;
    for (size_t a = 0; a < sw->naxes; a++)
        for (size_t v = 0; v < sw->axes[a].n; v++) {
            /* every task is checked against the base config's model, so
             * a task of another model would pass here and fail when run */
            if (!strcmp(sw->axes[a].key, "run.model") && strcmp(sw->axes[a].values[v], model)) {
                c->line = sw->axes[a].line;
                return perr(c, "vary run.model: '%s' is not the base config's model '%s' (one "
                               "sweep runs one model; write a sweep per model)",
                            sw->axes[a].values[v], model);
            }
            /* manifest.json holds UTF-8 only: a Latin-1 value was left out of
             * it, and the sweep directory then read as a malformed manifest */
            if (!es_utf8_valid(sw->axes[a].values[v])) {
                char nth[32];
                snprintf(nth, sizeof nth, "%zu", v + 1);
                c->line = sw->axes[a].line;
                return perr(c, "vary %s: value %s is not UTF-8 text (bytes of another encoding, "
                               "such as Latin-1); save the sweep file as UTF-8", sw->axes[a].key, nth);
            }
            char ov[OV_LEN];
            snprintf(ov, sizeof ov, "%s=%s", sw->axes[a].key, sw->axes[a].values[v]);
            const char *ovp[] = {ov};
            if ((st = es_config_load(sw->base, schemas, ovp, 1, &cfg))) {
                c->line = sw->axes[a].line;
                char msg[ES_MSG_LEN];
                snprintf(msg, sizeof msg, "%s", es_error_message());
                strncat(msg, hint, sizeof msg - strlen(msg) - 1);
                return perr(c, "vary %s: %s", sw->axes[a].key, msg);
            }
            st = sw->axes[a].numeric ? ES_OK
                                     : check_read_back(c, &sw->axes[a], sw->axes[a].values[v], cfg, schemas);
            es_config_free(cfg);
            if (st)
                return st;
        }
    for (size_t i = 0; i < sw->ntasks; i++) {
        if ((st = load_task(sw, i, &cfg))) {
            c->line = c->seeds_line ? c->seeds_line : c->replicas_line;
            char msg[ES_MSG_LEN], idx[32];
            snprintf(msg, sizeof msg, "%s", es_error_message());
            snprintf(idx, sizeof idx, "%zu", i);
            return perr(c, "task %s: %s", idx, msg);
        }
        sw->tasks[i].seed = (unsigned long long)es_config_int(cfg, "run", "seed");
        /* the model's checks of keys that must agree (zone radii, box keys, ...) */
        int nwarn = es_warning_count();
        st = m && m->check ? m->check(cfg) : ES_OK;
        drop_repeated_warnings(nwarn);
        es_config_free(cfg);
        if (st) {
            c->line = task_error_line(c, es_error_message());
            char msg[ES_MSG_LEN], what[1200], desc[1100];
            snprintf(msg, sizeof msg, "%s", es_error_message());
            es_sweep_task_describe(sw, i, desc, sizeof desc);
            snprintf(what, sizeof what, "%zu (%s)", i, desc);
            return perr(c, "task %s: %s", what, msg);
        }
    }
    return check_distinct_runs(c);
}

int es_sweep_load(const char *path, es_sweep **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return es_error_set(ES_EIO, "%s: cannot open sweep file: %s", path, strerror(errno));
    es_sweep *sw = calloc(1, sizeof *sw);
    snprintf(sw->path, sizeof sw->path, "%s", path);
    parse_ctx c = {.sw = sw, .file = path};
    int st = parse_file(&c, fp);
    fclose(fp);
    if (!st && !sw->base[0])
        st = es_error_set(ES_ECONFIG, "%s: [sweep] base = CONFIG is required", path);
    if (!st && !sw->naxes && sw->replicas <= 1 && sw->nseeds <= 1)
        st = es_error_set(ES_ECONFIG, "%s: nothing to sweep (no vary line and one replica)", path);
    if (!st) {
        /* base is relative to the sweep file. */
        if (sw->base[0] != '/') {
            char dir[4096], tmp[4096];
            snprintf(dir, sizeof dir, "%s", path);
            char *slash = strrchr(dir, '/');
            if (slash) {
                *slash = '\0';
                snprintf(tmp, sizeof tmp, "%s/%s", dir, sw->base);
                snprintf(sw->base, sizeof sw->base, "%s", tmp);
            }
        }
        char abs[PATH_MAX];
        if (realpath(sw->base, abs))
            snprintf(sw->base, sizeof sw->base, "%s", abs);
        if (!sw->name[0]) {
            const char *b = strrchr(path, '/');
            b = b ? b + 1 : path;
            const char *dot = strrchr(b, '.');
            size_t len = dot && dot != b ? (size_t)(dot - b) : strlen(b);
            /* was cut to 127 bytes: the sweep went to a directory of another name */
            if (len >= sizeof sw->name)
                st = es_error_set(ES_ECONFIG, "%s: the default sweep name from the file name has %zu "
                                  "characters, more than the %zu of [sweep] name: set [sweep] name",
                                  path, len, sizeof sw->name - 1);
            else
                snprintf(sw->name, sizeof sw->name, "%.*s", (int)len, b);
            /* 'my sweep.ini' or 'a%b.ini' named a directory and job the [sweep] name check
             * refuses ('%' is a pattern in #SBATCH --output, a blank splits the job line) */
            const char *bad = st ? NULL : sweep_name_bad_char(sw->name);
            if (bad) {
                char what[16];
                if (isprint((unsigned char)*bad))
                    snprintf(what, sizeof what, "'%c'", *bad);
                else
                    snprintf(what, sizeof what, "byte 0x%02x", (unsigned char)*bad);
                st = es_error_set(ES_ECONFIG, "%s: the default sweep name from the file name is '%s', "
                                  "which has %s, but a sweep name may use only letters, digits, '_', '-', "
                                  "'.': set [sweep] name", path, sw->name, what);
            }
            /* "..ini" gave ".": the tasks went into the current directory */
            if (!strcmp(sw->name, ".") || !strcmp(sw->name, ".."))
                st = es_error_set(ES_ECONFIG, "%s: the default sweep name from the file name is '%s', "
                                  "which names the %s directory: set [sweep] name", path, sw->name,
                                  sw->name[1] ? "parent" : "current");
        }
        if (!st)
            st = expand(&c);
    }
    if (!st)
        st = validate(&c);
    if (st) {
        es_sweep_free(sw);
        return st;
    }
    *out = sw;
    return ES_OK;
}

void es_sweep_free(es_sweep *sw)
{
    if (!sw)
        return;
    for (size_t a = 0; a < sw->naxes; a++)
        es_sweep_free_values(sw->axes[a].values, sw->axes[a].n);
    free(sw->seeds);
    free(sw->tasks);
    free(sw);
}
