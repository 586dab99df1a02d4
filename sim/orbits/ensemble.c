/* Ensembles of orbits: initial conditions (grid, file, energy surface,
 * surface of section) and the OpenMP driver. Every orbit is independent and
 * draws from its own es_rng stream (seed, orbit index), so results do not
 * depend on the number of threads. */
#include "orbits/orbits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "esuite/rng.h"
#include "esuite/status.h"

static const char *const ic_names[] = {"grid", "file", "energy", "section"};

const char *es_orb_ic_name(es_orb_ic_kind k)
{
    return (k >= 0 && k <= ES_ORB_IC_SECTION) ? ic_names[k] : "?";
}

int es_orb_ic_parse(const char *s, es_orb_ic_kind *k)
{
    for (int i = 0; i <= ES_ORB_IC_SECTION; i++)
        if (strcmp(s, ic_names[i]) == 0) {
            *k = (es_orb_ic_kind)i;
            return ES_OK;
        }
    return es_error_set(ES_EINVAL, "unknown ic '%s' (allowed: grid, file, energy, section)", s);
}

/* Effective potential (rotating frame: Φ − ½Ω²R²) of a potential system. */
static double phi_eff(const es_orb_system *s, const double x[3])
{
    double Om = s->pot.omega;
    return es_orb_potential_eval(&s->pot, x, NULL, NULL) -
           0.5 * Om * Om * (x[0] * x[0] + x[1] * x[1]);
}

/* Grid: potentials (x, 0[, z0], 0, vy[, vz0]) over x × vy; the pendulum
 * (θ1 = x, 0, θ2 = v, 0); Lorenz (x, v, z0). */
static void ic_grid(const es_orb_system *s, const es_orb_ic_params *p, double *y, size_t nx,
                    size_t nv)
{
    int nvar = s->nvar;
    for (size_t j = 0; j < nv; j++)
        for (size_t i = 0; i < nx; i++) {
            double fx = nx > 1 ? (double)i / (double)(nx - 1) : 0.5;
            double fv = nv > 1 ? (double)j / (double)(nv - 1) : 0.5;
            double X = p->x_min + fx * (p->x_max - p->x_min);
            double V = p->v_min + fv * (p->v_max - p->v_min);
            double *q = y + (j * nx + i) * (size_t)nvar;
            memset(q, 0, (size_t)nvar * sizeof *q);
            if (s->kind == ES_ORB_SYS_POTENTIAL) {
                int d = s->ndim;
                q[0] = X;
                q[d + 1] = V;
                if (d == 3) {
                    q[2] = p->z0;
                    q[5] = p->vz0;
                }
            } else if (s->kind == ES_ORB_SYS_DOUBLE_PENDULUM) {
                q[0] = X;
                q[2] = V;
            } else {
                q[0] = X, q[1] = V, q[2] = p->z0;
            }
        }
}

static const char *skip_blanks(const char *c)
{
    while (*c == ' ' || *c == '\t')
        c++;
    return c;
}

static int row_end(const char *c)
{
    return *c == '\0' || *c == '\n' || *c == '\r' || *c == '#';
}

/* One row of an ic_file into q: nvar numbers, separated by blanks or by one
 * ',' or ';' (blanks around it allowed), then blanks or a '#' comment. An
 * empty field is an error, as in the config's lists: ',,' was skipped as
 * one separator (so '0.1,,0.3' lost its empty column without a word) and a
 * trailing ',' was dropped, though in a CSV row it is one more (empty)
 * column. */
static int ic_row(const char *path, int lineno, const char *c, int nvar, double *q)
{
    for (int k = 0; k < nvar; k++) {
        c = skip_blanks(c);
        if (k > 0 && (*c == ',' || *c == ';'))
            c = skip_blanks(c + 1);
        if (*c == ',' || *c == ';')
            return es_error_set(ES_EDATA, "%s:%d: column %d is empty (expected %d numbers "
                                "separated by blanks, ',' or ';')", path, lineno, k + 1, nvar);
        char *end;
        double v = strtod(c, &end);
        if (end == c || !isfinite(v))
            return es_error_set(ES_EDATA, "%s:%d: column %d: expected %d finite numbers per "
                                "line (the phase-space point)", path, lineno, k + 1, nvar);
        q[k] = v;
        c = end;
    }
    /* A row with more numbers is a point of another system (a 3-D row for
     * ndim = 2 would be read as x, y, z -> x, y, vx): refuse it. */
    c = skip_blanks(c);
    char sep = *c == ',' || *c == ';' ? *c : 0;
    if (sep && row_end(skip_blanks(c + 1)))
        return es_error_set(ES_EDATA, "%s:%d: column %d is empty (a trailing '%c' after the %d "
                            "numbers of the phase-space point)", path, lineno, nvar + 1, sep,
                            nvar);
    if (sep)
        c = skip_blanks(c + 1);
    if (sep && (*c == ',' || *c == ';')) /* '0.1,0.2,0.3,0.4,,' said "unexpected ''" */
        return es_error_set(ES_EDATA, "%s:%d: column %d is empty (expected %d numbers "
                            "separated by blanks, ',' or ';')", path, lineno, nvar + 1, nvar);
    if (!row_end(c)) {
        int len = (int)strcspn(c, " \t,;\r\n");
        return es_error_set(ES_EDATA, "%s:%d: column %d: unexpected '%.*s' after the %d "
                            "numbers of the phase-space point", path, lineno, nvar + 1,
                            len < 40 ? len : 40, c, nvar);
    }
    return ES_OK;
}

static int ic_file(const es_orb_system *s, const es_orb_ic_params *p, double **y, size_t *n)
{
    FILE *f = fopen(p->path, "r");
    if (!f)
        return es_error_set(ES_EIO, "%s: cannot open initial conditions (%s)", p->path,
                            strerror(errno));
    size_t cap = 64, cnt = 0;
    double *buf = malloc(cap * (size_t)s->nvar * sizeof *buf);
    /* whole lines, however long: a fixed 4096-byte buffer split a longer
     * line (a long '#' header) and parsed its rest as the next row */
    char *line = NULL;
    size_t linecap = 0;
    int lineno = 0, rc = ES_OK;
    while (buf && getline(&line, &linecap, f) != -1) {
        lineno++;
        /* a UTF-8 byte-order mark (Windows editors, spreadsheet "CSV UTF-8")
         * is skipped, as in configs: it read as 'column 1: expected 4 numbers' */
        char *c = es_config_skip_bom(line, lineno);
        while (*c == ' ' || *c == '\t')
            c++;
        if (*c == '#' || *c == '\n' || *c == '\r' || *c == 0)
            continue;
        if (cnt == cap) {
            double *nb = realloc(buf, 2 * cap * (size_t)s->nvar * sizeof *buf);
            if (!nb) { /* an error, not a silently shortened ensemble */
                rc = es_error_set(ES_ENOMEM, "%s:%d: out of memory", p->path, lineno);
                goto done;
            }
            buf = nb, cap *= 2;
        }
        if ((rc = ic_row(p->path, lineno, c, s->nvar, buf + cnt * (size_t)s->nvar)))
            goto done;
        cnt++;
    }
    if (!buf)
        rc = es_error_set(ES_ENOMEM, "%s: out of memory", p->path);
    else if (ferror(f)) /* a directory opens, then fails to read: not "no initial conditions" */
        rc = es_error_set(ES_EIO, "%s: cannot read initial conditions (%s)", p->path,
                          strerror(errno));
    else if (!feof(f)) /* getline could not grow its buffer */
        rc = es_error_set(ES_ENOMEM, "%s:%d: out of memory", p->path, lineno + 1);
    else if (cnt == 0)
        rc = es_error_set(ES_EDATA, "%s: no initial conditions found", p->path);
done:
    free(line);
    fclose(f);
    if (rc != ES_OK) {
        free(buf);
        return rc;
    }
    *y = buf;
    *n = cnt;
    return ES_OK;
}

#define MAX_TRIES 1000000

/* Energy surface of a potential: position uniform in the box |xᵢ| ≤ rmax
 * restricted to Φ_eff < E, isotropic velocity of speed sqrt(2(E − Φ_eff)). */
static int ic_energy_potential(const es_orb_system *s, const es_orb_ic_params *p, size_t i,
                               double *q)
{
    es_rng r;
    es_rng_seed(&r, p->seed, i);
    int d = s->ndim;
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        double x[3] = {0, 0, 0};
        for (int k = 0; k < d; k++)
            x[k] = p->rmax * (2.0 * es_rng_uniform(&r) - 1.0);
        double ph = phi_eff(s, x);
        if (!(ph < p->energy))
            continue;
        double v = sqrt(2.0 * (p->energy - ph)), dir[3], nn = 0.0;
        for (int k = 0; k < d; k++) {
            dir[k] = es_rng_gauss(&r);
            nn += dir[k] * dir[k];
        }
        nn = sqrt(nn);
        for (int k = 0; k < d; k++) {
            q[k] = x[k];
            q[d + k] = v * dir[k] / nn;
        }
        return ES_OK;
    }
    return es_error_set(ES_EINVAL, "orbits: no point with potential below energy = %g inside "
                        "|x| <= rmax = %g", p->energy, p->rmax);
}

/* Pendulum: angles uniform in [−π, π) with V < E, angular velocity along a
 * random direction scaled so that the kinetic energy is E − V. */
static int ic_energy_pendulum(const es_orb_system *s, const es_orb_ic_params *p, size_t i,
                              double *q)
{
    es_rng r;
    es_rng_seed(&r, p->seed, i);
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        double y[4] = {M_PI * (2.0 * es_rng_uniform(&r) - 1.0), 0.0,
                       M_PI * (2.0 * es_rng_uniform(&r) - 1.0), 0.0};
        double V = es_orb_system_energy(s, y);
        if (!(V < p->energy))
            continue;
        double a = es_rng_gauss(&r), b = es_rng_gauss(&r);
        y[1] = a, y[3] = b;
        double T = es_orb_system_energy(s, y) - V; /* quadratic in (a, b) */
        double k = sqrt((p->energy - V) / T);
        q[0] = y[0], q[1] = k * a, q[2] = y[2], q[3] = k * b;
        return ES_OK;
    }
    return es_error_set(ES_EINVAL, "double pendulum: energy = %g is below the minimum of the "
                        "potential", p->energy);
}

/* Surface of section x = 0 (z = vz = 0 in 3-D), (y, vy) uniform over the
 * accessible area ½vy² + Φ_eff(0, y) ≤ E, vx = +sqrt(2(E − Φ_eff) − vy²).
 * Uniform sampling makes class fractions estimates of relative areas on the
 * section (the measure of Hénon & Heiles 1964). */
static int ic_section(const es_orb_system *s, const es_orb_ic_params *p, size_t i, double *q,
                      double vmax)
{
    es_rng r;
    es_rng_seed(&r, p->seed, i);
    int d = s->ndim;
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        double yy = p->rmax * (2.0 * es_rng_uniform(&r) - 1.0);
        double vy = vmax * (2.0 * es_rng_uniform(&r) - 1.0);
        double x[3] = {0.0, yy, 0.0};
        double k2 = 2.0 * (p->energy - phi_eff(s, x)) - vy * vy;
        if (!(k2 >= 0.0))
            continue;
        memset(q, 0, (size_t)s->nvar * sizeof *q);
        q[1] = yy;
        q[d] = sqrt(k2);
        q[d + 1] = vy;
        return ES_OK;
    }
    return es_error_set(ES_EINVAL, "orbits: the section x = 0 has no accessible point at "
                        "energy = %g within |y| <= rmax = %g", p->energy, p->rmax);
}

static double section_vmax(const es_orb_system *s, const es_orb_ic_params *p)
{
    double m = INFINITY;
    for (int k = 0; k <= 2000; k++) {
        double x[3] = {0.0, p->rmax * (2.0 * k / 2000.0 - 1.0), 0.0};
        double ph = phi_eff(s, x);
        if (ph < m)
            m = ph;
    }
    return p->energy > m ? sqrt(2.0 * (p->energy - m)) * 1.0001 : 0.0;
}

/* What the config alone decides about a sampled kind (energy, section), before
 * any draw; *vmax: the section's bound on |v_y| (0 for ic = energy). */
static int ic_sampled_check(const es_orb_system *s, const es_orb_ic_params *p, double *vmax)
{
    int section = p->kind == ES_ORB_IC_SECTION;
    *vmax = 0.0;
    if (s->kind == ES_ORB_SYS_LORENZ || (section && s->kind != ES_ORB_SYS_POTENTIAL))
        return es_error_set(ES_EINVAL, "orbits: ic = %s is not available for this system "
                            "(use grid or file)", es_orb_ic_name(p->kind));
    if (s->kind == ES_ORB_SYS_POTENTIAL && !(p->rmax > 0.0))
        return es_error_set(ES_EINVAL, "orbits: rmax = %g must be > 0", p->rmax);
    double vm = section ? section_vmax(s, p) : 0.0;
    if (section && vm == 0.0)
        return es_error_set(ES_EINVAL, "orbits: energy = %g is below the potential on the "
                            "section x = 0", p->energy);
    /* Φ → −∞ on the section (a point mass at the origin): v_y is unbounded,
     * so the rejection sampler below would reject every draw. */
    if (section && !isfinite(vm))
        return es_error_set(ES_EUNSUP, "orbits: ic = section needs a potential bounded below on "
                            "the section x = 0 (pointmass diverges at the origin); use ic = "
                            "energy, grid or file");
    *vmax = vm;
    return ES_OK;
}

int es_orb_ic_check(const es_orb_system *s, const es_orb_ic_params *p)
{
    if (p->kind != ES_ORB_IC_ENERGY && p->kind != ES_ORB_IC_SECTION)
        return ES_OK;
    double vmax;
    return ic_sampled_check(s, p, &vmax);
}

static int ic_sampled(const es_orb_system *s, const es_orb_ic_params *p, double *y)
{
    int section = p->kind == ES_ORB_IC_SECTION;
    double vmax;
    int st = ic_sampled_check(s, p, &vmax);
    if (st != ES_OK)
        return st;
    for (size_t i = 0; i < p->n; i++) {
        double *q = y + i * (size_t)s->nvar;
        int rc = section ? ic_section(s, p, i, q, vmax)
                 : s->kind == ES_ORB_SYS_POTENTIAL ? ic_energy_potential(s, p, i, q)
                                                   : ic_energy_pendulum(s, p, i, q);
        if (rc != ES_OK)
            return rc;
    }
    return ES_OK;
}

int es_orb_ic_generate(const es_orb_system *s, const es_orb_ic_params *p, double **y0,
                       size_t *n_out)
{
    *y0 = NULL;
    *n_out = 0;
    if (p->kind == ES_ORB_IC_FILE)
        return ic_file(s, p, y0, n_out);
    if (p->n < 1)
        return es_error_set(ES_EINVAL, "orbits: n_orbits = %zu must be >= 1", p->n);
    size_t nx = p->n, nv = 1;
    if (p->kind == ES_ORB_IC_GRID && p->v_max != p->v_min && p->x_max != p->x_min) {
        nx = (size_t)llround(sqrt((double)p->n));
        if (nx < 1)
            nx = 1;
        nv = (p->n + nx - 1) / nx;
    } else if (p->kind == ES_ORB_IC_GRID && p->v_max != p->v_min) {
        /* a single x: the n orbits lie along v (they were n copies of the
         * v midpoint, the line being laid along the one-valued x) */
        nx = 1, nv = p->n;
    }
    size_t n = nx * nv;
    double *y = calloc(n * (size_t)s->nvar, sizeof *y);
    if (!y)
        return es_error_set(ES_ENOMEM, "orbits: out of memory for %zu initial conditions", n);
    int rc = ES_OK;
    if (p->kind == ES_ORB_IC_GRID)
        ic_grid(s, p, y, nx, nv);
    else
        rc = ic_sampled(s, p, y);
    if (rc != ES_OK) {
        free(y);
        return rc;
    }
    *y0 = y;
    *n_out = n;
    return ES_OK;
}
