/* series_internal.h — the format readers behind es_series_read(). */
#ifndef ES_SERIES_INTERNAL_H
#define ES_SERIES_INTERNAL_H

#include "esuite/series_io.h"

/* Text/CSV from `path` ("-": stdin); `column` may be NULL. `row_spec`: the
 * spec when `column` came as FILE:NAME[N] ("data.csv:x[1]"): a column of
 * that whole name is read, and without one the error is that of
 * es_series_row_not_binary(); NULL otherwise. */
int es_series_read_text(const char *path, const char *column, const char *row_spec, es_series *out);
/* "'SPEC': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF variable; for
 * text, choose a column instead", with `columns` (a header's names) when not NULL. */
int es_series_row_not_binary(const char *spec, const char *column, const char *columns);
/* HDF5 through the HDF5 API; `var` ("/group/dataset", leading '/' optional) may be NULL. */
/* `row` >= 0: that row of a 2-D dataset (ES_SERIES_NO_ROW: a 1-D dataset). */
#define ES_SERIES_NO_ROW (-1LL)
/* Names may end in "[N]" themselves ("T[0]"). `literal` is the name as given
 * when `var` and `row` were split off it ("x[1]": var "x", row 1): a dataset
 * or variable of that whole name is read instead, whole (the exact name wins
 * over a row of "x"). With row ES_SERIES_BAD_ROW the literal ends in a "[…]"
 * that is no valid row (var is NULL): no such whole name is the bad-row error. */
#define ES_SERIES_BAD_ROW (-2LL)
int es_series_read_hdf5(const char *path, const char *var, long long row, const char *literal,
                        es_series *out);
/* NetCDF (classic or NetCDF-4). With `hdf5_fallback`, a file that nc_open()
 * cannot open or that NetCDF did not write (no _NCProperties) gives
 * ES_SERIES_NOT_NETCDF and no message: the caller reads it as HDF5. */
#define ES_SERIES_NOT_NETCDF (-1)
int es_series_read_netcdf(const char *path, const char *var, long long row, const char *literal,
                          int hdf5_fallback, es_series *out);
/* "'PATH:LITERAL': a row is selected as VARIABLE[ROW] with ROW a nonnegative integer" */
int es_series_bad_row(const char *path, const char *literal);

/* out->source = "path", "path:var" or "path:var[row]" (whole for names up to
 * PATH_MAX each; longer, "..." and the end). */
void es_series_set_source(es_series *s, const char *path, const char *var, long long row);
/* "2-D (shape …): select a 1-D variable, or one row with VAR[ROW]" and the like:
 * the shape check shared by both binary readers. dims[rank]; on success *n is
 * the series length (dims[0], or dims[1] of the chosen row). */
int es_series_check_rank(const char *what, int rank, const unsigned long long *dims, long long row,
                         const char *shape, size_t *n);

/* Shared by the binary readers: NaN/Inf check naming the first bad index. */
int es_series_check_finite(const es_series *s);

/* Growable list of candidate variable names for "which one?" messages. */
typedef struct {
    char **names;
    size_t n, cap;
} es_name_list;
int es_name_list_add(es_name_list *l, const char *name);
/* "a, b, c" into buf (truncated with "..." when long). */
void es_name_list_join(const es_name_list *l, char *buf, size_t len);
void es_name_list_free(es_name_list *l);
/* FILE:GROUP names a group: the error saying so, with the first 8 of the
 * `items` ("dataset" / "variable") under it in `all` and how to select one. */
int es_series_group_error(const char *path, const char *group, const char *item,
                          const es_name_list *all);

#endif
