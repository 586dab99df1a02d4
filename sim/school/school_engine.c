/* The Couzin zone model, one synchronous step at a time (both modes). */
#include "school/school.h"
#include "school/school_cells.h"

#include "esuite/rng.h"
#include "esuite/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG (M_PI / 180.0)

/* The per-slot sums of the all-pairs step (es_school.pair_acc); only the
 * repulsion count matters in dewi-kadita mode (it gives repulsion
 * priority), so the other two counts are not kept. */
enum { PA_RX, PA_RY, PA_RZ, PA_OX, PA_OY, PA_OZ, PA_AX, PA_AY, PA_AZ, PA_NR, PA_N };

void es_school_params_default(es_school_params *p)
{
    memset(p, 0, sizeof *p);
    p->mode = ES_SCHOOL_MODE_DEWI;
    p->n = 150;
    p->box = 25.0;
    p->dt = 0.1;
    p->speed = 1.0;
    p->r_r = 1.0;
    p->r_o = 5.0;
    p->r_a = 10.0;
    p->max_turn = 0.3;
    p->noise = 0.1;
    p->blind_angle = 30.0;
    p->fov = 270.0;
    p->orientation_weight = 1.0;
    p->include_self = 0;
    p->init = ES_SCHOOL_INIT_BOX;
    p->init_size = 0.0;
    p->init_rng = ES_SCHOOL_RNG_COUNTER;
    p->seed = 42;
    p->noise_seed = 42;
}

int es_school_params_check(const es_school_params *p)
{
    if (p->n < 2)
        return es_error_set(ES_EINVAL, "school: N = %zu, need at least 2 fish", p->n);
    if (!(p->box > 0) || !isfinite(p->box))
        return es_error_set(ES_EINVAL, "school: box size must be > 0, got %g", p->box);
    if (!(p->dt > 0) || !(p->speed > 0))
        return es_error_set(ES_EINVAL, "school: dt and speed must be > 0 (dt = %g, speed = %g)",
                            p->dt, p->speed);
    /* The reference requires r_r < r_o; Couzin's phase diagram starts at Δr_o = 0. */
    int couzin = p->mode == ES_SCHOOL_MODE_COUZIN;
    if (!(p->r_r > 0 && (couzin ? p->r_r <= p->r_o : p->r_r < p->r_o) && p->r_o <= p->r_a) ||
        !isfinite(p->r_a))
        return es_error_set(ES_EINVAL,
                            "school: zone radii must satisfy 0 < r_r %s r_o <= r_a, got r_r = %g, "
                            "r_o = %g, r_a = %g",
                            couzin ? "<=" : "<", p->r_r, p->r_o, p->r_a);
    if (!(p->max_turn > 0 && p->max_turn <= M_PI))
        return es_error_set(ES_EINVAL, "school: max_turn must be in (0, pi] rad per step, got %g",
                            p->max_turn);
    if (!(p->noise >= 0) || !isfinite(p->noise))
        return es_error_set(ES_EINVAL, "school: noise must be >= 0, got %g", p->noise);
    if (!(p->blind_angle <= 180.0))
        return es_error_set(ES_EINVAL, "school: blind_angle must be <= 180 degrees, got %g",
                            p->blind_angle);
    if (!(p->fov > 0 && p->fov <= 360.0))
        return es_error_set(ES_EINVAL, "school: fov must be in (0, 360] degrees, got %g", p->fov);
    if (!(p->orientation_weight >= 0 && p->orientation_weight <= 1))
        return es_error_set(ES_EINVAL, "school: orientation_weight must be in [0, 1], got %g",
                            p->orientation_weight);
    return ES_OK;
}

int es_school_alloc(const es_school_params *p, es_school **out)
{
    *out = NULL;
    int rc = es_school_params_check(p);
    if (rc != ES_OK)
        return rc;
    es_school *s = calloc(1, sizeof *s);
    if (!s)
        return es_error_set(ES_ENOMEM, "school: out of memory");
    s->p = *p;
    s->n = p->n;
    s->pos = malloc(3 * s->n * sizeof *s->pos);
    s->dir = malloc(3 * s->n * sizeof *s->dir);
    s->dir_new = malloc(3 * s->n * sizeof *s->dir_new);
    s->noise = malloc(3 * s->n * sizeof *s->noise);
    s->cells = es_school_cells_alloc(s->n);
    if (s->n <= ES_SCHOOL_PAIRS_MAX && p->mode == ES_SCHOOL_MODE_DEWI &&
        !(s->pair_acc = malloc(3 * PA_N * (s->n + ES_SCHOOL_CELL_PAD) * sizeof *s->pair_acc))) {
        es_school_free(s);
        return es_error_set(ES_ENOMEM, "school: out of memory for %zu fish", p->n);
    }
    if (!s->pos || !s->dir || !s->dir_new || !s->cells || !s->noise) {
        es_school_free(s);
        return es_error_set(ES_ENOMEM, "school: out of memory for %zu fish", p->n);
    }
    *out = s;
    return ES_OK;
}

void es_school_free(es_school *s)
{
    if (!s)
        return;
    free(s->pos);
    free(s->dir);
    free(s->dir_new);
    free(s->noise);
    free(s->pair_acc);
    es_school_cells_free(s->cells);
    free(s);
}

void es_school_velocities(const es_school *s, double *vel)
{
    for (size_t k = 0; k < 3 * s->n; k++)
        vel[k] = s->dir[k] * s->p.speed;
}

/* ------------------------------------------------------------ turning */

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

void es_school_turn_nlerp(const double u[3], const double d[3], double max_turn, double out[3])
{
    double c = fmax(-1.0, fmin(1.0, dot3(u, d)));
    /* Without acos where the answer is certain: acos(1) = 0 (keep u), and
     * c < 1 means acos(c) >= acos(1 - 2^-53) > 1e-8; c above cos(max_turn)
     * by 1e-12 puts the angle below max_turn by >= 1e-12, far beyond
     * acos's error (< 1 ulp). Same branch as with acos, bit for bit. */
    if (c == 1.0) {
        memcpy(out, u, 3 * sizeof *out);
        return;
    }
    static _Thread_local double mt_cached = -1.0, cos_cached = 0.0; /* one cos per run */
    if (max_turn != mt_cached) {
        cos_cached = cos(max_turn);
        mt_cached = max_turn;
    }
    if (c > cos_cached + 1e-12) {
        memcpy(out, d, 3 * sizeof *out);
        return;
    }
    double ang = acos(c);
    if (ang < 1e-10) {
        memcpy(out, u, 3 * sizeof *out);
    } else if (ang <= max_turn) {
        memcpy(out, d, 3 * sizeof *out);
    } else {
        /* Linear interpolation by t = θ_max/φ, renormalised: the reference's NLERP. */
        double t = max_turn / ang, v[3];
        for (int a = 0; a < 3; a++)
            v[a] = u[a] * (1 - t) + d[a] * t;
        double nv = sqrt(dot3(v, v));
        if (nv > 1e-10)
            for (int a = 0; a < 3; a++)
                out[a] = v[a] / nv;
        else
            memcpy(out, u, 3 * sizeof *out);
    }
}

/* A unit vector perpendicular to unit u (deterministic). */
static void perpendicular(const double u[3], double e[3])
{
    int m = 0;
    for (int a = 1; a < 3; a++)
        if (fabs(u[a]) < fabs(u[m]))
            m = a;
    double ax[3] = {0, 0, 0};
    ax[m] = 1.0;
    double p = dot3(ax, u);
    for (int a = 0; a < 3; a++)
        e[a] = ax[a] - p * u[a];
    double ne = sqrt(dot3(e, e));
    for (int a = 0; a < 3; a++)
        e[a] /= ne;
}

void es_school_turn_rotate(const double u[3], const double d[3], double max_turn, double out[3])
{
    if (!(dot3(d, d) >= 1e-20)) { /* no desired direction: keep the heading */
        memcpy(out, u, 3 * sizeof *out);
        return;
    }
    double c = fmax(-1.0, fmin(1.0, dot3(u, d)));
    double ang = acos(c);
    if (ang <= max_turn) {
        memcpy(out, d, 3 * sizeof *out);
        return;
    }
    /* Rotate u by exactly max_turn in the plane spanned by u and d. */
    double w[3];
    for (int a = 0; a < 3; a++)
        w[a] = d[a] - c * u[a];
    /* Near anti-parallel w is tiny and keeps an O(1e-16) part along u from
     * the rounding of c, which, once w is normalised, changed the turn by up
     * to 8e-7 rad (|d + u| = 1e-12); a second projection removes it. Only
     * there (|w| < 2^-10; above, the error is < 1e-13 rad), so that other
     * turns, and the trajectories made of them, keep their bits. */
    double nw = sqrt(dot3(w, w));
    if (nw < 0x1p-10) {
        double wu = dot3(w, u);
        for (int a = 0; a < 3; a++)
            w[a] -= wu * u[a];
        nw = sqrt(dot3(w, w));
    }
    if (nw < 1e-12)
        perpendicular(u, w); /* d anti-parallel to u: the plane is our choice */
    else
        for (int a = 0; a < 3; a++)
            w[a] /= nw;
    double cs = cos(max_turn), sn = sin(max_turn), nrm = 0;
    for (int a = 0; a < 3; a++) {
        out[a] = cs * u[a] + sn * w[a];
        nrm += out[a] * out[a];
    }
    nrm = sqrt(nrm);
    for (int a = 0; a < 3; a++)
        out[a] /= nrm;
}

/* ------------------------------------------------------- zone response */

typedef struct {
    double dr[3], dor[3], da[3];
    int nr, no, na;
} zone_acc;

typedef struct {
    double box;      /* > 0: min image */
    double half;     /* box/2, or +inf in open space */
    double r_r2, r_o2, r_a2;
    int dewi;
    int use_blind;
    double cos_blind; /* dewi: visible iff cos > cos_blind (all zones);
                         couzin: visible iff cos >= cos_blind (zoo and zoa only) */
} zone_cfg;

/* cos(x°), exact where the cosine of an angle of a rational number of
 * degrees is rational: multiples of 60° and 90° (0, ±1/2, ±1; by Niven's
 * theorem nowhere else, so elsewhere no bearing cosine can equal it).
 * cos(90·π/180) is 6.1e-17, not 0: with it a neighbour exactly abeam
 * (bearing cosine 0, as on a lattice or in a plane) was hidden from a
 * fov = 180° field of perception, whose rule is angle ≤ α/2 = 90°.
 * Elsewhere cos(x·π/180) as before. */
static double cos_deg(double x)
{
    static const double c60[6] = {1.0, 0.5, -0.5, -1.0, -0.5, 0.5};
    double r = fmod(fabs(x), 360.0);
    if (fmod(r, 90.0) == 0.0)
        return (r == 0.0) ? 1.0 : (r == 180.0) ? -1.0 : 0.0;
    if (fmod(r, 60.0) == 0.0)
        return c60[(int)(r / 60.0)];
    return cos(x * DEG);
}

static zone_cfg zone_setup(const es_school_params *p)
{
    zone_cfg z;
    z.dewi = p->mode == ES_SCHOOL_MODE_DEWI;
    z.box = z.dewi ? p->box : 0.0;
    z.half = z.dewi ? 0.5 * p->box : INFINITY;
    z.r_r2 = p->r_r * p->r_r;
    z.r_o2 = p->r_o * p->r_o;
    z.r_a2 = p->r_a * p->r_a;
    if (z.dewi) {
        z.use_blind = p->blind_angle > 0;
        /* The reference's arithmetic, -cos(radians(β)), kept as it is: at
         * β = 90° it is -6.1e-17, so a neighbour exactly abeam is seen there
         * (the reference's comment, "blind if cos < threshold", says the
         * same), although "angle < 180° − β" read strictly would hide it. */
        z.cos_blind = -cos(p->blind_angle * DEG);
        /* The reference clips the cosine to [-1, 1]; comparing the unclipped
         * value gives the same answer except at β = 180° (everything blind). */
        if (p->blind_angle >= 180.0)
            z.cos_blind = INFINITY;
    } else {
        z.use_blind = p->fov < 360.0;
        z.cos_blind = cos_deg(0.5 * p->fov);
    }
    return z;
}

/* Zone sums of fish i (position pi, heading ui) over the neighbours in the
 * runs of slots [run_lo[r], run_hi[r]) of structure-of-arrays data (readable
 * up to a run's end + ES_SCHOOL_CELL_PAD - 1: the last block is read whole
 * and masked).
 *
 * Written with GCC vector types of four doubles: slot t of a run starting
 * at t0 goes to lane (t - t0) mod 4, every lane is a plain IEEE sum in run
 * and slot order, and the four lanes are added in a fixed tree at the end
 * (once per fish: one call takes all its runs). The compiler maps the
 * lanes onto two SSE2 registers or one AVX2 register (the clones below),
 * which changes nothing in the arithmetic: the sums depend only on the slot
 * order, never on the thread count or the instruction set. No branches:
 * masks select the zone of each slot. This file is built with
 * -fno-math-errno -fno-trapping-math so that sqrt becomes one SIMD
 * instruction; neither flag changes a result. The fish itself (and any
 * coincident fish) is skipped by the reference's distance < 1e-10 rule. */
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
#define V4(x) ((v4d){(x), (x), (x), (x)})
#define SEL(m, v) ((v4d)((m) & (v4l)(v))) /* v where m, else +0 */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ZONE_ATTR __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define ZONE_ATTR
#endif

bool es_school_portable_kernels = false;

/* AVX-512 F, VL and DQ: what the intrinsic kernels below use. */
static int es_school_have_avx512(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    static int have = -1; /* racy first use writes the same value */
    if (have < 0)
        have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq");
    return have;
#else
    return 0;
#endif
}

/* `dewi` and `blind` are compile-time constants in the four wrappers below,
 * so each variant is a straight loop without mode tests. */
static inline __attribute__((always_inline)) void
zone_core(const zone_cfg *z, const double *pi, const double *ui, const double *restrict X,
          const double *restrict Y, const double *restrict Z, const double *restrict UX,
          const double *restrict UY, const double *restrict UZ, const size_t *run_lo,
          const size_t *run_hi, int nruns, zone_acc *acc, const int dewi, const int blind)
{
    const v4d px = V4(pi[0]), py = V4(pi[1]), pz = V4(pi[2]);
    const v4d ux = V4(ui[0]), uy = V4(ui[1]), uz = V4(ui[2]);
    const v4d L = V4(z->box), h = V4(z->half), mh = V4(-z->half), ra2 = V4(z->r_a2),
              rr2 = V4(z->r_r2), ro2 = V4(z->r_o2), cb = V4(z->cos_blind), tiny = V4(1e-10),
              one = V4(1.0);
    const v4l lane = {0, 1, 2, 3};
    v4d rx = V4(0.0), ry = rx, rz = rx, ox = rx, oy = rx, oz = rx, ax = rx, ay = rx, az = rx,
        nr = rx, no = rx, na = rx;
    /* Two passes per chunk: the displacement, r² and 1/r first (a short
     * loop whose only long-latency work is sqrt and the division, so many
     * are in flight at once), then the zone logic reading them back. */
    enum { CH = 128 };
    v4d bdx[CH / 4], bdy[CH / 4], bdz[CH / 4], br2[CH / 4], binv[CH / 4];
    for (int run = 0; run < nruns; run++) /* lanes restart at each run's first slot */
    for (size_t t0 = run_lo[run], t1 = run_hi[run], c0 = t0; c0 < t1; c0 += CH) {
        const size_t c1 = t1 - c0 < CH ? t1 : c0 + CH;
        const size_t nb = (c1 - c0 + 3) / 4;
        for (size_t q = 0; q < nb; q++) {
            const size_t b0 = c0 + 4 * q;
            v4d dx, dy, dz;
            memcpy(&dx, X + b0, sizeof dx);
            memcpy(&dy, Y + b0, sizeof dy);
            memcpy(&dz, Z + b0, sizeof dz);
            dx -= px;
            dy -= py;
            dz -= pz;
            /* Minimum image; equals d - L·rint(d/L) for |d| < L (wrapped positions). */
            dx = dx - SEL(dx > h, L) + SEL(dx < mh, L);
            dy = dy - SEL(dy > h, L) + SEL(dy < mh, L);
            dz = dz - SEL(dz > h, L) + SEL(dz < mh, L);
            const v4d r2 = dx * dx + dy * dy + dz * dz;
            const v4d r = {sqrt(r2[0]), sqrt(r2[1]), sqrt(r2[2]), sqrt(r2[3])};
            bdx[q] = dx;
            bdy[q] = dy;
            bdz[q] = dz;
            br2[q] = r2;
            /* r < 1e-10 (the fish itself: inv = inf) is excluded by a zero inv */
            binv[q] = SEL(r >= tiny, one / r);
        }
        for (size_t q = 0; q < nb; q++) {
            const size_t b0 = c0 + 4 * q;
            const long long left = (long long)(t1 - b0);
            const v4d dx = bdx[q], dy = bdy[q], dz = bdz[q], r2 = br2[q], inv = binv[q];
            v4d vx, vy, vz;
            memcpy(&vx, UX + b0, sizeof vx);
            memcpy(&vy, UY + b0, sizeof vy);
            memcpy(&vz, UZ + b0, sizeof vz);
            v4l ok = (lane < left) & (r2 < ra2) & (inv > V4(0.0));
            if (blind) {
                /* cos of the bearing (unclipped: see zone_setup) */
                const v4d cs = (ux * dx + uy * dy + uz * dz) * inv;
                ok &= dewi ? (cs > cb) : ((r2 < rr2) | (cs >= cb));
            }
            const v4l inr = ok & (r2 < rr2), ino = ok & (r2 >= rr2) & (r2 < ro2),
                      ina = ok & (r2 >= ro2);
            const v4d ex = dx * inv, ey = dy * inv, ez = dz * inv;
            rx -= SEL(inr, ex);
            ry -= SEL(inr, ey);
            rz -= SEL(inr, ez);
            ox += SEL(ino, vx);
            oy += SEL(ino, vy);
            oz += SEL(ino, vz);
            ax += SEL(ina, ex);
            ay += SEL(ina, ey);
            az += SEL(ina, ez);
            nr += SEL(inr, one);
            no += SEL(ino, one);
            na += SEL(ina, one);
        }
    }
#define HSUM(v) (((v)[0] + (v)[1]) + ((v)[2] + (v)[3]))
    acc->dr[0] += HSUM(rx);
    acc->dr[1] += HSUM(ry);
    acc->dr[2] += HSUM(rz);
    acc->dor[0] += HSUM(ox);
    acc->dor[1] += HSUM(oy);
    acc->dor[2] += HSUM(oz);
    acc->da[0] += HSUM(ax);
    acc->da[1] += HSUM(ay);
    acc->da[2] += HSUM(az);
    acc->nr += (int)HSUM(nr);
    acc->no += (int)HSUM(no);
    acc->na += (int)HSUM(na);
#undef HSUM
}

#define ZONE_ARGS                                                                              \
    const zone_cfg *z, const double *pi, const double *ui, const double *X, const double *Y,   \
        const double *Z, const double *UX, const double *UY, const double *UZ,                 \
        const size_t *run_lo, const size_t *run_hi, int nruns, zone_acc *acc
#define ZONE_PASS z, pi, ui, X, Y, Z, UX, UY, UZ, run_lo, run_hi, nruns, acc
ZONE_ATTR static void zone_dewi_blind(ZONE_ARGS) { zone_core(ZONE_PASS, 1, 1); }
ZONE_ATTR static void zone_dewi_open(ZONE_ARGS) { zone_core(ZONE_PASS, 1, 0); }
ZONE_ATTR static void zone_couzin_blind(ZONE_ARGS) { zone_core(ZONE_PASS, 0, 1); }
ZONE_ATTR static void zone_couzin_open(ZONE_ARGS) { zone_core(ZONE_PASS, 0, 0); }

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
static void zone_avx512(ZONE_ARGS);
#define ES_ZONE_AVX512 1
#endif

static void zone_run(ZONE_ARGS)
{
#ifdef ES_ZONE_AVX512
    if (!es_school_portable_kernels && es_school_have_avx512()) {
        zone_avx512(ZONE_PASS);
        return;
    }
#endif
    if (z->dewi)
        (z->use_blind ? zone_dewi_blind : zone_dewi_open)(ZONE_PASS);
    else
        (z->use_blind ? zone_couzin_blind : zone_couzin_open)(ZONE_PASS);
}

/* All pairs at once (dewi-kadita mode, every fish within reach of every
 * other: the cell list covers the whole box): each unordered pair of slots
 * i < j is evaluated once — displacement, r², 1/r and the zone — and its
 * terms go to both fish. The displacement of i seen from j is exactly the
 * negated one (IEEE subtraction and the minimum-image shift are exactly
 * antisymmetric), and so are the unit vector and the bearing cosine, so
 * each fish gets the same terms as in zone_core; only the order of the
 * summation differs. Rows i in [r0, r1): the terms for j > i go to the
 * column sums C (one scalar sum per slot, in row order) and the row's own
 * terms, four lanes added in a fixed tree, to R[k·m + i]. The rows are cut
 * into two fixed parts with their own C (step_pairs), so the order
 * depends on N and the slot order only: identical for any thread count
 * and SIMD width (lane-wise arithmetic, the clones of zone_core, and the
 * AVX-512 kernel below, which keeps this four-lane order). */
static inline __attribute__((always_inline)) void
pairs_core(const zone_cfg *z, const double *restrict X, const double *restrict Y,
           const double *restrict Z, const double *restrict UX, const double *restrict UY,
           const double *restrict UZ, size_t n, size_t m, size_t r0, size_t r1,
           double *restrict C, double *restrict R, const int blind)
{
    const v4d L = V4(z->box), h = V4(z->half), mh = V4(-z->half), ra2 = V4(z->r_a2),
              rr2 = V4(z->r_r2), ro2 = V4(z->r_o2), cb = V4(z->cos_blind), tiny = V4(1e-10),
              one = V4(1.0), zero = V4(0.0);
    const v4l lane = {0, 1, 2, 3};
    memset(C, 0, PA_N * m * sizeof *C);
    double *A[PA_N];
    for (int k = 0; k < PA_N; k++)
        A[k] = C + (size_t)k * m;
    for (size_t i = r0; i < r1; i++) {
        const v4d px = V4(X[i]), py = V4(Y[i]), pz = V4(Z[i]);
        const v4d ux = V4(UX[i]), uy = V4(UY[i]), uz = V4(UZ[i]);
        v4d rx = zero, ry = zero, rz = zero, ox = zero, oy = zero, oz = zero, ax = zero,
            ay = zero, az = zero, nr = zero;
        for (size_t b0 = i + 1; b0 < n; b0 += 4) {
            v4d dx, dy, dz, vx, vy, vz;
            memcpy(&dx, X + b0, sizeof dx);
            memcpy(&dy, Y + b0, sizeof dy);
            memcpy(&dz, Z + b0, sizeof dz);
            dx -= px;
            dy -= py;
            dz -= pz;
            dx = dx - SEL(dx > h, L) + SEL(dx < mh, L);
            dy = dy - SEL(dy > h, L) + SEL(dy < mh, L);
            dz = dz - SEL(dz > h, L) + SEL(dz < mh, L);
            const v4d r2 = dx * dx + dy * dy + dz * dz;
            const v4d r = {sqrt(r2[0]), sqrt(r2[1]), sqrt(r2[2]), sqrt(r2[3])};
            const v4d inv = SEL(r >= tiny, one / r);
            memcpy(&vx, UX + b0, sizeof vx);
            memcpy(&vy, UY + b0, sizeof vy);
            memcpy(&vz, UZ + b0, sizeof vz);
            const v4l ok = (lane < (long long)(n - b0)) & (r2 < ra2) & (inv > zero);
            v4l oki = ok, okj = ok;
            if (blind) { /* i looks along +d, j along -d */
                oki &= (ux * dx + uy * dy + uz * dz) * inv > cb;
                okj &= -((vx * dx + vy * dy + vz * dz) * inv) > cb;
            }
            const v4l zr = r2 < rr2, zo = (r2 >= rr2) & (r2 < ro2), za = r2 >= ro2;
            const v4d ex = dx * inv, ey = dy * inv, ez = dz * inv;
            rx -= SEL(oki & zr, ex);
            ry -= SEL(oki & zr, ey);
            rz -= SEL(oki & zr, ez);
            ox += SEL(oki & zo, vx);
            oy += SEL(oki & zo, vy);
            oz += SEL(oki & zo, vz);
            ax += SEL(oki & za, ex);
            ay += SEL(oki & za, ey);
            az += SEL(oki & za, ez);
            nr += SEL(oki & zr, one);
            /* j's terms: -(-e) for repulsion, v_i for orientation, -e for attraction */
            const v4d tj[PA_N] = {SEL(okj & zr, ex),  SEL(okj & zr, ey),  SEL(okj & zr, ez),
                                  SEL(okj & zo, ux),  SEL(okj & zo, uy),  SEL(okj & zo, uz),
                                  -SEL(okj & za, ex), -SEL(okj & za, ey), -SEL(okj & za, ez),
                                  SEL(okj & zr, one)};
            for (int k = 0; k < PA_N; k++) {
                v4d a;
                memcpy(&a, A[k] + b0, sizeof a);
                a += tj[k];
                memcpy(A[k] + b0, &a, sizeof a);
            }
        }
#define HSUM(v) (((v)[0] + (v)[1]) + ((v)[2] + (v)[3]))
        const v4d row[PA_N] = {rx, ry, rz, ox, oy, oz, ax, ay, az, nr};
        for (int k = 0; k < PA_N; k++)
            R[(size_t)k * m + i] = HSUM(row[k]);
#undef HSUM
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ES_PAIRS_AVX512 1
#include <immintrin.h>

/* pairs_core in one AVX-512 register of eight lanes: the same operations
 * lane by lane (no FMA, same evaluation order), so the same bits. The
 * masked adds and subtractions equal adding or subtracting a selected +0:
 * x - (+0) = x for every x, and x + (+0) = x for every x but -0, which no
 * accumulator here can hold (they start at +0 and only add, and a sum is -0
 * only when both terms are). The minimum-image shift is the exception
 * (dx may be -0), so it adds a zero-masked vector as the portable code
 * does. GCC's generic 512-bit vectors scalarize the comparisons, hence
 * the intrinsics. */
static inline __attribute__((always_inline, target("avx512f"))) __m512d
pa_min_image(__m512d d, __m512d L, __m512d h, __m512d mh)
{
    const __mmask8 above = _mm512_cmp_pd_mask(d, h, _CMP_GT_OQ),
                   below = _mm512_cmp_pd_mask(d, mh, _CMP_LT_OQ);
    return _mm512_add_pd(_mm512_mask_sub_pd(d, above, d, L), _mm512_maskz_mov_pd(below, L));
}

/* What both AVX-512 kernels need of the slots b0..b0+7 seen from p: the
 * minimum-image displacement, r², 1/r (0 where r < 1e-10) and the mask of
 * the slots before `end`. */
typedef struct {
    __m512d dx, dy, dz, r2, inv;
    __mmask8 tail;
} pa_geom;

static inline __attribute__((always_inline, target("avx512f"))) void
pa_geometry(const zone_cfg *z, const double *X, const double *Y, const double *Z, size_t b0,
            size_t end, __m512d px, __m512d py, __m512d pz, pa_geom *g)
{
    const __m512d L = _mm512_set1_pd(z->box), h = _mm512_set1_pd(z->half),
                  mh = _mm512_set1_pd(-z->half), one = _mm512_set1_pd(1.0);
    const size_t left = end - b0;
    g->tail = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
    g->dx = pa_min_image(_mm512_sub_pd(_mm512_loadu_pd(X + b0), px), L, h, mh);
    g->dy = pa_min_image(_mm512_sub_pd(_mm512_loadu_pd(Y + b0), py), L, h, mh);
    g->dz = pa_min_image(_mm512_sub_pd(_mm512_loadu_pd(Z + b0), pz), L, h, mh);
    g->r2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(g->dx, g->dx), _mm512_mul_pd(g->dy, g->dy)),
                          _mm512_mul_pd(g->dz, g->dz));
    const __m512d r = _mm512_sqrt_pd(g->r2);
    g->inv = _mm512_maskz_div_pd(_mm512_cmp_pd_mask(r, _mm512_set1_pd(1e-10), _CMP_GE_OQ), one, r);
}

/* (a·d)/r of the block, in the portable kernels' order. */
static inline __attribute__((always_inline, target("avx512f"))) __m512d
pa_cos(__m512d ax, __m512d ay, __m512d az, const pa_geom *g)
{
    return _mm512_mul_pd(_mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(ax, g->dx),
                                                     _mm512_mul_pd(ay, g->dy)),
                                       _mm512_mul_pd(az, g->dz)),
                         g->inv);
}

/* A row sum of four lanes gets the eight slots of a block as the four-lane
 * kernel does: slots b0..b0+3 first, then b0+4..b0+7 (sub: subtract). */
static inline __attribute__((always_inline, target("avx512f,avx512vl,avx512dq"))) void
pa_row_add(__m256d *a, __mmask8 m, __m512d t, int sub)
{
    const __m256d lo = _mm512_castpd512_pd256(t), hi = _mm512_extractf64x4_pd(t, 1);
    const __mmask8 mh = (__mmask8)(m >> 4);
    if (sub) {
        *a = _mm256_mask_sub_pd(*a, m, *a, lo);
        *a = _mm256_mask_sub_pd(*a, mh, *a, hi);
    } else {
        *a = _mm256_mask_add_pd(*a, m, *a, lo);
        *a = _mm256_mask_add_pd(*a, mh, *a, hi);
    }
}

/* A fish's own zone terms into sums laid out as PA_RX .. PA_NR: -e over
 * the repulsion slots (ir), the neighbours' headings v over orientation
 * (io), e over attraction (ia), and the repulsion count. */
static inline __attribute__((always_inline, target("avx512f,avx512vl,avx512dq"))) void
pa_zone_terms(__m256d *a, __mmask8 ir, __mmask8 io, __mmask8 ia, __m512d ex, __m512d ey,
              __m512d ez, __m512d vx, __m512d vy, __m512d vz)
{
    pa_row_add(&a[PA_RX], ir, ex, 1);
    pa_row_add(&a[PA_RY], ir, ey, 1);
    pa_row_add(&a[PA_RZ], ir, ez, 1);
    pa_row_add(&a[PA_OX], io, vx, 0);
    pa_row_add(&a[PA_OY], io, vy, 0);
    pa_row_add(&a[PA_OZ], io, vz, 0);
    pa_row_add(&a[PA_AX], ia, ex, 0);
    pa_row_add(&a[PA_AY], ia, ey, 0);
    pa_row_add(&a[PA_AZ], ia, ez, 0);
    pa_row_add(&a[PA_NR], ir, _mm512_set1_pd(1.0), 0);
}

static inline __attribute__((always_inline, target("avx512f,avx512vl,avx512dq"))) void
pairs_core_avx512(const zone_cfg *z, const double *restrict X, const double *restrict Y,
                  const double *restrict Z, const double *restrict UX, const double *restrict UY,
                  const double *restrict UZ, size_t n, size_t m, size_t r0, size_t r1,
                  double *restrict C, double *restrict R, const int blind)
{
    const __m512d ra2 = _mm512_set1_pd(z->r_a2), rr2 = _mm512_set1_pd(z->r_r2),
                  ro2 = _mm512_set1_pd(z->r_o2), cb = _mm512_set1_pd(z->cos_blind),
                  mcb = _mm512_set1_pd(-z->cos_blind), one = _mm512_set1_pd(1.0),
                  zero = _mm512_setzero_pd();
    memset(C, 0, PA_N * m * sizeof *C);
    double *A[PA_N];
    for (int k = 0; k < PA_N; k++)
        A[k] = C + (size_t)k * m;
    for (size_t i = r0; i < r1; i++) {
        const __m512d px = _mm512_set1_pd(X[i]), py = _mm512_set1_pd(Y[i]),
                      pz = _mm512_set1_pd(Z[i]);
        const __m512d ux = _mm512_set1_pd(UX[i]), uy = _mm512_set1_pd(UY[i]),
                      uz = _mm512_set1_pd(UZ[i]);
        __m256d acc[PA_N]; /* four lanes, as pairs_core: slot j in lane (j - i - 1) mod 4 */
        for (int k = 0; k < PA_N; k++)
            acc[k] = _mm256_setzero_pd();
        for (size_t b0 = i + 1; b0 < n; b0 += 8) {
            pa_geom g;
            pa_geometry(z, X, Y, Z, b0, n, px, py, pz, &g);
            const __m512d dx = g.dx, dy = g.dy, dz = g.dz, r2 = g.r2, inv = g.inv;
            const __m512d vx = _mm512_loadu_pd(UX + b0), vy = _mm512_loadu_pd(UY + b0),
                          vz = _mm512_loadu_pd(UZ + b0);
            const __mmask8 ok = g.tail & _mm512_cmp_pd_mask(r2, ra2, _CMP_LT_OQ) &
                                _mm512_cmp_pd_mask(inv, zero, _CMP_GT_OQ);
            __mmask8 oki = ok, okj = ok;
            if (blind) { /* -q > cb exactly when q < -cb */
                oki &= _mm512_cmp_pd_mask(pa_cos(ux, uy, uz, &g), cb, _CMP_GT_OQ);
                okj &= _mm512_cmp_pd_mask(pa_cos(vx, vy, vz, &g), mcb, _CMP_LT_OQ);
            }
            const __mmask8 zr = _mm512_cmp_pd_mask(r2, rr2, _CMP_LT_OQ),
                           zge = _mm512_cmp_pd_mask(r2, rr2, _CMP_GE_OQ),
                           za = _mm512_cmp_pd_mask(r2, ro2, _CMP_GE_OQ),
                           zo = zge & _mm512_cmp_pd_mask(r2, ro2, _CMP_LT_OQ);
            const __m512d ex = _mm512_mul_pd(dx, inv), ey = _mm512_mul_pd(dy, inv),
                          ez = _mm512_mul_pd(dz, inv);
            const __mmask8 ir = oki & zr, io = oki & zo, ia = oki & za;
            pa_zone_terms(acc, ir, io, ia, ex, ey, ez, vx, vy, vz);
            /* j's terms: +e for repulsion, v_i for orientation, -e for attraction */
            const __mmask8 jr = okj & zr, jo = okj & zo, ja = okj & za;
            const struct {
                __m512d v;
                __mmask8 m;
                int sub;
            } tj[PA_N] = {{ex, jr, 0}, {ey, jr, 0}, {ez, jr, 0}, {ux, jo, 0},  {uy, jo, 0},
                          {uz, jo, 0}, {ex, ja, 1}, {ey, ja, 1}, {ez, ja, 1}, {one, jr, 0}};
            for (int k = 0; k < PA_N; k++) {
                const __m512d c = _mm512_loadu_pd(A[k] + b0);
                _mm512_storeu_pd(A[k] + b0, tj[k].sub ? _mm512_mask_sub_pd(c, tj[k].m, c, tj[k].v)
                                                      : _mm512_mask_add_pd(c, tj[k].m, c, tj[k].v));
            }
        }
        for (int k = 0; k < PA_N; k++) {
            double l[4];
            _mm256_storeu_pd(l, acc[k]);
            R[(size_t)k * m + i] = (l[0] + l[1]) + (l[2] + l[3]);
        }
    }
}

static __attribute__((target("avx512f,avx512vl,avx512dq"))) void
pairs_avx512(const zone_cfg *z, const double *X, const double *Y, const double *Z,
             const double *UX, const double *UY, const double *UZ, size_t n, size_t m, size_t r0,
             size_t r1, double *C, double *R)
{
    if (z->use_blind)
        pairs_core_avx512(z, X, Y, Z, UX, UY, UZ, n, m, r0, r1, C, R, 1);
    else
        pairs_core_avx512(z, X, Y, Z, UX, UY, UZ, n, m, r0, r1, C, R, 0);
}

/* zone_core in AVX-512: eight slots per register, the sums kept as
 * zone_core's four lanes (slots b0..b0+3, then b0+4..b0+7, as its
 * consecutive blocks), the same operations in the same order: the same
 * bits. One pass (zone_core's two passes keep its divisions in flight). */
static inline __attribute__((always_inline, target("avx512f,avx512vl,avx512dq"))) void
zone_core_avx512(const zone_cfg *z, const double *pi, const double *ui, const double *restrict X,
                 const double *restrict Y, const double *restrict Z, const double *restrict UX,
                 const double *restrict UY, const double *restrict UZ, const size_t *run_lo,
                 const size_t *run_hi, int nruns, zone_acc *out, const int dewi, const int blind)
{
    const __m512d ra2 = _mm512_set1_pd(z->r_a2), rr2 = _mm512_set1_pd(z->r_r2),
                  ro2 = _mm512_set1_pd(z->r_o2), cb = _mm512_set1_pd(z->cos_blind),
                  one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
    const __m512d px = _mm512_set1_pd(pi[0]), py = _mm512_set1_pd(pi[1]), pz = _mm512_set1_pd(pi[2]);
    const __m512d ux = _mm512_set1_pd(ui[0]), uy = _mm512_set1_pd(ui[1]), uz = _mm512_set1_pd(ui[2]);
    /* the pairs kernel's layout (pa_zone_terms), then the two other counts */
    enum { RX, RY, RZ, OX, OY, OZ, AX, AY, AZ, NR, NO, NA, NACC };
    _Static_assert((int)NR == (int)PA_NR && (int)AX == (int)PA_AX && (int)OX == (int)PA_OX,
                   "zone sums layout");
    __m256d a[NACC];
    for (int k = 0; k < NACC; k++)
        a[k] = _mm256_setzero_pd();
    for (int run = 0; run < nruns; run++)
    for (size_t t1 = run_hi[run], b0 = run_lo[run]; b0 < t1; b0 += 8) {
        pa_geom g;
        pa_geometry(z, X, Y, Z, b0, t1, px, py, pz, &g);
        const __m512d dx = g.dx, dy = g.dy, dz = g.dz, r2 = g.r2, inv = g.inv;
        __mmask8 ok = g.tail & _mm512_cmp_pd_mask(r2, ra2, _CMP_LT_OQ) &
                      _mm512_cmp_pd_mask(inv, zero, _CMP_GT_OQ);
        const __mmask8 inrr = _mm512_cmp_pd_mask(r2, rr2, _CMP_LT_OQ);
        if (blind) {
            const __m512d cs = pa_cos(ux, uy, uz, &g);
            ok &= dewi ? _mm512_cmp_pd_mask(cs, cb, _CMP_GT_OQ)
                       : (__mmask8)(inrr | _mm512_cmp_pd_mask(cs, cb, _CMP_GE_OQ));
        }
        const __mmask8 inr = ok & inrr,
                       ino = ok & _mm512_cmp_pd_mask(r2, rr2, _CMP_GE_OQ) &
                             _mm512_cmp_pd_mask(r2, ro2, _CMP_LT_OQ),
                       ina = ok & _mm512_cmp_pd_mask(r2, ro2, _CMP_GE_OQ);
        const __m512d ex = _mm512_mul_pd(dx, inv), ey = _mm512_mul_pd(dy, inv),
                      ez = _mm512_mul_pd(dz, inv);
        pa_zone_terms(a, inr, ino, ina, ex, ey, ez, _mm512_loadu_pd(UX + b0),
                      _mm512_loadu_pd(UY + b0), _mm512_loadu_pd(UZ + b0));
        pa_row_add(&a[NO], ino, one, 0);
        pa_row_add(&a[NA], ina, one, 0);
    }
    double l[NACC][4];
    for (int k = 0; k < NACC; k++)
        _mm256_storeu_pd(l[k], a[k]);
#define HSUM4(v) (((v)[0] + (v)[1]) + ((v)[2] + (v)[3]))
    for (int d = 0; d < 3; d++) {
        out->dr[d] += HSUM4(l[RX + d]);
        out->dor[d] += HSUM4(l[OX + d]);
        out->da[d] += HSUM4(l[AX + d]);
    }
    out->nr += (int)HSUM4(l[NR]);
    out->no += (int)HSUM4(l[NO]);
    out->na += (int)HSUM4(l[NA]);
#undef HSUM4
}

static __attribute__((target("avx512f,avx512vl,avx512dq"))) void zone_avx512(ZONE_ARGS)
{
    if (z->dewi) {
        if (z->use_blind)
            zone_core_avx512(ZONE_PASS, 1, 1);
        else
            zone_core_avx512(ZONE_PASS, 1, 0);
    } else {
        if (z->use_blind)
            zone_core_avx512(ZONE_PASS, 0, 1);
        else
            zone_core_avx512(ZONE_PASS, 0, 0);
    }
}
#endif

#define PAIRS_ARGS                                                                             \
    const zone_cfg *z, const double *X, const double *Y, const double *Z, const double *UX,    \
        const double *UY, const double *UZ, size_t n, size_t m, size_t r0, size_t r1, double *C, \
        double *R
#define PAIRS_PASS z, X, Y, Z, UX, UY, UZ, n, m, r0, r1, C, R
ZONE_ATTR static void pairs_blind(PAIRS_ARGS) { pairs_core(PAIRS_PASS, 1); }
ZONE_ATTR static void pairs_open(PAIRS_ARGS) { pairs_core(PAIRS_PASS, 0); }
typedef void (*pairs_fn)(PAIRS_ARGS);

/* v / |v|, or 0 for |v| < 1e-10 (the reference's unit-vector rule). */
static void unit_or_zero(double v[3])
{
    double nv = sqrt(dot3(v, v));
    for (int a = 0; a < 3; a++)
        v[a] = nv < 1e-10 ? 0.0 : v[a] / nv;
}

/* The desired unit direction from the sums (falls back to u). */
static void zone_desired(const es_school_params *p, const double *u, const zone_acc *acc,
                         double d[3])
{
    double v[3] = {0, 0, 0};
    if (acc->nr > 0) {
        memcpy(v, acc->dr, sizeof v);
    } else if (p->mode == ES_SCHOOL_MODE_DEWI) {
        for (int a = 0; a < 3; a++)
            v[a] = p->orientation_weight * acc->dor[a] + acc->da[a];
    } else {
        double dor[3];
        double da[3] = {acc->da[0], acc->da[1], acc->da[2]};
        for (int a = 0; a < 3; a++)
            dor[a] = acc->dor[a] + ((p->include_self && acc->no > 0) ? u[a] : 0.0);
        if (p->zone_normalise) { /* each zone pulls with weight ½, whatever its count */
            unit_or_zero(dor);
            unit_or_zero(da);
        }
        for (int a = 0; a < 3; a++) {
            if (acc->no > 0 && acc->na > 0)
                v[a] = 0.5 * (dor[a] + da[a]);
            else if (acc->no > 0)
                v[a] = dor[a];
            else
                v[a] = da[a];
        }
    }
    double nv = sqrt(dot3(v, v));
    if (nv < 1e-10) {
        memcpy(d, u, 3 * sizeof *d);
        return;
    }
    for (int a = 0; a < 3; a++)
        d[a] = v[a] / nv;
}

static void desired_cells(const es_school *s, const zone_cfg *z, const double *pi,
                          const double *ui, zone_acc *acc)
{
    const es_school_cells *c = s->cells;
    size_t lo[ES_SCHOOL_CELL_MAXRUNS], hi[ES_SCHOOL_CELL_MAXRUNS];
    int nr = es_school_cells_runs(c, pi, lo, hi);
    zone_run(z, pi, ui, c->sx, c->sy, c->sz, c->sux, c->suy, c->suz, lo, hi, nr, acc);
}

void es_school_desired(const es_school *s, size_t i, int brute_force, double d[3], int counts[3])
{
    zone_cfg z = zone_setup(&s->p);
    zone_acc acc;
    memset(&acc, 0, sizeof acc);
    const double *pi = s->pos + 3 * i, *ui = s->dir + 3 * i;
    if (brute_force) {
        /* Every other fish in index order, from a padded structure-of-arrays copy. */
        size_t m = s->n + ES_SCHOOL_CELL_PAD;
        double *buf = calloc(6 * m, sizeof *buf);
        if (!buf) { /* out of memory: no answer */
            memcpy(d, ui, 3 * sizeof *d);
            counts[0] = counts[1] = counts[2] = -1;
            return;
        }
        for (size_t j = 0; j < s->n; j++)
            for (int a = 0; a < 3; a++) {
                buf[a * m + j] = s->pos[3 * j + a];
                buf[(3 + a) * m + j] = s->dir[3 * j + a];
            }
        const size_t all_lo = 0, all_hi = s->n;
        zone_run(&z, pi, ui, buf, buf + m, buf + 2 * m, buf + 3 * m, buf + 4 * m, buf + 5 * m,
                 &all_lo, &all_hi, 1, &acc);
        free(buf);
    } else {
        es_school_cells_build(s->cells, s->pos, s->dir, s->n,
                              s->p.mode == ES_SCHOOL_MODE_DEWI ? s->p.box : 0.0, s->p.r_a);
        desired_cells(s, &z, pi, ui, &acc);
    }
    zone_desired(&s->p, ui, &acc, d);
    counts[0] = acc.nr;
    counts[1] = acc.no;
    counts[2] = acc.na;
}

/* ---------------------------------------------------------------- noise */

/* The noise of fish i at the step being taken (noise_fill). */
static void noise_of(const es_school *s, size_t i, double g[3])
{
    memcpy(g, s->noise + 3 * i, 3 * sizeof *g);
}

/* Before a step: every fish's noise at once, in blocks of eight. */
static void noise_fill(es_school *s, long long step)
{
    if (s->p.noise > 0)
        es_counter_gauss3_batch(s->p.noise_seed, (uint64_t)step, 0, s->n, s->noise);
}

/* dewi: add σ·N(0, I₃) to the heading, renormalise. */
static void noise_additive(double sigma, const double g[3], double u[3])
{
    double v[3];
    for (int a = 0; a < 3; a++)
        v[a] = u[a] + g[a] * sigma;
    double nv = sqrt(dot3(v, v));
    if (nv > 1e-10)
        for (int a = 0; a < 3; a++)
            u[a] = v[a] / nv;
}

/* couzin: deflect d by an N(0, σ) angle towards a uniformly random
 * perpendicular direction (rotation about a random axis ⟂ d): rms angle σ. */
static void noise_rotate(double sigma, const double g[3], double d[3])
{
    double e1[3], e2[3], t[3];
    perpendicular(d, e1);
    e2[0] = d[1] * e1[2] - d[2] * e1[1];
    e2[1] = d[2] * e1[0] - d[0] * e1[2];
    e2[2] = d[0] * e1[1] - d[1] * e1[0];
    double h = hypot(g[1], g[2]);
    if (h == 0.0)
        return;
    for (int a = 0; a < 3; a++)
        t[a] = (g[1] * e1[a] + g[2] * e2[a]) / h;
    double psi = sigma * g[0], cs = cos(psi), sn = sin(psi), nrm = 0;
    for (int a = 0; a < 3; a++) {
        d[a] = cs * d[a] + sn * t[a];
        nrm += d[a] * d[a];
    }
    nrm = sqrt(nrm);
    for (int a = 0; a < 3; a++)
        d[a] /= nrm;
}

/* ----------------------------------------------------------------- step */

/* Turn and noise of fish i from its zone sums. */
static void finish_fish(const es_school *s, size_t i, const zone_acc *acc)
{
    const es_school_params *p = &s->p;
    const double *u = s->dir + 3 * i;
    double *out = s->dir_new + 3 * i;
    double d[3], g[3];
    zone_desired(p, u, acc, d);
    if (p->mode == ES_SCHOOL_MODE_DEWI) {
        es_school_turn_nlerp(u, d, p->max_turn, out);
        if (p->noise > 0) {
            noise_of(s, i, g);
            noise_additive(p->noise, g, out);
        }
    } else {
        if (p->noise > 0) {
            noise_of(s, i, g);
            noise_rotate(p->noise, g, d);
        }
        es_school_turn_rotate(u, d, p->max_turn, out);
    }
}

static void update_fish(const es_school *s, const zone_cfg *z, size_t i)
{
    zone_acc acc;
    memset(&acc, 0, sizeof acc);
    desired_cells(s, z, s->pos + 3 * i, s->dir + 3 * i, &acc);
    finish_fish(s, i, &acc);
}

/* Whether this step takes the all-pairs path: N and geometry only. */
static int use_pairs(const es_school *s)
{
    const es_school_cells *c = s->cells;
    return s->pair_acc && c->periodic && c->nc[0] < ES_SCHOOL_CELL_SPAN &&
           c->nc[1] < ES_SCHOOL_CELL_SPAN && c->nc[2] < ES_SCHOOL_CELL_SPAN;
}

/* The first row of the second part: about half of the n(n-1)/2 pairs in
 * each (row i has n-1-i). */
static size_t pairs_split(size_t n)
{
    size_t s = 0, acc = 0, half = n * (n - 1) / 4;
    while (s < n && acc + (n - 1 - s) <= half)
        acc += n - 1 - s++;
    return s;
}

static void step_pairs(const es_school *s, const zone_cfg *z)
{
    const es_school_cells *c = s->cells;
    const size_t n = s->n, m = n + ES_SCHOOL_CELL_PAD, cut = pairs_split(n);
    double *C0 = s->pair_acc, *C1 = C0 + PA_N * m, *R = C1 + PA_N * m;
    /* Two fixed parts, on two threads or one after the other: the same sums. */
    pairs_fn run = z->use_blind ? pairs_blind : pairs_open;
#ifdef ES_PAIRS_AVX512
    if (!es_school_portable_kernels && es_school_have_avx512())
        run = pairs_avx512;
#endif
#pragma omp parallel for schedule(static, 1) if (n >= 96)
    for (int part = 0; part < 2; part++)
        run(z, c->sx, c->sy, c->sz, c->sux, c->suy, c->suz, n, m, part ? cut : 0, part ? n : cut,
            part ? C1 : C0, R);
    for (size_t t = 0; t < n; t++) {
        double tot[PA_N];
        for (int k = 0; k < PA_N; k++) /* fixed order: part 0, part 1, own row */
            tot[k] = (C0[k * m + t] + C1[k * m + t]) + R[k * m + t];
        zone_acc acc;
        for (int a = 0; a < 3; a++) {
            acc.dr[a] = tot[PA_RX + a];
            acc.dor[a] = tot[PA_OX + a];
            acc.da[a] = tot[PA_AX + a];
        }
        acc.nr = (int)tot[PA_NR];
        acc.no = acc.na = -1; /* not counted (unused in this mode) */
        finish_fish(s, c->order[t], &acc);
    }
}

static double wrap(double x, double L)
{
    if (x >= 0 && x < L)
        return x; /* what fmod returns there, without the call */
    double y = fmod(x, L);
    if (y < 0)
        y += L;
    return y >= L ? 0.0 : y; /* never exactly L */
}

int es_school_step(es_school *s, long long nsteps)
{
    zone_cfg z = zone_setup(&s->p);
    const int dewi = s->p.mode == ES_SCHOOL_MODE_DEWI;
    const double L = s->p.box, vdt = s->p.speed, dt = s->p.dt;
    for (long long k = 0; k < nsteps; k++) {
        int rc = es_school_cells_build(s->cells, s->pos, s->dir, s->n, dewi ? L : 0.0, s->p.r_a);
        if (rc != ES_OK)
            return rc;
        long long step = s->step + 1;
        long long n = (long long)s->n;
        noise_fill(s, step);
        if (use_pairs(s)) {
            step_pairs(s, &z);
        } else {
#pragma omp parallel for schedule(dynamic, 16) if (n >= 96)
            for (long long t = 0; t < n; t++) /* in cell order, for cache locality */
                update_fish(s, &z, s->cells->order[t]);
        }
#pragma omp parallel for schedule(static) if (n >= 4096)
        for (long long i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) {
                double x = s->pos[3 * i + a] + (s->dir_new[3 * i + a] * vdt) * dt;
                s->pos[3 * i + a] = dewi ? wrap(x, L) : x;
            }
        double *t = s->dir;
        s->dir = s->dir_new;
        s->dir_new = t;
        s->step = step;
    }
    return ES_OK;
}
