#ifndef UC_AUDIT_H
#define UC_AUDIT_H
/*
 * audit.h - the append-only, hash-chained audit log (table audit_log).
 *
 * Every read of a child's personal data and every write is one entry: who
 * (actor, role), when (at, RFC 3339 UTC), what (action, target, detail),
 * why (purpose) and the outcome. Entry n stores
 *
 *   hash_n = BLAKE2b-256(hash_{n-1} || encode(entry_n))
 *
 * with hash_0 = 32 zero bytes and encode() = seq as 8 bytes big-endian,
 * then each of at, actor, role, action, target, purpose, outcome, detail,
 * addr as a 4-byte big-endian length and its bytes (0xffffffff for NULL).
 * Hashes are stored as lowercase hex. Because seq is hashed and each entry
 * names its predecessor's hash, audit_verify() finds an edited entry (its
 * hash no longer matches), a deleted one (a gap in seq, or the next entry's
 * prev_hash no longer matches) and reordered ones (seq/hash mismatch), and
 * names the first broken entry. Removing entries from the end leaves a
 * valid shorter chain: anchor the head (audit_head(), `uctrack audit head`)
 * outside the database and pass it to audit_verify() to detect that too.
 *
 * Usage (single writer, e.g. the CLI):
 *
 *   struct audit_entry e = {.actor = "cli:root", .action = "user.add",
 *                           .target = "user:ana", .outcome = "ok"};
 *   if (audit_append(st, &e, &err)) ...
 *
 * Usage (server: many threads, group commit by one writer thread):
 *
 *   struct audit_writer *w;
 *   audit_writer_start(&w, db_path, &err);
 *   audit_writer_submit(w, &e, &err);   // returns once committed
 *   audit_writer_submit_async(w, &e, done, arg); // done() once committed
 *   audit_writer_stop(w);
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/* One entry; all strings borrowed by the functions below. NULL = absent. */
struct audit_entry {
	const char *actor;   /* user name, or "cli:USER"; required */
	const char *role;    /* actor's role */
	const char *action;  /* what was done, e.g. "case.read"; required */
	const char *target;  /* what it was done to, e.g. "case:42" */
	const char *purpose; /* the declared purpose of a read */
	const char *outcome; /* ok, denied, invalid, error; required */
	const char *detail;  /* free text or JSON */
	const char *addr;    /* client address */
};

#define AUDIT_FIELD_MAX 4096 /* longer strings are cut (UTF-8 safe) */

/*
 * Append one entry in its own write transaction (BEGIN IMMEDIATE), so the
 * chain stays linear even with other writers. Returns 0 or an error; the
 * caller must not hold a transaction on st. *seq (may be NULL) gets the
 * entry's sequence number.
 */
int audit_append(struct store *st, const struct audit_entry *e, int64_t *seq, struct uc_err *err);
/* The same inside the caller's open transaction. */
int audit_append_tx(struct store *st, const struct audit_entry *e, int64_t *seq,
		    struct uc_err *err);

/* Result of audit_verify(). */
struct audit_report {
	int64_t entries;    /* entries checked */
	int64_t first_bad;  /* seq of the first broken entry, 0 when intact */
	char head_hash[65]; /* hash of the last entry ("" when empty) */
	int64_t head_seq;   /* seq of the last entry (0 when empty) */
};

/*
 * Walk the whole chain. Returns 0 when intact; UC_EINPUT with a message
 * naming the first broken entry (and rep->first_bad) otherwise. When
 * expect_seq > 0, the chain must also contain entry expect_seq with hash
 * expect_hash (a head recorded earlier): truncation is then detected.
 */
int audit_verify(struct store *st, int64_t expect_seq, const char *expect_hash,
		 struct audit_report *rep, struct uc_err *err);

/* A page of the log (GET /audit): entries after seq `after` (oldest
 * first) or, with newest_first, before seq `before` (0: from the newest);
 * optional exact actor, action, target; optional day range from..to
 * (YYYY-MM-DD, inclusive, on the entry's UTC time). */
struct audit_query {
	int64_t after;	    /* oldest first: entries with seq > after */
	int64_t before;	    /* newest first: seq < before; 0 = no bound */
	int newest_first;   /* 1: ORDER BY seq DESC */
	const char *actor;  /* exact actor or NULL (borrowed) */
	const char *action; /* exact action or NULL (borrowed) */
	const char *target; /* exact target or NULL (borrowed) */
	const char *from;   /* first day YYYY-MM-DD or NULL (borrowed) */
	const char *to;	    /* last day YYYY-MM-DD or NULL (borrowed) */
	int64_t limit;	    /* rows, 1..1000 */
};

/* Prepare and bind the page's statement (columns seq, at, actor, role,
 * action, target, purpose, outcome, detail, addr, hash); the caller steps
 * it and finalizes it (*out; NULL on error). Bad dates are UC_EINPUT. */
int audit_list_prepare(struct store *st, const struct audit_query *aq, struct store_stmt **out,
		       struct uc_err *err);

/* Current head (seq and hash) without verifying. */
int audit_head(struct store *st, int64_t *seq, char hash[65], struct uc_err *err);

/* encode(entry) as above, handed to put piece by piece: the hash chain
 * (BLAKE2b) and the Merkle tree's leaves (SHA-256, atree.h) hash the same
 * bytes. */
typedef void (*audit_put_fn)(void *ctx, const unsigned char *p, size_t n);
void audit_encode(int64_t seq, const char *at, const struct audit_entry *e, audit_put_fn put,
		  void *ctx);

/* Compute an entry's hash (hex) from the previous hash (hex) and fields;
 * exposed for tests. */
void audit_hash(const char *prev_hex, int64_t seq, const char *at, const struct audit_entry *e,
		char out[65]);

/* Group-commit writer for multi-threaded servers (opaque). */
struct audit_writer;
/* Start the writer thread with its own connection to db_path. That
 * connection never checkpoints the WAL (wal_autocheckpoint=0, so no batch
 * waits for a checkpoint): the caller must checkpoint from elsewhere, as
 * the HTTP server's checkpointer thread does. */
int audit_writer_start(struct audit_writer **out, const char *db_path, struct uc_err *err);
/* Queue e (copied) and wait until it is committed; 0 or the commit error. */
int audit_writer_submit(struct audit_writer *w, const struct audit_entry *e, struct uc_err *err);
/* Called by the writer thread once an async entry is committed (rc 0) or
 * its batch failed (rc and err); must not block. err is borrowed. */
typedef void (*audit_done_fn)(void *arg, int rc, const struct uc_err *err);
/* Queue e (copied) and return at once; fn(arg, ...) runs on the writer
 * thread after the commit. Entries are chained in submission order. */
void audit_writer_submit_async(struct audit_writer *w, const struct audit_entry *e,
			       audit_done_fn fn, void *arg);
/*
 * Hold mu (borrowed; must outlive w) around each batch's transaction. A
 * server whose other threads also write takes the same mutex around their
 * write transactions: in-process writers then queue on the mutex (woken
 * at once) instead of in SQLite's busy handler, which sleeps 1 to 100 ms
 * between tries (the tail of write latency). Call before submitting.
 */
void audit_writer_share_lock(struct audit_writer *w, pthread_mutex_t *mu);

/*
 * Change detection for caches of data read before an entry is written.
 * audit_writer_gen() grows whenever a batch finds that another connection
 * (another process, or another connection of this one) committed since
 * the previous batch began; the writer's own commits do not count. Read
 * it before reading the data; audit_writer_submit_async_if() then writes
 * e only if, when its batch begins (inside the write lock), no commit by
 * another connection can have happened since that read: else e is not
 * written and fn gets UC_ECONFLICT (the caller reads afresh and submits
 * a new entry). A commit is detected by the first batch that begins after
 * it, so a page built after reading gen and served with that entry was
 * current when the entry was written. Detection can be early (a commit
 * just before the read), never late.
 */
uint64_t audit_writer_gen(struct audit_writer *w);
void audit_writer_submit_async_if(struct audit_writer *w, const struct audit_entry *e, uint64_t gen,
				  audit_done_fn fn, void *arg);
/* Flush what is queued, stop the thread, free; accepts NULL. */
void audit_writer_stop(struct audit_writer *w);

/*
 * A read that named many children (a list, an export) names them in
 * entries of their own: e's action + ".children", detail "part=i/K
 * children=A208123456,P42,..." (list is comma-separated, len bytes; about
 * AUDIT_PIECE bytes of it per entry, cut at commas). fn(arg, piece) gets
 * each entry in order (to append or submit it; strings borrowed for the
 * call); a non-zero return stops. *parts (may be NULL) gets K, which the
 * caller writes into e's own detail ("parts=K").
 *
 *   rc = audit_children(&e, list, len, append_piece, st, &k, &err);
 */
#define AUDIT_PIECE 3000
typedef int (*audit_piece_fn)(void *arg, const struct audit_entry *piece, struct uc_err *err);
int audit_children(const struct audit_entry *e, const char *list, size_t len, audit_piece_fn fn,
		   void *arg, size_t *parts, struct uc_err *err);

#endif
