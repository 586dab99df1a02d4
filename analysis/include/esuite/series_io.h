/* esuite/series_io.h — read a 1-D series from text/CSV, HDF5, NetCDF or stdin.
 *
 * Spec strings: "FILE" (text/CSV, or the only/first 1-D variable of an HDF5 or
 * NetCDF file), "FILE:VARIABLE" (HDF5 dataset path or NetCDF variable),
 * "FILE:VARIABLE[ROW]" (row ROW, 0-based, of a 2-D variable: one orbit of
 * orbits.h5:/series/x, one realization of a gas.h5 time series), "-"
 * (text on stdin). The format is detected from the file's magic bytes, not its
 * name. Text: one value per line, or delimited columns (',', ';', tab or
 * spaces); `column` selects by header name or 1-based number; '#' lines are
 * comments. Errors name the file, line and column, and NaN/Inf values are
 * rejected with their line number. */
#ifndef ESUITE_SERIES_IO_H
#define ESUITE_SERIES_IO_H

#include <stddef.h>

typedef struct {
    double *x;
    size_t n;
    /* what was read, for messages and provenance: a file name of up to
     * PATH_MAX and a variable or column name of as much again fit whole (512
     * bytes cut a 604-character path to 'DIR/DIR/DIR...', without its file) */
    char source[2 * 4096 + 64];
} es_series;

int es_series_read(const char *spec, const char *column, es_series *out);
void es_series_free(es_series *s);

/* ES_EDATA naming `path` when the open NetCDF file `ncid` is a classic-format
 * (CDF-1/2/5) file shorter than its header requires (NetCDF-C would read the
 * missing data as zeros); ES_OK otherwise, and for NetCDF-4 files. */
int es_netcdf_check_extent(const char *path, int ncid);

/* ES_EDATA naming `path` and `var` when the 3-D variable `varid` has a
 * dimension named time, fish or spatial in another position than (time,
 * fish, spatial): a transposed file would be read as frames of the wrong
 * fish. Other dimension names are accepted. */
int es_netcdf_check_frame_dims(const char *path, int ncid, int varid, const char *var);

/* 1 and *fill when elements of `varid` never written read as a fill value
 * (its _FillValue, else NetCDF's default for float/double); 0 with NOFILL. */
int es_netcdf_fill_value(int ncid, int varid, double *fill);

/* CF packing of `varid`: values are x·*scale + *offset (1 and 0 without
 * scale_factor / add_offset). ES_EDATA naming `path` and `var` for packing
 * that cannot be undone (a zero or non-finite scale, an attribute that is
 * not one number). Fill values compare with the packed values. */
int es_netcdf_packing(const char *path, int ncid, int varid, const char *var, double *scale,
                      double *offset);

/* The CF missing-data checks of the series reader on n values x of
 * `varid` read as doubles: with unpacked = 0 (stored values, before CF
 * unpacking) _FillValue, missing_value (also a vector) and valid_range /
 * valid_min / valid_max in stored units; with unpacked = 1 (after unpacking)
 * the floating-point limits of a packed integer variable. ES_EDATA with a
 * message "WHAT: ... at index I (0-based) ..." for the first hit. */
int es_netcdf_check_values(int ncid, int varid, double *x, size_t n, int unpacked, const char *what);
/* The same checks on one frame of positions or velocities, x[3·fish + axis]
 * for nfish fish: the message names the fish and the axis, "WHAT: ... at
 * fish F, axis y ...", instead of the flat index. */
int es_netcdf_check_xyz(int ncid, int varid, double *x, size_t nfish, int unpacked, const char *what);

/* Fast, correctly rounded decimal parser (falls back to strtod for hard
 * cases). Returns the number of characters consumed, 0 if none. */
size_t es_parse_double(const char *s, const char *end, double *value);

#endif
