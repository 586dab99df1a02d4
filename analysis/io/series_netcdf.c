/* series_netcdf.c — a 1-D numeric variable of a NetCDF file, read as double.
 *
 * "FILE:var" names the variable ("FILE:/group/var" in NetCDF-4 groups);
 * plain "FILE" takes the only 1-D numeric variable, ignoring coordinate
 * variables (a variable named like its dimension, e.g. time(time)) when
 * there are other candidates. Values equal to the variable's _FillValue or
 * missing_value (any value of a missing_value vector; or the default fill
 * of float/double variables) are missing data and rejected with their
 * index, like NaN/Inf. */
#include "series_internal.h"

#include <float.h>
#include <math.h>
#include <netcdf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esuite/status.h"

static bool is_numeric_type(nc_type t)
{
    switch (t) {
    case NC_BYTE: case NC_UBYTE: case NC_SHORT: case NC_USHORT: case NC_INT: case NC_UINT:
    case NC_INT64: case NC_UINT64: case NC_FLOAT: case NC_DOUBLE:
        return true;
    default:
        return false;
    }
}

/* Full name of variable `varid` in group `grp`: "x" in the root group, "/g/x" elsewhere. */
static void var_path(int grp, int varid, char *buf, size_t len)
{
    char name[NC_MAX_NAME + 1] = "";
    nc_inq_varname(grp, varid, name);
    size_t glen = 0;
    nc_inq_grpname_full(grp, &glen, NULL);
    char *gname = malloc(glen + 1);
    if (gname && nc_inq_grpname_full(grp, &glen, gname) == NC_NOERR && strcmp(gname, "/") != 0)
        snprintf(buf, len, "%s/%s", gname, name);
    else
        snprintf(buf, len, "%s", name);
    free(gname);
}

typedef struct {
    es_name_list all, plain; /* 1-D numeric variables; those that are not coordinates */
    bool any;                /* list every variable in `all` instead */
} nc_scan;

static int scan_group(int grp, nc_scan *scan)
{
    int nvars = 0;
    if (nc_inq_nvars(grp, &nvars) != NC_NOERR)
        return es_error_set(ES_EIO, "cannot list NetCDF variables");
    for (int v = 0; v < nvars; v++) {
        int ndims = 0, dimid = -1;
        nc_type type;
        if (scan->any) {
            char path[1024];
            var_path(grp, v, path, sizeof path);
            int rc = es_name_list_add(&scan->all, path);
            if (rc)
                return rc;
            continue;
        }
        if (nc_inq_varndims(grp, v, &ndims) != NC_NOERR || ndims != 1)
            continue;
        nc_inq_vartype(grp, v, &type);
        nc_inq_vardimid(grp, v, &dimid);
        if (!is_numeric_type(type))
            continue;
        char path[1024], vname[NC_MAX_NAME + 1] = "", dname[NC_MAX_NAME + 1] = "";
        var_path(grp, v, path, sizeof path);
        nc_inq_varname(grp, v, vname);
        nc_inq_dimname(grp, dimid, dname);
        int rc = es_name_list_add(&scan->all, path);
        if (!rc && strcmp(vname, dname) != 0)
            rc = es_name_list_add(&scan->plain, path);
        if (rc)
            return rc;
    }
    int ngrps = 0;
    if (nc_inq_grps(grp, &ngrps, NULL) != NC_NOERR || ngrps == 0)
        return ES_OK; /* classic files have no groups */
    int *grps = malloc((size_t)ngrps * sizeof *grps);
    if (!grps)
        return es_error_set(ES_ENOMEM, "out of memory listing NetCDF groups");
    nc_inq_grps(grp, NULL, grps);
    int rc = ES_OK;
    for (int g = 0; g < ngrps && rc == ES_OK; g++)
        rc = scan_group(grps[g], scan);
    free(grps);
    return rc;
}

/* Group and variable id of a name "var" or "/group/sub/var". */
static bool lookup(int ncid, const char *name, int *grp, int *varid)
{
    const char *slash = strrchr(name, '/');
    *grp = ncid;
    if (slash && slash != name) {
        char gpath[1024];
        snprintf(gpath, sizeof gpath, "%s%.*s", name[0] == '/' ? "" : "/", (int)(slash - name),
                 name);
        if (nc_inq_grp_full_ncid(ncid, gpath, grp) != NC_NOERR)
            return false;
    }
    return nc_inq_varid(*grp, slash ? slash + 1 : name, varid) == NC_NOERR;
}

/* "FILE:/g" names a NetCDF-4 group: say so, with (the first few of) the
 * variables under it, rather than "no variable 'g'". */
static int group_error(const char *path, int ncid, const char *var, int *handled)
{
    char gpath[1024];
    int gid;
    *handled = 0;
    snprintf(gpath, sizeof gpath, "%s%s", var[0] == '/' ? "" : "/", var);
    size_t k = strlen(gpath);
    while (k > 1 && gpath[k - 1] == '/') /* "g/" is the group g as well */
        gpath[--k] = '\0';
    if (nc_inq_grp_full_ncid(ncid, gpath, &gid) != NC_NOERR)
        return ES_OK;
    *handled = 1;
    nc_scan scan = {.any = true};
    int rc = scan_group(gid, &scan);
    if (rc == ES_OK)
        rc = es_series_group_error(path, gpath, "variable", &scan.all);
    es_name_list_free(&scan.all);
    es_name_list_free(&scan.plain);
    return rc;
}

static int choose(const char *path, int ncid, const char *var, long long row, const char *literal,
                  int *grp, int *varid)
{
    if (var && lookup(ncid, var, grp, varid))
        return ES_OK;
    int handled = 0, grc = var ? group_error(path, ncid, var, &handled) : ES_OK;
    if (handled)
        return grc;
    nc_scan scan = {0};
    int rc = scan_group(ncid, &scan);
    char list[600];
    es_name_list_join(&scan.all, list, sizeof list);
    if (rc == ES_OK) {
        const es_name_list *pick = scan.all.n == 1 ? &scan.all : &scan.plain;
        if (var && literal && row >= 0) /* "x[1]": neither a variable x[1] nor one x */
            rc = es_error_set(ES_EINVAL, "%s: no variable '%s', nor a 2-D '%s' to take row %lld "
                              "from (1-D numeric variables: %s)", path, literal, var, row,
                              scan.all.n ? list : "none");
        else if (var)
            rc = es_error_set(ES_EINVAL, "%s: no variable '%s' (1-D numeric variables: %s)", path,
                              var, scan.all.n ? list : "none");
        else if (scan.all.n == 0)
            rc = es_error_set(ES_EINVAL, "%s: no 1-D numeric variable in the file", path);
        else if (pick->n != 1)
            rc = es_error_set(ES_EINVAL,
                              "%s has %zu 1-D numeric variables (%s): choose one, as %s:VARIABLE",
                              path, scan.all.n, list, path);
        else if (!lookup(ncid, pick->names[0], grp, varid))
            rc = es_error_set(ES_EIO, "%s: cannot open variable '%s'", path, pick->names[0]);
    }
    es_name_list_free(&scan.all);
    es_name_list_free(&scan.plain);
    return rc;
}

/* "is not numeric (...)": what the variable holds instead, by type. */
static int not_numeric(int grp, nc_type type, const char *what)
{
    enum { SHOW = 6 };
    char desc[500], tname[NC_MAX_NAME + 1] = "";
    size_t size = 0, nfields = 0;
    nc_type base;
    int cls = 0;
    if (type == NC_CHAR)
        snprintf(desc, sizeof desc, "type char: text, not numbers");
    else if (type == NC_STRING)
        snprintf(desc, sizeof desc, "type string: text, not numbers");
    else if (nc_inq_user_type(grp, type, tname, &size, &base, &nfields, &cls) != NC_NOERR)
        snprintf(desc, sizeof desc, "unknown type %d", (int)type);
    else if (cls == NC_COMPOUND || cls == NC_ENUM) {
        char names[300] = "";
        size_t used = 0;
        for (size_t i = 0; i < nfields && i < SHOW && used + 1 < sizeof names; i++) {
            char fname[NC_MAX_NAME + 1] = "?";
            long long value; /* an enum member's value: up to 8 bytes */
            if (cls == NC_COMPOUND)
                nc_inq_compound_fieldname(grp, type, (int)i, fname);
            else
                nc_inq_enum_member(grp, type, (int)i, fname, &value);
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", fname);
        }
        if (nfields > SHOW && used + 1 < sizeof names)
            snprintf(names + used, sizeof names - used, ", ... (%zu in all)", nfields);
        if (cls == NC_COMPOUND)
            snprintf(desc, sizeof desc, "compound type '%s', with fields %s: a field cannot be "
                     "selected; write the one you need as a variable of its own", tname, names);
        else
            snprintf(desc, sizeof desc, "enum type '%s', with labels %s", tname, names);
    } else if (cls == NC_VLEN)
        snprintf(desc, sizeof desc, "vlen type '%s': each element is a variable-length sequence",
                 tname);
    else if (cls == NC_OPAQUE)
        snprintf(desc, sizeof desc, "opaque type '%s': raw bytes", tname);
    else
        snprintf(desc, sizeof desc, "type '%s'", tname);
    return es_error_set(ES_EINVAL, "%s is not numeric (%s)", what, desc);
}

static int check_shape(int grp, int varid, const char *what, long long row, size_t *n)
{
    int ndims = 0, dimids[NC_MAX_VAR_DIMS];
    nc_type type;
    nc_inq_varndims(grp, varid, &ndims);
    nc_inq_vardimid(grp, varid, dimids);
    nc_inq_vartype(grp, varid, &type);
    size_t len[NC_MAX_VAR_DIMS] = {0};
    unsigned long long ulen[NC_MAX_VAR_DIMS] = {0};
    char shape[512] = "scalar";
    size_t used = 0;
    for (int i = 0; i < ndims; i++) {
        nc_inq_dimlen(grp, dimids[i], &len[i]);
        ulen[i] = len[i];
        char dname[NC_MAX_NAME + 1] = "";
        nc_inq_dimname(grp, dimids[i], dname);
        if (used < sizeof shape - 80)
            used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%s=%zu", i ? ", " : "",
                                     dname, len[i]);
    }
    int rc = es_series_check_rank(what, ndims, ulen, row, shape, n);
    if (rc)
        return rc;
    if (!is_numeric_type(type))
        return not_numeric(grp, type, what);
    return ES_OK;
}

/* _Unsigned = "true" (the NetCDF-3 / CF convention): a byte, short, int or
 * int64 variable holds unsigned values in the signed type's bits (200 is
 * stored as the byte -56). NetCDF-C itself ignores the attribute. */
static bool is_unsigned_att(int grp, int varid, nc_type type)
{
    if (type != NC_BYTE && type != NC_SHORT && type != NC_INT && type != NC_INT64)
        return false;
    nc_type atype;
    size_t alen = 0;
    char buf[16] = "";
    if (nc_inq_att(grp, varid, "_Unsigned", &atype, &alen) != NC_NOERR)
        return false;
    if (atype == NC_CHAR && alen < sizeof buf) {
        if (nc_get_att_text(grp, varid, "_Unsigned", buf) != NC_NOERR)
            return false;
        buf[alen] = '\0';
    } else if (atype == NC_STRING && alen == 1) {
        char *str = NULL;
        if (nc_get_att_string(grp, varid, "_Unsigned", &str) != NC_NOERR)
            return false;
        snprintf(buf, sizeof buf, "%s", str ? str : "");
        nc_free_string(1, &str);
    }
    size_t k = strlen(buf);
    while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\0'))
        buf[--k] = '\0';
    return strcasecmp(buf, "true") == 0;
}

static bool is_integer_type(nc_type t)
{
    return is_numeric_type(t) && t != NC_FLOAT && t != NC_DOUBLE;
}

/* Element i of integer data `raw` of type `type` as a double; with
 * `as_unsigned` the bits of a signed type are read as the unsigned type's. */
static double int_value(const void *raw, nc_type type, size_t i, bool as_unsigned)
{
    switch (type) {
    case NC_BYTE: {
        signed char v = ((const signed char *)raw)[i];
        return as_unsigned ? (double)(unsigned char)v : (double)v;
    }
    case NC_UBYTE:
        return ((const unsigned char *)raw)[i];
    case NC_SHORT: {
        short v = ((const short *)raw)[i];
        return as_unsigned ? (double)(unsigned short)v : (double)v;
    }
    case NC_USHORT:
        return ((const unsigned short *)raw)[i];
    case NC_INT: {
        int v = ((const int *)raw)[i];
        return as_unsigned ? (double)(unsigned int)v : (double)v;
    }
    case NC_UINT:
        return ((const unsigned int *)raw)[i];
    case NC_INT64: {
        long long v = ((const long long *)raw)[i];
        return as_unsigned ? (double)(unsigned long long)v : (double)v;
    }
    default: /* NC_UINT64 */
        return (double)((const unsigned long long *)raw)[i];
    }
}

/* A missing-data marker: its value, and for an integer variable its bits in
 * the variable's own type (`raw`, when the attribute has that type or the
 * marker is the library's default fill) so the comparison is exact. `attr`:
 * "missing_value" for a missing_value, NULL for a fill value. */
typedef struct {
    double value;
    unsigned char raw[8];
    bool has_raw;
    const char *attr;
} nc_mark;

/* missing_value may be a vector (CF: "a scalar or vector containing values
 * indicating missing data"): at most this many of its values are used. */
#define MAX_MISSING 16

/* Missing-data markers: explicit _FillValue / missing_value attributes (all
 * values of a missing_value vector), or the library's default fill for
 * float, double and the 32- and 64-bit integer types. marks[1 + MAX_MISSING];
 * -1 (error set) for a missing_value longer than MAX_MISSING. */
static int missing_marks(int grp, int varid, nc_type type, const char *what, nc_mark *marks)
{
    int nmarks = 0;
    const char *attrs[2] = {"_FillValue", "missing_value"};
    size_t size = 0;
    nc_inq_type(grp, type, NULL, &size);
    for (int a = 0; a < 2; a++) {
        size_t alen = 0;
        nc_type atype;
        double values[MAX_MISSING];
        unsigned char raw[MAX_MISSING * 8];
        if (nc_inq_att(grp, varid, attrs[a], &atype, &alen) != NC_NOERR || alen < 1 ||
            !is_numeric_type(atype) || (a == 0 && alen != 1))
            continue;
        if (alen > MAX_MISSING) {
            es_error_set(ES_EDATA, "%s: missing_value has %zu values; at most %d are supported",
                         what, alen, MAX_MISSING);
            return -1;
        }
        if (nc_get_att_double(grp, varid, attrs[a], values) != NC_NOERR)
            continue;
        const bool has_raw = atype == type && is_integer_type(type) && size <= 8 &&
                             nc_get_att(grp, varid, attrs[a], raw) == NC_NOERR;
        for (size_t k = 0; k < alen; k++) {
            nc_mark *m = &marks[nmarks++];
            memset(m, 0, sizeof *m);
            m->value = values[k];
            /* a float variable holds the marker as a float: missing_value =
             * -999.9 written as a double is stored as -999.9f, not -999.9 */
            if (type == NC_FLOAT && atype != NC_FLOAT && fabs(m->value) <= FLT_MAX)
                m->value = (double)(float)m->value;
            m->has_raw = has_raw;
            if (has_raw)
                memcpy(m->raw, raw + k * size, size);
            m->attr = a == 1 ? "missing_value" : NULL;
        }
    }
    if (nmarks > 0)
        return nmarks;
    /* Default fills. Integers: -2147483647, 4294967295 and the 64-bit ones
     * are no plausible samples. Not byte, short, ubyte and ushort, whose
     * default fills (-127, -32767, 255, 65535) packed data and saturated
     * 8- and 16-bit sensors can hold. */
    nc_mark *m = &marks[0];
    memset(m, 0, sizeof *m);
    switch (type) {
    case NC_DOUBLE:
        m->value = NC_FILL_DOUBLE;
        return 1;
    case NC_FLOAT:
        m->value = (double)NC_FILL_FLOAT;
        return 1;
    case NC_INT: {
        int v = NC_FILL_INT;
        memcpy(m->raw, &v, sizeof v);
        m->value = v;
        break;
    }
    case NC_UINT: {
        unsigned int v = NC_FILL_UINT;
        memcpy(m->raw, &v, sizeof v);
        m->value = v;
        break;
    }
    case NC_INT64: {
        long long v = NC_FILL_INT64;
        memcpy(m->raw, &v, sizeof v);
        m->value = (double)v;
        break;
    }
    case NC_UINT64: {
        unsigned long long v = NC_FILL_UINT64;
        memcpy(m->raw, &v, sizeof v);
        m->value = (double)v;
        break;
    }
    default:
        return 0;
    }
    m->has_raw = true;
    return 1;
}

/* Where value i is, for messages: its flat index, or with xyz (a frame's
 * positions or velocities, fish × 3) the fish and the axis. */
static const char *where(char *buf, size_t len, size_t i, bool xyz)
{
    if (xyz)
        snprintf(buf, len, "fish %zu, axis %c", i / 3, "xyz"[i % 3]);
    else
        snprintf(buf, len, "index %zu (0-based)", i);
    return buf;
}

/* The fill check compares stored values: the raw bits of an integer
 * variable (before _Unsigned and packing are applied), as the library
 * writes fills; floating-point values as read. */
static int check_missing(int grp, int varid, nc_type type, const void *raw, size_t size,
                         bool as_unsigned, bool xyz, const es_series *s)
{
    nc_mark marks[1 + MAX_MISSING];
    int nmarks = missing_marks(grp, varid, type, s->source, marks);
    if (nmarks < 0)
        return ES_EDATA;
    for (size_t i = 0; i < s->n; i++)
        for (int m = 0; m < nmarks; m++) {
            bool hit;
            if (raw && marks[m].has_raw)
                hit = memcmp((const unsigned char *)raw + i * size, marks[m].raw, size) == 0;
            else if (raw)
                hit = int_value(raw, type, i, false) == marks[m].value;
            else
                hit = s->x[i] == marks[m].value;
            if (!hit)
                continue;
            const char *label = marks[m].attr ? marks[m].attr : "fill value";
            char at[64];
            where(at, sizeof at, i, xyz);
            if (as_unsigned && marks[m].has_raw && s->x[i] != marks[m].value)
                return es_error_set(ES_EDATA, "%s: missing value (%s %.17g, stored as %.17g; "
                                    "_Unsigned) at %s", s->source, label,
                                    s->x[i], marks[m].value, at);
            return es_error_set(ES_EDATA, "%s: missing value (%s %g) at %s",
                                s->source, label, marks[m].value, at);
        }
    return ES_OK;
}

/* One numeric attribute of a variable, if it is there as a single value. */
static int att_double(int grp, int varid, const char *name, double *v)
{
    size_t len = 0;
    nc_type type;
    return nc_inq_att(grp, varid, name, &type, &len) == NC_NOERR && len == 1 && is_numeric_type(type) &&
           nc_get_att_double(grp, varid, name, v) == NC_NOERR;
}

/* Values of the numeric attribute `name` (`len` of them) into v; those of
 * the variable's own type are read as unsigned with _Unsigned, as the data
 * are. *atype: the attribute's type. False when it is not there like that. */
static bool att_values(int grp, int varid, const char *name, size_t len, nc_type type,
                       bool as_unsigned, double *v, nc_type *atype)
{
    size_t alen = 0;
    if (nc_inq_att(grp, varid, name, atype, &alen) != NC_NOERR || alen != len ||
        !is_numeric_type(*atype))
        return false;
    if (*atype == type && as_unsigned) {
        long long raw[2]; /* two values of up to 8 bytes, aligned for int_value() */
        if (nc_get_att(grp, varid, name, raw) != NC_NOERR)
            return false;
        for (size_t k = 0; k < len; k++)
            v[k] = int_value(raw, type, k, true);
        return true;
    }
    return nc_get_att_double(grp, varid, name, v) == NC_NOERR;
}

/* v in the fewest significant digits (at least 6) that read back as v: a
 * value just past a limit must not print as the limit. */
static const char *num(char *buf, size_t len, double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* CF / NUG valid_range, or valid_min and valid_max: values outside are
 * missing or invalid data, rejected with their index like fill values. The
 * limits are in the stored units (after _Unsigned), except floating-point
 * limits of a packed integer variable, which are in unpacked units (as
 * netCDF-Java reads them): `unpacked` says which pass this is. */
static int check_valid(int grp, int varid, nc_type type, bool as_unsigned, bool packed,
                       bool unpacked, bool xyz, const es_series *s)
{
    double lim[2];
    nc_type at[2] = {NC_NAT, NC_NAT};
    bool has[2] = {false, false};
    const char *what = "valid_range";
    if (att_values(grp, varid, "valid_range", 2, type, as_unsigned, lim, &at[0])) {
        has[0] = has[1] = true;
        at[1] = at[0];
        if (!(lim[0] <= lim[1]))
            return es_error_set(ES_EDATA, "%s: unusable valid_range [%g, %g] (minimum above maximum)",
                                s->source, lim[0], lim[1]);
    } else {
        what = NULL;
        has[0] = att_values(grp, varid, "valid_min", 1, type, as_unsigned, &lim[0], &at[0]);
        has[1] = att_values(grp, varid, "valid_max", 1, type, as_unsigned, &lim[1], &at[1]);
    }
    for (int k = 0; k < 2; k++) {
        const bool in_unpacked = packed && is_integer_type(type) && at[k] != type &&
                                 (at[k] == NC_FLOAT || at[k] == NC_DOUBLE);
        if (in_unpacked != unpacked)
            has[k] = false;
    }
    if (!has[0] && !has[1])
        return ES_OK;
    /* A float variable's values are floats: limits of another type (a
     * valid_max = 0.1 written as a double, ncgen's default) compare in its
     * type, as 0.1f, which the value 0.1 stored in it equals. Messages give
     * the limits as the attributes hold them. */
    const double shown_lim[2] = {lim[0], lim[1]};
    for (int k = 0; k < 2 && !unpacked && type == NC_FLOAT; k++)
        if (has[k] && at[k] != NC_FLOAT && fabs(lim[k]) <= FLT_MAX)
            lim[k] = (double)(float)lim[k];
    /* Floating-point values may pass a limit by rounding: esuite's own
     * school.nc declares valid_range [0, 1] for order parameters that come
     * out as 1 + 8e-15 for an aligned school. Within 1e-12 of the limits'
     * scale is in range; integers are compared exactly. */
    double tol = 0.0;
    if (unpacked || !is_integer_type(type)) {
        double scale = 0.0;
        for (int k = 0; k < 2; k++)
            if (has[k] && fabs(lim[k]) > scale)
                scale = fabs(lim[k]);
        if (has[0] && has[1] && lim[1] - lim[0] > scale)
            scale = lim[1] - lim[0];
        tol = 1e-12 * scale;
    }
    for (size_t i = 0; i < s->n; i++) {
        const bool low = has[0] && s->x[i] < lim[0] - tol, high = has[1] && s->x[i] > lim[1] + tol;
        if (!low && !high)
            continue;
        char v[32], a[32], b[32], at[64];
        num(v, sizeof v, s->x[i]);
        num(a, sizeof a, shown_lim[0]);
        num(b, sizeof b, shown_lim[1]);
        where(at, sizeof at, i, xyz);
        if (what)
            return es_error_set(ES_EDATA, "%s: value %s at %s is outside valid_range "
                                "[%s, %s] (missing or invalid data)", s->source, v, at, a, b);
        return es_error_set(ES_EDATA, "%s: value %s at %s is %s %s %s (missing or "
                            "invalid data)", s->source, v, at, low ? "below" : "above",
                            low ? "valid_min" : "valid_max", low ? a : b);
    }
    return ES_OK;
}

/* CF packing: the values are x·scale_factor + add_offset (after the fill check,
 * which compares packed values, and after _Unsigned). A negative scale
 * reverses the order of the samples, so ordinal patterns need the unpacked
 * values. */
static int unpack(int grp, int varid, es_series *s)
{
    double scale = 1.0, offset = 0.0;
    int has_scale = att_double(grp, varid, "scale_factor", &scale);
    int has_offset = att_double(grp, varid, "add_offset", &offset);
    if (!has_scale && !has_offset)
        return ES_OK;
    if (!isfinite(scale) || !isfinite(offset) || scale == 0.0)
        return es_error_set(ES_EDATA, "%s: unusable packing (scale_factor %g, add_offset %g)", s->source,
                            scale, offset);
    for (size_t i = 0; i < s->n; i++)
        s->x[i] = s->x[i] * scale + offset;
    return es_series_check_finite(s); /* a huge scale can overflow finite packed values */
}

/* Read the n values (all of a 1-D variable, or row `row` of a 2-D one), check
 * them for fill values and unpack them into out->x. Integer variables are read
 * in their own type, so fills compare exactly and _Unsigned applies to the
 * stored bits. */
static int read_values(int grp, int varid, long long row, size_t n, es_series *out)
{
    nc_type type;
    size_t size = 0;
    nc_inq_vartype(grp, varid, &type);
    nc_inq_type(grp, type, NULL, &size);
    const bool integer = is_integer_type(type) && size > 0 && size <= 8;
    const bool as_unsigned = integer && is_unsigned_att(grp, varid, type);
    void *raw = integer ? malloc(n * size) : NULL;
    out->x = malloc(n * sizeof *out->x);
    if (!out->x || (integer && !raw)) {
        free(raw);
        return es_error_set(ES_ENOMEM, "%s: out of memory for %zu values", out->source, n);
    }
    const size_t start[2] = {(size_t)(row < 0 ? 0 : row), 0}, count[2] = {1, n};
    int st;
    if (integer)
        st = row < 0 ? nc_get_var(grp, varid, raw) : nc_get_vara(grp, varid, start, count, raw);
    else
        st = row < 0 ? nc_get_var_double(grp, varid, out->x)
                     : nc_get_vara_double(grp, varid, start, count, out->x);
    if (st != NC_NOERR) {
        free(raw);
        return es_error_set(ES_EIO, "%s: read failed: %s", out->source, nc_strerror(st));
    }
    out->n = n;
    for (size_t i = 0; integer && i < n; i++)
        out->x[i] = int_value(raw, type, i, as_unsigned);
    int rc = es_series_check_finite(out);
    if (rc == ES_OK)
        rc = check_missing(grp, varid, type, raw, size, as_unsigned, false, out);
    free(raw);
    double dummy;
    const bool packed = att_double(grp, varid, "scale_factor", &dummy) ||
                        att_double(grp, varid, "add_offset", &dummy);
    if (rc == ES_OK)
        rc = check_valid(grp, varid, type, as_unsigned, packed, false, false, out);
    if (rc == ES_OK)
        rc = unpack(grp, varid, out);
    if (rc == ES_OK && packed)
        rc = check_valid(grp, varid, type, as_unsigned, packed, true, false, out);
    return rc;
}

static int check_values(int ncid, int varid, double *x, size_t n, int unpacked, bool xyz,
                        const char *what)
{
    es_series s = {.x = x, .n = n};
    snprintf(s.source, sizeof s.source, "%s", what);
    nc_type type;
    if (nc_inq_vartype(ncid, varid, &type) != NC_NOERR)
        return es_error_set(ES_EIO, "%s: cannot read the variable's type", what);
    double dummy;
    const bool packed = att_double(ncid, varid, "scale_factor", &dummy) ||
                        att_double(ncid, varid, "add_offset", &dummy);
    if (unpacked)
        return packed ? check_valid(ncid, varid, type, false, true, true, xyz, &s) : ES_OK;
    int rc = check_missing(ncid, varid, type, NULL, 0, false, xyz, &s);
    return rc == ES_OK ? check_valid(ncid, varid, type, false, packed, false, xyz, &s) : rc;
}

int es_netcdf_check_values(int ncid, int varid, double *x, size_t n, int unpacked, const char *what)
{
    return check_values(ncid, varid, x, n, unpacked, false, what);
}

int es_netcdf_check_xyz(int ncid, int varid, double *x, size_t nfish, int unpacked, const char *what)
{
    return check_values(ncid, varid, x, 3 * nfish, unpacked, true, what);
}

int es_series_read_netcdf(const char *path, const char *var, long long row, const char *literal,
                          int hdf5_fallback, es_series *out)
{
    int ncid;
    int st = nc_open(path, NC_NOWRITE, &ncid);
    if (st != NC_NOERR)
        /* only a file with classic NetCDF's magic bytes gets here: one whose
         * header is cut short read "NetCDF: Invalid argument" and no more */
        return hdf5_fallback ? ES_SERIES_NOT_NETCDF
                          : es_error_set(ES_EIO, "cannot open '%s' as NetCDF (corrupt or truncated "
                                         "file?): %s", path, nc_strerror(st));
    /* NetCDF-C also opens plain HDF5 files, with made-up "phony_dim_N"
     * dimensions; those read better through the HDF5 API (real dataset
     * paths and shapes). Files written by the NetCDF library carry the
     * hidden _NCProperties attribute (NetCDF >= 4.4.1). */
    if (hdf5_fallback && nc_inq_att(ncid, NC_GLOBAL, "_NCProperties", NULL, NULL) != NC_NOERR) {
        nc_close(ncid);
        return ES_SERIES_NOT_NETCDF;
    }
    int grp, varid;
    int rc = es_netcdf_check_extent(path, ncid);
    if (rc == ES_OK && literal && lookup(ncid, literal, &grp, &varid)) {
        var = literal; /* a variable named "x[1]" itself */
        row = ES_SERIES_NO_ROW;
    } else if (rc == ES_OK && row == ES_SERIES_BAD_ROW) {
        rc = es_series_bad_row(path, literal);
    }
    if (rc == ES_OK)
        rc = choose(path, ncid, var, row, literal, &grp, &varid);
    size_t n = 0;
    if (rc == ES_OK) {
        char name[1024];
        var_path(grp, varid, name, sizeof name);
        es_series_set_source(out, path, name, row);
        rc = check_shape(grp, varid, out->source, row, &n);
    }
    if (rc == ES_OK)
        rc = read_values(grp, varid, row, n, out);
    nc_close(ncid);
    if (rc)
        es_series_free(out);
    return rc;
}
