/* core/progress.h — a progress bar on a terminal, log lines with ETA in batch jobs. */
#ifndef ESUITE_PROGRESS_H
#define ESUITE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *label;
    double total;         /* total work units (steps, time, events) */
    double start_wall;
    double last_print;
    double log_interval;  /* seconds between batch log lines (default 30) */
    double done0;         /* done before this process started (a resumed run) */
    bool tty;
    bool quiet;
    int bar_width;        /* characters of the last bar drawn (blanks cover a shorter one) */
} es_progress;

void es_progress_start(es_progress *p, const char *label, double total, bool quiet);
void es_progress_update(es_progress *p, double done); /* cheap: prints only when due */
/* A resumed run starts at `done`: the ETA comes from this process's own rate,
 * not from the earlier work divided by this process's elapsed time. */
void es_progress_resume_from(es_progress *p, double done);
void es_progress_finish(es_progress *p);
/* Last line at `done` instead of 100% (a run stopped by a signal or stop_after_*). */
void es_progress_finish_at(es_progress *p, double done);
double es_wall_seconds(void);                          /* monotonic clock */
/* "42s", "3m05s", "1h02m03s"; "--" for a negative or absurd value (no estimate). */
void es_progress_format_duration(double seconds, char *buf, size_t len);

#endif
