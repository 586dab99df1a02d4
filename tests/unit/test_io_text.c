/* Text/CSV series reader: round trips bit for bit, layouts (delimiters,
 * headers, comments, CRLF, BOM, stdin), column selection, "FILE:COLUMN"
 * specs, and every error with its exact line number in the message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esuite/series_io.h"
#include "esuite/status.h"

#define TEST_TMPDIR_NAME "esuite_test_io_text"
#include "test_tmpdir.h"

/* Write `text` to dir/name; returns the path (static buffer per call site is
 * not needed: callers copy). */
static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static uint64_t bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* Read `spec` (with `column`) expecting failure; the message must contain `want`. */
static void expect_error(const char *spec, const char *column, int status, const char *want)
{
    es_series s;
    es_error_clear();
    int rc = es_series_read(spec, column, &s);
    if (rc != status || !strstr(es_error_message(), want))
        fprintf(stderr, "status %d, message: %s\n  wanted %d and: %s\n", rc, es_error_message(),
                status, want);
    assert_int_equal(rc, status);
    assert_non_null(strstr(es_error_message(), want));
    assert_null(s.x);
}

static void test_round_trip_17_digits(void **state)
{
    (void)state;
    /* logistic-map values and extreme magnitudes, written with %.17g and
     * %.18e (numpy's default), must come back bit for bit */
    enum { N = 20000 };
    static double x[N];
    double v = 0.3;
    for (int i = 0; i < N; i++) {
        v = 3.99 * v * (1 - v);
        x[i] = (i % 7 == 0) ? v * pow(10.0, (double)(i % 601) - 300.0) : (i % 2 ? v : -v);
    }
    x[1] = 4.9406564584124654e-324; /* smallest subnormal */
    x[2] = 1.7976931348623157e308;
    x[3] = -0.0;
    const char *fmts[2] = {"%.17g\n", "%.18e\n"};
    for (int f = 0; f < 2; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/rt%d.txt", dir, f);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        for (int i = 0; i < N; i++)
            fprintf(fp, fmts[f], x[i]);
        fclose(fp);
        es_series s;
        assert_int_equal(es_series_read(path, NULL, &s), ES_OK);
        assert_int_equal(s.n, N);
        int same = 0;
        for (int i = 0; i < N; i++)
            same += bits(s.x[i]) == bits(x[i]);
        assert_int_equal(same, N);
        assert_string_equal(s.source, path);
        es_series_free(&s);
    }
}

static void test_csv_header_by_name_and_number(void **state)
{
    (void)state;
    const char *path = write_file("h.csv", "# produced by a test\n"
                                           "t,x,\"y value\"\n"
                                           "0,1.5,-2\n"
                                           "\n"
                                           "1, 2.25 ,1e3\n"
                                           "# interleaved comment\n"
                                           "2,3.125,0.5\n");
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    es_series s;
    assert_int_equal(es_series_read(p, "x", &s), ES_OK);
    assert_int_equal(s.n, 3);
    assert_true(s.x[0] == 1.5 && s.x[1] == 2.25 && s.x[2] == 3.125);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "3", &s), ES_OK); /* 1-based number */
    assert_int_equal(s.n, 3);
    assert_true(s.x[0] == -2 && s.x[1] == 1000 && s.x[2] == 0.5);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "y value", &s), ES_OK); /* quoted header name */
    assert_true(s.x[1] == 1000);
    es_series_free(&s);
    /* FILE:COLUMN spec form, by name and by number */
    char spec[600];
    snprintf(spec, sizeof spec, "%s:t", p);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 0 && s.x[2] == 2);
    char want[600];
    snprintf(want, sizeof want, "%s:t", p);
    assert_string_equal(s.source, want);
    es_series_free(&s);
    snprintf(spec, sizeof spec, "%s:2", p);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 3 && s.x[1] == 2.25);
    es_series_free(&s);
    /* a column named with its unit in brackets is no VARIABLE[ROW] */
    snprintf(p, sizeof p, "%s", write_file("units.csv", "t[s],T[K]\n0,300.5\n1,301.25\n"));
    snprintf(spec, sizeof spec, "%s:T[K]", p);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 300.5 && s.x[1] == 301.25);
    snprintf(want, sizeof want, "%s:T[K]", p);
    assert_string_equal(s.source, want);
    es_series_free(&s);
    /* a name in the header twice: an error naming both columns (the first was
     * read, 1 and 3, silently); by number either one */
    snprintf(p, sizeof p, "%s", write_file("dup.csv", "x,y,x\n1,2,3\n4,5,6\n"));
    snprintf(want, sizeof want, "%s: column name 'x' is in the header twice (columns 1 and 3): "
             "choose one by 1-based number", p);
    expect_error(p, "x", ES_EINVAL, want);
    snprintf(spec, sizeof spec, "%s:x", p);
    expect_error(spec, NULL, ES_EINVAL, want);
    assert_int_equal(es_series_read(p, "3", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 3 && s.x[1] == 6);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "y", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 2 && s.x[1] == 5);
    es_series_free(&s);
    /* "1" names column 3 of "t,0,1" and is the number of column 1: an error
     * (column 3 was read, silently); "0" (no column 0) and "2" (no such
     * name) are not ambiguous */
    snprintf(p, sizeof p, "%s", write_file("numnames.csv", "t,0,1\n10,20,30\n11,21,31\n"));
    snprintf(want, sizeof want, "%s: '1' is the name of column 3 and the number of column 1 ('t'): "
             "choose column 3 by its number 3, or column 't' by its name", p);
    expect_error(p, "1", ES_EINVAL, want);
    assert_int_equal(es_series_read(p, "0", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 20 && s.x[1] == 21);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "2", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 20 && s.x[1] == 21);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "3", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 30 && s.x[1] == 31);
    es_series_free(&s);
    /* pandas' to_csv() of a frame with default column names: ",0,1" is a
     * header (its unnamed index, then 0 and 1), not a row with a missing first
     * value: column '1' is 0.7, 0.2 (it was 1, 0.7, 0.2 by number 3, and
     * '--column 0' was out of range); ",2,3" stays data */
    snprintf(p, sizeof p, "%s", write_file("pandas.csv", ",0,1\n0,0.5,0.7\n1,0.6,0.2\n"));
    assert_int_equal(es_series_read(p, "0", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 0.5 && s.x[1] == 0.6);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "3", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 0.7 && s.x[1] == 0.2);
    es_series_free(&s);
    snprintf(p, sizeof p, "%s", write_file("notpandas.csv", ",2,3\n1,2,3\n"));
    snprintf(want, sizeof want, "%s:1: column 1: empty value", p);
    expect_error(p, "1", ES_EDATA, want);
    /* a numeric name that is its own column's number is that column */
    snprintf(p, sizeof p, "%s", write_file("samenum.csv", "a,2,c\n1,2,3\n4,5,6\n"));
    assert_int_equal(es_series_read(p, "2", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 2 && s.x[1] == 5);
    es_series_free(&s);
}

/* RFC 4180: a quote inside a quoted field is doubled ("he said ""hi"""), as
 * Excel, Python's csv and pandas' to_csv write a text holding quotes. The
 * field ended at the first inner quote, so a comma after it split the field:
 * 'cannot parse 'then left"'', 'expected 2 columns, found 3'. */
static void test_doubled_quotes(void **state)
{
    (void)state;
    char p[512], want[700];
    es_series s;
    snprintf(p, sizeof p, "%s", write_file("notes.csv", "note,v\n"
                                           "\"he said \"\"hi\"\", then left\",1.5\n"
                                           "\"plain\",2.5\n"
                                           "\"\",3.5\n"
                                           "\"a \"\"b\"\"\",4.5\n"));
    assert_int_equal(es_series_read(p, "v", &s), ES_OK);
    assert_int_equal(s.n, 4);
    assert_true(s.x[0] == 1.5 && s.x[1] == 2.5 && s.x[2] == 3.5 && s.x[3] == 4.5);
    es_series_free(&s);
    /* the text column last: the row still has 2 fields */
    snprintf(p, sizeof p, "%s", write_file("notes_last.csv", "v,note\n"
                                           "1,\"x \"\"y\"\", z\"\n2,w\n"));
    assert_int_equal(es_series_read(p, "v", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 1 && s.x[1] == 2);
    es_series_free(&s);
    /* a header name with a doubled quote and a comma is one column, named
     * with one quote, and messages show it so */
    snprintf(p, sizeof p, "%s", write_file("qname.csv", "\"a \"\"b\"\", c\",v\n1,2\n3,4\n"));
    assert_int_equal(es_series_read(p, "a \"b\", c", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 1 && s.x[1] == 3);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "v", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 2 && s.x[1] == 4);
    es_series_free(&s);
    snprintf(want, sizeof want, "%s: no column 'x' (columns: a \"b\", c, v)", p);
    expect_error(p, "x", ES_EINVAL, want);
    /* a quoted text in the chosen column is quoted whole in the message */
    snprintf(p, sizeof p, "%s", write_file("qtext.csv", "v,w\n1,2\n\"a,b\",3\n"));
    snprintf(want, sizeof want, "%s:3: column 'v': cannot parse '\"a,b\"' as a number", p);
    expect_error(p, "v", ES_EDATA, want);
}

static void test_delimiters(void **state)
{
    (void)state;
    struct {
        const char *name, *text;
    } cases[] = {
        {"semi.csv", "a;b\n1;10\n2;20\n3;30\n"},
        {"tab.tsv", "a\tb\n1\t10\n2\t20\n3\t30\n"},
        {"spaces.dat", "  a    b\n 1   10\n2 \t 20\n3 30   \n"},
        {"crlf.csv", "\xEF\xBB\xBF" "a,b\r\n1,10\r\n2,20\r\n3,30\r\n"},
        {"nohead.csv", "1,10\n2,20\n3,30"}, /* no final newline */
        {"names.tsv", "a name\tb\n1\t10\n2\t20\n3\t30\n"}, /* tab-separated: names with spaces */
        {"pandas.tsv", "\tb\n1\t10\n2\t20\n3\t30\n"},    /* empty index name */
        {"mixed.dat", "1 \t 10\n2\t \t20\n 3\t30\n"},        /* tabs and spaces are blanks */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char p[512];
        snprintf(p, sizeof p, "%s", write_file(cases[c].name, cases[c].text));
        es_series s;
        const char *col = c == 4 || c == 7 ? "2" : "b";
        int rc = es_series_read(p, col, &s);
        if (rc)
            fprintf(stderr, "%s: %s\n", cases[c].name, es_error_message());
        assert_int_equal(rc, ES_OK);
        assert_int_equal(s.n, 3);
        assert_true(s.x[0] == 10 && s.x[1] == 20 && s.x[2] == 30);
        es_series_free(&s);
    }
}

/* A quoted number with blanks inside the quotes (" 4 ") was refused
 * ("cannot parse '" 4 "' as a number") while the same blanks outside the
 * quotes ( 4 ) are skipped; Python's csv + float() read it as 4. It is
 * that number, also on a first line (data, not a header); a quote left
 * open, or text beside the number inside the quotes, is still an error. */
static void test_quoted_blanks(void **state)
{
    (void)state;
    char p[512], want[700];
    es_series s;
    snprintf(p, sizeof p, "%s", write_file("qblank.csv", "x,y\n1,2\n\" 4 \",3\n\"\t-2.5e1\t\",7\n"));
    assert_int_equal(es_series_read(p, "x", &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 1 && s.x[1] == 4 && s.x[2] == -25);
    es_series_free(&s);
    snprintf(p, sizeof p, "%s", write_file("qblank_first.csv", "\" 4 \",\"5\"\n\"6 \",\" 7\"\n"));
    assert_int_equal(es_series_read(p, "1", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 4 && s.x[1] == 6);
    es_series_free(&s);
    snprintf(p, sizeof p, "%s", write_file("qblank_bad.csv", "x\n1\n\" 4 m\"\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': cannot parse '\" 4 m\"' as a number", p);
    expect_error(p, "x", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("qblank_open.csv", "x\n1\n\" 4 \n"));
    snprintf(want, sizeof want, "%s:3: column 'x': cannot parse '\" 4' as a number", p);
    expect_error(p, "x", ES_EDATA, want);
}

/* Quotes around nothing but blanks ("  ", "\t") hold no value, as "" and an
 * unquoted empty field: the message said "cannot parse '"  "' as a number",
 * and on a first line of numbers the field made the line a header, whose
 * row was dropped without a word ("1,\"  \",3" read 2 rows of 3). */
static void test_quoted_blank_empty(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("qempty.csv", "x,y\n1,2\n\"  \",3\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': empty value", p);
    expect_error(p, "x", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("qempty_tab.csv", "x,y\n1,2\n3,\"\t\"\n"));
    snprintf(want, sizeof want, "%s:3: column 'y': empty value", p);
    expect_error(p, "y", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("qempty.tsv", "x\ty\n1\t2\n\" \"\t3\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': empty value", p);
    expect_error(p, "x", ES_EDATA, want);
    /* text beside the blanks is still text */
    snprintf(p, sizeof p, "%s", write_file("qempty_text.csv", "x\n1\n\" \"\" \"\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': cannot parse '\" \"\" \"' as a number", p);
    expect_error(p, "x", ES_EDATA, want);
    /* a first line of numbers with one is data, as "1,,3" */
    snprintf(p, sizeof p, "%s", write_file("qempty_first.csv", "1,\"  \",3\n4,5,6\n7,8,9\n"));
    snprintf(want, sizeof want, "%s:1: column 2: empty value", p);
    expect_error(p, "2", ES_EDATA, want);
    es_series s;
    assert_int_equal(es_series_read(p, "3", &s), ES_OK);
    assert_int_equal(s.n, 3);
    assert_true(s.x[0] == 3 && s.x[1] == 6 && s.x[2] == 9);
    es_series_free(&s);
}

/* 1e400 is refused (NaN/Inf), but 1e-400 was read as 0 without a word: a
 * value that is no zero tied with every zero of the series. A nonzero
 * literal that rounds to 0 is refused naming file, line, column; true
 * zeros in any spelling and subnormals (4.9e-324) still read. */
static void test_underflow(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("under.txt", "1\n2\n1e-400\n3\n"));
    snprintf(want, sizeof want, "%s:3: column 1: '1e-400' underflows to 0 (its magnitude is below "
             "the smallest double, 4.9e-324)", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("under.csv", "t,x\n0,1\n1,\"-2.5E-999\"\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': '\"-2.5E-999\"' underflows to 0", p);
    expect_error(p, "x", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("under_hex.txt", "1\n0x1p-1100\n"));
    snprintf(want, sizeof want, "%s:2: column 1: '0x1p-1100' underflows to 0", p);
    expect_error(p, NULL, ES_EDATA, want);
    es_series s;
    snprintf(p, sizeof p, "%s", write_file("zeros.txt", "0\n-0.0\n0e-400\n000.000E+5\n0x0p-2000\n4.9e-324\n"));
    assert_int_equal(es_series_read(p, NULL, &s), ES_OK);
    assert_int_equal(s.n, 6);
    for (int i = 0; i < 5; i++)
        assert_true(s.x[i] == 0);
    assert_true(s.x[5] > 0 && s.x[5] == 4.9e-324);
    es_series_free(&s);
}

/* A tab-separated file with a missing value ("1\t\t3", "1\t4\t": pandas'
 * to_csv(sep='\t') of a NaN) is read with tabs as blanks (its header names
 * have no spaces), so the line was short: "expected 3 columns, found 2",
 * naming no column. The empty value is named, as in a CSV file. Lines
 * whose blank runs hold two tabs but that have all columns still read. */
static void test_tab_empty_value(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("empty.tsv", "t\tx\ty\n0\t1\t2\n1\t\t3\n2\t5\t6\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': empty value", p);
    expect_error(p, "x", ES_EDATA, want);
    snprintf(want, sizeof want, "%s:3: column 2: empty value (tabs and spaces both separate columns "
             "in this file, so an empty field cannot be told from a wider gap)", p);
    expect_error(p, "y", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("trail.tsv", "t\tx\ty\n0\t1\t2\n1\t4\t\n"));
    snprintf(want, sizeof want, "%s:3: column 'y': empty value", p);
    expect_error(p, "y", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("short.dat", "t x y\n0 1 2\n1 3\n"));
    snprintf(want, sizeof want, "%s:3: expected 3 columns, found 2", p);
    expect_error(p, "y", ES_EDATA, want);
    es_series s;
    snprintf(p, sizeof p, "%s", write_file("aligned.dat", "t\tx\n0\t\t1\n10\t2\n"));
    assert_int_equal(es_series_read(p, "x", &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 1 && s.x[1] == 2);
    es_series_free(&s);
}

/* CR-only line ends (classic Mac OS, Excel's "CSV (Macintosh)") are line
 * ends: the whole file was one line of blank-separated fields ("a,b\r1,10\r…"
 * had the columns a, b1, 102, …, and a single column of numbers read as one
 * value per CR-separated field of a one-row file). Both the mapped file (it
 * ends in LF) and the read one; CRLF and lone CRs mixed; the line numbers of
 * errors count CR lines. */
static void test_cr_line_ends(void **state)
{
    (void)state;
    const char *texts[4] = {"a,b\r1,10\r2,20\r3,30\r", "a,b\r1,10\r2,20\r3,30\n",
                            "a,b\r\n1,10\r2,20\r\n3,30", "\xEF\xBB\xBF" "a;b\r1;10\r\r2;20\r3;30\r"};
    for (int k = 0; k < 4; k++) {
        char name[32], p[512];
        snprintf(name, sizeof name, "cr%d.csv", k);
        snprintf(p, sizeof p, "%s", write_file(name, texts[k]));
        es_series s;
        int rc = es_series_read(p, "b", &s);
        if (rc)
            fprintf(stderr, "%s: %s\n", name, es_error_message());
        assert_int_equal(rc, ES_OK);
        assert_int_equal(s.n, 3);
        assert_true(s.x[0] == 10 && s.x[1] == 20 && s.x[2] == 30);
        es_series_free(&s);
    }
    char p[512];
    snprintf(p, sizeof p, "%s", write_file("cr_one.txt", "0.5\r-1.25\r3e2\r"));
    es_series s;
    assert_int_equal(es_series_read(p, NULL, &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 0.5 && s.x[1] == -1.25 && s.x[2] == 300);
    es_series_free(&s);
    snprintf(p, sizeof p, "%s", write_file("cr_bad.csv", "x\r1\rabc\r4\r"));
    char want[600];
    snprintf(want, sizeof want, "%s:3: column 'x': cannot parse 'abc' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
}

/* A Windows-1252 file (Excel on Windows: "°" is the byte 0xB0, "“" 0x93):
 * its column is selected by the name typed in UTF-8 ("T (°C)" matched
 * nothing, and the message listed the raw byte, shown as a replacement
 * character no one can type), and messages show bytes that are not UTF-8
 * as \xHH. UTF-8 names are unaffected. */
static void test_windows_1252(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("cp1252.csv", "T (\xB0" "C),\x93q\x94,\xC2\xB5m\n"
                                                         "1,2,5\n3,4,6\n7,8,9\n"));
    es_series s;
    assert_int_equal(es_series_read(p, "T (\xC2\xB0" "C)", &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 1 && s.x[1] == 3 && s.x[2] == 7);
    es_series_free(&s);
    char spec[600];
    snprintf(spec, sizeof spec, "%s:\xE2\x80\x9Cq\xE2\x80\x9D", p); /* “q” in UTF-8 */
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 2 && s.x[1] == 4 && s.x[2] == 8);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "\xC2\xB5m", &s), ES_OK); /* µm, UTF-8 in the file */
    assert_true(s.n == 3 && s.x[0] == 5 && s.x[2] == 9);
    es_series_free(&s);
    snprintf(want, sizeof want, "%s: no column 'T' (columns: T (\\xB0C), \\x93q\\x94, \xC2\xB5m; bytes "
                                "that are not UTF-8 shown as \\xHH)", p);
    expect_error(p, "T", ES_EINVAL, want);
    snprintf(want, sizeof want, "%s has 3 columns (T (\\xB0C), \\x93q\\x94, \xC2\xB5m): choose one", p);
    expect_error(p, NULL, ES_EINVAL, want);
    /* a no-break space (0xA0) inside a number */
    snprintf(p, sizeof p, "%s", write_file("nbsp.csv", "x\n1\n2\xA0" "500\n"));
    snprintf(want, sizeof want, "%s:3: column 'x': cannot parse '2\\xA0500' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
}

/* dir/name holding `bom` (0, 2 or 4 bytes) and the 16-bit units u[0..n) in
 * little- or big-endian order; returns the path. */
static const char *write_utf16(const char *name, const char *bom, size_t nbom, const uint16_t *u,
                               size_t n, int little)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(bom, 1, nbom, f);
    for (size_t i = 0; i < n; i++) {
        unsigned char b[2] = {(unsigned char)(u[i] & 0xFF), (unsigned char)(u[i] >> 8)};
        if (!little) {
            unsigned char c = b[0];
            b[0] = b[1];
            b[1] = c;
        }
        fwrite(b, 1, 2, f);
    }
    fclose(f);
    return path;
}

/* UTF-16 text with a byte-order mark (Excel's "Unicode Text", PowerShell 5)
 * reads as the same text in UTF-8; it was "binary data (byte 0x00 ...)". */
static void test_utf16(void **state)
{
    (void)state;
    /* "t,T (°C),𝑇\r\n1,2.5,3\r\n4,-1e3,6\r\n": ° is U+00B0, 𝑇 (U+1D447) the
     * surrogate pair D835 DC47, in UTF-8 F0 9D 91 87 */
    const uint16_t text[] = {'t', ',', 'T', ' ', '(', 0x00B0, 'C', ')', ',', 0xD835, 0xDC47, '\r', '\n',
                             '1', ',', '2', '.', '5', ',', '3', '\r', '\n',
                             '4', ',', '-', '1', 'e', '3', ',', '6', '\r', '\n'};
    const size_t n = sizeof text / sizeof text[0];
    char p[512], want[700];
    for (int little = 0; little < 2; little++)
        for (int last_newline = 0; last_newline < 2; last_newline++) {
            snprintf(p, sizeof p, "%s", write_utf16("u16.txt", little ? "\xFF\xFE" : "\xFE\xFF", 2, text,
                                                    last_newline ? n : n - 2, little));
            es_series s;
            assert_int_equal(es_series_read(p, "T (\xC2\xB0" "C)", &s), ES_OK);
            assert_true(s.n == 2 && s.x[0] == 2.5 && s.x[1] == -1000.0);
            es_series_free(&s);
            assert_int_equal(es_series_read(p, "\xF0\x9D\x91\x87", &s), ES_OK);
            assert_true(s.n == 2 && s.x[0] == 3.0 && s.x[1] == 6.0);
            es_series_free(&s);
        }
    /* line numbers count the decoded lines */
    const uint16_t bad[] = {'x', '\n', '1', '\n', 'a', 'b', 'c', '\n'};
    snprintf(p, sizeof p, "%s", write_utf16("bad16.txt", "\xFF\xFE", 2, bad, 8, 1));
    snprintf(want, sizeof want, "%s:3: column 'x': cannot parse 'abc' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
    /* an unpaired surrogate, an odd byte count, UTF-32, and no byte-order mark */
    const uint16_t lone[] = {'1', '\n', 0xD800, '\n'};
    snprintf(p, sizeof p, "%s", write_utf16("lone16.txt", "\xFF\xFE", 2, lone, 4, 1));
    expect_error(p, NULL, ES_EDATA, "with an unpaired surrogate 0xD800 at byte offset 6: not valid UTF-16");
    snprintf(p, sizeof p, "%s", write_utf16("odd16.txt", "\xFE\xFF" "\x00", 3, lone, 2, 0));
    expect_error(p, NULL, ES_EDATA, "UTF-16 text (byte-order mark FE FF, UTF-16BE) with an odd number "
                                    "of bytes (7): the file is truncated");
    snprintf(p, sizeof p, "%s", write_utf16("u32.txt", "\xFF\xFE\x00\x00", 4, lone, 2, 1));
    expect_error(p, NULL, ES_EDATA, "UTF-32 text (byte-order mark FF FE 00 00) is not read");
    snprintf(p, sizeof p, "%s", write_utf16("nobom16.txt", "", 0, text, n, 1));
    expect_error(p, NULL, ES_EDATA, "binary data (byte 0x00 at offset 1): not a text/CSV, HDF5 or "
                                    "NetCDF file (a compressed file must be decompressed first); it "
                                    "looks like UTF-16LE text without a byte-order mark: iconv -f "
                                    "UTF-16LE -t UTF-8");
}

static void test_single_column_and_stdin(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s", write_file("one.txt", "# comment\n  \n0.1\n.5\n5.\n-1e-3\n+2\n"));
    es_series s;
    assert_int_equal(es_series_read(p, NULL, &s), ES_OK);
    assert_int_equal(s.n, 5);
    assert_true(s.x[0] == 0.1 && s.x[1] == 0.5 && s.x[2] == 5.0 && s.x[3] == -1e-3 && s.x[4] == 2);
    es_series_free(&s);

    /* "-" reads standard input */
    int saved = dup(STDIN_FILENO);
    int fd = open(p, O_RDONLY);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDIN_FILENO);
    close(fd);
    int rc = es_series_read("-", NULL, &s);
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, ES_OK);
    assert_int_equal(s.n, 5);
    assert_true(s.x[4] == 2);
    assert_string_equal(s.source, "<stdin>");
    es_series_free(&s);

    /* stdin larger than the 64 KiB first buffer, without a final newline */
    char big[512];
    snprintf(big, sizeof big, "%s/stdin_big.txt", dir);
    FILE *f = fopen(big, "w");
    for (int i = 0; i < 100000; i++)
        fprintf(f, i + 1 < 100000 ? "%d\n" : "%d", i);
    fclose(f);
    saved = dup(STDIN_FILENO);
    fd = open(big, O_RDONLY);
    dup2(fd, STDIN_FILENO);
    close(fd);
    rc = es_series_read("-", NULL, &s);
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, ES_OK);
    assert_int_equal(s.n, 100000);
    double sum = 0;
    for (size_t i = 0; i < s.n; i++)
        sum += s.x[i];
    assert_true(sum == 99999.0 * 100000.0 / 2.0);
    es_series_free(&s);
}

/* A column whose own name ends in "[N]" is selected as FILE:x[1], like
 * --column 'x[1]' (it was "VARIABLE[ROW] ... choose a column" although the
 * column is there); without such a column the VARIABLE[ROW] error stays,
 * listing the columns of a header. */
static void test_column_named_like_a_row(void **state)
{
    (void)state;
    char p[512], spec[600], want[900];
    snprintf(p, sizeof p, "%s", write_file("rows.csv", "x[0],x[1],y\n1,10,-1\n2,20,-2\n3,30.5,-3\n"));
    es_series s;
    snprintf(spec, sizeof spec, "%s:x[1]", p);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 10 && s.x[1] == 20 && s.x[2] == 30.5);
    assert_string_equal(s.source, spec);
    es_series_free(&s);
    assert_int_equal(es_series_read(p, "x[1]", &s), ES_OK); /* as --column gives it */
    assert_true(s.n == 3 && s.x[2] == 30.5);
    es_series_free(&s);
    snprintf(spec, sizeof spec, "%s:x[0]", p);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 3 && s.x[0] == 1 && s.x[2] == 3);
    es_series_free(&s);
    snprintf(spec, sizeof spec, "%s:y[2]", p); /* no such column: a row is no text selection */
    snprintf(want, sizeof want, "'%s': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF variable; "
             "for text, choose a column instead (no column 'y[2]'; columns: x[0], x[1], y)", spec);
    expect_error(spec, NULL, ES_EINVAL, want);
    snprintf(p, sizeof p, "%s", write_file("nohead.txt", "1 2\n3 4\n"));
    snprintf(spec, sizeof spec, "%s:x[1]", p); /* no header: no names at all */
    snprintf(want, sizeof want, "'%s': VARIABLE[ROW] selects a row of a 2-D HDF5 or NetCDF variable; "
             "for text, choose a column instead", spec);
    expect_error(spec, NULL, ES_EINVAL, want);
    assert_null(strstr(es_error_message(), "no column"));

    /* standard input: the same rule */
    snprintf(p, sizeof p, "%s", write_file("rows_stdin.csv", "a,b[3]\n1,5\n2,6\n"));
    const char *specs[2] = {"-:b[3]", "-:a[3]"};
    for (int k = 0; k < 2; k++) {
        int saved = dup(STDIN_FILENO), fd = open(p, O_RDONLY);
        assert_true(saved >= 0 && fd >= 0);
        dup2(fd, STDIN_FILENO);
        close(fd);
        es_error_clear();
        int rc = es_series_read(specs[k], NULL, &s);
        dup2(saved, STDIN_FILENO);
        close(saved);
        if (k == 0) {
            assert_int_equal(rc, ES_OK);
            assert_true(s.n == 2 && s.x[0] == 5 && s.x[1] == 6);
            assert_string_equal(s.source, "<stdin>:b[3]");
            es_series_free(&s);
        } else {
            assert_int_equal(rc, ES_EINVAL);
            assert_string_equal(es_error_message(), "'-:a[3]': VARIABLE[ROW] selects a row of a 2-D "
                                "HDF5 or NetCDF variable; for text, choose a column instead (no "
                                "column 'a[3]'; columns: a, b[3])");
        }
    }
}

static void test_colon_in_path(void **state)
{
    (void)state;
    /* A file whose name contains a colon is used whole when it exists. */
    char p[512];
    snprintf(p, sizeof p, "%s", write_file("a:b.txt", "7\n8\n"));
    es_series s;
    assert_int_equal(es_series_read(p, NULL, &s), ES_OK);
    assert_true(s.n == 2 && s.x[1] == 8);
    es_series_free(&s);
    /* ... and split at the last colon otherwise: "a:b.txt:1" is column 1 */
    char spec[600];
    snprintf(spec, sizeof spec, "%s:1", p);
    assert_int_equal(es_series_read(spec, NULL, &s), ES_OK);
    assert_true(s.n == 2 && s.x[0] == 7);
    es_series_free(&s);
}

static void test_errors_name_line_and_column(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("bad.csv", "t,x\n"
                                                      "0,1\n"
                                                      "# c\n"
                                                      "1,2\n"
                                                      "2,abc\n"));
    snprintf(want, sizeof want, "%s:5: column 'x': cannot parse 'abc' as a number", p);
    expect_error(p, "x", ES_EDATA, want);

    snprintf(p, sizeof p, "%s", write_file("nan.csv", "t,x\n0,1\n1,2\n\n2,NaN\n"));
    snprintf(want, sizeof want, "%s:5: NaN/Inf value in column 'x'", p);
    expect_error(p, "x", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("inf.txt", "1\n2\n3\n-inf\n"));
    snprintf(want, sizeof want, "%s:4: NaN/Inf value in column 1", p);
    expect_error(p, NULL, ES_EDATA, want);

    snprintf(p, sizeof p, "%s", write_file("short.csv", "a,b,c\n1,2,3\n4,5\n"));
    snprintf(want, sizeof want, "%s:3: expected 3 columns, found 2", p);
    expect_error(p, "c", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("long.csv", "a,b\n1,2\n3,4\n5,6,7\n"));
    snprintf(want, sizeof want, "%s:4: expected 2 columns, found 3", p);
    expect_error(p, "a", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("two.txt", "1\n2\n3 4\n"));
    snprintf(want, sizeof want, "%s:3: expected 1 column, found 2", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("glued.txt", "1\n2.5x\n"));
    snprintf(want, sizeof want, "%s:2: column 1: cannot parse '2.5x' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("emptyfield.csv", "a,b\n1,2\n3,\n"));
    snprintf(want, sizeof want, "%s:3: column 'b': empty value", p);
    expect_error(p, "b", ES_EDATA, want);
    /* QUOTE_ALL writes an empty value as "" */
    snprintf(p, sizeof p, "%s", write_file("emptyquoted.csv", "\"a\",\"b\"\n\"1\",\"2\"\n\"3\",\"\"\n"));
    snprintf(want, sizeof want, "%s:3: column 'b': empty value", p);
    expect_error(p, "b", ES_EDATA, want);

    /* A first row with a missing value is data, not a header: its own column
     * is an error at line 1, and the other columns keep the row (it was
     * taken as a header naming the columns "1", "" and "3" and dropped). */
    snprintf(p, sizeof p, "%s", write_file("gapfirst.csv", "1,,3\n4,5,6\n7,8,9\n"));
    snprintf(want, sizeof want, "%s:1: column 2: empty value", p);
    expect_error(p, "2", ES_EDATA, want);
    es_series gap;
    assert_int_equal(es_series_read(p, "3", &gap), ES_OK);
    assert_int_equal(gap.n, 3);
    assert_true(gap.x[0] == 3 && gap.x[1] == 6 && gap.x[2] == 9);
    es_series_free(&gap);
    /* pandas' index header (empty first name) is still a header */
    snprintf(p, sizeof p, "%s", write_file("pandas.csv", ",x\n0,2.5\n1,3.5\n"));
    assert_int_equal(es_series_read(p, "x", &gap), ES_OK);
    assert_true(gap.n == 2 && gap.x[0] == 2.5 && gap.x[1] == 3.5);
    es_series_free(&gap);

    /* Binary files that are not HDF5/NetCDF: one message with the offending
     * byte, not a "header" of raw bytes. NumPy's .npy magic "\x93NUMPY\x01\x00"
     * (fputs stops at the NUL: the version byte 0x01 is the first control
     * character), a NUL far into an otherwise numeric file, gzip's magic. */
    snprintf(p, sizeof p, "%s", write_file("a.npy", "\x93NUMPY\x01"));
    snprintf(want, sizeof want, "%s: binary data (byte 0x01 at offset 6): not a text/CSV", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("late_nul.txt", "1\n2\n3\n"));
    FILE *fb = fopen(p, "ab");
    for (int i = 0; i < 2000; i++)
        fputs("4.5\n", fb);
    fputc('\0', fb);
    fclose(fb);
    snprintf(want, sizeof want, "%s: binary data (byte 0x00 at offset 8006)", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("s.gz", "\x1f\x8b\x08"));
    snprintf(want, sizeof want, "%s: binary data (byte 0x1f at offset 0)", p);
    expect_error(p, NULL, ES_EDATA, want);

    /* column selection */
    snprintf(p, sizeof p, "%s", write_file("multi.csv", "t,x,y\n1,2,3\n"));
    snprintf(want, sizeof want, "%s has 3 columns (t, x, y)", p);
    expect_error(p, NULL, ES_EINVAL, want);
    snprintf(want, sizeof want, "%s: no column 'z' (columns: t, x, y)", p);
    expect_error(p, "z", ES_EINVAL, want);
    snprintf(want, sizeof want, "%s: column 4 out of range 1..3", p);
    expect_error(p, "4", ES_EINVAL, want);
    snprintf(p, sizeof p, "%s", write_file("multi_nohead.csv", "1,2\n3,4\n"));
    snprintf(want, sizeof want, "%s has 2 columns and no header line", p);
    expect_error(p, NULL, ES_EINVAL, want);

    /* empty series */
    snprintf(p, sizeof p, "%s", write_file("empty.txt", ""));
    snprintf(want, sizeof want, "%s: no values (empty series)", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("comments.txt", "# only\n\n# comments\n"));
    snprintf(want, sizeof want, "%s: no values (empty series)", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("header_only.csv", "t,x\n# nothing\n"));
    snprintf(want, sizeof want, "%s: no values in column 'x' (empty series)", p);
    expect_error(p, "x", ES_EDATA, want);

    /* missing file: ES_EIO with the path and strerror */
    snprintf(p, sizeof p, "%s/does-not-exist.txt", dir);
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", p);
    expect_error(p, NULL, ES_EIO, want);
    snprintf(want, sizeof want, "cannot read '%s': Is a directory", dir);
    expect_error(dir, NULL, ES_EIO, want);
}

static void test_large_line_count(void **state)
{
    (void)state;
    /* 2*10^5 lines, the error on the very last one: line numbers stay exact
     * and the buffer growth path is exercised. */
    char path[512];
    snprintf(path, sizeof path, "%s/big.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    const int n = 200000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        fprintf(f, "%d.5\n", i);
        sum += i + 0.5;
    }
    fclose(f);
    es_series s;
    assert_int_equal(es_series_read(path, NULL, &s), ES_OK);
    assert_int_equal(s.n, n);
    double got = 0;
    for (size_t i = 0; i < s.n; i++)
        got += s.x[i];
    assert_true(got == sum); /* exact: sums of halves below 2^53 */
    es_series_free(&s);
    f = fopen(path, "a");
    fputs("1e400x\n", f);
    fclose(f);
    char want[600];
    snprintf(want, sizeof want, "%s:%d: column 1: cannot parse '1e400x'", path, n + 1);
    expect_error(path, NULL, ES_EDATA, want);
}

static void test_threads_same_result(void **state)
{
    (void)state;
    /* > 8 MB: parsed in pieces by several threads. Values and the first
     * error (with its line number) must not depend on the thread count. */
    char path[512];
    snprintf(path, sizeof path, "%s/huge.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    const int n = 1000000;
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d.%03d\n", i % 1000 == 0 ? "# block\n" : "", i, i % 997);
    fclose(f);
    es_series one, two;
    omp_set_num_threads(1);
    assert_int_equal(es_series_read(path, NULL, &one), ES_OK);
    omp_set_num_threads(4);
    assert_int_equal(es_series_read(path, NULL, &two), ES_OK);
    assert_int_equal(one.n, n);
    assert_int_equal(two.n, n);
    assert_memory_equal(one.x, two.x, (size_t)n * sizeof(double));
    assert_true(two.x[n - 1] == (n - 1) + (double)((n - 1) % 997) / 1000.0);
    es_series_free(&one);
    es_series_free(&two);
    /* two bad lines in the last quarter: the earlier one is reported; lines
     * = n values + n/1000 comments before them */
    f = fopen(path, "a");
    fputs("1.0\n2.0\nbad1\n3.0\nbad2\n", f);
    fclose(f);
    char want[600];
    snprintf(want, sizeof want, "%s:%d: column 1: cannot parse 'bad1'", path, n + n / 1000 + 3);
    omp_set_num_threads(1);
    expect_error(path, NULL, ES_EDATA, want);
    omp_set_num_threads(4);
    expect_error(path, NULL, ES_EDATA, want);
    omp_set_num_threads(2);
}

/* ---- randomised layouts with a known answer ---- */

static uint64_t rs = 0x2545F4914F6CDD1DULL;

static unsigned rnd(unsigned n) /* xorshift64* */
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return (unsigned)((rs * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static void random_number(char *buf)
{
    double v = ((double)rnd(1u << 30) / (1u << 30) - 0.5) * pow(10.0, (double)rnd(20) - 10.0);
    switch (rnd(4)) {
    case 0: sprintf(buf, "%.17g", v); break;
    case 1: sprintf(buf, "%.3f", v); break;
    case 2: sprintf(buf, "%d", (int)rnd(100000) - 50000); break;
    default: sprintf(buf, "%.18e", v); break;
    }
}

/* Generates files of 1-4 columns (',', ';', tab or blanks), with or without a
 * header, random padding, CRLF, blank and comment lines, and sometimes one
 * error in the selected column or a wrong field count. The reader must return
 * exactly the generated values (strtod of the written text), or the error at
 * the generated line. */
static void test_random_layouts(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/random.txt", dir);
    static double want[400];
    static char text[200000];
    const char delims[4] = {',', ';', '\t', ' '};
    int checked_values = 0, checked_errors = 0;
    for (int file = 0; file < 300; file++) {
        int ncols = 1 + (int)rnd(4), col = (int)rnd((unsigned)ncols);
        char delim = ncols == 1 ? ' ' : delims[rnd(4)]; /* one column: no delimiter to see */
        int header = rnd(2), crlf = rnd(4) == 0, rows = 1 + (int)rnd(300);
        int error_row = rows > 1 && rnd(3) == 0 ? 1 + (int)rnd((unsigned)rows - 1) : -1;
        int error_kind = (int)rnd(3); /* 0 bad token, 1 NaN, 2 field count */
        const char *eol = crlf ? "\r\n" : "\n";
        char *p = text;
        long line = 1, error_line = 0;
        int n = 0;
        if (rnd(3) == 0) {
            p += sprintf(p, "# generated file %d%s", file, eol);
            line++;
        }
        if (header) {
            for (int c = 0; c < ncols; c++)
                p += sprintf(p, "%s%sc%d", c ? (delim == ' ' ? "  " : "") : "",
                             c && delim != ' ' ? (char[2]){delim, 0} : "", c + 1);
            p += sprintf(p, "%s", eol);
            line++;
        }
        for (int r = 0; r < rows; r++) {
            if (rnd(10) == 0) { /* blank or comment line */
                p += sprintf(p, "%s%s", rnd(2) ? "   " : "# note", eol);
                line++;
            }
            int fields = ncols;
            if (r == error_row && error_kind == 2)
                fields = ncols == 1 ? 2 : ncols - 1;
            for (int c = 0; c < fields; c++) {
                char num[64];
                random_number(num);
                if (c == col && r == error_row && error_kind == 0)
                    strcpy(num, "1.5.2");
                else if (c == col && r == error_row && error_kind == 1)
                    strcpy(num, rnd(2) ? "nan" : "-Inf");
                else if (c == col && r != error_row)
                    want[n++] = strtod(num, NULL);
                if (c)
                    p += delim == ' ' ? sprintf(p, "%s", rnd(2) ? " \t " : " ")
                                      : sprintf(p, "%s%c%s", rnd(4) ? "" : " ", delim,
                                                rnd(4) ? "" : "  ");
                p += sprintf(p, "%s", num);
            }
            p += sprintf(p, "%s%s", rnd(5) ? "" : "  ", eol);
            if (r == error_row)
                error_line = line;
            line++;
        }
        if (rnd(5) == 0 && p > text) /* no final newline */
            p -= crlf ? 2 : 1;
        *p = '\0';
        FILE *f = fopen(path, "wb");
        fputs(text, f);
        fclose(f);

        char colname[16];
        if (header && rnd(2))
            snprintf(colname, sizeof colname, "c%d", col + 1);
        else
            snprintf(colname, sizeof colname, "%d", col + 1);
        es_series s;
        es_error_clear();
        int rc = es_series_read(path, ncols == 1 && rnd(2) ? NULL : colname, &s);
        if (error_row < 0 && error_kind >= 0 && rc == ES_OK) {
            assert_int_equal(s.n, n);
            assert_memory_equal(s.x, want, (size_t)n * sizeof(double));
            es_series_free(&s);
            checked_values++;
            continue;
        }
        if (error_row < 0) {
            fprintf(stderr, "file %d: unexpected error %s\n%s\n", file, es_error_message(), text);
            fail();
        }
        char where[600];
        snprintf(where, sizeof where, "%s:%ld: ", path, error_line);
        if (rc == ES_OK || strstr(es_error_message(), where) != es_error_message())
            fprintf(stderr, "file %d: rc %d, message '%s', wanted prefix '%s'\n%.600s\n", file,
                    rc, es_error_message(), where, text);
        assert_int_equal(rc, ES_EDATA);
        assert_ptr_equal(strstr(es_error_message(), where), es_error_message());
        const char *what[3] = {"cannot parse '1.5.2' as a number", "NaN/Inf value in column",
                               "expected"};
        if (!strstr(es_error_message(), what[error_kind]))
            fprintf(stderr, "file %d: message '%s', wanted '%s'\n%s\n", file, es_error_message(),
                    what[error_kind], text);
        assert_non_null(strstr(es_error_message(), what[error_kind]));
        checked_errors++;
    }
    assert_int_equal(checked_values + checked_errors, 300);
    assert_true(checked_errors > 50 && checked_values > 150);
}

/* A '#' after a value is no comment, and the messages said so badly: in a CSV
 * file '2,3 # c' (or '2,3 x') was "expected 2 columns, found 2", and in a
 * blank-separated one '2 # c' "expected 1 column, found 3". */
static void test_trailing_comment(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("tc.csv", "a,b\n1,2\n2,3 # note\n"));
    snprintf(want, sizeof want, "%s:3: column 'b': cannot parse '3 # note' as a number (a '#' comment "
             "must be on a line of its own)", p);
    expect_error(p, "b", ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("tj.csv", "a;b\n1;2\n2 x;3\n"));
    snprintf(want, sizeof want, "%s:3: column 'a': cannot parse '2 x' as a number", p);
    expect_error(p, "a", ES_EDATA, want);
    /* the other column is not read: its blanks and text do not matter */
    es_series s;
    snprintf(p, sizeof p, "%s", write_file("tk.csv", "a,b\n1,2\n2,3 x\n"));
    assert_int_equal(es_series_read(p, "a", &s), ES_OK);
    assert_int_equal(s.n, 2);
    es_series_free(&s);
    snprintf(p, sizeof p, "%s", write_file("tc.txt", "1\n2 # note\n3\n"));
    snprintf(want, sizeof want, "%s:2: expected 1 column, found 3 (a '#' comment must be on a line of "
             "its own)", p);
    expect_error(p, NULL, ES_EDATA, want);
}

/* Invisible characters in a bad value were printed raw: a form feed before 3
 * read "cannot parse '3'", a no-break space "cannot parse '2 500'". */
static void test_hidden_characters_shown(void **state)
{
    (void)state;
    char p[512], want[700];
    snprintf(p, sizeof p, "%s", write_file("ff.txt", "1\n2\n\f3\n"));
    snprintf(want, sizeof want, "%s:3: column 1: cannot parse '\\x0C3' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("nbsp.txt", "1\n2\xc2\xa0" "500\n"));
    snprintf(want, sizeof want, "%s:2: column 1: cannot parse '2\\u00A0500' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("nnbsp.txt", "1\n2\xe2\x80\xaf" "500\n"));
    snprintf(want, sizeof want, "%s:2: column 1: cannot parse '2\\u202F500' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
    snprintf(p, sizeof p, "%s", write_file("deg.txt", "1\n3\xc2\xb0\n"));
    snprintf(want, sizeof want, "%s:2: column 1: cannot parse '3\xc2\xb0' as a number", p);
    expect_error(p, NULL, ES_EDATA, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_17_digits),
        cmocka_unit_test(test_csv_header_by_name_and_number),
        cmocka_unit_test(test_doubled_quotes),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_cr_line_ends),
        cmocka_unit_test(test_windows_1252),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_single_column_and_stdin),
        cmocka_unit_test(test_colon_in_path),
        cmocka_unit_test(test_column_named_like_a_row),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_large_line_count),
        cmocka_unit_test(test_threads_same_result),
        cmocka_unit_test(test_random_layouts),
        cmocka_unit_test(test_tab_empty_value),
        cmocka_unit_test(test_underflow),
        cmocka_unit_test(test_quoted_blanks),
        cmocka_unit_test(test_quoted_blank_empty),
        cmocka_unit_test(test_trailing_comment),
        cmocka_unit_test(test_hidden_characters_shown),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
