/* esuite school-metrics — implemented by the school simulator (sim/school). */
#include "core/commands.h"

extern int es_school_metrics_main(int argc, char **argv) __attribute__((weak));

int es_cmd_school_metrics(int argc, char **argv)
{
    if (!es_school_metrics_main) {
        es_cli_error("school-metrics is not available in this build");
        return 2;
    }
    return es_school_metrics_main(argc, argv);
}
