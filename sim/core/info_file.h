/* core/info_file.h — `esuite info FILE`: the provenance an output file carries. */
#ifndef ESUITE_INFO_FILE_H
#define ESUITE_INFO_FILE_H

/* Print FILE's provenance (global attributes of an HDF5/NetCDF output, or
 * the "provenance" object of a summary.json); exit status 0, or 2 with one
 * message for a file that is missing or not an esuite output. */
int es_info_print_file(const char *path);

/* "HDF5" or "NetCDF" when the file at path starts with that format's
 * signature (a file NetCDF-C then cannot open is damaged), else NULL. */
const char *es_info_binary_kind(const char *path);

#endif
