#ifndef UC_STORE_H
#define UC_STORE_H
/*
 * store.h - the database behind one interface.
 *
 * Callers never include sqlite3.h or libpq-fe.h: they open a store, run
 * statements written in the portable subset of SQL uctrack uses (`?`
 * placeholders, ISO-8601 date text, INTEGER/TEXT/REAL/BLOB columns), and
 * read results through the functions below. The SQLite backend is the one
 * implemented today (store.c); a PostgreSQL backend implements the same
 * functions (rewriting `?` to `$n`) without touching callers.
 *
 * Usage:
 *
 *   struct store *st = NULL;
 *   struct uc_err err = UC_ERR_INIT;
 *   if (store_open(&st, "uctrack.db", 0, &err)) goto fail;
 *   store_begin(st, &err);
 *   struct store_stmt *q = NULL;
 *   store_prepare(st, "INSERT INTO t(a,b) VALUES(?,?)", &q, &err);
 *   store_bind_text(q, 1, "x", 1);
 *   store_bind_int(q, 2, 42);
 *   if (store_step(q, &err) < 0) ...      // STORE_ROW / STORE_DONE / <0
 *   store_reset(q);
 *   store_finalize(q);
 *   store_commit(st, &err);
 *   store_close(st);
 *
 * Opening applies the schema migrations in order inside one transaction;
 * a database written by a newer uctrack (higher schema version) is refused
 * with UC_ECONFLICT. SQLite runs in WAL mode with foreign keys on.
 *
 * Threads: one struct store per thread.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct store;
struct store_stmt;

/* Open flags. */
#define STORE_READONLY 0x1 /* open an existing database read-only */
#define STORE_BULK 0x2	   /* bulk load: bigger cache, fewer syncs (still atomic) */
#define STORE_LOAD 0x4	   /* the importer: do not build the read indexes */

enum { STORE_DONE = 0, STORE_ROW = 1 };

/* Current schema version this binary writes. */
int store_schema_version(void);

/* Open (creating when absent, unless READONLY) and migrate. *out is set on
 * success; the caller owns it and closes it with store_close(). A
 * read-write open without STORE_LOAD also builds the read indexes that are
 * missing (store_read_indexes). */
int store_open(struct store **out, const char *path, int flags, struct uc_err *err);
/* Close; accepts NULL. Finalizes the cached statements
 * (store_prepare_cached), no other: callers finalize theirs. */
void store_close(struct store *st);
/* Path given at open; owned by the store. */
const char *store_path(const struct store *st);

/*
 * Read indexes (src/store/read_indexes.sql): the secondary indexes of the
 * feed tables and of the tables derived from them. They are not part of
 * the schema migrations: a bulk load into an empty database (the importer
 * opens with STORE_LOAD) appends rows without maintaining them, and this
 * builds those missing, once, with progress on a terminal. Already
 * present indexes are kept up to date by every later write as usual.
 * *built (may be NULL) is set to the number built.
 */
int store_read_indexes(struct store *st, int *built, struct uc_err *err);
/* How many read indexes are missing (*n). */
int store_read_indexes_missing(struct store *st, int *n, struct uc_err *err);

/* Transactions. begin() starts an immediate (write-locking) transaction. */
int store_begin(struct store *st, struct uc_err *err);
int store_commit(struct store *st, struct uc_err *err);
/* Roll back if a transaction is open; never fails (errors are logged). */
void store_rollback(struct store *st);
/* Savepoints nest inside a transaction: name is a plain identifier. */
int store_savepoint(struct store *st, const char *name, struct uc_err *err);
int store_release(struct store *st, const char *name, struct uc_err *err);
int store_rollback_to(struct store *st, const char *name, struct uc_err *err);

/* Run one or more statements without results (DDL, maintenance). */
int store_exec(struct store *st, const char *sql, struct uc_err *err);

/* Prepare sql; *out is owned by the caller (store_finalize). */
int store_prepare(struct store *st, const char *sql, struct store_stmt **out, struct uc_err *err);
/* Bind parameter i (1-based). Text is copied; len < 0 means strlen. A NULL
 * text pointer binds SQL NULL. */
void store_bind_text(struct store_stmt *q, int i, const char *s, int len);
/* Like store_bind_text() but not copied: s must stay valid and unchanged
 * until the next store_step() or store_reset() (bulk loads). */
void store_bind_text_static(struct store_stmt *q, int i, const char *s, int len);
void store_bind_int(struct store_stmt *q, int i, int64_t v);
void store_bind_double(struct store_stmt *q, int i, double v);
void store_bind_blob(struct store_stmt *q, int i, const void *p, int len);
void store_bind_null(struct store_stmt *q, int i);
/* Step: STORE_ROW (a row is ready), STORE_DONE, or a negative uc_rc with
 * err filled (e.g. a constraint violation is UC_ECONFLICT). */
int store_step(struct store_stmt *q, struct uc_err *err);
/* Reset for re-execution and clear bindings. */
void store_reset(struct store_stmt *q);
/* Reset for re-execution keeping the bindings: for hot loops that bind
 * every parameter again before each step (clearing them is wasted work).
 * Static text stays bound but is not read until the next step. */
void store_reset_keep(struct store_stmt *q);
/* Finalize a statement of store_prepare(); accepts NULL. */
void store_finalize(struct store_stmt *q);

/*
 * The statement cache, for hot reads repeated on one connection (a server
 * thread's store): store_prepare_cached() hands out the cached statement
 * of the same text when it is free, else prepares one and keeps it (up to
 * 48 per store; past that it is an ordinary statement). Hand it back with
 * store_done(), which resets a cached one (bindings cleared) for the next
 * use and finalizes any other; never store_finalize() a cached one. The
 * store owns cached statements and finalizes them in store_close().
 *
 *   if (store_prepare_cached(st, sql, &q, &err)) ...
 *   store_bind_int(q, 1, id); while (store_step(q, &err) == STORE_ROW) ...
 *   store_done(q);
 */
int store_prepare_cached(struct store *st, const char *sql, struct store_stmt **out,
			 struct uc_err *err);
/* Return a statement of store_prepare_cached() (or store_prepare());
 * accepts NULL. */
void store_done(struct store_stmt *q);

/* Columns of the current row (0-based). Text pointers are valid until the
 * next step/reset/finalize; NULL for SQL NULL. */
int store_col_is_null(struct store_stmt *q, int i);
/* 1 when the value is stored as an integer (not text, real or blob). */
int store_col_is_int(struct store_stmt *q, int i);
const char *store_col_text(struct store_stmt *q, int i);
int store_col_bytes(struct store_stmt *q, int i);
const void *store_col_blob(struct store_stmt *q, int i);
int64_t store_col_int(struct store_stmt *q, int i);
double store_col_double(struct store_stmt *q, int i);
int store_col_count(struct store_stmt *q);
const char *store_col_name(struct store_stmt *q, int i);

/* The schema version the database is at (*out): store_schema_version()
 * once opened read-write, since opening migrates. */
int store_db_version(struct store *st, int64_t *out, struct uc_err *err);

/* WAL checkpoints: store_checkpoint_manual() stops this connection from
 * checkpointing at commit (a server's request threads, so no request
 * waits for one); store_checkpoint() runs a passive checkpoint (copies
 * what no reader needs back into the database; never blocks). */
int store_checkpoint_manual(struct store *st, struct uc_err *err);
int store_checkpoint(struct store *st, struct uc_err *err);

/* Rows changed by the last INSERT/UPDATE/DELETE; last inserted row id. */
int64_t store_changes(struct store *st);
int64_t store_last_id(struct store *st);

/*
 * Bulk loading. store_indexes_drop() drops the secondary indexes of table
 * (those created with CREATE INDEX; not the ones enforcing PRIMARY KEY or
 * UNIQUE constraints) and returns their definitions in *saved (owned by the
 * caller, "" when none); store_indexes_restore() recreates them. Both run
 * inside the caller's transaction, so an interrupted load leaves the
 * indexes as they were. Rebuilding an index once after a big load is much
 * faster than updating it row by row.
 */
int store_indexes_drop(struct store *st, const char *table, char **saved, struct uc_err *err);
int store_indexes_restore(struct store *st, const char *saved, struct uc_err *err);

/*
 * Bounded statements. After store_set_deadline(st, when, stop), a statement
 * of st that is still running when progress_now() passes when (> 0), or
 * while *stop is non-zero, is interrupted: its step fails with
 * UC_ETIMEOUT and the open transaction's work is lost (callers roll
 * back). when = 0 and stop = NULL remove the bound. stop is borrowed and
 * read from other threads' writes (a flag set at shutdown).
 */
void store_set_deadline(struct store *st, double when, const volatile int *stop);

/* Gather planner statistics (sqlite_stat1) from a sample of every index:
 * after bulk loads, index builds and link runs. */
int store_analyze(struct store *st, struct uc_err *err);
/* store_analyze() when the database has no statistics at all. */
int store_analyze_if_missing(struct store *st, struct uc_err *err);

/*
 * The plan guard (tests/cli/test_plans.sh). When $UCTRACK_SQL_LOG names a
 * file, every statement prepared by a thread whose tag is set is appended
 * to it as "TAG<TAB>SQL" (one line). Tags are set per thread: the server
 * sets the route of each request, per-child CLI commands their name. The
 * tag string is borrowed until the next call; NULL stops logging.
 */
void store_sql_log_tag(const char *tag);

/* A fingerprint of the database's state: the integer results of the n
 * statements sql[] (each one value, e.g. "SELECT max(rid) FROM t") mixed
 * into 16 hex digits in out (at least 17 bytes). Watermarks of triage
 * (proj_watermark) and of report snapshots (report_watermark). */
int store_fingerprint(struct store *st, const char *const *sql, size_t n, char *out, size_t outlen,
		      struct uc_err *err);

/* Convenience: run sql (with no parameters) and return the first column of
 * the first row as an integer in *out (0 when no row). */
int store_query_int(struct store *st, const char *sql, int64_t *out, struct uc_err *err);

#endif
