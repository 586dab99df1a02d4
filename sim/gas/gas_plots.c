/* Figures of a gas run (gnuplot, pngcairo): ΔS/N against u for every cell
 * set with the collisionless closed form, and density profiles. Units as in
 * the run: m = k_B = 1, lengths in σ, times in σ/√T0, velocities in √T0; the
 * legends give them (they said 'Δx = 177, Δv = 0.5' and 't = 1418'). */
#include "gas/gas_plots.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/output.h"
#include "core/plot.h"
#include "core/strbuf.h"
#include "esuite/status.h"

static int run(const es_strbuf *b, const char *dir, const char *name)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    es_output_tmp_path(path, tmp, sizeof tmp);
    es_strbuf head = {0};
    es_strbuf_printf(&head, "set terminal pngcairo size 1000,700 enhanced font ',11'\n"
                            "set output '%s'\n%s", tmp, b->s ? b->s : "");
    char *script = es_strbuf_take(&head);
    if (!script || b->failed) {
        free(script);
        return es_error_set(ES_ENOMEM, "plots: out of memory");
    }
    int st = es_plot_run_script(script, tmp, path);
    free(script);
    return st;
}

static int plot_entropy(const es_gas_run_result *res, const es_bz_grid *sets, const double *times,
                        double lx, int expansion, const char *dir)
{
    es_strbuf b = {0};
    size_t K = res->n_times, C = res->n_sets;
    double umax = 0.0;
    for (size_t c = 0; c < C; c++)
        umax = fmax(umax, sets[c].dv * times[K - 1] / lx);
    es_strbuf_printf(&b, "set title 'Coarse-grained Boltzmann entropy %s'\n",
                     expansion ? "after the partition removal" : "in the periodic box (equilibrium)");
    es_strbuf_printf(&b, 
                  "set xlabel 'u = {/Symbol D}v t / L_x'\nset ylabel '{/Symbol D}S/(N k_B) (Miller-Madow, pooled)'\n"
                  "set key bottom right\nset grid\nset xrange [0:%g]\n", umax > 0 ? umax : 1);
    for (size_t c = 0; c < C; c++) {
        es_strbuf_printf(&b, "$s%zu << EOD\n", c);
        for (size_t k = 0; k < K; k++)
            es_strbuf_printf(&b, "%.10g %.10g\n", sets[c].dv * times[k] / lx,
                      res->pooled[ES_GAS_KC(res, k, c)].s_MM - res->pooled[ES_GAS_KC(res, 0, c)].s_MM);
        es_strbuf_printf(&b, "EOD\n");
    }
    if (expansion) {
        es_strbuf_printf(&b, "$cf << EOD\n");
        for (int k = 0; k <= 400; k++) {
            double u = (umax > 0 ? umax : 1) * k / 400.0;
            es_strbuf_printf(&b, "%.10g %.10g\n", u, es_bz_collisionless_dS(u));
        }
        es_strbuf_printf(&b, "EOD\nplot $cf w l lw 2 dt 2 lc rgb 'black' t 'collisionless limit', "
                      "log(2) w l lc rgb 'gray' t 'ln 2'");
    } else { /* equilibrium: dS = 0 */
        es_strbuf_printf(&b, "plot 0 w l lc rgb 'gray' t '0'");
    }
    for (size_t c = 0; c < C; c++)
        es_strbuf_printf(&b, ", $s%zu w lp pt 7 ps 0.6 t '{/Symbol D}x = %.3g L_x = %.4g σ, {/Symbol D}v = %.3g √T_0'",
                  c, sets[c].dx / lx, sets[c].dx, sets[c].dv);
    es_strbuf_printf(&b, "\n");
    int st = run(&b, dir, "entropy.png");
    es_strbuf_free(&b);
    return st;
}

static int plot_profiles(const es_gas_run_result *res, const double *times, double lx, const char *dir)
{
    size_t K = res->n_times, B = res->bins;
    if (B == 0)
        return ES_OK;
    es_strbuf b = {0};
    es_strbuf_printf(&b, "set title 'Density profiles (all realizations)'\nset xlabel 'x / L_x'\n"
                  "set ylabel 'n(x) / n_{initial}'\nset key outside right\nset grid\n");
    size_t shown[6], ns = 0;
    for (size_t q = 0; q < 6 && q < K; q++) {
        size_t k = K <= 6 ? q : (size_t)llround((double)q * (K - 1) / 5.0);
        shown[ns++] = k;
    }
    /* The initial region's density N/A_0 (left half, or the periodic box).
     * The mean over the bins occupied at t = 0 it was is not that where a
     * bin straddles lx/2 (an odd bin count: 5 bins read 1.2 in the left
     * half) or a bin of a dilute gas is empty by chance. */
    double n0 = res->scales.n_density > 0.0 ? res->scales.n_density : 1.0;
    for (size_t s = 0; s < ns; s++) {
        es_strbuf_printf(&b, "$p%zu << EOD\n", s);
        for (size_t j = 0; j < B; j++)
            es_strbuf_printf(&b, "%.8g %.8g\n", (j + 0.5) / B, res->density[shown[s] * B + j] / n0);
        es_strbuf_printf(&b, "EOD\n");
    }
    es_strbuf_printf(&b, "plot ");
    for (size_t s = 0; s < ns; s++)
        es_strbuf_printf(&b, "%s$p%zu w l lw 2 t 't = %.4g σ/√T_0'", s ? ", " : "", s, times[shown[s]]);
    es_strbuf_printf(&b, "\n");
    (void)lx;
    int st = run(&b, dir, "profiles.png");
    es_strbuf_free(&b);
    return st;
}

int es_gas_plots(const es_gas_run_result *res, const es_bz_grid *sets, const double *times, double lx,
                 int expansion, const char *dir)
{
    int st = plot_entropy(res, sets, times, lx, expansion, dir);
    if (!st)
        st = plot_profiles(res, times, lx, dir);
    return st;
}
