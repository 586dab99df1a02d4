/* core/config.h — strict INI configuration with a typed key schema.
 *
 * Every model registers an array of es_key_spec describing its keys (type,
 * default, range, unit, documentation). The parser (inih) reads a file,
 * rejects unknown sections/keys ("did you mean ...?"), malformed lines,
 * wrong types and out-of-range values with a message naming file, line and
 * key, then applies --set overrides (recorded). After es_config_load()
 * succeeds every key of every registered section has a valid value
 * (given, overridden or default), so the typed getters cannot fail. */
#ifndef ESUITE_CONFIG_H
#define ESUITE_CONFIG_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>

typedef enum {
    ES_KEY_INT,      /* 64-bit integer; min/max apply */
    ES_KEY_DOUBLE,   /* finite double; min/max apply */
    ES_KEY_BOOL,     /* true/false/yes/no/on/off/1/0 */
    ES_KEY_STRING,   /* free text (paths, names) */
    ES_KEY_ENUM,     /* one of `choices` ("a|b|c") */
    ES_KEY_LIST      /* comma-separated doubles, each within min/max; `choices` "word=number"
                        lets an element be that word (dy = full) */
} es_key_type;

typedef struct {
    const char *section;
    const char *key;
    es_key_type type;
    const char *default_value; /* text form; NULL means the key is required */
    double min, max;           /* inclusive bounds for INT/DOUBLE/LIST; INT compares and
                                  prints them as integers (ceil(min), floor(max)), a max of
                                  ES_KEY_INT_MAX being INT64_MAX exactly */
    const char *choices;       /* ENUM: "a|b|c"; LIST: NULL or "word=number" */
    const char *unit;          /* e.g. "s", "1", "sigma"; "" if dimensionless/none; "path": a
                                  file relative to the working directory (sweeps make it absolute) */
    const char *doc;           /* one-line meaning, used for docs/config.md */
} es_key_spec;

/* The max of an INT key that takes any 64-bit value (seeds): 2^63 as a double,
 * which INT64_MAX = 2^63 - 1 rounds to; such a key's limit is INT64_MAX. */
#define ES_KEY_INT_MAX 0x1p63

/* Terminates a schema array. */
#define ES_KEY_END {NULL, NULL, ES_KEY_INT, NULL, 0, 0, NULL, NULL, NULL}

typedef struct es_config es_config;

/* Schemas: `[run]` and `[output]` are built in; models add theirs. */
const es_key_spec *es_config_core_schema(void);

/* A key's allowed values as the config errors word them ("allowed range 0 ..
 * 9223372036854775807", "allowed: a|b"); "" for a string key. */
void es_config_key_range(const es_key_spec *s, char *buf, size_t len);

/* Load `path` against the schemas (NULL-terminated list of schema arrays).
 * `overrides` are "section.key=value" strings (from --set), applied after
 * the file. On error returns ES_ECONFIG/ES_EIO with es_error_message() set to
 * "FILE:LINE: key 'section.key': ..." and *out = NULL. */
int es_config_load(const char *path, const es_key_spec *const *schemas,
                   const char *const *overrides, int n_overrides, es_config **out);

/* A --set text as es_config_load applies it: blanks around the whole and
 * around the first '=' dropped ("run.model = gas" is "run.model=gas").
 * Malloc'ed; NULL when out of memory. */
char *es_config_normalise_override(const char *ov);
/* Parse from an in-memory string (tests, embedded defaults). `name` is used in messages. */
int es_config_load_string(const char *text, const char *name, const es_key_spec *const *schemas,
                          const char *const *overrides, int n_overrides, es_config **out);
/* Parse text translated from the file `name` (the school simulator's flat
 * reference configs): line i of `text` (1-based) came from line
 * line_map[i - 1] of that file, 0 for a line the translation generated, and
 * messages and es_config_line() give those lines, not the text's own.
 * line_map (n_lines entries) is only read during the call. */
int es_config_load_mapped(const char *text, const char *name, const int *line_map, size_t n_lines,
                          const es_key_spec *const *schemas, const char *const *overrides,
                          int n_overrides, es_config **out);
/* Only read `[run] model` (first pass, to pick the model's schema). */
int es_config_peek_model(const char *path, char *model, size_t len);
/* Line `lineno` (1-based) of a text file without a leading UTF-8 byte-order
 * mark, which editors on Windows write and every esuite reader accepts. */
char *es_config_skip_bom(char *line, int lineno);
void es_config_free(es_config *cfg);

/* Typed getters. The key must be in a registered schema (programming error
 * otherwise: abort with a message). */
long long es_config_int(const es_config *cfg, const char *section, const char *key);
double es_config_double(const es_config *cfg, const char *section, const char *key);
bool es_config_bool(const es_config *cfg, const char *section, const char *key);
const char *es_config_string(const es_config *cfg, const char *section, const char *key);
int es_config_enum(const es_config *cfg, const char *section, const char *key); /* index into choices */
/* LIST: returns count, *values points into cfg-owned storage. */
size_t es_config_list(const es_config *cfg, const char *section, const char *key,
                      const double **values);
bool es_config_was_set(const es_config *cfg, const char *section, const char *key);
/* Set to a value other than the key's default (numbers, booleans and lists
 * compare by value). Resolved configs list every key, defaults included, so a
 * "key the run would not read" check must ask this, not es_config_was_set. */
bool es_config_given(const es_config *cfg, const char *section, const char *key);
/* Line of the file that set the key (0: default or --set override): for semantic
 * errors found after loading, e.g. "FILE:LINE: key 'ramp.values': ...". */
int es_config_line(const es_config *cfg, const char *section, const char *key);
/* Report a semantic error about a loaded key as "FILE:LINE: key 'section.key':
 * MESSAGE" ("FILE: key ..." for a default or a --set override); returns
 * ES_ECONFIG. */
int es_config_key_error(const es_config *cfg, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with a va_list (for callers that pick the key first). */
int es_config_key_verror(const es_config *cfg, const char *section, const char *key, const char *fmt,
                         va_list ap) __attribute__((format(printf, 4, 0)));

/* A key named by section and key, for errors that involve several. */
typedef struct {
    const char *section, *key;
} es_config_keyref;
/* Of n keys that together make a semantic error, the one to name: one set
 * by --set (given after the whole file; of several, the one given last on
 * the command line); else the one given on the latest line of the file
 * (where the conflict became visible); else k[0]. */
es_config_keyref es_config_blame(const es_config *cfg, const es_config_keyref *k, size_t n);
/* es_config_key_error on the key es_config_blame picks; returns ES_ECONFIG. */
int es_config_blame_error(const es_config *cfg, const es_config_keyref *k, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set a value programmatically (e.g. --threads, --output); validated like a file value. */
int es_config_set(es_config *cfg, const char *section, const char *key, const char *value,
                  const char *origin);

/* Record a value the model derived from its inputs for a key the user did
 * not give (n_orbits = the rows of an initial-conditions file), so that the
 * resolved config (provenance, checkpoint) says what the run used. Validated
 * like a file value; not an override; es_config_to_ini() appends "; NOTE"
 * (note: a static string). */
int es_config_set_derived(es_config *cfg, const char *section, const char *key, const char *value,
                          const char *note);

/* The fully resolved config as INI text (every key, defaults included) and the
 * list of overrides as "section.key=value" lines. Caller frees; NULL when out
 * of memory. */
char *es_config_to_ini(const es_config *cfg);
char *es_config_overrides_text(const es_config *cfg);
const char *es_config_path(const es_config *cfg);
/* The config file a run came from, for the provenance: its path, or for a
 * resumed run (loaded from DIR/resume.ini) the original one. */
const char *es_config_origin(const es_config *cfg);
int es_config_set_origin(es_config *cfg, const char *origin);

/* Markdown table documenting a schema (docs/config.md is generated from it);
 * NULL when out of memory. */
char *es_config_schema_markdown(const es_key_spec *const *schemas);

#endif
