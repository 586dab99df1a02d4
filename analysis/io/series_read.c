/* series_read.c — es_series_read(): spec parsing and format detection.
 *
 * The format comes from the file's magic bytes, never its name: "CDF\1",
 * "CDF\2", "CDF\5" is classic NetCDF; the HDF5 signature (at offset 0 or a
 * user block of 512, 1024, 2048, ... bytes) is HDF5, which NetCDF-4 files
 * also are, so those are offered to nc_open() first and read through the
 * HDF5 API when NetCDF cannot open them or did not write them. Anything
 * else is text. */
#include "series_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esuite/status.h"

typedef enum { FMT_TEXT, FMT_NETCDF_CLASSIC, FMT_HDF5 } es_format;

static const unsigned char hdf5_magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

static int detect_format(const char *path, es_format *fmt)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return es_error_set(ES_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (err) {
        close(fd);
        return es_error_set(ES_EIO, "cannot read '%s': %s", path, strerror(err));
    }
    unsigned char head[8] = {0};
    ssize_t got = pread(fd, head, sizeof head, 0);
    *fmt = FMT_TEXT;
    if (got >= 4 && memcmp(head, "CDF", 3) == 0 && (head[3] == 1 || head[3] == 2 || head[3] == 5)) {
        *fmt = FMT_NETCDF_CLASSIC;
    } else {
        /* HDF5 looks for its signature at 0, 512, 1024, 2048, ... */
        off_t off = 0;
        while (got == (ssize_t)sizeof head) {
            if (memcmp(head, hdf5_magic, sizeof head) == 0) {
                *fmt = FMT_HDF5;
                break;
            }
            off = off ? 2 * off : 512;
            if (off + (off_t)sizeof head > st.st_size)
                break;
            got = pread(fd, head, sizeof head, off);
        }
    }
    close(fd);
    return ES_OK;
}

static int path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* "VAR[ROW]" → VAR in buf and ROW; a variable without a trailing "[…]" is left
 * as it is (*row stays ES_SERIES_NO_ROW). 1 when the "[…]" is no valid ROW
 * (no error set: a text column may be named "T[K]"). */
static int split_row(const char *var, char *buf, size_t len, long long *row)
{
    size_t n = strlen(var);
    const char *open = strrchr(var, '[');
    if (n == 0 || var[n - 1] != ']' || !open)
        return 0;
    char *end;
    errno = 0;
    long long r = strtoll(open + 1, &end, 10);
    if (open[1] < '0' || open[1] > '9' || end != var + n - 1 || errno || open == var ||
        (size_t)(open - var) >= len)
        return 1;
    memcpy(buf, var, (size_t)(open - var));
    buf[open - var] = '\0';
    *row = r;
    return 0;
}

int es_series_bad_row(const char *path, const char *literal)
{
    return es_error_set(ES_EINVAL, "'%s:%s': a row is selected as VARIABLE[ROW] with ROW a "
                        "nonnegative integer (0-based)", path, literal);
}

int es_series_row_not_binary(const char *spec, const char *column, const char *columns)
{
    if (columns)
        return es_error_set(ES_EINVAL, "'%s': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF "
                            "variable; for text, choose a column instead (no column '%s'; "
                            "columns: %s)", spec, column, columns);
    return es_error_set(ES_EINVAL, "'%s': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF "
                        "variable; for text, choose a column instead", spec);
}

int es_series_check_rank(const char *what, int rank, const unsigned long long *dims, long long row,
                         const char *shape, size_t *n)
{
    if (row < 0 && rank != 1)
        return es_error_set(ES_EINVAL, "%s is %d-D (%s): select a 1-D variable%s", what, rank, shape,
                            rank == 2 ? ", or one row with VARIABLE[ROW]" : "");
    if (row >= 0 && rank != 2)
        return es_error_set(ES_EINVAL, "%s is %d-D (%s): a row [%lld] can be selected only from "
                            "a 2-D variable", what, rank, shape, row);
    if (row >= 0 && (unsigned long long)row >= dims[0])
        return es_error_set(ES_EINVAL, "%s: row %lld is out of range (%llu rows, 0-based)", what, row,
                            dims[0]);
    *n = (size_t)dims[rank - 1];
    if (*n == 0)
        return es_error_set(ES_EDATA, "%s: no values (empty series)", what);
    return ES_OK;
}

int es_series_read(const char *spec, const char *column, es_series *out)
{
    int rc;
    if (!out)
        return es_error_set(ES_EINVAL, "es_series_read: no output series");
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return es_error_set(ES_EINVAL, "empty series file name");
    if (column && !*column)
        column = NULL;

    /* "FILE:VARIABLE", unless the whole spec is itself a file: a path may
     * contain colons, a variable name split off at the last one. */
    char path[4096];
    const char *var = NULL;
    if (strlen(spec) >= sizeof path)
        return es_error_set(ES_EINVAL, "series file name too long: '%.64s...'", spec);
    strcpy(path, spec);
    const char *colon = strrchr(spec, ':');
    if (strcmp(spec, "-") != 0 && colon && colon != spec && !path_exists(spec)) {
        path[colon - spec] = '\0';
        var = colon[1] ? colon + 1 : NULL;
    }
    if (var && column && strcmp(var, column) != 0)
        return es_error_set(ES_EINVAL,
                            "'%s': variable '%s' given in the file name and column '%s' given "
                            "separately; give only one",
                            spec, var, column);
    char varbuf[4096];
    long long row = ES_SERIES_NO_ROW;
    /* a "[…]" that is no row is an error for HDF5/NetCDF only: text columns
     * are named freely ("T[K]"), and text takes the name as it is */
    const int badrow = var && split_row(var, varbuf, sizeof varbuf, &row);
    const char *text_name = var ? var : column;
    /* the name as given: HDF5/NetCDF names may end in "[N]" themselves */
    const char *literal = var && (row >= 0 || badrow) ? var : NULL;
    if (row >= 0)
        var = varbuf;
    const char *name = var ? var : column;
    const long long brow = badrow ? ES_SERIES_BAD_ROW : row;

    if (strcmp(path, "-") == 0)
        return es_series_read_text("-", text_name, row >= 0 ? spec : NULL, out);

    es_format fmt;
    rc = detect_format(path, &fmt);
    if (rc)
        return rc;
    if (badrow && fmt != FMT_NETCDF_CLASSIC && fmt != FMT_HDF5)
        return es_series_read_text(path, text_name, NULL, out);
    if (badrow)
        name = NULL;
    switch (fmt) {
    case FMT_NETCDF_CLASSIC:
        return es_series_read_netcdf(path, name, brow, literal, 0, out);
    case FMT_HDF5:
        rc = es_series_read_netcdf(path, name, brow, literal, 1, out);
        if (rc == ES_SERIES_NOT_NETCDF) /* plain HDF5 NetCDF cannot open */
            return es_series_read_hdf5(path, name, brow, literal, out);
        return rc;
    default:
        /* "data.csv:x[1]": the column named x[1], if there is one */
        return es_series_read_text(path, text_name, row >= 0 ? spec : NULL, out);
    }
}

void es_series_free(es_series *s)
{
    if (!s)
        return;
    free(s->x);
    s->x = NULL;
    s->n = 0;
}

void es_series_set_source(es_series *s, const char *path, const char *var, long long row)
{
    char r[32] = "";
    if (row >= 0)
        snprintf(r, sizeof r, "[%lld]", row);
    const char *sep = var ? ":" : "";
    if (!var)
        var = "";
    size_t w = strlen(path) + strlen(sep) + strlen(var) + strlen(r);
    if (w < sizeof s->source) {
        snprintf(s->source, sizeof s->source, "%s%s%s%s", path, sep, var, r);
        return;
    }
    /* longer than any path and name can be: keep the end (the file and
     * variable names matter most), marked "..." in front */
    size_t keep = sizeof s->source - 4, skip = w - keep;
    char *o = s->source;
    memcpy(o, "...", 3);
    o += 3;
    const char *part[] = {path, sep, var, r};
    for (int i = 0; i < 4; i++) {
        size_t len = strlen(part[i]);
        size_t from = skip < len ? skip : len;
        skip -= from;
        memcpy(o, part[i] + from, len - from);
        o += len - from;
    }
    *o = '\0';
}

int es_series_check_finite(const es_series *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!isfinite(s->x[i]))
            return es_error_set(ES_EDATA, "%s: NaN/Inf value at index %zu (0-based)", s->source, i);
    return ES_OK;
}

int es_name_list_add(es_name_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **names = realloc(l->names, cap * sizeof *names);
        if (!names)
            return es_error_set(ES_ENOMEM, "out of memory listing variables");
        l->names = names;
        l->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return es_error_set(ES_ENOMEM, "out of memory listing variables");
    l->names[l->n++] = copy;
    return ES_OK;
}

void es_name_list_join(const es_name_list *l, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", l->names[i]);
        if (w < 0 || (size_t)w >= len - used) {
            if (len > 4)
                strcpy(buf + len - 4, "...");
            return;
        }
        used += (size_t)w;
    }
}

int es_series_group_error(const char *path, const char *group, const char *item,
                          const es_name_list *all)
{
    enum { SHOW = 8 };
    if (all->n == 0)
        return es_error_set(ES_EINVAL, "%s: '%s' is a group, not a %s, and holds no %ss", path,
                            group, item, item);
    es_name_list first = *all;
    char list[600], more[64] = "";
    if (all->n > SHOW) {
        first.n = SHOW;
        snprintf(more, sizeof more, ", ... (%zu in all)", all->n);
    }
    es_name_list_join(&first, list, sizeof list);
    return es_error_set(ES_EINVAL, "%s: '%s' is a group, not a %s: select a %s in it, as %s:%s/NAME "
                        "(%ss in it: %s%s)", path, group, item, item, path,
                        strcmp(group, "/") == 0 ? "" : group, item, list, more);
}

void es_name_list_free(es_name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}
