/*
 * ingest.c - the import driver: the context, one file's transaction, bulk
 * loads and bookkeeping, the feeds and their files. The parts it drives:
 * rows (ingest_row.c), CSV (ingest_csv.c), EOIR (ingest_eoir.c), events
 * (ingest_events.c), sharing ingest_int.h.
 *
 * One file = one transaction. Rows flow: reader (csvr for CSV, a tab
 * splitter for EOIR, jansson for JSONL) -> per-column checks and
 * normalisation into a reusable scratch buffer -> rhash -> duplicate-key
 * check -> "stored already?" check -> INSERT -> derived rows when the row is
 * new. Nothing is allocated per row except by libraries (utf8proc for
 * non-ASCII text, jansson for events).
 *
 * "Stored already?": the feed tables have no UNIQUE index on rhash (a
 * random-order index made bulk loads several times slower). The import
 * holds the write lock (BEGIN IMMEDIATE), so nobody else can add rows while
 * a file is read: for a file that is big next to its table the table's
 * rhash values are loaded into an in-memory set (struct rset) once, and the
 * rows go in as plain appends in rowid order; for a small file (and for
 * ingest_event() from the API) each row is looked up on the (skey, rid)
 * index: SELECT ... WHERE skey=? AND rhash=?.
 *
 * Writes (feed rows, derived rows) go through a write pipe (wpipe.h). For
 * a big file checked against the set, the pipe is threaded: everything
 * above (reading, checks, messages, hashes, duplicate checks, counters)
 * stays on this thread, so errors come out in the same order with the same
 * text, and a writer thread runs the INSERTs. The rows then get their rids
 * here, not from SQLite (same values: max(rid)+1, ...), since derived rows
 * name them. While the writer may run, nothing here touches the store:
 * every direct store call during a file (index DDL, end_file's
 * bookkeeping, the EOIR update, commit, rollback) comes after wpipe_sync.
 * Otherwise (small files, per-row lookups, ingest_event()) the pipe runs
 * each INSERT at once on this thread, through the same code.
 *
 * An events file on a threaded pipe is also parsed on two threads
 * (evpar.h): what depends on a line alone (jansson, the checks, the
 * canonical form, hashes, the text of its error) is worked out ahead, by
 * this thread and a parse thread; the rest (messages, duplicates,
 * counters, storing) runs here in file order, as above.
 */
#include "ingest/ingest.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/seal.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "ingest/csvr.h"
#include "ingest/evpar.h"
#include "ingest/ingest_spec.h"
#include "ingest/iso.h"
#include "ingest/lookup.h"
#include "ingest/lread.h"
#include "ingest/fnorm.h"
#include "ingest/wpipe.h"
#include "ingest/ingest_int.h"

/* ---- context lifecycle ----------------------------------------------- */

/* The write pipe's file-size threshold (ingest.h): opts, else the
 * environment, else the default on two or more CPUs. -1: never. */
static int pipe_min_resolve(const struct ingest_opts *o, long long *out, struct uc_err *err)
{
	const char *env = getenv("UCTRACK_PIPE_MIN_BYTES");
	long long x;

	if (o->pipe_min_bytes) {
		*out = o->pipe_min_bytes < 0 ? -1 : o->pipe_min_bytes;
		return UC_OK;
	}
	if (env && *env) {
		if (fnorm_int(env, strlen(env), &x) != FNORM_OK)
			return uc_error(err, UC_EUSAGE,
					"UCTRACK_PIPE_MIN_BYTES: '%.40s' is not a whole number "
					"of bytes (0: every file on two threads, -1: none)",
					env);
		*out = x < 0 ? -1 : x;
		return UC_OK;
	}
	*out = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? INGEST_PIPE_MIN_DEFAULT : -1;
	return UC_OK;
}

int ingest_open(struct ingest_ctx **out, struct store *st, const struct ingest_opts *opts,
		struct uc_err *err)
{
	struct ingest_ctx *c = uc_xcalloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		free(c);
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	}
	c->st = st;
	c->o = *opts;
	c->out = opts->out ? opts->out : stdout;
	c->diag = opts->diag ? opts->diag : stderr;
	rc = pipe_min_resolve(opts, &c->pipe_min, err);
	if (!rc)
		rc = wpipe_open(&c->wsync, st, 0, err);
	if (rc) {
		free(c);
		return rc;
	}
	c->wp = c->wsync;
	buf_init(&c->vb, 64u << 20);
	buf_init(&c->hb, 64u << 20);
	buf_init(&c->mb, 4096);
	/* the strings of an event, its id and its body (event_encode) */
	buf_init(&c->jb, 3 * (size_t)EVENT_MAX_BODY + 8192);
	if (opts->rejects) {
		struct buf b;

		buf_init(&b, 8192);
		buf_addf(&b, "%s.tmp.%ld", opts->rejects, (long)getpid());
		c->rej_tmp = buf_detach(&b, NULL);
		c->rej = fopen(c->rej_tmp, "w");
		if (!c->rej) {
			rc = uc_error(err, UC_EIO, "cannot create %s: %s", c->rej_tmp,
				      strerror(errno));
			ingest_free(c);
			return rc;
		}
		fputs("file,line,column,field,problem,raw\n", c->rej);
	}
	*out = c;
	return UC_OK;
}

int ingest_finish(struct ingest_ctx *c, struct uc_err *err)
{
	int bad;

	if (!c->rej)
		return UC_OK;
	bad = fflush(c->rej) != 0 || ferror(c->rej) || fsync(fileno(c->rej)) != 0;
	bad |= fclose(c->rej) != 0;
	c->rej = NULL;
	if (bad || rename(c->rej_tmp, c->o.rejects) != 0) {
		int rc =
		    uc_error(err, UC_EIO, "cannot write %s: %s", c->o.rejects, strerror(errno));

		unlink(c->rej_tmp);
		return rc;
	}
	free(c->rej_tmp);
	c->rej_tmp = NULL;
	return UC_OK;
}

void ingest_free(struct ingest_ctx *c)
{
	if (!c)
		return;
	for (int i = 0; i < 16; i++) {
		store_finalize(c->ins[i]);
		store_finalize(c->has[i]);
	}
	store_finalize(c->q_event);
	store_finalize(c->q_ehas);
	store_finalize(c->q_addr);
	store_finalize(c->q_claim);
	store_finalize(c->q_repr);
	store_finalize(c->q_file);
	store_finalize(c->q_unk);
	wpipe_close(c->wsync);
	if (c->rej) {
		fclose(c->rej);
		unlink(c->rej_tmp);
	}
	free(c->rej_tmp);
	lookup_free(c->lk_owned);
	buf_release(&c->vb);
	buf_release(&c->hb);
	buf_release(&c->mb);
	buf_release(&c->jb);
	free(c);
}

int ingest_prep(struct ingest_ctx *c, struct store_stmt **q, const char *sql, struct uc_err *err)
{
	if (*q)
		return UC_OK;
	return store_prepare(c->st, sql, q, err);
}

int ingest_load_lookup(struct ingest_ctx *c, struct uc_err *err)
{
	int rc;

	if (c->lk)
		return UC_OK;
	if (c->o.lk) {
		c->lk = c->o.lk;
	} else {
		if (!c->o.eoir_lookup)
			return uc_error(err, UC_EUSAGE,
					"no EOIR lookup tables: pass --eoir-lookup PATH, set "
					"$UCTRACK_EOIR_LOOKUP or [eoir] lookup in the config");
		rc = lookup_load(&c->lk_owned, c->o.eoir_lookup, err);
		if (rc)
			return rc;
		c->lk = c->lk_owned;
	}
	for (int i = 1; i < 10; i++)
		c->juv[i] = lookup_nth(c->lk, "tblLookup_Juvenile", i);
	return UC_OK;
}

/* ---- files ----------------------------------------------------------- */

/* Load the rhash values of tbl into fr->seen (inside the file's
 * transaction, so no other writer can add any until the commit). */
static int load_seen(struct frun *fr, const char *tbl, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf b;
	int rc;

	buf_init(&b, 256);
	buf_addf(&b, "SELECT rhash FROM %s", tbl);
	rc = store_prepare(fr->c->st, b.ptr, &q, err);
	buf_release(&b);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW)
		ingest_rset_add(&fr->seen, (uint64_t)store_col_int(q, 0));
	store_finalize(q);
	if (rc < 0)
		return -rc;
	fr->use_set = 1;
	return UC_OK;
}

/*
 * Decide how this file's rows are checked and loaded. The row estimate
 * errs low (256 bytes a row); have = rows already in the table.
 *  - "Stored already?" by an in-memory set of the table's rhash values
 *    when loading it (a scan of have rows) costs less than est lookups on
 *    the skey index: est * 16 >= have. Otherwise per-row lookups.
 *  - A big file into a table that is small next to it (est >= 5000 and
 *    est * 2 >= have) loads faster without the secondary indexes of the
 *    table and of its derived tables: drop them now, rebuild them before
 *    the commit (same transaction, so a crash changes nothing). The set
 *    is then always used (the skey index is gone). They are dropped at
 *    the first new row (ingest_bulk_drop), so re-importing known rows rebuilds
 *    nothing.
 */
int ingest_bulk_prepare(struct frun *fr, const char *tbl, struct uc_err *err)
{
	/* Derived tables that get about one row per source row. Events derive
	 * rows for a minority of types only: updating the indexes of address,
	 * claim and representation costs less than rebuilding them. */
	static const char *const derived[][4] = {
	    {"orr_placement", "address", NULL, NULL},
	    {"ice_nta", "address", NULL, NULL},
	    {"eoir_case", "address", "representation", NULL},
	};
	const char *tables[4] = {tbl, NULL, NULL, NULL};
	int64_t est = (int64_t)(fr->file_size / 256), have = 0;
	struct buf q;
	int rc;

	/* est errs low: rows are usually 100-200 bytes */
	ingest_dup_reserve(&fr->dup, (size_t)est * 2);
	buf_init(&q, 256);
	buf_addf(&q, "SELECT max(rowid) FROM %s", tbl);
	rc = store_query_int(fr->c->st, q.ptr, &have, err);
	buf_release(&q);
	if (rc)
		return rc;
	fr->last_rid = have;
	if (est * 16 >= have || (est >= 5000 && est * 2 >= have)) {
		rc = load_seen(fr, tbl, err);
		if (rc)
			return rc;
	} else if (have >= 4096) {
		/* Per-row lookups need the (skey, rid) index. It is one of the
		 * read indexes (store_read_indexes), absent after a bulk load
		 * until a reader opens the database: build it now, once (a
		 * smaller table is scanned, at most 4,095 rows a lookup). */
		buf_init(&q, 256);
		buf_addf(&q, "CREATE INDEX IF NOT EXISTS %s_skey ON %s(skey, rid)", tbl, tbl);
		rc = store_exec(fr->c->st, q.ptr, err);
		buf_release(&q);
		if (rc)
			return rc;
	}
	if (est < 5000)
		return UC_OK;
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (strcmp(derived[i][0], tbl) == 0)
			for (int k = 1; k < 4; k++)
				tables[k] = derived[i][k];
	for (int k = 0; k < 4 && tables[k]; k++) {
		buf_init(&q, 256);
		buf_addf(&q, "SELECT max(rowid) FROM %s", tables[k]);
		rc = store_query_int(fr->c->st, q.ptr, &have, err);
		buf_release(&q);
		if (rc)
			return rc;
		if (est * 2 < have)
			continue;
		fr->drop[fr->ndrop++] = tables[k];
	}
	return UC_OK;
}

/* Drop the indexes ingest_bulk_prepare chose, once, before the first new row. */
int ingest_bulk_drop(struct frun *fr, struct uc_err *err)
{
	/* DDL on the connection: the writer must be idle (it is: nothing was
	 * written before the first new row, but say so). */
	int rc = wpipe_sync(fr->c->wp, err);

	for (int k = 0; k < fr->ndrop && !rc; k++) {
		rc = store_indexes_drop(fr->c->st, fr->drop[k], &fr->saved_idx[fr->nsaved], err);
		if (!rc)
			fr->nsaved++;
	}
	fr->ndrop = 0;
	return rc;
}

int ingest_bulk_finish(struct frun *fr, struct uc_err *err)
{
	int rc = UC_OK;

	for (int i = 0; i < fr->nsaved && !rc; i++)
		rc = store_indexes_restore(fr->c->st, fr->saved_idx[i], err);
	return rc;
}

/*
 * Write this file's rows through a threaded pipe (wpipe.h) when it is big
 * enough (c->pipe_min) and checked against the in-memory set: per-row
 * lookups read the table, which the producer may not touch while the
 * writer runs. The rows get their rids here (fr->last_rid + 1, ...), the
 * values SQLite would give them: the file holds the write lock, so nobody
 * else inserts, and rids are max+1 (no AUTOINCREMENT). Without a thread
 * (it cannot be started) the file is simply written on this one.
 */
static void pipe_start(struct frun *fr)
{
	struct ingest_ctx *c = fr->c;
	struct uc_err e = UC_ERR_INIT;

	if (!fr->use_set || c->pipe_min < 0 || fr->file_size < (uint64_t)c->pipe_min)
		return;
	if (fr->last_rid < 0 || fr->last_rid > INT64_MAX / 2)
		return; /* SQLite would pick rids at random near the top */
	if (wpipe_open(&fr->wp, c->st, 1, &e))
		return;
	c->wp = fr->wp;
}

/* Wait for the file's pipe (unless rc already says it failed), stop it
 * and write through the context's non-threaded pipe again. Returns rc or
 * the writer's error. */
static int pipe_finish(struct frun *fr, int rc, struct uc_err *err)
{
	if (!fr->wp)
		return rc;
	if (!rc)
		rc = wpipe_sync(fr->wp, err);
	wpipe_close(fr->wp);
	fr->wp = NULL;
	fr->c->wp = fr->c->wsync;
	return rc;
}

int ingest_begin_file(struct frun *fr, const char *tbl, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	char now[21];
	int rc;

	date_now_iso(now);
	rc = ingest_prep(c, &c->q_file,
			 "INSERT INTO import_file(feed,tbl,name,sha256,imported_at) "
			 "VALUES(?,?,?,'',?) RETURNING id",
			 err);
	if (rc)
		return rc;
	store_bind_text(c->q_file, 1, fr->feed, -1);
	store_bind_text(c->q_file, 2, tbl, -1);
	store_bind_text(c->q_file, 3, fr->path, -1);
	store_bind_text(c->q_file, 4, now, -1);
	rc = store_step(c->q_file, err);
	fr->file_id = rc == STORE_ROW ? store_col_int(c->q_file, 0) : 0;
	store_reset(c->q_file);
	if (rc < 0)
		return -rc;
	rc = ingest_bulk_prepare(fr, tbl, err);
	if (!rc)
		rc = ingest_prepare_writes(c, err);
	if (!rc)
		pipe_start(fr);
	return rc;
}

/* Counts, hash, unknown codes; drop the import_file row when the same
 * bytes were imported before and nothing changed. */
int ingest_end_file(struct frun *fr, const char *sha, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct store_stmt *q = NULL;
	int64_t prev = 0;
	int rc;

	/* Everything below reads or writes the connection: the writer must be
	 * done, and its error, if any, wins. */
	rc = wpipe_sync(c->wp, err);
	if (rc)
		return rc;
	if (!fr->file_id)
		return UC_OK;
	rc = store_prepare(c->st,
			   "SELECT id FROM import_file WHERE sha256=? AND tbl=? AND id<>? "
			   "LIMIT 1",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, sha, -1);
	store_bind_text(q, 2, fr->ts ? fr->ts->tbl : "field_event", -1);
	store_bind_int(q, 3, fr->file_id);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		prev = store_col_int(q, 0);
	store_finalize(q);
	q = NULL;
	if (rc < 0)
		return -rc;
	if (prev && fr->rows_new == 0 && fr->rows_rejected == 0) {
		rc = store_prepare(c->st, "DELETE FROM import_file WHERE id=?", &q, err);
		if (rc)
			return rc;
		store_bind_int(q, 1, fr->file_id);
		rc = store_step(q, err);
		store_finalize(q);
		return rc < 0 ? -rc : UC_OK;
	}
	rc = store_prepare(c->st,
			   "UPDATE import_file SET sha256=?,rows_read=?,rows_new=?,"
			   "rows_same=?,rows_rejected=?,unknown_codes=? WHERE id=?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, sha, -1);
	store_bind_int(q, 2, fr->rows_read);
	store_bind_int(q, 3, fr->rows_new);
	store_bind_int(q, 4, fr->rows_same);
	store_bind_int(q, 5, fr->rows_rejected);
	store_bind_int(q, 6, fr->unknown);
	store_bind_int(q, 7, fr->file_id);
	rc = store_step(q, err);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (fr->unk && fr->unk->used) {
		rc = ingest_prep(c, &c->q_unk,
				 "INSERT INTO unknown_code(file_id,field,code,n,first_line) "
				 "VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET n=n+excluded.n",
				 err);
		if (rc)
			return rc;
		for (int i = 0; i < 1024; i++) {
			struct unk_ent *e = &fr->unk->e[i];

			if (e->field < 0 || e->n == 0)
				continue;
			store_bind_int(c->q_unk, 1, fr->file_id);
			store_bind_text(c->q_unk, 2, fr->ts->cols[e->field].name, -1);
			store_bind_text(c->q_unk, 3, e->code, -1);
			store_bind_int(c->q_unk, 4, e->n);
			store_bind_int(c->q_unk, 5, e->first_line);
			rc = store_step(c->q_unk, err);
			store_reset(c->q_unk);
			if (rc < 0)
				return -rc;
		}
	}
	return UC_OK;
}

/* ---- driver ----------------------------------------------------------- */

static const char *const FEEDS[] = {"eoir", "cbp", "orr", "ice", "events", NULL};

struct job {
	char *path;		     /* owned */
	const struct table_spec *ts; /* EOIR: its table; else NULL */
	int rank;		     /* sort order */
};

static int job_cmp(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->path, y->path);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Add path (file or folder) to jobs. */
static int collect(const char *feed, const char *path, struct job **jobs, int *njobs, int *alloc,
		   struct uc_err *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return uc_error(err, UC_EIO, "cannot read %s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		struct dirent **ents = NULL;
		int n = scandir(path, &ents, NULL, alphasort), rc = UC_OK;
		int before = *njobs;

		if (n < 0)
			return uc_error(err, UC_EIO, "cannot list %s: %s", path, strerror(errno));
		/* DIR/feed/ (the generator's layout): descend. */
		for (int i = 0; i < n; i++) {
			if (strcmp(ents[i]->d_name, feed) == 0) {
				struct buf b;

				buf_init(&b, 8192);
				buf_addf(&b, "%s/%s", path, feed);
				if (stat(b.ptr, &sb) == 0 && S_ISDIR(sb.st_mode)) {
					rc = collect(feed, b.ptr, jobs, njobs, alloc, err);
					buf_release(&b);
					goto done;
				}
				buf_release(&b);
			}
		}
		for (int i = 0; i < n && !rc; i++) {
			const char *name = ents[i]->d_name;
			int take;
			struct buf b;

			if (name[0] == '.')
				continue;
			if (strcmp(feed, "events") == 0)
				take = ends_with(name, ".jsonl");
			else if (strcmp(feed, "eoir") == 0)
				take = ingest_eoir_by_name(name) != NULL;
			else
				take = ends_with(name, ".csv");
			if (!take)
				continue;
			buf_init(&b, 8192);
			buf_addf(&b, "%s/%s", path, name);
			rc = collect(feed, b.ptr, jobs, njobs, alloc, err);
			buf_release(&b);
		}
		if (!rc && *njobs == before)
			rc = uc_error(err, UC_EINPUT,
				      "%s: no %s files in this folder (see docs/formats.md)", path,
				      feed);
	done:
		for (int i = 0; i < n; i++)
			free(ents[i]);
		free(ents);
		return rc;
	}
	if (*njobs == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		*jobs = uc_xrealloc(*jobs, (size_t)*alloc * sizeof(**jobs));
	}
	(*jobs)[*njobs].path = uc_xstrdup(path);
	(*jobs)[*njobs].ts = NULL;
	(*jobs)[*njobs].rank = 0;
	if (strcmp(feed, "eoir") == 0) {
		const struct table_spec *ts = ingest_eoir_by_name(path);

		if (!ts)
			ts = ingest_eoir_by_header(path);
		if (!ts) {
			free((*jobs)[*njobs].path);
			return uc_error(err, UC_EINPUT,
					"%s: not an EOIR table: expected A_TblCase*, "
					"B_TblProceeding*, tbl_schedule* or tbl_JuvenileHistory* "
					"(by file name or first header column)",
					path);
		}
		(*jobs)[*njobs].ts = ts;
		(*jobs)[*njobs].rank = ts->rank;
	} else if (strcmp(feed, "events") != 0) {
		const char *b = strrchr(path, '/');

		b = b ? b + 1 : path;
		for (int i = 0; i < ingest_ntables; i++)
			if (strcmp(ingest_tables[i].feed, feed) == 0 &&
			    strcmp(ingest_tables[i].file, b) == 0)
				(*jobs)[*njobs].rank = ingest_tables[i].rank;
	}
	(*njobs)++;
	return UC_OK;
}

static int import_one(struct ingest_ctx *c, const char *feed, struct job *j, struct ingest_stats *s,
		      struct uc_err *err)
{
	struct frun fr;
	int rc;

	memset(&fr, 0, sizeof(fr));
	fr.c = c;
	fr.feed = feed;
	fr.path = j->path;
	fr.ts = j->ts;
	fr.tidx = -1;
	rc = store_begin(c->st, err);
	if (rc)
		return rc;
	if (strcmp(feed, "eoir") == 0)
		rc = ingest_import_eoir(&fr, err);
	else if (strcmp(feed, "events") == 0)
		rc = ingest_import_events(&fr, err);
	else
		rc = ingest_import_csv(&fr, err);
	/* Before any store call below (rollback, commit): the writer is done. */
	rc = pipe_finish(&fr, rc, err);
	ingest_dup_release(&fr.dup);
	ingest_rset_release(&fr.seen);
	s->files++;
	s->rows_read += fr.rows_read;
	s->rows_rejected += fr.rows_rejected;
	s->unknown_codes += fr.unknown;
	s->rows_repaired += fr.repaired;
	s->warnings += fr.nwarn;
	if (fr.nwarn > INGEST_MAX_SHOWN)
		fprintf(c->diag, "%s: … and %ld more warnings\n", fr.path,
			fr.nwarn - INGEST_MAX_SHOWN);
	if (fr.nerr > INGEST_MAX_SHOWN)
		fprintf(c->diag, "%s: … and %ld more errors\n", fr.path,
			fr.nerr - INGEST_MAX_SHOWN);
	if (rc || (fr.nerr && (!c->rej || !fr.file_id))) {
		for (int i = 0; i < fr.nsaved; i++)
			free(fr.saved_idx[i]);
	}
	if (rc) {
		store_rollback(c->st);
		s->files_failed++;
		return rc;
	}
	if (fr.nerr && (!c->rej || !fr.file_id)) {
		store_rollback(c->st);
		s->files_failed++;
		fprintf(c->diag,
			"%s: %ld error%s: nothing imported from this file "
			"(fix it, or use --skip-bad REJECTS to import the good rows)\n",
			fr.path, fr.nerr, fr.nerr == 1 ? "" : "s");
		return UC_EINPUT;
	}
	rc = ingest_bulk_finish(&fr, err);
	if (!rc)
		rc = store_commit(c->st, err);
	for (int i = 0; i < fr.nsaved; i++)
		free(fr.saved_idx[i]);
	if (rc) {
		store_rollback(c->st);
		s->files_failed++;
		return rc;
	}
	s->rows_new += fr.rows_new;
	s->rows_same += fr.rows_same;
	if (fr.nerr)
		fprintf(c->diag, "%s: %ld row%s rejected (written to %s)\n", fr.path,
			fr.rows_rejected, fr.rows_rejected == 1 ? "" : "s", c->o.rejects);
	return UC_OK;
}

int ingest_feed(struct ingest_ctx *c, const char *feed, char **paths, int npaths,
		struct ingest_stats *stats, struct uc_err *err)
{
	struct ingest_stats s;
	struct job *jobs = NULL;
	int njobs = 0, alloc = 0, rc = UC_OK, worst = UC_OK;
	double t0 = progress_now();
	struct buf ok, failed;

	memset(&s, 0, sizeof(s));
	buf_init(&ok, 1 << 20);
	buf_init(&failed, 1 << 20);
	if (fnorm_enum(feed, strlen(feed), FEEDS) < 0) {
		rc = uc_error(err, UC_EUSAGE,
			      "unknown feed '%s'; allowed: eoir, cbp, orr, ice, events", feed);
		goto out;
	}
	for (int i = 0; i < npaths && !rc; i++)
		rc = collect(feed, paths[i], &jobs, &njobs, &alloc, err);
	if (rc)
		goto out;
	qsort(jobs, (size_t)njobs, sizeof(*jobs), job_cmp);
	for (int i = 0; i < njobs; i++) {
		struct uc_err e = UC_ERR_INIT;

		rc = import_one(c, feed, &jobs[i], &s, &e);
		if (rc == UC_OK) {
			buf_addf(&ok, "%s%s", ok.len ? ", " : "", jobs[i].path);
			continue;
		}
		buf_addf(&failed, "%s%s", failed.len ? ", " : "", jobs[i].path);
		if (rc != UC_EINPUT) {
			/* I/O or database failure: stop here. */
			*err = e;
			worst = rc;
			break;
		}
		if (worst == UC_OK)
			worst = UC_EINPUT;
	}
	rc = worst;
	if (rc == UC_EINPUT)
		uc_error(err, UC_EINPUT, "%s: %ld of %ld file%s not imported: %s%s%s", feed,
			 s.files_failed, s.files, s.files == 1 ? "" : "s",
			 failed.ptr ? failed.ptr : "", ok.len ? "; imported: " : "",
			 ok.ptr ? ok.ptr : "");
out:
	s.seconds = progress_now() - t0;
	if (!c->o.quiet && s.files > 0)
		fprintf(c->out,
			"%s: %ld file%s, %ld rows read, %ld new, %ld unchanged, %ld rejected, "
			"%ld unknown codes, %ld repaired, %ld warnings, %.2f s, %.0f rows/s\n",
			feed, s.files, s.files == 1 ? "" : "s", s.rows_read, s.rows_new,
			s.rows_same, s.rows_rejected, s.unknown_codes, s.rows_repaired, s.warnings,
			s.seconds, s.seconds > 0 ? (double)s.rows_read / s.seconds : 0.0);
	if (stats)
		*stats = s;
	for (int i = 0; i < njobs; i++)
		free(jobs[i].path);
	free(jobs);
	buf_release(&ok);
	buf_release(&failed);
	return rc;
}
