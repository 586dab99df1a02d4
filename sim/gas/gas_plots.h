/* gas/gas_plots.h — PNG figures of a gas run (entropy.png, profiles.png in `dir`). */
#ifndef ESUITE_GAS_PLOTS_H
#define ESUITE_GAS_PLOTS_H

#include "gas/gas_run.h"

/* expansion: 0 for a periodic box, whose entropy.png has no expansion references
 * (the collisionless closed form and ln 2 are the expansion's). */
int es_gas_plots(const es_gas_run_result *res, const es_bz_grid *sets, const double *times, double lx,
                 int expansion, const char *dir);

#endif
