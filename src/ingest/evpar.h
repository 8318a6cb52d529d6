#ifndef UC_EVPAR_H
#define UC_EVPAR_H
/*
 * evpar.h - the lines of a file parsed on two threads and handed back in
 * file order: the events feed's reader.
 *
 * An events line costs the importer about 4 us, two thirds of it in work
 * that depends on the line alone (jansson parses it, the checks, the
 * canonical form, hashes); the rest (duplicate checks, counters,
 * messages, recording the INSERTs) must run in file order on one thread.
 * evpar splits the two: the consumer's thread reads lines into batches of
 * up to EVPAR_LINES lines (copies, so the reader can go on), a parse
 * thread runs the caller's parse function over whole batches ahead of the
 * consumer, and evpar_next() returns the lines one by one, in order, each
 * with its result. When the batch the consumer needs is not parsed yet,
 * the consumer parses the oldest batch nobody has claimed itself rather
 * than wait, so both cores stay busy whatever the balance (the write
 * pipe's writer thread takes the parse thread's idle time).
 *
 * Non-threaded, the same code runs the parse function on the consumer's
 * thread, a batch at a time, just before its lines are returned: callers
 * write one code path for both.
 *
 * Usage:
 *
 *   struct evpar *p = NULL;
 *   struct evpar_line *ln;
 *   if (evpar_open(&p, &lr, sizeof(struct res), parse, arg, 1, &err)) ...
 *   while ((rc = evpar_next(p, &ln, &err)) > 0) {
 *           struct res *r = ln->res;      // what parse() left for the line
 *           use(ln->lineno, ln->text, ln->out + r->some_offset);
 *   }
 *   if (rc < 0) ...                        // the reader's I/O error, in err
 *   evpar_close(p);
 *   lread_sha256_hex(&lr, hex);            // lr read to its end
 *
 * The parse function. parse(arg, worker, ln, out) gets one line (never a
 * long one) and leaves its result in ln->res (res_size bytes, not
 * cleared between uses) and any bytes it needs to keep (strings,
 * messages) appended to out, the line's batch's buffer: results hold
 * offsets into it, since out may move while the batch is parsed; the
 * consumer reads it as ln->out. It may also shorten the line (ln->n, with
 * a NUL at ln->text[ln->n]), e.g. to drop a CR: the consumer sees it so.
 * It runs on two threads at once, each on its own batches: worker is 0 on
 * the consumer's thread and 1 on the parse thread, so per-thread scratch
 * can be indexed by it; anything else it touches must be read-only or its
 * own. It cannot fail: a bad line is a result. Results must not own
 * anything (no pointers to memory that needs freeing): unconsumed batches
 * are dropped by evpar_close() without a look at them. A batch changes
 * hands under a mutex, so what the parse thread wrote (and allocated) is
 * the consumer's once evpar_next() returns a line of it.
 *
 * Lines are what lread_next() gives (lread.h): numbers, the last line
 * without '\n' (nl 0), lines over lread's max_line reported once as
 * is_long with no text. An I/O error is returned after every line read
 * before it, as lread would have; so is the end of the file.
 *
 * Threads of the caller: one consumer per evpar, which alone uses the
 * lread (borrowed: it must outlive the evpar; do not read it meanwhile).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "ingest/lread.h"

#define EVPAR_LINES 1024	 /* most lines in a batch */
#define EVPAR_TEXT (256u << 10)	 /* a batch ends once its lines pass this many bytes */
#define EVPAR_NBATCH 4		 /* batches in flight (read, parsed, being consumed) */
#define EVPAR_OUT_MAX (1u << 30) /* cap of a batch's out buffer (see evpar.c) */

struct evpar;

/* One line of the file, as evpar_next() returns it. */
struct evpar_line {
	char *text;	 /* the line, NUL-terminated at n; NULL when is_long */
	size_t n;	 /* its length, without '\n' (parse may shorten it) */
	long lineno;	 /* its 1-based line number */
	uint64_t bytes;	 /* bytes of the file read when it was (for progress) */
	int nl;		 /* it ended with '\n' (0: the last line, cut short) */
	int is_long;	 /* longer than lread's max_line: skipped, not parsed */
	void *res;	 /* the parse function's result (res_size bytes), owned by evpar */
	const char *out; /* the batch's bytes appended by parse (valid with the line) */
};

/* See "The parse function" above. */
typedef void evpar_fn(void *arg, int worker, struct evpar_line *ln, struct buf *out);

/*
 * Create a reader of lr's remaining lines (lr borrowed) with results of
 * res_size bytes made by fn(arg, ...) (arg borrowed). threaded: start the
 * parse thread; else parse on the caller's thread. Returns UC_OK, or
 * UC_EIO when the thread cannot be started (*out stays NULL).
 */
int evpar_open(struct evpar **out, struct lread *lr, size_t res_size, evpar_fn *fn, void *arg,
	       int threaded, struct uc_err *err);
/* Is p threaded? */
int evpar_threaded(const struct evpar *p);
/*
 * The next line, parsed, in *ln (valid until the next call): returns 1;
 * 0 at the end of the file (and again on later calls); -1 when reading
 * failed (err says why, as lread_next() put it), after every line before.
 */
int evpar_next(struct evpar *p, struct evpar_line **ln, struct uc_err *err);
/*
 * The line after the one evpar_next() returned last, when it is in the
 * same batch (parsed), else NULL: a look ahead, e.g. to prefetch.
 */
const struct evpar_line *evpar_peek(const struct evpar *p);
/* Stop the parse thread and free p (lines not consumed are dropped);
 * accepts NULL. */
void evpar_close(struct evpar *p);

#endif
