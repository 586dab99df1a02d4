/* gas_table — print datasets of a gas.h5 file as text columns, one line per
 * sampling time, for gnuplot (the figure scripts compile it with the system
 * HDF5; h5dump is not needed).
 *
 *   gas_table FILE.h5 DATASET[@ROW] ...
 *
 * A 1-D dataset of length K is one column. A 2-D dataset R × K (one row per
 * realization) needs @ROW (0-based) or @mean (the mean over rows). Every
 * dataset must have the same K. Exit status 1 with a message on any error. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double *v;
    size_t k;
} column;

static int read_column(hid_t file, const char *spec, column *col)
{
    char name[512];
    snprintf(name, sizeof name, "%s", spec);
    char *at = strchr(name, '@');
    if (at)
        *at++ = '\0';
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) {
        fprintf(stderr, "gas_table: no dataset '%s'\n", name);
        return 1;
    }
    hid_t s = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    int rank = H5Sget_simple_extent_ndims(s);
    H5Sget_simple_extent_dims(s, dims, NULL);
    H5Sclose(s);
    size_t rows = rank == 2 ? dims[0] : 1, k = rank == 2 ? dims[1] : dims[0];
    if (rank < 1 || rank > 2 || (rank == 2 && !at) || (rank == 1 && at)) {
        fprintf(stderr, "gas_table: '%s' has rank %d (2-D needs @ROW or @mean)\n", name, rank);
        H5Dclose(d);
        return 1;
    }
    double *all = malloc(rows * k * sizeof *all);
    col->v = malloc(k * sizeof *col->v);
    col->k = k;
    if (!all || !col->v || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, all) < 0) {
        fprintf(stderr, "gas_table: cannot read '%s'\n", name);
        free(all);
        H5Dclose(d);
        return 1;
    }
    H5Dclose(d);
    for (size_t j = 0; j < k; j++) {
        if (!at) {
            col->v[j] = all[j];
        } else if (strcmp(at, "mean") == 0) {
            double m = 0.0;
            for (size_t r = 0; r < rows; r++)
                m += all[r * k + j] / rows;
            col->v[j] = m;
        } else {
            size_t r = strtoul(at, NULL, 10);
            if (r >= rows) {
                fprintf(stderr, "gas_table: '%s' has %zu rows\n", name, rows);
                free(all);
                return 1;
            }
            col->v[j] = all[r * k + j];
        }
    }
    free(all);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gas_table FILE.h5 DATASET[@ROW|@mean] ...\n");
        return 1;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        fprintf(stderr, "gas_table: cannot open '%s'\n", argv[1]);
        return 1;
    }
    int nc = argc - 2, rc = 0;
    column *cols = calloc((size_t)nc, sizeof *cols);
    for (int c = 0; c < nc && !rc; c++) {
        rc = read_column(file, argv[c + 2], &cols[c]);
        if (!rc && cols[c].k != cols[0].k) {
            fprintf(stderr, "gas_table: '%s' has %zu values, not %zu\n", argv[c + 2], cols[c].k, cols[0].k);
            rc = 1;
        }
    }
    H5Fclose(file);
    for (size_t j = 0; !rc && j < cols[0].k; j++)
        for (int c = 0; c < nc; c++)
            printf("%.10g%c", cols[c].v[j], c + 1 < nc ? ' ' : '\n');
    for (int c = 0; c < nc; c++)
        free(cols[c].v);
    free(cols);
    return rc;
}
