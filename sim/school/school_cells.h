/* school/school_cells.h — cell list for the zone search (internal).
 *
 * Cells are at least r_a/2 wide, so every neighbour within r_a of a fish
 * lies within two cells of its own. Periodic: the cube [0, L) with min-image
 * displacements; an axis with fewer than five cells is scanned whole so no
 * cell (image) is visited twice. Open space: a grid over the current
 * bounding box, capped at ~4N cells (wider cells stay correct). Fish are
 * stored sorted by cell (positions and headings copied in that order) for
 * cache locality; the order within a cell is ascending fish index. */
#ifndef ESUITE_SCHOOL_CELLS_H
#define ESUITE_SCHOOL_CELLS_H

#include <stddef.h>

/* Cells are r_a / ES_SCHOOL_CELL_SUB wide and the search spans
 * ES_SCHOOL_CELL_SPAN cells per axis: scanned volume (2.5 r_a)^3 instead of
 * (3 r_a)^3 with r_a-wide cells. */
#define ES_SCHOOL_CELL_SUB 2
#define ES_SCHOOL_CELL_SPAN (2 * ES_SCHOOL_CELL_SUB + 1)
#define ES_SCHOOL_CELL_MAXRUNS (ES_SCHOOL_CELL_SPAN * ES_SCHOOL_CELL_SPAN * ES_SCHOOL_CELL_SPAN)
/* The sorted position/heading arrays hold this many zeroed slots past n,
 * so SIMD kernels may read whole blocks beyond a run's end (masked). */
#define ES_SCHOOL_CELL_PAD 16

struct es_school_cells {
    size_t n;
    int periodic;
    double box;
    int nc[3];
    double lo[3], w[3];
    size_t ncell, cap_cells;
    size_t *start;   /* ncell + 1 */
    size_t *fill;    /* ncell scratch */
    size_t *cell;    /* per fish */
    size_t *order;   /* sorted slot -> fish index */
    double *sx, *sy, *sz;    /* positions in sorted order (SoA, for SIMD; n + PAD) */
    double *sux, *suy, *suz; /* headings in sorted order */
};

typedef struct es_school_cells es_school_cells;

es_school_cells *es_school_cells_alloc(size_t n);
void es_school_cells_free(es_school_cells *c);
/* Rebuild for cutoff rc (> 0). box > 0: periodic cube. */
int es_school_cells_build(es_school_cells *c, const double *pos, const double *dir, size_t n,
                          double box, double rc);
/* The slot ranges [lo, hi) of the sorted arrays to scan around point p
 * (arrays of ES_SCHOOL_CELL_MAXRUNS): one run per (y, z) cell row when the
 * x-neighbours are contiguous in memory, one per cell when they wrap.
 * Returns the count. */
int es_school_cells_runs(const es_school_cells *c, const double *p, size_t *lo, size_t *hi);

#endif
