/* esuite info FILE — the provenance an output carries: the global attributes
 * of gas.h5, orbits.h5, school.nc, ordinal and collect outputs (HDF5 files
 * are read through NetCDF-C, which opens them too), or the "provenance"
 * object of a summary.json / --json file. The config text comes last, as
 * it was run, so that `esuite info out/gas.h5` answers "what made this?". */
#include <errno.h>
#include <jansson.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/commands.h"
#include "core/info_file.h"
#include "core/strbuf.h"

/* The provenance attributes every output carries (docs/output-format.md), printed
 * first; a model's own attributes (school.nc has its parameters) come after. */
static const char *const provenance_names[] = {
    "Conventions", "title", "source", "esuite_version", "git_revision", "model", "run_name", "seed",
    "threads", "host", "start_time", "end_time", "config_path", "overrides", "command_line", "history",
    NULL};

static int is_provenance(const char *name)
{
    for (size_t k = 0; provenance_names[k]; k++)
        if (!strcmp(name, provenance_names[k]))
            return 1;
    return 0;
}

/* name, then the text with its lines aligned under the first (overrides hold
 * one per line) and without trailing newlines. */
static void print_text(const char *name, const char *text)
{
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '\n')
        n--;
    printf("%-18s ", name);
    for (size_t k = 0; k < n; k++)
        if (text[k] == '\n')
            printf("\n%-18s ", "");
        else
            putchar(text[k]);
    putchar('\n');
}

/* An element of a string list, quoted ("...", with \" \\ \n) where it would
 * otherwise not read back: empty, with a comma, quote or newline, or with
 * blanks at either end. */
static void append_element(es_strbuf *b, const char *e)
{
    size_t n = strlen(e);
    int quote = n == 0 || strpbrk(e, ",\"\n\\") || e[0] == ' ' || e[0] == '\t' ||
                e[n - 1] == ' ' || e[n - 1] == '\t';
    if (!quote) {
        es_strbuf_printf(b, "%s", e);
        return;
    }
    es_strbuf_printf(b, "\"");
    for (const char *c = e; *c; c++)
        if (*c == '"' || *c == '\\')
            es_strbuf_printf(b, "\\%c", *c);
        else if (*c == '\n')
            es_strbuf_printf(b, "\\n");
        else
            es_strbuf_printf(b, "%c", *c);
    es_strbuf_printf(b, "\"");
}

/* An NC_STRING attribute (HDF5 variable- or fixed-length strings, NetCDF-4
 * string): one value as it is, several as a comma-separated list. NULL if it
 * cannot be read. */
static char *string_att_text(int ncid, const char *name, size_t len)
{
    char **s = calloc(len, sizeof *s);
    if (!s || nc_get_att_string(ncid, NC_GLOBAL, name, s) != NC_NOERR) {
        free(s);
        return NULL;
    }
    char *text;
    if (len == 1) {
        text = strdup(s[0] ? s[0] : "");
    } else {
        es_strbuf b = {0};
        for (size_t k = 0; k < len; k++) {
            if (k)
                es_strbuf_printf(&b, ", ");
            append_element(&b, s[k] ? s[k] : "");
        }
        text = es_strbuf_take(&b);
    }
    nc_free_string(len, s);
    free(s);
    return text;
}

/* One attribute, if it belongs to this pass (0 provenance, 1 the model's own,
 * 2 the config): text as it is (several strings as a comma-separated list),
 * numbers with full precision (all of an array's values). */
static void print_attr(int ncid, int i, int pass)
{
    char name[NC_MAX_NAME + 1];
    nc_type type;
    size_t len;
    if (nc_inq_attname(ncid, NC_GLOBAL, i, name) != NC_NOERR ||
        nc_inq_att(ncid, NC_GLOBAL, name, &type, &len) != NC_NOERR)
        return;
    int mine = !strcmp(name, "config") ? 2 : is_provenance(name) ? 0 : 1;
    if (mine != pass || name[0] == '_')
        return;
    const int config_pass = pass == 2;
    if (type == NC_CHAR || type == NC_STRING) {
        char *text = NULL;
        if (type == NC_CHAR && (text = calloc(len + 1, 1)))
            nc_get_att_text(ncid, NC_GLOBAL, name, text);
        if (type == NC_STRING && len > 0)
            text = string_att_text(ncid, name, len);
        if (config_pass)
            printf("\nconfig:\n%s%s", text ? text : "", text && *text && text[strlen(text) - 1] != '\n' ? "\n" : "");
        else
            print_text(name, text ? text : "");
        free(text);
        return;
    }
    if (type == NC_UINT64 || type == NC_INT64) { /* a seed beyond 2^53 must print exactly */
        unsigned long long *u = calloc(len ? len : 1, sizeof *u);
        int ok = u && (type == NC_UINT64 ? nc_get_att_ulonglong(ncid, NC_GLOBAL, name, u)
                                         : nc_get_att_longlong(ncid, NC_GLOBAL, name, (long long *)u)) == NC_NOERR;
        if (ok) {
            printf("%-18s", name);
            for (size_t k = 0; k < len; k++)
                if (type == NC_UINT64)
                    printf(" %llu", u[k]);
                else
                    printf(" %lld", ((long long *)u)[k]);
            printf("\n");
        }
        free(u);
        return;
    }
    double *v = calloc(len ? len : 1, sizeof *v);
    if (!v || nc_get_att_double(ncid, NC_GLOBAL, name, v) != NC_NOERR) {
        free(v);
        return;
    }
    printf("%-18s", name);
    for (size_t k = 0; k < len; k++)
        printf(" %.17g", v[k]);
    printf("\n");
    free(v);
}

const char *es_info_binary_kind(const char *path)
{
    static const unsigned char hdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (got == sizeof head && !memcmp(head, hdf5, sizeof head))
        return "HDF5";
    if (got >= 4 && !memcmp(head, "CDF", 3) && (head[3] == 1 || head[3] == 2 || head[3] == 5))
        return "NetCDF";
    return NULL;
}

static int print_netcdf(const char *path)
{
    int ncid, natts = 0;
    int st = nc_open(path, NC_NOWRITE, &ncid);
    const char *kind = st != NC_NOERR ? es_info_binary_kind(path) : NULL;
    if (kind) { /* a cut-short gas.h5 read "cannot read it as HDF5, NetCDF or JSON: NetCDF: HDF error" */
        es_cli_error("info: %s: %s %s file that cannot be opened (corrupt or truncated file?): %s",
                     path, kind[0] == 'H' ? "an" : "a", kind, nc_strerror(st));
        return 2;
    }
    if (st != NC_NOERR) {
        es_cli_error("info: %s: cannot read it as HDF5, NetCDF or JSON: %s", path, nc_strerror(st));
        return 2;
    }
    nc_inq_natts(ncid, &natts);
    printf("file               %s\n", path);
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < natts; i++)
            print_attr(ncid, i, pass);
    nc_close(ncid);
    return 0;
}

/* An array of strings (overrides) one per line, aligned, as the HDF5/NetCDF
 * attribute prints; an array of numbers space-separated like an attribute's
 * values. 0 if the array is neither. */
static int print_json_array(const char *key, json_t *v)
{
    size_t n = json_array_size(v), k, strings = 0, numbers = 0;
    json_t *e;
    json_array_foreach(v, k, e) {
        strings += json_is_string(e);
        numbers += json_is_number(e);
    }
    if (n > 0 && strings == n) {
        es_strbuf b = {0};
        json_array_foreach(v, k, e)
            es_strbuf_printf(&b, "%s%s", k ? "\n" : "", json_string_value(e));
        char *text = es_strbuf_take(&b);
        print_text(key, text ? text : "");
        free(text);
        return 1;
    }
    if (n > 0 && numbers < n)
        return 0;
    printf("%-18s", key); /* numbers, or an empty array: as an empty attribute */
    json_array_foreach(v, k, e)
        if (json_is_integer(e))
            printf(" %lld", (long long)json_integer_value(e));
        else
            printf(" %.17g", json_real_value(e));
    printf(n ? "\n" : " \n");
    return 1;
}

static void print_json_value(const char *key, json_t *v)
{
    if (json_is_array(v) && print_json_array(key, v))
        return;
    if (json_is_string(v))
        printf("%-18s %s\n", key, json_string_value(v));
    else if (json_is_integer(v))
        printf("%-18s %lld\n", key, (long long)json_integer_value(v));
    else if (json_is_real(v))
        printf("%-18s %.17g\n", key, json_real_value(v));
    else if (!json_is_null(v)) {
        char *s = json_dumps(v, JSON_COMPACT);
        printf("%-18s %s\n", key, s ? s : "");
        free(s);
    }
}

static int print_json(const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        es_cli_error("info: %s:%d: not valid JSON: %s", path, err.line, err.text);
        return 2;
    }
    if (!json_is_object(root)) { /* only '[' reaches here: the first byte picks JSON */
        es_cli_error("info: %s: is JSON but not an esuite summary (top level is %s)", path,
                     json_is_array(root) ? "an array" : "not an object");
        json_decref(root);
        return 2;
    }
    json_t *prov = json_object_get(root, "provenance");
    if (!json_is_object(prov)) {
        es_cli_error("info: %s: no \"provenance\" object (not an esuite summary.json)", path);
        json_decref(root);
        return 2;
    }
    printf("file               %s\n", path);
    const char *key;
    json_t *v;
    json_object_foreach(prov, key, v)
        print_json_value(key, v);
    json_decref(root);
    return 0;
}

/* One record of a CSV body (RFC 4180: quoted fields with "" and line ends
 * inside); its field count, 0 at the end of the file, -1 for a quote left
 * open. *line counts the lines read. */
static long csv_record(FILE *f, long *line)
{
    int c = fgetc(f);
    if (c == EOF)
        return 0;
    long fields = 1;
    int quoted = 0;
    for (;; c = fgetc(f)) {
        if (c == EOF)
            return quoted ? -1 : fields;
        if (c == '\n')
            ++*line;
        if (quoted) {
            if (c == '"') {
                int d = fgetc(f);
                if (d != '"') {
                    quoted = 0;
                    if (d != EOF)
                        ungetc(d, f);
                }
            }
        } else if (c == '"')
            quoted = 1;
        else if (c == ',')
            fields++;
        else if (c == '\n')
            return fields;
    }
}

/* A "# key = value" provenance line of the CSV: the key and the value, each
 * in buf, or 0 if it is not one. */
static int csv_key_value(char *text, char **key, char **value)
{
    char *eq = strstr(text, " = ");
    if (!eq)
        return 0;
    for (char *c = text; c < eq; c++)
        if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return 0;
    *eq = '\0';
    *key = text;
    *value = eq + 3;
    return eq > text;
}

/* The CSV table 'esuite collect' writes: its '#' provenance lines (the title
 * line, key = value lines, the config indented under '# config:'), printed
 * with the NetCDF table's attribute names, and the column and row counts of
 * the table that follows. */
static int print_csv(const char *path)
{
    static const char title[] = "# esuite sweep summary table of '";
    FILE *f = fopen(path, "rb");
    if (!f) {
        es_cli_error("info: cannot open '%s': %s", path, strerror(errno));
        return 2;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = getline(&buf, &cap, f);
    char *name = NULL, *model = NULL, *dir = NULL;
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    if (n > 0 && !strncmp(buf, title, sizeof title - 1)) {
        name = buf + sizeof title - 1;
        char *end = strstr(name, "' (");
        char *from = end ? strstr(end, "), collected from ") : NULL;
        if (from) {
            *end = '\0';
            model = end + 3;
            *from = '\0';
            dir = from + strlen("), collected from ");
        }
    }
    if (!dir) {
        es_cli_error("info: %s: a CSV file without esuite's provenance lines (its first line is not "
                     "\"%s<sweep>' (<model>), collected from <dir>\"): esuite info reads the table.csv "
                     "'esuite collect' writes",
                     path, title);
        free(buf);
        fclose(f);
        return 2;
    }
    es_strbuf out = {0}, config = {0};
    es_strbuf_printf(&out, "file               %s\n", path);
    es_strbuf_printf(&out, "%-18s %s\n%-18s %s\n", "title", "esuite sweep summary table", "model", model);
    es_strbuf_printf(&out, "%-18s %s\n%-18s %s\n", "sweep_name", name, "sweep_dir", dir);
    long line = 1, header_line = 0, columns = 0, rows = 0;
    int in_config = 0, bad = 0;
    while (!bad) {
        long start = ftell(f);
        int c = fgetc(f);
        if (c == EOF)
            break;
        if (c != '#') { /* the header, then one row per task */
            ungetc(c, f);
            if (fseek(f, start, SEEK_SET) != 0)
                break;
            header_line = line + 1;
            columns = csv_record(f, &line);
            for (long fields, at = line + 1; !bad && (fields = csv_record(f, &line)) != 0; at = line + 1) {
                if (fields < 0) {
                    es_cli_error("info: %s:%ld: a quoted field is not closed before the end of the file",
                                 path, at);
                    bad = 1;
                } else if (fields != columns) {
                    es_cli_error("info: %s:%ld: %ld fields, but the header (line %ld) has %ld columns",
                                 path, at, fields, header_line, columns);
                    bad = 1;
                } else
                    rows++;
            }
            if (columns < 0 && !bad) {
                es_cli_error("info: %s:%ld: a quoted field of the header is not closed", path, header_line);
                bad = 1;
            }
            break;
        }
        n = getline(&buf, &cap, f);
        line++;
        if (n < 0)
            break;
        if (n > 0 && buf[n - 1] == '\n')
            buf[--n] = '\0';
        char *text = buf, *key, *value;
        if (in_config) { /* "#   LINE", or "#" for an empty one */
            es_strbuf_printf(&config, "%s\n", !strncmp(text, "   ", 3) ? text + 3 : text);
            continue;
        }
        if (!strcmp(text, " config:")) {
            in_config = 1;
            continue;
        }
        if (*text == ' ' && csv_key_value(text + 1, &key, &value)) {
            if (!strcmp(key, "seed")) /* "100 (task 0000; every task's in the seed column)" */
                value[strspn(value, "0123456789")] = '\0';
            es_strbuf_printf(&out, "%-18s %s\n", key, value);
        }
    }
    free(buf);
    fclose(f);
    if (bad) {
        es_strbuf_free(&out);
        es_strbuf_free(&config);
        return 2;
    }
    if (!header_line) {
        es_cli_error("info: %s: esuite's provenance lines but no header line after them (a cut-short table?)",
                     path);
        es_strbuf_free(&out);
        es_strbuf_free(&config);
        return 2;
    }
    es_strbuf_printf(&out, "%-18s %ld\n%-18s %ld\n", "columns", columns, "rows", rows);
    char *o = es_strbuf_take(&out), *cfg = es_strbuf_take(&config);
    fputs(o ? o : "", stdout);
    if (in_config)
        printf("\nconfig:\n%s", cfg ? cfg : "");
    free(o);
    free(cfg);
    return 0;
}

/* A name ending in ".csv" (any case). */
static int csv_name(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcasecmp(path + n - 4, ".csv");
}

const char *es_info_file_in_dir(const char *dir, const char *name, char *buf, size_t len)
{
    size_t n = strlen(dir);
    snprintf(buf, len, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
    struct stat st;
    return stat(buf, &st) == 0 && S_ISREG(st.st_mode) ? buf : NULL;
}

/* A directory (a run's, most likely): not "cannot read it as HDF5, NetCDF or
 * JSON", and its summary.json named when it has one. */
static int refuse_directory(const char *path)
{
    char summary[4200];
    if (es_info_file_in_dir(path, "summary.json", summary, sizeof summary))
        es_cli_error("info: %s: is a directory, not an output file (its run's provenance: esuite info %s)",
                     path, summary);
    else
        es_cli_error("info: %s: is a directory, not an output file", path);
    return 2;
}

/* JSON by its first non-blank byte ('{', or '[' to say it is JSON of another
 * shape), everything else through NetCDF-C. */
int es_info_print_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return refuse_directory(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        es_cli_error("info: cannot open '%s': %s", path, strerror(errno));
        return 2;
    }
    int c;
    while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\t' || c == '\r') {}
    fclose(f);
    if (c == '{' || c == '[')
        return print_json(path);
    /* a '#' line first, or a .csv name that is neither HDF5 nor NetCDF: collect's CSV table */
    if (c == '#' || (csv_name(path) && !es_info_binary_kind(path)))
        return print_csv(path);
    return print_netcdf(path);
}
