/* core/plot.h — figures through gnuplot (pngcairo), written atomically. */
#ifndef ESUITE_PLOT_H
#define ESUITE_PLOT_H

#include <stddef.h>

typedef struct {
    const double *H, *C;      /* npts points */
    const char *const *labels; /* optional, one per point (NULL: none) */
    const double *color;      /* optional colour value per point (NULL: one colour) */
    const char *color_label;  /* colour-bar title when color is given */
    size_t npts;
    int connect;              /* draw the points as a line (an H(L), C(L) curve) */
} es_hc_points;

/* Draw the HC plane of order n: exact C_min/C_max envelopes, the region lines
 * (H_min,per and H_max,per verticals, the chord), and the points. */
int es_plot_hc(const char *png_path, int n, const es_hc_points *pts, const char *title);

/* Run a gnuplot script (text) whose output terminal is already set to `tmp_png`
 * and commit it to `png_path` on success. Used by simulators for their figures. */
int es_plot_run_script(const char *script, const char *tmp_png, const char *png_path);

#endif
