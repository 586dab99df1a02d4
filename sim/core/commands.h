/* core/commands.h — the `esuite` subcommands (one file each, cmd_*.c). */
#ifndef ESUITE_COMMANDS_H
#define ESUITE_COMMANDS_H

#include <stddef.h>

/* Each returns the process exit status: 0 success, 1 runtime failure,
 * 2 bad usage or bad input. argv[0] is the subcommand name. */
int es_cmd_run(int argc, char **argv);
int es_cmd_ordinal(int argc, char **argv);
int es_cmd_bench(int argc, char **argv);
int es_cmd_validate(int argc, char **argv);
int es_cmd_info(int argc, char **argv);
int es_cmd_school_metrics(int argc, char **argv);
int es_cmd_sweep(int argc, char **argv);
int es_cmd_collect(int argc, char **argv);

/* Shared CLI helpers (cli_util.c). */
void es_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void es_cli_print_warnings(void);
/* 1 if `value` (a file or directory name given as `what`) is not empty and
 * shorter than PATH_MAX; else an error "CMD: WHAT: empty ... name" (or "...
 * name of N characters, longer than the 4095 a path may have") and 0. */
int es_cli_name_given(const char *cmd, const char *what, const char *value, int is_dir);
/* `s` quoted as one shell word if needed (buf receives the quoted form). */
const char *es_cli_shell_word(const char *s, char *buf, size_t len);
/* Strict number parsing of option values; print a message naming the option on failure. */
int es_cli_parse_int(const char *opt, const char *text, long long min, long long max, long long *out);
int es_cli_parse_double(const char *opt, const char *text, double min, double max, double *out);
/* Exit status for a library status code: 2 for input errors, 1 otherwise. */
int es_cli_exit_status(int status);
/* Path of the running executable (for validate and bench, which start themselves). */
const char *es_cli_self_path(void);
void es_cli_set_argv0(const char *argv0);

#endif
