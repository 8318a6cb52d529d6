/*
 * wpipe.c - a write pipe: operations recorded by a producer, run in order
 * by a writer thread (see wpipe.h).
 *
 * A batch is a struct buf of records, each 8-byte aligned:
 *
 *   REC_STMT q          begins an operation on statement q
 *   REC_INT idx v       binds integer v to parameter idx
 *   REC_TEXT idx n      binds the n bytes that follow (padded to 8)
 *   REC_NULL idx        binds SQL NULL
 *   REC_END             steps and resets the statement
 *
 * Ownership of batches: a batch is either the producer's (the one it
 * records into, or on the free list) or the writer's (queued, or being
 * run). It changes hands only under the mutex, and the writer only reads
 * a batch: the producer empties a batch when it takes it from the free
 * list. Batches are handed over whole at the end of an operation once
 * past WPIPE_BATCH bytes, so no operation is ever split.
 */
#include "ingest/wpipe.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

enum rec_kind { REC_STMT = 1, REC_INT, REC_TEXT, REC_NULL, REC_END };

/* One record of a batch (16 bytes on 64-bit targets). */
struct rec {
	uint32_t kind; /* enum rec_kind */
	int32_t idx;   /* parameter (1-based); 0 for STMT and END */
	union {
		int64_t i;	      /* REC_INT: the value; REC_TEXT: byte length */
		struct store_stmt *q; /* REC_STMT: the statement, borrowed */
	} u;
};

struct wpipe {
	struct store *st;		/* borrowed */
	int threaded;			/* a writer thread runs the batches */
	pthread_t thread;		/* the writer (when threaded) */
	pthread_mutex_t mu;		/* guards everything below marked (mu) */
	pthread_cond_t work;		/* writer waits: a batch queued, or stop */
	pthread_cond_t done;		/* producer waits: a batch freed / writer idle */
	struct buf batch[WPIPE_NBATCH]; /* record buffers */
	int full[WPIPE_NBATCH];		/* (mu) FIFO ring of queued batch indexes */
	int fhead;			/* (mu) its first slot */
	int nfull;			/* (mu) batches queued */
	int freeb[WPIPE_NBATCH];	/* (mu) stack of free batch indexes */
	int nfree;			/* (mu) batches free */
	int busy;			/* (mu) the writer is running a batch */
	int stop;			/* (mu) wpipe_close: the writer exits */
	int wrc;			/* (mu) writer's first error, 0 when none */
	struct uc_err werr;		/* (mu) its message */
	int cur;			/* producer: batch being recorded into */
	size_t op_start;		/* producer: offset of the open operation */
	int in_op;			/* producer: an operation is open */
	int too_big;			/* producer: the open operation overflowed */
	int known;			/* producer: writer error seen at a hand-off */
	struct uc_err kerr;		/* producer: its message */
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Run the records b[from..b->len). Returns UC_OK or the first failing
 * step's code (err filled); records after a failure are not run. */
static int run_records(const struct buf *b, size_t from, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	size_t off = from;

	while (off < b->len) {
		const struct rec *r = (const struct rec *)(const void *)(b->ptr + off);
		int rc;

		off += sizeof(*r);
		switch (r->kind) {
		case REC_STMT:
			q = r->u.q;
			break;
		case REC_INT:
			store_bind_int(q, r->idx, r->u.i);
			break;
		case REC_NULL:
			store_bind_null(q, r->idx);
			break;
		case REC_TEXT:
			/* The batch is not touched until the step below is done. */
			store_bind_text_static(q, r->idx, b->ptr + off, (int)r->u.i);
			off += pad8((size_t)r->u.i);
			break;
		case REC_END:
			rc = store_step(q, err);
			store_reset_keep(q);
			if (rc < 0)
				return -rc;
			break;
		default:
			BUG("wpipe: bad record kind %u at offset %zu", r->kind, off);
		}
	}
	return UC_OK;
}

static void *writer_main(void *arg)
{
	struct wpipe *p = arg;
	struct uc_err e = UC_ERR_INIT;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		int i, skip, rc = UC_OK;

		while (!p->nfull && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break; /* queued batches are discarded */
		i = p->full[p->fhead];
		p->fhead = (p->fhead + 1) % WPIPE_NBATCH;
		p->nfull--;
		p->busy = 1;
		skip = p->wrc != 0;
		pthread_mutex_unlock(&p->mu);
		if (!skip)
			rc = run_records(&p->batch[i], 0, &e);
		pthread_mutex_lock(&p->mu);
		if (rc && !p->wrc) {
			p->wrc = rc;
			p->werr = e;
		}
		p->freeb[p->nfree++] = i;
		p->busy = 0;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Free p and its batches; sync: its mutex and conditions were set up
 * (a threaded pipe, or one whose thread could not be started). */
static void free_pipe(struct wpipe *p, int sync)
{
	if (sync) {
		pthread_cond_destroy(&p->done);
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
	}
	for (int i = 0; i < WPIPE_NBATCH; i++)
		buf_release(&p->batch[i]);
	free(p);
}

int wpipe_open(struct wpipe **out, struct store *st, int threaded, struct uc_err *err)
{
	struct wpipe *p = uc_xcalloc(1, sizeof(*p));
	int e;

	*out = NULL;
	p->st = st;
	for (int i = 0; i < WPIPE_NBATCH; i++)
		buf_init(&p->batch[i], WPIPE_BATCH + WPIPE_OP_MAX);
	p->cur = 0;
	if (threaded) {
		for (int i = 1; i < WPIPE_NBATCH; i++)
			p->freeb[p->nfree++] = i;
		pthread_mutex_init(&p->mu, NULL);
		pthread_cond_init(&p->work, NULL);
		pthread_cond_init(&p->done, NULL);
		e = pthread_create(&p->thread, NULL, writer_main, p);
		if (e) {
			free_pipe(p, 1);
			return uc_error(err, UC_EIO, "cannot start the import writer thread: %s",
					strerror(e));
		}
		p->threaded = 1;
	}
	*out = p;
	return UC_OK;
}

int wpipe_threaded(const struct wpipe *p)
{
	return p->threaded;
}

/* Room for n more bytes of the open operation in the current batch, or
 * NULL when the operation would exceed WPIPE_OP_MAX (then too_big). */
static char *reserve(struct wpipe *p, size_t n)
{
	struct buf *b = &p->batch[p->cur];
	char *s;

	if (p->too_big)
		return NULL;
	if (b->len - p->op_start + n > WPIPE_OP_MAX) {
		p->too_big = 1;
		return NULL;
	}
	/* buf_grow() only when the buffer is full: this runs per value. */
	if (b->len + n >= b->alloc && buf_grow(b, n)) {
		p->too_big = 1;
		return NULL;
	}
	s = b->ptr + b->len;
	b->len += n;
	return s;
}

static void put(struct wpipe *p, enum rec_kind kind, int idx, int64_t v)
{
	struct rec *r;

	if (!p->in_op)
		BUG("wpipe: parameter outside an operation");
	r = (struct rec *)(void *)reserve(p, sizeof(*r));
	if (!r)
		return;
	r->kind = kind;
	r->idx = idx;
	r->u.i = v;
}

void wpipe_stmt(struct wpipe *p, struct store_stmt *q)
{
	struct rec *r;

	if (p->in_op)
		BUG("wpipe: operation begun inside another");
	p->in_op = 1;
	p->too_big = 0;
	p->op_start = p->batch[p->cur].len;
	r = (struct rec *)(void *)reserve(p, sizeof(*r));
	if (!r)
		return;
	r->kind = REC_STMT;
	r->idx = 0;
	r->u.q = q;
}

void wpipe_int(struct wpipe *p, int idx, int64_t v)
{
	put(p, REC_INT, idx, v);
}

void wpipe_null(struct wpipe *p, int idx)
{
	put(p, REC_NULL, idx, 0);
}

void wpipe_text(struct wpipe *p, int idx, const char *s, int n)
{
	size_t len;
	struct rec *r;

	if (!s) {
		put(p, REC_NULL, idx, 0);
		return;
	}
	if (!p->in_op)
		BUG("wpipe: parameter outside an operation");
	len = n < 0 ? strlen(s) : (size_t)n;
	if (len > WPIPE_OP_MAX) {
		p->too_big = 1;
		return;
	}
	/* The record and its bytes in one reservation. */
	r = (struct rec *)(void *)reserve(p, sizeof(*r) + pad8(len));
	if (!r)
		return;
	r->kind = REC_TEXT;
	r->idx = idx;
	r->u.i = (int64_t)len;
	memcpy(r + 1, s, len);
}

/* Empty batch b for reuse. */
static void recycle(struct buf *b)
{
	/* One huge operation (an 8 MiB event) must not pin its memory. */
	if (b->alloc > 4 * WPIPE_BATCH)
		buf_release(b);
	buf_reset(b);
}

/* Queue the current batch (complete operations only) and take a free one,
 * waiting for the writer when none is free. Remembers a writer error. */
static void hand_off(struct wpipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->full[(p->fhead + p->nfull) % WPIPE_NBATCH] = p->cur;
	p->nfull++;
	pthread_cond_signal(&p->work);
	while (!p->nfree)
		pthread_cond_wait(&p->done, &p->mu);
	p->cur = p->freeb[--p->nfree];
	if (p->wrc && !p->known) {
		p->known = p->wrc;
		p->kerr = p->werr;
	}
	pthread_mutex_unlock(&p->mu);
	recycle(&p->batch[p->cur]);
	p->op_start = 0;
}

int wpipe_end(struct wpipe *p, struct uc_err *err)
{
	struct buf *b = &p->batch[p->cur];
	int rc;

	if (!p->in_op)
		BUG("wpipe: wpipe_end without an operation");
	put(p, REC_END, 0, 0);
	p->in_op = 0;
	if (p->too_big) {
		/* Drop the partial operation: the batch holds whole ones only. */
		b->len = p->op_start;
		b->failed = 0;
		p->too_big = 0;
		return uc_error(err, UC_ENOMEM,
				"a row of more than %u MiB cannot be written to the database",
				WPIPE_OP_MAX >> 20);
	}
	if (!p->threaded) {
		rc = run_records(b, p->op_start, err);
		recycle(b);
		p->op_start = 0;
		return rc;
	}
	p->op_start = b->len;
	if (b->len >= WPIPE_BATCH)
		hand_off(p);
	if (p->known) {
		if (err)
			*err = p->kerr;
		return p->known;
	}
	return UC_OK;
}

int wpipe_sync(struct wpipe *p, struct uc_err *err)
{
	int rc;

	if (p->in_op)
		BUG("wpipe: wpipe_sync inside an operation");
	if (!p->threaded)
		return UC_OK;
	if (p->batch[p->cur].len)
		hand_off(p);
	pthread_mutex_lock(&p->mu);
	while (p->nfull || p->busy)
		pthread_cond_wait(&p->done, &p->mu);
	rc = p->wrc;
	if (rc && err)
		*err = p->werr;
	p->wrc = 0;
	uc_err_clear(&p->werr);
	pthread_mutex_unlock(&p->mu);
	p->known = 0;
	uc_err_clear(&p->kerr);
	return rc;
}

void wpipe_close(struct wpipe *p)
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
	free_pipe(p, p->threaded);
}
