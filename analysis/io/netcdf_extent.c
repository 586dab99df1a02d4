/* Truncation check for classic-format NetCDF files (CDF-1, CDF-2, CDF-5).
 *
 * NetCDF-C reads the data of a classic file with plain reads and fills what
 * lies past the end of the file with zeros, without an error: a file cut
 * short by a full disc or an interrupted copy reads as a series ending in
 * zeros. The header (at the start, so it survives) fixes the layout, so the
 * smallest size an intact file can have is known: the header as the format
 * specification encodes it, then every variable's data (NetCDF "Classic
 * Format Specification"). Files written with extra header space or aligned
 * data are larger, never smaller. NetCDF-4 files are HDF5 files, whose
 * library detects truncation itself. */
#include <netcdf.h>
#include <stdint.h>
#include <sys/stat.h>

#include "esuite/series_io.h"
#include "esuite/status.h"

typedef struct {
    uint64_t nonneg; /* bytes of a count or length: 4, or 8 in CDF-5 */
    uint64_t offset; /* bytes of a variable's data offset: 4 in CDF-1, else 8 */
} cdf_sizes;

static uint64_t pad4(uint64_t n) { return (n + 3) & ~(uint64_t)3; }

static uint64_t type_size(nc_type t)
{
    switch (t) {
    case NC_BYTE: case NC_CHAR: case NC_UBYTE: return 1;
    case NC_SHORT: case NC_USHORT: return 2;
    case NC_INT: case NC_UINT: case NC_FLOAT: return 4;
    default: return 8; /* NC_DOUBLE, NC_INT64, NC_UINT64: the rest are not classic types */
    }
}

static uint64_t name_size(const char *name, const cdf_sizes *z)
{
    uint64_t len = 0;
    while (name[len])
        len++;
    return z->nonneg + pad4(len);
}

/* An attribute list: tag, count, then name, type, count and padded values of each. */
static uint64_t att_list_size(int ncid, int varid, int natts, const cdf_sizes *z)
{
    uint64_t size = 4 + z->nonneg;
    for (int a = 0; a < natts; a++) {
        char name[NC_MAX_NAME + 1];
        nc_type type;
        size_t len;
        if (nc_inq_attname(ncid, varid, a, name) != NC_NOERR ||
            nc_inq_att(ncid, varid, name, &type, &len) != NC_NOERR)
            return 0;
        size += name_size(name, z) + 4 + z->nonneg + pad4(len * type_size(type));
    }
    return size;
}

/* Bytes of one variable's data (per record for a record variable). */
static uint64_t var_data_size(int ncid, int ndims, const int *dims, int unlim, nc_type type)
{
    uint64_t n = type_size(type);
    for (int d = 0; d < ndims; d++) {
        if (dims[d] == unlim)
            continue;
        size_t len;
        nc_inq_dimlen(ncid, dims[d], &len);
        n *= len;
    }
    return n;
}

/* The smallest size in bytes an intact file with this header can have; 0 on a query error. */
static uint64_t classic_min_size(int ncid, const cdf_sizes *z)
{
    int ndims, nvars, ngatts, unlim;
    if (nc_inq(ncid, &ndims, &nvars, &ngatts, &unlim) != NC_NOERR)
        return 0;
    uint64_t header = 4 + z->nonneg;         /* magic, number of records */
    header += 4 + z->nonneg;                 /* dimension list */
    for (int d = 0; d < ndims; d++) {
        char name[NC_MAX_NAME + 1];
        nc_inq_dimname(ncid, d, name);
        header += name_size(name, z) + z->nonneg;
    }
    uint64_t gatts = att_list_size(ncid, NC_GLOBAL, ngatts, z);
    if (!gatts)
        return 0;
    header += gatts + 4 + z->nonneg;         /* variable list */
    uint64_t fixed = 0, last_fixed_pad = 0, record = 0, last_record_pad = 0, record1 = 0;
    int nrecvars = 0;
    for (int v = 0; v < nvars; v++) {
        char name[NC_MAX_NAME + 1];
        nc_type type;
        int nd, natts, dims[NC_MAX_VAR_DIMS];
        if (nc_inq_var(ncid, v, name, &type, &nd, dims, &natts) != NC_NOERR)
            return 0;
        uint64_t atts = att_list_size(ncid, v, natts, z);
        if (!atts)
            return 0;
        header += name_size(name, z) + z->nonneg + (uint64_t)nd * z->nonneg + atts + 4 +
                  z->nonneg + z->offset;
        uint64_t bytes = var_data_size(ncid, nd, dims, unlim, type);
        if (nd > 0 && dims[0] == unlim) {
            record += pad4(bytes);
            record1 = bytes;
            last_record_pad = pad4(bytes) - bytes;
            nrecvars++;
        } else {
            fixed += pad4(bytes);
            last_fixed_pad = pad4(bytes) - bytes;
        }
    }
    size_t nrecs = 0;
    if (unlim >= 0)
        nc_inq_dimlen(ncid, unlim, &nrecs);
    if (nrecvars == 1) { /* a lone record variable's records are not padded */
        record = record1;
        last_record_pad = 0;
    }
    /* The data may end at the last byte of the last variable, unpadded. */
    if (nrecvars == 0 || nrecs == 0)
        return header + fixed - (nrecvars == 0 ? last_fixed_pad : 0);
    return header + fixed + record * nrecs - last_record_pad;
}

int es_netcdf_check_extent(const char *path, int ncid)
{
    int format;
    if (nc_inq_format(ncid, &format) != NC_NOERR)
        return ES_OK;
    cdf_sizes z;
    if (format == NC_FORMAT_CLASSIC)
        z = (cdf_sizes){4, 4};
    else if (format == NC_FORMAT_64BIT_OFFSET)
        z = (cdf_sizes){4, 8};
    else if (format == NC_FORMAT_CDF5)
        z = (cdf_sizes){8, 8};
    else
        return ES_OK; /* NetCDF-4: HDF5 checks its own extent */
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ES_OK; /* it was opened: a vanished file shows up at the next read */
    uint64_t need = classic_min_size(ncid, &z);
    if (need > (uint64_t)sb.st_size)
        return es_error_set(ES_EDATA,
                            "%s: truncated NetCDF file: %lld bytes, its header needs at least "
                            "%llu", path, (long long)sb.st_size, (unsigned long long)need);
    return ES_OK;
}
