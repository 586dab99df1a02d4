/* gnuplot driver: data and script go to a temporary directory, the PNG is
 * rendered under a temporary name and renamed when gnuplot succeeds. */
#include "core/plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/output.h"
#include "esuite/ordinal.h"
#include "esuite/status.h"

/* A PNG that gnuplot finished: the signature first and the IEND chunk last.
 * gnuplot's cairo terminal exits 0 even when its writes fail (a full disc, a
 * file size limit), leaving a cut-off image. */
static int png_complete(const char *path)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    unsigned char head[8], tail[12];
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    int ok = fread(head, 1, 8, fp) == 8 && !memcmp(head, sig, 8) && fseek(fp, -12, SEEK_END) == 0 &&
             fread(tail, 1, 12, fp) == 12 && !memcmp(tail, iend, 12);
    fclose(fp);
    return ok;
}

/* gnuplot's complaint in one line: it echoes the failing script line (with
 * the temporary PNG name), a caret, then '"SCRIPT" line N: MESSAGE' and maybe
 * 'system error: ...'. Keep MESSAGE (and the system error); else join the
 * lines. */
static void plot_error_line(const char *out, char *msg, size_t len)
{
    const char *what = NULL, *sys = NULL;
    size_t wlen = 0, slen = 0;
    for (const char *l = out; *l;) {
        size_t n = strcspn(l, "\n");
        const char *m = memchr(l, ':', n);
        if (!strncmp(l, "system error: ", 14))
            sys = l + 14, slen = n - 14;
        else if (m && strstr(l, "\" line ") && strstr(l, "\" line ") < m)
            what = m + 2 < l + n ? m + 2 : m + 1, wlen = (size_t)(l + n - what);
        l += n + (l[n] == '\n');
    }
    if (what && sys)
        snprintf(msg, len, "%.*s (%.*s)", (int)wlen, what, (int)slen, sys);
    else if (what)
        snprintf(msg, len, "%.*s", (int)wlen, what);
    else {
        size_t k = 0;
        for (const char *c = out; *c && k + 1 < len; c++)
            if (*c != '\n' || (k > 0 && msg[k - 1] != ' '))
                msg[k++] = *c == '\n' ? ' ' : *c;
        while (k > 0 && msg[k - 1] == ' ')
            k--;
        msg[k] = '\0';
    }
}

int es_plot_run_script(const char *script, const char *tmp_png, const char *png_path)
{
    char sfile[] = "/tmp/esuite-plot-XXXXXX";
    int fd = mkstemp(sfile);
    if (fd < 0)
        return es_error_set(ES_EIO, "cannot create a temporary file: %s", strerror(errno));
    FILE *fp = fdopen(fd, "w");
    int wrote = fp && fputs(script, fp) >= 0;
    if (fp && fclose(fp) != 0)
        wrote = 0;
    if (!wrote) {
        unlink(sfile);
        return es_error_set(ES_EIO, "cannot write the gnuplot script for %s to %s", png_path, sfile);
    }
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>&1", sfile);
    FILE *pp = popen(cmd, "r");
    char out[2048] = "";
    size_t n = pp ? fread(out, 1, sizeof out - 1, pp) : 0;
    out[n] = '\0';
    int rc = pp ? pclose(pp) : -1;
    unlink(sfile);
    if (rc != 0) {
        es_output_discard(tmp_png);
        if (rc > 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
            return es_error_set(ES_EUNSUP, "gnuplot is not installed (apt-get install -y gnuplot-nox)");
        char msg[1024];
        plot_error_line(out, msg, sizeof msg);
        return es_error_set(ES_EIO, "gnuplot failed while drawing %s: %s", png_path, msg);
    }
    if (!png_complete(tmp_png)) {
        es_output_discard(tmp_png);
        return es_error_set(ES_EIO, "cannot write '%s': gnuplot left an incomplete image (disc full "
                                    "or file size limit?)", png_path);
    }
    return es_output_commit(tmp_png, png_path);
}

/* Exact envelopes on a grid fine enough to look smooth; returns the largest
 * C_max on the grid, which sets the y range. (The package's getMaxC,
 * es_ordinal_max_c, visited (n! − 1)·1000 points then: 13 s at n = 9 and
 * about two minutes at n = 10 before gnuplot even started; it now takes the
 * two end points of each segment, 0.05 s and 0.7 s. The grid maximum is at
 * most 4e-4 below it, at n = 4.) */
/* The C at which es_ordinal_classify turns from complex (above) to stochastic
 * at entropy H (bisection), or NAN where H has not both classes. */
static double divide_c(int n, double H, double cmin, double cmax)
{
    if (!(H > es_ordinal_hmax_per(n)) || cmax <= cmin ||
        es_ordinal_classify(n, H, cmax) != ES_ORDINAL_COMPLEX ||
        es_ordinal_classify(n, H, cmin) == ES_ORDINAL_COMPLEX)
        return NAN;
    double lo = cmin, hi = cmax;
    for (int it = 0; it < 40; it++) {
        double mid = 0.5 * (lo + hi);
        if (es_ordinal_classify(n, H, mid) == ES_ORDINAL_COMPLEX)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

/* Columns H, C_min, C_max and the complex/stochastic divide (NaN where there
 * is none: gnuplot leaves it out). The figure had the names 'complex' and
 * 'stochastic' but not the line between them. */
static double write_bounds(FILE *fp, int n)
{
    double cmax_top = 0.0;
    for (int i = 0; i <= 400; i++) {
        double H = i / 400.0, cmin = es_ordinal_cmin(n, H), cmax = es_ordinal_cmax(n, H);
        double div = divide_c(n, H, cmin, cmax);
        fprintf(fp, "%.6f %.6f %.6f ", H, cmin, cmax);
        fprintf(fp, isnan(div) ? "NaN\n" : "%.6f\n", div);
        cmax_top = cmax > cmax_top ? cmax : cmax_top;
    }
    return cmax_top;
}

/* A point for region `cls`'s name, inside the region as es_ordinal_classify
 * draws it: at entropy H, the middle of the C interval (between C_min and
 * C_max) that the classifier gives that class. Returns 0 where no C at this H
 * has the class. The fixed places they had were outside: at n = 5 'regular'
 * at (0.298, 0.175) and 'stochastic' at (0.80, 0.03), both below C_min (no
 * distribution lies there), and 'complex' at (0.611, 0.310), which the
 * classifier calls stochastic (its divide is at C = 0.344 there). */
static int region_label_c(int n, es_ordinal_class cls, double H, double *C)
{
    double lo = es_ordinal_cmin(n, H), hi = es_ordinal_cmax(n, H), first = NAN, last = NAN;
    for (int j = 0; j < 400; j++) {
        double c = lo + (j + 0.5) / 400.0 * (hi - lo);
        if (es_ordinal_classify(n, H, c) == cls) {
            if (isnan(first))
                first = c;
            last = c;
        }
    }
    if (isnan(first))
        return 0;
    *C = 0.5 * (first + last);
    return 1;
}

static void remove_plot_dir(const char *dir, const char *bfile, const char *pfile,
                            char lfile[2][64])
{
    unlink(bfile);
    unlink(pfile);
    unlink(lfile[0]);
    unlink(lfile[1]);
    rmdir(dir);
}

int es_plot_hc(const char *png_path, int n, const es_hc_points *pts, const char *title)
{
    char dir[] = "/tmp/esuite-hc-XXXXXX";
    if (!mkdtemp(dir))
        return es_error_set(ES_EIO, "cannot create a temporary directory: %s", strerror(errno));
    char bfile[64], pfile[64], lfile[2][64], tmp_png[4300];
    snprintf(bfile, sizeof bfile, "%s/bounds.dat", dir);
    snprintf(pfile, sizeof pfile, "%s/points.dat", dir);
    snprintf(lfile[0], sizeof lfile[0], "%s/labels_right.dat", dir);
    snprintf(lfile[1], sizeof lfile[1], "%s/labels_left.dat", dir);
    FILE *fb = fopen(bfile, "w"), *fpnt = fopen(pfile, "w");
    FILE *fl[2] = {fopen(lfile[0], "w"), fopen(lfile[1], "w")};
    if (!fb || !fpnt || !fl[0] || !fl[1]) {
        FILE *all[4] = {fb, fpnt, fl[0], fl[1]};
        for (int k = 0; k < 4; k++)
            if (all[k]) fclose(all[k]);
        remove_plot_dir(dir, bfile, pfile, lfile);
        return es_error_set(ES_EIO, "cannot write plot data in %s", dir);
    }
    double cmax_top = write_bounds(fb, n);
    fclose(fb);
    /* Labels go right of their point, or left of it near H = 1 so they stay inside. They are
     * written to two files and a file is plotted only when it has rows: gnuplot 5.4 crashes on
     * a 'with labels' plot whose every point is filtered out. */
    size_t nlabel[2] = {0, 0};
    for (size_t i = 0; i < pts->npts; i++)
    {
        const char *label = pts->labels && pts->labels[i] ? pts->labels[i] : "";
        if (!strncmp(label, "gen:", 4)) /* generated series: the generator's name is enough */
            label += 4;
        fprintf(fpnt, "%.10f %.10f %.10g\n", pts->H[i], pts->C[i], pts->color ? pts->color[i] : 0.0);
        if (*label && isfinite(pts->H[i]) && isfinite(pts->C[i])) {
            int side = pts->H[i] > 0.8;
            fprintf(fl[side], "%.10f %.10f \"%s\"\n", pts->H[i], pts->C[i], label);
            nlabel[side]++;
        }
    }
    fclose(fpnt);
    fclose(fl[0]);
    fclose(fl[1]);

    double h1 = es_ordinal_hmin_per(n), h2 = es_ordinal_hmax_per(n);
    double c1min = es_ordinal_cmin(n, h1), c1max = es_ordinal_cmax(n, h1);
    double c2min = es_ordinal_cmin(n, h2), c2max = es_ordinal_cmax(n, h2);
    es_output_tmp_path(png_path, tmp_png, sizeof tmp_png);
    char script[16384];
    int len = snprintf(script, sizeof script,
        "set terminal pngcairo size 900,700 enhanced font 'DejaVu Sans,11'\n"
        "set output '%s'\n"
        "set title \"%s (order n = %d)\"\n"
        "set xlabel 'Normalised permutation entropy H'\n"
        "set ylabel 'Statistical complexity C'\n"
        "set xrange [0:1]\nset yrange [0:%.3f]\nset key top left\nset grid lc rgb '#dddddd'\n"
        "set arrow from %.6f,%.6f to %.6f,%.6f nohead dt 2 lc rgb '#555555'\n"
        "set arrow from %.6f,%.6f to %.6f,%.6f nohead dt 2 lc rgb '#555555'\n"
        "set arrow from %.6f,%.6f to %.6f,%.6f nohead dt 2 lc rgb '#555555'\n",
        tmp_png, title ? title : "HC plane", n, cmax_top * 1.08,
        h1, c1min, h1, c1max, h2, c2min, h2, c2max, h1, c1max, h2, c2max);
    /* Region names inside their regions: 'regular' halfway across the periodic band,
     * 'complex' and 'stochastic' at 40% and 80% of the way from H_max,per to 1 (none at
     * n = 3, where H_max,per = 1). */
    static const struct { es_ordinal_class cls; const char *name; double at; } region[3] = {
        {ES_ORDINAL_REGULAR, "regular", -1.0},
        {ES_ORDINAL_COMPLEX, "complex", 0.4},
        {ES_ORDINAL_STOCHASTIC, "stochastic", 0.8}};
    for (int r = 0; r < 3; r++) {
        double H = region[r].at < 0 ? 0.5 * (h1 + h2) : h2 + region[r].at * (1.0 - h2), C;
        if (h2 < 1.0 - 1e-9 || region[r].at < 0)
            if (region_label_c(n, region[r].cls, H, &C))
                len += snprintf(script + len, sizeof script - (size_t)len,
                                "set label '%s' at %.4f,%.4f center font ',9' tc rgb '#555555'\n",
                                region[r].name, H, C);
    }
    const char *point_style = pts->connect ? "with linespoints pt 7 ps 0.6" : "with points pt 7 ps 1.3";
    if (pts->color)
        len += snprintf(script + len, sizeof script - (size_t)len,
                        "set palette rgb 33,13,10\nset cblabel '%s'\n",
                        pts->color_label ? pts->color_label : "");
    len += snprintf(script + len, sizeof script - (size_t)len,
        "plot '%s' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'C_{min}', \\\n"
        "     '%s' using 1:3 with lines lw 2 lc rgb '#d62728' title 'C_{max}', \\\n"
        "     '%s' using 1:4 with lines lw 1 dt 3 lc rgb '#555555' title 'complex/stochastic', \\\n"
        "     '%s' using 1:2%s %s %s title '%s'",
        bfile, bfile, bfile, pfile, pts->color ? ":3" : "", point_style,
        pts->color ? "lc palette" : "lc rgb '#2ca02c'", "series");
    static const char *const label_style[2] = {"offset 1,0.7 left", "offset -1,0.7 right"};
    for (int side = 0; side < 2; side++)
        if (nlabel[side])
            len += snprintf(script + len, sizeof script - (size_t)len,
                            ", \\\n     '%s' using 1:2:3 with labels %s font ',9' noenhanced notitle",
                            lfile[side], label_style[side]);
    snprintf(script + len, sizeof script - (size_t)len, "\n");
    int st = es_plot_run_script(script, tmp_png, png_path);
    remove_plot_dir(dir, bfile, pfile, lfile);
    return st;
}
