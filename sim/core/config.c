/* Strict INI configuration: inih does the lexing, this file checks every key
 * against the registered schemas and keeps the typed values. */
#include "core/config.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "esuite/status.h"

#define ES_CFG_LINE_MAX 4096
/* The longest line accepted, and so the longest value (also from --set):
 * every value fits the buffers of entry_assign. */
#define ES_CFG_LINE_LONGEST (ES_CFG_LINE_MAX - 2)

typedef struct {
    const es_key_spec *spec;
    char *text;        /* value as written (or default) */
    double num;        /* INT, DOUBLE, BOOL (0/1), ENUM (index) */
    long long inum;    /* INT */
    double *list;      /* LIST */
    size_t nlist;
    int line;          /* 0 = default or override */
    int set;           /* given in the file or by an override */
    int overridden;
    const char *note;  /* derived by the model (es_config_set_derived): why; static */
} es_cfg_entry;

struct es_config {
    char *path;
    char *origin;      /* the file the run first came from (resume), NULL: path */
    es_cfg_entry *entries;
    size_t n;
    char **overrides;  /* "section.key=value" as given */
    size_t noverrides;
    /* parse state */
    int error;
    int cur_line;
    int section_line;  /* line of the latest [section] header */
    int stream_error;
    const int *line_map; /* text translated from another file: its line of each line */
    size_t n_map;
};

/* ---------- core schema ---------- */

static const es_key_spec core_schema[] = {
    {"run", "model", ES_KEY_ENUM, NULL, 0, 0, "gas|school|orbits", "",
     "Simulator to run."},
    {"run", "name", ES_KEY_STRING, "run", 0, 0, NULL, "",
     "Run name; the output directory is output_dir/name."},
    {"run", "seed", ES_KEY_INT, "1", 0, ES_KEY_INT_MAX, NULL, "",
     "Seed of every random stream; same seed and config give the same output for any thread count."},
    {"run", "threads", ES_KEY_INT, "0", 0, 4096, NULL, "",
     "OpenMP threads; 0 uses OMP_NUM_THREADS or all cores."},
    {"run", "output_dir", ES_KEY_STRING, "outputs", 0, 0, NULL, "",
     "Parent directory of the run directory (overridden by --output, which names the run directory itself)."},
    {"output", "overwrite", ES_KEY_BOOL, "false", 0, 0, NULL, "",
     "Replace a completed run in the same directory, or start again over an interrupted run's "
     "checkpoint, instead of refusing."},
    {"output", "compression", ES_KEY_INT, "-1", -1, 9, NULL, "",
     "Deflate level (with byte shuffle) for large datasets, 0 (none) to 9; -1: the model's default "
     "(gas.h5, orbits.h5: 4; school.nc: none, trajectories of doubles barely deflate). A resolved "
     "config keeps -1. esuite ordinal --output files use 4."},
    {"output", "log_interval", ES_KEY_DOUBLE, "30", 0.1, 86400, NULL, "s",
     "Wall-clock seconds between progress log lines when not on a terminal."},
    {"output", "checkpoint_interval", ES_KEY_DOUBLE, "0", 0, 1e7, NULL, "s",
     "Wall-clock seconds between checkpoints (0: only on SIGTERM, SIGINT or SIGUSR1)."},
    ES_KEY_END};

const es_key_spec *es_config_core_schema(void) { return core_schema; }

/* ---------- helpers ---------- */

static char *es_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static const char *type_name(es_key_type t)
{
    switch (t) {
    case ES_KEY_INT: return "an integer";
    case ES_KEY_DOUBLE: return "a number";
    case ES_KEY_BOOL: return "a boolean (true/false)";
    case ES_KEY_STRING: return "a string";
    case ES_KEY_ENUM: return "one of the listed choices";
    case ES_KEY_LIST: return "a comma-separated list of numbers";
    }
    return "a value";
}

/* An INT key's bounds as 64-bit integers: ceil(min), floor(max), and a bound at
 * or beyond +-2^63 (ES_KEY_INT_MAX: 2^63 - 1 rounds to 2^63 as a double) is the
 * int64 limit itself, so that ranges compare and print exactly. */
static void int_bounds(const es_key_spec *s, long long *lo, long long *hi)
{
    *lo = s->min <= -0x1p63 ? LLONG_MIN : (long long)ceil(s->min);
    *hi = s->max >= 0x1p63 ? LLONG_MAX : (long long)floor(s->max);
}

void es_config_key_range(const es_key_spec *s, char *buf, size_t len)
{
    int word = (int)(s->choices ? strcspn(s->choices, "=") : 0); /* LIST "full=0": or full (= 0) */
    if (s->type == ES_KEY_ENUM)
        snprintf(buf, len, "allowed: %s", s->choices);
    else if (s->type == ES_KEY_LIST && word && s->choices[word] == '=')
        snprintf(buf, len, "allowed range %.10g .. %.10g, or %.*s (= %s)", s->min, s->max, word,
                 s->choices, s->choices + word + 1);
    else if (s->type == ES_KEY_INT) { /* exact: 1e12 steps, not 1e+12; 2^63 - 1, not 9.2e+18 */
        long long lo, hi;
        int_bounds(s, &lo, &hi);
        snprintf(buf, len, "allowed range %lld .. %lld", lo, hi);
    } else if (s->type == ES_KEY_DOUBLE || s->type == ES_KEY_LIST)
        snprintf(buf, len, "allowed range %.10g .. %.10g", s->min, s->max);
    else if (s->type == ES_KEY_BOOL)
        snprintf(buf, len, "allowed: true, false, yes, no, on, off, 1, 0");
    else
        buf[0] = '\0';
}

/* Levenshtein distance, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

static es_cfg_entry *find_entry(const es_config *cfg, const char *section, const char *key)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->entries[i].spec->section, section) == 0 &&
            strcmp(cfg->entries[i].spec->key, key) == 0)
            return &cfg->entries[i];
    return NULL;
}

static int section_known(const es_config *cfg, const char *section)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->entries[i].spec->section, section) == 0)
            return 1;
    return 0;
}

/* Suggest the section that owns `key`, or else the closest key of the same
 * section: `[gas] seed` is run.seed misplaced, not a typo of gas.t_end. */
static void suggest_key(const es_config *cfg, const char *section, const char *key, char *buf,
                        size_t len)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const es_key_spec *s = cfg->entries[i].spec;
        if (strcmp(s->key, key) == 0) {
            snprintf(buf, len, " (did you mean '%s.%s'? it belongs to section [%s])", s->section,
                     s->key, s->section);
            return;
        }
    }
    size_t best = (size_t)-1;
    const es_key_spec *bs = NULL;
    for (size_t i = 0; i < cfg->n; i++) {
        const es_key_spec *s = cfg->entries[i].spec;
        if (strcmp(s->section, section) == 0) {
            size_t d = edit_distance(key, s->key);
            if (d < best) {
                best = d;
                bs = s;
            }
        }
    }
    size_t limit = strlen(key) / 3 + 2;
    if (bs && best <= limit) {
        snprintf(buf, len, " (did you mean '%s.%s'?)", bs->section, bs->key);
        return;
    }
    buf[0] = '\0';
}

static void suggest_section(const es_config *cfg, const char *section, char *buf, size_t len)
{
    size_t best = (size_t)-1;
    const char *bs = NULL;
    for (size_t i = 0; i < cfg->n; i++) {
        size_t d = edit_distance(section, cfg->entries[i].spec->section);
        if (d < best) {
            best = d;
            bs = cfg->entries[i].spec->section;
        }
    }
    if (bs && best <= strlen(section) / 3 + 2)
        snprintf(buf, len, " (did you mean [%s]?)", bs);
    else
        buf[0] = '\0';
}

/* Strip surrounding whitespace and one pair of matching quotes. */
static void trim_value(const char *in, char *out, size_t len)
{
    while (isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n && isspace((unsigned char)in[n - 1]))
        n--;
    if (n >= 2 && (in[0] == '"' || in[0] == '\'') && in[n - 1] == in[0]) {
        in++;
        n -= 2;
    }
    if (n >= len)
        n = len - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static int parse_double_strict(const char *s, double *v)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0')
        return 0;
    if (errno == ERANGE && fabs(*v) > 1.0)
        return 0;
    return isfinite(*v);
}

/* A plain decimal integer ("-12", "+7"; no '.', exponent or hex): 1 with it
 * in *out, -1 if it is beyond int64, 0 if the text is not such an integer. */
static int exact_integer(const char *s, long long *out)
{
    const char *p = s + (*s == '+' || *s == '-');
    if (!*p || strspn(p, "0123456789") != strlen(p))
        return 0;
    errno = 0;
    long long x = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return -1;
    *out = x;
    return 1;
}

static int parse_bool(const char *s, int *b)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *b = 1;
            return 1;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *b = 0;
            return 1;
        }
    }
    return 0;
}

/* A LIST element may be the word of the spec's `choices` ("word=number", one
 * word: dy = full for strips): *d gets its number. */
static int list_word(const char *choices, const char *t, double *d)
{
    size_t n = choices ? strcspn(choices, "=") : 0;
    if (!n || choices[n] != '=' || strlen(t) != n || strncmp(choices, t, n) != 0)
        return 0;
    return parse_double_strict(choices + n + 1, d);
}

static int enum_index(const char *choices, const char *s)
{
    int idx = 0;
    const char *p = choices;
    size_t n = strlen(s);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return idx;
        idx++;
        if (!bar)
            break;
        p = bar + 1;
    }
    return -1;
}

/* Parse `value` into `e` according to its spec; on error fill msg. */
static int entry_assign(es_cfg_entry *e, const char *raw, char *msg, size_t mlen)
{
    const es_key_spec *s = e->spec;
    char v[ES_CFG_LINE_MAX], range[256];
    /* a file's longer line is refused as such; a --set value this long was
     * cut to the buffer without a word (observables 'x<5000 blanks>,y' read x) */
    size_t rawlen = strlen(raw);
    if (rawlen > ES_CFG_LINE_LONGEST) {
        snprintf(msg, mlen, "the value is %zu characters long (at most %d, the longest config line)",
                 rawlen, ES_CFG_LINE_LONGEST);
        return 0;
    }
    trim_value(raw, v, sizeof v);
    es_config_key_range(s, range, sizeof range);
    double d = 0;
    int b = 0;
    switch (s->type) {
    case ES_KEY_INT: {
        /* digits only: exact, since a double holds integers only up to 2^53
         * (seed = 9007199254740993 read as ...992 made two seeds one run), and
         * compared with the bounds as integers (9200000000000000001 is a
         * double's 9.2e18) */
        long long x = 0, lo, hi;
        int digits = exact_integer(v, &x);
        if (!digits) { /* 1e6, 150.0: integral reals */
            if (!parse_double_strict(v, &d) || d != floor(d)) {
                snprintf(msg, mlen, "expected %s, got '%s' (%s)", type_name(s->type), v, range);
                return 0;
            }
            if (d >= -0x1p63 && d < 0x1p63) /* the cast stays defined */
                x = (long long)d;
            else
                digits = -1;
        }
        int_bounds(s, &lo, &hi);
        if (digits < 0 || x < lo || x > hi) {
            snprintf(msg, mlen, "value %s is out of range (%s)", v, range);
            return 0;
        }
        e->inum = x;
        e->num = (double)x;
        break;
    }
    case ES_KEY_DOUBLE:
        if (!parse_double_strict(v, &d)) {
            snprintf(msg, mlen, "expected %s, got '%s' (%s)", type_name(s->type), v, range);
            return 0;
        }
        if (d < s->min || d > s->max) {
            snprintf(msg, mlen, "value %s is out of range (%s)", v, range);
            return 0;
        }
        e->num = d;
        break;
    case ES_KEY_BOOL:
        if (!parse_bool(v, &b)) {
            snprintf(msg, mlen, "expected %s, got '%s'", type_name(s->type), v);
            return 0;
        }
        e->num = b;
        break;
    case ES_KEY_ENUM: {
        int idx = enum_index(s->choices, v);
        if (idx < 0) {
            snprintf(msg, mlen, "'%s' is not a valid choice (%s)", v, range);
            return 0;
        }
        e->num = idx;
        break;
    }
    case ES_KEY_STRING:
        if (!*v && s->default_value && *s->default_value) {
            snprintf(msg, mlen, "expected a non-empty string");
            return 0;
        }
        break;
    case ES_KEY_LIST: {
        size_t cap = 8, n = 0;
        double *list = malloc(cap * sizeof *list);
        if (!list) {
            snprintf(msg, mlen, "out of memory for a list");
            return 0;
        }
        char buf[ES_CFG_LINE_MAX];
        snprintf(buf, sizeof buf, "%s", v);
        /* Split by hand: strtok would silently skip an empty element ("1,,2"). */
        for (char *tok = buf, *next; tok; tok = next) {
            next = strchr(tok, ',');
            if (next)
                *next++ = '\0';
            char t[ES_CFG_LINE_MAX]; /* as long as v: a 256-byte t cut a longer element short */
            trim_value(tok, t, sizeof t);
            if (!list_word(s->choices, t, &d) && !parse_double_strict(t, &d)) {
                snprintf(msg, mlen, "element %zu: expected a number, got '%s' (%s)", n + 1, t, range);
                free(list);
                return 0;
            }
            if (d < s->min || d > s->max) {
                snprintf(msg, mlen, "element %zu: value %s is out of range (%s)", n + 1, t, range);
                free(list);
                return 0;
            }
            if (n == cap) {
                double *grown = realloc(list, (cap *= 2) * sizeof *list);
                if (!grown) {
                    snprintf(msg, mlen, "out of memory for a list of %zu values", n + 1);
                    free(list);
                    return 0;
                }
                list = grown;
            }
            list[n++] = d;
        }
        if (n == 0) {
            snprintf(msg, mlen, "expected %s, got an empty value", type_name(s->type));
            free(list);
            return 0;
        }
        free(e->list);
        e->list = list;
        e->nlist = n;
        break;
    }
    }
    free(e->text);
    e->text = es_strdup(v);
    return 1;
}

/* ---------- building a config ---------- */

static es_config *config_new(const char *path, const es_key_spec *const *schemas)
{
    es_config *cfg = calloc(1, sizeof *cfg);
    cfg->path = es_strdup(path);
    size_t n = 0;
    for (size_t k = 0; schemas[k]; k++)
        for (const es_key_spec *s = schemas[k]; s->key; s++)
            n++;
    cfg->entries = calloc(n ? n : 1, sizeof *cfg->entries);
    for (size_t k = 0; schemas[k]; k++)
        for (const es_key_spec *s = schemas[k]; s->key; s++) {
            if (find_entry(cfg, s->section, s->key))
                continue; /* a later schema may not redefine a key */
            cfg->entries[cfg->n++].spec = s;
        }
    return cfg;
}

void es_config_free(es_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->entries[i].text);
        free(cfg->entries[i].list);
    }
    for (size_t i = 0; i < cfg->noverrides; i++)
        free(cfg->overrides[i]);
    free(cfg->overrides);
    free(cfg->entries);
    free(cfg->path);
    free(cfg->origin);
    free(cfg);
}

/* The line of the file the user wrote: for translated text (a flat reference
 * config) the original file's line, so that messages and es_config_line()
 * point at what the user can edit; 0 for a line the translation generated. */
static int src_line(const es_config *cfg, int line)
{
    if (!cfg->line_map)
        return line;
    return line >= 1 && (size_t)line <= cfg->n_map ? cfg->line_map[line - 1] : 0;
}

static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    es_config *cfg = user;
    if (cfg->error)
        return 1; /* report only the first problem */
    char msg[ES_MSG_LEN], hint[256];
    if (!*name) { /* "= value": inih passes an empty name */
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: malformed line: no key before '=' (expected "
                                              "'key = value')", cfg->path, src_line(cfg, cfg->cur_line));
        return 1;
    }
    if (!*section) {
        cfg->error = es_error_set(ES_ECONFIG,
                                  "%s:%d: key '%s' appears before any [section] header",
                                  cfg->path, src_line(cfg, cfg->cur_line), name);
        return 1;
    }
    if (!section_known(cfg, section)) {
        suggest_section(cfg, section, hint, sizeof hint);
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: unknown section [%s]%s", cfg->path,
                                  src_line(cfg, cfg->section_line), section, hint);
        return 1;
    }
    es_cfg_entry *e = find_entry(cfg, section, name);
    if (!e) {
        suggest_key(cfg, section, name, hint, sizeof hint);
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: unknown key '%s.%s'%s", cfg->path,
                                  src_line(cfg, cfg->cur_line), section, name, hint);
        return 1;
    }
    if (e->set) {
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: key '%s.%s' is given twice (first at line %d)",
                                  cfg->path, src_line(cfg, cfg->cur_line), section, name, e->line);
        return 1;
    }
    if (!entry_assign(e, value, msg, sizeof msg)) {
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: key '%s.%s': %s", cfg->path,
                                  src_line(cfg, cfg->cur_line), section, name, msg);
        return 1;
    }
    e->set = 1;
    e->line = src_line(cfg, cfg->cur_line);
    return 1;
}

/* Line reader for ini_parse_stream. inih's handler does not receive line
 * numbers in Debian's build, so lines are counted here. Two of inih's rules
 * would surprise users and are replaced: an indented line would continue the
 * previous key's value (Python's configparser rule: "  N = 10" under "[gas]"
 * became part of the key above it), so leading blanks are dropped; and lines
 * longer than inih's fixed 200-byte buffer (a long list of sampling times)
 * are split into key and value here, by inih's rules, and passed to the
 * handler directly, while inih gets an empty line. */
typedef int (*ini_handler_fn)(void *user, const char *section, const char *name, const char *value);

typedef struct {
    es_config *cfg;
    FILE *fp;
    const char *text;
    ini_handler_fn handler; /* the handler given to inih, for long lines */
    void *user;
    char *line;             /* getline buffer */
    size_t cap;
    char section[128];      /* current [section], as inih keeps it */
} line_source;

static char *rstrip(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* inih's inline comment: ';' at the start or after a blank. */
static char *inline_comment(char *s)
{
    for (char *c = s; *c; c++)
        if (*c == ';' && (c == s || isspace((unsigned char)c[-1])))
            return c;
    return NULL;
}

/* A line too long for inih (no newline, leading blanks already gone). */
static void long_line(line_source *src, char *s)
{
    es_config *cfg = src->cfg;
    rstrip(s);
    if (*s == ';' || *s == '#' || cfg->error)
        return;
    if (*s == '[') {
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: section header longer than %d characters",
                                  cfg->path, src_line(cfg, cfg->cur_line), INI_MAX_LINE - 2);
        return;
    }
    char *comment = inline_comment(s);
    char *sep = strpbrk(s, "=:");
    if (!sep || (comment && comment < sep)) {
        cfg->error = es_error_set(ES_ECONFIG,
                                  "%s:%d: malformed line (expected 'key = value' or '[section]')",
                                  cfg->path, src_line(cfg, cfg->cur_line));
        return;
    }
    *sep = '\0';
    char *value = sep + 1;
    while (isspace((unsigned char)*value))
        value++;
    if ((comment = inline_comment(value)))
        *comment = '\0';
    src->handler(src->user, src->section, rstrip(s), rstrip(value));
}

/* Keep the current section name, as inih does ("[name]" up to the ']'). */
static void note_section(line_source *src, const char *s)
{
    const char *close = strchr(s, ']');
    if (*s != '[' || !close)
        return;
    size_t n = (size_t)(close - s - 1);
    if (n >= sizeof src->section)
        n = sizeof src->section - 1;
    memcpy(src->section, s + 1, n);
    src->section[n] = '\0';
}

char *es_config_skip_bom(char *line, int lineno)
{
    return lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3) ? line + 3 : line;
}

/* The next physical line, whole (NULL at the end); *len its length. */
static char *next_line(line_source *src, size_t *len)
{
    if (src->fp) {
        ssize_t n = getline(&src->line, &src->cap, src->fp);
        if (n < 0)
            return NULL;
        *len = (size_t)n;
        return src->line;
    }
    if (!*src->text)
        return NULL;
    const char *nl = strchr(src->text, '\n');
    size_t n = nl ? (size_t)(nl - src->text + 1) : strlen(src->text);
    if (n + 1 > src->cap) {
        char *grown = realloc(src->line, n + 1);
        if (!grown)
            return NULL;
        src->line = grown;
        src->cap = n + 1;
    }
    memcpy(src->line, src->text, n);
    src->line[n] = '\0';
    src->text += n;
    *len = n;
    return src->line;
}

static char *read_line(char *buf, int size, void *stream)
{
    line_source *src = stream;
    es_config *cfg = src->cfg;
    size_t len;
    char *p = next_line(src, &len);
    if (!p)
        return NULL;
    cfg->cur_line++;
    char *q = es_config_skip_bom(p, cfg->cur_line);
    len -= (size_t)(q - p);
    p = q;
    while (*p == ' ' || *p == '\t') {
        p++;
        len--;
    }
    size_t text_len = strcspn(p, "\r\n");
    if (text_len > ES_CFG_LINE_LONGEST && !cfg->error) {
        cfg->error = es_error_set(ES_ECONFIG, "%s:%d: line longer than %d characters", cfg->path,
                                  src_line(cfg, cfg->cur_line), ES_CFG_LINE_LONGEST);
        cfg->stream_error = 1;
    }
    if (*p == '[') {
        cfg->section_line = cfg->cur_line;
        note_section(src, p);
        /* inih skips such a line and files the keys below it under the
         * previous section: report the header itself */
        if (!strchr(p, ']') && !cfg->error) {
            size_t n = strcspn(p, "\r\n");
            cfg->error = es_error_set(ES_ECONFIG, "%s:%d: malformed section header '%.*s' "
                                                  "(expected '[section]')",
                                      cfg->path, src_line(cfg, cfg->cur_line),
                                      (int)(n > 80 ? 80 : n), p);
        } else if (!cfg->error && cfg->n && !section_known(cfg, src->section)) {
            /* the handler sees only keys: an unknown section without any
             * (a misspelt header, a model's section in another model's
             * config) was silently accepted (cfg->n = 0: the schema-less
             * scratch of es_config_peek_model, which checks nothing) */
            char hint[256];
            suggest_section(cfg, src->section, hint, sizeof hint);
            cfg->error = es_error_set(ES_ECONFIG, "%s:%d: unknown section [%s]%s", cfg->path,
                                      src_line(cfg, cfg->cur_line), src->section, hint);
        }
    }
    if (cfg->error || len + 1 > (size_t)size) {
        if (!cfg->error) {
            p[text_len] = '\0';
            long_line(src, p);
        }
        strcpy(buf, "\n"); /* inih sees a blank line */
        return buf;
    }
    memcpy(buf, p, len + 1);
    return buf;
}

/* Parse a config file or text with inih through read_line. */
static int parse_source(line_source *src, ini_handler_fn handler, void *user)
{
    src->handler = handler;
    src->user = user;
    int rc = ini_parse_stream(read_line, src, handler, user);
    free(src->line);
    src->line = NULL;
    return rc;
}

static int split_override(const char *ov, char *section, char *key, const char **value)
{
    const char *eq = strchr(ov, '=');
    const char *dot = strchr(ov, '.');
    if (!eq || !dot || dot > eq || dot == ov || eq == dot + 1)
        return 0;
    size_t ls = (size_t)(dot - ov), lk = (size_t)(eq - dot - 1);
    if (ls >= 128 || lk >= 128)
        return 0;
    memcpy(section, ov, ls);
    section[ls] = '\0';
    memcpy(key, dot + 1, lk);
    key[lk] = '\0';
    *value = eq + 1;
    return 1;
}

/* Remember an applied override ("section.key=value") for the provenance. */
static int record_override(es_config *cfg, const char *text)
{
    char *copy = es_strdup(text);
    char **grown = copy ? realloc(cfg->overrides, (cfg->noverrides + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(copy);
        return es_error_set(ES_ENOMEM, "%s: out of memory", text);
    }
    cfg->overrides = grown;
    cfg->overrides[cfg->noverrides++] = copy;
    return ES_OK;
}

/* A value set from the command line must read back from the resolved
 * config that resume, sweep tasks and the provenance write: a ';' at its
 * start or after a blank would start a comment there (a sweep's absolute
 * init_file under a directory named 'a ;b' ran with the path cut at ';'), a
 * line break would end the line, and outer blanks would be trimmed (which
 * changes a string, not a number). */
static int ini_unsafe(const es_cfg_entry *e, const char *value, char *msg, size_t len)
{
    size_t n = strlen(value);
    for (const char *c = value; *c; c++) {
        if (*c == ';' && (c == value || isspace((unsigned char)c[-1]))) {
            /* a long value is quoted by its first 200 characters and the ';'
             * by its place: quoted whole, it pushed the reason out of the message */
            char at[48] = "";
            if (n > 200)
                snprintf(at, sizeof at, " (character %zu)", (size_t)(c - value) + 1);
            snprintf(msg, len, "'%.*s%s' has a ';' %s%s, which a config file reads as the start of a comment",
                     n > 200 ? 200 : (int)n, value, n > 200 ? "..." : "",
                     c == value ? "at its start" : "after a blank", at);
            return 1;
        }
        if (*c == '\n' || *c == '\r') {
            snprintf(msg, len, "the value has a line break, which a config file cannot hold");
            return 1;
        }
    }
    if (e->spec->type == ES_KEY_STRING && n &&
        (isspace((unsigned char)value[0]) || isspace((unsigned char)value[n - 1]))) {
        snprintf(msg, len, "'%s' starts or ends with a blank, which a config file would drop", value);
        return 1;
    }
    return 0;
}

/* "section.key = value" as a config line reads it: blanks around the
 * whole and around the first '=' dropped ('--set "orbits.system = lorenz"'
 * was the unknown key 'orbits.system '), into a malloc'ed copy. */
char *es_config_normalise_override(const char *ov)
{
    while (isspace((unsigned char)*ov))
        ov++;
    size_t n = strlen(ov);
    while (n && isspace((unsigned char)ov[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    const char *eq = memchr(ov, '=', n);
    if (!eq) {
        memcpy(out, ov, n);
        out[n] = '\0';
        return out;
    }
    size_t lk = (size_t)(eq - ov);
    while (lk && isspace((unsigned char)ov[lk - 1]))
        lk--;
    const char *v = eq + 1, *end = ov + n;
    while (v < end && isspace((unsigned char)*v))
        v++;
    memcpy(out, ov, lk);
    out[lk] = '=';
    memcpy(out + lk + 1, v, (size_t)(end - v));
    out[lk + 1 + (size_t)(end - v)] = '\0';
    return out;
}

static int apply_override_text(es_config *cfg, const char *ov);

static int apply_override(es_config *cfg, const char *given)
{
    char *ov = es_config_normalise_override(given);
    if (!ov)
        return es_error_set(ES_ENOMEM, "--set %s: out of memory", given);
    int st = apply_override_text(cfg, ov);
    free(ov);
    return st;
}

static int apply_override_text(es_config *cfg, const char *ov)
{
    char section[128], key[128], msg[1024], hint[256];
    const char *value;
    if (!split_override(ov, section, key, &value))
        return es_error_set(ES_ECONFIG, "--set %s: expected section.key=value", ov);
    es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e) {
        if (!section_known(cfg, section)) {
            suggest_section(cfg, section, hint, sizeof hint);
            return es_error_set(ES_ECONFIG, "--set %s: unknown section [%s]%s", ov, section, hint);
        }
        suggest_key(cfg, section, key, hint, sizeof hint);
        return es_error_set(ES_ECONFIG, "--set %s: unknown key '%s.%s'%s", ov, section, key, hint);
    }
    if (ini_unsafe(e, value, msg, sizeof msg) || !entry_assign(e, value, msg, sizeof msg)) {
        /* an over-long value in full would push the reason out of the message */
        int n = (int)strlen(ov), cut = n > 200;
        return es_error_set(ES_ECONFIG, "--set %.*s%s: key '%s.%s': %s", cut ? 200 : n, ov,
                            cut ? "..." : "", section, key, msg);
    }
    e->set = 1;
    e->overridden = 1;
    return record_override(cfg, ov);
}

static int finish_load(es_config *cfg, int ini_rc, const char *const *overrides, int n_overrides)
{
    if (cfg->error)
        return cfg->error;
    if (ini_rc > 0)
        return es_error_set(ES_ECONFIG,
                            "%s:%d: malformed line (expected 'key = value' or '[section]')",
                            cfg->path, src_line(cfg, ini_rc));
    for (int i = 0; i < n_overrides; i++) {
        int st = apply_override(cfg, overrides[i]);
        if (st)
            return st;
    }
    char msg[ES_MSG_LEN];
    for (size_t i = 0; i < cfg->n; i++) {
        es_cfg_entry *e = &cfg->entries[i];
        if (e->set)
            continue;
        if (!e->spec->default_value)
            return es_error_set(ES_ECONFIG, "%s: missing required key '%s.%s' (%s)", cfg->path,
                                e->spec->section, e->spec->key, e->spec->doc);
        if (!entry_assign(e, e->spec->default_value, msg, sizeof msg)) {
            fprintf(stderr, "esuite: internal error: default of %s.%s: %s\n", e->spec->section,
                    e->spec->key, msg);
            abort();
        }
    }
    return ES_OK;
}

/* fopen for reading, refusing a directory (which fopen opens on Linux). */
static int open_config(const char *path, FILE **out)
{
    *out = fopen(path, "r");
    if (!*out)
        return es_error_set(ES_EIO, "%s: cannot open config file: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(*out), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(*out);
        *out = NULL;
        return es_error_set(ES_EIO, "%s: cannot read config file: it is a directory", path);
    }
    return ES_OK;
}

int es_config_load(const char *path, const es_key_spec *const *schemas,
                   const char *const *overrides, int n_overrides, es_config **out)
{
    *out = NULL;
    FILE *fp;
    int st = open_config(path, &fp);
    if (st)
        return st;
    es_config *cfg = config_new(path, schemas);
    line_source src = {.cfg = cfg, .fp = fp};
    int rc = parse_source(&src, config_ini_handler, cfg);
    fclose(fp);
    st = finish_load(cfg, rc, overrides, n_overrides);
    if (st) {
        es_config_free(cfg);
        return st;
    }
    *out = cfg;
    return ES_OK;
}

int es_config_load_string(const char *text, const char *name, const es_key_spec *const *schemas,
                          const char *const *overrides, int n_overrides, es_config **out)
{
    return es_config_load_mapped(text, name, NULL, 0, schemas, overrides, n_overrides, out);
}

int es_config_load_mapped(const char *text, const char *name, const int *line_map, size_t n_lines,
                          const es_key_spec *const *schemas, const char *const *overrides,
                          int n_overrides, es_config **out)
{
    *out = NULL;
    es_config *cfg = config_new(name, schemas);
    cfg->line_map = line_map;
    cfg->n_map = n_lines;
    line_source src = {.cfg = cfg, .text = text};
    int rc = parse_source(&src, config_ini_handler, cfg);
    int st = finish_load(cfg, rc, overrides, n_overrides);
    cfg->line_map = NULL; /* the caller's: entries already hold the mapped lines */
    if (st) {
        es_config_free(cfg);
        return st;
    }
    *out = cfg;
    return ES_OK;
}

/* ---------- first pass: which model? ---------- */

typedef struct {
    char *model;
    size_t len;
    int found;
    int line;
} peek_state;

static int peek_handler(void *user, const char *section, const char *name, const char *value)
{
    peek_state *ps = user;
    if (strcmp(section, "run") == 0 && strcmp(name, "model") == 0 && !ps->found) {
        trim_value(value, ps->model, ps->len);
        ps->found = 1;
    }
    return 1;
}

int es_config_peek_model(const char *path, char *model, size_t len)
{
    FILE *fp;
    int st = open_config(path, &fp);
    if (st)
        return st;
    peek_state ps = {model, len, 0, 0};
    model[0] = '\0';
    /* the same line rules as the real load (indented keys, long lines);
     * errors are reported by that load */
    static const es_key_spec *const none[] = {NULL};
    es_config *scratch = config_new(path, none);
    line_source src = {.cfg = scratch, .fp = fp};
    parse_source(&src, peek_handler, &ps);
    es_config_free(scratch);
    fclose(fp);
    return ES_OK;
}

/* ---------- getters ---------- */

static const es_cfg_entry *get(const es_config *cfg, const char *section, const char *key,
                               es_key_type type)
{
    const es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e || e->spec->type != type) {
        fprintf(stderr, "esuite: internal error: config key %s.%s %s\n", section, key,
                e ? "read with the wrong type" : "is not in any schema");
        abort();
    }
    return e;
}

long long es_config_int(const es_config *cfg, const char *section, const char *key)
{
    return get(cfg, section, key, ES_KEY_INT)->inum;
}

double es_config_double(const es_config *cfg, const char *section, const char *key)
{
    return get(cfg, section, key, ES_KEY_DOUBLE)->num;
}

bool es_config_bool(const es_config *cfg, const char *section, const char *key)
{
    return get(cfg, section, key, ES_KEY_BOOL)->num != 0;
}

const char *es_config_string(const es_config *cfg, const char *section, const char *key)
{
    const es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e) {
        fprintf(stderr, "esuite: internal error: config key %s.%s is not in any schema\n", section, key);
        abort();
    }
    return e->text;
}

int es_config_enum(const es_config *cfg, const char *section, const char *key)
{
    return (int)get(cfg, section, key, ES_KEY_ENUM)->num;
}

size_t es_config_list(const es_config *cfg, const char *section, const char *key,
                      const double **values)
{
    const es_cfg_entry *e = get(cfg, section, key, ES_KEY_LIST);
    *values = e->list;
    return e->nlist;
}

bool es_config_was_set(const es_config *cfg, const char *section, const char *key)
{
    const es_cfg_entry *e = find_entry(cfg, section, key);
    return e && e->set;
}

/* Whether the list equals the comma-separated numbers of def. */
static bool list_is(const es_cfg_entry *e, const char *def)
{
    size_t i = 0;
    for (const char *p = def; *p; i++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || i >= e->nlist || e->list[i] != v)
            return false;
        p = end + strspn(end, " ,");
    }
    return i == e->nlist;
}

bool es_config_given(const es_config *cfg, const char *section, const char *key)
{
    const es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e || !e->set)
        return false;
    const char *def = e->spec->default_value;
    if (!def)
        return true;
    switch (e->spec->type) {
    case ES_KEY_INT:
        return e->inum != strtoll(def, NULL, 10);
    case ES_KEY_DOUBLE:
        return e->num != strtod(def, NULL);
    case ES_KEY_BOOL:
        return (e->num != 0.0) != !strcmp(def, "true");
    case ES_KEY_LIST:
        return !list_is(e, def);
    default:
        return strcmp(e->text, def) != 0;
    }
}

int es_config_line(const es_config *cfg, const char *section, const char *key)
{
    const es_cfg_entry *e = find_entry(cfg, section, key);
    return e && !e->overridden ? e->line : 0;
}

int es_config_set(es_config *cfg, const char *section, const char *key, const char *value,
                  const char *origin)
{
    char msg[ES_MSG_LEN];
    es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e)
        return es_error_set(ES_ECONFIG, "%s: unknown key '%s.%s'", origin, section, key);
    if (ini_unsafe(e, value, msg, sizeof msg) || !entry_assign(e, value, msg, sizeof msg))
        return es_error_set(ES_ECONFIG, "%s: key '%s.%s': %s", origin, section, key, msg);
    e->set = 1;
    e->overridden = 1;
    /* whole, as the value is (a fixed buffer cut the provenance's copy) */
    es_strbuf ov = {0};
    es_strbuf_printf(&ov, "%s.%s=%s", section, key, value);
    char *text = es_strbuf_take(&ov);
    if (!text)
        return es_error_set(ES_ENOMEM, "%s: out of memory", origin);
    int st = record_override(cfg, text);
    free(text);
    return st;
}

int es_config_set_derived(es_config *cfg, const char *section, const char *key, const char *value,
                          const char *note)
{
    char msg[ES_MSG_LEN];
    es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e)
        return es_error_set(ES_ECONFIG, "unknown key '%s.%s'", section, key);
    if (!entry_assign(e, value, msg, sizeof msg))
        return es_error_set(ES_ECONFIG, "%s: key '%s.%s': %s (derived: %s)", cfg->path, section,
                            key, msg, note);
    e->note = note; /* not `set`: the user did not give it */
    return ES_OK;
}

const char *es_config_path(const es_config *cfg) { return cfg->path; }

const char *es_config_origin(const es_config *cfg) { return cfg->origin ? cfg->origin : cfg->path; }

int es_config_set_origin(es_config *cfg, const char *origin)
{
    char *copy = es_strdup(origin);
    if (!copy)
        return es_error_set(ES_ENOMEM, "out of memory");
    free(cfg->origin);
    cfg->origin = copy;
    return ES_OK;
}

int es_config_key_error(const es_config *cfg, const char *section, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = es_config_key_verror(cfg, section, key, fmt, ap);
    va_end(ap);
    return st;
}

/* The last --set of section.key, NULL if none. */
static const char *last_override(const es_config *cfg, const char *section, const char *key)
{
    const es_cfg_entry *e = find_entry(cfg, section, key);
    if (!e || !e->overridden)
        return NULL;
    size_t ls = strlen(section), lk = strlen(key);
    for (size_t i = cfg->noverrides; i-- > 0;) {
        const char *o = cfg->overrides[i];
        if (!strncmp(o, section, ls) && o[ls] == '.' && !strncmp(o + ls + 1, key, lk) && o[ls + 1 + lk] == '=')
            return o;
    }
    return NULL;
}

int es_config_key_verror(const es_config *cfg, const char *section, const char *key, const char *fmt,
                         va_list ap)
{
    char msg[ES_MSG_LEN];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *ov = last_override(cfg, section, key);
    if (ov) /* the value in effect came from the command line, not the file */
        return es_error_set(ES_ECONFIG, "--set %s: key '%s.%s': %s", ov, section, key, msg);
    int line = es_config_line(cfg, section, key);
    if (line > 0)
        return es_error_set(ES_ECONFIG, "%s:%d: key '%s.%s': %s", cfg->path, line, section, key, msg);
    return es_error_set(ES_ECONFIG, "%s: key '%s.%s': %s", cfg->path, section, key, msg);
}

/* 1 + the index in cfg->overrides of the last --set of section.key; 0: none. */
static size_t override_rank(const es_config *cfg, const char *section, const char *key)
{
    const char *o = last_override(cfg, section, key);
    for (size_t i = cfg->noverrides; o && i-- > 0;)
        if (cfg->overrides[i] == o)
            return i + 1;
    return 0;
}

es_config_keyref es_config_blame(const es_config *cfg, const es_config_keyref *k, size_t n)
{
    /* a --set comes after every line of the file: it made the conflict; of
     * several, the one given last on the command line */
    size_t top = 0, rank_top = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = override_rank(cfg, k[i].section, k[i].key);
        if (r > rank_top)
            top = i, rank_top = r;
    }
    if (rank_top)
        return k[top];
    size_t best = 0;
    int best_line = 0;
    bool best_set = false;
    for (size_t i = 0; i < n; i++) {
        int line = es_config_line(cfg, k[i].section, k[i].key);
        bool set = es_config_was_set(cfg, k[i].section, k[i].key);
        if (line > best_line || (best_line == 0 && line == 0 && set && !best_set)) {
            best = i;
            best_line = line;
            best_set = set;
        }
    }
    return k[best];
}

int es_config_blame_error(const es_config *cfg, const es_config_keyref *k, size_t n, const char *fmt, ...)
{
    es_config_keyref b = es_config_blame(cfg, k, n);
    va_list ap;
    va_start(ap, fmt);
    int st = es_config_key_verror(cfg, b.section, b.key, fmt, ap);
    va_end(ap);
    return st;
}

/* ---------- serialisation ---------- */

char *es_config_to_ini(const es_config *cfg)
{
    es_strbuf b = {0};
    es_strbuf_printf(&b, "; resolved configuration (every key, defaults included)\n");
    const char *section = NULL;
    for (size_t i = 0; i < cfg->n; i++) {
        const es_cfg_entry *e = &cfg->entries[i];
        if (!section || strcmp(section, e->spec->section) != 0) {
            section = e->spec->section;
            es_strbuf_printf(&b, "%s[%s]\n", b.len > 60 ? "\n" : "", section);
        }
        es_strbuf_printf(&b, "%s = %s%s%s\n", e->spec->key, e->text ? e->text : "",
                  e->overridden ? "    ; set on the command line" : e->note ? "    ; " : "",
                  !e->overridden && e->note ? e->note : "");
    }
    return es_strbuf_take(&b);
}

char *es_config_overrides_text(const es_config *cfg)
{
    es_strbuf b = {0};
    for (size_t i = 0; i < cfg->noverrides; i++)
        es_strbuf_printf(&b, "%s\n", cfg->overrides[i]);
    return es_strbuf_take(&b);
}

static const char *type_label(es_key_type t)
{
    static const char *names[] = {"integer", "number", "boolean", "string", "choice", "list"};
    return names[t];
}

char *es_config_schema_markdown(const es_key_spec *const *schemas)
{
    es_strbuf b = {0};
    const char *section = NULL;
    for (size_t k = 0; schemas[k]; k++)
        for (const es_key_spec *s = schemas[k]; s->key; s++) {
            if (!section || strcmp(section, s->section) != 0) {
                section = s->section;
                es_strbuf_printf(&b, "\n### [%s]\n\n| key | type | default | allowed | unit | meaning |\n"
                              "|---|---|---|---|---|---|\n", section);
            }
            char range[256];
            es_config_key_range(s, range, sizeof range);
            const char *allowed = range;
            if (!strncmp(range, "allowed: ", 9))
                allowed = range + 9;
            else if (!strncmp(range, "allowed range ", 14))
                allowed = range + 14;
            char choices[512];
            snprintf(choices, sizeof choices, "%s", allowed);
            for (char *p = choices; *p; p++)
                if (*p == '|')
                    *p = '/';
            es_strbuf_printf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", s->key, type_label(s->type),
                      s->default_value ? (*s->default_value ? s->default_value : "(empty)") : "required",
                      *choices ? choices : "-", s->unit && *s->unit ? s->unit : "-", s->doc);
        }
    return es_strbuf_take(&b);
}
