/*
 * evpar.c - lines parsed on two threads, consumed in order (see evpar.h).
 *
 * Batches form a ring, filled and consumed in the same order. A batch is
 *
 *   FREE     the consumer's: being filled (or unused)
 *   FILLED   lines read, waiting for a parser
 *   PARSING  claimed by the parse thread or by the consumer
 *   PARSED   results ready; the consumer hands out its lines, then FREE
 *
 * The state changes only under the mutex, and the batch's lines, results
 * and out buffer belong to whoever moved it last: the consumer (FREE,
 * FILLED by it, PARSED), the parser that claimed it (PARSING). Both
 * parsers take the oldest FILLED batch, counting from the one the
 * consumer needs next, so the consumer is kept waiting as little as can
 * be. Only the consumer reads the file and fills batches.
 */
#include "ingest/evpar.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { B_FREE, B_FILLED, B_PARSING, B_PARSED };

/* A batch's out buffer that grew past this (a huge line) is given back
 * before the batch is used again. */
#define OUT_KEEP (16u << 20)

struct batch {
	struct buf text;       /* the lines, each NUL-terminated; allocated once, never moves */
	struct evpar_line *ln; /* its lines, EVPAR_LINES slots, owned */
	char *res;	       /* EVPAR_LINES results of res_size bytes, owned */
	int n;		       /* lines in the batch */
	int end;	       /* after its lines: 0 more, 1 end of file, -1 I/O error */
	struct buf out;	       /* bytes the parse function appended for these lines */
	int state;	       /* (mu) B_* */
	int busy;	       /* consumer: filled and not yet consumed */
};

struct evpar {
	struct lread *lr;	      /* borrowed; the consumer's */
	size_t res_size;	      /* bytes of a result, rounded up to 16 */
	evpar_fn *fn;		      /* the parse function */
	void *arg;		      /* its argument, borrowed */
	int threaded;		      /* a parse thread runs */
	int nb;			      /* batches in the ring (1 when not threaded) */
	pthread_t thread;	      /* the parse thread (when threaded) */
	pthread_mutex_t mu;	      /* guards the fields marked (mu) */
	pthread_cond_t work;	      /* parse thread waits: a batch filled, or stop */
	pthread_cond_t done;	      /* consumer waits: a batch parsed */
	struct batch b[EVPAR_NBATCH]; /* the ring */
	int stop;		      /* (mu) evpar_close: the parse thread exits */
	int head;		      /* (mu) batch the consumer needs next */
	int fill;		      /* consumer: next batch to fill */
	int ended;		      /* consumer: the end (or an I/O error) was read */
	int next;		      /* consumer: batch to take after cur */
	int cur;		      /* consumer: batch being handed out, or -1 */
	int pos;		      /* consumer: its next line */
	struct uc_err ioerr;	      /* consumer: lread's I/O error */
};

/* Parse every line of batch b on behalf of worker w (the batch is w's:
 * PARSING). */
static void parse_batch(struct evpar *p, struct batch *b, int worker)
{
	if (b->out.alloc > OUT_KEEP)
		buf_release(&b->out);
	buf_reset(&b->out);
	for (int i = 0; i < b->n; i++)
		if (!b->ln[i].is_long)
			p->fn(p->arg, worker, &b->ln[i], &b->out);
	/* A batch holds at most EVPAR_TEXT + max_line bytes of lines; what a
	 * parse function keeps of them is a small multiple of that. */
	if (buf_failed(&b->out))
		BUG("evpar: a batch's parse results exceed %u MiB", EVPAR_OUT_MAX >> 20);
}

/* The oldest FILLED batch counting from `from`, or -1. Under mu. */
static int oldest_filled(const struct evpar *p, int from)
{
	for (int k = 0; k < p->nb; k++) {
		int j = (from + k) % p->nb;

		if (p->b[j].state == B_FILLED)
			return j;
	}
	return -1;
}

static void *parser_main(void *arg)
{
	struct evpar *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		int j = -1;

		while (!p->stop && (j = oldest_filled(p, p->head)) < 0)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		p->b[j].state = B_PARSING;
		pthread_mutex_unlock(&p->mu);
		parse_batch(p, &p->b[j], 1);
		pthread_mutex_lock(&p->mu);
		p->b[j].state = B_PARSED;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void free_evpar(struct evpar *p, int sync)
{
	if (sync) {
		pthread_cond_destroy(&p->done);
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
	}
	for (int i = 0; i < EVPAR_NBATCH; i++) {
		buf_release(&p->b[i].text);
		buf_release(&p->b[i].out);
		free(p->b[i].ln);
		free(p->b[i].res);
	}
	free(p);
}

int evpar_open(struct evpar **out, struct lread *lr, size_t res_size, evpar_fn *fn, void *arg,
	       int threaded, struct uc_err *err)
{
	struct evpar *p = uc_xcalloc(1, sizeof(*p));
	size_t tcap = EVPAR_TEXT + lr->max_line + 2;
	int e;

	*out = NULL;
	p->lr = lr;
	p->res_size = (res_size + 15) & ~(size_t)15;
	p->fn = fn;
	p->arg = arg;
	p->nb = threaded ? EVPAR_NBATCH : 1;
	p->cur = -1;
	for (int i = 0; i < EVPAR_NBATCH; i++) {
		struct batch *b = &p->b[i];

		buf_init(&b->text, tcap);
		buf_init(&b->out, EVPAR_OUT_MAX);
		if (i >= p->nb)
			continue;
		/* Sized once: line pointers into it stay valid while it fills. */
		if (buf_grow(&b->text, tcap))
			BUG("evpar: cannot size a batch of %zu bytes", tcap);
		b->ln = uc_xcalloc(EVPAR_LINES, sizeof(*b->ln));
		b->res = uc_xcalloc(EVPAR_LINES, p->res_size);
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	if (threaded) {
		e = pthread_create(&p->thread, NULL, parser_main, p);
		if (e) {
			free_evpar(p, 1);
			return uc_error(err, UC_EIO, "cannot start the import parse thread: %s",
					strerror(e));
		}
		p->threaded = 1;
	}
	*out = p;
	return UC_OK;
}

int evpar_threaded(const struct evpar *p)
{
	return p->threaded;
}

/* Read the next lines of the file into batch b (the consumer's, FREE). */
static void fill_batch(struct evpar *p, struct batch *b)
{
	struct lread *lr = p->lr;
	const char *base = b->text.ptr;

	buf_reset(&b->text);
	b->n = 0;
	b->end = 0;
	while (b->n < EVPAR_LINES && b->text.len < EVPAR_TEXT) {
		struct evpar_line *ln = &b->ln[b->n];
		char *line;
		size_t n;
		int nl = 1;
		int rc = lread_next(lr, &line, &n, &nl, &p->ioerr);

		if (rc == LREAD_EOF || rc == LREAD_IOERR) {
			b->end = rc == LREAD_EOF ? 1 : -1;
			p->ended = 1;
			break;
		}
		ln->lineno = lr->lineno;
		ln->bytes = lr->bytes;
		ln->res = b->res + (size_t)b->n * p->res_size;
		ln->out = NULL;
		if (rc == LREAD_LONG) {
			ln->text = NULL;
			ln->n = 0;
			ln->nl = 1;
			ln->is_long = 1;
		} else {
			ln->text = b->text.ptr + b->text.len;
			ln->n = n;
			ln->nl = nl;
			ln->is_long = 0;
			buf_add(&b->text, line, n);
			buf_addc(&b->text, '\0');
		}
		b->n++;
	}
	if (buf_failed(&b->text) || b->text.ptr != base)
		BUG("evpar: a batch's lines outgrew their buffer");
}

/* Fill every batch the consumer is done with, in ring order, and queue
 * them for parsing. */
static void refill(struct evpar *p)
{
	while (!p->ended && !p->b[p->fill].busy) {
		struct batch *b = &p->b[p->fill];

		fill_batch(p, b);
		b->busy = 1;
		pthread_mutex_lock(&p->mu);
		b->state = B_FILLED;
		pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->mu);
		p->fill = (p->fill + 1) % p->nb;
	}
}

/* Wait until batch k is parsed, parsing the oldest unclaimed batches
 * meanwhile; then it is the consumer's. */
static void take_batch(struct evpar *p, int k)
{
	struct batch *b = &p->b[k];

	pthread_mutex_lock(&p->mu);
	p->head = k;
	while (b->state != B_PARSED) {
		int j = oldest_filled(p, k);

		if (j < 0) {
			if (!p->threaded)
				BUG("evpar: batch %d neither filled nor parsed", k);
			pthread_cond_wait(&p->done, &p->mu);
			continue;
		}
		p->b[j].state = B_PARSING;
		pthread_mutex_unlock(&p->mu);
		parse_batch(p, &p->b[j], 0);
		pthread_mutex_lock(&p->mu);
		p->b[j].state = B_PARSED;
	}
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < b->n; i++)
		b->ln[i].out = b->out.ptr;
}

int evpar_next(struct evpar *p, struct evpar_line **ln, struct uc_err *err)
{
	for (;;) {
		struct batch *b;

		if (p->cur >= 0) {
			b = &p->b[p->cur];
			if (p->pos < b->n) {
				*ln = &b->ln[p->pos++];
				return 1;
			}
			if (b->end > 0)
				return 0;
			if (b->end < 0) {
				if (err)
					*err = p->ioerr;
				return -1;
			}
			pthread_mutex_lock(&p->mu);
			b->state = B_FREE;
			pthread_mutex_unlock(&p->mu);
			b->busy = 0;
			p->cur = -1;
		}
		refill(p);
		if (!p->b[p->next].busy)
			BUG("evpar: no batch to consume");
		p->cur = p->next;
		p->next = (p->next + 1) % p->nb;
		p->pos = 0;
		take_batch(p, p->cur);
	}
}

const struct evpar_line *evpar_peek(const struct evpar *p)
{
	const struct batch *b;

	if (p->cur < 0)
		return NULL;
	b = &p->b[p->cur];
	return p->pos < b->n ? &b->ln[p->pos] : NULL;
}

void evpar_close(struct evpar *p)
{
	if (!p)
		return;
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	free_evpar(p, 1);
}
