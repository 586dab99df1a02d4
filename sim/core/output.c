/* output.c — run directories, atomic files, provenance attributes, summary.json.
 *
 * Every output is written under a hidden temporary name in its final
 * directory and renamed into place only when complete (rename within one
 * directory is atomic), with fsync of the file before and of the directory
 * after, so neither a crash nor a full disk leaves a file that looks
 * finished. HDF5's own error printing is switched off while these functions
 * run: problems are reported through es_error_set() only. */
#include "core/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netcdf.h>
#include <omp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esuite/status.h"
#include "esuite_version.h"

#define H5_CHUNK_THRESHOLD 4096 /* elements; smaller datasets stay contiguous */
#define H5_CHUNK_ELEMENTS 65536 /* about 512 KiB of doubles per chunk */
#define H5_DEFLATE_LEVEL 4

static const char *nz(const char *s) { return s ? s : ""; }

/* ---------- provenance ---------- */

static void iso_utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        buf[0] = '\0';
}

/* The process's command line, formatted when main starts (option parsers
 * permute argv later), copied into every record. */
static char g_command_line[sizeof ((es_provenance *)0)->command_line];
static char g_start_time[sizeof ((es_provenance *)0)->start_time];
/* A resumed run: the history lines of the runs before it, from its checkpoint
 * (NULL: a fresh run, or a checkpoint that did not record them). */
static char *g_history_before;

void es_provenance_init(es_provenance *p, const es_config *cfg, const char *model)
{
    memset(p, 0, sizeof *p);
    memcpy(p->command_line, g_command_line, sizeof p->command_line);
    p->model = nz(model);
    p->run_name = "";
    p->config_path = "";
    p->threads = omp_get_max_threads();
    if (cfg) {
        p->run_name = nz(es_config_string(cfg, "run", "name"));
        p->seed = (unsigned long long)es_config_int(cfg, "run", "seed");
        long long threads = es_config_int(cfg, "run", "threads");
        if (threads > 0)
            p->threads = (int)threads;
        p->config_ini = es_config_to_ini(cfg);
        p->overrides = es_config_overrides_text(cfg);
        p->incomplete = !p->config_ini || !p->overrides;
        p->config_path = nz(es_config_origin(cfg));
    }
    if (gethostname(p->host, sizeof p->host) != 0)
        snprintf(p->host, sizeof p->host, "unknown");
    p->host[sizeof p->host - 1] = '\0';
    if (g_start_time[0])
        memcpy(p->start_time, g_start_time, sizeof p->start_time);
    else
        iso_utc_now(p->start_time, sizeof p->start_time);
    if (g_history_before && *g_history_before) {
        p->history_before = strdup(g_history_before);
        p->incomplete |= !p->history_before;
    }
}

/* True when `arg` must be quoted to be pasted back into a POSIX shell. */
static bool needs_quotes(const char *arg)
{
    if (!*arg)
        return true;
    for (const char *c = arg; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("-_./:=,+@%", *c)))
            return true;
    return false;
}

/* argv as one line that a POSIX shell reads back as the same words. */
static void format_command(char *out, size_t cap, int argc, char **argv)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < argc && argv[i]; i++) {
        char word[1100];
        size_t w = 0;
        bool q = needs_quotes(argv[i]);
        if (q)
            word[w++] = '\'';
        for (const char *c = argv[i]; *c && w < sizeof word - 8; c++) {
            if (*c == '\'') { /* 'it'\''s' */
                memcpy(word + w, "'\\''", 4);
                w += 4;
            } else {
                word[w++] = *c;
            }
        }
        if (q)
            word[w++] = '\'';
        word[w] = '\0';
        if (used + (i ? 1 : 0) + w + 1 > cap) { /* does not fit: mark the cut */
            memcpy(out + (used + 4 <= cap ? used : cap - 4), "...", 4);
            return;
        }
        if (i)
            out[used++] = ' ';
        memcpy(out + used, word, w + 1);
        used += w;
    }
}

void es_provenance_set_command(es_provenance *p, int argc, char **argv)
{
    format_command(p->command_line, sizeof p->command_line, argc, argv);
}

void es_provenance_set_process_command(int argc, char **argv)
{
    format_command(g_command_line, sizeof g_command_line, argc, argv);
}

void es_provenance_mark_start(void) { iso_utc_now(g_start_time, sizeof g_start_time); }

int es_provenance_set_history_before(const char *lines)
{
    free(g_history_before);
    g_history_before = NULL;
    if (!lines)
        return ES_OK;
    size_t n = strlen(lines);
    while (n && lines[n - 1] == '\n')
        n--;
    if (n && !(g_history_before = strndup(lines, n)))
        return es_error_set(ES_ENOMEM, "out of memory for the history of the runs before");
    return ES_OK;
}

void es_provenance_finish(es_provenance *p) { iso_utc_now(p->end_time, sizeof p->end_time); }

void es_provenance_free(es_provenance *p)
{
    free(p->config_ini);
    free(p->overrides);
    free(p->history_before);
    p->config_ini = NULL;
    p->overrides = NULL;
    p->history_before = NULL;
}

/* ---------- directories and atomic files ---------- */

int es_output_prepare_dir(const char *dir)
{
    if (!dir || !*dir)
        return es_error_set(ES_EINVAL, "empty output directory name");
    char path[4096];
    if (strlen(dir) >= sizeof path)
        return es_error_set(ES_EINVAL, "output directory name too long: '%.64s...'", dir);
    strcpy(path, dir);
    /* Create each component in turn, like mkdir -p. */
    for (char *s = path + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(path, 0777) != 0) {
            int err = errno;
            struct stat st;
            if (err != EEXIST)
                return es_error_set(ES_EIO, "cannot create output directory '%s': %s", path,
                                    strerror(err));
            if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
                return es_error_set(ES_EIO,
                                    "cannot create output directory '%s': '%s' exists and is not "
                                    "a directory",
                                    dir, path);
        }
        *s = saved;
        if (!saved)
            break;
    }
    if (access(dir, W_OK | X_OK) != 0)
        return es_error_set(ES_EIO, "output directory '%s' is not writable: %s", dir,
                            strerror(errno));
    return ES_OK;
}

static int hdf5_failed;

void es_output_hdf5_failed(void) { hdf5_failed = 1; }

int es_output_hdf5_has_failed(void) { return hdf5_failed; }

void es_output_tmp_path(const char *final_path, char *tmp, size_t len)
{
    const char *slash = strrchr(final_path, '/');
    int dirlen = slash ? (int)(slash - final_path + 1) : 0;
    const char *base = slash ? slash + 1 : final_path;
    int w = snprintf(tmp, len, "%.*s.%s.part-%ld", dirlen, final_path, base, (long)getpid());
    (void)w; /* len >= 4200 per the contract; a longer name fails at open() */
}

/* fsync a path opened read-only (enough on Linux for files and directories). */
static int fsync_path(const char *path, int flags)
{
    int fd = open(path, O_RDONLY | flags);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

int es_output_commit(const char *tmp_path, const char *final_path)
{
    if (fsync_path(tmp_path, 0) != 0)
        return es_error_set(ES_EIO, "cannot flush '%s' to disk: %s", tmp_path, strerror(errno));
    if (rename(tmp_path, final_path) != 0)
        return es_error_set(ES_EIO, "cannot write '%s': %s (moving the finished '%s' onto it "
                            "failed)", final_path, strerror(errno), tmp_path);
    return es_output_sync_parent(final_path);
}

int es_output_sync_parent(const char *path)
{
    /* A rename is durable only once the directory holding the new entry is. */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (fsync_path(dir, O_DIRECTORY) != 0 && errno != EINVAL)
        return es_error_set(ES_EIO, "cannot flush directory '%s' to disk: %s", dir,
                            strerror(errno));
    return ES_OK;
}

void es_output_discard(const char *tmp_path)
{
    if (tmp_path && *tmp_path)
        unlink(tmp_path);
}

/* ---------- HDF5 ---------- */

/* HDF5 prints its error stack by default; library code must not print. */
typedef struct {
    H5E_auto2_t func;
    void *data;
} h5_quiet;

static h5_quiet h5_quiet_begin(void)
{
    h5_quiet q;
    H5Eget_auto2(H5E_DEFAULT, &q.func, &q.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return q;
}

static void h5_quiet_end(h5_quiet q) { H5Eset_auto2(H5E_DEFAULT, q.func, q.data); }

/* Write len bytes to a new file at path, checking every write and the flush. */
static int write_bytes(const char *path, const void *buf, size_t len, const char *name)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return es_error_set(ES_EIO, "cannot write '%s': %s", name, strerror(errno));
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : ENOSPC;
            close(fd);
            return es_error_set(ES_EIO, "cannot write '%s': %s", name, strerror(err));
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0)
        return es_error_set(ES_EIO, "cannot write '%s': %s", name, strerror(errno));
    return ES_OK;
}

hid_t es_h5_create_in_memory(const char *final_path)
{
    h5_quiet q = h5_quiet_begin();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = -1;
    /* 1 MiB growth steps, no backing store: nothing reaches the disk here */
    if (fapl >= 0 && H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) >= 0)
        f = H5Fcreate(final_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    h5_quiet_end(q);
    if (f < 0)
        es_error_set(ES_EIO, "%s: cannot create the HDF5 file in memory", final_path);
    return f;
}

int es_h5_commit_memory(hid_t f, const char *final_path)
{
    h5_quiet q = h5_quiet_begin();
    int st = ES_OK;
    void *image = NULL;
    ssize_t n = H5Fflush(f, H5F_SCOPE_GLOBAL) < 0 ? -1 : H5Fget_file_image(f, NULL, 0);
    if (n < 0)
        st = es_error_set(ES_EIO, "%s: HDF5 could not complete the file", final_path);
    else if (!(image = malloc((size_t)n)))
        st = es_error_set(ES_ENOMEM, "%s: out of memory for the file image", final_path);
    else if (H5Fget_file_image(f, image, (size_t)n) != n)
        st = es_error_set(ES_EIO, "%s: HDF5 could not complete the file", final_path);
    H5Fclose(f); /* in memory: cannot fail for lack of disk */
    h5_quiet_end(q);
    if (st) {
        free(image);
        return st;
    }
    char tmp[4400];
    es_output_tmp_path(final_path, tmp, sizeof tmp);
    st = write_bytes(tmp, image, (size_t)n, final_path);
    free(image);
    if (!st)
        st = es_output_commit(tmp, final_path);
    if (st)
        es_output_discard(tmp);
    return st;
}

/* Scalar attribute of `file_type`, replacing an existing one of that name. */
static int h5_attr_scalar(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                          const void *value)
{
    h5_quiet q = h5_quiet_begin();
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = space < 0 ? -1 : H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = attr < 0 ? -1 : H5Awrite(attr, mem_type, value);
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    h5_quiet_end(q);
    return st < 0 ? es_error_set(ES_EIO, "HDF5: cannot write attribute '%s'", name) : ES_OK;
}

/* Strings are variable-length UTF-8: h5py reads them as str, any length fits. */
int es_h5_write_attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const char *v = nz(value);
    int rc = h5_attr_scalar(obj, name, type, type, &v);
    H5Tclose(type);
    return rc;
}

int es_h5_write_attr_double(hid_t obj, const char *name, double value)
{
    return h5_attr_scalar(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int es_h5_write_attr_long(hid_t obj, const char *name, long long value)
{
    return h5_attr_scalar(obj, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value);
}

/* Chunk shape of about H5_CHUNK_ELEMENTS, filling the fastest dimensions first. */
static void chunk_dims(int rank, const hsize_t *dims, hsize_t *chunk)
{
    hsize_t budget = H5_CHUNK_ELEMENTS;
    for (int i = rank - 1; i >= 0; i--) {
        hsize_t c = dims[i] < budget ? dims[i] : budget;
        chunk[i] = c > 0 ? c : 1;
        budget /= chunk[i];
        if (budget < 1)
            budget = 1;
    }
}

int es_h5_write_double(hid_t loc, const char *name, int rank, const unsigned long long *dims,
                       const double *data, const char *units, const char *long_name)
{
    return es_h5_write_double_level(loc, name, rank, dims, data, units, long_name, -1);
}

int es_h5_write_double_level(hid_t loc, const char *name, int rank, const unsigned long long *dims,
                             const double *data, const char *units, const char *long_name,
                             int level)
{
    if (rank < 1 || rank > H5S_MAX_RANK)
        return es_error_set(ES_EINVAL, "HDF5 dataset '%s': rank %d out of range 1..%d", name, rank,
                            H5S_MAX_RANK);
    hsize_t hd[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
    unsigned long long total = 1;
    for (int i = 0; i < rank; i++) {
        hd[i] = (hsize_t)dims[i];
        total *= dims[i];
    }
    h5_quiet q = h5_quiet_begin();
    hid_t space = H5Screate_simple(rank, hd, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (level < 0)
        level = H5_DEFLATE_LEVEL;
    if (total > H5_CHUNK_THRESHOLD && level > 0) { /* level 0: contiguous, as stored */
        chunk_dims(rank, hd, chunk);
        H5Pset_chunk(dcpl, rank, chunk);
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            H5Pset_shuffle(dcpl); /* byte-shuffle first: doubles compress far better */
            H5Pset_deflate(dcpl, (unsigned)level);
        }
    }
    hid_t dset = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t st = dset < 0 ? -1 : H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Pclose(dcpl);
    H5Sclose(space);
    h5_quiet_end(q);
    if (st < 0) {
        if (dset >= 0)
            H5Dclose(dset);
        return es_error_set(ES_EIO, "HDF5: cannot write dataset '%s' (%llu values)", name, total);
    }
    int rc = ES_OK;
    if (units)
        rc = es_h5_write_attr_string(dset, "units", units);
    if (!rc && long_name)
        rc = es_h5_write_attr_string(dset, "long_name", long_name);
    H5Dclose(dset);
    return rc;
}

/* The history attribute: the earlier runs' lines, then this run's
 * (malloc'ed, NULL when out of memory). Sized to fit: a fixed 8 KiB cut the
 * oldest lines off after about 50 resumed runs. */
static char *history_text(const es_provenance *p)
{
    const char *before = p->history_before ? p->history_before : "";
    const char *cmd = *p->command_line ? p->command_line : "esuite";
    const char *fmt = "%s%s%s: %s (esuite %s, git %s)";
    const char *nl = *before ? "\n" : "";
    int n = snprintf(NULL, 0, fmt, before, nl, p->start_time, cmd, ESUITE_VERSION, ESUITE_GIT_REVISION);
    char *h = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (h)
        snprintf(h, (size_t)n + 1, fmt, before, nl, p->start_time, cmd, ESUITE_VERSION, ESUITE_GIT_REVISION);
    return h;
}

char *es_provenance_history_so_far(void)
{
    es_provenance p;
    memset(&p, 0, sizeof p);
    memcpy(p.command_line, g_command_line, sizeof p.command_line);
    if (g_start_time[0])
        memcpy(p.start_time, g_start_time, sizeof p.start_time);
    else
        iso_utc_now(p.start_time, sizeof p.start_time);
    p.history_before = g_history_before;
    return history_text(&p);
}

static void title_line(const es_provenance *p, char *buf, size_t len)
{
    if (*nz(p->run_name))
        snprintf(buf, len, "esuite %s run '%s'", nz(p->model), p->run_name);
    else
        snprintf(buf, len, "esuite %s output", nz(p->model));
}

/* The string attributes shared by HDF5 and NetCDF, in writing order. */
typedef struct {
    const char *name, *value;
} str_attr;

/* The string attributes; *history is malloc'ed (the caller frees it);
 * -1 when out of memory. */
static int provenance_strings(const es_provenance *p, char *title, char *source, char **history,
                              str_attr *a)
{
    title_line(p, title, 256);
    snprintf(source, 64, "esuite %s", ESUITE_VERSION);
    if (!(*history = history_text(p))) {
        es_error_set(ES_ENOMEM, "provenance: out of memory for the history attribute");
        return -1;
    }
    int n = 0;
    a[n++] = (str_attr){"title", title};
    a[n++] = (str_attr){"source", source};
    a[n++] = (str_attr){"esuite_version", ESUITE_VERSION};
    a[n++] = (str_attr){"git_revision", ESUITE_GIT_REVISION};
    a[n++] = (str_attr){"model", nz(p->model)};
    a[n++] = (str_attr){"run_name", nz(p->run_name)};
    a[n++] = (str_attr){"host", p->host};
    a[n++] = (str_attr){"start_time", p->start_time};
    a[n++] = (str_attr){"end_time", p->end_time};
    a[n++] = (str_attr){"config_path", nz(p->config_path)};
    a[n++] = (str_attr){"config", nz(p->config_ini)};
    a[n++] = (str_attr){"overrides", nz(p->overrides)};
    a[n++] = (str_attr){"command_line", p->command_line};
    a[n++] = (str_attr){"history", *history};
    return n;
}

/* Every output records its config: none is written without it. */
static int check_complete(const es_provenance *p)
{
    return p->incomplete ? es_error_set(ES_ENOMEM, "provenance: out of memory for the config text")
                         : ES_OK;
}

int es_output_h5_provenance(hid_t file, const es_provenance *p)
{
    if (check_complete(p))
        return ES_ENOMEM;
    char title[256], source[64], *history;
    str_attr a[16];
    int n = provenance_strings(p, title, source, &history, a);
    if (n < 0)
        return ES_ENOMEM;
    int rc = ES_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = es_h5_write_attr_string(file, a[i].name, a[i].value);
    free(history);
    if (rc)
        return rc;
    unsigned long long seed = p->seed;
    rc = h5_attr_scalar(file, "seed", H5T_STD_U64LE, H5T_NATIVE_ULLONG, &seed);
    if (!rc) {
        int threads = p->threads;
        rc = h5_attr_scalar(file, "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &threads);
    }
    return rc;
}

/* ---------- NetCDF ---------- */

int es_output_nc_provenance(int ncid, const es_provenance *p)
{
    /* Classic files take new attributes only in define mode: enter it if
     * the caller has left it (and leave it again at the end). NetCDF-4
     * accepts them in either mode. */
    if (check_complete(p))
        return ES_ENOMEM;
    int redef = NC_EINDEFINE;
    int st = nc_put_att_text(ncid, NC_GLOBAL, "Conventions", 6, "CF-1.8");
    if (st == NC_ENOTINDEFINE) {
        redef = nc_redef(ncid);
        if (redef != NC_NOERR)
            return es_error_set(ES_EIO, "NetCDF: cannot enter define mode: %s", nc_strerror(redef));
        st = nc_put_att_text(ncid, NC_GLOBAL, "Conventions", 6, "CF-1.8");
    }
    char title[256], source[64], *history;
    str_attr a[16];
    int n = provenance_strings(p, title, source, &history, a);
    if (n < 0) {
        if (redef == NC_NOERR)
            nc_enddef(ncid);
        return ES_ENOMEM;
    }
    for (int i = 0; i < n && st == NC_NOERR; i++)
        st = nc_put_att_text(ncid, NC_GLOBAL, a[i].name, strlen(a[i].value), a[i].value);
    free(history);
    const char *failed = st == NC_NOERR ? NULL : "string attributes";
    int format = NC_FORMAT_CLASSIC;
    nc_inq_format(ncid, &format);
    if (!failed) {
        /* 64-bit unsigned integers exist in NetCDF-4 and CDF5 only; classic
         * formats get the seed as exact decimal text. */
        if (format == NC_FORMAT_NETCDF4 || format == NC_FORMAT_CDF5) {
            unsigned long long seed = p->seed;
            st = nc_put_att_ulonglong(ncid, NC_GLOBAL, "seed", NC_UINT64, 1, &seed);
        } else {
            char seed[32];
            snprintf(seed, sizeof seed, "%llu", p->seed);
            st = nc_put_att_text(ncid, NC_GLOBAL, "seed", strlen(seed), seed);
        }
        failed = st == NC_NOERR ? NULL : "seed";
    }
    if (!failed) {
        int threads = p->threads;
        st = nc_put_att_int(ncid, NC_GLOBAL, "threads", NC_INT, 1, &threads);
        failed = st == NC_NOERR ? NULL : "threads";
    }
    if (redef == NC_NOERR) {
        int st2 = nc_enddef(ncid);
        if (!failed && st2 != NC_NOERR) {
            st = st2;
            failed = "enddef";
        }
    }
    if (failed)
        return es_error_set(ES_EIO, "NetCDF: cannot write provenance (%s): %s", failed,
                            nc_strerror(st));
    return ES_OK;
}

int es_output_nc_finish(int ncid, es_provenance *p)
{
    es_provenance_finish(p);
    int redef = NC_EINDEFINE;
    int st = nc_put_att_text(ncid, NC_GLOBAL, "end_time", strlen(p->end_time), p->end_time);
    if (st == NC_ENOTINDEFINE) { /* classic formats: attributes only in define mode */
        redef = nc_redef(ncid);
        if (redef != NC_NOERR)
            return es_error_set(ES_EIO, "NetCDF: cannot enter define mode: %s", nc_strerror(redef));
        st = nc_put_att_text(ncid, NC_GLOBAL, "end_time", strlen(p->end_time), p->end_time);
    }
    if (redef == NC_NOERR) {
        int st2 = nc_enddef(ncid);
        if (st == NC_NOERR)
            st = st2;
    }
    if (st != NC_NOERR)
        return es_error_set(ES_EIO, "NetCDF: cannot write provenance (end_time): %s", nc_strerror(st));
    return ES_OK;
}

/* The history of a file written by the runs before: into p->history_before
 * (set to "" when there is none, so that it is read only once). */
static int read_history_before(int ncid, es_provenance *p)
{
    size_t len = 0;
    free(p->history_before);
    p->history_before = NULL;
    char *h = NULL;
    if (nc_inq_attlen(ncid, NC_GLOBAL, "history", &len) == NC_NOERR && len > 0) {
        h = malloc(len + 1);
        if (!h)
            return es_error_set(ES_ENOMEM, "NetCDF: out of memory for the history attribute");
        if (nc_get_att_text(ncid, NC_GLOBAL, "history", h) != NC_NOERR) {
            free(h);
            return es_error_set(ES_EIO, "NetCDF: cannot read the history attribute");
        }
        while (len && h[len - 1] == '\n')
            len--;
        h[len] = '\0';
    } else if (!(h = strdup(""))) {
        return es_error_set(ES_ENOMEM, "NetCDF: out of memory for the history attribute");
    }
    p->history_before = h;
    return ES_OK;
}

int es_output_nc_resume_history(int ncid, es_provenance *p)
{
    int st = read_history_before(ncid, p);
    if (st)
        return st;
    char *history = history_text(p);
    if (!history)
        return es_error_set(ES_ENOMEM, "NetCDF: out of memory for the history attribute");
    int redef = NC_EINDEFINE;
    int nst = nc_put_att_text(ncid, NC_GLOBAL, "history", strlen(history), history);
    if (nst == NC_ENOTINDEFINE) { /* classic formats: attributes only in define mode */
        redef = nc_redef(ncid);
        if (redef != NC_NOERR) {
            free(history);
            return es_error_set(ES_EIO, "NetCDF: cannot enter define mode: %s", nc_strerror(redef));
        }
        nst = nc_put_att_text(ncid, NC_GLOBAL, "history", strlen(history), history);
    }
    free(history);
    if (redef == NC_NOERR) {
        int st2 = nc_enddef(ncid);
        if (nst == NC_NOERR)
            nst = st2;
    }
    if (nst != NC_NOERR)
        return es_error_set(ES_EIO, "NetCDF: cannot write provenance (history): %s", nc_strerror(nst));
    return ES_OK;
}

int es_output_nc_finish_resumed(int ncid, es_provenance *p)
{
    if (!p->history_before) { /* not read when the file was reopened */
        int st = read_history_before(ncid, p);
        if (st)
            return st;
    }
    es_provenance_finish(p);
    return es_output_nc_provenance(ncid, p);
}

/* ---------- summary.json ---------- */

json_t *es_json_real(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* Length of the valid UTF-8 sequence at s (NUL-terminated), 0 if there is
 * none (a stray byte, overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80) /* also stops at the NUL */
            return 0;
    if (n && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
              (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F)))
        return 0;
    return n;
}

int es_utf8_valid(const char *s)
{
    for (const unsigned char *u = (const unsigned char *)nz(s); *u;) {
        size_t n = utf8_seq(u);
        if (n == 0)
            return 0;
        u += n;
    }
    return 1;
}

json_t *es_json_text(const char *s)
{
    s = nz(s);
    json_t *j = json_string(s);
    if (j)
        return j;
    /* json_string() refuses bytes that are not UTF-8 (a Latin-1 file name)
     * and the key was then left out of the object */
    char *t = malloc(4 * strlen(s) + 1);
    if (!t)
        return json_null();
    size_t o = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u;) {
        size_t n = utf8_seq(u);
        if (n == 0) {
            o += (size_t)sprintf(t + o, "\\x%02X", *u);
            u++;
        } else {
            memcpy(t + o, u, n);
            o += n;
            u += n;
        }
    }
    t[o] = '\0';
    j = json_string(t);
    free(t);
    return j ? j : json_null();
}

static json_t *lines_array(const char *text)
{
    json_t *arr = json_array();
    for (const char *s = nz(text); *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char *line = len ? strndup(s, len) : NULL;
        if (line) /* es_json_text: a Latin-1 path in an override was dropped from the array */
            json_array_append_new(arr, es_json_text(line));
        free(line);
        s += len + (e ? 1 : 0);
    }
    return arr;
}

static json_t *provenance_json(const es_provenance *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "esuite_version", json_string(ESUITE_VERSION));
    json_object_set_new(j, "git_revision", json_string(ESUITE_GIT_REVISION));
    json_object_set_new(j, "model", json_string(nz(p->model)));
    json_object_set_new(j, "run_name", es_json_text((p->run_name)));
    /* json_int_t is 64-bit signed; config seeds are at most INT64_MAX (ES_KEY_INT_MAX) */
    json_object_set_new(j, "seed", p->seed <= (unsigned long long)LLONG_MAX
                                       ? json_integer((json_int_t)p->seed)
                                       : json_real((double)p->seed));
    json_object_set_new(j, "threads", json_integer(p->threads));
    json_object_set_new(j, "host", json_string(p->host));
    json_object_set_new(j, "start_time", json_string(p->start_time));
    json_object_set_new(j, "end_time", json_string(p->end_time));
    json_object_set_new(j, "config_path", es_json_text((p->config_path)));
    json_object_set_new(j, "overrides", lines_array(p->overrides));
    json_object_set_new(j, "command_line", es_json_text(p->command_line));
    return j;
}

int es_output_write_summary(const char *dir, json_t *summary, const es_provenance *p)
{
    if (summary && !json_is_object(summary))
        return es_error_set(ES_EINVAL, "summary.json: the summary must be a JSON object");
    if (check_complete(p))
        return ES_ENOMEM;
    json_t *doc = summary ? json_deep_copy(summary) : json_object();
    if (!doc)
        return es_error_set(ES_ENOMEM, "summary.json: out of memory");
    json_object_set_new(doc, "provenance", provenance_json(p));
    char path[4200], tmp[4400];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    es_output_tmp_path(path, tmp, sizeof tmp);
    int rc = ES_OK;
    if (json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0)
        rc = es_error_set(ES_EIO, "cannot write '%s': %s", path, strerror(errno));
    json_decref(doc);
    if (rc == ES_OK)
        rc = es_output_commit(tmp, path);
    if (rc)
        es_output_discard(tmp);
    return rc;
}

void es_provenance_add_to_records(json_t *records, es_provenance *p)
{
    es_provenance_finish(p);
    size_t i;
    json_t *c;
    json_array_foreach(records, i, c) {
        json_object_set_new(c, "esuite_version", json_string(ESUITE_VERSION));
        json_object_set_new(c, "git_revision", json_string(ESUITE_GIT_REVISION));
        json_object_set_new(c, "host", json_string(p->host));
        json_object_set_new(c, "start_time", json_string(p->start_time));
        json_object_set_new(c, "end_time", json_string(p->end_time));
    }
}
