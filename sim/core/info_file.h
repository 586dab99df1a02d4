/* core/info_file.h — `esuite info FILE`: the provenance an output file carries. */
#ifndef ESUITE_INFO_FILE_H
#define ESUITE_INFO_FILE_H

#include <stddef.h>

/* Print FILE's provenance (global attributes of an HDF5/NetCDF output, or
 * the "provenance" object of a summary.json); exit status 0, or 2 with one
 * message for a file that is missing or not an esuite output. */
int es_info_print_file(const char *path);

/* "HDF5" or "NetCDF" when the file at path starts with that format's
 * signature (a file NetCDF-C then cannot open is damaged), else NULL. */
const char *es_info_binary_kind(const char *path);

/* "DIR/NAME" in buf when that is a regular file (a run directory given where
 * one of its files was meant: the message can name the file), else NULL. */
const char *es_info_file_in_dir(const char *dir, const char *name, char *buf, size_t len);

#endif
