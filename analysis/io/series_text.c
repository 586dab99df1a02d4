/* series_text.c — one column of numbers from a text/CSV file or stdin.
 *
 * Speed matters (10^5 lines must take ~2 ms): the whole file is mapped
 * (mmap) or read into one buffer ending in '\n' (a sentinel, so scans for
 * the end of a line need no bounds checks), and rows are parsed in a single
 * pass with es_parse_double(). The first non-comment line fixes the layout: its
 * delimiter (',', ';', blanks, or tabs: see detect_delim), its number of
 * columns, and whether it is a header (any field that is not a number). */
#include "series_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esuite/status.h"

#define MAX_COLUMNS 4096
#define TOKEN_SHOW 40 /* characters of a bad token quoted in messages */
/* a '#' after a value is no comment: only lines that start with '#' are */
#define COMMENT_HINT " (a '#' comment must be on a line of its own)"

typedef struct {
    const char *name; /* file name in messages */
    char *buf;        /* file contents, always ending in '\n' */
    size_t len;
    size_t mapped;    /* > 0: buf is an mmap of this many bytes, else malloc'd */
    bool added_nl;    /* the final '\n' is the sentinel, not the file's */
    char delim;       /* ',', ';', '\t', or ' ' for runs of blanks */
    int ncols;
    int col;          /* selected column, 0-based */
    char label[200];  /* "column 'x'" or "column 2" */
} text_file;

/* ---- loading ---- */

/* Map a regular file that ends in '\n' (the usual case): no copy, and the
 * kernel fills the page table at once. Returns false to fall back to read(). */
static bool try_map(int fd, const struct stat *st, text_file *t)
{
    if (st->st_size <= 0 || (unsigned long long)st->st_size > SIZE_MAX / 2)
        return false;
    size_t size = (size_t)st->st_size;
    int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    flags |= MAP_POPULATE;
#endif
    char *buf = mmap(NULL, size, PROT_READ, flags, fd, 0);
    if (buf == MAP_FAILED)
        return false;
    if (buf[size - 1] != '\n') {
        munmap(buf, size);
        return false;
    }
    t->buf = buf;
    t->len = size;
    t->mapped = size;
    return true;
}

static void unload(text_file *t)
{
    if (t->mapped)
        munmap(t->buf, t->mapped);
    else
        free(t->buf);
    t->buf = NULL;
}

static int load(const char *path, text_file *t)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0)
        return es_error_set(ES_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    size_t cap = 1 << 16;
    if (fd != STDIN_FILENO && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if (try_map(fd, &st, t)) {
            close(fd);
            return ES_OK;
        }
        cap = (size_t)st.st_size + 4096; /* the whole file, the sentinel, and EOF */
    }
    char *buf = malloc(cap);
    size_t len = 0;
    int rc = buf ? ES_OK : es_error_set(ES_ENOMEM, "%s: out of memory", t->name);
    while (rc == ES_OK) {
        if (cap - len <= 2) { /* keep room for the sentinel */
            char *bigger = realloc(buf, 2 * cap);
            if (!bigger) {
                rc = es_error_set(ES_ENOMEM, "%s: out of memory (%zu bytes read)", t->name, len);
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + len, cap - len - 2);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = es_error_set(ES_EIO, "cannot read '%s': %s", t->name, strerror(errno));
            break;
        }
        len += (size_t)got;
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    t->added_nl = len == 0 || buf[len - 1] != '\n';
    if (t->added_nl)
        buf[len++] = '\n';
    t->buf = buf;
    t->len = len;
    return ES_OK;
}

/* ---- UTF-16 files (Excel's "Unicode Text", PowerShell 5's Out-File) ---- */

static size_t put_utf8(char *o, unsigned long cp)
{
    unsigned char *u = (unsigned char *)o;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (unsigned char)(0xF0 | cp >> 18);
    u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A file that starts with a UTF-16 byte-order mark (FF FE little-endian,
 * FE FF big-endian) is decoded to UTF-8 in a new buffer: read as bytes,
 * every other byte of ASCII text is NUL and it was refused as binary data.
 * An odd byte count or an unpaired surrogate is an error with its offset;
 * UTF-32 (FF FE 00 00) is named, not guessed at. */
static int utf16_to_utf8(text_file *t)
{
    const unsigned char *b = (const unsigned char *)t->buf;
    const size_t n = t->len - (t->added_nl ? 1 : 0);
    if (n < 2 || !((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return ES_OK;
    const bool le = b[0] == 0xFF;
    if (le && n >= 4 && b[2] == 0 && b[3] == 0)
        return es_error_set(ES_EDATA, "%s: UTF-32 text (byte-order mark FF FE 00 00) is not read; "
                            "convert it first: iconv -f UTF-32 -t UTF-8", t->name);
    const char *bom = le ? "FF FE, UTF-16LE" : "FE FF, UTF-16BE";
    if (n % 2)
        return es_error_set(ES_EDATA, "%s: UTF-16 text (byte-order mark %s) with an odd number of "
                            "bytes (%zu): the file is truncated", t->name, bom, n);
    char *out = malloc(n / 2 * 3 + 2); /* a 2-byte unit gives <= 3 bytes, a 4-byte pair 4 */
    if (!out)
        return es_error_set(ES_ENOMEM, "%s: out of memory", t->name);
    size_t o = 0;
    for (size_t i = 2; i < n; i += 2) {
        unsigned long u = le ? (unsigned long)b[i] | (unsigned long)b[i + 1] << 8
                             : (unsigned long)b[i] << 8 | b[i + 1];
        unsigned long v = 0;
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < n)
            v = le ? (unsigned long)b[i + 2] | (unsigned long)b[i + 3] << 8
                   : (unsigned long)b[i + 2] << 8 | b[i + 3];
        if (u >= 0xD800 && u < 0xDC00 && v >= 0xDC00 && v < 0xE000) {
            u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
            i += 2;
        } else if (u >= 0xD800 && u < 0xE000) {
            free(out);
            return es_error_set(ES_EDATA, "%s: UTF-16 text (byte-order mark %s) with an unpaired "
                                "surrogate 0x%04lX at byte offset %zu: not valid UTF-16", t->name, bom,
                                u, i);
        }
        o += put_utf8(out + o, u);
    }
    if (o == 0 || out[o - 1] != '\n')
        out[o++] = '\n';
    if (t->mapped)
        munmap(t->buf, t->mapped);
    else
        free(t->buf);
    t->buf = out;
    t->len = o;
    t->mapped = 0;
    t->added_nl = false;
    return ES_OK;
}

/* A binary file that is not HDF5 or NetCDF (.npy, .gz, FITS data) would
 * parse as a "header" of garbage, quoted raw in the message. A NUL byte
 * anywhere, or a control character other than tab, CR, LF, FF or VT in the
 * first 4 KiB, is no text. memchr keeps the full scan at ~0.1 ms per MB. */
static int check_text(const text_file *t)
{
    const char *nul = memchr(t->buf, '\0', t->len);
    size_t at = nul ? (size_t)(nul - t->buf) : t->len;
    for (size_t i = 0; i < t->len && i < 4096 && i < at; i++) {
        unsigned char c = (unsigned char)t->buf[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f)
            at = i;
    }
    if (at == t->len)
        return ES_OK;
    /* UTF-16 without a byte-order mark: every other byte of ASCII text is NUL */
    const unsigned char *b = (const unsigned char *)t->buf;
    const char *hint = "";
    if (t->len >= 4 && b[0] && !b[1] && b[2] && !b[3])
        hint = "; it looks like UTF-16LE text without a byte-order mark: iconv -f UTF-16LE -t UTF-8";
    else if (t->len >= 4 && !b[0] && b[1] && !b[2] && b[3])
        hint = "; it looks like UTF-16BE text without a byte-order mark: iconv -f UTF-16BE -t UTF-8";
    return es_error_set(ES_EDATA, "%s: binary data (byte 0x%02x at offset %zu): not a text/CSV, "
                        "HDF5 or NetCDF file (a compressed file must be decompressed first)%s",
                        t->name, (unsigned char)t->buf[at], at, hint);
}

/* Line ends of CR alone (classic Mac OS; Excel's "CSV (Macintosh)") are line
 * ends, as in Python's universal newlines: the file was one line of blank-
 * separated fields before ("x,y\r1,2\r3,4" had the columns x, y1, 23, 4).
 * A CR before LF (CRLF) stays, as a blank. Files without a lone CR, the usual
 * case, cost one memchr pass; others are copied (a mapping is read-only). */
static int cr_line_ends(text_file *t)
{
    const char *end = t->buf + t->len;
    const char *cr = memchr(t->buf, '\r', t->len);
    while (cr && cr[1] == '\n') /* buf ends in '\n': cr[1] is in the buffer */
        cr = memchr(cr + 1, '\r', (size_t)(end - cr - 1));
    if (!cr)
        return ES_OK;
    if (t->mapped) {
        char *copy = malloc(t->len);
        if (!copy)
            return es_error_set(ES_ENOMEM, "%s: out of memory", t->name);
        memcpy(copy, t->buf, t->len);
        cr = copy + (cr - t->buf);
        munmap(t->buf, t->mapped);
        t->buf = copy;
        t->mapped = 0;
        end = t->buf + t->len;
    }
    for (char *c = (char *)cr; c; c = memchr(c + 1, '\r', (size_t)(end - c - 1)))
        if (c[1] != '\n')
            *c = '\n';
    return ES_OK;
}

/* ---- the first line: delimiter, header, column names ---- */

static inline bool is_blank(char c, char delim)
{
    return c == ' ' || c == '\r' || (c == '\t' && delim != '\t');
}

typedef struct {
    const char *s;
    size_t len;
    bool quoted; /* was in quotes: a doubled quote ("") in it is one quote */
} span;

/* Past the quoted field that opens at p ('"'): a doubled quote inside is
 * one literal quote (RFC 4180, as Excel, Python's csv and pandas write a
 * text that holds quotes), not the end: '"he said ""hi"", then",1' was
 * split at the comma inside. At the line's end if it is not closed (the
 * buffer ends in '\n', so p[1] can be read). */
static const char *skip_quoted(const char *p)
{
    for (p++; *p != '\n'; p++)
        if (*p == '"') {
            if (p[1] != '"')
                return p + 1;
            p++;
        }
    return p;
}

/* Split the line at p into trimmed fields (surrounding quotes removed).
 * Returns the field count (fields beyond `max` are counted, not stored). */
static int split_line(const char *p, char delim, span *fields, int max)
{
    int n = 0;
    const bool ws = delim == ' ';
    while (is_blank(*p, delim))
        p++;
    if (*p == '\n')
        return 0;
    for (;;) {
        const char *s = p;
        if (*p == '"')
            p = skip_quoted(p);
        while (*p != '\n' && (ws ? !is_blank(*p, delim) : *p != delim))
            p++;
        const char *e = p;
        while (e > s && is_blank(e[-1], delim))
            e--;
        const bool quoted = e - s >= 2 && *s == '"' && e[-1] == '"';
        if (quoted) {
            s++;
            e--;
        }
        if (n < max)
            fields[n] = (span){s, (size_t)(e - s), quoted};
        n++;
        while (is_blank(*p, delim))
            p++;
        if (*p == '\n')
            return n;
        if (!ws)
            for (p++; is_blank(*p, delim); p++)
                ;
    }
}

/* An empty field: nothing, or quotes around nothing but blanks ("", "  "),
 * which a value read from it reports as an empty value (bad_token). */
static bool is_empty_field(span f)
{
    size_t i = 0;
    while (f.quoted && i < f.len && (f.s[i] == ' ' || f.s[i] == '\t'))
        i++;
    return i == f.len;
}

/* As parse_piece reads a value: blanks inside quotes (" 4 ") do not count,
 * so a first line of such numbers is data, not a header. */
static bool is_number(span f)
{
    double v;
    while (f.quoted && f.len > 0 && (*f.s == ' ' || *f.s == '\t')) {
        f.s++;
        f.len--;
    }
    while (f.quoted && f.len > 0 && (f.s[f.len - 1] == ' ' || f.s[f.len - 1] == '\t'))
        f.len--;
    return f.len > 0 && es_parse_double(f.s, f.s + f.len, &v) == f.len;
}

/* ',' or ';' when the first line has one (outside quotes). Otherwise tabs
 * and spaces are both blank separators, except for a tab-separated header
 * whose names contain spaces or whose first name is empty (a pandas index):
 * a line with words that are not numbers, split by single tabs into fewer
 * fields than by blanks. `scratch` holds MAX_COLUMNS spans. */
static char detect_delim(const char *p, span *scratch)
{
    bool comma = false, semi = false, tab = false, quoted = false;
    for (const char *c = p; *c != '\n'; c++) {
        if (*c == '"')
            quoted = !quoted;
        else if (!quoted) {
            comma |= *c == ',';
            semi |= *c == ';';
            tab |= *c == '\t';
        }
    }
    if (comma || semi)
        return comma ? ',' : ';';
    if (!tab)
        return ' ';
    int ntab = split_line(p, '\t', scratch, MAX_COLUMNS);
    if (ntab == split_line(p, ' ', NULL, 0) || ntab > MAX_COLUMNS)
        return ' ';
    for (int i = 1; i < ntab; i++)
        if (scratch[i].len == 0) /* "1 \t\t 2": blank runs, not empty fields */
            return ' ';
    int nws = split_line(p, ' ', scratch, MAX_COLUMNS);
    bool text = false;
    for (int i = 0; i < nws && i < MAX_COLUMNS && !text; i++)
        text = !is_number(scratch[i]);
    if (!text) /* a data line: its tabs are blanks */
        return ' ';
    return '\t';
}

/* ---- bytes that are not UTF-8 (Windows-1252 / Latin-1 files) ---- */

/* Length of the valid UTF-8 sequence at s[0..len), 0 if there is none. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, surrogate, past U+10FFFF */
    return n;
}

/* The invisible characters a message spells out: no-break spaces (U+00A0,
 * U+2007, U+202F: a French or German locale's digit group separator, shown
 * raw as a plain blank: "cannot parse '2 500'") and U+FEFF (a byte-order
 * mark inside the text); 0 for any other. */
static unsigned long invisible(const unsigned char *u, size_t n)
{
    unsigned long cp = n == 2 ? (unsigned long)(u[0] & 0x1F) << 6 | (u[1] & 0x3F)
                     : n == 3 ? (unsigned long)(u[0] & 0x0F) << 12 | (unsigned long)(u[1] & 0x3F) << 6 |
                                    (u[2] & 0x3F)
                              : 0;
    return cp == 0xA0 || cp == 0x2007 || cp == 0x202F || cp == 0xFEFF ? cp : 0;
}

/* s[0..len) for a message: bytes that are not UTF-8 as \xHH (a Windows-1252
 * "°" printed raw is a replacement character no one can type), control
 * characters too (a form feed before "3" read "cannot parse '3'"), and the
 * invisible characters above as \uXXXX. Truncated to fit out[size]. */
static const char *shown(const char *s, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 7 < size;) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t n = utf8_len(u, len - i);
        unsigned long cp = n > 1 ? invisible(u, n) : 0;
        if (n == 0 || (n == 1 && (u[0] < 0x20 || u[0] == 0x7F))) {
            o += (size_t)snprintf(out + o, size - o, "\\x%02X", (unsigned char)s[i]);
            i++;
        } else if (cp) {
            o += (size_t)snprintf(out + o, size - o, "\\u%04lX", cp);
            i += n;
        } else if (o + n < size) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            break;
        }
    }
    out[o] = '\0';
    return out;
}

/* s[0..len) decoded as Windows-1252 where it is not UTF-8, as UTF-8 in
 * out[size]: how a header written by Excel on Windows ("T (\xB0C)") compares
 * with the name typed on a UTF-8 terminal ("T (°C)"). False if it is all
 * UTF-8 already or does not fit. */
static bool cp1252_to_utf8(const char *s, size_t len, char *out, size_t size)
{
    static const unsigned short c1[32] = {
        0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
    size_t o = 0;
    bool changed = false;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len((const unsigned char *)s + i, len - i);
        if (n > 0) {
            if (o + n >= size)
                return false;
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
            continue;
        }
        unsigned char b = (unsigned char)s[i++];
        unsigned cp = b < 0xA0 ? c1[b - 0x80] : b;
        if (o + 3 >= size)
            return false;
        o += put_utf8(out + o, cp);
        changed = true;
    }
    out[o] = '\0';
    return changed;
}

/* The name a header field gives: a quoted one's "" as one quote. */
static bool name_is(span f, const char *column)
{
    size_t k = 0;
    for (size_t i = 0; i < f.len; i++, k++) {
        if (column[k] != f.s[i]) /* also at the end of `column` (text holds no NUL) */
            return false;
        if (f.quoted && f.s[i] == '"' && i + 1 < f.len && f.s[i + 1] == '"')
            i++;
    }
    return column[k] == '\0';
}

/* The name of field f for a message, as name_is reads it, in out[size]
 * (truncated). */
static const char *name_shown(span f, char *out, size_t size)
{
    char name[400];
    size_t k = 0;
    for (size_t i = 0; i < f.len && k + 1 < sizeof name; i++) {
        name[k++] = f.s[i];
        if (f.quoted && f.s[i] == '"' && i + 1 < f.len && f.s[i + 1] == '"')
            i++;
    }
    return shown(name, k, out, size);
}

static void list_columns(const span *names, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 8 < len; i++) {
        char name[400];
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                         name_shown(names[i], name, sizeof name));
        if (w < 0 || (size_t)w >= len - used) {
            strcpy(buf + len - 4, "...");
            return;
        }
        used += (size_t)w;
    }
}

/* Whether `column` is a 1-based column number (digits only), in *k. */
static bool column_number(const char *column, long *k)
{
    char *stop;
    errno = 0;
    *k = strtol(column, &stop, 10);
    return *column >= '0' && *column <= '9' && *stop == '\0' && errno == 0;
}

/* Resolve `column` against the header (or by number) and set t->col and t->label. */
static int select_column(text_file *t, const char *column, const char *row_spec, const span *names,
                         bool header)
{
    char cols[600];
    if (header)
        list_columns(names, t->ncols < MAX_COLUMNS ? t->ncols : MAX_COLUMNS, cols, sizeof cols);
    if (!column) {
        if (t->ncols != 1) {
            if (header)
                return es_error_set(ES_EINVAL,
                                    "%s has %d columns (%s): choose one by name or 1-based "
                                    "number, as %s:COLUMN",
                                    t->name, t->ncols, cols, t->name);
            return es_error_set(ES_EINVAL,
                                "%s has %d columns and no header line: choose one by 1-based "
                                "number, as %s:NUMBER",
                                t->name, t->ncols, t->name);
        }
        t->col = 0;
    } else {
        t->col = -1;
        /* A name given to two columns (a spreadsheet's "x, y, x") chose
         * the first without a word; which one was meant, only a number says. */
        for (int i = 0; header && i < t->ncols && i < MAX_COLUMNS; i++)
            if (name_is(names[i], column)) {
                if (t->col >= 0)
                    return es_error_set(ES_EINVAL, "%s: column name '%s' is in the header twice "
                                        "(columns %d and %d): choose one by 1-based number",
                                        t->name, column, t->col + 1, i + 1);
                t->col = i;
            }
        /* "1" naming column 3 of the header "t,0,1" is also the number of
         * column 1: the name was taken without a word. */
        long k;
        if (t->col >= 0 && column_number(column, &k) && k >= 1 && k <= t->ncols &&
            k != t->col + 1 && k <= MAX_COLUMNS) {
            char other[200];
            name_shown(names[k - 1], other, sizeof other);
            return es_error_set(ES_EINVAL, "%s: '%s' is the name of column %d and the number of "
                                "column %ld%s%s%s: choose column %d by its number %d%s%s%s", t->name,
                                column, t->col + 1, k, *other ? " ('" : "", other, *other ? "')" : "",
                                t->col + 1, t->col + 1, *other ? ", or column '" : "", other,
                                *other ? "' by its name" : "");
        }
        for (int i = 0; header && t->col < 0 && i < t->ncols && i < MAX_COLUMNS; i++) {
            char utf8[600];
            if (cp1252_to_utf8(names[i].s, names[i].len, utf8, sizeof utf8) && !strcmp(utf8, column))
                t->col = i; /* a Windows-1252 header, the name typed in UTF-8 */
        }
        if (t->col < 0 && row_spec) /* "x[1]" and no column of that name */
            return es_series_row_not_binary(row_spec, column, header ? cols : NULL);
        if (t->col < 0) {
            bool numeric = column_number(column, &k);
            if (!numeric && header && t->ncols > MAX_COLUMNS) /* names past the limit are not read */
                return es_error_set(ES_EINVAL, "%s: no column '%s' among the first %d of its %d "
                                    "columns (at most %d columns are supported)", t->name, column,
                                    MAX_COLUMNS, t->ncols, MAX_COLUMNS);
            if (!numeric && header)
                return es_error_set(ES_EINVAL, "%s: no column '%s' (columns: %s%s)", t->name, column,
                                    cols, strstr(cols, "\\x") ? "; bytes that are not UTF-8 shown as "
                                                                "\\xHH" : "");
            if (!numeric)
                return es_error_set(ES_EINVAL,
                                    "%s: no column '%s': the file has no header line, select a "
                                    "column by number 1..%d",
                                    t->name, column, t->ncols);
            if (k < 1 || k > t->ncols)
                return es_error_set(ES_EINVAL, "%s: column %ld out of range 1..%d", t->name, k,
                                    t->ncols);
            t->col = (int)(k - 1);
        }
    }
    if (t->col >= MAX_COLUMNS)
        return es_error_set(ES_EINVAL, "%s: column %d: at most %d columns are supported", t->name,
                            t->col + 1, MAX_COLUMNS);
    char name[160];
    if (header)
        snprintf(t->label, sizeof t->label, "column '%s'",
                 name_shown(names[t->col], name, sizeof name));
    else
        snprintf(t->label, sizeof t->label, "column %d", t->col + 1);
    return ES_OK;
}

/* ---- rows ---- */

/* Large inputs are cut at line ends into one piece per thread; each piece is
 * parsed on its own and the values concatenated in file order, so the result
 * (values, and the first error in file order) does not depend on the thread
 * count. Messages are formatted by the calling thread: es_error_set() keeps
 * one message per thread. */
/* Threads pay off only for big files (10^5 lines, ~2 MB, parse in ~2 ms:
 * not worth a parallel region on a busy node). */
#define PARALLEL_MIN_BYTES (8u << 20)
#define BYTES_PER_THREAD (4u << 20)

typedef enum { ROW_OK, ROW_TOKEN, ROW_NONFINITE, ROW_UNDERFLOW, ROW_COUNT, ROW_NOMEM } row_error;

typedef struct {
    double *x;
    size_t n, cap;
    long lines;             /* lines finished before the error (or all) */
    row_error err;
    const char *line_start; /* the line with the error */
    const char *token;      /* the field with the error */
    size_t token_len;       /* parsed length (non-finite values) */
} piece;

/* Whether the number literal s[0..len) has a nonzero digit in its mantissa
 * (decimal before 'e', hexadecimal before 'p'): read as 0, it underflowed
 * ("1e-400", "0x1p-1100"). Called only for values that are 0. */
static bool literal_nonzero(const char *s, size_t len)
{
    const char *e = s + len;
    if (s < e && (*s == '+' || *s == '-'))
        s++;
    const bool hex = e - s > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    for (s += hex ? 2 : 0; s < e && *s != (hex ? 'p' : 'e') && *s != (hex ? 'P' : 'E'); s++)
        if ((*s >= '1' && *s <= '9') || (hex && strchr("abcdefABCDEF", *s)))
            return true;
    return false;
}

/* Past spaces and tabs inside quotes (the buffer ends in '\n'). */
static const char *skip_inner_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static void parse_piece(const text_file *t, const char *p, const char *stop, piece *r)
{
    const char delim = t->delim;
    const bool ws = delim == ' ';
    const int last = t->ncols - 1, col = t->col;
    memset(r, 0, sizeof *r);
    if (p >= stop)
        return;
    /* Capacity from the first row's length; grows by doubling if short. */
    const char *eol = memchr(p, '\n', (size_t)(stop - p));
    r->cap = (size_t)(stop - p) / (size_t)(eol - p + 1) + (size_t)(stop - p) / 64 + 16;
    r->x = malloc(r->cap * sizeof *r->x);
    if (!r->x) {
        r->err = ROW_NOMEM;
        return;
    }
    double *x = r->x;
    size_t n = 0, cap = r->cap;
    long lines = 0;

    while (p < stop) {
        const char *ls = p;
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\n' || *p == '#') { /* blank or comment line */
            p = *p == '\n' ? p + 1 : (const char *)memchr(p, '\n', (size_t)(stop - p)) + 1;
            lines++;
            continue;
        }
        if (delim == '\t') /* a leading tab is an empty first field */
            for (p = ls; *p == ' ' || *p == '\r'; p++)
                ;
        for (int i = 0;; i++) {
            if (i == col) {
                double v;
                /* a quoted number ("1.5", as QUOTE_ALL CSV writers give) is that
                 * number, blanks inside the quotes too (" 4 ", as Python's
                 * float() reads the field): blanks around an unquoted one are
                 * skipped, and " 4 " was refused */
                const bool quoted = *p == '"';
                const char *field = p;
                const char *a = quoted ? skip_inner_blanks(p + 1) : p;
                size_t m = es_parse_double(a, stop, &v), k = m;
                if (quoted) {
                    const char *z = skip_inner_blanks(a + m);
                    k = m > 0 && *z == '"' ? (size_t)(z + 1 - p) : 0;
                }
                char c = p[k];
                if (k == 0 || !(c == '\n' || is_blank(c, delim) || (!ws && c == delim))) {
                    r->err = ROW_TOKEN;
                    goto fail;
                }
                if (!isfinite(v)) {
                    r->err = ROW_NONFINITE;
                    r->token_len = k;
                    goto fail;
                }
                /* 1e400 is refused (Inf above), so 1e-400 is too: read as 0 it
                 * would tie with every true zero, silently. Subnormals stay. */
                if (v == 0 && literal_nonzero(a, m)) {
                    r->err = ROW_UNDERFLOW;
                    r->token_len = k;
                    goto fail;
                }
                if (n == cap) {
                    double *bigger = realloc(x, 2 * cap * sizeof *x);
                    if (!bigger) {
                        r->err = ROW_NOMEM;
                        goto fail;
                    }
                    x = bigger;
                    cap *= 2;
                }
                x[n++] = v;
                p += k;
                /* '2,3 # note' or '2,3 x': blanks, then more in the field. It was
                 * "expected 2 columns, found 2"; it is this field that is bad. */
                if (!ws) {
                    const char *q = p;
                    while (is_blank(*q, delim))
                        q++;
                    if (*q != '\n' && *q != delim) {
                        r->err = ROW_TOKEN;
                        p = field;
                        goto fail;
                    }
                }
            } else {
                if (*p == '"') /* quoted text field: delimiters inside do not count */
                    p = skip_quoted(p);
                if (ws)
                    while (*p != '\n' && !is_blank(*p, delim))
                        p++;
                else
                    while (*p != '\n' && *p != delim)
                        p++;
            }
            while (is_blank(*p, delim))
                p++;
            if (i == last)
                break;
            if (*p == '\n' || (!ws && *p != delim)) {
                r->err = ROW_COUNT;
                goto fail;
            }
            if (!ws)
                for (p++; is_blank(*p, delim); p++)
                    ;
        }
        if (*p != '\n') {
            r->err = ROW_COUNT;
            goto fail;
        }
        p++;
        lines++;
        continue;
    fail:
        r->line_start = ls;
        r->token = p;
        break;
    }
    r->x = x;
    r->n = n;
    r->cap = cap;
    r->lines = lines;
}

/* The field [p, e) holds no value: nothing, or quotes around nothing but
 * blanks ("" is QUOTE_ALL's empty value; "  " is one whose blanks a
 * quoted number may have too, so it is the same missing value, not a
 * token to show as "cannot parse '"  "' as a number"). */
static bool is_empty_value(const char *p, const char *e)
{
    if (e == p)
        return true;
    if (e - p < 2 || p[0] != '"' || e[-1] != '"')
        return false;
    return skip_inner_blanks(p + 1) == e - 1;
}

static int bad_token(const text_file *t, long line, const char *p)
{
    const bool ws = t->delim == ' ';
    /* a quoted text is quoted whole ('"a,b"' was shown as '"a') */
    const char *e = *p == '"' ? skip_quoted(p) : p;
    while (*e != '\n' && (ws ? !is_blank(*e, t->delim) : *e != t->delim))
        e++;
    while (e > p && is_blank(e[-1], t->delim))
        e--;
    if (is_empty_value(p, e))
        return es_error_set(ES_EDATA, "%s:%ld: %s: empty value", t->name, line, t->label);
    size_t len = (size_t)(e - p);
    char tok[4 * TOKEN_SHOW + 1];
    return es_error_set(ES_EDATA, "%s:%ld: %s: cannot parse '%s%s' as a number%s", t->name, line,
                        t->label, shown(p, len > TOKEN_SHOW ? TOKEN_SHOW : len, tok, sizeof tok),
                        len > TOKEN_SHOW ? "..." : "",
                        *p != '#' && memchr(p, '#', len) ? COMMENT_HINT : "");
}

/* A blank-separated file (tabs are blanks: docs/output-format.md) whose
 * short line, split at single tabs, has the header's column count with an
 * empty field: a tab-separated file's missing value ("1\t\t3", "1\t4\t"),
 * reported as "expected 3 columns, found 2", which named no column. Returns
 * the 0-based column of the empty field, the selected one first, else -1.
 * The line stays an error: only its message changes. */
static int tab_empty_field(const text_file *t, const char *line_start)
{
    if (t->delim != ' ' || split_line(line_start, '\t', NULL, 0) != t->ncols)
        return -1;
    span *f = malloc(MAX_COLUMNS * sizeof *f);
    if (!f)
        return -1;
    int n = split_line(line_start, '\t', f, MAX_COLUMNS), empty = -1;
    for (int i = 0; i < n && i < MAX_COLUMNS; i++)
        if (f[i].len == 0 && (empty < 0 || i == t->col))
            empty = i;
    free(f);
    return empty;
}

static int count_error(const text_file *t, const piece *r, long line)
{
    int empty = tab_empty_field(t, r->line_start);
    if (empty == t->col)
        return es_error_set(ES_EDATA, "%s:%ld: %s: empty value", t->name, line, t->label);
    if (empty >= 0) /* a CSV file skips it; here the columns after it could not be told apart */
        return es_error_set(ES_EDATA, "%s:%ld: column %d: empty value (tabs and spaces both separate "
                            "columns in this file, so an empty field cannot be told from a wider gap)",
                            t->name, line, empty + 1);
    int found = split_line(r->line_start, t->delim, NULL, 0);
    /* '2 # note' in a blank-separated file: three fields, "expected 1 column, found 3" */
    const char *hash = NULL;
    for (const char *c = r->line_start; *c != '\n' && !hash; c++)
        if (*c == '#' && c > r->line_start && is_blank(c[-1], t->delim))
            hash = c;
    return es_error_set(ES_EDATA, "%s:%ld: expected %d column%s, found %d%s", t->name, line, t->ncols,
                        t->ncols == 1 ? "" : "s", found, hash ? COMMENT_HINT : "");
}

static int piece_error(const text_file *t, const piece *r, long line)
{
    switch (r->err) {
    case ROW_TOKEN:
        return bad_token(t, line, r->token);
    case ROW_NONFINITE:
        return es_error_set(ES_EDATA, "%s:%ld: NaN/Inf value in %s ('%.*s')", t->name, line,
                            t->label, (int)r->token_len, r->token);
    case ROW_UNDERFLOW:
        return es_error_set(ES_EDATA, "%s:%ld: %s: '%.*s' underflows to 0 (its magnitude is below "
                            "the smallest double, 4.9e-324)", t->name, line, t->label,
                            (int)r->token_len, r->token);
    case ROW_COUNT:
        return count_error(t, r, line);
    default:
        return es_error_set(ES_ENOMEM, "%s: out of memory", t->name);
    }
}

static int parse_rows(const text_file *t, const char *p, long line, es_series *out)
{
    const char *end = t->buf + t->len;
    size_t bytes = (size_t)(end - p);
    int npieces = 1;
    if (bytes >= PARALLEL_MIN_BYTES) {
        size_t want = bytes / BYTES_PER_THREAD;
        int threads = omp_get_max_threads();
        npieces = want < (size_t)threads ? (int)want : threads;
        if (npieces < 1)
            npieces = 1;
    }
    piece one, *pieces = npieces == 1 ? &one : calloc((size_t)npieces, sizeof *pieces);
    const char **cut = malloc(((size_t)npieces + 1) * sizeof *cut);
    if (!pieces || !cut) {
        if (pieces != &one)
            free(pieces);
        free(cut);
        return es_error_set(ES_ENOMEM, "%s: out of memory", t->name);
    }
    /* Piece k covers [cut[k], cut[k+1]): cuts fall just after a '\n'. */
    cut[0] = p;
    for (int k = 1; k < npieces; k++) {
        const char *c = p + bytes / (size_t)npieces * (size_t)k;
        if (c < cut[k - 1])
            c = cut[k - 1];
        cut[k] = (const char *)memchr(c, '\n', (size_t)(end - c)) + 1;
    }
    cut[npieces] = end;

    if (npieces == 1) {
        parse_piece(t, cut[0], cut[1], &pieces[0]);
    } else {
#pragma omp parallel for schedule(static, 1) num_threads(npieces)
        for (int k = 0; k < npieces; k++)
            parse_piece(t, cut[k], cut[k + 1], &pieces[k]);
    }
    free(cut);

    /* The first error in file order wins; its line number counts the lines
     * of every piece before it. */
    int rc = ES_OK;
    size_t total = 0;
    for (int k = 0; k < npieces && rc == ES_OK; k++) {
        if (pieces[k].err)
            rc = piece_error(t, &pieces[k], line + pieces[k].lines);
        line += pieces[k].lines;
        total += pieces[k].n;
    }
    if (rc == ES_OK && total == 0)
        rc = es_error_set(ES_EDATA, "%s: no values in %s (empty series)", t->name, t->label);
    double *x = NULL;
    if (rc == ES_OK && npieces == 1) {
        x = pieces[0].x;
        pieces[0].x = NULL;
        double *fit = realloc(x, total * sizeof *x);
        x = fit ? fit : x;
    } else if (rc == ES_OK) {
        x = malloc(total * sizeof *x);
        if (!x)
            rc = es_error_set(ES_ENOMEM, "%s: out of memory for %zu values", t->name, total);
        size_t at = 0;
        for (int k = 0; x && k < npieces; k++) {
            memcpy(x + at, pieces[k].x, pieces[k].n * sizeof *x);
            at += pieces[k].n;
        }
    }
    for (int k = 0; k < npieces; k++)
        free(pieces[k].x);
    if (pieces != &one)
        free(pieces);
    if (rc)
        return rc;
    out->x = x;
    out->n = total;
    return ES_OK;
}

/* pandas' to_csv() of a frame with the default column names 0, 1, ... writes
 * the header ",0,1,...": its unnamed index column, then the names. Read as
 * a data row with its first value missing, the names became the first
 * values of their columns, silently (',0,1' then '0,0.5,0.7': column 3
 * began 1, 0.7). An empty first field followed by exactly 0, 1, ..., n-2
 * is that header. */
static bool pandas_range_header(const span *names, int ncols)
{
    if (ncols < 2 || ncols > MAX_COLUMNS || names[0].len != 0)
        return false;
    for (int i = 1; i < ncols; i++) {
        char want[16];
        int w = snprintf(want, sizeof want, "%d", i - 1);
        if (names[i].len != (size_t)w || memcmp(names[i].s, want, (size_t)w) != 0)
            return false;
    }
    return true;
}

int es_series_read_text(const char *path, const char *column, const char *row_spec, es_series *out)
{
    text_file t = {.name = strcmp(path, "-") == 0 ? "<stdin>" : path};
    int rc = load(path, &t);
    if (rc == ES_OK && ((rc = utf16_to_utf8(&t)) != ES_OK || (rc = check_text(&t)) != ES_OK ||
                        (rc = cr_line_ends(&t)) != ES_OK))
        unload(&t);
    if (rc)
        return rc;

    /* First content line: skip a UTF-8 byte-order mark, blanks, comments. */
    const char *p = t.buf, *end = t.buf + t.len;
    if (t.len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    long line = 1;
    for (;;) {
        const char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (*q != '\n' && *q != '#')
            break;
        p = (const char *)memchr(q, '\n', (size_t)(end - q)) + 1;
        line++;
        if (p >= end) {
            unload(&t);
            return es_error_set(ES_EDATA, "%s: no values (empty series)", t.name);
        }
    }

    span *names = malloc(MAX_COLUMNS * sizeof *names);
    if (!names) {
        unload(&t);
        return es_error_set(ES_ENOMEM, "%s: out of memory", t.name);
    }
    t.delim = detect_delim(p, names);
    t.ncols = split_line(p, t.delim, names, MAX_COLUMNS);
    /* A header needs a name: a field that is neither a number nor empty.
     * "1,,3" (or 1,"  ",3) is a data row with a missing value (an error in its column),
     * not a header, which would drop the row without a word. */
    bool header = false;
    for (int i = 0; i < t.ncols && i < MAX_COLUMNS && !header; i++)
        header = !is_empty_field(names[i]) && !is_number(names[i]);
    if (!header)
        header = pandas_range_header(names, t.ncols);
    rc = select_column(&t, column, row_spec, names, header);
    free(names);
    if (rc == ES_OK) {
        if (header) {
            p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
            line++;
        }
        rc = parse_rows(&t, p, line, out);
    }
    if (rc == ES_OK)
        es_series_set_source(out, t.name, column, ES_SERIES_NO_ROW);
    unload(&t);
    return rc;
}
