/* orbits.h5 and summary.json.
 *
 * orbits.h5 layout:
 *   /time                              output times (nout)
 *   /orbits/{y0, e0, max_drift, mlce, sali, chaos_class, escaped, t_end,
 *            t_radial, t_azimuthal, nsteps}       per-orbit table
 *   /series/<obs>                      n × nout, chunked per orbit, deflate
 *   /insitu/<obs>/{tnat, delay, tpat, H, C, class, chaotic, status}
 *   /insitu/<obs>/{H_curve, C_curve}   n × curve_max_delay (optional)
 * Provenance attributes on the root group (core/output.h). */
#include "orbits/orbits_model.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/ordinal.h"
#include "esuite/status.h"

static int write_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                         const void *data, int compression, const char *units, const char *doc)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t total = 1;
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    if (total >= 4096 && compression > 0) {
        /* one orbit per chunk for 2-D series: reading one orbit reads one chunk */
        hsize_t chunk[3] = {1, rank >= 2 ? dims[1] : 1, rank == 3 ? dims[2] : 1};
        if (rank == 1)
            chunk[0] = dims[0] < 65536 ? dims[0] : 65536;
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, (unsigned)compression);
    }
    errno = 0; /* what the file driver's failed write (a full disc: EFBIG, ENOSPC) leaves */
    hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t e = ds < 0 ? -1 : H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (ds >= 0) {
        if (units)
            es_h5_write_attr_string(ds, "units", units);
        if (doc)
            es_h5_write_attr_string(ds, "long_name", doc);
        if (H5Dclose(ds) < 0) /* flushes the chunk cache: may be where the disc fills */
            e = -1;
    }
    int err = errno;
    H5Pclose(dcpl);
    H5Sclose(space);
    if (ds >= 0 && e >= 0)
        return ES_OK;
    char group[256] = "";
    if (H5Iget_name(loc, group, sizeof group) < 0 || strcmp(group, "/") == 0)
        group[0] = '\0';
    return es_error_set(ES_EIO, "%s (dataset '%s/%s')", err ? strerror(err) : "HDF5 error",
                        group, name);
}

/* Errors name the file the user asked for, not the temporary name it is
 * written under: "cannot write 'DIR/orbits.h5': REASON". */
static int name_output(int st, const char *path)
{
    char reason[ES_MSG_LEN];
    snprintf(reason, sizeof reason, "%s", es_error_message());
    return es_error_set(st, "cannot write '%s': %s", path, reason);
}

/* Units of an observable's series, in the config's units (docs/config.md):
 * potentials in length and time, the double pendulum in SI, Lorenz and the
 * maps dimensionless. */
static const char *series_units(const es_orbits_setup_t *su, es_orb_observable o)
{
    if (su->is_map || su->system == ES_ORB_MODEL_LORENZ)
        return "1";
    if (su->system == ES_ORB_MODEL_PENDULUM)
        return o == ES_ORB_OBS_THETA1 || o == ES_ORB_OBS_THETA2 ? "rad" : o == ES_ORB_OBS_E ? "J" : "m";
    switch (o) {
    case ES_ORB_OBS_VX:
    case ES_ORB_OBS_VY:
    case ES_ORB_OBS_VZ: return "length/time";
    case ES_ORB_OBS_LZ: return "length^2/time";
    case ES_ORB_OBS_E: return "energy";
    default: return "length";
    }
}

/* Units of the columns of a phase-space point (/orbits/y0), in their order. */
static const char *state_units(const es_orbits_setup_t *su)
{
    if (su->system == ES_ORB_MODEL_LORENZ)
        return "1";
    if (su->system == ES_ORB_MODEL_PENDULUM)
        return "rad, rad/s, rad, rad/s";
    return "length (x[ndim]), length/time (v[ndim])";
}

#define COL(field, type, ctype, units, doc)                                                     \
    do {                                                                                        \
        ctype *col = malloc(d->n * sizeof *col);                                                \
        if (!col) {                                                                             \
            st = es_error_set(ES_ENOMEM, "out of memory");                           \
            break;                                                                              \
        }                                                                                       \
        for (size_t i = 0; i < d->n; i++)                                                       \
            col[i] = (ctype)(field);                                                            \
        hsize_t n1 = d->n;                                                                      \
        st = write_dataset(g, name_, type, 1, &n1, col, comp, units, doc);              \
        free(col);                                                                              \
    } while (0)

static int write_table(hid_t file, const es_orbits_setup_t *su, const es_orbits_data *d, int comp)
{
    hid_t g = H5Gcreate2(file, "orbits", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int st = ES_OK, nvar = su->is_map ? 1 : su->sys.nvar;
    hsize_t dims[2] = {d->n, (hsize_t)nvar};
    if (!su->is_map)
        st = write_dataset(g, "y0", H5T_NATIVE_DOUBLE, 2, dims, d->y0, comp, state_units(su),
                           "initial phase-space point (x[ndim], v[ndim]; pendulum θ1 ω1 θ2 ω2; Lorenz x y z)");
    const char *name_;
#define DCOL(nm, expr, units, doc) \
    if (st == ES_OK) { name_ = nm; COL(expr, H5T_NATIVE_DOUBLE, double, units, doc); }
#define ICOL(nm, expr, doc) \
    if (st == ES_OK) { name_ = nm; COL(expr, H5T_NATIVE_INT, int, "1", doc); }
    DCOL("e0", d->res[i].e0, "energy", "initial energy or Jacobi integral");
    DCOL("max_drift", d->res[i].max_drift, "1", "max |E − E0| / |E0| at output times (until an escape)");
    DCOL("mlce", d->res[i].mlce, "1/time", "maximal Lyapunov exponent estimate at t_end (maps: per iteration)");
    DCOL("sali", d->res[i].sali, "1", "SALI at t_end");
    ICOL("chaos_class", d->res[i].chaos_class, "chaos indicator class: 0 regular, 1 chaotic, 2 escaped/lost, 3 none (noise)");
    ICOL("escaped", d->res[i].escaped, "1 beyond escape_radius, 2 lost (non-finite state or step-size collapse)");
    DCOL("t_end", d->res[i].t_end, "time", "time reached");
    DCOL("t_radial", d->res[i].t_radial, "time", "mean interval between pericentres");
    DCOL("t_azimuthal", d->res[i].t_azimuthal, "time", "2π / |mean dφ/dt|");
    DCOL("nsteps", (double)d->res[i].nsteps, "1", "integrator steps taken");
    if (st == ES_OK && d->section) {
        ICOL("nsection", d->res[i].nsection, "surface-of-section points recorded");
        hsize_t sd[3] = {d->n, (hsize_t)su->rp.section_max, 2};
        if (st == ES_OK)
            st = write_dataset(g, "section", H5T_NATIVE_DOUBLE, 3, sd, d->section, comp,
                               "length, length/time",
                               "(y, vy) at upward x = 0 crossings; first nsection rows valid");
    }
    H5Gclose(g);
    return st;
}

static int write_insitu(hid_t file, const es_orbits_setup_t *su, const es_orbits_data *d, int comp)
{
    hid_t top = H5Gcreate2(file, "insitu", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int st = ES_OK, nobs = su->rp.nobs;
    es_h5_write_attr_long(top, "order", su->ip.order);
    es_h5_write_attr_string(top, "tnat_source", es_orb_tnat_source_name(su->ip.tnat));
    for (int k = 0; k < nobs && st == ES_OK; k++) {
        const char *on = su->is_map ? "x" : es_orb_observable_name(su->rp.obs[k]);
        hid_t g = H5Gcreate2(top, on, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const char *name_;
#define IN(i) d->ins[(i) * (size_t)nobs + (size_t)k]
        DCOL("tnat", IN(i).tnat, "time", "natural timescale used");
        ICOL("delay", IN(i).delay, "ideal delay ℓ (t_pat = 0.4 t_nat)");
        DCOL("tpat", IN(i).tpat, "time", "pattern timescale ℓ·dt·(n−1)");
        DCOL("H", IN(i).H, "1", "normalised permutation entropy");
        DCOL("C", IN(i).C, "1", "statistical complexity");
        ICOL("class", IN(i).ordinal_class, "HC-plane class: 0 oversampled 1 periodic 2 regular 3 complex 4 stochastic, −1 none");
        ICOL("chaotic", IN(i).chaotic, "PECCARY verdict: 1 complex/stochastic, 0 otherwise, −1 none");
        /* the numbers of esuite/status.h, written out for the reader of the file */
        _Static_assert(ES_ESHORT == 4 && ES_EDATA == 5 && ES_EUNSUP == 8, "status long_name");
        ICOL("status", IN(i).status, "0 analysed, else the esuite status why not (4 too short or "
             "no t_nat, 5 escaped or no orbital period, 8 constant to rounding)");
        ICOL("warned", IN(i).warned, "1: t_dur < 1.5 t_nat or the ideal delay was clamped to 1");
        int L = su->ip.curve_max_delay;
        if (st == ES_OK && L > 0 && d->Hc) {
            double *h = malloc(d->n * (size_t)L * sizeof *h), *c = malloc(d->n * (size_t)L * sizeof *c);
            for (size_t i = 0; h && c && i < d->n; i++) {
                memcpy(h + i * L, d->Hc + (i * nobs + k) * (size_t)L, (size_t)L * sizeof *h);
                memcpy(c + i * L, d->Cc + (i * nobs + k) * (size_t)L, (size_t)L * sizeof *c);
            }
            hsize_t dims[2] = {d->n, (hsize_t)L};
            st = (h && c) ? write_dataset(g, "H_curve", H5T_NATIVE_DOUBLE, 2, dims, h, comp, "1", "H(ℓ), ℓ = 1..L")
                          : es_error_set(ES_ENOMEM, "out of memory");
            if (st == ES_OK)
                st = write_dataset(g, "C_curve", H5T_NATIVE_DOUBLE, 2, dims, c, comp, "1", "C(ℓ), ℓ = 1..L");
            free(h);
            free(c);
        }
        H5Gclose(g);
    }
    H5Gclose(top);
    return st;
}

static int write_series(hid_t file, const es_orbits_setup_t *su, const es_orbits_data *d, int comp)
{
    int st = ES_OK, nobs = su->rp.nobs;
    double *t = malloc(d->nout * sizeof *t);
    if (!t)
        return es_error_set(ES_ENOMEM, "out of memory");
    for (size_t j = 0; j < d->nout; j++)
        t[j] = (double)j * d->dt_out;
    hsize_t nt = d->nout;
    st = write_dataset(file, "time", H5T_NATIVE_DOUBLE, 1, &nt, t, comp, "time", "output times");
    free(t);
    if (st != ES_OK || !su->rp.store_series)
        return st;
    hid_t g = H5Gcreate2(file, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double *buf = malloc(d->n * d->nout * sizeof *buf);
    for (int k = 0; buf && k < nobs && st == ES_OK; k++) {
        for (size_t i = 0; i < d->n; i++)
            memcpy(buf + i * d->nout, d->series + (i * nobs + k) * d->nout, d->nout * sizeof *buf);
        hsize_t dims[2] = {d->n, d->nout};
        st = write_dataset(g, su->is_map ? "x" : es_orb_observable_name(su->rp.obs[k]),
                           H5T_NATIVE_DOUBLE, 2, dims, buf, comp, series_units(su, su->rp.obs[k]),
                           "observable at the output times (NaN after an escape)");
    }
    if (!buf)
        st = es_error_set(ES_ENOMEM, "out of memory for the series");
    free(buf);
    H5Gclose(g);
    return st;
}

int es_orbits_write_h5(const char *path, const es_orbits_setup_t *su, const es_orbits_data *d,
                       const es_provenance *prov, int compression)
{
    char tmp[4200];
    es_output_tmp_path(path, tmp, sizeof tmp);
    errno = 0;
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        int err = errno;
        es_output_discard(tmp);
        return es_error_set(ES_EIO, "cannot create '%s': %s", path,
                            err ? strerror(err) : "HDF5 error");
    }
    int st = es_output_h5_provenance(f, prov);
    if (st == ES_OK)
        st = write_series(f, su, d, compression);
    if (st == ES_OK)
        st = write_table(f, su, d, compression);
    if (st == ES_OK)
        st = write_insitu(f, su, d, compression);
    errno = 0;
    if (H5Fclose(f) < 0 && st == ES_OK)
        st = es_error_set(ES_EIO, "%s (closing the file)", errno ? strerror(errno) : "HDF5 error");
    if (st != ES_OK) {
        es_output_hdf5_failed(); /* HDF5 may still hold the broken file */
        es_output_discard(tmp);
        return name_output(st, path);
    }
    st = es_output_commit(tmp, path); /* its messages name both paths already */
    if (st != ES_OK)
        es_output_discard(tmp);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

json_t *es_orbits_summary(const es_orbits_setup_t *su, const es_orbits_data *d, double seconds)
{
    json_t *s = json_object();
    size_t n = d->n, cnt[4] = {0, 0, 0, 0};
    double maxdrift = NAN; /* NaN when no orbit has a conserved quantity */
    double *ml = malloc(n * sizeof *ml);
    size_t nml = 0;
    for (size_t i = 0; i < n; i++) {
        cnt[d->res[i].chaos_class]++;
        if (d->res[i].escaped)
            continue; /* drift and exponent of a runaway orbit are meaningless */
        if (d->res[i].max_drift > maxdrift || (isnan(maxdrift) && !isnan(d->res[i].max_drift)))
            maxdrift = d->res[i].max_drift;
        if (isfinite(d->res[i].mlce))
            ml[nml++] = d->res[i].mlce;
    }
    qsort(ml, nml, sizeof *ml, cmp_double);
    json_object_set_new(s, "model", json_string("orbits"));
    json_object_set_new(s, "n_orbits", json_integer((json_int_t)n));
    json_object_set_new(s, "samples_per_orbit", json_integer((json_int_t)d->nout));
    json_object_set_new(s, "seconds", es_json_real(seconds));
    json_t *ci = json_object();
    json_object_set_new(ci, "regular", es_json_real((double)cnt[0] / n));
    json_object_set_new(ci, "chaotic", es_json_real((double)cnt[1] / n));
    json_object_set_new(ci, "escaped", es_json_real((double)cnt[2] / n));
    json_object_set_new(ci, "none", es_json_real((double)cnt[3] / n));
    /* an even count takes the mean of the two middle values (it took the upper one) */
    double med = nml == 0 ? NAN : nml % 2 ? ml[nml / 2] : 0.5 * (ml[nml / 2 - 1] + ml[nml / 2]);
    json_object_set_new(ci, "median_mlce", es_json_real(med));
    json_object_set_new(ci, "max_energy_drift", es_json_real(maxdrift));
    json_object_set_new(s, "chaos_indicator", ci);
    free(ml);
    json_t *obs = json_object();
    int nobs = su->rp.nobs;
    for (int k = 0; k < nobs; k++) {
        size_t cls[5] = {0}, ok = 0, agree = 0, both = 0, pchaos = 0;
        double Hs = 0, Cs = 0;
        for (size_t i = 0; i < n; i++) {
            const es_orb_insitu *a = &d->ins[i * nobs + k];
            if (a->status != ES_OK)
                continue;
            ok++;
            cls[a->ordinal_class]++;
            Hs += a->H, Cs += a->C;
            pchaos += a->chaotic == 1;
            if (d->res[i].chaos_class <= 1) {
                both++;
                agree += (a->chaotic == 1) == (d->res[i].chaos_class == 1);
            }
        }
        json_t *o = json_object();
        json_object_set_new(o, "analysed", json_integer((json_int_t)ok));
        for (int c = 0; c < 5; c++)
            json_object_set_new(o, es_ordinal_class_name((es_ordinal_class)c),
                                es_json_real(ok ? (double)cls[c] / ok : NAN));
        json_object_set_new(o, "peccary_chaotic", es_json_real(ok ? (double)pchaos / ok : NAN));
        json_object_set_new(o, "agreement", es_json_real(both ? (double)agree / both : NAN));
        json_object_set_new(o, "mean_H", es_json_real(ok ? Hs / ok : NAN));
        json_object_set_new(o, "mean_C", es_json_real(ok ? Cs / ok : NAN));
        if (n == 1 && ok == 1) {
            json_object_set_new(o, "H", es_json_real(d->ins[k].H));
            json_object_set_new(o, "C", es_json_real(d->ins[k].C));
            json_object_set_new(o, "tnat", es_json_real(d->ins[k].tnat));
            json_object_set_new(o, "delay", json_integer(d->ins[k].delay));
        }
        json_object_set_new(obs, su->is_map ? "x" : es_orb_observable_name(su->rp.obs[k]), o);
    }
    json_object_set_new(s, "peccary", obs);
    return s;
}
