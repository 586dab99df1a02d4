/* The reference library's flat config files ("key = value" lines, '#'
 * comments, no sections; e.g. its configs/case1_swarm.txt) translated to an
 * equivalent esuite INI text, so `esuite run case1_swarm.txt` works on the
 * file unchanged (spec §4: keys and defaults of dewi-kadita v0.0.4).
 *
 * The run uses mode = dewi-kadita and init_rng = numpy: the initial state is
 * the reference's own for the same seed. Keys that only steer the
 * reference's plots, animations and file formats are listed in one warning
 * as ignored; an unknown key, a duplicate key or a line that is not
 * `key = value`, a comment or blank is an error naming file and line. The
 * translation keeps each line's flat-file line number, so errors found on
 * the INI text (es_config_load_mapped) name the line the user wrote. */
#include "school/school_flat.h"

#include "core/config.h"
#include "core/model.h"
#include "core/strbuf.h"

#include "esuite/status.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { FK_NUM, FK_INT, FK_BOOL, FK_TEXT } flat_kind;

typedef struct {
    const char *flat;     /* reference key */
    flat_kind kind;
    const char *section;  /* esuite section, NULL: handled specially */
    const char *key;      /* esuite key */
} flat_map;

static const flat_map MAP[] = {
    {"n_fish", FK_INT, "school", "n_fish"},
    {"box_size", FK_NUM, "school", "box_size"},
    {"speed", FK_NUM, "school", "speed"},
    {"r_repulsion", FK_NUM, "school", "r_repulsion"},
    {"r_orientation", FK_NUM, "school", "r_orientation"},
    {"r_attraction", FK_NUM, "school", "r_attraction"},
    {"max_turn", FK_NUM, "school", "max_turn"},
    {"noise", FK_NUM, "school", "noise"},
    {"blind_angle", FK_NUM, "school", "blind_angle"},
    {"dt", FK_NUM, "school", "dt"},
    {"n_steps", FK_INT, "school", "n_steps"},
    {"orientation_weight", FK_NUM, NULL, "orientation_weight"},
    {"torus_init", FK_BOOL, NULL, "torus_init"},
    {"torus_radius", FK_NUM, "school", "init_size"},
    {"seed", FK_INT, "run", "seed"},
    {"scenario_name", FK_TEXT, NULL, "scenario_name"},
    {"output_dir", FK_TEXT, "run", "output_dir"},
    {"compute_entropy", FK_BOOL, NULL, "compute_entropy"},
};

/* Reference keys that only affect its plots, animations, file formats or
 * its own acceleration: accepted and reported as ignored. */
static const char *const IGNORED[] = {
    "use_numba", "save_csv", "save_netcdf", "save_png", "save_gif", "animation_fps",
    "animation_dpi", "animation_skip", "animation_duration", NULL};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* The reference's scenario-name → file-name rule ("Case 1 - Swarm" → "case1_swarm"). */
void es_school_flat_run_name(const char *scenario, char *out, size_t len)
{
    size_t k = 0;
    int last_us = 1;
    for (const char *p = scenario; *p && k + 1 < len; p++) {
        if (isalnum((unsigned char)*p)) {
            out[k++] = (char)tolower((unsigned char)*p);
            last_us = 0;
        } else if (!last_us) {
            out[k++] = '_';
            last_us = 1;
        }
    }
    while (k > 0 && out[k - 1] == '_')
        k--;
    out[k] = '\0';
    /* "case_1_..." → "case1_..." */
    if (!strncmp(out, "case_", 5) && isdigit((unsigned char)out[5])) {
        memmove(out + 4, out + 5, strlen(out + 5) + 1);
    }
    if (!out[0])
        snprintf(out, len, "run");
}

static int parse_bool(const char *v, int *b)
{
    if (!strcasecmp(v, "true")) {
        *b = 1;
        return 1;
    }
    if (!strcasecmp(v, "false")) {
        *b = 0;
        return 1;
    }
    return 0;
}

/* A finite number, and for FK_INT an integral one: the rule of INI configs
 * (es_config), so "150.0" and "1e3" are integers in both kinds of file and
 * "150.5" is an error in both; these files are often written by scripts
 * that print every number as a float. */
static int parse_num(const char *v, flat_kind kind)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || !isfinite(d) || (errno == ERANGE && fabs(d) > 1.0))
        return 0;
    return kind != FK_INT || (d == floor(d) && d >= -0x1p63 && d <= 0x1p63);
}

extern const es_model es_model_school;

/* The schema entry of an esuite key, for range checks with the flat file's
 * own line numbers (the INI text's lines would not match them). */
static const es_key_spec *find_spec(const char *section, const char *key)
{
    const es_key_spec *lists[2] = {es_model_school.schema, es_config_core_schema()};
    for (int l = 0; l < 2; l++)
        for (const es_key_spec *k = lists[l]; k && k->key; k++)
            if (!strcmp(k->section, section) && !strcmp(k->key, key))
                return k;
    return NULL;
}

static const flat_map *find_map(const char *key)
{
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (!strcmp(MAP[i].flat, key))
            return &MAP[i];
    return NULL;
}

static int is_ignored(const char *key)
{
    for (int i = 0; IGNORED[i]; i++)
        if (!strcmp(IGNORED[i], key))
            return 1;
    return 0;
}

int es_school_flat_is_reference(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[4096];
    int has_section = 0, has_kv = 0, lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        char *p = trim(es_config_skip_bom(line, ++lineno));
        if (*p == '[')
            has_section = 1;
        else if (*p && *p != '#' && *p != ';' && strchr(p, '='))
            has_kv = 1;
    }
    fclose(fp);
    return has_kv && !has_section;
}

/* One section of the translated INI text and, for each of its lines, the
 * flat file's line it came from (errors found later must name that line). */
typedef struct {
    es_strbuf text;
    int *src;
    size_t n, cap;
} flat_part;

static int part_add(flat_part *pt, int src, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append "key = VALUE\n" (VALUE from fmt), remembering its source line. */
static int part_add(flat_part *pt, int src, const char *key, const char *fmt, ...)
{
    if (pt->n == pt->cap) {
        size_t cap = pt->cap ? 2 * pt->cap : 16;
        int *grown = realloc(pt->src, cap * sizeof *grown);
        if (!grown)
            return ES_ENOMEM;
        pt->src = grown;
        pt->cap = cap;
    }
    char val[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    pt->src[pt->n++] = src;
    return es_strbuf_printf(&pt->text, "%s = %s\n", key, val);
}

static void part_free(flat_part *pt)
{
    es_strbuf_free(&pt->text);
    free(pt->src);
}

enum { N_MAP = sizeof MAP / sizeof MAP[0], N_IGNORED = sizeof IGNORED / sizeof IGNORED[0] - 1 };

typedef struct {
    flat_part run, school;
    char ignored[1024];
    int torus, entropy, have_entropy;
    double weight;
    int have_weight;
    int torus_line, entropy_line, weight_line, radius_line;
    char radius[64]; /* torus_radius, used only with torus_init = true */
    int map_line[N_MAP], ignored_line[N_IGNORED]; /* where each key was given, 0: not yet */
} flat_state;

/* The line slot of a known key (MAP or IGNORED), NULL for an unknown one. */
static int *key_line(flat_state *st, const char *key)
{
    for (size_t i = 0; i < N_MAP; i++)
        if (!strcmp(MAP[i].flat, key))
            return &st->map_line[i];
    for (size_t i = 0; i < N_IGNORED; i++)
        if (!strcmp(IGNORED[i], key))
            return &st->ignored_line[i];
    return NULL;
}

static int handle_line(flat_state *st, const char *path, int lineno, char *line)
{
    char *p = trim(line);
    if (!*p || *p == '#')
        return ES_OK;
    char *eq = strchr(p, '=');
    /* The reference skips lines without '=': a typo there ("n_fish 150")
     * would silently run the default, so such a line is an error. */
    if (!eq || eq == p)
        return es_error_set(ES_ECONFIG, "%s:%d: malformed line '%.60s' (expected 'key = value', "
                                        "a '#' comment or a blank line)",
                            path, lineno, p);
    *eq = '\0';
    char *key = trim(p), *val = trim(eq + 1);
    char *hash = strchr(val, '#'); /* inline comment, as the reference strips it */
    if (hash) {
        *hash = '\0';
        val = trim(val);
    }
    int *seen = key_line(st, key);
    if (seen && *seen)
        /* the reference keeps the last value; a second line is more likely a
         * forgotten edit than a wish */
        return es_error_set(ES_ECONFIG, "%s:%d: key '%s' is given twice (first at line %d)", path,
                            lineno, key, *seen);
    if (seen)
        *seen = lineno;
    if (is_ignored(key)) {
        size_t n = strlen(st->ignored);
        snprintf(st->ignored + n, sizeof st->ignored - n, "%s%s", n ? ", " : "", key);
        return ES_OK;
    }
    const flat_map *m = find_map(key);
    if (!m)
        return es_error_set(ES_ECONFIG,
                            "%s:%d: key '%s' is not a dewi-kadita config key (flat reference "
                            "config; see docs/school.md for the accepted keys)",
                            path, lineno, key);
    int b = 0;
    if (m->kind == FK_BOOL && !parse_bool(val, &b))
        return es_error_set(ES_ECONFIG, "%s:%d: key '%s': expected true or false, got '%s'", path,
                            lineno, key, val);
    if (m->kind == FK_NUM || m->kind == FK_INT) {
        /* the wording and range format of INI configs' messages */
        const es_key_spec *k = m->section ? find_spec(m->section, m->key) : NULL;
        char range[96] = "";
        if (k) { /* exact integers, as es_config prints them: not 9.223372037e+18 */
            char text[88];
            es_config_key_range(k, text, sizeof text);
            snprintf(range, sizeof range, " (%s)", text);
        }
        if (!parse_num(val, m->kind))
            return es_error_set(ES_ECONFIG, "%s:%d: key '%s': expected %s, got '%s'%s", path,
                                lineno, key, m->kind == FK_INT ? "an integer" : "a number", val,
                                range);
        double v = strtod(val, NULL);
        if (k && (v < k->min || v > k->max))
            return es_error_set(ES_ECONFIG, "%s:%d: key '%s': value %s is out of range%s", path,
                                lineno, key, val, range);
    }
    if (!strcmp(key, "torus_init")) {
        st->torus = b;
        st->torus_line = lineno;
    } else if (!strcmp(key, "torus_radius")) {
        snprintf(st->radius, sizeof st->radius, "%s", val);
        st->radius_line = lineno;
    } else if (!strcmp(key, "compute_entropy")) {
        st->entropy = b;
        st->have_entropy = 1;
        st->entropy_line = lineno;
    } else if (!strcmp(key, "orientation_weight")) {
        st->weight = strtod(val, NULL);
        st->have_weight = 1;
        st->weight_line = lineno;
    } else if (!strcmp(key, "scenario_name")) {
        char name[256];
        es_school_flat_run_name(val, name, sizeof name);
        return part_add(&st->run, lineno, "name", "%s", name);
    } else {
        flat_part *dst = !strcmp(m->section, "run") ? &st->run : &st->school;
        return part_add(dst, lineno, m->key, "%s", val);
    }
    return ES_OK;
}

/* The translated text: a generated comment and [run] head (3 lines), the
 * [run] part, the [school] head (3 lines), the [school] part; *map gets the
 * flat file's line of each line (0: generated). */
static int assemble(const char *path, const flat_state *st, char **text, int **map, size_t *n)
{
    size_t total = 3 + st->run.n + 3 + st->school.n;
    int *m = calloc(total, sizeof *m); /* the head lines stay 0 */
    if (!m)
        return ES_ENOMEM;
    if (st->run.n)
        memcpy(m + 3, st->run.src, st->run.n * sizeof *m);
    if (st->school.n)
        memcpy(m + 3 + st->run.n + 3, st->school.src, st->school.n * sizeof *m);
    es_strbuf out = {0};
    es_strbuf_printf(&out,
                     "; translated by esuite from the flat dewi-kadita config %s\n[run]\n"
                     "model = school\n%s[school]\nmode = dewi-kadita\ninit_rng = numpy\n%s",
                     path, st->run.text.s ? st->run.text.s : "",
                     st->school.text.s ? st->school.text.s : "");
    *text = es_strbuf_take(&out);
    if (!*text) {
        free(m);
        return ES_ENOMEM;
    }
    *map = m;
    *n = total;
    return ES_OK;
}

int es_school_import_flat(const char *path, char **ini_text, int **line_map, size_t *n_lines)
{
    *ini_text = NULL;
    *line_map = NULL;
    *n_lines = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return es_error_set(ES_EIO, "%s: cannot open: %s", path, strerror(errno));
    flat_state st;
    memset(&st, 0, sizeof st);
    st.entropy = 1;
    char line[4096];
    int lineno = 0, rc = ES_OK;
    while (rc == ES_OK && fgets(line, sizeof line, fp)) {
        lineno++;
        /* the rest of a longer line would be read as the next line */
        if (!strchr(line, '\n') && !feof(fp))
            rc = es_error_set(ES_ECONFIG, "%s:%d: line longer than %d characters", path, lineno,
                              (int)sizeof line - 2);
        else
            rc = handle_line(&st, path, lineno, es_config_skip_bom(line, lineno));
    }
    fclose(fp);
    if (rc == ES_OK && st.have_weight) {
        /* the reference clips w to [0, 1] */
        double w = st.weight < 0 ? 0 : (st.weight > 1 ? 1 : st.weight);
        if (w != st.weight)
            es_warning_add("%s: orientation_weight = %g clipped to %g, as the reference does",
                           path, st.weight, w);
        rc = part_add(&st.school, st.weight_line, "orientation_weight", "%.17g", w);
    }
    if (rc == ES_OK && st.torus)
        rc = part_add(&st.school, st.torus_line, "init", "torus");
    /* the reference reads torus_radius only for its torus start; init_size
     * with init = box would be an error */
    /* R = 0 is the reference's ring collapsed to one point, every fish at
     * the box centre; as init_size, 0 would instead mean L/4 */
    if (rc == ES_OK && st.radius_line && st.torus && strtod(st.radius, NULL) == 0.0)
        rc = es_error_set(ES_ECONFIG, "%s:%d: key 'torus_radius': %s puts every fish at the centre "
                                      "of the ring (the reference's torus start with R = 0); give "
                                      "R > 0, or leave the key out for L/4",
                          path, st.radius_line, st.radius);
    else if (rc == ES_OK && st.radius_line && st.torus)
        rc = part_add(&st.school, st.radius_line, "init_size", "%s", st.radius);
    else if (rc == ES_OK && st.radius_line)
        es_warning_add("%s:%d: torus_radius ignored without torus_init = true, as the reference "
                       "does", path, st.radius_line);
    if (rc == ES_OK && !st.entropy)
        rc = part_add(&st.school, st.entropy_line, "entropy", "false");
    if (rc == ES_OK)
        rc = assemble(path, &st, ini_text, line_map, n_lines);
    part_free(&st.run);
    part_free(&st.school);
    if (rc != ES_OK)
        return rc == ES_ENOMEM ? es_error_set(ES_ENOMEM, "%s: out of memory", path) : rc;
    if (st.ignored[0])
        es_warning_add("%s: visualisation/format-only keys ignored: %s", path, st.ignored);
    return ES_OK;
}
