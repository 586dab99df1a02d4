/* A growing text buffer (see strbuf.h). */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esuite/status.h"

int es_strbuf_printf(es_strbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return ES_ENOMEM;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) { /* vsnprintf failed (EOVERFLOW): treated as a failed append */
            if (b->s)
                b->s[b->len] = '\0';
            b->failed = 1;
            return ES_ENOMEM;
        }
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return ES_OK;
        }
        /* Double, and at least fit this piece: O(total) copying overall. */
        size_t cap = b->cap ? 2 * b->cap : 256;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return ES_ENOMEM;
        }
        b->s = s;
        b->cap = cap;
    }
}

char *es_strbuf_take(es_strbuf *b)
{
    char *s = b->s;
    if (b->failed) {
        free(s);
        s = NULL;
    } else if (!s) {
        s = calloc(1, 1);
    }
    *b = (es_strbuf){0};
    return s;
}

void es_strbuf_free(es_strbuf *b)
{
    free(b->s);
    *b = (es_strbuf){0};
}
