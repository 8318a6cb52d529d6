/* Unit tests for src/store: open, migrate, refuse newer schema, statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdb.h"

#include "store/store.h"

static char path[256];

static int setup(void **state)
{
	(void)state;
	testdb_path(path, sizeof(path), "store");
	unlink(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testdb_remove(path);
	return 0;
}

static void test_open_migrates(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	int64_t v = -1;

	(void)state;
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	assert_int_equal(store_query_int(st, "PRAGMA user_version", &v, &err), 0);
	assert_int_equal(v, store_schema_version());
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM import_file", &v, &err), 0);
	assert_int_equal(v, 0);
	store_close(st);
	/* reopening is a no-op migration */
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	store_close(st);
}

static void test_refuses_newer(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	char sql[64];

	(void)state;
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", store_schema_version() + 1);
	assert_int_equal(store_exec(st, sql, &err), 0);
	store_close(st);
	assert_int_equal(store_open(&st, path, 0, &err), UC_ECONFLICT);
	assert_null(st);
	assert_non_null(strstr(err.msg, "newer than this uctrack"));
}

static void test_statements_and_rollback(void **state)
{
	struct store *st = NULL;
	struct store_stmt *q = NULL;
	struct uc_err err = UC_ERR_INIT;
	int64_t n = -1;

	(void)state;
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	assert_int_equal(store_exec(st, "CREATE TABLE t(a TEXT, b INTEGER UNIQUE)", &err), 0);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_prepare(st, "INSERT INTO t VALUES(?,?)", &q, &err), 0);
	store_bind_text(q, 1, "x'); DROP TABLE t;--", -1);
	store_bind_int(q, 2, 1);
	assert_int_equal(store_step(q, &err), STORE_DONE);
	store_reset(q);
	store_bind_text(q, 1, "dup", -1);
	store_bind_int(q, 2, 1);
	assert_int_equal(store_step(q, &err), -UC_ECONFLICT);
	store_finalize(q);
	store_rollback(st);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM t", &n, &err), 0);
	assert_int_equal(n, 0);
	store_close(st);
}

static void test_statement_cache(void **state)
{
	struct store *st = NULL;
	struct store_stmt *a = NULL, *b = NULL, *c = NULL;
	struct uc_err err = UC_ERR_INIT;
	int64_t v = -1;
	const char *sql = "SELECT ? + 1";

	(void)state;
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	assert_int_equal(store_db_version(st, &v, &err), 0);
	assert_int_equal(v, store_schema_version());
	assert_int_equal(store_prepare_cached(st, sql, &a, &err), 0);
	store_bind_int(a, 1, 41);
	assert_int_equal(store_step(a, &err), STORE_ROW);
	assert_int_equal(store_col_int(a, 0), 42);
	/* busy: the same text gives another statement */
	assert_int_equal(store_prepare_cached(st, sql, &b, &err), 0);
	assert_ptr_not_equal(a, b);
	store_done(a);
	/* back and reset, bindings cleared: the same one again */
	assert_int_equal(store_prepare_cached(st, sql, &c, &err), 0);
	assert_ptr_equal(a, c);
	assert_int_equal(store_step(c, &err), STORE_ROW);
	assert_true(store_col_is_null(c, 0));
	store_done(c);
	store_done(b);
	store_done(NULL);
	assert_int_equal(store_prepare_cached(st, "SELEC nothing", &a, &err), UC_EIO);
	assert_int_equal(store_checkpoint_manual(st, &err), 0);
	assert_int_equal(store_checkpoint(st, &err), 0);
	store_close(st); /* finalizes the cached statements (ASan: no leak) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_migrates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refuses_newer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statements_and_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
