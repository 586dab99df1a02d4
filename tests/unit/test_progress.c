/* Batch progress lines (core/progress.h): the ETA is the remaining work over
 * this process's own rate, also for a resumed run that starts part-way. The
 * bar writes to stderr, which the test points at a file (not a terminal, so
 * the log-line form); the start time is set back by a known amount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/progress.h"

/* The one line es_progress_finish_at prints for `done` of 100 units, with the
 * run started `ago` seconds earlier and `done0` units done before it. */
/* stderr into a temporary file (unlinked at once) until capture_end, which
 * returns the file's descriptor positioned at its start. */
typedef struct {
    int fd, saved;
} capture;

static capture capture_begin(void)
{
    char path[] = "/tmp/esuite_progress_XXXXXX";
    capture c = {mkstemp(path), -1};
    assert_true(c.fd >= 0);
    unlink(path);
    fflush(stderr);
    c.saved = dup(STDERR_FILENO);
    dup2(c.fd, STDERR_FILENO);
    return c;
}

static int capture_end(capture c)
{
    fflush(stderr);
    dup2(c.saved, STDERR_FILENO);
    close(c.saved);
    lseek(c.fd, 0, SEEK_SET);
    return c.fd;
}

static void last_line(double done0, double done, double ago, char *line, size_t len)
{
    capture c = capture_begin();
    es_progress p = {0};
    es_progress_start(&p, "demo", 100.0, false);
    if (done0 > 0)
        es_progress_resume_from(&p, done0);
    p.start_wall -= ago;
    es_progress_finish_at(&p, done);
    FILE *f = fdopen(capture_end(c), "r");
    assert_non_null(fgets(line, (int)len, f));
    fclose(f);
}

/* Fresh run: 25 of 100 units in 10 s, so 75 more take 30 s. */
static void test_eta_fresh(void **state)
{
    (void)state;
    char line[256];
    last_line(0, 25, 10.0, line, sizeof line);
    assert_non_null(strstr(line, "] demo: 25.0% done, elapsed 10s, ETA 30s\n"));
}

/* Resumed at 50: 25 more units in 10 s, so the last 25 take 10 s (the
 * earlier 50 units were not done in this process's 10 s: 3 s was reported). */
static void test_eta_resumed(void **state)
{
    (void)state;
    char line[256];
    last_line(50, 75, 10.0, line, sizeof line);
    assert_non_null(strstr(line, "] demo: 75.0% done, elapsed 10s, ETA 10s\n"));
}

/* No progress yet in this process: no estimate ("--"), not 0 or infinity. */
static void test_eta_unknown(void **state)
{
    (void)state;
    char line[256];
    last_line(50, 50, 10.0, line, sizeof line);
    assert_non_null(strstr(line, "] demo: 50.0% done, elapsed 10s, ETA --\n"));
}

/* 99.96 of 100 units is not "100.0%" (that is the finished run's line):
 * 99.9%; below that, rounded to 0.1 % as before (29 of 100: 29.0%). */
static void test_percent_rounds_down(void **state)
{
    (void)state;
    char line[256];
    last_line(0, 99.96, 10.0, line, sizeof line);
    assert_non_null(strstr(line, "] demo: 99.9% done, elapsed 10s, ETA 0s\n"));
    last_line(0, 29, 29.0, line, sizeof line);
    assert_non_null(strstr(line, "] demo: 29.0% done, elapsed 29s, ETA 1m11s\n"));
    last_line(0, 100, 29.0, line, sizeof line);
    assert_non_null(strstr(line, "] demo: 100.0% done, elapsed 29s, ETA 0s\n"));
}

/* What a terminal shows after the bytes in `raw`: \r returns to column 0,
 * other characters overwrite; trailing blanks dropped. */
static void screen_of(const char *raw, char *screen, size_t len)
{
    size_t col = 0, end = 0;
    memset(screen, 0, len);
    for (const char *c = raw; *c && col < len - 1; c++) {
        if (*c == '\r') {
            col = 0;
            continue;
        }
        screen[col++] = *c;
        if (col > end)
            end = col;
    }
    while (end > 0 && screen[end - 1] == ' ')
        end--;
    screen[end] = '\0';
}

/* The bar on a terminal, redrawn from ETA 1m00s to ETA 59s (two characters
 * shorter): the second line covers the first's end. Before, the terminal
 * showed "ETA 59s s" (the first line's last characters were left). */
static void test_bar_redraw_shorter(void **state)
{
    (void)state;
    capture c = capture_begin();
    es_progress p = {0};
    es_progress_start(&p, "demo", 100.0, false);
    p.tty = true;         /* the bar form, drawn into the file */
    p.start_wall -= 60.0; /* 50 units in 60 s: ETA 1m00s */
    p.last_print -= 61.0;
    es_progress_update(&p, 50.0);
    p.last_print -= 1.0;
    es_progress_update(&p, 100.0 * 60.0 / 119.0); /* ETA 60 s · (59/119) / (60/119) = 59 s */
    int fd = capture_end(c);
    char raw[1024] = {0}, screen[512];
    assert_true(pread(fd, raw, sizeof raw - 1, 0) > 0);
    close(fd);
    assert_non_null(strstr(raw, "ETA 1m00s "));
    screen_of(raw, screen, sizeof screen);
    assert_string_equal(screen,
                        "demo [####################....................]  50.4%  elapsed 1m00s  ETA 59s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eta_fresh),
        cmocka_unit_test(test_eta_resumed),
        cmocka_unit_test(test_eta_unknown),
        cmocka_unit_test(test_bar_redraw_shorter),
        cmocka_unit_test(test_percent_rounds_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
