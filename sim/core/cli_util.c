#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/commands.h"
#include "esuite/status.h"

void es_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("esuite: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void es_cli_print_warnings(void)
{
    for (int i = 0; i < es_warning_count(); i++)
        fprintf(stderr, "esuite: warning: %s\n", es_warning_get(i));
    if (es_warning_dropped() > 0)
        fprintf(stderr, "esuite: warning: ... and %d more warnings not shown (only the first %d are kept)\n",
                es_warning_dropped(), es_warning_count());
    es_warning_clear();
}

/* A path made from an empty directory name as "%s/manifest.json" is
 * "/manifest.json": 'esuite sweep s.ini --dir= --scheduler local' wrote its
 * tasks into the root directory, then failed with ": No such file or
 * directory"; 'esuite collect ""' collected a sweep found there. */
int es_cli_name_given(const char *cmd, const char *what, const char *value, int is_dir)
{
    /* A name longer than a path may be was copied cut to PATH_MAX - 1 bytes:
     * 'run --output' of 5024 characters made the directory of its first 4095
     * and failed there with a cut message in two lines. */
    if (*value && strlen(value) >= PATH_MAX) {
        es_cli_error("%s: %s: %s name of %zu characters, longer than the %d a path may have (PATH_MAX): '%.64s...'",
                     cmd, what, is_dir ? "directory" : "file", strlen(value), PATH_MAX - 1, value);
        return 0;
    }
    if (*value)
        return 1;
    if (is_dir)
        es_cli_error("%s: %s: empty directory name (the current directory is '.')", cmd, what);
    else
        es_cli_error("%s: %s: empty file name", cmd, what);
    return 0;
}

/* Past the blanks at `end`: strtoll and strtod skip those in front, so
 * '--order " 4"' was 4 but '--order "4 "' an error. Both ends are now trimmed,
 * as a config line and a --set are (es_config_normalise_override). */
static const char *skip_blanks(const char *end)
{
    while (isspace((unsigned char)*end))
        end++;
    return end;
}

int es_cli_parse_int(const char *opt, const char *text, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *skip_blanks(end) != '\0' || errno == ERANGE) {
        es_cli_error("%s: expected an integer, got '%s' (allowed range %lld .. %lld)", opt, text, min, max);
        return 0;
    }
    if (v < min || v > max) {
        es_cli_error("%s: value %lld is out of range (allowed range %lld .. %lld)", opt, v, min, max);
        return 0;
    }
    *out = v;
    return 1;
}

int es_cli_parse_double(const char *opt, const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *skip_blanks(end) != '\0' || !isfinite(v)) {
        es_cli_error("%s: expected a number, got '%s' (allowed range %g .. %g)", opt, text, min, max);
        return 0;
    }
    if (v < min || v > max) {
        es_cli_error("%s: value %g is out of range (allowed range %g .. %g)", opt, v, min, max);
        return 0;
    }
    *out = v;
    return 1;
}

int es_cli_exit_status(int status)
{
    switch (status) {
    case ES_OK: return 0;
    case ES_EINVAL:
    case ES_ESHORT:
    case ES_EDATA:
    case ES_ECONFIG:
    case ES_EIO: return 2;
    default: return 1;
    }
}

static char self_path[PATH_MAX];

void es_cli_set_argv0(const char *argv0)
{
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n > 0)
        self_path[n] = '\0';
    else
        snprintf(self_path, sizeof self_path, "%s", argv0);
}

const char *es_cli_self_path(void) { return self_path; }

/* `s` as one shell word for a command the user copies from a message: as it
 * is when it holds no shell syntax, else in double quotes ("R x", "a$b" with
 * $ ` " \ escaped). The suggestion 'esuite collect R x' ran collect on R. */
const char *es_cli_shell_word(const char *s, char *buf, size_t len)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+:,@%=") ==
                  strlen(s))
        return s;
    size_t k = 0;
    if (len < 3)
        return s;
    buf[k++] = '"';
    for (; *s && k + 3 < len; s++) {
        if (strchr("$`\"\\", *s))
            buf[k++] = '\\';
        buf[k++] = *s;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}
