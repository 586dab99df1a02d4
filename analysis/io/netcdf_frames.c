/* Checks for (time, fish, spatial) frame variables read from NetCDF files
 * esuite did not necessarily write (school-metrics, init = file). */
#include "esuite/series_io.h"
#include "esuite/status.h"

#include <math.h>
#include <netcdf.h>
#include <string.h>

int es_netcdf_check_frame_dims(const char *path, int ncid, int varid, const char *var)
{
    static const char *const want[3] = {"time", "fish", "spatial"};
    int nd = 0, dims[NC_MAX_VAR_DIMS];
    if (nc_inq_varndims(ncid, varid, &nd) != NC_NOERR || nd != 3 ||
        nc_inq_vardimid(ncid, varid, dims) != NC_NOERR)
        return ES_OK; /* the caller reports the rank */
    char name[3][NC_MAX_NAME + 1];
    for (int a = 0; a < 3; a++)
        if (nc_inq_dimname(ncid, dims[a], name[a]) != NC_NOERR)
            name[a][0] = '\0';
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            if (a != b && !strcmp(name[a], want[b]))
                return es_error_set(ES_EDATA, "%s: variable '%s' has dimensions (%s, %s, %s), "
                                              "expected (time, fish, spatial)", path, var,
                                    name[0], name[1], name[2]);
    return ES_OK;
}

int es_netcdf_fill_value(int ncid, int varid, double *fill)
{
    int nofill = 0;
    if (nc_inq_var_fill(ncid, varid, &nofill, NULL) != NC_NOERR || nofill)
        return 0;
    if (nc_get_att_double(ncid, varid, "_FillValue", fill) == NC_NOERR)
        return 1;
    nc_type t;
    if (nc_inq_vartype(ncid, varid, &t) != NC_NOERR || (t != NC_DOUBLE && t != NC_FLOAT))
        return 0;
    *fill = t == NC_FLOAT ? (double)NC_FILL_FLOAT : NC_FILL_DOUBLE;
    return 1;
}

/* One packing attribute: 0 absent, 1 read into *v, -1 not one number. */
static int packing_att(int ncid, int varid, const char *name, double *v)
{
    nc_type t;
    size_t len = 0;
    if (nc_inq_att(ncid, varid, name, &t, &len) != NC_NOERR)
        return 0;
    if (len != 1 || t == NC_CHAR || t == NC_STRING ||
        nc_get_att_double(ncid, varid, name, v) != NC_NOERR)
        return -1;
    return 1;
}

int es_netcdf_packing(const char *path, int ncid, int varid, const char *var, double *scale,
                      double *offset)
{
    *scale = 1.0;
    *offset = 0.0;
    int s = packing_att(ncid, varid, "scale_factor", scale);
    int o = packing_att(ncid, varid, "add_offset", offset);
    if (s < 0 || o < 0)
        return es_error_set(ES_EDATA, "%s: variable '%s': attribute %s is not one number", path, var,
                            s < 0 ? "scale_factor" : "add_offset");
    if (!isfinite(*scale) || *scale == 0.0 || !isfinite(*offset))
        return es_error_set(ES_EDATA, "%s: variable '%s': unusable packing (scale_factor %g, "
                                      "add_offset %g)", path, var, *scale, *offset);
    return ES_OK;
}
