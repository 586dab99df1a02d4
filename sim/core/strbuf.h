/* core/strbuf.h — a growing text buffer for the few places that build text
 * (config serialisation, translated configs, gnuplot scripts, task lists, job
 * scripts).
 *
 * Start from es_strbuf b = {0}. A failed append (out of memory, or
 * vsnprintf failing) is sticky: the buffer
 * keeps the text it had, later appends do nothing and return ES_ENOMEM, and
 * es_strbuf_take() returns NULL, so a caller can test once at the end. */
#ifndef ESUITE_CORE_STRBUF_H
#define ESUITE_CORE_STRBUF_H

#include <stddef.h>

typedef struct {
    char *s;       /* NUL-terminated text (NULL until the first append) */
    size_t len, cap;
    int failed;    /* an allocation failed */
} es_strbuf;

/* Append printf-formatted text: ES_OK or ES_ENOMEM. */
int es_strbuf_printf(es_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text, owned by the caller ("" if nothing was appended), or NULL if an
 * append failed (the buffer is then freed). The buffer is left empty. */
char *es_strbuf_take(es_strbuf *b);
void es_strbuf_free(es_strbuf *b);

#endif
