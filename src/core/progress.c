#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, const char *what, uint64_t total)
{
	const char *env = getenv("UCTRACK_PROGRESS");

	p->what = what;
	p->total = total;
	p->done = 0;
	p->start = progress_now();
	p->last = p->start;
	p->enabled = isatty(STDERR_FILENO) && !(env && strcmp(env, "0") == 0);
}

static void draw(struct progress *p, double now)
{
	double el = now - p->start;
	double rate = el > 0 ? (double)p->done / el : 0;

	if (p->total && rate > 0 && p->done <= p->total) {
		double eta = (double)(p->total - p->done) / rate;

		fprintf(stderr, "\r%s: %llu/%llu (%.0f/s, ETA %.0fs)   ", p->what,
			(unsigned long long)p->done, (unsigned long long)p->total, rate, eta);
	} else {
		fprintf(stderr, "\r%s: %llu (%.0f/s)   ", p->what, (unsigned long long)p->done,
			rate);
	}
}

void progress_tick(struct progress *p, uint64_t done)
{
	double now;

	p->done = done;
	if (!p->enabled || (done & 1023) != 0)
		return;
	now = progress_now();
	if (now - p->last < 0.25)
		return;
	p->last = now;
	draw(p, now);
}

void progress_end(struct progress *p)
{
	if (!p->enabled)
		return;
	draw(p, progress_now());
	fputc('\n', stderr);
}
