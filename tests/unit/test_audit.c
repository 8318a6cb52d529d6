/* Unit tests for src/audit: chain, verify, tampering (edit, delete,
 * reorder, truncate), group-commit writer. */
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

#include "audit/audit.h"

static char path[256];

static int setup(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;

	testdb_path(path, sizeof(path), "audit");
	testdb_remove(path);
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	for (int i = 0; i < 5; i++) {
		char target[32];
		struct audit_entry e = {.actor = "ana", .role = "officer",
					.action = "case.read", .target = target,
					.purpose = "welfare visit", .outcome = "ok"};

		snprintf(target, sizeof(target), "case:%d", i + 1);
		assert_int_equal(audit_append(st, &e, NULL, &err), 0);
	}
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	testdb_remove(path);
	return 0;
}

static void test_intact(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	int64_t seq;
	char h[65];

	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.entries, 5);
	assert_int_equal(audit_head(*state, &seq, h, &err), 0);
	assert_int_equal(seq, 5);
	assert_string_equal(h, rep.head_hash);
	assert_int_equal(audit_verify(*state, 5, h, &rep, &err), 0);
}

static void test_append_only(void **state)
{
	struct uc_err err = UC_ERR_INIT;

	assert_int_not_equal(store_exec(*state, "UPDATE audit_log SET actor='x'", &err), 0);
	assert_int_not_equal(store_exec(*state, "DELETE FROM audit_log", &err), 0);
}

static void tamper(struct store *st, const char *sql)
{
	struct uc_err err = UC_ERR_INIT;

	assert_int_equal(store_exec(st, "DROP TRIGGER audit_log_no_update;"
				    "DROP TRIGGER audit_log_no_delete;", &err), 0);
	assert_int_equal(store_exec(st, sql, &err), 0);
}

static void test_edit(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	tamper(*state, "UPDATE audit_log SET purpose = 'other' WHERE seq = 3");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 3);
	assert_non_null(strstr(err.msg, "entry 3"));
}

static void test_delete(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	tamper(*state, "DELETE FROM audit_log WHERE seq = 2");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 3);
}

static void test_delete_renumbered(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	tamper(*state, "DELETE FROM audit_log WHERE seq = 2;"
		       "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 2);
}

static void test_reorder(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	/* swap the contents of entries 2 and 4 */
	tamper(*state, "UPDATE audit_log SET seq = 100 WHERE seq = 2;"
		       "UPDATE audit_log SET seq = 2 WHERE seq = 4;"
		       "UPDATE audit_log SET seq = 4 WHERE seq = 100;");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 2);
}

static void test_truncate_with_head(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	int64_t seq;
	char h[65];

	assert_int_equal(audit_head(*state, &seq, h, &err), 0);
	tamper(*state, "DELETE FROM audit_log WHERE seq = 5");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	assert_int_equal(audit_verify(*state, seq, h, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 5);
}

static void test_long_fields_cut(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	char *big = malloc(AUDIT_FIELD_MAX * 2);
	struct audit_entry e = {.actor = "ana", .action = "x", .outcome = "ok"};

	memset(big, 'a', AUDIT_FIELD_MAX * 2 - 1);
	big[AUDIT_FIELD_MAX * 2 - 1] = '\0';
	e.detail = big;
	assert_int_equal(audit_append(*state, &e, NULL, &err), 0);
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	free(big);
}

static void test_writer(void **state)
{
	struct audit_writer *w = NULL;
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	struct audit_entry e = {.actor = "bo", .action = "queue.read", .outcome = "ok"};

	assert_int_equal(audit_writer_start(&w, path, &err), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	audit_writer_stop(w);
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.entries, 25);
}

/* Async completion record for test_writer_conditional. */
struct done_rec {
	int fired; /* set (atomically) by the writer thread */
	int rc;    /* its result */
};

static void on_done(void *arg, int rc, const struct uc_err *err)
{
	struct done_rec *d = arg;

	(void)err;
	d->rc = rc;
	__atomic_store_n(&d->fired, 1, __ATOMIC_SEQ_CST);
}

static void wait_done(struct done_rec *d)
{
	for (int i = 0; i < 5000 && !__atomic_load_n(&d->fired, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_true(d->fired);
}

/* audit_writer_submit_async_if: written while nobody else committed since
 * the generation was read; refused (nothing written) after a commit by
 * another connection; the writer's own commits do not count. */
static void test_writer_conditional(void **state)
{
	struct store *st = *state;
	struct audit_writer *w = NULL;
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	struct audit_entry e = {.actor = "bo", .action = "queue.read", .outcome = "ok"};
	struct done_rec d1 = {0, -1}, d2 = {0, -1}, d3 = {0, -1};
	uint64_t g;

	assert_int_equal(audit_writer_start(&w, path, &err), 0);
	assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	g = audit_writer_gen(w);
	audit_writer_submit_async_if(w, &e, g, on_done, &d1);
	wait_done(&d1);
	assert_int_equal(d1.rc, 0);
	assert_int_equal(audit_writer_gen(w), g);
	/* another connection commits */
	assert_int_equal(store_exec(st, "CREATE TABLE t_other(x); INSERT INTO t_other VALUES(1)",
				    &err), 0);
	audit_writer_submit_async_if(w, &e, g, on_done, &d2);
	wait_done(&d2);
	assert_int_equal(d2.rc, UC_ECONFLICT);
	assert_true(audit_writer_gen(w) > g);
	g = audit_writer_gen(w);
	audit_writer_submit_async_if(w, &e, g, on_done, &d3);
	wait_done(&d3);
	assert_int_equal(d3.rc, 0);
	audit_writer_stop(w);
	assert_int_equal(audit_verify(st, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.entries, 5 + 2 + 1 + 1); /* d2 not written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate_with_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_fields_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_conditional, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
