/* esuite — one executable, subcommands dispatched by name. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "core/commands.h"
#include "core/output.h"
#include "esuite_version.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} es_command;

static const es_command commands[] = {
    {"run", es_cmd_run, "run a simulation (gas | school | orbits) from an INI config"},
    {"ordinal", es_cmd_ordinal, "ordinal-pattern analysis: permutation entropy H, complexity C"},
    {"school-metrics", es_cmd_school_metrics, "school order parameters, entropies and OSI of a NetCDF file"},
    {"bench", es_cmd_bench, "performance benchmarks (ordinal, gas, school, orbits), text or --json"},
    {"sweep", es_cmd_sweep, "parameter sweeps: plan, Slurm/PBS array scripts, local runs, status"},
    {"collect", es_cmd_collect, "gather a sweep's summary.json files into a NetCDF table and CSV"},
    {"validate", es_cmd_validate, "check every validation case against its published value"},
    {"info", es_cmd_info, "version, build, models, and the config key reference"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: esuite [--help] [--version] COMMAND [ARGS]\n\n"
                 "esuite %s — entropy suite: hard-disc gas, fish schools, orbits, ordinal patterns.\n\n"
                 "commands:\n", ESUITE_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'esuite COMMAND --help' (or 'esuite help COMMAND', 'esuite --help COMMAND') describes\n"
                 "a command. Documentation: docs/.\n\n"
                 "exit status: 0 success; 1 a failure while running (and: validate, a case failed;\n"
                 "sweep --status, a task is not complete; collect --strict, a task is missing);\n"
                 "2 bad usage, bad input (config errors name file, line and key; so do validate's\n"
                 "for a case file) or a file that cannot be read or written; 3 esuite run stopped\n"
                 "by a signal after writing a checkpoint (continue with 'esuite run --resume DIR').\n");
}

/* Leave without the libraries' exit handlers: every output is closed and
 * renamed by now, and the HDF5, libcurl, OpenSSL and GnuTLS tear-down
 * (≈ 1 ms of a short run) frees memory the kernel frees anyway. Sanitizer
 * builds exit normally, so that LeakSanitizer still checks, unless an HDF5
 * file failed (a full disc): HDF5's exit handler then crashes on it. */
static int es_cli_exit(int rc)
{
    /* Output redirected to a full disc (or /dev/full) fails in a buffered
     * write that no printf call checked: exit 0 then said a cut-short table
     * or JSON was complete. The error flag is sticky, so one check here
     * covers every command. */
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
        es_cli_error("cannot write to standard output: %s",
                     errno ? strerror(errno) : "write error");
        rc = 2;
    }
#if defined(__SANITIZE_ADDRESS__)
    if (!es_output_hdf5_has_failed())
        return rc;
#endif
    fflush(NULL);
    _exit(rc);
}

/* esuite help [COMMAND] (also --help, -h): the usage, or COMMAND's help.
 * A word after COMMAND was dropped without a word and the exit was 0, so a
 * typo ('esuite --help run extra') looked accepted; it is a usage error
 * (exit 2) as for every command. argv[0] is the spelling used. */
static int help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return 0;
    }
    if (argc > 2) {
        es_cli_error("%s: expected one COMMAND, got an extra argument '%s' (usage: esuite %s [COMMAND])",
                     argv[0], argv[2], argv[0]);
        return 2;
    }
    char *args[] = {argv[1], "--help", NULL};
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, argv[1]))
            return commands[i].fn(2, args);
    es_cli_error("%s: unknown command '%s' (see 'esuite --help')", argv[0], argv[1]);
    return 2;
}

/* esuite --version (also -V) takes nothing after it: 'esuite --version run
 * x.ini' printed the version, ran nothing and exited 0. */
static int version(int argc, char **argv)
{
    if (argc > 1) {
        es_cli_error("%s takes no argument, got '%s' (usage: esuite %s)", argv[0], argv[1], argv[0]);
        return 2;
    }
    printf("esuite %s (git %s)\n", ESUITE_VERSION, ESUITE_GIT_REVISION);
    return 0;
}

int main(int argc, char **argv)
{
    es_cli_set_argv0(argv[0]);
    es_provenance_set_process_command(argc, argv);
    /* Past a file-size limit (ulimit -f, a batch system's) the kernel sends
     * SIGXFSZ, whose default action killed esuite mid-write: no message, a
     * .part file left behind. Ignored, the write fails with EFBIG and the
     * writer reports it, removes its temporary file and exits 2. */
    signal(SIGXFSZ, SIG_IGN);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures are reported as one esuite message */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
        return es_cli_exit(help(argc - 1, argv + 1));
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))
        return es_cli_exit(version(argc - 1, argv + 1));
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, cmd))
            return es_cli_exit(commands[i].fn(argc - 1, argv + 1));
    es_cli_error("unknown command '%s' (see 'esuite --help')", cmd);
    return 2;
}
