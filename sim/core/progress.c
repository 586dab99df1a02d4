/* Progress reporting: a redrawn bar on a terminal, plain log lines with an
 * ETA otherwise (batch jobs write to files, where a bar is noise). */
#include "core/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double es_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void es_progress_start(es_progress *p, const char *label, double total, bool quiet)
{
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->done0 = 0;
    p->start_wall = es_wall_seconds();
    p->last_print = p->start_wall;
    if (p->log_interval <= 0)
        p->log_interval = 30.0;
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->bar_width = 0;
}

void es_progress_format_duration(double s, char *buf, size_t len)
{
    if (s < 0 || s > 1e8) {
        snprintf(buf, len, "--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ldh%02ldm%02lds", t / 3600, (t / 60) % 60, t % 60);
    else if (t >= 60)
        snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, len, "%lds", t);
}

static void print_state(es_progress *p, double done, double now)
{
    double frac = done / p->total;
    if (frac > 1)
        frac = 1;
    /* %.1f made 99.96 % "100.0%", a line claiming the end before it:
     * short of the end it says 99.9% at most */
    double pct = frac < 1 && 100 * frac >= 99.95 ? 99.9 : 100 * frac;
    double elapsed = now - p->start_wall, frac0 = p->done0 / p->total;
    double eta = frac > frac0 ? elapsed * (1 - frac) / (frac - frac0) : -1;
    char e1[32], e2[32];
    es_progress_format_duration(elapsed, e1, sizeof e1);
    es_progress_format_duration(eta, e2, sizeof e2);
    if (p->tty) {
        char bar[41];
        int filled = (int)(frac * 40);
        for (int i = 0; i < 40; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[40] = '\0';
        /* \r only moves back: when the line gets shorter ("ETA 1m00s" to
         * "ETA 59s") blanks cover the previous line's end, else "59s s" shows */
        int w = fprintf(stderr, "\r%s [%s] %5.1f%%  elapsed %s  ETA %s ", p->label, bar,
                        pct, e1, e2) - 1;
        if (w >= 0 && w < p->bar_width)
            fprintf(stderr, "%*s", p->bar_width - w, "");
        if (w > p->bar_width)
            p->bar_width = w;
    } else {
        time_t t = time(NULL);
        struct tm tm;
        char stamp[32];
        gmtime_r(&t, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "[%s] %s: %.1f%% done, elapsed %s, ETA %s\n", stamp, p->label, pct,
                e1, e2);
    }
    fflush(stderr);
}

void es_progress_update(es_progress *p, double done)
{
    if (p->quiet)
        return;
    double now = es_wall_seconds();
    double interval = p->tty ? 0.2 : p->log_interval;
    if (now - p->last_print < interval)
        return;
    p->last_print = now;
    print_state(p, done, now);
}

void es_progress_resume_from(es_progress *p, double done) { p->done0 = done; }

void es_progress_finish_at(es_progress *p, double done)
{
    if (p->quiet)
        return;
    print_state(p, done, es_wall_seconds());
    if (p->tty)
        fputc('\n', stderr);
}

void es_progress_finish(es_progress *p) { es_progress_finish_at(p, p->total); }
