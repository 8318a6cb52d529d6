#ifndef UC_WPIPE_H
#define UC_WPIPE_H
/*
 * wpipe.h - a write pipe: statements recorded by one thread, run in order
 * on the store by another.
 *
 * The importer spends about half of a big load in its own work (parsing,
 * checks, normalising, hashing) and half in SQLite (inserts, the kernel's
 * writes). A pipe lets the two overlap on two cores: the producer (the
 * import thread) records "operations" -- a prepared statement and the
 * values of its parameters -- into batches of about WPIPE_BATCH bytes; a
 * writer thread binds each operation's parameters (text bound without
 * copying, pointing into the batch), steps the statement once and resets
 * it keeping the bindings. Batches are recycled through a small bounded
 * queue, so a producer that outruns the writer waits for it.
 *
 * A non-threaded pipe runs each operation when it ends (wpipe_end), on the
 * caller's thread, through the same binding code: callers write one code
 * path for both.
 *
 * Usage:
 *
 *   struct wpipe *p = NULL;
 *   if (wpipe_open(&p, st, 1, &err)) ...
 *   for (each row) {
 *           wpipe_stmt(p, ins);              // INSERT INTO t(a,b,c) ...
 *           wpipe_int(p, 1, 42);
 *           wpipe_text(p, 2, name, -1);      // copied into the batch
 *           wpipe_null(p, 3);
 *           if (wpipe_end(p, &err)) ...      // abort: see Errors
 *   }
 *   if (wpipe_sync(p, &err)) ...             // all run, or the first error
 *   store_commit(st, &err);                  // the producer's turn again
 *   wpipe_close(p);
 *
 * Threads and the store. The store connection is not thread-safe (opened
 * with SQLITE_OPEN_NOMUTEX): while a threaded pipe may have operations
 * queued or running, the producer must not touch the connection or the
 * statements it recorded -- no store_* call on st at all (queries,
 * prepares, DDL, COMMIT). wpipe_sync() returns with the writer idle: from
 * then until the next wpipe_end() that hands a batch over, the producer
 * owns the connection again (the mutex hand-off orders the memory).
 * Prepare every statement an operation uses before recording it.
 *
 * Operations. Statements must return no rows (INSERT, UPDATE, DELETE).
 * Every operation binds every parameter of its statement: the bindings of
 * the previous operation on the same statement point into a batch that
 * may have been reused. Each operation is run with store_step() and
 * store_reset_keep(). An operation is never split across batches.
 *
 * Errors. The first failing step's error (as store_step() gives it, e.g.
 * UC_ECONFLICT for a constraint, UC_EIO for a full disk) is recorded and
 * every later operation is discarded, not run. Threaded, the producer
 * learns of it at the next batch hand-off (wpipe_end() returns it) or at
 * wpipe_sync(); either way it should stop and roll the transaction back
 * (after wpipe_sync() or wpipe_close()). Non-threaded, wpipe_end() returns
 * the operation's own result at once. wpipe_sync() reports the error and
 * clears it, so the pipe can be used again (in a new transaction).
 *
 * Threads of the caller: one producer per pipe.
 */
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define WPIPE_BATCH (1u << 20)	  /* hand a batch to the writer past this size */
#define WPIPE_NBATCH 4		  /* batches per threaded pipe (queue + writer + producer) */
#define WPIPE_OP_MAX (128u << 20) /* largest operation (bytes recorded) */

struct wpipe;

/*
 * Create a pipe over st (borrowed: it must outlive the pipe). threaded:
 * start a writer thread; else operations run in wpipe_end(). Returns
 * UC_OK, or UC_EIO when the thread cannot be started (*out stays NULL).
 */
int wpipe_open(struct wpipe **out, struct store *st, int threaded, struct uc_err *err);
/* Is p threaded? */
int wpipe_threaded(const struct wpipe *p);

/* Begin an operation on q (borrowed: keep it prepared until the
 * operation has run, i.e. until wpipe_sync() or wpipe_close()). */
void wpipe_stmt(struct wpipe *p, struct store_stmt *q);
/* Parameter idx (1-based) of the current operation. */
void wpipe_int(struct wpipe *p, int idx, int64_t v);
/* Text s[0..n) (n < 0: strlen) is copied; s == NULL binds SQL NULL. */
void wpipe_text(struct wpipe *p, int idx, const char *s, int n);
void wpipe_null(struct wpipe *p, int idx);
/*
 * End the current operation. Non-threaded: run it now and return its
 * result (err filled on failure). Threaded: queue it, handing the batch
 * to the writer when full (which may wait for a free batch), and return
 * the writer's first error if one is known by then, else UC_OK. An
 * operation larger than WPIPE_OP_MAX is not recorded: UC_ENOMEM.
 */
int wpipe_end(struct wpipe *p, struct uc_err *err);
/*
 * Wait until every queued operation has run (or been discarded after an
 * error); return the first error since the last sync (then cleared), or
 * UC_OK. Afterwards the writer is idle and the producer may use the store.
 */
int wpipe_sync(struct wpipe *p, struct uc_err *err);
/*
 * Stop the writer thread and free the pipe; accepts NULL. Operations not
 * yet synced are discarded or run, unpredictably: sync first to keep
 * them, or roll the transaction back afterwards.
 */
void wpipe_close(struct wpipe *p);

#endif
