/*
 * store.c - the SQLite backend of store.h.
 */
#include "store/store.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/progress.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Generated from src/store/migrations/ by scripts/embed-sql.sh. */
extern const char *const store_migrations[];
extern const int store_migration_count;
/* src/store/read_indexes.sql: one CREATE INDEX IF NOT EXISTS a line. */
extern const char store_read_index_sql[];

#define STORE_CACHE 48 /* statements kept by store_prepare_cached() */

/* One entry of the statement cache. */
struct store_cached {
	char *sql;	      /* the text, the key; owned */
	struct store_stmt *q; /* its statement; owned by the store */
	int busy;	      /* handed out, not yet back (store_done) */
};

struct store {
	sqlite3 *db;		  /* connection, owned */
	char *path;		  /* path given to store_open, owned */
	int in_tx;		  /* a transaction begun by store_begin is open */
	int rollback_load;	  /* STORE_LOAD alone: rollback journal until close */
	double deadline;	  /* progress_now() past which statements stop, 0 none */
	const volatile int *stop; /* statements stop while *stop is set, or NULL */
	struct store_cached cache[STORE_CACHE]; /* store_prepare_cached() */
	int ncache;				/* entries in cache */
};

/* SQL statement log for the plan guard (store_sql_log_tag). */
static pthread_mutex_t sql_log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *sql_log;			      /* $UCTRACK_SQL_LOG, opened on first use */
static int sql_log_state;		      /* 0 unknown, 1 open, -1 off */
static _Thread_local const char *sql_log_tag; /* this thread's tag, or NULL */

struct store_stmt {
	sqlite3_stmt *s;  /* prepared statement, owned */
	struct store *st; /* the store it belongs to, borrowed */
	int cached;	  /* 1: an entry of st->cache (store_done keeps it) */
};

int store_schema_version(void)
{
	return store_migration_count;
}

static int db_error(struct store *st, struct uc_err *err, const char *what)
{
	int ext = sqlite3_extended_errcode(st->db);
	int code = UC_EIO;

	if ((ext & 0xff) == SQLITE_INTERRUPT)
		return uc_error(err, UC_ETIMEOUT,
				"%s: stopped: %s; nothing of it was stored. Narrow the "
				"request (a smaller page or date range, a more specific "
				"query) or try again later",
				what,
				st->stop && *st->stop ? "the server is shutting down"
						      : "it ran past its time limit");
	if ((ext & 0xff) == SQLITE_CONSTRAINT)
		code = UC_ECONFLICT;
	else if ((ext & 0xff) == SQLITE_NOMEM)
		code = UC_ENOMEM;
	return uc_error(err, code, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int store_exec(struct store *st, const char *sql, struct uc_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc =
		    uc_error(err, UC_EIO, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return rc;
	}
	return UC_OK;
}

int store_fingerprint(struct store *st, const char *const *sql, size_t n, char *out, size_t outlen,
		      struct uc_err *err)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		int64_t v = 0;
		int rc = store_query_int(st, sql[i], &v, err);

		if (rc)
			return rc;
		h = uc_mix64(h ^ (uint64_t)v) + i;
	}
	snprintf(out, outlen, "%016llx", (unsigned long long)h);
	return UC_OK;
}

int store_query_int(struct store *st, const char *sql, int64_t *out, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*out = 0;
	rc = store_prepare(st, sql, &q, err);
	if (rc)
		return rc;
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*out = store_col_int(q, 0);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

static int migrate(struct store *st, struct uc_err *err)
{
	int64_t have = 0;
	int rc;

	rc = store_query_int(st, "PRAGMA user_version", &have, err);
	if (rc)
		return rc;
	if (have > store_migration_count)
		return uc_error(err, UC_ECONFLICT,
				"%s: database schema version %lld is newer than this "
				"uctrack (version %s, schema %d); upgrade uctrack or "
				"use another --db",
				st->path, (long long)have, UCTRACK_VERSION, store_migration_count);
	if (have == store_migration_count)
		return UC_OK;
	rc = store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	/* Re-read under the write lock: another process may have migrated. */
	rc = store_query_int(st, "PRAGMA user_version", &have, err);
	for (int v = (int)have; !rc && v < store_migration_count; v++) {
		char pragma[64];

		rc = store_exec(st, store_migrations[v], err);
		if (rc)
			break;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
		rc = store_exec(st, pragma, err);
	}
	if (rc) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return store_exec(st, "COMMIT", err);
}

/*
 * Process-wide SQLite settings, applied once before the library
 * initialises: no memory-usage statistics (they take a global mutex on
 * every allocation, ~3.5% of CPU in bulk loads and linkage; uctrack never
 * reads them).
 */
static void sqlite_global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

/*
 * STORE_LOAD: when no other connection has the database open, a bulk load
 * runs with a rollback journal instead of the WAL. Pages appended to the
 * file are then written once (a rollback journal keeps only the original
 * content of pages it changes, and a load mostly appends), where the WAL
 * writes every page twice (to the log, then the checkpoint copies it):
 * about 13% of a 600,000-child import. Atomicity is the same (a crash
 * leaves a hot journal, rolled back by the next open). The price: while a
 * file's transaction writes, other processes cannot read; they wait (busy
 * timeout) instead. Leaving the WAL needs the database to ourselves, so
 * the switch fails, harmlessly, when a server or anyone else has it open:
 * the load then runs in WAL mode as before. store_close() returns to WAL
 * (and every later open sets it anyway).
 */
static void load_journal(struct store *st)
{
	sqlite3_stmt *q = NULL;

	sqlite3_busy_timeout(st->db, 0);
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=DELETE", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(q, 0);

		st->rollback_load = m && strcmp((const char *)m, "delete") == 0;
	}
	sqlite3_finalize(q);
	sqlite3_busy_timeout(st->db, 10000);
}

static int on_profile(unsigned type, void *ctx, void *p, void *x)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static FILE *f;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)ctx;
	pthread_mutex_lock(&mu);
	if (!f)
		f = fopen(getenv("UCTRACK_SQL_PROFILE"), "a");
	if (f) {
		fprintf(f, "%lld\t", (long long)*(sqlite3_int64 *)x);
		for (const char *q = sql ? sql : ""; *q; q++)
			fputc(*q == '\n' || *q == '\t' ? ' ' : *q, f);
		fputc('\n', f);
		fflush(f);
	}
	pthread_mutex_unlock(&mu);
	return 0;
}

int store_open(struct store **out, const char *path, int flags, struct uc_err *err)
{
	struct store *st = uc_xcalloc(1, sizeof(*st));
	int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
					      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc;

	*out = NULL;
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sqlite_global_init);
	st->path = uc_xstrdup(path);
	oflags |= SQLITE_OPEN_NOMUTEX;
	/* A new database is the owner's alone (mode 0600, whatever the
	 * umask); SQLite gives its -wal and -shm the database file's mode. */
	if (!(flags & STORE_READONLY) && path[0] && strcmp(path, ":memory:") != 0 &&
	    strncmp(path, "file:", 5) != 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		rc = uc_error(err, UC_EIO, "cannot open database %s: %s", path,
			      st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 1);
	if (getenv("UCTRACK_SQL_PROFILE"))
		sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, on_profile, NULL);
	if (!(flags & STORE_READONLY)) {
		rc = store_exec(st, "PRAGMA journal_mode=WAL", err);
		if (rc && (sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_BUSY)
			rc = uc_error(
			    err, UC_EIO,
			    "%s: the database is locked by another process (an import that "
			    "had it to itself, say: see docs/import.md, \"Journal\"); "
			    "try again when it has finished",
			    path);
		if (rc)
			goto fail;
	}
	rc = store_exec(st,
			"PRAGMA foreign_keys=ON;"
			"PRAGMA synchronous=NORMAL;"
			"PRAGMA temp_store=MEMORY;",
			err);
	if (rc)
		goto fail;
	if (flags & STORE_BULK) {
		/* Bulk work runs in one transaction per file, so atomicity is
		 * unchanged by: a big WAL before a checkpoint; a 256 MiB page
		 * cache, except for
		 * the importer (STORE_LOAD): it appends rows and, for a big file
		 * into a table that has indexes, rebuilds them; both run faster
		 * with a small cache (fresh pages of a big one are page faults)
		 * and the index sorter's runs in temporary files (600k import
		 * 7.56 -> 6.95 s, with the read indexes present 15.5 -> 12.9 s;
		 * 345 -> 93 MiB). */
		rc = store_exec(st,
				(flags & STORE_LOAD)
				    ? "PRAGMA temp_store=FILE; PRAGMA cache_size=-2000;"
				      "PRAGMA wal_autocheckpoint=100000;"
				    : "PRAGMA cache_size=-262144;"
				      "PRAGMA wal_autocheckpoint=100000;",
				err);
		if (rc)
			goto fail;
	} else {
		rc = store_exec(st, "PRAGMA cache_size=-65536", err);
		if (rc)
			goto fail;
	}
	if (flags & STORE_READONLY) {
		int64_t have = 0;

		rc = store_query_int(st, "PRAGMA user_version", &have, err);
		if (rc)
			goto fail;
		if (have != store_migration_count) {
			rc = uc_error(err, UC_ECONFLICT,
				      "%s: schema version %lld, this uctrack needs %d; "
				      "open it read-write once to migrate",
				      path, (long long)have, store_migration_count);
			goto fail;
		}
	} else {
		rc = migrate(st, err);
		if (!rc && !(flags & STORE_LOAD))
			rc = store_read_indexes(st, NULL, err);
		if (rc)
			goto fail;
		if (flags & STORE_LOAD)
			load_journal(st);
	}
	*out = st;
	return UC_OK;
fail:
	store_close(st);
	return rc;
}

/* Name of the index a "CREATE INDEX IF NOT EXISTS name ON ..." line
 * creates, into out; 0 when line is not such a statement. */
static int read_index_name(const char *line, size_t n, char *out, size_t cap)
{
	static const char pre[] = "CREATE INDEX IF NOT EXISTS ";
	size_t k = sizeof(pre) - 1, e;

	if (n <= k || strncmp(line, pre, k) != 0)
		return 0;
	for (e = k; e < n && line[e] != ' '; e++)
		;
	if (e - k + 1 > cap)
		return 0;
	memcpy(out, line + k, e - k);
	out[e - k] = '\0';
	return 1;
}

/* The read indexes that are missing, as NUL-separated statements in todo
 * (initialised here), and how many. */
static int read_indexes_missing(struct store *st, struct buf *todo, uint64_t *nmiss,
				struct uc_err *err)
{
	struct store_stmt *has = NULL;
	const char *p, *nl;
	char name[128];
	int rc;

	*nmiss = 0;
	buf_init(todo, 4096);
	rc = store_prepare(st, "SELECT 1 FROM sqlite_schema WHERE type='index' AND name=?", &has,
			   err);
	if (rc)
		return rc;
	for (p = store_read_index_sql; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p); /* a last line without '\n' */
		if (!read_index_name(p, (size_t)(nl - p), name, sizeof(name)))
			continue;
		store_bind_text(has, 1, name, -1);
		rc = store_step(has, err);
		store_reset(has);
		if (rc < 0) {
			store_finalize(has);
			return -rc;
		}
		if (rc == STORE_ROW)
			continue;
		buf_add(todo, p, (size_t)(nl - p));
		buf_addc(todo, '\0');
		(*nmiss)++;
	}
	store_finalize(has);
	if (buf_failed(todo))
		return uc_error(err, UC_ENOMEM, "%s: out of memory listing read indexes", st->path);
	return UC_OK;
}

int store_read_indexes_missing(struct store *st, int *n, struct uc_err *err)
{
	struct buf todo;
	uint64_t nmiss = 0;
	int rc = read_indexes_missing(st, &todo, &nmiss, err);

	buf_release(&todo);
	*n = rc ? 0 : (int)nmiss;
	return rc;
}

int store_read_indexes(struct store *st, int *built, struct uc_err *err)
{
	struct progress pg;
	struct buf todo;
	const char *p;
	uint64_t nmiss = 0, done = 0;
	int64_t temp_store = 0, cache_size = 0;
	char pragma[96];
	int rc;

	if (built)
		*built = 0;
	rc = read_indexes_missing(st, &todo, &nmiss, err);
	if (rc)
		goto out;
	if (!nmiss)
		goto out;
	/* The index sorter is fastest with a small page cache and its runs in
	 * temporary files: 40% less time than with the 64-256 MiB cache and
	 * temp_store=MEMORY the rest of uctrack uses (measured on the 600k
	 * ORR and CBP tables: 4.06 s -> 2.38 s). Restored afterwards. */
	rc = store_query_int(st, "PRAGMA temp_store", &temp_store, err);
	if (!rc)
		rc = store_query_int(st, "PRAGMA cache_size", &cache_size, err);
	if (!rc)
		rc = store_exec(st, "PRAGMA temp_store=FILE; PRAGMA cache_size=-2000", err);
	if (rc)
		goto out;
	progress_start(&pg, "building read indexes", nmiss);
	/* one transaction: a reader never sees half of them */
	rc = store_begin(st, err);
	for (p = todo.ptr; !rc && p < todo.ptr + todo.len; p += strlen(p) + 1) {
		rc = store_exec(st, p, err);
		progress_tick(&pg, ++done);
	}
	progress_end(&pg);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	else if (built)
		*built = (int)nmiss;
	/* new indexes need statistics before a planner relies on them */
	if (!rc)
		rc = store_analyze(st, err);
	snprintf(pragma, sizeof(pragma), "PRAGMA temp_store=%lld; PRAGMA cache_size=%lld",
		 (long long)temp_store, (long long)cache_size);
	if (rc)
		(void)store_exec(st, pragma, NULL);
	else
		rc = store_exec(st, pragma, err);
out:
	buf_release(&todo);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_tx)
		store_rollback(st);
	for (int i = 0; i < st->ncache; i++) {
		st->cache[i].q->cached = 0;
		store_finalize(st->cache[i].q);
		free(st->cache[i].sql);
	}
	if (st->rollback_load)
		sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

int store_begin(struct store *st, struct uc_err *err)
{
	int rc;

	if (st->in_tx)
		BUG("store_begin inside a transaction");
	rc = store_exec(st, "BEGIN IMMEDIATE", err);
	if (!rc)
		st->in_tx = 1;
	return rc;
}

int store_commit(struct store *st, struct uc_err *err)
{
	int rc = store_exec(st, "COMMIT", err);

	if (!rc)
		st->in_tx = 0;
	return rc;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

static int savepoint_sql(struct store *st, const char *verb, const char *name, struct uc_err *err)
{
	char sql[128];

	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			BUG("bad savepoint name '%s'", name);
	snprintf(sql, sizeof(sql), "%s %s", verb, name);
	return store_exec(st, sql, err);
}

int store_savepoint(struct store *st, const char *name, struct uc_err *err)
{
	return savepoint_sql(st, "SAVEPOINT", name, err);
}

int store_release(struct store *st, const char *name, struct uc_err *err)
{
	return savepoint_sql(st, "RELEASE", name, err);
}

int store_rollback_to(struct store *st, const char *name, struct uc_err *err)
{
	return savepoint_sql(st, "ROLLBACK TO", name, err);
}

void store_sql_log_tag(const char *tag)
{
	sql_log_tag = tag;
}

/* Append "tag<TAB>sql" (newlines and tabs as spaces) to $UCTRACK_SQL_LOG. */
static void sql_log_write(const char *sql)
{
	pthread_mutex_lock(&sql_log_mu);
	if (sql_log_state == 0) {
		const char *path = getenv("UCTRACK_SQL_LOG");

		sql_log = path && *path ? fopen(path, "a") : NULL;
		sql_log_state = sql_log ? 1 : -1;
	}
	if (sql_log) {
		fputs(sql_log_tag, sql_log);
		fputc('\t', sql_log);
		for (const char *p = sql; *p; p++)
			fputc(*p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p, sql_log);
		fputc('\n', sql_log);
		fflush(sql_log);
	}
	pthread_mutex_unlock(&sql_log_mu);
}

static int on_progress(void *arg)
{
	struct store *st = arg;

	if (st->stop && *st->stop)
		return 1;
	return st->deadline > 0 && progress_now() > st->deadline;
}

void store_set_deadline(struct store *st, double deadline, const volatile int *stop)
{
	st->deadline = deadline;
	st->stop = stop;
	if (deadline > 0 || stop)
		sqlite3_progress_handler(st->db, 2000, on_progress, st);
	else
		sqlite3_progress_handler(st->db, 0, NULL, NULL);
}

int store_analyze(struct store *st, struct uc_err *err)
{
	/* A sample of each index is enough for the planner's choices and
	 * keeps this to a fraction of a second at millions of rows. */
	return store_exec(st,
			  "PRAGMA analysis_limit=1000; ANALYZE; "
			  "PRAGMA analysis_limit=0",
			  err);
}

int store_analyze_if_missing(struct store *st, struct uc_err *err)
{
	int64_t have = 0;
	int rc = store_query_int(st,
				 "SELECT count(*) FROM sqlite_master"
				 " WHERE name = 'sqlite_stat1'",
				 &have, err);

	if (!rc && have)
		rc = store_query_int(st, "SELECT count(*) FROM sqlite_stat1", &have, err);
	if (!rc && !have)
		rc = store_analyze(st, err);
	return rc;
}

int store_prepare(struct store *st, const char *sql, struct store_stmt **out, struct uc_err *err)
{
	sqlite3_stmt *s = NULL;

	*out = NULL;
	if (sql_log_tag && sql_log_state >= 0)
		sql_log_write(sql);
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return db_error(st, err, "prepare");
	*out = uc_xmalloc(sizeof(**out));
	(*out)->s = s;
	(*out)->st = st;
	(*out)->cached = 0;
	return UC_OK;
}

int store_prepare_cached(struct store *st, const char *sql, struct store_stmt **out,
			 struct uc_err *err)
{
	int rc;

	for (int i = 0; i < st->ncache; i++) {
		if (!st->cache[i].busy && strcmp(st->cache[i].sql, sql) == 0) {
			st->cache[i].busy = 1;
			*out = st->cache[i].q;
			return UC_OK;
		}
	}
	rc = store_prepare(st, sql, out, err);
	if (!rc && st->ncache < STORE_CACHE) {
		struct store_cached *c = &st->cache[st->ncache++];

		c->sql = uc_xstrdup(sql);
		c->q = *out;
		c->busy = 1;
		(*out)->cached = 1;
	}
	return rc;
}

void store_done(struct store_stmt *q)
{
	struct store *st;

	if (!q)
		return;
	if (!q->cached) {
		store_finalize(q);
		return;
	}
	st = q->st;
	store_reset(q);
	for (int i = 0; i < st->ncache; i++) {
		if (st->cache[i].q == q) {
			st->cache[i].busy = 0;
			return;
		}
	}
	BUG("store_done: a cached statement not in its store's cache");
}

void store_bind_text(struct store_stmt *q, int i, const char *s, int len)
{
	if (!s)
		sqlite3_bind_null(q->s, i);
	else
		sqlite3_bind_text(q->s, i, s, len, SQLITE_TRANSIENT);
}

void store_bind_text_static(struct store_stmt *q, int i, const char *s, int len)
{
	if (!s)
		sqlite3_bind_null(q->s, i);
	else
		sqlite3_bind_text(q->s, i, s, len, SQLITE_STATIC);
}

void store_bind_int(struct store_stmt *q, int i, int64_t v)
{
	sqlite3_bind_int64(q->s, i, v);
}

void store_bind_double(struct store_stmt *q, int i, double v)
{
	sqlite3_bind_double(q->s, i, v);
}

void store_bind_blob(struct store_stmt *q, int i, const void *p, int len)
{
	sqlite3_bind_blob(q->s, i, p, len, SQLITE_TRANSIENT);
}

void store_bind_null(struct store_stmt *q, int i)
{
	sqlite3_bind_null(q->s, i);
}

int store_step(struct store_stmt *q, struct uc_err *err)
{
	int rc = sqlite3_step(q->s);

	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	return -db_error(q->st, err, "step");
}

void store_reset(struct store_stmt *q)
{
	sqlite3_reset(q->s);
	sqlite3_clear_bindings(q->s);
}

void store_reset_keep(struct store_stmt *q)
{
	sqlite3_reset(q->s);
}

void store_finalize(struct store_stmt *q)
{
	if (!q)
		return;
	if (q->cached)
		BUG("store_finalize of a cached statement: hand it back with store_done()");
	sqlite3_finalize(q->s);
	free(q);
}

int store_col_is_null(struct store_stmt *q, int i)
{
	return sqlite3_column_type(q->s, i) == SQLITE_NULL;
}

int store_col_is_int(struct store_stmt *q, int i)
{
	return sqlite3_column_type(q->s, i) == SQLITE_INTEGER;
}

const char *store_col_text(struct store_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q->s, i);
}

int store_col_bytes(struct store_stmt *q, int i)
{
	return sqlite3_column_bytes(q->s, i);
}

const void *store_col_blob(struct store_stmt *q, int i)
{
	return sqlite3_column_blob(q->s, i);
}

int64_t store_col_int(struct store_stmt *q, int i)
{
	return sqlite3_column_int64(q->s, i);
}

double store_col_double(struct store_stmt *q, int i)
{
	return sqlite3_column_double(q->s, i);
}

int store_col_count(struct store_stmt *q)
{
	return sqlite3_column_count(q->s);
}

const char *store_col_name(struct store_stmt *q, int i)
{
	return sqlite3_column_name(q->s, i);
}

int store_indexes_drop(struct store *st, const char *table, char **saved, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf defs, drops;
	int rc;

	*saved = NULL;
	buf_init(&defs, 1 << 20);
	buf_init(&drops, 1 << 20);
	rc = store_prepare(st,
			   "SELECT name, sql FROM sqlite_schema WHERE type='index' "
			   "AND tbl_name=? AND sql IS NOT NULL "
			   "AND upper(sql) NOT LIKE 'CREATE UNIQUE%'",
			   &q, err);
	if (rc)
		goto out;
	store_bind_text(q, 1, table, -1);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		buf_addf(&defs, "%s;\n", store_col_text(q, 1));
		buf_addf(&drops, "DROP INDEX \"%s\";", store_col_text(q, 0));
	}
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	if (buf_failed(&defs) || buf_failed(&drops)) {
		rc = uc_error(err, UC_ENOMEM, "%s: too many indexes on %s", st->path, table);
		goto out;
	}
	rc = drops.len ? store_exec(st, drops.ptr, err) : UC_OK;
	if (!rc)
		*saved = buf_detach(&defs, NULL);
out:
	store_finalize(q);
	buf_release(&defs);
	buf_release(&drops);
	return rc;
}

int store_indexes_restore(struct store *st, const char *saved, struct uc_err *err)
{
	if (!saved || !*saved)
		return UC_OK;
	return store_exec(st, saved, err);
}

int store_db_version(struct store *st, int64_t *out, struct uc_err *err)
{
	return store_query_int(st, "PRAGMA user_version", out, err);
}

int store_checkpoint_manual(struct store *st, struct uc_err *err)
{
	return store_exec(st, "PRAGMA wal_autocheckpoint=0", err);
}

int store_checkpoint(struct store *st, struct uc_err *err)
{
	return store_exec(st, "PRAGMA wal_checkpoint(PASSIVE)", err);
}

int64_t store_changes(struct store *st)
{
	return sqlite3_changes64(st->db);
}

int64_t store_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}
