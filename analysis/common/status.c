#include "esuite/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ES_MAX_WARNINGS 32

static _Thread_local char es_msg[ES_MSG_LEN];
static _Thread_local char es_msg_tmp[ES_MSG_LEN]; /* es_error_set's scratch (not on the stack) */
static _Thread_local char es_warn[ES_MAX_WARNINGS][ES_MSG_LEN / 2];
static _Thread_local int es_nwarn;
static _Thread_local unsigned long es_warn_serial;

int es_error_set(int status, const char *fmt, ...)
{
    /* Format into a scratch buffer first: callers may pass es_error_message()
     * itself as an argument (to prefix context), which must not alias the output. */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(es_msg_tmp, sizeof es_msg_tmp, fmt, ap);
    va_end(ap);
    memcpy(es_msg, es_msg_tmp, sizeof es_msg);
    return status;
}

const char *es_error_message(void) { return es_msg[0] ? es_msg : "unknown error"; }

void es_error_clear(void) { es_msg[0] = '\0'; }

const char *es_status_name(int status)
{
    static const char *names[] = {"ok", "invalid argument", "i/o error", "out of memory",
                                  "series too short", "bad data", "configuration error",
                                  "interrupted", "unsupported"};
    if (status < 0 || status >= (int)(sizeof names / sizeof names[0]))
        return "unknown status";
    return names[status];
}

/* es_nwarn counts every warning in the list, also those past the 32 kept:
 * the CLI then says how many it could not show instead of losing them. */
void es_warning_add(const char *fmt, ...)
{
    es_warn_serial++;
    if (es_nwarn++ >= ES_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(es_warn[es_nwarn - 1], sizeof es_warn[0], fmt, ap);
    va_end(ap);
}

int es_warning_count(void) { return es_nwarn < ES_MAX_WARNINGS ? es_nwarn : ES_MAX_WARNINGS; }

int es_warning_dropped(void) { return es_nwarn - es_warning_count(); }

const char *es_warning_get(int i) { return (i >= 0 && i < es_warning_count()) ? es_warn[i] : ""; }

void es_warning_clear(void) { es_nwarn = 0; }

void es_warning_truncate(int n)
{
    if (n >= 0 && n < es_nwarn)
        es_nwarn = n;
}

unsigned long es_warning_serial(void) { return es_warn_serial; }
