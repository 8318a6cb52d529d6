/*
 * test_wpipe.c - unit tests of src/ingest/wpipe: operations run in order
 * on the writer thread, text copied, NULL and '' kept apart, operations
 * bigger than a batch, a failing statement (the error at a hand-off and
 * at sync, later operations not run, the pipe usable again), the same
 * code non-threaded, the size cap, closing with operations queued.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/wpipe.h"
#include "store/store.h"

struct fx {
	char path[64];		/* database file */
	struct store *st;	/* open on path */
	struct store_stmt *ins; /* INSERT INTO t(a,b,c) VALUES(?,?,?) */
	struct store_stmt *aux; /* INSERT INTO u(t_a,n) VALUES(?,?) */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct uc_err err = UC_ERR_INIT;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/uctrack-wpipe-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(&f->st, f->path, STORE_BULK, &err), 0);
	assert_int_equal(store_exec(f->st,
				    "CREATE TABLE t(a INTEGER NOT NULL, b TEXT, c TEXT);"
				    "CREATE TABLE u(t_a INTEGER NOT NULL, n INTEGER);",
				    &err),
			 0);
	assert_int_equal(store_prepare(f->st, "INSERT INTO t(a,b,c) VALUES(?,?,?)", &f->ins, &err),
			 0);
	assert_int_equal(store_prepare(f->st, "INSERT INTO u(t_a,n) VALUES(?,?)", &f->aux, &err),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[96];

	store_finalize(f->ins);
	store_finalize(f->aux);
	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

static int64_t q_int(struct fx *f, const char *sql)
{
	struct uc_err err = UC_ERR_INIT;
	int64_t v = -1;

	assert_int_equal(store_query_int(f->st, sql, &v, &err), 0);
	return v;
}

/* Row i of the ordered test: t(i, "row <i> ...", NULL or '' or text) and,
 * every third row, u(i, i * 7). The text is built in one reused buffer, so
 * the pipe must copy it. */
static int put_row(struct wpipe *p, struct fx *f, int i, char *scratch, struct uc_err *err)
{
	int n = snprintf(scratch, 200, "row %d %0*d", i, 60, i);
	int rc;

	wpipe_stmt(p, f->ins);
	wpipe_int(p, 1, i);
	wpipe_text(p, 2, scratch, n);
	if (i % 3 == 0)
		wpipe_null(p, 3);
	else if (i % 3 == 1)
		wpipe_text(p, 3, "", 0);
	else
		wpipe_text(p, 3, "x", -1);
	rc = wpipe_end(p, err);
	memset(scratch, 'Z', 200); /* the pipe has its own copy */
	if (rc || i % 3)
		return rc;
	wpipe_stmt(p, f->aux);
	wpipe_int(p, 1, i);
	wpipe_int(p, 2, (int64_t)i * 7);
	return wpipe_end(p, err);
}

static void check_rows(struct fx *f, int n)
{
	char sql[256];

	assert_int_equal(q_int(f, "SELECT count(*) FROM t"), n);
	/* in order: rowid i+1 holds a = i */
	assert_int_equal(q_int(f, "SELECT count(*) FROM t WHERE rowid <> a + 1"), 0);
	assert_int_equal(
	    q_int(f, "SELECT count(*) FROM t WHERE b <> 'row ' || a || ' ' || "
		     "substr('000000000000000000000000000000000000000000000000000000000000'"
		     " || a, -60)"),
	    0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t WHERE a % 3 = 0 AND c IS NOT NULL"), 0);
	assert_int_equal(
	    q_int(f, "SELECT count(*) FROM t WHERE a % 3 = 1 AND (c IS NULL OR c <> '')"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t WHERE a % 3 = 2 AND c IS NOT 'x'"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t WHERE typeof(a) <> 'integer'"), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM u WHERE n = t_a * 7 AND t_a %% 3 = 0 "
		 "AND t_a < %d",
		 n);
	assert_int_equal(q_int(f, sql), (n + 2) / 3);
	assert_int_equal(q_int(f, "SELECT count(*) FROM u"), (n + 2) / 3);
}

/* Many operations on two statements, across many batches, in order. */
static void test_threaded_order(void **state)
{
	struct fx *f = *state;
	struct uc_err err = UC_ERR_INIT;
	struct wpipe *p = NULL;
	char scratch[256];
	const int n = 60000; /* ~7 MiB of records: several batch hand-offs */

	assert_int_equal(wpipe_open(&p, f->st, 1, &err), 0);
	assert_true(wpipe_threaded(p));
	assert_int_equal(store_begin(f->st, &err), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(put_row(p, f, i, scratch, &err), 0);
	assert_int_equal(wpipe_sync(p, &err), 0);
	/* the producer owns the connection again */
	assert_int_equal(store_commit(f->st, &err), 0);
	check_rows(f, n);
	/* a sync with nothing queued, then more rows, then close */
	assert_int_equal(wpipe_sync(p, &err), 0);
	wpipe_close(p);
}

/* The same operations without a thread give the same rows. */
static void test_unthreaded(void **state)
{
	struct fx *f = *state;
	struct uc_err err = UC_ERR_INIT;
	struct wpipe *p = NULL;
	char scratch[256];

	assert_int_equal(wpipe_open(&p, f->st, 0, &err), 0);
	assert_false(wpipe_threaded(p));
	assert_int_equal(store_begin(f->st, &err), 0);
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(put_row(p, f, i, scratch, &err), 0);
		/* each operation has run when wpipe_end returns */
		assert_int_equal(store_last_id(f->st), i % 3 ? i + 1 : i / 3 + 1);
	}
	assert_int_equal(wpipe_sync(p, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	check_rows(f, 3000);
	wpipe_close(p);
}

/* A failing statement: its error (as store_step gives it) comes back at a
 * later hand-off and at sync; nothing after it runs; the pipe then works
 * again. */
static void test_threaded_error(void **state)
{
	struct fx *f = *state;
	struct uc_err err = UC_ERR_INIT;
	struct wpipe *p = NULL;
	char scratch[256];
	int rc = 0, seen_at = -1;

	assert_int_equal(wpipe_open(&p, f->st, 1, &err), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(put_row(p, f, i, scratch, &err), 0);
	/* a = NULL violates NOT NULL */
	wpipe_stmt(p, f->ins);
	wpipe_null(p, 1);
	wpipe_text(p, 2, "bad", -1);
	wpipe_null(p, 3);
	assert_int_equal(wpipe_end(p, &err), 0); /* queued, not run yet */
	/* Keep writing: within a few batches the producer hears of it. */
	for (int i = 1000; i < 200000 && !rc; i++) {
		rc = put_row(p, f, i, scratch, &err);
		if (rc)
			seen_at = i;
	}
	assert_int_equal(rc, UC_ECONFLICT);
	assert_true(seen_at > 1000);
	assert_non_null(strstr(err.msg, "NOT NULL constraint failed: t.a"));
	/* once known, every wpipe_end says so */
	uc_err_clear(&err);
	assert_int_equal(put_row(p, f, 0, scratch, &err), UC_ECONFLICT);
	assert_non_null(strstr(err.msg, "NOT NULL"));
	uc_err_clear(&err);
	assert_int_equal(wpipe_sync(p, &err), UC_ECONFLICT);
	assert_non_null(strstr(err.msg, "NOT NULL constraint failed: t.a"));
	/* everything before the bad row ran, nothing after it */
	assert_int_equal(q_int(f, "SELECT count(*) FROM t"), 1000);
	assert_int_equal(q_int(f, "SELECT max(a) FROM t"), 999);
	assert_int_equal(q_int(f, "SELECT count(*) FROM u"), 334);
	store_rollback(f->st);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t"), 0);
	/* the error was reported: the pipe is usable again */
	assert_int_equal(store_begin(f->st, &err), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(put_row(p, f, i, scratch, &err), 0);
	assert_int_equal(wpipe_sync(p, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	check_rows(f, 5000);
	wpipe_close(p);
}

/* Non-threaded, wpipe_end returns the operation's own result. */
static void test_unthreaded_error(void **state)
{
	struct fx *f = *state;
	struct uc_err err = UC_ERR_INIT;
	struct wpipe *p = NULL;
	char scratch[256];

	assert_int_equal(wpipe_open(&p, f->st, 0, &err), 0);
	assert_int_equal(put_row(p, f, 0, scratch, &err), 0);
	wpipe_stmt(p, f->ins);
	wpipe_null(p, 1);
	wpipe_null(p, 2);
	wpipe_null(p, 3);
	assert_int_equal(wpipe_end(p, &err), UC_ECONFLICT);
	assert_non_null(strstr(err.msg, "NOT NULL constraint failed: t.a"));
	assert_int_equal(put_row(p, f, 1, scratch, &err), 0);
	assert_int_equal(wpipe_sync(p, &err), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t"), 2);
	wpipe_close(p);
}

/* Operations bigger than a batch go through whole; past WPIPE_OP_MAX one
 * is refused (UC_ENOMEM) without disturbing the others. */
static void test_big_ops(void **state)
{
	struct fx *f = *state;
	struct uc_err err = UC_ERR_INIT;
	struct wpipe *p = NULL;
	size_t big = 3 * WPIPE_BATCH + 5, half = WPIPE_OP_MAX / 2 + 8;
	char *s = malloc(half);
	char scratch[256];

	assert_non_null(s);
	memset(s, 'q', half);
	assert_int_equal(wpipe_open(&p, f->st, 1, &err), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(put_row(p, f, 0, scratch, &err), 0);
	wpipe_stmt(p, f->ins);
	wpipe_int(p, 1, 1);
	wpipe_text(p, 2, s, (int)big);
	wpipe_null(p, 3);
	assert_int_equal(wpipe_end(p, &err), 0);
	/* two halves make one operation over the cap */
	wpipe_stmt(p, f->ins);
	wpipe_int(p, 1, 2);
	wpipe_text(p, 2, s, (int)half);
	wpipe_text(p, 3, s, (int)half);
	assert_int_equal(wpipe_end(p, &err), UC_ENOMEM);
	assert_non_null(strstr(err.msg, "MiB"));
	assert_int_equal(put_row(p, f, 3, scratch, &err), 0);
	assert_int_equal(wpipe_sync(p, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(q_int(f, "SELECT (SELECT group_concat(a) FROM (SELECT a FROM t "
				  "ORDER BY rowid)) = '0,1,3'"),
			 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t"), 3);
	assert_int_equal(q_int(f, "SELECT length(b) FROM t WHERE a = 1"), (int64_t)big);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t WHERE a = 1 AND b GLOB 'qqq*q' "
				  "AND b NOT GLOB '*[^q]*'"),
			 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t WHERE a = 2"), 0);
	wpipe_close(p);
	free(s);
}

/* Closing with operations queued (an aborted file) neither hangs nor
 * leaks; the caller rolls back. */
static void test_close_pending(void **state)
{
	struct fx *f = *state;
	struct uc_err err = UC_ERR_INIT;
	struct wpipe *p = NULL;
	char scratch[256];

	assert_int_equal(wpipe_open(&p, f->st, 1, &err), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	for (int i = 0; i < 40000; i++)
		assert_int_equal(put_row(p, f, i, scratch, &err), 0);
	wpipe_close(p);
	store_rollback(f->st);
	assert_int_equal(q_int(f, "SELECT count(*) FROM t"), 0);
	wpipe_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_threaded_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unthreaded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threaded_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unthreaded_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_pending, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
