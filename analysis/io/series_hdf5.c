/* series_hdf5.c — a 1-D numeric dataset of an HDF5 file, read as double.
 *
 * "FILE:/group/dataset" names the dataset (the leading '/' is optional);
 * plain "FILE" takes the only 1-D numeric dataset in the file, ignoring
 * dimension scales when there are other candidates, and otherwise lists the
 * candidates. Values equal to a fill value set at dataset creation are
 * missing data, rejected with their index (see check_fill). HDF5's own error
 * printing is switched off while we work:
 * library code reports through es_error_set() only. */
#include "series_internal.h"

#include <hdf5.h>
#include <netcdf.h> /* NetCDF-C's default fills, which NetCDF-4 files carry */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

typedef struct {
    es_name_list all;    /* 1-D numeric datasets (with `any`: every dataset) */
    es_name_list plain;  /* ... that are not dimension scales */
    const char *prefix;  /* path of the group visited ("" for the root) */
    bool any;
    int rc;
} h5_scan;

static bool is_numeric(hid_t dset)
{
    hid_t type = H5Dget_type(dset);
    H5T_class_t cls = H5Tget_class(type);
    H5Tclose(type);
    return cls == H5T_INTEGER || cls == H5T_FLOAT;
}

/* The names of the first few members of a compound or enum type, "a, b, c"
 * (", ... (N in all)" when there are more), into buf[len]. */
static void member_names(hid_t type, char *buf, size_t len)
{
    enum { SHOW = 6 };
    int n = H5Tget_nmembers(type);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < SHOW && used + 1 < len; i++) {
        char *name = H5Tget_member_name(type, (unsigned)i);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name ? name : "?");
        H5free_memory(name);
    }
    if (n > SHOW && used + 1 < len)
        snprintf(buf + used, len - used, ", ... (%d in all)", n);
}

/* "is not numeric (...)": what the dataset holds instead, by type class. */
static int not_numeric(hid_t dset, const char *what)
{
    hid_t type = H5Dget_type(dset);
    char desc[400], names[300];
    switch (H5Tget_class(type)) {
    case H5T_STRING:
        snprintf(desc, sizeof desc, "type class string: text, not numbers");
        break;
    case H5T_COMPOUND:
        member_names(type, names, sizeof names);
        snprintf(desc, sizeof desc, "type class compound, with fields %s: a field cannot be "
                 "selected; write the one you need as a dataset of its own", names);
        break;
    case H5T_ENUM:
        member_names(type, names, sizeof names);
        snprintf(desc, sizeof desc, "type class enum, with labels %s", names);
        break;
    case H5T_ARRAY: {
        hsize_t adims[H5S_MAX_RANK];
        int ar = H5Tget_array_ndims(type);
        size_t used = (size_t)snprintf(desc, sizeof desc, "type class array: each element is an "
                                       "array of ");
        if (ar > 0 && ar <= H5S_MAX_RANK && H5Tget_array_dims2(type, adims) == ar)
            for (int i = 0; i < ar && used + 24 < sizeof desc; i++)
                used += (size_t)snprintf(desc + used, sizeof desc - used, "%s%llu", i ? " x " : "",
                                         (unsigned long long)adims[i]);
        else
            used += (size_t)snprintf(desc + used, sizeof desc - used, "several");
        snprintf(desc + used, sizeof desc - used, " values, not one number");
        break;
    }
    case H5T_VLEN:
        snprintf(desc, sizeof desc, "type class vlen: each element is a variable-length sequence");
        break;
    case H5T_OPAQUE: {
        char *tag = H5Tget_tag(type);
        snprintf(desc, sizeof desc, "type class opaque%s%s%s: raw bytes", tag && *tag ? " (tag '" : "",
                 tag && *tag ? tag : "", tag && *tag ? "')" : "");
        H5free_memory(tag);
        break;
    }
    case H5T_BITFIELD:
        snprintf(desc, sizeof desc, "type class bitfield");
        break;
    case H5T_REFERENCE:
        snprintf(desc, sizeof desc, "type class reference: references to other objects");
        break;
    case H5T_TIME:
        snprintf(desc, sizeof desc, "type class time");
        break;
    default:
        snprintf(desc, sizeof desc, "unknown type class");
        break;
    }
    H5Tclose(type);
    return es_error_set(ES_EINVAL, "%s is not numeric (%s)", what, desc);
}

static int rank_of(hid_t dset, hsize_t *dims, int maxrank)
{
    hid_t space = H5Dget_space(dset);
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank > 0 && rank <= maxrank)
        H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    return rank;
}

static bool is_dimension_scale(hid_t dset)
{
    if (H5Aexists(dset, "CLASS") <= 0)
        return false;
    hid_t attr = H5Aopen(dset, "CLASS", H5P_DEFAULT);
    hid_t type = H5Aget_type(attr);
    bool scale = false;
    if (H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type)) {
        char buf[64] = {0};
        size_t size = H5Tget_size(type);
        if (size < sizeof buf && H5Aread(attr, type, buf) >= 0)
            scale = strncmp(buf, "DIMENSION_SCALE", 15) == 0;
    }
    H5Tclose(type);
    H5Aclose(attr);
    return scale;
}

static herr_t visit(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    h5_scan *scan = data;
    if (info->type != H5L_TYPE_HARD)
        return 0;
    hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0)
        return 0;
    if (H5Iget_type(obj) == H5I_DATASET) {
        hsize_t dims[1];
        if (scan->any || (rank_of(obj, dims, 1) == 1 && is_numeric(obj))) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", scan->prefix ? scan->prefix : "", name);
            scan->rc = es_name_list_add(&scan->all, path);
            if (!scan->rc && !scan->any && !is_dimension_scale(obj))
                scan->rc = es_name_list_add(&scan->plain, path);
        }
    }
    H5Oclose(obj);
    return scan->rc ? -1 : 0;
}

static int find_candidates(hid_t file, h5_scan *scan)
{
    memset(scan, 0, sizeof *scan);
    herr_t st = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, scan);
    if (scan->rc)
        return scan->rc;
    return st < 0 ? es_error_set(ES_EIO, "cannot list the datasets of the HDF5 file") : ES_OK;
}

/* "/a/b" from "a/b" or "/a/b" into chosen[len]; true when every link on the
 * way exists. Walked link by link: H5Dopen2 on a missing path is an error we
 * want to explain, not an HDF5 stack dump. */
static bool links_exist(hid_t file, const char *var, char *chosen, size_t len)
{
    snprintf(chosen, len, "%s%s", var[0] == '/' ? "" : "/", var);
    for (size_t k = strlen(chosen); k > 1 && chosen[k - 1] == '/'; k--)
        chosen[k - 1] = '\0'; /* "data/" is the group /data */
    htri_t ok = 1;
    for (char *slash = strchr(chosen + 1, '/'); ok > 0; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = '\0';
        ok = H5Lexists(file, chosen, H5P_DEFAULT);
        if (!slash)
            break;
        *slash = '/';
    }
    return ok > 0;
}

/* Whether `var` names a dataset (not a group) of the file. */
static bool is_dataset(hid_t file, const char *var)
{
    char p[1024];
    if (!links_exist(file, var, p, sizeof p))
        return false;
    hid_t obj = H5Oopen(file, p, H5P_DEFAULT);
    if (obj < 0)
        return false;
    bool dset = H5Iget_type(obj) == H5I_DATASET;
    H5Oclose(obj);
    return dset;
}

/* "FILE:/a/b" names a group: say so, with (the first few of) the datasets
 * under it, rather than "no dataset '/a/b'" for a path that exists. */
static int group_error(const char *path, hid_t group, const char *name)
{
    h5_scan scan;
    memset(&scan, 0, sizeof scan);
    scan.any = true;
    scan.prefix = strcmp(name, "/") == 0 ? "" : name;
    herr_t st = H5Lvisit(group, H5_INDEX_NAME, H5_ITER_INC, visit, &scan);
    int rc = scan.rc;
    if (rc == ES_OK && st < 0)
        rc = es_error_set(ES_EIO, "%s: cannot list the datasets of group '%s'", path, name);
    if (rc == ES_OK)
        rc = es_series_group_error(path, name, "dataset", &scan.all);
    es_name_list_free(&scan.all);
    es_name_list_free(&scan.plain);
    return rc;
}

/* The link `name` exists but leads nowhere: a soft link to a path that does
 * not exist, or an external link whose file or object cannot be opened. Says
 * so (it was "no dataset" for a name the file has); ES_OK for other links. */
static int broken_link_error(const char *path, hid_t file, const char *name)
{
    H5L_info_t info;
    if (H5Lget_info(file, name, &info, H5P_DEFAULT) < 0 ||
        (info.type != H5L_TYPE_SOFT && info.type != H5L_TYPE_EXTERNAL) || info.u.val_size == 0 ||
        info.u.val_size > 4096)
        return ES_OK;
    char val[4096];
    if (H5Lget_val(file, name, val, info.u.val_size, H5P_DEFAULT) < 0)
        return ES_OK;
    val[info.u.val_size - 1] = '\0';
    if (info.type == H5L_TYPE_SOFT)
        return es_error_set(ES_EINVAL, "%s: '%s' is a soft link to '%s', which does not exist in "
                            "the file (a dangling link)", path, name, val);
    unsigned flags = 0;
    const char *efile = NULL, *eobj = NULL;
    if (H5Lunpack_elink_val(val, info.u.val_size, &flags, &efile, &eobj) < 0)
        return ES_OK;
    return es_error_set(ES_EIO, "%s: '%s' is an external link to '%s' in the file '%s', which "
                        "cannot be opened (no such file, relative to %s's folder or the current "
                        "one, or no such object in it)", path, name, eobj, efile, path);
}

/* Open the dataset to read; sets `chosen` to its full path. */
static int open_dataset(const char *path, hid_t file, const char *var, long long row,
                        const char *literal, hid_t *dset, char *chosen, size_t len)
{
    h5_scan scan;
    char list[600];
    if (var) {
        if (links_exist(file, var, chosen, len)) {
            hid_t obj = H5Oopen(file, chosen, H5P_DEFAULT);
            const bool group = obj >= 0 && H5Iget_type(obj) == H5I_GROUP;
            int rc = group ? group_error(path, obj, chosen) : ES_OK;
            if (obj < 0 && (rc = broken_link_error(path, file, chosen)) != ES_OK)
                return rc;
            if (obj >= 0)
                H5Oclose(obj);
            if (group)
                return rc;
            if ((*dset = H5Dopen2(file, chosen, H5P_DEFAULT)) >= 0)
                return ES_OK;
        }
        int rc = find_candidates(file, &scan);
        if (rc == ES_OK) {
            es_name_list_join(&scan.all, list, sizeof list);
            if (literal && row >= 0) /* "x[1]": neither a dataset x[1] nor one x */
                rc = es_error_set(ES_EINVAL, "%s: no dataset '%s%s', nor a 2-D '%s' to take row "
                                  "%lld from (1-D numeric datasets: %s)", path,
                                  literal[0] == '/' ? "" : "/", literal, chosen, row,
                                  scan.all.n ? list : "none");
            else
                rc = es_error_set(ES_EINVAL, "%s: no dataset '%s' (1-D numeric datasets: %s)", path,
                                  chosen, scan.all.n ? list : "none");
        }
        es_name_list_free(&scan.all);
        es_name_list_free(&scan.plain);
        return rc;
    }
    int rc = find_candidates(file, &scan);
    if (rc == ES_OK) {
        const es_name_list *pick = scan.all.n == 1 ? &scan.all : &scan.plain;
        if (pick->n == 1) {
            snprintf(chosen, len, "%s", pick->names[0]);
            *dset = H5Dopen2(file, chosen, H5P_DEFAULT);
            if (*dset < 0)
                rc = es_error_set(ES_EIO, "%s: cannot open dataset '%s'", path, chosen);
        } else if (scan.all.n == 0) {
            rc = es_error_set(ES_EINVAL, "%s: no 1-D numeric dataset in the file", path);
        } else {
            es_name_list_join(&scan.all, list, sizeof list);
            rc = es_error_set(ES_EINVAL,
                              "%s has %zu 1-D numeric datasets (%s): choose one, as %s:DATASET",
                              path, scan.all.n, list, path);
        }
    }
    es_name_list_free(&scan.all);
    es_name_list_free(&scan.plain);
    return rc;
}

/* A dataset created but never (or only partly) written reads back as its
 * fill value (0 by default): a run that died before writing would give a
 * constant series and H = 0 without a word. NetCDF's reader rejects fill
 * values for the same reason. Only contiguous and chunked storage can be
 * missing (compact data is always there, virtual data maps other files).
 * Chunks are counted: H5Dget_space_status compares bytes, so it calls every
 * compressed dataset "partly allocated". */
static int check_written(hid_t dset, hsize_t n, const char *what)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    H5D_layout_t layout = H5Pget_layout(dcpl);
    hsize_t chunk = 0;
    if (layout == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &chunk) != 1)
        chunk = 0;
    H5Pclose(dcpl);
    if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED)
        return ES_OK;
    if (H5Dget_storage_size(dset) == 0)
        return es_error_set(ES_EDATA, "%s: values were never written (they read back as the "
                            "fill value)", what);
#if H5_VERSION_GE(1, 10, 5)
    hsize_t have = 0;
    hid_t space = H5Dget_space(dset);
    herr_t got = chunk > 0 ? H5Dget_num_chunks(dset, space, &have) : -1;
    H5Sclose(space);
    if (got >= 0 && have < (n + chunk - 1) / chunk)
        return es_error_set(ES_EDATA, "%s: %llu of %llu chunks were never written (their values "
                            "read back as the fill value)", what,
                            (unsigned long long)((n + chunk - 1) / chunk - have),
                            (unsigned long long)((n + chunk - 1) / chunk));
#else
    (void)n;
    (void)chunk;
#endif
    return ES_OK;
}

/* Read all of a 1-D dataset, or row `row` of a 2-D one, as doubles into x[n]. */
static herr_t read_values(hid_t dset, long long row, size_t n, double *x)
{
    if (row < 0)
        return H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
    hsize_t start[2] = {(hsize_t)row, 0}, count[2] = {1, (hsize_t)n}, mdim = (hsize_t)n;
    hid_t fspace = H5Dget_space(dset), mspace = H5Screate_simple(1, &mdim, NULL);
    herr_t rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
        rc = H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, x);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return rc;
}

/* Element i of x[] (row `row` of a 2-D dataset) read again as memory type
 * `mtype` into buf: an integer compared exactly, past double's 2^53. */
static bool read_one(hid_t dset, long long row, size_t i, hid_t mtype, void *buf)
{
    hsize_t coord[2] = {row < 0 ? (hsize_t)i : (hsize_t)row, (hsize_t)i}, one = 1;
    hid_t fspace = H5Dget_space(dset), mspace = H5Screate_simple(1, &one, NULL);
    herr_t rc = H5Sselect_elements(fspace, H5S_SELECT_SET, 1, coord);
    if (rc >= 0)
        rc = H5Dread(dset, mtype, mspace, fspace, H5P_DEFAULT, buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return rc >= 0;
}

/* Whether `attr` of the dataset exists. */
static bool has_attr(hid_t dset, const char *attr)
{
    return H5Aexists(dset, attr) > 0;
}

/* A fill value set at dataset creation (H5Pset_fill_value) marks missing
 * data, as NetCDF's _FillValue does: the writer said which value means "no
 * value", and elements holding it (never written, or written as missing) are
 * rejected with their index. HDF5's default fill (0, no user-defined one) is
 * no marker: the chunk count in check_written() finds unwritten data then.
 * NetCDF-4 files read here (no _NCProperties) carry NetCDF-C's default fill
 * in every dataset: as in the NetCDF reader, the 8- and 16-bit ones (-127,
 * 255, -32767, 65535) are data unless a _FillValue attribute set them. */
static int check_fill(hid_t dset, long long row, const double *x, size_t n, const char *what)
{
    hid_t dcpl = H5Dget_create_plist(dset), ftype = H5Dget_type(dset);
    H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
    double fill = 0.0;
    long long ifill = 0; /* an integer fill in (unsigned) long long: exact */
    const bool integer = H5Tget_class(ftype) == H5T_INTEGER;
    const bool is_signed = integer && H5Tget_sign(ftype) == H5T_SGN_2;
    const hid_t itype = is_signed ? H5T_NATIVE_LLONG : H5T_NATIVE_ULLONG;
    const size_t size = H5Tget_size(ftype);
    bool use = H5Pfill_value_defined(dcpl, &defined) >= 0 && defined == H5D_FILL_VALUE_USER_DEFINED &&
               H5Pget_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) >= 0 &&
               (!integer || H5Pget_fill_value(dcpl, itype, &ifill) >= 0);
    if (use && integer && size <= 2 && !has_attr(dset, "_FillValue")) {
        const double nc_default = size == 1 ? (is_signed ? NC_FILL_BYTE : NC_FILL_UBYTE)
                                            : (is_signed ? NC_FILL_SHORT : NC_FILL_USHORT);
        use = fill != nc_default;
    }
    H5Tclose(ftype);
    H5Pclose(dcpl);
    for (size_t i = 0; use && i < n; i++) {
        if (x[i] != fill)
            continue;
        long long v = 0;
        if (integer && size > 4 && (!read_one(dset, row, i, itype, &v) || v != ifill))
            continue; /* equal only as rounded to double */
        char shown[40];
        if (integer && is_signed)
            snprintf(shown, sizeof shown, "%lld", ifill);
        else if (integer)
            snprintf(shown, sizeof shown, "%llu", (unsigned long long)ifill);
        else /* the shortest that reads back, as a float for float data */
            for (int prec = 6; prec <= 17; prec++)
                if (snprintf(shown, sizeof shown, "%.*g", prec, fill) > 0 &&
                    (size == 4 ? (double)strtof(shown, NULL) : strtod(shown, NULL)) == fill)
                    break;
        return es_error_set(ES_EDATA, "%s: missing value (fill value %s, set at dataset creation) "
                            "at index %zu (0-based)", what, shown, i);
    }
    return ES_OK;
}

static int read_dataset(hid_t dset, const char *what, long long row, es_series *out)
{
    /* A null dataspace (H5S_NULL) has rank 0 like a scalar, but no element at all */
    hid_t space = H5Dget_space(dset);
    const H5S_class_t sclass = H5Sget_simple_extent_type(space);
    H5Sclose(space);
    if (sclass == H5S_NULL)
        return es_error_set(ES_EDATA, "%s has no data (null dataspace: a dataset without elements, "
                            "not even one)", what);
    hsize_t dims[H5S_MAX_RANK];
    int rank = rank_of(dset, dims, H5S_MAX_RANK);
    char shape[256] = "shape scalar";
    size_t used = rank > 0 ? (size_t)snprintf(shape, sizeof shape, "shape ") : 0;
    unsigned long long udims[H5S_MAX_RANK];
    for (int i = 0; i < rank; i++) {
        udims[i] = (unsigned long long)dims[i];
        if (used < sizeof shape - 24)
            used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%llu", i ? " x " : "", udims[i]);
    }
    size_t n = 0;
    int rc = es_series_check_rank(what, rank, udims, row, shape, &n);
    if (rc)
        return rc;
    if (!is_numeric(dset))
        return not_numeric(dset, what);
    /* a row: the never-written check (a 2-D layout's chunks are not counted) */
    if ((rc = check_written(dset, dims[0], what)))
        return rc;
    double *x = malloc(n * sizeof *x);
    if (!x)
        return es_error_set(ES_ENOMEM, "%s: out of memory for %zu values", what, n);
    if (read_values(dset, row, n, x) < 0) {
        free(x);
        return es_error_set(ES_EIO, "%s: read failed (corrupt file or unsupported filter)", what);
    }
    out->x = x;
    out->n = n;
    /* NaN/Inf first, as the NetCDF reader does */
    if ((rc = es_series_check_finite(out)) || (rc = check_fill(dset, row, x, n, what)))
        es_series_free(out);
    return rc;
}

int es_series_read_hdf5(const char *path, const char *var, long long row, const char *literal,
                        es_series *out)
{
    H5E_auto2_t old_func;
    void *old_data;
    H5Eget_auto2(H5E_DEFAULT, &old_func, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    int rc;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        rc = es_error_set(ES_EIO, "cannot open '%s' as HDF5 (corrupt or truncated file?)", path);
    } else {
        hid_t dset = -1;
        char chosen[1024];
        rc = ES_OK;
        if (literal && is_dataset(file, literal)) {
            var = literal; /* a dataset named "x[1]" itself */
            row = ES_SERIES_NO_ROW;
        } else if (row == ES_SERIES_BAD_ROW) {
            rc = es_series_bad_row(path, literal);
        }
        if (rc == ES_OK)
            rc = open_dataset(path, file, var, row, literal, &dset, chosen, sizeof chosen);
        if (rc == ES_OK) {
            es_series_set_source(out, path, chosen, row);
            rc = read_dataset(dset, out->source, row, out);
            H5Dclose(dset);
        }
        H5Fclose(file);
    }
    H5Eset_auto2(H5E_DEFAULT, old_func, old_data);
    return rc;
}
