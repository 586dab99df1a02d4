/* esuite/status.h — status codes and the per-thread error message.
 *
 * Every fallible function returns an int status (ES_OK on success). On
 * failure it records a human-readable message with es_error_set(); the
 * caller (usually the CLI) prints it with es_error_message(). GSL-style:
 * no library function prints or exits on its own. */
#ifndef ESUITE_STATUS_H
#define ESUITE_STATUS_H

enum {
    ES_OK = 0,
    ES_EINVAL = 1,   /* invalid argument or value out of range */
    ES_EIO = 2,      /* file missing, unreadable, corrupt, or write failed */
    ES_ENOMEM = 3,   /* allocation failed */
    ES_ESHORT = 4,   /* series too short for the requested analysis */
    ES_EDATA = 5,    /* bad data: NaN/Inf, impossible packing, ... */
    ES_ECONFIG = 6,  /* configuration error */
    ES_EINTR = 7,    /* interrupted by a signal */
    ES_EUNSUP = 8    /* feature not available in this build */
};

/* The most bytes (with the NUL) a message holds: room for two full paths
 * of PATH_MAX (4096) and the text around them, so the reason at the end of
 * a message naming long paths is not cut. A caller that copies a message
 * (to prefix context, or out of a thread) copies into char[ES_MSG_LEN]. */
#define ES_MSG_LEN 16384

/* Record the message of the current error (printf-style); returns `status`
 * so that `return es_error_set(ES_EINVAL, "...")` reads naturally. */
int es_error_set(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *es_error_message(void);
void es_error_clear(void);
const char *es_status_name(int status);

/* Warnings are collected, not printed, by the library (e.g. the sampling
 * rule's t_dur < 1.5 t_nat). The CLI prints them to stderr. */
void es_warning_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int es_warning_count(void);
const char *es_warning_get(int i);
/* Warnings added beyond the 32 the list keeps (not readable, but counted). */
int es_warning_dropped(void);
void es_warning_clear(void);
/* Keep only the first n warnings (a caller dropping the ones its own call
 * added, leaving older ones in place). */
void es_warning_truncate(int n);
/* es_warning_add calls on this thread so far, including those the full list
 * (32 warnings) dropped: whether a call warned, whatever the list holds. */
unsigned long es_warning_serial(void);

#endif
