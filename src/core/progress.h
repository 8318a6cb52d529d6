#ifndef UC_PROGRESS_H
#define UC_PROGRESS_H
/*
 * progress.h - progress on stderr for long work, only when stderr is a
 * terminal (silent otherwise, so scripts and CI logs stay clean).
 *
 *   struct progress p;
 *   progress_start(&p, "import cbp", total_or_0);
 *   for (...) progress_tick(&p, done);   // cheap; redraws at most 4x/s
 *   progress_end(&p);
 */
#include <stdint.h>

struct progress {
	const char *what; /* label, borrowed */
	uint64_t total;	  /* expected units, 0 when unknown */
	uint64_t done;	  /* units done so far */
	double start;	  /* monotonic start time, seconds */
	double last;	  /* last redraw time */
	int enabled;	  /* stderr is a terminal and UCTRACK_PROGRESS != 0 */
};

void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_tick(struct progress *p, uint64_t done);
void progress_end(struct progress *p);
/* Monotonic clock in seconds. */
double progress_now(void);

#endif
